"""Photos of missions and regions (the file handling is in ``images.py``)."""

import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from .base import (
    Timestamped,
)
from .images import PhotoField, renditions_for
from .missions import Mission
from .querysets import (
    PhotoQuerySet,
)
from .regions import Region


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
