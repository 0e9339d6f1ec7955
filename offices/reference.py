"""The office directory as `load_directory` loads it: the USCIS reference (offices/data/reference/,
kept verbatim) merged with offices/data/directory.yaml (what the reference does not hold).

`directory_data()` returns one plain dict — offices, county/ZIP/asylum/country rules, receipt
prefixes, channels, agencies — that `services.directory_load` writes to the database.

The reference's free text about an office (field offices' `notes` and `jurisdiction_note`, asylum
offices' `history`, `note` and `address_note`, international offices' `note` and `functions`, and a
remark after an address such as "(2005 address - current address unverified)") is the researchers'
working notes: it goes to the staff-only `source_note`, never to the public `description`. What a
customer needs from it is written for them as the office's `description` in directory.yaml.
"""

import re
from pathlib import Path
from typing import Any

import yaml
from django_countries import countries

from . import zipdata
from .models import Confidence, OfficeType, PrefixRouting

DATA_DIR = Path(__file__).resolve().parent / "data"
REFERENCE_DIR = DATA_DIR / "reference"
DIRECTORY_FILE = DATA_DIR / "directory.yaml"
ASYLUM_RULES_FILE = DATA_DIR / "asylum_jurisdiction.yaml"

_COUNTRY_ALIASES = {"Republic of the Congo": "CG", "Turkey (Turkiye)": "TR"}
_ADDRESS_RE = re.compile(
    r"^(?P<street>.+?),\s*(?P<city>[^,]+),\s*(?P<state>[A-Z]{2})(?:\s+(?P<zip>\d{5}))?\s*(?P<rest>.*)$"
)


