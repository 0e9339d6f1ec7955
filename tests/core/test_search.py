"""Site search over offices, agencies, help topics and pages, through the header's search box."""

import re

import pytest

from tests.auth import sign_in
from tests.forms import rendered_form

RESULT_LINKS = re.compile(r'<section aria-labelledby="results-(\w+)">(.*?)</section>', re.S)


def results(html: str) -> dict[str, list[str]]:
    return {kind: re.findall(r'<li><a href="[^"]*">([^<]+)</a>', body) for kind, body in RESULT_LINKS.findall(html)}


def search_from_the_header(client, words: str):  # type: ignore[no-untyped-def]
    html = client.get("/").content.decode()
    start = html.index('<form class="usa-search usa-search--small"')
    header_form = rendered_form(html[start:html.index("</form>", start) + 7])
    assert header_form.action == "/search/" and header_form.method == "get"
    return client.get(f"{header_form.action}?{header_form.query(q=words)}")


@pytest.mark.parametrize(("words", "kind", "expected"), [
    ("Chicago", "offices", "Chicago Field Office"),
    ("chicago field", "offices", "Chicago Field Office"),
    ("60605", "offices", "Chicago Field Office"),
    ("passport", "agencies", "National Passport Information Center"),
    ("I-94", "topics", "I-94 arrival/departure records and corrections"),
    ("military", "topics", "Military Help Line"),
    ("accessibility", "pages", "Accessibility statement"),
    ("appointment", "pages", "Book an appointment"),
    ("privacy cookies", "pages", "Privacy policy"),
])
def test_the_header_search_finds_offices_agencies_topics_and_pages(directory, client, words, kind, expected):
    response = search_from_the_header(client, words)

    assert response.status_code == 200
    html = response.content.decode()
    assert expected in results(html).get(kind, []), results(html)
    assert f'value="{words}"' in html  # the words stay in both boxes


def test_a_search_with_no_match_says_so_and_offers_the_guide(directory, client):
    html = search_from_the_header(client, "zzzz qqqq").content.decode()
    assert "0 results" in html and 'href="/contact/guide/"' in html


def test_the_search_page_without_words_explains_what_it_finds(directory, client):
    response = client.get("/search/")
    assert response.status_code == 200 and "Search for an office by name" in response.content.decode()


def test_too_long_a_search_is_400_with_the_error_by_the_box(directory, client):
    response = client.get("/search/", {"q": "x" * 101})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'aria-describedby="search-page-q-error"' in html and 'id="search-page-q-error"' in html


def test_staff_pages_are_found_only_by_the_staff_they_belong_to(directory, client):
    from core.models import Role
    from offices.models import Office
    from tests.factories import UserFactory

    assert "Record an inquiry" not in str(results(client.get("/search/?q=record").content.decode()))
    sign_in(client, UserFactory(username="casey", role=Role.NCSC_TIER1, office=Office.objects.get(code="NCSC")))
    assert "Record an inquiry" in results(client.get("/search/?q=record").content.decode())["pages"]


def test_search_in_spanish_matches_spanish_words_without_accents(directory, client):
    client.cookies["django_language"] = "es"
    html = client.get("/search/", {"q": "accesibilidad"}).content.decode()
    assert "Declaración de accesibilidad" in results(html)["pages"]
    html = client.get("/search/", {"q": "declaracion"}).content.decode()
    assert "Declaración de accesibilidad" in results(html)["pages"]


def test_a_search_takes_a_fixed_number_of_queries(directory, client, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        client.get("/search/", {"q": "field office"})
