"""Helpers for the exchange bundle tests: read, rewrite and compare bundles; empty an install."""

import json
import struct
import zipfile
from pathlib import Path

from programmes.models import (
    AuditLogEntry,
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

CONTENT_MODELS = (
    FocusArea,
    Region,
    KeyFigure,
    Cluster,
    Organisation,
    Partnership,
    Objective,
    Mission,
    ProgrammeItem,
    Photo,
    Outcome,
)


def read_document(path: Path) -> dict:
    with zipfile.ZipFile(path) as archive:
        return json.loads(archive.read("bundle.json"))


def canonical(path: Path) -> dict:
    """The bundle's document without the moment it was written, and its files' contents."""
    document = read_document(path)
    document.pop("exported_at")
    with zipfile.ZipFile(path) as archive:
        files = {name: archive.read(name) for name in archive.namelist() if name != "bundle.json"}
    return {"document": document, "files": files}


def rewrite(source: Path, target: Path, *, document=None, files=None, drop=()) -> Path:
    """A copy of the bundle ``source`` with another ``bundle.json`` or other files."""
    with zipfile.ZipFile(source) as archive:
        contents = {name: archive.read(name) for name in archive.namelist()}
    if document is not None:
        contents["bundle.json"] = (
            document if isinstance(document, bytes) else json.dumps(document).encode()
        )
    contents.update(files or {})
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in contents.items():
            if name not in drop:
                archive.writestr(name, data)
    return target


def zip_bomb(path: Path, document: bytes, padding: int) -> Path:
    """A zip whose ``bundle.json`` is ``document`` and ``padding`` spaces: a few kilobytes."""
    with (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open("bundle.json", "w") as entry,
    ):
        entry.write(document)
        chunk = b" " * 1024**2
        for start in range(0, padding, len(chunk)):
            entry.write(chunk[: padding - start])
    return path


def _end_record(data: bytes) -> int:
    return data.rindex(b"PK\x05\x06")


def declare_sizes(path: Path, size: int, names: set[str] | None = None) -> Path:
    """Make the zip's table of contents lie: ``size`` bytes for ``names`` (all by default)."""
    data = bytearray(path.read_bytes())
    count, _size, position = struct.unpack_from("<HII", data, _end_record(data) + 10)
    for _ in range(count):
        assert data[position : position + 4] == b"PK\x01\x02"
        name_length, extra_length, comment_length = struct.unpack_from("<HHH", data, position + 28)
        name = data[position + 46 : position + 46 + name_length].decode()
        if names is None or name in names:
            struct.pack_into("<I", data, position + 24, size)  # uncompressed size
        position += 46 + name_length + extra_length + comment_length
    path.write_bytes(data)
    return path


def declare_count(path: Path, count: int) -> Path:
    """Make the zip's end record lie about how many entries the zip holds."""
    data = bytearray(path.read_bytes())
    struct.pack_into("<HH", data, _end_record(data) + 8, count, count)
    path.write_bytes(data)
    return path


def empty_install() -> None:
    """Delete all content, children before what they need (PROTECT relations)."""
    Outcome.objects.all().delete()
    Photo.objects.all().delete()
    Mission.objects.all().delete()
    Partnership.objects.all().delete()
    Organisation.objects.all().delete()
    Region.objects.update(parent=None)
    Region.objects.all().delete()
    FocusArea.objects.all().delete()


def database_state() -> dict:
    """Every content row's UUID and last change, and the audit log's size."""
    state = {
        model.__name__: sorted(model.objects.values_list("uuid", *_timestamps(model)))
        for model in CONTENT_MODELS
    }
    state["audit log"] = AuditLogEntry.objects.count()
    return state


def _timestamps(model) -> tuple[str, ...]:
    return ("updated_at",) if any(f.name == "updated_at" for f in model._meta.fields) else ()


def media_state(root: Path) -> list[tuple[str, int]]:
    return sorted(
        (str(path.relative_to(root)), path.stat().st_size)
        for path in Path(root).rglob("*")
        if path.is_file()
    )
