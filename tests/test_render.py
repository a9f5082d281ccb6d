"""Render stage: the bundled Word template, sandboxing, located errors, PDF conversion."""

from __future__ import annotations

import copy
import io
import pickle
import re
import shutil
import subprocess
from pathlib import Path

import docx
import pytest

from reportgen.docx.dump import dump
from reportgen.docx.render import Renderer
from reportgen.errors import TemplateError
from reportgen.narrate.context import ReportContext, variables

try:
    from tests.fixtures.context import AMPERSAND_UNIT, ANGLE_UNIT, SAMPLE_NOTICE, example_context
except ImportError:  # pytest run with tests/ (not the repository) on sys.path
    from fixtures.context import (  # type: ignore[no-redef]
        AMPERSAND_UNIT,
        ANGLE_UNIT,
        SAMPLE_NOTICE,
        example_context,
    )

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "templates" / "bao-cao.docx"


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer(TEMPLATE)


@pytest.fixture(scope="module")
def rendered(renderer: Renderer) -> bytes:
    return renderer.render(example_context())


@pytest.fixture(scope="module")
def dumped(rendered: bytes) -> str:
    return dump(rendered)


def tiny_template(tmp_path: Path, *paragraphs: str | list[str], table: list[str] | None = None
                  ) -> Path:
    """A small .docx; a list of strings is one paragraph split into several runs (as Word
    does when a tag is typed with a pause or a spelling mark)."""
    doc = docx.Document()
    for text in paragraphs:
        p = doc.add_paragraph()
        for piece in [text] if isinstance(text, str) else text:
            p.add_run(piece)
    if table:
        t = doc.add_table(rows=1, cols=len(table))
        for cell, text in zip(t.rows[0].cells, table, strict=True):
            cell.paragraphs[0].add_run(text)
    path = tmp_path / "mau.docx"
    doc.save(str(path))
    return path


def sections(dump_text: str) -> list[str]:
    return re.split(r"(?m)^(?=== SECTION)", dump_text)[1:]


# --- the bundled template ------------------------------------------------------------------

def test_header_block_and_title(dumped: str) -> None:
    first_table = dumped.split("TABLE", 1)[1].split("\n[", 1)[0]
    assert "UBND TỈNH HÒA LÂM / SỞ NỘI VỤ" in first_table
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM / Độc lập - Tự do - Hạnh phúc" in first_table
    assert "Số: /BC-SNV | Hòa Lâm, ngày 05 tháng 5 năm 2025" in first_table
    assert "[Tên loại văn bản] BÁO CÁO" in dumped
    assert "[Trích yếu] Phân tích kết quả Chỉ số cải cách hành chính" in dumped
    assert f"[Lưu ý số liệu] {SAMPLE_NOTICE}" in dumped
    assert dumped.count("[Căn cứ] Căn cứ ") == 4


def test_headings_use_heading_styles(dumped: str) -> None:
    ctx = example_context()
    for title in ctx["sections"].values():
        assert f"[Heading 1] {title}\n" in dumped
    for item in ctx["results"] + ctx["components"]:
        assert f"[Heading 2] {item['heading']}\n" in dumped
    for sub in ctx["components"][0]["subsections"]:
        assert f"[Heading 3] {sub['heading']}\n" in dumped
    assert "[Heading 2] 3. Giải pháp cụ thể" in dumped


def test_tables_rows_and_marks(dumped: str) -> None:
    assert "| PAR INDEX (%) | 87,29 | 86,47 | -0,82 | 35/63 | 41/63 | -06 | B (2023: B) |" \
        in dumped
    # weakness row shaded light orange, strength row light green, total row bold
    assert re.search(r"\| 3 \{bg=FCE4D6\} \| Cải cách thủ tục hành chính \{bg=FCE4D6\} \| "
                     r"13,50 \{bg=FCE4D6\}", dumped)
    assert re.search(r"\| 1 \{bg=E2EFDA\} \| Công tác chỉ đạo, điều hành CCHC", dumped)
    assert "| Tổng cộng {b} | 100,00 {b} | 86,47 {b}" in dumped
    assert "Dấu (+) và nền xanh nhạt" in dumped  # the marking is explained under the table
    assert re.search(r"TABLE \d+×9 .* header-rows=1", dumped)
    assert "| 41 {bg=FFF2CC,b} | Hòa Lâm {bg=FFF2CC,b} | 86,47" in dumped
    # responsibility table: one line per item in the cell, its loss beside it
    assert "| 1 | Văn phòng UBND tỉnh; Trung tâm Phục vụ hành chính công tỉnh | PAR INDEX – " \
           "Cải cách TTHC: mất 2,18/13,50 điểm, giảm 25 bậc / SIPAS – Góp ý" in dumped
    assert "built-in method" not in dumped


