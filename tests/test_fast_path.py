"""The WSGI fast path: cached anonymous pages replayed before the middleware, byte for byte.

These tests call the WSGI applications directly (Django's test client starts below
``twinning/wsgi.py``): ``FastPathWSGIHandler`` as production runs it, and Django's own
``WSGIHandler`` as the full path to compare with.
"""

import datetime as dt
import io
from unittest import mock

import pytest
from django.core.cache import cache
from django.core.handlers.base import BaseHandler
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone

from programmes.domain.services import publish
from programmes.models import Status
from readpath.fast_path import COPY_KEY_PREFIX, FastPathWSGIHandler

from .factories import MissionFactory, StaffFactory
from .test_caching import DOCUMENTS, PAGES, later, url
from .test_caching import mission as mission  # the fixture

pytestmark = pytest.mark.django_db

# Every page type, and the feeds (their addresses name their language).
# The sitemap is left out: unprefixed, its language comes from Accept-Language.
ADDRESSES = PAGES | {
    name: path for name, (path, _) in DOCUMENTS.items() if not name.startswith("sitemap")
}


def environ(address: str, *, method: str = "GET", **headers: str) -> dict:
    """A WSGI environ as gunicorn builds it; ``headers`` as ``if_none_match="…"``."""
    path, _, query = address.partition("?")
    return {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "testserver",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": io.StringIO(),
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        **{f"HTTP_{name.upper()}": value for name, value in headers.items()},
    }


def call(application, address: str, **kwargs) -> tuple[str, list[tuple[str, str]], bytes]:
    """(status, headers in order, body) as the WSGI server receives them."""
    started = {}

    def start_response(status, headers, exc_info=None):
        started.update(status=status, headers=headers)

    # As Django's test client does: starting and finishing a request must not close the
    # test's connection (inside the test's transaction, PostgreSQL's would count as unusable).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        result = application(environ(address, **kwargs), start_response)
        body = b"".join(result)
        if hasattr(result, "close"):
            result.close()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return started["status"], started["headers"], body


@pytest.fixture
def fast():
    return FastPathWSGIHandler()


@pytest.fixture
def full():
    """Django's own handler: every request through the middleware."""
    return WSGIHandler()


@pytest.fixture
def full_path_calls():
    """Counts the requests that go through the middleware, in either handler."""
    with mock.patch.object(
        BaseHandler, "get_response", autospec=True, side_effect=BaseHandler.get_response
    ) as get_response:
        yield get_response


def header(response, name: str) -> str | None:
    return next((value for key, value in response[1] if key == name), None)


@pytest.mark.parametrize("page", ADDRESSES)
def test_a_cached_page_is_replayed_exactly_as_the_full_path_sends_it(
    fast, full, full_path_calls, mission, page, django_assert_num_queries
):
    address = ADDRESSES[page](mission)
    first = call(fast, address)
    from_page_cache = call(full, address)
    assert full_path_calls.call_count == 2

    with django_assert_num_queries(0):
        replayed = call(fast, address)

    assert full_path_calls.call_count == 2
    assert replayed == from_page_cache == first
    assert first[0] == "200 OK"
    names = [name for name, _ in replayed[1]]
    for expected in [
        "Content-Type", "ETag", "Last-Modified", "Cache-Control", "Vary", "Content-Length",
        "Content-Language", "X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy",
        "Cross-Origin-Opener-Policy", "Content-Security-Policy",
    ]:  # fmt: skip
        assert names.count(expected) == 1, expected
    assert header(replayed, "Content-Length") == str(len(replayed[2]))
    assert "nonce" not in header(replayed, "Content-Security-Policy")


def test_head_is_replayed_as_the_full_path_sends_it(fast, full, full_path_calls, mission):
    """The body goes to the server, which sends none for a HEAD, as with the full path."""
    call(fast, url(mission), method="HEAD")
    from_page_cache = call(full, url(mission), method="HEAD")

    replayed = call(fast, url(mission), method="HEAD")
    replayed_get = call(fast, url(mission))

    assert full_path_calls.call_count == 2
    assert replayed == from_page_cache == replayed_get


