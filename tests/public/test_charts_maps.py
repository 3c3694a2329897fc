"""Key-figure charts and maps, drawn on the server as inline SVG.

Chart geometry is checked to the unit: one line of label is 14 high, a bar starts
9 below its label's baseline and is 16 high, rows are 14 apart, and the longest bar
(or 100 % for percentages) is 240 wide.
"""

import json
import math
import os
import re
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import translation
from django.utils.translation import gettext
from pytest_django.asserts import assertContains, assertInHTML, assertNotContains

from programmes.models import KeyFigure, Partnership, Region
from public import charts, maps
from public.geodata import LAND_FILE, clip_ring, load_land, mercator, simplify
from public.svg import text_width, wrap_text

from ..browser.chromium import launched, requires_chromium
from ..factories import KeyFigureFactory, PartnershipFactory, RegionFactory

pytestmark = pytest.mark.django_db

LANGUAGES = ["nl", "en", "zh-hans"]


def names(nl: str, en: str, zh: str, field: str = "name") -> dict:
    return {f"{field}_nl": nl, f"{field}_en": en, f"{field}_zh_hans": zh}


def get(client, obj, language: str):
    with translation.override(language):
        return client.get(obj.get_absolute_url())


def svgs(html: str, css_class: str) -> list[ET.Element]:
    """The inline SVG elements with ``css_class``, parsed as XML (which they must be)."""
    return [
        ET.fromstring(match)
        for match in re.findall(rf'<svg class="{css_class}".*?</svg>', html, re.DOTALL)
    ]


def markers(svg: ET.Element) -> list[dict]:
    """Each place on a map, in document order: position, number and label."""
    result = []
    for group in svg.iter("g"):
        circle = group.find("circle")
        texts = {text.get("class"): text for text in group.iter("text")}
        label = texts.get("map__label")
        number = texts.get("map__number")
        result.append(
            {
                "x": float(circle.get("cx")),
                "y": float(circle.get("cy")),
                "number": number.text if number is not None else None,
                "label": label.text if label is not None else None,
                "label_at": (label.get("x"), label.get("y")) if label is not None else None,
                "primary": "map__place--primary" in group.get("class"),
            }
        )
    return result


def interface(language: str, message: str, **params) -> str:
    with translation.override(language):
        text = gettext(message)
    return text % params if params else text


# Charts ------------------------------------------------------------------------------


@pytest.fixture
def factory_region(db):
    """A region with two shares and two counts charted together (one a range), a rank under
    a chart title (never charted), and two figures that stand alone: a count and a length."""
    region = RegionFactory(slug="factory-region", **names("Fabrieksland", "Factory land", "工厂省"))
    shares = names("Aandelen", "Shares", "比重", "chart_title")
    people = names("Mensen", "People", "人口", "chart_title")
    percent, count = KeyFigure.Unit.PERCENT, KeyFigure.Unit.COUNT
    figures = [
        (Decimal(50), None, percent, names("Aandeel A", "Share A", "份额A", "label") | shares),
        (Decimal(25), None, percent, names("Aandeel B", "Share B", "份额B", "label") | shares),
        (Decimal(4_000_000), None, count, names("Inwoners", "People", "人口", "label") | people),
        (
            Decimal(1_000_000),
            Decimal(2_000_000),
            count,
            names("Stad", "City", "城市", "label") | people,
        ),
        (Decimal(3), None, KeyFigure.Unit.RANK, names("Plaats", "Rank", "排名", "label") | people),
        (Decimal(171), None, count, names("Bedrijven", "Companies", "企业", "label")),
        (Decimal(35), None, KeyFigure.Unit.KILOMETRES, names("Brug", "Bridge", "大桥", "label")),
    ]
    for value, value_max, unit, texts in figures:
        KeyFigureFactory(
            region=region,
            value=value,
            value_max=value_max,
            unit=unit,
            year=None,
            **texts,
            **names("Bron", "Source", "来源", "source"),
        )
    return region


