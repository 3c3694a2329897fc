"""The admin's translation files: export buttons and page, upload, preview and apply
(programmes/admin/translations.py), and a whole round trip onto the public site."""

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from lxml import html as lxml_html
from translate.storage import xliff
from translate.storage.placeables import StringElem

from programmes.domain import services
from programmes.domain.permissions import EDITOR, PUBLISHER, TRANSLATOR
from programmes.exchange import translations
from programmes.models import Mission, Organisation, Status

from ..factories import MissionFactory, OrganisationFactory, PartnershipFactory, StaffFactory

pytestmark = pytest.mark.django_db

EXPORT = "admin:programmes_translation_export"
IMPORT = "admin:programmes_translation_import"


def login(client, user):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return user


def unit_id(obj, field) -> str:
    return f"{obj._meta.model_name}.{obj.uuid}.{field}"


def unit_key(unit) -> str:
    return unit.getid().rsplit(xliff.ID_SEPARATOR, 1)[-1]


@pytest.fixture
def mission(db):
    return MissionFactory(
        partnership=PartnershipFactory(status=Status.DRAFT),
        status=Status.DRAFT,
        title_zh_hans="",
        why_nl='<p>Lees <a href="https://www.enschede.nl/">meer</a>.</p>',
        why_zh_hans="",
    )


@pytest.fixture
def editor(client, mission):
    return login(client, StaffFactory(role=EDITOR, organisations=[mission.partnership.owner]))


def download(client, mission, **params) -> bytes:
    query = {"mission": mission.pk, "download": "1", "language": "zh-hans", "source": "nl"}
    query |= {"format": translations.XLIFF_12, **params}
    response = client.get(reverse(EXPORT), query)
    assert response.status_code == 200, response.content[:500]
    return response.content


def translated(content: bytes, targets: dict) -> bytes:
    store = xliff.xlifffile.parsestring(content)
    for unit in store.units:
        if unit_key(unit) in targets:
            unit.target = targets[unit_key(unit)]
            unit.markfuzzy(False)
    return bytes(store)


def upload(client, content: bytes, language="zh-hans", name="mission.xlf"):
    return client.post(
        reverse(IMPORT), {"file": SimpleUploadedFile(name, content), "language": language}
    )


def confirm(client, preview, **changes):
    data = {**preview.context["confirm"].initial, "confirm": "1", **changes}
    return client.post(reverse(IMPORT), data, follow=True)


# The "done when" of issue 14 ------------------------------------------------------------------


def test_a_chinese_translation_of_the_enschede_mission_done_entirely_through_an_xliff_file(
    client, seeded
):
    """Exported by Enschede's publisher, translated with translate-toolkit as an agency's
    tool would, imported through the admin: the Chinese page shows it."""
    mission = Mission.objects.get(slug="inspiration-trip-shanghai-dalian")
    page_url = f"/zh-hans/missions/{mission.slug}/"
    # The agency's Chinese is the seed content's; the site starts without any.
    title = mission.title_zh_hans
    agency, parts = {}, [mission, *mission.programme_items.all(), *mission.outcomes.all()]
    for obj in parts:
        for name in translations.text_fields(type(obj)):
            if getattr(obj, f"{name}_nl") and getattr(obj, f"{name}_zh_hans"):
                agency[unit_id(obj, name)] = getattr(obj, f"{name}_zh_hans")
            setattr(obj, f"{name}_zh_hans", "")
        services.save_content(obj)
    assert title not in client.get(page_url).text

    enschede = Organisation.objects.get(slug="gemeente-enschede")
    login(client, StaffFactory(role=PUBLISHER, organisations=[enschede]))
    exported = download(client, mission)

    store = xliff.xlifffile.parsestring(exported)
    assert {unit_key(unit) for unit in store.units} == set(agency)
    for unit in store.units:
        chinese = agency[unit_key(unit)]
        if len(unit.source_dom):  # rich text: the source's paragraph codes, Chinese words
            paragraphs = [p.text_content() for p in lxml_html.fragments_fromstring(chinese)]
            target = unit.rich_source[0].copy()
            codes = [part for part in target.sub if str(part).strip()]
            for code, words in zip(codes, paragraphs, strict=True):
                code.sub = [StringElem(words)]
            unit.set_rich_target([target], "zh-Hans")
        else:
            unit.target = chinese
        unit.markfuzzy(False)

    preview = upload(client, bytes(store))
    assert preview.status_code == 200
    assert f"{len(agency)} texts would change in Simplified Chinese." in preview.text
    done = confirm(client, preview)
    assert f"Imported {len(agency)} texts into Simplified Chinese." in done.text

    client.logout()
    page = client.get(page_url)
    for obj in parts:
        obj.refresh_from_db()
        for name in translations.text_fields(type(obj)):
            key = unit_id(obj, name)
            if key in agency:
                assert getattr(obj, f"{name}_zh_hans") == agency[key], key
    assert title == mission.title_zh_hans
    assert f"<h1>{title}</h1>" in page.text
    first_paragraph = lxml_html.fragments_fromstring(mission.why_zh_hans)[0].text_content()
    assert first_paragraph in page.text
    assert 'lang="nl"' not in page.text.split("<main", 1)[1]  # nothing falls back to Dutch


