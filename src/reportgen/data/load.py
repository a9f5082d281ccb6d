"""Load stage: read a dataset (.csv, .xlsx or a folder of them) into one long table.

Everything is read as text and normalised (Unicode NFC, trimmed, header aliases, the wide
layout turned long); numbers are parsed leniently (decimal comma or point, percent signs,
thousands separators) with the original text kept so that validation can quote it.
Excel files are opened read-only with cached values only: no formula, macro or external
link is ever evaluated. File-level problems are collected as issues, not raised one by one.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol, TypedDict, cast

import numpy as np
import pandas as pd

from reportgen.data.groups import GROUPS_SHEET, GroupRecord, is_groups_file, read_groups_table
from reportgen.data.guard import (
    XLSX_FAULTS,
    damaged_excel,
    duplicate_headers,
    file_too_large,
    parse_csv,
    reset_dimensions,
    sheet_rows,
    unread_files,
    unsupported,
    utf8_filled,
    xlsx_problem,
)
from reportgen.data.lineage import (
    LINEAGE_SHEET,
    LineageRecord,
    is_lineage_file,
    read_lineage_table,
)
from reportgen.data.notes import NOTES_SHEET, NoteRecord, is_notes_file, read_notes_table
from reportgen.data.text import (
    TOTAL_ALIASES,
    SideRecord,
    clean_text,
    fold,
    is_missing_mark,
)
from reportgen.errors import DataError, Issue, Location

REQUIRED = ("year", "index", "unit", "component", "score")
OPTIONAL = ("max_score", "rank", "group", "source", "rating", "component_name", "responsible")
CANONICAL = REQUIRED + OPTIONAL
META = ("_file", "_sheet", "_row")
COLUMNS = [*CANONICAL, *META, "_column"]  # the long table: text cells, then provenance
SCORES_SHEET = "scores"
# Sheets that are not the scores table (folded names).
RESERVED_SHEETS = frozenset({"config", "units", "groups", "notes", "lineage"})

# Header spellings users type, folded (lower case, no accents, no punctuation) → canonical.
HEADER_ALIASES = {
    "year": "year", "nam": "year",
    "index": "index", "chiso": "index", "indexcode": "index", "machiso": "index",
    "unit": "unit", "donvi": "unit", "tinh": "unit", "tinhthanhpho": "unit", "tendonvi": "unit",
    "component": "component", "thanhphan": "component", "machisothanhphan": "component",
    "mathanhphan": "component", "linhvuc": "component", "code": "component",
    "score": "score", "diem": "score", "ketqua": "score", "diemdat": "score", "diemso": "score",
    "maxscore": "max_score", "max": "max_score", "diemtoida": "max_score",
    "rank": "rank", "xephang": "rank", "thuhang": "rank", "hang": "rank",
    "group": "group", "nhom": "group", "khoi": "group", "nhomdonvi": "group",
    "source": "source", "nguon": "source", "nguonsolieu": "source",
    "rating": "rating", "xeploai": "rating", "nhomxeploai": "rating", "xeploainhom": "rating",
    "componentname": "component_name", "tenthanhphan": "component_name",
    "tentieuchi": "component_name", "tieuchi": "component_name",
    "responsible": "responsible", "coquanchutri": "responsible", "donvichutri": "responsible",
    "chutri": "responsible",
}
# Words published tables put before a component's number ("Chỉ số thành phần 1: …").
_COMPONENT_PREFIX = re.compile(
    r"^\s*(?:chỉ\s*số\s*thành\s*phần|cstp|lĩnh\s*vực|lv|nội\s*dung|trục\s*nội\s*dung|"
    r"yếu\s*tố|tiêu\s*chí)\s*(?:số\s*)?([0-9]+(?:\.[0-9]+)*)\b", re.IGNORECASE)
MAX_ROW_ALIASES = {"diemtoida", "maxscore", "max", "toida"}
# A wide-layout row naming each column's lead agency ("Cơ quan chủ trì" in the unit column).
RESPONSIBLE_ROW_ALIASES = {"coquanchutri", "responsible", "donvichutri", "chutri"}
# Wide-layout columns that carry no score (row numbers, notes): ignored, never a component.
IGNORED_COLUMNS = {"stt", "tt", "sothutu", "ghichu", "note", "notes"}
# How far down a sheet the header row is looked for (title lines above a published table).
HEADER_SEARCH_ROWS = 10


class Record(TypedDict):
    """One row of the long table as read: every canonical column as text, then where it
    came from (file, sheet, row, and the column of a wide-layout score)."""

    year: str
    index: str
    unit: str
    component: str
    score: str
    max_score: str
    rank: str
    group: str
    source: str
    rating: str
    component_name: str  # a criterion's name the framework may not know
    responsible: str  # the lead agency of the component, as the data gives it
    _file: str | None
    _sheet: str | None
    _row: int
    _column: str


class _Sheet(Protocol):
    """What is read of an openpyxl worksheet: its rows of cached values."""

    def iter_rows(self, *, values_only: Literal[True]) -> Iterator[Sequence[object]]: ...


def _record(cells: Mapping[str, str], where: Location, row: int) -> Record:
    """A long-layout record: the canonical cells given (others empty) and the location."""
    return Record(year=cells.get("year", ""), index=cells.get("index", ""),
                  unit=cells.get("unit", ""), component=cells.get("component", ""),
                  score=cells.get("score", ""), max_score=cells.get("max_score", ""),
                  rank=cells.get("rank", ""), group=cells.get("group", ""),
                  source=cells.get("source", ""), rating=cells.get("rating", ""),
                  component_name=cells.get("component_name", ""),
                  responsible=cells.get("responsible", ""),
                  _file=where.file, _sheet=where.sheet, _row=row, _column="")


@dataclass
class Loaded:
    """What the load stage hands on: the long table (all text) and file-level issues."""

    frame: pd.DataFrame
    issues: list[Issue] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    groups: list[GroupRecord] = field(default_factory=list)  # the optional groups table
    notes: list[NoteRecord] = field(default_factory=list)  # the optional notes table
    lineage: list[LineageRecord] = field(default_factory=list)  # the optional lineage table


# a side table's reader: its rows, where they are, the issues → records
SideReader = Callable[[Sequence[Sequence[object]], Location, list[Issue]], list[SideRecord]]


@dataclass
class SideTables:
    """The tables read beside the scores: published group facts, the clerk's notes and
    which units continue which (the 2025 reorganisation)."""

    groups: list[GroupRecord] = field(default_factory=list)
    notes: list[NoteRecord] = field(default_factory=list)
    lineage: list[LineageRecord] = field(default_factory=list)

    def tables(self) -> tuple[tuple[str, Callable[[str], bool], SideReader, list[SideRecord]], ...]:
        """Each table: its sheet's name, the test of a CSV's stem, its reader and the list its
        records go to."""
        return ((GROUPS_SHEET, is_groups_file, read_groups_table, self.groups),
                (NOTES_SHEET, is_notes_file, read_notes_table, self.notes),
                (LINEAGE_SHEET, is_lineage_file, read_lineage_table, self.lineage))


@dataclass(frozen=True)
class LoadOptions:
    """Values the wide layout may need when the sheet does not carry them."""

    year: int | None = None
    index: str | None = None


def _canonical_headers(headers: list[str]) -> list[str]:
    return [HEADER_ALIASES.get(fold(h), h) if h else h for h in headers]


def _component_from_header(header: str) -> str | None:
    """A wide-layout column header → component code ("1", "1.2", "TOTAL"), or None.

    Published headers put words before the number ("Chỉ số thành phần 1: Gia nhập thị
    trường", "Lĩnh vực 3"); a header that is only a name is matched to a code later, by
    validation, against the framework's component names."""
    if fold(header) in TOTAL_ALIASES:
        return "TOTAL"
    prefixed = _COMPONENT_PREFIX.match(header)
    if prefixed:
        return prefixed.group(1)
    m = re.match(r"^\s*([0-9]+(?:\.[0-9]+)*|[A-Z]{1,3}(?:\.[0-9]+)*)(?:[.)]?\s|[.)]?$)", header)
    return m.group(1) if m else None


def _name_from_header(header: str, code: str) -> str:
    """The name a wide-layout header gives after its code ("3.4. Công khai TTHC" →
    "Công khai TTHC"); empty when the header is only a code."""
    prefixed = _COMPONENT_PREFIX.match(header)
    end = prefixed.end() if prefixed else (
        len(code) + len(header) - len(header.lstrip()) if header.strip().startswith(code) else 0)
    return header[end:].strip(" .:)-–\t") if end else ""


def _wide_to_long(rows: list[list[str]], headers: list[str], first_row: int, where: Location,
                  settings: dict[str, str], options: LoadOptions,
                  issues: list[Issue]) -> list[Record]:
    """Turn one row per unit with one column per component into one row per score."""
    fixed = {h for h in headers if h in CANONICAL}
    comp_cols: dict[int, str] = {}
    for i, h in enumerate(headers):
        if h in fixed or not h or fold(h) in IGNORED_COLUMNS:
            continue
        # A header that is no code may be a component's name: validation matches it against
        # the framework of the row's index (or reports the column it cannot place).
        comp_cols[i] = _component_from_header(h) or h
    year = settings.get("year") or (str(options.year) if options.year else "")
    index = settings.get("index") or options.index or ""
    col = {h: i for i, h in enumerate(headers)}
    maxima: dict[str, str] = {}
    leads: dict[str, str] = {}
    out: list[Record] = []
    for offset, row in enumerate(rows):
        def get(name: str, row: list[str] = row) -> str:
            return row[col[name]] if name in col and col[name] < len(row) else ""
        unit = get("unit")
        if fold(unit) in MAX_ROW_ALIASES:
            maxima = {code: row[i] for i, code in comp_cols.items() if i < len(row)}
            continue
        if fold(unit) in RESPONSIBLE_ROW_ALIASES:
            leads = {code: row[i] for i, code in comp_cols.items() if i < len(row)}
            continue
        for i, code in comp_cols.items():
            value = row[i] if i < len(row) else ""
            if value == "" or is_missing_mark(value):
                continue
            out.append({
                "year": get("year") or year, "index": get("index") or index, "unit": unit,
                "component": code, "score": value,
                "max_score": get("max_score") if code == "TOTAL" else "",
                # the row's rank and rating belong to its total, which validation tells
                # apart (a header may name the total: "Chỉ số CCHC (%)", "PCI 2024")
                "rank": get("rank"), "group": get("group"),
                "source": get("source"), "rating": get("rating"),
                "component_name": _name_from_header(headers[i], code) if code != headers[i]
                else "", "responsible": "",
                "_file": where.file, "_sheet": where.sheet, "_row": first_row + offset,
                "_column": headers[i],
            })
    for rec in out:
        rec["max_score"] = rec["max_score"] or maxima.get(rec["component"], "")
        rec["responsible"] = leads.get(rec["component"], "")
    if out and (not year and "year" not in col):
        issues.append(Issue("bảng dạng ngang thiếu năm: thêm cột 'year', khai báo trong sheet "
                            "'config' hoặc dùng tùy chọn --year", where, code="missing_year"))
    if out and (not index and "index" not in col):
        issues.append(Issue("bảng dạng ngang thiếu mã chỉ số: thêm cột 'index', khai báo trong "
                            "sheet 'config' hoặc dùng tùy chọn --index", where,
                            code="missing_index"))
    return out


def _table_to_records(table: Sequence[Sequence[object]], where: Location,
                      settings: dict[str, str], options: LoadOptions, issues: list[Issue],
                      header_row: int = 1, clean: bool = True) -> pd.DataFrame:
    """One sheet or CSV (first row = headers) → the long table with each row's source
    location (:data:`COLUMNS`). ``clean=False``: the cells are cleaned already (a CSV's, as
    it is read)."""
    rows: list[list[str]]
    if clean:
        cleaned: dict[tuple[type, object], str] = {}
        rows = []
        for r in _taken(table):  # each raw row freed once cleaned: a file is not held twice
            rows.append([_clean(v, cleaned) for v in r])
    else:
        rows = cast(list[list[str]], table)
    while rows and not any(rows[-1]):
        rows.pop()
    skip = _header_index(rows)
    rows = rows[skip:]
    header_row += skip
    if not rows or not any(rows[0]):
        issues.append(Issue("tệp hoặc sheet không có dữ liệu", where, code="empty_file"))
        return _no_rows()
    headers = _canonical_headers(rows[0])
    clashes = duplicate_headers(rows[0], headers, where, header_row,
                                lambda h: fold(h) in IGNORED_COLUMNS)
    if clashes:
        issues.extend(clashes)
        return _no_rows()
    body = rows[1:]
    if not body:
        issues.append(Issue("chỉ có dòng tiêu đề, không có dòng dữ liệu nào", where,
                            code="empty_file"))
        return _no_rows()
    long = "component" in headers or "score" in headers
    extra = [h for h in headers if h and h not in CANONICAL and fold(h) not in IGNORED_COLUMNS]
    # Wide: one column per component, by code ("1", "CSTP1") or, as published, by name.
    if not long and "unit" in headers and (
            any(_component_from_header(h) for h in extra) or len(extra) >= 2):
        return pd.DataFrame.from_records(
            _wide_to_long(body, headers, header_row + 1, where, settings, options, issues),
            columns=COLUMNS)
    missing = [c for c in REQUIRED if c not in headers]
    if missing:
        issues.append(Issue(f"thiếu cột bắt buộc: {', '.join(missing)} (các cột hiện có: "
                            f"{', '.join(h for h in rows[0] if h)})",
                            Location(where.file, where.sheet, header_row, missing[0]),
                            code="missing_column"))
        return _no_rows()
    # column by column: a large file's rows are never turned into one record each
    col = {h: i for i, h in enumerate(headers) if h in CANONICAL}
    numbers = np.array([header_row + 1 + offset for offset, row in enumerate(body) if any(row)],
                       dtype=np.int64)
    body = [row for row in body if any(row)]
    del rows
    year = settings.get("year")
    columns: dict[str, object] = {}
    for name in CANONICAL:  # each column a Series at once: one list of cells at a time
        i = col.get(name)
        cells = [""] * len(body) if i is None else [row[i] if i < len(row) else "" for row in body]
        if name == "year" and year:
            cells = [cell or year for cell in cells]
        columns[name] = pd.Series(cells, dtype="str")
    return pd.DataFrame({**columns, "_file": where.file, "_sheet": where.sheet, "_row": numbers,
                         "_column": ""}, columns=COLUMNS, copy=False)


def _no_rows() -> pd.DataFrame:
    return pd.DataFrame.from_records([], columns=COLUMNS)


def _taken(table: Sequence[Sequence[object]]) -> Iterator[Sequence[object]]:
    """The rows of ``table``, each dropped from it as it is handed out when ``table`` is a
    list (the reader's own): the raw cells of a large file are freed while it is cleaned."""
    if not isinstance(table, list):
        yield from table
        return
    table.reverse()
    while table:
        yield table.pop()


def _clean(value: object, cleaned: dict[tuple[type, object], str]) -> str:
    """:func:`clean_text`, each distinct cell value cleaned once (years, codes, names and
    sources repeat on most rows of a large file); keyed by type too (``True`` is not ``1``)."""
    key = (type(value), value)
    try:
        return cleaned[key]
    except KeyError:
        text = cleaned[key] = clean_text(value)
        return text
    except TypeError:  # an unhashable cell value
        return clean_text(value)


def _header_index(rows: list[list[str]]) -> int:
    """Position of the header row: the first non-blank row, or a later one among the first
    few when title lines sit above the table (it is the first to name a known column)."""
    filled = [i for i, r in enumerate(rows[:HEADER_SEARCH_ROWS]) if any(r)]
    for i in filled:
        if {"unit", "component", "score"} & set(_canonical_headers(rows[i])):
            return i
    return filled[0] if filled else 0


def _sniff_delimiter(sample: str) -> str:
    first = next((line for line in sample.splitlines() if line.strip()), "")
    return max((";", ",", "\t"), key=first.count) if first else ","


def csv_table(path: Path, issues: list[Issue]) -> list[list[str]] | None:
    """The cells of a CSV file (any of , ; tab as delimiter), cleaned (:func:`clean_text`,
    each distinct value once) as they are read, or None with a located issue. The file is
    read as a stream: neither its whole text nor its raw cells are held."""
    where = Location(file=str(path))
    too_large = file_too_large(path)
    if too_large is not None:
        issues.append(too_large)
        return None
    filled = utf8_filled(path)
    if filled is None:
        issues.append(Issue("tệp CSV không phải mã UTF-8: hãy lưu lại với mã hóa UTF-8", where,
                            code="bad_encoding"))
        return None
    if not filled:
        issues.append(Issue("tệp rỗng", where, code="empty_file"))
        return None
    cleaned: dict[tuple[type, object], str] = {}
    with path.open(encoding="utf-8-sig", newline="") as stream:  # any line ending
        first = next((line for line in stream if line.strip()), "")
        stream.seek(0)
        return parse_csv(stream, _sniff_delimiter(first), where, issues,
                         lambda row: [_clean(v, cleaned) for v in row])


def read_csv(path: Path, options: LoadOptions, issues: list[Issue],
             side: SideTables | None = None) -> pd.DataFrame:
    """A CSV of scores; or, when its name says so (``groups.csv``, ``notes.csv``), one of the
    tables read beside them."""
    table = csv_table(path, issues)
    if table is None:
        return _no_rows()
    where = Location(file=str(path))
    for _, is_file, read, records in side.tables() if side is not None else ():
        if is_file(path.stem):
            records.extend(read(table, where, issues))
            return _no_rows()
    return _table_to_records(table, where, {}, options, issues, clean=False)


def _sheet_settings(ws: _Sheet) -> dict[str, str]:
    """Key/value pairs of an optional 'config' sheet (year, index)."""
    out: dict[str, str] = {}
    for row in ws.iter_rows(values_only=True):
        if row and len(row) >= 2 and row[0] is not None:
            key = HEADER_ALIASES.get(fold(clean_text(row[0])), clean_text(row[0]))
            out[key] = clean_text(row[1])
    return out


def read_xlsx(path: Path, options: LoadOptions, issues: list[Issue],
              side: SideTables | None = None) -> pd.DataFrame:
    """The ``scores`` sheet (with the optional ``config`` and ``units`` sheets); the optional
    ``groups`` and ``notes`` sheets go to ``side``."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    where = Location(file=str(path))
    unsafe = xlsx_problem(path)  # too large once decompressed, XML entities: never opened
    if unsafe is not None:
        issues.append(Issue(unsafe, where, code="unsafe_excel"))
        return _no_rows()
    try:
        wb = load_workbook(path, read_only=True, data_only=True, keep_links=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        issues.append(Issue(f"không phải tệp Excel .xlsx hợp lệ ({type(exc).__name__}); hãy mở "
                            "bằng Excel và lưu lại dạng .xlsx", where, code="not_excel"))
        return _no_rows()
    try:
        reset_dimensions(wb)  # every row, whatever the sheet's <dimension> declares
        names = wb.sheetnames
        if SCORES_SHEET not in names:
            folded = {fold(n): n for n in names}
            tables = [n for n in names if fold(n) not in RESERVED_SHEETS]
            if fold(SCORES_SHEET) not in folded and len(tables) == 1:
                folded[fold(SCORES_SHEET)] = tables[0]  # a published table's only sheet
            if fold(SCORES_SHEET) not in folded:
                issues.append(Issue(f"không có sheet '{SCORES_SHEET}' (các sheet hiện có: "
                                    f"{', '.join(names)}); hãy đổi tên sheet chứa điểm thành "
                                    f"'{SCORES_SHEET}'", where, code="wrong_sheet"))
                return _no_rows()
            sheet = folded[fold(SCORES_SHEET)]
        else:
            sheet = SCORES_SHEET
        settings = _sheet_settings(wb["config"]) if "config" in names else {}
        table = sheet_rows(wb[sheet], Location(str(path), sheet), issues)
        if table is None:
            return _no_rows()
        records = _table_to_records(table, Location(str(path), sheet), settings, options, issues)
        if "units" in names:
            records = _apply_units_sheet(records, wb["units"])
        folded = {fold(n): n for n in names}
        for side_sheet, _, read, side_records in side.tables() if side is not None else ():
            found = folded.get(fold(side_sheet))
            if found is not None:
                rows = [list(r) for r in wb[found].iter_rows(values_only=True)]
                side_records.extend(read(rows, Location(str(path), found), issues))
        return records
    except XLSX_FAULTS as exc:  # a damaged part (bad compression, broken XML)
        issues.append(damaged_excel(exc, where))
        return _no_rows()
    finally:
        wb.close()


def _apply_units_sheet(records: pd.DataFrame, ws: _Sheet) -> pd.DataFrame:
    """The optional 'units' sheet gives each unit's group when the scores do not."""
    rows = [[clean_text(v) for v in r] for r in ws.iter_rows(values_only=True)]
    if not rows:
        return records
    headers = _canonical_headers(rows[0])
    if "unit" not in headers or "group" not in headers:
        return records
    u, g = headers.index("unit"), headers.index("group")
    groups = {r[u]: r[g] for r in rows[1:] if len(r) > max(u, g) and r[u]}
    blank = records["group"] == ""
    records.loc[blank, "group"] = [groups.get(unit, "") for unit in records.loc[blank, "unit"]]
    return records


READERS = {".csv": read_csv, ".xlsx": read_xlsx, ".xlsm": read_xlsx}


def dataset_files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.iterdir()
                      if p.suffix.lower() in READERS and not p.name.startswith(("~$", ".")))
    return [path]


