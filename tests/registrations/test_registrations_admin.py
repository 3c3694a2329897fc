"""Registrations in the admin: who sees what, the actions, exports, erasure, and the log.

Only the owning organisation's publishers and site managers see the people; editors see
the counts and open registration (on a mission not yet published); translators and other
organisations' staff see nothing. (Every admin address, walked as another organisation's
staff, is in ``test_admin_access_walk.py``.) Requests are made in English.
"""

import copy
import csv
import io
import json

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from openpyxl import load_workbook
from pytest_django.asserts import assertContains, assertNotContains

from programmes.domain import permissions
from programmes.domain.permissions import EDITOR, PUBLISHER, SITE_MANAGER, TRANSLATOR
from programmes.models import AuditLogEntry, Status
from registrations.models import Registration, RegistrationSettings, RegistrationTally
from registrations.models import Status as RegistrationStatus

from ..factories import (
    FocusAreaFactory,
    MissionFactory,
    OrganisationFactory,
    PartnershipFactory,
    RegistrationFactory,
    RegistrationSettingsFactory,
    StaffFactory,
)
from ..html_forms import form_data

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:registrations_registration_changelist"
SETTINGS_LIST = "admin:registrations_registrationsettings_changelist"


@pytest.fixture
def enschede():
    return OrganisationFactory(slug="gemeente-enschede", name_en="Gemeente Enschede")


@pytest.fixture
def trip(enschede):
    """Enschede's published upcoming mission: 2 places, both taken, one person waiting."""
    registration_settings = RegistrationSettingsFactory(
        capacity=2, mission__partnership=PartnershipFactory(owner=enschede)
    )
    mission = registration_settings.mission
    economy = FocusAreaFactory(slug="economy")
    people = {
        "anna": RegistrationFactory(mission=mission, name="Anna de Vries", sector=economy),
        "li": RegistrationFactory(
            mission=mission,
            name="Li Wei",
            email="li@example.cn",
            language="zh-hans",
            sector=economy,
        ),
        "bram": RegistrationFactory(
            mission=mission, name="Bram Jansen", status=RegistrationStatus.WAITING, sector=economy
        ),
    }
    return registration_settings, people


def login(client, role, organisation=None, **kwargs):
    organisations = [organisation] if organisation else []
    languages = ["zh-hans"] if role == TRANSLATOR else ()
    user = StaffFactory(role=role, organisations=organisations, languages=languages, **kwargs)
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return user


def action(client, name, registrations, **extra):
    return client.post(
        reverse(CHANGELIST),
        {"action": name, "_selected_action": [r.pk for r in registrations], **extra},
        follow=True,
    )


# Who sees what --------------------------------------------------------------------------------

# Each cell: the actions allowed on the user's own organisation's draft mission | on another
# organisation's. A registration: view, change, delete (erase), export; its settings: view,
# add, change, delete. People are never added by staff (the admin's has_add_permission).
MATRIX = """
model                 editor     publisher  translator  site_manager
registration          ----|----  vcde|----  ----|----   vcde|vcde
registrationsettings  vacd|----  vacd|----  ----|----   vacd|vacd
"""
LETTERS = {
    "registration": {"v": "view", "c": "change", "d": "delete", "e": "export"},
    "registrationsettings": {"v": "view", "a": "add", "c": "change", "d": "delete"},
}
ROLE_COLUMNS = {
    "editor": EDITOR,
    "publisher": PUBLISHER,
    "translator": TRANSLATOR,
    "site_manager": SITE_MANAGER,
}


def cells():
    header, *rows = MATRIX.strip().splitlines()
    for row in rows:
        model, *values = row.split()
        for role, value in zip(header.split()[1:], values, strict=True):
            yield pytest.param(model, ROLE_COLUMNS[role], value.split("|"), id=f"{model}-{role}")


