"""Script payloads in every text field never reach a page or the API as something that runs.

For every content model the text columns are found from the model itself (all languages):
rich text (django-prose-editor fields) must come out sanitized by the allow-list, plain
text must come out as the very text that was typed, escaped wherever it is shown. The
payloads go in through the admin's forms and through ``services.save_content``; the
public pages are parsed as HTML (not string-searched) for anything that would execute.
"""

import io
import json
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.urls import reverse
from django.utils import translation
from django_prose_editor.fields import ProseEditorField
from PIL import Image

from programmes.domain import services
from programmes.domain.revisions import VERSIONED_MODELS, translated_field_names
from programmes.models import (
    Mission,
    MissionDestination,
    Organisation,
    Photo,
    validate_time_zone,
)
from programmes.models.richtext import sanitize_html

from ..factories import (
    ClusterFactory,
    FocusAreaFactory,
    KeyFigureFactory,
    MissionFactory,
    ObjectiveFactory,
    OrganisationFactory,
    OutcomeFactory,
    PartnershipFactory,
    ProgrammeItemFactory,
    RegionFactory,
    StaffFactory,
)
from ..html_forms import form_data

pytestmark = pytest.mark.django_db

PAYLOADS = [
    pytest.param("<script>alert(1)</script>", id="script"),
    pytest.param("<img src=x onerror=alert(1)>", id="img-onerror"),
    pytest.param('<a href="javascript:alert(1)">x</a>', id="javascript-link"),
    pytest.param('"><svg onload=alert(1)>', id="attribute-breakout"),
]
LANGUAGES = [code for code, _name in settings.LANGUAGES]
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "srcset"}


# Which fields are text, from the models themselves ----------------------------------------------


def text_columns(model: type[models.Model]) -> tuple[list[str], list[str]]:
    """(plain, rich) columns of ``model`` that editors type text into, every language.

    Left out: choices, slugs, web addresses and time zones, which are validated rather than
    escaped (a ``javascript:`` website is refused, see below).
    """
    translated = translated_field_names(model)
    plain, rich = [], []
    for field in model._meta.concrete_fields:
        if (
            not isinstance(field, models.CharField | models.TextField)
            or field.choices
            or isinstance(field, models.SlugField | models.URLField)
            or validate_time_zone in field.validators
            or not field.editable
            or field.name in translated
        ):
            continue
        (rich if isinstance(field, ProseEditorField) else plain).append(field.attname)
    return plain, rich


def test_every_model_has_its_text_fields_found():
    """A guard on ``text_columns``: the fields it finds are the ones editors write in."""
    assert text_columns(Mission) == (
        [
            *(f"title_{lang}" for lang in ("nl", "en", "zh_hans")),
            "leader_name",
            *(f"leader_role_{lang}" for lang in ("nl", "en", "zh_hans")),
            *(f"participants_{lang}" for lang in ("nl", "en", "zh_hans")),
            *(f"summary_{lang}" for lang in ("nl", "en", "zh_hans")),
        ],
        [
            f"{name}_{lang}"
            for name in ("context", "why", "programme_intro", "result")
            for lang in ("nl", "en", "zh_hans")
        ],
    )
    for model in VERSIONED_MODELS:
        if model is MissionDestination:
            continue  # a mission's destination at its place in the list: no text of its own
        plain, _rich = text_columns(model)
        assert plain, model


# Content that shows every text somewhere --------------------------------------------------------


def png_upload() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "red").save(buffer, format="PNG")
    return SimpleUploadedFile("dalian.png", buffer.getvalue(), content_type="image/png")


def make_content() -> dict[str, models.Model]:
    """One published object of every model, linked so each appears on the public pages."""
    region = RegionFactory(slug="dalian")
    organisation = OrganisationFactory(slug="nbso-dalian", region=region)
    partnership = PartnershipFactory(
        slug="enschede-dalian", home_region=region, coordinator=organisation
    )
    area = FocusAreaFactory(slug="economy")
    partnership.focus_areas.add(area)
    mission = MissionFactory(
        slug="inspiration-trip",
        partnership=partnership,
        destinations=[region],
        organisers=[organisation],
    )
    photo_fields = {"alt_text_nl": "Haven", "image": png_upload()}
    return {
        "region": region,
        "keyfigure": KeyFigureFactory(region=region),
        "cluster": ClusterFactory(region=region),
        "organisation": organisation,
        "partnership": partnership,
        "focusarea": area,
        "objective": ObjectiveFactory(partnership=partnership),
        "mission": mission,
        "programmeitem": ProgrammeItemFactory(mission=mission, city=region, host=organisation),
        "outcome": OutcomeFactory(slug="port-contract", mission=mission, area=area),
        "mission_photo": Photo.objects.create(mission=mission, **photo_fields),
        "region_photo": Photo.objects.create(
            region=region, **{**photo_fields, "image": png_upload()}
        ),
    }


def assert_stored(content: dict[str, models.Model], payload: str) -> None:
    """Plain text is stored as typed; rich text as the allow-list leaves it."""
    for obj in content.values():
        obj.refresh_from_db()
        plain, rich = text_columns(type(obj))
        for name in plain:
            assert getattr(obj, name) == payload, (obj, name)
        for name in rich:
            assert getattr(obj, name) == sanitize_html(payload), (obj, name)


# What counts as executable -------------------------------------------------------------------


