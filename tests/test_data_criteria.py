"""data/criteria.py: the criteria a loaded (text) table defines below the framework's tree, the
lead agencies of its ``responsible`` column, and the rows dropped or maxima blanked."""

from __future__ import annotations

import pandas as pd

from reportgen.config.frameworks import Frameworks
from reportgen.data.criteria import Criteria, agencies, find_criteria
from reportgen.errors import Issue

COLUMNS = ["year", "index", "unit", "component", "score", "max_score", "component_name",
           "responsible", "_file", "_sheet", "_row", "_column"]
PAR = ("PAR_INDEX", "876/QĐ-BNV")  # the framework of 2022–2024 (8.2: confirmed maximum 6.5)


def frame(*rows: tuple[str, str, str, str, str, str]) -> pd.DataFrame:
    """(component, score, max_score, component_name, responsible, unit) per row, PAR INDEX
    2024 in data.csv; the file's row number is the position + 2 (after the header)."""
    return pd.DataFrame(
        [["2024", "PAR_INDEX", unit, code, score, mx, name, lead, "data.csv", "", str(n + 2), ""]
         for n, (code, score, mx, name, lead, unit) in enumerate(rows)], columns=COLUMNS)


def test_agencies_split_on_semicolons_and_lines_spaces_normalised() -> None:
    assert agencies("Sở Nội vụ;  Sở  Tư pháp\nVăn phòng UBND tỉnh ; ") == (
        "Sở Nội vụ", "Sở Tư pháp", "Văn phòng UBND tỉnh")
    assert agencies("") == ()
    assert agencies(" ; ") == ()


def test_new_codes_any_depth_with_their_names_and_agencies(frameworks: Frameworks) -> None:
    issues: list[Issue] = []
    found = find_criteria(frame(
        ("3.9.1", "0.5", "1", "Tiêu chí con", "", "Hòa Lâm"),  # its parent only comes next
        ("3.9", "1.5", "2", "Tiêu chí mới", "Sở A; Sở B", "Hòa Lâm"),
        ("3.9", "1", "2", "", "", "Kim Sơn"),
    ), frameworks, issues)
    assert issues == []
    added = found.added[PAR]
    assert [(c.code, c.parent, c.name, c.max, c.max_confirmed) for c in added] == [
        ("3.9", "3", "Tiêu chí mới", None, False),  # parents first
        ("3.9.1", "3.9", "Tiêu chí con", None, False)]
    assert found.responsible == {(2024, "PAR_INDEX", "3.9"): ("Sở A", "Sở B")}
    assert found.dropped == set() and found.blank_max == set()


def test_unknown_parent_is_one_located_error_and_its_rows_are_dropped(
        frameworks: Frameworks) -> None:
    issues: list[Issue] = []
    found = find_criteria(frame(
        ("3", "10", "13.5", "", "", "Hòa Lâm"),
        ("9.1", "1", "2", "Lạc", "", "Hòa Lâm"),
        ("9.1.1", "0.5", "1", "Lạc con", "", "Hòa Lâm"),  # child of a rejected code: no 2nd error
    ), frameworks, issues)
    [error] = issues
    assert (error.code, error.severity, error.value) == ("unknown_parent", "error", "9.1")
    assert (error.location.file, error.location.row, error.location.column) == (
        "data.csv", 3, "component")
    assert "mã cha '9'" in error.message
    assert found.dropped == {("PAR_INDEX", "2024", "9.1"), ("PAR_INDEX", "2024", "9.1.1")}
    assert found.added[PAR] == []


def test_framework_name_and_confirmed_maximum_win_with_one_warning_each(
        frameworks: Frameworks) -> None:
    issues: list[Issue] = []
    found = find_criteria(frame(
        ("8.2", "6", "7", "Tác động khác", "", "Hòa Lâm"),
        ("8.2", "5", "7", "Tác động khác", "", "Kim Sơn"),  # the same cell again: no 2nd warning
        ("8.1", "10", "14.5", "", "", "Hòa Lâm"),  # no confirmed maximum: the data's stands
    ), frameworks, issues)
    assert sorted((i.code, i.severity, i.location.row, i.location.column) for i in issues) == [
        ("max_conflict_framework", "warning", 2, "max_score"),
        ("name_conflict", "warning", 2, "component_name")]
    assert found.blank_max == {("PAR_INDEX", "2024", "8.2", "7")}
    assert PAR not in found.added  # nothing new


def test_apply_drops_rows_and_blanks_maxima() -> None:
    table = frame(("9.1", "1", "2", "", "", "Hòa Lâm"),
                  ("8.2", "6", "7", "", "", "Hòa Lâm"),
                  ("8.2", "6", "6.5", "", "", "Kim Sơn"),
                  ("1", "8", "9", "", "", "Hòa Lâm"))
    criteria = Criteria(dropped={("PAR_INDEX", "2024", "9.1")},
                        blank_max={("PAR_INDEX", "2024", "8.2", "7")})
    out = criteria.apply(table)
    assert out[["unit", "component", "max_score"]].values.tolist() == [
        ["Hòa Lâm", "8.2", ""], ["Kim Sơn", "8.2", "6.5"], ["Hòa Lâm", "1", "9"]]
    assert table["max_score"].tolist() == ["2", "7", "6.5", "9"]  # the input is not changed
    assert Criteria().apply(table) is table
