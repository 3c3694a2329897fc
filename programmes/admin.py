"""The editors' admin: every model, in Dutch first, then English and Simplified Chinese.

Municipal staff are not developers, so each admin says what a field is for,
shows which translations are still missing, and publishes through the same
services as every other write path (``services.publish`` / ``unpublish``).
Translated fields are shown as nl / en / zh-hans tabs by modeltranslation's
tabbed admin; its jQuery UI is vendored (``settings.JQUERY_UI_URL``), never a CDN.
"""

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.utils import model_ngettext
from django.contrib.admin.widgets import AdminTextareaWidget
from django.db import models
from django.utils.csp import CSP
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.csp import csp_override
from modeltranslation import settings as mt_settings
from modeltranslation.admin import (
    TabbedTranslationAdmin,
    TranslationStackedInline,
    TranslationTabularInline,
)
from modeltranslation.translator import translator
from modeltranslation.utils import build_localized_fieldname

from . import services
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
    Status,
)

admin.site.site_header = _("Twinning CMS administration")
admin.site.site_title = _("Twinning CMS")
admin.site.index_title = _("Partnerships, missions and regions")

RECORD_FIELDS = ("uuid", "created_at", "updated_at")
PUBLICATION_DESCRIPTION = _(
    "Drafts are visible to staff only. Published content appears on the public site, "
    "in the partner export and in the feeds from its publish date on."
)

# The rich text editor (Tiptap, inside django-prose-editor) injects its base stylesheet as an
# inline <style> element without a nonce. The form pages allow exactly that stylesheet by its
# hash; everything else keeps the site's strict policy. tests/test_admin.py recomputes the
# hash from the installed editor, so an upgrade that changes the stylesheet fails loudly.
PROSE_EDITOR_STYLE_HASH = "'sha256-PlumsSlvJ7vvWzjqibGAYKq92O3y/4JTxWWsWJvyUYA='"


def allow_prose_editor_style(policy: dict) -> dict:
    """``policy`` with the editor's stylesheet allowed; no policy stays no policy."""
    if not policy:
        return policy
    style_src = policy.get("style-src", policy.get("default-src", [CSP.SELF]))
    return policy | {"style-src": [*style_src, PROSE_EDITOR_STYLE_HASH]}


def missing_translations(obj: models.Model) -> list[str]:
    """The languages in which a text that is filled in Dutch is still empty."""
    fields = translator.get_options_for_model(type(obj)).all_fields
    filled_in_dutch = [
        name
        for name in fields
        if getattr(obj, build_localized_fieldname(name, mt_settings.DEFAULT_LANGUAGE))
    ]
    return [
        language
        for language in mt_settings.AVAILABLE_LANGUAGES
        if language != mt_settings.DEFAULT_LANGUAGE
        and any(
            not getattr(obj, build_localized_fieldname(name, language)) for name in filled_in_dutch
        )
    ]


@method_decorator(
    csp_override(allow_prose_editor_style(settings.SECURE_CSP)), name="changeform_view"
)
class EditorialAdmin(TabbedTranslationAdmin):
    """Translations as tabs, a translation status column, and sanitized saves."""

    list_per_page = 50

    @admin.display(description=_("translations"))
    def translation_status(self, obj):
        missing = missing_translations(obj)
        if not missing:
            return _("complete")
        return _("missing: %(languages)s") % {"languages": ", ".join(missing)}

    def get_fieldsets(self, request, obj=None):
        """Without the record (uuid, dates) on the add form: it does not exist yet."""
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None:
            return fieldsets
        without_record = [
            (name, {**options, "fields": [f for f in options["fields"] if f not in RECORD_FIELDS]})
            for name, options in fieldsets
        ]
        return [(name, options) for name, options in without_record if options["fields"]]

    def save_model(self, request, obj, form, change):
        services.save_content(obj, validate=False)

    def save_formset(self, request, form, formset, change):
        # commit=False so inline objects are sanitized too; deletions are then ours to do.
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj.delete()
        for instance in instances:
            services.save_content(instance, validate=False)
        formset.save_m2m()


class PublishableAdmin(EditorialAdmin):
    """An admin for public content: "Publish" and "Unpublish" actions through the services."""

    actions = ["publish_selected", "unpublish_selected"]

    @admin.action(description=_("Publish selected %(verbose_name_plural)s"), permissions=["change"])
    def publish_selected(self, request, queryset):
        published = services.publish(
            queryset.exclude(status=Status.PUBLISHED, publish_at__isnull=False)
        )
        self.message_user(
            request,
            ngettext(
                "Published %(count)d %(items)s.",
                "Published %(count)d %(items)s.",
                published,
            )
            % {"count": published, "items": model_ngettext(self.opts, published)},
        )

    @admin.action(
        description=_("Unpublish selected %(verbose_name_plural)s"), permissions=["change"]
    )
    def unpublish_selected(self, request, queryset):
        unpublished = services.unpublish(queryset.filter(status=Status.PUBLISHED))
        self.message_user(
            request,
            ngettext(
                "Unpublished %(count)d %(items)s; it is a draft again.",
                "Unpublished %(count)d %(items)s; they are drafts again.",
                unpublished,
            )
            % {"count": unpublished, "items": model_ngettext(self.opts, unpublished)},
        )


# Inlines ---------------------------------------------------------------------------


class KeyFigureInline(TranslationStackedInline):
    model = KeyFigure
    fields = ["label", ("value", "value_max", "unit", "approximate"), ("year", "order"), "source"]
    extra = 0


class ClusterInline(TranslationTabularInline):
    model = Cluster
    fields = ["sector", "order"]
    extra = 0


class PhotoInline(TranslationStackedInline):
    model = Photo
    fields = ["image", "alt_text", "caption", "credit", "order"]
    extra = 0


