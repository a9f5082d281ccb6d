"""The editable phrase files (``phrases/*.j2`` on the search path): compiled once in a Jinja
sandbox with the Vietnamese number filters; each macro call returns cleaned paragraphs."""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from jinja2 import BaseLoader, Environment, StrictUndefined, Template, TemplateError, meta, nodes
from jinja2.exceptions import TemplateNotFound, TemplateSyntaxError
from jinja2.loaders import split_template_path
from jinja2.sandbox import SandboxedEnvironment

from reportgen import formatting as fmt
from reportgen.config.search import SearchPath
from reportgen.errors import ConfigError, Issue, Location
from reportgen.errors import TemplateError as ReportTemplateError
from reportgen.narrate.compiled import compile_cached
from reportgen.narrate.context import Subsection
from reportgen.narrate.labels import word_filters
from reportgen.narrate.limits import (
    MACRO_BUDGET_S,
    TEMPLATE_FAULTS,
    LimitedSandbox,
    TemplateTimeout,
    budget,
    safe_filter,
    template_line,
)

PHRASE_FILES = ("ket-qua.j2", "phan-tich.j2", "danh-gia.j2", "trach-nhiem.j2", "giai-phap.j2",
                "bieu-do.j2", "tong-hop.j2", "nhan.j2", "tieu-chi.j2")


PHRASE_FOLDER = "phrases"
# what a phrase macro can raise when rendered: each becomes a located message
PHRASE_FAULTS: tuple[type[BaseException], ...] = (TemplateError, *TEMPLATE_FAULTS)


class SearchPathLoader(BaseLoader):
    """Jinja loader of ``phrases/NAME`` on the search path: each lookup goes through
    :meth:`SearchPath.locate`, so every phrase file read — the ``{% include %}``/``{% import %}``
    Jinja resolves while rendering too — is recorded (a missing one as well)."""

    def __init__(self, search: SearchPath, folder: str = PHRASE_FOLDER) -> None:
        self.search = search
        self.folder = folder
        self.references: dict[str, tuple[str | None, ...]] = {}  # see :meth:`load`

    def get_source(self, environment: Environment,
                   template: str) -> tuple[str, str, Callable[[], bool]]:
        name = "/".join(split_template_path(template))  # refuses "..": never outside the folder
        path = self.search.locate(f"{self.folder}/{name}")
        if path is None:
            raise TemplateNotFound(template)
        try:
            source = path.read_bytes().decode("utf-8")
            mtime = os.path.getmtime(path)
        except OSError as exc:
            raise TemplateNotFound(template) from exc

        def uptodate() -> bool:
            try:
                return os.path.getmtime(path) == mtime
            except OSError:
                return False

        return source, str(path), uptodate

    def load(self, environment: Environment, name: str,
             globals: MutableMapping[str, Any] | None = None) -> Template:
        """Parse once, compile from the syntax tree, and keep the names the template may
        include, import or extend (``None``: a name computed when rendering) in
        :attr:`references`; both kept in the compiled-template cache (:mod:`.compiled`)."""
        source, filename, uptodate = self.get_source(environment, name)
        code, references = compile_cached(environment, source, name, filename, _references)
        self.references[name] = references or ()
        return environment.template_class.from_code(
            environment, code, {} if globals is None else globals, uptodate)

    def list_templates(self) -> list[str]:
        found: set[str] = set()
        for d in self.search.dirs:
            root = d / self.folder
            if root.is_dir():
                found |= {p.relative_to(root).as_posix() for p in root.rglob("*.j2") if p.is_file()}
        return sorted(found)


def _references(ast: nodes.Template) -> tuple[str | None, ...]:
    return tuple(meta.find_referenced_templates(ast))


def resolve_references(env: Environment, names: Iterable[str] = (),
                       sources: Iterable[str] = ()) -> set[str]:
    """Look up now every phrase file that the templates ``names`` (and template strings
    ``sources``, e.g. the settings of report.yaml) may include, import or extend, recursively,
    by walking their syntax trees (kept by the loader); Jinja itself resolves an include
    only when the line is rendered. The loader records each lookup, so the batch hashes
    them before any report is rendered. A dynamic name (``{% include var %}``) could be any
    phrase file: all are looked up. Returns the names found; raises ``TemplateSyntaxError``."""
    loader = env.loader
    assert isinstance(loader, SearchPathLoader)
    todo: list[str | None] = []
    for text in sources:  # a broken setting fails when rendered, with its own message
        if "{%" in text:
            with contextlib.suppress(TemplateSyntaxError):
                todo += meta.find_referenced_templates(env.parse(text))
    todo += names
    seen: set[str] = set()
    everything = False
    while todo:
        name = todo.pop()
        if name is None:  # a name computed when rendering: it could be any phrase file
            if not everything:
                everything = True
                todo += loader.list_templates()
            continue
        if name in seen:
            continue
        seen.add(name)
        try:
            env.get_template(name)  # compiled once (cached); the loader keeps its references
        except TemplateNotFound:
            continue  # "ignore missing", or an error Jinja reports when rendering
        todo += loader.references.get(name, ())
    return seen


