from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from contact_center.models import IdentityCheck, Question, Result
from core.models import AuditEvent
from service_requests.api.serializers import EventSerializer, OfficeRefSerializer
from service_requests.models import ServiceRequest


class IdentityCheckInputSerializer(serializers.Serializer):
    caller_name = serializers.CharField(max_length=150)
    questions = serializers.ListField(child=serializers.ChoiceField(choices=Question.choices), allow_empty=False,
                                      help_text="The questions asked; at least three for a verified caller")
    result = serializers.ChoiceField(choices=Result.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)


class IdentityCheckSerializer(serializers.ModelSerializer):
    class Meta:
        model = IdentityCheck
        fields = ["id", "caller_name", "questions", "result", "note", "created_at"]
        read_only_fields = fields


class LookupInputSerializer(serializers.Serializer):
    key = serializers.CharField(max_length=20, help_text="Reference number (SR…), receipt number or A-number")


class LookupResultSerializer(serializers.ModelSerializer):
    """What the Contact Center may tell a verified caller: status, dates, where it is, and the
    timeline (Tier 1: the customer's own; Tier 2: with internal notes)."""

    current_office = OfficeRefSerializer()
    timeline = serializers.SerializerMethodField()

    class Meta:
        model = ServiceRequest
        fields = ["reference_number", "request_type", "status", "receipt_number", "created_at", "first_response_at",
                  "closed_at", "current_office", "timeline"]
        read_only_fields = fields

    @extend_schema_field(EventSerializer(many=True))
    def get_timeline(self, obj: ServiceRequest) -> list[dict]:
        return EventSerializer(self.context["timelines"][obj.pk], many=True, context=self.context).data  # type: ignore[return-value]  # many=True: a list


class CaseReadSerializer(serializers.ModelSerializer):
    who = serializers.CharField(source="actor.username", default=None)
    reference_number = serializers.CharField(source="data.reference_number", default="")
    screen = serializers.CharField(source="data.screen", default="")
    role = serializers.CharField(source="data.role", default="")

    class Meta:
        model = AuditEvent
        fields = ["created_at", "who", "role", "reference_number", "screen"]
        read_only_fields = fields
