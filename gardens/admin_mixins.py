"""Admin changes leave the same audit trail as changes made in the portal."""

from django.contrib import admin
from django.db import transaction

from .audit import audit_record, diff, snapshot


class AuditedAdmin(admin.ModelAdmin):
    """Writes an audit entry for every add, change and delete made in the admin."""

    def _garden_of(self, obj):
        from .models import Garden

        if isinstance(obj, Garden):
            return obj
        return getattr(obj, "garden", None)

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            before = {}
            if change and obj.pk:
                before = snapshot(type(obj).objects.get(pk=obj.pk))
            super().save_model(request, obj, form, change)
            after = snapshot(obj)
            action = f"{obj._meta.app_label}.{obj._meta.model_name}.{'updated' if change else 'created'}"
            changes = diff(before, after)
            if changes or not change:
                audit_record(
                    action=action, target=obj, actor=request.user, garden=self._garden_of(obj), changes=changes
                )

    def delete_model(self, request, obj):
        with transaction.atomic():
            audit_record(
                action=f"{obj._meta.app_label}.{obj._meta.model_name}.deleted",
                target=obj,
                actor=request.user,
                garden=self._garden_of(obj),
                changes=diff(snapshot(obj), {}),
            )
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)
