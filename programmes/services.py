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

from .models import Mission, Publishable, Status
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
def save_content(instance: models.Model, *, validate: bool = True) -> models.Model:
    """Sanitize, validate and save one content object.

    Forms have validated already and pass ``validate=False``. Content saved as
    published without a publish date gets "now": the public rule needs a date,
    and an editor who chose "published" means it to be seen.
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
    instance.save()
    return instance


@transaction.atomic
def align_outcomes_with_mission(mission: Mission) -> int:
    """Move the mission's outcomes to its partnership (after the mission was moved)."""
    return mission.outcomes.exclude(partnership_id=mission.partnership_id).update(
        partnership_id=mission.partnership_id, updated_at=timezone.now()
    )


@transaction.atomic
def publish(objects: Iterable[Publishable], *, at=None) -> int:
    """Publish ``objects``; those without a publish date get ``at`` (default: now)."""
    now = at or timezone.now()
    count = 0
    for obj in objects:
        obj.status = Status.PUBLISHED
        if obj.publish_at is None:
            obj.publish_at = now
        obj.save(update_fields=["status", "publish_at", "updated_at"])
        count += 1
    return count


@transaction.atomic
def unpublish(objects: Iterable[Publishable]) -> int:
    """Take ``objects`` off the public site; they stay editable as drafts."""
    count = 0
    for obj in objects:
        obj.status = Status.DRAFT
        obj.save(update_fields=["status", "updated_at"])
        count += 1
    return count
