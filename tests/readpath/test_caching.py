"""Whole-page caching for anonymous visitors, its invalidation, validators and page weight."""

import datetime as dt
import posixpath
import re
from pathlib import Path
from unittest import mock

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.http import HttpResponse
from django.middleware.csp import LazyNonce
from django.middleware.csrf import get_token
from django.test import RequestFactory
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.http import http_date, parse_http_date, urlencode
from pytest_django.asserts import assertContains, assertNotContains

from programmes.domain.services import publish, save_content, unpublish
from programmes.models import Mission, Status
from readpath.caching import cache_public_page, content_changed

from ..factories import (
    MissionFactory,
    OrganisationFactory,
    OutcomeFactory,
    ProgrammeItemFactory,
    RegionFactory,
    StaffFactory,
)

pytestmark = pytest.mark.django_db


def url(obj, language: str = "nl") -> str:
    with translation.override(language):
        return obj.get_absolute_url()


@pytest.fixture
def mission(db):
    mission = MissionFactory(
        programme_items=2, destinations=[RegionFactory()], organisers=[OrganisationFactory()]
    )
    OutcomeFactory(mission=mission)
    return mission


@pytest.fixture
def staff_client(client):
    """Logged in as a superuser, who may preview every draft."""
    client.force_login(StaffFactory(is_superuser=True))
    return client


def later(**delta):
    """Pretend the clock is ``delta`` ahead, for every ``timezone.now()`` caller."""
    return mock.patch(
        "django.utils.timezone.now", return_value=timezone.now() + dt.timedelta(**delta)
    )


# Served from the cache ------------------------------------------------------------------


PAGES = {
    "home": lambda m: "/nl/",
    "partnership": lambda m: url(m.partnership),
    "region": lambda m: url(m.destinations.get()),
    "mission": lambda m: url(m),
    "organisation": lambda m: url(m.organisers.get()),
    "outcome": lambda m: url(m.outcomes.get()),
    "outcomes": lambda m: "/nl/outcomes/?kind=contract",
    "missions": lambda m: "/nl/missions/",
    "missions, filtered": lambda m: f"/nl/missions/?partnership={m.partnership.slug}",
    "search": lambda m: f"/nl/search/?{urlencode({'q': m.title_nl})}",
    "search, one type": lambda m: f"/nl/search/?{urlencode({'q': m.title_nl, 'type': 'missions'})}",
}
# Not pages, but as costly to make and as cacheable: (address, content type).
DOCUMENTS = {
    "sitemap index": (lambda m: "/sitemap.xml", "application/xml"),
    # The file of missions that lists this one (a file holds a window of 100 ids).
    "sitemap file": (
        lambda m: f"/sitemap-missions.xml?p={(m.pk - 1) // 100 + 1}",
        "application/xml",
    ),
    # application/xml: see public/feeds.py (a browser applies the feed's stylesheet).
    "mission feed": (lambda m: "/nl/feeds/missions.atom", "application/xml; charset=utf-8"),
    "outcome feed": (lambda m: "/en/feeds/outcomes.atom", "application/xml; charset=utf-8"),
}


@pytest.mark.parametrize("page", PAGES)
def test_second_request_is_served_without_queries(client, mission, page, django_assert_num_queries):
    page_url = PAGES[page](mission)
    first = client.get(page_url)

    with django_assert_num_queries(0):
        second = client.get(page_url)

    assert first.status_code == second.status_code == 200
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]
    assert second["Content-Type"] == "text/html; charset=utf-8"


@pytest.mark.parametrize("document", DOCUMENTS)
def test_sitemap_and_feeds_are_served_from_the_cache(
    client, mission, document, django_assert_num_queries
):
    path, content_type = DOCUMENTS[document]
    path = path(mission)
    first = client.get(path)

    with django_assert_num_queries(0):
        second = client.get(path)

    assert first.status_code == second.status_code == 200
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"] == content_type


