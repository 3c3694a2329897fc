"""Exchange bundles: a whole install's (or a few partnerships') content in one zip file.

Two installs (a municipality and a province, the European and the Chinese side) exchange
their material as a bundle; ``manage.py export_bundle`` writes one, ``import_bundle`` reads
one, and the admin offers a partnership's bundle as a download.

A bundle is a zip file with

* ``bundle.json``: the format and its version, and every object with every language of
  every translated text, each object and each reference between objects by UUID. Its JSON
  Schema is ``bundle.schema.json`` beside this module, served at
  ``/api/v1/schema/bundle.json``;
* ``media/…``: the originals of the photos, each with its SHA-256 in ``bundle.json``.

**What travels.** Content and its publication state (status, publish and unpublish
dates), so the receiving install shows what the sending one shows, scheduled publications
included, and a bundle is a lossless copy. Not: database ids, ``created_at`` and
``updated_at`` (they describe rows of one install; an import that changes an object gives
it a new ``updated_at``, which is what the receiving install's partner API needs), staff,
memberships, revisions and the audit log (they describe people and history of one install),
and photo renditions (made again from the original).

**Export streams.** The objects are read with ``iterator(chunk_size=…)`` (related rows
prefetched per chunk) and written one line each into the zip entry as they come; nothing
holds the whole document, so memory stays flat however large the install
(``bench/export_bundle.py`` measures it).

**Import is all-or-nothing.** Everything is checked before anything is written: the zip
(names, links, sizes), the JSON and its schema, the format version, every reference, every
media file and its checksum. Then one transaction creates or updates each object by UUID
(focus areas also by slug), through :func:`programmes.domain.services.save_content` (sanitized rich
text, validation, a revision, an audit log entry and a content event), and leaves objects
whose values are already those of the bundle untouched: importing twice changes nothing.
An import never deletes. Media files written by an import that fails are removed again.
"""

import datetime as dt
import hashlib
import json
import re
import stat
import sys
import time
import uuid
import zipfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, models, transaction
from django.db.models import F, Prefetch, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext_noop
from modeltranslation.utils import build_localized_fieldname

from programmes.domain.services import (
    is_ordered,
    pks_in_order,
    sanitize_rich_text,
    save_content,
    set_in_order,
)
from programmes.models import (
    Cluster,
    FocusArea,
    KeyFigure,
    Mission,
    Objective,
    Organisation,
    Outcome,
    Partnership,
    Photo,
    ProgrammeItem,
    Publishable,
    Region,
)
from programmes.models.images import MAX_BYTES as MAX_PHOTO_BYTES
from programmes.models.images import check_upload, metadata_in
from programmes.models.querysets import destinations_in_order

FORMAT = "twinning-cms-bundle"
FORMAT_VERSION = 1
GENERATOR = "Twinning CMS"
DOCUMENT_NAME = "bundle.json"
MEDIA_PREFIX = "media/"
SCHEMA_PATH = Path(__file__).resolve().parent / "bundle.schema.json"
LANGUAGES = tuple(settings.MODELTRANSLATION_LANGUAGES)

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

# Rows per database round trip while exporting; each chunk's related rows come in one query.
CHUNK_SIZE = 200
# How much JSON is collected before it goes into the zip entry (and, streaming, to the client).
FLUSH_BYTES = 256 * 1024


class BundleError(Exception):
    """A bundle is refused; the message says what is wrong and where."""


# The format: which fields of which model, in which order ----------------------------------


@dataclass(frozen=True, eq=False, kw_only=True)
class Kind:
    """One kind of object in ``bundle.json``: a top-level list or a list inside its parent."""

    key: str  # the list's name: "regions", or "programme_items" inside a mission
    model: type[models.Model]
    translated: tuple[str, ...] = ()
    plain: tuple[str, ...] = ()
    references: dict[str, str] = field(default_factory=dict)  # field -> key of the target kind
    many: dict[str, str] = field(default_factory=dict)
    children: tuple["Kind", ...] = ()
    parent_field: str | None = None
    media: bool = False  # a photo: its original travels as a file

    @property
    def label(self) -> str:
        with translation.override(None):
            return str(self.model._meta.verbose_name)

    def counted(self, count: int) -> str:
        """``count`` objects of this kind, in English: "1 region", "17 regions"."""
        meta = self.model._meta
        with translation.override(None):
            return f"{count} {meta.verbose_name if count == 1 else meta.verbose_name_plural}"

    @property
    def fields(self) -> tuple[str, ...]:
        """The plain fields, with the publication state for public content."""
        if issubclass(self.model, Publishable):
            return (*self.plain, "status", "publish_at", "unpublish_at")
        return self.plain


