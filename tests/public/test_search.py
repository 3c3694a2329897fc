"""Site search: ``/<lang>/search/?q=`` over published content in the page's language.

The suite runs on SQLite and on PostgreSQL. PostgreSQL searches Dutch and English
with full-text search (stemmed), SQLite matches the start of words, and both match
Chinese anywhere in a text; each test asserts what both databases agree on.
"""

import datetime as dt
import re
from html import unescape
from operator import attrgetter

import pytest
from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.utils import timezone, translation
from django.utils.html import strip_tags
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext
from pytest_django.asserts import assertContains, assertInHTML, assertNotContains

from programmes.models import (
    Mission,
    Organisation,
    Outcome,
    Partnership,
    ProgrammeItem,
    Region,
    Status,
)
from public.search import (
    MAX_QUERY_LENGTH,
    RESULTS_PER_TYPE,
    SEARCHABLE_TYPES,
    TEXT_SEARCH_CONFIGS,
    SearchResults,
    full_text_document,
    normalise_query,
    plain_text,
    query_terms,
    search,
    search_one_type,
)

from ..factories import (
    MissionFactory,
    OrganisationFactory,
    OutcomeFactory,
    PartnershipFactory,
    ProgrammeItemFactory,
    RegionFactory,
)

pytestmark = pytest.mark.django_db

LANGUAGES = ["nl", "en", "zh-hans"]
HTML_LANG = {"nl": "nl", "en": "en", "zh-hans": "zh-Hans"}


def names(nl: str, en: str, zh: str, field: str = "name") -> dict:
    return {f"{field}_nl": nl, f"{field}_en": en, f"{field}_zh_hans": zh}


def interface(language: str, message: str) -> str:
    with translation.override(language):
        return gettext(message)


def url(obj, language: str) -> str:
    with translation.override(language):
        return obj.get_absolute_url()


def titles(results: SearchResults, key: str) -> list[str]:
    """The plain titles of one group's hits, best first (``[]`` if the group is absent)."""
    for group in results.groups:
        if group.key == key:
            return [unescape(strip_tags(hit.title.html)) for hit in group.hits]
    return []


def group(results: SearchResults, key: str):
    return next(group for group in results.groups if group.key == key)


# The seed content: the examples ------------------------------------------------


def test_ningbo_in_chinese_finds_the_zhejiang_profile(seeded):
    results = search("宁波", "zh-hans")

    regions = group(results, "regions")
    assert titles(results, "regions")[0] == "宁波"
    assert "浙江" in titles(results, "regions")
    zhejiang = next(hit for hit in regions.hits if hit.url == "/zh-hans/regions/zhejiang/")
    assert zhejiang.label == "省份"
    assert "<mark>宁波</mark>港与舟山港合在一起，是世界上最大的港口之一。" in zhejiang.snippet.html


def test_dalian_in_chinese_finds_the_enschede_mission(seeded, client):
    results = search("大连", "zh-hans")

    missions = group(results, "missions")
    assert [(hit.title.html, hit.url) for hit in missions.hits] == [
        ("上海和<mark>大连</mark>考察之旅", "/zh-hans/missions/inspiration-trip-shanghai-dalian/")
    ]
    assert titles(results, "regions")[0] == "大连"
    assert titles(results, "partnerships") == ["恩斯赫德–大连城市合作关系"]
    assert "大连港" in titles(results, "organisations")

    response = client.get("/zh-hans/search/", {"q": "大连"})
    assertContains(
        response,
        '<a href="/zh-hans/missions/inspiration-trip-shanghai-dalian/">'
        "上海和<mark>大连</mark>考察之旅</a>",
        html=True,
    )


def test_dutch_haven_finds_the_port_of_dalian_and_the_port_cities(seeded):
    results = search("haven", "nl")

    item = ProgrammeItem.objects.get(title_nl="Bezoek aan de haven van Dalian")
    visit = group(results, "programme_items").hits
    assert [(hit.title.html, hit.url) for hit in visit] == [
        (
            "Bezoek aan de <mark>haven</mark> van Dalian",
            f"/nl/missions/inspiration-trip-shanghai-dalian/#item-{item.uuid}",
        )
    ]
    assert visit[0].context == "Inspiratiereis naar Shanghai en Dalian"
    assert titles(results, "organisations") == ["Haven van Dalian"]
    assert set(titles(results, "regions")) == {"Ningbo", "Zhoushan", "Zhejiang", "Dalian"}
    assert titles(results, "missions") == ["Inspiratiereis naar Shanghai en Dalian"]
    assert results.total == 7


