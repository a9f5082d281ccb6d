"""The typed analysis (``reportgen.analysis.model``): construction, ``to_dict`` (the JSON the
``analyze`` command prints, with the keys it has always had), immutability, pickling; the
decisions moved out of the phrase files (which components lost most, full marks, shares,
biggest fall and rise, rank span…), each checked against numbers worked out by hand from the
rows below; and the phrase files wording the language-neutral values (directions, notes, no
responsible body).
"""

from __future__ import annotations

import dataclasses
import json
import pickle
from pathlib import Path
from typing import Any

import pytest

from reportgen.analysis.group import group_overview
from reportgen.analysis.model import (
    ActionKind,
    ComponentAnalysis,
    Deadline,
    DeadlineKind,
    Direction,
    FrozenMap,
    GroupAnalysis,
    IndexAnalysis,
    Mixed,
    Note,
    NoteKind,
    RankSpan,
    UnitAnalysis,
)
from reportgen.analysis.unit import analyze_unit, prepare
from reportgen.config.frameworks import Frameworks, parse_framework
from reportgen.config.rules import Rules, load_rules
from reportgen.config.search import SearchPath, packaged_dir
from reportgen.config.yamlio import parse_yaml
from reportgen.data.load import records_from
from reportgen.data.validate import Dataset, validate
from reportgen.narrate.phrases import Phrases, phrase_environment

# An additive index of five fields of 10 points; field 4 is split in two criteria of 5. Field 3
# has a responsible body, field 4 none (and the index no coordinator): nobody is named for it.
FRAMEWORK = """
code: DEC
version: "v1"
name: Chỉ số kiểm thử
short_name: DEC
unit: điểm
total_max: 50
years: {from: 2018}
component_word: lĩnh vực
additive: true
coordinator: []
rating:
  kind: thresholds
  basis: percent
  groups:
    - {label: A, min: 90, description: từ 90% trở lên}
    - {label: B, min: 80, description: từ 80% đến dưới 90%}
    - {label: C, min: 70, description: từ 70% đến dưới 80%}
    - {label: D, min: 0, description: dưới 70%}
components:
  - {code: "1", name: Lĩnh vực một, max: 10, responsible: [Sở A]}
  - {code: "2", name: Lĩnh vực hai, max: 10, responsible: [Sở A]}
  - {code: "3", name: Lĩnh vực ba, max: 10, responsible: [Sở X]}
  - {code: "4", name: Lĩnh vực bốn, max: 10}
  - {code: "4.1", parent: "4", name: Tiêu chí 4.1, max: 5}
  - {code: "4.2", parent: "4", name: Tiêu chí 4.2, max: 5}
  - {code: "5", name: Lĩnh vực năm, max: 10, responsible: [Sở B]}
"""

# Strengths only by percent (≥ 90 %), weaknesses only by percent (< 70 %): the flags follow
# from the scores alone. Target: rank 1.
ANALYSIS = """
action_year_offset: 1
defaults:
  tolerance: 0.05
  levels: [1]
  min_peers: 4
  strengths: {min_percent: 90, top_share: null, rank_gain: null, max_listed: 5}
  weaknesses: {bottom_share: null, below_mean_percent: null, rank_loss: null, max_percent: 70,
               max_listed: 6}
targets:
  DEC: {kind: rank, rank: 1, label: "nhóm dẫn đầu"}
"""

SOLUTIONS = """
default: {text: "Khắc phục {name}.", deadline: {kind: quarter, quarter: 3}}
"""

