"""Matplotlib backend: a :class:`~reportgen.charts.spec.ChartSpec` → PNG bytes.

Uses ``Figure`` + ``FigureCanvasAgg`` directly (no pyplot, so no global figure registry and
nothing to leak across thousands of charts). One style, applied per chart through
``rc_context``, so other matplotlib users in the process are untouched. Text is a Times-like
serif with Vietnamese glyphs (Liberation Serif, DejaVu Serif as per-glyph fallback); numbers
are written the Vietnamese way ("86,47", "1.250,5"). No title is drawn: the caption is a
paragraph of the document.

Layout is one measuring pass (:func:`_fit_layout`) instead of constrained layout's two:
the figure keeps its exact size and the chart renders about a third faster.
"""

from __future__ import annotations

import bisect
import io
import math
import textwrap
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, Literal, TypedDict

import matplotlib
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PolyCollection
from matplotlib.colors import LinearSegmentedColormap, to_hex, to_rgb
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.projections.polar import PolarAxes
from matplotlib.ticker import FixedLocator, Formatter, MaxNLocator
from matplotlib.transforms import Bbox, ScaledTranslation, blended_transform_factory
from PIL import Image

from reportgen.charts import spec as S
from reportgen.charts.spec import ChartSpec, Series
from reportgen.formatting import num, signed

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

CM_PER_INCH = 2.54
PT_PER_CM = 72 / CM_PER_INCH
FONT_CANDIDATES = ("Liberation Serif", "Times New Roman", "DejaVu Serif", "DejaVu Sans")
TICK_PT = 8.5
LABEL_PT = 9.0
DATA_PT = 8.0
LEGEND_PT = 8.5
MIN_PT = 5.5  # the group overview's heatmap cells only
PRINT_MIN_PT = 8.0  # smallest text of a unit report's chart at print size (placed at its drawn size)
PAD_PT = 4.0
CHAR_EM = 0.5  # mean glyph width of a Times-like font, in em, for layout estimates
LINE_EM = 1.2
SIDE_LABEL_SHARE = 0.42  # most of the width that wrapped category names may take
PNG_COMPRESS = 3  # zlib level: 6 costs ~30 % more time for ~8 % smaller files
BAR_BAND = 0.55  # score_rank with ranks: share of the plot height for the bars
RANK_BAND = (0.66, 0.96)  # ... and the share the rank line moves in (place N to place 1)
RANK_STEPS = (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000)
LABEL_BOX = {"boxstyle": "square,pad=0.08", "fc": "white", "ec": "none", "alpha": 0.9}

Drawer = Callable[[Figure, ChartSpec], None]
_LOCK = threading.Lock()


@dataclass(frozen=True)
class ChartImage:
    """A drawn chart, ready to place in the document at its intended size."""

    png: bytes
    width_cm: float
    height_cm: float
    alt_text: str


# ---------------------------------------------------------------- style, numbers


@cache
def font_families() -> tuple[str, ...]:
    """Installed fonts from FONT_CANDIDATES, best first (listing only installed ones avoids
    findfont warnings); matplotlib falls back glyph by glyph along this list."""
    installed = {f.name for f in font_manager.fontManager.ttflist}
    found = tuple(f for f in FONT_CANDIDATES if f in installed)
    return found or ("DejaVu Sans",)


@cache
def style() -> dict[RcKeyType, Any]:
    """The one chart style (rcParams), built once per process."""
    return {
        "font.family": list(font_families()),
        "font.size": LABEL_PT,
        "axes.labelsize": LABEL_PT,
        "axes.edgecolor": "#595959",
        "axes.linewidth": 0.6,
        "axes.labelcolor": S.INK,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.axisbelow": True,
        "axes.unicode_minus": False,
        "grid.color": "#DDDDDD",
        "grid.linewidth": 0.5,
        "xtick.labelsize": TICK_PT,
        "ytick.labelsize": TICK_PT,
        "xtick.color": S.INK,
        "ytick.color": S.INK,
        "xtick.major.width": 0.6,
        "ytick.major.width": 0.6,
        "xtick.major.size": 2.5,
        "ytick.major.size": 2.5,
        "legend.fontsize": LEGEND_PT,
        "legend.frameon": False,
        "legend.handlelength": 1.6,
        "figure.facecolor": "white",
        "text.color": S.INK,
        "text.parse_math": False,
    }


def fmt(value: float | None, decimals: int) -> str:
    """Vietnamese number: 86.47 → "86,47", 1250.5 → "1.250,50"; None → "–"."""
    return num(value, decimals)


def _decimals_for(values: Sequence[float], most: int = 3) -> int:
    """Fewest decimals that write every tick exactly (0; 0,5; 1,0 → 1)."""
    for d in range(most + 1):
        if all(abs(round(v, d) - v) < 1e-9 for v in values):
            return d
    return most


class VnFormatter(Formatter):
    """Tick labels in Vietnamese format, one precision for the whole axis."""

    def __init__(self, decimals: int | None = None) -> None:
        self.fixed = decimals
        self.decimals = decimals or 0

    def set_locs(self, locs: list[float]) -> None:
        super().set_locs(locs)
        self.decimals = self.fixed if self.fixed is not None else _decimals_for(list(locs))

    def __call__(self, x: float, pos: int | None = None) -> str:
        return fmt(x, self.decimals)


# ---------------------------------------------------------------- entry points


def render_png(spec: ChartSpec, dpi: int = 200) -> bytes:
    """Draw ``spec`` at its size in cm and ``dpi``; return PNG bytes (RGB, dpi recorded).

    Serialised by a lock: rcParams and matplotlib's text caches are process-global, so
    threads (e.g. a threaded batch worker) must not draw at the same time."""
    with _LOCK, matplotlib.rc_context(style()):
        fig = build_figure(spec, dpi)
        canvas = fig.canvas
        assert isinstance(canvas, FigureCanvasAgg)  # build_figure's
        canvas.draw()
        image = Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba(),
                                 "raw", "RGBA", 0, 1).convert("RGB")
    fig.clear()
    out = io.BytesIO()
    image.save(out, "PNG", dpi=(dpi, dpi), compress_level=PNG_COMPRESS)
    return out.getvalue()


