"""Numbered pages for the public lists (missions, outcomes, search results of one type).

A list page's address holds everything that decides what it shows: its filters and
``?page=N``. Links between pages are built from exactly those parameters, in a fixed
order and without ``page`` for the first page, so unknown parameters (``utm_source``…)
are not carried along. Each page of the whole list is its own canonical address
(``<link rel="canonical">``, ``hreflang`` alternates, ``og:url``); a filtered list is
``noindex`` and names the whole list as canonical. A page number that is not a
whole number, or lies beyond the last page, is "not found": there is no such page.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.http import Http404, HttpRequest

PAGE_PARAMETER = "page"
# No list has this many pages. Beyond it a page is "not found" before anything is counted:
# a page number turns into an OFFSET, and one past 2**63 is an error in the database.
MAX_PAGE_NUMBER = 1_000_000


@dataclass(frozen=True)
class PageLink:
    """One entry of the page navigation; ``number`` is ``None`` for an elision (…)."""

    number: int | None
    url: str = ""
    is_current: bool = False


@dataclass(frozen=True)
class Pagination:
    """A page of a list and the links a visitor needs to move through it."""

    page: Page
    path: str
    # The filters that define the list, as they appear in its address.
    filters: tuple[tuple[str, str], ...]

    @property
    def is_paginated(self) -> bool:
        return self.page.paginator.num_pages > 1

    @property
    def canonical_query(self) -> str:
        """What identifies this page to search engines, with its ``?``: its page number.

        A filtered list is a view of the whole list (and ``noindex``): its canonical
        address is the whole list's, as the outcomes overview always had it.
        """
        if self.filters or self.page.number == 1:
            return ""
        return f"?{urlencode({PAGE_PARAMETER: self.page.number})}"

    def query_for(self, number: int) -> str:
        parameters = list(self.filters)
        if number > 1:
            parameters.append((PAGE_PARAMETER, str(number)))
        return f"?{urlencode(parameters)}" if parameters else ""

    @property
    def links(self) -> list[PageLink]:
        """The first and last pages, and two on each side of the current one."""
        current = self.page.number
        return [
            PageLink(None)
            if number == Paginator.ELLIPSIS
            else PageLink(number, self.url_for(number), number == current)
            for number in self.page.paginator.get_elided_page_range(
                current, on_each_side=2, on_ends=1
            )
        ]

    def url_for(self, number: int) -> str:
        return self.path + self.query_for(number)

    @property
    def previous_url(self) -> str | None:
        return self.url_for(self.page.number - 1) if self.page.has_previous() else None

    @property
    def next_url(self) -> str | None:
        return self.url_for(self.page.number + 1) if self.page.has_next() else None


def page_number(request: HttpRequest) -> int:
    """The page ``?page=`` asks for, before the list is counted; 404 for no whole number
    from 1 to ``MAX_PAGE_NUMBER``."""
    try:
        number = int(request.GET.get(PAGE_PARAMETER, "1"))
    except ValueError:
        raise Http404("No such page.") from None
    if not 1 <= number <= MAX_PAGE_NUMBER:
        raise Http404("No such page.")
    return number


class OnePageOf(Sequence):
    """One page of a longer list, counted elsewhere (in the query that fetched the page).

    Lets ``Paginator`` number pages of results that were fetched one page at a time.
    """

    def __init__(self, items: list, *, offset: int, total: int):
        self.items, self.offset, self.total = items, offset, total

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, index):
        if not isinstance(index, slice) or index.start != self.offset:
            raise IndexError("Only the page at hand can be read.")
        return self.items[: index.stop - index.start]


def paginate(
    request: HttpRequest,
    object_list: Sequence,
    per_page: int,
    filters: Mapping[str, str] | None = None,
) -> Pagination:
    """The page of ``object_list`` that ``?page=`` asks for; 404 when there is no such page.

    ``filters`` are the list's chosen filters (empty values are left out of links).
    """
    paginator = Paginator(object_list, per_page)
    number = request.GET.get(PAGE_PARAMETER, "1")
    try:
        page = paginator.page(number)
    except (PageNotAnInteger, EmptyPage) as error:
        raise Http404("No such page.") from error
    chosen = tuple((name, value) for name, value in (filters or {}).items() if value)
    return Pagination(page=page, path=request.path, filters=chosen)
