"""Writes to the office directory. `directory_load` is what `manage.py load_directory` runs."""

import re
from collections import Counter, defaultdict
from datetime import time
from typing import Any, TypeVar, cast

from django.db import models, transaction
from simple_history.utils import bulk_create_with_history

from core.errors import ApplicationError

from . import jurisdiction
from .models import (
    Agency,
    AsylumRule,
    ChannelHours,
    ContactChannel,
    CountryCoverage,
    CountyRule,
    Office,
    OfficeHours,
    ReceiptPrefix,
    RedirectTopic,
    ZipRule,
)
from .reference import directory_data, yaml_file_load

__all__ = ["directory_load", "parse_weekly_hours", "yaml_file_load"]


_DAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
_HOURS_RE = re.compile(r"^(?P<d1>[A-Za-z]{3})(?:-(?P<d2>[A-Za-z]{3}))?\s+(?P<o>\d{1,2}:\d{2})-(?P<c>\d{1,2}:\d{2})$")


def parse_weekly_hours(spec: str) -> list[tuple[int, time, time]]:
    """'Mon-Fri 08:00-16:30; Sat 09:00-12:00' → [(weekday, opens, closes), …]."""
    result: list[tuple[int, time, time]] = []
    for part in filter(None, (p.strip() for p in spec.split(";"))):
        match = _HOURS_RE.match(part)
        if not match:
            raise ApplicationError(f"Cannot read opening hours {part!r}; write them like 'Mon-Fri 08:00-16:30'.")
        first = _DAYS[match["d1"].lower()]
        last = _DAYS[(match["d2"] or match["d1"]).lower()]
        opens, closes = time.fromisoformat(match["o"].zfill(5)), time.fromisoformat(match["c"].zfill(5))
        result.extend((day, opens, closes) for day in range(first, last + 1))
    return result


_M = TypeVar("_M", bound=models.Model)


def _attname(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field), f"{model.__name__}.{name} is not a concrete field"
    return field.attname


class _Sync:
    """Create rows the file has and the database lacks; with `update`, also overwrite changed fields.

    Existing rows are read once per table; new rows are created in bulk, with their history rows,
    when `flush` is called (before rows that point at them are built). A row is saved only when
    something differs, so a second load writes nothing and adds no history.
    """

    def __init__(self, update: bool) -> None:
        self.update = update
        self.counts: Counter[str] = Counter()
        self._existing: dict[type[models.Model], dict[tuple, models.Model]] = {}
        self._pending: dict[type[models.Model], list[models.Model]] = {}

    @staticmethod
    def _key(model: type[models.Model], lookup: dict[str, Any]) -> tuple:
        return tuple(
            (_attname(model, name), value.pk if isinstance(value, models.Model) else value)
            for name, value in sorted(lookup.items())
        )

    def _rows(self, model: type[models.Model], lookup: dict[str, Any]) -> dict[tuple, models.Model]:
        if model not in self._existing:
            names = sorted(lookup)
            self._existing[model] = {
                self._key(model, {n: getattr(obj, _attname(model, n)) for n in names}): obj
                for obj in model._default_manager.all()
            }
        return self._existing[model]

    def row(
        self, model: type[_M], lookup: dict[str, Any], values: dict[str, Any], former: dict[str, Any] | None = None,
    ) -> _M:
        """The row, created or (with `update`) brought up to the file. `former`: values an earlier version of
        the loader wrote; a field that still holds one was never edited, and takes the file's value anyway."""
        rows = self._rows(model, lookup)
        key = self._key(model, lookup)
        obj = cast(_M | None, rows.get(key))
        if obj is None:
            obj = model(**lookup, **values)
            _validate_fields(obj)
            rows[key] = obj
            self._pending.setdefault(model, []).append(obj)
            return obj
        if obj.pk is None:
            return obj
        # Spanish the database still lacks is filled in even without `update`; an admin's stays.
        spanish = [f for f, v in values.items() if f.endswith("_es") and v and not getattr(obj, f)]
        unedited = _unedited(obj, values, former or {})
        changed = ([f for f, v in values.items() if _differs(getattr(obj, f), v)] if self.update
                   else list(dict.fromkeys([*spanish, *unedited])))
        if changed:
            for field in changed:
                setattr(obj, field, values[field])
            _validate_fields(obj)
            obj.save(update_fields=[*changed, *(["updated_at"] if hasattr(obj, "updated_at") else [])])
            self.counts[f"{model._meta.verbose_name_plural} updated"] += 1
        return obj

    def flush(self) -> None:
        for model, objs in self._pending.items():
            bulk_create_with_history(objs, model, batch_size=500)
            self.counts[f"{model._meta.verbose_name_plural} created"] += len(objs)
        self._pending = {}


