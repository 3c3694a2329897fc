"""From content writes to webhook events: which object became public, changed or went.

The services send ``programmes.domain.signals.content_event`` after every write, inside its
transaction. For each one, :func:`on_content_event` finds the public object the write is
about (a programme item or photo is part of its mission, an objective of its partnership,
a key figure, cluster or region photo of its region) and the objects whose public state
follows it (a partnership's missions and outcomes, a mission's outcomes), asks the one
``published()`` rule whether each is public now, and compares that with ``PublicCopy``,
what partners were told. The difference is the event:

- not announced, public now: ``<type>.published``
- announced and public, written to: ``<type>.changed``
- announced, not public any more: ``<type>.unpublished`` (remove your copy)
- announced, deleted: ``<type>.deleted`` (remove your copy)
- never announced (a draft, a scheduled object): nothing at all.

Events are collected per transaction, so an admin save that writes a mission and five
programme items is one ``mission.changed``, and sent only when it commits: the deliveries
are stored and one task is enqueued that fans out to the endpoints. A save therefore costs
the same few queries however many endpoints there are, and never waits for a partner.

Regions and organisations are shared reference data, public on their own and referenced by
every partnership: their events go to every active endpoint, whatever partnerships it
follows. Focus areas and other lists without a page of their own have no events.
"""

import datetime
import logging
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation

from programmes.domain.audit import Action
from programmes.models import (
    Cluster,
    KeyFigure,
    Mission,
    Objective,
    Organisation,
    Outcome,
    Partnership,
    Photo,
    ProgrammeItem,
    Region,
)

from .models import Delivery, Endpoint, PublicCopy
from .tasks import fan_out

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ObjectType:
    """A type of object events are about: the ``type`` of a payload, ``object_type`` of a copy."""

    model: type
    collection: str  # the API's: /api/v1/<collection>/<uuid>
    page: str  # the URL name of the public page
    columns: tuple[str, ...] = ()  # what PublicCopy keeps to find the object again


OBJECT_TYPES = {
    "partnership": ObjectType(Partnership, "partnerships", "programmes:partnership"),
    "mission": ObjectType(Mission, "missions", "programmes:mission", ("partnership_id",)),
    "outcome": ObjectType(
        Outcome, "outcomes", "programmes:outcome", ("partnership_id", "mission_id")
    ),
    "region": ObjectType(Region, "regions", "programmes:region"),
    "organisation": ObjectType(Organisation, "organisations", "programmes:organisation"),
}
TYPE_OF_MODEL = {object_type.model: name for name, object_type in OBJECT_TYPES.items()}
# Shared reference data: events go to every endpoint.
SHARED_TYPES = frozenset({"region", "organisation"})
# Whose public state follows an object's: (object_type, the column that points to the object).
FOLLOWERS = {
    "partnership": (("mission", "partnership_id"), ("outcome", "partnership_id")),
    "mission": (("outcome", "mission_id"),),
}
# Parts without a public life of their own: (the columns that lead to what they belong to).
PARTS = {
    ProgrammeItem: (("mission", "mission_id"),),
    Photo: (("mission", "mission_id"), ("region", "region_id")),
    Objective: (("partnership", "partnership_id"),),
    KeyFigure: (("region", "region_id"),),
    Cluster: (("region", "region_id"),),
}

REMOVALS = frozenset({"unpublished", "deleted"})


@dataclass
class Change:
    """One public object touched in a transaction: what partners knew, and know now."""

    object_type: str
    pk: int
    uuid: uuid.UUID
    was_announced: bool
    announced: bool
    slug: str = ""
    partnership_ids: set = field(default_factory=set)
    written: bool = False  # the write was to this object or one of its parts
    deleted: bool = False
    endpoint_ids: frozenset | None = None  # for a deletion: decided before the rows go

    @property
    def event(self) -> str | None:
        if self.deleted:
            action = "deleted" if self.was_announced else None
        elif self.announced:
            action = "changed" if self.was_announced else "published"
            if action == "changed" and not self.written:
                action = None
        else:
            action = "unpublished" if self.was_announced else None
        return f"{self.object_type}.{action}" if action else None


class PendingEvents:
    """The changes of one transaction, sent when it commits (or dropped with a rollback)."""

    def __init__(self):
        self.changes: dict[tuple[str, int], Change] = {}
        self.sent = False
        self.callback = self.send  # one object, to find it among the commit callbacks

    def note(self, change: Change) -> None:
        key = (change.object_type, change.pk)
        known = self.changes.get(key)
        if known is None:
            self.changes[key] = change
            return
        known.announced = change.announced
        known.written |= change.written
        known.deleted |= change.deleted
        known.slug = change.slug or known.slug
        known.partnership_ids |= change.partnership_ids
        if change.endpoint_ids is not None:
            known.endpoint_ids = change.endpoint_ids

    def send(self) -> None:
        self.sent = True
        try:
            send_events([change for change in self.changes.values() if change.event])
        except Exception:
            # A partner's events must never break an editor's save; the log says what failed.
            logger.exception("Could not queue webhook events")