# Export ------------------------------------------------------------------------------------


def test_mission_and_partnership_pages_have_an_export_button(client, mission, editor):
    change = client.get(reverse("admin:programmes_mission_change", args=[mission.pk]))
    assert f'{reverse(EXPORT)}?mission={mission.pk}">Export for translation</a>' in change.text
    partnership = mission.partnership
    change = client.get(reverse("admin:programmes_partnership_change", args=[partnership.pk]))
    assert f'{reverse(EXPORT)}?partnership={partnership.pk}">Export for translation' in (
        change.text
    )


def test_the_export_page_offers_languages_sources_and_formats(client, mission, editor):
    response = client.get(reverse(EXPORT), {"mission": mission.pk})
    assert response.status_code == 200
    assert response.context["described"] == [
        f"Mission “{mission}”, with its programme, photos and outcomes"
    ]
    form = response.context["form"]
    assert [value for value, _label in form.fields["language"].choices] == ["en", "zh-hans"]
    assert [value for value, _label in form.fields["format"].choices] == [
        "xliff12",
        "xliff20",
        "po",
    ]
    assert f'<input type="hidden" name="mission" value="{mission.pk}">' in response.text


@pytest.mark.parametrize("missions", [1, 10])
def test_the_export_page_queries_do_not_grow(
    client, django_assert_num_queries, mission, editor, missions
):
    others = [MissionFactory(partnership=mission.partnership) for _ in range(missions - 1)]
    query = {"mission": [mission.pk, *(m.pk for m in others)]}
    with django_assert_num_queries(7):
        client.get(reverse(EXPORT), query)


def test_a_translator_exports_into_their_languages_only(client, mission):
    login(
        client,
        StaffFactory(role=TRANSLATOR, organisations=[mission.partnership.owner], languages=["en"]),
    )
    response = client.get(reverse(EXPORT), {"mission": mission.pk})
    assert [value for value, _label in response.context["form"].fields["language"].choices] == [
        "en"
    ]
    refused = client.get(
        reverse(EXPORT),
        {"mission": mission.pk, "download": "1", "language": "zh-hans", "source": "nl"},
    )
    assert refused["Content-Type"].startswith("text/html")  # the form again, not a file
    assert "language" in refused.context["form"].errors


def test_the_download_is_a_private_attachment(client, mission, editor):
    response = client.get(
        reverse(EXPORT),
        {
            "mission": mission.pk,
            "download": "1",
            "language": "zh-hans",
            "source": "nl",
            "format": "po",
        },
    )
    assert response["Content-Type"] == "text/x-gettext-translation"
    assert response["Content-Disposition"].startswith(
        f'attachment; filename="{mission.slug}-nl-zh-hans-'
    )
    assert response["Cache-Control"].startswith("private, no-store")
    assert f'msgctxt "{unit_id(mission, "title")}"' in response.text


def test_another_organisations_selection_is_not_found(client, mission):
    login(client, StaffFactory(role=PUBLISHER, organisations=[OrganisationFactory()]))
    own = MissionFactory(partnership=PartnershipFactory(owner=OrganisationFactory()))
    for query in (
        {"mission": mission.pk},
        {"partnership": mission.partnership.pk},
        {"organisation": mission.partnership.owner.pk},
        {"organisation": "shared"},
        {"mission": [own.pk, mission.pk]},
        {"mission": "1x"},
        {},
    ):
        assert client.get(reverse(EXPORT), query).status_code == 404, query


def test_the_list_action_opens_the_export_page_for_the_selected(client, mission, editor):
    second = MissionFactory(partnership=mission.partnership, status=Status.DRAFT)
    response = client.post(
        reverse("admin:programmes_mission_changelist"),
        {"action": "export_selected", "_selected_action": [mission.pk, second.pk]},
    )
    assert response.status_code == 302
    assert response["Location"] == f"{reverse(EXPORT)}?mission={mission.pk}&mission={second.pk}"


