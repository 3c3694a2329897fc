"""Cached API answers from the WSGI fast path: the full path's bytes, its limit, its gzip.

As in ``test_fast_path.py`` the WSGI applications are called directly: ``fast`` is the
handler production runs (``twinning/wsgi.py``: the fast path with the API's admission), and
``full`` is Django's own handler, every request through the middleware.
"""

import datetime as dt
import gzip
import json
import time

import pytest
from django.core.cache import cache
from django.utils import timezone

from api.caching import FAST_PATH_ADMISSION, admit_replay
from api.throttling import throttle
from programmes.domain import services, sync
from readpath.encoding import accepts_gzip, compress
from readpath.fast_path import FastPathWSGIHandler

from ..factories import MissionFactory, OutcomeFactory, StaffFactory
from ..readpath.test_caching import later
from ..readpath.test_fast_path import call
from ..readpath.test_fast_path import full as full  # the fixture
from ..readpath.test_fast_path import full_path_calls as full_path_calls  # the fixture
from .test_api import make_programme

pytestmark = pytest.mark.django_db

GZIP = {"accept_encoding": "gzip, deflate"}  # what requests and httpx send


@pytest.fixture
def fast():
    """As ``twinning/wsgi.py`` makes it."""
    return FastPathWSGIHandler(admissions={FAST_PATH_ADMISSION: admit_replay})


@pytest.fixture
def mission(db):
    mission = MissionFactory(programme_items=2)
    OutcomeFactory(mission=mission)
    return mission


def addresses(mission) -> dict[str, str]:
    return {
        "missions": "/api/v1/missions",
        "mission": f"/api/v1/missions/{mission.uuid}",
        "mission in English": f"/api/v1/missions/{mission.uuid}?lang=en",
        "regions": "/api/v1/regions?limit=10",
        "partnership": f"/api/v1/partnerships/{mission.partnership.uuid}",
        "outcomes": "/api/v1/outcomes?lang=zh-hans",
        "organisations": "/api/v1/organisations",
        "deleted": "/api/v1/deleted",
    }


ADDRESSES = list(addresses(MissionFactory.build()))


def header(response, name: str) -> str | None:
    """A header of a WSGI response, by its name in any case (django-cors-headers writes
    its names in lower case)."""
    return next((value for key, value in response[1] if key.lower() == name.lower()), None)


def from_address(application, address: str):
    """``application`` as a client at ``address`` (``REMOTE_ADDR``) reaches it."""
    return lambda environ, start_response: application(
        {**environ, "REMOTE_ADDR": address}, start_response
    )


# The same bytes as the full path -----------------------------------------------------------


@pytest.mark.parametrize("coding", [{}, GZIP], ids=["identity", "gzip"])
@pytest.mark.parametrize("name", ADDRESSES)
def test_a_cached_answer_is_replayed_exactly_as_the_full_path_sends_it(
    fast, full, full_path_calls, mission, name, coding, django_assert_num_queries
):
    address = addresses(mission)[name]
    first = call(fast, address, **coding)
    from_answer_cache = call(full, address, **coding)
    assert full_path_calls.call_count == 2

    with django_assert_num_queries(0):
        replayed = call(fast, address, **coding)

    assert full_path_calls.call_count == 2
    assert replayed == from_answer_cache == first
    assert replayed[0] == "200 OK"
    names = [name for name, _ in replayed[1]]
    for expected in [
        "Content-Type", "ETag", "Last-Modified", "Cache-Control", "Vary", "Content-Length",
        "X-Content-Type-Options", "Content-Security-Policy",
    ]:  # fmt: skip
        assert names.count(expected) == 1, expected
    assert header(replayed, "Content-Length") == str(len(replayed[2]))
    assert header(replayed, "Vary") == "Accept-Encoding, origin"
    assert header(replayed, "Cache-Control") == "public, max-age=60"
    assert "Content-Language" not in names


def test_gzip_goes_to_clients_that_take_it(fast, full_path_calls, mission):
    address = f"/api/v1/missions/{mission.uuid}"
    plain = call(fast, address)

    zipped = call(fast, address, **GZIP)
    zipped_again = call(fast, address, **GZIP)

    assert full_path_calls.call_count == 2  # one full answer per coding, then replays
    assert zipped_again == zipped
    assert header(zipped, "Content-Encoding") == "gzip"
    assert "Content-Encoding" not in dict(plain[1])
    assert gzip.decompress(zipped[2]) == plain[2]
    assert json.loads(plain[2])["uuid"] == str(mission.uuid)
    assert header(zipped, "Content-Length") == str(len(zipped[2]))
    # The same content in another coding: the same ETag, weak (RFC 9110 §8.8.1).
    assert header(zipped, "ETag") == f"W/{header(plain, 'ETag')}"


