"""Writes with side effects. Admin actions, the seed loader and (later) imports call these.

Views and forms stay thin: anything that changes content goes through here, so
rules such as "rich text is sanitized" and "publishing sets a date" hold on
every write path.
"""

from collections.abc import Iterable, Sequence

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone
from django_prose_editor.fields import ProseEditorField
from modeltranslation.translator import translator

from programmes.models import Mission, Outcome, Partnership, Publishable, Status
from programmes.models.richtext import sanitize_html

from . import audit, permissions, revisions, signals
from .audit import Action

# The fields the workflow sets (workflow.py): only those who may publish change them.
WORKFLOW_FIELDS = ("status", "publish_at", "unpublish_at")


def rich_text_field_names(model: type[models.Model]) -> list[str]:
    """Every rich text column of ``model``: for a translated field, each language's column.

    The untranslated field itself (``profile``) is left out: modeltranslation reads
    and writes it through the active language with fallbacks, so setting it would
    copy a fallback text into the active language's column.
    """
    translated = (
        set(translator.get_options_for_model(model).all_fields)
        if (model in translator.get_registered_models())
        else set()
    )
    return [
        f.attname
        for f in model._meta.concrete_fields
        if isinstance(f, ProseEditorField) and f.name not in translated
    ]


def sanitize_rich_text(instance: models.Model) -> None:
    """Run every rich text column of ``instance`` through the allow-list, in place."""
    for name in rich_text_field_names(type(instance)):
        value = getattr(instance, name)
        if value is not None:
            setattr(instance, name, sanitize_html(value))


@transaction.atomic
def save_content(
    instance: models.Model,
    *,
    validate: bool = True,
    user=None,
    action: str | None = None,
    comment: str = "",
    unchecked: Iterable[str] = (),
) -> models.Model:
    """Sanitize, validate and save one content object.

    Forms have validated already and pass ``validate=False``; ``unchecked`` names fields
    left out of the validation (``full_clean``'s ``exclude``: a bundle import copies a
    programme item's date as the other install has it). Content saved as
    published without a publish date gets "now": the public rule needs a date,
    and an editor who chose "published" means it to be seen.

    The save is a revision (with the object's children) and an audit log entry by
    ``user``: "created" or "changed", unless ``action`` says what it was (a revert, a
    recovery). ``comment`` (an English source string) goes with both.
    """
    sanitize_rich_text(instance)
    if validate:
        instance.full_clean(exclude=list(unchecked) or None)
    if (
        isinstance(instance, Publishable)
        and instance.status == Status.PUBLISHED
        and instance.publish_at is None
    ):
        instance.publish_at = timezone.now()
    action = action or (Action.CREATED if instance._state.adding else Action.CHANGED)
    changes = audit.changed_fields(instance)
    with revisions.revision(comment or audit.REVISION_COMMENTS[action], user):
        instance.save()
    audit.record(action, instance, user=user, changed_fields=changes, message=comment)
    signals.emit(action, instance, user=user)
    return instance


@transaction.atomic
def delete_content(instance: models.Model, *, user=None) -> None:
    """Delete ``instance`` and what goes with it, after storing it as a last revision.

    That revision (with the children, see ``revisions.py``) is what the admin's "Recover
    deleted …" brings back.
    """
    revisions.snapshot(instance, audit.REVISION_COMMENTS[Action.DELETED], user)
    audit.record(Action.DELETED, instance, user=user)
    signals.emit(Action.DELETED, instance, user=user)
    instance.delete()


def is_ordered(model: type[models.Model], name: str) -> bool:
    """Whether the many-to-many field ``name`` keeps an order: a table of its own with a
    ``position`` (a mission's destinations), which ``set_in_order`` writes."""
    through = model._meta.get_field(name).remote_field.through
    return not through._meta.auto_created and any(
        f.name == "position" for f in through._meta.concrete_fields
    )


def _ends(instance: models.Model, name: str) -> tuple[type[models.Model], str, str]:
    """The table of the relation ``name`` and its columns to ``instance`` and to the targets."""
    field = instance._meta.get_field(name)
    return field.remote_field.through, field.m2m_field_name(), field.m2m_reverse_field_name()


