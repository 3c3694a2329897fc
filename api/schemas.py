"""The shapes of the JSON export (``/api/v1/``), which the OpenAPI document is built from.

Every translated text comes in one of two shapes. With ``?lang=`` it is a
plain string in that language and the object says, under ``fallbacks``, which
texts were missing and shown in another language. Without ``lang`` it is a
``TranslatedText`` object holding every language. So each object has two
schemas, generated from one generic class: ``MissionInOneLanguage`` and
``MissionInAllLanguages`` from ``MissionOut``. The generic parameters are the
text type and the shapes of the objects nested inside.

Other objects are referenced by UUID, so a partner site can fetch them from
their own endpoint. A reference to an object that is not published is
``null`` (or left out of a list of references), as the object itself is.
"""

from datetime import date, datetime, time
from typing import Annotated, Literal, TypedDict
from uuid import UUID

from ninja import Field, Schema
from pydantic import PlainSerializer

from programmes.models import (
    ExportRecord,
    KeyFigure,
    Mission,
    Organisation,
    Outcome,
    Partnership,
    ProgrammeItem,
    Region,
)

Language = Literal["nl", "en", "zh-hans"]

TranslatedText = TypedDict(
    "TranslatedText",
    {"nl": str, "en": str, "zh-hans": str},
)
TranslatedText.__doc__ = "A text in every language; an empty string where it is not translated."

AbsoluteUrl = Annotated[str, Field(json_schema_extra={"format": "uri"})]
# A number written without a needless ".0": 54000000, 11.8.
Number = Annotated[
    float, PlainSerializer(lambda value: int(value) if value.is_integer() else value)
]
Html = "Sanitized HTML."


class InOneLanguage(Schema):
    """The part of an object that only a one-language export has."""

    fallbacks: dict[str, Language] = Field(
        description=(
            "The texts of this object that are empty in the requested language, each with the "
            "language it is shown in instead. The fallback order is en → nl and "
            "zh-hans → en → nl."
        ),
        examples=[{"summary": "nl"}],
    )


class Resource(Schema):
    """What every object with its own public page has."""

    uuid: UUID = Field(
        description="Stable identifier; use it to keep a copy in sync.",
        examples=["3f2b8c1e-6d4a-4e0b-9a57-1c2d3e4f5a6b"],
    )
    slug: str = Field(
        description="The last part of the public page's address. It may change; the UUID never.",
        examples=["ningbo"],
    )
    url: AbsoluteUrl = Field(
        description="The public page, in the requested language.",
        examples=["https://twinning.example.org/zh-hans/regions/ningbo/"],
    )
    updated_at: datetime = Field(
        description=(
            "When this object's export last changed: its own texts and fields, anything "
            "nested in it (programme items, photos, outcomes, key figures …), or a reference "
            "to an object that was published or unpublished since. Filter on it with "
            "`updated_since`."
        ),
        examples=["2026-11-20T09:30:00.000Z"],
    )


# Objects nested inside another object.


class KeyFigureOut[Text](Schema):
    uuid: UUID
    label: Text
    value: Number
    value_max: Number | None = Field(description="The upper end when the figure is a range.")
    unit: Literal[*KeyFigure.Unit.values]
    approximate: bool
    year: int | None
    source: Text
    formatted: Text = Field(
        description="The figure as the public site shows it, e.g. “54 million”, “5400万”."
    )


class KeyFigureInOneLanguage(InOneLanguage, KeyFigureOut[str]):
    """A number about a region."""


class KeyFigureInAllLanguages(KeyFigureOut[TranslatedText]):
    """A number about a region."""


class ClusterOut[Text](Schema):
    uuid: UUID
    sector: Text


class ClusterInOneLanguage(InOneLanguage, ClusterOut[str]):
    """An industry a city or region is known for."""


class ClusterInAllLanguages(ClusterOut[TranslatedText]):
    """An industry a city or region is known for."""


class FocusAreaOut[Text](Schema):
    uuid: UUID
    slug: str
    name: Text


class FocusAreaInOneLanguage(InOneLanguage, FocusAreaOut[str]):
    """A field of cooperation: economy, education, culture …"""


class FocusAreaInAllLanguages(FocusAreaOut[TranslatedText]):
    """A field of cooperation: economy, education, culture …"""


class ObjectiveOut[Text](Schema):
    uuid: UUID
    text: Text


class ObjectiveInOneLanguage(InOneLanguage, ObjectiveOut[str]):
    """One aim or facet of a partnership."""


class ObjectiveInAllLanguages(ObjectiveOut[TranslatedText]):
    """One aim or facet of a partnership."""


