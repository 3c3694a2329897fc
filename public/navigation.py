"""What every public page links to besides its fixed menu: the site pages and the publishers.

Site pages (contact, privacy statement …) are linked from the main menu or the footer, as
their site manager chose; the footer also names the organisations the site speaks for, the
owners of the published partnerships. Two queries per request, made once: the header, the
footer and the sign-up form (which links the privacy statement) share the answer.
"""

from dataclasses import dataclass

from django.http import HttpRequest
from modeltranslation.settings import AVAILABLE_LANGUAGES
from modeltranslation.utils import build_localized_fieldname

from programmes.models import Organisation, Partnership, SitePage

REQUEST_ATTRIBUTE = "_site_navigation"


@dataclass(frozen=True)
class SiteNavigation:
    menu: list[SitePage]
    footer: list[SitePage]
    # The owners of the published partnerships: the public bodies that publish the site.
    publishers: list[Organisation]

    @property
    def privacy_statement(self) -> SitePage | None:
        """The published privacy statement: every published page is in the menu or footer."""
        return next(
            (page for page in (*self.menu, *self.footer) if page.purpose == page.Purpose.PRIVACY),
            None,
        )


def for_request(request: HttpRequest | None) -> SiteNavigation:
    """The navigation of the page ``request`` asks for, fetched on the first call only."""
    navigation = getattr(request, REQUEST_ATTRIBUTE, None)
    if navigation is None:
        navigation = fetch()
        if request is not None:
            setattr(request, REQUEST_ATTRIBUTE, navigation)
    return navigation


def fetch() -> SiteNavigation:
    pages = list(SitePage.objects.for_navigation())
    descriptions = [build_localized_fieldname("description", code) for code in AVAILABLE_LANGUAGES]
    publishers = Organisation.objects.filter(
        pk__in=Partnership.objects.published().values("owner")
    ).defer("description", *descriptions)
    return SiteNavigation(
        menu=[page for page in pages if page.placement == SitePage.Placement.MAIN_MENU],
        footer=[page for page in pages if page.placement == SitePage.Placement.FOOTER],
        publishers=list(publishers),
    )
