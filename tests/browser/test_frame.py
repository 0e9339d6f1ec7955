"""The frame in a real browser: on a phone (375 px) the Menu button reaches every link of each role's
navigation, by mouse and by keyboard; nothing scrolls sideways at 320 px (what 400% zoom gives a
1280 px screen); the header keeps one row at 1280 px; axe finds nothing on each state of the page
(menu open, submenu open, banner expanded), in English and Spanish.

Each step leaves a screenshot under var/screenshots/ (kept by CI as an artifact).
"""

import re
from pathlib import Path
from typing import cast

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import Page, ViewportSize, expect

from core import navigation
from core.models import Role, User
from offices.models import Office
from tests.browser.conftest import axe_report, heading, sign_in
from tests.factories import CustomerFactory, StaffFactory, UserFactory

PHONE: ViewportSize = {"width": 375, "height": 740}
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
NARROW: ViewportSize = {"width": 320, "height": 640}
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
ROLES: list[Role | None] = [None, Role.CUSTOMER, Role.REPRESENTATIVE, Role.NCSC_TIER1, Role.OFFICE_STAFF, Role.HQ_OSCO, Role.ADMIN]
MENU = {"en": "Menu", "es": "Menú"}
HELP = {"en": "Find help", "es": "Buscar ayuda"}


def shot(page: Page, name: str, *, full_page: bool = True) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{re.sub(r'[^a-z0-9_.-]+', '-', name.lower())}.png"), full_page=full_page)


def person(role):  # type: ignore[no-untyped-def]  # a factory-made User, or None for a visitor
    if role is None:
        return None
    if role in (Role.CUSTOMER, Role.REPRESENTATIVE):
        return CustomerFactory(username=f"{role}@example.com", role=role)
    if role == Role.OFFICE_STAFF:
        return StaffFactory(username="vsc.staff", office=Office.objects.get(code="VSC"))
    office = {Role.NCSC_TIER1: "NCSC", Role.HQ_OSCO: "OSCO"}.get(role)
    return UserFactory(username=role.replace("_", "."), role=role, is_staff=role == Role.ADMIN,
                       is_superuser=role == Role.ADMIN, office=Office.objects.get(code=office) if office else None)


def use_language(page: Page, live_server, lang: str) -> None:  # type: ignore[no-untyped-def]
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": lang, "url": live_server.url}])


