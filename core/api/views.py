"""API base classes.

`ScopedViewSet` makes scoping impossible to forget or to bypass:

- every queryset comes from `scope_queryset()`, which a subclass must write (usually one selector
  call with the request's user);
- every single object comes from `scope_get(lookup)` (by default: the scoped queryset, 404 when the
  object is not in it), and `get_object()` checks it against `scope_queryset()` again, so a lookup
  written by hand cannot reach past the scope either;
- `retrieve` always goes through `get_object()`; a subclass shapes the answer in `render_retrieve()`.

A subclass that overrides `get_queryset`, `get_object` or `retrieve` is refused when the class is
defined. Refusals are `core.errors.NotFound`: missing and not yours look the same.
"""

from typing import Any

from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework import viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from core.errors import NotFound

NOT_YOURS = _("Not found.")
GUARDED = ("get_queryset", "get_object", "retrieve")


class ScopedViewSetMixin:
    scope_model: type[Model]
    lookup_field: str = "pk"
    lookup_url_kwarg: str | None = None
    kwargs: dict[str, Any]
    request: Any

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name in GUARDED:
            if name in cls.__dict__:
                raise TypeError(f"{cls.__name__}: implement scope_queryset(), scope_get() and render_retrieve(), "
                                f"never {name}().")

    def scope_queryset(self) -> QuerySet[Any]:
        raise NotImplementedError(f"{type(self).__name__} must implement scope_queryset()")

    def get_queryset(self) -> QuerySet[Any]:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no real user
            return self.scope_model._default_manager.none()
        return self.scope_queryset()

    def scope_get(self, lookup: str) -> Any:
        """The one object named by the URL, from the scope; override with the app's selector."""
        try:
            return self.scope_queryset().get(**{self.lookup_field: lookup})
        except (self.scope_model.DoesNotExist, ValueError, TypeError):  # type: ignore[attr-defined]
            raise NotFound(str(NOT_YOURS)) from None

    def get_object(self) -> Any:
        obj = self.scope_get(self.kwargs[self.lookup_url_kwarg or self.lookup_field])
        if type(self).scope_get is not ScopedViewSetMixin.scope_get and not self.scope_queryset().filter(
                pk=obj.pk).exists():
            raise NotFound(str(NOT_YOURS))  # a hand-written lookup reached past the scope
        self.check_object_permissions(self.request, obj)  # type: ignore[attr-defined]
        return obj

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.render_retrieve(self.get_object())

    def render_retrieve(self, obj: Any) -> Response:
        return Response(self.get_serializer(obj).data)  # type: ignore[attr-defined]


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass


class ScopedGenericViewSet(ScopedViewSetMixin, viewsets.GenericViewSet):
    pass
