"""A translator for Chinese only, in a real browser: edits the Chinese texts, never the Dutch.

Runs Debian's Chromium through Playwright against pytest-django's live server, as
tests/test_browser.py does (same launch flags, same connection-closing fixture).
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.db import connections
from django.urls import reverse

from programmes.models import Mission, Status
from programmes.permissions import TRANSLATOR

from .factories import MissionFactory, StaffFactory

# Playwright's sync API runs an event loop in this thread; the ORM calls in the test are
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


@pytest.fixture
def browser_page(live_server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(locale="en-GB", viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(15_000)
        yield page
        browser.close()
        # While Playwright's event loop runs in this thread, Django keeps the ORM's connections
        # apart from the thread's usual ones; close them, or PostgreSQL cannot drop the test
        # database at the end of the run.
        connections.close_all()


def test_a_chinese_translator_edits_chinese_and_cannot_change_dutch(live_server, browser_page):
    page = browser_page
    script_errors: list[str] = []
    other_hosts: list[str] = []
    page.on("pageerror", lambda error: script_errors.append(str(error)))
    page.on(
        "request",
        lambda request: (
            other_hosts.append(request.url)
            if urlsplit(request.url).netloc not in {"", urlsplit(live_server.url).netloc}
            and request.url.startswith("http")
            else None
        ),
    )
    mission = MissionFactory(
        title_nl="Business Days Zhejiang – West-Vlaanderen",
        title_en="Business Days Zhejiang – West Flanders",
        title_zh_hans="",
        summary_zh_hans="",
        status=Status.DRAFT,
        programme_items=1,
    )
    StaffFactory(
        username="vertaler",
        role=TRANSLATOR,
        organisations=[mission.partnership.owner],
        languages=["zh-hans"],
    )

    page.goto(live_server.url + reverse("admin:login"))
    page.fill("#id_username", "vertaler")
    page.fill("#id_password", PASSWORD)
    page.click("#login-form [type=submit]")
    page.wait_for_url(live_server.url + reverse("admin:index"))
    page.goto(live_server.url + reverse("admin:programmes_mission_change", args=[mission.pk]))

    # The Chinese texts are fields; the Dutch and English ones are text on the page.
    assert page.locator(".messagelist .info").inner_text() == (
        "You translate into Simplified Chinese; the other fields are read-only."
    )
    assert page.locator("#id_title_zh_hans").is_visible()
    assert page.locator("#id_title_nl, #id_title_en, #id_slug, #id_partnership").count() == 0
    dutch_title = page.locator("fieldset").first.locator(".field-title_nl .readonly")
    assert dutch_title.inner_text() == "Business Days Zhejiang – West-Vlaanderen"
    page.fill("#id_title_zh_hans", "浙江–西弗兰德商务日")
    page.fill("#id_summary_zh_hans", "西弗兰德省与浙江省企业之间的商务洽谈。")
    page.fill("#id_programme_items-0-title_zh_hans", "企业对企业洽谈")
    # A crafted form: a Dutch title smuggled into the page is ignored by the server.
    page.evaluate(
        """() => {
            const field = document.createElement("input");
            field.type = "hidden";
            field.name = "title_nl";
            field.value = "Gewijzigd door de vertaler";
            document.querySelector("#mission_form").append(field);
        }"""
    )
    page.click('input[name="_save"]')
    page.wait_for_url(live_server.url + reverse("admin:programmes_mission_changelist"))

    assert page.locator(".messagelist .success").count() == 1
    mission = Mission.objects.get()
    item = mission.programme_items.get()
    assert (mission.title_nl, mission.title_en, mission.title_zh_hans, mission.summary_zh_hans) == (
        "Business Days Zhejiang – West-Vlaanderen",
        "Business Days Zhejiang – West Flanders",
        "浙江–西弗兰德商务日",
        "西弗兰德省与浙江省企业之间的商务洽谈。",
    )
    assert (item.title_zh_hans, item.title_nl.startswith("Bezoek")) == ("企业对企业洽谈", True)
    assert mission.status == Status.DRAFT
    assert script_errors == []
    assert other_hosts == []
