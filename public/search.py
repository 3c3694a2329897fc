"""Site search: published content in the page's language, ranked, with highlighted snippets.

What is searched is what the visitor reads: for each field the text of the
page's language, or of the language modeltranslation falls back to when that
one is empty. Every type starts from its one "published" rule.

Two ways of matching, chosen per database and language:

* PostgreSQL, Dutch and English: full-text search (``dutch`` / ``english``
  configuration, so "havens" finds "haven") through the GIN indexes of
  migration 0004, ranked by ``ts_rank`` over the title (weight A) and the
  summary (B); the other texts (C) count for matching only.
* Chinese, and every language on SQLite: each word of the query must occur in
  one of the texts. Chinese has no spaces between words, so a Chinese word is
  matched anywhere (substring); a word in a Latin script only at the start of a
  word ("port" finds "Port of Dalian", not "Business Support Office"). The
  score uses the same weights as ``ts_rank``'s defaults, so a title match
  ranks above a body match on both databases.

Why not trigrams for Chinese: see docs/architecture/search.md.
"""

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache, reduce
from html import unescape
from operator import add, or_

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
)

from .templatetags.public_site import TranslatedText, translated

MAX_QUERY_LENGTH = 200
MAX_TERMS = 10
RESULTS_PER_TYPE = 20
# Snippet length in "columns": a Chinese character counts two, as it is twice as wide.
SNIPPET_WIDTH = 220
# Matches considered as the place of a snippet (bounds the work on a long text).
MAX_CANDIDATES = 50

TEXT_SEARCH_CONFIGS = {"nl": "dutch", "en": "english"}
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
    if connections[queryset.db].vendor == "postgresql" and language in TEXT_SEARCH_CONFIGS:
        queryset = _full_text_matches(queryset, searchable, terms, TEXT_SEARCH_CONFIGS[language])
    else:
        queryset = _pattern_matches(queryset, searchable, terms)
    ranked = list(
        queryset.annotate(
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


def _full_text_matches(
    queryset: QuerySet, searchable: SearchableType, terms: list[str], config: str
) -> QuerySet:
    """PostgreSQL full-text search; its parser skips HTML tags, so rich text needs no stripping.

    Each word is a prefix of a stemmed word ("haven" also finds "havenstad"), as
    the pattern search matches the start of a word. The filter is the document
    that migration 0004 indexes; the rank looks at the title (A) and summary (B)
    only, so it stays cheap when many long texts match.
    """
    search_query = SearchQuery(
        " & ".join(f"{_tsquery_literal(term)}:*" for term in terms),
        config=config,
        search_type="raw",
    )
    ranked = reduce(
        add,
        (
            SearchVector(_shown(searchable.model, field), config=config, weight=weight)
            for field, weight in searchable.fields
            if weight != "C"
        ),
    )
    return (
        queryset.alias(search_document=full_text_document(searchable, config))
        .filter(search_document=search_query)
        .annotate(search_rank=SearchRank(ranked, search_query))
    )


def full_text_document(searchable: SearchableType, config: str) -> SearchVector:
    """All the texts of ``searchable`` in the active language, as one ``tsvector``.

    Migration 0004 has a GIN index on exactly this expression per type and
    language; ``tests/public/test_search.py`` checks that the search uses it.
    """
    return SearchVector(
        *(_shown(searchable.model, field) for field, _weight in searchable.fields), config=config
    )


def _tsquery_literal(term: str) -> str:
    """``term`` quoted for ``to_tsquery()``, so operators in it are just characters."""
    escaped = term.replace("\\", "\\\\").replace("'", "''")
    return f"'{escaped}'"


def _pattern_matches(queryset: QuerySet, searchable: SearchableType, terms: list[str]) -> QuerySet:
    """Every term in at least one text; per term, the weight of the best field it occurs in."""
    aliases = {f"search_{field}": weight for field, weight in searchable.fields}
    queryset = queryset.alias(
        **{f"search_{field}": _shown(searchable.model, field) for field, _ in searchable.fields}
    )
    by_weight = sorted(aliases.items(), key=lambda alias: -WEIGHTS[alias[1]])
    scores = []
    for term in terms:
        queryset = queryset.filter(reduce(or_, (_term_lookup(alias, term) for alias in aliases)))
        scores.append(
            Case(
                *(
                    When(_term_lookup(alias, term), then=Value(WEIGHTS[weight]))
                    for alias, weight in by_weight
                ),
                default=Value(0.0),
                output_field=FloatField(),
            )
        )
    return queryset.annotate(search_rank=reduce(add, scores))


def _term_lookup(alias: str, term: str) -> Q:
    """Chinese: anywhere. Otherwise: at the start of a word and not inside an HTML tag.

    The pattern is valid both as a Python regular expression (SQLite runs those)
    and as a PostgreSQL one.
    """
    if is_unspaced(term):
        # Chinese has no case: a plain LIKE spares upper-casing every text.
        lookup = "icontains" if term.lower() != term.upper() else "contains"
        return Q(**{f"{alias}__{lookup}": term})
    # The cheap LIKE first, so that the regular expression only runs where it may match.
    # In a text without tags (no ">"), a match at its start or after a space is at the
    # start of a word outside any tag: LIKE decides those, which are most matches of a
    # common word in titles, and the regular expression (a Python call per row on SQLite)
    # runs only for the rest, such as rich text and words after punctuation.
    word_start = Q(**{f"{alias}__istartswith": term}) | Q(**{f"{alias}__icontains": f" {term}"})
    return Q(**{f"{alias}__icontains": term}) & (
        (word_start & ~Q(**{f"{alias}__contains": ">"}))
        | Q(**{f"{alias}__iregex": rf"(?<!\w){re.escape(term)}(?![^<>]*>)"})
    )


def _hit(searchable: SearchableType, obj: Model, highlighter: "Highlighter") -> Hit:
    title = translated(obj, searchable.title_field)
    context = searchable.context(obj)
    return Hit(
        url=searchable.url(obj),
        title=Excerpt(highlighter.mark(title), title.lang_attr),
        snippet=_snippet(searchable, obj, highlighter),
        label=searchable.label(obj),
        context=_inline(translated(context, "title")) if context else None,
    )


def _snippet(searchable: SearchableType, obj: Model, highlighter: "Highlighter") -> Excerpt | None:
    """An excerpt of the body text with most of the query's words (else the first one)."""
    texts = [
        text for text in _body_texts(searchable.model, obj, searchable.body_fields) if str(text)
    ]
    if not texts:
        return None
    best = max(texts, key=highlighter.terms_found)  # the first of the best
    return Excerpt(highlighter.excerpt(best), best.lang_attr)


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
    and wraps them in ``<mark>``, escaping everything around them."""

    def __init__(self, terms: list[str]):
        self.term_patterns = [re.compile(_term_pattern(term), re.IGNORECASE) for term in terms]
        longest_first = sorted(terms, key=len, reverse=True)
        self.pattern = re.compile("|".join(map(_term_pattern, longest_first)), re.IGNORECASE)

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
