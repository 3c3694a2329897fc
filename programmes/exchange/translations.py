"""Translation files: texts out to a translation agency as XLIFF or PO, and back in.

**Export.** A selection (missions, partnerships with everything under them, or everything
of an organisation, or the shared reference data, optionally only what is missing in the
target language) becomes one *unit* per translated field of each object whose source text
is filled: the source (Dutch, or English where the agency works from English), the current
translation if there is one, and notes for the translator (what the text is, its limit,
the page it appears on). Rich text travels as inline codes that tools protect
(``inline_codes.py``). Three formats, all written with translate-toolkit: XLIFF 1.2 (what
most agencies' tools read), XLIFF 2.0 and PO.

**Unit ids** are ``<model>.<uuid>.<field>`` (``mission.0b5e….why``): stable across
exports, meaningful to no other install, and valid XML name tokens, which XLIFF 2.0
requires. Converters lose some places a file can hold an id (``po2xliff`` numbers its
units, ``xliff2po`` drops XLIFF ids), so the id is written three times: as the unit's id
(PO: its ``msgctxt``), as its location (PO ``#:``, XLIFF 1.2 ``<context-group>``) and
nowhere else; the reader takes the first that looks like ours.

**The fingerprint** is a note on every unit: the install's UUID (``models.Installation``),
the source and target language, and a hash of the source text as it was exported. Notes
are what every tool and converter keeps (PO ``#.``, XLIFF ``<note>``), so it survives a
round trip through ``xliff2po`` and ``po2xliff`` where file headers do not. On import the
hash tells whether the source text changed since the export: such a unit is a *conflict*,
listed with both texts and not applied, because the translation may be of words that are
no longer there.

**Import** reads the whole file first and applies nothing unless every unit is acceptable:
ours (an id of this install that the user may see; another organisation's object is
"unknown", as if it did not exist), in the expected language, with inline codes that fit
the source, within the field's length, and for an object and language the user may change
(a translator only their languages). Then one transaction writes each changed object
through :func:`programmes.services.save_content`, the admin's own write: sanitized rich
text, validation, a revision, an audit log entry and the webhook events. Empty targets
and PO entries marked fuzzy change nothing.
"""

import hashlib
import re
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop, ngettext
from lxml import etree
from modeltranslation.utils import build_localized_fieldname
from translate.misc.xml_helpers import parse_xml
from translate.storage import po, xliff, xliff2
from translate.storage.xliff import ID_SEPARATOR

from programmes.domain import permissions
from programmes.domain.services import rich_text_field_names, save_content
from programmes.domain.translation_status import (
    SOURCE_LANGUAGE,
    TARGET_LANGUAGES,
    translated_fields,
)
from programmes.exchange import inline_codes
from programmes.exchange.inline_codes import MarkupError
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
    installation_id,
)
from programmes.models.richtext import sanitize_html

Progress = Callable[[int, int], None]

XLIFF_12 = "xliff12"
XLIFF_20 = "xliff20"
PO = "po"
FORMATS = {
    XLIFF_12: ("XLIFF 1.2", "xlf", "application/x-xliff+xml"),
    XLIFF_20: ("XLIFF 2.0", "xlf", "application/xliff+xml"),
    PO: ("PO (gettext)", "po", "text/x-gettext-translation"),
}
# The languages an agency may translate from: Dutch, the original, or its English version.
SOURCE_LANGUAGES = (SOURCE_LANGUAGE, "en")
TOOL = "Twinning CMS"
FILE_ID = "twinning-cms"
# The largest file an import reads: some 20,000 units of a page each, far more than an
# install holds; the admin's request limit (DJANGO_MAX_UPLOAD_MB) is above it.
MAX_FILE_BYTES = 20 * 1024**2
# The comment of an import's revisions and audit log entries (translated when shown).
IMPORT_COMMENT = gettext_noop("Imported from a translation file")
# The refusals listed for one file; the rest are counted.
MAX_PROBLEMS = 50

UNIT_ID = re.compile(
    r"^(?P<model>[a-z]+)\.(?P<uuid>[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12})\.(?P<field>[a-z_]+)$"
)
FINGERPRINT = re.compile(
    r"Twinning CMS fingerprint[^:]*: install (?P<install>[0-9a-f-]{36}); "
    r"(?P<source>[a-z-]+) to (?P<target>[a-z-]+); source (?P<hash>[0-9a-f]{16})"
)

# The models whose texts travel, by the name in unit ids.
MODELS: dict[str, type[models.Model]] = {
    model._meta.model_name: model
    for model in (
        Region,
        Organisation,
        FocusArea,
        Partnership,
        Mission,
        Outcome,
        Photo,
        KeyFigure,
        Cluster,
        Objective,
        ProgrammeItem,
    )
}


