"""narrate/header: the ND30 header and closing block from ``report.yaml`` settings.

Settings are written as the YAML a clerk types (``yaml.safe_load`` of a literal), so folded
lines and quoted runs of spaces reach the code as they would from ``report.yaml``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from jinja2.sandbox import SandboxedEnvironment

from reportgen.config.search import SearchPath
from reportgen.errors import TemplateError
from reportgen.narrate.header import (
    header_block,
    render_setting,
    report_settings,
    signing_date,
    with_index_bases,
)
from reportgen.narrate.phrases import phrase_environment

VARIABLES = {"unit": "Hòa Lâm", "year": 2024, "next_year": 2025, "group": "Tỉnh, thành phố",
             "indexes": "PAR INDEX, SIPAS"}

SETTINGS_YAML = """
parent_agency: "UBND TỈNH {{ unit|upper }}"
agency: SỞ NỘI VỤ
agency_short: Sở Nội vụ
number: "Số:      /BC-SNV"
place: "{{ unit }}"
date: 2025-05-05
subject: >-
  Phân tích kết quả {{ indexes }} năm {{ year }};
  nhiệm vụ, giải pháp năm {{ next_year }}
legal_bases:
  - Căn cứ Quyết định số 876/QĐ-BNV
  - Căn cứ kết quả năm {{ year }};
  - Căn cứ Báo cáo PAPI năm {{ year }}.
closing: Sở Nội vụ báo cáo Ủy ban nhân dân tỉnh xem xét, chỉ đạo.
signer: {authority: KT. GIÁM ĐỐC, title: PHÓ GIÁM ĐỐC, name: Nguyễn Văn A}
recipients:
  - UBND tỉnh (để báo cáo)
  - Các sở, ban, ngành tỉnh
archive: "Lưu: VT, CCHC."
"""


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> SandboxedEnvironment:
    """The phrase environment the narrate stage renders settings with (packaged defaults only)."""
    return phrase_environment(SearchPath.build(cwd=tmp_path_factory.mktemp("cwd")))


def settings(extra: str = "") -> dict:
    return yaml.safe_load(SETTINGS_YAML + extra)


# --- report_settings -------------------------------------------------------------------------

def test_group_section_overrides_the_defaults_key_by_key():
    config = yaml.safe_load("""
defaults: {agency: SỞ NỘI VỤ, place: Hòa Lâm, unit_short: tỉnh}
groups:
  Khối sở: {unit_short: "{{ unit }}", place: Thành phố Hòa Lâm}
