"""How far each object is translated: per language, which texts are filled, and how much.

Dutch, the source language, decides what needs translating: a text counts for English and
Chinese when it is filled in Dutch (an empty optional summary needs no translation). An
object's parts that are edited in its form count with it (the programme items of a
mission, the objectives of a partnership, the key figures and clusters of a region): a
mission is not "translated" while its programme is Dutch only.

The same rule exists twice, once in Python for objects at hand (:func:`translation_status`,
with the parts prefetched by :func:`with_parts`) and once as a query condition for lists
and filters (:func:`missing_q`); ``tests/test_translation_status.py`` checks they agree.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext
from modeltranslation.translator import translator
from modeltranslation.utils import build_localized_fieldname

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
