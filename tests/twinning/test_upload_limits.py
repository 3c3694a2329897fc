"""The largest request the site reads (``DJANGO_MAX_UPLOAD_MB``, twinning/uploads.py).

A larger one is refused before a byte of its body is read: nothing is parsed, nothing
written to a temporary file or to media, and the editor is told in their language what to do.
"""

import json
from http import HTTPStatus
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.http.multipartparser import MultiPartParser
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import reverse
from pytest_django.asserts import assertContains

from programmes.models import Photo
from tests.domain.test_photos import encoded, photo_form, photo_like, upload
from tests.environment import load_settings
from tests.factories import MissionFactory

MB = 1024 * 1024
GB = 1024 * MB


@pytest.fixture
def media_root(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def parsed():
    """Every multipart body Django parses: the refused ones must never get there."""
    with mock.patch.object(
        MultiPartParser, "parse", autospec=True, side_effect=MultiPartParser.parse
    ) as parse:
        yield parse


def files_in(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*") if path.is_file())


def test_a_2_gb_photo_form_is_refused_before_its_body_is_read(admin_client, media_root, parsed):
    mission = MissionFactory()
    admin_client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    photo = encoded(photo_like(120, 90), "JPEG")

    response = admin_client.post(
        reverse("admin:programmes_photo_add"),
        photo_form(mission, upload(photo)),
        CONTENT_LENGTH=str(2 * GB),  # as the browser states it; the test sends only the start
    )

    assert response.status_code == 413
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assertContains(response, '<html lang="en">', status_code=413)
    assertContains(response, "<h1>Too much to send at once</h1>", status_code=413)
    assertContains(
        response,
        '<p class="lead">What you sent is 2.0\xa0GB, more than the 25.0\xa0MB this site '
        "accepts at once. Nothing of it was saved.</p>",
        status_code=413,
    )
    assertContains(
        response,
        "<p>A photo may be at most 20.0\xa0MB. Go back with your browser, make large photos "
        "smaller or add them a few at a time, and save again.</p>",
        status_code=413,
    )
    assert parsed.call_count == 0
    assert not Photo.objects.exists()
    assert files_in(media_root) == []


def test_the_refusal_is_in_the_editors_language(admin_client, parsed):
    admin_client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "zh-hans"

    response = admin_client.post(
        reverse("admin:programmes_photo_add"), {"credit": "x"}, CONTENT_LENGTH=str(30 * MB)
    )

    assertContains(response, '<html lang="zh-Hans">', status_code=413)
    assertContains(response, "<h1>一次发送的内容太多</h1>", status_code=413)
    assertContains(
        response,
        '<p class="lead">您发送的内容为 30.0\xa0MB，超过了本网站一次可接收的 25.0\xa0MB。'
        "其中任何内容都没有保存。</p>",
        status_code=413,
    )
    assert parsed.call_count == 0


def test_a_real_body_one_byte_over_the_limit_is_refused_and_one_at_the_limit_saved(
    admin_client, settings, media_root, parsed
):
    mission = MissionFactory()
    admin_client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    photo = encoded(photo_like(600, 400), "JPEG")
    body = encode_multipart(BOUNDARY, photo_form(mission, upload(photo)))
    assert len(body) > 15_000  # a real photo, sent whole
    add = reverse("admin:programmes_photo_add")

    settings.MAX_UPLOAD_BYTES = len(body) - 1
    refused = admin_client.generic("POST", add, body, content_type=MULTIPART_CONTENT)

    assert refused.status_code == 413
    assert f"What you sent is {len(body) / 1024:.1f}\xa0KB" in refused.text
    assert parsed.call_count == 0
    assert not Photo.objects.exists()
    assert files_in(media_root) == []

    settings.MAX_UPLOAD_BYTES = len(body)
    saved = admin_client.generic("POST", add, body, content_type=MULTIPART_CONTENT)

    assert saved.status_code == 302
    assert parsed.call_count == 1
    stored = Photo.objects.get()
    assert (stored.mission, stored.alt_text_en, stored.width, stored.height) == (
        mission,
        "The port of Dalian",
        600,
        400,
    )
    assert media_root / stored.image.name in files_in(media_root)


def test_the_api_answers_a_problem(client):
    response = client.post(
        "/api/v1/missions", b"{}", content_type="application/json", CONTENT_LENGTH=str(GB)
    )

    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"
    assert json.loads(response.content) == {
        "type": "about:blank",
        "title": HTTPStatus(413).phrase,
        "status": 413,
        "detail": HTTPStatus(413).description,
        "instance": "/api/v1/missions",
    }


@pytest.mark.parametrize(("value", "limit"), [("", 25 * MB), ("40", 40 * MB), (" 1 ", MB)])
def test_the_limit_is_read_from_the_environment(monkeypatch, value, limit):
    loaded = load_settings(monkeypatch, DJANGO_MAX_UPLOAD_MB=value)

    assert limit == loaded.MAX_UPLOAD_BYTES


@pytest.mark.parametrize("value", ["0", "-5", "25MB", "2.5"])
def test_a_limit_that_cannot_work_stops_the_start(monkeypatch, value):
    with pytest.raises(ImproperlyConfigured) as error:
        load_settings(monkeypatch, DJANGO_MAX_UPLOAD_MB=value)

    assert str(error.value) == "DJANGO_MAX_UPLOAD_MB must be a whole number of MB, 1 or more."
