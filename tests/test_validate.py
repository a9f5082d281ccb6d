"""Validate stage: every bad input is reported with file, sheet, row, column and value, all at
once; maxima are completed; the bundled sample and its generator are realistic and fictional."""

from __future__ import annotations

import unicodedata
import zipfile
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from reportgen.data.load import LoadOptions, load, records_from
from reportgen.data.text import fold
from reportgen.data.validate import validate
from reportgen.errors import DataError, Issue, Location, summarize

HEADER = ["year", "index", "unit", "component", "score"]
LONG = ["year", "index", "unit", "component", "score", "max_score", "rank", "group"]


def fail(path_or_loaded, frameworks, strict: bool = False) -> DataError:
    """Load (when given a path) and validate, expecting a DataError; return it."""
    loaded = load(path_or_loaded) if isinstance(path_or_loaded, Path) else path_or_loaded
    with pytest.raises(DataError) as err:
        validate(loaded, frameworks, strict=strict)
    return err.value


def only(error: DataError, code: str) -> Issue:
    hits = [i for i in error.issues if i.code == code]
    assert len(hits) == 1, [str(i) for i in error.issues]
    return hits[0]


def ok_row(unit: str, score: object, year: int = 2023) -> list[object]:
    return [year, "PAR_INDEX", unit, "TOTAL", score]


# --- file-level problems -----------------------------------------------------------------

def test_missing_required_column(make_csv, frameworks):
    path = make_csv("nocomp.csv", [["year", "index", "unit", "score"],
                                   [2023, "PAR_INDEX", "Hòa Lâm", "80"]])
    err = fail(path, frameworks)
    issue = only(err, "missing_column")
    assert issue.location.file == str(path) and issue.location.row == 1
    assert "thiếu cột bắt buộc: component" in issue.message
    assert "các cột hiện có: year, index, unit, score" in issue.message
    assert f"{path}, dòng 1, cột 'component'" in str(err)


def test_missing_several_columns_in_xlsx(make_xlsx, frameworks):
    path = make_xlsx("cols.xlsx", {"scores": [["Năm", "Đơn vị", "Điểm"], [2023, "Hòa Lâm", 80]]})
    issue = only(fail(path, frameworks), "missing_column")
    assert "thiếu cột bắt buộc: index, component" in issue.message
    assert "các cột hiện có: Năm, Đơn vị, Điểm" in issue.message
    assert (issue.location.file, issue.location.sheet, issue.location.row) == (
        str(path), "scores", 1)


def test_empty_file(tmp_path, frameworks):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    issue = only(fail(path, frameworks), "empty_file")
    assert issue.location.file == str(path)
    assert "rỗng" in issue.message


def test_empty_sheet(make_xlsx, frameworks):
    path = make_xlsx("empty.xlsx", {"scores": []})
    issue = only(fail(path, frameworks), "empty_file")
    assert (issue.location.file, issue.location.sheet) == (str(path), "scores")
    assert "không có dữ liệu" in issue.message


def test_header_only_file(make_csv, frameworks):
    path = make_csv("header.csv", [HEADER])
    err = fail(path, frameworks)
    issue = only(err, "empty_file")
    assert issue.location.file == str(path)
    assert "chỉ có dòng tiêu đề" in issue.message
    assert str(path) in str(err)


def test_wrong_sheet_name(make_xlsx, frameworks):
    path = make_xlsx("sheets.xlsx", {"Sheet1": [HEADER, ok_row("Hòa Lâm", 80)],
                                     "Dữ liệu": [["x"]]})
    err = fail(path, frameworks)
    issue = only(err, "wrong_sheet")
    assert issue.location.file == str(path)
    assert "không có sheet 'scores'" in issue.message
    assert "các sheet hiện có: Sheet1, Dữ liệu" in issue.message
    assert str(path) in str(err)


@pytest.mark.parametrize("content", [
    b"year,index,unit,component,score\n2023,PAR_INDEX,H\xc3\xb2a L\xc3\xa2m,TOTAL,80\n",  # CSV
    "Đây là một tệp văn bản".encode(),
    b"",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504,  # an old .xls (OLE2) renamed
], ids=["csv", "text", "empty", "xls"])
def test_excel_file_that_is_something_else(tmp_path, frameworks, content):
    path = tmp_path / "scores.xlsx"
    path.write_bytes(content)
    err = fail(path, frameworks)
    issue = only(err, "not_excel")
    assert issue.location.file == str(path)
    assert "không phải tệp Excel .xlsx hợp lệ" in issue.message
    assert "lưu lại dạng .xlsx" in issue.message
    assert str(path) in str(err)


