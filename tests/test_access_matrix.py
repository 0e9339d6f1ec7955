"""The generated access matrix: every URL pattern of the URL conf (walked from get_resolver()) ×
every role × an owned and a foreign object, through the web and the API.

EXPECT below is the whole policy in one small table: which roles may *reach* each route with the
object that is theirs (or their office's, or their client's) and with a foreign one. Reaching is a
2xx answer, or a POST not refused (below 400) that changed something in the database (sessions' and
tokens' own bookkeeping aside). The
matrix fails on any reach the table does not allow, on an allowed GET that is refused, and on any
500; a second test fails when a route has no entry, so a new route cannot slip past.

Every request runs in a savepoint that is rolled back, so the world is built once and each role
meets it unchanged.
"""

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from knox.models import AuthToken
from rest_framework.test import APIClient

from appointments import selectors as appointment_selectors
from appointments import services as appointment_services
from contact_center.services import identity_check_record
from inquiries.services import inquiry_record
from offices.models import Agency, ContactChannel, Office
from service_requests import services as request_services
from service_requests.models import ServiceRequest
from tests.auth import api_token, sign_in
from tests.factories import CustomerFactory, StaffFactory, UserFactory, represent

# --- the table ------------------------------------------------------------------------------------

ROLES = ("anonymous", "customer", "rep_on", "rep_off", "tier1", "tier2", "staff_own", "staff_other", "hq", "admin")
EVERYONE = frozenset(ROLES)
SIGNED_IN = EVERYONE - {"anonymous"}
CUSTOMER_SIDE = frozenset({"customer", "rep_on", "rep_off"})
CONTACT_CENTER = frozenset({"tier1", "tier2"})
STAFF = frozenset({*CONTACT_CENTER, "staff_own", "staff_other", "hq", "admin"})
OFFICE = frozenset({"staff_own", "staff_other"})
NOBODY: frozenset[str] = frozenset()


@dataclass(frozen=True)
class May:
    """Who may reach a route: with the owned object, and with a foreign one (routes without an
    object use `owned`). A dict of these by HTTP method, where methods differ."""

    owned: frozenset[str]
    foreign: frozenset[str] = NOBODY


def may(*groups: frozenset[str] | str, foreign: frozenset[str] | set[str] = NOBODY) -> May:
    roles: set[str] = set()
    for group in groups:
        roles |= {group} if isinstance(group, str) else set(group)
    return May(frozenset(roles), frozenset(foreign))


