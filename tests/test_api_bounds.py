"""Every parameter of the API has a bound: the OpenAPI document states it, and a value beyond
it is a 422 problem, never a 500 from a database that cannot hold it (an offset past 2**63,
a moment that is in the year 0 or 10000 in UTC). Run on SQLite and on PostgreSQL."""

import pytest

from api.endpoints import MAX_OFFSET
from programmes.domain import services

from .factories import MissionFactory, OutcomeFactory, RegionFactory

pytestmark = pytest.mark.django_db

INVALID = "urn:twinning:problem:invalid-parameters"
HUGE = "99999999999999999999"
YEAR_1_AT_PLUS_14 = "0001-01-01T00:00:00+14:00"
YEAR_9999_AT_MINUS_14 = "9999-12-31T23:59:59-14:00"
OUT_OF_RANGE = "Must lie from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999Z in UTC."
NOT_A_UUID = "Not a UUID, such as 3f2b8c1e-6d4a-4e0b-9a57-1c2d3e4f5a6b"

# Each list, its moment parameter and its UUID filters.
LISTS = {
    "regions": ("updated_since", ["region"]),
    "partnerships": ("updated_since", ["region"]),
    "missions": ("updated_since", ["partnership", "region"]),
    "outcomes": ("updated_since", ["partnership", "mission"]),
    "organisations": ("updated_since", ["region"]),
    "deleted": ("since", []),
}


@pytest.fixture
def content(client):
    """Something in every list, ``/deleted`` included."""
    OutcomeFactory(mission=MissionFactory())
    gone = RegionFactory()
    client.get("/api/v1/deleted")
    services.unpublish([gone])


def error(name: str, detail: str, type_: str, where: str = "query") -> dict:
    return {"in": where, "name": name, "detail": detail, "type": type_}


def out_of_bounds(moment: str) -> list[tuple[str, str, dict]]:
    """(parameter, value, the error listed) for each list's parameters."""
    return [
        (
            "offset",
            HUGE,
            error(
                "offset", f"Input should be less than or equal to {MAX_OFFSET}", "less_than_equal"
            ),
        ),
        (
            "offset",
            str(MAX_OFFSET + 1),
            error(
                "offset", f"Input should be less than or equal to {MAX_OFFSET}", "less_than_equal"
            ),
        ),
        (
            "offset",
            "-1",
            error("offset", "Input should be greater than or equal to 0", "greater_than_equal"),
        ),
        (
            "limit",
            HUGE,
            error("limit", "Input should be less than or equal to 100", "less_than_equal"),
        ),
        (
            "limit",
            "0",
            error("limit", "Input should be greater than or equal to 1", "greater_than_equal"),
        ),
        (
            "limit",
            "-1",
            error("limit", "Input should be greater than or equal to 1", "greater_than_equal"),
        ),
        (moment, YEAR_1_AT_PLUS_14, error(moment, OUT_OF_RANGE, "moment_out_of_range")),
        (moment, YEAR_9999_AT_MINUS_14, error(moment, OUT_OF_RANGE, "moment_out_of_range")),
        (
            moment,
            "2026-11-20T09:30:00" + "0" * 40,
            error(moment, "At most 40 characters.", "string_too_long"),
        ),
    ]


CASES = [
    pytest.param(endpoint, name, value, expected, id=f"{endpoint}-{name}={value[:30]}")
    for endpoint, (moment, uuids) in LISTS.items()
    for name, value, expected in [
        *out_of_bounds(moment),
        *[(uuid, "a" * 37, error(uuid, NOT_A_UUID, "uuid_parsing")) for uuid in uuids],
        *[(uuid, "3f2b8c1e" * 100, error(uuid, NOT_A_UUID, "uuid_parsing")) for uuid in uuids],
    ]
]


@pytest.mark.parametrize(("endpoint", "name", "value", "expected"), CASES)
def test_a_value_out_of_bounds_is_a_422_problem(client, content, endpoint, name, value, expected):
    response = client.get(f"/api/v1/{endpoint}", query_params={name: value})

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json() == {
        "type": INVALID,
        "title": "Invalid parameters",
        "status": 422,
        "detail": f"Invalid value for: {name}.",
        "instance": response.request["PATH_INFO"] + "?" + response.request["QUERY_STRING"],
        "errors": [expected],
    }


