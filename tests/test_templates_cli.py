"""`reportgen templates init/check` and `generate --templates`, used as a new user would.

A user copies the defaults, edits the Word template (where Word splits typed text into several
runs) and the YAML files, breaks things, and must get every problem at once, located (file,
paragraph or line, the text they typed, a suggestion) with exit 1 — and nothing they type in a
template may reach Python internals, corrupt the document or write outside the output folder.
"""

from __future__ import annotations

import copy
import hashlib
import re
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path

import docx
import pytest
import yaml
from docx.text.run import Run
from typer.testing import CliRunner

from reportgen.check.templates import GUIDE, default_files
from reportgen.cli import app
from reportgen.config.search import packaged_dir
from reportgen.output.write import convert_pdf, output_path

HEADER = ["year", "index", "unit", "component", "score", "max_score", "rank", "group"]
FIELD_MAX = {"1": 9.0, "2": 11.0, "3": 13.5, "4": 9.5, "5": 13.0, "6": 10.0, "7": 13.0,
             "8.1": 14.5, "8.2": 6.5}
GROUP = "Cụm thi đua"  # whole in the data (the framework knows 63 "Tỉnh, thành phố")
ANGLE_UNIT = "Ban <Quản lý> & Dự án"
AMPERSAND_UNIT = "Sở Văn hóa, Thể thao & Du lịch"
LAST = "Vạn Xuyên"  # lowest scores: every field is a weakness, solutions are listed
UNITS = (ANGLE_UNIT, AMPERSAND_UNIT, "Kim Sơn", LAST)
HEADING = "2. Tồn tại, hạn chế"  # a fixed heading of the bundled Word template (no tags)
SOLUTIONS_PAR = ("solutions:", "  PAR_INDEX:")  # where PAR INDEX solutions start


def run(*args: object):
    return CliRunner().invoke(app, [str(a) for a in args])


def par_rows(units: Sequence[str] = UNITS, groups: dict[str, str] | None = None) -> list[list]:
    """PAR INDEX long rows, 2023 and 2024: unit n scores (0.95 - 0.05 n) of every maximum."""
    rows: list[list] = [HEADER]
    for year, bump in ((2023, 0.0), (2024, 0.01)):
        for n, unit in enumerate(units):
            share = 0.95 - 0.05 * n + (bump if n % 2 else -bump)
            scores = {code: round(mx * share, 2) for code, mx in FIELD_MAX.items()}
            scores["8"] = round(scores["8.1"] + scores["8.2"], 2)
            scores["TOTAL"] = round(sum(scores[c] for c in "12345678"), 2)
            group = (groups or {}).get(unit, GROUP)
            rows += [[year, "PAR_INDEX", unit, code, score, FIELD_MAX.get(code, ""), "", group]
                     for code, score in scores.items()]
    return rows


@pytest.fixture
def small_data(make_csv: Callable[..., Path]) -> Path:
    return make_csv("nho.csv", par_rows())


@pytest.fixture(scope="module")
def initialised(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("init") / "mau"
    result = run("templates", "init", target)
    assert result.exit_code == 0, result.output
    assert str(target) in result.output
    return target


@pytest.fixture
def mine(initialised: Path, tmp_path: Path) -> Path:
    """A fresh copy of the initialised folder, for one test to edit."""
    return Path(shutil.copytree(initialised, tmp_path / "mau-cua-toi"))


def digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and "__pycache__" not in p.parts}


# --- editing like a user ---------------------------------------------------------------------

def type_into_paragraph(path: Path, old_text: str, pieces: Sequence[str]) -> None:
    """Replace the text of the paragraph reading ``old_text`` by ``pieces``, one run each
    (keeping the first run's formatting): what Word does when a tag is typed with pauses."""
    document = docx.Document(str(path))
    paragraph = next((p for p in document.paragraphs if p.text == old_text), None)
    assert paragraph is not None, f"no paragraph «{old_text}» in {path}"
    first = paragraph.runs[0]
    for run_ in paragraph.runs[1:]:
        run_._r.getparent().remove(run_._r)
    first.text = pieces[0]
    anchor = first._r
    for piece in pieces[1:]:
        element = copy.deepcopy(first._r)
        anchor.addnext(element)
        Run(element, paragraph).text = piece
        anchor = element
    document.save(str(path))


