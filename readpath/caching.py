"""Whole public pages, cached for anonymous visitors and dropped when content changes.

**One generation for all content.** Every page key contains the current *content
generation*: a random token kept in the cache and replaced on every write to a content
model (post_save, post_delete and m2m_changed of every ``programmes`` model; see
``connect_signals()``). A new token orphans every cached page at once, so no page has
to know which objects it shows — a mission page shows regions, organisations,
outcomes and a partnership, and any of them may change. Orphaned entries expire.

**Publishing on a date needs no write.** A generation also records the earliest
future publish or unpublish date it knows of, and ends there: the first request after
that moment starts a new generation (one query finds the next date), so a scheduled
page appears (or goes) on time and no cached page outlives the change.

**Writes in a transaction.** A write replaces the token at once (so later reads in the
same process see the change), and again after the transaction commits: a page that
another process rendered from the not yet committed state in between is orphaned too.
Only that second, authoritative step queries the database.

Staff never get a cached page and never fill the cache: they see drafts, banners and
links to drafts. Responses marked ``private`` or ``no-store``, responses that set a
cookie, hold a CSRF token or a CSP nonce (both belong to one response) are not cached
either. Cached or not, a page that may be shared carries an ``ETag`` (a hash of its
bytes, kept with the cached page: the same in every process and after unrelated edits)
and a ``Last-Modified`` (the start of the generation); conditional requests get a 304.
"""

import hashlib
import secrets
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import wraps
from typing import NamedTuple, Self

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Model, QuerySet
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.csp import get_nonce
from django.utils import timezone
from django.utils.cache import (
    get_conditional_response,
    patch_cache_control,
    patch_vary_headers,
    set_response_etag,
)
from django.utils.http import http_date, split_directive_names
from django.utils.translation import get_language

from programmes.domain.signals import rows_updated
from programmes.models import (
    DERIVED_MODELS,
    AuditLogEntry,
    PartnerReviewer,
    Publishable,
    Status,
    Suggestion,
)

GENERATION_KEY = "pages:generation"
PAGE_KEY_PREFIX = "pages:page:"
# Set on a request whose response is the page every anonymous visitor of its address gets
# under the generation it holds (the token): the fast path keeps a copy (fast_path.py).
SHARED_PAGE_ATTRIBUTE = "shared_page_generation"
# The dates on which published content changes by itself.
SCHEDULE_FIELDS = ("publish_at", "unpublish_at")
# Models whose writes change no public page: the audit log (staff reading registrations
# are logged, registrations/admin.py, and must not empty the cache each time), and partner
# reviewers and their suggestions (only an accepted one changes content, through the services).
UNSHOWN_MODELS = (AuditLogEntry, PartnerReviewer, Suggestion)

type View = Callable[..., HttpResponseBase]


class Generation(NamedTuple):
    """The state of all public content, as far as cached pages are concerned.

    Times are POSIX timestamps. ``next_change`` is the earliest scheduled change known
    when the generation started (``None``: nothing is scheduled).
    """

    token: str
    started_at: float
    next_change: float | None

    def has_ended(self, now: float) -> bool:
        return self.next_change is not None and self.next_change <= now


def current_generation() -> Generation:
    """The generation pages are cached under now; starts a new one when the old has ended."""
    return _usable_generation() or _start_generation_from_database(timezone.now().timestamp())


def content_changed(*, schedule: Iterable[datetime | None] = ()) -> None:
    """Drop every cached page.

    The signals call this for every write to a content model. Writes that send no
    signals (``QuerySet.update()``, ``bulk_create()``) must call it themselves.
    ``schedule`` holds the written object's publish and unpublish dates, of which
    future ones end this generation early; after the commit the database is asked
    for the next scheduled change anyway.
    """
    generation = _usable_generation()
    now = timezone.now().timestamp()
    if generation is None:
        _start_generation_from_database(now)
    else:
        dates = [generation.next_change, *(d.timestamp() for d in schedule if d is not None)]
        future = [t for t in dates if t is not None and t > now]
        _store_generation(Generation(secrets.token_hex(8), now, min(future, default=None)))
    _after_commit.pending = True
    transaction.on_commit(_start_generation_after_commit, robust=True)


