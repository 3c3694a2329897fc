"""Edit conflicts: the second of two overlapping saves is refused, and loses nothing.

Each editor has their own browser session (test client). Requests are made in English.
"""

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone, translation

from programmes.admin.conflicts import TOKEN_FIELD
from programmes.domain import services
from programmes.models import Mission, Outcome, Status

from .factories import MissionFactory, OutcomeFactory, StaffFactory
from .html_forms import form_data

pytestmark = pytest.mark.django_db

SAVED_AT = dt.datetime(2026, 3, 2, 14, 5, tzinfo=dt.UTC)


def editor_session(username: str, **names) -> tuple[Client, object]:
    user = StaffFactory(username=username, is_superuser=True, **names)
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client, user


@pytest.fixture
def anna():
    return editor_session("anna", first_name="Anna", last_name="de Vries")


@pytest.fixture
def bram():
    return editor_session("bram")


def change_url(obj) -> str:
    return reverse(f"admin:programmes_{obj._meta.model_name}_change", args=[obj.pk])


def open_form(client, obj) -> dict[str, list[str]]:
    response = client.get(change_url(obj))
    assert response.status_code == 200
    return form_data(response.text, f"{obj._meta.model_name}_form")


def save(client, obj, data, **changes):
    return client.post(change_url(obj), {**data, **{k: [v] for k, v in changes.items()}})


def errors(response) -> list[str]:
    return [str(error) for error in response.context["adminform"].form.non_field_errors()]


def test_second_save_is_refused_naming_who_saved_and_when(anna, bram):
    mission = MissionFactory(title_en="Inspiration trip", summary_nl="Oud")
    (anna_client, _), (bram_client, _) = anna, bram
    anna_form, bram_form = open_form(anna_client, mission), open_form(bram_client, mission)

    assert (
        save(anna_client, mission, anna_form, title_en="Inspiration trip 2012").status_code == 302
    )
    response = save(bram_client, mission, bram_form, summary_nl="Bram's samenvatting")

    assert response.status_code == 200
    mission.refresh_from_db()
    assert (mission.title_en, mission.summary_nl) == ("Inspiration trip 2012", "Oud")
    with translation.override("en"):
        saved_at = formats.date_format(timezone.localtime(mission.updated_at), "DATETIME_FORMAT")
    assert errors(response) == [
        f"Anna de Vries saved “{mission.title_en}” at {saved_at}, after you opened it. Your "
        "changes are not saved yet, but they are still in this form. See what changed under "
        "History, then save again to replace that version with yours."
    ]
    # What Bram typed is still in the form, and nothing else of his was lost.
    shown = form_data(response.content.decode(), "mission_form")
    assert shown["summary_nl"] == ["Bram's samenvatting"]
    assert shown["title_en"] == ["Inspiration trip"]


def test_saving_again_after_the_warning_replaces_the_other_version(anna, bram):
    mission = MissionFactory(title_en="Inspiration trip", summary_nl="Oud")
    (anna_client, _), (bram_client, _) = anna, bram
    anna_form, bram_form = open_form(anna_client, mission), open_form(bram_client, mission)
    save(anna_client, mission, anna_form, title_en="Anna's title")
    refused = save(bram_client, mission, bram_form, summary_nl="Bram's samenvatting")

    again = bram_client.post(change_url(mission), form_data(refused.text, "mission_form"))

    assert again.status_code == 302
    mission.refresh_from_db()
    assert (mission.title_en, mission.summary_nl) == ("Inspiration trip", "Bram's samenvatting")


def test_a_publish_while_editing_is_a_conflict_too(anna, bram):
    mission = MissionFactory(status=Status.DRAFT, publish_at=None)
    (anna_client, _), (_, bram_user) = anna, bram
    anna_form = open_form(anna_client, mission)

    services.publish(Mission.objects.filter(pk=mission.pk), user=bram_user)
    response = save(anna_client, mission, anna_form, title_en="Changed")

    assert response.status_code == 200
    assert errors(response)[0].startswith(f"bram saved “{mission.title_en}” at ")
    mission.refresh_from_db()
    # Anna's form still said "draft": saving it would have taken the mission offline again.
    assert mission.status == Status.PUBLISHED


def test_a_change_by_a_command_is_named_as_such(anna):
    mission = MissionFactory()
    anna_client, _ = anna
    form = open_form(anna_client, mission)

    mission.summary_en = "Changed by the seed loader"
    services.save_content(mission)
    response = save(anna_client, mission, form, title_en="Changed")

    assert errors(response)[0].startswith(f"a command (not a person) saved “{mission.title_en}”")


def test_an_outcome_changed_elsewhere_is_a_conflict_in_the_mission_form(anna, bram):
    outcome = OutcomeFactory(title_en="Port cooperation")
    mission = outcome.mission
    (anna_client, _), (bram_client, _) = anna, bram
    mission_form = open_form(anna_client, mission)
    outcome_form = open_form(bram_client, outcome)

    assert save(bram_client, outcome, outcome_form, title_en="Port agreement").status_code == 302
    response = save(
        anna_client, mission, mission_form, **{"outcomes-0-title_en": "Port cooperation 2013"}
    )

    assert response.status_code == 200
    (inline,) = response.context["inline_admin_formsets"][1].formset.forms
    assert inline.non_field_errors()[0].startswith("bram saved “")
    assert Outcome.objects.get(pk=outcome.pk).title_en == "Port agreement"


def test_saving_twice_in_a_row_by_one_editor_is_no_conflict(anna):
    mission = MissionFactory()
    anna_client, _ = anna
    first = save(anna_client, mission, open_form(anna_client, mission), title_en="First")
    second = save(anna_client, mission, open_form(anna_client, mission), title_en="Second")

    assert (first.status_code, second.status_code) == (302, 302)
    mission.refresh_from_db()
    assert mission.title_en == "Second"


def test_the_form_carries_the_version_it_was_opened_on(anna):
    mission = MissionFactory()
    Mission.objects.filter(pk=mission.pk).update(updated_at=SAVED_AT)
    anna_client, _ = anna

    assert open_form(anna_client, mission)[TOKEN_FIELD] == ["2026-03-02T14:05:00+00:00"]
    add = form_data(anna_client.get(reverse("admin:programmes_mission_add")).text, "mission_form")
    assert TOKEN_FIELD not in add


def test_a_read_only_page_has_no_version_field(client):
    mission = MissionFactory()
    client.force_login(
        StaffFactory(
            permissions=["programmes.view_mission"], organisations=[mission.partnership.owner]
        )
    )

    response = client.get(change_url(mission))

    assert response.status_code == 200
    assert TOKEN_FIELD not in response.text
