from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.views import ScopedReadOnlyViewSet
from offices import selectors
from offices.filters import ContactChannelFilter, OfficeFilter
from offices.models import Agency, ContactChannel, Office

from .serializers import (
    AgencySerializer,
    ContactChannelSerializer,
    JurisdictionQuerySerializer,
    JurisdictionSerializer,
    OfficeDetailSerializer,
    OfficeListSerializer,
)

if TYPE_CHECKING:
    from rest_framework.permissions import _PermissionClass


class _PublicMixin:
    permission_classes: Sequence["_PermissionClass"] = [permissions.AllowAny]

    def get_serializer_context(self) -> dict:
        context = super().get_serializer_context()  # type: ignore[misc]
        context["now"] = timezone.now()
        return context


class OfficeViewSet(_PublicMixin, ScopedReadOnlyViewSet):
    """The public office directory. Filter by `type`, `state`, `country`, `search`."""

    scope_model = Office
    lookup_field = "code"
    lookup_value_regex = "[A-Za-z]{2,8}"
    filterset_class = OfficeFilter

    def scope_queryset(self):
        if self.action == "retrieve":
            return selectors.office_detail_queryset()
        return selectors.office_list()

    def scope_get(self, lookup: str) -> Office:
        return selectors.office_get(code=lookup)

    def get_serializer_class(self):
        return OfficeDetailSerializer if self.action == "retrieve" else OfficeListSerializer


class ContactChannelViewSet(_PublicMixin, ScopedReadOnlyViewSet):
    """Phone lines and mailboxes, who may use each, their hours and whether each is open now."""

    scope_model = ContactChannel
    serializer_class = ContactChannelSerializer
    filterset_class = ContactChannelFilter
    lookup_field = "code"
    pagination_class = None

    def scope_queryset(self):
        return selectors.contact_channel_list()


class AgencyViewSet(_PublicMixin, ScopedReadOnlyViewSet):
    """Other agencies, and the topics USCIS redirects to each."""

    scope_model = Agency
    serializer_class = AgencySerializer
    lookup_field = "code"
    pagination_class = None

    def scope_queryset(self):
        return selectors.agency_list()


class JurisdictionApi(_PublicMixin, APIView):
    """The office that serves a place: `?zip=60605` (field office) or `?country=CA` (international office).

    400 for a malformed ZIP or country code; 404 when no office serves it.
    """

    @extend_schema(
        parameters=[
            OpenApiParameter("zip", str, description="U.S. ZIP code (5 digits, or ZIP+4)"),
            OpenApiParameter("country", str, description="ISO 3166-1 alpha-2 country code"),
        ],
        responses={200: JurisdictionSerializer},
        tags=["offices"],
    )
    def get(self, request: Request) -> Response:
        query = JurisdictionQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        field = "zip" if query.validated_data.get("zip") else "country"
        try:
            if field == "zip":
                match = selectors.office_for_zip(query.validated_data["zip"])
            else:
                match = selectors.office_for_country(query.validated_data["country"])
        except ValueError as exc:
            raise ValidationError({field: [str(exc)]}) from None
        office = selectors.office_detail_queryset().get(pk=match.office.pk)
        data = {
            "place": match.place,
            "matched_by": match.matched_by,
            "state": match.state,
            "office": office,
            "asylum_office": match.asylum_office,
            "phone_lines": selectors.channels_for_place(match),
        }
        return Response(JurisdictionSerializer(data, context=self.get_serializer_context()).data)

    def get_serializer_context(self) -> dict:
        return {"request": self.request, "now": timezone.now()}
