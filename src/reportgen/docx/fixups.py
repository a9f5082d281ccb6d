"""Fix-ups of a rendered document's XML that docxtpl cannot express in the template."""

from __future__ import annotations

import io
import zipfile
from collections import Counter
from collections.abc import Iterable

from docx.oxml.ns import qn
from lxml import etree


def fit_table_grids(document: bytes) -> bytes:
    """Give columns made by a ``{%tc for %}`` loop their cells' own widths.

    docxtpl sets every column of such a table to the same width (so the unit names would
    wrap in a narrow column); here each grid column takes the width of its cells in the
    template, scaled to the table's width. Other tables are left as they are.
    """
    with zipfile.ZipFile(io.BytesIO(document)) as src:
        xml = src.read("word/document.xml")
        root = etree.fromstring(xml)
        changed = [_fit_grid(tbl) for tbl in root.iter(qn("w:tbl"))]
        if not any(changed):
            return document
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
            for item in src.infolist():
                data = src.read(item.filename)
                if item.filename == "word/document.xml":
                    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                          standalone=True)
                dst.writestr(item, data)
    return out.getvalue()


def _cell_width(tc: etree._Element) -> int | None:
    """A cell's width in twips (None when not given in twips, or when it spans columns)."""
    tcpr = tc.find(qn("w:tcPr"))
    if tcpr is None or tcpr.find(qn("w:gridSpan")) is not None:
        return None
    width = tcpr.find(qn("w:tcW"))
    if width is None or width.get(qn("w:type")) not in (None, "dxa"):
        return None
    return int(float(width.get(qn("w:w"), "0")))


def _fit_grid(tbl: etree._Element) -> bool:
    """Set one table's grid from the widths of its widest row; True when it changed."""
    grid = tbl.find(qn("w:tblGrid"))
    if grid is None:
        return False
    cols = grid.findall(qn("w:gridCol"))
    rows = [r.findall(qn("w:tc")) for r in tbl.findall(qn("w:tr"))]
    full = [cells for cells in rows if len(cells) == len(cols)]
    shapes = Counter(tuple(known) for w in ([_cell_width(c) for c in cells] for cells in full)
                     if len(known := [x for x in w if x is not None]) == len(w) and sum(known) > 0)
    if not shapes:
        return False
    widths = list(shapes.most_common(1)[0][0])  # the body rows' widths, not a merged header's
    current = [int(float(c.get(qn("w:w"), "0"))) for c in cols]
    if all(abs(a - b) <= 2 for a, b in zip(widths, current, strict=True)):
        return False
    table_width = tbl.find(qn("w:tblPr") + "/" + qn("w:tblW"))
    total = sum(current)
    if table_width is not None and table_width.get(qn("w:type")) == "dxa":
        total = int(float(table_width.get(qn("w:w"), "0"))) or total
    scaled = [int(w * total / sum(widths)) for w in widths]
    for col, width in zip(cols, scaled, strict=True):
        col.set(qn("w:w"), str(width))
    for cells in full:
        if [_cell_width(c) for c in cells] != widths:
            continue
        for tc, width in zip(cells, scaled, strict=True):
            found = tc.find(qn("w:tcPr") + "/" + qn("w:tcW"))
            if found is not None and found.get(qn("w:type")) in (None, "dxa"):
                found.set(qn("w:w"), str(width))
    return True


def highlight_paragraphs(root: etree._Element, texts: Iterable[str], colour: str = "yellow") -> int:
    """Highlight every run of the paragraphs that hold one of ``texts`` (a draft's
    suggestions, which a clerk must confirm or replace before the report is signed);
    returns how many paragraphs were marked."""
    wanted = [t.strip() for t in texts if t and t.strip()]
    if not wanted:
        return 0
    marked = 0
    for p in root.iter(qn("w:p")):
        text = "".join(t.text or "" for t in p.iter(qn("w:t")))
        if not any(w in text for w in wanted):
            continue
        marked += 1
        for run in p.iter(qn("w:r")):
            _set_highlight(run, colour)
    return marked


# run properties that come after w:highlight in CT_RPr's sequence (ECMA-376 §17.3.2.28)
_AFTER_HIGHLIGHT = {qn(f"w:{name}") for name in (
    "u", "effect", "bdr", "shd", "fitText", "vertAlign", "rtl", "cs", "em", "lang",
    "eastAsianLayout", "specVanish", "oMath")}


def _set_highlight(run: etree._Element, colour: str) -> None:
    """Give one run a highlight, in its schema place among the run properties."""
    rpr = run.find(qn("w:rPr"))
    if rpr is None:
        rpr = etree.Element(qn("w:rPr"))
        run.insert(0, rpr)
    for old in rpr.findall(qn("w:highlight")):
        rpr.remove(old)
    mark = etree.Element(qn("w:highlight"))
    mark.set(qn("w:val"), colour)
    after = next((i for i, child in enumerate(rpr) if child.tag in _AFTER_HIGHLIGHT), len(rpr))
    rpr.insert(after, mark)
