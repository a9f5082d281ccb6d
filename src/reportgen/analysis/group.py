"""Analysis of a whole group for its overview report (what a province publishes about its own
departments and communes: "Báo cáo tổng hợp kết quả Chỉ số … của các cơ quan, đơn vị").

:func:`group_overview`: a validated dataset (or :class:`~reportgen.analysis.unit.Prepared`), a
year and a group → one plain, JSON-able structure, numbers unformatted. Per index of the group
that year: the ranking (rank, unit, score, percent, change in points and places, rating),
statistics, counts per rating group (this year and the previous one), the best and worst
units, the units ranked first and last, the biggest rises and falls, per top-level component
its mean and best/worst units, and the units × components matrix (percent of the maximum)
behind the heatmap. Conventions are those of :mod:`reportgen.analysis.unit` (competition
ranks, published ranks win, each unit's previous year is its nearest earlier year with a
total, no change figures across a methodology change).
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from typing import Any

from reportgen.analysis.numbers import percent_of as _percent
from reportgen.analysis.numbers import rounded as _r
from reportgen.analysis.unit import DOWN, UP, Prepared, direction, prepare, rank_direction, rate
from reportgen.config.frameworks import TOTAL, Framework
from reportgen.data.validate import Dataset
from reportgen.errors import LookupFailed

TOP = 3  # units listed as leading, lagging, rising and falling (more when tied)


# --- small helpers ---------------------------------------------------------------------------





def _leading(items: Sequence[dict], key: Callable[[dict], Any], k: int) -> list[dict]:
    """The first ``k`` items by ``key``, plus those tied with the k-th (ties are not cut)."""
    ordered = sorted(items, key=key)
    if len(ordered) <= k:
        return ordered
    cut = key(ordered[k - 1])[0]
    return [it for n, it in enumerate(ordered) if n < k or key(it)[0] == cut]


def group_previous_year(prep: Prepared, index: str, year: int, group: str) -> int | None:
    """Nearest earlier year in which the group has results for the index."""
    years = [y for (y, i, g, c) in prep.entries if i == index and g == group and c == TOTAL
             and y < year]
    return max(years) if years else None


# --- group_overview: the analysis --------------------------------------------------------------

def group_overview(data: Dataset | Prepared, year: int, group: str, rules: Any) -> dict[str, Any]:
    """Everything the overview says about ``group`` in ``year`` (see the module docstring).

    Raises :class:`LookupFailed` when the group has no index result that year.
    """
    prep = prepare(data)
    codes = [c for c in prep.index_order if prep.cell(year, c, group, TOTAL) is not None]
    if not codes:
        groups = sorted({g for (y, g) in prep.indexes_in if y == year})
        raise LookupFailed(f"Nhóm '{group}' không có kết quả chỉ số nào năm {year}. "
                           f"Các nhóm có kết quả: {', '.join(groups) or 'không có'}.")
    indices = [index_overview(prep, year, group, code, rules) for code in codes]
    units = list(dict.fromkeys(r["unit"] for i in indices for r in i["rows"]))
    return {"year": year, "group": group, "action_year": year + rules.action_year_offset,
            "units": units, "unit_count": len(units), "indices": indices}


def index_overview(prep: Prepared, year: int, group: str, index: str, rules: Any) -> dict[str, Any]:
    """One index of the group: ranking, statistics, rating groups, leaders, components."""
    fw = prep.framework(index, year)
    cell = prep.cell(year, index, group, TOTAL)
    assert cell is not None
    tolerance = rules.for_index(index).tolerance
    prev_year = group_previous_year(prep, index, year, group)
    prev_fw = prep.framework(index, prev_year) if prev_year is not None else None
    comparable = prev_fw is not None and prev_fw.version == fw.version
    rows = [ranking_row(prep, year, index, unit, cell.ranks[unit], fw, tolerance)
            for unit in cell.order]
    first = prep.rows[(cell.order[0], index)][year][TOTAL]
    out: dict[str, Any] = {
        "index": index, "name": fw.name, "short_name": fw.short_name, "version": fw.version,
        "year": year, "group": group, "unit": fw.unit, "max": first.max or fw.total_max,
        "component_unit": fw.component_unit, "component_word": fw.component_word,
        "additive": fw.additive, "count": cell.count, "of": cell.of,
        "ranks_published": bool(cell.published) and len(cell.published) == cell.count,
        "previous_year": prev_year if comparable else None,
        "methodology_changed": prev_year is not None and not comparable,
        "previous_version": prev_fw.version if prev_fw else None,
        "stats": _stats(prep, cell, index, group, prev_year if comparable else None,
                        first.max or fw.total_max),
        "rows": rows, "counts": _counts(rows, fw),
        "rating": _rating_summary(prep, fw, rows, index, group, prev_year if comparable else None),
    }
    out.update(_leaders(rows))
    comps = component_overviews(prep, year, group, index, fw, prev_year if comparable else None)
    out["components"] = comps
    out["matrix"] = _matrix(prep, year, index, [r["unit"] for r in rows], comps)
    return out


def ranking_row(prep: Prepared, year: int, index: str, unit: str, rank: int, fw: Framework,
                tolerance: float) -> dict[str, Any]:
    """One unit's line of the ranking: score, rank, change since its previous year, rating."""
    row = prep.rows[(unit, index)][year][TOTAL]
    cell = prep.cell(year, index, row.group, TOTAL)
    percent = _percent(row.score, row.max)
    rating = rate(fw.rating, cell, row.score, percent)
    out: dict[str, Any] = {
        "unit": unit, "score": _r(row.score), "percent": percent, "rank": rank,
        "previous_year": None, "previous_score": None, "previous_rank": None,
        "delta_score": None, "delta_rank": None, "direction": None, "rank_direction": None,
        "rating": rating["label"] if rating else None, "previous_rating": None,
        "methodology_changed": False,
    }
    prev_year = prep.previous_year(unit, index, year)
    if prev_year is None:
        return out
    prev = prep.rows[(unit, index)][prev_year][TOTAL]
    if prev.version != row.version:
        out["methodology_changed"] = True
        return out
    prev_cell = prep.cell(prev_year, index, prev.group, TOTAL)
    delta = _r(row.score - prev.score)
    delta_rank = prev_cell.ranks[unit] - rank if prev_cell else None
    prev_rating = rate(prep.framework(index, prev_year).rating, prev_cell, prev.score,
                       _percent(prev.score, prev.max))
    out.update(previous_year=prev_year, previous_score=_r(prev.score),
               previous_rank=prev_cell.ranks[unit] if prev_cell else None,
               delta_score=delta, delta_rank=delta_rank,
               direction=direction(delta, tolerance), rank_direction=rank_direction(delta_rank),
               previous_rating=prev_rating["label"] if prev_rating else None)
    return out