class TranslationFileError(Exception):
    """A file is refused; ``problems`` name each unit (or the file) and what is wrong.

    At most ``MAX_PROBLEMS`` are kept, and a last line says how many more there were: a
    file from another install refuses every one of its units for the same reason.
    """

    def __init__(self, problems: list[str]):
        if len(problems) > MAX_PROBLEMS:
            more = len(problems) - MAX_PROBLEMS
            problems = [
                *problems[:MAX_PROBLEMS],
                ngettext("… and %(count)d more problem.", "… and %(count)d more problems.", more)
                % {"count": more},
            ]
        super().__init__("\n".join(problems))
        self.problems = problems


# Languages ---------------------------------------------------------------------------------


def file_language(language: str) -> str:
    """Django's code as translation tools write it: ``zh-hans`` → ``zh-Hans`` (BCP 47)."""
    head, _, script = language.partition("-")
    return f"{head}-{script.title()}" if script else head


def po_language(language: str) -> str:
    """Django's code as gettext writes it: ``zh-hans`` → ``zh_Hans``."""
    return translation.to_locale(language)


def site_language(code: str | None) -> str | None:
    """A language code from a file (``zh-Hans``, ``zh_Hans``, ``ZH-hans``) as Django's."""
    if not code:
        return None
    return code.strip().replace("_", "-").lower() or None


# Selecting what to translate --------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    """One translated field of one object, and the page it appears on."""

    obj: models.Model
    field: str
    page: models.Model | None

    @property
    def unit_id(self) -> str:
        return f"{self.obj._meta.model_name}.{self.obj.uuid}.{self.field}"


@dataclass
class Selection:
    """What to export: these missions and partnerships (with everything under them), an
    organisation's content, or the shared reference data; optionally only what is missing."""

    missions: Iterable[Mission] = ()
    partnerships: Iterable[Partnership] = ()
    organisation: Organisation | None = None
    shared: bool = False
    missing_only: bool = False
    name: str = "translations"

    def texts(self) -> Iterator[Text]:
        """Every translated field of the selected objects, in page order, each once."""
        seen: set[tuple[type, int]] = set()
        for obj, page in self._objects():
            key = (type(obj), obj.pk)
            if key in seen:
                continue
            seen.add(key)
            for name in text_fields(type(obj)):
                yield Text(obj, name, page)

    def _objects(self) -> Iterator[tuple[models.Model, models.Model | None]]:
        partnerships = list(self.partnerships)
        if self.organisation is not None:
            partnerships += list(Partnership.objects.filter(owner=self.organisation))
        if partnerships:
            queryset = Partnership.objects.filter(pk__in=[p.pk for p in partnerships])
            for partnership in queryset.order_by("title_nl", "pk").prefetch_related(
                "objectives", "outcomes"
            ):
                yield partnership, partnership
                for objective in partnership.objectives.all():
                    yield objective, partnership
                yield from self._mission_objects(partnership.missions.all(), outcomes=False)
                for outcome in partnership.outcomes.all():
                    yield outcome, outcome
        missions = Mission.objects.filter(pk__in=[m.pk for m in self.missions])
        yield from self._mission_objects(missions, outcomes=True)
        if self.shared:
            yield from self._shared_objects()

    @staticmethod
    def _mission_objects(missions, *, outcomes: bool):
        related = ["programme_items", "photos", *(["outcomes"] if outcomes else [])]
        for mission in missions.order_by("title_nl", "pk").prefetch_related(*related):
            yield mission, mission
            for item in mission.programme_items.all():
                yield item, mission
            for photo in mission.photos.all():
                yield photo, mission
            if outcomes:
                for outcome in mission.outcomes.all():
                    yield outcome, outcome

    @staticmethod
    def _shared_objects():
        regions = Region.objects.order_by("name_nl", "pk").prefetch_related(
            "key_figures", "clusters"
        )
        for region in regions:
            yield region, region
            for part in (*region.key_figures.all(), *region.clusters.all()):
                yield part, region
        for photo in Photo.objects.filter(mission__isnull=True).order_by("pk"):
            yield photo, photo.region
        for organisation in Organisation.objects.order_by("name_nl", "pk"):
            yield organisation, organisation
        for area in FocusArea.objects.order_by("order", "slug"):
            yield area, None


# Units --------------------------------------------------------------------------------------


def text_fields(model: type[models.Model]) -> list[str]:
    """The translated fields of ``model`` in the order of its form and page (modeltranslation
    keeps them in a set, whose order changes between processes)."""
    translated = set(translated_fields(model))
    return [f.name for f in model._meta.fields if f.name in translated]


