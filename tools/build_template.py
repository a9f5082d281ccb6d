"""Build the default Word template ``templates/bao-cao.docx`` with python-docx.

The template is generated so that it is reproducible and reviewable in code; users then
edit the .docx itself in Word or LibreOffice. Layout follows Nghị định 30/2020/NĐ-CP
(see shared/domain/nd30-format.md): A4, margins 20/20/30/15 mm, Times New Roman, the
two-column header block, page numbers top centre from page 2, appendices in landscape
sections whose page numbers restart at 1.

Tag conventions (docxtpl): every Jinja tag is written in a single run; ``{%p …%}`` and
``{%tr …%}`` tags stand alone in their own paragraph or table row (docxtpl removes that
paragraph or row). Control paragraphs use the style "Lệnh mẫu" so authors can see them;
they never reach the rendered report.

It also builds the group overview ``templates/tong-hop.docx`` (:func:`build_overview`): the
same header block, title, signature and page numbers; the ranking, rating groups, heatmap and
component means per index; a landscape appendix of every unit × every component, whose
columns are made by ``{%tc for %}`` loops (reportgen.analysis.group fixes the column widths).

Usage: ``python tools/build_template.py`` (both templates), ``python tools/build_template.py
OUT.docx`` (the unit report only) or ``python tools/build_template.py --overview OUT.docx``.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Emu, Mm, Pt, RGBColor
from docx.table import Table, _Cell, _Row
from docx.text.paragraph import Paragraph

FONT = "Times New Roman"
OUT = Path(__file__).resolve().parents[1] / "templates" / "bao-cao.docx"
OVERVIEW_OUT = OUT.with_name("tong-hop.docx")

PORTRAIT_TEXT_CM = 16.5  # 210 − 30 − 15 mm
LANDSCAPE_TEXT_CM = 25.7  # 297 − 20 − 20 mm
HEADER_LEFT_CM, HEADER_RIGHT_CM = 6.75, 10.0  # ND30 Mẫu 1.4, measured in Phuluc3.doc
CELL_PAD_CM = 0.19  # Word's default left/right cell margin, set explicitly
SIGN_LEFT_CM, SIGN_RIGHT_CM = 6.5, 10.0

STRENGTH_FILL = "E2EFDA"  # light green
WEAKNESS_FILL = "FCE4D6"  # light orange
HIGHLIGHT_FILL = "FFF2CC"  # light yellow: the reported unit in the ranking
HEADER_FILL = "F2F2F2"  # light grey header row



# --- low-level XML helpers ---------------------------------------------------------------

def _el(tag: str, **attrs: str) -> OxmlElement:
    """A new ``w:`` element with ``w:`` attributes."""
    el = OxmlElement(tag)
    for key, value in attrs.items():
        el.set(qn(f"w:{key}"), value)
    return el


def _replace(parent, tag: str, **attrs: str) -> OxmlElement:
    """Remove every ``tag`` child of ``parent`` and append a fresh one."""
    for old in parent.findall(qn(tag)):
        parent.remove(old)
    el = _el(tag, **attrs)
    parent.append(el)
    return el


def set_fonts(rpr) -> None:
    """Times New Roman for every script slot, with no theme font overriding it."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = _el("w:rFonts")
        rpr.insert(0, fonts)
    for attr in list(fonts.attrib):
        if "Theme" in attr or "theme" in attr:
            del fonts.attrib[attr]
    for slot in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(qn(f"w:{slot}"), FONT)


def normalise_styles(doc) -> None:
    """Every style and the document defaults: Times New Roman, black, Vietnamese."""
    styles = doc.styles.element
    for fonts in styles.iter(qn("w:rFonts")):
        for attr in list(fonts.attrib):
            if "heme" in attr:
                del fonts.attrib[attr]
        for slot in ("ascii", "hAnsi", "eastAsia", "cs"):
            fonts.set(qn(f"w:{slot}"), FONT)
    for color in styles.iter(qn("w:color")):
        for attr in list(color.attrib):
            del color.attrib[attr]
        color.set(qn("w:val"), "000000")
    defaults = styles.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    set_fonts(rpr)
    _replace(rpr, "w:color", val="000000")
    for tag in ("w:sz", "w:szCs"):
        _replace(rpr, tag, val="28")
    _replace(rpr, "w:lang", val="vi-VN", eastAsia="vi-VN", bidi="ar-SA")
    ppr = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr"))
    _replace(ppr, "w:spacing", before="0", after="0", line="240", lineRule="auto")


def set_cell_shading(cell: _Cell, fill: str) -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    shd = _el("w:shd", val="clear", color="auto", fill=fill)
    for old in tcpr.findall(qn("w:shd")):
        tcpr.remove(old)
    # schema order: tcW, gridSpan, vMerge, tcBorders, shd, noWrap, tcMar, …, vAlign
    after = [qn(t) for t in ("w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText",
                             "w:vAlign", "w:hideMark")]
    for i, child in enumerate(tcpr):
        if child.tag in after:
            tcpr.insert(i, shd)
            return
    tcpr.append(shd)


def add_field(paragraph: Paragraph, instr: str, shown: str) -> None:
    """A complex field (begin / instrText / separate / result / end) in its own runs."""
    def run_with(child) -> None:
        run = paragraph.add_run()
        run._r.append(child)

    run_with(_el("w:fldChar", fldCharType="begin"))
    instr_el = _el("w:instrText")
    instr_el.set(qn("xml:space"), "preserve")
    instr_el.text = f" {instr} "
    run_with(instr_el)
    run_with(_el("w:fldChar", fldCharType="separate"))
    paragraph.add_run(shown)
    run_with(_el("w:fldChar", fldCharType="end"))


# --- styles ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Para:
    """Paragraph-style settings (None = inherit)."""

    size: float = 14
    bold: bool = False
    italic: bool = False
    align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.JUSTIFY
    first_line_cm: float = 1.0
    before: float = 6
    after: float = 0
    keep_next: bool = False
    color: str = "000000"


