"""The public pages in Dutch, English and Simplified Chinese.

Interface strings are compared with what gettext gives in the page's language,
so these tests hold before and after the catalogs are translated; content is
compared with the exact per-language values the factories wrote.
"""

import datetime as dt
import io
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.utils import formats, translation
from django.utils.translation import gettext, ngettext, pgettext
from PIL import Image
from pytest_django.asserts import assertContains, assertInHTML, assertNotContains

from programmes.domain.permissions import EDITOR, owner_id
from programmes.models import (
    KeyFigure,
    Mission,
    Organisation,
    Outcome,
    Partnership,
    Photo,
    ProgrammeItem,
    Region,
    Status,
)
from public.views import (
    DETAIL_PAGE_MISSIONS,
    DETAIL_PAGE_OUTCOMES,
    HOME_RECENT_MISSIONS,
    HOME_UPCOMING_MISSIONS,
    MISSIONS_PER_PAGE,
    OUTCOMES_PER_PAGE,
    server_error,
)

from ..factories import (
    ClusterFactory,
    FocusAreaFactory,
    KeyFigureFactory,
    MissionFactory,
    ObjectiveFactory,
    OrganisationFactory,
    OutcomeFactory,
    PartnershipFactory,
    ProgrammeItemFactory,
    RegionFactory,
    StaffFactory,
    district_in_zoned_country,
)

pytestmark = pytest.mark.django_db

LANGUAGES = ["nl", "en", "zh-hans"]
HTML_LANG = {"nl": "nl", "en": "en", "zh-hans": "zh-Hans"}
COLUMN = {"nl": "nl", "en": "en", "zh-hans": "zh_hans"}


def names(nl: str, en: str, zh: str, field: str = "name") -> dict:
    return {f"{field}_nl": nl, f"{field}_en": en, f"{field}_zh_hans": zh}


def in_language(obj, field: str, language: str) -> str:
    """The value the factories wrote for ``field`` in ``language``."""
    return getattr(obj, f"{field}_{COLUMN[language]}")


def url(obj, language: str) -> str:
    with translation.override(language):
        return obj.get_absolute_url()


def interface(language: str, message: str, **params) -> str:
    """An interface string as the page in ``language`` shows it."""
    with translation.override(language):
        text = gettext(message)
    return text % params if params else text


def apposition(language: str) -> str:
    """The separator between a name and what qualifies it: ", " (nl, en) or "，" (zh-hans)."""
    with translation.override(language):
        return pgettext("apposition", ", ")


def label(language: str, choice) -> str:
    with translation.override(language):
        return str(choice.label)


def png(width: int = 4, height: int = 3) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "navy").save(buffer, format="PNG")
    return SimpleUploadedFile("photo.png", buffer.getvalue(), content_type="image/png")


