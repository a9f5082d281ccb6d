"""charts/native: chart specifications → DrawingML chart XML + embedded workbook.

Each kind the reports use is built from a hand-written specification; the part must keep
the structural rules of ``dml-chart.xsd`` the probe found python-pptx breaking (see
``chartcheck``), carry every number both in its caches and in its workbook, and show
Vietnamese numbers (decimal comma through the vi-VN format prefix)."""

from __future__ import annotations

import io

import pytest
from lxml import etree
from openpyxl import load_workbook

from chartcheck import NS, cache_problems, structure_problems
from reportgen.charts.images import PLACEHOLDER_PNG, draw_charts
from reportgen.charts.native import (
    NATIVE_KINDS,
    build,
    change_series,
    is_native,
    number_format,
    peer_rows,
)
from reportgen.charts.spec import GAP, ChartSpec, Series

YEARS = ("2022", "2023", "2024")
COMPONENTS = ("Chỉ đạo, điều hành", "Cải cách thể chế", "Cải cách TTHC", "Tổ chức bộ máy",
              "Chế độ công vụ", "Tài chính công")


def score_rank() -> ChartSpec:
    return ChartSpec("score_rank", YEARS, (Series("Điểm (%)", (80.47, 81.64, 83.02)),),
                     secondary=Series("Thứ hạng", (37, 40, 40)), rank_of=(43, 43, 45),
                     value_max=100.0, alt_text="Điểm số và thứ hạng PAR INDEX qua các năm")


def peer_bars() -> ChartSpec:
    return ChartSpec("peer_bars", ("Phú Hòa", "Hòa Lâm", "An Xuyên", "Lạc Thủy"),
                     (Series("PAR INDEX", (95.22, 83.02, 94.97, None)),), highlight="Hòa Lâm",
                     reference=90.0, reference_label="Trung bình", value_label="Điểm",
                     alt_text="Vị trí của Hòa Lâm")


def component_bars() -> ChartSpec:
    return ChartSpec("component_bars", COMPONENTS,
                     (Series("Hòa Lâm", (90.22, 88.73, 82.74, 87.37, 82.92, 84.8)),
                      Series("Trung bình", (96.0, 88.94, 88.69, 94.4, 87.07, 87.13), role="compare")),
                     value_label="Tỷ lệ (%)", value_max=100.0, alt_text="Các lĩnh vực so với trung bình")


def change_bars() -> ChartSpec:
    return ChartSpec("change_bars", COMPONENTS,
                     (Series("Tăng/giảm", (0.11, 0.87, -0.68, 0.0, -0.22, None)),),
                     rise_label="Tăng", fall_label="Giảm", value_label="Điểm",
                     alt_text="Tăng, giảm điểm từng lĩnh vực")


def radar() -> ChartSpec:
    return ChartSpec("radar", COMPONENTS,
                     (Series("2023", (5.1, 6.2, 4.8, 7.0, 5.5, 6.1), role="compare"),
                      Series("2024", (5.4, 6.0, 5.2, 7.3, 5.9, 6.4))),
                     value_max=10.0, alt_text="PAPI theo nội dung")


SPECS = {"score_rank": score_rank, "peer_bars": peer_bars, "component_bars": component_bars,
         "change_bars": change_bars, "radar": radar}


def space_of(spec: ChartSpec) -> etree._Element:
    return etree.fromstring(build(spec).xml)


def test_every_kind_of_the_reports_but_the_heatmap_has_a_native_form():
    assert set(SPECS) == NATIVE_KINDS
    heatmap = ChartSpec("heatmap", ("A", "B"), (Series("x", (1.0, 2.0)), Series("y", (3.0, 4.0))))
    assert not is_native(heatmap)


@pytest.mark.parametrize("kind", sorted(SPECS))
def test_the_chart_part_keeps_the_schema_rules(kind):
    space = space_of(SPECS[kind]())
    assert structure_problems(space) == []
    assert space.find("c:chart/c:autoTitleDeleted", NS).get("val") == "1"  # the caption is Word's
    assert space.find("c:externalData", NS) is None  # added where the workbook is related


