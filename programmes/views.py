"""The public pages.

Views stay thin: what a page shows is fetched by one queryset method
(``for_list()`` / ``for_detail_page()`` in ``querysets.py``) and who may see it
is decided by ``published()`` / ``visible_to()``. Staff may open a draft to
preview it; such a response says so and is kept out of caches and search engines.
Anonymous visitors get public pages whole from the cache (``caching.py``).
"""

import datetime as dt
from collections.abc import Callable, Iterable
from operator import attrgetter

from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import get_object_or_404, redirect, render
from django.template import loader
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import get_language, get_language_from_request, override
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from . import calendar, charts, maps, search, structured_data
from .caching import cache_public_page
from .models import (
    Cluster,
    FocusArea,
    Mission,
    Organisation,
    Outcome,
    Partnership,
    ProgrammeItem,
    Region,
)


def language_redirect(request: HttpRequest) -> HttpResponse:
    """``/`` → the home page in the visitor's language (cookie, then Accept-Language)."""
    with override(get_language_from_request(request)):
        response = redirect("programmes:home")
    patch_vary_headers(response, ["Accept-Language", "Cookie"])
    return response


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "404.html", {"is_error_page": True}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """Rendered without the request's context processors: the database may be what failed."""
    return HttpResponseServerError(loader.render_to_string("500.html"))


@cache_public_page
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    partnerships = Partnership.objects.for_list()
    return render(
        request,
        "programmes/home.html",
        {
            "partnerships": partnerships,
            "map": maps.overview_map(partnerships),
            "missions": Mission.objects.for_list(),
            "page_meta": structured_data.home_meta(request),
        },
    )


@cache_public_page
@require_safe
def partnership_detail(request: HttpRequest, slug: str) -> HttpResponse:
    partnership = _get_visible_or_404(request, Partnership.objects.for_detail_page(), slug)
    context = {"partnership": partnership, "map": maps.partnership_map(partnership)}
    return _render_detail(request, "programmes/partnership_detail.html", partnership, context)


@cache_public_page
@require_safe
def region_detail(request: HttpRequest, slug: str) -> HttpResponse:
    region = _get_visible_or_404(request, Region.objects.for_detail_page(), slug)
    context = {
        "region": region,
        "clusters": _clusters_with_city(region),
        "partnerships": [*region.home_partnerships.all(), *region.partner_partnerships.all()],
        "charts": charts.key_figure_charts(region.key_figures.all()),
        "map": maps.region_map(region),
    }
    return _render_detail(request, "programmes/region_detail.html", region, context)


@cache_public_page
@require_safe
def mission_detail(request: HttpRequest, slug: str) -> HttpResponse:
    mission = _get_visible_or_404(request, Mission.objects.for_detail_page(), slug)
    context = {
        "mission": mission,
        "programme_by_city": _programme_timeline(mission.programme_items.all()),
        "has_calendar": calendar.has_dates(mission),
    }
    return _render_detail(request, "programmes/mission_detail.html", mission, context)


@cache_public_page
@require_safe
def mission_calendar(request: HttpRequest, slug: str) -> HttpResponse:
    """The mission's ``.ics``; 404 while no date is known (see ``calendar.py``)."""
    mission = get_object_or_404(Mission.objects.for_calendar(), slug=slug)
    if not calendar.has_dates(mission):
        raise Http404("This mission has no known dates.")
    return calendar.calendar_response(request, mission)


@cache_public_page
@require_safe
def organisation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _get_visible_or_404(request, Organisation.objects.for_detail_page(), slug)
    return _render_detail(
        request,
        "programmes/organisation_detail.html",
        organisation,
        {"organisation": organisation},
    )


@cache_public_page
@require_safe
def outcome_detail(request: HttpRequest, slug: str) -> HttpResponse:
    outcome = _get_visible_or_404(request, Outcome.objects.for_detail_page(), slug)
    return _render_detail(request, "programmes/outcome_detail.html", outcome, {"outcome": outcome})