# The owned world: customer C_A (represented by rep_on, all cases) at Chicago (CHI); staff_own works
# there; C_A's request is escalated to HQ; rep_on booked C_A's appointment; tier1 recorded the
# identity check; staff_own took the inquiry. The foreign world: customer C_B at Milwaukee (MIL),
# represented by another representative, nothing of it touches any role but the admin.
EXPECT: dict[str, May | dict[str, May]] = {
    # public pages and sign-in
    "core:home": may(EVERYONE), "core:start": may(EVERYONE), "core:search": may(EVERYONE),
    "core:about": may(EVERYONE), "core:accessibility": may(EVERYONE), "core:privacy": may(EVERYONE),
    "core:healthz": may(EVERYONE), "core:signup": may(EVERYONE), "core:login": may(EVERYONE),
    "core:signup_sent": may(EVERYONE),
    "core:signup_confirm": may(NOBODY),  # the matrix's link is for an account that is not pending: refused to all
    "core:logout": may(EVERYONE), "core:password_reset": may(EVERYONE), "core:password_reset_sent": may(EVERYONE),
    "core:password_reset_complete": may(EVERYONE), "core:password_reset_confirm": may(EVERYONE, foreign=EVERYONE),
    "set_language": may(EVERYONE), "offices:directory": may(EVERYONE), "offices:find": may(EVERYONE),
    "offices:detail": may(EVERYONE, foreign=EVERYONE), "offices:contact": may(EVERYONE),
    "offices:agencies": may(EVERYONE), "inquiries:guide": may(EVERYONE),
    "api-register": may(EVERYONE), "api-token": may(EVERYONE), "api-password-reset": may(EVERYONE),
    "api-password-reset-confirm": may(EVERYONE), "api-register-confirm": may(EVERYONE),
    "api-jurisdiction": may(EVERYONE),
    "office-list": may(EVERYONE), "office-detail": may(EVERYONE, foreign=EVERYONE),
    "contact-channel-list": may(EVERYONE), "contact-channel-detail": may(EVERYONE, foreign=EVERYONE),
    "agency-list": may(EVERYONE), "agency-detail": may(EVERYONE, foreign=EVERYONE),
    "api-availability": may(EVERYONE, foreign=EVERYONE), "api-schema": may(EVERYONE), "api-docs": may(EVERYONE),
    # the signed-in account
    "core:dashboard": may(SIGNED_IN), "core:profile": may(SIGNED_IN),
    "core:two_factor": may(SIGNED_IN), "core:two_factor_setup": may(SIGNED_IN),
    "core:recovery_codes": may(STAFF), "core:token_revoke": may("customer"),
    "api-logout": may(SIGNED_IN), "api-tokens": may(SIGNED_IN), "api-token-detail": may("customer"),
    "api-me": may(SIGNED_IN),
    # representation: the two parties; G-28 by office staff, HQ and admins
    "core:representation": may(CUSTOMER_SIDE),
    "core:representation_confirm": may(NOBODY),  # the owned one is already active: nothing to confirm
    "core:representation_withdraw": may("customer", "rep_on", "admin", foreign={"admin"}),
    "core:g28": may(OFFICE, "hq", "admin"),
    "api-representations": may(SIGNED_IN),
    "api-representation-g28": may(NOBODY),  # (its body names nobody: tested in test_representation)
    "api-representation-confirm": may(NOBODY),
    "api-representation-withdraw": may("customer", "rep_on", "admin", foreign={"admin"}),
    # appointments: the customer, the representative who booked while on record, the office, admins
    "appointments:list": may(SIGNED_IN),  # each sees their own scope (possibly empty)
    "appointments:book": may("customer", "rep_on", "rep_off", CONTACT_CENTER, OFFICE, "admin"),
    "appointments:detail": may("customer", "rep_on", "staff_own", "admin", foreign={"admin"}),
    "appointments:cancel": may("customer", "rep_on", "staff_own", "admin", foreign={"admin"}),
    "appointments:reschedule": may("customer", "rep_on", "staff_own", "admin", foreign={"admin"}),
    "appointments:calendar": may("customer", "rep_on", "staff_own", "admin", foreign={"admin"}),
    "appointments:staff_day": may(OFFICE),
    "appointments:staff_action": may("staff_own"),
    "appointment-list": may(SIGNED_IN),
    "appointment-detail": may("customer", "rep_on", "staff_own", "admin", foreign={"admin"}),
    "appointment-cancel": may("customer", "rep_on", "staff_own", "admin", foreign={"admin"}),
    "appointment-reschedule": may("customer", "rep_on", "staff_own", "admin", foreign={"admin"}),
    "appointment-ics": may("customer", "rep_on", "staff_own", "admin", foreign={"admin"}),
    "appointment-check-in": may("staff_own", "admin", foreign={"admin"}),
    "appointment-complete": may("staff_own", "admin", foreign={"admin"}),
    "appointment-no-show": may("staff_own", "admin", foreign={"admin"}),
    # issue 15: the office day's print and no-show confirmation; undo (the world's appointment is no no-show: 409)
    "appointments:staff_day_print": may(OFFICE),
    "appointments:staff_no_show_confirm": may("staff_own"),
    "appointment-undo-no-show": may(NOBODY),
    # service requests: the customer, their representative on record, the holding office, HQ once
    # escalated, admins; agents file for callers and find requests only through the verified lookup
    "service_requests:list": may(CUSTOMER_SIDE, CONTACT_CENTER),  # agents: those they filed; offices: the queue
    "service_requests:file": may(CUSTOMER_SIDE),
    "service_requests:detail": may("customer", "rep_on", "staff_own", "hq", "admin", foreign={"admin"}),
    "service_requests:filed": may("customer", "rep_on", "staff_own", "hq", "admin", foreign={"admin"}),
    "service_requests:service_center_inquiry": may(NOBODY),  # escalated to HQ already: 409 for the parties
    "service_requests:hq_inquiry": may(NOBODY),
    "service_requests:action": may("staff_own", "hq", "admin", foreign={"admin"}),
    "service_requests:queue": may(OFFICE, "hq", "admin"),
    "service_requests:file_for_caller": may(CONTACT_CENTER, OFFICE, "admin"),
    "service_requests:dashboard": may(OFFICE, "hq", "admin"),
    "service-request-list": {"GET": may(SIGNED_IN),
                             "POST": may("customer", "rep_on", CONTACT_CENTER, OFFICE, "admin")},
    "service-request-detail": may("customer", "rep_on", "staff_own", "hq", "admin", foreign={"admin"}),
    "service-request-close": may("staff_own", "hq", "admin", foreign={"admin"}),
    "service-request-notes": may("staff_own", "hq", "admin", foreign={"admin"}),
    "service-request-responses": may("staff_own", "hq", "admin", foreign={"admin"}),
    "service-request-relocate": may(NOBODY),  # (its body names no agency)
    "service-request-transfer": may("staff_own", "hq", "admin", foreign={"admin"}),
    "service-request-hq-inquiry": may(NOBODY),
    "service-request-service-center-inquiry": may(NOBODY),
    # issue 15: assignment, my requests, export, bulk, saved views, an absence (release: nobody holds it, 409;
    # assign and bulk: their bodies name nobody, 400; delete: no saved view has that number, 404)
    "service_requests:take": may("staff_own", "hq", "admin", foreign={"admin"}),
    "service_requests:release": may(NOBODY), "service_requests:assign": may(NOBODY),
    "service_requests:mine": may(OFFICE, "hq", "admin"),
    "service_requests:queue_export": may(OFFICE, "hq", "admin"),
    "service_requests:queue_bulk": may(NOBODY),
    "service_requests:saved_filter_save": may(OFFICE, "hq", "admin"),
    "service_requests:saved_filter_delete": may(NOBODY),
    "service_requests:absence": may(NOBODY),  # nothing held: nothing changes (a redirect)
    "service-request-take": may("staff_own", "hq", "admin", foreign={"admin"}),
    "service-request-release": may(NOBODY), "service-request-assign": may(NOBODY),
    "service-request-export": may(OFFICE, "hq", "admin"),
    "service-request-bulk": may(NOBODY),
    "service-request-absence": may(OFFICE, "hq", "admin"),  # 200 {"handed_back": 0}
    "saved-view-list": may(OFFICE, "hq", "admin"),
    "saved-view-detail": may(NOBODY),
    # inquiries (contacts recorded by staff) and the Contact Center
    "inquiries:list": may(STAFF), "inquiries:new": may(STAFF), "inquiries:reports": may(STAFF),
    "inquiries:mine": may(STAFF),
    "inquiries:detail": may("staff_own", "hq", "admin", foreign={"hq", "admin"}),
    "inquiries:action": may(NOBODY),  # (its body is empty)
    "inquiry-list": may(STAFF), "inquiry-detail": may("staff_own", "hq", "admin", foreign={"hq", "admin"}),
    "contact_center:identity_check": may(CONTACT_CENTER),
    "contact_center:lookup": may("tier1"),
    "contact_center:case_reads": may("admin"),
    "api-identity-checks": may(CONTACT_CENTER),
    "api-lookup": may("tier1"),
    "api-case-reads": may("admin"),
}
# Routes that came with other issues (office day, queue work, readiness).
EXPECT.update({
    "core:readyz": may(EVERYONE),
    "appointments:booked": may("customer", "rep_on", "staff_own", "admin", foreign={"admin"}),
    "appointments:staff_day_print": may(OFFICE),
    "appointments:staff_no_show_confirm": may("staff_own"),
    "appointment-undo-no-show": may("staff_own", "admin", foreign={"admin"}),
    "service_requests:take": may("staff_own", "hq", "admin", foreign={"admin"}),
    "service_requests:release": may("staff_own", "hq", "admin", foreign={"admin"}),
    "service_requests:assign": may("staff_own", "hq", "admin", foreign={"admin"}),
    "service-request-assign": may("staff_own", "hq", "admin", foreign={"admin"}),
    "service-request-take": may("staff_own", "hq", "admin", foreign={"admin"}),
    "service-request-release": may("staff_own", "hq", "admin", foreign={"admin"}),
    "saved-view-list": may(OFFICE, "hq", "admin"), "saved-view-detail": may(NOBODY),  # (the number names no saved view)
    "prometheus-django-metrics": may(EVERYONE),
    "service_requests:mine": may(OFFICE, "hq", "admin"),
    "service_requests:queue_export": may(OFFICE, "hq", "admin"),
    "service_requests:queue_bulk": may(OFFICE, "hq", "admin"),
    "service_requests:saved_filter_save": may(OFFICE, "hq", "admin"),
    "service_requests:saved_filter_delete": may(NOBODY),  # (the number names no saved view)
    "service_requests:absence": may(OFFICE, "hq", "admin"),
    "service-request-absence": may(OFFICE, "hq", "admin"),
    "service-request-bulk": may(OFFICE, "hq", "admin"),
    "service-request-export": may(OFFICE, "hq", "admin"),
    "inquiries:mine": may(STAFF),
})
# The Django admin: its sign-in for everyone, the rest (every pattern, named or not) for admins only.
EXPECT.update({"admin:login": may(EVERYONE), "admin:logout": may(EVERYONE)})
EXPECT_PREFIX = {"admin/": may("admin")}
# A refusal: what a role that may not reach a route gets (400 is bad input, 405 a wrong method).
REFUSALS = {401, 403, 404}
ADMIN_STAND_INS = ("anonymous", "customer", "admin")  # non-admins are all refused the same way
# A route everyone may reach cannot be reached wrongly: a few roles show it answers (and never 500s).
PUBLIC_STAND_INS = ("anonymous", "customer", "rep_off", "tier1", "staff_other", "admin")