def test_radar_series_have_no_smooth_element():
    space = space_of(radar())
    assert space.findall(".//c:radarChart/c:ser", NS)
    assert space.findall(".//c:radarChart/c:ser/c:smooth", NS) == []


@pytest.mark.parametrize("kind", sorted(SPECS))
def test_the_workbook_holds_the_numbers_the_chart_shows(kind):
    chart = build(SPECS[kind]())
    assert cache_problems(etree.fromstring(chart.xml), chart.xlsx) == []


def test_workbook_layout_categories_in_column_a_series_in_the_next_columns():
    spec = component_bars()
    sheet = load_workbook(io.BytesIO(build(spec).xlsx))["Sheet1"]
    assert [c.value for c in sheet["A"][1:]] == list(COMPONENTS)
    assert [sheet["B1"].value, sheet["C1"].value] == ["Hòa Lâm", "Trung bình"]
    assert [c.value for c in sheet["B"][1:]] == list(spec.series[0].values)


def test_numbers_use_the_vietnamese_locale_prefix():
    assert number_format(2) == "[$-42A]0.00"
    assert number_format(0) == "[$-42A]0"
    assert number_format(1, signed=True) == "[$-42A]+0.0;[$-42A]-0.0;[$-42A]0.0"
    space = space_of(component_bars())
    codes = {f.get("formatCode") for f in space.iterfind(".//c:dLbls/c:numFmt", NS)}
    assert codes == {"[$-42A]0.00"}
    assert {f.text for f in space.iterfind(".//c:numCache/c:formatCode", NS)} == {"[$-42A]0.00"}


def test_score_rank_puts_the_rank_on_a_reversed_secondary_axis_labelled_x_of_n():
    space = space_of(score_rank())
    bars, line = space.find(".//c:barChart", NS), space.find(".//c:lineChart", NS)
    assert [s.findtext(".//c:tx//c:v", namespaces=NS) for s in bars.iterfind("c:ser", NS)] == ["Điểm (%)"]
    assert [s.findtext(".//c:tx//c:v", namespaces=NS) for s in line.iterfind("c:ser", NS)] == ["Thứ hạng"]
    line_axes = [a.get("val") for a in line.iterfind("c:axId", NS)]
    assert line_axes != [a.get("val") for a in bars.iterfind("c:axId", NS)]
    rank_axis = next(a for a in space.iterfind(".//c:valAx", NS)
                     if a.find("c:axId", NS).get("val") in line_axes)
    assert rank_axis.find("c:scaling/c:orientation", NS).get("val") == "maxMin"  # place 1 on top
    assert rank_axis.find("c:axPos", NS).get("val") == "r"
    # the number of ranked units comes from rank_of, per year: 43, 43, 45
    labels = {int(d.find("c:idx", NS).get("val")): d.find("c:numFmt", NS).get("formatCode")
              for d in line.iterfind(".//c:dLbl", NS)}
    assert labels == {0: '0"/43"', 1: '0"/43"', 2: '0"/45"'}


def test_score_rank_without_ranks_is_bars_only():
    spec = ChartSpec("score_rank", YEARS, (Series("Điểm", (80.0, 81.0, 82.0)),),
                     secondary=Series("Thứ hạng", (None, None, None)))
    space = space_of(spec)
    assert space.find(".//c:lineChart", NS) is None
    assert structure_problems(space) == []


def test_peer_rows_best_first_with_the_mean_where_it_ranks():
    assert peer_rows(peer_bars()) == [("Phú Hòa", 95.22), ("An Xuyên", 94.97), ("Trung bình", 90.0),
                                     ("Hòa Lâm", 83.02)]


