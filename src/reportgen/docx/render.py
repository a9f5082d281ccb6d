"""Render stage: the Word template + one render context → the .docx bytes of one report.

:class:`Renderer` loads a docxtpl template once and renders many contexts. It differs from
plain ``DocxTemplate.render`` in three ways:

- **Safety.** Templates are user-edited, so they run in Jinja's ``SandboxedEnvironment``
  (no access to Python internals), with ``autoescape`` (``&`` and ``<`` in data never
  corrupt the XML) and ``StrictUndefined`` (a missing variable is an error, not a blank).
- **Located errors.** Word splits text into runs and docxtpl rewrites the XML, so Jinja's
  line numbers mean nothing to a user. Before patching, every paragraph and table row gets
  an XML comment marker on its own line; an error's line is mapped back to that marker,
  and the message quotes the paragraph's visible text ("đoạn 57: «{{ report.agencyy }}»").
- **Speed.** docxtpl re-patches and re-compiles the whole XML on every render (its issue
  #110). Here each XML part is patched and compiled once; a render only re-opens the
  package from the original bytes (cheap), runs the compiled templates and saves.

Charts in the context (dicts with ``png`` bytes, or a ``native`` chart, and ``width_cm``)
reach the template as ``chart.image``, an ``InlineImage`` or a native Word chart
(:mod:`reportgen.docx.charts`) added to a copy of the context; the caller's dict is never
modified. See :mod:`reportgen.narrate.context` for the contract.
"""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docx.opc.package import Unmarshaller
from docx.opc.part import Part, PartFactory
from docx.opc.parts.coreprops import CorePropertiesPart
from docx.opc.pkgreader import PackageReader
from docx.oxml.ns import qn
from docx.package import Package
from docx.parts.document import DocumentPart
from docx.parts.image import ImagePart
from docx.shared import Cm
from docxtpl import DocxTemplate, InlineImage
from jinja2 import StrictUndefined, Template, meta
from jinja2 import TemplateError as JinjaTemplateError
from jinja2.exceptions import SecurityError, TemplateSyntaxError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment
from lxml import etree

from reportgen.charts.native import NativeChart
from reportgen.docx.fixups import highlight_paragraphs
from reportgen.errors import Issue, Location, RenderError, TemplateError, did_you_mean
from reportgen.narrate.compiled import compile_cached, from_code
from reportgen.narrate.limits import TEMPLATE_FAULTS, LimitedSandbox, TemplateTimeout, budget

BODY = "body"
MARKER = re.compile(r"<!--rg:(\d+)-->")
_MARKER_STRIP = re.compile(r"<!--rg:\d+-->")  # after "\n<!--rg:" → "<!--rg:" (a plain
# replace): a pattern starting with an optional "\n" is tried at every position, three times slower
_P_OR_TR = re.compile(r"<w:(p|tr)(?=[ >/])")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")  # not in XML 1.0
_TAGS = re.compile(r"<[^>]*>?")
_UNDEFINED = re.compile(r"'([^']+)' is undefined|has no attribute '([^']+)'")
_UNSAFE = re.compile(r"access to attribute '([^']+)'")
QUOTE_CHARS = 90
CORE_PROPERTIES = ("author", "comments", "identifier", "language", "subject", "title")
NOTE_TYPES = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml": "chú thích",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.endnotes+xml": "chú thích cuối",
}


def sandbox(autoescape: bool = True) -> SandboxedEnvironment:
    """The Jinja environment of user Word templates (no custom filters: rendering only
    places strings the narrative stage prepared), under the limits of every user template
    (:mod:`reportgen.narrate.limits`: read-only values, bounded ``range``, a time budget)."""
    return LimitedSandbox(autoescape=autoescape, undefined=StrictUndefined)


# what rendering a part can raise because of the template or its values: a located message
RENDER_FAULTS: tuple[type[BaseException], ...] = (JinjaTemplateError, *TEMPLATE_FAULTS)


# --- where things are in the template ----------------------------------------------------

