from django.contrib import admin
from modeltranslation.admin import TranslationAdmin
from simple_history.admin import SimpleHistoryAdmin

from .models import Appointment, AppointmentPolicy, AppointmentReason, ScheduleTemplate, Slot


@admin.register(AppointmentPolicy)
class AppointmentPolicyAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "booking_horizon_days", "min_notice_hours", "max_active_per_customer",
                    "max_reschedules", "reschedule_cutoff_hours", "cancel_cutoff_hours", "reminder_hours_before"]
    autocomplete_fields = ["office"]


@admin.register(ScheduleTemplate)
class ScheduleTemplateAdmin(SimpleHistoryAdmin):
    list_display = ["office", "weekday", "opens", "closes", "slot_minutes", "places", "valid_from", "valid_until"]
    list_filter = ["weekday", "office__office_type", "office"]
    search_fields = ["office__code", "office__name"]
    autocomplete_fields = ["office"]


@admin.register(AppointmentReason)
class AppointmentReasonAdmin(TranslationAdmin, SimpleHistoryAdmin):  # label and what to bring in English and Spanish
    list_display = ["code", "label", "international", "is_active", "display_order"]
    list_filter = ["is_active", "international"]
    search_fields = ["code", "label"]


@admin.register(Slot)
class SlotAdmin(admin.ModelAdmin):
    list_display = ["office", "starts_at", "capacity", "booked"]
    list_filter = ["office"]
    date_hierarchy = "starts_at"
    readonly_fields = ["office", "starts_at", "ends_at", "booked"]

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False  # slots are created by bookings; change capacity here if needed


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    """Read-only: appointments change through the booking services, never by hand."""

    list_display = ["confirmation_code", "office", "starts_at", "customer", "status", "reschedule_count"]
    list_filter = ["status", "office"]
    search_fields = ["confirmation_code", "customer__email"]
    date_hierarchy = "starts_at"

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False
