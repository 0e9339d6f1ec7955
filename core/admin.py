from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest

from .models import AuditEvent, CustomerProfile, Notification, Representation, User
from .notifications import notifications_release_held


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


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """The outbox, read-only: what is owed, sent, failed or held. Held rows (a worker stopped
    mid-send) can be sent again with their Message-ID after checking with the provider."""

    list_display = ["created_at", "kind", "status", "attempts", "next_attempt_at", "sent_at", "message_id"]
    list_filter = ["status", "kind"]
    search_fields = ["message_id", "dedupe_key"]
    date_hierarchy = "created_at"
    # Addresses and bodies are personal data: the list never shows them.
    fields = readonly_fields = ("kind", "status", "attempts", "last_error", "message_id", "created_at", "next_attempt_at",
                                "sent_at")
    actions = ["send_again"]

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    @admin.action(description="Send held e-mails again (same Message-ID)")
    def send_again(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        released = notifications_release_held(list(queryset.values_list("pk", flat=True)))
        self.message_user(request, f"{released} held e-mail(s) will be sent again by the next requeue run.")


@admin.register(Representation)
class RepresentationAdmin(admin.ModelAdmin):
    list_display = ["id", "customer", "representative", "status", "source", "all_cases", "created_at"]
    list_filter = ["status", "source"]
    search_fields = ["customer__email", "representative__email"]
    raw_id_fields = ["customer", "representative", "recorded_by", "withdrawn_by"]

    # Representations change only through their services (audited, the other side told).
    def has_add_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False
