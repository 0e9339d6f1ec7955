import hashlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.renderers import PUBLIC_RENDERERS
from core.api.views import ScopedReadOnlyViewSet
from core.errors import NotFound
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
    from rest_framework.renderers import BaseRenderer


class _PublicMixin:
    """Public, read-mostly answers: an ETag over the body, Cache-Control, and 304 when unchanged.

    The answers carry `open_now`, so they stay fresh for a minute; they vary by language, and staff
    (signed in) see placeholder channels the public does not, so signed-in answers are private.
    """

    permission_classes: Sequence["_PermissionClass"] = [permissions.AllowAny]
    renderer_classes: Sequence[type["BaseRenderer"]] = PUBLIC_RENDERERS
    max_age = 60

    def get_serializer_context(self) -> dict:
        context = super().get_serializer_context()  # type: ignore[misc]
        context["now"] = timezone.now()
        context["staff_view"] = _staff_view(self.request)  # type: ignore[attr-defined]
        return context

    def finalize_response(self, request: Request, response: Response, *args: Any, **kwargs: Any) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        if request.method not in ("GET", "HEAD") or response.status_code != 200:
            return response
        response.render()
        signed_in = bool(request.user and request.user.is_authenticated) or "HTTP_AUTHORIZATION" in request.META
        return self._public_headers(request, response, signed_in=signed_in)  # type: ignore[return-value]  # a 304 is a plain HttpResponse

    _VARY = ("Accept-Language", "Cookie", "Authorization")
    _PRECONDITIONS = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_MATCH", "HTTP_IF_UNMODIFIED_SINCE")

    def _public_headers(self, request: HttpRequest, response: HttpResponse, *, signed_in: bool) -> HttpResponseBase:
        """ETag, Cache-Control (private when signed in), Vary; a 304 when the client's ETag matches.

        The DRF answers and JurisdictionApi's plain path both come here. On a response that has no
        Cache-Control yet and varies at most by Accept, the headers are written as patch_cache_control and
        patch_vary_headers would write them, without parsing; a request with no precondition header skips
        get_conditional_response (it would return the response unchanged)."""
        etag = f'"{hashlib.md5(response.content, usedforsecurity=False).hexdigest()}"'  # quote_etag's answer for hex
        headers = response.headers
        headers["ETag"] = etag
        if "Cache-Control" in headers:
            patch_cache_control(response, max_age=self.max_age, **({"private": True} if signed_in else {"public": True}))
        else:
            headers["Cache-Control"] = f"max-age={self.max_age}, {'private' if signed_in else 'public'}"
        vary = headers.get("Vary")
        if vary is None or vary == "Accept":
            headers["Vary"] = ", ".join(((vary,) if vary else ()) + self._VARY)
        else:
            patch_vary_headers(response, self._VARY)
        meta = request.META
        if not any(name in meta for name in self._PRECONDITIONS):
            return response
        return get_conditional_response(request, etag=etag, response=response)  # type: ignore[return-value]  # given a response, never None


