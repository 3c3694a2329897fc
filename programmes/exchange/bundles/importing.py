"""Importing a bundle: everything checked before anything is written, then one transaction.

The checks come first, each refusal naming the JSON path and the object: the zip (names,
links, sizes, before anything is unpacked), the JSON and its schema, the format version, every
reference, every media file and its checksum. Then the content writer
(:mod:`programmes.exchange.writer`, which the seed loader uses too) creates or updates each
object by UUID and leaves objects whose values are already the bundle's: importing twice
changes nothing. An import
never deletes. Media files written by an import that fails are removed again.
"""

import hashlib
import json
import re
import stat
import uuid
import zipfile
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_noop

from programmes.models import Photo, ProgrammeItem
from programmes.models.images import MAX_BYTES as MAX_PHOTO_BYTES
from programmes.models.images import check_upload, metadata_in

from ..sections import LANGUAGES, REGIONS, SECTIONS, SECTIONS_BY_KEY, Section
from ..writer import ContentWriter, Entry, WriteCounts
from .schema import DOCUMENT_NAME, FORMAT, FORMAT_VERSION, MEDIA_PREFIX, schema

# What an import accepts, checked against the zip's declarations before anything is unpacked
# (and while unpacking: ``BundleReader.read`` never takes more than an entry declares, so a
# header that understates a zip bomb gets a damaged entry, not a full memory). The zip's table
# of contents is checked before zipfile reads it whole. ``bundle.json`` is parsed whole, at
# four to six times its size in memory: its limit is what bounds the import's memory
# (docs/exchange.md, "Limits"). A whole install larger than that travels as several
# bundles (``export_bundle --partnership``).
MAX_DOCUMENT_BYTES = 32 * 1024**2
MAX_MEDIA_FILE_BYTES = MAX_PHOTO_BYTES
MAX_TOTAL_BYTES = 4 * 1024**3
MAX_ENTRIES = 10_000  # bundle.json, the photos and any folders
# The zip's table of contents (central directory): some 500 bytes for each of MAX_ENTRIES.
MAX_DIRECTORY_BYTES = 5 * 1024**2

# The comment of an import's revisions and audit log entries (translated when shown).
IMPORT_COMMENT = gettext_noop("Imported from an exchange bundle")
# Rules of this install that a bundle is not held to: it is a lossless copy of what the other
# install has, which may date from before the rule. A programme item dated outside its
# mission's dates is imported as it is; publishing the mission here is refused until it is
# corrected (``workflow.publish``), and a published one stays as the other install shows it.
UNCHECKED = {ProgrammeItem: ("date",)}


class BundleError(Exception):
    """A bundle is refused; the message says what is wrong and where."""


@dataclass(eq=False)
class BundleEntry(Entry):
    """One object in ``bundle.json``, with where it is (a JSON path) for messages."""

    where: str = field(kw_only=True)  # its JSON path: "$.missions[0].programme_items[2]"

    def describe(self) -> str:
        name = self.data.get("slug") or _first_text(self)
        return f"{self.where} ({self.section.label} {self.uuid}{f', “{name}”' if name else ''})"

    def error(self, problem: str) -> BundleError:
        return BundleError(f"{DOCUMENT_NAME}, {self.describe()}: {problem}")


def _first_text(entry: BundleEntry) -> str | None:
    if not entry.section.translated:
        return None
    texts = entry.data.get(entry.section.translated[0]) or {}
    text = texts.get(LANGUAGES[0]) or ""
    return text[:60] or None


def _is_symlink(info: zipfile.ZipInfo) -> bool:
    return stat.S_ISLNK(info.external_attr >> 16)


def unsafe_media_path(path: str) -> bool:
    """Whether ``path`` (``media/…``) could name a file outside the media folder."""
    if not path.startswith(MEDIA_PREFIX) or "\\" in path or "\0" in path:
        return True
    relative = PurePosixPath(path[len(MEDIA_PREFIX) :])
    return (
        relative.is_absolute()
        or not relative.parts
        or any(part in {"", ".", ".."} for part in relative.parts)
        or bool(re.match(r"^[A-Za-z]:", str(relative)))
    )


