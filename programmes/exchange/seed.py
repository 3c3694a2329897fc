"""Load the seed content (the TOML data files in ``programmes/content/``) into the database.

The data files are the source of truth for seed content; their format is described
at the top of each file. The loader

* reads and validates every ``*.toml`` file of a content directory before it writes
  anything, so a mistake in a file is reported with the file and the object it is in;
* creates or updates each object by its fixed UUID, so partner sites that sync by UUID
  see the same objects on every install;
* writes through :func:`programmes.domain.services.save_content` and publishes through
  :func:`programmes.domain.services.publish`, like every other write path;
* saves an object only when one of its values differs from the database, so running
  it again changes nothing, not even ``updated_at``;
* runs in one transaction: either everything is loaded or nothing is.
"""

import tomllib
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import translation
from django.utils.translation import gettext_noop
from modeltranslation.utils import build_localized_fieldname

from programmes.domain.services import publish, sanitize_rich_text, save_content
from programmes.models import (
    Cluster,
    FocusArea,
    KeyFigure,
    Mission,
    Objective,
    Organisation,
    Outcome,
    Partnership,
    ProgrammeItem,
    Publishable,
    Region,
    Status,
)

CONTENT_DIR = Path(__file__).resolve().parent.parent / "content"

# Keys of a translated text in the data files ("zh_hans"), mapped to language codes ("zh-hans").
LANGUAGE_KEYS = {code.replace("-", "_"): code for code in settings.MODELTRANSLATION_LANGUAGES}
DEFAULT_LANGUAGE_KEY = settings.MODELTRANSLATION_DEFAULT_LANGUAGE.replace("-", "_")

# A file's [document] table: what the source document is called (used as key figures' source).
DOCUMENT_KEY = "document"
DOCUMENT_FIELDS = {"source"}

# The comment of the loader's revisions and audit log entries (translated when shown).
SEED_COMMENT = gettext_noop("Loaded from the seed content")

# Columns the loader never compares: the database and the publish service manage them.
UNMANAGED_FIELDS = {"id", "created_at", "updated_at", "status", "publish_at"}


class SeedContentError(Exception):
    """A data file is invalid; the message names the file and the object."""


@dataclass(frozen=True, eq=False, kw_only=True)
class Spec:
    """How one kind of object is written in the data files and stored in the database."""

    key: str  # the TOML array of tables, e.g. "regions" for [[regions]]
    model: type[models.Model]
    translated: tuple[str, ...] = ()
    plain: tuple[str, ...] = ()
    # Foreign keys and many-to-many fields written as slugs: field name -> key of the target spec.
    references: dict[str, str] = field(default_factory=dict)
    many: dict[str, str] = field(default_factory=dict)
    # Nested specs ([[missions.programme_items]]) and the foreign key that points to the parent.
    children: tuple["Spec", ...] = ()
    parent_field: str | None = None
    # Fields copied from the parent object (an outcome's partnership is its mission's).
    inherited: tuple[str, ...] = ()
    # Translated fields taken from the file's [document] table instead of the object itself.
    from_document: tuple[str, ...] = ()
    # `order` counts per value of this reference (a region's key figures); per parent if nested.
    ordered_within: str | None = None

    @property
    def has_uuid(self) -> bool:
        return _has_field(self.model, "uuid")

    @property
    def has_slug(self) -> bool:
        return _has_field(self.model, "slug")

    @property
    def allowed_keys(self) -> set[str]:
        keys = {*self.translated, *self.plain, *self.references, *self.many}
        keys |= {child.key for child in self.children}
        keys |= {name for name in ("uuid", "slug") if _has_field(self.model, name)}
        return keys - set(self.from_document)


def _has_field(model: type[models.Model], name: str) -> bool:
    return any(f.name == name for f in model._meta.get_fields())


