"""Partner endpoints and their delivery log: for site managers only.

An endpoint's secret signs every event it receives, so nobody but a site manager (or a
superuser) sees the endpoints, their secrets or what was sent: every permission below asks
``permissions.is_site_manager``, whatever Django permissions a group holds.
"""

import json
from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IS_POPUP_VAR
from django.db.models import Count, OuterRef, Q, Subquery
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from programmes.domain.permissions import is_site_manager
from twinning.admin_search import BoundedSearch

from . import services
from .models import Delivery, DeliveryAttempt, Endpoint

RECENT = timedelta(hours=24)
FAILED_ATTEMPT = Q(status_code__isnull=True) | Q(status_code__lt=200) | Q(status_code__gte=300)


class SiteManagersOnly:
    def _site_manager(self, request) -> bool:
        return request.user.is_active and request.user.is_staff and is_site_manager(request.user)

    def has_module_permission(self, request):
        return self._site_manager(request)

    def has_view_permission(self, request, obj=None):
        return self._site_manager(request)

    def has_add_permission(self, request, *args):
        return self._site_manager(request)

    def has_change_permission(self, request, obj=None):
        return self._site_manager(request)

    def has_delete_permission(self, request, obj=None):
        return self._site_manager(request)


class EndpointForm(forms.ModelForm):
    class Meta:
        model = Endpoint
        fields = ["url", "description", "active", "all_partnerships", "partnerships"]

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("all_partnerships") and not cleaned.get("partnerships"):
            # Without either, the partner would hear about regions and organisations only:
            # never what anyone means when registering an endpoint.
            self.add_error(
                "partnerships",
                _("Choose the partnerships this partner follows, or tick “All partnerships”."),
            )
        return cleaned


