"""What only a real browser shows: the admin's language tabs, under the site's strict CSP.

Runs Debian's Chromium through Playwright against pytest-django's live server.
"""

from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import translation

from programmes.domain.permissions import PUBLISHER

from .browser import BROWSER_TEST, PageProblems, log_in, opened_page
from .factories import MissionFactory, StaffFactory

pytestmark = BROWSER_TEST


@pytest.fixture
def browser_page(live_server):
    with opened_page(locale="nl-NL") as page:
        yield page


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

    log_in(page, live_server.url, "redacteur")

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
    problems.assert_none()

    with translation.override("zh-hans"):
        public_path = mission.get_absolute_url()
    assert public_path == f"/zh-hans/missions/{mission.slug}/"
    page.goto(live_server.url + public_path)
    assert "大连高新区考察之旅" in page.content()
    assert problems.other_hosts == []
