"""Any write to what the jurisdiction index holds makes every process rebuild it (offices.jurisdiction)."""

from django.db.models.signals import post_delete, post_save

from . import jurisdiction
from .models import (
    AgencyClosure,
    AsylumRule,
    ChannelHours,
    ContactChannel,
    CountryCoverage,
    CountyRule,
    Office,
    OfficeClosure,
    OfficeHours,
    ReceiptPrefix,
    ZipRule,
)

INDEXED_MODELS = (
    Office, OfficeHours, OfficeClosure, AgencyClosure, ReceiptPrefix, ContactChannel, ChannelHours, CountyRule, ZipRule, AsylumRule,
    CountryCoverage,
)


def _changed(sender: type, **kwargs: object) -> None:
    jurisdiction.invalidate()


def connect(models: tuple[type, ...] = INDEXED_MODELS, uid: str = "jurisdiction") -> None:
    """Invalidate the index on every save and delete of `models` (appointments.signals adds its own)."""
    for model in models:
        post_save.connect(_changed, sender=model, dispatch_uid=f"{uid}-save-{model.__name__}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"{uid}-delete-{model.__name__}")
