"""Analyze stage: a validated dataset, a unit and a year → one :class:`UnitAnalysis`.

Everything downstream (sentences, charts, tables, the ``analyze`` JSON, the batch manifest)
reads these typed, read-only objects (:mod:`reportgen.analysis.model`); nothing here knows
about Word, files, number formatting or the words of the report. Numbers stay numbers
(rounded to 6 decimals only to drop floating-point noise), missing values are ``None``;
directions, flags and notes are language-neutral values the phrase files word.

Conventions:
- ranks are competition ranks within (year, index, group, component): 1 is best, equal scores
  share the better rank (1, 2, 2, 4); a published rank in the data wins for that unit;
- the previous year is the nearest earlier year in which the unit has a total for the index;
  when the two years use different framework versions (methodology change) no change figures
  are given (``methodology_changed`` and a note say why);
- ``delta_rank`` > 0 means the unit moved up (previous rank − rank);
- ``direction`` is :class:`Direction` ``UP``/``DOWN``, or ``STEADY`` when the change is under
  the tolerance of ``analysis.yaml``;
- strengths and weaknesses come from the rules of ``analysis.yaml``; each carries the evidence
  that triggered it. Weaknesses are ordered by impact: points lost (max − score), then places
  lost, then framework order. Strengths by percent of the maximum, then rank, then order.

A batch calls :func:`prepare` once and passes the result to :func:`analyze_unit` for every
unit: the per-(year, index, group, component) peer tables are built once and cached.

The result (:class:`~reportgen.analysis.model.UnitAnalysis`; its ``to_dict()`` is the
``analyze`` JSON, with the keys of PRODUCT.md plus the ones the narrative needs):

- top level: ``unit, year, action_year, group, groups, indices, missing_indices`` (short
  names), ``missing_index_codes, responsibility, solutions, general_tasks, causes, notes``;
- per index (:class:`IndexAnalysis`): ``index, name, short_name, version, year, group, unit,
  component_unit, component_word, additive, coordinator, total_derived, score, max, percent,
  rank, of, rank_published, previous {year, score, max, percent, rank, of, version, group,
  basis, method, weighted_by, predecessors [{unit, score, max, rank, of, weight}], since,
  source} | None, delta_score, delta_rank, direction, rank_direction, mixed, methodology_changed,
  methodology_note, group_label, rating {label, description, kind, previous_label} | None,
  peer {mean, median, max, min, best_unit, worst_unit, best_score, worst_score, count,
  quartiles, mean_previous, count_previous, delta_mean}, peer_mean, gap_to_mean,
  gap_to_mean_previous, best_score, best_unit, gap_to_best, peers [{unit, score, percent,
  rank, delta_score, delta_rank, rating}], history [{year, score, percent, rank, of, version,
  peer_mean}], points_lost, counts {total, compared, up, down, same, rank_up, rank_down,
  rank_same}, rating_counts, order {points_lost, percent, rank, delta_score, delta_rank:
  [codes]}, components, strengths, weaknesses, strength_details, weakness_details,
  assessment (the rules applied to the total), target, notes``; a unit formed by the 2025
  reorganisation (the lineage table) also has ``previous_basis, predecessors, formed``;
- per component (:class:`ComponentAnalysis`): ``code, name, short_name, parent, level,
  analysed, score, max, percent, rank, of, rank_published, previous_score, previous_max,
  previous_percent, previous_rank, previous_of, delta_score, delta_rank, direction,
  rank_direction, mixed, peer_mean, peer_mean_percent, peer_median, gap_to_mean, best_score,
  best_unit, gap_to_best, points_lost, rating, responsible, strength_reasons,
  weakness_reasons, is_strength, is_weakness``;
- ``target`` (:class:`Target`): ``kind, label, rank, group, score_needed, points_missing,
  reached, basis_year, unit_at_rank, current_score, current_rank, places_to_gain, recoverable
  [{code, name, short_name, points_lost, gap_to_best, recover_to_previous}],
  recover_to_previous_total, recover_to_previous_codes``;
- ``responsibility`` (:class:`ResponsibilityRow`, :mod:`reportgen.analysis.responsibility`):
  one row per agency ``[{unit (None: no responsible body named), components [{index,
  index_short_name, code, name, score, max, percent, rank, of, points_lost, delta_score,
  delta_rank, direction, rank_direction, mixed, rating, shared_with, loss_measure,
  gap_to_mean, level (component | criterion), first_lead, field_name, …}], points_lost,
  places_lost, points_lost_by_index, indices, demand (fall | loss | gap | low),
  coordinates}]``;
- ``solutions`` (:class:`SolutionItem`): the same figures plus ``kind`` (weakness |
  strength), ``maintain, from_library, text, lead, support, deadline {kind, quarter | day,
  month | text, year}``;
- ``causes``: ``{objective: [{index, code, name, text}], subjective: [...]}``;
- ``notes`` (:class:`Note`): ``[{kind, …its parameters}]``.
"""

from __future__ import annotations

import bisect
import dataclasses
import math
import re
import statistics
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from reportgen.analysis.criteria import Scope, analyze_criteria
from reportgen.analysis.model import (
    ActionKind,
    Assessment,
    Basis,
    BelowMeanReason,
    Category,
    Cause,
    Causes,
    ComponentAnalysis,
    Counts,
    Deadline,
    DeadlineKind,
    Detail,
    Direction,
    FrozenMap,
    HistoryPoint,
    ImpactMeasure,
    IndexAnalysis,
    LargestLossReason,
    Mixed,
    Note,
    NoteKind,
    Orderings,
    PeerRow,
    PeerStats,
    PercentReason,
    PredecessorResult,
    Previous,
    RankChangeReason,
    RankOnly,
    Rating,
    RatingCounts,
    RatingKind,
    Reason,
    ReasonRule,
    Recoverable,
    ResponsibilityItem,
    ResponsibilityRow,
    ShareReason,
    SolutionItem,
    SourceKind,
    Target,
    TargetKind,
    TargetSource,
    TargetStep,
    UnitAnalysis,
)
from reportgen.analysis.numbers import figure
from reportgen.analysis.numbers import percent_of as _percent
from reportgen.analysis.numbers import rounded as _r
from reportgen.analysis.ranking import TIE_EPSILON, rank_map
from reportgen.analysis.responsibility import Lead, criteria_leads, responsibility_rows
from reportgen.config.frameworks import TOTAL, Framework, RatingRule, fold_code
from reportgen.config.rules import NEXT_GROUP, IndexRules, Rules, Solution
from reportgen.config.rules import Target as TargetRule
from reportgen.data.groups import GroupFact
from reportgen.data.lineage import Lineage, Succession
from reportgen.data.notes import UserNote
from reportgen.data.text import fold
from reportgen.data.validate import Dataset
from reportgen.errors import LookupFailed, did_you_mean

EPS = 1e-9
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
    rating: str = ""  # published rating label, if any


@dataclass(frozen=True)
class Figures:
    """A group's statistics as the report may state them, each with where it comes from
    (:class:`Basis`); None where nothing truthful can be said under the setting."""

    mean: float | None
    median: float | None
    max: float | None
    min: float | None
    basis: Basis | None
    best_unit: str | None
    best_score: float | None
    worst_unit: str | None
    worst_score: float | None
    leader_basis: Basis | None
    worst_basis: Basis | None


@dataclass
class Cell:
    """The peer table of one (year, index, group, component): ranks and statistics."""

    order: list[str]  # units sorted by rank, then score, then name
    scores: dict[str, float]
    ranks: dict[str, int]  # published ranks, else computed among the units with a score
    published: set[str]
    of: int | None
    mean: float
    median: float
    quartiles: tuple[float, float, float] | None  # 25th, 50th, 75th percentiles
    sorted_scores: list[float]  # best first
    peers: tuple[PeerRow, ...] | None = None  # built on demand (TOTAL cells only)
    ascending: list[float] | None = None  # built on demand (target gaps)
    size: int | None = None  # units of the group: declared, known from the framework, or None
    complete: bool = True  # every unit of the group has a score in the data
    fact: GroupFact | None = None  # what the groups table publishes about this group
    ranked_only: dict[str, int] = field(default_factory=dict)  # published rank, no score
    computed: dict[str, int] = field(default_factory=dict)  # ranks among the scores loaded
    # built on first use and shared by every unit of a batch (a commune group has thousands)
    _by_rank: dict[int, list[str]] | None = None
    _figures: dict[str, Figures] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return len(self.scores)

    @property
    def loaded(self) -> int:
        """Units of the group in the data (with a score or with a published rank only)."""
        return len(self.scores) + len(self.ranked_only)

    def trusted_rank(self, unit: str) -> int | None:
        """The unit's rank as the report may print it: published, or computed when the whole
        group is in the data; never a rank computed from part of the group."""
        if unit in self.published:
            return self.ranks[unit]
        if unit in self.ranked_only:
            return self.ranked_only[unit]
        return self.ranks.get(unit) if self.complete else None

    def subset_rank(self, unit: str) -> int | None:
        """The unit's place among the units with a score (when the group is incomplete)."""
        return None if self.complete or unit not in self.scores else self.computed[unit]

    def tied_with(self, unit: str) -> tuple[str, ...]:
        """Other units of the data sharing the unit's (trusted) rank."""
        rank = self.trusted_rank(unit)
        if rank is None:
            return ()
        if self._by_rank is None:
            self._by_rank = {}
            for other in [*self.order, *self.ranked_only]:
                trusted = self.trusted_rank(other)
                if trusted is not None:
                    self._by_rank.setdefault(trusted, []).append(other)
        return tuple(u for u in self._by_rank.get(rank, ()) if u != unit)

    def figures(self, partial: str) -> Figures:
        """The group's figures under a ``partial_groups`` setting (see :meth:`_figures_of`),
        computed once per cell and setting."""
        if partial not in self._figures:
            self._figures[partial] = self._figures_of(partial)
        return self._figures[partial]

    def _figures_of(self, partial: str) -> Figures:
        """Mean, median, range and leaders: published facts first, then computed from the
        whole group; from part of it only when ``partial`` is "label" (and then marked)."""
        fact = self.fact
        own = Basis.COMPLETE if self.complete else (Basis.SUBSET if partial == "label" else None)
        computed = own is not None and bool(self.scores)

        def pick(published: float | None, value: float) -> tuple[float | None, Basis | None]:
            if published is not None:
                return published, Basis.PUBLISHED
            return (value, own) if computed else (None, None)

        mean, basis = pick(fact.mean if fact else None, self.mean)
        median, median_basis = pick(fact.median if fact else None, self.median)
        top, _ = pick(fact.max if fact else None, self.sorted_scores[0] if self.scores else 0.0)
        bottom, _ = pick(fact.min if fact else None,
                         self.sorted_scores[-1] if self.scores else 0.0)
        basis = basis or median_basis
        best, best_score, leader = self._leader(first=True, computed=computed, own=own)
        worst, worst_score, trailer = self._leader(first=False, computed=computed, own=own)
        return Figures(mean=mean, median=median, max=top, min=bottom, basis=basis,
                       best_unit=best, best_score=best_score, worst_unit=worst,
                       worst_score=worst_score, leader_basis=leader, worst_basis=trailer)

    def _leader(self, first: bool, computed: bool,
                own: Basis | None) -> tuple[str | None, float | None, Basis | None]:
        """The best (or last) unit: published by name, or holding the published rank 1 (or
        the last rank of a group of known size), or computed."""
        fact = self.fact
        named = (fact.best_unit if first else fact.worst_unit) if fact else None
        figure_ = (fact.max if first else fact.min) if fact else None
        if named:
            return named, self.scores.get(named, figure_), Basis.PUBLISHED
        wanted = 1 if first else self.size
        if wanted is not None and not self.complete:
            for unit in [*self.order, *self.ranked_only]:
                if unit in (self.published | set(self.ranked_only)) and (
                        self.trusted_rank(unit) == wanted):
                    return unit, self.scores.get(unit, figure_), Basis.PUBLISHED
        if not computed or not self.scores or (not first and self.count < 2):
            return None, None, None
        unit = self.order[0] if first else self.order[-1]
        return unit, self.scores[unit], own

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


