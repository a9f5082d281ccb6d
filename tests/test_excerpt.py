"""Large groups: the position chart and the appendix ranking show an excerpt (leaders, the
unit's neighbours, the last units) instead of hundreds of rows; the settings are checked."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from reportgen.analysis.ranking import ExcerptRule, excerpt
from reportgen.analysis.unit import prepare
from reportgen.app import Project, load_dataset, make_toolkit, render_report
from reportgen.charts.mpl import draw
from reportgen.charts.spec import GAP, ChartSpec, Series
from reportgen.config.frameworks import load_frameworks
from reportgen.config.search import SearchPath, packaged_dir
from reportgen.docx.dump import dump
from reportgen.errors import ConfigError

# --- which positions an excerpt keeps ----------------------------------------------------


def test_excerpt_keeps_leaders_neighbours_and_last() -> None:
    shown = excerpt(100, 50, head=3, around=2, tail=2)
    assert shown == [0, 1, 2, None, 48, 49, 50, 51, 52, None, 98, 99]


def test_a_single_left_out_unit_is_shown_instead_of_a_gap() -> None:
    assert excerpt(12, 5, head=3, around=1, tail=2) == [0, 1, 2, 3, 4, 5, 6, None, 10, 11]


def test_unit_near_the_top_or_bottom_joins_that_end() -> None:
    assert excerpt(40, 1, head=3, around=2, tail=2) == [0, 1, 2, 3, None, 38, 39]
    assert excerpt(40, 38, head=3, around=2, tail=2) == [0, 1, 2, None, 36, 37, 38, 39]


def test_without_tail_the_excerpt_ends_with_a_gap() -> None:
    assert excerpt(30, 0, head=2, around=1, tail=0) == [0, 1, None]


def test_rule_cuts_only_above_its_limit() -> None:
    rule = ExcerptRule(head=2, around=1, tail=1)
    assert rule.positions(63, 10, limit=63) is None
    assert rule.positions(64, 10, limit=63) == [0, 1, None, 9, 10, 11, None, 63]


@pytest.mark.parametrize(("given", "message"), [
    ({"head": "mười"}, "khóa peer_excerpt.head: 'head' phải là số nguyên (giá trị: 'mười')"),
    ({"tail": -1}, "khóa peer_excerpt.tail: 'tail' phải lớn hơn hoặc bằng 0 (giá trị: -1)"),
    ({"chart_max": 50}, "khóa peer_excerpt.chart_max: khóa 'chart_max' không hợp lệ. "
                        "Có phải: 'chart_max_units'?"),
    ("nhiều", "khóa peer_excerpt: 'peer_excerpt' phải là một ánh xạ"),
])
def test_bad_settings_name_the_file_and_key(given, message) -> None:
    with pytest.raises(ConfigError) as err:
        ExcerptRule.from_settings({"peer_excerpt": given}, "bao-cao/report.yaml")
    assert message in str(err.value)
    assert "bao-cao/report.yaml" in str(err.value)


def test_bad_settings_stop_before_any_report(tmp_path: Path) -> None:
    config = _config(tmp_path, {"table_max_units": 1.5})
    search = SearchPath((packaged_dir(),))
    with pytest.raises(ConfigError, match="peer_excerpt.table_max_units"):
        make_toolkit(Project(search, load_frameworks(search)), config)


# --- the chart backend draws an excerpt ----------------------------------------------------


def test_an_excerpt_spec_draws_with_its_gaps() -> None:
    names = ("01. A", "02. B", GAP, "40. Hòa Lâm", GAP, "60. C")
    spec = ChartSpec(kind="peer_bars", categories=names,
                     series=(Series("PAR INDEX", (95.0, 94.0, None, 80.0, None, 70.0)),),
                     highlight="40. Hòa Lâm", reference=82.0, excerpt_of=60)
    assert draw(spec, 100).png.startswith(b"\x89PNG")


def test_an_excerpt_cannot_claim_fewer_peers_than_it_shows() -> None:
    with pytest.raises(ValueError, match="excerpt_of"):
        ChartSpec(kind="peer_bars", categories=("A", "B", "C"),
                  series=(Series("x", (1.0, 2.0, 3.0)),), excerpt_of=2)


# --- in the report ----------------------------------------------------------------------------

HEAD, AROUND, TAIL, LIMIT = 3, 2, 2, 20


def _config(tmp_path: Path, excerpt_settings: dict) -> Path:
    doc = yaml.safe_load((packaged_dir() / "report.yaml").read_text(encoding="utf-8"))
    doc["defaults"]["peer_excerpt"] = excerpt_settings
    path = tmp_path / "report.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def excerpt_report(tmp_path_factory) -> tuple[str, list[tuple[int, str]], int]:
    """The sample's default report with small excerpt limits, and the PAR INDEX ranking of the
    data (rank, unit) best first, and the unit's position in it."""
    config = _config(tmp_path_factory.mktemp("cfg"), {"chart_max_units": LIMIT, "table_max_units": LIMIT,
                                                       "head": HEAD, "around": AROUND, "tail": TAIL})
    search = SearchPath((packaged_dir(),))
    project = Project(search, load_frameworks(search))
    dataset = load_dataset(project)
    kit = make_toolkit(project, config, dpi=0)
    unit, year = "Hòa Lâm", int(dataset.frame["year"].max())
    frame = dataset.frame
    totals = frame[(frame["index"] == "PAR_INDEX") & (frame["year"] == year)
                   & (frame["component"] == "TOTAL")].sort_values("score", ascending=False)
    ranking = [(int(r), u) for r, u in zip(totals["rank"], totals["unit"], strict=True)]
    position = [u for _, u in ranking].index(unit)
    return dump(render_report(kit, prepare(dataset), dataset, unit, year)), ranking, position


