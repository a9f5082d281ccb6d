"""Layout of the source tree: every module with logic has a test importing it, and the
``reportgen`` modules import each other without a cycle.

Both are read from the source with :mod:`ast` (nothing is imported): a module "has logic"
when it defines a function or a class at top level; a test "imports" a module with
``import reportgen.x.y``, ``from reportgen.x.y import …`` or ``from reportgen.x import y``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import reportgen

SRC = Path(reportgen.__file__).resolve().parent
TESTS = Path(__file__).resolve().parent

# Modules no test imports, exercised only end to end (through ``reportgen.app`` or the command
# line), each with where. ``reportgen.cli`` needs no entry: test_batch imports its Typer app;
# a ``__main__`` module would go here ("python -m reportgen", run in a subprocess).
END_TO_END_ONLY: dict[str, str] = {
    # Being reworked (the typed analysis model); rendered through app.generate_report in
    # test_generate.py, test_render.py and the golden tests. Remove an entry when its own
    # tests/test_<folder>_<module>.py lands (test_the_allow_list_is_not_stale says so).
    "reportgen.narrate.unit": "test_generate.py, test_render.py, golden tests (via app)",
}


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def source_modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(SRC.rglob("*.py"))}


MODULES = source_modules()


def has_logic(path: Path) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return any(isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) for n in tree.body)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def imports(tree: ast.AST, package: str = "") -> Iterator[tuple[str, bool]]:
    """(imported reportgen module, at module level?) for each import statement that runs —
    ``if TYPE_CHECKING:`` blocks left out; ``from pkg import sub`` resolved to the submodule."""

    def visit(node: ast.AST, top: bool) -> Iterator[tuple[str, bool]]:
        if isinstance(node, ast.If) and _is_type_checking(node):
            yield from (item for child in node.orelse for item in visit(child, top))
            return
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "reportgen":
                    yield alias.name, top
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the importing module's package
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            if base.split(".")[0] == "reportgen":
                subs = [f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in MODULES]
                yield from ((s, top) for s in subs)
                if len(subs) < len(node.names):
                    yield base, top
        inner = top and not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
        for child in ast.iter_child_nodes(node):
            yield from visit(child, inner)

    yield from visit(tree, True)


def test_tree_is_read():
    assert {"reportgen.app", "reportgen.narrate.header", "reportgen.output.lock"} <= set(MODULES)
    assert has_logic(MODULES["reportgen.output.lock"]) and not has_logic(MODULES["reportgen.data"])


# --- every module with logic is imported by a test -----------------------------------------

def imported_by_tests() -> set[str]:
    found: set[str] = set()
    for path in TESTS.rglob("*.py"):
        found |= {name for name, _ in imports(ast.parse(path.read_text(encoding="utf-8")))}
    return found


def test_every_module_with_logic_is_imported_by_a_test():
    tested = imported_by_tests()
    untested = sorted(name for name, path in MODULES.items()
                      if has_logic(path) and name not in tested and name not in END_TO_END_ONLY)
    assert untested == [], ("modules with functions or classes that no test module imports "
                            f"(add a tests/test_<folder>_<module>.py): {untested}")


def test_the_allow_list_is_not_stale():
    tested = imported_by_tests()
    gone = [name for name in END_TO_END_ONLY if name not in MODULES]
    assert gone == [], f"no such module any more, remove from END_TO_END_ONLY: {gone}"
    now_tested = [name for name in END_TO_END_ONLY if name in tested]
    assert now_tested == [], f"imported by a test now, remove from END_TO_END_ONLY: {now_tested}"


# --- no import cycle -----------------------------------------------------------------------

def import_graph(module_level_only: bool) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for name, path in MODULES.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets = {target for target, top in imports(ast.parse(path.read_text(encoding="utf-8")), package)
                   if (top or not module_level_only) and target in MODULES and target != name}
        # importing a.b.c runs a and a.b first: that is Python's order, not a cycle of ours
        graph[name] = {t for t in targets if not name.startswith(t + ".")}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph (as a path returning to its start), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt):], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_find_cycle_finds_one():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_module_level_imports_have_no_cycle():
    cycle = find_cycle(import_graph(module_level_only=True))
    assert cycle is None, "import cycle at module level: " + " → ".join(cycle or [])


def test_function_level_imports_have_no_cycle_either():
    # an import inside a function breaks a cycle only at import time; the modules still
    # depend on each other. None today: keep it so.
    cycle = find_cycle(import_graph(module_level_only=False))
    assert cycle is None, "import cycle through a function-level import: " + " → ".join(cycle or [])
