"""Media in S3-compatible object storage, against a real S3 server on loopback.

The server is moto's (``python -m moto.server``, from requirements-dev.txt), started once
for this module on a free port of 127.0.0.1: real HTTP requests, signed by boto3, answered
by a separate process; each test gets a bucket of its own. boto3 gets dummy credentials
and no configuration files, and may not ask an instance metadata service, so nothing here
leaves the machine. Without moto installed the tests that need the server are skipped.

The configuration tests (which variables give which storage, and that the
Content-Security-Policy source matches the links django-storages makes) need no server.
"""

import hashlib
import importlib.util
import io
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
import zipfile
from pathlib import Path
from types import SimpleNamespace
from unittest import mock

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from PIL import Image

from programmes.models import Mission, Photo, images
from tests.bundle_helpers import empty_install, read_document, rewrite
from tests.environment import load_settings
from tests.factories import MissionFactory, OutcomeFactory, PartnershipFactory, PhotoFactory
from tests.test_photos import upload_through_the_admin, url
from twinning.media_storage import (
    FILE_SYSTEM,
    IMMUTABLE,
    csp_sources,
    storage_from_environment,
)

BASE_DIR = Path(__file__).resolve().parent.parent
REGION = "eu-central-1"
# boto3 reads these (and would otherwise look for credentials in ~/.aws and, on a cloud
# machine, at the instance metadata address). The proxy variables keep loopback direct.
AWS_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "NO_PROXY": "127.0.0.1,localhost",
    "no_proxy": "127.0.0.1,localhost",
}
KEYS = {"MEDIA_S3_ACCESS_KEY_ID": "testing", "MEDIA_S3_SECRET_ACCESS_KEY": "testing"}


@pytest.fixture(scope="module", autouse=True)
def aws_environment():
    with pytest.MonkeyPatch.context() as patch:
        for name in ("AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_PROFILE", "AWS_REGION"):
            patch.delenv(name, raising=False)
        for name, value in AWS_ENVIRONMENT.items():
            patch.setenv(name, value)
        yield


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint(aws_environment):
    """The address of moto's S3 server, started on a free loopback port for this module."""
    if importlib.util.find_spec("moto") is None:
        pytest.skip(
            "moto is not installed, so there is no S3 server to test against: "
            "pip install -r requirements-dev.txt (moto[server])"
        )
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **AWS_ENVIRONMENT},
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    with urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1):
                        break
                except OSError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        log.seek(0)
                        pytest.fail(f"moto's S3 server did not start:\n{log.read().decode()}")
                    time.sleep(0.05)
            yield endpoint
        finally:
            server.terminate()
            server.wait(timeout=10)


@pytest.fixture
def bucket(s3_endpoint, settings, tmp_path, db):
    """A new, empty bucket as the media storage; the file system's media folder stays empty."""
    name = f"twinning-{uuid.uuid4().hex[:12]}"
    return use_bucket(s3_endpoint, name, settings, tmp_path)


def use_bucket(endpoint: str, name: str, settings, tmp_path: Path) -> SimpleNamespace:
    storage = storage_from_environment(
        {
            "MEDIA_S3_BUCKET": name,
            "MEDIA_S3_ENDPOINT_URL": endpoint,
            "MEDIA_S3_REGION": "us-east-1",
            **KEYS,
        }
    )
    settings.STORAGES = {**settings.STORAGES, "default": storage}
    settings.MEDIA_ROOT = tmp_path / f"local-media-{name}"
    client = default_storage.connection.meta.client
    client.create_bucket(Bucket=name)
    # Public pages link straight to the bucket: anyone may read its objects (docs/deployment.md).
    client.put_bucket_policy(Bucket=name, Policy=json.dumps(public_read_policy(name)))
    return SimpleNamespace(
        name=name,
        url=f"{endpoint}/{name}/",
        client=client,
        local_media=settings.MEDIA_ROOT,
    )