@pytest.mark.parametrize(
    "validator", [("if_none_match", "ETag"), ("if_modified_since", "Last-Modified")]
)
def test_conditional_requests_get_the_full_paths_304(
    fast, full, full_path_calls, mission, validator
):
    request_header, response_header = validator
    page = call(fast, url(mission))
    condition = {request_header: header(page, response_header)}
    first_304 = call(fast, url(mission), **condition)
    assert full_path_calls.call_count == 2  # the first 304 comes from the full path

    replayed = call(fast, url(mission), **condition)
    from_page_cache = call(full, url(mission), **condition)

    assert full_path_calls.call_count == 3
    assert replayed == from_page_cache == first_304
    assert replayed[0] == "304 Not Modified"
    assert replayed[2] == b""
    assert header(replayed, "ETag") == header(page, "ETag")
    assert header(replayed, "Content-Security-Policy") == header(page, "Content-Security-Policy")


def test_an_outdated_copy_gets_the_page(fast, full_path_calls, mission):
    page = call(fast, url(mission))

    replayed = call(fast, url(mission), if_none_match='"an-older-page"')

    assert full_path_calls.call_count == 1
    assert replayed == page


def test_if_match_takes_the_full_path(fast, full_path_calls, mission):
    page = call(fast, url(mission))

    failed = call(fast, url(mission), if_match='"an-older-page"')

    assert full_path_calls.call_count == 2
    assert failed[0] == "412 Precondition Failed"
    assert call(fast, url(mission), if_match=header(page, "ETag")) == page


def test_staff_take_the_full_path(fast, client, full_path_calls, mission):
    anonymous = call(fast, url(mission))
    client.force_login(StaffFactory())
    session = f"sessionid={client.cookies['sessionid'].value}"

    staff = call(fast, url(mission), cookie=session)

    assert full_path_calls.call_count == 2
    assert header(staff, "Cache-Control") == "private"
    assert header(staff, "ETag") is None
    assert header(anonymous, "ETag") is not None
    # and the staff page is not kept for anyone
    assert call(fast, url(mission)) == anonymous
    assert full_path_calls.call_count == 2


@pytest.mark.parametrize("cookie", ["csrftoken=abc", "messages=x", "theme=dark; sessionid=gone"])
def test_a_cookie_the_middleware_reads_takes_the_full_path(fast, full_path_calls, mission, cookie):
    call(fast, url(mission))

    call(fast, url(mission), cookie=cookie)

    assert full_path_calls.call_count == 2


def test_other_cookies_get_the_copy(fast, full_path_calls, mission):
    page = call(fast, url(mission))

    assert call(fast, url(mission), cookie="django_language=en; theme=dark") == page
    assert full_path_calls.call_count == 1


