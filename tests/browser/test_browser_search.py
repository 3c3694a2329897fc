"""Search across languages in Chromium: "Dalian" on the Chinese page, 宁波 on the Dutch one,
and a hit marked "only in Dutch". Each test leaves a full-page screenshot
(``chromium.screenshots_folder()``) of the results as a reader sees them.
"""

import pytest
from django.utils import translation
from django.utils.translation import gettext

from ..factories import MissionFactory
from .chromium import BROWSER_TEST, launched, screenshots_folder

pytestmark = BROWSER_TEST

DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def browser(live_server):
    with launched() as browser:
        yield browser


def full_page(tab, name: str) -> None:
    tab.screenshot(path=str(screenshots_folder() / f"{name}.png"), full_page=True)


def result_titles(tab) -> list[str]:
    return [title.strip() for title in tab.locator(".search-result__title").all_inner_texts()]


def test_dalian_on_the_chinese_page(live_server, browser, seeded):
    tab = browser.new_page(viewport=DESKTOP)

    tab.goto(f"{live_server.url}/zh-hans/search/?q=Dalian")

    titles = result_titles(tab)
    full_page(tab, "search-zh-hans-dalian")
    assert tab.locator("html").get_attribute("lang") == "zh-Hans"
    assert "大连" in titles
    assert "上海和大连考察之旅" in titles
    assert "恩斯赫德–大连城市合作关系" in titles
    assert tab.locator(".search-result__only-in").count() == 0


@pytest.mark.parametrize("language", ["nl", "en"])
def test_ningbo_in_chinese_on_the_dutch_and_english_pages(live_server, browser, seeded, language):
    tab = browser.new_page(viewport=DESKTOP)

    tab.goto(f"{live_server.url}/{language}/search/?q=宁波")

    titles = result_titles(tab)
    full_page(tab, f"search-{language}-ningbo")
    assert titles[0] == "Ningbo"
    assert "Zhejiang" in titles


def test_a_hit_only_in_dutch_is_marked_on_the_chinese_page(live_server, browser):
    MissionFactory(
        title_nl="Handelsmissie",
        title_en="Trade mission",
        title_zh_hans="贸易交流访问",
        summary_nl="Bezoek aan de kraanvogelfabriek.",
        summary_en="A visit to a factory.",
        summary_zh_hans="参观一家工厂。",
    )
    tab = browser.new_page(viewport=DESKTOP)

    tab.goto(f"{live_server.url}/zh-hans/search/?q=kraanvogelfabriek")

    full_page(tab, "search-zh-hans-only-in-dutch")
    with translation.override("zh-hans"):
        label = gettext("Only in Dutch")
    assert tab.locator(".search-result__only-in").inner_text() == label
    assert tab.locator(".search-result__snippet").get_attribute("lang") == "nl"
    assert result_titles(tab) == ["贸易交流访问"]
