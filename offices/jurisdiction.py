"""Which office serves a place: ZIP → county (zipcodes package) → field office (CountyRule / ZipRule),
country (and region) → international office, and the asylum office alongside.

Jurisdiction is read on every page that needs an office and changes only when an admin edits it,
so it is answered from an in-process index. The index is rebuilt when the version number in the
shared cache changes; every write to a rule, an office or its hours bumps that version when its
transaction commits (and marks this process's index stale at once), so the next lookup in any
worker sees the edit. A web request reads that version once (offices.middleware). What is derived
from the index, or from data whose edits bump the same version (appointment policies, schedule blocks
and reasons: appointments.signals), is kept in the index's memo until it is rebuilt.

Where the data does not decide — a county split between offices with no ZIP rule, a ZIP the
database gives no county — the answer says so and lists the candidates; it never picks one.
"""

import threading
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any, NamedTuple, TypeVar

from django.db import connection, transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from core.cache import cache_call

from . import rules, zipdata
from .models import (
    AgencyClosure,
    AsylumRule,
    ChannelHours,
    ContactChannel,
    CountryCoverage,
    CountyRule,
    Office,
    OfficeClosure,
    ZipRule,
)

VERSION_KEY = "offices:jurisdiction:version"
T = TypeVar("T")


class Status:
    OFFICE = "office"  # exactly one office serves the place
    CHOOSE = "choose"  # the data names several candidates: the customer chooses
    NO_OFFICE = "no_office"  # no office of ours serves it: `message` says what to do instead


class Reason:
    SPLIT_COUNTY = "split_county"
    NO_COUNTY = "no_county"
    NO_RULE = "no_rule"
    MILITARY = "military"
    FREELY_ASSOCIATED = "freely_associated"
    NEEDS_REGION = "needs_region"
    NO_INTERNATIONAL_OFFICE = "no_international_office"


MESSAGES = {
    Reason.SPLIT_COUNTY: _(
        "{county} is divided between several field offices by ZIP code, and our directory does not yet say "
        "which one serves ZIP code {zip}. Choose the office named on your appointment notice or closest to you."
    ),
    Reason.NO_COUNTY: _(
        "The ZIP code database gives no county for ZIP code {zip} ({city}, {state}), and {state} is divided between "
        "several field offices. Choose the office for the county you live in."
    ),
    Reason.NO_RULE: _(
        "Our directory has no field office for {county}, {state} yet. Choose the office for the county you live in."
    ),
    Reason.MILITARY: _(
        "ZIP code {zip} is a military APO/FPO/DPO address: no domestic field office serves it. Members of the "
        "military and their families can call the Military Help Line; overseas military naturalization is handled "
        "as your unit's legal office advises."
    ),
    Reason.FREELY_ASSOCIATED: _(
        "ZIP code {zip} is in {place}, a freely associated state: no USCIS field office serves it. Contact the U.S. "
        "embassy there (Department of State), or the USCIS Contact Center."
    ),
    Reason.NEEDS_REGION: _("{country} is divided between offices by region: choose the region where you live."),
}
FREELY_ASSOCIATED_NAMES = {"FM": "the Federated States of Micronesia", "MH": "the Marshall Islands", "PW": "Palau"}
UNKNOWN_ZIP = _("ZIP code {zip} is not in the U.S. ZIP code database. Check the number on your mail.")
NO_OFFICE_FOR_COUNTRY = _(
    "No USCIS international office serves {country}. Contact the U.S. embassy or consulate there "
    "(Department of State), or the USCIS Contact Center."
)
UNKNOWN_REGION = _("{region} is not one of the regions of {country} we know. Choose one of: {regions}.")
NOT_A_CANDIDATE = _("{code} is not one of the offices that may serve this place. Choose one of: {codes}.")


