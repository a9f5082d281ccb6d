"""Rules files: defaults, behaviour driven by configuration, errors with file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from reportgen.analysis.model import Direction
from reportgen.analysis.unit import analyze_unit
from reportgen.config.frameworks import Frameworks, load_frameworks, parse_framework
from reportgen.config.rules import Rules, check_rules, load_rules
from reportgen.config.search import SearchPath
from reportgen.config.yamlio import parse_yaml
from reportgen.data.load import records_from
from reportgen.data.validate import validate
from reportgen.errors import ConfigError

TINY = """
code: TST
version: "v1"
name: Chỉ số thử nghiệm
component_word: lĩnh vực
short_name: TST
unit: điểm
total_max: 20
years: {from: 2018}
additive: true
coordinator: [Sở Nội vụ]
rating:
  kind: thresholds
  groups:
    - {label: A, min: 90}
    - {label: B, min: 0}
components:
  - {code: "1", name: Lĩnh vực một, max: 10, responsible: [Sở A]}
  - {code: "2", name: Lĩnh vực hai, max: 10, responsible: [Sở B]}
  - {code: "2.1", parent: "2", name: Tiêu chí 2.1, max: 5}
"""


def defaults_dir() -> Path:
    return SearchPath.build().default_dir


def write(folder: Path, analysis: str = "{}", solutions: str = "{}",
          responsible: str = "{}") -> SearchPath:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "analysis.yaml").write_text(analysis, encoding="utf-8")
    (folder / "solutions.yaml").write_text(solutions, encoding="utf-8")
    (folder / "responsible.yaml").write_text(responsible, encoding="utf-8")
    return SearchPath((folder,))


def tiny() -> Frameworks:
    return Frameworks([parse_framework(parse_yaml(TINY, "tst.yaml"), "tst.yaml")])


# --- the packaged defaults -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def defaults() -> Rules:
    return load_rules(SearchPath((defaults_dir(),)))


def test_documented_defaults(defaults: Rules) -> None:
    d = defaults.defaults
    assert d.tolerance == 0.05
    assert d.levels == (1,)
    assert (d.strengths.min_percent, d.strengths.top_share, d.strengths.rank_gain) == (90, 0.25, 5)
    assert (d.weaknesses.bottom_share, d.weaknesses.below_mean_percent,
            d.weaknesses.rank_loss, d.weaknesses.largest_losses) == (0.25, 5, 5, 1)
    assert d.strengths.above_mean is True and d.on_conflict == "weakness"
    assert defaults.action_year_offset == 1
    # realistic targets (#12): a few places up or the next rating group, never "top 20"
    par = defaults.for_index("PAR_INDEX").target
    assert (par.kind, par.places) == ("places", 5)
    assert defaults.for_index("SIPAS").target.kind == "places"
    papi = defaults.for_index("PAPI").target
    assert (papi.kind, papi.group) == ("group", "next")
    assert defaults.for_index("PAR_SO").target.group == "next"
    assert defaults.for_index("UNKNOWN") is defaults.defaults


def test_solutions_library_covers_every_field(defaults: Rules) -> None:
    wanted = {"PAR_INDEX": "12345678", "SIPAS": [*"12345", "CS"], "PAPI": "12345678",
              "PAR_SO": "1234567"}
    for index, codes in wanted.items():
        for code in codes:
            entries = defaults.solutions_for(index, code)
            assert entries and all(s.text for s in entries), (index, code)
    assert defaults.general_tasks and defaults.fallback is not None
    assert {c.kind for c in defaults.general_causes} == {"objective", "subjective"}
    assert defaults.responsible == {}


def test_default_files_match_the_frameworks(defaults: Rules) -> None:
    issues = check_rules(defaults, load_frameworks(SearchPath((defaults_dir(),))))
    assert [i for i in issues if i.code != "unknown_index"] == []


# --- configuration changes behaviour --------------------------------------------------------------

def steady_dataset():
    # Unit A: 15.47 → 15.50 (+0.03); B is there so that ranks exist.
    data = []
    for year, a, b in ((2023, 15.47, 12.0), (2024, 15.5, 12.0)):
        for unit, score in (("A", a), ("B", b)):
            data.append({"year": str(year), "index": "TST", "unit": unit, "component": "TOTAL",
                         "score": str(score)})
    return validate(records_from(data), tiny())


def test_tolerance_from_the_config_file(tmp_path: Path) -> None:
    data = steady_dataset()
    loose = load_rules(write(tmp_path / "a", "defaults: {tolerance: 0.05}"))
    strict = load_rules(write(tmp_path / "b", "defaults: {tolerance: 0.01}"))
    assert analyze_unit(data, "A", 2024, loose).indices[0].direction == Direction.STEADY
    assert analyze_unit(data, "A", 2024, strict).indices[0].direction == Direction.UP


def test_per_index_override_and_offset(tmp_path: Path) -> None:
    text = """
action_year_offset: 2
defaults: {tolerance: 0.05}
indexes:
  TST: {tolerance: 0.01, weaknesses: {rank_loss: 2}}
