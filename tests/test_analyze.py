"""Analysis engine against small hand-made datasets.

Every expected number below is worked out by hand from the rows written in this file (the
arithmetic is in the comments), never copied from the engine's output.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from reportgen.analysis.model import (
    ComponentAnalysis,
    Direction,
    ImpactMeasure,
    IndexAnalysis,
    Mixed,
    Note,
    NoteKind,
    ReasonRule,
    ShareReason,
    UnitAnalysis,
)
from reportgen.analysis.unit import analyze_unit, check_year, find_unit, prepare
from reportgen.config.frameworks import Framework, Frameworks, parse_framework
from reportgen.config.rules import Rules, load_rules
from reportgen.config.search import SearchPath
from reportgen.config.yamlio import parse_yaml
from reportgen.data.load import records_from
from reportgen.data.validate import Dataset, validate
from reportgen.errors import DataError, LookupFailed

GROUP = "Tỉnh"


def tst_framework(version: str = "v1", year_from: int = 2018, year_to: int | None = None) -> str:
    """A tiny additive index: two fields of 10 points, field 2 split in two criteria."""
    to = f", to: {year_to}" if year_to else ""
    return f"""
code: TST
version: "{version}"
name: Chỉ số thử nghiệm
short_name: TST
unit: điểm
total_max: 20
years: {{from: {year_from}{to}}}
component_word: lĩnh vực
additive: true
coordinator: [Sở Nội vụ]
rating:
  kind: thresholds
  basis: percent
  groups:
    - {{label: A, min: 90, description: từ 90% trở lên}}
    - {{label: B, min: 80, description: từ 80% đến dưới 90%}}
    - {{label: C, min: 0, description: dưới 80%}}
components:
  - {{code: "1", name: Lĩnh vực một, short_name: LV1, max: 10, responsible: [Sở A]}}
  - code: "2"
    name: Lĩnh vực hai
    short_name: LV2
    max: 10
    responsible:
      - {{units: [Sở B], until: 2024}}
      - {{units: [Sở C], from: 2025}}
  - {{code: "2.1", parent: "2", name: Tiêu chí 2.1, max: 5}}
  - {{code: "2.2", parent: "2", name: Tiêu chí 2.2, max: 5}}
"""


QRT = """
code: QRT
version: "q1"
name: Chỉ số tứ phân vị
short_name: QRT
unit: điểm
total_max: 80
years: {from: 2018}
component_word: chỉ số nội dung
additive: true
coordinator: [Sở Nội vụ]
rating:
  kind: quartiles
  components: true
  groups:
    - {label: cao nhất}
    - {label: trung bình cao}
    - {label: trung bình thấp}
    - {label: thấp nhất}
components:
  - {code: "1", name: Nội dung một, max: 40, responsible: [Sở Q]}
  - {code: "2", name: Nội dung hai, max: 40, responsible: [Sở Q]}
"""

ANALYSIS = """
action_year_offset: 1
defaults:
  tolerance: 0.05
  levels: [1]
  min_peers: 4
  strengths: {min_percent: 90, top_share: 0.25, rank_gain: 5, max_listed: 5}
  # largest_losses (the largest loss always said) is tested in test_categories.py
  weaknesses: {bottom_share: 0.25, below_mean_percent: 5, rank_loss: 5, largest_losses: null,
               max_listed: 6}
targets:
  TST: {kind: rank, rank: 2, label: "nhóm {rank} {group} dẫn đầu"}
  QRT: {kind: group, group: trung bình cao, label: "nhóm đạt điểm {rating}"}
"""

SOLUTIONS = """
default: {text: "Khắc phục {name}.", deadline: {kind: ongoing}}
general: ["Nhiệm vụ chung một."]
causes:
  general: {objective: ["Khách quan chung."], subjective: ["Chủ quan chung."]}
  TST: {"2": {subjective: ["Chủ quan lĩnh vực hai."]}}
solutions:
  TST:
    "2": {text: "Giải pháp lĩnh vực hai.", support: [Sở D, Sở X],
          deadline: {kind: quarter, quarter: 3}}
    "1": {text: "Duy trì lĩnh vực một.", for: strength,
          deadline: {kind: date, day: 30, month: 6, year_offset: 1}}