@admin.register(Endpoint)
class EndpointAdmin(BoundedSearch, SiteManagersOnly, admin.ModelAdmin):
    form = EndpointForm
    list_display = ["url", "description", "active", "follows", "recent_failures"]
    list_filter = ["active", "all_partnerships"]
    search_fields = ["url", "description"]
    autocomplete_fields = ["partnerships"]
    readonly_fields = ["signing_secret", "failure_log"]
    actions = ["send_test_event", "rotate_secret"]
    fieldsets = [
        (None, {"fields": ["url", "description", "active"]}),
        (_("What the partner receives"), {"fields": ["all_partnerships", "partnerships"]}),
        (_("Signing"), {"fields": ["signing_secret"]}),
        (_("Failures in the last 24 hours"), {"fields": ["failure_log"]}),
    ]

    def get_queryset(self, request):
        since = timezone.now() - RECENT
        failed = Q(deliveries__attempt_log__attempted_at__gte=since) & (
            Q(deliveries__attempt_log__status_code__isnull=True)
            | Q(deliveries__attempt_log__status_code__lt=200)
            | Q(deliveries__attempt_log__status_code__gte=300)
        )
        return (
            super()
            .get_queryset(request)
            .annotate(failures=Count("deliveries__attempt_log", filter=failed))
            .prefetch_related("partnerships")
        )

    @admin.display(description=_("follows"))
    def follows(self, endpoint):
        if endpoint.all_partnerships:
            return _("All partnerships")
        return ", ".join(str(partnership) for partnership in endpoint.partnerships.all()) or "–"

    @admin.display(description=_("failed attempts (24 h)"), ordering="failures")
    def recent_failures(self, endpoint):
        return endpoint.failures

    @admin.display(description=_("secret"))
    def signing_secret(self, endpoint):
        if endpoint.pk is None:
            return _("Made when the endpoint is saved.")
        text = format_html(
            "<code>{}</code><br>{}",
            endpoint.secret,
            _(
                "Give this secret to the partner over a safe channel: it checks each event's "
                "signature with it. The action “Rotate secret” makes a new one."
            ),
        )
        expires = endpoint.previous_secret_expires_at
        if endpoint.previous_secret and expires and expires > timezone.now():
            text += format_html(
                "<br>{}",
                _("Events are also signed with the previous secret until %(time)s.")
                % {"time": timezone.localtime(expires).strftime("%Y-%m-%d %H:%M")},
            )
        return text

    @admin.display(description=_("recent failures"))
    def failure_log(self, endpoint):
        if endpoint.pk is None:
            return "–"
        attempts = (
            DeliveryAttempt.objects.filter(
                FAILED_ATTEMPT,
                delivery__endpoint=endpoint,
                attempted_at__gte=timezone.now() - RECENT,
            )
            .select_related("delivery")
            .order_by("-attempted_at")[:10]
        )
        if not attempts:
            return _("None")
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li>{} · {} · {} · {}</li>",
                (
                    (
                        timezone.localtime(attempt.attempted_at).strftime("%Y-%m-%d %H:%M:%S"),
                        attempt.delivery.event_type,
                        attempt.status_code or "–",
                        attempt.error,
                    )
                    for attempt in attempts
                ),
            ),
        )

    def response_add(self, request, obj, post_url_continue=None):
        """After adding, show the new endpoint: its secret is there, to be copied."""
        response = super().response_add(request, obj, post_url_continue)
        if "_addanother" in request.POST or IS_POPUP_VAR in request.POST:
            return response
        self.message_user(
            request,
            _("Copy the secret below and give it to the partner, then send a test event."),
            messages.INFO,
        )
        return HttpResponseRedirect(reverse("admin:webhooks_endpoint_change", args=[obj.pk]))

    @admin.action(description=_("Send a test event"))
    def send_test_event(self, request, queryset):
        for endpoint in queryset:
            services.send_test_event(endpoint)
        count = len(queryset)
        self.message_user(
            request,
            ngettext(
                "A test event was queued for %(count)d endpoint; see the delivery log.",
                "A test event was queued for %(count)d endpoints; see the delivery log.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Rotate secret"))
    def rotate_secret(self, request, queryset):
        for endpoint in queryset:
            services.rotate_secret(endpoint)
        count = len(queryset)
        self.message_user(
            request,
            ngettext(
                "%(count)d endpoint has a new secret; give it to the partner.",
                "%(count)d endpoints have a new secret; give them to the partners.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    fields = ["number", "attempted_at", "status_code", "duration_ms", "error", "response_body"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return is_site_manager(request.user)


@admin.register(Delivery)
class DeliveryAdmin(BoundedSearch, SiteManagersOnly, admin.ModelAdmin):
    """The delivery log: read-only, with "Retry now" for what has not arrived."""

    list_display = [
        "created_at",
        "state",
        "event_type",
        "object_uuid",
        "endpoint",
        "attempts",
        "last_attempt",
        "next_attempt_at",
    ]
    list_filter = ["state", "event_type", "endpoint"]
    list_select_related = ["endpoint"]
    search_fields = ["event_type", "endpoint__url", "endpoint__description"]
    date_hierarchy = "created_at"
    fields = [
        "endpoint",
        "event_id",
        "event_type",
        "state",
        "attempts",
        "last_status_code",
        "last_error",
        "next_attempt_at",
        "created_at",
        "body",
    ]
    readonly_fields = fields
    inlines = [DeliveryAttemptInline]
    actions = ["retry_now"]

    def get_queryset(self, request):
        last = DeliveryAttempt.objects.filter(delivery=OuterRef("pk")).order_by("-number")
        return (
            super()
            .get_queryset(request)
            .annotate(last_duration_ms=Subquery(last.values("duration_ms")[:1]))
        )

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_retry_permission(self, request):
        return self._site_manager(request)

    @admin.display(description=_("payload"))
    def body(self, delivery):
        return format_html(
            "<pre>{}</pre>", json.dumps(delivery.payload, ensure_ascii=False, indent=2)
        )

    @admin.display(description=_("object"))
    def object_uuid(self, delivery):
        """The object's UUID, shortened like a commit hash; all of it on hover."""
        uuid = (delivery.payload.get("object") or {}).get("uuid")
        if uuid is None:
            return "–"
        return format_html('<span title="{}">{}…</span>', uuid, uuid[:8])

    @admin.display(description=_("last attempt"))
    def last_attempt(self, delivery):
        """Status code (or error) and duration: "204 · 6 ms", "timed out after 5 s · 5003 ms"."""
        if not delivery.attempts:
            return "–"
        error = delivery.last_error
        if len(error) > 60:
            error = error[:59] + "…"
        answer = delivery.last_status_code if delivery.last_status_code and not error else error
        return f"{answer} · {delivery.last_duration_ms} ms"

    @admin.action(description=_("Retry now"), permissions=["retry"])
    def retry_now(self, request, queryset):
        count = sum(
            services.retry_now(delivery) for delivery in queryset.select_related("endpoint")
        )
        self.message_user(
            request,
            ngettext(
                "%(count)d delivery is being sent again.",
                "%(count)d deliveries are being sent again.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )
