"""Group overview: the analysis of a whole group, the heatmap chart, the tong-hop.docx template
and the batch hook (hash before drawing, isolation between groups)."""

from __future__ import annotations

import io
import statistics
import zipfile
from dataclasses import replace
from typing import Any

import matplotlib
import pytest
from docx.oxml.ns import qn
from lxml import etree
from PIL import Image

from reportgen import app
from reportgen.analysis import group as ov
from reportgen.analysis.model import GroupAnalysis
from reportgen.app import make_toolkit, open_project
from reportgen.charts import ChartSpec, Gap, Series, mpl, render_png, too_little_data
from reportgen.charts import group as charts_group
from reportgen.charts import spec as S
from reportgen.data.load import records_from
from reportgen.data.validate import Dataset, validate
from reportgen.docx.dump import dump
from reportgen.errors import LookupFailed
from reportgen.narrate import group as narrate_group

GROUP, OTHER = "Khối sở", "Tỉnh, thành phố"
PAR_SO_MAX = {"1": 12.0, "2": 10.0, "3": 22.0, "4": 10.0, "5": 14.0, "6": 12.0, "7": 20.0}
THRESHOLDS = (("Tốt", 90.0), ("Khá", 80.0), ("Trung bình", 65.0), ("Yếu", 0.0))

# Share of each field's maximum per unit. 2024: "Sở B" and "Sở C" tie; "Sở F" is new.
SHARES = {
    2023: {"Sở A": 0.91, "Sở B": 0.84, "Sở C": 0.88, "Sở D": 0.70, "Sở E": 0.60},
    2024: {"Sở A": 0.93, "Sở B": 0.86, "Sở C": 0.86, "Sở D": 0.78, "Sở E": 0.62, "Sở F": 0.81},
}
OTHER_SHARES = {2024: {"Tỉnh X": 0.90, "Tỉnh Y": 0.80, "Tỉnh Z": 0.70}}
TWEAK = {"1": 0.0, "2": 0.01, "3": -0.02, "4": 0.03, "5": 0.0, "6": -0.01, "7": 0.02}


# --- data helpers ----------------------------------------------------------------------------

def unit_scores(share: float) -> dict[str, float]:
    """Field scores of one unit (a little uneven across fields) and the TOTAL that adds up."""
    comps = {c: round(m * min(1.0, share + TWEAK[c]), 2) for c, m in PAR_SO_MAX.items()}
    return {**comps, "TOTAL": round(sum(comps.values()), 2)}


def long_rows(shares: dict[int, dict[str, float]], group: str, index: str = "PAR_SO",
              bump: tuple[str, float] | None = None) -> list[dict[str, str]]:
    """Long-layout rows; ``bump`` = (unit, points) adds points to a unit's 2024 field 1."""
    rows = []
    for year, units in shares.items():
        for unit, share in units.items():
            scores = unit_scores(share)
            if bump and bump[0] == unit and year == 2024:
                scores["1"] = round(scores["1"] + bump[1], 2)
                scores["TOTAL"] = round(scores["TOTAL"] + bump[1], 2)
            for comp, score in scores.items():
                rows.append({"year": str(year), "index": index, "unit": unit, "component": comp,
                             "score": str(score), "group": group})
    return rows


def make_dataset(frameworks: Any, bump: tuple[str, float] | None = None,
                 other_bump: tuple[str, float] | None = None) -> Dataset:
    rows = long_rows(SHARES, GROUP, bump=bump) + long_rows(OTHER_SHARES, OTHER, bump=other_bump)
    return validate(records_from(rows), frameworks)


@pytest.fixture(scope="module")
def kit() -> Any:
    return make_toolkit(open_project(), dpi=60)


@pytest.fixture(scope="module")
def data(frameworks: Any) -> Dataset:
    return make_dataset(frameworks)


@pytest.fixture(scope="module")
def overview(data: Dataset, kit: Any) -> GroupAnalysis:
    return ov.group_overview(data, 2024, GROUP, kit.rules)


def state_of(kit: Any, dataset: Dataset) -> dict[str, Any]:
    from reportgen.analysis.unit import prepare

    return {"kit": kit, "dataset": dataset, "prepared": prepare(dataset)}


def expected_totals(year: int) -> dict[str, float]:
    return {u: unit_scores(s)["TOTAL"] for u, s in SHARES[year].items()}


