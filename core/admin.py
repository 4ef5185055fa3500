"""The admin obeys the portal's rules: every change audited (inline rows too), versions bumped,
and no record moves between gardens here (that is the transfer both gardens confirm).

`AuditedAdmin` is the base of every ModelAdmin in the project.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import models, transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from .audit import audit_record, diff, snapshot
from .models import AuditEntry, Mail, User


def garden_of(obj: models.Model) -> models.Model | None:
    """The garden a record belongs to, for the audit entry: itself, its `garden`, or its parent's."""
    if obj._meta.label_lower == "gardens.garden":
        return obj
    for parent in (obj, getattr(obj, "target", None), getattr(obj, "request", None)):
        garden = getattr(parent, "garden", None) if parent is not None else None
        if garden is not None:
            return garden
    return None


def _action(obj: models.Model, verb: str) -> str:
    return f"{obj._meta.app_label}.{obj._meta.model_name}.{verb}"


def _has_field(model: type[models.Model], name: str) -> bool:
    return any(f.name == name for f in model._meta.concrete_fields)


class AuditedAdmin(admin.ModelAdmin):
    """Writes an audit entry for every add, change and delete made in the admin, inline rows included.

    A model with a `version` field gets it bumped on every change (the portal's lost-update
    guard sees admin edits too), and a record's `garden` cannot be changed once it exists.
    """

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and _has_field(self.model, "garden") and "garden" not in fields:
            fields.append("garden")
        if _has_field(self.model, "version") and "version" not in fields:
            fields.append("version")
        return fields

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            before = {}
            if change and obj.pk:
                before = snapshot(type(obj).objects.get(pk=obj.pk))
            changes = diff(before, snapshot(obj)) if change else {}
            if change and changes and _has_field(type(obj), "version"):
                obj.version = F("version") + 1
            super().save_model(request, obj, form, change)
            if isinstance(getattr(obj, "version", None), models.expressions.Combinable):
                obj.refresh_from_db(fields=["version"])
            changes = diff(before, snapshot(obj))
            if changes or not change:
                audit_record(action=_action(obj, "updated" if change else "created"), target=obj,
                             actor=request.user, garden=garden_of(obj), changes=changes)

    def save_formset(self, request, form, formset, change):
        """Inline rows: one entry per added, changed or deleted row, on the parent's history."""
        parent = form.instance
        with transaction.atomic():
            befores = {
                f.instance.pk: snapshot(type(f.instance).objects.get(pk=f.instance.pk))
                for f in formset.initial_forms
                if f.instance.pk and f.has_changed()
            }
            super().save_formset(request, form, formset, change)
            for obj in formset.new_objects:
                self._audit_part(request, parent, obj, "created", {}, snapshot(obj))
            for obj, _fields in formset.changed_objects:
                self._audit_part(request, parent, obj, "updated", befores.get(obj.pk, {}), snapshot(obj))
            for obj in formset.deleted_objects:
                self._audit_part(request, parent, obj, "deleted", snapshot(obj), {})

    def _audit_part(self, request, parent, obj, verb: str, before: dict, after: dict) -> None:
        changes = diff(before, after)
        for name in list(changes):
            field = next((f for f in obj._meta.concrete_fields if f.name == name), None)
            if field is not None and field.is_relation and field.related_model is type(parent):
                changes.pop(name)  # the link to the parent says nothing new
        if changes or verb != "updated":
            audit_record(action=_action(obj, verb), target=parent, actor=request.user, garden=garden_of(parent),
                         changes={"part": str(obj), **changes})

    def delete_model(self, request, obj):
        with transaction.atomic():
            audit_record(action=_action(obj, "deleted"), target=obj, actor=request.user, garden=garden_of(obj),
                         changes=diff(snapshot(obj), {}))
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


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


class ReadOnlyAdmin(admin.ModelAdmin):
    """For append-only records: nothing is added, changed or deleted here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """The trail is append-only."""

    list_display = ["at", "actor_label", "action", "target_label", "garden_label"]
    list_filter = ["action"]
    search_fields = ["action", "target_label", "actor_label", "garden_label"]
    date_hierarchy = "at"


@admin.register(Mail)
class MailAdmin(ReadOnlyAdmin):
    """The outbox: what was sent, what waits and why (the sweep retries on its own)."""

    list_display = ["created_at", "subject", "template", "sent_at", "attempts", "next_attempt_at", "cancelled_at"]
    list_filter = ["template", ("sent_at", admin.EmptyFieldListFilter)]
    search_fields = ["subject", "key"]
    date_hierarchy = "created_at"
