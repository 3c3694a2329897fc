"""Load the seed content (the TOML data files in ``programmes/content/``) into the database.

The data files are the source of truth for seed content; their format is described
at the top of each file. The loader

* reads and validates every ``*.toml`` file of a content directory before it writes
  anything, so a mistake in a file is reported with the file and the object it is in;
* turns each object into an entry of the sections a bundle has
  (:mod:`programmes.exchange.sections`): slugs become UUIDs, the file's order becomes
  ``order``, a key figure's region becomes the region it is listed in, an outcome written
  inside its mission gets the mission and its partnership;
* hands the entries to the content writer the bundle importer uses
  (:mod:`programmes.exchange.writer`): each object created or updated by its fixed UUID, so
  partner sites that sync by UUID see the same objects on every install, saved through
  :func:`programmes.domain.services.save_content` only when one of its values differs, so
  running the loader again changes nothing, not even ``updated_at``;
* publishes through :func:`programmes.domain.services.publish` what is not published yet
  (seed content is public: a bundle carries its publication state, the data files do not);
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
from django.db import models, transaction
from django.utils import translation
from django.utils.translation import gettext_noop

from programmes.domain.services import publish
from programmes.models import Publishable, Region, Status

from . import sections
from .sections import Section, all_sections, encode_value
from .writer import ContentWriter, Entry, WriteCounts

CONTENT_DIR = Path(__file__).resolve().parent.parent / "content"

# Keys of a translated text in the data files ("zh_hans"), mapped to language codes ("zh-hans").
LANGUAGE_KEYS = {code.replace("-", "_"): code for code in settings.MODELTRANSLATION_LANGUAGES}
DEFAULT_LANGUAGE_KEY = settings.MODELTRANSLATION_DEFAULT_LANGUAGE.replace("-", "_")

# A file's [document] table: what the source document is called (used as key figures' source).
DOCUMENT_KEY = "document"
DOCUMENT_FIELDS = {"source"}

# The comment of the loader's revisions and audit log entries (translated when shown).
SEED_COMMENT = gettext_noop("Loaded from the seed content")


class SeedContentError(Exception):
    """A data file is invalid; the message names the file and the object."""


@dataclass(frozen=True, eq=False, kw_only=True)
class Table:
    """How one section's objects are written in the data files: [[regions]] blocks.

    The fields are the section's; what differs is how a block names what a bundle gives as
    UUIDs and order: other objects by slug, the order by the place in the file, and where the
    files nest differently from a bundle, the object it belongs to.
    """

    section: Section
    children: tuple["Table", ...] = ()
    # The reference by which a block names the object a bundle lists it in: a key figure is
    # written as [[key_figures]] with region = "…", and listed in its region in a bundle.
    listed_in: str | None = None
    # The reference to the block this one is written in where a bundle lists it apart: an
    # outcome is written inside its mission ([[missions.outcomes]]), a bundle's "mission".
    written_in: str | None = None
    # References copied from the block this one is written in: an outcome's partnership.
    inherited: tuple[str, ...] = ()
    # Translated fields taken from the file's [document] table instead of the block itself.
    from_document: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """The array of tables: "regions" for [[regions]], "programme_items" inside missions."""
        return self.section.key

    @property
    def model(self) -> type[models.Model]:
        return self.section.model

    @property
    def translated(self) -> tuple[str, ...]:
        return self.section.translated

    @property
    def plain(self) -> tuple[str, ...]:
        """The plain fields a block gives; its slug is its identity, its order its place."""
        return tuple(name for name in self.section.plain if name not in {"slug", "order"})

    @property
    def references(self) -> dict[str, str]:
        """Foreign keys written as slugs: field name -> key of the target table."""
        derived = {self.written_in, *self.inherited}
        references = {
            name: target for name, target in self.section.references.items() if name not in derived
        }
        if self.listed_in:
            references = {self.listed_in: _listing_section(self.section).key, **references}
        return references

    @property
    def many(self) -> dict[str, str]:
        return self.section.many

    @property
    def has_uuid(self) -> bool:
        return _has_field(self.model, "uuid")

    @property
    def has_slug(self) -> bool:
        return "slug" in self.section.plain

    @property
    def has_order(self) -> bool:
        return "order" in self.section.plain

    @property
    def allowed_keys(self) -> set[str]:
        keys = {*self.translated, *self.plain, *self.references, *self.many}
        keys |= {child.key for child in self.children}
        keys |= {name for name in ("uuid", "slug") if _has_field(self.model, name)}
        return keys - set(self.from_document)


def _has_field(model: type[models.Model], name: str) -> bool:
    return any(f.name == name for f in model._meta.get_fields())


def _listing_section(section: Section) -> Section:
    """The section a bundle lists ``section``'s objects in (a key figure's: regions)."""
    return next(parent for parent in all_sections() if section in parent.children)


OBJECTIVES = Table(section=sections.OBJECTIVES)
PROGRAMME_ITEMS = Table(section=sections.PROGRAMME_ITEMS)
OUTCOMES = Table(section=sections.OUTCOMES, written_in="mission", inherited=("partnership",))
# Top-level tables in the order they are loaded: every reference points to an earlier one.
TABLES = (
    Table(section=sections.FOCUS_AREAS),
    Table(section=sections.REGIONS),
    Table(section=sections.ORGANISATIONS),
    Table(section=sections.KEY_FIGURES, listed_in="region", from_document=("source",)),
    Table(section=sections.CLUSTERS, listed_in="region"),
    Table(section=sections.PARTNERSHIPS, children=(OBJECTIVES,)),
    Table(section=sections.MISSIONS, children=(PROGRAMME_ITEMS, OUTCOMES)),
)


@dataclass(eq=False)
class Block:
    """One object as written in a data file: a [[…]] block."""

    table: Table
    data: dict[str, Any]
    path: Path
    where: str  # how to find it in the file: [[regions]] "zhejiang"
    document: dict[str, Any]
    parent: "Block | None" = None

    @property
    def slug(self) -> str | None:
        return self.data.get("slug")

    def error(self, problem: str) -> SeedContentError:
        return SeedContentError(f"{self.path.name}, {self.where}: {problem}")


@dataclass(eq=False)
class SeedEntry(Entry):
    """A block as the entry a bundle would hold; refusals name the block in its file."""

    block: Block = field(kw_only=True)

    def error(self, problem: str) -> SeedContentError:
        return self.block.error(problem)

    def field_error(self, name: str, messages: list[str]) -> SeedContentError:
        # As the model's validation puts it, like the loader's other messages: "kind: …".
        return self.block.error(f"{name}: {' '.join(messages)}")


@dataclass
class SeedReport(WriteCounts):
    """What a load did, per model and in total."""

    def __str__(self) -> str:
        with translation.override(None):  # in English, like the loader's other messages
            parts = [
                f"{count} {meta.verbose_name if count == 1 else meta.verbose_name_plural}"
                for meta, count in self.loaded.items()
            ]
        return (
            f"Loaded {', '.join(parts)} ({self.created.total()} created, "
            f"{self.updated.total()} updated, {self.unchanged} unchanged)."
        )


def load_seed_content(content_dir: Path = CONTENT_DIR) -> SeedReport:
    """Validate the data files in ``content_dir`` and load them; see the module docstring."""
    blocks = read_content(Path(content_dir))
    validate(blocks)
    entries = bundle_entries(blocks)
    report, unpublished = SeedReport(), []

    def publish_later(entry: Entry, instance: models.Model) -> bool:
        """Seed content is public: what is not published yet is, once everything is written."""
        if isinstance(instance, Publishable) and instance.status != Status.PUBLISHED:
            unpublished.append(instance)
            return True
        return False

    # Every language column is written explicitly; the default language keeps the untranslated
    # attributes (``name``, ``profile``), which the services read and write, on Dutch.
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        ContentWriter(comment=SEED_COMMENT, counts=report, after_write=publish_later).write(entries)
        publish(unpublished, comment=SEED_COMMENT)
    return report


# Reading ------------------------------------------------------------------------------------


def read_content(content_dir: Path) -> list[Block]:
    """Every object of every ``*.toml`` file in ``content_dir``, nested ones after their parent."""
    paths = sorted(content_dir.glob("*.toml"))
    if not paths:
        raise SeedContentError(f"{content_dir}: no *.toml data files found.")
    blocks = []
    for path in paths:
        blocks += _read_file(path)
    return blocks


def _read_file(path: Path) -> list[Block]:
    try:
        with path.open("rb") as file:
            content = tomllib.load(file, parse_float=Decimal)
    except tomllib.TOMLDecodeError as error:
        raise SeedContentError(f"{path.name}: not valid TOML: {error}") from error
    tables = {table.key: table for table in TABLES}
    unknown = sorted(set(content) - set(tables) - {DOCUMENT_KEY})
    if unknown:
        raise SeedContentError(f"{path.name}: unknown section(s) {', '.join(unknown)}.")
    document = content.get(DOCUMENT_KEY, {})
    unknown = sorted(set(document) - DOCUMENT_FIELDS)
    if unknown:
        raise SeedContentError(f"{path.name}, [document]: unknown field(s) {', '.join(unknown)}.")
    blocks = []
    for key, table in tables.items():
        blocks += _read_blocks(table, content.get(key, []), path, document, parent=None)
    return blocks


def _read_blocks(
    table: Table, items: Any, path: Path, document: dict, parent: Block | None
) -> list[Block]:
    heading = f"{parent.table.key}.{table.key}" if parent else table.key
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise SeedContentError(f"{path.name}: write [[{heading}]] tables for {table.key}.")
    blocks = []
    for number, data in enumerate(items, start=1):
        where = _where(heading, number, data, table, parent)
        block = Block(table, data, path, where, document, parent=parent)
        blocks.append(block)
        for child in table.children:
            blocks += _read_blocks(child, data.get(child.key, []), path, document, block)
    return blocks


def _where(heading: str, number: int, data: dict, table: Table, parent: Block | None) -> str:
    """A description a translator can find in the file: [[regions]] "zhejiang"."""
    if isinstance(data.get("slug"), str):
        where = f'[[{heading}]] "{data["slug"]}"'
    else:
        first_text = data.get(table.translated[0]) if table.translated else None
        dutch = first_text.get(DEFAULT_LANGUAGE_KEY) if isinstance(first_text, dict) else None
        where = f"[[{heading}]] #{number}" + (f' ("{dutch}")' if dutch else "")
    return f"{where} of {parent.where}" if parent else where


# Validating ---------------------------------------------------------------------------------


def validate(blocks: list[Block]) -> None:
    """Raise :class:`SeedContentError` for the first problem found in ``blocks``."""
    slugs: dict[str, set[str]] = defaultdict(set)
    uuids: set[str] = set()
    for block in blocks:
        _check_keys(block)
        _check_identity(block, slugs, uuids)
        _check_texts(block)
    for block in blocks:
        _check_references(block, slugs)
    _region_depths(blocks)


def _check_keys(block: Block) -> None:
    unknown = sorted(set(block.data) - block.table.allowed_keys)
    if unknown:
        raise block.error(f"unknown field(s) {', '.join(unknown)}.")


def _check_identity(block: Block, slugs: dict[str, set[str]], uuids: set[str]) -> None:
    table = block.table
    if table.has_uuid:
        value = block.data.get("uuid")
        try:
            parsed = str(uuid.UUID(str(value)))
        except ValueError:
            raise block.error(f'"uuid" must be a UUID such as "{uuid.uuid4()}".') from None
        if parsed in uuids:
            raise block.error(f"uuid {parsed} is used twice.")
        uuids.add(parsed)
    if table.has_slug:
        slug = block.slug
        if not isinstance(slug, str) or not slug:
            raise block.error('"slug" is required.')
        if slug in slugs[table.key]:
            raise block.error(f'slug "{slug}" is used twice in [[{table.key}]].')
        slugs[table.key].add(slug)


def _check_texts(block: Block) -> None:
    for name in block.table.translated:
        source = block.document if name in block.table.from_document else block.data
        text = source.get(name, {})
        if not isinstance(text, dict):
            raise block.error(
                f'"{name}" must be a table of languages: {name} = {{ nl = "…", en = "…" }}.'
            )
        unknown = sorted(set(text) - set(LANGUAGE_KEYS))
        if unknown:
            raise block.error(f'"{name}" has unknown language(s) {", ".join(unknown)}.')
        if not all(isinstance(value, str) for value in text.values()):
            raise block.error(f'"{name}" must hold text in every language.')
        required = not block.table.model._meta.get_field(name).blank
        if required and not text.get(DEFAULT_LANGUAGE_KEY, "").strip():
            raise block.error(f'the Dutch text of "{name}" is missing ({name}.nl).')


def _check_references(block: Block, slugs: dict[str, set[str]]) -> None:
    table = block.table
    for name, target in table.references.items():
        value = block.data.get(name)
        if value is not None and (not isinstance(value, str) or value not in slugs[target]):
            raise block.error(f'"{name}" refers to "{value}", which is not in [[{target}]].')
    for name, target in table.many.items():
        values = block.data.get(name, [])
        if not isinstance(values, list):
            raise block.error(f'"{name}" must be a list of slugs: {name} = ["…", "…"].')
        for value in values:
            if not isinstance(value, str) or value not in slugs[target]:
                raise block.error(f'"{name}" refers to "{value}", which is not in [[{target}]].')
        if twice := sorted({value for value in values if values.count(value) > 1}):
            raise block.error(f'"{name}" lists "{twice[0]}" twice.')


def _region_depths(blocks: list[Block]) -> dict[str, int]:
    """How many parents each region has; raises if regions lie inside each other."""
    parents = {b.slug: b.data.get("parent") for b in blocks if b.table.model is Region}
    depths: dict[str, int] = {}
    for block in blocks:
        if block.table.model is not Region:
            continue
        chain = [block.slug]
        while (parent := parents[chain[-1]]) is not None:
            if parent in chain:
                raise block.error(f"regions lie inside each other: {' → '.join(chain)}.")
            chain.append(parent)
        depths[block.slug] = len(chain) - 1
    return depths


# As bundle entries ----------------------------------------------------------------------------


def bundle_entries(blocks: list[Block]) -> list[SeedEntry]:
    """The validated ``blocks`` as bundle entries, in load order: what they refer to first."""
    by_slug = {(block.table.key, block.slug): block for block in blocks if block.slug}
    uuids = {key: str(uuid.UUID(str(block.data["uuid"]))) for key, block in by_slug.items()}
    made: dict[Block, SeedEntry] = {}
    orders: Counter = Counter()
    for block in _in_load_order(blocks):
        table = block.table
        data = _entry_data(block, uuids)
        if table.has_order:
            data["order"] = _next_order(block, orders)
        written_in = made.get(block.parent)  # None at the top of a file
        if table.written_in:  # listed apart in a bundle, referring to what it was written in
            data[table.written_in] = written_in.uuid
            for name in table.inherited:
                data[name] = written_in.data[name]
            parent = None
        elif table.listed_in:  # listed inside the object it names
            listing = _listing_section(table.section).key
            parent = made[by_slug[(listing, block.data[table.listed_in])]]
        else:
            parent = written_in
        made[block] = SeedEntry(table.section, data, parent, block=block)
    return list(made.values())


def _entry_data(block: Block, uuids: dict[tuple[str, str], str]) -> dict[str, Any]:
    """Every field of ``block`` as a bundle gives it, the publication state left out."""
    table, model = block.table, block.table.model
    data: dict[str, Any] = {"uuid": str(uuid.UUID(str(block.data["uuid"])))}
    for name in table.translated:
        source = block.document if name in table.from_document else block.data
        text = source.get(name, {})
        data[name] = {
            language: text.get(key, "").strip() for key, language in LANGUAGE_KEYS.items()
        }
    if table.has_slug:
        data["slug"] = block.slug
    for name in table.plain:
        # A field the block leaves out is its default: deleting a line deletes the value.
        value = block.data.get(name, model._meta.get_field(name).get_default())
        data[name] = encode_value(value)
    for name, target in table.references.items():
        if name != table.listed_in:
            slug = block.data.get(name)
            data[name] = None if slug is None else uuids[(target, slug)]
    for name, target in table.many.items():
        data[name] = [uuids[(target, slug)] for slug in block.data.get(name, [])]
    return data


def _next_order(block: Block, orders: Counter) -> int:
    """The block's place among those it is ordered with: its siblings, or its region's."""
    if block.parent is not None:
        group = id(block.parent)
    elif block.table.listed_in:
        group = block.data.get(block.table.listed_in)
    else:
        group = None
    key = (block.table.key, group)
    order = orders[key]
    orders[key] += 1
    return order


def _in_load_order(blocks: list[Block]) -> list[Block]:
    """Blocks by table in the order of TABLES (children after their parents), parents first."""
    position = {table: index for index, table in enumerate(TABLES)}
    depths = _region_depths(blocks)

    def sort_key(block: Block) -> tuple[int, int]:
        top = block
        while top.parent is not None:
            top = top.parent
        is_region = block.table.model is Region
        return position[top.table], depths.get(block.slug, 0) if is_region else 0

    return sorted(blocks, key=sort_key)