def test_english_port_finds_ports_and_not_words_that_merely_contain_it(seeded):
    results = search("port", "en")

    assert titles(results, "programme_items") == ["Visit to the Port of Dalian"]
    # Not "NBSO Dalian (Netherlands Business Support Office)".
    assert titles(results, "organisations") == ["Port of Dalian"]
    assert set(titles(results, "regions")) == {
        "Ningbo",
        "Zhoushan",
        "Zhejiang",
        "Dalian",
        "Shanghai",
    }
    assert group(results, "organisations").hits[0].snippet.html == (
        "Dalian is the main <mark>port</mark> city for North-East China. The <mark>port</mark> "
        "was part of the Dalian programme of the Municipality of Enschede’s inspiration trip."
    )


def test_every_word_of_the_query_must_occur(seeded):
    assert titles(search("Dalian museum", "en"), "organisations") == ["Dalian Museum"]
    assert titles(search("大连 博物馆", "zh-hans"), "organisations") == ["大连博物馆"]


# What is searched ----------------------------------------------------------------------


def test_only_published_content_is_found():
    title = names("Kraanvogel", "Crane", "仙鹤", field="title")
    region = RegionFactory(**names("Kraanvogel", "Crane", "仙鹤"))
    mission = MissionFactory(**title)
    item = ProgrammeItemFactory(**title)
    draft_mission = MissionFactory(status=Status.DRAFT)
    # Not public: a draft, a scheduled organisation, a draft mission, a mission of a
    # draft partnership, a programme item and an outcome of a draft mission.
    RegionFactory(status=Status.DRAFT, **names("Kraanvogel", "Crane", "仙鹤"))
    OrganisationFactory(
        publish_at=timezone.now() + dt.timedelta(days=1), **names("Kraanvogel", "Crane", "仙鹤")
    )
    MissionFactory(status=Status.DRAFT, **title)
    MissionFactory(partnership=PartnershipFactory(status=Status.DRAFT), **title)
    ProgrammeItemFactory(mission=draft_mission, **title)
    OutcomeFactory(mission=draft_mission, **title)

    for language, query in [("nl", "kraanvogel"), ("en", "crane"), ("zh-hans", "仙鹤")]:
        results = search(query, language)

        assert [hit.url for group in results.groups for hit in group.hits] == [
            url(region, language),
            url(mission, language),
            f"{url(item.mission, language)}#item-{item.uuid}",
        ]
        assert results.total == 3


@pytest.mark.parametrize(
    ("language", "query"), [("nl", "kraanvogel"), ("en", "crane"), ("zh-hans", "仙鹤")]
)
def test_each_type_is_found_in_the_pages_language(language, query):
    title = names("Kraanvogel", "Crane", "仙鹤", field="title")
    region = RegionFactory(**names("Kraanvogel", "Crane", "仙鹤"))
    organisation = OrganisationFactory(**names("Kraanvogel", "Crane", "仙鹤"))
    partnership = PartnershipFactory(**title)
    mission = MissionFactory(**title)
    item = ProgrammeItemFactory(**title)
    outcome = OutcomeFactory(**title)

    results = search(query, language)

    assert [(group.key, [hit.url for hit in group.hits]) for group in results.groups] == [
        ("regions", [url(region, language)]),
        ("partnerships", [url(partnership, language)]),
        ("missions", [url(mission, language)]),
        ("programme_items", [f"{url(item.mission, language)}#item-{item.uuid}"]),
        ("outcomes", [url(outcome, language)]),
        ("organisations", [url(organisation, language)]),
    ]
    models = (Region, Partnership, Mission, ProgrammeItem, Outcome, Organisation)
    with translation.override(language):
        labels = [str(capfirst(model._meta.verbose_name_plural)) for model in models]
    assert [group.label for group in results.groups] == labels