def _expected_positions(count: int, position: int) -> list[int]:
    keep = {*range(HEAD), *range(position - AROUND, position + AROUND + 1), *range(count - TAIL, count)}
    keep |= {p for p in range(1, count - 1) if p - 1 in keep and p + 1 in keep}  # lone gaps shown
    return sorted(p for p in keep if 0 <= p < count)


def test_appendix_ranking_is_an_excerpt_around_the_unit(excerpt_report) -> None:
    text, ranking, position = excerpt_report
    assert len(ranking) > LIMIT  # the sample group is larger than the limit set here
    lines = text.split("[Caption] A. Chỉ số cải cách hành chính (PAR INDEX) năm", 1)[1].splitlines()
    start = next(n for n, line in enumerate(lines) if line.startswith("TABLE "))
    rows = []
    for line in lines[start + 2:]:  # past the header row
        if not line.startswith("  | "):
            break
        rows.append([c.split(" {")[0].strip() for c in line.strip().strip("|").split(" | ")])
    units = [r[1] for r in rows if r[1] != "…"]
    assert units == [ranking[p][1] for p in _expected_positions(len(ranking), position)]
    assert ["…"] * 7 in rows  # the gap rows
    shown = len(units)
    assert f"(trích {shown}/{len(ranking)} tỉnh, thành phố" in lines[0]


def test_position_chart_caption_says_it_is_an_excerpt(excerpt_report) -> None:
    text, ranking, position = excerpt_report
    shown = len(_expected_positions(len(ranking), position))
    caption = next(line for line in text.splitlines()
                   if "Vị trí của tỉnh trong bảng xếp hạng PAR INDEX" in line)
    assert f"(trích {shown:d}/{len(ranking)} tỉnh, thành phố" in caption


def test_default_limits_give_the_full_ranking_once() -> None:
    """63 provinces: the position chart is an excerpt around the unit, the appendix table is
    the whole ranking (the ranking is printed once in full, #12)."""
    rule = ExcerptRule.from_settings(
        yaml.safe_load((packaged_dir() / "report.yaml").read_text(encoding="utf-8"))["defaults"])
    shown = rule.positions(63, 40, rule.chart_max_units)
    assert shown is not None and 40 in shown and len(shown) < 63
    assert rule.positions(63, 40, rule.table_max_units) is None


def test_generate_with_bad_settings_exits_1_and_writes_nothing(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from reportgen.cli import app

    config = _config(tmp_path, {"around": "năm"})
    result = CliRunner().invoke(app, ["generate", "--config", str(config), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    line = next(n for n, text in enumerate(config.read_text(encoding="utf-8").splitlines(), 1)
                if text.strip().startswith("around:"))
    assert (f"{config}, dòng {line}, khóa defaults.peer_excerpt.around: 'around' phải là số nguyên "
            "(giá trị: 'năm')") in result.output
    assert not (tmp_path / "out").exists()
