"""A translator for Chinese only, in a real browser: edits the Chinese texts, never the Dutch.

Runs Debian's Chromium through Playwright against pytest-django's live server
(tests/browser.py).
"""

from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from programmes.domain.permissions import TRANSLATOR
from programmes.models import Mission, Status

from .browser import BROWSER_TEST, PageProblems, log_in, opened_page
from .factories import MissionFactory, StaffFactory

pytestmark = BROWSER_TEST


@pytest.fixture
def browser_page(live_server):
    with opened_page(locale="en-GB") as page:
        yield page


def test_a_chinese_translator_edits_chinese_and_cannot_change_dutch(live_server, browser_page):
    page = browser_page
    problems = PageProblems(page, urlsplit(live_server.url).netloc)
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

    log_in(page, live_server.url, "vertaler")
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
    problems.assert_none()
