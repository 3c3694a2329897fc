"""Which texts are translated (nl, en, zh-hans).

``required_languages = ("nl",)`` makes each Dutch column keep its original
field's ``blank``: a name is required in Dutch, a summary stays optional.
English and Chinese may stay empty and then fall back (see settings).
"""

from modeltranslation.translator import TranslationOptions, register

from .models import (
    Cluster,
    FocusArea,
    KeyFigure,
    Mission,
    Objective,
    Organisation,
    Outcome,
    Partnership,
    Photo,
    ProgrammeItem,
    Region,
    SitePage,
)


class DutchFirst(TranslationOptions):
    required_languages = ("nl",)


@register(Region)
class RegionTranslation(DutchFirst):
    fields = ("name", "summary", "profile")


@register(KeyFigure)
class KeyFigureTranslation(DutchFirst):
    fields = ("label", "source", "chart_title")


@register(Cluster)
class ClusterTranslation(DutchFirst):
    fields = ("sector",)


@register(FocusArea)
class FocusAreaTranslation(DutchFirst):
    fields = ("name",)


@register(Organisation)
class OrganisationTranslation(DutchFirst):
    fields = ("name", "description")


@register(Partnership)
class PartnershipTranslation(DutchFirst):
    fields = ("title", "coordinator_role", "summary", "description")


@register(Objective)
class ObjectiveTranslation(DutchFirst):
    fields = ("text",)


@register(Mission)
class MissionTranslation(DutchFirst):
    fields = (
        "title",
        "leader_role",
        "participants",
        "summary",
        "context",
        "why",
        "programme_intro",
        "result",
    )


@register(ProgrammeItem)
class ProgrammeItemTranslation(DutchFirst):
    fields = ("title", "description")


@register(Outcome)
class OutcomeTranslation(DutchFirst):
    fields = ("title", "parties", "description")


@register(Photo)
class PhotoTranslation(DutchFirst):
    fields = ("alt_text", "caption")


@register(SitePage)
class SitePageTranslation(DutchFirst):
    fields = ("title", "body")
