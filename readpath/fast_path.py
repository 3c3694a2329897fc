"""Cached pages and API answers, replayed before Django's middleware (``twinning/wsgi.py``).

A page from the page cache (``caching.py``) still passes every middleware on its way
out: sessions, locale, CSRF, authentication, messages, the security headers, the CSP.
That cost more than the cache lookup itself. So the WSGI handler keeps a copy of the
**final** response, as the server received it (status, every header, the body), of
each page the page cache (or the API's answer cache) served to a visitor without cookies,
and replays it to the next such visitor of the same address, without building a request
for the middleware.

**It replays only what the full path would send.** A copy is taken from the full path's
own answer, so headers (CSP, validators, ``Vary``, the security headers) are the same
by construction. A copy is taken only when that answer could not have depended on
anything but what the key holds:

- the key is the scheme (``SECURE_PROXY_SSL_HEADER`` applied), the host and the path with
  its query string; the language is in the path (answers that vary on
  ``Accept-Language``, the unprefixed ``/sitemap.xml``, are not copied);
- the request had no session, CSRF or messages cookie (so the visitor was anonymous, and
  no middleware had a cookie to renew): those requests always take the full path;
- the page cache (or the API, ``api/caching.py``) marked the response as the one every
  anonymous visitor gets under the current content generation; the copy is stored with
  that generation's token and is used only while the generation is current and in force
  (``caching.is_in_force``: a scheduled publish date that passes ends it, and so does the
  cache coming back after an outage; the next request takes the full path, which starts a
  new generation);
- the host is checked against ``ALLOWED_HOSTS`` on every request, not only when stored.

**Conditional requests.** ``If-None-Match`` / ``If-Modified-Since`` are evaluated by
Django's own ``get_conditional_response`` against the copy's own validators (its ``ETag``
and ``Last-Modified``: a page's is its generation's start, an API answer's its export
time). A 304 is
replayed from the full path's own 304 (kept beside the copy the first time the full
path sends one), so it too has exactly the full path's headers. ``If-Match`` and
``If-Unmodified-Since`` take the full path.

**Answers that vary.** A copy may vary on ``Accept-Encoding`` and ``Origin`` besides
``Cookie``, as the API's answers do (``api/caching.py``); on nothing else:

- ``Accept-Encoding``: the API sends a gzip copy to clients that take it. The copy is kept
  under the key plus the coding the client was sent (``encoding.accepts_gzip`` decides, for
  both paths), and a small marker under the key itself says "look under the coding"; a
  page, which does not vary, stays under the key alone. So one ``get_many`` still finds
  whichever the request needs.
- ``Origin`` (CORS): a copy is kept only from a request without an ``Origin`` header and
  replayed only to such requests; browsers' cross-origin requests take the full path (a
  copy per origin would let any client multiply the copies).

**Admissions.** A response may name a check every replay must pass
(``ADMISSION_ATTRIBUTE``), registered with the handler by ``twinning/wsgi.py``: the API's
counts the request against its rate limit and makes sure the export records were compared
under the current generation, so the fast path is no way around either. A copy whose
check is not registered is never replayed.

One ``get_many`` reads the generation and the copy (and a 304 beside it): one round trip
to Redis; an admission may read its own state (the API's rate limit). If the cache cannot
be read, the request takes the full path.
"""

import hashlib
import logging
from collections.abc import Callable, Mapping
from typing import NamedTuple

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.core.handlers.wsgi import WSGIHandler, WSGIRequest
from django.http import HttpRequest, HttpResponseBase
from django.http.cookie import parse_cookie
from django.utils.cache import get_conditional_response
from django.utils.http import parse_http_date_safe, split_directive_names

from .caching import GENERATION_KEY, SHARED_PAGE_ATTRIBUTE, Generation, is_in_force
from .encoding import IDENTITY, encoding_for

logger = logging.getLogger(__name__)

COPY_KEY_PREFIX = "pages:final:"
NOT_MODIFIED_KEY_PREFIX = "pages:final304:"
# Set on a request whose response may be replayed only to requests that the check of this
# name (``FastPathWSGIHandler(admissions=...)``) admits, each time.
ADMISSION_ATTRIBUTE = "fast_path_admission"
# What a copy may vary on besides the private cookies, which always take the full path.
REPLAYABLE_VARY = {"cookie", "accept-encoding", "origin"}

type Headers = list[tuple[str, str]]
# (the request, the generation's token) -> whether this replay may be given.
type Admission = Callable[[HttpRequest, str], bool]


class _Copy(NamedTuple):
    """A final response of the full path, valid while generation ``token`` is current."""

    token: str
    status: str
    headers: Headers
    body: bytes
    admission: str | None = None


class FastPathWSGIHandler(WSGIHandler):
    """Django's WSGI handler, answering cached anonymous pages before the middleware.

    ``admissions`` are the checks copies may name (``ADMISSION_ATTRIBUTE``), by name.
    """

    def __init__(self, admissions: Mapping[str, Admission] | None = None):
        super().__init__()
        self.admissions = dict(admissions or {})

    def __call__(self, environ, start_response):
        try:
            answer = _replay(environ, self.admissions)
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


