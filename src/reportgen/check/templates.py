"""``reportgen templates init`` and ``templates check``: give users the defaults to edit and
tell them, before the conference and without writing a report, everything that is broken.

The check gathers every problem at once, each file on its own so that one broken file never
hides another: YAML syntax (file, line), framework structure, the rules files (a broken one is
replaced by its default so the others are still checked), unknown index and component codes in
the solutions and responsibility files, Jinja syntax in the phrase files (file, line, the line's
text) and in the Word template (file, paragraph, the user's visible text), variables the Word
template uses that the report does not provide (found statically against the context contract,
located, with the nearest valid name), attributes the sandbox would refuse; then, when all of
that is clean enough to run, a dry-run render of every unit of the data in memory.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import nodes

from reportgen.analysis.model import Model, UnitAnalysis
from reportgen.config.search import DEFAULT_PREFIX, SearchPath, packaged_dir
from reportgen.config.yamlio import read_yaml
from reportgen.errors import ConfigError, Issue, IssuesError, Location, ReportgenError, suggest

if TYPE_CHECKING:
    from reportgen.config.frameworks import Frameworks
    from reportgen.config.rules import Rules
    from reportgen.docx.render import Renderer

GUIDE = "HUONG-DAN.md"
YAML_FILES = ("report.yaml", "analysis.yaml", "solutions.yaml", "responsible.yaml")
CHECK_DPI = 0  # dry runs place blank images: the point is the text and the template
OTHER_WORD_TEMPLATES = ("tong-hop.docx",)  # the group overview of `reportgen batch`
# codes of check_rules that mean "this entry is never used": errors for templates check
UNUSED_ENTRY_CODES = ("unknown_index", "unknown_component")
QUOTE_CHARS = 90


# --- init ----------------------------------------------------------------------------------

def default_files() -> list[Path]:
    """Every file of the packaged defaults, relative to their folder."""
    root = packaged_dir()
    return sorted(p.relative_to(root) for p in root.rglob("*") if p.is_file()
                  and "__pycache__" not in p.parts)


def init_clashes(target: Path, force: bool = False) -> list[Path]:
    """The default files already present in ``target``; raises unless ``force``."""
    if target.exists() and not target.is_dir():
        raise ConfigError(f"'{target}' là một tệp, không phải thư mục")
    clashes = [f for f in default_files() if (target / f).exists()]
    if clashes and not force:
        shown = ", ".join(str(f) for f in clashes[:6]) + (" …" if len(clashes) > 6 else "")
        raise ConfigError(f"Thư mục '{target}' đã có {len(clashes)} tệp trùng tên ({shown}). "
                          "Dùng --force để ghi đè, hoặc chọn thư mục khác.")
    return clashes


def init_templates(target: Path, force: bool = False,
                   guide_extra: str | Callable[[], str] = "") -> list[Path]:
    """Copy the defaults into ``target``; existing files are refused unless ``force``.

    ``guide_extra`` (text, or a function producing it, called only once the copy is allowed)
    is appended to the copied guide."""
    init_clashes(target, force)
    extra = guide_extra() if callable(guide_extra) else guide_extra
    root = packaged_dir()
    written = []
    try:
        for rel in default_files():
            dest = target / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(root / rel, dest)
            written.append(dest)
        if extra:
            guide = target / GUIDE
            guide.write_text(guide.read_text(encoding="utf-8") + "\n" + extra, encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"Không ghi được bộ mẫu vào '{target}': {exc}") from exc
    return written


# --- the variable reference of the guide -----------------------------------------------------

def _cell(text: object, limit: int = 120) -> str:
    text = " ".join(str(text).split()).replace("|", "\\|")
    return (text[: limit - 1] + "…") if len(text) > limit else text


def _example(value: object) -> str:
    if isinstance(value, bytes | bytearray) or hasattr(value, "xlsx"):  # a PNG, a native chart
        return "(biểu đồ)"
    if isinstance(value, Mapping):
        return ""
    if isinstance(value, list):
        if not value:
            return "[] (trống trong ví dụ)"
        if isinstance(value[0], Mapping | list):
            return f"danh sách ({len(value)} phần tử)"
        shown = ", ".join(str(v) for v in value[:2]) + (" …" if len(value) > 2 else "")
        return f"[{shown}]"
    if value is None:
        return "(không có)"
    if value == "":
        return '"" (trống)'
    return str(value)


def _lookup(value: object, path: str) -> object:
    """The value at a contract path (``results[].charts[].caption``), first list elements."""
    for token in re.findall(r"\[\]|[^.\[\]]+", path):
        if token == "[]":
            value = value[0] if isinstance(value, list) and value else None
        else:
            value = value.get(token) if isinstance(value, Mapping) else None
        if value is None:
            return None
    return value


def variable_reference(context: Mapping[str, object], analysis: UnitAnalysis) -> str:
    """Markdown tables of every variable the Word template and the phrase files can use:
    the Word template's from the context contract (meaning, example from a report of the
    bundled sample), the phrase files' from that report's analysis (examples)."""
    from reportgen.narrate.context import variables

    lines = ["## Các biến dùng trong mẫu Word (bao-cao.docx)", "",
             "Ý nghĩa lấy từ hợp đồng dữ liệu của reportgen; ví dụ lấy từ báo cáo của dữ liệu mẫu. "
             "`[]` là một phần tử của danh sách: danh sách được lặp bằng `{%p for x in … %}` (đoạn "
             "văn) hoặc `{%tr for x in … %}` (dòng bảng), rồi viết `x.tên`; ví dụ "
             "`{%p for r in results %}` … `{{ r.heading }}` … `{%p endfor %}`.", "",
             "| Biến | Ý nghĩa | Ví dụ |", "|---|---|---|"]
    for v in variables():
        meaning = v.doc or ""
        if not v.required:
            meaning += " (có thể không có)"
        lines.append(f"| `{v.path}` | {_cell(meaning, 300)} | {_cell(_example(_lookup(context, v.path)))} |")
        if v.path.endswith(".png"):
            image = v.path.removesuffix(".png") + ".image"
            lines.append(f"| `{image}` | Biểu đồ (biểu đồ Word hoặc ảnh) để chèn vào mẫu: đặt "
                         "`{{ chart.image }}` một mình trong một đoạn | (biểu đồ) |")
    lines += ["", "## Các biến dùng trong mẫu câu (phrases/*.j2)", "",
              "`a` là toàn bộ kết quả phân tích; `i` là một chỉ số trong `a.indices`; `c` là một "
              "thành phần trong `i.components`. Số ở đây là số thô (chưa định dạng): dùng các bộ "
              "lọc `num`, `signed`, `rank`… để viết theo kiểu Việt Nam.", "",
              "| Biến | Ví dụ |", "|---|---|"]
    lines += [f"| `a.{k}` | {v} |" for k, v in flatten(analysis)]
    return "\n".join(lines) + "\n"


def flatten(value: object, prefix: str = "", depth: int = 0) -> Iterable[tuple[str, str]]:
    """(dotted name, short example) pairs; lists show their first element as ``name[0]``. An
    analysis object (:mod:`reportgen.analysis.model`) shows its fields, then what it derives
    from them for the phrase files (marked "tính sẵn")."""
    if isinstance(value, Model):
        for f in dataclasses.fields(value):  # type: ignore[arg-type]
            yield from flatten(getattr(value, f.name), f"{prefix}{f.name}.", depth + 1)
        for name in _derived(type(value)):
            yield f"{prefix}{name}", f"(tính sẵn) {_brief(getattr(value, name))}"
        return
    if isinstance(value, Mapping):
        for k, v in value.items():
            if k in ("png", "image", "native"):
                yield f"{prefix}{k}", "(biểu đồ)"
                continue
            yield from flatten(v, f"{prefix}{k}.", depth + 1)
        return
    name = prefix.rstrip(".")
    if isinstance(value, list | tuple):
        if value and isinstance(value[0], Mapping | list | tuple | Model) and depth < 6:
            yield name, f"danh sách ({len(value)} phần tử)"
            yield from flatten(value[0], f"{name}[0].", depth + 1)
        else:
            example = ", ".join(str(v) for v in value[:3]) + (" …" if len(value) > 3 else "")
            yield name, f"[{example}]".replace("|", "\\|")[:120]
        return
    text = str(value).replace("|", "\\|").replace("\n", " ")
    yield name, (text[:117] + "…") if len(text) > 120 else text


def _derived(cls: type) -> list[str]:
    """The public properties of an analysis class, in the order they are defined."""
    names: list[str] = []
    for klass in reversed(cls.__mro__):
        names += [k for k, v in vars(klass).items()
                  if isinstance(v, property) and not k.startswith("_") and k not in names]
    return names


def _brief(value: object) -> str:
    """A derived value in a few words: a number, a flag, or the names of the items."""
    def label(item: object) -> str:
        return str(getattr(item, "name", None) or getattr(item, "label", None)
                   or getattr(item, "unit", None) or item)

    if isinstance(value, tuple | list):
        if not value:
            return "[] (trống trong ví dụ)"
        shown = ", ".join(label(v) for v in value[:3]) + (" …" if len(value) > 3 else "")
        return _cell(f"danh sách ({len(value)} phần tử): {shown}")
    if isinstance(value, Model):
        return _cell(label(value))
    return "(không có)" if value is None else _cell(str(value))


# --- static check of the Word template's variables -------------------------------------------

Tree = dict[str, "Tree"]
LIST = "[]"  # the child of a list node: one of its elements
_JINJA_NAMES = {"loop", "self", "super", "caller", "varargs", "kwargs"}


def contract_tree() -> Tree:
    """The render context's shape from the contract: ``{"report": {"agency": {}, …},
    "results": {"[]": {"heading": {}, …}}}``; a chart also has ``image`` (added by the
    renderer next to ``png``)."""
    from reportgen.narrate.context import variables

    tree: Tree = {}
    for v in variables():
        tokens = re.findall(r"\[\]|[^.\[\]]+", v.path)
        if tokens[-1] == "png":
            tokens[-1] = "image"
            _insert(tree, tokens, False)
            tokens[-1] = "png"
        _insert(tree, tokens, v.type.startswith("list"))
    return tree


def _insert(tree: Tree, tokens: list[str], is_list: bool) -> None:
    node = tree
    for token in tokens:
        node = node.setdefault(token, {})
    if is_list:
        node.setdefault(LIST, {})


def _names(node: nodes.Node) -> Iterable[str]:
    if isinstance(node, nodes.Name):
        yield node.name
    elif isinstance(node, nodes.Tuple | nodes.List):
        for item in node.items:
            yield from _names(item)


def _assigned(ast: nodes.Node) -> set[str]:
    """Names the template defines itself ({% set %}, {% with %}, macro arguments, imports):
    not checked (conservatively), wherever they are used."""
    out: set[str] = set()
    for node in ast.find_all((nodes.Assign, nodes.AssignBlock, nodes.With, nodes.Macro,
                              nodes.CallBlock, nodes.Import, nodes.FromImport)):
        if isinstance(node, nodes.Assign | nodes.AssignBlock):
            out.update(_names(node.target))
        elif isinstance(node, nodes.With):
            for target in node.targets:
                out.update(_names(target))
        elif isinstance(node, nodes.Macro | nodes.CallBlock):
            for arg in node.args:
                out.update(_names(arg))
            if isinstance(node, nodes.Macro):
                out.add(node.name)
        elif isinstance(node, nodes.Import):
            out.add(node.target)
        elif isinstance(node, nodes.FromImport):
            out.update(n if isinstance(n, str) else n[1] for n in node.names)
    return out


@dataclass
class VariableCheck:
    """Walks a template's syntax tree, following loop variables through the contract, and
    records (line, message, code) for every name or key the context does not have and every
    attribute the sandbox refuses."""

    tree: Tree
    known: set[str] = field(default_factory=set)  # globals and template-defined names
    problems: list[tuple[int, str, str]] = field(default_factory=list)
    unsafe: set[int] = field(default_factory=set)  # ids of refused attribute nodes

    def run(self, ast: nodes.Template) -> list[tuple[int, str, str]]:
        self.known = self.known | _assigned(ast) | _JINJA_NAMES
        self.stmt(ast, {})
        return self.problems

    def stmt(self, node: nodes.Node, scope: dict[str, Tree | None]) -> None:
        if isinstance(node, nodes.For):
            seq = self.expr(node.iter, scope)
            element = seq.get(LIST) if seq is not None else None
            inner = dict(scope)
            names = list(_names(node.target))
            for name in names:
                inner[name] = element if isinstance(node.target, nodes.Name) else None
            inner["loop"] = None
            if node.test is not None:
                self.expr(node.test, inner)
            for child in node.body:
                self.stmt(child, inner)
            for child in node.else_:
                self.stmt(child, scope)
            return
        for child in node.iter_child_nodes():
            if isinstance(child, nodes.Expr):
                self.expr(child, scope)
            else:
                self.stmt(child, scope)

    def expr(self, node: nodes.Node, scope: dict[str, Tree | None]) -> Tree | None:
        """The contract subtree ``node`` evaluates to (None: unknown, not checked)."""
        if isinstance(node, nodes.Name):
            if node.ctx != "load":
                return None
            if node.name in scope:
                return scope[node.name]
            if node.name in self.known:
                return None
            if node.name in self.tree:
                return self.tree[node.name]
            self.report(node, node.name, "", self.tree)
            return None
        if isinstance(node, nodes.Getattr):
            return self.key(node, self.expr(node.node, scope), node.attr)
        if isinstance(node, nodes.Getitem):
            base = self.expr(node.node, scope)
            arg = node.arg
            if isinstance(arg, nodes.Const) and isinstance(arg.value, str):
                return self.key(node, base, arg.value)
            self.expr(arg, scope)
            if isinstance(arg, nodes.Const) and isinstance(arg.value, int) and base is not None:
                return base.get(LIST)
            return None
        for child in node.iter_child_nodes():
            if isinstance(child, nodes.Expr):
                self.expr(child, scope)
            else:
                self.stmt(child, scope)
        return None

    def key(self, node: nodes.Getattr | nodes.Getitem, base: Tree | None, name: str) -> Tree | None:
        if name.startswith("_"):
            if id(node.node) not in self.unsafe:  # ''.__class__.__mro__: report the first only
                self.problems.append((node.lineno, unsafe_message(name), "template_unsafe"))
            self.unsafe.add(id(node))
            return None
        if base is None:
            return None
        if name in base:
            return base[name]
        named = [k for k in base if k != LIST]
        if named:  # a mapping of the contract: the key must be one of its keys
            self.report(node, name, _source(node.node), base)
        elif LIST in base and not hasattr([], name):
            self.problems.append((node.lineno, f"'{_source(node.node)}' là một danh sách, không có "
                                  f"'{name}': lặp qua danh sách bằng {{%p for x in {_source(node.node)} %}} "
                                  f"rồi viết x.{name}", "undefined_variable"))
        return None

    def report(self, node: nodes.Node, name: str, prefix: str, base: Tree) -> None:
        full = f"{prefix}.{name}" if prefix else name
        hits = suggest(name, [k for k in base if k != LIST])
        hint = (" Có phải: " + ", ".join(repr(f"{prefix}.{h}" if prefix else h) for h in hits) + "?"
                if hits else "")
        self.problems.append((node.lineno, f"biến '{full}' không có trong dữ liệu của báo cáo.{hint}",
                              "undefined_variable"))


def _source(node: nodes.Node) -> str:
    """The expression as the user wrote it (names, attributes, constant keys)."""
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        return f"{_source(node.node)}.{node.attr}"
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
        return f"{_source(node.node)}[{node.arg.value!r}]"
    return "…"


def check_word_variables(renderer: Renderer, tree: Tree | None = None,
                         names: bool = True) -> list[Issue]:
    """Located issues for every unknown variable (unless ``names`` is False: a template of
    another context) or unsafe attribute of a compiled Word template (each part: body,
    headers, footers, notes)."""
    tree = tree if tree is not None else contract_tree()
    issues: list[Issue] = []
    for part in renderer.parts.values():
        if part.template is None:
            continue
        ast = renderer.env.parse(part.source)
        if names:
            problems = VariableCheck(tree, set(renderer.env.globals)).run(ast)
        else:
            problems = [(line, unsafe_message(name), "template_unsafe")
                        for line, name in unsafe_attributes(ast)]
        for lineno, message, code in problems:
            issues.append(Issue(message, Location(file=renderer.name, where=part.where(lineno)),
                                code=code))
    return list({str(i): i for i in issues}.values())


def unsafe_attributes(ast: nodes.Template) -> list[tuple[int, str]]:
    """(line, name) of every attribute or constant key starting with ``_`` (the sandbox
    refuses them at render time; found here without rendering). In a chain such as
    ``''.__class__.__mro__`` only the first refused step is listed."""
    refused: dict[int, tuple[nodes.Getattr | nodes.Getitem, str]] = {}
    for node in ast.find_all((nodes.Getattr, nodes.Getitem)):
        if isinstance(node, nodes.Getattr):
            name = node.attr
        elif isinstance(node, nodes.Getitem):
            arg = node.arg
            name = arg.value if isinstance(arg, nodes.Const) and isinstance(arg.value, str) else ""
        else:
            continue
        if name.startswith("_"):
            refused[id(node)] = (node, name)
    return [(node.lineno, name) for node, name in refused.values() if id(node.node) not in refused]


def unsafe_message(name: str) -> str:
    return (f"mẫu truy cập thuộc tính bị cấm '{name}' (vì an toàn, mẫu không được dùng phần "
            "bên trong của Python)")


def check_phrase_files(search: SearchPath, report: CheckReport) -> bool:
    """Every phrase file on the path (also those the unit report does not load, such as the
    group overview's): Jinja syntax and attributes the sandbox refuses (file, line, the
    line's text). False when there is any problem."""
    from jinja2 import TemplateSyntaxError

    from reportgen.narrate.phrases import phrase_environment

    env = phrase_environment(search)
    safe = True
    for path in search.find_all("phrases", "*.j2"):
        try:
            ast = env.parse(path.read_text(encoding="utf-8"), path.name, str(path))
        except TemplateSyntaxError as exc:
            safe = False
            report.add(Issue(f"lỗi cú pháp Jinja: {exc.message}",
                             line_location(str(path), exc.lineno), code="phrase_syntax"))
            continue
        except (OSError, UnicodeDecodeError) as exc:
            safe = False
            report.add(Issue(f"không đọc được mẫu câu: {exc}", Location(file=str(path)),
                             code="phrase_error"))
            continue
        for lineno, name in unsafe_attributes(ast):
            safe = False
            report.add(Issue(unsafe_message(name), line_location(str(path), lineno),
                             code="phrase_unsafe"))
        for lineno, word in old_direction_words(ast):
            report.add(Issue(old_direction_message(word), line_location(str(path), lineno),
                             severity="warning", code="phrase_direction_word"))
    return safe


DIRECTIONS = ("direction", "rank_direction", "mean_direction")
OLD_DIRECTION_WORDS = {"tăng": "up", "giảm": "down", "giữ nguyên": "steady"}


def old_direction_words(ast: nodes.Template) -> list[tuple[int, str]]:
    """(line, word) of every comparison of a direction (``i.direction``, ``c.rank_direction``…)
    with the words directions used to be ("tăng", "giảm", "giữ nguyên"): the analysis now
    writes them as ``up``, ``down``, ``steady``, so such a test is never true."""
    found = []

    def direction(node: nodes.Node) -> bool:
        return isinstance(node, nodes.Getattr) and node.attr in DIRECTIONS

    def old_word(node: nodes.Node) -> str | None:
        value = node.value if isinstance(node, nodes.Const) else None
        return value if isinstance(value, str) and value in OLD_DIRECTION_WORDS else None

    for compare in ast.find_all(nodes.Compare):
        sides = [compare.expr, *(op.expr for op in compare.ops)]
        words = [w for w in map(old_word, sides) if w]
        if words and any(direction(side) for side in sides):
            found.append((compare.lineno, words[0]))
    for call in ast.find_all(nodes.Filter):
        args = call.args
        if call.name in ("selectattr", "rejectattr") and len(args) == 3 and isinstance(
                args[0], nodes.Const) and args[0].value in DIRECTIONS:
            word = old_word(args[2])
            if word:
                found.append((call.lineno, word))
    return sorted(found)


def old_direction_message(word: str) -> str:
    return (f"so sánh hướng thay đổi với chữ '{word}': kết quả phân tích ghi hướng bằng "
            f"'{OLD_DIRECTION_WORDS[word]}' ('up', 'down', 'steady'), điều kiện này không bao giờ "
            "đúng; viết thành chữ bằng huong() của _chung.j2")


def first_on_path(search: SearchPath, name: str) -> Path | None:
    try:
        return search.find(name)
    except ConfigError:
        return None


def line_location(file: str, line: int | None) -> Location:
    """File and line, with the line's text quoted (what the user sees in the editor)."""
    quoted = None
    if line:
        try:
            lines = Path(file).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            lines = []
        if 0 < line <= len(lines) and lines[line - 1].strip():
            text = " ".join(lines[line - 1].split())
            quoted = "«" + (text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1] + "…") + "»"
    return Location(file=file, line=line, where=quoted)