@dataclass(frozen=True)
class Spot:
    """A paragraph or table row of the original template, as the user sees it."""

    paragraph: int  # 1-based number of the paragraph (the row's first paragraph)
    text: str  # visible text, runs joined
    table: int | None = None  # 1-based table number when inside a table
    row: int | None = None  # 1-based row number within that table
    is_row: bool = False

    def describe(self, part_label: str, previous_text: str = "") -> str:
        where = f"{part_label}đoạn {self.paragraph}"
        if self.table is not None:
            where += f" (bảng {self.table}, dòng {self.row})"
        quoted = _shorten(self.text)
        if quoted:
            return f"{where}: «{quoted}»"
        if previous_text:
            return f"{where} (đoạn trống, sau «{_shorten(previous_text)}»)"
        return f"{where} (đoạn trống)"


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1].rstrip() + "…"


def _visible_text(el: etree._Element) -> str:
    """Concatenated ``w:t`` text of a paragraph (tabs and breaks as spaces)."""
    out = []
    for node in el.iter(qn("w:t"), qn("w:tab"), qn("w:br")):
        out.append(node.text or "" if node.tag == qn("w:t") else " ")
    return "".join(out)


def mark_spots(xml: str, root: etree._Element) -> tuple[str, list[Spot]]:
    """Insert ``\\n<!--rg:N-->`` before every ``<w:p>`` and ``<w:tr>`` start tag of ``xml``
    (the serialisation of ``root``) and describe each as a :class:`Spot`.

    Start tags appear in the serialisation in the same order as ``root.iter`` yields the
    elements, which is how markers and elements are matched.
    """
    p_tag, tr_tag, tbl_tag = qn("w:p"), qn("w:tr"), qn("w:tbl")
    tables = {t: n for n, t in enumerate(root.iter(tbl_tag), start=1)}  # keeps proxies alive
    paragraphs = {p: n for n, p in enumerate(root.iter(p_tag), start=1)}
    spots: list[Spot] = []
    for el in root.iter(p_tag, tr_tag):
        tbl = next((a for a in el.iterancestors(tbl_tag)), None)
        if el.tag == tr_tag:
            tbl = el.getparent()
            assert tbl is not None  # a row's parent is its table
            rows = [r for r in tbl if r.tag == tr_tag]
            first_p = next(el.iter(p_tag), None)
            cells = [" ".join(_visible_text(p) for p in tc.iter(p_tag)).strip()
                     for tc in el.iter(qn("w:tc"))]
            number = paragraphs.get(first_p, 0) if first_p is not None else 0
            spots.append(Spot(number, " | ".join(c for c in cells if c), tables.get(tbl),
                              rows.index(el) + 1, is_row=True))
        else:
            row = next((a for a in el.iterancestors(tr_tag)), None)
            row_no = None
            table = row.getparent() if row is not None else None
            if row is not None and tbl is not None and table is not None:
                row_no = [r for r in table if r.tag == tr_tag].index(row) + 1
            spots.append(Spot(paragraphs[el], _visible_text(el),
                              tables.get(tbl) if tbl is not None else None, row_no))
    counter = iter(range(len(spots)))
    marked = _P_OR_TR.sub(lambda m: f"\n<!--rg:{next(counter)}-->{m.group(0)}", xml)
    return marked, spots


# --- compiled parts ----------------------------------------------------------------------

