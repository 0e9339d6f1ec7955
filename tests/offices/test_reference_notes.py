"""The reference's notes on an office are the researchers' working notes: staff read them in the
source note; no public page or public API answer shows them. And the public address is the
reference's street address, whole (its suite, floor or room), without the researchers' remark after it.

Everything here is read from the reference files themselves (offices/data/reference/), not from the
code's own tables, so a note the code forgets to hold back fails these tests.
"""

import json
import re
from typing import Any

import pytest

from offices import selectors, zipdata
from offices.models import Office
from offices.reference import REFERENCE_DIR, yaml_file_load
from offices.services import directory_load
from tests.auth import sign_in
from tests.core.test_spanish import visible_text
from tests.factories import StaffFactory

# The free text of each reference file about an office (not its address, name or sources).
NOTE_FIELDS = {
    "field_offices.yaml": ("notes", "jurisdiction_note"),
    "asylum_offices.yaml": ("history", "note", "address_note"),
    "international_offices.yaml": ("note", "functions"),
}
_ADDRESS_END_RE = re.compile(r",\s*[A-Z]{2}(?:\s+\d{5})?\s*(?P<remark>\(.*\))?\s*$")


def reference_offices() -> list[tuple[str, dict[str, Any]]]:
    return [(name, entry) for name in NOTE_FIELDS for entry in yaml_file_load(REFERENCE_DIR / name)["offices"]]


def code_of(entry: dict[str, Any]) -> str:
    return entry["code"].split()[0]


def reference_notes() -> dict[str, list[str]]:
    """Office code → its notes in the reference, and the remark after its street address."""
    notes: dict[str, list[str]] = {}
    for name, entry in reference_offices():
        texts = [" ".join(str(entry[f]).split()) for f in NOTE_FIELDS[name] if entry.get(f)]
        match = _ADDRESS_END_RE.search(entry.get("street_address") or "")
        if match and match["remark"]:
            texts.append(match["remark"])
        if texts:
            notes[code_of(entry)] = texts
    return notes


def fragments(text: str) -> list[str]:
    """A note's clauses long enough to be its own words (split where a rewording would break it). A bare
    citation ('bipc.com/closure-of-…') is a source key, which the jurisdiction answer cites as its `source`."""
    parts = (part.strip(" .,") for part in re.split(r"[;()\n]|\.\s|\s-\s", text))
    return [part for part in parts if len(part) >= 12 and " " in part]


def leaks(shown: str, notes: dict[str, list[str]]) -> list[str]:
    return [part for texts in notes.values() for text in texts for part in fragments(text) if part in shown]


def api_text(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False)


def test_the_reference_has_notes_to_hold_back():
    notes = reference_notes()
    assert {"AGA", "WAS", "HLG", "STA", "LAC", "SPN", "MEM", "ZNK", "NDL", "TGU"} <= set(notes)
    assert len(notes) >= 20


def one_place_per_office() -> dict[str, tuple[str, str]]:
    """For every office a find answer can name: a ZIP (and the choice among candidates) it answers."""
    places: dict[str, tuple[str, str]] = {}
    seen = set()
    for place in zipdata.zip_places().values():
        if (place.state, place.county) in seen:
            continue
        seen.add((place.state, place.county))
        answer = selectors.place_answer(zip_code=place.zip_code)
        if answer.office is not None:
            places.setdefault(answer.office.code, (place.zip_code, ""))
        for candidate in answer.candidates:
            places.setdefault(candidate.code, (place.zip_code, candidate.code))
    return places


def test_no_public_page_or_api_answer_shows_a_reference_note(directory, client, api_client):
    notes = reference_notes()
    found = []
    for code in Office.objects.values_list("code", flat=True):
        for language in ("en", "es"):
            client.cookies["django_language"] = language
            page = visible_text(client.get(f"/offices/{code}/").content.decode())
            found += [(f"/offices/{code}/ ({language})", part) for part in leaks(page, notes)]
            answer = api_client.get(f"/api/v1/offices/{code}/", HTTP_ACCEPT_LANGUAGE=language).json()
            found += [(f"/api/v1/offices/{code}/ ({language})", part) for part in leaks(api_text(answer), notes)]
    client.cookies["django_language"] = "en"
    url = "/api/v1/offices/?page_size=100"
    while url:
        listing = api_client.get(url).json()
        found += [(url, part) for part in leaks(api_text(listing), notes)]
        url = listing["next"]
    places = one_place_per_office()
    assert {"AGA", "WAS", "HLG", "LAC", "MEM", "HHW"} <= set(places)
    queries = [{"zip": zip_code, **({"office": choice} if choice else {})} for zip_code, choice in places.values()]
    queries += [{"country": country} for country in ("CA", "MX", "IN", "KE", "HN", "SV", "QA", "TR", "GT", "CU")]
    queries += [{"country": "CN", "region": region} for region in ("Shanghai", "Guangdong", "Beijing")]
    for query in queries:
        page = visible_text(client.get("/offices/find/", query).content.decode())
        found += [(f"find {query}", part) for part in leaks(page, notes)]
        answer = api_client.get("/api/v1/jurisdiction/", query).json()
        found += [(f"api find {query}", part) for part in leaks(api_text(answer), notes)]
    assert not found, f"public pages show the researchers' notes: {found[:10]}"


