import django_filters
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

    class Meta:
        model = Inquiry
        fields = ["channel", "triage", "topic", "office", "created_after", "created_before", "resolved"]
        form = PortalForm  # USWDS classes on every control