KEY_FIGURES = Kind(
    key="key_figures",
    model=KeyFigure,
    translated=("label", "source", "chart_title"),
    plain=("value", "value_max", "unit", "approximate", "year", "order"),
    parent_field="region",
)
CLUSTERS = Kind(
    key="clusters", model=Cluster, translated=("sector",), plain=("order",), parent_field="region"
)
REGION_PHOTOS = Kind(
    key="photos",
    model=Photo,
    translated=("alt_text", "caption"),
    plain=("credit", "order"),
    parent_field="region",
    media=True,
)
MISSION_PHOTOS = Kind(
    key="photos",
    model=Photo,
    translated=("alt_text", "caption"),
    plain=("credit", "order"),
    references={"region": "regions"},
    parent_field="mission",
    media=True,
)
OBJECTIVES = Kind(
    key="objectives",
    model=Objective,
    translated=("text",),
    plain=("order",),
    parent_field="partnership",
)
PROGRAMME_ITEMS = Kind(
    key="programme_items",
    model=ProgrammeItem,
    translated=("title", "description"),
    plain=("kind", "date", "start_time", "end_time", "order"),
    references={"city": "regions", "host": "organisations"},
    parent_field="mission",
)
FOCUS_AREAS = Kind(
    key="focus_areas", model=FocusArea, translated=("name",), plain=("slug", "order")
)
REGIONS = Kind(
    key="regions",
    model=Region,
    translated=("name", "summary", "profile"),
    plain=("slug", "kind", "time_zone", "latitude", "longitude"),
    references={"parent": "regions"},
    children=(KEY_FIGURES, CLUSTERS, REGION_PHOTOS),
)
ORGANISATIONS = Kind(
    key="organisations",
    model=Organisation,
    translated=("name", "description"),
    plain=("slug", "kind", "website"),
    references={"region": "regions"},
)
PARTNERSHIPS = Kind(
    key="partnerships",
    model=Partnership,
    translated=("title", "coordinator_role", "summary", "description"),
    plain=("slug", "kind", "since_year", "coordinator_since_year"),
    references={
        "owner": "organisations",
        "home_region": "regions",
        "partner_region": "regions",
        "coordinator": "organisations",
    },
    many={"focus_areas": "focus_areas"},
    children=(OBJECTIVES,),
)
MISSIONS = Kind(
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
    plain=("slug", "kind", "start_date", "end_date", "leader_name"),
    references={"partnership": "partnerships"},
    many={"destinations": "regions", "organisers": "organisations"},
    children=(PROGRAMME_ITEMS, MISSION_PHOTOS),
)
OUTCOMES = Kind(
    key="outcomes",
    model=Outcome,
    translated=("title", "parties", "description"),
    plain=("slug", "kind", "progress", "date", "order"),
    references={"partnership": "partnerships", "mission": "missions", "area": "focus_areas"},
)
# The top-level lists, in the order they are written and imported: a reference points to an
# earlier list, or (a region's parent) to the same one.
KINDS = (FOCUS_AREAS, REGIONS, ORGANISATIONS, PARTNERSHIPS, MISSIONS, OUTCOMES)
KINDS_BY_KEY = {kind.key: kind for kind in KINDS}


@cache
def schema() -> dict:
    """The JSON Schema of ``bundle.json`` (draft 2020-12)."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def _field(model: type[models.Model], name: str) -> models.Field:
    return model._meta.get_field(name)


def _encode(value: Any) -> Any:
    """A database value as JSON: decimals as strings (exact), dates and times in ISO 8601."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if hasattr(value, "as_tuple"):  # Decimal
        return format(value, "f")
    return value


# Export -------------------------------------------------------------------------------------


