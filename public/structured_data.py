"""What search engines and link previews read: OpenGraph tags and schema.org JSON-LD.

Everything here is built from what the page's view already fetched
(``for_detail_page()``), so a page's query count does not change. Texts are the
ones the page shows, in the page's language (with modeltranslation's fallbacks).

Mapping to schema.org (see docs/architecture/findable.md for the why):

- a mission is an ``Event``; its programme items are its ``subEvent``\\s,
- a region is a ``Place`` with ``geo`` and ``containedInPlace``,
- an organisation is an ``Organization`` with a ``location``,
- a partnership page is a ``WebPage`` ``about`` its two places (schema.org has no
  type for an agreement between two places, and it is no organisation),
- the home page is the ``WebSite``.

Related objects that are not public are named but not linked, as on the page.
"""

import datetime as dt
import html
import json
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Model
from django.http import HttpRequest
from django.utils.html import format_html, strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from programmes.models import (
    Mission,
    Organisation,
    Outcome,
    Partnership,
    Photo,
    ProgrammeItem,
    Region,
)

from .templatetags.public_site import html_lang

SCHEMA_ORG = "https://schema.org"

# OpenGraph wants a locale with a territory. Dutch is written for the Netherlands and
# Flanders alike, English here is British, Chinese is simplified (mainland).
OG_LOCALES = {"nl": "nl_NL", "en": "en_GB", "zh-hans": "zh_CN"}

# As Django's json_script: nothing in the data can close the <script> element or
# start an HTML comment or entity.
_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}

OG_DESCRIPTION_LENGTH = 300


@dataclass(frozen=True)
class OpenGraphImage:
    url: str
    alt: str
    width: int | None
    height: int | None


@dataclass(frozen=True)
class PageMeta:
    """The page's OpenGraph tags and its JSON-LD, rendered by ``includes/meta.html``."""

    title: str
    url: str
    description: str = ""
    og_type: str = "website"
    image: OpenGraphImage | None = None
    published_time: dt.datetime | None = None
    modified_time: dt.datetime | None = None
    json_ld: SafeString = field(default_factory=lambda: mark_safe(""))

    @property
    def locale(self) -> str:
        return OG_LOCALES[get_language()]

    @property
    def locale_alternates(self) -> list[str]:
        return [OG_LOCALES[code] for code, _name in settings.LANGUAGES if code != get_language()]


def json_ld_script(data: dict[str, Any]) -> SafeString:
    """``data`` as a ``<script type="application/ld+json">`` element, escaped like json_script.

    A JSON-LD block is data, not script: browsers do not execute it, so the
    Content-Security-Policy (``script-src 'self'`` + nonce) does not apply and no
    nonce is needed (which keeps whole pages cacheable).
    """
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(text.translate(_JSON_SCRIPT_ESCAPES)),
    )


def home_meta(request: HttpRequest) -> PageMeta:
    title = _("Twinning programmes")
    description = _(
        "Twinning programmes between European and Chinese cities and provinces: "
        "the partnerships, the missions and what came of them."
    )
    url = _canonical_url(request)
    website = {
        "@context": SCHEMA_ORG,
        "@type": "WebSite",
        "name": title,
        "description": description,
        "url": url,
        "inLanguage": html_lang(get_language()),
    }
    return PageMeta(title=title, description=description, url=url, json_ld=json_ld_script(website))


def listing_meta(request: HttpRequest, title: str, description: str, query: str = "") -> PageMeta:
    """A list page (missions, outcomes): OpenGraph only; the items have their own pages.

    ``query`` is the page's canonical query string (its filters and page number).
    """
    return PageMeta(title=title, description=description, url=_canonical_url(request) + query)


def page_meta(request: HttpRequest, obj: Model) -> PageMeta:
    """The OpenGraph tags and JSON-LD of a detail page."""
    builder = _DETAIL_BUILDERS[type(obj)]
    title, description, json_ld = builder(request, obj)
    photo = _first_photo(obj)
    return PageMeta(
        title=title,
        url=_canonical_url(request),
        description=Truncator(description).chars(OG_DESCRIPTION_LENGTH),
        og_type="article",
        image=_og_image(request, photo) if photo else None,
        published_time=obj.publish_at,
        modified_time=obj.updated_at,
        json_ld=json_ld_script(json_ld) if json_ld else mark_safe(""),
    )


# Detail pages: each builder returns (title, description, JSON-LD or None). ------------


def _mission(request: HttpRequest, mission: Mission) -> tuple[str, str, dict]:
    event = {
        "@context": SCHEMA_ORG,
        "@type": "Event",
        "name": mission.title,
        "description": mission.summary,
        "url": _canonical_url(request),
        "inLanguage": html_lang(get_language()),
        "startDate": mission.start_date,
        "endDate": mission.end_date,
        "eventStatus": f"{SCHEMA_ORG}/EventScheduled",
        "eventAttendanceMode": f"{SCHEMA_ORG}/OfflineEventAttendanceMode",
        "location": [_place(request, region) for region in mission.destinations.all()],
        "organizer": [_organisation(request, org) for org in mission.organisers.all()],
        "subEvent": [_programme_item(request, item) for item in mission.programme_items.all()],
        "image": [_photo_url(request, photo) for photo in mission.photos.all()],
    }
    return mission.title, mission.summary, _compact(event)


