"""Webhooks: signed events to partner endpoints, sent in the background, with retries.

The partner is a real HTTP server on 127.0.0.1 in a thread; the worker is played by running
what the task backend (the dummy one, which only records) was given.
"""

import contextlib
import io
import json
import re
import socketserver
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from uuid import uuid4

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.tasks import default_task_backend
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from programmes.domain import permissions, services
from programmes.domain.signals import content_event
from programmes.models import Mission, Status
from tests.factories import (
    MissionFactory,
    OrganisationFactory,
    PartnershipFactory,
    ProgrammeItemFactory,
    RegionFactory,
    StaffFactory,
)
from webhooks import network, signing
from webhooks import services as webhook_services
from webhooks.checks import check_site_url
from webhooks.models import Delivery, Endpoint
from webhooks.outbox import on_content_event
from webhooks.tasks import deliver

SITE = "https://twinning.example.org"
DUMMY = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
DOCS = Path(__file__).resolve().parent.parent / "docs" / "webhooks.md"


# The partner ---------------------------------------------------------------------------------


class LocalServer:
    """A server on 127.0.0.1, in a thread of its own, that events are sent to."""

    def serve(self, server_class, handler):
        self.server = server_class(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/twinning"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


class Partner(LocalServer):
    """An HTTP server that records each request and answers with ``statuses`` in turn."""

    def __init__(self):
        self.requests = []
        self.statuses = [200]
        self.delay = 0.0
        partner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                partner.requests.append({"path": self.path, "headers": self.headers, "body": body})
                time.sleep(partner.delay)
                status = (
                    partner.statuses.pop(0) if len(partner.statuses) > 1 else partner.statuses[0]
                )
                self.send_response(status)
                if status in (301, 302):
                    self.send_header("Location", "/elsewhere")
                answer = b"x" * 5000 if status >= 500 else b"ok"
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(answer)  # unless the site gave up waiting

            def log_message(self, format, *args):
                pass

        self.serve(ThreadingHTTPServer, Handler)


@pytest.fixture
def partner():
    partner = Partner()
    yield partner
    partner.stop()


class TricklingPartner(LocalServer):
    """A server on 127.0.0.1 that answers 200, one byte every 0.2 s: each read gets a byte
    well within the timeout, and the whole answer (40 bytes) takes 8 s."""

    ANSWER = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
    INTERVAL = 0.2

    def __init__(self):
        trickling = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self):
                self.request.recv(65536)
                for byte in trickling.ANSWER:
                    time.sleep(trickling.INTERVAL)
                    try:
                        self.request.sendall(bytes([byte]))
                    except OSError:  # the site hung up
                        return

        self.serve(socketserver.ThreadingTCPServer, Handler)


@pytest.fixture
def trickling_partner():
    partner = TricklingPartner()
    yield partner
    partner.stop()


@pytest.fixture
def webhook_settings(db, settings):
    settings.SITE_URL = SITE
    settings.TASKS = DUMMY
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = True  # the partner is on 127.0.0.1
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_TIMEOUT = 2
    return settings


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run the test's writes as if each committed: the commit callbacks are executed."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


class Worker:
    """Plays ``manage.py db_worker``: runs what was queued, those that are due first."""

    def __init__(self, commit):
        self.commit = commit

    @property
    def queued(self):
        return default_task_backend.results

    def deferred(self):
        return [result for result in self.queued if result.task.run_after is not None]

    def run(self, *, include_deferred=False):
        ran = 0
        while True:
            due = [
                result
                for result in self.queued
                if include_deferred or result.task.run_after is None
            ]
            if not due:
                return ran
            for result in due:
                self.queued.remove(result)
                with self.commit():
                    result.task.call(*result.args, **result.kwargs)
                ran += 1

    def run_once(self):
        """Run what is queued now, deferred or not (as if its time had come), and no more."""
        for result in list(self.queued):
            self.queued.remove(result)
            with self.commit():
                result.task.call(*result.args, **result.kwargs)


@pytest.fixture
def worker(webhook_settings, commit):
    default_task_backend.clear()
    yield Worker(commit)
    default_task_backend.clear()


@pytest.fixture
def endpoint(db, partner, webhook_settings):
    return Endpoint.objects.create(url=partner.url, all_partnerships=True, description="Hangzhou")


def draft_mission(**kwargs):
    return MissionFactory(status=Status.DRAFT, publish_at=None, **kwargs)


def sent_events():
    return [
        (delivery.event_type, delivery.payload["object"]["uuid"])
        for delivery in Delivery.objects.order_by("pk")
    ]


