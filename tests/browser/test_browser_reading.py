"""What a reader sees in Chromium, in nl, en and zh-hans: headings on a phone, a mission's
programme, the map's legend, and a feed opened in the browser.

Each test leaves screenshots of what it checks (``tests/browser.py``, ``screenshot``) for
people to look at: the checks say what must hold, the pictures show how it looks.
"""

import re

import pytest
from django.utils import formats, translation

from programmes.models import Mission
from public.feeds import READER_NS

from . import a11y_pages
from .a11y_pages import LANGUAGES
from .chromium import BROWSER_TEST, launched, screenshot

pytestmark = BROWSER_TEST

PHONE = {"width": 390, "height": 844}
NARROWEST = {"width": 320, "height": 640}
DESKTOP = {"width": 1280, "height": 900}
HTML_LANG = {"nl": "nl", "en": "en", "zh-hans": "zh-Hans"}

# Line breaks inside a word (between two letters, neither of them Chinese, where no soft
# hyphen or hyphen stands): "Twinningprogramm / a's". Each character's last box says on
# which line it is; a box lower than the one before is a new line.
MID_WORD_BREAKS = r"""
selector => {
  const found = [];
  for (const element of document.querySelectorAll(selector)) {
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    let previous = null;
    while (walker.nextNode()) {
      const node = walker.currentNode;
      for (let i = 0; i < node.length; i++) {
        const range = document.createRange();
        range.setStart(node, i);
        range.setEnd(node, i + 1);
        const boxes = range.getClientRects();
        if (!boxes.length) continue;
        const character = node.data[i];
        const top = boxes[boxes.length - 1].top;
        if (previous && top > previous.top + 2
            && /\p{L}/u.test(previous.character) && /\p{L}/u.test(character)
            && !/\p{Script=Han}/u.test(previous.character + character)) {
          found.push(`${element.textContent.trim()}: ${previous.character}|${character}`);
        }
        previous = {character, top};
      }
    }
  }
  return found;
}
"""


@pytest.fixture
def browser(live_server):
    with launched() as browser:
        yield browser


@pytest.fixture
def showcase(seeded):
    return a11y_pages.add_showcase_content()


