import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from core.forms import PortalForm

from .models import Inquiry, InquiryChannel, Topic, Triage


class InquiryFilter(django_filters.FilterSet):
    channel = django_filters.ChoiceFilter(choices=InquiryChannel.choices, label=_("Channel"))
    triage = django_filters.ChoiceFilter(choices=Triage.choices, label=_("Triage"))
    topic = django_filters.ChoiceFilter(choices=Topic.choices, label=_("Topic"))
    office = django_filters.CharFilter(field_name="office__code", lookup_expr="iexact", max_length=8, label=_("Office"))
    created_after = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte", label=_("From"))
    created_before = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte", label=_("To"))
    resolved = django_filters.BooleanFilter(field_name="resolved_at_first_contact", label=_("Resolved on first contact"))
    mine = django_filters.BooleanFilter(method="filter_mine", label=_("Recorded by me"))

    class Meta:
        model = Inquiry
        fields = ["channel", "triage", "topic", "office", "created_after", "created_before", "resolved", "mine"]
        form = PortalForm  # USWDS classes on every control

    def filter_mine(self, queryset: QuerySet[Inquiry], name: str, value: bool) -> QuerySet[Inquiry]:
        user = getattr(self.request, "user", None)
        mine = queryset.filter(taken_by_id=user.pk if user is not None else None)
        return mine if value else queryset.exclude(pk__in=mine.values("pk"))
