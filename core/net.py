"""The client's address, as the edge of our own network saw it.

Behind `PORTAL_TRUSTED_PROXY_COUNT` proxies that each append to X-Forwarded-For, the client's
address is the entry that many places from the right; anything further left was written by the
client and is ignored. With no trusted proxy (the default) the socket's address is the answer and
the header is never read, so no client can choose the address it is counted under.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    proxies = int(getattr(settings, "PORTAL_TRUSTED_PROXY_COUNT", 0) or 0)
    remote = request.META.get("REMOTE_ADDR", "") or ""
    if proxies <= 0:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if len(hops) < proxies:
        return remote  # fewer hops than proxies: the request did not come through them all
    candidate = hops[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
