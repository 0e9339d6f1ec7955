from rest_framework import serializers

from inquiries.models import InquiryChannel, Topic, Triage
from offices.api.serializers import AgencySerializer


class RecordInputSerializer(serializers.Serializer):
    channel = serializers.ChoiceField(choices=InquiryChannel.choices, help_text="self_service is the public guide's")
    topic = serializers.ChoiceField(choices=Topic.choices)
    text = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    customer = serializers.EmailField(required=False, help_text="E-mail of the customer's account, if any")
    contact_name = serializers.CharField(required=False, allow_blank=True, max_length=150)
    contact_email = serializers.EmailField(required=False, allow_blank=True)
    contact_phone = serializers.CharField(required=False, allow_blank=True, max_length=40)
    receipt_number = serializers.CharField(required=False, allow_blank=True, max_length=20)
    is_case_specific = serializers.BooleanField(default=False)
    dissatisfied = serializers.BooleanField(default=False)
    misconduct_alleged = serializers.BooleanField(default=False)
    redirect_topic = serializers.CharField(required=False, allow_blank=True, max_length=40,
                                           help_text="Code of another agency's topic, from /api/v1/agencies/")
    expedite_criterion = serializers.CharField(
        required=False, allow_blank=True, max_length=40,
        help_text='A current criterion\'s code, or "none" to record the expedite as not met (no service request; the '
                  "reason read out to the caller is in `outcome`)")
    expedite_evidence = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    triage_override = serializers.ChoiceField(choices=Triage.choices, required=False, allow_blank=True)
    override_reason = serializers.CharField(required=False, allow_blank=True, max_length=500)
    resolved_at_first_contact = serializers.BooleanField(default=False)
    outcome = serializers.CharField(required=False, allow_blank=True, max_length=2000)

    def validate_channel(self, value: str) -> str:
        if value == InquiryChannel.SELF_SERVICE:
            raise serializers.ValidationError("The self-service channel is recorded by the contact guide itself.")
        return value


class InquirySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    channel = serializers.CharField()
    topic = serializers.CharField()
    office = serializers.CharField(source="office.code", default=None)
    receipt_number = serializers.CharField()
    is_case_specific = serializers.BooleanField()
    suggested_triage = serializers.CharField()
    triage = serializers.CharField()
    triage_label = serializers.CharField(source="get_triage_display")
    complaint_kind = serializers.CharField()
    redirect_agency = AgencySerializer(allow_null=True)
    redirect_topic = serializers.CharField(source="redirect_topic.code", default=None)
    expedite_criterion = serializers.CharField(source="expedite_criterion.code", default=None)
    expedite_met = serializers.BooleanField(allow_null=True, help_text="Expedites: a criterion met or not; else null")
    contact_name = serializers.CharField()
    anonymous = serializers.SerializerMethodField(help_text="Recorded without an account or a name")
    taken_by = serializers.CharField(source="taken_by.username", default=None)
    outcome = serializers.CharField()
    override_reason = serializers.CharField()
    resolved_at_first_contact = serializers.BooleanField()
    repeat_of = serializers.IntegerField(source="repeat_of_id", allow_null=True)
    identity_checked = serializers.SerializerMethodField()
    service_request = serializers.CharField(source="service_request.reference_number", default=None)

    def get_anonymous(self, obj) -> bool:  # type: ignore[no-untyped-def]
        return obj.customer_id is None and not obj.contact_name

    def get_identity_checked(self, obj) -> bool:  # type: ignore[no-untyped-def]
        return obj.identity_checked_at is not None