#            field 1  field 2  field 3  field 4 (4.1 + 4.2)  field 5   TOTAL  rank
# 2024  U      10      9.5      6.0      5.0 (2.0 + 3.0)     8.0     38.5    2
#       P1      9      9        5        8   (4 + 4)         9       40      1
#       P2      8      8        5.5      7   (3.5 + 3.5)     8.5     37      3
#       P3      7      7        4        6   (3 + 3)         4       28      4
#       P4      6      6        3        5.5 (3 + 2.5)       3       23.5    5
# 2023  U       9      9.9      7.5      5.0 (2.5 + 2.5)     6.0     37.4    3
#       P1      9.5    9.5      9        8                   5       41      1
#       P2      9      9        9        8                   5.5     40.5    2
#       P3      7      7        8        6                   4       32      4
#       P4      6      6        8        5                   3       28      5
# 2022 (totals only): P1 35, P2 34, P3 32, U 30, P4 10 → U 4th.
Y2024 = {"U": (10, 9.5, 6.0, (2.0, 3.0), 8.0), "P1": (9, 9, 5, (4, 4), 9),
         "P2": (8, 8, 5.5, (3.5, 3.5), 8.5), "P3": (7, 7, 4, (3, 3), 4),
         "P4": (6, 6, 3, (3, 2.5), 3)}
Y2023 = {"U": (9, 9.9, 7.5, (2.5, 2.5), 6.0), "P1": (9.5, 9.5, 9, None, 5),
         "P2": (9, 9, 9, None, 5.5), "P3": (7, 7, 8, None, 4), "P4": (6, 6, 8, None, 3)}
Y2023_F4 = {"U": 5.0, "P1": 8, "P2": 8, "P3": 6, "P4": 5}
Y2022 = {"P1": 35, "P2": 34, "P3": 32, "U": 30, "P4": 10}
GROUP = "Nhóm thử"


def _rows() -> list[dict[str, str]]:
    out = []

    def add(year: int, unit: str, comp: str, score: float) -> None:
        out.append({"year": str(year), "index": "DEC", "unit": unit, "component": comp,
                    "score": str(score), "group": GROUP})

    for year, table in ((2024, Y2024), (2023, Y2023)):
        for unit, (f1, f2, f3, f4, f5) in table.items():
            four = sum(f4) if f4 else Y2023_F4[unit]
            for comp, score in (("1", f1), ("2", f2), ("3", f3), ("4", four), ("5", f5)):
                add(year, unit, comp, score)
            if f4:
                add(year, unit, "4.1", f4[0])
                add(year, unit, "4.2", f4[1])
            add(year, unit, "TOTAL", round(f1 + f2 + f3 + four + f5, 2))
    for unit, total in Y2022.items():
        add(2022, unit, "TOTAL", total)
    return out


@pytest.fixture(scope="module")
def rules(tmp_path_factory: pytest.TempPathFactory) -> Rules:
    folder = tmp_path_factory.mktemp("rules")
    (folder / "analysis.yaml").write_text(ANALYSIS, encoding="utf-8")
    (folder / "solutions.yaml").write_text(SOLUTIONS, encoding="utf-8")
    (folder / "responsible.yaml").write_text("{}", encoding="utf-8")
    return load_rules(SearchPath((folder,)))


@pytest.fixture(scope="module")
def data() -> Dataset:
    framework = parse_framework(parse_yaml(FRAMEWORK, "dec.yaml"), "dec.yaml")
    return validate(records_from(_rows()), Frameworks([framework]))


@pytest.fixture(scope="module")
def analysis(data: Dataset, rules: Rules) -> UnitAnalysis:
    return analyze_unit(prepare(data), "U", 2024, rules)


@pytest.fixture(scope="module")
def dec(analysis: UnitAnalysis) -> IndexAnalysis:
    found = analysis.index("DEC")
    assert found is not None
    return found


@pytest.fixture(scope="module")
def overview(data: Dataset, rules: Rules) -> GroupAnalysis:
    return group_overview(prepare(data), 2024, GROUP, rules)


@pytest.fixture(scope="module")
def phrases() -> Phrases:
    return Phrases.load(SearchPath((packaged_dir(),)))


def comp(index: IndexAnalysis, code: str) -> ComponentAnalysis:
    found = index.component(code)
    assert found is not None
    return found


def codes(items: tuple[Any, ...]) -> list[str]:
    return [c.code for c in items]


# --- construction, immutability, pickling -------------------------------------------------

