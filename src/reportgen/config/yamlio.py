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
    # a key written twice is an error (YAML's last-one-wins would silently drop the first
    # block: a copied group's second ``overview:``); a key merged in (``<<: *anchor``) may be
    # overridden: flatten_mapping puts the merged pairs first, the mapping's own ones last
    own = sum(1 for key_node, _ in node.value if key_node.tag != "tag:yaml.org,2002:merge")
    loader.flatten_mapping(node)
    first_own = len(node.value) - own
    result = LineDict()
    result.lines = {}
    result.start_line = node.start_mark.line + 1
    written: dict[Any, int] = {}
    for n, (key_node, value_node) in enumerate(node.value):
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if n >= first_own:
            if key in written:
                raise yaml.constructor.ConstructorError(
                    None, None, f"khóa '{key}' viết hai lần (lần đầu ở dòng {written[key]}); "
                    "hãy gộp vào một khóa", key_node.start_mark)
            written[key] = line
        result[key] = loader.construct_object(value_node, deep=True)
        result.lines[key] = line
    return result


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


# Anchors and aliases (``&a``/``*a``) are allowed, but the document they expand to is limited:
# nine aliases of nine aliases … (the "billion laughs" anchor bomb) would otherwise make every
# walk over the settings hang. Bundled files expand to a few thousand nodes.
MAX_EXPANDED_NODES = 200_000


def _expanded_size(root: yaml.Node, limit: int) -> int | None:
    """How many nodes the document holds once every alias is expanded; None beyond ``limit``
    (counted bottom-up, each node once, so a bomb is measured without being expanded)."""
    sizes: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in sizes:
            continue
        if isinstance(node, yaml.SequenceNode):
            kids: list[yaml.Node] = list(node.value)
        elif isinstance(node, yaml.MappingNode):
            kids = [n for pair in node.value for n in pair]
        else:
            kids = []
        if not children_done and any(id(k) not in sizes for k in kids):
            stack.append((node, True))
            stack.extend((k, False) for k in kids if id(k) not in sizes)
            continue
        if any(id(k) not in sizes for k in kids):  # a node that contains itself
            return None
        size = 1 + sum(sizes[id(k)] for k in kids)
        if size > limit:
            return None
        sizes[id(node)] = size
    return sizes[id(root)]


def parse_yaml(text: str, source: str) -> Any:
    """Parse YAML text; a syntax error becomes a :class:`ConfigError` naming file and line, and
    so does a document whose aliases expand beyond :data:`MAX_EXPANDED_NODES` nodes."""
    try:
        loader = _LineLoader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                return None
            if _expanded_size(node, MAX_EXPANDED_NODES) is None:
                raise ConfigError(
                    f"tệp YAML dùng tham chiếu (&neo / *bí danh) lồng nhau, khi mở rộng vượt quá "
                    f"{MAX_EXPANDED_NODES} phần tử (\"bom\" bí danh?): hãy viết thẳng các giá trị",
                    Location(file=source, line=node.start_mark.line + 1))
            return loader.construct_document(node)
        finally:
            loader.dispose()
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
