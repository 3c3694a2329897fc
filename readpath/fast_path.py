"""Cached public pages answered before Django's middleware (``twinning/wsgi.py``).

A page from the page cache (``caching.py``) still passes every middleware on its way
out: sessions, locale, CSRF, authentication, messages, the security headers, the CSP.
That cost more than the cache lookup itself. So the WSGI handler keeps a copy of the
**final** response, as the server received it (status, every header, the body), of
each page the page cache served to a visitor without cookies, and replays it to the
next such visitor of the same address, without building a request for the middleware.

**It replays only what the full path would send.** A copy is taken from the full path's
own answer, so headers (CSP, validators, ``Vary``, the security headers) are the same
by construction. A copy is taken only when that answer could not have depended on
anything but what the key holds:

- the key is the scheme (``SECURE_PROXY_SSL_HEADER`` applied), the host and the path with
  its query string; the language is in the path (answers that vary on
  ``Accept-Language``, the unprefixed ``/sitemap.xml``, are not copied);
- the request had no session, CSRF or messages cookie (so the visitor was anonymous, and
  no middleware had a cookie to renew): those requests always take the full path;
- the page cache marked the response as the page every anonymous visitor gets under the
  current content generation; the copy is stored with that generation's token and is
  used only while the generation is current and in force (``caching.is_in_force``: a
  scheduled publish date that passes ends it, and so does the cache coming back after an
  outage; the next request takes the full path, which starts a new generation);
- the host is checked against ``ALLOWED_HOSTS`` on every request, not only when stored.

**Conditional requests.** ``If-None-Match`` / ``If-Modified-Since`` are evaluated by
Django's own ``get_conditional_response`` against the copy's validators. A 304 is
replayed from the full path's own 304 (kept beside the copy the first time the full
path sends one), so it too has exactly the full path's headers. ``If-Match`` and
``If-Unmodified-Since`` take the full path.

One ``get_many`` reads the generation and the copy: one round trip to Redis. If the
cache cannot be read, the request takes the full path. The API never comes through
here: its responses are not marked by the page cache, and its rate limit must count
every request.
"""

import hashlib
import logging
from typing import NamedTuple

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.core.handlers.wsgi import WSGIHandler, WSGIRequest
from django.http import HttpRequest, HttpResponseBase
from django.http.cookie import parse_cookie
from django.utils.cache import get_conditional_response
from django.utils.http import split_directive_names

from .caching import GENERATION_KEY, SHARED_PAGE_ATTRIBUTE, Generation, is_in_force

logger = logging.getLogger(__name__)

COPY_KEY_PREFIX = "pages:final:"
NOT_MODIFIED_KEY_PREFIX = "pages:final304:"

type Headers = list[tuple[str, str]]


class _Copy(NamedTuple):
    """A final response of the full path, valid while generation ``token`` is current."""

    token: str
    status: str
    headers: Headers
    body: bytes


class FastPathWSGIHandler(WSGIHandler):
    """Django's WSGI handler, answering cached anonymous pages before the middleware."""

    def __call__(self, environ, start_response):
        try:
            answer = _replay(environ)
        except Exception:  # never worse than without the fast path
            logger.exception("The fast path failed for %s", environ.get("PATH_INFO"))
            answer = None
        if answer is None:
            return super().__call__(environ, start_response)
        status, headers, body = answer
        start_response(status, headers)
        # A HEAD's body is dropped by the server, as it is for the full path's response.
        return [body]

    def get_response(self, request: HttpRequest) -> HttpResponseBase:
        response = super().get_response(request)
        try:
            _keep(request, response)
        except Exception:  # the cache is down: the visitor still gets the page
            logger.warning("Could not keep a copy of %s", request.path, exc_info=True)
        return response


def _replay(environ: dict) -> tuple[str, Headers, bytes] | None:
    """The stored final response for this request, or ``None``: take the full path."""
    if not settings.PAGE_CACHE_SECONDS or settings.DISALLOWED_USER_AGENTS:
        return None
    if environ.get("REQUEST_METHOD") not in ("GET", "HEAD") or _has_private_cookie(environ):
        return None
    if "HTTP_IF_MATCH" in environ or "HTTP_IF_UNMODIFIED_SINCE" in environ:
        return None
    request = WSGIRequest(environ)
    key = _key(request)
    if key is None:
        return None
    conditional = "HTTP_IF_NONE_MATCH" in environ or "HTTP_IF_MODIFIED_SINCE" in environ
    keys = [GENERATION_KEY, COPY_KEY_PREFIX + key]
    if conditional:
        keys.append(NOT_MODIFIED_KEY_PREFIX + key)
    try:
        found = cache.get_many(keys)
    except Exception:  # the full path has its own way with an unreachable cache
        logger.warning("The page cache cannot be read", exc_info=True)
        return None
    stored_generation, stored_copy = found.get(GENERATION_KEY), found.get(keys[1])
    if stored_generation is None or stored_copy is None:
        return None
    generation, copy = Generation(*stored_generation), _Copy(*stored_copy)
    if copy.token != generation.token or not is_in_force(generation):
        return None
    if conditional and _not_modified(request, copy, generation):
        not_modified = found.get(NOT_MODIFIED_KEY_PREFIX + key)
        if not_modified is None or not_modified[0] != generation.token:
            return None  # the full path answers, and its 304 is kept for the next time
        return not_modified[1], not_modified[2], b""
    return copy.status, copy.headers, copy.body


def _keep(request: HttpRequest, response: HttpResponseBase) -> None:
    """Store the full path's final ``response`` when the fast path may replay it."""
    token = getattr(request, SHARED_PAGE_ATTRIBUTE, None)
    if (
        token is None
        or not settings.PAGE_CACHE_SECONDS
        or response.status_code not in (200, 304)
        or response.streaming
        or response.cookies
        or not set(split_directive_names(response.get("Vary", ""))) <= {"cookie"}
        or _has_private_cookie(request.META)
    ):
        return
    key = _key(request)
    if key is None:
        return
    status = f"{response.status_code} {response.reason_phrase}"
    headers = list(response.items())
    if response.status_code == 200:
        value = _Copy(token, status, headers, response.content)
        cache.set(COPY_KEY_PREFIX + key, tuple(value), timeout=settings.PAGE_CACHE_SECONDS)
    else:
        value = (token, status, headers)
        cache.set(NOT_MODIFIED_KEY_PREFIX + key, value, timeout=settings.PAGE_CACHE_SECONDS)


def _key(request: HttpRequest) -> str | None:
    """What identifies the page: scheme, host and path with query; ``None`` for a bad host."""
    try:
        host = request.get_host()
    except DisallowedHost:
        return None
    identity = "\n".join([request.scheme, host, request.get_full_path()])
    return hashlib.sha256(identity.encode()).hexdigest()


def _not_modified(request: HttpRequest, copy: _Copy, generation: Generation) -> bool:
    """Whether Django would answer this conditional request with a 304."""
    etag = next((value for name, value in copy.headers if name == "ETag"), None)
    return (
        get_conditional_response(request, etag=etag, last_modified=int(generation.started_at))
        is not None
    )


def _private_cookie_names() -> set[str]:
    return {settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME, CookieStorage.cookie_name}


def _has_private_cookie(environ: dict) -> bool:
    """Whether the request carries a cookie that may make its answer personal."""
    cookies = environ.get("HTTP_COOKIE")
    return bool(cookies) and not _private_cookie_names().isdisjoint(parse_cookie(cookies))
