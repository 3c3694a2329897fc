"""Revert and recover reach only what the user may change, and never publish for them.

A revision holds more than the object whose page it is opened from (a mission's programme
items, outcomes and photos; whatever else was saved with it), and reverting writes all of
them. The version in the URL must be one of this admin's model and object (of a deleted
object, to recover), every object of its revision one the user may change, and the status
and publish dates stay as they are for someone who may not publish.

Requests are made in English (language cookie) so assertions on interface text hold.
"""

import pytest
import reversion
from django.conf import settings
from django.urls import reverse
from reversion.models import Version

from programmes.domain import services
from programmes.domain.permissions import EDITOR, PUBLISHER, SITE_MANAGER, TRANSLATOR
from programmes.models import AuditLogEntry, Mission, Outcome, ProgrammeItem, Status

from .factories import (
    MissionFactory,
    OrganisationFactory,
    OutcomeFactory,
    PartnershipFactory,
    ProgrammeItemFactory,
    RegionFactory,
    StaffFactory,
)
from .html_forms import form_data

pytestmark = pytest.mark.django_db

Action = AuditLogEntry.Action


@pytest.fixture
def organisations():
    return {
        "enschede": OrganisationFactory(slug="gemeente-enschede", name_en="Gemeente Enschede"),
        "pom": OrganisationFactory(slug="pom-west-vlaanderen", name_en="POM West-Vlaanderen"),
    }


def draft_mission(organisation, **kwargs) -> Mission:
    return MissionFactory(
        partnership=PartnershipFactory(owner=organisation), status=Status.DRAFT, **kwargs
    )


def login(client, role, organisation):
    languages = ["zh-hans"] if role == TRANSLATOR else ()
    user = StaffFactory(role=role, organisations=[organisation], languages=languages)
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return user


def change_form(client, obj) -> dict:
    url = reverse(f"admin:programmes_{obj._meta.model_name}_change", args=[obj.pk])
    return form_data(client.get(url).text, f"{obj._meta.model_name}_form")


def audit_log() -> list[tuple[str, str, str, str]]:
    return list(
        AuditLogEntry.objects.order_by("pk").values_list(
            "action", "username", "content_type__model", "object_repr"
        )
    )


@pytest.fixture
def enschede_item_with_the_id_of_a_pom_mission(organisations):
    """An Enschede programme item whose id is a POM mission's, with a version of an old title."""
    pom_mission = draft_mission(organisations["pom"], title_en="POM draft")
    enschede_mission = draft_mission(organisations["enschede"])
    item = ProgrammeItemFactory(pk=pom_mission.pk, mission=enschede_mission, title_en="Old visit")
    services.save_content(enschede_mission)
    item.title_en = "Port of Dalian"
    services.save_content(item)
    version = Version.objects.get_for_object(item).order_by("pk").first()
    assert version.field_dict["title_en"] == "Old visit"
    return pom_mission, item, version


def test_recover_with_a_version_of_another_organisations_item_is_not_found(
    client, organisations, enschede_item_with_the_id_of_a_pom_mission
):
    pom_mission, item, version = enschede_item_with_the_id_of_a_pom_mission
    login(client, EDITOR, organisations["pom"])
    data = change_form(client, pom_mission)
    log = audit_log()
    url = reverse("admin:programmes_mission_recover", args=[version.pk])

    page = client.get(url)
    response = client.post(url, data)

    assert (page.status_code, response.status_code) == (404, 404)
    assert item.title_nl not in page.text
    item.refresh_from_db()
    assert item.title_en == "Port of Dalian"
    assert audit_log() == log


def test_revert_with_a_version_of_another_model_with_the_same_id_is_not_found(
    client, organisations, enschede_item_with_the_id_of_a_pom_mission
):
    pom_mission, item, version = enschede_item_with_the_id_of_a_pom_mission
    login(client, EDITOR, organisations["pom"])
    data = change_form(client, pom_mission)
    url = reverse("admin:programmes_mission_revision", args=[pom_mission.pk, version.pk])

    page = client.get(url)
    response = client.post(url, data)

    assert (page.status_code, response.status_code) == (404, 404)
    item.refresh_from_db()
    assert item.title_en == "Port of Dalian"