def replace_line(path: Path, pattern: str, new: str, after: Sequence[str] = ()) -> int:
    """Replace the first line matching ``pattern`` that follows lines matching each of
    ``after`` in turn; returns its 1-based number."""
    lines = path.read_text(encoding="utf-8").split("\n")
    start = 0
    for anchor in after:
        start = next(n for n in range(start, len(lines)) if re.fullmatch(anchor, lines[n])) + 1
    number = next(n for n in range(start, len(lines)) if re.fullmatch(pattern, lines[n]))
    lines[number] = new
    path.write_text("\n".join(lines), encoding="utf-8")
    return number + 1


def insert_line(path: Path, number: int, text: str) -> None:
    lines = path.read_text(encoding="utf-8").split("\n")
    lines.insert(number - 1, text)
    path.write_text("\n".join(lines), encoding="utf-8")


def body_text(path: Path) -> str:
    document = docx.Document(str(path))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def check(folder: Path | None, *extra: object):
    args = ["templates", "check"] + ([folder] if folder is not None else []) + list(extra)
    return run(*args)


def error_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("  - Lỗi")]


# --- init ------------------------------------------------------------------------------------

def test_init_copies_every_default_and_writes_the_guide(initialised: Path) -> None:
    defaults = packaged_dir()
    for rel in default_files():
        copied = initialised / rel
        assert copied.is_file(), rel
        if rel.name != GUIDE:
            assert copied.read_bytes() == (defaults / rel).read_bytes(), rel
    assert (initialised / "bao-cao.docx").is_file()
    assert (initialised / "phrases" / "ket-qua.j2").is_file()
    assert (initialised / "frameworks" / "par_index_876.yaml").is_file()

    guide = (initialised / GUIDE).read_text(encoding="utf-8")
    assert guide.startswith((defaults / GUIDE).read_text(encoding="utf-8"))
    # the generated reference: every contract variable with its meaning and an example
    assert "| Biến | Ý nghĩa | Ví dụ |" in guide
    agency = next(line for line in guide.splitlines() if line.startswith("| `report.agency` |"))
    assert "Tên cơ quan ban hành" in agency and "SỞ NỘI VỤ" in agency
    assert "| `results[].heading` |" in guide
    assert "| `results[].charts[].image` |" in guide
    assert "| `tasks.solutions[].text` |" in guide
    assert "| `a.indices[0].score` |" in guide  # the phrase files' variables


def test_second_init_refuses_and_names_the_clashes(mine: Path) -> None:
    solutions = mine / "solutions.yaml"
    solutions.write_text("# đã sửa\n" + solutions.read_text(encoding="utf-8"), encoding="utf-8")
    result = run("templates", "init", mine)
    assert result.exit_code == 1
    assert f"Thư mục '{mine}' đã có {len(default_files())} tệp trùng tên" in result.output
    assert "analysis.yaml" in result.output and "bao-cao.docx" in result.output
    assert "--force" in result.output
    assert solutions.read_text(encoding="utf-8").startswith("# đã sửa")

    forced = run("templates", "init", mine, "--force")
    assert forced.exit_code == 0, forced.output
    assert solutions.read_bytes() == (packaged_dir() / "solutions.yaml").read_bytes()


def test_init_refuses_a_file_as_target(tmp_path: Path) -> None:
    target = tmp_path / "mau.docx"
    target.write_bytes(b"x")
    result = run("templates", "init", target)
    assert result.exit_code == 1
    assert "không phải thư mục" in result.output


def test_init_needs_no_templates_folder_in_the_project(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    # a broken ./templates of the current project does not leak into the copied defaults
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "analysis.yaml").write_text("defaults: [", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = run("templates", "init", "moi")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "moi" / "analysis.yaml").read_bytes() == \
        (packaged_dir() / "analysis.yaml").read_bytes()


# --- edit one sentence and one solution, generate ---------------------------------------------

