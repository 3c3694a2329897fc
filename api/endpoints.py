"""The JSON export for partner sites: ``/api/v1/``.

The OpenAPI document is at ``/api/v1/openapi.json``, its interactive docs at
``/api/v1/docs``, the guide for partner developers in docs/api.md. Every query starts
from ``published()`` (querysets.py). Each endpoint fetches what it shows in a fixed
number of queries, pinned by tests/test_api.py, and answers a conditional GET from two
small queries without building the body. The shapes are in schemas.py;
:class:`Exporter` fills them. What ``updated_since`` and ``/deleted`` rest on is in
sync.py, the error format in problems.py.
"""

import hashlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import wraps
from typing import Annotated, Any, Literal
from uuid import UUID

from django.conf import settings
from django.db.models import (
    Count,
    Exists,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce, Greatest
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date, parse_http_date, quote_etag
from modeltranslation.translator import translator
from modeltranslation.utils import build_localized_fieldname, resolution_order
from ninja import NinjaAPI, Query
from ninja.errors import HttpError, ValidationError
from ninja.openapi.docs import Swagger
from ninja.throttling import SimpleRateThrottle
from pydantic import AfterValidator, BeforeValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from programmes.domain import sync
from programmes.models import (
    Cluster,
    ExportRecord,
    FocusArea,
    KeyFigure,
    Mission,
    Objective,
    Organisation,
    Outcome,
    Partnership,
    Photo,
    ProgrammeItem,
    Publishable,
    Region,
)
from programmes.models.querysets import REGION_ANCESTORS
from readpath import readmodel
from readpath.caching import CachedPage, current_generation

from . import problems
from .schemas import (
    InvalidParameters,
    Language,
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

DESCRIPTION = """\
The published content of this Twinning CMS, for partner sites that keep a copy in sync:
regions, partnerships, missions (with their programme, outcomes and photos), outcomes and
organisations. The guide for partner developers (sync recipe, caching, errors) is
docs/api.md in the source.

* Every object has a stable `uuid`, and objects refer to each other by UUID. A reference to
  something that is not published is `null`, or left out of a list.
* With `?lang=nl`, `en` or `zh-hans` every text is a string in that language. A text that is
  empty there is shown in the next language of the fallback order (en → nl, zh-hans → en → nl)
  and named under `fallbacks`. Without `lang` every text is an object with all three languages.
* `url` is the object's public page in the requested language (Dutch without `lang`); photo
  renditions have absolute URLs too.
* Rich texts are sanitized HTML.
* A programme item's `start_time` is the local wall-clock time in its `time_zone` (an IANA
  name): 09:00 in Dalian is 09:00 China time (`+08:00`). A region's `time_zone` is its own or
  inherited from the region it lies in.
* Lists come in pages (`limit`, `offset`; the total is `count`) in the order the objects were
  added, so paging stays stable while new objects arrive. Filters narrow a list; a query
  parameter the endpoint does not know is refused (400), so a misspelt filter never passes
  unnoticed.
* Only published content is exported: anything else is a 404.

**Staying in sync.** `updated_since` returns what changed after a moment (including objects
that appeared because they or their partnership were published, or their publication date
passed), `/deleted` what partners must remove (deleted, unpublished, or hidden with their
partnership). Apply `/deleted?since=T` first, then the lists with `updated_since=T`, and use
the `Date` of your first response, minus a few minutes, as the next `T`.

**Caching.** Every answer has an `ETag` and a `Last-Modified`; send them back as
`If-None-Match` / `If-Modified-Since` and an unchanged answer is a bodiless 304.

**Errors** are `application/problem+json` (RFC 9457). Anonymous clients may make a limited
number of requests per period (see the 429 answer and its `Retry-After`).
"""

# Bumped when the shape of an export changes: part of every ETag, so no cached copy of the
# old shape stays valid.
SHAPE_VERSION = "3"  # 3: time zones of regions and programme items


class ExportAPI(NinjaAPI):
    def create_response(self, request, data, *, status=None, temporal_response=None):
        """The rendered answer; a detail answer being built goes into the read model."""
        response = super().create_response(
            request, data, status=status, temporal_response=temporal_response
        )
        pending = getattr(request, "readmodel_build", None)
        if pending is not None and response.status_code == 200:
            build, key, etag, last_modified = pending
            content, content_type = response.content, response["Content-Type"]
            build.store(key, content, content_type, etag=etag, last_modified=last_modified)
        return response

    def get_openapi_operation_id(self, operation) -> str:
        """``list_missions`` rather than ninja's ``programmes_api_list_missions``."""
        return operation.view_func.__name__

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        document_http(schema)
        return schema


class AnonymousThrottle(SimpleRateThrottle):
    """``settings.API_RATE_LIMIT`` requests per client address; staff are not limited.

    The address is ``REMOTE_ADDR``, or behind the TLS proxy the address the proxy saw
    (``NINJA_NUM_PROXIES``): a client cannot escape the limit with its own
    ``X-Forwarded-For``. ninja answers a refused request with the 429 problem and
    ``Retry-After`` in whole seconds.
    """

    scope = "anonymous"

    def get_rate(self) -> str | None:
        """The setting; None when it is off (``API_RATE_LIMIT=0``). ninja would look the
        scope up in its own table of default rates, which has none, and fail every request."""
        return settings.API_RATE_LIMIT or None

    def get_cache_key(self, request: HttpRequest) -> str | None:
        if self.rate is None or is_staff(request):
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def allow_request(self, request: HttpRequest) -> bool:
        if self.get_cache_key(request) is None:
            return True
        return super().allow_request(request)


def is_staff(request: HttpRequest) -> bool:
    """A logged-in staff member. Without a session cookie the session is not even looked at,
    so a partner's answer does not vary on cookies (``Vary: Cookie``) it never sends."""
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return False
    user = getattr(request, "user", None)
    return user is not None and user.is_authenticated and user.is_staff


throttle = AnonymousThrottle()

api = ExportAPI(
    title="Twinning CMS API",
    version="1",
    description=DESCRIPTION,
    # The docs page loads Swagger UI from /static/ninja/ and renders under the site's strict
    # Content-Security-Policy as it is: it styles through the DOM, never with inline CSS, so it
    # needs no csp_override (tests/test_api.py checks this in a browser). Without a validatorUrl
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


LanguageQuery = Annotated[
    Language | None,
    Query(
        description=(
            "Return every text as a string in this language. "
            "Without it, every text is an object with all languages."
        )
    ),
]


# Every parameter has a bound, written in the OpenAPI document and answered with a 422
# beyond it: a value the database cannot hold (an offset past 2**63, a moment before the
# year 1 in UTC) must not reach it, where it would be a 500.
MAX_LIMIT = 100
MAX_OFFSET = 1_000_000
# "2026-11-20T09:30:00.123456+14:00" has 32 characters.
MAX_MOMENT_LENGTH = 40
# A UUID is 36 characters (32 without its hyphens, which are accepted too).
UUID_LENGTHS = (32, 36)
# Under gunicorn's limit for a header line (8190); an ETag here is 42 characters.
MAX_HEADER_LENGTHS = {"If-None-Match": 2048, "If-Modified-Since": 64}
MOMENT_RANGE = "0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999Z"


def iso_8601(value: Any) -> Any:
    """ISO 8601 only: pydantic alone would read ``20261120`` as seconds since 1970."""
    if isinstance(value, str):
        if len(value) > MAX_MOMENT_LENGTH:
            raise PydanticCustomError(
                "string_too_long",
                "At most {max_length} characters.",
                {"max_length": MAX_MOMENT_LENGTH},
            )
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            raise PydanticCustomError(
                "iso_8601", "Not an ISO 8601 date and time, such as 2026-11-20T09:30:00Z"
            ) from None
    return value


def in_utc(moment: datetime) -> datetime:
    """The moment in UTC (without a time zone it is UTC). One that lies outside the years
    1 to 9999 there (``0001-01-01T00:00:00+14:00``) is refused: SQLite stores moments in UTC,
    and no Python date holds it."""
    try:
        return aware(moment).astimezone(UTC)
    except OverflowError:
        raise PydanticCustomError(
            "moment_out_of_range", f"Must lie from {MOMENT_RANGE} in UTC."
        ) from None


def bounded_uuid(value: Any) -> Any:
    if isinstance(value, str) and len(value) not in UUID_LENGTHS:
        raise PydanticCustomError(
            "uuid_parsing", "Not a UUID, such as 3f2b8c1e-6d4a-4e0b-9a57-1c2d3e4f5a6b"
        )
    return value


Moment = Annotated[
    datetime,
    BeforeValidator(iso_8601),
    AfterValidator(in_utc),
    WithJsonSchema({"type": "string", "format": "date-time", "maxLength": MAX_MOMENT_LENGTH}),
]
Uuid = Annotated[
    UUID,
    BeforeValidator(bounded_uuid),
    WithJsonSchema(
        {
            "type": "string",
            "format": "uuid",
            "minLength": min(UUID_LENGTHS),
            "maxLength": max(UUID_LENGTHS),
        }
    ),
]
UpdatedSince = Annotated[
    Moment | None,
    Query(
        description=(
            "Only objects whose export changed after this moment (ISO 8601, e.g. "
            "`2026-11-20T09:30:00Z`; without a time zone it is UTC; from "
            f"{MOMENT_RANGE} in UTC). Objects that became public after it are included, "
            "whatever their own `updated_at`."
        ),
        examples=["2026-11-20T09:30:00Z"],
    ),
]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="How many objects per page.")]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="How many objects to skip.")]


