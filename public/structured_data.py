"""What search engines and link previews read: OpenGraph tags and schema.org JSON-LD.

Everything here is built from what the page's view already fetched
(``for_detail_page()``), so a page's query count does not change. Texts are the
ones the page shows, in the page's language (with modeltranslation's fallbacks).

**Machines are told the language a text is really in** (see docs/architecture/findable.md):

- JSON-LD's ``inLanguage`` is the language of the node's own texts (its name and
  description), left out when they are in different languages (a Chinese title over a
  Dutch summary): a claim about all of them would be false for one;
- the description of a link preview (``og:description``, ``<meta name="description">``) is
  the page's own text when it exists in the page's language; otherwise one said in the
  page's language from translated strings and names ("City in China."), never a Dutch
  text under ``og:locale`` ``zh_CN``;
- a title (``og:title``) or photo description (``og:image:alt``) that exists only in
  another language is shown as the page shows it, and its ``<meta>`` element carries
  ``lang``: HTML's ``lang`` applies to an element's text attributes, ``content`` too.

Mapping to schema.org (see docs/architecture/findable.md for the why):

- a mission with a known start date is an ``Event`` (its dated programme items are its
  ``subEvent``\\s); one without is a ``Trip`` (its destinations the ``itinerary``, its
  programme items ``subTrip``\\s): an ``Event`` without ``startDate`` is invalid for the
  search engines that read it, and a date is not invented to make it one,
- a region is a ``Place`` with ``geo``, ``address`` and ``containedInPlace``,
- an organisation is an ``Organization`` with a ``location``,
- the dated missions a region's page lists as having gone there, or an organisation's as
  organised by it, are that ``Place``'s or ``Organization``'s ``event``\\s (the undated
  ones are ``Trip``\\s, which ``event`` does not take),
- a partnership page is a ``WebPage`` ``about`` its two places (schema.org has no
  type for an agreement between two places, and it is no organisation),
- the home page is the ``WebSite``.

Related objects that are not public are named but not linked, as on the page.
Every page shares a picture (``og:image``): its first published photo, else a picture of
its map (``share_images.py``).
"""

import datetime as dt
import html
import json
from collections.abc import Iterable
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
    SitePage,
)

from . import share_images
from .templatetags.public_site import TranslatedText, html_lang, translated

SCHEMA_ORG = "https://schema.org"

# OpenGraph wants a locale with a territory. Dutch is written for the Netherlands and
# Flanders alike, English here is British, Chinese is simplified (mainland).
OG_LOCALES = {"nl": "nl_NL", "en": "en_GB", "zh-hans": "zh_CN"}

# As Django's json_script: nothing in the data can close the <script> element or
# start an HTML comment or entity.
_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}

OG_DESCRIPTION_LENGTH = 300

# The parts of a postal address each kind of region gives, nearest first.
ADDRESS_PARTS = {
    Region.Kind.CITY: "addressLocality",
    Region.Kind.PROVINCE: "addressRegion",
    Region.Kind.COUNTRY: "addressCountry",
}


@dataclass(frozen=True)
class OpenGraphImage:
    url: str
    alt: str
    width: int | None
    height: int | None
    content_type: str = ""
    alt_lang: str = ""  # the BCP 47 tag of ``alt`` when it is not in the page's language


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
    # The BCP 47 tag of the title or description when it is not in the page's language.
    title_lang: str = ""
    description_lang: str = ""

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


def home_meta(request: HttpRequest, partnerships: Iterable[Partnership]) -> PageMeta:
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
    return PageMeta(
        title=title,
        description=description,
        url=url,
        image=_partnerships_image(request, partnerships),
        json_ld=json_ld_script(website),
    )


def listing_meta(
    request: HttpRequest,
    title: str,
    description: str,
    query: str = "",
    partnerships: Iterable[Partnership] = (),
) -> PageMeta:
    """A list page (missions, outcomes, search): OpenGraph only; the items have their own
    pages. Its picture is the map of the ``partnerships`` it lists.

    ``query`` is the page's canonical query string (its filters and page number).
    """
    return PageMeta(
        title=title,
        description=description,
        url=_canonical_url(request) + query,
        image=_partnerships_image(request, partnerships),
    )


