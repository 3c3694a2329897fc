"""What the OpenAPI document (``/api/v1/openapi.json``) says beyond what ninja derives.

ninja builds the document from the routes (``endpoints.py``) and the shapes
(``schemas.py``). What HTTP adds to every operation is written here: the introduction
partners read first (:data:`DESCRIPTION`), the validators on every 200 and 304, the
conditional request headers, the bodiless 304, the problem answers with an example each,
and ``Retry-After`` on the 429. ``tests/api/golden/openapi.json`` holds the whole document.
"""

from typing import Any

from . import problems
from .parameters import MAX_HEADER_LENGTHS

DESCRIPTION = """\
The published content of this Twinning CMS, for partner sites that keep a copy in sync:
regions, partnerships, missions (with their programme, outcomes and photos), outcomes and
organisations. The guide for partner developers (sync recipe, caching, errors) is
docs/api.md in the source.

* Every object has a stable `uuid`, and objects refer to each other by UUID. A reference to
  something that is not published is `null`, or left out of a list.
* With `?lang=nl`, `en` or `zh-hans` every text is a string in that language. A text that is
  empty there is shown in the next language of the fallback order (en → nl, zh-hans → en → nl)
  and named under `fallbacks`. Without `lang` every text is an object with all three languages.
* `url` is the object's public page in the requested language (Dutch without `lang`); photo
  renditions have absolute URLs too.
* Rich texts are sanitized HTML.
* A programme item's `start_time` and `end_time` (when known; on the same day) are local
  wall-clock times in its `time_zone` (an IANA name): 09:00 in Dalian is 09:00 China time
  (`+08:00`). A region's `time_zone` is its own or inherited from the region it lies in.
* A mission's `destinations` are in the order it visits them.
* Every path answers without a trailing slash; with one (`/missions/`) it is a 308 redirect
  to the path without it, query string kept.
* Lists come in pages (`limit`, `offset`; the total is `count`) in the order the objects were
  added, so paging stays stable while new objects arrive. Filters narrow a list; a query
  parameter the endpoint does not know is refused (400), so a misspelt filter never passes
  unnoticed.
* Only published content is exported: anything else is a 404.

**Staying in sync.** `updated_since` returns what changed after a moment (including objects
that appeared because they or their partnership were published, or their publication date
passed), `/deleted` what partners must remove (deleted, unpublished, or hidden with their
partnership). Apply `/deleted?since=T` first, then the lists with `updated_since=T`, and use
the `Date` of your first response, minus a few minutes, as the next `T`.

**Caching.** Every answer has an `ETag` and a `Last-Modified`; send them back as
`If-None-Match` / `If-Modified-Since` and an unchanged answer is a bodiless 304. With
`Accept-Encoding: gzip` answers come compressed, with the same `ETag` marked weak (`W/"…"`).

**Errors** are `application/problem+json` (RFC 9457). Anonymous clients may make a limited
number of requests per period (see the 429 answer and its `Retry-After`).
"""


VALIDATOR_HEADERS = {
    "ETag": {
        "description": (
            "Send it back as `If-None-Match` to get a 304 while nothing changed. Weak "
            '(`W/"…"`) on a gzip answer: the same content, compressed.'
        ),
        "required": True,
        "schema": {"type": "string"},
    },
    "Last-Modified": {
        "description": (
            "When the answer last changed (to the second). `If-None-Match` is exact; prefer it."
        ),
        "required": True,
        "schema": {"type": "string"},
    },
    "Cache-Control": {
        "description": "`public, max-age=60`: keep the answer that long without asking.",
        "required": True,
        "schema": {"type": "string"},
    },
}
CONDITIONAL_PARAMETERS = [
    {
        "name": "If-None-Match",
        "in": "header",
        "required": False,
        "description": "The `ETag` of your copy: a 304 without a body while it is current.",
        "schema": {"type": "string", "maxLength": MAX_HEADER_LENGTHS["If-None-Match"]},
    },
    {
        "name": "If-Modified-Since",
        "in": "header",
        "required": False,
        "description": "The `Last-Modified` of your copy; ignored when `If-None-Match` is sent.",
        "schema": {"type": "string", "maxLength": MAX_HEADER_LENGTHS["If-Modified-Since"]},
    },
]
PROBLEM_EXAMPLES = {
    400: {
        "type": problems.UNKNOWN_PARAMETERS,
        "title": "Unknown parameters",
        "status": 400,
        "detail": "This endpoint does not take: updatedsince.",
        "instance": "/api/v1/missions?updatedsince=2026-11-20",
        "errors": [
            {
                "in": "query",
                "name": "updatedsince",
                "detail": "Unknown parameter. This endpoint takes: kind, lang, limit, offset, "
                "partnership, region, updated_since.",
                "type": "unknown_parameter",
            }
        ],
    },
    404: {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "No published mission has this UUID.",
        "instance": "/api/v1/missions/3f2b8c1e-6d4a-4e0b-9a57-1c2d3e4f5a6b",
    },
    422: {
        "type": problems.INVALID_PARAMETERS,
        "title": "Invalid parameters",
        "status": 422,
        "detail": "Invalid value for: updated_since.",
        "instance": "/api/v1/missions?updated_since=yesterday",
        "errors": [
            {
                "in": "query",
                "name": "updated_since",
                "detail": "Not an ISO 8601 date and time, such as 2026-11-20T09:30:00Z",
                "type": "iso_8601",
            }
        ],
    },
    429: {
        "type": "about:blank",
        "title": "Too Many Requests",
        "status": 429,
        "detail": "Too many requests from this address. Try again after Retry-After seconds.",
        "instance": "/api/v1/missions",
    },
}
PROBLEM_DESCRIPTIONS = {
    400: "A query parameter this endpoint does not take (a misspelt filter).",
    404: "No published object has this UUID.",
    422: "A parameter has a value the API does not accept; `errors` lists each.",
    429: "Too many requests from this address; try again after `Retry-After` seconds.",
}


def document_http(schema: dict[str, Any]) -> None:
    """Add to ninja's document what HTTP adds: validators, 304s, problems, Retry-After."""
    for operations in schema["paths"].values():
        for operation in operations.values():
            parameters = operation.setdefault("parameters", [])
            for parameter in parameters:
                # ninja writes a parameter's examples as a list; OpenAPI wants one example
                # there (or a map of named Example objects).
                if isinstance(parameter.get("examples"), list):
                    parameter["example"] = parameter.pop("examples")[0]
            parameters.extend(CONDITIONAL_PARAMETERS)
            for code, answer in operation["responses"].items():
                status = int(code)
                if status == 200:
                    answer["headers"] = VALIDATOR_HEADERS
                elif status == 304:
                    answer.pop("content", None)
                    answer["description"] = "Your copy (`If-None-Match`) is current; no body."
                    answer["headers"] = VALIDATOR_HEADERS
                elif status >= 400:
                    media = answer.pop("content", {}).get("application/json", {})
                    answer["content"] = {
                        problems.CONTENT_TYPE: {**media, "example": PROBLEM_EXAMPLES[status]}
                    }
                    answer["description"] = PROBLEM_DESCRIPTIONS[status]
                    if status == 429:
                        answer["headers"] = {
                            "Retry-After": {
                                "description": "Seconds to wait before the next request.",
                                "required": True,
                                "schema": {"type": "integer", "minimum": 0},
                            }
                        }
