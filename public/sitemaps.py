"""``/sitemap.xml``: an index of files, each listing a bounded number of public pages.

The index names the files of each section (a kind of page: the overviews, partnerships,
regions, missions, organisations, outcomes, site pages): ``/sitemap-missions.xml``,
``/sitemap-missions.xml?p=2``, …, each with the latest change of what it lists. A file
lists at most ``limit`` addresses, at most a third of that many pages in each of the
three languages, so no file grows with the site.

Each entry lists its versions in nl, en and zh-hans (``hreflang`` alternates) plus
an ``x-default``. The alternates are the same as the page's own ``<link
rel="alternate">`` tags, ``x-default`` included: the Dutch version (the site's
default language), not Django's prefix-less address, so that search engines get
one story from the page and the sitemap.

What Django's i18n sitemaps would do, and why this differs:

- They call ``reverse()`` five times per address (its own and four alternates); here a
  page's address is reversed once, in the default language, and put in the others by
  swapping the language prefix (``addresses_in_every_language()``).
- Their ``Paginator`` counts the objects and skips earlier pages with ``OFFSET``, work
  that grows with the site; here a file is a window of ids (``IdWindows``), one range
  query on the primary key however many objects there are.
- Their index lists every page number up to the last and gives all of a section's
  files the section's latest change; ours lists the windows that hold something (a
  sitemap may not be empty) with each file's own latest change, so a crawler refetches
  only the files that changed: new missions change the last file only.
"""

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import SitemapIndexItem, sitemap, x_robots_tag
from django.contrib.sites.shortcuts import get_current_site
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import F, Max, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import translation
from django.utils.functional import cached_property

from programmes.models import Mission, Organisation, Outcome, Partnership, Region, SitePage
from readpath.caching import cache_public_page

from .templatetags.public_site import html_lang

# The largest id the databases store (a 64-bit signed integer): no window reaches past it.
MAX_ID = 2**63 - 1


def language_prefixes() -> dict[str, str]:
    """Every language's home address (``{"nl": "/nl/", …}``), with which its pages start."""
    prefixes = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            prefixes[code] = reverse("programmes:home")
    return prefixes


def addresses_in_every_language(path: str, prefixes: dict[str, str]) -> dict[str, str]:
    """``path``, an address in the default language, in every language: the same address
    behind each language's prefix (``prefixes``: ``language_prefixes()``).

    This is what ``reverse()`` gives in each language as long as the public URL patterns
    are not translated themselves; ``tests/public/test_findable.py`` checks it for every page.
    """
    default = prefixes[settings.LANGUAGE_CODE]
    if not path.startswith(default):
        raise ValueError(f"{path!r} is not an address in {settings.LANGUAGE_CODE!r}")
    rest = path.removeprefix(default)
    return {code: prefix + rest for code, prefix in prefixes.items()}


def latest_change(published: QuerySet, recent: int = 100):
    """The latest ``updated_at`` in ``published``, looked for among the ``recent`` most
    recently changed rows of its table, and in all of it only if none of those is published.

    ``Max()`` over the published rows reads every one of them (SQLite, 20,000 missions:
    about 80 ms); the most recently changed rows come down the ``updated_at`` index, and
    when one of them is published, the latest published change is among them.
    """
    newest = published.model.objects.order_by("-updated_at").values("pk")[:recent]
    latest = published.filter(pk__in=newest).aggregate(latest=Max("updated_at"))["latest"]
    if latest is None:
        latest = published.aggregate(latest=Max("updated_at"))["latest"]
    return latest


class IdWindows:
    """Pages of ``queryset`` by primary key: page *n* holds the objects whose ids lie in
    ``((n - 1) * per_page, n * per_page]``, in the order of their ids.

    A page is one range query on the primary key, however many objects there are. It
    holds at most ``per_page`` objects, fewer where ids went to drafts or to deleted
    objects, and stays the same when objects are added after it. A page without objects
    does not exist (the index does not list it).
    """

    def __init__(self, queryset: QuerySet, per_page: int):
        self.queryset = queryset
        self.per_page = per_page

    def page(self, number) -> list:
        """The objects of page ``number`` (a string from the query string, or an int)."""
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(f"{number!r} is not a page number") from None
        first = (number - 1) * self.per_page + 1
        last = first + self.per_page - 1
        if number < 1 or last > MAX_ID:
            raise EmptyPage(f"There is no page {number}")
        objects = list(self.queryset.filter(pk__range=(first, last)).order_by("pk"))
        if not objects:
            raise EmptyPage(f"Page {number} lists nothing")
        return objects

    def pages(self, latest: str) -> list[tuple[int, object]]:
        """``(number, the latest value of the field named latest)`` of every page that
        holds something, in order: one query, grouped by window."""
        windows = (
            self.queryset.order_by()
            .annotate(window=(F("pk") - 1) / self.per_page)
            .values("window")
            .annotate(latest=Max(latest))
            .order_by("window")
        )
        return [(row["window"] + 1, row["latest"]) for row in windows]


