"""Writes to the office directory. `directory_load` is what `manage.py load_directory` runs."""

import re
from collections import Counter
from collections.abc import Iterable
from datetime import time
from pathlib import Path
from typing import Any

import yaml
from django.db import models, transaction

from core.errors import ApplicationError

from .models import (
    Agency,
    ChannelHours,
    ContactChannel,
    CountryCoverage,
    Office,
    OfficeHours,
    ReceiptPrefix,
    RedirectTopic,
    StateCoverage,
    ZipCoverage,
)

DIRECTORY_FILE = Path(__file__).resolve().parent / "data" / "directory.yaml"

_DAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
_HOURS_RE = re.compile(r"^(?P<d1>[A-Za-z]{3})(?:-(?P<d2>[A-Za-z]{3}))?\s+(?P<o>\d{1,2}:\d{2})-(?P<c>\d{1,2}:\d{2})$")


def parse_weekly_hours(spec: str) -> list[tuple[int, time, time]]:
    """'Mon-Fri 08:00-16:30; Sat 09:00-12:00' → [(weekday, opens, closes), …]."""
    result = []
    for part in filter(None, (p.strip() for p in spec.split(";"))):
        match = _HOURS_RE.match(part)
        if not match:
            raise ApplicationError(f"Cannot read opening hours {part!r}; write them like 'Mon-Fri 08:00-16:30'.")
        first = _DAYS[match["d1"].lower()]
        last = _DAYS[(match["d2"] or match["d1"]).lower()]
        opens, closes = time.fromisoformat(match["o"].zfill(5)), time.fromisoformat(match["c"].zfill(5))
        result.extend((day, opens, closes) for day in range(first, last + 1))
    return result


def expand_zip_prefixes(items: Iterable[str]) -> list[str]:
    """['600-602', '11001'] → ['600', '601', '602', '11001']."""
    result: list[str] = []
    for item in items:
        item = str(item)
        if "-" in item:
            start, end = item.split("-")
            result.extend(str(n).zfill(len(start)) for n in range(int(start), int(end) + 1))
        else:
            result.append(item)
    return result


class _Sync:
    """Create rows the file has and the database lacks; with `update`, also overwrite changed fields.

    A row is saved only when something differs, so a second load writes nothing (and adds no history).
    """

    def __init__(self, update: bool) -> None:
        self.update = update
        self.counts: Counter[str] = Counter()

    def row(self, model: type[models.Model], lookup: dict[str, Any], values: dict[str, Any]) -> models.Model:
        name = model._meta.verbose_name_plural
        obj = model._default_manager.filter(**lookup).first()
        if obj is None:
            obj = model(**lookup, **values)
            obj.full_clean()
            obj.save()
            self.counts[f"{name} created"] += 1
            return obj
        if not self.update:
            return obj
        changed = [f for f, v in values.items() if _differs(getattr(obj, f), v)]
        if changed:
            for field in changed:
                setattr(obj, field, values[field])
            obj.full_clean()
            obj.save(update_fields=[*changed, *(["updated_at"] if hasattr(obj, "updated_at") else [])])
            self.counts[f"{name} updated"] += 1
        return obj


def _differs(current: Any, new: Any) -> bool:
    if hasattr(current, "key"):  # ZoneInfo
        current = current.key
    if hasattr(current, "code"):  # django-countries Country
        current = current.code
    if isinstance(current, models.Model):
        current = current.pk
    if isinstance(new, models.Model):
        new = new.pk
    return current != new


_OFFICE_FIELDS = (
    "name", "address_line1", "address_line2", "city", "state", "postal_code", "country", "time_zone",
    "phone", "hours_note", "description", "offers_appointments", "opened_on", "closed_on", "confidence",
    "source_note",
)
_CHANNEL_FIELDS = (
    "name", "kind", "value", "display_value", "audience", "purpose", "audience_note", "time_zone",
    "always_open", "holiday_rule", "languages", "after_hours_instructions", "after_hours_email",
    "display_order", "confidence",
)


def _hours(sync: _Sync, model: type[models.Model], owner_field: str, owner: models.Model, spec: str) -> None:
    for weekday, opens, closes in parse_weekly_hours(spec):
        sync.row(model, {owner_field: owner, "weekday": weekday, "opens": opens}, {"closes": closes})


@transaction.atomic
def directory_load(*, data: dict[str, Any] | None = None, update: bool = False) -> Counter[str]:
    """Load the office directory from `data` (default: offices/data/directory.yaml).

    Idempotent: without `update`, rows that exist are left as they are, so edits admins made in the
    admin survive a restart; with `update`, differing fields are overwritten from the file.
    """
    if data is None:
        data = yaml.safe_load(DIRECTORY_FILE.read_text(encoding="utf-8"))
    sync = _Sync(update)
    offices: dict[str, Office] = {}
    for entry in data["offices"]:
        values = {f: entry[f] for f in _OFFICE_FIELDS if f in entry}
        values["office_type"] = entry["type"]
        office = sync.row(Office, {"code": entry["code"]}, values)
        offices[office.code] = office  # type: ignore[attr-defined]
        for prefix in entry.get("receipt_prefixes", []):
            sync.row(ReceiptPrefix, {"prefix": prefix}, {"office": office, "confidence": entry.get("confidence", "unconfirmed")})
        if entry.get("hours"):
            _hours(sync, OfficeHours, "office", office, entry["hours"])
    for prefix, entry in (data.get("receipt_prefixes") or {}).items():
        office_code = entry.get("office")
        sync.row(
            ReceiptPrefix,
            {"prefix": prefix},
            {"office": offices[office_code] if office_code else None, "description": entry.get("description", ""),
             "confidence": entry.get("confidence", "unconfirmed")},
        )
    for code, prefixes in (data.get("zip_coverage") or {}).items():
        for prefix in expand_zip_prefixes(prefixes):
            sync.row(ZipCoverage, {"prefix": prefix}, {"office": offices[code]})
    for office_type, states in (data.get("state_coverage") or {}).items():
        for state, code in states.items():
            sync.row(StateCoverage, {"state": state, "office_type": office_type}, {"office": offices[code]})
    for code, countries in (data.get("country_coverage") or {}).items():
        for country in countries:
            sync.row(CountryCoverage, {"country": country}, {"office": offices[code]})
    for entry in data.get("channels", []):
        values = {f: entry[f] for f in _CHANNEL_FIELDS if f in entry}
        values["office"] = offices[entry["office"]] if entry.get("office") else None
        channel = sync.row(ContactChannel, {"code": entry["code"]}, values)
        if entry.get("hours"):
            _hours(sync, ChannelHours, "channel", channel, entry["hours"])
    for entry in data.get("agencies", []):
        topics = entry.get("topics", [])
        values = {k: v for k, v in entry.items() if k not in {"code", "topics"}}
        agency = sync.row(Agency, {"code": entry["code"]}, values)
        for topic in topics:
            sync.row(RedirectTopic, {"code": topic["code"]}, {"agency": agency, "label": topic["label"],
                                                             "keywords": topic.get("keywords", "")})
    return sync.counts