def test_a_gzip_answer_costs_the_queries_of_a_plain_one(client, django_assert_num_queries):
    make_programme(programme_items=30)
    client.get("/api/v1/deleted?limit=1")  # compares the records (tests/api/test_api_sync.py)

    # count and last change, last record change, missions with partnership, destinations,
    # organisers, programme items, outcomes, photos (as tests/api/test_api.py pins them)
    with django_assert_num_queries(8):
        built = client.get("/api/v1/missions", headers={"Accept-Encoding": "gzip"})
    with django_assert_num_queries(0):
        cached = client.get("/api/v1/missions", headers={"Accept-Encoding": "gzip"})
        plain = client.get("/api/v1/missions")

    assert built["Content-Encoding"] == cached["Content-Encoding"] == "gzip"
    assert built.content == cached.content
    assert json.loads(gzip.decompress(built.content)) == plain.json()
    assert len(plain.json()["items"][0]["programme_items"]) == 30


@pytest.mark.parametrize(
    "accept_encoding", ["", "identity", "gzip;q=0", "br", "gzip;q=0, *", "deflate, *;q=0"]
)
def test_clients_that_do_not_take_gzip_get_the_answer_as_it_is(
    fast, full, mission, accept_encoding
):
    call(fast, "/api/v1/missions", accept_encoding=accept_encoding)

    answer = call(fast, "/api/v1/missions", accept_encoding=accept_encoding)

    assert "Content-Encoding" not in dict(answer[1])
    assert json.loads(answer[2])["count"] == 1
    assert answer == call(full, "/api/v1/missions", accept_encoding=accept_encoding)


@pytest.mark.parametrize(
    ("header_value", "takes_gzip"),
    [
        ("gzip", True),
        ("gzip, deflate, br, zstd", True),
        ("GZIP;Q=0.5", True),
        ("x-gzip", True),
        ("*", True),
        ("br;q=1.0, *;q=0.1", True),
        ("", False),
        ("identity", False),
        ("gzip;q=0", False),
        ("gzip;q=0.000", False),
        ("gzip;q=zero", False),
        ("*;q=0", False),
        ("*, gzip;q=0", False),
        ("deflate", False),
        (" , ;", False),
    ],
)
def test_which_clients_take_gzip(header_value, takes_gzip):
    assert accepts_gzip(header_value) is takes_gzip


def test_the_gzip_copy_is_made_once_and_always_the_same():
    content = json.dumps({"items": ["Zhejiang", "浙江"] * 1000}).encode()

    assert compress(content) == compress(content)
    assert gzip.decompress(compress(content)) == content
    assert len(compress(content)) < len(content) / 10


def test_head_is_replayed_as_the_full_path_answers_it(fast, full, full_path_calls, mission):
    """The API answers a HEAD itself (problems.py): the GET's headers, no body. A copy is
    made from a GET only; a HEAD's body is dropped by the server."""
    address = f"/api/v1/missions/{mission.uuid}"
    head = call(fast, address, method="HEAD")
    assert head[2] == b""
    call(fast, address, method="HEAD")
    assert full_path_calls.call_count == 2  # an emptied HEAD answer is not kept

    get = call(fast, address)
    replayed_head = call(fast, address, method="HEAD")

    assert full_path_calls.call_count == 3
    assert replayed_head[:2] == get[:2] == call(full, address, method="HEAD")[:2]
    assert header(head, "Content-Length") == str(len(get[2]))


# Conditional requests ---------------------------------------------------------------------


@pytest.mark.parametrize("coding", [{}, GZIP], ids=["identity", "gzip"])
@pytest.mark.parametrize(
    "validator", [("if_none_match", "ETag"), ("if_modified_since", "Last-Modified")]
)
def test_conditional_requests_get_the_full_paths_304(
    fast, full, full_path_calls, mission, validator, coding
):
    request_header, response_header = validator
    answer = call(fast, "/api/v1/missions", **coding)
    condition = {request_header: header(answer, response_header), **coding}
    first_304 = call(fast, "/api/v1/missions", **condition)
    assert full_path_calls.call_count == 2  # the first 304 comes from the full path

    replayed = call(fast, "/api/v1/missions", **condition)
    from_answer_cache = call(full, "/api/v1/missions", **condition)

    assert full_path_calls.call_count == 3
    assert replayed == from_answer_cache == first_304
    assert replayed[0] == "304 Not Modified"
    assert replayed[2] == b""
    assert header(replayed, "ETag") == header(answer, "ETag")
    assert header(replayed, "Vary") == "Accept-Encoding, origin"


