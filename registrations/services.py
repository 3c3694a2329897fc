"""Every change to a registration: signing up, confirming, cancelling, accepting, erasing.

Views, the admin and ``purge_registrations`` call these; nothing else writes a
registration. Each change of a mission's places happens under a lock on the mission's
:class:`RegistrationSettings` row (``select_for_update``), so two people confirming at once
cannot both take the last place, and the waiting list moves up in order.

**Statuses.** A sign-up is *unconfirmed* until the link in its e-mail is followed; then it
is *confirmed* (it holds a place) or, when every place is taken, *waiting*. Staff *accept*
or *decline* people; a person may *cancel*. When a place becomes free (a cancellation, a
decline, an erasure, more places), the first on the waiting list (by when they confirmed)
is confirmed and told.

**Audit.** Each change is in the audit log (``programmes.domain.audit``): "changed" with the
status for the person's own steps (no user), by the staff member for theirs, "erased"
for erasures. A registration is named there by its number only.

E-mails go after the transaction (``emails.py``): a mail never announces what was rolled
back, and a slow mail server holds no lock.
"""

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Max, Q
from django.db.models.functions import Lower
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from programmes.domain import audit
from programmes.models import AuditLogEntry, Mission

from . import emails, ratelimit, signals
from .emails import Email
from .models import (
    ACTIVE,
    HOLDS_PLACE,
    Registration,
    RegistrationSettings,
    RegistrationTally,
    Status,
    new_token_key,
)

Action = AuditLogEntry.Action
# What a person (or staff) may change after signing up; the address is who they are.
DETAIL_FIELDS = (
    "name",
    "organisation",
    "role",
    "phone",
    "sector",
    "interests",
    "dietary",
    "visa_notes",
)


class RegistrationError(Exception):
    """A change that cannot be made, said in words for the person or staff member."""


class RegistrationClosedError(RegistrationError):
    """Registration is not open (it closed, or has not opened yet)."""


class SignUp(StrEnum):
    """What a sign-up did. The visitor is told the same in each case (no enumeration)."""

    NEW = "new"  # a new registration: a link to confirm was sent
    RENEWED = "renewed"  # unconfirmed or cancelled before: new details, a new link to confirm
    REMINDED = "reminded"  # known already: the link to see and change it was sent
    LIMITED = "limited"  # too many sign-ups for this address: nothing done, nothing sent


# Reading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Places:
    """How a mission's registration stands, without anyone's data."""

    capacity: int | None
    taken: int
    waiting: int
    unconfirmed: int

    @property
    def left(self) -> int | None:
        return None if self.capacity is None else max(self.capacity - self.taken, 0)

    @property
    def is_full(self) -> bool:
        return self.capacity is not None and self.taken >= self.capacity


def settings_with_counts(mission_id: int) -> RegistrationSettings | None:
    """A mission's registration settings with its live counts as ``places``: one query.

    None when the mission takes no registrations. For the mission's page and its admin page.
    """

    def counted(statuses) -> Count:
        return Count(
            "mission__registrations", filter=Q(mission__registrations__status__in=statuses)
        )

    registration_settings = (
        RegistrationSettings.objects.filter(mission_id=mission_id)
        .annotate(
            taken=counted(HOLDS_PLACE),
            waiting=counted([Status.WAITING]),
            unconfirmed=counted([Status.UNCONFIRMED]),
        )
        .first()
    )
    if registration_settings is not None:
        registration_settings.places = Places(
            capacity=registration_settings.capacity,
            taken=registration_settings.taken,
            waiting=registration_settings.waiting,
            unconfirmed=registration_settings.unconfirmed,
        )
    return registration_settings


def places(mission_id: int, capacity: int | None) -> Places:
    """The counts of a mission's live registrations: one query."""
    counts = Registration.objects.filter(mission_id=mission_id).aggregate(
        taken=Count("pk", filter=Q(status__in=HOLDS_PLACE)),
        waiting=Count("pk", filter=Q(status=Status.WAITING)),
        unconfirmed=Count("pk", filter=Q(status=Status.UNCONFIRMED)),
    )
    return Places(capacity=capacity, **counts)