def test_no_template_tags_left(dumped: str) -> None:
    assert "{{" not in dumped and "{%" not in dumped and "}}" not in dumped


def test_images_with_captions_and_sources(dumped: str) -> None:
    images = re.findall(r"^\[Hình\] \[IMAGE 15\.0×8\.0 cm: Biểu đồ \d", dumped, re.M)
    assert len(images) == 5
    for n in range(1, 6):
        assert re.search(rf"^\[Caption\] Biểu đồ {n}\. ", dumped, re.M)
    assert dumped.count("[Nguồn] Nguồn: ") == 5
    assert "[Normal] Biểu đồ diễn biến Chỉ số SIPAS không được trình bày" in dumped


def test_page_setup_and_appendices_in_landscape(dumped: str) -> None:
    parts = sections(dumped)
    appendices = example_context()["appendices"]  # what `dumped` rendered
    # the body, then one section per appendix (Phụ lục I, II, and III when the data has
    # criteria: "Điểm chi tiết theo tiêu chí")
    assert len(appendices) >= 3 and len(parts) == 1 + len(appendices)
    body = parts[0]
    assert "210×297 mm portrait" in body
    assert "margins mm: top 20 bottom 20 left 30 right 15; header 10" in body
    assert "different first page: yes" in body
    assert "header (default): [Header] {PAGE}" in body
    assert "header (first): [Header]\n" in body
    assert "[Phụ lục]" not in body
    assert "Nơi nhận: / - UBND tỉnh (để báo cáo);" in body
    assert "KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC / Đặng Minh Quân" in body
    for part, appendix in zip(parts[1:], appendices, strict=True):
        assert "297×210 mm landscape" in part
        assert "page numbers restart at 1" in part
        assert f"[Phụ lục] {appendix['number']}\n" in part
        assert f"[Tên phụ lục] {appendix['title']}\n" in part
        assert "[Kèm theo] (Kèm theo Báo cáo số /BC-SNV" in part
        assert "header-rows=" in part


def test_sample_notice_and_parent_agency_are_optional(renderer: Renderer) -> None:
    ctx = example_context(sample_notice=False)
    ctx["report"]["parent_agency"] = ""
    ctx["report"]["agency"] = "ỦY BAN NHÂN DÂN\nTỈNH HÒA LÂM"
    text = dump(renderer.render(ctx))
    assert "[Lưu ý số liệu]" not in text
    assert "| ỦY BAN NHÂN DÂN TỈNH HÒA LÂM {b} | CỘNG HÒA" in text


def test_no_appendices_leaves_no_landscape_page(renderer: Renderer) -> None:
    ctx = example_context()
    ctx["appendices"] = []
    parts = sections(dump(renderer.render(ctx)))
    assert len(parts) == 1
    assert "210×297 mm portrait" in parts[0]
    assert "header (default): [Header] {PAGE}" in parts[0]


def test_escaping_ampersand_and_angle_brackets(rendered: bytes) -> None:
    document = docx.Document(io.BytesIO(rendered))
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            texts += [c.text for c in row.cells]
    everything = "\n".join(texts)
    assert AMPERSAND_UNIT in everything
    assert ANGLE_UNIT in everything
    assert "&amp;" not in everything and "&lt;" not in everything


def test_caller_context_is_not_modified(renderer: Renderer) -> None:
    ctx = example_context()
    before = copy.deepcopy(ctx)
    renderer.render(ctx)
    assert ctx == before
    assert "image" not in ctx["results"][0]["charts"][0]


def test_compiled_once_and_reused(renderer: Renderer, monkeypatch: pytest.MonkeyPatch) -> None:
    fresh = Renderer(TEMPLATE)
    assert fresh.compiled_count == 1

    def no_compile(*args: object, **kwargs: object) -> None:
        raise AssertionError("the template must not be compiled again")

    monkeypatch.setattr(fresh.env, "compile", no_compile)
    monkeypatch.setattr(fresh.env, "from_string", no_compile)
    first = dump(fresh.render(example_context()))
    second = dump(fresh.render(example_context()))
    assert first == second
    assert fresh.compiled_count == 1


def test_renderer_pickles_and_accepts_bytes() -> None:
    clone = pickle.loads(pickle.dumps(Renderer(TEMPLATE.read_bytes(), name="bao-cao.docx")))
    assert "[Tên loại văn bản] BÁO CÁO" in dump(clone.render(example_context()))


