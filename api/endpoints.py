"""The JSON export for partner sites: ``/api/v1/``, its routes.

The OpenAPI document is at ``/api/v1/openapi.json``, its interactive docs at
``/api/v1/docs``, the guide for partner developers in docs/api.md. Where the rest is:

- ``parameters.py``: what a request may ask (filters, languages, bounds);
- ``queries.py``: what each endpoint fetches, in a fixed number of queries;
- ``representations.py``: how an object becomes JSON (texts, URLs, references);
- ``schemas.py``: the shapes, which the OpenAPI document is built from;
- ``caching.py``: ETags, 304s and the answer cache;
- ``throttling.py``: the rate limit; ``problems.py``: the error format;
- ``openapi.py``: what the document says beyond what ninja derives.

What ``updated_since`` and ``/deleted`` rest on is in ``programmes/domain/sync.py``.
"""

import inspect
from functools import wraps
from typing import Annotated, Literal

from django.db.models import Count, Exists, Max, OuterRef, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.urls import URLPattern, path
from django.utils.encoding import escape_uri_path
from ninja import NinjaAPI, Query
from ninja.errors import HttpError, ValidationError
from ninja.openapi.docs import Swagger

from programmes.domain import sync
from programmes.models import ExportRecord, Mission, ProgrammeItem
from readpath.caching import current_generation

from . import problems
from .caching import EPOCH, cached_answer, conditional, keep_answers, store_built_answer, validators
from .openapi import DESCRIPTION, document_http
from .parameters import (
    MOMENT_RANGE,
    LanguageQuery,
    Limit,
    MissionKind,
    Moment,
    Offset,
    OrganisationKind,
    OutcomeKind,
    PartnershipKind,
    RegionKind,
    UpdatedSince,
    Uuid,
    partnership_query,
    refusal,
)
from .queries import MISSIONS, ORGANISATIONS, OUTCOMES, PARTNERSHIPS, REGIONS
from .schemas import (
    InvalidParameters,
    MissionExport,
    OrganisationExport,
    OutcomeExport,
    PagedMissionExport,
    PagedOrganisationExport,
    PagedOutcomeExport,
    PagedPartnershipExport,
    PagedRegionExport,
    PagedTombstone,
    PartnershipExport,
    Problem,
    RegionExport,
)
from .throttling import throttle


class ExportAPI(NinjaAPI):
    def create_response(self, request, data, *, status=None, temporal_response=None):
        """The rendered answer; a detail answer being built goes into the read model."""
        response = super().create_response(
            request, data, status=status, temporal_response=temporal_response
        )
        store_built_answer(request, response)
        return response

    def get_openapi_operation_id(self, operation) -> str:
        """``list_missions`` rather than ninja's ``programmes_api_list_missions``."""
        return operation.view_func.__name__

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        document_http(schema)
        return schema


api = ExportAPI(
    title="Twinning CMS API",
    version="1",
    description=DESCRIPTION,
    # The docs page loads Swagger UI from /static/ninja/ and renders under the site's strict
    # Content-Security-Policy as it is: it styles through the DOM, never with inline CSS, so it
    # needs no csp_override (tests/api/test_api.py checks this in a browser). Without a validatorUrl
    # it does not ask validator.swagger.io for a badge: nothing may load from elsewhere.
    docs=Swagger(settings={"validatorUrl": None}),
    throttle=[throttle],
)


@api.exception_handler(ValidationError)
def invalid_parameters(request, exc: ValidationError):
    return problems.invalid_parameters(request, exc.errors)


@api.exception_handler(Http404)
def not_found(request, exc: Http404):
    return problems.problem(request, 404, str(exc) or "No published object has this UUID.")


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    detail = str(exc)
    if exc.status_code == 429:
        detail = "Too many requests from this address. Try again after Retry-After seconds."
    return problems.problem(request, exc.status_code, detail)


def api_view(view):
    """Refuse query parameters ``view`` does not take, bring the records up to date, and
    answer from the cache when the same question was answered in this content generation.

    Answers are cached as the pages are (``caching.py``), but inside ninja: its rate limit
    has counted the request before a cached answer is given, and middleware (CORS, the
    problem format) applies as for any answer. The answer is the same for everyone (staff
    included), so it is cached for all. An answer made here is kept by ``keep_answers``
    once ninja has rendered it.
    """
    accepted = set(inspect.signature(view).parameters) - {"request", "response", "uuid"}

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if refused := refusal(request, accepted):
            return refused
        sync.catch_up(current_generation().token)
        if (answer := cached_answer(request)) is not None:
            return answer
        return view(request, *args, **kwargs)

    return wrapper


api.add_decorator(keep_answers, mode="view")


PROBLEMS = {400: InvalidParameters, 422: InvalidParameters, 429: Problem}
LIST_RESPONSES = {304: None, **PROBLEMS}
DETAIL_RESPONSES = {304: None, 404: Problem, **PROBLEMS}


