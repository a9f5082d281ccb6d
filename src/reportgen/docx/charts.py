"""Native charts in a Word package: a :class:`~reportgen.charts.native.NativeChart` placed in a
story (the body, a header) as a chart part, its embedded workbook and a ``wp:inline``.

The pieces (ECMA-376 part 1, §21.2 and §11.3): ``/word/charts/chartN.xml``
(``c:chartSpace``, a content-type Override) related from the story part;
``/word/embeddings/Microsoft_Excel_WorksheetN.xlsx`` related from the chart part with a
``package`` relationship that ``c:externalData/@r:id`` names; and in the story
``w:drawing/wp:inline`` with the size, a unique ``wp:docPr`` (``name`` = the chart's kind,
``descr`` = the alt text) and ``a:graphicData`` holding ``c:chart r:id``. python-docx writes
the content types and relationships on save because both are real parts.

Importing this module registers the two part classes with python-docx's ``PartFactory``
(its documented, process-wide extension point), so a document reopened with python-docx
loads its charts as :class:`ChartPart` (styling and ``replace_data`` through python-pptx);
unregistered, python-docx would still keep them byte for byte.
"""

from __future__ import annotations

from typing import Any, Final

from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part, PartFactory, XmlPart
from docx.oxml.ns import nsdecls
from docx.oxml.parser import parse_xml as parse_docx_xml
from docx.shared import Cm
from lxml import etree
from pptx.chart.chart import Chart
from pptx.oxml import parse_xml as parse_chart_xml

from reportgen.charts.native import NativeChart

CHART_PARTNAME: Final = "/word/charts/chart%d.xml"
XLSX_PARTNAME: Final = "/word/embeddings/Microsoft_Excel_Worksheet%d.xlsx"
CHART_URI: Final = "http://schemas.openxmlformats.org/drawingml/2006/chart"
C_NS: Final = CHART_URI


class ChartPart(XmlPart):
    """A ``c:chartSpace`` part, parsed with python-pptx's element classes (its ``Chart``
    proxy styles and re-fills it)."""

    @classmethod
    def load(cls, partname: PackURI, content_type: str, blob: bytes, package: Any) -> ChartPart:
        return cls(partname, content_type, parse_chart_xml(blob), package)

    @property
    def chart(self) -> Chart:
        """python-pptx's chart object on this part (``replace_data`` rewrites the caches
        and, through :attr:`chart_workbook`, the workbook)."""
        return Chart(self._element, self)

    @property
    def chart_workbook(self) -> ChartWorkbook:
        return ChartWorkbook(self)

    @property
    def workbook(self) -> EmbeddedXlsxPart | None:
        """The embedded workbook part, when there is one."""
        external = self._element.find(f"{{{C_NS}}}externalData")
        rid = external.get(f"{{{RT_NS}}}id") if external is not None else None
        if rid is None:
            return None
        part = self.related_parts.get(rid)
        return part if isinstance(part, EmbeddedXlsxPart) else None


RT_NS: Final = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


class ChartWorkbook:
    """What python-pptx's ``Chart.replace_data`` asks of a chart part's workbook."""

    def __init__(self, part: ChartPart) -> None:
        self.part = part

    def update_from_xlsx_blob(self, blob: bytes) -> None:
        existing = self.part.workbook
        if existing is not None:
            existing.blob = blob
            return
        attach_workbook(self.part, blob)


class EmbeddedXlsxPart(Part):
    """The chart's data as an Excel workbook (bytes kept as they are)."""

    @property
    def blob(self) -> bytes:
        return self._blob or b""

    @blob.setter
    def blob(self, value: bytes) -> None:
        self._blob = value


PartFactory.part_type_for[CT.DML_CHART] = ChartPart
PartFactory.part_type_for[CT.SML_SHEET] = EmbeddedXlsxPart


def next_partname(package: Any, template: str) -> PackURI:
    """python-docx's ``package.next_partname(template)`` (the lowest free number), without
    walking every part of the package on each call: the names in use are gathered once per
    package and each name given out here is added. Only this module names chart and
    workbook parts, so no other part can take one of these names meanwhile."""
    names: set[str] | None = package.__dict__.get("_reportgen_partnames")
    if names is None:
        names = {str(part.partname) for part in package.iter_parts()}
        package.__dict__["_reportgen_partnames"] = names
    n = 1
    while template % n in names:
        n += 1
    names.add(template % n)
    return PackURI(template % n)


def attach_workbook(chart_part: ChartPart, blob: bytes) -> str:
    """Add ``blob`` as the chart's embedded workbook; the relationship id."""
    package: Any = chart_part.package
    xlsx = EmbeddedXlsxPart(next_partname(package, XLSX_PARTNAME), CT.SML_SHEET, blob, package)
    rid = chart_part.relate_to(xlsx, RT.PACKAGE)
    space = chart_part.element
    space.get_or_add_externalData().rId = rid  # python-pptx: in schema order, autoUpdate 0
    return rid


def add_chart(story_part: Any, chart: NativeChart, shape_id: int) -> etree._Element:
    """Create the chart and workbook parts of ``chart`` related to ``story_part`` (the
    document part, a header…); the ``wp:inline`` that shows it (``shape_id``: its
    ``wp:docPr/@id``, unique in the document)."""
    package = story_part.package
    partname = next_partname(package, CHART_PARTNAME)
    part = ChartPart(partname, CT.DML_CHART, parse_chart_xml(chart.xml), package)
    rid = story_part.relate_to(part, RT.CHART)  # at once: next_partname sees related parts only
    attach_workbook(part, chart.xlsx)
    return inline(rid, chart, shape_id)


def inline(rid: str, chart: NativeChart, shape_id: int) -> etree._Element:
    """The ``wp:inline`` of a chart: size, alt text, the chart reference."""
    cx, cy = int(Cm(chart.width_cm)), int(Cm(chart.height_cm))
    name = _attr(chart.kind or "chart")
    descr = _attr(chart.alt_text)
    xml = (
        f'<wp:inline distT="0" distB="0" distL="0" distR="0" {nsdecls("wp", "a", "r")}>'
        f'<wp:extent cx="{cx}" cy="{cy}"/>'
        '<wp:effectExtent l="0" t="0" r="0" b="0"/>'
        f'<wp:docPr id="{shape_id}" name="{name}" descr="{descr}"/>'
        "<wp:cNvGraphicFramePr/>"
        f'<a:graphic><a:graphicData uri="{CHART_URI}">'
        f'<c:chart xmlns:c="{C_NS}" r:id="{rid}"/>'
        "</a:graphicData></a:graphic></wp:inline>")
    element: etree._Element = parse_docx_xml(xml)
    return element


def _attr(text: str) -> str:
    return (text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
            .replace(">", "&gt;").replace("\n", " "))


__all__ = ["ChartPart", "ChartWorkbook", "EmbeddedXlsxPart", "add_chart", "attach_workbook", "inline",
           "next_partname"]
