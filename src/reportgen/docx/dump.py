"""A normalized, human-readable dump of a .docx, for golden tests and for looking.

Bytes of two equal documents differ (zip timestamps, ids, rsids), so tests compare this
text instead: per section the page setup, headers and footers (the PAGE field shown as
``{PAGE}``), then every block in body order — paragraphs as ``[Style] text`` (NFC,
whitespace collapsed), tables as rows of cells (with shading), images as
``[IMAGE w×h cm]``, native charts as ``[CHART kind w×h cm]`` followed by one line per
series: its plot type, name, number format and cached values per category (what the chart
shows; the embedded workbook is checked against them by the tests). No bytes are compared
anywhere.

Run ``python -m reportgen.docx.dump FILE.docx`` to print the dump of a file.
"""

from __future__ import annotations

import io
import sys
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.oxml.ns import qn
from lxml import etree

EMU_PER_CM = 360000
TWIPS_PER_MM = 1440 / 25.4
HEADER_TYPES = ("default", "first", "even")


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def _mm(value: str | None) -> str:
    if value is None:
        return "?"
    mm = int(value) / TWIPS_PER_MM
    return f"{mm:.0f}" if abs(mm - round(mm)) < 0.05 else f"{mm:.1f}"


def _cm(emu: str | None) -> str:
    return f"{int(emu or 0) / EMU_PER_CM:.1f}"


def _w(el: etree._Element, name: str) -> str | None:
    return el.get(qn(f"w:{name}"))


# --- inline content ----------------------------------------------------------------------

def inline_text(el: etree._Element) -> str:
    """Visible text of a paragraph (or any element), fields and images included."""
    out: list[str] = []
    in_field = 0  # nesting depth of complex fields
    instr: list[str] = []
    skipping = False  # inside a field's cached result
    for node in el.iter():
        tag = node.tag
        if tag == qn("w:fldChar"):
            kind = _w(node, "fldCharType")
            if kind == "begin":
                in_field += 1
                instr = []
                skipping = False
            elif kind == "separate":
                out.append(_field_marker("".join(instr)))
                skipping = True
            elif kind == "end":
                in_field = max(in_field - 1, 0)
                skipping = False
            continue
        if tag == qn("w:instrText"):
            instr.append(node.text or "")
            continue
        if tag == qn("w:fldSimple"):
            out.append(_field_marker(_w(node, "instr") or ""))
            skipping = True
            continue
        if skipping and tag == qn("w:t"):
            # a fldSimple's cached text sits inside it; complex fields end with fldChar end
            if _ancestor(node, "w:fldSimple") is not None or in_field:
                continue
            skipping = False
        if tag == qn("w:t"):
            out.append(node.text or "")
        elif tag in (qn("w:tab"), qn("w:br"), qn("w:cr")) and not _is_in_drawing(node):
            out.append(" ")
        elif tag == qn("wp:inline") or tag == qn("wp:anchor"):
            out.append(_image(node))
    return _norm("".join(out))


def _field_marker(instr: str) -> str:
    words = instr.split()
    return "{" + (words[0].upper() if words else "FIELD") + "}"


def _ancestor(node: etree._Element, tag: str) -> etree._Element | None:
    return next(node.iterancestors(qn(tag)), None)


def _is_in_drawing(node: etree._Element) -> bool:
    return _ancestor(node, "w:drawing") is not None


def _image(node: etree._Element) -> str:
    extent = node.find(qn("wp:extent"))
    cx = extent.get("cx") if extent is not None else None
    cy = extent.get("cy") if extent is not None else None
    docpr = node.find(qn("wp:docPr"))
    alt = _norm(docpr.get("descr", "")) if docpr is not None else ""
    what = "IMAGE"
    if next(node.iter(f"{{{C_NS}}}chart"), None) is not None:
        what = "CHART " + (docpr.get("name", "") if docpr is not None else "")
    return f" [{what.strip()} {_cm(cx)}×{_cm(cy)} cm{': ' + alt if alt else ''}] "


# --- native charts -----------------------------------------------------------------------

C_NS = "http://schemas.openxmlformats.org/drawingml/2006/chart"
PLOTS = ("barChart", "lineChart", "radarChart", "areaChart", "pieChart", "scatterChart")


def _c(tag: str) -> str:
    return f"{{{C_NS}}}{tag}"


def _cache(ref: etree._Element | None) -> dict[int, str]:
    """idx → value of a ``c:strCache``/``c:numCache`` (or literal) under ``ref``."""
    if ref is None:
        return {}
    return {int(pt.get("idx", "0")): _norm(pt.findtext(_c("v")) or "") for pt in ref.iter(_c("pt"))}


