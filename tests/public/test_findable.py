"""Findable and subscribable: sitemap, robots.txt, OpenGraph, JSON-LD, Atom feeds, iCal.

Each is checked on exact content, on factories and on the seed content, with
drafts left out everywhere and query counts pinned.
"""

import datetime as dt
import io
import json
import re
import uuid
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import extruct
import icalendar
import lxml.html
import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.utils import override_script_prefix
from django.utils import timezone, translation
from PIL import Image
from pytest_django.asserts import assertContains, assertNotContains

from programmes.models import (
    Mission,
    Organisation,
    Outcome,
    Partnership,
    Photo,
    ProgrammeItem,
    Region,
    Status,
)
from public import share_images
from public.feeds import READER_NS
from public.sitemaps import (
    MAX_ID,
    SITEMAPS,
    MissionSitemap,
    PublishedSitemap,
    addresses_in_every_language,
    language_prefixes,
    latest_change,
)

from ..browser.chromium import launched, requires_chromium
from ..factories import (
    MissionFactory,
    OrganisationFactory,
    OutcomeFactory,
    PartnershipFactory,
    ProgrammeItemFactory,
    RegionFactory,
    district_in_zoned_country,
)

BASE = "http://testserver"
LANGUAGES = ["nl", "en", "zh-hans"]
UPDATED = dt.datetime(2025, 6, 1, 12, 0, tzinfo=dt.UTC)
ATOM = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"
JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.DOTALL)

TRIP_UUID = uuid.UUID("11111111-1111-4111-8111-111111111111")
TONGJI_VISIT_UUID = uuid.UUID("22222222-2222-4222-8222-222222222222")
COMPANY_VISIT_UUID = uuid.UUID("33333333-3333-4333-8333-333333333333")


def texts(field: str, nl: str, en: str, zh: str) -> dict:
    return {f"{field}_nl": nl, f"{field}_en": en, f"{field}_zh_hans": zh}


def png(width: int = 4, height: int = 3) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "navy").save(buffer, format="PNG")
    return SimpleUploadedFile("photo.png", buffer.getvalue(), content_type="image/png")


def json_ld(response) -> list[dict]:
    return [json.loads(block) for block in JSON_LD.findall(response.text)]


def freeze_updated_at(*objects) -> None:
    """A known "last changed" time (``update()`` skips ``auto_now``)."""
    for obj in objects:
        type(obj).objects.filter(pk=obj.pk).update(updated_at=UPDATED)
        obj.updated_at = UPDATED


@pytest.fixture
def trip(db):
    """A dated mission to Shanghai: a timed visit, an all-day visit (draft host), an undated one."""
    china = RegionFactory(
        slug="china", kind=Region.Kind.COUNTRY, **texts("name", "China", "China", "中国")
    )
    shanghai = RegionFactory(
        slug="shanghai",
        parent=china,
        latitude=Decimal("31.23042"),
        longitude=Decimal("121.47370"),
        **texts("name", "Shanghai", "Shanghai", "上海"),
    )
    tongji = OrganisationFactory(
        slug="tongji", region=shanghai, **texts("name", "Tongji", "Tongji University", "同济大学")
    )
    secret = OrganisationFactory(
        slug="secret-company",
        status=Status.DRAFT,
        region=shanghai,
        **texts("name", "Bedrijf", "A company", "一家企业"),
    )
    enschede = OrganisationFactory(
        slug="gemeente-enschede", **texts("name", "Gemeente Enschede", "Enschede", "恩斯赫德")
    )
    mission = MissionFactory(
        uuid=TRIP_UUID,
        slug="trip",
        start_date=dt.date(2025, 5, 12),
        end_date=dt.date(2025, 5, 14),
        destinations=[shanghai],
        organisers=[enschede],
        **texts("title", "Reis naar Shanghai", "Trip to Shanghai", "上海之行"),
        **texts("summary", "Drie dagen Shanghai.", "Three days in Shanghai.", "在上海三天。"),
    )
    ProgrammeItemFactory(
        uuid=TONGJI_VISIT_UUID,
        mission=mission,
        city=shanghai,
        host=tongji,
        kind=ProgrammeItem.Kind.UNIVERSITY,
        date=dt.date(2025, 5, 12),
        start_time=dt.time(10, 30),
        order=1,
        **texts("title", "Bezoek aan Tongji", "Visit to Tongji", "参访同济"),
        **texts("description", "Rondleiding.", "Campus tour.", "参观校园。"),
    )
    ProgrammeItemFactory(
        uuid=COMPANY_VISIT_UUID,
        mission=mission,
        city=shanghai,
        host=secret,
        date=dt.date(2025, 5, 13),
        order=2,
        **texts("title", "Bedrijfsbezoek", "Company visit", "企业参观"),
        **texts("description", "", "", ""),
    )
    ProgrammeItemFactory(
        mission=mission,
        city=None,
        host=None,
        kind=ProgrammeItem.Kind.B2B_MEETINGS,
        order=3,
        **texts("title", "B2B-gesprekken", "B2B meetings", "B2B洽谈"),
        **texts("description", "", "", ""),
    )
    freeze_updated_at(mission)
    return mission


# sitemap.xml ------------------------------------------------------------------------


W3C_DATE = re.compile(r"\d{4}-\d\d-\d\d")
W3C_DATETIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?[+-]\d\d:\d\d")


def sitemap_file(section: str, page: int = 1) -> str:
    return f"{BASE}/sitemap-{section}.xml" + (f"?p={page}" if page > 1 else "")


