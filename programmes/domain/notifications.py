"""E-mail about the workflow: a publisher hears what waits for review, an author the decision.

=================  =============================================  ==========================
step               to                                             says
=================  =============================================  ==========================
submitted          the owning organisation's publishers           who asks, a link to review
published          the author (who submitted it for review)       it is public (or from when)
sent back          the author                                     the publisher's comment
=================  =============================================  ==========================

The author is whoever last submitted the object for review; an object published straight
from a draft has none and the one who created it is told. Nobody is told of their own step.

Each message is in its recipient's language (:func:`language_of`): the language they last
chose for the admin (stored by its language switch, ``StaffLanguage``), else Dutch, the site's
default (an organisation has no language of its own). Plain text, as the registrations'
mails (``registrations/emails.py``): ``templates/programmes/email/<step>.txt`` and its
``<step>_subject.txt``.

**Never in the way of a save.** The workflow asks for the mail after its transaction has
committed (so a rolled-back step announces nothing), and the mail is a background task
(Django's tasks, as the webhooks: ``manage.py db_worker``), so a slow or absent SMTP server
never makes a publisher wait. A server that refuses is logged (the step and the object,
never an address) and the step stays done.
"""

import logging
import smtplib

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMessage
from django.db import models, transaction
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from programmes.models import AuditLogEntry, StaffLanguage

from . import permissions

logger = logging.getLogger(__name__)
Action = AuditLogEntry.Action

SUBMITTED, PUBLISHED, SENT_BACK = "submitted", "published", "sent_back"
STEPS = (SUBMITTED, PUBLISHED, SENT_BACK)


def after_commit(step: str, obj: models.Model, *, by, comment: str = "") -> None:
    """Mail about ``step`` once the transaction it happened in has committed.

    ``robust``: a task queue that cannot take it is logged, and the step stays done.
    """
    if step not in STEPS:
        raise ValueError(f"Unknown step {step!r}; expected one of {', '.join(STEPS)}.")
    content_type_id = ContentType.objects.get_for_model(obj).pk
    by_id = by.pk if by is not None and by.is_authenticated else None
    transaction.on_commit(
        lambda: send_workflow_mail.enqueue(step, content_type_id, obj.pk, by_id, comment),
        robust=True,
    )


def language_of(user) -> str:
    """The language ``user`` reads the admin in, if known; else the site's (Dutch)."""
    stored = StaffLanguage.objects.filter(user=user).values_list("language", flat=True).first()
    return stored if stored in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def publishers_of(obj: models.Model):
    """The active staff with an address who may publish ``obj``: its organisation's
    publishers (site managers oversee every organisation and are not mailed for each)."""
    owner = permissions.owner_id(obj)
    if owner is None:
        return get_user_model().objects.none()
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            is_staff=True,
            groups__name=permissions.PUBLISHER,
            memberships__organisation_id=owner,
        )
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )


def author_of(obj: models.Model):
    """Who last submitted ``obj`` for review; for an object never submitted, its creator."""
    entries = AuditLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        user__isnull=False,
    ).select_related("user")
    entry = entries.filter(action=Action.SUBMITTED).first()
    entry = entry or entries.filter(action=Action.CREATED).first()
    return entry.user if entry is not None else None


def recipients(step: str, obj: models.Model, by_id: int | None) -> list:
    """Who is told of ``step``: never its maker, and only those who may still see ``obj``.

    The author comes from the audit log, which outlives memberships: someone who has left
    the owning organisation since must not get its titles, comments and links.
    """
    people = list(publishers_of(obj)) if step == SUBMITTED else [author_of(obj)]
    return [
        person
        for person in people
        if person is not None
        and person.is_active
        and person.email
        and person.pk != by_id
        and permissions.can(person, "view", obj)
    ]


def admin_url(obj: models.Model) -> str:
    """The object's page in the admin, absolute when the site's address is known."""
    opts = obj._meta
    path = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    return settings.SITE_URL + path


def message(step: str, obj: models.Model, recipient, *, by, comment: str) -> EmailMessage:
    """The mail about ``step`` for ``recipient``, in their language."""
    with translation.override(language_of(recipient)):
        context = {
            "object": obj,
            "kind": obj._meta.verbose_name,
            "by": (by.get_full_name() or by.get_username()) if by is not None else "",
            "recipient": recipient.get_full_name() or recipient.get_username(),
            "comment": comment,
            "url": admin_url(obj),
            "scheduled": step == PUBLISHED and not getattr(obj, "is_published", True),
        }
        subject = render_to_string(f"programmes/email/{step}_subject.txt", context)
        body = render_to_string(f"programmes/email/{step}.txt", context)
    return EmailMessage(
        " ".join(subject.split()),
        body,
        to=[recipient.email],
        headers={"Auto-Submitted": "auto-generated"},
    )


@task()
def send_workflow_mail(
    step: str, content_type_id: int, object_id: int, by_id: int | None, comment: str
) -> int:
    """Send the mails about ``step`` on one object; how many the server took."""
    model = ContentType.objects.get_for_id(content_type_id).model_class()
    obj = model._default_manager.filter(pk=object_id).first()
    if obj is None:  # deleted since
        return 0
    by = get_user_model().objects.filter(pk=by_id).first() if by_id is not None else None
    sent = 0
    for recipient in recipients(step, obj, by_id):
        mail = message(step, obj, recipient, by=by, comment=comment)
        try:
            mail.send(using="default")
        except (smtplib.SMTPException, OSError):
            logger.exception(
                "Could not send the %s e-mail about %s %s to user %s",
                step,
                model._meta.model_name,
                object_id,
                recipient.pk,
            )
            continue
        sent += 1
    return sent
