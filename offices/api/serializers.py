import operator
from collections.abc import Mapping
from datetime import datetime
from typing import Any, cast

from django.utils.functional import cached_property
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.fields import HourMinuteField
from offices import jurisdiction, selectors
from offices.jurisdiction import Status
from offices.models import Agency, Confidence, ContactChannel, Office, RedirectTopic


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
    after_hours_email = serializers.SerializerMethodField(help_text="blank for the public while not confirmed")

    class Meta:
        model = ContactChannel
        fields = [
            "code", "name", "kind", "value", "display_value", "audience", "audience_label", "audience_note",
            "purpose", "office", "time_zone", "hours", "holiday_rule", "always_open", "languages", "open_now",
            "next_opens_at", "closed_reason", "after_hours_instructions", "after_hours_email", "confidence",
            "value_confirmed",
        ]

    def get_after_hours_email(self, obj: ContactChannel) -> str:
        return obj.after_hours_email if obj.after_hours_email_confirmed or self.context.get("staff_view") else ""

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
    address_confirmed = serializers.SerializerMethodField(
        help_text="false: the address is not confirmed; check uscis.gov before you travel"
    )

    class Meta:
        model = Office
        fields = [
            "code", "name", "type", "type_label", "city", "state", "country", "time_zone", "phone",
            "offers_appointments", "receipt_prefixes", "confidence", "address_confidence", "address_confirmed",
        ]

    def get_address_confirmed(self, obj: Office) -> bool:
        return obj.address_confidence == Confidence.CONFIRMED

    def get_receipt_prefixes(self, obj: Office) -> list[str]:
        return [p.prefix for p in obj.receipt_prefixes.all()]


class OfficeDetailSerializer(_NowMixin, OfficeListSerializer):
    hours = WeeklyHoursSerializer(many=True)
    channels = serializers.SerializerMethodField(help_text="The office's lines and mailboxes (placeholders: staff only)")
    open_now = serializers.SerializerMethodField(help_text="null when no public hours are published")
    source_note = serializers.SerializerMethodField(
        help_text="Staff only (blank for the public): where the directory's data comes from, and the research notes"
    )

    class Meta(OfficeListSerializer.Meta):
        fields = [
            *OfficeListSerializer.Meta.fields, "address_line1", "address_line2", "postal_code", "hours_note",
            "hours", "open_now", "description", "opened_on", "closed_on", "source_note", "channels",
        ]

    @extend_schema_field(ContactChannelSerializer(many=True))
    def get_channels(self, obj: Office) -> list[dict[str, Any]]:
        channels = selectors.visible_channels(obj.channels.all(), staff=bool(self.context.get("staff_view")))
        return ContactChannelSerializer(channels, many=True, context=self.context).data  # type: ignore[return-value]  # many=True: a list

    def get_source_note(self, obj: Office) -> str:
        return obj.source_note if self.context.get("staff_view") else ""

    @extend_schema_field(serializers.BooleanField(allow_null=True))
    def get_open_now(self, obj: Office) -> bool | None:
        closures = jurisdiction.closed_days(obj) if self.context.get("from_index") else None
        return selectors.office_status(obj, at=self._now(), closures=closures).open_now


def _plain(data: Any) -> Any:
    """Serializer output as plain dicts and lists (DRF's ReturnDict keeps its serializer and request alive)."""
    if isinstance(data, dict):
        return {key: _plain(value) for key, value in data.items()}
    if isinstance(data, list):
        return [_plain(value) for value in data]
    return data


