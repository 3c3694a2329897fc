"""The API's answers kept and validated: ETags, 304s, and the answer cache.

- **Validators.** Every answer has an ``ETag`` (:func:`validators`: a hash of what its body
  follows from) and a ``Last-Modified``, and ``If-None-Match`` / ``If-Modified-Since`` get a
  bodiless 304 (:func:`conditional`), decided before anything is prefetched.
- **The answer cache.** Every answer is cached whole like the pages (``readpath/caching.py``:
  under the content generation, the language and the absolute URL, so any content write or
  a passing publish date orphans them all). :func:`cached_answer` looks it up inside ninja,
  after its rate limit counted the request; :func:`keep_answers` keeps what ninja rendered.
- **The read model.** A detail answer being built is stored there (``queries.py``,
  :func:`store_built_answer`), so after a write that did not touch it, it costs one query.

Why the cache sits inside ninja and not in front of it: docs/architecture/caching.md.
"""

import hashlib
from datetime import UTC, datetime
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date, parse_http_date, quote_etag

from programmes.domain import sync
from readpath.caching import SHARED_PAGE_ATTRIBUTE, CachedPage, current_generation
from readpath.encoding import GZIP, accepts_gzip, compress
from readpath.fast_path import ADMISSION_ATTRIBUTE

from .throttling import throttle

# Bumped when the shape of an export changes: part of every ETag, so no cached copy of the
# old shape stays valid.
SHAPE_VERSION = "4"  # 3: time zones of regions and programme items; 4: end times

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# Set on a request whose answer was not in the cache: the entry to keep it under, and the
# generation's token.
ANSWER_ENTRY_ATTRIBUTE = "api_answer_entry"
# The name ``twinning/wsgi.py`` registers :func:`admit_replay` under with the fast path.
FAST_PATH_ADMISSION = "api"
# Set on a request whose detail answer is being built for the read model.
READMODEL_BUILD_ATTRIBUTE = "readmodel_build"


def validators(request: HttpRequest, *parts: object) -> str:
    """A strong ETag for the answer to ``request``, from what its body follows from.

    The absolute URL stands for everything the request chose (endpoint, filters, page,
    language) and for the host the body's absolute URLs start with.
    """
    identity = "\n".join([SHAPE_VERSION, request.build_absolute_uri(), *map(str, parts)])
    return quote_etag(hashlib.sha256(identity.encode()).hexdigest()[:40])


def conditional(
    request: HttpRequest, response: HttpResponse, *, etag: str, last_modified: datetime
) -> HttpResponse | None:
    """Put the validators and caching rules on ``response``; a 304 when the client's copy holds.

    Partners may keep an answer for a minute without asking (``API_CACHE_SECONDS``); after
    that a conditional request costs them and us two small queries and no body.
    """
    timestamp = int(last_modified.timestamp())
    headers = {
        "ETag": etag,
        "Last-Modified": http_date(timestamp),
    }
    for name, value in headers.items():
        response[name] = value
    patch_cache_control(response, public=True, max_age=settings.API_CACHE_SECONDS)
    not_modified = get_conditional_response(request, etag=etag, last_modified=timestamp)
    if not_modified is not None:
        for name in ("ETag", "Last-Modified", "Cache-Control", "Vary"):
            if name in response:
                not_modified[name] = response[name]
    return not_modified


