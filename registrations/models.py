"""Registrations for missions: personal data, kept apart from the content.

A person who signs up for a mission is not content: nobody publishes them, no partner
site receives them, and they are erased some months after the mission
(``purge_registrations``). So they live in this app's tables, which none of the content's
machinery knows: not the page cache's or read model's signals, not the revisions
(django-reversion), not the API, bundles, webhooks, feeds, search or sitemap. Only the
mission's *counts* appear on its public page, through ``templatetags/registration_tags.py``.

- :class:`RegistrationSettings`: whether and when a mission takes registrations, and for
  how many places. No personal data.
- :class:`Registration`: one person for one mission, with a status. Personal data.
- :class:`RegistrationTally`: anonymous counts per mission, status and sector, which is
  what stays for outcome reporting once the registrations are erased.
"""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from programmes.models import FocusArea, LimitedTextField, Mission

INTERESTS_MAX_LENGTH = 2_000
NOTES_MAX_LENGTH = 500


def new_token_key() -> str:
    """A random key that the links in a person's e-mails carry (``tokens.py``)."""
    return secrets.token_hex(16)


class RegistrationSettings(models.Model):
    """Registration for one mission: open between two moments, for a number of places."""

    class State(models.TextChoices):
        NOT_YET_OPEN = "not_yet_open", _("Not yet open")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    mission = models.OneToOneField(
        Mission,
        verbose_name=_("mission"),
        on_delete=models.CASCADE,
        related_name="registration_settings",
    )
    opens_at = models.DateTimeField(
        _("registration opens"),
        help_text=_("From this moment the mission's page offers the registration form."),
    )
    closes_at = models.DateTimeField(
        _("registration closes"),
        help_text=_(
            "After this moment nobody can sign up any more. At the latest on the first day "
            "of the mission."
        ),
    )
    capacity = models.PositiveIntegerField(
        _("places"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_(
            "How many people can come. When every place is taken, people who sign up join "
            "the waiting list, and move up when someone cancels. Leave empty for no limit."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-opens_at", "pk"]
        verbose_name = _("registration settings")
        verbose_name_plural = _("registration settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")), name="registration_closes_after_opening"
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gte=1),
                name="registration_capacity_positive",
            ),
        ]

    def __str__(self):
        return str(self.mission)

    def clean(self):
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError(
                {"closes_at": _("Registration must close after it opens.")}, code="order"
            )
        start = self.mission.start_date if self.mission_id else None
        if self.closes_at and start and timezone.localdate(self.closes_at) > start:
            raise ValidationError(
                {
                    "closes_at": _(
                        "The mission starts on %(date)s: registration must close by then."
                    )
                    % {"date": date_format(start)}
                },
                code="after_start",
            )

    def state(self, now=None) -> str:
        now = now or timezone.now()
        if now < self.opens_at:
            return self.State.NOT_YET_OPEN
        if now < self.closes_at:
            return self.State.OPEN
        return self.State.CLOSED


class Status(models.TextChoices):
    """Where a registration is (``services.py`` moves it along)."""

    UNCONFIRMED = "unconfirmed", _("Unconfirmed")
    CONFIRMED = "confirmed", _("Confirmed")
    WAITING = "waiting", _("Waiting list")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    CANCELLED = "cancelled", _("Cancelled")


# The statuses that take one of the mission's places.
HOLDS_PLACE = (Status.CONFIRMED, Status.ACCEPTED)
# The statuses of a registration that still counts: the person may still come.
ACTIVE = (Status.UNCONFIRMED, Status.CONFIRMED, Status.WAITING, Status.ACCEPTED)


class RegistrationQuerySet(models.QuerySet):
    def holding_places(self):
        return self.filter(status__in=HOLDS_PLACE)

    def waiting_in_order(self):
        """The waiting list, first come first: by when each person confirmed."""
        return self.filter(status=Status.WAITING).order_by("confirmed_at", "pk")


phone_validator = RegexValidator(
    r"^\+?[0-9 ()./-]{6,40}$",
    _("Enter a telephone number: digits, spaces, and + ( ) - . / only."),
    code="phone",
)


class Registration(models.Model):
    """One person's registration for one mission. Personal data: see the module docstring.

    ``__str__`` names no person: Django shows it wherever it lists related objects (a
    mission's delete page, the audit log), also to staff who may only see the counts.
    """

    mission = models.ForeignKey(
        Mission,
        verbose_name=_("mission"),
        # A mission with registrations is not deleted by accident: erase them (or let the
        # purge do it) first. Its revisions would not bring them back.
        on_delete=models.PROTECT,
        related_name="registrations",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status, default=Status.UNCONFIRMED, db_index=True
    )
    name = models.CharField(_("name"), max_length=200)
    organisation = models.CharField(_("organisation"), max_length=200)
    role = models.CharField(_("role"), max_length=200)
    email = models.EmailField(_("e-mail address"))
    phone = models.CharField(
        _("telephone"), max_length=40, blank=True, validators=[phone_validator]
    )
    sector = models.ForeignKey(
        FocusArea,
        verbose_name=_("sector"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    interests = LimitedTextField(
        _("what they hope to find or offer"), max_length=INTERESTS_MAX_LENGTH
    )
    dietary = LimitedTextField(_("dietary requirements"), max_length=NOTES_MAX_LENGTH, blank=True)
    visa_notes = LimitedTextField(_("visa notes"), max_length=NOTES_MAX_LENGTH, blank=True)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    consented_at = models.DateTimeField(_("agreed to the privacy notice"))
    sensitive_consented_at = models.DateTimeField(
        _("agreed to the use of dietary and visa notes"), null=True, blank=True
    )
    created_at = models.DateTimeField(_("signed up"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    status_changed_at = models.DateTimeField(_("status changed"), default=timezone.now)
    token_key = models.CharField(max_length=32, default=new_token_key, editable=False)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        ordering = ["mission", "created_at", "pk"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        permissions = [("export_registration", _("Can export registrations"))]
        constraints = [
            models.UniqueConstraint(
                Lower("email"), "mission", name="registration_one_per_address_and_mission"
            ),
        ]
        indexes = [models.Index(fields=["mission", "status"], name="registration_places")]

    def __str__(self):
        return _("registration %(number)s") % {"number": self.pk or "–"}

    @property
    def holds_place(self) -> bool:
        return self.status in HOLDS_PLACE

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE


class RegistrationTally(models.Model):
    """How many registrations a mission had, per status and sector, without anyone's data.

    Written when registrations are erased (``services.py``), so outcome reporting keeps
    its numbers after the people are gone.
    """

    mission = models.ForeignKey(
        Mission,
        verbose_name=_("mission"),
        on_delete=models.CASCADE,
        related_name="registration_tallies",
    )
    status = models.CharField(_("status"), max_length=20, choices=Status)
    sector = models.ForeignKey(
        FocusArea, verbose_name=_("sector"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    count = models.PositiveIntegerField(_("number"), default=0)

    class Meta:
        default_permissions = ()  # written by the services only; shown with the settings
        ordering = ["mission", "status", "sector"]
        verbose_name = _("registration count")
        verbose_name_plural = _("registration counts")

    def __str__(self):
        return f"{self.mission_id} {self.status} {self.sector_id}: {self.count}"