def test_a_copy_in_either_coding_is_current_in_the_other(fast, mission):
    """Weak comparison (RFC 9110 §13.1.2): the client that kept the gzip copy and now asks
    without gzip (or the other way round) gets a 304 while the content is unchanged."""
    plain = call(fast, "/api/v1/missions")
    zipped = call(fast, "/api/v1/missions", **GZIP)

    plain_with_gzip_etag = call(fast, "/api/v1/missions", if_none_match=header(zipped, "ETag"))
    zipped_with_plain_etag = call(
        fast, "/api/v1/missions", if_none_match=header(plain, "ETag"), **GZIP
    )

    assert plain_with_gzip_etag[0] == zipped_with_plain_etag[0] == "304 Not Modified"
    assert header(plain_with_gzip_etag, "ETag") == header(plain, "ETag")
    assert header(zipped_with_plain_etag, "ETag") == header(zipped, "ETag")


def test_an_outdated_copy_gets_the_answer(fast, full_path_calls, mission):
    answer = call(fast, "/api/v1/missions", **GZIP)

    replayed = call(fast, "/api/v1/missions", if_none_match='W/"an-older-list"', **GZIP)

    assert full_path_calls.call_count == 1
    assert replayed == answer


# The rate limit -----------------------------------------------------------------------------


@pytest.fixture
def three_per_minute(monkeypatch):
    monkeypatch.setattr(throttle, "num_requests", 3)
    monkeypatch.setattr(throttle, "duration", 60)


def test_the_rate_limit_counts_every_replay(fast, full, full_path_calls, three_per_minute):
    answers = [call(fast, "/api/v1/regions", **GZIP) for _ in range(3)]
    assert full_path_calls.call_count == 1  # two of the three were replays

    refused = call(fast, "/api/v1/regions", **GZIP)

    assert [answer[0] for answer in answers] == ["200 OK"] * 3
    assert full_path_calls.call_count == 2  # a refusal is the full path's own 429
    assert refused[0] == "429 Too Many Requests"
    assert header(refused, "Content-Type") == "application/problem+json"
    assert 0 < int(header(refused, "Retry-After")) <= 60
    assert json.loads(refused[2])["status"] == 429
    assert call(full, "/api/v1/regions")[0] == "429 Too Many Requests"


def test_conditional_replays_count_too(fast, full_path_calls, three_per_minute):
    etag = header(call(fast, "/api/v1/regions"), "ETag")
    call(fast, "/api/v1/regions", if_none_match=etag)  # the full path's 304, kept

    assert call(fast, "/api/v1/regions", if_none_match=etag)[0] == "304 Not Modified"
    assert full_path_calls.call_count == 2
    assert call(fast, "/api/v1/regions", if_none_match=etag)[0] == "429 Too Many Requests"


def test_the_limit_is_per_client_address(fast, full_path_calls, three_per_minute):
    for _ in range(3):
        call(fast, "/api/v1/regions", x_forwarded_for="10.0.0.1")

    other = call(from_address(fast, "192.0.2.7"), "/api/v1/regions")

    assert call(fast, "/api/v1/regions")[0] == "429 Too Many Requests"
    assert other[0] == "200 OK"
    assert full_path_calls.call_count == 2  # one answer, then the refusal


def test_the_limit_ends_after_its_period(fast, three_per_minute, monkeypatch):
    for _ in range(4):
        call(fast, "/api/v1/regions")
    later_on = time.time() + 61
    monkeypatch.setattr(throttle, "timer", lambda: later_on)

    assert call(fast, "/api/v1/regions")[0] == "200 OK"


def test_the_production_application_replays_api_answers(full_path_calls, mission):
    from twinning.wsgi import application

    call(application, "/api/v1/missions")
    call(application, "/api/v1/missions")

    assert full_path_calls.call_count == 1


# Who never gets a copy, and what is never kept ---------------------------------------------


