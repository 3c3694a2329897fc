"""Revisions of content (django-reversion): what is stored, and the history editors read.

Every content model is registered here, before the admin is built, so reversion's
``VersionAdmin`` finds them registered and does not guess on its own:

* **Every language column is stored** (``title_nl``, ``title_en``, ``title_zh_hans``), and
  not the untranslated ``title``: modeltranslation reads and writes that one through the
  active language, so storing it would store whichever language was active at the time.
* **A parent follows its children**: a revision of a mission holds its destinations (in
  their order), programme items, outcomes and photos; of a region its key figures, clusters
  and photos; of a partnership its objectives. Reverting a mission therefore brings its
  programme back too, and a deleted mission is recovered with it.

``revision()`` is what the services write in; ``history()`` turns the stored versions
into the per-field, per-language changes that the admin's history page shows.
"""

import difflib
import html
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import reversion
from django.db import models
from django.utils import formats
from django.utils.html import strip_tags
from django.utils.text import capfirst
from django.utils.translation import gettext
from django_prose_editor.fields import ProseEditorField
from modeltranslation import settings as mt_settings
from modeltranslation.fields import TranslationField
from modeltranslation.translator import translator
from reversion.models import Version

from programmes.models import (
    Cluster,
    FocusArea,
    KeyFigure,
    Mission,
    MissionDestination,
    Objective,
    Organisation,
    Outcome,
    Partnership,
    Photo,
    ProgrammeItem,
    Region,
    SitePage,
)

# The children each parent's revisions hold (reverse relation names).
FOLLOW: dict[type[models.Model], tuple[str, ...]] = {
    Region: ("key_figures", "clusters", "photos"),
    Partnership: ("objectives",),
    Mission: ("destination_links", "programme_items", "outcomes", "photos"),
}
VERSIONED_MODELS = (
    Region,
    KeyFigure,
    Cluster,
    FocusArea,
    Organisation,
    Partnership,
    Objective,
    Mission,
    MissionDestination,
    ProgrammeItem,
    Outcome,
    Photo,
    SitePage,
)
# Columns the history does not show: identity and bookkeeping, the same in every version.
UNSHOWN_FIELDS = {"id", "uuid", "created_at", "updated_at", "width", "height"}


def translated_field_names(model: type[models.Model]) -> set[str]:
    """The untranslated names (``title``) of ``model``'s translated fields."""
    if model not in translator.get_registered_models():
        return set()
    return set(translator.get_options_for_model(model).all_fields)


def stored_field_names(model: type[models.Model]) -> tuple[str, ...]:
    """Every column and many-to-many field, with each translated field as its language columns.

    In the model's order, the language columns (nl, en, zh-hans) where their field is. A
    many-to-many field with a model of its own (a mission's destinations) is left out: its
    rows are children with versions of their own (``FOLLOW``), order included.
    """
    opts = model._meta
    many = [f for f in opts.local_many_to_many if f.remote_field.through._meta.auto_created]
    fields = [*opts.local_fields, *many]
    skipped = translated_field_names(model)
    position = {f.name: index for index, f in enumerate(fields)}
    languages = list(mt_settings.AVAILABLE_LANGUAGES)

    def place(f: models.Field) -> tuple[int, int]:
        if isinstance(f, TranslationField):
            return position[f.translated_field.name], languages.index(f.language)
        return position[f.name], -1

    return tuple(f.name for f in sorted(fields, key=place) if f.name not in skipped)


def register_models() -> None:
    for model in VERSIONED_MODELS:
        reversion.register(model, fields=stored_field_names(model), follow=FOLLOW.get(model, ()))


register_models()


@contextmanager
def revision(comment: str, user=None) -> Iterator[None]:
    """Record what is saved inside as one revision, by ``user``, with ``comment``.

    Inside a revision that is already open (the admin opens one per change form), the
    saves join it; its user stays, and ``comment`` is used only if it has none yet.
    ``comment`` is an English source string (``gettext_noop``); the history translates it.
    """
    with reversion.create_revision():
        if reversion.get_user() is None and user is not None and user.is_authenticated:
            reversion.set_user(user)
        if not reversion.get_comment():
            reversion.set_comment(comment)
        yield