@pytest.mark.parametrize("document", DOCUMENTS)
def test_sitemap_and_feeds_answer_conditional_requests(
    client, mission, document, django_assert_num_queries
):
    path, _content_type = DOCUMENTS[document]
    path = path(mission)
    first = client.get(path)

    with django_assert_num_queries(0):
        by_etag = client.get(path, headers={"if-none-match": first["ETag"]})
        by_date = client.get(path, headers={"if-modified-since": first["Last-Modified"]})

    assert (by_etag.status_code, by_date.status_code) == (304, 304)
    assert by_etag["ETag"] == first["ETag"]


@pytest.mark.parametrize("document", DOCUMENTS)
def test_sitemap_and_feeds_change_with_the_content(client, mission, document):
    path, _content_type = DOCUMENTS[document]
    path = path(mission)
    first = client.get(path)
    mission.slug, mission.title_nl = "nieuwe-missie", "Nieuw"
    save_content(mission)
    OutcomeFactory(mission=mission, title_en="New outcome")
    # The index names the file of missions with its latest change: this one's.
    changed = timezone.localtime(mission.updated_at).isoformat().encode()

    second = client.get(path, headers={"if-none-match": first["ETag"]})

    assert second.status_code == 200
    assert second["ETag"] != first["ETag"]
    assert changed not in first.content
    texts = (b"nieuwe-missie", b"Nieuw", b"New outcome", changed)
    assert any(text in second.content for text in texts), second.content[:500]


def test_head_requests_share_the_entry(client, mission, django_assert_num_queries):
    page = client.get(url(mission))

    with django_assert_num_queries(0):
        head = client.head(url(mission))

    assert head.status_code == 200
    assert head.content == b""
    assert head["ETag"] == page["ETag"]


def test_each_language_has_its_own_entry(client, mission):
    client.get(url(mission, "nl"))

    english = client.get(url(mission, "en"))
    chinese = client.get(url(mission, "zh-hans"))

    assertContains(english, f"<h1>{mission.title_en}</h1>", html=True)
    assertContains(chinese, f"<h1>{mission.title_zh_hans}</h1>", html=True)
    assert len({client.get(url(mission, lang))["ETag"] for lang in ("nl", "en", "zh-hans")}) == 3


def test_each_query_string_has_its_own_entry(client, mission):
    contract = mission.outcomes.get()
    OutcomeFactory(mission=mission, kind="project", title_nl="Project Noord")

    everything = client.get("/nl/outcomes/")
    contracts = client.get("/nl/outcomes/?kind=contract")
    projects = client.get("/nl/outcomes/?kind=project")

    assertContains(everything, "Project Noord")
    assertContains(everything, contract.title_nl)
    assertContains(contracts, contract.title_nl)
    assertNotContains(contracts, "Project Noord")
    assertContains(projects, "Project Noord")
    assertNotContains(projects, contract.title_nl)


# Invalidation -------------------------------------------------------------------------------


def test_publishing_shows_a_mission(client, mission):
    draft = MissionFactory(partnership=mission.partnership, status=Status.DRAFT, title_nl="Nieuw")
    assertNotContains(client.get("/nl/"), "Nieuw")
    assert client.get(url(draft)).status_code == 404

    publish([draft])

    assertContains(client.get("/nl/"), "Nieuw")
    assert client.get(url(draft)).status_code == 200


def test_unpublishing_hides_a_mission(client, mission):
    assertContains(client.get("/nl/"), mission.title_nl)
    assert client.get(url(mission)).status_code == 200

    unpublish([mission])

    assertNotContains(client.get("/nl/"), mission.title_nl)
    assert client.get(url(mission)).status_code == 404


def test_editing_changes_every_page_that_shows_it(client, mission):
    partnership_url = url(mission.partnership)
    assertContains(client.get(url(mission)), mission.title_nl)
    assertContains(client.get(partnership_url), mission.title_nl)

    mission.title_nl = "Handelsmissie Dalian"
    save_content(mission)

    assertContains(client.get(url(mission)), "Handelsmissie Dalian")
    assertContains(client.get(partnership_url), "Handelsmissie Dalian")


