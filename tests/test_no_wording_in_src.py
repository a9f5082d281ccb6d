"""No document wording in the source: every word a report prints is in ``templates/`` (phrase
files, ``report.yaml``, the Word templates), where the guide tells a clerk to edit it.

The string literals of ``src/reportgen/**/*.py`` are read with :mod:`ast` (docstrings and
comments are not literals that count). A literal containing Vietnamese text (a Vietnamese
letter with a diacritic, or a common Vietnamese word typed without them) is document wording
unless it is, by construction, one of:

* **a message to the user**, found by following values into errors, to a fixpoint over the
  whole package. Messages start in the arguments of a ``raise`` and of a call to a class of
  ``errors.py`` or of a subclass of ``ReportgenError`` (``ConfigError(f"…")``, ``Issue(…)``,
  ``Location(where=…)``), in the body of such a class, and in a ``message=`` keyword
  (``dataclasses.replace(issue, message=…)``). From there they reach back to
  - a name (in its scope) used in a message: ``hint = …``, ``lines.append(…)``,
    ``for line, message in problems`` (the iterated value), a parameter's default;
  - a function whose result is only ever used in messages (every call, or read of a
    property, is inside one): its ``return``/``yield`` values (``did_you_mean``, ``describe``,
    the ``problems()`` of the settings schemas, ``years_label``);
  - a parameter that a function only ever uses in messages: the arguments given to it
    (``self.error("thiếu tên đơn vị", …)``).
  A value also used elsewhere (a file path shown in an error *and* written to) does not make
  its sources messages;
* **in a module that only talks to the user** (``USER_INTERFACE``): ``cli.py`` (help and echo
  texts), ``errors.py`` (how errors are written), ``batch/progress.py`` (progress and log words
  of a batch, its manifest entries), ``check/templates.py`` (the problems found in a user's
  templates, the variable reference added to the guide);
* **text matched, not printed**: a regular expression (arguments of ``re`` functions), an
  operand of a comparison (``direction == "tăng"``, ``x in ("tăng", "giảm")``), what
  ``str.replace``/``startswith``/… look for (``text.replace("đ", "d")``);
* **data**: the bundled fictional sample data set (``data/sample.py``).

Document wording still in the code, in modules other work owns (``PENDING``), is listed
literal by literal: nothing may be added there, and an entry whose literal is gone must be
deleted (``test_the_pending_list_is_current``).
"""

from __future__ import annotations

import ast
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import reportgen

SRC = Path(reportgen.__file__).resolve().parent

# Vietnamese letters with a diacritic (precomposed, as Python source holds them), and common
# Vietnamese words that have none.
VIETNAMESE_LETTER = re.compile("[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]",
                               re.IGNORECASE)
VIETNAMESE_WORD = re.compile(r"\b(theo|trong|nhung|cua|nhiem vu|giai phap|ket qua)\b", re.IGNORECASE)

# Whole modules whose every literal is shown to the user, never put in a report.
USER_INTERFACE = {"cli.py": "command-line help and echo texts",
                  "errors.py": "the errors and how their messages are written",
                  "batch/progress.py": "progress and log words of a batch, its manifest entries",
                  "check/templates.py": "templates init/check: the problems found in a user's "
                                        "templates and the variable reference added to the guide"}
DATA = {"data/sample.py": "the bundled fictional sample data set (names of units, its source note)"}
# str methods whose first argument is text looked for, not text produced
MATCHING_METHODS = {"replace", "startswith", "endswith", "split", "rsplit", "strip", "lstrip",
                    "rstrip", "removeprefix", "removesuffix", "count", "find", "rfind", "index",
                    "partition", "rpartition"}

# Document wording still in the code, moved by other work: module → the exact literals. Nothing
# may be added; delete an entry when its literal is gone (the pending test says which).
PENDING: dict[str, set[str]] = {
    # the Vietnamese alphabet of numbered sub-items "a)", "b)"… (đ after d; no f, j, w, z)
    "formatting.py": {"abcdđeghiklmnopqrstuvxy"},
}


