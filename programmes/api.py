"""The JSON export for partner sites: ``/api/v1/``.

The OpenAPI document is at ``/api/v1/openapi.json``, its interactive docs at
``/api/v1/docs``. Every query starts from ``published()`` (querysets.py), and
each list fetches what it shows in a fixed number of queries, pinned by
tests/test_api.py. The shapes are in schemas.py; :class:`Exporter` fills them.
"""

from collections.abc import Callable
from typing import Annotated, Any
from uuid import UUID

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import translation
from modeltranslation.translator import translator
from modeltranslation.utils import build_localized_fieldname, resolution_order
from ninja import Field, NinjaAPI, Query, Schema
from ninja.openapi.docs import Swagger
from ninja.pagination import LimitOffsetPagination, paginate

from .models import (
    Cluster,
    KeyFigure,
    Mission,
    Objective,
    Organisation,
    Outcome,
    Partnership,
    ProgrammeItem,
    Publishable,
    Region,
)
from .schemas import (
    InvalidInput,
    Language,
    MissionExport,
    NotFound,
    OrganisationExport,
    OutcomeExport,
    PartnershipExport,
    RegionExport,
)

DESCRIPTION = """\
The published content of this Twinning CMS, for partner sites that keep a copy in sync:
regions, partnerships, missions (with their programme and outcomes), outcomes and organisations.

* Every object has a stable `uuid`, and objects refer to each other by UUID. A reference to
  something that is not published is `null`, or left out of a list.
* With `?lang=nl`, `en` or `zh-hans` every text is a string in that language. A text that is
  empty there is shown in the next language of the fallback order (en → nl, zh-hans → en → nl)
  and named under `fallbacks`. Without `lang` every text is an object with all three languages.
* `url` is the object's public page in the requested language (Dutch without `lang`).
* Rich texts are sanitized HTML.
* Lists come in pages (`limit`, `offset`; the total is `count`) in the order the objects were
  added, so paging stays stable while new objects arrive.
* Only published content is exported: anything else is a 404.
"""


class ExportAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation) -> str:
        """``list_missions`` rather than ninja's ``programmes_api_list_missions``."""
        return operation.view_func.__name__


api = ExportAPI(
    title="Twinning CMS API",
    version="1",
    description=DESCRIPTION,
    # The docs page loads Swagger UI from /static/ninja/ and renders under the site's strict
    # Content-Security-Policy as it is: it styles through the DOM, never with inline CSS, so it
    # needs no csp_override (tests/test_api.py checks this in a browser). Without a validatorUrl
    # it does not ask validator.swagger.io for a badge: nothing may load from elsewhere.
    docs=Swagger(settings={"validatorUrl": None}),
)

LanguageQuery = Annotated[
    Language | None,
    Query(
        description=(
            "Return every text as a string in this language. "
            "Without it, every text is an object with all languages."
        )
    ),
]

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
            "updated_at": obj.updated_at,
        }

    def region(self, region: Region) -> dict[str, Any]:
        return {
            **self.resource(region),
            **self.texts(region),
            "kind": region.kind,
            "parent": published_uuid(region.parent),
            "latitude": region.latitude,
            "longitude": region.longitude,
            "key_figures": [self.key_figure(figure) for figure in region.key_figures.all()],
            "clusters": [
                {"uuid": cluster.uuid, **self.texts(cluster)} for cluster in region.clusters.all()
            ],
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
            "focus_areas": [
                {"slug": area.slug, **self.texts(area)} for area in partnership.focus_areas.all()
            ],
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
        }

    def outcome(self, outcome: Outcome) -> dict[str, Any]:
        area = outcome.area
        return {
            **self.resource(outcome),
            **self.texts(outcome),
            "kind": outcome.kind,
            "area": {"slug": area.slug, **self.texts(area)} if area else None,
            "partnership": outcome.partnership.uuid,
            "mission": outcome.mission.uuid if outcome.mission else None,
            "date": outcome.date,
            "progress": outcome.progress,
        }


class PageInput(Schema):
    limit: int = Field(50, ge=1, le=100, description="How many objects per page.")
    offset: int = Field(0, ge=0, description="How many objects to skip.")


class ExportPage(LimitOffsetPagination):
    """ninja's limit/offset page, with each object on it exported for the request.

    The view returns a queryset. Once ninja has sliced it, ``export`` (an
    :class:`Exporter` method) turns each object into data in the language the
    view was asked for: ninja passes the view's arguments, ``lang`` among them.
    """

    Input = PageInput

    def __init__(self, *, export: Callable[[Exporter, Any], dict[str, Any]], **kwargs):
        super().__init__(**kwargs)
        self.export = export

    def paginate_queryset(self, queryset, pagination, request, **params):
        page = super().paginate_queryset(queryset, pagination, request, **params)
        exporter = Exporter(request, params["lang"])
        page["items"] = [self.export(exporter, obj) for obj in page["items"]]
        return page


