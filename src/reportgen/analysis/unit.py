"""Analyze stage: a validated dataset, a unit and a year → one plain, JSON-able structure.

Everything downstream (sentences, charts, tables, the ``analyze`` JSON) reads this structure;
nothing here knows about Word, files or number formatting. Numbers stay numbers (rounded to
6 decimals only to drop floating-point noise), missing values are ``None``.

Conventions:
- ranks are competition ranks within (year, index, group, component): 1 is best, equal scores
  share the better rank (1, 2, 2, 4); a published rank in the data wins for that unit;
- the previous year is the nearest earlier year in which the unit has a total for the index;
  when the two years use different framework versions (methodology change) no change figures
  are given (``methodology_changed`` and a note say why);
- ``delta_rank`` > 0 means the unit moved up (previous rank − rank);
- strengths and weaknesses come from the rules of ``analysis.yaml``; each carries the evidence
  that triggered it. Weaknesses are ordered by impact: points lost (max − score), then places
  lost, then framework order. Strengths by percent of the maximum, then rank, then order.

A batch calls :func:`prepare` once and passes the result to :func:`analyze_unit` for every
unit: the per-(year, index, group, component) peer tables are built once and cached.

Output of :func:`analyze_unit` (keys of PRODUCT.md plus the ones the narrative needs):

- top level: ``unit, year, action_year, group, groups, indices, missing_indices`` (short
  names), ``missing_index_codes, responsibility, solutions, general_tasks, causes, notes``;
- per index: ``index, name, short_name, version, year, group, unit, component_unit,
  component_word, additive, coordinator, total_derived, score, max, percent, rank, of,
  rank_published, previous {year, score, max, percent, rank, of, version, group} | None,
  delta_score, delta_rank, direction, rank_direction, mixed, methodology_changed,
  methodology_note, group_label, rating {label, description, kind, previous_label} | None,
  peer {mean, median, max, min, best_unit, worst_unit, best_score, worst_score, count,
  quartiles, mean_previous, count_previous}, peer_mean, gap_to_mean, gap_to_mean_previous,
  best_score, best_unit, gap_to_best, peers [{unit, score, percent, rank, delta_score,
  delta_rank, rating}], history [{year, score, percent, rank, of, version, peer_mean}],
  points_lost, counts {total, compared, up, down, same, rank_up, rank_down, rank_same},
  rating_counts, order {points_lost, percent, rank, delta_score, delta_rank: [codes]},
  components, strengths, weaknesses, strength_details, weakness_details, assessment
  (the rules applied to the total), target, notes``;
- per component: ``code, name, short_name, parent, level, analysed, score, max, percent,
  rank, of, rank_published, previous_score, previous_max, previous_percent, previous_rank,
  previous_of, delta_score, delta_rank, direction, rank_direction, mixed, peer_mean,
  peer_mean_percent, peer_median, gap_to_mean, best_score, best_unit, gap_to_best,
  points_lost, rating, responsible, strength_reasons, weakness_reasons, is_strength,
  is_weakness``;
- ``target``: ``kind, label, rank, group, score_needed, points_missing, reached, basis_year,
  unit_at_rank, current_score, current_rank, places_to_gain, recoverable [{code, name,
  short_name, points_lost, gap_to_best, recover_to_previous}], recover_to_previous_total,
  recover_to_previous_codes``;
- ``responsibility``: ``[{unit, components [{index, index_short_name, code, name, score, max,
  percent, rank, of, points_lost, delta_score, delta_rank, direction, rank_direction, mixed,
  rating, shared_with, …}], points_lost, places_lost, points_lost_by_index, indices}]``;
- ``solutions``: the same figures plus ``kind`` (weakness | strength), ``maintain,
  from_library, text, lead, support, deadline {kind, quarter | day, month | text, year}``;
- ``causes``: ``{objective: [{index, code, name, text}], subjective: [...]}``.
"""

from __future__ import annotations

import bisect
import math
import re
import statistics
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from reportgen.analysis.numbers import percent_of as _percent
from reportgen.analysis.numbers import rounded as _r
from reportgen.analysis.ranking import TIE_EPSILON, rank_map
from reportgen.config.frameworks import TOTAL, Framework, RatingRule, fold_code
from reportgen.config.rules import IndexRules, Rules, Solution, Target
from reportgen.data.load import fold
from reportgen.data.validate import Dataset
from reportgen.errors import LookupFailed, did_you_mean

EPS = 1e-9
STEADY, UP, DOWN = "giữ nguyên", "tăng", "giảm"
UNASSIGNED = "Chưa xác định cơ quan chủ trì"
_UNIT_PREFIX = re.compile(r"^\s*(tỉnh|thành phố|tp\.?)\s+")






# --- prepared tables -------------------------------------------------------------------------

@dataclass(frozen=True)
class Row:
    """One score of one unit (a TOTAL may be derived from additive components)."""

    score: float
    max: float | None
    rank: int | None  # published rank, if any
    group: str
    version: str
    derived: bool = False


@dataclass
class Cell:
    """The peer table of one (year, index, group, component): ranks and statistics."""

    order: list[str]  # units sorted by rank, then score, then name
    scores: dict[str, float]
    ranks: dict[str, int]
    published: set[str]
    of: int
    mean: float
    median: float
    quartiles: tuple[float, float, float] | None  # 25th, 50th, 75th percentiles
    sorted_scores: list[float]  # best first
    peers: list[dict[str, Any]] | None = None  # built on demand (TOTAL cells only)
    ascending: list[float] | None = None  # built on demand (target gaps)

    @property
    def count(self) -> int:
        return len(self.scores)

    @property
    def best_unit(self) -> str:
        return self.order[0]

    @property
    def worst_unit(self) -> str:
        return self.order[-1]

    def count_above(self, value: float, unit: str) -> int:
        """How many peers other than ``unit`` score strictly above ``value`` (binary search)."""
        if self.ascending is None:
            self.ascending = self.sorted_scores[::-1]
        above = len(self.ascending) - bisect.bisect_right(self.ascending, value + TIE_EPSILON)
        return above - (1 if self.scores[unit] > value + TIE_EPSILON else 0)


