from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = _("Partner webhooks")

    def ready(self):
        from programmes.domain.signals import content_event

        from . import checks, outbox

        content_event.connect(outbox.on_content_event, dispatch_uid="webhooks")
        checks.register()
