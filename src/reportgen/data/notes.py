"""The clerk's own findings: the optional ``notes`` table.

The scores say what happened, never why. Causes and local context come from the people who
know them: a sheet ``notes`` of an .xlsx or a ``notes.csv`` beside the scores, one row per
sentence, keyed by ``year, unit`` and optionally ``index, component``, with its ``kind``
(an objective cause, a subjective cause, or a note on the result) and its ``text``. The report
prints these where they belong; the library's generic causes are only suggestions (printed
in a draft, never in a final report).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from reportgen.config.frameworks import TOTAL, Frameworks
from reportgen.data.text import (
    SideRecord,
    fold,
    fold_total,
    located,
    parse_number,
    read_side_table,
)
from reportgen.errors import Issue, Location, did_you_mean

NOTES_SHEET = "notes"
NOTES_FILES = frozenset({"notes", "ghichu", "nguyennhan"})  # folded file stems
REQUIRED = ("year", "unit", "kind", "text")
COLUMNS = (*REQUIRED, "index", "component")

HEADER_ALIASES = {
    "year": "year", "nam": "year",
    "unit": "unit", "donvi": "unit", "tinh": "unit", "tinhthanhpho": "unit",
    "index": "index", "chiso": "index", "machiso": "index",
    "component": "component", "thanhphan": "component", "mathanhphan": "component",
    "linhvuc": "component",
    "kind": "kind", "loai": "kind", "phanloai": "kind",
    "text": "text", "noidung": "text", "vanban": "text",
}
# What a row is (folded spellings → kind).
KINDS = {
    "objective": "objective", "khachquan": "objective", "nguyennhankhachquan": "objective",
    "subjective": "subjective", "chuquan": "subjective", "nguyennhanchuquan": "subjective",
    "note": "note", "ghichu": "note", "ghichuketqua": "note",
}


NoteRecord = SideRecord  # one row of the notes table as read


@dataclass(frozen=True)
class UserNote:
    """A sentence the clerk wrote: a cause (objective, subjective) or a note on a result."""

    year: int
    unit: str
    kind: str  # objective | subjective | note
    text: str
    index: str | None = None
    component: str | None = None  # None: the index as a whole (or the unit)


def is_notes_file(stem: str) -> bool:
    """Whether a data-folder file (by its stem) holds the notes table, not scores."""
    return fold(stem) in NOTES_FILES


def read_notes_table(table: Sequence[Sequence[object]], where: Location,
                     issues: list[Issue]) -> list[NoteRecord]:
    """A sheet or CSV of the notes table (first non-blank row = headers) → records."""
    return read_side_table(table, where, aliases=HEADER_ALIASES, required=REQUIRED,
                           columns=COLUMNS, title="bảng ghi chú", code="notes", issues=issues)


def check_notes(records: Iterable[NoteRecord], units: Sequence[str], frameworks: Frameworks,
                issues: list[Issue]) -> list[UserNote]:
    """Type the notes table; located errors for what cannot be placed, a warning for a unit
    the scores do not have (a note nobody would read)."""
    out: list[UserNote] = []
    known_units = set(units)
    for rec in records:
        note = _note(rec, frameworks, issues)
        if note is None:
            continue
        if note.unit not in known_units:
            issues.append(Issue(f"đơn vị '{note.unit}' không có trong dữ liệu điểm; ghi chú này không "
                                f"được dùng.{did_you_mean(note.unit, list(known_units))}",
                                located(rec, "unit"), note.unit,
                                "warning", "notes_unknown_unit"))
            continue
        out.append(note)
    return out


def _note(rec: NoteRecord, frameworks: Frameworks, issues: list[Issue]) -> UserNote | None:
    c = rec["cells"]

    def error(message: str, column: str, value: object, code: str) -> None:
        issues.append(Issue(message, located(rec, column), value,
                            "error", code))

    year = parse_number(c.get("year", ""))
    if year is None or not float(year).is_integer():
        error("năm phải là số nguyên (ví dụ 2024)", "year", c.get("year"), "notes_bad_year")
        return None
    kind = KINDS.get(fold(c.get("kind", "")))
    if kind is None:
        error("loại ghi chú phải là 'khách quan', 'chủ quan' (nguyên nhân) hoặc 'ghi chú'", "kind",
              c.get("kind"), "notes_bad_kind")
        return None
    if not c.get("text") or not c.get("unit"):
        column = "text" if not c.get("text") else "unit"
        error("thiếu nội dung" if column == "text" else "thiếu tên đơn vị", column, None,
              "notes_empty")
        return None
    index = None
    if c.get("index"):
        index = frameworks.resolve_code(c["index"])
        if index is None:
            error(f"mã chỉ số không xác định.{did_you_mean(c['index'], frameworks.codes)}", "index",
                  c["index"], "notes_unknown_index")
            return None
    component = c.get("component") or None
    if component is not None and fold_total(component):
        component = None
    if component is not None and index is None:
        error("ghi chú cho một thành phần cần mã chỉ số (cột index)", "index", None,
              "notes_component_without_index")
        return None
    if component is not None and index is not None:
        fw = frameworks.for_year(index, int(year))
        if fw is not None and fw.component_code(component) is None:
            error(f"mã thành phần không có trong khung {index} ({fw.version})."
                  f"{did_you_mean(component, list(fw.components))}", "component", component,
                  "notes_unknown_component")
            return None
        component = fw.component_code(component) if fw is not None else component
    return UserNote(year=int(year), unit=c["unit"], kind=kind, text=" ".join(c["text"].split()),
                    index=index, component=component if component != TOTAL else None)
