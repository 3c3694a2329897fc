"""Nothing is lost: every save is a revision, with a readable history, revert and recovery.

Revisions are django-reversion's; what is stored and followed is ``programmes/domain/revisions.py``.
Admin requests are made in English (language cookie) so assertions on interface text hold.
"""

import io
import re

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from PIL import Image
from reversion.models import Revision, Version

from programmes.domain import revisions, services
from programmes.models import (
    AuditLogEntry,
    Mission,
    Outcome,
    Partnership,
    Photo,
    ProgrammeItem,
    Region,
    Status,
)

from .factories import (
    ClusterFactory,
    KeyFigureFactory,
    MissionFactory,
    ObjectiveFactory,
    OutcomeFactory,
    ProgrammeItemFactory,
    RegionFactory,
    StaffFactory,
)
from .html_forms import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(client):
    """A site manager in the admin, working in English."""
    user = StaffFactory(username="anna", first_name="Anna", last_name="de Vries", is_superuser=True)
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return user


def png_upload() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), "red").save(buffer, format="PNG")
    return SimpleUploadedFile("dalian.png", buffer.getvalue(), content_type="image/png")


def versions_of(obj) -> list[Version]:
    return list(Version.objects.get_for_object(obj).select_related("revision").order_by("pk"))


def change_url(obj) -> str:
    return reverse(f"admin:programmes_{obj._meta.model_name}_change", args=[obj.pk])


def edit_in_admin(client, obj, **changes) -> None:
    """Open ``obj``'s change form, change the given fields and save it, as an editor would."""
    data = form_data(client.get(change_url(obj)).text, f"{obj._meta.model_name}_form")
    data.update({name: [value] for name, value in changes.items()})
    response = client.post(change_url(obj), data)
    assert response.status_code == 302, response.context["errors"]


# What is stored ----------------------------------------------------------------------------


def test_every_language_column_is_stored_and_not_the_untranslated_field():
    fields = revisions.stored_field_names(Mission)
    for name in ("title", "summary", "why", "result"):
        assert name not in fields
        assert {f"{name}_nl", f"{name}_en", f"{name}_zh_hans"} <= set(fields)
    assert {"destinations", "organisers", "leader_name", "status", "publish_at"} <= set(fields)


def test_a_saved_version_holds_the_text_of_every_language(manager):
    mission = MissionFactory(title_nl="Missie", title_en="Mission", title_zh_hans="考察团")

    services.save_content(mission, user=manager)

    version = versions_of(mission)[-1]
    assert (
        version.field_dict["title_nl"],
        version.field_dict["title_en"],
        version.field_dict["title_zh_hans"],
    ) == ("Missie", "Mission", "考察团")
    assert version.revision.user == manager
    assert version.revision.comment == "Changed"


@pytest.mark.parametrize(
    ("make_parent", "make_children"),
    [
        pytest.param(
            lambda: MissionFactory(programme_items=2),
            lambda mission: [
                *mission.programme_items.all(),
                OutcomeFactory(mission=mission),
                Photo.objects.create(mission=mission, image=png_upload(), alt_text_nl="Dalian"),
            ],
            id="mission",
        ),
        pytest.param(
            RegionFactory,
            lambda region: [KeyFigureFactory(region=region), ClusterFactory(region=region)],
            id="region",
        ),
        pytest.param(
            lambda: ObjectiveFactory().partnership,
            lambda partnership: list(partnership.objectives.all()),
            id="partnership",
        ),
    ],
)
def test_a_revision_of_a_parent_holds_its_children(make_parent, make_children):
    parent = make_parent()
    children = make_children(parent)

    services.save_content(parent)

    revision = versions_of(parent)[-1].revision
    stored = {(v.content_type.model_class(), v.object_id) for v in revision.version_set.all()}
    assert stored == {(type(obj), str(obj.pk)) for obj in [parent, *children]}


def test_services_record_revisions_with_their_comment(manager):
    mission = MissionFactory(status=Status.DRAFT, publish_at=None)

    services.publish([mission], user=manager)
    services.unpublish([mission], user=manager)

    assert [(v.revision.comment, v.revision.user) for v in versions_of(mission)] == [
        ("Published", manager),
        ("Unpublished", manager),
    ]


def test_one_action_on_many_objects_makes_one_revision_each(client, manager):
    drafts = MissionFactory.create_batch(2, status=Status.DRAFT, publish_at=None)

    client.post(
        reverse("admin:programmes_mission_changelist"),
        {"action": "publish_selected", "_selected_action": [str(m.pk) for m in drafts]},
    )

    for mission in drafts:
        (version,) = versions_of(mission)
        assert version.revision.comment == "Published"
        assert version.revision.user == manager
        assert version.revision.version_set.count() == 1


