"""Template tags for the public site: translated texts, links and language versions.

modeltranslation silently falls back to another language when a field is empty
for the active one (``MODELTRANSLATION_FALLBACK_LANGUAGES``: zh-hans → en → nl).
A screen reader or a browser's font selection must know when that happens, so
:func:`translated` reports which language a shown text really comes from and the
templates put that language in a ``lang`` attribute.
"""

import re

from django import template
from django.conf import settings
from django.urls import reverse, translate_url
from django.utils.formats import date_format
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import (
    get_language,
    get_language_info,
    gettext,
    override,
    pgettext,
    to_locale,
)
from modeltranslation.fields import NONE
from modeltranslation.utils import build_localized_fieldname, resolution_order

from programmes.models import pinyin

from .. import navigation

register = template.Library()


@register.filter
def html_lang(language_code: str) -> str:
    """A Django language code as a BCP 47 tag for ``lang`` attributes: "zh-hans" → "zh-Hans"."""
    return to_locale(language_code).replace("_", "-")


@register.filter
def label(text: str) -> str:
    """A label that precedes its value ("Host:"), with the space between them.

    ``{% translate "Host:" as host_label %}{{ host_label|label }}…``: a Chinese label
    ends in a full-width colon ("接待单位："), which has its own space, so none is added.
    """
    return text if text.endswith("：") else f"{text} "


@register.simple_tag
def page_of(pagination) -> str:
    """``{% page_of pagination %}``: ", page 2 of 5" after a list page's title; "" on page 1."""
    page = pagination.page
    if page.number <= 1:
        return ""
    count = {"number": page.number, "count": page.paginator.num_pages}
    return pgettext("apposition", ", ") + gettext("page %(number)s of %(count)s") % count


@register.filter
def by_name(objects, field: str = "name") -> list:
    """``{% for child in region.children.all|by_name %}``: in the order a reader looks names
    up. In Chinese that is pinyin (杭州 宁波 绍兴 义乌), not the code points the database
    sorts by (义乌 宁波 杭州); Dutch and English keep the database's order (the names'
    own alphabetical order), so their pages do not change."""
    objects = list(objects)
    if get_language() != "zh-hans":
        return objects
    return sorted(objects, key=lambda obj: pinyin.sort_key(translated(obj, field)))


@register.simple_tag
def person_with_role(name: str, role) -> SafeString:
    """``{% person_with_role mission.leader_name leader_role %}``: a person and their role.

    Dutch and English put the role after the name as an apposition ("Marijke van Hees,
    deputy mayor"); Chinese puts the title before the name ("副市长 Marijke van Hees"), with a
    space before a name in Latin letters. A role that is a fallback (no Chinese yet) keeps
    the apposition, in its ``<span lang>``.
    """
    if not role:
        return format_html("{}", name)
    if role.is_fallback:
        return format_html(
            "{}{}<span{}>{}</span>", name, pgettext("apposition", ", "), role.lang_attr, role
        )
    if get_language() == "zh-hans":
        space = " " if name[:1].isascii() else ""
        return format_html("{}{}{}", role, space, name)
    return format_html("{}{}{}", name, pgettext("apposition", ", "), role)


# Chinese writes a range as one date: 2026年4月13日至18日, leaving out of the end what it
# shares with the start (the year, then the month), as a native editor does.
_ZH_END_FORMATS = {"year": "Y年n月j日", "month": "n月j日", "day": "j日"}


@register.simple_tag
def date_range(start, end=None) -> SafeString:
    """``{% date_range mission.start_date mission.end_date %}``: one day, or a range.

    Dutch and English: both dates in full, "13 april 2026 – 18 april 2026". Chinese:
    "2026年4月13日至18日", "2026年4月30日至5月2日", different years in full. Each date is
    a ``<time>`` with its full ``datetime``.
    """
    first = _time(start, date_format(start, "DATE_FORMAT"))
    if not end or end == start:
        return first
    if get_language() != "zh-hans":
        return format_html("{} – {}", first, _time(end, date_format(end, "DATE_FORMAT")))
    if end.year != start.year:
        shown = _ZH_END_FORMATS["year"]
    elif end.month != start.month:
        shown = _ZH_END_FORMATS["month"]
    else:
        shown = _ZH_END_FORMATS["day"]
    return format_html("{}至{}", first, _time(end, date_format(end, shown)))


def _time(day, text: str) -> SafeString:
    return format_html('<time datetime="{}">{}</time>', day.isoformat(), text)


@register.simple_tag
def atom_link(url_name: str, text: str) -> SafeString:
    """``{% atom_link "programmes:mission-feed" text %}``: a link to an Atom feed, typed as one."""
    return format_html('<a href="{}" type="application/atom+xml">{}</a>', reverse(url_name), text)


@register.simple_tag
def sectors(clusters) -> SafeString:
    """``{% sectors place.clusters %}``: " — Textiles, Ports" after a place on a map's legend."""
    names = [translated_inline(cluster, "sector") for cluster in clusters]
    if not names:
        return mark_safe("")
    separator = conditional_escape(pgettext("list separator", ", "))
    return format_html(" — {}", mark_safe(separator.join(names)))  # each name is escaped


