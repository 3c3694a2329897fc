"""The twinning domain: regions, organisations, partnerships, missions and what came of them.

Texts a visitor reads are translated with django-modeltranslation (see
``translation.py``): each ``title`` below becomes ``title_nl``, ``title_en`` and
``title_zh_hans`` in the database. Which objects are public is decided in
``querysets.py`` and nowhere else.
"""

import datetime
import functools
import uuid
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from .images import PhotoField, renditions_for
from .querysets import (
    MissionQuerySet,
    OrganisationQuerySet,
    OutcomeQuerySet,
    PartnershipQuerySet,
    PhotoQuerySet,
    RegionQuerySet,
)
from .richtext import RichTextField

# The longest plain texts, in characters. Titles, names and roles are CharFields with their
# own max_length (200 or 300); rich text has RICH_TEXT_MAX_LENGTH (richtext.py). Each is
# many times the longest in the seed content (a summary of 189, a description of 134).
SHORT_TEXT_MAX_LENGTH = 1_000  # a summary ("one or two sentences") or an objective
DESCRIPTION_MAX_LENGTH = 5_000  # a programme item's description: a few paragraphs


def LimitedTextField(verbose_name, *, max_length: int, **kwargs):  # noqa: N802 - a field
    """A ``TextField`` of at most ``max_length`` characters, on every write path.

    Django passes a ``TextField``'s ``max_length`` only to the form's widget; the validator
    makes ``full_clean()`` (the services, a bundle import) refuse a longer text as well.
    """
    return models.TextField(
        verbose_name,
        max_length=max_length,
        validators=[MaxLengthValidator(max_length)],
        **kwargs,
    )


class Status(models.TextChoices):
    """Where an object is in the editorial workflow (``workflow.py`` moves it along)."""

    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    PUBLISHED = "published", _("Published")
    UNPUBLISHED = "unpublished", _("Unpublished")


# Publishers have one more permission per public model: "Can publish …" (publish, unpublish,
# schedule). Editors have the default four.
PUBLISHABLE_PERMISSIONS = ("add", "change", "delete", "view", "publish")


class Timestamped(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)

    class Meta:
        abstract = True