def _staff_view(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and user.is_staff_member)


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
        return selectors.contact_channel_list(staff=_staff_view(self.request))


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

    Answers from the in-memory jurisdiction index (no query on a warm cache). Where the data does not
    decide, `status` is `choose` with the `candidates` (ask again with `office=CODE`) or the `regions`
    (ask again with `region=…`); APO/FPO and the freely associated states get `no_office` with what to
    do instead. 400 for a malformed ZIP, country, region or choice; 404 for a ZIP that is not in the ZIP
    database.
    """

    @extend_schema(
        parameters=[
            OpenApiParameter("zip", str, description="U.S. ZIP code (5 digits, or ZIP+4)"),
            OpenApiParameter("country", str, description="ISO 3166-1 alpha-2 country code"),
            OpenApiParameter("region", str, description="Province or state where the country is split (China)"),
            OpenApiParameter("office", str, description="Your choice among the candidates of an ambiguous answer"),
        ],
        responses={200: JurisdictionSerializer},
        tags=["offices"],
    )
    def get(self, request: Request) -> Response:
        data = JurisdictionQuerySerializer.parse(request.query_params)
        field = "zip" if data.get("zip") else "country"
        try:
            answer = selectors.place_answer(
                zip_code=data.get("zip", ""), country=data.get("country", ""), region=data.get("region", ""),
                choice=data.get("office", ""),
            )
        except ValueError as exc:
            raise ValidationError({getattr(exc, "field", field): [str(exc)]}) from None
        return Response(JurisdictionSerializer(answer, context=self.get_serializer_context()).data)

    def get_serializer_context(self) -> dict:
        return {"request": self.request, "now": timezone.now(), "from_index": True,
                "staff_view": _staff_view(self.request)}

    # Accept headers that DRF's content negotiation answers with the first renderer and its own media type.
    _PLAIN_ACCEPT = frozenset({"", "*/*", "application/json"})

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        """A plain anonymous-or-session GET that finds its place is answered here, the same bytes and headers
        as through DRF (tests/offices/test_jurisdiction_api_fast.py compares them) at a fraction of the cost:
        no authenticators, throttles or negotiation to run (a token, another Accept, a bad query, a
        ZIP not found go the whole way through DRF, which answers them)."""
        answered = self._plain_get(request, args, kwargs)
        return answered if answered is not None else super().dispatch(request, *args, **kwargs)

    def _plain_rendering(self) -> tuple[Any, str, str]:
        """The first renderer, its Content-Type and the Allow header: the same for every plain answer."""
        cls = type(self)
        cached = cls.__dict__.get("_plain_rendering_memo")
        if cached is None or cached[0] is not cls.renderer_classes[0]:
            renderer = cls.renderer_classes[0]()
            media_type = renderer.media_type
            content_type = f"{media_type}; charset={renderer.charset}" if renderer.charset else media_type
            allow = ", ".join(self.allowed_methods)  # after View.setup, which adds HEAD
            cached = (cls.renderer_classes[0], renderer, content_type, allow)
            cls._plain_rendering_memo = cached  # type: ignore[attr-defined]
        return cached[1], cached[2], cached[3]

    def _plain_get(self, request: HttpRequest, args: Any, kwargs: Any) -> HttpResponseBase | None:
        meta = request.META
        if request.method != "GET" or "HTTP_AUTHORIZATION" in meta or meta.get("HTTP_ACCEPT", "") not in self._PLAIN_ACCEPT:
            return None
        user = getattr(request, "user", None)
        if user is None:
            return None
        signed_in = user.is_authenticated
        if signed_in and not user.is_active:  # DRF's session auth would drop the user
            return None
        data = JurisdictionQuerySerializer.plain(request.GET)
        if data is None:
            return None
        try:
            answer = selectors.place_answer(
                zip_code=data.get("zip", ""), country=data.get("country", ""), region=data.get("region", ""),
                choice=data.get("office", ""),
            )
        except (ValueError, NotFound):
            return None
        self.args, self.kwargs, self.request = args, kwargs, request  # type: ignore[assignment]  # no DRF Request here
        context = {"request": request, "now": timezone.now(), "from_index": True,
                   "staff_view": bool(signed_in and user.is_staff_member),
                   "language": getattr(request, "LANGUAGE_CODE", None)}  # LocaleMiddleware's get_language()
        body = JurisdictionSerializer.represent(answer, context)
        renderer, content_type, allow = self._plain_rendering()
        content = renderer.render(body, renderer.media_type, {"view": self, "args": args, "kwargs": kwargs, "request": request})
        # What DRF's Response, APIView.finalize_response and _PublicMixin.finalize_response set, in their order.
        response = HttpResponse(content, content_type=content_type)
        if len(self.renderer_classes) > 1:
            response.headers["Vary"] = "Accept"
        response.headers["Allow"] = allow
        return self._public_headers(request, response, signed_in=signed_in)
