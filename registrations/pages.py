"""What registrations change on the public site: the mission page's registration panel.

The panel (``templatetags/registration_tags.py``) says whether registration is open and
how many places are left, and the mission page is cached whole: in the page cache (one
content generation for every page, ``programmes/caching.py``) and in the read model (one
row per page and language, ``programmes/readmodel.py``). Both are told here:

- **A count that changes** (someone confirms, cancels, is accepted, declined, erased,
  moves up) empties the page cache and stamps ``(PLACES, mission id)``, which the
  mission's read-model entries depend on (``readmodel.depends_on``). Only when the panel
  shows a count (the mission has a number of places): an unlimited registration's page
  says "open" however many sign up. An unconfirmed sign-up changes no count, so the form
  (which anyone can post) cannot be used to empty the cache: it takes a confirmed e-mail.
- **Settings that change** (opening, closing, places) do the same, from signals, whoever
  saves them.
- **The moments registration opens and closes** end the page cache's generation and the
  read model's entries like a scheduled publish date (``caching.add_schedule``).
"""

from collections.abc import Iterable
from datetime import datetime

from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_save

from programmes import caching, readmodel

from .models import RegistrationSettings

PLACES = "registrations.places"


def mission_page_changed(mission_id: int, *, schedule: Iterable[datetime | None] = ()) -> None:
    """The mission's registration panel shows something else now."""
    caching.content_changed(schedule=schedule)
    readmodel.stamp({(PLACES, mission_id)})


def registration_schedule(moment: datetime) -> list[QuerySet]:
    """The moments after ``moment`` at which some registration opens or closes."""
    return [
        RegistrationSettings.objects.filter(**{f"{field}__gt": moment}).values_list(
            field, flat=True
        )
        for field in ("opens_at", "closes_at")
    ]


def _settings_saved(sender, instance: RegistrationSettings, **kwargs) -> None:
    mission_page_changed(instance.mission_id, schedule=[instance.opens_at, instance.closes_at])


def _settings_deleted(sender, instance: RegistrationSettings, **kwargs) -> None:
    mission_page_changed(instance.mission_id)


def connect() -> None:
    post_save.connect(_settings_saved, sender=RegistrationSettings, dispatch_uid="reg-settings")
    post_delete.connect(
        _settings_deleted, sender=RegistrationSettings, dispatch_uid="reg-settings-gone"
    )
