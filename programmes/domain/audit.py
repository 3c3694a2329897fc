"""The audit log: who created, changed, published, unpublished or deleted what, and when.

The services call :func:`record` for every write, so saves from the admin, actions,
the seed loader and imports all end up here (``AuditLogEntry``). Site managers read it
in the admin; nobody can change it there.
"""

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_noop

from programmes.models import AuditLogEntry

from .revisions import field_label, translated_field_names

Action = AuditLogEntry.Action

# Bookkeeping columns: they change on every save and say nothing about the content.
UNLOGGED_FIELDS = {"created_at", "updated_at"}

# The comment of the revision an action makes, as an English source string: the history
# translates it when it is shown.
REVISION_COMMENTS = {
    Action.CREATED: gettext_noop("Created"),
    Action.CHANGED: gettext_noop("Changed"),
    Action.PUBLISHED: gettext_noop("Published"),
    Action.UNPUBLISHED: gettext_noop("Unpublished"),
    Action.DELETED: gettext_noop("Deleted"),
    Action.REVERTED: gettext_noop("Reverted"),
    Action.RECOVERED: gettext_noop("Recovered"),
    Action.SUBMITTED: gettext_noop("Submitted for review"),
    Action.SENT_BACK: gettext_noop("Sent back to draft"),
}


def record(
    action: str,
    obj: models.Model,
    *,
    user=None,
    changed_fields: Iterable[str] = (),
    message: str = "",
) -> AuditLogEntry:
    """Log ``action`` on ``obj`` by ``user`` (``None``: a command, such as the seed loader).

    The object is named in the site's default language, so the log reads the same whatever
    language the person who made the change worked in.
    """
    with translation.override(settings.LANGUAGE_CODE):
        object_repr = str(obj)[: AuditLogEntry._meta.get_field("object_repr").max_length]
    known = user is not None and user.is_authenticated
    return AuditLogEntry.objects.create(
        action=action,
        user=user if known else None,
        username=user.get_username() if known else "",
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        object_repr=object_repr,
        changed_fields=list(changed_fields),
        message=message,
    )


def changed_fields(instance: models.Model) -> list[str]:
    """The columns of ``instance`` whose value differs from the database (none if it is new).

    A translated field is named by its language columns (``title_en``), as it is stored.
    """
    if instance._state.adding or instance.pk is None:
        return []
    skipped = UNLOGGED_FIELDS | translated_field_names(type(instance))
    columns = [
        f for f in instance._meta.concrete_fields if f.name not in skipped and not f.primary_key
    ]
    stored = (
        type(instance)
        ._base_manager.filter(pk=instance.pk)
        .values(*(f.attname for f in columns))
        .first()
    )
    if stored is None:
        return []
    return [
        f.attname
        for f in columns
        if _comparable(f, getattr(instance, f.attname)) != _comparable(f, stored[f.attname])
    ]


def _comparable(model_field: models.Field, value):
    """``value`` as a change is judged: date-times to the second, which is all forms show.

    The admin's date and time inputs have no microseconds, so saving a form would
    otherwise log every date-time field as changed.
    """
    value = model_field.to_python(value)
    if isinstance(value, datetime.datetime):
        return value.replace(microsecond=0)
    return value


def describe_fields(model: type[models.Model], names: Iterable[str]) -> str:
    """Column names as editors know them: "Title (en), Summary (nl), Kind"."""
    columns = {f.attname: f for f in model._meta.concrete_fields}
    labels = []
    for name in names:
        if name not in columns:
            labels.append(name)
            continue
        label, language = field_label(columns[name])
        labels.append(f"{label} ({language})" if language else label)
    return ", ".join(labels)


def last_entry(obj: models.Model, *, since=None) -> AuditLogEntry | None:
    """The newest entry about ``obj`` (made after ``since``, if given)."""
    entries = AuditLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
    )
    if since is not None:
        entries = entries.filter(timestamp__gt=since)
    return entries.select_related("user").first()