def test_recover_needs_a_deleted_object(client, organisations):
    mission = draft_mission(organisations["pom"], title_en="Zhejiang days")
    services.save_content(mission)
    version = Version.objects.get_for_object(mission).get()
    login(client, EDITOR, organisations["pom"])

    page = client.get(reverse("admin:programmes_mission_recover", args=[version.pk]))

    assert page.status_code == 404


def test_a_revision_shared_with_a_region_is_refused_to_an_editor(client, organisations):
    mission = draft_mission(organisations["pom"], title_en="Zhejiang days")
    region = RegionFactory(name_en="West Flanders")
    with reversion.create_revision():  # a site manager saved both in one request
        reversion.add_to_revision(mission)
        reversion.add_to_revision(region)
    region.name_en = "West-Vlaanderen"
    services.save_content(region)
    version = Version.objects.get_for_object(mission).get()
    login(client, EDITOR, organisations["pom"])
    data = change_form(client, mission)
    log = audit_log()
    url = reverse("admin:programmes_mission_revision", args=[mission.pk, version.pk])

    page = client.get(url)
    response = client.post(url, data)

    assert (page.status_code, response.status_code) == (403, 403)
    region.refresh_from_db()
    assert region.name_en == "West-Vlaanderen"
    assert audit_log() == log


def test_an_editor_reverting_to_a_published_version_does_not_publish(client, organisations):
    mission = MissionFactory(
        partnership=PartnershipFactory(owner=organisations["pom"]), title_en="Published title"
    )
    outcome = OutcomeFactory(mission=mission, title_en="Published outcome")
    services.save_content(mission)  # the version to revert to: both published
    old = Version.objects.get_for_object(mission).get()
    publish_at = mission.publish_at
    Outcome.objects.filter(pk=outcome.pk).update(status=Status.DRAFT, publish_at=None)
    Mission.objects.filter(pk=mission.pk).update(status=Status.UNPUBLISHED)
    mission.refresh_from_db()
    mission.title_en = "Draft title"
    services.save_content(mission)
    login(client, EDITOR, organisations["pom"])
    url = reverse("admin:programmes_mission_revision", args=[mission.pk, old.pk])

    page = client.get(url)
    response = client.post(url, form_data(page.text, "mission_form"))

    assert response.status_code == 302
    mission.refresh_from_db()
    outcome.refresh_from_db()
    assert (mission.title_en, mission.status, mission.publish_at) == (
        "Published title",
        Status.UNPUBLISHED,
        publish_at,
    )
    assert (outcome.title_en, outcome.status, outcome.publish_at) == (
        "Published outcome",
        Status.DRAFT,
        None,
    )


def test_a_publisher_reverting_to_a_published_version_publishes(client, organisations):
    mission = MissionFactory(partnership=PartnershipFactory(owner=organisations["pom"]))
    services.save_content(mission)
    old = Version.objects.get_for_object(mission).get()
    Mission.objects.filter(pk=mission.pk).update(status=Status.UNPUBLISHED)
    login(client, PUBLISHER, organisations["pom"])
    url = reverse("admin:programmes_mission_revision", args=[mission.pk, old.pk])

    page = client.get(url)
    response = client.post(url, form_data(page.text, "mission_form"))

    assert response.status_code == 302
    mission.refresh_from_db()
    assert mission.status == Status.PUBLISHED


