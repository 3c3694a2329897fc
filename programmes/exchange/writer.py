"""Writes exchanged content into the database: each entry's object created, updated or left.

Content comes in by two paths, and both bring it as entries of the sections in
:mod:`programmes.exchange.sections`: the bundle importer (one entry per object of
``bundle.json``) and the seed loader (which turns the data files of the two seed documents into
the same entries). The rules for writing them are one set, kept here:

* an object is found by its UUID, which partner sites sync by. A focus area is also found by
  its slug: focus areas got their UUID late (migration 0009), so an older install has random
  ones; the same slug is the same focus area, and it takes the entry's UUID;
* each value goes through its field's ``to_python`` and validators (what a schema cannot
  check: a time zone's name); a field the entry leaves out keeps what the object has (a
  bundle from before a region had a time zone), its default when the object is new;
* rich text is sanitized before it is compared, and an object is saved only when a managed
  column, a many-to-many relation or a photo's file differs: writing the same entries twice
  changes nothing, not even ``updated_at``, and makes no revision;
* a save goes through :func:`programmes.domain.services.save_content` (validation, a revision,
  the audit log, a content event for webhooks); many-to-many fields keep the entry's order
  where the relation has one (a mission's destinations).

What differs between the callers is their policy, passed in: the comment of the revisions, a
dry run, where a photo's file comes from (the bundle's zip) and what follows each object (the
seed publishes its content). Callers run the writer in one transaction, with the default
language active, so the untranslated attributes the services read are the Dutch ones.
"""

import uuid
from abc import ABC, abstractmethod
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import translation
from modeltranslation.utils import build_localized_fieldname

from programmes.domain.services import (
    is_ordered,
    pks_in_order,
    sanitize_rich_text,
    save_content,
    set_in_order,
)

from .sections import FOCUS_AREAS, LANGUAGES, SECTIONS_BY_KEY, Section, all_sections

# Columns the writer never compares or sets: the database manages them, and a photo's size
# follows its file.
UNMANAGED_FIELDS = {"id", "created_at", "updated_at", "width", "height"}


@dataclass(eq=False)
class Entry(ABC):
    """One object to write, as a bundle holds it: UUIDs for references, a text per language.

    Each source says where an entry comes from in its own terms (a JSON path, a data file's
    block), so a refusal names the place its reader can find.
    """

    section: Section
    data: dict[str, Any]
    parent: "Entry | None" = None
    instance: models.Model | None = None  # once written, for entries whose children need it

    @property
    def uuid(self) -> str:
        return str(uuid.UUID(self.data["uuid"]))

    @abstractmethod
    def error(self, problem: str) -> Exception:
        """The exception that refuses this entry, naming where it comes from."""

    def field_error(self, name: str, messages: list[str]) -> Exception:
        """The refusal of one field's value."""
        return self.error(f"“{name}”: {' '.join(messages)}")


@dataclass
class WriteCounts:
    """How many objects were written, created and updated, per model (its ``_meta``)."""

    loaded: Counter = field(default_factory=Counter)
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)

    @property
    def unchanged(self) -> int:
        return self.loaded.total() - self.created.total() - self.updated.total()


# A photo's file: points the photo at it (stored if need be); whether that changes the photo.
PhotoFiles = Callable[[Entry, models.Model], bool]
# What follows an object once written (the seed publishes it); whether that changed it.
AfterWrite = Callable[[Entry, models.Model], bool]
Progress = Callable[[int, int], None]


