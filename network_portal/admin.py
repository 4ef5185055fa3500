from django.contrib import admin

from core.admin import AuditedAdmin

from .models import ReportExport, ReportSubscription


@admin.register(ReportSubscription)
class ReportSubscriptionAdmin(AuditedAdmin):
    list_display = ["user", "created_at"]
    search_fields = ["user__email", "user__full_name"]
    autocomplete_fields = ["user"]


@admin.register(ReportExport)
class ReportExportAdmin(AuditedAdmin):
    """Exports are made by the task from the report page: read here, and deleted (audited), never edited.

    The file must hold exactly what the page showed its asker, so no field is editable and none is added here.
    """

    list_display = ["file_name", "requested_by", "format", "status", "progress", "created_at", "finished_at"]
    list_filter = ["status", "format"]
    search_fields = ["requested_by__email", "requested_by__full_name", "file_name", "query"]
    readonly_fields = ["requested_by", "query", "format", "language", "status", "progress", "attempt", "title",
                       "file", "file_name", "error", "created_at", "updated_at", "finished_at"]

    def has_add_permission(self, request):
        return False