# --- check ---------------------------------------------------------------------------------

@dataclass
class CheckReport:
    issues: list[Issue] = field(default_factory=list)
    rendered: int = 0  # reports rendered in memory
    units: int = 0  # units of the dry run
    built: int = 0  # report contents built (analysis + sentences), rendered or not
    render_skipped: bool = False  # the Word template was already known to be broken

    @property
    def ok(self) -> bool:
        return not any(i.severity == "error" for i in self.issues)

    def add(self, issue: Issue) -> None:
        if all(str(issue) != str(i) for i in self.issues):
            self.issues.append(issue)


def record(report: CheckReport, exc: ReportgenError) -> None:
    if isinstance(exc, IssuesError):
        for issue in exc.issues:
            report.add(issue)
    else:
        report.add(Issue(exc.message, exc.location, code="config"))


def collect(report: CheckReport, step: Callable[[], Any]) -> Any:
    """Run one check step; its typed errors become issues instead of stopping the check."""
    try:
        return step()
    except ReportgenError as exc:
        record(report, exc)
    return None


def check_yaml(search: SearchPath, report: CheckReport, config: str | Path | None = None) -> set[str]:
    """Parse every settings file on the path and check it against its schema (unknown keys,
    types, ranges); returns the files that fail."""
    from reportgen.config.files import FRAMEWORK_FILE, check_settings_file

    named = [(name, Path(config) if config and name == "report.yaml" else first_on_path(search, name))
             for name in YAML_FILES]
    named += [(FRAMEWORK_FILE, path) for path in search.find_all("frameworks")]
    broken = set()
    for kind, path in named:
        if path is None:
            continue

        def check(p: Path = path, k: str = kind) -> bool:
            check_settings_file(p, k)
            return True

        if collect(report, check) is None:
            broken.add(str(path))
    return broken


