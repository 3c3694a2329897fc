"""What each endpoint fetches: the published objects of one type, in a fixed number of queries.

Every query starts from ``published()`` (``programmes/models/querysets.py``); the
``updated_at`` the API shows is :func:`exported_at`. An :class:`Endpoint` answers a list
(one count, then the page with its prefetches) and a detail (from the read model while
nothing it shows has changed); both answer a conditional request before fetching more than
the validators need. The numbers of queries are pinned by tests/api/test_api.py.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from django.db.models import (
    Count,
    Max,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce, Greatest
from django.http import Http404, HttpRequest, HttpResponse

from programmes.domain import sync
from programmes.models import (
    Cluster,
    ExportRecord,
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
from programmes.models.querysets import REGION_ANCESTORS, destinations_in_order
from readpath import readmodel

from .caching import EPOCH, READMODEL_BUILD_ATTRIBUTE, conditional, validators
from .representations import Representation
from .schemas import Language


def exported_at() -> Greatest:
    """When an object's export last changed: its own row or its export record (sync.py)."""
    record = ExportRecord.objects.filter(uuid=OuterRef("uuid")).values("changed_at")[:1]
    return Greatest("updated_at", Coalesce(Subquery(record), "updated_at"))


@dataclass(frozen=True)
class Endpoint:
    """One kind of exported object: its record type, its query and its export."""

    type: str
    model: type[Publishable]
    related: tuple[str, ...]
    prefetch: Callable[[], tuple[Prefetch | str, ...]]
    export: Callable[[Representation, Any], dict[str, Any]]

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
        representation = Representation(request, lang)
        return {
            "count": summary["count"],
            "items": [self.export(representation, obj) for obj in page],
        }

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
            data = self.export(Representation(request, lang), obj)
        # Stored once rendered (caching.store_built_answer).
        setattr(request, READMODEL_BUILD_ATTRIBUTE, (build, key, etag, last_modified))
        return data


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
    export=Representation.region,
)
ORGANISATIONS = Endpoint(
    type=ExportRecord.Type.ORGANISATION,
    model=Organisation,
    related=("region",),
    prefetch=lambda: (),
    export=Representation.organisation,
)
PARTNERSHIPS = Endpoint(
    type=ExportRecord.Type.PARTNERSHIP,
    model=Partnership,
    related=("home_region", "partner_region", "coordinator"),
    prefetch=lambda: (
        "focus_areas",
        Prefetch("objectives", queryset=Objective.objects.order_by("order", "pk")),
    ),
    export=Representation.partnership,
)
MISSIONS = Endpoint(
    type=ExportRecord.Type.MISSION,
    model=Mission,
    related=("partnership",),
    prefetch=lambda: (
        # The regions' ancestors give each start time its time zone without a query.
        # In the mission's order, as its page lists them.
        destinations_in_order(Region.objects.published().select_related(REGION_ANCESTORS)),
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
    export=Representation.mission,
)
OUTCOMES = Endpoint(
    type=ExportRecord.Type.OUTCOME,
    model=Outcome,
    related=("partnership", "mission", "area"),
    prefetch=lambda: (),
    export=Representation.outcome,
)
