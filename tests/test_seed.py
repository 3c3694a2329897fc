"""The seed content: the two seed documents, structured, in three languages, loaded idempotently."""

import html
import io
import re
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import models
from django.utils import translation
from modeltranslation.translator import translator

from programmes.models import (
    Cluster,
    FocusArea,
    KeyFigure,
    Mission,
    Objective,
    Organisation,
    Outcome,
    Partnership,
    ProgrammeItem,
    Region,
    Status,
)
from programmes.models.querysets import REGION_ANCESTORS

SEEDED_MODELS = [
    FocusArea,
    Region,
    Organisation,
    KeyFigure,
    Cluster,
    Partnership,
    Objective,
    Mission,
    ProgrammeItem,
    Outcome,
]
PUBLIC_MODELS = [Region, Organisation, Partnership, Mission, Outcome]
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def load(content_dir: Path | None = None, verbosity: int = 0) -> str:
    out = io.StringIO()
    options = {"content_dir": content_dir} if content_dir else {}
    call_command("load_seed_content", verbosity=verbosity, stdout=out, **options)
    return out.getvalue()


def database_state() -> dict:
    """Per model: every row's primary key with its last change (or the row itself)."""
    state = {}
    for model in SEEDED_MODELS:
        fields = ["pk", "updated_at"] if hasattr(model, "updated_at") else ["pk"]
        state[model.__name__] = list(model.objects.order_by("pk").values_list(*fields))
    return state


# Loading ------------------------------------------------------------------------------------


def test_loading_gives_the_expected_number_of_objects(db):
    output = load(verbosity=1)

    assert output == (
        "Loaded 3 focus areas, 17 regions, 9 organisations, 21 key figures, 5 clusters, "
        "2 partnerships, 2 objectives, 2 missions, 7 programme items, 5 outcomes "
        "(73 created, 0 updated, 0 unchanged).\n"
    )
    assert {model.__name__: model.objects.count() for model in SEEDED_MODELS} == {
        "FocusArea": 3,
        "Region": 17,
        "Organisation": 9,
        "KeyFigure": 21,
        "Cluster": 5,
        "Partnership": 2,
        "Objective": 2,
        "Mission": 2,
        "ProgrammeItem": 7,
        "Outcome": 5,
    }


def test_loading_twice_changes_nothing(seeded):
    before = database_state()

    output = load(verbosity=1)

    assert output.endswith("(0 created, 0 updated, 73 unchanged).\n")
    assert database_state() == before


def test_loading_repairs_edited_content_and_republishes_it(seeded):
    zhejiang = Region.objects.get(slug="zhejiang")
    Region.objects.filter(pk=zhejiang.pk).update(name_en="Chekiang", status=Status.DRAFT)

    output = load(verbosity=1)

    assert output.endswith("(0 created, 1 updated, 72 unchanged).\n")
    zhejiang.refresh_from_db()
    assert (zhejiang.name_en, zhejiang.status) == ("Zhejiang", Status.PUBLISHED)


def test_verbosity_zero_prints_nothing(db):
    assert load(verbosity=0) == ""


def test_uuids_come_from_the_data_files(seeded):
    """Partner sites sync by UUID, so every install must give an object the same one."""
    path = Path(__file__).resolve().parent.parent / "programmes/content/shared.toml"
    zhejiang_block = path.read_text().split('slug = "zhejiang"')[0].rsplit("[[regions]]", 1)[1]
    file_uuid = uuid.UUID(re.search(r'uuid = "([0-9a-f-]{36})"', zhejiang_block).group(1))

    assert Region.objects.get(slug="zhejiang").uuid == file_uuid


def test_focus_areas_of_an_older_install_get_the_fixed_uuid(seeded):
    """Installs from before migration 0009 gave their focus areas random UUIDs."""
    economy = FocusArea.objects.get(slug="economy")
    fixed = economy.uuid
    FocusArea.objects.filter(pk=economy.pk).update(uuid=uuid.uuid4())

    output = load(verbosity=1)

    assert output.endswith("(0 created, 1 updated, 72 unchanged).\n")
    economy.refresh_from_db()
    assert (economy.pk, economy.uuid) == (economy.pk, fixed)


def test_all_public_seed_content_is_published(seeded):
    for model in PUBLIC_MODELS:
        assert model.objects.published().count() == model.objects.count(), model.__name__


# Structure ----------------------------------------------------------------------------------