def url(obj, language: str) -> str:
    with translation.override(language):
        return obj.get_absolute_url()


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_home_pages_headings_break_between_words_on_a_phone(
    live_server, browser, seeded, language
):
    tab = browser.new_page(viewport=PHONE)
    tab.goto(f"{live_server.url}/{language}/")

    # Hyphenation follows the page's language: <html lang> must name it.
    assert tab.evaluate("document.documentElement.lang") == HTML_LANG[language]
    assert tab.evaluate("getComputedStyle(document.querySelector('h1')).hyphens") == "auto"
    for viewport in (PHONE, NARROWEST):
        tab.set_viewport_size(viewport)
        assert tab.evaluate(MID_WORD_BREAKS, "h1, h2, h3") == [], viewport
    tab.set_viewport_size(PHONE)
    screenshot(tab.locator(".page-intro"), f"home-heading-390-{language}")
    if language == "nl":
        # "Twinning-" / "programma's": the break the translation allows, with its hyphen.
        height = tab.evaluate("document.querySelector('h1').getBoundingClientRect().height")
        line = tab.evaluate("parseFloat(getComputedStyle(document.querySelector('h1')).lineHeight)")
        assert round(height / line) == 2


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_mission_reads_its_times_places_and_destinations_aloud_as_words(
    live_server, browser, showcase, language
):
    tab = browser.new_page(viewport=PHONE)
    tab.goto(live_server.url + url(showcase.mission, language))
    programme = tab.locator("section:has(#programme-heading)")

    with translation.override(language):
        start = formats.time_format(a11y_pages.SHOWCASE_VISIT[0], "TIME_FORMAT")
        end = formats.time_format(a11y_pages.SHOWCASE_VISIT[1], "TIME_FORMAT")
        to = translation.pgettext("time range", "to")
        dash = translation.pgettext("time range", "–")
        unknown = translation.gettext("Place not specified")
    # Seen: "09:30–11:00"; heard: "09:30 tot 11:00" (the dash is hidden from screen readers).
    assert f"{start}{dash}" in programme.inner_text()
    heard = programme.aria_snapshot()
    assert re.search(
        rf"time: {re.escape(start)}\n\s*- text: {re.escape(to)}\n\s*- time: {re.escape(end)}\n",
        heard,
    ), heard
    # The items without a place are under a note, not under a heading that looks like a place.
    assert tab.get_by_role("heading", name=unknown).count() == 0
    assert tab.get_by_text(unknown, exact=True).is_visible()
    screenshot(programme, f"mission-programme-390-{language}")

    trip = Mission.objects.get(slug="inspiration-trip-shanghai-dalian")
    tab.goto(live_server.url + url(trip, language))
    destinations = tab.locator(".summary-list__row").nth(1)
    with translation.override(language):
        shanghai, dalian = (region.name for region in trip.destinations.order_by("-slug"))
    text = destinations.inner_text()
    assert text.index(shanghai) < text.index(dalian)  # the source's order, not by name
    screenshot(tab.locator(".summary-list"), f"mission-destinations-390-{language}")


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_maps_legend_says_and_instead_of_an_arrow(live_server, browser, seeded, language):
    tab = browser.new_page(viewport=DESKTOP)
    tab.goto(f"{live_server.url}/{language}/")
    legend = tab.locator(".map-legend")

    heard = legend.aria_snapshot()

    assert "↔" not in heard
    assert "↔" in legend.inner_text()  # still seen
    with translation.override(language):
        assert translation.gettext("and") in heard
    screenshot(tab.locator(".map"), f"map-legend-{language}")


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_feed_opened_in_the_browser_reads_as_a_page(live_server, browser, seeded, language):
    tab = browser.new_page(viewport=DESKTOP)
    refused = []
    tab.on(
        "console",
        lambda message: "Content Security Policy" in message.text and refused.append(message.text),
    )

    response = tab.goto(f"{live_server.url}/{language}/feeds/missions.atom")

    assert response.status == 200
    # An XML document styled by our stylesheet, not a page of raw text.
    assert tab.evaluate("document.documentElement.namespaceURI") == "http://www.w3.org/2005/Atom"
    assert tab.evaluate("document.styleSheets.length") == 1
    assert tab.evaluate("document.styleSheets[0].cssRules.length") > 10  # it was loaded
    style = (
        "([name, property]) => getComputedStyle(document.getElementsByTagName(name)[0])[property]"
    )
    assert tab.evaluate(style, ["title", "display"]) == "block"
    assert tab.evaluate(style, ["title", "fontWeight"]) == "700"
    assert tab.evaluate(style, ["id", "display"]) == "none"  # what only machines need
    note = tab.evaluate(
        "ns => document.getElementsByTagNameNS(ns, 'note')[0].textContent", READER_NS
    )
    with translation.override(language):
        assert note == translation.gettext(
            "This is a news feed. Copy the address of this page into a feed reader to follow "
            "what is new; open an item's page on the website to read it in full."
        )
    assert refused == []  # the site's Content-Security-Policy lets the stylesheet in
    screenshot(tab, f"feed-missions-{language}")
    tab.set_viewport_size(PHONE)
    screenshot(tab, f"feed-missions-390-{language}")


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_place_and_a_partnership_show_what_happened_there_on_a_phone(
    live_server, browser, seeded, language
):
    """Dalian's page lists the inspiration trip and its visits there; West Flanders –
    Zhejiang's page its chronology: 2000, 2008, then the Business Days without a date."""
    tab = browser.new_page(viewport=NARROWEST)
    tab.goto(f"{live_server.url}/{language}/regions/dalian/")
    missions = tab.locator("section:has(#missions-heading)")
    visits = tab.locator("section:has(#visits-heading)")

    trip = Mission.objects.get(slug="inspiration-trip-shanghai-dalian")
    with translation.override(language):
        assert missions.get_by_role("link", name=trip.title, exact=True).is_visible()
        museum = trip.programme_items.get(city__slug="dalian", kind="museum")
        assert visits.get_by_role("link", name=museum.title, exact=True).is_visible()
    # Nothing wider than the narrowest phone: no sideways scrolling.
    assert tab.evaluate("document.documentElement.scrollWidth") <= NARROWEST["width"]
    screenshot(missions, f"place-missions-320-{language}")
    screenshot(visits, f"place-visits-320-{language}")

    tab.set_viewport_size(PHONE)
    tab.goto(f"{live_server.url}/{language}/partnerships/west-vlaanderen-zhejiang/")
    history = tab.locator("section:has(#chronology-heading)")
    dates = history.locator(".chronology__date").all_inner_texts()
    with translation.override(language):
        year = translation.pgettext("a year in a chronology", "%(year)s")
    assert dates == [year % {"year": "2000"}, year % {"year": "2008"}]
    # Each date stands above what happened then, inside the line's markers.
    for event in history.locator(".chronology__event").all()[:2]:
        date = event.locator(".chronology__date").bounding_box()
        what = event.locator(".chronology__what").bounding_box()
        assert date["y"] + date["height"] <= what["y"] + 1
    assert history.locator(".chronology--undated .chronology__event").count() == 3
    screenshot(history, f"partnership-chronology-390-{language}")