def documented_verify():
    """The partner's recipe, taken from docs/webhooks.md as a partner would copy it."""
    code = re.search(r"```python\n(.*?)```", DOCS.read_text(), re.DOTALL).group(1)
    namespace = {}
    exec(compile(code, str(DOCS), "exec"), namespace)
    return namespace["verify_twinning_event"]


# Signatures ----------------------------------------------------------------------------------


def test_a_published_mission_reaches_the_partner_signed_as_documented(
    endpoint, partner, worker, commit
):
    mission = draft_mission(slug="trade-mission-hangzhou")
    with commit():
        services.publish([mission])
    assert worker.run() == 2  # the fan-out, then the delivery

    (request,) = partner.requests
    body, headers = request["body"], request["headers"]
    event = documented_verify()(body, headers["X-Twinning-Signature"], endpoint.secret)
    assert signing.verify(body, headers["X-Twinning-Signature"], endpoint.secret)
    assert request["path"] == "/hooks/twinning"
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    assert headers["X-Twinning-Event"] == "mission.published"
    assert headers["X-Twinning-Event-Id"] == event["id"]
    assert event["type"] == "mission.published"
    assert event["occurred_at"].endswith("Z")
    assert event["object"] == {
        "type": "mission",
        "uuid": str(mission.uuid),
        "api_url": f"{SITE}/api/v1/missions/{mission.uuid}",
        "urls": {
            "nl": f"{SITE}/nl/missions/trade-mission-hangzhou/",
            "en": f"{SITE}/en/missions/trade-mission-hangzhou/",
            "zh-hans": f"{SITE}/zh-hans/missions/trade-mission-hangzhou/",
        },
    }
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.last_status_code) == ("succeeded", 1, 200)


def test_a_tampered_body_a_wrong_secret_or_an_old_timestamp_is_refused(endpoint):
    body = json.dumps({"id": "1", "type": "mission.changed"}).encode()
    now = int(time.time())
    header = signing.signature_header(body, [endpoint.secret], now)
    verify = documented_verify()

    assert signing.verify(body, header, endpoint.secret) == now
    assert verify(body, header, endpoint.secret)["type"] == "mission.changed"
    for bad_body, bad_header, secret in [
        (body.replace(b"changed", b"deleted"), header, endpoint.secret),
        (body, header, "whsec_not-the-secret"),
        (body, signing.signature_header(body, [endpoint.secret], now - 301), endpoint.secret),
        (body, signing.signature_header(body, [endpoint.secret], now + 301), endpoint.secret),
        (body, header.split(",")[1], endpoint.secret),  # no timestamp
    ]:
        with pytest.raises(signing.SignatureError):
            signing.verify(bad_body, bad_header, secret)
        with pytest.raises(ValueError):
            verify(bad_body, bad_header, secret)


def test_after_rotation_both_secrets_verify_for_a_day(endpoint, partner, worker, commit):
    old_secret = endpoint.secret
    webhook_services.rotate_secret(endpoint)
    with commit():
        webhook_services.send_test_event(endpoint)
    worker.run()

    (request,) = partner.requests
    header = request["headers"]["X-Twinning-Signature"]
    assert header.count("v1=") == 2
    assert endpoint.secret != old_secret
    for secret in (endpoint.secret, old_secret):
        assert signing.verify(request["body"], header, secret)
    assert json.loads(request["body"])["type"] == "webhook.test"

    endpoint.previous_secret_expires_at = timezone.now() - timedelta(seconds=1)
    endpoint.save()
    with commit():
        webhook_services.send_test_event(endpoint)
    worker.run()
    header = partner.requests[1]["headers"]["X-Twinning-Signature"]
    assert header.count("v1=") == 1
    with pytest.raises(signing.SignatureError):
        signing.verify(partner.requests[1]["body"], header, old_secret)


# Which writes are events ---------------------------------------------------------------------