def _build_cell(entries: list[tuple[str, Row]]) -> Cell:
    """Competition ranks (published ranks win) and peer statistics of one table."""
    scores = {u: r.score for u, r in entries}
    ranks = rank_map(scores)
    published = {u for u, r in entries if r.rank is not None}
    for u, r in entries:
        if r.rank is not None:
            ranks[u] = r.rank
    values = list(scores.values())
    of = max(len(values), max((ranks[u] for u in published), default=0))
    order = sorted(scores, key=lambda u: (ranks[u], -scores[u], u))
    quartiles = None
    if len(values) >= 2:
        q = statistics.quantiles(values, n=4, method="inclusive")
        quartiles = (q[0], q[1], q[2])
    return Cell(order=order, scores=scores, ranks=ranks, published=published,
                of=of, mean=statistics.fmean(values),
                median=statistics.median(values), quartiles=quartiles,
                sorted_scores=sorted(values, reverse=True))


class Prepared:
    """A dataset indexed for analysis: rows per unit and index, cached peer tables.

    Build it once per dataset with :func:`prepare`; it is read-only afterwards (the caches
    only grow), so one instance serves every unit of a batch.
    """

    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset
        self.rows: dict[tuple[str, str], dict[int, dict[str, Row]]] = {}
        self.entries: dict[tuple[int, str, str, str], list[tuple[str, Row]]] = {}
        self.unit_years: dict[str, set[int]] = {}
        self.indexes_in: dict[tuple[int, str], list[str]] = {}
        self._cells: dict[tuple[int, str, str, str], Cell | None] = {}
        self._order: dict[tuple[str, str], list[str]] = {}
        self._frameworks: dict[tuple[str, int], Framework] = {}
        self.index_order: list[str] = list(dataset.indexes)
        self.units: list[str] = list(dataset.units)
        self._read(dataset.frame)
        self._derive_totals()

    def _read(self, frame: pd.DataFrame) -> None:
        columns = ("year", "index", "version", "group", "unit", "component", "score", "max", "rank")
        for year, index, version, group, unit, comp, score, mx, rank in zip(
                *(frame[c].tolist() for c in columns), strict=True):
            row = Row(float(score), _r(mx), None if pd.isna(rank) else int(rank), group, version)
            self._add(int(year), index, unit, comp, row)

    def _add(self, year: int, index: str, unit: str, comp: str, row: Row) -> None:
        self.rows.setdefault((unit, index), {}).setdefault(year, {})[comp] = row
        self.entries.setdefault((year, index, row.group, comp), []).append((unit, row))
        self.unit_years.setdefault(unit, set()).add(year)
        present = self.indexes_in.setdefault((year, row.group), [])
        if index not in present:
            present.append(index)

    def _derive_totals(self) -> None:
        """An additive index without a TOTAL row gets the sum of its top-level components."""
        derived = []
        for (unit, index), years in self.rows.items():
            for year, comps in years.items():
                fw = self.framework(index, year)
                tops = [c.code for c in fw.top_level()]
                if TOTAL in comps or not fw.additive or not tops or not all(
                        c in comps for c in tops):
                    continue
                first = comps[tops[0]]
                score = sum(comps[c].score for c in tops)
                derived.append((year, index, unit, Row(score, fw.total_max, None, first.group,
                                                       first.version, True)))
        for year, index, unit, row in derived:
            self._add(year, index, unit, TOTAL, row)

    def framework(self, index: str, year: int) -> Framework:
        """The framework version of an index in a year (cached lookup)."""
        key = (index, year)
        if key not in self._frameworks:
            self._frameworks[key] = self.dataset.framework(index, year)
        return self._frameworks[key]

    def cell(self, year: int, index: str, group: str, comp: str) -> Cell | None:
        """The peer table, built on first use and cached."""
        key = (year, index, group, comp)
        if key not in self._cells:
            entries = self.entries.get(key)
            self._cells[key] = _build_cell(entries) if entries else None
        return self._cells[key]

    def component_order(self, fw: Framework) -> list[str]:
        """Framework codes depth-first (children right after their parent), cached."""
        key = (fw.code, fw.version)
        if key not in self._order:
            out: list[str] = []

            def walk(code: str | None) -> None:
                for c in fw.components.values():
                    if c.parent == code:
                        out.append(c.code)
                        walk(c.code)

            walk(None)
            self._order[key] = out
        return self._order[key]

    def previous_year(self, unit: str, index: str, year: int) -> int | None:
        """Nearest earlier year in which the unit has a total for the index."""
        years = [y for y, comps in self.rows.get((unit, index), {}).items()
                 if y < year and TOTAL in comps]
        return max(years) if years else None


def prepare(dataset: Dataset | Prepared) -> Prepared:
    """Index a dataset once for many :func:`analyze_unit` calls (idempotent)."""
    return dataset if isinstance(dataset, Prepared) else Prepared(dataset)


# --- unit and year lookup --------------------------------------------------------------------

def _without_prefix(name: str) -> str:
    """Folded name without a leading "tỉnh"/"thành phố" word ("Tỉnh Hòa Lâm" → "hoalam")."""
    return fold(_UNIT_PREFIX.sub("", unicodedata.normalize("NFC", name).casefold()))


def find_unit(data: Dataset | Prepared, name: str) -> str:
    """The unit's name as written in the data: exact, then case/accent-insensitive (also
    without a leading "tỉnh"/"thành phố"); otherwise :class:`LookupFailed` with suggestions."""
    units = data.units
    if name in units:
        return name
    for key in (fold, _without_prefix):
        target = key(name)
        hits = [u for u in units if key(u) == target]
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            listed = ", ".join(repr(h) for h in hits)
            raise LookupFailed(f"Tên đơn vị '{name}' khớp nhiều đơn vị: {listed}. "
                               "Hãy ghi đúng tên như trong dữ liệu.")
    hint = did_you_mean(name, units) or f" Dữ liệu có {len(units)} đơn vị."
    raise LookupFailed(f"Không tìm thấy đơn vị '{name}'.{hint}")


