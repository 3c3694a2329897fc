"""Translation files: export to XLIFF 1.2, XLIFF 2.0 and PO, edit with translate-toolkit,
import back (programmes/exchange/translations.py).

The files are checked against the OASIS schemas (tests/exchange/schemas/xliff/) and carried through
translate-toolkit's own converters; every refusal is checked to change nothing at all.
"""

import functools
import io
import subprocess
import sys
from pathlib import Path

import pytest
import reversion
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.utils import translation
from lxml import etree
from reversion.models import Version
from translate.convert import po2xliff, xliff2po
from translate.storage import po, xliff, xliff2
from translate.storage.placeables import StringElem
from translate.storage.placeables import xliff as placeables

from programmes.domain import services
from programmes.domain.permissions import EDITOR, PUBLISHER, TRANSLATOR
from programmes.exchange import translations
from programmes.exchange.translations import Selection
from programmes.models import AuditLogEntry, Installation, Mission, Status
from webhooks.models import Delivery, Endpoint, PublicCopy

from ..factories import (
    MissionFactory,
    OrganisationFactory,
    PartnershipFactory,
    PhotoFactory,
    ProgrammeItemFactory,
    StaffFactory,
)

pytestmark = pytest.mark.django_db

SCHEMAS = Path(__file__).resolve().parent / "schemas" / "xliff"
BIN = Path(sys.executable).parent
WHY_NL = (
    '<p>Lees <a href="https://www.enschede.nl/dalian">het verslag</a> en <strong>kom</strong> '
    "mee.</p><ul><li><p>Shanghai</p></li><li><p>Dalian</p></li></ul>"
)


# Helpers ------------------------------------------------------------------------------------


class LocalSchemas(etree.Resolver):
    """Both XLIFF schemas import W3C's xml.xsd by URL: the local copy, never the network."""

    def resolve(self, url, pubid, context):
        if url.endswith("xml.xsd"):
            return self.resolve_filename(str(SCHEMAS / "xml.xsd"), context)
        if "://" in url:
            raise AssertionError(f"The schema imports {url}, which is not in its folder.")
        return None


@functools.cache
def schema(name: str) -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(LocalSchemas())
    return etree.XMLSchema(etree.parse(str(SCHEMAS / name), parser))


def assert_valid(content: bytes, schema_name: str) -> None:
    checker = schema(schema_name)
    valid = checker.validate(etree.fromstring(content))
    assert valid, "\n".join(str(error) for error in checker.error_log)


def database() -> dict:
    """Every row of every table but the sessions: what "nothing changed" compares."""
    with translation.override("nl"):
        return {
            model._meta.label: list(model._base_manager.order_by("pk").values_list())
            for model in apps.get_models()
            if model is not Session
        }


def export(obj, language="zh-hans", file_format=translations.XLIFF_12, **kwargs) -> bytes:
    key = "missions" if isinstance(obj, Mission) else "partnerships"
    selection = Selection(**{key: [obj]}, name=obj.slug, missing_only=kwargs.pop("missing", False))
    return translations.export(
        selection, target_language=language, file_format=file_format, **kwargs
    ).content


def xliff12_units(content: bytes) -> dict:
    store = xliff.xlifffile.parsestring(content)
    return {unit.getid().rsplit(xliff.ID_SEPARATOR, 1)[-1]: unit for unit in store.units}


def unit_id(obj, field) -> str:
    return f"{obj._meta.model_name}.{obj.uuid}.{field}"


def g(code: str, *sub):
    return placeables.G(id=code, sub=[StringElem(s) if isinstance(s, str) else s for s in sub])


WHY_ZH = StringElem(
    [
        g("1", "请阅读", g("2", "报告"), "，", g("3", "欢迎"), "同行。"),
        g("4", g("5", g("6", "上海")), g("7", g("8", "大连"))),
    ]
)
WHY_ZH_HTML = (
    '<p>请阅读<a href="https://www.enschede.nl/dalian">报告</a>，<strong>欢迎</strong>同行。</p>'
    "<ul><li><p>上海</p></li><li><p>大连</p></li></ul>"
)


