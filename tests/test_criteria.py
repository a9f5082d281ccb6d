"""Criteria below the fields (issue #13): hierarchical codes of any depth from the data or the
framework, located errors, responsibility per criterion, and the criteria analysis."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import LONG_HEADER, PAR_FIELD_MAX, TEST_GROUP
from reportgen.analysis.unit import analyze_unit, prepare
from reportgen.config.frameworks import Frameworks, parent_code, parse_framework
from reportgen.config.rules import Rules, build_rules
from reportgen.config.yamlio import read_yaml
from reportgen.data.load import LoadOptions, load
from reportgen.data.validate import Dataset, validate
from reportgen.errors import DataError

HEADER = [*LONG_HEADER, "component_name", "responsible"]
UNITS = ("Hòa Lâm", "Kim Sơn", "Vạn Xuyên")
# Field 3 (13.5 points) split into three criteria, 3.2 into two sub-criteria (depth 3).
# (code, name, max, lead agency given in the data: "" inherits the parent's)
CRITERIA = [
    ("3.1", "Công khai thủ tục hành chính", 4.0, "Văn phòng UBND tỉnh"),
    ("3.2", "Giải quyết thủ tục hành chính", 6.0, "Trung tâm Phục vụ hành chính công tỉnh"),
    ("3.2.1", "Tỷ lệ hồ sơ giải quyết đúng hạn", 4.0, ""),
    ("3.2.2", "Tiếp nhận hồ sơ trực tuyến", 2.0, "Sở Khoa học và Công nghệ"),
    ("3.3", "Số hóa hồ sơ", 3.5, ""),
]
# Each unit's score per criterion, year 2023 then 2024 (Hòa Lâm loses most on 3.2 in 2024).
SCORES = {
    2023: {"Hòa Lâm": {"3.1": 3.5, "3.2.1": 3.5, "3.2.2": 2.0, "3.3": 3.0},
           "Kim Sơn": {"3.1": 3.0, "3.2.1": 3.0, "3.2.2": 1.5, "3.3": 3.5},
           "Vạn Xuyên": {"3.1": 4.0, "3.2.1": 2.5, "3.2.2": 1.0, "3.3": 2.5}},
    2024: {"Hòa Lâm": {"3.1": 4.0, "3.2.1": 2.5, "3.2.2": 1.0, "3.3": 3.0},
           "Kim Sơn": {"3.1": 3.0, "3.2.1": 3.5, "3.2.2": 1.5, "3.3": 3.5},
           "Vạn Xuyên": {"3.1": 3.5, "3.2.1": 3.0, "3.2.2": 2.0, "3.3": 2.5}},
}


def unit_rows(unit: str, year: int, share: float, columns: bool = True) -> list[list[Any]]:
    """One unit's PAR INDEX with field 3 made of :data:`CRITERIA` (sums kept exact)."""
    leaf = SCORES[year][unit]
    crit = dict(leaf)
    crit["3.2"] = round(leaf["3.2.1"] + leaf["3.2.2"], 2)
    scores = {code: round(mx * share, 2) for code, mx in PAR_FIELD_MAX.items()}
    scores["3"] = round(crit["3.1"] + crit["3.2"] + crit["3.3"], 2)
    scores["8"] = round(scores["8.1"] + scores["8.2"], 2)
    scores["TOTAL"] = round(sum(scores[c] for c in "12345678"), 2)
    rows = [[year, "PAR_INDEX", unit, code, score, PAR_FIELD_MAX.get(code, ""), "", TEST_GROUP,
             "", ""] for code, score in scores.items()]
    for code, name, mx, lead in CRITERIA:
        rows.append([year, "PAR_INDEX", unit, code, crit[code], mx if columns else "",
                     "", TEST_GROUP, name if columns else "", lead if columns else ""])
    return rows


def table(columns: bool = True, years: tuple[int, ...] = (2023, 2024)) -> list[list[Any]]:
    rows: list[list[Any]] = [HEADER]
    for year in years:
        for n, unit in enumerate(UNITS):
            rows += unit_rows(unit, year, 0.95 - 0.05 * n, columns)
    return rows