def page_meta(request: HttpRequest, obj: Model, *, events: Iterable[Mission] = ()) -> PageMeta:
    """The OpenGraph tags and JSON-LD of a detail page; ``events``: the missions the page
    lists as happening there (a place) or organised by it (an organisation)."""
    detail = _DETAIL_BUILDERS[type(obj)](request, obj)
    if detail.json_ld is not None and (
        dated := [_mission_event(request, m) for m in events if m.start_date]
    ):
        detail.json_ld["event"] = dated
    description, description_lang = _description(detail)
    photo = _first_photo(obj)
    return PageMeta(
        title=detail.title,
        title_lang=_lang_if_fallback(detail.title),
        url=_canonical_url(request),
        description=Truncator(description).chars(OG_DESCRIPTION_LENGTH),
        description_lang=description_lang,
        og_type="article",
        image=(
            _photo_image(request, photo)
            if photo
            else _share_image(request, detail.share_map, detail.share_alt)
        ),
        published_time=obj.publish_at,
        modified_time=obj.updated_at,
        json_ld=json_ld_script(detail.json_ld) if detail.json_ld else mark_safe(""),
    )


@dataclass(frozen=True)
class _Detail:
    """What a detail page tells machines, before it is written as tags."""

    title: TranslatedText
    description: TranslatedText  # the object's own text, possibly in another language
    said: str  # the same in the page's language, from translated strings and names
    json_ld: dict | None
    share_map: share_images.ShareMap
    share_alt: str


def _description(detail: _Detail) -> tuple[str, str]:
    """The preview's description and its language tag ("" for the page's language).

    The object's own text when the page's language has it; otherwise the one said in
    the page's language. The own text in another language is only used when nothing
    can be said (and then its ``<meta>`` says its language).
    """
    if detail.description and not detail.description.is_fallback:
        return detail.description, ""
    if detail.said:
        return detail.said, ""
    return detail.description, _lang_if_fallback(detail.description)


def _lang_if_fallback(text: TranslatedText) -> str:
    return html_lang(text.language) if text and text.is_fallback else ""


# Detail pages. ---------------------------------------------------------------------------


def _mission(request: HttpRequest, mission: Mission) -> _Detail:
    title = translated(mission, "title")
    summary = translated(mission, "summary")
    common = {
        "name": title,
        "description": summary,
        "url": _canonical_url(request),
        "image": [_photo_url(request, photo) for photo in mission.photos.all()],
    }
    places = [_place(request, region) for region in mission.destinations.all()]
    organisers = [_organisation(request, org) for org in mission.organisers.all()]
    items = list(mission.programme_items.all())
    if mission.start_date:
        data = {
            "@context": SCHEMA_ORG,
            "@type": "Event",
            **common,
            "inLanguage": _language_of(title, summary),
            "startDate": mission.start_date,
            "endDate": mission.end_date,
            "eventStatus": f"{SCHEMA_ORG}/EventScheduled",
            "eventAttendanceMode": f"{SCHEMA_ORG}/OfflineEventAttendanceMode",
            "location": places,
            "organizer": organisers,
            # An item without a date would be an Event without startDate: left out.
            "subEvent": [_programme_event(request, item) for item in items if item.date],
        }
    else:
        data = {
            "@context": SCHEMA_ORG,
            "@type": "Trip",
            **common,
            "itinerary": places,
            "provider": organisers,
            "subTrip": [_programme_visit(request, item) for item in items],
        }
    destinations = share_images.mission_map(mission)
    if not destinations.places:
        share_alt = _whole_map_alt()
    elif any(primary for _lat, _lon, primary in destinations.places):
        share_alt = _("Map of the destinations of this mission.")
    else:
        share_alt = _partnership_map_alt(mission.partnership)
    return _Detail(
        title=title,
        description=summary,
        said=_("%(kind)s of the partnership %(partnership)s.")
        % {
            "kind": mission.get_kind_display(),
            "partnership": translated(mission.partnership, "title"),
        },
        json_ld=_compact(data),
        share_map=destinations,
        share_alt=share_alt,
    )


def _mission_event(request: HttpRequest, mission: Mission) -> dict:
    """A dated mission in a list on another page: its name, address and dates only (its own
    page says the rest, and the list's query fetched no more)."""
    return _compact(
        {
            "@type": "Event",
            "name": translated(mission, "title"),
            "url": _public_url(request, mission),
            "startDate": mission.start_date,
            "endDate": mission.end_date,
            "eventAttendanceMode": f"{SCHEMA_ORG}/OfflineEventAttendanceMode",
        }
    )


def _programme_event(request: HttpRequest, item: ProgrammeItem) -> dict:
    """A dated programme item of a dated mission, as the ``Event`` it is."""
    return _compact(
        {
            "@type": "Event",
            "name": translated(item, "title"),
            "description": translated(item, "description"),
            "startDate": item.starts_at(),
            "endDate": item.ends_at(),
            "eventAttendanceMode": f"{SCHEMA_ORG}/OfflineEventAttendanceMode",
            "location": _place(request, item.city) if item.city else None,
            "organizer": _organisation(request, item.host) if item.host else None,
        }
    )


