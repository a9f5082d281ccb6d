"""Validate stage: check the loaded table against the data contract and the frameworks.

Every problem is collected (file, sheet, row, column, value, a message a clerk
understands) before anything fails; warnings never block unless ``strict``. The result is a
:class:`Dataset`: typed columns, resolved index codes, maxima and framework versions.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any, TypeAlias, TypedDict, cast

import numpy as np
import pandas as pd

from reportgen.analysis.ranking import rank_map
from reportgen.config.frameworks import TOTAL, Framework, Frameworks, fold_code
from reportgen.data.criteria import ResponsibleKey, find_criteria
from reportgen.data.groups import FactKey, GroupFact, check_groups
from reportgen.data.lineage import Lineage, check_lineage
from reportgen.data.load import Loaded
from reportgen.data.notes import UserNote, check_notes
from reportgen.data.screen import screen
from reportgen.data.text import fold, fold_total, is_missing_mark, parse_number
from reportgen.errors import DataError, Issue, Location, did_you_mean

DEFAULT_GROUP = "Tất cả đơn vị"
SUM_TOLERANCE = 0.05

# A row of a frame as ``DataFrame.to_dict("records")`` gives it: the loaded table's cells are
# text, but a frame built in memory may hold numbers or NaN (pandas types every cell as Any).
FrameRecord: TypeAlias = Mapping[Hashable, Any]


class Row(TypedDict):
    """A checked record: typed values, the resolved index code and framework version."""

    year: int
    index: str
    version: str
    group: str
    unit: str
    component: str
    score: float | None  # None: a published rank without its score ("xếp thứ 10/63")
    max: float | None
    max_given: bool
    rank: int | None
    rating: str  # the published rating ("Xếp loại") when the data gives one
    source: str
    _file: str | None
    _sheet: str | None
    _row: int | None
    _column: str | None


class DatasetSummary(TypedDict):
    """What ``reportgen validate`` reports of a valid dataset."""

    indexes: list[str]
    years: list[int]
    units: int
    groups: dict[str, int]  # units per group
    rows: int
    warnings: int


@dataclass
class Dataset:
    """Validated scores, one row per (year, index, group, unit, component)."""

    frame: pd.DataFrame
    frameworks: Frameworks
    warnings: list[Issue] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    facts: Mapping[FactKey, GroupFact] = field(default_factory=dict)  # the groups table
    notes: Sequence[UserNote] = ()  # the clerk's causes and notes (the notes table)
    lineage: Lineage = field(default_factory=Lineage)  # which units continue which
    # lead agencies the data's ``responsible`` column gives, per (year, index, component)
    responsible: Mapping[ResponsibleKey, tuple[str, ...]] = field(default_factory=dict)

    def framework(self, index: str, year: int) -> Framework:
        fw = self.frameworks.for_year(index, year)
        if fw is None:  # validation guarantees every row has one
            raise KeyError((index, year))
        return fw

    @property
    def years(self) -> list[int]:
        return sorted(int(y) for y in self.frame["year"].unique())

    @property
    def units(self) -> list[str]:
        return [str(u) for u in self.frame["unit"].unique()]  # in the order of the data

    @property
    def groups(self) -> list[str]:
        return [str(g) for g in self.frame["group"].unique()]

    @property
    def indexes(self) -> list[str]:
        return [str(i) for i in self.frame["index"].unique()]

    def group_of(self, unit: str, year: int) -> str:
        """The unit's peer group that year (its first index's group)."""
        rows = self.frame[(self.frame["unit"] == unit) & (self.frame["year"] == year)]
        return str(rows["group"].iloc[0]) if len(rows) else DEFAULT_GROUP

    def summary(self) -> DatasetSummary:
        return {
            "indexes": self.indexes,
            "years": self.years,
            "units": len(self.units),
            "groups": {str(g): int(n) for g, n in
                       self.frame.groupby("group", sort=False)["unit"].nunique().items()},
            "rows": len(self.frame),
            "warnings": len(self.warnings),
        }


def _text(value: object) -> str | None:
    """A provenance cell as text; None for blanks and the NaN a mixed CSV/XLSX frame holds."""
    return value if isinstance(value, str) and value else None


def _loc(rec: FrameRecord | Row, column: str | None) -> Location:
    """Where a record came from. A wide-layout record's score sits in its component's column,
    so that column is named for score and component problems; others name their own column."""
    row: Any = rec.get("_row")  # a frame cell: the row number, or NaN/blank when unknown
    own = _text(rec.get("_column")) if column in (None, "score", "component") else None
    return Location(file=_text(rec.get("_file")), sheet=_text(rec.get("_sheet")),
                    row=int(row) if row not in (None, "") and not pd.isna(row) else None,
                    column=own or column)


class _Checker:
    """Row-by-row checks that accumulate issues; one instance per validation run."""

    def __init__(self, frameworks: Frameworks) -> None:
        self.frameworks = frameworks
        self.issues: list[Issue] = []
        self.known_indexes = [*frameworks.codes,
                              *(a for fw in frameworks.items for a in fw.aliases)]
        self.reported_columns: set[tuple[str | None, str | None, str]] = set()
        self.resolved: dict[tuple[str, str, str], str | None] = {}  # spelling → component

    def error(self, msg: str, rec: FrameRecord | Row, column: str | None, value: object = None,
              code: str = "") -> None:
        self.issues.append(Issue(msg, _loc(rec, column), value, "error", code))

    def warn(self, msg: str, rec: FrameRecord | Row, column: str | None, value: object = None,
             code: str = "") -> None:
        self.issues.append(Issue(msg, _loc(rec, column), value, "warning", code))

    def row(self, rec: FrameRecord) -> Row | None:
        """Check one record; return it typed, or None when it is unusable."""
        ok = True
        year = parse_number(rec["year"])
        if year is None or not float(year).is_integer() or not 1990 <= year <= 2100:
            self.error("năm phải là số nguyên (ví dụ 2024)", rec, "year", rec["year"], "bad_year")
            ok = False
        code = self.frameworks.resolve_code(rec["index"]) if rec["index"] else None
        if code is None:
            hint = did_you_mean(rec["index"], self.known_indexes) if rec["index"] else ""
            self.error(f"mã chỉ số không xác định.{hint} Nếu là chỉ số do tỉnh tự xác định, hãy "
                       "thêm tệp khung chỉ số vào thư mục frameworks/", rec, "index", rec["index"],
                       "unknown_index")
            return None
        if not rec["unit"]:
            self.error("thiếu tên đơn vị", rec, "unit", None, "missing_unit")
            ok = False
        if not ok or year is None:  # (year is None only when not ok)
            return None
        fw = self.frameworks.for_year(code, int(year))
        if fw is None:
            spans = "; ".join(f"{f.version}: {f.years_label}"
                              for f in self.frameworks.versions(code))
            self.error(f"không có khung chỉ số {code} cho năm {int(year)} (các phương pháp đã có: "
                       f"{spans}). Thêm tệp khung chỉ số cho phương pháp của năm này vào "
                       "frameworks/", rec, "year", int(year), "no_framework")
            return None
        component = self.component(rec, fw)
        if component is None:
            return None
        if component != TOTAL and _text(rec.get("_column")):
            rec = {**rec, "rank": "", "rating": ""}  # a wide row's rank is its total's
        rank = None
        if rec["rank"] and not is_missing_mark(rec["rank"]):
            rank = parse_number(rec["rank"])
            if rank is None or not float(rank).is_integer() or rank < 1:
                self.error("thứ hạng phải là số nguyên dương", rec, "rank", rec["rank"], "bad_rank")
                return None
        score = parse_number(rec["score"])
        missing = not rec["score"] or is_missing_mark(rec["score"])
        if score is None and missing and rank is not None and component == TOTAL:
            pass  # a published rank without its score: stated, nothing derived from a score
        elif score is None and is_missing_mark(rec["score"]):
            self.warn("không có điểm (ô ghi giá trị trống như 'N/A', '-') và không có thứ hạng; "
                      "đã bỏ qua dòng này", rec, "score", rec["score"], "no_value")
            return None
        elif score is None:
            what = "trống" if not rec["score"] else "không phải là số"
            hint = "; nếu chỉ có thứ hạng công bố, hãy ghi thứ hạng ở cột rank" if not rec[
                "score"] else ""
            self.error(f"điểm {what}{hint}", rec, "score", rec["score"], "bad_score")
            return None
        max_given = parse_number(rec["max_score"]) if rec["max_score"] else None
        if rec["max_score"] and max_given is None:
            self.error("điểm tối đa không phải là số", rec, "max_score", rec["max_score"],
                       "bad_max")
            return None
        maximum = max_given if max_given is not None else fw.max_of(component)
        if score is not None and score < 0:
            self.error("điểm không được âm", rec, "score", rec["score"], "score_negative")
            return None
        if score is not None and maximum is not None and score > maximum + 1e-9:
            self.error(f"điểm vượt điểm tối đa {maximum:g} của thành phần {component}", rec,
                       "score", rec["score"], "score_above_max")
            return None
        return {
            "year": int(year), "index": code, "version": fw.version,
            "group": rec["group"] or DEFAULT_GROUP, "unit": rec["unit"], "component": component,
            "score": float(score) if score is not None else None, "max": maximum,
            "max_given": max_given is not None,
            "rank": int(rank) if rank is not None else None,
            "rating": self.rating(rec, fw) if component == TOTAL else "",
            "source": rec.get("source", ""),
            "_file": rec.get("_file"), "_sheet": rec.get("_sheet"), "_row": rec.get("_row"),
            "_column": rec.get("_column"),
        }


    def component(self, rec: FrameRecord, fw: Framework) -> str | None:
        """The component code of a record: a code, TOTAL in any spelling ("Điểm PCI"), or a
        name the framework knows (published tables head columns with names); else None after a
        located error — once per column for a wide table's header."""
        text = str(rec["component"])
        if text == TOTAL or text in fw.components:  # the usual case: a code, no folding
            return text
        spelling = (fw.code, fw.version, text)
        if spelling not in self.resolved:  # each distinct spelling is resolved once
            self.resolved[spelling] = TOTAL if fold_total(text) or _names_total(text, fw) else (
                fw.component_code(text))
        code = self.resolved[spelling]
        if code is not None:
            return code
        column = _text(rec.get("_column"))
        if column is not None and column == text:  # a wide-layout header naming no component
            key = (_text(rec.get("_file")), _text(rec.get("_sheet")), column)
            if key not in self.reported_columns:
                self.reported_columns.add(key)
                hint = did_you_mean(text, [c.name for c in fw.components.values()])
                self.issues.append(Issue(
                    f"không nhận ra cột '{column}': cần là mã thành phần (1, 2, 1.1, …), tên "
                    f"thành phần theo khung {fw.code} ({fw.version}) hoặc TOTAL.{hint}",
                    Location(_text(rec.get("_file")), _text(rec.get("_sheet")), None, column),
                    column, "error", "unknown_column"))
            return None
        hint = did_you_mean(text, [TOTAL, *fw.components]) or (
            f" Các mã hợp lệ: TOTAL, {', '.join(list(fw.components)[:15])}.")
        self.error(f"mã thành phần không có trong khung {fw.code} ({fw.version}).{hint}", rec,
                   "component", text, "unknown_component")
        return None

    def rating(self, rec: FrameRecord, fw: Framework) -> str:
        """The published rating of a total, as the framework spells it; a value the framework
        does not know is a warning and is ignored (the rating is then computed)."""
        text = str(rec.get("rating") or "")
        if not text or is_missing_mark(text):
            return ""
        labels = {fold_code(g.label): g.label for g in fw.rating.groups}
        found = labels.get(fold_code(text)) or labels.get(fold_code(text.removeprefix("Nhóm ")))
        key = (_text(rec.get("_file")), _text(rec.get("_sheet")), "rating")
        if found is None and key not in self.reported_columns:  # once per file and sheet
            self.reported_columns.add(key)
            known = ", ".join(labels.values()) or "khung không có cách xếp loại"
            self.warn(f"xếp loại công bố không khớp nhóm xếp loại của khung {fw.code} ({known}); "
                      "cột xếp loại được bỏ qua ở những dòng như vậy", rec, "rating", text,
                      "unknown_rating")
        return found or ""


