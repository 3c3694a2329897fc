"""Atom feeds of the published missions and outcomes, one per language.

The feeds live under the language prefix (``/nl/feeds/missions.atom``), so the
active language decides the texts, as on the pages. Entries are the newest
published first; each is identified by its page's address in that language.

**A feed opened in a browser is readable.** Visitors follow the feed links on every
page, and a browser shows a bare feed as raw XML. The feed names a CSS stylesheet of our
own static files (``static/css/feed.css``, by ``<?xml-stylesheet?>``), which lays the
feed out as a page, and carries a short note in the feed's language that says what a
feed is for (``reader:note``, in a namespace of ours, which feed readers ignore as Atom
asks them to). CSS rather than XSLT: Chromium has begun to remove XSLT (a browser that
still runs it puts a warning bar over the page), and a stylesheet of the same origin
passes the site's Content-Security-Policy as it is. The feed is served as
``application/xml``: Chromium shows ``application/atom+xml`` as plain text, stylesheet
or not, while feed readers go by the document (``<feed xmlns="…/Atom">``), and pages
announce the feeds with ``type="application/atom+xml"`` as before.

**Each text says its language.** The feed's ``xml:lang`` is the page's language, but
an entry whose Chinese title is empty shows the English or Dutch one (modeltranslation's
fallbacks), as the page does. So every entry's ``title`` and ``summary`` carry the
``xml:lang`` of the language they are really written in (RFC 4287 §2: ``xml:lang`` on
any element), as the page's ``lang`` attributes do; a reader then hyphenates, speaks
and picks fonts for Dutch text as Dutch.
"""

from django.contrib.syndication.views import Feed
from django.templatetags.static import static
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Stylesheet
from django.utils.html import escape
from django.utils.text import Truncator
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.xmlutils import SimplerXMLGenerator

from programmes.domain.revisions import html_to_text
from programmes.models import Mission, Outcome

from .templatetags.public_site import html_lang, translated

FEED_LENGTH = 50
# An outcome's summary: the start of its description as plain text (all of it is the content).
SUMMARY_LENGTH = 300
# The namespace of the note for people who open the feed in a browser.
READER_NS = "tag:twinning-cms,2026:feed-reader"


class ReadableAtomFeed(Atom1Feed):
    """Atom with the stylesheets' processing instructions, the reader's note and, where an
    entry has one, its full HTML ``content`` beside its ``summary``.

    Django writes stylesheets into RSS only; ``write()`` is ``Atom1Feed.write()`` with them.
    """

    content_type = "application/xml; charset=utf-8"

    def write(self, outfile, encoding):
        handler = SimplerXMLGenerator(outfile, encoding, short_empty_elements=True)
        handler.startDocument()
        for stylesheet in self.feed["stylesheets"] or ():
            handler.processingInstruction("xml-stylesheet", str(stylesheet))
        handler.startElement("feed", self.root_attributes())
        self.add_root_elements(handler)
        self.write_items(handler)
        handler.endElement("feed")

    def root_attributes(self):
        return {**super().root_attributes(), "xmlns:reader": READER_NS}

    def add_root_elements(self, handler):
        super().add_root_elements(handler)
        handler.addQuickElement("reader:note", self.feed["reader_note"])

    def add_item_elements(self, handler, item):
        """Django's elements, with ``xml:lang`` on those named in the item's ``xml_langs``
        (element name → BCP 47 tag), then the content in the summary's language."""
        languages = item.get("xml_langs", {})
        super().add_item_elements(_LanguageTagging(handler, languages), item)
        if item.get("content"):
            attrs = {"type": "html"}
            if "summary" in languages:
                attrs["xml:lang"] = languages["summary"]
            handler.addQuickElement("content", item["content"], attrs)


class _LanguageTagging:
    """A stand-in for the XML handler that adds ``xml:lang`` to the named elements."""

    def __init__(self, handler, languages: dict[str, str]):
        self._handler = handler
        self._languages = languages

    def addQuickElement(self, name, contents=None, attrs=None):  # noqa: N802 - Django's name
        if name in self._languages:
            attrs = {**(attrs or {}), "xml:lang": self._languages[name]}
        self._handler.addQuickElement(name, contents, attrs)

    def __getattr__(self, name):
        return getattr(self._handler, name)


class PublishedFeed(Feed):
    """What both feeds share: Atom, the site as author, publication and change dates."""

    feed_type = ReadableAtomFeed
    # The translated field each feed's entry summary shows.
    description_field = ""

    @property
    def language(self) -> str:
        return html_lang(get_language())

    def stylesheets(self) -> list[Stylesheet]:
        """The feed's look in a browser; a method, so the static URL is the deployed one."""
        return [Stylesheet(static("css/feed.css"), mimetype="text/css", media="all")]

    def feed_extra_kwargs(self, obj) -> dict:
        return {
            "reader_note": _(
                "This is a news feed. Copy the address of this page into a feed reader to "
                "follow what is new; open an item's page on the website to read it in full."
            )
        }

    def author_name(self) -> str:
        return _("Twinning programmes")

    def item_pubdate(self, item):
        # To the second: a browser shows the date as it is written (static/css/feed.css).
        return item.publish_at.replace(microsecond=0)

    def item_updateddate(self, item):
        return item.updated_at

    def item_title(self, item) -> str:
        # An Atom title is plain text: no HTML escaping beyond the XML's own.
        return item.title

    def item_extra_kwargs(self, item) -> dict:
        """The language each text of the entry is really written in (see the module)."""
        return {
            "xml_langs": {
                "title": html_lang(translated(item, "title").language),
                "summary": html_lang(translated(item, self.description_field).language),
            }
        }


class MissionFeed(PublishedFeed):
    description_field = "summary"

    def title(self) -> str:
        return _("Missions · Twinning programmes")

    def subtitle(self) -> str:
        return _("New trade and inspiration missions of the twinning partnerships.")

    def link(self) -> str:
        return reverse("programmes:home")

    def items(self):
        return (
            Mission.objects.published()
            .select_related("partnership")
            .order_by("-publish_at", "-pk")[:FEED_LENGTH]
        )

    def item_description(self, mission: Mission) -> str:
        return escape(mission.summary)

    def item_categories(self, mission: Mission) -> list[str]:
        return [mission.partnership.title, mission.get_kind_display()]


class OutcomeFeed(PublishedFeed):
    description_field = "description"

    def title(self) -> str:
        return _("Outcomes · Twinning programmes")

    def subtitle(self) -> str:
        return _("New concrete results of the twinning partnerships and their missions.")

    def link(self) -> str:
        return reverse("programmes:outcomes")

    def items(self):
        return (
            Outcome.objects.published()
            .select_related("partnership", "area")
            .order_by("-publish_at", "-pk")[:FEED_LENGTH]
        )

    def item_description(self, outcome: Outcome) -> str:
        """The start of the description as plain text; the whole of it is the content."""
        return escape(Truncator(html_to_text(outcome.description)).chars(SUMMARY_LENGTH))

    def item_extra_kwargs(self, outcome: Outcome) -> dict:
        """The description is rich text, sanitized on every write: it is HTML already."""
        return {**super().item_extra_kwargs(outcome), "content": outcome.description}

    def item_categories(self, outcome: Outcome) -> list[str]:
        categories = [outcome.partnership.title, outcome.get_kind_display()]
        if outcome.area:
            categories.append(outcome.area.name)
        return categories