def style_paragraph(style, p: Para) -> None:
    """Apply ``p`` to a paragraph style, fonts included."""
    font = style.font
    font.name = FONT
    font.size = Pt(p.size)
    font.bold = p.bold
    font.italic = p.italic
    font.color.rgb = RGBColor.from_string(p.color)
    set_fonts(style.element.get_or_add_rPr())
    fmt = style.paragraph_format
    fmt.alignment = p.align
    fmt.first_line_indent = Cm(p.first_line_cm)
    fmt.left_indent = Cm(0)
    fmt.right_indent = Cm(0)
    fmt.space_before = Pt(p.before)
    fmt.space_after = Pt(p.after)
    fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    fmt.keep_with_next = p.keep_next
    fmt.widow_control = True


def add_style(doc, name: str, style_id: str, p: Para, base: str = "Normal"):
    """A custom paragraph style with a Vietnamese name and an ASCII id."""
    style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.element.set(qn("w:styleId"), style_id)
    style.base_style = doc.styles[base]
    style.quick_style = True
    style_paragraph(style, p)
    return style


def heading(doc, level: int, bold: bool, italic: bool) -> None:
    """Real heading styles (navigation pane, outline level), ND30 look: 14 pt, black."""
    style = doc.styles[f"Heading {level}"]
    ppr = style.element.get_or_add_pPr()
    for child in list(ppr):
        ppr.remove(child)
    rpr = style.element.get_or_add_rPr()
    for child in list(rpr):
        rpr.remove(child)
    style_paragraph(style, Para(bold=bold, italic=italic, keep_next=True, before=6))
    style.paragraph_format.keep_together = True
    ppr.append(_el("w:outlineLvl", val=str(level - 1)))


def setup_styles(doc) -> None:
    normalise_styles(doc)
    style_paragraph(doc.styles["Normal"], Para())
    heading(doc, 1, bold=True, italic=False)   # "I. KẾT QUẢ CHUNG"
    heading(doc, 2, bold=True, italic=False)   # "1. Chỉ số …"
    heading(doc, 3, bold=False, italic=False)  # "a) …" (ND30: điểm in thường, đứng)
    style_paragraph(doc.styles["Caption"], Para(size=13, italic=True, first_line_cm=0,
                                                align=WD_ALIGN_PARAGRAPH.CENTER, before=6,
                                                keep_next=True))
    style_paragraph(doc.styles["Header"], Para(size=14, first_line_cm=0, before=0,
                                               align=WD_ALIGN_PARAGRAPH.CENTER))
    style_paragraph(doc.styles["Footer"], Para(size=14, first_line_cm=0, before=0,
                                               align=WD_ALIGN_PARAGRAPH.CENTER))
    center = WD_ALIGN_PARAGRAPH.CENTER
    left = WD_ALIGN_PARAGRAPH.LEFT
    right = WD_ALIGN_PARAGRAPH.RIGHT
    add_style(doc, "Thể thức", "TheThuc", Para(size=13, first_line_cm=0, before=0, align=center))
    add_style(doc, "Tên loại văn bản", "TenLoai",
              Para(bold=True, first_line_cm=0, before=24, align=center, keep_next=True))
    add_style(doc, "Trích yếu", "TrichYeu",
              Para(bold=True, first_line_cm=0, before=0, align=center, keep_next=True))
    add_style(doc, "Căn cứ", "CanCu", Para(italic=True))
    add_style(doc, "Lưu ý số liệu", "LuuY",
              Para(size=12, italic=True, first_line_cm=0, before=12, after=6, align=center))
    add_style(doc, "Hình", "Hinh", Para(first_line_cm=0, before=6, align=center,
                                        keep_next=True))
    add_style(doc, "Nguồn", "Nguon", Para(size=12, italic=True, first_line_cm=0, before=0,
                                          after=6, align=center))
    add_style(doc, "Đơn vị tính", "DonViTinh",
              Para(size=12, italic=True, first_line_cm=0, before=0, align=right, keep_next=True))
    add_style(doc, "Ghi chú bảng", "GhiChuBang", Para(size=12, italic=True, before=3))
    add_style(doc, "Ô bảng", "OBang", Para(size=12, first_line_cm=0, before=2, after=2,
                                           align=left))
    add_style(doc, "Ô bảng - số", "OBangSo", Para(size=12, first_line_cm=0, before=2, after=2,
                                                  align=right), base="Ô bảng")
    add_style(doc, "Ô bảng - giữa", "OBangGiua", Para(size=12, first_line_cm=0, before=2,
                                                      after=2, align=center), base="Ô bảng")
    add_style(doc, "Ô bảng - tiêu đề", "OBangTieuDe",
              Para(size=12, bold=True, first_line_cm=0, before=2, after=2, align=center),
              base="Ô bảng")
    add_style(doc, "Nơi nhận", "NoiNhan", Para(size=12, bold=True, italic=True, first_line_cm=0,
                                               before=0, align=left))
    recipients = add_style(doc, "Danh sách nơi nhận", "DsNoiNhan",
                           Para(size=11, first_line_cm=0, before=0, align=left))
    recipients.paragraph_format.left_indent = Cm(0.2)  # wrapped lines hang under the text
    recipients.paragraph_format.first_line_indent = Cm(-0.2)
    add_style(doc, "Chữ ký", "ChuKy", Para(bold=True, first_line_cm=0, before=0, align=center))
    add_style(doc, "Phụ lục", "PhuLuc", Para(bold=True, first_line_cm=0, before=0, align=center,
                                             keep_next=True))
    add_style(doc, "Tên phụ lục", "TenPhuLuc", Para(bold=True, first_line_cm=0, before=0,
                                                    align=center, keep_next=True))
    add_style(doc, "Kèm theo", "KemTheo", Para(italic=True, first_line_cm=0, before=0,
                                               align=center, keep_next=True))
    rule = add_style(doc, "Đường kẻ", "DuongKe", Para(size=1, first_line_cm=0, before=4,
                                                      align=center, keep_next=True))
    rule.paragraph_format.line_spacing = Pt(1)
    pbdr = _el("w:pBdr")
    pbdr.append(_el("w:top", val="single", sz="6", space="1", color="000000"))
    rule.element.get_or_add_pPr().append(pbdr)
    add_style(doc, "Lệnh mẫu", "LenhMau", Para(size=10, first_line_cm=0, before=0,
                                               align=left, color="7F7F7F"))
    add_table_style(doc)
    _order_ppr_children(doc.styles.element)


