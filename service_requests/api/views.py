from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.idempotency import idempotent
from core.api.pagination import QueuePagination
from core.api.views import ScopedGenericViewSet
from core.csv_export import csv_response
from core.errors import Forbidden
from core.http import AuthenticatedRequest
from core.models import CUSTOMER_ROLES
from core.selectors import customer_by_email
from core.services import case_read_record
from service_requests import rules, selectors, services
from service_requests.filters import QueueFilter
from service_requests.models import SavedFilter, ServiceRequest

from .serializers import (
    LIST_COLUMNS,
    AbsenceInputSerializer,
    AssignInputSerializer,
    BulkInputSerializer,
    CloseInputSerializer,
    FileInputSerializer,
    InquiryInputSerializer,
    RelocateInputSerializer,
    SavedFilterSerializer,
    ServiceRequestDetailSerializer,
    ServiceRequestListSerializer,
    TextInputSerializer,
    TransferInputSerializer,
)

_CONFLICT = OpenApiResponse(description="Conflict: duplicate request, or the request changed meanwhile")


@extend_schema_view(retrieve=extend_schema(responses={200: ServiceRequestDetailSerializer}, tags=["service requests"]))
class ServiceRequestViewSet(ScopedGenericViewSet):
    """Customers: their own requests. Office staff: their office's queue (open requests by default,
    oldest first within a type). Someone else's request is a 404."""

    scope_model = ServiceRequest
    request: AuthenticatedRequest  # every action is behind IsAuthenticated (or a staff check)
    lookup_field = "reference_number"
    lookup_value_regex = "[A-Za-z0-9]{6,16}"
    filterset_class = QueueFilter
    serializer_class = ServiceRequestListSerializer

    pagination_class = QueuePagination

    def scope_queryset(self):
        user = self.request.user
        if user.role in CUSTOMER_ROLES or self.action != "list":  # one request: everything the user may see
            queryset = selectors.service_request_list_for_user(user).order_by("-created_at", "-id")
        else:
            queryset = selectors.staff_queue(user, open_only="status" not in self.request.query_params)
        if self.action == "list":
            # Only what the list shows: the queue is the busiest read in the portal.
            queryset = queryset.select_related(None).select_related("current_office", "escalation", "assigned_to").only(
                *LIST_COLUMNS)
        return queryset

    def get_serializer_context(self) -> dict:
        return {**super().get_serializer_context(), "now": timezone.now(),
                "customer_view": self.request.user.role in CUSTOMER_ROLES}

    def _detail(self, request_obj: ServiceRequest, code: int = status.HTTP_200_OK) -> Response:
        user = self.request.user
        context = {
            **self.get_serializer_context(),
            "timeline": selectors.timeline_for_user(user, request_obj),
            "customer_view": user.role in CUSTOMER_ROLES,
        }
        return Response(ServiceRequestDetailSerializer(request_obj, context=context).data, status=code)

    def _staff_only(self) -> None:
        if self.request.user.role not in rules.REQUEST_ACTING_ROLES:
            raise Forbidden("Only office staff can do that.")

    @extend_schema(tags=["service requests"])
    def list(self, request: AuthenticatedRequest) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def scope_get(self, lookup: str) -> ServiceRequest:
        return selectors.service_request_get_for_user(self.request.user, lookup)

    def render_retrieve(self, obj: ServiceRequest) -> Response:
        case_read_record(actor=self.request.user, request=obj, screen="api.service_request_detail")
        return self._detail(obj)

    @extend_schema(
        request=FileInputSerializer,
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER,
                                     description="Retries with the same key return the first result")],
        responses={201: ServiceRequestDetailSerializer, 409: _CONFLICT},
        tags=["service requests"],
    )
    def create(self, request: AuthenticatedRequest) -> Response:
        def file() -> Response:
            data = FileInputSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            values = dict(data.validated_data)
            customer = None
            if values.get("customer"):
                customer = customer_by_email(values["customer"], request.user)
            created = services.service_request_file(
                actor=request.user, request_type=values["request_type"], description=values["description"],
                receipt_number=values.get("receipt_number", ""), a_number=values.get("a_number", ""),
                case_class=values["case_class"],
                channel=values.get("channel"),
                customer=customer, contact_name=values.get("contact_name", ""),
                contact_email=values.get("contact_email", ""), zip_code=values.get("zip_code", ""),
                country=values.get("country", ""), notice_office=values.get("notice_office", ""),
            )
            return self._detail(created, status.HTTP_201_CREATED)

        return idempotent(request, file)

    def _act(self, serializer_class, service, reference_number: str, **fixed) -> Response:  # type: ignore[no-untyped-def]
        data = serializer_class(data=self.request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        version = values.pop("version", None)
        updated = service(actor=self.request.user, reference_number=reference_number, expected_version=version,
                          **values, **fixed)
        return self._detail(updated)

    @extend_schema(request=TextInputSerializer, responses={200: ServiceRequestDetailSerializer, 409: _CONFLICT},
                   tags=["service requests"])
    @action(detail=True, methods=["post"])
    def responses(self, request: AuthenticatedRequest, reference_number: str) -> Response:
        """A customer-visible answer (stops the escalation clock)."""
        return self._act(TextInputSerializer, services.service_request_respond, reference_number)

    @extend_schema(request=TextInputSerializer, responses={200: ServiceRequestDetailSerializer, 409: _CONFLICT},
                   tags=["service requests"])
    @action(detail=True, methods=["post"])
    def notes(self, request: AuthenticatedRequest, reference_number: str) -> Response:
        """An internal note: staff only, not a response."""
        return self._act(TextInputSerializer, services.service_request_note, reference_number)

    @extend_schema(request=TransferInputSerializer, responses={200: ServiceRequestDetailSerializer, 409: _CONFLICT},
                   tags=["service requests"])
    @action(detail=True, methods=["post"])
    def transfer(self, request: AuthenticatedRequest, reference_number: str) -> Response:
        """Move to the service center, field office or asylum office where the case is pending."""
        return self._act(TransferInputSerializer, services.service_request_transfer, reference_number)

    @extend_schema(request=RelocateInputSerializer, responses={200: ServiceRequestDetailSerializer, 409: _CONFLICT},
                   tags=["service requests"])
    @action(detail=True, methods=["post"])
    def relocate(self, request: AuthenticatedRequest, reference_number: str) -> Response:
        """Send to another agency; the customer receives its contact details."""
        return self._act(RelocateInputSerializer, services.service_request_relocate, reference_number)

    @extend_schema(request=CloseInputSerializer, responses={200: ServiceRequestDetailSerializer, 409: _CONFLICT},
                   tags=["service requests"])
    @action(detail=True, methods=["post"])
    def close(self, request: AuthenticatedRequest, reference_number: str) -> Response:
        return self._act(CloseInputSerializer, services.service_request_close, reference_number)

    def _inquiry(self, service, reference_number: str) -> Response:  # type: ignore[no-untyped-def]
        data = InquiryInputSerializer(data=self.request.data)
        data.is_valid(raise_exception=True)
        updated = service(actor=self.request.user, reference_number=reference_number,
                          message=data.validated_data.get("message", ""))
        return self._detail(updated)

    @extend_schema(request=InquiryInputSerializer, responses={
        200: ServiceRequestDetailSerializer,
        409: OpenApiResponse(description="Not yet (with `opens_on`), not at a service center, answered, or sent already"),
    }, tags=["escalation"])
    @action(detail=True, methods=["post"], url_path="service-center-inquiry")
    def service_center_inquiry(self, request: AuthenticatedRequest, reference_number: str) -> Response:
        """Customer: write to the service center where the case is pending, once window 1 has opened."""
        return self._inquiry(services.service_request_service_center_inquiry, reference_number)

    @extend_schema(request=InquiryInputSerializer, responses={
        200: ServiceRequestDetailSerializer,
        409: OpenApiResponse(description="Not yet (with `opens_on`), no service-center inquiry, answered, or sent already"),
    }, tags=["escalation"])
    @action(detail=True, methods=["post"], url_path="hq-inquiry")
    def hq_inquiry(self, request: AuthenticatedRequest, reference_number: str) -> Response:
        """Customer: contact HQ Office of Service Center Operations, once window 2 has opened."""
        return self._inquiry(services.service_request_hq_inquiry, reference_number)

    @extend_schema(responses={(200, "text/csv"): OpenApiResponse(description="The filtered queue as CSV; cells that "
                                                                 "begin with = + - @ are prefixed with an apostrophe")},
                   tags=["service requests"])
    @action(detail=False, methods=["get"], url_path="export")
    def export(self, request: AuthenticatedRequest) -> HttpResponse:
        """Staff: the filtered queue (same filters as the list) as a formula-safe CSV download."""
        self._staff_only()
        queryset = self.filter_queryset(selectors.staff_queue(request.user, open_only="status" not in request.query_params))
        return csv_response(selectors.EXPORT_HEADER, selectors.queue_export_rows(queryset),
                            f"queue-{timezone.localdate().isoformat()}.csv")

    @extend_schema(request=BulkInputSerializer, responses={200: ServiceRequestListSerializer(many=True), 409: _CONFLICT},
                   tags=["service requests"])
    @action(detail=False, methods=["post"])
    def bulk(self, request: AuthenticatedRequest) -> Response:
        """Staff: close or transfer several requests with one reason; all or none, each audited."""
        self._staff_only()
        data = BulkInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        done = services.service_request_bulk(actor=request.user, **data.validated_data)
        return Response(ServiceRequestListSerializer(done, many=True, context=self.get_serializer_context()).data)

    def _assignment(self, service, reference_number: str, **values) -> Response:  # type: ignore[no-untyped-def]
        return self._detail(service(actor=self.request.user, reference_number=reference_number, **values))

    @extend_schema(request=None, responses={200: ServiceRequestDetailSerializer, 409: OpenApiResponse(
        description="Someone else holds it (`held_by` names them)")}, tags=["assignment"])
    @action(detail=True, methods=["post"])
    def take(self, request: AuthenticatedRequest, reference_number: str) -> Response:
        """Officer: take the request. Of two at once, one holds it and the other gets 409 with `held_by`."""
        return self._assignment(services.service_request_take, reference_number)

    @extend_schema(request=None, responses={200: ServiceRequestDetailSerializer, 409: _CONFLICT}, tags=["assignment"])
    @action(detail=True, methods=["post"])
    def release(self, request: AuthenticatedRequest, reference_number: str) -> Response:
        """The holder (or a supervisor): hand the request back to the office's queue."""
        return self._assignment(services.service_request_release, reference_number)

    @extend_schema(request=AssignInputSerializer, responses={200: ServiceRequestDetailSerializer}, tags=["assignment"])
    @action(detail=True, methods=["post"])
    def assign(self, request: AuthenticatedRequest, reference_number: str) -> Response:
        """Supervisor: give the request to an officer of the office that holds it."""
        data = AssignInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._assignment(services.service_request_assign, reference_number, **data.validated_data)

    @extend_schema(request=AbsenceInputSerializer, responses={200: OpenApiResponse(
        description='{"handed_back": N}')}, tags=["assignment"])
    @action(detail=False, methods=["post"])
    def absence(self, request: AuthenticatedRequest) -> Response:
        """An officer away: their open requests go back to the office's queue."""
        self._staff_only()
        data = AbsenceInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        count = services.officer_absence_hand_back(actor=request.user, officer=data.validated_data.get("officer", ""))
        return Response({"handed_back": count})


@extend_schema_view(list=extend_schema(tags=["service requests"]), create=extend_schema(tags=["service requests"]),
                    destroy=extend_schema(tags=["service requests"]))
class SavedFilterViewSet(ScopedGenericViewSet):
    """Staff: your saved queue views (a name and the queue's query string)."""

    scope_model = SavedFilter
    request: AuthenticatedRequest
    serializer_class = SavedFilterSerializer
    pagination_class = None

    def scope_queryset(self):
        if self.request.user.role not in rules.REQUEST_ACTING_ROLES:
            raise Forbidden("Only office staff keep saved views.")
        return selectors.saved_filters_for(self.request.user)

    def list(self, request: AuthenticatedRequest) -> Response:
        return Response(SavedFilterSerializer(self.get_queryset(), many=True).data)

    def create(self, request: AuthenticatedRequest) -> Response:
        self.get_queryset()  # staff only
        data = SavedFilterSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        saved = services.saved_filter_save(owner=request.user, **data.validated_data)
        return Response(SavedFilterSerializer(saved).data, status=status.HTTP_201_CREATED)

    def destroy(self, request: AuthenticatedRequest, pk: str) -> Response:
        self.get_queryset()
        services.saved_filter_delete(owner=request.user, pk=int(pk) if pk.isdigit() else 0)
        return Response(status=status.HTTP_204_NO_CONTENT)
