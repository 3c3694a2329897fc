"""Registering in a real browser, with JavaScript off: the form is plain HTML and must work
as such. Debian's Chromium through Playwright, against the live server; the mail goes to
the tests' SMTP server (tests/mail.py). Each step leaves a full-page screenshot in the
test's temporary folder (``--basetemp`` to keep them), to look at.
"""

from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import translation

from programmes.domain.permissions import PUBLISHER
from registrations.models import Registration
from registrations.models import Status as RegistrationStatus

from ..factories import (
    FocusAreaFactory,
    PartnershipFactory,
    RegistrationSettingsFactory,
    StaffFactory,
)
from .chromium import BROWSER_TEST, PageProblems, launched, log_in

pytestmark = BROWSER_TEST

PEOPLE = {
    "zh-hans": {
        "name": "李伟",
        "organisation": "大连港集团",
        "role": "国际业务经理",
        "email": "li.wei@dlport.example.cn",
        "phone": "+86 411 8262 0000",
        "interests": "寻找荷兰的物流和港口技术合作伙伴。",
        "dietary": "不吃猪肉",
    },
    "nl": {
        "name": "Anna de Vries",
        "organisation": "TwenteTech BV",
        "role": "exportmanager",
        "email": "anna@twentetech.example.nl",
        "phone": "",
        "interests": "Partners voor sensortechnologie in Dalian.",
        "dietary": "",
    },
    "en": {
        "name": "Sam Peeters",
        "organisation": "Flanders Food NV",
        "role": "CEO",
        "email": "sam@flandersfood.example.be",
        "phone": "+32 50 00 00 00",
        "interests": "Distributors for Belgian chocolate in Zhejiang.",
        "dietary": "vegetarian",
    },
}
# What each language's pages say at each step.
SAYS = {
    "zh-hans": {"error": "出现了问题", "sent": "请查收邮件", "place": "您已获得名额。"},
    "nl": {
        "error": "Er is een probleem",
        "sent": "Kijk in uw e-mail",
        "place": "U hebt een plaats.",
    },
    "en": {
        "error": "There is a problem",
        "sent": "Check your e-mail",
        "place": "You have a place.",
    },
}


@pytest.fixture
def tab(live_server):
    """A tab of Chromium with JavaScript switched off."""
    with launched() as browser:
        context = browser.new_context(
            java_script_enabled=False, viewport={"width": 1000, "height": 900}
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        yield page
        context.close()


@pytest.mark.parametrize("language", ["zh-hans", "nl", "en"])
def test_a_visitor_registers_and_confirms_without_javascript(
    live_server, tab, smtp_server, tmp_path, language
):
    problems = PageProblems(tab, urlsplit(live_server.url).netloc)
    FocusAreaFactory(slug="economy", name_nl="Economie", name_en="Economy", name_zh_hans="经济")
    registration_settings = RegistrationSettingsFactory(
        capacity=12,
        mission__title_zh_hans="大连港口与物流考察团",
        mission__title_nl="Handelsmissie haven en logistiek Dalian",
        mission__title_en="Trade mission: port and logistics in Dalian",
    )
    mission = registration_settings.mission
    person, says = PEOPLE[language], SAYS[language]
    with translation.override(language):
        mission_url = live_server.url + mission.get_absolute_url()
        title = mission.title

    # From the mission page's panel to the form.
    tab.goto(mission_url)
    tab.screenshot(path=tmp_path / f"1-mission-{language}.png", full_page=True)
    tab.click(".registration-panel a.button-link")
    assert tab.locator("h1").inner_text() == title

    # Sent empty: the errors, in the page's language, each linked to its field.
    tab.click("#registration-form button[type=submit]")
    assert says["error"] in tab.locator(".error-summary").inner_text()
    tab.screenshot(path=tmp_path / f"2-errors-{language}.png", full_page=True)

    for field in ("name", "organisation", "role", "email", "phone", "interests", "dietary"):
        tab.fill(f"#id_{field}", person[field])
    tab.select_option(
        "#id_sector", label={"zh-hans": "经济", "nl": "Economie", "en": "Economy"}[language]
    )
    if person["dietary"]:
        tab.check("#id_sensitive_consent")
    tab.check("#id_consent")
    tab.screenshot(path=tmp_path / f"3-filled-{language}.png", full_page=True)
    tab.click("#registration-form button[type=submit]")
    assert says["sent"] in tab.locator("h1").inner_text()
    tab.screenshot(path=tmp_path / f"4-sent-{language}.png", full_page=True)

    # The link from the e-mail, the button, and the registration.
    [received] = smtp_server.to(person["email"])
    tab.goto(received.links()[0])
    tab.click("main form button[type=submit]")
    assert says["place"] in tab.locator(".registration-status").inner_text()
    tab.screenshot(path=tmp_path / f"5-confirmed-{language}.png", full_page=True)

    registration = Registration.objects.get()
    assert (registration.status, registration.language, registration.name) == (
        RegistrationStatus.CONFIRMED,
        language,
        person["name"],
    )
    assert bool(registration.sensitive_consented_at) == bool(person["dietary"])
    problems.assert_none()
    for shot in tmp_path.glob("*.png"):
        assert shot.read_bytes().startswith(b"\x89PNG")


def test_staff_see_the_registrations_and_the_export_page(live_server, tmp_path):
    """The publisher's list and export step, for a look at how they read."""
    registration_settings = RegistrationSettingsFactory(
        capacity=1, mission__partnership=PartnershipFactory()
    )
    owner = registration_settings.mission.partnership.owner
    for person, status in zip(
        PEOPLE.values(),
        [RegistrationStatus.CONFIRMED, RegistrationStatus.WAITING, RegistrationStatus.UNCONFIRMED],
        strict=True,
    ):
        Registration.objects.create(
            mission=registration_settings.mission,
            status=status,
            sector=FocusAreaFactory(slug="economy"),
            language="nl",
            consented_at=registration_settings.opens_at,
            confirmed_at=registration_settings.opens_at,
            **{k: v for k, v in person.items() if k != "dietary"},
        )
    StaffFactory(username="enschede-publisher", role=PUBLISHER, organisations=[owner])
    with launched() as browser:
        page = browser.new_page(locale="en-GB", viewport={"width": 1300, "height": 900})
        problems = PageProblems(page, urlsplit(live_server.url).netloc)
        log_in(page, live_server.url, "enschede-publisher")
        page.goto(live_server.url + reverse("admin:registrations_registration_changelist"))
        assert page.locator("#result_list tbody tr").count() == 3
        page.screenshot(path=tmp_path / "admin-list.png", full_page=True)
        page.check("#action-toggle")
        page.select_option("select[name=action]", "export_selected")
        page.click("button[name=index]")
        assert "3 registrations are selected." in page.inner_text("#content")
        page.screenshot(path=tmp_path / "admin-export.png", full_page=True)
        page.goto(
            live_server.url
            + reverse("admin:programmes_mission_change", args=[registration_settings.mission_id])
        )
        assert "1 of 1 places taken" in page.inner_text(".registration-summary")
        page.screenshot(path=tmp_path / "admin-mission.png")
        problems.assert_none()
