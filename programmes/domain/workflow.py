"""The editorial workflow: draft → in review → published → unpublished.

Each transition is a service: it asks ``permissions.can`` whether the user may, checks that
the object is in a state the transition starts from, and writes through ``services`` (so
it is a revision and an audit log entry). Admin actions and buttons call these.

========================  ==================================  ===========================
transition                from                                who
========================  ==================================  ===========================
``submit_for_review``     draft, unpublished → in review      editors, publishers
``send_back``             in review → draft                   publishers
``publish``               draft, in review, unpublished →     publishers
                          published (now, or scheduled)
``unpublish``             published → unpublished             publishers
========================  ==================================  ===========================

A published object is frozen for editors and translators (see ``permissions.py``): to
change it, a publisher unpublishes it (or makes the change), editors edit and submit it
for review, and a publisher publishes it again. So nothing on the public site changes
until a publisher acts.

**Publishing checks what it puts up.** A mission whose programme items are dated outside
its own dates is refused (the page and the calendar file would contradict each other), and
an object whose texts are not translated into every language is published only when the
publisher has seen what is missing and confirmed (``confirmed=True``; otherwise
:class:`ConfirmationNeeded` lists it per language).

**Who is told.** Each step is in the audit log under its own action (submitted, sent back
with the publisher's comment as its note, published): the start page reads who waits for
what from there. After the transaction commits, the organisation's publishers hear of a
submission and the author of the decision (``notifications.py``).
"""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from programmes.models import AuditLogEntry, Mission, Publishable, Status

from . import notifications, permissions, services
from .translation_status import LanguageStatus, translation_status

# A publisher's comment when sending back: a note to a colleague, not an essay.
COMMENT_MAX_LENGTH = 2_000


class TransitionError(Exception):
    """The object is not in a state the transition starts from; the message says why."""


class ConfirmationNeeded(TransitionError):  # noqa: N818 (a question, not an error)
    """Publishing would put up texts that are missing in some languages: ``missing`` says
    which, per language; publish again with ``confirmed=True`` once the publisher agrees."""

    def __init__(self, message: str, missing: dict[str, LanguageStatus]):
        super().__init__(message)
        self.missing = missing


@dataclass(frozen=True)
class Transition:
    permission: str  # the action of ``permissions.can`` it needs
    sources: frozenset[str]  # the states it starts from
    not_permitted: str
    wrong_state: str


TRANSITIONS = {
    "submit_for_review": Transition(
        "submit",
        frozenset({Status.DRAFT, Status.UNPUBLISHED}),
        _("You may not submit “%(object)s” for review."),
        _(
            "Only a draft or an unpublished object can be submitted for review; the status of "
            "“%(object)s” is “%(status)s”."
        ),
    ),
    "send_back": Transition(
        "publish",
        frozenset({Status.IN_REVIEW}),
        _("You may not send “%(object)s” back."),
        _("Only an object in review can be sent back; the status of “%(object)s” is “%(status)s”."),
    ),
    "publish": Transition(
        "publish",
        frozenset({Status.DRAFT, Status.IN_REVIEW, Status.UNPUBLISHED}),
        _("You may not publish “%(object)s”."),
        _("“%(object)s” is already published."),
    ),
    "unpublish": Transition(
        "publish",
        frozenset({Status.PUBLISHED}),
        _("You may not unpublish “%(object)s”."),
        _("“%(object)s” is not published."),
    ),
}


def available_transitions(user, target: Publishable | type[Publishable]) -> list[str]:
    """The transitions ``user`` may make on ``target`` now (the admin's buttons).

    For a model, on an object of it being added: a draft.
    """
    status = Status.DRAFT if isinstance(target, type) else target.status
    return [
        name
        for name, transition in TRANSITIONS.items()
        if status in transition.sources and permissions.can(user, transition.permission, target)
    ]


def submit_for_review(obj: Publishable, *, by) -> Publishable:
    """Ask a publisher to publish ``obj``; the organisation's publishers are mailed."""
    _check("submit_for_review", by, obj)
    obj.status = Status.IN_REVIEW
    services.save_content(obj, validate=False, user=by, action=AuditLogEntry.Action.SUBMITTED)
    notifications.after_commit(notifications.SUBMITTED, obj, by=by)
    return obj


