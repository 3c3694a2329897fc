"""The admin's search box, bounded: shared by every admin of the site.

Here, beside the settings, rather than in one app's admin, because admins of several apps
(``programmes.admin``, ``webhooks.admin``) use it and no interface imports another.
"""

from django.contrib import messages
from django.utils.text import smart_split
from django.utils.translation import gettext_lazy as _

MAX_SEARCH_WORDS = 10
MAX_SEARCH_CHARACTERS = 200


class BoundedSearch:
    """The search box (and autocompletes) with at most ten words and 200 characters.

    Django adds a condition per word and search field: a pasted page of text became an SQL
    expression too deep for the database, a server error. Every admin with a search uses
    this; ``tests/test_admin_search_bounds.py`` walks them all.
    """

    def get_search_results(self, request, queryset, search_term):
        words = list(smart_split(search_term))
        bounded = " ".join(words[:MAX_SEARCH_WORDS])[:MAX_SEARCH_CHARACTERS]
        match = request.resolver_match
        on_list = match is not None and (match.url_name or "").endswith("_changelist")
        if on_list and len(words) > MAX_SEARCH_WORDS:
            messages.warning(
                request,
                _("Only the first %(count)d words of the search were used.")
                % {"count": MAX_SEARCH_WORDS},
            )
        elif on_list and len(bounded) < len(" ".join(words)):
            messages.warning(
                request,
                _("Only the first %(count)d characters of the search were used.")
                % {"count": MAX_SEARCH_CHARACTERS},
            )
        return super().get_search_results(request, queryset, bounded)
