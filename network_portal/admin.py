from django.contrib import admin

from core.admin import AuditedAdmin

from .models import ReportSubscription


@admin.register(ReportSubscription)
class ReportSubscriptionAdmin(AuditedAdmin):
    list_display = ["user", "created_at"]
    search_fields = ["user__email", "user__full_name"]
    autocomplete_fields = ["user"]
