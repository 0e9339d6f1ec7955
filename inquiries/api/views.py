from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import permissions, status
from rest_framework.response import Response

from core.api.views import ScopedGenericViewSet
from core.http import AuthenticatedRequest
from core.selectors import customer_by_email
from inquiries import selectors, services
from inquiries.filters import InquiryFilter
from inquiries.models import Inquiry

from .serializers import InquirySerializer, RecordInputSerializer


class IsStaff(permissions.BasePermission):
    message = "Only Contact Center agents and office staff work with inquiries."

    def has_permission(self, request, view) -> bool:  # type: ignore[no-untyped-def]
        return bool(request.user and request.user.is_authenticated and request.user.is_staff_member)


@extend_schema_view(retrieve=extend_schema(tags=["inquiries"]))
class InquiryViewSet(ScopedGenericViewSet):
    """Record and triage inquiries (staff). Agents and office staff see their own office's."""

    scope_model = Inquiry
    request: AuthenticatedRequest  # every action is behind IsAuthenticated (or a staff check)
    serializer_class = InquirySerializer
    permission_classes = [IsStaff]
    filterset_class = InquiryFilter

    def scope_queryset(self):
        return selectors.inquiry_list_for_user(self.request.user).select_related(
            "expedite_criterion", "service_request").prefetch_related("redirect_agency__topics")

    @extend_schema(tags=["inquiries"])
    def list(self, request: AuthenticatedRequest) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def scope_get(self, lookup: str) -> Inquiry:
        return selectors.inquiry_get_for_user(self.request.user, lookup)

    @extend_schema(request=RecordInputSerializer, responses={201: InquirySerializer}, tags=["inquiries"])
    def create(self, request: AuthenticatedRequest) -> Response:
        """Record an inquiry; the response carries the triage (suggested, and final)."""
        data = RecordInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        email = values.pop("customer", "")
        customer = customer_by_email(email, request.user) if email else None
        inquiry = services.inquiry_record(actor=request.user, customer=customer, **values)
        fresh = self.get_queryset().get(pk=inquiry.pk)
        return Response(self.get_serializer(fresh).data, status=status.HTTP_201_CREATED)
