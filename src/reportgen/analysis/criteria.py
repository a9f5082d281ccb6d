"""Criteria analysis (issue #13): below each field, where the points were lost and who leads.

A criterion is a component at or below the framework's ``criteria_level`` (PAR INDEX: "3.4"
under field "3"; "3.4.2" under "3.4"), declared by the framework or defined by the data. For
each field: its criteria ranked by points lost (assessed indexes) or by the gap to the group
mean (surveys), the criteria that lost points against last year, those at full score, and
those where the unit is first or last among the peers that have the criterion. For the
index: the framework's parts of the total, and for surveys the criteria with the highest and
the lowest satisfaction. Lead agency: ``responsible.yaml`` (the code, else its nearest
ancestor listed there), else the data's ``responsible`` column, else the framework for the
action year (a child inherits its parent's), else the index's coordinator; named as in the
action year (``renamed``: Sở Thông tin và Truyền thông → Sở Khoa học và Công nghệ from 2025).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from reportgen.analysis.model import (
    AgencyOverview,
    Basis,
    ComponentAnalysis,
    CriteriaAnalysis,
    CriterionAnalysis,
    CriterionOverview,
    FieldCriteria,
    IndexPart,
    criterion_loss,
)
from reportgen.analysis.numbers import figure, percent_of
from reportgen.config.frameworks import TOTAL, Framework, code_key, parent_code
from reportgen.config.rules import Rules

if TYPE_CHECKING:
    from reportgen.analysis.unit import Prepared, Row

EXTREMES = 1  # criteria named as the highest / lowest satisfaction (surveys)
CRITERIA_PER_FIELD = 3  # at most this many criteria explain a field (section II, Bảng 5)
EXPLAINED_SHARE = 0.6  # … and no more once they explain this share of the field's loss
FULL_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Scope:
    """Whose criteria, in which year, against what: what :func:`analyze_criteria` needs."""

    prep: Prepared
    unit: str
    year: int
    index: str
    fw: Framework
    group: str
    prev_year: int | None
    action_year: int
    rules: Rules
    coordinator: tuple[str, ...]


def _agencies(scope: Scope, code: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Lead and supporting agencies of a code (see the module's description), as named in
    the action year (``renamed`` of responsible.yaml: a merged department's successor)."""
    lead, support = _assigned(scope, code)
    now = scope.rules.current_names
    return now(lead, scope.action_year), now(support, scope.action_year)


