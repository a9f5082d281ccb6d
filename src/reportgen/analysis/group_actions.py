"""What the group overview says beyond the figures: the clerk's causes for the group's units
(the notes table) and solutions for the components where the group as a whole is weakest.

The causes are the clerk's sentences only (the library's generic causes are never findings).
A component is "weakest" when its group mean, as a percent of its maximum, is below the mean
of the components' percents; at most :data:`MOST_LOST` per index, lowest first, each with
the solutions library's entries for it (none: nothing is said about it).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from reportgen.analysis.model import (
    MOST_LOST,
    ActionKind,
    Cause,
    Causes,
    ComponentOverview,
    GroupSolution,
    IndexOverview,
)
from reportgen.analysis.unit import fill, responsible_bodies, solution_deadline
from reportgen.config.frameworks import Framework
from reportgen.config.rules import CAUSE_KINDS, Rules
from reportgen.data.notes import UserNote


def group_causes(notes: Iterable[UserNote], year: int, units: Sequence[str],
                 indices: Sequence[IndexOverview]) -> Causes:
    """The notes table's causes for the units of the group in ``year``, in the order of the
    group's units, each naming its unit (and its component, when the clerk keyed one)."""
    names = {(i.index, c.code): c.name for i in indices for c in i.components}
    codes = {i.index for i in indices}
    order = {u: n for n, u in enumerate(units)}
    found: dict[str, list[tuple[int, Cause]]] = {kind: [] for kind in CAUSE_KINDS}
    for note in notes:
        if note.year != year or note.unit not in order or note.kind not in found:
            continue
        if note.index is not None and note.index not in codes:
            continue
        name = names.get((note.index or "", note.component)) if note.component else None
        found[note.kind].append((order[note.unit], Cause(
            index=note.index, code=note.component, name=name, text=note.text, unit=note.unit)))
    ordered = {kind: tuple(c for _, c in sorted(found[kind], key=lambda p: p[0]))
               for kind in CAUSE_KINDS}
    return Causes(objective=ordered["objective"], subjective=ordered["subjective"])


def weakest_components(index: IndexOverview) -> list[ComponentOverview]:
    """Components whose group mean percent is below the mean of the components' percents,
    lowest first, at most :data:`MOST_LOST`."""
    rated = [c for c in index.components if c.mean_percent is not None]
    if len(rated) < 2:
        return []
    average = sum(c.mean_percent or 0.0 for c in rated) / len(rated)
    below = sorted((c for c in rated if (c.mean_percent or 0.0) < average),
                   key=lambda c: c.mean_percent or 0.0)
    return below[:MOST_LOST]


def group_solutions(indices: Sequence[IndexOverview], frameworks: Sequence[Framework],
                    rules: Rules, action_year: int) -> tuple[GroupSolution, ...]:
    """The library's solutions for the weakest components of each index."""
    out: list[GroupSolution] = []
    for index, fw in zip(indices, frameworks, strict=True):
        for c in weakest_components(index):
            entries = [s for s in rules.solutions_for(index.index, c.code)
                       if s.use in (ActionKind.WEAKNESS, "any")]
            for s in entries:
                lead = tuple(s.lead) if s.lead else responsible_bodies(
                    rules, fw, index.index, c.code, action_year)
                out.append(GroupSolution(
                    index=index.index, index_short_name=index.short_name, code=c.code,
                    name=c.name, short_name=c.short_name, mean_percent=c.mean_percent,
                    text=fill(s.text, name=c.name, short_name=c.short_name,
                              index=index.short_name),
                    lead=lead, support=tuple(u for u in s.support if u not in lead),
                    deadline=solution_deadline(s, action_year)))
    return tuple(out)