@pytest.fixture
def world(db):
    """West Flanders – Zhejiang, after the second seed document, in three languages."""
    china = RegionFactory(slug="china", kind=Region.Kind.COUNTRY, **names("China", "China", "中国"))
    zhejiang = RegionFactory(
        slug="zhejiang",
        kind=Region.Kind.PROVINCE,
        parent=china,
        **names("Zhejiang", "Zhejiang", "浙江"),
        **names("Kustprovincie", "Coastal province", "沿海省份", field="summary"),
        **names("<p>Sterk</p>", "<p>Strong</p>", "<p>强大</p>", field="profile"),
    )
    shaoxing = RegionFactory(
        slug="shaoxing", parent=zhejiang, **names("Shaoxing", "Shaoxing", "绍兴")
    )
    west_flanders = RegionFactory(
        slug="west-vlaanderen",
        kind=Region.Kind.PROVINCE,
        **names("West-Vlaanderen", "West Flanders", "西弗兰德"),
    )
    pom = OrganisationFactory(
        slug="pom-west-vlaanderen",
        kind=Organisation.Kind.DEVELOPMENT_AGENCY,
        region=west_flanders,
        website="https://www.pomwvl.be/",
        **names("POM West-Vlaanderen", "POM West Flanders", "西弗兰德省发展局"),
    )
    economy = FocusAreaFactory(slug="economy", **names("Economie", "Economy", "经济"))
    partnership = PartnershipFactory(
        slug="west-vlaanderen-zhejiang",
        kind=Partnership.Kind.FRIENDSHIP_AGREEMENT,
        home_region=west_flanders,
        partner_region=zhejiang,
        since_year=2000,
        coordinator=pom,
        coordinator_since_year=2008,
        **names(
            "Vriendschapsakkoord West-Vlaanderen – Zhejiang",
            "West Flanders – Zhejiang friendship agreement",
            "西弗兰德—浙江友好协议",
            field="title",
        ),
        **names("het economische luik", "the economic part", "经济部分", field="coordinator_role"),
    )
    partnership.focus_areas.add(economy)
    mission = MissionFactory(
        slug="business-days-zhejiang",
        kind=Mission.Kind.BUSINESS_DAYS,
        partnership=partnership,
        destinations=[zhejiang],
        organisers=[pom],
        **names(
            "Business Days Zhejiang – West-Vlaanderen",
            "Business Days Zhejiang – West Flanders",
            "浙江—西弗兰德商务日",
            field="title",
        ),
    )
    outcome = OutcomeFactory(
        slug="contracten",
        mission=mission,
        area=economy,
        kind=Outcome.Kind.CONTRACT,
        **names("Contracten", "Contracts", "合同", field="title"),
    )
    return SimpleNamespace(
        china=china,
        zhejiang=zhejiang,
        shaoxing=shaoxing,
        west_flanders=west_flanders,
        pom=pom,
        economy=economy,
        partnership=partnership,
        mission=mission,
        outcome=outcome,
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_home_lists_partnerships_and_missions(client, world, language):
    response = client.get(f"/{language}/")

    partnership, mission = world.partnership, world.mission
    with translation.override(language):
        # Its own message: the Dutch marks where the long word may break (a soft hyphen).
        heading = pgettext("home page heading, may hold soft hyphens", "Twinning programmes")
    assertInHTML(f"<h1>{heading}</h1>", response.text)
    assert heading.replace("\u00ad", "") == interface(language, "Twinning programmes")
    assertContains(
        response,
        f'<a href="{url(partnership, language)}">{in_language(partnership, "title", language)}</a>',
        html=True,
    )
    for region in (world.west_flanders, world.zhejiang):
        assertContains(
            response,
            f'<a href="{url(region, language)}">{in_language(region, "name", language)}</a>',
            html=True,
        )
    assertContains(response, label(language, Partnership.Kind.FRIENDSHIP_AGREEMENT))
    assertContains(response, interface(language, "since %(year)s", year="2000"))
    assertContains(
        response,
        f'<a href="{url(mission, language)}">{in_language(mission, "title", language)}</a>',
        html=True,
    )
    assertContains(response, label(language, Mission.Kind.BUSINESS_DAYS))


def test_home_lists_missions_most_recent_first(client):
    older = MissionFactory(title_en="Older", start_date=dt.date(2010, 5, 1))
    undated = MissionFactory(title_en="Undated", start_date=None)
    newer = MissionFactory(title_en="Newer", start_date=dt.date(2012, 5, 1))

    text = client.get("/en/").text

    positions = [text.index(f">{m.title_en}</a>") for m in (newer, older, undated)]
    assert positions == sorted(positions)


@pytest.mark.parametrize("language", LANGUAGES)
def test_partnership_page(client, world, language):
    partnership = world.partnership
    objective = ObjectiveFactory(partnership=partnership)

    response = client.get(url(partnership, language))

    assertInHTML(f"<h1>{in_language(partnership, 'title', language)}</h1>", response.text)
    assertContains(response, f'<p class="lead">{in_language(partnership, "summary", language)}</p>')
    assertContains(response, label(language, Partnership.Kind.FRIENDSHIP_AGREEMENT))
    assertInHTML("<dd>2000</dd>", response.text)
    pom = world.pom
    assertContains(
        response,
        f'<a href="{url(pom, language)}">{in_language(pom, "name", language)}</a>'
        + apposition(language)
        + interface(language, "since %(year)s", year="2008"),
    )
    assertContains(response, in_language(partnership, "coordinator_role", language))
    assertInHTML(
        f'<li class="tag tag--area">{in_language(world.economy, "name", language)}</li>',
        response.text,
    )
    assertContains(response, in_language(partnership, "description", language))
    assertInHTML(f"<li>{in_language(objective, 'text', language)}</li>", response.text)
    assertContains(response, f'href="{url(world.mission, language)}"')
    assertContains(
        response,
        f'<a href="{url(world.outcome, language)}">{in_language(world.outcome, "title", language)}'
        "</a>",
        html=True,
    )


@pytest.mark.parametrize(
    ("language", "population"),
    [("nl", "54 miljoen"), ("en", "54 million"), ("zh-hans", "5400万")],
)
def test_region_page(client, world, language, population):
    zhejiang = world.zhejiang
    figure = KeyFigureFactory(
        region=zhejiang,
        value=Decimal(54_000_000),
        unit=KeyFigure.Unit.COUNT,
        year=2010,
        **names("Inwoners", "Population", "人口", field="label"),
        **names("POM", "POM", "POM", field="source"),
    )
    ports = ClusterFactory(region=zhejiang, **names("havens", "ports", "港口", field="sector"))
    textiles = ClusterFactory(
        region=world.shaoxing, **names("textiel", "textiles", "纺织", field="sector")
    )
    photo = Photo.objects.create(
        region=zhejiang,
        image=png(),
        credit="POM West-Vlaanderen",
        **names("Westmeer", "West Lake", "西湖", field="alt_text"),
        **names("Het Westmeer", "The West Lake", "杭州西湖", field="caption"),
    )

    response = client.get(url(zhejiang, language))

    assertInHTML(f"<h1>{in_language(zhejiang, 'name', language)}</h1>", response.text)
    assertContains(response, in_language(zhejiang, "summary", language))
    assertContains(response, in_language(zhejiang, "profile", language))
    assertContains(
        response,
        f'<a href="{url(world.china, language)}">{in_language(world.china, "name", language)}</a>',
        html=True,
    )
    assertInHTML(
        f"""<tr>
          <th scope="row" class="figures__label">{in_language(figure, "label", language)}</th>
          <td class="numeric figures__value">{population}</td>
          <td class="numeric figures__year">2010</td>
        </tr>""",
        response.text,
    )
    # Its one source is said once, under the table, not in a column.
    source_label = interface(language, "Source of all key figures:")
    assertInHTML(
        f'<p class="figures__shared-source" id="figures-source">{source_label}'
        f"{'' if language == 'zh-hans' else ' '}<span>POM</span></p>",
        response.text,
    )
    shaoxing = world.shaoxing
    shaoxing_link = (
        f'<a href="{url(shaoxing, language)}">{in_language(shaoxing, "name", language)}</a>'
    )
    # Its own clusters, then those of its cities: "Shaoxing — textiles".
    assertInHTML(f"<li>{in_language(ports, 'sector', language)}</li>", response.text)
    assertInHTML(
        f"<li>{shaoxing_link} — {in_language(textiles, 'sector', language)}</li>", response.text
    )
    assertInHTML(f"<li>{shaoxing_link}</li>", response.text)
    assertContains(response, f'href="{url(world.partnership, language)}"')
    assertContains(response, in_language(world.partnership, "title", language))
    assertContains(response, f'alt="{in_language(photo, "alt_text", language)}"')
    assertContains(response, f"<span>{in_language(photo, 'caption', language)}</span>")
    assertContains(response, interface(language, "Photo: %(credit)s", credit="POM West-Vlaanderen"))


def test_region_page_lists_the_organisations_located_there(client, world):
    response = client.get(url(world.west_flanders, "en"))

    assertInHTML(
        f'<li><a href="/en/organisations/pom-west-vlaanderen/">POM West Flanders</a> '
        f'<span class="muted">· {label("en", Organisation.Kind.DEVELOPMENT_AGENCY)}</span></li>',
        response.text,
    )


@pytest.fixture
def enschede_trip(db):
    """The Enschede inspiration trip to Shanghai and Dalian, after the first seed document."""
    shanghai = RegionFactory(slug="shanghai", **names("Shanghai", "Shanghai", "上海"))
    dalian = RegionFactory(
        slug="dalian", time_zone="Asia/Shanghai", **names("Dalian", "Dalian", "大连")
    )
    tongji = OrganisationFactory(
        slug="tongji",
        kind=Organisation.Kind.UNIVERSITY,
        region=shanghai,
        **names("Tongji Universiteit", "Tongji University", "同济大学"),
    )
    nbso = OrganisationFactory(
        slug="nbso-dalian",
        kind=Organisation.Kind.BUSINESS_SUPPORT_OFFICE,
        region=dalian,
        **names("NBSO Dalian", "NBSO Dalian", "荷兰商务支持办公室大连"),
    )
    mission = MissionFactory(
        slug="inspiratiereis-shanghai-dalian",
        partnership=PartnershipFactory(partner_region=dalian),
        destinations=[shanghai, dalian],
        organisers=[nbso],
        **names("Inspiratiereis", "Inspiration trip", "考察之旅", field="title"),
    )
    items = [
        ProgrammeItemFactory(
            mission=mission,
            city=shanghai,
            host=tongji,
            kind=ProgrammeItem.Kind.UNIVERSITY,
            order=1,
            **names("Tongji", "Tongji", "同济", field="title"),
        ),
        ProgrammeItemFactory(
            mission=mission,
            city=dalian,
            kind=ProgrammeItem.Kind.PORT,
            order=2,
            date=dt.date(2012, 5, 16),
            start_time=dt.time(9, 30),
            **names("Haven", "Port", "港口", field="title"),
        ),
        ProgrammeItemFactory(
            mission=mission,
            city=shanghai,
            kind=ProgrammeItem.Kind.CONSULATE,
            order=3,
            **names("Consulaat", "Consulate", "领事馆", field="title"),
        ),
    ]
    photo = Photo.objects.create(
        mission=mission,
        image=png(),
        credit="Gemeente Enschede",
        **names("De haven", "The port", "港口", field="alt_text"),
        **names("De haven van Dalian", "The port of Dalian", "大连港", field="caption"),
    )
    outcome = OutcomeFactory(
        mission=mission,
        kind=Outcome.Kind.COLLABORATION,
        area=FocusAreaFactory(slug="education", **names("Onderwijs", "Education", "教育")),
        **names("Nieuwe samenwerking", "New collaboration", "新合作", field="title"),
        **names("ondernemers", "entrepreneurs", "企业家", field="parties"),
    )
    return SimpleNamespace(
        mission=mission,
        shanghai=shanghai,
        dalian=dalian,
        items=items,
        tongji=tongji,
        outcome=outcome,
        photo=photo,
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_mission_page(client, enschede_trip, language):
    mission = enschede_trip.mission

    response = client.get(url(mission, language))
    text = response.text

    assertInHTML(f"<h1>{in_language(mission, 'title', language)}</h1>", text)
    assertContains(response, label(language, Mission.Kind.INSPIRATION_TRIP))
    assertContains(response, f'href="{url(mission.partnership, language)}"')
    for city in (enschede_trip.shanghai, enschede_trip.dalian):
        assertContains(
            response,
            f'<a href="{url(city, language)}">{in_language(city, "name", language)}</a>',
            html=True,
        )
    role = in_language(mission, "leader_role", language)
    # Chinese puts the title before the name: 副市长 Marijke van Hees.
    leader = (
        f"{role} Marijke van Hees"
        if language == "zh-hans"
        else f"Marijke van Hees{apposition(language)}{role}"
    )
    assertContains(response, f"<dd>{leader}</dd>")
    assertContains(response, in_language(mission, "participants", language))
    assertContains(response, f'href="/{language}/organisations/nbso-dalian/"')
    for section in ("summary", "context", "why", "programme_intro", "result"):
        assertContains(response, in_language(mission, section, language))
    for heading in (
        "Why these destinations",
        "Why this mission",
        "Programme",
        "Outcomes",
        "Result",
    ):
        assertContains(response, f">{interface(language, heading)}</h2>")
    # No dates are known, so none are shown.
    assertNotContains(response, f"<dt>{interface(language, 'Dates')}</dt>")

    # The programme is grouped by city, in the order the cities first appear.
    tongji, port, consulate = (in_language(item, "title", language) for item in enschede_trip.items)
    shanghai = in_language(enschede_trip.shanghai, "name", language)
    dalian = in_language(enschede_trip.dalian, "name", language)
    order = [
        text.index(f">{shanghai}</h3>"),
        text.index(f">{tongji}</h4>"),
        text.index(f">{consulate}</h4>"),
        text.index(f">{dalian}</h3>"),
        # The port visit has a date: it sits under that day's heading.
        text.index(f">{port}</h5>"),
    ]
    assert order == sorted(order)
    assertContains(response, label(language, ProgrammeItem.Kind.UNIVERSITY))
    assertContains(
        response,
        f'<a href="{url(enschede_trip.tongji, language)}">'
        f"{in_language(enschede_trip.tongji, 'name', language)}</a>",
        html=True,
    )
    with translation.override(language):
        port_date = formats.date_format(dt.date(2012, 5, 16), "DATE_FORMAT")
        port_time = formats.time_format(dt.time(9, 30), "TIME_FORMAT")
    assertInHTML(
        f'<h4 class="programme-day__heading"><time datetime="2012-05-16">{port_date}</time></h4>',
        text,
    )
    # 09:30 in Dalian: a local time, with China's offset for machines.
    assertInHTML(f'<time datetime="2012-05-16T09:30:00+08:00">{port_time}</time>', text)

    outcome = enschede_trip.outcome
    assertContains(response, in_language(outcome, "title", language))
    assertContains(response, label(language, Outcome.Kind.COLLABORATION))
    assertContains(response, in_language(outcome.area, "name", language))
    assertContains(response, in_language(outcome, "parties", language))
    assertContains(response, in_language(outcome, "description", language))

    photo = enschede_trip.photo
    assertContains(response, f'alt="{in_language(photo, "alt_text", language)}"')
    assertContains(response, f"<span>{in_language(photo, 'caption', language)}</span>")
    assertContains(response, interface(language, "Photo: %(credit)s", credit="Gemeente Enschede"))


def test_mission_page_shows_known_dates(client):
    mission = MissionFactory(start_date=dt.date(2012, 5, 12), end_date=dt.date(2012, 5, 19))

    response = client.get(url(mission, "en"))

    assertInHTML(
        '<dd><time datetime="2012-05-12">May 12, 2012</time> – '
        '<time datetime="2012-05-19">May 19, 2012</time></dd>',
        response.text,
    )


def test_programme_items_without_a_place_get_their_own_group(client):
    mission = MissionFactory()
    ProgrammeItemFactory(mission=mission, city=RegionFactory())
    ProgrammeItemFactory(mission=mission, city=None, title_en="Reciprocal B2B meetings")
    ProgrammeItemFactory(
        mission=mission, city=None, date=dt.date(2026, 5, 12), title_en="Matchmaking"
    )

    response = client.get(url(mission, "en"))

    # "Place not specified" is no place: a note, not a heading beside the cities' headings.
    assertInHTML(
        '<p class="programme-city__unknown muted" id="programme-city-2">Place not specified</p>',
        response.text,
    )
    assertNotContains(response, '<h3 id="programme-city-2"')
    # Its day and items are a level up: under the section's h2, as the cities are.
    assertInHTML(
        '<h3 class="programme-day__heading"><time datetime="2026-05-12">May 12, 2026</time></h3>',
        response.text,
    )
    assertInHTML('<h4 class="programme__title">Matchmaking</h4>', response.text)
    assertInHTML('<h3 class="programme__title">Reciprocal B2B meetings</h3>', response.text)


def test_plain_text_is_escaped_and_rich_text_is_not(client):
    mission = MissionFactory(summary_nl="<b>vet</b>", why_nl="<p>Waarom <strong>China</strong></p>")

    response = client.get(url(mission, "nl"))

    assertContains(response, "&lt;b&gt;vet&lt;/b&gt;")
    assertContains(response, "<p>Waarom <strong>China</strong></p>")


@pytest.mark.parametrize("language", LANGUAGES)
def test_organisation_page(client, world, language):
    pom = world.pom

    response = client.get(url(pom, language))

    assertInHTML(f"<h1>{in_language(pom, 'name', language)}</h1>", response.text)
    assertContains(response, label(language, Organisation.Kind.DEVELOPMENT_AGENCY))
    assertContains(response, f'href="{url(world.west_flanders, language)}"')
    assertContains(
        response,
        '<a href="https://www.pomwvl.be/" rel="external">https://www.pomwvl.be/</a>',
        html=True,
    )
    assertContains(response, in_language(pom, "description", language))
    assertContains(response, f">{in_language(world.mission, 'title', language)}</a>")
    assertContains(response, f">{in_language(world.partnership, 'title', language)}</a>")


@pytest.mark.parametrize("language", LANGUAGES)
def test_outcome_page(client, world, language):
    outcome = world.outcome

    response = client.get(url(outcome, language))

    assertInHTML(f"<h1>{in_language(outcome, 'title', language)}</h1>", response.text)
    assertContains(response, label(language, Outcome.Kind.CONTRACT))
    assertContains(response, f">{in_language(world.partnership, 'title', language)}</a>")
    assertContains(response, f">{in_language(world.mission, 'title', language)}</a>")
    assertContains(response, in_language(world.economy, "name", language))
    assertContains(response, in_language(outcome, "parties", language))
    assertContains(response, in_language(outcome, "description", language))
    assertContains(response, label(language, Outcome.Progress.ACHIEVED))


@pytest.fixture
def outcomes_of_two_partnerships(db):
    economy = FocusAreaFactory(slug="economy", **names("Economie", "Economy", "经济"))
    culture = FocusAreaFactory(slug="culture", **names("Cultuur", "Culture", "文化"))
    # Titles in every language: partnerships sort by title, and the factories' numbered ones
    # ("Stedenband 9" after "Stedenband 10") would make the order depend on earlier tests.
    first = PartnershipFactory(
        **names("Enschede – Dalian", "Enschede – Dalian", "恩斯赫德–大连", "title")
    )
    second = PartnershipFactory(
        **names("West-Vlaanderen – Zhejiang", "West Flanders – Zhejiang", "西弗兰德–浙江", "title")
    )
    return {
        "contract": OutcomeFactory(
            title_en="Contract A",
            kind=Outcome.Kind.CONTRACT,
            area=economy,
            mission=None,
            partnership=first,
        ),
        "exhibition": OutcomeFactory(
            title_en="Exhibition",
            kind=Outcome.Kind.CULTURE,
            area=culture,
            mission=None,
            partnership=first,
        ),
        "agreement": OutcomeFactory(
            title_en="Agreement B",
            kind=Outcome.Kind.AGREEMENT,
            area=economy,
            mission=None,
            partnership=second,
        ),
    }


def shown_outcomes(response) -> list[str]:
    return [o.title_en for o in Outcome.objects.all() if f">{o.title_en}</a>" in response.text]


def test_outcomes_overview_groups_by_partnership(client, outcomes_of_two_partnerships):
    text = client.get("/en/outcomes/").text

    order = [
        text.index(">Enschede – Dalian</a></h2>"),
        text.index(">Contract A</a>"),
        text.index(">Exhibition</a>"),
        text.index(">West Flanders – Zhejiang</a></h2>"),
        text.index(">Agreement B</a>"),
    ]
    assert order == sorted(order)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["Contract A", "Exhibition", "Agreement B"]),
        ("?area=culture", ["Exhibition"]),
        ("?area=economy", ["Contract A", "Agreement B"]),
        ("?kind=agreement", ["Agreement B"]),
        ("?area=economy&kind=contract", ["Contract A"]),
        ("?area=economy&kind=culture", []),
        ("?area=no-such-area&kind=no-such-kind", ["Contract A", "Exhibition", "Agreement B"]),
    ],
)
def test_outcomes_overview_filters(client, outcomes_of_two_partnerships, query, expected):
    response = client.get(f"/en/outcomes/{query}")

    assert sorted(shown_outcomes(response)) == sorted(expected)


