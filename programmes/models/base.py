"""What every content model shares: the publication status, timestamps, text limits, validators."""

import functools
import uuid
import zoneinfo

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

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
