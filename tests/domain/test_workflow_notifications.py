"""E-mail about the workflow, through a real SMTP server on loopback (``smtp_server``).

A submission reaches the organisation's publishers, a publication or a send-back the author
(with the comment), each in their own language; nothing is sent before the step commits, and
a mail server that is down breaks nothing.
"""

import datetime as dt
import logging

import pytest
from django.contrib.auth.models import Group
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django_tasks_db.models import DBTaskResult

from programmes.domain import notifications, services, workflow
from programmes.domain.permissions import EDITOR, PUBLISHER, SITE_MANAGER
from programmes.models import Membership, Mission, StaffLanguage, Status

from ..factories import MissionFactory, OrganisationFactory, StaffFactory

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def tasks_now(settings):
    """The mail task runs when it is enqueued (on commit), as a worker would run it."""
    settings.TASKS = IMMEDIATE
    settings.SITE_URL = "https://twinning.example.org"


@pytest.fixture
def mission():
    return MissionFactory(
        status=Status.DRAFT,
        publish_at=None,
        title_nl="Inspiratiereis Dalian",
        title_en="Inspiration trip Dalian",
        title_zh_hans="大连考察",
    )


def staff(role: str, mission: Mission, name: str, language: str | None = None):
    person = StaffFactory(
        role=role,
        organisations=[mission.partnership.owner],
        username=name,
        first_name=name.capitalize(),
    )
    if language:
        StaffLanguage.remember(person, language)
    return person


def submit(mission, editor, capture):
    with capture(execute=True):
        workflow.submit_for_review(mission, by=editor)


def test_a_submission_is_mailed_to_the_organisations_publishers_in_their_language(
    mission, smtp_server, tasks_now, django_capture_on_commit_callbacks
):
    editor = staff(EDITOR, mission, "eva")
    piet = staff(PUBLISHER, mission, "piet")  # no language stored: Dutch
    li = staff(PUBLISHER, mission, "li", "zh-hans")
    staff(PUBLISHER, MissionFactory(), "other")  # another organisation's publisher
    StaffFactory(role=SITE_MANAGER, username="manager")

    submit(mission, editor, django_capture_on_commit_callbacks)

    assert sorted(r for m in smtp_server.messages for r in m.recipients) == [
        li.email,
        piet.email,
    ]
    url = f"https://twinning.example.org/admin/programmes/mission/{mission.pk}/change/"
    (dutch,) = smtp_server.to(piet.email)
    with translation.override("nl"):
        subject = translation.gettext("Waiting for your review: %(object)s")
    assert dutch.subject == subject % {"object": "Inspiratiereis Dalian"}
    assert "Inspiratiereis Dalian" in dutch.body
    assert "Eva" in dutch.body
    assert dutch.links() == [url]
    assert dutch.message["Auto-Submitted"] == "auto-generated"
    (chinese,) = smtp_server.to(li.email)
    assert "大连考察" in chinese.subject
    assert "大连考察" in chinese.body
    assert chinese.links() == [url]


def test_a_send_back_is_mailed_to_the_author_with_the_comment(
    mission, smtp_server, tasks_now, django_capture_on_commit_callbacks
):
    editor = staff(EDITOR, mission, "eva", "en")
    publisher = staff(PUBLISHER, mission, "piet")
    submit(mission, editor, django_capture_on_commit_callbacks)
    smtp_server.clear()

    with django_capture_on_commit_callbacks(execute=True):
        workflow.send_back(mission, by=publisher, comment="De data van het programma kloppen niet.")

    (mail,) = smtp_server.messages
    assert mail.recipients == [editor.email]
    assert mail.subject == "Sent back to you: Inspiration trip Dalian"
    assert "Piet has sent the mission “Inspiration trip Dalian” back to draft." in mail.body
    assert "De data van het programma kloppen niet." in mail.body


def test_an_author_who_has_left_the_organisation_is_not_mailed_its_content(
    mission, smtp_server, tasks_now, django_capture_on_commit_callbacks
):
    """The author is found in the audit log, which outlives memberships: someone who has
    moved to another organisation (still active staff) must not get its titles, comments
    and links any more."""
    editor = staff(EDITOR, mission, "eva", "en")
    publisher = staff(PUBLISHER, mission, "piet")
    submit(mission, editor, django_capture_on_commit_callbacks)
    editor.memberships.all().delete()
    Membership.objects.create(user=editor, organisation=OrganisationFactory())
    smtp_server.clear()

    with django_capture_on_commit_callbacks(execute=True):
        workflow.send_back(mission, by=publisher, comment="Interne opmerking over de begroting.")

    assert smtp_server.messages == []