def test_publish_change_unpublish_and_delete_of_a_mission_are_events(endpoint, worker, commit):
    mission = draft_mission()
    uuid = str(mission.uuid)
    with commit():
        services.publish([mission])
    with commit():
        mission.title_en = "Trade mission to Hangzhou"
        services.save_content(mission)
    with commit():
        services.save_content(ProgrammeItemFactory.build(mission=mission, city=RegionFactory()))
    with commit():
        services.unpublish([mission])
    with commit():
        mission.title_en = "Not public: no event"
        services.save_content(mission)
    with commit():
        services.publish([mission])
    with commit():
        services.delete_content(mission)

    assert sent_events() == [
        ("mission.published", uuid),
        ("mission.changed", uuid),
        ("mission.changed", uuid),
        ("mission.unpublished", uuid),
        ("mission.published", uuid),
        ("mission.deleted", uuid),
    ]
    removal = Delivery.objects.get(event_type="mission.deleted").payload["object"]
    assert removal["urls"] == {}
    assert removal["api_url"] == f"{SITE}/api/v1/missions/{uuid}"
    worker.run()
    assert set(Delivery.objects.values_list("state", flat=True)) == {"succeeded"}


def test_one_save_of_a_mission_and_its_items_is_one_event(endpoint, commit):
    mission = draft_mission()
    with commit():
        services.publish([mission])
    with commit(), transaction.atomic():  # what the admin does for a form with inlines
        mission.summary_en = "New summary"
        services.save_content(mission)
        for _ in range(3):
            services.save_content(ProgrammeItemFactory.build(mission=mission, city=RegionFactory()))
    assert [event for event, _ in sent_events()] == ["mission.published", "mission.changed"]


def test_a_draft_is_never_an_event(endpoint, worker, commit):
    partnership = PartnershipFactory()
    with commit():
        mission = services.save_content(
            MissionFactory.build(partnership=partnership, status=Status.DRAFT, publish_at=None)
        )
    with commit():
        mission.title_en = "Still a draft"
        services.save_content(mission)
    with commit():
        services.save_content(ProgrammeItemFactory.build(mission=mission, city=RegionFactory()))
    with commit():
        services.delete_content(mission)
    with commit():  # scheduled: published, but not yet public
        services.publish([draft_mission()], at=timezone.now() + timedelta(days=3))

    assert sent_events() == []
    assert worker.queued == []


def test_a_mission_of_an_unpublished_partnership_is_not_an_event(endpoint, commit):
    mission = draft_mission(partnership=PartnershipFactory(status=Status.DRAFT))
    with commit():
        services.publish([mission])
    assert sent_events() == []


def test_unpublishing_a_partnership_takes_its_missions_and_outcomes_along(endpoint, commit):
    partnership = PartnershipFactory(status=Status.DRAFT, publish_at=None)
    mission = draft_mission(partnership=partnership)
    with commit():
        services.publish([partnership, mission])
    with commit():
        services.unpublish([partnership])
    assert sorted(sent_events()) == sorted(
        [
            ("partnership.published", str(partnership.uuid)),
            ("mission.published", str(mission.uuid)),
            ("partnership.unpublished", str(partnership.uuid)),
            ("mission.unpublished", str(mission.uuid)),
        ]
    )


def test_an_endpoint_hears_only_of_its_partnerships_and_of_shared_data(
    partner, webhook_settings, commit
):
    followed, other = PartnershipFactory(), PartnershipFactory()
    endpoint = Endpoint.objects.create(url=partner.url)
    endpoint.partnerships.set([followed])
    inactive = Endpoint.objects.create(url=partner.url, all_partnerships=True, active=False)
    missions = [draft_mission(partnership=followed), draft_mission(partnership=other)]
    region = RegionFactory(status=Status.DRAFT, publish_at=None)
    organisation = OrganisationFactory(status=Status.DRAFT, publish_at=None)
    with commit():
        services.publish([*missions, region, organisation])

    assert sorted(Delivery.objects.values_list("endpoint_id", "event_type")) == [
        (endpoint.pk, "mission.published"),
        (endpoint.pk, "organisation.published"),
        (endpoint.pk, "region.published"),
    ]
    assert not inactive.deliveries.exists()


def test_catch_up_sends_what_publish_and_unpublish_dates_did_without_a_write(endpoint, commit):
    mission = draft_mission()
    with commit():
        services.publish([mission], at=timezone.now() + timedelta(hours=1))
    assert sent_events() == []

    Mission.objects.filter(pk=mission.pk).update(publish_at=timezone.now() - timedelta(minutes=1))
    with commit():
        call_command("webhooks_catch_up", stdout=io.StringIO())
    Mission.objects.filter(pk=mission.pk).update(unpublish_at=timezone.now())
    with commit():
        call_command("webhooks_catch_up", stdout=io.StringIO())
    with commit():
        call_command("webhooks_catch_up", stdout=io.StringIO())  # nothing new

    # (The factory's partnership and regions were public already: their "published" too.)
    missions = [event for event in sent_events() if event[0].startswith("mission.")]
    uuid = str(mission.uuid)
    assert missions == [("mission.published", uuid), ("mission.unpublished", uuid)]