def cached_answer(request: HttpRequest) -> HttpResponse | None:
    """The cached answer to ``request`` (or its 304), or ``None``: then the request is marked,
    and :func:`keep_answers` keeps the answer made for it.

    A client that takes gzip gets the gzip copy. A cached answer keeps the ``ETag`` and
    ``Last-Modified`` it was made with, so a conditional request gets the same 304 as
    without the cache.
    """
    if not settings.PAGE_CACHE_SECONDS:
        return None
    generation = current_generation()
    entry = CachedPage.of(request, generation)
    if wants_gzip(request):
        answer = entry.variant(GZIP).cached_response()
        if answer is None and (identity := entry.cached_response()) is not None:
            answer = gzipped(identity)  # the gzip copy alone was evicted
            entry.variant(GZIP).store(answer)
    else:
        answer = entry.cached_response()
    if answer is None:
        setattr(request, ANSWER_ENTRY_ATTRIBUTE, (entry, generation.token))
        return None
    share(request, generation.token)
    last_modified = datetime.fromtimestamp(parse_http_date(answer["Last-Modified"]), UTC)
    not_modified = conditional(request, answer, etag=answer["ETag"], last_modified=last_modified)
    return not_modified or answer


def keep_answers(run):
    """Keep the answer ``cached_answer`` did not find, as ninja rendered it, with its gzip
    copy, and send the client the one it takes (a decorator of every operation)."""

    @wraps(run)
    def wrapper(request, **kwargs):
        response = run(request, **kwargs)
        pending = getattr(request, ANSWER_ENTRY_ATTRIBUTE, None)
        if pending is None:  # answered from the cache, refused, or no cache
            return response
        entry, token = pending
        if response.status_code == 304:
            # The copy the client holds is current; its ETag is that of the coding it takes.
            patch_vary_headers(response, ["Accept-Encoding"])
            if wants_gzip(request):
                response["ETag"] = weak(response["ETag"])
            return response
        if response.status_code != 200 or response.cookies:
            return response
        patch_vary_headers(response, ["Accept-Encoding"])
        entry.store(response)
        compressed = gzipped(response)
        entry.variant(GZIP).store(compressed)
        share(request, token)
        return compressed if wants_gzip(request) else response

    return wrapper


def wants_gzip(request: HttpRequest) -> bool:
    return accepts_gzip(request.headers.get("Accept-Encoding", ""))


def gzipped(response: HttpResponse) -> HttpResponse:
    """The gzip copy of an answer: its bytes compressed once, its ETag the same but weak.

    A weak ETag (``W/"…"``) names the same content in another coding, as nginx does: a
    conditional request compares weakly (RFC 9110 §13.1.2), so a client that holds either
    copy gets a 304 while the content is unchanged, whichever coding it asks for next.
    """
    headers = dict(response.items())
    headers["Content-Encoding"] = GZIP
    headers["ETag"] = weak(response["ETag"])
    return HttpResponse(compress(response.content), status=response.status_code, headers=headers)


def weak(etag: str) -> str:
    return etag if etag.startswith("W/") else f"W/{etag}"


# The WSGI fast path (readpath/fast_path.py) ------------------------------------------------


def share(request: HttpRequest, token: str) -> None:
    """Let the fast path keep the final response to ``request``: the answer every client
    gets under generation ``token``. Each replay must pass :func:`admit_replay`."""
    setattr(request, SHARED_PAGE_ATTRIBUTE, token)
    setattr(request, ADMISSION_ATTRIBUTE, FAST_PATH_ADMISSION)


def admit_replay(request: HttpRequest, token: str) -> bool:
    """Whether the fast path may replay a kept answer to ``request`` under generation ``token``.

    Only as the full path would give it: the export records were compared under this
    generation (else the full path compares first, ``sync.catch_up``), and the anonymous
    rate limit counts the request (a refused one takes the full path, which refuses it
    again with the 429 problem and its ``Retry-After``; a refusal is not counted twice).
    """
    return sync.is_caught_up(token) and throttle.allow_request(request)


def store_built_answer(request: HttpRequest, response: HttpResponse) -> None:
    """A detail answer being built (``queries.Endpoint.detail``) goes into the read model."""
    pending = getattr(request, READMODEL_BUILD_ATTRIBUTE, None)
    if pending is not None and response.status_code == 200:
        build, key, etag, last_modified = pending
        content, content_type = response.content, response["Content-Type"]
        build.store(key, content, content_type, etag=etag, last_modified=last_modified)
