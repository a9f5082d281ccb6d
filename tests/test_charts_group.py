"""charts/group: the units × components heatmap of a group overview; a large group (more
than HEATMAP_ROWS units) drawn in parts of equal size sharing one colour range."""

from __future__ import annotations

import dataclasses

import pytest

from reportgen.analysis.model import GroupAnalysis, IndexOverview, Matrix
from reportgen.charts.group import HEATMAP_ROWS, heatmap_spec, heatmap_specs, overview_charts
from reportgen.charts.spec import MIN_HEATMAP_ROWS

FIELDS = ["1", "2", "3"]
# the words of a heatmap (built from phrases/nhan.j2 by narrate/labels; see test_narrate_labels)
WORDS = {"percent": "Tỷ lệ (%)", "missing": "Không có", "alt_heatmap": "Bản đồ nhiệt"}


def index(n_units: int, percent: list[list[float | None]] | None = None, code: str = "PAR_SO",
          names: list[str] | None = None) -> IndexOverview:
    """An overview index of ``n_units`` units (ranking order) × the fields, as the analysis hands
    it (the fields a heatmap does not read are left empty)."""
    names = FIELDS if names is None else names
    units = tuple(f"xã {n:04d}" for n in range(1, n_units + 1))
    if percent is None:
        percent = [[90.0 - 0.01 * n] * len(names) for n in range(n_units)]
    unread = {f.name: None for f in dataclasses.fields(IndexOverview)}
    matrix = Matrix(units=units, codes=tuple(names), names=tuple(names), score=(),
                    percent=tuple(tuple(row) for row in percent))
    return IndexOverview(**{**unread, "index": code, "short_name": "Chỉ số CCHC khối xã",
                            "component_word": "lĩnh vực", "year": 2024,
                            "components": tuple(names), "matrix": matrix})


def test_a_small_group_is_one_chart_of_its_own_range():
    i = index(3, [[80.0, 95.5, None], [70.25, 88.0, 91.0], [60.0, 99.0, 75.0]])
    (spec,) = heatmap_specs(i, labels=WORDS)
    assert spec.kind == "heatmap" and spec.categories == ("xã 0001", "xã 0002", "xã 0003")
    assert [s.name for s in spec.series] == FIELDS
    assert spec.series[0].values == (80.0, 70.25, 60.0)  # a column per field, a value per unit
    assert spec.series[2].values == (None, 91.0, 75.0)
    assert spec.class_range is None  # coloured by its own data
    assert spec.value_max == 100.0
    assert (spec.alt_text, spec.value_label, spec.missing_label) == (
        "Bản đồ nhiệt", "Tỷ lệ (%)", "Không có")


@pytest.mark.parametrize("n_units", [2, HEATMAP_ROWS])
def test_up_to_the_row_limit_one_chart(n_units: int):
    assert len(heatmap_specs(index(n_units), labels=WORDS)) == 1


@pytest.mark.parametrize(("n_units", "sizes"), [
    (HEATMAP_ROWS + 1, [23, 23]),
    (90, [45, 45]),
    (136, [34, 34, 34, 34]),
])
def test_a_large_group_is_split_in_equal_parts_in_ranking_order(n_units: int, sizes: list[int]):
    i = index(n_units)
    parts = heatmap_specs(i, labels=WORDS)
    assert [len(p.categories) for p in parts] == sizes
    assert tuple(u for p in parts for u in p.categories) == i.matrix.units  # none lost, order kept
    assert len({p.height_cm for p in parts}) == 1  # a page each, of one size
    assert {p.alt_text for p in parts} == {"Bản đồ nhiệt"}  # every part has the words


def test_every_part_has_at_most_the_row_limit_and_enough_rows_to_draw():
    for n_units in range(HEATMAP_ROWS + 1, 400):
        parts = heatmap_specs(index(n_units, [[50.0]] * n_units, names=["1"]), labels=WORDS)
        sizes = [len(p.categories) for p in parts]
        assert sum(sizes) == n_units and max(sizes) <= HEATMAP_ROWS
        assert min(sizes) >= MIN_HEATMAP_ROWS


@pytest.mark.parametrize("n_units", [91, 1981])
def test_parts_differ_by_at_most_one_unit(n_units: int):
    parts = heatmap_specs(index(n_units, [[50.0]] * n_units, names=["1"]), labels=WORDS)
    sizes = [len(p.categories) for p in parts]
    assert max(sizes) - min(sizes) <= 1


def test_the_parts_share_one_colour_range_of_all_the_values():
    percent = [[50.0 + 0.5 * n, 60.0, None] for n in range(100)]  # 50.0 … 99.5, gaps ignored
    percent[42][1] = 12.5
    parts = heatmap_specs(index(100, percent), labels=WORDS)
    assert len(parts) == 3
    assert {p.class_range for p in parts} == {(12.5, 99.5)}


def test_a_large_group_without_any_value_has_no_range():
    parts = heatmap_specs(index(60, [[None] * 3] * 60), labels=WORDS)
    assert [p.class_range for p in parts] == [None, None]


def test_the_height_grows_with_the_units_within_a_page():
    heights = [heatmap_spec(index(n), labels=WORDS).height_cm for n in (2, 10, 30, 45)]
    assert heights == sorted(heights) and heights[0] == 7.0 and heights[-1] <= 23.0


def test_overview_charts_cover_the_indices_with_components():
    indices = (index(5), index(70, code="PAR_XA"),
               dataclasses.replace(index(5, code="SIPAS"), components=()))
    overview = GroupAnalysis(year=2024, group="Khối xã", action_year=2025, units=(), unit_count=0,
                             indices=indices)
    charts = overview_charts(overview, {code: WORDS for code in ("PAR_SO", "PAR_XA", "SIPAS")})
    assert list(charts) == ["PAR_SO", "PAR_XA"]
    assert [len(charts["PAR_SO"]), len(charts["PAR_XA"])] == [1, 2]
