"""Analysis of a whole group for its overview report (what a province publishes about its own
departments and communes: "Báo cáo tổng hợp kết quả Chỉ số … của các cơ quan, đơn vị").

:func:`group_overview`: a validated dataset (or :class:`~reportgen.analysis.unit.Prepared`), a
year and a group → one :class:`~reportgen.analysis.model.GroupAnalysis`, numbers unformatted.
Per index of the group that year: the ranking (rank, unit, score, percent, change in points
and places, rating), statistics, counts per rating group (this year and the previous one), the
best and worst units, the units ranked first and last, the biggest rises and falls, per
top-level component its mean and best/worst units, and the units × components matrix
(percent of the maximum) behind the heatmap. Conventions are those of
:mod:`reportgen.analysis.unit` (competition ranks, published ranks win, each unit's previous
year is its nearest earlier year with a total, no change figures across a methodology change).
"""

from __future__ import annotations

import dataclasses
import statistics
from collections.abc import Callable, Sequence
from typing import TypeVar

from reportgen.analysis.criteria import Scope, group_criteria
from reportgen.analysis.group_actions import group_causes, group_solutions
from reportgen.analysis.model import (
    AgencyOverview,
    ComponentOverview,
    CriterionOverview,
    Direction,
    GroupAnalysis,
    GroupCounts,
    GroupStats,
    IndexOverview,
    Matrix,
    RankingRow,
    RatingGroupCount,
    RatingKind,
    RatingSummary,
)
from reportgen.analysis.numbers import figure
from reportgen.analysis.numbers import percent_of as _percent
from reportgen.analysis.unit import (
    Cell,
    Prepared,
    comparable_sizes,
    direction,
    prepare,
    rank_direction,
    rate,
    responsible_bodies,
)
from reportgen.config.frameworks import TOTAL, Framework
from reportgen.config.rules import Rules
from reportgen.data.validate import Dataset
from reportgen.errors import LookupFailed

TOP = 3  # units listed as leading, lagging, rising and falling (more when tied)

T = TypeVar("T")


# --- small helpers ---------------------------------------------------------------------------

def _leading(items: Sequence[T], key: Callable[[T], tuple[int | float, ...]], k: int) -> list[T]:
    """The first ``k`` items by ``key``, plus those tied with the k-th (ties are not cut)."""
    ordered = sorted(items, key=key)
    if len(ordered) <= k:
        return ordered
    cut = key(ordered[k - 1])[0]
    return [it for n, it in enumerate(ordered) if n < k or key(it)[0] == cut]


def group_previous_year(prep: Prepared, index: str, year: int, group: str,
                        compare_with: str = "previous_year") -> int | None:
    """The year the group is compared with: the year just before, when the group has results
    then ("previous_year"), or its latest earlier year with results ("latest_available")."""
    years = [y for (y, i, g, c) in prep.entries if i == index and g == group and c == TOTAL
             and y < year]
    if compare_with == "previous_year":
        return year - 1 if year - 1 in years else None
    return max(years) if years else None


# --- group_overview: the analysis --------------------------------------------------------------

def group_overview(data: Dataset | Prepared, year: int, group: str, rules: Rules) -> GroupAnalysis:
    """Everything the overview says about ``group`` in ``year`` (see the module docstring).

    Raises :class:`LookupFailed` when the group has no index result that year.
    """
    prep = prepare(data)
    codes = [c for c in prep.index_order if prep.cell(year, c, group, TOTAL) is not None]
    if not codes:
        groups = sorted({g for (y, g) in prep.indexes_in if y == year})
        raise LookupFailed(f"Nhóm '{group}' không có kết quả chỉ số nào năm {year}. "
                           f"Các nhóm có kết quả: {', '.join(groups) or 'không có'}.")
    indices = tuple(index_overview(prep, year, group, code, rules) for code in codes)
    units = tuple(dict.fromkeys(r.unit for i in indices for r in i.rows))
    action_year = year + rules.action_year_offset
    return GroupAnalysis(year=year, group=group, action_year=action_year,
                         units=units, unit_count=len(units), indices=indices,
                         causes=group_causes(prep.dataset.notes, year, units, indices),
                         solutions=group_solutions(
                             indices, [prep.framework(c, year) for c in codes], rules,
                             action_year))