def _build_cell(entries: list[tuple[str, Row]], ranked_only: dict[str, int] | None = None,
                size: int | None = None, fact: GroupFact | None = None) -> Cell:
    """Competition ranks (published ranks win) and peer statistics of one table.

    The group is complete when every unit of it has a score here: its size (declared or
    known) is reached, or — size unknown — no unit is known only by its rank and no published
    rank goes beyond the units loaded. ``of`` is the size, or the count of a complete group;
    None when it is unknown."""
    ranked_only = dict(ranked_only or {})
    scores = {u: r.score for u, r in entries}
    computed = rank_map(scores)
    ranks = dict(computed)
    published = {u for u, r in entries if r.rank is not None}
    for u, r in entries:
        if r.rank is not None:
            ranks[u] = r.rank
    values = list(scores.values())
    highest = max([*(ranks[u] for u in published), *ranked_only.values()], default=0)
    if size is not None and size < len(values):
        size = None  # a size below the units loaded is not this data's group (a fictional set)
    if size is not None:
        complete = len(values) >= size and not ranked_only
    else:
        complete = not ranked_only and highest <= len(values)
    of = size if size is not None else (len(values) if complete else None)
    order = sorted(scores, key=lambda u: (ranks[u], -scores[u], u))
    quartiles = None
    if len(values) >= 2:
        q = statistics.quantiles(values, n=4, method="inclusive")
        quartiles = (q[0], q[1], q[2])
    cell = Cell(order=order, scores=scores, ranks=ranks, published=published,
                of=of, mean=statistics.fmean(values) if values else 0.0,
                median=statistics.median(values) if values else 0.0, quartiles=quartiles,
                sorted_scores=sorted(values, reverse=True), size=size, complete=complete,
                fact=fact, ranked_only=ranked_only)
    cell.computed = computed
    return cell


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
        self.facts = dataset.facts
        # Published ranks without a score, per (year, index, group, component) and per unit.
        self.ranked_only: dict[tuple[int, str, str, str], dict[str, int]] = {}
        self.unit_ranked_only: dict[tuple[str, int], list[tuple[str, str, int, str]]] = {}
        # The 2025 reorganisation: who continues whom, and the results published for a new
        # unit re-cut to its new borders for a year before it existed (kept out of the
        # ranking of that year's units: they are not among them).
        self.lineage: Lineage = getattr(dataset, "lineage", None) or Lineage()
        self._recut_until = _recut_until(self.lineage)
        self.recut: dict[tuple[str, str], dict[int, dict[str, Row]]] = {}
        self.recut_sources: dict[tuple[str, str, int], str] = {}
        self._recut_entries: dict[tuple[int, str, str, str], list[tuple[str, Row]]] = {}
        self._recut_cells: dict[tuple[int, str, str, str], Cell | None] = {}
        self._first_year = min(dataset.years, default=0)  # how far back "latest_available" looks
        self._notes: dict[tuple[str, int], list[UserNote]] | None = None
        self._read(dataset.frame)
        self._derive_totals()

    def _read(self, frame: pd.DataFrame) -> None:
        columns = ("year", "index", "version", "group", "unit", "component", "score", "max", "rank",
                   "rating", "source")
        present = [c for c in columns if c in frame.columns]
        for values in zip(*(frame[c].tolist() for c in present), strict=True):
            r = dict(zip(present, values, strict=True))
            year, index, group, unit, comp = (int(r["year"]), r["index"], r["group"], r["unit"],
                                              r["component"])
            rank = None if pd.isna(r["rank"]) else int(r["rank"])
            if pd.isna(r["score"]):  # validation lets a rank stand alone only with its rank
                assert rank is not None
                self.ranked_only.setdefault((year, index, group, comp), {})[unit] = rank
                self.unit_ranked_only.setdefault((unit, year), []).append(
                    (index, group, rank, str(r.get("source") or "")))
                self.unit_years.setdefault(unit, set()).add(year)
                continue
            row = Row(float(r["score"]), _r(r["max"]), rank, group, r["version"],
                      rating=str(r.get("rating") or ""))
            if year < self._recut_until.get(unit, year):
                self._add_recut(year, index, unit, comp, row, str(r.get("source") or ""))
                continue
            self._add(year, index, unit, comp, row)

    def _add_recut(self, year: int, index: str, unit: str, comp: str, row: Row,
                   source: str) -> None:
        """A result published for a new unit for a year before it existed (a re-cut)."""
        self.recut.setdefault((unit, index), {}).setdefault(year, {})[comp] = row
        self._recut_entries.setdefault((year, index, row.group, comp), []).append((unit, row))
        if source:
            self.recut_sources.setdefault((unit, index, year), source)

    def recut_cell(self, year: int, index: str, group: str, comp: str) -> Cell | None:
        """The peer table of the re-cut results of one year (the new units among themselves):
        only their published ranks stand (the data may re-cut some new units, not all), out of
        a size the data does not give."""
        key = (year, index, group, comp)
        if key not in self._recut_cells:
            entries = self._recut_entries.get(key)
            cell = _build_cell(entries) if entries else None
            if cell is not None:
                cell.complete, cell.of = False, None
            self._recut_cells[key] = cell
        return self._recut_cells[key]

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
            fact = self.facts.get(key)
            cell = _build_cell(entries, self.ranked_only.get(key),
                               self.group_size(year, index, group, comp),
                               fact) if entries else None
            total = self.cell(year, index, group, TOTAL) if comp != TOTAL and cell else None
            if cell is not None and total is not None and not total.complete and cell.complete:
                # the total shows part of the group is missing (published ranks beyond the
                # units loaded): so are its components, whatever their own rows suggest
                cell.complete, cell.size = False, cell.size or total.size
                cell.of = cell.size
            self._cells[key] = cell
        return self._cells[key]

    def group_size(self, year: int, index: str, group: str, comp: str) -> int | None:
        """How many units the group has: the groups table (the component's row, else the
        total's), else the framework's known size for a group of that name; None: unknown."""
        fact = self.facts.get((year, index, group, comp)) or self.facts.get(
            (year, index, group, TOTAL))
        if fact is not None:
            return fact.size
        known = self.framework(index, year).group_size(group, year)
        return known.size if known else None

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

    def previous_source(self, unit: str, index: str, year: int,
                        compare_with: str = "previous_year",
                        lineage: str = "weighted") -> PreviousSource | None:
        """Whose result, of which year, "năm trước" is: the year just before when there is a
        result then ("previous_year"), or the latest earlier year with one
        ("latest_available"). Before the unit continues others (the lineage table): a re-cut
        published for the unit itself, else its predecessors' results (combined by
        ``lineage``: "weighted", "equal"; "none": no comparison), else nothing; never a
        namesake's own result alone."""
        candidates = [year - 1] if compare_with == "previous_year" else list(
            range(year - 1, min(self._first_year, year) - 1, -1))
        for before in candidates:
            found = self._source_in(unit, index, year, before, lineage)
            if found is not None:
                return found
        return None

    def _source_in(self, unit: str, index: str, year: int, before: int,
                   lineage: str) -> PreviousSource | None:
        succession = self.lineage.succession(unit, year, before)
        if succession is None:
            own = self.rows.get((unit, index), {}).get(before, {})
            return PreviousSource(before, "own", (unit,)) if TOTAL in own else None
        if TOTAL in self.recut.get((unit, index), {}).get(before, {}):
            return PreviousSource(before, "recut", (unit,), succession=succession,
                                  source=self.recut_sources.get((unit, index, before), ""))
        preds = succession.predecessors
        if lineage == "none" or not all(
                TOTAL in self.rows.get((p, index), {}).get(before, {}) for p in preds):
            return None
        declared = succession.weights if lineage == "weighted" else None
        method = ("weighted" if declared else "equal") if len(preds) > 1 else ""
        total = sum(declared) if declared else 0.0
        shares = tuple(w / total for w in declared) if declared and total > 0 else tuple(
            1.0 / len(preds) for _ in preds)  # declared shares sum to 1 give or take rounding
        return PreviousSource(before, succession.kind, preds, shares, method, succession,
                              next((link.source for link in succession.links if link.source), ""))

    def previous_row(self, source: PreviousSource, index: str,
                     code: str) -> tuple[Row | None, Cell | None, str | None]:
        """The previous result of one component (or the TOTAL) from ``source``, its peer
        table and the name it is ranked under there (None: no rank carries over)."""
        year = source.year
        if source.basis in ("own", "recut"):
            unit = source.units[0]
            table = self.rows if source.basis == "own" else self.recut
            row = table.get((unit, index), {}).get(year, {}).get(code)
            if row is None:
                return None, None, None
            cell = (self.cell if source.basis == "own" else self.recut_cell)(
                year, index, row.group, code)
            return row, cell, unit
        rows = [self.rows.get((p, index), {}).get(year, {}).get(code) for p in source.units]
        if any(r is None for r in rows):
            return None, None, None  # a predecessor without this figure: no combination
        present = [r for r in rows if r is not None]
        if len(present) == 1:  # renamed (one rank carries over) or split (it does not)
            only = present[0]
            cell = self.cell(year, index, only.group, code)
            return only, cell, source.units[0] if source.basis == "rename" else None
        score = sum(w * r.score for w, r in zip(source.weights, present, strict=True))
        maxima = [r.max for r in present]
        top = None if any(m is None for m in maxima) else sum(
            w * (m or 0.0) for w, m in zip(source.weights, maxima, strict=True))
        first = present[0]
        return Row(score, top, None, first.group, first.version, derived=True), None, None

    def earlier_years(self, unit: str, index: str, year: int) -> list[int]:
        """Years before ``year`` in which the unit has a total for the index (since it
        continues others, if it does: a namesake's earlier results are not its own)."""
        formed = self.formed(unit, year)
        return sorted(y for y, comps in self.rows.get((unit, index), {}).items()
                      if y < year and TOTAL in comps and (formed is None or y >= formed.year))

    def formed(self, unit: str, year: int) -> Succession | None:
        """The latest succession of the unit taking effect by ``year``."""
        found = [s for s in self.lineage.successions(unit) if s.year <= year]
        return found[-1] if found else None

    def notes_of(self, unit: str, year: int) -> list[UserNote]:
        """The notes table's rows for the unit and year, in the order written (the table is
        indexed once: a batch asks for every unit)."""
        if self._notes is None:
            self._notes = {}
            for note in self.dataset.notes:
                self._notes.setdefault((note.unit, note.year), []).append(note)
        return self._notes.get((unit, year), [])