@pytest.fixture
def mission(db):
    """A draft mission with rich text (a link, bold, a list) and no Chinese yet."""
    partnership = PartnershipFactory(status=Status.DRAFT)
    mission = MissionFactory(
        partnership=partnership,
        status=Status.DRAFT,
        why_nl=WHY_NL,
        why_en='<p>Read <a href="https://www.enschede.nl/dalian">the report</a>.</p>',
        why_zh_hans="",
        title_zh_hans="",
        summary_zh_hans="",
    )
    ProgrammeItemFactory(mission=mission, title_zh_hans="", description_zh_hans="")
    return mission


@pytest.fixture
def editor(mission):
    return StaffFactory(role=EDITOR, organisations=[mission.partnership.owner])


def fill_xliff12(content: bytes, targets: dict) -> bytes:
    """A translator's work in a CAT tool: targets set through translate-toolkit."""
    store = xliff.xlifffile.parsestring(content)
    for unit in store.units:
        key = unit.getid().rsplit(xliff.ID_SEPARATOR, 1)[-1]
        if key in targets:
            value = targets[key]
            if isinstance(value, StringElem):
                unit.set_rich_target([value], "zh-Hans")
            else:
                unit.target = value
            unit.markfuzzy(False)
    return bytes(store)


# Export -------------------------------------------------------------------------------------


def test_an_xliff_12_unit_per_text_with_source_target_notes_and_fingerprint(mission):
    item = mission.programme_items.get()
    units = xliff12_units(export(mission))
    mission_fields = [
        "title",
        "leader_role",
        "participants",
        "summary",
        "context",
        "why",
        "programme_intro",
        "result",
    ]
    assert list(units) == [unit_id(mission, name) for name in mission_fields] + [
        unit_id(item, "title"),
        unit_id(item, "description"),
    ]
    title = units[unit_id(mission, "title")]
    assert title.source == mission.title_nl
    assert title.target is None  # no Chinese yet
    assert title.xmlelement.get("maxwidth") == "200"
    notes = title.getnotes()
    assert f"Mission “{mission.title_nl}”: title" in notes
    assert "Plain text, at most 200 characters." in notes
    assert f"Page: /zh-hans/missions/{mission.slug}/" in notes
    install = Installation.objects.get().uuid
    digest = translations.source_hash("nl", mission.title_nl)
    assert f"install {install}; nl to zh-hans; source {digest}" in notes
    assert units[unit_id(mission, "leader_role")].target == mission.leader_role_zh_hans
    assert units[unit_id(item, "title")].getnotes().count(f"/missions/{mission.slug}/") == 1


def test_rich_text_is_xliff_12_inline_codes_in_the_schema(mission):
    content = export(mission)
    assert_valid(content, "xliff-core-1.2-strict.xsd")
    why = xliff12_units(content)[unit_id(mission, "why")]
    source = etree.tostring(why.source_dom, encoding="unicode")
    assert 'ctype="link">het verslag</g>' in source
    assert 'ctype="bold">kom</g>' in source
    assert 'ctype="x-html-ul"' in source
    assert "href" not in source  # the address stays here, the translator sees the code
    assert "Rich text, at most 50,000 characters" in why.getnotes()


def test_xliff_20_has_pc_codes_notes_on_the_unit_and_is_in_the_schema(mission):
    content = export(mission, file_format=translations.XLIFF_20)
    assert_valid(content, "xliff-core-2.0.xsd")
    store = xliff2.Xliff2File.parsestring(content)
    units = {unit.getid(): unit for unit in store.units}
    assert store.gettargetlanguage() == "zh-Hans"
    why = units[unit_id(mission, "why")]
    source = etree.tostring(why.source_dom, encoding="unicode")
    assert (
        'type="link" dispStart="&lt;a href=&quot;https://www.enschede.nl/dalian&quot;&gt;"'
        in source
    )
    assert 'subType="xlf:b"' in source
    assert 'canDelete="no"' in source
    notes = why.getunitelement().find("{urn:oasis:names:tc:xliff:document:2.0}notes")
    assert "fingerprint" in "".join(notes.itertext())


def test_po_has_context_location_comments_and_tags_in_the_text(mission):
    store = po.pofile.parsestring(export(mission, file_format=translations.PO))
    assert store.parseheader()["Language"] == "zh_Hans"
    why = next(unit for unit in store.units if unit.getcontext() == unit_id(mission, "why"))
    assert why.getlocations() == [unit_id(mission, "why")]
    assert why.source.startswith('<p id="1">Lees <a id="2">het verslag</a> en <strong id="3">')
    assert "fingerprint" in why.getnotes("developer")