def public_read_policy(bucket: str) -> dict:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{bucket}/*",
            }
        ],
    }


def objects(bucket) -> dict[str, bytes]:
    """Every object in the bucket, by key."""
    listing = bucket.client.list_objects_v2(Bucket=bucket.name).get("Contents", [])
    return {
        item["Key"]: bucket.client.get_object(Bucket=bucket.name, Key=item["Key"])["Body"].read()
        for item in listing
    }


def fetch(address: str) -> tuple[bytes, str]:
    """What a browser gets from ``address`` (anonymous, over HTTP): the bytes and their type."""
    with urllib.request.urlopen(address, timeout=5) as response:
        return response.read(), response.headers["Content-Type"]


def rendition_keys(photo: Photo) -> set[str]:
    stem = Path(photo.image.name).stem
    return {
        f"renditions/{stem}-{width}.{extension}"
        for width in images.rendition_widths(photo.width)
        for extension in ("webp", "jpg")
    }


# Configuration -------------------------------------------------------------------------------


def test_without_a_bucket_media_stay_on_the_file_system():
    storage = storage_from_environment(
        {"DJANGO_MEDIA_ROOT": "/srv/media", "MEDIA_S3_SIGNED_URLS": "0"}
    )

    assert storage == FILE_SYSTEM == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    assert csp_sources(storage) == []


@pytest.mark.parametrize(
    ("environment", "message"),
    [
        (
            {"MEDIA_S3_ENDPOINT_URL": "http://minio:9000", "MEDIA_S3_REGION": "x"},
            "MEDIA_S3_ENDPOINT_URL, MEDIA_S3_REGION set without MEDIA_S3_BUCKET: set the "
            "bucket too, or unset them to keep media on the file system.",
        ),
        (
            {"MEDIA_S3_BUCKET": "media", "MEDIA_S3_ENDPOINT_URL": "minio:9000"},
            "MEDIA_S3_ENDPOINT_URL must be an http:// or https:// address, not 'minio:9000'.",
        ),
        (
            {"MEDIA_S3_BUCKET": "media", "MEDIA_S3_REGION": REGION, "MEDIA_S3_ACCESS_KEY_ID": "k"},
            "Set both MEDIA_S3_ACCESS_KEY_ID and MEDIA_S3_SECRET_ACCESS_KEY, or neither (then "
            "boto3 finds credentials as usual: AWS_* variables, an instance role).",
        ),
        (
            {
                "MEDIA_S3_BUCKET": "media",
                "MEDIA_S3_REGION": REGION,
                "MEDIA_S3_CUSTOM_DOMAIN": "https://media.example.org",
            },
            "MEDIA_S3_CUSTOM_DOMAIN is a host name (and path), without https://: "
            "not 'https://media.example.org'.",
        ),
        (
            {
                "MEDIA_S3_BUCKET": "media",
                "MEDIA_S3_REGION": REGION,
                "MEDIA_S3_CUSTOM_DOMAIN": "media.example.org",
                "MEDIA_S3_SIGNED_URLS": "1",
            },
            "MEDIA_S3_SIGNED_URLS cannot sign links to MEDIA_S3_CUSTOM_DOMAIN: choose one of them.",
        ),
        (
            {
                "MEDIA_S3_BUCKET": "media",
                "MEDIA_S3_REGION": REGION,
                "MEDIA_S3_ADDRESSING_STYLE": "x",
            },
            "MEDIA_S3_ADDRESSING_STYLE must be one of path, virtual.",
        ),
        (
            {"MEDIA_S3_BUCKET": "media"},
            "Set MEDIA_S3_REGION (such as eu-central-1) for a bucket on AWS, or "
            "MEDIA_S3_ENDPOINT_URL for another S3-compatible service.",
        ),
    ],
)
def test_a_half_done_s3_configuration_is_refused_at_start_up(environment, message):
    with pytest.raises(ImproperlyConfigured) as refusal:
        storage_from_environment(environment)

    assert str(refusal.value) == message


def test_a_bucket_gives_s3_storage_that_never_overwrites_and_marks_files_immutable():
    storage = storage_from_environment(
        {
            "MEDIA_S3_BUCKET": "twinning-media",
            "MEDIA_S3_ENDPOINT_URL": "https://s3.example.org/",
            "MEDIA_S3_REGION": "nl-ams",
            **KEYS,
        }
    )

    config = storage["OPTIONS"].pop("client_config")
    assert (config.s3, config.signature_version) == ({"addressing_style": "path"}, "s3v4")
    assert (config.connect_timeout, config.read_timeout, config.retries) == (
        5,
        15,
        {"mode": "standard", "max_attempts": 3},
    )
    assert storage == {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": "twinning-media",
            "endpoint_url": "https://s3.example.org",
            "region_name": "nl-ams",
            "access_key": "testing",
            "secret_key": "testing",
            "custom_domain": None,
            "url_protocol": "https:",
            "querystring_auth": False,
            "querystring_expire": 604800,
            "addressing_style": "path",
            "signature_version": "s3v4",
            "file_overwrite": False,
            "default_acl": None,
            "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
        },
    }


BUCKET = {"MEDIA_S3_BUCKET": "twinning-media", **KEYS}


@pytest.mark.parametrize(
    ("environment", "link"),
    [
        (
            {"MEDIA_S3_REGION": "eu-central-1"},
            "https://twinning-media.s3.eu-central-1.amazonaws.com/renditions/a-480.webp",
        ),
        ({"MEDIA_S3_REGION": "us-east-1"}, "https://twinning-media.s3.amazonaws.com/"),
        (
            {"MEDIA_S3_REGION": "cn-north-1"},
            "https://twinning-media.s3.cn-north-1.amazonaws.com.cn/",
        ),
        (
            {"MEDIA_S3_REGION": "eu-west-3", "MEDIA_S3_ADDRESSING_STYLE": "path"},
            "https://s3.eu-west-3.amazonaws.com/twinning-media/",
        ),
        (
            {"MEDIA_S3_REGION": "us-east-1", "MEDIA_S3_ADDRESSING_STYLE": "path"},
            "https://s3.amazonaws.com/twinning-media/",
        ),
        (
            {"MEDIA_S3_REGION": "eu-central-1", "MEDIA_S3_SIGNED_URLS": "on"},
            "https://twinning-media.s3.eu-central-1.amazonaws.com/renditions/a-480.webp?X-Amz-",
        ),
        (
            {"MEDIA_S3_ENDPOINT_URL": "http://127.0.0.1:9000"},
            "http://127.0.0.1:9000/twinning-media/renditions/a-480.webp",
        ),
        (
            {"MEDIA_S3_ENDPOINT_URL": "https://minio.example.org/s3/"},
            "https://minio.example.org/s3/twinning-media/",
        ),
        (
            {
                "MEDIA_S3_ENDPOINT_URL": "https://oss-cn-hangzhou.aliyuncs.com",
                "MEDIA_S3_REGION": "cn-hangzhou",
                "MEDIA_S3_ADDRESSING_STYLE": "virtual",
            },
            "https://twinning-media.oss-cn-hangzhou.aliyuncs.com/",
        ),
        (
            {"MEDIA_S3_REGION": "eu-central-1", "MEDIA_S3_CUSTOM_DOMAIN": "media.example.org/"},
            "https://media.example.org/renditions/a-480.webp",
        ),
    ],
)
def test_media_links_start_with_the_source_the_security_policy_allows(environment, link):
    """Pages allow images from the bucket's origin only; each shape of link must match it."""
    from storages.backends.s3 import S3Storage

    storage = storage_from_environment({**BUCKET, **environment})
    made = S3Storage(**storage["OPTIONS"]).url("renditions/a-480.webp")

    assert made.startswith(link)
    [source] = csp_sources(storage)
    assert made.startswith(source)
    assert source.endswith("/")


def test_the_settings_read_media_storage_and_its_security_policy_from_the_environment(
    monkeypatch,
):
    for name in [name for name in os.environ if name.startswith("MEDIA_S3_")]:
        monkeypatch.delenv(name)
    loaded = load_settings(
        monkeypatch,
        MEDIA_S3_BUCKET="twinning-media",
        MEDIA_S3_REGION="eu-central-1",
        MEDIA_S3_CUSTOM_DOMAIN="media.twinning.example.org",
    )

    assert [
        loaded.STORAGES["default"]["BACKEND"],
        loaded.STORAGES["default"]["OPTIONS"]["custom_domain"],
        [str(source) for source in loaded.SECURE_CSP["img-src"]],
    ] == [
        "storages.backends.s3.S3Storage",
        "media.twinning.example.org",
        ["'self'", "data:", "https://media.twinning.example.org/"],
    ]


# Uploads and renditions ----------------------------------------------------------------------


def test_an_upload_through_the_admin_is_stored_clean_in_the_bucket(bucket, admin_client):
    photo = upload_through_the_admin(admin_client, MissionFactory())

    assert (photo.width, photo.height) == (1200, 900)
    assert re.fullmatch(r"photos/[0-9a-f]{32}\.jpg", photo.image.name)
    stored = objects(bucket)
    assert set(stored) == {photo.image.name} | rendition_keys(photo)
    with Image.open(io.BytesIO(stored[photo.image.name])) as original:
        assert (original.format, original.size, len(original.getexif())) == ("JPEG", (1200, 900), 0)
    head = bucket.client.head_object(Bucket=bucket.name, Key=photo.image.name)
    assert (head["ContentType"], head["CacheControl"]) == ("image/jpeg", IMMUTABLE)
    assert not bucket.local_media.exists()


def test_renditions_are_made_on_save_and_the_bucket_is_asked_once_for_them(bucket):
    photo = PhotoFactory(image__width=1000, image__height=500)
    before = objects(bucket)
    exists = mock.Mock(wraps=default_storage.exists)

    with (
        mock.patch.object(images, "make_renditions", wraps=images.make_renditions) as making,
        mock.patch.object(default_storage, "exists", exists),
    ):
        first = Photo.objects.get().renditions
        second = Photo.objects.get().renditions

    assert making.call_count == 0
    stem = Path(photo.image.name).stem
    assert exists.call_args_list == [mock.call(f"renditions/{stem}-1000.jpg")]
    assert first == second
    assert [(r.url, r.width, r.height) for r in first.webp] == [
        (f"{bucket.url}renditions/{stem}-480.webp", 480, 240),
        (f"{bucket.url}renditions/{stem}-960.webp", 960, 480),
        (f"{bucket.url}renditions/{stem}-1000.webp", 1000, 500),
    ]
    assert objects(bucket) == before


def test_renditions_lost_from_the_bucket_are_made_again_on_the_first_render(bucket):
    photo = PhotoFactory(image__width=700, image__height=700)
    for key in rendition_keys(photo):
        bucket.client.delete_object(Bucket=bucket.name, Key=key)
    assert set(objects(bucket)) == {photo.image.name}

    renditions = Photo.objects.get().renditions

    assert set(objects(bucket)) == {photo.image.name} | rendition_keys(photo)
    data, content_type = fetch(renditions.largest.url)
    with Image.open(io.BytesIO(data)) as image:
        assert (content_type, image.format, image.size) == ("image/jpeg", "JPEG", (700, 700))


def test_processes_storing_the_same_rendition_leave_one_object(bucket):
    name = "renditions/race-480.webp"
    images.store_atomically(default_storage, name, b"first")

    # Another process stored it first: the bucket never overwrites, and the copy made
    # under another name is not left behind.
    images.store_atomically(default_storage, name, b"first")
    assert objects(bucket) == {name: b"first"}

    # Both looked before either wrote: whoever wins, one object under its name.
    real_exists = default_storage.exists
    looked = []

    def exists(checked):
        if checked == name and not looked:
            looked.append(checked)
            return False
        return real_exists(checked)

    with mock.patch.object(default_storage, "exists", exists):
        images.store_atomically(default_storage, name, b"first")
    assert looked == [name]
    assert objects(bucket) == {name: b"first"}


# Pages and the API ---------------------------------------------------------------------------


def test_pages_and_the_api_link_to_the_bucket_and_the_links_work(bucket, client):
    mission = MissionFactory()
    photo = PhotoFactory(mission=mission, image__width=1200, image__height=800)
    stem = Path(photo.image.name).stem

    page = client.get(url(mission, "en")).content.decode()
    api = client.get(f"/api/v1/missions/{mission.uuid}").json()

    largest = f"{bucket.url}renditions/{stem}-1200.jpg"
    assert (
        f'<source type="image/webp" srcset="{bucket.url}renditions/{stem}-480.webp 480w, '
        f"{bucket.url}renditions/{stem}-960.webp 960w, "
        f'{bucket.url}renditions/{stem}-1200.webp 1200w"'
    ) in page
    assert f'<img src="{bucket.url}renditions/{stem}-960.jpg"' in page
    assert f'<meta property="og:image" content="{largest}">' in page
    [exported] = api["photos"]
    links = [(r["format"], r["url"], r["width"]) for r in exported["renditions"]]
    assert links == [
        (image_format, f"{bucket.url}renditions/{stem}-{width}.{extension}", width)
        for image_format, extension in (("webp", "webp"), ("jpeg", "jpg"))
        for width in (480, 960, 1200)
    ]
    for image_format, link, width in links:
        data, content_type = fetch(link)
        with Image.open(io.BytesIO(data)) as image:
            assert (content_type, image.format, image.width) == (
                f"image/{image_format}",
                image_format.upper(),
                width,
            )


# Exchange bundles ----------------------------------------------------------------------------


def test_a_bundle_carries_photos_from_one_bucket_to_another(
    bucket, s3_endpoint, settings, tmp_path
):
    mission = MissionFactory(slug="inspiration-trip")
    photo = PhotoFactory(mission=mission, image__width=640, image__height=480)
    original = objects(bucket)[photo.image.name]
    bundle = tmp_path / "bundle.zip"
    call_command("export_bundle", str(bundle), verbosity=0)
    with zipfile.ZipFile(bundle) as archive:
        assert archive.read(f"media/{photo.image.name}") == original

    empty_install()
    other = use_bucket(s3_endpoint, f"{bucket.name}-other", settings, tmp_path)
    first = io.StringIO()
    call_command("import_bundle", str(bundle), stdout=first)
    again = io.StringIO()
    call_command("import_bundle", str(bundle), stdout=again)

    imported = Mission.objects.get(slug="inspiration-trip").photos.get()
    assert (imported.uuid, imported.image.name) == (photo.uuid, photo.image.name)
    assert (imported.width, imported.height) == (640, 480)
    assert objects(other) == {photo.image.name: original}
    assert "1 media file written" in first.getvalue()
    assert "(0 created, 0 updated, 7 unchanged; 0 media files written)" in again.getvalue()
    assert imported.renditions.largest.url == (
        f"{other.url}renditions/{Path(photo.image.name).stem}-640.jpg"
    )
    assert set(objects(other)) == {photo.image.name} | rendition_keys(imported)
    assert not other.local_media.exists()


def test_an_import_never_replaces_another_file_of_the_same_name(bucket, tmp_path):
    """The bucket already has a different file under the bundle's name: both are kept."""
    photo = PhotoFactory(mission=MissionFactory(slug="inspiration-trip"))
    original = objects(bucket)[photo.image.name]
    bundle = tmp_path / "bundle.zip"
    call_command("export_bundle", str(bundle), verbosity=0)
    empty_install()
    bucket.client.put_object(Bucket=bucket.name, Key=photo.image.name, Body=b"another photo")

    call_command("import_bundle", str(bundle), verbosity=0)

    imported = Mission.objects.get(slug="inspiration-trip").photos.get()
    assert imported.image.name != photo.image.name
    assert re.fullmatch(rf"photos/{Path(photo.image.name).stem}_\w+\.jpg", imported.image.name)
    stored = objects(bucket)
    assert stored[photo.image.name] == b"another photo"
    assert stored[imported.image.name] == original
    assert hashlib.sha256(stored[imported.image.name]).hexdigest() == (
        hashlib.sha256(original).hexdigest()
    )


def test_an_import_that_fails_leaves_the_bucket_as_it_was(bucket, tmp_path):
    """The outcome is refused after the photo was stored: that file goes, the other stays."""
    mission = MissionFactory(slug="inspiration-trip")
    photo = PhotoFactory(mission=mission)
    OutcomeFactory(mission=mission)
    other = PartnershipFactory()
    bundle = tmp_path / "bundle.zip"
    call_command("export_bundle", str(bundle), verbosity=0)
    document = read_document(bundle)
    document["outcomes"][0]["partnership"] = str(other.uuid)
    broken = rewrite(bundle, tmp_path / "broken.zip", document=document)
    empty_install()
    bucket.client.put_object(Bucket=bucket.name, Key=photo.image.name, Body=b"another photo")
    before = objects(bucket)

    with pytest.raises(CommandError) as refusal:
        call_command("import_bundle", str(broken), verbosity=0)

    assert "mission: This mission belongs to another partnership." in str(refusal.value)

    assert objects(bucket) == before
    assert not Photo.objects.exists()