class ContentWriter:
    """Writes entries, parents and referenced objects first, into the database."""

    def __init__(
        self,
        *,
        comment: str,
        counts: WriteCounts | None = None,
        dry_run: bool = False,
        photo_files: PhotoFiles | None = None,
        after_write: AfterWrite | None = None,
        progress: Progress | None = None,
        unchecked: Mapping[type[models.Model], Iterable[str]] | None = None,
    ):
        self.comment = comment
        # Per model, the fields whose rules of this install the writer does not apply
        # (``services.save_content``'s ``unchecked``).
        self.unchecked = unchecked or {}
        self.counts = WriteCounts() if counts is None else counts
        self.dry_run = dry_run
        self.photo_files = photo_files
        self.after_write = after_write
        self.progress = progress
        # Objects others refer to, by section and UUID (other objects are not kept: a large
        # bundle's programme items would fill the memory).
        self.instances: dict[str, dict[str, models.Model]] = defaultdict(dict)
        self.referenced = {
            target
            for section in all_sections()
            for target in (*section.references.values(), *section.many.values())
        }

    def write(self, entries: Sequence[Entry]) -> WriteCounts:
        for number, entry in enumerate(entries, start=1):
            self._write_entry(entry)
            if self.progress:
                self.progress(number, len(entries))
        return self.counts

    def _write_entry(self, entry: Entry) -> None:
        section, model = entry.section, entry.section.model
        instance = model.objects.filter(uuid=entry.uuid).first()
        if instance is None and section is FOCUS_AREAS:
            instance = model.objects.filter(slug=entry.data["slug"]).first()
        created = instance is None
        if created:
            instance = model(uuid=uuid.UUID(entry.uuid))
        before = None if str(instance.uuid) != entry.uuid else snapshot(instance)
        instance.uuid = uuid.UUID(entry.uuid)
        self._set_values(entry, instance)
        sanitize_rich_text(instance)
        changed_many = self._changed_many(entry, instance, created=created)
        file_changed = section.media and self.photo_files(entry, instance)
        changed = created or file_changed or bool(changed_many) or snapshot(instance) != before
        if changed and not self.dry_run:
            self._save(entry, instance)
            for name, targets in changed_many.items():
                if is_ordered(model, name):
                    set_in_order(instance, name, targets, comment=self.comment)
                else:
                    getattr(instance, name).set(targets)
        if section.children:
            entry.instance = instance
        if section.key in self.referenced:
            self.instances[section.key][entry.uuid] = instance
        if self.after_write and self.after_write(entry, instance):
            changed = True
        self.counts.loaded[model._meta] += 1
        if created:
            self.counts.created[model._meta] += 1
        elif changed:
            self.counts.updated[model._meta] += 1

    def _set_values(self, entry: Entry, instance: models.Model) -> None:
        section, data = entry.section, entry.data
        for name in section.translated:
            if name not in data:
                # Optional in the bundle schema (a key figure's chart title is newer than the
                # format): a bundle without it leaves what this install has.
                continue
            for language in LANGUAGES:
                setattr(instance, build_localized_fieldname(name, language), data[name][language])
        for name in section.fields:
            if name not in data:
                # Optional (a region's time zone is newer than the bundle format; the seed
                # leaves the publication state to the publish service): left as it is.
                continue
            model_field = section.model._meta.get_field(name)
            try:
                value = model_field.to_python(data[name])
                model_field.run_validators(value)  # what a schema cannot check: a time zone
            except ValidationError as error:
                with translation.override(None):
                    raise entry.field_error(name, error.messages) from None
            setattr(instance, name, value)
        for name, target in section.references.items():
            value = data[name]
            setattr(instance, name, None if value is None else self._target(target, value))
        if entry.parent is not None:
            setattr(instance, section.parent_field, entry.parent.instance)

    def _changed_many(
        self, entry: Entry, instance: models.Model, *, created: bool
    ) -> dict[str, list[models.Model]]:
        """The many-to-many fields whose targets differ from the entry's, with those targets."""
        model, changed = entry.section.model, {}
        for name, target in entry.section.many.items():
            targets = [self._target(target, value) for value in entry.data[name]]
            pks = [obj.pk for obj in targets]
            if is_ordered(model, name):
                # In the entry's order (a mission's destinations).
                if created or pks_in_order(instance, name) != pks:
                    changed[name] = targets
            elif created or set(getattr(instance, name).values_list("pk", flat=True)) != set(pks):
                changed[name] = targets
        return changed

    def _target(self, key: str, value: str) -> models.Model:
        value = str(uuid.UUID(value))
        instance = self.instances[key].get(value)
        if instance is None:  # not among the entries: on this install (checked beforehand)
            instance = SECTIONS_BY_KEY[key].model.objects.get(uuid=value)
            self.instances[key][value] = instance
        return instance

    def _save(self, entry: Entry, instance: models.Model) -> None:
        try:
            save_content(
                instance, comment=self.comment, unchecked=self.unchecked.get(type(instance), ())
            )
        except ValidationError as error:
            # Reported to whoever runs the import or the loader, in English like their other
            # messages.
            with translation.override(None):
                problems = "; ".join(
                    f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items()
                )
            raise entry.error(problems) from error


def snapshot(instance: models.Model) -> dict[str, Any]:
    """The values the writer manages, to tell whether an object needs saving."""
    return {
        f.attname: getattr(instance, f.attname)
        for f in instance._meta.concrete_fields
        if f.attname not in UNMANAGED_FIELDS
    }
