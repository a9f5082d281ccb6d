"""`mypy` with the project's configuration ([tool.mypy] in pyproject.toml: strict, on src/)
finds no error. Deselect with ``-m "not typing"``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.typing


def test_mypy_strict_clean() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MYPY")}
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"),
         "--show-error-codes"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )
    output = (result.stdout + result.stderr).strip()
    errors = [line for line in output.splitlines() if ": error:" in line]
    assert result.returncode == 0 and not errors, (
        f"mypy found {len(errors)} error(s) (exit {result.returncode}):\n{output}")
