"""The unfiltered directory page is built once per process, language, directory version and page
(offices.views.office_directory, core.fragments) and never shows an office as it was before an edit."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from offices.models import Office


def _get(client: Client, path: str = "/offices/") -> tuple[str, int]:
    """The page's content (from its heading to the end of <main>: the frame around it carries the session's
    CSRF token) and how many queries the request ran."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    page = response.content.decode()
    return page[page.index("<h1>"):page.index("</main>")], len(queries)


def _first_office(content: str) -> Office:
    return Office.objects.get(code=re.search(r'<a href="/offices/([A-Z0-9]+)/">', content)[1])  # type: ignore[index]


@pytest.mark.django_db(transaction=True)
def test_built_once_per_language_and_page_and_again_after_an_edit_commits(directory):
    client = Client()
    first, first_queries = _get(client)
    again, again_queries = _get(client)
    assert again == first and first_queries >= 2 and again_queries == 0
    second_page, _n = _get(client, "/offices/?page=2")
    assert second_page != first and _get(client, "/offices/?page=2") == (second_page, 0)
    spanish = Client()
    spanish.cookies["django_language"] = "es"
    in_spanish, _n = _get(spanish)
    assert "Directorio de oficinas" in in_spanish and "Office directory" not in in_spanish
    assert "Office directory" in _get(client)[0]
    office = _first_office(first)
    office.name = f"{office.name} (renamed)"
    office.save()  # committed (no test transaction here): the directory's version moves on
    after, after_queries = _get(client)
    assert office.name in after and office.name not in first and after_queries >= 2
    assert office.name in _get(spanish)[0]


def test_inside_a_transaction_an_edit_shows_at_once(directory, client):
    before, _n = _get(client)
    office = _first_office(before)
    office.name = f"{office.name}, not yet committed"
    office.save()
    after, _n = _get(client)
    assert office.name in after and office.name not in before


def test_a_filtered_directory_is_built_for_its_query(directory, client):
    chicago = client.get("/offices/?search=Chicago").content.decode()
    assert "/offices/CHI/" in chicago and "/offices/ATL/" not in chicago
    assert "/offices/ATL/" in client.get("/offices/?search=Atlanta").content.decode()
