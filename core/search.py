"""Site search (21st Century IDEA): offices, other agencies, help topics (the matters other agencies
handle, and the phone lines and mailboxes) and this portal's pages, in the visitor's language.

Every word of the query must match (in any of a result's fields). Four queries whatever the query:
offices, agencies, topics, channels; pages are matched in memory from core.navigation's registry.
"""

import unicodedata
from dataclasses import dataclass, field
from functools import reduce
from operator import and_, or_

from django.db.models import Q
from django.urls import reverse
from django.utils.functional import Promise
from django_countries import countries

from offices import selectors as office_selectors
from offices.models import RedirectTopic

from . import navigation

MAX_QUERY_LENGTH = 100
MAX_WORDS = 8
MAX_PER_KIND = 20


@dataclass(frozen=True)
class Result:
    title: str | Promise
    url: str
    summary: str | Promise = ""


@dataclass
class SearchResults:
    query: str
    offices: list[Result] = field(default_factory=list)
    agencies: list[Result] = field(default_factory=list)
    topics: list[Result] = field(default_factory=list)
    pages: list[Result] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.offices) + len(self.agencies) + len(self.topics) + len(self.pages)


def query_words(query: str) -> list[str]:
    return [w for w in query.strip().split() if w][:MAX_WORDS]


def _fold(text: str) -> str:
    """Lower case without accents, so "oficina" finds "Oficina" and "informacion" finds "información"."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))


def _every_word(words: list[str], *fields: str) -> Q:
    return reduce(and_, (reduce(or_, (Q(**{f"{f}__icontains": w}) for f in fields)) for w in words))


def site_search(query: str, *, user: navigation.Person = None) -> SearchResults:
    results = SearchResults(query=query.strip())
    words = query_words(query)
    if not words:
        return results
    offices = office_selectors.office_list().filter(
        _every_word(words, "name", "city", "state", "code", "address_line1", "postal_code")
    )[:MAX_PER_KIND]
    results.offices = [
        Result(o.name, reverse("offices:detail", args=[o.code]),
               f"{o.get_office_type_display()} · {o.city}, {o.state or countries.name(str(o.country))}")
        for o in offices
    ]
    agencies_url = reverse("offices:agencies")
    agencies = office_selectors.agency_list().filter(
        _every_word(words, "name", "department", "topics__label", "topics__keywords")
    ).distinct()[:MAX_PER_KIND]
    results.agencies = [Result(a.name, f"{agencies_url}#agency-{a.code}", a.department) for a in agencies]
    topics = RedirectTopic.objects.select_related("agency").filter(
        _every_word(words, "label", "keywords")
    )[:MAX_PER_KIND]
    results.topics = [Result(t.label, f"{agencies_url}#agency-{t.agency.code}", t.agency.name) for t in topics]
    contact_url = reverse("offices:contact")
    channels = office_selectors.contact_channel_list().filter(
        _every_word(words, "name", "display_value", "value")
    )[:MAX_PER_KIND]
    results.topics += [Result(c.name, f"{contact_url}#channel-{c.code}", c.display_value or c.value) for c in channels]
    results.pages = _pages(words, user)
    return results


def _pages(words: list[str], user: navigation.Person) -> list[Result]:
    """Public pages, and the pages in this person's own menu."""
    mine = {link.url_name for link in navigation.primary_links_for(user)}
    found = []
    for name, page in navigation.PAGES.items():
        if not (page.public or name in mine):
            continue
        text = _fold(" ".join(str(part) for part in (page.label, page.description, page.keywords)))
        if all(_fold(word) in text for word in words):
            found.append(Result(page.label, reverse(name), page.description))
    return found[:MAX_PER_KIND]