def column(field_name: str, language: str) -> str:
    return build_localized_fieldname(field_name, language)


def is_rich(model: type[models.Model], field_name: str) -> bool:
    return column(field_name, SOURCE_LANGUAGE) in rich_text_field_names(model)


def max_length(model: type[models.Model], field_name: str) -> int | None:
    return model._meta.get_field(field_name).max_length


def source_hash(language: str, text: str) -> str:
    """What the fingerprint keeps of a source text: 64 bits of its SHA-256."""
    return hashlib.sha256(f"{language}\n{text}".encode()).hexdigest()[:16]


def fingerprint(install: uuid.UUID, source: str, target: str, text: str) -> str:
    return (
        f"Twinning CMS fingerprint, keep it as it is: install {install}; "
        f"{source} to {target}; source {source_hash(source, text)}"
    )


@dataclass
class Unit:
    """One text as it goes into a file."""

    text: Text
    source: str
    target: str
    notes: list[str]
    rich: bool
    limit: int | None

    @property
    def id(self) -> str:
        return self.text.unit_id


def page_url(obj: models.Model | None, language: str) -> str:
    """The absolute address of ``obj``'s page in ``language`` ("" when it has none)."""
    if obj is None or not hasattr(obj, "get_absolute_url"):
        return ""
    with translation.override(language):
        return f"{settings.SITE_URL}{obj.get_absolute_url()}"


def _describe(text: Text, source_language: str) -> str:
    obj = text.obj
    with translation.override(source_language):
        name = str(obj)
    with translation.override("en"):
        kind = str(obj._meta.verbose_name).capitalize()
        label = str(obj._meta.get_field(text.field).verbose_name)
    return f"{kind} “{name}”: {label}"


def units(
    selection: Selection,
    *,
    source_language: str,
    target_language: str,
    progress: Progress | None = None,
) -> tuple[list[Unit], int]:
    """The units of ``selection``, and how many texts were left out for want of a source.

    A text counts when it is filled in Dutch (``translation_status``'s rule); it is left
    out when the source language is English and its English text is empty. With
    ``missing_only``, texts already translated into ``target_language`` are left out too.
    """
    check_languages(source_language, target_language)
    install = installation_id()
    texts = list(selection.texts())
    result, without_source = [], 0
    for done, text in enumerate(texts, start=1):
        if progress:
            progress(done, len(texts))
        obj = text.obj
        dutch = getattr(obj, column(text.field, SOURCE_LANGUAGE))
        target = getattr(obj, column(text.field, target_language)) or ""
        if not dutch or (selection.missing_only and target):
            continue
        source = getattr(obj, column(text.field, source_language)) or ""
        if not source:
            without_source += 1
            continue
        rich = is_rich(type(obj), text.field)
        limit = max_length(type(obj), text.field)
        notes = [_describe(text, source_language)]
        if rich:
            notes.append(
                f"Rich text, at most {limit:,} characters with its formatting. Keep every "
                "paragraph, heading, list and quote code where it is; bold, italic, links "
                "and line breaks may move or go."
            )
        else:
            notes.append(f"Plain text, at most {limit:,} characters.")
        if url := page_url(text.page, target_language):
            notes.append(f"Page: {url}")
        notes.append(fingerprint(install, source_language, target_language, source))
        result.append(Unit(text, source, target, notes, rich, limit))
    return result, without_source


def check_languages(source_language: str, target_language: str) -> None:
    if source_language not in SOURCE_LANGUAGES:
        raise ValueError(f"The source language is {' or '.join(SOURCE_LANGUAGES)}.")
    if target_language not in TARGET_LANGUAGES or target_language == source_language:
        choices = [lang for lang in TARGET_LANGUAGES if lang != source_language]
        raise ValueError(f"The target language is one of {', '.join(choices)}.")


# Writing ------------------------------------------------------------------------------------


class Xliff12Unit(xliff.xliffunit):
    namespace = "urn:oasis:names:tc:xliff:document:1.2"


class Xliff12File(xliff.xlifffile):
    """translate-toolkit's XLIFF store, in version 1.2 (its default skeleton is 1.1)."""

    UnitClass = Xliff12Unit
    namespace = "urn:oasis:names:tc:xliff:document:1.2"
    XMLskeleton = f"""<?xml version="1.0" ?>
<xliff version="1.2" xmlns="{namespace}">
<file original="{FILE_ID}" source-language="nl" datatype="html">
<body>
</body>
</file>
</xliff>"""


