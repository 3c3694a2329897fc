"""Partner endpoints, what was sent to them, and what partners were told is public."""

import contextlib
import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from .network import normalise_url, validate_endpoint_url

SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    """A fresh signing secret: 256 random bits, recognisable by its prefix."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


class Endpoint(models.Model):
    """A partner's URL that receives signed events about the partnerships it follows."""

    url = models.URLField(
        _("URL"),
        max_length=500,
        validators=[validate_endpoint_url],
        help_text=_("The partner's address that receives the events, starting with https://."),
    )
    description = models.CharField(
        _("description"),
        max_length=200,
        blank=True,
        help_text=_("Who the partner is and whom to contact when deliveries fail."),
    )
    # The secret is needed in plain text to sign each event, so it cannot be hashed; only
    # site managers see it (webhooks/admin.py).
    secret = models.CharField(_("secret"), max_length=100, default=new_secret, editable=False)
    previous_secret = models.CharField(max_length=100, blank=True, editable=False)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    all_partnerships = models.BooleanField(
        _("all partnerships"),
        default=False,
        help_text=_("Send events about every partnership, including ones added later."),
    )
    partnerships = models.ManyToManyField(
        "programmes.Partnership",
        verbose_name=_("partnerships"),
        blank=True,
        related_name="+",
        help_text=_("Send events about these partnerships and their missions and outcomes."),
    )
    active = models.BooleanField(
        _("active"), default=True, help_text=_("Untick to stop sending events for a while.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["url", "pk"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self):
        return self.url

    def clean(self):
        # Kept as it is checked and contacted: host in lower case and IDNA A-labels, no
        # trailing dot. An address that cannot be normalised is refused by its validator.
        with contextlib.suppress(ValueError):
            self.url = normalise_url(self.url)


class Delivery(models.Model):
    """One event for one endpoint, with its attempts so far (``DeliveryAttempt``)."""

    # The event type of the admin's "Send test event": delivered even to an inactive endpoint.
    TEST_EVENT = "webhook.test"

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        RETRYING = "retrying", _("Waiting to retry")
        SUCCEEDED = "succeeded", _("Delivered")
        FAILED = "failed", _("Given up")
        CANCELLED = "cancelled", _("Cancelled")

    endpoint = models.ForeignKey(
        Endpoint, verbose_name=_("endpoint"), on_delete=models.CASCADE, related_name="deliveries"
    )
    event_id = models.UUIDField(_("event ID"), db_index=True)
    event_type = models.CharField(_("event"), max_length=50)
    payload = models.JSONField(_("payload"))
    state = models.CharField(
        _("state"), max_length=20, choices=State, default=State.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next retry"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("status code"), null=True, blank=True)
    last_error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")

    def __str__(self):
        return f"{self.event_type} {str(self.event_id)[:8]}"


class DeliveryAttempt(models.Model):
    """One POST to a partner: what came back, how long it took, or what went wrong."""

    delivery = models.ForeignKey(
        Delivery, verbose_name=_("delivery"), on_delete=models.CASCADE, related_name="attempt_log"
    )
    number = models.PositiveSmallIntegerField(_("attempt"))
    attempted_at = models.DateTimeField(_("time"), db_index=True)
    status_code = models.PositiveSmallIntegerField(_("status code"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"))
    error = models.TextField(_("error"), blank=True)
    response_body = models.TextField(_("response (start)"), blank=True)

    class Meta:
        ordering = ["delivery", "number"]
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")

    def __str__(self):
        return f"#{self.number}"

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class PublicCopy(models.Model):
    """An object partners were told is public, and so may hold a copy of.

    Written in the same transaction as the content, this is what tells a change of public
    content ("mission.changed") from a publication, and what makes unpublishing or deleting
    something partners have an event ("remove your copy") while a draft's edits stay silent.
    The ids are plain numbers, not foreign keys: the row must outlive a deleted object
    until its "deleted" event is sent.
    """

    object_type = models.CharField(max_length=20)
    object_id = models.PositiveBigIntegerField()
    uuid = models.UUIDField()
    partnership_id = models.PositiveBigIntegerField(null=True)
    mission_id = models.PositiveBigIntegerField(null=True)
    announced_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["object_type", "object_id"], name="unique_public_copy")
        ]
        indexes = [
            models.Index(fields=["partnership_id"]),
            models.Index(fields=["mission_id"]),
        ]

    def __str__(self):
        return f"{self.object_type} {self.uuid}"
