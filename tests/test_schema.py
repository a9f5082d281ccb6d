"""One schema for every settings file: an unknown key (with the nearest valid one), a wrong
type or an out-of-range value is an error naming the file, the line and the key path, all
problems of a file at once; and the CLI stops on them before writing any report."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from reportgen.analysis.ranking import ExcerptRule
from reportgen.cli import app
from reportgen.config.files import SETTINGS_FILES, check_settings_file
from reportgen.config.report import report_config
from reportgen.config.schema import SettingsError
from reportgen.config.search import packaged_dir
from reportgen.config.yamlio import parse_yaml
from reportgen.errors import ConfigError

DEFAULTS = packaged_dir()


def edited(tmp_path: Path, name: str, old: str, new: str) -> tuple[Path, str]:
    """The packaged ``name`` with ``old`` (once, exactly) replaced by ``new``, written to
    ``tmp_path`` under the same relative name."""
    text = (DEFAULTS / name).read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} in {name}"
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return path, text


def written(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def errors_of(path: Path) -> list[str]:
    """The problem lines of checking ``path`` (which must fail)."""
    with pytest.raises(SettingsError) as err:
        check_settings_file(path)
    assert isinstance(err.value, ConfigError)  # callers catching ConfigError still stop
    return str(err.value).splitlines()[1:]


def the_error(path: Path) -> str:
    [line] = errors_of(path)
    return line


# --- the defaults pass ------------------------------------------------------------------------

@pytest.mark.parametrize("path", sorted(DEFAULTS.rglob("*.yaml")), ids=lambda p: p.name)
def test_every_packaged_settings_file_passes(path: Path) -> None:
    check_settings_file(path)


def test_every_settings_file_has_a_schema() -> None:
    assert set(SETTINGS_FILES) == {"report.yaml", "analysis.yaml", "solutions.yaml",
                                   "responsible.yaml", "frameworks/*.yaml"}


# --- report.yaml ---------------------------------------------------------------------------------

def test_report_unknown_key_suggests_the_nearest(tmp_path: Path) -> None:
    path, text = edited(tmp_path, "report.yaml", "  agency: SỞ NỘI VỤ", "  agencyy: SỞ NỘI VỤ")
    error = the_error(path)
    assert f"{path}, dòng {line_of(text, 'agencyy:')}, khóa defaults.agencyy: " in error
    assert "khóa 'agencyy' không hợp lệ. Có phải: 'agency'" in error


def test_report_unknown_key_in_a_group_and_its_overview(tmp_path: Path) -> None:
    # Khối sở's own overview mapping (the last key of the group, before Xã, phường's comment)
    path, text = edited(tmp_path, "report.yaml", "      tasks_to_units: true\n  # Các xã",
                        "      tasks_to_units: true\n      subjct: Tổng hợp\n  # Các xã")
    error = the_error(path)
    assert f"dòng {line_of(text, 'subjct')}, khóa groups.Khối sở.overview.subjct: " in error
    assert "Có phải: 'subject'" in error


def test_report_wrong_type(tmp_path: Path) -> None:
    path, text = edited(tmp_path, "report.yaml", "  signer:\n    authority: KT. GIÁM ĐỐC\n"
                        "    title: PHÓ GIÁM ĐỐC\n    name: Nguyễn Văn A\n",
                        "  signer: Nguyễn Văn A\n")
    error = the_error(path)
    assert f"{path}, dòng {line_of(text, 'signer:')}, khóa defaults.signer: " in error
    assert "phải là một ánh xạ" in error


def test_report_out_of_range(tmp_path: Path) -> None:
    path, text = edited(tmp_path, "report.yaml", "    around: 3", "    around: -2")
    error = the_error(path)
    assert f"dòng {line_of(text, 'around:')}, khóa defaults.peer_excerpt.around: " in error
    assert "phải lớn hơn hoặc bằng 0 (giá trị: -2)" in error


def test_report_bad_date_and_no_near_key(tmp_path: Path) -> None:
    path, text = edited(tmp_path, "report.yaml", "  date: null\n",
                        "  date: 05/05/2025\n  signer2: {chuc_vu: x}\n")
    first, second = errors_of(path)  # every problem at once, in line order
    assert f"dòng {line_of(text, 'date:')}, khóa defaults.date: " in first
    assert "dạng 2025-05-05" in first and "'05/05/2025'" in first
    assert f"dòng {line_of(text, 'signer2')}, khóa defaults.signer2: " in second
    assert "Có phải: 'signer'" in second


def test_a_key_written_twice_is_an_error_naming_both_lines(tmp_path: Path) -> None:
    # a second `overview:` in Khối sở (a copied block) would silently replace the first
    path, text = edited(tmp_path, "report.yaml", "      tasks_to_units: true\n  # Các xã",
                        "      tasks_to_units: true\n    overview: {}\n  # Các xã")
    with pytest.raises(ConfigError) as err:
        check_settings_file(path)
    first = text.splitlines().index("    overview:") + 1  # Khối sở's, the first of the file
    assert f"{path}, dòng {line_of(text, 'overview: {}')}" in str(err.value)
    assert f"khóa 'overview' viết hai lần (lần đầu ở dòng {first})" in str(err.value)


def test_a_merged_key_may_be_overridden() -> None:
    doc = parse_yaml("base: &b {head: 3, tail: 2}\nother:\n  <<: *b\n  head: 5\n", "x.yaml")
    assert doc["other"] == {"head": 5, "tail": 2}


def test_report_settings_are_normalised() -> None:
    doc = parse_yaml("defaults:\n  recipients: UBND tỉnh\n  date: '2025-05-05'\n  number: 12\n"
                     "  signer: {name: A}\ngroups:\n  Khối sở:\n", "report.yaml")
    config = report_config(doc, "report.yaml")
    defaults = config["defaults"]
    assert defaults["recipients"] == ["UBND tỉnh"] and defaults["number"] == "12"
    assert str(defaults["date"]) == "2025-05-05"
    assert defaults["signer"] == {"authority": "", "title": "", "name": "A"}
    assert config["groups"] == {"Khối sở": None}
    assert "agency" not in defaults  # only the keys written: the narrator's defaults still apply


def test_excerpt_rule_uses_the_same_schema() -> None:
    with pytest.raises(ConfigError) as err:
        ExcerptRule.from_settings({"peer_excerpt": {"haed": 3}}, "report.yaml")
    assert "khóa peer_excerpt.haed: khóa 'haed' không hợp lệ. Có phải: 'head'?" in str(err.value)


# --- analysis.yaml -------------------------------------------------------------------------------

def test_analysis_unknown_key_suggests_the_nearest(tmp_path: Path) -> None:
    path, text = edited(tmp_path, "analysis.yaml", "  tolerance: 0.05", "  tolerence: 0.05")
    error = the_error(path)
    assert f"{path}, dòng {line_of(text, 'tolerence')}, khóa defaults.tolerence: " in error
    assert "Có phải: 'tolerance'" in error


def test_analysis_wrong_type(tmp_path: Path) -> None:
    path, text = edited(tmp_path, "analysis.yaml", "  min_peers: 4", "  min_peers: bốn")
    error = the_error(path)
    assert f"dòng {line_of(text, 'min_peers:')}, khóa defaults.min_peers: " in error
    assert "phải là số nguyên (giá trị: 'bốn')" in error


def test_analysis_out_of_range_and_bad_choice_at_once(tmp_path: Path) -> None:
    path, text = edited(tmp_path, "analysis.yaml", "    top_share: 0.25", "    top_share: 25")
    text = text.replace("on_conflict: weakness", "on_conflict: weak")
    path.write_text(text, encoding="utf-8")
    choice, share = errors_of(path)
    assert f"dòng {line_of(text, 'on_conflict:')}, khóa defaults.on_conflict: " in choice
    assert "phải là một trong: weakness, strength. Có phải: 'weakness'" in choice
    assert f"dòng {line_of(text, 'top_share:')}, khóa defaults.strengths.top_share: " in share
    assert "phải nằm trong khoảng 0–1 (giá trị: 25)" in share


def test_analysis_rule_between_keys(tmp_path: Path) -> None:
    path = written(tmp_path, "analysis.yaml", "targets:\n  PAPI:\n    kind: group\n    label: nhóm\n")
    assert "dòng 3, khóa targets.PAPI.kind: mục tiêu kiểu 'group' cần khóa 'group'" in (
        the_error(path))


# --- solutions.yaml ------------------------------------------------------------------------------

def test_solutions_unknown_key_suggests_the_nearest(tmp_path: Path) -> None:
    path, text = edited(tmp_path, "solutions.yaml", "maintain_default:\n", "maintain_defualt:\n")
    error = the_error(path)
    assert f"{path}, dòng {line_of(text, 'maintain_defualt')}, khóa maintain_defualt: " in error
    assert "Có phải: 'maintain_default'" in error


def test_solutions_wrong_type(tmp_path: Path) -> None:
    path = written(tmp_path, "solutions.yaml",
                   'solutions:\n  PAR_INDEX:\n    "3":\n      text: Rà soát.\n      support: 5\n')
    error = the_error(path)
    assert "dòng 5, khóa solutions.PAR_INDEX.3.support: " in error
    assert "phải là tên một cơ quan hoặc danh sách tên cơ quan (giá trị: 5)" in error


def test_solutions_out_of_range_in_a_list_entry(tmp_path: Path) -> None:
    path = written(tmp_path, "solutions.yaml",
                   'solutions:\n  PAR_INDEX:\n    "3":\n      - text: Một.\n'
                   '      - text: Hai.\n        deadline: {kind: date, day: 30, month: 13}\n')
    error = the_error(path)
    assert "dòng 6, khóa solutions.PAR_INDEX.3[2].deadline.month: " in error
    assert "phải nằm trong khoảng 1–12 (giá trị: 13)" in error


# --- responsible.yaml ----------------------------------------------------------------------------

def test_responsible_wrong_type(tmp_path: Path) -> None:
    path = written(tmp_path, "responsible.yaml", 'PAR_INDEX:\n  "7": Sở KH&CN\n  "3": 12\n')
    error = the_error(path)
    assert f"{path}, dòng 3, khóa PAR_INDEX.3: '3' phải là tên một cơ quan hoặc danh sách tên cơ quan" \
        in error


def test_responsible_mapping_takes_lead_and_support(tmp_path: Path) -> None:
    path = written(tmp_path, "responsible.yaml", 'PAR_INDEX:\n  "7": Sở KH&CN\n  "3": {a: b}\n')
    missing, unknown = errors_of(path)
    assert "dòng 3, khóa PAR_INDEX.3.lead: thiếu khóa bắt buộc 'lead'" in missing
    assert "dòng 3, khóa PAR_INDEX.3.a: khóa 'a' không hợp lệ. Có phải: 'lead'?" in unknown


def test_responsible_lead_of_a_mapping_is_named(tmp_path: Path) -> None:
    path = written(tmp_path, "responsible.yaml", 'PAR_INDEX:\n  "3": {lead: [], support: Sở Tư pháp}\n')
    assert "dòng 2, khóa PAR_INDEX.3.lead: 'lead' phải là tên một cơ quan" in the_error(path)


def test_responsible_empty_list(tmp_path: Path) -> None:
    path = written(tmp_path, "responsible.yaml", 'SIPAS:\n  TOTAL: []\n')
    assert "dòng 2, khóa SIPAS.TOTAL: 'TOTAL' phải là tên một cơ quan" in the_error(path)


def test_responsible_index_must_map_components(tmp_path: Path) -> None:
    path = written(tmp_path, "responsible.yaml", 'PAR_INDEX: Sở Nội vụ\n')
    assert "dòng 1, khóa PAR_INDEX: 'PAR_INDEX' phải là một ánh xạ" in the_error(path)


# --- frameworks/*.yaml ---------------------------------------------------------------------------

FRAMEWORK = "frameworks/dgi_vi_du.yaml"


def test_framework_unknown_key_suggests_the_nearest(tmp_path: Path) -> None:
    path, text = edited(tmp_path, FRAMEWORK, "additive: true ", "additve: true ")
    error = the_error(path)
    assert f"{path}, dòng {line_of(text, 'additve')}, khóa additve: " in error
    assert "Có phải: 'additive'" in error


def test_framework_wrong_type(tmp_path: Path) -> None:
    path, text = edited(tmp_path, FRAMEWORK, "additive: true ", "additive: có ")
    error = the_error(path)
    assert f"dòng {line_of(text, 'additive: có')}, khóa additive: 'additive' phải là true hoặc " \
        "false (giá trị: 'có')" in error


def test_framework_out_of_range_in_a_component(tmp_path: Path) -> None:
    path, text = edited(tmp_path, FRAMEWORK, "    max: 10\n", "    max: -10\n")
    error = the_error(path)
    assert f"dòng {line_of(text, 'max: -10')}, khóa components[10].max: " in error  # from 1
    assert "phải lớn hơn hoặc bằng 0 (giá trị: -10)" in error


def test_framework_bad_choice_and_missing_key(tmp_path: Path) -> None:
    path, text = edited(tmp_path, FRAMEWORK, "  kind: thresholds\n", "  kind: threshold\n")
    text = text.replace("\nunit: điểm ", "\n# unit: điểm ")
    path.write_text(text, encoding="utf-8")
    missing, choice = errors_of(path)
    assert f"dòng {line_of(text, 'code: DGI')}, khóa unit: thiếu khóa bắt buộc 'unit'" in missing
    assert f"dòng {line_of(text, 'kind: threshold')}, khóa rating.kind: " in choice
    assert "Có phải: 'thresholds'" in choice


# --- the command line stops before writing anything -------------------------------------------

def run(*args: object) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture
def misspelt(tmp_path: Path) -> tuple[Path, int]:
    """A user templates folder whose report.yaml says ``agencyy:``; and that line."""
    folder = tmp_path / "mau"
    assert run("templates", "init", folder).exit_code == 0
    config = folder / "report.yaml"
    text = config.read_text(encoding="utf-8")
    assert text.count("\n  agency: ") == 1
    config.write_text(text.replace("\n  agency: ", "\n  agencyy: "), encoding="utf-8")
    return folder, line_of(text, "  agency: ")


def assert_names_the_key(output: str, folder: Path, line: int) -> None:
    assert (f"{folder / 'report.yaml'}, dòng {line}, khóa defaults.agencyy: khóa 'agencyy' không "
            "hợp lệ. Có phải: 'agency'") in output


def test_templates_check_refuses_the_misspelt_key(misspelt: tuple[Path, int]) -> None:
    folder, line = misspelt
    result = run("templates", "check", folder)
    assert result.exit_code == 1
    assert_names_the_key(result.output, folder, line)
    assert "Bộ mẫu có 1 lỗi" in result.output and "Bộ mẫu hợp lệ" not in result.output


@pytest.mark.parametrize("command", ["generate", "batch"])
def test_generate_and_batch_stop_before_any_report(misspelt: tuple[Path, int], tmp_path: Path,
                                                    command: str) -> None:
    folder, line = misspelt
    out = tmp_path / "out"
    extra = ("--year", 2024, "--group", "Khối sở", "--jobs", 1) if command == "batch" else ()
    result = run(command, "--templates", folder, "--out", out, *extra)
    assert result.exit_code == 1, result.output
    assert_names_the_key(result.output, folder, line)
    assert not out.exists() or not any(out.rglob("*.docx"))