def _target_nodes(unit: Unit, source_nodes):
    """The current translation's codes numbered as the source's, or None if they do not fit.

    Elements are matched by kind and order (the second link of the translation is the
    second link of the source), as a stored translation carries no code numbers.
    """
    if not unit.target:
        return None
    by_tag: dict[str, list[str]] = {}
    for code in inline_codes.codes_of(source_nodes).values():
        by_tag.setdefault(code.tag, []).append(code.id)
    nodes = inline_codes.from_html(unit.target)
    taken: dict[str, int] = {}

    def renumber(items) -> bool:
        for node in items:
            if isinstance(node, str):
                continue
            index = taken.get(node.tag, 0)
            ids = by_tag.get(node.tag, [])
            if index >= len(ids):
                return False
            taken[node.tag] = index + 1
            node.id = ids[index]
            if not renumber(node.children):
                return False
        return True

    try:
        if not renumber(nodes):
            return None
        inline_codes.check(nodes, source_nodes)
    except MarkupError:
        return None
    return nodes


def _rich_parts(unit: Unit):
    """(source nodes, target nodes or None); a note when the translation cannot be coded."""
    source_nodes = inline_codes.from_html(unit.source)
    target_nodes = _target_nodes(unit, source_nodes)
    if unit.target and target_nodes is None:
        unit.notes.insert(
            -1,
            "The current translation's formatting does not match the source, so it is not "
            "filled in. It reads: " + inline_codes.plain_text(inline_codes.from_html(unit.target)),
        )
    return source_nodes, target_nodes


def _fill_xliff_unit(item, unit: Unit, to_placeables) -> None:
    """Id, source and current translation of an XLIFF unit; rich text as ``to_placeables``
    makes inline codes of the version."""
    item.setid(unit.id)
    if unit.rich:
        source_nodes, target_nodes = _rich_parts(unit)
        item.rich_source = [to_placeables(source_nodes)]
        if target_nodes is not None:
            item.set_rich_target([to_placeables(target_nodes)])
    else:
        item.source = unit.source
        if unit.target:
            item.target = unit.target


def write_xliff12(units_: list[Unit], *, source_language: str, target_language: str) -> bytes:
    store = Xliff12File()
    store.setsourcelanguage(file_language(source_language))
    store.settargetlanguage(file_language(target_language))
    for unit in units_:
        item = store.addsourceunit("", filename=FILE_ID)
        _fill_xliff_unit(item, unit, inline_codes.to_placeables_12)
        if item.target:
            item.markfuzzy(False)  # a translation in use: approved, not a suggestion
        if not unit.rich:
            # XLIFF 1.2's own size limit, which translation tools enforce while typing.
            item.xmlelement.set("maxwidth", str(unit.limit))
            item.xmlelement.set("size-unit", "char")
        item.xmlelement.set("resname", unit.id)
        for note in unit.notes:
            item.addnote(note, origin="developer")
        # The id again as the unit's location, which converters keep (po2xliff numbers
        # ids). A context group's name must be unique in the file: the id is.
        item.createcontextgroup(unit.id, [("sourcefile", unit.id)], purpose="location")
    etree.cleanup_namespaces(store.document)
    return bytes(store)


def write_xliff20(units_: list[Unit], *, source_language: str, target_language: str) -> bytes:
    """XLIFF 2.0 through translate-toolkit, with its notes moved where the schema has them.

    translate-toolkit 3.20 writes a unit's ``<notes>`` and ``xml:space`` on ``<segment>``,
    which the OASIS schema does not allow there; they belong to ``<unit>``
    (``tests/exchange/test_translation_files.py`` validates the result against the schema).
    """
    store = xliff2.Xliff2File(
        sourcelanguage=file_language(source_language),
        targetlanguage=file_language(target_language),
    )
    store.body.set("id", FILE_ID)
    # One unit, one segment: a tool must not split a text, whose codes span all of it.
    store.body.set("canResegment", "no")
    for unit in units_:
        item = store.addsourceunit("")
        _fill_xliff_unit(item, unit, inline_codes.to_placeables_20)
        if unit.target:
            item.xmlelement.set("state", "translated")
        element = item.getunitelement()
        element.set("name", unit.id)
        space = item.xmlelement.attrib.pop("{http://www.w3.org/XML/1998/namespace}space", None)
        if space:
            element.set("{http://www.w3.org/XML/1998/namespace}space", space)
        notes = etree.Element(f"{{{xliff2.Xliff2Unit.namespace}}}notes")
        for text in unit.notes:
            note = etree.SubElement(notes, f"{{{xliff2.Xliff2Unit.namespace}}}note")
            note.set("category", "developer")
            note.text = text
        element.insert(0, notes)
    return bytes(store)


