"""Bảng 5 (section IV): the weak items of a unit's indexes grouped per accountable agency.

One row per agency (grouping "unit" of ``analysis.yaml``; "joint" keeps the bodies that share
an item together). Each row lists its items — components, or criteria when the analysis has
them — each with its own loss, so that an item and what it lost always stay on one line.
Under a weak field, the criteria that explain most of its loss (when the data has criteria)
are items of their own lead agencies, which may not lead the field; in the field's own row
they are folded into the field's line.

Who is accountable comes from the frameworks and ``responsible.yaml``; a name that stands for
a set of bodies ("các sở theo nhóm chính sách") is nobody in particular: it is dropped, and an
item left with no named body goes to the index's coordinator, else to the unassigned row.
The unit a report is about never coordinates with itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

from reportgen.analysis.model import (
    Demand,
    FrozenMap,
    IndexAnalysis,
    ResponsibilityItem,
    ResponsibilityRow,
    main_item,
)
from reportgen.analysis.numbers import figure
from reportgen.data.text import fold


def is_collective(name: str, words: Iterable[str] = ()) -> bool:
    """A name that stands for several unnamed bodies, not one accountable agency: unlike
    every agency's proper name it opens with a lower-case letter, or with one of ``words``
    (analysis.yaml ``responsibility.collective_words``: "các", "những"…)."""
    first = name.strip().split()
    if not first:
        return True
    return first[0][0].islower() or fold(first[0]) in _folded(tuple(words))


@lru_cache(maxsize=8)
def _folded(words: tuple[str, ...]) -> frozenset[str]:
    """The collective words folded, once per setting (is_collective runs per name, per item
    and per unit of a batch)."""
    return frozenset(fold(w) for w in words)


@dataclass(frozen=True)
class Lead:
    """One weak item of one index and the bodies the frameworks make responsible for it."""

    index: IndexAnalysis
    item: ResponsibilityItem
    responsible: tuple[str, ...]


def accountable(lead: Lead, words: Iterable[str] = ()) -> tuple[str, ...]:
    """The named bodies of an item: collective names dropped; none left, the coordinator of
    its index (the agency that answers for the whole index)."""
    named = tuple(u for u in lead.responsible if not is_collective(u, words))
    if named or not lead.responsible:
        return named
    return tuple(u for u in lead.index.coordinator if not is_collective(u, words))


def criteria_leads(index: IndexAnalysis, field_item: ResponsibilityItem,
                   field_bodies: tuple[str, ...]) -> list[Lead]:
    """The criteria explaining a weak field's loss, each as an item of its own lead agencies
    (the field's bodies when the data names none)."""
    if index.criteria is None:
        return []
    found = [f for f in index.criteria.fields if f.code == field_item.code]
    if not found:
        return []
    f = found[0]
    out = []
    for c in f.explaining_items:
        item = ResponsibilityItem(
            index=index.index, index_short_name=index.short_name, additive=index.additive,
            component_unit=index.component_unit, code=c.code, name=c.name, short_name=c.name,
            score=c.score, max=c.max, percent=c.percent, rank=c.rank, of=c.of,
            points_lost=c.points_lost, delta_score=c.delta_score, delta_rank=None,
            direction=None, rank_direction=None, mixed=None, rating=None, shared_with=(),
            loss_measure=f.loss_measure, gap_to_mean=c.gap_to_mean, level="criterion",
            field_name=f.short_name, field_code=f.code)
        out.append(Lead(index, item, c.lead or field_bodies))
    return out


@dataclass
class _Row:
    """A row while it is being summed up."""

    unit: str | None
    items: list[ResponsibilityItem] = field(default_factory=list)
    points_lost: float = 0.0
    by_index: dict[str, float] = field(default_factory=dict)
    indices: list[str] = field(default_factory=list)
    coordinates: list[str] = field(default_factory=list)

    def add(self, lead: Lead, item: ResponsibilityItem) -> None:
        index = lead.index
        if item.level == "criterion" and self._fold(item):
            return
        self.items.append(item)
        if index.index not in self.indices:
            self.indices.append(index.index)
        if self.unit is not None and self.unit in index.coordinator and (
                index.short_name not in self.coordinates):
            self.coordinates.append(index.short_name)
        if index.additive and not item.gap_measured and item.points_lost is not None and (
                item.level == "component"):  # a criterion's points are in its field's
            self.points_lost += item.points_lost
            self.by_index[index.index] = figure(self.by_index.get(index.index, 0.0)
                                                + item.points_lost)

    def _fold(self, criterion: ResponsibilityItem) -> bool:
        """Put a criterion under its field when this agency's row has the field (one line:
        the field's loss, then its criteria's); False when the field is not in the row."""
        for n, field_item in enumerate(self.items):
            if (field_item.level == "component" and field_item.index == criterion.index
                    and field_item.code == criterion.field_code):
                self.items[n] = replace(field_item,
                                        criteria=(*field_item.criteria, criterion))
                return True
        return False

    def row(self) -> ResponsibilityRow:
        items = tuple(self.items)
        return ResponsibilityRow(
            unit=self.unit, components=items, points_lost=figure(self.points_lost),
            places_lost=sum(i.places_lost for i in items),
            points_lost_by_index=FrozenMap(self.by_index), indices=tuple(self.indices),
            demand=demand(items), coordinates=tuple(self.coordinates))


def demand(items: Sequence[ResponsibilityItem]) -> Demand:
    """What the row asks its agency to explain, from its main item (:func:`main_item`): a
    fall in places, else points lost, else a gap below the mean, else the weakness as such."""
    main = main_item(items)
    if main is None:
        return Demand.LOW
    if main.places_lost > 0:
        return Demand.FALL
    if main.lost > 0:
        return Demand.GAP if main.gap_measured else Demand.LOSS
    return Demand.LOW


def responsibility_rows(leads: Iterable[Lead], grouping: str, unit: str = "",
                        collective_words: Iterable[str] = ()) -> tuple[ResponsibilityRow, ...]:
    """Bảng 5: one row per accountable agency (or per set of joint bodies), sorted by points
    lost, then places lost; ``unit`` (the report's) is never listed as sharing an item with
    its own divisions. Items with no named body go to the row whose ``unit`` is None."""
    own = fold(unit)
    words = tuple(collective_words)
    table: dict[str | None, _Row] = {}
    for lead in leads:
        units = accountable(lead, words)
        keys: list[str | None] = (
            ["; ".join(units)] if grouping == "joint" else list(units)) if units else [None]
        for key in keys:
            shared = tuple(u for u in units if u != key and fold(u) != own) \
                if grouping == "unit" else ()
            entry = table.setdefault(key, _Row(key))
            first = grouping != "unit" or not units or units[0] == key
            entry.add(lead, _placed(lead.item, shared, first))
    rows = [entry.row() for entry in table.values()]
    return tuple(sorted(rows, key=lambda r: (-r.points_lost, -r.places_lost)))


def _placed(item: ResponsibilityItem, shared: tuple[str, ...],
            first: bool) -> ResponsibilityItem:
    """The item as it stands in one agency's row: who else answers for it, whether this
    agency is named first."""
    if item.shared_with == shared and item.first_lead == first:
        return item
    return replace(item, shared_with=shared, first_lead=first)
