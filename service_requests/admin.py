from django.contrib import admin

from .models import AnswerTarget, EscalationPolicy, ServiceRequest, ServiceRequestEvent


class EventInline(admin.TabularInline):
    model = ServiceRequestEvent
    extra = 0
    can_delete = False
    readonly_fields = ["created_at", "kind", "actor", "body", "visible_to_customer", "from_office", "to_office", "agency"]

    def has_add_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(ServiceRequest)
class ServiceRequestAdmin(admin.ModelAdmin):
    """Read-only: requests change through the staff pages and API, which keep the timeline."""

    list_display = ["reference_number", "request_type", "status", "current_office", "channel", "created_at"]
    list_filter = ["status", "request_type", "channel", "current_office__office_type"]
    search_fields = ["reference_number", "receipt_number", "customer__email", "contact_email"]
    date_hierarchy = "created_at"
    inlines = [EventInline]

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(EscalationPolicy)
class EscalationPolicyAdmin(admin.ModelAdmin):
    """The one row of escalation windows (without it the defaults, 15 and 21 calendar days, apply).
    A change applies to requests filed after it; each request keeps the terms it was filed under."""

    list_display = ["__str__", "window1_days", "window1_kind", "window2_days", "window2_kind", "updated_at"]

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return super().has_add_permission(request) and not EscalationPolicy.objects.exists()


@admin.register(AnswerTarget)
class AnswerTargetAdmin(admin.ModelAdmin):
    """§D.4: business days the receiving office has to answer or relocate, per request type (15
    without a row). A change applies to requests filed after it; a transfer keeps a request's target."""

    list_display = ["request_type", "business_days", "updated_at"]
