"""Contract of the bundled Word templates: what the code relies on, not their bytes.

``templates/bao-cao.docx`` (unit report) and ``templates/tong-hop.docx`` (group overview) are
the source: people edit them in Word or LibreOffice (``tools/build_template.py`` only generates
a fresh starting point). So nothing here compares bytes; each template is checked for

- its Jinja tags: it compiles in the sandbox, uses only the context's top-level keys
  (:meth:`Renderer.variables`), and places every value the narrative stage prepares
  (for the unit report: every required key of :mod:`reportgen.narrate.context`), checked
  statically and by rendering a context whose every string is a distinct token;
- the ND30 layout it carries (``shared/domain/nd30-format.md``): A4 portrait body with
  margins 20–25/20–25/30–35/15–20 mm, landscape appendix sections numbered from 1, a centred
  13–14 pt PAGE field in the header but not on the first page, Times New Roman everywhere,
  black text, body 13–14 pt justified with a 1–1.27 cm first-line indent, ≥ 6 pt before and
  single to 1.5 line spacing, the header block and the signature block;
- its styles: every style the content references exists, the styles the guide names
  (``templates/README-mau.md``) exist;
- rendering with a minimal context (every list empty): no tag left, the empty landscape
  appendix section dropped.

Every check runs on the bundled files, on a copy made by ``reportgen templates init`` and
edited with python-docx (a heading retyped, a run added to fixed text) — what an edit in
Word amounts to for the code — and, when LibreOffice is installed, on the bundled files opened
and saved again by LibreOffice. The edited unit template then goes through ``reportgen
generate --templates`` with the bundled sample and the edits must show in the report.
"""

from __future__ import annotations

import importlib.util
import io
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.document import Document
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph
from jinja2 import nodes
from lxml import etree
from typer.testing import CliRunner

from reportgen.cli import app
from reportgen.docx.dump import dump
from reportgen.docx.render import Renderer
from reportgen.narrate.context import ReportContext, variables
from reportgen.narrate.group_context import OverviewContext

try:
    from tests.fixtures.context import chart_png, example_context
except ImportError:  # pytest run with tests/ (not the repository) on sys.path
    from fixtures.context import chart_png, example_context  # type: ignore[no-redef]

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = ROOT / "templates"
FONT = "Times New Roman"
CONTROL_TAG = re.compile(r"^\{%-?\s*(p|tr|tc)\s.*%\}$")  # a paragraph docxtpl removes
BLACK = {None, "000000", "auto"}

# --- what each template must place ----------------------------------------------------------

# Required keys of the unit context that the bundled template does not place as text.
NOT_PLACED = {"report.appendix_ref"}  # each appendix carries its own line (appendices[].ref)
CHART_DATA = re.compile(r"charts\[\]\.(png|width_cm|height_cm|alt_text)$")  # → chart.image


def contract_leaves() -> dict[str, str]:
    """Every required leaf of :class:`ReportContext` (path → type name)."""
    found = variables()
    paths = [v.path for v in found]
    return {v.path: v.type for v in found if v.required
            and not any(p.startswith((f"{v.path}.", f"{v.path}[].")) for p in paths)}


def unit_paths() -> set[str]:
    """What ``bao-cao.docx`` must place: the contract's required leaves (a list of strings
    as ``path[]``, its items); a chart's image (the renderer makes it from ``png`` and
    ``width_cm``) instead of its data."""
    leaves = {f"{p}[]" if t == "list[str]" else p for p, t in contract_leaves().items()
              if p not in NOT_PLACED}
    charts = {p for p in leaves if CHART_DATA.search(p)}
    return (leaves - charts) | {p.rsplit(".", 1)[0] + ".image" for p in charts}


def text_paths(paths: set[str]) -> set[str]:
    """The paths among ``paths`` that hold text (not a flag, a choice or an image)."""
    types = contract_leaves()
    return {p for p in paths if not p.endswith(".image")
            and types.get(p.removesuffix("[]"), "str") in ("str", "list[str]")}