OBJECTIVES = Spec(
    key="objectives", model=Objective, translated=("text",), parent_field="partnership"
)
PROGRAMME_ITEMS = Spec(
    key="programme_items",
    model=ProgrammeItem,
    translated=("title", "description"),
    plain=("kind", "date", "start_time"),
    references={"city": "regions", "host": "organisations"},
    parent_field="mission",
)
OUTCOMES = Spec(
    key="outcomes",
    model=Outcome,
    translated=("title", "parties", "description"),
    plain=("kind", "progress", "date"),
    references={"area": "focus_areas"},
    parent_field="mission",
    inherited=("partnership",),
)
# Top-level specs in the order they are loaded: every reference points to an earlier one.
SPECS = (
    Spec(key="focus_areas", model=FocusArea, translated=("name",)),
    Spec(
        key="regions",
        model=Region,
        translated=("name", "summary", "profile"),
        plain=("kind", "time_zone", "latitude", "longitude"),
        references={"parent": "regions"},
    ),
    Spec(
        key="organisations",
        model=Organisation,
        translated=("name", "description"),
        plain=("kind", "website"),
        references={"region": "regions"},
    ),
    Spec(
        key="key_figures",
        model=KeyFigure,
        translated=("label", "source"),
        plain=("value", "value_max", "unit", "approximate", "year"),
        references={"region": "regions"},
        from_document=("source",),
        ordered_within="region",
    ),
    Spec(
        key="clusters",
        model=Cluster,
        translated=("sector",),
        references={"region": "regions"},
        ordered_within="region",
    ),
    Spec(
        key="partnerships",
        model=Partnership,
        translated=("title", "coordinator_role", "summary", "description"),
        plain=("kind", "since_year", "coordinator_since_year"),
        references={
            "owner": "organisations",
            "home_region": "regions",
            "partner_region": "regions",
            "coordinator": "organisations",
        },
        many={"focus_areas": "focus_areas"},
        children=(OBJECTIVES,),
    ),
    Spec(
        key="missions",
        model=Mission,
        translated=(
            "title",
            "leader_role",
            "participants",
            "summary",
            "context",
            "why",
            "programme_intro",
            "result",
        ),
        plain=("kind", "start_date", "end_date", "leader_name"),
        references={"partnership": "partnerships"},
        many={"destinations": "regions", "organisers": "organisations"},
        children=(PROGRAMME_ITEMS, OUTCOMES),
    ),
)


@dataclass(eq=False)
class Entry:
    """One object as written in a data file."""

    spec: Spec
    data: dict[str, Any]
    path: Path
    where: str  # how to find it in the file: [[regions]] "zhejiang"
    document: dict[str, Any]
    parent: "Entry | None" = None
    instance: models.Model | None = None

    @property
    def slug(self) -> str | None:
        return self.data.get("slug")

    def error(self, problem: str) -> SeedContentError:
        return SeedContentError(f"{self.path.name}, {self.where}: {problem}")


@dataclass
class SeedReport:
    """What a load did, per model and in total."""

    loaded: Counter = field(default_factory=Counter)
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        with translation.override(None):  # in English, like the loader's other messages
            parts = [
                f"{count} {meta.verbose_name if count == 1 else meta.verbose_name_plural}"
                for meta, count in self.loaded.items()
            ]
        return (
            f"Loaded {', '.join(parts)} "
            f"({self.created} created, {self.updated} updated, {self.unchanged} unchanged)."
        )


def load_seed_content(content_dir: Path = CONTENT_DIR) -> SeedReport:
    """Validate the data files in ``content_dir`` and load them; see the module docstring."""
    entries = read_content(Path(content_dir))
    validate(entries)
    # Every language column is written explicitly; the default language keeps the untranslated
    # attributes (``name``, ``profile``), which the services read and write, on Dutch.
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        return _Writer().write(entries)


# Reading ------------------------------------------------------------------------------------


def read_content(content_dir: Path) -> list[Entry]:
    """Every object of every ``*.toml`` file in ``content_dir``, nested ones after their parent."""
    paths = sorted(content_dir.glob("*.toml"))
    if not paths:
        raise SeedContentError(f"{content_dir}: no *.toml data files found.")
    entries = []
    for path in paths:
        entries += _read_file(path)
    return entries


def _read_file(path: Path) -> list[Entry]:
    try:
        with path.open("rb") as file:
            content = tomllib.load(file, parse_float=Decimal)
    except tomllib.TOMLDecodeError as error:
        raise SeedContentError(f"{path.name}: not valid TOML: {error}") from error
    specs = {spec.key: spec for spec in SPECS}
    unknown = sorted(set(content) - set(specs) - {DOCUMENT_KEY})
    if unknown:
        raise SeedContentError(f"{path.name}: unknown section(s) {', '.join(unknown)}.")
    document = content.get(DOCUMENT_KEY, {})
    unknown = sorted(set(document) - DOCUMENT_FIELDS)
    if unknown:
        raise SeedContentError(f"{path.name}, [document]: unknown field(s) {', '.join(unknown)}.")
    entries = []
    for key, spec in specs.items():
        entries += _read_entries(spec, content.get(key, []), path, document, parent=None)
    return entries


def _read_entries(
    spec: Spec, items: Any, path: Path, document: dict, parent: Entry | None
) -> list[Entry]:
    section = f"{parent.spec.key}.{spec.key}" if parent else spec.key
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise SeedContentError(f"{path.name}: write [[{section}]] tables for {spec.key}.")
    entries = []
    for number, data in enumerate(items, start=1):
        where = _where(section, number, data, spec, parent)
        entry = Entry(spec, data, path, where, document, parent=parent)
        entries.append(entry)
        for child in spec.children:
            entries += _read_entries(child, data.get(child.key, []), path, document, entry)
    return entries