def _replay(
    environ: dict, admissions: Mapping[str, Admission]
) -> tuple[str, Headers, bytes] | None:
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
    coded = _coded_key(key, encoding_for(environ.get("HTTP_ACCEPT_ENCODING", "")))
    conditional = "HTTP_IF_NONE_MATCH" in environ or "HTTP_IF_MODIFIED_SINCE" in environ
    keys = [GENERATION_KEY, COPY_KEY_PREFIX + key, COPY_KEY_PREFIX + coded]
    if conditional:
        keys += [NOT_MODIFIED_KEY_PREFIX + key, NOT_MODIFIED_KEY_PREFIX + coded]
    try:
        found = cache.get_many(keys)
    except Exception:  # the full path has its own way with an unreachable cache
        logger.warning("The page cache cannot be read", exc_info=True)
        return None
    stored_generation, stored = found.get(GENERATION_KEY), found.get(COPY_KEY_PREFIX + key)
    if stored_generation is None or stored is None:
        return None
    generation = Generation(*stored_generation)
    if isinstance(stored, str):  # answers here vary on Accept-Encoding: the client's coding
        if stored != generation.token:
            return None
        key, stored = coded, found.get(COPY_KEY_PREFIX + coded)
        if stored is None:
            return None
    copy = _Copy(*stored)
    if copy.token != generation.token or not is_in_force(generation):
        return None
    if "origin" in _vary(copy.headers) and "HTTP_ORIGIN" in environ:
        return None
    answer = copy.status, copy.headers, copy.body
    if conditional and _not_modified(request, copy):
        not_modified = found.get(NOT_MODIFIED_KEY_PREFIX + key)
        if not_modified is None or not_modified[0] != generation.token:
            return None  # the full path answers, and its 304 is kept for the next time
        answer = not_modified[1], not_modified[2], b""
    if copy.admission is not None:
        admit = admissions.get(copy.admission)
        if admit is None or not admit(request, generation.token):
            return None
    return answer


def _keep(request: HttpRequest, response: HttpResponseBase) -> None:
    """Store the full path's final ``response`` when the fast path may replay it."""
    token = getattr(request, SHARED_PAGE_ATTRIBUTE, None)
    vary = _vary(response.items())
    if (
        token is None
        or not settings.PAGE_CACHE_SECONDS
        or response.status_code not in (200, 304)
        or response.streaming
        or response.cookies
        or not vary <= REPLAYABLE_VARY
        or ("origin" in vary and "HTTP_ORIGIN" in request.META)
        or _has_private_cookie(request.META)
        # The API's answer to a HEAD (api/problems.py) has the GET's length and no body.
        or response.get("Content-Length", str(len(response.content))) != str(len(response.content))
    ):
        return
    key = _key(request)
    if key is None:
        return
    if "accept-encoding" in vary:
        coding = encoding_for(request.headers.get("Accept-Encoding", ""))
        if response.status_code == 200 and response.get("Content-Encoding", IDENTITY) != coding:
            return  # not what the fast path would choose for this client
        cache.set(COPY_KEY_PREFIX + key, token, timeout=settings.PAGE_CACHE_SECONDS)
        key = _coded_key(key, coding)
    status = f"{response.status_code} {response.reason_phrase}"
    headers = list(response.items())
    if response.status_code == 200:
        admission = getattr(request, ADMISSION_ATTRIBUTE, None)
        value = _Copy(token, status, headers, response.content, admission)
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


def _coded_key(key: str, coding: str) -> str:
    """Where the copy in ``coding`` of an answer that varies on ``Accept-Encoding`` is kept."""
    return f"{key}:{coding}"


def _vary(headers) -> set[str]:
    """The lower-cased names a response's ``Vary`` lists, from its (name, value) pairs."""
    return {
        token
        for name, value in headers
        if name.lower() == "vary"
        for token in split_directive_names(value)
    }


def _not_modified(request: HttpRequest, copy: _Copy) -> bool:
    """Whether Django would answer this conditional request with a 304, from the copy's own
    validators (a page's ``Last-Modified`` is its generation's start, an API answer's its
    export time)."""
    headers = dict(copy.headers)
    last_modified = parse_http_date_safe(headers.get("Last-Modified", ""))
    return (
        get_conditional_response(request, etag=headers.get("ETag"), last_modified=last_modified)
        is not None
    )


def _private_cookie_names() -> set[str]:
    return {settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME, CookieStorage.cookie_name}


def _has_private_cookie(environ: dict) -> bool:
    """Whether the request carries a cookie that may make its answer personal."""
    cookies = environ.get("HTTP_COOKIE")
    return bool(cookies) and not _private_cookie_names().isdisjoint(parse_cookie(cookies))