_TEXT_COLUMNS = ("year", "index", "unit", "component", "score", "max_score", "rank", "group",
                 "rating", "source")


def _per_value(column: pd.Series, fn: Callable[[Any], Any], dtype: type) -> np.ndarray:
    """``fn`` of every cell of ``column``, computed once per distinct value (a large file
    repeats its years, codes, scores and maxima on many rows)."""
    codes, values = pd.factorize(column, use_na_sentinel=False)
    return np.array([fn(v) for v in values], dtype=dtype)[codes]


def _year_of(text: str) -> float:
    year = parse_number(text)
    ok = year is not None and float(year).is_integer() and 1990 <= year <= 2100
    return float(year) if ok and year is not None else math.nan


def _number_of(text: str) -> float:
    number = parse_number(text) if text else None
    return math.nan if number is None else float(number)


def _rank_of(text: str) -> float:
    """A published rank; 0 for none (blank, 'N/A'), NaN when it is no positive integer."""
    if not text or is_missing_mark(text):
        return 0.0
    rank = parse_number(text)
    return float(rank) if rank is not None and float(rank).is_integer() and rank >= 1 else (
        math.nan)


def _own_max(fw: Framework, component: str) -> float | None:
    """The framework's maximum of a component code (None: unpublished, or no code)."""
    return fw.max_of(component) if component == TOTAL or component in fw.components else None