def test_the_current_translation_is_the_target_with_the_sources_codes(mission):
    mission.why_zh_hans = WHY_ZH_HTML
    services.save_content(mission)
    why = xliff12_units(export(mission))[unit_id(mission, "why")]
    target = etree.tostring(why.get_target_dom(), encoding="unicode")
    assert '<g id="2" ctype="link">报告</g>' in target
    assert '<g id="3" ctype="bold">欢迎</g>' in target


def test_ids_are_stable_between_exports(mission):
    assert list(xliff12_units(export(mission))) == list(xliff12_units(export(mission)))


def test_english_as_source_and_texts_without_english_left_out(mission):
    mission.result_en = ""
    services.save_content(mission)
    result = translations.export(
        Selection(missions=[mission]), source_language="en", target_language="zh-hans"
    )
    units = xliff12_units(result.content)
    assert units[unit_id(mission, "title")].source == mission.title_en
    assert unit_id(mission, "result") not in units
    assert result.without_source == 1
    assert "; en to zh-hans;" in units[unit_id(mission, "title")].getnotes()


def test_only_what_is_missing(mission):
    units = xliff12_units(export(mission, missing=True))
    assert set(units) == {
        unit_id(mission, "title"),
        unit_id(mission, "summary"),
        unit_id(mission, "why"),
        unit_id(mission.programme_items.get(), "title"),
        unit_id(mission.programme_items.get(), "description"),
    }


def test_a_partnership_with_everything_under_it(mission):
    photo = PhotoFactory(mission=mission)
    units = xliff12_units(export(mission.partnership))
    assert unit_id(mission.partnership, "title") in units
    assert unit_id(mission, "why") in units
    assert unit_id(photo, "alt_text") in units
    assert units[unit_id(photo, "alt_text")].getnotes().count(f"/missions/{mission.slug}/") == 1


def test_a_chinese_source_of_english_is_refused():
    with pytest.raises(ValueError, match="target language"):
        translations.check_languages("nl", "nl")


# Import: round trips --------------------------------------------------------------------------


def test_xliff_12_translated_with_translate_toolkit_is_imported_through_the_services(
    mission, editor
):
    item = mission.programme_items.get()
    content = fill_xliff12(
        export(mission),
        {
            unit_id(mission, "title"): "恩斯赫德考察团",
            unit_id(mission, "why"): WHY_ZH,
            unit_id(item, "title"): "参观港口",
        },
    )
    plan = translations.import_file(content, user=editor)
    assert plan.applied and len(plan.changes) == 3
    mission.refresh_from_db()
    item.refresh_from_db()
    assert mission.title_zh_hans == "恩斯赫德考察团"
    assert mission.why_zh_hans == WHY_ZH_HTML
    assert item.title_zh_hans == "参观港口"
    assert mission.title_nl.startswith("Missie")  # the source is untouched
    entry = AuditLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Mission), object_id=str(mission.pk)
    ).latest("pk")
    assert (entry.user, entry.message) == (editor, translations.IMPORT_COMMENT)
    assert "why_zh_hans" in entry.changed_fields
    version = Version.objects.get_for_object(mission).first()
    assert version.revision.comment == translations.IMPORT_COMMENT
    assert version.revision.user == editor


def test_a_links_address_comes_from_the_source_whatever_the_file_says(mission, editor):
    """A code carries no attribute in: the translation cannot change or add an address."""
    crafted = StringElem(
        [
            placeables.G(
                id="1",
                sub=[
                    StringElem("看"),
                    placeables.G(
                        id="2",
                        sub=[StringElem("这里")],
                        xml_attrib={"ctype": "link", "href": "javascript:alert(1)"},
                    ),
                ],
            ),
            g("4", g("5", g("6", "上海")), g("7", g("8", "大连"))),
        ]
    )
    content = fill_xliff12(export(mission), {unit_id(mission, "why"): crafted})
    translations.import_file(content, user=editor)
    mission.refresh_from_db()
    assert mission.why_zh_hans == (
        '<p>看<a href="https://www.enschede.nl/dalian">这里</a></p>'
        "<ul><li><p>上海</p></li><li><p>大连</p></li></ul>"
    )