class ChoiceError(ValueError):
    """A choice that is not one of the answer's candidates or regions; `field` names the input."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


class RuleRef(NamedTuple):
    office_id: int
    confidence: str
    source: str
    note: str


@dataclass(frozen=True)
class Answer:
    """What the directory says about one place (a ZIP, or a country and region)."""

    status: str
    place: str  # the normalized ZIP or country code
    kind: str  # "zip" or "country"
    state: str = ""
    county: str = ""
    city: str = ""
    region: str = ""
    office: Office | None = None
    candidates: tuple[Office, ...] = ()
    matched_by: str = ""  # zip_rule, county, state, choice, country, region
    confidence: str = ""
    source: str = ""
    note: str = ""
    reason: str = ""
    message: str = ""
    asylum_office: Office | None = None
    asylum_candidates: tuple[Office, ...] = ()
    regions: tuple[str, ...] = ()

    @property
    def is_abroad(self) -> bool:
        return self.kind == "country"


@dataclass
class JurisdictionIndex:
    """Every rule and every office, in dicts keyed as lookups ask (built from the database in ~10 queries)."""

    version: object
    offices: dict[int, Office] = field(default_factory=dict)
    by_code: dict[str, Office] = field(default_factory=dict)
    state_rules: dict[str, list[RuleRef]] = field(default_factory=lambda: defaultdict(list))
    county_rules: dict[tuple[str, str], list[RuleRef]] = field(default_factory=lambda: defaultdict(list))
    zip_rules: dict[str, RuleRef] = field(default_factory=dict)
    state_offices: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    asylum_county: dict[tuple[str, str], list[RuleRef]] = field(default_factory=lambda: defaultdict(list))
    asylum_area: dict[tuple[str, int], list[RuleRef]] = field(default_factory=lambda: defaultdict(list))
    asylum_state: dict[str, list[RuleRef]] = field(default_factory=lambda: defaultdict(list))
    asylum_area_states: set[str] = field(default_factory=set)
    countries: dict[str, dict[str, RuleRef]] = field(default_factory=dict)
    region_names: dict[str, dict[str, str]] = field(default_factory=dict)
    closures: dict[int, frozenset] = field(default_factory=dict)
    agency_closures: frozenset = frozenset()
    closures_since: date = date.max  # the closures above are complete from this day on
    provisional: bool = False
    memo: dict[tuple, object] = field(default_factory=dict)


def _ref(rule) -> RuleRef:
    return RuleRef(rule.office_id, rule.confidence, rule.source, rule.note)


def region_key(name: str) -> str:
    return zipdata.county_key(name)


def build_index(version: object) -> JurisdictionIndex:
    channels = ContactChannel.objects.filter(is_active=True).prefetch_related(
        Prefetch("hours", queryset=ChannelHours.objects.order_by("weekday", "opens"))
    )
    offices = Office.objects.prefetch_related("receipt_prefixes", "hours", Prefetch("channels", queryset=channels))
    index = JurisdictionIndex(version)
    for office in offices:
        index.offices[office.pk] = office
        index.by_code[office.code] = office
    today = timezone.localdate()
    closures: dict[int, set] = defaultdict(set)
    for office_id, day in OfficeClosure.objects.filter(date__gte=today - timedelta(days=1)).values_list(
        "office_id", "date"
    ):
        closures[office_id].add(day)
    index.closures = {office_id: frozenset(days) for office_id, days in closures.items()}
    index.closures_since = today - timedelta(days=1)
    index.agency_closures = frozenset(AgencyClosure.objects.filter(date__gte=today - timedelta(days=1)).values_list(
        "date", flat=True
    ))
    for rule in CountyRule.objects.all():
        if rule.county:
            index.county_rules[(rule.state, zipdata.county_key(rule.county))].append(_ref(rule))
        else:
            index.state_rules[rule.state].append(_ref(rule))
        index.state_offices[rule.state].add(rule.office_id)
    for zip_rule in ZipRule.objects.all():
        index.zip_rules[zip_rule.zip_code] = _ref(zip_rule)
    for asylum in AsylumRule.objects.all():
        if asylum.county:
            index.asylum_county[(asylum.state, zipdata.county_key(asylum.county))].append(_ref(asylum))
        elif asylum.field_office_id:
            index.asylum_area[(asylum.state, asylum.field_office_id)].append(_ref(asylum))
            index.asylum_area_states.add(asylum.state)
        else:
            index.asylum_state[asylum.state].append(_ref(asylum))
    for coverage in CountryCoverage.objects.all():
        code = coverage.country.code  # type: ignore[attr-defined]  # a Country, typed as str by django-stubs
        key = region_key(coverage.region)
        index.countries.setdefault(code, {})[key] = _ref(coverage)
        if coverage.region:
            index.region_names.setdefault(code, {})[key] = coverage.region
    return index


_lock = threading.Lock()
_state: dict[str, object] = {"index": None, "dirty": False}


_UNREAD = object()
# Inside `one_version_read()` (every web request: offices.middleware), the shared version is read once.
_request_version: ContextVar[list[object] | None] = ContextVar("jurisdiction_request_version", default=None)


def _read_version() -> object:
    return cache_call(lambda shared: shared.get(VERSION_KEY))


def current_version() -> object:
    scoped = _request_version.get()
    if scoped is None:
        return _read_version()
    if scoped[0] is _UNREAD:
        scoped[0] = _read_version()
    return scoped[0]


@contextmanager
def one_version_read() -> Iterator[None]:
    """Read the shared version at most once inside the block (one request): an edit committed by another
    process is seen by the next request, and a request's lookups cost one cache round trip, not one each.
    An edit made in this process marks the index stale at once, whatever the block holds."""
    token = _request_version.set([_UNREAD])
    try:
        yield
    finally:
        _request_version.reset(token)


def index() -> JurisdictionIndex:
    """The index for the current version, rebuilt when an edit (here or in another process) changed it."""
    version = current_version()
    idx = _state["index"]
    assert idx is None or isinstance(idx, JurisdictionIndex)
    stale = (
        idx is None
        or idx.version != version
        or _state["dirty"]
        or (idx.provisional and not connection.in_atomic_block)
    )
    if not stale:
        return idx  # type: ignore[return-value]
    with _lock:
        _state["dirty"] = False
        idx = build_index(version)
        # Built inside a transaction, it may hold rows that are rolled back: rebuild once outside.
        idx.provisional = connection.in_atomic_block
        _state["index"] = idx
    return idx


def _bump_version() -> None:
    # Run after the commit: a cache that is down must not turn a committed edit into an error.
    version = uuid.uuid4().hex
    cache_call(lambda shared: shared.set(VERSION_KEY, version, timeout=None))
    scoped = _request_version.get()
    if scoped is not None:  # the rest of this request sees its own edit under the new version
        scoped[0] = version


def _edit_pending() -> bool:
    """This connection's open transaction changed indexed data (its version bump waits for the commit)."""
    return any(callback[1] is _bump_version for callback in connection.run_on_commit)