def _typed(table: pd.DataFrame, checker: _Checker) -> pd.DataFrame:
    """The usable rows of the loaded table, typed (:data:`COLUMNS` and ``max_given``), in the
    table's order. The common row — text cells, a known index, year and framework, a
    component code, numbers that read and fit — is checked column by column, each distinct
    cell value once; every other row goes through :meth:`_Checker.row`, which words its
    problems exactly as it always has (and in the order of the rows)."""
    n = len(table)
    fast = np.zeros(n, dtype=bool)
    columns: dict[str, Any] = {}
    textual = n > 0 and all(
        c in table and pd.api.types.infer_dtype(table[c], skipna=False) in ("string", "empty")
        for c in _TEXT_COLUMNS)
    if textual:
        year = _per_value(table["year"], _year_of, float)
        code = _per_value(table["index"], lambda v: (
            checker.frameworks.resolve_code(v) if v else None) or "", object)
        score = _per_value(table["score"], _number_of, float)
        max_text = (table["max_score"] != "").to_numpy(dtype=bool)
        given = _per_value(table["max_score"], _number_of, float)
        rank = _per_value(table["rank"], _rank_of, float)
        wide = _per_value(table["_column"], lambda v: _text(v) is not None, bool) if (
            "_column" in table) else np.zeros(n, dtype=bool)
        rated = (table["rating"] != "").to_numpy(dtype=bool)
        component = table["component"].to_numpy(dtype=object)
        ok = (~np.isnan(year) & (code != "") & (table["unit"] != "").to_numpy(dtype=bool)
              & ~np.isnan(score) & (score >= 0) & ~(max_text & np.isnan(given))
              & ~np.isnan(rank) & ~wide)
        maximum = np.where(max_text, given, math.nan)
        version = np.full(n, "", dtype=object)
        candidates = np.flatnonzero(ok)
        pairs = pd.DataFrame({"code": code[candidates], "year": year[candidates]})
        for key, where in pairs.groupby(["code", "year"], sort=False).indices.items():
            index, y = cast(tuple[str, float], key)
            fw = checker.frameworks.for_year(index, int(y))
            if fw is None:
                continue  # worded by the row check
            at = candidates[where]
            comp = pd.Series(component[at])
            known = comp.isin([TOTAL, *fw.components]).to_numpy(dtype=bool)
            default = _per_value(comp, partial(_own_max, fw), float)
            top = np.where(max_text[at], maximum[at], default)
            fits = np.isnan(top) | (score[at] <= top + 1e-9)
            own_rating = rated[at] & (comp == TOTAL).to_numpy(dtype=bool)  # checked by row
            keep = known & fits & ~own_rating
            fast[at[keep]] = True
            maximum[at[keep]] = top[keep]
            version[at[keep]] = fw.version
        group = table["group"].to_numpy(dtype=object)
        columns = {
            "year": year[fast].astype(int), "index": code[fast], "version": version[fast],
            "group": np.where(group[fast] == "", DEFAULT_GROUP, group[fast]),
            "unit": table["unit"].to_numpy(dtype=object)[fast], "component": component[fast],
            "score": score[fast], "max": maximum[fast], "max_given": max_text[fast],
            "rank": pd.array(np.where(rank[fast] > 0, rank[fast], math.nan), dtype="Int64"),
            "rating": np.full(int(fast.sum()), "", dtype=object),
            "source": table["source"].to_numpy(dtype=object)[fast],
            **{c: (table[c].to_numpy()[fast] if c in table else None)
               for c in ("_file", "_sheet", "_row", "_column")},
            "_position": np.flatnonzero(fast),
        }
    slow = np.flatnonzero(~fast)
    rows: list[dict[str, Any]] = []
    if len(slow):
        for position, rec in zip(slow, table.iloc[slow].to_dict("records"), strict=True):
            checked = checker.row(rec)
            if checked is not None:
                rows.append({**checked, "_position": position})
    frame = pd.DataFrame(columns, copy=False) if columns else pd.DataFrame(
        columns=[*COLUMNS, "max_given", "_position"])
    if rows:
        frame = pd.concat([frame, pd.DataFrame.from_records(rows)], ignore_index=True)
        frame = frame.sort_values("_position", kind="stable").reset_index(drop=True)
    frame = frame.drop(columns="_position")
    for name, dtype in (("rank", "Int64"), ("year", "int64"), ("score", "float64"),
                        ("max", "float64"), ("max_given", "bool")):
        if frame[name].dtype != dtype:  # (a frame of the fast path is typed already)
            frame[name] = frame[name].astype(cast(Any, dtype))
    return frame


