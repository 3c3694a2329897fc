"""What happened where (issue 13, item 4): a place's page lists the missions that went there
and the visits held there, an organisation's the visits it hosted, and a partnership's page
shows its history as a chronology.

Only published content, in nl, en and zh-hans; flat query counts; and the read model
(readpath/readmodel.py) shows a change on the very next request.
"""

import datetime as dt
import json
import re
from types import SimpleNamespace

import lxml.html
import pytest
from django.utils import formats, timezone, translation
from django.utils.translation import gettext, pgettext

from programmes.domain import services
from programmes.models import Mission, Organisation, Partnership, Region, Status
from public.views import DETAIL_PAGE_MISSIONS, DETAIL_PAGE_PROGRAMME_ITEMS

from ..factories import (
    MissionFactory,
    OrganisationFactory,
    OutcomeFactory,
    PartnershipFactory,
    ProgrammeItemFactory,
    RegionFactory,
)
from .test_findable import check_schema

pytestmark = pytest.mark.django_db

LANGUAGES = ["nl", "en", "zh-hans"]
COLUMN = {"nl": "nl", "en": "en", "zh-hans": "zh_hans"}


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    """Each request asks the view or the read model, not the page cache, which any write
    empties anyway."""
    settings.PAGE_CACHE_SECONDS = 0


def names(nl: str, en: str, zh: str, field: str = "name") -> dict:
    return {f"{field}_nl": nl, f"{field}_en": en, f"{field}_zh_hans": zh}


def url(obj, language: str) -> str:
    with translation.override(language):
        return obj.get_absolute_url()


def text_of(obj, field: str, language: str) -> str:
    return getattr(obj, f"{field}_{COLUMN[language]}")


def interface(language: str, message: str, context: str = "") -> str:
    with translation.override(language):
        return pgettext(context, message) if context else gettext(message)


def long_date(date: dt.date, language: str) -> str:
    with translation.override(language):
        return formats.date_format(date, "DATE_FORMAT")


def date_span(start: dt.date, end: dt.date, language: str) -> str:
    """A mission's dates as its page writes them (Chinese: 2012年5月14日至20日)."""
    if language == "zh-hans" and (start.year, start.month) == (end.year, end.month):
        return f"{long_date(start, language)}至{end.day}日"
    return f"{long_date(start, language)} – {long_date(end, language)}"


def section(html: str, heading_id: str) -> lxml.html.HtmlElement | None:
    """The ``<section>`` labelled by the heading ``heading_id``, or ``None``."""
    found = lxml.html.fromstring(html).xpath(f'//section[@aria-labelledby="{heading_id}"]')
    return found[0] if found else None


def words(element) -> str:
    return " ".join(element.text_content().split())


def links(element) -> list[str]:
    return [a.text_content().strip() for a in element.iter("a")]


@pytest.fixture
def dalian(db):
    """Enschede – Dalian: a dated mission to Dalian with visits there (one hosted by the NBSO
    office, one without a date) and in Ningbo, an outcome a year later."""
    china = RegionFactory(slug="china", kind=Region.Kind.COUNTRY, **names("China", "China", "中国"))
    dalian = RegionFactory(slug="dalian", parent=china, **names("Dalian", "Dalian", "大连"))
    zhejiang = RegionFactory(
        slug="zhejiang",
        kind=Region.Kind.PROVINCE,
        parent=china,
        **names("Zhejiang", "Zhejiang", "浙江"),
    )
    ningbo = RegionFactory(slug="ningbo", parent=zhejiang, **names("Ningbo", "Ningbo", "宁波"))
    enschede = RegionFactory(slug="enschede", **names("Enschede", "Enschede", "恩斯赫德"))
    municipality = OrganisationFactory(
        slug="gemeente-enschede",
        region=enschede,
        **names("Gemeente Enschede", "Municipality of Enschede", "恩斯赫德市政府"),
    )
    nbso = OrganisationFactory(
        slug="nbso-dalian",
        kind=Organisation.Kind.BUSINESS_SUPPORT_OFFICE,
        region=dalian,
        **names("NBSO Dalian", "NBSO Dalian", "大连荷兰商务支持办公室"),
    )
    partnership = PartnershipFactory(
        slug="enschede-dalian",
        home_region=enschede,
        partner_region=dalian,
        since_year=2000,
        coordinator=municipality,
        coordinator_since_year=2008,
        **names(
            "Stedenband Enschede – Dalian",
            "Enschede – Dalian city link",
            "恩斯赫德–大连城市合作关系",
            field="title",
        ),
        **names("de uitwisseling", "the exchange", "交流", field="coordinator_role"),
    )
    trip = MissionFactory(
        slug="trip",
        partnership=partnership,
        start_date=dt.date(2012, 5, 14),
        end_date=dt.date(2012, 5, 20),
        destinations=[dalian],
        organisers=[municipality],
        **names("Inspiratiereis", "Inspiration trip", "考察之旅", field="title"),
    )
    museum = ProgrammeItemFactory(
        mission=trip,
        city=dalian,
        host=nbso,
        date=dt.date(2012, 5, 16),
        **names("Dalian Museum", "Dalian Museum", "大连博物馆", field="title"),
    )
    port = ProgrammeItemFactory(
        mission=trip, city=dalian, host=None, **names("Haven", "Port", "大连港", field="title")
    )
    ningbo_visit = ProgrammeItemFactory(
        mission=trip,
        city=ningbo,
        host=None,
        date=dt.date(2012, 5, 19),
        **names("Haven van Ningbo", "Port of Ningbo", "宁波港", field="title"),
    )
    outcome = OutcomeFactory(
        slug="school-link",
        mission=trip,
        date=dt.date(2013, 4, 13),
        **names("Scholenband", "School link", "学校合作", field="title"),
    )
    return SimpleNamespace(
        china=china,
        dalian=dalian,
        zhejiang=zhejiang,
        ningbo=ningbo,
        municipality=municipality,
        nbso=nbso,
        partnership=partnership,
        trip=trip,
        museum=museum,
        port=port,
        ningbo_visit=ningbo_visit,
        outcome=outcome,
    )


