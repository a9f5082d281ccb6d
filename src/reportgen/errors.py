"""Typed errors of every stage, rooted at :class:`ReportgenError`.

Library code raises these and never prints or exits; the CLI turns them into one clear
message and a non-zero exit status. Each error carries where the problem is (file, sheet,
row, column, template, paragraph) as structured fields, and formats them in ``__str__``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Location:
    """Where a problem sits: a data cell, a line of a YAML file or a spot in a template."""

    file: str | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    line: int | None = None
    where: str | None = None  # free text: "đoạn 12", "bảng 2, ô (3, 4)", "khóa solutions.PAPI.3"

    def __str__(self) -> str:
        parts = []
        if self.file:
            parts.append(self.file)
        if self.sheet:
            parts.append(f"sheet '{self.sheet}'")
        if self.row is not None:
            parts.append(f"dòng {self.row}")
        if self.line is not None:
            parts.append(f"dòng {self.line}")
        if self.column:
            parts.append(f"cột '{self.column}'")
        if self.where:
            parts.append(self.where)
        return ", ".join(parts)


@dataclass(frozen=True)
class Issue:
    """One problem found while checking input; ``severity`` is ``error`` or ``warning``."""

    message: str
    location: Location = field(default_factory=Location)
    value: object = None
    severity: str = "error"
    code: str = ""  # machine-readable reason, e.g. "score_above_max"

    def __str__(self) -> str:
        where = str(self.location)
        shown = f" (giá trị: {self.value!r})" if self.value not in (None, "") else ""
        label = "Cảnh báo" if self.severity == "warning" else "Lỗi"
        return f"{label}: {where}: {self.message}{shown}" if where else f"{label}: {self.message}{shown}"


class ReportgenError(Exception):
    """Root of every error reportgen raises on purpose; the CLI exits 1 on it."""

    def __init__(self, message: str, location: Location | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.location = location or Location()

    def __str__(self) -> str:
        where = str(self.location)
        return f"{where}: {self.message}" if where else self.message


class IssuesError(ReportgenError):
    """Several problems found at once (bad data, bad templates); ``issues`` lists them all."""

    title = "Có lỗi"

    def __init__(self, issues: Sequence[Issue], title: str | None = None) -> None:
        self.issues = list(issues)
        errors = [i for i in self.issues if i.severity == "error"]
        super().__init__(f"{title or self.title}: {len(errors)} lỗi")

    def __str__(self) -> str:
        return "\n".join([self.message, *(f"  - {line}" for line in summarize(self.issues))])


def summarize(issues: Sequence[Issue], limit: int = 200) -> list[str]:
    """One line per distinct problem: the same message, column and value repeated on many
    rows is shown once with its first location and the count of other rows."""
    groups: dict[tuple[str, str, str | None, str | None, str], list[Issue]] = {}
    for issue in issues:
        key = (issue.severity, issue.message, issue.location.file, issue.location.column,
               repr(issue.value))
        groups.setdefault(key, []).append(issue)
    lines = []
    for same in groups.values():
        line = str(same[0])
        word = "cảnh báo" if same[0].severity == "warning" else "lỗi"  # a warning is no error
        if len(same) > 1:
            rows = [i.location.row for i in same[1:] if i.location.row is not None]
            extra = f" (và {len(same) - 1} dòng khác cùng {word}"
            extra += f", đến dòng {max(rows)})" if rows else ")"
            line += extra
        lines.append(line)
    if len(lines) > limit:
        hidden = list(groups)[limit:]
        errors = sum(1 for key in hidden if key[0] == "error")
        counts = [f"{n} {w}" for n, w in ((errors, "lỗi"), (len(hidden) - errors, "cảnh báo")) if n]
        lines = [*lines[:limit], f"… và {' và '.join(counts)} khác"]
    return lines


class DataError(IssuesError):
    """Raised by load/validate when the dataset breaks the data contract."""

    title = "Dữ liệu không hợp lệ"


class ConfigError(ReportgenError):
    """Raised when a framework, rules, solutions or report configuration file is unusable."""


class TemplateError(IssuesError):
    """Raised when a Word or phrase template cannot be compiled or rendered."""

    title = "Mẫu báo cáo có lỗi"


class LookupFailed(ReportgenError):
    """Raised when a unit, year or index asked for on the command line is not in the data."""


class RenderError(ReportgenError):
    """Raised when a document cannot be produced for a unit (wraps the underlying cause)."""


class OutputError(ReportgenError):
    """Raised by the write stage: unwritable folder, name clash, missing LibreOffice, lock held."""


def suggest(word: str, choices: Iterable[str], n: int = 3) -> list[str]:
    """Closest matches of ``word`` among ``choices`` (case- and accent-insensitive first)."""
    import difflib
    import unicodedata

    def fold(s: str) -> str:
        decomposed = unicodedata.normalize("NFD", s.casefold())
        stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
        return stripped.replace("đ", "d")

    pool = list(dict.fromkeys(choices))
    folded = {fold(c): c for c in pool}
    hits = difflib.get_close_matches(fold(word), list(folded), n=n, cutoff=0.5)
    found = [folded[h] for h in hits]
    if not found:
        key = fold(word)
        found = [c for f, c in folded.items() if key and (key in f or f in key)][:n]
    return found


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A Vietnamese "Có phải …?" hint, or an empty string when nothing is close."""
    hits = suggest(word, choices)
    return f" Có phải: {', '.join(repr(h) for h in hits)}?" if hits else ""
