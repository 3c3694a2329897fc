"""Which objects the public may see, decided once, and what each page fetches.

Every public path (pages, API, sitemaps, feeds, search) starts from
``published()``. A mission is public only while its partnership is; an outcome
only while its partnership and (if it has one) its mission are; a photo of a
mission only while that mission is (on the pages of the regions it is attached to
as well: a draft mission's photo stays as hidden as the mission).
"""

from django.db import models
from django.db.models import Exists, F, OuterRef, Prefetch, Q
from django.utils import timezone
from modeltranslation.settings import AVAILABLE_LANGUAGES
from modeltranslation.utils import build_localized_fieldname

# The ``parent`` chain to fetch with select_related() so that Region.effective_time_zone()
# needs no query: a district lies in a city, a province and a country.
REGION_ANCESTORS = "parent__parent__parent"

# A mission's destinations in the mission's order (MissionDestination.position; rows with
# the same number in the order they were added), not the regions' own (by name). Ordered
# through the relation, the query reuses the join it filters by: one row per destination.
DESTINATION_ORDER = ("mission_links__position", "mission_links__pk")


def destinations_in_order(regions: models.QuerySet) -> Prefetch:
    """Prefetch ``Mission.destinations`` from ``regions`` in the mission's order."""
    return Prefetch("destinations", queryset=regions.order_by(*DESTINATION_ORDER))


def published_q(prefix: str = "", *, now=None) -> Q:
    """The condition "published, due, and not yet taken down" for the object at ``prefix``.

    Scheduled publication lives here: a future ``publish_at`` keeps an object hidden and
    a past ``unpublish_at`` hides it again, decided at query time, so no job has to run.
    """
    now = now or timezone.now()
    return Q(**{f"{prefix}status": "published", f"{prefix}publish_at__lte": now}) & (
        Q(**{f"{prefix}unpublish_at__isnull": True}) | Q(**{f"{prefix}unpublish_at__gt": now})
    )


def related_models(queryset: models.QuerySet, *relations: str) -> list[type[models.Model]]:
    """The models at the other end of ``relations`` of the queryset's model.

    Found through the relations, which are what the pages prefetch: the models import this
    module for their managers, so importing them here would go round in a circle.
    """
    meta = queryset.model._meta
    return [meta.get_field(relation).related_model for relation in relations]


class PublishableQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published_q())


class PhotoQuerySet(models.QuerySet):
    def published(self):
        """A region's own photos (no mission), and those of published missions."""
        now = timezone.now()
        return self.filter(
            Q(mission__isnull=True)
            | (published_q("mission__", now=now) & published_q("mission__partnership__", now=now))
        )


class RegionQuerySet(PublishableQuerySet):
    def for_list(self):
        return self.published().select_related("parent")

    def for_detail_page(self):
        Region = self.model  # noqa: N806 (a model class, as below)
        Cluster, KeyFigure, Organisation, Partnership, Photo = related_models(  # noqa: N806
            self, "clusters", "key_figures", "organisations", "home_partnerships", "photos"
        )
        partnerships = Partnership.objects.published().select_related(
            "home_region", "partner_region"
        )
        clusters = Cluster.objects.order_by("order", "pk")
        # The ancestors give the region's address (public/structured_data.py) without a query.
        return self.select_related(REGION_ANCESTORS).prefetch_related(
            Prefetch("key_figures", queryset=KeyFigure.objects.order_by("order", "pk")),
            Prefetch("clusters", queryset=clusters),
            Prefetch(
                "children",
                queryset=Region.objects.published().prefetch_related(
                    Prefetch("clusters", queryset=clusters),
                    Prefetch(
                        "children",
                        queryset=Region.objects.published().prefetch_related(
                            Prefetch("clusters", queryset=clusters)
                        ),
                    ),
                ),
            ),
            Prefetch("organisations", queryset=Organisation.objects.published()),
            Prefetch("home_partnerships", queryset=partnerships),
            Prefetch("partner_partnerships", queryset=partnerships),
            Prefetch("photos", queryset=Photo.objects.published()),
        )


