"""What partner mirrors rest on: when an object's export last changed, and what is gone.

A partner site keeps a copy of the API's content and asks, every so often, for what
changed since its last sync (``updated_since``) and what it must remove
(``/api/v1/deleted``). Both must be complete, or the copy drifts. They rest on
:class:`~programmes.models.ExportRecord`, one row per exported object (region,
organisation, partnership, mission, outcome) that was ever public.

**Entering and leaving the public set is found by comparison, not by listing the ways.**
An object enters or leaves through its status, its publish and unpublish dates (which
take effect when the moment passes, without any write), its partnership's or mission's
publication, its deletion, or a cascade from its parent's deletion. Rather than reason
about each path, :func:`reconcile` compares ``published()`` (querysets.py, the one rule)
with the rows: an object public without a public row has *entered* (its row is marked
public, ``changed_at`` now); a public row whose object is no longer public has *left*
(the row becomes a tombstone, ``changed_at`` now). A new path someone adds later is
covered without anyone thinking of it here.

:func:`reconcile` runs when a transaction that wrote content commits, and
:func:`catch_up` runs it before an API request when the content generation (the read
path's page cache) moved on since the last comparison: on every write in this process,
and when the next publish or unpublish date passes. A deleted object also gets its
tombstone at once, from a ``pre_delete`` receiver, children deleted by cascade included.

**An object's export changes when anything it shows changes.** A mission's export holds
its programme items, photos and published outcomes, and refers to regions and
organisations only while they are published. So ``changed_at`` of an object's row is
also moved to "now" when a nested object is saved or deleted, when a many-to-many
relation changes, when a focus area is renamed, and when an object it refers to enters
or leaves the public set (a region shows the photos of published missions only, so a
mission entering or leaving moves the regions its photos are attached to). The API shows
each object's ``updated_at`` as the later of its own ``updated_at`` and that time, and
filters ``updated_since`` on it. Content rows are never touched for this: their
``updated_at`` is the version the admin's edit-conflict check relies on.
"""

import threading
from collections.abc import Iterable
from datetime import datetime
from itertools import batched
from uuid import UUID

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q, QuerySet
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.utils import timezone

from programmes.models import (
    Cluster,
    ExportRecord,
    FocusArea,
    KeyFigure,
    Mission,
    Objective,
    Organisation,
    Outcome,
    Partnership,
    Photo,
    ProgrammeItem,
    Publishable,
    Region,
    Status,
)

from .signals import content_event

Type = ExportRecord.Type

EXPORTED: dict[str, type[Publishable]] = {
    Type.REGION: Region,
    Type.ORGANISATION: Organisation,
    Type.PARTNERSHIP: Partnership,
    Type.MISSION: Mission,
    Type.OUTCOME: Outcome,
}
TYPES = {model: type_ for type_, model in EXPORTED.items()}

# The content generation (caching.py) the records were last compared in.
RECONCILED_KEY = "sync:reconciled"
# SQLite allows 32,766 parameters per statement; stay far below.
BATCH = 500


# Comparing the public set with the records ----------------------------------------------


def reconcile(*, now: datetime | None = None) -> dict[str, dict[str, set[UUID]]]:
    """Bring the records in line with ``published()``; returns what entered and what left.

    The database compares: two queries per exported model, each returning only the
    differences, so a comparison that finds nothing costs milliseconds however much content
    there is. It writes only when something changed. Concurrent runs are harmless: both
    write the same rows.
    """
    now = now or timezone.now()
    entered, left = {}, {}
    for type_, model in EXPORTED.items():
        public = model.objects.published()
        told = ExportRecord.objects.filter(type=type_, public=True)
        entered[type_] = set(
            public.exclude(uuid__in=told.values("uuid")).values_list("uuid", flat=True)
        )
        left[type_] = set(
            told.exclude(uuid__in=public.values("uuid")).values_list("uuid", flat=True)
        )
    if any(entered.values()) or any(left.values()):
        with transaction.atomic():
            _write_records(entered, public=True, now=now)
            _write_records(left, public=False, now=now)
            _touch_referrers(
                regions=entered[Type.REGION] | left[Type.REGION],
                organisations=entered[Type.ORGANISATION] | left[Type.ORGANISATION],
                outcomes=entered[Type.OUTCOME] | left[Type.OUTCOME],
                missions=entered[Type.MISSION] | left[Type.MISSION],
                now=now,
            )
    return {"entered": entered, "left": left}


def _write_records(uuids_by_type: dict[str, set[UUID]], *, public: bool, now: datetime) -> None:
    records = [
        ExportRecord(type=type_, uuid=uuid, public=public, changed_at=now)
        for type_, uuids in uuids_by_type.items()
        for uuid in uuids
    ]
    ExportRecord.objects.bulk_create(
        records,
        batch_size=BATCH,
        update_conflicts=True,
        unique_fields=["uuid"],
        update_fields=["type", "public", "changed_at"],
    )


