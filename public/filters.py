"""The filters above a list page (missions, outcomes): one select each, as query parameters.

A list offers only the values that find something, and ignores any other value in the
address rather than answering with an empty page. The form is ``includes/filters.html``.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Model
from django.http import HttpRequest

from .templatetags.public_site import by_name, translated


@dataclass(frozen=True)
class Filter:
    name: str  # the query parameter; the select's id is filter-<name>
    label: str
    everything: str  # the first option, no filter: "All partnerships"
    options: list[tuple[str, str]]  # (value, text); a TranslatedText knows its language
    selected: str  # the chosen value, or "" for none

    @classmethod
    def from_request(
        cls,
        request: HttpRequest,
        name: str,
        label: str,
        everything: str,
        options: Iterable[tuple[str, str]],
    ) -> "Filter":
        options = list(options)
        value = request.GET.get(name, "")
        chosen = value if value in {option for option, _text in options} else ""
        return cls(name, label, everything, options, chosen)

    @classmethod
    def of_objects(
        cls,
        request: HttpRequest,
        name: str,
        label: str,
        everything: str,
        objects: Iterable[Model],
        field: str,
    ) -> "Filter":
        """A filter by slug among ``objects``, each shown by its translated ``field``, in the
        order a reader of the page's language looks names up (``by_name``)."""
        options = ((obj.slug, translated(obj, field)) for obj in by_name(objects, field))
        return cls.from_request(request, name, label, everything, options)


def chosen(filters: list[Filter]) -> dict[str, str]:
    """Each filter's chosen value by name ("" where none), for queries and page links."""
    return {f.name: f.selected for f in filters}
