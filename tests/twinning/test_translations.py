"""The gettext catalogs in locale/: complete, consistent, compiled and in use.

The interface is written in English in the source; every string must be in the
Dutch, English and Simplified Chinese catalog (``make messages`` updates them).
"""

import gettext
import re
import shutil
from collections import Counter
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import translation

from programmes.models import Mission
from tests.factories import MissionFactory

LOCALE_DIR = settings.BASE_DIR / "locale"
CATALOGS = {
    # gettext locale name: (Language header, Plural-Forms header)
    "nl": ("nl", "nplurals=2; plural=(n != 1);"),
    "en": ("en", "nplurals=2; plural=(n != 1);"),
    "zh_Hans": ("zh_Hans", "nplurals=1; plural=0;"),
}
# The same command and options as `make messages`.
MAKEMESSAGES_OPTIONS = {
    "locale": list(CATALOGS),
    "ignore_patterns": [".venv/*", "static/vendor/*"],
    "no_obsolete": True,
    "verbosity": 0,
}
# Neither source nor interface strings, so a copy of the project can leave them out.
NOT_SCANNED = shutil.ignore_patterns(
    ".git",
    ".venv",
    "node_modules",
    "__pycache__",
    ".pytest_cache",
    ".ruff_cache",
    "staticfiles",
    "media",
    "*.sqlite3",
)
# printf-style (%(name)s, %s, %d, %%) and str.format-style ({name}) placeholders.
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[sdifr%]|\{\w*\}")


def po_path(locale_dir: Path, language: str) -> Path:
    return locale_dir / language / "LC_MESSAGES" / "django.po"


def load_catalog(language: str) -> polib.POFile:
    return polib.pofile(str(po_path(LOCALE_DIR, language)))


def msgid_keys(catalog: polib.POFile) -> set[tuple[str | None, str, str]]:
    return {(entry.msgctxt, entry.msgid, entry.msgid_plural) for entry in catalog}


def placeholders(text: str) -> Counter:
    return Counter(PLACEHOLDER.findall(text))


def expected_mo_messages(catalog: polib.POFile) -> dict:
    """The .po's messages in the shape ``gettext.GNUTranslations`` keeps them.

    Keys are the msgid, prefixed by ``msgctxt`` and EOT when there is a context;
    plural forms are keyed ``(msgid, index)``.
    """
    messages = {}
    for entry in catalog:
        key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
        if entry.msgid_plural:
            for index, text in entry.msgstr_plural.items():
                messages[(key, int(index))] = text
        else:
            messages[key] = entry.msgstr
    return messages


@pytest.mark.parametrize("language", CATALOGS)
def test_catalog_headers(language):
    metadata = load_catalog(language).metadata
    language_header, plural_forms = CATALOGS[language]
    assert metadata["Project-Id-Version"] == "Twinning CMS"
    assert metadata["Language"] == language_header
    assert metadata["Content-Type"] == "text/plain; charset=UTF-8"
    assert metadata["Plural-Forms"] == plural_forms


@pytest.mark.parametrize("language", CATALOGS)
def test_every_message_is_translated(language):
    catalog = load_catalog(language)
    assert not catalog.metadata_is_fuzzy
    assert [entry.msgid for entry in catalog.untranslated_entries()] == []
    assert [entry.msgid for entry in catalog.fuzzy_entries()] == []
    assert [entry.msgid for entry in catalog.obsolete_entries()] == []


@pytest.mark.parametrize("language", CATALOGS)
def test_translations_keep_the_placeholders(language):
    mismatches = []
    for entry in load_catalog(language):
        if entry.msgid_plural:
            expected = placeholders(entry.msgid_plural)
            translations = entry.msgstr_plural.values()
        else:
            expected = placeholders(entry.msgid)
            translations = [entry.msgstr]
        mismatches += [
            (entry.msgid, text) for text in translations if placeholders(text) != expected
        ]
    assert mismatches == []


def test_english_catalog_repeats_the_source():
    """English is the source language; its catalog makes that explicit, word for word."""
    for entry in load_catalog("en"):
        if entry.msgid_plural:
            assert entry.msgstr_plural == {0: entry.msgid, 1: entry.msgid_plural}
        else:
            assert entry.msgstr == entry.msgid


def test_all_catalogs_have_the_same_messages():
    assert msgid_keys(load_catalog("en")) == msgid_keys(load_catalog("nl"))
    assert msgid_keys(load_catalog("zh_Hans")) == msgid_keys(load_catalog("nl"))


@pytest.mark.parametrize("language", CATALOGS)
def test_compiled_catalog_is_up_to_date(language):
    """The committed .mo holds exactly the .po's messages (run msgfmt after editing)."""
    po = po_path(LOCALE_DIR, language)
    with po.with_suffix(".mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    # GNUTranslations has no public way to list its messages; _catalog is that list.
    messages = {key: text for key, text in compiled._catalog.items() if key != ""}
    assert messages == expected_mo_messages(load_catalog(language))
    assert compiled.info()["plural-forms"] == CATALOGS[language][1]


def test_catalogs_contain_every_interface_string(tmp_path, monkeypatch, settings):
    """`make messages` on the current source would not add or drop a single msgid.

    It runs on a copy of the project, so the real catalogs stay untouched.
    """
    project = tmp_path / "project"
    shutil.copytree(settings.BASE_DIR, project, ignore=NOT_SCANNED)
    monkeypatch.chdir(project)
    settings.LOCALE_PATHS = [project / "locale"]

    call_command("makemessages", **MAKEMESSAGES_OPTIONS)

    for language in CATALOGS:
        regenerated = polib.pofile(str(po_path(project / "locale", language)))
        assert msgid_keys(regenerated) == msgid_keys(load_catalog(language)), language


@pytest.mark.parametrize(
    ("language", "skip_link", "navigation"),
    [
        ("nl", "Direct naar de inhoud", "Partnerschappen en missies"),
        ("en", "Skip to main content", "Partnerships and missions"),
        ("zh-hans", "跳至主要内容", "合作关系与交流访问"),
    ],
)
def test_home_page_interface_is_in_the_page_language(client, db, language, skip_link, navigation):
    text = client.get(f"/{language}/").text
    assert f'<a class="skip-link" href="#main">{skip_link}</a>' in text
    assert f'aria-current="page">{navigation}</a>' in text


@pytest.mark.parametrize(
    ("language", "kind", "heading"),
    [
        ("nl", "Inspiratiereis", "Waarom deze missie"),
        ("en", "Inspiration trip", "Why this mission"),
        ("zh-hans", "考察之旅", "访问目的"),
    ],
)
def test_model_choices_and_headings_are_translated(client, db, language, kind, heading):
    mission = MissionFactory(kind=Mission.Kind.INSPIRATION_TRIP)
    with translation.override(language):
        text = client.get(mission.get_absolute_url()).text
    assert f'<p class="caption">{kind}</p>' in text
    assert f'<h2 id="why-heading">{heading}</h2>' in text


@pytest.mark.parametrize(
    ("language", "business_days", "percentages"),
    [("nl", "Zakendagen", "Procenten"), ("en", "Business days", "Percentages")],
)
def test_dutch_names_business_days_and_percentages_in_dutch(
    client, db, language, business_days, percentages
):
    """Both were left in English in the Dutch catalog."""
    mission = MissionFactory(kind=Mission.Kind.BUSINESS_DAYS)
    with translation.override(language):
        text = client.get(mission.get_absolute_url()).text
        assert translation.gettext("Percentages") == percentages
    assert f'<p class="caption">{business_days}</p>' in text