def chart_figures(result: list[charts.Chart]) -> list[tuple[str, str, list[str]]]:
    return [
        (chart.caption, chart.unit, [bar.figure.label_en for bar in chart.bars]) for chart in result
    ]


def test_figures_share_a_chart_only_under_one_chart_title_and_unit(factory_region):
    with translation.override("en"):
        result = charts.key_figure_charts(factory_region.key_figures.all())

    # The rank is never a bar (a longer bar for a lower place would mislead), and the
    # companies and the bridge stand alone: each is a number in the table.
    assert chart_figures(result) == [
        ("Shares", "percent", ["Share A", "Share B"]),
        ("People", "count", ["People", "City"]),
    ]
    assert [chart.element_id for chart in result] == ["chart-1", "chart-2"]


def test_the_seeded_zhejiang_charts_only_what_may_be_compared(seeded):
    """Issue 13: 54 million inhabitants beside 171 companies, GDP per head beside exports."""
    zhejiang = Region.objects.for_detail_page().get(slug="zhejiang")
    with translation.override("en"):
        result = charts.key_figure_charts(zhejiang.key_figures.all())

    assert chart_figures(result) == [
        ("Foreign trade", "usd", ["Exports", "Imports"]),
        (
            "Share of non-state companies",
            "percent",
            [
                "Share of the provincial GDP from non-state companies",
                "Share of the provincial tax income from non-state companies",
            ],
        ),
    ]


def test_a_chart_title_alone_or_in_another_unit_is_no_chart(db):
    region = RegionFactory()
    trade = names("Handel", "Trade", "贸易", "chart_title")
    KeyFigureFactory(region=region, unit=KeyFigure.Unit.USD, **trade)
    KeyFigureFactory(region=region, unit=KeyFigure.Unit.TONNES, **trade)
    KeyFigureFactory(region=region, unit=KeyFigure.Unit.COUNT)
    KeyFigureFactory(region=region, unit=KeyFigure.Unit.COUNT)

    assert charts.key_figure_charts(region.key_figures.all()) == []


def test_chart_titles_match_whatever_their_case_and_spacing_and_first_language(db):
    """Dutch first; a title written only in English still groups (Dutch may stay empty)."""
    region = RegionFactory()
    KeyFigureFactory(region=region, value=5, **names("Handel", "Trade", "", "chart_title"))
    KeyFigureFactory(region=region, value=4, **names(" handel ", "", "", "chart_title"))
    KeyFigureFactory(region=region, value=3, **names("", "Exports", "", "chart_title"))
    KeyFigureFactory(region=region, value=2, **names("", "exports", "出口", "chart_title"))
    KeyFigureFactory(region=region, value=1, **names("Handel", "Trade", "", "chart_title"))
    KeyFigureFactory(region=region, value=6, unit=KeyFigure.Unit.USD)

    with translation.override("zh-hans"):
        result = charts.key_figure_charts(region.key_figures.all())

    assert [[bar.figure.value for bar in chart.bars] for chart in result] == [[5, 4, 1], [3, 2]]
    # The caption is the first figure's title in the page's language, with its fallback.
    assert [(chart.caption, chart.caption.language) for chart in result] == [
        ("Trade", "en"),
        ("Exports", "en"),
    ]


def test_a_group_with_a_negative_figure_is_no_chart(db):
    region = RegionFactory()
    growth = names("Groei", "Growth", "增长", "chart_title")
    KeyFigureFactory(region=region, unit=KeyFigure.Unit.PERCENT, value=Decimal(-2), **growth)
    KeyFigureFactory(region=region, unit=KeyFigure.Unit.PERCENT, value=Decimal(3), **growth)

    assert charts.key_figure_charts(region.key_figures.all()) == []