def test_outcomes_overview_keeps_the_chosen_filter_selected(client, outcomes_of_two_partnerships):
    response = client.get("/en/outcomes/?area=culture")

    assertContains(response, '<option value="culture" selected>Culture</option>', html=True)
    assertContains(response, interface("en", "Clear filters"))


def test_outcomes_overview_says_when_nothing_matches(client, outcomes_of_two_partnerships):
    response = client.get("/en/outcomes/?area=economy&kind=culture")

    assertContains(response, interface("en", "No outcomes match these filters."))


def test_outcomes_overview_filters_by_partnership(client, outcomes_of_two_partnerships):
    partnership = outcomes_of_two_partnerships["agreement"].partnership

    response = client.get(f"/en/outcomes/?partnership={partnership.slug}")

    assert shown_outcomes(response) == ["Agreement B"]
    assertContains(response, '<meta name="robots" content="noindex, follow">')


def test_outcomes_overview_is_paginated(client, outcomes_of_two_partnerships):
    partnership = outcomes_of_two_partnerships["agreement"].partnership
    OutcomeFactory.create_batch(OUTCOMES_PER_PAGE, mission=None, partnership=partnership)
    total = OUTCOMES_PER_PAGE + 3

    first = client.get("/en/outcomes/")
    second = client.get("/en/outcomes/?page=2")

    assert len(shown_outcomes(first)) == OUTCOMES_PER_PAGE
    assert len(shown_outcomes(second)) == total - OUTCOMES_PER_PAGE
    assert not set(shown_outcomes(first)) & set(shown_outcomes(second))
    assertContains(first, '<a class="pagination__link" href="/en/outcomes/?page=2" rel="next">')
    assertContains(second, '<link rel="canonical" href="http://testserver/en/outcomes/?page=2">')
    assert client.get("/en/outcomes/?page=3").status_code == 404