LANGUAGES = settings.MODELTRANSLATION_LANGUAGES


def text(obj, name: str, language: str) -> str:
    """One language's column of a translated field; never None."""
    return getattr(obj, build_localized_fieldname(name, language)) or ""


def published_uuid(obj: Publishable | None) -> UUID | None:
    """The UUID of a referenced region or organisation, or None while it is not published.

    ``is_published`` is the instance form of ``published()`` for these models; it
    lets a reference fetched with ``select_related`` be checked without a query.
    """
    return obj.uuid if obj is not None and obj.is_published else None


class Exporter:
    """Turns published objects into export data, for one request and its ``lang``."""

    def __init__(self, request: HttpRequest, language: Language | None):
        self.request = request
        self.language = language

    def localized(self, render: Callable[[str], str]) -> str | dict[str, str]:
        """``render(language)`` for the requested language, or for each language."""
        if self.language:
            return render(self.language)
        return {language: render(language) for language in LANGUAGES}

    def texts(self, obj) -> dict[str, Any]:
        """Every translated text of ``obj`` (translation.py), and in one language its fallbacks."""
        names = translator.get_options_for_model(type(obj)).fields
        if not self.language:
            return {name: {lang: text(obj, name, lang) for lang in LANGUAGES} for name in names}
        texts, fallbacks = {}, {}
        for name in names:
            texts[name], shown_in = self.text_with_fallback(obj, name)
            if shown_in != self.language:
                fallbacks[name] = shown_in
        return {**texts, "fallbacks": fallbacks}

    def text_with_fallback(self, obj, name: str) -> tuple[str, str]:
        """The text in the requested language or the first fallback that has it, and which."""
        for language in resolution_order(self.language):
            if value := text(obj, name, language):
                return value, language
        return "", self.language

    def resource(self, obj: Publishable) -> dict[str, Any]:
        with translation.override(self.language or settings.LANGUAGE_CODE):
            path = obj.get_absolute_url()
        return {
            "uuid": obj.uuid,
            "slug": obj.slug,
            "url": self.request.build_absolute_uri(path),
            "updated_at": obj.exported_at,
        }

    def region(self, region: Region) -> dict[str, Any]:
        return {
            **self.resource(region),
            **self.texts(region),
            "kind": region.kind,
            "parent": published_uuid(region.parent),
            "time_zone": region.effective_time_zone() or None,
            "latitude": region.latitude,
            "longitude": region.longitude,
            "key_figures": [self.key_figure(figure) for figure in region.key_figures.all()],
            "clusters": [
                {"uuid": cluster.uuid, **self.texts(cluster)} for cluster in region.clusters.all()
            ],
            "photos": [self.photo(photo) for photo in region.photos.all()],
        }

    def key_figure(self, figure: KeyFigure) -> dict[str, Any]:
        return {
            "uuid": figure.uuid,
            **self.texts(figure),
            "value": figure.value,
            "value_max": figure.value_max,
            "unit": figure.unit,
            "approximate": figure.approximate,
            "year": figure.year,
            "formatted": self.localized(figure.formatted),
        }

    def organisation(self, organisation: Organisation) -> dict[str, Any]:
        return {
            **self.resource(organisation),
            **self.texts(organisation),
            "kind": organisation.kind,
            "region": published_uuid(organisation.region),
            "website": organisation.website,
        }

    def partnership(self, partnership: Partnership) -> dict[str, Any]:
        return {
            **self.resource(partnership),
            **self.texts(partnership),
            "kind": partnership.kind,
            "home_region": published_uuid(partnership.home_region),
            "partner_region": published_uuid(partnership.partner_region),
            "since_year": partnership.since_year,
            "coordinator": published_uuid(partnership.coordinator),
            "coordinator_since_year": partnership.coordinator_since_year,
            "focus_areas": [self.focus_area(area) for area in partnership.focus_areas.all()],
            "objectives": [
                {"uuid": objective.uuid, **self.texts(objective)}
                for objective in partnership.objectives.all()
            ],
        }

    def mission(self, mission: Mission) -> dict[str, Any]:
        return {
            **self.resource(mission),
            **self.texts(mission),
            "kind": mission.kind,
            "partnership": mission.partnership.uuid,
            "destinations": [region.uuid for region in mission.destinations.all()],
            "start_date": mission.start_date,
            "end_date": mission.end_date,
            "leader_name": mission.leader_name,
            "organisers": [organisation.uuid for organisation in mission.organisers.all()],
            "programme_items": [
                self.programme_item(item) for item in mission.programme_items.all()
            ],
            "outcomes": [self.outcome(outcome) for outcome in mission.outcomes.all()],
            "photos": [self.photo(photo) for photo in mission.photos.all()],
        }

    def programme_item(self, item: ProgrammeItem) -> dict[str, Any]:
        return {
            "uuid": item.uuid,
            **self.texts(item),
            "kind": item.kind,
            "city": published_uuid(item.city),
            "host": published_uuid(item.host),
            "date": item.date,
            "start_time": item.start_time,
            "time_zone": item.effective_time_zone(),
        }

    def focus_area(self, area: FocusArea) -> dict[str, Any]:
        return {"uuid": area.uuid, "slug": area.slug, **self.texts(area)}

    def photo(self, photo: Photo) -> dict[str, Any]:
        renditions = photo.renditions
        return {
            "uuid": photo.uuid,
            "width": photo.width,
            "height": photo.height,
            **self.texts(photo),
            "credit": photo.credit,
            "renditions": [
                {
                    "url": self.request.build_absolute_uri(rendition.url),
                    "width": rendition.width,
                    "height": rendition.height,
                    "format": image_format,
                }
                for image_format, versions in (
                    ("webp", renditions.webp if renditions else ()),
                    ("jpeg", renditions.jpeg if renditions else ()),
                )
                for rendition in versions
            ],
        }

    def outcome(self, outcome: Outcome) -> dict[str, Any]:
        area = outcome.area
        return {
            **self.resource(outcome),
            **self.texts(outcome),
            "kind": outcome.kind,
            "area": self.focus_area(area) if area else None,
            "partnership": outcome.partnership.uuid,
            "mission": outcome.mission.uuid if outcome.mission else None,
            "date": outcome.date,
            "progress": outcome.progress,
        }


