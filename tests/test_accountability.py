"""Section IV (Bảng 5: who answers for what) and section VI (Tổ chức thực hiện, kiến nghị).

Bảng 5 has one row per agency; each weak item sits on its own line with its own loss (points
lost against the maximum for an assessed index, the gap to the group mean for a survey index,
never "điểm bị mất" there); each row carries one demand and the deadline of report.yaml. A
name standing for several bodies ("các sở theo nhóm chính sách") is nobody; no agency is asked
to work with or report to itself; the issuing Sở Nội vụ states its own responsibility.
Numbers expected here are read from the analysis of the sample data, never typed in.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from reportgen import formatting as fmt
from reportgen.analysis.model import ComponentAnalysis, Demand, IndexAnalysis, UnitAnalysis
from reportgen.analysis.responsibility import is_collective
from reportgen.analysis.unit import analyze_unit, prepare
from reportgen.app import Project, Toolkit, load_dataset, make_toolkit, open_project
from reportgen.config.rules import default_rules
from reportgen.config.search import packaged_dir
from reportgen.data.validate import Dataset
from reportgen.docx.dump import dump
from reportgen.errors import ReportgenError

PROVINCE, DEPARTMENT, YEAR = "Hòa Lâm", "Sở Tư pháp", 2024
ISSUER = "Sở Nội vụ"
WORDS = default_rules().collective_words  # analysis.yaml: names opening so are sets of bodies


@pytest.fixture(scope="module")
def project() -> Project:
    return open_project()


@pytest.fixture(scope="module")
def dataset(project: Project) -> Dataset:
    return load_dataset(project)


@pytest.fixture(scope="module")
def kit(project: Project) -> Toolkit:
    return make_toolkit(project, dpi=0)


@pytest.fixture(scope="module")
def province(kit: Toolkit, dataset: Dataset) -> UnitAnalysis:
    return analyze_unit(dataset, PROVINCE, YEAR, kit.rules)


def context(kit: Toolkit, analysis: UnitAnalysis) -> dict[str, Any]:
    from reportgen.app import context_from_analysis
    dataset = load_dataset(kit.project)
    return dict(context_from_analysis(kit, dataset, analysis))


def components(index: IndexAnalysis) -> dict[str, ComponentAnalysis]:
    return {c.code: c for c in index.components}


def weak_items(analysis: UnitAnalysis) -> Iterator[tuple[IndexAnalysis, ComponentAnalysis]]:
    for index in analysis.indices:
        by_code = components(index)
        for code in index.weaknesses:
            yield index, by_code[code]


def kit_with(tmp_path: Path, project: Project, **files: str) -> Toolkit:
    """A toolkit whose templates folder holds ``files`` (name → text) over the bundled ones."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    user = open_project(tmp_path)
    config = tmp_path / "report.yaml" if "report.yaml" in files else None
    return make_toolkit(user, config=config, dpi=0)


def bundled_report_yaml() -> str:
    return (packaged_dir() / "report.yaml").read_text(encoding="utf-8")


def report_yaml(defaults: dict[str, Any] | None = None, drop: tuple[str, ...] = (),
                groups: dict[str, dict[str, Any]] | None = None) -> str:
    """The bundled report.yaml with keys of ``defaults`` set (``drop``: removed) and groups'
    keys set, as YAML text."""
    doc = yaml.safe_load(bundled_report_yaml())
    for key in drop:
        doc["defaults"].pop(key, None)
    doc["defaults"].update(defaults or {})
    for group, keys in (groups or {}).items():
        doc["groups"].setdefault(group, {}).update(keys)
    return str(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False))


# --- Bảng 5: rows and lines -------------------------------------------------------------------

