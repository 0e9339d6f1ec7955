"""FilterSets shared by the API lists and the HTML directory page."""

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_filters.fields import ChoiceField as FilterChoiceField

from core.forms import PortalForm, QuickSelect

from .models import Audience, ChannelKind, ContactChannel, Office, OfficeType
from .zipdata import US_STATES_AND_TERRITORIES


class UpperChoiceField(FilterChoiceField):
    """A choice of upper-case codes that also accepts them in lower case (?state=il). Like every
    filter menu it starts with a blank choice (its `empty_label`), so an untouched menu filters nothing.
    Rendered in Python (the country menu is long)."""

    widget = QuickSelect

    def to_python(self, value: object) -> str:
        return super().to_python(value).strip().upper()


class UpperChoiceFilter(django_filters.ChoiceFilter):
    field_class = UpperChoiceField


class CountryChoices:
    """The countries, named and sorted in the language of the request: read at each use (each
    filter form builds its field anew), where a list would keep the names of import time. Named and
    sorted once per language (a quarter of the directory page's time when done per request)."""

    _by_language: dict[str, list] = {}

    def __iter__(self):  # type: ignore[no-untyped-def]
        language = get_language() or ""
        if language not in self._by_language:
            self._by_language[language] = [(country.code, str(country.name)) for country in countries]
        return iter(self._by_language[language])


class OfficeFilter(django_filters.FilterSet):
    type = django_filters.ChoiceFilter(field_name="office_type", choices=OfficeType.choices, label=_("Office type"),
                                       empty_label=_("Any type"))
    state = UpperChoiceFilter(choices=[(s, s) for s in US_STATES_AND_TERRITORIES], label=_("State or territory"),
                              empty_label=_("Any state or territory"))
    country = UpperChoiceFilter(choices=CountryChoices(), label=_("Country"), empty_label=_("Any country"))
    search = django_filters.CharFilter(method="filter_search", label=_("Name, code or city"), max_length=100)
    appointments = django_filters.BooleanFilter(
        field_name="offers_appointments", label=_("Appointments"),
        widget=forms.Select(choices=[("", _("Any office")), ("true", _("Offers appointments")),
                                     ("false", _("No appointments"))]),
    )

    class Meta:
        model = Office
        fields = ["type", "state", "country", "search", "appointments"]
        form = PortalForm  # USWDS classes on every control

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
