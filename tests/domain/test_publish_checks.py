"""What publishing checks: programme dates inside the mission's dates, and translations.

Issue 12, item 5: items dated 11–12 May were accepted in a mission of 16–18 May (the page and
the calendar file contradicted each other), and a mission at 83 % translated was published
without a word.
"""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from programmes.domain import services, workflow
from programmes.domain.permissions import PUBLISHER
from programmes.exchange.bundles import UNCHECKED
from programmes.models import Mission, ProgrammeItem, Status

from ..factories import (
    MissionFactory,
    ProgrammeItemFactory,
    StaffFactory,
    district_in_zoned_country,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english():
    """Messages are compared in English, their source, whatever the catalogs say."""
    with translation.override("en"):
        yield


MAY = {"start_date": dt.date(2026, 5, 16), "end_date": dt.date(2026, 5, 18)}


def draft_mission(**kwargs) -> Mission:
    return MissionFactory(status=Status.DRAFT, publish_at=None, **MAY, **kwargs)


def item_on(mission: Mission, day: int, **kwargs) -> ProgrammeItem:
    return ProgrammeItem(
        mission=mission,
        kind=ProgrammeItem.Kind.MEETING,
        title_nl="Overleg",
        title_en="Meeting",
        title_zh_hans="会谈",
        date=dt.date(2026, 5, day),
        **kwargs,
    )


def publisher_of(mission: Mission):
    return StaffFactory(role=PUBLISHER, organisations=[mission.partnership.owner])


# The date rule on the model -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "refused"), [(11, True), (15, True), (16, False), (18, False), (19, True)]
)
def test_a_programme_item_must_lie_within_the_missions_dates(day, refused):
    item = item_on(draft_mission(), day)
    if not refused:
        item.full_clean()
        return
    with pytest.raises(ValidationError) as error:
        item.full_clean()
    assert error.value.message_dict == {
        "date": [
            f"May {day}, 2026 is outside the dates of the mission (May 16, 2026 – May 18, 2026): "
            "the public page and the calendar file would contradict each other. Correct the "
            "date of the item or of the mission."
        ]
    }


def test_the_date_is_the_local_day_where_the_item_takes_place():
    # 00:30 in Dalian on the first day is still 15 May in Amsterdam (and in UTC): the day
    # on the wall where it happens is what counts, as the item's date is stored.
    mission = draft_mission()
    item = item_on(mission, 16, city=district_in_zoned_country("Asia/Shanghai"))
    item.start_time = dt.time(0, 30)
    item.full_clean()
    assert item.starts_at().astimezone(dt.UTC).date() == dt.date(2026, 5, 15)


def test_a_mission_without_dates_bounds_nothing_and_an_open_end_bounds_one_side():
    assert not item_on(MissionFactory(start_date=None, end_date=None), 1).is_outside_mission_dates()
    open_end = MissionFactory(start_date=dt.date(2026, 5, 16), end_date=None)
    assert not item_on(open_end, 30).is_outside_mission_dates()
    assert item_on(open_end, 15).is_outside_mission_dates()


def test_changing_the_missions_dates_refuses_the_items_they_leave_out():
    mission = draft_mission()
    ProgrammeItemFactory(mission=mission, date=dt.date(2026, 5, 17))
    stored = Mission.objects.get()
    stored.end_date = dt.date(2026, 5, 16)
    item = stored.programme_items.get()
    item.mission = stored
    with pytest.raises(ValidationError, match="outside the dates of the mission"):
        item.full_clean()


def test_content_from_before_the_rule_may_still_be_translated():
    """An item already stored outside its mission's dates: a save that changes only its
    texts (a translator, a translation file) is not refused; publishing is (below)."""
    mission = draft_mission()
    ProgrammeItemFactory(mission=mission, date=dt.date(2026, 5, 11))  # no check: as before
    item = ProgrammeItem.objects.get()
    item.title_zh_hans = "新标题"
    services.save_content(item)
    item.date = dt.date(2026, 5, 12)
    with pytest.raises(ValidationError, match="outside the dates of the mission"):
        services.save_content(item)


def test_a_bundle_import_copies_the_date_as_it_is():
    assert UNCHECKED[ProgrammeItem] == ("date",)
    item = item_on(draft_mission(), 11)
    services.save_content(item, unchecked=UNCHECKED[ProgrammeItem])
    assert ProgrammeItem.objects.get().date == dt.date(2026, 5, 11)


# Publishing -----------------------------------------------------------------------------------


def test_a_mission_with_items_outside_its_dates_is_not_published():
    mission = draft_mission()
    ProgrammeItemFactory(mission=mission, date=dt.date(2026, 5, 11), title_en="Port")
    ProgrammeItemFactory(mission=mission, date=dt.date(2026, 5, 17), title_en="Museum")
    with pytest.raises(workflow.TransitionError) as error:
        workflow.publish(mission, by=publisher_of(mission), confirmed=True)
    assert str(error.value) == (
        f"“{mission}” cannot be published: programme items are dated outside the mission's "
        "dates (May 16, 2026 – May 18, 2026): “Port” (May 11, 2026). Correct the dates first."
    )
    assert Mission.objects.get().status == Status.DRAFT


def test_an_incomplete_translation_needs_a_confirmation():
    mission = draft_mission(why_zh_hans="", result_en="")
    ProgrammeItemFactory(mission=mission, date=dt.date(2026, 5, 17), title_en="")
    publisher = publisher_of(mission)

    with pytest.raises(workflow.ConfirmationNeeded) as question:
        workflow.publish(mission, by=publisher)

    assert Mission.objects.get().status == Status.DRAFT
    missing = question.value.missing
    assert set(missing) == {"en", "zh-hans"}
    assert [str(text) for text in missing["en"].missing] == [
        "result",
        f"programme item “{ProgrammeItem.objects.get()}”: title",
    ]
    assert [str(text) for text in missing["zh-hans"].missing] == ["why this mission"]
    assert missing["zh-hans"].percent < 100

    workflow.publish(mission, by=publisher, confirmed=True)
    assert Mission.objects.get().status == Status.PUBLISHED


def test_a_complete_translation_is_published_without_a_question():
    mission = draft_mission()
    workflow.publish(mission, by=publisher_of(mission))
    assert Mission.objects.get().status == Status.PUBLISHED
