"""Load stage: CSV/XLSX long and wide layouts, folders, normalisation and number parsing."""

from __future__ import annotations

import unicodedata

import pandas as pd
import pytest

from reportgen.data.load import LoadOptions, load, records_from
from reportgen.data.text import clean_text, parse_number
from reportgen.data.validate import validate
from reportgen.errors import DataError

HEADER = ["year", "index", "unit", "component", "score"]


def records(loaded) -> list[dict]:
    return loaded.frame.to_dict("records")


# --- numbers -----------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("80,98", 80.98),
    ("80.98", 80.98),
    ("86,47%", 86.47),
    ("86.47 %", 86.47),
    ("1.250,5", 1250.5),
    ("1,250.5", 1250.5),
    ("1 250", 1250.0),
    ("1\u00a0250,5", 1250.5),
    ("1.234.567", 1234567.0),
    ("1,234,567", 1234567.0),
    (" 7 ", 7.0),
    ("-2,5", -2.5),
    ("0", 0.0),
    (80.98, 80.98),
    (12, 12.0),
    ("abc", None),
    ("80,98 điểm", None),
    ("", None),
    (None, None),
    (float("nan"), None),
    (True, None),
    ("#N/A", None),
])
def test_parse_number(text, expected):
    got = parse_number(text)
    if expected is None:
        assert got is None
    else:
        assert got == pytest.approx(expected)


# --- text normalisation ------------------------------------------------------------------

def test_clean_text_nfc_trim_and_collapse():
    nfd = unicodedata.normalize("NFD", "  Hòa   Lâm\u00a0 ")
    assert nfd != "Hòa Lâm"
    assert clean_text(nfd) == "Hòa Lâm"
    assert clean_text(None) == ""
    assert clean_text(float("nan")) == ""
    assert clean_text(2023.0) == "2023"


def test_decomposed_unit_name_matches_the_nfc_name(make_csv):
    nfd = unicodedata.normalize("NFD", "Hòa Lâm")
    path = make_csv("nfd.csv", [HEADER, [2023, "PAR_INDEX", f"  {nfd}  ", "TOTAL", "80,98"],
                                [2023, "PAR_INDEX", "Kim   Sơn", "TOTAL", "75,5"]])
    rows = records(load(path))
    assert rows[0]["unit"] == "Hòa Lâm"
    assert unicodedata.is_normalized("NFC", rows[0]["unit"])
    assert rows[1]["unit"] == "Kim Sơn"


def test_nfd_and_nfc_spellings_are_one_unit(make_csv, frameworks):
    nfd = unicodedata.normalize("NFD", "Hòa Lâm")
    path = make_csv("mixed.csv", [HEADER, [2022, "PAR_INDEX", nfd, "TOTAL", "80,98"],
                                  [2023, "PAR_INDEX", "Hòa Lâm", "TOTAL", "82,1"]])
    dataset = validate(load(path), frameworks)
    assert dataset.units == ["Hòa Lâm"]
    assert dataset.years == [2022, 2023]


@pytest.mark.parametrize("spelling", ["PAR INDEX", "Par Index", "par-index", "PAR_INDEX",
                                      " PAR  INDEX "])
def test_index_aliases(make_csv, frameworks, spelling):
    assert frameworks.resolve_code(spelling) == "PAR_INDEX"
    path = make_csv("alias.csv", [HEADER, [2023, spelling, "Hòa Lâm", "TOTAL", "80,98"]])
    dataset = validate(load(path), frameworks)
    assert dataset.indexes == ["PAR_INDEX"]
    assert dataset.frame["score"].tolist() == [80.98]


