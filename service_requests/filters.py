"""FilterSets for the staff queue, shared by the API and the web page."""

from datetime import timedelta

import django_filters
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import PortalForm

from .models import Channel, RequestType, ServiceRequest, Status

MAX_AGE_DAYS = 36_500  # a century: older is a typo, and would not fit a timedelta


class QueueFilter(django_filters.FilterSet):
    type = django_filters.ChoiceFilter(field_name="request_type", choices=RequestType.choices, label=_("Type"))
    status = django_filters.ChoiceFilter(choices=Status.choices, label=_("Status"), method="filter_status")
    channel = django_filters.ChoiceFilter(choices=Channel.choices, label=_("Channel"))
    min_age_days = django_filters.NumberFilter(method="filter_min_age", min_value=0, max_value=MAX_AGE_DAYS, label=_("At least this many days old"))
    max_age_days = django_filters.NumberFilter(method="filter_max_age", min_value=0, max_value=MAX_AGE_DAYS, label=_("At most this many days old"))
    inquiry = django_filters.ChoiceFilter(
        choices=[("service_center", _("Customer wrote to the service center")), ("hq", _("Escalated to HQ"))],
        method="filter_inquiry", label=_("Escalations"),
    )

    class Meta:
        model = ServiceRequest
        fields = ["type", "status", "channel", "min_age_days", "max_age_days", "inquiry"]
        form = PortalForm  # USWDS classes on every control

    def filter_inquiry(self, queryset: QuerySet[ServiceRequest], name: str, value: str) -> QuerySet[ServiceRequest]:
        if value == "hq":
            return queryset.filter(hq_inquiry_at__isnull=False)
        return queryset.filter(service_center_inquiry_at__isnull=False, hq_inquiry_at__isnull=True)

    def filter_status(self, queryset: QuerySet[ServiceRequest], name: str, value: str) -> QuerySet[ServiceRequest]:
        return queryset.filter(status=value)

    def filter_min_age(self, queryset: QuerySet[ServiceRequest], name: str, value: float) -> QuerySet[ServiceRequest]:
        return queryset.filter(created_at__lte=timezone.now() - timedelta(days=float(value)))

    def filter_max_age(self, queryset: QuerySet[ServiceRequest], name: str, value: float) -> QuerySet[ServiceRequest]:
        return queryset.filter(created_at__gte=timezone.now() - timedelta(days=float(value)))