def waiting_position(registration: Registration) -> int | None:
    """Their number on the waiting list (1 is next), or None when they are not on it."""
    if registration.status != Status.WAITING:
        return None
    ahead = Registration.objects.filter(
        mission_id=registration.mission_id, status=Status.WAITING
    ).filter(
        Q(confirmed_at__lt=registration.confirmed_at)
        | Q(confirmed_at=registration.confirmed_at, pk__lt=registration.pk)
    )
    return ahead.count() + 1


def find(mission: Mission, email: str) -> Registration | None:
    """The registration of ``email`` for ``mission``, whatever the case of its letters."""
    return (
        Registration.objects.select_for_update()
        .alias(email_key=Lower("email"))
        .filter(mission=mission, email_key=email.lower())
        .first()
    )


# The person's steps ----------------------------------------------------------------------


def register(
    *,
    mission: Mission,
    email: str,
    details: dict,
    language: str,
    sensitive_consent: bool,
    base: str,
) -> SignUp:
    """Sign ``email`` up for ``mission`` and send the e-mail that fits (see :class:`SignUp`).

    A new or earlier unconfirmed or cancelled registration gets these details and a link
    to confirm. A registration that is confirmed, waiting, accepted or declined is left as
    it is: its owner gets the link to see and change it, so a stranger who knows an address
    learns nothing and changes nothing. :class:`RegistrationClosedError` when registration is
    not open (checked again under the lock).
    """
    if not ratelimit.allow_address(email):
        return SignUp.LIMITED
    now = timezone.now()
    try:
        with transaction.atomic():
            registration_settings = _lock(mission.pk)
            if (
                registration_settings is None
                or registration_settings.state(now) != RegistrationSettings.State.OPEN
            ):
                raise RegistrationClosedError(_("Registration for this mission is not open."))
            registration = find(mission, email)
            if registration is not None and registration.status not in (
                Status.UNCONFIRMED,
                Status.CANCELLED,
            ):
                outcome, message = SignUp.REMINDED, Email.REMINDER
            else:
                outcome = SignUp.NEW if registration is None else SignUp.RENEWED
                message = Email.CONFIRM
                registration = _sign_up(
                    registration or Registration(mission=mission, email=email),
                    details,
                    language=language,
                    sensitive_consent=sensitive_consent,
                    now=now,
                )
    except IntegrityError:
        # The same address signed up at the same moment in another request, which won.
        return SignUp.REMINDED
    emails.send(message, registration, base=base)
    return outcome


def _sign_up(registration, details, *, language, sensitive_consent, now) -> Registration:
    adding = registration.pk is None
    _apply(registration, details, sensitive_consent=sensitive_consent, now=now)
    registration.language = language
    registration.consented_at = now
    registration.status = Status.UNCONFIRMED
    registration.status_changed_at = now
    registration.confirmed_at = None
    registration.token_key = new_token_key()
    registration.full_clean(validate_unique=False, validate_constraints=False)
    registration.save()
    audit.record(
        Action.CREATED if adding else Action.CHANGED,
        registration,
        changed_fields=["status"],
        message=Status.UNCONFIRMED,
    )
    return registration


def confirm(registration: Registration, *, base: str) -> Registration:
    """The link in the e-mail was followed: a place, or the waiting list when full.

    The key of the links is replaced, so the confirmation link works once.
    """
    with transaction.atomic():
        registration_settings = _lock(registration.mission_id)
        registration = _locked(registration)
        if registration.status != Status.UNCONFIRMED:
            raise RegistrationError(_("This registration is confirmed already."))
        capacity = registration_settings.capacity if registration_settings else None
        now_places = places(registration.mission_id, capacity)
        has_place = capacity is None or (not now_places.is_full and not now_places.waiting)
        registration.confirmed_at = timezone.now()
        registration.token_key = new_token_key()
        _set_status(registration, Status.CONFIRMED if has_place else Status.WAITING)
        if has_place:
            _counts_changed(registration_settings)
    emails.send(Email.CONFIRMED, registration, base=base, position=waiting_position(registration))
    return registration