# Conditional GET -----------------------------------------------------------------------

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def exported_at() -> Greatest:
    """When an object's export last changed: its own row or its export record (sync.py)."""
    record = ExportRecord.objects.filter(uuid=OuterRef("uuid")).values("changed_at")[:1]
    return Greatest("updated_at", Coalesce(Subquery(record), "updated_at"))


def validators(request: HttpRequest, *parts: object) -> str:
    """A strong ETag for the answer to ``request``, from what its body follows from.

    The absolute URL stands for everything the request chose (endpoint, filters, page,
    language) and for the host the body's absolute URLs start with.
    """
    identity = "\n".join([SHAPE_VERSION, request.build_absolute_uri(), *map(str, parts)])
    return quote_etag(hashlib.sha256(identity.encode()).hexdigest()[:40])


def conditional(
    request: HttpRequest, response: HttpResponse, *, etag: str, last_modified: datetime
) -> HttpResponse | None:
    """Put the validators and caching rules on ``response``; a 304 when the client's copy holds.

    Partners may keep an answer for a minute without asking (``API_CACHE_SECONDS``); after
    that a conditional request costs them and us two small queries and no body.
    """
    timestamp = int(last_modified.timestamp())
    headers = {
        "ETag": etag,
        "Last-Modified": http_date(timestamp),
    }
    for name, value in headers.items():
        response[name] = value
    patch_cache_control(response, public=True, max_age=settings.API_CACHE_SECONDS)
    not_modified = get_conditional_response(request, etag=etag, last_modified=timestamp)
    if not_modified is not None:
        for name in ("ETag", "Last-Modified", "Cache-Control"):
            not_modified[name] = response[name]
    return not_modified