def load(path: str | Path, options: LoadOptions | None = None) -> Loaded:
    """Read a dataset file or folder into a long text table with per-row provenance."""
    options = options or LoadOptions()
    root = Path(path)
    issues: list[Issue] = []
    if not root.exists():
        raise DataError([Issue("không tìm thấy tệp hoặc thư mục dữ liệu", Location(file=str(root)),
                               code="not_found")])
    files = dataset_files(root)
    issues.extend(unsupported(p) for p in unread_files(root, READERS))  # none skipped silently
    if not files:
        issues.append(Issue("thư mục không có tệp .csv hoặc .xlsx nào", Location(file=str(root)),
                            code="empty_folder"))
    tables: list[pd.DataFrame] = []
    side = SideTables()
    for f in files:
        reader = READERS.get(f.suffix.lower())
        if reader is None:
            issues.append(Issue("định dạng tệp không được hỗ trợ (chỉ nhận .csv, .xlsx)",
                                Location(file=str(f)), code="bad_format"))
            continue
        table = reader(f, options, issues, side)
        if len(table):
            tables.append(table)
    frame = pd.concat(tables, ignore_index=True) if len(tables) > 1 else (
        tables[0] if tables else _no_rows())
    return Loaded(frame, issues, [str(f) for f in files], side.groups, side.notes, side.lineage)


def records_from(rows: Iterable[Mapping[str, object]], source: str = "<dữ liệu>") -> Loaded:
    """Build a :class:`Loaded` from in-memory rows (tests, generators); text like a file."""
    records = [_record({k: clean_text(r.get(k, "")) for k in CANONICAL}, Location(file=source), n)
               for n, r in enumerate(rows, start=2)]
    return Loaded(pd.DataFrame.from_records(records, columns=COLUMNS), [],
                  [source])
