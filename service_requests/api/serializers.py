from collections.abc import Mapping
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.serializers import ModelFieldsOnceSerializer
from service_requests.models import (
    CaseClass,
    Channel,
    HoldingBasis,
    RequestType,
    ServiceRequest,
    ServiceRequestEvent,
    Status,
)
from service_requests.selectors import escalation_view
from service_requests.windows import DayKind, StepKey, StepState, answer_overdue


class FileInputSerializer(serializers.Serializer):
    request_type = serializers.ChoiceField(choices=RequestType.choices)
    description = serializers.CharField(max_length=4000)
    receipt_number = serializers.CharField(required=False, allow_blank=True, max_length=20,
                                           help_text="3 letters and 10 digits; dashes and spaces are ignored")
    a_number = serializers.CharField(required=False, allow_blank=True, max_length=12,
                                     help_text="A-number: A and 8 or 9 digits (the Contact Center finds requests by it)")
    case_class = serializers.ChoiceField(choices=CaseClass.choices, default=CaseClass.STANDARD,
                                         help_text="VAWA, T and U cases cannot request a change of address here")
    # Representatives and Contact Center agents
    customer = serializers.EmailField(required=False, help_text="E-mail of an existing customer account")
    contact_name = serializers.CharField(required=False, allow_blank=True, max_length=150,
                                         help_text="Agents: caller without an account")
    contact_email = serializers.EmailField(required=False, allow_blank=True)
    zip_code = serializers.CharField(required=False, allow_blank=True, max_length=10,
                                     help_text="Caller's ZIP code when the receipt number names no office")
    notice_office = serializers.CharField(
        required=False, allow_blank=True, max_length=8,
        help_text="The office code on the latest notice (case status), such as NBC or CHI; it overrides the receipt "
                  "prefix. Asked for IOE receipts, which have no fixed office; without it they go to the field office "
                  "of the residence.")
    country = serializers.CharField(required=False, allow_blank=True, max_length=2)
    channel = serializers.ChoiceField(choices=Channel.choices, required=False,
                                      help_text="Staff only; customers always file online")


class TextInputSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=4000)
    version = serializers.IntegerField(required=False, min_value=1,
                                       help_text="The version you saw; a different current version answers 409")


class TransferInputSerializer(serializers.Serializer):
    to_office = serializers.CharField(max_length=8)
    reason = serializers.CharField(max_length=1000)
    version = serializers.IntegerField(required=False, min_value=1)


class RelocateInputSerializer(serializers.Serializer):
    agency = serializers.CharField(max_length=20, help_text="Agency code from /api/v1/agencies/")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=1000)
    version = serializers.IntegerField(required=False, min_value=1)


class CloseInputSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=1000)
    version = serializers.IntegerField(required=False, min_value=1)


class OfficeRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class EventSerializer(ModelFieldsOnceSerializer):
    actor = serializers.SerializerMethodField()
    from_office = OfficeRefSerializer(allow_null=True)
    to_office = OfficeRefSerializer(allow_null=True)
    agency = serializers.CharField(source="agency.name", default=None, allow_null=True)

    class Meta:
        model = ServiceRequestEvent
        fields = ["created_at", "kind", "body", "visible_to_customer", "actor", "from_office", "to_office", "agency"]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_actor(self, obj: ServiceRequestEvent) -> str | None:
        if obj.actor is None:
            return None
        # Customers see the office that acted, never a staff member's name.
        if self.context.get("customer_view") and obj.actor.is_staff_member:
            return "USCIS"
        return obj.actor.get_full_name() or obj.actor.username


_PLAIN = ("reference_number", "request_type", "status", "channel", "priority", "receipt_number", "version")
_TIMES = ("created_at", "first_response_at", "service_center_inquiry_at", "hq_inquiry_at")
# The columns the list reads; the queue query fetches only these.
LIST_COLUMNS = ("id", *_PLAIN, *_TIMES, "escalation__stage", "escalation__answer_due_at", "current_office__code",
                "current_office__name", "assigned_to__first_name", "assigned_to__last_name", "assigned_to__username")


def _held_by(instance: ServiceRequest, context: Mapping[str, Any]) -> str | None:
    """The officer who holds the request, for staff; customers never see officers' names (null)."""
    if context.get("customer_view") or instance.assigned_to_id is None:
        return None
    holder = instance.assigned_to
    return (f"{holder.first_name} {holder.last_name}".strip() or holder.username) if holder else None