# Bodies for the POSTs that would otherwise stop at validation (values from the world, by name).
BODIES: dict[str, dict[str, str]] = {
    "service-request-list": {"request_type": "typographic_error",
                             "description": "Filed by the matrix.", "customer": "{customer_email}",
                             "receipt_number": "EAC2290000001"},
    "service-request-notes": {"body": "A note from the matrix."},
    "service-request-responses": {"body": "An answer from the matrix."},
    "service-request-close": {"reason": "The matrix closes it."},
    "service-request-transfer": {"to_office": "NBC", "reason": "The matrix moves it."},
    "service_requests:action": {"note-version": "{version}", "note-body": "A note from the matrix."},
    "service_requests:saved_filter_save": {"name": "Matrix view", "query": "sort=due"},
    "saved-view-list": {"name": "Matrix view", "query": "sort=due"},
}


# --- walking the URL conf -------------------------------------------------------------------------

@dataclass(frozen=True)
class Route:
    pattern: str  # the full pattern, as the URL conf spells it
    name: str
    callback: Any


def all_routes() -> list[Route]:
    def walk(resolver: URLResolver, prefix: str, namespace: str) -> list[Route]:
        found: list[Route] = []
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                inner = f"{namespace}:{entry.namespace}" if namespace and entry.namespace else (
                    entry.namespace or namespace)
                found += walk(entry, prefix + str(entry.pattern), inner or "")
            elif isinstance(entry, URLPattern):
                name = f"{namespace}:{entry.name}" if namespace and entry.name else (entry.name or "")
                found.append(Route(prefix + str(entry.pattern), name, entry.callback))
        return found

    return walk(get_resolver(), "", "")