# A place's page ---------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_place_lists_the_missions_that_went_there_and_the_visits_held_there(
    client, dalian, language
):
    html = client.get(url(dalian.dalian, language)).text

    missions = section(html, "missions-heading")
    assert words(missions.find(".//h2")) == interface(language, "Missions that went here")
    assert links(missions) == [
        text_of(dalian.trip, "title", language),
        text_of(dalian.partnership, "title", language),
        text_of(dalian.dalian, "name", language),  # its destination
    ]
    dates = date_span(dalian.trip.start_date, dalian.trip.end_date, language)
    assert dates in words(missions)

    visits = section(html, "visits-heading")
    assert words(visits.find(".//h2")) == interface(language, "Visits and meetings here")
    titles = [words(h3) for h3 in visits.iter("h3")]
    # The newest first; an item without a date goes by its mission's, after the dated ones.
    assert titles == [
        text_of(dalian.museum, "title", language),
        text_of(dalian.port, "title", language),
    ]
    museum, port = visits.xpath(".//li[@class='visit']")
    assert (
        museum.find(".//h3/a").get("href")
        == f"{url(dalian.trip, language)}#item-{dalian.museum.uuid}"
    )
    assert long_date(dalian.museum.date, language) in words(museum)
    # The host is named and linked; the place is the page's own, so it is not.
    assert text_of(dalian.nbso, "name", language) in links(museum)
    assert interface(language, "Place") not in words(museum)
    # No date of its own: the mission's dates say when.
    assert dates in words(port)


def test_chinese_dates_are_written_the_chinese_way(client, dalian):
    html = client.get(url(dalian.dalian, "zh-hans")).text

    assert "2012年5月16日" in words(section(html, "visits-heading"))
    assert "2012年5月14日至20日" in words(section(html, "missions-heading"))


def test_a_province_lists_what_happened_in_the_places_within_it(client, dalian):
    html = client.get(url(dalian.zhejiang, "en")).text

    visits = section(html, "visits-heading")
    assert [words(h3) for h3 in visits.iter("h3")] == ["Port of Ningbo"]
    # Held in a place within the province: the item says where.
    assert "Ningbo" in links(visits)
    # The trip went to Dalian, not to Zhejiang: its destinations say so.
    assert section(html, "missions-heading") is None
    # A country lists the missions to its cities.
    china = client.get(url(dalian.china, "en")).text
    assert links(section(china, "missions-heading"))[0] == "Inspiration trip"


def test_missions_are_listed_newest_first_the_undated_last(client, dalian):
    for title, start in (
        ("Undated", None),
        ("Older", dt.date(2010, 1, 5)),
        ("Newer", dt.date(2020, 9, 1)),
    ):
        MissionFactory(
            partnership=dalian.partnership,
            start_date=start,
            destinations=[dalian.dalian],
            title_en=title,
        )

    html = client.get(url(dalian.dalian, "en")).text

    titles = [words(h3) for h3 in section(html, "missions-heading").iter("h3")]
    assert titles == ["Newer", "Inspiration trip", "Older", "Undated"]