def catch_up(generation: str) -> None:
    """Compare again if ``generation`` is not the one of the last comparison.

    Called before every API request with the content generation (``readpath/caching.py``),
    which changes on every write in this process and ends by itself when the next known
    publish or unpublish date passes; costs a cache read when nothing changed. A write in
    another process compares on its own commit; a date it set becomes known here when this
    comparison expires (``API_CACHE_SECONDS``), or at once with a shared cache (Redis).
    """
    if cache.get(RECONCILED_KEY) != generation:
        reconcile()
        cache.set(RECONCILED_KEY, generation, timeout=settings.API_CACHE_SECONDS)


_pending = threading.local()


def reconcile_on_commit() -> None:
    """After the transaction that wrote content commits: once, however many writes it held.

    (A transaction rolled back drops its callbacks; the flag is set again by the next write.)
    """
    _pending.due = True
    transaction.on_commit(_reconcile_pending, robust=True)


def _reconcile_pending() -> None:
    if getattr(_pending, "due", False):
        _pending.due = False
        reconcile()


# Moving changed_at: an export changed although its object's row did not -----------------


def touch(model: type[Publishable], condition: Q, *, now: datetime | None = None) -> None:
    """Say that the exports of ``model`` objects matching ``condition`` changed now."""
    ExportRecord.objects.filter(
        public=True, uuid__in=model.objects.filter(condition).values("uuid")
    ).update(changed_at=now or timezone.now())


def _touch_referrers(
    *,
    regions: Iterable[UUID],
    organisations: Iterable[UUID],
    outcomes: Iterable[UUID],
    missions: Iterable[UUID] = (),
    now,
) -> None:
    """Objects whose export refers to these regions, organisations or nests these outcomes,
    and the regions that show these missions' photos.

    A reference to an object that is not published is left out of an export, so such an
    object entering or leaving the public set changes the exports that refer to it.
    """
    for batch in batched(regions, BATCH):
        touch(Region, Q(parent__uuid__in=batch), now=now)
        touch(Organisation, Q(region__uuid__in=batch), now=now)
        touch(
            Partnership, Q(home_region__uuid__in=batch) | Q(partner_region__uuid__in=batch), now=now
        )
        touch(
            Mission,
            Q(destinations__uuid__in=batch) | Q(programme_items__city__uuid__in=batch),
            now=now,
        )
    for batch in batched(organisations, BATCH):
        touch(Partnership, Q(coordinator__uuid__in=batch), now=now)
        touch(
            Mission,
            Q(organisers__uuid__in=batch) | Q(programme_items__host__uuid__in=batch),
            now=now,
        )
    for batch in batched(outcomes, BATCH):
        touch(Mission, Q(outcomes__uuid__in=batch), now=now)
    for batch in batched(missions, BATCH):
        touch(Region, Q(photos__mission__uuid__in=batch), now=now)


# Signal receivers ------------------------------------------------------------------------

# Objects shown inside another object's export: (model, foreign key) → the exported model.
NESTED = {
    ProgrammeItem: [("mission", Mission)],
    Photo: [("mission", Mission), ("region", Region)],
    KeyFigure: [("region", Region)],
    Cluster: [("region", Region)],
    Objective: [("partnership", Partnership)],
    Outcome: [("mission", Mission)],
}
# Many-to-many relations an export shows: the through model → the model that owns it.
RELATIONS = {
    Mission.destinations.through: Mission,
    Mission.organisers.through: Mission,
    Partnership.focus_areas.through: Partnership,
}


def _parents_before_save(sender, instance, raw=False, **kwargs) -> None:
    """Remember the parents an existing nested object had: a move changes both exports."""
    if raw or instance.pk is None:
        return
    fields = [f"{name}_id" for name, _model in NESTED[sender]]
    instance._sync_old_parents = (
        sender._base_manager.filter(pk=instance.pk).values_list(*fields).first()
    )


def _nested_changed(sender, instance, raw=False, **kwargs) -> None:
    if raw:
        return
    old = getattr(instance, "_sync_old_parents", None) or ()
    for index, (name, model) in enumerate(NESTED[sender]):
        parents = {getattr(instance, f"{name}_id")}
        if index < len(old):
            parents.add(old[index])
        parents.discard(None)
        if parents:
            touch(model, Q(pk__in=parents))


def _focus_area_saved(sender, instance, raw=False, **kwargs) -> None:
    """A focus area's name is shown in partnerships, outcomes and the missions nesting them."""
    if raw or kwargs.get("created"):
        return
    now = timezone.now()
    touch(Partnership, Q(focus_areas=instance), now=now)
    touch(Outcome, Q(area=instance), now=now)
    touch(Mission, Q(outcomes__area=instance), now=now)