def competition_ranks(scores: dict[str, float]) -> dict[str, int]:
    return {u: 1 + sum(t > s + 1e-9 for t in scores.values()) for u, s in scores.items()}


def rating_of(percent: float) -> str:
    return next(label for label, low in THRESHOLDS if percent >= low - 1e-9)


# --- group_overview: numbers against the rows -------------------------------------------------

def test_places_compare_when_the_size_change_allows(data: Dataset, kit: Any) -> None:
    """With ``comparison.size_change`` 0.2, 5 → 6 units compare places (#15: as a unit's report)."""
    import dataclasses

    index = ov.group_overview(data, 2024, GROUP,
                              dataclasses.replace(kit.rules, size_change=0.2)).indices[0]
    ranks, ranks_before = competition_ranks(expected_totals(2024)), competition_ranks(
        expected_totals(2023))
    for r in index.rows:
        expected = ranks_before[r.unit] - ranks[r.unit] if r.unit in ranks_before else None
        assert r.delta_rank == expected


def test_ranking_with_ties_and_changes(overview: GroupAnalysis) -> None:
    index = overview.indices[0]
    assert [i.index for i in overview.indices] == ["PAR_SO"]
    totals, before = expected_totals(2024), expected_totals(2023)
    ranks = competition_ranks(totals)
    rows = {r.unit: r for r in index.rows}
    assert set(rows) == set(totals) and index.count == 6
    assert [r.rank for r in index.rows] == sorted(ranks.values())
    assert rows["Sở B"].rank == rows["Sở C"].rank == 2  # tie shares the better rank
    assert rows["Sở F"].rank == 4  # … and the next place is skipped
    for unit, r in rows.items():
        assert r.rank == ranks[unit]
        assert r.score == pytest.approx(totals[unit])
        assert r.percent == pytest.approx(totals[unit])  # PAR_SO max is 100
        if unit in before:
            assert r.delta_score == pytest.approx(totals[unit] - before[unit])
            assert r.delta_rank is None  # 5 → 6 units: over size_change (10%), no places compared
        else:
            assert r.delta_score is None and r.previous_year is None
    counts = index.counts
    deltas = [totals[u] - before[u] for u in before]
    assert counts.up == sum(d > 0.05 for d in deltas)
    assert counts.down == sum(d < -0.05 for d in deltas)
    assert counts.new == 1 and counts.compared == 5


def test_statistics_best_and_worst(overview: GroupAnalysis) -> None:
    index = overview.indices[0]
    totals = expected_totals(2024)
    stats = index.stats
    assert stats.mean == pytest.approx(statistics.fmean(totals.values()))
    assert stats.median == pytest.approx(statistics.median(totals.values()))
    assert stats.mean_previous == pytest.approx(statistics.fmean(expected_totals(2023).values()))
    assert stats.range == pytest.approx(max(totals.values()) - min(totals.values()))
    assert [r.unit for r in index.best] == ["Sở A"]
    assert [r.unit for r in index.worst] == ["Sở E"]
    # the top three keep the tie at place 2 (A, then B and C); the bottom three are E, D, F
    assert [r.unit for r in index.top] == ["Sở A", "Sở B", "Sở C"]
    assert [r.unit for r in index.bottom] == ["Sở E", "Sở D", "Sở F"]
    rises = sorted((totals[u] - b, u) for u, b in expected_totals(2023).items())
    assert index.rises[0].unit == rises[-1][1]


def test_counts_per_rating_group(overview: GroupAnalysis) -> None:
    index = overview.indices[0]
    totals, before = expected_totals(2024), expected_totals(2023)
    groups = {g.label: g for g in index.rating.groups}
    assert list(groups) == [label for label, _ in THRESHOLDS]
    for label, _ in THRESHOLDS:
        assert groups[label].count == sum(rating_of(t) == label for t in totals.values())
        assert groups[label].previous_count == sum(rating_of(t) == label
                                                      for t in before.values())
        assert sorted(groups[label].units) == sorted(u for u, t in totals.items()
                                                        if rating_of(t) == label)
    assert sum(g.count for g in groups.values()) == 6


