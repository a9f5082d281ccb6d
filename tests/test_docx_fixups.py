"""docx/fixups: ``fit_table_grids`` gives a table's grid columns its cells' own widths, scaled
to the table's width (docxtpl's ``{%tc for %}`` leaves every column as wide as the others).

Documents are built with python-docx: a table whose grid (``w:gridCol``) says one thing and
whose cells (``w:tcW``) say another, as docxtpl leaves it.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence

from docx import Document
from docx.oxml.ns import qn
from docx.shared import Twips

from reportgen.docx.fixups import fit_table_grids


def build(*tables: Sequence[Sequence[int]], grid: int = 2880, table_width: int | None = None,
          header_span: bool = False) -> bytes:
    """A document with one table per entry: rows of cell widths (twips); every grid column
    ``grid`` twips wide; ``table_width`` a fixed table width; ``header_span`` a first row
    merged across all columns."""
    doc = Document()
    doc.add_paragraph("Phụ lục")
    for rows in tables:
        cols = len(rows[0])
        table = doc.add_table(rows=len(rows) + header_span, cols=cols)
        for col in table._tbl.tblGrid.findall(qn("w:gridCol")):
            col.set(qn("w:w"), str(grid))
        if table_width is not None:
            tbl_w = table._tbl.tblPr.find(qn("w:tblW"))
            tbl_w.set(qn("w:type"), "dxa")
            tbl_w.set(qn("w:w"), str(table_width))
        body = table.rows[1:] if header_span else table.rows
        for row, widths in zip(body, rows, strict=True):
            for cell, width in zip(row.cells, widths, strict=True):
                cell.width = Twips(width)
        if header_span:
            table.cell(0, 0).merge(table.cell(0, cols - 1))
            table.cell(0, 0).text = "Đơn vị / Lĩnh vực"
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def grids(document: bytes) -> list[list[int]]:
    tables = Document(io.BytesIO(document)).tables
    return [[int(c.get(qn("w:w"))) for c in t._tbl.tblGrid.findall(qn("w:gridCol"))] for t in tables]


def cell_widths(document: bytes, table: int = 0) -> list[list[int | None]]:
    t = Document(io.BytesIO(document)).tables[table]
    return [[int(w.get(qn("w:w"))) if (w := tc.find(qn("w:tcPr") + "/" + qn("w:tcW"))) is not None
             and tc.find(qn("w:tcPr") + "/" + qn("w:gridSpan")) is None else None
             for tc in tr.findall(qn("w:tc"))] for tr in t._tbl.findall(qn("w:tr"))]


def test_the_grid_takes_the_cell_widths_scaled_to_the_grid_width():
    # cells 1000 : 3000 : 1000 (5000 twips) in a grid of 3 × 2880 = 8640 twips, table width auto
    fixed = fit_table_grids(build([[1000, 3000, 1000]] * 3))
    assert grids(fixed) == [[1728, 5184, 1728]]  # 8640 × (1/5, 3/5, 1/5)
    assert cell_widths(fixed) == [[1728, 5184, 1728]] * 3  # the cells agree with their grid


def test_a_fixed_table_width_is_kept():
    fixed = fit_table_grids(build([[1000, 2000]] * 2, table_width=9000))
    assert grids(fixed) == [[3000, 6000]]  # 9000 × (1/3, 2/3)


def test_the_body_rows_decide_not_a_merged_header():
    fixed = fit_table_grids(build([[2000, 1000, 1000]] * 3, header_span=True))
    assert grids(fixed) == [[4320, 2160, 2160]]  # 8640 × (2/4, 1/4, 1/4)
    assert cell_widths(fixed)[0] == [None]  # the merged header cell is not touched


def test_the_most_common_row_shape_wins_other_rows_left_alone():
    rows = [[1000, 1000, 2000]] * 3 + [[3000, 500, 500]]
    fixed = fit_table_grids(build(rows))
    assert grids(fixed) == [[2160, 2160, 4320]]
    assert cell_widths(fixed)[3] == [3000, 500, 500]


def test_every_table_is_fitted_on_its_own():
    fixed = fit_table_grids(build([[1000, 3000]] * 2, [[2880, 2880]] * 2, [[1, 1, 2]] * 2))
    assert grids(fixed) == [[1440, 4320], [2880, 2880], [2160, 2160, 4320]]


def test_an_unchanged_document_is_returned_as_it_is():
    document = build([[2880, 2880, 2880]] * 2)
    assert fit_table_grids(document) is document
    within_rounding = build([[2879, 2882, 2880]] * 2)  # within 2 twips: left alone
    assert fit_table_grids(within_rounding) is within_rounding
    no_table = build()
    assert fit_table_grids(no_table) is no_table


def test_cells_without_widths_in_twips_leave_the_table_alone():
    document = build([[1000, 3000, 1000]] * 2)
    with zipfile.ZipFile(io.BytesIO(document)) as z:
        entries = {i.filename: z.read(i.filename) for i in z.infolist()}
    xml = entries["word/document.xml"].replace(b'w:type="dxa"', b'w:type="pct"')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data in entries.items():
            z.writestr(name, xml if name == "word/document.xml" else data)
    percent = out.getvalue()
    assert fit_table_grids(percent) is percent


def test_the_rest_of_the_document_is_kept():
    document = build([[1000, 3000, 1000]] * 2)
    fixed = fit_table_grids(document)
    with zipfile.ZipFile(io.BytesIO(document)) as a, zipfile.ZipFile(io.BytesIO(fixed)) as b:
        assert a.namelist() == b.namelist()
        assert all(a.read(n) == b.read(n) for n in a.namelist() if n != "word/document.xml")
        declaration = b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>"
        assert b.read("word/document.xml").startswith(declaration)
    assert Document(io.BytesIO(fixed)).paragraphs[0].text == "Phụ lục"