class BundleReader:
    """An opened bundle: the zip checked, ``bundle.json`` read and validated."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        try:
            self.file = open(self.path, "rb")  # noqa: SIM115 - closed by close()
        except OSError as error:
            raise BundleError(f"{self.path.name} cannot be read ({error}).") from None
        try:
            _check_directory(self.file)
            try:
                self.archive = zipfile.ZipFile(self.file)
            except (zipfile.BadZipFile, OSError) as error:
                raise BundleError(f"{self.path.name} is not a zip file ({error}).") from None
            self.members = self._check_members()
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        if hasattr(self, "archive"):
            self.archive.close()
        self.file.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def _check_members(self) -> dict[str, zipfile.ZipInfo]:
        infos = self.archive.infolist()
        _check_entry_count(len(infos))  # again: the end record's count may lie
        members: dict[str, zipfile.ZipInfo] = {}
        total = 0
        for info in infos:
            name = info.filename
            if info.is_dir():
                continue
            if name != DOCUMENT_NAME and unsafe_media_path(name):
                raise BundleError(
                    f"Zip entry “{name}” escapes the media folder: a bundle holds only "
                    f"{DOCUMENT_NAME} and files under {MEDIA_PREFIX}."
                )
            if _is_symlink(info):
                raise BundleError(
                    f"Zip entry “{name}” is a symbolic link; a bundle holds plain files only."
                )
            if name in members:
                raise BundleError(f"Zip entry “{name}” is in the zip twice.")
            limit = MAX_DOCUMENT_BYTES if name == DOCUMENT_NAME else MAX_MEDIA_FILE_BYTES
            if info.file_size > limit:
                raise BundleError(
                    f"Zip entry “{name}” would unpack to {info.file_size:,} bytes, more than "
                    f"the limit of {_size(limit)} for "
                    f"{DOCUMENT_NAME if name == DOCUMENT_NAME else 'a photo'}."
                )
            total += info.file_size
            if total > MAX_TOTAL_BYTES:
                raise BundleError(
                    f"The zip would unpack to more than the limit of {_size(MAX_TOTAL_BYTES)}."
                )
            members[name] = info
        if DOCUMENT_NAME not in members:
            raise BundleError(f"{self.path.name} has no {DOCUMENT_NAME}: not an exchange bundle.")
        return members

    def read(self, name: str) -> bytes:
        """The contents of ``name``, never more than its checked declared size.

        zipfile stops inflating at the declared size (an entry whose header understates its
        contents then fails its CRC check), and this reads at most one byte more.
        """
        info = self.members[name]
        try:
            with self.archive.open(info) as entry:
                data = entry.read(info.file_size + 1)
        except (zipfile.BadZipFile, OSError, EOFError) as error:
            raise BundleError(
                f"Zip entry “{name}” is damaged or not what its header declares ({error})."
            ) from None
        if len(data) > info.file_size:
            raise BundleError(f"Zip entry “{name}” is larger than its header declares.")
        return data

    def document(self) -> dict[str, Any]:
        try:
            # Decoded apart, so the bytes are freed before the parse (json.loads would keep both).
            text = self.read(DOCUMENT_NAME).decode("utf-8")
            document = json.loads(text)
            del text
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise BundleError(f"{DOCUMENT_NAME} is not valid JSON: {error}.") from None
        except RecursionError:
            raise BundleError(f"{DOCUMENT_NAME} is nested too deeply to be a bundle.") from None
        check_format(document)
        validate_schema(document)
        return document


def _size(size: int) -> str:
    """A limit for a message: "32 MB (33,554,432 bytes)", "4 GB (4,294,967,296 bytes)"."""
    unit, factor = ("GB", 1024**3) if size >= 1024**3 else ("MB", 1024**2)
    return f"{f'{size / factor:,.1f}'.removesuffix('.0')} {unit} ({size:,} bytes)"


def _check_entry_count(count: int) -> None:
    if count > MAX_ENTRIES:
        raise BundleError(
            f"The zip holds {count:,} entries, more than the limit of {MAX_ENTRIES:,} "
            f"({DOCUMENT_NAME}, the photos and any folders)."
        )


def _check_directory(file: IO[bytes]) -> None:
    """Refuse a zip whose table of contents is too large before zipfile reads all of it.

    zipfile reads the whole central directory into memory and makes an object per entry;
    its size and count are in the end record, which ``zipfile._EndRecData`` finds (zip64
    included). Not a zip at all: left to ``ZipFile``, whose message says so.
    """
    end = zipfile._EndRecData(file)
    if end is None:
        return
    _check_entry_count(end[zipfile._ECD_ENTRIES_TOTAL])
    size = end[zipfile._ECD_SIZE]
    if size > MAX_DIRECTORY_BYTES:
        raise BundleError(
            f"The zip's table of contents takes {size:,} bytes, more than the limit of "
            f"{_size(MAX_DIRECTORY_BYTES)}."
        )


def check_format(document: Any) -> None:
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise BundleError(
            f'{DOCUMENT_NAME} is not a Twinning CMS exchange bundle ("format" must be "{FORMAT}").'
        )
    if "format_version" not in document:
        raise BundleError(f'{DOCUMENT_NAME} has no "format_version".')
    version = document["format_version"]
    if version != FORMAT_VERSION or isinstance(version, bool):
        raise BundleError(
            f"{DOCUMENT_NAME} has format_version {json.dumps(version)}; this install reads "
            f"version {FORMAT_VERSION}."
        )


def validate_schema(document: dict[str, Any]) -> None:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import best_match

    error = best_match(Draft202012Validator(schema()).iter_errors(document))
    if error is not None:
        raise BundleError(
            f"{DOCUMENT_NAME} does not match the bundle schema at {error.json_path}: "
            f"{_schema_problem(error)}"
        )


# jsonschema's messages quote the value: never more than this much of it.
MAX_QUOTED = 200


def _schema_problem(error) -> str:
    """What is wrong, without quoting a long value whole (a 20 MB text, say)."""
    if error.validator == "maxLength" and isinstance(error.instance, str):
        return (
            f"a text of {len(error.instance):,} characters, longer than the limit of "
            f"{error.validator_value:,}."
        )
    message = error.message
    return message if len(message) <= 2 * MAX_QUOTED else f"{message[:MAX_QUOTED]}…"


def read_entries(document: dict[str, Any]) -> list[BundleEntry]:
    """Every object of ``document`` in import order: parents (and parent regions) first."""
    entries: list[BundleEntry] = []

    def read(section: Section, items: list, where: str, parent: BundleEntry | None) -> None:
        for number, data in enumerate(items):
            entry = BundleEntry(section, data, parent, where=f"{where}.{section.key}[{number}]")
            entries.append(entry)
            for child in section.children:
                read(child, data[child.key], entry.where, entry)

    for section in SECTIONS:
        items = document[section.key]
        if section is REGIONS:
            items = _parents_first(items)
        read(section, items, "$", None)
    return entries


def _parents_first(regions: list[dict]) -> list[dict]:
    """The regions ordered so that each comes after its parent; refuses cycles."""
    by_uuid = {region["uuid"]: region for region in regions}

    def depth(region: dict) -> int:
        seen, count = {region["uuid"]}, 0
        while (parent := by_uuid.get(region.get("parent"))) is not None:
            if parent["uuid"] in seen:
                raise BundleError(
                    f"{DOCUMENT_NAME}: regions lie inside each other ({' → '.join(sorted(seen))})."
                )
            seen.add(parent["uuid"])
            region, count = parent, count + 1
        return count

    depths = {region["uuid"]: depth(region) for region in regions}
    return sorted(regions, key=lambda region: depths[region["uuid"]])


def check_references(entries: list[BundleEntry]) -> None:
    """Each UUID once; each reference to an object in the bundle or in this database."""
    known: dict[str, set[str]] = defaultdict(set)
    seen: dict[str, BundleEntry] = {}
    for entry in entries:
        if entry.uuid in seen:
            raise entry.error(f"uuid {entry.uuid} is also used by {seen[entry.uuid].where}.")
        seen[entry.uuid] = entry
        known[entry.section.key].add(entry.uuid)
    wanted: dict[str, list[tuple[BundleEntry, str, str]]] = defaultdict(list)
    for entry in entries:
        for name, target in entry.section.references.items():
            value = entry.data.get(name)
            if value is not None and str(uuid.UUID(value)) not in known[target]:
                wanted[target].append((entry, name, str(uuid.UUID(value))))
        for name, target in entry.section.many.items():
            values = [str(uuid.UUID(value)) for value in entry.data[name]]
            if twice := sorted({value for value in values if values.count(value) > 1}):
                # The schema's uniqueItems compares spellings: "AB…" and "ab…" are one UUID.
                raise entry.error(f"“{name}” lists {twice[0]} twice.")
            for value in values:
                if value not in known[target]:
                    wanted[target].append((entry, name, value))
    for target, references in wanted.items():
        model = SECTIONS_BY_KEY[target].model
        in_database = {
            str(value)
            for value in model.objects.filter(
                uuid__in={value for _entry, _name, value in references}
            ).values_list("uuid", flat=True)
        }
        for entry, name, value in references:
            if value not in in_database:
                raise entry.error(
                    f"“{name}” refers to {SECTIONS_BY_KEY[target].label} {value}, which is neither "
                    f"in the bundle nor on this install."
                )


@dataclass(frozen=True)
class MediaFile:
    member: str
    sha256: str


def check_media(reader: BundleReader, entries: list[BundleEntry]) -> dict[str, MediaFile]:
    """Every photo's file: a safe path, in the zip, with its checksum, an accepted photo."""
    checked: dict[str, MediaFile] = {}
    for entry in entries:
        if not entry.section.media:
            continue
        file = entry.data["file"]
        path, expected = file["path"], file["sha256"].lower()
        if unsafe_media_path(path):
            raise entry.error(f"file path “{path}” escapes the media folder.")
        if path not in reader.members:
            raise entry.error(f"the media file “{path}” is missing from the zip.")
        if path in checked:
            if checked[path].sha256 != expected:
                raise entry.error(f"“{path}” is given two different checksums.")
            continue
        data = reader.read(path)
        actual = hashlib.sha256(data).hexdigest()
        if actual != expected:
            raise entry.error(
                f"checksum mismatch for “{path}”: {DOCUMENT_NAME} says SHA-256 {expected}, "
                f"the file has {actual}."
            )
        try:
            check_upload(ContentFile(data, name=PurePosixPath(path).name))
        except ValidationError as error:
            with translation.override(None):
                raise entry.error(
                    f"“{path}” is not an accepted photo: {error.messages[0]}"
                ) from None
        if metadata := metadata_in(ContentFile(data)):
            raise entry.error(
                f"“{path}” carries metadata ({', '.join(metadata)}), such as a camera's GPS "
                "position, which Twinning CMS removes from every photo it stores; a bundle "
                "exported by Twinning CMS has none."
            )
        checked[path] = MediaFile(path, actual)
    return checked