def test_edited_sentence_and_solution_reach_the_report(mine: Path, small_data: Path,
                                                       tmp_path: Path) -> None:
    before = digest(packaged_dir())
    sentence = "2. Những tồn tại, hạn chế cần khắc phục ngay"
    type_into_paragraph(mine / "bao-cao.docx", HEADING, [sentence])

    solutions = mine / "solutions.yaml"
    library = yaml.safe_load(solutions.read_text(encoding="utf-8"))
    old = library["solutions"]["PAR_INDEX"]["8"]["text"]
    first_line = next(line for line in solutions.read_text(encoding="utf-8").splitlines()
                      if line.strip() and old.startswith(line.strip()))
    new_solution = "Khảo sát mức độ hài lòng tại bộ phận một cửa mỗi tháng, công khai kết quả"
    replace_line(solutions, re.escape(first_line), f"        {new_solution};")

    out = tmp_path / "out"
    result = run("generate", "--templates", mine, "--data", small_data, "--unit", LAST,
                 "--out", out)
    assert result.exit_code == 0, result.output
    produced = Path(result.output.strip().splitlines()[-1])
    assert produced == output_path(out, 2024, GROUP, LAST)
    text = body_text(produced)
    assert sentence in text
    assert HEADING not in text.split("\n")
    assert new_solution in text
    assert old[:60] not in text
    assert digest(packaged_dir()) == before, "the packaged defaults were modified"


# --- templates check: the defaults pass ------------------------------------------------------

def test_check_passes_on_the_defaults_with_small_data(small_data: Path) -> None:
    result = check(None, "--data", small_data)
    assert result.exit_code == 0, result.output
    assert f"Bộ mẫu hợp lệ: đã tạo thử {len(UNITS)}/{len(UNITS)} báo cáo" in result.output


def test_check_dry_runs_every_unit_of_the_bundled_sample(initialised: Path) -> None:
    from reportgen.app import load_dataset, open_project

    frame = load_dataset(open_project(initialised)).frame
    units = frame.loc[frame["year"] == frame["year"].max(), "unit"].nunique()
    result = check(initialised)
    assert result.exit_code == 0, result.output
    assert f"đã tạo thử {units}/{units} báo cáo trong bộ nhớ" in result.output


# --- templates check: located errors ---------------------------------------------------------

def test_jinja_syntax_error_split_over_runs_quotes_the_paragraph(mine: Path,
                                                                 small_data: Path) -> None:
    type_into_paragraph(mine / "bao-cao.docx", HEADING,
                        ["2. Tồn tại {% for", " x in", " %} cần khắc phục"])
    result = check(mine, "--data", small_data)
    assert result.exit_code == 1
    [line] = error_lines(result.output)
    assert f"{mine / 'bao-cao.docx'}, đoạn " in line
    assert "«2. Tồn tại {% for x in %} cần khắc phục»" in line
    assert "lỗi cú pháp Jinja" in line
    assert "Bộ mẫu có 1 lỗi" in result.output


def test_undefined_attribute_is_located_with_the_nearest_key(mine: Path, small_data: Path) -> None:
    type_into_paragraph(mine / "bao-cao.docx", HEADING, ["2. Tồn tại của {{ report.ag", "enc }}"])
    result = check(mine, "--data", small_data)
    assert result.exit_code == 1
    [line] = error_lines(result.output)
    assert f"{mine / 'bao-cao.docx'}, đoạn " in line
    assert "«2. Tồn tại của {{ report.agenc }}»" in line
    assert "biến 'report.agenc' không có trong dữ liệu của báo cáo" in line
    assert "Có phải: 'report.agency'" in line


def test_misspelt_top_level_name_is_reported_once(mine: Path, small_data: Path) -> None:
    type_into_paragraph(mine / "bao-cao.docx", HEADING, ["2. Tồn tại của {{ reprot.agency }}"])
    result = check(mine, "--data", small_data)
    assert result.exit_code == 1
    [line] = error_lines(result.output)
    assert "«2. Tồn tại của {{ reprot.agency }}»" in line
    assert "biến 'reprot'" in line and "Có phải: 'report'" in line
    assert "Bộ mẫu có 1 lỗi" in result.output


