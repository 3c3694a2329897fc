"""A photo on a shared region's page: who may put it there, and when the public sees it.

Regions are shared by every organisation and only site managers change them. A photo of a
mission may be attached to a region too; it is shown there (page, API, read model) only
while its mission is published, and only a site manager attaches it. The admin shows a
region's photos as every other list: another organisation's are left out.
"""

import pytest
from django.conf import settings
from django.urls import reverse

from programmes.domain import permissions, workflow
from programmes.domain.permissions import EDITOR, PUBLISHER, SITE_MANAGER
from programmes.models import ExportRecord, Mission, Photo, Region, Status

from .factories import (
    MissionFactory,
    OrganisationFactory,
    PartnershipFactory,
    PhotoFactory,
    RegionFactory,
    StaffFactory,
)
from .test_admin import png_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """Enschede and POM, each with a draft and a published mission; two shared regions."""
    content = {
        "enschede-region": RegionFactory(slug="enschede", name_en="Enschede"),
        "shanghai": RegionFactory(slug="shanghai", name_en="Shanghai"),
    }
    for name in ("enschede", "pom"):
        organisation = OrganisationFactory(name_en=name)
        partnership = PartnershipFactory(owner=organisation)
        content[name] = organisation
        content[f"{name}-draft"] = MissionFactory(partnership=partnership, status=Status.DRAFT)
        content[f"{name}-live"] = MissionFactory(partnership=partnership)
    return content


def login(client, role, organisation=None):
    organisations = [organisation] if organisation else []
    user = StaffFactory(role=role, organisations=organisations)
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return user


def photo_form(mission, region, caption: str) -> dict:
    return {
        "image": png_upload(),
        "alt_text_nl": caption,
        "alt_text_en": "",
        "alt_text_zh_hans": "",
        "caption_nl": caption,
        "caption_en": "",
        "caption_zh_hans": "",
        "credit": "",
        "order": "0",
        "mission": str(mission.pk),
        "region": str(region.pk),
    }


def region_photos(region) -> list[str]:
    """The Dutch captions of the region's photos, as the public reads them."""
    return sorted(
        Photo.objects.published().filter(region=region).values_list("caption_nl", flat=True)
    )


# The admin: only a site manager attaches a photo to a region -----------------------------------


@pytest.mark.parametrize(
    ("editor_of", "mission", "region", "caption"),
    [
        ("pom", "pom-draft", "enschede-region", "POM DEFACE"),
        ("enschede", "enschede-draft", "shanghai", "GEHEIM"),
    ],
)
@pytest.mark.parametrize("role", [EDITOR, PUBLISHER])
def test_staff_of_an_organisation_cannot_put_a_photo_on_a_regions_page(
    client, world, role, editor_of, mission, region, caption
):
    login(client, role, world[editor_of])
    form = client.get(reverse("admin:programmes_photo_add"))

    response = client.post(
        reverse("admin:programmes_photo_add"),
        photo_form(world[mission], world[region], caption),
    )

    # The region is read-only for them: the form offers none, and a crafted one is ignored.
    assert 'name="region"' not in form.text
    assert response.status_code == 302
    photo = Photo.objects.get()
    assert (photo.mission, photo.region) == (world[mission], None)


def test_the_permission_check_refuses_it_outside_the_admin_form(world):
    editor = StaffFactory(role=PUBLISHER, organisations=[world["pom"]])
    manager = StaffFactory(role=SITE_MANAGER)
    new = Photo(mission=world["pom-draft"], region=world["enschede-region"])
    attached = PhotoFactory(mission=world["pom-draft"], region=world["enschede-region"])
    moved = Photo.objects.get(pk=attached.pk)
    moved.region = world["shanghai"]
    kept = Photo.objects.get(pk=attached.pk)
    kept.caption_nl = "Nieuw bijschrift"

    assert [permissions.can(editor, "add", new), permissions.can(manager, "add", new)] == [
        False,
        True,
    ]
    assert [
        permissions.can(editor, "change", moved),
        permissions.can(manager, "change", moved),
    ] == [
        False,
        True,
    ]
    # A region a site manager attached stays: the mission's staff still edit their photo.
    assert permissions.can(editor, "change", kept) is True
    assert list(permissions.choices_for(editor, Photo, "region", Region.objects.all())) == []