def test_other_languages_names_find_the_object_shown_in_the_pages_language():
    RegionFactory(**names("Reiger", "Heron", "苍鹭"))

    # Found by its English and Chinese names on the Dutch page, shown by its Dutch one.
    assert titles(search("heron", "nl"), "regions") == ["Reiger"]
    assert titles(search("苍鹭", "nl"), "regions") == ["Reiger"]
    assert titles(search("reiger", "zh-hans"), "regions") == ["苍鹭"]
    # A name is the object's in every language: no "only in" mark.
    assert group(search("heron", "zh-hans"), "regions").hits[0].only_in is None


def test_a_fallback_text_is_searched_and_shown_with_its_language(client):
    RegionFactory(**names("Reiger", "Heron", ""), **names("", "Grey heron", "", field="summary"))

    results = search("heron", "zh-hans")

    hit = group(results, "regions").hits[0]
    assert hit.title.html == "<mark>Heron</mark>"
    assert hit.title.lang_attr == ' lang="en"'
    assert hit.snippet.html == "Grey <mark>heron</mark>"
    response = client.get("/zh-hans/search/", {"q": "heron"})
    assertContains(
        response, '<p class="search-result__snippet" lang="en">Grey <mark>heron</mark></p>'
    )


@pytest.mark.parametrize(
    ("language", "query"), [("nl", "kraanvogel"), ("en", "crane"), ("zh-hans", "仙鹤")]
)
def test_title_matches_rank_above_body_matches(language, query):
    in_profile = RegionFactory(
        **names("Vogelrijk", "Bird land", "鸟国"),
        **names(
            "<p>De kraanvogel, de kraanvogel en nog eens de kraanvogel.</p>",
            "<p>The crane, the crane and the crane again.</p>",
            "<p>仙鹤，仙鹤，又是仙鹤。</p>",
            field="profile",
        ),
    )
    in_summary = RegionFactory(
        **names("Moerasland", "Marsh land", "沼泽"),
        **names("Een kraanvogel", "A crane", "一只仙鹤", field="summary"),
    )
    in_title = RegionFactory(**names("Kraanvogel", "Crane", "仙鹤"))

    hits = group(search(query, language), "regions").hits

    assert [hit.url for hit in hits] == [
        url(in_title, language),
        url(in_summary, language),
        url(in_profile, language),
    ]


def test_shorter_titles_rank_first_among_title_matches():
    longer = OrganisationFactory(**names("Haven van Dalian", "Port of Dalian", "大连港"))
    shorter = OrganisationFactory(**names("Dalian", "Dalian", "大连"))

    for language, query in [("nl", "dalian"), ("zh-hans", "大连")]:
        hits = group(search(query, language), "organisations").hits
        assert [hit.url for hit in hits] == [url(shorter, language), url(longer, language)]


def test_a_person_named_as_mission_leader_finds_the_mission():
    mission = MissionFactory(leader_name="Marijke van Hees")

    assert [hit.url for hit in group(search("Hees", "en"), "missions").hits] == [url(mission, "en")]


# Snippets ------------------------------------------------------------------------------


def test_snippets_escape_the_text_around_the_marks():
    RegionFactory(
        **names("Kraanvogel <b>", "Crane <b>", "仙鹤 <b>"),
        **names(
            "Kraanvogels <script>alert(1)</script> & co",
            "Cranes <script>alert(1)</script> & co",
            "仙鹤 <script>alert(1)</script> & co",
            field="summary",
        ),
    )

    hit = group(search("kraanvogel", "nl"), "regions").hits[0]

    assert hit.title.html == "<mark>Kraanvogel</mark> &lt;b&gt;"
    assert hit.snippet.html == (
        "<mark>Kraanvogels</mark> &lt;script&gt;alert(1)&lt;/script&gt; &amp; co"
    )


def test_snippets_of_rich_text_are_plain_text():
    RegionFactory(
        **names("", "", "", field="summary"),
        **names(
            "<p>De <strong>kraanvogel</strong> &amp; de <em>reiger</em>.</p><p>Tweede alinea</p>",
            "<p>The <strong>crane</strong> &amp; the <em>heron</em>.</p>",
            "<p>仙鹤与<strong>苍鹭</strong>。</p><p>第二段</p>",
            field="profile",
        ),
    )

    assert group(search("kraanvogel", "nl"), "regions").hits[0].snippet.html == (
        "De <mark>kraanvogel</mark> &amp; de reiger. Tweede alinea"
    )
    assert group(search("苍鹭", "zh-hans"), "regions").hits[0].snippet.html == (
        "仙鹤与<mark>苍鹭</mark>。 第二段"
    )


