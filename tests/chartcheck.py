"""Structural checks of native chart parts, shared by the chart tests.

The ECMA-376 XSDs are not shipped by any installed package, so these are the rules the
feasibility probe found to matter (``shared/domain/native-charts.md`` §5): child order of
``c:chartSpace``, axis ids that are ``xs:unsignedInt`` and point at existing axes, no
``c:smooth`` in a radar series, square corners and a chart-area ``c:spPr``, full caches, and
an embedded workbook whose cells equal the caches the viewers draw from.
"""

from __future__ import annotations

import io
import re

from lxml import etree
from openpyxl import load_workbook

C = "http://schemas.openxmlformats.org/drawingml/2006/chart"
NS = {"c": C}
# CT_ChartSpace's sequence (dml-chart.xsd)
CHART_SPACE_ORDER = ["date1904", "lang", "roundedCorners", "AlternateContent", "style", "clrMapOvr",
                     "pivotSource", "protection", "chart", "spPr", "txPr", "externalData",
                     "printSettings", "userShapes", "extLst"]
# CT_BarSer / CT_LineSer / CT_RadarSer sequences (the children reportgen writes)
SER_ORDER = {
    "barChart": ["idx", "order", "tx", "spPr", "invertIfNegative", "pictureOptions", "dPt", "dLbls",
                 "trendline", "errBars", "cat", "val", "shape", "extLst"],
    "lineChart": ["idx", "order", "tx", "spPr", "marker", "dPt", "dLbls", "trendline", "errBars",
                  "cat", "val", "smooth", "extLst"],
    "radarChart": ["idx", "order", "tx", "spPr", "marker", "dPt", "dLbls", "cat", "val", "extLst"],
}
VAL_AX_ORDER = ["axId", "scaling", "delete", "axPos", "majorGridlines", "minorGridlines", "title",
                "numFmt", "majorTickMark", "minorTickMark", "tickLblPos", "spPr", "txPr", "crossAx",
                "crosses", "crossesAt", "crossBetween", "majorUnit", "minorUnit", "dispUnits", "extLst"]
SCALING_ORDER = ["logBase", "orientation", "max", "min", "extLst"]


def local(el: etree._Element) -> str:
    return etree.QName(el).localname


def in_order(children: list[str], order: list[str]) -> bool:
    ranks = [order.index(c) for c in children if c in order]
    return ranks == sorted(ranks) and all(c in order for c in children)


def structure_problems(space: etree._Element) -> list[str]:
    """Every broken rule of one ``c:chartSpace``; empty when the part is sound."""
    problems = []
    if local(space) != "chartSpace":
        problems.append(f"root is {local(space)}")
    if not in_order([local(c) for c in space], CHART_SPACE_ORDER):
        problems.append(f"chartSpace children out of order: {[local(c) for c in space]}")
    rounded = space.find("c:roundedCorners", NS)
    if rounded is None or rounded.get("val") != "0":
        problems.append("no c:roundedCorners val=0")
    if space.find("c:spPr", NS) is None:
        problems.append("no chart-area c:spPr")
    axes = {}
    for ax in space.iterfind(".//c:plotArea/*", NS):
        if local(ax) in ("catAx", "valAx", "dateAx", "serAx"):
            axes[ax.find("c:axId", NS).get("val")] = ax
            if local(ax) == "valAx" and not in_order([local(c) for c in ax], VAL_AX_ORDER):
                problems.append(f"valAx children out of order: {[local(c) for c in ax]}")
            scaling = ax.find("c:scaling", NS)
            if scaling is not None and not in_order([local(c) for c in scaling], SCALING_ORDER):
                problems.append("scaling children out of order")
    for el in space.iterfind(".//c:axId", NS):
        value = el.get("val", "")
        if not value.isdigit() or int(value) > 0xFFFFFFFF:
            problems.append(f"axId {value!r} is not xs:unsignedInt")
        elif value not in axes:
            problems.append(f"axId {value} names no axis")
    for el in space.iterfind(".//c:crossAx", NS):
        if el.get("val") not in axes:
            problems.append(f"crossAx {el.get('val')} names no axis")
    for plot in space.iterfind(".//c:plotArea/*", NS):
        name = local(plot)
        for ser in plot.iterfind("c:ser", NS):
            children = [local(c) for c in ser]
            if name in SER_ORDER and not in_order(children, SER_ORDER[name]):
                problems.append(f"{name} series children out of order: {children}")
    return problems


def _cache(ref: etree._Element) -> dict[int, str]:
    return {int(pt.get("idx")): pt.findtext("c:v", namespaces=NS) for pt in ref.iterfind(".//c:pt", NS)}


def _cells(sheet, formula: str) -> list[object]:
    found = re.fullmatch(r"Sheet1!\$([A-Z]+)\$(\d+)(?::\$([A-Z]+)\$(\d+))?", formula)
    assert found, formula
    first = f"{found[1]}{found[2]}"
    last = f"{found[3]}{found[4]}" if found[3] else first
    return [cell.value for row in sheet[first:last] for cell in row]


def cache_problems(space: etree._Element, xlsx: bytes) -> list[str]:
    """Every cached name, category and value that differs from its workbook cell, and every
    cache that is not full (a viewer draws the caches, Edit Data shows the workbook)."""
    sheet = load_workbook(io.BytesIO(xlsx))["Sheet1"]
    problems = []
    refs = 0
    for ref in [*space.iterfind(".//c:strRef", NS), *space.iterfind(".//c:numRef", NS)]:
        refs += 1
        formula = ref.findtext("c:f", namespaces=NS)
        cells = _cells(sheet, formula)
        count = int(ref.find(".//c:ptCount", NS).get("val"))
        if count != len(cells):
            problems.append(f"{formula}: ptCount {count} for {len(cells)} cells")
        cached = _cache(ref)
        numeric = local(ref) == "numRef"
        for n, cell in enumerate(cells):
            value = cached.get(n)
            if cell is None or cell == "":
                if value is not None:
                    problems.append(f"{formula}[{n}]: cache {value!r}, empty cell")
            elif value is None:
                problems.append(f"{formula}[{n}]: no cache for cell {cell!r}")
            elif numeric and abs(float(value) - float(cell)) > 1e-9:
                problems.append(f"{formula}[{n}]: cache {value} != cell {cell}")
            elif not numeric and value != str(cell):
                problems.append(f"{formula}[{n}]: cache {value!r} != cell {cell!r}")
    if refs == 0:
        problems.append("no c:strRef/c:numRef at all")
    return problems