class ServiceRequestListSerializer(ModelFieldsOnceSerializer):
    current_office = OfficeRefSerializer()
    escalation_stage = serializers.CharField(source="escalation.stage")
    age_days = serializers.SerializerMethodField()
    answer_due_at = serializers.DateTimeField(
        source="escalation.answer_due_at", allow_null=True,
        help_text="§D.4: the office answers or relocates the request before this instant (its type's target in "
                  "business days, fixed at filing; a transfer keeps it)")
    answer_overdue = serializers.SerializerMethodField(help_text="Unanswered and past answer_due_at")
    held_by = serializers.SerializerMethodField(
        help_text="Staff: the officer who holds the request (null when nobody has taken it). Always null for customers")

    class Meta:
        model = ServiceRequest
        fields = ["reference_number", "request_type", "status", "channel", "priority", "receipt_number",
                  "current_office", "created_at", "first_response_at", "escalation_stage", "service_center_inquiry_at",
                  "hq_inquiry_at", "age_days", "answer_due_at", "answer_overdue", "held_by", "version"]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_held_by(self, obj: ServiceRequest) -> str | None:
        return _held_by(obj, self.context)

    def get_answer_overdue(self, obj: ServiceRequest) -> bool:
        return answer_overdue(due=obj.escalation.answer_due_at, answered=obj.status != Status.OPEN,
                              now=self.context["now"])

    def get_age_days(self, obj: ServiceRequest) -> int:
        return (self.context["now"] - obj.created_at).days

    def to_representation(self, instance: ServiceRequest) -> dict:
        """The same fields as declared (and as the schema says), built directly: the queue renders
        twenty of these per request and DRF's per-field machinery dominated its CPU time."""
        if type(self) is not ServiceRequestListSerializer:
            return super().to_representation(instance)
        field = serializers.DateTimeField()
        data = {name: getattr(instance, name) for name in _PLAIN}
        office = instance.current_office
        data["current_office"] = {"code": office.code, "name": office.name}
        for name in _TIMES:
            value = getattr(instance, name)
            data[name] = field.to_representation(value) if value is not None else None
        data["escalation_stage"] = instance.escalation.stage
        data["age_days"] = self.get_age_days(instance)
        due = instance.escalation.answer_due_at
        data["answer_due_at"] = field.to_representation(due) if due is not None else None
        data["answer_overdue"] = self.get_answer_overdue(instance)
        data["held_by"] = _held_by(instance, self.context)
        return {name: data[name] for name in self.Meta.fields}


class LadderStepSerializer(serializers.Serializer):
    key = serializers.ChoiceField(choices=StepKey.choices)
    label = serializers.CharField()  # type: ignore[assignment]  # a field named "label" shadows Field.label
    state = serializers.ChoiceField(choices=StepState.choices)
    opens_at = serializers.DateTimeField(allow_null=True, help_text="Null while it waits on the step before it")
    done_at = serializers.DateTimeField(allow_null=True)
    until = serializers.DateTimeField(allow_null=True, help_text="Ombudsman: the last contact must be within 90 days")
    how = serializers.CharField(help_text="The published channel to use")
    in_portal = serializers.BooleanField(help_text="Sent from the request page or this API")


class EscalationSerializer(serializers.Serializer):
    stage = serializers.CharField()
    stage_label = serializers.CharField()
    window1_opens_at = serializers.DateTimeField(help_text="When the customer may follow up (stored at filing)")
    window2_opens_at = serializers.DateTimeField(allow_null=True, help_text="When the customer may contact HQ "
                                                 "(stored when the follow-up is sent; null where HQ takes no part)")
    window1_days = serializers.IntegerField(help_text="The terms the request was filed under")
    window1_kind = serializers.ChoiceField(choices=DayKind.choices)
    window2_days = serializers.IntegerField()
    window2_kind = serializers.ChoiceField(choices=DayKind.choices)
    first_step = serializers.ChoiceField(choices=StepKey.choices, help_text="service_center, or contact_center "
                                         "for requests held elsewhere")
    can_write_to_service_center = serializers.BooleanField(help_text="The follow-up inquiry can be sent now")
    can_contact_hq = serializers.BooleanField()
    service_center_refusal = serializers.CharField(help_text="Why not yet, when it cannot be sent")
    hq_refusal = serializers.CharField()
    steps = LadderStepSerializer(many=True, help_text="The whole ladder for this request, in order")
    answer_due_at = serializers.DateTimeField(allow_null=True)
    answer_overdue = serializers.BooleanField()


class ServiceRequestDetailSerializer(ServiceRequestListSerializer):
    customer = serializers.EmailField(source="owner_email")
    timeline = serializers.SerializerMethodField()
    escalation = serializers.SerializerMethodField()
    holding_basis = serializers.ChoiceField(
        choices=HoldingBasis.choices, read_only=True,
        help_text="How current_office (the office that holds the case) was decided: prefix, notice, residence, transfer",
    )

    class Meta(ServiceRequestListSerializer.Meta):
        fields = [*ServiceRequestListSerializer.Meta.fields, "holding_basis", "customer", "a_number", "case_class", "description",
                  "closed_at", "escalation", "timeline"]

    @extend_schema_field(EscalationSerializer)
    def get_escalation(self, obj: ServiceRequest) -> dict:
        return EscalationSerializer(escalation_view(obj, now=self.context["now"])).data

    @extend_schema_field(EventSerializer(many=True))
    def get_timeline(self, obj: ServiceRequest) -> list[dict]:
        return EventSerializer(self.context["timeline"], many=True, context=self.context).data  # type: ignore[return-value]  # many=True: a list


class InquiryInputSerializer(serializers.Serializer):
    message = serializers.CharField(required=False, allow_blank=True, max_length=4000,
                                    help_text="Optional; the reference number is included automatically")


class BulkInputSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=[("close", "close"), ("transfer", "transfer")])
    reference_numbers = serializers.ListField(child=serializers.CharField(max_length=16), min_length=1, max_length=100)
    reason = serializers.CharField(max_length=1000, help_text="One reason, recorded on each request")
    to_office = serializers.CharField(required=False, allow_blank=True, max_length=8, help_text="For transfer")


class AssignInputSerializer(serializers.Serializer):
    officer = serializers.CharField(max_length=150, help_text="Username of an officer at the office holding the request")


class AbsenceInputSerializer(serializers.Serializer):
    officer = serializers.CharField(required=False, allow_blank=True, max_length=150,
                                    help_text="Supervisors: the officer who is away; empty for yourself")


class SavedFilterSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(max_length=80)
    query = serializers.CharField(max_length=1000, allow_blank=True,
                                  help_text="The queue's query string, such as q=Lopez&sort=due&holder=mine")