# The missions list and the bounded home page -------------------------------------------


def dated_missions(count: int, **kwargs) -> list[Mission]:
    """``count`` published missions a month apart, going back from December 2024, newest first."""
    return [
        MissionFactory(start_date=dt.date(2024, 12, 1) - dt.timedelta(days=30 * number), **kwargs)
        for number in range(count)
    ]


def shown_missions(response) -> list[str]:
    """The English titles of the missions listed (linked) on the page, in their order."""
    text = response.text
    found = [
        (text.index(f">{m.title_en}</a>"), m.title_en)
        for m in Mission.objects.all()
        if f">{m.title_en}</a>" in text
    ]
    return [title for _position, title in sorted(found)]


def test_home_shows_upcoming_and_recent_missions_and_links_to_all(client):
    today = dt.date.today()
    past = [
        MissionFactory(title_en=f"Past {days}", start_date=today - dt.timedelta(days=days))
        for days in range(1, HOME_RECENT_MISSIONS + 3)
    ]
    coming = [
        MissionFactory(title_en=f"Coming {days}", start_date=today + dt.timedelta(days=days))
        for days in range(HOME_UPCOMING_MISSIONS + 1, 0, -1)
    ]

    response = client.get("/en/")

    # The nearest upcoming first, then the most recent; no more than a screenful.
    expected = [m.title_en for m in reversed(coming)][:HOME_UPCOMING_MISSIONS]
    expected += [m.title_en for m in past][:HOME_RECENT_MISSIONS]
    assert shown_missions(response) == expected
    assertInHTML(
        f'<h2 id="upcoming-heading">{interface("en", "Upcoming missions")}</h2>', response.text
    )
    assertInHTML(
        f'<h2 id="missions-heading">{interface("en", "Recent missions")}</h2>', response.text
    )
    assertContains(
        response,
        f'<a class="button-link" href="/en/missions/">{interface("en", "See all missions")}</a>',
        html=True,
    )