def test_zip_that_is_not_xlsx(tmp_path, frameworks):
    path = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("readme.txt", "not a workbook")
    issue = only(fail(path, frameworks), "not_excel")
    assert issue.location.file == str(path)
    assert "không phải tệp Excel .xlsx hợp lệ" in issue.message


def test_unsupported_file_type(tmp_path, frameworks):
    path = tmp_path / "scores.ods"
    path.write_bytes(b"PK")
    issue = only(fail(path, frameworks), "bad_format")
    assert issue.location.file == str(path)
    assert ".csv, .xlsx" in issue.message


def test_file_not_found(tmp_path):
    path = tmp_path / "khong-co.csv"
    with pytest.raises(DataError) as err:
        load(path)
    (issue,) = err.value.issues
    assert issue.code == "not_found"
    assert issue.location.file == str(path)
    assert "không tìm thấy" in str(err.value) and str(path) in str(err.value)


# --- row-level problems ------------------------------------------------------------------

def test_non_numeric_score(make_csv, frameworks):
    path = make_csv("abc.csv", [HEADER, ok_row("Hòa Lâm", "80,5"), ok_row("Kim Sơn", "abc")])
    err = fail(path, frameworks)
    issue = only(err, "bad_score")
    assert (issue.location.file, issue.location.row, issue.location.column) == (
        str(path), 3, "score")
    assert issue.value == "abc"
    assert "không phải là số" in issue.message
    assert f"{path}, dòng 3, cột 'score': điểm không phải là số (giá trị: 'abc')" in str(err)


def test_empty_score(make_csv, frameworks):
    path = make_csv("blank.csv", [HEADER, ok_row("Hòa Lâm", "80,5"), ok_row("Kim Sơn", "")])
    issue = only(fail(path, frameworks), "bad_score")
    assert issue.location.row == 3 and "điểm trống" in issue.message


def test_score_above_framework_maximum(make_xlsx, frameworks):
    path = make_xlsx("above.xlsx", {"scores": [HEADER, ok_row("Hòa Lâm", 80),
                                               ok_row("Kim Sơn", 100.5)]})
    err = fail(path, frameworks)
    issue = only(err, "score_above_max")
    assert (issue.location.sheet, issue.location.row, issue.location.column) == (
        "scores", 3, "score")
    assert issue.value == "100.5"
    assert "vượt điểm tối đa 100" in issue.message
    assert "sheet 'scores', dòng 3, cột 'score'" in str(err) and "'100.5'" in str(err)


def test_score_above_maximum_given_in_data(make_csv, frameworks):
    path = make_csv("above_given.csv",
                    [LONG, [2023, "PAR_INDEX", "Hòa Lâm", "1", "9,5", "9", "", ""]])
    issue = only(fail(path, frameworks), "score_above_max")
    assert issue.location.row == 2 and issue.value == "9,5"
    assert "vượt điểm tối đa 9 của thành phần 1" in issue.message


def test_negative_score(make_csv, frameworks):
    path = make_csv("neg.csv", [HEADER, ok_row("Hòa Lâm", "80"), ok_row("Kim Sơn", "-3,5")])
    err = fail(path, frameworks)
    issue = only(err, "score_negative")
    assert (issue.location.row, issue.location.column, issue.value) == (3, "score", "-3,5")
    assert "không được âm" in issue.message
    assert "dòng 3" in str(err) and "'-3,5'" in str(err)


def test_unknown_index_with_suggestion(make_csv, frameworks):
    path = make_csv("idx.csv", [HEADER, ok_row("Hòa Lâm", 80),
                                [2023, "PAR_INDX", "Kim Sơn", "TOTAL", "75"]])
    err = fail(path, frameworks)
    issue = only(err, "unknown_index")
    assert (issue.location.row, issue.location.column, issue.value) == (3, "index", "PAR_INDX")
    assert "mã chỉ số không xác định" in issue.message
    assert "Có phải: 'PAR_INDEX'" in issue.message
    assert f"{path}, dòng 3, cột 'index'" in str(err)


