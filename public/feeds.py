"""Atom feeds of the published missions and outcomes, one per language.

The feeds live under the language prefix (``/nl/feeds/missions.atom``), so the
active language decides the texts, as on the pages. Entries are the newest
published first; each is identified by its page's address in that language.
"""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from programmes.models import Mission, Outcome

from .templatetags.public_site import html_lang

FEED_LENGTH = 50


class PublishedFeed(Feed):
    """What both feeds share: Atom, the site as author, publication and change dates."""

    feed_type = Atom1Feed

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


class MissionFeed(PublishedFeed):
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
