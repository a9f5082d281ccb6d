"""Which units continue which: the optional ``lineage`` table (the 2025 reorganisation).

On 1/7/2025 63 provinces became 34, communes were merged, and in March 2025 departments were
merged, renamed or split. A result of 2025 can then only be compared with what its
predecessors achieved in 2024. The table says so, one row per (new unit, predecessor): from
``year`` on, ``unit`` continues ``predecessor``; ``weight`` (a share: the weights of a unit sum
to 1, e.g. by population), ``kind`` (merge, rename, split) and ``source`` are optional. A unit
that kept its name but absorbed others lists itself among its predecessors. It is a sheet
``lineage`` of an .xlsx or a ``lineage.csv`` beside the scores; :func:`check_lineage` types the
rows and checks them against the scores.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from reportgen.data.text import SideRecord, fold, located, parse_number, read_side_table
from reportgen.errors import Issue, Location, did_you_mean

LINEAGE_SHEET = "lineage"
LINEAGE_FILES = frozenset({"lineage", "kethua", "sapxep", "sapnhap", "hopnhat", "donvitruoc"})
REQUIRED = ("year", "unit", "predecessor")
COLUMNS = (*REQUIRED, "weight", "kind", "source")
WEIGHT_TOLERANCE = 0.005  # weights are shares: they sum to 1 give or take rounding

HEADER_ALIASES = {
    "year": "year", "nam": "year", "tunam": "year",
    "unit": "unit", "donvi": "unit", "donvimoi": "unit", "tinh": "unit",
    "predecessor": "predecessor", "donvitruoc": "predecessor", "donvicu": "predecessor",
    "truocsapxep": "predecessor", "donvitruocsapxep": "predecessor", "tiennhiem": "predecessor",
    "weight": "weight", "trongso": "weight", "tytrong": "weight",
    "kind": "kind", "loai": "kind", "hinhthuc": "kind",
    "source": "source", "nguon": "source", "cancu": "source",
}
KINDS = {
    "merge": "merge", "hopnhat": "merge", "sapnhap": "merge", "nhapvao": "merge",
    "rename": "rename", "doiten": "rename",
    "split": "split", "tach": "split", "chiatach": "split",
}

LineageRecord = SideRecord  # one row of the lineage table as read


@dataclass(frozen=True)
class Link:
    """From ``year`` on, ``unit`` continues ``predecessor`` (with its share ``weight``)."""

    year: int
    unit: str
    predecessor: str
    weight: float | None = None
    kind: str = ""  # merge | rename | split; "" when the table does not say
    source: str = ""


@dataclass(frozen=True)
class Succession:
    """The predecessors a unit continues from ``year`` on, and how (``kind``)."""

    year: int
    unit: str
    links: tuple[Link, ...]
    kind: str  # merge | rename | split

    @property
    def predecessors(self) -> tuple[str, ...]:
        return tuple(link.predecessor for link in self.links)

    @property
    def weights(self) -> tuple[float, ...] | None:
        """The declared shares, when every predecessor has one."""
        values = [link.weight for link in self.links]
        return None if any(w is None for w in values) else tuple(w or 0.0 for w in values)


@dataclass(frozen=True)
class Lineage:
    """Every succession of the dataset, by unit."""

    links: tuple[Link, ...] = ()
    _by_unit: Mapping[str, tuple[Succession, ...]] = field(default_factory=dict, repr=False)

    @classmethod
    def of(cls, links: Sequence[Link]) -> Lineage:
        """Group the links by (unit, year) and name each succession's kind."""
        grouped: dict[tuple[str, int], list[Link]] = {}
        for link in links:
            grouped.setdefault((link.unit, link.year), []).append(link)
        heirs: dict[tuple[str, int], int] = {}
        for link in links:
            key = (link.predecessor, link.year)
            heirs[key] = heirs.get(key, 0) + 1
        by_unit: dict[str, list[Succession]] = {}
        for (unit, year), own in grouped.items():
            by_unit.setdefault(unit, []).append(
                Succession(year, unit, tuple(own), _kind(own, heirs)))
        return cls(tuple(links), {u: tuple(sorted(s, key=lambda s: s.year))
                                  for u, s in by_unit.items()})

    def succession(self, unit: str, year: int, before: int) -> Succession | None:
        """The succession that separates ``unit`` in ``year`` from ``before`` (an earlier
        year): the latest one taking effect after ``before`` and by ``year``."""
        found = [s for s in self._by_unit.get(unit, ()) if before < s.year <= year]
        return found[-1] if found else None

    def successions(self, unit: str) -> tuple[Succession, ...]:
        """The unit's successions, earliest first."""
        return self._by_unit.get(unit, ())

    def __bool__(self) -> bool:
        return bool(self.links)


