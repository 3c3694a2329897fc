"""Who may do what: roles × content models × actions × own or another organisation.

The matrices below are the specification, cell by cell; ``permissions.can`` must answer
each one. Then the admin: another organisation's content is in no list, autocomplete,
filter, action or URL, and a crafted POST changes nothing it may not.
"""

import copy
import re

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from programmes.domain import permissions, services
from programmes.domain.permissions import (
    EDITOR,
    PARTNER_REVIEWER,
    PUBLISHER,
    ROLES,
    SITE_MANAGER,
    TRANSLATOR,
    sync_role_groups,
)
from programmes.models import Membership, Mission, Photo, Status

from ..factories import (
    ClusterFactory,
    FocusAreaFactory,
    KeyFigureFactory,
    MissionFactory,
    ObjectiveFactory,
    OrganisationFactory,
    OutcomeFactory,
    PartnershipFactory,
    PhotoFactory,
    ProgrammeItemFactory,
    RegionFactory,
    SitePageFactory,
    StaffFactory,
)
from ..html_forms import form_data

pytestmark = pytest.mark.django_db

ACTIONS = "vacdp"  # view, add, change, delete, publish
ACTION_NAMES = dict(zip(ACTIONS, ["view", "add", "change", "delete", "publish"], strict=True))

# Drafts. Each cell: the actions allowed in the user's own organisation | in another one
# ("-": refused). Shared reference data has no owner, so both halves are the same; site
# pages have none either, and only site managers see them.
DRAFT_MATRIX = """
model          editor       publisher    translator   site_manager
partnership    vacd-|-----  vacdp|-----  v-c--|-----  vacdp|vacdp
objective      vacd-|-----  vacd-|-----  v-c--|-----  vacd-|vacd-
mission        vacd-|-----  vacdp|-----  v-c--|-----  vacdp|vacdp
programmeitem  vacd-|-----  vacd-|-----  v-c--|-----  vacd-|vacd-
outcome        vacd-|-----  vacdp|-----  v-c--|-----  vacdp|vacdp
photo          vacd-|-----  vacd-|-----  v-c--|-----  vacd-|vacd-
region         v----|v----  v----|v----  v----|v----  vacdp|vacdp
keyfigure      v----|v----  v----|v----  v----|v----  vacd-|vacd-
cluster        v----|v----  v----|v----  v----|v----  vacd-|vacd-
organisation   v----|v----  v----|v----  v----|v----  vacdp|vacdp
focusarea      v----|v----  v----|v----  v----|v----  vacd-|vacd-
sitepage       -----|-----  -----|-----  -----|-----  vacdp|vacdp
"""

# Published content (or a part of it), in the user's own organisation: frozen for editors
# and translators, so nothing public changes until a publisher acts.
PUBLISHED_MATRIX = """
model          editor  publisher  translator  site_manager
partnership    v----   vacdp      v----       vacdp
objective      v----   vacd-      v----       vacd-
mission        v----   vacdp      v----       vacdp
programmeitem  v----   vacd-      v----       vacd-
outcome        v----   vacdp      v----       vacdp
photo          v----   vacd-      v----       vacd-
sitepage       -----   -----      -----       vacdp
"""

ROLE_COLUMNS = {
    "editor": EDITOR,
    "publisher": PUBLISHER,
    "translator": TRANSLATOR,
    "site_manager": SITE_MANAGER,
}


def parse(matrix: str) -> list[tuple[str, str, list[str]]]:
    """(model, role, cell halves) for every cell of a matrix."""
    header, *rows = matrix.strip().splitlines()
    roles = header.split()[1:]
    cells = []
    for row in rows:
        model, *values = row.split()
        cells += [
            (model, ROLE_COLUMNS[role], value.split("|"))
            for role, value in zip(roles, values, strict=True)
        ]
    return cells


def make(model: str, organisation, status: str):
    """A ``model`` object owned by ``organisation`` (its parents in ``status``)."""
    partnership = PartnershipFactory(owner=organisation, status=status)
    mission = MissionFactory(partnership=partnership, status=status)
    region = RegionFactory(status=status)
    return {
        "partnership": lambda: partnership,
        "objective": lambda: ObjectiveFactory(partnership=partnership),
        "mission": lambda: mission,
        "programmeitem": lambda: ProgrammeItemFactory(mission=mission),
        "outcome": lambda: OutcomeFactory(mission=mission, status=status),
        "photo": lambda: PhotoFactory(mission=mission),
        "region": lambda: region,
        "keyfigure": lambda: KeyFigureFactory(region=region),
        "cluster": lambda: ClusterFactory(region=region),
        "organisation": lambda: OrganisationFactory(status=status),
        "focusarea": lambda: FocusAreaFactory(),
        "sitepage": lambda: SitePageFactory(status=status),
    }[model]()


