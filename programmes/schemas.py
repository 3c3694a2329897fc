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

from .models import KeyFigure, Mission, Organisation, Outcome, Partnership, ProgrammeItem, Region

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

    uuid: UUID = Field(description="Stable identifier; use it to keep a copy in sync.")
    slug: str
    url: AbsoluteUrl = Field(description="The public page, in the requested language.")
    updated_at: datetime


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
    start_time: time | None


class ProgrammeItemInOneLanguage(InOneLanguage, ProgrammeItemOut[str]):
    """One visit or meeting of a mission, in programme order."""


class ProgrammeItemInAllLanguages(ProgrammeItemOut[TranslatedText]):
    """One visit or meeting of a mission, in programme order."""


# Objects with their own endpoint.


class RegionOut[Text, KeyFigureT, ClusterT](Resource):
    kind: Literal[*Region.Kind.values]
    name: Text
    parent: UUID | None = Field(description="The region this one lies in.")
    latitude: float | None
    longitude: float | None
    summary: Text
    profile: Text = Field(description=Html)
    key_figures: list[KeyFigureT]
    clusters: list[ClusterT]


class RegionInOneLanguage(
    InOneLanguage, RegionOut[str, KeyFigureInOneLanguage, ClusterInOneLanguage]
):
    """A country, province or city."""


class RegionInAllLanguages(
    RegionOut[TranslatedText, KeyFigureInAllLanguages, ClusterInAllLanguages]
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


class MissionOut[Text, ProgrammeItemT, OutcomeT](Resource):
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
    outcomes: list[OutcomeT]


class MissionInOneLanguage(
    InOneLanguage, MissionOut[str, ProgrammeItemInOneLanguage, OutcomeInOneLanguage]
):
    """A trade or inspiration mission, with its programme and outcomes."""


class MissionInAllLanguages(
    MissionOut[TranslatedText, ProgrammeItemInAllLanguages, OutcomeInAllLanguages]
):
    """A trade or inspiration mission, with its programme and outcomes."""


# What an endpoint returns: one shape or the other, depending on ``lang``.
type RegionExport = RegionInOneLanguage | RegionInAllLanguages
type OrganisationExport = OrganisationInOneLanguage | OrganisationInAllLanguages
type PartnershipExport = PartnershipInOneLanguage | PartnershipInAllLanguages
type MissionExport = MissionInOneLanguage | MissionInAllLanguages
type OutcomeExport = OutcomeInOneLanguage | OutcomeInAllLanguages


class NotFound(Schema):
    """No published object has this UUID."""

    detail: str = Field(examples=["Not Found"])


class Problem(Schema):
    type: str = Field(examples=["literal_error"])
    loc: list[str | int] = Field(examples=[["query", "lang"]])
    msg: str = Field(examples=["Input should be 'nl', 'en' or 'zh-hans'"])


class InvalidInput(Schema):
    """A parameter has a value the API does not accept, such as an unknown ``lang``."""

    detail: list[Problem]
