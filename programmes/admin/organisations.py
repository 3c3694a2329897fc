"""Organisations, and the translation overview's address beside them."""

from django.contrib import admin
from django.urls import path
from django.utils.translation import gettext_lazy as _

from programmes.models import Organisation

from .base import (
    PUBLICATION_DESCRIPTION,
    RECORD_FIELDS,
    PublishableAdmin,
)
from .translations import translation_overview


@admin.register(Organisation)
class OrganisationAdmin(PublishableAdmin):
    def get_urls(self):
        overview = path(
            "translations/",
            self.admin_site.admin_view(translation_overview),
            name="programmes_translation_overview",
        )
        return [overview, *super().get_urls()]

    list_display = [
        "name",
        "kind",
        "region",
        "status",
        "publish_at",
        "translation_status",
        "updated_at",
    ]
    list_filter = ["status", "kind"]
    list_select_related = ["region"]
    search_fields = ["name_nl", "name_en", "name_zh_hans", "slug"]
    autocomplete_fields = ["region"]
    prepopulated_fields = {"slug": ["name_nl"]}
    readonly_fields = RECORD_FIELDS
    fieldsets = [
        (
            _("Content"),
            {
                "fields": ["name", "kind", "website", "description"],
                "description": _(
                    "A municipality, agency, university, company, consulate, museum, port … "
                    "that organises, coordinates or hosts."
                ),
            },
        ),
        (_("Relations"), {"fields": ["region"]}),
        (
            _("Publication"),
            {
                "fields": ["slug", ("status", "publish_at", "unpublish_at"), *RECORD_FIELDS],
                "description": PUBLICATION_DESCRIPTION,
            },
        ),
    ]