def snapshot(obj: models.Model, comment: str, user=None) -> None:
    """Store ``obj`` as it is now, with its children, as a revision (before it is deleted)."""
    with revision(comment, user):
        reversion.add_to_revision(obj)


def current_object(version: Version) -> models.Model | None:
    """The object ``version`` is a version of, as it is now; None if it is gone."""
    model = version._model
    return model._base_manager.filter(pk=version.object_id).first()


def followed_children(obj: models.Model) -> list[models.Model]:
    """The children a revision of ``obj`` holds (``FOLLOW``), as they are now."""
    return [child for name in FOLLOW.get(type(obj), ()) for child in getattr(obj, name).all()]


def revision_comment(revision) -> str:
    """A revision's comment in the reader's language (the admin's change messages included)."""
    comment = revision.get_comment()
    return gettext(comment) if comment else ""


# The history: what changed between two versions ---------------------------------------------


@dataclass(frozen=True)
class FieldChange:
    """One field of one object: its label, language (or ""), and the text before and after.

    ``before`` and ``after`` are lists of ``(text, changed)`` pieces, so a long text shows
    which words changed instead of two walls of text.
    """

    label: str
    language: str
    before: list[tuple[str, bool]]
    after: list[tuple[str, bool]]


@dataclass(frozen=True)
class ObjectChange:
    """What happened to the object or one of its children between two versions."""

    class ChangeType:
        ADDED = "added"
        REMOVED = "removed"
        CHANGED = "changed"

    label: str
    change_type: str
    fields: list[FieldChange] = field(default_factory=list)


@dataclass(frozen=True)
class HistoryEntry:
    version: Version
    changes: list[ObjectChange]

    @property
    def revision(self):
        return self.version.revision

    @property
    def comment(self) -> str:
        return revision_comment(self.revision)


def history(obj: models.Model) -> list[HistoryEntry]:
    """Every version of ``obj``, newest first, each with its changes against the one before."""
    versions = list(
        Version.objects.get_for_object(obj)
        .select_related("revision__user")
        .prefetch_related("revision__version_set")
        .order_by("pk")
    )
    values = _ValueFormatter()
    entries, previous = [], None
    for version in versions:
        family = _family(version, obj)
        changes = _family_changes(previous, family, values) if previous is not None else []
        entries.append(HistoryEntry(version=version, changes=changes))
        previous = family
    return entries[::-1]


def _family(version: Version, obj: models.Model) -> dict[tuple[int, str], Version]:
    """``version`` and the versions of ``obj``'s children stored in the same revision."""
    children = {
        obj._meta.get_field(name).related_model: obj._meta.get_field(name).field.attname
        for name in FOLLOW.get(type(obj), ())
    }
    family = {(version.content_type_id, version.object_id): version}
    for other in version.revision.version_set.all():
        model = other._model
        if model in children and str(other.field_dict.get(children[model])) == str(obj.pk):
            family[(other.content_type_id, other.object_id)] = other
    return family


def _family_changes(before: dict, after: dict, values: "_ValueFormatter") -> list[ObjectChange]:
    """The object first, then its children in the order they were made; removed ones last."""
    kept_or_added = sorted(after, key=lambda key: (key != next(iter(after)), _creation_order(key)))
    removed = sorted((key for key in before if key not in after), key=_creation_order)
    changes = []
    for key in [*kept_or_added, *removed]:
        old, new = before.get(key), after.get(key)
        label = _object_label(new or old)
        if old is None:
            changes.append(ObjectChange(label, ObjectChange.ChangeType.ADDED))
        elif new is None:
            changes.append(ObjectChange(label, ObjectChange.ChangeType.REMOVED))
        elif fields := _field_changes(old, new, values):
            changes.append(ObjectChange(label, ObjectChange.ChangeType.CHANGED, fields))
    return changes


