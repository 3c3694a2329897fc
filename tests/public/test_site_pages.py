"""Site pages on the public site: the page, the menu and footer links, the publishers in the
footer, search, the sitemap, and the caches that must let a new page appear everywhere."""

import datetime as dt

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext
from pytest_django.asserts import assertContains, assertInHTML, assertNotContains

from programmes.domain import workflow
from programmes.domain.permissions import EDITOR, SITE_MANAGER
from programmes.models import SitePage, Status

from ..factories import (
    OrganisationFactory,
    PartnershipFactory,
    SitePageFactory,
    StaffFactory,
)
from .test_findable import file_entries, sitemap_file, sitemap_files

pytestmark = pytest.mark.django_db

LANGUAGES = ["nl", "en", "zh-hans"]
HTML_LANG = {"nl": "nl", "en": "en", "zh-hans": "zh-Hans"}
COLUMN = {"nl": "nl", "en": "en", "zh-hans": "zh_hans"}


def url(obj, language: str) -> str:
    with translation.override(language):
        return obj.get_absolute_url()


def footer_of(html: str) -> str:
    """The page's footer element."""
    start = html.index('<footer class="site-footer">')
    return html[start : html.index("</footer>", start) + len("</footer>")]


def texts(field: str, nl: str, en: str, zh: str) -> dict:
    return {f"{field}_nl": nl, f"{field}_en": en, f"{field}_zh_hans": zh}