"""


def framework(text: str) -> Framework:
    return parse_framework(parse_yaml(text, "x.yaml"), "x.yaml")


def frameworks(*texts: str) -> Frameworks:
    return Frameworks([framework(t) for t in texts])


def make_rules(tmp_path: Path, analysis: str = ANALYSIS, solutions: str = SOLUTIONS,
               responsible: str = "{}") -> Rules:
    folder = tmp_path / "rules"
    folder.mkdir(exist_ok=True)
    (folder / "analysis.yaml").write_text(analysis, encoding="utf-8")
    (folder / "solutions.yaml").write_text(solutions, encoding="utf-8")
    (folder / "responsible.yaml").write_text(responsible, encoding="utf-8")
    return load_rules(SearchPath((folder,)))


def rows(year: int, index: str, scores: dict[str, dict[str, float]], group: str = GROUP,
         ranks: dict[str, int] | None = None) -> list[dict]:
    """Long-layout rows; ``scores`` is {unit: {component: score}}."""
    out = []
    for unit, comps in scores.items():
        for comp, score in comps.items():
            rank = (ranks or {}).get(unit, "") if comp == "TOTAL" else ""
            out.append({"year": str(year), "index": index, "unit": unit, "component": comp,
                        "score": str(score), "rank": str(rank), "group": group})
    return out


def dataset(data: list[dict], fws: Frameworks) -> Dataset:
    return validate(records_from(data), fws)


def with_total(comps: dict[str, float]) -> dict[str, float]:
    return {**comps, "TOTAL": round(comps["1"] + comps["2"], 2)}


# Year 2024            field 1  field 2  TOTAL   rank
#   Hòa Lâm              9.5      6.0    15.5     4
#   An                   9.0      8.0    17.0     1
#   Bình                 8.0      8.5    16.5     2
#   Cường                7.0      9.0    16.0     3
#   Dũng                 6.0      7.0    13.0     5
# Year 2023
#   Hòa Lâm              9.0      6.47   15.47    4
#   An                   8.0      7.9    15.9     3
#   Bình                 7.0      7.0    14.0     5
#   Cường                8.5      7.8    16.3     1
#   Dũng                 6.5      9.5    16.0     2
Y2024 = {"Hòa Lâm": (9.5, 6.0), "An": (9.0, 8.0), "Bình": (8.0, 8.5), "Cường": (7.0, 9.0),
         "Dũng": (6.0, 7.0)}
Y2023 = {"Hòa Lâm": (9.0, 6.47), "An": (8.0, 7.9), "Bình": (7.0, 7.0), "Cường": (8.5, 7.8),
         "Dũng": (6.5, 9.5)}
# QRT 2024 (Hòa Lâm, Bình, Cường, Dũng, Em; no An): dimensions 20..24, totals 40..48.
QRT2024 = {"Em": 20, "Hòa Lâm": 21, "Bình": 22, "Cường": 23, "Dũng": 24}


def main_rows() -> list[dict]:
    data = []
    for year, table in ((2023, Y2023), (2024, Y2024)):
        data += rows(year, "TST", {u: with_total({"1": a, "2": b}) for u, (a, b) in table.items()})
    data += rows(2024, "TST", {"Hòa Lâm": {"2.1": 3.0, "2.2": 3.0}, "An": {"2.1": 4.0, "2.2": 4.0}})
    data += rows(2024, "QRT", {u: {"1": s, "2": s, "TOTAL": 2 * s} for u, s in QRT2024.items()})
    return data


@pytest.fixture
def fws() -> Frameworks:
    return frameworks(tst_framework(), QRT)


@pytest.fixture
def main(fws: Frameworks) -> Dataset:
    return dataset(main_rows(), fws)


@pytest.fixture
def rules(tmp_path: Path) -> Rules:
    return make_rules(tmp_path)


def index_of(result: UnitAnalysis, code: str) -> IndexAnalysis:
    return next(i for i in result.indices if i.index == code)


def comp_of(index: IndexAnalysis, code: str) -> ComponentAnalysis:
    return next(c for c in index.components if c.code == code)


# --- results, ranks, change ------------------------------------------------------------------

def test_total_rank_change_and_peers(main: Dataset, rules: Rules) -> None:
    result = analyze_unit(prepare(main), "Hòa Lâm", 2024, rules)
    tst = index_of(result, "TST")
    assert (tst.score, tst.max, tst.rank, tst.of) == (15.5, 20.0, 4, 5)
    assert tst.percent == pytest.approx(77.5)  # 15.5 / 20
    assert tst.previous.year == 2023
    assert tst.previous.score == pytest.approx(15.47)
    assert tst.previous.rank == 4
    assert tst.delta_score == pytest.approx(0.03)
    assert tst.delta_rank == 0
    assert tst.direction == Direction.STEADY  # |0.03| < 0.05
    assert tst.rank_direction == Direction.STEADY
    peer = tst.peer
    assert peer.mean == pytest.approx(15.6)  # 78 / 5
    assert peer.median == pytest.approx(16.0)
    assert (peer.max, peer.min) == (17.0, 13.0)
    assert (peer.best_unit, peer.worst_unit) == ("An", "Dũng")
    assert peer.count == 5
    assert peer.mean_previous == pytest.approx(15.534)  # 77.67 / 5
    assert tst.gap_to_mean == pytest.approx(-0.1)
    assert [p.unit for p in tst.peers] == ["An", "Bình", "Cường", "Hòa Lâm", "Dũng"]
    assert [p.rank for p in tst.peers] == [1, 2, 3, 4, 5]
    assert tst.rating.label == "C" and tst.rating.previous_label == "C"
    assert tst.points_lost == pytest.approx(4.5)  # (10 − 9.5) + (10 − 6.0)
    assert tst.history[0].year == 2023 and tst.history[1].rank == 4
    assert tst.rank_published is False


def test_components_and_counts(main: Dataset, rules: Rules) -> None:
    tst = index_of(analyze_unit(main, "Hòa Lâm", 2024, rules), "TST")
    assert [c.code for c in tst.components] == ["1", "2", "2.1", "2.2"]
    one, two = comp_of(tst, "1"), comp_of(tst, "2")
    assert (one.rank, one.of, one.previous_rank, one.delta_rank) == (1, 5, 1, 0)
    assert one.delta_score == pytest.approx(0.5) and one.direction == Direction.UP
    assert two.delta_score == pytest.approx(-0.47) and two.direction == Direction.DOWN
    assert two.previous_percent == pytest.approx(64.7)
    assert two.peer_mean == pytest.approx(7.7)  # (6 + 8 + 8.5 + 9 + 7) / 5
    assert two.gap_to_mean == pytest.approx(-1.7)
    assert (two.best_unit, two.best_score) == ("Cường", 9.0)
    assert two.gap_to_best == pytest.approx(3.0)
    assert two.points_lost == pytest.approx(4.0)
    assert two.responsible == ("Sở C",)  # action year 2025 → the period "from 2025"
    assert tst.counts.to_dict() == {"total": 2, "compared": 2, "up": 1, "down": 1, "same": 0,
                             "rank_up": 0, "rank_down": 0, "rank_same": 2}
    sub = comp_of(tst, "2.1")
    assert (sub.level, sub.parent, sub.analysed) == (2, "2", False)
    assert (sub.rank, sub.of) == (2, 2)
    assert not sub.is_weakness and not sub.weakness_reasons


def test_strengths_and_weaknesses_carry_evidence(main: Dataset, rules: Rules) -> None:
    tst = index_of(analyze_unit(main, "Hòa Lâm", 2024, rules), "TST")
    assert tst.strengths == ("1",) and tst.weaknesses == ("2",)
    strong = tst.strength_details[0]
    # 9.5 / 10 = 95 % ≥ 90 %; top quarter of 5 peers = rank 1.
    assert [r.rule for r in strong.reasons] == ["min_percent", "top_share"]
    assert strong.reasons[0].percent == pytest.approx(95.0)
    assert strong.reasons[1] == ShareReason(ReasonRule.TOP_SHARE, rank=1, of=5, limit=1)
    weak = tst.weakness_details[0]
    assert [r.rule for r in weak.reasons] == ["bottom_share", "below_mean"]
    assert weak.reasons[0] == ShareReason(ReasonRule.BOTTOM_SHARE, rank=5, of=5, limit=5)
    below = weak.reasons[1]
    assert below.gap == pytest.approx(1.7) and below.threshold == pytest.approx(0.5)
    assert weak.impact == pytest.approx(4.0) and weak.impact_measure == ImpactMeasure.POINTS_LOST
    assert comp_of(tst, "2").is_weakness and comp_of(tst, "1").is_strength


def test_score_up_rank_down_is_flagged(main: Dataset, rules: Rules) -> None:
    # An, field 2: 7.9 → 8.0 (+0.1) while its rank goes 2 → 3.
    two = comp_of(index_of(analyze_unit(main, "An", 2024, rules), "TST"), "2")
    assert (two.previous_rank, two.rank, two.delta_rank) == (2, 3, -1)
    assert two.direction == Direction.UP and two.rank_direction == Direction.DOWN
    assert two.mixed == Mixed.SCORE_UP_RANK_DOWN
    # Cường, field 1: 8.5 → 7.0 and rank 2 → 4: both down, nothing to explain.
    one = comp_of(index_of(analyze_unit(main, "Cường", 2024, rules), "TST"), "1")
    assert one.delta_rank == -2 and one.mixed is None


def test_ties_share_the_better_rank(fws: Frameworks, rules: Rules) -> None:
    data = rows(2024, "TST", {"A": {"TOTAL": 18}, "B": {"TOTAL": 17}, "C": {"TOTAL": 17},
                              "D": {"TOTAL": 15}})
    prep = prepare(dataset(data, fws))
    ranks = {u: index_of(analyze_unit(prep, u, 2024, rules), "TST").rank for u in "ABCD"}
    assert ranks == {"A": 1, "B": 2, "C": 2, "D": 4}


def test_published_rank_wins(fws: Frameworks, rules: Rules) -> None:
    data = rows(2024, "TST", {"A": {"TOTAL": 18}, "B": {"TOTAL": 17}, "C": {"TOTAL": 16}},
                ranks={"B": 3})
    tst = index_of(analyze_unit(dataset(data, fws), "B", 2024, rules), "TST")
    assert tst.rank == 3 and tst.rank_published is True
    other = index_of(analyze_unit(dataset(data, fws), "A", 2024, rules), "TST")
    assert other.rank == 1 and other.rank_published is False


def test_a_missing_previous_year_is_said_not_bridged(fws: Frameworks, rules: Rules) -> None:
    # Hòa Lâm has no 2021 result: by default 2022 is not compared with 2020.
    data = rows(2020, "TST", {"Hòa Lâm": {"TOTAL": 12.0}, "X": {"TOTAL": 14.0}})
    data += rows(2021, "TST", {"X": {"TOTAL": 15.0}})
    data += rows(2022, "TST", {"Hòa Lâm": {"TOTAL": 16.0}, "X": {"TOTAL": 15.5}})
    tst = index_of(analyze_unit(dataset(data, fws), "Hòa Lâm", 2022, rules), "TST")
    assert tst.previous is None and tst.delta_score is None and tst.delta_rank is None
    assert tst.missing_previous_year == 2021
    assert any(n.kind == "previous_year_missing" and n.previous_year == 2021 for n in tst.notes)


def test_previous_is_the_nearest_earlier_year_when_asked(fws: Frameworks, rules: Rules) -> None:
    # compare_with: latest_available — 2022 is compared with 2020, which is named.
    data = rows(2020, "TST", {"Hòa Lâm": {"TOTAL": 12.0}, "X": {"TOTAL": 14.0}})
    data += rows(2021, "TST", {"X": {"TOTAL": 15.0}})
    data += rows(2022, "TST", {"Hòa Lâm": {"TOTAL": 16.0}, "X": {"TOTAL": 15.5}})
    latest = dataclasses.replace(rules, compare_with="latest_available")
    tst = index_of(analyze_unit(dataset(data, fws), "Hòa Lâm", 2022, latest), "TST")
    assert tst.previous.year == 2020 and tst.missing_previous_year is None
    assert tst.delta_score == pytest.approx(4.0)  # 16 − 12
    assert tst.delta_rank == 1  # rank 2 in 2020, 1 in 2022
    assert tst.mixed is None


def test_no_previous_year(main: Dataset, rules: Rules) -> None:
    tst = index_of(analyze_unit(main, "Hòa Lâm", 2023, rules), "TST")
    assert tst.previous is None
    assert tst.delta_score is None and tst.delta_rank is None and tst.direction is None


def test_methodology_change_gives_no_change_figures(rules: Rules) -> None:
    fws = frameworks(tst_framework("v1", 2018, 2021), tst_framework("v2", 2022))
    data = rows(2021, "TST", {"Hòa Lâm": with_total({"1": 8, "2": 7}),
                              "X": with_total({"1": 9, "2": 9})})
    data += rows(2022, "TST", {"Hòa Lâm": with_total({"1": 9, "2": 9}),
                               "X": with_total({"1": 8, "2": 7})})
    tst = index_of(analyze_unit(dataset(data, fws), "Hòa Lâm", 2022, rules), "TST")
    assert tst.methodology_changed is True
    assert tst.previous.version == "v1" and tst.version == "v2"
    assert tst.delta_score is None and tst.delta_rank is None
    assert tst.direction is None and tst.mixed is None
    assert tst.methodology_note == Note(NoteKind.METHODOLOGY_CHANGED, index="TST", year=2022,
                                        version="v2", previous_year=2021, previous_version="v1")
    assert all(c.delta_score is None and c.previous_score is None
               for c in tst.components)
    assert tst.counts.compared == 0


def test_unit_alone_in_its_group(fws: Frameworks, rules: Rules) -> None:
    data = main_rows() + rows(2024, "QRT", {"Sở Lẻ": {"1": 30, "2": 30, "TOTAL": 60}},
                              group="Khối riêng")
    result = analyze_unit(dataset(data, fws), "Sở Lẻ", 2024, rules)
    qrt = index_of(result, "QRT")
    assert (qrt.rank, qrt.of) == (1, 1)
    assert qrt.rating is None and comp_of(qrt, "1").rating is None
    assert qrt.target is None
    notes = (Note(NoteKind.ALONE_IN_GROUP, unit="Sở Lẻ", index="QRT", group="Khối riêng", year=2024),
             Note(NoteKind.TARGET_WITHOUT_PEERS, index="QRT"))
    assert qrt.notes == notes and result.notes == notes
    assert qrt.weaknesses == () and qrt.strengths == ()
    assert result.group == "Khối riêng" and result.missing_indices == ()


def test_quartile_rating_and_group_target(main: Dataset, rules: Rules) -> None:
    qrt = index_of(analyze_unit(main, "Hòa Lâm", 2024, rules), "QRT")
    # Totals 40, 42, 44, 46, 48: 25th/50th/75th percentiles (inclusive) = 42, 44, 46.
    assert qrt.peer.quartiles == (42.0, 44.0, 46.0)
    assert qrt.rating.label == "trung bình thấp"  # 42 ≥ 42 and < 44
    # Dimension 1: 20..24 → 21, 22, 23; Hòa Lâm 21 → trung bình thấp.
    assert comp_of(qrt, "1").rating.label == "trung bình thấp"
    assert qrt.rating_counts.current["trung bình thấp"] == 2
    target = qrt.target
    assert target.score_needed == pytest.approx(44.0)
    assert target.points_missing == pytest.approx(2.0)
    assert target.rank == 3 and target.places_to_gain == 1  # 46 and 48 above 44
    assert target.label == "nhóm đạt điểm trung bình cao" and not target.reached


def test_rank_target_gap(main: Dataset, rules: Rules) -> None:
    target = index_of(analyze_unit(main, "Hòa Lâm", 2024, rules), "TST").target
    assert target.kind == "rank" and target.rank == 2
    assert target.label == "nhóm 2 tỉnh dẫn đầu"
    assert target.unit_at_rank == "Bình"
    assert target.score_needed == pytest.approx(16.5)
    assert target.points_missing == pytest.approx(1.0)  # 16.5 − 15.5
    assert target.reached is False
    assert [r.code for r in target.recoverable] == ["2", "1"]
    assert target.recoverable[0].gap_to_best == pytest.approx(3.0)  # 9.0 − 6.0
    assert target.recoverable[0].recover_to_previous == pytest.approx(0.47)
    assert target.recover_to_previous_total == pytest.approx(0.47)
    reached = index_of(analyze_unit(main, "An", 2024, rules), "TST").target
    assert reached.reached is True and reached.points_missing == 0.0


def test_missing_indices(main: Dataset, rules: Rules) -> None:
    result = analyze_unit(main, "An", 2024, rules)
    assert [i.index for i in result.indices] == ["TST"]
    assert result.missing_indices == ("QRT",)
    assert result.missing_index_codes == ("QRT",)


def test_total_derived_from_components(fws: Frameworks, rules: Rules) -> None:
    data = rows(2024, "TST", {"A": {"1": 7.0, "2": 6.5}, "B": {"1": 9.0, "2": 9.0}})
    tst = index_of(analyze_unit(dataset(data, fws), "A", 2024, rules), "TST")
    assert tst.total_derived is True
    assert tst.score == pytest.approx(13.5) and tst.rank == 2
    assert tst.notes == (Note(NoteKind.TOTAL_DERIVED, index="TST", component_word="lĩnh vực"),)


# --- responsibility, solutions, causes --------------------------------------------------------

def test_responsibility_grouped_per_unit_with_override(main: Dataset, tmp_path: Path) -> None:
    rules = make_rules(tmp_path, responsible='TST: {"2": [Sở X, Sở Y]}')
    result = analyze_unit(main, "Hòa Lâm", 2024, rules)
    table = result.responsibility
    assert [r.unit for r in table] == ["Sở X", "Sở Y"]
    first = table[0]
    assert first.points_lost == pytest.approx(4.0) and first.places_lost == 0
    assert [(c.index, c.code) for c in first.components] == [("TST", "2")]
    assert first.components[0].shared_with == ("Sở Y",)
    assert comp_of(index_of(result, "TST"), "2").responsible == ("Sở X", "Sở Y")


def test_responsibility_sorted_by_points_lost(fws: Frameworks, tmp_path: Path) -> None:
    # Two weak fields: field 1 loses 10 − 2 = 8 points (Sở A), field 2 loses 10 − 5 = 5 (Sở C).
    data = rows(2024, "TST", {"Yếu": with_total({"1": 2, "2": 5}),
                              **{u: with_total({"1": 9, "2": 9}) for u in ("P", "Q", "R")}})
    result = analyze_unit(dataset(data, fws), "Yếu", 2024, make_rules(tmp_path))
    assert [(r.unit, r.points_lost) for r in result.responsibility] == [
        ("Sở A", 8.0), ("Sở C", 5.0)]
    assert index_of(result, "TST").weaknesses == ("1", "2")  # impact order


def test_joint_grouping(main: Dataset, tmp_path: Path) -> None:
    analysis = ANALYSIS + "responsibility: {grouping: joint}\n"
    rules = make_rules(tmp_path, analysis=analysis, responsible='TST: {"2": [Sở X, Sở Y]}')
    table = analyze_unit(main, "Hòa Lâm", 2024, rules).responsibility
    assert [r.unit for r in table] == ["Sở X; Sở Y"]


def test_solutions_use_the_action_year(main: Dataset, tmp_path: Path) -> None:
    rules = make_rules(tmp_path, responsible='TST: {"2": [Sở X, Sở Y]}')
    result = analyze_unit(main, "Hòa Lâm", 2024, rules)
    assert result.action_year == 2025
    tst_solutions = [s for s in result.solutions if s.index == "TST"]
    assert [(s.code, s.kind) for s in tst_solutions] == [("2", "weakness"), ("1", "strength")]
    fix, keep = tst_solutions
    assert fix.text == "Giải pháp lĩnh vực hai."
    assert fix.lead == ("Sở X", "Sở Y")  # default lead = responsible units
    assert fix.support == ("Sở D",)  # Sở X already leads
    assert fix.deadline == {"kind": "quarter", "quarter": 3, "year": 2025}
    assert fix.points_lost == pytest.approx(4.0)
    assert keep.maintain is True
    assert keep.deadline == {"kind": "date", "day": 30, "month": 6, "year": 2026}
    assert result.general_tasks == ("Nhiệm vụ chung một.",)


def test_solution_fallback_when_library_is_silent(main: Dataset, rules: Rules) -> None:
    # QRT has no library entry: the "default" entry is used, with the name filled in.
    qrt = [s for s in analyze_unit(main, "Em", 2024, rules).solutions if s.index == "QRT"]
    assert qrt and qrt[0].from_library is False
    assert qrt[0].text == "Khắc phục Nội dung một."
    assert qrt[0].deadline == {"kind": "ongoing", "year": 2025}


def test_causes_for_weak_components(main: Dataset, rules: Rules) -> None:
    causes = analyze_unit(main, "Hòa Lâm", 2024, rules).causes
    assert [c.text for c in causes.objective] == ["Khách quan chung."]
    assert [c.text for c in causes.subjective] == ["Chủ quan chung.",
                                                         "Chủ quan lĩnh vực hai."]
    assert causes.subjective[1].code == "2"


# --- lookup ------------------------------------------------------------------------------------

def test_find_unit(main: Dataset) -> None:
    assert find_unit(main, "Hòa Lâm") == "Hòa Lâm"
    assert find_unit(main, "hoa lam") == "Hòa Lâm"
    assert find_unit(prepare(main), "Tỉnh Hòa Lâm") == "Hòa Lâm"
    with pytest.raises(LookupFailed) as err:
        find_unit(main, "Hòa Lam Xa")
    assert "Không tìm thấy đơn vị 'Hòa Lam Xa'" in str(err.value)
    assert "Có phải" in str(err.value) and "Hòa Lâm" in str(err.value)


def test_check_year(main: Dataset) -> None:
    check_year(main, "Hòa Lâm", 2024)
    with pytest.raises(LookupFailed) as err:
        check_year(main, "Hòa Lâm", 2019)
    assert "2023, 2024" in str(err.value)
    with pytest.raises(LookupFailed):
        analyze_unit(main, "Em", 2023, load_rules_default())


def load_rules_default() -> Rules:
    return load_rules(SearchPath((SearchPath.build().default_dir,)))


# --- contract ----------------------------------------------------------------------------------

CONTRACT_INDEX = ("index", "name", "score", "max", "percent", "rank", "of", "previous",
                  "delta_score", "delta_rank", "group_label", "peer", "components", "strengths",
                  "weaknesses", "target")
CONTRACT_COMPONENT = ("code", "name", "score", "max", "percent", "rank", "of", "delta_score",
                      "delta_rank", "responsible")


def assert_contract(analysis: UnitAnalysis) -> None:
    """The keys of PRODUCT.md are all present and ``to_dict()`` (the JSON the ``analyze``
    command prints) is plain JSON."""
    result = analysis.to_dict()
    json.dumps(result, ensure_ascii=False, allow_nan=False)
    assert {"unit", "year", "indices"} <= set(result)
    for index in result["indices"]:
        assert set(CONTRACT_INDEX) <= set(index)
        assert {"mean", "median", "max", "min", "best_unit"} <= set(index["peer"])
        if index["previous"] is not None:
            assert {"year", "score", "rank"} <= set(index["previous"])
        if index["target"] is not None:
            assert {"label", "rank", "score_needed", "points_missing"} <= set(index["target"])
        for comp in index["components"]:
            assert set(CONTRACT_COMPONENT) <= set(comp)


def test_contract_on_hand_made_data(main: Dataset, rules: Rules) -> None:
    prep = prepare(main)
    for unit in main.units:
        for year in sorted(prep.unit_years[unit]):
            assert_contract(analyze_unit(prep, unit, year, rules))


def test_every_unit_and_year_of_the_sample() -> None:
    from reportgen.app import load_dataset, open_project

    project = open_project()
    try:
        data = load_dataset(project)
    except DataError as exc:  # a broken bundled sample is a failure, never a skip
        pytest.fail(f"the bundled sample does not validate: {exc}")
    rules = load_rules(project.search)
    prep = prepare(data)
    for unit in data.units:
        for year in sorted(prep.unit_years[unit]):
            assert_contract(analyze_unit(prep, unit, year, rules))


# --- rules that depend on change and on conflicts -------------------------------------------------

def test_rank_gain_and_rank_loss_reasons(main: Dataset, tmp_path: Path) -> None:
    analysis = ANALYSIS.replace("rank_gain: 5", "rank_gain: 3").replace("rank_loss: 5",
                                                                       "rank_loss: 2")
    rules = make_rules(tmp_path, analysis=analysis)
    # Cường, field 1: rank 2 (2023) → 4 (2024), fell 2 places.
    one = comp_of(index_of(analyze_unit(main, "Cường", 2024, rules), "TST"), "1")
    loss = [r for r in one.weakness_reasons if r.rule == "rank_loss"]
    assert [r.to_dict() for r in loss] == [{"rule": "rank_loss", "rank": 4, "previous_rank": 2,
                                            "delta_rank": -2, "threshold": 2}]
    # Bình, total: rank 5 (14.0) → 2 (16.5), up 3 places, not in the top quarter of 5:
    # progress, not a strength (a rise alone is not a good level).
    tst = index_of(analyze_unit(main, "Bình", 2024, rules), "TST")
    assert tst.delta_rank == 3
    gain = [r for r in tst.assessment.strength_reasons if r.rule == "rank_gain"]
    assert gain and gain[0].previous_rank == 5
    assert tst.assessment.category == "progress" and not tst.assessment.is_strength


def conflict_rows() -> list[dict]:
    # "Cao" scores 9.1/10 (91 %) in field 1 but is last of 5: both kinds of rules hold.
    # Peer mean (9.1 + 4 × 9.6) / 5 = 9.5: 0.4 below it, under the 0.5 threshold.
    return rows(2024, "TST", {"Cao": with_total({"1": 9.1, "2": 9}),
                              **{u: with_total({"1": 9.6, "2": 9}) for u in "PQRS"}})


@pytest.mark.parametrize(("choice", "above_mean", "strong", "weak"), [
    ("weakness", "true", False, True),
    # a strength is never below the group mean: with above_mean (the default) the conflict
    # is settled by the mean (0.4 below it) whatever on_conflict says
    ("strength", "true", False, True),
    ("strength", "false", True, False)])
def test_conflict_resolution(fws: Frameworks, tmp_path: Path, choice: str, above_mean: str,
                             strong: bool, weak: bool) -> None:
    analysis = ANALYSIS.replace("min_peers: 4", f"min_peers: 4\n  on_conflict: {choice}").replace(
        "rank_gain: 5,", f"rank_gain: 5, above_mean: {above_mean},")
    result = analyze_unit(dataset(conflict_rows(), fws), "Cao", 2024,
                          make_rules(tmp_path, analysis=analysis))
    one = comp_of(index_of(result, "TST"), "1")
    assert [r.rule for r in one.strength_reasons] == ["min_percent"]
    assert [r.rule for r in one.weakness_reasons] == ["bottom_share"]
    assert (one.is_strength, one.is_weakness) == (strong, weak)


def test_max_listed_keeps_the_biggest_losses(fws: Frameworks, tmp_path: Path) -> None:
    analysis = ANALYSIS.replace("max_listed: 6", "max_listed: 1")
    data = rows(2024, "TST", {"Yếu": with_total({"1": 2, "2": 5}),
                              **{u: with_total({"1": 9, "2": 9}) for u in ("P", "Q", "R")}})
    tst = index_of(analyze_unit(dataset(data, fws), "Yếu", 2024,
                                make_rules(tmp_path, analysis=analysis)), "TST")
    assert tst.weaknesses == ("1",)  # loses 8 points, field 2 only 5
    assert not comp_of(tst, "2").is_weakness and comp_of(tst, "2").weakness_reasons


def test_index_with_only_a_total(fws: Frameworks, tmp_path: Path) -> None:
    solutions = SOLUTIONS + '    TOTAL: {text: "Giải pháp chung TST.", deadline: {kind: ongoing}}\n'
    data = rows(2024, "TST", {"Cuối": {"TOTAL": 10.0}, "P": {"TOTAL": 18.0},
                              "Q": {"TOTAL": 17.0}, "R": {"TOTAL": 16.0}})
    result = analyze_unit(dataset(data, fws), "Cuối", 2024,
                          make_rules(tmp_path, solutions=solutions))
    tst = index_of(result, "TST")
    assert tst.components == () and tst.assessment.is_weakness
    assert tst.points_lost == pytest.approx(10.0)  # 20 − 10
    assert [(s.code, s.text, s.lead) for s in result.solutions] == [
        ("TOTAL", "Giải pháp chung TST.", ("Sở Nội vụ",))]
    assert [r.unit for r in result.responsibility] == ["Sở Nội vụ"]


def test_solutions_for_every_losing_component(main: Dataset, tmp_path: Path) -> None:
    # Bình 2024 has neither strengths nor weaknesses: field 1 = 8.0 (rank 3, above the mean
    # 7.9), field 2 = 8.5 (rank 2, above the mean 7.7). It still loses 2.0 and 1.5 points.
    assert [s for s in analyze_unit(main, "Bình", 2024, make_rules(tmp_path)).solutions
            if s.index == "TST"] == []
    analysis = ANALYSIS.replace(
        "  weaknesses:", "  solutions: {for: losing, maintain_strengths: false}\n  weaknesses:")
    result = analyze_unit(main, "Bình", 2024, make_rules(tmp_path, analysis=analysis))
    tst = [s for s in result.solutions if s.index == "TST"]
    assert [(s.code, s.points_lost) for s in tst] == [("1", 2.0), ("2", 1.5)]
    assert tst[0].text == "Khắc phục Lĩnh vực một." and not tst[0].from_library
    assert tst[1].text == "Giải pháp lĩnh vực hai."