# What each endpoint fetches ---------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    """One kind of exported object: its record type, its query and its export."""

    type: str
    model: type[Publishable]
    related: tuple[str, ...]
    prefetch: Callable[[], tuple[Prefetch | str, ...]]
    export: Callable[["Exporter", Any], dict[str, Any]]

    def queryset(self) -> QuerySet:
        """Published objects with what they refer to, ordered as added; without prefetches."""
        return (
            self.model.objects.published()
            .select_related(*self.related)
            .annotate(exported_at=exported_at())
            .order_by("pk")
        )

    def list(
        self,
        request: HttpRequest,
        response: HttpResponse,
        queryset: QuerySet,
        *,
        updated_since: datetime | None,
        lang: Language | None,
        limit: int,
        offset: int,
    ):
        if updated_since is not None:
            queryset = queryset.filter(exported_at__gt=updated_since)
        summary = queryset.aggregate(count=Count("pk"), last=Max("exported_at"))
        last_gone = sync.last_change(self.type)
        last_modified = max(d for d in (summary["last"], last_gone, EPOCH) if d is not None)
        etag = validators(request, summary["count"], summary["last"], last_gone)
        if not_modified := conditional(request, response, etag=etag, last_modified=last_modified):
            return not_modified
        page = list(queryset[offset : offset + limit])
        prefetch_related_objects(page, *self.prefetch())
        exporter = Exporter(request, lang)
        return {"count": summary["count"], "items": [self.export(exporter, obj) for obj in page]}

    def detail(self, request: HttpRequest, response: HttpResponse, uuid: UUID, lang):
        # The answer as built before (readmodel.py), while nothing it shows has changed: then
        # neither has its export time, so its ETag and Last-Modified are stored with it.
        key = readmodel.Key(f"api:{self.type}", str(uuid), lang or "", readmodel.origin(request))
        if (stored := readmodel.lookup(key)) is not None:
            etag, last_modified = stored.etag, stored.last_modified
            if not_modified := conditional(
                request, response, etag=etag, last_modified=last_modified
            ):
                return not_modified
            response.content = stored.content
            return response
        with readmodel.Build() as build:
            obj = self.queryset().filter(uuid=uuid).first()
            if obj is None:
                raise Http404(f"No published {self.type} has this UUID.")
            etag, last_modified = validators(request, obj.exported_at), obj.exported_at
            if not_modified := conditional(
                request, response, etag=etag, last_modified=last_modified
            ):
                return not_modified
            prefetch_related_objects([obj], *self.prefetch())
            data = self.export(Exporter(request, lang), obj)
        # Stored once rendered (create_response).
        request.readmodel_build = (build, key, etag, last_modified)
        return data


