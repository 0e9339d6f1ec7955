"""The site's navigation, breadcrumbs and start pages: one registry, read by base.html and the site search.

To add a page: register its URL name in PAGES (its label, its parent for the breadcrumbs, and for a
public page a description so site search finds it); to put it in a role's menu, add a NavLink to
that role in PRIMARY_BY_ROLE. base.html has no role branches: it renders `navigation_for(user)`.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import CUSTOMER_ROLES, Role, User

Label = str | Promise
Person = User | AnonymousUser | None  # request.user, or no one


@dataclass(frozen=True)
class PageInfo:
    label: Label
    parent: str | None = None  # URL name of the page above it, for the breadcrumbs
    staff_parent: str | None = None  # where it sits for staff, when that differs
    description: Label = ""  # for site search; public pages only
    keywords: Label = ""  # more words site search matches (translated with the page)
    public: bool = False  # listed by site search to everyone


PAGES: dict[str, PageInfo] = {
    "core:home": PageInfo(_("Home"), public=True, description=_("The top tasks: book, file, check, find, contact.")),
    "core:search": PageInfo(_("Search"), "core:home"),
    "core:dashboard": PageInfo(_("My dashboard"), "core:home",
                               description=_("Your upcoming appointments, open requests and recent messages.")),
    "core:about": PageInfo(
        _("About this portal"), "core:home", public=True,
        description=_("What this portal does, who runs it and what it keeps about you."),
        keywords=_("about, who we are, agency"),
    ),
    "core:accessibility": PageInfo(
        _("Accessibility statement"), "core:about", public=True,
        description=_("How this portal is made usable for everyone, and how to tell us when it is not."),
        keywords=_("accessibility, disability, screen reader, section 508, keyboard, zoom"),
    ),
    "core:privacy": PageInfo(
        _("Privacy policy"), "core:about", public=True,
        description=_("What we collect, why, how long we keep it and who can see it."),
        keywords=_("privacy, personal information, cookies, data, records"),
    ),
    "core:login": PageInfo(_("Sign in"), "core:home", public=True,
                           description=_("Sign in to book appointments and follow your service requests."),
                           keywords=_("log in, login, account")),
    "core:signup": PageInfo(_("Create an account"), "core:home", public=True,
                            description=_("An account lets you book appointments and file service requests online."),
                            keywords=_("register, sign up, new account")),
    "core:profile": PageInfo(_("My account"), "core:dashboard", staff_parent="core:home"),
    "core:representation": PageInfo(_("Representation"), "core:profile"),
    "core:g28": PageInfo(_("Record a Form G-28"), "core:home"),
    "offices:find": PageInfo(
        _("Find my office"), "core:home", public=True,
        description=_("The field office that serves your ZIP code, or the international office for your country."),
        keywords=_("zip code, field office, local office, near me, jurisdiction, country"),
    ),
    "offices:directory": PageInfo(
        _("Office directory"), "core:home", public=True,
        description=_("Service centers, field offices, asylum offices and international offices."),
        keywords=_("offices, addresses, service center, asylum office, list"),
    ),
    "offices:detail": PageInfo(_("Office"), "offices:directory"),
    "offices:contact": PageInfo(
        _("Contact us"), "core:home", public=True,
        description=_("The phone lines and mailboxes that apply to you, and whether each is open now."),
        keywords=_("phone, telephone, call, contact center, hours, e-mail, military, premium processing, adoption"),
    ),
    "offices:agencies": PageInfo(
        _("Other agencies"), "offices:contact", public=True,
        description=_("Visas, I-94 records, immigration court, detention and Social Security are handled by other agencies."),
        keywords=_("visa, passport, I-94, court, detention, social security, state department"),
    ),
    "inquiries:guide": PageInfo(
        _("Who should I contact?"), "offices:contact", public=True,
        description=_("A few questions lead you to the right line, office or agency the first time."),
        keywords=_("help, question, which number, who to call"),
    ),
    "appointments:list": PageInfo(_("My appointments"), "core:dashboard", staff_parent="core:home"),
    "appointments:book": PageInfo(
        _("Book an appointment"), "appointments:list", public=True,
        description=_("A free appointment at the field office that serves you (sign-in required)."),
        keywords=_("appointment, infopass, schedule, visit, in person"),
    ),
    "appointments:detail": PageInfo(_("Appointment notice"), "appointments:list"),
    "appointments:booked": PageInfo(_("Appointment booked"), "appointments:list"),
    "appointments:cancel": PageInfo(_("Cancel appointment"), "appointments:detail"),
    "appointments:reschedule": PageInfo(_("Reschedule appointment"), "appointments:detail"),
    "appointments:staff_day": PageInfo(_("Office day"), "core:home"),
    "appointments:staff_day_print": PageInfo(_("Printable day list"), "appointments:staff_day"),
    "appointments:staff_no_show_confirm": PageInfo(_("Mark as a no-show?"), "appointments:staff_day"),
    "service_requests:list": PageInfo(
        _("My service requests"), "core:dashboard", staff_parent="service_requests:queue", public=True,
        description=_("Follow your service requests and the dates you may escalate them (sign-in required)."),
        keywords=_("check my request, status, reference number, escalate, case inquiry"),
    ),
    "service_requests:file": PageInfo(
        _("File a service request"), "service_requests:list", public=True,
        description=_("Ask about a case outside normal processing time, a notice or card not received, a typo, "
                      "an accommodation, a change of address or an expedite (sign-in required)."),
        keywords=_("service request, case outside processing time, card not received, typo, expedite"),
    ),
    "service_requests:detail": PageInfo(_("Service request"), "service_requests:list",
                                        staff_parent="service_requests:queue"),
    "service_requests:filed": PageInfo(_("Request filed"), "service_requests:list"),
    "service_requests:service_center_inquiry": PageInfo(_("Write to the service center"), "service_requests:detail"),
    "service_requests:hq_inquiry": PageInfo(_("Contact headquarters"), "service_requests:detail"),
    "service_requests:queue": PageInfo(_("Service request queue"), "core:home"),
    "service_requests:mine": PageInfo(_("My requests"), "service_requests:queue"),
    "service_requests:file_for_caller": PageInfo(_("File a service request for a caller"), "core:home"),
    "service_requests:dashboard": PageInfo(_("Service request dashboard"), "core:home"),
    "inquiries:list": PageInfo(_("Inquiries"), "core:home"),
    "inquiries:new": PageInfo(_("Record an inquiry"), "inquiries:list"),
    "inquiries:mine": PageInfo(_("My inquiries"), "inquiries:list"),
    "inquiries:reports": PageInfo(_("Inquiry reports"), "inquiries:list"),
    "contact_center:identity_check": PageInfo(_("Verify a caller"), "core:home"),
    "contact_center:lookup": PageInfo(_("Find the caller's request"), "contact_center:identity_check"),
    "contact_center:case_reads": PageInfo(_("Who read which case"), "core:home"),
    "inquiries:detail": PageInfo(_("Inquiry"), "inquiries:list"),
}


@dataclass(frozen=True)
class NavLink:
    label: Label
    url_name: str


@dataclass(frozen=True)
class NavGroup:
    """A submenu: a button that opens a list of links (expanded without JavaScript)."""

    label: Label
    id: str
    links: tuple[NavLink, ...]


HELP_LINKS = (
    NavLink(_("Find my office"), "offices:find"),
    NavLink(_("Office directory"), "offices:directory"),
    NavLink(_("Contact us"), "offices:contact"),
    NavLink(_("Who should I contact?"), "inquiries:guide"),
    NavLink(_("Other agencies"), "offices:agencies"),
)
HELP_GROUP = NavGroup(_("Find help"), "nav-help", HELP_LINKS)
_CUSTOMER = (
    NavLink(_("My dashboard"), "core:dashboard"),
    NavLink(_("My appointments"), "appointments:list"),
    NavLink(_("My requests"), "service_requests:list"),
)
_STAFF_DASHBOARD = NavLink(_("Dashboard"), "service_requests:dashboard")
_QUEUE = NavLink(_("Request queue"), "service_requests:queue")
_INQUIRIES = NavLink(_("Inquiries"), "inquiries:list")
# Both Contact Center tiers work the same desk; Tier 2 sees more on the pages it opens.
_CONTACT_CENTER = (
    NavLink(_("Record an inquiry"), "inquiries:new"),
    NavLink(_("Verify a caller"), "contact_center:identity_check"),
    NavLink(_("My inquiries"), "inquiries:mine"),
    NavLink(_("File for a caller"), "service_requests:file_for_caller"),
    NavLink(_("Requests I filed"), "service_requests:list"),
    NavLink(_("Appointments"), "appointments:list"),
)

# The first link of each role is where its people land after signing in.
PRIMARY_BY_ROLE: dict[str, tuple[NavLink, ...]] = {
    Role.CUSTOMER: _CUSTOMER,
    Role.REPRESENTATIVE: _CUSTOMER,
    Role.NCSC_TIER1: _CONTACT_CENTER,
    Role.NCSC_TIER2: _CONTACT_CENTER,
    Role.OFFICE_STAFF: (_QUEUE, NavLink(_("My requests"), "service_requests:mine"),
                        NavLink(_("Office day"), "appointments:staff_day"), _INQUIRIES, _STAFF_DASHBOARD),
    Role.HQ_OSCO: (_QUEUE, _STAFF_DASHBOARD),
    Role.ADMIN: (_STAFF_DASHBOARD, _QUEUE, _INQUIRIES, NavLink(_("Case reads"), "contact_center:case_reads"),
                 NavLink(_("Site administration"), "admin:index")),
}


@dataclass(frozen=True)
class Item:
    """One rendered link: its label, address and whether it is the page shown (or one above it)."""

    label: Label
    url: str
    current: bool = False  # this page or a page above it (styled as current)
    here: bool = False  # this very page (aria-current="page")


@dataclass(frozen=True)
class Group:
    label: Label
    id: str
    items: list[Item]

    @property
    def current(self) -> bool:
        return any(item.current for item in self.items)


@dataclass(frozen=True)
class Navigation:
    primary: list[Item | Group]
    signed_in: bool
    account: list[Item] = field(default_factory=list)  # the secondary links: account, or sign in / create one

    def links(self) -> list[Item]:
        """Every link, submenus opened: what the Menu button must reach."""
        flat: list[Item] = []
        for entry in self.primary:
            flat += entry.items if isinstance(entry, Group) else [entry]
        return flat + self.account


def primary_links_for(user: Person) -> tuple[NavLink, ...]:
    if not isinstance(user, User) or not user.is_authenticated:
        return ()
    return PRIMARY_BY_ROLE.get(user.role, ())


def start_page_for(user: User) -> str:
    """The URL name where this person lands after signing in: the first link of their role."""
    links = primary_links_for(user)
    return links[0].url_name if links else "core:home"


def _ancestors(view_name: str | None, user: Person) -> list[str]:
    chain: list[str] = []
    staff = isinstance(user, User) and user.is_authenticated and user.role not in CUSTOMER_ROLES
    while view_name in PAGES and len(chain) < 10:
        info = PAGES[view_name]
        view_name = (info.staff_parent if staff and info.staff_parent else info.parent)
        if view_name:
            chain.insert(0, view_name)
    return chain


# The menu's addresses take no arguments, so each is the same on every request of a process for one URLconf and
# script prefix (the key): reversed once, not ~15 times per page (issue 16's profile of the staff queue).
_URLS: dict[tuple[object, str, str], str] = {}


def _url(url_name: str) -> str:
    key = (get_urlconf() or settings.ROOT_URLCONF, get_script_prefix(), url_name)
    if key not in _URLS:
        _URLS[key] = reverse(url_name)
    return _URLS[key]


def navigation_key(user: Person, view_name: str | None = None) -> tuple:
    """All that navigation_for reads of the person, the page and the URLconf: equal keys, equal menus. The
    first item is whether the person is signed in."""
    signed_in = isinstance(user, User) and user.is_authenticated
    role = user.role if isinstance(user, User) and signed_in else None
    return (signed_in, role, view_name, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())


def navigation_for(user: Person, view_name: str | None = None) -> Navigation:
    section = {view_name, *_ancestors(view_name, user)} - {None, "core:home"}

    def item(link: NavLink) -> Item:
        return Item(link.label, _url(link.url_name), link.url_name in section, link.url_name == view_name)

    signed_in = isinstance(user, User) and user.is_authenticated
    primary: list[Item | Group] = [item(link) for link in primary_links_for(user)]
    if signed_in:
        primary.append(Group(HELP_GROUP.label, HELP_GROUP.id, [item(link) for link in HELP_GROUP.links]))
        account = [item(NavLink(_("My account"), "core:profile"))]
    else:
        primary += [item(link) for link in HELP_LINKS]
        account = [item(NavLink(_("Sign in"), "core:login")), item(NavLink(_("Create account"), "core:signup"))]
    return Navigation(primary, signed_in, account)


@dataclass(frozen=True)
class Crumb:
    label: Label
    url: str


def breadcrumbs_for(request: HttpRequest) -> list[Crumb]:
    """The pages above this one, from Home, with their addresses (parents reuse this page's URL
    arguments: an appointment's reschedule page sits under that appointment's notice). Empty on
    pages one level down or less: their place is plain from the navigation."""
    match = request.resolver_match
    if match is None or match.view_name not in PAGES:
        return []
    chain = _ancestors(match.view_name, getattr(request, "user", None))
    if len(chain) < 2:
        return []
    return [Crumb(PAGES[name].label, _reverse(name, match.kwargs)) for name in chain]


def _reverse(url_name: str, kwargs: dict[str, object]) -> str:
    """A page above this one: with this page's URL arguments it takes (an appointment's notice above
    its reschedule page), else with none (the list above a request)."""
    for candidate in (kwargs, *({k: v} for k, v in kwargs.items()), {}):
        try:
            return reverse(url_name, kwargs=candidate)
        except NoReverseMatch:
            continue
    return ""


def current_page(request: HttpRequest) -> PageInfo | None:
    match = request.resolver_match
    return PAGES.get(match.view_name) if match is not None else None


# The links a federal site's identifier carries (USWDS identifier; 21st Century IDEA). Ours are
# pages of this portal; the others are the agency's and the government's own pages.
IDENTIFIER_LINKS = (
    NavLink(_("About this portal"), "core:about"),
    NavLink(_("Accessibility statement"), "core:accessibility"),
    NavLink(_("FOIA requests"), "https://www.uscis.gov/records/request-records-through-the-freedom-of-information-act-or-privacy-act"),
    NavLink(_("No FEAR Act data"), "https://www.dhs.gov/no-fear-act"),
    NavLink(_("Office of the Inspector General"), "https://www.oig.dhs.gov"),
    NavLink(_("Privacy policy"), "core:privacy"),
)
USAGOV_URL = {"en": "https://www.usa.gov/", "es": "https://www.usa.gov/es/"}


def identifier_links() -> list[Item]:
    return [Item(link.label, link.url_name if link.url_name.startswith("https://") else _url(link.url_name))
            for link in IDENTIFIER_LINKS]