def send_back(obj: Publishable, *, by, comment: str = "") -> Publishable:
    """Return ``obj`` from review to its editors as a draft, with ``comment`` saying why.

    The comment is the note of the audit log entry (and the revision's comment), where the
    author's start page finds it, and it is mailed to the author.
    """
    _check("send_back", by, obj)
    comment = comment.strip()
    if len(comment) > COMMENT_MAX_LENGTH:
        raise TransitionError(
            _("The comment is too long: at most %(limit)d characters.")
            % {"limit": COMMENT_MAX_LENGTH}
        )
    obj.status = Status.DRAFT
    services.save_content(
        obj, validate=False, user=by, action=AuditLogEntry.Action.SENT_BACK, comment=comment
    )
    notifications.after_commit(notifications.SENT_BACK, obj, by=by, comment=comment)
    return obj


def items_outside_dates(obj: Publishable) -> list:
    """The programme items of a mission dated outside the mission's dates (none otherwise)."""
    if not isinstance(obj, Mission):
        return []
    return [item for item in obj.programme_items.all() if item.is_outside_mission_dates()]


def missing_translations(obj: Publishable) -> dict[str, LanguageStatus]:
    """Per language that is not complete: which texts of ``obj`` (and its parts) are missing."""
    return {
        language: status
        for language, status in translation_status(obj).items()
        if not status.complete
    }


def check_publication(obj: Publishable, *, confirmed: bool) -> None:
    """Refuse what must not be published; ask for a confirmation of what is incomplete."""
    if outside := items_outside_dates(obj):
        raise TransitionError(
            _(
                "“%(object)s” cannot be published: programme items are dated outside the "
                "mission's dates (%(dates)s): %(items)s. Correct the dates first."
            )
            % {
                "object": obj,
                "dates": obj.dates_text(),
                "items": ", ".join(f"“{item}” ({date_format(item.date)})" for item in outside),
            }
        )
    if not confirmed and (missing := missing_translations(obj)):
        raise ConfirmationNeeded(
            _("“%(object)s” is not translated completely: confirm that it is to be published.")
            % {"object": obj},
            missing,
        )


def publish(
    obj: Publishable,
    *,
    by,
    at: dt.datetime | None = None,
    until: dt.datetime | None = None,
    confirmed: bool = False,
) -> Publishable:
    """Publish ``obj`` now, or from ``at`` (scheduled), and until ``until`` if given.

    Without ``at`` the object keeps the publish date it has (from an earlier publication
    or set in the form), or gets "now". An unpublish date that has already passed is
    cleared: it would hide the object again at once.

    A mission with programme items outside its dates is refused; an object whose
    translations are incomplete needs ``confirmed`` (:class:`ConfirmationNeeded`).
    """
    _check("publish", by, obj)
    check_publication(obj, confirmed=confirmed)
    now = timezone.now()
    if at is not None:
        obj.publish_at = at
    if until is not None:
        obj.unpublish_at = until
    elif obj.unpublish_at is not None and obj.unpublish_at <= now:
        obj.unpublish_at = None
    if obj.unpublish_at is not None and obj.unpublish_at <= (obj.publish_at or now):
        raise TransitionError(
            _("The unpublish date of “%(object)s” must be after its publish date.")
            % {"object": obj}
        )
    services.publish([obj], at=now, user=by)
    notifications.after_commit(notifications.PUBLISHED, obj, by=by)
    return obj


def unpublish(obj: Publishable, *, by) -> Publishable:
    """Take ``obj`` off the public site; its editors may change it again."""
    _check("unpublish", by, obj)
    services.unpublish([obj], user=by)
    return obj


def _check(name: str, user, obj: Publishable) -> None:
    """Refuse with PermissionDenied (who) or TransitionError (when), saying so in words."""
    transition = TRANSITIONS[name]
    if not permissions.can(user, transition.permission, obj):
        raise PermissionDenied(transition.not_permitted % {"object": obj})
    if obj.status not in transition.sources:
        raise TransitionError(
            transition.wrong_state % {"object": obj, "status": obj.get_status_display()}
        )
