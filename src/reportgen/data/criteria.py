"""Criteria the data defines: component codes below the framework's tree, any depth.

Component codes are hierarchical ("3", "3.4", "3.4.2"; the parent of "3.4.2" is "3.4"). A
code the framework does not list is accepted when its parent is known (to the framework or
to the data) and the optional ``component_name`` column names it (a nameless unknown code is
left to the row checks, which suggest the nearest codes: most are typos); its maximum comes
from ``max_score`` as for any row. The framework wins where it has a name or a confirmed
maximum; a different value in the data is a located warning. The optional ``responsible``
column gives a component's lead agency per year. A code whose parent is unknown is a
located error (once per code) and its rows are dropped, so no second message follows.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
import pandas as pd

from reportgen.config.frameworks import (
    TOTAL,
    Component,
    Framework,
    Frameworks,
    code_key,
    fold_code,
    parent_code,
)
from reportgen.data.text import parse_number
from reportgen.errors import Issue, Location

# A hierarchical code below the top level: "3.4", "3.4.2", "CS.1".
_CHILD_CODE = re.compile(r"^[0-9A-Za-z]+(?:\.[0-9A-Za-z]+)+$")
# Several agencies in one ``responsible`` cell: "Sở Nội vụ; Sở Tư pháp".
_AGENCY_SEPARATOR = re.compile(r"\s*[;\n]\s*")

ResponsibleKey = tuple[int, str, str]  # (year, index code, component code)


@dataclass
class Criteria:
    """What the data adds to the frameworks: components per (index, version), each
    component's lead agencies per year, and the rows to drop (unknown parents)."""

    added: dict[tuple[str, str], list[Component]] = field(default_factory=dict)
    responsible: dict[ResponsibleKey, tuple[str, ...]] = field(default_factory=dict)
    # cells (index, year, component[, max_score]) as written whose rows are dropped (unknown
    # parent) or whose maximum is blanked (the framework's confirmed maximum wins)
    dropped: set[tuple[str, ...]] = field(default_factory=set)
    blank_max: set[tuple[str, ...]] = field(default_factory=set)

    def apply(self, frame: pd.DataFrame) -> pd.DataFrame:
        """``frame`` without the dropped rows, with the overridden maxima blanked."""
        if not self.dropped and not self.blank_max:
            return frame
        frame = frame.copy()
        if self.blank_max:
            keys = pd.MultiIndex.from_frame(frame[["index", "year", "component", "max_score"]])
            frame.loc[keys.isin(list(self.blank_max)), "max_score"] = ""
        if self.dropped:
            keys = pd.MultiIndex.from_frame(frame[["index", "year", "component"]])
            frame = frame[~keys.isin(list(self.dropped))]
        return frame


def agencies(text: str) -> tuple[str, ...]:
    """The agencies named in one ``responsible`` cell, in order, spaces normalised."""
    return tuple(" ".join(p.split()) for p in _AGENCY_SEPARATOR.split(text) if p.strip())


def _where(rec: Mapping[str, Any], column: str) -> Location:
    row = rec.get("_row")
    own = rec.get("_column") if column == "component" else None
    return Location(file=rec.get("_file") or None, sheet=rec.get("_sheet") or None,
                    row=int(row) if row not in (None, "") and not pd.isna(row) else None,
                    column=own or column)


_CELLS = ["index", "year", "component", "max_score", "component_name", "responsible"]


def _relevant(frame: pd.DataFrame, frameworks: Frameworks) -> pd.DataFrame:
    """The distinct cells that may define or describe a criterion (a dotted code, a name, an
    agency, a maximum that no framework confirms for a code whose maximum one confirms), each
    with the first row giving it. Column-wise on integer codes: a large table's rows are
    never looked at one by one, each distinct value once."""
    comp, comps = pd.factorize(frame["component"], use_na_sentinel=False)
    dotted = np.array([isinstance(c, str) and bool(_CHILD_CODE.match(c)) for c in comps],
                      dtype=bool)
    mask = dotted[comp]
    for column in ("component_name", "responsible"):
        if column in frame:
            cells = frame[column].to_numpy(dtype=object)
            mask |= (cells != "") & pd.notna(cells)
    if "max_score" in frame:
        mask |= _odd_maxima(comp, list(comps), frame["max_score"], frameworks)
    present = [c for c in _CELLS if c in frame]
    return frame[mask].drop_duplicates(present)


