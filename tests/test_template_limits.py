"""Templates run under limits (issue #14): a phrase file, a Word template or report.yaml that
loops forever, recurses, divides by zero, feeds a filter a value it cannot format, asks for a
huge range, string or number, or tries to change the data it is given gets a located message
(file, line, macro) from `templates check` — never a Python traceback, never a hang — and
a YAML anchor bomb is refused."""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reportgen.cli import app
from reportgen.config.search import SearchPath, packaged_dir
from reportgen.config.yamlio import MAX_EXPANDED_NODES, parse_yaml
from reportgen.errors import ConfigError
from reportgen.errors import TemplateError as ReportTemplateError
from reportgen.narrate import limits
from reportgen.narrate.phrases import Phrases

HEADER = ["year", "index", "unit", "component", "score", "group"]
MAXIMA = {"1": 12, "2": 10, "3": 22, "4": 10, "5": 14, "6": 12, "7": 20}  # PAR_SO fields
UNITS = ("Sở Một", "Sở Hai", "Sở Ba")
MACRO = "{% macro ket_qua(i, u) -%}"  # the first macro of ket-qua.j2


def run(*args: object):
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture
def small_data(make_csv) -> Path:
    rows: list[list[object]] = [HEADER]
    for year in (2023, 2024):
        for n, unit in enumerate(UNITS):
            scores = {c: round(m * (0.9 - 0.1 * n), 2) for c, m in MAXIMA.items()}
            scores["TOTAL"] = round(sum(scores.values()), 2)
            rows += [[year, "PAR_SO", unit, c, s, "Khối sở"] for c, s in scores.items()]
    return make_csv("nho.csv", rows)


@pytest.fixture(scope="module")
def initialised(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("init") / "mau"
    assert run("templates", "init", target).exit_code == 0
    return target


@pytest.fixture
def mine(initialised: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(initialised, tmp_path / "mau-cua-toi"))


def with_macro_body(folder: Path, body: str) -> int:
    """Put ``body`` at the start of macro ``ket_qua`` of ket-qua.j2; its 1-based line."""
    path = folder / "phrases" / "ket-qua.j2"
    source = path.read_text(encoding="utf-8")
    assert MACRO in source
    path.write_text(source.replace(MACRO, MACRO + "\n" + body, 1), encoding="utf-8")
    return source[:source.index(MACRO)].count("\n") + 2


def error_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("  - Lỗi")]


