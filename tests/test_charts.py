"""Chart specification and the matplotlib PNG backend."""

from __future__ import annotations

import dataclasses
import io
import subprocess
import sys
import warnings

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from reportgen.charts import ChartSpec, Gap, Series, draw, render_png, too_little_data
from reportgen.charts import spec as S
from reportgen.charts.mpl import VnFormatter, _rank_ticks, fmt

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
YEARS = ("2020", "2021", "2022", "2023", "2024")
PEERS = tuple(f"Tỉnh số {i:02d}" for i in range(1, 64))
PAR = ("Công tác chỉ đạo, điều hành cải cách hành chính", "Cải cách thể chế",
       "Cải cách thủ tục hành chính", "Cải cách tổ chức bộ máy hành chính",
       "Cải cách chế độ công vụ", "Cải cách tài chính công",
       "Xây dựng và phát triển chính quyền điện tử, chính quyền số",
       "Tác động của cải cách hành chính đến người dân, tổ chức và phát triển kinh tế - xã hội")
PAPI = ("Tham gia của người dân ở cấp cơ sở", "Công khai, minh bạch",
        "Trách nhiệm giải trình với người dân", "Kiểm soát tham nhũng trong khu vực công",
        "Thủ tục hành chính công", "Cung ứng dịch vụ công", "Quản trị môi trường",
        "Quản trị điện tử")
GLYPH_TEST = "Công khai, minh bạch; Trách nhiệm giải trình; Quản trị điện tử; ĐTXHH"


def score_rank(years: tuple[str, ...] = YEARS, **kw: object) -> ChartSpec:
    scores = (83.41, 84.62, 84.95, 87.29, 86.47)[: len(years)]
    ranks = (40, 34, 36, 35, 41)[: len(years)]
    args = {"secondary": Series("Thứ hạng", ranks), "rank_of": (63,) * len(years),
            "value_label": "Điểm số (%)", "secondary_label": "Thứ hạng", "value_max": 100.0,
            **kw}
    return ChartSpec("score_rank", years, (Series("Điểm số (%)", scores),), **args)