def hidden_missions(dalian) -> list[Mission]:
    """Missions to Dalian with a visit there that the public must not see."""
    now = timezone.now()
    hidden = [
        MissionFactory(status=Status.DRAFT, title_en="A draft"),
        MissionFactory(publish_at=now + dt.timedelta(days=1), title_en="Not yet"),
        MissionFactory(unpublish_at=now - dt.timedelta(hours=1), title_en="Taken down"),
        MissionFactory(partnership__status=Status.DRAFT, title_en="Of a draft partnership"),
    ]
    for mission in hidden:
        services.set_in_order(mission, "destinations", [dalian.dalian])
        ProgrammeItemFactory(
            mission=mission,
            city=dalian.dalian,
            host=dalian.nbso,
            title_en=f"Visit of {mission.title_en}",
        )
    return hidden


def test_unpublished_missions_and_their_visits_are_not_listed(client, dalian):
    hidden = hidden_missions(dalian)

    for page in (dalian.dalian, dalian.nbso):
        html = client.get(url(page, "en")).text
        for mission in hidden:
            assert mission.title_en not in html, (page, mission)
    assert client.get(url(dalian.dalian, "en")).text.count('class="visit"') == 2


def test_a_place_where_nothing_happened_has_no_empty_sections(client, dalian):
    html = client.get(url(RegionFactory(), "en")).text

    assert section(html, "missions-heading") is None
    assert section(html, "visits-heading") is None


def test_a_place_shows_the_latest_and_says_so(client, dalian):
    for day in range(DETAIL_PAGE_MISSIONS + 1):
        MissionFactory(
            partnership=dalian.partnership,
            start_date=dt.date(2021, 1, 1 + day),
            destinations=[dalian.dalian],
            programme_items=0,
        )
        ProgrammeItemFactory(mission=dalian.trip, city=dalian.dalian, date=dt.date(2012, 5, 14))

    html = client.get(url(dalian.dalian, "en")).text

    missions = section(html, "missions-heading")
    assert len(missions.xpath(".//li[@class='card']")) == DETAIL_PAGE_MISSIONS
    assert links(missions)[-1] == gettext("All missions")
    visits = section(html, "visits-heading")
    assert len(visits.xpath(".//li[@class='visit']")) == DETAIL_PAGE_PROGRAMME_ITEMS
    assert words(visits.xpath(".//p[@class='more-link']")[0]) == (
        f"The latest {DETAIL_PAGE_PROGRAMME_ITEMS} visits and meetings are shown."
    )


# An organisation's page -------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_organisation_lists_the_visits_it_hosted(client, dalian, language):
    html = client.get(url(dalian.nbso, language)).text

    visits = section(html, "visits-heading")
    assert words(visits.find(".//h2")) == interface(language, "Visits and meetings hosted")
    assert [words(h3) for h3 in visits.iter("h3")] == [text_of(dalian.museum, "title", language)]
    # The mission it took part in as host, and where (the host is the page's own).
    assert links(visits) == [
        text_of(dalian.museum, "title", language),
        text_of(dalian.trip, "title", language),
        text_of(dalian.dalian, "name", language),
    ]
    assert long_date(dalian.museum.date, language) in words(visits)


def test_the_organisers_page_still_lists_the_missions_it_organised(client, dalian):
    html = client.get(url(dalian.municipality, "en")).text

    assert "Inspiration trip" in links(section(html, "missions-heading"))
    assert section(html, "visits-heading") is None


# A partnership's chronology ---------------------------------------------------------------


