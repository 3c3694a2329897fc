"""Errors of the JSON API as ``application/problem+json`` (RFC 9457), however they arise.

Every error under ``/api/`` has the same shape: ``type``, ``title``, ``status``,
``detail`` and ``instance`` (the path and query that failed), and a refused parameter
also lists ``errors``, one per parameter. The API's exception handlers (endpoints.py) make the
errors ninja knows of: invalid parameters, unknown objects, too many requests. Django
answers some requests before ninja is reached or without it (an unknown path under
``/api/``, a method the API does not offer): :class:`ProblemMiddleware` turns those
answers into problems too, so a partner's client needs one error parser.

``type`` names the kind of problem: ``about:blank`` when the HTTP status says it all
(RFC 9457 §4.2.1), otherwise a URN documented in docs/api.md.
"""

import json
from http import HTTPStatus
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase

CONTENT_TYPE = "application/problem+json"
API_PREFIX = "/api/"

INVALID_PARAMETERS = "urn:twinning:problem:invalid-parameters"
UNKNOWN_PARAMETERS = "urn:twinning:problem:unknown-parameters"


def problem(
    request: HttpRequest,
    status: int,
    detail: str,
    *,
    type: str = "about:blank",
    title: str | None = None,
    **extensions: Any,
) -> HttpResponse:
    """A problem response; ``title`` is the status phrase unless ``type`` says more."""
    body = {
        "type": type,
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": request.get_full_path(),
        **extensions,
    }
    return HttpResponse(
        json.dumps(body, ensure_ascii=False), status=status, content_type=CONTENT_TYPE
    )


def invalid_parameters(request: HttpRequest, errors: list[dict[str, Any]]) -> HttpResponse:
    """422 for parameters ninja (pydantic) refused; ``errors`` as ninja reports them."""
    listed = [
        {
            "in": error["loc"][0] if error.get("loc") else "query",
            "name": ".".join(str(part) for part in error.get("loc", ())[1:]) or "",
            "detail": error["msg"],
            "type": error["type"],
        }
        for error in errors
    ]
    names = ", ".join(sorted({error["name"] for error in listed if error["name"]}))
    return problem(
        request,
        422,
        f"Invalid value for: {names}." if names else "Invalid request.",
        type=INVALID_PARAMETERS,
        title="Invalid parameters",
        errors=listed,
    )


def unknown_parameters(
    request: HttpRequest, unknown: list[str], accepted: set[str]
) -> HttpResponse:
    """400 for query parameters the endpoint does not take: a misspelt filter would
    otherwise be ignored, and a partner would mirror far more than they asked for."""
    takes = ", ".join(sorted(accepted))
    return problem(
        request,
        400,
        f"This endpoint does not take: {', '.join(unknown)}.",
        type=UNKNOWN_PARAMETERS,
        title="Unknown parameters",
        errors=[
            {
                "in": "query",
                "name": name,
                "detail": f"Unknown parameter. This endpoint takes: {takes}.",
                "type": "unknown_parameter",
            }
            for name in unknown
        ],
    )


class ProblemMiddleware:
    """Error answers under ``/api/`` that are not problems already become problems.

    It also does the API's other HTTP chores that fall outside ninja: ``HEAD`` is answered as
    ``GET`` without the body (ninja routes only the methods an operation names, and a HEAD is
    how a client checks ``ETag``/``Last-Modified`` cheaply), and headers about the browser's
    language are dropped.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        head = request.method == "HEAD"
        if head:
            request.method = "GET"
        response = self.get_response(request)
        if head:
            request.method = "HEAD"
        if response.status_code >= 400 and not response.get("Content-Type", "").startswith(
            CONTENT_TYPE
        ):
            response = self.as_problem(request, response)
        # The API's language is its ``lang`` parameter, never the browser's: LocaleMiddleware's
        # ``Vary: Accept-Language`` and ``Content-Language`` would only split shared caches.
        if "Vary" in response:
            varies = [v.strip() for v in response["Vary"].split(",")]
            kept = [v for v in varies if v.lower() != "accept-language"]
            if kept:
                response["Vary"] = ", ".join(kept)
            else:
                del response["Vary"]
        if "Content-Language" in response:
            del response["Content-Language"]
        if head and not response.streaming:
            response["Content-Length"] = str(len(response.content))
            response.content = b""
        return response

    @staticmethod
    def as_problem(request: HttpRequest, response: HttpResponseBase) -> HttpResponse:
        status = response.status_code
        details = {
            404: "There is nothing at this address. The API's endpoints are listed in "
            "/api/v1/openapi.json.",
            405: f"This address answers only {response.get('Allow', 'GET')}.",
        }
        replacement = problem(request, status, details.get(status, HTTPStatus(status).description))
        for header in ("Allow", "Retry-After", "Vary"):
            if header in response:
                replacement[header] = response[header]
        return replacement
