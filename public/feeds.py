"""Atom feeds of the published missions and outcomes, one per language.

The feeds live under the language prefix (``/nl/feeds/missions.atom``), so the
active language decides the texts, as on the pages. Entries are the newest
published first; each is identified by its page's address in that language.

**Each text says its language.** The feed's ``xml:lang`` is the page's language, but
an entry whose Chinese title is empty shows the English or Dutch one (modeltranslation's
fallbacks), as the page does. So every entry's ``title`` and ``summary`` carry the
``xml:lang`` of the language they are really written in (RFC 4287 §2: ``xml:lang`` on
any element), as the page's ``lang`` attributes do; a reader then hyphenates, speaks
and picks fonts for Dutch text as Dutch.
"""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from programmes.models import Mission, Outcome

from .templatetags.public_site import html_lang, translated

FEED_LENGTH = 50


class LanguageTaggedAtom1Feed(Atom1Feed):
    """Django's Atom feed, with ``xml:lang`` on each entry's title and summary.

    The languages come with the item (``item_extra_kwargs``: ``xml_langs``, element name →
    BCP 47 tag); the elements themselves are Django's, written through a handler that
    adds the attribute, so nothing else of the entry is written a second way.
    """

    def add_item_elements(self, handler, item):
        super().add_item_elements(_LanguageTagging(handler, item.get("xml_langs", {})), item)


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

    feed_type = LanguageTaggedAtom1Feed
    # The translated field each feed's entry summary shows.
    description_field = ""

    @property
    def language(self) -> str:
        return html_lang(get_language())

    def author_name(self) -> str:
        return _("Twinning programmes")

    def item_pubdate(self, item):
        return item.publish_at

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
        """The description is rich text, sanitized on every write: it is HTML already."""
        return outcome.description

    def item_categories(self, outcome: Outcome) -> list[str]:
        categories = [outcome.partnership.title, outcome.get_kind_display()]
        if outcome.area:
            categories.append(outcome.area.name)
        return categories