class OrganisationQuerySet(PublishableQuerySet):
    def for_detail_page(self, *, missions: int | None = None, items: int | None = None):
        """``missions``: fetch at most that many of its missions, the newest, as
        ``listed_missions``; ``items``: as many of the programme items it hosted, the
        newest, as ``listed_programme_items``."""
        Mission, Partnership, ProgrammeItem = related_models(  # noqa: N806
            self, "organised_missions", "coordinated_partnerships", "hosted_programme_items"
        )
        # The region's ancestors give its address (public/structured_data.py) without a query.
        return self.select_related(f"region__{REGION_ANCESTORS}").prefetch_related(
            Prefetch(
                "organised_missions",
                queryset=Mission.objects.published().select_related("partnership")[:missions],
                to_attr="listed_missions",
            ),
            Prefetch(
                "hosted_programme_items",
                queryset=ProgrammeItem.objects.for_lists()[:items],
                to_attr="listed_programme_items",
            ),
            Prefetch(
                "coordinated_partnerships",
                queryset=Partnership.objects.published().select_related(
                    "home_region", "partner_region"
                ),
            ),
        )


class PartnershipQuerySet(PublishableQuerySet):
    def for_list(self):
        return (
            self.published()
            .select_related("home_region", "partner_region", "coordinator")
            .prefetch_related("focus_areas")
        )

    def for_detail_page(self, *, missions: int | None = None, outcomes: int | None = None):
        """``missions`` / ``outcomes``: fetch at most that many of each (the newest missions,
        the outcomes in their order), as ``listed_missions`` / ``listed_outcomes``; and as
        many of its outcomes, the latest dated first, for its chronology as
        ``dated_outcomes``."""
        Mission, Objective, Outcome = related_models(  # noqa: N806
            self, "missions", "objectives", "outcomes"
        )
        # The regions' ancestors give their addresses (public/structured_data.py) without a
        # query.
        return self.select_related(
            f"home_region__{REGION_ANCESTORS}", f"partner_region__{REGION_ANCESTORS}", "coordinator"
        ).prefetch_related(
            "focus_areas",
            Prefetch("objectives", queryset=Objective.objects.order_by("order", "pk")),
            Prefetch(
                "missions",
                queryset=Mission.objects.published()[:missions],
                to_attr="listed_missions",
            ),
            Prefetch(
                "outcomes",
                queryset=Outcome.objects.published().select_related("area", "mission")[:outcomes],
                to_attr="listed_outcomes",
            ),
            Prefetch(
                "outcomes",
                queryset=Outcome.objects.published()
                .order_by(F("date").desc(nulls_last=True), "order", "pk")
                .select_related("mission")[:outcomes],
                to_attr="dated_outcomes",
            ),
        )