def check_year(data: Dataset | Prepared, unit: str, year: int) -> None:
    """:class:`LookupFailed` listing the unit's years when it has no data for ``year``."""
    prep = data if isinstance(data, Prepared) else None
    if prep is not None:
        years = sorted(prep.unit_years.get(unit, ()))
    else:
        frame = data.frame
        years = sorted({int(y) for y in frame.loc[frame["unit"] == unit, "year"]})
    if year not in years:
        listed = ", ".join(str(y) for y in years) or "không có năm nào"
        raise LookupFailed(f"Đơn vị '{unit}' không có dữ liệu năm {year}. "
                           f"Các năm có dữ liệu: {listed}.")


# --- small rules -----------------------------------------------------------------------------

def direction(delta: float | None, tolerance: float) -> str | None:
    """"tăng" / "giảm", or "giữ nguyên" when |delta| is under the tolerance."""
    if delta is None:
        return None
    if abs(delta) < tolerance - EPS or abs(delta) <= EPS:
        return STEADY
    return UP if delta > 0 else DOWN


def rank_direction(delta_rank: int | None) -> str | None:
    if delta_rank is None:
        return None
    return UP if delta_rank > 0 else DOWN if delta_rank < 0 else STEADY


def mixed(score_dir: str | None, rank_dir: str | None) -> str | None:
    """Flag a score and a rank moving in opposite directions (the text must explain it)."""
    if score_dir == UP and rank_dir == DOWN:
        return "score_up_rank_down"
    if score_dir == DOWN and rank_dir == UP:
        return "score_down_rank_up"
    return None


def share_count(of: int, share: float) -> int:
    """How many places make up a share of the peers ("top quarter" of 63 = 15), at least 1."""
    return max(1, int(math.floor(of * share + EPS)))


def rate(rule: RatingRule, cell: Cell | None, score: float,
         percent: float | None) -> dict[str, Any] | None:
    """The rating group of a value: fixed thresholds or peer quartiles (none if alone)."""
    if rule.kind == "thresholds":
        value = percent if rule.basis == "percent" else score
        if value is None:
            return None
        for g in sorted((g for g in rule.groups if g.min is not None), key=lambda g: -g.min):
            if value >= g.min - EPS:
                return {"label": g.label, "description": g.description, "kind": rule.kind}
        return None
    if rule.kind == "quartiles" and cell is not None and cell.quartiles and cell.count >= 2:
        p25, p50, p75 = cell.quartiles
        position = 0 if score >= p75 - EPS else 1 if score >= p50 - EPS else 2 if (
            score >= p25 - EPS) else 3
        g = rule.groups[position]
        return {"label": g.label, "description": g.description, "kind": rule.kind}
    return None


# --- per index -------------------------------------------------------------------------------

@dataclass
class _Ctx:
    """What every step of one index's analysis needs."""

    prep: Prepared
    unit: str
    year: int
    index: str
    fw: Framework
    ir: IndexRules
    rules: Rules
    action_year: int
    group: str
    prev_year: int | None
    prev_group: str | None
    comparable: bool
    notes: list[str] = field(default_factory=list)

    def responsible(self, code: str) -> list[str]:
        """Override file first, then the framework for the action year."""
        override = self.rules.responsible_override(self.index, code)
        if override:
            return list(override)
        units = self.fw.responsible_for(code, self.action_year)
        return units or list(self.fw.coordinator)


def _values(ctx: _Ctx, code: str, row: Row) -> dict[str, Any]:
    """Score, rank, change and peer comparison of one component (or of the TOTAL)."""
    cell = ctx.prep.cell(ctx.year, ctx.index, ctx.group, code)
    assert cell is not None  # the unit's own row is in it
    rank = cell.ranks[ctx.unit]
    prev_row = prev_cell = None
    if ctx.prev_year is not None:
        prev_row = ctx.prep.rows[(ctx.unit, ctx.index)][ctx.prev_year].get(code)
        if prev_row is not None:
            prev_cell = ctx.prep.cell(ctx.prev_year, ctx.index, prev_row.group, code)
    shown = prev_row if ctx.comparable else None
    prev_rank = prev_cell.ranks[ctx.unit] if (shown and prev_cell) else None
    delta = _r(row.score - shown.score) if shown else None
    delta_rank = prev_rank - rank if prev_rank is not None else None
    s_dir = direction(delta, ctx.ir.tolerance)
    r_dir = rank_direction(delta_rank)
    best = cell.scores[cell.best_unit]
    return {
        "score": _r(row.score), "max": row.max, "percent": _percent(row.score, row.max),
        "rank": rank, "of": cell.of, "rank_published": ctx.unit in cell.published,
        "previous_score": _r(shown.score) if shown else None,
        "previous_max": shown.max if shown else None,
        "previous_percent": _percent(shown.score, shown.max) if shown else None,
        "previous_rank": prev_rank, "previous_of": prev_cell.of if (shown and prev_cell) else None,
        "delta_score": delta, "delta_rank": delta_rank, "direction": s_dir,
        "rank_direction": r_dir, "mixed": mixed(s_dir, r_dir),
        "peer_mean": _r(cell.mean), "peer_mean_percent": _percent(cell.mean, row.max),
        "peer_median": _r(cell.median), "gap_to_mean": _r(row.score - cell.mean),
        "best_score": _r(best), "best_unit": cell.best_unit, "gap_to_best": _r(best - row.score),
        "points_lost": _r(row.max - row.score) if row.max is not None else None,
        "_cell": cell, "_prev_cell": prev_cell, "_prev_row": prev_row,
    }