def draw(spec: ChartSpec, dpi: int = 200) -> ChartImage:
    """Render ``spec`` and keep its intended size and alt text with the bytes."""
    alt = spec.alt_text or spec.caption
    return ChartImage(render_png(spec, dpi), spec.width_cm, spec.height_cm, alt)


def build_figure(spec: ChartSpec, dpi: int) -> Figure:
    """A new Agg-backed figure with ``spec`` drawn and laid out (inside ``rc_context``)."""
    fig = Figure(figsize=(_inches(spec.width_cm, dpi), _inches(spec.height_cm, dpi)), dpi=dpi)
    FigureCanvasAgg(fig)
    DRAWERS[spec.kind](fig, spec)
    _fit_layout(fig)
    return fig


def _inches(cm: float, dpi: int) -> float:
    """Size in inches that Agg turns into the nearest whole pixel count (it truncates)."""
    return (round(cm / CM_PER_INCH * dpi) + 1e-3) / dpi


def _fit_layout(fig: Figure) -> None:
    """Measure tick labels, axis labels and texts once, then give the axes all the room left
    (every axes of the figure shares one box: a twin axis or a single polar axes)."""
    if not fig.axes:
        return
    canvas = fig.canvas
    assert isinstance(canvas, FigureCanvasAgg)  # build_figure's
    renderer = canvas.get_renderer()
    width, height = fig.bbox.width, fig.bbox.height
    pad = PAD_PT * fig.dpi / 72
    box = fig.axes[0].get_window_extent(renderer)
    tight = Bbox.union([b for ax in fig.axes if (b := ax.get_tightbbox(renderer)) is not None])
    legend = fig.legends[0].get_window_extent(renderer).height + pad if fig.legends else 0.0
    x0 = pad + box.x0 - tight.x0
    x1 = width - pad - (tight.x1 - box.x1)
    y0 = pad + legend + box.y0 - tight.y0
    y1 = height - pad - (tight.y1 - box.y1)
    if x1 - x0 < width * 0.2 or y1 - y0 < height * 0.2:
        return  # labels larger than the figure: keep the default box rather than invert it
    rect = (x0 / width, y0 / height, (x1 - x0) / width, (y1 - y0) / height)
    for ax in fig.axes:
        ax.set_position(rect)


# ---------------------------------------------------------------- shared helpers


def _nan(values: Sequence[float | None]) -> list[float]:
    """None → NaN, which matplotlib leaves out (a gap, no bar)."""
    return [math.nan if v is None else v for v in values]


def _present(values: Sequence[float | None]) -> list[float]:
    return [v for v in values if v is not None]


def _colours(series: Sequence[Series]) -> list[str]:
    """Unit colour for the unit's series; compare series take the palette in turn."""
    out, k = [], 0
    for s in series:
        if s.role == S.MAIN:
            out.append(S.UNIT)
        elif s.role == S.REFERENCE:
            out.append(S.REFERENCE_COLOUR)
        else:
            out.append(S.COMPARE_COLOURS[k % len(S.COMPARE_COLOURS)])
            k += 1
    return out


def _wrap(text: str, chars: int) -> str:
    """Wrap a long label on word boundaries into balanced lines ("… cải cách / hành chính",
    not "… cải cách hành / chính"), at most ``chars`` wide."""
    chars = max(chars, 6)
    count = len(textwrap.wrap(text, chars, break_long_words=False))
    for width in range(math.ceil(len(text) / max(count, 1)), chars):
        lines = textwrap.wrap(text, width, break_long_words=False)
        if len(lines) == count:
            return "\n".join(lines)
    return textwrap.fill(text, chars, break_long_words=False)


def _lines(labels: Sequence[str]) -> int:
    """Line count of the tallest wrapped label (1 when there are none)."""
    return max((label.count("\n") + 1 for label in labels), default=1)


def _text_em(text: str) -> float:
    """Estimated width of one line, in em (digits 0,5 em; comma and dot 0,25 em)."""
    return sum(0.25 if ch in ",.:;' " else CHAR_EM for ch in text)


def _plot_pt(spec: ChartSpec, axis: str, reserved_cm: float) -> float:
    """Room left for the plot along ``axis`` ("x"/"y") after labels, in points."""
    total = spec.width_cm if axis == "x" else spec.height_cm
    return max(total - reserved_cm, 1.0) * PT_PER_CM


def _upper(values: Sequence[float], value_max: float | None, headroom: float = 1.12) -> float:
    """Value-axis top: the given maximum, or the data maximum, plus room for labels."""
    top = max(values, default=0.0)
    if value_max is not None:
        return max(value_max, top) * (headroom if top >= value_max * 0.96 else 1.0)
    return top * headroom if top > 0 else 1.0


def _value_ticks(ax: Axes, axis: str, top: float, value_max: float | None,
                 low: float = 0.0) -> None:
    """Nice ticks up to the maximum (not into the label headroom), Vietnamese format."""
    limit = value_max if value_max is not None and value_max <= top else top
    ticks = [t for t in MaxNLocator(nbins=5).tick_values(low, limit)
             if low - 1e-9 <= t <= limit + 1e-9]
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_locator(FixedLocator(ticks))
    target.set_major_formatter(VnFormatter())


def _category_axis(ax: Axes, axis: Literal["x", "y"], labels: Sequence[str], names: Sequence[str],
                   highlight: str | None, **text: Any) -> None:
    """Category ticks with (wrapped) labels; the highlighted name in bold."""
    set_ticks = ax.set_xticks if axis == "x" else ax.set_yticks
    ticks = set_ticks(range(len(labels)), labels, **text)
    ax.tick_params(axis=axis, length=0)
    for tick, name in zip(ticks, names, strict=False):
        if name == highlight:
            tick.label1.set_fontweight("bold")


