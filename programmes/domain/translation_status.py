"""How far each object is translated: per language, which texts are filled, and how much.

Dutch, the source language, decides what needs translating: a text counts for English and
Chinese when it is filled in Dutch (an empty optional summary needs no translation). An
object's parts that are edited in its form count with it (the programme items of a
mission, the objectives of a partnership, the key figures and clusters of a region): a
mission is not "translated" while its programme is Dutch only.

The same rule exists twice, once in Python for objects at hand (:func:`translation_status`,
with the parts prefetched by :func:`with_parts`) and once as a query condition for lists
and filters (:func:`missing_q`); ``tests/domain/test_translation_status.py`` checks they agree.

A translation is **out of date** (:func:`outdated_translations`) when its Dutch text changed
after the translation was last saved. Nothing new is stored for that: every save keeps a
revision with every language column (``revisions.py``), so the revision in which a column last
changed says when it was last saved.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext
from modeltranslation.translator import translator
from modeltranslation.utils import build_localized_fieldname
from reversion.errors import RevertError
from reversion.models import Version

from programmes.models import Mission, Partnership, Region

SOURCE_LANGUAGE = settings.MODELTRANSLATION_DEFAULT_LANGUAGE
TARGET_LANGUAGES = tuple(
    language for language in settings.MODELTRANSLATION_LANGUAGES if language != SOURCE_LANGUAGE
)

# Parts translated in their parent's form: the parent's related names.
PARTS: dict[type[models.Model], tuple[str, ...]] = {
    Partnership: ("objectives",),
    Mission: ("programme_items",),
    Region: ("key_figures", "clusters"),
}


@dataclass(frozen=True)
class Text:
    """One translatable text of an object (or of one of its parts)."""

    obj: models.Model
    field: str
    part: bool = False

    def __str__(self) -> str:
        label = str(self.obj._meta.get_field(self.field).verbose_name)
        if not self.part:
            return label
        return gettext("%(part)s “%(name)s”: %(text)s") % {
            "part": self.obj._meta.verbose_name,
            "name": self.obj,
            "text": label,
        }


@dataclass(frozen=True)
class LanguageStatus:
    language: str
    filled: tuple[Text, ...]
    missing: tuple[Text, ...]

    @property
    def total(self) -> int:
        return len(self.filled) + len(self.missing)

    @property
    def percent(self) -> int:
        """Rounded down, so that 100 means complete; an object with nothing to translate is."""
        if not self.total:
            return 100
        return len(self.filled) * 100 // self.total

    @property
    def complete(self) -> bool:
        return not self.missing


def translated_fields(model: type[models.Model]) -> tuple[str, ...]:
    if model not in translator.get_registered_models():
        return ()
    return tuple(translator.get_options_for_model(model).all_fields)


def _is_filled(obj: models.Model, field: str, language: str) -> bool:
    return bool(getattr(obj, build_localized_fieldname(field, language)))


def _texts(obj: models.Model) -> list[Text]:
    """The texts of ``obj`` and its parts that are filled in the source language."""
    texts = [
        Text(obj, field)
        for field in translated_fields(type(obj))
        if _is_filled(obj, field, SOURCE_LANGUAGE)
    ]
    for relation in PARTS.get(type(obj), ()):
        for part in getattr(obj, relation).all():
            texts += [
                Text(part, field, part=True)
                for field in translated_fields(type(part))
                if _is_filled(part, field, SOURCE_LANGUAGE)
            ]
    return texts


def translation_status(obj: models.Model) -> dict[str, LanguageStatus]:
    """For each language but Dutch: which of ``obj``'s texts are translated, which not."""
    texts = _texts(obj)
    statuses = {}
    for language in TARGET_LANGUAGES:
        filled = tuple(text for text in texts if _is_filled(text.obj, text.field, language))
        missing = tuple(text for text in texts if text not in filled)
        statuses[language] = LanguageStatus(language, filled, missing)
    return statuses


def with_parts(queryset: QuerySet) -> QuerySet:
    """``queryset`` with the parts :func:`translation_status` reads, in one query each."""
    return queryset.prefetch_related(*PARTS.get(queryset.model, ()))


