"""The public pages.

Views stay thin: what a page shows is fetched by one queryset method (``for_list()`` /
``for_detail_page()`` in ``programmes/models/querysets.py``) and who may see it is decided
by ``published()`` / ``permissions.visible_to()``. Staff may open a draft to preview it;
such a response says so and is kept out of caches and search engines. Anonymous visitors
get public pages whole from the cache (``readpath/caching.py``), and detail pages from the
read model (``readpath/readmodel.py``) when the cache has no copy.
"""

import datetime as dt
from collections.abc import Callable, Iterable
from operator import attrgetter

from django.db.models import Model, QuerySet, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import get_object_or_404, redirect, render
from django.template import loader
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import get_language, get_language_from_request, override
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from programmes.domain import permissions
from programmes.exchange import bundles
from programmes.models import (
    Cluster,
    FocusArea,
    Mission,
    Organisation,
    Outcome,
    Partnership,
    ProgrammeItem,
    Region,
    SitePage,
)
from programmes.models.querysets import destinations_in_order
from readpath import readmodel
from readpath.caching import cache_public_page

from . import charts, chronology, ics, maps, search, structured_data
from .filters import Filter, chosen
from .pagination import OnePageOf, Pagination, page_number, paginate

# The home page shows the next few missions and the latest ones; the rest are a click away.
HOME_UPCOMING_MISSIONS = 3
HOME_RECENT_MISSIONS = 6
MISSIONS_PER_PAGE = 20
OUTCOMES_PER_PAGE = 20
# A partnership's or organisation's page shows its latest missions and outcomes, and links
# to the lists of all of them (one more is fetched to know whether there are more).
DETAIL_PAGE_MISSIONS = 10
DETAIL_PAGE_OUTCOMES = 10
# A place's or an organisation's page shows the latest programme items held there or hosted
# by it (a city can be visited by many missions; the items name their mission).
DETAIL_PAGE_PROGRAMME_ITEMS = 10


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
    """The partnerships, the next missions and the latest ones; all missions are one link away.

    "Upcoming" is decided by today's date, which no content change marks: a cached home
    page may show a mission as upcoming for at most ``PAGE_CACHE_SECONDS`` after it began.
    """
    partnerships = Partnership.objects.for_list()
    today = timezone.localdate()
    upcoming = list(Mission.objects.upcoming(today)[:HOME_UPCOMING_MISSIONS])
    recent = list(Mission.objects.recent(today)[:HOME_RECENT_MISSIONS])
    prefetch_related_objects([*upcoming, *recent], destinations_in_order(Region.objects.all()))
    return render(
        request,
        "programmes/home.html",
        {
            "partnerships": partnerships,
            "map": maps.overview_map(partnerships),
            "upcoming_missions": upcoming,
            "recent_missions": recent,
            "page_meta": structured_data.home_meta(request, partnerships),
        },
    )


@cache_public_page
@require_safe
def mission_list(request: HttpRequest) -> HttpResponse:
    """All published missions, newest first, a page at a time; by partnership, year, organiser.

    Unknown filter values are ignored, as on the outcomes overview.
    """
    published = Mission.objects.published()
    partnerships = list(
        Partnership.objects.published()
        .filter(missions__in=published)
        .distinct()
        .select_related("home_region", "partner_region")
    )
    organisers = list(
        Organisation.objects.published().filter(organised_missions__in=published).distinct()
    )
    years = [date.year for date in published.dates("start_date", "year", order="DESC")]
    filters = [
        Filter.of_objects(
            request, "partnership", _("Partnership"), _("All partnerships"), partnerships, "title"
        ),
        Filter.from_request(
            request, "year", _("Year"), _("All years"), ((str(y), str(y)) for y in years)
        ),
    ]
    if organisers:  # offered once a published mission names its organisers
        filters.append(
            Filter.of_objects(
                request, "organiser", _("Organised by"), _("All organisers"), organisers, "name"
            )
        )
    selected = chosen(filters)
    missions = Mission.objects.for_list()
    if selected["partnership"]:
        missions = missions.filter(partnership__slug=selected["partnership"])
    if selected["year"]:
        missions = missions.filter(start_date__year=int(selected["year"]))
    if selected.get("organiser"):
        missions = missions.filter(organisers__slug=selected["organiser"])
    pagination = paginate(request, missions, MISSIONS_PER_PAGE, selected)
    context = {
        "pagination": pagination,
        "missions": pagination.page.object_list,
        "filters": filters,
        "is_filtered": any(selected.values()),
        **_list_page_meta(
            request,
            pagination,
            partnerships,
            _("Missions"),
            _(
                "Trade missions, inspiration trips and delegations of the twinning "
                "partnerships, the newest first."
            ),
        ),
    }
    return render(request, "programmes/mission_list.html", context)