class ObjectiveInline(TranslationTabularInline):
    model = Objective
    fields = ["text", "order"]
    extra = 0


class ProgrammeItemInline(TranslationStackedInline):
    model = ProgrammeItem
    fields = [("city", "host"), ("kind", "order"), "title", "description", ("date", "start_time")]
    autocomplete_fields = ["city", "host"]
    formfield_overrides = {models.TextField: {"widget": AdminTextareaWidget(attrs={"rows": 3})}}
    extra = 0


class MissionOutcomeFormSet(forms.BaseInlineFormSet):
    """An outcome of a mission belongs to the mission's partnership; editors do not pick it."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.instance.partnership_id = self.instance.partnership_id


class OutcomeInline(TranslationStackedInline):
    model = Outcome
    formset = MissionOutcomeFormSet
    fields = [
        "title",
        "slug",
        ("kind", "progress"),
        ("area", "date"),
        "parties",
        "description",
        ("status", "order"),
    ]
    prepopulated_fields = {"slug": ["title_nl"]}
    extra = 0


# Model admins ------------------------------------------------------------------------


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
                "fields": ["parent", ("latitude", "longitude")],
                "description": _(
                    "Where the region lies: the larger region it is part of, and its "
                    "coordinates in decimal degrees for the map (Hangzhou: 30.27415, 120.15515)."
                ),
            },
        ),
        (
            _("Publication"),
            {
                "fields": ["slug", ("status", "publish_at"), *RECORD_FIELDS],
                "description": PUBLICATION_DESCRIPTION,
            },
        ),
    ]


@admin.register(Organisation)
class OrganisationAdmin(PublishableAdmin):
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
                "fields": ["slug", ("status", "publish_at"), *RECORD_FIELDS],
                "description": PUBLICATION_DESCRIPTION,
            },
        ),
    ]


@admin.register(Partnership)
class PartnershipAdmin(PublishableAdmin):
    list_display = [
        "title",
        "kind",
        "home_region",
        "partner_region",
        "coordinator",
        "status",
        "publish_at",
        "translation_status",
        "updated_at",
    ]
    list_filter = ["status", "kind", "focus_areas"]
    list_select_related = ["home_region", "partner_region", "coordinator"]
    search_fields = ["title_nl", "title_en", "title_zh_hans", "slug"]
    autocomplete_fields = ["home_region", "partner_region", "coordinator"]
    prepopulated_fields = {"slug": ["title_nl"]}
    readonly_fields = RECORD_FIELDS
    formfield_overrides = {models.ManyToManyField: {"widget": forms.CheckboxSelectMultiple}}
    inlines = [ObjectiveInline]
    fieldsets = [
        (
            _("Content"),
            {
                "fields": ["title", "kind", "since_year", "summary", "description", "focus_areas"],
                "description": _(
                    "A city link, sister city, friendship agreement or memorandum of "
                    "understanding between a home region and a partner region."
                ),
            },
        ),
        (
            _("Relations"),
            {
                "fields": [
                    ("home_region", "partner_region"),
                    ("coordinator", "coordinator_since_year"),
                    "coordinator_role",
                ],
                "description": _(
                    "The two regions, and the organisation that coordinates the partnership."
                ),
            },
        ),
        (
            _("Publication"),
            {
                "fields": ["slug", ("status", "publish_at"), *RECORD_FIELDS],
                "description": PUBLICATION_DESCRIPTION,
            },
        ),
    ]


@admin.register(Mission)
class MissionAdmin(PublishableAdmin):
    list_display = [
        "title",
        "kind",
        "partnership",
        "start_date",
        "status",
        "publish_at",
        "translation_status",
        "updated_at",
    ]
    list_filter = ["status", "kind", "partnership"]
    list_select_related = ["partnership"]
    search_fields = ["title_nl", "title_en", "title_zh_hans", "slug"]
    autocomplete_fields = ["partnership", "destinations", "organisers"]
    prepopulated_fields = {"slug": ["title_nl"]}
    readonly_fields = RECORD_FIELDS
    inlines = [ProgrammeItemInline, OutcomeInline, PhotoInline]
    fieldsets = [
        (
            _("Content"),
            {
                "fields": [
                    "title",
                    "kind",
                    ("start_date", "end_date"),
                    ("leader_name", "leader_role"),
                    "participants",
                    "summary",
                    "context",
                    "why",
                    "programme_intro",
                    "result",
                ],
                "description": _(
                    "Leave dates empty when they are not known: never guess. The programme "
                    "items and outcomes are below."
                ),
            },
        ),
        (
            _("Relations"),
            {
                "fields": ["partnership", "destinations", "organisers"],
                "description": _(
                    "The partnership this mission serves, the cities or regions it visits and "
                    "the organisations that organise it."
                ),
            },
        ),
        (
            _("Publication"),
            {
                "fields": ["slug", ("status", "publish_at"), *RECORD_FIELDS],
                "description": PUBLICATION_DESCRIPTION,
            },
        ),
    ]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # A mission's outcomes belong to its partnership (Outcome.clean): when an editor moves
        # the mission, outcomes left untouched in the form must follow it too.
        services.align_outcomes_with_mission(form.instance)


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
    list_filter = ["status", "kind", "progress", "area", "partnership"]
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
                "fields": ["slug", ("status", "publish_at"), *RECORD_FIELDS],
                "description": PUBLICATION_DESCRIPTION,
            },
        ),
    ]


@admin.register(FocusArea)
class FocusAreaAdmin(EditorialAdmin):
    list_display = ["name", "slug", "order", "translation_status"]
    search_fields = ["name_nl", "name_en", "name_zh_hans", "slug"]
    prepopulated_fields = {"slug": ["name_nl"]}
    fields = ["name", "slug", "order"]


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
