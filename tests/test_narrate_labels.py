"""narrate/labels: the fixed wording of the documents (headings, captions, header words, chart
labels, the reasons a chart is left out) comes from ``phrases/nhan.j2``; a clerk edits it in a
templates folder and the report changes.

The expected strings are those the code printed before the wording moved to the phrase file:
the default templates must give byte-identical documents (the golden files check the whole
report; these check each label, including the chart words the golden dumps cannot see).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from jinja2.sandbox import SandboxedEnvironment
from typer.testing import CliRunner

from reportgen.charts.spec import Gap
from reportgen.check.templates import default_files
from reportgen.cli import app
from reportgen.config.search import SearchPath, packaged_dir
from reportgen.docx.dump import dump
from reportgen.errors import ConfigError, TemplateError
from reportgen.narrate.labels import LABELS, label, omission_reason, unit_chart_labels
from reportgen.narrate.phrases import PHRASE_FILES, phrase_environment

PAR = {"index": "PAR_INDEX", "name": "Chỉ số cải cách hành chính (PAR INDEX)",
       "short_name": "PAR INDEX", "year": 2024, "unit": "%", "max": 100.0,
       "component_word": "lĩnh vực", "component_unit": "điểm"}
SO = {**PAR, "index": "PAR_SO", "short_name": "PAR_SO", "unit": "điểm", "max": 100.0}
U = {"name": "Hòa Lâm", "short": "tỉnh", "label": "tỉnh Hòa Lâm", "year": 2024, "next_year": 2025}


def run(*args: object):
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def env() -> SandboxedEnvironment:
    return phrase_environment(SearchPath((packaged_dir(),)))


# --- the defaults give what the code used to print ---------------------------------------------

@pytest.mark.parametrize(("macro", "kwargs", "expected"), [
    ("muc_ket_qua", {"u": U}, "I. KẾT QUẢ CHUNG"),
    ("muc_phan_tich", {"u": U}, "II. PHÂN TÍCH KẾT QUẢ THEO LĨNH VỰC, CHỈ SỐ THÀNH PHẦN"),
    ("muc_danh_gia", {"u": U}, "III. ĐÁNH GIÁ CHUNG"),
    ("muc_trach_nhiem", {"u": U}, "IV. TRÁCH NHIỆM CỦA CÁC CƠ QUAN, ĐƠN VỊ"),
    ("muc_giai_phap", {"u": U}, "V. NHIỆM VỤ, GIẢI PHÁP NĂM 2025"),
    ("tieu_de_chi_so", {"i": PAR, "u": U, "n": 1}, "1. Chỉ số cải cách hành chính (PAR INDEX)"),
    ("bang_tong_hop", {"years": [2023, 2024], "u": U, "n": 1},
     "Bảng 1. Tổng hợp kết quả các Chỉ số năm 2023 và năm 2024 của tỉnh"),
    ("bang_tong_hop", {"years": [2024], "u": U, "n": 1},
     "Bảng 1. Tổng hợp kết quả các Chỉ số năm 2024 của tỉnh"),
    ("dong_chi_so", {"i": PAR}, "PAR INDEX (%)"),
    ("dong_chi_so", {"i": SO}, "PAR_SO (điểm, tối đa 100)"),
    ("tieu_de_linh_vuc", {"i": PAR, "u": U, "n": 2, "count": 8}, "2. PAR INDEX theo 08 lĩnh vực"),
    ("bang_linh_vuc", {"i": PAR, "u": U, "n": 2}, "Bảng 2. Kết quả PAR INDEX năm 2024 theo lĩnh vực"),
    ("don_vi_tinh", {"i": PAR, "u": U}, "Đơn vị tính: điểm"),
    ("dong_tong_cong", {"i": PAR, "additive": True}, "Tổng cộng"),
    ("dong_tong_cong", {"i": PAR, "additive": False}, "PAR INDEX"),
    ("bang_trach_nhiem", {"u": U, "n": 5},
     "Bảng 5. Cơ quan chủ trì đối với các lĩnh vực, chỉ số thành phần còn hạn chế"),
    ("phu_luc", {"n": 1}, "Phụ lục I"),
    ("phu_luc", {"n": 2}, "Phụ lục II"),
    ("phu_luc_chi_tiet", {"u": U}, "KẾT QUẢ CHI TIẾT CÁC CHỈ SỐ NĂM 2024 CỦA TỈNH HÒA LÂM"),
    ("phu_luc_xep_hang", {"u": U}, "BẢNG XẾP HẠNG CÁC CHỈ SỐ NĂM 2024"),
    ("phu_luc_bang_chi_tiet", {"i": PAR, "letter": "A"}, "A. Chỉ số cải cách hành chính (PAR INDEX)"),
    ("phu_luc_bang_xep_hang", {"i": PAR, "letter": "B"},
     "B. Chỉ số cải cách hành chính (PAR INDEX) năm 2024"),
    ("tong_hop_tieu_de_chi_so", {"i": PAR, "o": {}, "n": 1}, "1. Chỉ số cải cách hành chính (PAR INDEX)"),
    ("tong_hop_tieu_de_dan_dau", {"i": PAR, "o": {}, "n": 1}, "1. PAR INDEX"),
    ("tong_hop_phu_luc", {"o": {}}, "Phụ lục"),
    ("loai_van_ban", {}, "BÁO CÁO"),
    ("so_van_ban", {}, "Số:      /BC"),
    ("luu_tru", {}, "Lưu: VT."),
    ("ngay_ky_de_trong", {"nam": 2025}, "ngày      tháng      năm 2025"),
    ("kem_theo", {"so": "Số:      /BC-SNV", "ngay": "ngày      tháng      năm 2025",
                  "co_quan": "Sở Nội vụ"},
     "(Kèm theo Báo cáo số      /BC-SNV ngày      tháng      năm 2025 của Sở Nội vụ)"),
    ("mo_ta_bieu_do", {"kind": "heatmap", "i": PAR, "unit": ""},
     "Tỷ lệ điểm đạt các lĩnh vực PAR INDEX năm 2024 của từng đơn vị"),
])
def test_the_default_labels_are_the_former_fixed_texts(env: SandboxedEnvironment, macro: str,
                                                        kwargs: dict, expected: str) -> None:
    assert label(env, macro, **kwargs) == expected


def test_the_chart_words_of_a_unit_report(env: SandboxedEnvironment) -> None:
    assert unit_chart_labels(env, PAR, "Hòa Lâm") == {
        "score": "Điểm (%)", "rank": "Thứ hạng", "mean": "Trung bình",
        "percent": "Tỷ lệ điểm đạt so với điểm tối đa (%)", "change": "Tăng/giảm điểm",
        "change_axis": "Tăng/giảm (điểm)", "rise": "Tăng", "fall": "Giảm",
        "peers_axis": "đơn vị, xếp theo điểm từ cao đến thấp",
        "alt_score_rank": "Điểm số và thứ hạng PAR INDEX qua các năm",
        "alt_peer_bars": "Vị trí của Hòa Lâm trong bảng xếp hạng PAR INDEX",
        "alt_component_bars": "Các lĩnh vực của PAR INDEX so với trung bình",
        "alt_change_bars": "Tăng, giảm điểm từng lĩnh vực so với năm trước",
        "alt_radar": "Điểm các lĩnh vực của PAR INDEX",
    }
    assert label(env, "bd_khong_co_so_lieu", i=PAR) == "Không có số liệu"


@pytest.mark.parametrize(("gap", "words"), [
    (Gap("years", 0, 2), "chưa có số liệu điểm số qua các năm"),
    (Gap("years", 1, 2), "chỉ có số liệu của 01 năm, chưa đủ để so sánh qua các năm"),
    (Gap("peers", 2, 3), "chỉ có 02 đơn vị có điểm, chưa đủ để so sánh vị trí giữa các đơn vị"),
    (Gap("components", 0, 2), "không có số liệu của các chỉ số thành phần"),
    (Gap("components", 1, 2), "chỉ có số liệu của 01 chỉ số thành phần"),
    (Gap("previous", 0, 1),
     "không có số liệu năm trước để tính mức tăng, giảm của các chỉ số thành phần"),
    (Gap("radar_axes", 4, 5), "chỉ có 04 chỉ số thành phần, biểu đồ radar cần ít nhất 05 trục"),
    (Gap("radar_values", 3, 5), "chưa đủ số liệu của ít nhất 05 chỉ số thành phần"),
    (Gap("rows", 0, 2), "chỉ có 00 đơn vị có số liệu, chưa đủ để so sánh giữa các đơn vị"),
    (Gap("rows", 12, 20), "chỉ có 12 đơn vị có số liệu, chưa đủ để so sánh giữa các đơn vị"),
], ids=lambda x: f"{x.what}-{x.count}" if isinstance(x, Gap) else "")
def test_why_a_chart_is_left_out_is_worded_by_the_phrase_file(env: SandboxedEnvironment, gap: Gap,
                                                               words: str) -> None:
    reason = omission_reason(env, gap)
    assert reason == words
    assert reason[0].islower() and not reason.endswith(".")  # embedded in a sentence


# --- how a label is rendered ------------------------------------------------------------------

def user_env(tmp_path: Path, text: str) -> SandboxedEnvironment:
    (tmp_path / "phrases").mkdir(exist_ok=True)
    (tmp_path / "phrases" / LABELS).write_text(text, encoding="utf-8")
    return phrase_environment(SearchPath((tmp_path, packaged_dir())))


def test_a_label_is_one_line_with_the_spaces_typed(tmp_path: Path) -> None:
    env = user_env(tmp_path, "{% macro loai_van_ban() %}\n  BÁO CÁO\n  TÓM TẮT   \n{% endmacro %}\n"
                             "{% macro so_van_ban() %}Số:      /BC-{{ 'snv'|upper }}{% endmacro %}")
    assert label(env, "loai_van_ban") == "BÁO CÁO TÓM TẮT"
    assert label(env, "so_van_ban") == "Số:      /BC-SNV"


def test_a_missing_label_macro_is_a_config_error_naming_it(tmp_path: Path) -> None:
    env = user_env(tmp_path, "{% macro loai_van_ban() %}BÁO CÁO{% endmacro %}")
    with pytest.raises(ConfigError, match="muc_ket_qua") as err:
        label(env, "muc_ket_qua", u=U)
    assert err.value.location.file == LABELS


def test_an_undefined_variable_in_a_label_is_a_template_error(tmp_path: Path) -> None:
    env = user_env(tmp_path, "{% macro muc_ket_qua(u) %}I. {{ u.nam }}{% endmacro %}")
    with pytest.raises(TemplateError, match="muc_ket_qua"):
        label(env, "muc_ket_qua", u=U)


# --- a clerk edits the wording in a templates folder -----------------------------------------

def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"«{old}» not once in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_nhan_is_a_phrase_file_copied_by_init_and_checked(tmp_path: Path) -> None:
    assert LABELS in PHRASE_FILES
    assert Path("phrases") / LABELS in default_files()
    folder = tmp_path / "mau"
    assert run("templates", "init", folder).exit_code == 0
    assert (folder / "phrases" / LABELS).read_bytes() == (packaged_dir() / "phrases" / LABELS).read_bytes()
    edit(folder / "phrases" / LABELS, "{% macro luu_tru() -%}", "{% macro luu_tru() -%}{% if %}")
    result = run("templates", "check", folder)
    assert result.exit_code == 1
    assert str(folder / "phrases" / LABELS) in result.output


def test_a_heading_edited_in_a_templates_folder_reaches_the_report(tmp_path: Path) -> None:
    folder = tmp_path / "mau-cua-toi"
    result = run("templates", "init", folder)
    assert result.exit_code == 0, result.output
    labels = folder / "phrases" / LABELS
    edit(labels, "I. KẾT QUẢ CHUNG", "I. KẾT QUẢ CHUNG CÁC CHỈ SỐ NĂM {{ u.year }}")
    edit(labels, "Bảng {{ n }}. Tổng hợp kết quả các Chỉ số năm",
         "Bảng {{ n }}. Kết quả tổng hợp các Chỉ số năm")
    edit(labels, "\nBÁO CÁO\n", "\nBÁO CÁO TÓM TẮT\n")
    edit(labels, "Điểm số và thứ hạng {{ i.short_name }} qua các năm",
         "Diễn biến điểm số, thứ hạng {{ i.short_name }}")
    edit(folder / "report.yaml", "trend_min_years: 4", "trend_min_years: 2")  # the chart drawn
    assert run("templates", "check", folder).exit_code == 0

    out = tmp_path / "out"
    result = run("generate", "--templates", folder, "--out", out)
    assert result.exit_code == 0, result.output
    text = dump(Path(result.output.strip().splitlines()[-1]).read_bytes())
    assert "I. KẾT QUẢ CHUNG CÁC CHỈ SỐ NĂM 2024" in text
    assert "Bảng 1. Kết quả tổng hợp các Chỉ số năm 2023 và năm 2024 của tỉnh" in text
    assert "BÁO CÁO TÓM TẮT" in text
    assert "Diễn biến điểm số, thứ hạng PAR INDEX" in text  # the chart's alt text
    assert "Tổng hợp kết quả các Chỉ số" not in text
    assert "Điểm số và thứ hạng PAR INDEX qua các năm" not in text


def test_a_templates_folder_without_the_label_file_uses_the_default(tmp_path: Path) -> None:
    """A folder copied before nhan.j2 existed keeps working: the file is found on the path."""
    folder = tmp_path / "mau-cu"
    (folder / "phrases").mkdir(parents=True)
    (folder / "phrases" / "ket-qua.j2").write_text(
        (packaged_dir() / "phrases" / "ket-qua.j2").read_text(encoding="utf-8"), encoding="utf-8")
    env = phrase_environment(SearchPath((folder, packaged_dir())))
    assert label(env, "muc_ket_qua", u=U) == "I. KẾT QUẢ CHUNG"
