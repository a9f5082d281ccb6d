"""`validate` is the gate (issue #14): what would break a render or silently give a wrong
document is a located error or warning there, and every file is read defensively — control
and invisible characters in names, a unit in two groups, duplicate columns, a maximum of
zero, unsupported files in a folder, names spelt two ways, CSV line endings and long
fields, .xlsx files that under-declare their size, expand enormously, declare XML entities
or are damaged. Small files only; the large ones are in bench/."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import docx
import pytest
from typer.testing import CliRunner

from reportgen.cli import app
from reportgen.data import guard
from reportgen.data.load import load
from reportgen.data.screen import merge_key
from reportgen.data.validate import validate
from reportgen.docx.render import Renderer
from reportgen.errors import DataError, RenderError

HEADER = ["year", "index", "unit", "component", "score", "max_score", "group"]
MAXIMA = {"1": 12, "2": 10, "3": 22, "4": 10, "5": 14, "6": 12, "7": 20}  # PAR_SO fields
UNITS = ("Sở Một", "Sở Hai", "Sở Ba")


def unit_rows(unit: str, year: int, share: float, group: str = "Khối sở") -> list[list[object]]:
    scores: dict[str, object] = {c: round(m * share, 2) for c, m in MAXIMA.items()}
    rows = [[year, "PAR_SO", unit, c, s, MAXIMA[c], group] for c, s in scores.items()]
    rows.append([year, "PAR_SO", unit, "TOTAL", round(sum(MAXIMA.values()) * share, 2), "",
                 group])
    return rows


def table(names: dict[tuple[str, int], str] | None = None,
          groups: dict[tuple[str, int], str] | None = None) -> list[list[object]]:
    """Three units, 2023 and 2024; ``names``/``groups`` respell a unit or move it that year."""
    rows: list[list[object]] = [HEADER]
    for year in (2023, 2024):
        for n, unit in enumerate(UNITS):
            rows += unit_rows((names or {}).get((unit, year), unit), year, 0.9 - 0.1 * n,
                              (groups or {}).get((unit, year), "Khối sở"))
    return rows


def problems(path: Path, frameworks) -> list:
    with pytest.raises(DataError) as caught:
        validate(load(path), frameworks)
    return caught.value.issues


def row_of(rows: list[list[object]], unit: str, year: int) -> int:
    """The 1-based file row of a unit's first row that year (header is row 1)."""
    return next(n for n, r in enumerate(rows, start=1) if r[2] == unit and r[0] == year)


# --- names --------------------------------------------------------------------------------

def test_control_character_in_a_unit_name_is_a_located_error(make_csv, frameworks):
    bad = "Sở\x01Hai"
    rows = table(names={("Sở Hai", 2024): bad})
    path = make_csv("d.csv", rows)
    issues = [i for i in problems(path, frameworks) if i.code == "control_character"]
    assert len(issues) == 1
    (issue,) = issues
    assert issue.severity == "error" and issue.value == bad
    assert issue.location.file == str(path) and issue.location.column == "unit"
    assert issue.location.row == row_of(rows, bad, 2024)
    assert "U+0001" in issue.message and f"({len(MAXIMA) + 1} dòng)" in issue.message


def test_invisible_character_is_removed_with_a_warning(make_csv, frameworks):
    hidden = "Sở\u200b Hai"
    rows = table(names={("Sở Hai", 2023): hidden})
    dataset = validate(load(make_csv("d.csv", rows)), frameworks)
    assert sorted(dataset.units) == sorted(UNITS)  # one unit, both years
    (warning,) = [w for w in dataset.warnings if w.code == "invisible_character"]
    assert warning.value == hidden and "U+200B" in warning.message
    assert warning.location.row == row_of(rows, hidden, 2023)


def test_names_differing_by_case_or_spacing_across_years_get_a_merge_warning(make_csv,
                                                                            frameworks):
    other = "sở  hai"
    rows = table(names={("Sở Hai", 2023): other})
    dataset = validate(load(make_csv("d.csv", rows)), frameworks)
    (warning,) = [w for w in dataset.warnings if w.code == "name_variant"]
    assert warning.location.row == row_of(rows, other, 2023)
    assert "'sở hai' (năm 2023)" in warning.message and "'Sở Hai' (năm 2024)" in warning.message
    assert "hãy sửa thành 'Sở Hai'" in warning.message


def test_merge_key_ignores_case_spacing_and_invisible_characters():
    assert merge_key("Sở  Nội\u200bvụ") == merge_key("sở nội vụ") == merge_key("SỞ NỘI VỤ")
    assert merge_key("Sở Nội vụ") != merge_key("Sở Ngoại vụ")