def _programme_visit(request: HttpRequest, item: ProgrammeItem) -> dict:
    """A programme item of a mission without dates: a part of the ``Trip`` (a visit to its
    city, hosted by its host), with its start when that is known to the minute."""
    start = item.starts_at()
    return _compact(
        {
            "@type": "Trip",
            "name": translated(item, "title"),
            "description": translated(item, "description"),
            "departureTime": start if isinstance(start, dt.datetime) else None,
            "itinerary": _place(request, item.city) if item.city else None,
            "provider": _organisation(request, item.host) if item.host else None,
        }
    )


def _region(request: HttpRequest, region: Region) -> _Detail:
    summary = translated(region, "summary")
    place = {
        "@context": SCHEMA_ORG,
        **_place(request, region),
        "description": summary,
        "image": [_photo_url(request, photo) for photo in region.photos.all()],
    }
    name = translated(region, "name")
    share_map = share_images.region_map(region)
    if len(share_map.places) > 1:
        share_alt = _("Map of %(region)s and the places in it.") % {"region": name}
    else:
        share_alt = _("Map: where %(region)s lies.") % {"region": name}
    if region.parent:
        said = _("%(kind)s in %(place)s.") % {
            "kind": region.get_kind_display(),
            "place": translated(region.parent, "name"),
        }
    else:
        said = _("%(kind)s: %(name)s.") % {"kind": region.get_kind_display(), "name": name}
    return _Detail(
        title=name,
        description=summary,
        said=said,
        json_ld=_compact(place),
        share_map=share_map,
        share_alt=share_alt if share_map.places else _whole_map_alt(),
    )


def _organisation_page(request: HttpRequest, organisation: Organisation) -> _Detail:
    description = translated(organisation, "description")
    plain = TranslatedText(
        _plain_text(description), description.language, is_fallback=description.is_fallback
    )
    data = {
        "@context": SCHEMA_ORG,
        **_organisation(request, organisation),
        "description": plain,
        "sameAs": organisation.website,
        "location": _place(request, organisation.region) if organisation.region else None,
    }
    region = organisation.region
    share_map = share_images.organisation_map(organisation)
    if region:
        said = _("%(kind)s in %(place)s.") % {
            "kind": organisation.get_kind_display(),
            "place": translated(region, "name"),
        }
    else:
        said = organisation.get_kind_display()
    return _Detail(
        title=translated(organisation, "name"),
        description=plain,
        said=said,
        json_ld=_compact(data),
        share_map=share_map,
        share_alt=(
            _("Map: where %(region)s lies.") % {"region": translated(region, "name")}
            if share_map.places
            else _whole_map_alt()
        ),
    )


def _partnership(request: HttpRequest, partnership: Partnership) -> _Detail:
    title = translated(partnership, "title")
    summary = translated(partnership, "summary")
    page = {
        "@context": SCHEMA_ORG,
        "@type": "WebPage",
        "name": title,
        "description": summary,
        "url": _canonical_url(request),
        "inLanguage": _language_of(title, summary),
        "about": [
            _place(request, partnership.home_region),
            _place(request, partnership.partner_region),
        ],
    }
    share_map = share_images.partnerships_map([partnership])
    return _Detail(
        title=title,
        description=summary,
        said=_("%(kind)s between %(home)s and %(partner)s.")
        % {
            "kind": partnership.get_kind_display(),
            "home": translated(partnership.home_region, "name"),
            "partner": translated(partnership.partner_region, "name"),
        },
        json_ld=_compact(page),
        share_map=share_map,
        share_alt=_partnership_map_alt(partnership) if share_map.places else _whole_map_alt(),
    )


def _outcome(request: HttpRequest, outcome: Outcome) -> _Detail:
    """OpenGraph only: schema.org has no type for "a result of a cooperation"."""
    description = translated(outcome, "description")
    share_map = share_images.outcome_map(outcome)
    return _Detail(
        title=translated(outcome, "title"),
        description=TranslatedText(
            _plain_text(description), description.language, is_fallback=description.is_fallback
        ),
        said=_("%(kind)s of the partnership %(partnership)s.")
        % {
            "kind": outcome.get_kind_display(),
            "partnership": translated(outcome.partnership, "title"),
        },
        json_ld=None,
        share_map=share_map,
        share_alt=(
            _partnership_map_alt(outcome.partnership) if share_map.places else _whole_map_alt()
        ),
    )