def criteria_framework(tmp_path: Path) -> Frameworks:
    """The bundled frameworks with PAR INDEX 876's field 3 declaring :data:`CRITERIA` nested
    (``children``), their maxima and lead agencies: what the data columns say otherwise."""
    from reportgen.config.frameworks import load_frameworks
    from reportgen.config.search import SearchPath

    base = load_frameworks(SearchPath.build())
    doc = read_yaml(Path(base.for_year("PAR_INDEX", 2023).path))  # type: ignore[union-attr]
    nodes: dict[str, dict[str, Any]] = {}
    field3 = next(c for c in doc["components"] if c["code"] == "3")
    for code, name, mx, lead in CRITERIA:
        node: dict[str, Any] = {"code": code, "name": name, "max": mx}
        if lead:
            node["responsible"] = [lead]
        nodes[code] = node
        parent = nodes.get(parent_code(code) or "") or field3
        parent.setdefault("children", []).append(node)
    fw = parse_framework(doc, str(tmp_path / "par_index_876.yaml"))
    return Frameworks([fw if (f.code, f.version) == (fw.code, fw.version) else f
                       for f in base.items])


def dataset(make_csv: Callable[..., Path], frameworks: Frameworks, rows: list[list[Any]],
            name: str = "crit.csv") -> Dataset:
    return validate(load(make_csv(name, rows)), frameworks)


def no_rules() -> Rules:
    return build_rules({}, "analysis.yaml", {}, "solutions.yaml", {}, "responsible.yaml")


def field3(ds: Dataset, rules: Rules | None = None, unit: str = "Hòa Lâm", year: int = 2024):
    result = analyze_unit(prepare(ds), unit, year, rules or no_rules())
    index = next(i for i in result.indices if i.index == "PAR_INDEX")
    assert index.criteria is not None
    return index, next(f for f in index.criteria.fields if f.code == "3")


# --- data: any depth, located errors -------------------------------------------------------

def test_depth_three_criteria_from_the_data_columns(make_csv, frameworks):
    ds = dataset(make_csv, frameworks, table())
    fw = ds.framework("PAR_INDEX", 2024)
    assert fw.components["3.2.1"].parent == "3.2" and fw.level("3.2.1") == 3
    assert fw.components["3.2"].name == "Giải quyết thủ tục hành chính"
    index, f = field3(ds)
    # criteria are not rows of the field table
    assert {c.code for c in index.components} == {"1", "2", "3", "4", "5", "6", "7", "8"}
    assert [(c.code, c.depth) for c in f.criteria] == [
        ("3.1", 1), ("3.2", 1), ("3.2.1", 2), ("3.2.2", 2), ("3.3", 1)]
    c32 = f.criterion("3.2")
    assert (c32.score, c32.max) == (2.5 + 1.0, 6.0)
    assert c32.points_lost == pytest.approx(6.0 - 3.5)
    assert c32.delta_score == pytest.approx((2.5 + 1.0) - (3.5 + 2.0))


def test_ranked_by_points_lost_declines_full_and_places(make_csv, frameworks):
    _, f = field3(dataset(make_csv, frameworks, table()))
    # 2024 Hòa Lâm: 3.1 4/4 (0 lost), 3.2 3.5/6 (2.5 lost), 3.3 3/3.5 (0.5 lost)
    assert f.by_loss == ("3.2", "3.3")
    assert f.full == ("3.1",)
    assert f.declined[0] == "3.2"  # (3.5 + 2.0) → (2.5 + 1.0): −2, the largest fall
    assert set(f.declined) == {"3.2.2", "3.2", "3.2.1"}
    assert "3.1" in f.first  # 4.0 against 3.0 and 3.5
    assert "3.2.2" in f.last and "3.2" in f.last  # 1.0 against 1.5, 2.0; 3.5 against 5.0, 5.0