def test_vietnamese_header_aliases(make_csv):
    path = make_csv("vi.csv", [
        ["Năm", "Chỉ số", "Đơn vị", "Thành phần", "Điểm", "Điểm tối đa", "Xếp hạng", "Nhóm"],
        [2023, "PAR INDEX", "Hòa Lâm", "1", "8,5", "9", "2", "Tỉnh, thành phố"],
    ])
    (rec,) = records(load(path))
    assert rec["year"] == "2023"
    assert rec["index"] == "PAR INDEX"
    assert rec["unit"] == "Hòa Lâm"
    assert rec["component"] == "1"
    assert rec["score"] == "8,5"
    assert rec["max_score"] == "9"
    assert rec["rank"] == "2"
    assert rec["group"] == "Tỉnh, thành phố"


def test_header_spellings_are_case_and_accent_insensitive(make_csv):
    path = make_csv("h.csv", [[" YEAR ", "Index", "ĐƠN VỊ", "Mã chỉ số thành phần", "Max score",
                               "Score"],
                              [2023, "PAR_INDEX", "Hòa Lâm", "1", "9", "8"]])
    (rec,) = records(load(path))
    assert (rec["year"], rec["unit"], rec["component"], rec["max_score"], rec["score"]) == (
        "2023", "Hòa Lâm", "1", "9", "8")


# --- CSV long ----------------------------------------------------------------------------

def test_csv_long_comma(make_csv):
    path = make_csv("long.csv", [
        [*HEADER, "max_score", "rank", "group"],
        [2023, "PAR_INDEX", "Hòa Lâm", "TOTAL", "80,98", "", 1, "Tỉnh, thành phố"],
        [2023, "PAR_INDEX", "Kim Sơn", "TOTAL", "80.5", "", 2, "Tỉnh, thành phố"],
    ])
    loaded = load(path)
    assert loaded.issues == []
    assert loaded.sources == [str(path)]
    rows = records(loaded)
    assert [r["unit"] for r in rows] == ["Hòa Lâm", "Kim Sơn"]
    assert rows[0]["score"] == "80,98"  # text kept for quoting; parsed by validation
    assert rows[0]["group"] == "Tỉnh, thành phố"
    assert [r["_row"] for r in rows] == [2, 3]
    assert {r["_file"] for r in rows} == {str(path)}
    assert all(r["_sheet"] is None for r in rows)


def test_csv_long_semicolon_with_decimal_comma(make_csv, frameworks):
    path = make_csv("semi.csv", [HEADER, [2023, "PAR_INDEX", "Hòa Lâm", "TOTAL", "80,98"],
                                 [2023, "PAR_INDEX", "Kim Sơn", "TOTAL", "1,5"]], delimiter=";")
    assert "80,98" in path.read_text(encoding="utf-8")
    rows = records(load(path))
    assert [r["score"] for r in rows] == ["80,98", "1,5"]
    dataset = validate(load(path), frameworks)
    assert dataset.frame["score"].tolist() == [80.98, 1.5]


def test_csv_with_bom(make_csv, frameworks):
    path = make_csv("bom.csv", [HEADER, [2023, "PAR_INDEX", "Hòa Lâm", "TOTAL", "80,98"]],
                    bom=True)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    loaded = load(path)
    assert loaded.issues == []
    assert records(loaded)[0]["year"] == "2023"
    assert validate(loaded, frameworks).years == [2023]


def test_csv_tab_delimited(tmp_path):
    path = tmp_path / "tab.csv"
    path.write_text("year\tindex\tunit\tcomponent\tscore\n2023\tPAR_INDEX\tHòa Lâm\tTOTAL\t80,98\n",
                    encoding="utf-8")
    (rec,) = records(load(path))
    assert rec["unit"] == "Hòa Lâm" and rec["score"] == "80,98"


