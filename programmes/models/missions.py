"""Missions (trips and delegations) and the programme items of their days."""

import datetime
import uuid
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .base import (
    DESCRIPTION_MAX_LENGTH,
    PUBLISHABLE_PERMISSIONS,
    SHORT_TEXT_MAX_LENGTH,
    LimitedTextField,
    Publishable,
)
from .organisations import Organisation
from .partnerships import Partnership
from .querysets import (
    MissionQuerySet,
    ProgrammeItemQuerySet,
)
from .regions import Region
from .richtext import RichTextField
from .search_names import SearchNamesField


class Mission(Publishable):
    class Kind(models.TextChoices):
        INSPIRATION_TRIP = "inspiration_trip", _("Inspiration trip")
        ECONOMIC_MISSION = "economic_mission", _("Economic mission")
        BUSINESS_DAYS = "business_days", _("Business days")
        INCOMING_DELEGATION = "incoming_delegation", _("Incoming delegation")
        PROGRAMME_VISIT = "programme_visit", _("Programme visit")

    title = models.CharField(_("title"), max_length=200)
    # Derived: the title in every language and its pinyin, for the public search.
    search_names = SearchNamesField(_("names for search"), source="title")
    kind = models.CharField(_("kind"), max_length=30, choices=Kind)
    partnership = models.ForeignKey(
        Partnership,
        verbose_name=_("partnership"),
        on_delete=models.PROTECT,
        related_name="missions",
    )
    # In the order the editor gives them (the source's order): MissionDestination.position.
    # Read them in that order through ``querysets.destinations_in_order()``.
    destinations = models.ManyToManyField(
        Region,
        verbose_name=_("destinations"),
        blank=True,
        related_name="missions",
        through="MissionDestination",
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    leader_name = models.CharField(_("leader"), max_length=200, blank=True)
    leader_role = models.CharField(_("leader's role"), max_length=200, blank=True)
    organisers = models.ManyToManyField(
        Organisation, verbose_name=_("organisers"), blank=True, related_name="organised_missions"
    )
    participants = models.CharField(
        _("participants"),
        max_length=300,
        blank=True,
        help_text=_("Who took part, e.g. “entrepreneurs from Twente”."),
    )
    summary = LimitedTextField(_("summary"), max_length=SHORT_TEXT_MAX_LENGTH, blank=True)
    context = RichTextField(
        _("why these destinations"),
        help_text=_("Background: why this country, region or city."),
    )
    why = RichTextField(_("why this mission"))
    programme_intro = RichTextField(_("programme introduction"))
    result = RichTextField(_("result"))

    objects = MissionQuerySet.as_manager()

    class Meta:
        ordering = [F("start_date").desc(nulls_last=True), "title"]
        default_permissions = PUBLISHABLE_PERMISSIONS
        verbose_name = _("mission")
        verbose_name_plural = _("missions")
        constraints = [
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(end_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="mission_end_not_before_start",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("programmes:mission", kwargs={"slug": self.slug})

    def clean(self):
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end date cannot be before the start date.")})


class MissionDestination(models.Model):
    """One destination of a mission, at its place in the mission's list.

    A mission to "Shanghai and Dalian" lists Shanghai first, as its source does: a plain
    many-to-many relation has no order, and the regions' own order (by name) would say
    "Dalian, Shanghai". Written through ``services.set_in_order()`` (admin inline,
    seed loader, bundle import), one row at a time so that every row is a revision, an
    audit log entry and a content event like any other part of a mission.
    """

    mission = models.ForeignKey(
        Mission,
        verbose_name=_("mission"),
        on_delete=models.CASCADE,
        related_name="destination_links",
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("destination"),
        on_delete=models.CASCADE,
        related_name="mission_links",
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["mission", "position", "pk"]
        verbose_name = _("destination")
        verbose_name_plural = _("destinations")
        constraints = [
            models.UniqueConstraint(
                fields=["mission", "region"], name="missiondestination_region_once"
            ),
        ]

    def __str__(self):
        return str(self.region)


class ProgrammeItem(models.Model):
    """One visit or meeting of a mission."""

    class Kind(models.TextChoices):
        COMPANY_VISIT = "company_visit", _("Company visit")
        UNIVERSITY = "university", _("University visit")
        CONSULATE = "consulate", _("Consulate visit")
        SITE_VISIT = "site_visit", _("Site visit")
        B2B_MEETINGS = "b2b_meetings", _("B2B meetings")
        MUSEUM = "museum", _("Museum visit")
        PORT = "port", _("Port visit")
        MEETING = "meeting", _("Meeting")
        OTHER = "other", _("Other")

    uuid = models.UUIDField(_("UUID"), default=uuid.uuid4, unique=True, editable=False)
    mission = models.ForeignKey(
        Mission, verbose_name=_("mission"), on_delete=models.CASCADE, related_name="programme_items"
    )
    city = models.ForeignKey(
        Region,
        verbose_name=_("city or region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="programme_items",
        help_text=_("Leave empty when the source does not say where it took place."),
    )
    host = models.ForeignKey(
        Organisation,
        verbose_name=_("host organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="hosted_programme_items",
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind)
    title = models.CharField(_("title"), max_length=200)
    # Derived: the title in every language and its pinyin, for the public search.
    search_names = SearchNamesField(_("names for search"), source="title")
    description = LimitedTextField(_("description"), max_length=DESCRIPTION_MAX_LENGTH, blank=True)
    date = models.DateField(_("date"), null=True, blank=True)
    start_time = models.TimeField(_("start time"), null=True, blank=True)
    end_time = models.TimeField(
        _("end time"),
        null=True,
        blank=True,
        help_text=_(
            "When it ends, on the same day, in the same local time as the start time. Leave "
            "empty when the source does not say."
        ),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = ProgrammeItemQuerySet.as_manager()

    class Meta:
        ordering = ["mission", "order", "pk"]
        verbose_name = _("programme item")
        verbose_name_plural = _("programme items")
        constraints = [
            models.CheckConstraint(
                condition=Q(start_time__isnull=True) | Q(date__isnull=False),
                name="programmeitem_time_needs_date",
            ),
            # An item ends on the day it starts: a wall-clock end after the start.
            models.CheckConstraint(
                condition=Q(end_time__isnull=True)
                | Q(start_time__isnull=False, end_time__gt=F("start_time")),
                name="programmeitem_end_after_start",
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        if self.start_time and not self.date:
            raise ValidationError({"start_time": _("A start time needs a date.")})
        if self.end_time and not self.start_time:
            raise ValidationError({"end_time": _("An end time needs a start time.")})
        if self.end_time and self.end_time <= self.start_time:
            raise ValidationError(
                {
                    "end_time": _(
                        "The end time must be after the start time: a programme item ends on "
                        "the day it starts."
                    )
                }
            )

    def effective_time_zone(self) -> str:
        """The IANA time zone its start time is a wall-clock time in.

        That of its city (own or inherited), else of the mission's destination when the
        mission has exactly one, else the site's ``TIME_ZONE``. Query-free when the city's
        and the destinations' ancestors (``REGION_ANCESTORS``) and the destinations were
        fetched with the item.
        """
        if self.city is not None and (time_zone := self.city.effective_time_zone()):
            return time_zone
        destinations = list(self.mission.destinations.all())
        if len(destinations) == 1 and (time_zone := destinations[0].effective_time_zone()):
            return time_zone
        return settings.TIME_ZONE

    def starts_at(self) -> datetime.date | datetime.datetime | None:
        """Its date, or the moment it starts when its start time is known.

        A start time is a wall-clock time where it takes place (a 09:00 meeting in Dalian is
        at 09:00 China time), so the moment is in ``effective_time_zone()``.
        """
        if self.date is None or self.start_time is None:
            return self.date
        return datetime.datetime.combine(
            self.date, self.start_time, tzinfo=zoneinfo.ZoneInfo(self.effective_time_zone())
        )

    def ends_at(self) -> datetime.datetime | None:
        """The moment it ends, when its end time is known: on its date, in its time zone."""
        if self.date is None or self.start_time is None or self.end_time is None:
            return None
        return datetime.datetime.combine(
            self.date, self.end_time, tzinfo=zoneinfo.ZoneInfo(self.effective_time_zone())
        )