@dataclass
class CompiledPart:
    """One XML part (body, a header, a footer), patched and compiled once."""

    key: str  # BODY or the part name ("/word/header1.xml")
    label: str  # "" for the body, "đầu trang (header1.xml), " for a header
    source: str  # the patched, marked Jinja source
    spots: list[Spot]
    template: Template | None  # None: the part holds no tags and is left as it is
    fix_tables: bool = False  # the template uses {%tc %}, colspan or hm: fix the grid
    fix_cells: bool = False  # the template uses cellbg: put w:shd back in schema order

    def spot_at(self, lineno: int | None) -> tuple[Spot | None, str]:
        """The spot whose marker starts (or last precedes) line ``lineno`` of the source,
        and the text of the nearest non-empty paragraph before it."""
        if not lineno:
            return None, ""
        lines = self.source.split("\n")
        index = None
        for line in reversed(lines[: max(lineno, 1)]):
            found = MARKER.findall(line)
            if found:
                index = int(found[0] if line.startswith("<!--rg:") else found[-1])
                break
        if index is None or index >= len(self.spots):
            return None, ""
        previous = next((s.text for s in reversed(self.spots[:index]) if s.text.strip()), "")
        return self.spots[index], previous

    def where(self, lineno: int | None) -> str:
        spot, previous = self.spot_at(lineno)
        if spot is None:
            return self.label.rstrip(", ") or "mẫu Word"
        return spot.describe(self.label, previous)


class _Job(DocxTemplate):  # type: ignore[misc]  # docxtpl has no type hints
    """Per-render state: a fresh copy of the package (``document``: one already opened);
    also the ``tpl`` of InlineImages."""

    def __init__(self, blob: bytes, document: Any = None) -> None:
        super().__init__(io.BytesIO(blob))
        if document is not None:
            self.docx = document
        self.render_init()


class _Package:
    """The template's package read once (python-docx's ``PackageReader`` interface), so that a
    render opens a fresh package without unzipping or parsing again what it never changes.

    The parts a render writes to — the main document part, the headers, footers and notes
    that hold tags, the core properties — and the images are made by python-docx's
    ``PartFactory`` from the original bytes as usual. Every other part (styles, numbering,
    settings, theme, headers without tags…) becomes a plain :class:`~docx.opc.part.Part`
    holding the bytes python-docx would have written for it: the saved package is the same,
    minus a parse and a serialization of each such part per report (``styles.xml`` alone is
    hundreds of kilobytes).
    """

    def __init__(self, blob: bytes) -> None:
        reader = PackageReader.from_file(io.BytesIO(blob))  # type: ignore[no-untyped-call]
        self.static: set[str] = set()
        self.sparts: list[tuple[Any, str, str, bytes]] = list(reader.iter_sparts())
        self.srels = list(reader.iter_srels())

    def keep(self, loaded: Any, dynamic: set[str]) -> None:
        """Make every part of ``loaded`` (the template opened by :meth:`open` before any
        call of this) static except ``dynamic`` ones and those python-docx must own."""
        opened = {str(p.partname): p for p in loaded.part.package.iter_parts()}
        sparts = []
        for partname, content_type, reltype, data in self.sparts:
            part = opened.get(str(partname))
            if (part is not None and str(partname) not in dynamic
                    and not isinstance(part, DocumentPart | CorePropertiesPart | ImagePart)):
                data = part.blob  # as python-docx saves it (XML parts re-serialized)
                self.static.add(str(partname))
            sparts.append((partname, content_type, reltype, data))
        self.sparts = sparts

    def iter_sparts(self) -> Iterator[tuple[Any, str, str, bytes]]:
        return iter(self.sparts)

    def iter_srels(self) -> Iterator[tuple[Any, Any]]:
        return iter(self.srels)

    def _part(self, partname: Any, content_type: str, reltype: str, blob: bytes,
              package: Any) -> Any:
        if partname in self.static:
            return Part(partname, content_type, blob, package)
        return PartFactory(partname, content_type, reltype, blob, package)

    def open(self) -> Any:
        """A fresh python-docx ``Document`` of the template."""
        package = Package()
        Unmarshaller.unmarshal(self, package, self._part)  # type: ignore[no-untyped-call]
        main = package.main_document_part
        if not isinstance(main, DocumentPart):  # as python-docx's Document() refuses it
            raise ValueError(f"not a Word file, content type is '{main.content_type}'")
        return main.document


