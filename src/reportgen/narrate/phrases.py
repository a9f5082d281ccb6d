"""The editable phrase files (``phrases/*.j2`` on the search path): compiled once in a Jinja
sandbox with the Vietnamese number filters; each macro call returns cleaned paragraphs."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from jinja2 import ChoiceLoader, FileSystemLoader, StrictUndefined, TemplateError
from jinja2.exceptions import TemplateSyntaxError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment, SecurityError

from reportgen import formatting as fmt
from reportgen.config.search import SearchPath
from reportgen.errors import ConfigError, Issue, Location
from reportgen.errors import TemplateError as ReportTemplateError

PHRASE_FILES = ("ket-qua.j2", "phan-tich.j2", "danh-gia.j2", "trach-nhiem.j2", "giai-phap.j2",
                "bieu-do.j2", "tong-hop.j2")


def phrase_environment(search: SearchPath) -> SandboxedEnvironment:
    """Sandboxed Jinja environment over ``phrases/`` of every folder on the search path."""
    loader = ChoiceLoader([FileSystemLoader(str(d / "phrases")) for d in search.dirs])
    env = SandboxedEnvironment(loader=loader, undefined=StrictUndefined, autoescape=False,
                               trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False)
    env.filters.update(fmt.FILTERS)
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
            text = str(func(**kwargs))
        except (UndefinedError, SecurityError, TemplateError, TypeError) as exc:
            where = getattr(module, "__name__", file)
            raise ReportTemplateError([Issue(f"lỗi khi tạo câu văn ở macro '{macro}': {exc}",
                                             Location(file=where), code="phrase_render")]) from exc
        return split_paragraphs(text)

    def text(self, file: str, macro: str, **kwargs: Any) -> str:
        return " ".join(self.paragraphs(file, macro, **kwargs))

    def optional(self, file: str, macro: str, **kwargs: Any) -> str:
        """Like :meth:`text`, but "" when the file has no such macro (a phrase file written
        before the macro existed keeps working)."""
        if not hasattr(self.modules.get(file), macro):
            return ""
        return self.text(file, macro, **kwargs)


def split_paragraphs(text: str) -> list[str]:
    parts = re.split(r"\n\s*\n", text)
    cleaned = [re.sub(r"\s+", " ", p).strip() for p in parts]
    cleaned = [re.sub(r"\s+([,.;:)])", r"\1", p) for p in cleaned]
    return [p for p in cleaned if p]


class Numbering:
    """Running numbers of headings, tables ("Bảng n.") and charts ("Biểu đồ n.")."""

    def __init__(self) -> None:
        self.values: dict[str, int] = {}

    def next(self, key: str) -> int:
        self.values[key] = self.values.get(key, 0) + 1
        return self.values[key]