def test_editing_a_related_object_changes_the_page(client, mission):
    organiser = mission.organisers.get()
    client.get(url(mission))

    organiser.name_nl = "Gemeente Enschede"
    save_content(organiser)

    assertContains(client.get(url(mission)), "Gemeente Enschede")


def test_deleting_removes_it(client, mission):
    outcome = mission.outcomes.get()
    assertContains(client.get(url(mission)), outcome.title_nl)

    outcome.delete()

    assertNotContains(client.get(url(mission)), outcome.title_nl)
    assert client.get(url(outcome)).status_code == 404


def test_inline_edits_change_the_page(client, mission):
    item = mission.programme_items.first()
    client.get(url(mission))

    item.title_nl = "Bezoek aan de haven van Dalian"
    item.save()
    assertContains(client.get(url(mission)), "Bezoek aan de haven van Dalian")

    ProgrammeItemFactory(mission=mission, title_nl="Ontvangst op het consulaat")
    assertContains(client.get(url(mission)), "Ontvangst op het consulaat")

    item.delete()
    assertNotContains(client.get(url(mission)), "Bezoek aan de haven van Dalian")


def test_many_to_many_changes_change_the_page(client, mission):
    dalian = RegionFactory(name_nl="Dalian")
    assertNotContains(client.get(url(mission)), "Dalian")

    mission.destinations.add(dalian)
    assertContains(client.get(url(mission)), "Dalian")

    mission.destinations.remove(dalian)
    assertNotContains(client.get(url(mission)), "Dalian")

    mission.destinations.add(dalian)
    client.get(url(mission))
    mission.destinations.clear()
    assertNotContains(client.get(url(mission)), "Dalian")


def test_loading_the_seed_content_changes_the_pages(client, db):
    assertNotContains(client.get("/nl/"), "Enschede")

    call_command("load_seed_content", verbosity=0)

    assertContains(client.get("/nl/"), "Enschede")


def test_bulk_writes_announce_themselves(client, mission, django_capture_on_commit_callbacks):
    """A write without signals calls ``content_changed()``; the commit finds its schedule."""
    assertContains(client.get("/nl/"), mission.title_nl)

    with django_capture_on_commit_callbacks(execute=True):
        Mission.objects.filter(pk=mission.pk).update(
            publish_at=timezone.now() + dt.timedelta(hours=1)
        )
        content_changed()

    assertNotContains(client.get("/nl/"), mission.title_nl)
    with later(hours=2):
        assertContains(client.get("/nl/"), mission.title_nl)


# Scheduled changes need no write -------------------------------------------------------------


def test_a_scheduled_mission_appears_when_its_publish_date_comes(
    client, mission, django_assert_num_queries
):
    scheduled = MissionFactory(
        partnership=mission.partnership,
        title_nl="Voorjaarsmissie",
        publish_at=timezone.now() + dt.timedelta(hours=1),
    )
    assertNotContains(client.get("/nl/"), "Voorjaarsmissie")
    with django_assert_num_queries(0):
        assertNotContains(client.get("/nl/"), "Voorjaarsmissie")

    with later(minutes=59):
        assertNotContains(client.get("/nl/"), "Voorjaarsmissie")
    with later(hours=1, seconds=1):
        assertContains(client.get("/nl/"), "Voorjaarsmissie")
        assert client.get(url(scheduled)).status_code == 200


def test_a_mission_disappears_when_its_unpublish_date_comes(client, mission):
    mission.unpublish_at = timezone.now() + dt.timedelta(hours=1)
    save_content(mission)
    assertContains(client.get("/nl/"), mission.title_nl)

    with later(hours=1, seconds=1):
        assertNotContains(client.get("/nl/"), mission.title_nl)
        assert client.get(url(mission)).status_code == 404