def test_a_snippet_shows_the_part_of_a_long_text_with_the_words():
    filler = " ".join(["Een zin zonder het woord."] * 30)
    RegionFactory(**names(f"<p>{filler} Hier de kraanvogel. {filler}</p>", "", "", field="profile"))

    snippet = group(search("kraanvogel", "nl"), "regions").hits[0].snippet.html

    assert snippet.startswith("…")
    assert snippet.endswith("…")
    assert "Hier de <mark>kraanvogel</mark>." in snippet
    assert len(strip_tags(snippet)) < 240


def test_plain_text_separates_blocks_and_decodes_entities():
    assert plain_text("<h3>Kop</h3><ul><li>een</li><li>twee &amp; drie</li></ul>") == (
        "Kop een twee & drie"
    )


# The query -----------------------------------------------------------------------------


def test_the_query_is_cleaned_and_truncated():
    assert normalise_query("  haven \x00 van\tDalian  ") == "haven van Dalian"
    assert normalise_query("a" * 500) == "a" * MAX_QUERY_LENGTH
    assert query_terms("大连，博物馆 “港口” haven haven") == ["大连", "博物馆", "港口", "haven"]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    "query", ["it's R&D (test) | !:* \\ 'x'", "%_", "\x00kraan\x00", "-", "中'&|!"]
)
def test_queries_with_operators_or_control_characters_do_not_fail(client, language, query):
    RegionFactory(**names("Kraanvogel", "Crane", "仙鹤"))

    response = client.get(f"/{language}/search/", {"q": query})

    assert response.status_code == 200


# The page ------------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_empty_search_page_shows_the_form_only(client, language):
    RegionFactory()

    response = client.get(f"/{language}/search/")

    assertContains(response, f'<html lang="{HTML_LANG[language]}">')
    assertContains(response, "<h1", count=1)
    assertInHTML(f"<h1>{interface(language, 'Search')}</h1>", response.text)
    assertContains(response, 'name="q"', count=1)
    assertContains(response, '<label class="search-form__label" for="search-query">')
    assertContains(response, '<input class="search-form__input" id="search-query" type="search"')
    assertNotContains(response, 'class="search-summary"')
    assertNotContains(response, "noindex")


@pytest.mark.parametrize(
    ("language", "query", "count"),
    [
        ("nl", "kraanvogel", "2 zoekresultaten"),
        ("en", "crane", "2 results"),
        ("zh-hans", "仙鹤", "2"),
    ],
)
def test_results_page_in_each_language(client, language, query, count):
    RegionFactory(**names("Kraanvogel", "Crane", "仙鹤"))
    OrganisationFactory(**names("Kraanvogel", "Crane", "仙鹤"))

    response = client.get(f"/{language}/search/", {"q": query})

    assertContains(response, '<meta name="robots" content="noindex, follow">')
    assertContains(response, "<h1", count=1)
    assertContains(response, f'value="{query}"')
    with translation.override(language):
        summary = ngettext(
            "%(counter)s result for “%(query)s”", "%(counter)s results for “%(query)s”", 2
        ) % {"counter": 2, "query": query}
        regions = str(capfirst(Region._meta.verbose_name_plural))
    assert count in summary
    assertInHTML(f'<p class="search-summary">{summary}</p>', response.text)
    assertInHTML(
        f'<h2 id="results-regions">{regions} <span class="search-group__count">(1)</span></h2>',
        response.text,
    )
    assertContains(response, f"<mark>{query.capitalize()}</mark>")


def test_nothing_found(client):
    response = client.get("/en/search/", {"q": "albatross"})

    assertInHTML('<p class="search-summary">0 results for “albatross”</p>', response.text)
    assertContains(response, "Nothing was found. Check the spelling, or try fewer or other words.")


def test_a_long_query_is_truncated(client):
    response = client.get("/en/search/", {"q": "crane " * 100})

    value = ("crane " * 100)[:MAX_QUERY_LENGTH].strip()
    assertContains(response, f'value="{value}"')