def chart_lines(space: etree._Element) -> list[str]:
    """One line per series of a ``c:chartSpace``: plot type (``/r``: on the secondary, right
    axis), name, number format, and ``category = value`` for each category ("–": no value)."""
    lines: list[str] = []
    plot_area = space.find(f"{_c('chart')}/{_c('plotArea')}")
    if plot_area is None:
        return lines
    first_axes = None
    for plot in plot_area:
        name = etree.QName(plot).localname
        if name not in PLOTS:
            continue
        axes = [a.get("val") for a in plot.findall(_c("axId"))]
        first_axes = first_axes or axes
        kind = name.removesuffix("Chart")
        bar_dir = plot.find(_c("barDir"))
        if bar_dir is not None:
            kind += "/" + str(bar_dir.get("val"))
        if axes != first_axes:
            kind += "/r"
        for ser in plot.findall(_c("ser")):
            title = " ".join(_cache(ser.find(_c("tx"))).values())
            categories = _cache(ser.find(_c("cat")))
            values = _cache(ser.find(_c("val")))
            code = ser.findtext(f"{_c('val')}//{_c('formatCode')}") or ""
            count = len(categories) or len(values)
            cells = [f"{categories.get(n, '?')} = {values.get(n, '–')}" for n in range(count)]
            lines.append(f"  · {kind} «{title}» {code}: " + " | ".join(cells))
    return lines


# --- blocks ------------------------------------------------------------------------------

class _Styles:
    """styleId → style name (the name Word shows)."""

    def __init__(self, doc: DocumentObject) -> None:
        self.names: dict[str, str] = {s.style_id: s.name for s in doc.styles}
        self.default = "Normal"

    def of(self, p: etree._Element) -> str:
        ppr = p.find(qn("w:pPr"))
        style = ppr.find(qn("w:pStyle")) if ppr is not None else None
        if style is None:
            return self.default
        sid = _w(style, "val") or ""
        return self.names.get(sid, sid)


def paragraph_line(p: etree._Element, styles: _Styles,
                   charts: dict[str, etree._Element] | None = None) -> str:
    """``[Style] text <flags>``; with ``charts`` (relationship id → ``c:chartSpace``), each
    native chart's series on the lines after it."""
    text = inline_text(p)
    flags = []
    ppr = p.find(qn("w:pPr"))
    if ppr is not None and ppr.find(qn("w:pageBreakBefore")) is not None:
        flags.append("page-break-before")
    if any(_w(br, "type") == "page" for br in p.iter(qn("w:br"))):
        flags.append("page-break")
    suffix = f" <{', '.join(flags)}>" if flags else ""
    line = f"[{styles.of(p)}]{' ' + text if text else ''}{suffix}"
    for ref in p.iter(_c("chart")) if charts else ():
        space = (charts or {}).get(ref.get(qn("r:id"), ""))
        line += "".join("\n" + row for row in chart_lines(space)) if space is not None else ""
    return line


def table_lines(tbl: etree._Element, styles: _Styles, indent: str = "") -> list[str]:
    rows = [tr for tr in tbl if tr.tag == qn("w:tr")]
    header_rows = sum(1 for tr in rows if tr.find(f"{qn('w:trPr')}/{qn('w:tblHeader')}")
                      is not None)
    grid = [_w(c, "w") for c in tbl.iterfind(f"{qn('w:tblGrid')}/{qn('w:gridCol')}")]
    widths = " ".join(f"{int(w) / 567:.2f}" for w in grid if w)
    lines = [f"{indent}TABLE {len(rows)}×{len(grid)} cols(cm): {widths}"
             + (f" header-rows={header_rows}" if header_rows else "")]
    for tr in rows:
        cells = []
        for tc in tr.iterfind(qn("w:tc")):
            cells.append(_cell_text(tc, styles))
        lines.append(f"{indent}  | " + " | ".join(cells) + " |")
        for tc in tr.iterfind(qn("w:tc")):
            for inner in tc.iterfind(qn("w:tbl")):
                lines += table_lines(inner, styles, indent + "    ")
    return lines


def _cell_text(tc: etree._Element, styles: _Styles) -> str:
    parts = [inline_text(p) for p in tc.iterfind(qn("w:p"))]
    text = " / ".join(p for p in parts if p)
    tcpr = tc.find(qn("w:tcPr"))
    marks = []
    if tcpr is not None:
        shd = tcpr.find(qn("w:shd"))
        fill = _w(shd, "fill") if shd is not None else None
        if fill and fill.lower() not in ("auto", "ffffff"):
            marks.append(f"bg={fill.upper()}")
        span = tcpr.find(qn("w:gridSpan"))
        if span is not None and _w(span, "val") not in (None, "1"):
            marks.append(f"span={_w(span, 'val')}")
        vmerge = tcpr.find(qn("w:vMerge"))
        if vmerge is not None:
            marks.append("vmerge=" + (_w(vmerge, "val") or "continue"))
    bold = tc.find(f".//{qn('w:b')}")
    if bold is not None and _w(bold, "val") not in ("0", "false"):
        marks.append("b")
    return text + (" {" + ",".join(marks) + "}" if marks else "")