def test_percentages_are_bars_on_a_scale_of_100(client, factory_region):
    response = get(client, factory_region, "en")

    (chart, *_rest) = svgs(response.text, "chart__svg")
    assert chart.get("viewBox") == "0 0 360 94"
    assertContains(response, '<rect class="chart__track" y="23" width="240" height="16"/>')
    assertContains(response, '<rect class="chart__bar" y="23" width="120" height="16"/>')
    assertContains(response, '<rect class="chart__track" y="76" width="240" height="16"/>')
    assertContains(response, '<rect class="chart__bar" y="76" width="60" height="16"/>')
    assertContains(
        response,
        '<text class="chart__value" x="126" y="35.9" text-anchor="start" font-size="14">50%</text>',
    )


def test_counts_are_bars_proportional_to_the_largest_and_a_range_is_drawn_as_one(
    client, factory_region
):
    response = get(client, factory_region, "zh-hans")

    assertContains(response, '<rect class="chart__bar" y="23" width="240" height="16"/>')
    # 1–2 million of 4 million: a bar of 60 and a lighter piece from 60 to 120.
    assertContains(response, '<rect class="chart__bar" y="76" width="60" height="16"/>')
    assertContains(response, '<rect class="chart__range" x="60" y="76" width="60" height="16"/>')
    # Values as the page's language writes them.
    assertContains(response, 'font-size="14">400万</text>')
    assertContains(response, 'font-size="14">100–200万</text>')
    # Counts are not drawn against a scale of 100.
    counts = svgs(response.text, "chart__svg")[1]
    assert [rect.get("class") for rect in counts.iter("rect")] == [
        "chart__bar",
        "chart__bar",
        "chart__range",
    ]


@pytest.mark.parametrize(
    ("language", "growth", "share", "values"),
    [
        ("nl", "Groei", "Aandeel", ["11,8 %", "70 %"]),
        ("en", "Growth", "Share", ["11.8%", "70%"]),
        ("zh-hans", "增长率", "比重", ["11.8%", "70%"]),
    ],
)
def test_chart_labels_and_values_are_in_the_pages_language_with_the_year(
    client, language, growth, share, values
):
    region = RegionFactory()
    title = names("Cijfers", "Figures", "数据", "chart_title")
    KeyFigureFactory(
        region=region,
        value=Decimal("11.8"),
        unit=KeyFigure.Unit.PERCENT,
        year=2010,
        **names("Groei", "Growth", "增长率", "label"),
        **title,
    )
    KeyFigureFactory(
        region=region,
        value=Decimal(70),
        unit=KeyFigure.Unit.PERCENT,
        year=None,
        **names("Aandeel", "Share", "比重", "label"),
        **title,
    )
    response = get(client, region, language)

    (chart,) = svgs(response.text, "chart__svg")
    texts = ["".join(text.itertext()) for text in chart.iter("text")]
    with_year = interface(language, "%(label)s (%(year)s)", label=growth, year=2010)
    assert texts == [with_year, values[0], share, values[1]]


def test_a_chart_is_an_image_pointing_to_the_figures_table(client, factory_region):
    response = get(client, factory_region, "en")

    chart = svgs(response.text, "chart__svg")[0]
    assert chart.get("role") == "img"
    assert chart.get("aria-labelledby") == "chart-1-caption charts-note"
    assertInHTML(
        '<figcaption class="chart__caption" id="chart-1-caption">Shares</figcaption>',
        response.text,
    )
    assertInHTML(
        '<p class="visually-hidden" id="charts-note">'
        "The same figures, with their year and source, are in the table below.</p>",
        response.text,
    )
    # The table stays, with every figure, the ranked and the lone ones too.
    for label in ["Share A", "People", "Rank", "Companies", "Bridge"]:
        assertContains(response, f'<th scope="row" class="figures__label">{label}</th>', html=True)