def test_unknown_component_with_suggestion(make_csv, frameworks):
    path = make_csv("comp.csv", [HEADER, ok_row("Hòa Lâm", 80),
                                 [2023, "PAR_INDEX", "Hòa Lâm", "8.3", "5"]])
    issue = only(fail(path, frameworks), "unknown_component")
    assert (issue.location.row, issue.location.column, issue.value) == (3, "component", "8.3")
    assert "mã thành phần không có trong khung PAR_INDEX" in issue.message
    assert "'8.1'" in issue.message or "'8.2'" in issue.message


def test_unknown_component_lists_the_valid_codes(make_csv, frameworks):
    path = make_csv("comp9.csv", [HEADER, ok_row("Hòa Lâm", 80),
                                  [2023, "PAR_INDEX", "Hòa Lâm", "9", "5"]])
    issue = only(fail(path, frameworks), "unknown_component")
    assert issue.location.row == 3 and issue.value == "9"
    assert "Các mã hợp lệ: TOTAL, 1, 2, 3, 4, 5, 6, 7, 8, 8.1, 8.2." in issue.message


def test_misspelt_total_suggests_total(make_csv, frameworks):
    path = make_csv("totl.csv", [HEADER, [2023, "PAR_INDEX", "Hòa Lâm", "TOTL", "80"]])
    issue = only(fail(path, frameworks), "unknown_component")
    assert "Có phải: 'TOTAL'" in issue.message


def test_total_spellings_are_total(make_csv, frameworks):
    path = make_csv("tong.csv", [HEADER, [2023, "PAR_INDEX", "Hòa Lâm", "Tổng điểm", "80"],
                                 [2023, "PAR_INDEX", "Kim Sơn", "total", "70"]])
    assert validate(load(path), frameworks).frame["component"].tolist() == ["TOTAL", "TOTAL"]


def test_bad_year(make_csv, frameworks):
    path = make_csv("year.csv", [HEADER, ok_row("Hòa Lâm", 80),
                                 ["năm 2023", "PAR_INDEX", "Kim Sơn", "TOTAL", "75"]])
    issue = only(fail(path, frameworks), "bad_year")
    assert (issue.location.row, issue.location.column, issue.value) == (3, "year", "năm 2023")


def test_year_without_framework(make_csv, frameworks):
    path = make_csv("old.csv", [HEADER, ok_row("Hòa Lâm", 80), ok_row("Hòa Lâm", 70, year=1995)])
    issue = only(fail(path, frameworks), "no_framework")
    assert (issue.location.row, issue.location.column, issue.value) == (3, "year", 1995)
    assert "không có khung chỉ số PAR_INDEX cho năm 1995" in issue.message


def test_missing_unit(make_csv, frameworks):
    path = make_csv("unit.csv", [HEADER, ok_row("Hòa Lâm", 80), ok_row("", 70)])
    issue = only(fail(path, frameworks), "missing_unit")
    assert (issue.location.row, issue.location.column) == (3, "unit")


def test_duplicate_with_different_values_names_both_rows(make_csv, frameworks):
    path = make_csv("dup.csv", [HEADER, ok_row("Hòa Lâm", "80,98"), ok_row("Kim Sơn", "75"),
                                ok_row("Vạn Xuyên", "70"), ok_row("Hòa Lâm", "81,5")])
    err = fail(path, frameworks)
    issue = only(err, "duplicate")
    assert issue.severity == "error"
    assert (issue.location.file, issue.location.row, issue.location.column) == (
        str(path), 5, "score")
    assert issue.value == 81.5
    assert "Hòa Lâm / PAR_INDEX / TOTAL / 2023 đã có ở dòng 2" in issue.message
    assert "(80.98)" in issue.message
    assert "dòng 5" in str(err)


def test_duplicate_across_files_names_the_other_file(tmp_path, make_csv, frameworks):
    folder = tmp_path / "data"
    first = make_csv("a.csv", [HEADER, ok_row("Hòa Lâm", "80")], folder=folder)
    second = make_csv("b.csv", [HEADER, ok_row("Kim Sơn", "70"), ok_row("Hòa Lâm", "81")],
                      folder=folder)
    issue = only(fail(folder, frameworks), "duplicate")
    assert issue.location.file == str(second) and issue.location.row == 3
    assert f"đã có ở dòng 2 của {first}" in issue.message


