"""Criteria in the report (issue #13): which criteria section II names under the weak fields,
and the rows of the appendix "Điểm chi tiết theo tiêu chí" as plain text values.

Decisions only: the words are in ``phrases/tieu-chi.j2``; the template places the rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from reportgen import formatting as fmt
from reportgen.analysis.model import CriterionAnalysis, FieldCriteria, IndexAnalysis
from reportgen.narrate import context as rc

DEPTH_MARKS = ("", "- ", "+ ", "* ")  # before a criterion's name in the appendix, by depth


@dataclass(frozen=True)
class FieldLines:
    """One field of section II's criteria lines: the field and the criteria named under it."""

    field: FieldCriteria
    criteria: tuple[CriterionAnalysis, ...]


def weak_fields(index: IndexAnalysis) -> list[FieldLines]:
    """The fields section II explains criterion by criterion: the index's weaknesses (and
    declines) in that order; none flagged, the field that lost most. Each with the criteria
    that explain most of its loss (points lost, or the gap below the group mean)."""
    if index.criteria is None:
        return []
    by_code = {f.code: f for f in index.criteria.fields if f.by_loss}
    chosen = [by_code[c] for c in dict.fromkeys((*index.weaknesses, *index.declines))
              if c in by_code]
    if not chosen and by_code:
        chosen = [max(by_code.values(), key=_field_loss)]
    return [FieldLines(f, f.explaining_items) for f in chosen]


@dataclass(frozen=True)
class Overall:
    """The index's first-level criteria at a glance: how many, at full score, lost points
    against last year (the largest falls first)."""

    count: int
    full: int
    declined: tuple[CriterionAnalysis, ...]


def overall(index: IndexAnalysis) -> Overall | None:
    """See :class:`Overall`; None without criteria."""
    if index.criteria is None:
        return None
    top = [c for c in index.criteria.all() if c.depth == 1]
    fell = sorted((c for c in top if c.delta_score is not None and c.delta_score < 0),
                  key=lambda c: c.delta_score or 0.0)
    return Overall(len(top), sum(1 for c in top if c.full), tuple(fell))


def extremes(index: IndexAnalysis) -> tuple[CriterionAnalysis | None, CriterionAnalysis | None]:
    """Surveys: the criteria with the highest and the lowest satisfaction, if the analysis
    names them."""
    crit = index.criteria
    if crit is None or not crit.highest or not crit.lowest:
        return None, None
    every = {c.code: c for c in crit.all()}
    return every.get(crit.highest[0]), every.get(crit.lowest[0])


def _field_loss(f: FieldCriteria) -> float:
    """How much a field lost, as its criteria say it: points lost, or the gaps below the mean."""
    return sum(f.loss(f.criterion(c)) for c in f.by_loss)


def _row(code: str, name: str, bold: bool,
         score: float | None, maximum: float | None, percent: float | None,
         lost: float | None, delta: float | None, mean: float | None, rank: str,
         lead: Sequence[str]) -> rc.CriterionRow:
    return {"code": code, "name": name, "max": fmt.num(maximum), "score": fmt.num(score),
            "percent": fmt.num(percent), "lost": fmt.num(lost), "delta": fmt.signed(delta),
            "mean": fmt.num(mean), "rank": rank, "lead": "; ".join(lead), "bold": bold}


def criteria_rows(index: IndexAnalysis) -> list[rc.CriterionRow]:
    """The whole tree of the index's criteria, each field first (bold) then its criteria in
    depth-first order, the name marked by depth."""
    if index.criteria is None:
        return []
    comps = {c.code: c for c in index.components}
    rows: list[rc.CriterionRow] = []
    for f in index.criteria.fields:
        comp = comps.get(f.code)
        rows.append(_row(
            f.code, f.name, True, comp.score if comp else None,
            comp.max if comp else None, comp.percent if comp else None, f.points_lost,
            comp.delta_score if comp else None, None,
            fmt.rank(comp.rank, comp.of) if comp and comp.rank else fmt.DASH,
            comp.responsible if comp else ()))
        for c in f.criteria:
            mark = DEPTH_MARKS[min(c.depth, len(DEPTH_MARKS) - 1)]
            rows.append(_row(
                c.code, f"{mark}{c.name}", False, c.score, c.max, c.percent, c.points_lost,
                c.delta_score, c.group_mean,
                fmt.rank(c.rank, c.of) if c.rank else fmt.DASH, c.lead))
    return rows
