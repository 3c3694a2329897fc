"""Partnerships, with their objectives inline and the exchange bundle download."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, StreamingHttpResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationTabularInline

from programmes.domain import permissions
from programmes.exchange import bundles
from programmes.models import (
    Objective,
    Partnership,
)

from .base import (
    PUBLICATION_DESCRIPTION,
    RECORD_FIELDS,
    PublishableAdmin,
    RoleScopedInline,
)
from .translations import export_selected


class ObjectiveInline(RoleScopedInline, TranslationTabularInline):
    model = Objective
    fields = ["text", "order"]
    extra = 0


@admin.register(Partnership)
class PartnershipAdmin(PublishableAdmin):
    list_display = [
        "title",
        "kind",
        "owner",
        "home_region",
        "partner_region",
        "coordinator",
        "status",
        "publish_at",
        "translation_status",
        "updated_at",
    ]
    list_filter = ["status", "kind", "focus_areas"]
    list_select_related = ["owner", "home_region", "partner_region", "coordinator"]
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
                    "owner",
                    ("home_region", "partner_region"),
                    ("coordinator", "coordinator_since_year"),
                    "coordinator_role",
                ],
                "description": _(
                    "The organisation that owns the partnership (its staff edit it and its "
                    "missions), the two regions, and the organisation that coordinates it."
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

    actions = [*PublishableAdmin.actions, "download_bundle_selected", export_selected]

    def get_urls(self):
        bundle = path(
            "<path:object_id>/bundle/",
            self.admin_site.admin_view(self.bundle_view),
            name="programmes_partnership_bundle",
        )
        return [bundle, *super().get_urls()]

    def has_bundle_permission(self, request, obj=None):
        """Publishers (of their organisations' partnerships) and site managers."""
        return permissions.can(request.user, "publish", self.model if obj is None else obj)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["may_download_bundle"] = obj is not None and self.has_bundle_permission(
            request, obj
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def bundle_view(self, request, object_id):
        """The partnership's exchange bundle, streamed as it is written."""
        partnership = self.get_object(request, unquote(object_id))
        if partnership is None:
            raise Http404
        if not self.has_bundle_permission(request, partnership):
            raise PermissionDenied
        return self._bundle_response([partnership], filename=partnership.slug)

    @admin.action(
        description=_("Download an exchange bundle of the selected partnerships"),
        permissions=["bundle"],
    )
    def download_bundle_selected(self, request, queryset):
        partnerships = list(queryset.order_by("slug"))
        refused = [p for p in partnerships if not self.has_bundle_permission(request, p)]
        if refused:
            self.message_user(
                request,
                _("You may not export “%(object)s”: only its publishers and site managers may.")
                % {"object": refused[0]},
                messages.ERROR,
            )
            return None
        name = partnerships[0].slug if len(partnerships) == 1 else "partnerships"
        return self._bundle_response(partnerships, filename=name)

    @staticmethod
    def _bundle_response(partnerships, *, filename: str) -> StreamingHttpResponse:
        response = StreamingHttpResponse(
            bundles.stream_bundle(bundles.BundleExporter(partnerships)),
            content_type="application/zip",
        )
        stamp = timezone.now().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="{filename}-{stamp}.zip"'
        response["Cache-Control"] = "private, no-store"
        return response

    def get_changeform_initial_data(self, request):
        """The owner is chosen already for staff of one organisation."""
        initial = super().get_changeform_initial_data(request)
        organisations = list(permissions.organisations_for(request.user)[:2])
        if len(organisations) == 1:
            initial.setdefault("owner", organisations[0].pk)
        return initial
