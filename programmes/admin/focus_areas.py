"""Focus areas: shared reference data, edited by site managers."""

from django.contrib import admin

from programmes.models import FocusArea

from .base import EditorialAdmin


@admin.register(FocusArea)
class FocusAreaAdmin(EditorialAdmin):
    list_display = ["name", "slug", "order", "translation_status"]
    search_fields = ["name_nl", "name_en", "name_zh_hans", "slug"]
    prepopulated_fields = {"slug": ["name_nl"]}
    fields = ["name", "slug", "order"]