def index_overview(prep: Prepared, year: int, group: str, index: str,
                   rules: Rules) -> IndexOverview:
    """One index of the group: ranking, statistics, rating groups, leaders, components."""
    fw = prep.framework(index, year)
    cell = prep.cell(year, index, group, TOTAL)
    assert cell is not None
    tolerance = rules.for_index(index).tolerance
    prev_year = group_previous_year(prep, index, year, group, rules.compare_with)
    prev_fw = prep.framework(index, prev_year) if prev_year is not None else None
    comparable = prev_fw is not None and prev_fw.version == fw.version
    compared_year = prev_year if comparable else None
    # A group only part of which is in the data is ranked among the units loaded, and says
    # so (``complete``); no change of place is computed between two such partial lists.
    ranks = cell.ranks if cell.complete else cell.computed
    rows = tuple(ranking_row(prep, year, index, unit, ranks[unit], fw, tolerance,
                             rules.compare_with, rules.lineage, rules.size_change)
                 for unit in cell.order)
    first = prep.rows[(cell.order[0], index)][year][TOTAL]
    maximum = first.max or fw.total_max
    comps = component_overviews(prep, year, group, index, fw, compared_year)
    leaders = _leaders(rows)
    criteria, agencies = _criteria(prep, year, group, index, fw, rules)
    return IndexOverview(
        index=index, name=fw.name, short_name=fw.short_name, version=fw.version,
        year=year, group=group, unit=fw.unit, max=maximum,
        component_unit=fw.component_unit, component_word=fw.component_word,
        additive=fw.additive, count=cell.count, of=cell.count if not cell.complete else (
            cell.of or cell.count), complete=cell.complete, size=cell.size,
        legal_basis=fw.legal_basis,
        ranks_published=bool(cell.published) and len(cell.published) == cell.count,
        previous_year=compared_year,
        methodology_changed=prev_year is not None and not comparable,
        previous_version=prev_fw.version if prev_fw else None,
        stats=_stats(prep, cell, index, group, compared_year, maximum),
        rows=rows, counts=_counts(rows, fw),
        rating=_rating_summary(prep, fw, rows, index, group, compared_year),
        **leaders, components=comps,
        matrix=_matrix(prep, year, index, [r.unit for r in rows], comps),
        criteria=criteria, agencies=agencies)


def _criteria(prep: Prepared, year: int, group: str, index: str, fw: Framework,
              rules: Rules) -> tuple[tuple[CriterionOverview, ...], tuple[AgencyOverview, ...]]:
    """The criteria most often lost across the group and their agencies' totals (#13)."""
    action_year = year + rules.action_year_offset
    return group_criteria(Scope(
        prep, "", year, index, fw, group, None, action_year, rules,
        responsible_bodies(rules, fw, index, TOTAL, action_year)))


def ranking_row(prep: Prepared, year: int, index: str, unit: str, rank: int, fw: Framework,
                tolerance: float, compare_with: str = "previous_year", lineage: str = "weighted",
                size_change: float = 0.1) -> RankingRow:
    """One unit's line of the ranking: score, rank, change since its previous year (its
    predecessors' for a unit formed by the 2025 reorganisation; no change of place between
    groups of different sizes), rating."""
    row = prep.rows[(unit, index)][year][TOTAL]
    cell = prep.cell(year, index, row.group, TOTAL)
    assert cell is not None
    percent = _percent(row.score, row.max)
    rating = rate(fw.rating, cell, row.score, percent)
    source = prep.previous_source(unit, index, year, compare_with, lineage)
    prev, prev_cell, prev_unit = (prep.previous_row(source, index, TOTAL) if source is not None
                                  else (None, None, None))
    prev_year = source.year if source is not None else None
    alone = RankingRow(unit=unit, score=figure(row.score), percent=percent, rank=rank,
                       previous_year=None, previous_score=None, previous_rank=None,
                       delta_score=None, delta_rank=None, direction=None, rank_direction=None,
                       rating=rating.label if rating else None, previous_rating=None,
                       methodology_changed=False, gap_to_mean=figure(row.score - cell.mean))
    if prev_year is None or prev is None:
        return alone
    if prev.version != row.version:
        return dataclasses.replace(alone, methodology_changed=True)
    delta = figure(row.score - prev.score)
    both_whole = prev_cell is not None and prev_cell.complete and cell.complete
    before = prev_cell.ranks.get(prev_unit) if (prev_cell and prev_unit) else None
    delta_rank = before - rank if (before is not None and prev_cell and both_whole and
                                   comparable_sizes(prev_cell, cell, size_change)) else None
    prev_rating = rate(prep.framework(index, prev_year).rating, prev_cell, prev.score,
                       _percent(prev.score, prev.max))
    return dataclasses.replace(
        alone, previous_year=prev_year, previous_score=figure(prev.score),
        previous_rank=before, previous_basis=source.basis if source else None,
        previous_method=source.method if source else "",
        delta_score=delta, delta_rank=delta_rank, direction=direction(delta, tolerance),
        rank_direction=rank_direction(delta_rank),
        previous_rating=prev_rating.label if prev_rating else None)


