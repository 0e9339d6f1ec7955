"""FilterSets shared by the API lists and the HTML directory page."""

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from .models import Audience, ChannelKind, ContactChannel, Office, OfficeType
from .zipcodes import US_STATES_AND_TERRITORIES


class OfficeFilter(django_filters.FilterSet):
    type = django_filters.ChoiceFilter(field_name="office_type", choices=OfficeType.choices, label=_("Office type"))
    state = django_filters.ChoiceFilter(
        choices=[(s, s) for s in US_STATES_AND_TERRITORIES], label=_("State or territory"), method="filter_upper"
    )
    country = django_filters.ChoiceFilter(choices=list(countries), label=_("Country"), method="filter_upper")
    search = django_filters.CharFilter(method="filter_search", label=_("Name, code or city"), max_length=100)
    appointments = django_filters.BooleanFilter(field_name="offers_appointments", label=_("Offers appointments"))

    class Meta:
        model = Office
        fields = ["type", "state", "country", "search", "appointments"]

    def filter_upper(self, queryset: QuerySet[Office], name: str, value: str) -> QuerySet[Office]:
        return queryset.filter(**{name: value.upper()})

    def filter_search(self, queryset: QuerySet[Office], name: str, value: str) -> QuerySet[Office]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(code__iexact=value) | Q(city__icontains=value))


class ContactChannelFilter(django_filters.FilterSet):
    audience = django_filters.ChoiceFilter(choices=Audience.choices)
    kind = django_filters.ChoiceFilter(choices=ChannelKind.choices)
    office = django_filters.CharFilter(field_name="office__code", lookup_expr="iexact", max_length=8)

    class Meta:
        model = ContactChannel
        fields = ["audience", "kind", "office"]
