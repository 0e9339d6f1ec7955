"""bench/soak.py's locust users: the portal's mixed day, one customer each and a shared office-staff token.

Read by locust (headless, started by bench/soak.py); SOAK_DATA names the JSON file soak.py wrote (tokens,
reference numbers, free appointment slots, ZIPs); SOAK_RATE is each user's tasks per second (0: as fast
as answers come, for the capacity probe; otherwise Poisson arrivals at that mean rate); SOAK_PHASE (0 or 1) which half of each customer's free slots it books. Every answer other than the expected status is a failure.
"""

import itertools
import json
import os
import random
import time
from datetime import date, timedelta

from locust import FastHttpUser, constant, task

DATA = json.loads(open(os.environ["SOAK_DATA"], encoding="utf-8").read())
RATE = float(os.environ.get("SOAK_RATE", "0"))
PHASE = int(os.environ.get("SOAK_PHASE", "0"))  # the probe books every other free slot, the soak the rest
_numbers = itertools.count()


def poisson_throughput(rate: float):  # type: ignore[no-untyped-def]
    """Task starts at exponentially distributed gaps (mean 1/rate), on a schedule kept from the first: each user's
    arrivals are a Poisson stream, and so is their sum, as independent people arrive in a working day.
    (locust's constant_throughput starts every user together and keeps them in step: all 20 arrived in the same
    few milliseconds every 1/rate seconds, a burst of 20 for 5 workers, then nothing.)"""

    def wait_time(user: "PortalUser") -> float:
        now = time.perf_counter()
        user.next_start = max(getattr(user, "next_start", now), now - 1.0 / rate) + user.arrivals.expovariate(rate)
        return max(0.0, user.next_start - now)

    return wait_time


class PortalUser(FastHttpUser):
    # Answers come back on a new connection each time: gunicorn's sync workers close every connection.
    wait_time = poisson_throughput(RATE) if RATE > 0 else constant(0)
    arrivals: random.Random
    next_start: float

    def on_start(self) -> None:
        n = next(_numbers) % len(DATA["customers"])
        self.arrivals = random.Random(f"arrivals-{PHASE}-{n}")
        me = DATA["customers"][n]
        self.customer = {"Authorization": f"Token {me['token']}"}
        self.staff = {"Authorization": f"Token {DATA['staff_token']}"}
        self.refs = me["refs"]
        self.slots = iter(me["slots"][PHASE::2])
        self.rng = random.Random(n)
        self.number = n
        self.filed = itertools.count()

    def _expect(self, method: str, path: str, name: str, status: int, **kwargs) -> None:  # type: ignore[no-untyped-def]
        with self.client.request(method, path, name=name, catch_response=True, **kwargs) as response:
            if response.status_code != status:
                response.failure(f"{response.status_code}: {response.text[:200]}")

    @task(10)
    def find_page(self) -> None:
        self._expect("GET", f"/offices/find/?zip={self.rng.choice(DATA['zips'])}", "find page", 200)

    @task(10)
    def jurisdiction(self) -> None:
        self._expect("GET", f"/api/v1/jurisdiction/?zip={self.rng.choice(DATA['zips'])}", "jurisdiction API", 200)

    @task(5)
    def directory(self) -> None:
        self._expect("GET", "/offices/", "directory page", 200)

    @task(8)
    def availability(self) -> None:
        first = date.fromisoformat(DATA["first_day"]) + timedelta(days=self.rng.randrange(0, 60))
        self._expect("GET", f"/api/v1/offices/{DATA['office']}/availability/?start={first}&end={first + timedelta(days=6)}",
                     "availability API", 200)

    @task(3)
    def booking(self) -> None:
        start = next(self.slots, None)
        if start is None:
            return
        self._expect("POST", "/api/v1/appointments/", "booking", 201, headers=self.customer,
                     json={"office": DATA["office"], "start": start, "reason": "information"})

    @task(6)
    def my_requests(self) -> None:
        self._expect("GET", "/api/v1/service-requests/", "customer request list", 200, headers=self.customer)

    @task(6)
    def my_request(self) -> None:
        self._expect("GET", f"/api/v1/service-requests/{self.rng.choice(self.refs)}/", "customer request detail", 200,
                     headers=self.customer)

    @task(2)
    def filing(self) -> None:
        # Unique per phase, user and filing (the probe and the soak share seeds: random receipts repeated, and an
        # unanswered request of the same kind and receipt is refused 409 as a duplicate). The set-up's start 1-8.
        receipt = f"EAC9{PHASE}{self.number:03d}{next(self.filed):05d}"
        self._expect("POST", "/api/v1/service-requests/", "filing", 201, headers=self.customer,
                     json={"request_type": "outside_processing_time", "receipt_number": receipt,
                           "description": "Past the posted processing time (soak)."})

    @task(6)
    def staff_queue(self) -> None:
        self._expect("GET", "/api/v1/service-requests/?page_size=20", "staff queue", 200, headers=self.staff)

    @task(6)
    def staff_detail(self) -> None:
        self._expect("GET", f"/api/v1/service-requests/{self.rng.choice(DATA['all_refs'])}/", "staff request detail",
                     200, headers=self.staff)

    @task(2)
    def staff_response(self) -> None:
        self._expect("POST", f"/api/v1/service-requests/{self.rng.choice(DATA['all_refs'])}/responses/",
                     "staff response", 200, headers=self.staff, json={"body": "We have asked the service center (soak)."})