def pks_in_order(instance: models.Model, name: str) -> list[int]:
    """The primary keys of the objects of ``instance``'s ordered relation ``name``, in order."""
    through, source, target = _ends(instance, name)
    rows = through.objects.filter(**{source: instance}).order_by("position", "pk")
    return list(rows.values_list(f"{target}_id", flat=True))


@transaction.atomic
def set_in_order(
    instance: models.Model,
    name: str,
    targets: Sequence[models.Model],
    *,
    user=None,
    comment: str = "",
) -> bool:
    """Make ``targets`` the objects of the ordered relation ``name``, in this order (a
    mission's destinations); whether anything changed.

    Row by row through ``save_content`` / ``delete_content``, as the admin's inline writes
    them: each changed row is a revision, an audit log entry and a content event, and rows
    already in their place are not written (loading the same order twice changes nothing).
    """
    through, source, target = _ends(instance, name)
    wanted = [obj.pk for obj in targets]
    if len(set(wanted)) < len(wanted):
        raise ValueError(f"Each object is in “{name}” once.")
    rows = {
        getattr(row, f"{target}_id"): row
        for row in through.objects.filter(**{source: instance}).order_by("position", "pk")
    }
    changed = False
    for pk, row in rows.items():
        if pk not in wanted:
            delete_content(row, user=user)
            changed = True
    for position, pk in enumerate(wanted):
        row = rows.get(pk) or through(**{source: instance, f"{target}_id": pk})
        if row.pk is None or row.position != position:
            row.position = position
            save_content(row, user=user, comment=comment)
            changed = True
    return changed


@transaction.atomic
def align_outcomes_with_mission(mission: Mission) -> int:
    """Move the mission's outcomes to its partnership (after the mission was moved)."""
    outcomes = mission.outcomes.exclude(partnership_id=mission.partnership_id)
    pks = list(outcomes.values_list("pk", flat=True))
    moved = outcomes.update(partnership_id=mission.partnership_id, updated_at=timezone.now())
    # update() sends no model signals: the receivers (the read path) learn of it here.
    signals.rows_updated.send(
        sender=Outcome, pks=pks, related={Partnership: [mission.partnership_id]}
    )
    return moved


@transaction.atomic
def publish(objects: Iterable[Publishable], *, at=None, user=None, comment: str = "") -> int:
    """Publish ``objects``; those without a publish date get ``at`` (default: now)."""
    now = at or timezone.now()
    count = 0
    for obj in objects:
        obj.status = Status.PUBLISHED
        if obj.publish_at is None:
            obj.publish_at = now
        with revisions.revision(comment or audit.REVISION_COMMENTS[Action.PUBLISHED], user):
            obj.save(update_fields=["status", "publish_at", "unpublish_at", "updated_at"])
        audit.record(Action.PUBLISHED, obj, user=user, message=comment)
        signals.emit(Action.PUBLISHED, obj, user=user)
        count += 1
    return count


@transaction.atomic
def unpublish(objects: Iterable[Publishable], *, user=None) -> int:
    """Take ``objects`` off the public site; editors may change them again."""
    count = 0
    for obj in objects:
        obj.status = Status.UNPUBLISHED
        with revisions.revision(audit.REVISION_COMMENTS[Action.UNPUBLISHED], user):
            obj.save(update_fields=["status", "updated_at"])
        audit.record(Action.UNPUBLISHED, obj, user=user)
        signals.emit(Action.UNPUBLISHED, obj, user=user)
        count += 1
    return count


class RevertPermissionError(Exception):
    """``user`` may not put a revision back. ``hidden``: it reaches objects they may not even
    see (another organisation's), so the admin answers as if there were no such version."""

    def __init__(self, obj: models.Model | None, *, hidden: bool):
        super().__init__(obj)
        self.object = obj
        self.hidden = hidden