def _region_before_save(sender, instance, raw=False, **kwargs) -> None:
    """Remember an existing region's time zone and parent: the regions below inherit them."""
    if raw or instance.pk is None:
        return
    instance._sync_old_time_zone = (
        sender._base_manager.filter(pk=instance.pk).values_list("time_zone", "parent_id").first()
    )


def _region_time_zone_changed(sender, instance, raw=False, **kwargs) -> None:
    """The effective time zone is in the exports of the regions below this one (they may
    inherit it) and of the missions with a destination or programme item in any of them."""
    old = getattr(instance, "_sync_old_time_zone", None)
    if raw or old is None or old == (instance.time_zone, instance.parent_id):
        return
    below = Q(parent=instance) | Q(parent__parent=instance) | Q(parent__parent__parent=instance)
    regions = Region.objects.filter(below | Q(pk=instance.pk))
    now = timezone.now()
    touch(Region, below, now=now)
    touch(Mission, Q(destinations__in=regions) | Q(programme_items__city__in=regions), now=now)


def _relation_changed(sender, instance, action, reverse, model, pk_set, **kwargs) -> None:
    owner = RELATIONS[sender]
    if action in ("post_add", "post_remove"):
        if reverse:
            touch(owner, Q(pk__in=pk_set))
        else:
            touch(owner, Q(pk=instance.pk))
    elif action == "pre_clear":
        # The other side of a reverse clear is known only before it happens.
        if reverse:
            field = next(
                f.name
                for f in owner._meta.many_to_many
                if f.remote_field.through is sender and isinstance(instance, f.related_model)
            )
            touch(owner, Q(**{field: instance}))
        else:
            touch(owner, Q(pk=instance.pk))


def _exported_deleted(sender, instance, **kwargs) -> None:
    """A tombstone at once, for an object deleted by itself or by a cascade.

    Exports that refer to it change as well; after the delete they could no longer be
    found through the relation, which the delete may have removed with it.
    """
    now = timezone.now()
    updated = ExportRecord.objects.filter(uuid=instance.uuid).update(public=False, changed_at=now)
    if not updated and instance.status == Status.PUBLISHED:
        # Published but not yet compared (the comparison runs on commit): partners may
        # have seen it in the meantime, so it gets a tombstone all the same.
        ExportRecord.objects.create(
            type=TYPES[sender], uuid=instance.uuid, public=False, changed_at=now
        )
    uuids = {instance.uuid}
    _touch_referrers(
        regions=uuids if sender is Region else (),
        organisations=uuids if sender is Organisation else (),
        outcomes=uuids if sender is Outcome else (),
        missions=uuids if sender is Mission else (),
        now=now,
    )


def _content_written(sender, **kwargs) -> None:
    reconcile_on_commit()


def _exported_saved(sender, raw=False, **kwargs) -> None:
    if not raw:
        reconcile_on_commit()


def connect_signals() -> None:
    """Connect the receivers (``AppConfig.ready()``)."""
    for model in NESTED:
        pre_save.connect(_parents_before_save, sender=model, dispatch_uid=f"sync-pre-{model}")
        post_save.connect(_nested_changed, sender=model, dispatch_uid=f"sync-save-{model}")
        post_delete.connect(_nested_changed, sender=model, dispatch_uid=f"sync-delete-{model}")
    post_save.connect(_focus_area_saved, sender=FocusArea, dispatch_uid="sync-focus-area")
    pre_save.connect(_region_before_save, sender=Region, dispatch_uid="sync-pre-region-zone")
    post_save.connect(_region_time_zone_changed, sender=Region, dispatch_uid="sync-region-zone")
    for through in RELATIONS:
        m2m_changed.connect(_relation_changed, sender=through, dispatch_uid=f"sync-m2m-{through}")
    for model in EXPORTED.values():
        pre_delete.connect(_exported_deleted, sender=model, dispatch_uid=f"sync-gone-{model}")
        # Saves outside the services (a shell, a command) count too.
        post_save.connect(_exported_saved, sender=model, dispatch_uid=f"sync-saved-{model}")
    content_event.connect(_content_written, dispatch_uid="sync-content-event")


def last_change(type_: str | None = None) -> datetime | None:
    """The latest ``changed_at`` of any record (of ``type_``): a list's export changed then."""
    records = ExportRecord.objects.filter(type=type_) if type_ else ExportRecord.objects.all()
    return records.order_by("-changed_at").values_list("changed_at", flat=True).first()


def gone(type_: str | None = None) -> QuerySet[ExportRecord]:
    """Tombstones: objects partners must remove, of one type or of all."""
    records = ExportRecord.objects.filter(public=False)
    return records.filter(type=type_) if type_ else records
