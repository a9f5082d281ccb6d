"""The bundled index frameworks (templates/frameworks/*.yaml) and the framework parser.

Expected numbers come from the domain reference (/work/shared/domain/indexes.md, cited per
test) or from the YAML files themselves, never from the code under test.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from reportgen.config.frameworks import (
    TOTAL,
    Framework,
    fold_code,
    load_frameworks,
    parent_code,
    parse_framework,
)
from reportgen.config.search import SearchPath
from reportgen.config.yamlio import read_yaml
from reportgen.data.sample import sample_path
from reportgen.errors import ConfigError

FRAMEWORK_DIR = Path(__file__).resolve().parents[1] / "templates" / "frameworks"
FILES = sorted(FRAMEWORK_DIR.glob("*.yaml"))
TOL = 0.01
# Last action year checked for frameworks without an end year (data year + 1 of a current report).
OPEN_END_CHECKED_UNTIL = 2027

# Department names abolished by Nghị định 45/2025/NĐ-CP (indexes.md §5, §7) and the district level
# abolished from 01/7/2025: none may be answerable for a task of action year 2025 or later.
ABOLISHED_2025 = {
    "Sở Thông tin và Truyền thông",
    "Sở Kế hoạch và Đầu tư",
    "Sở Tài nguyên và Môi trường",
    "Sở Nông nghiệp và Phát triển nông thôn",
    "Sở Giao thông vận tải",
    "Sở Lao động - Thương binh và Xã hội",
    "UBND cấp huyện",
}
# Created by the same merger: cannot be answerable for a task of action year 2024 or earlier.
CREATED_2025 = {"Sở Nông nghiệp và Môi trường"}


def by_file(name: str) -> Framework:
    path = FRAMEWORK_DIR / name
    return parse_framework(read_yaml(path), str(path))


@pytest.fixture(scope="module")
def frameworks():
    return load_frameworks(SearchPath.build(cwd=FRAMEWORK_DIR.parents[1]))


def action_years(fw: Framework) -> range:
    """Every data year the framework covers, plus the following (action) year."""
    last = fw.year_to if fw.year_to is not None else max(fw.year_from, OPEN_END_CHECKED_UNTIL - 1)
    return range(fw.year_from, last + 2)


# --- every file parses and they load together --------------------------------------------------


def test_bundled_files_exist():
    names = {p.name for p in FILES}
    expected = {
        "par_index_2948.yaml", "par_index_2017.yaml", "par_index_1150.yaml", "par_index_876.yaml",
        "par_index_1187.yaml", "sipas_2640.yaml", "sipas_2022.yaml", "papi_2018.yaml", "pci.yaml",
        "dti_922.yaml", "dgi_vi_du.yaml", "par_so_vi_du.yaml",
    }
    assert expected <= names


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_each_file_parses(path):
    doc = read_yaml(path)
    fw = parse_framework(doc, str(path))
    assert fw.components, "a framework needs components"
    assert fw.status in {"confirmed", "unconfirmed", "example"}
    assert fw.total_max > 0
    for raw in doc["components"]:
        # An unpublished maximum is never presented as confirmed.
        if raw.get("max") is None:
            assert raw.get("max_status") == "unconfirmed", (path.name, raw["code"])
        # Maxima are numbers ≥ 0 and no component is worth more than the whole index.
        if raw.get("max") is not None:
            assert raw["max"] >= 0
            assert raw["max"] <= fw.total_max + TOL
    for code, comp in fw.components.items():
        if comp.parent is not None:
            assert comp.parent in fw.components, (path.name, code)


def test_all_files_load_together_without_overlap(frameworks):
    loaded = {(fw.code, fw.version) for fw in frameworks.items}
    on_disk = {(fw.code, fw.version) for fw in (by_file(p.name) for p in FILES)}
    assert on_disk <= loaded


def test_par_index_versions_are_contiguous(frameworks):
    """PAR INDEX versions follow one another with no gap and no overlap (indexes.md §1.1)."""
    versions = frameworks.versions("PAR_INDEX")
    names = [Path(fw.path).name for fw in versions]
    assert names == ["par_index_2948.yaml", "par_index_2017.yaml", "par_index_1150.yaml",
                     "par_index_876.yaml", "par_index_1187.yaml"]
    for a, b in zip(versions, versions[1:], strict=False):
        assert a.year_to is not None and a.year_to + 1 == b.year_from
    assert versions[-1].year_to is None  # 1187 is open-ended


# --- maxima add up ---------------------------------------------------------------------------


def _additive_checks(fw: Framework) -> list[tuple[str, float, float]]:
    """(node, its max, sum of its children's maxima) wherever all are known."""
    checks = []
    tops = fw.top_level()
    if tops and all(c.max is not None for c in tops):
        checks.append((TOTAL, fw.total_max, sum(c.max for c in tops)))
    for comp in fw.components.values():
        kids = fw.children(comp.code)
        if kids and comp.max is not None and all(k.max is not None for k in kids):
            checks.append((comp.code, comp.max, sum(k.max for k in kids)))
    return checks


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_additive_maxima_add_up(path):
    fw = by_file(path.name)
    if not fw.additive:
        pytest.skip("components of a non-additive index do not add up")
    for node, node_max, children_sum in _additive_checks(fw):
        assert children_sum == pytest.approx(node_max, abs=TOL), (path.name, node)


def test_additive_checks_are_not_vacuous():
    """The files whose maxima are all known are actually checked."""
    checked = {p.name: {node for node, _, _ in _additive_checks(by_file(p.name))} for p in FILES}
    assert TOTAL in checked["par_index_2948.yaml"]
    assert TOTAL in checked["papi_2018.yaml"]
    assert TOTAL in checked["dti_922.yaml"]
    assert TOTAL in checked["par_so_vi_du.yaml"]
    assert {TOTAL, "2"} <= checked["dgi_vi_du.yaml"]


def test_par_2948_maxima_match_the_confirmed_table():
    """indexes.md §1.6 (bonoivu.cls.vn 22610): 8 fields, total 100."""
    fw = by_file("par_index_2948.yaml")
    expected = {"1": 10.0, "2": 10.0, "3": 14.5, "4": 11.0, "5": 16.0, "6": 7.0, "7": 16.0,
                "8": 15.5}
    assert {c.code: c.max for c in fw.top_level()} == expected
    assert all(c.max_confirmed for c in fw.top_level())
    assert sum(expected.values()) == pytest.approx(100)
    assert fw.total_max == 100


def test_unpublished_par_maxima_stay_empty():
    """indexes.md §1.2, §1.6, §8: only 876 field 8.2 (6.5 points) is confirmed for 2017+."""
    for name in ("par_index_2017.yaml", "par_index_1150.yaml", "par_index_1187.yaml"):
        fw = by_file(name)
        assert [c.code for c in fw.top_level()] == [str(i) for i in range(1, 9)]
        assert all(c.max is None and not c.max_confirmed for c in fw.components.values()), name
        assert fw.total_max == 100
    assert by_file("par_index_1187.yaml").status == "unconfirmed"
    assert by_file("par_index_876.yaml").max_of("8.2") == 6.5


def test_1187_uses_the_876_field_names():
    new, old = by_file("par_index_1187.yaml"), by_file("par_index_876.yaml")
    for code in map(str, range(1, 9)):
        assert new.name_of(code) == old.name_of(code)


def test_dti_points():
    """indexes.md §4.4: 9 main indices, 1000 points; Đô thị thông minh is not scored."""
    fw = by_file("dti_922.yaml")
    assert [c.max for c in fw.top_level()] == [100, 100, 100, 100, 100, 0, 200, 150, 150]
    assert fw.total_max == 1000
    assert fw.name_of("6") == "Đô thị thông minh"
    assert not fw.components["9"].max_confirmed  # 150 is derived [D]
    assert (fw.year_from, fw.year_to) == (2022, 2024)


def test_papi_structure():
    """indexes.md §3.1–3.2: 8 dimensions of 1–10 points (total 80) and 28 sub-dimensions."""
    fw = by_file("papi_2018.yaml")
    tops = fw.top_level()
    assert [c.code for c in tops] == [str(i) for i in range(1, 9)]
    assert all(c.max == 10 for c in tops)
    assert fw.total_max == 80 and fw.additive
    subs = [c for c in fw.components.values() if c.parent is not None]
    assert len(subs) == 28
    assert [len(fw.children(c.code)) for c in tops] == [4, 4, 3, 4, 4, 4, 3, 2]
    # unpublished sub-dimension maxima: the dimension's 10 points shared equally (derived)
    assert all(c.max == round(10 / len(fw.children(c.parent)), 6) for c in subs)
    assert not any(c.max_confirmed for c in subs)
    assert fw.rating.kind == "quartiles" and fw.rating.components
    assert [g.label for g in fw.rating.groups] == [
        "cao nhất", "trung bình cao", "trung bình thấp", "thấp nhất"]


def test_sipas_structure():
    old, new = by_file("sipas_2640.yaml"), by_file("sipas_2022.yaml")
    factors = [str(i) for i in range(1, 6)]
    assert list(old.components) == factors
    assert set(new.components) == {*factors, "DV", "CS", "CS.1", "CS.2", "CS.3", "CS.4"}
    for fw in (old, new):
        assert not fw.additive and fw.unit == "%" and fw.component_unit == "%"
        assert fw.total_max == 100
        assert all(c.max == 100 for c in fw.components.values())
        assert all(fw.components[f].parent is None for f in factors)
        assert fw.rating.kind == "none"
    assert [c.code for c in new.children("CS")] == ["CS.1", "CS.2", "CS.3", "CS.4"]


def test_pci_structure():
    """indexes.md §4.1: 10 sub-indices on a 10-point scale, weighted into 100."""
    fw = by_file("pci.yaml")
    assert [c.code for c in fw.top_level()] == [str(i) for i in range(1, 11)]
    assert all(c.max == 10 for c in fw.top_level())
    assert fw.total_max == 100 and not fw.additive


def test_par_so_example():
    fw = by_file("par_so_vi_du.yaml")
    assert fw.status == "example"
    assert {c.code: c.max for c in fw.top_level()} == {
        "1": 12, "2": 10, "3": 22, "4": 10, "5": 14, "6": 12, "7": 20}
    assert [(g.label, g.min) for g in fw.rating.groups] == [
        ("Tốt", 90), ("Khá", 80), ("Trung bình", 65), ("Yếu", 0)]
    assert fw.year_from == 2022 and fw.year_to is None


def test_sample_dataset_matches_the_frameworks(frameworks):
    """Every index and component code of the bundled sample exists in the framework of its year,
    or is a criterion the data names whose parent is in the framework or in the data (#13)."""
    with sample_path().open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    pairs = {(int(r["year"]), r["index"], r["component"]): r["component_name"] for r in rows}
    for (year, index, component), name in sorted(pairs.items()):
        code = frameworks.resolve_code(index)
        fw = frameworks.for_year(code, year)
        assert fw is not None, (index, year)
        if component == TOTAL or component in fw.components:
            continue
        parent = parent_code(component)
        assert name and parent is not None, (index, year, component)
        assert parent in fw.components or (year, index, parent) in pairs, (index, year, component)


# --- responsible units -------------------------------------------------------------------------


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_component_has_a_responsible_unit_every_year(path):
    fw = by_file(path.name)
    for year in action_years(fw):
        assert fw.responsible_for(TOTAL, year), (path.name, year)
        for code in fw.components:
            assert fw.responsible_for(code, year), (path.name, code, year)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_department_names_match_the_year(path):
    """From 2025 only post-merger names; before, no merged name (indexes.md §5, §7)."""
    fw = by_file(path.name)
    for year in action_years(fw):
        for code in [TOTAL, *fw.components]:
            units = set(fw.responsible_for(code, year))
            if year >= 2025:
                assert not units & ABOLISHED_2025, (path.name, code, year, units)
            else:
                assert not units & CREATED_2025, (path.name, code, year, units)


def test_par_field_7_changes_department_in_2025(frameworks):
    fw_2024 = frameworks.for_year("PAR_INDEX", 2024)
    assert fw_2024.responsible_for("7", 2024) == ["Sở Thông tin và Truyền thông"]
    assert fw_2024.responsible_for("7", 2025) == ["Sở Khoa học và Công nghệ"]
    fw_2025 = frameworks.for_year("PAR_INDEX", 2025)
    assert fw_2025.responsible_for("7", 2025) == ["Sở Khoa học và Công nghệ"]
    assert fw_2025.responsible_for("7", 2026) == ["Sở Khoa học và Công nghệ"]


def test_sub_components_fall_back_to_their_parent(frameworks):
    papi = frameworks.for_year("PAPI", 2024)
    assert papi.responsible_for("3.2", 2025) == ["Thanh tra tỉnh"]
    assert papi.responsible_for("3.3", 2025) == ["Sở Tư pháp"]
    assert papi.responsible_for("7.1", 2025) == papi.responsible_for("7", 2025)
    sipas = frameworks.for_year("SIPAS", 2024)
    assert sipas.responsible_for("CS.2", 2025) == sipas.responsible_for("CS", 2025)


# --- lookup by code, alias and year -------------------------------------------------------------


@pytest.mark.parametrize("text, code", [
    ("PAR INDEX", "PAR_INDEX"), ("Par Index", "PAR_INDEX"), ("PAR_INDEX", "PAR_INDEX"),
    ("papi", "PAPI"), ("Sipas", "SIPAS"), ("pci", "PCI"), ("DTI", "DTI"), ("DGI", "DGI"),
    ("PAR_SO", "PAR_SO"),
])
def test_aliases_resolve(frameworks, text, code):
    assert frameworks.resolve_code(text) == code


def test_no_alias_points_to_two_indexes(frameworks):
    owners: dict[str, set[str]] = {}
    for fw in frameworks.items:
        for alias in (fw.code, fw.short_name, *fw.aliases):
            owners.setdefault(fold_code(alias), set()).add(fw.code)
    clashes = {alias: codes for alias, codes in owners.items() if len(codes) > 1}
    assert not clashes


@pytest.mark.parametrize("code, year, file", [
    ("PAR_INDEX", 2016, "par_index_2948.yaml"),
    ("PAR_INDEX", 2018, "par_index_2017.yaml"),
    ("PAR_INDEX", 2021, "par_index_1150.yaml"),
    ("PAR_INDEX", 2023, "par_index_876.yaml"),
    ("PAR_INDEX", 2025, "par_index_1187.yaml"),
    ("SIPAS", 2021, "sipas_2640.yaml"),
    ("SIPAS", 2022, "sipas_2022.yaml"),
    ("PAPI", 2018, "papi_2018.yaml"),
    ("PAPI", 2024, "papi_2018.yaml"),
    ("DTI", 2023, "dti_922.yaml"),
])
def test_for_year_picks_the_methodology(frameworks, code, year, file):
    fw = frameworks.for_year(code, year)
    assert fw is not None and Path(fw.path).name == file


def test_no_papi_framework_before_2018(frameworks):
    """The six pre-2018 PAPI dimension names are not sourced (indexes.md §3.1): refuse them."""
    assert frameworks.for_year("PAPI", 2017) is None
    assert frameworks.for_year("PAPI", 2011) is None


def test_no_dti_framework_after_2024(frameworks):
    """The 2025 DTI Đề án structure is unknown (indexes.md §4.4)."""
    assert frameworks.for_year("DTI", 2025) is None


# --- broken files ------------------------------------------------------------------------------

VALID = """\
# khung thử
code: THU
version: "1/QĐ-UBND"
name: Chỉ số thử
component_word: lĩnh vực
unit: điểm
total_max: 20
years: {from: 2022}
components:
  - code: "1"
    name: Thành phần một
    max: 10
    responsible: [Sở Nội vụ]
  - code: "2"
    name: Thành phần hai
    max: 10
    responsible: [Sở Tư pháp]
"""


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def _load_error(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_frameworks(SearchPath.build(cwd=FRAMEWORK_DIR.parents[1]), extra=[path])
    return str(info.value)


def test_valid_extra_file_loads(tmp_path):
    path = tmp_path / "thu.yaml"
    path.write_text(VALID, encoding="utf-8")
    fws = load_frameworks(SearchPath.build(cwd=FRAMEWORK_DIR.parents[1]), extra=[path])
    assert fws.for_year("THU", 2024).max_of("2") == 10


def test_missing_key_names_file_and_line(tmp_path):
    text = VALID.replace("unit: điểm\n", "")
    message = _load_error(tmp_path, "thieu_khoa.yaml", text)
    assert "thieu_khoa.yaml" in message and "'unit'" in message
    assert f"dòng {_line_of(text, 'code: THU')}" in message  # where the mapping starts


def test_bad_parent_names_file_and_line(tmp_path):
    text = VALID.replace("    name: Thành phần hai\n",
                         '    name: Thành phần hai\n    parent: "9"\n')
    message = _load_error(tmp_path, "sai_cha.yaml", text)
    assert "sai_cha.yaml" in message and "'9'" in message
    assert f"dòng {_line_of(text, 'parent: ')}" in message


def test_parent_declared_after_child_is_refused(tmp_path):
    text = VALID.replace('  - code: "1"\n    name: Thành phần một\n',
                         '  - code: "1"\n    parent: "2"\n    name: Thành phần một\n')
    message = _load_error(tmp_path, "cha_sau.yaml", text)
    assert "cha_sau.yaml" in message and f"dòng {_line_of(text, 'parent: ')}" in message


def test_yaml_syntax_error_names_file_and_line(tmp_path):
    text = VALID.replace("total_max: 20\n", "total_max: [20\n")
    message = _load_error(tmp_path, "cu_phap.yaml", text)
    assert "cu_phap.yaml" in message
    assert re.search(r"dòng \d+", message)


def test_bad_year_names_file_and_line(tmp_path):
    text = VALID.replace("years: {from: 2022}", "years: {from: 2022a}")
    message = _load_error(tmp_path, "sai_nam.yaml", text)
    assert "sai_nam.yaml" in message and f"dòng {_line_of(text, 'years:')}" in message


def test_rating_group_without_label_is_a_config_error(tmp_path):
    text = VALID + "rating:\n  kind: thresholds\n  groups:\n    - {min: 90}\n"
    message = _load_error(tmp_path, "sai_nhom.yaml", text)
    assert "sai_nhom.yaml" in message and f"dòng {_line_of(text, '{min: 90}')}" in message


def test_overlapping_versions_are_refused(tmp_path):
    """A second PAR INDEX file covering 2023 clashes with 876."""
    text = VALID.replace("code: THU", "code: PAR_INDEX").replace('"1/QĐ-UBND"', '"thu"').replace(
        "years: {from: 2022}", "years: {from: 2023, to: 2023}")
    message = _load_error(tmp_path, "trung_nam.yaml", text)
    assert "trung_nam.yaml" in message and "876/QĐ-BNV" in message