# Staff ---------------------------------------------------------------------------------------


@pytest.fixture
def draft_organiser(mission):
    """A draft organisation: visitors see its name as text, staff get a link to the preview."""
    organiser = mission.organisers.get()
    organiser.status = Status.DRAFT
    organiser.save()
    return organiser


def test_staff_never_get_the_cached_page(client, mission, draft_organiser):
    link = f'href="{url(draft_organiser)}"'
    assertNotContains(client.get(url(mission)), link)
    client.force_login(StaffFactory())

    response = client.get(url(mission))

    assertContains(response, link)
    assert "ETag" not in response
    assert response["Cache-Control"] == "private"


def test_staff_never_fill_the_cache(client, mission, draft_organiser):
    link = f'href="{url(draft_organiser)}"'
    client.force_login(StaffFactory())
    assertContains(client.get(url(mission)), link)
    client.logout()

    assertNotContains(client.get(url(mission)), link)


def test_a_draft_preview_is_never_cached(staff_client, mission):
    unpublish([mission])
    preview = staff_client.get(url(mission))
    assert preview["Cache-Control"] == "private, no-store"
    staff_client.logout()

    assert staff_client.get(url(mission)).status_code == 404


# Validators and conditional requests ---------------------------------------------------------


def test_public_pages_carry_validators(client, mission):
    response = client.get(url(mission))

    assert re.fullmatch(r'"[0-9a-f]{32}"', response["ETag"])
    assert abs(parse_http_date(response["Last-Modified"]) - timezone.now().timestamp()) < 5
    assert response["Cache-Control"] == "no-cache"
    assert "Cookie" in response["Vary"]


def test_if_none_match_gets_304_without_queries(client, mission, django_assert_num_queries):
    etag = client.get(url(mission))["ETag"]

    with django_assert_num_queries(0):
        response = client.get(url(mission), headers={"if-none-match": etag})

    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag


def test_if_modified_since_gets_304_without_queries(client, mission, django_assert_num_queries):
    last_modified = client.get(url(mission))["Last-Modified"]

    with django_assert_num_queries(0):
        response = client.get(url(mission), headers={"if-modified-since": last_modified})

    assert response.status_code == 304
    assert response["Last-Modified"] == last_modified


def test_an_old_copy_is_sent_again_after_a_change(client, mission):
    first = client.get(url(mission))
    mission.title_nl = "Handelsmissie Dalian"
    save_content(mission)

    response = client.get(url(mission), headers={"if-none-match": first["ETag"]})

    assert response.status_code == 200
    assert response["ETag"] != first["ETag"]
    assertContains(response, "Handelsmissie Dalian")


def test_an_unrelated_change_keeps_the_copy_current(client, mission):
    etag = client.get(url(mission))["ETag"]
    elsewhere = RegionFactory()
    elsewhere.name_nl = "Ningbo"
    save_content(elsewhere)

    response = client.get(url(mission), headers={"if-none-match": etag})

    assert response.status_code == 304
    assert response["ETag"] == etag


def test_a_copy_older_than_the_content_is_sent_again(client, mission):
    last_modified = parse_http_date(client.get(url(mission))["Last-Modified"])

    response = client.get(
        url(mission), headers={"if-modified-since": http_date(last_modified - 3600)}
    )

    assert response.status_code == 200


def test_without_the_page_cache_validators_still_work(
    client, mission, settings, django_assert_max_num_queries
):
    settings.PAGE_CACHE_SECONDS = 0
    first = client.get(url(mission))

    with django_assert_max_num_queries(50) as queries:
        response = client.get(url(mission), headers={"if-none-match": first["ETag"]})

    assert len(queries) > 0, "the page was rendered again"
    assert response.status_code == 304


def test_missing_pages_get_no_validators_and_are_not_cached(client, mission):
    draft = MissionFactory(partnership=mission.partnership, status=Status.DRAFT)
    missing = client.get(url(draft))
    assert missing.status_code == 404
    assert "ETag" not in missing

    publish([draft])
    assert client.get(url(draft)).status_code == 200