class Exporter:
    """Writes a bundle of everything, or of ``partnerships`` and what they refer to."""

    def __init__(self, partnerships: Iterable[Partnership] | None = None):
        self.partnership_pks = (
            None if partnerships is None else sorted({p.pk for p in partnerships})
        )
        self.counts: Counter = Counter()
        self._media: dict[int, dict[str, Any]] = {}

    def _read_references(self) -> None:
        """The UUIDs of the objects others refer to by primary key, read once.

        These tables are small (reference data and partnerships); missions, of which there
        may be many, are referred to through a join.
        """
        self._uuids = {
            model: dict(model.objects.order_by().values_list("pk", "uuid"))
            for model in (FocusArea, Region, Organisation, Partnership)
        }

    # Which objects ---------------------------------------------------------------------

    def _scope(self) -> None:
        if self.partnership_pks is None:
            self.partnerships = Partnership.objects.all()
            self.missions = Mission.objects.all()
            self.outcomes = Outcome.objects.all()
            self.regions = Region.objects.all()
            self.organisations = Organisation.objects.all()
            self.focus_areas = FocusArea.objects.all()
            return
        pks = self.partnership_pks
        self.partnerships = Partnership.objects.filter(pk__in=pks)
        self.missions = Mission.objects.filter(partnership__in=pks)
        self.outcomes = Outcome.objects.filter(partnership__in=pks)
        organisation_pks = _pks(
            self.partnerships.values_list("owner", "coordinator"),
            Mission.organisers.through.objects.filter(mission__partnership__in=pks).values_list(
                "organisation"
            ),
            ProgrammeItem.objects.filter(mission__partnership__in=pks)
            .values_list("host")
            .order_by()
            .distinct(),
        )
        region_pks = _pks(
            self.partnerships.values_list("home_region", "partner_region"),
            Mission.destinations.through.objects.filter(mission__partnership__in=pks).values_list(
                "region"
            ),
            ProgrammeItem.objects.filter(mission__partnership__in=pks)
            .values_list("city")
            .order_by()
            .distinct(),
            Photo.objects.filter(mission__partnership__in=pks).values_list("region"),
            Organisation.objects.filter(pk__in=organisation_pks).values_list("region"),
        )
        parents = dict(Region.objects.order_by().values_list("pk", "parent"))
        for pk in list(region_pks):  # and the regions they lie in
            while (pk := parents.get(pk)) is not None and pk not in region_pks:
                region_pks.add(pk)
        area_pks = _pks(
            Partnership.focus_areas.through.objects.filter(partnership__in=pks).values_list(
                "focusarea"
            ),
            self.outcomes.values_list("area"),
        )
        self.regions = Region.objects.filter(pk__in=region_pks)
        self.organisations = Organisation.objects.filter(pk__in=organisation_pks)
        self.focus_areas = FocusArea.objects.filter(pk__in=area_pks)

    def _photos(self) -> QuerySet[Photo]:
        return Photo.objects.filter(
            models.Q(mission__in=self.missions)
            | models.Q(mission__isnull=True, region__in=self.regions)
        )

    def _objects(self, kind: Kind) -> Iterator[models.Model]:
        """The objects of a top-level ``kind``, in UUID order, related rows per chunk."""
        ordered = {child.key: ("order", "uuid") for child in kind.children}
        if kind is REGIONS:
            queryset = self.regions.prefetch_related(
                Prefetch("key_figures", KeyFigure.objects.order_by(*ordered["key_figures"])),
                Prefetch("clusters", Cluster.objects.order_by(*ordered["clusters"])),
                Prefetch(
                    "photos",
                    Photo.objects.filter(mission__isnull=True).order_by(*ordered["photos"]),
                ),
            )
        elif kind is PARTNERSHIPS:
            queryset = self.partnerships.prefetch_related(
                Prefetch("objectives", Objective.objects.order_by(*ordered["objectives"])),
                Prefetch("focus_areas", FocusArea.objects.only("pk")),
            )
        elif kind is MISSIONS:
            queryset = self.missions.prefetch_related(
                Prefetch(
                    "programme_items",
                    ProgrammeItem.objects.order_by(*ordered["programme_items"]),
                ),
                Prefetch("photos", Photo.objects.order_by(*ordered["photos"])),
                destinations_in_order(Region.objects.only("pk")),
                Prefetch("organisers", Organisation.objects.only("pk")),
            )
        elif kind is OUTCOMES:
            queryset = self.outcomes.annotate(mission_uuid=F("mission__uuid"))
        else:
            queryset = {FOCUS_AREAS: self.focus_areas, ORGANISATIONS: self.organisations}[kind]
        return queryset.order_by("uuid").iterator(chunk_size=CHUNK_SIZE)

    # Writing ---------------------------------------------------------------------------

    def stream(self, out: IO[bytes]) -> Iterator[None]:
        """Write the bundle to ``out``, pausing (yielding) after every piece written.

        ``out`` needs only ``write()`` and ``flush()``: a file, or a buffer a streaming
        HTTP response drains at each pause.
        """
        with (
            _consistent_reads(),
            zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        ):
            self._scope()
            self._read_references()
            yield from self._write_media(archive)
            info = zipfile.ZipInfo(DOCUMENT_NAME, date_time=_zip_time(timezone.now()))
            info.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(info, "w", force_zip64=True) as entry:
                yield from self._write_document(_JsonWriter(entry))
        yield

    def write(self, out: IO[bytes]) -> None:
        for _pause in self.stream(out):
            pass

    def _write_media(self, archive: zipfile.ZipFile) -> Iterator[None]:
        """Each photo's original under ``media/``, hashed on the way (before bundle.json)."""
        for photo in self._photos().order_by("uuid").iterator(chunk_size=CHUNK_SIZE):
            name = MEDIA_PREFIX + photo.image.name
            info = zipfile.ZipInfo(name, date_time=_zip_time(photo.updated_at))
            info.compress_type = zipfile.ZIP_STORED  # photos are compressed already
            digest, size = hashlib.sha256(), 0
            with (
                photo.image.open("rb") as source,
                archive.open(info, "w", force_zip64=True) as target,
            ):
                for chunk in iter(lambda: source.read(1024 * 1024), b""):
                    digest.update(chunk)
                    size += len(chunk)
                    target.write(chunk)
            self._media[photo.pk] = {"path": name, "sha256": digest.hexdigest(), "size": size}
            yield

    def _write_document(self, writer: "_JsonWriter") -> Iterator[None]:
        header = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "generator": GENERATOR,
            "exported_at": _encode(timezone.now()),
            "languages": list(LANGUAGES),
            "partnerships_only": (
                None
                if self.partnership_pks is None
                else sorted(str(self._uuids[Partnership][pk]) for pk in self.partnership_pks)
            ),
        }
        writer.write(json.dumps(header, ensure_ascii=False, indent=1)[:-2])
        for kind in KINDS:
            writer.write(f',\n "{kind.key}": [')
            for number, obj in enumerate(self._objects(kind)):
                writer.write(",\n  " if number else "\n  ")
                writer.write(json.dumps(self._encode_object(kind, obj), ensure_ascii=False))
                self.counts[kind.key] += 1
                if writer.flush_if_full():
                    yield
            writer.write("\n ]")
        writer.write("\n}\n")
        writer.flush()
        yield

    def _encode_object(self, kind: Kind, obj: models.Model) -> dict[str, Any]:
        data: dict[str, Any] = {"uuid": str(obj.uuid)}
        for name in kind.translated:
            data[name] = {
                language: getattr(obj, build_localized_fieldname(name, language))
                for language in LANGUAGES
            }
        for name in kind.fields:
            data[name] = _encode(getattr(obj, name))
        for name, target in kind.references.items():
            data[name] = self._reference(obj, name, target)
        for name in kind.many:
            uuids = [str(self._uuids[type(o)][o.pk]) for o in getattr(obj, name).all()]
            # An ordered relation (a mission's destinations) in its order, prefetched so.
            data[name] = uuids if is_ordered(kind.model, name) else sorted(uuids)
        if kind.media:
            data["file"] = self._media[obj.pk]
        for child in kind.children:
            data[child.key] = [
                self._encode_object(child, o)
                for o in getattr(obj, child.key).all()
                if child is not REGION_PHOTOS or o.pk in self._media
            ]
        return data

    def _reference(self, obj: models.Model, name: str, target: str) -> str | None:
        if target == "missions":
            value = obj.mission_uuid
            return None if value is None else str(value)
        pk = getattr(obj, _field(type(obj), name).attname)
        if pk is None:
            return None
        return str(self._uuids[KINDS_BY_KEY[target].model][pk])


