"""The largest request the site reads: ``MAX_UPLOAD_BYTES`` (``DJANGO_MAX_UPLOAD_MB``).

Django limits a form's fields (``DATA_UPLOAD_MAX_MEMORY_SIZE``) but not its files: a 2 GB
"photo" would be streamed to a temporary file on disk before the photo check
(``programmes/models/images.py``, 20 MB) refuses it. The proxy in front should refuse such a
request first (docs/deployment.md: ``client_max_body_size``); this is the site's own defence,
for a proxy left at a larger limit or none. A request that says it is larger is answered before
a byte of its body is read, so nothing of it is parsed or written, with a page in the site's
style, in the visitor's language, that says what to do (under ``/api/`` a problem, as every
error there: ``api/problems.py``).

Django reads no more of a body than its ``Content-Length`` (WSGI): without one, it reads
none, so the length a request states is the most that can be read of it.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render

from programmes.models.images import MAX_BYTES as MAX_PHOTO_BYTES


def stated_length(request: HttpRequest) -> int:
    """The body's length as the request states it; 0, as Django reads it, when it is none."""
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def too_large(request: HttpRequest, length: int) -> HttpResponse:
    return render(
        request,
        "413.html",
        {
            "is_error_page": True,
            "sent_bytes": length,
            "limit_bytes": settings.MAX_UPLOAD_BYTES,
            "photo_limit_bytes": MAX_PHOTO_BYTES,
        },
        status=413,
    )


class UploadLimitMiddleware:
    """Refuse a request larger than ``MAX_UPLOAD_BYTES`` before its body is read.

    Before any middleware or view that reads the body (CSRF reads the form in
    ``process_view``, which runs after every middleware's ``__call__``); after the
    language, session, user and CSP middleware, so the page is translated and served as
    every other.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        length = stated_length(request)
        if length > settings.MAX_UPLOAD_BYTES:
            return too_large(request, length)
        return self.get_response(request)
