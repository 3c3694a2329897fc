"""Missions, with their destinations, programme items, outcomes and photos inline."""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminTextareaWidget
from django.db import models
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationStackedInline

from programmes.domain import services
from programmes.models import (
    Mission,
    MissionDestination,
    Outcome,
    ProgrammeItem,
    Region,
)
from programmes.models.querysets import REGION_ANCESTORS

from .base import (
    PUBLICATION_DESCRIPTION,
    RECORD_FIELDS,
    PublishableAdmin,
    RoleScopedInline,
)
from .conflicts import EditConflictAdminMixin
from .editor_forms import ProgrammeItemForm
from .photos import PhotoInline
from .registrations import mission_summary
from .translations import export_selected


class MissionDestinationInline(RoleScopedInline, admin.TabularInline):
    """The destinations in the order the mission visits them: the rows' order, unless an
    editor numbers them (rows with the same number keep the order they were added in)."""

    model = MissionDestination
    fields = ["region", "position"]
    autocomplete_fields = ["region"]
    extra = 0


class ProgrammeItemInline(RoleScopedInline, TranslationStackedInline):
    model = ProgrammeItem
    form = ProgrammeItemForm
    fields = [
        ("city", "host"),
        ("kind", "order"),
        "title",
        "description",
        ("date", "start_time", "end_time"),
    ]
    autocomplete_fields = ["city", "host"]
    formfield_overrides = {models.TextField: {"widget": AdminTextareaWidget(attrs={"rows": 3})}}
    extra = 0

    def get_queryset(self, request):
        """With what each row's time zone is read from (``ProgrammeItemForm``), fetched once."""
        return (
            super()
            .get_queryset(request)
            .select_related(f"city__{REGION_ANCESTORS}")
            .prefetch_related(
                Prefetch(
                    "mission__destinations",
                    queryset=Region.objects.select_related(REGION_ANCESTORS),
                )
            )
        )


class MissionOutcomeFormSet(forms.BaseInlineFormSet):
    """An outcome of a mission belongs to the mission's partnership; editors do not pick it."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.instance.partnership_id = self.instance.partnership_id


class OutcomeInline(RoleScopedInline, EditConflictAdminMixin, TranslationStackedInline):
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


@admin.register(Mission)
class MissionAdmin(PublishableAdmin):
    actions = [*PublishableAdmin.actions, export_selected]
    # What editors look for first comes first: at 1280 px, with the sidebar and the filters,
    # the status and publish date must not be the columns cut off (the kind is a filter).
    list_display = [
        "title",
        "status",
        "publish_at",
        "start_date",
        "partnership",
        "translation_status",
    ]
    list_filter = ["status", "kind", ("partnership", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["partnership"]
    search_fields = ["title_nl", "title_en", "title_zh_hans", "slug"]
    autocomplete_fields = ["partnership", "organisers"]
    prepopulated_fields = {"slug": ["title_nl"]}
    readonly_fields = RECORD_FIELDS
    inlines = [MissionDestinationInline, ProgrammeItemInline, OutcomeInline, PhotoInline]
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
                "fields": ["partnership", "organisers"],
                "description": _(
                    "The partnership this mission serves and the organisations that organise "
                    "it. The cities or regions it visits are below, in the order it visits them."
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

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        """With the mission's registration in counts (templates/admin/programmes/mission/)."""
        if obj is not None:
            context["registration_summary"] = mission_summary(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # A mission's outcomes belong to its partnership (Outcome.clean): when an editor moves
        # the mission, outcomes left untouched in the form must follow it too.
        services.align_outcomes_with_mission(form.instance)