@dataclass(frozen=True)
class PreviousSource:
    """Whose result of which year a unit is compared with (see :meth:`Prepared.
    previous_source`): its own, a re-cut for it, or its predecessors' (by ``basis``: rename,
    split, merge; combined with the normalised ``weights`` by ``method``)."""

    year: int
    basis: str  # own | recut | rename | split | merge
    units: tuple[str, ...]
    weights: tuple[float, ...] = ()
    method: str = ""  # weighted | equal ("" when nothing is combined)
    succession: Succession | None = None
    source: str = ""


def _recut_until(lineage: Lineage) -> dict[str, int]:
    """For each unit that continues others without being one of them, the last year it
    takes effect: its rows before that year are re-cuts, not results of a unit of that year."""
    keeps = {(link.unit, link.year) for link in lineage.links if link.unit == link.predecessor}
    out: dict[str, int] = {}
    for link in lineage.links:
        if (link.unit, link.year) not in keeps:
            out[link.unit] = max(out.get(link.unit, link.year), link.year)
    return out


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
    if isinstance(data, Prepared):
        years = sorted(data.unit_years.get(unit, ()))
    else:
        frame = data.frame
        years = sorted({int(y) for y in frame.loc[frame["unit"] == unit, "year"]})
    if year not in years:
        listed = ", ".join(str(y) for y in years) or "không có năm nào"
        raise LookupFailed(f"Đơn vị '{unit}' không có dữ liệu năm {year}. "
                           f"Các năm có dữ liệu: {listed}.")



# --- small rules -----------------------------------------------------------------------------

def direction(delta: float | None, tolerance: float) -> Direction | None:
    """UP / DOWN, or STEADY when |delta| is under the tolerance."""
    if delta is None:
        return None
    if abs(delta) < tolerance - EPS or abs(delta) <= EPS:
        return Direction.STEADY
    return Direction.UP if delta > 0 else Direction.DOWN


def rank_direction(delta_rank: int | None) -> Direction | None:
    if delta_rank is None:
        return None
    return (Direction.UP if delta_rank > 0 else Direction.DOWN if delta_rank < 0
            else Direction.STEADY)


def mixed(score_dir: Direction | None, rank_dir: Direction | None) -> Mixed | None:
    """Flag a score and a rank moving in opposite directions (the text must explain it)."""
    if score_dir == Direction.UP and rank_dir == Direction.DOWN:
        return Mixed.SCORE_UP_RANK_DOWN
    if score_dir == Direction.DOWN and rank_dir == Direction.UP:
        return Mixed.SCORE_DOWN_RANK_UP
    return None


def share_count(of: int, share: float) -> int:
    """How many places make up a share of the peers ("top quarter" of 63 = 15), at least 1."""
    return max(1, int(math.floor(of * share + EPS)))


def rate(rule: RatingRule, cell: Cell | None, score: float,
         percent: float | None) -> Rating | None:
    """The rating group of a value: fixed thresholds or peer quartiles (none if alone)."""
    if rule.kind == RatingKind.THRESHOLDS:
        value = percent if rule.basis == "percent" else score
        if value is None:
            return None
        for g in sorted((g for g in rule.groups if g.min is not None), key=lambda g: -(g.min or 0)):
            if value >= (g.min or 0) - EPS:
                return Rating(g.label, g.description, RatingKind.THRESHOLDS)
        return None
    if rule.kind == RatingKind.QUARTILES and cell is not None and cell.quartiles and (
            cell.count >= 2 and cell.complete):  # quartiles of part of a group say nothing
        p25, p50, p75 = cell.quartiles
        position = 0 if score >= p75 - EPS else 1 if score >= p50 - EPS else 2 if (
            score >= p25 - EPS) else 3
        g = rule.groups[position]
        return Rating(g.label, g.description, RatingKind.QUARTILES)
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
    notes: list[Note] = field(default_factory=list)
    source: PreviousSource | None = None  # whose result "năm trước" is

    def responsible(self, code: str) -> tuple[str, ...]:
        return responsible_bodies(self.rules, self.fw, self.index, code, self.action_year)


def responsible_bodies(rules: Rules, fw: Framework, index: str, code: str,
                       action_year: int) -> tuple[str, ...]:
    """Who leads a component in the action year: the user's responsible.yaml first, then the
    framework, then the index's coordinator — named as in force that year (responsible.yaml
    ``renamed``). The one lookup of the unit reports and the group overview."""
    override = rules.responsible_override(index, code)
    if override:
        return rules.current_names(override, action_year)
    units = fw.responsible_for(code, action_year)
    return rules.current_names(units or fw.coordinator, action_year)


@dataclass(slots=True)
class _Values:
    """Score, rank, change and peer comparison of one component (or of the TOTAL); internal,
    never changed after :func:`_values` builds it."""

    score: float
    max: float | None
    percent: float | None
    rank: int | None
    of: int | None
    rank_published: bool
    rank_basis: Basis | None
    loaded: int
    peer_basis: Basis
    tied_with: tuple[str, ...]
    previous_score: float | None
    previous_max: float | None
    previous_percent: float | None
    previous_rank: int | None
    previous_of: int | None
    delta_score: float | None
    delta_rank: int | None
    direction: Direction | None
    rank_direction: Direction | None
    mixed: Mixed | None
    peer_mean: float
    peer_mean_percent: float | None
    peer_median: float
    gap_to_mean: float
    best_score: float
    best_unit: str
    gap_to_best: float
    points_lost: float | None
    cell: Cell
    prev_cell: Cell | None
    prev_row: Row | None
    previous_basis: str | None = None  # see Previous.basis
    prev_unit: str | None = None  # the name ranked in prev_cell (None: no rank carries over)

    def shared(self) -> dict[str, Any]:
        """The figures a component and an index total both carry (field name → value)."""
        return {name: getattr(self, name) for name in _SHARED_FIGURES}


_SHARED_FIGURES = tuple(f.name for f in dataclasses.fields(_Values)
                        if f.name not in ("cell", "prev_cell", "prev_row", "prev_unit"))


def comparable_sizes(before: Cell, now: Cell, size_change: float) -> bool:
    """Places can be compared unless the group's size changed by more than ``size_change``
    (a share): 63 → 61 provinces ranked compare, 63 → 34 after the mergers do not (40/63 to
    20/34 is no gain of 20 places)."""
    if before.of is None or now.of is None:
        return True  # sizes unknown: published ranks, compared as published
    return abs(before.of - now.of) <= size_change * max(before.of, now.of) + 1e-9


def _rank_basis(cell: Cell, unit: str) -> Basis | None:
    if unit in cell.published:
        return Basis.PUBLISHED
    return Basis.COMPLETE if cell.complete else None


