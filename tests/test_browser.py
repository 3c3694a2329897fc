"""What only a real browser shows: the admin's language tabs, under the site's strict CSP.

Runs Debian's Chromium through Playwright against pytest-django's live server.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.db import connections
from django.urls import reverse
from django.utils import translation

from programmes.permissions import PUBLISHER

from .factories import MissionFactory, StaffFactory

# Playwright's sync API runs an event loop in this thread; the ORM calls in the tests are
# still made one at a time, so Django's guard against async-unsafe calls can be lifted.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
PASSWORD = "correct horse battery staple"  # StaffFactory's password

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}"),
]


class PageProblems:
    """Everything that went wrong in the browser: script errors, console errors, requests."""

    def __init__(self, page, own_host: str):
        self.own_host = own_host
        self.page_errors: list[str] = []
        self.console_errors: list[str] = []
        self.failed_requests: list[str] = []
        self.other_hosts: list[str] = []
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        page.on("console", self._console)
        page.on("requestfailed", lambda request: self.failed_requests.append(request.url))
        page.on("request", self._request)

    def _console(self, message):
        # The browser asks for /favicon.ico by itself; whether the site has one is not the
        # admin's concern.
        if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
            self.console_errors.append(message.text)

    def _request(self, request):
        host = urlsplit(request.url).netloc
        if request.url.startswith(("http://", "https://")) and host != self.own_host:
            self.other_hosts.append(request.url)


@pytest.fixture
def browser_page(live_server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(locale="nl-NL", viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(15_000)
        yield page
        browser.close()
        # While Playwright's event loop runs in this thread, Django keeps the ORM's connections
        # apart from the thread's usual ones; close them, or PostgreSQL cannot drop the test
        # database at the end of the run.
        connections.close_all()


def test_editor_changes_the_chinese_title_in_its_tab(live_server, browser_page):
    page = browser_page
    problems = PageProblems(page, urlsplit(live_server.url).netloc)
    mission = MissionFactory(
        slug="inspiratiereis-dalian",
        title_nl="Inspiratiereis naar Dalian",
        title_zh_hans="大连考察",
        programme_items=2,
    )
    # A publisher: the mission is published, and only publishers change what is public.
    StaffFactory(username="redacteur", role=PUBLISHER, organisations=[mission.partnership.owner])

    page.goto(live_server.url + reverse("admin:login"))
    page.fill("#id_username", "redacteur")
    page.fill("#id_password", PASSWORD)
    page.click("#login-form [type=submit]")
    page.wait_for_url(live_server.url + reverse("admin:index"))

    page.goto(live_server.url + reverse("admin:programmes_mission_change", args=[mission.pk]))
    dutch, chinese = page.locator("#id_title_nl"), page.locator("#id_title_zh_hans")
    assert dutch.is_visible()
    assert not chinese.is_visible()
    page.click('a[href="#tab_id_title_zh_hans"]')
    assert chinese.is_visible()
    assert not dutch.is_visible()
    chinese.fill("大连高新区考察之旅")
    page.click('input[name="_save"]')
    page.wait_for_url(live_server.url + reverse("admin:programmes_mission_changelist"))

    assert page.locator(".messagelist .success").count() == 1
    mission.refresh_from_db()
    assert (mission.title_nl, mission.title_zh_hans) == (
        "Inspiratiereis naar Dalian",
        "大连高新区考察之旅",
    )
    assert problems.page_errors == []
    assert problems.console_errors == []
    assert problems.failed_requests == []
    assert problems.other_hosts == []

    with translation.override("zh-hans"):
        public_path = mission.get_absolute_url()
    assert public_path == f"/zh-hans/missions/{mission.slug}/"
    page.goto(live_server.url + public_path)
    assert "大连高新区考察之旅" in page.content()
    assert problems.other_hosts == []