def test_one_row_per_agency_and_every_weak_item_in_the_rows_of_its_bodies(
        province: UnitAnalysis) -> None:
    rows = {r.unit: r for r in province.responsibility}
    assert len(rows) == len(province.responsibility), "an agency has two rows"
    assert province.responsibility, "the sample province has weak items"
    for index, c in weak_items(province):
        bodies = [u for u in c.responsible if not is_collective(u, WORDS)] or list(index.coordinator)
        for body in bodies:
            assert (index.index, c.code) in {(i.index, i.code) for i in rows[body].components}


def test_each_line_carries_its_own_loss(kit: Toolkit, province: UnitAnalysis) -> None:
    ctx = context(kit, province)
    table = ctx["responsibility"]["rows"]
    assert len(table) == len(province.responsibility)
    for row, r in zip(table, province.responsibility, strict=True):
        assert len(row["lines"]) == len(r.components)
        for line, item in zip(row["lines"], r.components, strict=True):
            name = (f"tiêu chí {item.code} {item.name} ({item.field_name})"
                    if item.level == "criterion" else item.short_name)
            assert line.startswith(f"{item.index_short_name} – {name}:")
            if item.gap_measured:
                assert "mất" not in line, line  # a survey index loses no points
                assert item.gap_to_mean is not None
                if item.gap_to_mean < 0:
                    assert f"thấp hơn trung bình {fmt.num(-item.gap_to_mean)}" in line
            elif item.points_lost:
                assert f"mất {fmt.num(item.points_lost)}/{fmt.num(item.max)} điểm" in line
            if item.delta_rank is not None and item.delta_rank < 0:
                own = line.split(" (tiêu chí ")[0]  # the field's loss, before its criteria
                assert own.endswith(f"giảm {abs(item.delta_rank):02d} bậc"), line


def test_survey_indexes_never_say_points_lost(kit: Toolkit, province: UnitAnalysis) -> None:
    ctx = context(kit, province)
    survey = {i.short_name for i in province.indices if i.loss_measure == "gap"}
    assert survey, "the sample has survey indexes (SIPAS, PAPI)"
    lines = [line for row in ctx["responsibility"]["rows"] for line in row["lines"]
             if line.split(" – ")[0] in survey]
    assert lines
    for line in lines:
        assert "mất" not in line and "điểm bị mất" not in line, line


def test_one_demand_per_row_naming_its_main_item(kit: Toolkit, province: UnitAnalysis) -> None:
    ctx = context(kit, province)
    for row, r in zip(ctx["responsibility"]["rows"], province.responsibility, strict=True):
        focus = r.focus
        assert focus is not None
        assert f"{focus.short_name} ({focus.index_short_name})" in row["request"]
        if r.demand is Demand.FALL:
            assert f"giảm {focus.places_lost:02d} bậc" in row["request"]
            led = [c for c in r.components if c.first_lead] or list(r.components)
            assert focus.places_lost == max(c.places_lost for c in led)
    requests = [row["request"] for row in ctx["responsibility"]["rows"]]
    assert len(set(requests)) == len(requests), "the same demand printed in every row"


def test_no_collective_name_is_accountable(kit: Toolkit, province: UnitAnalysis) -> None:
    units = [r.unit or "" for r in province.responsibility]
    assert not [u for u in units if is_collective(u, WORDS)]
    ctx = context(kit, province)
    assert "các sở theo nhóm" not in str(ctx["responsibility"])
    assert "các sở theo nhóm" not in str(ctx["implementation"])


@pytest.mark.parametrize(("name", "collective"), [
    ("các sở theo nhóm chính sách", True), ("Các sở, ban, ngành", True),
    ("những cơ quan liên quan", True), ("", True),
    ("Sở Y tế", False), ("UBND cấp xã", False), ("Văn phòng UBND tỉnh", False),
])
def test_is_collective(name: str, collective: bool) -> None:
    assert is_collective(name, WORDS) is collective