def _values(ctx: _Ctx, code: str, row: Row) -> _Values:
    """The unit's figures for one component (or the TOTAL). A rank is the published one or
    one computed from the whole group; the peer figures are published, or computed from the
    whole group, or — the group being incomplete — from the units loaded (``peer_basis``)."""
    cell = ctx.prep.cell(ctx.year, ctx.index, ctx.group, code)
    assert cell is not None  # the unit's own row is in it
    rank = cell.trusted_rank(ctx.unit)
    prev_row = prev_cell = prev_unit = None
    if ctx.source is not None:
        prev_row, prev_cell, prev_unit = ctx.prep.previous_row(ctx.source, ctx.index, code)
    shown = prev_row if ctx.comparable else None
    prev_rank = prev_cell.trusted_rank(prev_unit) if (
        shown and prev_cell and prev_unit) else None
    delta = figure(row.score - shown.score) if shown else None
    delta_rank = prev_rank - rank if (prev_rank is not None and rank is not None
                                      and prev_cell
                                      and comparable_sizes(prev_cell, cell, ctx.rules.size_change)
                                      ) else None
    s_dir = direction(delta, ctx.ir.tolerance)
    r_dir = rank_direction(delta_rank)
    fig = cell.figures("label")
    mean = fig.mean if fig.mean is not None else cell.mean
    best_score = fig.best_score if fig.best_score is not None else cell.scores[cell.best_unit]
    best_unit = fig.best_unit or cell.best_unit
    return _Values(
        score=figure(row.score), max=row.max, percent=_percent(row.score, row.max),
        rank=rank, of=cell.of, rank_published=ctx.unit in cell.published,
        rank_basis=_rank_basis(cell, ctx.unit), loaded=cell.loaded,
        peer_basis=fig.basis or Basis.SUBSET, tied_with=cell.tied_with(ctx.unit),
        previous_score=figure(shown.score) if shown else None,
        previous_max=shown.max if shown else None,
        previous_percent=_percent(shown.score, shown.max) if shown else None,
        previous_rank=prev_rank, previous_of=prev_cell.of if (shown and prev_cell) else None,
        delta_score=delta, delta_rank=delta_rank, direction=s_dir,
        rank_direction=r_dir, mixed=mixed(s_dir, r_dir),
        peer_mean=figure(mean), peer_mean_percent=_percent(mean, row.max),
        peer_median=figure(fig.median if fig.median is not None else cell.median),
        gap_to_mean=figure(row.score - mean),
        best_score=figure(best_score), best_unit=best_unit,
        gap_to_best=figure(max(0.0, best_score - row.score)),
        points_lost=figure(row.max - row.score) if (
            row.max is not None and ctx.fw.loss_measure == "points") else None,
        cell=cell, prev_cell=prev_cell, prev_row=prev_row,
        previous_basis=ctx.source.basis if (ctx.source and shown) else None, prev_unit=prev_unit)


def _published_rating(rule: RatingRule, label: str) -> Rating | None:
    group = next((g for g in rule.groups if g.label == label), None)
    return Rating(group.label, group.description, RatingKind(rule.kind)) if group and (
        rule.kind in (RatingKind.THRESHOLDS, RatingKind.QUARTILES)) else None


def _rating(ctx: _Ctx, v: _Values, score: float, published: str = "") -> Rating | None:
    """Rating of this year (the published one when the data gives it) plus the label of the
    previous year (same rule, its own peers)."""
    rating = (_published_rating(ctx.fw.rating, published) if published else None) or rate(
        ctx.fw.rating, v.cell, score, v.percent)
    if rating is None:
        return None
    prev_label = None
    if v.prev_row is not None:
        prev_fw = ctx.prep.framework(ctx.index, ctx.prev_year or ctx.year)
        prev = rate(prev_fw.rating, v.prev_cell, v.prev_row.score,
                    _percent(v.prev_row.score, v.prev_row.max))
        prev_label = prev.label if prev else None
    return dataclasses.replace(rating, previous_label=prev_label)


def _strength_reasons(v: _Values, ir: IndexRules) -> tuple[Reason, ...]:
    """Which strength rules hold, with the values that made them hold."""
    s = ir.strengths
    out: list[Reason] = []
    if s.min_percent is not None and v.percent is not None and (
            v.percent >= s.min_percent - EPS):
        out.append(PercentReason(ReasonRule.MIN_PERCENT, v.score, v.max, v.percent,
                                 s.min_percent))
    if s.top_share is not None and v.rank is not None and v.of is not None and (
            v.of >= ir.min_peers):
        limit = share_count(v.of, s.top_share)
        if v.rank <= limit:
            out.append(ShareReason(ReasonRule.TOP_SHARE, v.rank, v.of, limit))
    if s.rank_gain is not None and v.rank is not None and v.delta_rank is not None and (
            v.delta_rank >= s.rank_gain):
        out.append(RankChangeReason(ReasonRule.RANK_GAIN, v.rank, v.previous_rank, v.delta_rank,
                                    s.rank_gain))
    return tuple(out)


def _weakness_reasons(v: _Values, ir: IndexRules) -> tuple[Reason, ...]:
    """Which weakness rules hold, with the values that made them hold."""
    w = ir.weaknesses
    out: list[Reason] = []
    if w.bottom_share is not None and v.rank is not None and v.of is not None and (
            v.of >= ir.min_peers):
        limit = v.of - share_count(v.of, w.bottom_share) + 1
        if v.rank >= limit:
            out.append(ShareReason(ReasonRule.BOTTOM_SHARE, v.rank, v.of, limit))
    # judged against the mean of the whole group only, never of the units that happen to
    # be in the data
    if w.below_mean_percent is not None and v.max and v.cell.count >= 2 and (
            v.peer_basis != Basis.SUBSET):
        gap = v.peer_mean - v.score
        threshold = figure(w.below_mean_percent / 100 * v.max)
        if gap >= threshold - EPS and gap > EPS:
            out.append(BelowMeanReason(ReasonRule.BELOW_MEAN, v.score, v.max, v.peer_mean,
                                       figure(gap), threshold, w.below_mean_percent))
    if w.rank_loss is not None and v.rank is not None and v.delta_rank is not None and (
            -v.delta_rank >= w.rank_loss):
        out.append(RankChangeReason(ReasonRule.RANK_LOSS, v.rank, v.previous_rank, v.delta_rank,
                                    w.rank_loss))
    if w.max_percent is not None and v.percent is not None and v.percent < w.max_percent:
        out.append(PercentReason(ReasonRule.MAX_PERCENT, v.score, v.max, v.percent,
                                 w.max_percent))
    return tuple(out)


_LOW_RULES = frozenset({ReasonRule.BOTTOM_SHARE, ReasonRule.BELOW_MEAN, ReasonRule.MAX_PERCENT})
_HIGH_RULES = frozenset({ReasonRule.MIN_PERCENT, ReasonRule.TOP_SHARE})


@dataclass(frozen=True, slots=True)
class _Standing:
    """What the category of a component (or of an index total) is decided from."""

    strong: tuple[Reason, ...]
    weak: tuple[Reason, ...]
    gap_to_mean: float
    mean_known: bool  # a mean of the whole group (or a published one) to judge against
    delta_rank: int | None
    direction: Direction | None

    @classmethod
    def of(cls, c: ComponentAnalysis | _Values, strong: Sequence[Reason],
           weak: Sequence[Reason]) -> _Standing:
        mean_known = c.peer_basis != Basis.SUBSET and (
            c.loaded >= 2 or c.peer_basis == Basis.PUBLISHED)
        return cls(tuple(strong), tuple(weak), c.gap_to_mean, mean_known, c.delta_rank,
                   c.direction)


def categorize(s: _Standing, ir: IndexRules) -> Category | None:
    """The one category of a component, from its level against the group and its trend.

    Level: *low* when a low-level rule holds (bottom share, far below the mean, below a
    percent); *good* when a high-level rule holds (percent, top share) and — with
    ``strengths.above_mean`` — it is not below the mean of the whole group. Trend: the
    rank-change rules, or the score's direction when there is no comparable rank.
    Low → weakness (unless ``on_conflict: strength`` and the level is also good); good →
    strength, or decline if it fell markedly; among the largest losses → weakness; otherwise
    progress if it rose markedly, decline if it fell markedly, else no category."""
    strong = {r.rule for r in s.strong}
    weak = {r.rule for r in s.weak}
    below_mean = s.mean_known and s.gap_to_mean < -EPS
    good = bool(strong & _HIGH_RULES) and not (ir.strengths.above_mean and below_mean)
    low = bool(weak & _LOW_RULES)
    rose = ReasonRule.RANK_GAIN in strong or (s.delta_rank is None and s.direction == Direction.UP)
    fell = ReasonRule.RANK_LOSS in weak or (s.delta_rank is None and s.direction == Direction.DOWN)
    if low and not (good and ir.on_conflict == "strength"):
        return Category.WEAKNESS
    if good:
        return Category.DECLINE if fell else Category.STRENGTH
    if ReasonRule.LARGEST_LOSS in weak:
        return Category.WEAKNESS
    if rose:
        return Category.PROGRESS
    return Category.DECLINE if fell else None


def _component(ctx: _Ctx, code: str, row: Row) -> ComponentAnalysis:
    """One component, its strength/weakness flags still candidates (see :func:`_select`)."""
    comp = ctx.fw.components[code]
    level = ctx.fw.level(code)
    analysed = code in ctx.ir.codes if ctx.ir.codes is not None else level in ctx.ir.levels
    v = _values(ctx, code, row)
    rating = _rating(ctx, v, row.score, row.rating) if ctx.fw.rating.components else None
    strong = _strength_reasons(v, ctx.ir) if analysed else ()
    weak = _weakness_reasons(v, ctx.ir) if analysed else ()
    return ComponentAnalysis(
        code=code, name=comp.name, short_name=comp.short_name, parent=comp.parent,
        level=level, analysed=analysed, **v.shared(), rating=rating,
        responsible=ctx.responsible(code), strength_reasons=strong, weakness_reasons=weak,
        is_strength=False, is_weakness=False)


def _places_lost(c: ComponentAnalysis) -> int:
    return max(0, -(c.delta_rank or 0))


def _weakness_key(c: ComponentAnalysis, position: int) -> tuple[float, int, int]:
    """Impact order: points lost where they mean something, else the distance below the
    group mean; then places lost; then framework order."""
    impact = c.points_lost if c.points_lost is not None else -min(0.0, c.gap_to_mean)
    return (-impact, -_places_lost(c), position)


def _strength_key(c: ComponentAnalysis, position: int) -> tuple[float, int, int]:
    return (-(c.percent if c.percent is not None else -1.0), c.rank or 10**6, position)