class _ChartImage(InlineImage):  # type: ignore[misc]  # docxtpl has no type hints
    """An InlineImage that also writes the chart's alt text (``wp:docPr/@descr``)."""

    def __init__(self, tpl: DocxTemplate, png: bytes, width_cm: float, alt: str,
                 height_cm: float | None = None) -> None:
        # Both sides when known: a dry run's 1×1 placeholder must take the chart's place.
        height = Cm(height_cm) if height_cm else None
        super().__init__(tpl, io.BytesIO(png), width=Cm(width_cm), height=height)
        self.alt = alt

    def _insert_image(self) -> str:
        self.image_descriptor.seek(0)
        inline = self.tpl.current_rendering_part.new_pic_inline(
            self.image_descriptor, self.width, self.height)
        docpr = inline.find(qn("wp:docPr"))
        if docpr is not None and self.alt:
            docpr.set("descr", self.alt)
        xml = etree.tostring(inline, encoding="unicode")
        return f'</w:t></w:r><w:r><w:drawing>{xml}</w:drawing></w:r><w:r><w:t xml:space="preserve">'


def _next_id(job: DocxTemplate, part: Any) -> int:
    """``part.next_id`` (an XPath over the whole story) once per part and render: the story's
    element is not changed while its template runs, so every chart of it would get the same
    number anyway (``fix_docpr_ids`` then numbers every drawing of the document)."""
    ids: dict[int, int] = job.__dict__.setdefault("_chart_next_ids", {})
    if id(part) not in ids:
        ids[id(part)] = part.next_id
    return ids[id(part)]


class _InlineChart:
    """A native chart placed like an InlineImage: on rendering, its chart and workbook parts
    are added to the part being rendered and the drawing run replaces the placeholder."""

    def __init__(self, tpl: DocxTemplate, chart: NativeChart) -> None:
        self.tpl = tpl
        self.chart = chart

    def _insert(self) -> str:
        from reportgen.docx.charts import add_chart

        part = self.tpl.current_rendering_part
        inline = add_chart(part, self.chart, _next_id(self.tpl, part))
        xml = etree.tostring(inline, encoding="unicode")
        return f'</w:t></w:r><w:r><w:drawing>{xml}</w:drawing></w:r><w:r><w:t xml:space="preserve">'

    def __html__(self) -> str:
        return self._insert()

    def __str__(self) -> str:
        return self._insert()


# --- the renderer ------------------------------------------------------------------------

