"""The mission programme: a timeline by city, and in each city by day where dates are known."""

import datetime as dt

import pytest
from django.test.html import Element, parse_html
from django.utils import translation

from ..factories import MissionFactory, OrganisationFactory, ProgrammeItemFactory, RegionFactory


def programme_outline(html: str) -> list[tuple[str, str]]:
    """The programme section's headings in document order, as (tag, text) pairs."""
    document = parse_html(html)
    (section,) = [
        element
        for element in _elements(document)
        if element.name == "section"
        and ("aria-labelledby", "programme-heading") in element.attributes
    ]
    return [
        (element.name, _text(element))
        for element in _elements(section)
        if element.name in {"h3", "h4", "h5"}
    ]


def _elements(node):
    for child in getattr(node, "children", []):
        if isinstance(child, Element):
            yield child
            yield from _elements(child)


def _text(element: Element) -> str:
    return "".join(
        _text(child) if isinstance(child, Element) else child for child in element.children
    ).strip()


@pytest.fixture
def dalian_trip(db):
    """One city, two days given in the wrong order, and two items whose date is unknown."""
    dalian = RegionFactory(
        name_nl="Dalian", name_en="Dalian", name_zh_hans="大连", time_zone="Asia/Shanghai"
    )
    port = OrganisationFactory(slug="port-of-dalian", name_nl="Haven van Dalian")
    mission = MissionFactory()
    for order, (title, date, start_time) in enumerate(
        [
            ("Havenbezoek", dt.date(2012, 5, 16), dt.time(9, 30)),
            ("Netwerklunch", None, None),
            ("Stadhuis", dt.date(2012, 5, 15), None),
            ("Museum", dt.date(2012, 5, 16), None),
            ("Rondleiding", None, None),
        ]
    ):
        ProgrammeItemFactory(
            mission=mission,
            city=dalian,
            host=port if title == "Havenbezoek" else None,
            order=order,
            title_nl=title,
            date=date,
            start_time=start_time,
        )
    return mission


def test_dated_items_are_grouped_by_day_in_date_order_and_undated_ones_follow(client, dalian_trip):
    response = client.get(dalian_trip.get_absolute_url())

    assert programme_outline(response.text) == [
        ("h3", "Dalian"),
        ("h4", "15 mei 2012"),
        ("h5", "Stadhuis"),
        ("h4", "16 mei 2012"),
        ("h5", "Havenbezoek"),
        ("h5", "Museum"),
        # Unknown dates: no day heading, and the items' headings one level up.
        ("h4", "Netwerklunch"),
        ("h4", "Rondleiding"),
    ]


def test_a_day_heading_is_a_machine_readable_date_and_items_show_their_time(client, dalian_trip):
    response = client.get(dalian_trip.get_absolute_url())

    html = response.text
    assert html.count('<h4 class="programme-day__heading">') == 2
    assert (
        '<h4 class="programme-day__heading"><time datetime="2012-05-16">16 mei 2012</time></h4>'
        in html
    )
    # A local time: the machine-readable datetime carries Dalian's UTC offset.
    assert '<time datetime="2012-05-16T09:30:00+08:00">09:30</time>' in html
    # The item still says what kind of visit it is and who hosts it.
    assert '<span class="tag">Bedrijfsbezoek</span>' in html
    assert (
        'Ontvangen door: <a href="/nl/organisations/port-of-dalian/">Haven van Dalian</a>' in html
    )


@pytest.mark.parametrize(
    ("language", "day"),
    [("en", "May 16, 2012"), ("zh-hans", "2012年5月16日")],
)
def test_day_headings_follow_the_page_language(client, dalian_trip, language, day):
    with translation.override(language):
        url = dalian_trip.get_absolute_url()

    response = client.get(url)

    assert f'<time datetime="2012-05-16">{day}</time></h4>' in response.text


def test_the_programme_says_once_that_its_times_are_local(client, dalian_trip):
    with translation.override("en"):
        url = dalian_trip.get_absolute_url()

    response = client.get(url)

    note = '<p class="muted">Times are local times: the time where the visit takes place.</p>'
    assert response.text.count(note) == 1


def test_a_programme_without_start_times_needs_no_note_on_them(client, dalian_trip):
    dalian_trip.programme_items.update(start_time=None)
    with translation.override("en"):
        url = dalian_trip.get_absolute_url()

    response = client.get(url)

    assert "Times are local times" not in response.text


def test_a_city_without_any_date_has_no_day_headings(client, db):
    mission = MissionFactory(programme_items=4)

    response = client.get(mission.get_absolute_url())

    outline = programme_outline(response.text)
    assert [tag for tag, _text in outline] == ["h3", "h4", "h4", "h3", "h4", "h4"]
    assert "programme-day" not in response.text


def test_the_host_label_takes_no_space_after_a_full_width_colon(client, dalian_trip):
    with translation.override("zh-hans"):
        url = dalian_trip.get_absolute_url()

    response = client.get(url)

    assert '接待单位：<a href="/zh-hans/organisations/port-of-dalian/">' in response.text