def test_collective_words_come_from_analysis_yaml(tmp_path: Path, project: Project,
                                                  dataset: Dataset) -> None:
    assert WORDS and is_collective("Các sở, ban, ngành", WORDS)
    assert not is_collective("Các sở, ban, ngành")  # no words given: only the lower case rule
    sipas = next(i for i in analyze_unit(dataset, PROVINCE, YEAR, default_rules()).indices
                 if i.index == "SIPAS")
    code = sipas.weaknesses[0]
    text = (packaged_dir() / "analysis.yaml").read_text(encoding="utf-8")
    assert text.count("collective_words:") == 1
    none = re.sub(r"collective_words: \[[^\]]*\]", "collective_words: []", text)
    kit = kit_with(tmp_path, project, **{
        "analysis.yaml": none,
        "responsible.yaml": f'SIPAS: {{"{code}": [Các sở theo nhóm chính sách]}}\n'})
    rows = {r.unit for r in analyze_unit(dataset, PROVINCE, YEAR, kit.rules).responsibility}
    assert "Các sở theo nhóm chính sách" in rows  # the clerk removed the words: a body again


def test_collective_override_goes_to_the_coordinator_and_named_bodies_get_rows(
        tmp_path: Path, project: Project, dataset: Dataset) -> None:
    sipas = next(i for i in analyze_unit(dataset, PROVINCE, YEAR,
                                         make_toolkit(project, dpi=0).rules).indices
                 if i.index == "SIPAS")
    code = sipas.weaknesses[0]
    named = kit_with(tmp_path / "a", project, **{
        "responsible.yaml": f'SIPAS: {{"{code}": [Sở Y tế, các sở theo nhóm chính sách]}}\n'})
    rows = {r.unit: r for r in analyze_unit(dataset, PROVINCE, YEAR, named.rules).responsibility}
    assert [(c.index, c.code) for c in rows["Sở Y tế"].components] == [("SIPAS", code)]
    assert rows["Sở Y tế"].components[0].shared_with == ()
    only_group = kit_with(tmp_path / "b", project, **{
        "responsible.yaml": f'SIPAS: {{"{code}": [các sở theo nhóm chính sách]}}\n'})
    rows = {r.unit: r for r in analyze_unit(dataset, PROVINCE, YEAR,
                                            only_group.rules).responsibility}
    coordinator = sipas.coordinator[0]
    assert ("SIPAS", code) in {(c.index, c.code) for c in rows[coordinator].components}
    assert all(not is_collective(u or "", WORDS) for u in rows)


# --- self-coordination, the issuing agency ------------------------------------------------------

def test_no_department_coordinates_with_itself(kit: Toolkit, dataset: Dataset) -> None:
    prepared = prepare(dataset)
    departments = sorted({u for u, _ in prepared.rows if prepared.rows[(u, _)].get(YEAR)
                          and any(r.group == "Khối sở"
                                  for r in prepared.rows[(u, _)][YEAR].values())})
    assert DEPARTMENT in departments
    for unit in departments:
        analysis = analyze_unit(prepared, unit, YEAR, kit.rules)
        for r in analysis.responsibility:
            assert r.unit != unit
            assert all(unit not in c.shared_with for c in r.components)
        for s in analysis.solutions:
            assert unit not in s.support


def test_the_issuing_agency_states_its_own_responsibility(kit: Toolkit,
                                                         province: UnitAnalysis) -> None:
    ctx = context(kit, province)
    own = [(row, r) for row, r in zip(ctx["responsibility"]["rows"], province.responsibility,
                                      strict=True) if r.unit == ISSUER]
    assert len(own) == 1
    row, r = own[0]
    assert row["request"].startswith("Tự kiểm điểm trách nhiệm tham mưu")
    assert f"gửi {ISSUER}" not in row["request"]  # it does not report to itself
    led = [i.short_name for i in province.indices if ISSUER in i.coordinator]
    assert list(r.coordinates) == led
    assert f"Là cơ quan đầu mối {', '.join(led)}" in row["request"]
    assert f"{ISSUER} nghiêm túc nhận trách nhiệm" in ctx["responsibility"]["closing"]
    # the others' explanations go to the issuer: said once, after the table (not in every row)
    others = [row for row, r in zip(ctx["responsibility"]["rows"], province.responsibility,
                                    strict=True) if r.unit != ISSUER]
    assert others and not any(ISSUER in row["request"] for row in others)
    assert f"về {ISSUER} trước ngày" in ctx["responsibility"]["closing"]


