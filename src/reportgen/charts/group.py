"""Chart specifications of the group overview: the units × components heatmap."""

from __future__ import annotations

import math
from collections.abc import Mapping

from reportgen.analysis.model import GroupAnalysis, IndexOverview
from reportgen.charts.spec import ChartSpec, Series

HEATMAP_DECIMALS = 1
HEATMAP_ROWS = 45  # most units in one heatmap: a larger group is drawn in parts, a page each


def heatmap_spec(index: IndexOverview, rows: slice = slice(None),
                 class_range: tuple[float, float] | None = None, *,
                 labels: Mapping[str, str]) -> ChartSpec:
    """The units × components grid (percent of the maximum), units in ranking order (those
    of ``rows``); the height grows with the number of units so that 45 rows stay legible on
    one page. ``labels``: its words (``percent``, ``missing``, ``alt_heatmap``), from the
    phrase file ``nhan.j2`` (:func:`reportgen.narrate.labels.overview_chart_labels`)."""
    matrix = index.matrix
    units = tuple(matrix.units[rows]) if matrix.names else ()
    percent = matrix.percent[rows]
    series = tuple(Series(name, tuple(row[n] for row in percent))
                   for n, name in enumerate(matrix.names))
    return ChartSpec(
        kind="heatmap", categories=units, series=series or (Series("", ()),),
        value_label=labels["percent"], value_max=100.0, missing_label=labels["missing"],
        decimals=HEATMAP_DECIMALS, width_cm=16.5, class_range=class_range,
        height_cm=max(7.0, min(23.0, 3.2 + 0.44 * len(units))),
        alt_text=labels["alt_heatmap"])


def heatmap_specs(index: IndexOverview, *, labels: Mapping[str, str]) -> list[ChartSpec]:
    """The grid in one chart, or for a large group in parts of at most HEATMAP_ROWS units
    (a page each), of equal size and with one colour legend for all."""
    units = len(index.matrix.units)
    if units <= HEATMAP_ROWS:
        return [heatmap_spec(index, labels=labels)]
    values = [v for row in index.matrix.percent for v in row if v is not None]
    span = (min(values), max(values)) if values else None
    return [heatmap_spec(index, part, span, labels=labels) for part in equal_parts(units, HEATMAP_ROWS)]


def equal_parts(count: int, most: int) -> list[slice]:
    """``count`` rows cut into the fewest parts of at most ``most`` rows, their sizes differing
    by one at most (91 → 31, 30, 30), so no part is a lonely last row."""
    parts = math.ceil(count / most)
    size, longer = divmod(count, parts)
    bounds, start = [], 0
    for n in range(parts):
        end = start + size + (1 if n < longer else 0)
        bounds.append(slice(start, end))
        start = end
    return bounds


def overview_charts(overview: GroupAnalysis,
                    labels: Mapping[str, Mapping[str, str]]) -> dict[str, list[ChartSpec]]:
    """The heatmap specifications of every index with components; ``labels``: the words of
    each index's charts, by index code."""
    return {i.index: heatmap_specs(i, labels=labels[i.index])
            for i in overview.indices if i.components}
