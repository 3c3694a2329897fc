"""Search across languages (issue 13, item 1): a query matches every language's texts and
the pinyin of Chinese names, and the hits are shown in the page's language.

Runs on SQLite and PostgreSQL (``DATABASE_URL``); each test asserts what both agree on.
"""

from html import unescape

import pytest
from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.utils import translation
from django.utils.html import strip_tags
from django.utils.translation import gettext
from pytest_django.asserts import assertContains

from programmes.domain.services import save_content
from programmes.models import Organisation, Region
from programmes.models.pinyin import search_forms, syllables, words_spelt
from programmes.models.search_names import search_text
from public.search import SEARCHABLE_TYPES, names_document, search

from ..factories import MissionFactory, OrganisationFactory, RegionFactory

pytestmark = pytest.mark.django_db


def names(nl: str, en: str, zh: str, field: str = "name") -> dict:
    return {f"{field}_nl": nl, f"{field}_en": en, f"{field}_zh_hans": zh}


def titles(results, key: str) -> list[str]:
    for group in results.groups:
        if group.key == key:
            return [unescape(strip_tags(hit.title.html)) for hit in group.hits]
    return []


def hits(results, key: str):
    return next(group.hits for group in results.groups if group.key == key)


# The examples, on the seed content ----------------------------------------------


def test_dalian_on_the_chinese_page_finds_the_chinese_content(seeded):
    results = search("Dalian", "zh-hans")

    assert titles(results, "regions")[0] == "大连"
    assert titles(results, "missions") == ["上海和大连考察之旅"]
    assert titles(results, "partnerships") == ["恩斯赫德–大连城市合作关系"]
    assert "大连港" in titles(results, "organisations")
    # Found by their names: nothing is "only in English".
    assert all(hit.only_in is None for group in results.groups for hit in group.hits[:1])


@pytest.mark.parametrize("language", ["nl", "en"])
def test_chinese_names_on_the_dutch_and_english_pages(seeded, language):
    dalian = search("大连", language)
    ningbo = search("宁波", language)

    assert titles(dalian, "regions")[0] == "Dalian"
    assert titles(ningbo, "regions")[0] == "Ningbo"
    assert len(titles(dalian, "missions")) == 1
    assert titles(dalian, "missions")[0].endswith("Dalian")


@pytest.mark.parametrize("query", ["ningbo", "Ningbo", "NingBo", "NINGBO"])
@pytest.mark.parametrize("language", ["nl", "en", "zh-hans"])
def test_pinyin_without_tones_finds_the_chinese_name(language, query):
    # No other language's name says "Ningbo": only the pinyin of 宁波 does.
    region = RegionFactory(**names("Havenstad", "Port city", "宁波"))

    with translation.override(language):
        expected = region.name
    assert titles(search(query, language), "regions") == [expected]


def test_pinyin_matches_from_any_syllable_of_a_longer_name():
    OrganisationFactory(**names("Museum", "Museum", "大连博物馆"))
    RegionFactory(**names("Bergstad", "Mountain city", "重庆"))

    assert titles(search("dalian", "zh-hans"), "organisations") == ["大连博物馆"]
    assert titles(search("bowuguan", "zh-hans"), "organisations") == ["大连博物馆"]
    # A polyphone read as in its phrase: 重庆 is "chong qing", not "zhong qing".
    assert titles(search("chongqing", "en"), "regions") == ["Mountain city"]
    # At a syllable's start only: "alian" is inside "dalian".
    assert search("alian", "zh-hans").groups == []


def test_pinyin_forms_and_search_text():
    assert syllables("宁波港") == ("ning", "bo", "gang")
    assert words_spelt("恩斯赫德与大连建立了城市合作关系", "dalian") == ["大连"]
    assert words_spelt("大连港", "lian") == ["连"]
    assert words_spelt("大连港", "alian") == []
    assert search_forms("NBSO 大连办事处") == [
        "dalianbanshi",
        "lianbanshichu",
        "banshichu",
        "shichu",
        "chu",
    ]
    assert search_text("Enschede–Dalian city link") == " enschede dalian city link "


# Other languages' texts -------------------------------------------------------------------