def invalidate() -> None:
    """Mark jurisdiction changed: this process at once, every process when the transaction commits."""
    _state["dirty"] = True
    transaction.on_commit(_bump_version)


def forget() -> None:
    """Drop this process's index (tests, after their transaction rolled back)."""
    _state["index"] = None
    _state["dirty"] = False


# --- Lookups -------------------------------------------------------------------------------------


def _offices(idx: JurisdictionIndex, ids: Iterable[int]) -> tuple[Office, ...]:
    return tuple(sorted((idx.offices[i] for i in set(ids)), key=lambda o: o.code))


def _asylum(idx: JurisdictionIndex, state: str, county: str, field_office_ids: Iterable[int]) -> tuple[Office, ...]:
    refs = idx.asylum_county.get((state, zipdata.county_key(county))) if county else None
    if not refs and state in idx.asylum_area_states:
        refs = [r for fo in field_office_ids for r in idx.asylum_area.get((state, fo), [])]
    if not refs:
        refs = idx.asylum_state.get(state, [])
    return _offices(idx, (r.office_id for r in refs))


def _replace(answer: Answer, **changes: object) -> Answer:
    return replace(answer, **changes)  # type: ignore[arg-type]


def _choose(answer: Answer, choice: str) -> Answer:
    """Apply the customer's choice among the candidates (400 when it is not one of them)."""
    if not choice or answer.status != Status.CHOOSE:
        return answer
    code = choice.strip().upper()
    for office in answer.candidates:
        if office.code == code:
            return _replace(answer, status=Status.OFFICE, office=office, matched_by="choice")
    codes = ", ".join(o.code for o in answer.candidates)
    raise ChoiceError(str(NOT_A_CANDIDATE).format(code=code, codes=codes), "office")


def for_zip(zip_code: str, *, choice: str = "") -> Answer | None:
    """The answer for a U.S. ZIP code; None when the ZIP is not in the ZIP database.

    `choice` is the customer's pick among the candidates of an ambiguous answer. Raises
    ValueError for a malformed ZIP or a choice that is not a candidate.
    """
    zip5 = rules.normalize_zip(zip_code)
    place = zipdata.zip_place(zip5)
    if place is None:
        return None
    idx = index()
    if place.state in zipdata.MILITARY_STATES or place.city.upper() in zipdata.MILITARY_CITIES:
        return _stated(_zip_base(zip5, place), Reason.MILITARY)
    if place.state in zipdata.FREELY_ASSOCIATED_STATES:
        return _stated(_zip_base(zip5, place), Reason.FREELY_ASSOCIATED)
    fields = _field_office(idx, place)
    office = fields.get("office")
    field_office_ids = [office.pk] if office else [o.pk for o in fields["candidates"]]
    asylum = _asylum(idx, place.state, place.county, field_office_ids)
    if len(asylum) == 1:
        fields["asylum_office"] = asylum[0]
    else:
        fields["asylum_candidates"] = asylum
    # One Answer built from all its fields (each dataclasses.replace of a frozen answer costs as much).
    answer = Answer(fields.pop("status", Status.OFFICE), zip5, "zip", state=place.state, county=place.county,
                    city=place.city, **fields)
    return _choose(answer, choice) if choice else answer


