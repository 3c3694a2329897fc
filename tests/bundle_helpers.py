"""Helpers for the exchange bundle tests: read, rewrite and compare bundles; empty an install."""

import json
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
