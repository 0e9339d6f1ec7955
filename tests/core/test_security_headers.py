"""Security headers on every page (issue 11, OWASP secure headers): a strict Content-Security-Policy
from django-csp, Permissions-Policy, Referrer-Policy and Cross-Origin-Opener-Policy.

The crawl starts from every page of the URL conf that takes no argument and follows every link and
GET form it finds on our own site, as a visitor, a customer, Contact Center and office staff and an
admin, over the demo data (appointments, requests). Each page must carry the headers, and its HTML
must hold nothing the policy would block: no inline script or style without the request's nonce, no
style attribute, no event-handler attribute, no javascript: link.
"""

import re
from collections import deque
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver

from core.models import User
from tests.auth import sign_in

LINKS_LIMIT = 40  # pages found by following links, per person, beyond every seed: small enough for CI
SKIP = ("/static/", "/accounts/logout/", "/i18n/", "/api/v1/", "/metrics")
INLINE_BLOCK = re.compile(r"<(script|style)\b([^>]*)>(.*?)</\1>", re.S | re.I)
HANDLER_ATTR = re.compile(r"<[a-z][^>]*\s(on[a-z]+)\s*=", re.I)
STYLE_ATTR = re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I)
HREF = re.compile(r'href="([^"#]*)"')


def parameterless_paths(patterns=None, prefix=""):  # type: ignore[no-untyped-def]
    """Every path in the URL conf that needs no argument (the crawl's seeds)."""
    paths = []
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        route = str(entry.pattern)
        if "<" in route or "(?P" in route or route.startswith("^"):
            continue
        if isinstance(entry, URLResolver):
            paths += parameterless_paths(entry.url_patterns, prefix + route)
        elif isinstance(entry, URLPattern):
            paths.append("/" + prefix + route)
    return paths


def directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            parsed[words[0]] = words[1:]
    return parsed


def check_headers(path: str, response) -> None:  # type: ignore[no-untyped-def]
    csp = response.headers.get("Content-Security-Policy")
    assert csp, f"{path}: no Content-Security-Policy"
    policy = directives(csp)
    assert policy["default-src"] == ["'self'"], path
    for kind in ("script-src", "style-src"):
        assert "'unsafe-inline'" not in policy[kind] and "'unsafe-eval'" not in policy[kind], (path, csp)
        assert all(source == "'self'" or source.startswith("'nonce-") for source in policy[kind]), (path, csp)
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"], path
    assert "camera=()" in response.headers.get("Permissions-Policy", ""), path
    assert "geolocation=()" in response.headers["Permissions-Policy"], path
    assert response.headers.get("Referrer-Policy") == "strict-origin-when-cross-origin", path
    assert response.headers.get("Cross-Origin-Opener-Policy") == "same-origin", path


def check_html(path: str, html: str, csp: str) -> None:
    nonces = set(re.findall(r"'nonce-([^']+)'", csp))
    for tag, attributes, body in INLINE_BLOCK.findall(html):
        if "src=" in attributes or "application/json" in attributes or not body.strip():
            continue
        nonce = re.search(r'nonce="([^"]+)"', attributes)
        assert nonce and nonce.group(1) in nonces, f"{path}: inline <{tag}> without the request's nonce"
    assert not HANDLER_ATTR.search(html), f"{path}: event-handler attribute {HANDLER_ATTR.search(html)}"
    assert not STYLE_ATTR.search(html), f"{path}: style attribute {STYLE_ATTR.search(html)}"
    assert "javascript:" not in html, f"{path}: javascript: link"


def crawl(client, seeds: list[str]) -> set[str]:  # type: ignore[no-untyped-def]
    queue, seen = deque(seeds), set(seeds)
    visited: set[str] = set()
    while queue and len(visited) < len(seeds) + LINKS_LIMIT:
        path = queue.popleft()
        response = client.get(path)
        visited.add(path)
        check_headers(path, response)
        if not response.headers.get("Content-Type", "").startswith("text/html"):
            continue
        assert response.status_code < 500, path
        html = response.content.decode()
        check_html(path, html, response.headers["Content-Security-Policy"])
        for href in HREF.findall(html):
            target = urlsplit(urljoin(path, href))
            if target.scheme not in ("", "http", "https") or target.netloc not in ("", "testserver"):
                continue
            link = target.path + (f"?{target.query}" if target.query else "")
            if not link or link in seen or link.startswith(SKIP) or link.startswith("/admin/") and link.count("/") > 4:
                continue
            seen.add(link)
            queue.append(link)
    return visited


@pytest.fixture
def demo(demo_accounts, settings):  # type: ignore[no-untyped-def]
    call_command("seed_demo_appointments")
    call_command("seed_demo_requests")
    settings.DEBUG = False  # production answers: django-csp leaves debug 404/500 pages alone


@pytest.mark.django_db
@pytest.mark.parametrize("username", [None, "maria@example.com", "agent", "vsc.staff", "admin"])
def test_every_page_carries_the_policy_and_nothing_it_would_block(demo, client, username):
    if username is not None:
        sign_in(client, User.objects.get(username=username))
    seeds = [path for path in parameterless_paths() if not path.startswith(SKIP)]
    visited = crawl(client, seeds)

    assert "/" in visited and "/api/docs/" in visited
    if username == "maria@example.com":
        assert any(re.fullmatch(r"/appointments/\d+/", path) for path in visited), "an appointment's page was crawled"
        assert any(re.fullmatch(r"/service-requests/[A-Z0-9-]+/", path) for path in visited), "a request's page was crawled"


@pytest.mark.django_db
def test_api_answers_errors_and_swagger_script_carry_the_headers(client):
    for path in ("/api/v1/offices/", "/api/v1/no-such-thing/", "/api/docs/?script=", "/healthz", "/no-such-page/"):
        check_headers(path, client.get(path))


@pytest.mark.django_db
def test_swagger_page_styles_with_the_nonce_and_loads_its_script_from_a_url(client):
    response = client.get("/api/docs/")
    csp = response.headers["Content-Security-Policy"]
    html = response.content.decode()
    nonce = re.search(r"'nonce-([^']+)'", csp)
    assert nonce and f'<style nonce="{nonce.group(1)}">' in html
    assert '<script src="/api/docs/?script="' in html or "?script=" in html
    check_html("/api/docs/", html, csp)
    assert client.get("/api/docs/?script=").headers["Content-Type"].startswith("application/javascript")

