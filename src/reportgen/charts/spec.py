"""Chart specification: what a chart shows, independent of how it is drawn.

A :class:`ChartSpec` is plain, frozen data (kind, categories, series, highlight, reference line,
labels, size, alt text). Backends draw it: :mod:`reportgen.charts.mpl` makes a PNG with
matplotlib; a native Word chart writer can read the same object. So this module must never
import matplotlib (a test checks it), and colours are given as neutral hex strings.

:func:`too_little_data` says when a chart would be empty or meaningless, as a :class:`Gap`
(what is missing, how many there are, how many are needed), so the report writes a sentence
instead of drawing it. Like every word a chart shows (axis labels, legends, alt text, given in
the spec by the caller), the sentence comes from the editable phrase files, never from here.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Final, Literal, get_args

ChartKind = Literal["score_rank", "peer_bars", "component_bars", "change_bars", "radar", "heatmap"]
SCORE_RANK: Final = "score_rank"
PEER_BARS: Final = "peer_bars"
COMPONENT_BARS: Final = "component_bars"
CHANGE_BARS: Final = "change_bars"
RADAR: Final = "radar"
HEATMAP: Final = "heatmap"
KINDS: Final[tuple[str, ...]] = get_args(ChartKind)

SeriesRole = Literal["main", "compare", "reference"]
MAIN: Final = "main"
COMPARE: Final = "compare"
REFERENCE: Final = "reference"
ROLES: Final[tuple[str, ...]] = get_args(SeriesRole)

# peer_bars excerpt of a large group: a category standing for the units left out.
GAP: Final = "…"

MIN_YEARS: Final = 2
MIN_PEERS: Final = 3
MIN_COMPONENTS: Final = 2
MIN_RADAR_AXES: Final = 5
MIN_HEATMAP_ROWS: Final = 2
MIN_HEATMAP_COLUMNS: Final = 2

# Okabe–Ito (colour-blind safe). The unit is always UNIT, in every chart and every backend.
UNIT: Final = "#0072B2"
PEERS: Final = "#B4B4B4"
COMPARE_COLOURS: Final[tuple[str, ...]] = ("#9A9A9A", "#E69F00", "#56B4E9", "#CC79A7")
REFERENCE_COLOUR: Final = "#D55E00"
RANK_COLOUR: Final = "#E69F00"
# Rises and falls differ in shade as well as hue (a greyscale print keeps them apart: luma about
# 106 and 162 of 255), and the falls are hatched besides (FALL_HATCH; native: a pattern fill).
RISE: Final = "#009E73"
FALL: Final = "#E69F00"
FALL_HATCH: Final = "////"
INK: Final = "#262626"
# Sequential, colour-blind safe and readable in grey print: viridis, as stops from low to high
# (a backend interpolates between them). Missing cells are MISSING_CELL.
HEATMAP_SCALE: Final[tuple[str, ...]] = ("#440154", "#482878", "#3E4989", "#31688E", "#26828E",
                                         "#1F9E89", "#35B779", "#6ECE58", "#B5DE2B", "#FDE725")
MISSING_CELL: Final = "#EEEEEE"

Value = float | None


def is_present(value: object) -> bool:
    """A drawable number: not None and not NaN."""
    return isinstance(value, numbers.Real) and not math.isnan(value)


def _floats(values: Iterable[object]) -> tuple[Value, ...]:
    """Values as a tuple of float/None (NaN becomes None), so backends see one shape."""
    return tuple(float(v) if is_present(v) else None for v in values)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Series:
    """One named row of values, aligned with the chart's categories.

    ``role``: "main" is the unit reported on (drawn in the unit colour), "compare" a
    comparison (previous year, peer mean), "reference" a per-category benchmark line.
    """

    name: str
    values: tuple[Value, ...]
    role: SeriesRole = MAIN

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", _floats(self.values))
        if self.role not in ROLES:
            raise ValueError(f"Series {self.name!r}: role {self.role!r} not in {ROLES}")

    def present(self) -> int:
        """How many values can be drawn."""
        return sum(v is not None for v in self.values)


@dataclass(frozen=True)
class ChartSpec:
    """Everything a backend needs to draw one chart (the caption and source are kept for the
    document and the alt text; backends draw no title).

    Kinds: ``score_rank`` (categories = years; bars of the series, rank line from
    ``secondary``), ``peer_bars`` (categories = peers; the main series, sorted by the backend),
    ``component_bars`` (categories = components; main and compare series as grouped bars),
    ``change_bars`` (categories = components; the main series holds the changes),
    ``radar`` (categories = axes; one polygon per series, scale 0..``value_max``),
    ``heatmap`` (categories = rows, e.g. the units of a group in ranking order; one series per
    column, e.g. a component, holding the rows' values, e.g. percent of the maximum; cells
    coloured on HEATMAP_SCALE in a few classes of the data range, values written in them).

    * ``highlight``: a category to emphasise (peer_bars: the unit's name); naming a series is
      accepted and changes nothing, since the main series is always in the unit colour.
    * ``reference`` / ``reference_label``: one benchmark value drawn as a line (peer mean);
      a series with role "reference" is the per-category form of it.
    * ``secondary``: score_rank's ranks, drawn on a reversed right axis; ``rank_of`` gives,
      per category, the number of ranked units, so labels read "40/63" (N may change: 63 → 34).
    * ``decimals``: data-label precision; ``value_max``: the value-axis (or radar) maximum.
    * ``excerpt_of``: peer_bars of a large group: the categories are an excerpt of this many
      ranked peers, already in ranking order (kept as given), with a :data:`GAP` category (no
      value) wherever a run of peers is left out.
    * ``class_range``: heatmap: the (low, high) data range the colour classes cover, so the
      parts of a grid split over several charts share one legend; None: this chart's data.
    * ``category_label``: peer_bars drawn as columns too narrow to name every peer: the axis
      label after the number of peers ("63" + " " + label).
    * ``rise_label`` / ``fall_label``: change_bars: the legend of the two colours.
    * ``missing_label``: heatmap: the legend of the cells without a value.
    """

    kind: ChartKind
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    highlight: str | None = None
    reference: float | None = None
    reference_label: str = ""
    secondary: Series | None = None
    value_label: str = ""
    secondary_label: str = ""
    decimals: int = 2
    value_max: float | None = None
    caption: str = ""
    source: str = ""
    alt_text: str = ""
    width_cm: float = 15.5
    height_cm: float = 8.0
    rank_of: tuple[int | None, ...] = field(default=())
    excerpt_of: int | None = None
    class_range: tuple[float, float] | None = None
    category_label: str = ""
    rise_label: str = ""
    fall_label: str = ""
    missing_label: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "categories", tuple(str(c) for c in self.categories))
        object.__setattr__(self, "series", tuple(self.series))
        object.__setattr__(self, "rank_of", tuple(self.rank_of))
        if not is_present(self.reference):
            object.__setattr__(self, "reference", None)
        self.validate()

    def validate(self) -> None:
        """Raise ValueError on a malformed spec (a programming error, not a data gap)."""
        problems = list(_shape_problems(self))
        if problems:
            raise ValueError(f"ChartSpec({self.kind!r}): " + "; ".join(problems))

    def main_series(self) -> Series:
        """The unit's series: the first with role "main", else the first one."""
        return next((s for s in self.series if s.role == MAIN), self.series[0])


def _shape_problems(spec: ChartSpec) -> list[str]:
    """Structural errors: unknown kind, misaligned series, impossible sizes."""
    n = len(spec.categories)
    problems = []
    if spec.kind not in KINDS:
        problems.append(f"kind must be one of {KINDS}")
    if not spec.series:
        problems.append("at least one series is needed")
    for s in (*spec.series, *([spec.secondary] if spec.secondary else [])):
        if len(s.values) != n:
            problems.append(f"series {s.name!r} has {len(s.values)} values for {n} categories")
    if spec.rank_of and len(spec.rank_of) != n:
        problems.append(f"rank_of has {len(spec.rank_of)} values for {n} categories")
    if not 0 <= spec.decimals <= 6:
        problems.append("decimals must be within 0..6")
    if spec.width_cm <= 0 or spec.height_cm <= 0:
        problems.append("width_cm and height_cm must be positive")
    if spec.value_max is not None and spec.value_max <= 0:
        problems.append("value_max must be positive")
    if spec.class_range is not None and spec.class_range[0] > spec.class_range[1]:
        problems.append("class_range must be (low, high)")
    if spec.excerpt_of is not None and spec.excerpt_of < n - spec.categories.count(GAP):
        problems.append("excerpt_of is smaller than the number of peers shown")
    return problems


GapKind = Literal["years", "peers", "components", "previous", "radar_axes", "radar_values", "rows"]


@dataclass(frozen=True)
class Gap:
    """Why a chart is left out, as data: ``what`` is missing (see :data:`GapKind`), ``count``
    of them there are, ``minimum`` needed. The phrase files word it (macro ``ly_do_bo_qua``)."""

    what: GapKind
    count: int
    minimum: int


def too_little_data(spec: ChartSpec) -> Gap | None:
    """Why the chart should be left out, or None when it can be drawn."""
    check = _CHECKS.get(spec.kind)
    return check(spec) if check else None


def _count(spec: ChartSpec) -> int:
    """Categories with a value in the unit's series."""
    return spec.main_series().present()


def _score_rank_gap(spec: ChartSpec) -> Gap | None:
    years = _count(spec)
    return Gap("years", years, MIN_YEARS) if years < MIN_YEARS else None


def _peer_gap(spec: ChartSpec) -> Gap | None:
    peers = _count(spec)
    return Gap("peers", peers, MIN_PEERS) if peers < MIN_PEERS else None


def _component_gap(spec: ChartSpec) -> Gap | None:
    parts = _count(spec)
    return Gap("components", parts, MIN_COMPONENTS) if parts < MIN_COMPONENTS else None


def _change_gap(spec: ChartSpec) -> Gap | None:
    return Gap("previous", 0, 1) if _count(spec) == 0 else None


def _radar_gap(spec: ChartSpec) -> Gap | None:
    axes = len(spec.categories)
    if axes < MIN_RADAR_AXES:
        return Gap("radar_axes", axes, MIN_RADAR_AXES)
    values = _count(spec)
    if values < MIN_RADAR_AXES:
        return Gap("radar_values", values, MIN_RADAR_AXES)
    return None


def _heatmap_gap(spec: ChartSpec) -> Gap | None:
    """Fewer than two rows or two columns with a value: nothing to compare in a grid."""
    rows = sum(any(s.values[i] is not None for s in spec.series)
               for i in range(len(spec.categories)))
    columns = sum(s.present() > 0 for s in spec.series)
    if rows < MIN_HEATMAP_ROWS:
        return Gap("rows", rows, MIN_HEATMAP_ROWS)
    if columns < MIN_HEATMAP_COLUMNS:
        return Gap("components", columns, MIN_HEATMAP_COLUMNS)
    return None


_CHECKS = {
    SCORE_RANK: _score_rank_gap,
    PEER_BARS: _peer_gap,
    COMPONENT_BARS: _component_gap,
    CHANGE_BARS: _change_gap,
    RADAR: _radar_gap,
    HEATMAP: _heatmap_gap,
}