def _stats(prep: Prepared, cell: Cell, index: str, group: str, prev_year: int | None,
           maximum: float | None) -> GroupStats:
    """Mean, median, range and quartiles of the group; the previous year's mean."""
    before = prep.cell(prev_year, index, group, TOTAL) if prev_year is not None else None
    values = list(cell.scores.values())
    above = sum(v >= cell.mean - 1e-9 for v in values)
    quartiles = None
    if cell.quartiles:
        p25, p50, p75 = cell.quartiles
        quartiles = (figure(p25), figure(p50), figure(p75))
    return GroupStats(
        mean=figure(cell.mean), median=figure(cell.median), max=figure(cell.sorted_scores[0]),
        min=figure(cell.sorted_scores[-1]),
        range=figure(cell.sorted_scores[0] - cell.sorted_scores[-1]),
        stdev=figure(statistics.pstdev(values)), mean_percent=_percent(cell.mean, maximum),
        quartiles=quartiles, above_mean=above, below_mean=len(values) - above,
        mean_previous=figure(before.mean) if before else None,
        count_previous=before.count if before else None,
        delta_mean=figure(cell.mean - before.mean) if before else None)


def _rating_order(fw: Framework) -> dict[str, int]:
    """Position of each rating label, best first (to tell a move up from a move down)."""
    return {g.label: n for n, g in enumerate(fw.rating.groups)}


def _counts(rows: Sequence[RankingRow], fw: Framework) -> GroupCounts:
    """How many units rose, fell or held, in points, places and rating group."""
    dirs = [r.direction for r in rows]
    rdirs = [r.rank_direction for r in rows]
    order = _rating_order(fw)
    moves = [order[r.rating] - order[r.previous_rating] for r in rows
             if r.rating in order and r.previous_rating in order]
    return GroupCounts(
        total=len(rows), compared=sum(d is not None for d in dirs),
        new=sum(r.previous_year is None and not r.methodology_changed for r in rows),
        up=dirs.count(Direction.UP), down=dirs.count(Direction.DOWN),
        same=dirs.count(Direction.STEADY),
        rank_up=rdirs.count(Direction.UP), rank_down=rdirs.count(Direction.DOWN),
        rank_same=rdirs.count(Direction.STEADY),
        rating_up=sum(m < 0 for m in moves), rating_down=sum(m > 0 for m in moves))


def _rating_summary(prep: Prepared, fw: Framework, rows: Sequence[RankingRow], index: str,
                    group: str, prev_year: int | None) -> RatingSummary | None:
    """Units per rating group this year and (same methodology) the group's previous year."""
    rule = fw.rating
    if rule.kind not in (RatingKind.THRESHOLDS, RatingKind.QUARTILES) or not rule.groups:
        return None
    before = _previous_ratings(prep, index, group, prev_year) if prev_year is not None else None
    groups = []
    for g in rule.groups:
        units = tuple(r.unit for r in rows if r.rating == g.label)
        groups.append(RatingGroupCount(
            label=g.label, description=g.description, count=len(units), units=units,
            previous_count=before.count(g.label) if before is not None else None))
    return RatingSummary(kind=RatingKind(rule.kind), groups=tuple(groups), previous_year=prev_year,
                         unrated=tuple(r.unit for r in rows if r.rating is None))


def _previous_ratings(prep: Prepared, index: str, group: str, year: int) -> list[str | None]:
    """The rating label of every unit of the group in an earlier year."""
    cell = prep.cell(year, index, group, TOTAL)
    if cell is None:
        return []
    rule = prep.framework(index, year).rating
    labels: list[str | None] = []
    for unit in cell.order:
        row = prep.rows[(unit, index)][year][TOTAL]
        found = rate(rule, cell, row.score, _percent(row.score, row.max))
        labels.append(found.label if found else None)
    return labels


