"""The start page of a publisher, an editor and a translator, and the publish confirmation,
in a real browser in Dutch, English and Simplified Chinese (the browser's language, as a
staff member who never used the language switch has it).

Each step leaves a full-page screenshot in ``screenshots_folder()`` (``SCREENSHOT_DIR``, else
``twinning-screenshots`` in the temporary folder): ``start-<role>-<language>.png`` and
``publish-confirmation-<language>.png``, to look at.
"""

import datetime as dt
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import translation

from programmes.domain import workflow
from programmes.domain.permissions import EDITOR, PUBLISHER, TRANSLATOR
from programmes.models import Mission, Status

from ..factories import MissionFactory, OrganisationFactory, PartnershipFactory, StaffFactory
from .chromium import BROWSER_TEST, PageProblems, log_in, opened_page, screenshots_folder

pytestmark = BROWSER_TEST

TITLES = {
    "waiting": ("Inspiratiereis Dalian", "Inspiration trip Dalian", "大连考察之旅"),
    "sent_back": ("Handelsmissie Shanghai", "Trade mission Shanghai", "上海经贸交流访问团"),
}
COMMENT = {
    "nl": "De data van het programma vallen buiten de reis.",
    "en": "The programme's dates fall outside the trip.",
    "zh-hans": "日程日期不在访问团的行程之内。",
}


def mission(partnership, key, **kwargs):
    nl, en, zh = TITLES[key]
    return MissionFactory(
        partnership=partnership,
        status=Status.DRAFT,
        publish_at=None,
        title_nl=nl,
        title_en=en,
        title_zh_hans=zh,
        start_date=dt.date(2026, 5, 16),
        end_date=dt.date(2026, 5, 18),
        **kwargs,
    )


def shot(page, name: str) -> None:
    page.screenshot(path=str(screenshots_folder() / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("language", ["nl", "en", "zh-hans"])
def test_the_start_page_by_role_and_the_publish_confirmation(live_server, language):
    enschede = OrganisationFactory(name_nl="Gemeente Enschede")
    partnership = PartnershipFactory(owner=enschede)
    editor = StaffFactory(role=EDITOR, organisations=[enschede], username=f"eva-{language}")
    publisher = StaffFactory(role=PUBLISHER, organisations=[enschede], username=f"piet-{language}")
    StaffFactory(
        role=TRANSLATOR,
        organisations=[enschede],
        languages=["zh-hans"],
        username=f"li-{language}",
    )
    waiting = mission(partnership, "waiting", why_zh_hans="", result_zh_hans="")
    workflow.submit_for_review(waiting, by=editor)
    sent_back = mission(partnership, "sent_back")
    workflow.submit_for_review(sent_back, by=editor)
    workflow.send_back(sent_back, by=publisher, comment=COMMENT[language])
    with translation.override(language):
        says = {
            "review": translation.gettext("Waiting for your review"),
            "sent_back": translation.gettext("Sent back to you"),
            "missing": translation.gettext("Missing in your languages"),
            "confirm": translation.gettext("Publish without every translation?"),
            "publish": translation.gettext("Save and publish"),
            "anyway": translation.gettext("Publish anyway"),
        }
    title = dict(zip(("nl", "en", "zh-hans"), TITLES["waiting"], strict=True))[language]

    for name, panel, shows in [
        ("li", "#missing-translations", title),
        ("eva", "#sent-back", COMMENT[language]),
        ("piet", "#waiting-for-review", title),
    ]:
        with opened_page(locale=language) as page:
            problems = PageProblems(page, urlsplit(live_server.url).netloc)
            log_in(page, live_server.url, f"{name}-{language}")
            heading = {"piet": "review", "eva": "sent_back", "li": "missing"}[name]
            assert page.locator(f"{panel} h2").inner_text() == says[heading]
            assert shows in page.locator(panel).inner_text()
            shot(page, f"start-{name}-{language}")
            if name == "piet":
                # From the start page to the mission, "Save and publish", the confirmation.
                page.click(f"{panel} a:text('{title}')")
                page.click("input[name=_publish]")
                assert page.locator("h1").inner_text() == says["confirm"]
                assert "2" in page.locator(".publish-confirmation h3").inner_text()
                shot(page, f"publish-confirmation-{language}")
                assert Mission.objects.get(pk=waiting.pk).status == Status.IN_REVIEW
                page.click(f"input[value='{says['anyway']}']")
                page.wait_for_url(
                    live_server.url + reverse("admin:programmes_mission_change", args=[waiting.pk])
                )
                assert Mission.objects.get(pk=waiting.pk).status == Status.PUBLISHED
            problems.assert_none()