@pytest.fixture
def privacy():
    return SitePageFactory(
        slug="privacy",
        purpose=SitePage.Purpose.PRIVACY,
        **texts("title", "Privacyverklaring", "Privacy statement", "隐私声明"),
        **texts(
            "body",
            "<h3>Welke gegevens</h3><p>Wij bewaren alleen wat u ons geeft.</p>",
            "<h3>What data</h3><p>We keep only what you give us.</p>",
            "<h3>哪些数据</h3><p>我们只保存您提供的信息。</p>",
        ),
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_site_page_shows_its_title_and_body_in_the_pages_language(client, privacy, language):
    response = client.get(url(privacy, language))

    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{HTML_LANG[language]}">' in html
    assert html.count("<h1") == 1
    title = getattr(privacy, f"title_{COLUMN[language]}")
    assertInHTML(f"<h1>{title}</h1>", html)
    assertInHTML(f'<li aria-current="page"><span>{title}</span></li>', html)
    # The body's headings (h3 in the editor) move up under the page's h1: none is skipped.
    body = getattr(privacy, f"body_{COLUMN[language]}").replace("h3>", "h2>")
    assertInHTML(f'<div class="prose">{body}</div>', html)
    assert "<h3" not in html


def test_a_missing_translation_is_shown_in_dutch_with_its_language(client):
    page = SitePageFactory(title_zh_hans="", body_zh_hans="", title_en="", body_en="")

    response = client.get(url(page, "zh-hans"))

    assertInHTML(f'<h1 lang="nl">{page.title_nl}</h1>', response.content.decode())
    assertInHTML(f'<div class="prose" lang="nl">{page.body_nl}</div>', response.content.decode())


@pytest.mark.parametrize("status", [Status.DRAFT, Status.IN_REVIEW, Status.UNPUBLISHED])
def test_an_unpublished_page_is_not_found_and_not_linked(client, status):
    page = SitePageFactory(status=status)

    assert client.get(url(page, "nl")).status_code == 404
    assertNotContains(client.get("/nl/"), url(page, "nl"))


def test_a_page_scheduled_for_later_is_not_found_yet(client):
    page = SitePageFactory(publish_at=timezone.now() + dt.timedelta(days=1))

    assert client.get(url(page, "en")).status_code == 404


def test_site_managers_preview_a_draft_and_editors_do_not(client):
    page = SitePageFactory(status=Status.DRAFT)

    client.force_login(StaffFactory(role=SITE_MANAGER))
    preview = client.get(url(page, "en"))
    assert preview.status_code == 200
    assertContains(preview, 'class="draft-banner"')
    assert preview["X-Robots-Tag"] == "noindex"

    client.force_login(StaffFactory(role=EDITOR, organisations=[OrganisationFactory()]))
    assert client.get(url(page, "en")).status_code == 404


# The menu and the footer ----------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_menu_pages_are_in_the_main_menu_and_footer_pages_in_the_footer(client, language):
    contact = SitePageFactory(
        slug="contact", placement=SitePage.Placement.MAIN_MENU, purpose=SitePage.Purpose.CONTACT
    )
    colophon = SitePageFactory(slug="colophon", order=2)
    accessibility = SitePageFactory(slug="accessibility", order=1)
    column = COLUMN[language]

    html = client.get(f"/{language}/missions/").content.decode()

    footer = footer_of(html)
    menu = html[html.index('<nav class="site-nav"') : html.index("</nav>", html.index("site-nav"))]
    assert url(contact, language) in menu
    assert url(colophon, language) not in menu
    # The footer's links, in their order.
    first = footer.index(getattr(accessibility, f"title_{column}"))
    assert first < footer.index(getattr(colophon, f"title_{column}"))
    assertInHTML(
        f'<li><a href="{url(accessibility, language)}">{getattr(accessibility, f"title_{column}")}'
        "</a></li>",
        footer,
    )
    assert url(contact, language) not in footer


def test_the_menu_marks_the_page_being_shown(client):
    contact = SitePageFactory(placement=SitePage.Placement.MAIN_MENU)

    response = client.get(url(contact, "en"))

    assertInHTML(
        f'<li><a href="{url(contact, "en")}" aria-current="page">{contact.title_en}</a></li>',
        response.content.decode(),
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_footer_names_the_owners_of_published_partnerships(client, language):
    enschede = OrganisationFactory(**texts("name", "Gemeente Enschede", "Enschede", "恩斯赫德市"))
    pom = OrganisationFactory(
        status=Status.DRAFT, **texts("name", "POM West-Vlaanderen", "POM West Flanders", "西佛兰德")
    )
    hidden = OrganisationFactory(**texts("name", "Verborgen", "Hidden", "隐藏"))
    PartnershipFactory(owner=enschede)
    PartnershipFactory(owner=pom)
    PartnershipFactory(owner=hidden, status=Status.DRAFT)
    column = COLUMN[language]

    footer = footer_of(client.get(f"/{language}/").content.decode())

    with translation.override(language):
        label = gettext("Published by:")
    assert label in footer
    # A published organisation is linked; a draft one is named only.
    name = getattr(enschede, f"name_{column}")
    assertInHTML(f'<a href="{url(enschede, language)}">{name}</a>', footer)
    assert getattr(pom, f"name_{column}") in footer
    assert url(pom, language) not in footer
    assert getattr(hidden, f"name_{column}") not in footer


def test_without_site_pages_or_partnerships_the_footer_has_neither(client):
    footer = footer_of(client.get("/en/").content.decode())

    assert "site-footer__pages" not in footer
    assert "site-footer__publishers" not in footer


# Caches: a page published or changed is on every page at once -------------------------------


def test_publishing_a_page_puts_it_on_cached_pages_and_stored_detail_pages(client, settings):
    partnership = PartnershipFactory()
    page = SitePageFactory(status=Status.DRAFT, placement=SitePage.Placement.MAIN_MENU)
    manager = StaffFactory(role=SITE_MANAGER)
    home = client.get("/en/")
    # A detail page from the read model: the page cache off, so that the stored copy answers.
    settings.PAGE_CACHE_SECONDS = 0
    detail = client.get(url(partnership, "en"))
    assertNotContains(home, url(page, "en"))
    assertNotContains(detail, url(page, "en"))

    workflow.publish(page, by=manager)

    assertContains(client.get(url(partnership, "en")), url(page, "en"))
    settings.PAGE_CACHE_SECONDS = 60
    assertContains(client.get("/en/"), url(page, "en"))


def test_a_changed_title_reaches_stored_detail_pages(client, settings):
    from programmes.domain import services

    settings.PAGE_CACHE_SECONDS = 0
    partnership = PartnershipFactory()
    page = SitePageFactory()
    assertContains(client.get(url(partnership, "en")), page.title_en)

    page.title_en = "How to reach us"
    services.save_content(page, user=StaffFactory(role=SITE_MANAGER))

    assertContains(client.get(url(partnership, "en")), "How to reach us")


def test_a_partnership_handed_to_another_owner_changes_the_footer_of_stored_pages(client, settings):
    from programmes.domain import services

    settings.PAGE_CACHE_SECONDS = 0
    partnership = PartnershipFactory()
    other = PartnershipFactory()
    newcomer = OrganisationFactory(**texts("name", "Provincie", "Province", "省政府"))
    assert newcomer.name_en not in client.get(url(other, "en")).text

    partnership.owner = newcomer
    services.save_content(partnership, user=StaffFactory(role=SITE_MANAGER))

    assertContains(client.get(url(other, "en")), newcomer.name_en)


# Search and sitemap ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "word"), [("nl", "gegevens"), ("en", "data"), ("zh-hans", "数据")]
)
def test_search_finds_a_site_page_by_its_body(client, privacy, language, word):
    response = client.get(f"/{language}/search/", {"q": word})

    assertContains(response, f'href="{url(privacy, language)}"')
    with translation.override(language):
        assertContains(response, str(SitePage.Purpose.PRIVACY.label))


def test_search_leaves_out_unpublished_pages(client):
    SitePageFactory(status=Status.DRAFT, title_en="Accessibility statement")

    assertNotContains(client.get("/en/search/", {"q": "accessibility"}), "/pages/")


def test_the_sitemap_lists_published_pages_in_every_language(client, privacy):
    SitePageFactory(slug="draft-page", status=Status.DRAFT)

    assert sitemap_file("pages") in sitemap_files(client)
    entries = file_entries(client.get(sitemap_file("pages")))

    assert set(entries) == {f"http://testserver{url(privacy, language)}" for language in LANGUAGES}
    alternates = entries[f"http://testserver{url(privacy, 'en')}"]["alternates"]
    assert alternates["zh-Hans"] == f"http://testserver{url(privacy, 'zh-hans')}"


def test_a_site_page_tells_machines_what_it_is(client):
    contact = SitePageFactory(purpose=SitePage.Purpose.CONTACT, title_en="Contact")

    response = client.get(url(contact, "en"))

    assertContains(response, '"@type":"ContactPage"')
    assertContains(response, '<meta property="og:title" content="Contact">')
