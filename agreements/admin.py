from django.contrib import admin
from django.db import models

from core.admin import AuditedAdmin

from .models import (
    ActionItem,
    Agreement,
    AgreementDocument,
    AgreementParty,
    CooperationArea,
    EventRegistration,
    Meeting,
    NetworkEvent,
    Obligation,
    Signatory,
)


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


@admin.register(Obligation)
class ObligationAdmin(AuditedAdmin):
    list_display = ["description", "agreement", "recurrence", "starts_on", "ends_on"]
    list_filter = ["recurrence", "agreement"]
    search_fields = ["description", "agreement__name"]


class ActionItemInline(admin.TabularInline):
    model = ActionItem
    extra = 0
    fields = ["description", "owner", "due_on", "done", "done_at"]
    raw_id_fields = ["owner"]


@admin.register(Meeting)
class MeetingAdmin(AuditedAdmin):
    list_display = ["title", "agreement", "date", "status", "obligation"]
    list_filter = ["status", "agreement"]
    search_fields = ["title", "agenda", "minutes"]
    date_hierarchy = "date"
    filter_horizontal = ["attendees"]
    inlines = [ActionItemInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(ActionItem)
class ActionItemAdmin(AuditedAdmin):
    list_display = ["description", "meeting", "owner", "due_on", "done"]
    list_filter = ["done"]
    search_fields = ["description", "meeting__title"]
    raw_id_fields = ["owner", "meeting"]


@admin.register(AgreementDocument)
class AgreementDocumentAdmin(AuditedAdmin):
    list_display = ["title", "agreement", "uploaded_by", "uploaded_at"]
    list_filter = ["agreement"]
    search_fields = ["title"]
    raw_id_fields = ["uploaded_by"]


class RegistrationInline(admin.TabularInline):
    model = EventRegistration
    extra = 0
    raw_id_fields = ["user"]


@admin.register(NetworkEvent)
class NetworkEventAdmin(AuditedAdmin):
    list_display = ["title", "starts_at", "place", "capacity", "registration_open", "agreement"]
    list_filter = ["registration_open", "agreement"]
    search_fields = ["title", "description", "place"]
    date_hierarchy = "starts_at"
    inlines = [RegistrationInline]


@admin.register(EventRegistration)
class EventRegistrationAdmin(AuditedAdmin):
    list_display = ["event", "user", "status", "created_at"]
    list_filter = ["status", "event"]
    search_fields = ["user__email", "user__full_name", "event__title"]
    raw_id_fields = ["user", "event"]
