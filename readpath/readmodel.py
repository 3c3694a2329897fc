"""The read model: public pages and API answers, stored as visitors get them.

A mission page shows a mission, its partnership, regions, organisations, dozens of
programme items and outcomes. Building those model instances and rendering them costs
far more than reading one row, and content changes far less often than it is read. So
the first anonymous request for a page renders it the ordinary way and stores the
bytes in a :class:`~programmes.models.ReadModelEntry` (per page, language and host),
with the objects it was built from; later requests read that row and build no model
instance. Staff never read or fill it: they see drafts and previews.

**What an entry depends on is collected, not declared.** While a page is built, every
instance of a content model that is created (``post_init``) is an object the page was
built from: :class:`ReadModelDependency` rows, ``(model, pk)``. An object whose
reverse relations the page went through (a prefetched ``programme_items``, a
``listed_missions`` list) is also recorded as ``(model+, pk)``: "the objects pointing
at it", so that a new programme item makes its mission's page stale but an edit of a
mission does not make every other mission of the partnership stale.

**A write stamps what it changed.** :class:`ContentStamp` holds, per ``(model, pk)``,
when it was last written: on ``post_save`` / ``post_delete`` the object itself and
``(model+, pk)`` of each object it points to by a foreign key; on ``m2m_changed``
``(model+, pk)`` of both sides. An entry is valid only while no object it depends on
has a stamp at or after the moment its build began: one indexed ``NOT EXISTS`` in the
query that reads it. Stamps are written in the write's transaction (the same request,
and a rolled-back write, see the truth at once) and once more after the commit, so an
entry that another process built from the not yet committed state in between is stale
as soon as that second stamp commits.

**Publication gates are global.** A mission is public only while its partnership is,
an outcome only while its mission and partnership are: pages list them through a join
and never load the hidden ones. So a change of a partnership's or mission's status or
dates stamps ``("*", 0)``, which every entry depends on. Such changes are rare. A site
page's publication does the same (every page links to the published ones), and so does a
partnership's new owner (every page's footer names the owners of published partnerships).

**Scheduled dates need nothing running.** ``valid_until`` is the next publish or
unpublish date of any published object (one query, ``caching.next_scheduled_change``):
the first read after it rebuilds the entry.

**A deploy starts afresh.** ``BUILD`` is a hash of the code, templates and message
catalogs an entry was rendered with; entries of another build are ignored.
"""

import hashlib
import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import wraps
from pathlib import Path

import django
from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import ForeignKey, Model
from django.db.models.signals import m2m_changed, post_delete, post_init, post_save, pre_save
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils import timezone
from django.utils.translation import get_language

from programmes.domain.signals import rows_updated
from programmes.models import (
    DERIVED_MODELS,
    AuditLogEntry,
    ContentStamp,
    ExportRecord,
    Installation,
    Membership,
    Mission,
    PartnerReviewer,
    Partnership,
    ReadModelDependency,
    ReadModelEntry,
    SitePage,
    Suggestion,
)

from .caching import may_be_shared, next_scheduled_change

logger = logging.getLogger(__name__)

# Models whose rows no page or API answer shows.
PRIVATE_MODELS = (
    AuditLogEntry,
    ExportRecord,
    Installation,
    Membership,
    PartnerReviewer,
    Suggestion,
)
# Models whose publication decides whether other objects are public (querysets.py), and
# site pages, which every page links to (menu and footer): a page published or taken down
# changes every entry, though no entry was built from it. Per model, the fields that do it:
# a partnership's owner too, whom every page's footer names (public/navigation.py).
PUBLICATION_FIELDS = ("status", "publish_at", "unpublish_at")
GATES = {
    Partnership: (*PUBLICATION_FIELDS, "owner_id"),
    Mission: PUBLICATION_FIELDS,
    SitePage: PUBLICATION_FIELDS,
}
EVERYTHING = ("*", 0)
RELATED = "+"
STORED_FIELDS = (
    "build",
    "content",
    "content_type",
    "etag",
    "last_modified",
    "built_at",
    "valid_until",
)
BATCH = 500