def test_an_editor_may_not_revert_over_a_published_outcome(client, organisations):
    mission = draft_mission(organisations["pom"])
    outcome = OutcomeFactory(mission=mission, status=Status.DRAFT, title_en="Draft outcome")
    services.save_content(mission)
    old = Version.objects.get_for_object(mission).get()
    Outcome.objects.filter(pk=outcome.pk).update(status=Status.PUBLISHED, title_en="Published")
    added = OutcomeFactory(mission=mission, status=Status.PUBLISHED, title_en="Added later")
    login(client, EDITOR, organisations["pom"])
    data = change_form(client, mission)
    url = reverse("admin:programmes_mission_revision", args=[mission.pk, old.pk])

    page = client.get(url)
    response = client.post(url, data)

    assert (page.status_code, response.status_code) == (403, 403)
    assert sorted(Outcome.objects.values_list("pk", "title_en", "status")) == [
        (outcome.pk, "Published", Status.PUBLISHED),
        (added.pk, "Added later", Status.PUBLISHED),
    ]


def test_a_translator_may_not_revert(client, organisations):
    mission = draft_mission(organisations["pom"], title_nl="Oude titel")
    services.save_content(mission)
    old = Version.objects.get_for_object(mission).get()
    Mission.objects.filter(pk=mission.pk).update(title_nl="Nieuwe titel")
    login(client, TRANSLATOR, organisations["pom"])
    data = change_form(client, mission)
    url = reverse("admin:programmes_mission_revision", args=[mission.pk, old.pk])

    response = client.post(url, data)

    assert response.status_code == 403
    mission.refresh_from_db()
    assert mission.title_nl == "Nieuwe titel"


def test_an_editor_recovers_a_deleted_published_mission_as_a_draft(client, organisations):
    mission = MissionFactory(
        partnership=PartnershipFactory(owner=organisations["pom"]), title_en="Business days"
    )
    item = ProgrammeItemFactory(mission=mission, title_en="B2B meetings")
    pk, item_pk = mission.pk, item.pk
    services.delete_content(mission)
    login(client, EDITOR, organisations["pom"])

    listed = client.get(reverse("admin:programmes_mission_recoverlist"))
    version = Version.objects.get_deleted(Mission).get()
    url = reverse("admin:programmes_mission_recover", args=[version.pk])
    page = client.get(url)
    response = client.post(url, form_data(page.text, "mission_form"))

    assert url in listed.text
    assert response.status_code == 302
    recovered = Mission.objects.get(pk=pk)
    assert (recovered.title_en, recovered.status, recovered.publish_at) == (
        "Business days",
        Status.DRAFT,
        None,
    )
    assert list(recovered.programme_items.values_list("pk", "title_en")) == [
        (item_pk, "B2B meetings")
    ]
    assert [(action, model) for action, _user, model, _repr in audit_log()] == [
        (Action.DELETED, "mission"),
        (Action.RECOVERED, "programmeitem"),
        (Action.RECOVERED, "mission"),
    ]


def test_every_object_a_revert_writes_is_in_the_audit_log(client, organisations):
    manager = StaffFactory(username="anna", role=SITE_MANAGER)
    client.force_login(manager)
    mission = draft_mission(organisations["pom"])
    item = ProgrammeItemFactory(mission=mission, title_en="Tongji University")
    services.save_content(mission)
    old = Version.objects.get_for_object(mission).get()
    ProgrammeItem.objects.filter(pk=item.pk).update(title_en="Tongji")
    added = ProgrammeItemFactory(mission=mission, title_en="Added later")
    log = audit_log()
    url = reverse("admin:programmes_mission_revision", args=[mission.pk, old.pk])

    page = client.get(url)
    assert audit_log() == log  # looking changes nothing
    response = client.post(url, form_data(page.text, "mission_form"))

    assert response.status_code == 302
    assert list(mission.programme_items.values_list("title_en", flat=True)) == ["Tongji University"]
    assert audit_log()[len(log) :] == [
        (Action.DELETED, "anna", "programmeitem", added.title_nl),
        (Action.REVERTED, "anna", "programmeitem", item.title_nl),
        (Action.REVERTED, "anna", "mission", mission.title_nl),
    ]
    entry = AuditLogEntry.objects.get(action=Action.REVERTED, content_type__model="programmeitem")
    assert entry.changed_fields == ["title_en"]