def _unedited(obj: models.Model, values: dict[str, Any], former: dict[str, Any]) -> list[str]:
    """The fields of `obj` that still hold what an earlier loader wrote, where the file now says otherwise
    (an office's description that was the reference's research notes). A translated field's Spanish goes
    with its English (it translated the old text): `values` gets the new Spanish, or a blank."""
    fields = []
    for field, old in former.items():
        column = f"{field}_en" if hasattr(obj, f"{field}_en") else field
        if field not in values or getattr(obj, column) != old or not _differs(old, values[field]):
            continue
        fields.append(field)
        if hasattr(obj, f"{field}_es"):
            values.setdefault(f"{field}_es", "")
            fields.append(f"{field}_es")
    return fields


def _validate_fields(obj: models.Model) -> None:
    """Field validation (choices, formats, time zones); keys, uniqueness and checks are the database's."""
    relations = [f.name for f in obj._meta.fields if f.is_relation]
    obj.full_clean(exclude=relations, validate_unique=False, validate_constraints=False)


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
    "address_confidence", "source_note",
)
_RULE_FIELDS = ("confidence", "source", "note")
# Free text the public reads, translated once per distinct English sentence (directory.yaml `spanish`).
_OFFICE_TEXT = ("hours_note", "description")
_CHANNEL_TEXT = ("name", "audience_note", "languages", "after_hours_instructions")
_CHANNEL_FIELDS = (
    "name", "kind", "value", "display_value", "audience", "purpose", "audience_note", "time_zone",
    "always_open", "holiday_rule", "languages", "after_hours_instructions", "after_hours_email",
    "display_order", "confidence", "value_confirmed", "after_hours_email_confirmed",
)


def _hours(sync: _Sync, model: type[models.Model], owner_field: str, owner: models.Model, spec: str) -> None:
    for weekday, opens, closes in parse_weekly_hours(spec):
        sync.row(model, {owner_field: owner, "weekday": weekday, "opens": opens}, {"closes": closes})


