"""The change forms as the demo staff meet them, in a real browser, in Dutch, English and
Chinese (programmes/admin/editor_forms.py, static/editor/forms.js).

An editor submits an empty mission form and must see every error, on the Dutch tabs, with
the languages named, the slug filled from the Dutch title and no time zone note; leaving
a changed form asks first. A translator into Chinese sees the Dutch source above each
Chinese field, and which translations are out of date. A read-only page has no empty
language switch. Screenshots (tests/browser/chromium.py) are for people to look at.
"""

from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from programmes.admin.editor_forms import NEW_LOCAL_TIME_HELP
from programmes.domain import services
from programmes.domain.permissions import EDITOR, TRANSLATOR
from programmes.models import Status

from ..factories import MissionFactory, PartnershipFactory, StaffFactory
from .chromium import BROWSER_TEST, PageProblems, launched, log_in, screenshot

pytestmark = BROWSER_TEST

LANGUAGES = ["nl", "en", "zh-hans"]


def language_name(code: str, admin_language: str) -> str:
    with translation.override(admin_language):
        return str(dict(settings.LANGUAGES)[code])


def in_language(page, live_server, language: str) -> None:
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    )


@pytest.fixture
def browser(live_server):
    with launched() as browser:
        yield browser


def new_page(browser, live_server):
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.set_default_timeout(15_000)
    return page, PageProblems(page, urlsplit(live_server.url).netloc)


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_editor_sees_every_error_of_an_empty_mission_on_its_dutch_tab(
    live_server, browser, language
):
    partnership = PartnershipFactory()
    StaffFactory(username="redacteur", role=EDITOR, organisations=[partnership.owner])
    page, problems = new_page(browser, live_server)
    in_language(page, live_server, language)
    log_in(page, live_server.url, "redacteur")
    add_url = live_server.url + reverse("admin:programmes_mission_add")
    page.goto(add_url)

    # Opens on Dutch, the required language, whatever the admin's language.
    title_tabs = page.locator(".ui-tabs:has(#id_title_nl)")
    # text_content: the tabs' style writes them in capitals.
    assert (
        title_tabs.locator("li.ui-tabs-active a")
        .text_content()
        .startswith(language_name("nl", language))
    )
    assert page.locator("#id_title_nl").is_visible()
    # The note that contradicted the programme's local times is gone; the help says whose.
    page.wait_for_load_state("load")
    assert page.locator(".timezonewarning").count() == 0

    page.fill("#id_summary_nl", "Een handelsmissie naar Dalian.")
    page.click('input[name="_save"]')
    page.wait_for_load_state("load")

    # Every error is in view: the Dutch title's tab is open, marked, and the field focused.
    assert page.locator(".errornote").is_visible()
    active = title_tabs.locator("li.ui-tabs-active")
    assert "editor-tab-error" in active.get_attribute("class")
    assert page.evaluate("document.activeElement.id") == "id_title_nl"
    visible_errors = page.locator(".errorlist li:visible")
    assert visible_errors.count() == 3  # title, kind, partnership; no slug error of its own
    assert page.locator("#id_slug_error").count() == 0
    # What was typed is still there, on the tab that was open.
    assert page.locator("#id_summary_nl").is_visible()
    assert page.input_value("#id_summary_nl") == "Een handelsmissie naar Dalian."
    empty_english = page.locator(".ui-tabs:has(#id_title_nl) li.editor-tab-empty")
    assert empty_english.count() == 2  # English and Chinese titles are empty
    screenshot(page, f"admin-forms-empty-mission-{language}")

    # The slug follows the Dutch title as it is typed, and stays editable.
    page.locator("#id_title_nl").press_sequentially("Handelsmissie naar Dalian")
    assert page.input_value("#id_slug") == "handelsmissie-naar-dalian"
    assert page.locator("#id_slug").is_editable()

    # Leaving the changed form from the sidebar asks first.
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    page.locator("#nav-sidebar a").first.click()
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"]
    assert page.url.startswith(add_url)
    problems.assert_none()


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_chinese_translator_sees_the_dutch_source_and_what_is_out_of_date(
    live_server, browser, language
):
    mission = MissionFactory(
        status=Status.DRAFT,
        title_nl="Business Days Zhejiang – West-Vlaanderen",
        title_zh_hans="",
        summary_nl="B2B-ontmoetingen tussen ondernemers.",
        summary_zh_hans="企业之间的商务洽谈。",
    )
    editor = StaffFactory(role=EDITOR, organisations=[mission.partnership.owner])
    services.save_content(mission, user=editor)
    mission.summary_nl = "Wederzijdse B2B-ontmoetingen tussen ondernemers."
    services.save_content(mission, user=editor)
    StaffFactory(
        username="vertaler",
        role=TRANSLATOR,
        organisations=[mission.partnership.owner],
        languages=["zh-hans"],
    )
    page, problems = new_page(browser, live_server)
    in_language(page, live_server, language)
    log_in(page, live_server.url, "vertaler")
    page.goto(live_server.url + reverse("admin:programmes_mission_change", args=[mission.pk]))

    chinese = language_name("zh-hans", language)
    summary_tab = page.locator(".ui-tabs:has(#id_summary_zh_hans) li.ui-tabs-active")
    assert summary_tab.text_content().startswith(chinese)
    assert "editor-tab-outdated" in summary_tab.get_attribute("class")
    summary_source = page.locator(".editor-source:has([data-source='summary_nl'])")
    assert summary_source.locator(".editor-source-text").all_inner_texts() == [
        "Wederzijdse B2B-ontmoetingen tussen ondernemers.",
        mission.summary_en,  # the English, as a second source
    ]
    assert summary_source.locator(".editor-outdated-note").is_visible()
    title_source = page.locator(".editor-source-line[data-source='title_nl']")
    assert title_source.locator(".editor-source-text").inner_text() == (
        "Business Days Zhejiang – West-Vlaanderen"
    )
    assert "editor-tab-empty" in page.locator(
        ".ui-tabs:has(#id_title_zh_hans) li.ui-tabs-active"
    ).get_attribute("class")
    # Read-only labels name their language instead of a code.
    assert (
        f"[{language_name('nl', language)}]" in page.locator(".field-title_nl label").inner_text()
    )
    screenshot(page.locator("fieldset").first, f"admin-forms-translator-{language}")

    page.fill("#id_title_zh_hans", "浙江–西弗兰德商务日")
    page.click('input[name="_save"]')
    page.wait_for_url(live_server.url + reverse("admin:programmes_mission_changelist"))
    mission.refresh_from_db()
    assert mission.title_zh_hans == "浙江–西弗兰德商务日"
    problems.assert_none()


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_read_only_page_has_no_empty_language_switch(live_server, browser, language):
    mission = MissionFactory(status=Status.PUBLISHED)
    StaffFactory(username="redacteur", role=EDITOR, organisations=[mission.partnership.owner])
    page, problems = new_page(browser, live_server)
    in_language(page, live_server, language)
    log_in(page, live_server.url, "redacteur")
    page.goto(live_server.url + reverse("admin:programmes_mission_change", args=[mission.pk]))

    assert page.locator("#modeltranslation-main-switch").count() == 0
    assert page.locator("#content h1").inner_text().strip() != ""
    screenshot(page, f"admin-forms-read-only-{language}")
    problems.assert_none()


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_mission_list_shows_status_and_publish_date_at_1280_pixels(
    live_server, browser, language
):
    mission = MissionFactory(status=Status.PUBLISHED)
    StaffFactory(username="redacteur", role=EDITOR, organisations=[mission.partnership.owner])
    page, problems = new_page(browser, live_server)
    in_language(page, live_server, language)
    log_in(page, live_server.url, "redacteur")
    page.goto(live_server.url + reverse("admin:programmes_mission_changelist"))

    results = page.locator("#changelist .results").bounding_box()
    for column in ("column-status", "column-publish_at"):
        box = page.locator(f"#result_list th.{column}").bounding_box()
        assert box["x"] + box["width"] <= results["x"] + results["width"]
    screenshot(page, f"admin-forms-mission-list-{language}")
    problems.assert_none()


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_new_programme_item_has_named_tabs_and_says_its_times_are_local(
    live_server, browser, language
):
    mission = MissionFactory(status=Status.DRAFT)
    StaffFactory(username="redacteur", role=EDITOR, organisations=[mission.partnership.owner])
    page, problems = new_page(browser, live_server)
    in_language(page, live_server, language)
    log_in(page, live_server.url, "redacteur")
    page.goto(live_server.url + reverse("admin:programmes_mission_change", args=[mission.pk]))
    page.wait_for_load_state("load")

    page.locator("#programme_items-group .add-row a").click()

    row = page.locator("#programme_items-0")
    title_tabs = row.locator(".ui-tabs:has(#id_programme_items-0-title_nl)")
    assert (
        title_tabs.locator("li.ui-tabs-active a")
        .text_content()
        .startswith(language_name("nl", language))
    )
    assert page.locator(".timezonewarning").count() == 0
    with translation.override(language):
        help_text = NEW_LOCAL_TIME_HELP % {"zone": settings.TIME_ZONE}
    assert row.locator(".field-start_time .help").first.inner_text() == help_text
    screenshot(row, f"admin-forms-programme-item-{language}")

    # A time without a title: the row's Dutch title tab shows its error.
    page.fill("#id_programme_items-0-date", "2026-05-12")
    page.fill("#id_programme_items-0-start_time", "09:00")
    page.click('input[name="_continue"]')
    page.wait_for_load_state("load")
    item_title_tab = page.locator(
        "#programme_items-0 .ui-tabs:has(#id_programme_items-0-title_nl) li.ui-tabs-active"
    )
    assert "editor-tab-error" in item_title_tab.get_attribute("class")
    problems.assert_none()
