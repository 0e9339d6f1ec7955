from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import ExpediteCriterion, FaxPermission, Inquiry


@admin.register(ExpediteCriterion)
class ExpediteCriterionAdmin(SimpleHistoryAdmin):
    list_display = ["version", "code", "label", "is_current"]
    list_filter = ["version", "is_current"]
    search_fields = ["code", "label"]


@admin.register(Inquiry)
class InquiryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "channel", "topic", "triage", "office", "resolved_at_first_contact"]
    list_filter = ["channel", "triage", "topic", "office"]
    search_fields = ["receipt_number", "contact_email", "customer__email", "text"]
    date_hierarchy = "created_at"

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(FaxPermission)
class FaxPermissionAdmin(admin.ModelAdmin):
    list_display = ["created_at", "receipt_number", "service_request", "fax_number", "office", "given_by"]
    search_fields = ["receipt_number", "fax_number"]
