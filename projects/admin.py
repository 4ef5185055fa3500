from django.contrib import admin

from core.admin import AuditedAdmin

from .models import BudgetLine, Expense, FundingCall, Grant, Milestone, ProgressReport, Project, ProjectPartner


@admin.register(FundingCall)
class FundingCallAdmin(AuditedAdmin):
    list_display = ["name", "funder", "total_amount"]
    search_fields = ["name"]
    list_filter = ["funder"]


class PartnerInline(admin.TabularInline):
    model = ProjectPartner
    extra = 0


class GrantInline(admin.TabularInline):
    model = Grant
    fk_name = "project"
    extra = 0


@admin.register(Project)
class ProjectAdmin(AuditedAdmin):
    list_display = ["name", "lead_garden", "status", "start_year", "end_year"]
    list_filter = ["status", "lead_garden", "is_inferred"]
    search_fields = ["name", "purpose"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["municipalities"]
    inlines = [PartnerInline, GrantInline]


@admin.register(ProjectPartner)
class ProjectPartnerAdmin(AuditedAdmin):
    list_display = ["project", "garden"]
    list_filter = ["project"]
    search_fields = ["project__name", "garden__name"]


@admin.register(Grant)
class GrantAdmin(AuditedAdmin):
    list_display = ["project", "funder", "on_behalf_of", "amount", "year"]
    list_filter = ["funder", "year"]
    search_fields = ["project__name", "funder__name"]


@admin.register(BudgetLine)
class BudgetLineAdmin(AuditedAdmin):
    list_display = ["project", "year", "category", "garden", "amount"]
    list_filter = ["project", "year", "category"]
    search_fields = ["project__name", "description"]


@admin.register(Expense)
class ExpenseAdmin(AuditedAdmin):
    list_display = ["project", "date", "year", "funder", "garden", "amount"]
    list_filter = ["project", "year", "funder"]
    search_fields = ["project__name", "description"]
    raw_id_fields = ["budget_line", "created_by"]


@admin.register(Milestone)
class MilestoneAdmin(AuditedAdmin):
    list_display = ["project", "title", "due", "done_on"]
    list_filter = ["project"]
    search_fields = ["title", "project__name"]


@admin.register(ProgressReport)
class ProgressReportAdmin(AuditedAdmin):
    list_display = ["project", "period", "due", "submitted_on"]
    list_filter = ["project"]
    search_fields = ["period", "project__name"]
