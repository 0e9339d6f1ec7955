from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import AuditEvent, CustomerProfile, User


class CustomerProfileInline(admin.StackedInline):
    model = CustomerProfile
    can_delete = False
    extra = 0


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    list_display = ["username", "email", "first_name", "last_name", "role", "office", "is_active"]
    list_filter = ["role", "office", "is_active"]
    search_fields = ["username", "email", "first_name", "last_name"]
    autocomplete_fields = ["office"]
    fieldsets = (*(UserAdmin.fieldsets or ()), ("Portal", {"fields": ("role", "office")}))
    inlines = [CustomerProfileInline]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor", "action", "target_type", "target_id"]
    list_filter = ["action", "target_type"]
    search_fields = ["target_id", "action", "actor__username"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False