def add_table_style(doc) -> None:
    """"Bảng số liệu": thin black grid, small cell margins, centred on the page."""
    style = doc.styles.add_style("Bảng số liệu", WD_STYLE_TYPE.TABLE)
    style.element.set(qn("w:styleId"), "BangSoLieu")
    style.base_style = doc.styles["Normal Table"]
    tblpr = style.element.find(qn("w:tblPr"))
    if tblpr is None:
        tblpr = _el("w:tblPr")
        style.element.append(tblpr)
    tblpr.append(_el("w:jc", val="center"))
    borders = _el("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        borders.append(_el(f"w:{side}", val="single", sz="4", space="0", color="000000"))
    tblpr.append(borders)
    margins = _el("w:tblCellMar")
    margins.append(_el("w:top", w="0", type="dxa"))
    margins.append(_el("w:left", w="57", type="dxa"))
    margins.append(_el("w:bottom", w="0", type="dxa"))
    margins.append(_el("w:right", w="57", type="dxa"))
    tblpr.append(margins)


_PPR_ORDER = ["pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl",
              "numPr", "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens",
              "kinsoku", "wordWrap", "overflowPunct", "topLinePunct", "autoSpaceDE",
              "autoSpaceDN", "bidi", "adjustRightInd", "snapToGrid", "spacing", "ind",
              "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc", "textDirection",
              "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr",
              "sectPr", "pPrChange"]


def _order_ppr_children(root) -> None:
    """Put ``w:pPr`` children in schema order (Word rejects some out-of-order files)."""
    rank = {qn(f"w:{t}"): i for i, t in enumerate(_PPR_ORDER)}
    for ppr in root.iter(qn("w:pPr")):
        children = list(ppr)
        children.sort(key=lambda c: rank.get(c.tag, len(rank)))
        for child in children:
            ppr.append(child)


# --- paragraphs --------------------------------------------------------------------------

def para(where, text: str = "", style: str = "Normal", *, bold: bool | None = None,
         italic: bool | None = None, size: float | None = None) -> Paragraph:
    """One paragraph whose whole text (tags included) is one run."""
    p = where.add_paragraph(style=style)
    if text:
        run = p.add_run(text)
        run.bold = bold
        run.italic = italic
        if size:
            run.font.size = Pt(size)
    return p


def runs(where, parts: Sequence[tuple[str, dict]], style: str = "Normal") -> Paragraph:
    """One paragraph of several runs, each holding whole tags only."""
    p = where.add_paragraph(style=style)
    for text, fmt in parts:
        run = p.add_run(text)
        run.bold = fmt.get("bold")
        run.italic = fmt.get("italic")
    return p


def tag(where, text: str) -> Paragraph:
    """A control paragraph (``{%p … %}``): alone in its paragraph, removed at render."""
    return para(where, text, "Lệnh mẫu")


def rule(where, length_cm: float, available_cm: float) -> Paragraph:
    """A short centred line: an empty 1 pt paragraph with a top border, indented so the
    border is ``length_cm`` long inside ``available_cm``."""
    p = where.add_paragraph(style="Đường kẻ")
    side = max((available_cm - length_cm) / 2, 0)
    p.paragraph_format.left_indent = Cm(side)
    p.paragraph_format.right_indent = Cm(side)
    return p


def tiny(p: Paragraph) -> Paragraph:
    """Make an empty paragraph (a section break carrier) as small as possible."""
    p.style = "Đường kẻ"
    p.paragraph_format.space_before = Pt(0)
    ppr = p._p.get_or_add_pPr()
    for old in ppr.findall(qn("w:pBdr")):
        ppr.remove(old)
    pbdr = _el("w:pBdr")
    pbdr.append(_el("w:top", val="nil"))
    ppr.append(pbdr)
    return p


# --- tables ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Col:
    """One column: header text, width, the row key, the cell's paragraph style and an
    optional group header spanning consecutive columns (a two-row header)."""

    header: str
    width_cm: float
    field: str  # the row key, e.g. "score"
    style: str = "Ô bảng - số"
    group: str = ""

    @property
    def tag(self) -> str:
        # ``items`` (and other dict method names) must be subscripted: row.items is a method
        key = f"row['{self.field}']" if self.field in DICT_METHODS else f"row.{self.field}"
        return f"{{{{ {key} }}}}"


DICT_METHODS = {"items", "keys", "values", "get", "pop", "update", "copy", "clear",
                "setdefault", "popitem", "fromkeys"}


def _table_frame(table: Table, widths: Sequence[float], borders: bool,
                 indent_cm: float = 0.0) -> None:
    """Fixed layout, exact grid and cell widths (LibreOffice reads the grid)."""
    table.autofit = False
    tblpr = table._tbl.tblPr
    total = sum(widths)
    _replace(tblpr, "w:tblW", w=str(int(Cm(total).twips)), type="dxa")
    _replace(tblpr, "w:tblLayout", type="fixed")
    if indent_cm:
        _replace(tblpr, "w:tblInd", w=str(int(Cm(indent_cm).twips)), type="dxa")
    if not borders:
        b = _replace(tblpr, "w:tblBorders")
        for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
            b.append(_el(f"w:{side}", val="nil"))
        mar = _replace(tblpr, "w:tblCellMar")
        pad = str(int(Cm(CELL_PAD_CM).twips))
        mar.append(_el("w:left", w=pad, type="dxa"))
        mar.append(_el("w:right", w=pad, type="dxa"))
    _order_tblpr(tblpr)
    for col, width in zip(table.columns, widths, strict=True):
        col.width = Cm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=False):
            cell.width = Cm(width)