def test_loop_variables_are_followed_through_the_contract(mine: Path, small_data: Path) -> None:
    # r is an element of results: r.headng is a typo of r.heading; results.heading forgets
    # the loop
    type_into_paragraph(mine / "bao-cao.docx", "{{ r.heading }}", ["{{ r.headng }}"])
    type_into_paragraph(mine / "bao-cao.docx", HEADING, ["{{ results.heading }}"])
    result = check(mine, "--data", small_data)
    assert result.exit_code == 1
    lines = error_lines(result.output)
    assert len(lines) == 2, result.output
    assert any("«{{ r.headng }}»" in x and "Có phải: 'r.heading'" in x for x in lines)
    assert any("«{{ results.heading }}»" in x and "'results' là một danh sách" in x for x in lines)


def test_yaml_syntax_error_names_file_and_line(mine: Path) -> None:
    line = replace_line(mine / "analysis.yaml", r"  tolerance: 0\.05", "  tolerance: 0.05: 1")
    result = check(mine)
    assert result.exit_code == 1
    [error] = error_lines(result.output)
    assert f"{mine / 'analysis.yaml'}, dòng {line}: Lỗi cú pháp YAML" in error


def test_unknown_code_in_solutions_names_file_line_code_and_nearest(mine: Path,
                                                                    small_data: Path) -> None:
    line = replace_line(mine / "solutions.yaml", r'    "8":', '    "88":', after=SOLUTIONS_PAR)
    result = check(mine, "--data", small_data)
    assert result.exit_code == 1
    [error] = error_lines(result.output)
    assert f"{mine / 'solutions.yaml'}, dòng {line}, solutions.PAR_INDEX.88" in error
    assert "mã thành phần '88' không có trong khung PAR_INDEX" in error
    assert "Có phải: '8'" in error


def test_unknown_code_in_responsible_names_file_line_code_and_nearest(mine: Path,
                                                                      small_data: Path) -> None:
    responsible = mine / "responsible.yaml"
    replace_line(responsible, r"renamed:", 'PAR_INDEX:\n  "7": Sở Khoa học và Công nghệ\n'
                 '  "8.3": Sở Tài chính\nrenamed:')
    line = responsible.read_text(encoding="utf-8").split("\n").index('  "8.3": Sở Tài chính') + 1
    result = check(mine, "--data", small_data)
    assert result.exit_code == 1
    [error] = error_lines(result.output)
    assert f"{responsible}, dòng {line}" in error
    assert "mã thành phần '8.3' không có trong khung PAR_INDEX" in error
    assert "Có phải: '8.2'" in error  # the nearest codes first


def test_phrase_syntax_error_names_file_and_line(mine: Path, small_data: Path) -> None:
    phrase = mine / "phrases" / "ket-qua.j2"
    insert_line(phrase, 8, "Đơn vị {{ u.short | }} đạt")
    result = check(mine, "--data", small_data)
    assert result.exit_code == 1
    [error] = error_lines(result.output)
    assert f"{phrase}, dòng 8, «Đơn vị {{{{ u.short | }}}} đạt»: lỗi cú pháp Jinja" in error


def test_every_broken_file_is_reported_in_one_run(mine: Path, small_data: Path) -> None:
    yaml_line = replace_line(mine / "analysis.yaml", r"  tolerance: 0\.05", "  tolerance: 0.05: 1")
    code_line = replace_line(mine / "solutions.yaml", r'    "8":', '    "88":', after=SOLUTIONS_PAR)
    insert_line(mine / "phrases" / "danh-gia.j2", 5, "{% if %}")
    type_into_paragraph(mine / "bao-cao.docx", HEADING, ["2. Tồn tại của {{ report.agenc }}"])

    result = check(mine, "--data", small_data)
    assert result.exit_code == 1
    errors = error_lines(result.output)
    assert len(errors) == 4, result.output
    joined = "\n".join(errors)
    assert f"{mine / 'analysis.yaml'}, dòng {yaml_line}: Lỗi cú pháp YAML" in joined
    assert f"{mine / 'solutions.yaml'}, dòng {code_line}" in joined and "'88'" in joined
    assert f"{mine / 'phrases' / 'danh-gia.j2'}, dòng 5, «{{% if %}}»" in joined
    assert "«2. Tồn tại của {{ report.agenc }}»" in joined and "'report.agency'" in joined
    assert "Bộ mẫu có 4 lỗi" in result.output


