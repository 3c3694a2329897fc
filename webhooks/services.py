"""What site managers do to endpoints and deliveries in the admin."""

import uuid
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from .models import Delivery, Endpoint, new_secret
from .outbox import build_payload
from .tasks import schedule

# How long a rotated secret keeps signing, so the partner can switch without a gap.
SECRET_GRACE = timedelta(hours=24)


@transaction.atomic
def rotate_secret(endpoint: Endpoint) -> Endpoint:
    """Give ``endpoint`` a new secret; events are signed with the old one too for a day.

    During that grace period each event carries two signatures, so the partner can switch
    to the new secret whenever it likes without refusing a single event.
    """
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_expires_at = timezone.now() + SECRET_GRACE
    endpoint.secret = new_secret()
    endpoint.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at"])
    return endpoint


@transaction.atomic
def send_test_event(endpoint: Endpoint) -> Delivery:
    """Send a "webhook.test" event, about no object, to ``endpoint`` (active or not)."""
    event_id = uuid.uuid4()
    delivery = Delivery.objects.create(
        endpoint=endpoint,
        event_id=event_id,
        event_type=Delivery.TEST_EVENT,
        payload=build_payload(event_id, Delivery.TEST_EVENT),
    )
    schedule(delivery, 1)
    return delivery


@transaction.atomic
def retry_now(delivery: Delivery) -> bool:
    """Make the next attempt of a delivery that has not succeeded, now (False if it has)."""
    if delivery.state == Delivery.State.SUCCEEDED:
        return False
    delivery.state = Delivery.State.RETRYING
    delivery.next_attempt_at = timezone.now()
    delivery.save(update_fields=["state", "next_attempt_at"])
    schedule(delivery, delivery.attempts + 1)
    return True
