"""The API over HTTP: validators and 304s, caching rules, CORS, the rate limit, problems,
filters, and photos with their renditions."""

import datetime as dt
import time

import pytest
from django.core.cache import cache
from django.utils import timezone
from django.utils.http import http_date

from api.throttling import throttle
from programmes.domain import services
from programmes.domain.permissions import PARTNER_REVIEWER
from programmes.models import Mission, Region, Status

from ..factories import (
    MissionFactory,
    OrganisationFactory,
    OutcomeFactory,
    PartnershipFactory,
    PhotoFactory,
    ProgrammeItemFactory,
    RegionFactory,
    StaffFactory,
)

pytestmark = pytest.mark.django_db

PARTNER = "https://www.partner.example.cn"


def paths(mission) -> list[str]:
    return [
        "missions",
        f"missions/{mission.uuid}",
        "regions",
        f"regions/{mission.partnership.home_region.uuid}",
        "partnerships",
        f"partnerships/{mission.partnership.uuid}",
        "outcomes",
        "organisations",
        "deleted",
    ]


# Validators and conditional requests.


@pytest.mark.parametrize("index", range(9))
def test_every_get_has_validators_and_a_cache_rule(client, index):
    mission = MissionFactory()
    OutcomeFactory(mission=mission)
    path = paths(mission)[index]

    response = client.get(f"/api/v1/{path}")

    assert response.status_code == 200
    assert response["ETag"].startswith('"') and response["ETag"].endswith('"')
    assert response["Last-Modified"].endswith(" GMT")
    assert response["Cache-Control"] == "public, max-age=60"
    again = client.get(f"/api/v1/{path}", headers={"If-None-Match": response["ETag"]})
    assert (again.status_code, again.content) == (304, b"")
    assert again["ETag"] == response["ETag"]
    assert again["Cache-Control"] == "public, max-age=60"
    since = client.get(f"/api/v1/{path}", headers={"If-Modified-Since": response["Last-Modified"]})
    assert since.status_code == 304


def test_an_edit_changes_the_etag_of_the_object_and_of_its_lists(client):
    mission = MissionFactory(programme_items=1)
    detail = client.get(f"/api/v1/missions/{mission.uuid}")
    listed = client.get("/api/v1/missions")

    item = mission.programme_items.get()
    item.title_en = "Harbour visit"
    item.save()

    for path, before in ((f"missions/{mission.uuid}", detail), ("missions", listed)):
        response = client.get(f"/api/v1/{path}", headers={"If-None-Match": before["ETag"]})
        assert response.status_code == 200
        assert response["ETag"] != before["ETag"]
        assert response["Last-Modified"] >= before["Last-Modified"]


def test_a_list_changes_when_an_object_leaves_it(client):
    first, second = MissionFactory.create_batch(2)
    listed = client.get("/api/v1/missions")

    services.unpublish([second])

    response = client.get("/api/v1/missions", headers={"If-None-Match": listed["ETag"]})
    assert response.status_code == 200
    assert [item["uuid"] for item in response.json()["items"]] == [str(first.uuid)]


def test_the_etag_depends_on_the_language_and_the_page(client):
    MissionFactory.create_batch(2)

    etags = {
        client.get("/api/v1/missions", query_params=params)["ETag"]
        for params in ({}, {"lang": "en"}, {"limit": 1}, {"limit": 1, "offset": 1})
    }

    assert len(etags) == 4


def test_an_old_if_modified_since_gets_the_body(client):
    mission = MissionFactory()
    old = http_date((timezone.now() - dt.timedelta(days=3)).timestamp())

    response = client.get(f"/api/v1/missions/{mission.uuid}", headers={"If-Modified-Since": old})

    assert response.status_code == 200
    assert response.json()["uuid"] == str(mission.uuid)


def test_a_conditional_request_does_not_build_the_body(client, django_assert_num_queries, settings):
    settings.PAGE_CACHE_SECONDS = 0  # no answer cache: the validators are computed
    MissionFactory.create_batch(3, programme_items=2)
    etag = client.get("/api/v1/missions")["ETag"]

    # count and last change, last record change: no missions, items, outcomes, photos
    with django_assert_num_queries(2):
        response = client.get("/api/v1/missions", headers={"If-None-Match": etag})

    assert response.status_code == 304