def test_unknown_parent_is_a_located_error(make_csv, frameworks):
    rows = table(years=(2024,))
    rows.append([2024, "PAR_INDEX", "Hòa Lâm", "3.9.1", 0.5, 1, "", TEST_GROUP, "Tiêu chí lạc", ""])
    with pytest.raises(DataError) as caught:
        dataset(make_csv, frameworks, rows)
    hits = [i for i in caught.value.issues if i.code == "unknown_parent"]
    assert len(hits) == 1, [str(i) for i in caught.value.issues]
    assert (hits[0].location.row, hits[0].location.column, hits[0].value) == (
        len(rows), "component", "3.9.1")
    assert "mã cha '3.9'" in hits[0].message
    assert not [i for i in caught.value.issues if i.code == "unknown_component"]


def test_criterion_above_its_maximum_is_a_located_error(make_csv, frameworks):
    rows = table(years=(2024,))
    at = next(n for n, r in enumerate(rows) if r[2] == "Kim Sơn" and r[3] == "3.3")
    rows[at][4] = 3.75  # max 3.5
    with pytest.raises(DataError) as caught:
        dataset(make_csv, frameworks, rows)
    hits = [i for i in caught.value.issues if i.code == "score_above_max"]
    assert [(i.location.row, i.location.column) for i in hits] == [(at + 1, "score")]
    assert "3.5" in hits[0].message and "3.3" in hits[0].message


def test_nameless_unknown_code_is_still_an_unknown_component(make_csv, frameworks):
    rows = table(years=(2024,))
    rows.append([2024, "PAR_INDEX", "Hòa Lâm", "3.4", 0.5, 1, "", TEST_GROUP, "", ""])
    with pytest.raises(DataError) as caught:
        dataset(make_csv, frameworks, rows)
    assert [i.value for i in caught.value.issues if i.code == "unknown_component"] == ["3.4"]


def test_framework_name_and_maximum_win_with_a_warning(make_csv, tmp_path):
    fws = criteria_framework(tmp_path)
    rows = table(years=(2024,))
    at = next(n for n, r in enumerate(rows) if r[3] == "3.1")
    rows[at][8] = "Công khai TTHC (tên khác)"
    rows[at][5] = 5  # the framework says 4
    ds = dataset(make_csv, fws, rows)
    warned = {i.code: i for i in ds.warnings}
    assert warned["name_conflict"].location.row == at + 1
    assert warned["max_conflict_framework"].location.column == "max_score"
    assert ds.framework("PAR_INDEX", 2024).components["3.1"].name == CRITERIA[0][1]
    _, f = field3(ds, unit=rows[at][2])
    assert f.criterion("3.1").max == 4.0


def test_framework_and_columns_give_the_same_criteria(make_csv, tmp_path, frameworks):
    from_columns = field3(dataset(make_csv, frameworks, table(), "a.csv"))[1]
    from_framework = field3(dataset(make_csv, criteria_framework(tmp_path),
                                    table(columns=False), "b.csv"))[1]
    assert from_framework == from_columns


# --- responsibility -------------------------------------------------------------------------

def test_a_criterion_inherits_its_parents_agency(make_csv, frameworks):
    _, f = field3(dataset(make_csv, frameworks, table()))
    lead = {c.code: c.lead for c in f.criteria}
    assert lead["3.2.1"] == ("Trung tâm Phục vụ hành chính công tỉnh",)  # from 3.2
    assert lead["3.2.2"] == ("Sở Khoa học và Công nghệ",)  # its own
    # 3.3 has none: field 3's agencies in the framework
    assert lead["3.3"] == ("Văn phòng UBND tỉnh", "Trung tâm Phục vụ hành chính công tỉnh")