def test_peer_bars_colour_the_unit_and_the_mean():
    space = space_of(peer_bars())
    points = {int(p.find("c:idx", NS).get("val")): p.find(".//a:srgbClr", {**NS, "a": A}).get("val")
              for p in space.iterfind(".//c:dPt", NS)}
    assert points == {2: "D55E00", 3: "0072B2"}  # rows: Phú Hòa, An Xuyên, mean, Hòa Lâm


A = "http://schemas.openxmlformats.org/drawingml/2006/main"


def test_an_excerpt_keeps_its_order_and_gaps():
    spec = ChartSpec("peer_bars", ("01. A", "02. B", GAP, "40. Hòa Lâm", GAP, "63. Z"),
                     (Series("Điểm", (99.0, 98.0, None, 80.0, None, 50.0)),), highlight="40. Hòa Lâm",
                     excerpt_of=63)
    assert [name for name, _ in peer_rows(spec)] == ["01. A", "02. B", GAP, "40. Hòa Lâm", GAP, "63. Z"]
    assert structure_problems(space_of(spec)) == []


def test_change_bars_split_rises_and_falls_into_two_series():
    rise, fall = change_series(change_bars())
    assert (rise.name, fall.name) == ("Tăng", "Giảm")
    assert rise.values == (0.11, 0.87, None, 0.0, None, None)
    assert fall.values == (None, None, -0.68, None, -0.22, None)
    space = space_of(change_bars())
    fills = [s.find("c:spPr/*", {**NS}) for s in space.iterfind(".//c:ser", NS)]
    # rises solid, falls hatched: they differ in grey print too
    assert [etree.QName(f).localname for f in fills] == ["solidFill", "pattFill"]
    assert space.find(".//c:barChart/c:overlap", NS).get("val") == "100"


def test_native_backend_places_charts_and_keeps_the_heatmap_a_picture():
    heatmap = ChartSpec("heatmap", ("A", "B"), (Series("x", (1.0, 2.0)), Series("y", (3.0, 4.0))),
                        alt_text="lưới")
    charts = draw_charts({"results": [score_rank()], "overview": [heatmap]}, 0, "native")
    (native,) = charts["results"]
    assert native["native"].kind == "score_rank" and "png" not in native
    assert (native["width_cm"], native["height_cm"], native["alt_text"]) == (
        15.5, 8.0, "Điểm số và thứ hạng PAR INDEX qua các năm")
    assert charts["overview"][0]["png"] == PLACEHOLDER_PNG


def test_png_backend_is_unchanged_and_unknown_backends_are_refused():
    (chart,) = draw_charts({"results": [score_rank()]}, 0, "png")["results"]
    assert chart["png"] == PLACEHOLDER_PNG and "native" not in chart
    with pytest.raises(ValueError, match="backend"):
        draw_charts({"results": [score_rank()]}, 0, "svg")  # type: ignore[arg-type]


def test_names_with_markup_characters_stay_text():
    spec = ChartSpec("component_bars", ("Bình Phước & <Đắk Nông>", "B"),
                     (Series("Hòa Lâm", (1.0, 2.0)),), alt_text="a & b")
    space = space_of(spec)
    assert space.findtext(".//c:cat//c:pt/c:v", namespaces=NS) == "Bình Phước & <Đắk Nông>"


def test_the_checks_catch_what_python_pptx_writes_before_the_fixes():
    from pptx.chart.data import CategoryChartData
    from pptx.enum.chart import XL_CHART_TYPE

    data = CategoryChartData()
    data.categories = COMPONENTS
    data.add_series("2024", (5.4, 6.0, 5.2, 7.3, 5.9, 6.4))
    problems = structure_problems(etree.fromstring(data.xml_bytes(XL_CHART_TYPE.RADAR_MARKERS)))
    assert "no chart-area c:spPr" in problems  # LibreOffice draws a grey frame without it
    assert any("is not xs:unsignedInt" in p for p in problems)  # negative axis ids
    assert any("radarChart series children out of order" in p for p in problems)  # c:smooth