def update_details(
    registration: Registration, details: dict, *, sensitive_consent: bool, user=None
) -> list[str]:
    """Change what a person told about themselves; the names of the fields changed."""
    with transaction.atomic():
        registration = _locked(registration)
        _apply(registration, details, sensitive_consent=sensitive_consent, now=timezone.now())
        changes = audit.changed_fields(registration)
        if changes:
            registration.full_clean(validate_unique=False, validate_constraints=False)
            registration.save()
            audit.record(Action.CHANGED, registration, user=user, changed_fields=changes)
    return changes


def cancel(registration: Registration, *, base: str) -> Registration:
    """The person cancels; their place goes to the first on the waiting list."""
    with transaction.atomic():
        registration_settings = _lock(registration.mission_id)
        registration = _locked(registration)
        if registration.status not in ACTIVE:
            raise RegistrationError(_("This registration is not active any more."))
        held = registration.holds_place
        _set_status(registration, Status.CANCELLED)
        moved = _free_a_place(registration_settings, registration.mission_id) if held else []
    emails.send(Email.CANCELLED, registration, base=base)
    _tell_moved_up(moved, base)
    return registration


# Staff's steps ---------------------------------------------------------------------------


def accept(registration: Registration, *, user, base: str) -> Registration:
    """Staff accept someone: confirmed people keep their place; waiting or declined people
    get one if a place is free (or there is no limit)."""
    with transaction.atomic():
        registration_settings = _lock(registration.mission_id)
        registration = _locked(registration)
        if registration.status == Status.ACCEPTED:
            raise RegistrationError(
                _("%(registration)s is accepted already.") % _named(registration)
            )
        if registration.status not in (Status.CONFIRMED, Status.WAITING, Status.DECLINED):
            raise RegistrationError(
                _(
                    "%(registration)s cannot be accepted: only confirmed, waiting and "
                    "declined registrations can."
                )
                % _named(registration)
            )
        takes_place = not registration.holds_place
        capacity = registration_settings.capacity if registration_settings else None
        if takes_place and places(registration.mission_id, capacity).is_full:
            raise RegistrationError(
                _(
                    "%(registration)s cannot be accepted: every place is taken. Decline "
                    "someone first, or add places in the registration settings."
                )
                % _named(registration)
            )
        _set_status(registration, Status.ACCEPTED, user=user)
        if takes_place:
            _counts_changed(registration_settings)
    emails.send(Email.ACCEPTED, registration, base=base)
    return registration


def decline(registration: Registration, *, user, base: str) -> Registration:
    """Staff decline someone; a place they held goes to the first on the waiting list."""
    with transaction.atomic():
        registration_settings = _lock(registration.mission_id)
        registration = _locked(registration)
        if registration.status not in (Status.CONFIRMED, Status.WAITING, Status.ACCEPTED):
            raise RegistrationError(
                _(
                    "%(registration)s cannot be declined: only confirmed, waiting and "
                    "accepted registrations can."
                )
                % _named(registration)
            )
        held = registration.holds_place
        _set_status(registration, Status.DECLINED, user=user)
        moved = _free_a_place(registration_settings, registration.mission_id) if held else []
    emails.send(Email.DECLINED, registration, base=base)
    _tell_moved_up(moved, base)
    return registration


def erase(registration: Registration, *, user, base: str) -> None:
    """Erase a person's data on their request (GDPR art. 17); only the count stays.

    A place they held goes to the first on the waiting list. The audit log keeps that
    registration number so-and-so was erased, by whom and when, nothing about the person.
    """
    with transaction.atomic():
        registration_settings = _lock(registration.mission_id)
        registration = _locked(registration)
        held = registration.holds_place
        _erase([registration], user=user)
        moved = _free_a_place(registration_settings, registration.mission_id) if held else []
    _tell_moved_up(moved, base)


