"""Native charts in the sample report (the default backend): parts, relationships, content
types, unique drawing ids, workbooks equal to the caches, python-docx round trip, patching
through python-pptx, ``--charts png`` pictures, and LibreOffice's PDF showing the labels."""

from __future__ import annotations

import io
import re
import subprocess
import unicodedata
import zipfile
from pathlib import Path

import docx
import pytest
from docx.enum.shape import WD_INLINE_SHAPE
from lxml import etree

from chartcheck import NS, cache_problems, structure_problems
from reportgen.docx.charts import ChartPart, EmbeddedXlsxPart
from reportgen.docx.dump import chart_lines, dump
from test_generate import golden, needs_pdf_tools, run

CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
CHART_CT = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
XLSX_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(scope="module")
def renderer():
    """Every chart kind on (report.yaml's default draws only those that add to the tables),
    so that every native chart type is checked."""
    from reportgen.charts.unit import UNIT_KINDS

    r = golden.Renderer()
    config = dict(r.kit.narrator.config)
    config["charts"] = {**(config.get("charts") or {}), "kinds": list(UNIT_KINDS),
                        "trend_min_years": 2}
    r.kit.narrator.config = config
    return r


@pytest.fixture(scope="module")
def report(renderer) -> bytes:
    return renderer.docx("Hòa Lâm", 2024)


@pytest.fixture(scope="module")
def drawn(renderer) -> list[dict]:
    """The charts the sample report draws (those with enough data), in document order."""
    from reportgen.analysis.unit import analyze_unit
    from reportgen.app import build_context

    analysis = analyze_unit(renderer.prepared, "Hòa Lâm", 2024, renderer.kit.rules)
    context = build_context(renderer.kit, analysis, {}, True)
    return [c for section in ("results", "components") for block in context[section]
            for c in block["charts"]]


def parts(blob: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(blob)) as z:
        return {name: z.read(name) for name in z.namelist()}


def test_every_chart_of_the_report_is_a_native_chart(report, drawn):
    shapes = docx.Document(io.BytesIO(report)).inline_shapes
    assert len(drawn) == 14
    assert [s.type for s in shapes] == [WD_INLINE_SHAPE.CHART] * len(drawn)
    kinds = [c["kind"] for c in drawn]
    assert set(kinds) == {"score_rank", "peer_bars", "component_bars", "change_bars", "radar"}


def test_package_parts_relationships_and_content_types(report, drawn):
    files = parts(report)
    charts = sorted(n for n in files if re.fullmatch(r"word/charts/chart\d+\.xml", n))
    books = sorted(n for n in files if n.startswith("word/embeddings/") and n.endswith(".xlsx"))
    assert len(charts) == len(books) == len(drawn)
    types = etree.fromstring(files["[Content_Types].xml"])
    overrides = {o.get("PartName"): o.get("ContentType") for o in types.iterfind(f"{{{CT_NS}}}Override")}
    defaults = {d.get("Extension"): d.get("ContentType") for d in types.iterfind(f"{{{CT_NS}}}Default")}
    assert all(overrides.get("/" + n) == CHART_CT for n in charts)
    assert defaults.get("xlsx") == XLSX_CT or all(overrides.get("/" + n) == XLSX_CT for n in books)
    doc_rels = etree.fromstring(files["word/_rels/document.xml.rels"])
    chart_targets = {r.get("Target") for r in doc_rels if r.get("Type", "").endswith("/chart")}
    assert chart_targets == {n.removeprefix("word/") for n in charts}
    for name in charts:
        rels = etree.fromstring(files[name.replace("charts/", "charts/_rels/") + ".rels"])
        (package,) = [r for r in rels if r.get("Type", "").endswith("/package")]
        space = etree.fromstring(files[name])
        rid = space.find("c:externalData", NS).get(
            "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id")
        assert package.get("Id") == rid
        assert "word/" + package.get("Target").removeprefix("../") in books
        assert structure_problems(space) == []


def test_each_workbook_equals_its_charts_caches(report):
    document = docx.Document(io.BytesIO(report))
    checked = 0
    for part in document.part.package.iter_parts():
        if isinstance(part, ChartPart):
            book = part.workbook
            assert isinstance(book, EmbeddedXlsxPart)
            assert cache_problems(part.element, book.blob) == []
            checked += 1
    assert checked == 14


def test_drawing_ids_are_unique_and_carry_kind_and_alt_text(report, drawn):
    body = etree.fromstring(parts(report)["word/document.xml"])
    wp = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
    ids = [d.get("id") for d in body.iter(f"{{{wp}}}docPr")]
    assert len(ids) == len(set(ids))
    charts = [d for d in body.iter(f"{{{wp}}}docPr")]
    assert [(d.get("name"), d.get("descr")) for d in charts] == [(c["kind"], c["alt_text"]) for c in drawn]