def test_the_analysis_is_typed_and_read_only(analysis: UnitAnalysis, dec: IndexAnalysis) -> None:
    assert isinstance(dec.components[0], ComponentAnalysis)
    assert (dec.score, dec.max, dec.rank, dec.of) == (38.5, 50.0, 2, 5)
    assert dec.direction is Direction.UP and dec.direction == "up"  # 37.4 → 38.5
    with pytest.raises(dataclasses.FrozenInstanceError):
        dec.score = 50.0  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        comp(dec, "1").is_strength = False  # type: ignore[misc]
    assert isinstance(dec.components, tuple) and isinstance(analysis.solutions, tuple)
    assert isinstance(comp(dec, "3").responsible, tuple)
    lost = analysis.responsibility[0].points_lost_by_index
    assert isinstance(lost, FrozenMap)
    with pytest.raises(TypeError):
        lost["DEC"] = 0.0  # type: ignore[index]


def test_a_phrase_template_cannot_change_a_figure(phrases: Phrases, analysis: UnitAnalysis) -> None:
    env = phrases.env
    with pytest.raises(Exception, match="append"):
        env.from_string("{{ a.indices.append(1) }}").render(a=analysis)
    with pytest.raises(Exception, match="__setattr__|unsafe"):
        env.from_string("{{ a.__setattr__('unit', 'X') }}").render(a=analysis)
    # attribute and item syntax both reach the fields
    text = env.from_string("{{ a.indices[0].score }} {{ a['indices'][0]['rank'] }}").render(a=analysis)
    assert text == "38.5 2"


def test_the_analysis_pickles(analysis: UnitAnalysis, overview: GroupAnalysis) -> None:
    for value in (analysis, overview):
        back = pickle.loads(pickle.dumps(value))
        assert back == value and back.to_dict() == value.to_dict()
        assert type(back) is type(value)
    deadline = pickle.loads(pickle.dumps(analysis.solutions[0].deadline))
    assert isinstance(deadline, Deadline) and deadline == analysis.solutions[0].deadline


# --- to_dict: the analyze JSON ----------------------------------------------------------------

TOP_KEYS = ["unit", "year", "action_year", "group", "groups", "indices", "missing_indices",
            "missing_index_codes", "responsibility", "solutions", "general_tasks", "causes",
            "notes", "rank_only", "remarks"]
INDEX_KEYS = ["index", "name", "short_name", "version", "year", "group", "unit", "component_unit",
              "component_word", "additive", "coordinator", "total_derived", "score", "max",
              "percent", "rank", "of", "rank_published", "rank_basis", "loaded", "peer_basis",
              "tied_with", "delta_score", "delta_rank", "direction",
              "rank_direction", "mixed", "peer_mean", "peer_mean_percent", "peer_median",
              "gap_to_mean", "best_score", "best_unit", "gap_to_best", "previous",
              "methodology_changed", "methodology_note", "group_label", "rating", "peer", "peers",
              "history", "gap_to_mean_previous", "points_lost", "counts", "rating_counts",
              "order", "components", "strengths", "weaknesses", "strength_details",
              "weakness_details", "assessment", "target", "notes", "method", "legal_basis",
              "missing_previous_year", "loss_measure", "remarks", "previous_basis",
              "predecessors", "formed", "progress", "declines"]
COMPONENT_KEYS = ["code", "name", "short_name", "parent", "level", "analysed", "score", "max",
                  "percent", "rank", "of", "rank_published", "rank_basis", "loaded",
                  "peer_basis", "tied_with", "previous_score", "previous_max",
                  "previous_percent", "previous_rank", "previous_of", "delta_score",
                  "delta_rank", "direction", "rank_direction", "mixed", "peer_mean",
                  "peer_mean_percent", "peer_median", "gap_to_mean", "best_score", "best_unit",
                  "gap_to_best", "points_lost", "rating", "responsible", "strength_reasons",
                  "weakness_reasons", "is_strength", "is_weakness", "category",
                  "previous_basis"]
PEER_KEYS = ["mean", "median", "max", "min", "best_unit", "worst_unit", "best_score",
             "worst_score", "count", "quartiles", "mean_previous", "count_previous", "delta_mean",
             "size", "complete", "basis", "leader_basis", "worst_basis", "source"]
