"""Text of data cells as published tables write it: folding for matching, cleaning, lenient
numbers, the marks of a missing value and the spellings of an index total; and the reading of
the small tables beside the scores (``groups``, ``notes``). Shared by the readers
(:mod:`reportgen.data.load`), those tables and validation."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import TypedDict

from reportgen.errors import Issue, Location

TOTAL_ALIASES = {"total", "tong", "tongdiem", "tongcong", "chiso", "diemtong", "diemtonghop",
                 "chisotonghop", "tongdiemchiso", "diemchiso"}
# Cells published for a unit that has no value ("N/A", "-"): a missing value, not an error.
MISSING_MARKS = frozenset({"-", "–", "—", "n/a", "na", "#n/a", "..", "...", "k.x.h", "kxh"})


def fold(text: str) -> str:
    """Lower-case, accent-free, alphanumeric-only key for matching headers and labels."""
    decomposed = unicodedata.normalize("NFD", text.casefold()).replace("đ", "d")
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[^0-9a-z]", "", plain)


def clean_text(value: object) -> str:
    """NFC, trimmed, inner whitespace collapsed; None/NaN become an empty string."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFC", str(value)).replace("\u00a0", " ")
    return re.sub(r"\s+", " ", text).strip()


_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


def parse_number(value: object) -> float | None:
    """Read "80,98", "80.98", "86,47%", "1.250,5", "1,250.5", "1 250" as numbers.

    With both separators the last one is the decimal mark; a single comma or a single dot is
    a decimal mark; several identical separators are thousands separators. Returns None for
    text that is not a number.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return None if isinstance(value, float) and math.isnan(value) else float(value)
    text = clean_text(value).replace(" ", "").rstrip("%").strip()
    if not text:
        return None
    if "," in text and "." in text:
        decimal = "," if text.rfind(",") > text.rfind(".") else "."
        thousands = "." if decimal == "," else ","
        text = text.replace(thousands, "").replace(decimal, ".")
    elif text.count(",") == 1:
        text = text.replace(",", ".")
    elif text.count(",") > 1:
        text = text.replace(",", "")
    elif text.count(".") > 1:
        text = text.replace(".", "")
    return float(text) if _NUMBER.match(text) else None


def is_missing_mark(text: str) -> bool:
    """Whether a cell says "no value" the way published tables do ("N/A", "-")."""
    return text.strip().casefold() in MISSING_MARKS


def fold_total(component: str) -> bool:
    """Whether a component cell means the index total ("TOTAL", "Tổng điểm", "Chỉ số")."""
    return component == "TOTAL" or fold(component) in TOTAL_ALIASES


class SideRecord(TypedDict):
    """One row of a table read beside the scores: its cells as text, and where it came from."""

    cells: dict[str, str]
    file: str | None
    sheet: str | None
    row: int


def located(rec: SideRecord, column: str | None) -> Location:
    """Where a side table's record (its ``column``) is, for a message."""
    return Location(rec["file"], rec["sheet"], rec["row"], column)


def read_side_table(table: Sequence[Sequence[object]], where: Location, *,
                    aliases: Mapping[str, str], required: Sequence[str], columns: Sequence[str],
                    title: str, code: str, issues: list[Issue],
                    warn_unknown: bool = False) -> list[SideRecord]:
    """A sheet or CSV of a side table (first non-blank row = headers, spelled as ``aliases``
    fold them) → records; a missing required column is a located error (``{code}_missing_
    column``), an unknown one a warning when ``warn_unknown`` (``{code}_unknown_column``)."""
    rows = [[clean_text(v) for v in r] for r in table]
    rows = [r for r in rows if any(r)]
    if not rows:
        return []
    raw = rows[0]
    headers = [aliases.get(fold(h), h) for h in raw]
    missing = [c for c in required if c not in headers]
    if missing:
        issues.append(Issue(f"{title} thiếu cột bắt buộc: {', '.join(missing)} (các cột hiện có: "
                            f"{', '.join(h for h in raw if h)})",
                            Location(where.file, where.sheet, 1, missing[0]),
                            code=f"{code}_missing_column"))
        return []
    if warn_unknown:
        for h in (h for h in headers if h and h not in columns):
            issues.append(Issue(f"{title} có cột không dùng đến '{h}'; đã bỏ qua. Các cột dùng "
                                f"được: {', '.join(columns)}", Location(where.file, where.sheet, 1, h),
                                severity="warning", code=f"{code}_unknown_column"))
    col = {h: i for i, h in enumerate(headers) if h in columns}
    return [SideRecord(cells={name: (row[i] if i < len(row) else "") for name, i in col.items()},
                       file=where.file, sheet=where.sheet, row=n)
            for n, row in enumerate(rows[1:], start=2)]