def test_identical_duplicate_is_only_a_warning(make_csv, frameworks):
    path = make_csv("same.csv", [HEADER, ok_row("Hòa Lâm", "80,98"), ok_row("Kim Sơn", "75"),
                                 ok_row("Hòa Lâm", "80.98")])
    dataset = validate(load(path), frameworks)
    (warning,) = dataset.warnings
    assert warning.severity == "warning" and warning.code == "duplicate_identical"
    assert warning.location.row == 4
    assert "trùng hoàn toàn với dòng 2" in warning.message
    assert len(dataset.frame) == 2
    assert dataset.summary()["warnings"] == 1


def test_year_with_no_valid_data(make_csv, frameworks):
    path = make_csv("year_bad.csv", [HEADER, ok_row("Hòa Lâm", "80"), ok_row("Kim Sơn", "75"),
                                     ok_row("Hòa Lâm", "x", year=2024),
                                     ok_row("Kim Sơn", "y", year=2024)])
    err = fail(path, frameworks)
    issue = only(err, "year_without_data")
    assert issue.value == 2024 and issue.location.file == str(path)
    assert "năm 2024 không có dòng điểm hợp lệ nào (2 dòng đều lỗi)" in issue.message
    assert [i.location.row for i in err.issues if i.code == "bad_score"] == [4, 5]


def test_wide_layout_errors_name_the_component_column(make_xlsx, frameworks):
    path = make_xlsx("wide_bad.xlsx", {"scores": [
        ["Năm", "Đơn vị", "TOTAL", "2. Cải cách thể chế"],
        [None, "Điểm tối đa", 100, 11],
        [2023, "Hòa Lâm", 80, "mười"],
        ["2O23", "Kim Sơn", 75, 9],
    ]})
    err = fail(load(path, LoadOptions(index="PAR_INDEX")), frameworks)
    score = only(err, "bad_score")
    assert (score.location.sheet, score.location.row, score.location.column, score.value) == (
        "scores", 3, "2. Cải cách thể chế", "mười")
    years = [i for i in err.issues if i.code == "bad_year"]
    assert {(i.location.row, i.location.column, i.value) for i in years} == {(4, "year", "2O23")}


# --- maxima ------------------------------------------------------------------------------

def test_missing_maximum_asks_for_max_score(make_csv, frameworks):
    path = make_csv("nomax.csv", [LONG, [2023, "PAR_INDEX", "Hòa Lâm", "1", "8,5", "", "", ""],
                                  [2023, "PAR_INDEX", "Hòa Lâm", "TOTAL", "80", "", "", ""]])
    err = fail(path, frameworks)
    issue = only(err, "missing_max")
    assert (issue.location.file, issue.location.row, issue.location.column) == (
        str(path), 2, "max_score")
    assert "không có điểm tối đa cho PAR_INDEX 1 năm 2023" in issue.message
    assert "hãy điền cột max_score" in issue.message


def test_one_row_with_max_score_serves_the_whole_component(make_csv, frameworks):
    path = make_csv("onemax.csv", [LONG, [2023, "PAR_INDEX", "Hòa Lâm", "1", "8,5", "9", "", ""],
                                   [2023, "PAR_INDEX", "Kim Sơn", "1", "7", "", "", ""]])
    dataset = validate(load(path), frameworks)
    assert dataset.frame["max"].tolist() == [9.0, 9.0]


def test_conflicting_maximum(make_csv, frameworks):
    path = make_csv("maxconf.csv", [LONG, [2023, "PAR_INDEX", "Hòa Lâm", "1", "8,5", "9", "", ""],
                                    [2023, "PAR_INDEX", "Kim Sơn", "1", "7", "9", "", ""],
                                    [2023, "PAR_INDEX", "Vạn Xuyên", "1", "7", "10", "", ""]])
    err = fail(path, frameworks)
    issue = only(err, "max_conflict")
    assert (issue.location.row, issue.location.column, issue.value) == (4, "max_score", 10.0)
    assert "điểm tối đa của PAR_INDEX 1 năm 2023 khác với dòng 2 (9)" in issue.message