def connect_signals() -> None:
    """Call ``content_changed()`` on every write to a content model (``AppConfig.ready()``).

    Auto-created models are the many-to-many tables, whose changes arrive as
    ``m2m_changed`` with the table as sender. The read model's tables (readmodel.py) are
    derived from content, not content. Writes without model signals (``QuerySet.update()``)
    come as the domain's ``rows_updated``.
    """
    for model in apps.get_app_config("programmes").get_models(include_auto_created=True):
        if model in DERIVED_MODELS or model in UNSHOWN_MODELS:
            continue
        post_save.connect(_saved, sender=model)
        post_delete.connect(_deleted, sender=model)
        m2m_changed.connect(_relations_changed, sender=model)
    rows_updated.connect(_rows_updated, dispatch_uid="caching-rows-updated")


def cache_public_page(view: View) -> View:
    """Serve ``view`` whole from the cache to anonymous visitors, and answer conditional GETs.

    The key is the generation, the language and the absolute URL with its query string.
    Pages, the ``.ics`` files, the Atom feeds and the sitemap all go through here.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        if request.user.is_authenticated:
            response = view(request, *args, **kwargs)
            patch_cache_control(response, private=True)
            return response
        generation = current_generation()
        page = CachedPage.of(request, generation)
        response = page.cached_response()
        if response is None:
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and not response.is_rendered:
                response.render()  # a TemplateResponse (the sitemap's): the cache needs its bytes
            if not may_be_shared(request, response):
                return response
            if "ETag" not in response:
                set_response_etag(response)
            page.store(response)
        setattr(request, SHARED_PAGE_ATTRIBUTE, generation.token)
        return page.respond(request, response)

    return wrapper


@dataclass(frozen=True)
class CachedPage:
    """One page (or API answer, ``api/caching.py``) in the cache, under the current generation."""

    key: str
    last_modified: int

    @classmethod
    def of(cls, request: HttpRequest, generation: Generation) -> Self:
        identity = "\n".join([generation.token, get_language(), request.build_absolute_uri()])
        digest = hashlib.sha256(identity.encode()).hexdigest()
        return cls(key=PAGE_KEY_PREFIX + digest, last_modified=int(generation.started_at))

    def variant(self, name: str) -> Self:
        """The entry of another form of the same answer (the API's gzip copy)."""
        return replace(self, key=f"{self.key}:{name}")

    def cached_response(self) -> HttpResponse | None:
        if not settings.PAGE_CACHE_SECONDS:
            return None
        stored = cache.get(self.key)
        if stored is None:
            return None
        content, headers = stored
        return HttpResponse(content, headers=headers)

    def store(self, response: HttpResponse) -> None:
        if settings.PAGE_CACHE_SECONDS:
            value = (response.content, dict(response.items()))
            cache.set(self.key, value, timeout=settings.PAGE_CACHE_SECONDS)

    def respond(self, request: HttpRequest, response: HttpResponse) -> HttpResponseBase:
        """``response`` with its validators, or a 304 when the visitor's copy is current."""
        response.headers["Last-Modified"] = http_date(self.last_modified)
        if "Cache-Control" not in response:
            # Browsers may keep the page but must ask first; the ETag makes that cheap.
            patch_cache_control(response, no_cache=True)
        patch_vary_headers(response, ["Cookie"])
        return get_conditional_response(
            request, etag=response["ETag"], last_modified=self.last_modified, response=response
        )


def may_be_shared(request: HttpRequest, response: HttpResponseBase) -> bool:
    """Whether ``response`` is the same for every anonymous visitor of this URL."""
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not {"private", "no-store"} & _header_tokens(response, "Cache-Control")
        and _header_tokens(response, "Vary") <= {"cookie"}
        and not get_nonce(request)
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
    )


