"""core.net.client_ip: the client address from as many proxies as we trust, and DRF agrees."""


import pytest
from django.http import HttpRequest
from django.test import RequestFactory, override_settings
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from core.net import client_ip

PEER = "10.0.0.5"  # the proxy (or client) that connected to us


def _request(forwarded_for: str | None = None, peer: str = PEER) -> HttpRequest:
    request = RequestFactory().get("/")
    request.META["REMOTE_ADDR"] = peer
    if forwarded_for is not None:
        request.META["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return request


@pytest.mark.parametrize(("proxies", "forwarded_for", "expected"), [
    # No proxy of ours: every forwarding header is the client's own word and is ignored.
    (0, None, PEER),
    (0, "203.0.113.9", PEER),
    # One proxy (nginx appends the address it saw): the right-most entry; what a client wrote before it is not believed.
    (1, "203.0.113.9", "203.0.113.9"),
    (1, "6.6.6.6, 203.0.113.9", "203.0.113.9"),
    (1, "6.6.6.6,203.0.113.9", "203.0.113.9"),
    (1, "2001:db8::7", "2001:db8::7"),
    # Two proxies (a load balancer, then nginx): the second entry from the right.
    (2, "6.6.6.6, 203.0.113.9, 10.1.0.1", "203.0.113.9"),
    # Fewer entries than proxies (the request bypassed one), no header, or garbage: the peer.
    (2, "203.0.113.9", PEER),
    (1, None, PEER),
    (1, "", PEER),
    (1, "not-an-address", PEER),
])
def test_client_ip_believes_only_our_proxies(settings, proxies, forwarded_for, expected):
    settings.PORTAL_TRUSTED_PROXY_COUNT = proxies
    assert client_ip(_request(forwarded_for)) == expected


@pytest.mark.parametrize(("proxies", "forwarded_for"), [
    (0, "6.6.6.6"), (1, "6.6.6.6, 203.0.113.9"), (2, "6.6.6.6, 203.0.113.9, 10.1.0.1"), (1, None),
])
def test_drf_throttles_identify_the_same_client(settings, proxies, forwarded_for):
    settings.PORTAL_TRUSTED_PROXY_COUNT = proxies
    rest_framework = {**settings.REST_FRAMEWORK, "NUM_PROXIES": proxies}
    with override_settings(REST_FRAMEWORK=rest_framework):
        request = _request(forwarded_for)
        assert BaseThrottle().get_ident(Request(request)) == client_ip(request)


def test_drf_num_proxies_follows_the_setting():
    from tests.core.test_settings import run

    probe = ("import django; django.setup(); from django.conf import settings; "
             "print(settings.PORTAL_TRUSTED_PROXY_COUNT, settings.REST_FRAMEWORK['NUM_PROXIES'])")
    assert run({"DJANGO_SETTINGS_MODULE": "uscis_portal.settings.local"}, probe).stdout.split() == ["0", "0"]
    result = run({"DJANGO_SETTINGS_MODULE": "uscis_portal.settings.local", "PORTAL_TRUSTED_PROXY_COUNT": "2"}, probe)
    assert result.stdout.split() == ["2", "2"], result.stderr
    refused = run({"DJANGO_SETTINGS_MODULE": "uscis_portal.settings.local", "PORTAL_TRUSTED_PROXY_COUNT": "-1"}, probe)
    assert refused.returncode != 0 and "PORTAL_TRUSTED_PROXY_COUNT" in refused.stderr