def _fit_side_labels(spec: ChartSpec, reserved_cm: float) -> tuple[list[str], float]:
    """Wrap category names for the left of horizontal bars: as narrow as the row height
    allows, at most SIDE_LABEL_SHARE of the width; shrink the font only if needed, never
    below PRINT_MIN_PT."""
    rows = max(len(spec.categories), 1)
    row_pt = _plot_pt(spec, "y", reserved_cm) / rows
    widest_pt = spec.width_cm * SIDE_LABEL_SHARE * PT_PER_CM
    for size in (TICK_PT, PRINT_MIN_PT):
        lines = max(1, int(row_pt * 0.95 / (size * LINE_EM)))
        most = int(widest_pt / (size * CHAR_EM))
        for chars in range(max(most // 2, 8), most + 1, 2):
            wrapped = [_wrap(c, chars) for c in spec.categories]
            if _lines(wrapped) <= lines:
                return wrapped, size
    return [_wrap(c, most) for c in spec.categories], PRINT_MIN_PT


def _legend(fig: Figure, handles: list[Any]) -> None:
    """Legend under the plot, one row, no frame; none when a single entry says nothing."""
    if len(handles) < 2:
        return
    pad = PAD_PT / 72 / fig.get_figheight()
    fig.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, pad),
               ncols=min(len(handles), 4), fontsize=LEGEND_PT, columnspacing=1.4,
               borderaxespad=0.0, borderpad=0.0)


def _reference_line(ax: Axes, spec: ChartSpec, axis: str) -> Line2D | None:
    """The scalar benchmark (peer mean) as a dashed line, labelled for the legend."""
    if spec.reference is None:
        return None
    draw_line = ax.axhline if axis == "y" else ax.axvline
    return draw_line(spec.reference, color=S.REFERENCE_COLOUR, linestyle="--", linewidth=1.0,
                     zorder=3, label=_reference_text(spec))


def _reference_text(spec: ChartSpec) -> str:
    """"Trung bình cả nước: 88,37" (the label is optional)."""
    value = fmt(spec.reference, spec.decimals)
    return f"{spec.reference_label}: {value}" if spec.reference_label else value


def _group_offsets(count: int, width: float) -> list[float]:
    """Centre offsets of ``count`` bars of ``width`` side by side."""
    return [(i - (count - 1) / 2) * width for i in range(count)]


def _label_bars(ax: Axes, bars: Any, values: Sequence[float | None], decimals: int,
                size: float, **text: Any) -> list[Any]:
    """Value labels just outside the bar ends ("86,47"); a missing value gets none."""
    labels = [fmt(v, decimals) if v is not None else "" for v in values]
    return ax.bar_label(bars, labels, padding=1.5, fontsize=size, zorder=4, **text)


# ---------------------------------------------------------------- score and rank


def _score_rank(fig: Figure, spec: ChartSpec) -> None:
    """Bars: score per year (labels inside the bar tops); line: rank on a reversed right
    axis labelled "x/N"; per-year benchmarks (role "reference") as a dashed line.

    With ranks, bars keep to the lower BAR_BAND of the plot and the rank line to RANK_BAND
    above them, so the line never crosses bars or their labels."""
    ax = fig.add_subplot()
    ranked = spec.secondary is not None and spec.secondary.present() > 0
    handles = _grouped_bars(ax, spec, "y", inside=True, band=BAR_BAND if ranked else 1.0)
    handles += _reference_series(ax, spec)
    ref = _reference_line(ax, spec, "y")
    if ranked:
        handles.append(_rank_line(ax, spec))
    if ref is not None:
        handles.append(ref)
    _category_axis(ax, "x", spec.categories, spec.categories, spec.highlight)
    ax.set_ylabel(spec.value_label)
    ax.grid(axis="y")
    _legend(fig, handles)


def _rank_line(ax: Axes, spec: ChartSpec) -> Line2D:
    """Rank on a twin axis, 1 at the top, integer ticks, "x/N" beside the markers."""
    assert spec.secondary is not None
    ax2 = ax.twinx()
    ax2.spines["right"].set_visible(True)
    ranks = spec.secondary.values
    (line,) = ax2.plot(range(len(ranks)), _nan(ranks), color=S.RANK_COLOUR, marker="o",
                       markersize=4.5, linewidth=1.6, label=spec.secondary.name, zorder=4)
    worst = int(max([*_present(ranks), *(n for n in spec.rank_of if n)]))
    ax2.set_ylim(*_rank_limits(worst))
    ax2.spines["right"].set_bounds(1, max(worst, 1))
    ax2.yaxis.set_major_locator(FixedLocator(_rank_ticks(worst, most=4)))
    ax2.yaxis.set_major_formatter(VnFormatter(0))
    ax2.set_ylabel(spec.secondary_label)
    ax2.yaxis.label.set_y(sum(RANK_BAND) / 2)
    for i, rank in enumerate(ranks):
        if rank is not None:
            below = rank <= 1 + 0.2 * (worst - 1)  # near the top: label under the marker
            ax2.annotate(_rank_text(rank, spec, i), (i, rank), xytext=(0, -7 if below else 7),
                         textcoords="offset points", ha="center",
                         va="top" if below else "bottom", fontsize=DATA_PT + 0.5, zorder=5,
                         bbox={**LABEL_BOX, "boxstyle": "round,pad=0.2"})
    return line


def _rank_limits(worst: int) -> tuple[float, float]:
    """Reversed rank-axis limits that put place ``worst`` at the bottom of RANK_BAND and
    place 1 at its top."""
    low, high = RANK_BAND
    span = max(worst, 2) - 1
    total = span / (high - low)  # rank units across the whole plot height
    bottom = max(worst, 2) + low * total
    return bottom, bottom - total


def _rank_ticks(worst: int, most: int = 7) -> list[int]:
    """1, round steps, and the last place: 1, 10, 20, …, 63 (about ``most`` ticks)."""
    step = next((s for s in RANK_STEPS if worst / s <= most), RANK_STEPS[-1])
    ticks = [1, *range(step, worst, step)]
    if len(ticks) > 1 and worst - ticks[-1] <= step / 2:
        ticks.pop()
    return sorted({*ticks, max(worst, 1)})


def _rank_text(rank: float, spec: ChartSpec, i: int) -> str:
    """"40/63" when the number of ranked units is known, else "40"."""
    of = spec.rank_of[i] if i < len(spec.rank_of) else None
    return f"{int(rank)}/{of}" if of else str(int(rank))