def test_xliff_20_round_trip(mission, editor):
    content = export(mission, file_format=translations.XLIFF_20)
    store = xliff2.Xliff2File.parsestring(content)
    for unit in store.units:
        if unit.getid() == unit_id(mission, "title"):
            unit.target = "恩斯赫德考察团"
        if unit.getid() == unit_id(mission, "why"):
            # The translator keeps the source's codes and translates the words around them.
            target = unit.rich_source[0].copy()
            for leaf, text in zip(
                [leaf for leaf in target.flatten() if str(leaf).strip()],
                ["请阅读", "报告", "，", "欢迎", "同行。", "上海", "大连"],
                strict=True,
            ):
                leaf.sub = [text]
            unit.set_rich_target([target], "zh-Hans")
    # (translate-toolkit puts xml:space back on <segment> as it edits: the schema would refuse
    # this file, but tools read it, and so does the import.)
    translations.import_file(bytes(store), user=editor)
    mission.refresh_from_db()
    assert mission.title_zh_hans == "恩斯赫德考察团"
    assert mission.why_zh_hans == WHY_ZH_HTML


def test_po_through_po2xliff_and_xliff2po_on_the_command_line(mission, editor, tmp_path):
    """The agency converts our PO to XLIFF, translates, converts back: ids and fingerprints
    survive in the locations and comments, and the codes as tags in the text."""
    (tmp_path / "mission.po").write_bytes(export(mission, file_format=translations.PO))
    subprocess.run([BIN / "po2xliff", "mission.po", "mission.xlf"], cwd=tmp_path, check=True)
    store = xliff.xlifffile.parsestring((tmp_path / "mission.xlf").read_bytes())
    for unit in store.units:
        if unit_id(mission, "why") in unit.getlocations():
            unit.target = (
                '<p id="1">请阅读<a id="2">报告</a>，<strong id="3">欢迎</strong>同行。</p>'
                '<ul id="4"><li id="5"><p id="6">上海</p></li>'
                '<li id="7"><p id="8">大连</p></li></ul>'
            )
        if unit_id(mission, "title") in unit.getlocations():
            unit.target = "恩斯赫德考察团"
    (tmp_path / "mission.xlf").write_bytes(bytes(store))
    subprocess.run([BIN / "xliff2po", "mission.xlf", "back.po"], cwd=tmp_path, check=True)
    back = (tmp_path / "back.po").read_bytes()
    assert b"msgctxt" not in back  # xliff2po drops it: the location carries the id

    translations.import_file(back, user=editor)
    mission.refresh_from_db()
    assert mission.title_zh_hans == "恩斯赫德考察团"
    assert mission.why_zh_hans == WHY_ZH_HTML


def test_xliff_made_by_po2xliff_imports_directly(mission, editor):
    converted = io.BytesIO()
    po2xliff.convertpo(io.BytesIO(export(mission, file_format=translations.PO)), converted, None)
    store = xliff.xlifffile.parsestring(converted.getvalue())
    for unit in store.units:
        if unit_id(mission, "summary") in unit.getlocations():
            unit.target = "<摘要> & 更多"  # plain text keeps its < and &
    translations.import_file(bytes(store), user=editor)
    mission.refresh_from_db()
    assert mission.summary_zh_hans == "<摘要> & 更多"


def test_xliff2po_flattens_codes_and_such_a_file_is_refused(mission, editor):
    """translate-toolkit's xliff2po keeps only the words of <g> codes: importing that would
    lose the paragraphs and the link, so the unit is refused, naming it."""
    translated = fill_xliff12(export(mission), {unit_id(mission, "why"): WHY_ZH})
    converted = io.BytesIO()
    xliff2po.convertxliff(io.BytesIO(translated), converted, None)
    before = database()
    with translation.override("en"), pytest.raises(translations.TranslationFileError) as refused:
        translations.import_file(converted.getvalue(), user=editor)
    flattened = [unit_id(mission, name) for name in ("context", "why", "programme_intro", "result")]
    assert refused.value.problems == [
        f"Unit {unit}: broken markup: text stands outside the paragraphs, where the source has "
        "none; keep every word inside the codes where it stands in the source."
        for unit in flattened
    ]
    assert database() == before


