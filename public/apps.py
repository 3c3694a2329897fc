from django.apps import AppConfig


class PublicConfig(AppConfig):
    """The public site: pages, search, feeds, sitemaps, calendars, charts and maps.

    An app of its own, with no models, for its template tags (``public_site``); what it
    shows is the ``programmes`` app's published content.
    """

    name = "public"
    label = "public"
