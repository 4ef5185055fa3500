from django.contrib import admin

from gardens.admin_mixins import AuditedAdmin

from .models import Agreement, AgreementParty, CooperationArea, Organisation, Signatory


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdmin):
    list_display = ["name", "short_name", "kind"]
    list_filter = ["kind"]
    search_fields = ["name", "short_name"]
    prepopulated_fields = {"slug": ["name"]}


class PartyInline(admin.TabularInline):
    model = AgreementParty
    extra = 0


class SignatoryInline(admin.TabularInline):
    model = Signatory
    extra = 0
    fields = ["name", "title", "role", "party", "is_inferred"]


class AreaInline(admin.TabularInline):
    model = CooperationArea
    extra = 0


@admin.register(Agreement)
class AgreementAdmin(AuditedAdmin):
    list_display = ["name", "kind", "signed_on", "signed_when_note", "valid_from", "valid_to"]
    list_filter = ["kind", "is_inferred"]
    search_fields = ["name", "purpose"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [PartyInline, SignatoryInline, AreaInline]


@admin.register(AgreementParty)
class AgreementPartyAdmin(AuditedAdmin):
    list_display = ["agreement", "garden", "organisation"]
    list_filter = ["agreement"]
    search_fields = ["agreement__name", "garden__name", "organisation__name"]


@admin.register(Signatory)
class SignatoryAdmin(AuditedAdmin):
    list_display = ["name", "title", "agreement", "role"]
    list_filter = ["role", "agreement"]
    search_fields = ["name", "title"]


@admin.register(CooperationArea)
class CooperationAreaAdmin(AuditedAdmin):
    list_display = ["description", "agreement", "position"]
    list_filter = ["agreement"]
    search_fields = ["description"]