def _order_tblpr(tblpr) -> None:
    order = ["tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize",
             "tblStyleColBandSize", "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders",
             "shd", "tblLayout", "tblCellMar", "tblLook"]
    rank = {qn(f"w:{t}"): i for i, t in enumerate(order)}
    for child in sorted(tblpr, key=lambda c: rank.get(c.tag, len(rank))):
        tblpr.append(child)


def _row_props(row: _Row, header: bool = False) -> None:
    trpr = row._tr.get_or_add_trPr()
    trpr.append(_el("w:cantSplit"))
    if header:
        trpr.append(_el("w:tblHeader"))


def _fill_cell(cell: _Cell, text: str, style: str, *, bold: bool | None = None,
               fill: str | None = None) -> None:
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    p = cell.paragraphs[0]
    p.style = style
    if text:
        run = p.add_run(text)
        run.bold = bold
    if fill:
        set_cell_shading(cell, fill)


def data_table(where, cols: Sequence[Col], loop: str, variants: Sequence[tuple[str, dict]],
               width_cm: float) -> Table:
    """A "Bảng số liệu" table: a repeated header row, then one ``{%tr for %}`` loop whose
    body is one row per variant, chosen by ``{%tr if/elif/else %}``.

    ``variants`` = [(condition or "" for else/only, {"bold": bool, "fill": hex|None})].
    """
    widths = [c.width_cm for c in cols]
    scale = width_cm / sum(widths)
    widths = [round(w * scale, 3) for w in widths]
    table = where.add_table(rows=0, cols=len(cols))
    table.style = "Bảng số liệu"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    header_rows(table, cols)
    control_row(table, f"{{%tr for row in {loop} %}}")
    many = len(variants) > 1
    for n, (condition, fmt) in enumerate(variants):
        if many:
            if condition:
                keyword = "if" if n == 0 else "elif"
                control_row(table, f"{{%tr {keyword} {condition} %}}")
            else:
                control_row(table, "{%tr else %}")
        row = table.add_row()
        _row_props(row)
        for cell, col in zip(row.cells, cols, strict=True):
            _fill_cell(cell, col.tag, col.style, bold=fmt.get("bold"), fill=fmt.get("fill"))
    if many:
        control_row(table, "{%tr endif %}")
    control_row(table, "{%tr endfor %}")
    _table_frame(table, widths, borders=True)
    return table


def header_rows(table: Table, cols: Sequence[Col]) -> None:
    """One header row, or two when columns are grouped ("Năm trước" over Điểm | Tỷ lệ |
    Hạng); both repeat on every page."""
    grouped = any(c.group for c in cols)
    rows = [table.add_row() for _ in range(2 if grouped else 1)]
    for row in rows:
        _row_props(row, header=True)
    if not grouped:
        for cell, col in zip(rows[0].cells, cols, strict=True):
            _fill_cell(cell, col.header, "Ô bảng - tiêu đề", fill=HEADER_FILL)
        return
    top, sub = rows[0].cells, rows[1].cells
    i = 0
    while i < len(cols):
        col = cols[i]
        if not col.group:
            merged = top[i].merge(sub[i])
            _fill_cell(merged, col.header, "Ô bảng - tiêu đề", fill=HEADER_FILL)
            i += 1
            continue
        j = i
        while j + 1 < len(cols) and cols[j + 1].group == col.group:
            j += 1
        span = top[i].merge(top[j]) if j > i else top[i]
        _fill_cell(span, col.group, "Ô bảng - tiêu đề", fill=HEADER_FILL)
        for k in range(i, j + 1):
            _fill_cell(sub[k], cols[k].header, "Ô bảng - tiêu đề", fill=HEADER_FILL)
        i = j + 1


def control_row(table: Table, text: str) -> None:
    """A row holding only a ``{%tr … %}`` tag, its cells merged into one."""
    row = table.add_row()
    cell = row.cells[0].merge(row.cells[-1]) if len(row.cells) > 1 else row.cells[0]
    p = cell.paragraphs[0]
    p.style = "Lệnh mẫu"
    p.add_run(text)


# --- the document ------------------------------------------------------------------------

def setup_page(section, landscape: bool) -> None:
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
        # Word rotates the binding margin to the top of a landscape page.
        section.top_margin, section.bottom_margin = Mm(30), Mm(15)
        section.left_margin, section.right_margin = Mm(20), Mm(20)
        section.header_distance = Mm(15)
    else:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(20), Mm(20)
        section.left_margin, section.right_margin = Mm(30), Mm(15)
        section.header_distance = Mm(10)
    section.footer_distance = Mm(10)
    section.gutter = Emu(0)
    section.different_first_page_header_footer = True
    sectpr = section._sectPr
    pg = sectpr.find(qn("w:pgNumType"))
    if pg is None:
        pg = _el("w:pgNumType")
        # pgNumType goes after pgMar/paperSrc/pgBorders/lnNumType in CT_SectPr
        anchor = sectpr.find(qn("w:pgMar"))
        anchor.addnext(pg)
    pg.set(qn("w:start"), "1")
    pg.set(qn("w:fmt"), "decimal")


def page_headers(section) -> None:
    """PAGE field centred in the primary header; the first-page header stays empty."""
    header = section.header
    header.is_linked_to_previous = False
    p = header.paragraphs[0]
    p.style = "Header"
    add_field(p, "PAGE", "2")
    first = section.first_page_header
    first.is_linked_to_previous = False
    first.paragraphs[0].style = "Header"
    for footer in (section.footer, section.first_page_footer):
        footer.is_linked_to_previous = False
        footer.paragraphs[0].style = "Footer"


