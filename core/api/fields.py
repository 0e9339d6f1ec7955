"""Serializer fields whose published schema says exactly what they send."""

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


@extend_schema_field({"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$", "example": "08:00"})
class HourMinuteField(serializers.TimeField):
    """A time of day as HH:MM (OpenAPI's `format: time` would promise seconds and an offset)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("format", "%H:%M")
        super().__init__(**kwargs)