def test_the_chart_values_come_from_the_analysis(report, renderer):
    """The PAR INDEX score-and-rank chart holds the unit's history, as the dump shows it."""
    from reportgen.analysis.unit import analyze_unit

    analysis = analyze_unit(renderer.prepared, "Hòa Lâm", 2024, renderer.kit.rules)
    history = analysis.indices[0].history
    text = dump(report)
    first = text.split("[CHART score_rank", 1)[1].splitlines()
    scores = " | ".join(f"{h.year} = {h.score}" for h in history)
    ranks = " | ".join(f"{h.year} = {float(h.rank)}" for h in history)
    assert first[1].endswith(scores) and "bar/col" in first[1]
    assert first[2].endswith(ranks) and "line/r" in first[2]


def test_python_docx_reopens_and_resaves_with_the_charts_intact(report):
    document = docx.Document(io.BytesIO(report))
    out = io.BytesIO()
    document.save(out)
    before, after = parts(report), parts(out.getvalue())
    for name in before:
        if name.startswith("word/embeddings/"):
            assert after[name] == before[name]
        elif name.startswith("word/charts/chart"):
            assert chart_lines(etree.fromstring(after[name])) == chart_lines(etree.fromstring(before[name]))
            assert etree.tostring(etree.fromstring(after[name]), method="c14n") == \
                etree.tostring(etree.fromstring(before[name]), method="c14n")
    assert [s.type for s in docx.Document(out).inline_shapes] == [WD_INLINE_SHAPE.CHART] * 14


def test_replace_data_rewrites_caches_and_workbook(report):
    """The "patch a chart" path: python-pptx's replace_data on a reopened chart part."""
    from pptx.chart.data import CategoryChartData

    document = docx.Document(io.BytesIO(report))
    part = next(p for p in document.part.package.iter_parts() if isinstance(p, ChartPart))
    data = CategoryChartData(number_format="0.00")
    data.categories = ["2023", "2024"]
    data.add_series("Điểm (%)", (70.5, 71.25))
    data.add_series("Thứ hạng", (12, 9))
    part.chart.replace_data(data)
    assert cache_problems(part.element, part.workbook.blob) == []
    values = [float(v.text) for v in part.element.iterfind(".//c:val//c:v", NS)]
    assert values == [70.5, 71.25, 12.0, 9.0]


def test_charts_png_gives_pictures(tmp_path):
    result = run("--charts", "png", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    path = tmp_path / "2024" / "tinh-thanh-pho" / "hoa-lam.docx"
    document = docx.Document(str(path))
    captions = [p for p in document.paragraphs if re.match(r"Biểu đồ \d+\.", p.text)]
    shapes = document.inline_shapes
    assert captions and [s.type for s in shapes] == [WD_INLINE_SHAPE.PICTURE] * len(captions)
    assert not any(n.startswith("word/charts/") for n in parts(path.read_bytes()))


def test_report_yaml_chooses_the_backend_and_the_option_wins(tmp_path):
    from reportgen.config.search import packaged_dir

    config = tmp_path / "report.yaml"
    text = (Path(packaged_dir()) / "report.yaml").read_text(encoding="utf-8")
    config.write_text(text.replace("  backend: native", "  backend: png"), encoding="utf-8")
    result = run("--config", config, "--out", tmp_path / "a")
    assert result.exit_code == 0, result.output
    (path,) = (tmp_path / "a").rglob("*.docx")
    assert {s.type for s in docx.Document(str(path)).inline_shapes} == {WD_INLINE_SHAPE.PICTURE}
    result = run("--config", config, "--charts", "native", "--out", tmp_path / "b")
    (path,) = (tmp_path / "b").rglob("*.docx")
    assert {s.type for s in docx.Document(str(path)).inline_shapes} == {WD_INLINE_SHAPE.CHART}
    config.write_text(text.replace("  backend: native", "  backend: svg"), encoding="utf-8")
    result = run("--config", config, "--out", tmp_path / "c")
    assert result.exit_code == 1
    assert "backend" in result.output and "report.yaml" in result.output


@needs_pdf_tools
def test_libreoffice_pdf_shows_the_chart_labels_as_text(report, drawn, tmp_path):
    from reportgen.output.write import convert_pdf

    source = tmp_path / "bao-cao.docx"
    source.write_bytes(report)
    pdf = convert_pdf(source)
    text = unicodedata.normalize("NFC", subprocess.run(
        ["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout)
    components = next(c for c in drawn if c["kind"] == "component_bars")["native"]
    space = etree.fromstring(components.xml)
    names = {v.text for v in space.iterfind(".//c:cat//c:v", NS)}
    assert names and all(n in text for n in names)  # category labels, with diacritics
    first = float(space.findtext(".//c:val//c:v", namespaces=NS))
    assert f"{first:.2f}".replace(".", ",") in text  # a data label with a decimal comma
    assert "Trung bình" in text and "Thứ hạng" in text  # legend entries
