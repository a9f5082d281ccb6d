"""Charts readable when printed (#12, points 8 and 9): in greyscale the change chart's rises and
falls stay apart (PNG: rendered, converted to grey, the two bar colours compared; native: the
luminance of the two fills); in the sample report's charts no two texts overlap (matplotlib's
bounding boxes) and no text is below 8 pt at print size (the PNG is placed at its drawn size).
"""

from __future__ import annotations

import io
import itertools
from collections import Counter

import matplotlib
import pytest
from matplotlib.text import Text
from PIL import Image, ImageStat

from reportgen.analysis.unit import analyze_unit, prepare
from reportgen.app import Project, load_dataset, make_toolkit
from reportgen.charts.mpl import build_figure as _build_figure
from reportgen.charts.mpl import render_png, style
from reportgen.charts.spec import ChartSpec, Series
from reportgen.charts.unit import UNIT_KINDS, index_charts
from reportgen.config.frameworks import load_frameworks
from reportgen.config.search import SearchPath, packaged_dir
from reportgen.narrate.labels import unit_chart_labels

PRINT_MIN_PT = 8.0
GREY_APART = 40  # of 255: two fills a reader tells apart on a greyscale print
UNIT = "Hòa Lâm"  # the sample's default unit (report.yaml default_unit)


def build_figure(spec: ChartSpec, dpi: int):
    """The figure as render_png draws it (in the charts' rc style), drawn once."""
    with matplotlib.rc_context(style()):
        fig = _build_figure(spec, dpi)
        fig.canvas.draw()
    return fig


def luminance(hex_colour: str) -> float:
    """ITU-R 601 luma (what PIL's "L" conversion computes), 0..255."""
    r, g, b = (int(hex_colour.lstrip("#")[k:k + 2], 16) for k in (0, 2, 4))
    return 0.299 * r + 0.587 * g + 0.114 * b


def change_spec() -> ChartSpec:
    return ChartSpec(kind="change_bars", categories=("Tăng", "Giảm"),
                     series=(Series("Tăng, giảm", (2.0, -2.0)),), rise_label="Tăng",
                     fall_label="Giảm", width_cm=8.0, height_cm=5.0)


def test_rise_and_fall_differ_in_grey_on_the_png() -> None:
    """Rendered and turned to grey, the middle of the rise bar and of the fall bar differ."""
    spec = change_spec()
    fig = build_figure(spec, 100)
    ax = fig.axes[0]
    bars = [p for p in ax.patches if p.get_width() and p.get_height()]
    grey = Image.open(io.BytesIO(render_png(spec, 100))).convert("L")
    height = grey.height
    values = []
    for bar in sorted(bars, key=lambda b: b.get_y())[:2]:  # the mean grey inside each bar
        box = bar.get_window_extent()
        inner = (int(box.x0) + 2, int(height - box.y1) + 2, int(box.x1) - 2, int(height - box.y0) - 2)
        values.append(ImageStat.Stat(grey.crop(inner)).mean[0])
    assert len(values) == 2
    assert abs(values[0] - values[1]) >= GREY_APART, values


def series_luminance(ser) -> float:
    """A native series' fill as grey: a solid fill's luma, a pattern's mean of its two colours
    (foreground and background share the cells about equally in the diagonal patterns)."""
    ns = {"a": "http://schemas.openxmlformats.org/drawingml/2006/main",
          "c": "http://schemas.openxmlformats.org/drawingml/2006/chart"}
    solid = ser.find("c:spPr/a:solidFill/a:srgbClr", ns)
    if solid is not None:
        return luminance(solid.get("val"))
    fg = ser.find("c:spPr/a:pattFill/a:fgClr/a:srgbClr", ns)
    bg = ser.find("c:spPr/a:pattFill/a:bgClr/a:srgbClr", ns)
    assert fg is not None and bg is not None, "a change series is neither solid nor patterned"
    return (luminance(fg.get("val")) + luminance(bg.get("val"))) / 2


def test_rise_and_fall_fills_differ_in_luminance_for_native_charts() -> None:
    """The native change chart: the rise series and the fall series, compared as grey."""
    from lxml import etree

    from reportgen.charts import native

    space = etree.fromstring(native.build(change_spec()).xml)
    series = space.findall(".//{http://schemas.openxmlformats.org/drawingml/2006/chart}ser")
    assert len(series) == 2
    rise, fall = (series_luminance(s) for s in series)
    assert abs(rise - fall) >= GREY_APART, (rise, fall)


def test_fall_bars_are_hatched_on_the_png() -> None:
    """Pattern as well as shade: the fall bars carry a hatch, the rise bars none."""
    fig = build_figure(change_spec(), 100)
    hatches = Counter(bool(p.get_hatch()) for p in fig.axes[0].patches if p.get_width())
    assert hatches[True] >= 1 and hatches[False] >= 1


# --- the sample report's charts -------------------------------------------------------------

@pytest.fixture(scope="module")
def sample_specs() -> list[ChartSpec]:
    """Every chart kind a unit report can draw, for each index of the sample's default unit."""
    search = SearchPath((packaged_dir(),))
    project = Project(search, load_frameworks(search))
    dataset = load_dataset(project)
    kit = make_toolkit(project, dpi=0)
    year = int(dataset.frame.loc[dataset.frame["unit"] == UNIT, "year"].max())
    analysis = analyze_unit(prepare(dataset), UNIT, year, kit.rules)
    rule = kit.narrator.excerpt_rule(analysis.group or "")
    env = kit.narrator.phrases.env
    specs = []
    for index in analysis.indices:
        charts = index_charts(index, UNIT, rule, labels=unit_chart_labels(env, index, UNIT),
                              kinds=UNIT_KINDS)
        specs += charts["results"] + charts["components"]
    assert {s.kind for s in specs} >= {"score_rank", "peer_bars", "component_bars", "change_bars"}
    return specs


def visible_texts(fig) -> list[Text]:
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()
            and t.get_figure() is not None]


def drawn(text: Text, fig) -> bool:
    """Inside the figure (a tick label outside the axis limits is kept but not drawn)."""
    box = text.get_window_extent(fig.canvas.get_renderer())
    return box.x1 > 0 and box.y1 > 0 and box.x0 < fig.bbox.width and box.y0 < fig.bbox.height


def test_no_chart_text_is_below_8_pt(sample_specs: list[ChartSpec]) -> None:
    small = [(s.kind, t.get_text(), t.get_fontsize()) for s in sample_specs
             for t in visible_texts(build_figure(s, 72)) if t.get_fontsize() < PRINT_MIN_PT - 1e-6]
    assert not small, small[:10]


def test_no_two_chart_texts_overlap(sample_specs: list[ChartSpec]) -> None:
    overlaps = []
    for spec in sample_specs:
        fig = build_figure(spec, 100)
        fig.canvas.draw()  # places the axis labels and ticks as printed
        renderer = fig.canvas.get_renderer()
        boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in visible_texts(fig)
                 if drawn(t, fig)]
        for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2):
            inter_w = min(box_a.x1, box_b.x1) - max(box_a.x0, box_b.x0)
            inter_h = min(box_a.y1, box_b.y1) - max(box_a.y0, box_b.y0)
            if inter_w > 1.0 and inter_h > 1.0:  # more than a pixel each way
                overlaps.append((spec.kind, spec.categories[:2], a, b))
    assert not overlaps, overlaps[:10]
