"""The pages of the frame, in Spanish, show no English of ours: every interface sentence in the
catalogue is translated, and none of the English sentences appears on a Spanish page.

The directory's data (office hours notes and descriptions, line names, who may use a line,
after-hours help, agencies, topics, appointment reasons) is translated with django-modeltranslation;
office and agency names are proper names and stay as they are.
"""

import re
from html.parser import HTMLParser

import pytest
from django.utils import translation
from django.utils.translation import trans_real

from core.models import Role
from offices.models import Office
from service_requests import services
from tests.auth import sign_in
from tests.factories import CustomerFactory, StaffFactory, UserFactory


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style", "title", "desc"}:
            self._skip += 1
        for name, value in attrs:
            if name in {"aria-label", "alt", "title", "placeholder"} and value:
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style", "title", "desc"}:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return re.sub(r"\s+", " ", " ".join(parser.parts))


def english_sentences() -> list[str]:
    """The interface's English sentences of three words or more that Spanish translates differently."""
    catalog = trans_real.translation("es")._catalog  # type: ignore[attr-defined]
    found = []
    for msgid, msgstr in catalog.items():
        if not isinstance(msgid, str) or not msgid or "%" in msgid or "{" in msgid or "<" in msgid:
            continue
        if len(msgid.split()) >= 3 and msgstr and msgstr != msgid:
            found.append(msgid)
    return found


SPANISH_PAGES = ["/", "/about/", "/about/accessibility/", "/about/privacy/", "/search/", "/search/?q=oficina",
                 "/search/?q=zzzz", "/offices/", "/offices/?search=Chicago", "/contact/guide/",
                 "/contact/guide/?topic=visa", "/offices/CHI/", "/agencies/",
                 # The office and phone-line data: details, the find page's answer, the contact guide's lines.
                 "/offices/VSC/", "/offices/NCSC/", "/offices/MEX/", "/offices/DOH/", "/offices/find/?zip=60605",
                 "/contact/", "/contact/guide/?topic=my_case", "/contact/guide/?topic=my_case&military=on",
                 "/contact/guide/?topic=my_case&country=CA"]


def proper_names() -> set[str]:
    """Names of offices, lines and agencies: the directory's data, shown as named."""
    from offices.models import Agency, ContactChannel

    return {*Office.objects.values_list("name", flat=True), *ContactChannel.objects.values_list("name", flat=True),
            *Agency.objects.values_list("name", flat=True)}


def without_office_names(text: str) -> str:
    """The text less the offices' names: proper names, shown as USCIS writes them, that may contain an
    interface sentence ("USCIS Contact Center (National Customer Service Center)")."""
    for name in sorted(Office.objects.values_list("name", flat=True), key=len, reverse=True):
        text = text.replace(name, " ")
    return text


def assert_no_english(html: str, path: str) -> None:
    text = without_office_names(visible_text(html))
    names = proper_names()
    leaks = [s for s in english_sentences() if s in text and s not in names]
    assert not leaks, f"{path} shows English in Spanish: {leaks[:10]}"


def test_the_catalogue_translates_every_label_of_the_frame():
    from core import navigation

    labels = [info.label for info in navigation.PAGES.values()]
    labels += [link.label for links in navigation.PRIMARY_BY_ROLE.values() for link in links]
    labels += [link.label for link in (*navigation.HELP_LINKS, *navigation.IDENTIFIER_LINKS)]
    for label in labels:
        with translation.override("en"):
            english = str(label)
        with translation.override("es"):
            assert str(label) != english, f"{english!r} has no Spanish"


@pytest.mark.parametrize("path", SPANISH_PAGES)
def test_public_pages_in_spanish_show_no_english_of_ours(directory, client, path):
    client.cookies["django_language"] = "es"
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="es">' in html
    assert_no_english(html, path)
    leaks = english_data_on(visible_text(html))
    assert not leaks, f"{path} shows English data in Spanish: {leaks[:5]}"


@pytest.mark.parametrize("role", [Role.CUSTOMER, Role.NCSC_TIER1, Role.NCSC_TIER2, Role.OFFICE_STAFF, Role.HQ_OSCO,
                                  Role.ADMIN])