def test_phrase_runtime_error_is_found_by_the_dry_run_with_word_errors(mine: Path,
                                                                       small_data: Path) -> None:
    # the Word template is known to be broken: the dry run still builds every report's
    # sentences, so a macro that fails only when called is reported in the same run
    insert_line(mine / "phrases" / "ket-qua.j2", 8, "{{ u.shortt }}")
    type_into_paragraph(mine / "bao-cao.docx", HEADING, ["2. Tồn tại của {{ report.agenc }}"])
    result = check(mine, "--data", small_data)
    assert result.exit_code == 1
    errors = error_lines(result.output)
    assert len(errors) == 2, result.output
    assert any("ket-qua.j2" in e and "'shortt'" in e and "(khi tạo báo cáo thử cho " in e
               for e in errors)
    assert any("'report.agenc'" in e for e in errors)
    assert (f"đã tạo thử nội dung 0/{len(UNITS)} báo cáo, chưa đặt vào mẫu Word"
            in result.output)


def test_overview_templates_are_checked_too(mine: Path, small_data: Path) -> None:
    # the group overview's Word template and phrase file are not used by a unit report, but
    # a user editing them gets their syntax errors from the same check
    overview = docx.Document()
    overview.add_paragraph("Báo cáo tổng hợp")
    paragraph = overview.add_paragraph()
    for piece in ("Nhóm {{ group", ".name }", "} {% if %}"):
        paragraph.add_run(piece)
    overview.save(str(mine / "tong-hop.docx"))
    (mine / "phrases" / "tong-hop.j2").write_text("{% macro mo_dau(g) %}\n{{ g.name ]]\n"
                                                  "{% endmacro %}\n", encoding="utf-8")
    result = check(mine, "--data", small_data)
    assert result.exit_code == 1
    errors = error_lines(result.output)
    assert len(errors) == 2, result.output
    assert any(f"{mine / 'tong-hop.docx'}, đoạn 2: «Nhóm {{{{ group.name }}}} {{% if %}}»" in e
               and "lỗi cú pháp Jinja" in e for e in errors)
    assert any(f"{mine / 'phrases' / 'tong-hop.j2'}, dòng 2, «{{{{ g.name ]]»" in e
               for e in errors)


def test_missing_template_folder_is_an_error(tmp_path: Path) -> None:
    result = check(tmp_path / "khong-co")
    assert result.exit_code == 1
    assert f"Thư mục mẫu '{tmp_path / 'khong-co'}' không tồn tại" in result.output


# --- sandbox -----------------------------------------------------------------------------------

ESCAPES = ("{{ ''.__class__.__mro__ }}", "{{ cycler.__init__.__globals__ }}",
           "{{ self._TemplateReference__context }}")
REFUSED = ("'__class__'", "'__init__'", "'_TemplateReference__context'")


@pytest.mark.parametrize(("expression", "refused"), list(zip(ESCAPES, REFUSED, strict=True)))
def test_word_template_cannot_reach_python_internals(mine: Path, small_data: Path, tmp_path: Path,
                                                      expression: str, refused: str) -> None:
    type_into_paragraph(mine / "bao-cao.docx", HEADING, ["2. Tồn tại ", expression])
    checked = check(mine, "--data", small_data)
    assert checked.exit_code == 1
    [line] = error_lines(checked.output)
    assert f"mẫu truy cập thuộc tính bị cấm {refused}" in line
    assert f"«2. Tồn tại {expression}»" in line

    out = tmp_path / "out"
    generated = run("generate", "--templates", mine, "--data", small_data, "--unit", LAST,
                    "--out", out)
    assert generated.exit_code == 1
    assert "Mẫu báo cáo có lỗi" in generated.output
    assert f"thuộc tính bị cấm {refused}" in generated.output
    assert not out.exists() or not any(out.rglob("*.docx"))