def header_block(doc) -> None:
    """ND30 ô 1–4: a borderless 2×2 table, agency | Quốc hiệu and Tiêu ngữ, Số | date."""
    table = doc.add_table(rows=2, cols=2)
    _table_frame(table, [HEADER_LEFT_CM, HEADER_RIGHT_CM], borders=False, indent_cm=-0.25)
    for row in table.rows:
        _row_props(row)
    left, right = table.rows[0].cells
    inner_left = HEADER_LEFT_CM - 2 * CELL_PAD_CM
    inner_right = HEADER_RIGHT_CM - 2 * CELL_PAD_CM

    first = left.paragraphs[0]
    first.style = "Lệnh mẫu"
    first.add_run("{%p if report.parent_agency %}")
    para(left, "{{ report.parent_agency }}", "Thể thức", size=13)
    tag(left, "{%p endif %}")
    para(left, "{{ report.agency }}", "Thể thức", bold=True, size=13)
    rule(left, 2.2, inner_left)

    qh = right.paragraphs[0]
    qh.style = "Thể thức"
    run = qh.add_run("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    run.bold = True
    run.font.size = Pt(13)
    para(right, "Độc lập - Tự do - Hạnh phúc", "Thể thức", bold=True, size=14)
    rule(right, 6.05, inner_right)  # the Tiêu ngữ's length at 14 pt bold

    number, date = table.rows[1].cells
    p = number.paragraphs[0]
    p.style = "Thể thức"
    p.paragraph_format.space_before = Pt(6)
    p.add_run("{{ report.number }}").font.size = Pt(13)
    p = date.paragraphs[0]
    p.style = "Thể thức"
    p.paragraph_format.space_before = Pt(6)
    run = p.add_run("{{ report.place_date }}")
    run.italic = True
    run.font.size = Pt(14)
    for cell in (left, right, number, date):
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP


def title_block(doc) -> None:
    para(doc, "{{ report.doc_type }}", "Tên loại văn bản")
    para(doc, "{{ report.subject }}", "Trích yếu")
    rule(doc, 4.0, PORTRAIT_TEXT_CM)
    tag(doc, "{%p if report.sample_notice %}")
    p = para(doc, "{{ report.sample_notice }}", "Lưu ý số liệu")
    pbdr = _el("w:pBdr")
    for side in ("top", "left", "bottom", "right"):
        pbdr.append(_el(f"w:{side}", val="single", sz="4", space="4", color="000000"))
    p._p.get_or_add_pPr().append(pbdr)
    p.paragraph_format.left_indent = Cm(1.5)
    p.paragraph_format.right_indent = Cm(1.5)
    tag(doc, "{%p endif %}")
    tag(doc, "{%p for basis in report.legal_bases %}")
    para(doc, "{{ basis }}", "Căn cứ")
    tag(doc, "{%p endfor %}")
    para(doc, "{{ report.intro }}")


def each(doc, item: str, seq: str, text: str, style: str = "Normal") -> None:
    """``{%p for item in seq %}`` · one paragraph · ``{%p endfor %}``."""
    tag(doc, f"{{%p for {item} in {seq} %}}")
    para(doc, text, style)
    tag(doc, "{%p endfor %}")


def charts_block(doc, seq: str) -> None:
    """Charts centred, each with its caption and source line, then omitted-chart notes."""
    tag(doc, f"{{%p for chart in {seq}.charts %}}")
    para(doc, "{{ chart.image }}", "Hình")
    para(doc, "{{ chart.caption }}", "Caption")
    para(doc, "{{ chart.source }}", "Nguồn")
    tag(doc, "{%p endfor %}")
    each(doc, "note", f"{seq}.notes", "{{ note }}")


SUMMARY_COLS = [
    Col("Chỉ số", 3.0, "name", "Ô bảng"),
    Col("Năm trước", 1.7, "prev", group="Kết quả"),
    Col("Năm đánh giá", 1.7, "score", group="Kết quả"),
    Col("Tăng/ giảm", 1.6, "delta", group="Kết quả"),
    Col("Năm trước", 2.0, "prev_rank", "Ô bảng - giữa", group="Xếp hạng"),  # "135/143"
    Col("Năm đánh giá", 2.0, "rank", "Ô bảng - giữa", group="Xếp hạng"),
    Col("Tăng/ giảm bậc", 1.6, "delta_rank", "Ô bảng - giữa", group="Xếp hạng"),
    Col("Nhóm, xếp loại", 2.9, "rating", "Ô bảng"),
]

COMPONENT_COLS = [
    Col("STT", 1.1, "no", "Ô bảng - giữa"),
    Col("Lĩnh vực, chỉ số thành phần", 4.4, "name", "Ô bảng"),
    Col("Điểm tối đa", 1.5, "max"),
    Col("Điểm đạt", 1.5, "score"),
    Col("Tỷ lệ (%)", 1.5, "percent"),
    Col("Điểm bị mất", 1.5, "lost"),
    Col("Tăng/ giảm điểm", 1.6, "delta"),
    Col("Xếp hạng", 2.0, "rank", "Ô bảng - giữa"),  # "107/150" (a province's communes)
    Col("Tăng/ giảm bậc", 1.4, "delta_rank", "Ô bảng - giữa"),
]

RESPONSIBILITY_COLS = [
    Col("STT", 1.1, "no", "Ô bảng - giữa"),
    Col("Cơ quan chủ trì", 3.5, "unit", "Ô bảng"),
    Col("Lĩnh vực, tiêu chí còn hạn chế", 4.2, "items", "Ô bảng"),
    Col("Điểm bị mất / thứ hạng giảm", 3.7, "lost", "Ô bảng"),
    Col("Yêu cầu giải trình", 4.0, "request", "Ô bảng"),
]

APPENDIX_COMPONENT_COLS = [
    Col("STT", 1.1, "no", "Ô bảng - giữa"),
    Col("Chỉ số, lĩnh vực, chỉ số thành phần", 6.3, "name", "Ô bảng"),
    Col("Điểm tối đa", 1.6, "max"),
    Col("Điểm", 1.6, "prev", group="Năm trước"),
    Col("Tỷ lệ (%)", 1.6, "prev_percent", group="Năm trước"),
    Col("Hạng", 1.3, "prev_rank", "Ô bảng - giữa", group="Năm trước"),
    Col("Điểm", 1.6, "score", group="Năm đánh giá"),
    Col("Tỷ lệ (%)", 1.6, "percent", group="Năm đánh giá"),
    Col("Hạng", 1.3, "rank", "Ô bảng - giữa", group="Năm đánh giá"),
    Col("Điểm", 1.6, "delta", group="Tăng/giảm"),
    Col("Bậc", 1.3, "delta_rank", "Ô bảng - giữa", group="Tăng/giảm"),
    Col("Cơ quan chủ trì", 4.9, "responsible", "Ô bảng"),
]

RANKING_COLS = [
    Col("Xếp hạng", 2.0, "rank", "Ô bảng - giữa"),
    Col("Đơn vị", 9.0, "unit", "Ô bảng"),
    Col("Điểm", 3.0, "score"),
    Col("Tỷ lệ (%)", 3.0, "percent"),
    Col("Tăng/giảm điểm", 3.0, "delta"),
    Col("Tăng/giảm bậc", 2.7, "delta_rank", "Ô bảng - giữa"),
    Col("Nhóm, xếp loại", 3.0, "rating", "Ô bảng"),
]


def section_results(doc) -> None:
    para(doc, "{{ sections.results }}", "Heading 1")
    tag(doc, "{%p for r in results %}")
    para(doc, "{{ r.heading }}", "Heading 2")
    each(doc, "p", "r.paragraphs", "{{ p }}")
    charts_block(doc, "r")
    tag(doc, "{%p endfor %}")
    each(doc, "p", "missing", "{{ p }}")
    para(doc, "{{ summary.caption }}", "Caption")
    data_table(doc, SUMMARY_COLS, "summary.rows", [("", {})], PORTRAIT_TEXT_CM)
    tag(doc, "{%p if summary.note %}")
    para(doc, "{{ summary.note }}", "Ghi chú bảng")
    tag(doc, "{%p endif %}")


def section_components(doc) -> None:
    para(doc, "{{ sections.components }}", "Heading 1")
    tag(doc, "{%p for comp in components %}")
    para(doc, "{{ comp.heading }}", "Heading 2")
    para(doc, "{{ comp.caption }}", "Caption")
    para(doc, "{{ comp.unit_note }}", "Đơn vị tính")
    data_table(doc, COMPONENT_COLS, "comp.rows", [
        ("row.bold", {"bold": True}),
        ("row.mark == 'strength'", {"fill": STRENGTH_FILL}),
        ("row.mark == 'weakness'", {"fill": WEAKNESS_FILL}),
        ("", {}),
    ], PORTRAIT_TEXT_CM)
    tag(doc, "{%p if comp.note %}")
    para(doc, "{{ comp.note }}", "Ghi chú bảng")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if comp.rows|selectattr('mark')|list %}")
    para(doc, "Dòng tô nền xanh nhạt: lĩnh vực, chỉ số thành phần là điểm mạnh; dòng tô nền "
              "cam nhạt: lĩnh vực, chỉ số thành phần cần tập trung cải thiện.", "Ghi chú bảng")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p for sub in comp.subsections %}")
    para(doc, "{{ sub.heading }}", "Heading 3")
    each(doc, "p", "sub.paragraphs", "{{ p }}")
    each(doc, "b", "sub.bullets", "- {{ b }}")
    tag(doc, "{%p endfor %}")
    charts_block(doc, "comp")
    tag(doc, "{%p endfor %}")