@contextmanager
def _consistent_reads() -> Iterator[None]:
    """One snapshot of the database for all of the export's queries.

    An editor may save while a large export runs; without a snapshot a mission written late
    could refer to a region created after the regions were written, and the bundle would be
    refused on import. PostgreSQL needs REPEATABLE READ for that (its default, READ COMMITTED,
    takes a new snapshot per query); SQLite's read transaction is one already. Inside a
    transaction that has begun (a test), the isolation level can no longer be set.
    """
    if connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


def _pks(*querysets: QuerySet) -> set[int]:
    return {pk for queryset in querysets for row in queryset for pk in row if pk is not None}


def _zip_time(moment: dt.datetime) -> tuple[int, ...]:
    moment = moment.astimezone(dt.UTC)
    return (max(moment.year, 1980), moment.month, moment.day, moment.hour, moment.minute, 0)


class _JsonWriter:
    """Collects text and writes it, UTF-8 encoded, into the zip entry in large pieces."""

    def __init__(self, entry: IO[bytes]):
        self.entry = entry
        self.pending: list[str] = []
        self.size = 0

    def write(self, text: str) -> None:
        self.pending.append(text)
        self.size += len(text)

    def flush_if_full(self) -> bool:
        if self.size < FLUSH_BYTES:
            return False
        self.flush()
        return True

    def flush(self) -> None:
        self.entry.write("".join(self.pending).encode())
        self.pending.clear()
        self.size = 0


class StreamBuffer:
    """A write-only file for zipfile whose contents are taken out piece by piece."""

    def __init__(self):
        self._chunks: list[bytes] = []

    def write(self, data: bytes) -> int:
        self._chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data


def stream_bundle(exporter: Exporter) -> Iterator[bytes]:
    """The bundle as a stream of bytes, for a streaming HTTP response."""
    buffer = StreamBuffer()
    for _pause in exporter.stream(buffer):
        if data := buffer.take():
            yield data
    if data := buffer.take():
        yield data


def export_bundle(path: Path | str, partnerships: Iterable[Partnership] | None = None) -> Counter:
    """Write a bundle to ``path``; the counts of the top-level objects written."""
    exporter = Exporter(partnerships)
    with open(path, "wb") as out:
        exporter.write(out)
    return exporter.counts


# Import: reading and checking ---------------------------------------------------------------


@dataclass(eq=False)
class Entry:
    """One object in ``bundle.json``, with where it is (a JSON path) for messages."""

    kind: Kind
    data: dict[str, Any]
    where: str
    parent: "Entry | None" = None
    instance: models.Model | None = None

    @property
    def uuid(self) -> str:
        return str(uuid.UUID(self.data["uuid"]))

    def describe(self) -> str:
        name = self.data.get("slug") or _first_text(self)
        return f"{self.where} ({self.kind.label} {self.uuid}{f', “{name}”' if name else ''})"

    def error(self, problem: str) -> BundleError:
        return BundleError(f"{DOCUMENT_NAME}, {self.describe()}: {problem}")


def _first_text(entry: Entry) -> str | None:
    if not entry.kind.translated:
        return None
    texts = entry.data.get(entry.kind.translated[0]) or {}
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


def read_entries(document: dict[str, Any]) -> list[Entry]:
    """Every object of ``document`` in import order: parents (and parent regions) first."""
    entries: list[Entry] = []

    def read(kind: Kind, items: list, where: str, parent: Entry | None) -> None:
        for number, data in enumerate(items):
            entry = Entry(kind, data, f"{where}.{kind.key}[{number}]", parent)
            entries.append(entry)
            for child in kind.children:
                read(child, data[child.key], entry.where, entry)

    for kind in KINDS:
        items = document[kind.key]
        if kind is REGIONS:
            items = _parents_first(items)
        read(kind, items, "$", None)
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


def check_references(entries: list[Entry]) -> None:
    """Each UUID once; each reference to an object in the bundle or in this database."""
    known: dict[str, set[str]] = defaultdict(set)
    seen: dict[str, Entry] = {}
    for entry in entries:
        if entry.uuid in seen:
            raise entry.error(f"uuid {entry.uuid} is also used by {seen[entry.uuid].where}.")
        seen[entry.uuid] = entry
        known[entry.kind.key].add(entry.uuid)
    wanted: dict[str, list[tuple[Entry, str, str]]] = defaultdict(list)
    for entry in entries:
        for name, target in entry.kind.references.items():
            value = entry.data.get(name)
            if value is not None and str(uuid.UUID(value)) not in known[target]:
                wanted[target].append((entry, name, str(uuid.UUID(value))))
        for name, target in entry.kind.many.items():
            values = [str(uuid.UUID(value)) for value in entry.data[name]]
            if twice := sorted({value for value in values if values.count(value) > 1}):
                # The schema's uniqueItems compares spellings: "AB…" and "ab…" are one UUID.
                raise entry.error(f"“{name}” lists {twice[0]} twice.")
            for value in values:
                if value not in known[target]:
                    wanted[target].append((entry, name, value))
    for target, references in wanted.items():
        model = KINDS_BY_KEY[target].model
        in_database = {
            str(value)
            for value in model.objects.filter(
                uuid__in={value for _entry, _name, value in references}
            ).values_list("uuid", flat=True)
        }
        for entry, name, value in references:
            if value not in in_database:
                raise entry.error(
                    f"“{name}” refers to {KINDS_BY_KEY[target].label} {value}, which is neither "
                    f"in the bundle nor on this install."
                )


@dataclass(frozen=True)
class MediaFile:
    member: str
    sha256: str


def check_media(reader: BundleReader, entries: list[Entry]) -> dict[str, MediaFile]:
    """Every photo's file: a safe path, in the zip, with its checksum, an accepted photo."""
    checked: dict[str, MediaFile] = {}
    for entry in entries:
        if not entry.kind.media:
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
class ImportReport:
    """What an import did (or, in a dry run, would do), per kind and in total."""

    dry_run: bool = False
    loaded: Counter = field(default_factory=Counter)
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    media_written: int = 0

    @property
    def unchanged(self) -> int:
        return self.loaded.total() - self.created.total() - self.updated.total()

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


# Columns an import never compares or sets: the database manages them, and a photo's size
# follows its file.
UNMANAGED_FIELDS = {"id", "created_at", "updated_at", "width", "height"}