def _kind(own: Sequence[Link], heirs: Mapping[tuple[str, int], int]) -> str:
    """A declared kind wins; else several predecessors merge, a predecessor shared with other
    units splits, and a single one is renamed."""
    declared = next((link.kind for link in own if link.kind), "")
    if declared:
        return declared
    if len(own) > 1:
        return "merge"
    return "split" if heirs.get((own[0].predecessor, own[0].year), 0) > 1 else "rename"


def is_lineage_file(stem: str) -> bool:
    """Whether a data-folder file (by its stem) holds the lineage table, not scores."""
    return fold(stem) in LINEAGE_FILES


def read_lineage_table(table: Sequence[Sequence[object]], where: Location,
                       issues: list[Issue]) -> list[LineageRecord]:
    """A sheet or CSV of the lineage table (first non-blank row = headers) → records."""
    return read_side_table(table, where, aliases=HEADER_ALIASES, required=REQUIRED,
                           columns=COLUMNS, title="bảng kế thừa đơn vị (lineage)",
                           code="lineage", issues=issues, warn_unknown=True)


def _link(rec: LineageRecord, issues: list[Issue]) -> Link | None:
    """One row typed, or None with a located error."""
    c = rec["cells"]

    def error(message: str, column: str, value: object, code: str) -> None:
        issues.append(Issue(message, located(rec, column), value, "error", code))

    year = parse_number(c.get("year", ""))
    if year is None or not float(year).is_integer():
        error("năm phải là số nguyên (ví dụ 2025: năm đầu tiên đơn vị mới có kết quả)", "year",
              c.get("year"), "lineage_bad_year")
        return None
    if not c.get("unit") or not c.get("predecessor"):
        column = "unit" if not c.get("unit") else "predecessor"
        error("thiếu tên đơn vị" if column == "unit" else "thiếu tên đơn vị trước sắp xếp",
              column, None, "lineage_empty")
        return None
    weight = None
    if c.get("weight"):
        weight = parse_number(c["weight"])
        if weight is None or weight <= 0:
            error("trọng số phải là số dương (tỷ trọng, ví dụ 0,6 theo dân số)", "weight",
                  c["weight"], "lineage_bad_weight")
            return None
    kind = ""
    if c.get("kind"):
        kind = KINDS.get(fold(c["kind"]), "")
        if not kind:
            error("hình thức phải là 'hợp nhất' (merge), 'đổi tên' (rename) hoặc 'chia tách' "
                  "(split)", "kind", c["kind"], "lineage_bad_kind")
            return None
    return Link(int(year), c["unit"], c["predecessor"], weight, kind, c.get("source", ""))


def check_lineage(records: Iterable[LineageRecord], scores: pd.DataFrame,
                  issues: list[Issue]) -> Lineage:
    """Type the lineage table and check it against the scores: an unknown predecessor, a
    cycle, weights that do not sum to 1, a predecessor still scored once continued and a row
    given twice are located errors; a unit the scores never name is a warning."""
    typed: list[tuple[Link, LineageRecord]] = []
    for rec in records:
        link = _link(rec, issues)
        if link is not None:
            typed.append((link, rec))
    years: dict[str, set[int]] = {}
    for unit, year in zip(scores["unit"].tolist(), scores["year"].tolist(), strict=True):
        years.setdefault(str(unit), set()).add(int(year))
    kept = _known(typed, years, issues)
    kept = _no_repeats(kept, issues)
    kept = _no_cycles(kept, issues)
    _weights(kept, issues)
    _still_scored(kept, years, issues)
    _recuts(kept, years, issues)
    return Lineage.of([link for link, _ in kept])


def _known(typed: list[tuple[Link, LineageRecord]], years: Mapping[str, set[int]],
           issues: list[Issue]) -> list[tuple[Link, LineageRecord]]:
    out = []
    for link, rec in typed:
        if link.predecessor not in years:
            issues.append(Issue(f"đơn vị trước sắp xếp '{link.predecessor}' không có trong dữ liệu "
                                f"điểm.{did_you_mean(link.predecessor, list(years))}",
                                located(rec, "predecessor"), link.predecessor, "error",
                                "lineage_unknown_predecessor"))
            continue
        if link.unit not in years:
            issues.append(Issue(f"đơn vị '{link.unit}' không có trong dữ liệu điểm; dòng kế thừa "
                                f"này không được dùng.{did_you_mean(link.unit, list(years))}",
                                located(rec, "unit"), link.unit, "warning",
                                "lineage_unknown_unit"))
            continue
        out.append((link, rec))
    return out


