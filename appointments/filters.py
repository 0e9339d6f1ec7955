import django_filters
from django.db.models import QuerySet
from django.utils import timezone

from .models import Appointment, AppointmentStatus


class AppointmentFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=AppointmentStatus.choices)
    office = django_filters.CharFilter(field_name="office__code", lookup_expr="iexact", max_length=8)
    upcoming = django_filters.BooleanFilter(method="filter_upcoming", label="Only appointments still to come")

    class Meta:
        model = Appointment
        fields = ["status", "office", "upcoming"]

    def filter_upcoming(self, queryset: QuerySet[Appointment], name: str, value: bool) -> QuerySet[Appointment]:
        now = timezone.now()
        return queryset.filter(starts_at__gt=now) if value else queryset.filter(starts_at__lte=now)