def test_regions_form_a_tree_with_coordinates(seeded):
    parents = dict(Region.objects.values_list("slug", "parent__slug"))

    assert parents == {
        "china": None,
        "netherlands": None,
        "belgium": None,
        "enschede": "netherlands",
        "west-vlaanderen": "belgium",
        "shanghai": "china",
        "dalian": "china",
        "beijing": "china",
        "zhejiang": "china",
        "hangzhou": "zhejiang",
        "ningbo": "zhejiang",
        "zhoushan": "zhejiang",
        "shaoxing": "zhejiang",
        "yiwu": "zhejiang",
        "yongkang": "zhejiang",
        "haining": "zhejiang",
        "zhenhai": "ningbo",
    }
    assert not Region.objects.filter(latitude__isnull=True).exists()
    assert not Region.objects.filter(longitude__isnull=True).exists()
    assert Region.objects.get(slug="zhenhai").kind == Region.Kind.DISTRICT
    assert Region.objects.get(slug="zhejiang").kind == Region.Kind.PROVINCE


def test_countries_name_their_time_zones_and_the_rest_inherit_them(seeded):
    regions = Region.objects.select_related(REGION_ANCESTORS)

    assert {r.slug: r.time_zone for r in regions if r.time_zone} == {
        "china": "Asia/Shanghai",
        "netherlands": "Europe/Amsterdam",
        "belgium": "Europe/Brussels",
    }
    zones = {r.slug: r.effective_time_zone() for r in regions}
    assert zones["dalian"] == zones["zhenhai"] == "Asia/Shanghai"  # a city, a district
    assert zones["enschede"] == "Europe/Amsterdam"
    assert zones["west-vlaanderen"] == "Europe/Brussels"


def test_an_unknown_time_zone_is_reported(db, tmp_path):
    text = region("delft").replace('kind = "city"', 'kind = "city"\ntime_zone = "Europe/Delft"')
    content = write_content(tmp_path, regions=text)

    with pytest.raises(CommandError) as excinfo:
        load(content)

    assert str(excinfo.value) == (
        'regions.toml, [[regions]] "delft": time_zone: “Europe/Delft” is not a known time zone. '
        "Use an IANA name such as Asia/Shanghai."
    )


def test_regions_have_their_chinese_names(seeded):
    names = dict(Region.objects.values_list("slug", "name_zh_hans"))

    assert names == {
        "china": "中国",
        "netherlands": "荷兰",
        "belgium": "比利时",
        "enschede": "恩斯赫德",
        "west-vlaanderen": "西弗兰德省",
        "shanghai": "上海",
        "dalian": "大连",
        "beijing": "北京",
        "zhejiang": "浙江",
        "hangzhou": "杭州",
        "ningbo": "宁波",
        "zhoushan": "舟山",
        "shaoxing": "绍兴",
        "yiwu": "义乌",
        "yongkang": "永康",
        "haining": "海宁",
        "zhenhai": "镇海",
    }


def test_zhejiang_key_figures(seeded):
    figures = KeyFigure.objects.filter(region__slug="zhejiang").order_by("order")

    assert [f.label_en for f in figures] == [
        "Inhabitants",
        "GDP ranking in mainland China",
        "GDP growth",
        "GDP per capita",
        "Exports",
        "Imports",
        "Private companies",
        "Share of the provincial GDP from non-state companies",
        "Share of the provincial tax income from non-state companies",
        "Companies from Zhejiang in the Top 500 Private Enterprises",
        "People from Zhejiang running businesses overseas",
        "Length of the bridge across the sea between Ningbo and Shanghai",
    ]
    assert [(f.value, f.value_max, f.unit, f.approximate, f.year) for f in figures] == [
        (Decimal(54_000_000), None, "count", False, None),
        (Decimal(4), None, "rank", False, None),
        (Decimal("11.8"), None, "percent", False, 2010),
        (Decimal(7690), None, "usd", False, 2010),
        (Decimal(180_000_000_000), None, "usd", True, None),
        (Decimal(73_000_000_000), None, "usd", False, None),
        (Decimal(640_000), None, "count", True, 2010),
        (Decimal(70), None, "percent", False, None),
        (Decimal(60), None, "percent", False, None),
        (Decimal(171), None, "count", False, None),
        (Decimal(1_500_000), None, "count", False, None),
        (Decimal(35), None, "km", False, None),
    ]
    assert [f.formatted("nl") for f in figures] == [
        "54 miljoen", "4e", "11,8 %", "7.690 USD", "ca. 180 miljard USD", "73 miljard USD",
        "ca. 640.000", "70 %", "60 %", "171", "1,5 miljoen", "35 km",
    ]  # fmt: skip
    assert {f.source_nl for f in figures} == {"POM West-Vlaanderen, “Samenwerking met Zhejiang”"}


