"""Guards for the whole public site: every URL, every language.

They catch what a page-by-page test forgets: a missing migration, a page
without (or with two) ``<h1>``, a hard-coded ``lang``, a script or stylesheet
from a CDN, inline script or style that the Content-Security-Policy would
block, a response without that policy.
"""

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import translation

from programmes.models import Mission, Organisation, Outcome, Partnership, Region

from ..factories import (
    ClusterFactory,
    KeyFigureFactory,
    MissionFactory,
    OrganisationFactory,
    OutcomeFactory,
    RegionFactory,
)

LANGUAGES = [code for code, _name in settings.LANGUAGES]
HTML_LANG = {"nl": "nl", "en": "en", "zh-hans": "zh-Hans"}


class PageParser(HTMLParser):
    """Collects what the guards look at: ``<h1>``s, ``<html lang>``, scripts and styles."""

    def __init__(self):
        super().__init__()
        self.h1_count = 0
        self.html_lang = None
        self.resource_urls = []
        self.inline_scripts = 0
        self.style_elements = 0
        self.style_attributes = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "style" in attributes:
            self.style_attributes += 1
        if tag == "html":
            self.html_lang = attributes.get("lang")
        elif tag == "h1":
            self.h1_count += 1
        elif tag == "style":
            self.style_elements += 1
        elif tag == "script":
            if attributes.get("src"):
                self.resource_urls.append(attributes["src"])
            elif attributes.get("type") != "application/ld+json":
                # JSON-LD is a data block: browsers never execute it.
                self.inline_scripts += 1
        elif tag == "link" and {"stylesheet", "preload", "modulepreload", "icon"} & set(
            (attributes.get("rel") or "").split()
        ):
            self.resource_urls.append(attributes["href"])


def parse(html: str) -> PageParser:
    parser = PageParser()
    parser.feed(html)
    return parser


@pytest.fixture(params=["factories", pytest.param("seeds", marks=pytest.mark.seeded)])
def site(request, db):
    """Each page type with its relations: made by the factories, then the real seed content."""
    if request.param == "seeds":
        request.getfixturevalue("seeded")
        return
    province = RegionFactory(kind=Region.Kind.PROVINCE)
    city = RegionFactory(parent=province)
    KeyFigureFactory(region=province)
    ClusterFactory(region=city)
    mission = MissionFactory(
        programme_items=2,
        destinations=[province, city],
        organisers=[OrganisationFactory(region=city)],
    )
    OutcomeFactory(mission=mission)


def public_paths(language: str) -> list[str]:
    """Every public page that exists in the database, in ``language``."""
    with translation.override(language):
        objects = [
            *Region.objects.published(),
            *Organisation.objects.published(),
            *Partnership.objects.published(),
            *Mission.objects.published(),
            *Outcome.objects.published(),
        ]
        return [f"/{language}/", f"/{language}/outcomes/"] + [
            obj.get_absolute_url() for obj in objects
        ]


def test_no_missing_migrations(db):
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_public_page_renders_with_one_h1_in_its_language(client, site, language):
    paths = public_paths(language)
    assert len(paths) > 10

    for path in paths:
        response = client.get(path)
        page = parse(response.text)
        assert response.status_code == 200, path
        assert page.h1_count == 1, path
        assert page.html_lang == HTML_LANG[language], path


def test_error_pages_have_one_h1_too(client, site):
    page = parse(client.get("/zh-hans/missions/no-such-mission/").text)

    assert page.h1_count == 1
    assert page.html_lang == "zh-Hans"


@pytest.mark.parametrize("language", LANGUAGES)
def test_scripts_and_styles_come_from_this_site_only(client, site, language):
    for path in [*public_paths(language), f"/{language}/no-such-page/"]:
        page = parse(client.get(path).text)
        for url in page.resource_urls:
            assert not urlsplit(url).netloc, (path, url)
            assert not url.startswith("//"), (path, url)


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_inline_script_or_style(client, site, language):
    for path in public_paths(language):
        page = parse(client.get(path).text)
        assert page.inline_scripts == 0, path
        assert page.style_elements == 0, path
        assert page.style_attributes == 0, path


def test_stylesheets_load_nothing_from_elsewhere():
    for stylesheet in (Path(settings.BASE_DIR) / "static" / "css").glob("*.css"):
        # A namespace's name (feed.css: Atom's) is an identifier, never fetched.
        css = re.sub(r"@namespace[^;]*;", "", stylesheet.read_text())
        assert "@font-face" not in css, stylesheet
        assert "@import" not in css, stylesheet
        assert "http://" not in css and "https://" not in css, stylesheet


def test_every_response_carries_a_content_security_policy(client, site):
    paths = [
        "/",
        *public_paths("nl"),
        *public_paths("zh-hans"),
        "/en/no-such-page/",
        "/en/missions/no-such-mission/",
    ]

    for path in paths:
        policy = client.get(path).headers.get("Content-Security-Policy", "")
        assert "script-src 'self'" in policy, path
        assert "style-src 'self'" in policy, path


@pytest.mark.parametrize(
    "path",
    [
        "//evil.example/",
        "//evil.example/nl/",
        "///evil.example/",
        "/\\evil.example/",
        "//nl/missions",
        "/nl//evil.example/",
    ],
)
def test_a_path_that_names_another_host_is_not_found_never_redirected(db, client, path):
    # Set as the server received it: the test client would read "//evil.example" as a host.
    # A redirect that kept such a path (adding a language or a slash) would leave the site.
    response = client.get("/", PATH_INFO=path)
    assert response.status_code == 404
    assert "Location" not in response
