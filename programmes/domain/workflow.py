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
"""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programmes.models import Publishable, Status

from . import permissions, services


class TransitionError(Exception):
    """The object is not in a state the transition starts from; the message says why."""


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
    """Ask a publisher to publish ``obj``."""
    _check("submit_for_review", by, obj)
    obj.status = Status.IN_REVIEW
    return services.save_content(obj, validate=False, user=by, comment="Submitted for review.")


def send_back(obj: Publishable, *, by) -> Publishable:
    """Return ``obj`` from review to its editors as a draft."""
    _check("send_back", by, obj)
    obj.status = Status.DRAFT
    return services.save_content(obj, validate=False, user=by, comment="Sent back to draft.")


def publish(
    obj: Publishable,
    *,
    by,
    at: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> Publishable:
    """Publish ``obj`` now, or from ``at`` (scheduled), and until ``until`` if given.

    Without ``at`` the object keeps the publish date it has (from an earlier publication
    or set in the form), or gets "now". An unpublish date that has already passed is
    cleared: it would hide the object again at once.
    """
    _check("publish", by, obj)
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