def test_field_8_maximum_is_derived_from_8_1_and_8_2(make_csv, frameworks, par_rows,
                                                     par_field_max):
    dataset = validate(load(make_csv("par.csv", par_rows())), frameworks)
    maxima = dict(zip(dataset.frame["component"], dataset.frame["max"], strict=False))
    assert maxima["8"] == pytest.approx(par_field_max["8.1"] + par_field_max["8.2"])  # 14.5 + 6.5
    assert maxima["8"] == pytest.approx(21.0)
    assert maxima["TOTAL"] == 100.0  # from the framework
    assert maxima["8.2"] == 6.5
    assert dataset.frame["max"].notna().all()
    assert dataset.warnings == []


def test_score_above_a_derived_maximum(make_csv, frameworks):
    path = make_csv("above8.csv", [LONG,
                                   [2023, "PAR_INDEX", "Hòa Lâm", "8.1", "14", "14,5", "", ""],
                                   [2023, "PAR_INDEX", "Hòa Lâm", "8.2", "6", "", "", ""],
                                   [2023, "PAR_INDEX", "Hòa Lâm", "8", "22", "", "", ""]])
    issue = only(fail(path, frameworks), "score_above_max")
    assert (issue.location.row, issue.value) == (4, 22.0)
    assert "vượt điểm tối đa 21 của thành phần 8" in issue.message


# --- published ranks, strict -------------------------------------------------------------

def _ranked(make_csv, wrong: bool):
    group = "Cụm thi đua"  # a whole group of three (not the 63 provinces the framework knows)
    rows = [LONG, [2023, "PAR_INDEX", "Hòa Lâm", "TOTAL", "85", "", 1, group],
            [2023, "PAR_INDEX", "Kim Sơn", "TOTAL", "80", "", 2, group],
            [2023, "PAR_INDEX", "Vạn Xuyên", "TOTAL", "80", "", 3 if wrong else 2, group]]
    return make_csv("ranks.csv", rows)


def test_published_ranks_that_agree(make_csv, frameworks):
    dataset = validate(load(_ranked(make_csv, wrong=False)), frameworks)
    assert dataset.warnings == []
    assert dataset.frame["rank"].tolist() == [1, 2, 2]


def test_published_rank_disagreeing_is_a_warning(make_csv, frameworks):
    path = _ranked(make_csv, wrong=True)
    dataset = validate(load(path), frameworks)
    (warning,) = dataset.warnings
    assert warning.severity == "warning" and warning.code == "rank_mismatch"
    assert (warning.location.file, warning.location.row, warning.location.column) == (
        str(path), 4, "rank")
    assert warning.value == 3
    assert "thứ hạng công bố 3 khác thứ hạng tính từ điểm (2)" in warning.message
    assert dataset.summary()["warnings"] == 1


def test_strict_turns_the_warning_into_an_error(make_csv, frameworks):
    err = fail(load(_ranked(make_csv, wrong=True)), frameworks, strict=True)
    (issue,) = err.issues
    assert issue.code == "rank_mismatch" and issue.severity == "error"
    assert issue.location.row == 4
    assert "1 lỗi" in str(err) and "thứ hạng công bố 3" in str(err)


def test_components_not_adding_up_to_total_is_a_warning(make_csv, frameworks, par_rows):
    rows = par_rows(units=("Hòa Lâm",))
    total = next(r for r in rows if r[3] == "TOTAL")
    total[4] = round(total[4] - 1, 2)
    dataset = validate(load(make_csv("sum.csv", rows)), frameworks)
    (warning,) = dataset.warnings
    assert warning.code == "sum_mismatch" and warning.location.column == "score"
    assert "khác điểm TOTAL" in warning.message


# --- all at once -------------------------------------------------------------------------

def test_all_problems_are_collected_at_once(make_csv, frameworks):
    path = make_csv("three.csv", [HEADER, ok_row("Hòa Lâm", "80"),
                                  ok_row("Kim Sơn", "tám mươi"),
                                  [2023, "PAR_INDEX", "Vạn Xuyên", "9", "5"],
                                  ok_row("Bảo Khê", "-1"),
                                  ok_row("Ngọc Thành", "70")])
    err = fail(path, frameworks)
    assert len(err.issues) == 3
    assert [(i.code, i.location.row) for i in err.issues] == [
        ("bad_score", 3), ("unknown_component", 4), ("score_negative", 5)]
    text = str(err)
    assert "3 lỗi" in text
    assert "dòng 3" in text and "dòng 4" in text and "dòng 5" in text
    assert "'tám mươi'" in text and "'9'" in text and "'-1'" in text


