"""Content events: what happened to which object, for whoever needs to know.

The services send :data:`content_event` after every write they log (created, changed,
published, unpublished, deleted, reverted, recovered), inside the write's transaction, so
a receiver's own writes commit or roll back with it. A receiver that talks to the outside
world (a webhook) defers that with ``transaction.on_commit``.

Receivers are called with ``sender`` (the model class), ``action`` (an
``AuditLogEntry.Action`` value), ``instance`` (for "deleted": before the row goes, so its
UUID and relations can still be read) and ``user`` (``None`` for commands).

A write Django sends no model signals for (``QuerySet.update()``) is told with
:data:`rows_updated` instead: ``sender`` (the model), ``pks`` (the rows written) and
``related`` (``{model: pks}`` of objects whose related objects changed with it). The read
path (``readpath/``) listens to both and to Django's model signals; the domain never calls it.
"""

from django.db import models
from django.dispatch import Signal

content_event = Signal()
rows_updated = Signal()


def emit(action: str, instance: models.Model, *, user=None) -> None:
    """Tell the receivers of :data:`content_event` that ``action`` happened to ``instance``."""
    content_event.send(sender=type(instance), action=action, instance=instance, user=user)
