"""Issue 15's "Done when", as one story, with the mail going through a real SMTP server.

A visitor registers for a mission in Chinese and confirms from the e-mail; a second one
(in Dutch) lands on the waiting list; both are in the staff's list and in the XLSX export;
the first cancels, and the second moves up and is told; meanwhile nothing personal is on
any public page or in the partner API; and once the mission is long over the purge leaves
no personal data anywhere in the database, only counts.
"""

import datetime as dt
import io
import re

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from programmes.domain.permissions import PUBLISHER
from programmes.models import Mission
from registrations.models import Registration, RegistrationTally

from ..factories import (
    FocusAreaFactory,
    OrganisationFactory,
    PartnershipFactory,
    RegistrationSettingsFactory,
    StaffFactory,
)
from ..html_forms import form_data

pytestmark = pytest.mark.django_db

LI = {"name": "李伟", "email": "li.wei@dlport.example.cn", "organisation": "大连港集团"}
ANNA = {
    "name": "Anna de Vries",
    "email": "anna@twentetech.example.nl",
    "organisation": "TwenteTech",
}


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def first_link(received) -> str:
    return path_of(received.links()[0])


def sign_up(visitor, mission, language, person, sector):
    with translation.override(language):
        url = reverse("registrations:register", kwargs={"slug": mission.slug})
    form = form_data(visitor.get(url).text, form_id="registration-form")
    form.update(
        {
            **{name: [value] for name, value in person.items()},
            "role": ["经理" if language == "zh-hans" else "directeur"],
            "sector": [str(sector.pk)],
            "interests": ["物流与港口合作" if language == "zh-hans" else "Logistiek in Dalian"],
            "consent": ["on"],
        }
    )
    return visitor.post(url, form, follow=True)


def confirm(visitor, received):
    url = first_link(received)
    button = visitor.get(url)
    assert button.status_code == 200
    return visitor.post(url, form_data(button.text, form_id=None), follow=True)


def personal_data_in_database(*people) -> list[str]:
    """Every table (sessions aside: they hold no one's data but staff's logins), as text,
    searched for the people's names, addresses and organisations."""
    found = []
    for model in apps.get_models():
        if model is Session:
            continue
        with translation.override("nl"):
            rows = str(list(model._base_manager.values_list()))
        for person in people:
            found += [f"{model._meta.label}: {value}" for value in person.values() if value in rows]
    return found


def test_register_confirm_export_cancel_move_up_and_purge(smtp_server):
    enschede = OrganisationFactory(slug="gemeente-enschede", name_en="Gemeente Enschede")
    registration_settings = RegistrationSettingsFactory(
        capacity=1, mission__partnership=PartnershipFactory(owner=enschede)
    )
    mission = registration_settings.mission
    economy = FocusAreaFactory(slug="economy", name_zh_hans="经济")
    li, anna = Client(), Client()

    # Li registers in Chinese and is told, in Chinese, to confirm.
    sent = sign_up(li, mission, "zh-hans", LI, economy)
    assert "请查收邮件" in sent.text
    [to_confirm] = smtp_server.to(LI["email"])
    assert to_confirm.subject == f"请确认报名：{mission.title_zh_hans}"
    assert to_confirm.body.startswith("您好：")  # not the name anyone could have typed
    assert to_confirm.sender == settings.DEFAULT_FROM_EMAIL

    # The link caught by the SMTP server confirms: a place (the only one).
    manage = confirm(li, to_confirm)
    assert "您已获得名额。" in manage.text
    confirmed = smtp_server.to(LI["email"])[-1]
    assert confirmed.subject == f"报名已确认：{mission.title_zh_hans}"

    # Anna (in Dutch) finds the mission full and joins the waiting list.
    with translation.override("nl"):
        mission_page = mission.get_absolute_url()
    assert "Vol – schrijf u in voor de wachtlijst." in Client().get(mission_page).text
    sign_up(anna, mission, "nl", ANNA, economy)
    waiting = confirm(anna, smtp_server.to(ANNA["email"])[0])
    assert "U staat als nummer 1 op de wachtlijst." in waiting.text

    # Enschede's publisher sees both, and exports them for the travel agency.
    staff = Client()
    staff.force_login(StaffFactory(role=PUBLISHER, organisations=[enschede]))
    staff.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    listed = staff.get(reverse("admin:registrations_registration_changelist"))
    assert LI["name"] in listed.text and ANNA["name"] in listed.text
    export = staff.post(
        reverse("admin:registrations_registration_changelist"),
        {
            "action": "export_selected",
            "select_across": "1",
            "_selected_action": list(Registration.objects.values_list("pk", flat=True)),
            "post": "yes",
            "columns": ["name", "organisation", "email", "status"],
            "file_format": "xlsx",
        },
    )
    rows = [
        [cell.value for cell in row]
        for row in load_workbook(io.BytesIO(export.content)).active.iter_rows()
    ]
    assert rows[1:] == [
        [LI["name"], LI["organisation"], LI["email"], "Confirmed"],
        [ANNA["name"], ANNA["organisation"], ANNA["email"], "Waiting list"],
    ]

    # Li cancels from the link in the confirmation e-mail; Anna moves up and is told.
    manage_url = first_link(confirmed)
    cancel_url = re.search(r'href="([^"]*/cancel/)"', li.get(manage_url).text).group(1)
    cancelled = li.post(cancel_url, follow=True)
    assert "您已取消此报名。" in cancelled.text
    assert smtp_server.to(LI["email"])[-1].subject == f"报名已取消：{mission.title_zh_hans}"
    moved_up = smtp_server.to(ANNA["email"])[-1]
    assert moved_up.subject == f"Een plaats voor u: {mission.title_nl}"
    assert "U hebt een plaats." in anna.get(first_link(moved_up)).text

    # Nothing personal on any public page or in the partner API, then or ever.
    public = [mission_page, "/zh-hans/", "/sitemap.xml", f"/api/v1/missions/{mission.uuid}"]
    for address in public:
        text = Client().get(address).text
        assert not any(value in text for value in (*LI.values(), *ANNA.values())), address

    # Long after the mission: the purge leaves no personal data, only counts.
    Mission.objects.filter(pk=mission.pk).update(
        start_date=timezone.localdate() - dt.timedelta(days=400),
        end_date=timezone.localdate() - dt.timedelta(days=396),
    )
    call_command("purge_registrations", stdout=io.StringIO())
    assert not Registration.objects.exists()
    assert sorted(RegistrationTally.objects.values_list("status", "count")) == [
        ("cancelled", 1),
        ("confirmed", 1),
    ]
    assert personal_data_in_database(LI, ANNA) == []
    # And the links in the e-mails lead nowhere now.
    assert li.get(manage_url).status_code == 404
