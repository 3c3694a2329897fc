"""``/sitemap.xml``: every public page in every language, with its language versions.

Each entry lists its versions in nl, en and zh-hans (``hreflang`` alternates) plus
an ``x-default``. The alternates are the same as the page's own ``<link
rel="alternate">`` tags, ``x-default`` included: the Dutch version (the site's
default language), not Django's prefix-less address, so that search engines get
one story from the page and the sitemap.
"""

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import sitemap
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from .caching import cache_public_page
from .models import Mission, Organisation, Outcome, Partnership, Region
from .templatetags.public_site import html_lang


class LanguageVersionsSitemap(Sitemap):
    """One ``<url>`` per page and language, each naming the page's other languages."""

    i18n = True
    alternates = True
    x_default = True

    def get_urls(self, page=1, site=None, protocol=None):
        urls = super().get_urls(page=page, site=site, protocol=protocol)
        for url in urls:
            alternates = url["alternates"]
            default = next(a for a in alternates if a["lang_code"] == settings.LANGUAGE_CODE)
            for alternate in alternates:
                if alternate["lang_code"] == "x-default":
                    alternate["location"] = default["location"]
                else:
                    alternate["lang_code"] = html_lang(alternate["lang_code"])
        return urls


class PublishedSitemap(LanguageVersionsSitemap):
    """The published objects of one model, with their last change."""

    model = None

    def items(self):
        return self.model.objects.published().only("slug", "updated_at").order_by("pk")

    def lastmod(self, obj):
        return obj.updated_at


class RegionSitemap(PublishedSitemap):
    model = Region


class OrganisationSitemap(PublishedSitemap):
    model = Organisation


class PartnershipSitemap(PublishedSitemap):
    model = Partnership


class MissionSitemap(PublishedSitemap):
    model = Mission


class OutcomeSitemap(PublishedSitemap):
    model = Outcome


class OverviewSitemap(LanguageVersionsSitemap):
    """The home page and the lists of missions and outcomes (their first pages; the
    others are reached from there), changed when what they list changes."""

    def items(self):
        latest = {
            model: model.objects.published().aggregate(latest=Max("updated_at"))["latest"]
            for model in (Partnership, Mission, Outcome)
        }
        home = max(filter(None, [latest[Partnership], latest[Mission]]), default=None)
        return [
            ("programmes:home", home),
            ("programmes:missions", latest[Mission]),
            ("programmes:outcomes", latest[Outcome]),
        ]

    def location(self, item):
        url_name, _lastmod = item
        return reverse(url_name)

    def lastmod(self, item):
        _url_name, lastmod = item
        return lastmod


SITEMAPS = {
    "overview": OverviewSitemap,
    "partnerships": PartnershipSitemap,
    "regions": RegionSitemap,
    "missions": MissionSitemap,
    "organisations": OrganisationSitemap,
    "outcomes": OutcomeSitemap,
}


@cache_public_page
def sitemap_view(request: HttpRequest) -> HttpResponse:
    """Django's sitemap view over ``SITEMAPS``, cached whole like the pages (``caching.py``).

    It lists every published object in three languages, so rendering it grows with the
    content; from the cache it costs what a page does, and it answers conditional requests.
    """
    return sitemap(request, sitemaps=SITEMAPS)