def _where(section: str, number: int, data: dict, spec: Spec, parent: Entry | None) -> str:
    """A description a translator can find in the file: [[regions]] "zhejiang"."""
    if isinstance(data.get("slug"), str):
        where = f'[[{section}]] "{data["slug"]}"'
    else:
        first_text = data.get(spec.translated[0]) if spec.translated else None
        dutch = first_text.get(DEFAULT_LANGUAGE_KEY) if isinstance(first_text, dict) else None
        where = f"[[{section}]] #{number}" + (f' ("{dutch}")' if dutch else "")
    return f"{where} of {parent.where}" if parent else where


# Validating ---------------------------------------------------------------------------------


def validate(entries: list[Entry]) -> None:
    """Raise :class:`SeedContentError` for the first problem found in ``entries``."""
    slugs: dict[str, set[str]] = defaultdict(set)
    uuids: set[str] = set()
    for entry in entries:
        _check_keys(entry)
        _check_identity(entry, slugs, uuids)
        _check_texts(entry)
    for entry in entries:
        _check_references(entry, slugs)
    _region_depths(entries)


def _check_keys(entry: Entry) -> None:
    unknown = sorted(set(entry.data) - entry.spec.allowed_keys)
    if unknown:
        raise entry.error(f"unknown field(s) {', '.join(unknown)}.")


def _check_identity(entry: Entry, slugs: dict[str, set[str]], uuids: set[str]) -> None:
    spec = entry.spec
    if spec.has_uuid:
        value = entry.data.get("uuid")
        try:
            parsed = str(uuid.UUID(str(value)))
        except ValueError:
            raise entry.error(f'"uuid" must be a UUID such as "{uuid.uuid4()}".') from None
        if parsed in uuids:
            raise entry.error(f"uuid {parsed} is used twice.")
        uuids.add(parsed)
    if spec.has_slug:
        slug = entry.slug
        if not isinstance(slug, str) or not slug:
            raise entry.error('"slug" is required.')
        if slug in slugs[spec.key]:
            raise entry.error(f'slug "{slug}" is used twice in [[{spec.key}]].')
        slugs[spec.key].add(slug)


def _check_texts(entry: Entry) -> None:
    for name in entry.spec.translated:
        source = entry.document if name in entry.spec.from_document else entry.data
        text = source.get(name, {})
        if not isinstance(text, dict):
            raise entry.error(
                f'"{name}" must be a table of languages: {name} = {{ nl = "…", en = "…" }}.'
            )
        unknown = sorted(set(text) - set(LANGUAGE_KEYS))
        if unknown:
            raise entry.error(f'"{name}" has unknown language(s) {", ".join(unknown)}.')
        if not all(isinstance(value, str) for value in text.values()):
            raise entry.error(f'"{name}" must hold text in every language.')
        required = not entry.spec.model._meta.get_field(name).blank
        if required and not text.get(DEFAULT_LANGUAGE_KEY, "").strip():
            raise entry.error(f'the Dutch text of "{name}" is missing ({name}.nl).')


def _check_references(entry: Entry, slugs: dict[str, set[str]]) -> None:
    spec = entry.spec
    for name, target in spec.references.items():
        value = entry.data.get(name)
        if value is not None and (not isinstance(value, str) or value not in slugs[target]):
            raise entry.error(f'"{name}" refers to "{value}", which is not in [[{target}]].')
    for name, target in spec.many.items():
        values = entry.data.get(name, [])
        if not isinstance(values, list):
            raise entry.error(f'"{name}" must be a list of slugs: {name} = ["…", "…"].')
        for value in values:
            if not isinstance(value, str) or value not in slugs[target]:
                raise entry.error(f'"{name}" refers to "{value}", which is not in [[{target}]].')


def _region_depths(entries: list[Entry]) -> dict[str, int]:
    """How many parents each region has; raises if regions lie inside each other."""
    parents = {e.slug: e.data.get("parent") for e in entries if e.spec.model is Region}
    depths: dict[str, int] = {}
    for entry in entries:
        if entry.spec.model is not Region:
            continue
        chain = [entry.slug]
        while (parent := parents[chain[-1]]) is not None:
            if parent in chain:
                raise entry.error(f"regions lie inside each other: {' → '.join(chain)}.")
            chain.append(parent)
        depths[entry.slug] = len(chain) - 1
    return depths


# Writing ------------------------------------------------------------------------------------