def _stats(prep: Prepared, cell: Any, index: str, group: str, prev_year: int | None,
           maximum: float | None) -> dict[str, Any]:
    """Mean, median, range and quartiles of the group; the previous year's mean."""
    before = prep.cell(prev_year, index, group, TOTAL) if prev_year is not None else None
    values = list(cell.scores.values())
    above = sum(v >= cell.mean - 1e-9 for v in values)
    return {
        "mean": _r(cell.mean), "median": _r(cell.median), "max": _r(cell.sorted_scores[0]),
        "min": _r(cell.sorted_scores[-1]), "range": _r(cell.sorted_scores[0] - cell.sorted_scores[-1]),
        "stdev": _r(statistics.pstdev(values)), "mean_percent": _percent(cell.mean, maximum),
        "quartiles": [_r(q) for q in cell.quartiles] if cell.quartiles else None,
        "above_mean": above, "below_mean": len(values) - above,
        "mean_previous": _r(before.mean) if before else None,
        "count_previous": before.count if before else None,
        "delta_mean": _r(cell.mean - before.mean) if before else None,
    }


def _rating_order(fw: Framework) -> dict[str, int]:
    """Position of each rating label, best first (to tell a move up from a move down)."""
    return {g.label: n for n, g in enumerate(fw.rating.groups)}


def _counts(rows: list[dict], fw: Framework) -> dict[str, int]:
    """How many units rose, fell or held, in points, places and rating group."""
    dirs = [r["direction"] for r in rows]
    rdirs = [r["rank_direction"] for r in rows]
    order = _rating_order(fw)
    moves = [order[r["rating"]] - order[r["previous_rating"]] for r in rows
             if r["rating"] in order and r["previous_rating"] in order]
    return {"total": len(rows), "compared": sum(d is not None for d in dirs),
            "new": sum(r["previous_year"] is None and not r["methodology_changed"] for r in rows),
            "up": dirs.count(UP), "down": dirs.count(DOWN),
            "same": sum(d is not None and d not in (UP, DOWN) for d in dirs),
            "rank_up": rdirs.count(UP), "rank_down": rdirs.count(DOWN),
            "rank_same": sum(d is not None and d not in (UP, DOWN) for d in rdirs),
            "rating_up": sum(m < 0 for m in moves), "rating_down": sum(m > 0 for m in moves)}


def _rating_summary(prep: Prepared, fw: Framework, rows: list[dict], index: str, group: str,
                    prev_year: int | None) -> dict[str, Any] | None:
    """Units per rating group this year and (same methodology) the group's previous year."""
    rule = fw.rating
    if rule.kind == "none" or not rule.groups:
        return None
    before = _previous_ratings(prep, index, group, prev_year) if prev_year is not None else None
    groups = []
    for g in rule.groups:
        units = [r["unit"] for r in rows if r["rating"] == g.label]
        groups.append({"label": g.label, "description": g.description, "count": len(units),
                       "units": units,
                       "previous_count": before.count(g.label) if before is not None else None})
    return {"kind": rule.kind, "groups": groups, "previous_year": prev_year,
            "unrated": [r["unit"] for r in rows if r["rating"] is None]}


def _previous_ratings(prep: Prepared, index: str, group: str, year: int) -> list[str | None]:
    """The rating label of every unit of the group in an earlier year."""
    cell = prep.cell(year, index, group, TOTAL)
    if cell is None:
        return []
    rule = prep.framework(index, year).rating
    labels = []
    for unit in cell.order:
        row = prep.rows[(unit, index)][year][TOTAL]
        found = rate(rule, cell, row.score, _percent(row.score, row.max))
        labels.append(found["label"] if found else None)
    return labels