def peer_bars(names: tuple[str, ...] = PEERS, **kw: object) -> ChartSpec:
    scores = tuple(80 + (i * 37 % 130) / 10 for i in range(len(names)))
    args = {"highlight": names[len(names) // 2], "reference": 86.4,
            "reference_label": "Trung bình cả nước", "value_label": "Điểm số (%)",
            "value_max": 100.0, "height_cm": 20.0, **kw}
    return ChartSpec("peer_bars", names, (Series("PAR INDEX", scores),), **args)


def component_bars(**kw: object) -> ChartSpec:
    unit = (98.0, 86.5, 91.2, 95.26, 84.1, 79.5, 72.3, 81.9)
    mean = (94.1, 88.0, 90.3, 92.0, 86.2, 83.4, 78.8, 84.5)
    series = (Series("Bình Phước", unit), Series("Trung bình cả nước", mean, role="compare"))
    args = {"highlight": "Bình Phước", "value_label": "Tỷ lệ điểm đạt (%)", "value_max": 100.0,
            **kw}
    return ChartSpec("component_bars", PAR, series, **args)


def change_bars(values: tuple[float | None, ...] = (0.25, -0.35, 0.0, 0.12, 0.12, -0.82,
                                                       0.5, None), **kw: object) -> ChartSpec:
    return ChartSpec("change_bars", PAR, (Series("Tăng/giảm", values),),
                     value_label="Tăng/giảm (điểm)", **kw)


def radar(axes: tuple[str, ...] = PAPI, **kw: object) -> ChartSpec:
    n = len(axes)
    series = (Series("Năm 2023", (4.9, 5.6, 4.7, 6.3, 7.3, 7.0, 3.6, 3.2)[:n], role="compare"),
              Series("Năm 2024", (5.0, 5.5, 4.3, 6.4, 7.4, 7.0, 3.4, 3.3)[:n]))
    args = {"value_max": 10.0, "width_cm": 13.0, "height_cm": 11.0, **kw}
    return ChartSpec("radar", axes, series, **args)


SPECS = {
    "score_rank": score_rank(),
    "peer_bars": peer_bars(),
    "peer_bars_34_short": peer_bars(PEERS[:34], height_cm=8.0),
    "component_bars": component_bars(),
    "change_bars": change_bars(),
    "radar": radar(),
}


def pixel_size(png: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(png)) as image:
        return image.size


# ---------------------------------------------------------------- rendering


@pytest.mark.parametrize("name", SPECS)
@pytest.mark.parametrize("dpi", [150, 200])
def test_every_kind_renders_png_at_its_size(name: str, dpi: int) -> None:
    spec = SPECS[name]
    png = render_png(spec, dpi)
    assert png.startswith(PNG_SIGNATURE)
    width, height = pixel_size(png)
    assert abs(width - spec.width_cm / 2.54 * dpi) <= 2
    assert abs(height - spec.height_cm / 2.54 * dpi) <= 2


def test_draw_keeps_size_and_alt_text() -> None:
    image = draw(score_rank(alt_text="Điểm số và thứ hạng qua các năm"), dpi=72)
    assert image.png.startswith(PNG_SIGNATURE)
    assert (image.width_cm, image.height_cm) == (15.5, 8.0)
    assert image.alt_text == "Điểm số và thứ hạng qua các năm"


def _texts(spec: ChartSpec) -> set[str]:
    """Every text drawn in the chart (axis labels, legends, annotations)."""
    import matplotlib

    from reportgen.charts import mpl

    with matplotlib.rc_context(mpl.style()):
        fig = mpl.build_figure(spec, 60)
    texts = {t.get_text() for legend in fig.legends for t in legend.get_texts()}
    for ax in fig.axes:
        texts |= {ax.get_xlabel(), ax.get_ylabel(), *(t.get_text() for t in ax.texts)}
    return texts


def test_the_backend_draws_only_the_words_of_the_spec() -> None:
    """Legends and axis labels come from the spec (phrases/nhan.j2), never from the backend."""
    assert {"Lên", "Xuống"} <= _texts(change_bars(rise_label="Lên", fall_label="Xuống"))
    names = tuple(f"Xã số {n:03d}" for n in range(1, 161))  # columns too narrow for names
    columns = peer_bars(names, height_cm=8.0, category_label="xã theo điểm")
    assert "160 xã theo điểm" in _texts(columns)
    gaps = ChartSpec("heatmap", ("A", "B"), (Series("x", (1.0, None)), Series("y", (2.0, 3.0))),
                     value_max=100.0, missing_label="Chưa có")
    assert "Chưa có" in _texts(gaps)


@pytest.mark.parametrize("spec", [peer_bars(), peer_bars(PEERS[:20], height_cm=8.0),
                                  component_bars(highlight=PAR[2]), change_bars(highlight=PAR[0]),
                                  radar(highlight=PAPI[1])], ids=lambda s: s.kind)
def test_highlight_changes_the_picture(spec: ChartSpec) -> None:
    plain = dataclasses.replace(spec, highlight=None)
    assert render_png(spec, 72) != render_png(plain, 72)


def test_peer_bars_switch_to_columns_when_rows_are_too_thin() -> None:
    # 63 peers on an 8 cm chart cannot be legible rows; it must still render at its size.
    spec = peer_bars(height_cm=8.0)
    assert pixel_size(render_png(spec, 100)) == (610, 315)


@pytest.mark.parametrize("spec", [
    score_rank(secondary=Series("Thứ hạng", (40, None, 36, 35, 41))),
    ChartSpec("score_rank", YEARS, (Series("Điểm", (83.4, None, 84.9, float("nan"), 86.5)),)),
    ChartSpec("peer_bars", PEERS[:5], (Series("Điểm", (80.1, None, 85.0, 82.2, None)),),
              highlight=PEERS[1], reference=82.0),
    ChartSpec("component_bars", PAR[:3], (Series("Tỉnh", (90.0, None, 70.0)),
                                          Series("TB", (None, 80.0, 75.0), role="compare"))),
    change_bars((None, -0.35, None, 0.12, None, None, None, None)),
    ChartSpec("radar", PAPI, (Series("2024", (5.0, None, 4.3, 6.4, 7.4, None, 3.4, 3.3)),)),
], ids=lambda s: s.kind)
def test_missing_values_do_not_crash(spec: ChartSpec) -> None:
    assert render_png(spec, 72).startswith(PNG_SIGNATURE)


@pytest.mark.parametrize("spec", [
    ChartSpec("score_rank", (), (Series("Điểm", ()),), secondary=Series("Thứ hạng", ())),
    ChartSpec("peer_bars", (), (Series("Điểm", ()),)),
    ChartSpec("component_bars", (), (Series("Điểm", ()),)),
    change_bars((None,) * 8),
    ChartSpec("radar", PAPI[:3], (Series("2024", (None, None, None)),)),
], ids=lambda s: s.kind)
def test_empty_charts_still_render(spec: ChartSpec) -> None:
    # The report omits them (too_little_data), but drawing must not crash either.
    assert render_png(spec, 72).startswith(PNG_SIGNATURE)


def test_reference_series_and_compare_years_render() -> None:
    spec = ChartSpec(
        "score_rank", YEARS,
        (Series("Điểm", (83.4, 84.6, 84.9, 87.3, 86.5)),
         Series("Năm trước", (82.0, 83.4, 84.6, 84.9, 87.3), role="compare"),
         Series("Trung bình cả nước", (85.1, 85.6, 86.8, 88.4, 88.9), role="reference")),
        secondary=Series("Thứ hạng", (40, 34, 36, 35, 12)), rank_of=(63, 63, 63, 63, 34),
        reference=88.0, reference_label="Mục tiêu")
    assert render_png(spec, 72).startswith(PNG_SIGNATURE)


def test_no_missing_glyph_warnings_for_vietnamese_labels() -> None:
    labels = (GLYPH_TEST, *PAR, *PAPI, "Đắk Lắk", "Thừa Thiên Huế", "Bà Rịa - Vũng Tàu")
    specs = [
        ChartSpec("component_bars", labels, (Series(GLYPH_TEST, tuple(range(len(labels)))),),
                  value_label=GLYPH_TEST),
        ChartSpec("peer_bars", labels, (Series("Điểm", tuple(range(len(labels)))),),
                  highlight=GLYPH_TEST, reference=3.0, reference_label="Trung bình cả nước"),
        radar(), score_rank(), change_bars(),
    ]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for spec in specs:
            render_png(spec, 72)
    glyphs = [str(w.message) for w in caught if "missing" in str(w.message).lower()]
    assert glyphs == []


def test_missing_glyphs_would_be_noticed() -> None:
    # Control for the test above: a glyph no configured font has does warn.
    spec = ChartSpec("component_bars", ("Hà Nội 中", "Huế"), (Series("Điểm", (1.0, 2.0)),))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        render_png(spec, 50)
    assert any("missing" in str(w.message) for w in caught)


def test_no_pyplot_figures_are_left_behind() -> None:
    from matplotlib import _pylab_helpers

    for spec in SPECS.values():
        render_png(spec, 50)
    assert _pylab_helpers.Gcf.get_num_fig_managers() == 0


def test_rendering_is_deterministic() -> None:
    assert render_png(SPECS["component_bars"], 72) == render_png(SPECS["component_bars"], 72)


# ---------------------------------------------------------------- numbers


def test_vietnamese_number_format() -> None:
    assert fmt(86.47, 2) == "86,47"
    assert fmt(1250.5, 1) == "1.250,5"
    assert fmt(1250.5, 2) == "1.250,50"
    assert fmt(None, 2) == "–"


def test_tick_formatter_uses_one_precision_per_axis() -> None:
    formatter = VnFormatter()
    assert formatter.format_ticks([0.0, 0.5, 1.0]) == ["0,0", "0,5", "1,0"]
    assert formatter.format_ticks([0.0, 2000.0, 4000.0]) == ["0", "2.000", "4.000"]
    assert VnFormatter(0).format_ticks([1.0, 10.0]) == ["1", "10"]


@pytest.mark.parametrize("worst, expected", [
    (1, [1]), (5, [1, 2, 3, 4, 5]), (63, [1, 10, 20, 30, 40, 50, 63]),
    (34, [1, 5, 10, 15, 20, 25, 30, 34]),
])
def test_rank_ticks_start_at_one_and_end_at_the_last_place(worst: int,
                                                           expected: list[int]) -> None:
    assert _rank_ticks(worst) == expected


# ---------------------------------------------------------------- specification


@pytest.mark.parametrize("spec, gap", [
    (score_rank(YEARS[:1]), Gap("years", 1, 2)),
    (ChartSpec("score_rank", YEARS, (Series("Điểm", (None,) * 5),)), Gap("years", 0, 2)),
    (peer_bars(PEERS[:2]), Gap("peers", 2, 3)),
    (ChartSpec("peer_bars", PEERS[:4], (Series("Điểm", (80.0, None, None, 81.0)),)), Gap("peers", 2, 3)),
    (ChartSpec("component_bars", PAR[:1], (Series("Tỉnh", (90.0,)),)), Gap("components", 1, 2)),
    (ChartSpec("component_bars", (), (Series("Điểm", ()),)), Gap("components", 0, 2)),
    (change_bars((None,) * 8), Gap("previous", 0, 1)),
    (radar(PAPI[:4]), Gap("radar_axes", 4, 5)),
    (ChartSpec("radar", PAPI, (Series("2024", (5.0, 4.0, None, None, None, None, 3.0, 2.0)),)),
     Gap("radar_values", 4, 5)),
], ids=lambda x: getattr(x, "kind", str(x)))
def test_too_little_data_says_what_is_missing_as_data(spec: ChartSpec, gap: Gap) -> None:
    """The reason is data (what, how many, how many needed): the phrase file nhan.j2 words it
    (tests/test_narrate_labels.py), the chart stage has no language."""
    assert too_little_data(spec) == gap


@pytest.mark.parametrize("name", SPECS)
def test_normal_charts_are_not_omitted(name: str) -> None:
    assert too_little_data(SPECS[name]) is None


def test_two_years_and_three_peers_are_enough() -> None:
    assert too_little_data(score_rank(YEARS[:2])) is None
    assert too_little_data(peer_bars(PEERS[:3])) is None
    assert too_little_data(radar(PAPI[:5])) is None
    assert too_little_data(change_bars((None,) * 7 + (0.0,))) is None


@pytest.mark.parametrize("build, message", [
    (lambda: ChartSpec("pie", ("a",), (Series("x", (1.0,)),)), "kind"),
    (lambda: ChartSpec("radar", ("a", "b"), (Series("x", (1.0,)),)), "1 values for 2"),
    (lambda: ChartSpec("radar", ("a", "b"), ()), "at least one series"),
    (lambda: score_rank(rank_of=(63,)), "rank_of"),
    (lambda: score_rank(decimals=9), "decimals"),
    (lambda: score_rank(width_cm=0), "width_cm"),
    (lambda: Series("x", (1.0,), role="main unit"), "role"),
])
def test_malformed_specs_are_rejected(build: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build()  # type: ignore[operator]


def test_spec_normalises_values() -> None:
    series = Series("x", [1, None, float("nan"), 2.5])  # type: ignore[arg-type]
    assert series.values == (1.0, None, None, 2.5)
    assert series.present() == 2
    spec = ChartSpec("peer_bars", ["a", "b", "c", "d"], [series],  # type: ignore[arg-type]
                     reference=float("nan"))
    assert spec.categories == ("a", "b", "c", "d") and spec.reference is None
    assert spec.main_series() is series


def test_spec_module_does_not_import_matplotlib() -> None:
    code = ("import reportgen.charts.spec, reportgen.charts, sys; "
            "assert 'matplotlib' not in sys.modules, 'matplotlib imported'")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_palette_is_shared_and_the_unit_has_one_colour() -> None:
    assert S.UNIT not in (S.PEERS, *S.COMPARE_COLOURS, S.RISE, S.FALL, S.RANK_COLOUR)


def test_negative_values_get_room_below_zero() -> None:
    spec = ChartSpec("component_bars", PAR[:4], (Series("Tỉnh", (2.5, -1.5, 0.0, None)),),
                     value_label="Điểm")
    assert render_png(spec, 72).startswith(PNG_SIGNATURE)


def test_threads_draw_the_same_pictures() -> None:
    from concurrent.futures import ThreadPoolExecutor

    specs = [SPECS["score_rank"], SPECS["radar"], SPECS["change_bars"]] * 2
    alone = [render_png(s, 60) for s in specs]
    with ThreadPoolExecutor(max_workers=3) as pool:
        assert list(pool.map(lambda s: render_png(s, 60), specs)) == alone


VALUE = st.one_of(st.none(), st.floats(min_value=0, max_value=100, allow_nan=False))


@st.composite
def any_spec(draw: st.DrawFn) -> ChartSpec:
    """Any well-formed spec: every kind, 0–70 categories, gaps, odd highlights and sizes."""
    kind = draw(st.sampled_from(S.KINDS))
    names = draw(st.lists(st.sampled_from(PEERS + PAR + PAPI), max_size=70, unique=True))
    roles = draw(st.lists(st.sampled_from(S.ROLES), min_size=1, max_size=3))
    series = tuple(Series(f"S{i}", tuple(draw(st.lists(VALUE, min_size=len(names),
                                                       max_size=len(names)))), role)
                   for i, role in enumerate(roles))
    ranks = st.one_of(st.none(), st.integers(min_value=1, max_value=63))
    return ChartSpec(
        kind, tuple(names), series,
        highlight=draw(st.one_of(st.none(), st.sampled_from([*names, "S0", "?"]))),
        reference=draw(VALUE),
        secondary=Series("Thứ hạng", tuple(draw(st.lists(ranks, min_size=len(names),
                                                          max_size=len(names))))),
        decimals=draw(st.integers(min_value=0, max_value=3)),
        value_max=draw(st.one_of(st.none(), st.sampled_from([10.0, 80.0, 100.0]))),
        height_cm=draw(st.sampled_from([6.0, 8.0, 20.0])))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(any_spec())
def test_any_well_formed_spec_renders(spec: ChartSpec) -> None:
    png = render_png(spec, 40)
    assert png.startswith(PNG_SIGNATURE)
    assert abs(pixel_size(png)[1] - spec.height_cm / 2.54 * 40) <= 2