def test_key_figures_of_the_other_regions(seeded):
    figures = KeyFigure.objects.exclude(region__slug="zhejiang").order_by("region__slug", "order")

    assert [(f.region.slug, f.formatted("en"), f.year) for f in figures] == [
        ("china", "1st", None),
        ("china", "2nd", None),
        ("china", "1st", None),
        ("dalian", "6 million", None),
        ("hangzhou", "5–6 million", None),
        ("ningbo", "about 450 million tonnes", 2010),
        ("shanghai", "23 million", None),
        ("shanghai", "1st", None),
        ("shanghai", "1st", None),
    ]
    china_gdp = figures.get(region__slug="china", label_en="World ranking by GDP")
    assert china_gdp.source_nl == "Gemeente Enschede, inspiratiereis naar Shanghai en Dalian"


def test_clusters(seeded):
    clusters = Cluster.objects.order_by("region__slug")

    assert [(c.region.slug, c.sector_nl, c.sector_en, c.sector_zh_hans) for c in clusters] == [
        ("haining", "nieuwe materialen", "new materials", "新材料"),
        ("shaoxing", "textiel", "textiles", "纺织"),
        ("yiwu", "commodity goods", "commodity goods", "小商品"),
        ("yongkang", "metaal", "metal", "金属"),
        ("zhenhai", "autoproductie", "car manufacturing", "汽车制造"),
    ]


def test_organisations(seeded):
    organisations = Organisation.objects.order_by("slug")

    assert [(o.slug, o.kind, o.region.slug) for o in organisations] == [
        ("dalian-museum", "museum", "dalian"),
        ("dalian-new-high-tech-zone", "high_tech_zone", "dalian"),
        ("dutch-consulate-shanghai", "consulate", "shanghai"),
        ("gemeente-enschede", "municipality", "enschede"),
        ("nbso-dalian", "business_support_office", "dalian"),
        ("pom-west-vlaanderen", "development_agency", "west-vlaanderen"),
        ("port-of-dalian", "port", "dalian"),
        ("provincie-west-vlaanderen", "province", "west-vlaanderen"),
        ("tongji-university", "university", "shanghai"),
    ]
    assert [o.name_zh_hans for o in organisations] == [
        "大连博物馆",
        "大连高新技术产业园区",
        "荷兰驻上海领事馆",
        "恩斯赫德市政府",
        "大连荷兰商务支持办公室（NBSO）",
        "西弗兰德省发展署（POM West-Vlaanderen）",
        "大连港",
        "西弗兰德省政府",
        "同济大学",
    ]
    assert not Organisation.objects.exclude(website="").exists()


def test_enschede_dalian_city_link(seeded):
    link = Partnership.objects.get(slug="enschede-dalian")

    assert (link.kind, link.home_region.slug, link.partner_region.slug) == (
        "city_link",
        "enschede",
        "dalian",
    )
    assert (link.since_year, link.coordinator.slug, link.coordinator_since_year) == (
        None,
        "gemeente-enschede",
        None,
    )
    assert [area.slug for area in link.focus_areas.all()] == ["economy"]
    assert link.title_nl == "Stedenband Enschede – Dalian"


def test_west_flanders_zhejiang_friendship_agreement(seeded):
    agreement = Partnership.objects.get(slug="west-vlaanderen-zhejiang")

    assert (agreement.kind, agreement.home_region.slug, agreement.partner_region.slug) == (
        "friendship_agreement",
        "west-vlaanderen",
        "zhejiang",
    )
    assert agreement.since_year == 2000
    assert (agreement.coordinator.slug, agreement.coordinator_since_year) == (
        "pom-west-vlaanderen",
        2008,
    )
    assert [area.slug for area in agreement.focus_areas.all()] == ["economy"]
    assert [o.text_en for o in agreement.objectives.order_by("order")] == [
        "Actively encouraging and supporting West Flemish companies that want to invest or "
        "do business in Zhejiang.",
        "Promoting West Flanders as an interesting and attractive investment location for "
        "companies from Zhejiang.",
    ]


