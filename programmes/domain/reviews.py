"""Partner reviewers' suggestions: making them, and accepting or declining them.

A suggestion is a proposed text for one translated field of one object, in one language,
by a partner reviewer (``permissions.may_suggest``). It changes nothing: it is no content,
sends no content event, and is never in the API, the bundles, the feeds or the public
pages. Only accepting one writes, through ``services.save_content``, so the text is
sanitized, validated, versioned (the revision's comment credits the reviewer and the
decider) and logged like any other change, and the partner sites hear of it.

A suggestion remembers the text it was made against (``base_text``). If the field has
changed since, the suggestion is *stale*: it is shown as such and accepted only when the
decider says to replace the newer text, never silently over it.

The reviewer is told of the decision by e-mail, in the language they worked in, after the
decision has committed (``notify``).
"""

import logging
import smtplib
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import models, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django_prose_editor.fields import ProseEditorField
from modeltranslation.utils import build_localized_fieldname

from programmes.models import Mission, Partnership, Suggestion
from programmes.models.richtext import sanitize_html

from . import permissions, revisions, services

logger = logging.getLogger(__name__)

# An English source string, as every revision comment is; it names the two people.
ACCEPTED_COMMENT = "Suggested by {author}, accepted by {decider}"

# The parts shown on a parent's change page (inlines), whose suggestions show there too.
PAGE_PARTS = {
    Partnership: ("objectives",),
    Mission: ("programme_items", "outcomes", "photos"),
}


class SuggestionError(Exception):
    """A suggestion or a decision that cannot be made, with the reason in words."""


# Reading texts --------------------------------------------------------------------------------


def reviewable_fields(model: type[models.Model]) -> list[str]:
    """The translated fields of ``model`` a reviewer may suggest changes to, in form order."""
    names = revisions.translated_field_names(model)
    return [f.name for f in model._meta.concrete_fields if f.name in names]


def column(model: type[models.Model], field: str, language: str) -> models.Field:
    """The language column of a translated field (``title`` in ``zh-hans``: ``title_zh_hans``)."""
    return model._meta.get_field(build_localized_fieldname(field, language))


def is_rich_text(model: type[models.Model], field: str) -> bool:
    return isinstance(model._meta.get_field(field), ProseEditorField)


def current_text(obj: models.Model, field: str, language: str) -> str:
    """The stored text of ``field`` in ``language`` (no fallback to another language)."""
    return getattr(obj, column(type(obj), field, language).attname) or ""


def readable(model: type[models.Model], field: str, text: str) -> str:
    """A text as a reader sees it: rich text without its markup."""
    return revisions.html_to_text(text) if is_rich_text(model, field) else text


def target_of(suggestion: Suggestion) -> models.Model | None:
    """The object a suggestion is for, as it is now; None if it was deleted, or if it is no
    longer content of the suggestion's partnership.

    A mission (say) moved to another partnership, perhaps another organisation's, is no
    business of this partnership's reviewers and owner any more: the suggestion's page
    would show them its current text (a draft of the other organisation), and accepting
    would write into it. For them it is gone, as if deleted.
    """
    model = suggestion.content_type.model_class()
    lookup = permissions.REVIEW_LOOKUPS[model._meta.model_name]
    return (
        model._base_manager.filter(pk=suggestion.object_id)
        .filter(**{lookup: suggestion.partnership_id})
        .first()
    )


def is_stale(suggestion: Suggestion, target: models.Model | None) -> bool:
    """Whether the text has changed since the suggestion was made (or the object is gone)."""
    if target is None:
        return True
    return current_text(target, suggestion.field, suggestion.language) != suggestion.base_text


@dataclass(frozen=True)
class Review:
    """What a decider sees of a suggestion: the diff against the current text, and whether
    that text changed since the suggestion was made."""

    suggestion: Suggestion
    target: models.Model | None
    field_label: str
    stale: bool
    before: list[tuple[str, bool]]
    after: list[tuple[str, bool]]


def review(suggestion: Suggestion, target: models.Model | None) -> Review:
    """An open suggestion against the current text, word by word (character by character
    for Chinese, which has no spaces: ``revisions.word_diff``). A decided one against the
    text it was made against: once accepted, the current text *is* the suggestion, and the
    diff showed nothing of what was changed."""
    model = suggestion.content_type.model_class()
    if not suggestion.is_open:
        current = suggestion.base_text
    elif target is None:
        current = ""
    else:
        current = current_text(target, suggestion.field, suggestion.language)
    before, after = revisions.word_diff(
        readable(model, suggestion.field, current),
        readable(model, suggestion.field, suggestion.proposed_text),
    )
    label, _language = revisions.field_label(model._meta.get_field(suggestion.field))
    return Review(suggestion, target, label, is_stale(suggestion, target), before, after)


