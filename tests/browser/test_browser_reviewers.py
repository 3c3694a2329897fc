"""A partner reviewer in Chinese suggests a change; a publisher in Dutch accepts it.

Runs Debian's Chromium through Playwright against pytest-django's live server
(tests/browser/chromium.py), and leaves screenshots of the reviewer's page, the panel on
the mission's page and the decision page (``screenshots_folder()``).
"""

from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from programmes.domain.permissions import PARTNER_REVIEWER, PUBLISHER
from programmes.models import Mission, Status, Suggestion

from ..factories import MissionFactory, StaffFactory
from .chromium import BROWSER_TEST, PageProblems, launched, log_in, screenshot

pytestmark = BROWSER_TEST

OLD_TITLE = "恩斯赫德—大连考察团"
NEW_TITLE = "恩斯赫德—大连考察交流访问团"


@pytest.fixture
def browser():
    with launched() as browser:
        yield browser


def new_page(browser, locale: str):
    page = browser.new_page(locale=locale, viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(15_000)
    return page


def test_a_chinese_reviewers_suggestion_accepted_by_a_dutch_publisher(live_server, browser):
    mission = MissionFactory(
        title_nl="Inspiratiereis Shanghai en Dalian",
        title_zh_hans=OLD_TITLE,
        status=Status.PUBLISHED,
    )
    StaffFactory(
        username="wang",
        first_name="Wang",
        last_name="Fang",
        role=PARTNER_REVIEWER,
        reviews={mission.partnership: ["zh-hans"]},
    )
    StaffFactory(
        username="anna",
        first_name="Anna",
        last_name="de Vries",
        role=PUBLISHER,
        organisations=[mission.partnership.owner],
    )
    host = urlsplit(live_server.url).netloc

    # The reviewer, in Chinese: from their partnership's content to the mission's texts.
    reviewer = new_page(browser, "zh-CN")
    reviewer_problems = PageProblems(reviewer, host)
    log_in(reviewer, live_server.url, "wang")
    reviewer.goto(live_server.url + reverse("admin:programmes_suggestion_review"))
    assert reviewer.locator("html").get_attribute("lang") == "zh-hans"
    reviewer.get_by_role("link", name=OLD_TITLE).click()
    section = reviewer.locator("#text-title-zh-hans")
    assert section.locator(".review-current").inner_text() == OLD_TITLE
    assert reviewer.locator("#id_text_title_nl, #id_title_zh_hans").count() == 0
    section.locator("textarea[name=text]").fill(NEW_TITLE)
    section.locator("textarea[name=comment]").fill("“交流访问团”是常用的说法。")
    section.locator("input[type=submit]").click()
    reviewer.wait_for_selector(".messagelist .success")
    screenshot(reviewer, "reviewer-suggests-zh-hans")
    assert Mission.objects.get().title_zh_hans == OLD_TITLE  # a suggestion changes nothing
    reviewer_problems.assert_none()

    # The publisher, in Dutch: the suggestion on the mission's page, as a diff; accept it.
    publisher = new_page(browser, "nl-NL")
    publisher_problems = PageProblems(publisher, host)
    log_in(publisher, live_server.url, "anna")
    publisher.goto(live_server.url + reverse("admin:programmes_mission_change", args=[mission.pk]))
    assert publisher.locator("html").get_attribute("lang") == "nl"
    panel = publisher.locator(".suggestions-panel")
    assert panel.locator("td.after ins").inner_text() == "交流访问"
    screenshot(panel, "publisher-sees-suggestion-nl")
    panel.locator("th a").click()
    publisher.wait_for_selector(".suggestion-decide")
    screenshot(publisher, "publisher-decides-nl")
    publisher.click("input[name=_accept]")
    publisher.wait_for_selector(".messagelist .success")
    publisher_problems.assert_none()

    mission.refresh_from_db()
    assert mission.title_zh_hans == NEW_TITLE
    assert Suggestion.objects.get().status == Suggestion.Status.ACCEPTED
    publisher.goto(live_server.url + reverse("admin:programmes_mission_history", args=[mission.pk]))
    assert "Suggested by Wang Fang, accepted by Anna de Vries" in publisher.content()
    public = new_page(browser, "zh-CN")
    public.goto(live_server.url + mission.get_absolute_url().replace("/nl/", "/zh-hans/"))
    assert NEW_TITLE in public.locator("h1").inner_text()