def test_enschede_inspiration_trip(seeded):
    trip = Mission.objects.get(slug="inspiration-trip-shanghai-dalian")

    assert (trip.kind, trip.partnership.slug) == ("inspiration_trip", "enschede-dalian")
    assert (trip.start_date, trip.end_date) == (None, None)
    assert trip.leader_name == "Marijke van Hees"
    assert (trip.leader_role_nl, trip.leader_role_en, trip.leader_role_zh_hans) == (
        "loco-burgemeester",
        "deputy mayor",
        "副市长",
    )
    assert [r.slug for r in trip.destinations.order_by("slug")] == ["dalian", "shanghai"]
    assert [o.slug for o in trip.organisers.order_by("slug")] == [
        "gemeente-enschede",
        "nbso-dalian",
    ]
    assert trip.participants_en == "entrepreneurs"
    assert "Marijke van Hees" in trip.programme_intro_nl
    assert "onder andere" in trip.programme_intro_nl
    assert "not exhaustive" in trip.programme_intro_en
    assert "Zakendoen in China" in trip.result_nl
    assert "href" not in trip.result_nl


def test_enschede_inspiration_trip_programme(seeded):
    items = ProgrammeItem.objects.filter(mission__slug="inspiration-trip-shanghai-dalian")

    assert [(i.city.slug, i.kind, i.host.slug if i.host else None) for i in items] == [
        ("shanghai", "company_visit", None),
        ("shanghai", "university", "tongji-university"),
        ("shanghai", "consulate", "dutch-consulate-shanghai"),
        ("dalian", "site_visit", "dalian-new-high-tech-zone"),
        ("dalian", "museum", "dalian-museum"),
        ("dalian", "port", "port-of-dalian"),
    ]
    assert not items.filter(date__isnull=False).exists()


def test_enschede_inspiration_trip_outcomes(seeded):
    outcomes = Outcome.objects.filter(mission__slug="inspiration-trip-shanghai-dalian")

    assert [(o.slug, o.kind, o.area.slug, o.partnership.slug) for o in outcomes] == [
        ("enschede-dalian-economic-steps", "collaboration", "economy", "enschede-dalian"),
        ("enschede-dalian-education-steps", "education", "education", "enschede-dalian"),
        ("enschede-dalian-culture-steps", "culture", "culture", "enschede-dalian"),
    ]
    assert not outcomes.filter(date__isnull=False).exists()


def test_business_days(seeded):
    days = Mission.objects.get(slug="business-days-zhejiang-west-flanders")

    assert (days.kind, days.partnership.slug) == ("business_days", "west-vlaanderen-zhejiang")
    assert (days.start_date, days.end_date, days.leader_name) == (None, None, "")
    # The document does not say where the meetings take place: no city, not a guess.
    assert [(i.kind, i.city) for i in days.programme_items.all()] == [("b2b_meetings", None)]
    assert [(o.slug, o.kind, o.area.slug) for o in days.outcomes.all()] == [
        ("business-days-contracts", "contract", "economy"),
        ("business-days-projects", "project", "economy"),
    ]


# Translations -------------------------------------------------------------------------------


# Translated fields the seed documents give nothing for, so they stay empty in every language.
NOT_IN_THE_SEEDS = {("business-days-zhejiang-west-flanders", "leader_role")}


@pytest.mark.parametrize("model", SEEDED_MODELS, ids=lambda model: model.__name__)
def test_every_translated_field_is_filled_in_every_language(seeded, model):
    fields = translator.get_options_for_model(model).get_field_names()
    for obj in model.objects.all():
        for name in fields:
            texts = [getattr(obj, f"{name}_{language}") for language in ("nl", "en", "zh_hans")]
            if (getattr(obj, "slug", None), name) in NOT_IN_THE_SEEDS:
                assert texts == ["", "", ""]
                continue
            assert all(texts), f"{obj!r}.{name} is not filled in every language: {texts}"
            assert CHINESE.search(texts[2]), f"{obj!r}.{name}_zh_hans has no Chinese: {texts[2]}"


def test_rich_text_is_stored_sanitized(seeded):
    profile = Region.objects.get(slug="zhejiang").profile_nl

    assert profile.startswith("<p>Zhejiang is een kustprovincie, net ten zuiden van Shanghai.")
    assert "<h3>Ondernemersgeest</h3>" in profile
    assert "<li>metaal in Yongkang;</li>" in profile