@pytest.mark.parametrize("endpoint", LISTS)
@pytest.mark.parametrize("value", ["a" * 5000, "mission" * 1000])
def test_overlong_choices_are_refused(client, endpoint, value):
    name = "type" if endpoint == "deleted" else "kind"

    response = client.get(f"/api/v1/{endpoint}", query_params={name: value, "lang": value})

    assert response.status_code == 422
    names = {entry["name"] for entry in response.json()["errors"]}
    assert names == ({"type"} if endpoint == "deleted" else {"kind", "lang"})


@pytest.mark.parametrize("endpoint", LISTS)
def test_the_bounds_themselves_are_accepted(client, content, endpoint):
    moment = LISTS[endpoint][0]
    everything = client.get(f"/api/v1/{endpoint}").json()["count"]

    last_page = client.get(f"/api/v1/{endpoint}", query_params={"offset": MAX_OFFSET, "limit": 100})
    earliest = client.get(f"/api/v1/{endpoint}", query_params={moment: "0001-01-01T00:00:00Z"})
    # The first moment there is, written in another time zone.
    also_earliest = client.get(
        f"/api/v1/{endpoint}", query_params={moment: "0001-01-01T14:00+14:00"}
    )
    latest = client.get(f"/api/v1/{endpoint}", query_params={moment: "9999-12-31T23:59:59.999999Z"})
    also_latest = client.get(f"/api/v1/{endpoint}", query_params={moment: "9999-12-31T10:00-13:59"})

    assert last_page.json() == {"count": everything, "items": []}
    assert earliest.json()["count"] == everything
    assert also_earliest.json()["count"] == everything
    assert latest.json() == {"count": 0, "items": []}
    assert also_latest.json() == {"count": 0, "items": []}


def test_content_is_there_to_page_through(client, content):
    """The lists above are not empty: the bounds are checked on real answers."""
    counts = {name: client.get(f"/api/v1/{name}").json()["count"] for name in LISTS}

    assert counts == {
        "regions": 3,
        "partnerships": 1,
        "missions": 1,
        "outcomes": 1,
        "organisations": 1,
        "deleted": 1,
    }


@pytest.mark.parametrize(
    "endpoint", ["regions", "partnerships", "missions", "outcomes", "organisations"]
)
@pytest.mark.parametrize(
    "value", ["a" * 37, "3f2b8c1e" * 1000, "{3f2b8c1e-6d4a-4e0b-9a57-1c2d3e4f5a6b}"]
)
def test_an_object_address_that_is_no_uuid_is_a_422_problem(client, endpoint, value):
    response = client.get(f"/api/v1/{endpoint}/{value}")

    assert response.status_code == 422
    assert response.json()["errors"] == [error("uuid", NOT_A_UUID, "uuid_parsing", "path")]


@pytest.mark.parametrize(("header", "length"), [("If-None-Match", 2048), ("If-Modified-Since", 64)])
def test_overlong_conditional_headers_are_a_422_problem(client, content, header, length):
    fits = client.get("/api/v1/missions", headers={header: "x" * length})
    too_long = client.get("/api/v1/missions", headers={header: "x" * (length + 1)})

    assert fits.status_code == 200
    assert too_long.status_code == 422
    assert too_long.json() == {
        "type": INVALID,
        "title": "Invalid parameters",
        "status": 422,
        "detail": f"Invalid value for: {header}.",
        "instance": "/api/v1/missions",
        "errors": [error(header, f"At most {length} characters.", "string_too_long", "header")],
    }


def test_the_document_states_a_bound_for_every_parameter(client):
    document = client.get("/api/v1/openapi.json").json()

    unbounded = []
    for path, operations in document["paths"].items():
        for parameter in operations["get"]["parameters"]:
            schema = parameter["schema"]
            schema = next((s for s in schema.get("anyOf", []) if s["type"] != "null"), schema)
            bounded = (
                "enum" in schema or {"minimum", "maximum"} <= set(schema) or "maxLength" in schema
            )
            if not bounded:
                unbounded.append((path, parameter["name"], schema))
    assert unbounded == []
    parameters = {
        p["name"]: p["schema"] for p in document["paths"]["/api/v1/missions"]["get"]["parameters"]
    }
    assert (parameters["offset"]["minimum"], parameters["offset"]["maximum"]) == (0, MAX_OFFSET)
    assert (parameters["limit"]["minimum"], parameters["limit"]["maximum"]) == (1, 100)
    assert parameters["updated_since"]["anyOf"][0] == {
        "type": "string",
        "format": "date-time",
        "maxLength": 40,
    }
    assert parameters["region"]["anyOf"][0] == {
        "type": "string",
        "format": "uuid",
        "minLength": 32,
        "maxLength": 36,
    }
    assert parameters["If-None-Match"] == {"type": "string", "maxLength": 2048}