def _with_largest_losses(components: Sequence[ComponentAnalysis],
                         ir: IndexRules) -> list[ComponentAnalysis]:
    """The ``largest_losses`` components that lost most points carry that weakness reason
    (where points lost mean something): a unit's largest loss is never left unsaid."""
    n = ir.weaknesses.largest_losses or 0
    losing = sorted((c for c in components if (c.points_lost or 0.0) > EPS),
                    key=lambda c: -(c.points_lost or 0.0))[:n]
    extra = {c.code: LargestLossReason(ReasonRule.LARGEST_LOSS, c.points_lost or 0.0, c.max,
                                       position) for position, c in enumerate(losing, 1)}
    return [dataclasses.replace(c, weakness_reasons=(*c.weakness_reasons, extra[c.code]))
            if c.code in extra else c for c in components]


@dataclass(frozen=True, slots=True)
class _Selection:
    components: list[ComponentAnalysis]
    strengths: list[ComponentAnalysis]
    weaknesses: list[ComponentAnalysis]
    progress: list[ComponentAnalysis]
    declines: list[ComponentAnalysis]


def _select(components: Sequence[ComponentAnalysis], ir: IndexRules) -> _Selection:
    """Each analysed component's category; the strengths and weaknesses listed (impact
    order, at most ``max_listed`` of each), progress (largest rise first) and declines
    (largest fall first); the components with their final flags."""
    pos = {c.code: n for n, c in enumerate(components)}
    items = _with_largest_losses(components, ir)
    category = {c.code: categorize(_Standing.of(c, c.strength_reasons, c.weakness_reasons), ir)
                for c in items}

    def of(cat: Category) -> list[ComponentAnalysis]:
        return [c for c in items if category[c.code] == cat]

    weak = sorted(of(Category.WEAKNESS),
                  key=lambda c: _weakness_key(c, pos[c.code]))[:ir.weaknesses.max_listed]
    strong = sorted(of(Category.STRENGTH),
                    key=lambda c: _strength_key(c, pos[c.code]))[:ir.strengths.max_listed]
    rising = sorted(of(Category.PROGRESS), key=lambda c: (
        -(c.delta_rank or 0), -(c.delta_score or 0.0), pos[c.code]))
    falling = sorted(of(Category.DECLINE), key=lambda c: (
        c.delta_rank or 0, c.delta_score or 0.0, pos[c.code]))
    keep_w, keep_s = {c.code for c in weak}, {c.code for c in strong}
    final = [dataclasses.replace(c, category=category[c.code], is_weakness=c.code in keep_w,
                                 is_strength=c.code in keep_s) for c in items]
    by_code = {c.code: c for c in final}
    return _Selection(final, *([by_code[c.code] for c in group]
                               for group in (strong, weak, rising, falling)))


def _details(items: Sequence[ComponentAnalysis], kind: ActionKind) -> tuple[Detail, ...]:
    """``strength_details`` / ``weakness_details``: the evidence and the impact measure."""
    strength = kind == ActionKind.STRENGTH
    return tuple(Detail(
        code=c.code, name=c.name, short_name=c.short_name,
        reasons=c.strength_reasons if strength else c.weakness_reasons,
        impact=c.percent if strength else c.points_lost,
        impact_measure=ImpactMeasure.PERCENT if strength else ImpactMeasure.POINTS_LOST,
        places_lost=_places_lost(c), score=c.score, max=c.max, percent=c.percent, rank=c.rank,
        of=c.of, delta_score=c.delta_score, delta_rank=c.delta_rank) for c in items)


def _counts(analysed: Sequence[ComponentAnalysis]) -> Counts:
    dirs = [c.direction for c in analysed]
    rdirs = [c.rank_direction for c in analysed]
    return Counts(total=len(analysed), compared=sum(d is not None for d in dirs),
                  up=dirs.count(Direction.UP), down=dirs.count(Direction.DOWN),
                  same=dirs.count(Direction.STEADY), rank_up=rdirs.count(Direction.UP),
                  rank_down=rdirs.count(Direction.DOWN), rank_same=rdirs.count(Direction.STEADY))


def _rating_counts(analysed: Sequence[ComponentAnalysis], rule: RatingRule) -> RatingCounts | None:
    """How many analysed components fall in each rating group, this year and the previous."""
    if not rule.components or not rule.groups:
        return None
    now = {g.label: 0 for g in rule.groups}
    before = {g.label: 0 for g in rule.groups}
    for c in analysed:
        r = c.rating
        if r:
            now[r.label] = now.get(r.label, 0) + 1
            if r.previous_label:
                before[r.previous_label] = before.get(r.previous_label, 0) + 1
    return RatingCounts(FrozenMap(now), FrozenMap(before) if any(before.values()) else None)


def _orderings(analysed: Sequence[ComponentAnalysis]) -> Orderings:
    """Component codes sorted for the usual sentences (most points lost, biggest fall…)."""
    def codes(key: Callable[[ComponentAnalysis], Any],
              items: Iterable[ComponentAnalysis] = analysed) -> tuple[str, ...]:
        return tuple(c.code for c in sorted(items, key=key))

    compared = [c for c in analysed if c.delta_score is not None]
    ranked = [c for c in analysed if c.delta_rank is not None]
    return Orderings(
        points_lost=codes(lambda c: -(c.points_lost or 0.0)),
        percent=codes(lambda c: -(c.percent or 0.0)),
        rank=codes(lambda c: c.rank or 10**6),
        delta_score=codes(lambda c: c.delta_score, compared),
        delta_rank=codes(lambda c: c.delta_rank, ranked),
    )


def _peer_rows(ctx: _Ctx, cell: Cell) -> tuple[PeerRow, ...]:
    """The whole ranking of the group (cached on the cell: shared by every unit)."""
    if cell.peers is not None:
        return cell.peers
    rows = []
    for unit in cell.order:
        row = ctx.prep.rows[(unit, ctx.index)][ctx.year][TOTAL]
        source = ctx.prep.previous_source(unit, ctx.index, ctx.year, ctx.rules.compare_with,
                                          ctx.rules.lineage)
        delta = None
        delta_rank = None
        rank = cell.trusted_rank(unit)
        if source is not None:
            prev, prev_cell, prev_unit = ctx.prep.previous_row(source, ctx.index, TOTAL)
            if prev is not None and prev.version == row.version:
                delta = figure(row.score - prev.score)
                before = prev_cell.trusted_rank(prev_unit) if (prev_cell and prev_unit) else None
                if before is not None and rank is not None and prev_cell and (
                        comparable_sizes(prev_cell, cell, ctx.rules.size_change)):
                    delta_rank = before - rank
        rating = rate(ctx.fw.rating, cell, row.score, _percent(row.score, row.max))
        rows.append(PeerRow(unit=unit, score=figure(row.score),
                            percent=_percent(row.score, row.max), rank=rank,
                            delta_score=delta, delta_rank=delta_rank,
                            rating=rating.label if rating else None))
    cell.peers = tuple(rows)
    return cell.peers


def _history(ctx: _Ctx) -> tuple[HistoryPoint, ...]:
    """Score and rank of the unit in every year up to the report's that has a total (for the
    chart): a report on an earlier year never shows results published after it, nor a
    namesake's results from before the unit continued others."""
    known = {*ctx.prep.earlier_years(ctx.unit, ctx.index, ctx.year), ctx.year}
    now = ctx.prep.cell(ctx.year, ctx.index, ctx.group, TOTAL)
    out = []
    for year, comps in sorted(ctx.prep.rows[(ctx.unit, ctx.index)].items()):
        row = comps.get(TOTAL)
        if row is None or year > ctx.year or year not in known:
            continue
        cell = ctx.prep.cell(year, ctx.index, row.group, TOTAL)
        fig = cell.figures(ctx.rules.partial_groups) if cell else None
        out.append(HistoryPoint(year=year, score=figure(row.score),
                                percent=_percent(row.score, row.max),
                                rank=cell.trusted_rank(ctx.unit) if cell else None,
                                of=cell.of if cell else None, version=row.version,
                                peer_mean=figure(fig.mean) if fig and fig.mean is not None
                                else None,
                                comparable=cell is None or now is None or comparable_sizes(
                                    cell, now, ctx.rules.size_change)))
    return tuple(out)


def _peer_stats(ctx: _Ctx, cell: Cell) -> PeerStats:
    """The group's figures as the report may state them (see :meth:`Cell.figures`); the
    change of the mean only between two means of the same basis (never a published mean
    against one computed from part of the group)."""
    before = None
    if ctx.prev_year is not None and ctx.comparable:
        before = ctx.prep.cell(ctx.prev_year, ctx.index, ctx.group, TOTAL) or ctx.prep.cell(
            ctx.prev_year, ctx.index, ctx.prev_group or ctx.group, TOTAL)
    fig = cell.figures(ctx.rules.partial_groups)
    prev_fig = before.figures(ctx.rules.partial_groups) if before else None
    mean = figure(fig.mean) if fig.mean is not None else None
    mean_previous = None
    if prev_fig is not None and prev_fig.mean is not None and prev_fig.basis == fig.basis and (
            fig.basis != Basis.SUBSET):
        mean_previous = figure(prev_fig.mean)
    return PeerStats(
        mean=mean, median=figure(fig.median) if fig.median is not None else None,
        max=figure(fig.max) if fig.max is not None else None,
        min=figure(fig.min) if fig.min is not None else None,
        best_unit=fig.best_unit, worst_unit=fig.worst_unit,
        best_score=figure(fig.best_score) if fig.best_score is not None else None,
        worst_score=figure(fig.worst_score) if fig.worst_score is not None else None,
        count=cell.count, quartiles=_quartiles(cell) if cell.complete else None,
        mean_previous=mean_previous,
        count_previous=before.count if before and mean_previous is not None else None,
        delta_mean=figure(mean - mean_previous) if (mean is not None
                                                    and mean_previous is not None) else None,
        size=cell.of, complete=cell.complete, basis=fig.basis,
        leader_basis=fig.leader_basis, worst_basis=fig.worst_basis,
        source=cell.fact.source if cell.fact else "")


def _quartiles(cell: Cell) -> tuple[float, float, float] | None:
    if not cell.quartiles:
        return None
    p25, p50, p75 = cell.quartiles
    return figure(p25), figure(p50), figure(p75)