def write_po(units_: list[Unit], *, source_language: str, target_language: str) -> bytes:
    """PO, with rich text as tags in the text (``inline_codes.to_tagged_text``)."""
    store = po.pofile()
    now = timezone.now().strftime("%Y-%m-%d %H:%M%z")
    store.updateheader(
        add=True,
        Project_Id_Version=TOOL,
        Language=po_language(target_language),
        X_Generator=TOOL,
        X_Source_Language=po_language(source_language),
        POT_Creation_Date=now,
        PO_Revision_Date=now,
        Last_Translator="",
        Language_Team="",
    )
    for unit in units_:
        if unit.rich:
            source_nodes, target_nodes = _rich_parts(unit)
            source = inline_codes.to_tagged_text(source_nodes)
            target = inline_codes.to_tagged_text(target_nodes) if target_nodes else ""
        else:
            source, target = unit.source, unit.target
        item = po.pounit(source)
        item.setcontext(unit.id)
        item.target = target
        for note in unit.notes:
            item.addnote(note, origin="developer")
        item.addlocation(unit.id)
        store.addunit(item)
    return bytes(store)


WRITERS = {XLIFF_12: write_xliff12, XLIFF_20: write_xliff20, PO: write_po}


@dataclass
class Export:
    content: bytes
    filename: str
    content_type: str
    units: int
    without_source: int


def export(
    selection: Selection,
    *,
    source_language: str = SOURCE_LANGUAGE,
    target_language: str,
    file_format: str = XLIFF_12,
    progress: Progress | None = None,
) -> Export:
    """The translation file of ``selection`` (see the module's docstring)."""
    if file_format not in FORMATS:
        raise ValueError(f"The format is one of {', '.join(FORMATS)}.")
    found, without_source = units(
        selection,
        source_language=source_language,
        target_language=target_language,
        progress=progress,
    )
    content = WRITERS[file_format](
        found, source_language=source_language, target_language=target_language
    )
    _label, extension, content_type = FORMATS[file_format]
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    filename = f"{selection.name}-{source_language}-{target_language}-{stamp}.{extension}"
    return Export(content, filename, content_type, len(found), without_source)


# Reading ------------------------------------------------------------------------------------


@dataclass
class FileUnit:
    """One unit as read from a file, whatever its format."""

    number: int  # its place in the file, for messages about units without a usable id
    ids: list[str]  # candidate ids: the unit's own, its context, its locations
    notes: str
    source_text: str  # the source as the file has it, as plain text (for conflicts)
    target: Any  # rich: nodes or tagged text; plain: text
    target_empty: bool
    fuzzy: bool
    has_codes: bool  # the target holds XLIFF inline elements (else: tags as text, or plain)

    @property
    def id(self) -> str | None:
        return next((i for i in self.ids if UNIT_ID.match(i)), None)

    @property
    def name(self) -> str:
        """How messages name the unit: its id, else whatever the file calls it (cut short)."""
        name = self.id or next((i for i in self.ids if i), f"number {self.number}")
        return name if len(name) <= 100 else f"{name[:100]}…"


@dataclass
class ParsedFile:
    format: str
    target_language: str | None
    units: list[FileUnit]


def _xliff_target(item) -> tuple[Any, bool, bool]:
    """(target, empty, has inline elements) of an XLIFF unit."""
    dom = item.get_target_dom()
    if dom is None:
        return "", True, False
    has_codes = len(dom) > 0
    target = item.rich_target[0] if has_codes else item.target or ""
    return target, not (item.target or "").strip(), has_codes


def _unit_notes_20(item) -> str:
    """XLIFF 2.0 notes: on the unit, where they belong, and on the segment (translate-toolkit)."""
    namespace = xliff2.Xliff2Unit.namespace
    element = item.getunitelement()
    texts = [
        note.text or ""
        for notes in element.iterchildren(f"{{{namespace}}}notes")
        for note in notes.iterchildren(f"{{{namespace}}}note")
    ]
    return "\n".join([*texts, item.getnotes()])