def test_matrix_and_component_means(overview: GroupAnalysis) -> None:
    index = overview.indices[0]
    matrix = index.matrix
    assert matrix.codes == tuple(PAR_SO_MAX)
    assert matrix.units == tuple(r.unit for r in index.rows)
    for unit, percents, scores in zip(matrix.units, matrix.percent, matrix.score,
                                      strict=True):
        expected = unit_scores(SHARES[2024][unit])
        for code, p, s in zip(matrix.codes, percents, scores, strict=True):
            assert s == pytest.approx(expected[code])
            assert p == pytest.approx(expected[code] / PAR_SO_MAX[code] * 100)
    for comp in index.components:
        values = {u: unit_scores(s)[comp.code] for u, s in SHARES[2024].items()}
        assert comp.mean == pytest.approx(statistics.fmean(values.values()))
        assert comp.max == PAR_SO_MAX[comp.code]
        best = max(values.values())
        assert list(comp.best_units) == sorted(u for u, v in values.items() if v == best)
        assert comp.best_score == pytest.approx(best)
        assert comp.mean_percent == pytest.approx(
            statistics.fmean(v / PAR_SO_MAX[comp.code] * 100 for v in values.values()))


def test_unknown_group_is_a_lookup_error(data: Dataset, kit: Any) -> None:
    with pytest.raises(LookupFailed, match="Khối sở"):
        ov.group_overview(data, 2024, "Khối huyện", kit.rules)


# --- the rendered overview ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def rendered(kit: Any, data: Dataset) -> tuple[str, bytes]:
    digest, produce = app.render_overview(state_of(kit, data), 2024, GROUP)
    return digest, produce()


def test_document_holds_ranking_heatmap_and_appendix(rendered: tuple[str, bytes]) -> None:
    text = dump(rendered[1])
    assert "[Trích yếu] Tổng hợp kết quả Chỉ số CCHC khối sở năm 2024 của các sở, ban, ngành" in text
    assert "I. KẾT QUẢ CHUNG" in text and "III. ĐƠN VỊ DẪN ĐẦU, ĐƠN VỊ CẦN CẢI THIỆN" in text
    totals = expected_totals(2024)
    for unit, rank in competition_ranks(totals).items():
        score = f"{totals[unit]:.2f}".replace(".", ",")
        assert f"| {rank:02d} | {unit} | {score} |" in text
    assert "[IMAGE 16.5×" in text and "Biểu đồ 1. Tỷ lệ điểm đạt các lĩnh vực" in text
    assert "Bảng 2. Số đơn vị theo nhóm xếp loại" in text
    assert "[Phụ lục] Phụ lục" in text and "landscape" in text.split("[Phụ lục]")[0]
    assert "{{" not in text and "{%" not in text
    assert "Tổng hợp kết quả" in text.split("== SECTION 2")[0]


def test_appendix_columns_keep_their_widths(rendered: tuple[str, bytes]) -> None:
    with zipfile.ZipFile(io.BytesIO(rendered[1])) as z:
        root = etree.fromstring(z.read("word/document.xml"))
    matrix = [t for t in root.iter(qn("w:tbl")) if len(t.find(qn("w:tblGrid"))) == 2 + 7 + 1][0]
    widths = [int(c.get(qn("w:w"))) for c in matrix.find(qn("w:tblGrid"))]
    assert widths[1] > 2 * widths[2]  # the unit names are not squeezed into an even grid
    assert len(set(widths[2:-1])) == 1
    assert sum(widths) == pytest.approx(25.7 / 2.54 * 1440, abs=20)


def test_unit_specific_settings_do_not_reach_the_overview() -> None:
    config = {"defaults": {"recipients": ["UBND tỉnh"], "subject": "của {{ unit }}",
                           "overview": {"closing": "Kết thúc tổng hợp"}},
              "groups": {GROUP: {"recipients": ["{{ unit }}"], "intro": "x {{ unit }}",
                                 "place": "Hòa Lâm", "overview": {"subject": "Riêng nhóm"}}}}
    settings = narrate_group.overview_settings(config, GROUP)
    assert settings["recipients"] == ["UBND tỉnh"]
    assert settings["subject"] == "Riêng nhóm" and settings["closing"] == "Kết thúc tổng hợp"
    assert "intro" not in settings and settings["place"] == "Hòa Lâm"


# --- render_overview: the hash ---------------------------------------------------------------

def test_hash_unchanged_when_nothing_changes(kit: Any, frameworks: Any,
                                             rendered: tuple[str, bytes]) -> None:
    again, _ = app.render_overview(state_of(kit, make_dataset(frameworks)), 2024, GROUP)
    assert again == rendered[0]


