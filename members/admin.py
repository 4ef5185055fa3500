from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from gardens.admin_mixins import AuditedAdmin

from .models import Company, EntrepreneurProfile, MemberCompany, TargetCompany, User


@admin.register(User)
class UserAdmin(AuditedAdmin, BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_network_reader", "is_demo", "is_staff", "is_active"]
    list_filter = ["is_network_reader", "is_demo", "is_staff", "is_superuser", "is_active"]
    search_fields = ["email", "full_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Person"), {"fields": ["full_name", "is_demo"]}),
        (_("Network reader"), {"fields": ["is_network_reader", "reader_organisation"]}),
        (_("Permissions"), {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "full_name", "password1", "password2"]})]


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


@admin.register(TargetCompany)
class TargetCompanyAdmin(AuditedAdmin):
    list_display = ["company", "garden", "status", "contract_start", "contract_end"]
    list_filter = ["garden", "status"]
    search_fields = ["company__name", "company__org_number"]
    list_select_related = ["company", "garden"]
    autocomplete_fields = ["company"]
