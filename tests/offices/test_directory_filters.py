"""The office directory's filters as a person uses them: start from the page as rendered (every menu
blank, so an untouched submit lists every office), then try each choice of each menu.

Expected offices come from the reference (../shared/reference/offices/field_offices.yaml), not from
the directory's own tables.
"""

import re
from collections import defaultdict
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from offices.models import Office
from tests.forms import RenderedForm, rendered_form

DIRECTORY = "/offices/"


def _reference(name: str) -> Path:
    """A file of the team's reference, kept in shared/ beside the repository (or beside its worktrees)."""
    for folder in Path(settings.BASE_DIR).parents:
        if (path := folder / "shared" / "reference" / "offices" / name).is_file():
            return path
    raise FileNotFoundError(f"shared/reference/offices/{name} beside {settings.BASE_DIR}")


REFERENCE = _reference("field_offices.yaml")
ROW = re.compile(r'<tr>\s*<th scope="row"[^>]*><a href="/offices/(?P<code>[^/]+)/">(?P<name>[^<]+)</a>.*?'
                 r'<td data-label="Type">(?P<type>[^<]*)</td>\s*<td data-label="Location">(?P<location>[^<]*)</td>',
                 re.S)


def directory_form(client) -> RenderedForm:  # type: ignore[no-untyped-def]
    response = client.get(DIRECTORY)
    assert response.status_code == 200
    return rendered_form(response.content.decode(), "directory-filters")


def listed(client, query: str) -> tuple[int, list[dict[str, str]], str]:  # type: ignore[no-untyped-def]
    """Status, the rows of every page of results, and the first page's HTML."""
    response = client.get(f"{DIRECTORY}?{query}")
    html = response.content.decode()
    rows, page = [], 1
    while True:
        rows += [m.groupdict() for m in ROW.finditer(html if page == 1 else response.content.decode())]
        if f"page={page + 1}" not in response.content.decode():
            break
        page += 1
        response = client.get(f"{DIRECTORY}?{query}&page={page}")
    return response.status_code, rows, html


def reference_field_offices_by_state() -> dict[str, set[str]]:
    data = yaml.safe_load(REFERENCE.read_text())
    by_state: dict[str, set[str]] = defaultdict(set)
    for office in data["offices"]:
        if office.get("status", "open") == "open" and office.get("state"):
            by_state[office["state"]].add(office["name"])
    return by_state


def test_every_menu_starts_blank_and_the_untouched_form_lists_every_office(directory, client):
    form = directory_form(client)

    for name in ("type", "state", "country", "appointments"):
        assert form.controls[name].kind == "select"
        assert form.controls[name].default == "", f"{name} does not start blank"
        assert form.controls[name].choices[0] == "", f"{name} has no blank choice"
    assert form.controls["search"].default == ""

    status, rows, html = listed(client, form.query())
    assert status == 200
    assert len(rows) == Office.objects.count() > 50
    assert f"{len(rows)} offices" in html


def test_searching_chicago_through_the_form_finds_the_chicago_field_office(directory, client):
    form = directory_form(client)

    status, rows, html = listed(client, form.query(search="Chicago"))

    assert status == 200
    assert "Chicago Field Office" in [row["name"] for row in rows]
    assert all("Chicago" in row["name"] or "Chicago" in row["location"] for row in rows)
    assert 'value="Chicago"' in html  # the search stays in the box


@pytest.mark.parametrize("menu", ["type", "appointments"])
def test_every_choice_of_type_and_appointments_with_and_without_a_search(directory, client, menu):
    form = directory_form(client)
    labels = {}
    for choice in form.answers(menu):
        for search in ("", "Chicago"):
            status, rows, html = listed(client, form.query(**{menu: choice, "search": search}))
            assert status == 200, (menu, choice, search)
            if menu == "type" and choice:
                kinds = {row["type"] for row in rows}
                assert len(kinds) <= 1, (choice, kinds)
                if not search:
                    labels[choice] = kinds
            if not rows:
                assert "No office matches these filters." in html
    if menu == "type":
        assert labels["field_office"] == {"Field office"}
        assert labels["service_center"] == {"Service center"}


def test_every_state_lists_its_field_offices_from_the_reference(directory, client):
    form = directory_form(client)
    states = [s for s in form.answers("state") if s]
    assert len(states) >= 56  # 50 states, DC and the territories
    reference = reference_field_offices_by_state()
    names_in_directory = {row["name"] for row in listed(client, "")[1]}

    for state in states:
        status, rows, _ = listed(client, form.query(state=state))
        assert status == 200, state
        assert all(row["location"].endswith(f", {state}") for row in rows), state
        expected = reference.get(state, set()) & names_in_directory
        assert expected <= {row["name"] for row in rows}, (state, expected)
    assert "Chicago Field Office" in reference["IL"]


def test_every_country_choice_is_answered(directory, client):
    form = directory_form(client)
    countries = [c for c in form.answers("country") if c]
    assert len(countries) > 200

    found = {}
    for country in countries:
        status, rows, _ = listed(client, form.query(country=country))
        assert status == 200, country
        found[country] = {row["name"] for row in rows}
    assert "Mexico City Field Office" in found["MX"]
    assert "New Delhi Field Office" in found["IN"]
    assert not found["FR"]


def test_a_code_not_in_a_menu_is_400_with_the_error_by_the_menu(directory, client):
    form = directory_form(client)

    response = client.get(f"{DIRECTORY}?{form.query(state='ZZ')}")

    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_state_error"' in html and 'aria-describedby="id_state_error"' in html
    assert "Please correct the following" in html


def test_the_country_menu_speaks_the_visitors_language(directory, client):
    client.cookies["django_language"] = "es"
    assert '<option value="DE">Alemania</option>' in client.get(DIRECTORY).content.decode()
    client.cookies["django_language"] = "en"
    assert '<option value="DE">Germany</option>' in client.get(DIRECTORY).content.decode()
