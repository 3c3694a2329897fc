"""Every page type of the public site, as the accessibility and validity tests look at it.

``tests/browser/test_accessibility.py`` (axe-core in Chromium, headings, landmarks, ``lang``) and
``tests/browser/test_html_validity.py`` (the Nu Html Checker) go over the same pages: the seed
content, plus :func:`add_showcase_content`, which adds what the seeds do not have — photos,
a programme with dates, texts missing in Chinese (shown in another language, with ``lang``),
a draft that staff preview with its banner — so a page type is checked in each of its shapes.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from programmes.domain.permissions import SITE_MANAGER
from programmes.models import (
    KeyFigure,
    Mission,
    Organisation,
    Outcome,
    Partnership,
    Photo,
    ProgrammeItem,
    Region,
    SitePage,
    Status,
)
from public.views import MISSIONS_PER_PAGE
from registrations import tokens
from registrations.models import Registration
from registrations.models import Status as RegistrationStatus

from ..factories import (
    ClusterFactory,
    KeyFigureFactory,
    MissionFactory,
    OutcomeFactory,
    PhotoFactory,
    ProgrammeItemFactory,
    RegionFactory,
    RegistrationFactory,
    RegistrationSettingsFactory,
    SitePageFactory,
    StaffFactory,
)

LANGUAGES = [code for code, _name in settings.LANGUAGES]
# The showcase's timed visit: its start and end time.
SHOWCASE_VISIT = (dt.time(9, 30), dt.time(11))
# A word each language's search finds in the seed content.
SEARCH_WORDS = {"nl": "Dalian", "en": "Dalian", "zh-hans": "大连"}


@dataclass(frozen=True)
class Page:
    """One page to check: what it is, its address, and whether staff open it."""

    name: str
    path: str
    staff: bool = False
    status: int = 200
    # The page its form shows when sent empty (the errors), rather than the form itself.
    submitted: bool = False

    def __str__(self):
        return f"{self.name} ({self.path})"


@dataclass(frozen=True)
class Showcase:
    """What :func:`add_showcase_content` made; ``untranslated_*`` have no Chinese text."""

    mission: Mission
    draft: Mission
    region: Region
    untranslated_item: ProgrammeItem
    untranslated_photo: Photo
    untranslated_figure: KeyFigure
    staff: AbstractBaseUser
    # An upcoming mission whose registration is open, and people registered for it.
    upcoming: Mission
    registrations: dict[str, Registration]
    # A privacy statement in the footer with headings, and a contact page in the main menu.
    privacy: SitePage


def add_showcase_content() -> Showcase:
    """Content the seeds lack, added to the Enschede – Dalian partnership (seed it first).

    - a published mission in Dalian with three photos, a programme over two days plus
      items without a date or place, an outcome, and texts left empty in Chinese;
    - a draft mission, which only staff see (with the draft banner);
    - a city in Zhejiang without any Chinese text, with key figures, a cluster and a photo;
    - enough earlier missions for a second page of the missions list, and for the
      partnership page to link to all of its missions;
    - an upcoming mission whose registration is open, with a person who has a place, one
      who has not confirmed yet and one who cancelled (the pages from their e-mails);
    - site pages: a privacy statement with headings in the footer (which the registration
      form's consent then links) and a contact page in the main menu.
    """
    partnership = Partnership.objects.get(slug="enschede-dalian")
    dalian = Region.objects.get(slug="dalian")
    mission = MissionFactory(
        slug="showcase-economic-mission",
        partnership=partnership,
        kind=Mission.Kind.ECONOMIC_MISSION,
        start_date=dt.date(2026, 5, 12),
        end_date=dt.date(2026, 5, 13),
        destinations=[dalian],
        organisers=[Organisation.objects.get(slug="nbso-dalian")],
        summary_zh_hans="",
        why_zh_hans="",
    )
    items = _add_programme(mission, dalian)
    photos = [
        PhotoFactory(
            mission=mission,
            order=order,
            image__width=800,
            image__height=600,
            caption_zh_hans="" if order == 0 else f"说明{order}",
        )
        for order in range(3)
    ]
    OutcomeFactory(mission=mission, area=partnership.focus_areas.first(), description_zh_hans="")
    draft = MissionFactory(
        slug="showcase-draft-mission", partnership=partnership, status=Status.DRAFT
    )
    for number in range(MISSIONS_PER_PAGE):
        MissionFactory(
            partnership=partnership,
            kind=Mission.Kind.PROGRAMME_VISIT,
            start_date=dt.date(2025, 11, 1) - dt.timedelta(days=30 * number),
            destinations=[dalian],
        )
    region = RegionFactory(
        slug="showcase-city",
        parent=Region.objects.get(slug="zhejiang"),
        name_nl="Voorbeeldstad",
        name_en="Example City",
        name_zh_hans="",
        summary_zh_hans="",
        profile_zh_hans="",
    )
    figure = KeyFigureFactory(region=region, label_zh_hans="", source_zh_hans="")
    KeyFigureFactory(region=region, value=1_250_000, year=2024)
    ClusterFactory(region=region, sector_zh_hans="")
    PhotoFactory(mission=None, region=region, image__width=800, image__height=600)
    upcoming = RegistrationSettingsFactory(
        mission__slug="showcase-upcoming-mission",
        mission__partnership=partnership,
        mission__destinations=[dalian],
        capacity=12,
    ).mission
    registrations = {
        status: RegistrationFactory(
            mission=upcoming,
            status=status,
            sector=partnership.focus_areas.first(),
            confirmed_at=timezone.now() if status != RegistrationStatus.UNCONFIRMED else None,
        )
        for status in (
            RegistrationStatus.CONFIRMED,
            RegistrationStatus.UNCONFIRMED,
            RegistrationStatus.CANCELLED,
        )
    }
    return Showcase(
        mission=mission,
        draft=draft,
        region=region,
        untranslated_item=items[1],
        untranslated_photo=photos[0],
        untranslated_figure=figure,
        staff=StaffFactory(username="previewer", role=SITE_MANAGER),
        upcoming=upcoming,
        registrations=registrations,
        privacy=_add_site_pages(),
    )


def _add_site_pages() -> SitePage:
    SitePageFactory(
        slug="contact",
        purpose=SitePage.Purpose.CONTACT,
        placement=SitePage.Placement.MAIN_MENU,
        title_nl="Contact",
        title_en="Contact",
        title_zh_hans="联系我们",
    )
    return SitePageFactory(
        slug="privacy",
        purpose=SitePage.Purpose.PRIVACY,
        title_nl="Privacyverklaring",
        title_en="Privacy statement",
        title_zh_hans="隐私声明",
        body_nl="<h3>Welke gegevens</h3><p>Wat u ons geeft.</p><h4>Hoe lang</h4><p>Kort.</p>",
        body_en="<h3>What data</h3><p>What you give us.</p><h4>How long</h4><p>Briefly.</p>",
        body_zh_hans="<h3>哪些数据</h3><p>您提供的信息。</p><h4>保存多久</h4><p>短期。</p>",
    )


def _add_programme(mission: Mission, city: Region) -> list[ProgrammeItem]:
    """Two days in ``city`` (a visit from 09:30 to 11:00), an item there without a date, and
    one without date or place."""
    hosts = [
        Organisation.objects.get(slug="port-of-dalian"),
        Organisation.objects.get(slug="dalian-museum"),
    ]
    items = [
        ProgrammeItemFactory(
            mission=mission,
            city=city,
            host=hosts[order % 2],
            kind=kind,
            date=date,
            start_time=start_time,
            end_time=end_time,
            order=order,
            title_zh_hans="" if order == 1 else f"日程{order}",
        )
        for order, (date, start_time, end_time, kind) in enumerate(
            [
                (dt.date(2026, 5, 12), *SHOWCASE_VISIT, ProgrammeItem.Kind.PORT),
                (dt.date(2026, 5, 12), None, None, ProgrammeItem.Kind.MUSEUM),
                (dt.date(2026, 5, 13), dt.time(14, 0), None, ProgrammeItem.Kind.B2B_MEETINGS),
                (None, None, None, ProgrammeItem.Kind.COMPANY_VISIT),
            ]
        )
    ]
    items.append(ProgrammeItemFactory(mission=mission, city=None, host=None, order=len(items)))
    return items


def pages(showcase: Showcase, language: str) -> list[Page]:
    """Every page type in ``language``, each in the shapes the showcase gives it."""
    with translation.override(language):

        def url(obj) -> str:
            return obj.get_absolute_url()

        outcome = Outcome.objects.get(slug="business-days-contracts")
        return [
            Page("home", f"/{language}/"),
            Page("partnership", url(Partnership.objects.get(slug="west-vlaanderen-zhejiang"))),
            Page("region with map, chart and clusters", url(Region.objects.get(slug="zhejiang"))),
            Page("region with fallback texts and a photo", url(showcase.region)),
            Page(
                "mission from the seeds",
                url(Mission.objects.get(slug="inspiration-trip-shanghai-dalian")),
            ),
            Page("mission with dates, photos and fallbacks", url(showcase.mission)),
            Page("mission draft, previewed by staff", url(showcase.draft), staff=True),
            Page("organisation", url(Organisation.objects.get(slug="nbso-dalian"))),
            Page("outcome", url(outcome)),
            Page("site page with headings", url(showcase.privacy)),
            Page("outcomes", f"/{language}/outcomes/"),
            Page(
                "outcomes, filtered",
                f"/{language}/outcomes/?area={outcome.area.slug}&kind={outcome.kind}",
            ),
            Page("missions", f"/{language}/missions/"),
            Page("missions, page 2", f"/{language}/missions/?page=2"),
            Page(
                "missions, filtered",
                f"/{language}/missions/?partnership=enschede-dalian&year=2026",
            ),
            Page("search", f"/{language}/search/"),
            Page("search results", f"/{language}/search/?q={SEARCH_WORDS[language]}"),
            Page(
                "search results of one type",
                f"/{language}/search/?q={SEARCH_WORDS[language]}&type=missions",
            ),
            Page("page not found", f"/{language}/no-such-page/", status=404),
            *registration_pages(showcase, language),
        ]


def registration_pages(showcase: Showcase, language: str) -> list[Page]:
    """Registration's pages (``registrations/``), the personal ones through their tokens."""
    mission = showcase.upcoming
    people = showcase.registrations

    def link(name: str, status: str, purpose: str) -> str:
        token = tokens.make(people[status], purpose)
        return reverse(f"registrations:{name}", kwargs={"token": token})

    register = reverse("registrations:register", kwargs={"slug": mission.slug})
    return [
        Page("mission with registration open", mission.get_absolute_url()),
        Page("registration form", register),
        Page("registration form with errors", register, submitted=True),
        Page(
            "registration: check your e-mail",
            reverse("registrations:sent", kwargs={"slug": mission.slug}),
        ),
        Page(
            "registration: confirm",
            link("confirm", RegistrationStatus.UNCONFIRMED, tokens.CONFIRM),
        ),
        Page("registration: yours", link("manage", RegistrationStatus.CONFIRMED, tokens.MANAGE)),
        Page(
            "registration: cancelled",
            link("manage", RegistrationStatus.CANCELLED, tokens.MANAGE),
        ),
        Page("registration: cancel", link("cancel", RegistrationStatus.CONFIRMED, tokens.MANAGE)),
        Page(
            "registration: link that does not work",
            reverse("registrations:manage", kwargs={"token": "no-such-token"}),
            status=404,
        ),
    ]


@dataclass(frozen=True)
class RenderedSite:
    """The HTML of every page in every language, and the showcase it was made with."""

    showcase: Showcase
    html: dict[tuple[str, Page], str]

    def pages(self, language: str) -> list[tuple[Page, str]]:
        return [(page, html) for (code, page), html in self.html.items() if code == language]


def render_site(django_db_blocker) -> RenderedSite:
    """Seed, add the showcase, fetch every page in every language, then roll it all back.

    For the session fixture ``rendered_site`` (conftest): the structural and validity
    checks read HTML only, so one seeding serves them all. Nothing stays in the database,
    and no transaction stays open for the tests that come after (a live server's flush
    would wait on it).
    """
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_seed_content", verbosity=0)
        showcase = add_showcase_content()
        visitor, staff = Client(), Client()
        staff.force_login(showcase.staff)
        html = {}
        for language in LANGUAGES:
            for page in pages(showcase, language):
                client = staff if page.staff else visitor
                send = client.post if page.submitted else client.get
                response = send(page.path, {})
                assert response.status_code == page.status, page
                html[language, page] = response.text
        transaction.set_rollback(True)
    return RenderedSite(showcase, html)
