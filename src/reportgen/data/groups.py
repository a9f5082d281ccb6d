"""Published facts about whole peer groups: the optional ``groups`` table.

A province rarely holds the results of every province: it holds its own row, the published
rank and the figures the Ministry (or VCCI, UNDP) publishes about the whole group — how many
units were assessed, the national mean, the leader. This table carries those facts, so the
report states them as published instead of computing them from the few rows loaded.

Columns (one row per year, index, group and — optionally — component): ``year, index, group,
size`` required (an empty ``group`` is the data's default group); ``mean, median, max, min,
best_unit, worst_unit, source, component`` optional. It is a sheet ``groups`` of an .xlsx or a
``groups.csv`` beside the scores in a data folder. Reading keeps each cell's text and location;
:func:`check_groups` types and checks the rows against the scores and the frameworks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

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

GROUPS_SHEET = "groups"
# File stems (folded) of a groups table in a data folder.
GROUPS_FILES = frozenset({"groups", "nhom", "thongtinnhom", "nhomdonvi"})

REQUIRED = ("year", "index", "group", "size")
OPTIONAL = ("component", "mean", "median", "max", "min", "best_unit", "worst_unit", "source")
COLUMNS = REQUIRED + OPTIONAL
NUMBERS = ("mean", "median", "max", "min")

# Header spellings (folded: lower case, no accents, alphanumeric only) → column.
HEADER_ALIASES = {
    "year": "year", "nam": "year",
    "index": "index", "chiso": "index", "machiso": "index",
    "group": "group", "nhom": "group", "nhomdonvi": "group", "khoi": "group",
    "size": "size", "n": "size", "soluong": "size", "sodonvi": "size", "sodonvixephang": "size",
    "tongsodonvi": "size", "soluongdonvi": "size",
    "component": "component", "thanhphan": "component", "mathanhphan": "component",
    "mean": "mean", "trungbinh": "mean", "diemtrungbinh": "mean", "binhquan": "mean",
    "median": "median", "trungvi": "median",
    "max": "max", "caonhat": "max", "diemcaonhat": "max",
    "min": "min", "thapnhat": "min", "diemthapnhat": "min",
    "bestunit": "best_unit", "dandau": "best_unit", "donvidandau": "best_unit",
    "worstunit": "worst_unit", "cuoibang": "worst_unit", "donvithapnhat": "worst_unit",
    "donvicuoibang": "worst_unit",
    "source": "source", "nguon": "source", "nguonsolieu": "source",
}


GroupRecord = SideRecord  # one row of the groups table as read


@dataclass(frozen=True)
class GroupFact:
    """What is published about one group of one index in one year (one component, or the
    TOTAL): its size and, where given, its statistics, best and worst units, and source."""

    year: int
    index: str
    group: str
    component: str
    size: int
    mean: float | None = None
    median: float | None = None
    max: float | None = None
    min: float | None = None
    best_unit: str | None = None
    worst_unit: str | None = None
    source: str = ""


FactKey = tuple[int, str, str, str]  # year, index code, group, component


def is_groups_file(stem: str) -> bool:
    """Whether a data-folder file (by its stem) holds the groups table, not scores."""
    return fold(stem) in GROUPS_FILES


def read_groups_table(table: Sequence[Sequence[object]], where: Location,
                      issues: list[Issue]) -> list[GroupRecord]:
    """A sheet or CSV of the groups table (first non-blank row = headers) → records."""
    return read_side_table(table, where, aliases=HEADER_ALIASES, required=REQUIRED,
                           columns=COLUMNS, title="bảng thông tin nhóm", code="groups",
                           issues=issues, warn_unknown=True)


def _fact(rec: GroupRecord, frameworks: Frameworks, default_group: str,
          issues: list[Issue]) -> GroupFact | None:
    """One record typed, or None (with its located errors) when it is unusable."""
    c = rec["cells"]

    def error(message: str, column: str, value: object = None, code: str = "") -> None:
        issues.append(Issue(message, located(rec, column), value, "error", code))

    year = parse_number(c.get("year", ""))
    if year is None or not float(year).is_integer():
        error("năm phải là số nguyên (ví dụ 2024)", "year", c.get("year"), "groups_bad_year")
        return None
    code = frameworks.resolve_code(c.get("index", ""))
    if code is None:
        known = [*frameworks.codes, *(a for fw in frameworks.items for a in fw.aliases)]
        error(f"mã chỉ số không xác định.{did_you_mean(c.get('index', ''), known)}", "index",
              c.get("index"), "groups_unknown_index")
        return None
    size = parse_number(c.get("size", ""))
    if size is None or not float(size).is_integer() or size < 1:
        error("số đơn vị của nhóm phải là số nguyên dương", "size", c.get("size"),
              "groups_bad_size")
        return None
    component = c.get("component", "") or TOTAL
    if fold_total(component):
        component = TOTAL
    fw = frameworks.for_year(code, int(year))
    if component != TOTAL and fw is not None and component not in fw.components:
        error(f"mã thành phần không có trong khung {code} ({fw.version})."
              f"{did_you_mean(component, list(fw.components))}", "component", component,
              "groups_unknown_component")
        return None
    numbers: dict[str, float | None] = {}
    for name in NUMBERS:
        text = c.get(name, "")
        numbers[name] = parse_number(text) if text else None
        if text and numbers[name] is None:
            error("không phải là số", name, text, "groups_bad_number")
            return None
    return GroupFact(year=int(year), index=code, group=c.get("group", "") or default_group,
                     component=component, size=int(size), mean=numbers["mean"],
                     median=numbers["median"], max=numbers["max"], min=numbers["min"],
                     best_unit=c.get("best_unit") or None, worst_unit=c.get("worst_unit") or None,
                     source=c.get("source", ""))


def _consistency(fact: GroupFact, rec: GroupRecord, issues: list[Issue]) -> bool:
    """The published statistics must agree with each other (mean within min–max…)."""
    def error(message: str, column: str, value: object) -> None:
        issues.append(Issue(message, located(rec, column), value, "error", "groups_inconsistent"))

    lo, hi = fact.min, fact.max
    if lo is not None and hi is not None and lo > hi:
        error(f"điểm thấp nhất ({lo:g}) lớn hơn điểm cao nhất ({hi:g})", "min", lo)
        return False
    for name in ("mean", "median"):
        value = getattr(fact, name)
        if value is None:
            continue
        if (lo is not None and value < lo - 1e-9) or (hi is not None and value > hi + 1e-9):
            error(f"giá trị nằm ngoài khoảng từ điểm thấp nhất đến điểm cao nhất "
                  f"({'' if lo is None else f'{lo:g}'}–{'' if hi is None else f'{hi:g}'})",
                  name, value)
            return False
    return True


def _against_scores(fact: GroupFact, rec: GroupRecord, scores: pd.DataFrame,
                    issues: list[Issue]) -> None:
    """The table must agree with the scores: no more units loaded than the group has, no
    published rank beyond its size, no loaded score outside the published range."""
    part = scores[(scores["year"] == fact.year) & (scores["index"] == fact.index)
                  & (scores["group"] == fact.group) & (scores["component"] == fact.component)]
    if part.empty:
        groups = sorted(set(scores.loc[(scores["year"] == fact.year)
                                       & (scores["index"] == fact.index), "group"]))
        hint = did_you_mean(fact.group, groups) or (
            f" Các nhóm có điểm {fact.index} năm {fact.year}: {', '.join(groups)}." if groups
            else f" Dữ liệu không có điểm {fact.index} năm {fact.year}.")
        issues.append(Issue(f"nhóm '{fact.group}' không có điểm {fact.index} "
                            f"({fact.component}) năm {fact.year} trong dữ liệu; dòng này không "
                            f"được dùng.{hint}", located(rec, "group"), fact.group, "warning",
                            "groups_unused"))
        return
    loaded = int(part["unit"].nunique())
    if loaded > fact.size:
        issues.append(Issue(f"nhóm '{fact.group}' được khai báo {fact.size} đơn vị nhưng dữ liệu "
                            f"có {loaded} đơn vị có kết quả {fact.index} năm {fact.year}",
                            located(rec, "size"), fact.size, "error", "groups_size_too_small"))
    ranks = part["rank"].dropna()
    if len(ranks) and int(ranks.max()) > fact.size:
        issues.append(Issue(f"thứ hạng công bố {int(ranks.max())} lớn hơn số đơn vị của nhóm "
                            f"({fact.size})", located(rec, "size"), fact.size, "error",
                            "groups_size_below_rank"))
    present = part["score"].dropna()
    if len(present):
        top, bottom = float(present.max()), float(present.min())
        if fact.max is not None and top > fact.max + 1e-9:
            issues.append(Issue(f"điểm cao nhất công bố ({fact.max:g}) thấp hơn điểm của một đơn "
                                f"vị trong dữ liệu ({top:g})", located(rec, "max"), fact.max,
                                "error", "groups_max_below_score"))
        if fact.min is not None and bottom < fact.min - 1e-9:
            issues.append(Issue(f"điểm thấp nhất công bố ({fact.min:g}) cao hơn điểm của một đơn "
                                f"vị trong dữ liệu ({bottom:g})", located(rec, "min"), fact.min,
                                "error", "groups_min_above_score"))


def check_groups(records: Iterable[GroupRecord], scores: pd.DataFrame, frameworks: Frameworks,
                 default_group: str, issues: list[Issue]) -> dict[FactKey, GroupFact]:
    """Type the groups table and check it against itself, the frameworks and the scores;
    problems go to ``issues`` (located), usable facts are returned keyed by (year, index,
    group, component)."""
    facts: dict[FactKey, GroupFact] = {}
    first_row: dict[FactKey, GroupRecord] = {}
    for rec in records:
        fact = _fact(rec, frameworks, default_group, issues)
        if fact is None or not _consistency(fact, rec, issues):
            continue
        key = (fact.year, fact.index, fact.group, fact.component)
        if key in facts:
            other = first_row[key]
            issues.append(Issue(f"nhóm '{fact.group}' / {fact.index} / {fact.component} / "
                                f"{fact.year} đã có ở dòng {other['row']}", located(rec, "group"),
                                fact.group, "error", "groups_duplicate"))
            continue
        facts[key] = fact
        first_row[key] = rec
        _against_scores(fact, rec, scores, issues)
    return facts


def facts_table(facts: Mapping[FactKey, GroupFact]) -> list[dict[str, object]]:
    """The facts as plain rows (the ``validate`` summary, tests)."""
    return [{"year": f.year, "index": f.index, "group": f.group, "component": f.component,
             "size": f.size, "mean": f.mean, "source": f.source} for f in facts.values()]