TARGET_KEYS = ["kind", "label", "rank", "group", "score_needed", "points_missing", "reached",
               "basis_year", "unit_at_rank", "current_score", "current_rank", "places_to_gain",
               "recoverable", "recover_to_previous_total", "recover_to_previous_codes",
               "places", "steps", "sources"]
FIGURE_KEYS = ["index", "index_short_name", "additive", "component_unit", "code", "name",
               "short_name", "score", "max", "percent", "rank", "of", "points_lost",
               "delta_score", "delta_rank", "direction", "rank_direction", "mixed", "rating"]


def test_to_dict_keeps_the_keys_of_the_analyze_json(analysis: UnitAnalysis) -> None:
    out = analysis.to_dict()
    assert list(out) == TOP_KEYS
    index = out["indices"][0]
    assert list(index) == INDEX_KEYS
    assert list(index["components"][0]) == COMPONENT_KEYS
    assert list(index["peer"]) == PEER_KEYS  # delta_mean: added (more keys may be added)
    assert list(index["target"]) == TARGET_KEYS
    assert list(index["previous"]) == ["year", "score", "max", "percent", "rank", "of",
                                       "version", "group", "basis", "method", "weighted_by",
                                       "predecessors", "since", "source"]
    assert list(index["rating"]) == ["label", "description", "kind", "previous_label"]
    assert list(out["responsibility"][0]) == ["unit", "components", "points_lost",
                                              "places_lost", "points_lost_by_index", "indices",
                                              "demand", "coordinates"]
    assert list(out["responsibility"][0]["components"][0]) == [
        *FIGURE_KEYS, "shared_with", "loss_measure", "gap_to_mean", "level", "first_lead",
        "field_name", "field_code", "criteria"]
    assert list(out["solutions"][0]) == [*FIGURE_KEYS, "kind", "maintain", "from_library",
                                         "text", "lead", "support", "deadline", "grouped"]
    assert out["solutions"][0]["deadline"] == {"kind": "quarter", "quarter": 3, "year": 2025}
    assert list(out["causes"]) == ["objective", "subjective"]
    # plain JSON: enums as their values, tuples as lists
    assert index["direction"] == "up" and index["components"][2]["mixed"] == "score_down_rank_up"
    assert isinstance(index["components"], list)
    assert json.loads(json.dumps(out, allow_nan=False)) == out