# The group overview has no TypedDict contract: its context is built by the overview's
# narrative code (``overview_context``) from the same header block as the unit report
# (``report.*``) and these keys, all of which the bundled overview places. They exist in the
# real context: tests/test_overview.py renders the bundled overview from real data, and
# a template path missing there is an error (StrictUndefined).
OVERVIEW_PATHS = {
    "sections.results", "sections.components", "sections.leaders",
    "results[].heading", "results[].paragraphs[]",
    "results[].ranking.caption", "results[].ranking.note",
    *(f"results[].ranking.rows[].{k}" for k in
      ("rank", "unit", "score", "percent", "delta", "delta_rank", "rating")),
    "results[].ratings.caption",
    *(f"results[].ratings.rows[].{k}" for k in
      ("label", "description", "previous", "count", "delta", "share")),
    "components[].heading", "components[].paragraphs[]", "components[].notes[]",
    "components[].charts[].image", "components[].charts[].caption",
    "components[].charts[].source", "components[].caption", "components[].unit_note",
    "components[].note",
    *(f"components[].rows[].{k}" for k in
      ("no", "name", "max", "mean", "mean_percent", "delta", "best", "worst")),
    "components[].criteria.caption", "components[].criteria.agency_caption",
    *(f"components[].criteria.rows[].{k}" for k in
      ("no", "code", "name", "max", "losing", "mean_lost", "lead")),
    *(f"components[].criteria.agencies[].{k}" for k in
      ("no", "agency", "criteria", "losses", "mean_lost")),
    "leaders[].heading", "leaders[].subsections[].heading",
    "leaders[].subsections[].paragraphs[]", "leaders[].subsections[].bullets[]",
    "sections.actions", "actions[].heading", "actions[].paragraphs[]", "actions[].bullets[]",
    "appendices[].number", "appendices[].title", "appendices[].ref",
    "appendices[].tables[].caption", "appendices[].tables[].unit_note",
    "appendices[].tables[].columns[]", "appendices[].tables[].total",
    "appendices[].tables[].rows[].rank", "appendices[].tables[].rows[].unit",
    "appendices[].tables[].rows[].values[]", "appendices[].tables[].rows[].total",
}


def overview_paths() -> set[str]:
    """What ``tong-hop.docx`` must place: the unit report's header block and signature
    (``report.*``) and :data:`OVERVIEW_PATHS`."""
    return {p for p in unit_paths() if p.startswith("report.")} | OVERVIEW_PATHS


@dataclass(frozen=True)
class Kind:
    """One bundled template and what the code expects of it."""

    file: str
    top_keys: frozenset[str]
    paths: Callable[[], set[str]]


UNIT = Kind("bao-cao.docx", frozenset(ReportContext.__required_keys__), unit_paths)
OVERVIEW = Kind("tong-hop.docx", frozenset(OverviewContext.__required_keys__), overview_paths)
KINDS = {"unit": UNIT, "overview": OVERVIEW}

# The edits made to the copy: a retyped heading (table header cell in tong-hop) and a run
# added to fixed text.
HEADING_OLD, HEADING_NEW = "1. Ưu điểm", "1. Ưu điểm, kết quả nổi bật"
MARK_NOTE = "Dấu (+) và nền xanh nhạt"  # the fixed note under a table with marked rows
MARK_NOTE_ADDED = " Số liệu do Sở Nội vụ tổng hợp."
OVERVIEW_OLD, OVERVIEW_NEW = "Xếp hạng", "Thứ hạng"  # a table header cell of tong-hop
OVERVIEW_ADDED_TO, OVERVIEW_ADDED = "Mức điểm", " (tỷ lệ % điểm tối đa)"


# --- reading a template ---------------------------------------------------------------------

def paragraphs(document: Document) -> Iterator[Paragraph]:
    """Every paragraph of the body, tables included, in document order."""
    body = document.element.body
    for p in body.iter(qn("w:p")):
        yield Paragraph(p, document._body)


def text_of(p: etree._Element) -> str:
    return "".join(t.text or "" for t in p.iter(qn("w:t")))


def content_parts(document: Document) -> list[etree._Element]:
    """The body and every header and footer (the parts whose text reaches the page)."""
    parts = [document.element.body]
    for rel in document.part.rels.values():
        if rel.reltype.endswith(("/header", "/footer")):
            parts.append(rel.target_part.element)
    return parts