def _names_total(text: str, fw: Framework) -> bool:
    """"Điểm PCI", "Chỉ số PAPI", "PCI": a published table's column of the index's total."""
    key = re.sub(r"(19|20)\d\d$", "", fold(text))  # "PCI 2024", "Điểm PAR INDEX 2024"
    names = {fold(a) for a in (fw.code, fw.short_name, *fw.aliases)}
    return key in names or any(key in (f"diem{n}", f"chiso{n}", f"tongdiem{n}") for n in names)




def _records(frame: pd.DataFrame) -> list[Row]:
    """Rows of the typed frame as :class:`Row` records (None for a missing score, maximum or
    rank): the few rows a check words a message about."""
    out = []
    for rec in frame.to_dict("records"):
        rec["score"] = None if pd.isna(rec["score"]) else float(rec["score"])
        rec["max"] = None if pd.isna(rec["max"]) else float(rec["max"])
        rec["rank"] = None if pd.isna(rec["rank"]) else int(rec["rank"])
        out.append(cast(Row, rec))
    return out


def _check_duplicates(frame: pd.DataFrame, checker: _Checker) -> pd.DataFrame:
    """Same unit/component/year twice: identical values are a warning, different an error.
    Returns the frame without the repeats (the first of each is kept)."""
    keys = ["year", "index", "unit", "component"]
    repeated = frame.duplicated(keys, keep="first")
    if not repeated.any():
        return frame
    seen: dict[tuple[int, str, str, str], Row] = {}
    for r in _records(frame[frame.duplicated(keys, keep=False)]):  # only keys seen twice
        key = (r["year"], r["index"], r["unit"], r["component"])
        first = seen.get(key)
        if first is None:
            seen[key] = r
            continue
        where = f"dòng {first['_row']}" + (
            f" của {first['_file']}" if first["_file"] != r["_file"] else "")
        if _differ(first, r):
            shown = first["score"] if first["score"] is not None else first["rank"]
            checker.error(f"{r['unit']} / {r['index']} / {r['component']} / {r['year']} đã có ở "
                          f"{where} với giá trị khác ({shown:g})", r, "score", r["score"],
                          "duplicate")
        else:
            checker.warn(f"dòng lặp lại, trùng hoàn toàn với {where}; đã bỏ qua", r, None, None,
                         "duplicate_identical")
    return frame[~repeated]


