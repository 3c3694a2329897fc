"""Sending events in the background (Django's tasks framework), with retries.

``fan_out`` turns a committed transaction's events into one ``deliver`` task per delivery,
so a slow partner holds up only its own deliveries. ``deliver`` makes one attempt; when the
partner does not answer with a 2xx in time, it schedules the next attempt after
``WEBHOOK_RETRY_DELAYS`` (1 min, 5 min, 30 min, 2 h, 12 h) and then gives up. Each task
says which attempt it is, so an attempt already made (by "Retry now" in the admin, or a
task that ran twice) is not made again.
"""

import json
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.tasks import task
from django.utils import timezone

from . import network, signing
from .models import Delivery, DeliveryAttempt

USER_AGENT = "TwinningCMS-Webhooks/1"


@task()
def fan_out(event_ids: list[str]) -> int:
    """Queue the first attempt of every delivery of these events."""
    pending = Delivery.objects.filter(
        event_id__in=event_ids, state=Delivery.State.PENDING, attempts=0
    ).values_list("pk", flat=True)
    count = 0
    for delivery_id in pending:
        deliver.enqueue(delivery_id, 1)
        count += 1
    return count


def body_of(delivery: Delivery) -> bytes:
    """The bytes that are signed and sent: compact, with Chinese text as it is."""
    return json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":")).encode()


def headers_for(delivery: Delivery, body: bytes) -> dict[str, str]:
    endpoint = delivery.endpoint
    secrets = [endpoint.secret]
    expires = endpoint.previous_secret_expires_at
    if endpoint.previous_secret and expires and expires > timezone.now():
        secrets.append(endpoint.previous_secret)
    return {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        signing.SIGNATURE_HEADER: signing.signature_header(body, secrets),
        signing.EVENT_ID_HEADER: str(delivery.event_id),
        signing.EVENT_TYPE_HEADER: delivery.event_type,
    }


@task()
def deliver(delivery_id: int, attempt: int) -> str:
    """Make attempt number ``attempt`` of a delivery; schedule the next one if it fails."""
    delivery = Delivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
    if (
        delivery is None
        or delivery.attempts != attempt - 1
        or delivery.state in (Delivery.State.SUCCEEDED, Delivery.State.CANCELLED)
    ):
        return "skipped"
    if not delivery.endpoint.active and delivery.event_type != Delivery.TEST_EVENT:
        delivery.state = Delivery.State.CANCELLED
        delivery.next_attempt_at = None
        delivery.save(update_fields=["state", "next_attempt_at"])
        return delivery.state

    body = body_of(delivery)
    response = network.post(
        delivery.endpoint.url, body, headers_for(delivery, body), timeout=settings.WEBHOOK_TIMEOUT
    )
    attempted_at = timezone.now()
    error = response.error or (
        "" if response.ok else f"HTTP {response.status_code} (expected a 2xx answer)"
    )
    delays = settings.WEBHOOK_RETRY_DELAYS
    delivery.attempts = attempt
    delivery.last_status_code = response.status_code
    delivery.last_error = error
    if response.ok:
        delivery.state, delivery.next_attempt_at = Delivery.State.SUCCEEDED, None
    elif attempt <= len(delays):
        delivery.state = Delivery.State.RETRYING
        delivery.next_attempt_at = attempted_at + timedelta(seconds=delays[attempt - 1])
    else:
        delivery.state, delivery.next_attempt_at = Delivery.State.FAILED, None

    with transaction.atomic():
        DeliveryAttempt.objects.create(
            delivery=delivery,
            number=attempt,
            attempted_at=attempted_at,
            status_code=response.status_code,
            duration_ms=response.duration_ms,
            error=error,
            response_body=response.body,
        )
        delivery.save(
            update_fields=["attempts", "state", "next_attempt_at", "last_status_code", "last_error"]
        )
        if delivery.state == Delivery.State.RETRYING:
            schedule(delivery, attempt + 1, at=delivery.next_attempt_at)
    return delivery.state


def requeue_overdue(*, grace: timedelta = timedelta(hours=1)) -> int:
    """Queue again the deliveries whose task went missing; return how many.

    A task is lost when the worker's queue is, when it failed on something other than the
    partner (the database was down), or when the backend cannot defer a retry. What is
    more than ``grace`` late is queued again; if its task was only slow, the attempt number
    keeps it from being made twice.
    """
    cutoff = timezone.now() - grace
    overdue = Delivery.objects.filter(
        Q(next_attempt_at__lt=cutoff) | Q(next_attempt_at__isnull=True, created_at__lt=cutoff),
        state__in=(Delivery.State.PENDING, Delivery.State.RETRYING),
    )
    count = 0
    with transaction.atomic():
        for delivery in overdue:
            schedule(delivery, delivery.attempts + 1)
            count += 1
    return count


def schedule(delivery: Delivery, attempt: int, *, at=None) -> None:
    """Queue attempt ``attempt`` for ``at`` (now if None), once the transaction commits.

    A backend that cannot defer a task (the immediate one) leaves a later retry to
    ``webhooks_catch_up`` (``requeue_overdue``) or the admin's "Retry now".
    """
    planned = deliver
    if at is not None:
        if not deliver.get_backend().supports_defer:
            return
        planned = deliver.using(run_after=at)
    transaction.on_commit(lambda: planned.enqueue(delivery.pk, attempt))