class MissionQuerySet(PublishableQuerySet):
    def published(self):
        now = timezone.now()
        return self.filter(published_q(now=now), published_q("partnership__", now=now))

    def for_list(self):
        """The missions list: newest first (undated last), in an order that pages can split."""
        [Region] = related_models(self, "destinations")  # noqa: N806
        return (
            self.published()
            .select_related("partnership")
            .prefetch_related(destinations_in_order(Region.objects.all()))
            .order_by(*self.model._meta.ordering, "pk")
        )

    def upcoming(self, today):
        """Published missions that start ``today`` or later, the nearest first."""
        return (
            self.published()
            .filter(start_date__gte=today)
            .select_related("partnership")
            .order_by("start_date", "title", "pk")
        )

    def recent(self, today):
        """Published missions that started before ``today`` or have no known date, newest
        first (the undated last)."""
        return (
            self.published()
            .exclude(start_date__gte=today)
            .select_related("partnership")
            .order_by(*self.model._meta.ordering, "pk")
        )

    def to_places(self, places):
        """Published missions with a destination among ``places`` (regions or their keys),
        newest first (the undated last), each once, with all their destinations: a province's
        page says that a mission went to its city Ningbo."""
        MissionDestination, Region = related_models(  # noqa: N806
            self, "destination_links", "destinations"
        )
        went_there = MissionDestination.objects.filter(mission=OuterRef("pk"), region__in=places)
        return (
            self.published()
            .filter(Exists(went_there))
            .select_related("partnership")
            .prefetch_related(destinations_in_order(Region.objects.all()))
            .order_by(*self.model._meta.ordering, "pk")
        )

    def for_detail_page(self):
        Outcome, ProgrammeItem, Region = related_models(  # noqa: N806
            self, "outcomes", "programme_items", "destinations"
        )
        return self.select_related(
            "partnership__home_region", "partnership__partner_region"
        ).prefetch_related(
            # The ancestors give each start time its time zone without a query.
            destinations_in_order(Region.objects.select_related(REGION_ANCESTORS)),
            "organisers",
            Prefetch(
                "programme_items",
                queryset=ProgrammeItem.objects.select_related(
                    f"city__{REGION_ANCESTORS}", "host"
                ).order_by("order", "pk"),
            ),
            Prefetch("outcomes", queryset=Outcome.objects.published().select_related("area")),
            "photos",
        )

    def for_calendar(self):
        """What the mission's iCalendar file shows; a calendar is never a draft preview."""
        ProgrammeItem, Region = related_models(self, "programme_items", "destinations")  # noqa: N806
        return self.published().prefetch_related(
            # The ancestors give each start time its time zone without a query.
            destinations_in_order(Region.objects.select_related(REGION_ANCESTORS)),
            Prefetch(
                "programme_items",
                queryset=ProgrammeItem.objects.select_related(
                    f"city__{REGION_ANCESTORS}", "host"
                ).order_by("order", "pk"),
            ),
        )


class ProgrammeItemQuerySet(models.QuerySet):
    # Lists of items from many missions: the newest first by the item's own date, an undated
    # item by its mission's; the items of one mission in its programme's order.
    LIST_ORDER = (
        F("date").desc(nulls_last=True),
        F("mission__start_date").desc(nulls_last=True),
        "mission_id",
        "order",
        "pk",
    )

    def published(self):
        """An item is public while its mission is (and so its partnership): it has no
        publication of its own."""
        now = timezone.now()
        return self.filter(
            published_q("mission__", now=now), published_q("mission__partnership__", now=now)
        )

    def for_lists(self):
        """Published items with their mission, place and host, for the lists of a place's
        or an organisation's page (not a mission's own programme: ``for_detail_page()``)."""
        return self.published().select_related("mission", "city", "host").order_by(*self.LIST_ORDER)

    def held_in(self, places):
        """Published items whose place is among ``places`` (regions or their keys)."""
        return self.for_lists().filter(city__in=places)


class OutcomeQuerySet(PublishableQuerySet):
    def published(self):
        now = timezone.now()
        return self.filter(
            published_q(now=now),
            published_q("partnership__", now=now),
            Q(mission__isnull=True) | published_q("mission__", now=now),
        )

    def for_list(self):
        """The outcomes overview: by partnership, in an order that pages can split."""
        return (
            self.published()
            .select_related("partnership", "mission", "area")
            .order_by(*self.model._meta.ordering)
        )

    def for_detail_page(self):
        # The partnership's two ends: the page's picture is their map (public/share_images.py).
        return self.select_related(
            "partnership__home_region", "partnership__partner_region", "mission", "area"
        )


class SitePageQuerySet(PublishableQuerySet):
    def for_navigation(self):
        """The published pages every public page links to (menu and footer), in their order."""
        # Every page shows these links: the bodies (up to 50,000 characters each) stay behind.
        bodies = [build_localized_fieldname("body", language) for language in AVAILABLE_LANGUAGES]
        return self.published().defer("body", *bodies)
