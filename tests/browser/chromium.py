"""What every browser test shares: Debian's Chromium, launched by Playwright, and its checks.

The tests run against pytest-django's live server. Playwright's sync API runs an event
loop in the test's thread; the ORM calls in the tests are still made one at a time, so
``launched`` lifts Django's guard against async-unsafe calls while the browser runs.
"""

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.db import connections

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

requires_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}: the browser tests need it"
)
# `pytestmark = BROWSER_TEST` in a module of browser tests only.
BROWSER_TEST = [pytest.mark.browser, requires_chromium]


@contextmanager
def launched() -> Iterator:
    """A headless Chromium for the length of the ``with`` block."""
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                yield browser
            finally:
                browser.close()
                # While Playwright's event loop runs in this thread, Django keeps the ORM's
                # connections apart from the thread's usual ones (per context, not per
                # thread): they can only be closed while the loop still runs. Left open,
                # PostgreSQL cannot drop the test database at the end of the run.
                connections.close_all()
    finally:
        # And the thread's usual ones, which the test goes on with.
        connections.close_all()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@contextmanager
def opened_page(*, locale: str) -> Iterator:
    """A page of a launched Chromium, 1400 × 1000, that gives up on a step after 15 s."""
    with launched() as browser:
        page = browser.new_page(locale=locale, viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(15_000)
        yield page


def screenshots_folder() -> Path:
    """Where browser tests leave their screenshots for people to look at.

    ``SCREENSHOT_DIR`` if set, else ``twinning-screenshots`` in the temporary folder.
    """
    folder = Path(
        os.environ.get("SCREENSHOT_DIR") or Path(tempfile.gettempdir()) / "twinning-screenshots"
    )
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def screenshot(target, name: str) -> Path:
    """A PNG of ``target`` (a page or an element) as ``<name>.png`` in ``screenshots_folder()``."""
    path = screenshots_folder() / f"{name}.png"
    target.screenshot(path=str(path))
    return path


def log_in(page, live_server_url: str, username: str) -> None:
    """Log ``username`` (made by StaffFactory) in through the admin's login form."""
    from django.urls import reverse

    page.goto(live_server_url + reverse("admin:login"))
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("#login-form [type=submit]")
    page.wait_for_url(live_server_url + reverse("admin:index"))


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
        # page's concern.
        if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
            self.console_errors.append(message.text)

    def _request(self, request):
        host = urlsplit(request.url).netloc
        if request.url.startswith(("http://", "https://")) and host != self.own_host:
            self.other_hosts.append(request.url)

    def assert_none(self) -> None:
        assert self.page_errors == []
        assert self.console_errors == []
        assert self.failed_requests == []
        assert self.other_hosts == []