""")
    assert report_settings(config, "Khối sở") == {
        "agency": "SỞ NỘI VỤ", "place": "Thành phố Hòa Lâm", "unit_short": "{{ unit }}"}
    assert report_settings(config, "Tỉnh, thành phố") == config["defaults"]
    assert config["defaults"]["place"] == "Hòa Lâm"  # the configuration itself is not changed


@pytest.mark.parametrize("text", ["", "defaults:\ngroups:\n", "groups: {Khối sở: null}\n"])
def test_missing_or_empty_sections_give_empty_settings(text: str):
    assert report_settings(yaml.safe_load(text) or {}, "Khối sở") == {}


# --- render_setting --------------------------------------------------------------------------

def test_folded_yaml_lines_join_with_one_space_and_variables_are_filled(env):
    value = yaml.safe_load('subject: "Kết quả {{ indexes }}\\n   năm {{ year }}\\n\\n  của tỉnh"')
    assert render_setting(env, value["subject"], VARIABLES) == "Kết quả PAR INDEX, SIPAS năm 2024 của tỉnh"


def test_runs_of_spaces_the_user_typed_are_kept(env):
    assert render_setting(env, "Số:      /BC-SNV", VARIABLES) == "Số:      /BC-SNV"
    assert render_setting(env, "  {{ unit }}  \n", VARIABLES) == "Hòa Lâm"  # ends trimmed


def test_lists_and_mappings_are_rendered_inside_other_values_kept(env):
    value = {"a": ["{{ year }}", {"b": "{{ next_year }}"}], "n": 3, "d": dt.date(2025, 5, 5), "x": None}
    assert render_setting(env, value, VARIABLES) == {
        "a": ["2024", {"b": "2025"}], "n": 3, "d": dt.date(2025, 5, 5), "x": None}


def test_an_unknown_variable_is_an_error_not_a_blank(env):
    with pytest.raises(TemplateError, match="'nam' is undefined") as caught:
        render_setting(env, "năm {{ nam }}", VARIABLES)
    (issue,) = caught.value.issues  # located: the report settings, the value quoted
    assert issue.location.file == "report.yaml" and "'năm {{ nam }}'" in issue.message


# --- signing_date ----------------------------------------------------------------------------

@pytest.mark.parametrize("value", [None, ""])
def test_no_date_leaves_blanks_for_the_clerk_with_the_action_year(env, value):
    # the blanks are the macro ngay_ky_de_trong of phrases/nhan.j2
    assert signing_date(value, 2025, env=env) == "ngày      tháng      năm 2025"


def test_today_is_the_day_the_report_is_made(env):
    assert signing_date("today", 2025, today=dt.date(2025, 1, 7), env=env) == "ngày 07 tháng 01 năm 2025"
    assert signing_date("today", 2025, env=env) == signing_date(dt.date.today(), 2025, env=env)


@pytest.mark.parametrize(("value", "expected"), [
    (dt.date(2025, 5, 5), "ngày 05 tháng 5 năm 2025"),
    (dt.date(2024, 2, 29), "ngày 29 tháng 02 năm 2024"),  # months 1–2 zero-padded (ND30)
    (dt.datetime(2025, 11, 3, 9, 30), "ngày 03 tháng 11 năm 2025"),
    ("2025-05-05", "ngày 05 tháng 5 năm 2025"),
    ("2026-01-15", "ngày 15 tháng 01 năm 2026"),
])
def test_a_date_or_iso_text_is_written_the_nd30_way(env, value, expected):
    assert signing_date(value, 1999, env=env) == expected  # the action year plays no part


# --- header_block ----------------------------------------------------------------------------

def test_header_block_fills_every_part(env):
    block = header_block(settings(), env, dict(VARIABLES), 2025)
    assert block["parent_agency"] == "UBND TỈNH HÒA LÂM"
    assert block["agency"] == "SỞ NỘI VỤ" and block["agency_short"] == "Sở Nội vụ"
    assert block["number"] == "Số:      /BC-SNV"
    assert block["place_date"] == "Hòa Lâm, ngày 05 tháng 5 năm 2025"
    assert block["doc_type"] == "BÁO CÁO"
    assert block["subject"] == "Phân tích kết quả PAR INDEX, SIPAS năm 2024; nhiệm vụ, giải pháp năm 2025"
    assert block["signer"] == {"authority": "KT. GIÁM ĐỐC", "title": "PHÓ GIÁM ĐỐC", "name": "Nguyễn Văn A"}


def test_recipients_are_dashed_lines_ending_with_the_archive_line(env):
    block = header_block(settings(), env, dict(VARIABLES), 2025)
    assert block["recipients"] == ["- UBND tỉnh (để báo cáo);", "- Các sở, ban, ngành tỉnh;",
                                   "- Lưu: VT, CCHC."]


def test_without_recipients_only_the_default_archive_line_is_left(env):
    s = settings()
    del s["recipients"], s["archive"]
    assert header_block(s, env, dict(VARIABLES), 2025)["recipients"] == ["- Lưu: VT."]


def test_legal_bases_end_with_semicolons_and_the_last_with_a_full_stop(env):
    block = header_block(settings(), env, dict(VARIABLES), 2025)
    # typed without, with ";" and with "." — punctuation is the code's, not the user's
    assert block["legal_bases"] == ["Căn cứ Quyết định số 876/QĐ-BNV;", "Căn cứ kết quả năm 2024;",
                                    "Căn cứ Báo cáo PAPI năm 2024."]


def test_a_single_legal_basis_ends_with_a_full_stop(env):
    s = settings()
    s["legal_bases"] = ["Căn cứ Quyết định số 876/QĐ-BNV;"]
    assert header_block(s, env, dict(VARIABLES), 2025)["legal_bases"] == ["Căn cứ Quyết định số 876/QĐ-BNV."]
    s["legal_bases"] = None
    assert header_block(s, env, dict(VARIABLES), 2025)["legal_bases"] == []


@pytest.mark.parametrize("closing", ["xem xét, chỉ đạo", "xem xét, chỉ đạo.", "xem xét, chỉ đạo..."])
def test_closing_ends_with_the_nd30_end_mark(env, closing: str):
    s = settings()
    s["closing"] = closing
    assert header_block(s, env, dict(VARIABLES), 2025)["closing"] == "xem xét, chỉ đạo./."


def test_closing_typed_with_the_end_mark_is_not_doubled(env):
    s = settings()
    s["closing"] = "xem xét, chỉ đạo./."
    assert header_block(s, env, dict(VARIABLES), 2025)["closing"] == "xem xét, chỉ đạo./."


def test_recipient_typed_with_its_semicolon_is_not_doubled(env):
    s = settings()
    s["recipients"] = ["UBND tỉnh (để báo cáo);"]
    assert header_block(s, env, dict(VARIABLES), 2025)["recipients"][0] == "- UBND tỉnh (để báo cáo);"


def test_appendix_reference_names_the_report_number_date_and_agency(env):
    block = header_block(settings(), env, dict(VARIABLES), 2025)
    assert block["appendix_ref"] == ("(Kèm theo Báo cáo số      /BC-SNV ngày 05 tháng 5 năm 2025 "
                                     "của Sở Nội vụ)")


def test_without_a_date_place_and_appendix_leave_blanks_with_the_action_year(env):
    s = settings()
    s["date"] = None
    block = header_block(s, env, dict(VARIABLES), 2025)
    assert block["place_date"] == "Hòa Lâm, ngày      tháng      năm 2025"
    assert "ngày      tháng      năm 2025 của Sở Nội vụ)" in block["appendix_ref"]


def test_missing_keys_take_their_defaults(env):
    block = header_block({}, env, dict(VARIABLES), 2025)
    assert block["number"] == "Số:      /BC"
    assert block["signer"] == {"authority": "", "title": "", "name": ""}
    assert block["unit_label"] == block["unit_short"] == "Hòa Lâm"
    assert block["peer_label"] == "tỉnh, thành phố"  # the group's name, lower case
    assert block["explanation_deadline"] is None and block["sample_notice"] == ""
    assert block["appendix_ref"] == "(Kèm theo Báo cáo số      /BC ngày      tháng      năm 2025 của )"


def test_unit_and_peer_labels_are_rendered_from_their_settings(env):
    s = {"unit_label": "tỉnh {{ unit }}", "unit_short": "tỉnh", "peer_label": "tỉnh, thành phố",
         "explanation_deadline": "trước ngày 30 tháng 6 năm {{ next_year }}"}
    block = header_block(s, env, dict(VARIABLES), 2025)
    assert (block["unit_label"], block["unit_short"], block["peer_label"]) == (
        "tỉnh Hòa Lâm", "tỉnh", "tỉnh, thành phố")
    assert block["explanation_deadline"] == "trước ngày 30 tháng 6 năm 2025"


def test_the_bundled_report_yaml_gives_a_complete_header(env, tmp_path: Path):
    config = yaml.safe_load(SearchPath.build(cwd=tmp_path).find("report.yaml").read_text(encoding="utf-8"))
    # no legal_bases of its own: each index cites its own framework's lines
    assert report_settings(config, "Tỉnh, thành phố")["legal_bases"] is None
    bases = ["Căn cứ Quyết định số 876/QĐ-BNV", "Căn cứ kết quả PAR INDEX năm {{ year }}"]
    s = with_index_bases(report_settings(config, "Tỉnh, thành phố"), bases)
    variables = dict(VARIABLES)  # as the narrate stage does: the unit's labels usable in every text
    variables.update(render_setting(env, {k: s[k] for k in ("unit_label", "unit_short", "peer_label")},
                                    variables))
    block = header_block(s, env, variables, 2025)
    assert block["parent_agency"] == "UBND TỈNH HÒA LÂM"
    assert block["closing"].endswith("chỉ đạo./.")
    assert block["recipients"][-1].startswith("- Lưu:")
    assert all(b.endswith(";") for b in block["legal_bases"][:-1]) and block["legal_bases"][-1].endswith(".")
    assert "{{" not in str(block)
    assert block["legal_bases"][-1] == f"Căn cứ kết quả PAR INDEX năm {VARIABLES['year']}."
