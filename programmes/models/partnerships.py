"""Partnerships between two regions, and their objectives."""

import uuid

from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .base import (
    PUBLISHABLE_PERMISSIONS,
    SHORT_TEXT_MAX_LENGTH,
    LimitedTextField,
    Publishable,
)
from .focus_areas import FocusArea
from .organisations import Organisation
from .querysets import (
    PartnershipQuerySet,
)
from .regions import Region
from .richtext import RichTextField
from .search_names import SearchNamesField


class Partnership(Publishable):
    class Kind(models.TextChoices):
        CITY_LINK = "city_link", _("City link")
        SISTER_CITY = "sister_city", _("Sister city")
        FRIENDSHIP_AGREEMENT = "friendship_agreement", _("Friendship agreement")
        MOU = "mou", _("Memorandum of understanding")

    title = models.CharField(_("title"), max_length=200)
    # Derived: the title in every language and its pinyin, for the public search.
    search_names = SearchNamesField(_("names for search"), source="title")
    kind = models.CharField(_("kind"), max_length=30, choices=Kind)
    owner = models.ForeignKey(
        Organisation,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="owned_partnerships",
        help_text=_(
            "The organisation whose staff edit this partnership, its missions, programme items, "
            "outcomes and photos. Once the partnership is published, the site's footer names it "
            "as one of the site's publishers."
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