def test_staff_take_the_full_path(fast, client, full_path_calls, mission):
    anonymous = call(fast, "/api/v1/missions")
    client.force_login(StaffFactory())
    session = f"sessionid={client.cookies['sessionid'].value}"

    staff = call(fast, "/api/v1/missions", cookie=session)
    call(fast, "/api/v1/missions", cookie=session)

    assert full_path_calls.call_count == 3
    assert staff[2] == anonymous[2]  # the same export, for everyone
    assert call(fast, "/api/v1/missions") == anonymous
    assert full_path_calls.call_count == 3


@pytest.mark.parametrize(
    ("address", "status"),
    [
        ("/api/v1/missions/3f2b8c1e-6d4a-4e0b-9a57-1c2d3e4f5a6b", "404 Not Found"),
        ("/api/v1/missions?updatedsince=2026-01-01", "400 Bad Request"),
        ("/api/v1/missions?limit=1000", "422 Unprocessable Entity"),
        ("/api/v1/projects", "404 Not Found"),
    ],
)
def test_errors_are_never_kept(fast, full, full_path_calls, mission, address, status):
    first = call(fast, address, **GZIP)

    second = call(fast, address, **GZIP)

    assert full_path_calls.call_count == 2
    assert first[0] == status
    assert second == first == call(full, address, **GZIP)
    assert header(first, "Content-Type") == "application/problem+json"
    assert "Content-Encoding" not in dict(first[1])


def test_a_partner_origin_takes_the_full_path_and_gets_cors(
    fast, full_path_calls, mission, settings
):
    partner = "https://www.partner.example.cn"
    settings.CORS_ALLOWED_ORIGINS = [partner]
    call(fast, "/api/v1/missions")

    from_browser = call(fast, "/api/v1/missions", origin=partner)
    call(fast, "/api/v1/missions", origin=partner)

    assert full_path_calls.call_count == 3
    assert header(from_browser, "Access-Control-Allow-Origin") == partner
    assert header(call(fast, "/api/v1/missions"), "Access-Control-Allow-Origin") is None
    assert full_path_calls.call_count == 3


def test_each_language_and_query_has_its_own_copy(fast, full_path_calls):
    mission = MissionFactory(title_nl="Missie", title_en="Mission")
    address = f"/api/v1/missions/{mission.uuid}"
    for _ in range(2):
        dutch = json.loads(call(fast, address + "?lang=nl")[2])
        english = json.loads(call(fast, address + "?lang=en")[2])
        every = json.loads(call(fast, address)[2])

    assert full_path_calls.call_count == 3
    assert (dutch["title"], english["title"]) == ("Missie", "Mission")
    assert every["title"]["en"] == "Mission"


# Never stale ---------------------------------------------------------------------------------


def test_a_write_changes_the_next_answer(fast, mission):
    address = f"/api/v1/missions/{mission.uuid}?lang=en"
    before = call(fast, address, **GZIP)
    assert call(fast, address, **GZIP) == before

    mission.title_en = "After the edit"
    services.save_content(mission)

    after = call(fast, address, **GZIP)
    assert json.loads(gzip.decompress(after[2]))["title"] == "After the edit"
    assert header(after, "ETag") != header(before, "ETag")


def test_a_scheduled_publication_reaches_the_replayed_list(fast, full_path_calls, mission):
    scheduled = MissionFactory(publish_at=timezone.now() + dt.timedelta(hours=1))
    assert json.loads(call(fast, "/api/v1/missions")[2])["count"] == 1
    with later(minutes=59):
        assert json.loads(call(fast, "/api/v1/missions")[2])["count"] == 1
    assert full_path_calls.call_count == 1

    with later(hours=1, seconds=1):
        listed = json.loads(call(fast, "/api/v1/missions")[2])

    assert full_path_calls.call_count == 2
    assert str(scheduled.uuid) in {item["uuid"] for item in listed["items"]}


def test_an_expired_comparison_of_the_records_takes_the_full_path(fast, full_path_calls, mission):
    """The full path compares the export records first (sync.catch_up); a replay needs the
    comparison made under the current generation."""
    call(fast, "/api/v1/missions")
    call(fast, "/api/v1/missions")
    assert full_path_calls.call_count == 1

    cache.delete(sync.RECONCILED_KEY)  # as when API_CACHE_SECONDS pass

    call(fast, "/api/v1/missions")
    assert full_path_calls.call_count == 2
    call(fast, "/api/v1/missions")
    assert full_path_calls.call_count == 2
