"""narrate/phrases: the editable phrase files — loading (errors located by file and line),
calling macros (missing macro, render errors), paragraph cleaning and running numbers.

User phrase files are written into a ``--templates`` folder (``<tmp>/mau/phrases/``); the
other phrase files come from the packaged defaults, as for a user who edits one file.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reportgen.config.search import SearchPath
from reportgen.errors import ConfigError, TemplateError
from reportgen.narrate.phrases import PHRASE_FILES, Numbering, Phrases, split_paragraphs


def user_phrases(tmp_path: Path, files: dict[str, str]) -> SearchPath:
    """A templates folder holding only these phrase files; the search path over it."""
    folder = tmp_path / "mau" / "phrases"
    folder.mkdir(parents=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return SearchPath.build(tmp_path / "mau", cwd=tmp_path)


@pytest.fixture(scope="module")
def defaults(tmp_path_factory: pytest.TempPathFactory) -> Phrases:
    return Phrases.load(SearchPath.build(cwd=tmp_path_factory.mktemp("cwd")))


# --- split_paragraphs ------------------------------------------------------------------------

def test_blank_lines_separate_paragraphs_and_whitespace_is_collapsed():
    text = "  Năm 2024,   tỉnh\n  đạt 80,98%.\n\n\n   Tăng 02 bậc.  \n \t\n"
    assert split_paragraphs(text) == ["Năm 2024, tỉnh đạt 80,98%.", "Tăng 02 bậc."]


def test_space_before_punctuation_is_removed():
    text = "đạt 80,98 % ( xếp thứ 05/63 ) , tăng ; giảm : xong ."
    assert split_paragraphs(text) == ["đạt 80,98 % ( xếp thứ 05/63), tăng; giảm: xong."]


@pytest.mark.parametrize("text", ["", "   ", "\n\n \n\t\n"])
def test_nothing_but_whitespace_gives_no_paragraph(text: str):
    assert split_paragraphs(text) == []


# --- Phrases.load ----------------------------------------------------------------------------

def test_the_packaged_phrase_files_all_load(defaults: Phrases):
    assert set(defaults.modules) == set(PHRASE_FILES)


def test_a_user_file_shadows_the_default_of_the_same_name(tmp_path: Path):
    text = "{% macro chao(u) %}Xin chào {{ u }}{% endmacro %}"
    phrases = Phrases.load(user_phrases(tmp_path, {"ket-qua.j2": text}))
    assert phrases.text("ket-qua.j2", "chao", u="Hòa Lâm") == "Xin chào Hòa Lâm"
    assert hasattr(phrases.modules["phan-tich.j2"], "__name__")  # the others: packaged defaults


def test_a_syntax_error_is_located_by_file_and_line(tmp_path: Path):
    text = "{% macro a() %}một{% endmacro %}\n\n{% macro b() %}\n{% if x %}hai\n{% endmacro %}\n"
    search = user_phrases(tmp_path, {"danh-gia.j2": text})
    with pytest.raises(TemplateError) as err:
        Phrases.load(search)
    (issue,) = err.value.issues
    assert issue.code == "phrase_syntax"
    assert Path(issue.location.file) == tmp_path / "mau" / "phrases" / "danh-gia.j2"
    assert issue.location.line == 5  # the {% endmacro %} met while the {% if %} is open
    assert issue.message.startswith("lỗi cú pháp Jinja:")
    assert "danh-gia.j2, dòng 5: lỗi cú pháp Jinja" in str(err.value)
    assert str(err.value).startswith("Mẫu báo cáo có lỗi: 1 lỗi")


def test_errors_in_several_files_are_all_reported(tmp_path: Path):
    search = user_phrases(tmp_path, {"ket-qua.j2": "{{ a", "giai-phap.j2": "ok\n{% endif %}"})
    with pytest.raises(TemplateError) as err:
        Phrases.load(search)
    found = {(Path(i.location.file).name, i.location.line) for i in err.value.issues}
    assert found == {("ket-qua.j2", 1), ("giai-phap.j2", 2)}


def test_a_missing_imported_file_is_reported_with_the_phrase_file(tmp_path: Path):
    search = user_phrases(tmp_path, {"bieu-do.j2": "{% import 'khong-co.j2' as k %}"})
    with pytest.raises(TemplateError) as err:
        Phrases.load(search)
    (issue,) = err.value.issues
    assert issue.code == "phrase_error" and issue.location.file == "bieu-do.j2"
    assert "không đọc được mẫu câu" in issue.message and "khong-co.j2" in issue.message


# --- calling macros --------------------------------------------------------------------------

def test_paragraphs_of_a_macro_use_the_vietnamese_number_filters(tmp_path: Path):
    text = ("{% macro ket_qua(v, r) %}\nĐạt {{ v|num }} điểm ,\n xếp thứ {{ r|rank(63) }} .\n\n"
            "Tăng {{ 0.82|signed }} điểm.\n{% endmacro %}")
    phrases = Phrases.load(user_phrases(tmp_path, {"ket-qua.j2": text}))
    assert phrases.paragraphs("ket-qua.j2", "ket_qua", v=80.98, r=5) == [
        "Đạt 80,98 điểm, xếp thứ 05/63.", "Tăng +0,82 điểm."]
    assert phrases.text("ket-qua.j2", "ket_qua", v=80.98, r=5) == ("Đạt 80,98 điểm, xếp thứ 05/63. "
                                                                  "Tăng +0,82 điểm.")


def test_a_missing_macro_is_a_config_error_naming_it(defaults: Phrases):
    with pytest.raises(ConfigError, match="mẫu câu thiếu macro 'khong_co'") as err:
        defaults.paragraphs("ket-qua.j2", "khong_co")
    assert err.value.location.file == "ket-qua.j2"


def test_optional_gives_nothing_for_a_missing_macro(tmp_path: Path):
    text = "{% macro co(n) %}Phần {{ n }}{% endmacro %}"
    phrases = Phrases.load(user_phrases(tmp_path, {"tong-hop.j2": text}))
    assert phrases.optional("tong-hop.j2", "phan_bieu_do", part=1, parts=2) == ""  # written before it existed
    assert phrases.optional("tong-hop.j2", "co", n=2) == "Phần 2"
    assert phrases.optional("khong-co.j2", "co", n=2) == ""


def test_an_undefined_variable_in_a_macro_is_a_located_template_error(tmp_path: Path):
    text = "{% macro danh_gia(i) %}Chỉ số {{ i.ten_sai }} năm {{ i.year }}{% endmacro %}"
    phrases = Phrases.load(user_phrases(tmp_path, {"danh-gia.j2": text}))
    with pytest.raises(TemplateError) as err:
        phrases.paragraphs("danh-gia.j2", "danh_gia", i={"year": 2024})
    (issue,) = err.value.issues
    assert issue.code == "phrase_render" and issue.location.file == "danh-gia.j2"
    assert "macro 'danh_gia'" in issue.message and "ten_sai" in issue.message


def test_a_macro_called_with_an_unknown_argument_is_a_located_template_error(tmp_path: Path):
    phrases = Phrases.load(user_phrases(tmp_path, {"giai-phap.j2": "{% macro gp(i) %}{{ i }}{% endmacro %}"}))
    with pytest.raises(TemplateError) as err:
        phrases.text("giai-phap.j2", "gp", i=1, u=2)
    (issue,) = err.value.issues
    assert issue.code == "phrase_render" and issue.location.file == "giai-phap.j2"
    assert "macro 'gp'" in issue.message


def test_the_sandbox_refuses_unsafe_attribute_access(tmp_path: Path):
    text = "{% macro x(v) %}{{ v.__class__.__mro__ }}{% endmacro %}"
    phrases = Phrases.load(user_phrases(tmp_path, {"trach-nhiem.j2": text}))
    with pytest.raises(TemplateError) as err:
        phrases.text("trach-nhiem.j2", "x", v=1)
    assert err.value.issues[0].code == "phrase_render"


# --- Numbering -------------------------------------------------------------------------------

def test_numbering_counts_each_kind_on_its_own():
    counter = Numbering()
    assert [counter.next("table"), counter.next("table"), counter.next("chart"),
            counter.next("table"), counter.next("chart")] == [1, 2, 1, 3, 2]
    assert Numbering().next("table") == 1  # a new report starts again at 1