def yaml_file_load(path: Path) -> Any:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: ten times faster
    return yaml.load(path.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506 - a safe loader


def confidence(tag: str | None) -> str:
    """The reference's tags ('inferred (unverified recollection)', 'secondary-old', …) as Confidence."""
    text = (tag or "").strip().lower()
    for level in (Confidence.CONFIRMED, Confidence.SECONDARY, Confidence.INFERRED):
        if text.startswith(level.value):
            return level.value
    return Confidence.UNCONFIRMED.value


def parse_address(street: str | None) -> dict[str, str]:
    """'620 East 10th Avenue, Suite 102, Anchorage, AK 99501' → address_line1 (the street with its
    building, suite, floor or room, as the reference writes them), city, state, postal_code.

    Anything after the ZIP is the researchers' remark on the address ('(2005 address - current address
    unverified)', '(historic)'), not part of it: it comes back as `remark`, for the staff's source note."""
    if not street:
        return {}
    match = _ADDRESS_RE.match(street.strip())
    if not match:
        return {"address_line1": street.strip()}
    result = {"address_line1": match["street"], "city": match["city"], "state": match["state"]}
    if match["zip"]:
        result["postal_code"] = match["zip"]
    if match["rest"]:
        result["remark"] = match["rest"].strip()
    return result


def _address_fields(address: dict[str, str]) -> dict[str, str]:
    """The office's address fields of a parsed address (city and state are set apart, the remark is a note)."""
    return {k: v for k, v in address.items() if k not in {"city", "state", "remark"}}


def _code(text: str) -> str:
    return text.split()[0].strip().upper()


def _source_note(*parts: str | None) -> str:
    return "\n".join(p.strip() for p in parts if p and p.strip())


def _labelled(label: str, text: str | None) -> str:
    text = re.sub(r"\s+", " ", text or "").strip()
    return f"{label}: {text}" if text else ""


def _field_offices(data: dict[str, Any]) -> tuple[list[dict], list[dict]]:
    offices, county_rules = [], []
    for entry in data["offices"]:
        code = entry["code"]
        address = parse_address(entry.get("street_address"))
        state = address.get("state") or entry["state"]
        city = address.get("city") or entry["city"]
        operating = entry.get("status") == "open"
        sources = (entry.get("address_source") and f"Address: {entry['address_source']}",
                   entry.get("code_source") and f"Code: {entry['code_source']}")
        offices.append({
            "code": code, "name": entry["name"], "type": OfficeType.FIELD_OFFICE.value, "city": city, "state": state,
            **_address_fields(address),
            "time_zone": zipdata.time_zone_for(state=state, city=city, postal_code=address.get("postal_code", "")),
            "offers_appointments": operating,
            "hours_note": "By appointment only" if operating else "",
            "confidence": Confidence.SECONDARY.value if "suggested" not in (entry.get("code_source") or "")
            else Confidence.INFERRED.value,
            "address_confidence": confidence(entry.get("address_confidence")),
            "source_note": _source_note(
                *sources, _labelled("Address remark", address.get("remark")),
                _labelled("Notes", entry.get("notes")), _labelled("Jurisdiction", entry.get("jurisdiction_note")),
            ),
            "former": {  # what load_directory wrote before the notes went to the staff
                "description": _source_note(entry.get("notes"), entry.get("jurisdiction_note")),
                "address_line2": address.get("remark", ""),
                "source_note": _source_note(*sources),
            },
        })
        for rule in entry.get("jurisdiction") or []:
            counties = rule["counties"]
            names = [""] if counties == "entire state" else counties
            for county in names:
                county_rules.append({
                    "office": code, "state": rule["state"], "county": county,
                    "confidence": confidence(rule.get("confidence")), "source": rule.get("source") or "",
                    "note": rule.get("note") or "",
                })
    return offices, county_rules


def _asylum_offices(data: dict[str, Any], rules_data: dict[str, Any]) -> tuple[list[dict], list[dict]]:
    offices = []
    for entry in data["offices"]:
        address = parse_address(entry.get("street_address"))
        state, city = address.get("state") or entry["state"], address.get("city") or entry["city"]
        prefix = entry.get("receipt_prefix") or {}
        sources = (entry.get("address_source") and f"Address: {entry['address_source']}",
                   prefix.get("source") and f"Receipt prefix {prefix.get('prefix')} ({prefix.get('confidence')}): "
                   f"{prefix['source']}")
        offices.append({
            "code": entry["code"], "name": entry["name"], "type": OfficeType.ASYLUM_OFFICE.value,
            "state": state, "city": city, **_address_fields(address),
            "time_zone": zipdata.time_zone_for(state=state, city=city, postal_code=address.get("postal_code", "")),
            "phone": (entry.get("phone") or "").split(" (")[0],
            "confidence": Confidence.SECONDARY.value,
            "address_confidence": confidence(entry.get("address_confidence")),
            "opened_on": entry.get("opened"),
            "source_note": _source_note(
                *sources, _labelled("Address remark", address.get("remark")),
                _labelled("Address note", entry.get("address_note")), _labelled("History", entry.get("history")),
                _labelled("Note", entry.get("note")),
            ),
            "former": {  # what load_directory wrote before the notes went to the staff
                "description": _source_note(entry.get("history"), entry.get("note"), entry.get("address_note")),
                "source_note": _source_note(*sources),
            },
        })
    asylum_rules = []
    for office, entries in rules_data["rules"].items():
        for rule in entries:
            for state in rule["states"]:
                common = {"office": office, "state": state, "confidence": rule["confidence"],
                          "source": rule.get("source", ""), "note": rule.get("note", "")}
                if rule.get("counties"):
                    asylum_rules += [{**common, "county": c, "field_office": None} for c in rule["counties"]]
                elif rule.get("field_offices"):
                    asylum_rules += [{**common, "county": "", "field_office": f} for f in rule["field_offices"]]
                else:
                    asylum_rules.append({**common, "county": "", "field_office": None})
    return offices, asylum_rules


def country_code(name: str) -> str:
    code = _COUNTRY_ALIASES.get(name) or countries.by_name(name)
    if not code:
        raise ValueError(f"Unknown country name in the reference: {name!r}")
    return code


def _international_offices(data: dict[str, Any]) -> tuple[list[dict], list[dict]]:
    offices, coverage = [], []
    for entry in data["offices"]:
        code = _code(entry["code"])
        suggested = ("Code suggested by the reference (USCIS publishes no code for this office)."
                     if "suggested" in entry["code"] else "")
        offices.append({
            "code": code, "name": entry["name"], "type": OfficeType.INTERNATIONAL_FIELD_OFFICE.value,
            "state": "", "country": country_code(entry["country"]), "city": entry["name"].replace(" Field Office", ""),
            "address_line1": entry.get("address") or "",
            "confidence": Confidence.INFERRED.value if "suggested" in entry["code"] else Confidence.SECONDARY.value,
            "address_confidence": Confidence.SECONDARY.value if entry.get("address") else Confidence.UNCONFIRMED.value,
            "opened_on": entry.get("opened"),
            "source_note": _source_note(
                suggested, _labelled("Note", entry.get("note")), _labelled("Functions", entry.get("functions")),
            ),
            "former": {  # what load_directory wrote before the notes went to the staff
                "description": _source_note(entry.get("note"), entry.get("functions")),
                "source_note": suggested,
            },
        })
        for cover in entry["covers"]:
            names = cover.get("countries") or [cover["country"]]
            common = {"office": code, "confidence": confidence(cover.get("confidence")),
                      "source": cover.get("source") or "", "note": cover.get("note") or ""}
            for name in names:
                regions = cover.get("provinces") or [""]
                coverage += [{**common, "country": country_code(name), "region": region} for region in regions]
    return offices, coverage


def _receipt_prefixes(data: dict[str, Any], offices: list[dict]) -> list[dict]:
    """Every prefix of receipt_prefixes.yaml, with the office its text names, and every field and
    international office code (receipts issued locally carry the office's code)."""
    names = sorted(((o["name"], o["code"]) for o in offices), key=lambda pair: -len(pair[0]))
    result = []
    for entry in data["prefixes"]:
        prefix = entry["prefix"]
        if not re.fullmatch(r"[A-Z]{3}", prefix):
            continue  # the Tampa placeholder and the field-office-code family, handled below and in routing
        text = f"{entry['means']} {entry['routing']}"
        office = next((code for name, code in names if name in text), None)
        if prefix == "IOE":
            routing, office = PrefixRouting.ELECTRONIC.value, None
        elif office == "NBC":
            routing = PrefixRouting.BENEFITS_CENTER.value
        else:
            routing = PrefixRouting.OFFICE.value
        if routing != PrefixRouting.ELECTRONIC and office is None:
            raise ValueError(f"receipt_prefixes.yaml: no office named for {prefix}")
        result.append({"prefix": prefix, "office": office, "routing": routing, "description": entry["means"].strip(),
                       "routing_note": entry["routing"].strip(), "confidence": confidence(entry["confidence"])})
    local = next(e for e in data["prefixes"] if e["prefix"].startswith("<field-office code>"))
    taken = {r["prefix"] for r in result}
    for office in offices:
        if office["type"] in {OfficeType.FIELD_OFFICE, OfficeType.INTERNATIONAL_FIELD_OFFICE} and office["code"] not in taken:
            result.append({"prefix": office["code"], "office": office["code"], "routing": PrefixRouting.OFFICE.value,
                           "description": f"Receipts issued locally by the {office['name']}",
                           "routing_note": local["routing"].strip(), "confidence": confidence(local["confidence"])})
    return result


def _merge_offices(reference: list[dict], supplements: list[dict]) -> list[dict]:
    """Reference offices with directory.yaml's fields where the reference has none; then the rest of the file's.

    A reference office's public description is directory.yaml's or none (the reference's text is the
    staff's); the staff's source note is both files' notes. `former` keeps, of the values earlier
    loaders wrote, those that differ from today's (load_directory replaces a value still equal to one).
    """
    by_code = {entry["code"]: entry for entry in supplements}
    merged = []
    for entry in reference:
        extra = by_code.pop(entry["code"], {})
        given = {k: v for k, v in entry.items() if v not in (None, "") and k != "former"}
        # Always present, so that `--update` clears a value the files no longer give.
        office = {"description": "", "address_line2": "", **extra, **given}
        office["source_note"] = _source_note(extra.get("source_note"), entry.get("source_note"))
        # The earlier merge took the reference's value where it had one, else directory.yaml's.
        former = {field: value or extra.get(field, "") for field, value in entry.get("former", {}).items()}
        office["former"] = {field: value for field, value in former.items() if value != office[field]}
        merged.append(office)
    return merged + [entry for entry in supplements if entry["code"] in by_code]


def directory_data() -> dict[str, Any]:
    """The whole directory as plain data, ready for `services.directory_load`."""
    local = yaml_file_load(DIRECTORY_FILE)
    field_offices, county_rules = _field_offices(yaml_file_load(REFERENCE_DIR / "field_offices.yaml"))
    asylum, asylum_rules = _asylum_offices(
        yaml_file_load(REFERENCE_DIR / "asylum_offices.yaml"), yaml_file_load(ASYLUM_RULES_FILE)
    )
    international, coverage = _international_offices(yaml_file_load(REFERENCE_DIR / "international_offices.yaml"))
    offices = _merge_offices(field_offices + asylum + international, local["offices"])
    prefixes = _receipt_prefixes(yaml_file_load(REFERENCE_DIR / "receipt_prefixes.yaml"), offices)
    prefixes += [{"prefix": p, **entry} for p, entry in (local.get("receipt_prefixes") or {}).items()]
    return {
        "offices": offices,
        "county_rules": county_rules,
        "zip_rules": local.get("zip_rules") or [],
        "asylum_rules": asylum_rules,
        "country_coverage": coverage + (local.get("country_coverage") or []),
        "receipt_prefixes": prefixes,
        "channels": local.get("channels") or [],
        "agencies": local.get("agencies") or [],
        "spanish": local.get("spanish") or {},
    }
