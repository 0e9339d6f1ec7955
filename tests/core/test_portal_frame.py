"""`{% per_process %}` (core.templatetags.portal_frame): the frame's constant parts rendered once per key and
language, never showing one key's markup under another."""

from django.template import Context, Template
from django.utils import translation

from core.templatetags import portal_frame

TEMPLATE = Template('{% load i18n portal_frame %}{% per_process host %}{% translate "Home" %} {{ host }} {{ other }}'
                    '{% end_per_process %}')


def render(language: str, **context: object) -> str:
    with translation.override(language):
        return TEMPLATE.render(Context(context))


def test_rendered_once_per_key_and_language():
    portal_frame._RENDERED.clear()
    assert render("en", host="a.test", other="first") == "Home a.test first"
    assert render("en", host="a.test", other="second") == "Home a.test first"  # `other` is not a key: reused
    assert render("en", host="b.test", other="third") == "Home b.test third"
    assert render("es", host="a.test", other="fourth") == "Inicio a.test fourth"
    assert len(portal_frame._RENDERED) == 3


def test_the_pages_frame_follows_the_host_and_the_language(client, settings):
    settings.ALLOWED_HOSTS = ["one.test", "two.test"]
    portal_frame._RENDERED.clear()
    one = client.get("/", HTTP_HOST="one.test").content.decode()
    two = client.get("/", HTTP_HOST="two.test").content.decode()
    assert 'domain">one.test</p>' in one and 'domain">two.test</p>' in two and "two.test" not in one
    spanish = client.get("/", HTTP_HOST="one.test", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Un sitio web oficial del Gobierno de Estados Unidos" in spanish
    assert "An official website of the United States government" not in spanish


def test_the_menu_is_the_persons_and_the_pages(directory, client):
    """The menu is kept per process for each (signed in, role, page): one person's menu never shows for another."""
    from offices.models import Office
    from tests.auth import sign_in
    from tests.factories import CustomerFactory, StaffFactory

    portal_frame._RENDERED.clear()
    anonymous = client.get("/").content.decode()
    assert "Sign in" in anonymous and "My account" not in anonymous and "Sign out" not in anonymous
    sign_in(client, CustomerFactory())
    customer = client.get("/").content.decode()
    assert "My account" in customer and "Sign out" in customer and "Request queue" not in customer
    client.logout()
    sign_in(client, StaffFactory(office=Office.objects.get(code="VSC")))
    staff_home = client.get("/").content.decode()
    assert "Request queue" in staff_home and "Sign out" in staff_home and "My appointments" not in staff_home
    queue = client.get("/staff/service-requests/").content.decode()
    current = queue.split('aria-current="page"', 1)[0].rsplit("<a ", 1)[1]
    assert 'href="/staff/service-requests/"' in current  # the page shown is the current one of this key
    assert 'aria-current="page"' not in staff_home.split("usa-nav__secondary")[0]