def values_at(ctx: dict, path: str) -> list[object]:
    """Every value reachable at a contract path like ``results[].charts[].caption``."""
    values: list[object] = [ctx]
    for step in path.split("."):
        key = step.removesuffix("[]")
        found: list[object] = []
        for value in values:
            if isinstance(value, dict) and key in value:
                found += list(value[key]) if step.endswith("[]") else [value[key]]
        values = found
    return values


def test_fixture_fills_the_whole_contract() -> None:
    ctx = example_context()
    missing = [v.path for v in variables() if v.required and not values_at(ctx, v.path)]
    assert missing == []


def test_template_uses_only_context_keys(renderer: Renderer) -> None:
    assert renderer.variables() <= set(ReportContext.__annotations__)


# --- safety and located errors -------------------------------------------------------------

@pytest.mark.parametrize("expression", [
    "''.__class__.__mro__",
    "''.__class__.__mro__[1].__subclasses__()",
    "report.__class__",
    "cycler.__init__.__globals__",
    "report.agency.format.__globals__",
])
def test_sandbox_refuses_python_internals(tmp_path: Path, expression: str) -> None:
    path = tiny_template(tmp_path, "Mở đầu", f"Thử: {{{{ {expression} }}}}")
    with pytest.raises(TemplateError) as info:
        Renderer(path).render({"report": {"agency": "SỞ NỘI VỤ"}})
    assert "đoạn 2" in str(info.value)


def test_undefined_variable_is_located(tmp_path: Path) -> None:
    # the tag is split over three runs, as Word often does
    path = tiny_template(tmp_path, "Phần mở đầu của báo cáo.",
                         ["Cơ quan: {{ report.", "agencyy", " }} ban hành."])
    with pytest.raises(TemplateError) as info:
        Renderer(path).render({"report": {"agency": "SỞ NỘI VỤ"}})
    message = str(info.value)
    assert "'agencyy'" in message
    assert "đoạn 2" in message
    assert "«Cơ quan: {{ report.agencyy }} ban hành.»" in message
    assert "'agency'" in message  # did-you-mean hint
    assert info.value.issues[0].code == "template_undefined"


def test_undefined_variable_in_the_bundled_template(renderer: Renderer) -> None:
    ctx = example_context()
    del ctx["summary"]["note"]
    with pytest.raises(TemplateError) as info:
        renderer.render(ctx)
    message = str(info.value)
    assert "'note'" in message
    assert re.search(r"đoạn \d+: «\{%p if summary\.note %\}»", message)


def test_syntax_error_is_located(tmp_path: Path) -> None:
    path = tiny_template(tmp_path, "Mở đầu", "Đoạn hai", "{% for x in %}", "{% endfor %}")
    with pytest.raises(TemplateError) as info:
        Renderer(path).render({})
    message = str(info.value)
    assert "cú pháp" in message
    assert "đoạn 3: «{% for x in %}»" in message
    assert info.value.issues[0].code == "template_syntax"


def test_error_in_a_table_cell_names_table_and_row(tmp_path: Path) -> None:
    path = tiny_template(tmp_path, "Mở đầu", table=["STT", "{{ row.nam }}"])
    with pytest.raises(TemplateError) as info:
        Renderer(path).render({"row": {"name": "x"}})
    message = str(info.value)
    assert "bảng 1, dòng 1" in message
    assert "«{{ row.nam }}»" in message


def test_unreadable_template_is_a_template_error(tmp_path: Path) -> None:
    bad = tmp_path / "hong.docx"
    bad.write_bytes(b"not a zip")
    with pytest.raises(TemplateError):
        Renderer(bad)


# --- PDF -----------------------------------------------------------------------------------

def test_converts_to_pdf_with_libreoffice(rendered: bytes, tmp_path: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed: cannot check the PDF conversion")
    if shutil.which("pdftotext") is None or shutil.which("pdfinfo") is None:
        pytest.skip("poppler-utils (pdftotext, pdfinfo) is not installed")
    source = tmp_path / "bao-cao.docx"
    source.write_bytes(rendered)
    profile = (tmp_path / "lo-profile").as_uri()
    subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
                   check=True, capture_output=True, timeout=240)
    pdf = tmp_path / "bao-cao.pdf"
    assert pdf.is_file()
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "BÁO CÁO" in text
    assert "Phụ lục I" in text
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True,
                          text=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))  # type: ignore[union-attr]
    assert pages > 3