def section_assessment(doc) -> None:
    para(doc, "{{ sections.assessment }}", "Heading 1")
    para(doc, "1. Ưu điểm", "Heading 2")
    each(doc, "s", "assessment.strengths", "- {{ s }}")
    para(doc, "2. Tồn tại, hạn chế", "Heading 2")
    each(doc, "s", "assessment.weaknesses", "- {{ s }}")
    para(doc, "3. Nguyên nhân", "Heading 2")
    para(doc, "a) Nguyên nhân khách quan", "Heading 3")
    each(doc, "s", "assessment.causes_objective", "- {{ s }}")
    para(doc, "b) Nguyên nhân chủ quan", "Heading 3")
    each(doc, "s", "assessment.causes_subjective", "- {{ s }}")


def table_if_rows(doc, cols: list[Col], table: str) -> None:
    """``table``'s caption and rows (a portrait table), left out when it has no rows."""
    tag(doc, f"{{%p if {table}.rows %}}")
    para(doc, f"{{{{ {table}.caption }}}}", "Caption")
    data_table(doc, cols, f"{table}.rows", [("", {})], PORTRAIT_TEXT_CM)
    tag(doc, "{%p endif %}")


def section_responsibility(doc) -> None:
    para(doc, "{{ sections.responsibility }}", "Heading 1")
    para(doc, "{{ responsibility.intro }}")
    table_if_rows(doc, RESPONSIBILITY_COLS, "responsibility")
    para(doc, "{{ responsibility.closing }}")


def section_tasks(doc) -> None:
    para(doc, "{{ sections.tasks }}", "Heading 1")
    para(doc, "1. Mục tiêu", "Heading 2")
    each(doc, "p", "tasks.targets", "{{ p }}")
    para(doc, "2. Nhiệm vụ chung", "Heading 2")
    each(doc, "g", "tasks.general", "- {{ g }}")
    para(doc, "3. Giải pháp cụ thể", "Heading 2")
    tag(doc, "{%p for s in tasks.solutions %}")
    runs(doc, [("{{ s.label }} ", {}), ("{{ s.lead_in }}", {"italic": True}),
               (": {{ s.text }} {{ s.assignment }}", {})])
    tag(doc, "{%p endfor %}")


def signature_block(doc) -> None:
    """ND30 ô 7 and 9b: "Nơi nhận:" with the list | authority, title, space, name."""
    table = doc.add_table(rows=1, cols=2)
    _table_frame(table, [SIGN_LEFT_CM, SIGN_RIGHT_CM], borders=False, indent_cm=-0.19)
    _row_props(table.rows[0])
    left, right = table.rows[0].cells
    left.vertical_alignment = right.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP
    p = left.paragraphs[0]
    p.style = "Nơi nhận"
    p.paragraph_format.space_before = Pt(12)
    p.add_run("Nơi nhận:")
    tag(left, "{%p for r in report.recipients %}")
    para(left, "{{ r }}", "Danh sách nơi nhận")
    tag(left, "{%p endfor %}")

    first = right.paragraphs[0]
    first.style = "Lệnh mẫu"
    first.add_run("{%p if report.signer.authority %}")
    p = para(right, "{{ report.signer.authority }}", "Chữ ký")
    p.paragraph_format.space_before = Pt(12)
    tag(right, "{%p endif %}")
    para(right, "{{ report.signer.title }}", "Chữ ký")
    name = para(right, "{{ report.signer.name }}", "Chữ ký")
    name.paragraph_format.space_before = Pt(84)  # room for signature and seal (~3 cm)


