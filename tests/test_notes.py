"""Nothing unsigned-for in the body (issue #12, point 4): causes and notes come from the clerk's
``notes`` table; the library's generic causes are suggestions, printed only in a draft and
marked there; ``generate --final`` refuses a draft."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from reportgen.analysis.unit import prepare
from reportgen.app import load_dataset, make_toolkit, open_project, render_report
from reportgen.cli import app
from reportgen.config.search import packaged_dir
from reportgen.data.notes import KINDS, is_notes_file
from reportgen.data.sample import sample_dir
from reportgen.docx.dump import dump
from reportgen.errors import DataError

UNIT, YEAR = "Hòa Lâm", 2024
OBJECTIVE = "Năm 2024 tỉnh sáp nhập 3 huyện, khối lượng hồ sơ chuyển giao lớn."
SUBJECTIVE = "Bộ phận một cửa cấp huyện chưa bố trí đủ công chức có kinh nghiệm."
REMARK = "Kết quả PAR INDEX năm 2024 là cao nhất của tỉnh từ trước đến nay về điểm số."
SUGGESTION = "[Gợi ý, cần xác nhận]"


def _data(tmp_path: Path, notes: list[list[object]] | None) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(sample_dir(), folder)
    if notes is not None:
        with (folder / "notes.csv").open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows([["year", "unit", "index", "component", "kind", "text"],
                                      *notes])
    return folder


def _text(tmp_path: Path, folder: Path, templates: Path | None = None) -> str:
    project = open_project(templates)
    dataset = load_dataset(project, folder)
    kit = make_toolkit(project, dpi=0)
    return dump(render_report(kit, prepare(dataset), dataset, UNIT, YEAR))


def _draft_templates(tmp_path: Path) -> Path:
    templates = tmp_path / "mau"
    templates.mkdir()
    config = yaml.safe_load((packaged_dir() / "report.yaml").read_text(encoding="utf-8"))
    config["draft"] = True
    (templates / "report.yaml").write_text(yaml.safe_dump(config, allow_unicode=True),
                                           encoding="utf-8")
    return templates


def test_the_notes_table_is_recognised():
    assert is_notes_file("notes") and is_notes_file("Ghi chú") and not is_notes_file("groups")
    assert {KINDS["khachquan"], KINDS["chuquan"], KINDS["ghichu"]} == {
        "objective", "subjective", "note"}


def test_without_notes_no_cause_is_printed(tmp_path):
    text = _text(tmp_path, _data(tmp_path, None))
    assert "Nguyên nhân" not in text and SUGGESTION not in text
    assert "Đề nghị cơ quan soạn thảo" not in text  # no placeholder either


def test_the_clerks_causes_and_notes_are_printed_where_they_belong(tmp_path):
    folder = _data(tmp_path, [[YEAR, UNIT, "", "", "khách quan", OBJECTIVE],
                              [YEAR, UNIT, "PAR INDEX", "3", "Nguyên nhân chủ quan", SUBJECTIVE],
                              [YEAR, UNIT, "PAR_INDEX", "", "ghi chú", REMARK],
                              [YEAR - 1, UNIT, "", "", "khách quan", "Năm trước: không in."]])
    text = _text(tmp_path, folder)
    lines = text.splitlines()
    assert "[Heading 2] 3. Nguyên nhân" in lines
    assert f"[Normal] - {OBJECTIVE}" in lines
    # a cause on a component is introduced by the component's name
    assert any(line.startswith("[Normal] - Cải cách thủ tục hành chính: bộ phận một cửa")
               for line in lines), [line for line in lines if "một cửa" in line]
    assert f"[Normal] {REMARK}" in lines
    assert "Năm trước: không in." not in text and SUGGESTION not in text
    section = text.split("[Heading 2] 3. Nguyên nhân")[1]
    assert section.index("a) Nguyên nhân khách quan") < section.index("b) Nguyên nhân chủ quan")


def test_a_draft_prints_the_library_suggestions_marked(tmp_path):
    text = _text(tmp_path, _data(tmp_path, None), _draft_templates(tmp_path))
    suggested = [line for line in text.splitlines() if SUGGESTION in line]
    assert suggested and all(line.startswith("[Normal] - [Gợi ý") for line in suggested)


def test_a_drafts_suggestions_are_highlighted_and_listed(tmp_path):
    """Each suggestion paragraph is highlighted in yellow in the document (every run), no
    other paragraph is, and ``generate`` lists the same paragraphs on stderr."""
    from docx import Document
    from docx.enum.text import WD_COLOR_INDEX

    templates = _draft_templates(tmp_path)
    result = CliRunner().invoke(app, ["generate", "--templates", str(templates),
                                      "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    path = next((tmp_path / "out").rglob("*.docx"))
    marked, plain = [], []
    for p in Document(str(path)).paragraphs:
        runs = [r for r in p.runs if r.text.strip()]
        if not runs:
            continue
        yellow = [r.font.highlight_color == WD_COLOR_INDEX.YELLOW for r in runs]
        text = p.text.removeprefix("- ")  # the template's bullet
        (marked if all(yellow) else plain).append(text)
        assert all(yellow) or not any(yellow), p.text  # a paragraph is marked whole
    assert marked and all(t.startswith(SUGGESTION) for t in marked)
    assert not any(SUGGESTION in t for t in plain)
    listed = [line[4:] for line in result.stderr.splitlines() if line.startswith("  - ")]
    assert listed == marked
    assert f"có {len(marked)} đoạn gợi ý" in result.stderr


def test_a_final_report_has_no_highlight(tmp_path):
    result = CliRunner().invoke(app, ["generate", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0 and "gợi ý" not in result.stderr
    path = next((tmp_path / "out").rglob("*.docx"))
    import zipfile

    assert b"w:highlight" not in zipfile.ZipFile(path).read("word/document.xml")


def test_final_refuses_a_draft(tmp_path):
    templates = _draft_templates(tmp_path)
    result = CliRunner().invoke(app, ["generate", "--templates", str(templates), "--final",
                                      "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "draft: true" in result.output and "report.yaml" in result.output
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").rglob("*.docx"))
    ok = CliRunner().invoke(app, ["generate", "--final", "--out", str(tmp_path / "ok")])
    assert ok.exit_code == 0, ok.output


@pytest.mark.parametrize(("row", "code", "column"), [
    ([YEAR, UNIT, "", "", "lý do", "x"], "notes_bad_kind", "kind"),
    (["năm nay", UNIT, "", "", "ghi chú", "x"], "notes_bad_year", "year"),
    ([YEAR, UNIT, "PAR INDEKS", "", "ghi chú", "x"], "notes_unknown_index", "index"),
    ([YEAR, UNIT, "PAR_INDEX", "99", "ghi chú", "x"], "notes_unknown_component", "component"),
    ([YEAR, UNIT, "", "3", "ghi chú", "x"], "notes_component_without_index", "index"),
])
def test_bad_notes_are_located(tmp_path, row, code, column):
    folder = _data(tmp_path, [row])
    with pytest.raises(DataError) as err:
        load_dataset(open_project(), folder)
    issue = next(i for i in err.value.issues if i.code == code)
    assert (issue.location.file, issue.location.row, issue.location.column) == (
        str(folder / "notes.csv"), 2, column)


def test_a_note_for_an_unknown_unit_is_a_warning(tmp_path):
    folder = _data(tmp_path, [[YEAR, "Tỉnh Không Có", "", "", "ghi chú", "x"]])
    dataset = load_dataset(open_project(), folder)
    (warning,) = [w for w in dataset.warnings if w.code == "notes_unknown_unit"]
    assert warning.location.column == "unit" and not dataset.notes