@cache_public_page
@require_safe
@readmodel.serve_page("partnership")
def partnership_detail(request: HttpRequest, slug: str) -> HttpResponse:
    queryset = Partnership.objects.for_detail_page(
        missions=DETAIL_PAGE_MISSIONS + 1, outcomes=DETAIL_PAGE_OUTCOMES + 1
    )
    partnership = _get_visible_or_404(request, queryset, slug)
    missions, more_missions = _first(partnership.listed_missions, DETAIL_PAGE_MISSIONS)
    outcomes, more_outcomes = _first(partnership.listed_outcomes, DETAIL_PAGE_OUTCOMES)
    dated_outcomes, more_dated = _first(partnership.dated_outcomes, DETAIL_PAGE_OUTCOMES)
    context = {
        "partnership": partnership,
        "map": maps.partnership_map(partnership),
        "missions": missions,
        "more_missions": more_missions,
        "outcomes": outcomes,
        "more_outcomes": more_outcomes,
        "chronology": chronology.partnership_chronology(
            partnership, missions, dated_outcomes, is_partial=more_missions or more_dated
        ),
    }
    return _render_detail(request, "programmes/partnership_detail.html", partnership, context)


@cache_public_page
@require_safe
@readmodel.serve_page("region")
def region_detail(request: HttpRequest, slug: str) -> HttpResponse:
    region = _get_visible_or_404(request, Region.objects.for_detail_page(), slug)
    # What happened there: in the region itself and in the places its page shows inside it
    # (a mission to Ningbo went to Zhejiang too). Two queries beside the region's own, so
    # the read model is told that the page lists what points at each of these places.
    places = [region, *maps.places_within(region)]
    readmodel.depends_on_reverse_relations(places)
    missions, more_missions = _first(
        Mission.objects.to_places(places)[: DETAIL_PAGE_MISSIONS + 1], DETAIL_PAGE_MISSIONS
    )
    items, more_items = _first(
        ProgrammeItem.objects.held_in(places)[: DETAIL_PAGE_PROGRAMME_ITEMS + 1],
        DETAIL_PAGE_PROGRAMME_ITEMS,
    )
    context = {
        "region": region,
        "clusters": _clusters_with_city(region),
        "partnerships": [*region.home_partnerships.all(), *region.partner_partnerships.all()],
        "key_figures": charts.key_figures(region.key_figures.all()),
        "map": maps.region_map(region),
        "missions": missions,
        "more_missions": more_missions,
        "programme_items": items,
        "more_programme_items": more_items,
    }
    return _render_detail(
        request, "programmes/region_detail.html", region, context, events=missions
    )


@cache_public_page
@require_safe
@readmodel.serve_page("mission")
def mission_detail(request: HttpRequest, slug: str) -> HttpResponse:
    mission = _get_visible_or_404(request, Mission.objects.for_detail_page(), slug)
    context = {
        "mission": mission,
        "programme_by_city": _programme_timeline(mission.programme_items.all()),
        # Start times are local wall-clock times (ProgrammeItem.effective_time_zone()).
        "has_start_times": any(item.start_time for item in mission.programme_items.all()),
        "has_calendar": ics.has_dates(mission),
    }
    return _render_detail(request, "programmes/mission_detail.html", mission, context)


@cache_public_page
@require_safe
def mission_calendar(request: HttpRequest, slug: str) -> HttpResponse:
    """The mission's ``.ics``; 404 while no date is known (see ``ics.py``)."""
    mission = get_object_or_404(Mission.objects.for_calendar(), slug=slug)
    if not ics.has_dates(mission):
        raise Http404("This mission has no known dates.")
    return ics.calendar_response(request, mission)


@cache_public_page
@require_safe
@readmodel.serve_page("organisation")
def organisation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    queryset = Organisation.objects.for_detail_page(
        missions=DETAIL_PAGE_MISSIONS + 1, items=DETAIL_PAGE_PROGRAMME_ITEMS + 1
    )
    organisation = _get_visible_or_404(request, queryset, slug)
    missions, more_missions = _first(organisation.listed_missions, DETAIL_PAGE_MISSIONS)
    items, more_items = _first(organisation.listed_programme_items, DETAIL_PAGE_PROGRAMME_ITEMS)
    return _render_detail(
        request,
        "programmes/organisation_detail.html",
        organisation,
        {
            "organisation": organisation,
            "missions": missions,
            "more_missions": more_missions,
            "programme_items": items,
            "more_programme_items": more_items,
        },
        events=missions,
    )


@cache_public_page
@require_safe
@readmodel.serve_page("outcome")
def outcome_detail(request: HttpRequest, slug: str) -> HttpResponse:
    outcome = _get_visible_or_404(request, Outcome.objects.for_detail_page(), slug)
    return _render_detail(request, "programmes/outcome_detail.html", outcome, {"outcome": outcome})


@cache_public_page
@require_safe
@readmodel.serve_page("page")
def site_page(request: HttpRequest, slug: str) -> HttpResponse:
    """A site page (contact, privacy statement …): its title and body."""
    page = _get_visible_or_404(request, SitePage.objects.all(), slug)
    return _render_detail(request, "programmes/site_page.html", page, {"page": page})