def sideways_scroll(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def open_menu(page: Page, lang: str) -> None:
    page.get_by_role("button", name=MENU[lang], exact=True).click()
    nav = page.get_by_role("navigation", name=re.compile("Main navigation|Navegación principal"))
    expect(nav).to_be_visible()
    expect(page.locator(".usa-nav.is-visible")).to_be_visible()
    expect(page.locator(".usa-nav__close")).to_be_focused()  # USWDS moves focus into the menu
    # The menu slides in from the right: wait until it has arrived.
    page.wait_for_function("() => document.querySelector('.usa-nav').getBoundingClientRect().right"
                           " <= window.innerWidth + 1")


def open_help(page: Page, lang: str) -> None:
    button = page.locator(".usa-nav").get_by_role("button", name=HELP[lang], exact=True)
    if button.count():
        button.click()
        expect(button).to_have_attribute("aria-expanded", "true")


def expect_in_view(page: Page, locator) -> None:  # type: ignore[no-untyped-def]
    expect(locator).to_be_visible()
    box = locator.bounding_box()
    assert page.viewport_size is not None
    width = page.viewport_size["width"]
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= width + 1, f"{locator} is off-screen: {box}"


def check_axe(page: Page, violations: dict[str, str], name: str, *, menu_open: bool = False) -> None:
    if not menu_open:  # an open menu hides the rest of the page from assistive technology (aria-hidden)
        expect(heading(page)).to_be_visible()
    if report := axe_report(page):
        violations[name] = report


@pytest.mark.browser
@pytest.mark.parametrize("role", ROLES, ids=[r.value if r else "visitor" for r in ROLES])
def test_the_menu_reaches_every_link_on_a_phone_and_the_header_keeps_one_row(page: Page, live_server, role) -> None:
    user = person(role)
    links = navigation.navigation_for(user).links()
    paths = [link.url for link in links]
    help_paths = {reverse(link.url_name) for link in navigation.HELP_LINKS} if user is not None else set()
    who = role or "visitor"
    violations: dict[str, str] = {}
    page.set_viewport_size(PHONE)
    if user is not None:
        sign_in(page, user.username)
    start = "/start/" if user is not None else "/"

    for lang in ("en", "es"):
        use_language(page, live_server, lang)
        page.set_viewport_size(PHONE)
        page.goto(start)
        expect(page.locator(".usa-nav")).not_to_be_visible()  # a phone shows the Menu button, not the links
        shot(page, f"menu-{who}-{lang}-1-closed")
        check_axe(page, violations, f"{lang} 375 closed")

        open_menu(page, lang)
        open_help(page, lang)
        nav = page.locator(".usa-nav")
        for path in paths:
            expect_in_view(page, nav.locator(f'a[href="{path}"]'))
        if user is not None:
            expect_in_view(page, nav.get_by_role("button", name=re.compile("Sign out|Cerrar sesión")))
        other = "Español" if lang == "en" else "English"
        expect_in_view(page, nav.get_by_role("button", name=other, exact=True))
        expect_in_view(page, nav.get_by_role("searchbox"))
        shot(page, f"menu-{who}-{lang}-2-open", full_page=False)
        check_axe(page, violations, f"{lang} 375 menu open", menu_open=True)

        page.get_by_role("button", name=re.compile("^(Close|Cerrar)$")).click()
        expect(nav).not_to_be_visible()

        # Every page of the menu: reached through the menu itself (in English; in Spanish by address),
        # and none scrolls sideways at 320 px (Django's own admin site excepted: not ours to lay out).
        for path in [p for p in paths if not p.startswith("/admin/")]:
            if lang == "en":
                page.set_viewport_size(PHONE)
                page.goto(start)
                open_menu(page, lang)
                if path in help_paths:  # an open submenu folds when focus leaves it: open it only for its links
                    open_help(page, lang)
                nav.locator(f'a[href="{path}"]').click()
                expect(page).to_have_url(re.compile(re.escape(path) + r"(\?.*)?$"))
            else:
                page.goto(path)
            expect(heading(page)).to_be_visible()
            page.set_viewport_size(NARROW)
            assert sideways_scroll(page) <= 0, f"{who} {lang}: {path} scrolls sideways at 320 px"
        page.set_viewport_size(NARROW)
        page.goto(start)
        shot(page, f"menu-{who}-{lang}-3-320px")

        # At 1280 px the links are in the header, in one row.
        page.set_viewport_size(DESKTOP)
        page.goto(start)
        expect(page.get_by_role("button", name=MENU[lang], exact=True)).not_to_be_visible()
        tops = page.locator(".usa-nav__primary > li").evaluate_all("items => items.map(i => i.getBoundingClientRect().top)")
        assert len(set(tops)) == 1, f"{who} {lang}: the header wraps at 1280 px: {tops}"
        secondary = page.locator(".usa-nav__secondary-links > li").evaluate_all(
            "items => items.map(i => Math.round(i.getBoundingClientRect().top))")
        assert len(set(secondary)) == 1, f"{who} {lang}: the account links wrap at 1280 px: {secondary}"
        shot(page, f"menu-{who}-{lang}-4-desktop")
        check_axe(page, violations, f"{lang} 1280")
        help_button = page.locator(".usa-nav").get_by_role("button", name=HELP[lang], exact=True)
        if help_button.count():
            help_button.click()
            expect(page.locator("#nav-help")).to_be_visible()
            shot(page, f"menu-{who}-{lang}-5-submenu")
            check_axe(page, violations, f"{lang} 1280 submenu open")
            page.keyboard.press("Escape")
            expect(page.locator("#nav-help")).not_to_be_visible()

    assert not violations, "\n\n".join(f"{name}:\n{report}" for name, report in violations.items())


@pytest.mark.browser
def test_the_menu_works_with_the_keyboard_alone(page: Page, live_server) -> None:
    user = cast(User, CustomerFactory(username="keys@example.com"))
    page.set_viewport_size(PHONE)
    sign_in(page, user.username)
    page.goto("/dashboard/")
    menu = page.get_by_role("button", name="Menu", exact=True)

    for _ in range(10):  # skip link, banner, logo, then the Menu button
        page.keyboard.press("Tab")
        if menu.evaluate("el => el === document.activeElement"):
            break
    expect(menu).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(".usa-nav")).to_be_visible()
    expect(page.locator(".usa-nav__close")).to_be_focused()

    # Tab walks every link, the submenu opened with Enter; focus stays in the menu.
    reached: list[str] = []
    for _ in range(30):
        page.keyboard.press("Tab")
        focused = page.evaluate("() => [document.activeElement.tagName, document.activeElement.getAttribute('href'),"
                                " document.activeElement.getAttribute('aria-controls'),"
                                " document.activeElement.closest('.usa-nav') !== null]")
        assert focused[3], f"focus left the open menu: {focused}"
        if focused[2] == "nav-help" and page.locator("#nav-help").is_hidden():
            page.keyboard.press("Enter")
            expect(page.locator("#nav-help")).to_be_visible()
        if focused[1]:
            reached.append(focused[1])
        if focused[0] == "INPUT":  # the search box comes last, after the account links
            break
    expected = [item.url for item in navigation.navigation_for(user).links()]
    assert [href for href in reached if href in expected] == expected
    shot(page, "keyboard-customer-menu", full_page=False)

    page.keyboard.press("Escape")
    expect(page.locator(".usa-nav")).not_to_be_visible()
    expect(menu).to_be_focused()

    # Enter on a link follows it.
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    focused_href = page.evaluate("document.activeElement.getAttribute('href')")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(re.escape(focused_href)))


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_banner_tells_how_you_know_and_the_identifier_carries_the_required_links(page: Page, live_server, lang):
    use_language(page, live_server, lang)
    violations: dict[str, str] = {}
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        page.goto("/")
        content = page.locator("#gov-banner")
        expect(content).to_be_hidden()
        page.locator(".usa-banner__button").click()
        expect(content).to_be_visible()
        expect(content).to_contain_text("HTTPS")
        shot(page, f"banner-{lang}-{size['width']}")
        check_axe(page, violations, f"banner open {size['width']}")
    identifier = page.locator(".usa-identifier")
    names = {
        "en": ["About this portal", "Accessibility statement", "FOIA requests", "No FEAR Act data",
               "Office of the Inspector General", "Privacy policy", "Visit USA.gov"],
        "es": ["Acerca de este portal", "Declaración de accesibilidad", "Solicitudes FOIA", "Datos de la ley No FEAR",
               "Oficina del Inspector General", "Política de privacidad", "Visite USAGov en Español"],
    }[lang]
    for name in names:
        expect(identifier.get_by_role("link", name=name, exact=True)).to_be_visible()
    identifier.get_by_role("link", name=names[1], exact=True).click()
    expect(heading(page)).to_have_text(names[1])
    assert not violations, "\n\n".join(f"{name}:\n{report}" for name, report in violations.items())


