from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language

from . import navigation


def site(request: HttpRequest) -> dict[str, Any]:
    """The frame every page shares: the navigation for this person, the breadcrumbs, the identifier's links."""
    match = getattr(request, "resolver_match", None)
    view_name = match.view_name if match is not None else None
    user = getattr(request, "user", None)
    return {
        "USWDS_AVAILABLE": settings.USWDS_AVAILABLE,
        "navigation": SimpleLazyObject(lambda: navigation.navigation_for(user, view_name)),
        # What the menu is a function of (navigation.navigation_for): base.html renders it once per process for each.
        "navigation_key": navigation.navigation_key(user, view_name),
        "breadcrumbs": SimpleLazyObject(lambda: navigation.breadcrumbs_for(request)),
        "current_page": navigation.current_page(request),
        "identifier_links": SimpleLazyObject(navigation.identifier_links),
        "usagov_url": navigation.USAGOV_URL.get((get_language() or "en")[:2], navigation.USAGOV_URL["en"]),
    }
