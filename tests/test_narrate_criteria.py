"""narrate/criteria.py: which fields and criteria section II names, the criteria at a glance,
a survey's extremes, and the rows of the appendix "Điểm chi tiết theo tiêu chí"."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from reportgen.analysis.model import CriteriaAnalysis, CriterionAnalysis, FieldCriteria
from reportgen.narrate.criteria import criteria_rows, extremes, overall, weak_fields


def crit(code: str, depth: int = 1, score: float = 1.0, mx: float | None = 2.0,
         lost: float | None = None, delta: float | None = None, mean: float | None = None,
         gap: float | None = None, rank: int | None = None, of: int | None = None,
         percent: float | None = None, lead: tuple[str, ...] = ()) -> CriterionAnalysis:
    return CriterionAnalysis(
        code=code, name=f"Tiêu chí {code}", parent=code.rpartition(".")[0], depth=depth,
        score=score, max=mx, percent=percent, points_lost=lost, previous_score=None,
        delta_score=delta, group_mean=mean, gap_to_mean=gap, rank=rank, of=of,
        full=mx is not None and score >= mx, first=False, last=False, lead=lead)


def fieldc(code: str, criteria: list[CriterionAnalysis], by_loss: tuple[str, ...],
           explaining: tuple[str, ...] = (), measure: str = "points",
           lost: float | None = None) -> FieldCriteria:
    return FieldCriteria(
        code=code, name=f"Lĩnh vực {code}", short_name=f"LV {code}", is_weakness=False,
        loss_measure=measure, criteria=tuple(criteria), by_loss=by_loss, declined=(), full=(),
        first=(), last=(), points_lost=lost, explaining=explaining)


@dataclass(frozen=True)
class Comp:
    """What criteria_rows reads of a field's ComponentAnalysis."""

    code: str
    score: float | None
    max: float | None
    percent: float | None
    delta_score: float | None
    rank: int | None
    of: int | None
    responsible: tuple[str, ...]


@dataclass(frozen=True)
class Index:
    """What the functions read of an IndexAnalysis."""

    criteria: CriteriaAnalysis | None
    weaknesses: tuple[str, ...] = ()
    declines: tuple[str, ...] = ()
    components: tuple[Any, ...] = field(default_factory=tuple)


# field 1: 1.1 lost 0.5, 1.2 lost 1.5 (2.0 in all); field 2 lost nothing; field 3: 3.1 lost 3.0
FIELDS = (
    fieldc("1", [crit("1.1", lost=0.5), crit("1.2", lost=1.5, delta=-0.5)], ("1.2", "1.1"),
           ("1.2", "1.1")),
    fieldc("2", [crit("2.1", score=2.0, lost=0.0)], ()),
    fieldc("3", [crit("3.1", score=0.0, mx=3.0, lost=3.0, delta=-1.0),
                 crit("3.1.1", depth=2, lost=1.0, delta=-2.0), crit("3.2", score=2.0, lost=0.0)],
           ("3.1",), ("3.1",)),
)


def test_weak_fields_are_the_weaknesses_then_declines_with_their_explaining_criteria() -> None:
    index = Index(CriteriaAnalysis(FIELDS), weaknesses=("3", "2"), declines=("1", "3"))
    lines = weak_fields(index)  # type: ignore[arg-type]
    # field 2 lost nothing: nothing to explain; 3 flagged twice is named once
    assert [(f.field.code, [c.code for c in f.criteria]) for f in lines] == [
        ("3", ["3.1"]), ("1", ["1.2", "1.1"])]


def test_none_flagged_the_field_that_lost_most() -> None:
    lines = weak_fields(Index(CriteriaAnalysis(FIELDS)))  # type: ignore[arg-type]
    assert [f.field.code for f in lines] == ["3"]  # 3.0 lost against 2.0 in field 1


