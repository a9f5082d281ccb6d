"""The batch manifest hashes what a run actually read on the search path: a phrase file a
user adds and includes is covered, editing it regenerates the reports; a file in the templates
folder that nothing reads regenerates nothing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import docx
import pytest

from reportgen.app import overview_files, run_batch, toolkit_files, worker_state
from reportgen.batch.jobs import JobSpec
from reportgen.config.search import FileRead, packaged_dir
from reportgen.docx.dump import dump
from reportgen.output.manifest import MANIFEST
from test_batch import GROUPS, docs, rows, spec_for, write

EVERY_UNIT = sorted(u for units in GROUPS.values() for u in units)
OVERVIEWS = ["2024/khoi-so/tong-hop.docx", "2024/khoi-xa/tong-hop.docx"]


@pytest.fixture
def templates(tmp_path: Path) -> Path:
    """A user's templates folder: a copy of the defaults, as ``reportgen templates init``
    makes it (the command itself is tested in test_templates_cli.py)."""
    folder = tmp_path / "mau"
    shutil.copytree(packaged_dir(), folder)
    return folder


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return write(tmp_path / "data.csv", rows())


def add_include(templates: Path, file: str, macro_start: str, included: str) -> None:
    """Include ``included`` at the start of a macro of a phrase file of the folder."""
    path = templates / "phrases" / file
    source = path.read_text(encoding="utf-8")
    assert source.count(macro_start) == 1
    path.write_text(source.replace(macro_start, f'{macro_start}{{% include "{included}" %}} '),
                    encoding="utf-8")


def text_of(path: Path) -> str:
    return dump(path.read_bytes())


def spec(data: Path, templates: Path) -> JobSpec:
    return spec_for(data, templates)


def test_an_included_phrase_file_edited_after_a_batch_regenerates_the_reports(
        data: Path, templates: Path, tmp_path: Path) -> None:
    """The reported bug: ``them.j2`` included from ``ket-qua.j2``, edited, re-run → all
    skipped and old text. Now every report using it is made again with the new text."""
    write_them = (templates / "phrases" / "them.j2").write_text
    write_them("Câu thêm bản đầu.", encoding="utf-8")
    add_include(templates, "ket-qua.j2", "{% macro ket_qua(i, u) -%}", "them.j2")
    out = tmp_path / "out"
    first = run_batch(spec(data, templates), out, jobs=1)
    assert sorted(first.generated) == EVERY_UNIT and sorted(first.overview) == OVERVIEWS
    assert "Câu thêm bản đầu." in text_of(out / "2024/khoi-so/so-mot.docx")
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))

    unchanged = run_batch(spec(data, templates), out, jobs=1)
    assert unchanged.generated == [] and unchanged.overview == []

    write_them("Câu thêm đã sửa lại sau lô trước.", encoding="utf-8")
    again = run_batch(spec(data, templates), out, jobs=1, overview=False)
    assert sorted(again.generated) == EVERY_UNIT and not again.skipped
    for key in docs(out):
        text = text_of(out / key)
        assert "Câu thêm đã sửa lại sau lô trước." in text and "bản đầu" not in text, key
    assert json.loads((out / MANIFEST).read_text(encoding="utf-8"))["inputs"]["toolkit"] != \
        manifest["inputs"]["toolkit"]


def test_an_include_resolved_only_when_rendered_is_hashed_before(
        data: Path, templates: Path, tmp_path: Path) -> None:
    """An include on a branch no report renders yet (Jinja would load it only when the
    line is rendered) is resolved from the syntax tree: editing it counts."""
    (templates / "phrases" / "hiem-gap.j2").write_text("Chưa dùng.", encoding="utf-8")
    path = templates / "phrases" / "ket-qua.j2"
    macro = "{% macro ket_qua(i, u) -%}"
    path.write_text(path.read_text(encoding="utf-8").replace(
        macro, f'{macro}{{% if u.name == "không có" %}}{{% include "hiem-gap.j2" %}}{{% endif %}}'),
        encoding="utf-8")
    out = tmp_path / "out"
    assert len(run_batch(spec(data, templates), out, jobs=1, overview=False).generated) == 8
    (templates / "phrases" / "hiem-gap.j2").write_text("Vẫn chưa dùng, đã sửa.", encoding="utf-8")
    assert len(run_batch(spec(data, templates), out, jobs=1, overview=False).generated) == 8


def test_a_missing_include_that_appears_later_counts(data: Path, templates: Path,
                                                       tmp_path: Path) -> None:
    path = templates / "phrases" / "ket-qua.j2"
    macro = "{% macro ket_qua(i, u) -%}"
    path.write_text(path.read_text(encoding="utf-8").replace(macro, macro + (
        '{% include "sau-nay.j2" ignore missing %} '
        '{% if false %}{% include "khong-co.j2" %}{% endif %}')), encoding="utf-8")
    out = tmp_path / "out"
    run_batch(spec(data, templates), out, jobs=1, overview=False)
    (templates / "phrases" / "sau-nay.j2").write_text("Tệp mới thêm.", encoding="utf-8")
    again = run_batch(spec(data, templates), out, jobs=1, overview=False)
    assert len(again.generated) == 8
    assert "Tệp mới thêm." in text_of(out / "2024/khoi-xa/xa-tay.docx")


def test_a_file_nothing_reads_regenerates_nothing(data: Path, templates: Path,
                                                  tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = run_batch(spec(data, templates), out, jobs=1)
    assert len(first.generated) == 8 and len(first.overview) == 2
    written = {p: p.stat().st_mtime_ns for p in out.rglob("*.docx")}
    (templates / "notes.txt").write_text("ghi chú của người dùng\n", encoding="utf-8")
    (templates / "phrases" / "nhap.j2").write_text("{# bản nháp, không tệp nào gọi #}", encoding="utf-8")
    with (templates / "HUONG-DAN.md").open("a", encoding="utf-8") as fh:
        fh.write("\nGhi chú thêm.\n")
    again = run_batch(spec(data, templates), out, jobs=1)
    assert again.generated == [] and sorted(again.skipped) == EVERY_UNIT and again.overview == []
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*.docx")} == written


def test_the_overview_is_regenerated_when_a_phrase_file_it_includes_changes(
        data: Path, templates: Path, tmp_path: Path) -> None:
    (templates / "phrases" / "tong-hop-them.j2").write_text("Nhận xét chung bản một.",
                                                             encoding="utf-8")
    add_include(templates, "tong-hop.j2", "{% macro ket_qua_chung(i, o) -%}", "tong-hop-them.j2")
    out = tmp_path / "out"
    first = run_batch(spec(data, templates), out, jobs=1)
    assert sorted(first.overview) == OVERVIEWS
    assert "Nhận xét chung bản một." in text_of(out / OVERVIEWS[0])
    assert run_batch(spec(data, templates), out, jobs=1).overview == []

    (templates / "phrases" / "tong-hop-them.j2").write_text("Nhận xét chung đã viết lại.",
                                                             encoding="utf-8")
    again = run_batch(spec(data, templates), out, jobs=1)
    assert sorted(again.overview) == OVERVIEWS
    for key in OVERVIEWS:
        text = text_of(out / key)
        assert "Nhận xét chung đã viết lại." in text and "bản một" not in text


def test_the_report_template_does_not_regenerate_the_overview(
        data: Path, templates: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run_batch(spec(data, templates), out, jobs=1)
    document = docx.Document(str(templates / "bao-cao.docx"))
    heading = next(p for p in document.paragraphs if p.text == "2. Tồn tại, hạn chế")
    heading.runs[0].text = "2. Hạn chế"
    for run in heading.runs[1:]:
        run.text = ""
    document.save(str(templates / "bao-cao.docx"))
    again = run_batch(spec(data, templates), out, jobs=1)
    assert again.overview == [] and len(again.generated) == 8


def test_rendering_reads_nothing_the_hashes_do_not_cover(data: Path, templates: Path,
                                                         tmp_path: Path) -> None:
    """The contract behind the hashes: a report or overview, once rendered, has looked up no
    file the manifest did not hash (a phrase file loaded by name from code must be one of
    ``PHRASE_FILES``, which are loaded — and their includes resolved — before hashing)."""
    (templates / "phrases" / "them.j2").write_text("Câu thêm.", encoding="utf-8")
    add_include(templates, "ket-qua.j2", "{% macro ket_qua(i, u) -%}", "them.j2")
    batch = spec(data, templates)
    result = run_batch(batch, tmp_path / "out", jobs=1)  # one job: rendered in this process
    assert len(result.generated) == 8 and len(result.overview) == 2
    state = worker_state(batch.stamped())  # the batch's state, cached
    read = state["kit"].project.search.files_read()
    hashed = set(toolkit_files(state)) | set(overview_files(state))
    assert FileRead("phrases/them.j2", templates / "phrases" / "them.j2") in hashed
    assert read - hashed == set()


def test_switching_the_chart_backend_regenerates_the_reports_not_the_overview(
        data: Path, templates: Path, tmp_path: Path) -> None:
    """Native charts and PNG pictures are different documents: the backend is in the hash
    (the overview's heatmap is a picture with either, so it is not made again)."""
    from dataclasses import replace

    from docx.enum.shape import WD_INLINE_SHAPE

    out = tmp_path / "out"
    native = run_batch(spec(data, templates), out, jobs=1)
    assert sorted(native.generated) == EVERY_UNIT
    key = "2024/khoi-so/so-mot.docx"
    assert {s.type for s in docx.Document(str(out / key)).inline_shapes} == {WD_INLINE_SHAPE.CHART}
    pictures = run_batch(replace(spec(data, templates), charts="png"), out, jobs=1)
    assert sorted(pictures.generated) == EVERY_UNIT and pictures.overview == []
    assert {s.type for s in docx.Document(str(out / key)).inline_shapes} == {WD_INLINE_SHAPE.PICTURE}
    again = run_batch(replace(spec(data, templates), charts="png"), out, jobs=1)
    assert again.generated == [] and sorted(again.skipped) == EVERY_UNIT