HOSTILE = {
    "num of text": ("{{ 'abc'|num }}", "bộ lọc 'num' không dùng được với giá trị 'abc'"),
    "vn_date of a number": ("{{ 5|vn_date }}", "bộ lọc 'vn_date' không dùng được với giá trị 5"),
    "division by zero": ("{{ 1 / 0 }}", "phép chia cho 0 ở macro 'ket_qua'"),
    "huge range": ("{{ range(10**9)|length }}", "range quá lớn (1000000000 phần tử"),
    "huge string": ("{{ 'x' * 10**9 }}", "chuỗi hoặc danh sách quá dài"),
    "huge power": ("{{ 9 ** 9999 }}", "lũy thừa quá lớn"),
    "self-recursive macro": ("{% macro lap(n) %}{{ lap(n + 1) }}{% endmacro %}{{ lap(0) }}",
                             "gọi lồng nhau quá sâu"),
    "changing the data": ("{{ u.update({'name': 'Sở Sửa'}) }}",
                          "access to attribute 'update' of 'dict' object is unsafe"),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_phrase_is_a_located_error_of_check(case: str, mine: Path, small_data: Path):
    body, words = HOSTILE[case]
    line = with_macro_body(mine, body)
    result = run("templates", "check", mine, "--data", small_data)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and result.exception is None or \
        isinstance(result.exception, SystemExit)
    errors = error_lines(result.output)
    assert len(errors) == 1, result.output
    assert f"ket-qua.j2, dòng {line}" in errors[0], errors[0]
    assert words in errors[0], errors[0]
    assert "khi tạo báo cáo thử cho" in errors[0]


def test_a_loop_without_end_stops_at_the_macro_budget(mine: Path, small_data: Path,
                                                       monkeypatch: pytest.MonkeyPatch):
    import reportgen.narrate.phrases

    budget = 1.0
    monkeypatch.setattr(reportgen.narrate.phrases, "MACRO_BUDGET_S", budget)
    line = with_macro_body(mine, "{% for a in range(100000) %}{% for b in range(100000) %}"
                                 "{% endfor %}{% endfor %}")
    started = time.monotonic()
    result = run("templates", "check", mine, "--data", small_data)
    elapsed = time.monotonic() - started
    assert result.exit_code == 1, result.output
    errors = error_lines(result.output)
    assert len(errors) == 1, result.output
    assert f"ket-qua.j2, dòng {line}" in errors[0]
    assert f"quá thời gian cho phép ({budget:g} giây) ở macro 'ket_qua'" in errors[0]
    # one unit spent the budget; the dry run does not spend it again for every other unit
    assert elapsed < budget * len(UNITS) + 20


def test_a_loop_that_calls_nothing_is_stopped_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    # a loop over a long string calls no function and no range: the interval timer stops it
    folder = tmp_path / "tpl"
    (folder / "phrases").mkdir(parents=True)
    source = (packaged_dir() / "phrases" / "ket-qua.j2").read_text(encoding="utf-8")
    (folder / "phrases" / "ket-qua.j2").write_text(source.replace(
        MACRO, MACRO + "{% set s = 'x' * 900000 %}{% for a in s %}{% for b in s %}{% endfor %}"
                       "{% endfor %}", 1), encoding="utf-8")
    phrases = Phrases.load(SearchPath.build(folder))
    monkeypatch.setattr("reportgen.narrate.phrases.MACRO_BUDGET_S", 1.0)
    started = time.monotonic()
    with pytest.raises(ReportTemplateError) as caught:
        phrases.paragraphs("ket-qua.j2", "ket_qua", i={}, u={})
    assert time.monotonic() - started < 10
    assert caught.value.issues[0].code == "phrase_timeout"


def test_a_phrase_cannot_change_a_value_it_is_given(tmp_path: Path):
    folder = tmp_path / "tpl"
    (folder / "phrases").mkdir(parents=True)
    source = (packaged_dir() / "phrases" / "ket-qua.j2").read_text(encoding="utf-8")
    (folder / "phrases" / "ket-qua.j2").write_text(source.replace(
        MACRO, MACRO + "{% set _ = i.update({'score': -1}) %}{% set _ = i.figures.append(-1) %}",
        1), encoding="utf-8")
    phrases = Phrases.load(SearchPath.build(folder))
    given = {"score": 80.98, "figures": [80.98]}
    with pytest.raises(ReportTemplateError) as caught:
        phrases.paragraphs("ket-qua.j2", "ket_qua", i=given, u={})
    assert "unsafe" in str(caught.value)
    assert given == {"score": 80.98, "figures": [80.98]}


def test_word_template_loop_without_end_is_located(mine: Path, small_data: Path,
                                                    monkeypatch: pytest.MonkeyPatch):
    import docx

    budget = 1.0
    monkeypatch.setattr(limits, "TIME_BUDGET_S", budget)
    document = docx.Document(str(mine / "bao-cao.docx"))
    document.paragraphs[0].add_run("{% for a in range(100000) %}{% for b in range(100000) %}"
                                   "{% endfor %}{% endfor %}")
    document.save(str(mine / "bao-cao.docx"))
    result = run("templates", "check", mine, "--data", small_data)
    assert result.exit_code == 1, result.output
    errors = error_lines(result.output)
    assert len(errors) == 1, result.output
    assert "bao-cao.docx" in errors[0] and "đoạn 1" in errors[0], errors[0]
    assert f"quá thời gian cho phép ({budget:g} giây)" in errors[0]


def test_report_yaml_setting_that_divides_by_zero_is_located(mine: Path, small_data: Path):
    path = mine / "report.yaml"
    text = path.read_text(encoding="utf-8")
    places = re.findall(r"(?m)^ +place: .*$", text)
    assert places  # the defaults' and each group's signing place
    path.write_text(re.sub(r"(?m)^( +place: ).*$", r'\1"{{ 1 / 0 }}"', text), encoding="utf-8")
    result = run("templates", "check", mine, "--data", small_data)
    assert result.exit_code == 1, result.output
    errors = error_lines(result.output)
    assert len(errors) == 1, result.output
    assert "report.yaml" in errors[0] and "'{{ 1 / 0 }}'" in errors[0]
    assert "ZeroDivisionError" in errors[0]


BOMB = "\n".join([
    'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]',
    *(f"{k}: &{k} [{', '.join([f'*{p}'] * 9)}]" for p, k in zip("abcdefgh", "bcdefghi",
                                                                strict=True))])


def test_yaml_anchor_bomb_is_refused_at_once():
    started = time.monotonic()
    with pytest.raises(ConfigError) as caught:
        parse_yaml(BOMB, "report.yaml")
    assert time.monotonic() - started < 5
    assert str(MAX_EXPANDED_NODES) in caught.value.message
    assert caught.value.location.file == "report.yaml"


def test_yaml_anchors_within_the_limit_still_work():
    text = "chung: &chung {deadline: quy-3, lead: Sở Nội vụ}\nPAR_INDEX:\n  <<: *chung\n  note: x\n"
    assert parse_yaml(text, "solutions.yaml")["PAR_INDEX"] == {
        "deadline": "quy-3", "lead": "Sở Nội vụ", "note": "x"}


def test_anchor_bomb_in_report_yaml_is_a_located_check_error(mine: Path, small_data: Path):
    path = mine / "report.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\nbom:\n" + "\n".join(
        "  " + line for line in BOMB.splitlines()) + "\n", encoding="utf-8")
    started = time.monotonic()
    result = run("templates", "check", mine, "--data", small_data)
    assert time.monotonic() - started < 60
    assert result.exit_code == 1, result.output
    assert any("report.yaml" in e and str(MAX_EXPANDED_NODES) in e
               for e in error_lines(result.output)), result.output
