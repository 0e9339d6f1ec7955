"""The production install, as the Dockerfile makes it: a fresh venv from requirements.txt alone.

Built once per content of requirements.txt (and Python version) under var/venvs/, so CI pays for
the install only when the file changes. A lock file lets parallel test runs share one build.
"""

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REQUIREMENTS = ROOT / "requirements.txt"
# A smoke run may point at another file (say, an older requirements.txt) to show what it catches.
REQUIREMENTS_ENV = "PORTAL_PRODUCTION_REQUIREMENTS"
COMPLETE = ".complete"
INSTALL_TIMEOUT = 900


def requirements_file() -> Path:
    return Path(os.environ.get(REQUIREMENTS_ENV) or REQUIREMENTS)


def production_venv(requirements: Path | None = None) -> Path:
    """The path of a venv holding exactly `requirements` (default requirements.txt); built if missing."""
    requirements = requirements or requirements_file()
    digest = hashlib.sha256(requirements.read_bytes() + sys.version.encode()).hexdigest()[:16]
    venvs = ROOT / "var" / "venvs"
    venvs.mkdir(parents=True, exist_ok=True)
    target = venvs / f"prod-{digest}"
    with open(venvs / f"prod-{digest}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (target / COMPLETE).exists():
            return target
        shutil.rmtree(target, ignore_errors=True)
        base_python = getattr(sys, "_base_executable", sys.executable)
        subprocess.run([base_python, "-m", "venv", str(target)], check=True, timeout=120)
        install = subprocess.run(
            [str(target / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check",
             "-r", str(requirements)],
            capture_output=True, text=True, timeout=INSTALL_TIMEOUT,
        )
        if install.returncode:
            raise RuntimeError(f"pip install -r {requirements} failed:\n{install.stdout}{install.stderr}")
        (target / COMPLETE).write_text(str(requirements) + "\n")
    return target