FRAME_PAGES = ["/", "/about/", "/about/accessibility/", "/about/privacy/", "/search/", "/search/?q=chicago",
               "/search/?q=zzzz", "/offices/", "/offices/?search=Chicago", "/offices/CHI/", "/offices/find/?zip=60605",
               "/contact/", "/contact/guide/", "/contact/guide/?topic=visa", "/agencies/", "/accounts/login/",
               "/accounts/signup/"]


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["en", "es"])
def test_public_pages_have_no_violations_on_a_phone_and_do_not_scroll_sideways(page: Page, live_server, lang):
    use_language(page, live_server, lang)
    violations: dict[str, str] = {}
    for path in FRAME_PAGES:
        page.set_viewport_size(PHONE)
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        expect(page.locator("html")).to_have_attribute("lang", lang)
        check_axe(page, violations, f"{path} 375")
        page.set_viewport_size(NARROW)
        assert sideways_scroll(page) <= 0, f"{path} scrolls sideways at 320 px ({lang})"
    page.set_viewport_size(PHONE)
    page.goto("/offices/?search=Chicago")
    shot(page, f"directory-chicago-{lang}")
    assert not violations, "\n\n".join(f"{name}:\n{report}" for name, report in violations.items())


@pytest.mark.browser
def test_the_directory_search_through_the_form_finds_chicago(page: Page) -> None:
    page.goto("/offices/")
    form = page.locator("#directory-filters")
    for name in ("Office type", "State or territory", "Country", "Appointments"):
        expect(form.get_by_label(name)).to_have_value("")
    form.get_by_label("Name, code or city").fill("Chicago")
    form.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("link", name="Chicago Field Office", exact=True)).to_be_visible()
    shot(page, "directory-search-chicago-desktop")


@pytest.mark.browser
def test_a_us_residents_visa_question_in_the_browser_ends_at_the_department_of_state(page: Page) -> None:
    page.goto("/contact/guide/")
    control = page.get_by_label("A visa or a visa interview abroad", exact=True)
    page.locator(f'label[for="{control.get_attribute("id")}"]').click()
    page.get_by_role("button", name="Show me who to contact").click()
    answer = page.get_by_role("region", name="Your answer")
    expect(answer).to_contain_text("Department of State")
    shot(page, "guide-visa-us-resident")


@pytest.mark.browser
def test_the_site_search_from_the_header(page: Page, live_server) -> None:
    for lang, words, found in (("en", "passport", "National Passport Information Center"),
                               ("es", "privacidad", "Política de privacidad")):
        use_language(page, live_server, lang)
        page.set_viewport_size(DESKTOP)
        page.goto("/")
        page.get_by_role("searchbox").fill(words)
        page.get_by_role("searchbox").press("Enter")
        expect(page).to_have_url(re.compile(r"/search/\?q="))
        expect(page.locator("main").get_by_role("link", name=found, exact=True)).to_be_visible()
        shot(page, f"search-{lang}")


@pytest.mark.browser
def test_without_uswds_every_link_shows_and_nothing_scrolls_sideways(page: Page, settings) -> None:
    """The no-npm fallback (core/static/core/site.css): no Menu button to press, so every link shows."""
    settings.USWDS_AVAILABLE = False
    user = cast(User, CustomerFactory(username="plain@example.com"))
    page.set_viewport_size(NARROW)
    sign_in(page, user.username)
    page.goto("/dashboard/")
    expect(page.get_by_role("button", name="Menu", exact=True)).to_be_hidden()
    for item in navigation.navigation_for(user).links():
        expect_in_view(page, page.locator(".usa-nav").locator(f'a[href="{item.url}"]'))
    assert sideways_scroll(page) <= 0
    shot(page, "fallback-no-uswds-320px")
