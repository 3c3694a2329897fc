"""The glossary (docs/glossary.md) is kept: the Chinese catalog and the seed content use its
words and none it rejected (issue 13, item 7: one concept, one word)."""

import re
from dataclasses import dataclass
from pathlib import Path

import polib
import pytest
from django.conf import settings

GLOSSARY = settings.BASE_DIR / "docs" / "glossary.md"
CATALOG = settings.BASE_DIR / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
SEED_CONTENT = sorted((settings.BASE_DIR / "programmes" / "content").glob("*.toml"))


@dataclass(frozen=True)
class Term:
    concept: str
    chosen: str
    rejected: tuple[str, ...]


def glossary_terms(path: Path = GLOSSARY) -> list[Term]:
    """The rows of the table under "## Terms": concept, nl, en, zh-hans, rejected, why."""
    table = path.read_text(encoding="utf-8").split("## Terms", 1)[1]
    terms = []
    for line in table.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 6 or cells[0] in ("Concept", "---"):
            continue
        concept, _nl, _en, chosen, rejected, _why = cells
        variants = tuple(word for word in re.split(r"[、,]", rejected) if word.strip())
        terms.append(Term(concept, chosen, tuple(word.strip() for word in variants)))
    return terms


def catalog_texts() -> list[str]:
    """Every Chinese translation in the catalog (plural forms included)."""
    texts = []
    for entry in polib.pofile(str(CATALOG)):
        texts.append(entry.msgstr)
        texts.extend(entry.msgstr_plural.values())
    return [text for text in texts if text]


def uses(text: str, rejected: str, chosen: str) -> bool:
    """Whether ``text`` has ``rejected`` outside the chosen word that contains it."""
    if rejected in chosen:
        text = text.replace(chosen, "")
    return rejected in text


SOURCES = {
    "the Chinese catalog": lambda: "\n".join(catalog_texts()),
    **{f"seed content {path.name}": path.read_text for path in SEED_CONTENT},
}


def test_the_glossary_has_the_issues_concepts():
    chosen = {term.concept: term.chosen for term in glossary_terms()}

    assert chosen["mission (any kind)"] == "交流访问"
    assert chosen["city link (stedenband)"] == "城市合作关系"
    assert chosen["friendship agreement"] == "友好协议"
    assert all(term.chosen for term in glossary_terms())


@pytest.mark.parametrize("source", sorted(SOURCES))
def test_no_rejected_word_is_used(source):
    text = SOURCES[source]()

    found = [
        f"{term.concept}: {word} (use {term.chosen})"
        for term in glossary_terms()
        for word in term.rejected
        if uses(text, word, term.chosen)
    ]

    assert found == []


def test_the_chosen_words_are_the_ones_used():
    """A row whose word nothing uses any more is out of date."""
    text = "\n".join(source() for source in SOURCES.values())

    unused = [term.chosen for term in glossary_terms() if term.rejected and term.chosen not in text]

    assert unused == []


def test_a_rejected_word_inside_the_chosen_one_is_not_counted():
    assert not uses("参加交流访问团", "交流访问", "交流访问团")
    assert uses("交流访问和考察团", "考察团", "交流访问")
    assert uses("近期交流访问", "交流访问", "交流访问团")