def template_strings(value: Any) -> Iterator[str]:
    """Every string inside nested settings (report.yaml's texts are phrase templates too)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from template_strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from template_strings(item)


def phrase_environment(search: SearchPath) -> SandboxedEnvironment:
    """Sandboxed Jinja environment over ``phrases/`` of every folder on the search path, under
    limits (:mod:`reportgen.narrate.limits`: read-only values, bounded ``range``, a time budget);
    a filter given a value it cannot format raises a template error naming it."""
    loader = SearchPathLoader(search)
    env = LimitedSandbox(loader=loader, undefined=StrictUndefined, autoescape=False,
                         trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False)
    filters = {**fmt.FILTERS, **word_filters(env)}
    env.filters.update({name: safe_filter(name, func) for name, func in filters.items()})
    return env


@dataclass
class Phrases:
    """The compiled phrase macros, by file; calling one returns cleaned paragraphs."""

    env: SandboxedEnvironment
    modules: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, search: SearchPath) -> Phrases:
        env = phrase_environment(search)
        phrases = cls(env)
        issues = []
        for name in PHRASE_FILES:
            try:
                phrases.modules[name] = env.get_template(name).module
            except TemplateSyntaxError as exc:
                issues.append(Issue(f"lỗi cú pháp Jinja: {exc.message}",
                                    Location(file=exc.filename or name, line=exc.lineno),
                                    code="phrase_syntax"))
            except TemplateError as exc:
                issues.append(Issue(f"không đọc được mẫu câu: {exc}", Location(file=name),
                                    code="phrase_error"))
        if not issues:  # what the macros include when rendered: looked up (and checked) now
            try:
                resolve_references(env, phrases.modules)
            except TemplateSyntaxError as exc:
                issues.append(Issue(f"lỗi cú pháp Jinja: {exc.message}",
                                    Location(file=exc.filename or exc.name or "", line=exc.lineno),
                                    code="phrase_syntax"))
        if issues:
            raise ReportTemplateError(issues)
        return phrases

    def paragraphs(self, file: str, macro: str, **kwargs: Any) -> list[str]:
        """Render one macro; blank lines separate paragraphs, whitespace is collapsed."""
        module = self.modules[file]
        try:
            func = getattr(module, macro)
        except AttributeError as exc:
            raise ConfigError(f"mẫu câu thiếu macro '{macro}'", Location(file=file)) from exc
        try:
            with budget(MACRO_BUDGET_S):
                text = str(func(**kwargs))
        except PHRASE_FAULTS as exc:
            raise ReportTemplateError([phrase_issue(exc, file, macro)]) from exc
        return split_paragraphs(text)

    def text(self, file: str, macro: str, **kwargs: Any) -> str:
        return " ".join(self.paragraphs(file, macro, **kwargs))

    def optional(self, file: str, macro: str, **kwargs: Any) -> str:
        """Like :meth:`text`, but "" when the file has no such macro (a phrase file written
        before the macro existed keeps working)."""
        if not hasattr(self.modules.get(file), macro):
            return ""
        return self.text(file, macro, **kwargs)


def phrase_issue(exc: BaseException, file: str, macro: str) -> Issue:
    """A located message for a phrase macro that failed: the file and line where it failed
    (the macro called, when the line is not known) and what happened, in words."""
    found = template_line(exc)
    where = Location(file=found[0], line=found[1]) if found else Location(file=file)
    if isinstance(exc, TemplateTimeout):
        running = f" (đang chạy: {exc.where})" if exc.where else ""
        return Issue(f"mẫu câu chạy quá thời gian cho phép ({exc.seconds:g} giây) ở macro "
                     f"'{macro}' của {file}{running}: vòng lặp quá lớn hoặc macro tự gọi lại "
                     "chính nó?", where, code="phrase_timeout")
    if isinstance(exc, RecursionError):
        return Issue(f"macro '{macro}' của {file} gọi lồng nhau quá sâu (macro tự gọi lại chính "
                     "nó?)", where, code="phrase_recursion")
    if isinstance(exc, TemplateError):
        return Issue(f"lỗi khi tạo câu văn ở macro '{macro}': {exc}", where, code="phrase_render")
    if isinstance(exc, ZeroDivisionError):
        return Issue(f"phép chia cho 0 ở macro '{macro}' của {file}", where, code="phrase_render")
    return Issue(f"lỗi khi tạo câu văn ở macro '{macro}' của {file}: {type(exc).__name__}: {exc}",
                 where, code="phrase_render")


def split_paragraphs(text: str) -> list[str]:
    parts = re.split(r"\n\s*\n", text)
    cleaned = [re.sub(r"\s+", " ", p).strip() for p in parts]
    cleaned = [re.sub(r"\s+([,.;:)])", r"\1", p) for p in cleaned]
    return [p for p in cleaned if p]


def subsection(heading: str, body: list[str]) -> Subsection:
    """A subsection of phrase paragraphs: those written "- …" are its bullets (the mark
    dropped), the others its paragraphs."""
    return {"heading": heading, "paragraphs": [p for p in body if not p.startswith("- ")],
            "bullets": [p[2:] for p in body if p.startswith("- ")]}


class Numbering:
    """Running numbers of headings, tables ("Bảng n.") and charts ("Biểu đồ n.")."""

    def __init__(self) -> None:
        self.values: dict[str, int] = {}

    def next(self, key: str) -> int:
        self.values[key] = self.values.get(key, 0) + 1
        return self.values[key]
