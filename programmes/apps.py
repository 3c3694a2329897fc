from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

# Django 6.1's empty choice label is not yet in its own nl and zh_Hans catalogs; naming it
# here puts it in ours, which Django consults first (LOCALE_PATHS).
gettext_noop("- Select an option -")


class ProgrammesConfig(AppConfig):
    name = "programmes"
    verbose_name = _("Twinning programmes")

    def ready(self):
        from .domain import sync

        sync.connect_signals()