def appendix_sections(doc, table_body: Callable) -> None:
    """Each appendix in its own landscape section (new page, page numbers from 1), its
    titles, then per table its caption and ``table_body(doc)``.

    An unconditional break ends the portrait body; each later loop pass starts with a
    landscape break that ends the previous appendix. With no appendices the trailing
    landscape section is empty and the renderer drops it.
    """
    body_end = doc.add_section(WD_SECTION.NEW_PAGE)  # break paragraph: ends the body
    tiny(doc.paragraphs[-1])
    setup_page(body_end, landscape=True)
    tag(doc, "{%p for ap in appendices %}")
    tag(doc, "{%p if not loop.first %}")
    doc.add_section(WD_SECTION.NEW_PAGE)  # break paragraph: ends the previous appendix
    tiny(doc.paragraphs[-1])
    tag(doc, "{%p endif %}")
    para(doc, "{{ ap.number }}", "Phụ lục")
    para(doc, "{{ ap.title }}", "Tên phụ lục")
    para(doc, "{{ ap.ref }}", "Kèm theo")
    rule(doc, 4.0, LANDSCAPE_TEXT_CM)
    tag(doc, "{%p for t in ap.tables %}")
    caption = para(doc, "{{ t.caption }}", "Caption")
    caption.paragraph_format.space_before = Pt(12)
    table_body(doc)
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endfor %}")
    tiny(doc.add_paragraph())  # Word wants a paragraph, not a table, last in the body


def appendices(doc) -> None:
    """The unit report's appendices: component tables and peer rankings."""

    def table_body(doc) -> None:
        tag(doc, "{%p if t.kind == 'components' %}")
        data_table(doc, APPENDIX_COMPONENT_COLS, "t.rows",
                   [("row.bold", {"bold": True}), ("", {})], LANDSCAPE_TEXT_CM)
        tag(doc, "{%p elif t.kind == 'ranking' %}")
        data_table(doc, RANKING_COLS, "t.rows",
                   [("row.highlight", {"bold": True, "fill": HIGHLIGHT_FILL}), ("", {})],
                   LANDSCAPE_TEXT_CM)
        tag(doc, "{%p endif %}")

    appendix_sections(doc, table_body)


def settings(doc) -> None:
    """Modern compatibility mode and Vietnamese proofing."""
    s = doc.settings.element
    compat = s.find(qn("w:compat"))
    if compat is not None:
        for setting in compat.findall(qn("w:compatSetting")):
            if setting.get(qn("w:name")) == "compatibilityMode":
                setting.set(qn("w:val"), "15")
    lang = s.find(qn("w:themeFontLang"))
    if lang is not None:
        lang.set(qn("w:val"), "vi-VN")
        lang.set(qn("w:eastAsia"), "vi-VN")


def properties(doc) -> None:
    props = doc.core_properties
    props.title = "{{ report.doc_type }} {{ report.subject }}"
    props.subject = "Báo cáo phân tích kết quả các Chỉ số"
    props.author = "{{ report.agency }}"
    props.last_modified_by = "reportgen"
    props.comments = ""
    props.keywords = "ND30, PAR INDEX, SIPAS, PAPI"
    props.language = "vi-VN"
    props.revision = 1
    stamp = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    props.created = stamp
    props.modified = stamp


def build_document(properties_of: Callable, parts: Sequence[Callable],
                   closing_parts: Sequence[Callable]) -> Document:
    """A template in document order: styles, settings and the page of every template, the
    header block, then ``parts`` (title and sections), the closing paragraph and signature,
    then ``closing_parts`` (appendices)."""
    doc = Document()
    setup_styles(doc)
    settings(doc)
    properties_of(doc)
    body = doc.sections[0]
    setup_page(body, landscape=False)
    page_headers(body)
    header_block(doc)
    for part in parts:
        part(doc)
    para(doc, "{{ report.closing }}")
    signature_block(doc)
    for part in closing_parts:
        part(doc)
    _order_ppr_children(doc.element)
    return doc


def build() -> Document:
    """The unit report template."""
    return build_document(properties, [title_block, section_results, section_components,
                                       section_assessment, section_responsibility, section_tasks],
                          [appendices])


# --- the group overview (tong-hop.docx) ---------------------------------------------------

OVERVIEW_RANKING_COLS = [
    Col("Xếp hạng", 1.5, "rank", "Ô bảng - giữa"),
    Col("Đơn vị", 5.4, "unit", "Ô bảng"),
    Col("Điểm", 1.7, "score"),
    Col("Tỷ lệ (%)", 1.7, "percent"),
    Col("Tăng/ giảm điểm", 1.8, "delta"),
    Col("Tăng/ giảm bậc", 1.6, "delta_rank", "Ô bảng - giữa"),
    Col("Xếp loại", 2.8, "rating", "Ô bảng"),
]

RATING_COLS = [
    Col("Nhóm xếp loại", 2.8, "label", "Ô bảng"),
    Col("Mức điểm", 4.7, "description", "Ô bảng"),
    Col("Năm trước", 2.2, "previous", "Ô bảng - giữa", group="Số đơn vị"),
    Col("Năm đánh giá", 2.2, "count", "Ô bảng - giữa", group="Số đơn vị"),
    Col("Tăng/ giảm", 2.1, "delta", "Ô bảng - giữa", group="Số đơn vị"),
    Col("Tỷ lệ (%)", 2.5, "share"),
]

