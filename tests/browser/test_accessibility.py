"""Accessibility (WCAG 2.2 AA) of every page type in nl, en and zh-hans.

axe-core runs in Chromium on every page of ``a11y_pages`` at desktop and phone width and
must find nothing. The tests without a browser check what axe leaves open or only hints
at: headings in order without a skipped level, the landmarks and the skip link, and a
``lang`` on every text in another language than the page's. A real keyboard checks that
the skip link appears, works, and that focus is visible.
"""

import re
from html.parser import HTMLParser
from pathlib import Path

import axe_playwright_python
import pytest
from django.conf import settings
from django.test import Client
from pytest_django.asserts import assertInHTML

from ..factories import MissionFactory
from . import a11y_pages
from .a11y_pages import LANGUAGES
from .chromium import launched, requires_chromium

# The page checks go with the browser tests: CI runs them on one database (.ci/run).
pytestmark = pytest.mark.browser
# axe-core, as axe-playwright-python ships it.
AXE_SCRIPT = Path(axe_playwright_python.__file__).parent / "axe.min.js"
# What axe checks: every WCAG 2.0, 2.1 and 2.2 rule of levels A and AA, and its best
# practices (headings in order, one main landmark, all content in landmarks …).
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
# WCAG 1.4.10 Reflow: content fits 320 CSS pixels without scrolling sideways.
NARROWEST = {"width": 320, "height": 640}
# The site's focus colour (--color-focus in site.css).
FOCUS_YELLOW = "rgb(255, 221, 0)"
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\u3000-\u303f\uff00-\uffef]")
VOID_ELEMENTS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta"}
VOID_ELEMENTS |= {"source", "track", "wbr"}


@pytest.fixture
def showcase(seeded):
    return a11y_pages.add_showcase_content()


class PageStructure(HTMLParser):
    """What the structural checks read from a page's HTML: headings, landmarks, languages."""

    def __init__(self):
        super().__init__()
        self.stack: list[tuple[str, str | None]] = []  # open elements: (tag, own lang)
        self.headings: list[tuple[int, str]] = []
        self.landmarks: list[tuple[str, dict, list[str]]] = []  # (tag, attributes, parents)
        self.links: list[dict] = []
        self.han_without_lang: list[str] = []
        self._heading: list[str] | None = None

    @property
    def lang(self) -> str | None:
        return next((lang for _tag, lang in reversed(self.stack) if lang), None)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in {"main", "header", "footer", "nav", "aside"}:
            self.landmarks.append((tag, attributes, [t for t, _lang in self.stack]))
        if tag == "a":
            self.links.append(attributes)
        if tag == "img" and HAN.search(attributes.get("alt") or ""):
            self._check_language(attributes["alt"], attributes.get("lang") or self.lang)
        if re.fullmatch(r"h[1-6]", tag):
            self._heading = []
            self.headings.append((int(tag[1]), ""))
        if tag not in VOID_ELEMENTS:
            self.stack.append((tag, attributes.get("lang")))

    def handle_endtag(self, tag):
        if re.fullmatch(r"h[1-6]", tag) and self._heading is not None:
            level, _text = self.headings[-1]
            self.headings[-1] = (level, " ".join("".join(self._heading).split()))
            self._heading = None
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if self._heading is not None:
            self._heading.append(data)
        inside = {tag for tag, _lang in self.stack}
        if "body" in inside and not inside & {"script", "style"} and HAN.search(data):
            self._check_language(data, self.lang)

    def _check_language(self, text: str, lang: str | None):
        if not (lang or "").startswith("zh"):
            self.han_without_lang.append(text.strip())


def structure(html: str) -> PageStructure:
    parser = PageStructure()
    parser.feed(html)
    return parser


# Without a browser ------------------------------------------------------------


@pytest.mark.django_db  # rendered_site renders the pages in the test database
@pytest.mark.parametrize("language", LANGUAGES)
def test_one_h1_and_no_heading_level_skipped(rendered_site, language):
    skipped = {}
    for page, html in rendered_site.pages(language):
        headings = structure(html).headings
        levels = [level for level, _text in headings]
        if levels[:1] != [1] or levels.count(1) != 1:
            skipped[str(page)] = headings
        for previous, (level, text) in zip(levels, headings[1:], strict=False):
            if level > previous + 1:
                skipped[str(page)] = f"h{previous} → h{level} {text!r}"

    assert skipped == {}


