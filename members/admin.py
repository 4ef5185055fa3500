from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.admin import AuditedAdmin
from core.models import User
from core.personal_data import as_json_file
from gardens.access import admin_may_manage_personal_data, own_data_access

from . import privacy
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
    ImportRow,
    KeyFigures,
    MemberCompany,
    SavedImportMapping,
    TargetCompany,
    TransferRequest,
)

# --- Personal data: the admin's export and erase go through members/privacy.py, like the pages ----------


def _json_response(data, name: str):
    from django.http import HttpResponse

    response = HttpResponse(as_json_file(data), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.json"'
    response["Cache-Control"] = "no-store"
    return response


def _confirmed(modeladmin, request, queryset, title: str):
    """The admin's intermediate page: erase only after the superuser confirms on a second page."""
    if not admin_may_manage_personal_data(request.user):
        raise PermissionDenied
    if request.POST.get("confirmed") == "yes":
        return None
    return TemplateResponse(request, "admin/members/confirm_erase.html", {
        **modeladmin.admin_site.each_context(request), "title": title, "objects": list(queryset),
        "action": request.POST.get("action"), "opts": modeladmin.model._meta,
        "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
    })


@admin.action(description=gettext_lazy("Export the selected contact persons' personal data (JSON)"))
def export_contacts(modeladmin, request, queryset):
    if not admin_may_manage_personal_data(request.user):
        raise PermissionDenied
    contacts = queryset.select_related("target__company", "target__garden")
    return _json_response([privacy.contact_person_export(contact=c) for c in contacts], "kontaktpersoner")


@admin.action(description=gettext_lazy("Erase the selected contact persons' personal data"))
def erase_contacts(modeladmin, request, queryset):
    page = _confirmed(modeladmin, request, queryset, _("Erase the contact persons' personal data?"))
    if page is not None:
        return page
    count = 0
    for contact in queryset.select_related("target__garden"):
        privacy.contact_person_erase(contact=contact, by=request.user)
        count += 1
    modeladmin.message_user(request, _("Erased %(count)d contact person(s).") % {"count": count}, messages.SUCCESS)
    return None


def _entrepreneurs(queryset):
    """The selected accounts (or profiles' accounts), split into entrepreneurs and the rest (refused)."""
    users = [getattr(obj, "user", obj) for obj in queryset]
    allowed = [u for u in users if own_data_access(u).can_erase]
    return allowed, [u for u in users if u not in allowed]


def _entrepreneurs_or_refuse(modeladmin, request, queryset):
    """The selected entrepreneurs' accounts, or None (with a message) when the selection holds anyone else."""
    if not admin_may_manage_personal_data(request.user):
        raise PermissionDenied
    allowed, refused = _entrepreneurs(queryset)
    if refused:
        modeladmin.message_user(request, _("Only entrepreneurs' accounts can be exported or erased here: %(who)s")
                                % {"who": ", ".join(u.email for u in refused)}, messages.ERROR)
        return None
    return allowed


@admin.action(description=gettext_lazy("Export the selected entrepreneurs' personal data (JSON)"))
def export_entrepreneurs(modeladmin, request, queryset):
    allowed = _entrepreneurs_or_refuse(modeladmin, request, queryset)
    if allowed is None:
        return None
    return _json_response([privacy.entrepreneur_export(user=u) for u in allowed], "grundere")


@admin.action(description=gettext_lazy("Delete the selected entrepreneurs' accounts and personal data"))
def erase_entrepreneurs(modeladmin, request, queryset):
    allowed = _entrepreneurs_or_refuse(modeladmin, request, queryset)
    if allowed is None:
        return None
    page = _confirmed(modeladmin, request, queryset, _("Delete the entrepreneurs' accounts and personal data?"))
    if page is not None:
        return page
    for user in allowed:
        privacy.entrepreneur_erase(user=user, by=request.user)
    modeladmin.message_user(request, _("Deleted %(count)d account(s).") % {"count": len(allowed)}, messages.SUCCESS)
    return None


# The user admin lives in core (below members); members adds its personal-data actions to it.
_user_admin = admin.site.get_model_admin(User)
_user_admin.actions = [*(_user_admin.actions or []), export_entrepreneurs, erase_entrepreneurs]


@admin.register(EntrepreneurProfile)
class EntrepreneurProfileAdmin(AuditedAdmin):
    actions = [export_entrepreneurs, erase_entrepreneurs]
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
    actions = [export_contacts, erase_contacts]


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


@admin.register(ImportRow)
class ImportRowAdmin(AuditedAdmin):
    list_display = ["batch", "line", "org_number", "has_problems", "left_out"]
    list_filter = ["has_problems", "left_out"]
    search_fields = ["org_number"]
    raw_id_fields = ["batch"]


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