# Validation of the data files ---------------------------------------------------------------

REGION = """
[[regions]]
uuid = "{uuid}"
slug = "{slug}"
kind = "city"
name = {{ nl = "{name}", en = "{name}", zh_hans = "城市" }}
"""


def region(slug: str, name: str = "Stad") -> str:
    return REGION.format(uuid=uuid.uuid4(), slug=slug, name=name)


def write_content(tmp_path: Path, **files: str) -> Path:
    for name, text in files.items():
        (tmp_path / f"{name}.toml").write_text(text, encoding="utf-8")
    return tmp_path


def test_a_content_directory_can_be_given(db, tmp_path):
    load(write_content(tmp_path, regions=region("delft", "Delft")))

    assert list(Region.objects.values_list("slug", "name_nl", "status")) == [
        ("delft", "Delft", "published")
    ]


def test_missing_dutch_text_names_the_file_and_the_object(db, tmp_path):
    text = region("delft").replace('nl = "Stad", ', "")
    content = write_content(tmp_path, regions=text)

    with pytest.raises(CommandError) as excinfo:
        load(content)

    assert str(excinfo.value) == (
        'regions.toml, [[regions]] "delft": the Dutch text of "name" is missing (name.nl).'
    )


def test_unknown_reference_names_the_file_and_the_object(db, tmp_path):
    text = region("delft") + 'parent = "nederland"\n'
    content = write_content(tmp_path, regions=text)

    with pytest.raises(CommandError) as excinfo:
        load(content)

    assert str(excinfo.value) == (
        'regions.toml, [[regions]] "delft": "parent" refers to "nederland", '
        "which is not in [[regions]]."
    )


def test_references_may_point_into_another_file(db, tmp_path):
    content = write_content(
        tmp_path,
        a_places=region("nederland", "Nederland"),
        b_cities=region("delft", "Delft") + 'parent = "nederland"\n',
    )

    load(content)

    assert Region.objects.get(slug="delft").parent.slug == "nederland"


def test_unknown_reference_in_a_nested_object(db, tmp_path):
    text = f"""
[[partnerships]]
uuid = "{uuid.uuid4()}"
slug = "delft-dalian"
kind = "city_link"
home_region = "delft"
partner_region = "dalian"
title = {{ nl = "Stedenband" }}

[[partnerships.objectives]]
uuid = "{uuid.uuid4()}"
text = {{ nl = "Samenwerken" }}
""" + region("delft")
    content = write_content(tmp_path, partnerships=text)

    with pytest.raises(CommandError) as excinfo:
        load(content)

    assert str(excinfo.value) == (
        'partnerships.toml, [[partnerships]] "delft-dalian": "partner_region" refers to '
        '"dalian", which is not in [[regions]].'
    )


def test_misspelt_field_is_reported(db, tmp_path):
    text = region("delft") + 'sumary = { nl = "Een stad" }\n'
    content = write_content(tmp_path, regions=text)

    with pytest.raises(
        CommandError, match=r'regions\.toml, \[\[regions\]\] "delft": unknown field'
    ):
        load(content)


def test_missing_or_duplicate_uuid_is_reported(db, tmp_path):
    text = region("delft").replace('uuid = "', 'uuid = "x')
    with pytest.raises(CommandError, match=r'"delft": "uuid" must be a UUID'):
        load(write_content(tmp_path, regions=text))

    same = uuid.uuid4()
    text = REGION.format(uuid=same, slug="delft", name="Delft") + REGION.format(
        uuid=same, slug="gouda", name="Gouda"
    )
    with pytest.raises(CommandError, match=rf'"gouda": uuid {same} is used twice'):
        load(write_content(tmp_path, regions=text))


def test_regions_inside_each_other_are_reported(db, tmp_path):
    text = region("delft") + 'parent = "gouda"\n' + region("gouda") + 'parent = "delft"\n'
    content = write_content(tmp_path, regions=text)

    with pytest.raises(CommandError) as excinfo:
        load(content)

    assert str(excinfo.value) == (
        'regions.toml, [[regions]] "delft": regions lie inside each other: delft → gouda.'
    )


