"""Which texts are translated (nl, en, zh-hans).

The Dutch column keeps the original field's ``blank`` (so a name is required in
Dutch); English and Chinese may stay empty and then fall back (settings).
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
)


@register(Region)
class RegionTranslation(TranslationOptions):
    fields = ("name", "summary", "profile")


@register(KeyFigure)
class KeyFigureTranslation(TranslationOptions):
    fields = ("label", "source")


@register(Cluster)
class ClusterTranslation(TranslationOptions):
    fields = ("sector",)


@register(FocusArea)
class FocusAreaTranslation(TranslationOptions):
    fields = ("name",)


@register(Organisation)
class OrganisationTranslation(TranslationOptions):
    fields = ("name", "description")


@register(Partnership)
class PartnershipTranslation(TranslationOptions):
    fields = ("title", "coordinator_role", "summary", "description")


@register(Objective)
class ObjectiveTranslation(TranslationOptions):
    fields = ("text",)


@register(Mission)
class MissionTranslation(TranslationOptions):
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
class ProgrammeItemTranslation(TranslationOptions):
    fields = ("title", "description")


@register(Outcome)
class OutcomeTranslation(TranslationOptions):
    fields = ("title", "parties", "description")


@register(Photo)
class PhotoTranslation(TranslationOptions):
    fields = ("alt_text", "caption")