def test_responsible_yaml_per_code_with_lead_and_support(make_csv, frameworks):
    rules = build_rules({}, "analysis.yaml", {}, "solutions.yaml", {"PAR_INDEX": {
        "3.2": {"lead": "Sở Nội vụ", "support": ["Sở Tư pháp"]}}}, "responsible.yaml")
    index, f = field3(dataset(make_csv, frameworks, table()), rules)
    for code in ("3.2", "3.2.1", "3.2.2"):  # the file wins over the data, children inherit
        assert (f.criterion(code).lead, f.criterion(code).support) == (
            ("Sở Nội vụ",), ("Sở Tư pháp",))
    assert index.criteria is not None
    # field 8's criterion 8.1 is Sở Nội vụ's in the framework
    assert index.criteria.by_agency()["Sở Nội vụ"] == ("3.2", "3.2.1", "3.2.2", "8.1")


def test_the_2025_renames_apply_by_action_year(make_csv, frameworks):
    """Field 7's lead is Sở TT&TT until 2024 and Sở KH&CN from 2025 (action years): a
    criterion under field 7 without its own agency follows the framework's period."""
    rows = table(years=(2024,))
    for unit in UNITS:
        seven = next(r for r in rows if r[2] == unit and r[3] == "7")
        rows.append([2024, "PAR_INDEX", unit, "7.1", seven[4], 13, "", TEST_GROUP,
                     "Hạ tầng số", ""])
    result = analyze_unit(prepare(dataset(make_csv, frameworks, rows)), "Hòa Lâm", 2024,
                          no_rules())
    index = next(i for i in result.indices if i.index == "PAR_INDEX")
    assert index.criteria is not None
    seven = next(f for f in index.criteria.fields if f.code == "7")
    assert seven.criteria[0].lead == ("Sở Khoa học và Công nghệ",)  # action year 2025


def test_a_renamed_agency_is_named_as_in_the_action_year(make_csv, frameworks):
    """The data names Sở Thông tin và Truyền thông for 7.1 (its 2024 lead); responsible.yaml's
    renamed list makes it Sở Khoa học và Công nghệ for the 2025 tasks."""
    rows = table(years=(2024,))
    for unit in UNITS:
        seven = next(r for r in rows if r[2] == unit and r[3] == "7")
        rows.append([2024, "PAR_INDEX", unit, "7.1", seven[4], 13, "", TEST_GROUP,
                     "Hạ tầng số", "Sở Thông tin và Truyền thông"])
    ds = dataset(make_csv, frameworks, rows)
    renamed = build_rules({}, "analysis.yaml", {}, "solutions.yaml", {"renamed": [
        {"old": "Sở Thông tin và Truyền thông", "new": "Sở Khoa học và Công nghệ",
         "since": datetime.date(2025, 3, 1)}]}, "responsible.yaml")
    for rules, lead in ((no_rules(), "Sở Thông tin và Truyền thông"),
                        (renamed, "Sở Khoa học và Công nghệ")):
        result = analyze_unit(prepare(ds), "Hòa Lâm", 2024, rules)
        index = next(i for i in result.indices if i.index == "PAR_INDEX")
        assert index.criteria is not None
        seven = next(f for f in index.criteria.fields if f.code == "7")
        assert seven.criteria[0].lead == (lead,)


# --- wide layout ----------------------------------------------------------------------------

def test_wide_layout_one_column_per_code(make_csv, frameworks):
    codes = ["1", "2", "3", "3.1", "3.2", "3.2.1", "3.2.2", "3.3", "4", "5", "6", "7", "8",
             "8.1", "8.2", "TOTAL"]
    names = {c: n for c, n, _, _ in CRITERIA}
    header = ["unit", "group", *(f"{c}. {names[c]}" if c in names else c for c in codes)]
    maxima = {**PAR_FIELD_MAX, **{c: m for c, _, m, _ in CRITERIA}}
    rows: list[list[Any]] = [header, ["Điểm tối đa", "", *(maxima.get(c, "") for c in codes)],
                             ["Cơ quan chủ trì", "", *("Sở Nội vụ" if c == "3.3" else ""
                                                       for c in codes)]]
    long = table(years=(2024,))
    for unit in UNITS:
        scores = {r[3]: r[4] for r in long if r[2] == unit}
        rows.append([unit, TEST_GROUP, *(scores[c] for c in codes)])
    path = make_csv("wide.csv", rows)
    ds = validate(load(path, LoadOptions(year=2024, index="PAR_INDEX")), frameworks)
    assert ds.framework("PAR_INDEX", 2024).components["3.2.2"].name == CRITERIA[3][1]
    _, f = field3(ds)
    assert f.by_loss == ("3.2", "3.3")
    assert f.criterion("3.2.2").max == 2.0
    assert f.criterion("3.3").lead == ("Sở Nội vụ",)  # the 'Cơ quan chủ trì' row


