"""Targets from arithmetic (issue #12, point 3): the score that gains k places or reaches the
next rating group, and where the points can come from — restoring what fell since last
year, raising what is below the group mean — with the place that total would have had.

Every expected figure is computed here from the sample's rows (pandas), not by the code
under test."""

from __future__ import annotations

import pandas as pd
import pytest

from reportgen.analysis.model import IndexAnalysis, SourceKind, TargetKind
from reportgen.analysis.unit import analyze_unit, prepare
from reportgen.app import load_dataset, open_project
from reportgen.config.rules import load_rules

UNIT, YEAR = "Hòa Lâm", 2024


@pytest.fixture(scope="module")
def world() -> tuple[pd.DataFrame, dict[str, IndexAnalysis]]:
    project = open_project()
    dataset = load_dataset(project)
    result = analyze_unit(prepare(dataset), UNIT, YEAR, load_rules(project.search))
    return dataset.frame, {i.index: i for i in result.indices}


def scores(frame: pd.DataFrame, index: str, year: int, component: str, group: str) -> pd.Series:
    part = frame[(frame["year"] == year) & (frame["index"] == index)
                 & (frame["component"] == component) & (frame["group"] == group)]
    return part.set_index("unit")["score"].astype(float)


def test_places_target_is_the_score_of_the_unit_k_places_up(world) -> None:
    frame, indices = world
    par = indices["PAR_INDEX"]
    totals = scores(frame, "PAR_INDEX", YEAR, "TOTAL", par.group).sort_values(ascending=False)
    own_rank = list(totals.index).index(UNIT) + 1
    aim = own_rank - 5  # templates/analysis.yaml: PAR_INDEX kind places, places 5
    t = par.target
    assert t.kind == TargetKind.PLACES and t.places == 5 and t.rank == aim
    # the unit at that place (ties share a place: any unit with that score)
    assert totals[t.unit_at_rank] == pytest.approx(totals.iloc[aim - 1])
    assert t.score_needed == pytest.approx(totals.iloc[aim - 1], abs=0.005)
    assert t.points_missing == pytest.approx(totals.iloc[aim - 1] - totals[UNIT], abs=0.01)
    assert "05 bậc" in t.label


def test_restoring_what_fell_and_raising_what_is_below_the_mean(world) -> None:
    frame, indices = world
    par = indices["PAR_INDEX"]
    fields = [c.code for c in par.top_components]
    now = {c: scores(frame, "PAR_INDEX", YEAR, c, par.group) for c in fields}
    before = {c: scores(frame, "PAR_INDEX", YEAR - 1, c, par.previous.group)[UNIT] for c in fields}
    fell = {c: before[c] - now[c][UNIT] for c in fields if now[c][UNIT] < before[c] - 1e-9}
    below = {c: now[c].mean() - now[c][UNIT] for c in fields if now[c][UNIT] < now[c].mean()}
    by_kind = {s.kind: s for s in par.target.sources}
    restore, mean = by_kind[SourceKind.RESTORE], by_kind[SourceKind.MEAN]
    assert set(restore.codes) == set(fell) and restore.previous_year == YEAR - 1
    assert restore.gain == pytest.approx(sum(fell.values()), abs=0.01)  # the total is in % of 100
    assert set(mean.codes) == set(below)
    assert mean.gain == pytest.approx(sum(below.values()), abs=0.02)
    totals = scores(frame, "PAR_INDEX", YEAR, "TOTAL", par.group)
    others = totals.drop(UNIT)
    assert mean.rank == 1 + int((others > mean.new_score + 1e-6).sum())
    assert mean.new_score == pytest.approx(totals[UNIT] + mean.gain, abs=0.01)
    assert mean.covers == (mean.gain >= par.target.points_missing - 1e-6)


def test_next_rating_group_of_a_quartile_index(world) -> None:
    frame, indices = world
    papi = indices["PAPI"]
    totals = scores(frame, "PAPI", YEAR, "TOTAL", papi.group)
    # quartiles of the whole group (inclusive method, as the framework's rating); the unit is
    # below the first quartile, so the next group starts at it
    q1 = totals.quantile(0.25, interpolation="linear")
    assert totals[UNIT] < q1
    t = papi.target
    assert t.kind == TargetKind.GROUP and t.group == "trung bình thấp"
    assert t.score_needed == pytest.approx(q1, abs=0.01)
    assert t.points_missing == pytest.approx(q1 - totals[UNIT], abs=0.01)


def test_a_survey_index_has_no_sources_but_says_its_gaps(world) -> None:
    _, indices = world
    sipas = indices["SIPAS"]
    assert sipas.target.sources == ()  # SIPAS is not the sum of its factors
    assert sipas.target.top_recoverable


def test_the_milestones_are_said(world) -> None:
    from reportgen.app import context_from_analysis, make_toolkit

    project = open_project()
    dataset = load_dataset(project)
    kit = make_toolkit(project)
    analysis = analyze_unit(prepare(dataset), UNIT, YEAR, kit.rules)
    text = " ".join(context_from_analysis(kit, dataset, analysis)["tasks"]["targets"])
    par = analysis.index("PAR_INDEX")
    assert par is not None and par.target is not None
    restore = next(s for s in par.target.sources if s.kind == SourceKind.RESTORE)
    assert f"về mức năm {YEAR - 1} sẽ bù được" in text
    assert f"{restore.gain:.2f}".replace(".", ",") in text
    assert "nhóm 20" not in text  # no 'top 20' from 40th