def test_catch_up_records_what_was_public_before_webhooks_were_installed(endpoint, commit):
    mission = MissionFactory()  # public, but never through the services: partners unaware
    with commit():
        call_command("webhooks_catch_up", stdout=io.StringIO())
    with commit():
        services.unpublish([mission])
    events = [event for event, _ in sent_events() if event.startswith("mission.")]
    assert events == ["mission.published", "mission.unpublished"]


def test_catch_up_deletes_finished_deliveries_after_the_keep_days(endpoint, commit):
    old, recent, waiting = (
        Delivery.objects.create(
            endpoint=endpoint, event_id=uuid4(), event_type="webhook.test", payload={}, state=state
        )
        for state in ("succeeded", "succeeded", "retrying")
    )
    Delivery.objects.filter(pk__in=[old.pk, waiting.pk]).update(
        created_at=timezone.now() - timedelta(days=31)
    )
    out = io.StringIO()
    with commit():
        call_command("webhooks_catch_up", stdout=out)
    assert set(Delivery.objects.values_list("pk", flat=True)) == {recent.pk, waiting.pk}
    assert "1 old deliveries deleted" in out.getvalue()


def test_catch_up_queues_again_a_delivery_whose_task_was_lost(endpoint, partner, worker, commit):
    lost, on_time = (
        Delivery.objects.create(
            endpoint=endpoint, event_id=uuid4(), event_type="webhook.test", payload={}
        )
        for _ in range(2)
    )
    Delivery.objects.filter(pk=lost.pk).update(created_at=timezone.now() - timedelta(hours=2))
    with commit():
        call_command("webhooks_catch_up", stdout=io.StringIO())
    worker.run()
    lost.refresh_from_db()
    on_time.refresh_from_db()
    assert (lost.state, lost.attempts) == ("succeeded", 1)
    assert (on_time.state, on_time.attempts) == ("pending", 0)  # its task may still come
    assert len(partner.requests) == 1


# Failures ------------------------------------------------------------------------------------


def test_a_failing_partner_gets_retries_with_back_off_then_succeeds(
    endpoint, partner, worker, commit
):
    partner.statuses = [500, 503, 200]
    mission = draft_mission()
    with commit():
        services.publish([mission])
    worker.run()

    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.last_status_code) == ("retrying", 1, 500)
    assert delivery.last_error == "HTTP 500 (expected a 2xx answer)"
    first = delivery.attempt_log.get()
    assert first.response_body == "x" * 1000 + "…"  # truncated
    assert (
        timedelta(seconds=59)
        < delivery.next_attempt_at - first.attempted_at
        <= timedelta(seconds=60)
    )
    (retry,) = worker.deferred()
    assert retry.task.run_after == delivery.next_attempt_at
    assert retry.args == [delivery.pk, 2]

    worker.run(include_deferred=True)  # a minute later: 503, then five minutes later: 200
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.next_attempt_at) == ("succeeded", 3, None)
    assert list(delivery.attempt_log.values_list("number", "status_code")) == [
        (1, 500),
        (2, 503),
        (3, 200),
    ]
    assert len(partner.requests) == 3
    # Every attempt is the same event, signed anew.
    assert len({request["body"] for request in partner.requests}) == 1


def test_retries_follow_the_schedule_and_then_give_up(endpoint, partner, worker, commit):
    partner.statuses = [500]
    with commit():
        webhook_services.send_test_event(endpoint)
    delays = []
    worker.run()
    while worker.deferred():
        delivery = Delivery.objects.get()
        delays.append(round((delivery.next_attempt_at - timezone.now()).total_seconds() / 60))
        worker.run_once()
    delivery = Delivery.objects.get()
    assert delays == [1, 5, 30, 120, 720]
    assert (delivery.state, delivery.attempts, delivery.next_attempt_at) == ("failed", 6, None)
    assert len(partner.requests) == 6


def test_a_timeout_schedules_a_retry(endpoint, partner, worker, commit, settings):
    settings.WEBHOOK_TIMEOUT = 0.3
    partner.delay = 1
    with commit():
        services.publish([draft_mission()])
    worker.run()
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.last_status_code) == ("retrying", None)
    assert delivery.last_error == "timed out after 0.3 s"
    assert delivery.attempt_log.get().duration_ms < 1000