def allowed(user, obj) -> str:
    """The cell for ``obj``: each action's letter, or "-" where it is refused."""
    unsaved = copy.copy(obj)
    unsaved.pk = None  # "add": may an object like this one be saved as a new one?
    return "".join(
        letter
        if permissions.can(user, ACTION_NAMES[letter], unsaved if letter == "a" else obj)
        else "-"
        for letter in ACTIONS
    )


def staff(role: str, organisation, **kwargs):
    languages = settings.MODELTRANSLATION_LANGUAGES[1:] if role == TRANSLATOR else ()
    return StaffFactory(role=role, organisations=[organisation], languages=languages, **kwargs)


@pytest.mark.parametrize(
    ("model", "role", "expected"),
    [
        pytest.param(model, role, cell, id=f"{model}-{role}")
        for model, role, cell in parse(DRAFT_MATRIX)
    ],
)
def test_draft_matrix(model, role, expected):
    own, other = OrganisationFactory(), OrganisationFactory()
    user = staff(role, own)

    cells = [allowed(user, make(model, owner, Status.DRAFT)) for owner in (own, other)]

    assert cells == expected


@pytest.mark.parametrize(
    ("model", "role", "expected"),
    [
        pytest.param(model, role, cell, id=f"{model}-{role}")
        for model, role, cell in parse(PUBLISHED_MATRIX)
    ],
)
def test_published_matrix(model, role, expected):
    own = OrganisationFactory()
    user = staff(role, own)

    assert [allowed(user, make(model, own, Status.PUBLISHED))] == expected


def test_staff_without_a_role_or_organisation_may_do_nothing_with_content():
    mission = MissionFactory(status=Status.DRAFT)
    no_role = StaffFactory(organisations=[mission.partnership.owner])
    no_organisation = StaffFactory(role=EDITOR)
    not_staff = StaffFactory(role=SITE_MANAGER, is_staff=False)

    assert [allowed(user, mission) for user in (no_role, no_organisation, not_staff)] == [
        "-----",
        "-----",
        "-----",
    ]
    assert list(permissions.scope(Mission.objects.all(), no_organisation)) == []


def test_a_superuser_may_do_everything():
    superuser = StaffFactory(is_superuser=True)
    assert allowed(superuser, MissionFactory(status=Status.PUBLISHED)) == "vacdp"


def test_a_translator_edits_only_the_languages_of_their_membership():
    own, other = OrganisationFactory(), OrganisationFactory()
    translator = StaffFactory(role=TRANSLATOR, organisations=[own], languages=["zh-hans"])
    editor = StaffFactory(role=EDITOR, organisations=[own])
    no_languages = StaffFactory(role=TRANSLATOR, organisations=[own])
    mission = MissionFactory(partnership=PartnershipFactory(owner=own), status=Status.DRAFT)

    assert permissions.editable_languages(translator, mission) == {"zh-hans"}
    assert permissions.editable_languages(translator, make("mission", other, "draft")) == set()
    assert permissions.editable_languages(editor, mission) is None
    assert allowed(no_languages, mission) == "v----"


def test_a_translator_who_also_reviews_a_partnership_still_edits_only_their_languages():
    """Reviewing gives no right on content, so it must not lift a translator's limits: with
    both roles, the translator stayed "not only a translator" and could change every field
    of their organisation's drafts and submit them for review."""
    own = OrganisationFactory()
    partnership = PartnershipFactory(owner=own)
    mission = MissionFactory(partnership=partnership, status=Status.DRAFT)
    user = StaffFactory(
        role=TRANSLATOR,
        organisations=[own],
        languages=["zh-hans"],
        reviews={partnership: ["zh-hans"]},
    )
    user.groups.add(sync_role_groups()[PARTNER_REVIEWER])
    user = type(user).objects.get(pk=user.pk)  # roles are read once per user object

    assert permissions.is_translator_only(user)
    assert permissions.editable_languages(user, mission) == {"zh-hans"}
    assert not permissions.can(user, "submit", mission)
    assert allowed(user, mission) == "v-c--"


