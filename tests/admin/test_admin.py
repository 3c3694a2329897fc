"""The editors' admin, used as a staff member who is not a superuser.

Most tests log in as a site manager, who works on every organisation's content; what
the other roles may do is tests/domain/test_permissions.py's subject.

Requests are made in English (language cookie) so the assertions on interface
text do not change when the Dutch and Chinese catalogs are filled in.
"""

import base64
import datetime as dt
import hashlib
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.contrib.staticfiles import finders
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from pytest_django.asserts import assertContains

from programmes.admin.base import PROSE_EDITOR_STYLE_HASH
from programmes.domain.permissions import EDITOR, PUBLISHER, SITE_MANAGER
from programmes.models import (
    DERIVED_MODELS,
    Installation,
    KeyFigure,
    Mission,
    Outcome,
    Photo,
    ProgrammeItem,
    Region,
    Status,
)

from ..factories import (
    FocusAreaFactory,
    KeyFigureFactory,
    MissionFactory,
    ObjectiveFactory,
    OrganisationFactory,
    OutcomeFactory,
    PartnershipFactory,
    RegionFactory,
    SitePageFactory,
    StaffFactory,
)

pytestmark = pytest.mark.django_db

ACTIONS = ("add", "change", "delete", "view")


def crud(*model_names: str) -> list[str]:
    """Add, change, delete and view permissions on the given programmes models."""
    return [f"programmes.{action}_{name}" for name in model_names for action in ACTIONS]