MEANS_COLS = [
    Col("STT", 1.1, "no", "Ô bảng - giữa"),
    Col("Lĩnh vực, chỉ số thành phần", 3.4, "name", "Ô bảng"),
    Col("Điểm tối đa", 1.4, "max"),
    Col("Điểm trung bình", 1.6, "mean"),
    Col("Tỷ lệ (%)", 1.4, "mean_percent"),
    Col("Tăng/ giảm", 1.5, "delta"),
    Col("Cao nhất", 3.05, "best", "Ô bảng"),
    Col("Thấp nhất", 3.05, "worst", "Ô bảng"),
]

# Matrix appendix: rank, unit, one looped component column, total; the two narrow cells hold
# the {%tc for %} / {%tc endfor %} tags and disappear at render.
MATRIX_WIDTHS = (1.5, 4.8, 0.3, 2.1, 0.3, 2.3)


def overview_title_block(doc) -> None:
    """Tên loại, trích yếu, sample notice, căn cứ and the opening paragraph (as bao-cao)."""
    title_block(doc)


def overview_results(doc) -> None:
    """I. Per index: sentences, ranking table and its note, units per rating group."""
    para(doc, "{{ sections.results }}", "Heading 1")
    tag(doc, "{%p for r in results %}")
    para(doc, "{{ r.heading }}", "Heading 2")
    each(doc, "p", "r.paragraphs", "{{ p }}")
    para(doc, "{{ r.ranking.caption }}", "Caption")
    data_table(doc, OVERVIEW_RANKING_COLS, "r.ranking.rows", [("", {})], PORTRAIT_TEXT_CM)
    tag(doc, "{%p if r.ranking.note %}")
    para(doc, "{{ r.ranking.note }}", "Ghi chú bảng")
    tag(doc, "{%p endif %}")
    table_if_rows(doc, RATING_COLS, "r.ratings")
    tag(doc, "{%p endfor %}")


def overview_components(doc) -> None:
    """II. Per index: sentences, the heatmap, the component means table."""
    tag(doc, "{%p if components %}")
    para(doc, "{{ sections.components }}", "Heading 1")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p for comp in components %}")
    para(doc, "{{ comp.heading }}", "Heading 2")
    each(doc, "p", "comp.paragraphs", "{{ p }}")
    charts_block(doc, "comp")
    para(doc, "{{ comp.caption }}", "Caption")
    para(doc, "{{ comp.unit_note }}", "Đơn vị tính")
    data_table(doc, MEANS_COLS, "comp.rows", [("", {})], PORTRAIT_TEXT_CM)
    tag(doc, "{%p if comp.note %}")
    para(doc, "{{ comp.note }}", "Ghi chú bảng")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p endfor %}")


def overview_leaders(doc) -> None:
    """III. Per index: a) leading units, b) units to improve, c) biggest rises and falls."""
    para(doc, "{{ sections.leaders }}", "Heading 1")
    tag(doc, "{%p for l in leaders %}")
    para(doc, "{{ l.heading }}", "Heading 2")
    tag(doc, "{%p for sub in l.subsections %}")
    para(doc, "{{ sub.heading }}", "Heading 3")
    each(doc, "p", "sub.paragraphs", "{{ p }}")
    each(doc, "b", "sub.bullets", "- {{ b }}")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endfor %}")


def matrix_table(where, seq: str, width_cm: float) -> Table:
    """Every unit × every component: ``{%tc for %}`` repeats the component column in the
    header and in each row. Cells keep their natural widths; the table is ``width_cm`` wide
    and the rendered grid is scaled to it (reportgen.analysis.group.fit_table_grids)."""
    table = where.add_table(rows=0, cols=len(MATRIX_WIDTHS))
    table.style = "Bảng số liệu"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    header = table.add_row()
    _row_props(header, header=True)
    titles = ("Xếp hạng", "Đơn vị", f"{{%tc for h in {seq}.columns %}}", "{{ h }}",
              "{%tc endfor %}", f"{{{{ {seq}.total }}}}")
    for cell, text in zip(header.cells, titles, strict=True):
        control = text.startswith("{%tc")
        _fill_cell(cell, text, "Lệnh mẫu" if control else "Ô bảng - tiêu đề",
                   fill=None if control else HEADER_FILL)
    control_row(table, f"{{%tr for row in {seq}.rows %}}")
    row = table.add_row()
    _row_props(row)
    cells = (("{{ row.rank }}", "Ô bảng - giữa"), ("{{ row.unit }}", "Ô bảng"),
             ("{%tc for v in row['values'] %}", "Lệnh mẫu"), ("{{ v }}", "Ô bảng - số"),
             ("{%tc endfor %}", "Lệnh mẫu"), ("{{ row.total }}", "Ô bảng - số"))
    for cell, (text, style) in zip(row.cells, cells, strict=True):
        _fill_cell(cell, text, style)
    control_row(table, "{%tr endfor %}")
    _table_frame(table, MATRIX_WIDTHS, borders=True)
    tblpr = table._tbl.tblPr
    _replace(tblpr, "w:tblW", w=str(int(Cm(width_cm).twips)), type="dxa")
    _order_tblpr(tblpr)
    return table


def overview_appendices(doc) -> None:
    """Landscape appendix: per index the full table of units × components."""

    def table_body(doc) -> None:
        para(doc, "{{ t.unit_note }}", "Đơn vị tính")
        matrix_table(doc, "t", LANDSCAPE_TEXT_CM)

    appendix_sections(doc, table_body)


def overview_properties(doc) -> None:
    properties(doc)
    doc.core_properties.subject = "Báo cáo tổng hợp kết quả các Chỉ số của các cơ quan, đơn vị"


def build_overview() -> Document:
    """The group overview template."""
    return build_document(overview_properties, [overview_title_block, overview_results,
                                                overview_components, overview_leaders],
                          [overview_appendices])


def main(argv: Sequence[str] = ()) -> int:
    args = list(argv)
    if args[:1] == ["--overview"]:
        targets = [(build_overview, Path(args[1]) if len(args) > 1 else OVERVIEW_OUT)]
    elif args:
        targets = [(build, Path(args[0]))]
    else:
        targets = [(build, OUT), (build_overview, OVERVIEW_OUT)]
    for make, out in targets:
        out.parent.mkdir(parents=True, exist_ok=True)
        make().save(str(out))
        print(f"Đã tạo {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