def test_signed_in_start_pages_in_spanish_show_no_english_of_ours(directory, client, role):
    if role == Role.CUSTOMER:
        user = CustomerFactory()
        services.service_request_file(actor=user, request_type="outside_processing_time",
                                      receipt_number="EAC2290123456", description="Pasado el tiempo.")
    elif role == Role.OFFICE_STAFF:
        user = StaffFactory(office=Office.objects.get(code="VSC"))
    else:
        user = UserFactory(username=role, role=role, office=Office.objects.get(code="NCSC") if role in (Role.NCSC_TIER1, Role.NCSC_TIER2)
                           else None)
    sign_in(client, user)
    client.cookies["django_language"] = "es"
    response = client.get("/start/", follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    nav = html[html.index('<header class="usa-header'):html.index("</header>")]
    assert_no_english(nav, f"the menu for {role}")
    if role == Role.CUSTOMER:
        assert_no_english(html, "the dashboard")
        assert "Mi panel" in html and "Escribir al centro de servicio a partir del" in html


# The data: every field registered with django-modeltranslation has its Spanish, and a Spanish page
# never shows a field's English value where the Spanish differs.

def translated_data() -> list[tuple[str, str, str]]:
    """(where, English, Spanish) for every row of every translated field."""
    from modeltranslation.translator import translator

    rows = []
    for model in translator.get_registered_models():
        for field in translator.get_options_for_model(model).get_field_names():
            for code, english, spanish in model._default_manager.values_list("pk", f"{field}_en", f"{field}_es"):
                if english:
                    rows.append((f"{model.__name__}.{field} #{code}", english, spanish or ""))
    return rows


def english_data_on(text: str) -> list[str]:
    text = without_office_names(text)
    names = proper_names()
    # An English value its own Spanish keeps (a proper name: "... (CIS Ombudsman)") is not a leak.
    return [english for _where, english, spanish in translated_data()
            if english not in spanish and english not in names and english in text]


def test_every_translated_field_has_its_spanish(directory):
    rows = translated_data()
    assert rows, "no translated data loaded"
    missing = [where for where, _english, spanish in rows if not spanish]
    assert not missing, f"no Spanish for {missing[:10]}"


def test_a_field_shows_its_spanish_on_a_spanish_request_and_english_otherwise(directory):
    from appointments.models import AppointmentReason

    reason = AppointmentReason.objects.get(code="emergency-advance-parole")
    with translation.override("es"):
        assert reason.label == "Permiso de viaje (advance parole) de emergencia"
    with translation.override("en"):
        assert reason.label == "Emergency advance parole"


def test_customer_booking_pages_in_spanish_show_no_english_data(directory, client):
    import time_machine

    from tests.appointments.conftest import NOW

    customer = CustomerFactory(profile__zip_code="60605")
    with time_machine.travel(NOW, tick=False):
        sign_in(client, customer)
        client.cookies["django_language"] = "es"
        pages = {path: client.get(path) for path in ("/appointments/book/", "/appointments/book/?day=2026-12-01")}
        answers = {"reason": "emergency-advance-parole", "start": "2026-12-01T09:00:00-06:00"}
        pages["check your answers"] = client.post("/appointments/book/?day=2026-12-01", answers)
        booked = client.post("/appointments/book/?day=2026-12-01", {**answers, "confirm": "yes"})
        pages["confirmation"] = client.get(booked["Location"])
        appointment = customer.appointments.get()
        for path in (f"/appointments/{appointment.pk}/", "/appointments/", f"/appointments/{appointment.pk}/cancel/"):
            pages[path] = client.get(path)
    for path, response in pages.items():
        assert response.status_code == 200, path
        text = visible_text(response.content.decode())
        assert not english_data_on(text), f"{path} shows English data in Spanish: {english_data_on(text)[:5]}"
        assert_no_english(response.content.decode(), path)
    assert "Permiso de viaje (advance parole) de emergencia" in visible_text(pages["confirmation"].content.decode())
    assert "dos fotos de pasaporte" in visible_text(pages["confirmation"].content.decode())


def test_the_catalogue_has_no_fuzzy_or_missing_spanish():
    """A fuzzy entry is not compiled and an empty one shows the English: either leaks English into every
    Spanish page that uses it, and the page scans above only see sentences the catalogue translates."""
    from django.conf import settings

    po = (settings.BASE_DIR / "locale" / "es" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    fuzzy, missing = [], []
    for entry in po.split("\n\n")[1:]:  # the first entry is the header
        lines = [line for line in entry.strip().splitlines() if not line.startswith("#~")]
        head = lines[:next((i for i, line in enumerate(lines) if line.startswith("msgstr")), len(lines))]
        msgid = "".join(line.split('"', 1)[1].rstrip('"') for line in head if line.startswith(("msgid ", '"')))[:80]
        if any(line.startswith("#,") and "fuzzy" in line for line in lines):
            fuzzy.append(msgid)
        strings = [line for line in lines if line.startswith(("msgstr", '"'))]
        after = lines[next(i for i, line in enumerate(lines) if line.startswith("msgstr")):] if strings else []
        if after and not any(line.strip('"').strip() for line in
                             (part.split(" ", 1)[1] if part.startswith("msgstr") else part for part in after)):
            missing.append(msgid)
    assert not fuzzy, f"fuzzy (not compiled) Spanish for {fuzzy[:10]}"
    assert not missing, f"no Spanish for {missing[:10]}"


# Saturday 2026-12-05, 10:00 Eastern: the Contact Center and the Military Help Line are closed, so
# their after-hours help shows.
A_SATURDAY = "2026-12-05T15:00:00Z"


@pytest.mark.parametrize("path", ["/offices/NCSC/", "/contact/", "/contact/guide/?topic=my_case&military=on"])
def test_the_lines_after_hours_in_spanish_show_no_english_data(directory, client, path):
    import time_machine

    client.cookies["django_language"] = "es"
    with time_machine.travel(A_SATURDAY, tick=False):
        html = client.get(path).content.decode()
    text = visible_text(html)
    assert "Cerrado ahora" in text
    leaks = english_data_on(text)
    assert not leaks, f"{path} shows English data in Spanish: {leaks[:5]}"
    assert_no_english(html, path)


def test_the_spanish_office_and_line_data_shows_on_spanish_pages(directory, client):
    """The scan above only finds leaks; these are the Spanish itself, in the words of the directory."""
    import time_machine

    client.cookies["django_language"] = "es"
    with time_machine.travel(A_SATURDAY, tick=False):
        ncsc = visible_text(client.get("/offices/NCSC/").content.decode())
        military = visible_text(client.get("/contact/guide/?topic=my_case&military=on").content.decode())
    assert "Centro de Contacto de USCIS" in ncsc
    assert "Para clientes en Estados Unidos y sus territorios." in ncsc
    assert "La ayuda automatizada atiende las 24 horas del día, los 7 días de la semana." in ncsc
    assert "Idiomas: inglés, español" in ncsc
    assert "Fuera de este horario, escriba al buzón de ayuda para militares." in military
    assert "Solo con cita previa" in visible_text(client.get("/offices/MEX/").content.decode())
    vsc = visible_text(client.get("/offices/VSC/").content.decode())
    assert "Procesa las solicitudes y peticiones presentadas por correo" in vsc
    client.cookies["django_language"] = "en"
    assert "Processes applications and petitions filed by mail" in visible_text(client.get("/offices/VSC/").content.decode())


def test_the_api_answers_the_office_and_line_data_in_the_language_asked(directory, api_client):
    # As the agencies and appointment reasons do: per Accept-Language, English by default.
    spanish = api_client.get("/api/v1/offices/MEX/", HTTP_ACCEPT_LANGUAGE="es").json()
    english = api_client.get("/api/v1/offices/MEX/").json()
    assert spanish["hours_note"] == "Solo con cita previa" and english["hours_note"] == "By appointment only"
    assert spanish["description"].startswith("Atiende a Canadá y México")
    line = api_client.get("/api/v1/contact-channels/ncsc/", HTTP_ACCEPT_LANGUAGE="es").json()
    assert line["name"] == "Centro de Contacto de USCIS" and line["languages"] == "inglés, español"
    assert line["audience_note"] == "Para clientes en Estados Unidos y sus territorios."


def test_one_spanish_per_distinct_english_sentence_fills_every_office_that_shares_it(directory):
    """The directory keeps one Spanish per English sentence; every office with that note gets it."""
    from pathlib import Path

    import yaml

    mapping = yaml.safe_load(Path("offices/data/directory.yaml").read_text())["spanish"]
    with_note = Office.objects.filter(hours_note_en="By appointment only")
    assert with_note.count() > 10
    assert set(with_note.values_list("hours_note_es", flat=True)) == {mapping["By appointment only"]}