def test_a_render_that_meets_a_control_character_blames_the_data(tmp_path: Path):
    document = docx.Document()
    document.add_paragraph("Đơn vị: {{ name }}")
    buffer = io.BytesIO()
    document.save(buffer)
    renderer = Renderer(buffer.getvalue(), "bao-cao.docx")
    assert "Sở Hai".encode() in zipfile.ZipFile(io.BytesIO(renderer.render({"name": "Sở Hai"}))).read(
        "word/document.xml")
    with pytest.raises(RenderError) as caught:
        renderer.render({"name": "Sở\x01Hai"})
    message = caught.value.message
    assert "U+0001" in message and "dữ liệu" in message and "không phải từ mẫu Word" in message


# --- groups, maxima, columns ----------------------------------------------------------------

def test_unit_in_two_groups_of_one_index_and_year_is_a_located_error(make_csv, frameworks):
    rows = table()
    moved = row_of(rows, "Sở Hai", 2024)
    rows[moved - 1][6] = "Khối xã"  # one row of Sở Hai 2024 in another group
    path = make_csv("d.csv", rows)
    (issue,) = [i for i in problems(path, frameworks) if i.code == "unit_in_two_groups"]
    assert issue.location.row == moved and issue.location.column == "group"
    assert issue.value == "Khối xã"
    assert f"'Khối sở' ({len(MAXIMA)} dòng" in issue.message
    assert "'Khối xã' (1 dòng" in issue.message and "PAR_SO năm 2024" in issue.message


def test_cli_batch_of_a_unit_in_two_groups_is_a_message_not_a_traceback(make_csv, tmp_path):
    rows = table()
    rows[row_of(rows, "Sở Hai", 2024) - 1][6] = "Khối xã"
    result = CliRunner().invoke(app, ["batch", "--data", str(make_csv("d.csv", rows)), "--year",
                                      "2024", "--jobs", "1", "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "thuộc 2 nhóm" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").rglob("*.docx"))


@pytest.mark.parametrize("maximum", ["0", "-5", "0,00"])
def test_maximum_of_zero_or_below_is_a_located_error(make_csv, frameworks, maximum):
    rows = table()
    rows[1][5] = maximum
    (issue,) = [i for i in problems(make_csv("d.csv", rows), frameworks)
                if i.code == "max_not_positive"]
    assert issue.location.row == 2 and issue.location.column == "max_score"
    assert issue.value == maximum


def test_two_columns_with_one_meaning_are_an_error_not_the_second_winning(make_csv, frameworks):
    rows = [[*HEADER, "Điểm"]] + [[*r, "1,00"] for r in table()[1:]]
    path = make_csv("d.csv", rows)
    (issue,) = problems(path, frameworks)
    assert issue.code == "duplicate_column"
    assert issue.location.row == 1 and issue.location.column == "Điểm"
    assert "'score' (cột 5) và 'Điểm' (cột 8)" in issue.message


def test_two_columns_of_one_component_in_a_wide_table_are_an_error(make_csv, frameworks):
    rows = [["year", "index", "unit", "group", "1", "2", "1"],
            [2024, "PAR_SO", "Sở Một", "Khối sở", "10", "9", "11"]]
    (issue,) = [i for i in problems(make_csv("d.csv", rows), frameworks)
                if i.code == "duplicate_column"]
    assert "'1' (cột 5) và '1' (cột 7)" in issue.message


# --- folders ---------------------------------------------------------------------------------

def test_unsupported_spreadsheet_in_a_folder_is_an_error_never_skipped(make_csv, frameworks,
                                                                       tmp_path):
    folder = tmp_path / "du-lieu"
    make_csv("2024.csv", table(), folder=folder)
    old = folder / "2022.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0 an Excel 97 file")
    notes = folder / "doc-truoc.md"
    notes.write_text("ghi chú", encoding="utf-8")
    issues = problems(folder, frameworks)
    by_file = {i.location.file: i for i in issues}
    assert by_file[str(old)].severity == "error" and ".xls" in by_file[str(old)].message
    assert by_file[str(notes)].severity == "warning"


# --- CSV -------------------------------------------------------------------------------------

@pytest.mark.parametrize("ending", ["\r", "\r\n", "\n"])
def test_csv_with_any_line_ending(tmp_path, frameworks, ending):
    rows = table()
    path = tmp_path / "d.csv"
    path.write_bytes(ending.join(",".join(str(c) for c in r) for r in rows).encode())
    dataset = validate(load(path), frameworks)
    assert len(dataset.frame) == len(rows) - 1


def test_csv_field_longer_than_the_old_default_limit_is_read(tmp_path, frameworks):
    rows = table()
    long_source = "Nguồn " + "x" * 200_000  # > 128 KiB, Python's default field limit
    text = "\n".join(",".join(str(c) for c in r) + ("," + (long_source if n else "source"))
                     for n, r in enumerate(rows))
    path = tmp_path / "d.csv"
    path.write_text(text, encoding="utf-8")
    dataset = validate(load(path), frameworks)
    assert set(dataset.frame["source"]) == {long_source}