def test_an_editor_keeps_the_region_a_site_manager_chose_and_cannot_change_it(client, world):
    photo = PhotoFactory(mission=world["pom-draft"], region=world["enschede-region"])
    login(client, EDITOR, world["pom"])
    url = reverse("admin:programmes_photo_change", args=[photo.pk])
    page = client.get(url)
    data = photo_form(world["pom-draft"], world["shanghai"], "Nieuw bijschrift")
    del data["image"]

    response = client.post(url, data)

    assert "region" not in page.context["adminform"].form.fields
    assert response.status_code == 302
    photo.refresh_from_db()
    assert (photo.caption_nl, photo.region) == ("Nieuw bijschrift", world["enschede-region"])


def test_a_site_manager_attaches_a_photo_to_a_region(client, world):
    login(client, SITE_MANAGER)

    response = client.post(
        reverse("admin:programmes_photo_add"),
        photo_form(world["pom-live"], world["enschede-region"], "Bezoek aan Enschede"),
    )

    assert response.status_code == 302
    assert region_photos(world["enschede-region"]) == ["Bezoek aan Enschede"]


# The admin: a region's page lists only the photos the user may see ----------------------------


def test_a_regions_admin_page_leaves_out_another_organisations_photos(client, world):
    region = world["enschede-region"]
    PhotoFactory(mission=world["enschede-draft"], region=region, alt_text_en="GEHEIM draft")
    PhotoFactory(mission=world["enschede-live"], region=region, alt_text_en="Enschede live")
    PhotoFactory(mission=world["pom-draft"], region=region, alt_text_en="POM draft")
    PhotoFactory(mission=None, region=region, alt_text_en="Town hall")
    login(client, EDITOR, world["pom"])

    response = client.get(reverse("admin:programmes_region_change", args=[region.pk]))

    formset = next(f for f in response.context["inline_admin_formsets"] if f.opts.model is Photo)
    assert sorted(form.instance.alt_text_en for form in formset.formset.forms) == [
        "POM draft",
        "Town hall",
    ]
    assert "GEHEIM" not in response.text
    assert "Enschede live" not in response.text


# The public: a photo of a draft mission is not on the region's page ------------------------


@pytest.fixture
def photos_of_a_region(world):
    region = world["enschede-region"]
    PhotoFactory(mission=world["pom-draft"], region=region, caption_nl="POM DEFACE")
    PhotoFactory(mission=world["enschede-draft"], region=region, caption_nl="GEHEIM")
    PhotoFactory(mission=world["enschede-live"], region=region, caption_nl="Bezoek")
    PhotoFactory(mission=None, region=region, caption_nl="Stadhuis")
    return region


def test_the_region_page_shows_its_own_photos_and_published_missions_photos(
    client, photos_of_a_region
):
    response = client.get("/nl/regions/enschede/")

    assert response.status_code == 200
    assert "Stadhuis" in response.text and "Bezoek" in response.text
    assert "POM DEFACE" not in response.text and "GEHEIM" not in response.text


def test_the_api_shows_its_own_photos_and_published_missions_photos(client, photos_of_a_region):
    listed = client.get("/api/v1/regions").json()["items"]
    one = client.get(f"/api/v1/regions/{photos_of_a_region.uuid}").json()

    region = next(r for r in listed if r["uuid"] == str(photos_of_a_region.uuid))
    assert [p["caption"]["nl"] for p in region["photos"]] == ["Bezoek", "Stadhuis"]
    assert [p["caption"]["nl"] for p in one["photos"]] == ["Bezoek", "Stadhuis"]


def test_a_published_mission_brings_its_photo_to_the_region_and_moves_its_export(
    client, world, photos_of_a_region
):
    assert "POM DEFACE" not in client.get("/nl/regions/enschede/").text  # stored, anonymous
    client.get("/api/v1/regions")
    record = ExportRecord.objects.get(uuid=photos_of_a_region.uuid)
    before = record.changed_at
    mission = Mission.objects.get(pk=world["pom-draft"].pk)
    publisher = StaffFactory(role=PUBLISHER, organisations=[world["pom"]])

    workflow.publish(mission, by=publisher)

    one = client.get(f"/api/v1/regions/{photos_of_a_region.uuid}").json()
    assert [p["caption"]["nl"] for p in one["photos"]] == ["POM DEFACE", "Bezoek", "Stadhuis"]
    record.refresh_from_db()
    assert record.changed_at > before
    assert one["updated_at"] == record.changed_at.isoformat(timespec="milliseconds").replace(
        "+00:00", "Z"
    )
    assert "POM DEFACE" in client.get("/nl/regions/enschede/").text