def page_of(obj, per_page: int = PublishedSitemap.limit // 3) -> int:
    """The sitemap file that lists ``obj``: a file holds a window of ids."""
    return (obj.pk - 1) // per_page + 1


def sitemap_document(response, root: str) -> ET.Element:
    """The parsed file, checked for what sitemaps.org asks of every file: UTF-8 XML in
    the protocol's namespace, 1 to 50,000 entries, at most 50 MB."""
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    assert response["X-Robots-Tag"] == "noindex, noodp, noarchive"
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n')
    assert len(response.content) <= 50 * 1024 * 1024
    document = ET.fromstring(response.content)
    assert document.tag == f"{SITEMAP}{root}"
    assert 1 <= len(document) <= 50_000
    return document


def sitemap_files(client) -> dict[str, str | None]:
    """``{address of a file: its lastmod}``, in the index's order (siteindex.xsd: each
    ``<sitemap>`` a ``<loc>`` and an optional W3C datetime ``<lastmod>``)."""
    index = sitemap_document(client.get("/sitemap.xml"), "sitemapindex")
    files = {}
    for entry in index:
        assert entry.tag == f"{SITEMAP}sitemap"
        loc, *lastmod = entry
        assert loc.tag == f"{SITEMAP}loc"
        assert [child.tag for child in lastmod] in ([], [f"{SITEMAP}lastmod"])
        assert all(W3C_DATETIME.fullmatch(child.text) for child in lastmod)
        files[loc.text] = lastmod[0].text if lastmod else None
    assert len(files) == len(index)
    return files


def file_entries(response) -> dict[str, dict]:
    """``{loc: {"lastmod": …, "alternates": {hreflang: href}}}`` of one file (sitemap.xsd:
    each ``<url>`` a ``<loc>``, an optional W3C date ``<lastmod>``, then elements of other
    namespaces: the ``xhtml:link`` alternates)."""
    entries = {}
    for url in sitemap_document(response, "urlset"):
        assert url.tag == f"{SITEMAP}url"
        loc, *rest = url
        assert loc.tag == f"{SITEMAP}loc"
        lastmod = rest.pop(0).text if rest and rest[0].tag == f"{SITEMAP}lastmod" else None
        assert lastmod is None or W3C_DATE.fullmatch(lastmod)
        assert all(link.tag == f"{XHTML}link" and link.get("rel") == "alternate" for link in rest)
        assert loc.text not in entries
        entries[loc.text] = {
            "lastmod": lastmod,
            "alternates": {link.get("hreflang"): link.get("href") for link in rest},
        }
    return entries


def sitemap_entries(client) -> dict[str, dict]:
    """The entries of every file the index names; no address is in two files."""
    entries = {}
    for file in sitemap_files(client):
        listed = file_entries(client.get(file))
        assert not listed.keys() & entries.keys()
        entries |= listed
    return entries


def test_sitemap_names_every_language_version_and_the_dutch_one_as_default(client, trip):
    response = client.get(sitemap_file("missions", page_of(trip)))

    assert response["Content-Type"] == "application/xml"
    assert response.text.startswith(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:xhtml="http://www.w3.org/1999/xhtml">\n'
    )
    alternates = (
        '<xhtml:link rel="alternate" hreflang="nl" href="http://testserver/nl/missions/trip/"/>'
        '<xhtml:link rel="alternate" hreflang="en" href="http://testserver/en/missions/trip/"/>'
        '<xhtml:link rel="alternate" hreflang="zh-Hans" '
        'href="http://testserver/zh-hans/missions/trip/"/>'
        '<xhtml:link rel="alternate" hreflang="x-default" '
        'href="http://testserver/nl/missions/trip/"/>'
    )
    for language in ["nl", "en", "zh-hans"]:
        assertContains(
            response,
            f"<url><loc>http://testserver/{language}/missions/trip/</loc>"
            f"<lastmod>2025-06-01</lastmod>{alternates}</url>\n",
        )


def test_sitemap_index_names_the_files_of_each_section_with_their_last_change(client, trip):
    Region.objects.update(updated_at=UPDATED - dt.timedelta(days=3))
    Organisation.objects.update(updated_at=UPDATED - dt.timedelta(days=2))
    Partnership.objects.update(updated_at=UPDATED - dt.timedelta(days=1))

    response = client.get("/sitemap.xml")

    assert response.text.startswith(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
    )
    # Times in the site's time zone (Amsterdam, summer time); no outcome is published, and
    # a sitemap may not be empty, so there is no file of outcomes.
    sections = {
        "partnerships": (Partnership.objects.all(), "2025-05-31T14:00:00+02:00"),
        "regions": (Region.objects.published(), "2025-05-29T14:00:00+02:00"),
        "missions": ([trip], "2025-06-01T14:00:00+02:00"),
        "organisations": (Organisation.objects.published(), "2025-05-30T14:00:00+02:00"),
    }
    expected = {sitemap_file("overview"): "2025-06-01T14:00:00+02:00"}
    for section, (objects, lastmod) in sections.items():
        for page in sorted({page_of(obj) for obj in objects}):
            expected[sitemap_file(section, page)] = lastmod
    assert sitemap_files(client) == expected
    assert client.get("/sitemap-outcomes.xml").status_code == 404


def test_sitemap_lists_the_published_pages_of_every_kind(client, trip):
    outcome = OutcomeFactory(mission=trip, slug="contract")
    freeze_updated_at(outcome, trip.partnership)

    entries = sitemap_entries(client)

    expected_paths = [
        "/",
        "/missions/",
        "/outcomes/",
        f"/partnerships/{trip.partnership.slug}/",
        *[f"/regions/{slug}/" for slug in Region.objects.values_list("slug", flat=True)],
        "/missions/trip/",
        *[
            f"/organisations/{slug}/"
            for slug in Organisation.objects.published().values_list("slug", flat=True)
        ],
        "/outcomes/contract/",
    ]
    assert sorted(entries) == sorted(
        f"{BASE}/{language}{path}"
        for path in expected_paths
        for language in ["nl", "en", "zh-hans"]
    )
    # The overviews change when what they list changes.
    assert entries[f"{BASE}/en/outcomes/"]["lastmod"] == "2025-06-01"
    assert (
        entries[f"{BASE}/en/missions/"]["lastmod"]
        == entries[f"{BASE}/en/missions/trip/"]["lastmod"]
    )
    assert entries[f"{BASE}/zh-hans/"]["alternates"] == {
        "nl": f"{BASE}/nl/",
        "en": f"{BASE}/en/",
        "zh-Hans": f"{BASE}/zh-hans/",
        "x-default": f"{BASE}/nl/",
    }


def test_sitemap_leaves_out_drafts_and_what_hangs_on_a_draft(client, db):
    draft_partnership = PartnershipFactory(slug="draft-partnership", status=Status.DRAFT)
    hidden_mission = MissionFactory(slug="mission-of-draft", partnership=draft_partnership)
    draft_mission = MissionFactory(slug="draft-mission", status=Status.DRAFT)
    OutcomeFactory(slug="outcome-of-draft-mission", mission=draft_mission)
    OutcomeFactory(slug="draft-outcome", status=Status.DRAFT)
    MissionFactory(slug="scheduled-mission", publish_at=timezone.now() + dt.timedelta(days=1))
    RegionFactory(slug="draft-region", status=Status.DRAFT)
    OrganisationFactory(slug="draft-organisation", status=Status.DRAFT)
    assert hidden_mission.status == Status.PUBLISHED
    MissionFactory(slug="published-mission")

    hidden = [
        "draft-partnership",
        "mission-of-draft",
        "draft-mission",
        "outcome-of-draft-mission",
        "draft-outcome",
        "scheduled-mission",
        "draft-region",
        "draft-organisation",
    ]

    sitemap = "".join(client.get(file).text for file in sitemap_files(client))

    assert "/published-mission/" in sitemap
    for slug in hidden:
        assert f"/{slug}/" not in sitemap
    # Nor in the files the index does not name: the windows of the hidden objects' ids.
    for section, model in [
        ("partnerships", Partnership),
        ("regions", Region),
        ("missions", Mission),
        ("organisations", Organisation),
        ("outcomes", Outcome),
    ]:
        for page in {page_of(obj) for obj in model.objects.all()}:
            text = client.get(sitemap_file(section, page)).text
            assert not [slug for slug in hidden if f"/{slug}/" in text]


def test_sitemap_of_the_seed_content(client, seeded):
    entries = sitemap_entries(client)

    # The home page and the lists of missions and outcomes, then one page per object.
    pages = 3 + sum(
        model.objects.published().count()
        for model in (Region, Organisation, Partnership, Mission, Outcome)
    )
    assert len(entries) == 3 * pages
    assert entries[f"{BASE}/zh-hans/regions/zhejiang/"]["alternates"] == {
        "nl": f"{BASE}/nl/regions/zhejiang/",
        "en": f"{BASE}/en/regions/zhejiang/",
        "zh-Hans": f"{BASE}/zh-hans/regions/zhejiang/",
        "x-default": f"{BASE}/nl/regions/zhejiang/",
    }
    assert f"{BASE}/en/missions/inspiration-trip-shanghai-dalian/" in entries


@pytest.mark.parametrize("script_prefix", ["/", "/twinning/"])
def test_sitemap_addresses_are_what_reverse_gives_in_every_language(seeded, script_prefix):
    """The sitemap reverses each page once, in Dutch, and swaps the language prefix for the
    other languages: the same address ``reverse()`` gives in that language, for every page
    of every section (also when the site lives under a path)."""
    languages = [code for code, _name in settings.LANGUAGES]
    checked = 0
    with override_script_prefix(script_prefix):
        prefixes = language_prefixes()
        assert prefixes == {code: f"{script_prefix}{code}/" for code in languages}
        for section in SITEMAPS.values():
            sitemap = section()
            for item in sitemap.items():
                with translation.override(settings.LANGUAGE_CODE):
                    dutch = sitemap.location(item)
                swapped = addresses_in_every_language(dutch, prefixes)
                for language in languages:
                    with translation.override(language):
                        assert swapped[language] == sitemap.location(item)
                checked += 1
    assert checked == 3 + sum(
        model.objects.published().count()
        for model in (Region, Organisation, Partnership, Mission, Outcome)
    )
    with pytest.raises(ValueError, match="not an address in 'nl'"):
        addresses_in_every_language("/en/missions/trip/", language_prefixes())


def test_sitemap_says_when_it_last_changed(client, trip):
    freeze_updated_at(OutcomeFactory(mission=trip))
    Region.objects.update(updated_at=UPDATED - dt.timedelta(days=3))
    Organisation.objects.update(updated_at=UPDATED - dt.timedelta(days=2))
    Partnership.objects.update(updated_at=UPDATED - dt.timedelta(days=1))

    entries = sitemap_entries(client)

    assert max(entry["lastmod"] for entry in entries.values()) == "2025-06-01"
    assert entries[f"{BASE}/nl/regions/shanghai/"]["lastmod"] == "2025-05-29"
    # The responses' own validators are the page cache's (tests/readpath/test_caching.py):
    # they change with every change to the content, deletions included, which no lastmod
    # can show.
    for address in ["/sitemap.xml", sitemap_file("missions", page_of(trip))]:
        response = client.get(address)
        assert response["Last-Modified"] and response["ETag"]
        assert response["X-Robots-Tag"] == "noindex, noodp, noarchive"


def test_sitemap_files_hold_windows_of_ids(client, db, monkeypatch):
    """A file holds the pages whose ids fall in its window (``limit`` / 3 ids); the index
    names only the windows that hold something, and other page numbers are not found."""
    monkeypatch.setattr(MissionSitemap, "limit", 6)  # two missions a file
    partnership = PartnershipFactory()
    missions = MissionFactory.create_batch(8, partnership=partnership)
    ids = [mission.pk for mission in missions]
    assert ids == list(range(ids[0], ids[0] + 8))
    # Two drafts that fill a window between published missions.
    first_draft = next(pk for pk in ids[1:] if pk % 2 == 1)
    Mission.objects.filter(pk__in=[first_draft, first_draft + 1]).update(status=Status.DRAFT)
    published = [
        mission for mission in missions if mission.pk not in (first_draft, first_draft + 1)
    ]
    pages = sorted({page_of(mission, per_page=2) for mission in published})

    # Each file carries the latest change of its own missions: here the last one changed.
    Mission.objects.update(updated_at=UPDATED)
    Mission.objects.filter(pk=ids[-1]).update(updated_at=UPDATED + dt.timedelta(days=1))

    files = {
        file: lastmod
        for file, lastmod in sitemap_files(client).items()
        if "/sitemap-missions.xml" in file
    }

    assert files == {
        sitemap_file("missions", page): (
            "2025-06-02T14:00:00+02:00" if page == pages[-1] else "2025-06-01T14:00:00+02:00"
        )
        for page in pages
    }
    for page, file in zip(pages, files, strict=True):
        listed = {loc.split("/")[-2] for loc in file_entries(client.get(file))}
        assert listed == {m.slug for m in published if page_of(m, per_page=2) == page}
    # The last page whose window would reach past the largest id a database stores.
    beyond = MAX_ID // 2 + 1
    for page in [page_of(Mission(pk=first_draft), per_page=2), pages[-1] + 1, 0, -1, "x", beyond]:
        assert client.get(f"/sitemap-missions.xml?p={page}").status_code == 404


def test_sitemap_file_is_cached_per_page(client, db, monkeypatch, django_assert_num_queries):
    monkeypatch.setattr(MissionSitemap, "limit", 3)  # one mission a file
    first, second = MissionFactory.create_batch(2)
    first_file = client.get(sitemap_file("missions", page_of(first, per_page=1)))
    second_file = client.get(sitemap_file("missions", page_of(second, per_page=1)))

    with django_assert_num_queries(0):
        again = client.get(sitemap_file("missions", page_of(second, per_page=1)))

    assert f"/nl/missions/{first.slug}/" in first_file.text
    assert f"/nl/missions/{second.slug}/" not in first_file.text
    assert again.content == second_file.content
    assert f"/nl/missions/{second.slug}/" in again.text


def test_overviews_last_change_is_found_behind_newer_drafts(db, django_assert_num_queries):
    """The overviews' last change comes from the most recently changed rows (here the
    one most recent), and from all published rows only when none of those is published."""
    freeze_updated_at(MissionFactory())
    MissionFactory(status=Status.DRAFT)  # changed since, but not public
    published = Mission.objects.published()

    with django_assert_num_queries(2):
        assert latest_change(published, recent=1) == UPDATED

    newer = Mission.objects.get(pk=MissionFactory().pk)
    with django_assert_num_queries(1):
        assert latest_change(published, recent=1) == newer.updated_at
    assert latest_change(published.filter(slug="nothing"), recent=1) is None


@pytest.mark.parametrize("missions", [1, 20])
def test_sitemap_queries_do_not_grow(client, db, django_assert_num_queries, missions):
    MissionFactory.create_batch(missions, destinations=[RegionFactory()])
    OutcomeFactory()
    last = Mission.objects.latest("pk")

    # The index: one query per section (6, site pages the last), three for the overviews'
    # last changes; a file: its window of ids; the overviews' file: their last changes.
    # (The page cache's generation needs none: the factories' writes started one.)
    with django_assert_num_queries(9):
        client.get("/sitemap.xml")
    with django_assert_num_queries(1):
        response = client.get(sitemap_file("missions", page_of(last)))
    assert f"/missions/{last.slug}/" in response.text
    with django_assert_num_queries(3):
        client.get(sitemap_file("overview"))


# robots.txt -------------------------------------------------------------------------


def test_robots_txt_keeps_crawlers_out_of_the_admin_and_points_at_the_sitemap(client, db):
    response = client.get("/robots.txt")

    assert response["Content-Type"] == "text/plain"
    assert response.text == (
        "User-agent: *\nDisallow: /admin/\n\nSitemap: http://testserver/sitemap.xml\n"
    )
    # The index, which names the files.
    sitemap_document(client.get("/sitemap.xml"), "sitemapindex")


def test_robots_txt_names_the_https_sitemap_behind_https(client, db):
    response = client.get("/robots.txt", secure=True)

    assert response.text.endswith("Sitemap: https://testserver/sitemap.xml\n")


# OpenGraph and the canonical link ----------------------------------------------------


def test_mission_page_has_opengraph_tags_in_its_language(client, trip):
    Photo.objects.create(
        mission=trip,
        image=png(800, 600),
        **texts("alt_text", "De delegatie", "The delegation", "代表团"),
    )
    photo = trip.photos.get()
    largest = photo.renditions.largest
    assert largest.url.endswith("-800.jpg")
    Mission.objects.filter(pk=trip.pk).update(publish_at=UPDATED - dt.timedelta(days=30))

    response = client.get("/zh-hans/missions/trip/")

    head = response.text.split("</head>")[0]
    assert head.count('rel="canonical"') == 1
    for tag in [
        '<link rel="canonical" href="http://testserver/zh-hans/missions/trip/">',
        '<meta property="og:site_name" content="友城交流项目">',
        '<meta property="og:type" content="article">',
        '<meta property="og:title" content="上海之行">',
        '<meta property="og:description" content="在上海三天。">',
        '<meta property="og:url" content="http://testserver/zh-hans/missions/trip/">',
        '<meta property="og:locale" content="zh_CN">',
        '<meta property="og:locale:alternate" content="nl_NL">',
        '<meta property="og:locale:alternate" content="en_GB">',
        f'<meta property="og:image" content="http://testserver{largest.url}">',
        '<meta name="description" content="在上海三天。">',
        '<meta property="og:image:type" content="image/jpeg">',
        '<meta property="og:image:alt" content="代表团">',
        '<meta property="og:image:width" content="800">',
        '<meta property="og:image:height" content="600">',
        '<meta property="article:published_time" content="2025-05-02T14:00:00+02:00">',
        '<meta property="article:modified_time" content="2025-06-01T14:00:00+02:00">',
    ]:
        assert tag in head


def og(response) -> dict[str, str]:
    """The page's OpenGraph properties as a link preview reads them (extruct)."""
    (properties,) = extruct.extract(
        response.text, base_url=BASE, syntaxes=["opengraph"], uniform=True
    )["opengraph"]
    return properties


def share_file(response) -> Path:
    """The share image an ``og:image`` names, on the test storage's disk."""
    url = og(response)["og:image"]
    assert url.startswith(f"{BASE}{settings.MEDIA_URL}share/") and url.endswith(".png"), url
    return Path(settings.MEDIA_ROOT) / url.removeprefix(f"{BASE}{settings.MEDIA_URL}")


def test_a_page_without_a_photo_shares_a_picture_of_its_map(client, trip):
    response = client.get("/en/missions/trip/")

    properties = og(response)
    assert properties["og:title"] == "Trip to Shanghai"
    assert properties["og:image:type"] == "image/png"
    assert (properties["og:image:width"], properties["og:image:height"]) == ("1200", "630")
    assert properties["og:image:alt"] == "Map of the destinations of this mission."
    with Image.open(share_file(response)) as picture:
        assert (picture.format, picture.size, picture.mode) == ("PNG", (1200, 630), "RGB")
        # The sea in a corner (Shanghai's frame has the East China Sea to the east), and
        # the destination, the page's own place, as a red marker in the middle.
        assert picture.getpixel((1195, 315)) == (0xDC, 0xE8, 0xF2)
        assert picture.getpixel((600, 315)) == (0xB3, 0x26, 0x1E)


def test_a_share_picture_is_drawn_once_for_every_language(client, trip, monkeypatch, settings):
    settings.PAGE_CACHE_SECONDS = 0  # each request renders the page
    first = share_file(client.get("/en/missions/trip/"))
    drawn = []
    monkeypatch.setattr(share_images, "_draw", lambda *args: drawn.append(args) or b"")

    others = [share_file(client.get(f"/{language}/missions/trip/")) for language in LANGUAGES]

    assert others == [first] * 3
    assert drawn == []


def test_a_page_about_places_without_coordinates_shares_the_whole_map(client, trip):
    Region.objects.update(latitude=None, longitude=None)

    response = client.get("/en/missions/trip/")

    assert og(response)["og:image:alt"] == "Map of Europe and Asia."
    assert share_file(response).is_file()


def test_a_share_picture_is_named_by_what_it_shows(db):
    near = share_images.ShareMap(places=((31.2, 121.5, True),))
    moved = share_images.ShareMap(places=((39.9, 116.4, True),))
    other_colour = share_images.ShareMap(places=((31.2, 121.5, False),))

    names = {share_images.share_image(m).url for m in (near, moved, other_colour)}

    assert len(names) == 3
    assert share_images.share_image(near).url == share_images.share_image(near).url


@pytest.mark.parametrize(
    ("path", "alt"),
    [
        ("/en/", "Map of the places the twinning partnerships join."),
        ("/en/missions/", "Map of the places the twinning partnerships join."),
        ("/en/outcomes/", "Map of the places the twinning partnerships join."),
        ("/en/search/", "Map of Europe and Asia."),
        ("/en/search/?q=dalian", "Map of Europe and Asia."),
        ("/en/regions/zhejiang/", "Map of Zhejiang and the places in it."),
        ("/en/regions/dalian/", "Map: where Dalian lies."),
        (
            "/en/partnerships/enschede-dalian/",
            "Map of Enschede and Dalian, the two ends of this partnership.",
        ),
        (
            "/en/missions/inspiration-trip-shanghai-dalian/",
            "Map of the destinations of this mission.",
        ),
        # The document does not say where the Business Days are: the partnership's two ends.
        (
            "/en/missions/business-days-zhejiang-west-flanders/",
            "Map of West Flanders and Zhejiang, the two ends of this partnership.",
        ),
        ("/en/organisations/nbso-dalian/", "Map: where Dalian lies."),
        (
            "/en/outcomes/business-days-contracts/",
            "Map of West Flanders and Zhejiang, the two ends of this partnership.",
        ),
    ],
)
def test_every_page_shares_a_picture(client, seeded, path, alt):
    response = client.get(path)

    properties = og(response)
    assert properties["og:image:alt"] == alt
    assert share_file(response).is_file()


def test_opengraph_of_the_home_page_and_the_outcomes_overview(client, db):
    home = client.get("/en/")
    outcomes = client.get("/nl/outcomes/?kind=contract")
    missions = client.get("/en/missions/")

    assertContains(home, '<meta property="og:type" content="website">')
    assertContains(home, '<meta property="og:title" content="Twinning programmes">')
    assertContains(home, '<meta property="og:url" content="http://testserver/en/">')
    assertContains(outcomes, '<meta property="og:title" content="Resultaten">')
    # The filters are not part of the page's identity: same as the canonical link.
    assertContains(outcomes, '<meta property="og:url" content="http://testserver/nl/outcomes/">')
    assertContains(missions, '<meta property="og:title" content="Missions">')
    assertContains(missions, '<meta property="og:url" content="http://testserver/en/missions/">')


def test_an_outcome_page_describes_itself_in_plain_text(client, db):
    OutcomeFactory(
        slug="contract",
        **texts("title", "Contract", "Contract signed", "签订合同"),
        **texts("description", "<p>A</p>", "<p>Two &amp; <strong>three</strong></p>", "<p>二</p>"),
    )

    response = client.get("/en/outcomes/contract/")

    assertContains(response, '<meta property="og:description" content="Two &amp; three">')
    # schema.org has no type for an outcome: OpenGraph only.
    assert json_ld(response) == []


# JSON-LD ------------------------------------------------------------------------------


def test_a_mission_is_an_event_with_its_programme_as_sub_events(client, trip):
    response = client.get("/en/missions/trip/")

    shanghai = {
        "@type": "Place",
        "name": "Shanghai",
        "url": f"{BASE}/en/regions/shanghai/",
        "address": {
            "@type": "PostalAddress",
            "addressLocality": "Shanghai",
            "addressCountry": "China",
        },
        "geo": {"@type": "GeoCoordinates", "latitude": 31.23042, "longitude": 121.4737},
        # The page fetches the ancestors of the places for their time zones, so it names them.
        "containedInPlace": {
            "@type": "Place",
            "name": "China",
            "url": f"{BASE}/en/regions/china/",
            "address": {"@type": "PostalAddress", "addressCountry": "China"},
            "geo": {"@type": "GeoCoordinates", "latitude": 30.27415, "longitude": 120.15515},
        },
    }
    offline = "https://schema.org/OfflineEventAttendanceMode"
    assert json_ld(response) == [
        {
            "@context": "https://schema.org",
            "@type": "Event",
            "name": "Trip to Shanghai",
            "description": "Three days in Shanghai.",
            "url": f"{BASE}/en/missions/trip/",
            "inLanguage": "en",
            "startDate": "2025-05-12",
            "endDate": "2025-05-14",
            "eventStatus": "https://schema.org/EventScheduled",
            "eventAttendanceMode": offline,
            "location": [shanghai],
            "organizer": [
                {
                    "@type": "Organization",
                    "name": "Enschede",
                    "url": f"{BASE}/en/organisations/gemeente-enschede/",
                }
            ],
            "subEvent": [
                {
                    "@type": "Event",
                    "name": "Visit to Tongji",
                    "description": "Campus tour.",
                    # No region has a time zone: the site's (Europe/Amsterdam) applies.
                    "startDate": "2025-05-12T10:30:00+02:00",
                    "eventAttendanceMode": offline,
                    "location": shanghai,
                    "organizer": {
                        "@type": "Organization",
                        "name": "Tongji University",
                        "url": f"{BASE}/en/organisations/tongji/",
                    },
                },
                {
                    "@type": "Event",
                    "name": "Company visit",
                    "startDate": "2025-05-13",
                    "eventAttendanceMode": offline,
                    "location": shanghai,
                    # A draft host is named, as on the page, but not linked.
                    "organizer": {"@type": "Organization", "name": "A company"},
                },
                # The B2B meetings have no date: an Event without startDate is invalid, so
                # they are left out rather than given a date.
            ],
        }
    ]


def test_json_ld_cannot_break_out_of_its_script_element(client, db):
    MissionFactory(
        slug="escape",
        **texts("title", "x", "</script><script>alert(1)</script> & <!--", "x"),
    )

    response = client.get("/en/missions/escape/")

    assertContains(
        response,
        '"name":"\\u003C/script\\u003E\\u003Cscript\\u003Ealert(1)\\u003C/script\\u003E '
        '\\u0026 \\u003C!--"',
    )
    assert json_ld(response)[0]["name"] == "</script><script>alert(1)</script> & <!--"


def test_the_seeded_enschede_mission_is_a_trip_without_dates(client, seeded):
    """The source gives no dates: no Event (which needs a startDate), none claimed."""
    response = client.get("/zh-hans/missions/inspiration-trip-shanghai-dalian/")

    [trip] = json_ld(response)
    assert trip["@type"] == "Trip"
    assert trip["name"] == "上海和大连考察之旅"
    # inLanguage is no property of a Trip; the names are Chinese anyway.
    assert "inLanguage" not in trip
    assert not {"startDate", "endDate", "departureTime", "arrivalTime"} & trip.keys()
    assert [place["name"] for place in trip["itinerary"]] == ["上海", "大连"]
    assert trip["itinerary"][1]["geo"] == {
        "@type": "GeoCoordinates",
        "latitude": 38.914,
        "longitude": 121.6147,
    }
    # The seed gives no province between Dalian and China: none is named.
    assert trip["itinerary"][1]["address"] == {
        "@type": "PostalAddress",
        "addressLocality": "大连",
        "addressCountry": "中国",
    }
    assert [organiser["name"] for organiser in trip["provider"]] == [
        "大连荷兰商务支持办公室（NBSO）",
        "恩斯赫德市政府",
    ]
    visits = trip["subTrip"]
    assert [(visit["@type"], visit["name"], visit["itinerary"]["name"]) for visit in visits] == [
        ("Trip", "参观多家企业", "上海"),
        ("Trip", "参访同济大学", "上海"),
        ("Trip", "参访荷兰领事馆", "上海"),
        ("Trip", "参访大连高新技术产业园区", "大连"),
        ("Trip", "参观大连博物馆", "大连"),
        ("Trip", "参观大连港", "大连"),
    ]
    assert visits[1]["provider"] == {
        "@type": "Organization",
        "name": "同济大学",
        "url": f"{BASE}/zh-hans/organisations/tongji-university/",
    }


def test_the_seeded_zhejiang_is_a_place_inside_china(client, seeded):
    response = client.get("/en/regions/zhejiang/")

    assert json_ld(response) == [
        {
            "@context": "https://schema.org",
            "@type": "Place",
            "name": "Zhejiang",
            "url": f"{BASE}/en/regions/zhejiang/",
            "address": {
                "@type": "PostalAddress",
                "addressRegion": "Zhejiang",
                "addressCountry": "China",
            },
            "geo": {"@type": "GeoCoordinates", "latitude": 29.1416, "longitude": 119.7889},
            "containedInPlace": {
                "@type": "Place",
                "name": "China",
                "url": f"{BASE}/en/regions/china/",
                "address": {"@type": "PostalAddress", "addressCountry": "China"},
                "geo": {"@type": "GeoCoordinates", "latitude": 35.86166, "longitude": 104.1954},
            },
            "description": "Coastal province just south of Shanghai; with 54 million "
            "inhabitants, one of the strongest provinces in mainland China.",
        }
    ]


def test_the_seeded_nbso_is_an_organization_in_dalian(client, seeded):
    response = client.get("/nl/organisations/nbso-dalian/")

    [organisation] = json_ld(response)
    assert organisation["@type"] == "Organization"
    assert organisation["name"] == "NBSO Dalian (Netherlands Business Support Office)"
    assert organisation["url"] == f"{BASE}/nl/organisations/nbso-dalian/"
    assert organisation["description"].startswith("Het programma in Dalian van de inspiratiereis")
    assert organisation["location"] == {
        "@type": "Place",
        "name": "Dalian",
        "url": f"{BASE}/nl/regions/dalian/",
        "address": {
            "@type": "PostalAddress",
            "addressLocality": "Dalian",
            "addressCountry": "China",
        },
        "geo": {"@type": "GeoCoordinates", "latitude": 38.914, "longitude": 121.6147},
        "containedInPlace": {
            "@type": "Place",
            "name": "China",
            "url": f"{BASE}/nl/regions/china/",
            "address": {"@type": "PostalAddress", "addressCountry": "China"},
            "geo": {"@type": "GeoCoordinates", "latitude": 35.86166, "longitude": 104.1954},
        },
    }


def test_an_organisation_website_is_its_same_as(client, db):
    OrganisationFactory(slug="pom", website="https://www.pomwvl.be/", region=None)

    [organisation] = json_ld(client.get("/en/organisations/pom/"))

    assert organisation["sameAs"] == "https://www.pomwvl.be/"
    assert "location" not in organisation


def test_a_partnership_page_is_about_its_two_places(client, seeded):
    [page] = json_ld(client.get("/en/partnerships/west-vlaanderen-zhejiang/"))

    assert page["@type"] == "WebPage"
    assert page["inLanguage"] == "en"
    assert [place["name"] for place in page["about"]] == ["West Flanders", "Zhejiang"]
    assert all(place["@type"] == "Place" and "geo" in place for place in page["about"])


def test_the_home_page_is_the_website(client, db):
    assert json_ld(client.get("/zh-hans/")) == [
        {
            "@context": "https://schema.org",
            "@type": "WebSite",
            "name": "友城交流项目",
            "description": "欧洲与中国城市和省份之间的友城交流项目：合作关系、交流访问及其成果。",
            "url": f"{BASE}/zh-hans/",
            "inLanguage": "zh-Hans",
        }
    ]


# What machines read, on every page --------------------------------------------------


# The schema.org types the site uses and the properties it may give each (schema.org's own
# definitions, those of Thing included): a misspelt or misplaced property fails here.
THING = {"@context", "@type", "name", "description", "url", "image", "sameAs"}
SCHEMA_PROPERTIES = {
    "WebSite": THING | {"inLanguage"},
    "WebPage": THING | {"inLanguage", "about"},
    "Event": THING
    | {
        "inLanguage",
        "startDate",
        "endDate",
        "eventStatus",
        "eventAttendanceMode",
        "location",
        "organizer",
        "subEvent",
    },
    "Trip": THING | {"itinerary", "provider", "subTrip", "departureTime", "arrivalTime"},
    "Place": THING | {"address", "geo", "containedInPlace", "event"},
    "Organization": THING | {"location", "event"},
    "PostalAddress": {"@type", "addressLocality", "addressRegion", "addressCountry"},
    "GeoCoordinates": {"@type", "latitude", "longitude"},
}
CJK = re.compile(r"[\u4e00-\u9fff]")


def schema_nodes(node):
    """Every node of a JSON-LD tree, the root first."""
    if isinstance(node, list):
        for item in node:
            yield from schema_nodes(item)
    elif isinstance(node, dict):
        yield node
        for value in node.values():
            yield from schema_nodes(value)


def check_schema(root: dict, page) -> None:
    assert root["@context"] == "https://schema.org", page
    for node in schema_nodes(root):
        kind = node["@type"]
        assert set(node) <= SCHEMA_PROPERTIES[kind], (
            page,
            kind,
            set(node) - SCHEMA_PROPERTIES[kind],
        )
        if kind == "Event":
            # Issue 13: an Event without a start date is invalid; say nothing instead.
            assert W3C_DATE.match(node["startDate"]), (page, node)
        if kind == "Place":
            assert node["address"]["@type"] == "PostalAddress", (page, node)
        if "inLanguage" in node:
            # What it claims is true of its own texts: Chinese exactly when it says so.
            texts = [node.get("name", ""), node.get("description", "")]
            is_chinese = node["inLanguage"] == "zh-Hans"
            assert all(bool(CJK.search(text)) == is_chinese for text in texts if text), (
                page,
                node["inLanguage"],
                texts,
            )


def meta_elements(html: str) -> dict[str, tuple[str, str | None]]:
    """``{property or name: (content, lang)}`` of the page's ``<meta>`` elements."""
    head = lxml.html.fromstring(html).find("head")
    return {
        meta.get("property") or meta.get("name"): (meta.get("content"), meta.get("lang"))
        for meta in head.iter("meta")
        if meta.get("property") or meta.get("name")
    }


@pytest.mark.django_db  # rendered_site renders the pages in the test database
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_tells_machines_valid_things_in_the_language_they_are_in(
    rendered_site, language
):
    """Every page type, seeded and with the showcase's texts missing in Chinese, read as a
    search engine and a link preview read it (extruct)."""
    for page, html in rendered_site.pages(language):
        if page.status != 200:
            continue
        data = extruct.extract(html, base_url=BASE, syntaxes=["json-ld", "opengraph"], uniform=True)
        for root in data["json-ld"]:
            check_schema(root, page)
        if not data["opengraph"] and "noindex" in html:
            continue  # a page for one visitor (a registration's steps): not for sharing
        (properties,) = data["opengraph"]
        assert (
            properties["og:locale"] == {"nl": "nl_NL", "en": "en_GB", "zh-hans": "zh_CN"}[language]
        ), page
        for name in ("og:title", "og:description", "og:image", "og:image:alt"):
            assert properties.get(name), (page, name)
        assert properties["og:image:width"] and properties["og:image:height"], page
        meta = meta_elements(html)
        assert meta["description"] == meta["og:description"], page
        if language == "zh-hans":
            # Issue 13: no Dutch under og:locale zh_CN without saying so.
            for name in ("description", "og:description", "og:title", "og:image:alt"):
                content, lang = meta[name]
                assert CJK.search(content) or lang in ("nl", "en"), (page, name, content)


def test_a_text_in_another_language_is_described_in_the_pages_language(client, trip):
    """The preview of a Chinese page whose Chinese summary and title are empty."""
    Mission.objects.filter(pk=trip.pk).update(summary_zh_hans="", summary_en="", title_zh_hans="")

    response = client.get("/zh-hans/missions/trip/")

    meta = meta_elements(response.text)
    # The title has no Chinese text: the English one, saying so.
    assert meta["og:title"] == ("Trip to Shanghai", "en")
    # The summary is Dutch only: the preview says what the page is, in Chinese.
    said = f"{trip.partnership.title_zh_hans}的考察之旅。"
    assert meta["og:description"] == (said, None)
    assert meta["description"] == (said, None)
    # JSON-LD keeps the texts the page shows; its inLanguage would be true of only one.
    [event] = json_ld(response)
    assert (event["name"], event["description"]) == ("Trip to Shanghai", "Drie dagen Shanghai.")
    assert "inLanguage" not in event


def test_in_language_is_the_language_the_texts_are_in(client, trip):
    Mission.objects.filter(pk=trip.pk).update(
        summary_zh_hans="", summary_en="", title_zh_hans="", title_en=""
    )

    [event] = json_ld(client.get("/zh-hans/missions/trip/"))

    assert (event["name"], event["inLanguage"]) == ("Reis naar Shanghai", "nl")


@pytest.mark.parametrize(
    ("path", "said"),
    [
        ("/zh-hans/regions/shanghai/", "中国的城市。"),
        ("/zh-hans/regions/china/", "国家：中国。"),
        ("/nl/organisations/tongji/", "Universiteit in Shanghai."),
        ("/en/partnerships/{partnership}/", "City link between {home} and {partner}."),
    ],
)
def test_what_is_said_when_the_page_has_no_description_of_its_own(client, trip, path, said):
    Region.objects.update(summary_nl="", summary_en="", summary_zh_hans="")
    Organisation.objects.update(description_nl="", description_en="", description_zh_hans="")
    Organisation.objects.filter(slug="tongji").update(kind=Organisation.Kind.UNIVERSITY)
    partnership = trip.partnership
    Partnership.objects.update(summary_nl="", summary_en="", summary_zh_hans="")

    response = client.get(path.format(partnership=partnership.slug))

    assert meta_elements(response.text)["og:description"] == (
        said.format(
            home=partnership.home_region.name_en, partner=partnership.partner_region.name_en
        ),
        None,
    )


# Atom feeds ---------------------------------------------------------------------------


def feed(response) -> ET.Element:
    # application/xml, not atom+xml: Chromium shows atom+xml as plain text and would never
    # apply the stylesheet (programmes/feeds.py); feed readers read the document itself.
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    return ET.fromstring(response.content)


def test_mission_feed_in_each_language(client, trip):
    Mission.objects.filter(pk=trip.pk).update(publish_at=UPDATED - dt.timedelta(days=30))

    root = feed(client.get("/zh-hans/feeds/missions.atom"))

    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "zh-Hans"
    assert root.find(f"{ATOM}title").text == "交流访问 · 友城交流项目"
    assert root.find(f"{ATOM}link[@rel='self']").get("href") == (
        f"{BASE}/zh-hans/feeds/missions.atom"
    )
    assert root.find(f"{ATOM}link[@rel='alternate']").get("href") == f"{BASE}/zh-hans/"
    assert root.find(f"{ATOM}author/{ATOM}name").text == "友城交流项目"
    assert root.find(f"{ATOM}updated").text == "2025-06-01T12:00:00+00:00"
    [entry] = root.findall(f"{ATOM}entry")
    assert entry.find(f"{ATOM}title").text == "上海之行"
    assert entry.find(f"{ATOM}id").text == f"{BASE}/zh-hans/missions/trip/"
    assert entry.find(f"{ATOM}link").get("href") == f"{BASE}/zh-hans/missions/trip/"
    assert entry.find(f"{ATOM}published").text == "2025-05-02T12:00:00+00:00"
    assert entry.find(f"{ATOM}updated").text == "2025-06-01T12:00:00+00:00"
    assert entry.find(f"{ATOM}summary").text == "在上海三天。"
    assert entry.find(f"{ATOM}summary").get("type") == "html"
    assert [category.get("term") for category in entry.findall(f"{ATOM}category")] == [
        trip.partnership.title_zh_hans,
        "考察之旅",
    ]


def test_each_feed_text_says_the_language_it_is_written_in(client, db):
    """A Chinese feed shows an English or Dutch text where the Chinese one is empty, as the
    page does; the entry says so, as the page's lang attributes do."""
    trip = MissionFactory(
        **texts("title", "Reis", "Trip", ""), **texts("summary", "Drie dagen.", "", "")
    )
    OutcomeFactory(
        mission=trip,
        **texts("title", "Akkoord", "", "协议"),
        **texts("description", "<p>Akkoord</p>", "<p>Agreement</p>", "<p>协议</p>"),
    )

    missions = feed(client.get("/zh-hans/feeds/missions.atom"))
    outcomes = feed(client.get("/zh-hans/feeds/outcomes.atom"))

    assert missions.get(XML_LANG) == outcomes.get(XML_LANG) == "zh-Hans"
    (mission,) = missions.findall(f"{ATOM}entry")
    assert (mission.find(f"{ATOM}title").text, mission.find(f"{ATOM}title").get(XML_LANG)) == (
        "Trip",
        "en",
    )
    summary = mission.find(f"{ATOM}summary")
    assert (summary.text, summary.get(XML_LANG), summary.get("type")) == (
        "Drie dagen.",
        "nl",
        "html",
    )
    (outcome,) = outcomes.findall(f"{ATOM}entry")
    assert outcome.find(f"{ATOM}title").get(XML_LANG) == "zh-Hans"
    assert outcome.find(f"{ATOM}summary").get(XML_LANG) == "zh-Hans"
    # Nothing else of the entry is tagged: the rest is the feed's, in its language.
    tagged = [element.tag for element in mission.iter() if element.get(XML_LANG)]
    assert tagged == [f"{ATOM}title", f"{ATOM}summary"]


def test_feed_texts_are_escaped_once_as_their_type_says(client, db):
    MissionFactory(
        **texts("title", "x", "Ports & <harbours>", "x"), **texts("summary", "", "a < b", "")
    )

    entry = feed(client.get("/en/feeds/missions.atom")).find(f"{ATOM}entry")

    # The title is text; the summary is HTML, so plain text in it is escaped for HTML.
    assert entry.find(f"{ATOM}title").text == "Ports & <harbours>"
    assert entry.find(f"{ATOM}summary").text == "a &lt; b"


def test_outcome_feed_newest_first_with_kind_and_area(client, trip):
    older = OutcomeFactory(
        mission=trip,
        slug="older",
        publish_at=UPDATED - dt.timedelta(days=10),
        **texts("title", "Oud", "Older", "旧"),
    )
    newer = OutcomeFactory(
        mission=trip,
        slug="newer",
        publish_at=UPDATED - dt.timedelta(days=1),
        kind=Outcome.Kind.AGREEMENT,
        **texts("title", "Nieuw", "Newer", "新"),
        **texts("description", "<p>Nieuw</p>", "<p>An <em>agreement</em></p>", "<p>新</p>"),
    )

    root = feed(client.get("/en/feeds/outcomes.atom"))

    entries = root.findall(f"{ATOM}entry")
    assert [entry.find(f"{ATOM}title").text for entry in entries] == ["Newer", "Older"]
    # The summary is plain text (a browser shows it through feed.css as it is written); the
    # content is the description's HTML, for feed readers.
    assert entries[0].find(f"{ATOM}summary").text == "An agreement"
    assert entries[0].find(f"{ATOM}content").text == "<p>An <em>agreement</em></p>"
    assert entries[0].find(f"{ATOM}content").get("type") == "html"
    assert [category.get("term") for category in entries[0].findall(f"{ATOM}category")] == [
        trip.partnership.title_en,
        "Agreement",
        newer.area.name_en,
    ]
    assert root.find(f"{ATOM}link[@rel='alternate']").get("href") == f"{BASE}/en/outcomes/"
    assert older.pk != newer.pk


@pytest.mark.parametrize(
    ("language", "note"),
    [
        ("nl", "Dit is een nieuwsfeed. Kopieer het adres van deze pagina naar een feedlezer"),
        ("en", "This is a news feed. Copy the address of this page into a feed reader"),
        ("zh-hans", "这是一个订阅源。将本页地址复制到订阅源阅读器中"),
    ],
)
def test_a_feed_names_its_stylesheet_and_tells_a_browsers_reader_what_it_is(
    client, trip, language, note
):
    response = client.get(f"/{language}/feeds/missions.atom")

    lines = response.content.decode().split("\n")
    assert lines[0] == '<?xml version="1.0" encoding="utf-8"?>'
    # Our own static file: the site's Content-Security-Policy (style-src 'self') lets it in.
    assert lines[1].startswith(
        '<?xml-stylesheet href="/static/css/feed.css" media="all" type="text/css"?>'
    )
    assert finders.find("css/feed.css")
    assert "style-src 'self'" in response["Content-Security-Policy"]
    root = feed(response)
    assert root.find(f"{{{READER_NS}}}note").text.startswith(note)
    # Feed readers skip what they do not know; the entries are plain Atom.
    assert [child.tag for child in root.find(f"{ATOM}entry")][:2] == [
        f"{ATOM}title",
        f"{ATOM}link",
    ]


def test_a_long_description_is_summarised_and_given_whole(client, trip):
    words = " ".join(["samenwerking"] * 60)
    OutcomeFactory(mission=trip, **texts("description", f"<p>{words}</p>", "", ""))

    entry = feed(client.get("/nl/feeds/outcomes.atom")).find(f"{ATOM}entry")

    summary = entry.find(f"{ATOM}summary").text
    assert len(summary) <= 300 and summary.endswith("…")
    assert entry.find(f"{ATOM}content").text == f"<p>{words}</p>"


def test_feeds_leave_out_drafts(client, db):
    draft_partnership = PartnershipFactory(status=Status.DRAFT)
    MissionFactory(slug="mission-of-draft", partnership=draft_partnership)
    draft_mission = MissionFactory(slug="draft-mission", status=Status.DRAFT)
    OutcomeFactory(slug="outcome-of-draft-mission", mission=draft_mission)
    public_mission = MissionFactory(slug="public-mission")
    OutcomeFactory(slug="draft-outcome", mission=public_mission, status=Status.DRAFT)
    MissionFactory(slug="scheduled", publish_at=timezone.now() + dt.timedelta(hours=1))

    missions = feed(client.get("/nl/feeds/missions.atom"))
    outcomes = feed(client.get("/nl/feeds/outcomes.atom"))

    assert [entry.find(f"{ATOM}id").text for entry in missions.iter(f"{ATOM}entry")] == [
        f"{BASE}/nl/missions/public-mission/"
    ]
    assert outcomes.findall(f"{ATOM}entry") == []


def test_seeded_feeds(client, seeded):
    missions = feed(client.get("/en/feeds/missions.atom")).findall(f"{ATOM}entry")
    outcomes = feed(client.get("/nl/feeds/outcomes.atom")).findall(f"{ATOM}entry")

    assert sorted(entry.find(f"{ATOM}title").text for entry in missions) == [
        "Business Days Zhejiang – West Flanders",
        "Inspiration trip to Shanghai and Dalian",
    ]
    assert len(outcomes) == Outcome.objects.published().count() == 5


@pytest.mark.parametrize("count", [1, 20])
def test_feed_queries_do_not_grow(client, db, django_assert_num_queries, count):
    for _ in range(count):
        OutcomeFactory()

    with django_assert_num_queries(1):
        client.get("/en/feeds/missions.atom")
    with django_assert_num_queries(1):
        client.get("/en/feeds/outcomes.atom")


def test_every_page_links_to_the_feeds_in_its_language(client, trip):
    response = client.get("/zh-hans/missions/trip/")

    assertContains(
        response,
        '<link rel="alternate" type="application/atom+xml" title="交流访问（Atom订阅源）" '
        'href="/zh-hans/feeds/missions.atom">',
    )
    assertContains(
        response,
        '<link rel="alternate" type="application/atom+xml" title="合作成果（Atom订阅源）" '
        'href="/zh-hans/feeds/outcomes.atom">',
    )
    assertContains(
        response, '<a href="/zh-hans/feeds/missions.atom" type="application/atom+xml">交流访问</a>'
    )


# iCal ---------------------------------------------------------------------------------


def test_mission_calendar_file(client, trip):
    ProgrammeItem.objects.filter(uuid=TONGJI_VISIT_UUID).delete()

    response = client.get("/nl/missions/trip/calendar.ics")

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="trip.ics"'
    url = "http://testserver/nl/missions/trip/"
    assert response.content.decode() == "\r\n".join(
        [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:-//Twinning CMS//Mission calendar//nl",
            "CALSCALE:GREGORIAN",
            "NAME;LANGUAGE=nl:Reis naar Shanghai",
            "X-WR-CALNAME:Reis naar Shanghai",
            "URL:" + url,
            "BEGIN:VEVENT",
            "SUMMARY;LANGUAGE=nl:Reis naar Shanghai",
            "DTSTART;VALUE=DATE:20250512",
            "DTEND;VALUE=DATE:20250515",
            "DTSTAMP:20250601T120000Z",
            f"UID:{TRIP_UUID}",
            # Lines are folded at 75 octets.
            "DESCRIPTION;LANGUAGE=nl:Drie dagen Shanghai.\\n\\nhttp://testserver/nl/missi",
            " ons/trip/",
            "LOCATION:Shanghai",
            "URL:" + url,
            "END:VEVENT",
            "BEGIN:VEVENT",
            "SUMMARY;LANGUAGE=nl:Bedrijfsbezoek",
            "DTSTART;VALUE=DATE:20250513",
            "DTEND;VALUE=DATE:20250514",
            "DTSTAMP:20250601T120000Z",
            f"UID:{COMPANY_VISIT_UUID}",
            "GEO:31.23042;121.4737",
            "LOCATION:Bedrijf\\, Shanghai",
            "RELATED-TO:" + str(TRIP_UUID),
            "URL:" + url,
            "END:VEVENT",
            "END:VCALENDAR",
            "",
        ]
    )


def test_mission_calendar_parses_with_exclusive_end_and_timed_items(client, trip):
    response = client.get("/zh-hans/missions/trip/calendar.ics")

    calendar = icalendar.Calendar.from_ical(response.content)
    mission, tongji, company = calendar.walk("VEVENT")
    # An all-day DTEND is exclusive: the day after the last day.
    assert mission.start == dt.date(2025, 5, 12)
    assert mission.end == dt.date(2025, 5, 15)
    assert mission["SUMMARY"] == "上海之行"
    assert mission["SUMMARY"].params["LANGUAGE"] == "zh-Hans"
    # No region has a time zone, so a start time is in the site's, with its VTIMEZONE; the
    # end is unknown.
    assert tongji["UID"] == str(TONGJI_VISIT_UUID)
    assert tongji.start == dt.datetime(2025, 5, 12, 10, 30, tzinfo=tongji.start.tzinfo)
    assert tongji["DTSTART"].params["TZID"] == "Europe/Amsterdam"
    assert "DTEND" not in tongji
    assert "DTSTART;TZID=Europe/Amsterdam:20250512T103000" in response.content.decode()
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Amsterdam"]
    assert tongji["LOCATION"] == "同济大学，上海"
    assert tongji["DESCRIPTION"] == "参观校园。"
    assert tongji["RELATED-TO"] == str(TRIP_UUID)
    assert company.end == dt.date(2025, 5, 14)
    # The undated B2B meetings are not in the calendar.
    assert len(calendar.walk("VEVENT")) == 3


@pytest.fixture
def dalian_meeting(trip):
    """A 09:00 meeting in Dalian; China names its time zone, its cities inherit it."""
    Region.objects.filter(slug="china").update(time_zone="Asia/Shanghai")
    dalian = RegionFactory(
        slug="dalian", parent=Region.objects.get(slug="china"), **texts("name", *["Dalian"] * 3)
    )
    return ProgrammeItemFactory(
        mission=trip,
        city=dalian,
        host=None,
        kind=ProgrammeItem.Kind.MEETING,
        date=dt.date(2025, 5, 14),
        start_time=dt.time(9, 0),
        order=4,
        **texts("title", "Overleg", "Meeting", "会谈"),
        **texts("description", "", "", ""),
    )


def test_a_start_time_in_the_calendar_is_the_local_time_where_it_takes_place(
    client, dalian_meeting
):
    response = client.get("/en/missions/trip/calendar.ics")

    calendar = icalendar.Calendar.from_ical(response.content)
    events = {event["UID"]: event for event in calendar.walk("VEVENT")}
    meeting, tongji = events[str(dalian_meeting.uuid)], events[str(TONGJI_VISIT_UUID)]
    # 09:00 in Dalian is 09:00 China time: 01:00 UTC, not 09:00 in Amsterdam.
    assert "DTSTART;TZID=Asia/Shanghai:20250514T090000" in response.content.decode()
    assert meeting["DTSTART"].params["TZID"] == "Asia/Shanghai"
    assert meeting.start.astimezone(dt.UTC) == dt.datetime(2025, 5, 14, 1, 0, tzinfo=dt.UTC)
    # Shanghai inherits China's time zone too.
    assert tongji.start.astimezone(dt.UTC) == dt.datetime(2025, 5, 12, 2, 30, tzinfo=dt.UTC)
    [time_zone] = calendar.walk("VTIMEZONE")
    assert time_zone["TZID"] == "Asia/Shanghai"
    assert [part["TZOFFSETTO"].td for part in time_zone.subcomponents] == [dt.timedelta(hours=8)]


def test_an_item_with_an_end_time_lasts_until_it_in_the_calendar(client, dalian_meeting):
    ProgrammeItem.objects.filter(pk=dalian_meeting.pk).update(end_time=dt.time(10, 30))

    response = client.get("/en/missions/trip/calendar.ics")

    text = response.content.decode()
    assert "DTSTART;TZID=Asia/Shanghai:20250514T090000" in text
    assert "DTEND;TZID=Asia/Shanghai:20250514T103000" in text
    events = {
        event["UID"]: event
        for event in icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    }
    meeting = events[str(dalian_meeting.uuid)]
    assert meeting.end - meeting.start == dt.timedelta(hours=1, minutes=30)
    assert meeting.end.astimezone(dt.UTC) == dt.datetime(2025, 5, 14, 2, 30, tzinfo=dt.UTC)
    # Without an end time an event has a start only (RFC 5545: no length); an all-day
    # event ends, exclusively, the next day.
    assert "DTEND" not in events[str(TONGJI_VISIT_UUID)]
    company = events[str(COMPANY_VISIT_UUID)]
    assert company.end - company.start == dt.timedelta(days=1)


@pytest.mark.parametrize(
    ("language", "comment", "tag"),
    [
        (
            "nl",
            "Deze beschrijving van de tijdzone geldt alleen voor de data in deze agenda: "
            "2025-05-12 tot en met 2025-05-14.",
            "nl",
        ),
        (
            "en",
            "This definition of the time zone holds for the dates of this calendar only: "
            "2025-05-12 to 2025-05-14.",
            "en",
        ),
        ("zh-hans", "本时区定义仅适用于本日历所涉日期：2025-05-12至2025-05-14。", "zh-Hans"),
    ],
)
def test_the_time_zones_comment_is_in_the_files_language(
    client, dalian_meeting, language, comment, tag
):
    calendar = icalendar.Calendar.from_ical(
        client.get(f"/{language}/missions/trip/calendar.ics").content
    )

    [time_zone] = calendar.walk("VTIMEZONE")
    # icalendar writes "This timezone only works from … to …" in English; ours replaces it.
    assert time_zone["COMMENT"] == comment
    assert time_zone["COMMENT"].params["LANGUAGE"] == tag
    assert "only works" not in calendar.to_ical().decode()


def test_an_end_time_on_the_mission_page_and_in_json_ld(client, dalian_meeting):
    ProgrammeItem.objects.filter(pk=dalian_meeting.pk).update(end_time=dt.time(10, 30))

    response = client.get("/nl/missions/trip/")

    # "09:00–10:30": the dash is not read aloud, a screen reader says "tot".
    assertContains(
        response,
        '<span class="programme__time"><time datetime="2025-05-14T09:00:00+08:00">09:00</time>'
        '<span aria-hidden="true">–</span><span class="visually-hidden"> tot </span>'
        '<time datetime="2025-05-14T10:30:00+08:00">10:30</time></span>',
        html=True,
    )
    events = {sub["name"]: sub for sub in json_ld(response)[0]["subEvent"]}
    assert events["Overleg"]["startDate"] == "2025-05-14T09:00:00+08:00"
    assert events["Overleg"]["endDate"] == "2025-05-14T10:30:00+08:00"
    assert "endDate" not in events["Bezoek aan Tongji"]  # unknown: said nothing about


@pytest.mark.parametrize(
    ("language", "separator", "to"),
    [("en", "–", "to"), ("zh-hans", "—", "至")],
)
def test_an_end_time_reads_in_each_language(client, dalian_meeting, language, separator, to):
    ProgrammeItem.objects.filter(pk=dalian_meeting.pk).update(end_time=dt.time(10, 30))

    response = client.get(f"/{language}/missions/trip/")

    assertContains(
        response,
        f'<span aria-hidden="true">{separator}</span><span class="visually-hidden"> {to} </span>',
        html=True,
    )


def test_a_start_time_in_json_ld_has_the_offset_where_it_takes_place(client, dalian_meeting):
    response = client.get("/en/missions/trip/")

    [event] = json_ld(response)
    start_dates = {sub["name"]: sub.get("startDate") for sub in event["subEvent"]}
    assert start_dates["Meeting"] == "2025-05-14T09:00:00+08:00"
    assert start_dates["Visit to Tongji"] == "2025-05-12T10:30:00+08:00"


def test_a_fallback_text_in_the_calendar_says_its_language(client, trip):
    Mission.objects.filter(pk=trip.pk).update(title_zh_hans="", title_en="")

    calendar = icalendar.Calendar.from_ical(
        client.get("/zh-hans/missions/trip/calendar.ics").content
    )

    summary = calendar.walk("VEVENT")[0]["SUMMARY"]
    assert summary == "Reis naar Shanghai"
    assert summary.params["LANGUAGE"] == "nl"


def test_dates_only_on_programme_items_give_a_calendar_of_the_items(client, trip):
    Mission.objects.filter(pk=trip.pk).update(start_date=None, end_date=None)

    calendar = icalendar.Calendar.from_ical(client.get("/en/missions/trip/calendar.ics").content)

    assert [event["SUMMARY"] for event in calendar.walk("VEVENT")] == [
        "Visit to Tongji",
        "Company visit",
    ]
    assert all("RELATED-TO" not in event for event in calendar.walk("VEVENT"))


def test_mission_page_offers_the_calendar_only_when_a_date_is_known(client, trip):
    undated = MissionFactory(slug="undated", programme_items=2)

    dated_page = client.get("/en/missions/trip/")
    undated_page = client.get("/en/missions/undated/")

    assertContains(
        dated_page,
        '<a href="/en/missions/trip/calendar.ics" type="text/calendar" download="trip.ics">'
        "Add to calendar (iCal)</a>",
        html=True,
    )
    assertNotContains(undated_page, "calendar.ics")
    assert client.get("/en/missions/undated/calendar.ics").status_code == 404
    assert undated.programme_items.count() == 2


def test_no_calendar_for_drafts(client, trip, django_user_model):
    Mission.objects.filter(pk=trip.pk).update(status=Status.DRAFT)
    staff = django_user_model.objects.create_user("editor", is_staff=True)
    client.force_login(staff)

    assert client.get("/en/missions/trip/calendar.ics").status_code == 404


def test_seeded_missions_have_no_dates_so_no_calendar(client, seeded):
    for slug in ["inspiration-trip-shanghai-dalian", "business-days-zhejiang-west-flanders"]:
        assertNotContains(client.get(f"/nl/missions/{slug}/"), "calendar.ics")
        assert client.get(f"/nl/missions/{slug}/calendar.ics").status_code == 404


@pytest.mark.parametrize("items", [1, 30])
def test_calendar_queries_do_not_grow(client, db, django_assert_num_queries, items):
    mission = MissionFactory(
        slug="busy",
        start_date=dt.date(2025, 5, 12),
        programme_items=items,
        destinations=[district_in_zoned_country()],
    )
    # Half the items in districts with their country's time zone, half with none: these
    # take the destination's, again from three levels up.
    for number, item in enumerate(mission.programme_items.all()):
        item.city = district_in_zoned_country() if number % 2 else None
        item.date, item.start_time = dt.date(2025, 5, 12), dt.time(9, 0)
        item.save()

    with django_assert_num_queries(3):
        response = client.get("/en/missions/busy/calendar.ics")

    assert response.content.decode().count("DTSTART;TZID=Asia/Shanghai:20250512T090000") == items


# In a real browser -------------------------------------------------------------------

REPORT_CSP_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


@pytest.mark.browser
@requires_chromium
def test_chromium_reads_json_ld_without_a_csp_violation(live_server, trip):
    with launched() as browser:
        page = browser.new_page()
        console_errors = []
        page.on(
            "console",
            lambda message: message.type == "error" and console_errors.append(message.text),
        )
        page.add_init_script(REPORT_CSP_VIOLATIONS)
        page.goto(f"{live_server.url}/en/missions/trip/")
        data = page.evaluate(
            "JSON.parse(document.querySelector('script[type=\"application/ld+json\"]').textContent)"
        )
        violations = page.evaluate("window.cspViolations")

    assert data["@type"] == "Event"
    assert len(data["subEvent"]) == 2  # the undated programme item is no Event
    assert violations == []
    assert [error for error in console_errors if "Content Security Policy" in error] == []
