"""Site search: published content in every language, shown in the page's language.

A query word matches an object when it occurs in any language's text of it, or in the
toneless pinyin of its Chinese name: Chinese partners type "Dalian" on the Chinese page,
Dutch staff paste 宁波 on the Dutch one, and "ningbo" finds 宁波. The hits are shown as
the page's language shows them; one whose words occur only in another language's text is
marked "Only in Dutch" (and its snippet comes from that text, with its ``lang``).

Each word must occur somewhere (in any language); how the database decides:

* A word in a Latin script on PostgreSQL: full-text search over the Dutch (``dutch``
  configuration, so "havens" finds "haven") and the English document (migration 0008's
  GIN indexes) and the ``simple`` document of the names column (migration 0019's):
  three index lookups, never a scan.
* A Chinese word: anywhere in the Chinese texts (substring) or the names, as before;
  a Latin word on SQLite: at the start of a word ("port" finds "Port of Dalian", not
  "Business Support Office") in any language's column or the names.

Ranking puts names first: a word in a name (any language, or the pinyin) scores what a
title match in the page's language scores; the rest is scored in the page's language
(``ts_rank`` on PostgreSQL for Dutch and English, the same weights otherwise), so a
title match ranks above a body match on both databases.

Why not trigrams for Chinese: see docs/architecture/search.md.
"""

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache, reduce
from html import unescape
from operator import add, or_

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connections
from django.db.models import (
    Case,
    Count,
    Expression,
    F,
    FloatField,
    Model,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, Length, NullIf
from django.utils.html import escape, format_html, strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import get_language, override
from django.utils.translation import gettext_lazy as _
from django_prose_editor.fields import ProseEditorField
from modeltranslation.fields import TranslationFieldDescriptor
from modeltranslation.utils import build_localized_fieldname, resolution_order

from programmes.models import (
    Mission,
    Organisation,
    Outcome,
    Partnership,
    ProgrammeItem,
    Region,
    SitePage,
    pinyin,
)
from programmes.models.search_names import search_text

from .templatetags.public_site import TranslatedText, translated

MAX_QUERY_LENGTH = 200
MAX_TERMS = 10
RESULTS_PER_TYPE = 20
# Snippet length in "columns": a Chinese character counts two, as it is twice as wide.
SNIPPET_WIDTH = 220
# Matches considered as the place of a snippet (bounds the work on a long text).
MAX_CANDIDATES = 50

TEXT_SEARCH_CONFIGS = {"nl": "dutch", "en": "english"}
# The mark of a hit whose words occur only in another language's text.
ONLY_IN = {
    "nl": _("Only in Dutch"),
    "en": _("Only in English"),
    "zh-hans": _("Only in Chinese"),
}
# PostgreSQL's default ts_rank weights; the pattern scorer uses the same numbers.
WEIGHTS = {"A": 1.0, "B": 0.4, "C": 0.2}

# Scripts written without spaces between words: CJK ideographs, kana, full-width forms.
_UNSPACED_SCRIPT = re.compile("[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\U00020000-\U0003134f]")
# Query words are separated by whitespace and by Chinese punctuation.
_TERM_SEPARATORS = re.compile(r"[\s\"，。、；：！？“”‘’「」『』《》（）【】]+")
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BLOCK_TAG = re.compile(r"(?=<(?:/?(?:p|li|ul|ol|h[1-6]|blockquote)|br)\b)", re.IGNORECASE)


@dataclass(frozen=True)
class Excerpt:
    """Highlighted, escaped text, and the ``lang`` attribute it needs when it is a fallback."""

    html: SafeString
    lang_attr: SafeString


@dataclass(frozen=True)
class Hit:
    url: str
    title: Excerpt
    snippet: Excerpt | None
    label: str
    # For a programme item: its mission's title (escaped, in a ``<span lang>`` if a fallback).
    context: SafeString | None = None
    # The language the query's words were found in, when only another language's text
    # has them (the page says "Only in Dutch").
    only_in: str | None = None

    @property
    def only_in_label(self) -> str:
        return str(ONLY_IN[self.only_in]) if self.only_in else ""


@dataclass(frozen=True)
class ResultGroup:
    key: str
    label: str
    total: int
    hits: list[Hit]
    # Where ``hits`` start among all the matches (0 unless one type is paged through).
    offset: int = 0

    @property
    def has_more(self) -> bool:
        return self.total > len(self.hits)


@dataclass(frozen=True)
class SearchResults:
    query: str
    groups: list[ResultGroup]

    @property
    def total(self) -> int:
        return sum(group.total for group in self.groups)


@dataclass(frozen=True)
class SearchableType:
    """One kind of result: where it comes from, which texts count, how a hit links."""

    key: str
    model: type[Model]
    public: Callable[[], QuerySet]
    # (field, weight); the first is the title, weight A.
    fields: tuple[tuple[str, str], ...]
    url: Callable[[Model], str] = lambda obj: obj.get_absolute_url()
    context: Callable[[Model], Model | None] = lambda obj: None
    # The word above a hit's title: its kind ("Municipality", "Contract").
    label: Callable[[Model], str] = lambda obj: obj.get_kind_display()
    # What a hit shows besides the object itself (fetched with the hits, in one query).
    related: tuple[str, ...] = ()

    @property
    def title_field(self) -> str:
        return self.fields[0][0]

    @property
    def field_names(self) -> list[str]:
        return [field for field, _weight in self.fields]

    @property
    def body_fields(self) -> list[str]:
        return [field for field, _weight in self.fields[1:]]


def programme_item_anchor(item: ProgrammeItem) -> str:
    """The ``id`` of a programme item on its mission page."""
    return f"item-{item.uuid}"


SEARCHABLE_TYPES = (
    SearchableType(
        key="regions",
        model=Region,
        public=lambda: Region.objects.published(),
        fields=(("name", "A"), ("summary", "B"), ("profile", "C")),
    ),
    SearchableType(
        key="partnerships",
        model=Partnership,
        public=lambda: Partnership.objects.published(),
        fields=(
            ("title", "A"),
            ("summary", "B"),
            ("description", "C"),
            ("coordinator_role", "C"),
        ),
    ),
    SearchableType(
        key="missions",
        model=Mission,
        public=lambda: Mission.objects.published(),
        fields=(
            ("title", "A"),
            ("summary", "B"),
            ("context", "C"),
            ("why", "C"),
            ("programme_intro", "C"),
            ("result", "C"),
            ("participants", "C"),
            ("leader_name", "C"),
            ("leader_role", "C"),
        ),
    ),
    SearchableType(
        key="programme_items",
        model=ProgrammeItem,
        # A programme item is public when its mission is.
        public=lambda: ProgrammeItem.objects.filter(mission__in=Mission.objects.published()),
        fields=(("title", "A"), ("description", "B")),
        related=("mission",),
        url=lambda item: f"{item.mission.get_absolute_url()}#{programme_item_anchor(item)}",
        context=lambda item: item.mission,
    ),
    SearchableType(
        key="outcomes",
        model=Outcome,
        public=lambda: Outcome.objects.published(),
        fields=(("title", "A"), ("description", "B"), ("parties", "C")),
    ),
    SearchableType(
        key="organisations",
        model=Organisation,
        public=lambda: Organisation.objects.published(),
        fields=(("name", "A"), ("description", "B")),
    ),
    SearchableType(
        key="pages",
        model=SitePage,
        public=lambda: SitePage.objects.published(),
        fields=(("title", "A"), ("body", "B")),
        # A site page has no kind: "Privacy statement", or else "Site page".
        label=lambda page: page.get_purpose_display() or capfirst(page._meta.verbose_name),
    ),
)


SEARCHABLE_KEYS = {searchable.key: searchable for searchable in SEARCHABLE_TYPES}


def search(query: str, language: str) -> SearchResults:
    """Published content matching ``query`` in ``language``, grouped by type.

    Two queries per type that has matches, whatever their number: the best
    ``RESULTS_PER_TYPE`` (ranked and counted in the database), then those objects.
    """
    query = normalise_query(query)
    terms = query_terms(query)
    if not terms:
        return SearchResults(query=query, groups=[])
    highlighter = Highlighter(terms)
    with override(language):
        groups = [
            search_type(searchable, terms, language, highlighter) for searchable in SEARCHABLE_TYPES
        ]
    return SearchResults(query=query, groups=[group for group in groups if group.hits])


def search_one_type(
    query: str, language: str, key: str, *, offset: int = 0
) -> tuple[SearchResults, ResultGroup | None]:
    """Matches of one type only (``key`` in ``SEARCHABLE_KEYS``), ``RESULTS_PER_TYPE``
    from ``offset``: a page of all the matches of a type ("show all 300 programme items").
    """
    query = normalise_query(query)
    terms = query_terms(query)
    if not terms:
        return SearchResults(query=query, groups=[]), None
    with override(language):
        group = search_type(SEARCHABLE_KEYS[key], terms, language, Highlighter(terms), offset)
    return SearchResults(query=query, groups=[group] if group.hits else []), group


def normalise_query(query: str) -> str:
    """The query as searched: no control characters, spaces collapsed, at most 200 characters."""
    query = " ".join(_CONTROL_CHARACTERS.sub("", query).split())
    return query[:MAX_QUERY_LENGTH].strip()


def query_terms(query: str) -> list[str]:
    """The distinct words of ``query``, at most ``MAX_TERMS``."""
    terms = dict.fromkeys(term for term in _TERM_SEPARATORS.split(query) if term)
    return list(terms)[:MAX_TERMS]


def is_unspaced(term: str) -> bool:
    """Whether ``term`` is (partly) in a script written without spaces, such as Chinese."""
    return bool(_UNSPACED_SCRIPT.search(term))


def plain_text(html: str) -> str:
    """Rich text as plain text: tags removed, blocks separated by a space, entities decoded."""
    return " ".join(unescape(strip_tags(_BLOCK_TAG.sub(" ", html))).split())


def search_type(
    searchable: SearchableType,
    terms: list[str],
    language: str,
    highlighter: "Highlighter",
    offset: int = 0,
) -> ResultGroup:
    """The matches of one type from ``offset`` on, best first, at most ``RESULTS_PER_TYPE``.

    The ranking query returns keys and the number of matches only: the database sorts
    narrow rows, however many match (a common word matches thousands of programme
    items), and only the objects shown are fetched whole, with their snippets made
    from them alone.
    """
    queryset = searchable.public()
    vendor = connections[queryset.db].vendor
    queryset = _matches(queryset, searchable, terms, vendor).alias(
        **{f"search_{field}": _shown(searchable.model, field) for field in searchable.field_names}
    )
    ranked = list(
        queryset.annotate(
            search_rank=_rank(searchable, terms, language, vendor),
            search_total=Window(Count("pk")),
            search_title_length=Length(_shown(searchable.model, searchable.title_field)),
        )
        .order_by("-search_rank", "search_title_length", "pk")
        .values_list("pk", "search_total")[offset : offset + RESULTS_PER_TYPE]
    )
    shown = searchable.model.objects.all()
    if searchable.related:
        shown = shown.select_related(*searchable.related)
    objects = shown.in_bulk([pk for pk, _total in ranked]) if ranked else {}
    chinese_title = build_localized_fieldname(searchable.title_field, "zh-hans")
    highlighter.learn(getattr(obj, chinese_title) for obj in objects.values())
    return ResultGroup(
        key=searchable.key,
        label=capfirst(str(searchable.model._meta.verbose_name_plural)),
        total=ranked[0][1] if ranked else 0,
        hits=[_hit(searchable, objects[pk], highlighter) for pk, _total in ranked],
        offset=offset,
    )


def _shown(model: type[Model], field: str) -> Expression:
    """The text of ``field`` a visitor reads in the active language, falling back like
    modeltranslation: the first non-empty column in its resolution order."""
    return _shown_in(model, field, get_language())


@cache  # Building expressions costs time; queries copy them, so they can be shared.
def _shown_in(model: type[Model], field: str, language: str) -> Expression:
    descriptor = getattr(model, field)
    if not isinstance(descriptor, TranslationFieldDescriptor):
        return F(field)
    languages = resolution_order(language, descriptor.fallback_languages)
    columns = [NullIf(F(build_localized_fieldname(field, code)), Value("")) for code in languages]
    return Coalesce(*columns, Value(""), output_field=TextField())


def _columns_of(model: type[Model], field: str) -> list[str]:
    """Every language's column of ``field`` (the field itself if it is not translated)."""
    if not isinstance(getattr(model, field), TranslationFieldDescriptor):
        return [field]
    return [build_localized_fieldname(field, code) for code, _name in settings.LANGUAGES]


def _matches(
    queryset: QuerySet, searchable: SearchableType, terms: list[str], vendor: str
) -> QuerySet:
    """Every term somewhere: in a name (any language, or the pinyin) or in any language's
    text. Chinese words as substrings of the Chinese texts; Latin words through the
    full-text indexes on PostgreSQL, at the start of a word in any column on SQLite."""
    full_text = vendor == "postgresql"
    if full_text and any(not is_unspaced(term) for term in terms):
        queryset = queryset.alias(
            search_document_nl=_document_in(searchable, "nl"),
            search_document_en=_document_in(searchable, "en"),
            search_document_names=names_document(),
        )
    if any(is_unspaced(term) for term in terms):
        queryset = queryset.alias(
            **{
                f"search_zh_{field}": _shown_in(searchable.model, field, "zh-hans")
                for field in searchable.field_names
            }
        )
    for term in terms:
        queryset = queryset.filter(_term_condition(searchable, term, full_text))
    return queryset


def _term_condition(searchable: SearchableType, term: str, full_text: bool) -> Q:
    """Where one term may occur (the aliases are those ``_matches`` adds)."""
    if is_unspaced(term):
        condition = reduce(
            or_, (Q(**{f"search_zh_{field}__contains": term}) for field in searchable.field_names)
        )
    elif full_text:
        condition = Q(search_document_nl=_prefix_query(term, TEXT_SEARCH_CONFIGS["nl"])) | Q(
            search_document_en=_prefix_query(term, TEXT_SEARCH_CONFIGS["en"])
        )
        if (names_query := _names_query(term)) is None:
            return condition
        return condition | Q(search_document_names=names_query)
    else:
        condition = reduce(
            or_,
            (
                _term_lookup(column, term)
                for field in searchable.field_names
                for column in _columns_of(searchable.model, field)
            ),
        )
    in_names = _names_lookup(term)
    return condition if in_names is None else condition | in_names


def _rank(searchable: SearchableType, terms: list[str], language: str, vendor: str) -> Expression:
    """Names first, then the page's language: per term, 1.0 (a title's weight) when it is
    in a name in any language or the pinyin, else what the page's own texts score."""
    title = Value(WEIGHTS["A"])
    names = [
        Case(When(in_names, then=title), default=Value(0.0), output_field=FloatField())
        for in_names in map(_names_lookup, terms)
        if in_names is not None
    ]
    if vendor == "postgresql" and language in TEXT_SEARCH_CONFIGS:
        return reduce(add, names, _full_text_rank(searchable, terms, TEXT_SEARCH_CONFIGS[language]))
    return reduce(add, (_pattern_score(searchable, term) for term in terms))


def _full_text_rank(searchable: SearchableType, terms: list[str], config: str) -> Expression:
    """``ts_rank`` over the title (A) and summary (B) in the page's language only: the long
    texts (C) decide whether something matches, not how high, which keeps it cheap when
    many long texts match."""
    ranked = reduce(
        add,
        (
            SearchVector(_shown(searchable.model, field), config=config, weight=weight)
            for field, weight in searchable.fields
            if weight != "C"
        ),
    )
    search_query = SearchQuery(
        " & ".join(f"{_tsquery_literal(term)}:*" for term in terms),
        config=config,
        search_type="raw",
    )
    return SearchRank(ranked, search_query)


def _pattern_score(searchable: SearchableType, term: str) -> Expression:
    """The weight of the best place of ``term``: a name, else the page language's fields
    (the aliases ``search_<field>`` that ``search_type`` adds)."""
    by_weight = sorted(searchable.fields, key=lambda field: -WEIGHTS[field[1]])
    in_names = _names_lookup(term)
    return Case(
        *([When(in_names, then=Value(WEIGHTS["A"]))] if in_names is not None else []),
        *(
            When(_term_lookup(f"search_{field}", term), then=Value(WEIGHTS[weight]))
            for field, weight in by_weight
        ),
        default=Value(0.0),
        output_field=FloatField(),
    )


def full_text_document(searchable: SearchableType, config: str) -> SearchVector:
    """All the texts of ``searchable`` in the active language, as one ``tsvector``.

    Migration 0008 has a GIN index on exactly this expression per type and
    language; ``tests/public/test_search.py`` checks that the search uses it.
    """
    return SearchVector(
        *(_shown(searchable.model, field) for field, _weight in searchable.fields), config=config
    )


@cache  # As ``_shown_in``: built once, copied by each query.
def _document_in(searchable: SearchableType, language: str) -> SearchVector:
    """``full_text_document`` of ``language`` (the Dutch or English index), on any page."""
    with override(language):
        return full_text_document(searchable, TEXT_SEARCH_CONFIGS[language])


@cache
def names_document() -> SearchVector:
    """The names column as a ``simple`` (unstemmed) ``tsvector``: migration 0019's index."""
    return SearchVector("search_names", config="simple")


def _prefix_query(term: str, config: str) -> SearchQuery:
    """``term`` as a prefix of a stemmed word ("haven" also finds "havenstad"), as the
    pattern search matches the start of a word."""
    return SearchQuery(f"{_tsquery_literal(term)}:*", config=config, search_type="raw")


def _names_query(term: str) -> SearchQuery | None:
    """``term``'s words as prefixes of the names' words, as they are stored (``search_text``);
    ``None`` for a term of punctuation only, which no name has."""
    words = search_text(term).split()
    if not words:
        return None
    return SearchQuery(
        " & ".join(f"{_tsquery_literal(word)}:*" for word in words),
        config="simple",
        search_type="raw",
    )


def _tsquery_literal(term: str) -> str:
    """``term`` quoted for ``to_tsquery()``, so operators in it are just characters."""
    escaped = term.replace("\\", "\\\\").replace("'", "''")
    return f"'{escaped}'"


def _names_lookup(term: str) -> Q | None:
    """``term`` in a name of any language or the pinyin of the Chinese one: a Chinese
    word anywhere, another at the start of a word (the column is case-folded, with a
    space before every word). ``None`` for a term of punctuation only."""
    normal = search_text(term).strip()
    if not normal:
        return None
    if is_unspaced(term):
        return Q(search_names__contains=normal)
    return Q(search_names__contains=f" {normal}")


def _term_lookup(text: str, term: str) -> Q:
    """Chinese: anywhere. Otherwise: at the start of a word and not inside an HTML tag.

    ``text`` is a column or an alias. The pattern is valid both as a Python
    regular expression (SQLite runs those) and as a PostgreSQL one.
    """
    if is_unspaced(term):
        # Chinese has no case: a plain LIKE spares upper-casing every text.
        lookup = "icontains" if term.lower() != term.upper() else "contains"
        return Q(**{f"{text}__{lookup}": term})
    # The cheap LIKE first, so that the regular expression only runs where it may match.
    # In a text without tags (no ">"), a match at its start or after a space is at the
    # start of a word outside any tag: LIKE decides those, which are most matches of a
    # common word in titles, and the regular expression (a Python call per row on SQLite)
    # runs only for the rest, such as rich text and words after punctuation.
    word_start = Q(**{f"{text}__istartswith": term}) | Q(**{f"{text}__icontains": f" {term}"})
    return Q(**{f"{text}__icontains": term}) & (
        (word_start & ~Q(**{f"{text}__contains": ">"}))
        | Q(**{f"{text}__iregex": rf"(?<!\w){re.escape(term)}(?![^<>]*>)"})
    )


def _hit(searchable: SearchableType, obj: Model, highlighter: "Highlighter") -> Hit:
    title = translated(obj, searchable.title_field)
    context = searchable.context(obj)
    snippet, only_in = _snippet(searchable, obj, title, highlighter)
    return Hit(
        url=searchable.url(obj),
        title=Excerpt(highlighter.mark(title), title.lang_attr),
        snippet=snippet,
        label=searchable.label(obj),
        context=_inline(translated(context, "title")) if context else None,
        only_in=only_in,
    )


def _snippet(
    searchable: SearchableType, obj: Model, title: TranslatedText, highlighter: "Highlighter"
) -> tuple[Excerpt | None, str | None]:
    """An excerpt of the body text with most of the query's words (else the first one), and
    the language the words were found in when that is only another language.

    A hit found by its name (in any language, or the pinyin: "Dalian" for 大连) or by the
    page's own texts is not marked; one found only in, say, the Dutch text of a mission
    whose Chinese text says it differently (or is missing) shows that Dutch passage.
    """
    texts = [
        text for text in _body_texts(searchable.model, obj, searchable.body_fields) if str(text)
    ]
    best = max(texts, key=highlighter.terms_found) if texts else None  # the first of the best
    own = [text for text in [title, *texts] if not text.is_fallback]
    if any(highlighter.terms_found(text) for text in own) or (
        not title.is_fallback and highlighter.terms_found(obj.search_names)
    ):
        only_in = None
    else:
        only_in, elsewhere = _found_elsewhere(searchable, obj, highlighter)
        if elsewhere is not None:
            best = elsewhere
    if best is None:
        return None, only_in
    return Excerpt(highlighter.excerpt(best), best.lang_attr), only_in


def _found_elsewhere(
    searchable: SearchableType, obj: Model, highlighter: "Highlighter"
) -> tuple[str | None, TranslatedText | None]:
    """The first other language (in the page's fallback order, then the rest) with a text
    of ``obj`` that has the query's words, and its best body text with them (if any)."""
    active = get_language()
    descriptor = getattr(searchable.model, searchable.title_field)
    order = [*resolution_order(active, descriptor.fallback_languages)]
    order += [code for code, _name in settings.LANGUAGES if code not in order]
    for language in order:
        if language == active:
            continue
        texts = [
            TranslatedText(text, language, is_fallback=True)
            for text in _texts_in(searchable, obj, language)
        ]
        if any(highlighter.terms_found(text) for text in texts):
            body = [text for text in texts[1:] if highlighter.terms_found(text)]
            return language, max(body, key=highlighter.terms_found) if body else None
    return None, None


def _texts_in(searchable: SearchableType, obj: Model, language: str) -> list[str]:
    """The title and body texts of ``obj`` in ``language`` (plain text), without fallback."""
    texts = []
    for field, _weight in searchable.fields:
        descriptor = getattr(searchable.model, field)
        if isinstance(descriptor, TranslationFieldDescriptor):
            value = getattr(obj, build_localized_fieldname(field, language)) or ""
        else:
            value = getattr(obj, field) or ""
        if isinstance(searchable.model._meta.get_field(field), ProseEditorField):
            value = plain_text(value)
        texts.append(value)
    return texts


def _body_texts(model: type[Model], obj: Model, fields: Iterable[str]) -> list[TranslatedText]:
    texts = []
    for field in fields:
        if isinstance(getattr(model, field), TranslationFieldDescriptor):
            text = translated(obj, field)
        else:
            text = TranslatedText(getattr(obj, field), get_language(), is_fallback=False)
        if isinstance(model._meta.get_field(field), ProseEditorField):
            text = TranslatedText(plain_text(text), text.language, is_fallback=text.is_fallback)
        texts.append(text)
    return texts


def _inline(text: TranslatedText) -> SafeString:
    if text.is_fallback:
        return format_html("<span{}>{}</span>", text.lang_attr, text)
    return escape(text)


class Highlighter:
    """Finds the query's words in a text the way the pattern search matches them,
    and wraps them in ``<mark>``, escaping everything around them.

    A word in Latin letters that is the pinyin of a Chinese name among the hits ("dalian"
    of 大连) also finds that name in Chinese texts (``learn``): "Dalian" on the Chinese page
    marks 大连 in the snippets, and a Chinese text that names 大连 is a match in the page's
    language, not "only in English".
    """

    def __init__(self, terms: list[str]):
        self.terms = terms
        # Per term, patterns of its other spellings: the Chinese of a pinyin word (learnt
        # from the hits), the pinyin of a Chinese name of two characters or more (宁波 also
        # marks "Ningbo" in a Dutch text).
        self.aliases: dict[str, set[str]] = {term: set() for term in terms}
        for term in terms:
            if pinyin.is_han(term) and len(term) > 1:
                self.aliases[term].add(_term_pattern("".join(pinyin.syllables(term))))
        self._compile()

    def _compile(self) -> None:
        self.term_patterns = [
            re.compile(_alternatives(term, self.aliases[term]), re.IGNORECASE)
            for term in self.terms
        ]
        longest_first = sorted(self.terms, key=len, reverse=True)
        self.pattern = re.compile(
            "|".join(_alternatives(term, self.aliases[term]) for term in longest_first),
            re.IGNORECASE,
        )

    def learn(self, chinese_names: Iterable[str]) -> None:
        """Take the Chinese words among ``chinese_names`` whose pinyin is a query word."""
        latin = {
            term: normal
            for term in self.terms
            if not is_unspaced(term) and (normal := search_text(term).replace(" ", ""))
        }
        if not latin:
            return
        learnt = False
        for name in chinese_names:
            for term, normal in latin.items():
                for word in pinyin.words_spelt(name or "", normal):
                    if re.escape(word) not in self.aliases[term]:
                        self.aliases[term].add(re.escape(word))
                        learnt = True
        if learnt:
            self._compile()

    def terms_found(self, text: str) -> int:
        return sum(1 for pattern in self.term_patterns if pattern.search(text))

    def mark(self, text: str) -> SafeString:
        parts = []
        position = 0
        for match in self.pattern.finditer(text):
            parts.append(escape(text[position : match.start()]))
            parts.append(format_html("<mark>{}</mark>", match.group()))
            position = match.end()
        parts.append(escape(text[position:]))
        return mark_safe("".join(parts))

    def excerpt(self, text: str, width: int = SNIPPET_WIDTH) -> SafeString:
        """About ``width`` columns of ``text`` where it has most of the query's words."""
        start = self._best_start(text, width)
        end = _end_after(text, start, width)
        excerpt = self.mark(text[start:end])
        return mark_safe(f"{'…' if start else ''}{excerpt}{'…' if end < len(text) else ''}")

    def _best_start(self, text: str, width: int) -> int:
        """Start a little before the earliest match whose excerpt holds most different words."""
        found = sorted(
            (match.start(), index)
            for index, pattern in enumerate(self.term_patterns)
            for match in pattern.finditer(text)
        )[:MAX_CANDIDATES]
        best_start, best_count = 0, 0
        for position, _index in found:
            start = _start_before(text, position, width // 4)
            end = _end_after(text, start, width)
            count = len({index for other, index in found if start <= other < end})
            if count > best_count:
                best_start, best_count = start, count
        return best_start


def _alternatives(term: str, aliases: Iterable[str]) -> str:
    """The pattern of ``term`` or any of its aliases' patterns (longest first)."""
    return "|".join([_term_pattern(term), *sorted(aliases, key=len, reverse=True)])


def _term_pattern(term: str) -> str:
    """Chinese: the word itself. Otherwise the whole word it begins ("port" → "ports")."""
    return re.escape(term) if is_unspaced(term) else rf"(?<!\w){re.escape(term)}\w*"


def _columns(character: str) -> int:
    return 2 if unicodedata.east_asian_width(character) in "WF" else 1


def _start_before(text: str, position: int, width: int) -> int:
    """Where to start so that about ``width`` columns precede ``position``; not mid-word."""
    start = position
    while start > 0 and width > 0:
        start -= 1
        width -= _columns(text[start])
    if start > 0 and not is_unspaced(text[start]):
        space = text.find(" ", start, position)
        start = space + 1 if space != -1 else position
    return start


def _end_after(text: str, start: int, width: int) -> int:
    """Where to end so that the excerpt is about ``width`` columns; not mid-word."""
    end = start
    while end < len(text) and width > 0:
        width -= _columns(text[end])
        end += 1
    if end < len(text) and not is_unspaced(text[end - 1]):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    return end