@pytest.mark.parametrize(("model", "role", "expected"), list(cells()))
def test_the_permission_matrix(model, role, expected):
    own, other = OrganisationFactory(), OrganisationFactory()
    user = StaffFactory(role=role, organisations=[own])

    found = []
    for owner in (own, other):
        mission = MissionFactory(partnership=PartnershipFactory(owner=owner), status=Status.DRAFT)
        factory = RegistrationFactory if model == "registration" else RegistrationSettingsFactory
        obj = factory(mission=mission)
        unsaved = copy.copy(obj)
        unsaved.pk = None
        found.append(
            "".join(
                letter
                if permissions.can(user, action, unsaved if action == "add" else obj)
                else "-"
                for letter, action in LETTERS[model].items()
            )
        )

    assert found == expected


def test_editors_may_open_registration_only_before_the_mission_is_published(enschede):
    editor = StaffFactory(role=EDITOR, organisations=[enschede])
    publisher = StaffFactory(role=PUBLISHER, organisations=[enschede])
    published = RegistrationSettingsFactory(mission__partnership=PartnershipFactory(owner=enschede))

    assert not permissions.can(editor, "change", published)
    assert permissions.can(publisher, "change", published)


@pytest.mark.parametrize(
    ("role", "own", "sees_list", "sees_people"),
    [
        (EDITOR, True, 403, False),
        (TRANSLATOR, True, 403, False),
        (PUBLISHER, True, 200, True),
        (SITE_MANAGER, False, 200, True),
        (PUBLISHER, False, 200, False),  # POM's publisher: an empty list
    ],
)
def test_only_the_owners_publishers_and_site_managers_see_the_people(
    client, trip, enschede, role, own, sees_list, sees_people
):
    login(client, role, enschede if own else OrganisationFactory())
    _settings, people = trip

    response = client.get(reverse(CHANGELIST))

    assert response.status_code == sees_list
    for person in people.values():
        assert (person.name in response.text) == sees_people
        change = client.get(reverse("admin:registrations_registration_change", args=[person.pk]))
        assert change.status_code == (200 if sees_people else 403 if sees_list == 403 else 404)


def test_editors_see_the_counts_on_the_mission_page_and_on_the_settings(client, trip, enschede):
    registration_settings, people = trip
    registration_settings.mission.status = Status.DRAFT
    registration_settings.mission.save()
    login(client, EDITOR, enschede)
    mission_page = reverse(
        "admin:programmes_mission_change", args=[registration_settings.mission_id]
    )

    page = client.get(mission_page)

    assertContains(page, "2 of 2 places taken, 1 on the waiting list, 0 not confirmed yet.")
    assertContains(page, "Registration settings")
    assertNotContains(page, "The people who registered")
    for person in people.values():
        assertNotContains(page, person.name)
    settings_list = client.get(reverse(SETTINGS_LIST))
    assertContains(settings_list, '<td class="field-taken">2</td>', html=True)
    assertNotContains(settings_list, "Anna")

    client.force_login(StaffFactory(role=PUBLISHER, organisations=[enschede]))
    assertContains(client.get(mission_page), "The people who registered")
    client.force_login(
        StaffFactory(role=TRANSLATOR, organisations=[enschede], languages=["zh-hans"])
    )
    assertNotContains(client.get(mission_page), "places taken")


def test_an_editor_opens_registration_on_a_draft_mission(client, enschede):
    login(client, EDITOR, enschede)
    draft = MissionFactory(partnership=PartnershipFactory(owner=enschede), status=Status.DRAFT)
    published = MissionFactory(partnership=PartnershipFactory(owner=enschede))
    now = timezone.localtime()
    form = {
        "opens_at_0": now.strftime("%Y-%m-%d"),
        "opens_at_1": "09:00:00",
        "closes_at_0": (now + timezone.timedelta(days=10)).strftime("%Y-%m-%d"),
        "closes_at_1": "17:00:00",
        "capacity": "12",
    }
    add = reverse("admin:registrations_registrationsettings_add")

    refused = client.post(add, {**form, "mission": published.pk})
    assert refused.status_code == 200
    assert not RegistrationSettings.objects.exists()

    response = client.post(add, {**form, "mission": draft.pk})
    assert response.status_code == 302
    assert RegistrationSettings.objects.get().capacity == 12
    entry = AuditLogEntry.objects.filter(action="created").latest("pk")
    assert entry.object_repr == draft.title_nl  # the log names objects in Dutch