class ProgrammeItemOut[Text](Schema):
    uuid: UUID
    kind: Literal[*ProgrammeItem.Kind.values]
    title: Text
    description: Text
    city: UUID | None = Field(description="The region where it takes place.")
    host: UUID | None = Field(description="The host organisation.")
    date: date | None
    start_time: time | None = Field(
        description=(
            "A wall-clock time where it takes place, in `time_zone`: 09:00 in Dalian is "
            "09:00 China time."
        )
    )
    time_zone: str = Field(
        description=(
            "The IANA time zone of `date` and `start_time`: that of its city (own or "
            "inherited), else of the mission's only destination, else the site's."
        ),
        examples=["Asia/Shanghai"],
    )


class ProgrammeItemInOneLanguage(InOneLanguage, ProgrammeItemOut[str]):
    """One visit or meeting of a mission, in programme order."""


class ProgrammeItemInAllLanguages(ProgrammeItemOut[TranslatedText]):
    """One visit or meeting of a mission, in programme order."""


class Rendition(Schema):
    """One scaled version of a photo, never wider than the original."""

    url: AbsoluteUrl = Field(
        description="The file; its content never changes, so it may be cached for good.",
        examples=["https://twinning.example.org/media/renditions/8c0f1e2d-960.webp"],
    )
    width: int = Field(examples=[960])
    height: int = Field(examples=[640])
    format: Literal["webp", "jpeg"]


class PhotoOut[Text](Schema):
    uuid: UUID
    width: int | None = Field(description="Of the original, in pixels.")
    height: int | None = Field(description="Of the original, in pixels.")
    alt_text: Text = Field(description="What the photo shows, for people who cannot see it.")
    caption: Text
    credit: str = Field(description="The photographer or source; not translated.")
    renditions: list[Rendition] = Field(
        description=(
            "WebP and JPEG at up to three widths (480, 960, 1600), narrowest first; empty "
            "when the original is missing from storage."
        )
    )


class PhotoInOneLanguage(InOneLanguage, PhotoOut[str]):
    """A photo of a mission or a region, in its order."""


class PhotoInAllLanguages(PhotoOut[TranslatedText]):
    """A photo of a mission or a region, in its order."""


# Objects with their own endpoint.


class RegionOut[Text, KeyFigureT, ClusterT, PhotoT](Resource):
    kind: Literal[*Region.Kind.values]
    name: Text
    parent: UUID | None = Field(description="The region this one lies in.")
    time_zone: str | None = Field(
        description=(
            "The IANA time zone: its own, else that of the nearest region it lies in "
            "(even one that is not published); null when none has one."
        ),
        examples=["Asia/Shanghai"],
    )
    latitude: float | None
    longitude: float | None
    summary: Text
    profile: Text = Field(description=Html)
    key_figures: list[KeyFigureT]
    clusters: list[ClusterT]
    photos: list[PhotoT]


class RegionInOneLanguage(
    InOneLanguage,
    RegionOut[str, KeyFigureInOneLanguage, ClusterInOneLanguage, PhotoInOneLanguage],
):
    """A country, province or city."""


class RegionInAllLanguages(
    RegionOut[TranslatedText, KeyFigureInAllLanguages, ClusterInAllLanguages, PhotoInAllLanguages]
):
    """A country, province or city."""


class OrganisationOut[Text](Resource):
    kind: Literal[*Organisation.Kind.values]
    name: Text
    region: UUID | None = Field(description="The region it is located in.")
    website: str
    description: Text = Field(description=Html)


class OrganisationInOneLanguage(InOneLanguage, OrganisationOut[str]):
    """A municipality, agency, university, company … taking part in the programmes."""


class OrganisationInAllLanguages(OrganisationOut[TranslatedText]):
    """A municipality, agency, university, company … taking part in the programmes."""


class PartnershipOut[Text, FocusAreaT, ObjectiveT](Resource):
    kind: Literal[*Partnership.Kind.values]
    title: Text
    home_region: UUID | None
    partner_region: UUID | None
    since_year: int | None
    coordinator: UUID | None = Field(description="The coordinating organisation.")
    coordinator_since_year: int | None
    coordinator_role: Text
    focus_areas: list[FocusAreaT]
    summary: Text
    description: Text = Field(description=Html)
    objectives: list[ObjectiveT]


class PartnershipInOneLanguage(
    InOneLanguage, PartnershipOut[str, FocusAreaInOneLanguage, ObjectiveInOneLanguage]
):
    """A twinning partnership between a home region and a partner region."""


class PartnershipInAllLanguages(
    PartnershipOut[TranslatedText, FocusAreaInAllLanguages, ObjectiveInAllLanguages]
):
    """A twinning partnership between a home region and a partner region."""


class OutcomeOut[Text, FocusAreaT](Resource):
    kind: Literal[*Outcome.Kind.values]
    title: Text
    area: FocusAreaT | None
    partnership: UUID
    mission: UUID | None = Field(description="Empty when the outcome belongs to the partnership.")
    parties: Text
    date: date | None
    progress: Literal[*Outcome.Progress.values]
    description: Text = Field(description=Html)