def test_phrase_file_cannot_reach_python_internals(mine: Path, small_data: Path,
                                                   tmp_path: Path) -> None:
    phrase = mine / "phrases" / "ket-qua.j2"
    insert_line(phrase, 8, " ".join(ESCAPES))
    checked = check(mine, "--data", small_data)
    assert checked.exit_code == 1
    lines = error_lines(checked.output)
    assert len(lines) == 3, checked.output
    for refused, line in zip(REFUSED, lines, strict=True):
        assert f"{phrase}, dòng 8" in line and f"thuộc tính bị cấm {refused}" in line

    out = tmp_path / "out"
    generated = run("generate", "--templates", mine, "--data", small_data, "--unit", LAST,
                    "--out", out)
    assert generated.exit_code == 1
    assert "is unsafe" in generated.output or "bị cấm" in generated.output
    assert not out.exists() or not any(out.rglob("*.docx"))


def test_phrase_include_cannot_read_other_files(mine: Path, small_data: Path, tmp_path: Path) -> None:
    secret = tmp_path / "bi-mat.txt"
    secret.write_text("MẬT KHẨU 12345", encoding="utf-8")
    relative = Path("..") / ".." / ".." / ".." / ".." / ".." / ".." / secret.relative_to("/")
    insert_line(mine / "phrases" / "ket-qua.j2", 8, f"{{% include '{relative.as_posix()}' %}}")
    out = tmp_path / "out"
    result = run("generate", "--templates", mine, "--data", small_data, "--unit", LAST,
                 "--out", out)
    assert result.exit_code == 1
    assert "MẬT KHẨU" not in result.output
    assert not out.exists() or not any(out.rglob("*.docx"))


# --- escaping and the output folder -------------------------------------------------------------

@pytest.fixture(scope="module")
def escaped_reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("escape")
    data = folder / "ten-dac-biet.csv"
    import csv

    with data.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(par_rows())
    out = folder / "out"
    produced = {}
    for unit in (ANGLE_UNIT, AMPERSAND_UNIT):
        result = run("generate", "--data", data, "--unit", unit, "--out", out)
        assert result.exit_code == 0, result.output
        produced[unit] = Path(result.output.strip().splitlines()[-1])
    return produced


@pytest.mark.parametrize("unit", [ANGLE_UNIT, AMPERSAND_UNIT])
def test_ampersand_and_angle_brackets_render_verbatim(escaped_reports: dict[str, Path],
                                                      unit: str) -> None:
    path = escaped_reports[unit]
    text = body_text(path)  # python-docx re-opens it: the XML is well formed
    assert f"của tỉnh {unit};" in text  # the subject line
    assert "&amp;" not in text and "&lt;" not in text


@pytest.mark.skipif(shutil.which("soffice") is None and shutil.which("libreoffice") is None,
                    reason="LibreOffice not installed")
def test_libreoffice_opens_the_report_with_special_characters(escaped_reports: dict[str, Path],
                                                              tmp_path: Path) -> None:
    pdf = convert_pdf(escaped_reports[ANGLE_UNIT], tmp_path / "bao-cao.pdf")
    assert pdf.read_bytes().startswith(b"%PDF")


def test_unit_and_group_names_cannot_leave_the_output_folder(make_csv: Callable[..., Path],
                                                             tmp_path: Path) -> None:
    escaper = "../../etc"
    data = make_csv("thoat.csv", par_rows((escaper, "Kim Sơn", LAST),
                                          groups={escaper: "../../../nhom"}))
    out = tmp_path / "a" / "out"
    result = run("generate", "--data", data, "--unit", escaper, "--out", out)
    assert result.exit_code == 0, result.output
    produced = Path(result.output.strip().splitlines()[-1]).resolve()
    assert produced.is_relative_to(out.resolve())
    assert produced == (out / "2024" / "nhom" / "etc.docx").resolve()
    assert sorted(p.name for p in tmp_path.rglob("*.docx")) == ["etc.docx"]
