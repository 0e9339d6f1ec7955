"""Run one benchmark several times and print each figure's min, median and max (what a closing note quotes).

    .venv/bin/python bench/repeat.py 3 bench/jurisdiction.py [its options…]

Runs are sequential. Before each, it waits (at most --settle seconds) for the 1-minute load average to drop to
1.0 or below, so each run can claim its targets (bench._common.verdict); a run that starts above 1.0 still
counts, and its line says so. A figure is the first number after the colon of a line the benchmark printed
("API /api/v1/jurisdiction/:   1,389 requests/s …" → 1389); lines that print no number after a colon, or that
appear in only some runs, are left out of the table. Each run's whole output is kept in var/bench-runs/.
A run that fails (non-zero exit) stops the series with its exit code.
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

# bench/queue.py shadows the standard library's `queue`: bench/ off the path.
_BENCH = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _BENCH]
ROOT = _BENCH.parent
FIGURE = re.compile(r"^\s*(?P<label>[^:]{3,60}?):\s+(?P<value>-?[\d,]*\.?\d+)\s*(?P<unit>[^\s(;,]*)")
LOAD_TARGET = 1.0


def figures(output: str) -> dict[str, tuple[float, str]]:
    """{label: (value, unit)} for every line that reads as a figure (the first such line per label)."""
    found: dict[str, tuple[float, str]] = {}
    for line in output.splitlines():
        match = FIGURE.match(line)
        if match and match["label"].strip() not in found:
            found[match["label"].strip()] = (float(match["value"].replace(",", "")), match["unit"])
    return found


def settle(limit_s: float) -> float:
    """Wait until the 1-minute load average is at most LOAD_TARGET, or limit_s passed; returns the load."""
    deadline = time.monotonic() + limit_s
    load = os.getloadavg()[0]
    while load > LOAD_TARGET and time.monotonic() < deadline:
        time.sleep(5)
        load = os.getloadavg()[0]
    return load


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("runs", type=int)
    parser.add_argument("script")
    parser.add_argument("--settle", type=float, default=120.0, help="seconds to wait for load <= 1.0 (120)")
    args, rest = parser.parse_known_args()
    if not 1 <= args.runs <= 10:
        parser.error("runs: 1 to 10")
    out_dir = ROOT / "var" / "bench-runs"
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = Path(args.script).stem
    per_run: list[dict[str, tuple[float, str]]] = []
    loads: list[float] = []
    for run in range(1, args.runs + 1):
        load = settle(args.settle)
        loads.append(load)
        print(f"run {run}/{args.runs} of {args.script} (load average {load:.2f} at start)", flush=True)
        done = subprocess.run([sys.executable, args.script, *rest], cwd=ROOT, capture_output=True, text=True)
        log = out_dir / f"{stem}-{time.strftime('%Y%m%d-%H%M%S')}-{run}.log"
        log.write_text(done.stdout + "\n--- stderr ---\n" + done.stderr)
        if done.returncode != 0:
            print(done.stdout[-3000:])
            print(f"run {run} failed (exit {done.returncode}); its output: {log}")
            return done.returncode
        per_run.append(figures(done.stdout))
        claimed = "claims targets" if "no target is claimed" not in done.stdout else "claims no target (load > 1.0)"
        print(f"  done; {claimed}; output in {log.relative_to(ROOT)}", flush=True)
    common = [label for label in per_run[0] if all(label in run for run in per_run)]
    width = max((len(label) for label in common), default=10)
    print(f"\n{args.script}: {args.runs} runs, load average at start {', '.join(f'{x:.2f}' for x in loads)}")
    print(f"{'figure':<{width}}  {'min':>12} {'median':>12} {'max':>12}  unit")
    for label in common:
        values = [run[label][0] for run in per_run]
        print(f"{label:<{width}}  {min(values):>12,.2f} {statistics.median(values):>12,.2f} {max(values):>12,.2f}"
              f"  {per_run[0][label][1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