def test_head_answers_like_get_without_a_body(client):
    mission = MissionFactory()

    get = client.get(f"/api/v1/missions/{mission.uuid}")
    head = client.head(f"/api/v1/missions/{mission.uuid}")

    assert (head.status_code, head.content) == (200, b"")
    assert head["ETag"] == get["ETag"]
    assert int(head["Content-Length"]) == len(get.content)


# CORS: partner origins may read the API from the browser, GET only.


@pytest.fixture
def partner_origins(settings):
    settings.CORS_ALLOWED_ORIGINS = [PARTNER, "https://partner.example.nl"]


def test_a_partner_origin_may_read_the_api(client, partner_origins):
    mission = MissionFactory()

    response = client.get(f"/api/v1/missions/{mission.uuid}", headers={"Origin": PARTNER})

    assert response["Access-Control-Allow-Origin"] == PARTNER
    assert "Access-Control-Allow-Credentials" not in response
    assert set(response["Access-Control-Expose-Headers"].split(", ")) == {
        "ETag",
        "Retry-After",
        "Date",
    }
    # What varies is the origin and the coding (a cached answer has a gzip copy); not
    # cookies, not the browser's language (``lang`` decides).
    assert response["Vary"] == "Accept-Encoding, origin"
    assert "Content-Language" not in response


