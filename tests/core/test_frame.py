"""The frame every page shares: the navigation for each role (from core.navigation, rendered by
base.html), the start page after sign-in, breadcrumbs, the banner and the identifier, and the
portal's own About, Accessibility and Privacy pages."""

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import resolve, reverse

from core import access, navigation
from core.models import Role
from offices.models import Office
from tests.auth import recovery_code, sign_in
from tests.factories import CustomerFactory, StaffFactory, UserFactory
from tests.factories.core import PASSWORD
from tests.html import assert_accessible_outline

ROLE_OFFICE = {Role.NCSC_TIER1: "NCSC", Role.NCSC_TIER2: "NCSC", Role.OFFICE_STAFF: "VSC", Role.HQ_OSCO: "OSCO"}
# What each role must reach from the menu, in the product's words (PRODUCT.md "Surfaces").
MUST_REACH = {
    None: {"/offices/find/", "/offices/", "/contact/", "/contact/guide/", "/agencies/", "/accounts/login/",
           "/accounts/signup/"},
    Role.CUSTOMER: {"/dashboard/", "/appointments/", "/service-requests/", "/accounts/profile/", "/offices/find/"},
    Role.REPRESENTATIVE: {"/dashboard/", "/appointments/", "/service-requests/", "/accounts/profile/"},
    Role.NCSC_TIER1: {"/staff/inquiries/new/", "/staff/lookup/", "/staff/service-requests/new/", "/appointments/",
                      "/offices/find/"},
    Role.NCSC_TIER2: {"/staff/inquiries/new/", "/staff/lookup/", "/staff/service-requests/new/", "/appointments/",
                      "/offices/find/"},
    Role.OFFICE_STAFF: {"/staff/service-requests/", "/staff/appointments/", "/staff/inquiries/", "/staff/dashboard/"},
    Role.HQ_OSCO: {"/staff/service-requests/", "/staff/dashboard/"},
    Role.ADMIN: {"/staff/dashboard/", "/staff/service-requests/", "/staff/case-reads/", "/admin/"},
}
START = {Role.CUSTOMER: "/dashboard/", Role.REPRESENTATIVE: "/dashboard/", Role.NCSC_TIER1: "/staff/inquiries/new/",
         Role.NCSC_TIER2: "/staff/inquiries/new/",
         Role.OFFICE_STAFF: "/staff/service-requests/", Role.HQ_OSCO: "/staff/service-requests/",
         Role.ADMIN: "/staff/dashboard/"}
NAV = re.compile(r'<nav aria-label="Main navigation" class="usa-nav">(.*?)</nav>', re.S)


def person(role):  # type: ignore[no-untyped-def]  # a factory-made User, or None for a visitor
    if role is None:
        return None
    if role in (Role.CUSTOMER, Role.REPRESENTATIVE):
        return CustomerFactory(role=role)
    if role == Role.OFFICE_STAFF:
        return StaffFactory(office=Office.objects.get(code="VSC"))
    office = Office.objects.get(code=ROLE_OFFICE[role]) if role in ROLE_OFFICE else None
    return UserFactory(username=f"{role}-person", role=role, office=office, is_staff=role == Role.ADMIN,
                       is_superuser=role == Role.ADMIN)


def menu_hrefs(html: str) -> set[str]:
    nav = NAV.search(html)
    assert nav, "no main navigation"
    return set(re.findall(r'href="([^"#]+)"', nav.group(1)))


def test_every_role_has_its_menu_in_the_registry():
    assert set(navigation.PRIMARY_BY_ROLE) == set(Role.values)
    for links in navigation.PRIMARY_BY_ROLE.values():
        for link in links:
            reverse(link.url_name)
            assert link.url_name in navigation.PAGES or link.url_name == "admin:index"