class Renderer:
    """A Word template compiled once, rendered for many contexts.

    ``template`` is a path or the .docx bytes; ``name`` is how errors name the file.
    Raises :class:`~reportgen.errors.TemplateError` listing every part that does not
    compile. ``render`` keeps no state between calls, so one Renderer can serve several
    threads at once.
    """

    blob: bytes
    name: str
    env: SandboxedEnvironment
    text_env: SandboxedEnvironment
    parts: dict[str, CompiledPart]
    note_parts: set[str]
    properties: dict[str, Template]
    package: _Package
    compiled_count: int

    def __init__(self, template: str | Path | bytes, name: str | None = None) -> None:
        self.compiled_count = 0
        if isinstance(template, bytes | bytearray):
            self.blob = bytes(template)
            self.name = name or "mẫu Word"
        else:
            path = Path(template)
            self.name = name or str(path)
            try:
                self.blob = path.read_bytes()
            except OSError as exc:
                raise TemplateError([Issue(f"không đọc được mẫu Word: {exc.strerror}",
                                           Location(file=self.name), code="template_io")]) from exc
        self.env = sandbox(autoescape=True)
        self.text_env = sandbox(autoescape=False)  # document properties are plain text
        self._compile()

    def __repr__(self) -> str:
        return f"Renderer({self.name!r})"

    # pickling (e.g. to batch workers): ship the bytes, recompile on arrival
    def __getstate__(self) -> dict[str, Any]:
        return {"template": self.blob, "name": self.name}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["template"], state["name"])  # type: ignore[misc]

    # --- compiling ---------------------------------------------------------------------

    def _compile(self) -> None:
        try:
            package = _Package(self.blob)
            loader = _Job(self.blob, package.open())
        except Exception as exc:  # noqa: BLE001 - any failure means "not a .docx"
            raise TemplateError([Issue(f"không mở được tệp mẫu Word (.docx): {exc}",
                                       Location(file=self.name), code="template_open")]) from exc
        issues: list[Issue] = []
        self.parts = {}
        self.note_parts = set()
        body = loader.docx.element.body
        self._add_part(BODY, "", loader, loader.get_xml(), body, issues)
        for uri, word in ((loader.HEADER_URI, "đầu trang"), (loader.FOOTER_URI, "chân trang")):
            for _key, part in loader.get_headers_footers(uri):
                root = etree.fromstring(part.blob)
                short = str(part.partname).rsplit("/", 1)[-1]
                self._add_part(str(part.partname), f"{word} ({short}), ", loader,
                               loader.xml_to_string(root), root, issues)
        for part in loader.docx.part.package.parts:
            note = NOTE_TYPES.get(part.content_type)
            if note:
                self.note_parts.add(str(part.partname))
                root = etree.fromstring(part.blob)
                self._add_part(str(part.partname), f"{note}, ", loader,
                               loader.xml_to_string(root), root, issues)
        self.properties = {}
        core = loader.docx.core_properties
        for prop in CORE_PROPERTIES:
            value = getattr(core, prop) or ""
            if "{{" in value or "{%" in value:
                try:
                    self.properties[prop] = self.text_env.from_string(value)
                except TemplateSyntaxError as exc:
                    issues.append(Issue(f"lỗi cú pháp Jinja: {exc.message}",
                                        Location(file=self.name,
                                                 where=f"thuộc tính tài liệu '{prop}'"),
                                        code="template_syntax"))
        self.compiled_count += 1
        if issues:
            raise TemplateError(issues)
        rendered = {key for key, part in self.parts.items() if part.template is not None}
        package.keep(loader.docx, rendered)
        self.package = package

    def _add_part(self, key: str, label: str, loader: _Job, xml: str, root: etree._Element,
                  issues: list[Issue]) -> None:
        source, spots, fix_tables, fix_cells = _patched(loader, xml, root)
        has_tags = any(t in source for t in ("{{", "{%", "{#"))
        part = CompiledPart(key, label, source, spots, None, fix_tables=fix_tables,
                            fix_cells=fix_cells)
        if has_tags:
            try:
                code, _ = compile_cached(self.env, source, key, f"<docx:{key}>")
                part.template = from_code(self.env, code)
            except TemplateSyntaxError as exc:
                issues.append(Issue(f"lỗi cú pháp Jinja: {exc.message}",
                                    Location(file=self.name, where=part.where(exc.lineno)),
                                    code="template_syntax"))
        self.parts[key] = part

    def variables(self) -> set[str]:
        """Top-level names the template uses (for ``templates check``)."""
        names: set[str] = set()
        for part in self.parts.values():
            if part.template is not None:
                names |= meta.find_undeclared_variables(self.env.parse(part.source))
        return names

    # --- rendering ---------------------------------------------------------------------

    def render(self, context: Mapping[str, Any]) -> bytes:
        """The rendered .docx as bytes (nothing is written to disk)."""
        job = _Job(self.blob, self.package.open())
        ctx = with_images(context, job)
        body = self.parts[BODY]
        job.current_rendering_part = job.docx.part
        tree = self._parse(self._run(body, ctx, context, job), body, job)
        highlight_paragraphs(tree, context.get("highlight") or ())
        job.fix_docpr_ids(tree)
        drop_empty_last_section(tree)
        job.map_tree(tree)
        for uri in (job.HEADER_URI, job.FOOTER_URI):
            for rel_key, part in list(job.get_headers_footers(uri)):
                compiled = self.parts.get(str(part.partname))
                if compiled is None or compiled.template is None:
                    continue
                job.current_rendering_part = part
                xml = self._run(compiled, ctx, context, job)
                self._parse(xml, compiled, job)
                job.map_headers_footers_xml(rel_key, xml.encode("utf-8"))
        for part in job.docx.part.package.parts:
            compiled = self.parts.get(str(part.partname))
            if str(part.partname) in self.note_parts and compiled and compiled.template:
                job.current_rendering_part = part
                xml = self._run(compiled, ctx, context, job)
                self._parse(xml, compiled, job)
                _replace_blob(part, xml.encode("utf-8"))
        self._render_properties(job, ctx, context)
        out = io.BytesIO()
        job.docx.save(out)
        return out.getvalue()

    def _run(self, part: CompiledPart, ctx: Mapping[str, Any], original: Mapping[str, Any],
             job: _Job) -> str:
        """Render one part's compiled template and undo the markers and listings."""
        assert part.template is not None
        try:
            with budget():
                xml = part.template.render(ctx)
        except RENDER_FAULTS as exc:
            if not isinstance(exc, JinjaTemplateError) and _template_line(exc) is None:
                raise RenderError(f"không tạo được văn bản: {exc}",
                                  Location(file=self.name)) from exc
            raise TemplateError([self._issue(exc, part, original)]) from exc
        xml = _MARKER_STRIP.sub("", xml.replace("\n<!--rg:", "<!--rg:"))
        xml = (xml.replace("{_{", "{{").replace("}_}", "}}")
               .replace("{_%", "{%").replace("%_}", "%}"))
        if any(c in xml for c in "\n\t\a\f"):  # docxtpl listings: line break, tab, …
            xml = job.resolve_listing(xml)  # slow (a regex per paragraph): only when needed
        return xml

    def _parse(self, xml: str, part: CompiledPart, job: _Job) -> etree._Element:
        """Parse rendered XML strictly; fix table grids and cell properties if needed."""
        try:
            tree = etree.fromstring(xml)
        except etree.XMLSyntaxError as exc:
            bad = _NOT_XML.search(xml)
            if bad is not None and bad.group() not in part.source:  # from a value, not the template
                near = _NOT_XML.sub("", xml[max(0, bad.start() - 60):bad.start() + 60])
                raise RenderError(
                    f"nội dung của báo cáo chứa ký tự U+{ord(bad.group()):04X} mà văn bản Word "
                    f"không chứa được, gần «{_shorten(_TAGS.sub('', near))}»: ký tự đến từ dữ liệu "
                    "(tên đơn vị, nhóm, nguồn…) hoặc một mẫu câu, không phải từ mẫu Word; hãy "
                    "chạy reportgen validate và sửa tệp dữ liệu", Location(file=self.name)) from exc
            raise TemplateError([Issue(
                "mẫu tạo ra XML không hợp lệ (thường do bộ lọc |safe hoặc thẻ đặt giữa các "
                f"thành phần của Word): {exc}", Location(file=self.name, where=part.label
                                                          .rstrip(", ") or None),
                code="template_xml")]) from exc
        if part.fix_tables:
            tree = job.fix_tables(xml)
        if part.fix_cells:
            _order_tcpr(tree)
        return tree

    def _render_properties(self, job: _Job, ctx: Mapping[str, Any],
                           original: Mapping[str, Any]) -> None:
        core = job.docx.core_properties
        for prop, template in self.properties.items():
            try:
                value = " ".join(template.render(ctx).split())
            except JinjaTemplateError as exc:
                raise TemplateError([Issue(_message(exc, original), Location(
                    file=self.name, where=f"thuộc tính tài liệu '{prop}'"),
                    code=_code(exc))]) from exc
            setattr(core, prop, value[:255])

    def _issue(self, exc: BaseException, part: CompiledPart,
               original: Mapping[str, Any]) -> Issue:
        lineno = getattr(exc, "lineno", None) if isinstance(exc, TemplateSyntaxError) \
            else _template_line(exc)
        return Issue(_message(exc, original), Location(file=self.name, where=part.where(lineno)),
                     code=_code(exc))