def pending_events() -> PendingEvents:
    """This transaction's collection, registered to be sent on commit the first time."""
    connection = transaction.get_connection()
    pending = getattr(connection, "_webhook_events", None)
    # A rollback drops the commit callback; a collection whose callback is gone is stale.
    if (
        pending is None
        or pending.sent
        or not any(callback is pending.callback for _, callback, _ in connection.run_on_commit)
    ):
        pending = PendingEvents()
        connection._webhook_events = pending
        transaction.on_commit(pending.callback)
    return pending


# From a write to changes ---------------------------------------------------------------------


def on_content_event(sender, *, action, instance, user=None, **kwargs) -> None:
    """The ``content_event`` receiver: note what partners must hear about this write."""
    object_type = TYPE_OF_MODEL.get(sender)
    if object_type is not None:
        if action == Action.DELETED:
            _note_deletion(object_type, instance.pk)
        else:
            _note_write(object_type, instance.pk, with_followers=True)
        return
    for parent_type, column in PARTS.get(sender, ()):
        parent_pk = getattr(instance, column)
        if parent_pk is not None:
            _note_write(parent_type, parent_pk, with_followers=False)


def _scopes(object_type: str, pk: int, *, with_followers: bool) -> list[tuple[str, str, int]]:
    """(object_type, column, value) for the object and, if asked, what follows it."""
    scopes = [(object_type, "pk", pk)]
    if with_followers:
        scopes += [(follower, column, pk) for follower, column in FOLLOWERS.get(object_type, ())]
    return scopes


def _announced_q(scopes) -> Q:
    """The PublicCopy rows of ``scopes``."""
    query = Q()
    for object_type, column, value in scopes:
        query |= Q(object_type=object_type, **{"object_id" if column == "pk" else column: value})
    return query


def _note_write(object_type: str, pk: int, *, with_followers: bool) -> None:
    """Something was written to that object (or a part of it); compare with PublicCopy."""
    scopes = _scopes(object_type, pk, with_followers=with_followers)
    public = {}
    for scope_type, column, value in scopes:
        spec = OBJECT_TYPES[scope_type]
        rows = spec.model.objects.published().filter(**{column: value})
        rows = rows.values("pk", "uuid", "slug", *spec.columns)
        public.update({(scope_type, row["pk"]): row for row in rows})
    announced = {
        (copy.object_type, copy.object_id): copy
        for copy in PublicCopy.objects.filter(_announced_q(scopes))
    }
    _reconcile(public, announced, written=(object_type, pk))


def catch_up() -> int:
    """Compare everything public with PublicCopy, for what changed without a write.

    A publish date that comes or an unpublish date that passes changes what is public at
    query time, with no write and so no event. This finds those (and, run once after
    installing, records what is public already, so that unpublishing it is an event).
    Returns how many objects became or stopped being public.
    """
    with transaction.atomic():
        public = {}
        for object_type, spec in OBJECT_TYPES.items():
            rows = spec.model.objects.published().values("pk", "uuid", "slug", *spec.columns)
            public.update({(object_type, row["pk"]): row for row in rows.iterator()})
        announced = {
            (copy.object_type, copy.object_id): copy for copy in PublicCopy.objects.iterator()
        }
        return _reconcile(public, announced, written=None)


def _reconcile(public: dict, announced: dict, *, written: tuple[str, int] | None) -> int:
    """Bring PublicCopy in line with ``public`` and note the differences as changes.

    ``public`` and ``announced`` map (object_type, pk) to the object's values and its PublicCopy;
    ``written`` is the object the write was to, the one that "changed" if it stays public.
    """
    pending = pending_events()
    new_copies, moved, gone = [], [], []
    # The object written to first, then what follows it: the order the deliveries are made.
    for key in sorted(public.keys() | announced.keys(), key=lambda key: (key != written, key)):
        object_type, pk = key
        row, copy = public.get(key), announced.get(key)
        if row is not None and copy is None:
            new_copies.append(
                PublicCopy(
                    object_type=object_type,
                    object_id=pk,
                    uuid=row["uuid"],
                    partnership_id=row.get("partnership_id"),
                    mission_id=row.get("mission_id"),
                )
            )
        elif row is None:
            gone.append(copy.pk)
        elif (copy.partnership_id, copy.mission_id) != (
            row.get("partnership_id"),
            row.get("mission_id"),
        ):
            copy.partnership_id, copy.mission_id = row.get("partnership_id"), row.get("mission_id")
            moved.append(copy)
        elif key != written:
            continue  # public before and after, not written to: nothing to tell
        partnership_ids = {
            pk if object_type == "partnership" else None,
            row and row.get("partnership_id"),
            copy and copy.partnership_id,
        } - {None}
        pending.note(
            Change(
                object_type=object_type,
                pk=pk,
                uuid=row["uuid"] if row else copy.uuid,
                was_announced=copy is not None,
                announced=row is not None,
                slug=row["slug"] if row else "",
                partnership_ids=partnership_ids,
                written=key == written,
            )
        )
    # Two saves (or a save and catch_up) may record the same object at once: one row wins.
    PublicCopy.objects.bulk_create(new_copies, ignore_conflicts=True)
    if moved:
        PublicCopy.objects.bulk_update(moved, ["partnership_id", "mission_id"])
    if gone:
        PublicCopy.objects.filter(pk__in=gone).delete()
    return len(new_copies) + len(gone)


