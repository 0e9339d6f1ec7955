"""Nothing the portal imports at run time comes only from the dev requirements."""

import subprocess
from pathlib import Path

import pytest

from .envs import production_env
from .venv import ROOT, production_venv

pytestmark = pytest.mark.production


def test_every_module_imports_in_a_venv_made_from_requirements_alone():
    venv = production_venv()
    result = subprocess.run(
        [str(venv / "bin" / "python"), str(Path(__file__).with_name("import_everything.py"))],
        cwd=ROOT, env=production_env(), capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 failures" in result.stdout