# --- deadlines ------------------------------------------------------------------------------------

def test_the_deadline_of_report_yaml_is_in_every_row(kit: Toolkit, province: UnitAnalysis) -> None:
    ctx = context(kit, province)
    deadline = f"trước ngày 20 tháng 5 năm {province.action_year}"
    assert all(row["request"].find(deadline) > 0 for row in ctx["responsibility"]["rows"])
    assert deadline in ctx["responsibility"]["closing"]


def test_a_group_overrides_one_deadline_and_keeps_the_others(
        tmp_path: Path, project: Project, dataset: Dataset) -> None:
    text = report_yaml(groups={"Tỉnh, thành phố": {"deadlines": {
        "explanation": "trước ngày 12 tháng 6 năm {{ next_year }}"}}})
    kit = kit_with(tmp_path, project, **{"report.yaml": text})
    analysis = analyze_unit(dataset, PROVINCE, YEAR, kit.rules)
    ctx = context(kit, analysis)
    new = f"trước ngày 12 tháng 6 năm {analysis.action_year}"
    assert all(new in row["request"] for row in ctx["responsibility"]["rows"])
    tasks = " ".join(ctx["implementation"]["tasks"])
    assert new in tasks
    assert f"trước ngày 15 tháng 12 năm {analysis.action_year}" in tasks  # the default kept


def test_the_older_explanation_deadline_key_still_works(
        tmp_path: Path, project: Project, dataset: Dataset) -> None:
    text = report_yaml({"explanation_deadline": "trước ngày 01 tháng 6 năm {{ next_year }}"},
                       drop=("deadlines",))
    kit = kit_with(tmp_path, project, **{"report.yaml": text})
    analysis = analyze_unit(dataset, PROVINCE, YEAR, kit.rules)
    ctx = context(kit, analysis)
    old = f"trước ngày 01 tháng 6 năm {analysis.action_year}"
    assert all(old in row["request"] for row in ctx["responsibility"]["rows"])


def test_both_deadline_keys_is_a_located_error(tmp_path: Path, project: Project) -> None:
    text = report_yaml({"explanation_deadline": "trước ngày 01 tháng 6"})
    with pytest.raises(ReportgenError) as info:
        kit_with(tmp_path, project, **{"report.yaml": text})
    message = str(info.value)
    assert "report.yaml" in message and "defaults.explanation_deadline" in message
    assert "deadlines.explanation" in message


@pytest.mark.parametrize(("snippet", "key", "words"), [
    ("  proposals:\n    - to: Bộ Nội vụ\n", "defaults.proposals[1].items", "items"),
    ("  proposals:\n    - items: [x]\n", "defaults.proposals[1].to", "to"),
    ("  deadlines:\n    tomorrow: x\n", "defaults.deadlines.tomorrow", "tomorrow"),
])
def test_bad_section_vi_settings_are_located(tmp_path: Path, project: Project, snippet: str,
                                             key: str, words: str) -> None:
    (tmp_path / "report.yaml").write_text("defaults:\n" + snippet, encoding="utf-8")
    with pytest.raises(ReportgenError) as info:
        make_toolkit(open_project(tmp_path), config=tmp_path / "report.yaml", dpi=0)
    message = str(info.value)
    assert "report.yaml" in message and key in message and words in message


# --- section VI -------------------------------------------------------------------------------------