def _odd_maxima(comp: np.ndarray, comps: list[object], maxima: pd.Series,
                frameworks: Frameworks) -> np.ndarray:
    """Rows giving a maximum that no framework confirms for their code, among the codes some
    framework confirms a maximum for (conflict candidates, checked against the row's own
    framework afterwards); each distinct (code, maximum) pair read once."""
    confirmed: dict[str, set[float]] = {}
    for fw in frameworks.items:
        for c in fw.components.values():
            if c.max_confirmed and c.max is not None:
                confirmed.setdefault(c.code, set()).add(c.max)
    given, texts = pd.factorize(maxima, use_na_sentinel=False)
    width = len(texts) + 1
    pairs = np.unique(comp.astype(np.int64) * width + given)
    odd = []
    for pair in pairs.tolist():
        code, text = comps[pair // width], texts[pair % width]
        value = parse_number(text) if isinstance(text, str) and text else None
        if value is not None and isinstance(code, str) and code in confirmed and all(
                abs(value - m) > 1e-9 for m in confirmed[code]):
            odd.append(pair)
    if not odd:
        return np.zeros(len(comp), dtype=bool)
    return np.isin(comp.astype(np.int64) * width + given, odd)


def _framework(frameworks: Frameworks, rec: Mapping[str, Any]) -> tuple[Framework, int] | None:
    year = parse_number(rec.get("year", ""))
    index = frameworks.resolve_code(str(rec.get("index", ""))) if rec.get("index") else None
    if year is None or not float(year).is_integer() or index is None:
        return None  # worded by the row checks
    fw = frameworks.for_year(index, int(year))
    return (fw, int(year)) if fw is not None else None


def _same_name(name: str, comp: Component) -> bool:
    return fold_code(name) in {fold_code(x) for x in (comp.name, comp.short_name, *comp.aliases)}


def find_criteria(frame: pd.DataFrame, frameworks: Frameworks, issues: list[Issue]) -> Criteria:
    """Read the criteria the loaded (text) table defines; warnings and errors go to
    ``issues``. See the module's description."""
    out = Criteria()
    if frame.empty:
        return out
    rows = _relevant(frame, frameworks)
    names: dict[tuple[str, str, str], tuple[str, Mapping[str, Any]]] = {}
    parents: dict[tuple[str, str], set[str]] = {}
    firsts: dict[tuple[str, str, str], Mapping[str, Any]] = {}
    spelled: dict[tuple[str, str, str], set[tuple[str, str, str]]] = {}
    warned: set[tuple[str, str, str, str]] = set()
    for raw in rows.to_dict("records"):
        rec = cast(Mapping[str, Any], raw)
        found = _framework(frameworks, rec)
        if found is None:
            continue
        fw, year = found
        code = str(rec["component"])
        key = (fw.code, fw.version, code)
        lead = agencies(str(rec.get("responsible") or ""))
        if lead:
            out.responsible.setdefault((year, fw.code, code), lead)
        comp = fw.components.get(code)
        name = str(rec.get("component_name") or "")
        if comp is not None:
            _check_known(comp, fw, rec, name, warned, out, issues)
            continue
        if code == TOTAL or not _CHILD_CODE.match(code):
            continue  # a total, a name or an unknown top-level code: the row checks word it
        firsts.setdefault(key, rec)
        spelled.setdefault(key, set()).add((str(rec["index"]), str(rec["year"]), code))
        if name and key not in names:
            names[key] = (name, rec)
        parents.setdefault((fw.code, fw.version), set()).add(code)
    _build(frameworks, parents, names, firsts, spelled, out, issues)
    return out


def _check_known(comp: Component, fw: Framework, rec: Mapping[str, Any], name: str,
                 warned: set[tuple[str, str, str, str]], out: Criteria,
                 issues: list[Issue]) -> None:
    """A component the framework lists: its name and confirmed maximum win over the data's
    (a different value is a warning, once per component)."""
    key = (fw.code, fw.version, comp.code)
    if name and not rec.get("_column") and not _same_name(name, comp) and (
            (*key, "name") not in warned):
        warned.add((*key, "name"))
        issues.append(Issue(
            f"tên '{name}' của {comp.code} khác tên trong khung {fw.code} ({fw.version}): "
            f"'{comp.name}'; báo cáo dùng tên trong khung", _where(rec, "component_name"), name,
            "warning", "name_conflict"))
    given = parse_number(rec.get("max_score") or "")
    if comp.max_confirmed and comp.max is not None and given is not None and (
            abs(given - comp.max) > 1e-9):
        out.blank_max.add((str(rec["index"]), str(rec["year"]), comp.code,
                           str(rec["max_score"])))
        if (*key, "max") not in warned:
            warned.add((*key, "max"))
            issues.append(Issue(
                f"điểm tối đa {given:g} của {comp.code} khác điểm tối đa trong khung {fw.code} "
                f"({fw.version}): {comp.max:g}; báo cáo dùng điểm tối đa trong khung",
                _where(rec, "max_score"), rec.get("max_score"), "warning", "max_conflict_framework"))


def _build(frameworks: Frameworks, parents: dict[tuple[str, str], set[str]],
           names: dict[tuple[str, str, str], tuple[str, Mapping[str, Any]]],
           firsts: dict[tuple[str, str, str], Mapping[str, Any]],
           spelled: dict[tuple[str, str, str], set[tuple[str, str, str]]], out: Criteria,
           issues: list[Issue]) -> None:
    """Components for the new codes, parents first; a code without a known parent is an
    error located at its first row, and all its rows (and its children's) are dropped."""
    for (index, version), codes in parents.items():
        fw = next(f for f in frameworks.versions(index) if f.version == version)
        known = set(fw.components)
        added: list[Component] = []
        rejected: set[str] = set()
        for code in sorted(codes, key=lambda c: (c.count("."), code_key(c))):
            parent = cast(str, parent_code(code))
            rec = firsts[(index, version, code)]
            if parent not in known:
                rejected.add(code)
                if parent not in rejected:  # the parent's own error says it for its children
                    issues.append(Issue(
                        f"mã '{code}': mã cha '{parent}' không có trong khung {index} "
                        f"({version}) và không có dòng nào trong dữ liệu; hãy thêm dòng điểm của "
                        f"'{parent}' hoặc sửa mã", _where(rec, "component"), code, "error",
                        "unknown_parent"))
                continue
            if (index, version, code) not in names:
                continue  # a code without a name is likely a typo: the row checks word it
            known.add(code)
            name = names[(index, version, code)][0]
            added.append(Component(code=code, name=name, short_name=name, parent=parent,
                                   max=None, max_confirmed=False))
        out.added[(index, version)] = added
        for code in rejected:
            out.dropped |= spelled[(index, version, code)]
