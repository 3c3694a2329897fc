"""Partner reviewers and their suggestions.

A partner reviewer works for the partner side of a partnership (the Chinese city's
foreign-affairs office), not for the organisation that owns it: they read the
partnership's content in their languages and suggest changes to its texts. A suggestion
changes nothing by itself; the owning organisation's editors and publishers accept it
(``programmes/domain/reviews.py`` writes it through the services) or decline it with a reply.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .base import DESCRIPTION_MAX_LENGTH, LimitedTextField
from .partnerships import Partnership
from .richtext import RICH_TEXT_MAX_LENGTH


def validate_review_languages(value) -> None:
    """A non-empty list of the site's content languages."""
    languages = set(settings.MODELTRANSLATION_LANGUAGES)
    if not isinstance(value, list) or not value or not set(value) <= languages:
        raise ValidationError(_("Choose from: %s.") % ", ".join(sorted(languages)))


class PartnerReviewer(models.Model):
    """A user who reviews one partnership's texts in ``languages`` (the role "Partner reviewer").

    It is a membership of the partnership, not of an organisation: it gives no right to
    change anything, and nothing of the owner's other partnerships.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="partner_reviews",
    )
    partnership = models.ForeignKey(
        Partnership,
        verbose_name=_("partnership"),
        on_delete=models.CASCADE,
        related_name="reviewers",
    )
    languages = models.JSONField(
        _("reviews in"),
        default=list,
        validators=[validate_review_languages],
        help_text=_("The languages whose texts they read and suggest changes to."),
    )

    class Meta:
        ordering = ["partnership", "user"]
        verbose_name = _("partner reviewer")
        verbose_name_plural = _("partner reviewers")
        constraints = [
            models.UniqueConstraint(fields=["user", "partnership"], name="partner_reviewer_unique"),
        ]

    def __str__(self):
        return f"{self.user} – {self.partnership}"


class Suggestion(models.Model):
    """A reviewer's proposed text for one translated field of one object, in one language.

    ``base_text`` is the text as it was when the suggestion was made: if the field has
    changed since, the suggestion is stale and is never applied over the newer text
    without the decider saying so.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    # The partnership the object belongs to: whose reviewers and whose owner see it.
    partnership = models.ForeignKey(
        Partnership,
        verbose_name=_("partnership"),
        on_delete=models.CASCADE,
        related_name="suggestions",
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    object_repr = models.CharField(_("object"), max_length=200)
    field = models.CharField(_("field"), max_length=50)
    language = models.CharField(_("language"), max_length=10)
    # As long as the longest text a field takes (rich text); a comment or reply is shorter.
    base_text = LimitedTextField(
        _("text when suggested"), max_length=RICH_TEXT_MAX_LENGTH, blank=True
    )
    proposed_text = LimitedTextField(
        _("proposed text"), max_length=RICH_TEXT_MAX_LENGTH, blank=True
    )
    comment = LimitedTextField(_("comment"), max_length=DESCRIPTION_MAX_LENGTH, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("suggested by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="suggestions",
    )
    # The interface language the reviewer worked in: their e-mails are written in it.
    author_language = models.CharField(max_length=10, default=settings.LANGUAGE_CODE)
    created_at = models.DateTimeField(_("suggested at"), auto_now_add=True)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.OPEN)
    reply = LimitedTextField(_("reply"), max_length=DESCRIPTION_MAX_LENGTH, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("suggestion")
        verbose_name_plural = _("suggestions")
        indexes = [
            models.Index(fields=["content_type", "object_id", "status"]),
            models.Index(fields=["partnership", "status"]),
        ]

    def __str__(self):
        return f"{self.object_repr} – {self.field} ({self.language})"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN
