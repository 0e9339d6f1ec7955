"""A small JSON client for talking to a real server over loopback (urllib, no session)."""

import json
import re
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Protocol

# The link in a sign-up's confirmation e-mail (core.signup): /accounts/signup/confirm/<uid>/<token>/
SIGNUP_LINK = re.compile(r"/accounts/signup/confirm/(?P<uid>[^/\s]+)/(?P<token>[^/\s]+)/")


class _Sink(Protocol):
    def wait_for(self, count: int, *, timeout: float = 30, to: str | None = None) -> list: ...


@dataclass
class Answer:
    status: int
    body: Any
    headers: dict[str, str]


@dataclass
class Api:
    base_url: str
    token: str | None = None
    timeout: float = 30
    headers: dict[str, str] = field(default_factory=dict)

    def request(self, method: str, path: str, data: Any = None, **headers: str) -> Answer:
        all_headers = {"Accept": "application/json", **self.headers, **headers}
        body = None
        if data is not None:
            body = json.dumps(data).encode()
            all_headers["Content-Type"] = "application/json"
        if self.token:
            all_headers["Authorization"] = f"Token {self.token}"
        request = urllib.request.Request(self.base_url + path, data=body, method=method, headers=all_headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - loopback only
                return Answer(response.status, _decode(response.read()), dict(response.headers))
        except urllib.error.HTTPError as exc:
            return Answer(exc.code, _decode(exc.read()), dict(exc.headers))

    def get(self, path: str, **headers: str) -> Answer:
        return self.request("GET", path, **headers)

    def post(self, path: str, data: Any = None, **headers: str) -> Answer:
        return self.request("POST", path, data if data is not None else {}, **headers)

    def signed_in(self, username: str, password: str, code: str = "") -> "Api":
        """A token for the account (staff give a second-factor code, e.g. from createstaff --recovery-codes)."""
        answer = self.post("/api/v1/auth/token/", {"username": username, "password": password,
                                                   **({"code": code} if code else {})})
        assert answer.status == 200, answer
        return Api(self.base_url, answer.body["token"], self.timeout, self.headers)

    def confirm_sign_up(self, sink: _Sink, email: str, timeout: float = 60) -> Answer:
        """Open the account through the link in the confirmation e-mail that arrived at the SMTP sink."""
        bodies = [m.body for m in sink.wait_for(1, timeout=timeout, to=email) if SIGNUP_LINK.search(m.body)]
        assert bodies, f"no confirmation link in the e-mails to {email}"
        link = SIGNUP_LINK.search(bodies[-1])
        assert link is not None
        return self.post("/api/v1/auth/register/confirm/", {"uid": link["uid"], "token": link["token"]})

    def signed_up(self, sink: _Sink, data: dict[str, str]) -> "Api":
        """Sign up (202), confirm through the e-mailed link (200), then a token for the account."""
        answer = self.post("/api/v1/auth/register/", data)
        assert answer.status == 202, answer
        confirmed = self.confirm_sign_up(sink, data["email"])
        assert confirmed.status == 200 and confirmed.body["email"] == data["email"], confirmed
        return self.signed_in(data["email"], data["password"])


def _decode(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode(errors="replace")