def _differ(a: Row, b: Row) -> bool:
    """Two rows of one unit/component/year that say different things."""
    if (a["score"] is None) != (b["score"] is None) or a["group"] != b["group"]:
        return True
    if a["score"] is not None and b["score"] is not None:
        return abs(a["score"] - b["score"]) > 1e-9
    return a["rank"] != b["rank"]


def _check_maxima(frame: pd.DataFrame, checker: _Checker) -> None:
    """Every score needs a maximum, and one component has one maximum per year. A maximum
    derived from the children is written into ``frame``."""
    keys = ["year", "index", "component"]
    given = frame.loc[frame["max_given"] & frame["max"].notna(), [*keys, "max"]]
    # only components given more than one maximum can conflict: checked row by row
    several = given.groupby(keys, sort=False)["max"].transform("nunique") > 1
    maxima: dict[tuple[int, str, str], tuple[float, Row]] = {}
    for r in _records(frame.loc[given.index[several.to_numpy(dtype=bool)]]):
        key = (r["year"], r["index"], r["component"])
        value = cast(float, r["max"])  # a given maximum is never None
        if key in maxima and abs(maxima[key][0] - value) > 1e-9:
            checker.error(f"điểm tối đa của {r['index']} {r['component']} năm {r['year']} khác "
                          f"với dòng {maxima[key][1]['_row']} ({maxima[key][0]:g})", r,
                          "max_score", r["max"], "max_conflict")
        maxima.setdefault(key, (value, r))
    lacking = frame[frame["max"].isna() & frame["score"].notna()]  # a rank alone needs none
    if lacking.empty:
        return
    first_given = given.drop_duplicates(keys, keep="first")
    first_max = {(int(y), str(i), str(c)): float(m)
                 for y, i, c, m in zip(first_given["year"], first_given["index"],
                                       first_given["component"], first_given["max"], strict=True)}
    has_max = frame[frame["max"].notna()].drop_duplicates(keys, keep="last")  # the last wins
    known = {(int(y), str(i), str(c)): float(m)
             for y, i, c, m in zip(has_max["year"], has_max["index"], has_max["component"],
                                   has_max["max"], strict=True)}
    labels, values = [], []
    for label, r in zip(lacking.index, _records(lacking), strict=True):
        key = (r["year"], r["index"], r["component"])
        derived = _max_from_children(r, known, checker.frameworks)
        if derived is None:
            derived = first_max.get(key)
        if derived is None:
            checker.error(f"không có điểm tối đa cho {r['index']} {r['component']} năm "
                          f"{r['year']}: khung chỉ số chưa công bố, hãy điền cột max_score", r,
                          "max_score", None, "missing_max")
            continue
        r["max"] = derived
        labels.append(label)
        values.append(derived)
        if r["score"] is not None and r["score"] > derived + 1e-9:
            checker.error(f"điểm vượt điểm tối đa {r['max']:g} của thành phần {r['component']}",
                          r, "score", r["score"], "score_above_max")
    if labels:
        frame.loc[labels, "max"] = values


