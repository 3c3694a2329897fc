"""The public pages.

Views stay thin: what a page shows is fetched by one queryset method
(``for_list()`` / ``for_detail_page()`` in ``querysets.py``) and who may see it
is decided by ``published()`` / ``visible_to()``. Staff may open a draft to
preview it; such a response says so and is kept out of caches and search engines.
"""

from collections.abc import Callable, Iterable
from operator import attrgetter

from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import get_object_or_404, redirect, render
from django.template import loader
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import get_language_from_request, override
from django.views.decorators.http import require_safe

from .models import Cluster, FocusArea, Mission, Organisation, Outcome, Partnership, Region


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


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "programmes/home.html",
        {
            "partnerships": Partnership.objects.for_list(),
            "missions": Mission.objects.for_list(),
        },
    )


@require_safe
def partnership_detail(request: HttpRequest, slug: str) -> HttpResponse:
    partnership = _get_visible_or_404(request, Partnership.objects.for_detail_page(), slug)
    return _render_detail(
        request, "programmes/partnership_detail.html", partnership, {"partnership": partnership}
    )


@require_safe
def region_detail(request: HttpRequest, slug: str) -> HttpResponse:
    region = _get_visible_or_404(request, Region.objects.for_detail_page(), slug)
    context = {
        "region": region,
        "clusters": _clusters_with_city(region),
        "partnerships": [*region.home_partnerships.all(), *region.partner_partnerships.all()],
    }
    return _render_detail(request, "programmes/region_detail.html", region, context)


@require_safe
def mission_detail(request: HttpRequest, slug: str) -> HttpResponse:
    mission = _get_visible_or_404(request, Mission.objects.for_detail_page(), slug)
    context = {
        "mission": mission,
        "programme_by_city": _group_by(mission.programme_items.all(), attrgetter("city")),
    }
    return _render_detail(request, "programmes/mission_detail.html", mission, context)


@require_safe
def organisation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _get_visible_or_404(request, Organisation.objects.for_detail_page(), slug)
    return _render_detail(
        request,
        "programmes/organisation_detail.html",
        organisation,
        {"organisation": organisation},
    )


@require_safe
def outcome_detail(request: HttpRequest, slug: str) -> HttpResponse:
    outcome = _get_visible_or_404(request, Outcome.objects.for_detail_page(), slug)
    return _render_detail(request, "programmes/outcome_detail.html", outcome, {"outcome": outcome})


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
    }
    return render(request, "programmes/outcome_list.html", context)


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
    response = render(request, template_name, {**context, "is_draft": not is_public})
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


def _clusters_with_city(region: Region) -> list[tuple[Region | None, Cluster]]:
    """The region's own clusters (city ``None``), then those of the cities within it."""
    own = [(None, cluster) for cluster in region.clusters.all()]
    return own + [
        (city, cluster) for city in region.children.all() for cluster in city.clusters.all()
    ]
