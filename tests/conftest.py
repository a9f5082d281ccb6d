"""Shared fixtures: the bundled frameworks and helpers writing small datasets into tmp_path.

Data helpers take rows as lists (the first one being the header) so that a test reads like
the file a clerk would type; ``make_csv``/``make_xlsx`` return the path written.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from openpyxl import Workbook

from reportgen.config.frameworks import Frameworks, load_frameworks
from reportgen.config.search import SearchPath

LONG_HEADER = ["year", "index", "unit", "component", "score", "max_score", "rank", "group"]

# Illustrative PAR INDEX (876/QĐ-BNV) field maxima as a user's file carries them: the
# framework leaves the 2022–2024 field maxima empty (unpublished), except 8.2 = 6.5.
PAR_FIELD_MAX = {"1": 9.0, "2": 11.0, "3": 13.5, "4": 9.5, "5": 13.0, "6": 10.0, "7": 13.0,
                 "8.1": 14.5, "8.2": 6.5}


@pytest.fixture(scope="session")
def frameworks() -> Frameworks:
    return load_frameworks(SearchPath.build())


def _cell_text(value: object) -> str:
    return "" if value is None else str(value)


@pytest.fixture
def make_csv(tmp_path: Path) -> Callable[..., Path]:
    """Write ``rows`` (header first) as a CSV file; returns its path.

    ``delimiter`` and ``bom`` choose the dialect; cells are quoted only when needed.
    """
    import csv
    import io

    def write(name: str, rows: Sequence[Sequence[object]], delimiter: str = ",",
              bom: bool = False, folder: Path | None = None) -> Path:
        buf = io.StringIO()
        writer = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
        for row in rows:
            writer.writerow([_cell_text(v) for v in row])
        path = (folder or tmp_path) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(buf.getvalue().encode("utf-8-sig" if bom else "utf-8"))
        return path

    return write


@pytest.fixture
def make_xlsx(tmp_path: Path) -> Callable[..., Path]:
    """Write an .xlsx with one sheet per entry of ``sheets`` ({name: rows}); returns its path.

    ``start_row`` leaves blank (or title) rows above each table, to check reported row numbers.
    """

    def write(name: str, sheets: dict[str, Sequence[Sequence[object]]],
              folder: Path | None = None, start_row: int = 1) -> Path:
        wb = Workbook()
        wb.remove(wb.active)
        for title, rows in sheets.items():
            ws = wb.create_sheet(title)
            for r, row in enumerate(rows, start=start_row):
                for c, value in enumerate(row, start=1):
                    if value is not None:
                        ws.cell(row=r, column=c, value=value)
        path = (folder or tmp_path) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        wb.save(path)
        return path

    return write


# The group of the small test tables: whole in the data. (A group named "Tỉnh, thành phố" has the
# 63 provinces the PAR INDEX framework knows, of which three would be an incomplete group.)
TEST_GROUP = "Cụm thi đua"


def par_unit_rows(unit: str, year: int, share: float, group: str = TEST_GROUP,
                  with_max: bool = True) -> list[list[object]]:
    """Long rows of one unit's PAR INDEX: every field at ``share`` of its maximum, field 8 as
    8.1 + 8.2, and a TOTAL that adds up (two decimals, decimal point)."""
    scores = {code: round(mx * share, 2) for code, mx in PAR_FIELD_MAX.items()}
    scores["8"] = round(scores["8.1"] + scores["8.2"], 2)
    scores["TOTAL"] = round(sum(scores[c] for c in "12345678"), 2)
    rows = []
    for code, score in scores.items():
        mx = PAR_FIELD_MAX.get(code, "") if with_max else ""
        rows.append([year, "PAR_INDEX", unit, code, score, mx, "", group])
    return rows


@pytest.fixture
def par_rows() -> Callable[..., list[list[object]]]:
    """Factory of a valid long PAR INDEX table: header + every field of every unit/year."""

    def build(units: Sequence[str] = ("Hòa Lâm", "Kim Sơn", "Vạn Xuyên"),
              years: Sequence[int] = (2023,), with_max: bool = True) -> list[list[object]]:
        rows: list[list[object]] = [LONG_HEADER]
        for year in years:
            for n, unit in enumerate(units):
                rows += par_unit_rows(unit, year, 0.95 - 0.05 * n, with_max=with_max)
        return rows

    return build


@pytest.fixture
def par_field_max() -> dict[str, float]:
    return dict(PAR_FIELD_MAX)