# --- frameworks: nesting, parts ---------------------------------------------------------------

def test_parts_of_the_total_from_the_framework(make_csv, tmp_path, frameworks):
    bundled = frameworks.for_year("PAR_INDEX", 2024)
    assert bundled is not None
    doc = read_yaml(Path(bundled.path))
    doc["parts"] = [{"name": "Thẩm định", "codes": ["1", "2", "3", "4", "5", "6", "7", "8.2"]},
                    {"name": "Điều tra xã hội học", "codes": ["8.1"]}]
    parted = parse_framework(doc, str(tmp_path / "parted.yaml"))
    fws = Frameworks([parted if f.code == "PAR_INDEX" and f.version == parted.version else f
                      for f in frameworks.items])
    index, _ = field3(dataset(make_csv, fws, table()))
    assert index.criteria is not None
    survey = next(p for p in index.criteria.parts if p.name == "Điều tra xã hội học")
    # Hòa Lâm's 8.1 is 0.95 of its 14.5 points (unit_rows)
    assert (survey.score, survey.max) == (round(14.5 * 0.95, 2), 14.5)
    appraisal = next(p for p in index.criteria.parts if p.name == "Thẩm định")
    assert appraisal.score == pytest.approx(index.score - survey.score, abs=0.011)


def test_a_part_naming_an_unknown_code_is_a_located_error(tmp_path):
    from reportgen.config.schema import SettingsError

    doc = {"code": "X", "version": "1", "name": "Chỉ số X", "unit": "điểm", "total_max": 10,
           "years": {"from": 2024}, "component_word": "lĩnh vực",
           "components": [{"code": "1", "name": "Một", "max": 10, "children": [
               {"code": "1.1", "name": "Một một", "max": 10}]}],
           "parts": [{"name": "Phần A", "codes": ["1.1", "1.9"]}]}
    with pytest.raises(SettingsError) as caught:
        parse_framework(doc, "x.yaml")
    assert "'1.9'" in str(caught.value) and "parts" in str(caught.value)
    del doc["parts"]
    fw = parse_framework(doc, "x.yaml")
    assert fw.components["1.1"].parent == "1" and fw.criteria_level == 3  # deepest + 1


# --- the report -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def kit():
    from reportgen.app import make_toolkit, open_project

    return make_toolkit(open_project())


def report(kit, ds: Dataset, unit: str = "Hòa Lâm", year: int = 2024) -> dict[str, Any]:
    from reportgen.app import report_context

    return dict(report_context(kit, prepare(ds), ds, unit, year))


def criteria_bullets(context: dict[str, Any]) -> list[str]:
    part = context["components"][0]
    return [b for s in part["subsections"] for b in s["bullets"] if "Tiêu chí" in b]


def criteria_table(context: dict[str, Any]) -> list[dict[str, Any]]:
    return [row for ap in context["appendices"] for t in ap["tables"]
            if t["kind"] == "criteria" for row in t["rows"]]