def reviews(suggestions) -> list[Review]:
    """``review`` for each suggestion, reading each object once."""
    targets: dict[tuple[int, int], models.Model | None] = {}
    result = []
    for suggestion in suggestions:
        key = (suggestion.content_type_id, suggestion.object_id)
        if key not in targets:
            targets[key] = target_of(suggestion)
        result.append(review(suggestion, targets[key]))
    return result


# Who sees what --------------------------------------------------------------------------------


def on_page(obj: models.Model) -> Q:
    """The suggestions shown on ``obj``'s change page: for it and for the parts edited there."""
    ct = ContentType.objects.get_for_model
    shown = Q(content_type=ct(obj), object_id=obj.pk)
    for name in PAGE_PARTS.get(type(obj), ()):
        related = getattr(obj, name)
        shown |= Q(content_type=ct(related.model), object_id__in=related.values("pk"))
    return shown


def open_on_page(obj: models.Model, user) -> list[Review]:
    """The open suggestions ``user`` may read on ``obj``'s change page, with their diffs."""
    suggestions = permissions.suggestions_visible_to(
        Suggestion.objects.filter(on_page(obj), status=Suggestion.Status.OPEN), user
    ).select_related("author", "content_type")
    return reviews(suggestions)


def open_suggestions_for(user) -> list[Review]:
    """The open suggestions ``user`` may decide on, oldest first: a start page's panel."""
    if not user.has_perm("programmes.change_suggestion"):
        return []
    suggestions = permissions.scope(
        Suggestion.objects.filter(status=Suggestion.Status.OPEN), user
    ).select_related("author", "content_type", "partnership")
    return [
        each
        for each in reviews(suggestions.order_by("created_at", "pk"))
        if permissions.may_decide(user, each.suggestion, each.target)
    ]


# Writes ---------------------------------------------------------------------------------------


def display_name(user) -> str:
    if user is None:
        return "?"
    return user.get_full_name() or user.get_username()


@transaction.atomic
def suggest(
    obj: models.Model,
    *,
    field: str,
    language: str,
    text: str,
    comment: str,
    by,
    interface_language: str,
) -> Suggestion:
    """Record ``by``'s proposed ``text`` for ``field`` of ``obj`` in ``language``.

    The text is checked as the field would check it on a save (length, required) and rich
    text sanitized as a save would, so the diff shows what accepting would store.
    """
    model = type(obj)
    if field not in reviewable_fields(model) or not permissions.may_suggest(by, obj, language):
        raise PermissionDenied(_("You may not suggest a change to this text."))
    target_column = column(model, field, language)
    text = text.replace("\r\n", "\n").strip()
    if is_rich_text(model, field):
        text = sanitize_html(text)
    try:
        target_column.clean(text, obj)
    except ValidationError as error:
        raise SuggestionError(" ".join(error.messages)) from None
    current = current_text(obj, field, language)
    if text == current:
        raise SuggestionError(_("The suggested text is the same as the current text."))
    suggestion = Suggestion(
        partnership_id=permissions.partnership_id_of(obj),
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        object_repr=str(obj)[: Suggestion._meta.get_field("object_repr").max_length],
        field=field,
        language=language,
        base_text=current,
        proposed_text=text,
        comment=comment.strip(),
        author=by,
        author_language=interface_language,
    )
    _checked(suggestion)
    suggestion.save()
    return suggestion


def _checked(suggestion: Suggestion) -> None:
    """Refuse what the model would not take (a comment or reply over its length)."""
    try:
        suggestion.full_clean()
    except ValidationError as error:
        raise SuggestionError(" ".join(error.messages)) from None


def _locked_for_decision(suggestion: Suggestion, by) -> tuple[Suggestion, models.Model | None]:
    """The suggestion, locked against a second decision at the same time, and its object."""
    suggestion = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
    target = target_of(suggestion)
    if not permissions.may_decide(by, suggestion, target):
        raise PermissionDenied(_("You may not decide on this suggestion."))
    if not suggestion.is_open:
        raise SuggestionError(_("This suggestion has already been decided."))
    return suggestion, target


