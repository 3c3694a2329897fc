"""Chinese that reads as a native editor writes it (issue 13, item 7): names in pinyin
order, a title before a person's name, and date ranges written as one date."""

import datetime as dt

import pytest
from django.utils import translation
from pytest_django.asserts import assertContains

from programmes.models import Region
from programmes.models.pinyin import sort_key
from public.templatetags.public_site import by_name, date_range, person_with_role, translated

from ..factories import MissionFactory, OrganisationFactory, RegionFactory

pytestmark = pytest.mark.django_db

# Zhejiang's cities as the seed names them, in code-point order (as the database sorts).
ZHEJIANG_CITIES = [
    ("Yiwu", "义乌"),
    ("Ningbo", "宁波"),
    ("Hangzhou", "杭州"),
    ("Yongkang", "永康"),
    ("Haining", "海宁"),
    ("Shaoxing", "绍兴"),
    ("Zhoushan", "舟山"),
    ("Zhenhai", "镇海"),
]


def names(nl: str, en: str, zh: str, field: str = "name") -> dict:
    return {f"{field}_nl": nl, f"{field}_en": en, f"{field}_zh_hans": zh}


# Names in pinyin order ----------------------------------------------------------------------


def test_chinese_names_sort_by_pinyin_not_by_code_point():
    chinese = [zh for _latin, zh in ZHEJIANG_CITIES]

    assert sorted(chinese) == ["义乌", "宁波", "杭州", "永康", "海宁", "绍兴", "舟山", "镇海"]
    assert sorted(chinese, key=sort_key) == [
        "海宁",  # hai ning
        "杭州",  # hang zhou
        "宁波",  # ning bo
        "绍兴",  # shao xing
        "义乌",  # yi wu
        "永康",  # yong kang
        "镇海",  # zhen hai
        "舟山",  # zhou shan
    ]
    # Latin names among them by their letters, without case or accents.
    assert sorted(["zhoushan", "Éco", "NBSO 大连", "大连"], key=sort_key) == [
        "大连",
        "Éco",
        "NBSO 大连",
        "zhoushan",
    ]


def test_the_regions_of_a_province_are_listed_in_pinyin_order_in_chinese(client):
    zhejiang = RegionFactory(kind=Region.Kind.PROVINCE, **names("Zhejiang", "Zhejiang", "浙江"))
    for latin, chinese in ZHEJIANG_CITIES:
        RegionFactory(parent=zhejiang, **names(latin, latin, chinese))
    OrganisationFactory(region=zhejiang, **names("Yiwu Markt", "Yiwu Market", "义乌市场"))
    OrganisationFactory(region=zhejiang, **names("Haven", "Port", "宁波港"))

    chinese = client.get(f"/zh-hans/regions/{zhejiang.slug}/").text
    dutch = client.get(f"/nl/regions/{zhejiang.slug}/").text

    def order(text: str, words: list[str]) -> list[str]:
        """``words`` in the order the lists below the map show them."""
        lists = text[text.index('id="children-heading"') :]
        return sorted(words, key=lambda word: lists.index(f">{word}</a>"))

    cities = [zh for _latin, zh in ZHEJIANG_CITIES]
    assert order(chinese, cities) == [
        "海宁",
        "杭州",
        "宁波",
        "绍兴",
        "义乌",
        "永康",
        "镇海",
        "舟山",
    ]
    assert order(chinese, ["义乌市场", "宁波港"]) == ["宁波港", "义乌市场"]
    # Dutch keeps its alphabetical order.
    latin = [name for name, _zh in ZHEJIANG_CITIES]
    assert order(dutch, latin) == sorted(latin)


def test_by_name_keeps_the_order_in_dutch_and_english():
    regions = [RegionFactory(**names("B", "B", "阿")), RegionFactory(**names("A", "A", "波"))]

    with translation.override("en"):
        assert by_name(regions) == regions
    with translation.override("zh-hans"):
        assert [translated(region, "name") for region in by_name(regions)] == ["阿", "波"]


# A person and their title -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("nl", "Marijke van Hees, locoburgemeester"),
        ("en", "Marijke van Hees, deputy mayor"),
        ("zh-hans", "副市长 Marijke van Hees"),
    ],
)
def test_the_title_goes_before_the_name_in_chinese(language, expected):
    mission = MissionFactory(
        leader_name="Marijke van Hees",
        **names("locoburgemeester", "deputy mayor", "副市长", field="leader_role"),
    )

    with translation.override(language):
        assert person_with_role(mission.leader_name, translated(mission, "leader_role")) == expected


def test_a_fallback_title_stays_after_the_name_with_its_language():
    mission = MissionFactory(
        leader_name="Marijke van Hees",
        **names("locoburgemeester", "deputy mayor", "", "leader_role"),
    )

    with translation.override("zh-hans"):
        shown = person_with_role(mission.leader_name, translated(mission, "leader_role"))

    assert shown == 'Marijke van Hees，<span lang="en">deputy mayor</span>'


# Date ranges --------------------------------------------------------------------------------


def times(*pairs: tuple[str, str]) -> list[str]:
    return [f'<time datetime="{iso}">{text}</time>' for iso, text in pairs]


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        # The same month: the end is the day alone.
        (dt.date(2026, 4, 13), dt.date(2026, 4, 18), ("2026年4月13日", "至", "18日")),
        # The same year: the end without the year.
        (dt.date(2026, 4, 30), dt.date(2026, 5, 2), ("2026年4月30日", "至", "5月2日")),
        # Different years: both in full.
        (dt.date(2025, 12, 30), dt.date(2026, 1, 2), ("2025年12月30日", "至", "2026年1月2日")),
    ],
)
def test_chinese_date_ranges_read_as_one_date(start, end, expected):
    first, word, last = expected

    with translation.override("zh-hans"):
        shown = date_range(start, end)

    [start_tag, end_tag] = times((start.isoformat(), first), (end.isoformat(), last))
    assert shown == f"{start_tag}{word}{end_tag}"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("nl", ("13 april 2026", "18 april 2026")),
        ("en", ("April 13, 2026", "April 18, 2026")),
    ],
)
def test_dutch_and_english_ranges_stay_as_they_were(language, expected):
    with translation.override(language):
        shown = date_range(dt.date(2026, 4, 13), dt.date(2026, 4, 18))

    start, end = times(("2026-04-13", expected[0]), ("2026-04-18", expected[1]))
    assert shown == f"{start} – {end}"


@pytest.mark.parametrize("language", ["nl", "en", "zh-hans"])
def test_a_single_day_is_one_date(language):
    day = dt.date(2026, 4, 13)
    with translation.override(language):
        assert date_range(day, day) == date_range(day) == date_range(day, None)
        assert date_range(day).count("<time") == 1


def test_the_mission_page_shows_the_chinese_range(client):
    mission = MissionFactory(start_date=dt.date(2026, 4, 13), end_date=dt.date(2026, 4, 18))

    response = client.get(f"/zh-hans/missions/{mission.slug}/")

    assertContains(
        response,
        '<dd><time datetime="2026-04-13">2026年4月13日</time>至'
        '<time datetime="2026-04-18">18日</time>',
    )
