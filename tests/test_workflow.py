"""The editorial workflow: draft → in review → published → unpublished, and its refusals.

Scheduled publication is decided at query time: tests move the clock by patching
``django.utils.timezone.now``, which ``published()`` and ``is_published`` read.
"""

import datetime as dt

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone, translation

from programmes.domain import workflow
from programmes.domain.permissions import EDITOR, PUBLISHER, SITE_MANAGER, TRANSLATOR
from programmes.domain.workflow import TransitionError
from programmes.models import Mission, Outcome, Partnership, Status

from .factories import MissionFactory, OutcomeFactory, PartnershipFactory, StaffFactory
from .html_forms import form_data

pytestmark = pytest.mark.django_db

# A fixed "now", so that factories' dates (a day before the real now) lie before it too.
NOW = timezone.now().replace(microsecond=0) + dt.timedelta(hours=1)


@pytest.fixture
def clock(monkeypatch):
    """Set the time: ``clock(NOW)``; ``published()`` and the services see it."""

    def set_time(moment: dt.datetime) -> None:
        monkeypatch.setattr(timezone, "now", lambda: moment)

    set_time(NOW)
    return set_time


@pytest.fixture
def mission():
    return MissionFactory(
        title_nl="Inspiratiereis", title_en="Inspiration trip", status=Status.DRAFT, publish_at=None
    )


def member(role: str, mission: Mission, **kwargs):
    return StaffFactory(role=role, organisations=[mission.partnership.owner], **kwargs)


# Transitions --------------------------------------------------------------------------------


def test_the_whole_way_from_draft_to_unpublished(mission, clock):
    editor, publisher = member(EDITOR, mission), member(PUBLISHER, mission)

    workflow.submit_for_review(mission, by=editor)
    assert Mission.objects.get().status == Status.IN_REVIEW
    workflow.send_back(mission, by=publisher)
    assert Mission.objects.get().status == Status.DRAFT
    workflow.submit_for_review(mission, by=editor)
    workflow.publish(mission, by=publisher)
    stored = Mission.objects.get()
    assert (stored.status, stored.publish_at, stored.unpublish_at) == (Status.PUBLISHED, NOW, None)
    assert list(Mission.objects.published()) == [mission]
    workflow.unpublish(mission, by=publisher)
    assert Mission.objects.get().status == Status.UNPUBLISHED
    assert list(Mission.objects.published()) == []
    # Unpublished, editors may change it and submit it again.
    workflow.submit_for_review(mission, by=editor)
    assert Mission.objects.get().status == Status.IN_REVIEW


@pytest.mark.parametrize(
    ("transition", "status", "role", "message"),
    [
        (
            "submit_for_review",
            Status.DRAFT,
            TRANSLATOR,
            "You may not submit “Inspiration trip” for review.",
        ),
        ("send_back", Status.IN_REVIEW, EDITOR, "You may not send “Inspiration trip” back."),
        ("publish", Status.IN_REVIEW, EDITOR, "You may not publish “Inspiration trip”."),
        ("publish", Status.DRAFT, TRANSLATOR, "You may not publish “Inspiration trip”."),
        ("unpublish", Status.PUBLISHED, EDITOR, "You may not unpublish “Inspiration trip”."),
    ],
)
def test_transitions_refuse_who_may_not(mission, transition, status, role, message):
    Mission.objects.filter(pk=mission.pk).update(status=status)
    mission.refresh_from_db()
    user = member(role, mission, languages=["en"])

    with pytest.raises(PermissionDenied) as refusal, translation.override("en"):
        getattr(workflow, transition)(mission, by=user)

    assert str(refusal.value) == message
    assert Mission.objects.get().status == status


def test_transitions_refuse_another_organisations_publisher(mission):
    publisher = StaffFactory(role=PUBLISHER, organisations=[PartnershipFactory().owner])
    with pytest.raises(PermissionDenied):
        workflow.publish(mission, by=publisher)
    assert Mission.objects.get().status == Status.DRAFT


@pytest.mark.parametrize(
    ("transition", "status", "message"),
    [
        (
            "submit_for_review",
            Status.IN_REVIEW,
            "Only a draft or an unpublished object can be submitted for review; the status of "
            "“Inspiration trip” is “In review”.",
        ),
        (
            "submit_for_review",
            Status.PUBLISHED,
            "Only a draft or an unpublished object can be submitted for review; the status of "
            "“Inspiration trip” is “Published”.",
        ),
        (
            "send_back",
            Status.DRAFT,
            "Only an object in review can be sent back; the status of “Inspiration trip” is "
            "“Draft”.",
        ),
        ("publish", Status.PUBLISHED, "“Inspiration trip” is already published."),
        ("unpublish", Status.DRAFT, "“Inspiration trip” is not published."),
        ("unpublish", Status.IN_REVIEW, "“Inspiration trip” is not published."),
    ],
)
def test_transitions_refuse_the_wrong_state(mission, transition, status, message):
    Mission.objects.filter(pk=mission.pk).update(status=status)
    mission.refresh_from_db()
    site_manager = StaffFactory(role=SITE_MANAGER)

    with pytest.raises(TransitionError) as refusal, translation.override("en"):
        getattr(workflow, transition)(mission, by=site_manager)

    assert str(refusal.value) == message
    assert Mission.objects.get().status == status