def test_a_partner_that_answers_a_byte_at_a_time_is_given_up_after_three_timeouts(
    trickling_partner, worker, commit, settings
):
    settings.WEBHOOK_TIMEOUT = 0.5  # each byte comes within it; the answer within 1.5 s not
    Endpoint.objects.create(url=trickling_partner.url, all_partnerships=True)
    with commit():
        services.publish([draft_mission()])
    started = time.monotonic()
    worker.run()
    took = time.monotonic() - started
    delivery = Delivery.objects.get()
    attempt = delivery.attempt_log.get()
    assert (delivery.state, delivery.attempts, delivery.last_status_code) == ("retrying", 1, None)
    assert delivery.last_error == attempt.error == "timed out after 1.5 s"
    assert (attempt.status_code, attempt.response_body) == (None, "")
    assert 1500 <= attempt.duration_ms < 1800
    assert took < 2.5
    assert round((delivery.next_attempt_at - timezone.now()).total_seconds() / 60) == 1
    assert [result.args for result in worker.deferred()] == [[delivery.pk, 2]]


def test_a_redirect_is_a_failure_and_is_not_followed(endpoint, partner, worker, commit):
    partner.statuses = [302]
    with commit():
        services.publish([draft_mission()])
    worker.run()
    assert len(partner.requests) == 1
    assert Delivery.objects.get().last_error == "HTTP 302 (expected a 2xx answer)"


def test_an_unreachable_partner_with_the_database_backend_never_blocks_a_save(
    transactional_db, partner, webhook_settings, commit, settings
):
    """The production set-up: django-tasks-db stores the task; `db_worker` sends it later.

    Real commits (``transactional_db``): the worker manages its own connection.
    """
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.WEBHOOK_TIMEOUT = 1.5
    partner.delay = 3
    Endpoint.objects.create(url=partner.url, all_partnerships=True)
    mission = draft_mission()
    reverse("programmes:home")  # load the URL configuration before the clock starts
    started = time.monotonic()
    with commit():
        services.publish([mission])
    # Sending in the save would take the whole timeout (1.5 s); queueing takes milliseconds.
    assert time.monotonic() - started < 0.5

    from django_tasks_db.models import DBTaskResult

    assert list(DBTaskResult.objects.values_list("task_path", flat=True)) == [
        "webhooks.tasks.fan_out"
    ]
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.last_error) == ("retrying", "timed out after 1.5 s")
    retry = DBTaskResult.objects.get(task_path="webhooks.tasks.deliver", status="READY")
    assert retry.run_after == delivery.next_attempt_at


@pytest.mark.parametrize("endpoints", [1, 10])
def test_a_save_costs_the_same_queries_however_many_endpoints(
    partner, webhook_settings, commit, endpoints
):
    for _ in range(endpoints):
        Endpoint.objects.create(url=partner.url, all_partnerships=True)
    mission = draft_mission()
    with commit():
        services.publish([mission])

    def queries_of_a_save(title):
        mission.title_en = title
        with CaptureQueriesContext(connection) as queries, commit():
            services.save_content(mission, validate=False)
        return len(queries)

    content_event.disconnect(dispatch_uid="webhooks")
    try:
        without_webhooks = queries_of_a_save("Changed without webhooks")
    finally:
        content_event.connect(on_content_event, dispatch_uid="webhooks")
    with_webhooks = queries_of_a_save("Changed")

    # 3 to compare with what partners were told (the mission, its outcomes, PublicCopy) and,
    # on commit, 2 to store the deliveries (the endpoints, one insert); the dummy task
    # backend queues without a query, the database backend with one insert.
    assert with_webhooks - without_webhooks == 5
    assert Delivery.objects.filter(event_type="mission.changed").count() == endpoints


# Where events may go (more in test_webhook_addresses.py) -------------------------------------