def test_a_publication_is_mailed_to_the_author_but_nobody_hears_of_their_own_step(
    mission, smtp_server, tasks_now, django_capture_on_commit_callbacks
):
    editor = staff(EDITOR, mission, "eva", "en")
    publisher = staff(PUBLISHER, mission, "piet")
    submit(mission, editor, django_capture_on_commit_callbacks)
    smtp_server.clear()

    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(mission, by=publisher)

    (mail,) = smtp_server.messages
    assert (mail.recipients, mail.subject) == ([editor.email], "Published: Inspiration trip Dalian")
    assert "Piet has published the mission “Inspiration trip Dalian”." in mail.body

    # A publisher who submits and publishes their own work is told nothing.
    smtp_server.clear()
    other = MissionFactory(status=Status.DRAFT, partnership=mission.partnership)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit_for_review(other, by=publisher)
        workflow.publish(other, by=publisher)
    assert [m.recipients for m in smtp_server.messages] == []


def test_nothing_is_sent_for_a_step_that_is_rolled_back(
    mission, smtp_server, tasks_now, django_capture_on_commit_callbacks
):
    editor = staff(EDITOR, mission, "eva")
    staff(PUBLISHER, mission, "piet")

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        workflow.submit_for_review(mission, by=editor)
        transaction.set_rollback(True)

    assert smtp_server.messages == []


def test_a_mail_server_that_is_down_breaks_no_step(
    mission, settings, tasks_now, caplog, django_capture_on_commit_callbacks
):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 2},  # nothing listens
        }
    }
    editor = staff(EDITOR, mission, "eva")
    publisher = staff(PUBLISHER, mission, "piet")

    with caplog.at_level(logging.ERROR, logger=notifications.__name__):
        submit(mission, editor, django_capture_on_commit_callbacks)

    assert Mission.objects.get().status == Status.IN_REVIEW
    (record,) = caplog.records
    assert record.getMessage() == (
        f"Could not send the submitted e-mail about mission {mission.pk} to user {publisher.pk}"
    )
    assert publisher.email not in record.getMessage()


def test_in_the_background_by_default(mission, smtp_server, django_capture_on_commit_callbacks):
    """With the database task backend (production's), the step only queues the mail: the
    worker sends it, so a slow server never holds up a save."""
    editor = staff(EDITOR, mission, "eva")
    staff(PUBLISHER, mission, "piet")

    submit(mission, editor, django_capture_on_commit_callbacks)

    assert smtp_server.messages == []
    (queued,) = DBTaskResult.objects.all()
    assert queued.task_path == "programmes.domain.notifications.send_workflow_mail"


def test_the_language_switch_stores_a_staff_members_language(mission):
    client = Client()
    person = staff(EDITOR, mission, "eva")
    client.force_login(person)

    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/admin/"})
    assert notifications.language_of(person) == "zh-hans"
    client.post(reverse("set_language"), {"language": "en", "next": "/admin/"})
    assert notifications.language_of(person) == "en"
    assert StaffLanguage.objects.count() == 1
    # A visitor's choice is theirs alone: nothing is stored.
    Client().post(reverse("set_language"), {"language": "en", "next": "/"})
    assert StaffLanguage.objects.count() == 1


def test_publishers_are_those_of_the_owning_organisation_with_an_address(mission):
    piet = staff(PUBLISHER, mission, "piet")
    staff(EDITOR, mission, "eva")
    no_address = staff(PUBLISHER, mission, "anon")
    no_address.email = ""
    no_address.save()
    inactive = staff(PUBLISHER, mission, "gone")
    inactive.is_active = False
    inactive.save()
    elsewhere = StaffFactory(role=PUBLISHER, organisations=[OrganisationFactory()])
    assert Group.objects.get(name=PUBLISHER).user_set.count() == 4
    assert list(notifications.publishers_of(mission)) == [piet]
    assert elsewhere not in notifications.publishers_of(mission)


def test_a_scheduled_publication_says_from_when_and_reaches_the_creator_if_never_submitted(
    mission, smtp_server, tasks_now, django_capture_on_commit_callbacks
):
    editor = staff(EDITOR, mission, "eva", "en")
    publisher = staff(PUBLISHER, mission, "piet")
    draft = MissionFactory.build(
        status=Status.DRAFT, partnership=mission.partnership, title_en="Business days"
    )
    services.save_content(draft, user=editor)  # she created it; nobody submitted it
    moment = timezone.now() + dt.timedelta(days=3)

    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(draft, by=publisher, at=moment)

    (mail,) = smtp_server.messages
    assert (mail.recipients, mail.subject) == (
        [editor.email],
        "Scheduled for publication: Business days",
    )
    with translation.override("en"):
        when = date_format(localtime(moment), "DATETIME_FORMAT")
    assert f"it will be public from {when}." in " ".join(mail.body.split())
