"""The API keeps its own OpenAPI document: schemathesis generates requests from it.

Every operation gets a bounded number of generated requests, valid ones (right types,
documented enums, UUIDs that mostly match nothing, dates for ``updated_since``, conditional
headers) and invalid ones (wrong types, values out of range), and every answer must be
documented: its status, its content type, its headers and its body's schema, the 422
problems included. Data exists for each endpoint, so the 200 answers hold real objects.
"""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.generation.modes import GenerationMode

from .factories import MissionFactory, OutcomeFactory, PhotoFactory

EXAMPLES_PER_OPERATION = 12


@pytest.fixture
def api_schema(db, monkeypatch):
    """The document as the API serves it, called in-process through Django's WSGI app.

    Requests run inside the test's transaction, so Django must not close the connection
    when one ends (its test client does the same).
    """
    from api.endpoints import throttle

    mission = MissionFactory(programme_items=2)
    OutcomeFactory(mission=mission)
    PhotoFactory(mission=mission)
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    monkeypatch.setattr(throttle, "num_requests", 10_000)
    try:
        schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
        schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
        yield schema
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def test_every_answer_is_as_documented(api_schema):
    """Each operation in turn (schemathesis' pytest plugin does not run on pytest 9 yet)."""
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) == 11

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def answers_as_documented(case):
            case.call_and_validate()

        answers_as_documented()
