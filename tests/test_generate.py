"""The formal report end to end: golden dumps, `reportgen generate`, atomic writes, PDF.

The golden files in ``tests/golden/`` are normalized dumps (``reportgen.docx.dump``) of the
sample reports of "Hòa Lâm" 2024 (the default unit: PAR INDEX, SIPAS, PAPI) and "Sở Tư pháp"
2024 (a department of "Khối sở", one index). When a change to the report is intended,
regenerate them with the one documented command and review the diff:

    python tools/update_golden.py
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
import unicodedata
import zipfile
from pathlib import Path

import docx
import pytest
from typer.testing import CliRunner

import reportgen.output.write as write_mod
from reportgen.cli import app
from reportgen.docx.dump import dump
from reportgen.errors import RenderError

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
SECOND_SHAPE = DATA / "khoi-so-par-so.csv"  # PAR_SO only, 5 departments of "Khối sở", 2023–2024
UPDATE_COMMAND = "python tools/update_golden.py"


def _load_update_golden():
    spec = importlib.util.spec_from_file_location("update_golden", ROOT / "tools" / "update_golden.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("update_golden", module)
    spec.loader.exec_module(module)
    return module


golden = _load_update_golden()


def run(*args: object):
    return CliRunner().invoke(app, ["generate", *map(str, args)])


def files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def cells(row: str) -> list[str]:
    """The texts of a dumped table row "  | a {bg=…} | b |", shading and bold marks removed."""
    return [re.sub(r"\s*\{[^{}]*\}$", "", c.strip()) for c in row.strip().strip("|").split(" | ")]


def assert_valid_docx(path: Path) -> str:
    """A well-formed package that python-docx opens; returns its dump."""
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None
        names = set(z.namelist())
    assert {"[Content_Types].xml", "word/document.xml", "word/styles.xml"} <= names
    docx.Document(str(path))
    return dump(path.read_bytes())


# --- golden dumps ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def golden_renderer():
    return golden.Renderer()


@pytest.fixture(scope="module")
def rendered_dumps(golden_renderer) -> dict[str, str]:
    return {name: golden_renderer.dump(unit, year) for name, (unit, year) in golden.CASES.items()}


@pytest.mark.parametrize("name", list(golden.CASES))
def test_report_matches_golden_dump(name: str, rendered_dumps: dict[str, str]) -> None:
    path = golden.golden_path(name)
    if not path.is_file():
        pytest.fail(f"{path} is missing: run `{UPDATE_COMMAND}` to create it.", pytrace=False)
    expected = path.read_text(encoding="utf-8")
    actual = rendered_dumps[name]
    if actual != expected:
        pytest.fail(f"The rendered report differs from {path.relative_to(ROOT)}:\n\n"
                    f"{golden.diff(expected, actual, name)}\n"
                    f"If this change is intended, run `{UPDATE_COMMAND}` and review "
                    "`git diff tests/golden` before committing.", pytrace=False)


def test_two_renders_give_identical_dumps(rendered_dumps: dict[str, str]) -> None:
    """A fresh load, toolkit and renderer produce the same dump (no dates, ids or set order)."""
    again = golden.Renderer()
    for name, (unit, year) in golden.CASES.items():
        assert again.dump(unit, year) == rendered_dumps[name], name


def test_golden_cases_are_the_default_unit_and_a_one_index_department(golden_renderer) -> None:
    from reportgen.app import default_unit_and_year

    r = golden_renderer
    assert default_unit_and_year(r.dataset, r.kit, None, None) == golden.CASES["hoa-lam-2024"]
    unit, year = golden.CASES["so-tu-phap-2024"]
    assert r.dataset.group_of(unit, year) == "Khối sở"
    frame = r.dataset.frame
    assert set(frame.loc[(frame["unit"] == unit) & (frame["year"] == year), "index"]) == {"PAR_SO"}


def test_golden_dumps_hold_the_nd30_layout(rendered_dumps: dict[str, str]) -> None:
    """What the golden files pin down is really there (guards against a blank or broken golden)."""
    for name, text in rendered_dumps.items():
        first = text.split("== SECTION 2", 1)[0]
        assert first.startswith("== SECTION 1: 210×297 mm portrait"), name
        assert "margins mm: top 20 bottom 20 left 30 right 15" in first
        assert "different first page: yes" in first
        assert "header (default): [Header] {PAGE}" in first
        assert "header (first): [Header]\n" in first  # no page number on page 1
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM / Độc lập - Tự do - Hạnh phúc" in first
        assert "[Tên loại văn bản] BÁO CÁO" in first
        assert "KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC" in first
        assert "landscape" in text.split("== SECTION 2", 1)[1]
        assert "[Phụ lục] Phụ lục I\n" in text and "[Phụ lục] Phụ lục II\n" in text
        assert "{{" not in text and "{%" not in text
    for name, text in rendered_dumps.items():
        # native Word charts by default, one per caption; by default (report.yaml charts: kinds)
        # only the position among the peers (the sample's 3 years are fewer than the trend
        # chart's trend_min_years), so one per index reported
        charts = re.findall(r"\[CHART (\w+) ", text)
        assert charts and len(charts) == text.count("[Caption] Biểu đồ "), name
        assert set(charts) == {"peer_bars"}, name
    assert rendered_dumps["hoa-lam-2024"].count("[CHART ") == 3  # PAR INDEX, SIPAS, PAPI
    assert rendered_dumps["so-tu-phap-2024"].count("[CHART ") == 1  # the department's index
    assert "[IMAGE " not in rendered_dumps["hoa-lam-2024"]
    assert "PAR INDEX" not in rendered_dumps["so-tu-phap-2024"]


def test_dry_run_places_images_at_the_chart_size(golden_renderer, rendered_dumps) -> None:
    from reportgen.app import make_toolkit, render_report

    r = golden_renderer
    dry = make_toolkit(r.project, dpi=0, charts="png")
    unit, year = golden.CASES["so-tu-phap-2024"]
    text = dump(render_report(dry, r.prepared, r.dataset, unit, year))
    sizes = re.findall(r"\[IMAGE ([\d.]+×[\d.]+) cm", text)
    assert sizes  # the charts report.yaml turns on (charts: kinds), each at its size
    assert sizes == re.findall(r"\[CHART \w+ ([\d.]+×[\d.]+) cm", rendered_dumps["so-tu-phap-2024"])


# --- reportgen generate ------------------------------------------------------------------

def test_generate_without_options_writes_the_default_report(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run()
    assert result.exit_code == 0, result.output
    expected = Path("output") / "2024" / "tinh-thanh-pho" / "hoa-lam.docx"
    assert result.stdout.strip().splitlines() == [str(expected)]
    assert files_under(tmp_path / "output") == [tmp_path / expected]  # no temporary file left
    text = assert_valid_docx(tmp_path / expected)
    assert "tỉnh Hòa Lâm" in text and "Chỉ số cải cách hành chính (PAR INDEX)" in text


def test_generate_unknown_unit_suggests_the_closest_names(tmp_path) -> None:
    result = run("--unit", "Hòa Lâmm", "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert "Không tìm thấy đơn vị 'Hòa Lâmm'" in result.stderr
    assert "Có phải: 'Hòa Lâm'" in result.stderr
    assert files_under(tmp_path / "out") == []


def test_generate_accepts_a_name_without_accents(tmp_path) -> None:
    result = run("--unit", "so tu phap", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(tmp_path / "2024" / "khoi-so" / "so-tu-phap.docx")


def test_generate_year_without_data_lists_the_years(tmp_path) -> None:
    result = run("--year", 2019, "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert "không có dữ liệu năm 2019" in result.stderr
    assert "Các năm có dữ liệu: 2022, 2023, 2024." in result.stderr
    assert files_under(tmp_path / "out") == []


def test_generate_bad_dataset_writes_nothing(tmp_path, make_csv) -> None:
    bad = make_csv("hong.csv", [
        ["year", "index", "unit", "component", "score", "max_score", "rank", "group"],
        [2024, "PAR_SO", "Sở Tư pháp", "TOTAL", "tám mươi", "", "", "Khối sở"],
        [2024, "PAR_SO", "Sở Y tế", "TOTAL", "91,5", "", "", "Khối sở"],
    ])
    out = tmp_path / "out"
    result = run("--data", bad, "--out", out)
    assert result.exit_code == 1
    assert "hong.csv" in result.stderr and "tám mươi" in result.stderr
    assert files_under(out) == []


def test_generate_second_shape_dataset(tmp_path) -> None:
    """A department group with one index (PAR_SO, 5 departments, 2 years) and no default unit."""
    result = run("--data", SECOND_SHAPE, "--out", tmp_path)
    assert result.exit_code == 0, result.output
    path = Path(result.stdout.strip())
    assert path.parent == tmp_path / "2024" / "khoi-so"
    assert files_under(tmp_path) == [path]
    text = assert_valid_docx(path)
    unit = "Sở Nội vụ"  # the configured default unit (Hòa Lâm) is absent: the first unit
    assert path.name == "so-noi-vu.docx"
    assert f"năm 2024 của {unit}; nhiệm vụ, giải pháp" in text
    assert "xếp thứ 01/5 sở, ban, ngành (tăng 01 bậc)" in text
    assert "Phụ lục I" in text and "Phụ lục II" in text
    assert "PAR INDEX" not in text and "SIPAS" not in text and "tỉnh Hòa Lâm" not in text
    # the ranking appendix lists the five departments, best first
    ranking = text.split("[Phụ lục] Phụ lục II", 1)[1]
    rows = [cells(line)[:2] for line in ranking.splitlines() if line.startswith("  | 0")]
    assert rows == [["01", "Sở Nội vụ"], ["02", "Sở Y tế"], ["03", "Sở Tư pháp"],
                    ["04", "Sở Tài chính"], ["05", "Sở Xây dựng"]]


# --- atomic write --------------------------------------------------------------------------

class _OsProxy:
    """``os`` for reportgen.output.write only, with one function replaced."""

    def __init__(self, **replaced) -> None:
        self._replaced = replaced

    def __getattr__(self, name: str):
        import os

        return self._replaced.get(name) or getattr(os, name)


def _half_writing_fdopen(*args, **kwargs):
    """An fdopen whose file writes half of the bytes, then fails like a full disk."""
    import os

    fh = os.fdopen(*args, **kwargs)

    class Half:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            fh.close()
            return False

        def write(self, data: bytes) -> int:
            fh.write(data[: len(data) // 2])
            fh.flush()
            raise OSError(28, "No space left on device")

    return Half()


def _replace_crashes(src, dst):
    raise RuntimeError("process killed during rename")


def _render_fails(self, context):
    raise RenderError("lỗi giả lập khi tạo tệp Word")


@pytest.mark.parametrize("failure", ["render", "half-write", "rename"])
def test_generate_is_atomic(failure: str, tmp_path, monkeypatch) -> None:
    """Whatever fails, no partial report and no temporary file; an older report stays intact."""
    out = tmp_path / "out"
    target = out / "2024" / "khoi-so" / "so-tu-phap.docx"
    target.parent.mkdir(parents=True)
    target.write_bytes(b"older report")
    if failure == "render":
        monkeypatch.setattr("reportgen.docx.render.Renderer.render", _render_fails)
    elif failure == "half-write":
        monkeypatch.setattr(write_mod, "os", _OsProxy(fdopen=_half_writing_fdopen))
    else:
        monkeypatch.setattr(write_mod, "os", _OsProxy(replace=_replace_crashes))
    result = run("--data", SECOND_SHAPE, "--unit", "Sở Tư pháp", "--out", out)
    assert result.exit_code == 1
    if failure == "half-write":
        assert "No space left on device" in result.stderr
    if failure == "rename":
        assert isinstance(result.exception, RuntimeError)
    assert files_under(out) == [target]
    assert target.read_bytes() == b"older report"


# --- PDF -----------------------------------------------------------------------------------

def _which_soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


needs_pdf_tools = pytest.mark.skipif(
    _which_soffice() is None or shutil.which("pdftotext") is None or shutil.which("pdfinfo") is None,
    reason="LibreOffice (soffice) or poppler-utils (pdftotext, pdfinfo) is not installed, so the "
           "PDF conversion is not checked here; CI installs both (.ci/run)")


def pdf_text(pdf: Path, page: int | None = None) -> str:
    pages = ["-f", str(page), "-l", str(page)] if page else []
    out = subprocess.run(["pdftotext", *pages, str(pdf), "-"], check=True, capture_output=True,
                         text=True).stdout
    return unicodedata.normalize("NFC", out)


def pdf_pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    found = re.search(r"^Pages:\s+(\d+)", info, re.M)
    assert found, info
    return int(found.group(1))


def first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


@needs_pdf_tools
def test_generate_pdf(tmp_path) -> None:
    result = run("--pdf", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    docx_path = tmp_path / "2024" / "tinh-thanh-pho" / "hoa-lam.docx"
    pdf = docx_path.with_suffix(".pdf")
    assert result.stdout.strip().splitlines() == [str(docx_path), str(pdf)]
    assert files_under(tmp_path) == [docx_path, pdf]
    text = pdf_text(pdf)
    for expected in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "BÁO CÁO", "Hòa Lâm", "Phụ lục I",
                     "Nơi nhận:"):
        assert expected in text
    assert pdf_pages(pdf) > 5
    page1, page2 = pdf_text(pdf, 1), pdf_text(pdf, 2)
    assert first_line(page1) == "UBND TỈNH HÒA LÂM"  # no page number on the first page
    assert not re.match(r"\s*1\s*\n", page1)
    assert first_line(page2) == "2"  # page number top centre from page 2


@needs_pdf_tools
def test_second_shape_converts_to_pdf(tmp_path) -> None:
    result = run("--data", SECOND_SHAPE, "--unit", "Sở Tư pháp", "--pdf", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    pdf = tmp_path / "2024" / "khoi-so" / "so-tu-phap.pdf"
    text = pdf_text(pdf)
    assert "Sở Tư pháp" in text and "Phụ lục II" in text
    assert pdf_pages(pdf) > 3


def test_pdf_without_libreoffice_keeps_the_docx(tmp_path, monkeypatch) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))  # neither soffice nor libreoffice can be found
    out = tmp_path / "out"
    result = run("--data", SECOND_SHAPE, "--unit", "Sở Tư pháp", "--pdf", "--out", out)
    assert result.exit_code == 1
    assert "Không tìm thấy LibreOffice (soffice) để chuyển sang PDF" in result.stderr
    assert "apt-get install" in result.stderr
    docx_path = out / "2024" / "khoi-so" / "so-tu-phap.docx"
    assert result.stdout.strip() == str(docx_path)
    assert files_under(out) == [docx_path]
    assert_valid_docx(docx_path)