def test_csv_row_numbers_are_line_numbers(tmp_path, frameworks):
    # A blank line in the middle still counts: the error names the line the user sees (5).
    path = tmp_path / "lines.csv"
    path.write_text("year,index,unit,component,score\n"
                    "2023,PAR_INDEX,Hòa Lâm,TOTAL,80\n"
                    "\n"
                    "2023,PAR_INDEX,Kim Sơn,TOTAL,75\n"
                    "2023,PAR_INDEX,Vạn Xuyên,TOTAL,xx\n", encoding="utf-8")
    rows = records(load(path))
    assert [r["_row"] for r in rows] == [2, 4, 5]
    with pytest.raises(DataError) as err:
        validate(load(path), frameworks)
    (issue,) = err.value.issues
    assert issue.location.row == 5
    assert "dòng 5" in str(err.value)


def test_csv_blank_lines_above_the_header(tmp_path):
    path = tmp_path / "blank_top.csv"
    path.write_text("\n\nyear;index;unit;component;score\n2023;PAR_INDEX;Hòa Lâm;TOTAL;80,98\n",
                    encoding="utf-8")
    loaded = load(path)
    assert loaded.issues == []
    (rec,) = records(loaded)
    assert (rec["unit"], rec["score"], rec["_row"]) == ("Hòa Lâm", "80,98", 4)


