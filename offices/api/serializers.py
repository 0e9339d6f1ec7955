from datetime import datetime
from typing import Any, cast

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.fields import HourMinuteField
from offices import selectors
from offices.models import Agency, ContactChannel, Office, RedirectTopic


class WeeklyHoursSerializer(serializers.Serializer):
    weekday = serializers.IntegerField(help_text="Monday = 0 … Sunday = 6")
    weekday_name = serializers.CharField(source="get_weekday_display")
    opens = HourMinuteField()
    closes = HourMinuteField()


class _NowMixin:
    def _now(self) -> datetime:
        return self.context["now"]  # type: ignore[attr-defined]


class ContactChannelSerializer(_NowMixin, serializers.ModelSerializer):
    audience_label = serializers.CharField(source="get_audience_display")
    office = serializers.CharField(source="office.code", default=None)
    time_zone = serializers.CharField(source="time_zone.key")
    hours = WeeklyHoursSerializer(many=True)
    open_now = serializers.SerializerMethodField(help_text="null when no hours are published")
    next_opens_at = serializers.SerializerMethodField()
    closed_reason = serializers.SerializerMethodField()

    class Meta:
        model = ContactChannel
        fields = [
            "code", "name", "kind", "value", "display_value", "audience", "audience_label", "audience_note",
            "purpose", "office", "time_zone", "hours", "holiday_rule", "always_open", "languages", "open_now",
            "next_opens_at", "closed_reason", "after_hours_instructions", "after_hours_email", "confidence",
        ]

    def _status(self, obj: ContactChannel) -> selectors.OpenStatus:
        cache = cast(dict, self.context).setdefault("_status", {})
        if obj.pk not in cache:
            cache[obj.pk] = selectors.channel_status(obj, at=self._now())
        return cache[obj.pk]

    @extend_schema_field(serializers.BooleanField(allow_null=True))
    def get_open_now(self, obj: ContactChannel) -> bool | None:
        return self._status(obj).open_now

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_next_opens_at(self, obj: ContactChannel) -> str | None:
        when = self._status(obj).next_opens_at
        return when.isoformat() if when else None

    @extend_schema_field(OpenApiTypes.STR)
    def get_closed_reason(self, obj: ContactChannel) -> str:
        return self._status(obj).closed_reason


class OfficeListSerializer(serializers.ModelSerializer):
    type = serializers.CharField(source="office_type")
    type_label = serializers.CharField(source="get_office_type_display")
    country = serializers.CharField(source="country.code")
    time_zone = serializers.CharField(source="time_zone.key")
    receipt_prefixes = serializers.SerializerMethodField()

    class Meta:
        model = Office
        fields = [
            "code", "name", "type", "type_label", "city", "state", "country", "time_zone", "phone",
            "offers_appointments", "receipt_prefixes", "confidence",
        ]

    def get_receipt_prefixes(self, obj: Office) -> list[str]:
        return [p.prefix for p in obj.receipt_prefixes.all()]


class OfficeDetailSerializer(_NowMixin, OfficeListSerializer):
    hours = WeeklyHoursSerializer(many=True)
    channels = ContactChannelSerializer(many=True)
    open_now = serializers.SerializerMethodField(help_text="null when no public hours are published")

    class Meta(OfficeListSerializer.Meta):
        fields = [
            *OfficeListSerializer.Meta.fields, "address_line1", "address_line2", "postal_code", "hours_note",
            "hours", "open_now", "description", "opened_on", "closed_on", "source_note", "channels",
        ]

    @extend_schema_field(serializers.BooleanField(allow_null=True))
    def get_open_now(self, obj: Office) -> bool | None:
        return selectors.office_status(obj, at=self._now()).open_now


class JurisdictionQuerySerializer(serializers.Serializer):
    zip = serializers.CharField(required=False, max_length=10, help_text="U.S. ZIP code")
    country = serializers.CharField(required=False, max_length=3, help_text="ISO 3166-1 alpha-2 country code")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if bool(attrs.get("zip")) == bool(attrs.get("country")):
            raise serializers.ValidationError({"zip": [_("Give either zip or country.")]})
        return attrs


class JurisdictionSerializer(serializers.Serializer):
    place = serializers.CharField(help_text="The normalized ZIP code or country code asked about")
    matched_by = serializers.ChoiceField(choices=["zip", "zip_prefix", "state", "country"])
    state = serializers.CharField()
    office = OfficeDetailSerializer()
    asylum_office = OfficeListSerializer(allow_null=True)
    phone_lines = ContactChannelSerializer(many=True, help_text="Lines this customer may call about their case")


class RedirectTopicSerializer(serializers.ModelSerializer):
    class Meta:
        model = RedirectTopic
        fields = ["code", "label"]


class AgencySerializer(serializers.ModelSerializer):
    topics = RedirectTopicSerializer(many=True)

    class Meta:
        model = Agency
        fields = ["code", "name", "department", "website", "phone", "hours_note", "contact_note", "topics"]