@api.get("/regions", response={200: PagedRegionExport, **LIST_RESPONSES}, tags=["regions"])
@api_view
def list_regions(
    request,
    response: HttpResponse,
    kind: RegionKind = None,
    region: Annotated[
        Uuid | None, Query(description="Only regions that lie directly in this region.")
    ] = None,
    updated_since: UpdatedSince = None,
    lang: LanguageQuery = None,
    limit: Limit = 50,
    offset: Offset = 0,
):
    """Published regions with their key figures, clusters and photos."""
    regions = REGIONS.queryset()
    if kind:
        regions = regions.filter(kind=kind)
    if region:
        regions = regions.filter(parent__uuid=region)
    return REGIONS.list(
        request,
        response,
        regions,
        updated_since=updated_since,
        lang=lang,
        limit=limit,
        offset=offset,
    )


@api.get("/regions/{uuid}", response={200: RegionExport, **DETAIL_RESPONSES}, tags=["regions"])
@api_view
def get_region(request, response: HttpResponse, uuid: Uuid, lang: LanguageQuery = None):
    """One published region."""
    return REGIONS.detail(request, response, uuid, lang)


@api.get(
    "/partnerships",
    response={200: PagedPartnershipExport, **LIST_RESPONSES},
    tags=["partnerships"],
)
@api_view
def list_partnerships(
    request,
    response: HttpResponse,
    kind: PartnershipKind = None,
    region: Annotated[
        Uuid | None, Query(description="Only partnerships with this home or partner region.")
    ] = None,
    updated_since: UpdatedSince = None,
    lang: LanguageQuery = None,
    limit: Limit = 50,
    offset: Offset = 0,
):
    """Published partnerships with their focus areas and objectives."""
    partnerships = PARTNERSHIPS.queryset()
    if kind:
        partnerships = partnerships.filter(kind=kind)
    if region:
        partnerships = partnerships.filter(
            Q(home_region__uuid=region) | Q(partner_region__uuid=region)
        )
    return PARTNERSHIPS.list(
        request,
        response,
        partnerships,
        updated_since=updated_since,
        lang=lang,
        limit=limit,
        offset=offset,
    )


@api.get(
    "/partnerships/{uuid}",
    response={200: PartnershipExport, **DETAIL_RESPONSES},
    tags=["partnerships"],
)
@api_view
def get_partnership(request, response: HttpResponse, uuid: Uuid, lang: LanguageQuery = None):
    """One published partnership."""
    return PARTNERSHIPS.detail(request, response, uuid, lang)


@api.get("/missions", response={200: PagedMissionExport, **LIST_RESPONSES}, tags=["missions"])
@api_view
def list_missions(
    request,
    response: HttpResponse,
    partnership: Annotated[Uuid | None, partnership_query("missions")] = None,
    kind: MissionKind = None,
    region: Annotated[
        Uuid | None,
        Query(description="Only missions with this region as a destination or programme city."),
    ] = None,
    updated_since: UpdatedSince = None,
    lang: LanguageQuery = None,
    limit: Limit = 50,
    offset: Offset = 0,
):
    """Published missions with their programme items, published outcomes and photos."""
    missions = MISSIONS.queryset()
    if partnership:
        missions = missions.filter(partnership__uuid=partnership)
    if kind:
        missions = missions.filter(kind=kind)
    if region:
        missions = missions.filter(
            Exists(
                Mission.destinations.through.objects.filter(
                    mission=OuterRef("pk"), region__uuid=region
                )
            )
            | Exists(ProgrammeItem.objects.filter(mission=OuterRef("pk"), city__uuid=region))
        )
    return MISSIONS.list(
        request,
        response,
        missions,
        updated_since=updated_since,
        lang=lang,
        limit=limit,
        offset=offset,
    )


@api.get("/missions/{uuid}", response={200: MissionExport, **DETAIL_RESPONSES}, tags=["missions"])
@api_view
def get_mission(request, response: HttpResponse, uuid: Uuid, lang: LanguageQuery = None):
    """One published mission."""
    return MISSIONS.detail(request, response, uuid, lang)


@api.get("/outcomes", response={200: PagedOutcomeExport, **LIST_RESPONSES}, tags=["outcomes"])
@api_view
def list_outcomes(
    request,
    response: HttpResponse,
    partnership: Annotated[Uuid | None, partnership_query("outcomes")] = None,
    mission: Annotated[Uuid | None, Query(description="Only outcomes of this mission.")] = None,
    kind: OutcomeKind = None,
    updated_since: UpdatedSince = None,
    lang: LanguageQuery = None,
    limit: Limit = 50,
    offset: Offset = 0,
):
    """Published outcomes of missions and partnerships."""
    outcomes = OUTCOMES.queryset()
    if partnership:
        outcomes = outcomes.filter(partnership__uuid=partnership)
    if mission:
        outcomes = outcomes.filter(mission__uuid=mission)
    if kind:
        outcomes = outcomes.filter(kind=kind)
    return OUTCOMES.list(
        request,
        response,
        outcomes,
        updated_since=updated_since,
        lang=lang,
        limit=limit,
        offset=offset,
    )


