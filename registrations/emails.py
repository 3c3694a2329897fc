"""The e-mails a registrant receives, in the language they signed up in.

Plain text only: it shows the same in every mail client, has nothing to load from
elsewhere and puts the links in full view. Each message is
``templates/registrations/email/<email>.txt`` with its subject in ``<email>_subject.txt``,
rendered with the registrant's language active (the mission's title, dates and every
string follow it). ``Auto-Submitted: auto-generated`` keeps out-of-office replies away.

Sending is synchronous, after the service's transaction has committed, through the
``default`` mailer (``twinning/mailers.py``; at most ``EMAIL_TIMEOUT`` per step). A server
that refuses or does not answer is logged (with the registration's number, never the
address) and the visitor sees the same page as otherwise: they can sign up again for a new
link. A queue (the worker of webhooks) would retry, but would also keep names and
addresses in its task table, outside what ``purge_registrations`` erases.
"""

import logging
import smtplib
from enum import StrEnum

from django.conf import settings
from django.core.mail import EmailMessage
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from . import tokens
from .models import Registration

logger = logging.getLogger(__name__)


class Email(StrEnum):
    """Which e-mail: its value names its templates."""

    CONFIRM = "confirm"  # follow the link to confirm (double opt-in)
    REMINDER = "reminder"  # signed up again with a known address: the link to manage it
    CONFIRMED = "confirmed"  # on the list, or on the waiting list
    MOVED_UP = "moved_up"  # off the waiting list: a place
    ACCEPTED = "accepted"
    DECLINED = "declined"
    CANCELLED = "cancelled"


def base_url(request: HttpRequest) -> str:
    """What the links in e-mails start with: ``SITE_URL``, else the request's own site."""
    return settings.SITE_URL or f"{request.scheme}://{request.get_host()}"


def link(registration: Registration, purpose: str, base: str) -> str:
    """The absolute address of a registration's confirmation or manage page."""
    name = "registrations:confirm" if purpose == tokens.CONFIRM else "registrations:manage"
    with translation.override(registration.language):
        path = reverse(name, kwargs={"token": tokens.make(registration, purpose)})
    return base.rstrip("/") + path


def send(email: Email, registration: Registration, *, base: str, **context) -> bool:
    """Send ``email`` to the registrant; whether the mail server took it."""
    mission = registration.mission
    with translation.override(registration.language):
        context = {
            "registration": registration,
            "mission": mission,
            "mission_url": base.rstrip("/") + mission.get_absolute_url(),
            "confirm_hours": settings.REGISTRATION_CONFIRM_HOURS,
            "retention_months": settings.REGISTRATION_RETENTION_MONTHS,
            **context,
        }
        if email == Email.CONFIRM:
            context["confirm_url"] = link(registration, tokens.CONFIRM, base)
        else:
            context["manage_url"] = link(registration, tokens.MANAGE, base)
        subject = render_to_string(f"registrations/email/{email}_subject.txt", context)
        body = render_to_string(f"registrations/email/{email}.txt", context)
    message = EmailMessage(
        " ".join(subject.split()),  # one line, whatever the template's whitespace
        body,
        to=[registration.email],
        headers={"Auto-Submitted": "auto-generated"},
    )
    try:
        message.send(using="default")
    except (smtplib.SMTPException, OSError):
        logger.exception("Could not send the %s e-mail of registration %s", email, registration.pk)
        return False
    return True