# What each endpoint fetches: the same for a list and for one object. The lists
# are ordered by primary key, i.e. in the order the objects were added.


def regions() -> QuerySet[Region]:
    return (
        Region.objects.for_list()
        .prefetch_related(
            Prefetch("key_figures", queryset=KeyFigure.objects.order_by("order", "pk")),
            Prefetch("clusters", queryset=Cluster.objects.order_by("order", "pk")),
        )
        .order_by("pk")
    )


def organisations() -> QuerySet[Organisation]:
    return Organisation.objects.published().select_related("region").order_by("pk")


def partnerships() -> QuerySet[Partnership]:
    return (
        Partnership.objects.for_list()
        .prefetch_related(
            Prefetch("objectives", queryset=Objective.objects.order_by("order", "pk"))
        )
        .order_by("pk")
    )


def outcomes() -> QuerySet[Outcome]:
    return Outcome.objects.for_list().order_by("pk")


def missions() -> QuerySet[Mission]:
    return (
        Mission.objects.published()
        .select_related("partnership")
        .prefetch_related(
            Prefetch("destinations", queryset=Region.objects.published().order_by("pk")),
            Prefetch("organisers", queryset=Organisation.objects.published().order_by("pk")),
            Prefetch(
                "programme_items",
                queryset=ProgrammeItem.objects.select_related("city", "host").order_by(
                    "order", "pk"
                ),
            ),
            Prefetch(
                "outcomes",
                queryset=Outcome.objects.published()
                .select_related("partnership", "area")
                .order_by("order", "pk"),
            ),
        )
        .order_by("pk")
    )


DETAIL_ERRORS = {404: NotFound, 422: InvalidInput}


@api.get("/regions", response={200: list[RegionExport], 422: InvalidInput}, tags=["regions"])
@paginate(ExportPage, export=Exporter.region)
def list_regions(request, lang: LanguageQuery = None):
    """Published regions with their key figures and clusters."""
    return regions()


@api.get("/regions/{uuid}", response={200: RegionExport, **DETAIL_ERRORS}, tags=["regions"])
def get_region(request, uuid: UUID, lang: LanguageQuery = None):
    """One published region."""
    return Exporter(request, lang).region(get_object_or_404(regions(), uuid=uuid))


@api.get(
    "/partnerships",
    response={200: list[PartnershipExport], 422: InvalidInput},
    tags=["partnerships"],
)
@paginate(ExportPage, export=Exporter.partnership)
def list_partnerships(request, lang: LanguageQuery = None):
    """Published partnerships with their focus areas and objectives."""
    return partnerships()


@api.get(
    "/partnerships/{uuid}",
    response={200: PartnershipExport, **DETAIL_ERRORS},
    tags=["partnerships"],
)
def get_partnership(request, uuid: UUID, lang: LanguageQuery = None):
    """One published partnership."""
    return Exporter(request, lang).partnership(get_object_or_404(partnerships(), uuid=uuid))


@api.get("/missions", response={200: list[MissionExport], 422: InvalidInput}, tags=["missions"])
@paginate(ExportPage, export=Exporter.mission)
def list_missions(request, lang: LanguageQuery = None):
    """Published missions with their programme items and published outcomes."""
    return missions()


@api.get("/missions/{uuid}", response={200: MissionExport, **DETAIL_ERRORS}, tags=["missions"])
def get_mission(request, uuid: UUID, lang: LanguageQuery = None):
    """One published mission."""
    return Exporter(request, lang).mission(get_object_or_404(missions(), uuid=uuid))


@api.get("/outcomes", response={200: list[OutcomeExport], 422: InvalidInput}, tags=["outcomes"])
@paginate(ExportPage, export=Exporter.outcome)
def list_outcomes(request, lang: LanguageQuery = None):
    """Published outcomes of missions and partnerships."""
    return outcomes()


@api.get("/outcomes/{uuid}", response={200: OutcomeExport, **DETAIL_ERRORS}, tags=["outcomes"])
def get_outcome(request, uuid: UUID, lang: LanguageQuery = None):
    """One published outcome."""
    return Exporter(request, lang).outcome(get_object_or_404(outcomes(), uuid=uuid))


@api.get(
    "/organisations",
    response={200: list[OrganisationExport], 422: InvalidInput},
    tags=["organisations"],
)
@paginate(ExportPage, export=Exporter.organisation)
def list_organisations(request, lang: LanguageQuery = None):
    """Published organisations."""
    return organisations()


@api.get(
    "/organisations/{uuid}",
    response={200: OrganisationExport, **DETAIL_ERRORS},
    tags=["organisations"],
)
def get_organisation(request, uuid: UUID, lang: LanguageQuery = None):
    """One published organisation."""
    return Exporter(request, lang).organisation(get_object_or_404(organisations(), uuid=uuid))