def _zip_base(zip5: str, place: zipdata.ZipPlace) -> Answer:
    return Answer(Status.OFFICE, zip5, "zip", state=place.state, county=place.county, city=place.city)


def _stated(base: Answer, reason: str) -> Answer:
    place = FREELY_ASSOCIATED_NAMES.get(base.state, base.state)
    message = str(MESSAGES[reason]).format(zip=base.place, place=place)
    return _replace(base, status=Status.NO_OFFICE, reason=reason, message=message)


def _single(idx: JurisdictionIndex, base: Answer, ref: RuleRef, matched_by: str) -> Answer:
    return _replace(base, **_single_fields(idx, ref, matched_by))


def _single_fields(idx: JurisdictionIndex, ref: RuleRef, matched_by: str) -> dict[str, Any]:
    return {"office": idx.offices[ref.office_id], "matched_by": matched_by, "confidence": ref.confidence,
            "source": ref.source, "note": ref.note}


def _field_office(idx: JurisdictionIndex, place: zipdata.ZipPlace) -> dict[str, Any]:
    """The field office part of a ZIP's answer, as Answer fields (status CHOOSE with candidates when the
    data does not decide)."""
    zip_rule = idx.zip_rules.get(place.zip_code)
    if zip_rule is not None:
        return _single_fields(idx, zip_rule, "zip_rule")
    state_refs = idx.state_rules.get(place.state)
    if state_refs and len(state_refs) == 1:
        return _single_fields(idx, state_refs[0], "state")
    refs = idx.county_rules.get((place.state, place.county_key)) if place.county else None
    if refs and len(refs) == 1:
        return _single_fields(idx, refs[0], "county")
    message_args = {"zip": place.zip_code, "county": place.county, "state": place.state, "city": place.city}
    if refs:
        reason, ids = Reason.SPLIT_COUNTY, [r.office_id for r in refs]
        confidence = min((r.confidence for r in refs), key=_CONFIDENCE_ORDER.index)
    else:
        reason = Reason.NO_COUNTY if not place.county else Reason.NO_RULE
        ids, confidence = list(idx.state_offices.get(place.state, ())), ""
        if state_refs:
            ids = [r.office_id for r in state_refs]
    return {"status": Status.CHOOSE, "candidates": _offices(idx, ids), "reason": reason, "confidence": confidence,
            "message": str(MESSAGES[reason]).format(**message_args)}


_CONFIDENCE_ORDER = ["unconfirmed", "inferred", "secondary", "confirmed"]


def for_country(country: str, *, region: str = "") -> Answer:
    """The international office for a country of residence (and its region where it is split).

    Raises ValueError for a malformed country code, a U.S. territory, or an unknown region.
    """
    code = rules.normalize_country(country)
    if code in rules.DOMESTIC_COUNTRIES:
        raise ValueError(rules.DOMESTIC_COUNTRY_NEEDS_ZIP)
    idx = index()
    base = Answer(Status.OFFICE, code, "country")
    rules_by_region = idx.countries.get(code)
    name = countries.name(code)
    if not rules_by_region:
        message = str(NO_OFFICE_FOR_COUNTRY).format(country=name)
        return _replace(base, status=Status.NO_OFFICE, reason=Reason.NO_INTERNATIONAL_OFFICE, message=message)
    names = idx.region_names.get(code)
    if not names:  # one office serves the whole country: the region does not matter
        return _single(idx, base, rules_by_region[""], "country")
    regions = tuple(sorted(names.values()))
    if region:
        key = region_key(region)
        if key not in names:
            message = str(UNKNOWN_REGION).format(region=region, country=name, regions=", ".join(regions))
            raise ChoiceError(message, "region")
        return _replace(_single(idx, base, rules_by_region[key], "region"), region=names[key], regions=regions)
    message = str(MESSAGES[Reason.NEEDS_REGION]).format(country=name)
    return _replace(
        base, status=Status.CHOOSE, reason=Reason.NEEDS_REGION, regions=regions, message=message,
        candidates=_offices(idx, (r.office_id for r in rules_by_region.values())),
    )


