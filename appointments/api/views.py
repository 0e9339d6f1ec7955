from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import permissions, status
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from appointments import selectors, services
from appointments.calendar import appointment_ics_response
from appointments.filters import AppointmentFilter
from appointments.models import Appointment
from core.api.idempotency import idempotent
from core.api.views import ScopedReadOnlyViewSet
from core.http import AuthenticatedRequest
from offices.selectors import office_get

from .renderers import CalendarRenderer
from .serializers import (
    AppointmentSerializer,
    AvailabilityQuerySerializer,
    AvailabilitySerializer,
    BookInputSerializer,
    RescheduleInputSerializer,
)


class AvailabilityApi(APIView):
    """Slots with places left at an office between two local dates (at most 31 days)."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter("start", str, required=True, description="First local date, YYYY-MM-DD"),
            OpenApiParameter("end", str, required=True, description="Last local date, YYYY-MM-DD"),
        ],
        responses={200: AvailabilitySerializer},
        tags=["appointments"],
    )
    def get(self, request: Request, code: str) -> Response:
        office = office_get(code=code, detail=False)
        query = AvailabilityQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        slots = selectors.availability(
            office, first=query.validated_data["start"], last=query.validated_data["end"], now=timezone.now()
        )
        data = {"office": office.code, "time_zone": office.time_zone.key, "slots": slots}
        return Response(AvailabilitySerializer(data).data)


_CONFLICT = OpenApiResponse(description="Conflict with current state: full slot, policy limit, stale change")


@extend_schema_view(list=extend_schema(tags=["appointments"]), retrieve=extend_schema(tags=["appointments"]))
class AppointmentViewSet(ScopedReadOnlyViewSet):
    """Customers: their appointments. Representatives and agents: also those they booked for
    others. Office staff: their office's. Another person's appointment is a 404."""

    scope_model = Appointment
    request: AuthenticatedRequest  # every action is behind IsAuthenticated (or a staff check)
    serializer_class = AppointmentSerializer
    filterset_class = AppointmentFilter

    def scope_queryset(self):
        return selectors.appointment_list_for_user(self.request.user).order_by("starts_at", "id")

    def scope_get(self, lookup: str) -> Appointment:
        return selectors.appointment_get_for_user(self.request.user, lookup)

    def _out(self, appointment: Appointment, code: int = status.HTTP_200_OK) -> Response:
        fresh = selectors.appointment_get_for_user(self.request.user, appointment.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    @extend_schema(
        request=BookInputSerializer,
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER,
                                     description="Retries with the same key return the first result")],
        responses={201: AppointmentSerializer, 409: _CONFLICT},
        tags=["appointments"],
    )
    def create(self, request: AuthenticatedRequest) -> Response:
        def book() -> Response:
            data = BookInputSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            values = data.validated_data
            appointment = services.appointment_book(
                actor=request.user, office_code=values["office"], start=values["start"], reason_code=values["reason"],
                customer_email=values.get("customer"), notes=values.get("notes", ""),
                other_office_reason=values.get("other_office_reason", ""),
            )
            # The booking holds its office, slot, reason, customer and booker in memory, and whoever booked
            # it may see it (booked_by): answer from it, no second read.
            return Response(self.get_serializer(appointment).data, status=status.HTTP_201_CREATED)

        return idempotent(request, book)

    @extend_schema(request=None, responses={200: AppointmentSerializer, 409: _CONFLICT}, tags=["appointments"])
    @action(detail=True, methods=["post"])
    def cancel(self, request: AuthenticatedRequest, pk: str) -> Response:
        return self._out(services.appointment_cancel(actor=request.user, appointment_id=pk))

    @extend_schema(request=RescheduleInputSerializer, responses={200: AppointmentSerializer, 409: _CONFLICT},
                   tags=["appointments"])
    @action(detail=True, methods=["post"])
    def reschedule(self, request: AuthenticatedRequest, pk: str) -> Response:
        data = RescheduleInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        appointment = services.appointment_reschedule(actor=request.user, appointment_id=pk,
                                                      start=data.validated_data["start"])
        return self._out(appointment)

    @extend_schema(responses={(200, "text/calendar"): OpenApiResponse(description="iCalendar file")},
                   tags=["appointments"])
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, CalendarRenderer])
    def ics(self, request: AuthenticatedRequest, pk: str) -> HttpResponse:
        appointment = self.get_object()
        return appointment_ics_response(appointment)

    @extend_schema(request=None, responses={200: AppointmentSerializer, 409: _CONFLICT}, tags=["appointments"])
    @action(detail=True, methods=["post"], url_path="check-in")
    def check_in(self, request: AuthenticatedRequest, pk: str) -> Response:
        return self._out(services.appointment_check_in(actor=request.user, appointment_id=pk))

    @extend_schema(request=None, responses={200: AppointmentSerializer, 409: _CONFLICT}, tags=["appointments"])
    @action(detail=True, methods=["post"], url_path="no-show")
    def no_show(self, request: AuthenticatedRequest, pk: str) -> Response:
        return self._out(services.appointment_mark_no_show(actor=request.user, appointment_id=pk))

    @extend_schema(request=None, responses={200: AppointmentSerializer, 409: _CONFLICT}, tags=["appointments"])
    @action(detail=True, methods=["post"], url_path="undo-no-show")
    def undo_no_show(self, request: AuthenticatedRequest, pk: str) -> Response:
        """Office staff: a no-show marked by mistake goes back to booked, on the appointment's day only."""
        return self._out(services.appointment_undo_no_show(actor=request.user, appointment_id=pk))

    @extend_schema(request=None, responses={200: AppointmentSerializer, 409: _CONFLICT}, tags=["appointments"])
    @action(detail=True, methods=["post"])
    def complete(self, request: AuthenticatedRequest, pk: str) -> Response:
        return self._out(services.appointment_complete(actor=request.user, appointment_id=pk))
