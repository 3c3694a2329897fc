"""Site pages in Chromium, in nl, en and zh-hans: the footer names the site's publishers and
links the privacy statement, the main menu links the contact page, and a reader who follows
the footer's link lands on the statement.

Screenshots (``screenshot``) of the footer and the statement in each language are left for
people to look at.
"""

import pytest
from django.utils import translation

from programmes.models import Organisation, SitePage

from ..factories import SitePageFactory
from .a11y_pages import LANGUAGES
from .chromium import BROWSER_TEST, launched, screenshot

pytestmark = BROWSER_TEST

HTML_LANG = {"nl": "nl", "en": "en", "zh-hans": "zh-Hans"}
COLUMN = {"nl": "nl", "en": "en", "zh-hans": "zh_hans"}


@pytest.fixture
def site_pages(seeded):
    privacy = SitePageFactory(
        slug="privacy",
        purpose=SitePage.Purpose.PRIVACY,
        order=1,
        title_nl="Privacyverklaring",
        title_en="Privacy statement",
        title_zh_hans="隐私声明",
        body_nl="<h3>Welke gegevens wij bewaren</h3><p>Alleen wat u ons zelf geeft.</p>",
        body_en="<h3>What data we keep</h3><p>Only what you give us yourself.</p>",
        body_zh_hans="<h3>我们保存哪些数据</h3><p>只保存您自己提供给我们的信息。</p>",
    )
    SitePageFactory(
        slug="toegankelijkheid",
        purpose=SitePage.Purpose.ACCESSIBILITY,
        order=2,
        title_nl="Toegankelijkheidsverklaring",
        title_en="Accessibility statement",
        title_zh_hans="无障碍声明",
    )
    contact = SitePageFactory(
        slug="contact",
        purpose=SitePage.Purpose.CONTACT,
        placement=SitePage.Placement.MAIN_MENU,
        title_nl="Contact",
        title_en="Contact",
        title_zh_hans="联系我们",
    )
    return privacy, contact


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_footer_leads_to_the_privacy_statement(live_server, seeded, site_pages, language):
    privacy, contact = site_pages
    column = COLUMN[language]
    publishers = Organisation.objects.filter(owned_partnerships__isnull=False).distinct()
    assert publishers.count() == 2  # Gemeente Enschede and POM West-Vlaanderen, by the seeds
    with translation.override(language):
        privacy_url = privacy.get_absolute_url()

    with launched() as browser:
        tab = browser.new_page(viewport={"width": 1280, "height": 900})
        tab.goto(f"{live_server.url}/{language}/")

        menu = tab.locator(".site-nav")
        assert menu.get_by_role("link", name=getattr(contact, f"title_{column}")).is_visible()
        footer = tab.locator("footer.site-footer")
        footer.scroll_into_view_if_needed()
        for organisation in publishers:
            assert footer.get_by_role("link", name=getattr(organisation, f"name_{column}"))
        pages = footer.get_by_role("navigation")
        assert pages.get_by_role("link").count() == 2
        screenshot(footer, f"site-pages-footer-{language}")

        pages.get_by_role("link", name=getattr(privacy, f"title_{column}")).click()
        tab.wait_for_url(f"**{privacy_url}")
        assert tab.locator("html").get_attribute("lang") == HTML_LANG[language]
        assert tab.locator("h1").inner_text() == getattr(privacy, f"title_{column}")
        # The body's heading (h3 in the editor) comes right under the title, as an h2.
        assert tab.locator(".prose h2").is_visible()
        screenshot(tab, f"site-pages-privacy-{language}")