def test_the_seed_loader_records_revisions(seeded):
    mission = Mission.objects.get(slug="inspiration-trip-shanghai-dalian")

    comments = [v.revision.comment for v in versions_of(mission)]

    assert comments == ["Loaded from the seed content", "Loaded from the seed content"]
    assert versions_of(mission)[-1].field_dict["status"] == Status.PUBLISHED
    # Loading again changes nothing, so it records nothing either.
    revisions_before = Revision.objects.count()
    call_command("load_seed_content", verbosity=0)
    assert Revision.objects.count() == revisions_before


def test_anonymous_user_is_not_recorded_as_the_author():
    mission = MissionFactory()
    services.save_content(mission, user=AnonymousUser())
    assert versions_of(mission)[-1].revision.user is None


# The history page ----------------------------------------------------------------------------


def history_rows(html: str) -> list[tuple[str, str, str, str]]:
    """(field, language, before, after) of every changed field, with <del>/<ins> kept."""
    rows = re.findall(
        r'<tr>\s*<th scope="row">([^<]*)</th>\s*<td>([^<]*)</td>\s*'
        r'<td class="before">(.*?)</td>\s*<td class="after">(.*?)</td>',
        html,
        flags=re.S,
    )
    return [tuple(cell.strip() for cell in row) for row in rows]


def test_history_shows_what_changed_per_field_and_language(client, manager):
    mission = MissionFactory(
        leader_name="Marijke van Hees",
        title_nl="Inspiratiereis naar Dalian",
        title_en="Inspiration trip to Dalian",
        title_zh_hans="大连考察",
        why_en="<p>Dalian is a <strong>port</strong> city.</p>",
    )
    edit_in_admin(client, mission)
    edit_in_admin(
        client,
        mission,
        title_zh_hans="大连高新区考察",
        why_en="<p>Dalian is a <strong>big</strong> port city.</p>",
        leader_name="Marijke de Vries",
    )

    response = client.get(reverse("admin:programmes_mission_history", args=[mission.pk]))

    assert response.status_code == 200
    # In the model's order; rich text is compared as the text a reader sees.
    assert history_rows(response.text) == [
        ("Title", "zh-hans", "大连考察", "大连<ins>高新区</ins>考察"),
        (
            "Leader",
            "",
            "Marijke <del>van</del> <del>Hees</del>",
            "Marijke <ins>de</ins> <ins>Vries</ins>",
        ),
        (
            "Why this mission",
            "en",
            "Dalian is a port city.",
            "Dalian is a <ins>big </ins>port city.",
        ),
    ]
    older = versions_of(mission)[0]
    revert_url = reverse("admin:programmes_mission_revision", args=[mission.pk, older.pk])
    assert f'<a href="{revert_url}" title="Revert to this version">' in response.text
    assert "First version." in response.text
    assert "anna (Anna de Vries)" in response.text


def test_history_shows_children_added_removed_and_changed(client, manager):
    mission = MissionFactory()
    tongji = ProgrammeItemFactory(mission=mission, title_en="Tongji University")
    port = ProgrammeItemFactory(mission=mission, title_en="Port of Dalian")
    services.save_content(mission, user=manager)

    port.delete()
    tongji.title_en = "Tongji University, Shanghai"
    tongji.save()
    ProgrammeItemFactory(mission=mission, title_nl="Haven van Shanghai")
    services.save_content(mission, user=manager)

    response = client.get(reverse("admin:programmes_mission_history", args=[mission.pk]))

    objects = re.findall(
        r'<p class="revision-object">\s*<strong>([^<]*)</strong>:\s*([a-z]*)', response.text
    )
    assert objects == [
        (f"Programme item “{tongji.title_nl}”", ""),
        ("Programme item “Haven van Shanghai”", "added"),
        (f"Programme item “{port.title_nl}”", "removed"),
    ]
    assert history_rows(response.text) == [
        ("Title", "en", "Tongji University", "Tongji University<ins>, Shanghai</ins>"),
    ]


def test_history_of_an_object_saved_before_revisions_existed(client, manager):
    region = RegionFactory()
    response = client.get(reverse("admin:programmes_region_history", args=[region.pk]))
    assert "This object has no saved versions yet." in response.text


# Revert -----------------------------------------------------------------------------------


