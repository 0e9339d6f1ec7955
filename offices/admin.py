"""Admin for the directory. Every table keeps a history of who changed what (django-simple-history)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Agency,
    AgencyClosure,
    ChannelHours,
    ContactChannel,
    CountryCoverage,
    Office,
    OfficeClosure,
    OfficeHours,
    ReceiptPrefix,
    RedirectTopic,
    StateCoverage,
    ZipCoverage,
)


class OfficeHoursInline(admin.TabularInline):
    model = OfficeHours
    extra = 0


class OfficeClosureInline(admin.TabularInline):
    model = OfficeClosure
    extra = 0


class ReceiptPrefixInline(admin.TabularInline):
    model = ReceiptPrefix
    extra = 0


@admin.register(Office)
class OfficeAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "office_type", "city", "state", "country", "offers_appointments", "confidence"]
    list_filter = ["office_type", "offers_appointments", "confidence", "country", "state"]
    search_fields = ["code", "name", "city"]
    inlines = [OfficeHoursInline, OfficeClosureInline, ReceiptPrefixInline]


@admin.register(ReceiptPrefix)
class ReceiptPrefixAdmin(SimpleHistoryAdmin):
    list_display = ["prefix", "office", "description", "confidence"]
    list_filter = ["office__office_type", "confidence"]
    search_fields = ["prefix", "office__code", "office__name"]
    autocomplete_fields = ["office"]


@admin.register(ZipCoverage)
class ZipCoverageAdmin(SimpleHistoryAdmin):
    list_display = ["prefix", "office"]
    list_filter = ["office"]
    search_fields = ["prefix", "office__code"]
    autocomplete_fields = ["office"]


@admin.register(StateCoverage)
class StateCoverageAdmin(SimpleHistoryAdmin):
    list_display = ["state", "office_type", "office"]
    list_filter = ["office_type", "office"]
    search_fields = ["state", "office__code"]
    autocomplete_fields = ["office"]


@admin.register(CountryCoverage)
class CountryCoverageAdmin(SimpleHistoryAdmin):
    list_display = ["country", "office", "note"]
    list_filter = ["office"]
    search_fields = ["country", "office__code"]
    autocomplete_fields = ["office"]


class ChannelHoursInline(admin.TabularInline):
    model = ChannelHours
    extra = 0


@admin.register(ContactChannel)
class ContactChannelAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "kind", "display_value", "value", "audience", "office", "is_active"]
    list_filter = ["kind", "audience", "purpose", "holiday_rule", "is_active"]
    search_fields = ["code", "name", "value"]
    autocomplete_fields = ["office"]
    inlines = [ChannelHoursInline]


class RedirectTopicInline(admin.TabularInline):
    model = RedirectTopic
    extra = 0


@admin.register(Agency)
class AgencyAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "department", "phone"]
    list_filter = ["department", "confidence"]
    search_fields = ["code", "name", "topics__label", "topics__keywords"]
    inlines = [RedirectTopicInline]


@admin.register(RedirectTopic)
class RedirectTopicAdmin(SimpleHistoryAdmin):
    list_display = ["code", "label", "agency"]
    list_filter = ["agency"]
    search_fields = ["code", "label", "keywords"]


@admin.register(OfficeClosure)
class OfficeClosureAdmin(SimpleHistoryAdmin):
    list_display = ["office", "date", "reason"]
    list_filter = ["office"]
    date_hierarchy = "date"
    autocomplete_fields = ["office"]


for model in (OfficeHours, ChannelHours):
    admin.site.register(model, SimpleHistoryAdmin)


@admin.register(AgencyClosure)
class AgencyClosureAdmin(SimpleHistoryAdmin):
    """Agency-wide closure days (executive orders): no appointments, and not business days for the
    escalation windows and answer targets of requests filed afterwards."""

    list_display = ["date", "reason"]
    search_fields = ["reason"]
    date_hierarchy = "date"
