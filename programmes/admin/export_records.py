"""Export records (what partner sites were last shown): read-only, for site managers."""

from django.contrib import admin

from programmes.models import ExportRecord
from twinning.admin_search import BoundedSearch


@admin.register(ExportRecord)
class ExportRecordAdmin(BoundedSearch, admin.ModelAdmin):
    """What partner sites were told (programmes/domain/sync.py): read-only, for answering "why did
    the partner site remove this?" A record that is not public is a tombstone of /api/v1/deleted.
    """

    list_display = ["type", "uuid", "public", "changed_at"]
    list_filter = ["type", "public", "changed_at"]
    search_fields = ["uuid"]
    date_hierarchy = "changed_at"
    fields = list_display
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
