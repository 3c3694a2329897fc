"""The audit log: every create, change, publish, unpublish and delete, by whom and when.

Requests are made in English (language cookie) so assertions on interface text hold.
"""

import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from programmes.domain import audit, services
from programmes.models import AuditLogEntry, Mission, ProgrammeItem, Status

from .factories import MissionFactory, ProgrammeItemFactory, RegionFactory, StaffFactory
from .html_forms import form_data

pytestmark = pytest.mark.django_db

Action = AuditLogEntry.Action


def log_for(obj) -> list[tuple[str, str, list[str]]]:
    """(action, username, changed fields) of every entry about ``obj``, oldest first."""
    return [
        (entry.action, entry.username, entry.changed_fields)
        for entry in AuditLogEntry.objects.filter(
            content_type__model=obj._meta.model_name, object_id=str(obj.pk)
        ).order_by("pk")
    ]


def login(client, *permissions, **kwargs):
    user = StaffFactory(permissions=list(permissions), **kwargs)
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return user


def test_services_log_each_write_with_who_and_what_changed():
    editor = StaffFactory(username="anna")
    mission = MissionFactory.build(
        partnership=MissionFactory().partnership,
        slug="missie",
        status=Status.DRAFT,
        publish_at=None,
    )

    before = timezone.now()
    services.save_content(mission, user=editor)
    mission.title_en, mission.summary_nl = "Economic mission", "Nieuwe samenvatting"
    services.save_content(mission, user=editor)
    services.publish([mission], user=editor)
    services.unpublish([mission], user=editor)
    pk = mission.pk
    services.delete_content(mission, user=editor)
    mission.pk = pk

    assert log_for(mission) == [
        (Action.CREATED, "anna", []),
        (Action.CHANGED, "anna", ["title_en", "summary_nl"]),
        (Action.PUBLISHED, "anna", []),
        (Action.UNPUBLISHED, "anna", []),
        (Action.DELETED, "anna", []),
    ]
    entry = AuditLogEntry.objects.filter(action=Action.DELETED).get()
    assert (entry.user, entry.object_repr) == (editor, mission.title_nl)
    assert before <= entry.timestamp <= timezone.now()


def test_a_command_is_logged_without_a_user(seeded):
    mission = Mission.objects.get(slug="inspiration-trip-shanghai-dalian")
    assert log_for(mission) == [(Action.CREATED, "", []), (Action.PUBLISHED, "", [])]
    assert AuditLogEntry.objects.filter(object_id=str(mission.pk)).first().message == (
        "Loaded from the seed content"
    )


def test_the_log_names_objects_in_dutch_whatever_language_the_editor_uses():
    mission = MissionFactory(title_nl="Inspiratiereis", title_en="Inspiration trip")
    with translation.override("en"):
        services.save_content(mission)
    assert AuditLogEntry.objects.get().object_repr == "Inspiratiereis"


def test_admin_saves_deletes_and_actions_are_logged(client):
    anna = login(client, is_superuser=True, username="anna")
    mission = MissionFactory()
    item = ProgrammeItemFactory(mission=mission)
    url = reverse("admin:programmes_mission_change", args=[mission.pk])
    data = form_data(client.get(url).text, "mission_form")
    data.update({"title_en": ["Economic mission"], "programme_items-0-DELETE": ["on"]})

    assert client.post(url, data).status_code == 302
    client.post(
        reverse("admin:programmes_mission_changelist"),
        {"action": "unpublish_selected", "_selected_action": [str(mission.pk)]},
    )
    client.post(reverse("admin:programmes_mission_delete", args=[mission.pk]), {"post": "yes"})

    assert log_for(mission) == [
        (Action.CHANGED, "anna", ["title_en"]),
        (Action.UNPUBLISHED, "anna", []),
        (Action.DELETED, "anna", []),
    ]
    assert log_for(item) == [(Action.DELETED, "anna", [])]
    assert not ProgrammeItem.objects.exists()
    assert AuditLogEntry.objects.filter(user=anna).count() == 4


def test_describe_fields_names_fields_and_languages():
    names = ["title_en", "summary_nl", "kind", "partnership_id"]
    with translation.override("en"):
        assert (
            audit.describe_fields(Mission, names) == "Title (en), Summary (nl), Kind, Partnership"
        )
    assert (
        audit.describe_fields(Mission, names)
        == "Titel (en), Samenvatting (nl), Soort, Partnerschap"
    )


# The audit log in the admin -----------------------------------------------------------------


def test_site_managers_read_the_log_filtered(client):
    login(client, "programmes.view_auditlogentry")
    anna, bram = StaffFactory(username="anna"), StaffFactory(username="bram")
    mission = MissionFactory(title_nl="Inspiratiereis")
    region = RegionFactory(name_nl="Zhejiang")
    services.save_content(mission, user=anna)
    services.publish([region], user=bram)
    url = reverse("admin:programmes_auditlogentry_changelist")

    everything = client.get(url)
    by_bram = client.get(url, {"username": "bram"})
    published = client.get(url, {"action__exact": "published"})

    assert everything.status_code == 200
    assert [str(entry) for entry in everything.context["cl"].result_list] == [
        "Published: Zhejiang",
        "Changed: Inspiratiereis",
    ]
    assert [str(entry) for entry in by_bram.context["cl"].result_list] == ["Published: Zhejiang"]
    assert [str(entry) for entry in published.context["cl"].result_list] == ["Published: Zhejiang"]
    change_url = reverse("admin:programmes_mission_change", args=[mission.pk])
    assert f'<a href="{change_url}">Inspiratiereis</a>' in everything.text
    filters = re.findall(r"<summary>\s*By ([^<]*?)\s*</summary>", everything.text)
    assert filters == ["action", "kind of content", "when", "username"]
    assert "addlink" not in everything.text


def test_the_log_cannot_be_changed_in_the_admin(client):
    login(client, "programmes.view_auditlogentry")
    entry = audit.record(Action.CHANGED, MissionFactory(), message="Original")

    assert client.get(reverse("admin:programmes_auditlogentry_add")).status_code == 403
    change_url = reverse("admin:programmes_auditlogentry_change", args=[entry.pk])
    assert client.post(change_url, {"message": "Rewritten"}).status_code == 403
    delete_url = reverse("admin:programmes_auditlogentry_delete", args=[entry.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    entry.refresh_from_db()
    assert entry.message == "Original"


def test_editors_do_not_see_the_log(client):
    login(client, "programmes.view_mission", "programmes.change_mission")
    assert client.get(reverse("admin:programmes_auditlogentry_changelist")).status_code == 403
