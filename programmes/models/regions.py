"""Regions (countries, provinces, cities, districts), their key figures and industry clusters."""

import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .base import (
    PUBLISHABLE_PERMISSIONS,
    SHORT_TEXT_MAX_LENGTH,
    LimitedTextField,
    Publishable,
    validate_time_zone,
)
from .querysets import (
    RegionQuerySet,
)
from .richtext import RichTextField
from .search_names import SearchNamesField


class Region(Publishable):
    class Kind(models.TextChoices):
        COUNTRY = "country", _("Country")
        PROVINCE = "province", _("Province")
        CITY = "city", _("City")
        DISTRICT = "district", _("District")

    name = models.CharField(_("name"), max_length=200)
    # Derived: the name in every language and its pinyin, for the public search.
    search_names = SearchNamesField(_("names for search"), source="name")
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
    chart_title = models.CharField(
        _("chart"),
        max_length=200,
        blank=True,
        help_text=_(
            "Figures of this region with the same chart title and unit are drawn as bars on "
            "one chart, so give the same title only to figures that are parts of one whole "
            "or the same measure of like things: “Foreign trade” for exports and imports. "
            "Leave it empty and the figure is shown as a number, not a bar."
        ),
    )
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