def test_publishing_keeps_an_earlier_publish_date(mission, clock):
    earlier = NOW - dt.timedelta(days=300)
    Mission.objects.filter(pk=mission.pk).update(status=Status.UNPUBLISHED, publish_at=earlier)
    mission.refresh_from_db()

    workflow.publish(mission, by=member(PUBLISHER, mission))

    assert Mission.objects.get().publish_at == earlier


def test_which_transitions_each_role_has(mission):
    roles = [EDITOR, PUBLISHER, TRANSLATOR]
    users = {role: member(role, mission, languages=["zh-hans"]) for role in roles}
    available = {}
    for status in Status.values:
        Mission.objects.filter(pk=mission.pk).update(status=status)
        mission.refresh_from_db()
        available[status] = {
            role: workflow.available_transitions(users[role], mission) for role in roles
        }

    assert available == {
        Status.DRAFT: {
            EDITOR: ["submit_for_review"],
            PUBLISHER: ["submit_for_review", "publish"],
            TRANSLATOR: [],
        },
        Status.IN_REVIEW: {
            EDITOR: [],
            PUBLISHER: ["send_back", "publish"],
            TRANSLATOR: [],
        },
        Status.PUBLISHED: {EDITOR: [], PUBLISHER: ["unpublish"], TRANSLATOR: []},
        Status.UNPUBLISHED: {
            EDITOR: ["submit_for_review"],
            PUBLISHER: ["submit_for_review", "publish"],
            TRANSLATOR: [],
        },
    }
    assert workflow.available_transitions(users[EDITOR], Mission) == ["submit_for_review"]


# Scheduled publication, at query time --------------------------------------------------------


def test_a_scheduled_mission_appears_and_disappears_without_a_job(mission, clock):
    start, end = NOW + dt.timedelta(days=1), NOW + dt.timedelta(days=8)

    workflow.publish(mission, by=member(PUBLISHER, mission), at=start, until=end)

    stored = Mission.objects.get()
    assert (stored.status, stored.publish_at, stored.unpublish_at) == (
        Status.PUBLISHED,
        start,
        end,
    )
    for moment, public in [
        (NOW, False),
        (start - dt.timedelta(seconds=1), False),
        (start, True),
        (end - dt.timedelta(seconds=1), True),
        (end, False),
        (end + dt.timedelta(days=365), False),
    ]:
        clock(moment)
        assert (list(Mission.objects.published()), stored.is_published) == (
            [mission] if public else [],
            public,
        ), moment


def test_an_outcome_is_hidden_once_its_partnership_is_taken_down(clock):
    outcome = OutcomeFactory()
    Partnership.objects.filter(pk=outcome.partnership_id).update(
        unpublish_at=NOW + dt.timedelta(hours=1)
    )

    assert list(Outcome.objects.published()) == [outcome]
    clock(NOW + dt.timedelta(hours=1))
    assert list(Outcome.objects.published()) == []
    assert list(Mission.objects.published()) == []


def test_the_public_page_follows_the_schedule(client, mission, clock):
    workflow.publish(mission, by=member(PUBLISHER, mission), until=NOW + dt.timedelta(days=1))
    url = f"/en/missions/{mission.slug}/"

    assert client.get(url).status_code == 200
    clock(NOW + dt.timedelta(days=1))
    assert client.get(url).status_code == 404


def test_publishing_clears_an_unpublish_date_that_has_passed(mission, clock):
    Mission.objects.filter(pk=mission.pk).update(unpublish_at=NOW - dt.timedelta(days=1))
    mission.refresh_from_db()

    workflow.publish(mission, by=member(PUBLISHER, mission))

    assert Mission.objects.get().unpublish_at is None


def test_publishing_refuses_an_end_before_the_start(mission, clock):
    with pytest.raises(TransitionError) as refusal, translation.override("en"):
        workflow.publish(
            mission,
            by=member(PUBLISHER, mission),
            at=NOW + dt.timedelta(days=2),
            until=NOW + dt.timedelta(days=1),
        )
    assert str(refusal.value) == (
        "The unpublish date of “Inspiration trip” must be after its publish date."
    )
    assert Mission.objects.get().status == Status.DRAFT


# The admin's buttons and actions --------------------------------------------------------------


def login(client, user):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def change_url(mission: Mission) -> str:
    return reverse("admin:programmes_mission_change", args=[mission.pk])


