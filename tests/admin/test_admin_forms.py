"""What the change forms tell editors and translators (programmes/admin/editor_forms.py).

The browser side (tabs, the source beside a translation, the warning before leaving) is
tests/browser/test_browser_admin_forms.py's; here is what the server sends it and decides.
Requests are in English, as in test_admin.py.
"""

import json

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils.html import escape
from reversion.models import Version

from programmes.admin import editor_forms
from programmes.domain import services
from programmes.domain.permissions import EDITOR, PUBLISHER, SITE_MANAGER, TRANSLATOR
from programmes.models import Mission, Photo, Status

from ..factories import (
    MissionFactory,
    PartnershipFactory,
    ProgrammeItemFactory,
    RegionFactory,
    StaffFactory,
    district_in_zoned_country,
)
from .test_admin import login, mission_form, png_upload, translated

pytestmark = pytest.mark.django_db


def editor_form(response) -> dict:
    """The settings the change form hands static/editor/forms.js."""
    return response.context["editor_form"]


def test_an_empty_mission_form_reports_the_missing_title_not_a_missing_slug(client):
    partnership = PartnershipFactory()
    login(client, role=EDITOR, organisations=[partnership.owner])
    data = mission_form(partnership, slug="", **translated("title", "", "", ""))

    response = client.post(reverse("admin:programmes_mission_add"), data)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["title_nl"]
    assert 'id="id_slug_error"' not in response.text


def test_an_empty_slug_is_made_from_the_dutch_title_and_a_typed_one_is_kept(client):
    partnership = PartnershipFactory()
    login(client, role=EDITOR, organisations=[partnership.owner])

    response = client.post(
        reverse("admin:programmes_mission_add"), mission_form(partnership, slug="")
    )
    assert response.status_code == 302, response.context["errors"]
    assert Mission.objects.get().slug == "inspiratiereis-naar-shanghai-en-dalian"

    data = mission_form(partnership, slug="eigen-adres", **translated("title", "Tweede", "", ""))
    response = client.post(reverse("admin:programmes_mission_add"), data)
    assert response.status_code == 302, response.context["errors"]
    assert Mission.objects.filter(slug="eigen-adres").exists()


def test_the_form_opens_on_dutch_for_an_editor_and_on_chinese_for_a_chinese_translator(client):
    mission = MissionFactory(status=Status.DRAFT)
    url = reverse("admin:programmes_mission_change", args=[mission.pk])

    login(client, role=EDITOR, organisations=[mission.partnership.owner])
    settings = editor_form(client.get(url))
    assert (settings["open"], settings["source"]) == ("nl", "nl")
    assert settings["languages"] == {
        "nl": "Dutch",
        "en": "English",
        "zh_hans": "Simplified Chinese",
    }

    StaffFactory(username="vertaler", role=TRANSLATOR, organisations=[mission.partnership.owner])
    client.force_login(
        StaffFactory(
            role=TRANSLATOR, organisations=[mission.partnership.owner], languages=["zh-hans"]
        )
    )
    response = client.get(url)
    assert editor_form(response)["open"] == "zh_hans"
    page_settings = response.text.split('id="editor-form-settings" type="application/json">')[1]
    assert json.loads(page_settings.split("</script>")[0])["open"] == "zh_hans"


def test_a_translation_whose_dutch_changed_since_it_was_saved_is_out_of_date(client):
    mission = MissionFactory(status=Status.DRAFT, programme_items=1)
    item = mission.programme_items.get()
    editor = login(client, role=EDITOR, organisations=[mission.partnership.owner])
    services.save_content(mission, user=editor)
    services.save_content(item, user=editor)
    mission.summary_nl = "Een nieuwe samenvatting."
    services.save_content(mission, user=editor)
    item.title_nl = "Bezoek aan de haven"
    services.save_content(item, user=editor)
    mission.summary_en = "A new summary."
    services.save_content(mission, user=editor)

    settings = editor_form(
        client.get(reverse("admin:programmes_mission_change", args=[mission.pk]))
    )

    assert sorted(settings["outdated"]) == [
        "programme_items-0-title_en",
        "programme_items-0-title_zh_hans",
        "summary_zh_hans",
    ]
    assert settings["sources"]["summary_nl"] == "Een nieuwe samenvatting."
    assert settings["sources"]["programme_items-0-title_nl"] == "Bezoek aan de haven"
    assert settings["sources"]["why_nl"] == f"Waarom {mission.why_nl[len('<p>Waarom ') : -4]}"