def test_a_preflight_allows_get_and_the_conditional_headers(client, partner_origins):
    response = client.options(
        "/api/v1/missions",
        headers={
            "Origin": PARTNER,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "if-none-match",
        },
    )

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == PARTNER
    assert set(response["Access-Control-Allow-Methods"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    assert "if-none-match" in response["Access-Control-Allow-Headers"]


def test_other_origins_and_other_methods_are_refused(client, partner_origins):
    mission = MissionFactory()

    stranger = client.get(
        f"/api/v1/missions/{mission.uuid}", headers={"Origin": "https://evil.example.com"}
    )
    preflight = client.options(
        "/api/v1/missions",
        headers={"Origin": PARTNER, "Access-Control-Request-Method": "DELETE"},
    )
    post = client.post("/api/v1/missions", headers={"Origin": PARTNER})

    assert "Access-Control-Allow-Origin" not in stranger
    assert "DELETE" not in preflight["Access-Control-Allow-Methods"]
    assert post.status_code == 405
    assert post["Content-Type"] == "application/problem+json"
    assert post.json()["detail"] == "This address answers only GET."


def test_cors_is_only_for_the_api(client, partner_origins):
    response = client.get("/nl/", headers={"Origin": PARTNER})

    assert "Access-Control-Allow-Origin" not in response


def test_without_partner_origins_no_origin_may_read_the_api(client, settings):
    settings.CORS_ALLOWED_ORIGINS = []

    response = client.get("/api/v1/missions", headers={"Origin": PARTNER})

    assert "Access-Control-Allow-Origin" not in response


# The rate limit for anonymous clients.


@pytest.fixture
def three_per_minute(monkeypatch):
    monkeypatch.setattr(throttle, "num_requests", 3)
    monkeypatch.setattr(throttle, "duration", 60)


def test_too_many_requests_get_a_429_problem_with_retry_after(client, three_per_minute):
    for _ in range(3):
        assert client.get("/api/v1/regions").status_code == 200

    response = client.get("/api/v1/regions")

    assert response.status_code == 429
    assert response["Content-Type"] == "application/problem+json"
    assert 0 < int(response["Retry-After"]) <= 60
    assert response.json() == {
        "type": "about:blank",
        "title": "Too Many Requests",
        "status": 429,
        "detail": "Too many requests from this address. Try again after Retry-After seconds.",
        "instance": "/api/v1/regions",
    }


def test_the_limit_counts_per_client_address_not_its_own_forwarded_for(client, three_per_minute):
    for number in range(3):
        client.get("/api/v1/regions", headers={"X-Forwarded-For": f"10.0.0.{number}"})

    assert client.get("/api/v1/regions", headers={"X-Forwarded-For": "10.0.0.9"}).status_code == 429
    other = client.get("/api/v1/regions", REMOTE_ADDR="192.0.2.7")
    assert other.status_code == 200


def test_logged_in_staff_are_not_limited(client, three_per_minute):
    client.force_login(StaffFactory())

    assert {client.get("/api/v1/regions").status_code for _ in range(5)} == {200}


def test_a_partner_reviewer_is_limited_as_the_partners_clients_are(client, three_per_minute):
    """Partner reviewers log in to the admin, but work for the partner: not our staff."""
    client.force_login(
        StaffFactory(role=PARTNER_REVIEWER, reviews={PartnershipFactory(): ["zh-hans"]})
    )

    assert [client.get("/api/v1/regions").status_code for _ in range(4)] == [200, 200, 200, 429]


def test_the_record_of_a_client_is_packed_and_the_old_form_still_counts(client, three_per_minute):
    """The moments of a client's requests are kept packed (api/throttling.py); a record kept
    as ninja's list before (a deploy) still counts."""
    client.get("/api/v1/regions")
    assert isinstance(cache.get("throttle_anonymous_127.0.0.1"), bytes)
    cache.set("throttle_anonymous_127.0.0.1", [time.time()] * 3, 60)

    assert client.get("/api/v1/regions").status_code == 429


def test_the_limit_ends_after_its_period(client, three_per_minute, monkeypatch):
    for _ in range(4):
        client.get("/api/v1/regions")
    later = time.time() + 61
    monkeypatch.setattr(throttle, "timer", lambda: later)

    assert client.get("/api/v1/regions").status_code == 200


# Problems (RFC 9457) for every error.


def test_an_unknown_address_under_the_api_is_a_404_problem(client):
    response = client.get("/api/v1/projects")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json() == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "There is nothing at this address. The API's endpoints are listed in "
        "/api/v1/openapi.json.",
        "instance": "/api/v1/projects",
    }


# A trailing slash: a 308 to the address without it, the query string kept.


@pytest.mark.parametrize("index", range(9))
def test_every_address_with_a_trailing_slash_redirects_to_the_one_without(client, index):
    mission = MissionFactory()
    path = paths(mission)[index]

    query = "limit=1" if path == "deleted" else "lang=en"  # a parameter it takes

    response = client.get(f"/api/v1/{path}/?{query}")

    assert response.status_code == 308  # permanent, and the method is kept
    assert response["Location"] == f"/api/v1/{path}?{query}"
    assert client.get(response["Location"]).status_code == 200


def test_the_redirect_carries_cors_for_a_partner(client, partner_origins):
    response = client.get("/api/v1/missions/", headers={"Origin": PARTNER})

    assert response.status_code == 308
    assert response["Access-Control-Allow-Origin"] == PARTNER


def test_a_trailing_slash_on_an_unknown_address_is_still_a_404_problem(client):
    for path in ["/api/v1/projects/", "/api/v1/missions/x/y/", "/api/v1/missions//"]:
        response = client.get(path)

        assert response.status_code == 404, path
        assert response["Content-Type"] == "application/problem+json"


def test_the_document_names_the_addresses_without_a_trailing_slash(client):
    document = client.get("/api/v1/openapi.json").json()

    assert document["paths"]
    assert not [path for path in document["paths"] if path.endswith("/")]
    assert "trailing slash" in document["info"]["description"]


def test_an_unknown_query_parameter_is_a_400_problem(client):
    response = client.get("/api/v1/missions", query_params={"updatedsince": "2026-01-01"})

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert (problem["type"], problem["title"], problem["status"]) == (
        "urn:twinning:problem:unknown-parameters",
        "Unknown parameters",
        400,
    )
    assert problem["detail"] == "This endpoint does not take: updatedsince."
    assert [(error["in"], error["name"]) for error in problem["errors"]] == [
        ("query", "updatedsince")
    ]
    assert "updated_since" in problem["errors"][0]["detail"]


def test_several_invalid_parameters_are_each_listed(client):
    response = client.get(
        "/api/v1/missions", query_params={"limit": "many", "kind": "holiday", "lang": "fr"}
    )

    problem = response.json()
    assert response.status_code == 422
    assert sorted(error["name"] for error in problem["errors"]) == ["kind", "lang", "limit"]
    assert problem["detail"] == "Invalid value for: kind, lang, limit."


def test_pages_outside_the_api_keep_their_html_errors(client):
    response = client.get("/nl/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


# Filters.


def uuids(client, path: str, **params) -> set[str]:
    response = client.get(f"/api/v1/{path}", query_params=params)
    assert response.status_code == 200, response.content
    return {item["uuid"] for item in response.json()["items"]}


def test_missions_by_partnership_kind_and_region(client):
    dalian = RegionFactory()
    trip = MissionFactory(kind=Mission.Kind.INSPIRATION_TRIP, destinations=[dalian])
    visit = MissionFactory(partnership=trip.partnership, kind=Mission.Kind.ECONOMIC_MISSION)
    ProgrammeItemFactory(mission=visit, city=dalian)
    elsewhere = MissionFactory(kind=Mission.Kind.INSPIRATION_TRIP)

    assert uuids(client, "missions", partnership=str(trip.partnership.uuid)) == {
        str(trip.uuid),
        str(visit.uuid),
    }
    assert uuids(client, "missions", kind="inspiration_trip") == {
        str(trip.uuid),
        str(elsewhere.uuid),
    }
    assert uuids(client, "missions", region=str(dalian.uuid)) == {str(trip.uuid), str(visit.uuid)}
    assert uuids(client, "missions", region=str(dalian.uuid), kind="economic_mission") == {
        str(visit.uuid)
    }


def test_the_filters_of_the_other_lists(client):
    province = RegionFactory(kind=Region.Kind.PROVINCE)
    city = RegionFactory(kind=Region.Kind.CITY, parent=province)
    organisation = OrganisationFactory(region=city)
    partnership = PartnershipFactory(partner_region=city)
    outcome = OutcomeFactory(mission=MissionFactory(partnership=partnership))
    OutcomeFactory()

    assert uuids(client, "regions", region=str(province.uuid)) == {str(city.uuid)}
    assert str(province.uuid) in uuids(client, "regions", kind="province")
    assert str(city.uuid) not in uuids(client, "regions", kind="province")
    assert uuids(client, "organisations", region=str(city.uuid)) == {str(organisation.uuid)}
    assert uuids(client, "partnerships", region=str(city.uuid)) == {str(partnership.uuid)}
    assert uuids(client, "outcomes", partnership=str(partnership.uuid)) == {str(outcome.uuid)}
    assert uuids(client, "outcomes", mission=str(outcome.mission.uuid)) == {str(outcome.uuid)}


def test_a_filter_on_an_unpublished_partnership_finds_nothing(client):
    mission = MissionFactory(partnership=PartnershipFactory(status=Status.DRAFT))

    assert uuids(client, "missions", partnership=str(mission.partnership.uuid)) == set()


def test_the_count_is_of_the_filtered_list(client):
    partnership = PartnershipFactory()
    MissionFactory.create_batch(3, partnership=partnership)
    MissionFactory()

    page = client.get(
        "/api/v1/missions", query_params={"partnership": str(partnership.uuid), "limit": 2}
    ).json()

    assert (len(page["items"]), page["count"]) == (2, 3)


def test_deleted_by_type_and_since(client):
    mission, region = MissionFactory(), RegionFactory()
    client.get("/api/v1/deleted")
    services.delete_content(mission)
    after_mission = timezone.now()
    services.unpublish([region])

    def listed(**params):
        return [
            (item["type"], item["uuid"])
            for item in client.get("/api/v1/deleted", query_params=params).json()["items"]
        ]

    assert listed() == [("mission", str(mission.uuid)), ("region", str(region.uuid))]
    assert listed(type="region") == [("region", str(region.uuid))]
    assert listed(since=after_mission.isoformat()) == [("region", str(region.uuid))]


# Photos.


def test_a_mission_photo_with_its_renditions_and_texts(client):
    mission = MissionFactory()
    photo = PhotoFactory(
        mission=mission,
        image__width=1200,
        image__height=800,
        alt_text_nl="Haven",
        alt_text_en="Harbour",
        alt_text_zh_hans="",
        caption_nl="",
        caption_en="",
        caption_zh_hans="",
        credit="Port of Dalian",
    )

    data = client.get(f"/api/v1/missions/{mission.uuid}", query_params={"lang": "zh-hans"}).json()

    exported = data["photos"][0]
    assert exported["uuid"] == str(photo.uuid)
    assert (exported["width"], exported["height"]) == (1200, 800)
    assert (exported["alt_text"], exported["caption"], exported["credit"]) == (
        "Harbour",
        "",
        "Port of Dalian",
    )
    assert exported["fallbacks"] == {"alt_text": "en"}
    assert [(r["format"], r["width"], r["height"]) for r in exported["renditions"]] == [
        ("webp", 480, 320),
        ("webp", 960, 640),
        ("webp", 1200, 800),
        ("jpeg", 480, 320),
        ("jpeg", 960, 640),
        ("jpeg", 1200, 800),
    ]
    for rendition in exported["renditions"]:
        assert rendition["url"].startswith("http://testserver/media/renditions/")
        assert rendition["url"].endswith(".webp" if rendition["format"] == "webp" else ".jpg")


def test_a_region_photo_in_all_languages(client):
    region = RegionFactory()
    PhotoFactory(mission=None, region=region, alt_text_nl="Stad", alt_text_en="City")

    photo = client.get(f"/api/v1/regions/{region.uuid}").json()["photos"][0]

    assert photo["alt_text"] == {
        "nl": "Stad",
        "en": "City",
        "zh-hans": photo["alt_text"]["zh-hans"],
    }
    assert "fallbacks" not in photo


# The OpenAPI document says all of this.


def test_the_document_describes_every_answer_with_its_headers(client):
    document = client.get("/api/v1/openapi.json").json()

    for path, operations in document["paths"].items():
        operation = operations["get"]
        answers = operation["responses"]
        expected = {"200", "304", "400", "422", "429"} | ({"404"} if "{uuid}" in path else set())
        assert set(answers) == expected, path
        assert set(answers["200"]["headers"]) == {"ETag", "Last-Modified", "Cache-Control"}
        assert "content" not in answers["304"]
        for status in expected - {"200", "304"}:
            content = answers[status]["content"]
            assert list(content) == ["application/problem+json"], (path, status)
            assert content["application/problem+json"]["example"]["status"] == int(status)
        assert answers["429"]["headers"]["Retry-After"]["required"] is True
        headers = {p["name"] for p in operation["parameters"] if p["in"] == "header"}
        assert headers == {"If-None-Match", "If-Modified-Since"}
    parameters = document["paths"]["/api/v1/missions"]["get"]["parameters"]
    updated_since = next(p for p in parameters if p["name"] == "updated_since")
    assert updated_since["example"] == "2026-11-20T09:30:00Z"
    problem = document["components"]["schemas"]["InvalidParameters"]
    assert {"type", "title", "status", "detail", "instance", "errors"} <= set(problem["properties"])
    error = document["components"]["schemas"]["ParameterError"]
    assert set(error["properties"]) == {"in", "name", "detail", "type"}


# Answers from the cache (api/caching.py, cached_answer): the same bytes, within the limit.


@pytest.mark.parametrize("index", range(9))
def test_an_answer_is_given_again_from_the_cache(client, index, django_assert_num_queries):
    mission = MissionFactory(programme_items=2)
    OutcomeFactory(mission=mission)
    path = f"/api/v1/{paths(mission)[index]}"
    first = client.get(path)

    with django_assert_num_queries(0):
        second = client.get(path)

    assert first.status_code == second.status_code == 200
    assert second.content == first.content
    assert list(second.headers.items()) == list(first.headers.items())


def test_a_cached_answers_304_is_the_same_as_without_the_cache(client, settings):
    mission = MissionFactory()
    path = f"/api/v1/missions/{mission.uuid}"
    settings.PAGE_CACHE_SECONDS = 0
    etag = client.get(path)["ETag"]
    computed = client.get(path, headers={"If-None-Match": etag})
    settings.PAGE_CACHE_SECONDS = 60
    client.get(path)

    cached = client.get(path, headers={"If-None-Match": etag})
    by_date = client.get(path, headers={"If-Modified-Since": computed["Last-Modified"]})

    assert computed.status_code == cached.status_code == by_date.status_code == 304
    assert cached.content == b""
    # The same, but that a cached answer also has a gzip copy, so it varies on the coding.
    assert cached["Vary"] == "Accept-Encoding, origin"
    assert computed["Vary"] == "origin"
    assert [(name, value) for name, value in cached.headers.items() if name != "Vary"] == [
        (name, value) for name, value in computed.headers.items() if name != "Vary"
    ]


def test_a_304_with_the_cache_is_the_same_whether_the_answer_was_cached(client):
    """Decided before the body is built (the answer not yet cached), or from the cache."""
    mission = MissionFactory()
    path = f"/api/v1/missions/{mission.uuid}"
    etag = client.get(path)["ETag"]
    cache.clear()

    computed = client.get(path, headers={"If-None-Match": etag})
    client.get(path)
    cached = client.get(path, headers={"If-None-Match": etag})

    assert computed.status_code == cached.status_code == 304
    assert list(cached.headers.items()) == list(computed.headers.items())
    assert cached["ETag"] == etag


def test_a_write_changes_the_next_answer(client):
    mission = MissionFactory(title_en="Before")
    path = f"/api/v1/missions/{mission.uuid}"
    before = client.get(path)

    mission.title_en = "After"
    services.save_content(mission)
    after = client.get(path, headers={"If-None-Match": before["ETag"]})

    assert after.status_code == 200
    assert after.json()["title"]["en"] == "After"
    assert after["ETag"] != before["ETag"]


def test_a_scheduled_publication_reaches_the_cached_list(client, monkeypatch):
    MissionFactory()
    scheduled = MissionFactory(publish_at=timezone.now() + dt.timedelta(hours=1))
    assert client.get("/api/v1/missions").json()["count"] == 1
    later = timezone.now() + dt.timedelta(hours=1, seconds=1)
    monkeypatch.setattr("django.utils.timezone.now", lambda: later)

    listed = client.get("/api/v1/missions").json()

    assert listed["count"] == 2
    assert str(scheduled.uuid) in {item["uuid"] for item in listed["items"]}


def test_the_rate_limit_counts_cached_answers(client, three_per_minute, django_assert_num_queries):
    assert client.get("/api/v1/regions").status_code == 200
    with django_assert_num_queries(0):
        assert [client.get("/api/v1/regions").status_code for _ in range(2)] == [200, 200]

    assert client.get("/api/v1/regions").status_code == 429


def test_cached_answers_carry_cors_for_the_origin_that_asks(client, settings):
    settings.CORS_ALLOWED_ORIGINS = [PARTNER]
    mission = MissionFactory()
    path = f"/api/v1/missions/{mission.uuid}"
    client.get(path)

    partner = client.get(path, headers={"Origin": PARTNER})
    stranger = client.get(path, headers={"Origin": "https://evil.example.com"})

    assert partner["Access-Control-Allow-Origin"] == PARTNER
    assert "Access-Control-Allow-Origin" not in stranger
    assert partner.content == stranger.content


def test_each_language_and_query_has_its_own_answer(client):
    mission = MissionFactory(title_nl="Missie", title_en="Mission")
    path = f"/api/v1/missions/{mission.uuid}"

    dutch = client.get(path, {"lang": "nl"}).json()
    english = client.get(path, {"lang": "en"}).json()

    assert (dutch["title"], english["title"]) == ("Missie", "Mission")