def _build_token() -> str:
    """A hash of what rendering depends on besides content: code, templates, catalogs."""
    base = Path(settings.BASE_DIR)
    digest = hashlib.sha256(django.get_version().encode())
    for folder, patterns in (
        (base / "programmes", ("*.py", "*.html")),
        # The public site's code (the registration panel's tag too) and what it counts.
        (base / "public", ("*.py",)),
        (base / "registrations", ("*.py",)),
        (base / "templates", ("*.html", "*.txt")),
        (base / "locale", ("*.mo",)),
    ):
        for pattern in patterns:
            for path in sorted(folder.rglob(pattern)):
                digest.update(str(path.relative_to(base)).encode())
                digest.update(path.read_bytes())
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if manifest.exists():
        digest.update(manifest.read_bytes())
    return digest.hexdigest()[:32]


# At start-up, deliberately: a process hashes the files it loaded, so a worker still running
# old code during a deploy does not store its pages under the new code's token.
BUILD = _build_token()


@dataclass(frozen=True)
class Key:
    """Which entry: ``kind`` ("page:mission", "api:mission"), slug or UUID, language, host."""

    kind: str
    key: str
    language: str
    origin: str


@dataclass(frozen=True)
class Stored:
    content: bytes
    content_type: str
    etag: str
    last_modified: datetime | None


def origin(request: HttpRequest) -> str:
    """What absolute URLs in a page start with."""
    return f"{request.scheme}://{request.get_host()}"


# Reading ---------------------------------------------------------------------------------


def _lookup_sql() -> str:
    entry = ReadModelEntry._meta.db_table
    dependency = ReadModelDependency._meta.db_table
    stamp = ContentStamp._meta.db_table
    return f"""
        SELECT e.content, e.content_type, e.etag, e.last_modified FROM {entry} e
        WHERE e.kind = %s AND e.key = %s AND e.language = %s AND e.origin = %s
          AND e.build = %s
          AND (e.valid_until IS NULL OR e.valid_until > %s)
          AND NOT EXISTS (
            SELECT 1 FROM {stamp} s
            WHERE s.changed_at >= e.built_at
              AND ((s.model = %s AND s.object_id = %s) OR EXISTS (
                SELECT 1 FROM {dependency} d
                WHERE d.entry_id = e.id AND d.model = s.model AND d.object_id = s.object_id
              ))
          )
    """


_LOOKUP = None


def lookup(key: Key) -> Stored | None:
    """The stored content for ``key`` if it is still what a build would give; one query."""
    global _LOOKUP
    if _LOOKUP is None:
        _LOOKUP = _lookup_sql()
    params = [key.kind, key.key, key.language, key.origin, BUILD, timezone.now()]
    with connection.cursor() as cursor:
        cursor.execute(_LOOKUP, [*params, *EVERYTHING])
        row = cursor.fetchone()
    if row is None:
        return None
    content, content_type, etag, modified = row
    last_modified = datetime.fromtimestamp(modified, tz=UTC) if modified is not None else None
    return Stored(bytes(content), content_type, etag, last_modified)


# Building --------------------------------------------------------------------------------