def test_file_problems_and_row_problems_together(tmp_path, make_csv, make_xlsx, frameworks):
    folder = tmp_path / "data"
    make_csv("a.csv", [HEADER, ok_row("Hòa Lâm", "80"), ok_row("Kim Sơn", "101")], folder=folder)
    make_xlsx("b.xlsx", {"Sheet1": [HEADER], "Ghi chú": [["x"]]}, folder=folder)
    err = fail(folder, frameworks)
    assert sorted(i.code for i in err.issues) == ["score_above_max", "wrong_sheet"]


def test_same_error_on_500_rows_is_summarised(tmp_path, frameworks):
    loaded = records_from([{"year": 2023, "index": "PAR_INDEX", "unit": f"Đơn vị {n:03d}",
                            "component": "TOTAL", "score": "chưa có"} for n in range(500)],
                          source="lon.csv")
    err = fail(loaded, frameworks)
    assert len([i for i in err.issues if i.code == "bad_score"]) == 500
    lines = summarize(err.issues)
    bad = [line for line in lines if "không phải là số" in line]
    assert len(bad) == 1
    assert "lon.csv, dòng 2, cột 'score'" in bad[0]
    assert "và 499 dòng khác cùng lỗi, đến dòng 501" in bad[0]
    assert len(str(err).splitlines()) < 10


def test_summarize_keeps_distinct_problems_apart():
    issues = [Issue("điểm không phải là số", Location("a.csv", row=n, column="score"), "x")
              for n in (2, 3)] + [Issue("điểm không được âm", Location("a.csv", row=4,
                                                                         column="score"), "-1")]
    lines = summarize(issues)
    assert len(lines) == 2
    assert "(và 1 dòng khác cùng lỗi, đến dòng 3)" in lines[0]


def test_summarize_limits_the_number_of_lines():
    issues = [Issue(f"lỗi {n}", Location("a.csv", row=n)) for n in range(300)]
    lines = summarize(issues, limit=200)
    assert len(lines) == 201 and lines[-1] == "… và 100 lỗi khác"


# --- the bundled sample ------------------------------------------------------------------

SAMPLE_INDEXES = ("PAR_INDEX", "SIPAS", "PAPI", "PAR_SO")
PROVINCES_BEFORE_2025 = [
    "Hà Nội", "Thành phố Hồ Chí Minh", "Hồ Chí Minh", "Hải Phòng", "Đà Nẵng", "Cần Thơ",
    "An Giang", "Bà Rịa - Vũng Tàu", "Bắc Giang", "Bắc Kạn", "Bạc Liêu", "Bắc Ninh", "Bến Tre",
    "Bình Định", "Bình Dương", "Bình Phước", "Bình Thuận", "Cà Mau", "Cao Bằng", "Đắk Lắk",
    "Đắk Nông", "Điện Biên", "Đồng Nai", "Đồng Tháp", "Gia Lai", "Hà Giang", "Hà Nam", "Hà Tĩnh",
    "Hải Dương", "Hậu Giang", "Hòa Bình", "Hưng Yên", "Khánh Hòa", "Kiên Giang", "Kon Tum",
    "Lai Châu", "Lâm Đồng", "Lạng Sơn", "Lào Cai", "Long An", "Nam Định", "Nghệ An",
    "Ninh Bình", "Ninh Thuận", "Phú Thọ", "Phú Yên", "Quảng Bình", "Quảng Nam", "Quảng Ngãi",
    "Quảng Ninh", "Quảng Trị", "Sóc Trăng", "Sơn La", "Tây Ninh", "Thái Bình", "Thái Nguyên",
    "Thanh Hóa", "Thừa Thiên Huế", "Tiền Giang", "Trà Vinh", "Tuyên Quang", "Vĩnh Long",
    "Vĩnh Phúc", "Yên Bái",
]


def test_the_province_list_is_complete():
    # 63 provinces and centrally-run cities before the 2025 merger (+ "Hồ Chí Minh" spelling).
    assert len(set(PROVINCES_BEFORE_2025)) == 64


@pytest.fixture(scope="module")
def sample_loaded():
    from reportgen.data.sample import sample_dir

    return load(sample_dir())  # the scores and the groups table


@pytest.fixture(scope="module")
def sample_frame(sample_loaded):
    assert sample_loaded.issues == []
    return sample_loaded.frame