def test_the_analyze_command_prints_to_dict(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from reportgen.app import analyze, load_dataset, open_project
    from reportgen.cli import app

    result = CliRunner().invoke(app, ["analyze", "--unit", "Sở Tư pháp", "--year", "2024"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output)
    expected = analyze(None, "Sở Tư pháp", 2024)
    assert printed == json.loads(json.dumps(expected.to_dict()))
    assert set(TOP_KEYS) == set(printed)
    assert list(printed["indices"][0]) == INDEX_KEYS
    assert load_dataset(open_project()).units  # the sample is what the command read


def test_notes_are_a_kind_and_their_parameters() -> None:
    note = Note(NoteKind.TOTAL_DERIVED, index="PAR INDEX", component_word="lĩnh vực")
    assert note.to_dict() == {"kind": "total_derived", "index": "PAR INDEX",
                              "component_word": "lĩnh vực"}


def test_the_batch_hash_follows_to_dict(analysis: UnitAnalysis) -> None:
    from reportgen.batch.jobs import UnitJob

    job = UnitJob("U", analysis, {"DEC": "nguồn"}, False)
    same = UnitJob("U", pickle.loads(pickle.dumps(analysis)), {"DEC": "nguồn"}, False)
    assert job.digest("kit") == same.digest("kit")
    changed = dataclasses.replace(analysis, action_year=2030)
    assert UnitJob("U", changed, {"DEC": "nguồn"}, False).digest("kit") != job.digest("kit")


# --- the decisions the phrase files used to make ------------------------------------------------

def test_strengths_full_marks_and_order(dec: IndexAnalysis) -> None:
    # 10/10 = 100 % and 9.5/10 = 95 % are ≥ 90 %; the other fields are not.
    assert codes(dec.top_components) == ["1", "2", "3", "4", "5"]
    assert codes(dec.top_strengths) == ["1", "2"]
    assert codes(dec.top_strengths_by_percent) == ["1", "2"]
    assert comp(dec, "1").full_marks and not comp(dec, "2").full_marks
    # 6/10 = 60 % and 5/10 = 50 % are < 70 %: weaknesses, framework order and impact order
    assert codes(dec.top_weaknesses) == ["3", "4"]
    assert dec.weaknesses == ("4", "3")  # 5 points lost, then 4


def test_the_components_that_lost_most(dec: IndexAnalysis) -> None:
    # lost: field 1 0, field 2 0.5, field 3 4, field 4 5, field 5 2 → total 11.5
    assert dec.points_lost == pytest.approx(11.5)
    assert codes(dec.most_lost) == ["4", "3", "5"]
    assert dec.most_lost_points == pytest.approx(11.0)  # 5 + 4 + 2
    assert dec.most_lost_share == pytest.approx(100 * 11 / 11.5, abs=1e-6)  # 95.65 %
    # field 4's criteria: 4.1 lost 5 − 2 = 3, 4.2 lost 5 − 3 = 2
    assert codes(dec.losing_parts(comp(dec, "4"))) == ["4.1", "4.2"]
    assert dec.losing_parts(comp(dec, "1")) == ()


def test_lowest_and_highest_component(dec: IndexAnalysis) -> None:
    # percents: 100, 95, 60, 50, 80
    assert dec.lowest_component is comp(dec, "4")
    assert dec.highest_component is comp(dec, "1")
    assert dec.low_high_gap == pytest.approx(5.0)  # 10 − 5


def test_biggest_fall_and_rise(dec: IndexAnalysis) -> None:
    # changes: +1.0, −0.4, −1.5, 0, +2.0
    assert codes(dec.compared_components) == ["1", "2", "3", "4", "5"]
    assert dec.biggest_fall is comp(dec, "3")
    assert dec.biggest_rise is comp(dec, "5")
    assert (dec.counts.up, dec.counts.down, dec.counts.same) == (2, 2, 1)


def test_score_and_rank_moving_apart(dec: IndexAnalysis) -> None:
    # field 3: 7.5 → 6.0 but 5th → 1st; field 5: 6.0 → 8.0 but 1st → 3rd
    three, five = comp(dec, "3"), comp(dec, "5")
    assert (three.direction, three.delta_rank, three.mixed) == (Direction.DOWN, 4,
                                                                Mixed.SCORE_DOWN_RANK_UP)
    assert (five.direction, five.delta_rank, five.mixed) == (Direction.UP, -2,
                                                             Mixed.SCORE_UP_RANK_DOWN)
    assert codes(dec.mixed_components) == ["3", "5"]
    assert dec.any_score_up_rank_down


def test_the_total_against_last_year_and_the_peers(dec: IndexAnalysis) -> None:
    # 37.4 (3rd) → 38.5 (2nd)
    assert dec.delta_score == pytest.approx(1.1) and dec.delta_rank == 1
    assert dec.improved and not dec.declined
    # peer mean 167 / 5 = 33.4, last year 178.9 / 5 = 35.78
    assert dec.peer.delta_mean == pytest.approx(-2.38)
    assert dec.peer.mean_direction is Direction.DOWN
    assert dec.peer_mean_compared
    assert not dec.peers_rose_faster  # −2.38 is not above +1.1
    assert dec.above_mean and dec.gap_to_mean == pytest.approx(5.1)
    assert not dec.rating_changed  # 74.8 % and 77 %: C both years


def test_rating_change_of_a_peer(data: Dataset, rules: Rules) -> None:
    # P2: 40.5 / 50 = 81 % (B) → 37 / 50 = 74 % (C)
    p2 = analyze_unit(prepare(data), "P2", 2024, rules).indices[0]
    assert (p2.rating.label, p2.rating.previous_label) == ("C", "B")  # type: ignore[union-attr]
    assert p2.rating_changed and p2.declined


def test_rank_span_over_the_years(dec: IndexAnalysis) -> None:
    # ranks 4 (2022), 3 (2023), 2 (2024): this year's is the best of the period
    assert dec.rank_span == RankSpan(first_year=2022, last_year=2024, best=2, worst=4,
                                     current_is_best=True, current_is_worst=False)


def test_rank_span_needs_three_ranked_years(data: Dataset, rules: Rules) -> None:
    assert analyze_unit(prepare(data), "U", 2023, rules).indices[0].rank_span is None


def test_target_recoverable_points(dec: IndexAnalysis) -> None:
    target = dec.target
    assert target is not None
    assert (target.unit_at_rank, target.score_needed) == ("P1", 40.0)
    assert target.points_missing == pytest.approx(1.5)
    assert codes(target.recoverable) == ["4", "3", "5", "2"]
    assert codes(target.top_recoverable) == ["4", "3", "5"]


def test_nobody_responsible_is_none_not_words(analysis: UnitAnalysis) -> None:
    rows = {r.unit: r for r in analysis.responsibility}
    assert set(rows) == {None, "Sở X"}
    assert not rows[None].assigned and [c.code for c in rows[None].components] == ["4"]
    lead = {s.code: s.lead for s in analysis.solutions if s.kind is ActionKind.WEAKNESS}
    assert lead == {"4": (), "3": ("Sở X",)}


def test_deadline_is_typed_and_worded_by_the_filter(analysis: UnitAnalysis) -> None:
    deadline = analysis.solutions[0].deadline
    assert (deadline.kind, deadline.quarter, deadline.year) == (DeadlineKind.QUARTER, 3, 2025)
    env = phrase_environment(SearchPath((packaged_dir(),)))
    assert env.from_string("{{ d|deadline }}").render(d=deadline) == "quý III năm 2025"
    on_date = Deadline.of(DeadlineKind.DATE, 2026, day=30, month=6)
    assert dict(on_date) == {"kind": "date", "day": 30, "month": 6, "year": 2026}


# --- the group overview -----------------------------------------------------------------------

def test_group_overview_decisions(overview: GroupAnalysis) -> None:
    index = overview.indices[0]
    # means 2024: 8.0, 7.9, 4.7, 6.3, 6.5 (of 10) → highest field 1, lowest field 3
    assert index.highest_mean_component.code == "1"  # type: ignore[union-attr]
    assert index.lowest_mean_component.code == "3"  # type: ignore[union-attr]
    # spreads (points of 10 → %): 40, 35, 30, 30, 60 → field 5, worst P4
    widest = index.widest_spread_component
    assert widest is not None and widest.code == "5" and widest.worst_units == ("P4",)
    # means 2023: 8.1, 8.28, 8.3, 6.4, 4.7 → only field 5 rose
    assert index.means_compared
    assert codes(index.means_up) == ["5"] and codes(index.means_down) == ["1", "2", "3", "4"]
    # the group mean 35.78 → 33.4
    assert index.stats.delta_mean == pytest.approx(-2.38)
    assert index.stats.mean_direction is Direction.DOWN
    rows = {r.unit: r for r in index.rows}
    assert rows["U"].gap_to_mean == pytest.approx(5.1) and rows["U"].above_mean
    assert rows["P4"].gap_to_mean == pytest.approx(-9.9) and not rows["P4"].above_mean
    # ratings 2024: U 77 % C, P1 80 % B, P2 74 % C, P3 56 % D, P4 47 % D
    assert index.rating is not None
    lowest = index.rating.lowest_filled
    assert lowest is not None and (lowest.label, lowest.units) == ("D", ("P3", "P4"))
    field = index.components[0]
    assert field.max_decimals == 0
    assert dataclasses.replace(field, max=12.5).max_decimals == 1


# --- the phrase files word the values ------------------------------------------------------------

def chung(phrases: Phrases) -> Any:
    return phrases.env.get_template("_chung.j2").module


def test_directions_are_worded_in_the_phrase_files(phrases: Phrases, dec: IndexAnalysis) -> None:
    words = chung(phrases)
    assert str(words.huong(Direction.UP)) == "tăng"
    assert str(words.huong(Direction.DOWN)) == "giảm"
    assert str(words.huong(Direction.STEADY)) == "giữ nguyên"
    assert str(words.thay_doi(1.1, Direction.UP, dec)) == "tăng 1,10 điểm"
    assert str(words.thay_doi(-0.82, Direction.DOWN, dec)) == "giảm 0,82 điểm"
    assert str(words.thay_doi(0.03, Direction.STEADY, dec)) == "giữ nguyên (+0,03 điểm)"
    assert str(words.bac(-6)) == "giảm 06 bậc" and str(words.bac(10)) == "tăng 10 bậc"


NOTES = [
    (Note(NoteKind.ALONE_IN_GROUP, unit="Sở Lẻ", index="QRT", group="Khối riêng", year=2024),
     "Sở Lẻ là đơn vị duy nhất có kết quả QRT trong nhóm 'Khối riêng' năm 2024: thứ hạng 1/1, "
     "không xếp nhóm theo tứ phân vị, không so sánh với đơn vị khác."),
    (Note(NoteKind.TOTAL_DERIVED, index="TST", component_word="lĩnh vực"),
     "Điểm TST là tổng điểm các lĩnh vực (dữ liệu không có dòng TOTAL)."),
    (Note(NoteKind.METHODOLOGY_CHANGED, index="TST", year=2022, version="v2", previous_year=2021,
          previous_version="v1"),
     "Năm 2022, TST được xác định theo phương pháp v2; năm 2021 theo phương pháp v1. Không so "
     "sánh điểm số, thứ hạng giữa hai năm."),
    (Note(NoteKind.TARGET_WITHOUT_PEERS, index="QRT"),
     "Không tính khoảng cách đến mục tiêu vì đơn vị không có đơn vị cùng nhóm để so sánh."),
    (Note(NoteKind.TARGET_THRESHOLD_UNKNOWN, index="PAPI", target_group="nhóm X"),
     "Không xác định được ngưỡng của mục tiêu 'nhóm X' theo khung PAPI."),
    (Note(NoteKind.NO_INDEX_TOTAL, unit="Sở Lẻ", year=2024),
     "Sở Lẻ không có điểm tổng của chỉ số nào năm 2024."),
    (Note(NoteKind.PREVIOUS_YEAR_MISSING, index="TST", year=2022, previous_year=2021),
     "Dữ liệu không có kết quả TST năm 2021: không so sánh năm 2022 với năm trước."),
    (Note(NoteKind.GROUP_INCOMPLETE, index="PCI", group="Tỉnh, thành phố", year=2024, loaded=10,
          size=63),
     "Nhóm 'Tỉnh, thành phố' năm 2024 chỉ có 10/63 đơn vị trong dữ liệu: chỉ dùng thứ hạng công "
     "bố và số liệu công bố của nhóm."),
    (Note(NoteKind.TARGET_PARTIAL_GROUP, index="PCI", group="Tỉnh, thành phố", year=2024,
          loaded=10),
     "Không tính khoảng cách đến mục tiêu PCI vì nhóm 'Tỉnh, thành phố' năm 2024 chỉ có 10 đơn vị "
     "trong dữ liệu."),
]


@pytest.mark.parametrize(("note", "words"), NOTES, ids=[n.kind.value for n, _ in NOTES])
def test_notes_are_worded_in_the_phrase_files(phrases: Phrases, note: Note, words: str) -> None:
    assert phrases.text("ket-qua.j2", "ghi_chu", n=note) == words


def test_every_note_kind_has_words(phrases: Phrases) -> None:
    assert {n.kind for n, _ in NOTES} == set(NoteKind)


def test_nobody_responsible_is_worded(phrases: Phrases, analysis: UnitAnalysis) -> None:
    u = {"year": 2024, "agency_short": "Sở Nội vụ"}
    nobody = next(r for r in analysis.responsibility if not r.assigned)
    assert phrases.text("trach-nhiem.j2", "co_quan", r=nobody, u=u) == "Chưa xác định cơ quan chủ trì"
    assigned = next(r for r in analysis.responsibility if r.assigned)
    assert phrases.text("trach-nhiem.j2", "co_quan", r=assigned, u=u) == "Sở X"
    solution = next(s for s in analysis.solutions if s.code == "4")
    assert phrases.text("giai-phap.j2", "phan_cong", s=solution, u=u) == (
        "Chủ trì: Chưa xác định cơ quan chủ trì; thời hạn: quý III năm 2025.")


def test_the_phrase_file_words_what_the_model_chose(phrases: Phrases, dec: IndexAnalysis) -> None:
    u = {"short": "đơn vị", "peer_label": "đơn vị", "year": 2024}
    lost = phrases.paragraphs("phan-tich.j2", "mat_diem", i=dec, u=u)
    assert lost[0] == ("Tổng số điểm bị mất là 11,50 điểm, trong đó 03 lĩnh vực mất nhiều điểm "
                       "nhất, cộng 11,00 điểm (95,65% số điểm bị mất):")
    assert lost[1] == ("- Lĩnh vực bốn: mất 5,00/10,00 điểm, xếp thứ "
                       "05/5; gồm tiêu chí 4.1 mất 3,00 điểm, tiêu chí 4.2 mất 2,00 điểm.")
    high = phrases.text("phan-tich.j2", "cao", i=dec, u=u)
    assert high.startswith("Có 02/05 lĩnh vực là điểm mạnh của đơn vị. Lĩnh vực Lĩnh vực một đạt "
                           "10,00/10,00 điểm (100,00%), đạt điểm tối đa, xếp thứ 01/5 (tăng 01 bậc).")
    moves = phrases.text("phan-tich.j2", "bien_dong", i=dec, u=u)
    assert "Giảm mạnh nhất là lĩnh vực Lĩnh vực ba: giảm 1,50 điểm (từ 75,00% xuống 60,00% số " \
           "điểm tối đa), tăng 04 bậc (từ 05/5 lên 01/5)." in moves
    assert "Tăng nhiều nhất là lĩnh vực Lĩnh vực năm (tăng 2,00 điểm, giảm 02 bậc)." in moves
    # score and rank moving apart: one sentence at the end of the same paragraph (#12)
    assert moves.endswith("Lĩnh vực năm (tăng 2,00 điểm, giảm 02 bậc); điểm tăng mà thứ hạng "
                          "giảm cho thấy các đơn vị khác cải thiện nhanh hơn.")


def test_templates_check_warns_of_the_old_direction_words(tmp_path: Path) -> None:
    from reportgen.check.templates import CheckReport, check_phrase_files, old_direction_words

    env = Phrases.load(SearchPath((packaged_dir(),))).env
    old = env.parse("{% if i.direction == 'tăng' %}x{% endif %}\n"
                    "{{ i.components|selectattr('direction', 'equalto', 'giảm')|list }}\n"
                    "{% if 'giữ nguyên' != c.rank_direction %}y{% endif %}")
    assert old_direction_words(old) == [(1, "tăng"), (2, "giảm"), (3, "giữ nguyên")]
    assert old_direction_words(env.parse("{% if i.direction == 'up' %}x{% endif %}")) == []
    # the bundled phrase files use the new values
    report = CheckReport()
    assert check_phrase_files(SearchPath((packaged_dir(),)), report)
    assert not [i for i in report.issues if i.code == "phrase_direction_word"]
    mine = tmp_path / "phrases"
    mine.mkdir()
    (mine / "ket-qua.j2").write_text("{% macro ket_qua(i, u) %}{% if i.direction == 'tăng' %}"
                                      "tăng{% endif %}{% endmacro %}", encoding="utf-8")
    report = CheckReport()
    assert check_phrase_files(SearchPath((tmp_path, packaged_dir())), report)  # a warning only
    warned = [i for i in report.issues if i.code == "phrase_direction_word"]
    assert len(warned) == 1 and warned[0].severity == "warning" and "'up'" in warned[0].message