def test_the_translation_overview_lists_translations_out_of_date(client):
    mission = MissionFactory(status=Status.DRAFT)
    editor = login(client, role=EDITOR, organisations=[mission.partnership.owner])
    services.save_content(mission, user=editor)
    mission.title_nl = "Nieuwe titel"
    services.save_content(mission, user=editor)
    assert Version.objects.get_for_object(mission).count() == 2

    response = client.get(
        reverse("admin:programmes_translation_overview"),
        {"organisation": mission.partnership.owner.pk},
    )

    assert response.text.count("1 text out of date") == 2  # English and Chinese
    assert "<li>title</li>" in response.text


def test_programme_times_are_the_places_local_times_and_publish_dates_the_sites(client):
    district = district_in_zoned_country("Asia/Shanghai")
    mission = MissionFactory(status=Status.DRAFT)
    ProgrammeItemFactory(mission=mission, city=district)
    login(client, role=PUBLISHER, organisations=[mission.partnership.owner])

    response = client.get(reverse("admin:programmes_mission_change", args=[mission.pk]))

    item_form = response.context["inline_admin_formsets"][1].formset.forms[0]
    assert item_form.fields["start_time"].help_text == (
        "The local time at the item’s place (Asia/Shanghai)."
    )
    assert item_form.fields["end_time"].help_text == (
        "When it ends, on the same day, in the same local time as the start time. Leave empty "
        "when the source does not say. The local time at the item’s place (Asia/Shanghai)."
    )
    assert (
        response.context["adminform"]
        .form.fields["publish_at"]
        .help_text.endswith("In the site’s time zone, Europe/Amsterdam.")
    )
    assert "start_date" in response.context["adminform"].form.fields
    assert "time zone" not in response.context["adminform"].form.fields["start_date"].help_text
    assert escape("The local time at the item’s place: its city or region") in response.text


def test_a_form_error_says_which_chosen_file_must_be_chosen_again(client):
    login(client, role=SITE_MANAGER)
    data = {
        "image": png_upload("haven-dalian.png"),
        "region": str(RegionFactory().pk),
        **translated("alt_text", "", "", ""),
        **translated("caption", "", "", ""),
        "credit": "",
    }

    response = client.post(reverse("admin:programmes_photo_add"), data, follow=False)

    assert response.status_code == 200
    assert not Photo.objects.exists()
    assert [str(message) for message in response.context["messages"]] == [
        "The form was not saved, and browsers do not keep a chosen file: choose "
        "“haven-dalian.png” again before you save."
    ]


def test_the_mission_list_shows_status_and_publish_date_before_the_rest(client):
    MissionFactory()
    login(client, role=EDITOR)
    response = client.get(reverse("admin:programmes_mission_changelist"))
    assert response.context["cl"].list_display[1:4] == ["title", "status", "publish_at"]


def test_the_audit_log_filters_by_the_kinds_of_object_it_mentions(client):
    login(client, role=SITE_MANAGER)
    mission = MissionFactory()
    services.save_content(mission, user=StaffFactory())
    services.save_content(mission.partnership, user=StaffFactory())

    response = client.get(reverse("admin:programmes_auditlogentry_changelist"))

    assert "access attempt" not in response.text
    content_types = next(
        spec for spec in response.context["cl"].filter_specs if spec.field_path == "content_type"
    )
    assert sorted(label for _pk, label in content_types.lookup_choices) == [
        "Twinning programmes | mission",
        "Twinning programmes | partnership",
    ]


def test_help_texts_run_on_without_a_space_after_a_chinese_sentence(client):
    district = district_in_zoned_country("Asia/Shanghai")
    mission = MissionFactory(status=Status.DRAFT)
    ProgrammeItemFactory(mission=mission, city=district)
    login(client, role=PUBLISHER, organisations=[mission.partnership.owner])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"

    response = client.get(reverse("admin:programmes_mission_change", args=[mission.pk]))

    item_form = response.context["inline_admin_formsets"][1].formset.forms[0]
    help_text = str(item_form.fields["end_time"].help_text)
    assert "请留空。" in help_text
    assert "。 " not in help_text


def test_sentences_keep_a_space_between_latin_sentences():
    assert editor_forms.sentences("Leave empty.", "", None, "Local time.") == (
        "Leave empty. Local time."
    )
    assert editor_forms.sentences("请留空。", "当地时间。") == "请留空。当地时间。"