def test_csv_field_over_the_limit_is_a_located_error(tmp_path, monkeypatch):
    monkeypatch.setattr(guard, "MAX_FIELD_CHARS", 1000)
    lines = [",".join(HEADER), '2024,PAR_SO,Sở Một,1,"' + "x" * 5000]  # an unclosed quote
    path = tmp_path / "d.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    loaded = load(path)
    (issue,) = loaded.issues
    assert issue.code == "bad_csv" and issue.location.file == str(path)
    assert issue.location.row == 2 and "dấu ngoặc kép" in issue.message


def test_csv_over_the_row_limit_is_refused(make_csv, monkeypatch):
    rows = table()
    monkeypatch.setattr(guard, "MAX_ROWS", len(rows) - 2)
    (issue,) = load(make_csv("d.csv", rows)).issues
    assert issue.code == "too_many_rows"


# --- .xlsx -----------------------------------------------------------------------------------

def rewrite_part(path: Path, part: str, change) -> None:
    """Rewrite one part of a zip (an .xlsx) with ``change(bytes) -> bytes``."""
    with zipfile.ZipFile(path) as source:
        items = [(info, source.read(info)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in items:
            target.writestr(info, change(data) if info.filename == part else data)


SHEET = "xl/worksheets/sheet1.xml"


def test_xlsx_that_under_declares_its_dimension_is_read_whole(make_xlsx, frameworks):
    rows = table()
    path = make_xlsx("d.xlsx", {"scores": rows})
    rewrite_part(path, SHEET, lambda xml: re.sub(rb'<dimension ref="[^"]*"/>',
                                                 b'<dimension ref="A1:G3"/>', xml))
    with zipfile.ZipFile(path) as archive:
        assert b'<dimension ref="A1:G3"/>' in archive.read(SHEET)
    dataset = validate(load(path), frameworks)
    assert len(dataset.frame) == len(rows) - 1


def test_xlsx_declaring_xml_entities_is_refused(make_xlsx):
    path = make_xlsx("d.xlsx", {"scores": table()})
    doctype = b'<!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    rewrite_part(path, SHEET, lambda xml: xml.replace(b"?>", b"?>" + doctype, 1)
                 if xml.startswith(b"<?xml") else doctype + xml)
    (issue,) = load(path).issues
    assert issue.code == "unsafe_excel" and issue.location.file == str(path)
    assert "<!ENTITY>" in issue.message and SHEET in issue.message


def test_xlsx_expanding_beyond_the_limit_is_refused(make_xlsx, monkeypatch):
    path = make_xlsx("d.xlsx", {"scores": table()})
    with zipfile.ZipFile(path) as archive:
        expanded = sum(i.file_size for i in archive.infolist())
    monkeypatch.setattr(guard, "MAX_XLSX_UNCOMPRESSED", expanded - 1)
    (issue,) = load(path).issues
    assert issue.code == "unsafe_excel" and "giải nén" in issue.message


def test_damaged_xlsx_is_a_message(make_xlsx):
    path = make_xlsx("d.xlsx", {"scores": table()})
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(SHEET)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for n in range(start + 10, start + 60):  # scramble the compressed stream of the sheet
        data[n] ^= 0x5A
    path.write_bytes(bytes(data))
    (issue,) = load(path).issues
    assert issue.location.file == str(path)
    assert issue.code in ("unsafe_excel", "damaged_excel", "not_excel")
    assert "hỏng" in issue.message or "không phải tệp Excel" in issue.message


# --- the summary ----------------------------------------------------------------------------

def test_summary_does_not_count_warnings_as_errors():
    from reportgen.errors import Issue, Location, summarize

    warnings = [Issue("dòng lặp lại", Location("d.csv", row=n), severity="warning")
                for n in range(2, 6)]
    (line,) = summarize(warnings)
    assert line.startswith("Cảnh báo:") and f"và {len(warnings) - 1} dòng khác cùng cảnh báo" in line
    errors = [Issue(f"lỗi {n}", Location("d.csv", row=n)) for n in range(3)]
    more = [Issue(f"cảnh báo {n}", Location("d.csv", row=n), severity="warning") for n in range(2)]
    lines = summarize(errors + more, limit=1)
    assert lines[-1] == f"… và {len(errors) - 1} lỗi và {len(more)} cảnh báo khác"


def test_generate_refuses_a_unit_whose_file_name_another_unit_has(make_csv, tmp_path):
    rows = table(names={("Sở Hai", 2024): "Sở-Hai"}) + unit_rows("Sở Hai", 2024, 0.5)
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["generate", "--data", str(make_csv("d.csv", rows)), "--unit",
                                      "Sở Hai", "--year", "2024", "--out", str(out)])
    assert result.exit_code == 1
    assert "'Sở-Hai' và 'Sở Hai' cùng tên tệp so-hai.docx" in result.output
    assert not list(out.rglob("*.docx"))