def save_settings(registration_settings: RegistrationSettings, *, user, base: str) -> None:
    """Save a mission's registration settings; more places (or none) move people up."""
    with transaction.atomic():
        registration_settings.full_clean()
        action = Action.CREATED if registration_settings._state.adding else Action.CHANGED
        changes = audit.changed_fields(registration_settings)
        registration_settings.save()  # the page's panel changes (readpath/registrations.py)
        audit.record(action, registration_settings, user=user, changed_fields=changes)
        _lock(registration_settings.mission_id)
        moved = _free_a_place(registration_settings, registration_settings.mission_id)
    _tell_moved_up(moved, base)


def delete_settings(registration_settings: RegistrationSettings, *, user) -> None:
    """Close registration for good (registrations themselves stay, until erased or purged)."""
    with transaction.atomic():
        audit.record(Action.DELETED, registration_settings, user=user)
        registration_settings.delete()


# Retention -------------------------------------------------------------------------------


def expire_unconfirmed(*, now: dt.datetime | None = None) -> int:
    """Delete sign-ups whose confirmation link has expired; how many.

    Nobody confirmed that the address is theirs, so there is nothing to count either.
    """
    now = now or timezone.now()
    cutoff = now - dt.timedelta(hours=settings.REGISTRATION_CONFIRM_HOURS)
    expired = Registration.objects.filter(status=Status.UNCONFIRMED, status_changed_at__lt=cutoff)
    deleted, _by_model = expired.delete()
    return deleted


