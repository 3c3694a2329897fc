"""The admin's start page by role, the send-back comment, and the publish confirmation.

Issue 12, item 4: the dashboard said "Recent actions: none" while a mission waited for
review. Item 5: publishing checked nothing. Requests are made in English (a language cookie).
"""

import datetime as dt

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.timezone import localtime
from pytest_django.asserts import assertContains, assertNotContains

from programmes.admin import start_page
from programmes.domain import workflow
from programmes.domain.permissions import EDITOR, PUBLISHER, SITE_MANAGER, TRANSLATOR
from programmes.models import AuditLogEntry, Mission, ProgrammeItem, Status

from ..factories import (
    MissionFactory,
    OrganisationFactory,
    OutcomeFactory,
    PartnershipFactory,
    ProgrammeItemFactory,
    StaffFactory,
)
from ..html_forms import form_data

pytestmark = pytest.mark.django_db

INDEX = "/admin/"


@pytest.fixture(autouse=True)
def _in_english():
    with translation.override("en"):
        yield


@pytest.fixture
def org():
    return OrganisationFactory(name_en="Gemeente Enschede")


@pytest.fixture
def partnership(org):
    return PartnershipFactory(owner=org)


def person(client, role, org, name, **kwargs):
    user = StaffFactory(role=role, organisations=[org], username=name, **kwargs)
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return user


def draft(partnership, title, **kwargs):
    return MissionFactory(
        partnership=partnership, status=Status.DRAFT, publish_at=None, title_en=title, **kwargs
    )


def panel(response, key) -> str:
    """The HTML of one panel of the start page ("" if it is not shown)."""
    html = response.text
    start = html.find(f'id="{key}"')
    if start < 0:
        return ""
    return html[start : html.find("</section>", start)]


# The panels -------------------------------------------------------------------------------------


def test_a_publisher_sees_what_waits_for_review_with_who_and_since_when(client, org, partnership):
    editor = StaffFactory(role=EDITOR, organisations=[org], username="eva")
    waiting = draft(partnership, "Inspiration trip Dalian")
    workflow.submit_for_review(waiting, by=editor)
    draft(partnership, "Still a draft")
    elsewhere = draft(PartnershipFactory(), "Another organisation's trip")
    workflow.submit_for_review(
        elsewhere, by=StaffFactory(role=EDITOR, organisations=[elsewhere.partnership.owner])
    )
    person(client, PUBLISHER, org, "piet")

    response = client.get(INDEX)

    review = panel(response, "waiting-for-review")
    assert "Waiting for your review" in review
    url = reverse("admin:programmes_mission_change", args=[waiting.pk])
    assert f'<a href="{url}">Inspiration trip Dalian</a>' in review
    assert "<td>eva</td>" in review
    submitted = AuditLogEntry.objects.get(
        action=AuditLogEntry.Action.SUBMITTED, object_id=str(waiting.pk)
    )
    assert f'<time datetime="{localtime(submitted.timestamp).isoformat()}' in review
    assert "Still a draft" not in review
    assertNotContains(response, "Another organisation")
    assertNotContains(response, "Recent actions")


def test_an_editor_sees_their_drafts_and_what_was_sent_back_with_the_comment(
    client, org, partnership
):
    publisher = StaffFactory(role=PUBLISHER, organisations=[org], username="piet")
    editor = person(client, EDITOR, org, "eva")
    mine = draft(partnership, "My draft")
    workflow.submit_for_review(mine, by=editor)  # logged as hers
    workflow.send_back(mine, by=publisher, comment="The dates of the programme are wrong.")
    mine_too = draft(partnership, "Another draft")
    mine_too.title_en = "Another draft, changed"
    from programmes.domain import services

    services.save_content(mine_too, user=editor)
    draft(partnership, "A colleague's draft")  # never touched by her

    response = client.get(INDEX)

    sent_back = panel(response, "sent-back")
    assert "My draft" in sent_back
    assert "<td>piet</td>" in sent_back
    assert "The dates of the programme are wrong." in sent_back
    drafts = panel(response, "your-drafts")
    assert "Another draft, changed" in drafts
    assert "My draft" not in drafts  # in its own panel
    assertNotContains(response, "A colleague")
    assert panel(response, "waiting-for-review") == ""  # not a publisher