def _max_from_children(r: Row, known: dict[tuple[int, str, str], float],
                       frameworks: Frameworks) -> float | None:
    """An unpublished parent maximum is the sum of its children's maxima (additive indexes)."""
    fw = frameworks.for_year(r["index"], r["year"])
    if fw is None or not fw.additive:
        return None
    kids = [c.code for c in fw.top_level()] if r["component"] == TOTAL else [
        c.code for c in fw.children(r["component"])]
    values = [known.get((r["year"], r["index"], k)) for k in kids]
    present = [v for v in values if v is not None]
    return round(sum(present), 6) if kids and len(present) == len(values) else None


def _check_years(frame: pd.DataFrame, loaded: Loaded, checker: _Checker) -> None:
    """A (year, index) whose rows are all unusable means that year has no data."""
    raw_years: defaultdict[int, int] = defaultdict(int)
    for value, count in loaded.frame["year"].value_counts().items():  # each spelling once
        y = parse_number(value)
        if y is not None:
            raw_years[int(y)] += int(count)
    good_years = {int(cast(int, y)): int(n) for y, n in frame["year"].value_counts().items()}
    for y, n in sorted(raw_years.items()):
        if not good_years.get(y):
            checker.issues.append(Issue(f"năm {y} không có dòng điểm hợp lệ nào ({n} dòng đều lỗi)",
                                        Location(file=", ".join(loaded.sources)), y, "error",
                                        "year_without_data"))


