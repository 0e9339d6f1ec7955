"""ZIP code → state, county and city, from the offline `zipcodes` package (pinned in requirements.txt).

The package ships the USPS ZIP list with each ZIP's county; it is refreshed by upgrading the
package, never downloaded at run time. County names are matched the way the reference's
`county_naming` note says: without the 'County/Parish/Borough/Census Area/Municipio' suffix,
Virginia/Maryland/Missouri independent cities keeping a trailing 'city', case-insensitively,
ignoring periods and accents.
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache

import zipcodes

# The package's military "states" and the freely associated states (Compact of Free Association):
# no domestic field office serves them (field_offices.yaml `not_routed`).
MILITARY_STATES = frozenset({"AA", "AE", "AP"})
FREELY_ASSOCIATED_STATES = frozenset({"FM", "MH", "PW"})
MILITARY_CITIES = frozenset({"APO", "FPO", "DPO"})  # a few military ZIPs carry a state (NJ 09905: "Apo")

# The U.S. Virgin Islands have no counties in the package; the reference routes them by island
# (field_offices.yaml `territories_without_counties`): the package's city names the island.
VIRGIN_ISLANDS_BY_CITY = {
    "st thomas": "St. Thomas",
    "st john": "St. John",
    "christiansted": "St. Croix",
    "frederiksted": "St. Croix",
    "kingshill": "St. Croix",
}

_SUFFIX_RE = re.compile(r"\s+(county|parish|borough|census area|municipio|municipality|city and borough)$")
_SPACES_RE = re.compile(r"\s+")
_NOT_ALNUM_RE = re.compile(r"[^a-z0-9]+")


@lru_cache(maxsize=8192)  # about 3,200 county names; a lookup asks for one or two per request
def county_key(name: str) -> str:
    """The lookup key of a county name, by the reference's `county_naming` rule:
    'St. Lucie County' and 'st lucie' → 'st lucie'; 'Doña Ana County' → 'dona ana'; 'Baltimore city'
    keeps 'city'. Spaces count, as the rule says: 'LaPorte' and 'La Porte' are different keys."""
    text = unicodedata.normalize("NFKD", name or "").encode("ascii", "ignore").decode().lower()
    text = _SPACES_RE.sub(" ", text.replace(".", "")).strip()
    return _SUFFIX_RE.sub("", text)


def loose_county_key(name: str) -> str:
    """A looser key ('laporte' for both 'LaPorte' and 'La Porte'), for the jurisdiction check page
    to flag county names that differ only by spacing or punctuation."""
    return _NOT_ALNUM_RE.sub("", county_key(name))


@dataclass(frozen=True, slots=True)
class ZipPlace:
    zip_code: str
    state: str
    county: str  # as the package names it ("Cook County"); on the Virgin Islands, the island
    city: str
    zip_type: str  # STANDARD, PO BOX, UNIQUE or MILITARY
    active: bool
    time_zone: str

    @property
    def county_key(self) -> str:
        return county_key(self.county)


@cache
def zip_places() -> dict[str, ZipPlace]:
    """Every ZIP the package knows, by ZIP code (read once per process: about 42,800 records)."""
    places = {}
    for row in zipcodes.list_all():
        county = row["county"] or ""
        if row["state"] == "VI" and not county:
            county = VIRGIN_ISLANDS_BY_CITY.get(row["city"].lower().replace(".", ""), "")
        places[row["zip_code"]] = ZipPlace(
            zip_code=row["zip_code"], state=row["state"], county=county, city=row["city"],
            zip_type=row["zip_code_type"], active=bool(row["active"]), time_zone=row["timezone"] or "",
        )
    return places


def zip_place(zip5: str) -> ZipPlace | None:
    return zip_places().get(zip5)


@cache
def _zones() -> tuple[dict[tuple[str, str], str], dict[str, str]]:
    by_city: dict[tuple[str, str], str] = {}
    counts: dict[str, dict[str, int]] = {}
    for place in zip_places().values():
        if not place.time_zone:
            continue
        by_city.setdefault((place.state, place.city.lower()), place.time_zone)
        zones = counts.setdefault(place.state, {})
        zones[place.time_zone] = zones.get(place.time_zone, 0) + 1
    by_state = {state: max(zones, key=zones.__getitem__) for state, zones in counts.items()}
    return by_city, by_state


def time_zone_for(*, state: str, city: str = "", postal_code: str = "") -> str:
    """The IANA zone of a U.S. place: its ZIP's, else its city's, else the state's most common one."""
    place = zip_place(postal_code) if postal_code else None
    if place and place.time_zone:
        return place.time_zone
    by_city, by_state = _zones()
    return by_city.get((state, city.lower())) or by_state.get(state, "America/New_York")


# The 50 states, DC and the five inhabited territories: where a field office can serve a ZIP.
US_STATES_AND_TERRITORIES: tuple[str, ...] = (
    "AK", "AL", "AR", "AS", "AZ", "CA", "CO", "CT", "DC", "DE", "FL", "GA", "GU", "HI", "IA", "ID", "IL", "IN",
    "KS", "KY", "LA", "MA", "MD", "ME", "MI", "MN", "MO", "MP", "MS", "MT", "NC", "ND", "NE", "NH", "NJ", "NM",
    "NV", "NY", "OH", "OK", "OR", "PA", "PR", "RI", "SC", "SD", "TN", "TX", "UT", "VA", "VI", "VT", "WA", "WI",
    "WV", "WY",
)