def check_rules_files(search: SearchPath, frameworks: Frameworks | None, broken: set[str],
                      report: CheckReport) -> Rules | None:
    """Parse the three rules files, each on its own: a file that does not parse or does not
    validate is reported and replaced by its packaged default, so that the others are still
    checked (unknown codes included). Returns the rules when all three are the user's."""
    from reportgen.config.rules import (
        ANALYSIS_FILE,
        RESPONSIBLE_FILE,
        SOLUTIONS_FILE,
        build_rules,
        check_rules,
    )

    names = (ANALYSIS_FILE, SOLUTIONS_FILE, RESPONSIBLE_FILE)
    docs: dict[str, tuple[Any, str]] = {}
    replaced: set[str] = set()
    for name in names:
        path = first_on_path(search, name)
        if path is None or str(path) in broken:
            path = search.find(DEFAULT_PREFIX + name)
            replaced.add(name)
        docs[name] = (read_yaml(path), str(path))
    rules = None
    for _attempt in names:
        try:
            rules = build_rules(*docs[ANALYSIS_FILE], *docs[SOLUTIONS_FILE], *docs[RESPONSIBLE_FILE])
            break
        except ReportgenError as exc:
            record(report, exc)
            failing = next((n for n in names if docs[n][1] == exc.location.file), None)
            if failing is None or failing in replaced:
                return None
            path = search.find(DEFAULT_PREFIX + failing)
            docs[failing] = (read_yaml(path), str(path))
            replaced.add(failing)
    if rules is None:
        return None
    if frameworks is not None:
        defaults = {docs[n][1] for n in replaced}
        for issue in check_rules(rules, frameworks):
            if issue.location.file in defaults:
                continue
            if issue.code in UNUSED_ENTRY_CODES:
                issue = replace(issue, severity="error",
                                message=issue.message + " Mục này sẽ không bao giờ được dùng.")
            report.add(issue)
    return None if replaced else rules


def add_unit_issue(report: CheckReport, issue: Issue, unit: str,
                   seen: set[tuple[str | None, str | None, str]]) -> None:
    """A dry-run problem, once (the same template error recurs for every unit)."""
    key = (issue.location.file, issue.location.where, issue.message)
    if key not in seen:
        seen.add(key)
        report.add(replace(issue, message=f"{issue.message} (khi tạo báo cáo thử cho {unit})"))