def test_a_local_host_name_is_not_contacted(partner, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = False
    settings.WEBHOOK_ALLOW_HTTP = True
    url = partner.url.replace("127.0.0.1", "LocalHost.")
    response = network.post(url, b"{}", {}, timeout=1)
    assert (response.status_code, response.error) == (
        None,
        "BlockedAddressError: localhost is a local name",
    )
    assert partner.requests == []


def test_a_missing_site_url_is_a_warning(settings):
    settings.SITE_URL = ""
    (warning,) = check_site_url()
    assert warning.id == "webhooks.W001"
    settings.SITE_URL = SITE
    assert check_site_url() == []


# The admin -----------------------------------------------------------------------------------


@pytest.fixture
def site_manager(db):
    return StaffFactory(role=permissions.SITE_MANAGER)


@pytest.mark.parametrize("role", [permissions.EDITOR, permissions.PUBLISHER, None])
def test_only_site_managers_see_endpoints_and_deliveries(client, endpoint, role):
    organisation = OrganisationFactory()
    staff = StaffFactory(role=role, organisations=[organisation])
    client.force_login(staff)
    for name in ["webhooks_endpoint_changelist", "webhooks_delivery_changelist"]:
        assert client.get(reverse(f"admin:{name}")).status_code == 403
    change = reverse("admin:webhooks_endpoint_change", args=[endpoint.pk])
    assert client.get(change).status_code == 403
    assert endpoint.secret not in client.get(reverse("admin:index")).text


def test_a_user_with_every_webhook_permission_but_no_role_sees_nothing(client, endpoint):
    staff = StaffFactory(
        permissions=["webhooks.view_endpoint", "webhooks.change_endpoint", "webhooks.view_delivery"]
    )
    client.force_login(staff)
    assert client.get(reverse("admin:webhooks_endpoint_changelist")).status_code == 403


def test_a_site_manager_registers_an_endpoint_and_copies_its_secret(client, site_manager, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = False
    partnership = PartnershipFactory()
    client.force_login(site_manager)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the strings below are English
    refused = client.post(
        reverse("admin:webhooks_endpoint_add"),
        {"url": "https://10.0.0.8/hooks", "description": "", "active": "on"},
    )
    assert "Events cannot be sent to a private or local address." in refused.text
    following_nothing = client.post(
        reverse("admin:webhooks_endpoint_add"),
        {"url": "https://93.184.215.14/hooks", "description": "", "active": "on"},
    )
    assert (
        "Choose the partnerships this partner follows, or tick “All partnerships”."
        in following_nothing.text
    )
    assert not Endpoint.objects.exists()
    response = client.post(
        reverse("admin:webhooks_endpoint_add"),
        {
            "url": "https://93.184.215.14/hooks",
            "description": "Hangzhou municipal site",
            "active": "on",
            "partnerships": [partnership.pk],
        },
    )
    endpoint = Endpoint.objects.get()
    assert response["Location"] == reverse("admin:webhooks_endpoint_change", args=[endpoint.pk])
    assert list(endpoint.partnerships.all()) == [partnership]
    assert endpoint.secret.startswith("whsec_") and len(endpoint.secret) > 40
    page = client.get(reverse("admin:webhooks_endpoint_change", args=[endpoint.pk])).text
    assert f"<code>{endpoint.secret}</code>" in page
    listing = client.get(reverse("admin:webhooks_endpoint_changelist")).text
    assert "Hangzhou municipal site" in listing


def test_the_admin_sends_a_test_event_and_retries_a_failed_delivery(
    client, site_manager, endpoint, partner, worker, commit
):
    partner.statuses = [500, 200]
    client.force_login(site_manager)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the strings below are English
    with commit():
        client.post(
            reverse("admin:webhooks_endpoint_changelist"),
            {"action": "send_test_event", "_selected_action": [endpoint.pk]},
        )
    worker.run()
    delivery = Delivery.objects.get()
    assert (delivery.event_type, delivery.state) == ("webhook.test", "retrying")

    failures = client.get(reverse("admin:webhooks_endpoint_change", args=[endpoint.pk])).text
    assert "HTTP 500 (expected a 2xx answer)" in failures
    log = client.get(reverse("admin:webhooks_delivery_changelist")).text
    assert "webhook.test" in log and "Waiting to retry" in log

    default_task_backend.clear()  # the scheduled retry: "Retry now" makes it stale anyway
    with commit():
        client.post(
            reverse("admin:webhooks_delivery_changelist"),
            {"action": "retry_now", "_selected_action": [delivery.pk]},
        )
    worker.run()
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("succeeded", 2)
    detail = client.get(reverse("admin:webhooks_delivery_change", args=[delivery.pk])).text
    assert detail.count('<td class="field-status_code">') == 2
    assert "&quot;type&quot;: &quot;webhook.test&quot;" in detail  # the payload, readable


def test_a_stale_retry_is_not_sent_twice(endpoint, partner, worker, commit):
    partner.statuses = [500, 200]
    with commit():
        delivery = webhook_services.send_test_event(endpoint)
    worker.run()
    deliver.call(delivery.pk, 2)
    deliver.call(delivery.pk, 2)  # the deferred retry, after "Retry now" already made it
    assert len(partner.requests) == 2
