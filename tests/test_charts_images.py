"""charts/images: chart specifications → what the render stage places: a PNG of the spec's
size, or the reason the chart is left out; the excerpt counts of a long peer list. These
tests use dpi 0 (the dry run of ``templates check``): a blank image, nothing drawn."""

from __future__ import annotations

import io
import subprocess
import sys

from PIL import Image

from reportgen.charts.images import PLACEHOLDER_PNG, draw_charts
from reportgen.charts.spec import GAP, ChartSpec, Series, too_little_data


def score_rank(scores: tuple[float | None, ...], **kw) -> ChartSpec:
    years = tuple(str(2022 + n) for n in range(len(scores)))
    return ChartSpec("score_rank", years, (Series("Điểm", scores),), **kw)


def test_dry_run_places_the_blank_image_at_the_spec_size():
    spec = score_rank((80.1, 82.5, 84.0), width_cm=12.5, height_cm=6.25,
                      alt_text="Điểm số PAR INDEX 2022–2024")
    (chart,) = draw_charts({"results": [spec]}, 0)["results"]
    assert chart == {"kind": "score_rank", "png": PLACEHOLDER_PNG, "width_cm": 12.5,
                     "height_cm": 6.25, "alt_text": "Điểm số PAR INDEX 2022–2024"}
    with Image.open(io.BytesIO(chart["png"])) as image:  # a real PNG a document can hold
        assert image.format == "PNG"


def test_a_chart_with_too_little_data_is_recorded_with_its_reason():
    one_year = score_rank((80.1,))
    two_peers = ChartSpec("peer_bars", ("A", "B"), (Series("Điểm", (80.0, 70.0)),))
    charts = draw_charts({"results": [one_year], "components": [two_peers]}, 0)
    assert charts == {"results": [{"kind": "score_rank", "omitted": too_little_data(one_year)}],
                      "components": [{"kind": "peer_bars", "omitted": too_little_data(two_peers)}]}
    assert too_little_data(one_year) and too_little_data(two_peers)  # a reason, not a blank


def test_sections_and_the_order_of_charts_are_kept():
    a, b = score_rank((1.0, 2.0), alt_text="a"), score_rank((None,), alt_text="b")
    c = score_rank((3.0, 4.0), alt_text="c")
    charts = draw_charts({"results": [a, b, c], "components": [], "khac": [c]}, 0)
    assert list(charts) == ["results", "components", "khac"]
    assert [ch.get("alt_text", "omitted") for ch in charts["results"]] == ["a", "omitted", "c"]
    assert charts["components"] == []


def test_an_excerpt_of_a_long_peer_list_records_how_many_are_shown_of_how_many():
    # 3 leaders, a gap, the unit and its neighbours, a gap, the last: 7 of 63 shown
    peers = ("U01", "U02", "U03", GAP, "U30", "U31", "U32", GAP, "U63")
    values = (99.0, 98.0, 97.0, None, 80.0, 79.5, 79.0, None, 50.0)
    spec = ChartSpec("peer_bars", peers, (Series("Điểm", values),), highlight="U31", excerpt_of=63)
    (chart,) = draw_charts({"results": [spec]}, 0)["results"]
    assert chart["excerpt"] == {"shown": 7, "of": 63}


def test_a_full_peer_list_has_no_excerpt():
    spec = ChartSpec("peer_bars", ("A", "B", "C"), (Series("Điểm", (80.0, 70.0, 60.0)),))
    (chart,) = draw_charts({"results": [spec]}, 0)["results"]
    assert "excerpt" not in chart


def test_nothing_to_draw():
    assert draw_charts({}, 0) == {}


def test_a_dry_run_does_not_load_matplotlib():
    code = ("import sys\nfrom reportgen.charts.images import draw_charts\n"
            "from reportgen.charts.spec import ChartSpec, Series\n"
            "draw_charts({'r': [ChartSpec('score_rank', ('2023', '2024'), (Series('x', (1.0, 2.0)),))]}, 0)\n"
            "print('matplotlib' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