def test_each_query_string_and_scheme_has_its_own_copy(fast, full_path_calls, mission, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    call(fast, "/nl/missions/")

    call(fast, "/nl/missions/?page=1")
    call(fast, "/nl/missions/", x_forwarded_proto="https")
    assert full_path_calls.call_count == 3

    call(fast, "/nl/missions/", x_forwarded_proto="https")
    assert full_path_calls.call_count == 3


def test_the_language_follows_the_prefix_not_the_visitor(fast, full_path_calls, mission):
    dutch = call(fast, url(mission, "nl"), accept_language="zh-hans")

    english = call(fast, url(mission, "en"), accept_language="nl", cookie="django_language=nl")

    assert header(dutch, "Content-Language") == "nl"
    assert header(english, "Content-Language") == "en"
    assert mission.title_en.encode() in english[2]
    assert call(fast, url(mission, "en"), accept_language="zh-hans") == english
    assert full_path_calls.call_count == 2


def test_pages_that_vary_on_the_language_are_not_replayed(fast, full, full_path_calls, mission):
    """``/sitemap.xml`` has no prefix: Accept-Language and the language cookie choose."""
    first = call(fast, "/sitemap.xml")

    second = call(fast, "/sitemap.xml")

    assert full_path_calls.call_count == 2
    assert "Accept-Language" in header(first, "Vary")
    assert second == first == call(full, "/sitemap.xml")


def test_publishing_changes_the_next_anonymous_request(fast, full_path_calls, mission):
    draft = MissionFactory(partnership=mission.partnership, status=Status.DRAFT, title_nl="Nieuw")
    before = call(fast, "/nl/missions/")
    assert call(fast, "/nl/missions/") == before
    assert b"Nieuw" not in before[2]

    publish([draft])

    after = call(fast, "/nl/missions/")
    assert b"Nieuw" in after[2]
    assert header(after, "ETag") != header(before, "ETag")
    assert call(fast, "/nl/missions/") == after
    assert full_path_calls.call_count == 2


def test_a_scheduled_mission_appears_on_time_without_any_write(fast, full_path_calls, mission):
    MissionFactory(
        partnership=mission.partnership,
        title_nl="Voorjaarsmissie",
        publish_at=timezone.now() + dt.timedelta(hours=1),
    )
    call(fast, "/nl/missions/")
    with later(minutes=59):
        assert b"Voorjaarsmissie" not in call(fast, "/nl/missions/")[2]
        assert full_path_calls.call_count == 1

    with later(hours=1, seconds=1):
        assert b"Voorjaarsmissie" in call(fast, "/nl/missions/")[2]
    assert full_path_calls.call_count == 2


def test_a_host_that_is_not_allowed_is_refused(fast, full_path_calls, mission):
    call(fast, url(mission))

    refused = call(fast, url(mission), host="evil.example")

    assert refused[0] == "400 Bad Request"
    assert full_path_calls.call_count == 2


def test_a_host_no_longer_allowed_is_refused_though_its_copy_is_kept(
    fast, mission, settings, full_path_calls
):
    call(fast, url(mission), host="old.example")  # not allowed: the full path refuses it
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "old.example"]
    call(fast, url(mission), host="old.example")
    assert call(fast, url(mission), host="old.example")[0] == "200 OK"
    assert full_path_calls.call_count == 2

    settings.ALLOWED_HOSTS = ["testserver"]

    assert call(fast, url(mission), host="old.example")[0] == "400 Bad Request"
    assert full_path_calls.call_count == 3


def test_an_unreadable_cache_takes_the_full_path(fast, full, full_path_calls, mission):
    call(fast, url(mission))
    expected = call(full, url(mission))

    with mock.patch.object(cache, "get_many", side_effect=ConnectionError("Redis is away")):
        served = call(fast, url(mission))

    assert full_path_calls.call_count == 3
    assert served == expected


def test_a_copy_that_cannot_be_stored_still_serves_the_page(fast, full, mission):
    """(Whether the page cache itself survives a failing cache is ``caching.py``'s matter.)"""
    set_in_cache = cache.set

    def fail_for_copies(key, *args, **kwargs):
        if key.startswith(COPY_KEY_PREFIX):
            raise ConnectionError("Redis is away")
        return set_in_cache(key, *args, **kwargs)

    with mock.patch.object(cache, "set", side_effect=fail_for_copies):
        served = call(fast, url(mission))

    assert served[0] == "200 OK"
    assert served[2] == call(full, url(mission))[2]
    assert call(fast, url(mission)) == call(full, url(mission))


def test_without_the_page_cache_every_request_takes_the_full_path(
    fast, full_path_calls, mission, settings
):
    settings.PAGE_CACHE_SECONDS = 0
    call(fast, url(mission))

    call(fast, url(mission))

    assert full_path_calls.call_count == 2


def test_the_api_never_takes_the_fast_path(fast, full_path_calls, mission):
    """Its rate limit counts every request."""
    call(fast, "/api/v1/missions")

    call(fast, "/api/v1/missions")

    assert full_path_calls.call_count == 2