def test_results_per_type_are_capped_and_the_total_is_told(client):
    partnership = PartnershipFactory()
    MissionFactory.create_batch(
        RESULTS_PER_TYPE + 5, partnership=partnership, **names("Kraanvogelreis", "", "", "title")
    )

    results = search("kraanvogelreis", "nl")
    response = client.get("/nl/search/", {"q": "kraanvogelreis"})

    missions = group(results, "missions")
    assert (missions.total, len(missions.hits), missions.has_more) == (25, 20, True)
    assertContains(response, '<li class="search-result">', count=RESULTS_PER_TYPE)
    assertContains(response, '<span class="search-group__count">(25)</span>')
    more = interface(
        "nl", "The %(shown)s best matches of %(total)s. Add a word to narrow the search."
    )
    assertContains(response, more % {"shown": 20, "total": 25})


def test_programme_item_links_to_its_place_on_the_mission_page(client):
    mission = MissionFactory(**names("Reis naar Dalian", "Trip to Dalian", "大连之行", "title"))
    item = ProgrammeItemFactory(
        mission=mission,
        kind=ProgrammeItem.Kind.PORT,
        **names("Kraanvogels kijken", "Watching cranes", "观赏仙鹤", "title"),
    )

    response = client.get("/en/search/", {"q": "cranes"})

    assertInHTML(
        f'<a href="/en/missions/{mission.slug}/#item-{item.uuid}">Watching <mark>cranes</mark></a>',
        response.text,
    )
    assertInHTML(
        '<p class="search-result__meta">Port visit in the programme of Trip to Dalian</p>',
        response.text,
    )
    mission_page = client.get(f"/en/missions/{mission.slug}/")
    assertContains(mission_page, f'id="item-{item.uuid}"')


def test_the_site_header_has_a_search_form_except_on_the_search_page(client):
    RegionFactory()

    home = client.get("/zh-hans/")
    search_page = client.get("/zh-hans/search/", {"q": "x"})

    assertContains(
        home, '<form class="site-search" role="search" method="get" action="/zh-hans/search/">'
    )
    assertContains(
        home,
        f'<label class="visually-hidden" for="site-search-query">'
        f"{interface('zh-hans', 'Search this site')}</label>",
    )
    assertNotContains(search_page, 'class="site-search"')


def test_the_language_switcher_keeps_the_query(client):
    response = client.get("/nl/search/", {"q": "haven"})

    assertContains(response, 'href="/en/search/?q=haven"')
    assertContains(response, 'href="/zh-hans/search/?q=haven"')


@pytest.mark.parametrize("items", [1, 30])
def test_search_page_queries_do_not_grow(client, django_assert_num_queries, items):
    mission = MissionFactory(**names("Kraanvogelreis", "Crane trip", "仙鹤之旅", "title"))
    for _ in range(items):
        ProgrammeItemFactory(mission=mission, **names("Kraanvogels", "Cranes", "仙鹤", "title"))
        RegionFactory(**names("Kraanvogel", "Crane", "仙鹤"))

    # Per type one query ranks and counts the matches; the three types that have some
    # (regions, missions, programme items) need one more for the objects shown; the
    # navigation every page shows (site pages, publishers) two.
    with django_assert_num_queries(7 + 3 + 2):
        client.get("/nl/search/", {"q": "kraanvogel"})
    with django_assert_num_queries(2 + 2):
        client.get("/nl/search/", {"q": "kraanvogel", "type": "programme_items"})


def test_common_words_are_ranked_in_the_database_and_only_the_shown_hits_fetched(
    client, django_assert_max_num_queries
):
    mission = MissionFactory()
    ProgrammeItemFactory.create_batch(
        RESULTS_PER_TYPE * 2 + 1, mission=mission, **names("Havenbezoek", "", "", "title")
    )

    with django_assert_max_num_queries(2) as captured:
        _results, group = search_one_type("haven", "nl", "programme_items")

    # The ranking query returns keys only; the objects are fetched by key, 20 of them.
    ranking, objects = (query["sql"] for query in captured.captured_queries)
    assert '"programmes_programmeitem"."description_nl"' not in ranking.split(" FROM ")[0]
    keys = re.search(r'"programmes_programmeitem"\."id" IN \(([^)]*)\)', objects).group(1)
    assert len(keys.split(",")) == RESULTS_PER_TYPE
    assert (group.total, len(group.hits)) == (RESULTS_PER_TYPE * 2 + 1, RESULTS_PER_TYPE)


