"""API base classes.

`ScopedViewSet` makes scoping impossible to forget: every queryset comes from `scope_queryset()`,
which a subclass must write (usually one selector call with the request's user), and a subclass
that overrides `get_queryset` is refused when the class is defined.
"""

from typing import Any

from django.db.models import Model, QuerySet
from rest_framework import viewsets


class ScopedViewSetMixin:
    scope_model: type[Model]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "get_queryset" in cls.__dict__:
            raise TypeError(f"{cls.__name__}: implement scope_queryset(), never get_queryset().")

    def scope_queryset(self) -> QuerySet[Any]:
        raise NotImplementedError(f"{type(self).__name__} must implement scope_queryset()")

    def get_queryset(self) -> QuerySet[Any]:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no real user
            return self.scope_model._default_manager.none()
        return self.scope_queryset()


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass


class ScopedGenericViewSet(ScopedViewSetMixin, viewsets.GenericViewSet):
    pass
