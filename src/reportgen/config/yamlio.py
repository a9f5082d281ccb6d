"""Reading the user-editable YAML files with line numbers kept for error messages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from reportgen.errors import ConfigError, Location


class LineDict(dict[Any, Any]):
    """A mapping that remembers the line (1-based) where each of its keys was written."""

    lines: dict[Any, int]
    start_line: int = 0


# libyaml's parser when PyYAML was built with it (ten times faster: the pure-Python parser was
# a fifth of `reportgen generate`); its nodes carry the same marks, so every error keeps its line.
_SafeBase: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_SafeBase):  # type: ignore[valid-type,misc]  # chosen at import
    """SafeLoader (no Python objects, ever) whose mappings are :class:`LineDict`."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.lines = {}
    result.start_line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        result[key] = loader.construct_object(value_node, deep=True)
        result.lines[key] = key_node.start_mark.line + 1
    return result


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def parse_yaml(text: str, source: str) -> Any:
    """Parse YAML text; a syntax error becomes a :class:`ConfigError` naming file and line."""
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or exc.context or "cú pháp không hợp lệ"
        raise ConfigError(f"Lỗi cú pháp YAML: {problem}", Location(file=source, line=line)) from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"Lỗi YAML: {exc}", Location(file=source)) from exc


def read_yaml(path: Path) -> Any:
    """Read and parse one YAML file (UTF-8)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"Không đọc được tệp: {exc}", Location(file=str(path))) from exc
    return parse_yaml(text, str(path))


def line_of(mapping: Any, key: Any) -> int | None:
    """The line where ``key`` was written in ``mapping``, when known."""
    lines = getattr(mapping, "lines", None)
    return lines.get(key) if lines else getattr(mapping, "start_line", None)