def _group_value(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    return getattr(value, "code", value) or None  # a django-countries Country, "" and None alike


def _rule_groups(
    sync: _Sync, model: type[models.Model], group: tuple[str, ...], rows: list[dict[str, Any]],
    offices: dict[str, Office],
) -> None:
    """Jurisdiction rules, group by group (a county, a ZIP, a country's region): a group the database
    already has is an admin's to keep unless `update`, which makes it equal to the file's."""
    wanted: dict[tuple, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        values = dict(row)
        for name in ("office", "field_office"):
            if name in values:
                values[name] = offices[values[name]] if values[name] else None
        wanted[tuple(_group_value(values.get(g)) for g in group)].append(values)
    existing: dict[tuple, list[models.Model]] = defaultdict(list)
    attnames = [_attname(model, g) for g in group]
    for obj in model._default_manager.all():
        existing[tuple(_group_value(getattr(obj, a)) for a in attnames)].append(obj)
    label = model._meta.verbose_name_plural
    new: list[models.Model] = []
    for key, values_list in wanted.items():
        have = existing.get(key, [])
        if have and not sync.update:
            continue
        by_office = {obj.office_id: obj for obj in have}  # type: ignore[attr-defined]
        for values in values_list:
            if values["office"].pk not in by_office:
                new.append(model(**values))
                continue
            obj = by_office.pop(values["office"].pk)
            changed = [f for f in _RULE_FIELDS if getattr(obj, f) != values.get(f, "")]
            if changed:
                for f in changed:
                    setattr(obj, f, values.get(f, ""))
                obj.save(update_fields=[*changed, "updated_at"])
                sync.counts[f"{label} updated"] += 1
        for obj in by_office.values():
            obj.delete()
            sync.counts[f"{label} deleted"] += 1
    for obj in new:
        _validate_fields(obj)
    if new:
        bulk_create_with_history(new, model, batch_size=1000)
        sync.counts[f"{label} created"] += len(new)


def _spanish_of(values: dict[str, Any], fields: tuple[str, ...], spanish: dict[str, str]) -> dict[str, str]:
    """The `<field>_es` values for the English in `values`, from the directory's one mapping of
    English sentence to Spanish (an English the mapping lacks, or a blank, leaves the Spanish blank:
    with `update`, a Spanish that translated an earlier English is cleared with it)."""
    return {f"{field}_es": spanish.get(values[field], "") for field in fields if field in values}


@transaction.atomic
def directory_load(*, data: dict[str, Any] | None = None, update: bool = False) -> Counter[str]:
    """Load the office directory from `data` (default: the reference merged with directory.yaml,
    see offices.reference).

    Idempotent: without `update`, rows that exist are left as they are, so edits admins made in the
    admin survive a restart; with `update`, differing fields are overwritten from the file.
    """
    if data is None:
        data = directory_data()
    sync = _Sync(update)
    spanish: dict[str, str] = data.get("spanish") or {}
    offices: dict[str, Office] = {}
    for entry in data["offices"]:
        values = {f: entry[f] for f in _OFFICE_FIELDS if f in entry}
        values |= _spanish_of(values, _OFFICE_TEXT, spanish)
        values["office_type"] = entry["type"]
        office = sync.row(Office, {"code": entry["code"]}, values, former=entry.get("former"))
        offices[office.code] = office
    sync.flush()
    for entry in data["offices"]:
        office = offices[entry["code"]]
        if entry.get("hours"):
            _hours(sync, OfficeHours, "office", office, entry["hours"])
    for entry in data.get("receipt_prefixes") or []:
        values = {k: v for k, v in entry.items() if k not in {"prefix", "office"}}
        values["office"] = offices[entry["office"]] if entry.get("office") else None
        sync.row(ReceiptPrefix, {"prefix": entry["prefix"]}, values)
    _rule_groups(sync, CountyRule, ("state", "county"), data.get("county_rules") or [], offices)
    _rule_groups(sync, ZipRule, ("zip_code",), data.get("zip_rules") or [], offices)
    _rule_groups(sync, AsylumRule, ("state", "county", "field_office"), data.get("asylum_rules") or [], offices)
    _rule_groups(sync, CountryCoverage, ("country", "region"), data.get("country_coverage") or [], offices)
    channels = {}
    for entry in data.get("channels", []):
        # Phone numbers in the file are published ones; mailboxes are placeholders unless marked confirmed.
        entry = {"value_confirmed": entry.get("kind") != "email", **entry}
        values = {f: entry[f] for f in _CHANNEL_FIELDS if f in entry}
        values |= _spanish_of(values, _CHANNEL_TEXT, spanish)
        values["office"] = offices[entry["office"]] if entry.get("office") else None
        channels[entry["code"]] = sync.row(ContactChannel, {"code": entry["code"]}, values)
    agencies = {}
    for entry in data.get("agencies", []):
        values = {k: v for k, v in entry.items() if k not in {"code", "topics"}}
        agencies[entry["code"]] = sync.row(Agency, {"code": entry["code"]}, values)
    sync.flush()
    for entry in data.get("channels", []):
        if entry.get("hours"):
            _hours(sync, ChannelHours, "channel", channels[entry["code"]], entry["hours"])
    for entry in data.get("agencies", []):
        for topic in entry.get("topics", []):
            values = {"agency": agencies[entry["code"]], "label": topic["label"], "keywords": topic.get("keywords", ""),
                      **({"label_es": topic["label_es"]} if topic.get("label_es") else {})}
            sync.row(RedirectTopic, {"code": topic["code"]}, values)
    sync.flush()
    if sync.counts:
        jurisdiction.invalidate()
    return sync.counts