class _Fill(dict[str, Any]):
    """``str.format_map`` helper leaving unknown ``{placeholders}`` as they are."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def fill(text: str, **values: Any) -> str:
    """Fill ``{name}``-style placeholders of a library or rules text."""
    try:
        return text.format_map(_Fill(values))
    except (ValueError, IndexError, AttributeError):
        return text


def solution_deadline(s: Solution, action_year: int) -> Deadline:
    """A library solution's deadline in the action year (its ``year_offset`` added)."""
    d = s.deadline
    return Deadline.of(DeadlineKind(d.kind), action_year + d.year_offset, quarter=d.quarter,
                       day=d.day, month=d.month, text=d.text)


def _next_group(ctx: _Ctx, cell: Cell, score: float, percent: float | None) -> str | None:
    """The label of the rating group just above the unit's (None: top group or no rating)."""
    groups = ctx.fw.rating.groups
    now = rate(ctx.fw.rating, cell, score, percent)
    labels = [g.label for g in groups]  # best first
    if now is None:
        return labels[-1] if labels and ctx.fw.rating.kind == RatingKind.THRESHOLDS else None
    position = labels.index(now.label) if now.label in labels else 0
    return labels[position - 1] if position > 0 else None


def _group_threshold(ctx: _Ctx, group_label: str, cell: Cell,
                     maximum: float) -> tuple[str, float] | None:
    """A rating group and the score that reached it this year (a fixed threshold, or a peer
    quartile for PAPI-like ratings)."""
    rule = ctx.fw.rating
    labels = [fold_code(g.label) for g in rule.groups]
    wanted = fold_code(group_label)
    if wanted not in labels:
        return None
    position = labels.index(wanted)
    group = rule.groups[position]
    if rule.kind == RatingKind.THRESHOLDS and group.min is not None:
        return group.label, group.min / 100 * maximum if rule.basis == "percent" else group.min
    if rule.kind == RatingKind.QUARTILES and cell.quartiles:
        return group.label, [*reversed(cell.quartiles), cell.sorted_scores[-1]][position]
    return None


def _target_rank(target: TargetRule, rank: int | None) -> int | None:
    """The rank aimed at: the configured one, or ``places`` above the unit's."""
    if target.kind == TargetKind.PLACES:
        return max(1, rank - (target.places or 0)) if rank is not None else None
    return target.rank or 1


def _needed(ctx: _Ctx, target: TargetRule, cell: Cell, maximum: float,
            v: _Values) -> tuple[float | None, str | None, str | None]:
    """(score needed this year, unit at the target rank, rating group label)."""
    if target.kind in (TargetKind.RANK, TargetKind.PLACES):
        aim = _target_rank(target, v.rank)
        if aim is None:
            return None, None, None
        unit_at = cell.order[min(aim, len(cell.order)) - 1]
        return cell.scores[unit_at], unit_at, None
    if target.kind == TargetKind.GROUP:
        label = target.group or ""
        if fold_code(label) == NEXT_GROUP:  # already in the top group: keep it
            groups = ctx.fw.rating.groups
            label = _next_group(ctx, cell, v.score, v.percent) or (
                groups[0].label if groups else "")
        found = _group_threshold(ctx, label, cell, maximum) if label else None
        return (found[1], None, found[0]) if found else (None, None, label or target.group)
    if target.kind == TargetKind.SCORE:
        return target.score, None, None
    return (cell.fact.mean if cell.fact and cell.fact.mean is not None else cell.mean), None, None


def _target(ctx: _Ctx, v: _Values, analysed: Sequence[ComponentAnalysis]) -> Target | None:
    """Gap to the configured target: the score that met it this year and what is missing,
    the milestones on the way (:func:`_steps`) and where the points can come from
    (:func:`_sources`).

    ``rank`` is the target rank (kinds rank, places) or the rank the needed score would have
    earned among this year's peers (other kinds); ``places_to_gain`` compares it with the
    unit's."""
    target = ctx.ir.target
    if target is None:
        return None
    cell = v.cell
    needs_peers = target.kind in (TargetKind.RANK, TargetKind.MEAN, TargetKind.PLACES) or (
        target.kind == TargetKind.GROUP and ctx.fw.rating.kind == RatingKind.QUARTILES)
    if needs_peers and cell.count < 2 and not (cell.fact and cell.fact.mean is not None):
        ctx.notes.append(Note(NoteKind.TARGET_WITHOUT_PEERS, index=ctx.fw.short_name))
        return None
    published_mean = target.kind == TargetKind.MEAN and cell.fact and cell.fact.mean is not None
    if needs_peers and not cell.complete and not published_mean:
        # a threshold taken from part of the group would be a wrong target
        ctx.notes.append(Note(NoteKind.TARGET_PARTIAL_GROUP, index=ctx.fw.short_name,
                              group=ctx.group, year=ctx.year, loaded=cell.loaded,
                              size=cell.size))
        return None
    maximum = v.max or ctx.fw.total_max or 0.0
    needed, unit_at, group = _needed(ctx, target, cell, maximum, v)
    if needed is None:
        ctx.notes.append(Note(NoteKind.TARGET_THRESHOLD_UNKNOWN, index=ctx.fw.short_name,
                              target_group=target.group))
        return None
    score = v.score
    rank: int | None
    if target.kind in (TargetKind.RANK, TargetKind.PLACES):
        rank = _target_rank(target, v.rank)
        reached = v.rank is not None and rank is not None and v.rank <= rank
    else:
        # the place the needed score would have earned, only when the whole group is known
        rank = 1 + cell.count_above(needed, ctx.unit) if cell.complete else None
        reached = score >= needed - TIE_EPSILON
    label = fill(target.label, rank=rank, group=ctx.group.lower(), rating=group or "",
                 places=f"{target.places:02d}" if target.places else "")
    recoverable = _recoverable(analysed)
    missing = 0.0 if reached else figure(max(0.0, needed - score))
    return Target(
        kind=TargetKind(target.kind), label=label, rank=rank, group=group,
        score_needed=figure(needed), points_missing=missing,
        reached=reached, basis_year=ctx.year, unit_at_rank=unit_at, current_score=score,
        current_rank=v.rank,
        places_to_gain=max(0, v.rank - rank) if v.rank is not None and rank is not None else 0,
        recoverable=recoverable,
        recover_to_previous_total=figure(sum(i.recover_to_previous or 0.0 for i in recoverable)),
        recover_to_previous_codes=tuple(i.code for i in recoverable
                                        if (i.recover_to_previous or 0) > EPS),
        places=target.places, steps=_steps(ctx, v, target, group),
        sources=_sources(ctx, v, analysed, missing))


def _steps(ctx: _Ctx, v: _Values, target: TargetRule, aimed_group: str | None
           ) -> tuple[TargetStep, ...]:
    """Milestones other than the target itself, on this year's results of the whole group:
    ``rank_gain`` places up (the analysis's "marked rise") and the next rating group."""
    cell = v.cell
    out: list[TargetStep] = []
    k = ctx.ir.strengths.rank_gain
    if (cell.complete and v.rank is not None and k and v.rank > 1
            and not (target.kind == TargetKind.PLACES and target.places == k)):
        aim = max(1, v.rank - k)
        unit_at = cell.order[aim - 1]
        needed = cell.scores[unit_at]
        out.append(TargetStep(kind=TargetKind.PLACES, places=v.rank - aim, rank=aim, group=None,
                              unit_at_rank=unit_at, score_needed=figure(needed),
                              points_missing=figure(max(0.0, needed - v.score))))
    label = _next_group(ctx, cell, v.score, v.percent)
    if label and fold_code(label) != fold_code(aimed_group or ""):
        found = _group_threshold(ctx, label, cell, v.max or ctx.fw.total_max or 0.0)
        if found is not None and found[1] > v.score + TIE_EPSILON:
            out.append(TargetStep(kind=TargetKind.GROUP, places=None, rank=None, group=found[0],
                                  unit_at_rank=None, score_needed=figure(found[1]),
                                  points_missing=figure(found[1] - v.score)))
    return tuple(out)


def _total_per_point(ctx: _Ctx, v: _Values, analysed: Sequence[ComponentAnalysis]) -> float | None:
    """How much one point of a first-level component adds to the total (an additive index
    whose total may be a percent of the components' maxima); None: not additive."""
    top = [c for c in analysed if c.level == 1]
    if not ctx.fw.additive or not top:
        return None
    maxima = [c.max for c in top]
    total_max = v.max or ctx.fw.total_max
    if any(m is None for m in maxima) or not total_max:
        return 1.0
    return total_max / sum(m for m in maxima if m is not None)


def _sources(ctx: _Ctx, v: _Values, analysed: Sequence[ComponentAnalysis],
             missing: float) -> tuple[TargetSource, ...]:
    """Where the points can come from (additive indexes only, whose total is the sum of its
    components): the components that fell, back to last year's score; the components below
    the mean of the whole group, up to it. Each with the total it would give and the rank
    that total would have had this year."""
    scale = _total_per_point(ctx, v, analysed)
    if scale is None:
        return ()
    top = [c for c in analysed if c.level == 1]
    fell = sorted((c for c in top if c.delta_score is not None and c.delta_score < -EPS),
                  key=lambda c: c.delta_score or 0.0)
    below = sorted((c for c in top if c.peer_basis != Basis.SUBSET and c.gap_to_mean < -EPS),
                   key=lambda c: c.gap_to_mean)
    out = []
    for kind, items, gains in (
            (SourceKind.RESTORE, fell, [-(c.delta_score or 0.0) for c in fell]),
            (SourceKind.MEAN, below, [-c.gap_to_mean for c in below])):
        if not items:
            continue
        gain = figure(scale * sum(gains))
        new = figure(v.score + gain)
        rank = 1 + v.cell.count_above(new, ctx.unit) if v.cell.complete else None
        out.append(TargetSource(
            kind=kind, codes=tuple(c.code for c in items), names=tuple(c.name for c in items),
            gain=gain, new_score=new, rank=rank, of=v.cell.of if rank is not None else None,
            covers=missing > 0 and gain >= missing - TIE_EPSILON,
            previous_year=ctx.prev_year if kind == SourceKind.RESTORE else None))
    return tuple(out)


