"""schemathesis against the published schema (/api/schema/) of the production install, as a
customer and as office staff: a bounded number of examples per operation, 0 server errors and 0
responses outside the schema (status, content type, headers and body must be documented)."""

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .api_client import Api
from .stack import DRILL_PASSWORD, Stack, elapsed

pytestmark = [pytest.mark.production, pytest.mark.postgres]

CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance," \
         "response_schema_conformance"
# Bounded per operation so CI stays within its budget; PORTAL_FUZZ_EXAMPLES / PORTAL_FUZZ_SEED explore more.
EXAMPLES = os.environ.get("PORTAL_FUZZ_EXAMPLES", "12")
SEED = os.environ.get("PORTAL_FUZZ_SEED", "20261201")
CUSTOMER = {"email": "fuzz.customer@example.com", "password": DRILL_PASSWORD, "first_name": "Fay",
            "last_name": "Osei", "zip_code": "60605"}


def _schemathesis(base_url: str, token: str, report: Path) -> subprocess.CompletedProcess[str]:
    st = Path(sys.executable).with_name("st")
    return subprocess.run(
        [str(st), "run", f"{base_url}/api/schema/", "--url", base_url, "-H", f"Authorization: Token {token}",
         "--checks", CHECKS, "--max-examples", EXAMPLES, "--seed", SEED, "--phases", "examples,fuzzing",
         "--workers", "2", "--request-timeout", "30", "--continue-on-failure", "--warnings", "off",
         "--report", "junit", "--report-junit-path", str(report), "--no-color"],
        capture_output=True, text=True, timeout=600,
    )


def test_schemathesis_as_customer_and_as_staff(tmp_path, production_python, postgres_for_drill, static_root, figures):
    started = time.monotonic()
    with Stack(tmp_path, production_python, postgres=postgres_for_drill, template=postgres_for_drill.template,  # type: ignore[attr-defined]
               static_root=static_root, database="fuzz", PORTAL_AUTH_THROTTLE="600/minute") as stack:
        web = stack.web(workers=3)
        stack.worker()
        api = Api(web.url)
        customer = api.signed_up(stack.sink, CUSTOMER)
        filed = customer.post("/api/v1/service-requests/", {"request_type": "outside_processing_time",
                                                          "receipt_number": "EAC2290123456", "description": "Where?"})
        assert filed.status == 201, filed
        created = stack.manage("createstaff", "fuzz.staff", "--office", "VSC", "--role", "office_staff", "--password",
                               DRILL_PASSWORD, "--recovery-codes")
        staff = api.signed_in("fuzz.staff", DRILL_PASSWORD, code=created.split()[-1])
        failures = []
        for role, token in (("customer", customer.token), ("office staff", staff.token)):
            assert token
            run = _schemathesis(web.url, token, tmp_path / f"{role}.xml")
            summary = [line for line in run.stdout.splitlines() if re.search(r"generated|passed|failures|Tested", line)]
            figures.append(f"schemathesis as {role} ({EXAMPLES} examples per operation, seed {SEED}): "
                           + "; ".join(s.strip() for s in summary) + f" ({elapsed(started)})")
            if run.returncode:
                failures.append(f"--- as {role}\n{run.stdout[-12000:]}\n{run.stderr[-2000:]}")
        assert not failures, "\n".join(failures)