def _unpublished_max_gap(error: DataError, loaded, frameworks) -> list[str]:
    """(index, component) pairs whose maximum is left to the data by the framework
    (max: null, unconfirmed) while the sample carries no max_score either: a gap between
    two files owned elsewhere. Empty when any other problem is present."""
    by_row = {int(r["_row"]): r for r in loaded.frame.to_dict("records")}
    gaps = set()
    for issue in error.issues:
        rec = by_row.get(issue.location.row or 0)
        if issue.code != "missing_max" or rec is None or rec["max_score"]:
            return []
        code = frameworks.resolve_code(rec["index"])
        fw = frameworks.for_year(code, int(rec["year"])) if code else None
        comp = fw.components.get(rec["component"]) if fw else None
        if comp is None or comp.max is not None or comp.max_confirmed:
            return []
        gaps.add(f"{code} {rec['component']}")
    return sorted(gaps)


@pytest.fixture(scope="module")
def sample_dataset(sample_loaded, frameworks):
    # A broken bundled sample is a failure with the validation message, never a skip.
    missing = [code for code in SAMPLE_INDEXES if code not in frameworks.codes]
    if missing:
        pytest.fail(f"no framework file bundled for {', '.join(missing)} "
                    "(templates/frameworks/): the bundled sample cannot validate")
    try:
        return validate(sample_loaded, frameworks)
    except DataError as err:
        gaps = _unpublished_max_gap(err, sample_loaded, frameworks)
        hint = ("\nsample rows without a maximum: the framework leaves it to the data "
                f"(max: null) and sample.csv has no max_score for {', '.join(gaps)}; "
                "give these maxima in sample.py or in the framework file") if gaps else ""
        pytest.fail(f"the bundled sample does not validate: {err}{hint}")


def test_sample_validates_without_errors(sample_dataset):
    assert set(sample_dataset.indexes) == set(SAMPLE_INDEXES)
    assert sample_dataset.warnings == []


def test_sample_every_row_has_a_maximum(sample_dataset):
    assert sample_dataset.frame["max"].notna().all()


def test_sample_every_component_has_name_and_responsible_unit(sample_dataset):
    combos = sample_dataset.frame[["index", "year", "component"]].drop_duplicates()
    for index, year, component in combos.itertuples(index=False):
        fw = sample_dataset.framework(index, int(year))
        assert component == "TOTAL" or component in fw.components, (index, year, component)
        assert fw.name_of(component).strip(), (index, year, component)
        assert fw.responsible_for(component, int(year)), (index, year, component)


def test_sample_par_index_part_validates(sample_frame, frameworks):
    # Runs whatever other frameworks are bundled: the PAR INDEX rows alone are valid,
    # every one has a maximum, every field a name and a responsible unit.
    par = sample_frame[sample_frame["index"] == "PAR_INDEX"]
    from reportgen.data.load import Loaded

    dataset = validate(Loaded(par.reset_index(drop=True), [], ["sample.csv"]), frameworks)
    assert len(dataset.frame) == len(par)
    assert dataset.frame["max"].notna().all()
    maxima = dataset.frame.groupby("component")["max"].unique()
    assert list(maxima["8"]) == [21.0] and list(maxima["TOTAL"]) == [100.0]
    for year in dataset.years:
        fw = dataset.framework("PAR_INDEX", year)
        for code in dataset.frame["component"].unique():
            assert fw.name_of(code) and fw.responsible_for(code, year), (year, code)


def test_sample_groups(sample_frame):
    units = sample_frame.groupby("group")["unit"].nunique()
    assert units["Tỉnh, thành phố"] >= 30
    assert units["Khối sở"] >= 5


def test_sample_three_consecutive_years(sample_frame):
    years = sorted({int(y) for y in sample_frame["year"]})
    assert len(years) == 3 and years == list(range(years[0], years[0] + 3))


def test_sample_has_ties_in_total(sample_frame):
    totals = sample_frame[sample_frame["component"] == "TOTAL"]
    ties = totals.groupby(["year", "index", "group"])["score"].apply(
        lambda s: s.duplicated().any())
    assert ties.any()
    assert ties[ties].index.get_level_values("index").isin(["PAR_INDEX"]).any()