def test_registration_must_close_before_the_mission_starts(enschede):
    registration_settings = RegistrationSettingsFactory()
    start = registration_settings.mission.start_date
    registration_settings.closes_at = timezone.make_aware(
        timezone.datetime.combine(start + timezone.timedelta(days=1), timezone.datetime.min.time())
    )
    with translation.override("en"):
        day = date_format(start)  # "Feb. 2, 2027"
        with pytest.raises(ValidationError) as refusal:
            registration_settings.full_clean()
    assert refusal.value.message_dict == {
        "closes_at": [f"The mission starts on {day}: registration must close by then."]
    }


# Accept and decline ---------------------------------------------------------------------------


def test_accepting_and_declining_tell_the_person(client, trip, enschede):
    _settings, people = trip
    publisher = login(client, PUBLISHER, enschede)

    response = action(client, "accept_selected", [people["li"]])
    assertContains(response, "Accepted 1 person.")
    assert Registration.objects.get(pk=people["li"].pk).status == RegistrationStatus.ACCEPTED
    [accepted] = mail.outbox
    assert (accepted.to, accepted.subject) == (
        ["li@example.cn"],
        f"报名已接受：{people['li'].mission.title_zh_hans}",
    )

    # Full: the waiting person cannot be accepted, and the list says why.
    response = action(client, "accept_selected", [people["bram"]])
    assertContains(response, "Bram Jansen cannot be accepted: every place is taken.")

    # Declining someone with a place moves the first on the waiting list up.
    mail.outbox.clear()
    response = action(client, "decline_selected", [people["anna"]])
    assertContains(response, "Declined 1 person.")
    assert Registration.objects.get(pk=people["bram"].pk).status == RegistrationStatus.CONFIRMED
    declined, moved_up = mail.outbox
    assert declined.to == [people["anna"].email]
    assert moved_up.to == [people["bram"].email]
    entry = AuditLogEntry.objects.filter(action="changed", object_id=str(people["anna"].pk)).latest(
        "pk"
    )
    assert (entry.message, entry.user) == ("confirmed → declined", publisher)


def test_raising_the_number_of_places_moves_people_up(client, trip, enschede):
    registration_settings, people = trip
    login(client, PUBLISHER, enschede)
    change = reverse(
        "admin:registrations_registrationsettings_change", args=[registration_settings.pk]
    )
    local_open = timezone.localtime(registration_settings.opens_at)
    local_close = timezone.localtime(registration_settings.closes_at)

    response = client.post(
        change,
        {
            "mission": registration_settings.mission_id,
            "opens_at_0": local_open.strftime("%Y-%m-%d"),
            "opens_at_1": local_open.strftime("%H:%M:%S"),
            "closes_at_0": local_close.strftime("%Y-%m-%d"),
            "closes_at_1": local_close.strftime("%H:%M:%S"),
            "capacity": "3",
        },
    )

    assert response.status_code == 302
    assert Registration.objects.get(pk=people["bram"].pk).status == RegistrationStatus.CONFIRMED
    [moved_up] = mail.outbox
    assert moved_up.to == [people["bram"].email]


# Exports --------------------------------------------------------------------------------------


