"""analysis/group_actions.py: the clerk's causes for a group's units, the components where the
group as a whole is weakest, and the library's solutions for them."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from reportgen.analysis.group_actions import group_causes, group_solutions, weakest_components
from reportgen.analysis.model import ComponentOverview
from reportgen.config.rules import build_rules
from reportgen.data.notes import UserNote

UNITS = ("Sở Tư pháp", "Sở Y tế", "Sở Nội vụ")


def component(code: str, mean_percent: float | None, name: str = "") -> ComponentOverview:
    """A component of the overview: only what the functions read is meaningful."""
    fields: dict[str, Any] = {f: None for f in ComponentOverview.__dataclass_fields__}
    fields.update(code=code, name=name or f"Lĩnh vực {code}", short_name=f"LV{code}",
                  mean_percent=mean_percent)
    return ComponentOverview(**fields)


@dataclass(frozen=True)
class Index:
    """What the functions read of an :class:`IndexOverview`."""

    index: str
    short_name: str
    components: tuple[ComponentOverview, ...]


def test_causes_of_the_group_units_in_their_order_with_unit_and_component() -> None:
    index = Index("PAR_INDEX", "PAR INDEX", (component("3", 80.0, "Cải cách TTHC"),))
    notes = [
        UserNote(2024, "Sở Nội vụ", "subjective", "Chưa rà soát TTHC.", "PAR_INDEX", "3"),
        UserNote(2024, "Sở Tư pháp", "subjective", "Thiếu cán bộ."),
        UserNote(2024, "Sở Y tế", "objective", "Dịch bệnh."),
        UserNote(2023, "Sở Y tế", "objective", "Năm khác."),
        UserNote(2024, "Sở Tài chính", "objective", "Không thuộc nhóm."),
        UserNote(2024, "Sở Y tế", "note", "Ghi chú, không phải nguyên nhân."),
        UserNote(2024, "Sở Y tế", "subjective", "Chỉ số khác.", "SIPAS"),
    ]
    causes = group_causes(notes, 2024, UNITS, [index])  # type: ignore[list-item]
    assert [(c.unit, c.text) for c in causes.subjective] == [
        ("Sở Tư pháp", "Thiếu cán bộ."), ("Sở Nội vụ", "Chưa rà soát TTHC.")]
    keyed = causes.subjective[1]
    assert (keyed.index, keyed.code, keyed.name) == ("PAR_INDEX", "3", "Cải cách TTHC")
    assert [(c.unit, c.text, c.index, c.name) for c in causes.objective] == [
        ("Sở Y tế", "Dịch bệnh.", None, None)]


def test_weakest_are_below_the_mean_percent_lowest_first_at_most_three() -> None:
    # mean of 60, 90, 70, 95, 50, 65 and 100 = 530 / 7 ≈ 75.7
    index = Index("PAR_INDEX", "PAR INDEX", tuple(
        component(code, pct) for code, pct in
        [("1", 60.0), ("2", 90.0), ("3", 70.0), ("4", 95.0), ("5", 50.0), ("6", 65.0),
         ("7", 100.0), ("8", None)]))
    assert [c.code for c in weakest_components(index)] == ["5", "1", "6"]  # type: ignore[arg-type]


def test_no_weakest_with_fewer_than_two_rated_or_all_equal() -> None:
    one = Index("X", "X", (component("1", 40.0), component("2", None)))
    assert weakest_components(one) == []  # type: ignore[arg-type]
    equal = Index("X", "X", (component("1", 80.0), component("2", 80.0)))
    assert weakest_components(equal) == []  # type: ignore[arg-type]


def test_solutions_for_the_weakest_with_lead_support_and_deadline(frameworks) -> None:
    solutions = {"solutions": {"PAR_INDEX": {
        "3": [{"text": "Rà soát {name} của {index}.", "support": ["Sở Tư pháp", "Sở Nội vụ"],
               "deadline": {"kind": "quarter", "quarter": 2, "year_offset": 1}},
              {"text": "Giữ kết quả.", "for": "strength"}],
        "5": {"text": "Tuyển dụng {short_name}.", "lead": "Sở Nội vụ",
              "support": ["Sở Nội vụ", "Sở Tài chính"], "deadline": {"kind": "ongoing"}},
        "2": {"text": "Không yếu: không in."}}}}
    responsible = {"PAR_INDEX": {"3": "Văn phòng UBND tỉnh"}}
    rules = build_rules({}, "analysis.yaml", solutions, "solutions.yaml", responsible,
                        "responsible.yaml")
    index = Index("PAR_INDEX", "PAR INDEX", (
        component("2", 95.0), component("3", 60.0, "Cải cách TTHC"), component("5", 70.0),
        component("7", 90.0)))  # mean 78.75: 3 and 5 are below it
    fw = frameworks.for_year("PAR_INDEX", 2024)
    out = group_solutions([index], [fw], rules, 2025)  # type: ignore[list-item]
    assert [(s.code, s.text) for s in out] == [
        ("3", "Rà soát Cải cách TTHC của PAR INDEX."), ("5", "Tuyển dụng LV5.")]
    tthc, staff = out
    assert tthc.lead == ("Văn phòng UBND tỉnh",)  # responsible.yaml
    assert tthc.support == ("Sở Tư pháp", "Sở Nội vụ")
    assert (tthc.deadline.year, tthc.deadline["quarter"]) == (2026, 2)
    assert (tthc.mean_percent, tthc.index_short_name) == (60.0, "PAR INDEX")
    assert staff.lead == ("Sở Nội vụ",)  # the solution's own lead
    assert staff.support == ("Sở Tài chính",)  # the lead is not also a supporter
    assert staff.deadline.year == 2025


def test_without_an_own_or_a_user_lead_the_framework_names_it_for_the_action_year(
        frameworks) -> None:
    rules = build_rules({}, "analysis.yaml",
                        {"solutions": {"PAR_INDEX": {"8.2": {"text": "Làm."}}}}, "solutions.yaml",
                        {}, "responsible.yaml")
    fw = frameworks.for_year("PAR_INDEX", 2024)
    index = Index("PAR_INDEX", "PAR INDEX", (component("8.2", 50.0), component("8.1", 90.0)))
    # 876/QĐ-BNV: 8.2 led by Sở Kế hoạch và Đầu tư, by Sở Tài chính from 2025 (the merger)
    [before] = group_solutions([index], [fw], rules, 2024)  # type: ignore[list-item]
    [after] = group_solutions([index], [fw], rules, 2025)  # type: ignore[list-item]
    assert before.lead == ("Sở Kế hoạch và Đầu tư",)
    assert after.lead == ("Sở Tài chính",)


def test_a_user_lead_renamed_since_the_action_year_is_named_as_in_force(frameworks) -> None:
    """The overview's solutions name agencies as the unit reports do: a responsible.yaml name
    that a ``renamed`` entry replaced before the action year is given its new name."""
    responsible = {"PAR_INDEX": {"7": "Sở Thông tin và Truyền thông"},
                   "renamed": [{"old": "Sở Thông tin và Truyền thông",
                                "new": "Sở Khoa học và Công nghệ",
                                "since": datetime.date(2025, 3, 1)}]}
    rules = build_rules({}, "analysis.yaml",
                        {"solutions": {"PAR_INDEX": {"7": {"text": "Làm."}}}}, "solutions.yaml",
                        responsible, "responsible.yaml")
    fw = frameworks.for_year("PAR_INDEX", 2024)
    index = Index("PAR_INDEX", "PAR INDEX", (component("7", 50.0), component("1", 90.0)))
    [before] = group_solutions([index], [fw], rules, 2024)  # type: ignore[list-item]
    [after] = group_solutions([index], [fw], rules, 2025)  # type: ignore[list-item]
    assert before.lead == ("Sở Thông tin và Truyền thông",)
    assert after.lead == ("Sở Khoa học và Công nghệ",)
