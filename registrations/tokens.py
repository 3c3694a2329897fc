"""The links in a registrant's e-mails: signed, salted, with an age limit, and revocable.

There is no account: whoever holds the link is the person. A token is
``django.core.signing`` over the registration's id and its ``token_key`` (a random key in
the row), salted per purpose, so a confirmation link cannot be used to manage a
registration, nor the other way round:

- **confirm**: valid ``REGISTRATION_CONFIRM_HOURS``; the key is replaced at confirmation,
  so the link works once (a forwarded confirmation e-mail gives nobody access later).
- **manage**: see, change or cancel; valid ``MANAGE_LINK_DAYS``. Signing up again with
  the same address sends a fresh one (``services.register``).

A token of an erased registration, or of an id taken again after an erasure, finds no row
with its key. Nothing in a token is personal: an id and a random key.
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.utils.crypto import constant_time_compare

from .models import Registration

CONFIRM = "registrations.confirm"
MANAGE = "registrations.manage"
MANAGE_LINK_DAYS = 365


def max_age(purpose: str) -> timedelta:
    if purpose == CONFIRM:
        return timedelta(hours=settings.REGISTRATION_CONFIRM_HOURS)
    return timedelta(days=MANAGE_LINK_DAYS)


def make(registration: Registration, purpose: str) -> str:
    return signing.dumps([registration.pk, registration.token_key], salt=purpose)


def registration_for(token: str, purpose: str) -> Registration | None:
    """The registration ``token`` was made for, if it is valid for ``purpose`` now."""
    try:
        pk, key = signing.loads(token, salt=purpose, max_age=max_age(purpose))
    except (signing.BadSignature, TypeError, ValueError):  # expired is a bad signature too
        return None
    if not isinstance(pk, int) or not isinstance(key, str):
        return None
    registration = Registration.objects.select_related("mission", "sector").filter(pk=pk).first()
    if registration is None or not constant_time_compare(registration.token_key, key):
        return None
    return registration