def _assigned(scope: Scope, code: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Lead and supporting agencies of a code as the files and the data write them."""
    rules, fw = scope.rules, scope.fw
    walk: str | None = code
    while walk is not None:  # responsible.yaml: the code, else its nearest ancestor
        lead = rules.responsible_override(scope.index, walk)
        if lead:
            return tuple(lead), tuple(rules.support_override(scope.index, walk) or ())
        walk = fw.components[walk].parent if walk in fw.components else parent_code(walk)
    walk = code
    data = scope.prep.dataset.responsible
    while walk is not None:  # the data's responsible column, the same way
        given = data.get((scope.year, scope.index, walk))
        if given:
            return given, ()
        walk = fw.components[walk].parent if walk in fw.components else None
    walk = code
    while walk is not None:  # the framework for the action year (the parent's by default)
        comp = fw.components.get(walk)
        if comp is None:
            break
        own = comp.responsible_for(scope.action_year)
        if own:
            return tuple(own), tuple(comp.support_for(scope.action_year))
        walk = comp.parent
    return scope.coordinator, ()


def _criterion(scope: Scope, code: str, row: Row, depth: int) -> CriterionAnalysis:
    prep, fw = scope.prep, scope.fw
    cell = prep.cell(scope.year, scope.index, scope.group, code)
    figures = cell.figures(scope.rules.partial_groups) if cell else None
    mean = figure(figures.mean) if figures and figures.mean is not None and figures.basis in (
        Basis.PUBLISHED, Basis.COMPLETE) else None
    rank = cell.trusted_rank(scope.unit) if cell else None
    of = cell.of if cell else None
    before = None
    if scope.prev_year is not None:
        old = prep.rows.get((scope.unit, scope.index), {}).get(scope.prev_year, {}).get(code)
        before = old if old is not None and old.version == row.version else None
    lead, support = _agencies(scope, code)
    lost = figure(row.max - row.score) if row.max is not None else None
    return CriterionAnalysis(
        code=code, name=fw.components[code].name, parent=fw.components[code].parent or "",
        depth=depth, score=row.score, max=row.max, percent=percent_of(row.score, row.max),
        points_lost=lost,
        previous_score=before.score if before else None,
        delta_score=figure(row.score - before.score) if before else None,
        group_mean=mean, gap_to_mean=figure(row.score - mean) if mean is not None else None,
        rank=rank, of=of,
        full=row.max is not None and row.score >= row.max - FULL_TOLERANCE,
        first=rank == 1 and bool(of and of > 1),
        last=rank is not None and of is not None and of > 1 and rank == of,
        lead=lead, support=support)


def _subtree(fw: Framework, code: str) -> list[tuple[str, int]]:
    """The criteria under a field, depth-first in natural code order, with their depth."""
    out: list[tuple[str, int]] = []

    def walk(parent: str, depth: int) -> None:
        kids = sorted((c.code for c in fw.children(parent)), key=code_key)
        for kid in kids:
            if fw.is_criterion(kid):
                out.append((kid, depth))
            walk(kid, depth + 1 if fw.is_criterion(kid) else depth)

    walk(code, 1)
    return out


def _field(scope: Scope, comp: ComponentAnalysis, rows: dict[str, Row]) -> FieldCriteria | None:
    items = [_criterion(scope, code, rows[code], depth)
             for code, depth in _subtree(scope.fw, comp.code) if code in rows]
    if not items:
        return None
    gap = scope.fw.loss_measure == "gap"
    top = [c for c in items if c.depth == 1]
    if gap:
        ranked = sorted((c for c in top if c.gap_to_mean is not None and c.gap_to_mean < 0),
                        key=lambda c: c.gap_to_mean or 0.0)
    else:
        ranked = sorted((c for c in top if c.points_lost), key=lambda c: -(c.points_lost or 0.0))
    declined = sorted((c for c in items if c.delta_score is not None and c.delta_score < 0),
                      key=lambda c: c.delta_score or 0.0)
    losses = [criterion_loss(c, scope.fw.loss_measure) for c in ranked]
    return FieldCriteria(
        code=comp.code, name=comp.name, short_name=comp.short_name,
        is_weakness=comp.is_weakness, loss_measure=scope.fw.loss_measure,
        criteria=tuple(items), by_loss=tuple(c.code for c in ranked),
        declined=tuple(c.code for c in declined),
        full=tuple(c.code for c in items if c.full),
        first=tuple(c.code for c in items if c.first),
        last=tuple(c.code for c in items if c.last),
        points_lost=comp.points_lost,
        explaining=tuple(c.code for c in explaining(ranked, losses)))


def explaining(ranked: Sequence[CriterionAnalysis],
               losses: Sequence[float]) -> list[CriterionAnalysis]:
    """The criteria (most lost first) that explain :data:`EXPLAINED_SHARE` of a field's loss,
    at most :data:`CRITERIA_PER_FIELD` of them: a few lines a leader reads, not the list."""
    total = sum(loss for loss in losses if loss > 0)
    out: list[CriterionAnalysis] = []
    explained = 0.0
    for c, loss in zip(ranked, losses, strict=True):
        if loss <= 0:
            continue
        out.append(c)
        explained += loss
        if len(out) >= CRITERIA_PER_FIELD or explained >= EXPLAINED_SHARE * total:
            break
    return out


def _parts(fw: Framework, rows: dict[str, Row]) -> tuple[IndexPart, ...]:
    """The framework's parts of the total, each only when every code it names has a score."""
    out = []
    for part in fw.parts:
        if not part.codes or any(c not in rows for c in part.codes):
            continue
        score = figure(sum(rows[c].score for c in part.codes))
        maxima = [rows[c].max for c in part.codes]
        top = figure(sum(m for m in maxima if m is not None)) if None not in maxima else None
        out.append(IndexPart(part.name, part.codes, score, top, percent_of(score, top)))
    return tuple(out)


def _extremes(fw: Framework, fields: Sequence[FieldCriteria]) -> tuple[tuple[str, ...],
                                                                        tuple[str, ...]]:
    """Surveys: the criteria with the highest and the lowest satisfaction (percent)."""
    if fw.method != "survey":
        return (), ()
    rated = [c for f in fields for c in f.criteria if c.percent is not None and c.depth == 1]
    if len(rated) < 2:
        return (), ()
    ordered = sorted(rated, key=lambda c: -(c.percent or 0.0))
    return (tuple(c.code for c in ordered[:EXTREMES]),
            tuple(c.code for c in reversed(ordered[-EXTREMES:])))


def analyze_criteria(scope: Scope, components: Sequence[ComponentAnalysis]
                     ) -> CriteriaAnalysis | None:
    """The criteria of every field of the unit's index; None when the data has none."""
    rows = scope.prep.rows.get((scope.unit, scope.index), {}).get(scope.year, {})
    if not any(scope.fw.is_criterion(code) for code in rows if code != TOTAL):
        return None
    fields = [f for c in components if c.level == 1
              for f in [_field(scope, c, rows)] if f is not None]
    if not fields:
        return None
    highest, lowest = _extremes(scope.fw, fields)
    return CriteriaAnalysis(fields=tuple(fields), parts=_parts(scope.fw, rows),
                            highest=highest, lowest=lowest)


# --- across a group (the overview report) ---------------------------------------------------

def _field_of(fw: Framework, code: str) -> str:
    while True:
        parent = fw.components[code].parent
        if parent is None:
            return code
        code = parent


def group_criteria(scope: Scope) -> tuple[tuple[CriterionOverview, ...],
                                          tuple[AgencyOverview, ...]]:
    """The first-level criteria of an index across ``scope.group`` (``scope.unit`` unused),
    most often lost first (then most points lost), and their lead agencies' totals; nothing
    for a survey (a survey's maxima are never reached: no points are "lost")."""
    fw, prep = scope.fw, scope.prep
    if fw.loss_measure != "points":
        return (), ()
    out: list[CriterionOverview] = []
    for comp in fw.components.values():
        code = comp.code
        if not fw.is_criterion(code) or (comp.parent and fw.is_criterion(comp.parent)):
            continue
        entries = prep.entries.get((scope.year, scope.index, scope.group, code))
        if not entries:
            continue
        lost = [row.max - row.score for _, row in entries if row.max is not None]
        out.append(CriterionOverview(
            code=code, name=comp.name, field=_field_of(fw, code),
            max=entries[0][1].max, units=len(entries),
            losing=sum(1 for x in lost if x > FULL_TOLERANCE),
            mean_lost=figure(sum(lost) / len(lost)) if lost else None,
            lead=_agencies(scope, code)[0]))
    out.sort(key=lambda c: (-c.losing, -(c.mean_lost or 0.0), code_key(c.code)))
    return tuple(out), _agency_totals(out)


def _agency_totals(criteria: Sequence[CriterionOverview]) -> tuple[AgencyOverview, ...]:
    codes: dict[str, list[str]] = {}
    losses: dict[str, int] = {}
    lost: dict[str, float] = {}
    for c in criteria:
        for agency in c.lead:
            codes.setdefault(agency, []).append(c.code)
            losses[agency] = losses.get(agency, 0) + c.losing
            lost[agency] = lost.get(agency, 0.0) + (c.mean_lost or 0.0)
    return tuple(sorted((AgencyOverview(a, tuple(codes[a]), losses[a], figure(lost[a]))
                         for a in codes), key=lambda a: (-a.mean_lost, a.agency)))