def _reference_series(ax: Axes, spec: ChartSpec) -> list[Any]:
    """Per-category benchmarks (role "reference") as a dashed line with markers."""
    handles = []
    for s in spec.series:
        if s.role == S.REFERENCE:
            (line,) = ax.plot(range(len(s.values)), _nan(s.values), color=S.REFERENCE_COLOUR,
                              linestyle="--", marker="D", markersize=3.5, linewidth=1.0,
                              label=s.name, zorder=3)
            handles.append(line)
    return handles


# ---------------------------------------------------------------- grouped bars


def _grouped_bars(ax: Axes, spec: ChartSpec, axis: str, inside: bool = False,
                  band: float = 1.0) -> list[Any]:
    """Bars of the unit and comparison series side by side per category, value-labelled;
    ``band`` < 1 keeps the bars to that lower share of the plot."""
    series = [s for s in spec.series if s.role != S.REFERENCE]
    width = _bar_width(spec)
    values = [v for s in spec.series for v in _present(s.values)]
    values += [spec.reference] if spec.reference is not None else []
    top = _upper(values, spec.value_max) / band
    low = min([0.0, *values]) * 1.12  # room for a negative bar and its label
    size = _data_label_size(spec, axis, width)
    handles = []
    offsets = _group_offsets(len(series), width)
    for s, colour, off in zip(series, _colours(series), offsets, strict=True):
        pos = [i + off for i in range(len(spec.categories))]
        draw_bars = ax.bar if axis == "y" else ax.barh
        bars = draw_bars(pos, _nan(s.values), width, color=colour, label=s.name, zorder=2)
        if inside:
            _label_inside(ax, bars, s, spec, top, size)
        elif size:
            box = {"bbox": LABEL_BOX} if spec.reference is not None else {}
            _label_bars(ax, bars, s.values, spec.decimals, size, **box)
        handles.append(bars)
    (ax.set_ylim if axis == "y" else ax.set_xlim)(low, top)
    _value_ticks(ax, axis, top * band, spec.value_max, low)
    if low < 0:
        (ax.axhline if axis == "y" else ax.axvline)(0, color=S.INK, linewidth=0.8, zorder=3)
    if band < 1:
        ax.spines["left"].set_bounds(0, top * band)
        ax.yaxis.label.set_y(band / 2)
    return handles


def _bar_width(spec: ChartSpec) -> float:
    """A grouped bar's share of its category's slot (the reference series draws no bar)."""
    count = max(len([s for s in spec.series if s.role != S.REFERENCE]), 1)
    return min(0.84 / count, 0.42 if count > 1 else 0.6)


def _column_pt(spec: ChartSpec, width: float) -> float:
    """How wide a vertical grouped bar is, in points, at print size."""
    return _plot_pt(spec, "x", 2.4) / max(len(spec.categories), 1) * width


def _data_label_size(spec: ChartSpec, axis: str, width: float) -> float:
    """Font size at which labels fit across a vertical bar; 0 when none is legible."""
    if axis == "x":
        return DATA_PT
    bar_pt = _column_pt(spec, width)
    values = [v for s in spec.series for v in _present(s.values)]
    widest = max((_text_em(fmt(v, spec.decimals)) for v in values), default=1.0)
    size = min(DATA_PT, bar_pt * 0.92 / max(widest, 1.0))
    return size if size >= PRINT_MIN_PT else 0.0


def _label_inside(ax: Axes, bars: Any, series: Series, spec: ChartSpec, top: float,
                  size: float) -> None:
    """Labels inside the bar tops (clear of lines crossing above); above short bars."""
    size = size or PRINT_MIN_PT
    height_pt = _plot_pt(spec, "y", 2.0)
    light = "white" if series.role == S.MAIN else S.INK
    for bar, v in zip(bars, series.values, strict=True):
        if v is None:
            continue
        fits = v / top * height_pt > 2.5 * size
        ax.annotate(fmt(v, spec.decimals), (bar.get_x() + bar.get_width() / 2, v),
                    xytext=(0, -3 if fits else 2), textcoords="offset points", ha="center",
                    va="top" if fits else "bottom", fontsize=size, zorder=4,
                    color=light if fits else S.INK)


# ---------------------------------------------------------------- peer bars


MIN_PEER_PT = PRINT_MIN_PT  # smallest rotated name in a column chart
PEER_ROW_MIN_PT = 7.0  # below this row height, horizontal bars give way to vertical ones


def _peer_bars(fig: Figure, spec: ChartSpec) -> None:
    """All peers sorted by score (an excerpt of a large group as given, with its gaps), the
    unit in its colour, the peer mean as a dashed line."""
    pairs = list(zip(spec.categories, spec.main_series().values, strict=True))
    peers: Sequence[tuple[str, float | None]]
    if spec.excerpt_of is None:
        ranked = sorted(((c, v) for c, v in pairs if v is not None), key=lambda p: -p[1])
        peers = ranked
    else:
        peers = [(c, v) for c, v in pairs if v is not None or c == S.GAP]
    ax = fig.add_subplot()
    row = _plot_pt(spec, "y", 1.6) / max(len(peers), 1)
    horizontal = row >= PEER_ROW_MIN_PT or len(peers) <= 12
    if horizontal:
        _peer_rows(ax, spec, peers, max(PRINT_MIN_PT, min(TICK_PT, row * 0.78)))
    else:
        _peer_columns(ax, spec, peers)
    _reference_mark(ax, spec, horizontal)


def _peer_top(values: Sequence[float | None]) -> float:
    """The value axis' end: room above the best score for its label (1 when every score is
    about 0, so the axis never collapses)."""
    best = max((v for v in values if v is not None), default=0.0)
    return best * 1.1 if best > 1e-6 else 1.0


def _peer_colours(spec: ChartSpec, names: Sequence[str]) -> list[str]:
    """Unit colour for the highlighted peer, a quiet grey for the others."""
    return [S.UNIT if name == spec.highlight else S.PEERS for name in names]


