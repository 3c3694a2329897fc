"""The audit log: read-only, for site managers."""

from django.contrib import admin
from django.contrib.admin.utils import quote
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from programmes.domain import audit
from programmes.models import AuditLogEntry
from twinning.admin_search import BoundedSearch


@admin.register(AuditLogEntry)
class AuditLogEntryAdmin(BoundedSearch, admin.ModelAdmin):
    """The audit log, for site managers (the view permission): read-only, filterable."""

    list_display = ["timestamp", "username", "action", "content_type", "object_link", "changes"]
    # Only the kinds of object the log mentions: not every table of every library
    # (django-axes' and reversion's, untranslated).
    list_filter = [
        "action",
        ("content_type", admin.RelatedOnlyFieldListFilter),
        "timestamp",
        "username",
    ]
    list_select_related = ["content_type"]
    search_fields = ["object_repr", "username", "message"]
    date_hierarchy = "timestamp"
    fields = [
        "timestamp",
        "username",
        "action",
        "content_type",
        "object_id",
        "object_repr",
        "changes",
        "message",
    ]
    readonly_fields = fields

    @admin.display(description=_("object"))
    def object_link(self, entry):
        """A link to the object, unless it is gone (deleted, erased) or the entry is about a
        list as a whole (a list of registrations viewed: no object id)."""
        model = entry.content_type.model_class()
        gone = entry.action in (AuditLogEntry.Action.DELETED, AuditLogEntry.Action.ERASED)
        if gone or not entry.object_id or not admin.site.is_registered(model):
            return entry.object_repr
        url = reverse(
            f"admin:{entry.content_type.app_label}_{entry.content_type.model}_change",
            args=[quote(entry.object_id)],
        )
        return format_html('<a href="{}">{}</a>', url, entry.object_repr)

    @admin.display(description=_("changed fields"))
    def changes(self, entry):
        return audit.describe_fields(entry.content_type.model_class(), entry.changed_fields)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