class _Writer:
    def __init__(self, reader: BundleReader, media: dict[str, MediaFile], *, dry_run, progress):
        self.reader = reader
        self.media = media
        self.dry_run = dry_run
        self.progress = progress
        self.report = ImportReport(dry_run=dry_run)
        # Objects others refer to, by kind and UUID (children are not kept: large bundles).
        self.instances: dict[str, dict[str, models.Model]] = defaultdict(dict)
        self.referenced = {
            target
            for kind in _all_kinds()
            for target in (*kind.references.values(), *kind.many.values())
        }
        self.written_files: list[str] = []

    def write(self, entries: list[Entry]) -> ImportReport:
        try:
            for number, entry in enumerate(entries, start=1):
                self._write_entry(entry)
                if self.progress:
                    self.progress(number, len(entries))
        except BaseException:
            for name in self.written_files:  # all-or-nothing for the media folder too
                default_storage.delete(name)
            raise
        return self.report

    def _write_entry(self, entry: Entry) -> None:
        kind, model = entry.kind, entry.kind.model
        instance = model.objects.filter(uuid=entry.uuid).first()
        if instance is None and kind is FOCUS_AREAS:
            # Focus areas got their UUID late (migration 0009): an older install has random
            # ones. The same slug is the same focus area; it takes the bundle's UUID.
            instance = model.objects.filter(slug=entry.data["slug"]).first()
        created = instance is None
        if created:
            instance = model(uuid=uuid.UUID(entry.uuid))
        before = None if str(instance.uuid) != entry.uuid else _snapshot(instance)
        instance.uuid = uuid.UUID(entry.uuid)
        self._set_values(entry, instance)
        sanitize_rich_text(instance)
        changed_many = {}
        for name, target in kind.many.items():
            targets = [self._target(target, value) for value in entry.data[name]]
            pks = [obj.pk for obj in targets]
            if is_ordered(model, name):
                # In the bundle's order (a mission's destinations).
                if created or pks_in_order(instance, name) != pks:
                    changed_many[name] = targets
            elif created or set(getattr(instance, name).values_list("pk", flat=True)) != set(pks):
                changed_many[name] = targets
        file_changed = kind.media and self._photo_file(entry, instance)
        changed = created or file_changed or bool(changed_many) or _snapshot(instance) != before
        if changed and not self.dry_run:
            self._save(entry, instance)
            for name, targets in changed_many.items():
                if is_ordered(model, name):
                    set_in_order(instance, name, targets, comment=IMPORT_COMMENT)
                else:
                    getattr(instance, name).set(targets)
        if kind.children:  # its children need it; others are not kept (large bundles)
            entry.instance = instance
        if kind.key in self.referenced:
            self.instances[kind.key][entry.uuid] = instance
        self.report.loaded[model._meta] += 1
        if created:
            self.report.created[model._meta] += 1
        elif changed:
            self.report.updated[model._meta] += 1

    def _set_values(self, entry: Entry, instance: models.Model) -> None:
        kind, data = entry.kind, entry.data
        for name in kind.translated:
            if name not in data:
                # Optional in the schema (a key figure's chart title is newer than the
                # format): a bundle without it leaves what this install has.
                continue
            for language in LANGUAGES:
                setattr(instance, build_localized_fieldname(name, language), data[name][language])
        for name in kind.fields:
            if name not in data:
                # Optional in the schema (a region's time zone is newer than the format):
                # a bundle without it leaves what this install has, a default when new.
                continue
            field = _field(kind.model, name)
            try:
                value = field.to_python(data[name])
                field.run_validators(value)  # what the schema cannot check: a time zone name
            except ValidationError as error:
                with translation.override(None):
                    raise entry.error(f"“{name}”: {' '.join(error.messages)}") from None
            setattr(instance, name, value)
        for name, target in kind.references.items():
            value = data[name]
            setattr(instance, name, None if value is None else self._target(target, value))
        if entry.parent is not None:
            setattr(instance, kind.parent_field, entry.parent.instance)

    def _target(self, key: str, value: str) -> models.Model:
        value = str(uuid.UUID(value))
        instance = self.instances[key].get(value)
        if instance is None:  # not in the bundle: on this install (checked beforehand)
            instance = KINDS_BY_KEY[key].model.objects.get(uuid=value)
            self.instances[key][value] = instance
        return instance

    def _photo_file(self, entry: Entry, photo: Photo) -> bool:
        """Point ``photo`` at the bundle's file, stored if need be; whether that changes it."""
        file = self.media[entry.data["file"]["path"]]
        name = file.member[len(MEDIA_PREFIX) :]
        if photo.image and _stored_sha256(photo.image.name) == file.sha256:
            return False
        if self.dry_run:
            return True
        if _stored_sha256(name) != file.sha256:
            name = default_storage.save(name, ContentFile(self.reader.read(file.member)))
            self.written_files.append(name)
            self.report.media_written += 1
        photo.image = name
        return True

    def _save(self, entry: Entry, instance: models.Model) -> None:
        try:
            save_content(
                instance, comment=IMPORT_COMMENT, unchecked=UNCHECKED.get(type(instance), ())
            )
        except ValidationError as error:
            with translation.override(None):
                problems = "; ".join(
                    f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items()
                )
            raise entry.error(problems) from error


def _all_kinds() -> Iterator[Kind]:
    def walk(kind: Kind) -> Iterator[Kind]:
        yield kind
        for child in kind.children:
            yield from walk(child)

    for kind in KINDS:
        yield from walk(kind)


def _stored_sha256(name: str) -> str | None:
    if not name or not default_storage.exists(name):
        return None
    digest = hashlib.sha256()
    with default_storage.open(name, "rb") as file:
        for chunk in iter(lambda: file.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _snapshot(instance: models.Model) -> dict[str, Any]:
    return {
        f.attname: getattr(instance, f.attname)
        for f in instance._meta.concrete_fields
        if f.attname not in UNMANAGED_FIELDS
    }


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
        with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
            report = _Writer(reader, media, dry_run=dry_run, progress=progress).write(entries)
            if dry_run:
                transaction.set_rollback(True)
        return report


class ProgressBar:
    """A one-line progress bar on a terminal: ``Importing  42% [████······] 4,200/10,000``."""

    def __init__(self, stream: IO[str] = sys.stderr, label: str = "Importing", width: int = 30):
        self.stream, self.label, self.width = stream, label, width
        self.shown_at = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self.shown_at < 0.1:
            return
        self.shown_at = now
        filled = self.width * done // max(total, 1)
        bar = "█" * filled + "·" * (self.width - filled)
        percent = 100 * done // max(total, 1)
        self.stream.write(f"\r{self.label} {percent:3d}% [{bar}] {done:,}/{total:,}")
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()
