import pytest
from rest_framework.test import APIRequestFactory

from core.api.exceptions import portal_exception_handler
from core.api.views import ScopedReadOnlyViewSet
from core.errors import ApplicationError, Conflict, NotFound
from offices.models import Office


def test_a_viewset_that_overrides_get_queryset_is_refused():
    with pytest.raises(TypeError, match="scope_queryset"):

        class Leaky(ScopedReadOnlyViewSet):  # noqa: F841 - defining it is the test
            scope_model = Office

            def get_queryset(self):
                return Office.objects.all()


def test_a_viewset_without_scope_queryset_cannot_list(db):
    class Unscoped(ScopedReadOnlyViewSet):
        scope_model = Office
        permission_classes: list = []
        authentication_classes: list = []

    view = Unscoped.as_view({"get": "list"})
    request = APIRequestFactory().get("/")
    with pytest.raises(NotImplementedError):
        view(request)


@pytest.mark.parametrize(
    ("error", "status", "body"),
    [
        (ApplicationError("bad"), 400, {"detail": "bad", "code": "invalid"}),
        (ApplicationError.for_field("zip", "bad zip"), 400, {"zip": ["bad zip"]}),
        (NotFound("gone"), 404, {"detail": "gone", "code": "not_found"}),
        (Conflict("full", code="slot_full", extra={"opens_on": "2026-12-12"}), 409,
         {"detail": "full", "code": "slot_full", "opens_on": "2026-12-12"}),
    ],
)
def test_exception_handler_maps_service_errors(error, status, body):
    response = portal_exception_handler(error, {})
    assert response.status_code == status and response.data == body


def test_exception_handler_maps_django_validation_errors():
    from django.core.exceptions import ValidationError

    response = portal_exception_handler(ValidationError({"code": ["Bad code."]}), {})
    assert response.status_code == 400 and response.data == {"code": ["Bad code."]}


@pytest.mark.parametrize("method", ["get_object", "retrieve"])
def test_a_viewset_that_overrides_get_object_or_retrieve_is_refused(method):
    with pytest.raises(TypeError, match="scope_get"):
        type("Leaky", (ScopedReadOnlyViewSet,), {"scope_model": Office, method: lambda self, *a, **k: None})


def test_a_hand_written_lookup_cannot_reach_past_the_scope(directory):
    from django.test import override_settings  # noqa: F401 - the view needs no settings

    class OnlyVermont(ScopedReadOnlyViewSet):
        scope_model = Office
        lookup_field = "code"
        permission_classes: list = []
        authentication_classes: list = []
        serializer_class = None

        def scope_queryset(self):
            return Office.objects.filter(code="VSC")

        def scope_get(self, lookup):
            return Office.objects.get(code=lookup)  # a careless selector: not scoped

        def render_retrieve(self, obj):
            from rest_framework.response import Response

            return Response({"code": obj.code})

    view = OnlyVermont.as_view({"get": "retrieve"})
    assert view(APIRequestFactory().get("/"), code="VSC").data == {"code": "VSC"}
    response = view(APIRequestFactory().get("/"), code="NSC")
    assert response.status_code == 404