def test_revert_a_mission_brings_back_its_texts_and_its_programme(client, manager):
    mission = MissionFactory(title_en="Inspiration trip", why_zh_hans="<p>为什么</p>")
    kept = ProgrammeItemFactory(mission=mission, title_en="Tongji University")
    removed = ProgrammeItemFactory(mission=mission, title_en="Port of Dalian")
    edit_in_admin(client, mission)
    first = versions_of(mission)[-1]

    removed_uuid = removed.uuid
    removed.delete()
    ProgrammeItemFactory(mission=mission, title_en="Added later")
    edit_in_admin(client, mission, title_en="Changed title", why_zh_hans="<p>改了</p>")

    revert_url = reverse("admin:programmes_mission_revision", args=[mission.pk, first.pk])
    page = client.get(revert_url)
    assert page.status_code == 200
    assert "Press the save button below to revert to this version of the object." in page.text
    # Looking at an old version changes nothing.
    mission.refresh_from_db()
    assert mission.title_en == "Changed title"

    response = client.post(revert_url, form_data(page.text, "mission_form"))

    assert response.status_code == 302
    mission.refresh_from_db()
    assert (mission.title_en, mission.why_zh_hans) == ("Inspiration trip", "<p>为什么</p>")
    assert sorted(mission.programme_items.values_list("title_en", flat=True)) == [
        "Port of Dalian",
        "Tongji University",
    ]
    assert mission.programme_items.get(title_en="Port of Dalian").uuid == removed_uuid
    assert mission.programme_items.filter(pk=kept.pk).exists()
    entry = AuditLogEntry.objects.filter(object_id=str(mission.pk)).first()
    assert (entry.action, entry.user) == (AuditLogEntry.Action.REVERTED, manager)


# Recovery of deleted objects -----------------------------------------------------------------


def test_recover_a_deleted_mission_with_its_programme_and_outcomes(client, manager):
    mission = MissionFactory(slug="economische-missie-dalian", title_en="Economic mission")
    items = [
        ProgrammeItemFactory(mission=mission, title_en=title, order=order)
        for order, title in enumerate(["Dalian Port", "NBSO Dalian", "Shenyang expo"])
    ]
    outcome = OutcomeFactory(mission=mission, title_en="Port cooperation")
    uuids = (mission.uuid, {item.uuid for item in items}, outcome.uuid)
    # Changed outside any revision, after its last revision: deleting stores it as it is now.
    services.save_content(mission)
    Mission.objects.filter(pk=mission.pk).update(title_en="Economic mission 2013")

    confirm = client.post(
        reverse("admin:programmes_mission_delete", args=[mission.pk]), {"post": "yes"}
    )
    assert confirm.status_code == 302
    assert not Mission.objects.filter(pk=mission.pk).exists()
    assert not ProgrammeItem.objects.filter(mission_id=mission.pk).exists()
    assert not Outcome.objects.filter(pk=outcome.pk).exists()

    recover_list = client.get(reverse("admin:programmes_mission_recoverlist"))
    deleted = Version.objects.get_deleted(Mission).get()
    recover_url = reverse("admin:programmes_mission_recover", args=[deleted.pk])
    assert recover_url in recover_list.text
    assert "Economic mission 2013" in recover_list.text or mission.title_nl in recover_list.text

    page = client.get(recover_url)
    assert "Press the save button below to recover this version of the object." in page.text
    response = client.post(recover_url, form_data(page.text, "mission_form"))

    assert response.status_code == 302
    recovered = Mission.objects.get(slug="economische-missie-dalian")
    assert recovered.pk == mission.pk
    assert recovered.title_en == "Economic mission 2013"
    assert (
        recovered.uuid,
        set(recovered.programme_items.values_list("uuid", flat=True)),
        recovered.outcomes.get().uuid,
    ) == uuids
    assert list(recovered.programme_items.order_by("order").values_list("title_en", flat=True)) == [
        "Dalian Port",
        "NBSO Dalian",
        "Shenyang expo",
    ]
    actions = list(
        AuditLogEntry.objects.filter(object_id=str(mission.pk), content_type__model="mission")
        .order_by("pk")
        .values_list("action", "username")
    )
    assert actions == [("changed", ""), ("deleted", "anna"), ("recovered", "anna")]


def test_recover_a_deleted_region_with_key_figures(client, manager):
    region = RegionFactory(slug="zhejiang", name_en="Zhejiang")
    figure = KeyFigureFactory(region=region, label_en="Population")
    services.save_content(region, user=manager)
    client.post(reverse("admin:programmes_region_delete", args=[region.pk]), {"post": "yes"})
    assert not Region.objects.filter(slug="zhejiang").exists()

    deleted = Version.objects.get_deleted(Region).get()
    recover_url = reverse("admin:programmes_region_recover", args=[deleted.pk])
    page = client.get(recover_url)
    client.post(recover_url, form_data(page.text, "region_form"))

    region = Region.objects.get(slug="zhejiang")
    assert list(region.key_figures.values_list("uuid", "label_en")) == [(figure.uuid, "Population")]


def test_a_partnership_in_use_cannot_be_deleted_and_so_stays(client, manager):
    mission = MissionFactory()
    partnership = mission.partnership

    client.post(
        reverse("admin:programmes_partnership_delete", args=[partnership.pk]), {"post": "yes"}
    )

    assert Partnership.objects.filter(pk=partnership.pk).exists()
    assert not AuditLogEntry.objects.filter(action=AuditLogEntry.Action.DELETED).exists()