def used_paths(renderer: Renderer) -> set[str]:
    """Every attribute path the template reads (``results[].charts[].caption``): loop
    variables are resolved to the sequence they iterate."""

    def path_of(node: nodes.Node, scope: dict[str, str]) -> str | None:
        if isinstance(node, nodes.Name):
            return scope.get(node.name, node.name)
        if isinstance(node, nodes.Getattr):
            base = path_of(node.node, scope)
            return f"{base}.{node.attr}" if base else None
        if (isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const)
                and isinstance(node.arg.value, str)):
            base = path_of(node.node, scope)
            return f"{base}.{node.arg.value}" if base else None
        return None

    def walk(node: nodes.Node, scope: dict[str, str], out: set[str]) -> None:
        if isinstance(node, nodes.For):
            walk(node.iter, scope, out)
            inner = dict(scope)
            sequence = path_of(node.iter, scope)
            if sequence and isinstance(node.target, nodes.Name):
                inner[node.target.name] = f"{sequence}[]"
            for child in [*node.body, *node.else_]:
                walk(child, inner, out)
            return
        path = path_of(node, scope)
        if path is not None:
            out.add(path)
            return
        for child in node.iter_child_nodes():
            walk(child, scope, out)

    found: set[str] = set()
    for part in renderer.parts.values():
        if part.template is not None:
            walk(renderer.env.parse(part.source), {}, found)
    return found


class Styles:
    """Effective formatting: direct → character style → paragraph style (with their
    ``basedOn`` chains) → document defaults."""

    def __init__(self, document: Document) -> None:
        root = document.styles.element
        self.by_id = {s.get(qn("w:styleId")): s for s in root.iter(qn("w:style"))}
        defaults = root.find(qn("w:docDefaults"))
        self.default_rpr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}") \
            if defaults is not None else None
        self.default_ppr = defaults.find(f"{qn('w:pPrDefault')}/{qn('w:pPr')}") \
            if defaults is not None else None
        self.default_para = next((i for i, s in self.by_id.items()
                                  if s.get(qn("w:type")) == "paragraph"
                                  and s.get(qn("w:default")) in ("1", "true")), None)

    def chain(self, style_id: str | None) -> list[etree._Element]:
        out: list[etree._Element] = []
        while style_id in self.by_id and self.by_id[style_id] not in out:
            style = self.by_id[style_id]
            out.append(style)
            based = style.find(qn("w:basedOn"))
            style_id = based.get(qn("w:val")) if based is not None else None
        return out

    @staticmethod
    def _style_of(props: etree._Element | None, tag: str) -> str | None:
        el = props.find(qn(tag)) if props is not None else None
        return el.get(qn("w:val")) if el is not None else None

    def para_style(self, p: etree._Element) -> str | None:
        return self._style_of(p.find(qn("w:pPr")), "w:pStyle") or self.default_para

    def style_run_levels(self, style_id: str | None) -> list[etree._Element]:
        """The ``w:rPr`` elements of a paragraph style, its bases and the defaults."""
        levels = [s.find(qn("w:rPr")) for s in self.chain(style_id)] + [self.default_rpr]
        return [lv for lv in levels if lv is not None]

    def style_para_levels(self, style_id: str | None) -> list[etree._Element]:
        levels = [s.find(qn("w:pPr")) for s in self.chain(style_id)] + [self.default_ppr]
        return [lv for lv in levels if lv is not None]

    def run_levels(self, p: etree._Element, r: etree._Element) -> list[etree._Element]:
        """The ``w:rPr`` elements that apply to run ``r`` of paragraph ``p``, nearest first."""
        rpr = r.find(qn("w:rPr"))
        levels = [rpr] + [s.find(qn("w:rPr")) for s in self.chain(self._style_of(rpr, "w:rStyle"))]
        return [lv for lv in levels if lv is not None] + self.style_run_levels(self.para_style(p))

    def para_levels(self, p: etree._Element) -> list[etree._Element]:
        direct = p.find(qn("w:pPr"))
        return ([direct] if direct is not None else []) + \
            self.style_para_levels(self.para_style(p))

    @staticmethod
    def first(levels: list[etree._Element], tag: str, attr: str = "val") -> str | None:
        for level in levels:
            el = level.find(qn(tag))
            if el is not None and el.get(qn(f"w:{attr}")) is not None:
                return el.get(qn(f"w:{attr}"))
        return None

    def font(self, levels: list[etree._Element]) -> str | None:
        for level in levels:
            fonts = level.find(qn("w:rFonts"))
            if fonts is None:
                continue
            theme = fonts.get(qn("w:asciiTheme"))
            if theme is not None:
                return f"theme font {theme}"
            if fonts.get(qn("w:ascii")) is not None:
                return fonts.get(qn("w:ascii"))
        return None

    def flag(self, levels: list[etree._Element], tag: str) -> bool:
        for level in levels:
            el = level.find(qn(tag))
            if el is not None:
                return el.get(qn("w:val")) not in ("0", "false", "off")
        return False

    def size_pt(self, levels: list[etree._Element]) -> float | None:
        value = self.first(levels, "w:sz")
        return int(value) / 2 if value else None

    def named(self, name: str) -> str:
        """The id of the style called ``name`` (Word writes "heading 1", LibreOffice
        "Heading 1")."""
        for style_id, style in self.by_id.items():
            label = style.find(qn("w:name"))
            if label is not None and label.get(qn("w:val"), "").casefold() == name.casefold():
                return style_id
        raise AssertionError(f"no style named «{name}»")


