"""Regions, with their key figures, industry clusters and photos inline."""

from django.contrib import admin
from django.contrib.admin.widgets import AdminTextInputWidget
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import (
    TranslationStackedInline,
    TranslationTabularInline,
)

from programmes.models import (
    Cluster,
    KeyFigure,
    Region,
    time_zone_names,
)

from .base import (
    PUBLICATION_DESCRIPTION,
    RECORD_FIELDS,
    PublishableAdmin,
    RoleScopedInline,
)
from .photos import PhotoInline


class KeyFigureInline(RoleScopedInline, TranslationStackedInline):
    model = KeyFigure
    fields = ["label", ("value", "value_max", "unit", "approximate"), ("year", "order"), "source"]
    extra = 0


class ClusterInline(RoleScopedInline, TranslationTabularInline):
    model = Cluster
    fields = ["sector", "order"]
    extra = 0


class TimeZoneInput(AdminTextInputWidget):
    """A text input that offers the IANA time zone names as the editor types (a datalist:
    no script, and any browser without it still has a plain text field)."""

    def render(self, name, value, attrs=None, renderer=None):
        choices_id = f"{(attrs or {}).get('id', name)}-choices"
        attrs = {**(attrs or {}), "list": choices_id, "autocomplete": "off"}
        options = format_html_join(
            "", '<option value="{}"></option>', ((zone,) for zone in sorted(time_zone_names()))
        )
        return format_html(
            '{}<datalist id="{}">{}</datalist>',
            super().render(name, value, attrs, renderer),
            choices_id,
            options,
        )


@admin.register(Region)
class RegionAdmin(PublishableAdmin):
    list_display = [
        "name",
        "kind",
        "parent",
        "status",
        "publish_at",
        "translation_status",
        "updated_at",
    ]
    list_filter = ["status", "kind"]
    list_select_related = ["parent"]
    search_fields = ["name_nl", "name_en", "name_zh_hans", "slug"]
    autocomplete_fields = ["parent"]
    prepopulated_fields = {"slug": ["name_nl"]}
    readonly_fields = RECORD_FIELDS
    inlines = [KeyFigureInline, ClusterInline, PhotoInline]
    fieldsets = [
        (
            _("Content"),
            {
                "fields": ["name", "kind", "summary", "profile"],
                "description": _(
                    "A country, province or city. Write in Dutch first; English and Chinese "
                    "fall back to Dutch until they are filled in."
                ),
            },
        ),
        (
            _("Relations"),
            {
                "fields": ["parent", ("latitude", "longitude"), "time_zone"],
                "description": _(
                    "Where the region lies: the larger region it is part of, and its "
                    "coordinates in decimal degrees for the map (Hangzhou: 30.27415, 120.15515)."
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

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "time_zone":
            kwargs["widget"] = TimeZoneInput
        return super().formfield_for_dbfield(db_field, request, **kwargs)
