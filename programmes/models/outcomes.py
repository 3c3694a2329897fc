"""Outcomes: what came of a partnership or a mission."""

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .base import (
    PUBLISHABLE_PERMISSIONS,
    Publishable,
)
from .focus_areas import FocusArea
from .missions import Mission
from .partnerships import Partnership
from .querysets import (
    OutcomeQuerySet,
)
from .richtext import RichTextField
from .search_names import SearchNamesField


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
    # Derived: the title in every language and its pinyin, for the public search.
    search_names = SearchNamesField(_("names for search"), source="title")
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
