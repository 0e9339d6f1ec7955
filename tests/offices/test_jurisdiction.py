"""Jurisdiction held to the reference (offices/data/reference/, kept verbatim), never to our own tables.

The figures and the 60-ZIP table are parsed out of coverage.md; the county rules are cross-checked
against county_to_office.csv.
"""

import csv
import re
from collections import Counter
from pathlib import Path

import pytest

from offices import jurisdiction, selectors, zipdata
from offices.models import CountyRule, ZipRule
from offices.reference import REFERENCE_DIR

COVERAGE = (REFERENCE_DIR / "coverage.md").read_text(encoding="utf-8")


def _table_rows(heading: str) -> list[list[str]]:
    """The cells of the markdown table that follows `heading` in coverage.md."""
    section = COVERAGE.split(heading, 1)[1]
    rows: list[list[str]] = []
    for line in section.splitlines()[1:]:
        line = line.strip()
        if not line and rows:
            break
        if line.startswith("|") and not set(line) <= set("|-: "):
            rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows[1:]  # without the header row


def _count(cell: str) -> int:
    return int(cell.split()[0])


TOTALS = {row[0]: row[1:] for row in _table_rows("## Totals")}
ACCEPTANCE = [
    pytest.param(row[1], row[4].strip("*"), row[6], id=f"{row[1]}-{row[2]}")
    for row in _table_rows("## Acceptance-test table (60 ZIPs)")
]
NEGATIVE = _table_rows("Negative / ambiguity tests:")


def test_the_reference_tables_were_read():
    assert len(ACCEPTANCE) == 60 and len(NEGATIVE) == 4
    assert "50 states + DC + PR/VI/GU/MP/AS" in TOTALS


def _classify_every_zip() -> tuple[Counter, Counter, Counter]:
    classes: Counter[str] = Counter()
    everything: Counter[str] = Counter()
    per_office: Counter[str] = Counter()
    for zip5, place in zipdata.zip_places().items():
        answer = jurisdiction.for_zip(zip5)
        assert answer is not None
        if answer.status == jurisdiction.Status.OFFICE:
            assert answer.office is not None and answer.office.office_type == "field_office"
            per_office[answer.office.code] += 1
            kind = "single"
        elif answer.status == jurisdiction.Status.CHOOSE:
            assert answer.message and len(answer.candidates) >= 2, zip5
            kind = "several" if answer.reason == jurisdiction.Reason.SPLIT_COUNTY else "none"
        else:
            assert answer.status == jurisdiction.Status.NO_OFFICE and answer.message, zip5
            kind = "none"
        everything[kind] += 1
        if place.state in zipdata.US_STATES_AND_TERRITORIES:
            classes[kind] += 1
    return classes, everything, per_office


def test_every_zip_resolves_to_one_office_a_stated_ambiguity_or_a_stated_reason_as_coverage_md_counts(directory):
    classes, everything, per_office = _classify_every_zip()
    zips, single, none, several = TOTALS["50 states + DC + PR/VI/GU/MP/AS"]
    assert sum(classes.values()) == _count(zips)
    assert classes["single"] == _count(single)
    assert classes["none"] == _count(none)
    assert classes["several"] == _count(several)
    assert classes["single"] / sum(classes.values()) >= 0.98
    zips, single, none, several = TOTALS["all records in package (incl. military, FSM/MH/PW)"]
    assert (sum(everything.values()), everything["single"], everything["none"], everything["several"]) == (
        _count(zips), _count(single), _count(none), _count(several)
    )
    expected = {}
    for row in _table_rows("## Single-office ZIP count per office"):
        for code, count in ((row[0], row[1]), (row[3], row[4])):
            if code:
                expected[code] = int(count)
    assert dict(per_office) == expected


def test_the_stated_gaps_of_coverage_md_are_stated_answers(directory):
    """Each row of the gaps table: its example ZIPs have no single office, and say why."""
    for row in _table_rows("## Gaps: ZIPs that resolve to no office"):
        state, count, why = row[0], int(row[1]), row[2]
        examples = re.findall(r"\b(\d{5}) ", why)
        assert examples, row
        for zip5 in examples:
            answer = jurisdiction.for_zip(zip5)
            assert answer.status != jurisdiction.Status.OFFICE and answer.message, (state, zip5)
        assert count >= len(examples)


@pytest.mark.parametrize(("zip_code", "office", "confidence"), ACCEPTANCE)
def test_acceptance_table_through_the_selector(directory, zip_code, office, confidence):
    answer = selectors.place_answer(zip_code=zip_code)
    assert answer.status == "office"
    assert answer.office.code == office
    assert answer.confidence == confidence