@cache_public_page
@require_safe
def outcome_list(request: HttpRequest) -> HttpResponse:
    """All published outcomes, a page at a time, grouped by partnership within the page;
    optionally filtered by partnership, area and kind.

    Unknown filter values are ignored rather than answered with an empty page.
    """
    published = Outcome.objects.published()
    areas = list(FocusArea.objects.filter(outcomes__in=published).distinct())
    partnerships = list(
        Partnership.objects.published()
        .filter(outcomes__in=published)
        .distinct()
        .select_related("home_region", "partner_region")
    )
    filters = [
        Filter.of_objects(
            request, "partnership", _("Partnership"), _("All partnerships"), partnerships, "title"
        ),
        Filter.of_objects(request, "area", _("Area"), _("All areas"), areas, "name"),
        Filter.from_request(request, "kind", _("Kind"), _("All kinds"), Outcome.Kind.choices),
    ]
    selected = chosen(filters)
    outcomes = Outcome.objects.for_list()
    if selected["partnership"]:
        outcomes = outcomes.filter(partnership__slug=selected["partnership"])
    if selected["area"]:
        outcomes = outcomes.filter(area__slug=selected["area"])
    if selected["kind"]:
        outcomes = outcomes.filter(kind=selected["kind"])
    pagination = paginate(request, outcomes, OUTCOMES_PER_PAGE, selected)
    context = {
        "pagination": pagination,
        "outcomes_by_partnership": _group_by(
            pagination.page.object_list, attrgetter("partnership")
        ),
        "filters": filters,
        "is_filtered": any(selected.values()),
        **_list_page_meta(
            request,
            pagination,
            partnerships,
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
    """``?q=``: published content in the page's language (see ``search.py``).

    The best matches of each type; with ``&type=`` all the matches of that type, a page
    at a time (``&page=``).
    """
    query, key = request.GET.get("q", ""), request.GET.get("type", "")
    page_meta = structured_data.listing_meta(
        request,
        _("Search"),
        _("Search partnerships, missions, regions, organisations and outcomes"),
    )
    if key not in search.SEARCHABLE_KEYS:
        results = search.search(query, get_language())
        return render(
            request, "programmes/search.html", {"results": results, "page_meta": page_meta}
        )
    number = page_number(request)
    per_page = search.RESULTS_PER_TYPE
    results, group = search.search_one_type(
        query, get_language(), key, offset=(number - 1) * per_page
    )
    pagination = None
    if group is not None:
        matches = OnePageOf(group.hits, offset=group.offset, total=group.total)
        pagination = paginate(request, matches, per_page, {"q": results.query, "type": key})
    elif number > 1:
        raise Http404("No such page.")
    context = {
        "results": results,
        "type_group": group,
        "pagination": pagination,
        "page_meta": page_meta,
    }
    return render(request, "programmes/search.html", context)


def _first[T](items: Iterable[T], count: int) -> tuple[list[T], bool]:
    """The first ``count`` of ``items`` (fetched with one more), and whether there are more."""
    items = list(items)
    return items[:count], len(items) > count


def _list_page_meta(
    request: HttpRequest,
    pagination: Pagination,
    partnerships: list[Partnership],
    title: str,
    description: str,
) -> dict:
    """A list page's canonical query (for its canonical link, hreflang and OpenGraph URL)
    and its OpenGraph tags, with the map of the ``partnerships`` it lists as its picture."""
    query = pagination.canonical_query
    return {
        "canonical_query": query,
        "page_meta": structured_data.listing_meta(
            request, title, description, query=query, partnerships=partnerships
        ),
    }


def _get_visible_or_404(request: HttpRequest, queryset: QuerySet, slug: str) -> Model:
    """The object at ``slug`` if this visitor may see it (staff also see drafts)."""
    return get_object_or_404(permissions.visible_to(queryset, request.user), slug=slug)


def _render_detail(
    request: HttpRequest,
    template_name: str,
    obj: Model,
    context: dict,
    *,
    events: Iterable[Mission] = (),
) -> HttpResponse:
    """Render a detail page; a page the public cannot see is marked as a private preview.

    Visitors only ever get published objects. Staff may also get drafts, so for
    them one extra query asks the one "published" rule about this object. ``events``: the
    missions the page lists as having happened there or been organised by it, for JSON-LD.
    """
    is_public = (
        not request.user.is_staff or type(obj).objects.published().filter(pk=obj.pk).exists()
    )
    page_meta = structured_data.page_meta(request, obj, events=events)
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


@require_safe
def bundle_schema(request: HttpRequest) -> HttpResponse:
    """The JSON Schema of an exchange bundle's ``bundle.json`` (``programmes/exchange/``)."""
    response = HttpResponse(
        bundles.SCHEMA_PATH.read_bytes(), content_type="application/schema+json"
    )
    patch_cache_control(response, public=True, max_age=3600)
    return response