def _recoverable(analysed: Sequence[ComponentAnalysis]) -> tuple[Recoverable, ...]:
    """Where the missing points are most recoverable: points lost, distance to the best peer,
    and the fall since the previous year."""
    items = []
    points = any(c.points_lost is not None for c in analysed)
    for c in sorted(analysed, key=lambda c: -(c.points_lost or 0.0) if points else c.gap_to_mean):
        below = c.peer_basis != Basis.SUBSET and c.gap_to_mean < -EPS
        if (points and (not c.points_lost or c.points_lost <= EPS)) or (not points and not below):
            continue
        back = None
        if c.delta_score is not None:
            back = figure(max(0.0, -c.delta_score))
        items.append(Recoverable(code=c.code, name=c.name, short_name=c.short_name,
                                 points_lost=c.points_lost, gap_to_best=c.gap_to_best,
                                 recover_to_previous=back,
                                 gap_to_mean=figure(-c.gap_to_mean) if below else None))
    return tuple(items)


def _index_assessment(ctx: _Ctx, v: _Values) -> Assessment:
    """The same strength/weakness rules applied to the index total."""
    strong, weak = _strength_reasons(v, ctx.ir), _weakness_reasons(v, ctx.ir)
    category = categorize(_Standing.of(v, strong, weak), ctx.ir)
    return Assessment(is_strength=category == Category.STRENGTH,
                      is_weakness=category == Category.WEAKNESS,
                      strength_reasons=strong, weakness_reasons=weak, category=category)


def _context(prep: Prepared, unit: str, year: int, index: str, rules: Rules) -> _Ctx:
    row = prep.rows[(unit, index)][year][TOTAL]
    source = prep.previous_source(unit, index, year, rules.compare_with, rules.lineage)
    prev = prep.previous_row(source, index, TOTAL)[0] if source is not None else None
    comparable = prev is not None and prev.version == row.version
    return _Ctx(prep, unit, year, index, prep.framework(index, year), rules.for_index(index),
                rules, year + rules.action_year_offset, row.group,
                source.year if source and prev else None, prev.group if prev else None,
                comparable, source=source if prev else None)


_TOTAL_SKIP = ("previous_score", "previous_max", "previous_percent", "previous_rank",
               "previous_of", "points_lost")


def _analyze_index(prep: Prepared, unit: str, year: int, index: str,
                   rules: Rules) -> IndexAnalysis:
    """Everything about one index of the unit in the year."""
    ctx = _context(prep, unit, year, index, rules)
    fw = ctx.fw
    comps_row = prep.rows[(unit, index)][year]
    total = comps_row[TOTAL]
    v = _values(ctx, TOTAL, total)
    cell = v.cell
    candidates = [_component(ctx, code, comps_row[code]) for code in prep.component_order(fw)
                  if code in comps_row and not fw.is_criterion(code)]  # criteria: below
    chosen = _select([c for c in candidates if c.analysed], ctx.ir)
    strong, weak = chosen.strengths, chosen.weaknesses
    final = {c.code: c for c in chosen.components}
    components = [final.get(c.code, c) for c in candidates]
    analysed = [c for c in components if c.analysed]
    prev = _previous(ctx, v)
    rating = _rating(ctx, v, total.score, total.rating)
    if cell.count == 1 and cell.complete:
        ctx.notes.append(Note(NoteKind.ALONE_IN_GROUP, unit=unit, index=fw.short_name,
                              group=ctx.group, year=year))
    if not cell.complete:
        ctx.notes.append(Note(NoteKind.GROUP_INCOMPLETE, index=fw.short_name, group=ctx.group,
                              year=year, loaded=cell.loaded, size=cell.size))
    missing_year = None
    if ctx.prev_year is None and prep.earlier_years(unit, index, year):
        missing_year = year - 1  # the year just before is absent: said, not bridged
        ctx.notes.append(Note(NoteKind.PREVIOUS_YEAR_MISSING, index=fw.short_name, year=year,
                              previous_year=missing_year))
    if total.derived:
        ctx.notes.append(Note(NoteKind.TOTAL_DERIVED, index=fw.short_name,
                              component_word=fw.component_word))
    target = _target(ctx, v, analysed)
    figures = {k: x for k, x in v.shared().items() if k not in _TOTAL_SKIP}
    return IndexAnalysis(
        index=index, name=fw.name, short_name=fw.short_name, version=fw.version,
        year=year, group=ctx.group, unit=fw.unit, component_unit=fw.component_unit,
        component_word=fw.component_word, additive=fw.additive,
        loss_measure=fw.loss_measure, coordinator=ctx.responsible(TOTAL),
        total_derived=total.derived, **figures,
        previous=prev, methodology_changed=bool(prev) and not ctx.comparable,
        methodology_note=_methodology_note(ctx, prev),
        group_label=rating.label if rating else None, rating=rating,
        peer=_peer_stats(ctx, cell), peers=_peer_rows(ctx, cell), history=_history(ctx),
        gap_to_mean_previous=_gap_previous(ctx, prev),
        points_lost=_points_lost(fw, components, total),
        counts=_counts(analysed), rating_counts=_rating_counts(analysed, fw.rating),
        order=_orderings(analysed), components=tuple(components),
        strengths=tuple(c.code for c in strong), weaknesses=tuple(c.code for c in weak),
        strength_details=_details(strong, ActionKind.STRENGTH),
        weakness_details=_details(weak, ActionKind.WEAKNESS),
        progress=tuple(c.code for c in chosen.progress),
        declines=tuple(c.code for c in chosen.declines),
        assessment=_index_assessment(ctx, v), target=target, notes=tuple(ctx.notes),
        method=fw.method, legal_basis=fw.legal_basis, missing_previous_year=missing_year,
        criteria=analyze_criteria(Scope(
            prep, unit, year, index, fw, ctx.group, ctx.prev_year if ctx.comparable else None,
            ctx.action_year, rules, ctx.responsible(TOTAL)), components),
        **_lineage_fields(ctx, prev))


def _lineage_fields(ctx: _Ctx, prev: Previous | None) -> dict[str, Any]:
    """What an index's analysis says of the units it continues (none: no fields)."""
    formed = ctx.prep.formed(ctx.unit, ctx.year)
    if formed is None or (prev is not None and prev.year >= formed.year):
        return {}
    return {"predecessors": formed.predecessors, "formed": formed.year}


def _previous(ctx: _Ctx, v: _Values) -> Previous | None:
    row, cell, source = v.prev_row, v.prev_cell, ctx.source
    if row is None or ctx.prev_year is None or source is None:
        return None
    rank = cell.trusted_rank(v.prev_unit) if (cell and v.prev_unit) else None
    succession = source.succession
    return Previous(year=ctx.prev_year, score=figure(row.score), max=row.max,
                    percent=_percent(row.score, row.max), rank=rank,
                    of=cell.of if (cell and rank is not None) else None,
                    version=row.version, group=row.group, basis=source.basis,
                    method=source.method,
                    weighted_by=ctx.rules.lineage_weight if source.method == "weighted" else "",
                    predecessors=_predecessors(ctx, source),
                    since=succession.year if succession else None, source=source.source)


def _predecessors(ctx: _Ctx, source: PreviousSource) -> tuple[PredecessorResult, ...]:
    """Each predecessor's total in the year compared with (its rank among its own peers)."""
    if source.basis in ("own", "recut"):
        return ()
    out = []
    shares = source.weights or tuple(1.0 for _ in source.units)
    declared = source.method == "weighted"
    for unit, share in zip(source.units, shares, strict=True):
        row = ctx.prep.rows[(unit, ctx.index)][source.year][TOTAL]
        cell = ctx.prep.cell(source.year, ctx.index, row.group, TOTAL)
        rank = cell.trusted_rank(unit) if cell else None
        out.append(PredecessorResult(unit=unit, score=figure(row.score), max=row.max, rank=rank,
                                     of=cell.of if (cell and rank is not None) else None,
                                     weight=share if declared else None))
    return tuple(out)


def _gap_previous(ctx: _Ctx, prev: Previous | None) -> float | None:
    if prev is None:
        return None
    cell = ctx.prep.cell(prev.year, ctx.index, prev.group, TOTAL)
    if cell is None:
        return None
    fig = cell.figures(ctx.rules.partial_groups)
    return figure(prev.score - fig.mean) if fig.mean is not None else None


def _methodology_note(ctx: _Ctx, prev: Previous | None) -> Note | None:
    if prev is None or ctx.comparable:
        return None
    return Note(NoteKind.METHODOLOGY_CHANGED, index=ctx.fw.short_name, year=ctx.year,
                version=ctx.fw.version, previous_year=prev.year, previous_version=prev.version)


def _points_lost(fw: Framework, components: Sequence[ComponentAnalysis],
                 total: Row) -> float | None:
    """Sum of (max − score) over top-level components when they make up the total; None for
    an index whose loss is measured as the gap to the group (a survey)."""
    if fw.loss_measure != "points":
        return None
    tops = [c for c in components if c.level == 1]
    if fw.additive and tops and len(tops) == len(fw.top_level()) and all(
            c.points_lost is not None for c in tops):
        return figure(sum(c.points_lost or 0.0 for c in tops))
    return figure(total.max - total.score) if total.max is not None else None


# --- across indexes: responsibility, solutions, causes ---------------------------------------

@dataclass(frozen=True)
class _Item:
    """What a responsibility or solution line is about: a component, or an index total when
    the index has no analysed component."""

    code: str
    name: str
    short_name: str
    score: float
    max: float | None
    percent: float | None
    rank: int | None
    of: int | None
    points_lost: float | None
    delta_score: float | None
    delta_rank: int | None
    direction: Direction | None
    rank_direction: Direction | None
    mixed: Mixed | None
    rating: Rating | None
    responsible: tuple[str, ...]
    is_strength: bool = False
    is_weakness: bool = False
    analysed: bool = True

    @classmethod
    def component(cls, c: ComponentAnalysis) -> _Item:
        return cls(c.code, c.name, c.short_name, c.score, c.max, c.percent, c.rank, c.of,
                   c.points_lost, c.delta_score, c.delta_rank, c.direction, c.rank_direction,
                   c.mixed, c.rating, c.responsible, c.is_strength, c.is_weakness, c.analysed)

    @classmethod
    def total(cls, i: IndexAnalysis) -> _Item:
        lost = figure(i.max - i.score) if i.max is not None and i.loss_measure == "points" \
            else None
        return cls(TOTAL, i.name, i.short_name, i.score, i.max, i.percent, i.rank, i.of, lost,
                   i.delta_score, i.delta_rank, i.direction, i.rank_direction, i.mixed,
                   i.rating, i.coordinator)