@pytest.mark.parametrize(("zip_code", "office", "confidence"), ACCEPTANCE)
def test_acceptance_table_through_the_api(directory, api_client, zip_code, office, confidence):
    body = api_client.get(f"/api/v1/jurisdiction/?zip={zip_code}").json()
    assert (body["status"], body["office"]["code"], body["confidence"]) == ("office", office, confidence)


@pytest.mark.parametrize(("zip_code", "office", "confidence"), ACCEPTANCE)
def test_acceptance_table_through_the_find_page(directory, client, zip_code, office, confidence):
    response = client.get(f"/offices/find/?zip={zip_code}")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'href="/offices/{office}/?zip={zip_code}" id="result-office"' in html
    assert ('id="result-confidence"' in html) is (confidence != "confirmed")


def _negative(zip_code: str) -> str:
    return next(row[2] for row in NEGATIVE if row[0] == zip_code)


@pytest.mark.parametrize("zip_code", ["90012", "33130"])
def test_split_counties_are_ambiguous_with_the_candidates_never_a_silent_pick(directory, api_client, client, zip_code):
    expected = set(re.search(r"ambiguous: ([A-Z/]+)", _negative(zip_code))[1].split("/"))
    answer = selectors.place_answer(zip_code=zip_code)
    assert answer.status == "choose" and answer.office is None and answer.reason == "split_county"
    assert {o.code for o in answer.candidates} == expected
    body = api_client.get(f"/api/v1/jurisdiction/?zip={zip_code}").json()
    assert body["status"] == "choose" and body["office"] is None
    assert {c["code"] for c in body["candidates"]} == expected
    html = client.get(f"/offices/find/?zip={zip_code}").content.decode()
    assert "Which office serves ZIP code" in html
    for code in expected:
        assert f"?zip={zip_code}&amp;office={code}" in html


@pytest.mark.parametrize("zip_code", ["09021", "96939"])
def test_military_and_freely_associated_zips_get_a_stated_answer_not_a_404(directory, api_client, client, zip_code):
    assert "no domestic field office" in _negative(zip_code)
    body = api_client.get(f"/api/v1/jurisdiction/?zip={zip_code}").json()
    assert body["status"] == "no_office" and body["office"] is None
    assert body["reason"] in {"military", "freely_associated"} and body["message"]
    response = client.get(f"/offices/find/?zip={zip_code}")
    assert response.status_code == 200
    assert body["message"] in response.content.decode().replace("&#x27;", "'")


def test_a_customer_choice_among_the_candidates_is_answered_and_a_non_candidate_is_400(directory, api_client, client):
    body = api_client.get("/api/v1/jurisdiction/?zip=90012&office=sfv").json()
    assert (body["status"], body["matched_by"], body["office"]["code"]) == ("office", "choice", "SFV")
    response = api_client.get("/api/v1/jurisdiction/?zip=90012&office=CHI")
    assert response.status_code == 400
    assert "LAC, LOS, SFV" in response.json()["office"][0]
    # A choice is ignored where the data decides: the customer cannot pick another office.
    assert api_client.get("/api/v1/jurisdiction/?zip=53202&office=CHI").json()["office"]["code"] == "MIL"
    html = client.get("/offices/find/?zip=90012&office=LAC").content.decode()
    assert "You chose the" in html and 'href="/offices/LAC/?zip=90012"' in html


def test_a_zip_rule_decides_a_split_county_zip(directory, api_client):
    from offices.models import Office

    ZipRule.objects.create(zip_code="90012", office=Office.objects.get(code="LOS"), confidence="secondary")
    jurisdiction.invalidate()
    body = api_client.get("/api/v1/jurisdiction/?zip=90012").json()
    assert (body["status"], body["matched_by"], body["office"]["code"]) == ("office", "zip_rule", "LOS")
    assert api_client.get("/api/v1/jurisdiction/?zip=90013").json()["status"] == "choose"


def test_a_zip_the_database_does_not_know_is_404(directory, api_client):
    response = api_client.get("/api/v1/jurisdiction/?zip=00000")
    assert response.status_code == 404
    assert "not in the U.S. ZIP code database" in response.json()["detail"]


def test_loaded_county_rules_are_the_reference_csv(directory):
    """county_to_office.csv flattens the county rules of field_offices.yaml; the loaded rules match it."""
    with (REFERENCE_DIR / "county_to_office.csv").open(encoding="utf-8") as handle:
        expected = {
            (row["state"], "" if row["county"] == "*" else row["county"]): set(re.split(r"[,|]", row["offices"]))
            for row in csv.DictReader(handle)
        }
    loaded: dict[tuple[str, str], set[str]] = {}
    for state, county, code in CountyRule.objects.values_list("state", "county", "office__code"):
        loaded.setdefault((state, county), set()).add(code)
    virgin_islands = {key for key in loaded if key[0] == "VI"}  # by island; the CSV leaves them out
    assert {k: v for k, v in loaded.items() if k not in virgin_islands} == expected
    assert {loaded[k].pop() for k in virgin_islands} == {"CHA", "CHR"}