# --- helpers -----------------------------------------------------------------------------

def _patched(loader: _Job, xml: str, root: etree._Element) -> tuple[str, list[Spot], bool, bool]:
    """A part's XML marked (:func:`mark_spots`) and patched by docxtpl into Jinja source, its
    spots, and whether it needs the table grid and cell fixes. docxtpl's patching is a chain
    of regular expressions over the whole part (a tenth of a second for the sample's body),
    so the result is kept in the cache folder of compiled templates
    (:mod:`reportgen.narrate.compiled`), as plain data, under a key of the XML, docxtpl's
    version and this module's own source (a change of the marking is a new key)."""
    import hashlib
    import marshal

    import docxtpl

    from reportgen.narrate.compiled import _store, cache_dir

    folder = cache_dir()
    path = None
    if folder is not None:
        h = hashlib.sha256()
        for piece in (b"docx-patch-1", docxtpl.__version__.encode(), _module_digest(),
                      xml.encode("utf-8", "surrogatepass")):
            h.update(piece + b"\0")
        path = folder / f"{h.hexdigest()}.patch"
        try:
            source, rows, fix_tables, fix_cells = marshal.loads(path.read_bytes())
            return (str(source), [Spot(*row) for row in rows], bool(fix_tables), bool(fix_cells))
        except (OSError, ValueError, EOFError, TypeError):
            pass  # missing or corrupt: patch
    marked, spots = mark_spots(xml, root)
    source = loader.patch_xml(marked)
    fix_tables = bool(re.search(r"{%\s*(tc|colspan|hm)\b", marked))
    fix_cells = "cellbg" in marked
    if path is not None:
        rows = [(s.paragraph, s.text, s.table, s.row, s.is_row) for s in spots]
        _store(path, marshal.dumps((source, rows, fix_tables, fix_cells)))
    return source, spots, fix_tables, fix_cells


