"""The template search path: ``--templates DIR`` → ``./templates`` → packaged defaults, per
file; ``default:NAME`` always reaches the packaged file."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import docx
import pytest
from typer.testing import CliRunner

from reportgen.cli import app
from reportgen.config.search import SearchPath, packaged_dir
from reportgen.errors import ConfigError

HEADER = ["year", "index", "unit", "component", "score", "max_score", "rank", "group"]
HEADING = "2. Tồn tại, hạn chế"  # a fixed heading of the bundled Word template
UNITS = ("Hòa Lâm", "Kim Sơn", "Vạn Xuyên")


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def layout(tmp_path: Path) -> tuple[Path, Path]:
    """A user folder and a project whose ./templates holds some files."""
    user = tmp_path / "mau-cua-toi"
    project = tmp_path / "du-an"
    write(user / "solutions.yaml", "# user\n")
    write(user / "frameworks" / "pci.yaml", "# user pci\n")
    write(project / "templates" / "solutions.yaml", "# project\n")
    write(project / "templates" / "report.yaml", "# project report\n")
    write(project / "templates" / "frameworks" / "pci.yaml", "# project pci\n")
    write(project / "templates" / "frameworks" / "rieng.yaml", "# project only\n")
    return user, project


def test_order_is_user_then_project_then_packaged(layout: tuple[Path, Path]) -> None:
    user, project = layout
    search = SearchPath.build(user, cwd=project)
    assert search.dirs == (user, project / "templates", packaged_dir())
    assert search.default_dir == packaged_dir()


def test_first_match_wins_per_file(layout: tuple[Path, Path]) -> None:
    user, project = layout
    search = SearchPath.build(user, cwd=project)
    assert search.find("solutions.yaml") == user / "solutions.yaml"  # in all three
    assert search.find("report.yaml") == project / "templates" / "report.yaml"  # not in user
    assert search.find("bao-cao.docx") == packaged_dir() / "bao-cao.docx"  # only packaged
    assert search.find("phrases/ket-qua.j2") == packaged_dir() / "phrases" / "ket-qua.j2"


def test_default_prefix_reaches_the_packaged_file_even_when_shadowed(
        layout: tuple[Path, Path]) -> None:
    user, project = layout
    search = SearchPath.build(user, cwd=project)
    assert search.find("default:solutions.yaml") == packaged_dir() / "solutions.yaml"
    assert search.find("default:report.yaml") == packaged_dir() / "report.yaml"
    with pytest.raises(ConfigError, match="'default:rieng.yaml'"):
        search.find("default:rieng.yaml")  # exists in ./templates only


def test_folders_merge_file_by_file(layout: tuple[Path, Path]) -> None:
    user, project = layout
    found = {p.name: p for p in SearchPath.build(user, cwd=project).find_all("frameworks")}
    assert found["pci.yaml"] == user / "frameworks" / "pci.yaml"
    assert found["rieng.yaml"] == project / "templates" / "frameworks" / "rieng.yaml"
    assert found["par_index_876.yaml"] == packaged_dir() / "frameworks" / "par_index_876.yaml"
    assert set(found) == {p.name for p in (packaged_dir() / "frameworks").glob("*.yaml")} | {
        "rieng.yaml"}


def test_without_project_folder_or_user_folder(tmp_path: Path) -> None:
    assert SearchPath.build(cwd=tmp_path).dirs == (packaged_dir(),)
    user = tmp_path / "mau"
    user.mkdir()
    assert SearchPath.build(user, cwd=tmp_path).dirs == (user, packaged_dir())


def test_the_same_folder_is_searched_once(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    search = SearchPath.build(tmp_path / "templates", cwd=tmp_path)
    assert search.dirs == (tmp_path / "templates", packaged_dir())


def test_missing_user_folder_and_missing_file_are_clear_errors(layout: tuple[Path, Path],
                                                               tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="Thư mục mẫu '.*khong-co' không tồn tại"):
        SearchPath.build(tmp_path / "khong-co")
    with pytest.raises(ConfigError, match="là một tệp, không phải thư mục mẫu"):
        SearchPath.build(write(tmp_path / "bao-cao.docx", "x"))
    user, project = layout
    with pytest.raises(ConfigError) as info:
        SearchPath.build(user, cwd=project).find("tong-hop-khong-co.docx")
    message = str(info.value)
    assert "'tong-hop-khong-co.docx'" in message
    assert str(user) in message and str(project / "templates") in message
    assert str(packaged_dir()) in message


# --- through the command line ---------------------------------------------------------------

def small_rows() -> list[list]:
    rows: list[list] = [HEADER]
    maxima = {"1": 9.0, "2": 11.0, "3": 13.5, "4": 9.5, "5": 13.0, "6": 10.0, "7": 13.0,
              "8.1": 14.5, "8.2": 6.5}
    for year in (2023, 2024):
        for n, unit in enumerate(UNITS):
            scores = {c: round(m * (0.95 - 0.05 * n), 2) for c, m in maxima.items()}
            scores["8"] = round(scores["8.1"] + scores["8.2"], 2)
            scores["TOTAL"] = round(sum(scores[c] for c in "12345678"), 2)
            rows += [[year, "PAR_INDEX", unit, c, s, maxima.get(c, ""), "", "Tỉnh, thành phố"]
                     for c, s in scores.items()]
    return rows


def edit_heading(template: Path, text: str) -> None:
    document = docx.Document(str(template))
    paragraph = next(p for p in document.paragraphs if p.text == HEADING)
    paragraph.runs[0].text = text
    for run in paragraph.runs[1:]:
        run.text = ""
    document.save(str(template))


def user_solutions(folder: Path, text: str) -> None:
    """A user folder with only solutions.yaml: the default one, the general tasks replaced."""
    source = (packaged_dir() / "solutions.yaml").read_text(encoding="utf-8")
    head, rest = source.split("\ngeneral:\n", 1)
    tail = rest[rest.index("\ncauses:"):]
    write(folder / "solutions.yaml", f"{head}\ngeneral:\n  - {text}\n{tail}")


def generate(data: Path, out: Path, *extra: object) -> str:
    result = CliRunner().invoke(app, ["generate", "--data", str(data), "--unit", UNITS[-1],
                                      "--out", str(out), *map(str, extra)])
    assert result.exit_code == 0, result.output
    return "\n".join(p.text for p in docx.Document(result.output.strip().splitlines()[-1])
                     .paragraphs)


def test_generate_takes_each_file_from_the_first_folder_that_has_it(
        make_csv: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = make_csv("nho.csv", small_rows())
    project = tmp_path / "du-an"
    (project / "templates").mkdir(parents=True)
    shutil.copyfile(packaged_dir() / "bao-cao.docx", project / "templates" / "bao-cao.docx")
    edit_heading(project / "templates" / "bao-cao.docx", "2. Hạn chế (mẫu của dự án)")
    user = tmp_path / "mau-cua-toi"
    user_solutions(user, "Nhiệm vụ chung do người dùng viết lại.")
    monkeypatch.chdir(project)

    # only solutions.yaml in the user folder: the Word template comes from ./templates
    text = generate(data, tmp_path / "out1", "--templates", user)
    assert "2. Hạn chế (mẫu của dự án)" in text
    assert "- Nhiệm vụ chung do người dùng viết lại." in text

    # a Word template in the user folder beats ./templates
    shutil.copyfile(packaged_dir() / "bao-cao.docx", user / "bao-cao.docx")
    edit_heading(user / "bao-cao.docx", "2. Hạn chế (mẫu của người dùng)")
    text = generate(data, tmp_path / "out2", "--templates", user)
    assert "2. Hạn chế (mẫu của người dùng)" in text
    assert "mẫu của dự án" not in text

    # no user folder: ./templates, and the packaged solutions
    text = generate(data, tmp_path / "out3")
    assert "2. Hạn chế (mẫu của dự án)" in text
    assert "viết lại" not in text


def test_user_folder_with_one_file_gets_every_other_default(make_csv: Callable[..., Path],
                                                             tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    data = make_csv("nho.csv", small_rows())
    monkeypatch.chdir(tmp_path)  # no ./templates here
    user = tmp_path / "mau-cua-toi"
    user_solutions(user, "Nhiệm vụ chung riêng.")
    text = generate(data, tmp_path / "out", "--templates", user)
    assert HEADING in text.split("\n")  # the packaged Word template
    assert "- Nhiệm vụ chung riêng." in text


def test_generate_with_a_missing_templates_folder_fails_clearly(tmp_path: Path) -> None:
    missing = tmp_path / "khong-co"
    result = CliRunner().invoke(app, ["generate", "--templates", str(missing),
                                      "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert f"Thư mục mẫu '{missing}' không tồn tại" in result.output
    assert not (tmp_path / "out").exists()


# --- what a run read: recorded by the search path, hashed by the batch manifest ---------------

def test_every_lookup_is_recorded_by_name_on_the_path(layout: tuple[Path, Path]) -> None:
    from reportgen.config.search import FileRead

    user, project = layout
    search = SearchPath.build(user, cwd=project)
    search.find("solutions.yaml")
    search.find("default:solutions.yaml")
    assert search.locate("phrases/khong-co.j2") is None
    with search.reading() as reads:
        frameworks = search.find_all("frameworks")
    with pytest.raises(ConfigError):
        search.find("khong-co.yaml")
    read = search.files_read()
    assert FileRead("solutions.yaml", user / "solutions.yaml") in read
    assert FileRead("solutions.yaml", packaged_dir() / "solutions.yaml") in read
    assert FileRead("phrases/khong-co.j2", None) in read  # a miss: adding it later counts
    assert FileRead("khong-co.yaml", None) in read
    assert set(reads) == {FileRead(f"frameworks/{p.name}", p) for p in frameworks}
    assert FileRead("frameworks/rieng.yaml", project / "templates" / "frameworks" / "rieng.yaml") in reads
    assert all(r.name.startswith("frameworks/") for r in reads)  # the block's lookups only


def test_phrase_files_are_recorded_with_everything_they_may_include(tmp_path: Path) -> None:
    from reportgen.narrate.phrases import Phrases, resolve_references, template_strings

    user = tmp_path / "mau"
    source = (packaged_dir() / "phrases" / "ket-qua.j2").read_text(encoding="utf-8")
    macro = "{% macro ket_qua(i, u) -%}"
    write(user / "phrases" / "ket-qua.j2", source.replace(macro, macro + (
        '{% if false %}{% include "them.j2" %}{% endif %}'
        '{% include "co-the.j2" ignore missing %}')))
    write(user / "phrases" / "them.j2", '{% import "sau/xa.j2" as xa %}{{ xa.m() }}')
    write(user / "phrases" / "sau" / "xa.j2", "{% macro m() %}xa{% endmacro %}")
    write(user / "phrases" / "khong-dung.j2", "không tệp nào gọi")
    search = SearchPath.build(user, cwd=tmp_path)
    phrases = Phrases.load(search)
    names = {r.name: r.path for r in search.files_read()}
    # never rendered, yet looked up: the syntax trees are walked, recursively
    assert names["phrases/them.j2"] == user / "phrases" / "them.j2"
    assert names["phrases/sau/xa.j2"] == user / "phrases" / "sau" / "xa.j2"
    assert names["phrases/co-the.j2"] is None
    assert names["phrases/_chung.j2"] == packaged_dir() / "phrases" / "_chung.j2"
    assert "phrases/khong-dung.j2" not in names

    # report.yaml's texts are phrase templates too; a computed name may be any phrase file
    settings = {"defaults": {"intro": ['{% include "khong-dung.j2" %}', "{% include x %"]}}
    assert "khong-dung.j2" in resolve_references(phrases.env, sources=template_strings(settings))
    assert "phrases/khong-dung.j2" in {r.name for r in search.files_read()}
    assert "sau/xa.j2" in resolve_references(phrases.env, sources=["{% include ten %}"])


def test_an_included_file_with_a_syntax_error_is_reported_when_loading(tmp_path: Path) -> None:
    from reportgen.errors import TemplateError
    from reportgen.narrate.phrases import Phrases

    user = tmp_path / "mau"
    source = (packaged_dir() / "phrases" / "ket-qua.j2").read_text(encoding="utf-8")
    macro = "{% macro ket_qua(i, u) -%}"
    write(user / "phrases" / "ket-qua.j2", source.replace(
        macro, macro + '{% if false %}{% include "hong.j2" %}{% endif %}'))
    write(user / "phrases" / "hong.j2", "{% if %}")
    with pytest.raises(TemplateError) as info:
        Phrases.load(SearchPath.build(user, cwd=tmp_path))
    assert "hong.j2" in str(info.value)


def test_the_fingerprint_counts_names_and_contents_not_folders(tmp_path: Path) -> None:
    from reportgen.output.manifest import fingerprint

    a = write(tmp_path / "a" / "phrases" / "x.j2", "một")
    b = write(tmp_path / "b" / "phrases" / "x.j2", "một")
    assert fingerprint([("phrases/x.j2", a)]) == fingerprint([("phrases/x.j2", b)])
    assert fingerprint([("phrases/x.j2", a)]) != fingerprint([("phrases/y.j2", a)])
    assert fingerprint([("phrases/x.j2", a)]) != fingerprint([("phrases/x.j2", None)])
    assert fingerprint([("phrases/x.j2", a)]) != fingerprint([("phrases/x.j2", a)], extra="dpi=1")
    write(b, "hai")
    assert fingerprint([("phrases/x.j2", a)]) != fingerprint([("phrases/x.j2", b)])