def _leaders(rows: Sequence[RankingRow]) -> dict[str, tuple[RankingRow, ...]]:
    """Best and worst (ties), first and last places, biggest rises and falls."""
    if not rows:
        return {k: () for k in ("best", "worst", "top", "bottom", "rises", "falls",
                                "rank_gains", "rank_losses")}
    k = max(1, min(TOP, len(rows) // 2))
    last = rows[-1].rank
    top = _leading(rows, lambda r: (r.rank,), k)
    bottom = [] if len(rows) < 2 else _leading(rows, lambda r: (-r.rank,), k)
    rises = [r for r in rows if r.direction == Direction.UP]
    falls = [r for r in rows if r.direction == Direction.DOWN]
    gains = [r for r in rows if (r.delta_rank or 0) > 0]
    losses = [r for r in rows if (r.delta_rank or 0) < 0]
    return {
        "best": tuple(r for r in rows if r.rank == rows[0].rank),
        "worst": tuple(r for r in rows if r.rank == last) if len(rows) > 1 else (),
        "top": tuple(top),
        "bottom": tuple(bottom),
        "rises": tuple(_leading(rises, lambda r: (-(r.delta_score or 0.0), r.rank), TOP)),
        "falls": tuple(_leading(falls, lambda r: (r.delta_score or 0.0, r.rank), TOP)),
        "rank_gains": tuple(_leading(gains, lambda r: (-(r.delta_rank or 0), r.rank), TOP)),
        "rank_losses": tuple(_leading(losses, lambda r: (r.delta_rank or 0, r.rank), TOP)),
    }


def component_overviews(prep: Prepared, year: int, group: str, index: str, fw: Framework,
                        prev_year: int | None) -> tuple[ComponentOverview, ...]:
    """Per top-level component (framework order): mean, spread, best and worst units."""
    out = []
    for code in prep.component_order(fw):
        if fw.level(code) != 1:
            continue
        cell = prep.cell(year, index, group, code)
        if cell is not None:
            out.append(_component(prep, year, index, fw, code, cell, group, prev_year))
    return tuple(out)


def _component(prep: Prepared, year: int, index: str, fw: Framework, code: str, cell: Cell,
               group: str, prev_year: int | None) -> ComponentOverview:
    """The group's figures for one component."""
    rows = {u: prep.rows[(u, index)][year][code] for u in cell.scores}
    maxima = {r.max for r in rows.values()}
    maximum = maxima.pop() if len(maxima) == 1 else None
    percents = [p for p in (_percent(r.score, r.max) for r in rows.values()) if p is not None]
    before = prep.cell(prev_year, index, group, code) if prev_year is not None else None
    best, worst = cell.ranks[cell.order[0]], cell.ranks[cell.order[-1]]
    comp = fw.components[code]
    return ComponentOverview(
        code=code, name=comp.name, short_name=comp.short_name, max=maximum,
        count=cell.count, mean=figure(cell.mean), median=figure(cell.median),
        mean_percent=figure(statistics.fmean(percents)) if percents else None,
        min_percent=figure(min(percents)) if percents else None,
        max_percent=figure(max(percents)) if percents else None,
        spread_percent=figure(max(percents) - min(percents)) if percents else None,
        best_units=tuple(u for u in cell.order if cell.ranks[u] == best),
        best_score=figure(cell.scores[cell.order[0]]),
        worst_units=tuple(u for u in cell.order if cell.ranks[u] == worst) if cell.count > 1 else (),
        worst_score=figure(cell.scores[cell.order[-1]]),
        spread=figure(cell.scores[cell.order[0]] - cell.scores[cell.order[-1]]),
        full_marks=sum(maximum is not None and s >= maximum - 1e-9 for s in cell.scores.values()),
        mean_previous=figure(before.mean) if before else None,
        delta_mean=figure(cell.mean - before.mean) if before else None)


def _matrix(prep: Prepared, year: int, index: str, units: list[str],
            comps: Sequence[ComponentOverview]) -> Matrix:
    """Units (ranking order) × top-level components: score and percent of the maximum."""
    scores, percents = [], []
    for unit in units:
        found = prep.rows[(unit, index)][year]
        cells = [found.get(c.code) for c in comps]
        scores.append(tuple(figure(r.score) if r else None for r in cells))
        percents.append(tuple(_percent(r.score, r.max) if r else None for r in cells))
    return Matrix(units=tuple(units), codes=tuple(c.code for c in comps),
                  names=tuple(c.short_name for c in comps), score=tuple(scores),
                  percent=tuple(percents))