def is_vietnamese(text: str) -> bool:
    text = unicodedata.normalize("NFC", text)  # letters typed as base + combining mark too
    return bool(VIETNAMESE_LETTER.search(text) or VIETNAMESE_WORD.search(text))


def modules() -> dict[str, ast.Module]:
    return {p.relative_to(SRC).as_posix(): ast.parse(p.read_text(encoding="utf-8"), str(p))
            for p in sorted(SRC.rglob("*.py"))}


def _name(node: ast.expr) -> str | None:
    """The called name: ``f`` of ``f(…)``, ``m`` of ``x.y.m(…)``."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


Scope = ast.AST  # a function definition, or the module
FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
COLLECTING = {"append", "extend", "insert", "update", "setdefault", "add"}


def _targets(target: ast.AST) -> Iterator[str]:
    """Names bound by an assignment target; ``words[k] = …`` and ``self.title = …`` bind
    ``words`` and the attribute ``.title``."""
    if isinstance(target, ast.Name):
        yield target.id
    elif isinstance(target, ast.Attribute):
        yield "." + target.attr
    elif isinstance(target, ast.Subscript | ast.Starred):
        yield from _targets(target.value)
    elif isinstance(target, ast.Tuple | ast.List):
        for item in target.elts:
            yield from _targets(item)


def _parameters(function: ast.AST) -> list[str]:
    if not isinstance(function, FUNCTIONS):
        return []
    a = function.args
    return [x.arg for x in (*a.posonlyargs, *a.args, *a.kwonlyargs,
                            *([a.vararg] if a.vararg else []), *([a.kwarg] if a.kwarg else []))]


def _bound(node: ast.AST) -> Iterator[str]:
    """Names an assignment, a for loop, a comprehension or a with statement binds."""
    if isinstance(node, ast.Assign):
        for t in node.targets:
            yield from _targets(t)
    elif isinstance(node, ast.AugAssign | ast.AnnAssign | ast.For | ast.comprehension):
        yield from _targets(node.target)
    elif isinstance(node, ast.withitem) and node.optional_vars is not None:
        yield from _targets(node.optional_vars)


@dataclass
class Messages:
    """Which parts of the source are messages to the user, computed to a fixpoint over the
    whole package by following values into errors (see the module docstring). Names are
    followed in their scope (a function's own names, else the module's); functions by name."""

    trees: dict[str, ast.Module]
    parents: dict[ast.AST, ast.AST] = field(default_factory=dict)
    module_of: dict[ast.AST, str] = field(default_factory=dict)
    marked: set[ast.AST] = field(default_factory=set)  # message expressions (and error classes)
    classes: set[str] = field(default_factory=set)  # message classes
    functions: dict[str, list[ast.AST]] = field(default_factory=dict)  # by name, package-wide
    calls: dict[str, list[ast.AST]] = field(default_factory=dict)  # by called name
    local: dict[ast.AST, set[str]] = field(default_factory=dict)  # names a function binds
    loads: dict[tuple[ast.AST, str], list[ast.AST]] = field(default_factory=dict)  # uses of a name
    names: set[tuple[ast.AST, str]] = field(default_factory=set)  # names only used in messages
    returns: set[str] = field(default_factory=set)  # functions whose result only goes to messages
    wanted: dict[str, set[str]] = field(default_factory=dict)  # function → parameters in messages

    def __post_init__(self) -> None:
        for module, tree in self.trees.items():
            for node in ast.walk(tree):
                self.module_of[node] = module
                for child in ast.iter_child_nodes(node):
                    self.parents[child] = node
                if isinstance(node, FUNCTIONS):
                    self.functions.setdefault(node.name, []).append(node)
                    self.local[node] = set(_parameters(node))
                elif isinstance(node, ast.Call) and _name(node.func):
                    self.calls.setdefault(_name(node.func) or "", []).append(node)
        properties = {f.name for fs in self.functions.values() for f in fs
                      if any(_name(d) == "property" for d in f.decorator_list)}  # type: ignore[attr-defined]
        for tree in self.trees.values():  # reading a property calls it
            for node in ast.walk(tree):
                if (isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load)
                        and node.attr in properties):
                    self.calls.setdefault(node.attr, []).append(node)  # type: ignore[arg-type]
        for tree in self.trees.values():
            for node in ast.walk(tree):
                scope = self.scope(node)
                if scope in self.local:
                    self.local[scope] |= {t for t in _bound(node) if not t.startswith(".")}
        self.classes = self._message_classes()
        self._solve()

    def scope(self, node: ast.AST) -> Scope:
        """The function a node is in, or its module."""
        while node in self.parents:
            node = self.parents[node]
            if isinstance(node, FUNCTIONS):
                return node
        return node

    def key(self, node: ast.AST, name: str) -> tuple[Scope, str]:
        """Where ``name`` used at ``node`` lives: the innermost function binding it, else the
        module (attributes ``.x``: always the module)."""
        scope = self.scope(node)
        while isinstance(scope, FUNCTIONS):
            if not name.startswith(".") and name in self.local[scope]:
                return scope, name
            scope = self.scope(scope)
        return scope, name

    def _message_classes(self) -> set[str]:
        """The classes of errors.py and every subclass of one of them."""
        classes = {n.name for n in self.trees["errors.py"].body if isinstance(n, ast.ClassDef)}
        grew = True
        while grew:
            grew = False
            for tree in self.trees.values():
                for node in ast.walk(tree):
                    if (isinstance(node, ast.ClassDef) and node.name not in classes
                            and any(_name(b) in classes for b in node.bases)):
                        classes.add(node.name)
                        grew = True
        return classes

    def inside(self, node: ast.AST) -> bool:
        """Whether ``node`` is part of a message (or is one)."""
        while node is not None:
            if node in self.marked:
                return True
            node = self.parents.get(node)  # type: ignore[assignment]
        return False

    def allowed(self, node: ast.AST) -> bool:
        """Part of a message, or of a module that only talks to the user. (What such a module
        does with the pipeline's results is not followed: it prints the report's path.)"""
        return self.module_of.get(node) in USER_INTERFACE or self.inside(node)

    def _mark(self, node: ast.AST | None) -> bool:
        if node is None or node in self.marked:
            return False
        self.marked.add(node)
        return True

    def _solve(self) -> None:
        for tree in self.trees.values():  # where messages start: errors and raise
            for node in ast.walk(tree):
                if isinstance(node, ast.Raise):
                    self._mark(node.exc)
                    self._mark(node.cause)
                elif isinstance(node, ast.ClassDef) and node.name in self.classes:
                    self._mark(node)
                elif isinstance(node, ast.Call) and _name(node.func) in self.classes:
                    for arg in (*node.args, *(k.value for k in node.keywords)):
                        self._mark(arg)
                elif isinstance(node, ast.keyword) and node.arg == "message":
                    self._mark(node.value)  # dataclasses.replace(issue, message=…)
        for tree in self.trees.values():  # where each name is used (not: collected into)
            for node in ast.walk(tree):
                if isinstance(node, ast.Name | ast.Attribute) and isinstance(node.ctx, ast.Load):
                    parent = self.parents[node]
                    if (isinstance(parent, ast.Attribute) and parent.attr in COLLECTING
                            and isinstance(self.parents.get(parent), ast.Call)):
                        continue
                    name = node.id if isinstance(node, ast.Name) else "." + node.attr
                    self.loads.setdefault(self.key(node, name), []).append(node)
        nodes = [node for tree in self.trees.values() for node in ast.walk(tree)
                 if isinstance(node, ast.Call | ast.Assign | ast.AugAssign
                               | ast.AnnAssign | ast.For | ast.comprehension | ast.Return | ast.Yield
                               | ast.YieldFrom)]
        changed = True
        while changed:
            changed = False
            for node in nodes:
                changed |= self._propagate(node)
            for key, loads in self.loads.items():
                if key in self.names:
                    continue
                scope, name = key
                if isinstance(scope, FUNCTIONS) and name in _parameters(scope):
                    if any(self.inside(load) for load in loads):  # its default, like a name's value
                        changed |= self._mark(_default(scope, name))
                    # a parameter only ever used in messages: its arguments are messages
                    if all(self.inside(load) for load in loads if not _tested(load, self.parents)):
                        self.names.add(key)
                        self.wanted.setdefault(scope.name, set()).add(name)
                        changed = True
                elif any(self.inside(load) for load in loads):  # a name used in a message
                    self.names.add(key)
                    changed = True
            for name, calls in self.calls.items():  # a result only ever used in messages
                if (name in self.functions and name not in self.returns
                        and all(self.inside(call) for call in calls
                                if getattr(self.scope(call), "name", None) != name)):  # recursion
                    self.returns.add(name)
                    changed = True

    def _propagate(self, node: ast.AST) -> bool:
        """One step of following values into messages, from ``node``."""
        changed = False
        if isinstance(node, ast.Call):
            name = _name(node.func) or ""
            if name in self.wanted:
                for function in self.functions.get(name, []):
                    changed |= self._mark_arguments(node, function)
            # words.append(x), self.problems.append(x): x goes where the collection goes
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr in COLLECTING and any(
                    self.key(node, t) in self.names for t in _targets(func.value)):
                for arg in (*node.args, *(k.value for k in node.keywords)):
                    changed |= self._mark(arg)
        elif isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign | ast.For | ast.comprehension):
            value = node.iter if isinstance(node, ast.For | ast.comprehension) else node.value
            if value is not None and any(self.key(node, t) in self.names for t in _bound(node)):
                changed |= self._mark(value)
        elif isinstance(node, ast.Return | ast.Yield | ast.YieldFrom) and node.value is not None:
            function = self.scope(node)
            if isinstance(function, FUNCTIONS) and function.name in self.returns:
                changed |= self._mark(node.value)
        return changed

    def _mark_arguments(self, call: ast.Call, function: ast.AST) -> bool:
        """The arguments given to parameters that ``function`` passes into a message."""
        assert isinstance(function, FUNCTIONS)
        wanted = self.wanted.get(function.name, set())
        positional = [a.arg for a in (*function.args.posonlyargs, *function.args.args)]
        if positional and positional[0] in ("self", "cls") and isinstance(call.func, ast.Attribute):
            positional = positional[1:]
        changed = False
        for arg, param in zip(call.args, positional, strict=False):
            if param in wanted:
                changed |= self._mark(arg)
        for keyword in call.keywords:
            if keyword.arg in wanted:
                changed |= self._mark(keyword.value)
        return changed


def _default(function: ast.FunctionDef | ast.AsyncFunctionDef, name: str) -> ast.expr | None:
    """The default value of a parameter, if any."""
    a = function.args
    positional = [*a.posonlyargs, *a.args]
    defaults = dict(zip([x.arg for x in positional[len(positional) - len(a.defaults):]], a.defaults,
                        strict=True))
    defaults |= {x.arg: d for x, d in zip(a.kwonlyargs, a.kw_defaults, strict=True) if d is not None}
    return defaults.get(name)


def _tested(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    """A use that only tests the value (``if clashes:``, ``not x``, ``len(x)``, ``x is None``)."""
    parent = parents.get(node)
    if isinstance(parent, ast.If | ast.While | ast.IfExp | ast.Assert) and parent.test is node:
        return True
    if isinstance(parent, ast.UnaryOp) and isinstance(parent.op, ast.Not):
        return True
    if isinstance(parent, ast.BoolOp | ast.Compare):
        return True
    return isinstance(parent, ast.Call) and _name(parent.func) in ("len", "bool")


def _is_docstring(node: ast.Constant, parents: dict[ast.AST, ast.AST]) -> bool:
    return isinstance(parents.get(node), ast.Expr)


def _is_matched(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    """Text looked for, not printed: a comparison operand, a regular expression, the needle
    of a str method."""
    child, parent = node, parents.get(node)
    while isinstance(parent, ast.Tuple | ast.List | ast.Set):  # x in ("tăng", "giảm")
        child, parent = parent, parents.get(parent)
    if isinstance(parent, ast.Compare):
        return True
    if isinstance(parent, ast.Call):
        func = parent.func
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "re":
            return True
        if isinstance(func, ast.Attribute) and func.attr in MATCHING_METHODS:
            return bool(parent.args) and parent.args[0] is child
    return False


def wording(trees: dict[str, ast.Module]) -> dict[str, list[tuple[int, str]]]:
    """Vietnamese literals that are neither messages, nor matched text, nor data: module →
    [(line, literal)]."""
    messages = Messages(trees)
    found: dict[str, list[tuple[int, str]]] = {}
    for module, tree in trees.items():
        if module in DATA:
            continue
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Constant) and isinstance(node.value, str)
                    and is_vietnamese(node.value)):
                continue
            if (_is_docstring(node, messages.parents) or _is_matched(node, messages.parents)
                    or messages.allowed(node)):
                continue
            found.setdefault(module, []).append((node.lineno, node.value))
    return found


@pytest.fixture(scope="module")
def found() -> dict[str, list[tuple[int, str]]]:
    return wording(modules())


def test_no_document_wording_in_the_source(found: dict[str, list[tuple[int, str]]]) -> None:
    new = {module: [(line, text) for line, text in items if text not in PENDING.get(module, set())]
           for module, items in found.items()}
    new = {module: items for module, items in new.items() if items}
    shown = "\n".join(f"  src/reportgen/{module}:{line}: {text!r}"
                      for module, items in sorted(new.items()) for line, text in items)
    assert not new, ("Document wording in the source — move it to templates/ (a macro of "
                     "phrases/nhan.j2 or another phrase file, or a report.yaml setting), or, "
                     "if it is a message to the user, raise it or pass it to an error:\n" + shown)


def test_the_pending_list_is_current(found: dict[str, list[tuple[int, str]]]) -> None:
    stale = {module: sorted(texts - {text for _, text in found.get(module, [])})
             for module, texts in PENDING.items()}
    stale = {module: texts for module, texts in stale.items() if texts}
    assert not stale, f"Moved out of the code: delete from PENDING: {stale}"


# --- the scan itself -------------------------------------------------------------------------

def scan(source: str, module: str = "narrate/unit.py") -> list[str]:
    """The wording the test finds in ``source`` added at the end of ``module`` of the package."""
    trees = modules()
    before = {text for _, text in wording(trees).get(module, [])}
    path = SRC / module
    trees[module] = ast.parse(path.read_text(encoding="utf-8") + "\n\n" + source)
    return [text for _, text in wording(trees).get(module, []) if text not in before]


def test_a_heading_added_to_narrate_is_found() -> None:
    assert scan('heading = "I. KẾT QUẢ CHUNG"\n') == ["I. KẾT QUẢ CHUNG"]
    assert scan('def f(i):\n    return {"caption": f"Bảng 1. Kết quả {i}"}\n') == ["Bảng 1. Kết quả "]
    assert scan('def f(n, i):\n    return f"{n}. {i} theo lĩnh vực"\n') == [" theo lĩnh vực"]
    assert scan('LABEL = "xep theo diem"\n') == ["xep theo diem"]  # typed without diacritics
    assert scan('HEADING = "I. KẾT QUẢ CHUNG"\n', module="charts/unit.py") == ["I. KẾT QUẢ CHUNG"]


def test_messages_comments_and_matched_text_are_not_wording() -> None:
    source = '''
"""Tiêu đề: "I. KẾT QUẢ CHUNG" (a docstring)."""
import re
from reportgen.errors import ConfigError, Issue

# Mục I. KẾT QUẢ CHUNG (a comment)
PATTERN = re.compile(r"^(tỉnh|thành phố)\\s+")


def check(name, direction):
    if direction == "giữ nguyên" or direction in ("tăng", "giảm"):
        return name.replace("đ", "d")
    hint = f" Có phải: {name}?"
    raise ConfigError(f"không có chỉ số '{name}'.{hint}")


def complain(message, issues):
    issues.append(Issue(message))


def caller(issues):
    complain("thiếu tên đơn vị", issues)
'''
    assert scan(source) == []


def test_an_argument_that_never_reaches_an_error_is_wording() -> None:
    source = '''
from reportgen.errors import Issue


def complain(message, where):
    return Issue(message), where


def caller():
    return complain("thiếu tên", "Bảng 1. Kết quả")
'''
    assert scan(source) == ["Bảng 1. Kết quả"]