# --- the templates under test ---------------------------------------------------------------

def edit_like_a_user(folder: Path) -> None:
    """Retype a heading and add a run to fixed text in both templates, with python-docx."""
    unit = docx.Document(str(folder / UNIT.file))
    heading = next(p for p in paragraphs(unit) if p.text == HEADING_OLD)
    for run in heading.runs[1:]:
        run._r.getparent().remove(run._r)
    heading.runs[0].text = HEADING_NEW
    next(p for p in paragraphs(unit) if p.text.startswith(MARK_NOTE)).add_run(MARK_NOTE_ADDED)
    unit.save(str(folder / UNIT.file))

    overview = docx.Document(str(folder / OVERVIEW.file))
    cell = next(p for p in paragraphs(overview) if p.text == OVERVIEW_OLD)
    cell.runs[0].text = OVERVIEW_NEW
    next(p for p in paragraphs(overview) if p.text == OVERVIEW_ADDED_TO).add_run(OVERVIEW_ADDED)
    overview.save(str(folder / OVERVIEW.file))


@pytest.fixture(scope="module")
def edited(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``reportgen templates init`` into a fresh folder, then both templates edited."""
    folder = tmp_path_factory.mktemp("contract") / "mau"
    result = CliRunner().invoke(app, ["templates", "init", str(folder)])
    assert result.exit_code == 0, result.output
    edit_like_a_user(folder)
    return folder


@pytest.fixture(scope="module")
def resaved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Both bundled templates opened and saved again by LibreOffice (when installed)."""
    binary = shutil.which("soffice") or shutil.which("libreoffice")
    if binary is None:
        pytest.skip("LibreOffice (soffice) is not installed: the LibreOffice round trip is not "
                    "checked here; CI installs it (.ci/run)")
    work = tmp_path_factory.mktemp("libreoffice")
    done = subprocess.run([binary, "--headless", "--norestore",
                           f"-env:UserInstallation={(work / 'profile').as_uri()}",
                           "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(work / "out"),
                           *(str(BUNDLED / k.file) for k in KINDS.values())],
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return work / "out"


@pytest.fixture(scope="module", params=["bundled", "edited", "libreoffice"])
def folder(request: pytest.FixtureRequest) -> Path:
    """The bundled templates; a copy edited with python-docx; the bundled ones saved again
    by LibreOffice."""
    if request.param == "bundled":
        return BUNDLED
    return request.getfixturevalue("edited" if request.param == "edited" else "resaved")


@pytest.fixture(scope="module", params=sorted(KINDS))
def kind(request: pytest.FixtureRequest) -> Kind:
    return KINDS[request.param]


@pytest.fixture(scope="module")
def template(folder: Path, kind: Kind) -> Path:
    return folder / kind.file


@pytest.fixture(scope="module")
def renderer(template: Path) -> Renderer:
    return Renderer(template)


@pytest.fixture(scope="module")
def document(template: Path) -> Document:
    return docx.Document(str(template))


# --- contexts -------------------------------------------------------------------------------

class Tokens:
    """Distinct placeholder strings, each remembering the contract path it stands for."""

    def __init__(self) -> None:
        self.paths: dict[str, str] = {}

    def new(self, path: str) -> str:
        token = f"QZX{len(self.paths):04d}"
        self.paths[token] = path
        return token


def skeleton(paths: set[str], tokens: Tokens, filled: bool) -> dict[str, Any]:
    """A context holding exactly ``paths``: strings are tokens, each list has one element
    (``filled``) or none, a chart's ``image`` path becomes a small drawn chart."""
    root: dict[str, Any] = {}
    for path in sorted(paths):
        node: Any = root
        steps = path.split(".")
        for n, step in enumerate(steps):
            key, is_list = step.removesuffix("[]"), step.endswith("[]")
            if n == len(steps) - 1:
                if key == "image":
                    node.update(png=chart_png([3, 5, 4]), width_cm=6.0, height_cm=3.2,
                                alt_text=tokens.new(path))
                elif is_list:
                    node[key] = [tokens.new(path)] if filled else []
                else:
                    node[key] = tokens.new(path)
            elif is_list:
                items = node.setdefault(key, [{}] if filled else [])
                if not items:
                    break
                node = items[0]
            else:
                node = node.setdefault(key, {})
    return root


def tokenized_example(tokens: Tokens) -> dict[str, Any]:
    """The example unit context (every branch of the template: marks, both appendix table
    kinds) with every placed string replaced by a token."""
    placed = text_paths(unit_paths())
    strings = {p for p in placed if not p.endswith("[]")}
    lists = {p.removesuffix("[]") for p in placed if p.endswith("[]")}

    def swap(value: Any, path: str) -> Any:
        if isinstance(value, dict):
            return {k: swap(v, f"{path}.{k}" if path else k) for k, v in value.items()}
        if isinstance(value, list):
            if path in lists:
                return [tokens.new(f"{path}[]")]
            return [swap(v, f"{path}[]") for v in value]
        if isinstance(value, str) and path in strings:
            return tokens.new(path)
        return value

    return swap(example_context(), "")


def full_context(kind: Kind, tokens: Tokens) -> dict[str, Any]:
    if kind is UNIT:
        return tokenized_example(tokens)
    return skeleton(kind.paths(), tokens, filled=True)


def rendered_text(blob: bytes) -> str:
    """The text of the body, headers and footers of a .docx, one paragraph per line."""
    lines = []
    with zipfile.ZipFile(io.BytesIO(blob)) as archive:
        for name in archive.namelist():
            if re.fullmatch(r"word/(document|header\d*|footer\d*)\.xml", name):
                root = etree.fromstring(archive.read(name))
                lines += [text_of(p) for p in root.iter(qn("w:p"))]
    return "\n".join(lines)


# --- 1. Jinja tags and variables ------------------------------------------------------------

def test_uses_only_the_context_top_level_keys(renderer: Renderer, kind: Kind) -> None:
    assert renderer.variables() == kind.top_keys


def test_reads_every_value_the_code_prepares(renderer: Renderer, kind: Kind) -> None:
    missing = sorted(kind.paths() - used_paths(renderer))
    assert not missing, f"{kind.file} no longer uses: {', '.join(missing)}"


def test_every_prepared_value_reaches_the_document(renderer: Renderer, kind: Kind) -> None:
    tokens = Tokens()
    context = full_context(kind, tokens)
    blob = renderer.render(context)
    text = rendered_text(blob)
    missing = sorted({path for token, path in tokens.paths.items()
                      if token not in text and not path.endswith(".image")})
    assert not missing, f"{kind.file} does not show: {', '.join(missing)}"
    assert set(tokens.paths.values()) >= text_paths(kind.paths()), "untested paths"
    assert "{{" not in text and "{%" not in text
    charts = len(re.findall(r"<w:drawing>", zipfile.ZipFile(io.BytesIO(blob))
                            .read("word/document.xml").decode("utf-8")))
    expected = sum(len(item.get("charts", [])) for key in ("results", "components")
                   for item in context.get(key, []))
    assert charts == expected > 0


def test_renders_with_a_minimal_context(renderer: Renderer, kind: Kind) -> None:
    assert_renders_minimal(renderer, kind)


def assert_renders_minimal(renderer: Renderer, kind: Kind) -> None:
    """Every list empty: no tag left, the fixed parts there, the appendix section dropped."""
    tokens = Tokens()
    context = skeleton(kind.paths(), tokens, filled=False)
    blob = renderer.render(context)
    text = rendered_text(blob)
    assert "{{" not in text and "{%" not in text and "}}" not in text
    for path in ("report.doc_type", "report.subject", "report.agency", "report.closing",
                 "report.signer.name", "sections.results"):
        token = next(t for t, p in tokens.paths.items() if p == path)
        assert token in text, path
    result = docx.Document(io.BytesIO(blob))
    assert len(result.sections) == 1, "the empty appendix section must be dropped"
    assert result.sections[0].page_width < result.sections[0].page_height


# --- 2. ND30 layout -------------------------------------------------------------------------

def mm(length: int | None) -> float:
    assert length is not None
    return length / 36000  # EMU


def margins_ok(section: Any, landscape: bool) -> bool:
    """ND30 margins: top, bottom 20–25; left (binding) 30–35; right 15–20 mm. A landscape
    section may keep them or turn them with the page (binding edge at top or bottom)."""
    got = [round(mm(getattr(section, f"{side}_margin")), 1)
           for side in ("top", "bottom", "left", "right")]
    ranges = {"portrait": ((20, 25), (20, 25), (30, 35), (15, 20)),
              "turned": ((30, 35), (15, 20), (20, 25), (20, 25)),
              "turned back": ((15, 20), (30, 35), (20, 25), (20, 25))}
    allowed = ranges.values() if landscape else [ranges["portrait"]]
    return any(all(lo <= g <= hi for g, (lo, hi) in zip(got, r, strict=True)) for r in allowed)


def page_fields(part: Any) -> list[etree._Element]:
    """The paragraphs of a header/footer holding a PAGE field."""
    out = []
    for p in part._element.iter(qn("w:p")):
        instr = [f.get(qn("w:instr"), "") for f in p.iter(qn("w:fldSimple"))]
        instr += [t.text or "" for t in p.iter(qn("w:instrText"))]
        if any(re.match(r"\s*PAGE\b", i) for i in instr):
            out.append(p)
    return out


def test_pages_are_a4_with_nd30_margins(document: Document) -> None:
    body, *appendices = document.sections
    assert abs(mm(body.page_width) - 210) < 0.5 and abs(mm(body.page_height) - 297) < 0.5
    assert margins_ok(body, landscape=False), "margins of the body"
    assert appendices, "appendices need their own (landscape) section"
    for section in appendices:
        assert abs(mm(section.page_width) - 297) < 0.5 and abs(mm(section.page_height) - 210) < 0.5
        assert margins_ok(section, landscape=True), "margins of an appendix section"
        number = section._sectPr.find(qn("w:pgNumType"))
        assert number is not None and number.get(qn("w:start")) == "1", \
            "each appendix restarts page numbers at 1"


def test_page_number_top_centre_not_on_the_first_page(document: Document) -> None:
    styles = Styles(document)
    body = document.sections[0]
    assert body.different_first_page_header_footer, "page 1 has its own (empty) header"
    fields = page_fields(body.header)
    assert len(fields) == 1, "one PAGE field in the header of the body"
    field = fields[0]
    assert styles.first(styles.para_levels(field), "w:jc") == "center"
    sizes = {styles.size_pt(styles.run_levels(field, r)) for r in field.iter(qn("w:r"))}
    assert sizes and all(s is not None and 13 <= s <= 14 for s in sizes), sizes
    assert not page_fields(body.first_page_header), "ND30: no page number on page 1"
    for section in document.sections:
        assert not page_fields(section.footer), "ND30 puts the page number in the header"


def test_fonts_are_times_new_roman(document: Document) -> None:
    styles = Styles(document)
    defaults = styles.default_rpr.find(qn("w:rFonts"))
    for slot in ("ascii", "hAnsi", "eastAsia", "cs"):
        assert defaults.get(qn(f"w:{slot}")) == FONT, f"document default font ({slot})"
    wrong = set()
    for part in content_parts(document):
        for p in part.iter(qn("w:p")):
            for r in p.iter(qn("w:r")):
                if text_of(r).strip():
                    font = styles.font(styles.run_levels(p, r))
                    if font != FONT:
                        wrong.add(f"{font}: «{text_of(p)[:60]}»")
    assert not wrong, sorted(wrong)


def test_text_is_black_and_sized_for_a_formal_document(document: Document) -> None:
    styles = Styles(document)
    wrong = set()
    for part in content_parts(document):
        for p in part.iter(qn("w:p")):
            text = text_of(p).strip()
            if not text or CONTROL_TAG.match(text):
                continue  # tag paragraphs are removed at render
            for r in p.iter(qn("w:r")):
                if not text_of(r).strip():
                    continue
                levels = styles.run_levels(p, r)
                size, colour = styles.size_pt(levels), styles.first(levels, "w:color")
                if colour not in BLACK or size is None or not 11 <= size <= 14:
                    wrong.add(f"{size} pt, colour {colour}: «{text[:60]}»")
    assert not wrong, sorted(wrong)


def test_body_text_style(document: Document) -> None:
    styles = Styles(document)
    normal = styles.named("Normal")
    runs, paras = styles.style_run_levels(normal), styles.style_para_levels(normal)
    assert styles.font(runs) == FONT, "Normal: Times New Roman"
    assert 13 <= (styles.size_pt(runs) or 0) <= 14, "Normal: 13–14 pt"
    assert styles.first(paras, "w:jc") == "both", "justified"
    indent = int(styles.first(paras, "w:ind", "firstLine") or 0)
    assert 1 * 567 - 5 <= indent <= 1.27 * 567 + 5, "first-line indent 1–1.27 cm"
    assert int(styles.first(paras, "w:spacing", "before") or 0) >= 120, "≥ 6 pt before"
    rule = styles.first(paras, "w:spacing", "lineRule") or "auto"
    line = int(styles.first(paras, "w:spacing", "line") or 240)
    assert 240 <= line <= 360 if rule == "auto" else line >= 300, "single to 1.5 lines"
    for level in (1, 2, 3):
        levels = styles.style_run_levels(styles.named(f"Heading {level}"))
        assert styles.font(levels) == FONT, f"Heading {level}: Times New Roman"
        assert 13 <= (styles.size_pt(levels) or 0) <= 14, f"Heading {level}: 13–14 pt"
        if level < 3:
            assert styles.flag(levels, "w:b"), f"Heading {level} is bold (ND30 I., 1.)"


def find_paragraph(document: Document, pattern: str) -> etree._Element:
    found = [p for p in document.element.body.iter(qn("w:p")) if re.fullmatch(pattern, text_of(p))]
    assert found, f"no paragraph matching «{pattern}»"
    return found[0]


def run_format(styles: Styles, p: etree._Element) -> tuple[bool, bool, set[float | None]]:
    runs = [r for r in p.iter(qn("w:r")) if text_of(r).strip()]
    levels = [styles.run_levels(p, r) for r in runs]
    return (all(styles.flag(lv, "w:b") for lv in levels),
            all(styles.flag(lv, "w:i") for lv in levels),
            {styles.size_pt(lv) for lv in levels})


def test_header_block_title_and_signature(document: Document) -> None:
    """ND30 ô 1–5 and 7–9: Quốc hiệu, Tiêu ngữ, agency, số, date, tên loại, trích yếu,
    nơi nhận and signer, with the decree's case, weight and sizes."""
    styles = Styles(document)
    first_table = document.tables[0]
    assert len(first_table.columns) == 2
    left, right = (first_table.cell(0, c)._tc for c in (0, 1))
    expectations = [
        (right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", True, False, (12, 13)),
        (right, "Độc lập - Tự do - Hạnh phúc", True, False, (13, 14)),
        (left, r"\{\{ ?report\.agency ?\}\}", True, False, (12, 13)),
        (None, r"\{\{ ?report\.number ?\}\}", False, False, (13, 13)),
        (None, r"\{\{ ?report\.place_date ?\}\}", False, True, (13, 14)),
        (None, r"\{\{ ?report\.doc_type ?\}\}", True, False, (13, 14)),
        (None, r"\{\{ ?report\.subject ?\}\}", True, False, (13, 14)),
        (None, "Nơi nhận:", True, True, (12, 12)),
        (None, r"\{\{ ?report\.signer\.name ?\}\}", True, False, (13, 14)),
    ]
    for where, pattern, bold, italic, (low, high) in expectations:
        scope = where if where is not None else document.element.body
        found = [p for p in scope.iter(qn("w:p")) if re.fullmatch(pattern, text_of(p))]
        assert found, f"no «{pattern}» in the header block, title or signature"
        is_bold, is_italic, sizes = run_format(styles, found[0])
        assert is_bold == bold and is_italic == italic, f"«{pattern}»: bold/italic"
        assert all(s is not None and low <= s <= high for s in sizes), f"«{pattern}»: {sizes}"


# --- 3. styles ------------------------------------------------------------------------------

# Styles the user guide (templates/README-mau.md, "Kiểu chữ") tells people to use.
GUIDE_STYLES = ("Normal", "Heading 1", "Heading 2", "Heading 3", "Căn cứ", "Thể thức",
                "Tên loại văn bản", "Trích yếu", "Đường kẻ", "Nơi nhận", "Danh sách nơi nhận",
                "Chữ ký", "Caption", "Đơn vị tính", "Ghi chú bảng", "Nguồn", "Hình", "Ô bảng",
                "Ô bảng - số", "Ô bảng - giữa", "Ô bảng - tiêu đề", "Bảng số liệu", "Lệnh mẫu")


def test_referenced_styles_exist(document: Document) -> None:
    defined = Styles(document).by_id
    missing = set()
    for part in content_parts(document):
        for tag in ("w:pStyle", "w:rStyle", "w:tblStyle"):
            missing |= {el.get(qn("w:val")) for el in part.iter(qn(tag))} - set(defined)
    assert not missing, f"styles used but not defined: {sorted(missing)}"


def test_styles_named_in_the_guide_exist(document: Document) -> None:
    names = {(s.name or "").casefold() for s in document.styles}
    assert not [n for n in GUIDE_STYLES if n.casefold() not in names]


# --- 4. an edited copy ----------------------------------------------------------------------

def test_edited_unit_template_reaches_the_report(edited: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["generate", "--templates", str(edited), "--out", str(out)])
    assert result.exit_code == 0, result.output
    produced = Path(result.output.strip().splitlines()[-1])
    text = dump(produced.read_bytes())
    assert f"[Heading 2] {HEADING_NEW}\n" in text
    assert f"[Heading 2] {HEADING_OLD}\n" not in text
    note = next(line for line in text.splitlines() if MARK_NOTE in line)
    assert note.endswith(MARK_NOTE_ADDED.strip())


def test_edited_overview_template_renders_the_edits(edited: Path) -> None:
    blob = Renderer(edited / OVERVIEW.file).render(full_context(OVERVIEW, Tokens()))
    lines = rendered_text(blob).splitlines()
    assert OVERVIEW_NEW in lines
    assert OVERVIEW_ADDED_TO + OVERVIEW_ADDED in lines


# --- 5. the one-off generator ---------------------------------------------------------------

def test_generator_writes_a_fresh_template_and_never_overwrites(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    """``tools/build_template.py`` still makes a usable starting point (not the bundled bytes:
    those may have been edited since) and keeps existing files unless ``--force``."""
    spec = importlib.util.spec_from_file_location("build_template",
                                                  ROOT / "tools" / "build_template.py")
    assert spec and spec.loader
    generator = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "build_template", generator)  # its dataclasses need it
    spec.loader.exec_module(generator)
    out = tmp_path / "mau-moi"
    assert generator.main([str(out)]) == 0
    for kind in KINDS.values():
        renderer = Renderer(out / kind.file)
        assert renderer.variables() == kind.top_keys
        assert_renders_minimal(renderer, kind)
    (out / UNIT.file).write_bytes(b"edited by hand")
    assert generator.main([str(out)]) == 1
    assert "--force" in capsys.readouterr().err
    assert (out / UNIT.file).read_bytes() == b"edited by hand"
    assert generator.main([str(out), "--force"]) == 0
    assert (out / UNIT.file).read_bytes() != b"edited by hand"