class Publishable(Timestamped):
    """A public object: stable UUID, slug, and a publication status with a date."""

    uuid = models.UUIDField(_("UUID"), default=uuid.uuid4, unique=True, editable=False)
    slug = models.SlugField(
        _("slug"),
        max_length=120,
        unique=True,
        help_text=_("The last part of the web address. Lowercase letters, digits and hyphens."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status, default=Status.DRAFT, db_index=True
    )
    publish_at = models.DateTimeField(
        _("publish date"),
        null=True,
        blank=True,
        help_text=_(
            "When the object becomes visible to the public. Set automatically when you publish; "
            "a date in the future keeps it hidden until then."
        ),
    )
    unpublish_at = models.DateTimeField(
        _("unpublish date"),
        null=True,
        blank=True,
        help_text=_(
            "When the object disappears from the public site again. Leave empty to keep it."
        ),
    )

    class Meta:
        abstract = True

    @property
    def is_published(self) -> bool:
        """The instance form of ``published()`` in querysets.py, for this object alone."""
        now = timezone.now()
        return (
            self.status == Status.PUBLISHED
            and self.publish_at is not None
            and self.publish_at <= now
            and (self.unpublish_at is None or self.unpublish_at > now)
        )


@functools.cache
def time_zone_names() -> frozenset[str]:
    """The IANA names in the time zone database (the system's, else the tzdata package)."""
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(value: str) -> None:
    """An IANA time zone name that this server's time zone database knows."""
    if value and value not in time_zone_names():
        raise ValidationError(
            _("“%(value)s” is not a known time zone. Use an IANA name such as Asia/Shanghai."),
            code="invalid_time_zone",
            params={"value": value},
        )


class Region(Publishable):
    class Kind(models.TextChoices):
        COUNTRY = "country", _("Country")
        PROVINCE = "province", _("Province")
        CITY = "city", _("City")
        DISTRICT = "district", _("District")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    latitude = models.DecimalField(
        _("latitude"), max_digits=8, decimal_places=5, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=8, decimal_places=5, null=True, blank=True
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        validators=[validate_time_zone],
        help_text=_(
            "The IANA time zone name, such as Asia/Shanghai or Europe/Amsterdam. Leave empty "
            "to use the time zone of the region it lies in. Programme start times in this "
            "region are read in this time zone."
        ),
    )
    summary = LimitedTextField(
        _("summary"),
        max_length=SHORT_TEXT_MAX_LENGTH,
        blank=True,
        help_text=_("One or two sentences shown in lists."),
    )
    profile = RichTextField(_("profile"))

    objects = RegionQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        default_permissions = PUBLISHABLE_PERMISSIONS
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="region_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="region_longitude_range",
            ),
            models.CheckConstraint(condition=~Q(parent=F("pk")), name="region_not_its_own_parent"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("programmes:region", kwargs={"slug": self.slug})

    def clean(self):
        ancestor = self.parent
        while ancestor is not None:
            if ancestor.pk == self.pk and self.pk is not None:
                raise ValidationError({"parent": _("A region cannot lie inside itself.")})
            ancestor = ancestor.parent

    def effective_time_zone(self) -> str:
        """Its own time zone, else that of the nearest region it lies in; "" when none has one.

        Walks up ``parent``: query-free when the ancestors were fetched with
        ``select_related(REGION_ANCESTORS)`` (or prefixed, e.g. ``"city__" + REGION_ANCESTORS``).
        """
        region, seen = self, set()
        while region is not None and region.pk not in seen:
            if region.time_zone:
                return region.time_zone
            seen.add(region.pk)
            region = region.parent
        return ""


class KeyFigure(models.Model):
    """A number about a region, stored as a value so it can be charted and formatted."""

    class Unit(models.TextChoices):
        COUNT = "count", _("number")
        PERCENT = "percent", _("percent")
        USD = "usd", _("US dollars")
        TONNES = "tonnes", _("tonnes")
        KILOMETRES = "km", _("kilometres")
        RANK = "rank", _("rank")

    uuid = models.UUIDField(_("UUID"), default=uuid.uuid4, unique=True, editable=False)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.CASCADE, related_name="key_figures"
    )
    label = models.CharField(_("label"), max_length=200)
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=3)
    value_max = models.DecimalField(
        _("upper value"),
        max_digits=20,
        decimal_places=3,
        null=True,
        blank=True,
        help_text=_("Only for a range such as “5 to 6 million”: the upper end."),
    )
    unit = models.CharField(_("unit"), max_length=20, choices=Unit, default=Unit.COUNT)
    approximate = models.BooleanField(
        _("approximate"), default=False, help_text=_("Shown as “about …”.")
    )
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["region", "order", "pk"]
        verbose_name = _("key figure")
        verbose_name_plural = _("key figures")
        constraints = [
            models.CheckConstraint(
                condition=Q(value_max__isnull=True) | Q(value_max__gt=F("value")),
                name="keyfigure_range_ordered",
            ),
            models.CheckConstraint(
                condition=Q(year__isnull=True) | Q(year__gte=1900, year__lte=2200),
                name="keyfigure_year_plausible",
            ),
        ]

    def __str__(self):
        return f"{self.label}: {self.formatted()}"

    def formatted(self, language: str | None = None) -> str:
        from .formatting import format_figure

        return format_figure(self, language)


class Cluster(models.Model):
    """An industry a city is known for (Shaoxing: textiles)."""

    uuid = models.UUIDField(_("UUID"), default=uuid.uuid4, unique=True, editable=False)
    region = models.ForeignKey(
        Region, verbose_name=_("city or region"), on_delete=models.CASCADE, related_name="clusters"
    )
    sector = models.CharField(_("sector"), max_length=200)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["region", "order", "pk"]
        verbose_name = _("cluster")
        verbose_name_plural = _("clusters")

    def __str__(self):
        return f"{self.region}: {self.sector}"


class FocusArea(models.Model):
    """A field of cooperation: economy, education, culture …"""

    uuid = models.UUIDField(_("UUID"), default=uuid.uuid4, unique=True, editable=False)
    slug = models.SlugField(_("slug"), unique=True)
    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "slug"]
        verbose_name = _("focus area")
        verbose_name_plural = _("focus areas")

    def __str__(self):
        return self.name