def test_section_vi_names_agencies_and_deadlines(kit: Toolkit, province: UnitAnalysis) -> None:
    ctx = context(kit, province)
    tasks = ctx["implementation"]["tasks"]
    bodies = [r.unit for r in province.responsibility if r.unit and r.unit != ISSUER]
    assert f"({', '.join(bodies)})" in tasks[0]
    assert f"trước ngày 20 tháng 5 năm {province.action_year}" in tasks[0]
    assert tasks[-1].startswith(ISSUER) and "Ủy ban nhân dân tỉnh" in tasks[-1]
    assert f"({ISSUER}" not in " ".join(tasks) and f", {ISSUER}," not in " ".join(tasks)
    headings = [p["heading"] for p in ctx["implementation"]["proposals"]]
    assert headings == ["a) Đối với Ủy ban nhân dân tỉnh:", "b) Đối với Bộ Nội vụ:"]
    assert all(p["items"] for p in ctx["implementation"]["proposals"])


def test_section_vi_is_printed_before_the_closing(kit: Toolkit, province: UnitAnalysis) -> None:
    ctx = context(kit, province)
    text = dump(kit.renderer.render(ctx))
    vi = text.index("[Heading 1] VI. TỔ CHỨC THỰC HIỆN, KIẾN NGHỊ")
    assert text.index("[Heading 1] V. NHIỆM VỤ") < vi < text.index("Trên đây là")
    assert text.index("2. Đề xuất, kiến nghị") > vi
    for task in ctx["implementation"]["tasks"]:
        assert task in text
    assert "| Nội dung còn hạn chế, mức độ" in text and "Điểm bị mất / thứ hạng giảm" not in text


def test_a_department_report_has_its_group_proposals(kit: Toolkit, dataset: Dataset) -> None:
    analysis = analyze_unit(dataset, DEPARTMENT, YEAR, kit.rules)
    ctx = context(kit, analysis)
    proposals = ctx["implementation"]["proposals"]
    assert [p["heading"] for p in proposals] == ["a) Đối với Ủy ban nhân dân tỉnh:"]
    assert DEPARTMENT in proposals[0]["items"][0]


def test_no_proposals_no_subsection(tmp_path: Path, project: Project, dataset: Dataset) -> None:
    text = report_yaml({"proposals": []})
    kit = kit_with(tmp_path, project, **{"report.yaml": text})
    analysis = analyze_unit(dataset, PROVINCE, YEAR, kit.rules)
    ctx = context(kit, analysis)
    assert ctx["implementation"]["proposals"] == []
    rendered = dump(kit.renderer.render(ctx))
    assert "VI. TỔ CHỨC THỰC HIỆN" in rendered and "Đề xuất, kiến nghị" not in rendered


# --- the group overview ---------------------------------------------------------------------------

GROUP = "Khối sở"


def overview_of(kit: Toolkit, dataset: Dataset, group: str = GROUP) -> tuple[Any, dict[str, Any]]:
    from reportgen.analysis.group import group_overview
    from reportgen.narrate.group import overview_context
    overview = group_overview(dataset, YEAR, group, kit.rules)
    return overview, dict(overview_context(kit.narrator, overview, {}, {}))


def test_overview_counts_say_which_mean(kit: Toolkit, dataset: Dataset) -> None:
    overview, ctx = overview_of(kit, dataset)
    index = overview.indices[0]
    above = sum(1 for r in index.rows if r.score >= index.stats.mean - 1e-9)
    text = " ".join(ctx["results"][0]["paragraphs"])
    assert (f"{above:02d} đơn vị đạt điểm từ mức điểm trung bình của nhóm trở lên, "
            f"{len(index.rows) - above:02d} đơn vị có điểm thấp hơn mức điểm trung bình của nhóm"
            ) in text
    assert "đạt từ mức trung bình trở lên" not in text
    lagging = " ".join(p for block in ctx["leaders"] for sub in block["subsections"]
                       for p in [*sub["paragraphs"], *sub["bullets"]])
    assert index.rating and any(g.label == "Trung bình" for g in index.rating.groups)
    for r in index.bottom:  # beside a rating group named "Trung bình": which mean is said
        assert (f"{'cao hơn' if r.above_mean else 'thấp hơn'} mức điểm trung bình của nhóm "
                f"{fmt.num(abs(r.gap_to_mean))}") in lagging
    assert "mức trung bình " not in lagging


