"""Print each module's mutation kill rate from `mutmut results --all true` (read on stdin).

Used by `make mutation`. A mutant counts as killed when a test failed (killed) or hung (timeout);
survivors and mutants no test reaches count against the module. Exits 1 below TARGET.
"""

import sys
from collections import Counter, defaultdict

TARGET = 90.0
MODULES = ("service_requests.windows", "appointments.rules", "inquiries.rules")


def main() -> int:
    counts: dict[str, Counter] = defaultdict(Counter)
    for line in sys.stdin:
        if ": " not in line:
            continue
        name, status = line.strip().rsplit(": ", 1)
        module = next((m for m in MODULES if name.startswith(m + ".")), None)
        if module:
            counts[module][status] += 1
    worst = 100.0
    for module in MODULES:
        c = counts[module]
        total = sum(c.values())
        killed = c["killed"] + c["timeout"]
        rate = 100.0 * killed / total if total else 0.0
        worst = min(worst, rate)
        print(f"{module:28} {killed:4}/{total:<4} killed  {rate:5.1f}%  "  # noqa: T201
              f"(survived {c['survived']}, no tests {c['no tests']}, timeout {c['timeout']})")  # noqa: T201
    print(f"target ≥ {TARGET:.0f}% each: {'met' if worst >= TARGET else 'NOT met'}")  # noqa: T201
    return 0 if worst >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
