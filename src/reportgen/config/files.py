"""Every settings file by its role, checked against its schema: ``templates check`` runs this
on each file on its own so that one broken file never hides another."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from reportgen.config.frameworks import parse_framework
from reportgen.config.report import REPORT_FILE, report_config
from reportgen.config.rules import (
    ANALYSIS_FILE,
    RESPONSIBLE_FILE,
    SOLUTIONS_FILE,
    parse_analysis,
    parse_responsible,
    parse_solutions,
)
from reportgen.config.yamlio import read_yaml

FRAMEWORK_FILE = "frameworks/*.yaml"

_CHECKS: dict[str, Callable[[Any, str], object]] = {
    REPORT_FILE: report_config,
    ANALYSIS_FILE: parse_analysis,
    SOLUTIONS_FILE: parse_solutions,
    RESPONSIBLE_FILE: parse_responsible,
    FRAMEWORK_FILE: parse_framework,
}
SETTINGS_FILES = tuple(_CHECKS)


def check_settings_file(path: Path, kind: str | None = None) -> None:
    """Read one settings file and check it against the schema of its ``kind`` (one of
    :data:`SETTINGS_FILES`; by default its name, a framework when under ``frameworks/``).

    Raises :class:`~reportgen.errors.ConfigError` (a YAML syntax error) or
    :class:`~reportgen.config.schema.SettingsError` (every schema problem, located)."""
    kind = kind or (FRAMEWORK_FILE if path.parent.name == "frameworks" else path.name)
    check = _CHECKS.get(kind)
    if check is None:
        raise ValueError(f"not a settings file: {kind}")
    check(read_yaml(path), str(path))