def test_the_report_names_the_largest_loss_of_the_weakest_field_and_its_agency(kit, make_csv,
                                                                                frameworks):
    context = report(kit, dataset(make_csv, frameworks, table()))
    bullets = criteria_bullets(context)
    # field 3 is Hòa Lâm's weakest (10.5/13.5); its largest loss is 3.2: (2.5 + 1.0)/6
    first = bullets[0]
    assert "Tiêu chí 3.2 Giải quyết thủ tục hành chính" in first
    assert "đạt 3,50/6,00 điểm" in first and "mất 2,50 điểm" in first
    assert "giảm 2,00 điểm" in first  # 2023: 3.5 + 2.0
    assert "cơ quan chủ trì: Trung tâm Phục vụ hành chính công tỉnh" in first
    # 3.2 fell by 2.00 (3.5 + 2.0 → 2.5 + 1.0), the largest fall
    text = " ".join(p for s in context["components"][0]["subsections"] for p in s["paragraphs"])
    assert "Có 01/05 tiêu chí đạt điểm tối đa" in text  # 3.1 of 3.1, 3.2, 3.3, 8.1, 8.2
    assert "nhiều nhất là tiêu chí 3.2 (giảm 2,00 điểm)" in text
    rows = {row["code"]: row for row in criteria_table(context)}
    assert {code for code, *_ in CRITERIA} <= set(rows)
    assert rows["3.2.2"]["lead"] == "Sở Khoa học và Công nghệ"
    assert (rows["3.2.1"]["score"], rows["3.2.1"]["max"]) == ("2,50", "4,00")
    assert rows["3"]["bold"] and not rows["3.2"]["bold"]


def test_no_criteria_no_appendix_and_no_lines(kit, make_csv, frameworks, par_rows):
    rows = [r for r in par_rows(years=(2023, 2024)) if r[3] not in ("8.1", "8.2")]
    for r in rows:  # field 8 given whole (its maximum is then the data's)
        r[5] = PAR_FIELD_MAX["8.1"] + PAR_FIELD_MAX["8.2"] if r[3] == "8" else r[5]
    context = report(kit, dataset(make_csv, frameworks, rows))
    assert criteria_table(context) == []
    assert all(t["kind"] != "criteria" for ap in context["appendices"] for t in ap["tables"])


def test_framework_and_columns_give_the_same_report(kit, make_csv, tmp_path, frameworks):
    columns = report(kit, dataset(make_csv, frameworks, table(), "a.csv"))
    framework = report(kit, dataset(make_csv, criteria_framework(tmp_path),
                                    table(columns=False), "b.csv"))
    assert criteria_bullets(framework) == criteria_bullets(columns)
    assert criteria_table(framework) == criteria_table(columns)
    assert framework["components"] == columns["components"]


def test_the_sample_shows_the_criteria(kit):
    import csv

    from reportgen.app import load_dataset, open_project
    from reportgen.data.sample import HOME_PROVINCE, sample_path

    with sample_path().open(encoding="utf-8") as fh:
        named = {r["component"]: r["component_name"] for r in csv.DictReader(fh)
                 if r["year"] == "2024" and r["unit"] == HOME_PROVINCE
                 and r["index"] == "PAR_INDEX" and r["component_name"]}
    assert len(named) >= 20 and any(code.count(".") == 2 for code in named)  # depth 3
    ds = load_dataset(open_project())
    context = report(kit, ds, HOME_PROVINCE, 2024)
    rows = {row["code"]: row["name"] for row in criteria_table(context)}
    for code, name in named.items():
        assert rows[code].endswith(name)
    assert criteria_bullets(context)


# --- the group overview ---------------------------------------------------------------------

def test_group_overview_criteria_most_often_lost_and_agency_totals(make_csv, frameworks):
    from reportgen.analysis.group import group_overview

    ds = dataset(make_csv, frameworks, table())
    overview = group_overview(ds, 2024, TEST_GROUP, no_rules())
    index = next(i for i in overview.indices if i.index == "PAR_INDEX")
    crit = {c.code: c for c in index.criteria}
    assert "3.2.1" not in crit  # first-level criteria only (no double count)
    # 2024, 3.2 of maximum 6: 3.5, 5.0, 5.0 → all three below it, 1.5 lost on average
    assert (crit["3.2"].units, crit["3.2"].losing) == (3, 3)
    assert crit["3.2"].mean_lost == pytest.approx((2.5 + 1.0 + 1.0) / 3)
    # 3.1 of maximum 4: 4.0, 3.0, 3.5 → two below it
    assert (crit["3.1"].losing, crit["3.1"].mean_lost) == (2, pytest.approx(1.5 / 3))
    assert [c.code for c in index.criteria][:5] == ["3.2", "8.1", "8.2", "3.1", "3.3"]
    agencies = {a.agency: a for a in index.agencies}
    centre = agencies["Trung tâm Phục vụ hành chính công tỉnh"]  # 3.2 (data), 3.3 (field 3)
    assert set(centre.criteria) == {"3.2", "3.3"} and centre.losses == 3 + 2
    assert centre.mean_lost == pytest.approx(1.5 + 1.5 / 3)
    assert agencies["Sở Tài chính"].criteria == ("8.2",)  # field 8.2's lead from 2025