def test_empty_targets_change_nothing(mission, editor):
    before = database()
    plan = translations.import_file(export(mission), user=editor)
    assert plan.changes == [] and plan.empty == 5 and plan.unchanged == 5
    assert database() == before


def test_a_fuzzy_po_entry_is_left_out(mission, editor):
    store = po.pofile.parsestring(export(mission, file_format=translations.PO))
    for unit in store.units:
        if unit.getcontext() == unit_id(mission, "title"):
            unit.target = "恩斯赫德考察团"
            unit.markfuzzy()
    plan = translations.import_file(bytes(store), user=editor)
    assert plan.fuzzy == 1 and plan.changes == []


def test_a_source_changed_since_the_export_is_a_conflict_with_both_texts(mission, editor):
    content = fill_xliff12(
        export(mission),
        {unit_id(mission, "why"): WHY_ZH, unit_id(mission, "title"): "恩斯赫德考察团"},
    )
    mission.why_nl = "<p>Een nieuwe tekst.</p>"
    services.save_content(mission)
    plan = translations.import_file(content, user=editor)
    [conflict] = plan.conflicts
    assert conflict.unit_id == unit_id(mission, "why")
    assert conflict.exported == "Lees het verslag en kom mee.ShanghaiDalian"
    assert conflict.current == "Een nieuwe tekst."
    mission.refresh_from_db()
    assert mission.why_zh_hans == ""  # not applied
    assert mission.title_zh_hans == "恩斯赫德考察团"  # the rest is


