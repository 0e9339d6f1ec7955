from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.auth import sign_in
from tests.html import assert_accessible_outline

CHICAGO = ZoneInfo("America/Chicago")

PUBLIC_PAGES = [
    "/", "/offices/find/", "/offices/find/?zip=60605", "/offices/find/?country=CA", "/offices/find/?zip=90012",
    "/offices/find/?zip=09021", "/offices/find/?country=CN", "/offices/find/?country=CN&region=Shanghai",
    "/offices/find/?zip=90012&office=LAC", "/offices/",
    "/offices/?type=field_office&state=TX", "/offices/CHI/", "/offices/MEX/", "/offices/VSC/", "/contact/",
    "/agencies/", "/accounts/signup/", "/accounts/login/",
]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_render_with_an_accessible_outline(directory, client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert_accessible_outline(response.content.decode())


def test_find_by_zip_shows_the_field_office_and_its_lines(directory, client):
    html = client.get("/offices/find/?zip=60605").content.decode()
    assert "Chicago Field Office" in html and "101 West Congress Parkway" in html
    assert "1-800-375-5283" in html
    assert "Chicago Asylum Office" in html


def test_find_by_country_shows_the_international_office(directory, client):
    html = client.get("/offices/find/?country=CA").content.decode()
    assert "Mexico City Field Office" in html
    assert "canada-inquiries@example.gov" not in html  # a placeholder mailbox: never shown as if real
    assert "Customers living in Canada are served by" in html


def test_find_with_a_bad_zip_is_400_with_the_message_by_the_field(directory, client):
    response = client.get("/offices/find/?zip=ABCDE")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter a 5-digit U.S. ZIP code" in html
    assert 'aria-invalid="true"' in html and 'id="id_zip_error"' in html
    assert_accessible_outline(html)


def test_find_where_no_office_serves_says_what_to_do_instead(directory, client):
    response = client.get("/offices/find/?country=FR")
    assert response.status_code == 200
    assert "embassy or consulate" in response.content.decode()
    response = client.get("/offices/find/?zip=00000")
    assert response.status_code == 404
    assert "not in the U.S. ZIP code database" in response.content.decode()


def test_directory_filters(directory, client):
    html = client.get("/offices/?type=service_center").content.decode()
    assert "Vermont Service Center" in html and "Chicago Field Office" not in html
    assert client.get("/offices/?type=castle").status_code == 400


def test_office_page_404(directory, client):
    response = client.get("/offices/NOPE/")
    assert response.status_code == 404
    assert "No office has the code" in response.content.decode()


def test_office_page_says_which_zip_it_serves_and_warns_unconfirmed(directory, client):
    html = client.get("/offices/QNS/?zip=11101").content.decode()
    assert "This office serves ZIP code 11101" in html
    assert "This address is not confirmed" in html


def test_contact_page_military_line_closed_on_a_holiday_shows_the_after_hours_email(directory, client):
    with time_machine.travel(datetime(2026, 11, 26, 10, tzinfo=CHICAGO), tick=False):
        html = client.get("/contact/").content.decode()
    military = html[html.index('id="channel-military"'):]
    military = military[: military.index("</li>")]
    assert "Closed now" in military and "Closed for a federal holiday" in military
    # The after-hours mailbox is a placeholder until confirmed: the public is told so, staff see it marked.
    assert "militaryinfo.nsc@example.gov" not in military and "being confirmed" in military


def test_placeholders_are_hidden_from_the_public_and_shown_to_staff_marked(directory, client):
    from tests.factories import StaffFactory

    with time_machine.travel(datetime(2026, 11, 26, 10, tzinfo=CHICAGO), tick=False):
        public = client.get("/contact/").content.decode()
        assert "@example.gov" not in public and "Placeholder" not in public
        sign_in(client, StaffFactory(role="ncsc_tier1"))
        staff = client.get("/contact/").content.decode()
    assert 'id="placeholder-vsc-followup"' in staff and "vsc-followup@example.gov" in staff
    military = _military_item(staff)
    assert "mailto:militaryinfo.nsc@example.gov" in military and "Placeholder: not confirmed" in military


def test_contact_page_military_line_open_on_a_tuesday_morning(directory, client):
    with time_machine.travel(datetime(2026, 12, 1, 10, tzinfo=CHICAGO), tick=False):
        html = client.get("/contact/").content.decode()
    military = html[html.index('id="channel-military"'):]
    military = military[: military.index("</li>")]
    assert "Open now" in military and "After hours" not in military


def _military_item(html):
    military = html[html.index('id="channel-military"'):]
    return military[: military.index("</li>")]


def test_contact_page_military_line_closed_just_after_16_30_on_a_tuesday(directory, client):
    with time_machine.travel(datetime(2026, 12, 1, 16, 31, tzinfo=CHICAGO), tick=False):
        html = client.get("/contact/").content.decode()
    military = _military_item(html)
    assert "Closed now" in military and "Open now" not in military
    assert "Closed for a federal holiday" not in military
    assert "Opens again Wednesday 2 December, 08:00" in military
    assert "being confirmed" in military and "militaryinfo.nsc@example.gov" not in military


def test_contact_page_military_line_closed_on_the_observed_independence_day(directory, client):
    # July 4, 2026 is a Saturday, so the federal holiday is observed on Friday July 3.
    with time_machine.travel(datetime(2026, 7, 3, 10, tzinfo=CHICAGO), tick=False):
        html = client.get("/contact/").content.decode()
    military = _military_item(html)
    assert "Closed now" in military and "Closed for a federal holiday" in military
    assert "Opens again Monday 6 July, 08:00" in military
    assert "being confirmed" in military and "militaryinfo.nsc@example.gov" not in military


def test_contact_page_says_there_is_no_fax(directory, client):
    assert "does not publish general fax numbers" in client.get("/contact/").content.decode()


def test_health_check(db, client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_pages_in_spanish_via_the_language_switcher(directory, client):
    response = client.post("/i18n/setlang/", {"language": "es", "next": "/offices/find/?zip=60605"})
    assert response.status_code == 302
    html = client.get("/offices/find/?zip=60605").content.decode()
    assert '<html lang="es">' in html
    assert "Buscar mi oficina" in html and "El código postal 60605 corresponde a la" in html
    assert_accessible_outline(html)


def test_errors_in_spanish(directory, client):
    html = client.get("/offices/find/?zip=ABCDE", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Escriba un código postal (ZIP) de EE. UU. de 5 dígitos" in html


def test_api_errors_follow_accept_language(directory, api_client):
    body = api_client.get("/api/v1/jurisdiction/?zip=ABCDE", HTTP_ACCEPT_LANGUAGE="es").json()
    assert body["zip"] == ["Escriba un código postal (ZIP) de EE. UU. de 5 dígitos, por ejemplo, 60605."]


def test_staff_see_the_confidence_of_an_office_its_address_and_its_rules(directory, client):
    from tests.factories import StaffFactory

    public = client.get("/offices/CLM/").content.decode()
    assert "Directory confidence" not in public
    sign_in(client, StaffFactory(role="ncsc_tier1"))
    html = client.get("/offices/CLM/").content.decode()
    confidence = html[html.index('id="confidence"'):]
    assert "Franklin" in confidence and "Confirmed" in confidence  # USCIS's own Columbus page
    assert "Address" in confidence