class TranslatedText(str):
    """The text of a translated field, plus the language it was actually written in.

    It is a ``str``, so ``{{ text }}`` escapes it and ``{{ text|safe }}`` marks a
    sanitized rich-text field safe, exactly as for a plain field value.
    """

    language: str
    is_fallback: bool

    def __new__(cls, value: str, language: str, *, is_fallback: bool):
        text = super().__new__(cls, value)
        text.language = language
        text.is_fallback = is_fallback
        return text

    @property
    def lang_attr(self) -> SafeString:
        """`` lang="…"`` for the element showing this text, only when it is a fallback."""
        if not self.is_fallback:
            return mark_safe("")
        return format_html(' lang="{}"', html_lang(self.language))


@register.simple_tag
def translated(obj, field: str) -> TranslatedText:
    """``{% translated mission "title" as title %}``: the value modeltranslation shows.

    Follows the same resolution order as modeltranslation's field descriptor, so
    the value is the one ``obj.<field>`` returns, and its language is known.
    """
    descriptor = getattr(type(obj), field)
    undefined = descriptor.fallback_undefined
    if undefined is NONE:
        undefined = descriptor.field.get_default()
    active = get_language()
    for language in resolution_order(active, descriptor.fallback_languages):
        value = getattr(obj, build_localized_fieldname(field, language), None)
        if descriptor.meaningful_value(value, undefined):
            return TranslatedText(value, language, is_fallback=language != active)
    return TranslatedText("", active, is_fallback=False)


@register.filter
def translated_inline(obj, field: str) -> SafeString:
    """``{{ cluster|translated_inline:"sector" }}``: the text, in ``<span lang>`` if a fallback."""
    text = translated(obj, field)
    if text.is_fallback:
        return format_html("<span{}>{}</span>", text.lang_attr, text)
    return format_html("{}", text)


@register.simple_tag(takes_context=True)
def object_link(context, obj, field: str = "name") -> SafeString:
    """A link to ``obj``'s page, showing its translated ``field``.

    Related objects are fetched without the "published" rule (a published mission
    may name a region that is still a draft), so only objects the visitor can open
    are linked; the others are shown as plain text.
    """
    text = translated(obj, field)
    user = context["request"].user
    if obj.is_published or user.is_staff:
        return format_html('<a href="{}"{}>{}</a>', obj.get_absolute_url(), text.lang_attr, text)
    if text.is_fallback:
        return format_html("<span{}>{}</span>", text.lang_attr, text)
    return format_html("{}", text)


@register.simple_tag(takes_context=True)
def language_versions(context, *, home: bool = False) -> list[dict]:
    """This page in every language: for the switcher and the ``hreflang`` alternates.

    ``translate_url`` keeps the visitor on the same object. An error page has no
    versions in other languages, so with ``home=True`` each language's home is offered.
    A list page puts its canonical query string (filters, page number) in the context as
    ``canonical_query``; its canonical and alternate addresses keep it.
    """
    request = context["request"]
    canonical_query = context.get("canonical_query", "")
    current = get_language()
    versions = []
    for code, _name in settings.LANGUAGES:
        if home:
            with override(code):
                path = full_path = reverse("programmes:home")
        else:
            path = translate_url(request.path, code)
            full_path = translate_url(request.get_full_path(), code)
        versions.append(
            {
                "code": code,
                "html_lang": html_lang(code),
                "name": get_language_info(code)["name_local"],
                "url": full_path,
                "absolute_url": request.build_absolute_uri(path + canonical_query),
                "is_current": code == current,
                "is_default": code == settings.LANGUAGE_CODE,
            }
        )
    return versions


@register.simple_tag(takes_context=True)
def site_navigation(context) -> navigation.SiteNavigation:
    """``{% site_navigation as navigation %}``: the site pages and the site's publishers.

    The 500 page leaves out the blocks that ask, as it must render without the database.
    """
    return navigation.for_request(context.get("request"))


# The headings rich text may hold (richtext.EXTENSIONS: levels 3 and 4), as sanitized HTML
# writes them: no attributes.
_RICH_TEXT_HEADING = re.compile(r"<(/?)h([34])>")


@register.filter
def headings_one_level_up(html: TranslatedText) -> SafeString:
    """``{{ body|headings_one_level_up }}``: sanitized rich text with h3 → h2 and h4 → h3.

    Every rich text offers editors the heading levels 3 and 4, because it usually sits in a
    section under an ``<h2>``. A site page's body sits right under the page's ``<h1>``, so
    its headings move up one level there: headings in order, without a skipped level.
    """
    # Sanitized on every write (services.sanitize_rich_text); only tag names change here.
    return mark_safe(_RICH_TEXT_HEADING.sub(lambda m: f"<{m[1]}h{int(m[2]) - 1}>", html))