def aware(moment: datetime) -> datetime:
    """A moment without a time zone is UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def photos() -> Prefetch:
    """A region's or mission's photos: of a region, not those of unpublished missions."""
    return Prefetch("photos", queryset=Photo.objects.published().order_by("order", "pk"))


REGIONS = Endpoint(
    type=ExportRecord.Type.REGION,
    model=Region,
    related=(REGION_ANCESTORS,),  # parent, and the ancestors for the inherited time zone
    prefetch=lambda: (
        Prefetch("key_figures", queryset=KeyFigure.objects.order_by("order", "pk")),
        Prefetch("clusters", queryset=Cluster.objects.order_by("order", "pk")),
        photos(),
    ),
    export=Exporter.region,
)
ORGANISATIONS = Endpoint(
    type=ExportRecord.Type.ORGANISATION,
    model=Organisation,
    related=("region",),
    prefetch=lambda: (),
    export=Exporter.organisation,
)
PARTNERSHIPS = Endpoint(
    type=ExportRecord.Type.PARTNERSHIP,
    model=Partnership,
    related=("home_region", "partner_region", "coordinator"),
    prefetch=lambda: (
        "focus_areas",
        Prefetch("objectives", queryset=Objective.objects.order_by("order", "pk")),
    ),
    export=Exporter.partnership,
)
MISSIONS = Endpoint(
    type=ExportRecord.Type.MISSION,
    model=Mission,
    related=("partnership",),
    prefetch=lambda: (
        # The regions' ancestors give each start time its time zone without a query.
        Prefetch(
            "destinations",
            queryset=Region.objects.published().select_related(REGION_ANCESTORS).order_by("pk"),
        ),
        Prefetch("organisers", queryset=Organisation.objects.published().order_by("pk")),
        Prefetch(
            "programme_items",
            queryset=ProgrammeItem.objects.select_related(
                f"city__{REGION_ANCESTORS}", "host"
            ).order_by("order", "pk"),
        ),
        Prefetch(
            "outcomes",
            queryset=Outcome.objects.published()
            .select_related("partnership", "area")
            .annotate(exported_at=exported_at())
            .order_by("order", "pk"),
        ),
        photos(),
    ),
    export=Exporter.mission,
)
OUTCOMES = Endpoint(
    type=ExportRecord.Type.OUTCOME,
    model=Outcome,
    related=("partnership", "mission", "area"),
    prefetch=lambda: (),
    export=Exporter.outcome,
)


# Endpoints -------------------------------------------------------------------------------


def api_view(view):
    """Refuse query parameters ``view`` does not take, bring the records up to date, and
    answer from the cache when the same question was answered in this content generation.

    Answers are cached as the pages are (caching.py: the key is the generation, the
    language and the absolute URL with its query string; any content write or a passing
    publish date orphans them all), but inside ninja: its rate limit has counted the
    request before a cached answer is given, and middleware (CORS, the problem format)
    applies as for any answer. The answer is the same for everyone (staff included), so
    it is cached for all. A cached answer keeps the ``ETag`` and ``Last-Modified`` it was
    made with, and a conditional request gets the same 304 as without the cache. An
    answer made here is kept by ``keep_answers`` once ninja has rendered it.
    """
    accepted = set(inspect.signature(view).parameters) - {"request", "response", "uuid"}

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        unknown = sorted(set(request.GET) - accepted)
        if unknown:
            return problems.unknown_parameters(request, unknown, accepted)
        if too_long := [
            {
                "loc": ("header", name),
                "msg": f"At most {length} characters.",
                "type": "string_too_long",
            }
            for name, length in MAX_HEADER_LENGTHS.items()
            if len(request.headers.get(name, "")) > length
        ]:
            return problems.invalid_parameters(request, too_long)
        sync.catch_up(current_generation().token)
        entry = CachedPage.of(request, current_generation())
        answer = entry.cached_response()
        if answer is not None:
            last_modified = datetime.fromtimestamp(parse_http_date(answer["Last-Modified"]), UTC)
            not_modified = conditional(
                request, answer, etag=answer["ETag"], last_modified=last_modified
            )
            return not_modified or answer
        request.api_answer_entry = entry
        return view(request, *args, **kwargs)

    return wrapper


def keep_answers(run):
    """Keep the answer ``api_view`` made, as ninja rendered it (a decorator of every operation)."""

    @wraps(run)
    def wrapper(request, **kwargs):
        response = run(request, **kwargs)
        entry = getattr(request, "api_answer_entry", None)
        if entry is not None and response.status_code == 200 and not response.cookies:
            entry.store(response)
        return response

    return wrapper


api.add_decorator(keep_answers, mode="view")


PROBLEMS = {400: InvalidParameters, 422: InvalidParameters, 429: Problem}
LIST_RESPONSES = {304: None, **PROBLEMS}
DETAIL_RESPONSES = {304: None, 404: Problem, **PROBLEMS}

RegionKind = Annotated[Literal[*Region.Kind.values] | None, Query(description="Only this kind.")]
OrganisationKind = Annotated[
    Literal[*Organisation.Kind.values] | None, Query(description="Only this kind.")
]
PartnershipKind = Annotated[
    Literal[*Partnership.Kind.values] | None, Query(description="Only this kind.")
]
MissionKind = Annotated[Literal[*Mission.Kind.values] | None, Query(description="Only this kind.")]
OutcomeKind = Annotated[Literal[*Outcome.Kind.values] | None, Query(description="Only this kind.")]


def partnership_query(of: str) -> Any:
    return Query(
        description=(
            f"Only {of} of this partnership, by UUID (a slug may change, a UUID never). "
            "A partnership that is not published has none."
        ),
        examples=["3f2b8c1e-6d4a-4e0b-9a57-1c2d3e4f5a6b"],
    )


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


# The OpenAPI document: what ninja cannot say by itself ------------------------------------

VALIDATOR_HEADERS = {
    "ETag": {
        "description": "Send it back as `If-None-Match` to get a 304 while nothing changed.",
        "required": True,
        "schema": {"type": "string"},
    },
    "Last-Modified": {
        "description": (
            "When the answer last changed (to the second). `If-None-Match` is exact; prefer it."
        ),
        "required": True,
        "schema": {"type": "string"},
    },
    "Cache-Control": {
        "description": "`public, max-age=60`: keep the answer that long without asking.",
        "required": True,
        "schema": {"type": "string"},
    },
}
CONDITIONAL_PARAMETERS = [
    {
        "name": "If-None-Match",
        "in": "header",
        "required": False,
        "description": "The `ETag` of your copy: a 304 without a body while it is current.",
        "schema": {"type": "string", "maxLength": MAX_HEADER_LENGTHS["If-None-Match"]},
    },
    {
        "name": "If-Modified-Since",
        "in": "header",
        "required": False,
        "description": "The `Last-Modified` of your copy; ignored when `If-None-Match` is sent.",
        "schema": {"type": "string", "maxLength": MAX_HEADER_LENGTHS["If-Modified-Since"]},
    },
]
PROBLEM_EXAMPLES = {
    400: {
        "type": problems.UNKNOWN_PARAMETERS,
        "title": "Unknown parameters",
        "status": 400,
        "detail": "This endpoint does not take: updatedsince.",
        "instance": "/api/v1/missions?updatedsince=2026-11-20",
        "errors": [
            {
                "in": "query",
                "name": "updatedsince",
                "detail": "Unknown parameter. This endpoint takes: kind, lang, limit, offset, "
                "partnership, region, updated_since.",
                "type": "unknown_parameter",
            }
        ],
    },
    404: {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "No published mission has this UUID.",
        "instance": "/api/v1/missions/3f2b8c1e-6d4a-4e0b-9a57-1c2d3e4f5a6b",
    },
    422: {
        "type": problems.INVALID_PARAMETERS,
        "title": "Invalid parameters",
        "status": 422,
        "detail": "Invalid value for: updated_since.",
        "instance": "/api/v1/missions?updated_since=yesterday",
        "errors": [
            {
                "in": "query",
                "name": "updated_since",
                "detail": "Not an ISO 8601 date and time, such as 2026-11-20T09:30:00Z",
                "type": "iso_8601",
            }
        ],
    },
    429: {
        "type": "about:blank",
        "title": "Too Many Requests",
        "status": 429,
        "detail": "Too many requests from this address. Try again after Retry-After seconds.",
        "instance": "/api/v1/missions",
    },
}
PROBLEM_DESCRIPTIONS = {
    400: "A query parameter this endpoint does not take (a misspelt filter).",
    404: "No published object has this UUID.",
    422: "A parameter has a value the API does not accept; `errors` lists each.",
    429: "Too many requests from this address; try again after `Retry-After` seconds.",
}


def document_http(schema: dict[str, Any]) -> None:
    """Add to ninja's document what HTTP adds: validators, 304s, problems, Retry-After."""
    for operations in schema["paths"].values():
        for operation in operations.values():
            parameters = operation.setdefault("parameters", [])
            for parameter in parameters:
                # ninja writes a parameter's examples as a list; OpenAPI wants one example
                # there (or a map of named Example objects).
                if isinstance(parameter.get("examples"), list):
                    parameter["example"] = parameter.pop("examples")[0]
            parameters.extend(CONDITIONAL_PARAMETERS)
            for code, answer in operation["responses"].items():
                status = int(code)
                if status == 200:
                    answer["headers"] = VALIDATOR_HEADERS
                elif status == 304:
                    answer.pop("content", None)
                    answer["description"] = "Your copy (`If-None-Match`) is current; no body."
                    answer["headers"] = VALIDATOR_HEADERS
                elif status >= 400:
                    media = answer.pop("content", {}).get("application/json", {})
                    answer["content"] = {
                        problems.CONTENT_TYPE: {**media, "example": PROBLEM_EXAMPLES[status]}
                    }
                    answer["description"] = PROBLEM_DESCRIPTIONS[status]
                    if status == 429:
                        answer["headers"] = {
                            "Retry-After": {
                                "description": "Seconds to wait before the next request.",
                                "required": True,
                                "schema": {"type": "integer", "minimum": 0},
                            }
                        }