class Build:
    """Collects the content instances created while a page is built (``with Build() as b``)."""

    _local = threading.local()
    _lock = threading.Lock()
    _users = 0

    def __init__(self):
        self.started_at = timezone.now()
        self.instances: list[Model] = []
        self.extra: set[tuple[str, int]] = set()

    def __enter__(self):
        self._local.build = self
        with Build._lock:
            if Build._users == 0:
                post_init.connect(_created, dispatch_uid="readmodel-build")
            Build._users += 1
        return self

    def __exit__(self, *exc_info):
        self._local.build = None
        with Build._lock:
            Build._users -= 1
            if Build._users == 0:
                post_init.disconnect(dispatch_uid="readmodel-build")

    @classmethod
    def current(cls) -> "Build | None":
        return getattr(cls._local, "build", None)

    def dependencies(self) -> set[tuple[str, int]]:
        """``(model, pk)`` of every instance, and ``(model+, pk)`` of those whose reverse
        relations were followed (a prefetch cache, or a ``to_attr`` list)."""
        keys = set()
        for instance in self.instances:
            label = instance._meta.label_lower
            keys.add((label, instance.pk))
            if getattr(instance, "_prefetched_objects_cache", None) or any(
                isinstance(value, list) for value in vars(instance).values()
            ):
                keys.add((label + RELATED, instance.pk))
        return keys | self.extra

    def store(
        self,
        key: Key,
        content: bytes,
        content_type: str,
        *,
        etag: str = "",
        last_modified: datetime | None = None,
    ) -> None:
        """Keep ``content`` for ``key``; a failure (a locked SQLite file) only costs speed."""
        # From the database, not the page cache's generation: that may be another process's
        # memory, which has not heard of a date set elsewhere.
        next_change = next_scheduled_change(timezone.now().timestamp())
        entry = ReadModelEntry(
            kind=key.kind,
            key=key.key,
            language=key.language,
            origin=key.origin,
            build=BUILD,
            content=content,
            content_type=content_type,
            etag=etag,
            last_modified=last_modified.timestamp() if last_modified else None,
            built_at=self.started_at,
            valid_until=datetime.fromtimestamp(next_change, tz=UTC) if next_change else None,
        )
        try:
            with transaction.atomic():
                # An upsert that sets entry.pk (PostgreSQL, SQLite 3.35+).
                ReadModelEntry.objects.bulk_create(
                    [entry],
                    update_conflicts=True,
                    unique_fields=["kind", "key", "language", "origin"],
                    update_fields=[*STORED_FIELDS],
                )
                ReadModelDependency.objects.filter(entry_id=entry.pk).delete()
                ReadModelDependency.objects.bulk_create(
                    [
                        ReadModelDependency(entry_id=entry.pk, model=model, object_id=pk)
                        for model, pk in sorted(self.dependencies())
                    ],
                    batch_size=BATCH,
                )
        except DatabaseError:
            logger.warning("Could not store %s in the read model.", key, exc_info=True)


def depends_on(model: str, pk: int) -> None:
    """Record that the page being built shows what ``(model, pk)`` stands for, if one is.

    For what a page shows that is not a content instance: a mission's free places
    (``registrations``) are counted, never loaded as content. Whoever changes it calls
    :func:`stamp` with the same key, and the entry is stale.
    """
    build = Build.current()
    if build is not None:
        build.extra.add((model, pk))


def depends_on_reverse_relations(instances: Iterable[Model]) -> None:
    """Record that the page being built lists objects pointing at ``instances``.

    For a list fetched by its own query rather than through a prefetch on the instances (a
    region's page lists the missions to it and to the places within it, in one query):
    nothing on the instances shows that their reverse relations were read, so a new
    mission destination or programme item there, which stamps ``(region+, pk)``, would
    leave the page as it was.
    """
    for instance in instances:
        depends_on(instance._meta.label_lower + RELATED, instance.pk)


def _created(sender: type[Model], instance: Model, **kwargs) -> None:
    build = Build.current()
    if build is not None and sender in _PUBLIC and instance.pk is not None:
        build.instances.append(instance)


_PUBLIC: frozenset[type[Model]] = frozenset()


# Pages -----------------------------------------------------------------------------------

type View = Callable[..., HttpResponseBase]


def serve_page(kind: str) -> Callable[[View], View]:
    """Serve a detail page (``view(request, slug)``) to anonymous visitors from the read model.

    Only a page without a query string: the language switcher repeats the query. The
    response is stored only if the page cache could share it (``caching.may_be_shared``).
    """

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, slug: str) -> HttpResponseBase:
            if (
                request.method not in ("GET", "HEAD")
                or request.META.get("QUERY_STRING")
                or request.user.is_authenticated
            ):
                return view(request, slug)
            key = Key(f"page:{kind}", slug, get_language(), origin(request))
            stored = lookup(key)
            if stored is not None:
                return HttpResponse(stored.content, content_type=stored.content_type)
            with Build() as build:
                response = view(request, slug)
            if may_be_shared(request, response):
                build.store(key, response.content, response["Content-Type"])
            return response

        return wrapper

    return decorator


# Stamping --------------------------------------------------------------------------------


def stamp(keys: Iterable[tuple[str, int]]) -> None:
    """Mark ``keys`` as written now, and again when the transaction commits."""
    keys = set(keys)
    if keys:
        _write_stamps(keys)
        if connection.in_atomic_block:  # in autocommit mode the write is committed already
            transaction.on_commit(lambda: _write_stamps(keys), robust=True)