def parse(data: bytes) -> ParsedFile:
    """Read an XLIFF (1.x or 2.0) or PO file with translate-toolkit."""
    if len(data) > MAX_FILE_BYTES:
        raise TranslationFileError(
            [
                gettext("The file has %(size)s MB; at most %(limit)s MB are read.")
                % {"size": round(len(data) / 1024**2, 1), "limit": MAX_FILE_BYTES // 1024**2}
            ]
        )
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    try:
        if head.startswith(b"<"):
            return _parse_xliff(data)
        return _parse_po(data)
    except TranslationFileError:
        raise
    except (etree.XMLSyntaxError, ValueError, UnicodeDecodeError, AssertionError) as error:
        raise TranslationFileError(
            [gettext("This is not a readable XLIFF or PO file (%(error)s).") % {"error": error}]
        ) from error


def _parse_xliff(data: bytes) -> ParsedFile:
    root = parse_xml(data)
    namespace = etree.QName(root).namespace or ""
    if etree.QName(root).localname != "xliff":
        raise TranslationFileError([gettext("This is an XML file, but not XLIFF.")])
    version_2 = root.get("version", "").startswith("2.") or namespace.endswith(":2.0")
    if version_2:
        store = xliff2.Xliff2File.parsestring(data)
        file_format = XLIFF_20
    else:
        store = xliff.xlifffile.parsestring(data)
        file_format = XLIFF_12
    found = []
    for number, item in enumerate(store.units, start=1):
        if item.isheader() or (getattr(item, "getrestype", lambda: None)() or "").endswith(
            "gettext-domain-header"
        ):
            continue
        own = item.getid() or ""
        own = own.rsplit(ID_SEPARATOR, 1)[-1]
        ids = [own.partition("::")[0] if version_2 else own]
        if version_2:
            notes = _unit_notes_20(item)
            if "::" in own:
                ids = [own]  # a unit split into segments: refused below as unknown
        else:
            notes = item.getnotes()
            ids += item.getlocations()
        target, empty, has_codes = _xliff_target(item)
        found.append(
            FileUnit(
                number=number,
                ids=ids,
                notes=notes,
                source_text=item.source or "",
                target=target,
                target_empty=empty,
                fuzzy=False,
                has_codes=has_codes,
            )
        )
    languages = {site_language(store.gettargetlanguage())} - {None}
    if not version_2:
        languages = {
            site_language(node.get("target-language"))
            for node in store.document.getroot().iterchildren(store.namespaced("file"))
        } - {None}
    if len(languages) > 1:
        raise TranslationFileError(
            [
                gettext("The file mixes target languages (%(languages)s).")
                % {"languages": ", ".join(sorted(languages))}
            ]
        )
    return ParsedFile(file_format, next(iter(languages), None), found)


def _parse_po(data: bytes) -> ParsedFile:
    store = po.pofile.parsestring(data)
    if not store.units:
        raise TranslationFileError([gettext("The file holds no text of this site.")])
    found = []
    for number, item in enumerate(store.units, start=1):
        if item.isheader() or item.isobsolete():
            continue
        ids = [item.getcontext() or "", *item.getlocations()]
        target = item.target or ""
        found.append(
            FileUnit(
                number=number,
                ids=ids,
                notes=item.getnotes(),
                source_text=item.source or "",
                target=target,
                target_empty=not target.strip(),
                fuzzy=item.isfuzzy(),
                has_codes=False,
            )
        )
    language = site_language(store.parseheader().get("Language"))
    return ParsedFile(PO, language, found)


# Planning and applying an import ------------------------------------------------------------


@dataclass
class Change:
    unit_id: str
    obj: models.Model
    field: str
    column: str
    old: str
    new: str
    rich: bool

    @property
    def label(self) -> str:
        return str(self.obj._meta.get_field(self.field).verbose_name)


@dataclass
class Conflict:
    unit_id: str
    obj: models.Model
    field: str
    exported: str  # the source text as the file has it
    current: str  # the source text now

    @property
    def label(self) -> str:
        return str(self.obj._meta.get_field(self.field).verbose_name)


@dataclass
class Plan:
    """What an import would change (or did): changes, conflicts, and what it left alone."""

    format: str
    language: str
    source_language: str
    changes: list[Change] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    unchanged: int = 0
    empty: int = 0
    fuzzy: int = 0
    applied: bool = False

    @property
    def objects(self) -> list[tuple[models.Model, list[Change]]]:
        """The changes grouped by object, in file order."""
        grouped: dict[tuple[type, int], tuple[models.Model, list[Change]]] = {}
        for change in self.changes:
            key = (type(change.obj), change.obj.pk)
            grouped.setdefault(key, (change.obj, []))[1].append(change)
        return list(grouped.values())

    @property
    def digest(self) -> str:
        """Names this plan's changes, so a confirmation applies what the preview showed."""
        content = "\n".join(f"{c.unit_id}\n{c.old}\n{c.new}" for c in self.changes)
        return hashlib.sha256(content.encode()).hexdigest()

    def __str__(self) -> str:
        verb = "Changed" if self.applied else "Would change"
        parts = [
            f"{verb} {len(self.changes)} text{'s' * (len(self.changes) != 1)} "
            f"of {len(self.objects)} object{'s' * (len(self.objects) != 1)} "
            f"in {self.language}"
        ]
        if self.conflicts:
            parts.append(f"{len(self.conflicts)} conflict(s) not applied")
        parts.append(f"{self.unchanged} unchanged, {self.empty} empty")
        if self.fuzzy:
            parts.append(f"{self.fuzzy} fuzzy left out")
        return "; ".join(parts) + "."


def _refuse_unit(problems: list[str], unit: FileUnit, message: str) -> None:
    problems.append(gettext("Unit %(unit)s: %(problem)s") % {"unit": unit.name, "problem": message})


def language_name(code: str | None) -> str:
    names = dict(settings.LANGUAGES)
    return str(names[code]) if code in names else str(code)


UNKNOWN = gettext_noop("unknown id: there is no such text on this site.")


def _find_object(model: type[models.Model], key: str, *, user, lock: bool):
    # Ordered by the key alone: a model's own ordering may follow a nullable relation (an
    # outcome's mission), and PostgreSQL cannot lock the outer side of such a join.
    queryset = model._default_manager.filter(uuid=key).order_by("pk")
    if lock:
        queryset = queryset.select_for_update()
    obj = queryset.first()
    if obj is None:
        return None
    if user is not None and not permissions.can(user, "view", obj):
        return None  # another organisation's: as unknown as a made-up id
    return obj


def _may_change(user, obj: models.Model, language: str) -> bool:
    """``None`` is a management command: the install's operator, who may change anything."""
    if user is None:
        return True
    if not permissions.can(user, "change", obj):
        return False
    languages = permissions.editable_languages(user, obj)
    return languages is None or language in languages


def _new_value(unit: FileUnit, source: str, rich: bool) -> str:
    """The translation as the field would store it; :class:`MarkupError` if it cannot be."""
    if not rich:
        if unit.has_codes:
            nodes = inline_codes.from_placeables(unit.target)
            inline_codes.check(nodes, [source])
            return inline_codes.plain_text(nodes)
        return str(unit.target)
    source_nodes = inline_codes.from_html(source)
    if unit.has_codes:
        nodes = inline_codes.from_placeables(unit.target)
    else:
        nodes = inline_codes.from_tagged_text(str(unit.target))
    inline_codes.check(nodes, source_nodes)
    return sanitize_html(inline_codes.to_html(nodes, inline_codes.codes_of(source_nodes)))


def plan_import(
    data: bytes,
    *,
    user=None,
    language: str | None = None,
    lock: bool = False,
    progress: Progress | None = None,
) -> Plan:
    """Read ``data`` and work out what importing it would change, changing nothing.

    Raises :class:`TranslationFileError` naming every unit that is refused (see the
    module's docstring); ``language``, when given, is the only target language accepted.
    """
    parsed = parse(data)
    install = str(installation_id())
    if language is not None and parsed.target_language not in (None, language):
        raise TranslationFileError(
            [
                gettext("The file is a translation into %(file)s, not %(expected)s.")
                % {
                    "file": language_name(parsed.target_language),
                    "expected": language_name(language),
                }
            ]
        )
    problems: list[str] = []
    seen: dict[str, FileUnit] = {}
    languages: set[tuple[str, str]] = set()
    readable: list[tuple[FileUnit, dict]] = []
    for done, unit in enumerate(parsed.units, start=1):
        if progress:
            progress(done, len(parsed.units))
        unit_id = unit.id
        if unit_id is None:
            _refuse_unit(problems, unit, gettext(UNKNOWN))
            continue
        if unit_id in seen:
            _refuse_unit(problems, unit, gettext("it occurs twice in the file."))
            continue
        seen[unit_id] = unit
        mark = FINGERPRINT.search(unit.notes)
        if mark is None:
            _refuse_unit(
                problems,
                unit,
                gettext(
                    "its fingerprint note is missing, so its source text cannot be checked; "
                    "translate a file exported from this site."
                ),
            )
            continue
        if mark["install"] != install:
            _refuse_unit(
                problems, unit, gettext("it was exported from another installation of the site.")
            )
            continue
        target = site_language(mark["target"])
        source_language = site_language(mark["source"])
        wrong = (
            target not in TARGET_LANGUAGES
            or source_language not in SOURCE_LANGUAGES
            or target == source_language
            or (language is not None and target != language)
            or (parsed.target_language is not None and target != parsed.target_language)
        )
        if wrong:
            _refuse_unit(
                problems,
                unit,
                gettext("it is a translation into %(file)s, not %(expected)s.")
                % {
                    "file": language_name(target),
                    "expected": language_name(language or parsed.target_language),
                },
            )
            continue
        languages.add((source_language, target))
        readable.append((unit, {"hash": mark["hash"], **UNIT_ID.match(unit_id).groupdict()}))
    if len(languages) > 1:
        problems.append(gettext("The file mixes languages; export one file per language."))
    if problems:
        raise TranslationFileError(problems)
    if not readable:
        raise TranslationFileError([gettext("The file holds no text of this site.")])
    ((source_language, target_language),) = languages
    plan = Plan(parsed.format, target_language, source_language)
    objects: dict = {}
    for unit, parts in readable:
        _plan_unit(plan, problems, unit, parts, objects, user=user, lock=lock)
    if problems:
        raise TranslationFileError(problems)
    return plan


def _plan_unit(
    plan: Plan, problems: list[str], unit: FileUnit, parts: dict, objects: dict, *, user, lock
):
    """Add what ``unit`` would change to ``plan`` (or why it cannot to ``problems``).

    ``objects`` keeps each object found, by model and UUID: an object's texts are several
    units, and one instance (fetched and permission-checked once) takes all their changes.
    """
    model = MODELS.get(parts["model"])
    name = parts["field"]
    if model is None or name not in translated_fields(model):
        _refuse_unit(problems, unit, gettext(UNKNOWN))
        return
    key = (model, parts["uuid"])
    if key not in objects:
        objects[key] = _find_object(model, parts["uuid"], user=user, lock=lock)
    obj = objects[key]
    if obj is None:
        _refuse_unit(problems, unit, gettext(UNKNOWN))
        return
    if unit.target_empty:
        plan.empty += 1
        return
    if unit.fuzzy:
        plan.fuzzy += 1
        return
    if not _may_change(user, obj, plan.language):
        if permissions.is_frozen(obj):
            message = gettext(
                "you may not change the %(language)s texts of “%(object)s”: it is published, "
                "so only a publisher may."
            )
        else:
            message = gettext("you may not change the %(language)s texts of “%(object)s”.")
        _refuse_unit(
            problems, unit, message % {"language": language_name(plan.language), "object": obj}
        )
        return
    source = getattr(obj, column(name, plan.source_language)) or ""
    if source_hash(plan.source_language, source) != parts["hash"]:
        rich = is_rich(model, name)
        current = inline_codes.plain_text(inline_codes.from_html(source)) if rich else source
        plan.conflicts.append(Conflict(unit.name, obj, name, unit.source_text, current))
        return
    rich = is_rich(model, name)
    try:
        new = _new_value(unit, source, rich)
    except MarkupError as error:
        _refuse_unit(problems, unit, gettext("broken markup: %(error)s") % {"error": error})
        return
    target_column = column(name, plan.language)
    try:
        obj._meta.get_field(target_column).run_validators(new)
    except ValidationError as error:
        _refuse_unit(problems, unit, " ".join(error.messages))
        return
    old = getattr(obj, target_column) or ""
    if new == old:
        plan.unchanged += 1
        return
    plan.changes.append(Change(unit.name, obj, name, target_column, old, new, rich))


def import_file(
    data: bytes,
    *,
    user=None,
    language: str | None = None,
    dry_run: bool = False,
    expected_digest: str | None = None,
    progress: Progress | None = None,
) -> Plan:
    """Plan the import of ``data`` and, unless ``dry_run``, apply it in one transaction.

    With ``expected_digest`` (the preview's :attr:`Plan.digest`), nothing is applied when
    the changes differ from the ones the preview showed: :class:`PreviewOutdatedError`.
    """
    if dry_run:
        return plan_import(data, user=user, language=language, progress=progress)
    with transaction.atomic():
        plan = plan_import(data, user=user, language=language, lock=True, progress=progress)
        if expected_digest is not None and plan.digest != expected_digest:
            raise PreviewOutdatedError(plan)
        problems = []
        for obj, changes in plan.objects:
            for change in changes:
                setattr(obj, change.column, change.new)
            try:
                save_content(obj, user=user, comment=IMPORT_COMMENT)
            except ValidationError as error:
                names = ", ".join(change.unit_id for change in changes)
                problems.append(
                    gettext("Unit %(unit)s: %(problem)s")
                    % {"unit": names, "problem": " ".join(error.messages)}
                )
                break
        if problems:
            raise TranslationFileError(problems)  # leaving the block rolls everything back
        plan.applied = True
    return plan


class PreviewOutdatedError(Exception):
    """The content changed between the preview and its confirmation; ``plan`` is the new one."""

    def __init__(self, plan: Plan):
        super().__init__("The content changed since the preview.")
        self.plan = plan