# --- sections ----------------------------------------------------------------------------

def _sections(body: etree._Element) -> Iterator[tuple[etree._Element, list[etree._Element]]]:
    """(sectPr, blocks) per section: a paragraph carrying ``w:sectPr`` ends its section."""
    blocks: list[etree._Element] = []
    for child in body:
        if child.tag == qn("w:sectPr"):
            yield child, blocks
            blocks = []
            continue
        blocks.append(child)
        ppr = child.find(qn("w:pPr")) if child.tag == qn("w:p") else None
        sectpr = ppr.find(qn("w:sectPr")) if ppr is not None else None
        if sectpr is not None:
            yield sectpr, blocks
            blocks = []
    if blocks:
        yield etree.Element(qn("w:sectPr")), blocks


def section_lines(n: int, sectpr: etree._Element, doc: DocumentObject,
                  styles: _Styles) -> list[str]:
    pgsz = sectpr.find(qn("w:pgSz"))
    mar = sectpr.find(qn("w:pgMar"))
    w = _w(pgsz, "w") if pgsz is not None else None
    h = _w(pgsz, "h") if pgsz is not None else None
    orient = "landscape" if w and h and int(w) > int(h) else "portrait"
    kind = sectpr.find(qn("w:type"))
    start = sectpr.find(qn("w:pgNumType"))
    lines = [f"== SECTION {n}: {_mm(w)}×{_mm(h)} mm {orient}"
             + (f", starts {_w(kind, 'val')}" if kind is not None else "")]
    if mar is not None:
        lines.append("   margins mm: top {} bottom {} left {} right {}; header {} footer {}".format(
            *(_mm(_w(mar, k)) for k in ("top", "bottom", "left", "right", "header", "footer"))))
    lines.append(f"   different first page: {'yes' if sectpr.find(qn('w:titlePg')) is not None else 'no'}"
                 + (f"; page numbers restart at {_w(start, 'start')}"
                    if start is not None and _w(start, "start") else ""))
    for kind_name, tag in (("header", "w:headerReference"), ("footer", "w:footerReference")):
        refs = {_w(r, "type"): r.get(qn("r:id")) for r in sectpr.iterfind(qn(tag))}
        if not refs:
            lines.append(f"   {kind_name}: linked to previous")
            continue
        for typ in HEADER_TYPES:
            rid = refs.get(typ)
            if rid is None:
                continue
            part = doc.part.related_parts.get(rid)
            texts = []
            if part is not None:
                root = part.element if hasattr(part, "element") else etree.fromstring(part.blob)
                texts = [paragraph_line(p, styles) for p in root.iter(qn("w:p"))]
            lines.append(f"   {kind_name} ({typ}): " + (" / ".join(texts) or "(empty)"))
    return lines


def dump(docx_bytes: bytes) -> str:
    """The normalized dump of a .docx given as bytes."""
    doc = Document(io.BytesIO(docx_bytes))
    styles = _Styles(doc)
    body = doc.element.body
    charts = _chart_spaces(doc)
    out: list[str] = []
    for n, (sectpr, blocks) in enumerate(_sections(body), start=1):
        out += section_lines(n, sectpr, doc, styles)
        for block in blocks:
            if block.tag == qn("w:p"):
                out.append(paragraph_line(block, styles, charts))
            elif block.tag == qn("w:tbl"):
                out += table_lines(block, styles)
            elif block.tag == qn("w:sdt"):
                for p in block.iter(qn("w:p")):
                    out.append(paragraph_line(p, styles))
    return "\n".join(out) + "\n"


def _chart_spaces(doc: DocumentObject) -> dict[str, etree._Element]:
    """The body's chart parts, by relationship id, as ``c:chartSpace`` elements."""
    spaces = {}
    for rid, rel in doc.part.rels.items():
        if rel.is_external or not rel.reltype.endswith("/chart"):
            continue
        part = rel.target_part
        spaces[rid] = part.element if hasattr(part, "element") else etree.fromstring(part.blob)
    return spaces


def dump_file(path: str | Path) -> str:
    return dump(Path(path).read_bytes())


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        sys.stderr.write("usage: python -m reportgen.docx.dump FILE.docx\n")
        return 2
    sys.stdout.write(dump_file(args[0]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
