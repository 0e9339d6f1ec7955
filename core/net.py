"""The client's address, as far as our own proxies vouch for it.

`PORTAL_TRUSTED_PROXY_COUNT` says how many proxies of ours stand in front of the app (nginx: 1; a
cloud load balancer and nginx: 2). With 0 the client is the connection's peer (`REMOTE_ADDR`) and
every forwarding header is ignored, since anyone can send one. With N, each proxy appends the address
it received the request from to `X-Forwarded-For`, so the client is the N-th entry from the right;
whatever stands left of it came from the client and is not believed. DRF's `NUM_PROXIES` (throttle
identities) follows the same setting, so both agree on who the client is.

The header is parsed by python-ipware (IPv6, ports and garbage entries handled). Everyone who needs
a client address (sign-in limits, audit) calls `client_ip`.
"""

from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest
from python_ipware import IpWare

FORWARDED_FOR = "HTTP_X_FORWARDED_FOR"


@lru_cache(maxsize=8)
def _ipware(trusted_proxies: int) -> IpWare:
    # python-ipware counts the proxies listed in the header, which excludes the one that connected
    # to us: N proxies of ours put the client at chain[-N], i.e. proxy_count = N - 1.
    return IpWare(precedence=(FORWARDED_FOR,), proxy_count=trusted_proxies - 1)


def client_ip(request: HttpRequest) -> str:
    """The client's IP address ('' when the server gave none)."""
    peer = request.META.get("REMOTE_ADDR", "") or ""
    trusted = settings.PORTAL_TRUSTED_PROXY_COUNT
    if trusted <= 0:
        return peer
    address, _route = _ipware(trusted).get_client_ip({FORWARDED_FOR: request.META.get(FORWARDED_FOR, "")})
    # Fewer entries than proxies (a request that bypassed them) or a malformed header: the peer.
    return str(address) if address is not None else peer