def _bar_collection(ax: Axes, values: Sequence[float | None], colours: Sequence[str],
                    horizontal: bool, width: float = 0.72) -> None:
    """Many bars as one PolyCollection: one draw call instead of one Rectangle artist
    per bar (150 bars: ~5 ms instead of ~100 ms). A None value leaves its slot empty."""
    half = width / 2
    boxes = [[(i - half, 0.0), (i - half, v), (i + half, v), (i + half, 0.0)]
             for i, v in enumerate(values) if v is not None]
    colours = [c for c, v in zip(colours, values, strict=True) if v is not None]
    if horizontal:
        boxes = [[(y, x) for x, y in box] for box in boxes]
    ax.add_collection(PolyCollection(boxes, facecolors=list(colours), edgecolors="none",
                                     zorder=2), autolim=False)


class _TextStyle(TypedDict):
    fontweight: str
    color: str


class _LabelStyle(TypedDict):
    fontsize: float
    color: str
    bbox: dict[str, object]


def _unit_text(unit: bool) -> _TextStyle:
    """Text properties that mark the unit: bold, in the unit colour."""
    return {"fontweight": "bold" if unit else "normal", "color": S.UNIT if unit else S.INK}


def _peer_rows(ax: Axes, spec: ChartSpec, peers: Sequence[tuple[str, float | None]],
               size: float) -> None:
    """Horizontal bars, best at the top, names on the left and values at the bar ends.
    Names and values are plain texts, not ticks and annotations: 63 rows draw twice as fast."""
    names = [p[0] for p in peers]
    values = [p[1] for p in peers]
    _bar_collection(ax, values, _peer_colours(spec, names), horizontal=True)
    ax.set_ylim(max(len(peers), 1) - 0.5, -0.5)
    top = _peer_top(values)
    ax.set_xlim(0, top)
    ax.set_yticks([])
    _row_names(ax, names, spec.highlight, size)
    _row_values(ax, spec, names, values, max(size - 0.5, PRINT_MIN_PT), top)
    _value_ticks(ax, "x", top, spec.value_max)
    ax.set_xlabel(spec.value_label)
    ax.spines["left"].set_visible(False)
    ax.grid(axis="x")


def _offset(ax: Axes, dx_pt: float, dy_pt: float, base: Any) -> Any:
    """``base`` shifted by a distance in points."""
    return base + ScaledTranslation(dx_pt / 72, dy_pt / 72, ax.figure.dpi_scale_trans)


def _row_names(ax: Axes, names: Sequence[str], highlight: str | None, size: float) -> None:
    """Row names right-aligned left of the plot, the unit marked. Only the widest names
    are measured for the layout (measuring all 63 costs as much as drawing them)."""
    tr = _offset(ax, -3, 0, blended_transform_factory(ax.transAxes, ax.transData))
    widest = max((_text_em(n) for n in names), default=0.0)
    for i, name in enumerate(names):
        unit = name == highlight
        ax.text(0, i, name, transform=tr, ha="right", va="center", fontsize=size,
                in_layout=unit or _text_em(name) >= widest - 1.5, **_unit_text(unit))


def _row_values(ax: Axes, spec: ChartSpec, names: Sequence[str], values: Sequence[float | None],
                size: float, top: float) -> None:
    """Values after the bar ends; only labels the mean line crosses get a white box."""
    tr = _offset(ax, 2, 0, ax.transData)
    span = size * 3.2 / _plot_pt(spec, "x", 4.0) * top  # a label's width, in data units
    for i, (name, v) in enumerate(zip(names, values, strict=True)):
        if v is None:  # the gap of an excerpt
            continue
        crossed = spec.reference is not None and v - 0.02 * top <= spec.reference <= v + span
        ax.text(v, i, fmt(v, spec.decimals), transform=tr, ha="left", va="center",
                fontsize=size, zorder=4, bbox=LABEL_BOX if crossed else None, in_layout=i == 0,
                **_unit_text(name == spec.highlight))


def _peer_columns(ax: Axes, spec: ChartSpec, peers: Sequence[tuple[str, float | None]]) -> None:
    """Vertical bars with rotated names, for many peers on a short chart; only the unit's
    bar carries its value. When even rotated names cannot fit, only the unit is named."""
    names = [p[0] for p in peers]
    values = [p[1] for p in peers]
    _bar_collection(ax, values, _peer_colours(spec, names), horizontal=False)
    ax.set_xlim(-0.6, len(peers) - 0.4)
    top = _peer_top(values)
    ax.set_ylim(0, top)
    ax.set_xticks([])
    size = min(TICK_PT, _plot_pt(spec, "x", 1.8) / max(len(peers), 1) * 0.85)
    _column_names(ax, names, spec.highlight, size)
    if size < MIN_PEER_PT:
        ax.set_xlabel(f"{len(peers)} {spec.category_label}".strip())
    if spec.highlight in names:
        i = names.index(spec.highlight)
        ax.annotate(fmt(values[i], spec.decimals), (i, values[i]), xytext=(0, 2),
                    textcoords="offset points", ha="center", va="bottom",
                    fontsize=DATA_PT + 0.5, zorder=4, bbox=LABEL_BOX, **_unit_text(True))
    _value_ticks(ax, "y", top, spec.value_max)
    ax.set_ylabel(spec.value_label)
    ax.grid(axis="y")


def _column_names(ax: Axes, names: Sequence[str], highlight: str | None, size: float) -> None:
    """Rotated names under the columns; only the unit's (level) when they cannot fit."""
    tr = _offset(ax, 0, -3, blended_transform_factory(ax.transData, ax.transAxes))
    every = size >= MIN_PEER_PT
    widest = max((_text_em(n) for n in names), default=0.0)
    for i, name in enumerate(names):
        unit = name == highlight
        if every or unit:
            ax.text(i, 0, name, transform=tr, ha="center", va="top",
                    rotation=90 if every else 0, fontsize=size if every else TICK_PT,
                    in_layout=unit or _text_em(name) >= widest - 1.5, **_unit_text(unit))