def png_upload(name: str = "dalian.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), "red").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def make_photo(**kwargs) -> Photo:
    return Photo.objects.create(
        image=png_upload(),
        region=kwargs.pop("region", None) or RegionFactory(),
        alt_text_nl="De haven van Dalian",
        alt_text_en="The port of Dalian",
        alt_text_zh_hans="大连港",
        credit="Gemeente Enschede",
        **kwargs,
    )


def translated(name: str, nl: str, en: str, zh: str, *, prefix: str = "") -> dict[str, str]:
    """Form data for one translated field in its three languages."""
    return {f"{prefix}{name}_nl": nl, f"{prefix}{name}_en": en, f"{prefix}{name}_zh_hans": zh}


def management_form(prefix: str, *, total: int = 0, initial: int = 0) -> dict[str, str]:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def login(client, *permissions: str, role: str | None = None, organisations=()):
    staff = StaffFactory(permissions=list(permissions), role=role, organisations=organisations)
    client.force_login(staff)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return staff


# Every admin: changelist, add and change views ------------------------------------------

# model name, how to make one, the inline models it edits, a translated field, inline prefixes
ADMINS = [
    pytest.param(
        "region",
        RegionFactory,
        ["keyfigure", "cluster", "photo"],
        "name",
        ["key_figures", "clusters", "photos"],
        id="region",
    ),
    pytest.param("organisation", OrganisationFactory, [], "name", [], id="organisation"),
    pytest.param(
        "partnership", PartnershipFactory, ["objective"], "title", ["objectives"], id="partnership"
    ),
    pytest.param(
        "mission",
        MissionFactory,
        ["programmeitem", "outcome", "photo"],
        "title",
        ["programme_items", "outcomes", "photos"],
        id="mission",
    ),
    pytest.param("outcome", OutcomeFactory, [], "title", [], id="outcome"),
    pytest.param("focusarea", FocusAreaFactory, [], "name", [], id="focusarea"),
    pytest.param("photo", make_photo, [], "alt_text", [], id="photo"),
    pytest.param("sitepage", SitePageFactory, [], "title", [], id="sitepage"),
]


@pytest.mark.parametrize(("model_name", "make", "inline_models", "field", "prefixes"), ADMINS)
def test_changelist_add_and_change_views_work_for_every_model(
    client, model_name, make, inline_models, field, prefixes
):
    obj = make()
    login(client, role=SITE_MANAGER)

    changelist = client.get(reverse(f"admin:programmes_{model_name}_changelist"))
    assert changelist.status_code == 200
    assert list(changelist.context["cl"].result_list) == [obj]

    add = client.get(reverse(f"admin:programmes_{model_name}_add"))
    assert add.status_code == 200
    for language in ("nl", "en", "zh_hans"):
        assert f'name="{field}_{language}"' in add.text
    for prefix in prefixes:
        assert f'name="{prefix}-TOTAL_FORMS"' in add.text

    change = client.get(reverse(f"admin:programmes_{model_name}_change", args=[obj.pk]))
    assert change.status_code == 200
    for language in ("nl", "en", "zh_hans"):
        assert f'value="{getattr(obj, f"{field}_{language}")}"' in change.text
    # The record (uuid, created, updated) is shown once the object exists.
    if model_name != "focusarea":
        assert "field-uuid" not in add.text
        assert f'<div class="readonly">{obj.uuid}</div>' in change.text


def test_every_programmes_model_is_edited_in_the_admin():
    """Registered on its own or as an inline of a registered admin: nothing is left out."""
    inline_models = {
        inline.model
        for model_admin in admin.site._registry.values()
        for inline in model_admin.inlines
    }
    for model in apps.get_app_config("programmes").get_models():
        if model in DERIVED_MODELS:  # the read model: rebuilt from the others, never edited
            continue
        if model is Installation:  # the install's identity: made once, never edited
            continue
        assert admin.site.is_registered(model) or model in inline_models, model


def test_staff_without_permissions_is_refused(client):
    mission = MissionFactory()
    login(client)
    assert client.get(reverse("admin:programmes_mission_changelist")).status_code == 403
    assert (
        client.get(reverse("admin:programmes_mission_change", args=[mission.pk])).status_code == 403
    )
    assert client.get(reverse("admin:programmes_mission_add")).status_code == 403


def test_staff_may_not_edit_what_they_may_only_view(client):
    mission = MissionFactory(status=Status.DRAFT)
    login(client, "programmes.view_mission", organisations=[mission.partnership.owner])
    response = client.post(
        reverse("admin:programmes_mission_change", args=[mission.pk]),
        {"title_nl": "Gewijzigd", "kind": mission.kind, "slug": mission.slug},
    )
    assert response.status_code == 403
    mission.refresh_from_db()
    assert mission.title_nl != "Gewijzigd"


# Adding a mission with its programme and outcomes -------------------------------------


def mission_form(partnership, **overrides) -> dict:
    """A complete add form for a mission, without inline rows."""
    return {
        **translated(
            "title",
            "Inspiratiereis naar Shanghai en Dalian",
            "Inspiration trip to Shanghai and Dalian",
            "上海和大连考察之旅",
        ),
        "kind": Mission.Kind.INSPIRATION_TRIP,
        "start_date": "",
        "end_date": "",
        "leader_name": "Marijke van Hees",
        **translated("leader_role", "loco-burgemeester", "deputy mayor", "副市长"),
        **translated("participants", "ondernemers uit Twente", "entrepreneurs from Twente", ""),
        **translated("summary", "Een inspiratiereis.", "An inspiration trip.", "一次考察之旅。"),
        **translated("context", "", "", ""),
        **translated("why", "<p>Waarom China?</p>", "<p>Why China?</p>", "<p>为什么是中国？</p>"),
        **translated("programme_intro", "", "", ""),
        **translated("result", "", "", ""),
        "partnership": str(partnership.pk),
        "slug": "inspiratiereis-shanghai-dalian",
        "status": Status.DRAFT,
        "publish_at_0": "",
        "publish_at_1": "",
        **management_form("destination_links"),
        **management_form("programme_items"),
        **management_form("outcomes"),
        **management_form("photos"),
        **overrides,
    }


def test_add_mission_with_programme_items_and_outcomes(client):
    partnership = PartnershipFactory()
    shanghai = RegionFactory(name_nl="Shanghai")
    dalian = RegionFactory(name_nl="Dalian")
    nbso = OrganisationFactory(name_nl="NBSO Dalian", region=dalian)
    login(client, role=PUBLISHER, organisations=[partnership.owner])

    data = mission_form(
        partnership,
        _publish="Save and publish",
        # Every text translated: publishing asks nothing (test_start_page.py has the question).
        participants_zh_hans="来自特文特的企业家",
        # Shanghai first, as the source lists them; the rows' order is the order.
        **management_form("destination_links", total=2),
        **{
            "destination_links-0-region": str(shanghai.pk),
            "destination_links-0-position": "0",
            "destination_links-1-region": str(dalian.pk),
            "destination_links-1-position": "0",
        },
        **management_form("programme_items", total=2),
        **{
            "programme_items-0-city": str(shanghai.pk),
            "programme_items-0-host": "",
            "programme_items-0-kind": ProgrammeItem.Kind.UNIVERSITY,
            "programme_items-0-order": "0",
            "programme_items-0-date": "",
            "programme_items-0-start_time": "",
            **translated(
                "title",
                "Tongji-universiteit",
                "Tongji University",
                "同济大学",
                prefix="programme_items-0-",
            ),
            **translated("description", "", "", "", prefix="programme_items-0-"),
            "programme_items-1-city": str(dalian.pk),
            "programme_items-1-host": str(nbso.pk),
            "programme_items-1-kind": ProgrammeItem.Kind.SITE_VISIT,
            "programme_items-1-order": "1",
            "programme_items-1-date": "2012-05-10",
            "programme_items-1-start_time": "09:30",
            **translated(
                "title",
                "New High Tech Zone",
                "New High Tech Zone",
                "高新技术产业园区",
                prefix="programme_items-1-",
            ),
            **translated(
                "description",
                "Met het NBSO-kantoor.",
                "With the NBSO office.",
                "与荷兰商务支持办公室一起。",
                prefix="programme_items-1-",
            ),
        },
        **management_form("outcomes", total=1),
        **{
            **translated(
                "title",
                "Samenwerking met Tongji",
                "Collaboration with Tongji",
                "与同济合作",
                prefix="outcomes-0-",
            ),
            "outcomes-0-slug": "samenwerking-tongji",
            "outcomes-0-kind": Outcome.Kind.COLLABORATION,
            "outcomes-0-progress": Outcome.Progress.IN_PROGRESS,
            "outcomes-0-area": "",
            "outcomes-0-date": "",
            **translated("parties", "", "", "", prefix="outcomes-0-"),
            **translated(
                "description",
                "<p>Studenten uit Enschede.</p>",
                "<p>Students from Enschede.</p>",
                "<p>来自恩斯赫德的学生。</p>",
                prefix="outcomes-0-",
            ),
            "outcomes-0-status": Status.DRAFT,
            "outcomes-0-order": "0",
        },
    )
    before = timezone.now()
    response = client.post(reverse("admin:programmes_mission_add"), data)

    assert response.status_code == 302, response.context["errors"]
    assert response["Location"] == reverse("admin:programmes_mission_changelist")
    mission = Mission.objects.get(slug="inspiratiereis-shanghai-dalian")
    assert (mission.title_nl, mission.title_en, mission.title_zh_hans) == (
        "Inspiratiereis naar Shanghai en Dalian",
        "Inspiration trip to Shanghai and Dalian",
        "上海和大连考察之旅",
    )
    assert (mission.why_nl, mission.why_en, mission.why_zh_hans) == (
        "<p>Waarom China?</p>",
        "<p>Why China?</p>",
        "<p>为什么是中国？</p>",
    )
    assert list(Mission.objects.filter(pk=mission.pk).for_list().get().destinations.all()) == [
        shanghai,
        dalian,
    ]
    # "Save and publish" gives a publish date, as the Publish action does.
    assert mission.status == Status.PUBLISHED
    assert before <= mission.publish_at <= timezone.now()
    assert [
        (item.city, item.host, item.kind, item.title_nl, item.title_en, item.title_zh_hans)
        for item in mission.programme_items.order_by("order")
    ] == [
        (shanghai, None, "university", "Tongji-universiteit", "Tongji University", "同济大学"),
        (
            dalian,
            nbso,
            "site_visit",
            "New High Tech Zone",
            "New High Tech Zone",
            "高新技术产业园区",
        ),
    ]
    visit = mission.programme_items.get(order=1)
    assert (visit.date, visit.start_time) == (dt.date(2012, 5, 10), dt.time(9, 30))
    assert visit.description_zh_hans == "与荷兰商务支持办公室一起。"
    outcome = mission.outcomes.get()
    assert (outcome.title_nl, outcome.title_en, outcome.title_zh_hans) == (
        "Samenwerking met Tongji",
        "Collaboration with Tongji",
        "与同济合作",
    )
    assert outcome.description_zh_hans == "<p>来自恩斯赫德的学生。</p>"
    # The editor does not pick the partnership of a mission's outcome: it is the mission's.
    assert outcome.partnership == partnership
    assert outcome.status == Status.DRAFT


def test_a_programme_items_end_time_must_follow_its_start_time(client):
    partnership = PartnershipFactory()
    login(client, role=EDITOR, organisations=[partnership.owner])
    item = {
        "programme_items-0-city": "",
        "programme_items-0-host": "",
        "programme_items-0-kind": ProgrammeItem.Kind.MEETING,
        "programme_items-0-order": "0",
        "programme_items-0-date": "2026-05-12",
        "programme_items-0-start_time": "12:00",
        "programme_items-0-end_time": "10:00",
        **translated("title", "Overleg", "Meeting", "会谈", prefix="programme_items-0-"),
        **translated("description", "", "", "", prefix="programme_items-0-"),
    }
    data = mission_form(partnership, **management_form("programme_items", total=1), **item)

    refused = client.post(reverse("admin:programmes_mission_add"), data)

    assert refused.status_code == 200
    assertContains(
        refused,
        "The end time must be after the start time: a programme item ends on the day it starts.",
    )
    assert not Mission.objects.exists()

    data["programme_items-0-end_time"] = "13:30"
    response = client.post(reverse("admin:programmes_mission_add"), data)

    assert response.status_code == 302, response.context["errors"]
    meeting = ProgrammeItem.objects.get()
    assert (meeting.start_time, meeting.end_time) == (dt.time(12), dt.time(13, 30))


def test_moving_a_mission_to_another_partnership_moves_its_outcomes(client):
    outcome = OutcomeFactory()
    mission, other = outcome.mission, PartnershipFactory()
    login(client, role=SITE_MANAGER)
    data = mission_form(
        other,
        slug=mission.slug,
        status=mission.status,
        publish_at_0=mission.publish_at.strftime("%Y-%m-%d"),
        publish_at_1=mission.publish_at.strftime("%H:%M:%S"),
        **management_form("outcomes", total=1, initial=1),
        **{
            "outcomes-0-id": str(outcome.pk),
            "outcomes-0-mission": str(mission.pk),
            **translated(
                "title",
                outcome.title_nl,
                outcome.title_en,
                outcome.title_zh_hans,
                prefix="outcomes-0-",
            ),
            "outcomes-0-slug": outcome.slug,
            "outcomes-0-kind": outcome.kind,
            "outcomes-0-progress": outcome.progress,
            "outcomes-0-area": str(outcome.area_id),
            **translated(
                "parties",
                outcome.parties_nl,
                outcome.parties_en,
                outcome.parties_zh_hans,
                prefix="outcomes-0-",
            ),
            **translated(
                "description",
                outcome.description_nl,
                outcome.description_en,
                outcome.description_zh_hans,
                prefix="outcomes-0-",
            ),
            "outcomes-0-status": outcome.status,
            "outcomes-0-order": str(outcome.order),
        },
    )

    response = client.post(reverse("admin:programmes_mission_change", args=[mission.pk]), data)

    assert response.status_code == 302, response.context["errors"]
    outcome.refresh_from_db()
    assert outcome.partnership == other
    assert outcome.mission.partnership == other


def test_rich_text_is_saved_sanitized(client):
    partnership = PartnershipFactory()
    login(client, role=EDITOR, organisations=[partnership.owner])
    hostile = '<p onclick="steal()">Waarom <script>alert(1)</script>China</p>'
    data = mission_form(
        partnership,
        why_nl=hostile,
        result_zh_hans='<p>成果<img src="x" onerror="steal()"></p>',
        **management_form("outcomes", total=1),
        **{
            **translated("title", "Contract", "Contract", "合同", prefix="outcomes-0-"),
            "outcomes-0-slug": "contract",
            "outcomes-0-kind": Outcome.Kind.CONTRACT,
            "outcomes-0-progress": Outcome.Progress.ACHIEVED,
            "outcomes-0-status": Status.DRAFT,
            "outcomes-0-order": "0",
            **translated(
                "description",
                '<p><a href="javascript:steal()" onmouseover="steal()">Lees meer</a></p>',
                "",
                "",
                prefix="outcomes-0-",
            ),
        },
    )

    response = client.post(reverse("admin:programmes_mission_add"), data)

    assert response.status_code == 302, response.context["errors"]
    mission = Mission.objects.get(slug="inspiratiereis-shanghai-dalian")
    assert mission.why_nl == "<p>Waarom China</p>"
    assert mission.result_zh_hans == "<p>成果</p>"
    assert mission.outcomes.get().description_nl == "<p><a>Lees meer</a></p>"


def test_change_region_with_key_figures(client):
    zhejiang = RegionFactory(
        slug="zhejiang", kind=Region.Kind.PROVINCE, status=Status.DRAFT, publish_at=None
    )
    population = KeyFigureFactory(region=zhejiang, value=Decimal("50000000"), order=0)
    login(client, role=SITE_MANAGER)
    data = {
        **translated("name", "Zhejiang", "Zhejiang", "浙江省"),
        "kind": Region.Kind.PROVINCE,
        **translated("summary", "Provincie in het oosten van China.", "", ""),
        **translated("profile", "<p>Een welvarende provincie.</p>", "", ""),
        "parent": "",
        "latitude": "29.18",
        "longitude": "120.09",
        "time_zone": "Asia/Shanghai",
        "slug": "zhejiang",
        "status": Status.DRAFT,
        "publish_at_0": "",
        "publish_at_1": "",
        **management_form("key_figures", total=2, initial=1),
        "key_figures-0-id": str(population.pk),
        "key_figures-0-region": str(zhejiang.pk),
        **translated("label", "Inwoners", "Population", "人口", prefix="key_figures-0-"),
        "key_figures-0-value": "54000000",
        "key_figures-0-value_max": "",
        "key_figures-0-unit": KeyFigure.Unit.COUNT,
        "key_figures-0-year": "",
        **translated("source", "", "", "", prefix="key_figures-0-"),
        "key_figures-0-order": "0",
        "key_figures-1-region": str(zhejiang.pk),
        **translated(
            "label", "Groei bbp", "GDP growth", "国内生产总值增长", prefix="key_figures-1-"
        ),
        "key_figures-1-value": "11.8",
        "key_figures-1-value_max": "",
        "key_figures-1-unit": KeyFigure.Unit.PERCENT,
        "key_figures-1-approximate": "",
        "key_figures-1-year": "2010",
        **translated("source", "POM West-Vlaanderen", "", "", prefix="key_figures-1-"),
        **translated("chart_title", "Groei", "Growth", "增长", prefix="key_figures-1-"),
        "key_figures-1-order": "1",
        **management_form("clusters"),
        **management_form("photos"),
    }

    response = client.post(reverse("admin:programmes_region_change", args=[zhejiang.pk]), data)

    assert response.status_code == 302, response.context["errors"]
    zhejiang.refresh_from_db()
    assert (zhejiang.name_nl, zhejiang.name_zh_hans) == ("Zhejiang", "浙江省")
    assert zhejiang.time_zone == "Asia/Shanghai"
    figures = [
        (f.label_nl, f.label_en, f.label_zh_hans, f.value, f.unit, f.year)
        for f in zhejiang.key_figures.order_by("order")
    ]
    assert figures == [
        ("Inwoners", "Population", "人口", Decimal("54000000"), "count", None),
        ("Groei bbp", "GDP growth", "国内生产总值增长", Decimal("11.8"), "percent", 2010),
    ]
    # The chart title in every language; a figure without one keeps it empty.
    assert [
        (f.chart_title_nl or "", f.chart_title_en or "", f.chart_title_zh_hans or "")
        for f in zhejiang.key_figures.order_by("order")
    ] == [("", "", ""), ("Groei", "Growth", "增长")]


def country_form(**overrides) -> dict:
    """The change form of the country "china" without key figures, clusters or photos."""
    return {
        **translated("name", "China", "China", "中国"),
        "kind": Region.Kind.COUNTRY,
        **translated("summary", "", "", ""),
        **translated("profile", "", "", ""),
        "parent": "",
        "latitude": "",
        "longitude": "",
        "time_zone": "",
        "slug": "china",
        "status": Status.DRAFT,
        "publish_at_0": "",
        "publish_at_1": "",
        **management_form("key_figures"),
        **management_form("clusters"),
        **management_form("photos"),
        **overrides,
    }


def test_a_region_time_zone_must_be_an_iana_name(client):
    china = RegionFactory(slug="china", kind=Region.Kind.COUNTRY)
    login(client, role=SITE_MANAGER)
    url = reverse("admin:programmes_region_change", args=[china.pk])
    form = client.get(url).content.decode()
    assert (
        "The IANA time zone name, such as Asia/Shanghai or Europe/Amsterdam. Leave empty to use "
        "the time zone of the region it lies in."
    ) in form
    # The browser offers the names as the editor types, without a script.
    assert 'list="id_time_zone-choices"' in form
    assert '<datalist id="id_time_zone-choices">' in form
    assert '<option value="Asia/Shanghai"></option>' in form
    data = country_form(time_zone="Asia/Beijing")

    response = client.post(url, data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "time_zone": [
            "“Asia/Beijing” is not a known time zone. Use an IANA name such as Asia/Shanghai."
        ]
    }
    china.refresh_from_db()
    assert china.time_zone == ""


def test_texts_over_their_maximum_length_are_refused_in_the_admin(client):
    china = RegionFactory(slug="china", kind=Region.Kind.COUNTRY)
    stored = (china.summary_nl, china.summary_en, china.profile_nl)
    login(client, role=SITE_MANAGER)
    url = reverse("admin:programmes_region_change", args=[china.pk])
    form = client.get(url).content.decode()
    assert re.search(r'<textarea name="summary_en"[^>]* maxlength="1000"', form)
    data = country_form(
        **translated("summary", "Een land.", "界" * 1_001, ""),
        **translated("profile", "<p>" + "x" * 50_000 + "</p>", "", ""),
    )

    response = client.post(url, data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "summary_en": ["Ensure this value has at most 1000 characters (it has 1001)."],
        "profile_nl": ["Ensure this value has at most 50000 characters (it has 50007)."],
    }
    china.refresh_from_db()
    assert (china.summary_nl, china.summary_en, china.profile_nl) == stored


def test_search_finds_an_object_by_its_chinese_title(client):
    dalian_trip = MissionFactory(title_zh_hans="大连考察之旅")
    MissionFactory(title_zh_hans="浙江商务日")
    login(client, role=SITE_MANAGER)

    response = client.get(reverse("admin:programmes_mission_changelist"), {"q": "大连"})

    assert list(response.context["cl"].result_list) == [dalian_trip]


def test_autocomplete_finds_regions_in_every_language(client):
    zhejiang = RegionFactory(name_nl="Zhejiang", name_en="Zhejiang", name_zh_hans="浙江")
    RegionFactory(name_nl="Dalian", name_en="Dalian", name_zh_hans="大连")
    login(client, "programmes.change_mission", "programmes.view_region")
    url = reverse("admin:autocomplete")
    query = {"app_label": "programmes", "model_name": "mission", "field_name": "destinations"}

    for term in ("浙江", "zhej"):
        response = client.get(url, {**query, "term": term})
        assert response.json() == {
            "results": [{"id": str(zhejiang.pk), "text": "Zhejiang"}],
            "pagination": {"more": False},
        }


def test_translation_status_tells_editors_what_is_missing(client):
    MissionFactory(title_nl="Compleet")
    MissionFactory(title_nl="Zonder Engels", title_en="", summary_en="", summary_zh_hans="")
    login(client, role=SITE_MANAGER)

    response = client.get(reverse("admin:programmes_mission_changelist"))

    # Eight texts filled in Dutch: without the English title and summary, 6 of 8 in English;
    # Chinese lacks its summary, so 7 of 8.
    statuses = re.findall(r'<td class="field-translation_status">([^<]*)</td>', response.text)
    assert sorted(statuses) == ["en 100% · zh-hans 100%", "en 75% · zh-hans 87%"]


# Publish and unpublish ----------------------------------------------------------------


def run_action(client, action: str, objects) -> list[str]:
    response = client.post(
        reverse("admin:programmes_mission_changelist"),
        {"action": action, "_selected_action": [str(obj.pk) for obj in objects]},
        follow=True,
    )
    return [str(message) for message in response.context["messages"]]


def test_publish_and_unpublish_actions(client):
    earlier = timezone.now() - dt.timedelta(days=30)
    partnership = PartnershipFactory()
    drafts = MissionFactory.create_batch(
        2, partnership=partnership, status=Status.DRAFT, publish_at=None
    )
    published = MissionFactory(partnership=partnership, status=Status.PUBLISHED, publish_at=earlier)
    login(client, role=PUBLISHER, organisations=[partnership.owner])
    before = timezone.now()

    assert run_action(client, "publish_selected", [*drafts, published]) == ["Published 2 missions."]
    for mission in drafts:
        mission.refresh_from_db()
        assert mission.status == Status.PUBLISHED
        assert before <= mission.publish_at <= timezone.now()
    published.refresh_from_db()
    assert published.publish_at == earlier

    assert run_action(client, "unpublish_selected", [drafts[0]]) == [
        "Unpublished 1 mission; editors may change it again."
    ]
    drafts[0].refresh_from_db()
    assert drafts[0].status == Status.UNPUBLISHED
    assert Mission.objects.published().count() == 2


def test_read_only_rich_text_is_shown_formatted_and_sanitized(client):
    # An editor's view of a published mission showed "<p>China is …</p>", tags and all.
    mission = MissionFactory(status=Status.PUBLISHED, publish_at=timezone.now())
    Mission.objects.filter(pk=mission.pk).update(
        why_en="<p>China is <strong>big</strong>.</p><script>alert(1)</script>"
    )
    outcome = OutcomeFactory(mission=mission, partnership=mission.partnership)
    Outcome.objects.filter(pk=outcome.pk).update(description_en="<p>A <em>port</em>.</p>")
    login(client, role=EDITOR, organisations=[mission.partnership.owner])

    page = client.get(reverse("admin:programmes_mission_change", args=[mission.pk])).text

    assert "<p>China is <strong>big</strong>.</p>" in page
    assert "&lt;p&gt;" not in page
    assert "<script>alert(1)" not in page  # sanitized again, whatever path stored it
    assert "<p>A <em>port</em>.</p>" in page  # the inline's too


def test_publish_needs_the_publish_permission(client):
    draft = MissionFactory(status=Status.DRAFT, publish_at=None)
    login(client, role=EDITOR, organisations=[draft.partnership.owner])

    changelist = client.get(reverse("admin:programmes_mission_changelist"))
    assert "publish_selected" not in changelist.text
    run_action(client, "publish_selected", [draft])

    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


# Pages, assets and the Content-Security-Policy ----------------------------------------


def test_change_form_loads_its_scripts_from_this_site_only(client):
    mission = MissionFactory()
    login(client, role=SITE_MANAGER)

    response = client.get(reverse("admin:programmes_mission_change", args=[mission.pk]))

    assert '<script src="/static/vendor/jquery-ui/jquery-ui.min.js"' in response.text
    assert '<script src="/static/modeltranslation/js/tabbed_translation_fields.js"' in response.text
    assert re.findall(r'<(?:script|link)[^>]+(?:src|href)="(?:https?:)?//', response.text) == []
    assert finders.find("vendor/jquery-ui/jquery-ui.min.js")
    # "View on site" leads to the public page of the mission.
    content_type = ContentType.objects.get_for_model(Mission)
    assert reverse("admin:view_on_site", args=[content_type.pk, mission.pk]) in response.text


def test_only_form_pages_allow_the_rich_text_editors_stylesheet(client):
    mission = MissionFactory()
    login(client, role=SITE_MANAGER)

    form_policy = client.get(reverse("admin:programmes_mission_change", args=[mission.pk])).headers[
        "Content-Security-Policy"
    ]
    list_policy = client.get(reverse("admin:programmes_mission_changelist")).headers[
        "Content-Security-Policy"
    ]

    assert f"style-src 'self' {PROSE_EDITOR_STYLE_HASH};" in form_policy
    assert "style-src 'self';" in list_policy
    assert re.sub(r"'nonce-[^']+'", "", form_policy.replace(f" {PROSE_EDITOR_STYLE_HASH}", "")) == (
        re.sub(r"'nonce-[^']+'", "", list_policy)
    )


def test_prose_editor_style_hash_matches_the_installed_editor():
    """Tiptap's base stylesheet is a template literal in editor.js; an upgrade may change it."""
    source = Path(finders.find("django_prose_editor/editor.js")).read_text(encoding="utf-8")
    start = source.index("`.ProseMirror {") + 1
    stylesheet = source[start : source.index("`", start)]
    digest = base64.b64encode(hashlib.sha256(stylesheet.encode()).digest()).decode()
    assert f"'sha256-{digest}'" == PROSE_EDITOR_STYLE_HASH


def test_staff_choose_the_language_of_the_admin(client):
    login(client, "programmes.view_mission")
    index = client.get(reverse("admin:index"))
    assert '<div id="site-name"><a href="/admin/">Twinning CMS administration</a></div>' in (
        index.text
    )
    assert f'<form class="admin-language" action="{reverse("set_language")}"' in index.text
    assert '<option value="zh-hans" lang="zh-hans">简体中文</option>' in index.text

    response = client.post(reverse("set_language"), {"language": "zh-hans", "next": "/admin/"})

    assert response["Location"] == "/admin/"
    index = client.get(reverse("admin:index"))
    assert '<html lang="zh-hans"' in index.text
    assert '<option value="zh-hans" lang="zh-hans" selected>简体中文</option>' in index.text


def test_login_page_offers_the_language_choice(client):
    response = client.get(reverse("admin:login"))
    assert '<select id="admin-language" name="language">' in response.text


# Query counts -------------------------------------------------------------------------


def make_mission_with_outcome():
    return OutcomeFactory().mission


@pytest.mark.parametrize("rows", [1, 12])
@pytest.mark.parametrize(
    ("model_name", "make", "queries"),
    [
        ("region", lambda: RegionFactory(parent=RegionFactory()), 11),
        ("organisation", OrganisationFactory, 9),
        ("partnership", lambda: ObjectiveFactory().partnership, 11),
        ("mission", make_mission_with_outcome, 11),
        ("outcome", OutcomeFactory, 11),
        ("focusarea", FocusAreaFactory, 9),
        ("photo", make_photo, 9),
    ],
)
def test_changelist_queries_do_not_grow(
    client, django_assert_num_queries, model_name, make, queries, rows
):
    for _ in range(rows):
        make()
    login(client, role=SITE_MANAGER)
    with django_assert_num_queries(queries):
        response = client.get(reverse(f"admin:programmes_{model_name}_changelist"))
    assert (
        response.context["cl"].result_count
        == apps.get_model("programmes", model_name).objects.count()
    )


# The demo staff ----------------------------------------------------------------------


def test_create_demo_staff_refuses_without_debug():
    assert settings.DEBUG is False
    with pytest.raises(CommandError, match="--force"):
        call_command("create_demo_staff")
    assert not get_user_model().objects.filter(username="demo").exists()


def test_create_demo_staff_needs_the_seed_content(settings):
    settings.DEBUG = True
    with pytest.raises(CommandError, match="gemeente-enschede, pom-west-vlaanderen do not exist"):
        call_command("create_demo_staff")
    assert not get_user_model().objects.filter(username="demo").exists()


def test_create_demo_staff_twice_gives_one_account_per_role(seeded, monkeypatch, settings, capsys):
    settings.DEBUG = True
    monkeypatch.setenv("DEMO_STAFF_PASSWORD", "dalian-2012")

    call_command("create_demo_staff")
    demo = get_user_model().objects.get(username="demo")
    demo.set_password("forgotten")
    demo.is_superuser = True
    demo.save()
    call_command("create_demo_staff")

    staff = get_user_model().objects.filter(is_staff=True).order_by("username")
    assert [
        (
            user.username,
            [group.name for group in user.groups.all()],
            [(m.organisation.slug, m.languages) for m in user.memberships.all()],
        )
        for user in staff
    ] == [
        ("dalian-reviewer", ["Partner reviewer"], []),
        ("demo", ["Site manager"], []),
        ("enschede-editor", ["Editor"], [("gemeente-enschede", [])]),
        ("enschede-publisher", ["Publisher"], [("gemeente-enschede", [])]),
        ("pom-editor", ["Editor"], [("pom-west-vlaanderen", [])]),
        ("pom-translator", ["Translator"], [("pom-west-vlaanderen", ["zh-hans"])]),
    ]
    reviewer = get_user_model().objects.get(username="dalian-reviewer")
    assert [(r.partnership.slug, r.languages) for r in reviewer.partner_reviews.all()] == [
        ("enschede-dalian", ["zh-hans", "en"])
    ]
    demo = get_user_model().objects.get(username="demo")
    assert (demo.is_staff, demo.is_superuser, demo.is_active) == (True, False, True)
    assert all(user.check_password("dalian-2012") for user in staff)
    assert Group.objects.filter(name="Site manager").count() == 1
    # A site manager holds every permission of the apps the roles cover (ROLE_APPS).
    expected = {
        f"{app_label}.{codename}"
        for app_label, codename in Permission.objects.filter(
            content_type__app_label__in=["programmes", "registrations"]
        ).values_list("content_type__app_label", "codename")
    }
    assert demo.get_all_permissions() == expected
    output = capsys.readouterr().out
    assert "  pom-translator: translator of POM West-Vlaanderen (zh-hans)" in output
    assert "Log in at http://127.0.0.1:8000/admin/login/" in output
    assert "password (all of them): dalian-2012" in output


def test_create_demo_staff_default_password_with_force(seeded, monkeypatch):
    monkeypatch.delenv("DEMO_STAFF_PASSWORD", raising=False)
    call_command("create_demo_staff", "--force", stdout=io.StringIO())
    assert get_user_model().objects.get(username="demo").check_password("twinning-demo")


def test_view_on_site_leads_staff_to_their_own_objects_page(client):
    mission = MissionFactory()
    login(client, role=SITE_MANAGER)
    content_type = ContentType.objects.get_for_model(Mission)

    response = client.get(reverse("admin:view_on_site", args=[content_type.pk, mission.pk]))
    spelled_otherwise = client.get(f"/admin/r/+{content_type.pk}/{mission.pk}/")

    assert response.status_code == 302
    assert response["Location"].endswith(mission.get_absolute_url())
    assert spelled_otherwise.status_code == 404
