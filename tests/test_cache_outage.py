"""A cache that cannot be reached: the site keeps serving, uncached, and recovers by itself.

Against a real Redis started for these tests on a free loopback port (never the machine's own
on 6379), which the tests stop, pause and start again. Without ``redis-server`` those tests
are skipped; the one against a port where nothing listens always runs.
"""

import logging
import os
import shutil
import signal
import socket
import subprocess
import time

import pytest
import redis
from django.core.cache import cache
from pytest_django.asserts import assertContains, assertNotContains

from api.endpoints import throttle
from programmes.domain.services import save_content
from readpath.fast_path import FastPathWSGIHandler
from twinning import cache as resilient

from .factories import MissionFactory
from .test_fast_path import call

pytestmark = pytest.mark.django_db

REDIS_SERVER = shutil.which("redis-server")
needs_redis_server = pytest.mark.skipif(
    REDIS_SERVER is None,
    reason="redis-server is not installed (apt-get install redis-server): the tests against "
    "a real Redis that is stopped and started again cannot run",
)
# Seconds between tries while Redis is away; short, so the tests need not wait long.
RETRY_AFTER = 0.3
UNREACHABLE = "cannot be reached"
REACHABLE_AGAIN = "can be reached again"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    """A throw-away redis-server on a loopback port: no snapshots, no append-only file."""

    def __init__(self, directory):
        self.port = free_port()
        self.directory = directory
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                *(REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--dir", str(self.directory)),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                self.client().ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)

    def pause(self) -> None:
        """Frozen: connections are accepted by the kernel but never answered (a black hole),
        and what Redis holds is kept."""
        os.kill(self.process.pid, signal.SIGSTOP)

    def resume(self) -> None:
        os.kill(self.process.pid, signal.SIGCONT)

    def client(self) -> redis.Redis:
        return redis.Redis(port=self.port, socket_timeout=2)

    def page_keys(self) -> list[bytes]:
        return self.client().keys("twinning:*:pages:page:*")


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    yield server
    if server.process.poll() is None:
        server.resume()
        server.stop()


def use_redis(settings, url: str) -> None:
    """The cache as production configures it with ``REDIS_URL=url``, retrying sooner."""
    options = {**settings.REDIS_CACHE["OPTIONS"], "RETRY_AFTER": RETRY_AFTER}
    settings.CACHES = {"default": {**settings.REDIS_CACHE, "LOCATION": url, "OPTIONS": options}}
    settings.PAGE_CACHE_SECONDS = 3600


@pytest.fixture
def redis_cache(settings, redis_server):
    use_redis(settings, redis_server.url)
    return redis_server


@pytest.fixture
def mission():
    return MissionFactory(title_nl="Handelsmissie Dalian", title_en="Trade mission to Dalian")


@pytest.fixture
def cache_log(caplog):
    caplog.set_level(logging.WARNING, logger="twinning.cache")
    return caplog


def messages(caplog, text: str) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "twinning.cache" and text in r.getMessage()
    ]


def after_the_retry_pause() -> None:
    time.sleep(RETRY_AFTER + 0.1)


def assert_the_site_answers(client, mission) -> None:
    """Every kind of answer that uses the cache, with its content."""
    page = client.get(mission.get_absolute_url())
    assertContains(page, "<h1>Handelsmissie Dalian</h1>", html=True)
    assertContains(client.get("/nl/"), "Handelsmissie Dalian")
    assertContains(client.get("/nl/search/", {"q": "Dalian"}), "<mark>Dalian</mark>")
    listed = client.get("/api/v1/missions", {"lang": "en"})
    assert listed.status_code == 200
    assert [(m["uuid"], m["title"]) for m in listed.json()["items"]] == [
        (str(mission.uuid), "Trade mission to Dalian")
    ]
    one = client.get(f"/api/v1/missions/{mission.uuid}", {"lang": "nl"})
    assert (one.status_code, one.json()["title"]) == (200, "Handelsmissie Dalian")


@needs_redis_server
def test_pages_are_cached_in_redis(client, redis_cache, mission, django_assert_num_queries):
    client.get(mission.get_absolute_url())

    with django_assert_num_queries(0):
        again = client.get(mission.get_absolute_url())

    assertContains(again, "<h1>Handelsmissie Dalian</h1>", html=True)
    assert len(redis_cache.page_keys()) == 1


@needs_redis_server
def test_a_stopped_redis_leaves_the_site_working_and_caching_resumes_when_it_is_back(
    client, redis_cache, mission, cache_log, django_assert_num_queries
):
    assert_the_site_answers(client, mission)

    redis_cache.stop()
    for _ in range(3):
        assert_the_site_answers(client, mission)
        after_the_retry_pause()  # every pass tries Redis again, and fails

    assert len(messages(cache_log, UNREACHABLE)) == 1
    assert messages(cache_log, REACHABLE_AGAIN) == []

    redis_cache.start()  # empty: it keeps nothing on disk
    after_the_retry_pause()
    assert_the_site_answers(client, mission)
    with django_assert_num_queries(0):
        cached = client.get(mission.get_absolute_url())

    assertContains(cached, "<h1>Handelsmissie Dalian</h1>", html=True)
    assert len(redis_cache.page_keys()) >= 1
    assert len(messages(cache_log, REACHABLE_AGAIN)) == 1