def _creation_order(key: tuple[int, str]) -> tuple[int, int | str]:
    content_type_id, object_id = key
    return content_type_id, int(object_id) if object_id.isdigit() else object_id


def _object_label(version: Version) -> str:
    return f"{capfirst(version._model._meta.verbose_name)} “{version.object_repr}”"


def _field_changes(old: Version, new: Version, values: "_ValueFormatter") -> list[FieldChange]:
    model = new._model
    changes = []
    for name in stored_field_names(model):
        model_field = model._meta.get_field(name)
        # A column no editor edits (the search names, derived from the names) is no change
        # of theirs.
        unshown = name in UNSHOWN_FIELDS or not model_field.editable
        if unshown or _is_parent_link(model, model_field):
            continue
        key = model_field.attname
        before = values.text(model_field, old.field_dict.get(key))
        after = values.text(model_field, new.field_dict.get(key))
        if before != after:
            label, language = field_label(model_field)
            changes.append(FieldChange(label, language, *word_diff(before, after)))
    return changes


def _is_parent_link(model: type[models.Model], model_field: models.Field) -> bool:
    """The foreign key of a child to the parent it is followed from (a programme item's mission)."""
    return any(
        parent._meta.get_field(name).field is model_field
        for parent, names in FOLLOW.items()
        for name in names
    )


def field_label(model_field: models.Field) -> tuple[str, str]:
    """A field's name for editors, and its language for a translation column ("" if none)."""
    if isinstance(model_field, TranslationField):
        return str(capfirst(model_field.translated_field.verbose_name)), model_field.language
    return str(capfirst(model_field.verbose_name)), ""


class _ValueFormatter:
    """Stored values as editors read them: names, labels, dates; rich text as plain text."""

    def __init__(self):
        self._names: dict[tuple[type[models.Model], str], str] = {}

    def text(self, model_field: models.Field, value) -> str:
        if value is None or value == "":
            return ""
        if isinstance(model_field, models.ManyToManyField):
            names = [self._name(model_field.related_model, pk) for pk in value]
            return ", ".join(sorted(names))
        if isinstance(model_field, models.ForeignKey):
            return self._name(model_field.related_model, value)
        if model_field.choices:
            return str(dict(model_field.flatchoices).get(value, value))
        if isinstance(model_field, ProseEditorField):
            return html_to_text(value)
        if isinstance(model_field, models.BooleanField):
            return gettext("yes") if value else gettext("no")
        if isinstance(model_field, models.FileField):
            return str(value)
        return str(formats.localize(value))

    def _name(self, model: type[models.Model], pk) -> str:
        key = (model, str(pk))
        if key not in self._names:
            obj = model._base_manager.filter(pk=pk).first()
            self._names[key] = str(obj) if obj is not None else f"#{pk}"
        return self._names[key]


def html_to_text(value: str) -> str:
    """Rich text as the words a reader sees: tags gone, paragraphs on lines of their own."""
    with_breaks = re.sub(r"</(p|h\d|li|blockquote)>|<br\s*/?>", "\n", value)
    lines = (" ".join(line.split()) for line in html.unescape(strip_tags(with_breaks)).split("\n"))
    return "\n".join(line for line in lines if line)


# Words, or single CJK characters: Chinese has no spaces, so a changed character is a change.
_TOKEN = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]|\w+|\s+|[^\w\s]")


def word_diff(before: str, after: str) -> tuple[list[tuple[str, bool]], list[tuple[str, bool]]]:
    """``before`` and ``after`` as pieces ``(text, changed)``: what was removed, what was added."""
    old, new = _TOKEN.findall(before), _TOKEN.findall(after)
    old_pieces: list[tuple[str, bool]] = []
    new_pieces: list[tuple[str, bool]] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        _append(old_pieces, "".join(old[i1:i2]), changed=tag != "equal")
        _append(new_pieces, "".join(new[j1:j2]), changed=tag != "equal")
    return old_pieces, new_pieces


def _append(pieces: list[tuple[str, bool]], text: str, *, changed: bool) -> None:
    if text:
        pieces.append((text, changed))
