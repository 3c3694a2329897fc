"""Missions (trips and delegations) and the programme items of their days."""

import datetime
import uuid
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.formats import date_format
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

    @classmethod
    def from_db(cls, db, field_names, values, *, fetch_mode=None):
        """Remembers the dates as stored: a programme item checks its date against them only
        when one of them is being written (``ProgrammeItem.clean_fields``)."""
        instance = super().from_db(db, field_names, values, fetch_mode=fetch_mode)
        stored = dict(zip(field_names, values, strict=True))
        if "start_date" in stored and "end_date" in stored:
            instance._stored_dates = (stored["start_date"], stored["end_date"])
        return instance

    def dates_changed(self) -> bool:
        """Whether the start or end date differs from the database's (new: yes)."""
        return getattr(self, "_stored_dates", None) != (self.start_date, self.end_date)

    def dates_text(self) -> str:
        """Its dates as a range in the active language; "…" for one it does not give."""
        start = date_format(self.start_date) if self.start_date else "…"
        end = date_format(self.end_date) if self.end_date else "…"
        return f"{start} – {end}"

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

    @classmethod
    def from_db(cls, db, field_names, values, *, fetch_mode=None):
        """Remembers the date as stored (see ``clean_fields``)."""
        instance = super().from_db(db, field_names, values, fetch_mode=fetch_mode)
        if "date" in field_names:
            instance._stored_date = values[field_names.index("date")]
        return instance

    def is_outside_mission_dates(self) -> bool:
        """Whether its date lies before its mission's start or after its end.

        Both are days on the calendar where the mission takes place, stored as dates and
        never converted: the item's ``date`` is the day in its own time zone
        (``effective_time_zone()``, which its start and end times are wall-clock times in),
        so a meeting at 00:30 in Dalian on the mission's first day is on that day, although it
        is still the evening before in Amsterdam. A date the mission does not give (no start,
        no end) bounds nothing.
        """
        mission = self.mission
        if self.date is None:
            return False
        return bool(
            (mission.start_date and self.date < mission.start_date)
            or (mission.end_date and self.date > mission.end_date)
        )

    def outside_mission_message(self) -> str:
        """Why its date is refused, naming the mission's dates."""
        return _(
            "%(date)s is outside the dates of the mission (%(dates)s): the public page and "
            "the calendar file would contradict each other. Correct the date of the item or "
            "of the mission."
        ) % {"date": date_format(self.date), "dates": self.mission.dates_text()}

    def _mission_dates_in_order(self) -> bool:
        """Whether the mission ends on or after its start: when it does not, the mission's
        form says so, and every item also being "outside 10 March – 1 March" said nothing
        more (and named a range that cannot be)."""
        start, end = self.mission.start_date, self.mission.end_date
        return not (start and end and end < start)

    def _date_written(self) -> bool:
        """Whether this save sets its date, or its mission's dates, to something new."""
        if self.date is None:
            return False
        if getattr(self, "_stored_date", None) != self.date:
            return True
        return self.mission.dates_changed()

    def clean_fields(self, exclude=None):
        """The fields, and the date within the mission's dates when either is being written.

        A field's check (not ``clean()``) so that ``exclude`` reaches it: a form without the
        date (a translator's, for whom it is read-only) and a bundle import, which copies
        what another install has as it is, leave it alone. Content from before this rule
        is not refused when only its texts change (a translation file, a translator's
        save); ``workflow.publish`` refuses to publish it until it is corrected.
        """
        errors = {}
        try:
            super().clean_fields(exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        checked = exclude is None or "date" not in exclude
        # On a new mission's add form the mission is not saved yet, but it is there.
        has_mission = self.mission_id is not None or type(self).mission.is_cached(self)
        if (
            checked
            and "date" not in errors
            and has_mission
            and self._date_written()
            and self._mission_dates_in_order()
            and self.is_outside_mission_dates()
        ):
            errors["date"] = [self.outside_mission_message()]
        if errors:
            raise ValidationError(errors)

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