class Organisation(Publishable):
    class Kind(models.TextChoices):
        MUNICIPALITY = "municipality", _("Municipality")
        PROVINCE = "province", _("Province")
        DEVELOPMENT_AGENCY = "development_agency", _("Development agency")
        BUSINESS_SUPPORT_OFFICE = "business_support_office", _("Business support office")
        UNIVERSITY = "university", _("University")
        CONSULATE = "consulate", _("Consulate")
        COMPANY = "company", _("Company")
        MUSEUM = "museum", _("Museum")
        PORT = "port", _("Port")
        HIGH_TECH_ZONE = "high_tech_zone", _("High-tech zone")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind)
    region = models.ForeignKey(
        Region,
        verbose_name=_("located in"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisations",
    )
    website = models.URLField(_("website"), blank=True)
    description = RichTextField(_("description"))

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        default_permissions = PUBLISHABLE_PERMISSIONS
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("programmes:organisation", kwargs={"slug": self.slug})


class Membership(models.Model):
    """A staff member works for an organisation: they edit the content it owns.

    What they may do there is their role, a group (editor, publisher, translator or site
    manager, see ``permissions.py``). A translator edits only the texts in ``languages``.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    languages = models.JSONField(
        _("translates into"),
        default=list,
        blank=True,
        help_text=_("For translators: the languages whose texts they edit."),
    )

    class Meta:
        ordering = ["organisation", "user"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique"),
        ]

    def __str__(self):
        return f"{self.user} – {self.organisation}"

    def clean(self):
        translatable = set(settings.MODELTRANSLATION_LANGUAGES) - {
            settings.MODELTRANSLATION_DEFAULT_LANGUAGE
        }
        if not isinstance(self.languages, list) or not set(self.languages) <= translatable:
            raise ValidationError(
                {"languages": _("Choose from: %s.") % ", ".join(sorted(translatable))}
            )


class Partnership(Publishable):
    class Kind(models.TextChoices):
        CITY_LINK = "city_link", _("City link")
        SISTER_CITY = "sister_city", _("Sister city")
        FRIENDSHIP_AGREEMENT = "friendship_agreement", _("Friendship agreement")
        MOU = "mou", _("Memorandum of understanding")

    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind)
    owner = models.ForeignKey(
        Organisation,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="owned_partnerships",
        help_text=_(
            "The organisation whose staff edit this partnership, its missions, programme items, "
            "outcomes and photos. Not shown to the public."
        ),
    )
    home_region = models.ForeignKey(
        Region,
        verbose_name=_("home region"),
        on_delete=models.PROTECT,
        related_name="home_partnerships",
    )
    partner_region = models.ForeignKey(
        Region,
        verbose_name=_("partner region"),
        on_delete=models.PROTECT,
        related_name="partner_partnerships",
    )
    since_year = models.PositiveSmallIntegerField(_("since (year)"), null=True, blank=True)
    coordinator = models.ForeignKey(
        Organisation,
        verbose_name=_("coordinating organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="coordinated_partnerships",
    )
    coordinator_since_year = models.PositiveSmallIntegerField(
        _("coordinating since (year)"), null=True, blank=True
    )
    coordinator_role = models.CharField(
        _("coordinator's role"),
        max_length=300,
        blank=True,
        help_text=_("What the coordinating organisation is responsible for."),
    )
    focus_areas = models.ManyToManyField(
        FocusArea, verbose_name=_("focus areas"), blank=True, related_name="partnerships"
    )
    summary = LimitedTextField(_("summary"), max_length=SHORT_TEXT_MAX_LENGTH, blank=True)
    description = RichTextField(_("description"))

    objects = PartnershipQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        default_permissions = PUBLISHABLE_PERMISSIONS
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")
        constraints = [
            models.CheckConstraint(
                condition=~Q(home_region=F("partner_region")),
                name="partnership_two_different_regions",
            ),
            models.CheckConstraint(
                condition=Q(since_year__isnull=True)
                | Q(coordinator_since_year__isnull=True)
                | Q(coordinator_since_year__gte=F("since_year")),
                name="partnership_coordinator_not_before_start",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("programmes:partnership", kwargs={"slug": self.slug})


class Objective(models.Model):
    """One aim or facet of a partnership."""

    uuid = models.UUIDField(_("UUID"), default=uuid.uuid4, unique=True, editable=False)
    partnership = models.ForeignKey(
        Partnership,
        verbose_name=_("partnership"),
        on_delete=models.CASCADE,
        related_name="objectives",
    )
    text = LimitedTextField(_("objective"), max_length=SHORT_TEXT_MAX_LENGTH)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["partnership", "order", "pk"]
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")

    def __str__(self):
        return self.text


class Mission(Publishable):
    class Kind(models.TextChoices):
        INSPIRATION_TRIP = "inspiration_trip", _("Inspiration trip")
        ECONOMIC_MISSION = "economic_mission", _("Economic mission")
        BUSINESS_DAYS = "business_days", _("Business days")
        INCOMING_DELEGATION = "incoming_delegation", _("Incoming delegation")
        PROGRAMME_VISIT = "programme_visit", _("Programme visit")

    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind)
    partnership = models.ForeignKey(
        Partnership,
        verbose_name=_("partnership"),
        on_delete=models.PROTECT,
        related_name="missions",
    )
    destinations = models.ManyToManyField(
        Region, verbose_name=_("destinations"), blank=True, related_name="missions"
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
    description = LimitedTextField(_("description"), max_length=DESCRIPTION_MAX_LENGTH, blank=True)
    date = models.DateField(_("date"), null=True, blank=True)
    start_time = models.TimeField(_("start time"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["mission", "order", "pk"]
        verbose_name = _("programme item")
        verbose_name_plural = _("programme items")
        constraints = [
            models.CheckConstraint(
                condition=Q(start_time__isnull=True) | Q(date__isnull=False),
                name="programmeitem_time_needs_date",
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        if self.start_time and not self.date:
            raise ValidationError({"start_time": _("A start time needs a date.")})

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


class Outcome(Publishable):
    """A concrete result of a mission or a partnership."""

    class Kind(models.TextChoices):
        CONTRACT = "contract", _("Contract")
        COLLABORATION = "collaboration", _("Collaboration")
        PROJECT = "project", _("Project")
        AGREEMENT = "agreement", _("Agreement")
        EDUCATION = "education", _("Education step")
        CULTURE = "culture", _("Culture step")
        INVESTMENT = "investment", _("Investment")
        OTHER = "other", _("Other")

    class Progress(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        ACHIEVED = "achieved", _("Achieved")

    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind)
    area = models.ForeignKey(
        FocusArea,
        verbose_name=_("area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="outcomes",
    )
    partnership = models.ForeignKey(
        Partnership,
        verbose_name=_("partnership"),
        on_delete=models.PROTECT,
        related_name="outcomes",
    )
    mission = models.ForeignKey(
        Mission,
        verbose_name=_("mission"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="outcomes",
        help_text=_("Leave empty when the outcome belongs to the partnership as a whole."),
    )
    parties = models.CharField(_("parties"), max_length=300, blank=True)
    date = models.DateField(_("date"), null=True, blank=True)
    progress = models.CharField(
        _("progress"), max_length=20, choices=Progress, default=Progress.ACHIEVED
    )
    description = RichTextField(_("description"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = OutcomeQuerySet.as_manager()

    class Meta:
        ordering = ["partnership", "mission", "order", "pk"]
        default_permissions = PUBLISHABLE_PERMISSIONS
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("programmes:outcome", kwargs={"slug": self.slug})

    def clean(self):
        if (
            self.mission_id
            and self.partnership_id
            and (self.mission.partnership_id != self.partnership_id)
        ):
            raise ValidationError({"mission": _("This mission belongs to another partnership.")})


def photo_upload_to(instance, filename):
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    return f"photos/{uuid.uuid4().hex}.{suffix}"


class Photo(Timestamped):
    uuid = models.UUIDField(_("UUID"), default=uuid.uuid4, unique=True, editable=False)
    image = PhotoField(
        _("image"),
        upload_to=photo_upload_to,
        width_field="width",
        height_field="height",
        help_text=_(
            "A JPEG, PNG or WebP photo of at most 20 MB and 40 megapixels. Location and "
            "camera data are removed when it is saved."
        ),
    )
    width = models.PositiveIntegerField(editable=False, null=True)
    height = models.PositiveIntegerField(editable=False, null=True)
    alt_text = models.CharField(
        _("alternative text"),
        max_length=300,
        help_text=_("Describe what the photo shows for people who cannot see it."),
    )
    caption = models.CharField(_("caption"), max_length=300, blank=True)
    credit = models.CharField(_("credit"), max_length=200, blank=True)
    mission = models.ForeignKey(
        Mission,
        verbose_name=_("mission"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="photos",
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="photos",
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = PhotoQuerySet.as_manager()

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        constraints = [
            models.CheckConstraint(
                condition=Q(mission__isnull=False) | Q(region__isnull=False),
                name="photo_belongs_somewhere",
            ),
        ]

    def __str__(self):
        return self.alt_text

    def clean(self):
        if not self.mission_id and not self.region_id:
            raise ValidationError(_("Attach the photo to a mission or a region."))

    @cached_property
    def renditions(self):
        """The responsive versions pages show (see ``images.py``); made if missing."""
        return renditions_for(self.image, (self.width, self.height))


class AuditLogEntry(models.Model):
    """Who created, changed, published, unpublished or deleted which content, and when.

    Also who viewed, exported or erased registrations (personal data, ``registrations/``).

    Written by the services (``programmes.audit.record``), so every write path is logged,
    not only the admin's forms. Read-only in the admin, for site managers. ``username``
    keeps the name when the user account is deleted later.
    """

    class Action(models.TextChoices):
        CREATED = "created", _("Created")
        CHANGED = "changed", _("Changed")
        PUBLISHED = "published", _("Published")
        UNPUBLISHED = "unpublished", _("Unpublished")
        DELETED = "deleted", _("Deleted")
        REVERTED = "reverted", _("Reverted")
        RECOVERED = "recovered", _("Recovered")
        # Personal data (registrations/): who read, exported or erased it.
        VIEWED = "viewed", _("Viewed")
        EXPORTED = "exported", _("Exported")
        ERASED = "erased", _("Erased")

    timestamp = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    username = models.CharField(_("username"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=Action, db_index=True)
    content_type = models.ForeignKey(
        "contenttypes.ContentType",
        verbose_name=_("kind of content"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    object_id = models.CharField(_("object ID"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=200)
    changed_fields = models.JSONField(_("changed fields"), default=list, blank=True)
    message = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-timestamp", "-pk"]
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")
        indexes = [models.Index(fields=["content_type", "object_id"], name="audit_object")]

    def __str__(self):
        return f"{self.get_action_display()}: {self.object_repr}"


class ExportRecord(models.Model):
    """What partner sites were last shown of one exported object: there, or gone since when.

    ``programmes.sync`` keeps one row per region, organisation, partnership, mission and
    outcome that was ever public, by comparing the published set with these rows. A row
    that is not ``public`` is a tombstone, listed by ``/api/v1/deleted``: the object was
    deleted, unpublished or otherwise left the public site at ``changed_at``.
    """

    class Type(models.TextChoices):
        REGION = "region", _("region")
        ORGANISATION = "organisation", _("organisation")
        PARTNERSHIP = "partnership", _("partnership")
        MISSION = "mission", _("mission")
        OUTCOME = "outcome", _("outcome")

    type = models.CharField(_("type"), max_length=20, choices=Type)
    uuid = models.UUIDField(_("UUID"), unique=True)
    public = models.BooleanField(_("public"))
    changed_at = models.DateTimeField(_("changed"), db_index=True)

    class Meta:
        verbose_name = _("export record")
        verbose_name_plural = _("export records")
        indexes = [models.Index(fields=["public", "changed_at"], name="export_record_gone")]

    def __str__(self):
        return f"{self.type} {self.uuid}"


# The read model (readmodel.py) -------------------------------------------------------------
# Derived data: what public pages and API answers show, rebuilt from the models above when
# stale. Writes to these three send no content signals (``DERIVED_MODELS``).


class ReadModelEntry(models.Model):
    """One public page or API answer as visitors get it, in one language, for one host.

    Valid while ``valid_until`` has not passed and no object it was built from has a
    :class:`ContentStamp` at or after ``built_at`` (decided in SQL, ``readmodel.py``).
    """

    kind = models.CharField(max_length=40)
    key = models.CharField(max_length=200)
    language = models.CharField(max_length=10)
    origin = models.CharField(max_length=200)
    build = models.CharField(max_length=32)
    content = models.BinaryField()
    content_type = models.CharField(max_length=100)
    etag = models.CharField(max_length=100, blank=True)
    # For an API answer: its Last-Modified, a POSIX timestamp.
    last_modified = models.FloatField(null=True)
    built_at = models.DateTimeField()
    valid_until = models.DateTimeField(null=True)

    class Meta:
        default_permissions = ()  # derived data: nobody edits it
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "key", "language", "origin"], name="readmodel_entry_unique"
            ),
        ]

    def __str__(self):
        return f"{self.kind} {self.key} ({self.language})"


class ReadModelDependency(models.Model):
    """An object (model label and primary key) a :class:`ReadModelEntry` was built from."""

    entry = models.ForeignKey(ReadModelEntry, on_delete=models.CASCADE, related_name="+")
    model = models.CharField(max_length=60)
    object_id = models.BigIntegerField()

    class Meta:
        default_permissions = ()  # derived data: nobody edits it
        constraints = [
            models.UniqueConstraint(
                fields=["entry", "model", "object_id"], name="readmodel_dependency_unique"
            ),
        ]
        indexes = [models.Index(fields=["model", "object_id"], name="readmodel_dependency_object")]

    def __str__(self):
        return f"{self.model} {self.object_id}"


class ContentStamp(models.Model):
    """When an object (model label and primary key) was last written, or a write touched it."""

    model = models.CharField(max_length=60)
    object_id = models.BigIntegerField()
    changed_at = models.DateTimeField(db_index=True)

    class Meta:
        default_permissions = ()  # derived data: nobody edits it
        constraints = [
            models.UniqueConstraint(fields=["model", "object_id"], name="content_stamp_unique"),
        ]

    def __str__(self):
        return f"{self.model} {self.object_id}: {self.changed_at}"


DERIVED_MODELS = (ReadModelEntry, ReadModelDependency, ContentStamp)