def test_sample_has_units_missing_a_year(sample_frame):
    years = {int(y) for y in sample_frame["year"]}
    per_unit = sample_frame.groupby("unit")["year"].apply(lambda s: {int(y) for y in s})
    missing = [u for u, ys in per_unit.items() if ys != years]
    assert 1 <= len(missing) < len(per_unit) / 2


def test_sample_rows_are_marked_as_sample_data(sample_frame):
    assert (sample_frame["source"].str.contains("MẪU")).all()
    assert (sample_frame["source"].str.contains("không phải số liệu công bố")).all()


def test_sample_units_are_fictional(sample_frame):
    real = {fold(p) for p in PROVINCES_BEFORE_2025}
    provinces = sample_frame.loc[sample_frame["group"] == "Tỉnh, thành phố", "unit"].unique()
    assert not [u for u in provinces if fold(u) in real]


def test_sample_file_matches_the_generator(sample_frame):
    from reportgen.data.sample import generate

    rows = generate(criteria=True)  # the bundled sample has the PAR INDEX criteria (#13)
    assert len(rows) == len(sample_frame)
    first = {k: str(v) for k, v in rows[0].items()}
    assert first == {k: sample_frame.iloc[0][k] for k in first}


# --- the sample generator ----------------------------------------------------------------

def test_generator_same_seed_same_rows():
    from reportgen.data.sample import generate

    assert generate(provinces=35, seed=7) == generate(provinces=35, seed=7)
    assert generate(provinces=35, seed=7) != generate(provinces=35, seed=8)


def test_generator_large_dataset_has_distinct_fictional_provinces():
    from reportgen.data.sample import PROVINCE_GROUP, generate

    rows = generate(provinces=1200, departments=False)
    names = {r["unit"] for r in rows if r["group"] == PROVINCE_GROUP}
    assert len(names) == 1200
    real = {unicodedata.normalize("NFC", p).casefold() for p in PROVINCES_BEFORE_2025}
    assert not [n for n in names if n.casefold() in real]
    assert all(unicodedata.is_normalized("NFC", n) for n in names)


def test_generator_names_are_not_a_real_province_without_accents():
    from reportgen.data.sample import PROVINCE_GROUP, generate

    names = {r["unit"] for r in generate(provinces=1200, departments=False)
             if r["group"] == PROVINCE_GROUP}
    real = {fold(p) for p in PROVINCES_BEFORE_2025}
    assert not [n for n in names if fold(n) in real]


def test_generator_rows_parse(frameworks):
    from reportgen.data.sample import generate

    rows = [r for r in generate(provinces=8, seed=3) if r["index"] == "PAR_INDEX"]
    dataset = validate(records_from(rows), frameworks)
    counts = Counter(dataset.frame["component"])
    assert counts["TOTAL"] == counts["1"] == counts["8.2"]
    assert dataset.frame["max"].notna().all()


def test_rows_checked_one_by_one_keep_their_place_among_the_others(make_csv, frameworks):
    """Common rows are checked column-wise, rows spelled otherwise ('Tổng điểm', 'tổng') one by
    one: the dataset keeps the file's order and the same typed values either way."""
    path = make_csv("mixed.csv", [
        [*LONG],
        [2023, "PAR_INDEX", "Hòa Lâm", "TOTAL", "80,5", "", "", "Nhóm A"],
        [2023, "PAR_INDEX", "Bình Sơn", "Tổng điểm", "70", "", "", "Nhóm A"],
        [2023, "PAR_INDEX", "Cát Tiên", "TOTAL", "75%", "", "3", ""],
        [2023, "par index", "Đồng Xuân", "tổng", "60,25", "", "", "Nhóm A"],
    ])
    frame = validate(load(path), frameworks).frame
    assert list(frame["_row"]) == [2, 3, 4, 5]
    assert list(frame["unit"]) == ["Hòa Lâm", "Bình Sơn", "Cát Tiên", "Đồng Xuân"]
    assert list(frame["component"]) == ["TOTAL"] * 4
    assert list(frame["index"]) == ["PAR_INDEX"] * 4
    assert list(frame["score"]) == [80.5, 70.0, 75.0, 60.25]
    assert frame["rank"].tolist() == [pd.NA, pd.NA, 3, pd.NA]
    assert list(frame["group"]) == ["Nhóm A", "Nhóm A", "Tất cả đơn vị", "Nhóm A"]
    assert frame["max"].notna().all() and str(frame["year"].dtype) == "int64"
