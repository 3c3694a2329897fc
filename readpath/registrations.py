"""What registrations change on the public site: the mission page's registration panel.

The panel (``public/templatetags/registration_tags.py``) says whether registration is open
and how many places are left, and the mission page is kept whole: in the page cache (one
content generation for every page, ``caching.py``) and in the read model (one row per page
and language, ``readmodel.py``). Both hear of it here, as they hear of the content's writes:

- **A count that changes** (``registrations.signals.places_changed``: a confirmation, a
  cancellation, an acceptance, a decline, an erasure, a move up) empties the page cache and
  stamps ``(PLACES, mission id)``, which the mission's read-model entries depend on
  (``readmodel.depends_on``). A sign-up that is not confirmed yet sends nothing, so the form
  (which anyone can post) cannot be used to empty the cache: that takes a confirmed e-mail.
- **Settings that change** (opening, closing, places) do the same, from Django's model
  signals, whoever saves them.
- **The moments registration opens and closes** end the page cache's generation and the
  read model's entries like a scheduled publish date (``caching.add_schedule``).
"""

from collections.abc import Iterable
from datetime import datetime

from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_save

from registrations.models import RegistrationSettings
from registrations.signals import places_changed

from . import caching, readmodel

# The read model's key for "a mission's places" (not a model: they are counted).
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


def _places_changed(sender, mission_id: int, **kwargs) -> None:
    mission_page_changed(mission_id)


def _settings_saved(sender, instance: RegistrationSettings, **kwargs) -> None:
    mission_page_changed(instance.mission_id, schedule=[instance.opens_at, instance.closes_at])


def _settings_deleted(sender, instance: RegistrationSettings, **kwargs) -> None:
    mission_page_changed(instance.mission_id)


def connect_signals() -> None:
    """Listen to registrations (``ReadpathConfig.ready()``)."""
    caching.add_schedule(registration_schedule)
    places_changed.connect(_places_changed, dispatch_uid="readpath-registration-places")
    post_save.connect(
        _settings_saved, sender=RegistrationSettings, dispatch_uid="readpath-registration-open"
    )
    post_delete.connect(
        _settings_deleted, sender=RegistrationSettings, dispatch_uid="readpath-registration-gone"
    )