# --- a survey: gap to the mean, highest and lowest satisfaction ----------------------------------

SURVEY = {"code": "HL", "version": "thử", "name": "Chỉ số hài lòng thử", "short_name": "HL",
          "unit": "%", "component_unit": "%", "total_max": 100, "years": {"from": 2023},
          "component_word": "yếu tố", "additive": False, "method": "survey",
          "coordinator": ["Sở Nội vụ"], "criteria_level": 2,
          "components": [{"code": "1", "name": "Tiếp cận dịch vụ", "max": 100,
                          "responsible": ["Trung tâm Phục vụ hành chính công tỉnh"]},
                         {"code": "2", "name": "Thủ tục hành chính", "max": 100,
                          "responsible": ["Văn phòng UBND tỉnh"]}]}
# unit → (1, 1.1, 1.2, 2, 2.1, 2.2, TOTAL), percent of people satisfied
SURVEY_SCORES = {"Hòa Lâm": (80.0, 90.0, 70.0, 85.0, 88.0, 82.0, 82.5),
                 "Kim Sơn": (86.0, 92.0, 80.0, 84.0, 86.0, 82.0, 85.0),
                 "Vạn Xuyên": (89.0, 94.0, 84.0, 83.0, 84.0, 82.0, 86.0)}


def test_a_survey_ranks_criteria_by_gap_and_names_the_extremes(kit, make_csv, frameworks):
    fws = Frameworks([*frameworks.items, parse_framework(SURVEY, "hl.yaml")])
    codes = ("1", "1.1", "1.2", "2", "2.1", "2.2", "TOTAL")
    names = {"1.1": "Thông tin về thủ tục", "1.2": "Nơi tiếp nhận hồ sơ",
             "2.1": "Thành phần hồ sơ", "2.2": "Thời hạn giải quyết"}
    rows: list[list[Any]] = [HEADER]
    for unit, values in SURVEY_SCORES.items():
        rows += [[2024, "HL", unit, code, value, 100, "", TEST_GROUP, names.get(code, ""), ""]
                 for code, value in zip(codes, values, strict=True)]
    ds = dataset(make_csv, fws, rows)
    result = analyze_unit(prepare(ds), "Hòa Lâm", 2024, no_rules())
    index = next(i for i in result.indices if i.index == "HL")
    assert index.criteria is not None
    one = next(f for f in index.criteria.fields if f.code == "1")
    # means: 1.1 (90 + 92 + 94)/3 = 92, 1.2 (70 + 80 + 84)/3 = 78 → gaps −2 and −8
    assert one.by_loss == ("1.2", "1.1")
    assert one.criterion("1.2").gap_to_mean == pytest.approx(70.0 - 78.0)
    assert (index.criteria.highest, index.criteria.lowest) == (("1.1",), ("1.2",))
    context = report(kit, ds)
    part = next(c for c in context["components"] if "HL" in c["heading"])
    text = " ".join(p for s in part["subsections"] for p in s["paragraphs"])
    assert "cao nhất là Thông tin về thủ tục (90,00%), thấp nhất là Nơi tiếp nhận hồ sơ (70,00%)" \
        in text
    bullets = [b for s in part["subsections"] for b in s["bullets"] if "Tiêu chí" in b]
    assert any("Tiêu chí 1.2 Nơi tiếp nhận hồ sơ: đạt 70,00%, thấp hơn mức trung bình 8,00" in b
               for b in bullets), bullets