class LanguageVersionsSitemap(Sitemap):
    """One ``<url>`` per page and language, each naming the page's other languages.

    ``limit`` is Django's: the most addresses one file holds, ``limit`` divided by the
    number of languages pages. ``location()`` is called in the default language only.
    """

    # A full file renders in about 30 ms of CPU (docs/performance.md); sitemaps.org allows 50,000.
    limit = 300

    @property
    def per_page(self) -> int:
        return self.limit // len(settings.LANGUAGES)

    @cached_property
    def paginator(self) -> Paginator | IdWindows:
        return Paginator(self.items(), self.per_page)

    def files(self) -> list[tuple[int, object]]:
        """``(page number, latest change)`` of every file of this section, for the index:
        here, as in Django's index, every page with the section's latest change."""
        if not self.paginator.count:
            return []
        lastmod = self.get_latest_lastmod()
        return [(page, lastmod) for page in self.paginator.page_range]

    def get_urls(self, page=1, site=None, protocol=None) -> list[dict]:
        origin = f"{self.get_protocol(protocol)}://{self.get_domain(site)}"
        prefixes = language_prefixes()
        tags = {code: html_lang(code) for code in prefixes}
        urls = []
        with translation.override(settings.LANGUAGE_CODE):
            for item in self.paginator.page(page):
                versions = {
                    code: origin + path
                    for code, path in addresses_in_every_language(
                        self.location(item), prefixes
                    ).items()
                }
                alternates = [
                    {"location": location, "lang_code": tags[code]}
                    for code, location in versions.items()
                ]
                alternates.append(
                    {"location": versions[settings.LANGUAGE_CODE], "lang_code": "x-default"}
                )
                lastmod = self.lastmod(item)
                urls.extend(
                    {"location": location, "lastmod": lastmod, "alternates": alternates}
                    for location in versions.values()
                )
        return urls


class PublishedSitemap(LanguageVersionsSitemap):
    """The published objects of one model, with their last change."""

    model = None

    def items(self) -> QuerySet:
        return self.model.objects.published().only("slug", "updated_at")

    @cached_property
    def paginator(self) -> IdWindows:
        return IdWindows(self.items(), self.per_page)

    def files(self) -> list[tuple[int, object]]:
        return self.paginator.pages(latest="updated_at")

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


class SitePageSitemap(PublishedSitemap):
    model = SitePage


class OverviewSitemap(LanguageVersionsSitemap):
    """The home page and the lists of missions and outcomes (their first pages; the
    others are reached from there), changed when what they list changes."""

    @cached_property
    def entries(self) -> list[tuple[str, object]]:
        latest = {
            model: latest_change(model.objects.published())
            for model in (Partnership, Mission, Outcome)
        }
        home = max(filter(None, [latest[Partnership], latest[Mission]]), default=None)
        return [
            ("programmes:home", home),
            ("programmes:missions", latest[Mission]),
            ("programmes:outcomes", latest[Outcome]),
        ]

    def items(self):
        return self.entries

    def location(self, item):
        url_name, _lastmod = item
        return reverse(url_name)

    def lastmod(self, item):
        _url_name, lastmod = item
        return lastmod

    def get_latest_lastmod(self):
        return max(filter(None, (lastmod for _url_name, lastmod in self.entries)), default=None)


SITEMAPS = {
    "overview": OverviewSitemap,
    "partnerships": PartnershipSitemap,
    "regions": RegionSitemap,
    "missions": MissionSitemap,
    "organisations": OrganisationSitemap,
    "outcomes": OutcomeSitemap,
    "pages": SitePageSitemap,
}


@cache_public_page
@x_robots_tag
def sitemap_index(request: HttpRequest) -> HttpResponse:
    """Every file of every section that lists something, with its latest change.

    Django's ``index`` view, but for the files ``files()`` names (see the module's
    docstring). One query per section (the overview's three), whatever the size of the
    site; cached like the pages (``caching.py``) and answering conditional requests.
    """
    origin = f"{request.scheme}://{get_current_site(request).domain}"
    files = []
    for name, section in SITEMAPS.items():
        address = origin + reverse("sitemap-section", kwargs={"section": name})
        files += [
            SitemapIndexItem(address if page == 1 else f"{address}?p={page}", lastmod)
            for page, lastmod in section().files()
        ]
    return TemplateResponse(
        request, "sitemap_index.xml", {"sitemaps": files}, content_type="application/xml"
    )


@cache_public_page
def sitemap_section(request: HttpRequest, section: str) -> HttpResponse:
    """One file of one section (``?p=2`` for the second), cached like the index."""
    return sitemap(request, sitemaps=SITEMAPS, section=section, template_name="sitemaps/urlset.xml")