def _empty_q(column: str) -> Q:
    return Q(**{column: ""}) | Q(**{f"{column}__isnull": True})


def _own_missing_q(model: type[models.Model], language: str) -> Q:
    condition = Q(pk__in=[])
    for field in translated_fields(model):
        source = build_localized_fieldname(field, SOURCE_LANGUAGE)
        target = build_localized_fieldname(field, language)
        condition |= ~_empty_q(source) & _empty_q(target)
    return condition


def missing_q(model: type[models.Model], language: str) -> Q:
    """The condition "a text filled in Dutch is empty in ``language``", parts included."""
    condition = _own_missing_q(model, language)
    for relation in PARTS.get(model, ()):
        remote = model._meta.get_field(relation)
        condition |= Q(
            Exists(
                remote.related_model.objects.filter(
                    _own_missing_q(remote.related_model, language),
                    **{remote.field.name: OuterRef("pk")},
                )
            )
        )
    return condition


def outdated_translations(objects) -> dict[models.Model, dict[str, tuple[Text, ...]]]:
    """For each of ``objects`` (of one model), per language but Dutch: the translated texts
    whose Dutch changed in a later revision than the translation (its parts included).

    A text counts when it is filled in both languages (an empty one is missing, not out of
    date). Objects saved before revisions were kept have nothing to report. One query for
    the objects' revisions and one per kind of part, whatever the number of objects.
    """
    objects = list(objects)
    if not objects:
        return {}
    changes = _last_changes(objects)
    outdated = {}
    for obj in objects:
        members = [(obj, False)] + [
            (part, True)
            for relation in PARTS.get(type(obj), ())
            for part in getattr(obj, relation).all()
        ]
        outdated[obj] = {
            language: tuple(
                Text(member, field, part=is_part)
                for member, is_part in members
                for field in translated_fields(type(member))
                if _is_outdated(member, field, language, changes)
            )
            for language in TARGET_LANGUAGES
        }
    return outdated


def _is_outdated(obj: models.Model, field: str, language: str, changes: dict) -> bool:
    if not (_is_filled(obj, field, SOURCE_LANGUAGE) and _is_filled(obj, field, language)):
        return False
    last_change = changes.get((type(obj), obj.pk), {})
    source = last_change.get(build_localized_fieldname(field, SOURCE_LANGUAGE))
    target = last_change.get(build_localized_fieldname(field, language))
    return source is not None and target is not None and source > target


def _last_changes(objects: list[models.Model]) -> dict[tuple[type, object], dict[str, int]]:
    """Per object and its parts, per language column: the revision it last changed in."""
    by_model: dict[type[models.Model], list[models.Model]] = defaultdict(list)
    for obj in objects:
        by_model[type(obj)].append(obj)
        for relation in PARTS.get(type(obj), ()):
            for part in getattr(obj, relation).all():
                by_model[type(part)].append(part)
    changes = {}
    for model, members in by_model.items():
        columns = [
            build_localized_fieldname(field, language)
            for field in translated_fields(model)
            for language in settings.MODELTRANSLATION_LANGUAGES
        ]
        # By the content type's name, joined: reversion's get_for_model() would look the
        # content type up first, a query more whenever Django's cache of them is cold.
        versions = Version.objects.filter(
            content_type__app_label=model._meta.app_label,
            content_type__model=model._meta.model_name,
            object_id__in=[str(member.pk) for member in members],
        )
        history = defaultdict(list)
        for version in versions.order_by("revision_id", "pk"):
            history[version.object_id].append(version)
        for member in members:
            changes[(model, member.pk)] = _changed_in(history[str(member.pk)], columns)
    return changes


def _changed_in(versions: list[Version], columns: list[str]) -> dict[str, int]:
    """Per column, the revision (its id) of the last version that changed its value."""
    changed, previous = {}, {}
    for version in versions:
        try:
            data = version.field_dict
        except RevertError:  # stored before a field it names was removed: nothing to compare
            continue
        for column in columns:
            value = data.get(column) or ""
            if column not in previous or value != previous[column]:
                changed[column] = version.revision_id
            previous[column] = value
    return changed