def test_hash_changes_with_one_score_of_the_group(kit: Any, frameworks: Any,
                                                  rendered: tuple[str, bytes]) -> None:
    changed = make_dataset(frameworks, bump=("Sở E", 0.5))
    digest, _ = app.render_overview(state_of(kit, changed), 2024, GROUP)
    assert digest != rendered[0]


def test_hash_ignores_other_groups(kit: Any, frameworks: Any,
                                   rendered: tuple[str, bytes]) -> None:
    changed = make_dataset(frameworks, other_bump=("Tỉnh Z", 1.0))
    digest, _ = app.render_overview(state_of(kit, changed), 2024, GROUP)
    assert digest == rendered[0]
    other, _ = app.render_overview(state_of(kit, changed), 2024, OTHER)
    assert other != digest


def test_hash_is_computed_before_drawing(kit: Any, data: Dataset,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object) -> None:
        raise AssertionError("charts drawn before they were needed")

    monkeypatch.setattr(mpl, "render_png", refuse)
    monkeypatch.setattr(charts_group, "overview_charts", refuse)
    digest, produce = app.render_overview(state_of(kit, data), 2024, GROUP)
    assert len(digest) == 64 and callable(produce)


# --- the heatmap chart kind ------------------------------------------------------------------

PAR = ("Chỉ đạo, điều hành CCHC", "Cải cách thể chế", "Cải cách TTHC", "Tổ chức bộ máy",
       "Chế độ công vụ", "Tài chính công", "CQĐT, CQS", "Tác động của CCHC")
DEPARTMENTS = ("Sở Nông nghiệp và Phát triển nông thôn", "Sở Văn hóa, Thể thao & Du lịch",
               *(f"Sở số {n:02d}" for n in range(15)))
PROVINCES = tuple(f"Tỉnh số {n:02d}" for n in range(45))


WORDS = {"percent": "Tỷ lệ điểm đạt (%)", "missing": "Không có số liệu",
         "alt_heatmap": "Bản đồ nhiệt"}  # from phrases/nhan.j2 in a report (narrate/labels)


def heatmap(rows: tuple[str, ...], columns: tuple[str, ...], height_cm: float,
            gaps: bool = False, **kw: Any) -> ChartSpec:
    series = tuple(
        Series(name, tuple(None if gaps and (r + c) % 11 == 0 else 60 + (r * 7 + c * 13) % 40
                           + 0.25 for r in range(len(rows))))
        for c, name in enumerate(columns))
    args = {"value_label": "Tỷ lệ điểm đạt (%)", "value_max": 100.0, "decimals": 1,
            "height_cm": height_cm, **kw}
    return ChartSpec("heatmap", rows, series, **args)


def cell_texts(spec: ChartSpec) -> list[str]:
    with matplotlib.rc_context(mpl.style()):
        fig = mpl.build_figure(spec, 60)
    ax = fig.axes[0]
    labels = {t.get_text() for t in ax.get_xticklabels() + ax.get_yticklabels()}
    return [t.get_text() for t in ax.texts if t.get_text() not in labels]


@pytest.mark.parametrize(("rows", "columns", "height"), [
    (DEPARTMENTS, PAR[:7], 10.7), (PROVINCES, PAR, 23.0)])
def test_heatmap_renders_at_its_size_with_every_value(rows: tuple, columns: tuple,
                                                       height: float) -> None:
    spec = heatmap(rows, columns, height)
    assert too_little_data(spec) is None
    with Image.open(io.BytesIO(render_png(spec, 100))) as image:
        assert abs(image.size[0] - spec.width_cm / 2.54 * 100) <= 1
        assert abs(image.size[1] - height / 2.54 * 100) <= 1
    texts = cell_texts(spec)
    assert len(texts) == len(rows) * len(columns)
    assert all("," in t for t in texts) and "." not in "".join(texts)  # decimal comma


def test_heatmap_sizes_scale_with_rows_in_the_overview(overview: GroupAnalysis) -> None:
    small = charts_group.heatmap_spec(overview.indices[0], labels=WORDS)
    assert small.kind == "heatmap" and small.categories[0] == "Sở A"
    assert len(small.series) == 7 and small.series[0].values[0] == pytest.approx(
        unit_scores(0.93)["1"] / 12 * 100)
    index = overview.indices[0]
    big = replace(index, matrix=replace(index.matrix, units=PROVINCES,
                                        percent=((80.0,) * 7,) * 45))
    assert charts_group.heatmap_spec(big, labels=WORDS).height_cm > small.height_cm
    assert charts_group.heatmap_spec(big, labels=WORDS).height_cm <= 23.0