@needs_redis_server
def test_nothing_cached_before_an_outage_is_served_after_it(
    client, redis_cache, mission, django_assert_num_queries
):
    """The edit made while Redis did not answer could not end the content generation there;
    Redis comes back with the old pages, which must not be served."""
    page_url = mission.get_absolute_url()
    client.get(page_url)
    assert len(redis_cache.page_keys()) == 1

    redis_cache.pause()
    started = time.monotonic()
    mission.title_nl = "Handelsmissie Shenyang"
    save_content(mission)
    during = client.get(page_url)
    seconds = time.monotonic() - started

    assertContains(during, "<h1>Handelsmissie Shenyang</h1>", html=True)
    # One operation waits for the socket timeout (1 s); the others skip Redis at once.
    assert seconds < 4

    redis_cache.resume()
    after_the_retry_pause()
    after = client.get(page_url)
    with django_assert_num_queries(0):
        cached = client.get(page_url)

    for response in (after, cached):
        assertContains(response, "<h1>Handelsmissie Shenyang</h1>", html=True)
        assertNotContains(response, "Handelsmissie Dalian")


@needs_redis_server
def test_the_rate_limit_lets_requests_through_while_redis_is_away(client, redis_cache, monkeypatch):
    monkeypatch.setattr(throttle, "num_requests", 3)
    monkeypatch.setattr(throttle, "duration", 60)

    def statuses(count: int) -> list[int]:
        return [client.get("/api/v1/regions").status_code for _ in range(count)]

    assert statuses(4) == [200, 200, 200, 429]
    redis_cache.stop()
    assert statuses(5) == [200] * 5
    redis_cache.start()
    after_the_retry_pause()
    assert statuses(4) == [200, 200, 200, 429]


def test_a_port_where_nothing_listens(client, settings, mission, cache_log):
    use_redis(settings, f"redis://:s3cret@127.0.0.1:{free_port()}/0")

    for _ in range(3):
        assert_the_site_answers(client, mission)

    assert len(messages(cache_log, UNREACHABLE)) == 1
    assert "s3cret" not in cache_log.text
    assert messages(cache_log, UNREACHABLE)[0].startswith("The cache (Redis at redis://127.0.0.1:")


def test_every_cache_operation_answers_as_an_empty_cache(settings):
    use_redis(settings, f"redis://127.0.0.1:{free_port()}/0")

    assert cache.get("key") is None
    assert cache.get("key", "default") == "default"
    assert cache.get_or_set("key", "computed") == "computed"
    assert cache.add("key", 1) is False
    assert cache.set("key", 1) is None
    assert cache.touch("key") is False
    assert cache.has_key("key") is False
    assert cache.delete("key") is False
    assert cache.get_many(["a", "b"]) == {}
    assert cache.set_many({"a": 1, "b": 2}) == ["a", "b"]
    assert cache.delete_many(["a", "b"]) is None
    assert cache.clear() is False
    with pytest.raises(ValueError, match=r"^Key 'key' not found\.$"):
        cache.incr("key")


def test_a_reminder_while_redis_stays_away_at_most_every_so_often(settings, cache_log, monkeypatch):
    use_redis(settings, f"redis://127.0.0.1:{free_port()}/0")
    monkeypatch.setattr(resilient, "REMIND_EVERY", 2 * RETRY_AFTER)

    for _ in range(6):
        cache.get("key")
        after_the_retry_pause()

    assert len(messages(cache_log, UNREACHABLE)) == 1
    assert len(messages(cache_log, "has been unreachable for")) == 2


@needs_redis_server
def test_the_fast_path_replays_nothing_from_before_an_outage(redis_cache, mission):
    """The WSGI fast path asks the same question of the generation as the page cache."""
    fast, page_url = FastPathWSGIHandler(), mission.get_absolute_url()
    call(fast, page_url)
    _status, _headers, replayed = call(fast, page_url)  # the copy, kept by the first call
    assert b"Handelsmissie Dalian" in replayed

    redis_cache.pause()
    mission.title_nl = "Handelsmissie Shenyang"
    save_content(mission)
    redis_cache.resume()
    after_the_retry_pause()

    for _ in range(2):  # the full path's answer, then the copy it kept
        _status, _headers, body = call(fast, page_url)
        assert b"Handelsmissie Shenyang" in body
        assert b"Handelsmissie Dalian" not in body