def _rating(ctx: _Ctx, v: dict[str, Any], score: float) -> dict[str, Any] | None:
    """Rating of this year plus the label of the previous year (same rule, its own peers)."""
    rating = rate(ctx.fw.rating, v["_cell"], score, v["percent"])
    if rating is None:
        return None
    prev_row = v["_prev_row"]
    prev_label = None
    if prev_row is not None:
        prev_fw = ctx.prep.framework(ctx.index, ctx.prev_year or ctx.year)
        prev = rate(prev_fw.rating, v["_prev_cell"], prev_row.score,
                    _percent(prev_row.score, prev_row.max))
        prev_label = prev["label"] if prev else None
    return {**rating, "previous_label": prev_label}


def _strength_reasons(v: dict[str, Any], ir: IndexRules) -> list[dict[str, Any]]:
    """Which strength rules hold, with the values that made them hold."""
    s, out = ir.strengths, []
    if s.min_percent is not None and v["percent"] is not None and (
            v["percent"] >= s.min_percent - EPS):
        out.append({"rule": "min_percent", "score": v["score"], "max": v["max"],
                    "percent": v["percent"], "threshold": s.min_percent})
    if s.top_share is not None and v["of"] >= ir.min_peers:
        limit = share_count(v["of"], s.top_share)
        if v["rank"] <= limit:
            out.append({"rule": "top_share", "rank": v["rank"], "of": v["of"], "limit": limit})
    if s.rank_gain is not None and v["delta_rank"] is not None and v["delta_rank"] >= s.rank_gain:
        out.append({"rule": "rank_gain", "rank": v["rank"], "previous_rank": v["previous_rank"],
                    "delta_rank": v["delta_rank"], "threshold": s.rank_gain})
    return out


def _weakness_reasons(v: dict[str, Any], ir: IndexRules) -> list[dict[str, Any]]:
    """Which weakness rules hold, with the values that made them hold."""
    w, out = ir.weaknesses, []
    if w.bottom_share is not None and v["of"] >= ir.min_peers:
        limit = v["of"] - share_count(v["of"], w.bottom_share) + 1
        if v["rank"] >= limit:
            out.append({"rule": "bottom_share", "rank": v["rank"], "of": v["of"], "limit": limit})
    if w.below_mean_percent is not None and v["max"] and v["of"] >= 2:
        gap = v["peer_mean"] - v["score"]
        threshold = _r(w.below_mean_percent / 100 * v["max"])
        if gap >= threshold - EPS and gap > EPS:
            out.append({"rule": "below_mean", "score": v["score"], "max": v["max"],
                        "peer_mean": v["peer_mean"], "gap": _r(gap), "threshold": threshold,
                        "threshold_percent": w.below_mean_percent})
    if w.rank_loss is not None and v["delta_rank"] is not None and -v["delta_rank"] >= w.rank_loss:
        out.append({"rule": "rank_loss", "rank": v["rank"], "previous_rank": v["previous_rank"],
                    "delta_rank": v["delta_rank"], "threshold": w.rank_loss})
    if w.max_percent is not None and v["percent"] is not None and v["percent"] < w.max_percent:
        out.append({"rule": "max_percent", "score": v["score"], "max": v["max"],
                    "percent": v["percent"], "threshold": w.max_percent})
    return out


def _classify(strong: list, weak: list, on_conflict: str) -> tuple[bool, bool]:
    """Candidate flags after resolving a component that meets both kinds of rules."""
    if strong and weak and on_conflict != "both":
        return on_conflict == "strength", on_conflict == "weakness"
    return bool(strong), bool(weak)


def _component(ctx: _Ctx, code: str, row: Row) -> dict[str, Any]:
    comp = ctx.fw.components[code]
    level = ctx.fw.level(code)
    analysed = code in ctx.ir.codes if ctx.ir.codes is not None else level in ctx.ir.levels
    v = _values(ctx, code, row)
    rating = _rating(ctx, v, row.score) if ctx.fw.rating.components else None
    strong = _strength_reasons(v, ctx.ir) if analysed else []
    weak = _weakness_reasons(v, ctx.ir) if analysed else []
    is_strength, is_weakness = _classify(strong, weak, ctx.ir.on_conflict)
    out = {"code": code, "name": comp.name, "short_name": comp.short_name, "parent": comp.parent,
           "level": level, "analysed": analysed}
    out.update((k, x) for k, x in v.items() if not k.startswith("_"))
    out.update(rating=rating, responsible=ctx.responsible(code), strength_reasons=strong,
               weakness_reasons=weak, is_strength=is_strength, is_weakness=is_weakness)
    return out


def _weakness_key(c: dict[str, Any], position: int) -> tuple:
    places = max(0, -(c["delta_rank"] or 0))
    return (-(c["points_lost"] or 0.0), -places, position)


def _strength_key(c: dict[str, Any], position: int) -> tuple:
    return (-(c["percent"] if c["percent"] is not None else -1.0), c["rank"], position)


def _select(components: list[dict[str, Any]], ir: IndexRules) -> tuple[list, list]:
    """Order candidates by impact, keep ``max_listed`` of each, set the final flags."""
    pos = {c["code"]: n for n, c in enumerate(components)}
    weak = sorted((c for c in components if c["is_weakness"]),
                  key=lambda c: _weakness_key(c, pos[c["code"]]))[:ir.weaknesses.max_listed]
    strong = sorted((c for c in components if c["is_strength"]),
                    key=lambda c: _strength_key(c, pos[c["code"]]))[:ir.strengths.max_listed]
    keep_w, keep_s = {c["code"] for c in weak}, {c["code"] for c in strong}
    for c in components:
        c["is_weakness"] = c["code"] in keep_w
        c["is_strength"] = c["code"] in keep_s
    return strong, weak