@functools.cache
def _module_digest() -> bytes:
    """The hash of this file (the marking and patching code), once per process."""
    import hashlib

    return hashlib.sha256(Path(__file__).read_bytes()).digest()


def _replace_blob(part: Any, blob: bytes) -> None:
    """Swap the content of a footnotes/endnotes part, XML-backed or raw."""
    if hasattr(part, "_element"):
        part._element = etree.fromstring(blob)
    else:
        part._blob = blob


def _template_line(exc: BaseException) -> int | None:
    """The template line of the innermost compiled-template frame in the traceback."""
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.startswith("<docx:"):
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _code(exc: BaseException) -> str:
    if isinstance(exc, TemplateTimeout):
        return "template_timeout"
    if isinstance(exc, TemplateSyntaxError):
        return "template_syntax"
    if isinstance(exc, SecurityError):
        return "template_unsafe"
    if isinstance(exc, UndefinedError):
        return "template_undefined"
    return "template_render"


def _message(exc: BaseException, context: Mapping[str, Any]) -> str:
    """A Vietnamese message naming the variable, with a "did you mean" hint."""
    text = getattr(exc, "message", None) or str(exc)
    if isinstance(exc, TemplateSyntaxError):
        return f"lỗi cú pháp Jinja: {text}"
    if isinstance(exc, SecurityError) or "is unsafe" in text:
        m = _UNSAFE.search(text)
        name = m.group(1) if m else "?"
        return (f"mẫu truy cập thuộc tính bị cấm '{name}' (vì an toàn, mẫu không được dùng "
                "phần bên trong của Python)")
    if isinstance(exc, UndefinedError):
        m = _UNDEFINED.search(text)
        if m:
            name = m.group(1) or m.group(2)
            from reportgen.narrate.context import key_names

            if name in key_names():
                return (f"dữ liệu của báo cáo thiếu giá trị '{name}' mà mẫu cần (mẫu đúng; "
                        "bước tạo nội dung chưa cung cấp giá trị này)")
            keys = sorted(_all_keys(context) - {name})
            return f"biến '{name}' không có trong dữ liệu của báo cáo." + did_you_mean(name, keys)
        return f"biến không có trong dữ liệu: {text}"
    return f"lỗi khi tạo văn bản từ mẫu: {type(exc).__name__}: {text}"