def test_the_role_groups_hold_the_permissions_of_the_table():
    """The data migration made the groups; they agree with permissions.ROLE_PERMISSIONS."""
    groups = {group.name: group for group in Group.objects.filter(name__in=ROLES)}
    assert sorted(groups) == sorted(ROLES)
    for role in (EDITOR, PUBLISHER, TRANSLATOR, PARTNER_REVIEWER):
        names = {
            f"{app_label}.{codename}"
            for app_label, codename in groups[role].permissions.values_list(
                "content_type__app_label", "codename"
            )
        }
        assert names == permissions.ROLE_PERMISSIONS[role], role
    assert set(groups[SITE_MANAGER].permissions.all()) == set(
        permissions.role_permissions(SITE_MANAGER)
    )


def test_a_membership_names_only_languages_a_translator_can_have():
    membership = Membership(
        user=StaffFactory(), organisation=OrganisationFactory(), languages=["nl", "en"]
    )
    with pytest.raises(ValidationError) as refusal, translation.override("en"):
        membership.full_clean()
    assert refusal.value.message_dict == {"languages": ["Choose from: en, zh-hans."]}


# The admin -----------------------------------------------------------------------------------


@pytest.fixture
def enschede_and_pom():
    """Two organisations, each with a partnership, a draft mission and a draft outcome."""
    content = {}
    for name in ("Enschede", "POM"):
        owner = OrganisationFactory(name_en=f"{name} organisation")
        partnership = PartnershipFactory(owner=owner, title_en=f"{name} partnership")
        mission = MissionFactory(
            partnership=partnership, title_en=f"{name} mission", status=Status.DRAFT
        )
        outcome = OutcomeFactory(mission=mission, title_en=f"{name} outcome", status=Status.DRAFT)
        photo = PhotoFactory(mission=mission, alt_text_en=f"{name} photo")
        content[name] = {
            "organisation": owner,
            "partnership": partnership,
            "mission": mission,
            "outcome": outcome,
            "photo": photo,
        }
    return content


def login(client, role, organisation, **kwargs):
    user = staff(role, organisation, **kwargs)
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return user


@pytest.mark.parametrize("model", ["partnership", "mission", "outcome", "photo"])
def test_lists_hold_only_the_own_organisations_content(client, enschede_and_pom, model):
    login(client, EDITOR, enschede_and_pom["Enschede"]["organisation"])

    response = client.get(reverse(f"admin:programmes_{model}_changelist"))

    assert list(response.context["cl"].result_list) == [enschede_and_pom["Enschede"][model]]
    assert "POM" not in response.text


@pytest.mark.parametrize("model", ["partnership", "mission", "outcome", "photo"])
@pytest.mark.parametrize("view", ["change", "delete", "history"])
def test_another_organisations_urls_are_not_found(client, enschede_and_pom, model, view):
    login(client, PUBLISHER, enschede_and_pom["Enschede"]["organisation"])
    theirs = enschede_and_pom["POM"][model]

    response = client.get(reverse(f"admin:programmes_{model}_{view}", args=[theirs.pk]))

    assert response.status_code == 404
    # The "not found" page is the public site's, whose footer names the organisations that
    # publish the site (POM's is one, shared data every role reads); nothing else of POM.
    assert "POM" not in response.text.replace(">POM organisation<", "")


def test_a_missing_object_is_still_reported_as_perhaps_deleted(client, enschede_and_pom):
    login(client, EDITOR, enschede_and_pom["Enschede"]["organisation"])
    response = client.get(reverse("admin:programmes_mission_change", args=[9999]), follow=True)
    assert [str(message) for message in response.context["messages"]] == [
        "mission with ID “9999” doesn’t exist. Perhaps it was deleted?"
    ]


def test_a_site_manager_sees_every_organisation(client, enschede_and_pom):
    login(client, SITE_MANAGER, enschede_and_pom["Enschede"]["organisation"])
    response = client.get(reverse("admin:programmes_mission_changelist"))
    assert set(response.context["cl"].result_list) == {
        enschede_and_pom[name]["mission"] for name in ("Enschede", "POM")
    }


def test_autocomplete_offers_only_the_own_partnerships(client, enschede_and_pom):
    ours = enschede_and_pom["Enschede"]["partnership"]
    login(client, EDITOR, enschede_and_pom["Enschede"]["organisation"])

    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "programmes", "model_name": "mission", "field_name": "partnership"},
    )

    assert response.json() == {
        "results": [{"id": str(ours.pk), "text": str(ours)}],
        "pagination": {"more": False},
    }