def test_the_export_asks_for_columns_then_gives_the_file(client, trip, enschede):
    _settings, people = trip
    login(client, PUBLISHER, enschede)
    chosen = [people["anna"], people["li"]]

    page = action(client, "export_selected", chosen)
    assertContains(page, "2 registrations are selected.")
    assertContains(page, 'value="dietary"')

    response = action(
        client,
        "export_selected",
        chosen,
        post="yes",
        columns=["name", "organisation", "email", "dietary"],
        file_format="xlsx",
    )

    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "no-store" in response["Cache-Control"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows == [
        ["name", "organisation", "e-mail address", "dietary requirements"],
        ["Anna de Vries", people["anna"].organisation, people["anna"].email, None],
        ["Li Wei", people["li"].organisation, "li@example.cn", None],
    ]
    logged = AuditLogEntry.objects.filter(action="exported").order_by("object_id")
    assert [(e.object_id, e.message) for e in logged] == [
        (str(people["anna"].pk), "xlsx: name, organisation, email, dietary"),
        (str(people["li"].pk), "xlsx: name, organisation, email, dietary"),
    ]


def test_a_name_that_looks_like_a_formula_stays_text(client, trip, enschede):
    registration_settings, _people = trip
    sneaky = RegistrationFactory(
        mission=registration_settings.mission,
        name='=HYPERLINK("https://evil.example","klik")',
        organisation="大连港集团",
    )
    login(client, PUBLISHER, enschede)

    xlsx = action(
        client, "export_selected", [sneaky], post="yes", columns=["name"], file_format="xlsx"
    )
    cell = load_workbook(io.BytesIO(xlsx.content)).active["A2"]
    assert (cell.value, cell.data_type) == ('=HYPERLINK("https://evil.example","klik")', "s")

    exported = action(
        client,
        "export_selected",
        [sneaky],
        post="yes",
        columns=["name", "organisation"],
        file_format="csv",
    )
    text = exported.content.decode("utf-8")
    assert text.startswith("\ufeff")  # Excel reads UTF-8 (大连) only with it
    assert list(csv.reader(io.StringIO(text.lstrip("\ufeff")))) == [
        ["name", "organisation"],
        ['\'=HYPERLINK("https://evil.example","klik")', "大连港集团"],
    ]


def test_editors_cannot_export(client, trip, enschede):
    _settings, people = trip
    login(client, EDITOR, enschede)
    response = client.post(
        reverse(CHANGELIST),
        {"action": "export_selected", "_selected_action": [people["anna"].pk], "post": "yes"},
    )
    assert response.status_code == 403
    assert not AuditLogEntry.objects.filter(action="exported").exists()


# One person: their data, and erasure --------------------------------------------------------


def test_a_persons_data_as_a_file(client, trip, enschede):
    _settings, people = trip
    login(client, PUBLISHER, enschede)
    url = reverse("admin:registrations_registration_personal_data", args=[people["li"].pk])

    response = client.get(url)

    data = json.loads(response.content)
    assert data["name"] == "Li Wei"
    assert data["email"] == "li@example.cn"
    assert data["language"] == "zh-hans"
    assert "token_key" not in json.dumps(data)
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="registration-{people["li"].pk}.json"'
    )
    assert AuditLogEntry.objects.filter(action="exported", object_id=str(people["li"].pk)).exists()

    client.force_login(StaffFactory(role=PUBLISHER, organisations=[OrganisationFactory()]))
    assert client.get(url).status_code == 404
    client.force_login(StaffFactory(role=EDITOR, organisations=[enschede]))
    assert client.get(url).status_code == 404  # editors see no people at all


def test_erasing_a_person_keeps_the_count_and_moves_the_waiting_list(client, trip, enschede):
    _settings, people = trip
    login(client, PUBLISHER, enschede)
    url = reverse("admin:registrations_registration_erase", args=[people["anna"].pk])

    assertContains(client.get(url), "the first on the waiting list moves up")
    response = client.post(url, {"post": "yes"}, follow=True)

    assertContains(response, "The registration is erased; only its count is kept.")
    assert not Registration.objects.filter(pk=people["anna"].pk).exists()
    assert list(RegistrationTally.objects.values_list("status", "sector__slug", "count")) == [
        ("confirmed", "economy", 1)
    ]
    assert Registration.objects.get(pk=people["bram"].pk).status == RegistrationStatus.CONFIRMED
    [moved_up] = mail.outbox
    assert moved_up.to == [people["bram"].email]
    entry = AuditLogEntry.objects.get(action="erased")
    assert entry.object_repr == f"inschrijving {people['anna'].pk}"  # in Dutch, as every entry
    assert "Anna" not in json.dumps(list(AuditLogEntry.objects.values()), default=str)


def test_djangos_delete_is_not_offered(client, trip, enschede):
    _settings, people = trip
    login(client, SITE_MANAGER)
    delete = reverse("admin:registrations_registration_delete", args=[people["anna"].pk])
    assert client.get(delete).status_code == 403
    assertNotContains(client.get(reverse(CHANGELIST)), "delete_selected")