def _write_stamps(keys: set[tuple[str, int]]) -> None:
    now = timezone.now()
    ContentStamp.objects.bulk_create(
        [ContentStamp(model=model, object_id=pk, changed_at=now) for model, pk in sorted(keys)],
        update_conflicts=True,
        unique_fields=["model", "object_id"],
        update_fields=["changed_at"],
        batch_size=BATCH,
    )


def stamp_objects(model: type[Model], pks: Iterable[int], *, related: bool = False) -> None:
    """For writes that send no signals (``QuerySet.update()``)."""
    label = model._meta.label_lower + (RELATED if related else "")
    stamp((label, pk) for pk in pks)


def _written_keys(instance: Model) -> set[tuple[str, int]]:
    """The object itself, and the reverse relations of the objects it points to."""
    keys = {(instance._meta.label_lower, instance.pk)}
    for field in instance._meta.concrete_fields:
        if isinstance(field, ForeignKey) and field.related_model in _PUBLIC:
            target = getattr(instance, field.attname)
            if target is not None:
                keys.add((field.related_model._meta.label_lower + RELATED, target))
    return keys


def _gate_before_save(sender: type[Model], instance: Model, **kwargs) -> None:
    """Whether a gate's publication (or a partnership's owner) changes: then every entry may."""
    if instance.pk is None:
        instance._readmodel_gate_changed = False
        return
    fields = GATES[sender]
    before = sender._base_manager.filter(pk=instance.pk).values_list(*fields).first()
    after = tuple(getattr(instance, name) for name in fields)
    instance._readmodel_gate_changed = before != after


def _saved(sender: type[Model], instance: Model, **kwargs) -> None:
    keys = _written_keys(instance)
    if getattr(instance, "_readmodel_gate_changed", False):
        keys.add(EVERYTHING)
    stamp(keys)


def _deleted(sender: type[Model], instance: Model, **kwargs) -> None:
    stamp(_written_keys(instance))


def _relations_changed(sender, instance, action, model, pk_set, **kwargs) -> None:
    if action == "pre_clear":
        # After the clear, which objects were related is no longer known.
        source, target = _through_fields(sender, type(instance))
        related = sender.objects.filter(**{source.attname: instance.pk})
        pk_set = set(related.values_list(target.attname, flat=True))
    elif action not in ("post_add", "post_remove"):
        return
    keys = {(instance._meta.label_lower + RELATED, instance.pk)}
    keys |= {(model._meta.label_lower + RELATED, pk) for pk in pk_set or ()}
    stamp(keys)


def _rows_updated(sender: type[Model], *, pks, related=None, **kwargs) -> None:
    """A ``QuerySet.update()`` in the domain (``programmes.domain.signals.rows_updated``)."""
    stamp_objects(sender, pks)
    for model, model_pks in (related or {}).items():
        stamp_objects(model, model_pks, related=True)


def _through_fields(through: type[Model], side: type[Model]) -> tuple[ForeignKey, ForeignKey]:
    """The foreign keys of a many-to-many table: to ``side``, and to the other side."""
    keys = [f for f in through._meta.concrete_fields if isinstance(f, ForeignKey)]
    source = next(f for f in keys if f.related_model is side)
    return source, next(f for f in keys if f is not source)


def connect_signals() -> None:
    """Stamp every write to a content model (``AppConfig.ready()``)."""
    global _PUBLIC
    config = apps.get_app_config("programmes")
    _PUBLIC = frozenset(
        model
        for model in config.get_models()
        if model not in DERIVED_MODELS and model not in PRIVATE_MODELS
    )
    for model in _PUBLIC:
        post_save.connect(_saved, sender=model, dispatch_uid=f"readmodel-save-{model}")
        post_delete.connect(_deleted, sender=model, dispatch_uid=f"readmodel-delete-{model}")
    for model in GATES:
        pre_save.connect(_gate_before_save, sender=model, dispatch_uid=f"readmodel-gate-{model}")
    rows_updated.connect(_rows_updated, dispatch_uid="readmodel-rows-updated")
    # Every many-to-many table, Django's own or a model (a mission's ordered destinations,
    # whose rows an ``add()`` writes without post_save).
    throughs = {
        field.remote_field.through
        for model in config.get_models()
        for field in model._meta.local_many_to_many
    }
    for through in throughs:
        m2m_changed.connect(
            _relations_changed, sender=through, dispatch_uid=f"readmodel-m2m-{through}"
        )