@transaction.atomic
def accept(
    suggestion: Suggestion, *, by, replace_newer_text: bool = False, base_url: str = ""
) -> Suggestion:
    """Write the suggested text to its object as ``by``, and tell the reviewer.

    The write is ``services.save_content``: a revision by ``by`` whose comment names the
    reviewer too, an audit log entry, a content event. A stale suggestion is refused unless
    ``replace_newer_text``: the decider has seen the newer text and replaces it knowingly.
    """
    suggestion, target = _locked_for_decision(suggestion, by)
    if target is None:
        raise SuggestionError(
            _(
                "The text's object has been deleted, or moved to another partnership: "
                "decline the suggestion."
            )
        )
    if is_stale(suggestion, target) and not replace_newer_text:
        raise SuggestionError(
            _(
                "The text has changed since this suggestion was made. Compare it with the "
                "current text, and accept it only if it should replace that."
            )
        )
    setattr(
        target,
        column(type(target), suggestion.field, suggestion.language).attname,
        suggestion.proposed_text,
    )
    credit = ACCEPTED_COMMENT.format(
        author=display_name(suggestion.author), decider=display_name(by)
    )
    try:
        services.save_content(target, user=by, comment=credit)
    except ValidationError as error:
        raise SuggestionError(" ".join(error.messages)) from None
    return _decided(suggestion, Suggestion.Status.ACCEPTED, by=by, reply="", base_url=base_url)


@transaction.atomic
def decline(suggestion: Suggestion, *, by, reply: str, base_url: str = "") -> Suggestion:
    """Close the suggestion without changing anything; ``reply`` tells the reviewer why."""
    suggestion, _target = _locked_for_decision(suggestion, by)
    reply = reply.strip()
    if not reply:
        raise SuggestionError(_("Say in a reply why the suggestion is declined."))
    return _decided(suggestion, Suggestion.Status.DECLINED, by=by, reply=reply, base_url=base_url)


def _decided(suggestion: Suggestion, status: str, *, by, reply: str, base_url: str) -> Suggestion:
    suggestion.status = status
    suggestion.reply = reply
    suggestion.decided_by = by
    suggestion.decided_at = timezone.now()
    _checked(suggestion)
    suggestion.save(update_fields=["status", "reply", "decided_by", "decided_at"])
    transaction.on_commit(lambda: notify(suggestion, base_url=base_url))
    return suggestion


# E-mail ---------------------------------------------------------------------------------------


def _may_still_read(user, suggestion: Suggestion) -> bool:
    """Whether ``user`` may read ``suggestion`` now: a reviewer whose partnership (or
    language) was taken away since is told nothing more of its texts."""
    visible = Suggestion.objects.filter(pk=suggestion.pk)
    return permissions.suggestions_visible_to(visible, user).exists()


def notify(suggestion: Suggestion, *, base_url: str) -> bool:
    """Tell the reviewer what became of their suggestion (if they may still read it);
    whether the mail server took it.

    Plain text, in the interface language the reviewer suggested in. A server that refuses
    is logged (with the suggestion's number): the decision stands, and the reviewer sees it
    in the admin.
    """
    author = suggestion.author
    if author is None or not author.email or not _may_still_read(author, suggestion):
        return False
    with translation.override(suggestion.author_language):
        path = reverse("admin:programmes_suggestion_change", args=[suggestion.pk])
        model = suggestion.content_type.model_class()
        label, _language = revisions.field_label(model._meta.get_field(suggestion.field))
        context = {
            "suggestion": suggestion,
            "field_label": label,
            "decider": display_name(suggestion.decided_by),
            "url": base_url.rstrip("/") + path,
        }
        subject = render_to_string("programmes/email/suggestion_decided_subject.txt", context)
        body = render_to_string("programmes/email/suggestion_decided.txt", context)
    message = EmailMessage(
        " ".join(subject.split()),
        body,
        to=[author.email],
        # The language says which spelling checker or translation a mail client offers.
        headers={
            "Auto-Submitted": "auto-generated",
            "Content-Language": suggestion.author_language,
        },
    )
    try:
        message.send(using="default")
    except (smtplib.SMTPException, OSError):
        logger.exception("Could not send the decision on suggestion %s", suggestion.pk)
        return False
    return True