def _check_published_ranks(frame: pd.DataFrame, frameworks: Frameworks,
                           facts: Mapping[FactKey, GroupFact], checker: _Checker) -> None:
    """A published rank that disagrees with the rank computed from the scores of the whole
    group is a warning; in a group only part of which is loaded, a published rank can only
    be checked for order (a better score with a worse rank)."""
    ranked = frame["rank"].notna()
    if not ranked.any():
        return
    keys = ["year", "index", "group", "component"]
    with_ranks = ranked.groupby([frame[k] for k in keys], sort=False).transform("any")
    for key, part in frame[with_ranks].groupby(keys, sort=False):  # the groups with a rank
        year, index, group, component = cast(tuple[int, str, str, str], key)
        fact = facts.get((int(year), index, group, component)) or facts.get(
            (int(year), index, group, TOTAL))
        fw = frameworks.for_year(index, int(year))
        known = fw.group_size(group, int(year)) if fw else None
        size = fact.size if fact else (known.size if known and known.size >= len(part) else None)
        whole = (size is None or size <= len(part)) and not part["score"].isna().any() and (
            int(part["rank"].max()) <= len(part))
        if not whole:
            _check_rank_order(part, checker)
            continue
        computed = rank_map(dict(zip(part["unit"], part["score"], strict=True)))
        for rec in part[part["rank"].notna()].to_dict("records"):
            if int(rec["rank"]) != computed[rec["unit"]]:
                checker.warn(f"thứ hạng công bố {int(rec['rank'])} khác thứ hạng tính từ điểm "
                             f"({computed[rec['unit']]}) trong nhóm '{rec['group']}'; dùng thứ "
                             "hạng công bố", rec, "rank", int(rec["rank"]), "rank_mismatch")


def _check_rank_order(part: pd.DataFrame, checker: _Checker) -> None:
    """Published ranks of part of a group: a unit ranked after one it outscores is a warning."""
    ranked = part[part["rank"].notna() & part["score"].notna()].sort_values("rank")
    lowest: FrameRecord | None = None  # the lowest score among the better-ranked units
    for rec in ranked.to_dict("records"):
        score, rank = float(rec["score"]), int(rec["rank"])
        if lowest is not None and score > float(lowest["score"]) + 1e-9 and (
                rank > int(lowest["rank"])):
            checker.warn(f"thứ hạng công bố {rank} thấp hơn thứ hạng của {lowest['unit']} "
                         f"({int(lowest['rank'])}) dù điểm cao hơn ({score:g} so với "
                         f"{float(lowest['score']):g})", rec, "rank", rank, "rank_order")
        if lowest is None or score < float(lowest["score"]):
            lowest = rec


def _check_sums(frame: pd.DataFrame, frameworks: Frameworks, checker: _Checker) -> None:
    """For additive indexes, top-level components should add up to the TOTAL."""
    scored = frame.loc[frame["score"].notna(), ["year", "index", "unit", "component", "score"]]
    suspects: list[tuple[int, str, str]] = []
    for key, part in scored.groupby(["year", "index"], sort=False):
        year, index = cast(tuple[int, str], key)
        fw = frameworks.for_year(index, int(year))
        if fw is None or not fw.additive:
            continue
        tops = [c.code for c in fw.top_level()]
        # the units whose sum may be off, found column-wise; each is then checked as before
        sums = part[part["component"].isin(tops)].groupby("unit", sort=False)["score"].agg(
            ["sum", "count"])
        totals = part[part["component"] == TOTAL].groupby("unit", sort=False)["score"].first()
        both = sums.join(totals.rename("total"), how="right")
        both = both.fillna({"sum": 0.0, "count": 0})
        near = both[(both["count"] == len(tops)) & (
            (both["sum"] - both["total"]).abs() > SUM_TOLERANCE - 1e-6)]
        suspects.extend((int(year), str(index), str(u)) for u in near.index)
    if not suspects:
        return
    keys = ["year", "index", "unit"]
    wanted = pd.MultiIndex.from_tuples(suspects, names=keys)
    rows = frame.loc[scored.index[pd.MultiIndex.from_frame(scored[keys]).isin(wanted)]]
    order = frame[keys].drop_duplicates()  # the units in the order they first appear
    first = {(int(y), str(i), str(u)): n for n, (y, i, u) in enumerate(
        zip(order["year"], order["index"], order["unit"], strict=True))}
    parts = sorted(rows.groupby(keys, sort=False),
                   key=lambda kp: first[cast(tuple[int, str, str], kp[0])])
    for key, part in parts:
        year, index, unit = cast(tuple[int, str, str], key)
        fw = frameworks.for_year(index, int(year))
        if fw is None:
            continue
        scores = dict(zip(part["component"], part["score"], strict=True))
        tops = [c.code for c in fw.top_level()]
        if TOTAL in scores and all(c in scores for c in tops):
            total = sum(scores[c] for c in tops)
            if abs(total - scores[TOTAL]) > SUM_TOLERANCE:
                rec = part[part["component"] == TOTAL].iloc[0].to_dict()
                checker.warn(f"tổng điểm các thành phần của {unit} ({total:.2f}) khác điểm TOTAL "
                             f"({scores[TOTAL]:.2f})", rec, "score", scores[TOTAL], "sum_mismatch")