def test_home_without_upcoming_missions_shows_only_the_recent_ones(client):
    MissionFactory(title_en="Last year", start_date=dt.date.today() - dt.timedelta(days=365))

    response = client.get("/en/")

    assertNotContains(response, 'id="upcoming-heading"')
    assert shown_missions(response) == ["Last year"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_main_navigation_links_to_the_missions_list(client, language):
    response = client.get(f"/{language}/missions/")

    missions = interface(language, "Missions")
    assertContains(
        response, f'<a href="/{language}/missions/" aria-current="page">{missions}</a>', html=True
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_missions_list_pages_through_every_mission(client, language):
    missions = dated_missions(MISSIONS_PER_PAGE + 5)

    first = client.get(f"/{language}/missions/")
    second = client.get(f"/{language}/missions/?page=2")

    titles = [in_language(m, "title", language) for m in missions]
    assert [t for t in titles if f">{t}</a>" in first.text] == titles[:MISSIONS_PER_PAGE]
    assert [t for t in titles if f">{t}</a>" in second.text] == titles[MISSIONS_PER_PAGE:]
    assertInHTML(f"<h1>{interface(language, 'Missions')}</h1>", first.text)
    with translation.override(language):
        heading = ngettext(
            "Mission %(first)s–%(last)s of %(counter)s",
            "Missions %(first)s–%(last)s of %(counter)s",
            len(missions),
        ) % {"first": 21, "last": 25, "counter": 25}
        page_two = gettext("Page %(number)s") % {"number": 2}
        title = gettext("page %(number)s of %(count)s") % {"number": 2, "count": 2}
    assertInHTML(f'<h2 id="results-heading" class="list-summary">{heading}</h2>', second.text)
    assertContains(second, f"{title} · ")
    # The navigation: the current page is marked, and next / previous are linked as such.
    page_two_url = f"/{language}/missions/?page=2"
    assertContains(
        first,
        f'<a class="pagination__link" href="{page_two_url}" aria-label="{page_two}">2</a>',
        html=True,
    )
    assertContains(
        second,
        f'<a class="pagination__link pagination__link--current" href="{page_two_url}" '
        f'aria-label="{page_two}" aria-current="page">2</a>',
        html=True,
    )
    assertContains(first, f'href="/{language}/missions/?page=2" rel="next"')
    assertContains(second, f'href="/{language}/missions/" rel="prev"')
    assertContains(first, f'<nav class="pagination" aria-label="{interface(language, "Pages")}">')


def test_each_page_of_the_missions_list_is_its_own_canonical_page(client):
    dated_missions(MISSIONS_PER_PAGE + 1)

    first = client.get("/nl/missions/?page=1&utm_source=newsletter")
    second = client.get("/zh-hans/missions/?page=2")

    assertContains(first, '<link rel="canonical" href="http://testserver/nl/missions/">')
    assertContains(
        second, '<link rel="canonical" href="http://testserver/zh-hans/missions/?page=2">'
    )
    assertContains(
        second, '<link rel="alternate" hreflang="en" href="http://testserver/en/missions/?page=2">'
    )
    assertContains(
        second,
        '<link rel="alternate" hreflang="x-default" href="http://testserver/nl/missions/?page=2">',
    )
    assertContains(
        second, '<meta property="og:url" content="http://testserver/zh-hans/missions/?page=2">'
    )
    # The language switcher keeps the visitor on the same page of the list.
    assertContains(second, 'href="/en/missions/?page=2"')
    assertNotContains(first, 'name="robots"')


@pytest.mark.parametrize(
    "page", ["3", "0", "-1", "two", "", "99999999999999999999", "1" + "0" * 5000, "1e400"]
)
def test_pages_beyond_the_list_are_not_found(client, page):
    dated_missions(MISSIONS_PER_PAGE + 1)

    for path in ("/en/missions/", "/en/outcomes/"):
        response = client.get(path, {"page": page})
        assert response.status_code == 404
        assertContains(response, "<h1>Page not found</h1>", status_code=404, html=True)


def test_an_empty_missions_list_says_so(client):
    response = client.get("/en/missions/")

    assert response.status_code == 200
    assertContains(response, interface("en", "No missions have been published yet."))
    assertNotContains(response, 'class="pagination"')


def test_missions_list_filters_by_partnership_year_and_organiser(client, world):
    other = dated_missions(3)
    MissionFactory(title_en="Draft", status=Status.DRAFT, partnership=world.partnership)
    world.mission.start_date = dt.date(2019, 4, 1)
    world.mission.save()
    later = MissionFactory(
        title_en="Later", partnership=world.partnership, start_date=dt.date(2021, 5, 1)
    )

    by_partnership = client.get(f"/en/missions/?partnership={world.partnership.slug}")
    by_year = client.get("/en/missions/?year=2019")
    by_organiser = client.get(f"/en/missions/?organiser={world.pom.slug}")
    both = client.get(f"/en/missions/?partnership={world.partnership.slug}&year=2021")
    unknown = client.get("/en/missions/?partnership=nope&year=1066&organiser=nope")

    business_days = world.mission.title_en
    assert shown_missions(by_partnership) == ["Later", business_days]
    assert shown_missions(by_year) == [business_days]
    assert shown_missions(by_organiser) == [business_days]
    assert shown_missions(both) == ["Later"]
    assert len(shown_missions(unknown)) == len(other) + 2
    # Only choices that find something are offered; the chosen one stays selected.
    assertContains(
        by_partnership,
        f'<option value="{world.partnership.slug}" selected>{world.partnership.title_en}</option>',
        html=True,
    )
    assertContains(by_year, '<option value="2021">2021</option>', html=True)
    assertNotContains(by_year, '<option value="1066">')
    assertContains(by_year, '<meta name="robots" content="noindex, follow">')
    assertContains(by_year, '<link rel="canonical" href="http://testserver/en/missions/">')
    assertNotContains(unknown, 'name="robots"')
    assert later.title_en in by_partnership.text


def test_missions_list_page_links_keep_the_filters(client, world):
    for _ in range(MISSIONS_PER_PAGE + 1):
        MissionFactory(partnership=world.partnership, start_date=dt.date(2022, 1, 1))

    response = client.get(f"/en/missions/?year=2022&partnership={world.partnership.slug}&x=1")

    assertContains(
        response,
        f'href="/en/missions/?partnership={world.partnership.slug}&amp;year=2022&amp;page=2" '
        'rel="next"',
    )


def test_partnership_page_shows_its_latest_missions_and_links_to_all(client, world):
    missions = dated_missions(DETAIL_PAGE_MISSIONS + 1, partnership=world.partnership)
    OutcomeFactory.create_batch(DETAIL_PAGE_OUTCOMES, mission=None, partnership=world.partnership)

    response = client.get(url(world.partnership, "en"))

    missions_section = response.text.split('id="missions-heading"')[1].split("</section>")[0]
    shown = [m.title_en for m in missions if f">{m.title_en}</a>" in missions_section]
    assert shown == [m.title_en for m in missions][:DETAIL_PAGE_MISSIONS]
    assert f">{world.mission.title_en}</a>" not in missions_section  # no date: the oldest
    assertContains(
        response,
        f'<a href="/en/missions/?partnership={world.partnership.slug}">'
        f"{interface('en', 'All missions of this partnership')}</a>",
        html=True,
    )
    # Ten outcomes besides the world's: more than fit, so the outcomes list is linked too.
    assertContains(response, f'href="/en/outcomes/?partnership={world.partnership.slug}"')


def test_partnership_page_without_more_missions_has_no_link_to_more(client, world):
    response = client.get(url(world.partnership, "en"))

    assertNotContains(response, interface("en", "All missions of this partnership"))
    assertNotContains(response, interface("en", "All outcomes of this partnership"))


def test_organisation_page_shows_its_latest_missions_and_links_to_all(client, world):
    missions = dated_missions(DETAIL_PAGE_MISSIONS + 2, organisers=[world.pom])

    response = client.get(url(world.pom, "nl"))

    assert len([m for m in missions if f">{m.title_nl}</a>" in response.text]) == (
        DETAIL_PAGE_MISSIONS
    )
    assertContains(response, f'href="/nl/missions/?organiser={world.pom.slug}"')


# Drafts ---------------------------------------------------------------------


def draft_of(kind: str):
    """One draft of each public page type."""
    draft = {"status": Status.DRAFT}
    return {
        "region": lambda: RegionFactory(**draft),
        "organisation": lambda: OrganisationFactory(**draft),
        "partnership": lambda: PartnershipFactory(**draft),
        "mission": lambda: MissionFactory(**draft),
        "mission of a draft partnership": lambda: MissionFactory(
            partnership=PartnershipFactory(**draft)
        ),
        "outcome": lambda: OutcomeFactory(**draft),
    }[kind]()


DRAFT_KINDS = [
    "region",
    "organisation",
    "partnership",
    "mission",
    "mission of a draft partnership",
    "outcome",
]


@pytest.mark.parametrize("kind", DRAFT_KINDS)
def test_drafts_are_not_found_for_visitors(client, kind):
    draft = draft_of(kind)

    response = client.get(url(draft, "en"))

    assert response.status_code == 404
    assertNotContains(response, draft.slug, status_code=404)


@pytest.mark.parametrize("kind", DRAFT_KINDS)
def test_staff_preview_drafts_with_a_banner(client, kind):
    """An editor previews the drafts of their organisation, and shared reference data."""
    draft = draft_of(kind)
    owner = Organisation.objects.filter(pk=owner_id(draft))
    client.force_login(StaffFactory(role=EDITOR, organisations=list(owner)))

    response = client.get(url(draft, "en"))

    assertContains(response, f"<strong>{interface('en', 'Draft — not public.')}</strong>")
    assert response["X-Robots-Tag"] == "noindex"
    assert response["Cache-Control"] == "private, no-store"


def test_staff_see_published_pages_without_the_banner(client):
    mission = MissionFactory()
    client.force_login(StaffFactory())

    response = client.get(url(mission, "en"))

    assertNotContains(response, interface("en", "Draft — not public."))
    assert not response.has_header("X-Robots-Tag")


def test_draft_regions_are_named_but_not_linked_for_visitors(client):
    draft_city = RegionFactory(status=Status.DRAFT, name_en="Ningbo")
    mission = MissionFactory(destinations=[draft_city])

    response = client.get(url(mission, "en"))

    assertInHTML("<dd>Ningbo</dd>", response.text)
    assertNotContains(response, f'href="{url(draft_city, "en")}"')


def test_drafts_are_left_out_of_lists(client):
    MissionFactory(title_en="Public mission")
    MissionFactory(title_en="Secret mission", status=Status.DRAFT)
    OutcomeFactory(title_en="Secret outcome", status=Status.DRAFT)

    home = client.get("/en/")
    outcomes = client.get("/en/outcomes/")

    assertContains(home, "Public mission")
    assertNotContains(home, "Secret mission")
    assertNotContains(outcomes, "Secret outcome")


# Languages ------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_language_switcher_points_at_the_same_object(client, language):
    mission = MissionFactory(slug="inspiration-trip")

    response = client.get(url(mission, language))

    assertContains(response, f'<html lang="{HTML_LANG[language]}">')
    for other, name in [("nl", "Nederlands"), ("en", "English"), ("zh-hans", "简体中文")]:
        current = ' aria-current="true"' if other == language else ""
        assertContains(
            response,
            f'<a href="/{other}/missions/inspiration-trip/" hreflang="{HTML_LANG[other]}" '
            f'lang="{HTML_LANG[other]}"{current}>{name}</a>',
            html=True,
        )


def test_language_switcher_keeps_the_outcome_filters(client):
    response = client.get("/en/outcomes/?kind=contract")

    assertContains(response, 'href="/zh-hans/outcomes/?kind=contract"')


def test_pages_announce_their_language_versions(client):
    mission = MissionFactory(slug="inspiration-trip")

    response = client.get(url(mission, "zh-hans"))

    base = "http://testserver"
    assertContains(
        response, f'<link rel="canonical" href="{base}/zh-hans/missions/inspiration-trip/">'
    )
    for hreflang, prefix in [
        ("nl", "nl"),
        ("en", "en"),
        ("zh-Hans", "zh-hans"),
        ("x-default", "nl"),
    ]:
        assertContains(
            response,
            f'<link rel="alternate" hreflang="{hreflang}" '
            f'href="{base}/{prefix}/missions/inspiration-trip/">',
        )


def test_a_fallback_text_carries_its_own_language(client):
    mission = MissionFactory(
        title_en="Inspiration trip",
        title_zh_hans="",
        summary_en="",
        summary_zh_hans="",
        why_zh_hans="",
        why_en="<p>Why China</p>",
        result_zh_hans="<p>成果</p>",
    )

    response = client.get(url(mission, "zh-hans"))

    # zh-hans falls back to English first, then to Dutch.
    assertContains(response, '<h1 lang="en">Inspiration trip</h1>', html=True)
    assertContains(response, f'<p class="lead" lang="nl">{mission.summary_nl}</p>', html=True)
    assertContains(response, '<div class="prose" lang="en"><p>Why China</p></div>', html=True)
    assertContains(response, '<div class="prose"><p>成果</p></div>', html=True)


def test_a_fallback_in_a_list_carries_its_own_language(client):
    region = RegionFactory()
    ClusterFactory(region=region, sector_nl="textiel", sector_en="", sector_zh_hans="")

    response = client.get(url(region, "en"))

    assertInHTML('<li><span lang="nl">textiel</span></li>', response.text)


@pytest.mark.parametrize(
    ("accept_language", "expected"),
    [
        ("zh-CN,zh;q=0.9", "/zh-hans/"),
        ("en-US,en;q=0.8", "/en/"),
        ("nl-BE,nl;q=0.9", "/nl/"),
        ("fr-FR,fr;q=0.9", "/nl/"),
        ("", "/nl/"),
    ],
)
def test_root_redirects_by_browser_language(client, accept_language, expected):
    response = client.get("/", headers={"accept-language": accept_language})

    assert response.status_code == 302
    assert response["Location"] == expected
    assert "Accept-Language" in response["Vary"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_not_found_page_is_translated(client, language):
    response = client.get(f"/{language}/missions/no-such-mission/")

    assert response.status_code == 404
    assertContains(response, f'<html lang="{HTML_LANG[language]}">', status_code=404)
    assertInHTML(f"<h1>{interface(language, 'Page not found')}</h1>", response.text)
    # There is no such page in another language: the switcher offers the homes.
    assertContains(response, 'href="/zh-hans/" hreflang="zh-Hans"', status_code=404)


@pytest.mark.parametrize("language", LANGUAGES)
def test_server_error_page_needs_no_database(django_assert_num_queries, language):
    request = RequestFactory().get(f"/{language}/")

    with translation.override(language), django_assert_num_queries(0):
        response = server_error(request)

    html = response.content.decode()
    assert response.status_code == 500
    assert f'<html lang="{HTML_LANG[language]}">' in html
    assertInHTML(f"<h1>{interface(language, 'Sorry, something went wrong')}</h1>", html)


# Query counts ---------------------------------------------------------------


@pytest.fixture
def busy_site(db):
    """Several of everything, so every prefetch runs and an N+1 would show."""
    for _ in range(3):
        mission = MissionFactory(
            destinations=[RegionFactory(), RegionFactory()], organisers=[OrganisationFactory()]
        )
        mission.partnership.focus_areas.add(FocusAreaFactory(), FocusAreaFactory())
        OutcomeFactory(mission=mission)
        OutcomeFactory(mission=mission, area=FocusAreaFactory(slug="culture"))


@pytest.mark.parametrize("extra_missions", [0, 30])
def test_home_queries(client, busy_site, django_assert_num_queries, extra_missions):
    MissionFactory.create_batch(extra_missions, start_date=dt.date(2019, 1, 1))
    MissionFactory(start_date=dt.date.today() + dt.timedelta(days=30))

    # Partnerships and their focus areas, the upcoming and the recent missions, and the
    # destinations of both; the navigation every page shows (site pages, publishers).
    with django_assert_num_queries(7):
        client.get("/en/")


@pytest.mark.parametrize("extra_outcomes", [0, 30])
def test_outcomes_overview_queries(client, busy_site, django_assert_num_queries, extra_outcomes):
    OutcomeFactory.create_batch(extra_outcomes, kind=Outcome.Kind.CONTRACT)

    # The areas and partnerships to filter by, the count and the page; the navigation.
    with django_assert_num_queries(6):
        client.get("/en/outcomes/?area=culture&kind=contract")
    with django_assert_num_queries(6):
        client.get("/en/outcomes/?page=2" if extra_outcomes else "/en/outcomes/")


@pytest.mark.parametrize("extra_missions", [0, 45])
def test_mission_list_queries(client, busy_site, django_assert_num_queries, extra_missions):
    partnership = Partnership.objects.first()
    organiser = OrganisationFactory()
    MissionFactory.create_batch(
        extra_missions,
        partnership=partnership,
        start_date=dt.date(2020, 3, 1),
        destinations=[RegionFactory()],
        organisers=[organiser],
    )
    page = "&page=2" if extra_missions else ""

    # The partnerships, organisers and years to filter by, the count, the page, and the
    # destinations of the missions on it; the navigation.
    with django_assert_num_queries(8):
        client.get("/en/missions/")
    with django_assert_num_queries(8):
        client.get(f"/en/missions/?partnership={partnership.slug}&year=2020{page}")


@pytest.mark.parametrize("missions", [3, 30])
def test_partnership_page_queries(client, world, django_assert_num_queries, settings, missions):
    ObjectiveFactory.create_batch(3, partnership=world.partnership)
    MissionFactory.create_batch(missions, partnership=world.partnership)
    OutcomeFactory.create_batch(missions, mission=None, partnership=world.partnership)

    # The partnership's own queries, 6 (the last its outcomes by date, for its chronology),
    # and the navigation every page shows (site pages, publishers), 2; then the read model
    # (readmodel.py): one lookup, and storing the page (a savepoint, the entry, its old
    # dependencies out, the new ones in, release) and the next scheduled date. The second
    # visit reads the stored page alone.
    with django_assert_num_queries(15):
        client.get(url(world.partnership, "en"))
    settings.PAGE_CACHE_SECONDS = 0  # the page cache would answer first
    with django_assert_num_queries(1):
        client.get(url(world.partnership, "en"))


def test_region_page_queries(client, world, django_assert_num_queries, settings):
    KeyFigureFactory.create_batch(3, region=world.zhejiang)
    for _ in range(3):
        city = RegionFactory(parent=world.zhejiang)
        ClusterFactory.create_batch(2, region=city)
        OrganisationFactory(region=world.zhejiang)
    PartnershipFactory(home_region=world.zhejiang)
    Photo.objects.create(region=world.zhejiang, image=png(), alt_text_nl="Foto")

    # The places within the cities (Ningbo's district Zhenhai) are one query more; the
    # missions to the region and its places, their destinations and the visits held there
    # three (test_places.py).
    # 13 for the page, 2 for the navigation, 7 for the read model (see
    # test_partnership_page_queries); then 1.
    with django_assert_num_queries(22):
        client.get(url(world.zhejiang, "en"))
    settings.PAGE_CACHE_SECONDS = 0  # the page cache would answer first
    with django_assert_num_queries(1):
        client.get(url(world.zhejiang, "en"))


@pytest.mark.parametrize("items", [1, 30])
def test_mission_page_queries_do_not_grow(client, django_assert_num_queries, settings, items):
    mission = MissionFactory(
        programme_items=items,
        destinations=[RegionFactory(), RegionFactory()],
        organisers=[OrganisationFactory(), OrganisationFactory()],
    )
    OutcomeFactory.create_batch(3, mission=mission)
    # Timed items in districts whose time zone comes from their country, three levels up.
    for item in mission.programme_items.all():
        item.city = district_in_zoned_country()
        item.date, item.start_time = dt.date(2025, 5, 12), dt.time(9, 0)
        item.save()

    # 6 for the page and 1 for its registration panel (registrations/), 2 for the navigation,
    # 7 for the read model (see test_partnership_page_queries); then 1.
    with django_assert_num_queries(16):
        response = client.get(url(mission, "zh-hans"))
    settings.PAGE_CACHE_SECONDS = 0  # the page cache would answer first
    with django_assert_num_queries(1):
        stored = client.get(url(mission, "zh-hans"))

    assert response.text.count('<time datetime="2025-05-12T09:00:00+08:00">') == items
    assert stored.content == response.content


@pytest.mark.parametrize("missions", [3, 30])
def test_organisation_page_queries(client, world, django_assert_num_queries, settings, missions):
    MissionFactory.create_batch(missions, organisers=[world.pom])

    # 4 for the page (the last the visits it hosted), 2 for the navigation, 7 for the read
    # model (see test_partnership_page_queries); then 1.
    with django_assert_num_queries(13):
        client.get(url(world.pom, "en"))
    settings.PAGE_CACHE_SECONDS = 0  # the page cache would answer first
    with django_assert_num_queries(1):
        client.get(url(world.pom, "en"))


def test_outcome_page_queries(client, world, django_assert_num_queries, settings):
    # 1 for the page, 2 for the navigation, 7 for the read model (see
    # test_partnership_page_queries); then 1.
    with django_assert_num_queries(10):
        client.get(url(world.outcome, "en"))
    settings.PAGE_CACHE_SECONDS = 0  # the page cache would answer first
    with django_assert_num_queries(1):
        client.get(url(world.outcome, "en"))
