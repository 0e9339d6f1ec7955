"""Admin for the directory. Every table keeps a history of who changed what (django-simple-history)."""

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline
from simple_history.admin import SimpleHistoryAdmin

from . import jurisdiction
from .models import (
    Agency,
    AgencyClosure,
    AsylumRule,
    ChannelHours,
    ContactChannel,
    CountryCoverage,
    CountyRule,
    Office,
    OfficeClosure,
    OfficeHours,
    ReceiptPrefix,
    RedirectTopic,
    ZipRule,
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
    list_display = [
        "code", "name", "office_type", "city", "state", "country", "offers_appointments", "confidence",
        "address_confidence",
    ]
    list_filter = ["office_type", "offers_appointments", "confidence", "address_confidence", "country", "state"]
    search_fields = ["code", "name", "city"]
    inlines = [OfficeHoursInline, OfficeClosureInline, ReceiptPrefixInline]


@admin.register(ReceiptPrefix)
class ReceiptPrefixAdmin(SimpleHistoryAdmin):
    list_display = ["prefix", "office", "routing", "description", "confidence"]
    list_filter = ["routing", "office__office_type", "confidence"]
    search_fields = ["prefix", "office__code", "office__name"]
    autocomplete_fields = ["office"]


@admin.register(CountyRule)
class CountyRuleAdmin(SimpleHistoryAdmin):
    """County → field office, as USCIS defines jurisdiction. The check page lists what needs a look."""

    list_display = ["state", "county", "office", "confidence", "source"]
    list_filter = ["confidence", "state", "office"]
    search_fields = ["county", "state", "office__code", "office__name", "source", "note"]
    autocomplete_fields = ["office"]
    list_select_related = ["office"]

    def get_urls(self) -> list[URLPattern]:
        check = path("check/", self.admin_site.admin_view(self.check_view), name="offices_jurisdiction_check")
        return [check, *super().get_urls()]

    def check_view(self, request: HttpRequest) -> HttpResponse:
        context = {**self.admin_site.each_context(request), "check": jurisdiction.jurisdiction_check(),
                   "title": _("Jurisdiction check")}
        return TemplateResponse(request, "admin/offices/jurisdiction_check.html", context)

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        extra = {"check_url": reverse("admin:offices_jurisdiction_check"), **(extra_context or {})}
        return super().changelist_view(request, extra_context=extra)


@admin.register(ZipRule)
class ZipRuleAdmin(SimpleHistoryAdmin):
    list_display = ["zip_code", "office", "confidence", "source"]
    list_filter = ["confidence", "office"]
    search_fields = ["zip_code", "office__code", "office__name", "source", "note"]
    autocomplete_fields = ["office"]
    list_select_related = ["office"]


@admin.register(AsylumRule)
class AsylumRuleAdmin(SimpleHistoryAdmin):
    list_display = ["state", "county", "field_office", "office", "confidence"]
    list_filter = ["confidence", "state", "office"]
    search_fields = ["state", "county", "office__code", "field_office__code", "source", "note"]
    autocomplete_fields = ["office", "field_office"]
    list_select_related = ["office", "field_office"]


@admin.register(CountryCoverage)
class CountryCoverageAdmin(SimpleHistoryAdmin):
    list_display = ["country", "region", "office", "confidence"]
    list_filter = ["confidence", "office"]
    search_fields = ["country", "region", "office__code", "source", "note"]
    autocomplete_fields = ["office"]
    list_select_related = ["office"]


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


class RedirectTopicInline(TranslationTabularInline):  # each topic's label in English and Spanish
    model = RedirectTopic
    extra = 0


@admin.register(Agency)
class AgencyAdmin(TranslationAdmin, SimpleHistoryAdmin):  # name and notes in English and Spanish
    list_display = ["code", "name", "department", "phone"]
    list_filter = ["department", "confidence"]
    search_fields = ["code", "name", "topics__label", "topics__keywords"]
    inlines = [RedirectTopicInline]


@admin.register(RedirectTopic)
class RedirectTopicAdmin(TranslationAdmin, SimpleHistoryAdmin):
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
