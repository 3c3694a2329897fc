"""A partnership's history as a list of dated events, built from its structured fields.

The history of a partnership ("a friendship agreement since 2000, coordinated by POM since
2008, the Business Days, the contracts that came of them") used to be told only in its
description. Every part of it is also a field: the partnership's ``since_year``, its
coordinator's ``coordinator_since_year``, its missions' dates and its outcomes' dates. This
module puts those in date order, so the page shows the history without anyone writing it
twice. Nothing is dated that the content does not date: a year stays a year (shown as
"2000", not as 1 January 2000), and missions and outcomes without a date are kept apart,
after the dated events, rather than given one.

Built from what ``Partnership.objects.for_detail_page()`` fetched: no queries.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from programmes.models import Mission, Organisation, Outcome, Partnership

type EventKind = Literal["start", "coordinator", "mission", "outcome"]

# Within one day (or one year, for a year-only event), the order in which things follow
# from each other: an agreement, then who coordinates it, then missions, then their results.
_KIND_ORDER = {"start": 0, "coordinator": 1, "mission": 2, "outcome": 3}


@dataclass(frozen=True)
class Event:
    """One entry of a chronology.

    ``start`` is the day it happened or began (``None`` when not known); ``end`` the last
    day of a mission of several days; ``year_only`` says that only the year of ``start``
    is known (then ``start`` is 1 January of it, for sorting only).
    """

    kind: EventKind
    subject: Partnership | Organisation | Mission | Outcome
    start: dt.date | None
    end: dt.date | None = None
    year_only: bool = False

    @property
    def year(self) -> int | None:
        return self.start.year if self.start else None


@dataclass(frozen=True)
class Chronology:
    dated: list[Event]  # oldest first
    undated: list[Event]  # missions, then outcomes, in the page's order
    # Some missions or outcomes were left out: the page lists only the latest.
    is_partial: bool = False

    def __bool__(self) -> bool:
        """Shown once something is dated: undated events alone are the lists of missions and
        outcomes the page has already, in another order."""
        return bool(self.dated)


def partnership_chronology(
    partnership: Partnership,
    missions: Iterable[Mission],
    outcomes: Iterable[Outcome],
    *,
    is_partial: bool = False,
) -> Chronology:
    """The partnership's start, its coordinator, and the given ``missions`` and ``outcomes``
    (published ones, as the page lists them), in date order."""
    events = [*_partnership_events(partnership)]
    events += [Event("mission", m, m.start_date, m.end_date) for m in missions]
    events += [Event("outcome", o, o.date) for o in outcomes]
    dated = sorted((e for e in events if e.start), key=_date_order)
    undated = [e for e in events if e.start is None]
    return Chronology(dated, undated, is_partial=is_partial)


def _partnership_events(partnership: Partnership) -> Iterable[Event]:
    if partnership.since_year:
        yield Event("start", partnership, dt.date(partnership.since_year, 1, 1), year_only=True)
    coordinator = partnership.coordinator
    if coordinator is not None and partnership.coordinator_since_year:
        start = dt.date(partnership.coordinator_since_year, 1, 1)
        yield Event("coordinator", coordinator, start, year_only=True)


def _date_order(event: Event) -> tuple[dt.date, int]:
    return (event.start, _KIND_ORDER[event.kind])