def chronology(html: str) -> list[tuple[str, str]]:
    """``(date, what)`` of each event of the chronology, in order; "" for no date."""
    events = section(html, "chronology-heading").xpath(
        ".//li[contains(@class, 'chronology__event')]"
    )
    result = []
    for event in events:
        date = event.xpath("./p[@class='chronology__date']")
        what = event.xpath("./p[@class='chronology__what']")[0]
        result.append((words(date[0]) if date else "", words(what)))
    return result


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_partnership_shows_its_history_in_date_order(client, dalian, language):
    later = MissionFactory(
        partnership=dalian.partnership,
        kind=Mission.Kind.INSPIRATION_TRIP,
        **names("Later bezoek", "Later visit", "后续访问", field="title"),
    )
    p, trip, outcome = dalian.partnership, dalian.trip, dalian.outcome
    with translation.override(language):
        kind = str(p.get_kind_display())
        trip_kind = str(trip.get_kind_display())
        outcome_kind = str(outcome.get_kind_display())
        year = pgettext("a year in a chronology", "%(year)s")
        start = gettext("%(kind)s between %(home)s and %(partner)s") % {
            "kind": kind,
            "home": text_of(p.home_region, "name", language),
            "partner": text_of(p.partner_region, "name", language),
        }
        coordinator = gettext("Coordinated from then on by %(organisation)s") % {
            "organisation": text_of(dalian.municipality, "name", language)
        }
    trip_dates = date_span(trip.start_date, trip.end_date, language)
    expected = [
        (year % {"year": "2000"}, start),
        (year % {"year": "2008"}, coordinator),
        (trip_dates, f"{text_of(trip, 'title', language)} {trip_kind}"),
        (
            long_date(outcome.date, language),
            f"{text_of(outcome, 'title', language)} {outcome_kind}",
        ),
        (
            "",
            f"{text_of(later, 'title', language)} {trip_kind}",
        ),
    ]

    html = client.get(url(dalian.partnership, language)).text

    assert chronology(html) == expected
    heading = section(html, "chronology-heading")
    assert words(heading.find(".//h2")) == interface(language, "Chronology")
    assert words(heading.xpath(".//p[@class='chronology__undated']")[0]) == interface(
        language, "Date not known:"
    )
    # The coordinator's role under its event, as in the summary above.
    assert text_of(dalian.partnership, "coordinator_role", language) in words(heading)
    # A year is a year: machines are not told 1 January.
    assert '<time datetime="2000">' in html


def test_a_chronology_leaves_out_what_is_not_known_or_not_public(client, dalian):
    hidden_missions(dalian)
    OutcomeFactory(mission=dalian.trip, status=Status.DRAFT, title_en="Draft outcome")
    Partnership.objects.filter(pk=dalian.partnership.pk).update(
        since_year=None, coordinator_since_year=None
    )

    html = client.get(url(dalian.partnership, "en")).text

    trip, outcome = dalian.trip, dalian.outcome
    assert chronology(html) == [
        (
            f"{long_date(trip.start_date, 'en')} – {long_date(trip.end_date, 'en')}",
            "Inspiration trip Inspiration trip",
        ),
        (long_date(outcome.date, "en"), "School link Contract"),
    ]
    assert section(html, "chronology-heading").xpath(".//p[@class='chronology__undated']") == []


def test_a_partnership_with_nothing_dated_has_no_chronology(client, db):
    """Enschede – Dalian as the seed has it: no start year, a mission and outcomes without
    dates. A chronology of "date not known" would repeat the lists below it."""
    partnership = PartnershipFactory(since_year=None, coordinator_since_year=None)
    OutcomeFactory(mission=MissionFactory(partnership=partnership))

    html = client.get(url(partnership, "en")).text

    assert section(html, "chronology-heading") is None
    assert section(html, "missions-heading") is not None


def test_a_long_history_shows_the_latest_and_says_where_the_rest_is(client, dalian):
    for day in range(DETAIL_PAGE_MISSIONS + 1):
        MissionFactory(partnership=dalian.partnership, start_date=dt.date(2021, 1, 1 + day))

    html = client.get(url(dalian.partnership, "en")).text

    events = chronology(html)
    # The start, the coordinator, the latest missions; the trip of 2012 is too old.
    assert len(events) == 2 + DETAIL_PAGE_MISSIONS + 1  # and the outcome of 2013
    assert "Inspiration trip Inspiration trip" not in [what for _date, what in events]
    note = section(html, "chronology-heading").xpath(".//p[@class='more-link']")
    assert words(note[0]) == gettext(
        "Earlier missions and outcomes are in the lists of all of them, below."
    )


# What machines read ----------------------------------------------------------------------


def json_ld(html: str) -> dict:
    [script] = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html)
    return json.loads(script)


def test_a_place_and_an_organiser_name_their_dated_missions_as_events(client, dalian):
    MissionFactory(partnership=dalian.partnership, destinations=[dalian.dalian], title_en="Undated")

    place = json_ld(client.get(url(dalian.dalian, "en")).text)
    organiser = json_ld(client.get(url(dalian.municipality, "en")).text)

    event = {
        "@type": "Event",
        "name": "Inspiration trip",
        "url": "http://testserver/en/missions/trip/",
        "startDate": "2012-05-14",
        "endDate": "2012-05-20",
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
    }
    # The undated mission would be an Event without a start date: left out.
    assert place["@type"] == "Place" and place["event"] == [event]
    assert organiser["@type"] == "Organization" and organiser["event"] == [event]
    # Only properties schema.org gives these types (test_findable.py's check of every page).
    check_schema(place, "Dalian")
    check_schema(organiser, "Municipality of Enschede")