class SpokenSymbols(HTMLParser):
    """Symbols a screen reader would read aloud ("left right arrow") outside aria-hidden."""

    SYMBOLS = re.compile(r"[↔→←]")

    def __init__(self):
        super().__init__()
        self.hidden: list[bool] = []  # per open element: inside aria-hidden="true"
        self.spoken: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in VOID_ELEMENTS:
            return
        inside = bool(self.hidden and self.hidden[-1])
        self.hidden.append(inside or dict(attrs).get("aria-hidden") == "true")

    def handle_endtag(self, tag):
        if tag not in VOID_ELEMENTS and self.hidden:
            self.hidden.pop()

    def handle_data(self, data):
        if self.SYMBOLS.search(data) and not (self.hidden and self.hidden[-1]):
            self.spoken.append(data.strip())


@pytest.mark.django_db  # rendered_site renders the pages in the test database
@pytest.mark.parametrize("language", LANGUAGES)
def test_arrows_between_partners_are_not_read_aloud(rendered_site, language):
    """The map's legend said "Enschede left right arrow Dalian"; now a hidden "and" is read."""
    spoken = {}
    for page, html in rendered_site.pages(language):
        parser = SpokenSymbols()
        parser.feed(html)
        if parser.spoken:
            spoken[str(page)] = parser.spoken
        if page.name == "home":
            and_ = {"nl": "en", "en": "and", "zh-hans": "与"}[language]
            assert f'<span class="visually-hidden">{and_}</span>' in html

    assert spoken == {}


@pytest.mark.django_db  # rendered_site renders the pages in the test database
@pytest.mark.parametrize("language", LANGUAGES)
def test_landmarks_and_skip_link(rendered_site, language):
    for page, html in rendered_site.pages(language):
        parsed = structure(html)
        landmarks = {}
        for tag, attributes, parents in parsed.landmarks:
            landmarks.setdefault(tag, []).append((attributes, parents))

        # The skip link comes first and leads to the one main landmark.
        assert parsed.links[0] == {"class": "skip-link", "href": "#main"}, page
        [(main, _parents)] = landmarks["main"]
        assert main["id"] == "main", page
        # One banner and one contentinfo: header and footer straight under body.
        assert [parents for _attributes, parents in landmarks["header"]] == [["html", "body"]]
        assert [parents for _attributes, parents in landmarks["footer"]] == [["html", "body"]]
        # Several navigation landmarks, each with its own name.
        names = [attributes.get("aria-label") for attributes, _parents in landmarks["nav"]]
        assert all(names) and len(set(names)) == len(names), (page, names)


@pytest.mark.django_db  # rendered_site renders the pages in the test database
@pytest.mark.parametrize("language", ["nl", "en"])
def test_chinese_text_on_a_dutch_or_english_page_says_it_is_chinese(rendered_site, language):
    chinese_texts = {}
    for page, html in rendered_site.pages(language):
        if unmarked := structure(html).han_without_lang:
            chinese_texts[str(page)] = unmarked
        # The language switcher names Chinese in Chinese, and says so.
        assert 'hreflang="zh-Hans" lang="zh-Hans">简体中文</a>' in html, page

    assert chinese_texts == {}


@pytest.mark.django_db  # rendered_site renders the pages in the test database
def test_text_shown_in_another_language_on_the_chinese_page_says_which(rendered_site):
    html = {page.name: html for page, html in rendered_site.pages("zh-hans")}
    showcase = rendered_site.showcase
    mission, region = showcase.mission, showcase.region

    page = html["mission with dates, photos and fallbacks"]
    assertInHTML(f'<p class="lead" lang="en">{mission.summary_en}</p>', page)
    assertInHTML(f'<div class="prose" lang="en">{mission.why_en}</div>', page)
    item, photo = showcase.untranslated_item, showcase.untranslated_photo
    assertInHTML(f'<h5 class="programme__title" lang="en">{item.title_en}</h5>', page)
    assertInHTML(f'<span lang="en">{photo.caption_en}</span>', page)
    # A text that exists in Chinese has no lang of its own: it is in the page's language.
    assertInHTML(f"<h1>{mission.title_zh_hans}</h1>", page)

    page = html["region with fallback texts and a photo"]
    assertInHTML('<h1 lang="en">Example City</h1>', page)
    assertInHTML(f'<p class="lead" lang="en">{region.summary_en}</p>', page)
    figure = showcase.untranslated_figure
    assertInHTML(
        f'<th scope="row" class="figures__label"><span lang="en">{figure.label_en}</span></th>',
        page,
    )


