"""What partner sites were last shown of each exported object (``programmes.domain.sync``)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


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
