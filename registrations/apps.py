from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class RegistrationsConfig(AppConfig):
    """Registrations for missions: personal data, in tables of their own (``models.py``).

    The public pages are in ``public/`` (``registration_views.py``), the staff's in
    ``programmes/admin/registrations.py``; the read path listens to ``signals.py``.
    """

    name = "registrations"
    verbose_name = _("Mission registrations")

    def ready(self):
        from twinning.mailers import check_mail_settings

        # The first feature that sends mail: it warns when production would send none.
        checks.register(check_mail_settings, checks.Tags.security, deploy=True)