def test_overview_tasks_name_the_units_to_improve_with_deadlines(kit: Toolkit,
                                                                dataset: Dataset) -> None:
    from reportgen.narrate.group import units_to_improve
    overview, ctx = overview_of(kit, dataset)
    index = overview.indices[0]
    lowest = index.rating.groups[-1] if index.rating else None
    expected = [r.unit for r in index.rows
                if r in index.bottom or (lowest is not None and r.unit in lowest.units)]
    assert units_to_improve(index) == expected and expected
    parts = {p["heading"].split(". ", 1)[1]: p for p in ctx["actions"]}
    tasks = parts["Nhiệm vụ, giải pháp"]["paragraphs"]
    assert tasks[0] == (f"{index.short_name}: {', '.join(expected)} phân tích nguyên nhân, xây "
                        f"dựng kế hoạch khắc phục, gửi {ISSUER} trước ngày 20 tháng 5 năm "
                        f"{overview.action_year}.")
    assert tasks[-1].startswith(f"{ISSUER} theo dõi, đôn đốc")
    assert f"trước ngày 15 tháng 12 năm {overview.action_year}" in tasks[-1]


def test_overview_solutions_for_the_weakest_components(kit: Toolkit, dataset: Dataset) -> None:
    overview, ctx = overview_of(kit, dataset)
    index = overview.indices[0]
    percents = [c.mean_percent for c in index.components if c.mean_percent is not None]
    average = sum(percents) / len(percents)
    assert overview.solutions
    for s in overview.solutions:
        assert s.mean_percent is not None and s.mean_percent < average
        assert s.lead and s.text
    lowest = min(index.components, key=lambda c: c.mean_percent or 0.0)
    assert overview.solutions[0].code == lowest.code
    body = " ".join(p for part in ctx["actions"] for p in part["paragraphs"])
    first = overview.solutions[0]
    assert (f"a) {first.short_name} ({first.index_short_name}, điểm trung bình của nhóm đạt "
            f"{fmt.num(first.mean_percent)}% điểm tối đa): {first.text} Chủ trì: "
            f"{', '.join(first.lead)} ở từng sở, ban, ngành") in body  # each department's own


def test_overview_causes_come_from_the_notes_table(kit: Toolkit, dataset: Dataset) -> None:
    import dataclasses

    from reportgen.data.notes import UserNote
    notes = [
        UserNote(YEAR, DEPARTMENT, "subjective", "Công chức pháp chế nghỉ việc giữa năm.",
                 "PAR_SO", "2"),
        UserNote(YEAR, "Sở Y tế", "objective", "Sáp nhập hai phòng chuyên môn."),
        UserNote(YEAR - 1, DEPARTMENT, "objective", "Một nguyên nhân của năm trước."),
        UserNote(YEAR, PROVINCE, "objective", "Nguyên nhân của một đơn vị ngoài nhóm."),
    ]
    with_notes = dataclasses.replace(dataset, notes=notes)
    overview, ctx = overview_of(kit, with_notes)
    causes = ctx["actions"][0]
    assert causes["heading"] == "1. Nguyên nhân"
    field = next(c.name for c in overview.indices[0].components if c.code == "2")
    assert causes["bullets"] == [
        "Sở Y tế: Sáp nhập hai phòng chuyên môn.",
        f"{DEPARTMENT} ({field}): Công chức pháp chế nghỉ việc giữa năm.",
    ]
    assert ctx["actions"][1]["heading"] == "2. Nhiệm vụ, giải pháp"