def _all_keys(value: Any, depth: int = 0) -> set[str]:
    """Every dict key in the context and in the documented contract."""
    from reportgen.narrate.context import key_names

    keys: set[str] = key_names() if depth == 0 else set()
    if depth > 6:
        return keys
    if isinstance(value, Mapping):
        for k, v in value.items():
            keys.add(str(k))
            keys |= _all_keys(v, depth + 1)
    elif isinstance(value, list | tuple) and value:
        keys |= _all_keys(value[0], depth + 1)
    return keys


def with_images(value: Any, job: DocxTemplate) -> Any:
    """A copy of ``value`` where each chart dict (``png`` bytes or a ``native`` chart, and
    ``width_cm``) also has ``image``, an InlineImage or a native chart bound to this render."""
    if isinstance(value, Mapping):
        copied = {k: with_images(v, job) for k, v in value.items()}
        png = value.get("png")
        native = value.get("native")
        if isinstance(native, NativeChart) and "image" not in value:
            copied["image"] = _InlineChart(job, native)
        elif isinstance(png, bytes | bytearray) and "width_cm" in value and "image" not in value:
            copied["image"] = _ChartImage(job, bytes(png), float(value["width_cm"]),
                                          str(value.get("alt_text") or ""),
                                          value.get("height_cm"))
        return copied
    if isinstance(value, list | tuple):
        return [with_images(v, job) for v in value]
    return value


_TCPR_ORDER = ["cnfStyle", "tcW", "gridSpan", "hMerge", "vMerge", "tcBorders", "shd", "noWrap",
               "tcMar", "textDirection", "tcFitText", "vAlign", "hideMark", "headers",
               "cellIns", "cellDel", "cellMerge", "tcPrChange"]
_TCPR_RANK = {qn(f"w:{t}"): i for i, t in enumerate(_TCPR_ORDER)}


def _order_tcpr(tree: etree._Element) -> None:
    """docxtpl's cellbg puts ``w:shd`` first in ``w:tcPr``; Word wants schema order."""
    for tcpr in tree.iter(qn("w:tcPr")):
        children = list(tcpr)
        ordered = sorted(children, key=lambda c: _TCPR_RANK.get(str(c.tag), len(_TCPR_RANK)))
        if ordered != children:
            for child in ordered:
                tcpr.append(child)


def _is_empty(block: etree._Element) -> bool:
    """A paragraph with no text, image or field (what a removed ``{%p %}`` leaves)."""
    if block.tag != qn("w:p"):
        return False
    has_text = any((t.text or "").strip() for t in block.iter(qn("w:t")))
    return not has_text and next(block.iter(qn("w:drawing"), qn("w:fldChar"), qn("w:pict")),
                                 None) is None


def drop_empty_last_section(body: etree._Element) -> None:
    """Remove a trailing section that holds nothing (a loop that produced no pages, such
    as appendices of a report without any): its page would be blank, and its page setup
    would be wrong for the content before it. The previous section's properties become
    the document's last section."""
    final = body.find(qn("w:sectPr"))
    if final is None:
        return
    blocks = [c for c in body if c is not final]
    for index in range(len(blocks) - 1, -1, -1):
        ppr = blocks[index].find(qn("w:pPr")) if blocks[index].tag == qn("w:p") else None
        inner = ppr.find(qn("w:sectPr")) if ppr is not None else None
        if ppr is None or inner is None:
            continue
        if not all(_is_empty(b) for b in blocks[index + 1:]):
            return
        for empty in blocks[index + 1:]:
            body.remove(empty)
        ppr.remove(inner)
        body.replace(final, inner)
        return


def render_docx(template: str | Path | bytes, context: Mapping[str, Any]) -> bytes:
    """One-off convenience: compile ``template`` and render ``context``."""
    return Renderer(template).render(context)


__all__ = ["Renderer", "render_docx", "sandbox", "with_images"]
