"""Admins keep jurisdiction in the admin: rules with search, filters and history; the check page; an
edit takes effect on the next lookup."""

import pytest

from core import services as core_services
from core.models import Role
from offices.models import CountyRule, Office, ZipRule
from tests.auth import sign_in

RULES = "/admin/offices/countyrule/"


@pytest.fixture
def admin_client(directory, client):
    admin = core_services.staff_create(username="ada", password="correct-horse-battery", role=Role.ADMIN)
    sign_in(client, admin)
    return client


def test_county_rules_are_listed_with_search_and_filters(admin_client):
    html = admin_client.get(f"{RULES}?q=Milwaukee").content.decode()
    assert "MIL" in html
    html = admin_client.get(f"{RULES}?confidence__exact=confirmed").content.decode()
    assert "Nassau" in html and "Suffolk" in html and "Franklin" in html
    assert "Cook" not in html
    assert 'id="jurisdiction-check-link"' in admin_client.get(RULES).content.decode()


def test_an_admin_edit_of_one_county_changes_the_next_answer_and_is_in_the_history(admin_client, api_client):
    assert api_client.get("/api/v1/jurisdiction/?zip=53202").json()["office"]["code"] == "MIL"
    rule = CountyRule.objects.get(state="WI", county="")
    chicago = Office.objects.get(code="CHI")
    response = admin_client.post(f"{RULES}{rule.pk}/change/", {
        "state": "WI", "county": "", "office": chicago.pk, "confidence": "secondary",
        "source": rule.source, "note": "moved in a test",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    assert api_client.get("/api/v1/jurisdiction/?zip=53202").json()["office"]["code"] == "CHI"
    history = admin_client.get(f"{RULES}{rule.pk}/history/").content.decode()
    assert "ada" in history
    assert [h.office.code for h in rule.history.order_by("history_date")][-2:] == ["MIL", "CHI"]
    assert rule.history.latest().history_user.username == "ada"


def test_a_zip_rule_added_in_the_admin_decides_a_split_county_zip(admin_client, api_client):
    assert api_client.get("/api/v1/jurisdiction/?zip=91311").json()["status"] == "choose"
    response = admin_client.post("/admin/offices/ziprule/add/", {
        "zip_code": "91311", "office": Office.objects.get(code="SFV").pk, "confidence": "secondary",
        "source": "SFV office page", "note": "",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    body = api_client.get("/api/v1/jurisdiction/?zip=91311").json()
    assert (body["status"], body["office"]["code"], body["matched_by"]) == ("office", "SFV", "zip_rule")
    assert ZipRule.objects.get(zip_code="91311").history.count() == 1


def test_the_check_page_lists_split_counties_spelling_variants_gaps_and_inferred_rules(admin_client):
    response = admin_client.get(f"{RULES}check/")
    assert response.status_code == 200
    check = response.context["check"]
    split = {(row.state, row.county): {o.code for o in row.offices} for row in check.split_counties}
    assert split == {("CA", "Los Angeles County"): {"LAC", "LOS", "SFV"}, ("FL", "Miami-Dade County"): {"HIA", "KND", "MIA"}}
    assert all(row.zips == row.zips_without_rule > 100 for row in check.split_counties)
    variants = dict(check.spelling_variants)
    assert {code for _name, code in variants["IN"]} == {"CHI", "INP"}  # LaPorte → CHI, La Porte → INP
    assert "46210" in {p.zip_code for p in check.zips_without_county}  # Indianapolis, no county in the package
    assert check.inferred_total > 1500 and check.rules_total > 1900
    html = response.content.decode()
    assert "Counties claimed by two or more offices" in html and "Miami-Dade County" in html


def test_only_admins_reach_the_check_page(directory, client):
    from tests.factories import StaffFactory

    client.force_login(StaffFactory(role="office_staff"))
    assert client.get(f"{RULES}check/").status_code == 302  # to the admin login