def test_csv_not_utf8(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes("year,index,unit,component,score\n2023,PAR_INDEX,Hòa Lâm,TOTAL,80\n"
                     .encode("cp1258", errors="replace").replace(b"?", b"\xf2"))
    loaded = load(path)
    (issue,) = loaded.issues
    assert issue.code == "bad_encoding"
    assert issue.location.file == str(path)
    assert "UTF-8" in issue.message


# --- XLSX long ---------------------------------------------------------------------------

def test_xlsx_long_sheet_scores(make_xlsx, frameworks):
    path = make_xlsx("long.xlsx", {
        "Ghi chú": [["Bảng điểm"]],
        "scores": [HEADER + ["max_score"],
                   [2023, "PAR_INDEX", "Hòa Lâm", "TOTAL", 80.98, None],
                   [2023, "PAR_INDEX", "Hòa Lâm", 1, 8.5, 9],
                   [2023, "PAR_INDEX", "Hòa Lâm", 8.1, "12,25", 14.5]],
    })
    loaded = load(path)
    assert loaded.issues == []
    rows = records(loaded)
    assert [r["component"] for r in rows] == ["TOTAL", "1", "8.1"]
    assert [r["score"] for r in rows] == ["80.98", "8.5", "12,25"]
    assert [r["year"] for r in rows] == ["2023"] * 3
    assert [r["_row"] for r in rows] == [2, 3, 4]
    assert {r["_sheet"] for r in rows} == {"scores"}
    assert {r["_file"] for r in rows} == {str(path)}
    dataset = validate(loaded, frameworks)
    assert dataset.frame["score"].tolist() == [80.98, 8.5, 12.25]


def test_xlsx_row_numbers_are_excel_rows(make_xlsx, frameworks):
    # The table starts on Excel row 4 (three blank rows above): rows are 5 and 6.
    path = make_xlsx("offset.xlsx", {"scores": [HEADER,
                                                [2023, "PAR_INDEX", "Hòa Lâm", "TOTAL", 80],
                                                [2023, "PAR_INDEX", "Kim Sơn", "TOTAL", "n/x"]]},
                     start_row=4)
    rows = records(load(path))
    assert [r["_row"] for r in rows] == [5, 6]
    with pytest.raises(DataError) as err:
        validate(load(path), frameworks)
    (issue,) = err.value.issues
    assert (issue.location.sheet, issue.location.row, issue.location.column) == (
        "scores", 6, "score")
    assert "sheet 'scores', dòng 6, cột 'score'" in str(err.value)
    assert "'n/x'" in str(err.value)


def test_xlsx_title_lines_above_the_header(make_xlsx):
    path = make_xlsx("title.xlsx", {"scores": [
        ["KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM 2023"],
        [],
        HEADER,
        [2023, "PAR_INDEX", "Hòa Lâm", "TOTAL", 80],
    ]})
    loaded = load(path)
    assert loaded.issues == []
    (rec,) = records(loaded)
    assert rec["unit"] == "Hòa Lâm"
    assert rec["_row"] == 4


def test_xlsx_sheet_name_is_case_insensitive(make_xlsx):
    path = make_xlsx("case.xlsx", {"Scores": [HEADER, [2023, "PAR_INDEX", "Hòa Lâm", "TOTAL", 80]]})
    loaded = load(path)
    assert loaded.issues == []
    assert records(loaded)[0]["_sheet"] == "Scores"


def test_xlsx_config_sheet_gives_the_year_of_a_long_table(make_xlsx):
    path = make_xlsx("cfg.xlsx", {
        "scores": [["year", "index", "unit", "component", "score"],
                   [None, "PAR_INDEX", "Hòa Lâm", "TOTAL", 80]],
        "config": [["Năm", 2024]],
    })
    (rec,) = records(load(path))
    assert rec["year"] == "2024"


def test_units_sheet_supplies_groups(make_xlsx, frameworks):
    path = make_xlsx("units.xlsx", {
        "scores": [HEADER + ["group"],
                   [2023, "PAR_INDEX", "Hòa Lâm", "TOTAL", 80, None],
                   [2023, "PAR_INDEX", "Sở Tư pháp", "TOTAL", 70, None],
                   [2023, "PAR_INDEX", "Kim Sơn", "TOTAL", 75, "Nhóm riêng"]],
        "units": [["Đơn vị", "Nhóm"],
                  ["Hòa Lâm", "Tỉnh, thành phố"],
                  ["Sở Tư pháp", "Khối sở"],
                  ["Kim Sơn", "Tỉnh, thành phố"]],
    })
    groups = {r["unit"]: r["group"] for r in records(load(path))}
    assert groups == {"Hòa Lâm": "Tỉnh, thành phố", "Sở Tư pháp": "Khối sở",
                      "Kim Sơn": "Nhóm riêng"}  # the scores sheet wins when it says
    summary = validate(load(path), frameworks).summary()
    assert summary["groups"] == {"Tỉnh, thành phố": 1, "Khối sở": 1, "Nhóm riêng": 1}


# --- XLSX wide ---------------------------------------------------------------------------

WIDE_HEADER = ["STT", "Đơn vị", "TOTAL", "1", "2. Cải cách thể chế", "8.2"]


def _wide_rows():
    # PAR INDEX 2022–2024 field maxima are unpublished: the "Điểm tối đa" row carries them.
    return [WIDE_HEADER,
            [None, "Điểm tối đa", 100, 9, 11, 6.5],
            [1, "Hòa Lâm", 80.5, 8.5, "10,25", 5.5],
            [2, "Kim Sơn", 75, 7, 9, None]]


def _by_unit_component(rows):
    return {(r["unit"], r["component"]): r for r in rows}


def test_xlsx_wide_with_year_and_index_columns(make_xlsx, frameworks):
    path = make_xlsx("wide.xlsx", {"scores": [
        ["Năm", "Chỉ số", *WIDE_HEADER],
        *[[2023, "PAR INDEX", *r] for r in _wide_rows()[1:]],
    ]})
    loaded = load(path)
    assert loaded.issues == []
    rows = _by_unit_component(records(loaded))
    assert set(rows) == {("Hòa Lâm", "TOTAL"), ("Hòa Lâm", "1"), ("Hòa Lâm", "2"),
                         ("Hòa Lâm", "8.2"), ("Kim Sơn", "TOTAL"), ("Kim Sơn", "1"),
                         ("Kim Sơn", "2")}  # an empty cell is no score
    rec = rows[("Hòa Lâm", "2")]
    assert (rec["year"], rec["index"], rec["score"]) == ("2023", "PAR INDEX", "10,25")
    assert (rec["_sheet"], rec["_row"], rec["_column"]) == ("scores", 3, "2. Cải cách thể chế")
    assert rec["max_score"] == "11"
    assert rows[("Kim Sơn", "TOTAL")]["_row"] == 4
    assert all(r["component"] != "STT" for r in rows.values())


def test_xlsx_wide_year_and_index_from_config_sheet(make_xlsx, frameworks):
    path = make_xlsx("wide_cfg.xlsx", {"scores": _wide_rows(),
                                       "config": [["year", 2023], ["index", "Par Index"]]})
    loaded = load(path)
    assert loaded.issues == []
    assert {(r["year"], r["index"]) for r in records(loaded)} == {("2023", "Par Index")}
    dataset = validate(loaded, frameworks)
    assert dataset.indexes == ["PAR_INDEX"] and dataset.years == [2023]


def test_xlsx_wide_year_and_index_from_options(make_xlsx, frameworks):
    path = make_xlsx("wide_opt.xlsx", {"scores": _wide_rows()})
    loaded = load(path, LoadOptions(year=2024, index="PAR_INDEX"))
    assert loaded.issues == []
    assert {(r["year"], r["index"]) for r in records(loaded)} == {("2024", "PAR_INDEX")}
    dataset = validate(loaded, frameworks)
    assert dataset.years == [2024]
    total = dataset.frame[(dataset.frame["unit"] == "Hòa Lâm")
                          & (dataset.frame["component"] == "TOTAL")]
    assert total["score"].tolist() == [80.5] and total["max"].tolist() == [100.0]


def test_xlsx_wide_maximum_row(make_xlsx, frameworks):
    path = make_xlsx("wide_max.xlsx", {
        "scores": [["Tỉnh", "TOTAL", "1", "2. Cải cách thể chế"],
                   ["Điểm tối đa", 100, 9, "11"],
                   ["Hòa Lâm", 19, 8.5, "10,5"],
                   ["Kim Sơn", 17.5, 8, 9.5]],
        "config": [["Năm", 2023], ["Chỉ số", "PAR INDEX"]],
    })
    loaded = load(path)
    assert loaded.issues == []
    rows = _by_unit_component(records(loaded))
    assert "Điểm tối đa" not in {u for u, _ in rows}
    assert rows[("Hòa Lâm", "1")]["max_score"] == "9"
    assert rows[("Kim Sơn", "2")]["max_score"] == "11"
    assert rows[("Hòa Lâm", "2")]["_row"] == 3
    dataset = validate(loaded, frameworks)
    maxima = dict(zip(dataset.frame["component"], dataset.frame["max"], strict=False))
    assert maxima == {"TOTAL": 100.0, "1": 9.0, "2": 11.0}


def test_xlsx_wide_without_year(make_xlsx):
    path = make_xlsx("wide_noyear.xlsx", {"scores": _wide_rows()})
    loaded = load(path, LoadOptions(index="PAR_INDEX"))
    issue = next(i for i in loaded.issues if i.code == "missing_year")
    assert issue.location.file == str(path) and issue.location.sheet == "scores"
    assert "--year" in issue.message and "config" in issue.message


def test_xlsx_wide_unknown_column(make_xlsx, frameworks):
    path = make_xlsx("wide_col.xlsx", {"scores": [["Đơn vị", "TOTAL", "Ghi chú", "Điểm thưởng"],
                                                  ["Hòa Lâm", 80, "tốt", 1],
                                                  ["Kim Sơn", 70, "", 2]]})
    with pytest.raises(DataError) as err:
        validate(load(path, LoadOptions(year=2023, index="PAR_INDEX")), frameworks)
    (issue,) = err.value.issues  # once for the column, not once per row
    assert issue.code == "unknown_column"
    assert issue.location.column == "Điểm thưởng"
    assert "không nhận ra cột 'Điểm thưởng'" in issue.message
    assert "sheet 'scores'" in str(issue)


def test_csv_wide_layout(make_csv, frameworks):
    path = make_csv("wide.csv", [["year", "index", "unit", "TOTAL", "1"],
                                 [2023, "PAR_INDEX", "Hòa Lâm", "80,5", "8,5"]], delimiter=";")
    rows = _by_unit_component(records(load(path)))
    assert rows[("Hòa Lâm", "1")]["score"] == "8,5"
    assert rows[("Hòa Lâm", "1")]["_column"] == "1"
    assert rows[("Hòa Lâm", "1")]["_row"] == 2


# --- folders -----------------------------------------------------------------------------

def test_folder_of_files(tmp_path, make_csv, make_xlsx, frameworks):
    folder = tmp_path / "data"
    a = make_csv("2022.csv", [HEADER, [2022, "PAR_INDEX", "Hòa Lâm", "TOTAL", "80"],
                              [2022, "PAR_INDEX", "Kim Sơn", "TOTAL", "78"]], folder=folder)
    b = make_csv("2023.csv", [HEADER, [2023, "PAR_INDEX", "Hòa Lâm", "TOTAL", "81"]],
                 delimiter=";", folder=folder)
    c = make_xlsx("2024.xlsx", {"scores": [HEADER, [2024, "PAR_INDEX", "Hòa Lâm", "TOTAL", 82],
                                           [2024, "PAR_INDEX", "Kim Sơn", "TOTAL", 79]]},
                  folder=folder)
    (folder / "~$2024.xlsx").write_bytes(b"lock file of an open workbook")
    notes = folder / "ghi-chu.txt"
    notes.write_text("not data", encoding="utf-8")
    loaded = load(folder)
    # a file that is not data is not read, and said so (a warning), never skipped silently
    assert [(i.severity, i.location.file) for i in loaded.issues] == [("warning", str(notes))]
    assert loaded.sources == [str(a), str(b), str(c)]
    rows = records(loaded)
    assert len(rows) == 5
    where = {(r["year"], r["unit"]): (r["_file"], r["_row"]) for r in rows}
    assert where[("2022", "Kim Sơn")] == (str(a), 3)
    assert where[("2023", "Hòa Lâm")] == (str(b), 2)
    assert where[("2024", "Kim Sơn")] == (str(c), 3)
    sheets = {r["_file"]: r["_sheet"] for r in rows}
    assert sheets[str(c)] == "scores"
    assert pd.isna(sheets[str(a)])  # a CSV has no sheet
    dataset = validate(loaded, frameworks)
    assert dataset.years == [2022, 2023, 2024]


def test_folder_error_names_the_right_file_and_no_nan_sheet(tmp_path, make_csv, make_xlsx,
                                                             frameworks):
    folder = tmp_path / "data"
    make_xlsx("a.xlsx", {"scores": [HEADER, [2023, "PAR_INDEX", "Hòa Lâm", "TOTAL", 80]]},
              folder=folder)
    bad = make_csv("b.csv", [HEADER, [2023, "PAR_INDEX", "Kim Sơn", "TOTAL", "tám mươi"]],
                   folder=folder)
    with pytest.raises(DataError) as err:
        validate(load(folder), frameworks)
    (issue,) = err.value.issues
    assert issue.location.file == str(bad)
    assert issue.location.sheet is None
    assert "nan" not in str(err.value)
    assert f"{bad}, dòng 2, cột 'score'" in str(err.value)


def test_empty_folder(tmp_path):
    loaded = load(tmp_path)
    (issue,) = loaded.issues
    assert issue.code == "empty_folder"
    assert issue.location.file == str(tmp_path)


def test_records_from_memory(frameworks):
    loaded = records_from([{"year": 2023, "index": "PAR INDEX", "unit": " Hòa  Lâm ",
                            "component": "TOTAL", "score": "80,98"}], source="bộ nhớ")
    (rec,) = records(loaded)
    assert rec["unit"] == "Hòa Lâm" and rec["_file"] == "bộ nhớ" and rec["_row"] == 2
    assert validate(loaded, frameworks).frame["score"].tolist() == [80.98]