@cache_public_page
@require_safe
def outcome_list(request: HttpRequest) -> HttpResponse:
    """All published outcomes, grouped by partnership, optionally filtered by area and kind.

    Unknown filter values are ignored rather than answered with an empty page.
    """
    areas = list(FocusArea.objects.filter(outcomes__in=Outcome.objects.published()).distinct())
    area = request.GET.get("area", "")
    kind = request.GET.get("kind", "")
    outcomes = Outcome.objects.for_list()
    if area in {focus_area.slug for focus_area in areas}:
        outcomes = outcomes.filter(area__slug=area)
    else:
        area = ""
    if kind in Outcome.Kind.values:
        outcomes = outcomes.filter(kind=kind)
    else:
        kind = ""
    context = {
        "outcomes_by_partnership": _group_by(outcomes, attrgetter("partnership")),
        "areas": areas,
        "kinds": Outcome.Kind.choices,
        "selected_area": area,
        "selected_kind": kind,
        "page_meta": structured_data.listing_meta(
            request,
            _("Outcomes"),
            _(
                "Contracts, collaborations, agreements and other concrete results of the "
                "partnerships and their missions."
            ),
        ),
    }
    return render(request, "programmes/outcome_list.html", context)


@cache_public_page
@require_safe
def search_page(request: HttpRequest) -> HttpResponse:
    """``?q=``: published content in the page's language (see ``search.py``)."""
    results = search.search(request.GET.get("q", ""), get_language())
    return render(request, "programmes/search.html", {"results": results})


def _get_visible_or_404(request: HttpRequest, queryset: QuerySet, slug: str) -> Model:
    """The object at ``slug`` if this visitor may see it (staff also see drafts)."""
    return get_object_or_404(queryset.visible_to(request.user), slug=slug)


def _render_detail(
    request: HttpRequest, template_name: str, obj: Model, context: dict
) -> HttpResponse:
    """Render a detail page; a page the public cannot see is marked as a private preview.

    Visitors only ever get published objects. Staff may also get drafts, so for
    them one extra query asks the one "published" rule about this object.
    """
    is_public = (
        not request.user.is_staff or type(obj).objects.published().filter(pk=obj.pk).exists()
    )
    page_meta = structured_data.page_meta(request, obj)
    response = render(
        request, template_name, {**context, "is_draft": not is_public, "page_meta": page_meta}
    )
    if not is_public:
        response["X-Robots-Tag"] = "noindex"
        patch_cache_control(response, private=True, no_store=True)
    return response


def _group_by[T, K](items: Iterable[T], key: Callable[[T], K]) -> list[tuple[K, list[T]]]:
    """Group ``items`` by ``key``, groups in order of first appearance (unlike ``regroup``)."""
    groups: dict[K, list[T]] = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    return list(groups.items())


type ProgrammeDay = tuple[dt.date | None, list[ProgrammeItem]]


def _programme_timeline(
    items: Iterable[ProgrammeItem],
) -> list[tuple[Region | None, list[ProgrammeDay]]]:
    """The programme by city, in the order the cities first appear, and each city's by day.

    Days are in date order, the items of a day in the editors' order; items whose date
    is unknown come after the days, as one group without a date (``None``).
    """
    return [
        (city, sorted(_group_by(city_items, attrgetter("date")), key=_day_order))
        for city, city_items in _group_by(items, attrgetter("city"))
    ]


def _day_order(day: ProgrammeDay) -> tuple[bool, dt.date]:
    date = day[0]
    return (date is None, date or dt.date.min)


def _clusters_with_city(region: Region) -> list[tuple[Region | None, Cluster]]:
    """The region's own clusters (city ``None``), then those of the places within it."""
    own = [(None, cluster) for cluster in region.clusters.all()]
    return own + [
        (city, cluster) for city in maps.places_within(region) for cluster in city.clusters.all()
    ]