def test_invalid_value_is_reported_and_nothing_is_written(db, tmp_path):
    text = region("delft") + region("gouda").replace('kind = "city"', 'kind = "village"')
    content = write_content(tmp_path, regions=text)

    with pytest.raises(CommandError) as excinfo:
        load(content)

    assert str(excinfo.value).startswith('regions.toml, [[regions]] "gouda": kind: Value')
    assert not Region.objects.exists()


def test_invalid_toml_is_reported(db, tmp_path):
    content = write_content(tmp_path, regions='[[regions]]\nslug = "delft\n')

    with pytest.raises(CommandError, match=r"regions\.toml: not valid TOML"):
        load(content)


# The public pages ---------------------------------------------------------------------------

# Facts from the seed documents, per language and page, as a visitor must find them.
KEY_FACTS = {
    "nl": {
        (Region, "zhejiang"): ["Zhejiang", "54 miljoen", "11,8 %", "7.690 USD", "ca. 640.000"],
        (Region, "shaoxing"): ["Shaoxing", "textiel"],
        (Region, "ningbo"): ["ca. 450 miljoen ton"],
        (Region, "hangzhou"): ["5–6 miljoen"],
        (Partnership, "west-vlaanderen-zhejiang"): ["2000", "2008", "POM West-Vlaanderen"],
        (Mission, "inspiration-trip-shanghai-dalian"): [
            "Marijke van Hees",
            "loco-burgemeester",
            "Tongji University",
            "Dalian Museum",
        ],
        (Organisation, "tongji-university"): ["Tongji University"],
    },
    "en": {
        (Region, "zhejiang"): ["Zhejiang", "54 million", "11.8%", "USD 7,690", "about 640,000"],
        (Region, "shaoxing"): ["Shaoxing", "textiles"],
        (Region, "ningbo"): ["about 450 million tonnes"],
        (Region, "hangzhou"): ["5–6 million"],
        (Partnership, "west-vlaanderen-zhejiang"): ["2000", "2008", "POM West Flanders"],
        (Mission, "inspiration-trip-shanghai-dalian"): [
            "Marijke van Hees",
            "deputy mayor",
            "Tongji University",
            "Dalian Museum",
        ],
        (Organisation, "tongji-university"): ["Tongji University"],
    },
    "zh-hans": {
        (Region, "zhejiang"): ["浙江", "5400万", "11.8%", "约64万"],
        (Region, "shaoxing"): ["绍兴", "纺织"],
        (Region, "ningbo"): ["约4.5亿吨"],
        (Region, "hangzhou"): ["500–600万"],
        (Partnership, "west-vlaanderen-zhejiang"): ["2000", "2008", "西弗兰德省发展署"],
        (Mission, "inspiration-trip-shanghai-dalian"): [
            "Marijke van Hees",
            "副市长",
            "同济大学",
            "大连博物馆",
        ],
        (Organisation, "tongji-university"): ["同济大学"],
    },
}


def facts_on_page(obj: models.Model, language: str) -> list[str]:
    """What a page showing ``obj`` must contain: its own texts and those of its parts."""
    column = language.replace("-", "_")
    facts = [getattr(obj, f"name_{column}", None) or getattr(obj, f"title_{column}")]
    if isinstance(obj, Region):
        facts += [figure.formatted(language) for figure in obj.key_figures.all()]
        facts += [getattr(cluster, f"sector_{column}") for cluster in obj.clusters.all()]
    if isinstance(obj, Partnership):
        facts += [getattr(objective, f"text_{column}") for objective in obj.objectives.all()]
    if isinstance(obj, Mission):
        facts += [getattr(item, f"title_{column}") for item in obj.programme_items.all()]
        facts += [getattr(outcome, f"title_{column}") for outcome in obj.outcomes.all()]
    return facts


def page_text(client, obj: models.Model) -> str:
    response = client.get(obj.get_absolute_url())
    assert response.status_code == 200, obj.get_absolute_url()
    return " ".join(html.unescape(response.content.decode()).split())


@pytest.mark.parametrize("language", ["nl", "en", "zh-hans"])
def test_every_seed_fact_is_on_the_public_pages(seeded, client, language):
    missing = []
    with translation.override(language):
        for model in PUBLIC_MODELS:
            for obj in model.objects.all():
                text = page_text(client, obj)
                expected = facts_on_page(obj, language)
                expected += KEY_FACTS[language].get((model, obj.slug), [])
                missing += [
                    f"{obj.get_absolute_url()}: {fact}" for fact in expected if fact not in text
                ]
    assert missing == []
