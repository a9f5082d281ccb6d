"""`reportgen validate`: a summary and exit 0 on good data; every problem and exit 1 on bad."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from typer.testing import CliRunner

from reportgen.cli import app

HEADER = ["year", "index", "unit", "component", "score", "max_score", "rank", "group"]
PROVINCES = "Tỉnh, thành phố"
DEPARTMENTS = "Khối sở"


def run(*args: str):
    return CliRunner().invoke(app, ["validate", *map(str, args)])


@pytest.fixture
def good_csv(make_csv):
    rows = [HEADER]
    for year, shift in ((2022, 0), (2023, 1)):
        rows += [[year, "PAR INDEX", "Hòa Lâm", "TOTAL", f"{85 + shift},5", "", 1, PROVINCES],
                 [year, "PAR INDEX", "Kim Sơn", "TOTAL", f"{80 + shift},25", "", 2, PROVINCES],
                 [year, "PAR_INDEX", "Sở Tư pháp", "TOTAL", f"{90 + shift}", "", 1, DEPARTMENTS]]
    return make_csv("good.csv", rows)


def test_success_prints_a_summary(good_csv):
    result = run("--data", good_csv)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Dữ liệu hợp lệ" in out
    assert "1 chỉ số (PAR_INDEX)" in out
    assert "năm 2022–2023" in out
    assert "3 đơn vị trong 2 nhóm" in out
    assert "thành phố: 2 đơn vị" in out and f"{DEPARTMENTS}: 1 đơn vị" in out
    assert "6 dòng điểm" in out
    # 2 of the 63 provinces the PAR INDEX framework knows: said once per year, as a warning
    assert "2 cảnh báo" in out and out.count("của 2/63 đơn vị") == 2


def test_summary_keeps_group_names_as_written(good_csv):
    out = run("--data", good_csv).output
    assert f"{PROVINCES}: 2 đơn vị" in out
    assert "1 chỉ số (PAR_INDEX), năm 2022–2023" in out


def test_summary_row_count_uses_a_dot_for_thousands(make_csv):
    rows = [HEADER[:5]] + [[2023, "PAR_INDEX", f"Đơn vị {n:04d}", "TOTAL", "50"]
                           for n in range(1200)]
    result = run("--data", make_csv("big.csv", rows))
    assert result.exit_code == 0, result.output
    assert "1.200 dòng điểm" in result.output


def test_success_on_a_wide_xlsx_with_year_and_index_options(make_xlsx):
    path = make_xlsx("wide.xlsx", {"scores": [["STT", "Tỉnh", "TOTAL", "1", "2. Cải cách thể chế"],
                                              [None, "Điểm tối đa", 100, 9, 11],
                                              [1, "Hòa Lâm", 80.5, 8.5, 10],
                                              [2, "Kim Sơn", 75, 7, 9.5]]})
    result = run("--data", path, "--year", "2023", "--index", "Par Index")
    assert result.exit_code == 0, result.output
    assert "PAR_INDEX" in result.output and "năm 2023" in result.output
    assert "2 đơn vị" in result.output and "6 dòng điểm" in result.output


def test_success_on_a_folder(tmp_path, make_csv, make_xlsx):
    folder = tmp_path / "data"
    make_csv("a.csv", [HEADER[:5], [2022, "PAR_INDEX", "Hòa Lâm", "TOTAL", "80"]], folder=folder)
    make_xlsx("b.xlsx", {"scores": [HEADER[:5], [2023, "PAR_INDEX", "Hòa Lâm", "TOTAL", 81]]},
              folder=folder)
    result = run("--data", folder)
    assert result.exit_code == 0, result.output
    assert "năm 2022–2023" in result.output and "2 dòng điểm" in result.output


def test_bad_file_exits_1_and_prints_every_problem(make_csv):
    path = make_csv("bad.csv", [HEADER,
                                [2023, "PAR_INDEX", "Hòa Lâm", "TOTAL", "80", "", "", ""],
                                [2023, "PAR_INDEX", "Kim Sơn", "TOTAL", "abc", "", "", ""],
                                [2023, "PAR_INDX", "Vạn Xuyên", "TOTAL", "70", "", "", ""],
                                [2023, "PAR_INDEX", "Bảo Khê", "TOTAL", "105", "", "", ""],
                                [2023, "PAR_INDEX", "Hòa Lâm", "TOTAL", "81", "", "", ""]])
    result = run("--data", path)
    assert result.exit_code == 1
    out = result.output
    assert "Dữ liệu không hợp lệ: 4 lỗi" in out
    assert f"{path}, dòng 3, cột 'score': điểm không phải là số (giá trị: 'abc')" in out
    assert f"{path}, dòng 4, cột 'index': mã chỉ số không xác định" in out
    assert "Có phải: 'PAR_INDEX'" in out
    assert f"{path}, dòng 5, cột 'score': điểm vượt điểm tối đa 100" in out
    assert f"{path}, dòng 6, cột 'score'" in out and "đã có ở dòng 2" in out
    assert "Traceback" not in out
    assert "Dữ liệu hợp lệ" not in out


def test_missing_column_and_wrong_sheet(make_xlsx):
    # two sheets, neither named scores (a workbook's only sheet is taken as the table)
    path = make_xlsx("sheet.xlsx", {"Sheet1": [HEADER], "Sheet2": [HEADER]})
    result = run("--data", path)
    assert result.exit_code == 1
    assert f"{path}: không có sheet 'scores' (các sheet hiện có: Sheet1, Sheet2)" in result.output


def test_file_not_found(tmp_path):
    path = tmp_path / "khong-co.xlsx"
    result = run("--data", path)
    assert result.exit_code == 1
    assert f"{path}: không tìm thấy tệp hoặc thư mục dữ liệu" in result.output


def test_not_an_excel_file(tmp_path):
    path = tmp_path / "scores.xlsx"
    path.write_text("year,index,unit,component,score\n", encoding="utf-8")
    result = run("--data", path)
    assert result.exit_code == 1
    assert f"{path}: không phải tệp Excel .xlsx hợp lệ" in result.output


def test_many_identical_errors_are_summarised(make_csv):
    rows = [HEADER[:5]] + [[2023, "PAR_INDEX", f"Đơn vị {n:03d}", "TOTAL", "chưa chấm"]
                           for n in range(500)]
    path = make_csv("many.csv", rows)
    result = run("--data", path)
    assert result.exit_code == 1
    assert "và 499 dòng khác cùng lỗi, đến dòng 501" in result.output
    assert len(result.output.splitlines()) < 10


@pytest.fixture
def rank_warning_csv(make_csv):
    # a group of two, whole in the data (not "Tỉnh, thành phố": the framework knows 63 of those)
    group = "Cụm thi đua"
    return make_csv("ranks.csv", [HEADER,
                                  [2023, "PAR_INDEX", "Hòa Lâm", "TOTAL", "85", "", 2, group],
                                  [2023, "PAR_INDEX", "Kim Sơn", "TOTAL", "80", "", 1, group]])


def test_published_ranks_of_part_of_a_group_are_checked_for_order(make_csv):
    path = make_csv("part.csv", [HEADER,
                                 [2023, "PAR_INDEX", "Hòa Lâm", "TOTAL", "85", "", 20, PROVINCES],
                                 [2023, "PAR_INDEX", "Kim Sơn", "TOTAL", "80", "", 7, PROVINCES],
                                 [2023, "PAR_INDEX", "Vạn Xuyên", "TOTAL", "90", "", 3, PROVINCES]])
    out = run("--data", path).output
    # ranks 3, 7, 20 out of 63: no "computed rank differs" noise, one inversion found
    assert "khác thứ hạng tính từ điểm" not in out
    assert f"{path}, dòng 2, cột 'rank': thứ hạng công bố 20 thấp hơn thứ hạng của Kim Sơn (7)" \
        in out


def test_warning_is_printed_and_counted_but_does_not_block(rank_warning_csv):
    result = run("--data", rank_warning_csv)
    assert result.exit_code == 0, result.output
    assert "Cảnh báo" in result.output
    assert f"{rank_warning_csv}, dòng 2, cột 'rank': thứ hạng công bố 2 khác" in result.output
    assert "2 cảnh báo" in result.output


def test_strict_makes_a_warning_fail(rank_warning_csv):
    result = run("--data", rank_warning_csv, "--strict")
    assert result.exit_code == 1
    assert "Dữ liệu không hợp lệ: 2 lỗi" in result.output
    assert f"{rank_warning_csv}, dòng 3, cột 'rank': thứ hạng công bố 1 khác" in result.output
    assert "Dữ liệu hợp lệ" not in result.output


def test_wide_layout_without_year_says_how_to_give_it(make_xlsx):
    path = make_xlsx("noyear.xlsx", {"scores": [["Đơn vị", "TOTAL"], ["Hòa Lâm", 80]]})
    result = run("--data", path, "--index", "PAR_INDEX")
    assert result.exit_code == 1
    assert f"{path}, sheet 'scores': bảng dạng ngang thiếu năm" in result.output
    assert "--year" in result.output


@pytest.mark.skipif(shutil.which("reportgen") is None, reason="console script not installed")
def test_console_script(good_csv, make_csv):
    ok = subprocess.run(["reportgen", "validate", "--data", str(good_csv)],
                        capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stderr
    assert "Dữ liệu hợp lệ" in ok.stdout
    bad = make_csv("bad.csv", [HEADER[:5], [2023, "PAR_INDEX", "Hòa Lâm", "TOTAL", "-1"]])
    failed = subprocess.run(["reportgen", "validate", "--data", str(bad)],
                            capture_output=True, text=True, timeout=120)
    assert failed.returncode == 1
    assert f"{bad}, dòng 2, cột 'score': điểm không được âm" in failed.stderr
