"""Outcomes of partnerships and missions."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from programmes.models import Outcome

from .base import (
    PUBLICATION_DESCRIPTION,
    RECORD_FIELDS,
    PublishableAdmin,
)


@admin.register(Outcome)
class OutcomeAdmin(PublishableAdmin):
    list_display = [
        "title",
        "kind",
        "progress",
        "partnership",
        "mission",
        "status",
        "publish_at",
        "translation_status",
        "updated_at",
    ]
    list_filter = [
        "status",
        "kind",
        "progress",
        "area",
        ("partnership", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["partnership", "mission"]
    search_fields = [
        "title_nl",
        "title_en",
        "title_zh_hans",
        "parties_nl",
        "parties_en",
        "parties_zh_hans",
        "slug",
    ]
    autocomplete_fields = ["partnership", "mission"]
    prepopulated_fields = {"slug": ["title_nl"]}
    readonly_fields = RECORD_FIELDS
    fieldsets = [
        (
            _("Content"),
            {
                "fields": [
                    "title",
                    ("kind", "progress"),
                    ("area", "date"),
                    "parties",
                    "description",
                    "order",
                ],
                "description": _(
                    "A concrete result: a contract, a collaboration, an agreement, a step in "
                    "education or culture, an investment."
                ),
            },
        ),
        (
            _("Relations"),
            {
                "fields": ["partnership", "mission"],
                "description": _(
                    "The mission must belong to the same partnership. Leave the mission empty "
                    "for a result of the partnership as a whole."
                ),
            },
        ),
        (
            _("Publication"),
            {
                "fields": ["slug", ("status", "publish_at", "unpublish_at"), *RECORD_FIELDS],
                "description": PUBLICATION_DESCRIPTION,
            },
        ),
    ]