def _reference_mark(ax: Axes, spec: ChartSpec, horizontal: bool) -> None:
    """Peer-mean line across the bars, named next to it (no legend on this chart)."""
    reference = spec.reference  # (None: no line)
    if _reference_line(ax, spec, "x" if horizontal else "y") is None or reference is None:
        return
    text: _LabelStyle = {"fontsize": DATA_PT + 0.5, "color": S.REFERENCE_COLOUR, "bbox": LABEL_BOX}
    if horizontal:
        lo, hi = ax.get_xlim()
        share = (reference - lo) / (hi - lo)
        ha = "right" if share > 0.75 else "left" if share < 0.25 else "center"
        tr = blended_transform_factory(ax.transData, ax.transAxes)
        ax.text(reference, 1.005, _reference_text(spec), transform=tr, ha=ha,
                va="bottom", **text)
    else:
        tr = blended_transform_factory(ax.transAxes, ax.transData)
        ax.annotate(_reference_text(spec), (1.0, spec.reference), xycoords=tr,
                    xytext=(0, 3), textcoords="offset points", ha="right", va="bottom", **text)


# ---------------------------------------------------------------- component bars


def _component_bars(fig: Figure, spec: ChartSpec) -> None:
    """Components (as % of max): the unit against comparisons, grouped bars; columns when
    the names fit under them, horizontal bars with wrapped names on the left otherwise."""
    ax = fig.add_subplot()
    columns = _column_labels(spec, fig)
    if columns and not _values_fit_columns(fig, spec):
        columns = None  # values would not fit across the columns at print size: rows
    axis: Literal["x", "y"] = "y" if columns else "x"
    handles = _grouped_bars(ax, spec, axis)
    handles += _reference_ticks(ax, spec, axis)
    ref = _reference_line(ax, spec, axis)
    if ref is not None:
        handles.append(ref)
    if columns:
        _category_axis(ax, "x", columns, spec.categories, spec.highlight)
        ax.set_ylabel(spec.value_label)
    else:
        labels, size = _fit_side_labels(spec, 2.2)
        _category_axis(ax, "y", labels, spec.categories, spec.highlight, fontsize=size)
        ax.set_ylim(max(len(spec.categories), 1) - 0.5, -0.5)
        ax.set_xlabel(spec.value_label)
    ax.grid(axis=axis)
    _legend(fig, handles)


def _column_labels(spec: ChartSpec, fig: Figure) -> list[str] | None:
    """Names wrapped under columns, or None when some would need more than three lines (or,
    measured in ``fig``'s font, be wider than a column's slot: they would touch)."""
    slot_pt = _plot_pt(spec, "x", 1.6) / max(len(spec.categories), 1)
    wrapped = [_wrap(c, int(slot_pt / (TICK_PT * CHAR_EM))) for c in spec.categories]
    if _lines(wrapped) > 3:
        return None
    if max((_text_pt(fig, w, TICK_PT) for w in wrapped), default=0.0) > slot_pt * 0.92:
        return None
    return wrapped


def _text_pt(fig: Figure, text: str, size: float) -> float:
    """Width of the widest line of ``text`` at ``size`` in the figure's font, in points
    (measured: the layout estimates assume a Times-like font, the fallback may be wider)."""
    canvas = fig.canvas
    assert isinstance(canvas, FigureCanvasAgg)  # build_figure's
    renderer = canvas.get_renderer()
    font = font_manager.FontProperties(size=size)
    widths = [renderer.get_text_width_height_descent(line, font, ismath=False)[0]
              for line in text.split("\n")]
    return max(widths, default=0.0) * 72 / fig.dpi


def _values_fit_columns(fig: Figure, spec: ChartSpec) -> bool:
    """Whether the value labels fit across grouped columns at PRINT_MIN_PT (measured)."""
    bar_pt = _column_pt(spec, _bar_width(spec))
    values = [v for s in spec.series for v in _present(s.values)]
    widest = max((_text_pt(fig, fmt(v, spec.decimals), PRINT_MIN_PT) for v in values), default=0.0)
    return widest <= bar_pt * 0.92


def _reference_ticks(ax: Axes, spec: ChartSpec, axis: str) -> list[Any]:
    """Per-category benchmark (role "reference") as a short line across each group."""
    handles = []
    for s in spec.series:
        if s.role != S.REFERENCE:
            continue
        pos = range(len(s.values))
        across = ax.hlines if axis == "y" else ax.vlines
        across(_nan(s.values), [p - 0.45 for p in pos], [p + 0.45 for p in pos],
               color=S.REFERENCE_COLOUR, linewidth=1.6, zorder=3)
        handles.append(Line2D([], [], color=S.REFERENCE_COLOUR, linewidth=1.6, label=s.name))
    return handles


# ---------------------------------------------------------------- change bars


def _change_bars(fig: Figure, spec: ChartSpec) -> None:
    """Diverging bars of change per component: rises and falls in two colours, zero line.
    Draws the unit's series; components keep the framework's order, as in the tables."""
    ax = fig.add_subplot()
    main = spec.main_series()
    values = main.values
    colours = [S.RISE if (v or 0) > 0 else S.FALL if (v or 0) < 0 else S.PEERS for v in values]
    bars = ax.barh(range(len(values)), _nan(values), 0.62, color=colours, zorder=2)
    for bar, v in zip(bars, values, strict=True):
        if v is not None and v < 0:  # a pattern besides the shade: falls read in grey print
            bar.set_hatch(S.FALL_HATCH)
            bar.set_edgecolor("white")
            bar.set_linewidth(0)
    limit = _symmetric_limit(values, spec.decimals)
    ax.set_xlim(-limit, limit)
    ax.axvline(0, color=S.INK, linewidth=0.8, zorder=3)
    _change_labels(ax, bars, values, spec.decimals)
    labels, size = _fit_side_labels(spec, 2.2)
    _category_axis(ax, "y", labels, spec.categories, spec.highlight, fontsize=size)
    ax.set_ylim(max(len(values), 1) - 0.5, -0.5)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=6, symmetric=True))
    ax.xaxis.set_major_formatter(VnFormatter())
    ax.set_xlabel(spec.value_label)
    ax.spines["left"].set_visible(False)
    ax.grid(axis="x")
    _legend(fig, [Patch(facecolor=S.RISE, label=spec.rise_label),
                  Patch(facecolor=S.FALL, edgecolor="white", linewidth=0, hatch=S.FALL_HATCH,
                        label=spec.fall_label)])