def _note_deletion(object_type: str, pk: int) -> None:
    """``object_type`` ``pk`` is about to be deleted, with its followers (a mission's outcomes)."""
    scopes = _scopes(object_type, pk, with_followers=True)
    copies = list(PublicCopy.objects.filter(_announced_q(scopes)))
    if not copies:
        return  # partners never had it: nothing to tell
    # Decided now: a deleted partnership takes the endpoints' links to it along.
    routes = endpoint_routes()
    pending = pending_events()
    for copy in copies:
        partnership_ids = {
            copy.object_id if copy.object_type == "partnership" else copy.partnership_id
        } - {None}
        pending.note(
            Change(
                object_type=copy.object_type,
                pk=copy.object_id,
                uuid=copy.uuid,
                was_announced=True,
                announced=False,
                deleted=True,
                partnership_ids=partnership_ids,
                endpoint_ids=frozenset(routes.targets(copy.object_type, partnership_ids)),
            )
        )
    PublicCopy.objects.filter(pk__in=[copy.pk for copy in copies]).delete()


# From changes to deliveries ------------------------------------------------------------------


@dataclass
class Routes:
    """The active endpoints, and which follow which partnership, from one query."""

    everything: set = field(default_factory=set)
    all_endpoints: set = field(default_factory=set)
    by_partnership: dict = field(default_factory=dict)

    def targets(self, object_type: str, partnership_ids) -> set:
        if object_type in SHARED_TYPES:
            return set(self.all_endpoints)
        targets = set(self.everything)
        for partnership_id in partnership_ids:
            targets |= self.by_partnership.get(partnership_id, set())
        return targets


def endpoint_routes() -> Routes:
    routes = Routes()
    rows = Endpoint.objects.filter(active=True).values_list(
        "pk", "all_partnerships", "partnerships"
    )
    for endpoint_id, everything, partnership_id in rows:
        routes.all_endpoints.add(endpoint_id)
        if everything:
            routes.everything.add(endpoint_id)
        elif partnership_id is not None:
            routes.by_partnership.setdefault(partnership_id, set()).add(endpoint_id)
    return routes


def absolute_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def build_payload(
    event_id, event_type: str, *, object_type=None, object_uuid=None, slug="", at=None
):
    """The event as partners receive it: what happened to which object, and where to read it.

    Events are thin on purpose: the partner reads the current state from the API, so an
    event that arrives late or twice can do no harm.
    """
    occurred_at = (at or timezone.now()).astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")
    payload = {"id": str(event_id), "type": event_type, "occurred_at": occurred_at, "object": None}
    if object_type is not None:
        spec = OBJECT_TYPES[object_type]
        urls = {}
        if event_type.rpartition(".")[2] not in REMOVALS:
            for code, _name in settings.LANGUAGES:
                with translation.override(code):
                    urls[code] = absolute_url(reverse(spec.page, kwargs={"slug": slug}))
        payload["object"] = {
            "type": object_type,
            "uuid": str(object_uuid),
            "api_url": absolute_url(f"/api/v1/{spec.collection}/{object_uuid}"),
            "urls": urls,
        }
    return payload


def send_events(changes: list[Change]) -> None:
    """Store a delivery per event and endpoint, and queue the task that sends them."""
    if not changes:
        return
    routes = None
    now = timezone.now()
    deliveries = []
    for change in changes:
        if change.endpoint_ids is not None:
            targets = change.endpoint_ids
        else:
            routes = routes or endpoint_routes()
            targets = routes.targets(change.object_type, change.partnership_ids)
        if not targets:
            continue
        event_id = uuid.uuid4()
        payload = build_payload(
            event_id,
            change.event,
            object_type=change.object_type,
            object_uuid=change.uuid,
            slug=change.slug,
            at=now,
        )
        deliveries += [
            Delivery(
                endpoint_id=endpoint_id, event_id=event_id, event_type=change.event, payload=payload
            )
            for endpoint_id in sorted(targets)
        ]
    if deliveries:
        Delivery.objects.bulk_create(deliveries)
        fan_out.enqueue(sorted({str(delivery.event_id) for delivery in deliveries}))