def test_overview_without_notes_has_no_cause_part(kit: Toolkit, dataset: Dataset) -> None:
    overview, ctx = overview_of(kit, dataset)
    assert not overview.causes.objective and not overview.causes.subjective
    assert [p["heading"] for p in ctx["actions"]] == ["1. Nhiệm vụ, giải pháp",
                                                    "2. Đề xuất, kiến nghị"]


def test_overview_proposals_are_the_overview_s_own(tmp_path: Path, project: Project,
                                                   dataset: Dataset) -> None:
    _, ctx = overview_of(make_toolkit(project, dpi=0), dataset)
    proposals = ctx["actions"][-1]["paragraphs"]
    assert len(proposals) == 1 and proposals[0].startswith("a) Đối với Ủy ban nhân dân tỉnh: ")
    assert "{{" not in proposals[0] and "Hòa Lâm" not in proposals[0]  # no unit-report wording
    text = report_yaml(groups={GROUP: {"overview": {"proposals": [
        {"to": "Bộ Nội vụ", "items": ["Hướng dẫn chấm điểm năm {{ next_year }}."]}]}}})
    kit = kit_with(tmp_path, project, **{"report.yaml": text})
    overview, ctx = overview_of(kit, dataset)
    assert ctx["actions"][-1]["paragraphs"] == [
        f"a) Đối với Bộ Nội vụ: Hướng dẫn chấm điểm năm {overview.action_year}."]


def test_overview_renders_the_section_before_the_closing(kit: Toolkit, dataset: Dataset) -> None:
    from reportgen.docx.render import Renderer
    _, ctx = overview_of(kit, dataset)
    renderer = Renderer(kit.project.search.find("tong-hop.docx"))
    text = dump(renderer.render(ctx))
    heading = text.index(f"[Heading 1] {ctx['sections']['actions']}")
    assert text.index("ĐƠN VỊ DẪN ĐẦU") < heading < text.index("Trên đây là")
    for part in ctx["actions"]:
        assert f"[Heading 2] {part['heading']}" in text


# --- criteria (when the data has them) ------------------------------------------------------------

def test_criteria_explaining_a_weak_field_go_to_their_own_leads(province: UnitAnalysis,
                                                              kit: Toolkit) -> None:
    listed = {(r.unit, i.index, i.code) for r in province.responsibility for i in r.components
              if i.level == "criterion"}
    folded = {(r.unit, t.index, t.code) for r in province.responsibility for i in r.components
              for t in i.criteria}
    assert not listed & folded
    listed |= folded
    assert listed, "the sample PAR INDEX has criteria"
    expected = set()
    for index, c in weak_items(province):
        fields = {f.code: f for f in (index.criteria.fields if index.criteria else ())}
        if c.code not in fields:
            continue
        for crit in fields[c.code].explaining_items:
            for body in crit.lead or c.responsible:
                expected.add((body, index.index, crit.code))
    assert listed == expected
    # an agency answers for a criterion of a field it does not lead
    foreign = [(u, i, code) for u, i, code in listed
               if all(u not in comp.responsible for idx, comp in weak_items(province)
                      if idx.index == i and code.startswith(comp.code + "."))]
    assert foreign
    for r in province.responsibility:  # a criterion's points are already in its field's
        assert r.points_lost == pytest.approx(sum(
            i.points_lost or 0.0 for i in r.components
            if i.level == "component" and i.additive and not i.gap_measured))
    ctx = context(kit, province)
    for row, r in zip(ctx["responsibility"]["rows"], province.responsibility, strict=True):
        for line, item in zip(row["lines"], r.components, strict=True):
            if item.level == "criterion":  # led by an agency that does not lead its field
                assert line.startswith(f"{item.index_short_name} – tiêu chí {item.code} "
                                       f"{item.name} ({item.field_name}): ")
                assert f"mất {fmt.num(item.points_lost)}/{fmt.num(item.max)} điểm" in line
                assert (item.index, item.field_code) not in {
                    (i.index, i.code) for i in r.components if i.level == "component"}
            elif item.criteria:  # the field's own criteria, on the field's line
                parts = "; ".join(f"{t.code}: mất {fmt.num(t.points_lost)} điểm"
                                  for t in item.criteria)
                assert line.endswith(f" (tiêu chí {parts})"), line