def _items_for_action(index: IndexAnalysis) -> list[_Item]:
    """The weak components of an index in impact order; the total when there are none."""
    by_code = {c.code: c for c in index.components}
    items = [_Item.component(by_code[code]) for code in (*index.weaknesses, *index.declines)]
    if not items and not any(c.analysed for c in index.components) and (
            index.assessment.is_weakness):
        items = [_Item.total(index)]
    return items


def _figures(index: IndexAnalysis, c: _Item) -> dict[str, Any]:
    return {"index": index.index, "index_short_name": index.short_name,
            "additive": index.additive, "component_unit": index.component_unit,
            "code": c.code, "name": c.name, "short_name": c.short_name, "score": c.score,
            "max": c.max, "percent": c.percent, "rank": c.rank, "of": c.of,
            "points_lost": c.points_lost, "delta_score": c.delta_score,
            "delta_rank": c.delta_rank, "direction": c.direction,
            "rank_direction": c.rank_direction, "mixed": c.mixed,
            "rating": c.rating.label if c.rating else None}


def _responsibility(indices: Sequence[IndexAnalysis], grouping: str, unit: str = "",
                    collective_words: Sequence[str] = ()) -> tuple[ResponsibilityRow, ...]:
    """Bảng 5: the weak items of every index with their responsible bodies, one row per
    agency (see :mod:`reportgen.analysis.responsibility`)."""
    leads = []
    for index in indices:
        by_code = {c.code: c for c in index.components}
        for c in _items_for_action(index):
            own = by_code.get(c.code)
            gap = own.gap_to_mean if own is not None else index.gap_to_mean
            item = ResponsibilityItem(**_figures(index, c), shared_with=(),
                                      loss_measure=index.loss_measure, gap_to_mean=gap)
            leads.append(Lead(index, item, c.responsible))
            leads += criteria_leads(index, item, c.responsible)
    return responsibility_rows(leads, grouping, unit, collective_words)


def _library(rules: Rules, index: str, code: str, kind: ActionKind) -> tuple[list[Solution], bool]:
    """Library entries for a component and use; the fallback entry when there is none."""
    found = [s for s in rules.solutions_for(index, code) if s.use in (kind, "any")]
    if found:
        return found, True
    fallback = rules.fallback if kind == ActionKind.WEAKNESS else rules.maintain_fallback
    return ([fallback] if fallback else []), False


def _solution_items(index: IndexAnalysis, c: _Item, kind: ActionKind, rules: Rules,
                    action_year: int, unit: str = "") -> list[SolutionItem]:
    """The library's solutions for one item; ``unit`` (the report's) never supports itself
    (a department's report does not ask it to coordinate with itself)."""
    entries, from_library = _library(rules, index.index, c.code, kind)
    own = fold(unit)
    out = []
    for s in entries:
        lead = tuple(s.lead) if s.lead else c.responsible
        out.append(SolutionItem(
            **_figures(index, c), kind=kind, maintain=kind == ActionKind.STRENGTH,
            from_library=from_library,
            text=fill(s.text, name=c.name, short_name=c.short_name, index=index.short_name),
            lead=lead, support=tuple(u for u in s.support if u not in lead and fold(u) != own),
            deadline=solution_deadline(s, action_year),
            grouped=rules.for_index(index.index).grouped))
    return out


def _solutions(indices: Sequence[IndexAnalysis], rules: Rules, action_year: int,
               unit: str = "") -> tuple[SolutionItem, ...]:
    """Per index: solutions for the weak components (impact order), then strengths to keep."""
    out: list[SolutionItem] = []
    for index in indices:
        ir = rules.for_index(index.index)
        by_code = {c.code: c for c in index.components}
        targets = _items_for_action(index)
        if ir.solutions_for == "losing":
            targets = targets + [_Item.component(c) for c in sorted(index.components,
                                                             key=lambda c: -(c.points_lost or 0.0))
                                 if c.analysed and not c.is_strength and not c.needs_action
                                 and (c.points_lost or 0.0) > EPS]
        for c in targets:
            out += _solution_items(index, c, ActionKind.WEAKNESS, rules, action_year, unit)
        if ir.maintain_strengths:
            for code in index.strengths:
                out += _solution_items(index, _Item.component(by_code[code]), ActionKind.STRENGTH,
                                       rules, action_year, unit)
    return tuple(out)


def _causes(indices: Sequence[IndexAnalysis], rules: Rules,
            notes: Sequence[UserNote] = ()) -> Causes:
    """The clerk's causes (the notes table) first, as findings; then the library's, general
    ones and those keyed by the weak components, as suggestions only (``suggested``: a
    draft prints them marked, a final report never). Library texts still holding a blank
    for the clerk are prompts, left out."""
    out: dict[str, list[Cause]] = {"objective": [], "subjective": []}
    names = {(i.index, c.code): c.name for i in indices for c in i.components}
    for note in notes:
        if note.kind in out:
            out[note.kind].append(Cause(
                index=note.index, code=note.component, text=note.text,
                name=names.get((note.index or "", note.component)) if note.component else None))
    assessed = any(i.method == "assessment" for i in indices)
    general = [*rules.general_causes, *(rules.general_causes_assessment if assessed else ())]
    for cause in general:
        if not cause.is_prompt:
            out[cause.kind].append(Cause(index=None, code=None, name=None, text=cause.text,
                                         suggested=True))
    for index in indices:
        for c in _items_for_action(index):
            for cause in rules.causes_for(index.index, c.code):
                if not cause.is_prompt:
                    out[cause.kind].append(Cause(index=index.index, code=c.code, name=c.name,
                                                 text=cause.text, suggested=True))
    return Causes(objective=tuple(out["objective"]), subjective=tuple(out["subjective"]))


# --- the unit --------------------------------------------------------------------------------

def _unit_indexes(prep: Prepared, unit: str, year: int) -> list[str]:
    return [i for i in prep.index_order
            if TOTAL in prep.rows.get((unit, i), {}).get(year, {})]


def _missing(prep: Prepared, unit: str, year: int,
             present: list[str]) -> tuple[list[str], list[str]]:
    """Indexes the unit's groups have that year but the unit lacks (or has no total for)."""
    groups: list[str] = []
    for index in prep.index_order:
        for row in prep.rows.get((unit, index), {}).get(year, {}).values():
            if row.group not in groups:
                groups.append(row.group)
            break
    codes = [i for g in groups for i in prep.indexes_in.get((year, g), []) if i not in present]
    codes = list(dict.fromkeys(codes))
    return codes, [prep.framework(i, year).short_name for i in codes]


def analyze_unit(data: Dataset | Prepared, unit: str, year: int, rules: Rules) -> UnitAnalysis:
    """The analysis of one unit in one year (see the module docstring for conventions).

    ``data`` is best a :class:`Prepared` (from :func:`prepare`) when analysing many units.
    Raises :class:`LookupFailed` when the unit has no data for the year.
    """
    prep = prepare(data)
    check_year(prep, unit, year)
    action_year = year + rules.action_year_offset
    codes = _unit_indexes(prep, unit, year)
    mine = prep.notes_of(unit, year)
    indices = tuple(_with_remarks(_analyze_index(prep, unit, year, code, rules), mine)
                    for code in codes)
    rank_only = _rank_only(prep, unit, year, codes)
    missing_codes, missing_names = _missing(prep, unit, year,
                                            [*codes, *(r.index for r in rank_only)])
    groups = tuple(dict.fromkeys([*(i.group for i in indices), *(r.group for r in rank_only)]))
    notes = [n for i in indices for n in i.notes]
    if not indices and not rank_only:
        notes.append(Note(NoteKind.NO_INDEX_TOTAL, unit=unit, year=year))
    return UnitAnalysis(
        unit=unit, year=year, action_year=action_year,
        group=groups[0] if groups else None, groups=groups,
        indices=indices, missing_indices=tuple(missing_names),
        missing_index_codes=tuple(missing_codes),
        responsibility=_responsibility(indices, rules.grouping, unit, rules.collective_words),
        solutions=_solutions(indices, rules, action_year, unit),
        general_tasks=tuple(rules.general_tasks) + (
            tuple(rules.general_tasks_assessment)
            if any(i.method == "assessment" for i in indices) else ()),
        causes=_causes(indices, rules, mine),
        notes=tuple(notes),
        rank_only=rank_only,
        remarks=tuple(n.text for n in mine if n.kind == "note" and n.index is None),
    )


def _with_remarks(index: IndexAnalysis, notes: Sequence[UserNote]) -> IndexAnalysis:
    """The clerk's notes on the index's result (kind "note"), in the order written."""
    remarks = tuple(n.text for n in notes if n.kind == "note" and n.index == index.index)
    return dataclasses.replace(index, remarks=remarks) if remarks else index


def _rank_only(prep: Prepared, unit: str, year: int,
               analysed: Sequence[str]) -> tuple[RankOnly, ...]:
    """Indexes for which the data has the unit's published total rank but not its score."""
    out = []
    for index, group, rank, source in prep.unit_ranked_only.get((unit, year), []):
        if index in analysed:
            continue
        fw = prep.framework(index, year)
        cell = prep.cell(year, index, group, TOTAL)
        size = cell.of if cell else prep.group_size(year, index, group, TOTAL)
        tied = cell.tied_with(unit) if cell else tuple(
            u for u, r in prep.ranked_only.get((year, index, group, TOTAL), {}).items()
            if r == rank and u != unit)
        out.append(RankOnly(index=index, name=fw.name, short_name=fw.short_name, year=year,
                            group=group, rank=rank, of=size, tied_with=tied, source=source))
    return tuple(out)
