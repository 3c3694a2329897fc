"""Photos: their own admin, and the inline on region and mission pages."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationStackedInline

from programmes.models import Photo

from .base import (
    RECORD_FIELDS,
    EditorialAdmin,
    RoleScopedInline,
)
from .conflicts import EditConflictAdminMixin


class PhotoInline(RoleScopedInline, EditConflictAdminMixin, TranslationStackedInline):
    model = Photo
    fields = ["image", "alt_text", "caption", "credit", "order"]
    extra = 0


@admin.register(Photo)
class PhotoAdmin(EditorialAdmin):
    list_display = ["alt_text", "mission", "region", "credit", "translation_status", "updated_at"]
    list_select_related = ["mission", "region"]
    search_fields = [
        "alt_text_nl",
        "alt_text_en",
        "alt_text_zh_hans",
        "caption_nl",
        "caption_en",
        "caption_zh_hans",
        "credit",
    ]
    autocomplete_fields = ["mission", "region"]
    readonly_fields = RECORD_FIELDS
    fieldsets = [
        (
            _("Content"),
            {
                "fields": ["image", "alt_text", "caption", "credit", "order"],
                "description": _(
                    "Only photos you may publish. The credit names the photographer or owner."
                ),
            },
        ),
        (
            _("Relations"),
            {
                "fields": ["mission", "region"],
                "description": _("Attach the photo to a mission, a region or both."),
            },
        ),
        (_("Record"), {"fields": list(RECORD_FIELDS)}),
    ]
