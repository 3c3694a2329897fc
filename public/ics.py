"""An iCalendar file per mission: "add to calendar" on the mission page.

The file has one all-day event for the mission (its dates) and one event per
programme item that has a date: all day, or at its start time when that is known.
Event UIDs are the objects' UUIDs, so importing the file again, or the same file
in another language, updates the events instead of adding copies.

A start time is a wall-clock time where the item takes place, so it is written
with the TZID of the item's time zone (``ProgrammeItem.effective_time_zone()``) and
that zone's VTIMEZONE: a 09:00 meeting in Dalian shows at 09:00 China time in every
calendar, wherever its reader is.

A mission without any known date has no calendar: its page shows no link and the
address answers 404, because an empty calendar helps nobody.
"""

import datetime as dt

import icalendar
from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language, pgettext

from programmes.models import Mission, ProgrammeItem

from .templatetags.public_site import html_lang, translated

ONE_DAY = dt.timedelta(days=1)


def has_dates(mission: Mission) -> bool:
    """Whether the mission or one of its (prefetched) programme items has a known date."""
    return bool(
        mission.start_date
        or mission.end_date
        or any(item.date for item in mission.programme_items.all())
    )


def calendar_response(request: HttpRequest, mission: Mission) -> HttpResponse:
    """The mission's calendar as a ``.ics`` download, in the active language."""
    response = HttpResponse(
        mission_calendar(request, mission).to_ical(), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{mission.slug}.ics"'
    return response


def mission_calendar(request: HttpRequest, mission: Mission) -> icalendar.Calendar:
    """The mission and its dated programme items as an iCalendar object.

    ``mission`` comes from ``Mission.objects.for_calendar()``. The stamps are the
    mission's last change, so the same content always gives the same file.
    """
    url = request.build_absolute_uri(mission.get_absolute_url())
    calendar = icalendar.Calendar()
    calendar.add("prodid", f"-//Twinning CMS//Mission calendar//{html_lang(get_language())}")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    _add_text(calendar, "name", mission, "title")
    calendar.add("x-wr-calname", mission.title)
    calendar.add("url", url)

    mission_event = _mission_event(mission, url)
    if mission_event is not None:
        calendar.add_component(mission_event)
    dated_items = [item for item in mission.programme_items.all() if item.date]
    for item in dated_items:
        event = _programme_item_event(item, mission, url)
        if mission_event is not None:
            event.add("related-to", str(mission.uuid))
        calendar.add_component(event)

    if dated_items:
        # VTIMEZONE definitions for the items with a start time, for their dates only.
        dates = [item.date for item in dated_items]
        calendar.add_missing_timezones(min(dates), max(dates) + ONE_DAY)
    return calendar


def _mission_event(mission: Mission, url: str) -> icalendar.Event | None:
    """The mission as an all-day event; DTEND is exclusive: the day after the last day."""
    first_day = mission.start_date or mission.end_date
    if first_day is None:
        return None
    last_day = mission.end_date or mission.start_date
    event = _event(mission.uuid, mission, url)
    event.add("dtstart", first_day)
    event.add("dtend", last_day + ONE_DAY)
    _add_text(event, "summary", mission, "title")
    summary = translated(mission, "summary")
    event.add(
        "description",
        f"{summary}\n\n{url}" if summary else url,
        parameters=_language(summary) if summary else None,
    )
    list_separator = pgettext("list separator", ", ")
    destinations = list_separator.join(region.name for region in mission.destinations.all())
    if destinations:
        event.add("location", destinations)
    return event


def _programme_item_event(item: ProgrammeItem, mission: Mission, url: str) -> icalendar.Event:
    """An item at its start time when known (its end is not), else all day."""
    event = _event(item.uuid, mission, url)
    start = item.starts_at()
    event.add("dtstart", start)
    if not isinstance(start, dt.datetime):
        event.add("dtend", start + ONE_DAY)
    _add_text(event, "summary", item, "title")
    if item.description:
        _add_text(event, "description", item, "description")
    places = [item.host.name] if item.host else []
    if item.city:
        places.append(item.city.name)
        if item.city.latitude is not None and item.city.longitude is not None:
            event.add("geo", (float(item.city.latitude), float(item.city.longitude)))
    if places:
        event.add("location", pgettext("apposition", ", ").join(places))
    return event


def _event(uid, mission: Mission, url: str) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", str(uid))
    event.add("dtstamp", mission.updated_at.astimezone(dt.UTC))
    event.add("url", url)
    return event


def _add_text(component: icalendar.Component, name: str, obj, field: str) -> None:
    """A translated text, with the language it is really in (it may be a fallback)."""
    text = translated(obj, field)
    component.add(name, str(text), parameters=_language(text))


def _language(text) -> dict[str, str]:
    return {"LANGUAGE": html_lang(text.language)}