# What may be shared --------------------------------------------------------------------------


def _set_cookie(response, request):
    response.set_cookie("seen", "1")


def _csrf_token(response, request):
    get_token(request)


def _nonce(response, request):
    str(request._csp_nonce)


@pytest.mark.parametrize(
    ("make_response", "shared"),
    [
        (lambda request: HttpResponse("page"), True),
        (lambda request: HttpResponse("page", headers={"Cache-Control": "private"}), False),
        (lambda request: HttpResponse("page", headers={"Cache-Control": "no-store"}), False),
        (lambda request: HttpResponse("gone", status=404), False),
        (lambda request: HttpResponse("moved", status=301), False),
        (lambda request: _with(HttpResponse("page"), request, _set_cookie), False),
        (lambda request: _with(HttpResponse("form"), request, _csrf_token), False),
        (lambda request: _with(HttpResponse("script"), request, _nonce), False),
        (lambda request: _vary(HttpResponse("page"), "Accept-Language"), False),
        (lambda request: _vary(HttpResponse("page"), "Cookie"), True),
    ],
    ids=[
        "plain",
        "private",
        "no-store",
        "404",
        "301",
        "sets-cookie",
        "csrf-token",
        "csp-nonce",
        "varies-on-language",
        "varies-on-cookie",
    ],
)
def test_only_responses_that_are_the_same_for_everyone_are_cached(make_response, shared):
    calls = []

    @cache_public_page
    def view(request):
        calls.append(request)
        return make_response(request)

    responses = [view(anonymous_request()) for _ in range(2)]

    assert len(calls) == (1 if shared else 2)
    assert all(("ETag" in response) is shared for response in responses)


def test_other_methods_pass_through():
    calls = []

    @cache_public_page
    def view(request):
        calls.append(request)
        return HttpResponse("done")

    for _ in range(2):
        view(anonymous_request(method="post"))

    assert len(calls) == 2


def anonymous_request(method: str = "get"):
    request = getattr(RequestFactory(), method)("/nl/page/")
    request.user = AnonymousUser()
    request._csp_nonce = LazyNonce()
    return request


def _with(response, request, action):
    action(response, request)
    return response


def _vary(response, header):
    patch_vary_headers(response, [header])
    return response


# Page weight ---------------------------------------------------------------------------------


STATIC_REFERENCE = re.compile(r'(?:href|src)="/static/([^"?#]+)')
CSS_REFERENCE = re.compile(r"url\(\s*['\"]?([^'\")?#]+)")
BUDGET = 100 * 1024


@pytest.mark.parametrize("language", ["nl", "en", "zh-hans"])
def test_the_mission_page_weighs_less_than_100_kb_before_photos(client, seeded, language):
    """HTML plus every CSS, JS, icon and font it loads from /static/, uncompressed."""
    page = client.get(f"/{language}/missions/inspiration-trip-shanghai-dalian/")
    assert page.status_code == 200
    assets = static_assets(STATIC_REFERENCE.findall(page.text))

    weight = len(page.content) + sum(assets.values())

    assert "css/site.css" in assets
    assert weight < BUDGET, {"html": len(page.content)} | assets


def static_assets(paths: list[str]) -> dict[str, int]:
    """The size of each static file in ``paths`` and of what their stylesheets load."""
    sizes: dict[str, int] = {}
    pending = list(paths)
    while pending:
        path = pending.pop()
        if path in sizes:
            continue
        found = finders.find(path)
        assert found, f"{path} is not a static file"
        content = Path(found).read_bytes()
        sizes[path] = len(content)
        if path.endswith(".css"):
            folder = posixpath.dirname(path)
            for reference in CSS_REFERENCE.findall(content.decode()):
                if not reference.startswith("data:"):
                    pending.append(posixpath.normpath(posixpath.join(folder, reference)))
    return sizes
