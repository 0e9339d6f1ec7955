"""The contact guide answers every combination of its questions, starting from the page as rendered.

What the answer must be comes from the policy text and the reference (§C: the lines for the military,
Premium Processing and Hague adoptions; matters of other agencies go to those agencies; customers
abroad to the international office with jurisdiction, or the embassy where there is none), not from
the guide's own tables.
"""

import pytest

from inquiries.models import Inquiry
from tests.forms import RenderedForm, rendered_form

GUIDE = "/contact/guide/"

# Another agency's matter, whoever asks and wherever they live: the agency that handles it.
AGENCY_FOR_TOPIC = {
    "visa": "Department of State",
    "i94": "U.S. Customs and Border Protection",
    "court": "Executive Office for Immigration Review",
    "detention": "U.S. Immigration and Customs Enforcement",
    "social_security": "Social Security Administration",
    "passport": "National Passport Information Center",
}
NCSC_PHONE = "1-800-375-5283"
# Where a person lives: the default (in the U.S.), a country with an international office, one whose
# office covers it from abroad (Canada → Mexico City) and one with none (France: the embassy).
PLACES = {"": None, "MX": "Mexico City Field Office", "CA": "Mexico City Field Office", "FR": None}
NO_OFFICE = "embassy or consulate"


def guide_form(client) -> RenderedForm:  # type: ignore[no-untyped-def]
    response = client.get(GUIDE)
    assert response.status_code == 200
    return rendered_form(response.content.decode(), "guide-form")


def expected_text(topic: str, country: str, military: bool, premium: bool, hague: bool) -> str:
    if topic in AGENCY_FOR_TOPIC:
        return AGENCY_FOR_TOPIC[topic]
    if hague:
        return "Hague Adoptions Line" if not country else "Hague Adoptions Line (from outside the U.S.)"
    if premium:
        return "Premium Processing Line"
    if military:
        return "Military Help Line"
    if not country:
        return NCSC_PHONE
    return PLACES[country] or NO_OFFICE


def test_the_guide_offers_every_topic_and_starts_in_the_united_states(directory, client):
    form = guide_form(client)

    assert form.method == "get"
    assert form.controls["topic"].choices == ["my_case", *AGENCY_FOR_TOPIC]
    assert form.controls["topic"].default is None  # nothing chosen for the person
    assert form.controls["country"].default == ""  # "In the United States or a U.S. territory"
    assert {"military", "premium_processing", "hague_adoption"} <= form.controls.keys()


def test_submitting_the_guide_as_rendered_asks_for_a_topic(directory, client):
    form = guide_form(client)

    response = client.get(f"{GUIDE}?{form.query()}")

    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_topic_error"' in html and "Please correct the following" in html
    assert not Inquiry.objects.exists()


@pytest.mark.parametrize("country", list(PLACES), ids=[c or "in-the-US" for c in PLACES])
def test_every_topic_and_box_combination_is_answered(directory, client, country):
    form = guide_form(client)
    combinations = form.combinations("topic", "military", "premium_processing", "hague_adoption")
    combinations = [c for c in combinations if c["topic"] is not None]
    assert len(combinations) == 7 * 2 * 2 * 2

    for answers in combinations:
        response = client.get(f"{GUIDE}?{form.query(country=country, **answers)}")
        label = f"{answers} country={country!r}"
        assert response.status_code == 200, label
        html = response.content.decode()
        assert 'id="guide-answer"' in html, label
        expected = expected_text(answers["topic"], country, *(answers[k] is not None for k in
                                                              ("military", "premium_processing", "hague_adoption")))
        assert expected in html, f"{label}: {expected!r} not in the answer"
    assert Inquiry.objects.count() == len(combinations)


def test_a_us_residents_visa_question_ends_at_the_department_of_state(directory, client):
    form = guide_form(client)

    response = client.get(f"{GUIDE}?{form.query(topic='visa')}")

    assert response.status_code == 200
    html = response.content.decode()
    assert "USCIS does not handle this" in html
    assert "U.S. embassies and consulates" in html and "Department of State" in html
    assert 'href="https://travel.state.gov"' in html
    assert Inquiry.objects.get().redirect_agency.department == "Department of State"


def test_every_country_in_the_menu_is_answered(directory, client):
    """Each place a person can choose: the international office that serves it, or the embassy guidance."""
    form = guide_form(client)
    countries = form.controls["country"].choices
    assert len(countries) > 200

    offices = {}
    for country in countries:
        response = client.get(f"{GUIDE}?{form.query(topic='my_case', country=country)}")
        assert response.status_code == 200, country
        html = response.content.decode()
        if not country:
            assert NCSC_PHONE in html
        elif "the USCIS office that serves your country" in html:
            offices[country] = html
        elif 'id="guide-regions"' in html:  # China: the office depends on the province
            offices[country] = html
        else:
            assert NO_OFFICE in html, country

    # From the reference (international_offices.yaml): Canada is served from Mexico City, India from New Delhi.
    assert "Mexico City Field Office" in offices["CA"]
    assert "New Delhi Field Office" in offices["IN"]
    assert "FR" not in offices
    assert "Beijing Field Office" in offices["CN"] and "Guangzhou Field Office" in offices["CN"]