@pytest.mark.parametrize(
    ("zip_code", "asylum"),
    [
        ("60605", {"ZCH"}), ("90012", {"ZLA"}), ("94111", {"ZSF"}), ("33130", {"ZMI"}), ("33602", {"ZTA"}),
        ("10007", {"ZNK"}), ("11742", {"ZNY"}), ("12207", {"ZNK"}), ("15213", {"ZAR"}), ("19107", {"ZNK"}),
        ("89101", {"ZLA"}), ("89501", {"ZSF"}), ("70112", {"ZOL"}), ("00901", {"ZMI"}), ("06103", {"ZBO", "ZNK"}),
    ],
)
def test_the_asylum_office_for_the_county_is_shown_with_the_field_office(directory, api_client, zip_code, asylum):
    body = api_client.get(f"/api/v1/jurisdiction/?zip={zip_code}").json()
    if len(asylum) == 1:
        assert body["asylum_office"]["code"] == asylum.pop()
    else:
        assert body["asylum_office"] is None and {o["code"] for o in body["asylum_candidates"]} == asylum


def _reference_provinces(office: str) -> list[str]:
    import yaml

    data = yaml.safe_load((REFERENCE_DIR / "international_offices.yaml").read_text(encoding="utf-8"))
    entry = next(o for o in data["offices"] if o["code"].startswith(office))
    return next(c["provinces"] for c in entry["covers"] if c.get("country") == "China")


@pytest.mark.parametrize("office", ["BEJ", "GUZ"])
def test_china_routes_by_province_as_the_reference_says(directory, api_client, office):
    for province in _reference_provinces(office):
        body = api_client.get("/api/v1/jurisdiction/", {"country": "CN", "region": province}).json()
        assert (body["status"], body["office"]["code"], body["region"]) == ("office", office, province)


def test_china_without_a_region_asks_for_it_and_other_countries_do_not(directory, api_client, client):
    body = api_client.get("/api/v1/jurisdiction/?country=CN").json()
    assert body["status"] == "choose" and body["reason"] == "needs_region"
    assert {c["code"] for c in body["candidates"]} == {"BEJ", "GUZ"}
    assert "Shanghai" in body["regions"] and "Guangdong" in body["regions"]
    html = client.get("/offices/find/?country=CN").content.decode()
    assert 'name="region"' in html and "Shanghai" in html
    assert 'name="region"' not in client.get("/offices/find/?country=IN").content.decode()
    response = api_client.get("/api/v1/jurisdiction/?country=CN&region=Atlantis")
    assert response.status_code == 400 and "Shanghai" in response.json()["region"][0]


@pytest.mark.parametrize(
    ("country", "office"),
    [("CA", "MEX"), ("mx", "MEX"), ("GT", "GUA"), ("KE", "NRB"), ("IN", "NDL"), ("SV", "SSV"), ("HN", "TGU"),
     ("CU", "HAV"), ("QA", "DOH"), ("TR", "ANK"), ("MN", "BEJ"), ("CG", "NRB")],
)
def test_countries_route_to_their_international_office(directory, api_client, country, office):
    assert selectors.place_answer(country=country).office.code == office
    assert api_client.get(f"/api/v1/jurisdiction/?country={country}").json()["office"]["code"] == office


@pytest.mark.parametrize("country", ["FR", "HK", "TW"])
def test_a_country_no_office_serves_gets_a_stated_answer(directory, api_client, country):
    body = api_client.get(f"/api/v1/jurisdiction/?country={country}").json()
    assert body["status"] == "no_office" and "embassy or consulate" in body["message"]


def test_every_reference_office_is_loaded_with_its_code(directory):
    import yaml

    from offices.models import Office

    codes = set(Office.objects.values_list("code", flat=True))
    for name in ("field_offices.yaml", "asylum_offices.yaml", "international_offices.yaml"):
        data = yaml.safe_load((REFERENCE_DIR / name).read_text(encoding="utf-8"))
        assert {o["code"].split()[0] for o in data["offices"]} <= codes, name
    assert Office.objects.filter(office_type="field_office").count() == 90


def test_reference_copy_is_verbatim():
    repo = Path(__file__).resolve().parents[2]
    shared = next(
        (p / "shared" / "reference" / "offices" for p in (repo.parent, repo.parent.parent)
         if (p / "shared" / "reference" / "offices").is_dir()), None,
    )
    if shared is None:
        pytest.skip("no shared/ reference beside the repository")
    for path in shared.iterdir():
        assert (REFERENCE_DIR / path.name).read_bytes() == path.read_bytes(), path.name