"""
    rules = load_rules(write(tmp_path, text))
    assert rules.for_index("TST").tolerance == 0.01
    assert rules.for_index("TST").weaknesses.rank_loss == 2
    assert rules.for_index("TST").weaknesses.bottom_share == 0.25  # kept from the defaults
    result = analyze_unit(steady_dataset(), "A", 2024, rules)
    assert result.action_year == 2026
    assert result.indices[0].direction == Direction.UP


# --- errors name the file and the line -------------------------------------------------------------

def error_of(tmp_path: Path, **files: str) -> ConfigError:
    with pytest.raises(ConfigError) as err:
        load_rules(write(tmp_path, **files))
    return err.value


def test_bad_yaml_syntax(tmp_path: Path) -> None:
    err = error_of(tmp_path, analysis="defaults:\n  tolerance: [0.05\n  levels: [1]\n")
    assert err.location.file.endswith("analysis.yaml")
    assert err.location.line is not None
    assert "YAML" in str(err)


def test_unknown_key_with_suggestion(tmp_path: Path) -> None:
    err = error_of(tmp_path, analysis="defaults:\n  strengths:\n    min_percnt: 85\n")
    assert err.location.line == 3
    assert "min_percnt" in str(err) and "Có phải: 'min_percent'" in str(err)


def test_wrong_type(tmp_path: Path) -> None:
    err = error_of(tmp_path, analysis="defaults:\n  tolerance: nhỏ\n")
    assert (Path(err.location.file).name, err.location.line) == ("analysis.yaml", 2)


def test_bad_deadline(tmp_path: Path) -> None:
    solutions = ('solutions:\n  TST:\n    "1":\n      text: Làm.\n'
                 '      deadline: {kind: quarter, quarter: 5}\n')
    err = error_of(tmp_path, solutions=solutions)
    assert Path(err.location.file).name == "solutions.yaml" and err.location.line == 5
    assert "khóa solutions.TST.1.deadline.quarter" in str(err) and "1–4" in str(err)


def test_target_needs_its_value(tmp_path: Path) -> None:
    err = error_of(tmp_path, analysis="targets:\n  TST: {kind: rank, label: nhóm mục tiêu}\n")
    assert err.location.line == 2 and "mục tiêu kiểu 'rank' cần khóa 'rank'" in str(err)


def test_bad_responsible_entry(tmp_path: Path) -> None:
    err = error_of(tmp_path, responsible='TST:\n  "1": 5\n')
    assert Path(err.location.file).name == "responsible.yaml" and err.location.line == 2


# --- unknown codes -----------------------------------------------------------------------------------

def test_unknown_component_code_is_reported(tmp_path: Path) -> None:
    solutions = 'solutions:\n  TST:\n    "1": {text: Một.}\n    "2.2": {text: Hai.}\n'
    rules = load_rules(write(tmp_path, solutions=solutions))
    issues = check_rules(rules, tiny())
    assert len(issues) == 1
    issue = issues[0]
    assert issue.code == "unknown_component" and issue.value == "2.2"
    assert Path(issue.location.file).name == "solutions.yaml" and issue.location.line == 4
    assert "Có phải" in issue.message and "'2.1'" in issue.message


def test_unknown_codes_in_every_file(tmp_path: Path) -> None:
    analysis = ('indexes:\n  TST: {codes: ["1", "9"]}\n'
                'targets:\n  TTS: {kind: rank, rank: 3, label: nhóm mục tiêu}\n')
    causes = 'causes:\n  TST: {"3": {objective: [Khách quan.]}}\n'
    responsible = 'TST: {"8": Sở C}\n'
    rules = load_rules(write(tmp_path, analysis, causes, responsible))
    found = {(Path(i.location.file).name, i.code, i.value) for i in check_rules(rules, tiny())}
    assert found == {("analysis.yaml", "unknown_component", "9"),
                     ("analysis.yaml", "unknown_index", "TTS"),
                     ("solutions.yaml", "unknown_component", "3"),
                     ("responsible.yaml", "unknown_component", "8")}


def test_unknown_target_group(tmp_path: Path) -> None:
    target = "targets:\n  TST: {kind: group, group: Xuất sắc, label: nhóm mục tiêu}\n"
    rules = load_rules(write(tmp_path, target))
    issues = check_rules(rules, tiny())
    assert [i.code for i in issues] == ["unknown_target_group"]
    assert issues[0].location.line == 2


@pytest.mark.parametrize(("text", "prompt"), [
    ("Khối lượng công việc lớn trong năm [nêu cụ thể: thiên tai, dịch bệnh].", True),
    ("Tỷ lệ hồ sơ trực tuyến chưa đạt chỉ tiêu tại […].", True),
    ("Số lượng hồ sơ thủ tục hành chính lớn, một số lĩnh vực phức tạp.", False),
])
def test_a_cause_with_a_blank_for_the_clerk_is_a_prompt(text: str, prompt: bool) -> None:
    from reportgen.config.rules import Cause

    assert Cause("objective", text).is_prompt is prompt


def test_prompts_never_reach_the_report_as_causes(tmp_path: Path) -> None:
    from reportgen.analysis.unit import _causes

    causes = ('causes:\n  general:\n    objective: ["Khách quan chung.", "Thiên tai tại [ghi rõ]."]\n'
              '    subjective: ["Chủ quan [nêu cụ thể]."]\n')
    rules = load_rules(write(tmp_path, solutions=causes))
    found = _causes((), rules)
    assert [c.text for c in found.objective] == ["Khách quan chung."]
    assert found.subjective == ()