def test_staff_cannot_record_a_consent_to_sensitive_notes_the_person_never_gave(
    client, trip, enschede
):
    """Dietary requirements and visa notes need the person's own consent (GDPR art. 9):
    a publisher typing them in must not stamp ``sensitive_consented_at`` as if the person
    had ticked the box."""
    _settings, people = trip
    anna = people["anna"]
    assert anna.sensitive_consented_at is None and not anna.dietary
    login(client, PUBLISHER, enschede)
    url = reverse("admin:registrations_registration_change", args=[anna.pk])
    data = {name: values[0] for name, values in form_data(client.get(url).text).items() if values}
    data["dietary"] = "Halal"

    response = client.post(url, data)

    assert response.status_code == 200  # the form again, with the error
    assert "Only the person can agree" in response.text
    anna.refresh_from_db()
    assert (anna.dietary, anna.sensitive_consented_at) == ("", None)

    # Given by the person, the consent is kept when staff correct the notes.
    anna.dietary, anna.sensitive_consented_at = "Vegetarisch", timezone.now()
    anna.save()
    consented = anna.sensitive_consented_at
    data = {name: values[0] for name, values in form_data(client.get(url).text).items() if values}
    data["dietary"] = "Vegetarisch, geen noten"
    assert client.post(url, data).status_code == 302
    anna.refresh_from_db()
    assert (anna.dietary, anna.sensitive_consented_at) == ("Vegetarisch, geen noten", consented)


# Reading is logged ---------------------------------------------------------------------------


def test_viewing_the_list_and_a_registration_is_logged_without_the_search(client, trip, enschede):
    _settings, people = trip
    user = login(client, PUBLISHER, enschede)

    client.get(reverse(CHANGELIST), {"q": "Anna", "status__exact": "confirmed"})
    client.get(reverse("admin:registrations_registration_change", args=[people["li"].pk]))

    listed, opened = AuditLogEntry.objects.filter(action="viewed").order_by("pk")
    assert (listed.username, listed.object_id, listed.message) == (
        user.username,
        "",
        "status__exact=confirmed, search, 1 shown",
    )
    assert (opened.object_id, opened.object_repr) == (
        str(people["li"].pk),
        f"inschrijving {people['li'].pk}",
    )


def test_site_managers_read_who_viewed_exported_and_erased_in_the_audit_log(client, trip, enschede):
    _settings, people = trip
    login(client, PUBLISHER, enschede)
    client.get(reverse(CHANGELIST))
    client.get(reverse("admin:registrations_registration_personal_data", args=[people["li"].pk]))
    client.post(
        reverse("admin:registrations_registration_erase", args=[people["anna"].pk]),
        {"post": "yes"},
    )
    login(client, SITE_MANAGER)

    log = client.get(reverse("admin:programmes_auditlogentry_changelist"))

    assert log.status_code == 200
    text = " ".join(log.text.split())
    for action in ("Viewed", "Exported", "Erased"):
        assert f'<td class="field-action">{action}</td>' in text
    # The list as a whole and an erased person have no page to link to; Li's has.
    li = reverse("admin:registrations_registration_change", args=[people["li"].pk])
    anna = reverse("admin:registrations_registration_change", args=[people["anna"].pk])
    assert f'href="{li}"' in text
    assert f'href="{anna}"' not in text
    assert "Anna" not in text and "Li Wei" not in text


@pytest.mark.parametrize("rows", [1, 30])
def test_the_list_queries_do_not_grow(client, enschede, django_assert_num_queries, rows):
    registration_settings = RegistrationSettingsFactory(
        mission__partnership=PartnershipFactory(owner=enschede)
    )
    RegistrationFactory.create_batch(rows, mission=registration_settings.mission)
    login(client, SITE_MANAGER)

    # Session, user, the roles and memberships; the count twice (filtered and all), the
    # page, the mission and sector filters' choices; the log entry and its content type.
    with django_assert_num_queries(12):
        response = client.get(reverse(CHANGELIST))
    assert response.context["cl"].result_count == rows
