"""Focus areas: the fields of cooperation partnerships and outcomes are filed under."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


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
