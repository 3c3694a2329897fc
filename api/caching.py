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
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date, parse_http_date, quote_etag

from readpath.caching import CachedPage, current_generation

# Bumped when the shape of an export changes: part of every ETag, so no cached copy of the
# old shape stays valid.
SHAPE_VERSION = "3"  # 3: time zones of regions and programme items

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# Set on a request whose answer was not in the cache: the entry to keep it under.
ANSWER_ENTRY_ATTRIBUTE = "api_answer_entry"
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
        for name in ("ETag", "Last-Modified", "Cache-Control"):
            not_modified[name] = response[name]
    return not_modified


def cached_answer(request: HttpRequest) -> HttpResponse | None:
    """The cached answer to ``request`` (or its 304), or ``None``: then the request is marked,
    and :func:`keep_answers` keeps the answer made for it.

    A cached answer keeps the ``ETag`` and ``Last-Modified`` it was made with, so a
    conditional request gets the same 304 as without the cache.
    """
    entry = CachedPage.of(request, current_generation())
    answer = entry.cached_response()
    if answer is not None:
        last_modified = datetime.fromtimestamp(parse_http_date(answer["Last-Modified"]), UTC)
        not_modified = conditional(
            request, answer, etag=answer["ETag"], last_modified=last_modified
        )
        return not_modified or answer
    setattr(request, ANSWER_ENTRY_ATTRIBUTE, entry)
    return None


def keep_answers(run):
    """Keep the answer ``cached_answer`` did not find, as ninja rendered it (a decorator of
    every operation)."""

    @wraps(run)
    def wrapper(request, **kwargs):
        response = run(request, **kwargs)
        entry = getattr(request, ANSWER_ENTRY_ATTRIBUTE, None)
        if entry is not None and response.status_code == 200 and not response.cookies:
            entry.store(response)
        return response

    return wrapper


def store_built_answer(request: HttpRequest, response: HttpResponse) -> None:
    """A detail answer being built (``queries.Endpoint.detail``) goes into the read model."""
    pending = getattr(request, READMODEL_BUILD_ATTRIBUTE, None)
    if pending is not None and response.status_code == 200:
        build, key, etag, last_modified = pending
        content, content_type = response.content, response["Content-Type"]
        build.store(key, content, content_type, etag=etag, last_modified=last_modified)
