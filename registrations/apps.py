from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class RegistrationsConfig(AppConfig):
    """Registrations for missions: personal data, in tables of their own (``models.py``)."""

    name = "registrations"
    verbose_name = _("Mission registrations")

    def ready(self):
        from programmes import caching
        from twinning.mailers import check_mail_settings

        from . import pages

        # The moments registration opens and closes change the mission's public page, as a
        # publish date does: the page cache and the read model end there (caching.py).
        caching.add_schedule(pages.registration_schedule)
        pages.connect()
        checks.register(check_mail_settings, checks.Tags.security, deploy=True)