def _symmetric_limit(values: Sequence[float | None], decimals: int) -> float:
    """Same room left and right of zero, with space for the signed labels."""
    biggest = max((abs(v) for v in _present(values)), default=0.0)
    return max(biggest * 1.35, 10.0 ** -decimals * 5)


def _change_labels(ax: Axes, bars: Any, values: Sequence[float | None], decimals: int) -> None:
    """Signed labels outside each bar end ("+0,50", "-0,35"); "–" when unknown."""
    for i, (bar, v) in enumerate(zip(bars, values, strict=True)):
        end = bar.get_width() if v else 0.0
        side = -1 if v is not None and v < 0 else 1
        text = "–" if v is None else signed(v, decimals)
        ax.annotate(text, (end, i), xytext=(3 * side, 0), textcoords="offset points",
                    ha="left" if side > 0 else "right", va="center", fontsize=DATA_PT)


# ---------------------------------------------------------------- radar


RADAR_WRAP = 18


def _radar(fig: Figure, spec: ChartSpec) -> None:
    """One closed polygon per series on ≥5 axes, scale 0..value_max, first axis at the top,
    clockwise (the reading order of the component table)."""
    ax = fig.add_subplot(projection="polar")
    assert isinstance(ax, PolarAxes)
    n = len(spec.categories)
    angles = [2 * math.pi * i / n for i in range(n)]
    values = [v for s in spec.series for v in _present(s.values)]
    top = spec.value_max or _upper(values, None, 1.0)
    _radar_frame(ax, angles, top)
    colours = _colours(spec.series)
    handles = [_radar_polygon(ax, s, c, angles) for s, c in zip(spec.series, colours, strict=True)
               if n]
    _radar_labels(ax, spec, angles, top)
    _legend(fig, handles)


def _radar_frame(ax: PolarAxes, angles: list[float], top: float) -> None:
    """Spokes per axis, light rings with Vietnamese-format values between axes 1 and 2."""
    ax.set_theta_offset(math.pi / 2)
    ax.set_theta_direction(-1)
    ax.set_ylim(0, top)
    ax.set_xticks(angles, [""] * len(angles))
    rings = [t for t in MaxNLocator(nbins=5).tick_values(0, top) if 0 < t <= top + 1e-9]
    ax.yaxis.set_major_locator(FixedLocator(rings))
    ax.yaxis.set_major_formatter(VnFormatter())
    ax.set_rlabel_position(180 / max(len(angles), 1))
    ax.tick_params(axis="y", labelsize=DATA_PT, labelcolor="#6E6E6E")
    ax.grid(color="#D0D0D0", linewidth=0.6)
    ax.spines["polar"].set_color("#B0B0B0")


def _radar_polygon(ax: Axes, series: Series, colour: str, angles: list[float]) -> Line2D:
    """Closed outline (lightly filled for the unit); a missing value leaves a gap."""
    closed = [*angles, angles[0]]
    values = _nan([*series.values, series.values[0]])
    main = series.role == S.MAIN
    dash = {S.MAIN: "-", S.COMPARE: "--", S.REFERENCE: ":"}[series.role]
    (line,) = ax.plot(closed, values, color=colour, linestyle=dash, marker="o",
                      markersize=3.2, linewidth=1.8 if main else 1.3, label=series.name,
                      zorder=3 if main else 2)
    if main and None not in series.values:
        ax.fill(closed, values, color=colour, alpha=0.12, zorder=1)
    return line


def _radar_labels(ax: Axes, spec: ChartSpec, angles: list[float], top: float) -> None:
    """Axis names outside the outer ring, aligned away from the centre."""
    for name, angle in zip(spec.categories, angles, strict=False):
        x, y = math.sin(angle), math.cos(angle)
        ha = "left" if x > 0.15 else "right" if x < -0.15 else "center"
        va = "bottom" if y > 0.15 else "top" if y < -0.15 else "center"
        ax.text(angle, top * 1.1, _wrap(name, RADAR_WRAP), ha=ha, va=va, fontsize=TICK_PT,
                fontweight="bold" if name == spec.highlight else "normal", multialignment=ha)


# ---------------------------------------------------------------- heatmap


HEATMAP_CLASSES = 7  # at most this many colour classes over the data range
HEATMAP_LINES = 4  # most lines of a wrapped column name
HEATMAP_TOP_CM = 1.6  # room for the column names above the grid, in layout estimates
HEATMAP_LEGEND_CM = 1.3  # and for the class legend under it
DARK_CELL = 0.4  # fill luminance under which a cell's value is written in white


def _heatmap(fig: Figure, spec: ChartSpec) -> None:
    """Rows (categories) × columns (series) of coloured cells: a few classes of the data
    range on the colour-blind-safe HEATMAP_SCALE, named in a legend under the grid; each
    value written in its cell when it fits. Row names on the left, wrapped column names on
    top, the highlighted row in bold. A missing value is a light grey cell with "–"."""
    ax = fig.add_subplot()
    rows, columns = len(spec.categories), len(spec.series)
    if not rows or not columns:
        ax.set_axis_off()
        return
    grid = [[s.values[r] for s in spec.series] for r in range(rows)]
    present = list(spec.class_range or (v for row in grid for v in row if v is not None))
    bounds = _class_bounds(present, spec.value_max)
    colours = _class_colours(len(bounds) - 1)
    fills = [[_class_colour(v, bounds, colours) for v in row] for row in grid]
    ax.imshow([[to_rgb(c) for c in row] for row in fills], aspect="auto",
              interpolation="nearest", zorder=1)
    row_labels, row_size = _fit_side_labels(spec, HEATMAP_TOP_CM + HEATMAP_LEGEND_CM)
    slot_pt = _heatmap_slot_pt(spec, row_labels, row_size)
    _category_axis(ax, "y", row_labels, spec.categories, spec.highlight, fontsize=row_size)
    _heatmap_columns(ax, spec, slot_pt)
    _cell_lines(ax, rows, columns)
    _cell_values(ax, spec, grid, fills, slot_pt)
    has_gaps = any(v is None for row in grid for v in row)
    _class_legend(fig, spec, bounds, colours, has_gaps)