def _site_page(request: HttpRequest, page: SitePage) -> _Detail:
    """A schema.org ``WebPage``, or the kind of page its purpose names (a contact page)."""
    title = translated(page, "title")
    body = translated(page, "body")
    page_type = PAGE_TYPES.get(page.purpose, "WebPage")
    return _Detail(
        title=title,
        description=TranslatedText(_plain_text(body), body.language, is_fallback=body.is_fallback),
        said="",
        json_ld={
            "@context": SCHEMA_ORG,
            "@type": page_type,
            "name": str(title),
            "inLanguage": html_lang(title.language),
            "url": _canonical_url(request),
        },
        share_map=share_images.WHOLE_MAP,
        share_alt=_whole_map_alt(),
    )


# The schema.org types of site pages with a purpose; the others are plain ``WebPage``s.
PAGE_TYPES = {SitePage.Purpose.CONTACT: "ContactPage", SitePage.Purpose.COLOPHON: "AboutPage"}


_DETAIL_BUILDERS = {
    Mission: _mission,
    Region: _region,
    Organisation: _organisation_page,
    Partnership: _partnership,
    Outcome: _outcome,
    SitePage: _site_page,
}


def _partnership_map_alt(partnership: Partnership) -> str:
    return _("Map of %(home)s and %(partner)s, the two ends of this partnership.") % {
        "home": translated(partnership.home_region, "name"),
        "partner": translated(partnership.partner_region, "name"),
    }


def _whole_map_alt() -> str:
    return _("Map of Europe and Asia.")


# Shared pieces. ---------------------------------------------------------------------


def _language_of(*texts: TranslatedText) -> str | None:
    """The BCP 47 tag of the language all of ``texts`` are written in; ``None`` (left out)
    when they are in different languages. Empty texts say nothing."""
    languages = {text.language for text in texts if text}
    return html_lang(languages.pop()) if len(languages) == 1 else None


def _place(request: HttpRequest, region: Region) -> dict:
    """A region as a ``Place``, inside the regions the page's query already fetched."""
    place = {
        "@type": "Place",
        "name": translated(region, "name"),
        "url": _public_url(request, region),
        "address": _address(region),
    }
    if region.latitude is not None and region.longitude is not None:
        place["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": float(region.latitude),
            "longitude": float(region.longitude),
        }
    if region.parent_id and Region.parent.is_cached(region):
        place["containedInPlace"] = _place(request, region.parent)
    return _compact(place)


def _address(region: Region) -> dict | None:
    """A ``PostalAddress`` from the region and the regions it lies in, as far up as the page
    fetched them: the city is the locality, the province the region, and the country the
    country (by name, in the page's language; a district gives its city's)."""
    address: dict[str, str] = {}
    seen: set[int] = set()
    current: Region | None = region
    while current is not None and current.pk not in seen:
        seen.add(current.pk)
        part = ADDRESS_PARTS.get(current.kind)
        if part and part not in address:
            address[part] = translated(current, "name")
        cached = current.parent_id and Region.parent.is_cached(current)
        current = current.parent if cached else None
    return {"@type": "PostalAddress", **address} if address else None


def _organisation(request: HttpRequest, organisation: Organisation) -> dict:
    return _compact(
        {
            "@type": "Organization",
            "name": translated(organisation, "name"),
            "url": _public_url(request, organisation),
        }
    )


def _first_photo(obj: Model) -> Photo | None:
    if not isinstance(obj, Mission | Region):
        return None
    return next(iter(obj.photos.all()), None)


def _photo_image(request: HttpRequest, photo: Photo) -> OpenGraphImage:
    url, width, height = _photo_file(photo)
    alt = translated(photo, "alt_text")
    return OpenGraphImage(
        url=request.build_absolute_uri(url),
        alt=alt,
        alt_lang=_lang_if_fallback(alt),
        width=width,
        height=height,
        content_type="image/jpeg" if url.endswith(".jpg") else "",
    )


def _share_image(
    request: HttpRequest, share_map: share_images.ShareMap, alt: str
) -> OpenGraphImage | None:
    """The picture of the page's map, drawn once (``share_images.py``)."""
    image = share_images.share_image(share_map)
    if image is None:
        return None
    return OpenGraphImage(
        url=request.build_absolute_uri(image.url),
        alt=alt,
        width=image.width,
        height=image.height,
        content_type="image/png",
    )


def _partnerships_image(
    request: HttpRequest, partnerships: Iterable[Partnership]
) -> OpenGraphImage | None:
    share_map = share_images.partnerships_map(partnerships)
    if share_map.places:
        alt = _("Map of the places the twinning partnerships join.")
    else:
        alt = _whole_map_alt()
    return _share_image(request, share_map, alt)


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
