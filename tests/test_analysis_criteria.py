"""analysis/criteria.py: which criteria explain a field's loss, and the criteria analysis of
one unit and of a group called directly with a :class:`Scope` (tests/test_criteria.py goes
through analyze_unit and the report)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from conftest import TEST_GROUP
from reportgen.analysis.criteria import (
    CRITERIA_PER_FIELD,
    Scope,
    analyze_criteria,
    explaining,
    group_criteria,
)
from reportgen.analysis.model import CriterionAnalysis
from reportgen.analysis.unit import Prepared, analyze_unit, prepare
from reportgen.data.load import load
from reportgen.data.validate import validate
from test_criteria import no_rules, table

COORDINATOR = ("Cơ quan điều phối thử",)


def crit(code: str) -> CriterionAnalysis:
    """A criterion: explaining() reads only its identity."""
    return CriterionAnalysis(
        code=code, name=code, parent="", depth=1, score=0.0, max=None, percent=None,
        points_lost=None, previous_score=None, delta_score=None, group_mean=None,
        gap_to_mean=None, rank=None, of=None, full=False, first=False, last=False, lead=())


def codes(ranked: list[CriterionAnalysis]) -> list[str]:
    return [c.code for c in ranked]


# --- explaining: the few criteria a leader reads ---------------------------------------------

def test_explaining_stops_at_sixty_percent_of_the_loss() -> None:
    items = [crit("a"), crit("b"), crit("c"), crit("d")]
    # total 10: a (5) explains 50 %, a + b (8) 80 % ≥ 60 %
    assert codes(explaining(items, [5.0, 3.0, 1.0, 1.0])) == ["a", "b"]
    # a alone: 6 of 10
    assert codes(explaining(items, [6.0, 2.0, 1.0, 1.0])) == ["a"]


def test_explaining_names_at_most_three() -> None:
    assert CRITERIA_PER_FIELD == 3
    items = [crit(x) for x in "abcdef"]
    # six equal losses: 60 % needs four, three are named
    assert codes(explaining(items, [1.0] * 6)) == ["a", "b", "c"]


def test_explaining_skips_what_lost_nothing() -> None:
    items = [crit("a"), crit("b"), crit("c")]
    assert codes(explaining(items, [0.0, 2.0, -1.0])) == ["b"]
    assert explaining(items, [0.0, 0.0, 0.0]) == []
    assert explaining([], []) == []


# --- one unit, one group, from a Scope -----------------------------------------------------------
# tests/test_criteria.py's table: field 3 = 3.1 (max 4), 3.2 (6) = 3.2.1 (4) + 3.2.2 (2), 3.3 (3.5)
# 2024: Hòa Lâm 4.0 | 2.5 + 1.0 | 3.0; Kim Sơn 3.0 | 3.5 + 1.5 | 3.5; Vạn Xuyên 3.5 | 3.0 + 2.0 | 2.5
# 2023: Hòa Lâm 3.5 | 3.5 + 2.0 | 3.0

@pytest.fixture
def prep(make_csv, frameworks) -> Prepared:
    return prepare(validate(load(make_csv("crit.csv", table())), frameworks))


def scope(prep: Prepared, unit: str = "Hòa Lâm", year: int = 2024,
          prev_year: int | None = 2023, **changes: Any) -> Scope:
    fw = prep.dataset.framework("PAR_INDEX", year)
    base = Scope(prep, unit, year, "PAR_INDEX", fw, TEST_GROUP, prev_year, year + 1, no_rules(),
                 COORDINATOR)
    return dataclasses.replace(base, **changes)


def components(prep: Prepared, unit: str = "Hòa Lâm", year: int = 2024) -> Any:
    result = analyze_unit(prep, unit, year, no_rules())
    return next(i for i in result.indices if i.index == "PAR_INDEX").components


def test_a_unit_s_criteria_of_field_three(prep: Prepared) -> None:
    analysis = analyze_criteria(scope(prep), components(prep))
    assert analysis is not None
    f = next(f for f in analysis.fields if f.code == "3")
    c31, c32, c33 = f.criterion("3.1"), f.criterion("3.2"), f.criterion("3.3")
    assert (c31.score, c31.max, c31.points_lost, c31.full) == (4.0, 4.0, 0.0, True)
    assert c31.first and c31.rank == 1 and c31.of == 3  # 4.0 against 3.0 and 3.5
    assert c32.score == pytest.approx(3.5) and c32.points_lost == pytest.approx(2.5)
    assert c32.previous_score == pytest.approx(5.5) and c32.delta_score == pytest.approx(-2.0)
    assert c32.group_mean == pytest.approx((3.5 + 5.0 + 5.0) / 3)
    assert c32.gap_to_mean == pytest.approx(3.5 - 4.5)
    assert c32.last and c32.rank == 3
    assert c33.delta_score == pytest.approx(0.0) and c33.points_lost == pytest.approx(0.5)
    assert f.by_loss == ("3.2", "3.3")  # depth 1 only, most lost first; 3.1 lost nothing
    assert f.explaining == ("3.2",)  # 2.5 of 3.0 lost
    assert f.full == ("3.1",)
    assert f.criterion("3.2.1").depth == 2 and f.criterion("3.2.1").parent == "3.2"
    # lead agencies: the data's column (3.2), inherited (3.2.1), the framework's field 3 (3.3)
    assert c32.lead == ("Trung tâm Phục vụ hành chính công tỉnh",)
    assert f.criterion("3.2.1").lead == c32.lead
    assert c33.lead == ("Văn phòng UBND tỉnh", "Trung tâm Phục vụ hành chính công tỉnh")


def test_without_a_comparable_year_nothing_declined(prep: Prepared) -> None:
    analysis = analyze_criteria(scope(prep, prev_year=None), components(prep))
    assert analysis is not None
    f = next(f for f in analysis.fields if f.code == "3")
    assert f.declined == ()
    assert all(c.previous_score is None and c.delta_score is None for c in f.criteria)


def test_no_criteria_rows_no_analysis(prep: Prepared) -> None:
    assert analyze_criteria(scope(prep, unit="Không có"), components(prep)) is None
    assert analyze_criteria(scope(prep), []) is None  # no field to put them under


def test_group_criteria_most_often_lost_first(prep: Prepared) -> None:
    crits, agencies = group_criteria(scope(prep, unit="", prev_year=None))
    by_code = {c.code: c for c in crits}
    assert "3.2.1" not in by_code  # first-level criteria only
    # 3.3 of maximum 3.5: 3.0, 3.5, 2.5 → two below it, (0.5 + 0 + 1.0) / 3 lost on average
    assert (by_code["3.3"].units, by_code["3.3"].losing) == (3, 2)
    assert by_code["3.3"].mean_lost == pytest.approx(0.5)
    assert by_code["3.3"].field == "3" and by_code["3.3"].max == 3.5
    order = [c.code for c in crits]
    # 3.2: three units below the maximum; 3.1 and 3.3: two each, 0.5 lost on average: by code
    assert order.index("3.2") < order.index("3.1") < order.index("3.3")
    centre = next(a for a in agencies if a.agency == "Trung tâm Phục vụ hành chính công tỉnh")
    assert set(centre.criteria) == {"3.2", "3.3"}  # 3.2 from the data, 3.3 from field 3
    assert centre.losses == 3 + 2 and centre.mean_lost == pytest.approx(1.5 + 0.5)


def test_group_criteria_nothing_for_a_survey(prep: Prepared) -> None:
    s = scope(prep, unit="", prev_year=None)
    survey = dataclasses.replace(s, fw=dataclasses.replace(s.fw, loss_measure="gap"))
    assert group_criteria(survey) == ((), ())
