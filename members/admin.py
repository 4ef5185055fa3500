from django.contrib import admin

from core.admin import AuditedAdmin

from .models import (
    Company,
    CompetenceShare,
    ContactPerson,
    DevelopmentGoal,
    EntrepreneurProfile,
    FollowUpEntry,
    HelpRequest,
    HelpRequestMessage,
    ImportBatch,
    KeyFigures,
    MemberCompany,
    SavedImportMapping,
    TargetCompany,
    TransferRequest,
)


@admin.register(EntrepreneurProfile)
class EntrepreneurProfileAdmin(AuditedAdmin):
    list_display = ["user", "org_number", "municipality"]
    search_fields = ["user__email", "user__full_name", "org_number"]
    autocomplete_fields = ["user", "municipality"]


@admin.register(Company)
class CompanyAdmin(AuditedAdmin):
    list_display = ["name", "org_number", "industry", "municipality"]
    search_fields = ["name", "org_number"]
    list_filter = ["industry__section"]
    list_select_related = ["industry", "municipality"]
    autocomplete_fields = ["industry", "municipality"]


@admin.register(MemberCompany)
class MemberCompanyAdmin(AuditedAdmin):
    list_display = ["company", "garden", "joined_on", "left_on"]
    list_filter = ["garden"]
    search_fields = ["company__name", "company__org_number"]
    list_select_related = ["company", "garden"]
    autocomplete_fields = ["company"]


class ContactInline(admin.TabularInline):
    model = ContactPerson
    extra = 0


class KeyFiguresInline(admin.TabularInline):
    model = KeyFigures
    extra = 0


class GoalInline(admin.TabularInline):
    model = DevelopmentGoal
    extra = 0


@admin.register(TargetCompany)
class TargetCompanyAdmin(AuditedAdmin):
    list_display = ["company", "garden", "phase", "status", "contract_start", "contract_end", "adviser"]
    list_filter = ["garden", "status", "phase"]
    search_fields = ["company__name", "company__org_number"]
    list_select_related = ["company", "garden", "adviser"]
    autocomplete_fields = ["company", "adviser"]
    raw_id_fields = ["merged_into"]
    readonly_fields = ["version"]
    inlines = [ContactInline, KeyFiguresInline, GoalInline]


@admin.register(ContactPerson)
class ContactPersonAdmin(AuditedAdmin):
    list_display = ["name", "role", "target", "legal_basis"]
    list_filter = ["legal_basis"]
    search_fields = ["name", "target__company__name"]
    raw_id_fields = ["target"]


@admin.register(KeyFigures)
class KeyFiguresAdmin(AuditedAdmin):
    list_display = ["target", "year", "turnover", "value_creation", "employees", "women_in_leadership"]
    list_filter = ["year"]
    search_fields = ["target__company__name"]
    raw_id_fields = ["target"]


@admin.register(DevelopmentGoal)
class DevelopmentGoalAdmin(AuditedAdmin):
    list_display = ["description", "target", "status", "due"]
    list_filter = ["status"]
    search_fields = ["description", "target__company__name"]
    raw_id_fields = ["target"]


@admin.register(FollowUpEntry)
class FollowUpEntryAdmin(AuditedAdmin):
    list_display = ["date", "target", "kind", "hours", "adviser"]
    list_filter = ["kind", "date"]
    search_fields = ["summary", "target__company__name"]
    raw_id_fields = ["target", "adviser"]


@admin.register(ImportBatch)
class ImportBatchAdmin(AuditedAdmin):
    list_display = ["original_name", "garden", "status", "total_rows", "created_count", "created_at"]
    list_filter = ["status", "garden"]
    search_fields = ["original_name"]
    readonly_fields = ["rows"]


@admin.register(SavedImportMapping)
class SavedImportMappingAdmin(AuditedAdmin):
    list_display = ["name", "garden", "updated_at"]
    list_filter = ["garden"]
    search_fields = ["name"]


@admin.register(TransferRequest)
class TransferRequestAdmin(AuditedAdmin):
    list_display = ["from_garden", "to_garden", "status", "created_at", "completed_at"]
    list_filter = ["status"]
    search_fields = ["from_garden__name", "to_garden__name"]
    filter_horizontal = ["targets"]


@admin.register(CompetenceShare)
class CompetenceShareAdmin(AuditedAdmin):
    list_display = ["target", "colleague", "colleague_garden", "status", "created_at"]
    list_filter = ["status", "colleague_garden"]
    search_fields = ["target__company__name", "colleague__full_name", "colleague__email"]
    raw_id_fields = ["target", "requested_by", "colleague"]


class HelpRequestMessageInline(admin.TabularInline):
    model = HelpRequestMessage
    extra = 0
    raw_id_fields = ["author", "mail"]


@admin.register(HelpRequest)
class HelpRequestAdmin(AuditedAdmin):
    list_display = ["created_at", "garden", "name", "email", "status", "assigned_to"]
    list_filter = ["status", "garden"]
    search_fields = ["name", "email", "org_number", "company_name", "message"]
    list_select_related = ["garden", "assigned_to"]
    raw_id_fields = ["requester", "assigned_to", "staff_profile", "company", "municipality", "notification"]
    inlines = [HelpRequestMessageInline]


@admin.register(HelpRequestMessage)
class HelpRequestMessageAdmin(AuditedAdmin):
    list_display = ["request", "author", "created_at", "is_internal"]
    list_filter = ["is_internal"]
    search_fields = ["body", "request__name", "request__email"]
    raw_id_fields = ["request", "author", "mail"]
