from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import AuditedAdmin
from core.admin import UserAdmin as CoreUserAdmin
from core.models import User

from .geography import municipality_resolve
from .models import (
    CompetenceArea,
    County,
    Coverage,
    Garden,
    GardenContact,
    GardenStatus,
    IndustryCode,
    Invitation,
    Municipality,
    MunicipalityChange,
    Network,
    NetworkMembership,
    Organisation,
    ReaderCounty,
    StaffMembership,
    StaffProfile,
)


@admin.register(County)
class CountyAdmin(AuditedAdmin):
    list_display = ["number", "name", "valid_from", "valid_to"]
    search_fields = ["number", "name"]
    list_filter = ["valid_to"]


class ChangeOutInline(admin.TabularInline):
    model = MunicipalityChange
    fk_name = "old"
    extra = 0
    autocomplete_fields = ["new"]


@admin.register(Municipality)
class MunicipalityAdmin(AuditedAdmin):
    list_display = ["number", "name", "county", "valid_from", "valid_to"]
    search_fields = ["number", "name", "official_name"]
    list_filter = ["county", ("valid_to", admin.EmptyFieldListFilter)]
    list_select_related = ["county"]
    inlines = [ChangeOutInline]

    def get_search_results(self, request, queryset, search_term):
        """A number or name finds what it is today too, through the one lookup (1640 finds 5025 Røros)."""
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if search_term.strip():
            answer = municipality_resolve(search_term)
            related = {m.pk for m in answer.municipalities} | {f.old.pk for f in answer.former}
            queryset = queryset | self.model.objects.filter(pk__in=related)
        return queryset, may_have_duplicates


@admin.register(MunicipalityChange)
class MunicipalityChangeAdmin(AuditedAdmin):
    list_display = ["old", "new", "effective", "kind"]
    list_filter = ["kind", "effective"]
    search_fields = ["old__name", "old__number", "new__name", "new__number"]
    list_select_related = ["old", "new"]
    autocomplete_fields = ["old", "new"]


@admin.register(IndustryCode)
class IndustryCodeAdmin(AuditedAdmin):
    list_display = ["code", "name", "level", "section"]
    search_fields = ["code", "name", "short_name"]
    list_filter = ["level", "section"]
    raw_id_fields = ["parent"]


class CoverageInline(admin.TabularInline):
    model = Coverage
    extra = 0
    autocomplete_fields = ["municipality"]


class StatusInline(admin.TabularInline):
    model = GardenStatus
    extra = 0


@admin.register(Garden)
class GardenAdmin(AuditedAdmin):
    list_display = ["name", "slug", "org_number", "email"]
    search_fields = ["name", "org_number"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [StatusInline, CoverageInline]


@admin.register(GardenStatus)
class GardenStatusAdmin(AuditedAdmin):
    list_display = ["garden", "kind", "valid_from", "valid_to", "is_inferred"]
    list_filter = ["kind", "is_inferred"]
    search_fields = ["garden__name"]


@admin.register(GardenContact)
class GardenContactAdmin(AuditedAdmin):
    list_display = ["garden", "kind", "value", "title", "is_inferred"]
    list_filter = ["kind", "is_inferred"]
    search_fields = ["garden__name", "value"]


@admin.register(Coverage)
class CoverageAdmin(AuditedAdmin):
    list_display = ["garden", "municipality", "valid_from", "valid_to", "is_inferred"]
    list_filter = ["garden", "is_inferred"]
    search_fields = ["garden__name", "municipality__name", "municipality__number"]
    list_select_related = ["garden", "municipality"]
    autocomplete_fields = ["municipality"]


class NetworkMembershipInline(admin.TabularInline):
    model = NetworkMembership
    extra = 0


@admin.register(Network)
class NetworkAdmin(AuditedAdmin):
    list_display = ["name", "kind"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [NetworkMembershipInline]


@admin.register(NetworkMembership)
class NetworkMembershipAdmin(AuditedAdmin):
    list_display = ["network", "garden", "valid_from", "valid_to"]
    list_filter = ["network"]
    search_fields = ["garden__name", "network__name"]


@admin.register(StaffMembership)
class StaffMembershipAdmin(AuditedAdmin):
    list_display = ["user", "garden", "role", "valid_from", "valid_to"]
    list_filter = ["garden", "role", ("valid_to", admin.EmptyFieldListFilter)]
    search_fields = ["user__email", "user__full_name", "garden__name"]
    list_select_related = ["user", "garden"]
    autocomplete_fields = ["user"]


@admin.register(CompetenceArea)
class CompetenceAreaAdmin(AuditedAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(StaffProfile)
class StaffProfileAdmin(AuditedAdmin):
    list_display = ["user", "headline", "is_public"]
    list_filter = ["is_public", "competence_areas"]
    search_fields = ["user__email", "user__full_name", "headline"]
    filter_horizontal = ["competence_areas", "industry_sections", "municipalities_served"]

    def save_related(self, request, form, formsets, change):
        """Keep the directory's search text and name order in step with what the admin changed."""
        from .services import staff_profile_refresh_search

        super().save_related(request, form, formsets, change)
        staff_profile_refresh_search(form.instance)


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdmin):
    list_display = ["name", "short_name", "kind"]
    list_filter = ["kind"]
    search_fields = ["name", "short_name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Invitation)
class InvitationAdmin(AuditedAdmin):
    list_display = ["email", "garden", "role", "created_at", "expires_at", "accepted_at", "revoked_at"]
    list_filter = ["garden", "role"]
    search_fields = ["email"]
    exclude = ["token"]


class ReaderCountyInline(admin.TabularInline):
    model = ReaderCounty
    extra = 0
    autocomplete_fields = ["county"]
    verbose_name_plural = _("counties read (none: the whole network)")


admin.site.unregister(User)


@admin.register(User)
class UserAdmin(CoreUserAdmin):
    """The user, with the counties a county reader reads (set here, by a superuser)."""

    inlines = [ReaderCountyInline]


@admin.register(ReaderCounty)
class ReaderCountyAdmin(AuditedAdmin):
    list_display = ["user", "county"]
    search_fields = ["user__email", "user__full_name", "county__name"]
    autocomplete_fields = ["user", "county"]
