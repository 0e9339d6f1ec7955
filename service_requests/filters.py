"""FilterSets for the staff queue, shared by the API and the web page."""

import builtins
import re
from datetime import timedelta

import django_filters
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import PortalForm
from core.text import with_name_match
from core.widgets import FastSelect

from .models import Channel, RequestType, ServiceRequest, Status

MAX_AGE_DAYS = 36_500  # a century: older is a typo, and would not fit a timedelta

SORTS = {
    "oldest": ("created_at", "id"),
    "newest": ("-created_at", "-id"),
    # The office's answer target (§D.4), soonest first; requests without one last.
    "due": (F("escalation__answer_due_at").asc(nulls_last=True), "created_at", "id"),
    "priority": ("-priority", "created_at", "id"),
}
SORT_CHOICES = [("oldest", _("Oldest first")), ("newest", _("Newest first")), ("due", _("Answer due soonest")),
                ("priority", _("Priority first"))]
HOLDER_CHOICES = [("mine", _("My requests")), ("unassigned", _("Not taken")), ("assigned", _("Taken by someone"))]


def search(queryset: QuerySet[ServiceRequest], value: str) -> QuerySet[ServiceRequest]:
    """A reference number or receipt number (exact, dashes and spaces ignored), an e-mail (contains), or a
    customer's name (every word in the account's or the caller's name)."""
    text = " ".join((value or "").split())
    if not text:
        return queryset
    compact = re.sub(r"[\s-]", "", text).upper()
    keys = Q(reference_number=compact) | Q(receipt_number=compact)
    if "@" in text:
        keys |= Q(customer__email__icontains=text) | Q(contact_email__icontains=text)
    else:
        queryset, words = with_name_match(queryset, text, ["customer__first_name", "customer__last_name",
                                                           "contact_name"])
        keys |= words
    return queryset.filter(keys)


class QueueFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_search", max_length=150,
                                  label=_("Reference number, receipt number, customer name or e-mail"))
    holder = django_filters.ChoiceFilter(choices=HOLDER_CHOICES, method="filter_holder", label=_("Taken by"),
                                         widget=FastSelect)
    type = django_filters.ChoiceFilter(field_name="request_type", choices=RequestType.choices, label=_("Type"),
                                       widget=FastSelect)
    status = django_filters.ChoiceFilter(choices=Status.choices, label=_("Status"), method="filter_status",
                                         widget=FastSelect)
    channel = django_filters.ChoiceFilter(choices=Channel.choices, label=_("Channel"), widget=FastSelect)
    min_age_days = django_filters.NumberFilter(method="filter_min_age", min_value=0, max_value=MAX_AGE_DAYS, label=_("At least this many days old"))
    max_age_days = django_filters.NumberFilter(method="filter_max_age", min_value=0, max_value=MAX_AGE_DAYS, label=_("At most this many days old"))
    inquiry = django_filters.ChoiceFilter(
        choices=[("service_center", _("Customer wrote to the service center")), ("hq", _("Escalated to HQ"))],
        method="filter_inquiry", label=_("Escalations"), widget=FastSelect,
    )
    sort = django_filters.ChoiceFilter(choices=SORT_CHOICES, method="filter_sort", label=_("Sort"),
                                       empty_label=_("By type, oldest first"), widget=FastSelect)

    class Meta:
        model = ServiceRequest
        fields = ["q", "type", "status", "channel", "holder", "min_age_days", "max_age_days", "inquiry", "sort"]
        form = PortalForm  # USWDS classes on every control

    def get_form_class(self) -> builtins.type[PortalForm]:  # `type` is a filter here
        """The form class once per process (django-filter builds a new class on every request): its fields are
        templates that every form deep-copies, their labels and choices translated when rendered."""
        cls = builtins.type(self)
        if "_form_class" not in cls.__dict__:
            cls._form_class = super().get_form_class()
        return cls._form_class

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

    def filter_search(self, queryset: QuerySet[ServiceRequest], name: str, value: str) -> QuerySet[ServiceRequest]:
        return search(queryset, value)

    def filter_holder(self, queryset: QuerySet[ServiceRequest], name: str, value: str) -> QuerySet[ServiceRequest]:
        if value == "mine":
            user = getattr(self.request, "user", None)
            return queryset.filter(assigned_to_id=user.pk if user is not None else None)
        return queryset.filter(assigned_to__isnull=value == "unassigned")

    def filter_sort(self, queryset: QuerySet[ServiceRequest], name: str, value: str) -> QuerySet[ServiceRequest]:
        return queryset.order_by(*SORTS[value])