@api.get("/outcomes/{uuid}", response={200: OutcomeExport, **DETAIL_RESPONSES}, tags=["outcomes"])
@api_view
def get_outcome(request, response: HttpResponse, uuid: Uuid, lang: LanguageQuery = None):
    """One published outcome."""
    return OUTCOMES.detail(request, response, uuid, lang)


@api.get(
    "/organisations",
    response={200: PagedOrganisationExport, **LIST_RESPONSES},
    tags=["organisations"],
)
@api_view
def list_organisations(
    request,
    response: HttpResponse,
    kind: OrganisationKind = None,
    region: Annotated[
        Uuid | None, Query(description="Only organisations located in this region.")
    ] = None,
    updated_since: UpdatedSince = None,
    lang: LanguageQuery = None,
    limit: Limit = 50,
    offset: Offset = 0,
):
    """Published organisations."""
    organisations = ORGANISATIONS.queryset()
    if kind:
        organisations = organisations.filter(kind=kind)
    if region:
        organisations = organisations.filter(region__uuid=region)
    return ORGANISATIONS.list(
        request,
        response,
        organisations,
        updated_since=updated_since,
        lang=lang,
        limit=limit,
        offset=offset,
    )


@api.get(
    "/organisations/{uuid}",
    response={200: OrganisationExport, **DETAIL_RESPONSES},
    tags=["organisations"],
)
@api_view
def get_organisation(request, response: HttpResponse, uuid: Uuid, lang: LanguageQuery = None):
    """One published organisation."""
    return ORGANISATIONS.detail(request, response, uuid, lang)


@api.get("/deleted", response={200: PagedTombstone, **LIST_RESPONSES}, tags=["sync"])
@api_view
def list_deleted(
    request,
    response: HttpResponse,
    since: Annotated[
        Moment | None,
        Query(
            description=(
                "Only objects that left the public site after this moment (ISO 8601; "
                f"without a time zone it is UTC; from {MOMENT_RANGE} in UTC). Use the `T` "
                "of your last sync."
            ),
            examples=["2026-11-20T09:30:00Z"],
        ),
    ] = None,
    type: Annotated[
        Literal[*ExportRecord.Type.values] | None, Query(description="Only objects of this type.")
    ] = None,
    limit: Limit = 50,
    offset: Offset = 0,
):
    """Objects partners must remove from their copy, oldest first.

    An object is listed when it was deleted (also with its mission or partnership), or is
    no longer public for any other reason: unpublished, its unpublish date passed, or its
    partnership or mission was unpublished. Unpublishing counts as a deletion for
    partners. An object that is published again leaves this list and appears in the
    other lists with a newer `updated_at`.
    """
    records = sync.gone(type)
    if since is not None:
        records = records.filter(changed_at__gt=since)
    summary = records.aggregate(count=Count("pk"), last=Max("changed_at"))
    last_change = sync.last_change(type) if type else sync.last_change()
    etag = validators(request, summary["count"], summary["last"], last_change)
    last_modified = last_change or EPOCH
    if not_modified := conditional(request, response, etag=etag, last_modified=last_modified):
        return not_modified
    page = records.order_by("changed_at", "pk")[offset : offset + limit]
    return {
        "count": summary["count"],
        "items": [
            {"type": record.type, "uuid": record.uuid, "deleted_at": record.changed_at}
            for record in page
        ],
    }


# A trailing slash ------------------------------------------------------------------------


def without_trailing_slash(request: HttpRequest, **kwargs) -> HttpResponse:
    """``/api/v1/missions/`` → 308 to ``/api/v1/missions``, query string kept.

    The API's addresses have no trailing slash (the OpenAPI document names them so), but
    Django's own habit, and many a client's, is to add one. A permanent redirect keeps one
    address per answer, for caches and ETags, and a 308 keeps the method.
    """
    query = request.META.get("QUERY_STRING", "")
    location = escape_uri_path(request.path.removesuffix("/")) + (f"?{query}" if query else "")
    return HttpResponsePermanentRedirect(location, preserve_request=True)


def trailing_slash_urls() -> list[URLPattern]:
    """``<address>/`` → ``without_trailing_slash`` for each of the API's addresses.

    One pattern per address, not one for any path that ends in a slash: Django's
    ``APPEND_SLASH`` redirects an address that fails to one with a slash that resolves, so a
    catch-all would turn every unknown address (``/api/v1/projects``) into a redirect first.
    """
    patterns, _app_name, _namespace = api.urls
    return [
        path(f"{pattern.pattern}/", without_trailing_slash)
        for pattern in patterns
        if str(pattern.pattern)
    ]