def test_a_translator_sees_what_is_missing_in_their_languages(client, org, partnership):
    half = draft(partnership, "Half translated", why_zh_hans="", result_zh_hans="")
    draft(partnership, "Missing English only", why_en="")
    OutcomeFactory(mission=half, partnership=partnership, title_zh_hans="", status=Status.DRAFT)
    other = draft(PartnershipFactory(), "Another organisation's", why_zh_hans="")
    person(client, TRANSLATOR, org, "li", languages=["zh-hans"])

    response = client.get(INDEX)

    missing = panel(response, "missing-translations")
    assert "Half translated" in missing
    assert "zh-hans 66&nbsp;%" in missing  # 4 of 6 of the mission's texts
    assert "Missing English only" not in missing
    assert "Contract" in missing  # the outcome
    assert reverse("admin:programmes_mission_change", args=[other.pk]) not in missing
    assertNotContains(response, "Another organisation")
    assert panel(response, "sent-back") == panel(response, "your-drafts") == ""


def test_a_site_manager_sees_every_panel_for_their_organisation(client, org, partnership):
    editor = StaffFactory(role=EDITOR, organisations=[org])
    workflow.submit_for_review(draft(partnership, "Waiting"), by=editor)
    theirs = draft(PartnershipFactory(), "Theirs")
    workflow.submit_for_review(
        theirs, by=StaffFactory(role=EDITOR, organisations=[theirs.partnership.owner])
    )
    person(client, SITE_MANAGER, org, "manager")

    response = client.get(INDEX)

    assert "Waiting" in panel(response, "waiting-for-review")
    assert panel(response, "sent-back") and panel(response, "your-drafts")
    assert panel(response, "missing-translations")
    assertNotContains(response, "Theirs")


def test_more_than_the_panel_shows_links_to_the_full_list(client, org, partnership):
    editor = StaffFactory(role=EDITOR, organisations=[org])
    for n in range(start_page.LIMIT + 1):
        workflow.submit_for_review(draft(partnership, f"Trip {n}"), by=editor)
    person(client, PUBLISHER, org, "piet")

    review = panel(client.get(INDEX), "waiting-for-review")

    assert review.count("<tr>") == start_page.LIMIT + 1  # with the header row
    url = reverse("admin:programmes_mission_changelist") + "?status__exact=in_review"
    assert f'<a href="{url}">All missions</a>' in review


@pytest.mark.parametrize(
    ("objects", "role", "queries"),
    [
        (1, PUBLISHER, 16),
        (8, PUBLISHER, 16),
        (1, TRANSLATOR, 11),
        (8, TRANSLATOR, 11),
    ],
)
def test_the_start_page_queries_do_not_grow(
    client, django_assert_num_queries, org, partnership, objects, role, queries
):
    editor = StaffFactory(role=EDITOR, organisations=[org])
    for n in range(objects):
        mission = draft(partnership, f"Trip {n}", why_zh_hans="", programme_items=2)
        OutcomeFactory(mission=mission, partnership=partnership, status=Status.DRAFT)
        workflow.submit_for_review(mission, by=editor)
    person(client, role, org, "someone", languages=["zh-hans"])
    client.get(INDEX)  # the session and the content types, once

    with django_assert_num_queries(queries):
        response = client.get(INDEX)

    assert response.status_code == 200


# Sending back with a comment -------------------------------------------------------------------


def test_a_publisher_sends_back_with_a_comment_from_the_change_form(client, org, partnership):
    editor = StaffFactory(role=EDITOR, organisations=[org])
    mission = draft(partnership, "Inspiration trip")
    workflow.submit_for_review(mission, by=editor)
    person(client, PUBLISHER, org, "piet")
    url = reverse("admin:programmes_mission_change", args=[mission.pk])
    page = client.get(url)
    assertContains(page, 'name="_send_back_comment"')

    data = form_data(page.text, form_id="mission_form")
    data |= {"_send_back": "Save and send back to draft", "_send_back_comment": "Dates wrong."}
    response = client.post(url, data)

    assert response.status_code == 302
    assert Mission.objects.get().status == Status.DRAFT
    entry = AuditLogEntry.objects.get(action=AuditLogEntry.Action.SENT_BACK)
    assert (entry.message, entry.username) == ("Dates wrong.", "piet")


# Publishing: the confirmation, and dates outside the mission ----------------------------------