def test_a_word_only_in_another_languages_text_is_marked_and_shown_from_that_text(client):
    mission = MissionFactory(
        **names("Handelsmissie", "Trade mission", "贸易代表团", field="title"),
        **names(
            "Bezoek aan de kraanvogelfabriek in Ningbo.",
            "A visit to a factory in Ningbo.",
            "参观宁波的一家工厂。",
            field="summary",
        ),
    )

    hit = hits(search("kraanvogelfabriek", "zh-hans"), "missions")[0]

    assert hit.url == f"/zh-hans/missions/{mission.slug}/"
    assert hit.title.html == "贸易代表团"
    assert hit.only_in == "nl"
    assert hit.snippet.lang_attr == ' lang="nl"'
    assert "<mark>kraanvogelfabriek</mark>" in hit.snippet.html
    response = client.get("/zh-hans/search/", {"q": "kraanvogelfabriek"})
    with translation.override("zh-hans"):
        label = gettext("Only in Dutch")
    assertContains(response, f'<span class="search-result__only-in">{label}</span>', count=1)
    # Where the page's language has the word, nothing is marked.
    assert hits(search("kraanvogelfabriek", "nl"), "missions")[0].only_in is None


def test_a_latin_name_marks_its_chinese_form_in_the_chinese_texts():
    RegionFactory(**names("Dalian", "Dalian", "大连"))
    netherlands = RegionFactory(
        **names("Nederland", "The Netherlands", "荷兰"),
        **names(
            "Enschede heeft een stedenband met Dalian.",
            "Enschede has a city link with Dalian.",
            "恩斯赫德与大连建立了城市合作关系。",
            field="summary",
        ),
    )

    hit = next(
        hit
        for hit in hits(search("Dalian", "zh-hans"), "regions")
        if hit.url.endswith(f"/{netherlands.slug}/")
    )

    # "dalian" is the pinyin of 大连, a name among the hits: the Chinese text has the word.
    assert hit.only_in is None
    assert hit.snippet.html == "恩斯赫德与<mark>大连</mark>建立了城市合作关系。"
    assert hit.snippet.lang_attr == ""


def test_a_chinese_name_marks_its_pinyin_in_the_dutch_texts():
    zhenhai = RegionFactory(
        **names("Zhenhai", "Zhenhai", "镇海"),
        **names("District van Ningbo.", "A district of Ningbo.", "宁波市辖区。", field="summary"),
    )

    [hit] = hits(search("宁波", "nl"), "regions")

    assert hit.url == f"/nl/regions/{zhenhai.slug}/"
    assert hit.only_in is None
    assert hit.snippet.html == "District van <mark>Ningbo</mark>."


def test_a_query_may_mix_languages():
    RegionFactory(**names("Kraanvogelstad", "Crane city", "鹤城"))

    assert titles(search("kraanvogelstad 鹤城", "en"), "regions") == ["Crane city"]
    assert titles(search("hecheng crane", "nl"), "regions") == ["Kraanvogelstad"]


def test_names_in_any_language_rank_above_texts_of_the_pages_language():
    in_summary = RegionFactory(
        **names("Moerasland", "Marsh land", "沼泽"),
        **names("Een kraanvogel", "A crane", "一只仙鹤", field="summary"),
    )
    in_chinese_name = RegionFactory(**names("Vogelstad", "Bird town", "仙鹤"))

    for language in ["nl", "en"]:
        found = [hit.url for hit in hits(search("仙鹤", language), "regions")]
        with translation.override(language):
            assert found == [in_chinese_name.get_absolute_url(), in_summary.get_absolute_url()]


@pytest.mark.parametrize("query", ["-", "’", "||", "%"])
def test_punctuation_matches_no_name(query):
    RegionFactory(**names("Kraanvogel", "Crane", "仙鹤"))

    assert search(query, "en").groups == []


# The names column stays in step with every write ----------------------------------------


def test_the_names_column_is_written_on_save_bulk_create_and_by_the_seed(seeded):
    region = Region.objects.get(name_nl="Ningbo")
    assert " ningbo " in region.search_names
    assert "宁波" in region.search_names

    region.name_zh_hans = "宁波市"
    save_content(region)
    region.refresh_from_db()
    assert "ningboshi" in region.search_names

    [organisation] = Organisation.objects.bulk_create(
        [Organisation(slug="bulk", kind="other", **names("Fabriek", "Factory", "工厂"))]
    )
    assert Organisation.objects.get(pk=organisation.pk).search_names == (
        " fabriek factory 工厂 gongchang chang "
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the names index is PostgreSQL's")
@pytest.mark.parametrize("searchable", SEARCHABLE_TYPES, ids=lambda searchable: searchable.key)
def test_a_latin_word_can_use_the_names_index_of_migration_0019(searchable):
    queryset = searchable.model._base_manager.alias(document=names_document()).filter(
        document=SearchQuery("'ningbo':*", config="simple", search_type="raw")
    )
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")

    assert f"{searchable.model._meta.db_table}_search_names" in queryset.explain()