def test_all_matches_of_one_type_a_page_at_a_time(client):
    partnership = PartnershipFactory()
    missions = [
        MissionFactory(partnership=partnership, **names(f"Kraanvogelreis {n:02}", "", "", "title"))
        for n in range(RESULTS_PER_TYPE + 5)
    ]
    ProgrammeItemFactory(mission=missions[0], **names("Kraanvogelreisgids", "", "", "title"))

    overview = client.get("/nl/search/", {"q": "kraanvogelreis"})
    first = client.get("/nl/search/", {"q": "kraanvogelreis", "type": "missions"})
    second = client.get("/nl/search/", {"q": "kraanvogelreis", "type": "missions", "page": "2"})

    with translation.override("nl"):
        kind = capfirst(Mission._meta.verbose_name_plural)
        show_all = gettext("Show all %(total)s matches in %(kind)s") % {"total": 25, "kind": kind}
    assertContains(
        overview,
        f'<a href="/nl/search/?q=kraanvogelreis&amp;type=missions">{show_all}</a>',
        html=True,
    )
    assertContains(first, '<li class="search-result">', count=RESULTS_PER_TYPE)
    assertContains(second, '<li class="search-result">', count=5)
    assertContains(second, '<ol class="search-results" start="21">')
    assertContains(
        first, 'href="/nl/search/?q=kraanvogelreis&amp;type=missions&amp;page=2" rel="next"'
    )
    assertContains(second, 'href="/nl/search/?q=kraanvogelreis&amp;type=missions" rel="prev"')
    # Only missions: the programme item is on the overview, not on the missions' pages.
    assertContains(overview, "<mark>Kraanvogelreisgids</mark>")
    assertNotContains(first, "<mark>Kraanvogelreisgids</mark>")
    assertNotContains(first, 'class="search-types"')
    assertContains(first, 'href="/nl/search/?q=kraanvogelreis"')
    assertContains(first, '<meta name="robots" content="noindex, follow">')


@pytest.mark.parametrize(
    "page",
    # The large numbers made an OFFSET the database cannot hold: a 500 on SQLite and PostgreSQL.
    ["3", "0", "x", "1000001", "99999999999999999999", str(2**63), "9" * 4000],
)
def test_pages_beyond_the_matches_of_a_type_are_not_found(client, page):
    MissionFactory.create_batch(RESULTS_PER_TYPE + 1, **names("Kraanvogelreis", "", "", "title"))

    response = client.get("/en/search/", {"q": "kraanvogelreis", "type": "missions", "page": page})

    assert response.status_code == 404
    assertContains(response, "<h1>Page not found</h1>", status_code=404, html=True)


def test_an_unknown_type_shows_every_type(client):
    MissionFactory(**names("Kraanvogelreis", "", "", "title"))

    response = client.get("/nl/search/", {"q": "kraanvogelreis", "type": "nope", "page": "7"})

    assert response.status_code == 200
    assertContains(response, 'class="search-types"')


def test_empty_search_page_searches_nothing(client, django_assert_num_queries):
    RegionFactory()

    # Only the navigation every page shows (site pages, publishers).
    with django_assert_num_queries(2):
        client.get("/nl/search/")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="full-text search is PostgreSQL's")
@pytest.mark.parametrize("language", sorted(TEXT_SEARCH_CONFIGS))
@pytest.mark.parametrize("searchable", SEARCHABLE_TYPES, ids=attrgetter("key"))
def test_full_text_search_can_use_the_index_of_migration_0004(searchable, language):
    """PostgreSQL uses an expression index only for the identical expression."""
    config = TEXT_SEARCH_CONFIGS[language]
    with translation.override(language):
        document = full_text_document(searchable, config)
    queryset = searchable.model._base_manager.alias(document=document).filter(
        document=SearchQuery("haven", config=config)
    )

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = queryset.explain()

    assert f"programmes_search_{searchable.key}_{language}" in plan, plan