class _Writer:
    """Writes validated entries: creates, updates or leaves each object, then publishes."""

    def __init__(self):
        self.report = SeedReport()
        self.by_slug: dict[str, dict[str, models.Model]] = defaultdict(dict)
        self.order_counters: Counter = Counter()
        self.to_publish: list[Publishable] = []

    def write(self, entries: list[Entry]) -> SeedReport:
        for entry in _in_load_order(entries):
            self._write_entry(entry)
        publish(self.to_publish, comment=SEED_COMMENT)
        return self.report

    def _write_entry(self, entry: Entry) -> None:
        spec = entry.spec
        identity = "uuid" if spec.has_uuid else "slug"
        key = entry.data[identity]
        instance = spec.model.objects.filter(**{identity: key}).first()
        if instance is None and spec.has_uuid and entry.slug:
            # Focus areas got their UUID later (migration 0009): an older install has a
            # random one, which the seed's fixed UUID replaces.
            instance = spec.model.objects.filter(slug=entry.slug).first()
        created = instance is None
        if created:
            instance = spec.model(**{identity: key})
        before = _snapshot(instance)
        if spec.has_uuid and str(instance.uuid) != str(key):
            instance.uuid = uuid.UUID(str(key))
            before = None  # a changed UUID is a change
        for name, value in self._values(entry).items():
            setattr(instance, name, value)
        sanitize_rich_text(instance)
        changed_many = {}
        for name in spec.many:
            pks = self._many(entry, name)
            if created or set(getattr(instance, name).values_list("pk", flat=True)) != pks:
                changed_many[name] = pks
        changed = _snapshot(instance) != before or bool(changed_many)
        if created or changed:
            self._save(entry, instance)
            for name, pks in changed_many.items():
                getattr(instance, name).set(pks)
        if isinstance(instance, Publishable) and instance.status != Status.PUBLISHED:
            self.to_publish.append(instance)
            changed = True
        self._count(instance, created=created, changed=changed)
        entry.instance = instance
        if entry.slug:
            self.by_slug[spec.key][entry.slug] = instance

    def _values(self, entry: Entry) -> dict[str, Any]:
        """Every managed field of ``entry``'s object, as the data file wants it."""
        spec, model = entry.spec, entry.spec.model
        values: dict[str, Any] = {}
        if spec.has_slug:
            values["slug"] = entry.slug
        for name in spec.translated:
            source = entry.document if name in spec.from_document else entry.data
            text = source.get(name, {})
            for key, language in LANGUAGE_KEYS.items():
                values[build_localized_fieldname(name, language)] = text.get(key, "").strip()
        for name in spec.plain:
            values[name] = entry.data.get(name, model._meta.get_field(name).get_default())
        for name, target in spec.references.items():
            slug = entry.data.get(name)
            values[name] = self.by_slug[target][slug] if slug is not None else None
        if entry.parent is not None:
            values[spec.parent_field] = entry.parent.instance
            for name in spec.inherited:
                values[name] = getattr(entry.parent.instance, name)
        if _has_field(model, "order"):
            values["order"] = self._next_order(entry)
        return values

    def _many(self, entry: Entry, name: str) -> set[int]:
        target = entry.spec.many[name]
        return {self.by_slug[target][slug].pk for slug in entry.data.get(name, [])}

    def _next_order(self, entry: Entry) -> int:
        if entry.parent is not None:
            group = id(entry.parent)
        elif entry.spec.ordered_within:
            group = entry.data.get(entry.spec.ordered_within)
        else:
            group = None
        counter_key = (entry.spec.key, group)
        order = self.order_counters[counter_key]
        self.order_counters[counter_key] += 1
        return order

    def _save(self, entry: Entry, instance: models.Model) -> None:
        try:
            save_content(instance, comment=SEED_COMMENT)
        except ValidationError as error:
            # Reported to whoever runs the loader, in English like the rest of its messages.
            with translation.override(None):
                problems = "; ".join(
                    f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items()
                )
            raise entry.error(problems) from error

    def _count(self, instance: models.Model, *, created: bool, changed: bool) -> None:
        self.report.loaded[instance._meta] += 1
        if created:
            self.report.created += 1
        elif changed:
            self.report.updated += 1
        else:
            self.report.unchanged += 1


def _in_load_order(entries: list[Entry]) -> list[Entry]:
    """Entries by spec in the order of SPECS (children after their parents), parents first."""
    position = {spec: index for index, spec in enumerate(SPECS)}
    depths = _region_depths(entries)

    def sort_key(entry: Entry) -> tuple[int, int]:
        top = entry
        while top.parent is not None:
            top = top.parent
        return position[top.spec], depths.get(entry.slug, 0) if entry.spec.model is Region else 0

    return sorted(entries, key=sort_key)


def _snapshot(instance: models.Model) -> dict[str, Any]:
    """The values the loader manages, to tell whether an object needs saving."""
    return {
        f.attname: getattr(instance, f.attname)
        for f in instance._meta.concrete_fields
        if f.attname not in UNMANAGED_FIELDS
    }