def test_staff_read_every_reference_note_in_the_source_note(directory, client, api_client):
    staff = StaffFactory(office=Office.objects.get(code="NCSC"))
    sign_in(client, staff)
    api_client.force_authenticate(staff)
    for code, texts in reference_notes().items():
        page = visible_text(client.get(f"/offices/{code}/").content.decode())
        answer = api_client.get(f"/api/v1/offices/{code}/").json()
        for text in texts:
            assert text in page, f"/offices/{code}/ does not show staff {text!r}"
            assert text in answer["source_note"], f"the API does not show staff {code}'s {text!r}"


def test_the_public_description_says_what_a_customer_needs_from_a_note(directory, client):
    agana = visible_text(client.get("/offices/AGA/").content.decode())
    assert "Also serves the Northern Mariana Islands (Saipan)" in agana
    washington = visible_text(client.get("/offices/WAS/").content.decode())
    assert "Serves the District of Columbia and Northern Virginia. The office is in Fairfax, Virginia." in washington
    assert "Replaced the Harlingen Field Office in June 2024." in visible_text(client.get("/offices/HLG/").content.decode())
    client.cookies["django_language"] = "es"
    assert "La oficina está en Fairfax, Virginia." in visible_text(client.get("/offices/WAS/").content.decode())


def address_block(html: str) -> str:
    """The page's first <address>, its lines joined the way the reference writes an address."""
    block = html[html.index("<address>") + len("<address>"):html.index("</address>")]
    lines = [" ".join(visible_text(line).split()) for line in block.split("<br>")]
    return ", ".join(line for line in lines if line)


def street_addresses() -> list[tuple[str, str, str]]:
    """(code, the address a customer should read, the remark after it) of every field and asylum
    office with a street address in the reference (the remark: '(2005 address - …)', or '')."""
    found = []
    for name in ("field_offices.yaml", "asylum_offices.yaml"):
        for entry in yaml_file_load(REFERENCE_DIR / name)["offices"]:
            street = (entry.get("street_address") or "").strip()
            if not street:
                continue
            match = _ADDRESS_END_RE.search(street)
            remark = match["remark"] if match and match["remark"] else ""
            found.append((code_of(entry), street.removesuffix(remark).strip(), remark))
    return found


def test_public_pages_show_the_street_address_whole_as_the_reference_gives_it(directory, client):
    addresses = street_addresses()
    assert ("MEM", "842 Virginia Run Cove, Memphis, TN 38134", "(2005 address - current address unverified)") in addresses
    assert any("Suite" in street for _code, street, _remark in addresses)
    wrong = []
    for code, street, remark in addresses:
        html = client.get(f"/offices/{code}/").content.decode()
        shown = address_block(html)
        if shown != street or (remark and remark in visible_text(html)):
            wrong.append((code, street, shown))
    assert not wrong, f"addresses not as the reference gives them: {wrong[:5]}"


def test_the_memphis_find_answer_shows_its_address_without_the_remark(directory, client, api_client):
    html = client.get("/offices/find/", {"zip": "38103"}).content.decode()
    assert "Memphis Field Office" in html
    assert address_block(html) == "842 Virginia Run Cove, Memphis, TN 38134"
    office = api_client.get("/api/v1/jurisdiction/", {"zip": "38103"}).json()["office"]
    assert (office["address_line1"], office["address_line2"]) == ("842 Virginia Run Cove", "")


@pytest.mark.django_db
def test_load_directory_corrects_what_it_wrote_before_and_keeps_what_an_admin_wrote(directory):
    """A database loaded before the notes went to the staff holds them as descriptions (and Memphis's
    remark as its address line 2): a plain load_directory corrects those, as they still are what the
    loader wrote, and leaves alone what an admin edited."""
    washington_note = "USCIS calls it 'Washington DC' (code WAS); located in Fairfax VA; serves DC + Northern Virginia"
    Office.objects.filter(code="WAS").update(
        description_en=washington_note, description_es="USCIS la llama 'Washington DC' (código WAS)",
        source_note="Address: analyst recollection of uscis.gov office pages (not re-verified)\nCode: "
        "Philosoft/uscis-processing-times:src/Command/CrawlI485Command.php (2022; list of USCIS processing-times API "
        "office codes, egov.uscis.gov/processing-times/api/processingtime/I-485/<CODE>/131A)",
    )
    Office.objects.filter(code="QNS").update(description_en="Opened Dec 2011 at 27-35 Jackson Ave, Long Island City "
                                             "(then served Queens & Brooklyn); closed Jan 2015 after flooding; a Queens "
                                             "office (QNS) is again in the 2022 processing-times list - current address "
                                             "not found", description_es="Abrió en diciembre de 2011")
    Office.objects.filter(code="MEM").update(address_line2="(2005 address - current address unverified)")
    Office.objects.filter(code="HLG").update(description_en="An admin's words.", description_es="Palabras de un admin.")

    directory_load()

    washington = Office.objects.get(code="WAS")
    assert washington.description_en.startswith("Serves the District of Columbia")
    assert washington.description_es.startswith("Atiende al Distrito de Columbia")
    assert "Notes: USCIS calls it 'Washington DC'" in washington.source_note
    queens = Office.objects.get(code="QNS")
    assert (queens.description_en, queens.description_es) == ("", "")
    assert Office.objects.get(code="MEM").address_line2 == ""
    harlingen = Office.objects.get(code="HLG")
    assert (harlingen.description_en, harlingen.description_es) == ("An admin's words.", "Palabras de un admin.")

    directory_load(update=True)
    harlingen.refresh_from_db()
    assert harlingen.description_en == "Replaced the Harlingen Field Office in June 2024."
    assert harlingen.description_es == "Reemplazó a la oficina local de Harlingen en junio de 2024."