def test_the_overview_exports_what_is_missing_per_language(client, mission, editor):
    organisation = mission.partnership.owner
    response = client.get(reverse("admin:programmes_translation_overview"))
    missing = f"{reverse(EXPORT)}?organisation={organisation.pk}&amp;missing=1&amp;language="
    assert f'{missing}zh-hans">Export what is missing in Simplified Chinese</a>' in response.text
    assert f'{missing}en">Export what is missing in English</a>' in response.text
    assert reverse(IMPORT) in response.text

    page = client.get(
        reverse(EXPORT), {"organisation": organisation.pk, "missing": "1", "language": "zh-hans"}
    )
    assert page.context["form"].initial == {"missing": True, "language": "zh-hans"}
    content = client.get(
        reverse(EXPORT),
        {
            "organisation": organisation.pk,
            "missing": "on",
            "language": "zh-hans",
            "source": "nl",
            "format": "xliff12",
            "download": "1",
        },
    ).content
    ids = {unit_key(unit) for unit in xliff.xlifffile.parsestring(content).units}
    assert ids == {unit_id(mission, "title"), unit_id(mission, "why")}


# Import ------------------------------------------------------------------------------------


def test_upload_preview_then_apply(client, mission, editor):
    content = translated(download(client, mission), {unit_id(mission, "title"): "恩斯赫德考察团"})
    preview = upload(client, content)
    assert preview.context["plan"].changes[0].new == "恩斯赫德考察团"
    assert '<td lang="zh-hans">恩斯赫德考察团</td>' in preview.text
    mission.refresh_from_db()
    assert mission.title_zh_hans == ""  # nothing before "Apply"

    done = confirm(client, preview)
    assert "Imported 1 text into Simplified Chinese." in done.text
    mission.refresh_from_db()
    assert mission.title_zh_hans == "恩斯赫德考察团"


def test_the_preview_lists_conflicts_with_both_texts(client, mission, editor):
    content = translated(download(client, mission), {unit_id(mission, "title"): "恩斯赫德考察团"})
    mission.title_nl = "Een nieuwe titel"
    services.save_content(mission)
    preview = upload(client, content)
    assert "Conflicts: not applied" in preview.text
    assert '<td lang="nl">Missie' in preview.text
    assert '<td lang="nl">Een nieuwe titel</td>' in preview.text
    assert preview.context["confirm"] is None  # nothing else to apply


def test_a_refused_file_is_named_and_changes_nothing(client, mission, editor):
    content = translated(download(client, mission), {unit_id(mission, "title"): "长" * 201})
    response = upload(client, content)
    assert "The file is refused; nothing was changed." in response.text
    assert f"Unit {unit_id(mission, 'title')}: Ensure this value has at most 200" in (response.text)
    mission.refresh_from_db()
    assert mission.title_zh_hans == ""


def test_a_preview_that_no_longer_holds_is_shown_again(client, mission, editor):
    content = translated(download(client, mission), {unit_id(mission, "title"): "恩斯赫德考察团"})
    preview = upload(client, content)
    mission.title_zh_hans = "另一个标题"
    services.save_content(mission)
    again = confirm(client, preview)
    assert "The content changed since the preview. Check the changes again." in again.text
    assert again.context["plan"].changes[0].old == "另一个标题"
    mission.refresh_from_db()
    assert mission.title_zh_hans == "另一个标题"


def test_a_tampered_confirmation_is_refused(client, mission, editor):
    content = translated(download(client, mission), {unit_id(mission, "title"): "恩斯赫德考察团"})
    response = confirm(client, upload(client, content), content="not base64!")
    assert "The file could not be read back; upload it again." in response.text
    mission.refresh_from_db()
    assert mission.title_zh_hans == ""


def test_the_file_must_be_in_the_chosen_language(client, mission, editor):
    content = translated(download(client, mission), {unit_id(mission, "title"): "恩斯赫德考察团"})
    response = upload(client, content, language="en")
    assert "The file is a translation into Simplified Chinese, not English." in response.text


def test_staff_who_change_nothing_may_not_import(client, db):
    login(client, StaffFactory())
    assert client.get(reverse(IMPORT)).status_code == 403


def test_the_import_page_queries(client, django_assert_num_queries, mission, editor):
    with django_assert_num_queries(6):
        response = client.get(reverse(IMPORT))
    assert [value for value, _label in response.context["form"].fields["language"].choices] == [
        "en",
        "zh-hans",
    ]