def test_a_survey_s_field_lost_most_is_the_largest_gap_below_the_mean() -> None:
    survey = (
        fieldc("1", [crit("1.1", gap=-4.0), crit("1.2", gap=3.0)], ("1.1",), ("1.1",), "gap"),
        fieldc("2", [crit("2.1", gap=-1.5), crit("2.2", gap=-2.0)], ("2.2", "2.1"),
               ("2.2", "2.1"), "gap"),
    )
    # field 1: 4.0 below (the criterion above the mean counts nothing); field 2: 3.5
    assert [f.field.code for f in weak_fields(Index(CriteriaAnalysis(survey)))] == ["1"]  # type: ignore[arg-type]


def test_no_criteria_no_lines_no_overall_no_extremes_no_rows() -> None:
    empty = Index(None)
    assert weak_fields(empty) == []  # type: ignore[arg-type]
    assert overall(empty) is None  # type: ignore[arg-type]
    assert extremes(empty) == (None, None)  # type: ignore[arg-type]
    assert criteria_rows(empty) == []  # type: ignore[arg-type]


def test_overall_counts_first_level_criteria_and_their_falls_largest_first() -> None:
    summary = overall(Index(CriteriaAnalysis(FIELDS)))  # type: ignore[arg-type]
    assert summary is not None
    assert summary.count == 5  # 1.1, 1.2, 2.1, 3.1, 3.2 (not 3.1.1)
    assert summary.full == 2  # 2.1 (2/2), 3.2 (2/2)
    assert [c.code for c in summary.declined] == ["3.1", "1.2"]  # −1.0, −0.5; 3.1.1 not counted


def test_extremes_are_the_criteria_the_analysis_names() -> None:
    crits = CriteriaAnalysis(FIELDS, highest=("2.1",), lowest=("3.1.1",))
    high, low = extremes(Index(crits))  # type: ignore[arg-type]
    assert high is not None and low is not None and (high.code, low.code) == ("2.1", "3.1.1")
    assert extremes(Index(CriteriaAnalysis(FIELDS, highest=("2.1",)))) == (None, None)  # type: ignore[arg-type]


def test_criteria_rows_field_bold_then_its_tree_marked_by_depth() -> None:
    tree = fieldc("3", [crit("3.1", score=1.5, mx=3.0, lost=1.5, delta=-1.0, mean=2.25,
                             rank=3, of=3, percent=50.0, lead=("Sở A", "Sở B")),
                        crit("3.1.1", depth=2, score=0.5, mx=1.0, lost=0.5),
                        crit("3.1.1.1", depth=3, score=0.5, mx=1.0),
                        crit("3.1.1.1.1", depth=4, score=0.5, mx=1.0)],
                  ("3.1",), lost=2.0)
    comp = Comp("3", 11.5, 13.5, 85.19, 0.25, 2, 63, ("Văn phòng UBND tỉnh",))
    rows = criteria_rows(Index(CriteriaAnalysis((tree,)), components=(comp,)))  # type: ignore[arg-type]
    assert rows[0] == {"code": "3", "name": "Lĩnh vực 3", "max": "13,50", "score": "11,50",
                       "percent": "85,19", "lost": "2,00", "delta": "+0,25", "mean": "–",
                       "rank": "02/63", "lead": "Văn phòng UBND tỉnh", "bold": True}
    assert rows[1] == {"code": "3.1", "name": "- Tiêu chí 3.1", "max": "3,00", "score": "1,50",
                       "percent": "50,00", "lost": "1,50", "delta": "-1,00", "mean": "2,25",
                       "rank": "03/3", "lead": "Sở A; Sở B", "bold": False}
    assert [r["name"] for r in rows[2:]] == [
        "+ Tiêu chí 3.1.1", "* Tiêu chí 3.1.1.1", "* Tiêu chí 3.1.1.1.1"]  # deeper: as depth 3
    assert rows[2]["rank"] == "–" and rows[2]["lead"] == "" and rows[2]["delta"] == "–"


def test_a_field_without_its_component_row_shows_dashes() -> None:
    tree = fieldc("9", [crit("9.1", lost=1.0)], ("9.1",), lost=1.0)
    [head, _] = criteria_rows(Index(CriteriaAnalysis((tree,))))  # type: ignore[arg-type]
    assert (head["score"], head["max"], head["rank"], head["lead"], head["lost"]) == (
        "–", "–", "–", "", "1,00")