# Import: writing ----------------------------------------------------------------------------


@dataclass
class ImportReport(WriteCounts):
    """What an import did (or, in a dry run, would do), per model and in total."""

    dry_run: bool = False
    media_written: int = 0

    def __str__(self) -> str:
        with translation.override(None):
            parts = ", ".join(
                f"{count} {meta.verbose_name if count == 1 else meta.verbose_name_plural}"
                for meta, count in self.loaded.items()
            )
        created, updated = self.created.total(), self.updated.total()
        if self.dry_run:
            return (
                f"Dry run: the bundle holds {parts or 'nothing'}. An import would make "
                f"{created} created, {updated} updated, {self.unchanged} unchanged. "
                "Nothing was written."
            )
        return (
            f"Imported {parts or 'nothing'} ({created} created, {updated} updated, "
            f"{self.unchanged} unchanged; {self.media_written} media "
            f"{'file' if self.media_written == 1 else 'files'} written)."
        )


class PhotoFiles:
    """The bundle's photo files, stored when a photo needs them; removed again on failure."""

    def __init__(self, reader: BundleReader, media: dict[str, MediaFile], report: ImportReport):
        self.reader, self.media, self.report = reader, media, report
        self.written: list[str] = []

    def __call__(self, entry: Entry, photo: Photo) -> bool:
        """Point ``photo`` at the bundle's file, stored if need be; whether that changes it."""
        file = self.media[entry.data["file"]["path"]]
        name = file.member[len(MEDIA_PREFIX) :]
        if photo.image and _stored_sha256(photo.image.name) == file.sha256:
            return False
        if self.report.dry_run:
            return True
        if _stored_sha256(name) != file.sha256:
            name = default_storage.save(name, ContentFile(self.reader.read(file.member)))
            self.written.append(name)
            self.report.media_written += 1
        photo.image = name
        return True

    def remove_written(self) -> None:
        """All-or-nothing for the media folder too."""
        for name in self.written:
            default_storage.delete(name)


def _stored_sha256(name: str) -> str | None:
    if not name or not default_storage.exists(name):
        return None
    digest = hashlib.sha256()
    with default_storage.open(name, "rb") as file:
        for chunk in iter(lambda: file.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def import_bundle(
    path: Path | str,
    *,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Check the bundle at ``path`` completely, then import it in one transaction.

    Raises :class:`BundleError` (and changes nothing) when the bundle is refused.
    """
    with BundleReader(path) as reader:
        entries = read_entries(reader.document())
        check_references(entries)
        media = check_media(reader, entries)
        report = ImportReport(dry_run=dry_run)
        files = PhotoFiles(reader, media, report)
        writer = ContentWriter(
            comment=IMPORT_COMMENT,
            unchecked=UNCHECKED,
            counts=report,
            dry_run=dry_run,
            photo_files=files,
            progress=progress,
        )
        try:
            with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
                writer.write(entries)
                if dry_run:
                    transaction.set_rollback(True)
        except BaseException:
            files.remove_written()
            raise
        return report
