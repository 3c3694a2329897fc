"""Where uploaded media live: the file system, or S3-compatible object storage.

One app server can keep photos on its own disk (``DJANGO_MEDIA_ROOT``). Several app
servers behind a load balancer cannot: a photo uploaded through one must be shown by
all, and renditions made by one must be found by the others. With ``MEDIA_S3_BUCKET``
set, media go to a bucket that every app server and the worker share (django-storages
with boto3); the settings read the environment through :func:`storage_from_environment`.

Every file name under media is written once and never changed (originals and renditions
get new random names when a photo is replaced), so objects are stored with a year-long,
immutable ``Cache-Control``, and a name that is taken is never overwritten (see
``file_overwrite`` below).
"""

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

FILE_SYSTEM = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
S3_BACKEND = "storages.backends.s3.S3Storage"
# The longest a signed (SigV4) link may be valid.
SIGNED_URL_SECONDS = 7 * 24 * 3600
IMMUTABLE = "public, max-age=31536000, immutable"
ADDRESSING_STYLES = ("path", "virtual")

VARIABLES = (
    "MEDIA_S3_BUCKET",
    "MEDIA_S3_ENDPOINT_URL",
    "MEDIA_S3_REGION",
    "MEDIA_S3_ACCESS_KEY_ID",
    "MEDIA_S3_SECRET_ACCESS_KEY",
    "MEDIA_S3_CUSTOM_DOMAIN",
    "MEDIA_S3_SIGNED_URLS",
    "MEDIA_S3_ADDRESSING_STYLE",
)


# Seconds to connect and to wait for each read from the bucket, and attempts per call.
S3_CONNECT_TIMEOUT = 5
S3_READ_TIMEOUT = 15
S3_ATTEMPTS = 3


def storage_from_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    """The ``STORAGES["default"]`` entry that ``environ`` describes.

    Without ``MEDIA_S3_BUCKET``, the file system. A half-done S3 configuration (another
    ``MEDIA_S3_*`` variable without a bucket, a key without its secret, signed links with
    a custom domain) is refused at start-up rather than found out at the first upload.
    """
    values = {name: (environ.get(name) or "").strip() for name in VARIABLES}
    signed = values["MEDIA_S3_SIGNED_URLS"].lower() in {"1", "true", "yes", "on"}
    if not signed:
        values["MEDIA_S3_SIGNED_URLS"] = ""  # "0" is no half-done configuration
    bucket = values["MEDIA_S3_BUCKET"]
    if not bucket:
        stray = [name for name, value in values.items() if value]
        if stray:
            raise ImproperlyConfigured(
                f"{', '.join(stray)} set without MEDIA_S3_BUCKET: set the bucket too, "
                "or unset them to keep media on the file system."
            )
        return FILE_SYSTEM

    endpoint_url = values["MEDIA_S3_ENDPOINT_URL"].rstrip("/")
    if endpoint_url:
        parts = urlsplit(endpoint_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ImproperlyConfigured(
                "MEDIA_S3_ENDPOINT_URL must be an http:// or https:// address, "
                f"not {endpoint_url!r}."
            )
    access_key = values["MEDIA_S3_ACCESS_KEY_ID"]
    secret_key = values["MEDIA_S3_SECRET_ACCESS_KEY"]
    if bool(access_key) != bool(secret_key):
        raise ImproperlyConfigured(
            "Set both MEDIA_S3_ACCESS_KEY_ID and MEDIA_S3_SECRET_ACCESS_KEY, or neither "
            "(then boto3 finds credentials as usual: AWS_* variables, an instance role)."
        )
    custom_domain = values["MEDIA_S3_CUSTOM_DOMAIN"].strip("/")
    if "://" in custom_domain:
        raise ImproperlyConfigured(
            "MEDIA_S3_CUSTOM_DOMAIN is a host name (and path), without https://: "
            f"not {custom_domain!r}."
        )
    if signed and custom_domain:
        raise ImproperlyConfigured(
            "MEDIA_S3_SIGNED_URLS cannot sign links to MEDIA_S3_CUSTOM_DOMAIN: choose one of them."
        )
    addressing_style = values["MEDIA_S3_ADDRESSING_STYLE"].lower() or (
        # S3-compatible services all answer path-style requests; some have no
        # wildcard DNS for bucket host names. AWS itself prefers virtual hosts.
        "path" if endpoint_url else "virtual"
    )
    if addressing_style not in ADDRESSING_STYLES:
        raise ImproperlyConfigured(
            f"MEDIA_S3_ADDRESSING_STYLE must be one of {', '.join(ADDRESSING_STYLES)}."
        )
    region = values["MEDIA_S3_REGION"]
    if not endpoint_url and not region:
        raise ImproperlyConfigured(
            "Set MEDIA_S3_REGION (such as eu-central-1) for a bucket on AWS, "
            "or MEDIA_S3_ENDPOINT_URL for another S3-compatible service."
        )

    from botocore.config import Config  # only with a bucket: boto3 is slow to import

    return {
        "BACKEND": S3_BACKEND,
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint_url or None,
            "region_name": region or None,
            "access_key": access_key or None,
            "secret_key": secret_key or None,
            "custom_domain": custom_domain or None,
            "url_protocol": "https:",
            "querystring_auth": signed,
            "querystring_expire": SIGNED_URL_SECONDS,
            "addressing_style": addressing_style,  # also read by csp_sources()
            "signature_version": "s3v4",
            # Bounded calls: botocore waits 60 s to connect and 60 s per read by default, and
            # retries, so a slow bucket could hold an admin save or a page making renditions
            # for minutes. Given a client_config, django-storages takes the addressing style
            # and signature version from it alone: the same two values again.
            "client_config": Config(
                s3={"addressing_style": addressing_style},
                signature_version="s3v4",
                connect_timeout=S3_CONNECT_TIMEOUT,
                read_timeout=S3_READ_TIMEOUT,
                retries={"mode": "standard", "max_attempts": S3_ATTEMPTS},
            ),
            # A taken name gets another one, as on the file system: an import never
            # replaces a photo another object points to, and cleaning up after a failed
            # import never deletes a file it did not write.
            "file_overwrite": False,
            # The bucket's policy decides who may read; no per-object ACLs.
            "default_acl": None,
            "object_parameters": {"CacheControl": IMMUTABLE},
        },
    }


def csp_sources(storage: Mapping[str, Any]) -> list[str]:
    """The Content-Security-Policy source that media links of ``storage`` start with.

    Empty for the file system (media come from the site's own origin, ``'self'``).
    ``tests/twinning/test_media_storage.py`` checks each shape against the links django-storages
    makes.
    """
    if storage["BACKEND"] != S3_BACKEND:
        return []
    options = storage["OPTIONS"]
    bucket = options["bucket_name"]
    if options["custom_domain"]:
        return [f"{options['url_protocol']}//{options['custom_domain']}/"]
    if options["endpoint_url"]:
        parts = urlsplit(options["endpoint_url"])
        if options["addressing_style"] == "virtual":
            return [f"{parts.scheme}://{bucket}.{parts.netloc}/"]
        return [f"{parts.scheme}://{parts.netloc}{parts.path}/{bucket}/"]
    # AWS: us-east-1 answers on the global host name; China's regions under .com.cn.
    region = options["region_name"]
    host = "s3.amazonaws.com" if region == "us-east-1" else f"s3.{region}.amazonaws.com"
    if region.startswith("cn-"):
        host += ".cn"
    if options["addressing_style"] == "virtual":
        return [f"https://{bucket}.{host}/"]
    return [f"https://{host}/{bucket}/"]