class OutcomeInOneLanguage(InOneLanguage, OutcomeOut[str, FocusAreaInOneLanguage]):
    """A concrete result of a mission or a partnership."""


class OutcomeInAllLanguages(OutcomeOut[TranslatedText, FocusAreaInAllLanguages]):
    """A concrete result of a mission or a partnership."""


class MissionOut[Text, ProgrammeItemT, OutcomeT, PhotoT](Resource):
    kind: Literal[*Mission.Kind.values]
    title: Text
    partnership: UUID
    destinations: list[UUID] = Field(description="Regions.")
    start_date: date | None
    end_date: date | None
    leader_name: str
    leader_role: Text
    organisers: list[UUID] = Field(description="Organisations.")
    participants: Text
    summary: Text
    context: Text = Field(description=f"Why these destinations. {Html}")
    why: Text = Field(description=f"Why this mission. {Html}")
    programme_intro: Text = Field(description=Html)
    result: Text = Field(description=Html)
    programme_items: list[ProgrammeItemT]
    outcomes: list[OutcomeT] = Field(description="Its published outcomes.")
    photos: list[PhotoT]


class MissionInOneLanguage(
    InOneLanguage,
    MissionOut[str, ProgrammeItemInOneLanguage, OutcomeInOneLanguage, PhotoInOneLanguage],
):
    """A trade or inspiration mission, with its programme and outcomes."""


class MissionInAllLanguages(
    MissionOut[
        TranslatedText,
        ProgrammeItemInAllLanguages,
        OutcomeInAllLanguages,
        PhotoInAllLanguages,
    ]
):
    """A trade or inspiration mission, with its programme and outcomes."""


# What an endpoint returns: one shape or the other, depending on ``lang``.
type RegionExport = RegionInOneLanguage | RegionInAllLanguages
type OrganisationExport = OrganisationInOneLanguage | OrganisationInAllLanguages
type PartnershipExport = PartnershipInOneLanguage | PartnershipInAllLanguages
type MissionExport = MissionInOneLanguage | MissionInAllLanguages
type OutcomeExport = OutcomeInOneLanguage | OutcomeInAllLanguages


# Pages of a list.


class Page(Schema):
    count: int = Field(description="How many objects the whole list holds.", examples=[137])


class PagedRegionExport(Page):
    items: list[RegionExport]


class PagedOrganisationExport(Page):
    items: list[OrganisationExport]


class PagedPartnershipExport(Page):
    items: list[PartnershipExport]


class PagedMissionExport(Page):
    items: list[MissionExport]


class PagedOutcomeExport(Page):
    items: list[OutcomeExport]


class Tombstone(Schema):
    """An object partners must remove: deleted, unpublished or otherwise no longer public."""

    type: Literal[*ExportRecord.Type.values] = Field(
        description="Which endpoint the object came from: `mission` → /missions, …",
        examples=["mission"],
    )
    uuid: UUID = Field(examples=["3f2b8c1e-6d4a-4e0b-9a57-1c2d3e4f5a6b"])
    deleted_at: datetime = Field(
        description="When it left the public site.", examples=["2026-11-21T16:05:12.000Z"]
    )


class PagedTombstone(Page):
    items: list[Tombstone]


# Errors (RFC 9457), made by problems.py.


class Problem(Schema):
    """An error, as ``application/problem+json`` (RFC 9457)."""

    type: str = Field(
        description=(
            "The kind of problem: `about:blank` when the status says it all, otherwise a "
            "URN documented in the API guide."
        ),
        json_schema_extra={"format": "uri-reference"},
        examples=["about:blank"],
    )
    title: str = Field(examples=["Not Found"])
    status: int = Field(examples=[404])
    detail: str = Field(examples=["No published mission has this UUID."])
    instance: str = Field(
        description="The path and query of the request that failed.",
        json_schema_extra={"format": "uri-reference"},
        examples=["/api/v1/missions/3f2b8c1e-6d4a-4e0b-9a57-1c2d3e4f5a6b"],
    )


# A TypedDict, because one of its keys is the Python keyword ``in``.
ParameterError = TypedDict(
    "ParameterError",
    {
        "in": Literal["query", "path", "header"],
        "name": Annotated[str, Field(description="The parameter.", examples=["updated_since"])],
        "detail": Annotated[
            str, Field(examples=["Not an ISO 8601 date and time, such as 2026-11-20T09:30:00Z"])
        ],
        "type": Annotated[
            str, Field(description="A machine-readable reason.", examples=["iso_8601"])
        ],
    },
)
ParameterError.__doc__ = "One refused parameter: where it was, its name, and why."


class InvalidParameters(Problem):
    """A parameter is unknown or has a value the API does not accept (400, 422)."""

    errors: list[ParameterError] = Field(description="One entry per refused parameter.")