def _header_tokens(response: HttpResponseBase, header: str) -> set[str]:
    """The names listed in ``header``, lower-cased, without their values."""
    return set(split_directive_names(response.headers.get(header, "")))


# The generation in the cache ------------------------------------------------------------


_after_commit = threading.local()


def _stored_generation() -> Generation | None:
    value = cache.get(GENERATION_KEY)
    return Generation(*value) if value is not None else None


def _usable_generation() -> Generation | None:
    """The stored generation, unless it has ended or began before the cache came back.

    While Redis cannot be reached (twinning/cache.py), a write cannot replace the token, and
    Redis may come back holding pages from before the write. So a generation that began
    before this process last found the cache again is over. The processes that wrote during
    the outage are among those that found it gone; what if one ended before Redis returned
    is in docs/architecture/caching.md.
    """
    generation = _stored_generation()
    return generation if generation is not None and is_in_force(generation) else None


def is_in_force(generation: Generation) -> bool:
    """Whether pages cached under ``generation`` may be served now (also ``fast_path.py``).

    Call it after reading the generation: that read may be the one that found the cache again.
    """
    if generation.has_ended(timezone.now().timestamp()):
        return False
    reconnected_at = getattr(cache, "reconnected_at", None)  # only ResilientRedisCache has it
    return reconnected_at is None or generation.started_at >= reconnected_at


def _store_generation(generation: Generation) -> Generation:
    cache.set(GENERATION_KEY, tuple(generation), timeout=None)
    return generation


def _start_generation_from_database(now: float) -> Generation:
    return _store_generation(Generation(secrets.token_hex(8), now, next_scheduled_change(now)))


def _start_generation_after_commit() -> None:
    """Once per committed transaction, however many writes it held."""
    if getattr(_after_commit, "pending", False):
        _after_commit.pending = False
        _start_generation_from_database(timezone.now().timestamp())


type ScheduleSource = Callable[[datetime], Iterable[QuerySet]]
_schedule_sources: list[ScheduleSource] = []


def add_schedule(source: ScheduleSource) -> None:
    """Let another app name moments at which public pages change by themselves.

    ``source(moment)`` returns querysets, each a ``values_list(<a date-time field>,
    flat=True)`` of moments after ``moment`` (registration opening and closing,
    ``registrations/``). They
    join the one query of :func:`next_scheduled_change`, so generations and read-model
    entries end there too, at no extra query.
    """
    if source not in _schedule_sources:
        _schedule_sources.append(source)


def next_scheduled_change(now: float) -> float | None:
    """The earliest future publish or unpublish date of published content, in one query.

    Also the earliest moment of any source added with :func:`add_schedule`.
    """
    moment = datetime.fromtimestamp(now, tz=UTC)
    first, *others = [
        model.objects.filter(status=Status.PUBLISHED, **{f"{field}__gt": moment})
        .order_by()
        .values_list(field, flat=True)
        for model in apps.get_app_config("programmes").get_models()
        if issubclass(model, Publishable)
        for field in SCHEDULE_FIELDS
    ]
    others += [query.order_by() for source in _schedule_sources for query in source(moment)]
    earliest = first.union(*others, all=True).order_by(SCHEDULE_FIELDS[0]).first()
    return earliest.timestamp() if earliest is not None else None


# Signal receivers ------------------------------------------------------------------------


def _saved(sender: type[Model], instance: Model, **kwargs) -> None:
    if isinstance(instance, Publishable) and instance.status == Status.PUBLISHED:
        content_changed(schedule=[getattr(instance, field) for field in SCHEDULE_FIELDS])
    else:
        content_changed()


def _deleted(sender: type[Model], **kwargs) -> None:
    content_changed()


def _relations_changed(sender: type[Model], action: str, **kwargs) -> None:
    if action in {"post_add", "post_remove", "post_clear"}:
        content_changed()


def _rows_updated(sender: type[Model], **kwargs) -> None:
    content_changed()