@transaction.atomic
def revert_revision(revision, *, user, action: str, form_version=None) -> None:
    """Put every object of ``revision`` back as it was then, as far as ``user`` may.

    A revision holds more than the object whose history it was opened from (a mission's
    programme items, outcomes and photos; whatever else was saved in the same request),
    and reverting writes every one of them. So each is asked what a form save asks
    (``permissions.can``): it must be one ``user`` may change now and as it was then
    (never another organisation's or shared data, never a published page unless they
    may publish, never by a translator, who changes the texts of their languages only),
    and each child added since, which the revert deletes, one they may delete. Otherwise
    :class:`RevertPermissionError`, and nothing is changed.

    The status and the publish dates are the workflow's: where ``user`` may not publish an
    object, the revert keeps them as they are (and a recovered object comes back as a
    draft), so a revert never publishes or unpublishes what only a publisher may.

    Every object written is in the audit log as ``action`` (deleted children as deleted)
    and told to the event receivers, except the object of ``form_version``, which the
    revert page's form saves and logs.
    """
    versions = list(revision.version_set.select_related("content_type"))
    keys = [(version.content_type_id, version.object_id) for version in versions]
    before = {key: revisions.current_object(v) for key, v in zip(keys, versions, strict=True)}
    for obj in before.values():
        if obj is not None:
            _refuse_unless(user, "change", obj)
    doomed = [
        child
        for obj in before.values()
        if obj is not None
        for child in revisions.followed_children(obj)
        if _key(child) not in before
    ]
    for child in doomed:
        _refuse_unless(user, "delete", child)
    for child in doomed:
        audit.record(Action.DELETED, child, user=user)
        signals.emit(Action.DELETED, child, user=user)

    revision.revert(delete=True)

    after = {key: revisions.current_object(v) for key, v in zip(keys, versions, strict=True)}
    for key, obj in after.items():
        if isinstance(obj, Publishable):
            _keep_workflow_state(user, obj, before[key])
    for obj in after.values():
        if obj is not None:
            _refuse_unless(user, "change", obj)
    skipped = (form_version.content_type_id, form_version.object_id) if form_version else None
    for key, obj in after.items():
        if obj is None or key == skipped:
            continue
        old = before[key]
        changes = _changed_between(old, obj) if old is not None else []
        if old is None or changes:
            logged = action if old is not None else Action.RECOVERED
            audit.record(logged, obj, user=user, changed_fields=changes)
            signals.emit(logged, obj, user=user)


def _key(obj: models.Model) -> tuple[int, str]:
    return ContentType.objects.get_for_model(obj).pk, str(obj.pk)


def _refuse_unless(user, action: str, obj: models.Model) -> None:
    if not permissions.can(user, "view", obj):
        raise RevertPermissionError(obj, hidden=True)
    # A translator's change is limited to some fields; a revert writes all of them.
    whole = permissions.editable_languages(user, obj) is None
    if not (permissions.can(user, action, obj) and whole):
        raise RevertPermissionError(obj, hidden=False)


def _keep_workflow_state(user, obj: Publishable, old: Publishable | None) -> None:
    """The status and dates ``obj`` had (a draft, if it is recovered) unless ``user`` may
    publish it."""
    if permissions.can(user, "publish", old if old is not None else obj):
        return
    kept = {name: getattr(old, name) if old is not None else None for name in WORKFLOW_FIELDS}
    if old is None:
        kept["status"] = Status.DRAFT
    if all(getattr(obj, name) == value for name, value in kept.items()):
        return
    for name, value in kept.items():
        setattr(obj, name, value)
    # ``updated_at`` stays the version's, as the revert left it: the page's edit-conflict
    # check compares it between showing the form and saving it.
    obj.save(update_fields=WORKFLOW_FIELDS)


def _changed_between(old: models.Model, new: models.Model) -> list[str]:
    """The columns whose value differs between two instances of one object."""
    skipped = audit.UNLOGGED_FIELDS | revisions.translated_field_names(type(new))
    return [
        f.attname
        for f in new._meta.concrete_fields
        if f.name not in skipped and getattr(old, f.attname) != getattr(new, f.attname)
    ]