def _brief(row: dict) -> dict[str, Any]:
    """The figures a sentence about one unit needs."""
    keys = ("unit", "score", "percent", "rank", "previous_score", "previous_rank", "delta_score",
            "delta_rank", "direction", "rating", "previous_rating")
    return {k: row[k] for k in keys}


def _leaders(rows: list[dict]) -> dict[str, list[dict]]:
    """Best and worst (ties), first and last places, biggest rises and falls."""
    if not rows:
        return {k: [] for k in ("best", "worst", "top", "bottom", "rises", "falls",
                                "rank_gains", "rank_losses")}
    k = max(1, min(TOP, len(rows) // 2))
    last = rows[-1]["rank"]
    top = _leading(rows, lambda r: (r["rank"],), k)
    bottom = [] if len(rows) < 2 else _leading(rows, lambda r: (-r["rank"],), k)
    rises = [r for r in rows if r["direction"] == UP]
    falls = [r for r in rows if r["direction"] == DOWN]
    gains = [r for r in rows if (r["delta_rank"] or 0) > 0]
    losses = [r for r in rows if (r["delta_rank"] or 0) < 0]
    return {
        "best": [_brief(r) for r in rows if r["rank"] == rows[0]["rank"]],
        "worst": [_brief(r) for r in rows if r["rank"] == last] if len(rows) > 1 else [],
        "top": [_brief(r) for r in top],
        "bottom": [_brief(r) for r in bottom],
        "rises": [_brief(r) for r in _leading(rises, lambda r: (-r["delta_score"], r["rank"]), TOP)],
        "falls": [_brief(r) for r in _leading(falls, lambda r: (r["delta_score"], r["rank"]), TOP)],
        "rank_gains": [_brief(r) for r in _leading(gains, lambda r: (-r["delta_rank"], r["rank"]), TOP)],
        "rank_losses": [_brief(r) for r in _leading(losses, lambda r: (r["delta_rank"], r["rank"]),
                                                     TOP)],
    }


def component_overviews(prep: Prepared, year: int, group: str, index: str, fw: Framework,
                        prev_year: int | None) -> list[dict[str, Any]]:
    """Per top-level component (framework order): mean, spread, best and worst units."""
    out = []
    for code in prep.component_order(fw):
        if fw.level(code) != 1:
            continue
        cell = prep.cell(year, index, group, code)
        if cell is not None:
            out.append(_component(prep, year, index, fw, code, cell, group, prev_year))
    return out


def _component(prep: Prepared, year: int, index: str, fw: Framework, code: str, cell: Any,
               group: str, prev_year: int | None) -> dict[str, Any]:
    """The group's figures for one component."""
    rows = {u: prep.rows[(u, index)][year][code] for u in cell.scores}
    maxima = {r.max for r in rows.values()}
    maximum = maxima.pop() if len(maxima) == 1 else None
    percents = [p for p in (_percent(r.score, r.max) for r in rows.values()) if p is not None]
    before = prep.cell(prev_year, index, group, code) if prev_year is not None else None
    best, worst = cell.ranks[cell.order[0]], cell.ranks[cell.order[-1]]
    comp = fw.components[code]
    return {
        "code": code, "name": comp.name, "short_name": comp.short_name, "max": maximum,
        "count": cell.count, "mean": _r(cell.mean), "median": _r(cell.median),
        "mean_percent": _r(statistics.fmean(percents)) if percents else None,
        "min_percent": _r(min(percents)) if percents else None,
        "max_percent": _r(max(percents)) if percents else None,
        "spread_percent": _r(max(percents) - min(percents)) if percents else None,
        "best_units": [u for u in cell.order if cell.ranks[u] == best],
        "best_score": _r(cell.scores[cell.order[0]]),
        "worst_units": [u for u in cell.order if cell.ranks[u] == worst] if cell.count > 1 else [],
        "worst_score": _r(cell.scores[cell.order[-1]]),
        "spread": _r(cell.scores[cell.order[0]] - cell.scores[cell.order[-1]]),
        "full_marks": sum(maximum is not None and s >= maximum - 1e-9 for s in cell.scores.values()),
        "mean_previous": _r(before.mean) if before else None,
        "delta_mean": _r(cell.mean - before.mean) if before else None,
    }


def _matrix(prep: Prepared, year: int, index: str, units: list[str],
            comps: list[dict]) -> dict[str, Any]:
    """Units (ranking order) × top-level components: score and percent of the maximum."""
    scores, percents = [], []
    for unit in units:
        found = prep.rows[(unit, index)][year]
        cells = [found.get(c["code"]) for c in comps]
        scores.append([_r(r.score) if r else None for r in cells])
        percents.append([_percent(r.score, r.max) if r else None for r in cells])
    return {"units": units, "codes": [c["code"] for c in comps],
            "names": [c["short_name"] for c in comps], "score": scores, "percent": percents}
