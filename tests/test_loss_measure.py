"""The right loss measure per index (issue #12, point 2): "điểm bị mất" only where an assessed
index awards points against a maximum (PAR INDEX); a survey (PAPI, SIPAS, PCI) is measured by
its distance below the group mean. Expected figures are computed here from the sample rows."""

from __future__ import annotations

import pytest

from reportgen.analysis.unit import analyze_unit, prepare
from reportgen.app import load_dataset, open_project
from reportgen.config.frameworks import TOTAL
from reportgen.config.rules import load_rules

UNIT, YEAR = "Hòa Lâm", 2024


@pytest.fixture(scope="module")
def world():
    project = open_project()
    dataset = load_dataset(project)
    result = analyze_unit(prepare(dataset), UNIT, YEAR, load_rules(project.search))
    return dataset, {i.index: i for i in result.indices}


def test_frameworks_say_which_measure(world):
    dataset, _ = world
    assert dataset.framework("PAR_INDEX", YEAR).loss_measure == "points"
    assert dataset.framework("PAPI", YEAR).loss_measure == "gap"
    assert dataset.framework("SIPAS", YEAR).loss_measure == "gap"


def test_a_survey_has_no_points_lost(world):
    _, indices = world
    papi = indices["PAPI"]
    assert papi.points_lost is None
    assert all(c.points_lost is None for c in papi.components)
    assert indices["PAR_INDEX"].points_lost is not None


def test_a_survey_lists_what_is_furthest_below_the_mean(world):
    dataset, indices = world
    frame = dataset.frame
    part = frame[(frame["year"] == YEAR) & (frame["index"] == "PAPI")
                 & (frame["group"] == indices["PAPI"].group)]
    gaps = {}
    for code in [c.code for c in indices["PAPI"].top_components]:
        scores = part[part["component"] == code].set_index("unit")["score"]
        gaps[code] = scores[UNIT] - scores.mean()
    below = sorted((g, c) for c, g in gaps.items() if g < 0)[:3]
    got = indices["PAPI"].most_below_mean
    assert [c.code for c in got] == [c for _, c in below]
    assert [c.gap_to_mean for c in got] == pytest.approx([g for g, _ in below], abs=1e-6)
    assert TOTAL not in [c.code for c in got]


def test_a_department_never_coordinates_with_itself():
    project = open_project()
    dataset = load_dataset(project)
    unit = "Sở Tư pháp"  # the sample's library asks Sở Tư pháp to support legal work
    result = analyze_unit(prepare(dataset), unit, YEAR, load_rules(project.search))
    assert result.solutions
    assert all(unit not in s.support for s in result.solutions)
    library = load_rules(project.search).solutions_for("PAR_SO", "2")
    assert any(unit in s.support for s in library)  # what the library says, left out here
