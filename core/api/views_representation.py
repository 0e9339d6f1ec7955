"""Representation on record through the API: the same services as the account page."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core import representation
from core.errors import Forbidden
from core.http import AuthenticatedRequest
from core.models import Representation, Role


class RepresentationSerializer(serializers.ModelSerializer):
    customer = serializers.EmailField(source="customer.email", read_only=True)
    customer_name = serializers.CharField(source="customer.get_full_name", read_only=True)
    representative = serializers.EmailField(source="representative.email", read_only=True)
    representative_name = serializers.CharField(source="representative.get_full_name", read_only=True)
    receipt_numbers = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Representation
        fields = ["id", "customer", "customer_name", "representative", "representative_name", "status", "source",
                  "all_cases", "receipt_numbers", "created_at", "confirmed_at", "withdrawn_at"]


class RepresentationInputSerializer(serializers.Serializer):
    email = serializers.EmailField(help_text="Customers: the representative's e-mail. Representatives: the customer's.")
    all_cases = serializers.BooleanField(default=False)
    receipt_numbers = serializers.ListField(child=serializers.CharField(max_length=20), required=False, default=list)


class RequestSentSerializer(serializers.Serializer):
    detail = serializers.CharField()


class G28InputSerializer(serializers.Serializer):
    receipt_number = serializers.CharField(max_length=20)
    customer_email = serializers.EmailField()
    representative_email = serializers.EmailField()


_NOT_YOURS = OpenApiResponse(description="No representation with that number is yours")


class RepresentationListApi(APIView):
    """Your representations (customer or representative). POST: a customer names a representative
    (on record at once, 201); a representative asks a customer to confirm them (202, the same answer
    whether or not an account has the address)."""

    @extend_schema(responses={200: RepresentationSerializer(many=True)}, tags=["representation"])
    def get(self, request: AuthenticatedRequest) -> Response:
        rows = representation.representations_for_user(request.user)
        return Response(RepresentationSerializer(rows, many=True).data)

    @extend_schema(request=RepresentationInputSerializer,
                   responses={201: RepresentationSerializer, 202: RequestSentSerializer}, tags=["representation"])
    def post(self, request: AuthenticatedRequest) -> Response:
        data = RepresentationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if request.user.role == Role.REPRESENTATIVE:
            representation.representation_request(
                representative=request.user, customer_email=values["email"], all_cases=values["all_cases"],
                receipt_numbers=values["receipt_numbers"])
            return Response({"detail": str(representation.REQUEST_SENT)}, status=status.HTTP_202_ACCEPTED)
        if request.user.role != Role.CUSTOMER:
            raise Forbidden(str(representation.ONLY_CUSTOMER_CONFIRMS))
        row = representation.representation_invite(
            customer=request.user, representative_email=values["email"], all_cases=values["all_cases"],
            receipt_numbers=values["receipt_numbers"])
        return Response(RepresentationSerializer(row).data, status=status.HTTP_201_CREATED)


class RepresentationConfirmApi(APIView):
    @extend_schema(request=None, responses={200: RepresentationSerializer, 404: _NOT_YOURS}, tags=["representation"])
    def post(self, request: AuthenticatedRequest, representation_id: int) -> Response:
        """The customer confirms a pending representation."""
        row = representation.representation_confirm(actor=request.user, representation_id=representation_id)
        return Response(RepresentationSerializer(row).data)


class RepresentationWithdrawApi(APIView):
    @extend_schema(request=None, responses={200: RepresentationSerializer, 404: _NOT_YOURS}, tags=["representation"])
    def post(self, request: AuthenticatedRequest, representation_id: int) -> Response:
        """Either side withdraws (or declines) a representation."""
        row = representation.representation_withdraw(actor=request.user, representation_id=representation_id)
        return Response(RepresentationSerializer(row).data)


class G28Api(APIView):
    @extend_schema(request=G28InputSerializer, responses={201: RepresentationSerializer}, tags=["representation"])
    def post(self, request: AuthenticatedRequest) -> Response:
        """Staff record a Form G-28 on file for a receipt number."""
        data = G28InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = representation.representation_record_g28(actor=request.user, **data.validated_data)
        return Response(RepresentationSerializer(row).data, status=status.HTTP_201_CREATED)
