"""Writes with side effects. Admin actions, the seed loader and (later) imports call these.

Views and forms stay thin: anything that changes content goes through here, so
rules such as "rich text is sanitized" and "publishing sets a date" hold on
every write path.
"""

from collections.abc import Iterable

from django.db import models, transaction
from django.utils import timezone
from django_prose_editor.fields import ProseEditorField
from modeltranslation.translator import translator

from . import audit, events, readmodel, revisions
from .audit import Action
from .caching import content_changed
from .models import Mission, Outcome, Partnership, Publishable, Status
from .richtext import sanitize_html


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
) -> models.Model:
    """Sanitize, validate and save one content object.

    Forms have validated already and pass ``validate=False``. Content saved as
    published without a publish date gets "now": the public rule needs a date,
    and an editor who chose "published" means it to be seen.

    The save is a revision (with the object's children) and an audit log entry by
    ``user``: "created" or "changed", unless ``action`` says what it was (a revert, a
    recovery). ``comment`` (an English source string) goes with both.
    """
    sanitize_rich_text(instance)
    if validate:
        instance.full_clean()
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
    events.emit(action, instance, user=user)
    return instance


@transaction.atomic
def delete_content(instance: models.Model, *, user=None) -> None:
    """Delete ``instance`` and what goes with it, after storing it as a last revision.

    That revision (with the children, see ``revisions.py``) is what the admin's "Recover
    deleted …" brings back.
    """
    revisions.snapshot(instance, audit.REVISION_COMMENTS[Action.DELETED], user)
    audit.record(Action.DELETED, instance, user=user)
    events.emit(Action.DELETED, instance, user=user)
    instance.delete()


@transaction.atomic
def align_outcomes_with_mission(mission: Mission) -> int:
    """Move the mission's outcomes to its partnership (after the mission was moved)."""
    outcomes = mission.outcomes.exclude(partnership_id=mission.partnership_id)
    pks = list(outcomes.values_list("pk", flat=True))
    moved = outcomes.update(partnership_id=mission.partnership_id, updated_at=timezone.now())
    # update() sends no signals.
    content_changed()
    readmodel.stamp_objects(Outcome, pks)
    readmodel.stamp_objects(Partnership, [mission.partnership_id], related=True)
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
        events.emit(Action.PUBLISHED, obj, user=user)
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
        events.emit(Action.UNPUBLISHED, obj, user=user)
        count += 1
    return count