def test_save_and_publish_asks_for_a_confirmation_listing_what_is_missing(client, org, partnership):
    mission = draft(partnership, "Inspiration trip", why_zh_hans="", result_en="")
    person(client, PUBLISHER, org, "piet")
    url = reverse("admin:programmes_mission_change", args=[mission.pk])
    data = form_data(client.get(url).text, form_id="mission_form") | {
        "_publish": "Save and publish"
    }

    response = client.post(url, data)

    confirm = reverse("admin:programmes_mission_publish", args=[mission.pk])
    assert response["Location"] == confirm
    assert Mission.objects.get().status == Status.DRAFT
    page = client.get(confirm)
    assertContains(page, "English: 87 % translated, 1 text missing")
    assertContains(page, "Simplified Chinese: 87 % translated, 1 text missing")
    assertContains(page, "<li>result</li>")
    assertContains(page, "<li>why this mission</li>")
    assertContains(page, 'value="Publish anyway"')
    assert Mission.objects.get().status == Status.DRAFT  # looking changes nothing

    done = client.post(confirm, {"confirmed": "yes"})

    assert done["Location"] == url
    assert Mission.objects.get().status == Status.PUBLISHED


def test_the_publish_action_asks_once_for_the_incomplete_ones(client, org, partnership):
    complete = draft(partnership, "Complete")
    incomplete = draft(partnership, "Incomplete", why_zh_hans="")
    person(client, PUBLISHER, org, "piet")
    changelist = reverse("admin:programmes_mission_changelist")
    action = {
        "action": "publish_selected",
        "index": "0",
        "_selected_action": [complete.pk, incomplete.pk],
    }

    page = client.post(changelist, action)

    assert page.status_code == 200
    assertContains(page, "Simplified Chinese: 87 % translated, 1 text missing")
    assertContains(page, f'<input type="hidden" name="_selected_action" value="{incomplete.pk}">')
    assert Mission.objects.get(pk=complete.pk).status == Status.PUBLISHED
    assert Mission.objects.get(pk=incomplete.pk).status == Status.DRAFT

    action |= {"_selected_action": [incomplete.pk], "confirmed": "yes"}
    client.post(changelist, action)
    assert Mission.objects.get(pk=incomplete.pk).status == Status.PUBLISHED


def test_an_item_dated_outside_the_mission_is_refused_in_the_inline(client, org, partnership):
    mission = draft(
        partnership, "Trip", start_date=dt.date(2026, 5, 16), end_date=dt.date(2026, 5, 18)
    )
    ProgrammeItemFactory(mission=mission, date=dt.date(2026, 5, 17))
    person(client, EDITOR, org, "eva")
    url = reverse("admin:programmes_mission_change", args=[mission.pk])
    data = form_data(client.get(url).text, form_id="mission_form")
    data["programme_items-0-date"] = "2026-05-11"

    response = client.post(url, data)

    assert response.status_code == 200
    assertContains(
        response, "May 11, 2026 is outside the dates of the mission (May 16, 2026 – May 18, 2026)"
    )
    assert ProgrammeItem.objects.get().date == dt.date(2026, 5, 17)

    # Moving the mission's end before the item is refused on the item, too.
    data["programme_items-0-date"] = "2026-05-17"
    data["end_date"] = "2026-05-16"
    assertContains(client.post(url, data), "May 17, 2026 is outside the dates of the mission")

    # A mission ending before it starts is refused on the mission only: the items are not
    # also "outside May 16 – May 10".
    data["end_date"] = "2026-05-10"
    response = client.post(url, data)
    assertContains(response, "The end date cannot be before the start date.")
    assertNotContains(response, "outside the dates of the mission")


def test_publishing_a_mission_with_items_outside_its_dates_is_refused(client, org, partnership):
    mission = draft(
        partnership, "Trip", start_date=dt.date(2026, 5, 16), end_date=dt.date(2026, 5, 18)
    )
    ProgrammeItemFactory(mission=mission, date=dt.date(2026, 5, 11), title_en="Port")  # older data
    person(client, PUBLISHER, org, "piet")
    confirm = reverse("admin:programmes_mission_publish", args=[mission.pk])

    page = client.get(confirm)
    assertContains(page, "These programme items are dated outside the mission's dates")
    assertNotContains(page, "Publish anyway")
    client.post(confirm, {"confirmed": "yes"})

    assert Mission.objects.get().status == Status.DRAFT


def test_a_draft_a_publisher_sent_back_is_not_among_their_drafts(client, org, partnership):
    editor = StaffFactory(role=EDITOR, organisations=[org])
    mission = draft(partnership, "Her trip")
    workflow.submit_for_review(mission, by=editor)
    publisher = person(client, PUBLISHER, org, "piet")
    workflow.send_back(mission, by=publisher, comment="Not yet.")

    response = client.get(INDEX)

    assert "Her trip" not in panel(response, "your-drafts")
    assert "Her trip" not in panel(response, "sent-back")