# --- a department's report: the bodies are its own divisions ---------------------------------------

@pytest.mark.parametrize("unit", [DEPARTMENT, ISSUER])
def test_a_department_directs_its_divisions(kit: Toolkit, dataset: Dataset, unit: str) -> None:
    analysis = analyze_unit(dataset, unit, YEAR, kit.rules)
    assert analysis.responsibility, f"{unit} has weak fields in the sample"
    ctx = context(kit, analysis)
    section = ctx["responsibility"]
    deadline = f"trước ngày 20 tháng 5 năm {analysis.action_year}"
    for row in section["rows"]:
        assert deadline in row["request"]
    tasks = ctx["implementation"]["tasks"]
    bodies = ", ".join(r.unit or "" for r in analysis.responsibility)
    assert tasks[0].startswith(f"{unit} chỉ đạo các bộ phận nêu tại Mục IV ({bodies})")
    assert section["closing"].startswith(f"Đề nghị {unit} chỉ đạo các bộ phận nêu trên")
    text = " ".join([section["closing"], *tasks, *(r["request"] for r in section["rows"])])
    if unit == ISSUER:  # the issuing agency reports on itself: never to itself
        assert f"gửi {ISSUER}" not in text and f"về {ISSUER}" not in text
        assert "báo cáo Ủy ban nhân dân tỉnh" in tasks[0]
    else:
        assert f"về {ISSUER} {deadline}" in tasks[0]


def test_a_provinces_overview_assigns_no_tasks_to_other_provinces(kit: Toolkit,
                                                                 dataset: Dataset) -> None:
    overview, ctx = overview_of(kit, dataset, "Tỉnh, thành phố")
    tasks = next(p for p in ctx["actions"] if p["heading"].endswith("Nhiệm vụ, giải pháp"))
    text = " ".join(tasks["paragraphs"])
    assert "phân tích nguyên nhân, xây dựng kế hoạch khắc phục" not in text
    assert not [r.unit for i in overview.indices for r in i.bottom if r.unit in text]
    assert overview.solutions and text.startswith("a) ")  # the solutions are still there


@pytest.mark.parametrize("key", ["deadlines", "proposals"])
def test_a_broken_setting_template_is_a_located_error(tmp_path: Path, project: Project,
                                                      dataset: Dataset, key: str) -> None:
    broken = "trước ngày {{ ngay"
    value: Any = ({"explanation": broken} if key == "deadlines"
                  else [{"to": "Bộ Nội vụ", "items": [broken]}])
    kit = kit_with(tmp_path, project, **{"report.yaml": report_yaml({key: value})})
    analysis = analyze_unit(dataset, PROVINCE, YEAR, kit.rules)
    with pytest.raises(ReportgenError) as info:
        context(kit, analysis)
    message = str(info.value)
    assert "report.yaml" in message and broken in message


def test_joint_grouping_keeps_co_leads_in_one_row(tmp_path: Path, project: Project,
                                                  dataset: Dataset) -> None:
    text = (packaged_dir() / "analysis.yaml").read_text(encoding="utf-8")
    assert text.count("grouping: unit") == 1
    kit = kit_with(tmp_path, project, **{"analysis.yaml": text.replace("grouping: unit",
                                                                       "grouping: joint")})
    analysis = analyze_unit(dataset, PROVINCE, YEAR, kit.rules)
    units = [r.unit for r in analysis.responsibility]
    assert len(units) == len(set(units))
    for index, c in weak_items(analysis):
        bodies = [u for u in c.responsible if not is_collective(u, WORDS)] or list(index.coordinator)
        assert "; ".join(bodies) in units
    ctx = context(kit, analysis)
    assert [row["unit"] for row in ctx["responsibility"]["rows"]] == units