# Query counts ------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [2, 25])
def test_a_place_page_costs_the_same_however_much_happened_there(
    client, dalian, django_assert_num_queries, count
):
    for day in range(count):
        mission = MissionFactory(
            partnership=dalian.partnership,
            start_date=dt.date(2021, 1, 1 + day),
            destinations=[dalian.dalian],
        )
        ProgrammeItemFactory(mission=mission, city=dalian.dalian, host=OrganisationFactory())

    # The region's 8 (test_region_page_queries' 10, less the places within and their own
    # places: Dalian has none), the missions there and their destinations, the visits there;
    # 2 for the navigation (site pages, publishers); 7 for the read model; then 1.
    with django_assert_num_queries(11 + 2 + 7):
        client.get(url(dalian.dalian, "en"))
    with django_assert_num_queries(1):
        client.get(url(dalian.dalian, "en"))


@pytest.mark.parametrize("count", [2, 25])
def test_an_organisation_page_costs_the_same_however_much_it_hosted(
    client, dalian, django_assert_num_queries, count
):
    for day in range(count):
        mission = MissionFactory(
            partnership=dalian.partnership, start_date=dt.date(2021, 1, 1 + day)
        )
        ProgrammeItemFactory(mission=mission, host=dalian.nbso)

    # Its missions, partnerships and visits, and the organisation: 4; 2 for the navigation;
    # 7 for the read model.
    with django_assert_num_queries(4 + 2 + 7):
        client.get(url(dalian.nbso, "en"))


@pytest.mark.parametrize("count", [2, 25])
def test_a_chronology_costs_one_query_however_long_it_is(
    client, dalian, django_assert_num_queries, count
):
    for day in range(count):
        mission = MissionFactory(
            partnership=dalian.partnership, start_date=dt.date(2021, 1, 1 + day)
        )
        OutcomeFactory(mission=mission, date=dt.date(2022, 1, 1 + day))

    # test_partnership_page_queries' 5, the outcomes by date; 2 for the navigation; 7 for
    # the read model.
    with django_assert_num_queries(6 + 2 + 7):
        client.get(url(dalian.partnership, "en"))


# The read model: the next request shows the change ----------------------------------------


def test_publishing_a_new_mission_to_dalian_shows_on_dalians_page_at_once(client, dalian):
    mission = MissionFactory(
        partnership=dalian.partnership,
        status=Status.DRAFT,
        title_en="Second trip",
        destinations=[dalian.dalian],
    )
    assert "Second trip" not in client.get(url(dalian.dalian, "en")).text
    assert "Second trip" not in client.get(url(dalian.dalian, "en")).text  # from the read model

    services.publish([mission])

    assert "Second trip" in links(
        section(client.get(url(dalian.dalian, "en")).text, "missions-heading")
    )


def test_a_new_destination_of_a_published_mission_shows_on_the_places_page(client, dalian):
    mission = MissionFactory(partnership=dalian.partnership, title_en="Second trip")
    for place in (dalian.dalian, dalian.zhejiang):
        client.get(url(place, "en"))

    services.set_in_order(mission, "destinations", [dalian.ningbo])

    assert "Second trip" not in client.get(url(dalian.dalian, "en")).text
    # Ningbo lies in Zhejiang: the province's page lists it too, and says where it went.
    missions = section(client.get(url(dalian.zhejiang, "en")).text, "missions-heading")
    assert links(missions) == ["Second trip", dalian.partnership.title_en, "Ningbo"]


def test_a_new_visit_shows_on_the_places_and_the_hosts_page(client, dalian):
    for page in (dalian.dalian, dalian.zhejiang, dalian.nbso):
        client.get(url(page, "en"))

    ProgrammeItemFactory(
        mission=dalian.trip, city=dalian.ningbo, host=dalian.nbso, title_en="Shipyard"
    )

    assert "Shipyard" in client.get(url(dalian.zhejiang, "en")).text
    assert "Shipyard" in client.get(url(dalian.nbso, "en")).text


def test_renaming_a_mission_changes_the_pages_that_list_it(client, dalian):
    pages = (dalian.dalian, dalian.nbso, dalian.partnership)
    for page in pages:
        client.get(url(page, "en"))

    dalian.trip.title_en = "Renamed trip"
    dalian.trip.save()

    for page in pages:
        assert "Renamed trip" in client.get(url(page, "en")).text, page


def test_a_visit_moved_elsewhere_leaves_the_old_places_page(client, dalian):
    client.get(url(dalian.dalian, "en"))

    dalian.museum.city = dalian.ningbo
    dalian.museum.save()

    assert "Dalian Museum" not in client.get(url(dalian.dalian, "en")).text