def _no_repeats(typed: list[tuple[Link, LineageRecord]],
                issues: list[Issue]) -> list[tuple[Link, LineageRecord]]:
    seen: set[tuple[int, str, str]] = set()
    out = []
    for link, rec in typed:
        key = (link.year, link.unit, link.predecessor)
        if key in seen:
            issues.append(Issue(f"'{link.unit}' kế thừa '{link.predecessor}' từ năm {link.year} "
                                "được khai báo hai lần", located(rec, "predecessor"),
                                link.predecessor, "error", "lineage_duplicate"))
            continue
        seen.add(key)
        out.append((link, rec))
    return out


def _no_cycles(typed: list[tuple[Link, LineageRecord]],
               issues: list[Issue]) -> list[tuple[Link, LineageRecord]]:
    """A unit cannot (through other units) be its own predecessor; listing itself (it kept
    its name and absorbed others) is no cycle."""
    edges: dict[str, set[str]] = {}
    for link, _ in typed:
        if link.predecessor != link.unit:
            edges.setdefault(link.unit, set()).add(link.predecessor)

    def reaches(start: str, goal: str) -> bool:
        stack, seen = [start], set()
        while stack:
            node = stack.pop()
            if node == goal:
                return True
            if node not in seen:
                seen.add(node)
                stack.extend(edges.get(node, ()))
        return False

    out = []
    for link, rec in typed:
        if link.predecessor != link.unit and reaches(link.predecessor, link.unit):
            issues.append(Issue(f"vòng kế thừa: '{link.unit}' kế thừa '{link.predecessor}' nhưng "
                                f"'{link.predecessor}' cũng (trực tiếp hoặc gián tiếp) kế thừa "
                                f"'{link.unit}'", located(rec, "predecessor"), link.predecessor,
                                "error", "lineage_cycle"))
            continue
        out.append((link, rec))
    return out


def _weights(typed: list[tuple[Link, LineageRecord]], issues: list[Issue]) -> None:
    grouped: dict[tuple[str, int], list[tuple[Link, LineageRecord]]] = {}
    for link, rec in typed:
        grouped.setdefault((link.unit, link.year), []).append((link, rec))
    for (unit, year), rows in grouped.items():
        weights = [link.weight for link, _ in rows]
        if any(w is None for w in weights):
            continue
        total = sum(w or 0.0 for w in weights)
        if abs(total - 1.0) > WEIGHT_TOLERANCE:
            issues.append(Issue(f"trọng số các đơn vị trước sắp xếp của '{unit}' (năm {year}) cộng "
                                f"lại bằng {total:g}, phải bằng 1", located(rows[0][1], "weight"),
                                f"{total:g}", "error", "lineage_weights"))


def _still_scored(typed: list[tuple[Link, LineageRecord]], years: Mapping[str, set[int]],
                  issues: list[Issue]) -> None:
    """A predecessor continued by another unit from ``year`` on has no result of its own then
    (unless it also continues itself: it kept its name)."""
    keeps = {(link.unit, link.year) for link, _ in typed if link.unit == link.predecessor}
    for link, rec in typed:
        if link.predecessor == link.unit:
            continue
        later = sorted(y for y in years.get(link.predecessor, ()) if y >= link.year)
        if later and not any(u == link.predecessor and y <= later[0] for u, y in keeps):
            issues.append(Issue(f"'{link.predecessor}' được '{link.unit}' kế thừa từ năm "
                                f"{link.year} nhưng vẫn có điểm năm {later[0]}; nếu đơn vị này giữ "
                                "tên, thêm dòng nó kế thừa chính nó",
                                located(rec, "predecessor"), link.predecessor, "error",
                                "lineage_still_scored"))


def _recuts(typed: list[tuple[Link, LineageRecord]], years: Mapping[str, set[int]],
            issues: list[Issue]) -> None:
    """New units scored before they continue others are read as re-cuts for them (results
    published for the new borders, not ranked with that year's units); said once, because it
    is also what a forgotten self-link looks like (a unit that kept its name)."""
    keeps = {(link.unit, link.year) for link, _ in typed if link.unit == link.predecessor}
    found: dict[str, LineageRecord] = {}
    for link, rec in typed:
        if (link.unit, link.year) not in keeps and link.unit not in found and any(
                y < link.year for y in years.get(link.unit, ())):
            found[link.unit] = rec
    if not found:
        return
    names = list(found)
    shown = ", ".join(f"'{n}'" for n in names[:5]) + (f" và {len(names) - 5} đơn vị khác"
                                                      if len(names) > 5 else "")
    issues.append(Issue(f"{shown} kế thừa đơn vị khác nhưng có điểm của năm trước năm kế thừa: các "
                        "điểm đó được coi là kết quả tính lại cho đơn vị mới (không xếp hạng cùng "
                        "các đơn vị của năm đó). Nếu là kết quả của đơn vị cùng tên trước sắp xếp, "
                        "thêm dòng đơn vị đó kế thừa chính nó", located(found[names[0]], "unit"),
                        names[0], "warning", "lineage_recut"))
