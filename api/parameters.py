"""What a request to the API may ask, and the bounds of every answer to it.

Each endpoint's signature (``endpoints.py``) is made of these types, so ninja validates
the query string and writes the same bounds into the OpenAPI document. A value outside
them is a 422 problem (``problems.py``), a parameter the endpoint does not take a 400
(:func:`refusal`): a misspelt filter must not pass unnoticed.
"""

from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from ninja import Query
from pydantic import AfterValidator, BeforeValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from programmes.models import Mission, Organisation, Outcome, Partnership, Region

from . import problems
from .schemas import Language

LanguageQuery = Annotated[
    Language | None,
    Query(
        description=(
            "Return every text as a string in this language. "
            "Without it, every text is an object with all languages."
        )
    ),
]


# Every parameter has a bound, written in the OpenAPI document and answered with a 422
# beyond it: a value the database cannot hold (an offset past 2**63, a moment before the
# year 1 in UTC) must not reach it, where it would be a 500.
MAX_LIMIT = 100
MAX_OFFSET = 1_000_000
# "2026-11-20T09:30:00.123456+14:00" has 32 characters.
MAX_MOMENT_LENGTH = 40
# A UUID is 36 characters (32 without its hyphens, which are accepted too).
UUID_LENGTHS = (32, 36)
# Under gunicorn's limit for a header line (8190); an ETag here is 42 characters.
MAX_HEADER_LENGTHS = {"If-None-Match": 2048, "If-Modified-Since": 64}
MOMENT_RANGE = "0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999Z"


def iso_8601(value: Any) -> Any:
    """ISO 8601 only: pydantic alone would read ``20261120`` as seconds since 1970."""
    if isinstance(value, str):
        if len(value) > MAX_MOMENT_LENGTH:
            raise PydanticCustomError(
                "string_too_long",
                "At most {max_length} characters.",
                {"max_length": MAX_MOMENT_LENGTH},
            )
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            raise PydanticCustomError(
                "iso_8601", "Not an ISO 8601 date and time, such as 2026-11-20T09:30:00Z"
            ) from None
    return value


def in_utc(moment: datetime) -> datetime:
    """The moment in UTC (without a time zone it is UTC). One that lies outside the years
    1 to 9999 there (``0001-01-01T00:00:00+14:00``) is refused: SQLite stores moments in UTC,
    and no Python date holds it."""
    try:
        return aware(moment).astimezone(UTC)
    except OverflowError:
        raise PydanticCustomError(
            "moment_out_of_range", f"Must lie from {MOMENT_RANGE} in UTC."
        ) from None


def bounded_uuid(value: Any) -> Any:
    if isinstance(value, str) and len(value) not in UUID_LENGTHS:
        raise PydanticCustomError(
            "uuid_parsing", "Not a UUID, such as 3f2b8c1e-6d4a-4e0b-9a57-1c2d3e4f5a6b"
        )
    return value


Moment = Annotated[
    datetime,
    BeforeValidator(iso_8601),
    AfterValidator(in_utc),
    WithJsonSchema({"type": "string", "format": "date-time", "maxLength": MAX_MOMENT_LENGTH}),
]
Uuid = Annotated[
    UUID,
    BeforeValidator(bounded_uuid),
    WithJsonSchema(
        {
            "type": "string",
            "format": "uuid",
            "minLength": min(UUID_LENGTHS),
            "maxLength": max(UUID_LENGTHS),
        }
    ),
]
UpdatedSince = Annotated[
    Moment | None,
    Query(
        description=(
            "Only objects whose export changed after this moment (ISO 8601, e.g. "
            "`2026-11-20T09:30:00Z`; without a time zone it is UTC; from "
            f"{MOMENT_RANGE} in UTC). Objects that became public after it are included, "
            "whatever their own `updated_at`."
        ),
        examples=["2026-11-20T09:30:00Z"],
    ),
]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="How many objects per page.")]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="How many objects to skip.")]


RegionKind = Annotated[Literal[*Region.Kind.values] | None, Query(description="Only this kind.")]
OrganisationKind = Annotated[
    Literal[*Organisation.Kind.values] | None, Query(description="Only this kind.")
]
PartnershipKind = Annotated[
    Literal[*Partnership.Kind.values] | None, Query(description="Only this kind.")
]
MissionKind = Annotated[Literal[*Mission.Kind.values] | None, Query(description="Only this kind.")]
OutcomeKind = Annotated[Literal[*Outcome.Kind.values] | None, Query(description="Only this kind.")]


def partnership_query(of: str) -> Any:
    return Query(
        description=(
            f"Only {of} of this partnership, by UUID (a slug may change, a UUID never). "
            "A partnership that is not published has none."
        ),
        examples=["3f2b8c1e-6d4a-4e0b-9a57-1c2d3e4f5a6b"],
    )


def aware(moment: datetime) -> datetime:
    """A moment without a time zone is UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def refusal(request: HttpRequest, accepted: set[str]) -> HttpResponse | None:
    """The problem for a query parameter outside ``accepted`` or an overlong conditional
    header, before ninja parses anything; ``None`` when the request may go on."""
    unknown = sorted(set(request.GET) - accepted)
    if unknown:
        return problems.unknown_parameters(request, unknown, accepted)
    if too_long := [
        {
            "loc": ("header", name),
            "msg": f"At most {length} characters.",
            "type": "string_too_long",
        }
        for name, length in MAX_HEADER_LENGTHS.items()
        if len(request.headers.get(name, "")) > length
    ]:
        return problems.invalid_parameters(request, too_long)
    return None