def regions_of(country: str) -> tuple[str, ...]:
    """The regions a country is split into (empty when one office serves all of it)."""
    return tuple(sorted(index().region_names.get(country.upper(), {}).values()))


MEMO_LIMIT = 20_000


def memo(key: tuple, build: "Callable[[], T]") -> "T":
    """A value derived from the index or from data whose edits invalidate it (such as an office serialized
    for the API, or an office's booking policy and schedule), kept until the index is rebuilt; `key` must
    hold everything the value depends on. Inside a transaction that edited such data nothing is kept
    (it may roll back)."""
    store = index().memo
    if key not in store and _edit_pending():
        return build()
    if key not in store:
        if len(store) >= MEMO_LIMIT:
            store.clear()
        store[key] = build()
    return store[key]  # type: ignore[return-value]


def office_by_code(code: str) -> Office | None:
    return index().by_code.get(code.strip().upper())


def closed_days(office: Office) -> frozenset:
    """The office's coming closure days and the agency's (executive-order closures), from the index."""
    idx = index()
    return idx.closures.get(office.pk, frozenset()) | idx.agency_closures



# --- The admins' check of the data -----------------------------------------------------------------


@dataclass(frozen=True)
class SplitCounty:
    state: str
    county: str
    offices: tuple[Office, ...]
    zips: int  # ZIPs of the county in the ZIP database
    zips_without_rule: int


@dataclass(frozen=True)
class JurisdictionCheck:
    split_counties: list[SplitCounty]
    spelling_variants: list[tuple[str, list[tuple[str, str]]]]  # (state, [(county name, office code), …])
    counties_without_office: list[tuple[str, str, int]]  # (state, county, ZIPs)
    zips_without_county: list[zipdata.ZipPlace]
    rules_matching_no_zip: list[tuple[str, str, str]]  # (state, county, office code)
    inferred_by_state: list[tuple[str, int]]
    inferred_total: int
    rules_total: int


def jurisdiction_check() -> JurisdictionCheck:
    """What an admin should look at: where the data does not decide, and what is still inferred."""
    idx = index()
    county_zips: dict[tuple[str, str], list[str]] = defaultdict(list)
    no_county: list[zipdata.ZipPlace] = []
    for place in zipdata.zip_places().values():
        if place.state not in zipdata.US_STATES_AND_TERRITORIES or place.city.upper() in zipdata.MILITARY_CITIES:
            continue
        if place.county:
            county_zips[(place.state, place.county_key)].append(place.zip_code)
        elif len(idx.state_rules.get(place.state, ())) != 1:
            no_county.append(place)
    names: dict[tuple[str, str], str] = {}
    for place in zipdata.zip_places().values():
        names.setdefault((place.state, place.county_key), place.county)
    split = []
    for (state, key), refs in sorted(idx.county_rules.items()):
        if len(refs) > 1:
            zips = county_zips.get((state, key), [])
            split.append(SplitCounty(
                state, names.get((state, key), key), _offices(idx, (r.office_id for r in refs)), len(zips),
                sum(1 for z in zips if z not in idx.zip_rules),
            ))
    without = [
        (state, names[(state, key)], len(zips)) for (state, key), zips in sorted(county_zips.items())
        if len(idx.state_rules.get(state, ())) != 1 and (state, key) not in idx.county_rules
    ]
    unmatched = [
        (state, key, idx.offices[ref.office_id].code) for (state, key), refs in sorted(idx.county_rules.items())
        if (state, key) not in county_zips for ref in refs
    ]
    loose: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
    for (state, key), refs in idx.county_rules.items():
        for ref in refs:
            loose[(state, zipdata.loose_county_key(key))].add((names.get((state, key), key), idx.offices[ref.office_id].code))
    variants = [
        (state, sorted(claims)) for (state, _key), claims in sorted(loose.items())
        if len({name for name, _code in claims}) > 1 and len({code for _name, code in claims}) > 1
    ]
    inferred: Counter[str] = Counter()
    total = 0
    for refs_by_key in (idx.county_rules, {(s, ""): refs for s, refs in idx.state_rules.items()}):
        for (state, _key), refs in refs_by_key.items():
            for ref in refs:
                total += 1
                if ref.confidence in ("inferred", "unconfirmed"):
                    inferred[state] += 1
    return JurisdictionCheck(
        split, variants, without, sorted(no_county, key=lambda p: p.zip_code), unmatched,
        sorted(inferred.items()), sum(inferred.values()), total,
    )
