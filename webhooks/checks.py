"""System checks: events carry absolute URLs, so the site must know its own address."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks


def check_site_url(app_configs=None, **kwargs):
    parts = urlsplit(settings.SITE_URL)
    if parts.scheme in ("http", "https") and parts.netloc:
        return []
    return [
        checks.Warning(
            "SITE_URL is not set to an absolute URL such as https://twinning.example.org.",
            hint="Webhook events and other absolute links are built from it; set the SITE_URL "
            "environment variable.",
            id="webhooks.W001",
        )
    ]


def register() -> None:
    checks.register(check_site_url, "webhooks")