@pytest.mark.parametrize("role", [None, *Role.values], ids=["visitor", *Role.values])
def test_each_role_gets_its_menu_and_every_link_in_it_opens(directory, client, role):
    user = person(role)
    if user is not None:
        sign_in(client, user)

    html = client.get("/").content.decode()
    hrefs = menu_hrefs(html)

    expected = {item.url for item in navigation.navigation_for(user).links()}
    assert hrefs == expected, "base.html renders exactly what core.navigation gives this role"
    assert MUST_REACH[role] <= hrefs
    if role is None:
        assert "/dashboard/" not in hrefs and "/staff/service-requests/" not in hrefs
    if role in (Role.CUSTOMER, Role.REPRESENTATIVE):
        assert not any(h.startswith("/staff/") for h in hrefs), "customers are not offered staff pages"
    for href in sorted(hrefs):
        response = client.get(href)
        assert response.status_code == 200, f"{role}: {href} answered {response.status_code}"
    assert ("Sign out" in html) is (user is not None)


@pytest.mark.parametrize("role", Role.values)
def test_signing_in_lands_on_the_roles_start_page(directory, client, role):
    user = person(role)

    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})

    assert response.status_code == 302 and response["Location"] == "/start/"
    if access.requires_second_factor(user):  # staff: the second step first, then the start page
        assert client.get("/start/")["Location"] == "/accounts/two-factor/?next=/start/"
        second = client.post("/accounts/two-factor/", {"code": recovery_code(user), "next": "/start/"})
        assert second.status_code == 302 and second["Location"] == "/start/"
    landed = client.get("/start/")
    assert landed.status_code == 302 and landed["Location"] == START[role]
    assert client.get(START[role]).status_code == 200


def test_sign_in_keeps_the_page_asked_for(directory, client):
    user = CustomerFactory()
    response = client.post("/accounts/login/?next=/appointments/book/",
                           {"username": user.username, "password": PASSWORD, "next": "/appointments/book/"})
    assert response["Location"] == "/appointments/book/"


def test_the_page_shown_is_marked_current_in_the_menu(directory, client):
    sign_in(client, CustomerFactory())
    html = client.get("/appointments/").content.decode()
    assert '<a class="usa-nav-link usa-current" href="/appointments/" aria-current="page">' in html
    # An office page sits under the directory: the directory is marked, inside the help submenu.
    html = client.get("/offices/CHI/").content.decode()
    assert 'href="/offices/" class="usa-current"' in html
    assert 'usa-accordion__button usa-nav__link usa-current" aria-expanded="false" aria-controls="nav-help"' in html


def breadcrumb(html: str) -> list[tuple[str, str]]:
    found = re.search(r'<nav class="usa-breadcrumb[^"]*" aria-label="Breadcrumbs">(.*?)</nav>', html, re.S)
    if not found:
        return []
    items = re.findall(r'<li class="usa-breadcrumb__list-item[^"]*"[^>]*>(.*?)</li>', found.group(1), re.S)
    out = []
    for item in items:
        href = re.search(r'href="([^"]*)"', item)
        out.append((re.sub(r"<[^>]+>", "", item).strip(), href.group(1) if href else ""))
    return out


def test_breadcrumbs_on_deeper_pages_only(directory, client):
    assert breadcrumb(client.get("/").content.decode()) == []
    assert breadcrumb(client.get("/offices/").content.decode()) == []  # one level down: the menu says where

    html = client.get("/offices/CHI/").content.decode()
    assert breadcrumb(html) == [("Home", "/"), ("Office directory", "/offices/"), ("Chicago Field Office", "")]
    assert 'aria-current="page"><span>Chicago Field Office</span>' in html

    assert breadcrumb(client.get("/agencies/").content.decode()) == [
        ("Home", "/"), ("Contact us", "/contact/"), ("Other agencies", "")]
    assert breadcrumb(client.get("/about/privacy/").content.decode())[1] == ("About this portal", "/about/")


