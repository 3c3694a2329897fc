"""Writing a bundle: everything, or some partnerships and what they refer to, streamed.

The objects are read with ``iterator(chunk_size=…)`` (related rows prefetched per chunk) and
written one line each into the zip entry as they come; nothing holds the whole document, so
memory stays flat however large the install (``bench/export_bundle.py`` measures it).
:func:`export_bundle` writes a file (``manage.py export_bundle``), :func:`stream_bundle` a
streaming HTTP response (the partnership admin's download): both run :class:`BundleExporter`.
"""

import datetime as dt
import hashlib
import json
import os
import tempfile
import zipfile
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from django.db import connection, models, transaction
from django.db.models import F, Prefetch, QuerySet
from django.utils import timezone
from modeltranslation.utils import build_localized_fieldname

from programmes.domain.services import is_ordered
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
    Region,
)
from programmes.models.querysets import destinations_in_order

from ..sections import (
    FOCUS_AREAS,
    LANGUAGES,
    MISSIONS,
    ORGANISATIONS,
    OUTCOMES,
    PARTNERSHIPS,
    REGION_PHOTOS,
    REGIONS,
    SECTIONS,
    SECTIONS_BY_KEY,
    Section,
    encode_value,
)
from .schema import DOCUMENT_NAME, FORMAT, FORMAT_VERSION, GENERATOR, MEDIA_PREFIX

# Rows per database round trip while exporting; each chunk's related rows come in one query.
CHUNK_SIZE = 200
# How much JSON is collected before it goes into the zip entry (and, streaming, to the client).
FLUSH_BYTES = 256 * 1024


class BundleExporter:
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

    def _objects(self, section: Section) -> Iterator[models.Model]:
        """The objects of a top-level ``section``, in UUID order, related rows per chunk."""
        ordered = {child.key: ("order", "uuid") for child in section.children}
        if section is REGIONS:
            queryset = self.regions.prefetch_related(
                Prefetch("key_figures", KeyFigure.objects.order_by(*ordered["key_figures"])),
                Prefetch("clusters", Cluster.objects.order_by(*ordered["clusters"])),
                Prefetch(
                    "photos",
                    Photo.objects.filter(mission__isnull=True).order_by(*ordered["photos"]),
                ),
            )
        elif section is PARTNERSHIPS:
            queryset = self.partnerships.prefetch_related(
                Prefetch("objectives", Objective.objects.order_by(*ordered["objectives"])),
                Prefetch("focus_areas", FocusArea.objects.only("pk")),
            )
        elif section is MISSIONS:
            queryset = self.missions.prefetch_related(
                Prefetch(
                    "programme_items",
                    ProgrammeItem.objects.order_by(*ordered["programme_items"]),
                ),
                Prefetch("photos", Photo.objects.order_by(*ordered["photos"])),
                destinations_in_order(Region.objects.only("pk")),
                Prefetch("organisers", Organisation.objects.only("pk")),
            )
        elif section is OUTCOMES:
            queryset = self.outcomes.annotate(mission_uuid=F("mission__uuid"))
        else:
            queryset = {FOCUS_AREAS: self.focus_areas, ORGANISATIONS: self.organisations}[section]
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
                yield from self._write_document(_TextBuffer(entry))
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

    def _write_document(self, text: "_TextBuffer") -> Iterator[None]:
        header = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "generator": GENERATOR,
            "exported_at": encode_value(timezone.now()),
            "languages": list(LANGUAGES),
            "partnerships_only": (
                None
                if self.partnership_pks is None
                else sorted(str(self._uuids[Partnership][pk]) for pk in self.partnership_pks)
            ),
        }
        text.write(json.dumps(header, ensure_ascii=False, indent=1)[:-2])
        for section in SECTIONS:
            text.write(f',\n "{section.key}": [')
            for number, obj in enumerate(self._objects(section)):
                text.write(",\n  " if number else "\n  ")
                text.write(json.dumps(self._encode_object(section, obj), ensure_ascii=False))
                self.counts[section.key] += 1
                if text.flush_if_full():
                    yield
            text.write("\n ]")
        text.write("\n}\n")
        text.flush()
        yield

    def _encode_object(self, section: Section, obj: models.Model) -> dict[str, Any]:
        data: dict[str, Any] = {"uuid": str(obj.uuid)}
        for name in section.translated:
            data[name] = {
                language: getattr(obj, build_localized_fieldname(name, language))
                for language in LANGUAGES
            }
        for name in section.fields:
            data[name] = encode_value(getattr(obj, name))
        for name, target in section.references.items():
            data[name] = self._reference(obj, name, target)
        for name in section.many:
            uuids = [str(self._uuids[type(o)][o.pk]) for o in getattr(obj, name).all()]
            # An ordered relation (a mission's destinations) in its order, prefetched so.
            data[name] = uuids if is_ordered(section.model, name) else sorted(uuids)
        if section.media:
            data["file"] = self._media[obj.pk]
        for child in section.children:
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
        pk = getattr(obj, type(obj)._meta.get_field(name).attname)
        if pk is None:
            return None
        return str(self._uuids[SECTIONS_BY_KEY[target].model][pk])


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


class _TextBuffer:
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


def stream_bundle(exporter: BundleExporter) -> Iterator[bytes]:
    """The bundle as a stream of bytes, for a streaming HTTP response."""
    buffer = StreamBuffer()
    for _pause in exporter.stream(buffer):
        if data := buffer.take():
            yield data
    if data := buffer.take():
        yield data


def export_bundle(path: Path | str, partnerships: Iterable[Partnership] | None = None) -> Counter:
    """Write a bundle to ``path``; the counts of the top-level objects written, by list.

    The bundle is written next to ``path`` under a temporary name and renamed when complete:
    there is never half a bundle under its name, whatever stops the export.
    """
    path = Path(path)
    exporter = BundleExporter(partnerships)
    descriptor, temporary = tempfile.mkstemp(
        dir=path.resolve().parent, prefix=f".{path.name}.", suffix=".part"
    )
    try:
        with os.fdopen(descriptor, "wb") as out:
            exporter.write(out)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise
    return exporter.counts
