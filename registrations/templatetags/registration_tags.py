"""Registration on the mission page (public) and on the mission's admin page (staff).

``{% registration_panel mission %}`` shows visitors whether registration is open, how
many places are left or that the waiting list is open, with a link to the form: counts
only, nothing about anyone. It costs the page one query (the settings with the counts),
and tells the read model that the page depends on the mission's places
(``pages.PLACES``), so the stored page is rebuilt when they change; the page cache is
emptied by the same changes (``pages.mission_page_changed``).

``{% registration_summary mission %}`` is the mission's change page in the admin: the
counts for anyone who may see the mission's registration settings (editors too), a link
to the people for those who may see them (publishers, site managers).
"""

from django import template
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString

from programmes import permissions, readmodel

from ..models import HOLDS_PLACE, Registration, RegistrationSettings, Status
from ..pages import PLACES
from ..services import Places

register = template.Library()


@register.filter
def as_time(moment) -> SafeString:
    """A moment as ``<time>``, in the site's time zone and the page's language, for a
    ``{% blocktranslate %}`` that puts it where its language wants it.

    The date as the language writes it, the time on the 24-hour clock: English's "p.m."
    would end a sentence in "p.m..", and the visitors are in Europe and China.
    """
    local = timezone.localtime(moment).replace(microsecond=0)
    shown = f"{date_format(local, 'DATE_FORMAT')} {local:%H:%M}"
    return format_html('<time datetime="{}">{}</time>', local.isoformat(), shown)


def _settings_with_counts(mission_id: int) -> RegistrationSettings | None:
    """The mission's settings with its live counts, in one query."""

    def counted(statuses) -> Count:
        return Count(
            "mission__registrations", filter=Q(mission__registrations__status__in=statuses)
        )

    return (
        RegistrationSettings.objects.filter(mission_id=mission_id)
        .annotate(
            taken=counted(HOLDS_PLACE),
            waiting=counted([Status.WAITING]),
            unconfirmed=counted([Status.UNCONFIRMED]),
        )
        .first()
    )


def _places(registration_settings: RegistrationSettings) -> Places:
    return Places(
        capacity=registration_settings.capacity,
        taken=registration_settings.taken,
        waiting=registration_settings.waiting,
        unconfirmed=registration_settings.unconfirmed,
    )


@register.inclusion_tag("registrations/includes/panel.html")
def registration_panel(mission) -> dict:
    readmodel.depends_on(PLACES, mission.pk)
    registration_settings = _settings_with_counts(mission.pk)
    if registration_settings is None:
        return {"registration_settings": None}
    return {
        "mission": mission,
        "registration_settings": registration_settings,
        "state": registration_settings.state(timezone.now()),
        "places": _places(registration_settings),
    }


@register.inclusion_tag("admin/registrations/includes/mission_summary.html", takes_context=True)
def registration_summary(context, mission) -> dict:
    user = context["request"].user
    if mission is None or not permissions.can(user, "view", RegistrationSettings):
        return {"show": False}
    registration_settings = _settings_with_counts(mission.pk)
    may_see_people = permissions.can(user, "view", Registration) and permissions.can(
        user, "view", mission
    )
    people_url = (
        reverse("admin:registrations_registration_changelist") + f"?mission__id__exact={mission.pk}"
    )
    if registration_settings is None:
        add_url = reverse("admin:registrations_registrationsettings_add") + f"?mission={mission.pk}"
        return {"show": True, "registration_settings": None, "add_url": add_url}
    state = registration_settings.state(timezone.now())
    return {
        "show": True,
        "registration_settings": registration_settings,
        "state": state,
        "places": _places(registration_settings),
        "settings_url": reverse(
            "admin:registrations_registrationsettings_change", args=[registration_settings.pk]
        ),
        "people_url": people_url if may_see_people else None,
    }