def test_the_partnership_filter_offers_only_the_own_partnerships(client, enschede_and_pom):
    enschede = enschede_and_pom["Enschede"]["organisation"]
    second = MissionFactory(partnership=PartnershipFactory(owner=enschede)).partnership
    login(client, EDITOR, enschede)

    response = client.get(reverse("admin:programmes_mission_changelist"))

    offered = re.findall(r"\?partnership__id__exact=(\d+)", response.text)
    assert sorted(offered) == sorted(
        str(partnership.pk) for partnership in (enschede_and_pom["Enschede"]["partnership"], second)
    )


def test_an_action_never_reaches_another_organisations_object(client, enschede_and_pom):
    login(client, PUBLISHER, enschede_and_pom["Enschede"]["organisation"])
    theirs = enschede_and_pom["POM"]["mission"]

    client.post(
        reverse("admin:programmes_mission_changelist"),
        {"action": "publish_selected", "_selected_action": [str(theirs.pk)]},
    )

    theirs.refresh_from_db()
    assert theirs.status == Status.DRAFT


def change_form_data(client, obj) -> dict:
    """What the browser would post: every field of the rendered change form as it is."""
    url = reverse(f"admin:programmes_{obj._meta.model_name}_change", args=[obj.pk])
    return form_data(client.get(url).text, f"{obj._meta.model_name}_form")


def test_a_mission_cannot_be_moved_into_another_organisation(client, enschede_and_pom):
    mission = enschede_and_pom["Enschede"]["mission"]
    theirs = enschede_and_pom["POM"]["partnership"]
    login(client, EDITOR, enschede_and_pom["Enschede"]["organisation"])
    data = change_form_data(client, mission) | {"partnership": str(theirs.pk)}

    response = client.post(reverse("admin:programmes_mission_change", args=[mission.pk]), data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "partnership": ["Select a valid choice. That choice is not one of the available choices."]
    }
    mission.refresh_from_db()
    assert mission.partnership == enschede_and_pom["Enschede"]["partnership"]


def test_an_editor_cannot_add_a_partnership_for_another_organisation(client, enschede_and_pom):
    login(client, EDITOR, enschede_and_pom["Enschede"]["organisation"])
    response = client.get(reverse("admin:programmes_partnership_add"))
    owner_choices = re.findall(
        r'<option value="(\d+)"', response.text.split('name="owner"')[1].split("</select>")[0]
    )
    assert owner_choices == [str(enschede_and_pom["Enschede"]["organisation"].pk)]
    assert response.context["adminform"].form["owner"].value() == int(owner_choices[0])


def test_an_editor_cannot_publish_through_the_form(client, enschede_and_pom):
    mission = enschede_and_pom["Enschede"]["mission"]
    login(client, EDITOR, enschede_and_pom["Enschede"]["organisation"])
    data = change_form_data(client, mission) | {
        "status": Status.PUBLISHED,
        "publish_at_0": "2020-01-01",
        "publish_at_1": "00:00:00",
        "_publish": "Save and publish",
    }

    publish_at = mission.publish_at

    response = client.post(
        reverse("admin:programmes_mission_change", args=[mission.pk]), data, follow=True
    )

    mission.refresh_from_db()
    assert (mission.status, mission.publish_at) == (Status.DRAFT, publish_at)
    assert (
        'name="_publish"'
        not in client.get(reverse("admin:programmes_mission_change", args=[mission.pk])).text
    )
    assert [str(m) for m in response.context["messages"]] == [
        "You may not publish “Enschede mission”.",
        f'The mission “<a href="/admin/programmes/mission/{mission.pk}/change/">Enschede mission'
        "</a>” was changed successfully.",
    ]


def test_an_editor_may_only_look_at_a_published_mission(client, enschede_and_pom):
    mission = enschede_and_pom["Enschede"]["mission"]
    Mission.objects.filter(pk=mission.pk).update(status=Status.PUBLISHED)
    login(client, EDITOR, enschede_and_pom["Enschede"]["organisation"])
    url = reverse("admin:programmes_mission_change", args=[mission.pk])

    page = client.get(url)
    refused = client.post(url, {"title_nl": "Gewijzigd"})

    assert 'name="_save"' not in page.text
    assert f"“{mission.title_en}” is published: only a publisher can change it." in page.text
    assert refused.status_code == 403
    mission.refresh_from_db()
    assert mission.title_nl != "Gewijzigd"


def test_an_editor_cannot_add_a_photo_to_a_published_mission(client, enschede_and_pom):
    mission = enschede_and_pom["Enschede"]["mission"]
    Mission.objects.filter(pk=mission.pk).update(status=Status.PUBLISHED)
    login(client, EDITOR, enschede_and_pom["Enschede"]["organisation"])

    response = client.get(reverse("admin:programmes_photo_add"))

    mission_choices = response.context["adminform"].form.fields["mission"].queryset
    assert list(mission_choices) == []


