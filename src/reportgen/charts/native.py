"""Native Word charts: a :class:`~reportgen.charts.spec.ChartSpec` → DrawingML chart XML and
the Excel workbook that holds its numbers (what Word's "Edit Data" opens).

python-pptx writes both (``CategoryChartData``: its chart XML writer fills the caches that
viewers draw from, and its xlsxwriter workbook writer lays out ``Sheet1``, categories in
column A and one series per column, which the ``c:f`` formulas point at); its ``Chart``
object model styles the result. What python-pptx does not do is done here in XML, in schema
order: the rank line on a reversed secondary axis, positive axis ids and no ``c:smooth`` in
radar series (both required by ECMA-376's ``dml-chart.xsd``), square corners and no frame.

Numbers use invariant format codes with the Vietnamese locale prefix ``[$-42A]``, so data
labels and axes show a decimal comma ("80,98") whatever the viewer's own locale. The chart
draws no title: the "Biểu đồ n." caption is a Word paragraph, as with pictures.

Nothing here knows about Word documents: :class:`NativeChart` is plain bytes, placed in a
document by :mod:`reportgen.docx.charts`. The heatmap has no Word chart type
(:data:`NATIVE_KINDS`): it stays a picture.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from lxml import etree
from pptx.chart.axis import ValueAxis
from pptx.chart.chart import Chart
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION, XL_MARKER_STYLE
from pptx.enum.chart import XL_TICK_LABEL_POSITION as TICK
from pptx.enum.dml import MSO_PATTERN_TYPE
from pptx.oxml import parse_xml
from pptx.util import Pt

from reportgen.charts import spec as S
from reportgen.charts.spec import ChartSpec, Series

C_NS: Final = "http://schemas.openxmlformats.org/drawingml/2006/chart"
A_NS: Final = "http://schemas.openxmlformats.org/drawingml/2006/main"
VI_LOCALE: Final = "[$-42A]"  # LCID 0x042A, vi-VN: decimal comma in every viewer tried
FONT: Final = "Times New Roman"
FONT_PT: Final = 9.0
LABEL_PT: Final = 8.0
NATIVE_KINDS: Final = frozenset({S.SCORE_RANK, S.PEER_BARS, S.COMPONENT_BARS, S.CHANGE_BARS, S.RADAR})
SHORT_CATEGORY: Final = 14  # component_bars: names this short fit under columns
GRID: Final = "D9D9D9"


def _c(tag: str) -> str:
    return f"{{{C_NS}}}{tag}"


def _memoise_qn() -> None:
    """python-pptx turns a tag such as ``"c:valAx"`` into its Clark name through a new object
    on every call (``pptx.oxml.ns.qn``), tens of thousands of times per report when styling
    charts; the answer depends on the tag only, so each python-pptx module that imported
    ``qn`` gets the same function memoised (same results, a seventh of the chart time)."""
    import sys

    import pptx.oxml.ns as ns

    original = ns.qn
    if hasattr(original, "cache_info"):
        return
    memoised = functools.lru_cache(maxsize=None)(original)
    for name, module in list(sys.modules.items()):
        if (name == "pptx" or name.startswith("pptx.")) and getattr(module, "qn", None) is original:
            module.qn = memoised  # type: ignore[attr-defined]


_memoise_qn()


@dataclass(frozen=True)
class NativeChart:
    """One chart ready to be placed: its ``c:chartSpace`` XML (no ``c:externalData`` yet: the
    workbook's relationship id is known only in the document) and its workbook bytes."""

    kind: str
    xml: bytes
    xlsx: bytes
    width_cm: float
    height_cm: float
    alt_text: str


def number_format(decimals: int, signed: bool = False) -> str:
    """An invariant format code with the vi-VN prefix: ``[$-42A]0.00`` shows "80,98"."""
    body = "0" + ("." + "0" * decimals if decimals > 0 else "")
    if signed:
        return f"{VI_LOCALE}+{body};{VI_LOCALE}-{body};{VI_LOCALE}{body}"
    return VI_LOCALE + body


def is_native(spec: ChartSpec) -> bool:
    return spec.kind in NATIVE_KINDS


def build(spec: ChartSpec) -> NativeChart:
    """The native chart of ``spec`` (a kind in :data:`NATIVE_KINDS`)."""
    maker = _MAKERS.get(spec.kind)
    if maker is None:
        raise ValueError(f"no native chart for kind {spec.kind!r}")
    data, chart_type, style = maker(spec)
    space = parse_xml(data.xml_bytes(chart_type))
    chart = Chart(space, None)
    style(chart, spec)
    finish(space, chart)
    xml = etree.tostring(space, xml_declaration=True, encoding="UTF-8", standalone=True)
    return NativeChart(spec.kind, xml, data.xlsx_blob, spec.width_cm, spec.height_cm, spec.alt_text)


Maker = Callable[[ChartSpec], tuple[CategoryChartData, Any, Callable[[Chart, ChartSpec], None]]]


# --- the kinds -----------------------------------------------------------------------------

def _data(spec: ChartSpec, categories: Sequence[str]) -> CategoryChartData:
    data = CategoryChartData(number_format=number_format(spec.decimals))
    data.categories = list(categories)
    return data


def _score_rank(spec: ChartSpec) -> tuple[CategoryChartData, Any, Callable[[Chart, ChartSpec], None]]:
    """Score bars per year; the rank as a line on a reversed right axis (1 at the top)."""
    data = _data(spec, spec.categories)
    for s in spec.series:
        data.add_series(s.name, s.values)
    ranked = spec.secondary is not None and spec.secondary.present() > 0
    if ranked:
        assert spec.secondary is not None
        data.add_series(spec.secondary.name, spec.secondary.values, _rank_format(spec))
    return data, XL_CHART_TYPE.COLUMN_CLUSTERED, _style_score_rank


def _rank_format(spec: ChartSpec) -> str:
    """"40/63" when every year has the same number of ranked units, else "40"."""
    counts = {n for n in spec.rank_of if n}
    return f'0"/{counts.pop()}"' if len(counts) == 1 else "0"


def _rank_formats(spec: ChartSpec) -> dict[int, str]:
    """Per year, the rank label's format: "40/63" (N may change from year to year: 63 → 34)."""
    assert spec.secondary is not None
    return {n: f'0"/{of}"' for n, (rank, of) in
            enumerate(zip(spec.secondary.values, spec.rank_of or [None] * len(spec.categories),
                          strict=True)) if rank is not None and of}


def _point_formats(ser: etree._Element, formats: dict[int, str]) -> None:
    """Per-point data labels (``c:dLbl``) with their own number format, in front of the
    series' ``c:dLbls`` settings, which they copy."""
    dlbls = ser.find(_c("dLbls"))
    if dlbls is None or not formats:
        return
    shared = [child for child in dlbls if child.tag != _c("dLbl") and child.tag != _c("numFmt")
              and child.tag != _c("showLeaderLines")]
    for position, (idx, code) in enumerate(sorted(formats.items())):
        dlbl = etree.Element(_c("dLbl"))
        etree.SubElement(dlbl, _c("idx")).set("val", str(idx))
        fmt = etree.SubElement(dlbl, _c("numFmt"))
        fmt.set("formatCode", code)
        fmt.set("sourceLinked", "0")
        for child in shared:
            dlbl.append(copy.deepcopy(child))
        dlbls.insert(position, dlbl)


def _style_score_rank(chart: Chart, spec: ChartSpec) -> None:
    """As the picture: bars in the lower part of the plot, the rank line above them; both
    value axes unlabelled (each bar and each point carries its value)."""
    ranked = spec.secondary is not None and spec.secondary.present() > 0
    rank_axis = split_to_secondary_axis(chart.element, len(spec.series)) if ranked else None
    plot = chart.plots[0]
    plot.gap_width = 80
    _colour_series(chart, spec.series)
    _labels(plot, spec.decimals, XL_LABEL_POSITION.INSIDE_END)
    plot.data_labels.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
    chart.category_axis.tick_labels.font.size = Pt(FONT_PT)
    score_axis = primary_value_axis(chart)
    if rank_axis is None:
        _value_axis(score_axis, spec, spec.value_max)
        _legend(chart)
        return
    values = [v for s in spec.series for v in s.values if v is not None]
    top = max([*values, spec.value_max or 0.0]) or 1.0
    score_axis.minimum_scale, score_axis.maximum_scale = 0, top / BAR_BAND
    score_axis.tick_label_position = TICK.NONE
    score_axis.has_major_gridlines = False
    score_axis.format.line.fill.background()
    line = chart.plots[1]
    ser = line.series[0]
    ser.format.line.color.rgb = _rgb(S.RANK_COLOUR)
    ser.format.line.width = Pt(1.75)
    ser.smooth = False
    ser.marker.style = XL_MARKER_STYLE.CIRCLE
    ser.marker.size = 6
    ser.marker.format.fill.solid()
    ser.marker.format.fill.fore_color.rgb = _rgb(S.RANK_COLOUR)
    ser.marker.format.line.color.rgb = _rgb(S.RANK_COLOUR)
    labels = ser.data_labels
    labels.number_format = _rank_format(spec)
    labels.number_format_is_linked = False
    labels.position = XL_LABEL_POSITION.ABOVE
    labels.show_value = True
    labels.font.size = Pt(LABEL_PT)
    _point_formats(ser._element, _rank_formats(spec))
    _rank_scale(rank_axis, spec)
    ranks = ValueAxis(rank_axis)
    ranks.tick_label_position = TICK.NONE
    ranks.format.line.fill.background()
    _legend(chart)


BAR_BAND: Final = 0.55  # score_rank with ranks: the share of the plot height for the bars
RANK_BAND: Final = (0.66, 0.92)  # ... and where the rank line moves (last place to place 1)


def primary_value_axis(chart: Chart) -> ValueAxis:
    """The first value axis (python-pptx's ``value_axis`` is the second when there are two)."""
    axis = chart.element.find(f"{_c('chart')}/{_c('plotArea')}/{_c('valAx')}")
    assert axis is not None
    return ValueAxis(axis)


def _rank_scale(axis: etree._Element, spec: ChartSpec) -> None:
    """The rank axis, reversed, scaled so that place 1 is drawn at the top of RANK_BAND and
    the last place at its bottom: the line runs above the bars."""
    assert spec.secondary is not None
    worst = int(max([*(v for v in spec.secondary.values if v is not None),
                     *(n for n in spec.rank_of if n)]))
    low, high = RANK_BAND
    span = (max(worst, 2) - 1) / (high - low)  # ranks across the whole plot height
    top = 1 - (1 - high) * span
    scaling = axis.find(_c("scaling"))
    assert scaling is not None
    for child in list(scaling):
        scaling.remove(child)
    etree.SubElement(scaling, _c("orientation")).set("val", "maxMin")
    etree.SubElement(scaling, _c("max")).set("val", f"{top + span:.6g}")
    etree.SubElement(scaling, _c("min")).set("val", f"{top:.6g}")
    _ensure(axis, "numFmt", after=("axPos", "majorGridlines", "minorGridlines", "title"),
            formatCode="0", sourceLinked="0")


def _peer_bars(spec: ChartSpec) -> tuple[CategoryChartData, Any, Callable[[Chart, ChartSpec], None]]:
    """Every peer's score, best at the top; the peer mean a bar of its own among them."""
    rows = peer_rows(spec)
    data = _data(spec, [name for name, _ in rows])
    data.add_series(spec.main_series().name, [v for _, v in rows])
    return data, XL_CHART_TYPE.BAR_CLUSTERED, _style_peer_bars


def peer_rows(spec: ChartSpec) -> list[tuple[str, float | None]]:
    """(name, score) from the best down: sorted unless the spec is an excerpt (kept as
    given, gaps included); the reference (peer mean) inserted where it ranks, as
    "<reference_label>"."""
    pairs = list(zip(spec.categories, spec.main_series().values, strict=True))
    rows: list[tuple[str, float | None]]
    if spec.excerpt_of is None:
        rows = sorted(((c, v) for c, v in pairs if v is not None), key=lambda p: -(p[1] or 0.0))
    else:
        rows = [(c, v) for c, v in pairs if v is not None or c == S.GAP]
    if spec.reference is not None and spec.reference_label:
        at = next((n for n, (_, v) in enumerate(rows) if v is not None and v < spec.reference),
                  len(rows))
        rows.insert(at, (spec.reference_label, spec.reference))
    return rows


def _style_peer_bars(chart: Chart, spec: ChartSpec) -> None:
    rows = peer_rows(spec)
    plot = chart.plots[0]
    plot.gap_width = 40
    plot.vary_by_categories = False
    ser = plot.series[0]
    _fill(ser, S.PEERS)
    for n, (name, _) in enumerate(rows):
        if name == spec.highlight:
            _fill(ser.points[n], S.UNIT)
        elif spec.reference is not None and name == spec.reference_label:
            _fill(ser.points[n], S.REFERENCE_COLOUR)
    size = LABEL_PT  # never below 8 pt in print: the spec's height gives each row room for it
    _labels(plot, spec.decimals, XL_LABEL_POSITION.OUTSIDE_END, size)
    chart.category_axis.reverse_order = True
    chart.category_axis.tick_labels.font.size = Pt(size)
    _every_label(chart.category_axis._element)
    _value_axis(chart.value_axis, spec, _peer_top(rows))
    _crosses_max(chart.value_axis)  # one value axis: python-pptx's value_axis is it
    chart.has_legend = False


# children of c:catAx after c:tickLblSkip (ECMA-376 CT_CatAx sequence)
_AFTER_LABEL_SKIP = ("tickMarkSkip", "noMultiLvlLbl", "extLst")


def _every_label(axis: Any) -> None:
    """Name every category (``c:tickLblSkip`` 1): a reader left to choose would skip every
    other unit's name on a tall list (LibreOffice does, even at 8 pt on 0.37 cm rows)."""
    for old in axis.findall(_c("tickLblSkip")):
        axis.remove(old)
    skip = etree.SubElement(axis, _c("tickLblSkip"))
    skip.set("val", "1")
    later = [child for child in axis if etree.QName(child).localname in _AFTER_LABEL_SKIP]
    if later:
        later[0].addprevious(skip)


def _peer_top(rows: Sequence[tuple[str, float | None]]) -> float | None:
    values = [v for _, v in rows if v is not None]
    return None if not values else max(values) * 1.12


def _component_bars(spec: ChartSpec) -> tuple[CategoryChartData, Any, Callable[[Chart, ChartSpec], None]]:
    """Components (% of max): the unit against its comparisons, grouped; columns when every
    name is short, else horizontal bars in the table's order, top down."""
    data = _data(spec, spec.categories)
    for s in spec.series:
        data.add_series(s.name, s.values)
    short = all(len(c) <= SHORT_CATEGORY for c in spec.categories)
    return data, XL_CHART_TYPE.COLUMN_CLUSTERED if short else XL_CHART_TYPE.BAR_CLUSTERED, _style_components


def _style_components(chart: Chart, spec: ChartSpec) -> None:
    plot = chart.plots[0]
    plot.gap_width = 60
    plot.overlap = -5
    _colour_series(chart, spec.series)
    _labels(plot, spec.decimals, XL_LABEL_POSITION.OUTSIDE_END)  # LABEL_PT: 8 pt at print size
    chart.category_axis.tick_labels.font.size = Pt(FONT_PT)
    _value_axis(chart.value_axis, spec, spec.value_max)
    if chart.chart_type == XL_CHART_TYPE.BAR_CLUSTERED:
        chart.category_axis.reverse_order = True
        _crosses_max(chart.value_axis)
    _legend(chart)


def change_series(spec: ChartSpec) -> tuple[Series, Series]:
    """The changes split in rises (and zeros) and falls, two series drawn on one bar each,
    so the legend names both and they differ in colour and in fill pattern (grey print)."""
    values = spec.main_series().values
    rise = Series(spec.rise_label, tuple(v if v is not None and v >= 0 else None for v in values))
    fall = Series(spec.fall_label, tuple(v if v is not None and v < 0 else None for v in values),
                  role="compare")
    return rise, fall


def _change_bars(spec: ChartSpec) -> tuple[CategoryChartData, Any, Callable[[Chart, ChartSpec], None]]:
    data = CategoryChartData(number_format=number_format(spec.decimals, signed=True))
    data.categories = list(spec.categories)
    for s in change_series(spec):
        data.add_series(s.name, s.values)
    return data, XL_CHART_TYPE.BAR_CLUSTERED, _style_change


def _style_change(chart: Chart, spec: ChartSpec) -> None:
    plot = chart.plots[0]
    plot.gap_width = 60
    plot.overlap = 100
    rise, fall = plot.series
    _fill(rise, S.RISE)
    fall.format.fill.patterned()
    fall.format.fill.pattern = MSO_PATTERN_TYPE.WIDE_DOWNWARD_DIAGONAL
    fall.format.fill.fore_color.rgb = _rgb(S.FALL)
    fall.format.fill.back_color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
    fall.format.line.color.rgb = _rgb(S.FALL)
    for ser in (rise, fall):
        ser.invert_if_negative = False
    _labels(plot, spec.decimals, XL_LABEL_POSITION.OUTSIDE_END, signed=True)
    axis = chart.category_axis
    axis.reverse_order = True
    axis.tick_label_position = TICK.LOW
    axis.tick_labels.font.size = Pt(FONT_PT)
    present = [abs(v) for v in spec.main_series().values if v is not None]
    limit = max(max(present, default=0.0) * 1.35, 10.0 ** -spec.decimals * 5)
    value = chart.value_axis
    value.minimum_scale, value.maximum_scale = -limit, limit
    _value_axis(value, spec, None, signed=True)
    _crosses_max(value)
    _legend(chart)


def _radar(spec: ChartSpec) -> tuple[CategoryChartData, Any, Callable[[Chart, ChartSpec], None]]:
    data = _data(spec, spec.categories)
    for s in spec.series:
        data.add_series(s.name, s.values)
    return data, XL_CHART_TYPE.RADAR_MARKERS, _style_radar


def _style_radar(chart: Chart, spec: ChartSpec) -> None:
    for ser, colour in zip(chart.plots[0].series, _colours(spec.series), strict=True):
        ser.format.line.color.rgb = _rgb(colour)
        ser.format.line.width = Pt(2.0 if colour == S.UNIT else 1.5)
        ser.marker.style = XL_MARKER_STYLE.CIRCLE
        ser.marker.size = 5
        ser.marker.format.fill.solid()
        ser.marker.format.fill.fore_color.rgb = _rgb(colour)
        ser.marker.format.line.color.rgb = _rgb(colour)
    axis = chart.value_axis
    axis.minimum_scale = 0
    if spec.value_max is not None:
        axis.maximum_scale = spec.value_max
    axis.tick_labels.number_format = number_format(0)
    axis.tick_labels.number_format_is_linked = False
    axis.tick_labels.font.size = Pt(LABEL_PT)
    chart.category_axis.tick_labels.font.size = Pt(FONT_PT)
    _legend(chart)


_MAKERS: dict[str, Maker] = {
    S.SCORE_RANK: _score_rank,
    S.PEER_BARS: _peer_bars,
    S.COMPONENT_BARS: _component_bars,
    S.CHANGE_BARS: _change_bars,
    S.RADAR: _radar,
}


# --- styling helpers -----------------------------------------------------------------------

def _rgb(colour: str) -> RGBColor:
    rgb: RGBColor = RGBColor.from_string(colour.lstrip("#").upper())
    return rgb


def _colours(series: Sequence[Series]) -> list[str]:
    """The unit's series in the unit colour, comparisons in turn, benchmarks in theirs."""
    compare = iter(S.COMPARE_COLOURS)
    out = []
    for s in series:
        if s.role == S.MAIN:
            out.append(S.UNIT)
        elif s.role == S.REFERENCE:
            out.append(S.REFERENCE_COLOUR)
        else:
            out.append(next(compare, S.PEERS))
    return out


def _fill(target: Any, colour: str) -> None:
    target.format.fill.solid()
    target.format.fill.fore_color.rgb = _rgb(colour)


def _colour_series(chart: Chart, series: Sequence[Series]) -> None:
    for ser, colour in zip(chart.plots[0].series, _colours(series), strict=True):
        _fill(ser, colour)
        ser.invert_if_negative = False


def _labels(plot: Any, decimals: int, position: Any, size: float = LABEL_PT,
            signed: bool = False) -> None:
    plot.has_data_labels = True
    labels = plot.data_labels
    labels.number_format = number_format(decimals, signed)
    labels.number_format_is_linked = False
    labels.position = position
    labels.show_value = True
    labels.font.size = Pt(size)


def _value_axis(axis: Any, spec: ChartSpec, top: float | None, signed: bool = False) -> None:
    if not signed:
        axis.minimum_scale = 0
    if top is not None:
        axis.maximum_scale = top
    axis.has_major_gridlines = True
    axis.major_gridlines.format.line.color.rgb = RGBColor.from_string(GRID)
    axis.tick_labels.number_format = number_format(0, signed)
    axis.tick_labels.number_format_is_linked = False
    axis.tick_labels.font.size = Pt(LABEL_PT)
    if spec.value_label:
        axis.has_title = True
        axis.axis_title.text_frame.text = spec.value_label
        axis.axis_title.text_frame.paragraphs[0].runs[0].font.size = Pt(FONT_PT)
        axis.axis_title.text_frame.paragraphs[0].runs[0].font.bold = False


def _crosses_max(value_axis: Any) -> None:
    """A bar chart read top down (category axis reversed) keeps its value axis at the
    bottom: ``c:valAx/c:crosses val="max"`` (python-pptx sets crosses on the other axis)."""
    crosses = value_axis._element.find(_c("crosses"))
    if crosses is not None:
        crosses.set("val", "max")


def _legend(chart: Chart) -> None:
    chart.has_legend = True
    chart.legend.position = XL_LEGEND_POSITION.BOTTOM
    chart.legend.include_in_layout = False
    chart.legend.font.size = Pt(FONT_PT)


# --- XML the object model does not cover ---------------------------------------------------

def _ensure(parent: etree._Element, tag: str, after: Sequence[str] = (), **attrs: str) -> etree._Element:
    """The child ``tag`` of ``parent`` (created after the last of ``after`` present, or
    first), with ``attrs`` set."""
    child = parent.find(_c(tag))
    if child is None:
        child = etree.Element(_c(tag))
        anchor = None
        for name in after:
            found = parent.find(_c(name))
            if found is not None:
                anchor = found
        if anchor is not None:
            anchor.addnext(child)
        else:
            parent.insert(0, child)
    for key, value in attrs.items():
        child.set(key, value)
    return child


def split_to_secondary_axis(space: etree._Element, first: int) -> etree._Element:
    """Move the bar chart's series from index ``first`` on into a line chart on a second
    pair of axes (a hidden category axis, a value axis on the right); the new value axis."""
    plot_area = space.find(f"{_c('chart')}/{_c('plotArea')}")
    assert plot_area is not None
    bar = plot_area.find(_c("barChart"))
    assert bar is not None
    moved = bar.findall(_c("ser"))[first:]
    line = etree.Element(_c("lineChart"))
    etree.SubElement(line, _c("grouping")).set("val", "standard")
    etree.SubElement(line, _c("varyColors")).set("val", "0")
    for ser in moved:
        for tag in ("invertIfNegative", "pictureOptions", "shape"):
            for child in ser.findall(_c(tag)):
                ser.remove(child)
        line.append(ser)
        marker = etree.Element(_c("marker"))
        etree.SubElement(marker, _c("symbol")).set("val", "circle")
        _after_first(ser, marker, ("spPr", "tx", "order"))
        etree.SubElement(ser, _c("smooth")).set("val", "0")
    etree.SubElement(line, _c("marker")).set("val", "1")
    etree.SubElement(line, _c("axId")).set("val", "3")
    etree.SubElement(line, _c("axId")).set("val", "4")
    bar.addnext(line)
    cat = copy.deepcopy(plot_area.find(_c("catAx")))
    val = copy.deepcopy(plot_area.find(_c("valAx")))
    assert cat is not None and val is not None
    _set(cat, "axId", "3")
    _set(cat, "delete", "1")
    _set(cat, "crossAx", "4")
    _set(val, "axId", "4")
    _set(val, "axPos", "r")
    _set(val, "crossAx", "3")
    _set(val, "crosses", "max")
    for tag in ("majorGridlines", "title", "numFmt"):
        for child in val.findall(_c(tag)):
            val.remove(child)
    last_axis = plot_area.findall(_c("valAx"))[-1]
    last_axis.addnext(cat)
    cat.addnext(val)
    return val


def _set(parent: etree._Element, tag: str, value: str) -> None:
    child = parent.find(_c(tag))
    assert child is not None, tag
    child.set("val", value)


def _after_first(parent: etree._Element, child: etree._Element, anchors: Sequence[str]) -> None:
    for name in anchors:
        found = parent.find(_c(name))
        if found is not None:
            found.addnext(child)
            return
    parent.insert(0, child)


def finish(space: etree._Element, chart: Chart) -> None:
    """What every chart needs and python-pptx leaves out or gets wrong for the schema:
    fonts (chart text does not inherit Word styles), no title, positive axis ids, no
    ``c:smooth`` in radar series, square corners, no frame round the chart area."""
    chart.has_title = False
    chart.font.name = FONT
    chart.font.size = Pt(FONT_PT)
    chart.font.color.rgb = _rgb(S.INK)
    ids: dict[str, str] = {}
    for el in space.iter(_c("axId"), _c("crossAx")):
        value = el.get("val", "")
        if value.startswith("-") or not value.isdigit() or int(value) > 0xFFFFFFFF:
            el.set("val", ids.setdefault(value, str(100 + len(ids))))
    for ser in space.iter(_c("ser")):
        parent = ser.getparent()
        if parent is not None and parent.tag == _c("radarChart"):
            for smooth in ser.findall(_c("smooth")):
                ser.remove(smooth)
    _ensure(space, "roundedCorners", after=("date1904", "lang"), val="0")
    chart_el = space.find(_c("chart"))
    assert chart_el is not None
    if space.find(_c("spPr")) is None:
        sppr = etree.Element(_c("spPr"))
        etree.SubElement(sppr, f"{{{A_NS}}}noFill")
        ln = etree.SubElement(sppr, f"{{{A_NS}}}ln")
        etree.SubElement(ln, f"{{{A_NS}}}noFill")
        chart_el.addnext(sppr)


__all__ = ["NATIVE_KINDS", "NativeChart", "build", "change_series", "is_native", "number_format",
           "peer_rows", "split_to_secondary_axis"]
