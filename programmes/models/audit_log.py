"""The audit log: who did what to which content (written by ``programmes.domain.audit``)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditLogEntry(models.Model):
    """Who created, changed, published, unpublished or deleted which content, and when.

    Written by the services (``programmes.audit.record``), so every write path is logged,
    not only the admin's forms. Read-only in the admin, for site managers. ``username``
    keeps the name when the user account is deleted later.

    The workflow's steps are entries too: submitted for review (by the author, whom the
    publisher's decision is mailed to) and sent back, with the publisher's comment as the
    ``message``.

    Also who viewed, exported or erased registrations (personal data, ``registrations/``).
    """

    class Action(models.TextChoices):
        CREATED = "created", _("Created")
        CHANGED = "changed", _("Changed")
        PUBLISHED = "published", _("Published")
        UNPUBLISHED = "unpublished", _("Unpublished")
        DELETED = "deleted", _("Deleted")
        REVERTED = "reverted", _("Reverted")
        RECOVERED = "recovered", _("Recovered")
        # The workflow's steps that are no publication (workflow.py): the start page reads
        # who asked for a review and since when, and the comment of a send-back, from these.
        SUBMITTED = "submitted", _("Submitted for review")
        SENT_BACK = "sent_back", _("Sent back to draft")
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