def _details(items: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    """``strength_details`` / ``weakness_details``: the evidence and the impact measure."""
    out = []
    for c in items:
        places = max(0, -(c["delta_rank"] or 0))
        impact = c["percent"] if kind == "strength" else c["points_lost"]
        out.append({"code": c["code"], "name": c["name"], "short_name": c["short_name"],
                    "reasons": c[f"{kind}_reasons"], "impact": impact,
                    "impact_measure": "percent" if kind == "strength" else "points_lost",
                    "places_lost": places, "score": c["score"], "max": c["max"],
                    "percent": c["percent"], "rank": c["rank"], "of": c["of"],
                    "delta_score": c["delta_score"], "delta_rank": c["delta_rank"]})
    return out


def _counts(analysed: list[dict[str, Any]]) -> dict[str, int]:
    dirs = [c["direction"] for c in analysed]
    rdirs = [c["rank_direction"] for c in analysed]
    return {"total": len(analysed), "compared": sum(d is not None for d in dirs),
            "up": dirs.count(UP), "down": dirs.count(DOWN), "same": dirs.count(STEADY),
            "rank_up": rdirs.count(UP), "rank_down": rdirs.count(DOWN),
            "rank_same": rdirs.count(STEADY)}


def _rating_counts(analysed: list[dict[str, Any]], rule: RatingRule) -> dict[str, Any] | None:
    """How many analysed components fall in each rating group, this year and the previous."""
    if not rule.components or not rule.groups:
        return None
    now = {g.label: 0 for g in rule.groups}
    before = {g.label: 0 for g in rule.groups}
    for c in analysed:
        r = c["rating"]
        if r:
            now[r["label"]] = now.get(r["label"], 0) + 1
            if r["previous_label"]:
                before[r["previous_label"]] = before.get(r["previous_label"], 0) + 1
    return {"current": now, "previous": before if any(before.values()) else None}


def _orderings(analysed: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Component codes sorted for the usual sentences (most points lost, biggest fall…)."""
    def codes(key: Any, items: Iterable[dict[str, Any]] = analysed) -> list[str]:
        return [c["code"] for c in sorted(items, key=key)]

    compared = [c for c in analysed if c["delta_score"] is not None]
    ranked = [c for c in analysed if c["delta_rank"] is not None]
    return {
        "points_lost": codes(lambda c: -(c["points_lost"] or 0.0)),
        "percent": codes(lambda c: -(c["percent"] or 0.0)),
        "rank": codes(lambda c: c["rank"]),
        "delta_score": codes(lambda c: c["delta_score"], compared),
        "delta_rank": codes(lambda c: c["delta_rank"], ranked),
    }


def _peer_rows(ctx: _Ctx, cell: Cell) -> list[dict[str, Any]]:
    """The whole ranking of the group (cached on the cell: shared by every unit)."""
    if cell.peers is not None:
        return cell.peers
    rows = []
    for unit in cell.order:
        row = ctx.prep.rows[(unit, ctx.index)][ctx.year][TOTAL]
        prev_year = ctx.prep.previous_year(unit, ctx.index, ctx.year)
        delta = delta_rank = None
        if prev_year is not None:
            prev = ctx.prep.rows[(unit, ctx.index)][prev_year][TOTAL]
            if prev.version == row.version:
                prev_cell = ctx.prep.cell(prev_year, ctx.index, prev.group, TOTAL)
                delta = _r(row.score - prev.score)
                delta_rank = prev_cell.ranks[unit] - cell.ranks[unit] if prev_cell else None
        rating = rate(ctx.fw.rating, cell, row.score, _percent(row.score, row.max))
        rows.append({"unit": unit, "score": _r(row.score), "percent": _percent(row.score, row.max),
                     "rank": cell.ranks[unit], "delta_score": delta, "delta_rank": delta_rank,
                     "rating": rating["label"] if rating else None})
    cell.peers = rows
    return rows


def _history(ctx: _Ctx) -> list[dict[str, Any]]:
    """Score and rank of the unit in every year up to the report's that has a total (for the
    chart): a report on an earlier year never shows results published after it."""
    out = []
    for year, comps in sorted(ctx.prep.rows[(ctx.unit, ctx.index)].items()):
        row = comps.get(TOTAL)
        if row is None or year > ctx.year:
            continue
        cell = ctx.prep.cell(year, ctx.index, row.group, TOTAL)
        out.append({"year": year, "score": _r(row.score), "percent": _percent(row.score, row.max),
                    "rank": cell.ranks[ctx.unit] if cell else None, "of": cell.of if cell else None,
                    "version": row.version, "peer_mean": _r(cell.mean) if cell else None})
    return out


def _peer_stats(ctx: _Ctx, cell: Cell) -> dict[str, Any]:
    before = None
    if ctx.prev_year is not None:
        before = ctx.prep.cell(ctx.prev_year, ctx.index, ctx.group, TOTAL) or ctx.prep.cell(
            ctx.prev_year, ctx.index, ctx.prev_group or ctx.group, TOTAL)
    return {"mean": _r(cell.mean), "median": _r(cell.median),
            "max": _r(cell.sorted_scores[0]), "min": _r(cell.sorted_scores[-1]),
            "best_unit": cell.best_unit, "worst_unit": cell.worst_unit,
            "best_score": _r(cell.scores[cell.best_unit]),
            "worst_score": _r(cell.scores[cell.worst_unit]), "count": cell.count,
            "quartiles": [_r(q) for q in cell.quartiles] if cell.quartiles else None,
            "mean_previous": _r(before.mean) if before else None,
            "count_previous": before.count if before else None}


class _Fill(dict):
    """``str.format_map`` helper leaving unknown ``{placeholders}`` as they are."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def fill(text: str, **values: Any) -> str:
    """Fill ``{name}``-style placeholders of a library or rules text."""
    try:
        return text.format_map(_Fill(values))
    except (ValueError, IndexError, AttributeError):
        return text


def _group_threshold(ctx: _Ctx, target: Target, cell: Cell,
                     maximum: float) -> tuple[str, float] | None:
    """The rating group named by the target and the score that reached it this year
    (a fixed threshold, or a peer quartile for PAPI-like ratings)."""
    rule = ctx.fw.rating
    labels = [fold_code(g.label) for g in rule.groups]
    wanted = fold_code(target.group or "")
    if wanted not in labels:
        return None
    position = labels.index(wanted)
    group = rule.groups[position]
    if rule.kind == "thresholds" and group.min is not None:
        return group.label, group.min / 100 * maximum if rule.basis == "percent" else group.min
    if rule.kind == "quartiles" and cell.quartiles:
        return group.label, [*reversed(cell.quartiles), cell.sorted_scores[-1]][position]
    return None


def _needed(ctx: _Ctx, target: Target, cell: Cell,
            maximum: float) -> tuple[float | None, str | None, str | None]:
    """(score needed this year, unit at the target rank, rating group label)."""
    if target.kind == "rank":
        unit_at = cell.order[min(target.rank or 1, len(cell.order)) - 1]
        return cell.scores[unit_at], unit_at, None
    if target.kind == "group":
        found = _group_threshold(ctx, target, cell, maximum)
        return (found[1], None, found[0]) if found else (None, None, target.group)
    if target.kind == "score":
        return target.score, None, None
    return cell.mean, None, None


def _target(ctx: _Ctx, index: dict[str, Any], cell: Cell,
            analysed: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Gap to the configured target: the score that met it this year and what is missing.

    ``rank`` is the target rank (kind rank) or the rank the needed score would have earned
    among this year's peers (other kinds); ``places_to_gain`` compares it with the unit's."""
    target = ctx.ir.target
    if target is None:
        return None
    needs_peers = target.kind in ("rank", "mean") or (
        target.kind == "group" and ctx.fw.rating.kind == "quartiles")
    if needs_peers and cell.count < 2:
        ctx.notes.append("Không tính khoảng cách đến mục tiêu vì đơn vị không có đơn vị cùng nhóm "
                         "để so sánh.")
        return None
    needed, unit_at, group = _needed(ctx, target, cell, index["max"] or ctx.fw.total_max)
    if needed is None:
        ctx.notes.append(f"Không xác định được ngưỡng của mục tiêu '{target.group}' theo khung "
                         f"{ctx.fw.short_name}.")
        return None
    score = index["score"]
    rank = target.rank if target.kind == "rank" else 1 + cell.count_above(needed, ctx.unit)
    reached = index["rank"] <= rank if target.kind == "rank" else score >= needed - TIE_EPSILON
    label = fill(target.label, rank=rank, group=ctx.group.lower(), rating=group or "")
    return {"kind": target.kind, "label": label, "rank": rank, "group": group,
            "score_needed": _r(needed),
            "points_missing": 0.0 if reached else _r(max(0.0, needed - score)),
            "reached": reached, "basis_year": ctx.year, "unit_at_rank": unit_at,
            "current_score": score, "current_rank": index["rank"],
            "places_to_gain": max(0, index["rank"] - rank), **_recoverable(analysed)}


def _recoverable(analysed: list[dict[str, Any]]) -> dict[str, Any]:
    """Where the missing points are most recoverable: points lost, distance to the best peer,
    and the fall since the previous year."""
    items = []
    for c in sorted(analysed, key=lambda c: -(c["points_lost"] or 0.0)):
        if not c["points_lost"] or c["points_lost"] <= EPS:
            continue
        back = None
        if c["delta_score"] is not None:
            back = _r(max(0.0, -c["delta_score"]))
        items.append({"code": c["code"], "name": c["name"], "short_name": c["short_name"],
                      "points_lost": c["points_lost"], "gap_to_best": c["gap_to_best"],
                      "recover_to_previous": back})
    total = sum(i["recover_to_previous"] or 0.0 for i in items)
    fallen = [i["code"] for i in items if (i["recover_to_previous"] or 0) > EPS]
    return {"recoverable": items, "recover_to_previous_total": _r(total),
            "recover_to_previous_codes": fallen}


def _index_assessment(ctx: _Ctx, v: dict[str, Any]) -> dict[str, Any]:
    """The same strength/weakness rules applied to the index total."""
    strong, weak = _strength_reasons(v, ctx.ir), _weakness_reasons(v, ctx.ir)
    is_strength, is_weakness = _classify(strong, weak, ctx.ir.on_conflict)
    return {"is_strength": is_strength, "is_weakness": is_weakness,
            "strength_reasons": strong, "weakness_reasons": weak}


def _context(prep: Prepared, unit: str, year: int, index: str, rules: Rules) -> _Ctx:
    row = prep.rows[(unit, index)][year][TOTAL]
    prev_year = prep.previous_year(unit, index, year)
    prev = prep.rows[(unit, index)][prev_year][TOTAL] if prev_year is not None else None
    comparable = prev is not None and prev.version == row.version
    return _Ctx(prep, unit, year, index, prep.framework(index, year), rules.for_index(index),
                rules, year + rules.action_year_offset, row.group, prev_year,
                prev.group if prev else None, comparable)


def _analyze_index(prep: Prepared, unit: str, year: int, index: str,
                   rules: Rules) -> dict[str, Any]:
    """Everything about one index of the unit in the year."""
    ctx = _context(prep, unit, year, index, rules)
    fw = ctx.fw
    comps_row = prep.rows[(unit, index)][year]
    total = comps_row[TOTAL]
    v = _values(ctx, TOTAL, total)
    cell = v["_cell"]
    components = [_component(ctx, code, comps_row[code]) for code in prep.component_order(fw)
                  if code in comps_row]
    analysed = [c for c in components if c["analysed"]]
    strong, weak = _select(analysed, ctx.ir)
    prev = _previous(ctx, v)
    out: dict[str, Any] = {
        "index": index, "name": fw.name, "short_name": fw.short_name, "version": fw.version,
        "year": year, "group": ctx.group, "unit": fw.unit, "component_unit": fw.component_unit,
        "component_word": fw.component_word, "additive": fw.additive,
        "coordinator": ctx.responsible(TOTAL), "total_derived": total.derived,
    }
    out.update((k, x) for k, x in v.items() if not k.startswith("_") and k not in _TOTAL_SKIP)
    out.update(
        previous=prev, methodology_changed=bool(prev) and not ctx.comparable,
        methodology_note=_methodology_note(ctx, prev),
        group_label=None, rating=_rating(ctx, v, total.score),
        peer=_peer_stats(ctx, cell), peers=list(_peer_rows(ctx, cell)), history=_history(ctx),
        gap_to_mean_previous=_gap_previous(ctx, prev),
        points_lost=_points_lost(fw, components, total),
        counts=_counts(analysed), rating_counts=_rating_counts(analysed, fw.rating),
        order=_orderings(analysed), components=components,
        strengths=[c["code"] for c in strong], weaknesses=[c["code"] for c in weak],
        strength_details=_details(strong, "strength"), weakness_details=_details(weak, "weakness"),
        assessment=_index_assessment(ctx, v),
    )
    out["group_label"] = out["rating"]["label"] if out["rating"] else None
    if cell.count == 1:
        ctx.notes.append(f"{unit} là đơn vị duy nhất có kết quả {fw.short_name} trong nhóm "
                         f"'{ctx.group}' năm {year}: thứ hạng 1/1, không xếp nhóm theo tứ phân vị, "
                         "không so sánh với đơn vị khác.")
    if total.derived:
        ctx.notes.append(f"Điểm {fw.short_name} là tổng điểm các {fw.component_word} "
                         "(dữ liệu không có dòng TOTAL).")
    out["target"] = _target(ctx, out, cell, analysed)
    out["notes"] = ctx.notes
    return out


_TOTAL_SKIP = ("previous_score", "previous_max", "previous_percent", "previous_rank",
               "previous_of", "points_lost")


def _previous(ctx: _Ctx, v: dict[str, Any]) -> dict[str, Any] | None:
    row, cell = v["_prev_row"], v["_prev_cell"]
    if row is None:
        return None
    return {"year": ctx.prev_year, "score": _r(row.score), "max": row.max,
            "percent": _percent(row.score, row.max),
            "rank": cell.ranks[ctx.unit] if cell else None, "of": cell.of if cell else None,
            "version": row.version, "group": row.group}


def _gap_previous(ctx: _Ctx, prev: dict[str, Any] | None) -> float | None:
    if prev is None:
        return None
    cell = ctx.prep.cell(prev["year"], ctx.index, prev["group"], TOTAL)
    return _r(prev["score"] - cell.mean) if cell else None


def _methodology_note(ctx: _Ctx, prev: dict[str, Any] | None) -> str | None:
    if prev is None or ctx.comparable:
        return None
    return (f"Năm {ctx.year}, {ctx.fw.short_name} được xác định theo phương pháp {ctx.fw.version}; "
            f"năm {prev['year']} theo phương pháp {prev['version']}. Không so sánh điểm số, "
            "thứ hạng giữa hai năm.")


def _points_lost(fw: Framework, components: list[dict[str, Any]], total: Row) -> float | None:
    """Sum of (max − score) over top-level components when they make up the total."""
    tops = [c for c in components if c["level"] == 1]
    if fw.additive and tops and len(tops) == len(fw.top_level()) and all(
            c["points_lost"] is not None for c in tops):
        return _r(sum(c["points_lost"] for c in tops))
    return _r(total.max - total.score) if total.max is not None else None


# --- across indexes: responsibility, solutions, causes ---------------------------------------

def _items_for_action(index: dict[str, Any]) -> list[dict[str, Any]]:
    """The weak components of an index in impact order; the total when there are none."""
    by_code = {c["code"]: c for c in index["components"]}
    items = [by_code[code] for code in index["weaknesses"]]
    if not items and not any(c["analysed"] for c in index["components"]) and (
            index["assessment"]["is_weakness"]):
        items = [_total_as_component(index)]
    return items


def _total_as_component(index: dict[str, Any]) -> dict[str, Any]:
    return {"code": TOTAL, "name": index["name"], "short_name": index["short_name"],
            "score": index["score"], "max": index["max"], "percent": index["percent"],
            "rank": index["rank"], "of": index["of"], "points_lost": _r(
                index["max"] - index["score"]) if index["max"] is not None else None,
            "delta_score": index["delta_score"], "delta_rank": index["delta_rank"],
            "direction": index["direction"], "rank_direction": index["rank_direction"],
            "mixed": index["mixed"], "rating": index["rating"],
            "responsible": index["coordinator"]}


_FIGURES = ("score", "max", "percent", "rank", "of", "points_lost", "delta_score", "delta_rank",
            "direction", "rank_direction", "mixed")


def _figures(index: dict[str, Any], c: dict[str, Any]) -> dict[str, Any]:
    out = {"index": index["index"], "index_short_name": index["short_name"],
           "additive": index["additive"], "component_unit": index["component_unit"],
           "code": c["code"], "name": c["name"], "short_name": c["short_name"]}
    out.update((k, c.get(k)) for k in _FIGURES)
    out["rating"] = c["rating"]["label"] if c.get("rating") else None
    return out


def _responsibility(indices: list[dict[str, Any]], grouping: str) -> list[dict[str, Any]]:
    """Weak components grouped per responsible unit, with the points and places lost.

    ``points_lost`` sums only components of additive indexes (their points make up the
    total); ``places_lost`` sums the places fallen. Sorted by points lost, then places lost.
    """
    table: dict[str, dict[str, Any]] = {}
    for index in indices:
        for c in _items_for_action(index):
            units = c["responsible"] or [UNASSIGNED]
            keys = ["; ".join(units)] if grouping == "joint" else units
            for key in keys:
                entry = table.setdefault(key, {"unit": key, "components": [], "points_lost": 0.0,
                                               "places_lost": 0, "points_lost_by_index": {},
                                               "indices": []})
                item = _figures(index, c)
                item["shared_with"] = [u for u in units if u != key] if grouping == "unit" else []
                entry["components"].append(item)
                _accumulate(entry, index, c)
    rows = list(table.values())
    for r in rows:
        r["points_lost"] = _r(r["points_lost"])
    return sorted(rows, key=lambda r: (-r["points_lost"], -r["places_lost"]))


def _accumulate(entry: dict[str, Any], index: dict[str, Any], c: dict[str, Any]) -> None:
    if index["index"] not in entry["indices"]:
        entry["indices"].append(index["index"])
    entry["places_lost"] += max(0, -(c["delta_rank"] or 0))
    if index["additive"] and c["points_lost"] is not None:
        entry["points_lost"] += c["points_lost"]
        by_index = entry["points_lost_by_index"]
        by_index[index["index"]] = _r(by_index.get(index["index"], 0.0) + c["points_lost"])


def _library(rules: Rules, index: str, code: str, kind: str) -> tuple[list[Solution], bool]:
    """Library entries for a component and use; the fallback entry when there is none."""
    found = [s for s in rules.solutions_for(index, code) if s.use in (kind, "any")]
    if found:
        return found, True
    fallback = rules.fallback if kind == "weakness" else rules.maintain_fallback
    return ([fallback] if fallback else []), False


def _solution_items(index: dict[str, Any], c: dict[str, Any], kind: str, rules: Rules,
                    action_year: int) -> list[dict[str, Any]]:
    entries, from_library = _library(rules, index["index"], c["code"], kind)
    out = []
    for s in entries:
        lead = list(s.lead) if s.lead else list(c["responsible"] or [UNASSIGNED])
        item = _figures(index, c)
        item.update(kind=kind, maintain=kind == "strength", from_library=from_library,
                    text=fill(s.text, name=c["name"], short_name=c["short_name"],
                              index=index["short_name"]),
                    lead=lead, support=[u for u in s.support if u not in lead],
                    deadline=s.deadline.resolve(action_year))
        out.append(item)
    return out


def _solutions(indices: list[dict[str, Any]], rules: Rules, action_year: int) -> list[dict]:
    """Per index: solutions for the weak components (impact order), then strengths to keep."""
    out: list[dict[str, Any]] = []
    for index in indices:
        ir = rules.for_index(index["index"])
        by_code = {c["code"]: c for c in index["components"]}
        targets = _items_for_action(index)
        if ir.solutions_for == "losing":
            targets = targets + [c for c in sorted(index["components"],
                                                   key=lambda c: -(c["points_lost"] or 0.0))
                                 if c["analysed"] and not c["is_strength"] and not c["is_weakness"]
                                 and (c["points_lost"] or 0.0) > EPS]
        for c in targets:
            out += _solution_items(index, c, "weakness", rules, action_year)
        if ir.maintain_strengths:
            for code in index["strengths"]:
                out += _solution_items(index, by_code[code], "strength", rules, action_year)
    return out


def _causes(indices: list[dict[str, Any]], rules: Rules) -> dict[str, list[dict[str, Any]]]:
    """Cause prompts: general ones, then those keyed by the weak components."""
    out: dict[str, list[dict[str, Any]]] = {"objective": [], "subjective": []}
    for cause in rules.general_causes:
        out[cause.kind].append({"index": None, "code": None, "name": None, "text": cause.text})
    for index in indices:
        for c in _items_for_action(index):
            for cause in rules.causes_for(index["index"], c["code"]):
                out[cause.kind].append({"index": index["index"], "code": c["code"],
                                        "name": c["name"], "text": cause.text})
    return out


# --- the unit --------------------------------------------------------------------------------

def _unit_indexes(prep: Prepared, unit: str, year: int) -> list[str]:
    return [i for i in prep.index_order
            if TOTAL in prep.rows.get((unit, i), {}).get(year, {})]


def _missing(prep: Prepared, unit: str, year: int, present: list[str]) -> tuple[list[str], list]:
    """Indexes the unit's groups have that year but the unit lacks (or has no total for)."""
    groups = []
    for index in prep.index_order:
        for row in prep.rows.get((unit, index), {}).get(year, {}).values():
            if row.group not in groups:
                groups.append(row.group)
            break
    codes = [i for g in groups for i in prep.indexes_in.get((year, g), []) if i not in present]
    codes = list(dict.fromkeys(codes))
    return codes, [prep.framework(i, year).short_name for i in codes]


def analyze_unit(data: Dataset | Prepared, unit: str, year: int, rules: Rules) -> dict[str, Any]:
    """The analysis of one unit in one year (see the module docstring for conventions).

    ``data`` is best a :class:`Prepared` (from :func:`prepare`) when analysing many units.
    Raises :class:`LookupFailed` when the unit has no data for the year.
    """
    prep = prepare(data)
    check_year(prep, unit, year)
    action_year = year + rules.action_year_offset
    codes = _unit_indexes(prep, unit, year)
    indices = [_analyze_index(prep, unit, year, code, rules) for code in codes]
    missing_codes, missing_names = _missing(prep, unit, year, codes)
    groups = list(dict.fromkeys(i["group"] for i in indices))
    notes = [n for i in indices for n in i["notes"]]
    if not indices:
        notes.append(f"{unit} không có điểm tổng của chỉ số nào năm {year}.")
    return {
        "unit": unit, "year": year, "action_year": action_year,
        "group": groups[0] if groups else None, "groups": groups,
        "indices": indices, "missing_indices": missing_names,
        "missing_index_codes": missing_codes,
        "responsibility": _responsibility(indices, rules.grouping),
        "solutions": _solutions(indices, rules, action_year),
        "general_tasks": list(rules.general_tasks),
        "causes": _causes(indices, rules),
        "notes": notes,
    }
