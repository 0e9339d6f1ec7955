from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from contact_center import selectors, services
from core import access
from core.api.pagination import PortalPagination
from core.errors import Forbidden
from core.http import AuthenticatedRequest
from core.selectors import case_reads

from .serializers import (
    CaseReadSerializer,
    IdentityCheckInputSerializer,
    IdentityCheckSerializer,
    LookupInputSerializer,
    LookupResultSerializer,
)


class IdentityCheckApi(APIView):
    """Contact Center agents: record this call's identity check (the questions asked and the result)."""

    @extend_schema(request=IdentityCheckInputSerializer, responses={201: IdentityCheckSerializer}, tags=["contact center"])
    def post(self, request: AuthenticatedRequest) -> Response:
        data = IdentityCheckInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        check = services.identity_check_record(actor=request.user, **data.validated_data)
        return Response(IdentityCheckSerializer(check).data, status=status.HTTP_201_CREATED)


class LookupApi(APIView):
    """Find the caller's requests by reference number, receipt number or A-number, under a current
    passed identity check of yours (409 without one). Each request found is an audited read."""

    @extend_schema(request=LookupInputSerializer, responses={
        200: LookupResultSerializer(many=True),
        409: OpenApiResponse(description="No current passed identity check for this call"),
    }, tags=["contact center"])
    def post(self, request: AuthenticatedRequest, check_id: int) -> Response:
        data = LookupInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        found = selectors.verified_lookup(actor=request.user, check_id=check_id, key=data.validated_data["key"],
                                          screen="api.contact_center_lookup")
        context = {"timelines": {r.pk: selectors.lookup_timeline(request.user, r) for r in found},
                   "customer_view": not access.may_see_internal_notes(request.user)}
        return Response(LookupResultSerializer(found, many=True, context=context).data)


class CaseReadsApi(APIView):
    """Admins: every staff read of a case (who, when, which case, which screen), per case or per user."""

    @extend_schema(parameters=[OpenApiParameter("reference", str), OpenApiParameter("user", str)],
                   responses={200: CaseReadSerializer(many=True)}, tags=["contact center"])
    def get(self, request: Request) -> Response:
        if not access.may_report_on_reads(request.user):
            raise Forbidden("This report is for administrators.")
        rows = case_reads(reference_number=request.query_params.get("reference", ""),
                          username=request.query_params.get("user", ""))
        paginator = PortalPagination()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(CaseReadSerializer(page, many=True).data)
