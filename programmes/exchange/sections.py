"""The sections of exchanged content: which models travel, with which fields, nested how.

A bundle's ``bundle.json`` is one list per top-level section (``"regions"``, ``"missions"``),
each object holding the lists of its child sections (a region's ``"key_figures"``). The same
shape is what :mod:`programmes.exchange.writer` writes into the database, for the bundle
importer and for the seed loader, which turns its data files into entries of these sections.
Declared once, here: the bundle exporter, the importer's checks, the writer, the seed loader
and the tests that compare ``bundle.schema.json`` with the models all read this table.

Translated fields are not listed: they are what ``programmes/translation.py`` registers with
modeltranslation (in the model's order), so a field translated there travels without a second
list.
"""

import datetime as dt
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import translation
from modeltranslation.translator import translator

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

LANGUAGES = tuple(settings.MODELTRANSLATION_LANGUAGES)
# What travels of public content besides its own fields: its publication state.
PUBLICATION_FIELDS = ("status", "publish_at", "unpublish_at")


@dataclass(frozen=True, eq=False, kw_only=True)
class Section:
    """One list of objects: a top-level list of ``bundle.json`` or a list inside its parent."""

    key: str  # the list's name: "regions", or "programme_items" inside a mission
    model: type[models.Model]
    plain: tuple[str, ...] = ()  # untranslated fields, as values
    references: dict[str, str] = field(default_factory=dict)  # field -> key of the target
    many: dict[str, str] = field(default_factory=dict)  # many-to-many field -> key of the target
    children: tuple["Section", ...] = ()
    parent_field: str | None = None  # a child's foreign key to the object it is listed in
    media: bool = False  # a photo: its original travels as a file

    @cached_property
    def translated(self) -> tuple[str, ...]:
        """The fields modeltranslation's registry translates, in the model's order.

        The registry keeps them in a set, whose order changes from process to process; a
        bundle's bytes, and the order of a data file's checks, must not.
        """
        registered = translator.get_options_for_model(self.model).fields
        return tuple(f.name for f in self.model._meta.fields if f.name in registered)

    @property
    def fields(self) -> tuple[str, ...]:
        """The plain fields, with the publication state for public content."""
        if issubclass(self.model, Publishable):
            return (*self.plain, *PUBLICATION_FIELDS)
        return self.plain

    @property
    def label(self) -> str:
        with translation.override(None):
            return str(self.model._meta.verbose_name)

    def counted(self, count: int) -> str:
        """``count`` objects of this section, in English: "1 region", "17 regions"."""
        meta = self.model._meta
        with translation.override(None):
            return f"{count} {meta.verbose_name if count == 1 else meta.verbose_name_plural}"


KEY_FIGURES = Section(
    key="key_figures",
    model=KeyFigure,
    plain=("value", "value_max", "unit", "approximate", "year", "order"),
    parent_field="region",
)
CLUSTERS = Section(key="clusters", model=Cluster, plain=("order",), parent_field="region")
REGION_PHOTOS = Section(
    key="photos", model=Photo, plain=("credit", "order"), parent_field="region", media=True
)
MISSION_PHOTOS = Section(
    key="photos",
    model=Photo,
    plain=("credit", "order"),
    references={"region": "regions"},
    parent_field="mission",
    media=True,
)
OBJECTIVES = Section(
    key="objectives", model=Objective, plain=("order",), parent_field="partnership"
)
PROGRAMME_ITEMS = Section(
    key="programme_items",
    model=ProgrammeItem,
    plain=("kind", "date", "start_time", "end_time", "order"),
    references={"city": "regions", "host": "organisations"},
    parent_field="mission",
)
FOCUS_AREAS = Section(key="focus_areas", model=FocusArea, plain=("slug", "order"))
REGIONS = Section(
    key="regions",
    model=Region,
    plain=("slug", "kind", "time_zone", "latitude", "longitude"),
    references={"parent": "regions"},
    children=(KEY_FIGURES, CLUSTERS, REGION_PHOTOS),
)
ORGANISATIONS = Section(
    key="organisations",
    model=Organisation,
    plain=("slug", "kind", "website"),
    references={"region": "regions"},
)
PARTNERSHIPS = Section(
    key="partnerships",
    model=Partnership,
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
MISSIONS = Section(
    key="missions",
    model=Mission,
    plain=("slug", "kind", "start_date", "end_date", "leader_name"),
    references={"partnership": "partnerships"},
    many={"destinations": "regions", "organisers": "organisations"},
    children=(PROGRAMME_ITEMS, MISSION_PHOTOS),
)
OUTCOMES = Section(
    key="outcomes",
    model=Outcome,
    plain=("slug", "kind", "progress", "date", "order"),
    references={"partnership": "partnerships", "mission": "missions", "area": "focus_areas"},
)
# The top-level lists, in the order they are written and imported: a reference points to an
# earlier list, or (a region's parent) to the same one.
SECTIONS = (FOCUS_AREAS, REGIONS, ORGANISATIONS, PARTNERSHIPS, MISSIONS, OUTCOMES)
SECTIONS_BY_KEY = {section.key: section for section in SECTIONS}


def all_sections() -> Iterator[Section]:
    """Every section, each top-level one followed by its children."""

    def walk(section: Section) -> Iterator[Section]:
        yield section
        for child in section.children:
            yield from walk(child)

    for section in SECTIONS:
        yield from walk(section)


def encode_value(value: Any) -> Any:
    """A database value as an entry holds it (JSON): decimals as strings (exact), ISO 8601."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if hasattr(value, "as_tuple"):  # Decimal
        return format(value, "f")
    return value