def test_a_public_mission_changed_by_an_import_is_a_webhook_event(
    mission, django_capture_on_commit_callbacks
):
    Endpoint.objects.create(url="https://partner.example/hook", all_partnerships=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.publish([mission.partnership, mission])
    assert PublicCopy.objects.filter(uuid=mission.uuid).exists()
    publisher = StaffFactory(role=PUBLISHER, organisations=[mission.partnership.owner])
    content = fill_xliff12(export(mission), {unit_id(mission, "title"): "恩斯赫德考察团"})
    with django_capture_on_commit_callbacks(execute=True):
        translations.import_file(content, user=publisher)
    changed = Delivery.objects.filter(event_type="mission.changed")
    assert [delivery.payload["object"]["uuid"] for delivery in changed] == [str(mission.uuid)]


def test_dry_run_changes_nothing(mission, editor):
    content = fill_xliff12(export(mission), {unit_id(mission, "title"): "恩斯赫德考察团"})
    before = database()
    plan = translations.import_file(content, user=editor, dry_run=True)
    assert [change.new for change in plan.changes] == ["恩斯赫德考察团"]
    assert not plan.applied
    assert database() == before


# Import: refusals, each changing nothing -------------------------------------------------------


def refused(content: bytes, **kwargs) -> list[str]:
    before = database()
    with translation.override("en"), pytest.raises(translations.TranslationFileError) as error:
        translations.import_file(content, **kwargs)
    assert database() == before, "a refused import changed the database"
    return error.value.problems


def test_an_unknown_id_is_refused(mission, editor):
    content = fill_xliff12(export(mission), {unit_id(mission, "title"): "恩斯赫德考察团"})
    made_up = unit_id(mission, "title").replace(str(mission.uuid)[:8], "00000000")
    content = content.replace(unit_id(mission, "title").encode(), made_up.encode())
    assert refused(content, user=editor) == [
        f"Unit {made_up}: unknown id: there is no such text on this site."
    ]


def test_another_organisations_object_is_unknown_as_if_it_did_not_exist(mission):
    stranger = StaffFactory(role=PUBLISHER, organisations=[OrganisationFactory()])
    content = fill_xliff12(export(mission), {unit_id(mission, "title"): "恩斯赫德考察团"})
    problems = refused(content, user=stranger)
    assert f"Unit {unit_id(mission, 'title')}: unknown id: there is no such text on this site." in (
        problems
    )
    assert not any(mission.title_nl in problem for problem in problems)


def test_a_file_into_another_language_is_refused(mission, editor):
    content = fill_xliff12(export(mission), {unit_id(mission, "title"): "恩斯赫德考察团"})
    assert refused(content, user=editor, language="en") == [
        "The file is a translation into Simplified Chinese, not English."
    ]
    # A file whose header says English but whose units were exported for Chinese.
    relabelled = content.replace(b'target-language="zh-Hans"', b'target-language="en"')
    problems = refused(relabelled, user=editor)
    assert problems[0] == (
        f"Unit {unit_id(mission, 'title')}: it is a translation into Simplified Chinese, "
        "not English."
    )


def test_a_file_from_another_install_is_refused(mission, editor):
    content = fill_xliff12(export(mission), {unit_id(mission, "title"): "恩斯赫德考察团"})
    Installation.objects.update(uuid="6b1f4a0e-9d7e-4c41-8a53-0c2f5d7e9a11")
    assert refused(content, user=editor)[0] == (
        f"Unit {unit_id(mission, 'title')}: it was exported from another installation of the site."
    )


def the_list():
    """The source's list, translated, codes and all."""
    return g("4", g("5", g("6", "上")), g("7", g("8", "大")))


@pytest.mark.parametrize(
    ("target", "problem"),
    [
        (
            StringElem([g("1", "只有一段")]),
            "code 4 (list) is missing.",
        ),
        (
            StringElem([g("1", "一", g("99", "二")), the_list()]),
            "code 99 is not in the source text.",
        ),
        (
            StringElem(
                [
                    g("1", "一", g("2", "二"), g("2", "三")),
                    the_list(),
                ]
            ),
            "code 2 (link) occurs twice.",
        ),
        (
            StringElem(
                [
                    StringElem("无段落"),
                    g("1", "一"),
                    the_list(),
                ]
            ),
            "text stands outside the paragraphs, where the source has none; keep every word "
            "inside the codes where it stands in the source.",
        ),
        (
            StringElem([g("1", "一"), g("4", g("5", g("6", "上"))), g("7", g("8", "大"))]),
            "code 7 (list item) has moved elsewhere.",
        ),
    ],
)
def test_broken_markup_is_refused(mission, editor, target, problem):
    content = fill_xliff12(export(mission), {unit_id(mission, "why"): target})
    assert refused(content, user=editor) == [
        f"Unit {unit_id(mission, 'why')}: broken markup: {problem}"
    ]


def test_broken_tags_in_a_po_file_are_refused(mission, editor):
    store = po.pofile.parsestring(export(mission, file_format=translations.PO))
    for unit in store.units:
        if unit.getcontext() == unit_id(mission, "why"):
            unit.target = '<p id="1">未闭合'
    assert refused(bytes(store), user=editor) == [
        f"Unit {unit_id(mission, 'why')}: broken markup: <p> is not closed."
    ]


def test_a_text_over_the_fields_limit_is_refused(mission, editor):
    content = fill_xliff12(export(mission), {unit_id(mission, "title"): "长" * 201})
    assert refused(content, user=editor) == [
        f"Unit {unit_id(mission, 'title')}: Ensure this value has at most 200 characters "
        "(it has 201)."
    ]


def test_a_translator_changes_only_their_languages(mission):
    translator = StaffFactory(
        role=TRANSLATOR, organisations=[mission.partnership.owner], languages=["en"]
    )
    content = fill_xliff12(export(mission), {unit_id(mission, "title"): "恩斯赫德考察团"})
    assert refused(content, user=translator)[0] == (
        f"Unit {unit_id(mission, 'title')}: you may not change the Simplified Chinese texts "
        f"of “{mission.title_en}”."
    )
    chinese = StaffFactory(
        role=TRANSLATOR, organisations=[mission.partnership.owner], languages=["zh-hans"]
    )
    assert translations.import_file(content, user=chinese).applied


def test_an_editor_cannot_change_a_published_mission(mission, editor):
    services.publish([mission])
    content = fill_xliff12(export(mission), {unit_id(mission, "title"): "恩斯赫德考察团"})
    assert refused(content, user=editor)[0] == (
        f"Unit {unit_id(mission, 'title')}: you may not change the Simplified Chinese texts "
        f"of “{mission.title_en}”: it is published, so only a publisher may."
    )


def test_units_without_fingerprint_twice_or_not_ours_are_refused(mission, editor):
    store = po.pofile.parsestring(export(mission, file_format=translations.PO))
    first, second = store.units[1], store.units[2]
    first.automaticcomments = []  # the fingerprint and the other notes
    second.setcontext(first.getcontext())
    second.target = "x"
    stranger = po.pounit("Hallo")
    stranger.target = "你好"
    store.addunit(stranger)
    problems = refused(bytes(store), user=editor)
    assert problems[0].startswith(f"Unit {first.getcontext()}: its fingerprint note is missing")
    assert problems[1] == f"Unit {first.getcontext()}: it occurs twice in the file."
    assert problems[-1] == (
        f"Unit number {len(store.units)}: unknown id: there is no such text on this site."
    )


def test_a_long_list_of_refusals_is_cut_short(mission, editor, monkeypatch):
    monkeypatch.setattr(translations, "MAX_PROBLEMS", 3)
    content = export(mission)
    Installation.objects.update(uuid="6b1f4a0e-9d7e-4c41-8a53-0c2f5d7e9a11")
    problems = refused(content, user=editor)
    assert len(problems) == 4
    assert problems[-1] == "… and 7 more problems."  # ten units, all from "another" install


@pytest.mark.parametrize(
    "content",
    [b"", b"not a translation file", b"<html><body/></html>", b"<?xml version='1.0'?><xliff"],
)
def test_what_is_not_a_translation_file_is_refused(db, content):
    assert refused(content)


# Management commands --------------------------------------------------------------------------


def test_commands_export_and_import_with_dry_run_and_progress(mission, tmp_path, capsys):
    target = tmp_path / "mission.xlf"
    call_command(
        "export_translations", str(target), "--language=zh-hans", f"--mission={mission.slug}"
    )
    target.write_bytes(
        fill_xliff12(target.read_bytes(), {unit_id(mission, "title"): "恩斯赫德考察团"})
    )
    before = database()
    stderr = io.StringIO()
    call_command("import_translations", str(target), "--dry-run", "--progress", stderr=stderr)
    assert database() == before
    assert "Checking 100% [" in stderr.getvalue()
    out = io.StringIO()
    call_command("import_translations", str(target), stdout=out)
    assert "Changed 1 text of 1 object in zh-hans" in out.getvalue()
    mission.refresh_from_db()
    assert mission.title_zh_hans == "恩斯赫德考察团"


def test_the_import_command_names_what_it_refuses(mission, tmp_path):
    target = tmp_path / "mission.xlf"
    target.write_bytes(fill_xliff12(export(mission), {unit_id(mission, "title"): "长" * 201}))
    with pytest.raises(
        CommandError, match=r"mission\.xlf is refused; nothing was changed"
    ) as error:
        call_command("import_translations", str(target))
    assert unit_id(mission, "title") in str(error.value)


def test_the_export_command_refuses_an_unknown_slug(db, tmp_path):
    with pytest.raises(CommandError, match="No mission with the slug nowhere"):
        call_command(
            "export_translations", str(tmp_path / "x.po"), "--language=en", "--mission=nowhere"
        )


def test_an_organisations_missing_texts_and_the_shared_data(mission, tmp_path):
    target = tmp_path / "all.po"
    organisation = mission.partnership.owner
    call_command(
        "export_translations",
        str(target),
        "--language=zh-hans",
        f"--organisation={organisation.slug}",
        "--missing",
        "--format=po",
    )
    contexts = {unit.getcontext() for unit in po.pofile.parsestring(target.read_bytes()).units}
    assert unit_id(mission, "why") in contexts
    assert unit_id(mission, "result") not in contexts  # translated already
    call_command("export_translations", str(target), "--language=en", "--shared", "--format=po")
    contexts = {unit.getcontext() for unit in po.pofile.parsestring(target.read_bytes()).units}
    assert unit_id(mission.partnership.home_region, "name") in contexts


def test_a_revision_keeps_the_translation_with_reversion(mission, editor):
    """The import's save is reversion's, so the history can go back to before it."""
    content = fill_xliff12(export(mission), {unit_id(mission, "title"): "恩斯赫德考察团"})
    translations.import_file(content, user=editor)
    assert reversion.is_registered(Mission)
    versions = Version.objects.get_for_object(mission)
    assert versions.first().field_dict["title_zh_hans"] == "恩斯赫德考察团"