def test_heatmap_gaps_are_grey_and_marked() -> None:
    spec = heatmap(DEPARTMENTS, PAR[:7], 10.7, gaps=True)
    texts = cell_texts(spec)
    assert "–" in texts
    assert render_png(spec, 60).startswith(b"\x89PNG")


def test_heatmap_leaves_out_values_that_cannot_fit() -> None:
    spec = heatmap(PROVINCES + tuple(f"X{n}" for n in range(25)), PAR, 6.0)
    assert cell_texts(spec) == []
    assert render_png(spec, 40).startswith(b"\x89PNG")


@pytest.mark.parametrize(("rows", "columns", "gap"), [
    (("Sở A",), PAR, Gap("rows", 1, 2)),
    (DEPARTMENTS, PAR[:1], Gap("components", 1, 2)),
])
def test_heatmap_needs_two_rows_and_two_columns(rows: tuple, columns: tuple, gap: Gap) -> None:
    assert too_little_data(heatmap(rows, columns, 8.0)) == gap


def test_heatmap_of_nothing_still_renders() -> None:
    empty = ChartSpec("heatmap", (), (Series("A", ()),))
    assert too_little_data(empty) == Gap("rows", 0, 2)
    assert render_png(empty, 40).startswith(b"\x89PNG")
    blank = ChartSpec("heatmap", ("A", "B"), (Series("x", (None, None)), Series("y", (None, None))))
    assert too_little_data(blank) is not None
    assert render_png(blank, 40).startswith(b"\x89PNG")


def test_heatmap_classes_cover_the_data_and_stop_at_the_maximum() -> None:
    bounds = mpl._class_bounds([76.3, 88.0, 95.5, 100.0], 100.0)
    assert bounds[0] <= 76.3 and bounds[-1] == 100.0
    assert 3 <= len(bounds) - 1 <= mpl.HEATMAP_CLASSES
    assert mpl._class_bounds([50.0, 50.0], 100.0) == [49.5, 50.5]
    colours = mpl._class_colours(len(bounds) - 1)
    assert len(set(colours)) == len(colours)
    assert colours[0].upper() == S.HEATMAP_SCALE[0] and colours[-1].upper() == S.HEATMAP_SCALE[-1]
    # dark classes get white text, light ones dark text
    assert mpl._luminance(colours[0]) < mpl.DARK_CELL < mpl._luminance(colours[-1])


def test_a_large_group_heatmap_is_split_in_equal_parts_with_one_legend(
        overview: GroupAnalysis) -> None:
    index = overview.indices[0]
    units = tuple(f"xã {n:03d}" for n in range(1, 101))
    percent = tuple((50.0 + n * 0.4,) * 7 for n in range(100))  # 50.0 … 89.6
    big = replace(index, matrix=replace(index.matrix, units=units, percent=percent))
    parts = charts_group.heatmap_specs(big, labels=WORDS)
    assert [len(p.categories) for p in parts] == [34, 33, 33]  # sizes differ by one at most
    assert tuple(c for p in parts for c in p.categories) == units  # ranking order kept, none lost
    assert {p.class_range for p in parts} == {(50.0, 50.0 + 99 * 0.4)}
    assert all(p.height_cm <= 23.0 for p in parts)
    # a small group: one chart
    one = charts_group.heatmap_spec(index, labels=WORDS)
    assert charts_group.heatmap_specs(index, labels=WORDS) == [one]


def legend_texts(spec: ChartSpec) -> list[str]:
    with matplotlib.rc_context(mpl.style()):
        fig = mpl.build_figure(spec, 60)
    return [t.get_text() for legend in fig.legends for t in legend.get_texts()]


def test_heatmap_parts_share_their_colour_classes() -> None:
    top = heatmap(("xã 1", "xã 2"), PAR[:3], 7.0, class_range=(50.0, 99.0))
    bottom = heatmap(("xã 3", "xã 4"), PAR[:3], 7.0, class_range=(50.0, 99.0))
    alone = heatmap(("xã 3", "xã 4"), PAR[:3], 7.0)
    assert legend_texts(top) == legend_texts(bottom)
    assert legend_texts(top)[0].startswith("50")  # the group's lowest class, not this part's
    assert legend_texts(alone) != legend_texts(top)