def mission_end(mission: Mission, *, last_sign_up: dt.datetime | None = None) -> dt.date | None:
    """The last day of a mission as far as retention goes.

    Its end date, else its start date; for a mission whose dates are unknown, the day
    registration closed, else the day of the last sign-up (whichever is known).
    """
    if mission.end_date or mission.start_date:
        return mission.end_date or mission.start_date
    registration_settings = getattr(mission, "registration_settings", None)
    if registration_settings is not None:
        return timezone.localdate(registration_settings.closes_at)
    return timezone.localdate(last_sign_up) if last_sign_up else None


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (the month's last day when it has fewer days)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def purge_ended(*, today: dt.date | None = None, months: int | None = None) -> dict[Mission, int]:
    """Erase the registrations of missions that ended ``months`` ago or longer.

    Their counts stay, per status and sector (:class:`RegistrationTally`). Returns, per
    mission purged, how many registrations were erased.
    """
    today = today or timezone.localdate()
    months = settings.REGISTRATION_RETENTION_MONTHS if months is None else months
    purged = {}
    missions = (
        Mission.objects.filter(registrations__isnull=False)
        .annotate(last_sign_up=Max("registrations__created_at"))
        .select_related("registration_settings")
        .order_by("pk")
    )
    for mission in missions:
        end = mission_end(mission, last_sign_up=mission.last_sign_up)
        if end is None or add_months(end, months) > today:
            continue
        with transaction.atomic():
            _lock(mission.pk)
            doomed = list(Registration.objects.select_for_update().filter(mission=mission))
            _erase(doomed, user=None, message="purge_registrations")
        purged[mission] = len(doomed)
    return purged


# Helpers ---------------------------------------------------------------------------------


def _lock(mission_id: int) -> RegistrationSettings | None:
    """The mission's settings, locked until the transaction ends (None: it has none)."""
    return RegistrationSettings.objects.select_for_update().filter(mission_id=mission_id).first()


def _locked(registration: Registration) -> Registration:
    """``registration`` as it is now, locked (a form or a link may have read it earlier).

    Only its own row: PostgreSQL cannot lock the nullable side of the sector's outer join.
    """
    return (
        Registration.objects.select_for_update(of=("self",))
        .select_related("mission", "sector")
        .get(pk=registration.pk)
    )


def _named(registration: Registration) -> dict:
    return {"registration": registration.name}


def _apply(registration, details: dict, *, sensitive_consent: bool, now) -> None:
    for name in DETAIL_FIELDS:
        if name in details:
            setattr(registration, name, details[name])
    if not (registration.dietary or registration.visa_notes):
        registration.sensitive_consented_at = None
    elif sensitive_consent and registration.sensitive_consented_at is None:
        registration.sensitive_consented_at = now


def _set_status(registration: Registration, status: str, *, user=None) -> None:
    old = registration.status
    registration.status = status
    registration.status_changed_at = timezone.now()
    registration.save()
    audit.record(
        Action.CHANGED,
        registration,
        user=user,
        changed_fields=["status"],
        message=f"{old} → {status}",
    )


def _counts_changed(registration_settings: RegistrationSettings | None) -> None:
    """The places left changed: the mission page shows them when there is a limit."""
    if registration_settings is not None and registration_settings.capacity is not None:
        signals.places_changed.send(
            sender=Registration, mission_id=registration_settings.mission_id
        )


def _free_a_place(
    registration_settings: RegistrationSettings | None, mission_id: int
) -> list[Registration]:
    """Move the first on the waiting list up into the free places (all when unlimited).

    Called under the lock, after a place was given up or places were added; returns who
    moved up, to be told after the transaction.
    """
    capacity = registration_settings.capacity if registration_settings else None
    waiting = Registration.objects.filter(mission_id=mission_id).waiting_in_order()
    if capacity is not None:
        free = places(mission_id, capacity).left
        waiting = waiting[:free]
    moved = list(waiting.select_related("mission", "sector"))
    for registration in moved:
        _set_status(registration, Status.CONFIRMED)
    _counts_changed(registration_settings)
    return moved


def _tell_moved_up(moved: Iterable[Registration], base: str) -> None:
    for registration in moved:
        emails.send(Email.MOVED_UP, registration, base=base)


def _erase(registrations: list[Registration], *, user, message: str = "") -> None:
    """Count, log and delete ``registrations`` (of one mission)."""
    counted = [r for r in registrations if r.status != Status.UNCONFIRMED]
    tallies: dict[tuple[int, str, int | None], int] = {}
    for registration in counted:
        key = (registration.mission_id, registration.status, registration.sector_id)
        tallies[key] = tallies.get(key, 0) + 1
    for (mission_id, status, sector_id), count in tallies.items():
        tally, _created = RegistrationTally.objects.get_or_create(
            mission_id=mission_id, status=status, sector_id=sector_id
        )
        RegistrationTally.objects.filter(pk=tally.pk).update(count=F("count") + count)
    for registration in registrations:
        audit.record(Action.ERASED, registration, user=user, message=message)
    Registration.objects.filter(pk__in=[r.pk for r in registrations]).delete()


# Who read what ------------------------------------------------------------------------------


def log_access(
    action: str, registrations: Iterable[Registration], *, user, message: str = ""
) -> int:
    """Log that ``user`` viewed or exported ``registrations`` (personal data): one entry each.

    With no registration (a list that showed none, or a list as a whole) one entry about
    the registrations in general, whose ``message`` says which. The entries name
    registrations by number only, so the log keeps nothing personal after an erasure.
    """
    content_type = ContentType.objects.get_for_model(Registration)
    username = user.get_username() if user is not None and user.is_authenticated else ""
    common = {
        "action": action,
        "user": user if username else None,
        "username": username,
        "content_type": content_type,
        "message": message,
    }
    with translation.override(settings.LANGUAGE_CODE):  # as audit.record names objects
        entries = [
            AuditLogEntry(object_id=str(registration.pk), object_repr=str(registration), **common)
            for registration in registrations
        ] or [AuditLogEntry(object_id="", object_repr=_("registrations"), **common)]
    AuditLogEntry.objects.bulk_create(entries)
    return len(entries)