def rule_for(route: Route) -> May | dict[str, May] | None:
    if route.name in EXPECT:
        return EXPECT[route.name]
    for prefix, rule in EXPECT_PREFIX.items():
        if route.pattern.startswith(prefix):
            return rule
    return None


def methods_for(route: Route) -> list[str]:
    if route.pattern.startswith("admin/"):
        return ["get"]
    actions = getattr(route.callback, "actions", None)
    if actions:  # a DRF viewset route (HEAD and OPTIONS answer as GET does, or with no data)
        return sorted(m for m in actions if m not in ("head", "options"))
    view = getattr(route.callback, "cls", None) or getattr(route.callback, "view_class", None)
    if view is not None:
        return [m for m in ("get", "post", "patch", "delete") if hasattr(view, m)]
    return ["get", "post"]


_PARAM = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)")


def path_for(route: Route, values: dict[str, str]) -> str:
    def fill(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        return values.get(f"{route.name}.{name}") or values[name]

    return "/" + _PARAM.sub(fill, route.pattern).replace("^", "").replace("$", "")


def has_object(route: Route) -> bool:
    return bool(_PARAM.search(route.pattern))


# --- the world ------------------------------------------------------------------------------------

def _next_slot(office: Office) -> datetime:
    now = timezone.now()
    slots = [s for s in appointment_selectors.bookable_availability(office, now=now) if s.remaining > 0]
    return slots[0].start


def _request_at(customer: Any, office: Office, **changes: Any) -> ServiceRequest:
    filed = request_services.service_request_file(actor=customer, request_type="typographic_error",
                                                  receipt_number="WAC2290123456", description="Name misspelled.")
    ServiceRequest.objects.filter(pk=filed.pk).update(current_office=office, **changes)
    return ServiceRequest.objects.get(pk=filed.pk)


def build_world() -> tuple[dict[str, Any], dict[str, dict[str, str]]]:
    chicago, milwaukee, other = (Office.objects.get(code=c) for c in ("CHI", "MIL", "LNY"))
    c_a: Any = CustomerFactory(username="owner@example.com", profile__zip_code="60605")
    c_b: Any = CustomerFactory(username="stranger@example.com", profile__zip_code="53202")
    people: dict[str, Any] = {
        "customer": c_a,
        "rep_on": UserFactory(username="counsel@example.com", role="representative"),
        "rep_off": UserFactory(username="nocounsel@example.com", role="representative"),
        "tier1": UserFactory(username="tier1", role="ncsc_tier1"),
        "tier2": UserFactory(username="tier2", role="ncsc_tier2"),
        "staff_own": StaffFactory(username="chicago-staff", office=chicago),
        "staff_other": StaffFactory(username="elsewhere-staff", office=other),
        "hq": UserFactory(username="hq", role="hq_osco"),
        "admin": UserFactory(username="root", role="admin", is_staff=True, is_superuser=True),
    }
    rep_b: Any = UserFactory(username="strangers-counsel@example.com", role="representative")
    mine = represent(c_a, people["rep_on"])
    theirs = represent(c_b, rep_b)
    request_a = _request_at(c_a, chicago, hq_inquiry_at=timezone.now() - timedelta(days=1))
    request_b = _request_at(c_b, milwaukee)
    appointment_a = appointment_services.appointment_book(
        actor=people["rep_on"], customer_email=c_a.email, office_code="CHI", start=_next_slot(chicago),
        reason_code="information")
    appointment_b = appointment_services.appointment_book(
        actor=c_b, office_code="MIL", start=_next_slot(milwaukee), reason_code="information")
    questions = ["full_name", "date_of_birth", "mailing_address"]
    check_a = identity_check_record(actor=people["tier1"], caller_name="Owner", questions=questions, result="verified")
    other_agent: Any = UserFactory(username="tier1b", role="ncsc_tier1")
    check_b = identity_check_record(actor=other_agent, caller_name="Stranger",
                                    questions=questions, result="verified")
    inquiry_a = inquiry_record(actor=people["staff_own"], channel="phone", topic="other", customer=c_a)
    milwaukee_staff: Any = StaffFactory(username="milwaukee-staff", office=milwaukee)
    inquiry_b = inquiry_record(actor=milwaukee_staff, channel="phone",
                               topic="other", customer=c_b)
    token_a = AuthToken.objects.create(user=c_a)[0]
    token_b = AuthToken.objects.create(user=c_b)[0]
    common = {
        "code": "CHI", "uidb64": urlsafe_base64_encode(force_bytes(c_a.pk)),
        "token": default_token_generator.make_token(c_a), "object_id": "999999", "id": "999999", "app_label": "core",
        "content_type_id": "1", "url": "nothing-here/", "action": "note",
        "appointments:staff_action.action": "check-in", "inquiries:action.action": "reply",
        "contact-channel-detail.code": ContactChannel.objects.order_by("id").values_list("code", flat=True).first() or "x",
        "agency-detail.code": Agency.objects.order_by("id").values_list("code", flat=True).first() or "x",
        "customer_email": c_a.email,
    }
    values = {
        "owned": {**common, "reference_number": request_a.reference_number, "version": str(request_a.version),
                  "pk": str(appointment_a.pk), "inquiries:detail.pk": str(inquiry_a.pk),
                  "inquiry-detail.pk": str(inquiry_a.pk), "inquiries:action.pk": str(inquiry_a.pk),
                  "token_id": token_a.digest, "representation_id": str(mine.pk), "check_id": str(check_a.pk)},
        "foreign": {**common, "reference_number": request_b.reference_number, "version": str(request_b.version),
                    "pk": str(appointment_b.pk), "inquiries:detail.pk": str(inquiry_b.pk),
                    "inquiry-detail.pk": str(inquiry_b.pk), "inquiries:action.pk": str(inquiry_b.pk),
                    "token_id": token_b.digest, "representation_id": str(theirs.pk), "check_id": str(check_b.pk),
                    "code": "MIL"},
    }
    return people, values


def clients_for(people: dict[str, Any]) -> dict[str, tuple[Client, APIClient]]:
    clients: dict[str, tuple[Client, APIClient]] = {"anonymous": (Client(), APIClient())}
    for role, user in people.items():
        web = sign_in(Client(), user)
        api = APIClient()
        if role in STAFF:
            api.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
        else:
            api.force_authenticate(user)
        clients[role] = (web, api)
    return clients


# --- the matrix -----------------------------------------------------------------------------------

# Writes that are bookkeeping of the request itself, not something it did.
_BOOKKEEPING = ('"django_session"', '"portal_cache_fallback"', '"knox_authtoken"', '"otp_static_staticdevice"',
                '"otp_totp_totpdevice"', '"otp_static_statictoken"')


def _is_a_change(sql: str) -> bool:
    head = sql.lstrip()[:200]
    return head.startswith(("INSERT", "UPDATE", "DELETE")) and not any(table in head for table in _BOOKKEEPING)


def _reached(method: str, status: int, wrote: bool) -> bool:
    return 200 <= status < 300 or (method != "get" and status < 400 and wrote)


def _request(client: Client | APIClient, method: str, path: str, body: dict[str, str], is_api: bool) -> Any:
    if is_api:
        return getattr(client, method)(path, body or None, format="json")
    return getattr(client, method)(path, body) if method != "get" else client.get(path)


@pytest.fixture
def quiet_request_log():
    """Thousands of expected 4xx answers: keep django.request from logging each one."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    yield
    logger.setLevel(level)


@pytest.mark.timeout(900)  # about 2 minutes on a busy 2-core machine; the default is 300 s a test
def test_every_route_every_role_owned_and_foreign(directory, quiet_request_log):
    cache.clear()
    people, values = build_world()
    clients = clients_for(people)
    problems: list[str] = []
    reached_by: dict[str, set[str]] = {name: set() for name in BODIES}
    requests = 0
    for route in all_routes():
        rule = rule_for(route)
        assert rule is not None, route.pattern  # test_every_route_is_in_the_table says which
        in_admin = route.pattern.startswith("admin/")
        worlds = ("owned", "foreign") if has_object(route) and not in_admin else ("owned",)
        is_api = route.pattern.startswith("api/")
        for method in methods_for(route):
            may_rule = rule[method.upper()] if isinstance(rule, dict) else rule
            for world in worlds:
                path = path_for(route, values[world])
                allowed = may_rule.owned if world == "owned" else may_rule.foreign
                body = {k: v.format(**values[world]) for k, v in BODIES.get(route.name, {}).items()} \
                    if method != "get" else {}
                roles = ADMIN_STAND_INS if in_admin else PUBLIC_STAND_INS if allowed == EVERYONE else ROLES
                for role in roles:
                    client = clients[role][1 if is_api else 0]
                    cookies = {key: morsel.value for key, morsel in client.cookies.items()}
                    connection.queries_log.clear()  # the log keeps 9000 at most: start each request empty
                    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
                        response = _request(client, method, path, body, is_api)
                        wrote = any(_is_a_change(query["sql"]) for query in queries.captured_queries)
                        transaction.set_rollback(True)
                    client.cookies.clear()  # a sign-out (rolled back) must not sign the role out for good
                    for key, value in cookies.items():
                        client.cookies[key] = value
                    requests += 1
                    status = response.status_code
                    if route.name in reached_by and method != "get" and _reached(method, status, wrote):
                        reached_by[route.name].add(role)
                    where = f"{method.upper()} {path} as {role} ({world})"
                    if status >= 500:
                        problems.append(f"{where}: {status}")
                    elif _reached(method, status, wrote) and role not in allowed:
                        problems.append(f"{where}: reached ({status}) but the table does not allow it")
                    elif method == "get" and role in allowed and status in REFUSALS and not in_admin:
                        problems.append(f"{where}: refused ({status}) but the table allows it")
    print(f"access matrix: {requests} requests over {len(all_routes())} URL patterns")  # noqa: T201 - the figure
    assert not problems, "\n".join(problems)
    # The bodies are good enough to get an allowed role through (else the POSTs above prove little).
    assert all(reached_by.values()), {name: roles for name, roles in reached_by.items() if not roles}


def test_every_route_is_in_the_table():
    missing = [f"{route.pattern} ({route.name or 'unnamed'})" for route in all_routes() if rule_for(route) is None]
    assert not missing, "routes without an entry in EXPECT:\n" + "\n".join(missing)
    unknown = set(EXPECT) - {route.name for route in all_routes()}
    assert not unknown, f"entries for routes that no longer exist: {sorted(unknown)}"