def _check_completeness(frame: pd.DataFrame, frameworks: Frameworks,
                        facts: Mapping[FactKey, GroupFact], checker: _Checker) -> None:
    """A group whose units are not all in the data is a warning (with its counts): the
    report then states only published ranks and figures, or labels what it computes."""
    totals = frame[frame["component"] == TOTAL]
    for key, part in totals.groupby(["year", "index", "group"], sort=False):
        year, index, group = cast(tuple[int, str, str], key)
        loaded = int(part["unit"].nunique())
        scored = int(part["score"].notna().sum())
        fact = facts.get((int(year), index, group, TOTAL))
        fw = frameworks.for_year(index, int(year))
        known = fw.group_size(group, int(year)) if fw else None
        size = fact.size if fact else (known.size if known and known.size >= loaded else None)
        highest = int(part["rank"].max()) if part["rank"].notna().any() else 0
        where = Location(file=", ".join(sorted({str(f) for f in part["_file"] if f})) or None)
        if size is not None and scored < size:
            origin = "bảng groups" if fact else f"khung {index}: {known.source if known else ''}"
            checker.issues.append(Issue(
                f"nhóm '{group}' có kết quả {index} năm {year} của {loaded}/{size} đơn vị "
                f"({origin}): báo cáo chỉ dùng thứ hạng, số liệu công bố của nhóm", where, loaded,
                "warning", "group_incomplete"))
        elif size is None and (highest > scored or scored < loaded):
            checker.issues.append(Issue(
                f"nhóm '{group}' có kết quả {index} năm {year} của {loaded} đơn vị nhưng thứ hạng "
                f"công bố đến {highest}: dữ liệu chưa đủ cả nhóm. Thêm bảng groups (số đơn vị, "
                "điểm trung bình công bố…) để báo cáo nêu đúng số liệu của cả nhóm", where, loaded,
                "warning", "group_incomplete"))


COLUMNS = ["year", "index", "version", "group", "unit", "component", "score", "max", "rank",
           "rating", "source", "_file", "_sheet", "_row", "_column"]


def validate(loaded: Loaded, frameworks: Frameworks, strict: bool = False) -> Dataset:
    """Check everything; raise :class:`DataError` listing all errors, or return the dataset."""
    checker = _Checker(frameworks)
    checker.issues.extend(loaded.issues)
    loaded = screen(loaded, checker.issues)  # names, groups, maxima: what breaks a render
    criteria = find_criteria(loaded.frame, frameworks, checker.issues)  # codes below the tree
    frameworks = checker.frameworks = frameworks.extended(criteria.added)
    frame = _check_duplicates(_typed(criteria.apply(loaded.frame), checker), checker)
    _check_maxima(frame, checker)
    _check_years(frame, loaded, checker)
    if loaded.frame.empty and not loaded.issues:
        checker.issues.append(Issue("dữ liệu không có dòng nào",
                                    Location(file=", ".join(loaded.sources)), code="empty_file"))
    frame = frame[COLUMNS].reset_index(drop=True)
    facts = check_groups(loaded.groups, frame, frameworks, DEFAULT_GROUP, checker.issues)
    notes = check_notes(loaded.notes, [str(u) for u in frame["unit"].unique()], frameworks,
                        checker.issues)
    lineage = check_lineage(loaded.lineage, frame, checker.issues)
    _check_published_ranks(frame, frameworks, facts, checker)
    _check_sums(frame, frameworks, checker)
    _check_completeness(frame, frameworks, facts, checker)
    errors = [i for i in checker.issues if i.severity == "error"]
    warnings = [i for i in checker.issues if i.severity == "warning"]
    if strict and warnings:  # --strict: every warning is an error, and counted as one
        errors += [replace(w, severity="error") for w in warnings]
        warnings = []
    if errors:
        raise DataError(errors + warnings)
    return Dataset(frame, frameworks, warnings, loaded.sources, facts, notes, lineage=lineage,
                   responsible=criteria.responsible)