def _programme_item(request: HttpRequest, item: ProgrammeItem) -> dict:
    return _compact(
        {
            "@type": "Event",
            "name": item.title,
            "description": item.description,
            "startDate": item.starts_at(),
            "eventAttendanceMode": f"{SCHEMA_ORG}/OfflineEventAttendanceMode",
            "location": _place(request, item.city) if item.city else None,
            "organizer": _organisation(request, item.host) if item.host else None,
        }
    )


def _region(request: HttpRequest, region: Region) -> tuple[str, str, dict]:
    place = {
        "@context": SCHEMA_ORG,
        **_place(request, region),
        "description": region.summary,
        "image": [_photo_url(request, photo) for photo in region.photos.all()],
    }
    return region.name, region.summary, _compact(place)


def _organisation_page(request: HttpRequest, organisation: Organisation) -> tuple[str, str, dict]:
    description = _plain_text(organisation.description)
    data = {
        "@context": SCHEMA_ORG,
        **_organisation(request, organisation),
        "description": description,
        "sameAs": organisation.website,
        "location": _place(request, organisation.region) if organisation.region else None,
    }
    return organisation.name, description, _compact(data)


def _partnership(request: HttpRequest, partnership: Partnership) -> tuple[str, str, dict]:
    page = {
        "@context": SCHEMA_ORG,
        "@type": "WebPage",
        "name": partnership.title,
        "description": partnership.summary,
        "url": _canonical_url(request),
        "inLanguage": html_lang(get_language()),
        "about": [
            _place(request, partnership.home_region),
            _place(request, partnership.partner_region),
        ],
    }
    return partnership.title, partnership.summary, _compact(page)


def _outcome(request: HttpRequest, outcome: Outcome) -> tuple[str, str, None]:
    """OpenGraph only: schema.org has no type for "a result of a cooperation"."""
    return outcome.title, _plain_text(outcome.description), None


_DETAIL_BUILDERS = {
    Mission: _mission,
    Region: _region,
    Organisation: _organisation_page,
    Partnership: _partnership,
    Outcome: _outcome,
}


# Shared pieces. ---------------------------------------------------------------------


def _place(request: HttpRequest, region: Region) -> dict:
    """A region as a ``Place``, inside the regions the page's query already fetched."""
    place = {"@type": "Place", "name": region.name, "url": _public_url(request, region)}
    if region.latitude is not None and region.longitude is not None:
        place["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": float(region.latitude),
            "longitude": float(region.longitude),
        }
    if region.parent_id and Region.parent.is_cached(region):
        place["containedInPlace"] = _place(request, region.parent)
    return _compact(place)


def _organisation(request: HttpRequest, organisation: Organisation) -> dict:
    return _compact(
        {
            "@type": "Organization",
            "name": organisation.name,
            "url": _public_url(request, organisation),
        }
    )


def _first_photo(obj: Model) -> Photo | None:
    if not isinstance(obj, Mission | Region):
        return None
    return next(iter(obj.photos.all()), None)


def _og_image(request: HttpRequest, photo: Photo) -> OpenGraphImage:
    url, width, height = _photo_file(photo)
    return OpenGraphImage(
        url=request.build_absolute_uri(url), alt=photo.alt_text, width=width, height=height
    )


def _photo_url(request: HttpRequest, photo: Photo) -> str:
    url, _width, _height = _photo_file(photo)
    return request.build_absolute_uri(url)


def _photo_file(photo: Photo) -> tuple[str, int | None, int | None]:
    """The largest JPEG rendition (every link preview reads JPEG), else the stored original.

    Both are the cleaned image, without EXIF or GPS positions (see ``images.py``).
    """
    if renditions := photo.renditions:
        largest = renditions.largest
        return largest.url, largest.width, largest.height
    return photo.image.url, photo.width, photo.height


def _canonical_url(request: HttpRequest) -> str:
    """The page's address without its query string, as the ``<link rel="canonical">``."""
    return request.build_absolute_uri(request.path)


def _public_url(request: HttpRequest, obj: Model) -> str | None:
    """The absolute address of ``obj``'s page, or ``None`` when the public cannot open it."""
    return request.build_absolute_uri(obj.get_absolute_url()) if obj.is_published else None


def _plain_text(rich_text: str) -> str:
    return " ".join(html.unescape(strip_tags(rich_text)).split())


def _compact(data: dict) -> dict:
    """Leave out what is unknown: an empty value says nothing in JSON-LD."""
    return {key: value for key, value in data.items() if value not in (None, "", [])}
