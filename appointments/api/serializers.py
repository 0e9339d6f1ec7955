from datetime import datetime, timedelta
from typing import Any, cast

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from appointments import rules
from appointments.models import Appointment, AppointmentReason, AppointmentStatus
from appointments.selectors import MAX_RANGE_DAYS, policy_for
from core.api.serializers import ModelFieldsOnceSerializer
from core.validators import validate_near_date

RANGE_BACKWARDS = _("The end date must be on or after the start date.")
RANGE_TOO_LONG = _("Ask for at most {days} days at a time.")


class StartField(serializers.CharField):
    """An ISO 8601 date-time. Without an offset it is read as the office's local time."""

    def to_internal_value(self, data: Any) -> datetime:  # type: ignore[override]  # a string on the wire
        value = rules.parse_start(super().to_internal_value(data))
        if value is None:
            raise serializers.ValidationError(str(rules.BAD_START))
        return value


class AvailabilityQuerySerializer(serializers.Serializer):
    start = serializers.DateField(help_text="First local date, YYYY-MM-DD", validators=[validate_near_date])
    end = serializers.DateField(help_text="Last local date, YYYY-MM-DD (at most 31 days after start)",
                                validators=[validate_near_date])

    def validate(self, attrs: dict) -> dict:
        if attrs["end"] < attrs["start"]:
            raise serializers.ValidationError({"end": [str(RANGE_BACKWARDS)]})
        if attrs["end"] - attrs["start"] > timedelta(days=MAX_RANGE_DAYS - 1):
            raise serializers.ValidationError({"end": [str(RANGE_TOO_LONG).format(days=MAX_RANGE_DAYS)]})
        return attrs


class AvailableSlotSerializer(serializers.Serializer):
    start = serializers.SerializerMethodField(help_text="Local start with the office's UTC offset")
    end = serializers.SerializerMethodField()
    capacity = serializers.IntegerField()
    remaining = serializers.IntegerField()

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_start(self, obj) -> str:  # type: ignore[no-untyped-def]
        return obj.start.isoformat()

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_end(self, obj) -> str:  # type: ignore[no-untyped-def]
        return obj.end.isoformat()


class AvailabilitySerializer(serializers.Serializer):
    office = serializers.CharField()
    time_zone = serializers.CharField()
    slots = AvailableSlotSerializer(many=True)


class BookInputSerializer(serializers.Serializer):
    office = serializers.CharField(max_length=8, help_text="Office code, such as CHI")
    start = StartField(help_text="Slot start, ISO 8601; without an offset it is the office's local time")
    reason = serializers.CharField(max_length=40, default="information", help_text="Appointment reason code")
    customer = serializers.EmailField(
        required=False, help_text="Representatives and staff: the e-mail of the customer booked for"
    )
    notes = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")
    other_office_reason = serializers.CharField(
        required=False, allow_blank=True, max_length=300, default="",
        help_text="Staff only: why the customer is booked at an office other than the one with jurisdiction",
    )


class RescheduleInputSerializer(serializers.Serializer):
    start = StartField(help_text="New slot start, ISO 8601")


class ReasonSerializer(ModelFieldsOnceSerializer):
    class Meta:
        model = AppointmentReason
        fields = ["code", "label", "what_to_bring"]


class AppointmentOfficeSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    address_line1 = serializers.CharField()
    address_line2 = serializers.CharField()
    city = serializers.CharField()
    state = serializers.CharField()
    postal_code = serializers.CharField()
    country = serializers.CharField(source="country.code")


class AppointmentSerializer(ModelFieldsOnceSerializer):
    office = AppointmentOfficeSerializer()
    start = serializers.SerializerMethodField(help_text="Local start with the office's UTC offset")
    end = serializers.SerializerMethodField()
    time_zone = serializers.CharField(source="office.time_zone.key")
    reason = ReasonSerializer()
    customer = serializers.EmailField(source="customer.email")
    customer_name = serializers.CharField(source="customer.get_full_name")
    booked_by = serializers.CharField(source="booked_by.username", default=None)
    reschedules_left = serializers.SerializerMethodField()
    ics_url = serializers.SerializerMethodField()

    class Meta:
        model = Appointment
        fields = [
            "id", "confirmation_code", "status", "office", "start", "end", "time_zone", "reason", "customer",
            "customer_name", "booked_by", "reschedule_count", "reschedules_left", "notes", "other_office_reason",
            "ics_url", "created_at",
            "cancelled_at", "checked_in_at", "completed_at",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_start(self, obj: Appointment) -> str:
        return obj.starts_at.astimezone(obj.office.time_zone).isoformat()

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_end(self, obj: Appointment) -> str:
        return obj.ends_at.astimezone(obj.office.time_zone).isoformat()

    def get_reschedules_left(self, obj: Appointment) -> int:
        if obj.status != AppointmentStatus.BOOKED:
            return 0
        policies = cast(dict, self.context).setdefault("_policies", {})
        if obj.office_id not in policies:
            policies[obj.office_id] = policy_for(obj.office)
        return max(policies[obj.office_id].max_reschedules - obj.reschedule_count, 0)

    def get_ics_url(self, obj: Appointment) -> str:
        return f"/api/v1/appointments/{obj.pk}/ics/"