def test_an_editor_cannot_add_a_photo_of_a_region(client, enschede_and_pom):
    from ..admin.test_admin import png_upload

    login(client, EDITOR, enschede_and_pom["Enschede"]["organisation"])
    region = RegionFactory()
    data = {
        "image": png_upload(),
        "alt_text_nl": "Haven",
        "alt_text_en": "",
        "alt_text_zh_hans": "",
        "caption_nl": "",
        "caption_en": "",
        "caption_zh_hans": "",
        "credit": "",
        "order": "0",
        "mission": "",
        "region": str(region.pk),
    }

    response = client.post(reverse("admin:programmes_photo_add"), data)

    # The region is read-only for editors (only site managers put photos on regions' pages,
    # see tests/domain/test_photo_visibility.py), and without one the photo belongs nowhere.
    assert response.context["adminform"].form.errors == {
        "__all__": ["Attach the photo to a mission or a region."],
    }
    assert not Photo.objects.filter(region=region).exists()


def test_a_translator_cannot_change_dutch_with_a_crafted_post(client, enschede_and_pom):
    mission = enschede_and_pom["POM"]["mission"]
    login(client, TRANSLATOR, enschede_and_pom["POM"]["organisation"])
    Membership.objects.filter(organisation=enschede_and_pom["POM"]["organisation"]).update(
        languages=["zh-hans"]
    )
    url = reverse("admin:programmes_mission_change", args=[mission.pk])
    form = client.get(url)
    data = change_form_data(client, mission) | {
        "title_nl": "Gewijzigd",
        "title_en": "Changed",
        "slug": "gewijzigd",
        "partnership": str(enschede_and_pom["Enschede"]["partnership"].pk),
        "title_zh_hans": "浙江商务日",
    }

    response = client.post(url, data)

    assert response.status_code == 302
    mission.refresh_from_db()
    assert (mission.title_nl, mission.title_en, mission.title_zh_hans, mission.slug) == (
        enschede_and_pom["POM"]["mission"].title_nl,
        "POM mission",
        "浙江商务日",
        enschede_and_pom["POM"]["mission"].slug,
    )
    assert mission.partnership == enschede_and_pom["POM"]["partnership"]
    assert 'name="title_zh_hans"' in form.text
    assert 'name="title_nl"' not in form.text
    # Destinations (no texts), programme items, outcomes and photos: their Chinese texts, no
    # rows added or deleted.
    assert [
        (
            formset.opts.model._meta.model_name,
            formset.has_add_permission,
            formset.has_delete_permission,
        )
        for formset in form.context["inline_admin_formsets"]
    ] == [
        ("missiondestination", False, False),
        ("programmeitem", False, False),
        ("outcome", False, False),
        ("photo", False, False),
    ]


def test_staff_preview_only_their_own_organisations_drafts(client, enschede_and_pom):
    theirs = enschede_and_pom["POM"]["mission"]
    login(client, EDITOR, enschede_and_pom["Enschede"]["organisation"])

    own = client.get(f"/en/missions/{enschede_and_pom['Enschede']['mission'].slug}/")
    other = client.get(f"/en/missions/{theirs.slug}/")

    assert own.status_code == 200
    assert other.status_code == 404


@pytest.mark.parametrize("missions", [1, 12])
def test_an_editors_list_queries_do_not_grow(
    client, django_assert_num_queries, enschede_and_pom, missions
):
    partnership = enschede_and_pom["Enschede"]["partnership"]
    MissionFactory.create_batch(missions, partnership=partnership, status=Status.DRAFT)
    login(client, EDITOR, enschede_and_pom["Enschede"]["organisation"])

    with django_assert_num_queries(11):
        response = client.get(reverse("admin:programmes_mission_changelist"))

    assert response.context["cl"].result_count == missions + 1


def test_recover_deleted_lists_only_the_own_organisations_objects(client, enschede_and_pom):
    for name in ("Enschede", "POM"):
        services.delete_content(enschede_and_pom[name]["outcome"])
    login(client, EDITOR, enschede_and_pom["Enschede"]["organisation"])

    response = client.get(reverse("admin:programmes_outcome_recoverlist"))

    # Deleted in Dutch, so named in Dutch.
    assert [version.object_repr for version in response.context["deleted"]] == [
        enschede_and_pom["Enschede"]["outcome"].title_nl
    ]
    assert enschede_and_pom["POM"]["outcome"].title_nl not in response.text