# In Chromium ------------------------------------------------------------------


@pytest.fixture
def browser(live_server):
    with launched() as browser:
        yield browser


def staff_cookie(showcase, live_server) -> dict:
    """A session cookie of the showcase's staff member, for the browser."""
    client = Client()
    client.force_login(showcase.staff)
    name = settings.SESSION_COOKIE_NAME
    return {"name": name, "value": client.cookies[name].value, "url": live_server.url}


def axe_violations(tab) -> list[str]:
    """What axe finds on the page in ``tab`` (its script is added to every page of the context)."""
    results = tab.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    return [
        f"{violation['id']} ({violation['impact']}): {node['html'][:200]}"
        for violation in results["violations"]
        for node in violation["nodes"]
    ]


@requires_chromium
@pytest.mark.parametrize("language", LANGUAGES)
def test_axe_finds_no_violations_and_pages_reflow(live_server, browser, showcase, language):
    """axe at desktop and at phone width; and at 320 pixels nothing scrolls sideways.

    WCAG 1.4.10 (Reflow) asks for 320 CSS pixels; a wide table may scroll in its own box.
    Each page is opened once and resized, and the site seeded once per language.
    """
    violations, too_wide = {}, {}
    for page, tab in open_pages(browser, live_server, showcase, language):
        for viewport in (DESKTOP, PHONE):
            tab.set_viewport_size(viewport)
            if found := axe_violations(tab):
                violations[f"{page} at {viewport['width']}px"] = found
        tab.set_viewport_size(NARROWEST)
        width = tab.evaluate("document.documentElement.scrollWidth")
        if width > NARROWEST["width"]:
            too_wide[str(page)] = width

    assert violations == {}
    assert too_wide == {}


def open_pages(browser, live_server, showcase, language):
    """Each page of ``a11y_pages`` loaded in a browser tab, with axe: yields (page, tab)."""
    visitor = browser.new_context(viewport=DESKTOP, locale=language)
    staff = browser.new_context(viewport=DESKTOP, locale=language)
    staff.add_cookies([staff_cookie(showcase, live_server)])
    for context in (visitor, staff):
        context.add_init_script(path=AXE_SCRIPT)
    for page in a11y_pages.pages(showcase, language):
        tab = (staff if page.staff else visitor).new_page()
        response = tab.goto(live_server.url + page.path)
        if page.submitted:  # the form sent empty: the page with its errors
            with tab.expect_navigation() as navigation:
                tab.click("form[method=post] button[type=submit]")
            response = navigation.value
            assert tab.locator(".error-summary").count() == 1, page
        assert response.status == page.status, page
        yield page, tab
        tab.close()
    visitor.close()
    staff.close()


@requires_chromium
def test_keyboard_skip_link_then_visible_focus(live_server, browser):
    mission = MissionFactory()
    context = browser.new_context(viewport=DESKTOP)
    tab = context.new_page()
    tab.goto(live_server.url + mission.get_absolute_url())

    # The first Tab shows the skip link, in the viewport, in the focus colours.
    tab.keyboard.press("Tab")
    skip_link = tab.locator(".skip-link")
    assert tab.evaluate("document.activeElement.className") == "skip-link"
    box = skip_link.bounding_box()
    assert box["y"] >= 0 and box["height"] > 0
    assert focus_style(tab) == {"background": FOCUS_YELLOW, "color": "rgb(11, 12, 12)"}

    # Enter moves focus to the main content; the next Tab reaches its first link.
    tab.keyboard.press("Enter")
    assert tab.evaluate("document.activeElement.id") == "main"
    tab.keyboard.press("Tab")
    assert tab.evaluate("document.activeElement.closest('main') !== null")
    assert tab.evaluate("document.activeElement.textContent") == "Home"
    assert focus_style(tab)["background"] == FOCUS_YELLOW
    context.close()


def focus_style(tab) -> dict:
    return tab.evaluate(
        """() => {
            const style = getComputedStyle(document.activeElement);
            return {background: style.backgroundColor, color: style.color};
        }"""
    )