class ExecutableFinder(HTMLParser):
    """Collects, from a parsed page, everything a browser would run, and the visible text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.text: list[str] = []
        self.script: tuple[str, dict] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name, value in attrs.items():
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}>")
            if name in URL_ATTRIBUTES and _scheme(value or "") in {"javascript", "vbscript"}:
                self.problems.append(f"<{tag} {name}={value}>")
        if tag == "img" and attrs.get("src") == "x":
            self.problems.append("<img src=x>")
        if tag in {"iframe", "object", "embed", "base"}:
            self.problems.append(f"<{tag}>")
        if tag == "script":
            self.script = (attrs.get("src") or "", attrs)

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        if self.script is None:
            self.text.append(data)
            return
        _src, attrs = self.script
        # The site's own scripts come from its static files; JSON-LD is data, not code.
        if attrs.get("type") != "application/ld+json" and data.strip():
            self.problems.append(f"inline script: {data.strip()[:40]}")

    def handle_endtag(self, tag):
        if tag == "script":
            src, attrs = self.script or ("", {})
            own = src.startswith(settings.STATIC_URL)
            if not own and attrs.get("type") != "application/ld+json":
                self.problems.append(f"<script src={src!r}>")
            self.script = None


def _scheme(url: str) -> str:
    cleaned = "".join(ch for ch in url if ch.isprintable() and not ch.isspace()).lower()
    return cleaned.split(":", 1)[0] if ":" in cleaned else ""


def parse(html: str) -> ExecutableFinder:
    finder = ExecutableFinder()
    finder.feed(html)
    finder.close()
    return finder


def test_the_finder_finds_what_would_run():
    """The checker itself: each payload, unescaped, is reported."""
    for payload in ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>"):
        assert parse(f"<p>{payload}</p>").problems
    assert parse('<a href=" JavaScript:alert(1)">x</a>').problems == [
        "<a href= JavaScript:alert(1)>"
    ]
    assert parse('<p title=""><svg onload=alert(1)>">').problems == ["<svg onload>"]
    assert parse('<script src="/static/site.js"></script><p>&lt;script&gt;</p>').problems == []


# The public pages and the API -----------------------------------------------------------------


def public_pages(content: dict[str, models.Model]) -> list[str]:
    pages = []
    for language in LANGUAGES:
        with translation.override(language):
            pages += [reverse("programmes:home"), reverse("programmes:outcomes")]
            pages += [
                content[name].get_absolute_url()
                for name in ("region", "organisation", "partnership", "mission", "outcome")
            ]
    return pages


def assert_pages_safe(client, content: dict[str, models.Model], payload: str) -> None:
    for path in public_pages(content):
        response = client.get(path)
        assert response.status_code == 200, path
        page = parse(response.text)
        assert page.problems == [], path
        # Escaped, not dropped: the plain texts show the payload as text …
        assert payload in "".join(page.text), path
        # … and never as markup.
        assert payload not in response.text, path


def api_urls() -> list[str]:
    lists = [f"/api/v1/{name}" for name in ("regions", "organisations", "partnerships", "missions")]
    lists.append("/api/v1/outcomes")
    return [f"{url}?lang={lang}" for url in lists for lang in LANGUAGES] + lists


def strings(data) -> list[str]:
    if isinstance(data, str):
        return [data]
    if isinstance(data, dict):
        return [text for value in data.values() for text in strings(value)]
    if isinstance(data, list):
        return [text for value in data for text in strings(value)]
    return []


def assert_api_safe(client, payload: str) -> None:
    """Plain texts are the typed text, as JSON data; every other text is safe HTML."""
    sanitized = sanitize_html(payload)
    for url in api_urls():
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"] == "application/json; charset=utf-8"
        assert response["X-Content-Type-Options"] == "nosniff"
        texts = strings(json.loads(response.content))
        assert payload in texts, url
        if sanitized:
            assert sanitized in texts, url
        for text in texts:
            if text != payload:
                assert parse(text).problems == [], (url, text)


# Through save_content and through the admin ---------------------------------------------------


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_saved_through_the_services(client, payload):
    content = make_content()
    for obj in content.values():
        plain, rich = text_columns(type(obj))
        for name in plain + rich:
            setattr(obj, name, payload)
        services.save_content(obj)

    assert_stored(content, payload)
    assert_pages_safe(client, content, payload)
    assert_api_safe(client, payload)


ADMIN_FORMS = ["region", "organisation", "partnership", "mission", "outcome", "focusarea", "photo"]


def fill_text_fields(data: dict[str, list[str]], payload: str) -> dict[str, list[str]]:
    """``data`` with every text field of the form and its inline rows set to ``payload``."""
    text_names = {
        name for model in VERSIONED_MODELS for columns in text_columns(model) for name in columns
    }
    return {
        key: [payload] if key.rsplit("-", 1)[-1] in text_names else values
        for key, values in data.items()
    }


@pytest.mark.slow  # every text field of every model, through its admin form
@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_typed_into_the_admin(client, payload):
    content = make_content()
    client.force_login(StaffFactory(is_superuser=True))
    objects = {**content, "photo": content["mission_photo"]}

    for name in ADMIN_FORMS:
        url = reverse(f"admin:programmes_{name}_change", args=[objects[name].pk])
        data = fill_text_fields(form_data(client.get(url).text, f"{name}_form"), payload)
        response = client.post(url, data)
        assert response.status_code == 302, (name, response.context and response.context["errors"])

    assert_stored(content, payload)
    client.logout()
    assert_pages_safe(client, content, payload)
    assert_api_safe(client, payload)


@pytest.mark.parametrize("website", ["javascript:alert(1)", "data:text/html,<script>alert(1)"])
def test_a_website_must_be_a_web_address(website):
    organisation = OrganisationFactory.build(slug="nbso", region=RegionFactory(), website=website)
    with pytest.raises(ValidationError) as refused:
        services.save_content(organisation)
    assert list(refused.value.message_dict) == ["website"]
    assert not Organisation.objects.filter(slug="nbso").exists()
