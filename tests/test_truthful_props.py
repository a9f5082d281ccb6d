"""No traceback for any input that passes ``validate`` (issue #11, point 9).

Hypothesis draws small datasets of the shapes provinces really hold — some components only,
one unit alone, missing years, ranks published without their score, a groups table or none —
for the bundled PAR INDEX, SIPAS and PAPI frameworks; every dataset that validates is analysed
and every unit with data is rendered. Whatever is drawn, a rank printed as "x/N" never has N
below x.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reportgen.analysis.unit import analyze_unit, prepare
from reportgen.app import load_dataset, make_toolkit, open_project, render_report
from reportgen.config.rules import load_rules
from reportgen.data.sample import write_csv
from reportgen.docx.dump import dump
from reportgen.errors import DataError

UNITS = ("Hòa Lâm", "Kim Sơn", "Vạn Xuyên", "Phú Hòa")
YEARS = (2022, 2023, 2024)
# index → (its components drawn from, their maximum; the total's maximum)
SHAPES = {
    "PAR_INDEX": (("1", "2", "3"), 10.0, 100.0),
    "SIPAS": (("1", "2"), 100.0, 100.0),
    "PAPI": (("1", "2", "3"), 10.0, 80.0),
}


@st.composite
def datasets(draw: st.DrawFn) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """Long-layout rows and a groups table (maybe empty) of one index."""
    index = draw(st.sampled_from(sorted(SHAPES)))
    comps, comp_max, total_max = SHAPES[index]
    units = draw(st.lists(st.sampled_from(UNITS), min_size=1, max_size=4, unique=True))
    years = draw(st.lists(st.sampled_from(YEARS), min_size=1, max_size=3, unique=True))
    size = draw(st.none() | st.integers(min_value=len(units), max_value=63))
    rows: list[dict[str, object]] = []
    for year in years:
        for unit in units:
            rank = draw(st.none() | st.integers(min_value=1, max_value=size or 63))
            if rank is not None and draw(st.booleans()) and draw(st.booleans()):
                rows.append({"year": year, "index": index, "unit": unit, "component": "TOTAL",
                             "score": "", "rank": rank})  # a published rank alone
                continue
            shown = draw(st.lists(st.sampled_from(comps), max_size=len(comps), unique=True))
            for code in shown:
                score = draw(st.floats(min_value=0, max_value=comp_max, allow_nan=False))
                rows.append({"year": year, "index": index, "unit": unit, "component": code,
                             "score": f"{score:.2f}", "max_score": comp_max})
            if not shown or draw(st.booleans()):
                total = draw(st.floats(min_value=0, max_value=total_max, allow_nan=False))
                rows.append({"year": year, "index": index, "unit": unit, "component": "TOTAL",
                             "score": f"{total:.2f}", "rank": rank or "",
                             "max_score": total_max})
    groups = [] if size is None else [
        {"year": y, "index": index, "group": "", "size": size, "source": "hư cấu"} for y in years]
    return rows, groups


@pytest.fixture(scope="module")
def world():
    project = open_project()
    return project, make_toolkit(project, dpi=0), load_rules(project.search)


def _write(folder: Path, rows: list[dict[str, object]], groups: list[dict[str, object]]) -> None:
    write_csv(rows, folder / "scores.csv")
    if groups:
        lines = ["year,index,group,size,source"] + [
            f"{g['year']},{g['index']},{g['group']},{g['size']},{g['source']}" for g in groups]
        (folder / "groups.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(data=datasets())
def test_every_valid_dataset_renders_for_every_unit(world, tmp_path_factory, data) -> None:
    project, kit, rules = world
    rows, groups = data
    folder = tmp_path_factory.mktemp("props")
    _write(folder, rows, groups)
    try:
        dataset = load_dataset(project, folder)
    except DataError:
        return  # refused with located messages: that is the documented outcome
    prepared = prepare(dataset)
    for unit in dataset.units:
        for year in sorted({int(r["year"]) for r in rows if r["unit"] == unit}):
            result = analyze_unit(prepared, unit, year, rules)
            for i in result.indices:
                assert i.rank is None or i.of is None or i.rank <= i.of, (unit, year, i)
                for c in i.components:
                    assert c.rank is None or c.of is None or c.rank <= c.of
            text = dump(render_report(kit, prepared, dataset, unit, year))
            for x, n in re.findall(r"xếp thứ (\d+)/(\d+)", text):
                assert int(x) <= int(n), (unit, year, x, n)