def test_breadcrumbs_follow_who_is_looking(directory, client):
    from service_requests import services

    maria = CustomerFactory()
    filed = services.service_request_file(actor=maria, request_type="outside_processing_time",
                                          receipt_number="EAC2290123456", description="Past the processing time.")
    path = f"/service-requests/{filed.reference_number}/"
    sign_in(client, maria)
    assert breadcrumb(client.get(path).content.decode()) == [
        ("Home", "/"), ("My dashboard", "/dashboard/"), ("My service requests", "/service-requests/"),
        ("Service request", "")]
    # The same request under the queue for the staff of the office that holds it.
    sign_in(client, StaffFactory(office=filed.current_office))
    assert breadcrumb(client.get(path).content.decode()) == [
        ("Home", "/"), ("Service request queue", "/staff/service-requests/"), ("Service request", "")]


def test_a_page_under_a_record_links_back_to_that_record(rf):
    request = rf.get("/appointments/42/reschedule/")
    request.resolver_match = resolve("/appointments/42/reschedule/")
    request.user = AnonymousUser()

    crumbs = navigation.breadcrumbs_for(request)

    assert [(str(c.label), c.url) for c in crumbs] == [
        ("Home", "/"), ("My dashboard", "/dashboard/"), ("My appointments", "/appointments/"),
        ("Appointment notice", "/appointments/42/")]
    request = rf.get("/x")
    request.resolver_match = resolve("/service-requests/SR123/hq-inquiry/")  # the view also gets `step`
    request.user = AnonymousUser()
    assert navigation.breadcrumbs_for(request)[-1].url == "/service-requests/SR123/"


@pytest.mark.parametrize("path", ["/", "/offices/", "/contact/guide/", "/about/", "/search/?q=chicago", "/nope/"])
def test_every_page_carries_the_banner_and_the_identifier(directory, client, path):
    html = client.get(path).content.decode()
    assert "An official website of the United States government" in html
    assert 'class="usa-accordion__button usa-banner__button" aria-expanded="false" aria-controls="gov-banner"' in html
    assert "Here’s how you know" in html and "Secure .gov websites use HTTPS" in html
    identifier = html[html.index('<div class="usa-identifier">'):]
    for label in ("About this portal", "Accessibility statement", "FOIA requests", "No FEAR Act data",
                  "Office of the Inspector General", "Privacy policy", "Visit USA.gov"):
        assert label in identifier, label
    assert 'href="/about/accessibility/"' in identifier and 'href="/about/privacy/"' in identifier
    assert 'href="https://www.usa.gov/"' in identifier
    assert '<form class="usa-search usa-search--small" role="search" method="get" action="/search/">' in html


def test_the_identifier_sends_spanish_readers_to_usagov_en_espanol(directory, client):
    client.cookies["django_language"] = "es"
    html = client.get("/").content.decode()
    assert 'href="https://www.usa.gov/es/"' in html and 'lang="es"' in html
    # The language switch offers English, in English.
    assert '<button type="submit" name="language" value="en" lang="en"' in html


@pytest.mark.parametrize(("path", "heading", "must_say"), [
    ("/about/", "About this portal", ["Delivery of Services", "15 days", "21 days", "example.gov"]),
    ("/about/accessibility/", "Accessibility statement", ["WCAG", "Section 508", "320 pixels", "1-800-375-5283"]),
    ("/about/privacy/", "Privacy policy", ["anonymous", "never sent by e-mail", "cookies", "internal notes"]),
])
def test_the_portals_own_pages(directory, client, path, heading, must_say):
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert f"<h1>{heading}</h1>" in html
    for text in must_say:
        assert text in html, text
    assert_accessible_outline(html)


def test_the_privacy_policy_tells_the_truth_about_the_guide(directory, client):
    """It says a use of the guide keeps no name, e-mail or address: the recorded inquiry has none."""
    from inquiries.models import Inquiry

    client.get("/contact/guide/?topic=visa")
    inquiry = Inquiry.objects.get()
    assert inquiry.customer is None and not inquiry.contact_name and not inquiry.contact_email
    assert not inquiry.contact_phone