class JurisdictionQuerySerializer(serializers.Serializer):
    zip = serializers.CharField(required=False, max_length=10, help_text="U.S. ZIP code")
    country = serializers.CharField(required=False, max_length=3, help_text="ISO 3166-1 alpha-2 country code")
    region = serializers.CharField(
        required=False, max_length=100, help_text="Province or state, where the country is split (China)"
    )
    office = serializers.CharField(
        required=False, max_length=8, help_text="Your choice among the candidates of an ambiguous ZIP answer"
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if bool(attrs.get("zip")) == bool(attrs.get("country")):
            raise serializers.ValidationError({"zip": [_("Give either zip or country.")]})
        return attrs

    @classmethod
    def parse(cls, params: Any) -> dict[str, str]:
        """The validated query. A plain one (known names, once each, not blank, within length, zip or country)
        is read directly: building the serializer's fields costs more than the lookup. Anything else goes
        through the serializer, which answers the 400 with its field errors."""
        plain = cls.plain(params)
        if plain is not None:
            return plain
        query = cls(data=params)
        query.is_valid(raise_exception=True)
        return dict(query.validated_data)

    @classmethod
    def plain(cls, params: Any) -> dict[str, str] | None:
        """The query read directly when it is plain, else None (the serializer then says what is wrong)."""
        limits = cls._limits()
        plain: dict[str, str] = {}
        for name, values in params.lists():
            value = values[0].strip() if len(values) == 1 and name in limits else ""
            if not value or len(value) > limits[name] or not value.isprintable():
                return None
            plain[name] = value
        return plain if bool(plain.get("zip")) != bool(plain.get("country")) else None

    @classmethod
    def _limits(cls) -> dict[str, int]:
        limits = cls.__dict__.get("_limits_memo")
        if limits is None:
            fields = cls._declared_fields  # type: ignore[attr-defined]  # DRF's metaclass sets it
            limits = {name: cast(serializers.CharField, field).max_length or 0 for name, field in fields.items()}
            cls._limits_memo = limits  # type: ignore[attr-defined]
        return limits


_PLAIN_ANSWER_FIELDS = ("place", "kind", "status", "reason", "message", "matched_by", "state", "county", "city",
                        "region", "confidence", "source")
_plain_fields_of = operator.attrgetter(*_PLAIN_ANSWER_FIELDS)


class JurisdictionSerializer(serializers.Serializer):
    place = serializers.CharField(help_text="The normalized ZIP code or country code asked about")
    kind = serializers.ChoiceField(choices=["zip", "country"])
    status = serializers.ChoiceField(
        choices=[Status.OFFICE, Status.CHOOSE, Status.NO_OFFICE],
        help_text="office: one office serves it; choose: pick one of `candidates` (or a `regions` entry) and ask "
        "again with office=CODE (or region=…); no_office: none serves it, `message` says what to do instead",
    )
    reason = serializers.CharField(help_text="Why the data does not decide: split_county, no_county, no_rule, "
                                   "military, freely_associated, needs_region, no_international_office")
    message = serializers.CharField()
    matched_by = serializers.CharField(help_text="zip_rule, county, state, choice, country or region")
    state = serializers.CharField()
    county = serializers.CharField()
    city = serializers.CharField()
    region = serializers.CharField()
    regions = serializers.ListField(child=serializers.CharField())
    confidence = serializers.CharField(help_text="How sure the directory is of the rule that matched")
    source = serializers.CharField(  # type: ignore[assignment]  # a field named "source" shadows Field.source
        help_text="Where the jurisdiction rule comes from (a research citation): staff only, blank for the public")
    office = serializers.SerializerMethodField()
    candidates = serializers.SerializerMethodField()
    asylum_office = serializers.SerializerMethodField()
    asylum_candidates = serializers.SerializerMethodField()
    phone_lines = serializers.SerializerMethodField(help_text="Lines this customer may call about their case")

    def to_representation(self, instance: Any) -> dict[str, Any]:
        return self.represent(instance, self.context)

    @classmethod
    def represent(cls, answer: Any, context: "Mapping[str, Any]") -> dict[str, Any]:
        """The declared fields (as the schema says), built directly: DRF's per-field machinery (a deep
        copy of the fields on every instance) cost more than the whole answer. The ZIP's own fields are
        read from the answer; the offices and lines, the same for every ZIP they serve, come from one memo
        (serialized once per minute, language and audience, and dropped with the index on any edit)."""
        data: dict[str, Any] = dict(zip(_PLAIN_ANSWER_FIELDS, _plain_fields_of(answer), strict=True))
        data["regions"] = list(answer.regions)
        suffix = cls._suffix(context)
        if not suffix[1]:
            data["source"] = ""  # the rule's research citation, as the office pages keep source notes to staff
        office, asylum = answer.office, answer.asylum_office
        key = (
            "answer", office.pk if office else None, tuple(o.pk for o in answer.candidates),
            asylum.pk if asylum else None, tuple(o.pk for o in answer.asylum_candidates), cls._lines_key(answer), *suffix,
        )
        data.update(jurisdiction.memo(key, lambda: cls(context=context)._parts(answer)))
        return data

    def _parts(self, answer: Any) -> dict[str, Any]:
        return {
            "office": self.get_office(answer), "candidates": self.get_candidates(answer),
            "asylum_office": self.get_asylum_office(answer), "asylum_candidates": self.get_asylum_candidates(answer),
            "phone_lines": self.get_phone_lines(answer),
        }

    @staticmethod
    def _lines_key(answer: Any) -> tuple:
        """What the lines a customer may call depend on (selectors.channels_for_place)."""
        return (answer.kind, answer.office.pk if answer.is_abroad and answer.office else None, answer.place == "CA")

    def _memo(self, key: tuple, build: Any) -> Any:
        return jurisdiction.memo((*key, *self._memo_suffix), lambda: _plain(build()))

    @cached_property
    def _memo_suffix(self) -> tuple:
        return self._suffix(self.context)

    @staticmethod
    def _suffix(context: "Mapping[str, Any]") -> tuple:
        """Language, audience (staff or not) and minute: what every memoized part of an answer also depends on."""
        now = context["now"]
        return context.get("language") or get_language(), bool(context.get("staff_view")), now.replace(
            second=0, microsecond=0)

    def _list(self, offices: Any) -> list[dict[str, Any]]:
        return [self._memo(("list", o.pk), lambda o=o: OfficeListSerializer(o, context=self.context).data)
                for o in offices]

    @extend_schema_field(OfficeDetailSerializer(allow_null=True))
    def get_office(self, answer: Any) -> dict[str, Any] | None:
        office = answer.office
        if office is None:
            return None
        return self._memo(("detail", office.pk), lambda: OfficeDetailSerializer(office, context=self.context).data)

    @extend_schema_field(OfficeListSerializer(many=True))
    def get_candidates(self, answer: Any) -> list[dict[str, Any]]:
        return self._list(answer.candidates)

    @extend_schema_field(OfficeListSerializer(allow_null=True))
    def get_asylum_office(self, answer: Any) -> dict[str, Any] | None:
        return self._list([answer.asylum_office])[0] if answer.asylum_office else None

    @extend_schema_field(OfficeListSerializer(many=True))
    def get_asylum_candidates(self, answer: Any) -> list[dict[str, Any]]:
        return self._list(answer.asylum_candidates)

    @extend_schema_field(ContactChannelSerializer(many=True))
    def get_phone_lines(self, answer: Any) -> list[dict[str, Any]]:
        key = ("lines", *self._lines_key(answer))

        def build() -> list[dict[str, Any]]:
            lines = selectors.channels_for_place(answer, staff=bool(self.context.get("staff_view")))
            return ContactChannelSerializer(lines, many=True, context=self.context).data  # type: ignore[return-value]  # many=True: a list

        return self._memo(key, build)


class RedirectTopicSerializer(serializers.ModelSerializer):
    class Meta:
        model = RedirectTopic
        fields = ["code", "label"]


class AgencySerializer(serializers.ModelSerializer):
    topics = RedirectTopicSerializer(many=True)

    class Meta:
        model = Agency
        fields = ["code", "name", "department", "website", "phone", "hours_note", "contact_note", "topics"]