def test_a_chart_title_in_another_language_says_so(client, db):
    region = RegionFactory()
    for value in (1, 2):
        KeyFigureFactory(region=region, value=value, **names("Handel", "", "", "chart_title"))

    response = get(client, region, "zh-hans")

    assertInHTML(
        '<figcaption class="chart__caption" id="chart-1-caption" lang="nl">Handel</figcaption>',
        response.text,
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_source_every_figure_shares_is_said_once(client, factory_region, language):
    response = get(client, factory_region, language)
    html = response.text
    source = {"nl": "Bron", "en": "Source", "zh-hans": "来源"}[language]
    label = interface(language, "Source of all key figures:")

    assertNotContains(response, "chart__source")
    assertNotContains(response, "figures__source")
    assert html.count(f">{source}<") == 1
    assertInHTML(
        f'<p class="figures__shared-source" id="figures-source">'
        f"{label}{'' if language == 'zh-hans' else ' '}<span>{source}</span></p>",
        html,
    )
    assertContains(response, 'aria-describedby="figures-source"')
    # A column of sources is left out with them.
    assert html.count('<th scope="col"') == 3


def test_sources_that_differ_are_named_per_row_and_per_chart(client, db):
    region = RegionFactory()
    title = names("Handel", "Trade", "贸易", "chart_title")
    KeyFigureFactory(region=region, **title, **names("A", "A", "甲", "source"))
    KeyFigureFactory(region=region, **title, **names("B", "B", "乙", "source"))
    KeyFigureFactory(region=region, **names("B", "B", "乙", "source"))

    response = get(client, region, "en")

    assertNotContains(response, "figures__shared-source")
    assertInHTML(
        '<p class="chart__source"><span class="chart__source-label">Source:</span>'
        "<span>A</span>; <span>B</span></p>",
        response.text,
    )
    assert response.text.count('<td class="figures__source" data-label="Source:">') == 3
    assert response.text.count('<th scope="col"') == 4


CAPTIONS = {
    "nl": ["Buitenlandse handel", "Aandeel van niet-staatsbedrijven"],
    "en": ["Foreign trade", "Share of non-state companies"],
    "zh-hans": ["对外贸易", "非国有企业所占比重"],
}


@pytest.mark.browser
@requires_chromium
def test_zhejiang_key_figures_as_a_visitor_sees_them(live_server, seeded, tmp_path):
    """Issue 13 in Chromium, in every language at 1280 and 390 pixels: the two charts of
    what may be compared, every figure in the table, its one source said once, nothing
    wider than the screen. Screenshots go to $SCREENSHOT_DIR (else the test's tmp dir)."""
    out = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    with launched() as browser:
        for language in LANGUAGES:
            for width, height in ((1280, 900), (390, 844)):
                tab = browser.new_page(viewport={"width": width, "height": height})
                tab.goto(f"{live_server.url}/{language}/regions/zhejiang/")
                section = tab.locator("section[aria-labelledby=figures-heading]")

                assert section.locator(".chart__caption").all_inner_texts() == CAPTIONS[language]
                assert section.locator(".chart__bar").count() == 4
                assert section.locator("table.figures tbody tr").count() == 12
                assert section.locator("table.figures thead th").count() == 3
                assert section.locator(".figures__shared-source").is_visible()
                assert tab.evaluate("document.documentElement.scrollWidth") <= width
                for chart in section.locator(".chart__svg").all():
                    box = chart.bounding_box()
                    assert box["x"] >= 0 and box["x"] + box["width"] <= width
                section.screenshot(path=out / f"key-figures-{language}-{width}.png")
                tab.close()


def test_a_region_with_no_two_comparable_figures_has_no_chart(client):
    region = RegionFactory()
    KeyFigureFactory(region=region, unit=KeyFigure.Unit.COUNT)
    KeyFigureFactory(region=region, unit=KeyFigure.Unit.USD)

    response = get(client, region, "en")

    assertNotContains(response, "chart__svg")
    assertContains(response, 'class="figures"')


def test_long_labels_wrap_and_chinese_breaks_between_characters():
    assert wrap_text("Share of the provincial tax income", 150, 14) == [
        "Share of the",
        "provincial tax",
        "income",
    ]
    assert wrap_text("非国有企业占全省税收的比重", 100, 14) == ["非国有企业占全", "省税收的比重"]
    assert text_width("宁波", 10) == 20


# Maps: the region page -----------------------------------------------------------------


def test_zhejiang_map_shows_the_province_and_its_cities_in_order(client, seeded):
    zhejiang = Region.objects.get(slug="zhejiang")

    response = get(client, zhejiang, "en")

    (svg,) = svgs(response.text, "map__svg")
    assert svg.get("viewBox") == "0 0 480 360"
    places = markers(svg)
    assert [(p["number"], p["label"]) for p in places] == [
        ("1", "Zhejiang"),
        ("2", "Haining"),
        ("3", "Hangzhou"),
        ("4", "Ningbo"),
        ("5", "Zhenhai"),
        ("6", "Shaoxing"),
        ("7", "Yiwu"),
        ("8", "Yongkang"),
        ("9", "Zhoushan"),
    ]
    assert [p["primary"] for p in places] == [True] + [False] * 8
    assert all(0 <= p["x"] <= 480 and 0 <= p["y"] <= 360 for p in places)
    by_name = {p["label"]: p for p in places}
    assert by_name["Ningbo"]["x"] > by_name["Hangzhou"]["x"]  # Ningbo lies east of Hangzhou
    assert by_name["Zhoushan"]["x"] > by_name["Ningbo"]["x"]  # … and Zhoushan off its coast
    assert by_name["Yongkang"]["y"] > by_name["Haining"]["y"]  # Yongkang lies south
    # Labels do not sit on top of each other.
    assert len({p["label_at"] for p in places}) == len(places)


def test_the_map_is_an_image_with_its_places_listed_and_linked(client, seeded):
    zhejiang = Region.objects.get(slug="zhejiang")

    response = get(client, zhejiang, "en")

    (svg,) = svgs(response.text, "map__svg")
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "map-region-title"
    assert svg.find("title").text == interface(
        "en",
        "Map of %(region)s and the places in it, numbered as in the list that follows.",
        region="Zhejiang",
    )
    assert svg.find("title").get("id") == "map-region-title"
    assertInHTML(
        '<li><span class="map-legend__number map-legend__number--primary">1</span>'
        " <span>Zhejiang</span></li>",
        response.text,
    )
    # Clusters per city, with the map: "Shaoxing — textiles"; Zhenhai is Ningbo's district.
    for number, slug, name, sector in [
        (6, "shaoxing", "Shaoxing", "textiles"),
        (5, "zhenhai", "Zhenhai", "car manufacturing"),
        (7, "yiwu", "Yiwu", "commodity goods"),
    ]:
        assertInHTML(
            f'<li><span class="map-legend__number">{number}</span>'
            f' <a href="/en/regions/{slug}/">{name}</a> — {sector}</li>',
            response.text,
        )
    assertInHTML(
        '<li><span class="map-legend__number">4</span>'
        ' <a href="/en/regions/ningbo/">Ningbo</a></li>',
        response.text,
    )
    # The clusters list names Zhenhai's too, as the map does.
    assertInHTML(
        '<li><a href="/en/regions/zhenhai/">Zhenhai</a> — car manufacturing</li>', response.text
    )


def test_map_labels_are_in_the_pages_language(client, seeded):
    zhejiang = Region.objects.get(slug="zhejiang")

    for language, ningbo, hangzhou in [
        ("nl", "Ningbo", "Hangzhou"),
        ("en", "Ningbo", "Hangzhou"),
        ("zh-hans", "宁波", "杭州"),
    ]:
        response = get(client, zhejiang, language)

        (svg,) = svgs(response.text, "map__svg")
        labels = {p["label"]: p for p in markers(svg)}
        assert labels[ningbo]["x"] > labels[hangzhou]["x"]
        assertContains(response, f">{ningbo}</text>", count=1)


def test_china_map_has_dalian_north_of_shanghai(client, seeded):
    china = Region.objects.get(slug="china")

    response = get(client, china, "zh-hans")

    (svg,) = svgs(response.text, "map__svg")
    places = {p["label"]: p for p in markers(svg)}
    # A country shows its provinces and cities, not all their cities too.
    assert set(places) == {"中国", "北京", "上海", "大连", "浙江"}
    assert places["大连"]["y"] < places["上海"]["y"]
    assert places["北京"]["x"] < places["大连"]["x"]


def test_a_city_alone_is_shown_without_number_or_list(client, seeded):
    dalian = Region.objects.get(slug="dalian")

    response = get(client, dalian, "nl")

    (svg,) = svgs(response.text, "map__svg")
    assert markers(svg) == [
        {
            "x": 240.0,
            "y": 180.0,
            "number": None,
            "label": "Dalian",
            "label_at": ("254", "184.5"),
            "primary": True,
        }
    ]
    assert svg.find("title").text == interface("nl", "Map: where %(region)s lies.", region="Dalian")
    assertNotContains(response, "map-legend")
    # The coastline around it is drawn: Dalian lies on the sea.
    assert len(svg.find("path").get("d")) > 1000


def test_places_without_coordinates_are_left_off(client):
    region = RegionFactory(kind=Region.Kind.PROVINCE, latitude=None, longitude=None)
    mapped = RegionFactory(parent=region, **names("Kaart", "Mapped", "地图"))
    RegionFactory(parent=region, latitude=None, longitude=None, **names("Nergens", "Nowhere", "无"))

    response = get(client, region, "en")

    (svg,) = svgs(response.text, "map__svg")
    assert [p["label"] for p in markers(svg)] == ["Mapped"]
    assert mapped.name_en in response.text
    assertNotContains(response, ">Nowhere</text>")


def test_a_region_without_coordinates_has_no_map(client):
    region = RegionFactory(latitude=None, longitude=None)

    response = get(client, region, "en")

    assertNotContains(response, "map__svg")
    assertNotContains(response, 'id="map-heading"')


def test_markers_on_one_spot_are_spread_and_labels_do_not_collide(client):
    region = RegionFactory(kind=Region.Kind.PROVINCE)
    for index in range(12):
        RegionFactory(parent=region, **names(f"Stad {index}", f"Town {index}", f"城{index}"))

    with translation.override("en"):
        region_map = maps.region_map(Region.objects.for_detail_page().get(pk=region.pk))

    places = region_map.places
    assert [p.number for p in places] == list(range(1, 14))
    # Thirteen places on one spot: pushed apart until no marker covers another …
    for index, place in enumerate(places):
        for other in places[index + 1 :]:
            assert math.hypot(place.x - other.x, place.y - other.y) >= 2 * 11
    # … and every label that fits is placed clear of the others; the rest keep their number.
    labelled = [p for p in places if p.label]
    assert places[0].label is not None
    assert len({(p.label.x, p.label.y) for p in labelled}) == len(labelled)


# Maps: partnerships and the home page -----------------------------------------------------


def test_partnership_map_joins_both_ends(client, seeded):
    partnership = Partnership.objects.get(slug="west-vlaanderen-zhejiang")

    for language, home, partner in [
        ("nl", "West-Vlaanderen", "Zhejiang"),
        ("en", "West Flanders", "Zhejiang"),
        ("zh-hans", "西弗兰德省", "浙江"),
    ]:
        response = get(client, partnership, language)

        (svg,) = svgs(response.text, "map__svg")
        assert svg.get("viewBox") == "0 0 640 320"
        places = markers(svg)
        assert [(p["number"], p["label"]) for p in places] == [("1", home), ("2", partner)]
        assert places[0]["x"] < places[1]["x"]  # Europe on the left, China on the right
        assert places[0]["y"] < places[1]["y"]  # … and further north
        (curve,) = svg.findall("path[@class='map__link']")
        assert curve.get("d").startswith(f"M{places[0]['x']:g} {places[0]['y']:g}Q")


def test_home_map_shows_every_partnership(client, seeded):
    response = client.get("/en/")

    (svg,) = svgs(response.text, "map__svg")
    assert [p["label"] for p in markers(svg)] == ["Enschede", "Dalian", "West Flanders", "Zhejiang"]
    assert len(svg.findall("path[@class='map__link']")) == 2
    assertInHTML(
        '<li><span class="map-legend__number">1</span> <a href="/en/regions/enschede/">Enschede</a>'
        ' <span aria-hidden="true">↔</span><span class="visually-hidden">and</span>'
        ' <span class="map-legend__number">2</span> <a href="/en/regions/dalian/">Dalian</a>'
        ' — <a href="/en/partnerships/enschede-dalian/">Enschede – Dalian city link</a></li>',
        response.text,
    )


def test_a_partnership_with_one_end_on_the_map_draws_no_line(client):
    home = RegionFactory(latitude=None, longitude=None)
    partnership = PartnershipFactory(home_region=home)

    response = get(client, partnership, "en")

    (svg,) = svgs(response.text, "map__svg")
    assert [p["label"] for p in markers(svg)] == [partnership.partner_region.name_en]
    assert svg.findall("path[@class='map__link']") == []


# Whole pages --------------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_pages_with_maps_and_charts_stay_small_valid_and_styled_from_css(client, seeded, language):
    for path in [
        "/{language}/",
        "/{language}/regions/zhejiang/",
        "/{language}/regions/china/",
        "/{language}/regions/dalian/",
        "/{language}/regions/enschede/",
        "/{language}/partnerships/enschede-dalian/",
        "/{language}/partnerships/west-vlaanderen-zhejiang/",
    ]:
        html = client.get(path.format(language=language)).text

        assert html.count("<h1") == 1, path
        assert "style=" not in html, path
        drawn = re.findall(r"<svg.*?</svg>", html, re.DOTALL)
        assert drawn, path
        for svg in drawn:
            ET.fromstring(svg)  # well-formed
        assert 1_000 < sum(len(svg.encode()) for svg in drawn) < 40_000, path


def test_region_page_queries(client, seeded, django_assert_num_queries, settings):
    # 13 for the page (2 the missions and visits there, test_places.py: no mission went to
    # Zhejiang, so none has destinations to fetch), 2 for the navigation, 7 for the read model
    # (tests/public/test_public_pages.py); then 1.
    with django_assert_num_queries(22):
        response = client.get("/en/regions/zhejiang/")
    settings.PAGE_CACHE_SECONDS = 0  # the page cache would answer first
    with django_assert_num_queries(1):
        stored = client.get("/en/regions/zhejiang/")

    assert stored.content == response.content


# The vendored coastlines ---------------------------------------------------------------------


def test_the_vendored_coastlines_are_small_and_say_where_they_come_from():
    assert LAND_FILE.stat().st_size < 300_000
    header = json.loads(LAND_FILE.read_text())
    assert header["source"].startswith("Natural Earth 1:10m land (public domain)")
    land = load_land()
    assert len(land.rings) == len(header["rings"])
    # The data covers Europe to East Asia: Enschede and Zhoushan lie inside.
    for latitude, longitude in [(52.2215, 6.8937), (29.9853, 122.2072)]:
        x, y = land.project(latitude, longitude)
        assert land.extent[0] < x < land.extent[2]
        assert land.extent[1] < y < land.extent[3]


def test_mercator_puts_the_equator_and_greenwich_in_the_middle():
    assert mercator(0, 0, 1000) == (500, 500)
    x, y = mercator(52, 7, 1000)
    assert x > 500
    assert y < 500


def test_clip_ring_keeps_the_part_inside_the_box():
    square = [(0, 0), (10, 0), (10, 10), (0, 10)]

    assert sorted(clip_ring(square, (5, -5, 20, 5))) == [(5, 0), (5, 5), (10, 0), (10, 5)]
    assert clip_ring(square, (20, 20, 30, 30)) == []


def test_simplify_drops_points_close_to_the_line():
    line = [(0, 0), (5, 0.2), (10, 0), (10, 5), (10, 10)]

    assert simplify(line, 0.5) == [(0, 0), (10, 0), (10, 10)]
    assert simplify(line, 0.1) == [(0, 0), (5, 0.2), (10, 0), (10, 10)]