def press(client, mission: Mission, button: str, **changes):
    data = form_data(client.get(change_url(mission)).text, "mission_form") | changes
    return client.post(change_url(mission), {**data, button: "pressed"}, follow=True)


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_the_change_form_offers_the_transitions_of_the_role(client, mission):
    buttons = {}
    for role in (EDITOR, PUBLISHER):
        login(client, member(role, mission))
        page = client.get(change_url(mission)).text
        buttons[role] = [
            name
            for name in ("_submit_for_review", "_publish", "_unpublish", "_send_back")
            if f'name="{name}"' in page
        ]
    assert buttons == {
        EDITOR: ["_submit_for_review"],
        PUBLISHER: ["_submit_for_review", "_publish"],
    }


def test_an_editor_saves_and_submits_for_review(client, mission):
    login(client, member(EDITOR, mission))

    response = press(client, mission, "_submit_for_review", title_en="Inspiration trip to Dalian")

    stored = Mission.objects.get()
    assert (stored.status, stored.title_en) == (Status.IN_REVIEW, "Inspiration trip to Dalian")
    assert messages_of(response)[0] == (
        "“Inspiration trip to Dalian” is in review: a publisher can publish it."
    )


def test_a_publisher_schedules_in_the_form_and_publishes(client, mission, clock):
    login(client, member(PUBLISHER, mission))

    start = timezone.localtime(NOW + dt.timedelta(days=30))
    end = start + dt.timedelta(days=30)

    response = press(
        client,
        mission,
        "_publish",
        publish_at_0=start.strftime("%Y-%m-%d"),
        publish_at_1=start.strftime("%H:%M:%S"),
        unpublish_at_0=end.strftime("%Y-%m-%d"),
        unpublish_at_1=end.strftime("%H:%M:%S"),
    )

    stored = Mission.objects.get()
    assert (stored.status, stored.publish_at, stored.unpublish_at) == (
        Status.PUBLISHED,
        start,
        end,
    )
    assert messages_of(response)[0].startswith("“Inspiration trip” is scheduled: it will be public")
    assert list(Mission.objects.published()) == []


def test_editors_edit_drafts_in_review_and_unpublished_objects_not_published_ones(client, mission):
    login(client, member(EDITOR, mission))
    editable = {}
    for status in Status.values:
        Mission.objects.filter(pk=mission.pk).update(status=status)
        editable[status] = 'name="_save"' in client.get(change_url(mission)).text
    assert editable == {
        Status.DRAFT: True,
        Status.IN_REVIEW: True,
        Status.PUBLISHED: False,
        Status.UNPUBLISHED: True,
    }


def test_the_status_is_never_a_form_field(client, mission):
    login(client, StaffFactory(role=SITE_MANAGER))
    page = client.get(change_url(mission)).text
    assert 'name="status"' not in page
    assert 'name="publish_at_0"' in page


def run_action(client, action: str) -> list[str]:
    response = client.post(
        reverse("admin:programmes_mission_changelist"),
        {
            "action": action,
            "_selected_action": [str(mission.pk) for mission in Mission.objects.all()],
        },
        follow=True,
    )
    return messages_of(response)


def test_an_action_applies_to_the_objects_in_its_starting_state(client):
    partnership = PartnershipFactory()
    MissionFactory(partnership=partnership, status=Status.DRAFT)
    MissionFactory(partnership=partnership, status=Status.IN_REVIEW)
    login(client, StaffFactory(role=PUBLISHER, organisations=[partnership.owner]))

    assert run_action(client, "send_back_selected") == ["Sent 1 mission back to draft."]
    assert set(Mission.objects.values_list("status", flat=True)) == {Status.DRAFT}
    assert run_action(client, "submit_for_review_selected") == ["Submitted 2 missions for review."]


def test_an_action_reports_each_refusal(client, clock):
    partnership = PartnershipFactory()
    MissionFactory(partnership=partnership, status=Status.DRAFT, title_en="Ready")
    MissionFactory(
        partnership=partnership,
        status=Status.DRAFT,
        title_en="Muddled",
        publish_at=NOW + dt.timedelta(days=2),
        unpublish_at=NOW + dt.timedelta(days=1),
    )
    login(client, StaffFactory(role=PUBLISHER, organisations=[partnership.owner]))

    assert run_action(client, "publish_selected") == [
        "The unpublish date of “Muddled” must be after its publish date.",
        "Published 1 mission.",
    ]
    assert dict(Mission.objects.values_list("title_en", "status")) == {
        "Ready": Status.PUBLISHED,
        "Muddled": Status.DRAFT,
    }


def test_actions_need_the_publish_permission(client, mission):
    login(client, member(EDITOR, mission))
    changelist = client.get(reverse("admin:programmes_mission_changelist")).text
    assert [name for name in workflow.TRANSITIONS if f"{name}_selected" in changelist] == [
        "submit_for_review"
    ]