def _class_bounds(values: Sequence[float], value_max: float | None) -> list[float]:
    """Round class limits covering the data (70, 75, …, 95), not the whole 0..max scale:
    the grid is there to show differences between units. The top limit is ``value_max``
    when the data reach into the last class."""
    if not values:
        return [0.0, value_max or 1.0]
    low, high = min(values), max(values)
    if high - low < 1e-9:
        return [low - 0.5, high + 0.5]
    ticks = [float(t) for t in MaxNLocator(nbins=HEATMAP_CLASSES, steps=[1, 2, 5, 10])
             .tick_values(low, high)]
    while len(ticks) > 2 and ticks[1] <= low + 1e-9:
        ticks.pop(0)
    while len(ticks) > 2 and ticks[-2] >= high - 1e-9:
        ticks.pop()
    if value_max is not None and ticks[-2] < value_max < ticks[-1] and high <= value_max:
        ticks[-1] = value_max
    return ticks


def _class_colours(count: int) -> list[str]:
    """``count`` colours spread over HEATMAP_SCALE, darkest for the lowest class."""
    scale = LinearSegmentedColormap.from_list("reportgen", S.HEATMAP_SCALE)
    if count == 1:
        return [to_hex(scale(0.5))]
    return [to_hex(scale(i / (count - 1))) for i in range(count)]


def _class_colour(value: float | None, bounds: Sequence[float], colours: Sequence[str]) -> str:
    """The fill of one cell: its class colour, or the missing-cell grey."""
    if value is None:
        return S.MISSING_CELL
    index = bisect.bisect_right(bounds, value) - 1
    return colours[min(max(index, 0), len(colours) - 1)]


def _luminance(colour: str) -> float:
    """Relative luminance (WCAG) of a hex colour, to choose black or white text on it."""
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in to_rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _heatmap_slot_pt(spec: ChartSpec, row_labels: Sequence[str], size: float) -> float:
    """Estimated width of one column, in points, after the row names."""
    widest = max((_text_em(line) for label in row_labels for line in label.split("\n")),
                 default=0.0)
    names_cm = widest * size / PT_PER_CM + 0.5
    return _plot_pt(spec, "x", names_cm) / max(len(spec.series), 1)


def _heatmap_columns(ax: Axes, spec: ChartSpec, slot_pt: float) -> None:
    """Column names on top, wrapped to the column width; the font shrinks (not below
    MIN_PT) before a name would need more than HEATMAP_LINES lines."""
    names = [s.name for s in spec.series]
    wrapped, size = names, MIN_PT
    for size in (TICK_PT, 8.0, 7.5, 7.0, 6.5, 6.0, MIN_PT):
        wrapped = [_wrap(n, int(slot_pt * 0.95 / (size * CHAR_EM))) for n in names]
        if _lines(wrapped) <= HEATMAP_LINES:
            break
    ax.xaxis.tick_top()
    ax.set_xticks(range(len(names)), wrapped, fontsize=size, multialignment="center")
    ax.tick_params(axis="x", length=0, pad=2)
    for side in ("top", "right", "bottom", "left"):
        ax.spines[side].set_visible(False)


def _cell_lines(ax: Axes, rows: int, columns: int) -> None:
    """Thin white lines between cells, so neighbours of one class stay apart."""
    ax.hlines([r - 0.5 for r in range(1, rows)], -0.5, columns - 0.5, colors="white",
              linewidth=0.6, zorder=2)
    ax.vlines([c - 0.5 for c in range(1, columns)], -0.5, rows - 0.5, colors="white",
              linewidth=0.6, zorder=2)
    ax.set_xlim(-0.5, columns - 0.5)
    ax.set_ylim(rows - 0.5, -0.5)


def _cell_values(ax: Axes, spec: ChartSpec, grid: Sequence[Sequence[float | None]],
                 fills: Sequence[Sequence[str]], slot_pt: float) -> None:
    """Each value in its cell ("86,5"), white on dark fills; none when they cannot fit."""
    rows = len(grid)
    row_pt = _plot_pt(spec, "y", HEATMAP_TOP_CM + HEATMAP_LEGEND_CM) / max(rows, 1)
    texts = [[fmt(v, spec.decimals) for v in row] for row in grid]
    widest = max((_text_em(t) for row in texts for t in row), default=1.0)
    size = min(DATA_PT + 0.5, row_pt * 0.72, slot_pt * 0.88 / max(widest, 1.0))
    if size < MIN_PT:
        return
    for r, row in enumerate(texts):
        bold = spec.categories[r] == spec.highlight
        for c, text in enumerate(row):
            dark = _luminance(fills[r][c]) < DARK_CELL
            ax.text(c, r, text, ha="center", va="center", fontsize=size, zorder=3,
                    color="white" if dark else S.INK, in_layout=False,
                    fontweight="bold" if bold else "normal")


def _class_legend(fig: Figure, spec: ChartSpec, bounds: Sequence[float],
                  colours: Sequence[str], has_gaps: bool) -> None:
    """The classes under the grid, one row: "70–75", "75–80", …, titled by value_label."""
    decimals = _decimals_for(list(bounds), most=2)
    handles = [Patch(facecolor=c, edgecolor="none",
                     label=f"{fmt(lo, decimals)}–{fmt(hi, decimals)}")
               for c, lo, hi in zip(colours, bounds, bounds[1:], strict=False)]
    if has_gaps:
        handles.append(Patch(facecolor=S.MISSING_CELL, edgecolor="none", label=spec.missing_label))
    pad = PAD_PT / 72 / fig.get_figheight()
    fig.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, pad),
               ncols=len(handles), fontsize=LEGEND_PT - 0.5, columnspacing=1.0,
               handlelength=1.4, handletextpad=0.4, borderaxespad=0.0, borderpad=0.0,
               title=spec.value_label or None, title_fontsize=LEGEND_PT)


DRAWERS: dict[str, Drawer] = {
    S.SCORE_RANK: _score_rank,
    S.PEER_BARS: _peer_bars,
    S.COMPONENT_BARS: _component_bars,
    S.CHANGE_BARS: _change_bars,
    S.RADAR: _radar,
    S.HEATMAP: _heatmap,
}
