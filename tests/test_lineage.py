"""Reports across the 2025 reorganisation (issue #15): the ``lineage`` table, comparable previous
values (re-cut, merge, rename, split), no change of places between groups of different sizes,
renamed agencies, and the commune sample at scale."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reportgen.analysis.model import IndexAnalysis
from reportgen.analysis.unit import analyze_unit, prepare
from reportgen.app import load_dataset, make_toolkit, open_project, render_report
from reportgen.cli import app
from reportgen.config.rules import Rules, load_rules
from reportgen.data.lineage import is_lineage_file
from reportgen.data.sample import COMMUNE_GROUP, communes, write_communes
from reportgen.data.validate import Dataset
from reportgen.docx.dump import dump, dump_file
from reportgen.errors import DataError

PROVINCES = "Tỉnh, thành phố"
OLD = [f"Tỉnh Cũ {i:02d}" for i in range(1, 64)]  # 63 provinces until 2024
CODES = "12345678"  # PAPI's eight dimensions (templates/frameworks/papi_2018.yaml)


def _score(unit_no: int, code: int, year: int) -> float:
    """A fixed, varied score out of 10 (no randomness: every figure is traceable)."""
    return round(3.0 + ((unit_no * 7 + code * 3 + year) % 60) / 10, 2)


def _rows(year: int, unit: str, no: int, group: str = PROVINCES,
          source: str = "hư cấu") -> list[dict[str, object]]:
    comps = {c: _score(no, int(c), year) for c in CODES}
    out: list[dict[str, object]] = [
        {"year": year, "index": "PAPI", "unit": unit, "component": c, "score": s,
         "group": group, "source": source} for c, s in comps.items()]
    out.append({"year": year, "index": "PAPI", "unit": unit, "component": "TOTAL",
                "score": round(sum(comps.values()), 2), "group": group, "source": source})
    return out


def _write(folder: Path, scores: list[dict[str, object]],
           lineage: list[dict[str, object]] | None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "scores.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["year", "index", "unit", "component", "score",
                                                "group", "source"])
        writer.writeheader()
        writer.writerows(scores)
    if lineage is not None:
        fields = ["year", "unit", "predecessor", "weight", "kind", "source"]
        with (folder / "lineage.csv").open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=fields)
            writer.writeheader()
            writer.writerows([{k: r.get(k, "") for k in fields} for r in lineage])
    return folder


def _reorganised(folder: Path, weights: bool = True) -> tuple[Path, list[str]]:
    """63 provinces in 2024, 34 in 2025: pairs (1, 2), (3, 4) … (57, 58) merged, shares 0.6/0.4;
    the first merged province keeps its name ("Tỉnh Cũ 01"); 59–63 unchanged."""
    scores = [r for i, u in enumerate(OLD, start=1) for r in _rows(2024, u, i)]
    lineage: list[dict[str, object]] = []
    new: list[str] = []
    for k in range(29):
        a, b = OLD[2 * k], OLD[2 * k + 1]
        name = a if k == 0 else f"Tỉnh Mới {k + 1:02d}"
        new.append(name)
        lineage += [{"year": 2025, "unit": name, "predecessor": a, "weight": 0.6 if weights else ""},
                    {"year": 2025, "unit": name, "predecessor": b, "weight": 0.4 if weights else ""}]
    new += OLD[58:]
    scores += [r for i, u in enumerate(new, start=100) for r in _rows(2025, u, i)]
    return _write(folder, scores, lineage), new


def _total(scores_csv: Path, unit: str, year: int) -> float:
    """A TOTAL as the input file has it."""
    with scores_csv.open(encoding="utf-8") as fh:
        return next(float(r["score"]) for r in csv.DictReader(fh)
                    if r["unit"] == unit and r["year"] == str(year) and r["component"] == "TOTAL")


def _templates(tmp_path: Path, comparison: str = "", responsible: str = "",
               offset: int | None = None, weight: str = "") -> Path:
    """A templates folder overriding analysis.yaml (and responsible.yaml) only."""
    from reportgen.config.search import packaged_dir

    folder = tmp_path / "mau"
    folder.mkdir(exist_ok=True)
    text = (packaged_dir() / "analysis.yaml").read_text(encoding="utf-8")
    if comparison:
        text = text.replace("  lineage: weighted\n", comparison)
    if weight:
        text = text.replace('lineage_weight: ""', f'lineage_weight: "{weight}"')
    if offset is not None:
        text = re.sub(r"(?m)^action_year_offset: \d+", f"action_year_offset: {offset}", text)
    (folder / "analysis.yaml").write_text(text, encoding="utf-8")
    if responsible:
        (folder / "responsible.yaml").write_text(responsible, encoding="utf-8")
    return folder


def _analyse(folder: Path, unit: str, year: int,
             templates: Path | None = None) -> tuple[IndexAnalysis, Dataset, Rules]:
    project = open_project(templates)
    dataset = load_dataset(project, folder)
    rules = load_rules(project.search)
    return analyze_unit(prepare(dataset), unit, year, rules).indices[0], dataset, rules


def _errors(folder: Path) -> list[str]:
    with pytest.raises(DataError) as caught:
        load_dataset(open_project(), folder)
    return [f"{i.code}|{i.location.row}|{i.location.column}|{i.message}"
            for i in caught.value.issues]


# --- the table ------------------------------------------------------------------------------------

def test_the_lineage_table_is_recognised_by_its_name():
    assert is_lineage_file("lineage") and is_lineage_file("Kế thừa") and not is_lineage_file("notes")


def test_a_lineage_sheet_of_an_excel_file_is_read_with_vietnamese_headers(tmp_path):
    from openpyxl import Workbook

    folder, _ = _reorganised(tmp_path / "d")
    with (folder / "scores.csv").open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    (folder / "scores.csv").unlink()
    (folder / "lineage.csv").unlink()
    book = Workbook()
    scores = book.active
    scores.title = "scores"
    for row in rows:
        scores.append(row)
    sheet = book.create_sheet("lineage")
    sheet.append(["Năm", "Đơn vị", "Đơn vị trước sắp xếp", "Trọng số", "Hình thức"])
    sheet.append([2025, "Tỉnh Mới 02", "Tỉnh Cũ 03", 0.6, "Hợp nhất"])
    sheet.append([2025, "Tỉnh Mới 02", "Tỉnh Cũ 04", 0.4, "Hợp nhất"])
    book.save(folder / "data.xlsx")
    i, dataset, _ = _analyse(folder, "Tỉnh Mới 02", 2025)
    assert [link.predecessor for link in dataset.lineage.links] == ["Tỉnh Cũ 03", "Tỉnh Cũ 04"]
    assert i.previous is not None and i.previous.basis == "merge"
    assert [p.weight for p in i.previous.predecessors] == [0.6, 0.4]


def test_merge_weighted_by_the_declared_shares(tmp_path):
    folder, _ = _reorganised(tmp_path / "d")
    i, _, _ = _analyse(folder, "Tỉnh Mới 02", 2025)
    a, b = _total(folder / "scores.csv", "Tỉnh Cũ 03", 2024), _total(folder / "scores.csv",
                                                                     "Tỉnh Cũ 04", 2024)
    assert i.previous is not None and i.previous.basis == "merge"
    assert i.previous.method == "weighted"
    assert i.previous.score == pytest.approx(0.6 * a + 0.4 * b, abs=1e-6)
    assert [p.unit for p in i.previous.predecessors] == ["Tỉnh Cũ 03", "Tỉnh Cũ 04"]
    assert [p.of for p in i.previous.predecessors] == [63, 63]
    assert i.previous.rank is None  # a combination has no place
    assert i.delta_score == pytest.approx(i.score - (0.6 * a + 0.4 * b), abs=1e-6)


def test_equal_weights_when_the_method_says_so_or_shares_are_missing(tmp_path):
    folder, _ = _reorganised(tmp_path / "d")
    equal = _templates(tmp_path, comparison="  lineage: equal\n")
    i, _, _ = _analyse(folder, "Tỉnh Mới 02", 2025, equal)
    a, b = _total(folder / "scores.csv", "Tỉnh Cũ 03", 2024), _total(folder / "scores.csv",
                                                                     "Tỉnh Cũ 04", 2024)
    assert i.previous is not None and i.previous.method == "equal"
    assert i.previous.score == pytest.approx((a + b) / 2, abs=1e-6)
    no_shares, _ = _reorganised(tmp_path / "d2", weights=False)
    j, _, _ = _analyse(no_shares, "Tỉnh Mới 02", 2025)
    assert j.previous is not None and j.previous.method == "equal"
    assert j.previous.score == pytest.approx((a + b) / 2, abs=1e-6)


def test_method_none_gives_no_previous_value_but_names_the_predecessors(tmp_path):
    folder, _ = _reorganised(tmp_path / "d")
    none = _templates(tmp_path, comparison="  lineage: none\n")
    i, _, _ = _analyse(folder, "Tỉnh Mới 02", 2025, none)
    assert i.previous is None and i.delta_score is None
    assert i.predecessors == ("Tỉnh Cũ 03", "Tỉnh Cũ 04") and i.formed == 2025


def test_a_unit_that_kept_its_name_is_merged_not_its_namesake(tmp_path):
    folder, _ = _reorganised(tmp_path / "d")
    i, _, _ = _analyse(folder, "Tỉnh Cũ 01", 2025)
    own = _total(folder / "scores.csv", "Tỉnh Cũ 01", 2024)
    other = _total(folder / "scores.csv", "Tỉnh Cũ 02", 2024)
    assert i.previous is not None and i.previous.basis == "merge"
    assert i.previous.score == pytest.approx(0.6 * own + 0.4 * other, abs=1e-6)
    assert i.previous.score != pytest.approx(own)
    assert [h.year for h in i.history] == [2025]  # the namesake's 2024 is not its history
    assert i.missing_previous_year is None


def test_an_unchanged_unit_gives_both_places_and_no_change_of_places(tmp_path):
    folder, _ = _reorganised(tmp_path / "d")
    i, _, _ = _analyse(folder, "Tỉnh Cũ 63", 2025)
    assert i.previous is not None and i.previous.basis == "own"
    assert (i.previous.of, i.of) == (63, 34)
    assert i.delta_rank is None and i.size_changed
    assert all(p.delta_rank is None for p in i.peers)
    assert all(c.delta_rank is None for c in i.components)


def test_no_range_of_places_across_group_sizes(tmp_path):
    folder, _ = _reorganised(tmp_path / "d")
    with (folder / "scores.csv").open("a", encoding="utf-8", newline="") as fh:
        csv.DictWriter(fh, fieldnames=["year", "index", "unit", "component", "score", "group",
                                       "source"]).writerows(
            [r for i, u in enumerate(OLD, start=1) for r in _rows(2023, u, i + 3)])
    i, _, _ = _analyse(folder, "Tỉnh Cũ 63", 2025)
    assert [(h.year, h.of, h.comparable) for h in i.history] == [
        (2023, 63, False), (2024, 63, False), (2025, 34, True)]
    assert i.rank_span is None  # "xếp từ hạng … đến hạng …" never mixes places of 63 and 34
    before, _, _ = _analyse(folder, "Tỉnh Cũ 63", 2024)
    assert all(h.comparable for h in before.history)


def test_missing_predecessor_values_give_no_comparison(tmp_path):
    scores = [r for i, u in enumerate(OLD[:3], start=1) for r in _rows(2024, u, i)]
    scores += [r for r in _rows(2024, "Tỉnh Cũ 04", 4) if r["component"] != "TOTAL"][:0]
    scores += _rows(2025, "Tỉnh Mới", 10) + _rows(2025, "Tỉnh Cũ 03", 11)
    scores += _rows(2023, "Tỉnh Cũ 04", 4)  # known, but without a 2024 result
    lineage = [{"year": 2025, "unit": "Tỉnh Mới", "predecessor": p} for p in
               ("Tỉnh Cũ 01", "Tỉnh Cũ 02", "Tỉnh Cũ 04")]
    folder = _write(tmp_path / "d", scores, lineage)
    i, _, _ = _analyse(folder, "Tỉnh Mới", 2025)
    assert i.previous is None and i.missing_previous_year is None
    assert i.predecessors == ("Tỉnh Cũ 01", "Tỉnh Cũ 02", "Tỉnh Cũ 04")


def test_a_published_re_cut_wins_over_the_combination(tmp_path):
    folder, _ = _reorganised(tmp_path / "d")
    recut = "PAPI 2024 tính lại theo 34 tỉnh, thành phố (hư cấu)"
    extra = _rows(2024, "Tỉnh Mới 02", 500, source=recut)
    with (folder / "scores.csv").open("a", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["year", "index", "unit", "component", "score",
                                                "group", "source"])
        writer.writerows(extra)
    i, dataset, _ = _analyse(folder, "Tỉnh Mới 02", 2025)
    published = next(float(str(r["score"])) for r in extra if r["component"] == "TOTAL")
    [said] = [w for w in dataset.warnings if w.code == "lineage_recut"]  # also a lost self-link
    assert "'Tỉnh Mới 02'" in said.message and said.location.column == "unit"
    assert i.previous is not None and i.previous.basis == "recut"
    assert i.previous.score == pytest.approx(published) and i.previous.source == recut
    assert i.previous.rank is None  # no published rank: none computed from one re-cut unit
    j, _, _ = _analyse(folder, "Tỉnh Cũ 03", 2024)
    assert j.of == 63  # the re-cut is not one of the 63 provinces ranked in 2024


def _departments(tmp_path: Path, lineage: list[dict[str, object]],
                 renamed_to: dict[str, str]) -> Path:
    """Five units of a group without a known size in 2024 and 2025 (same size both years)."""
    names = ["Đơn vị A", "Đơn vị B", "Đơn vị C", "Đơn vị D", "Đơn vị E"]
    scores = [r for i, u in enumerate(names, 1) for r in _rows(2024, u, i, group="Khối thử")]
    scores += [r for i, u in enumerate(names, 20)
               for r in _rows(2025, renamed_to.get(u, u), i, group="Khối thử")]
    return _write(tmp_path / "d", scores, lineage)


def test_a_renamed_unit_keeps_its_place_and_history_of_places(tmp_path):
    lineage = [{"year": 2025, "unit": "Đơn vị Mới", "predecessor": "Đơn vị B", "kind": "đổi tên"}]
    folder = _departments(tmp_path, lineage, {"Đơn vị B": "Đơn vị Mới"})
    i, _, _ = _analyse(folder, "Đơn vị Mới", 2025)
    before, _, _ = _analyse(folder, "Đơn vị B", 2024)
    assert i.previous is not None and i.previous.basis == "rename"
    assert i.previous.score == pytest.approx(_total(folder / "scores.csv", "Đơn vị B", 2024))
    assert i.previous.rank == before.rank and i.previous.of == 5
    assert i.delta_rank == before.rank - (i.rank or 0)


def test_a_split_compares_each_part_with_the_whole_before(tmp_path):
    lineage = [{"year": 2025, "unit": "Đơn vị C1", "predecessor": "Đơn vị C"},
               {"year": 2025, "unit": "Đơn vị C2", "predecessor": "Đơn vị C"}]
    folder = _departments(tmp_path, lineage, {"Đơn vị C": "Đơn vị C1"})
    with (folder / "scores.csv").open("a", encoding="utf-8", newline="") as fh:
        csv.DictWriter(fh, fieldnames=["year", "index", "unit", "component", "score", "group",
                                       "source"]).writerows(_rows(2025, "Đơn vị C2", 77,
                                                                  group="Khối thử"))
    whole = _total(folder / "scores.csv", "Đơn vị C", 2024)
    for part in ("Đơn vị C1", "Đơn vị C2"):
        i, _, _ = _analyse(folder, part, 2025)
        assert i.previous is not None and i.previous.basis == "split"
        assert i.previous.score == pytest.approx(whole)
        assert i.previous.rank is None and i.delta_rank is None  # the whole's place is not a part's


# --- validation -----------------------------------------------------------------------------------

def _small(tmp_path: Path, lineage: list[dict[str, object]]) -> Path:
    scores = [r for i, u in enumerate(OLD[:4], 1) for r in _rows(2024, u, i)]
    scores += _rows(2025, "Tỉnh Mới", 9) + _rows(2025, "Tỉnh Cũ 03", 8)
    return _write(tmp_path / "d", scores, lineage)


def test_an_unknown_predecessor_is_a_located_error(tmp_path):
    folder = _small(tmp_path, [{"year": 2025, "unit": "Tỉnh Mới", "predecessor": "Tỉnh Cũ 01"},
                               {"year": 2025, "unit": "Tỉnh Mới", "predecessor": "Tỉnh Cu 02x"}])
    errors = _errors(folder)
    assert any(e.startswith("lineage_unknown_predecessor|3|predecessor|") and "Tỉnh Cu 02x" in e
               for e in errors), errors


def test_weights_that_do_not_sum_to_one_are_a_located_error(tmp_path):
    folder = _small(tmp_path, [
        {"year": 2025, "unit": "Tỉnh Mới", "predecessor": "Tỉnh Cũ 01", "weight": "0,5"},
        {"year": 2025, "unit": "Tỉnh Mới", "predecessor": "Tỉnh Cũ 02", "weight": "0,3"}])
    errors = _errors(folder)
    assert any(e.startswith("lineage_weights|2|weight|") and "0.8" in e for e in errors), errors


def test_a_cycle_is_a_located_error(tmp_path):
    folder = _small(tmp_path, [{"year": 2025, "unit": "Tỉnh Mới", "predecessor": "Tỉnh Cũ 01"},
                               {"year": 2024, "unit": "Tỉnh Cũ 01", "predecessor": "Tỉnh Mới"}])
    errors = [e for e in _errors(folder) if e.startswith("lineage_cycle")]
    assert errors and "vòng kế thừa" in errors[0]


def test_a_predecessor_still_scored_is_a_located_error(tmp_path):
    folder = _small(tmp_path, [{"year": 2025, "unit": "Tỉnh Mới", "predecessor": "Tỉnh Cũ 03"}])
    errors = _errors(folder)
    assert any(e.startswith("lineage_still_scored|2|predecessor|") and "2025" in e
               for e in errors), errors


def test_a_bad_kind_or_year_is_a_located_error(tmp_path):
    folder = _small(tmp_path, [
        {"year": 2025, "unit": "Tỉnh Mới", "predecessor": "Tỉnh Cũ 01", "kind": "gộp lại"},
        {"year": "năm sau", "unit": "Tỉnh Mới", "predecessor": "Tỉnh Cũ 02"}])
    errors = _errors(folder)
    assert any(e.startswith("lineage_bad_kind|2|kind|") for e in errors), errors
    assert any(e.startswith("lineage_bad_year|3|year|") for e in errors), errors


# --- the text -------------------------------------------------------------------------------------

def test_the_report_of_a_merged_province_names_predecessors_and_method_and_no_place_change(
        tmp_path):
    folder, _ = _reorganised(tmp_path / "d")
    templates = _templates(tmp_path, weight="dân số")
    project = open_project(templates)
    dataset = load_dataset(project, folder)
    kit = make_toolkit(project, dpi=0)
    text = dump(render_report(kit, prepare(dataset), dataset, "Tỉnh Mới 02", 2025))
    a, b = _total(folder / "scores.csv", "Tỉnh Cũ 03", 2024), _total(folder / "scores.csv",
                                                                     "Tỉnh Cũ 04", 2024)
    printed = f"{0.6 * a + 0.4 * b:.2f}".replace(".", ",")
    flat = " ".join(text.split())
    assert ("so với kết quả năm 2024 của Tỉnh Cũ 03 và Tỉnh Cũ 04 trước hợp nhất "
            f"({printed}/80 điểm, bình quân theo dân số)") in flat
    assert ("PAPI năm 2024 là kết quả gộp của Tỉnh Cũ 03 và Tỉnh Cũ 04 trước hợp nhất (bình quân "
            "theo dân số)") in flat  # the note under Bảng 1 says what its 2024 column is
    assert _no_change_of_places(flat)
    unchanged = dump(render_report(kit, prepare(dataset), dataset, "Tỉnh Cũ 63", 2025))
    flat = " ".join(unchanged.split())
    assert _no_change_of_places(flat)
    assert "năm 2024: thứ" in flat and "/63" in flat and "/34" in flat
    assert "số đơn vị của nhóm hai năm khác nhau nên không so sánh số bậc" in flat
    assert "Năm 2024 nhóm có 63 tỉnh, thành phố, năm 2025 có 34 nên không so sánh số bậc" in flat
    # PAPI 8 (Quản trị điện tử) is led by Sở KH&CN from 2025 (frameworks/papi_2018.yaml)
    assert "Sở Khoa học và Công nghệ" in flat and "Thông tin và Truyền thông" not in flat


def _no_change_of_places(text: str) -> bool:
    """No "tăng/giảm N bậc" but a target within this year's 34 ("để tăng 05 bậc (lên vị trí
    10/34)"), and no count of components or units that rose or fell places."""
    changes = re.findall(r"(?:tăng|giảm) \d+ bậc(.{0,25})", text)
    counts = re.search(r"(?<!/ )(?<!/)(tăng|giảm) bậc", text)  # not the column "Tăng/ giảm bậc"
    return all("/34)" in tail for tail in changes) and counts is None


def test_a_merged_department_s_own_index_follows_its_merger(tmp_path):
    """Chỉ số CCHC khối sở: Sở Khoa học và Công nghệ of 2025 continues itself and Sở Thông tin và
    Truyền thông; Sở Tài chính continues itself and Sở Kế hoạch và Đầu tư (weights not given)."""
    maxima = {"1": 12, "2": 10, "3": 22, "4": 10, "5": 14, "6": 12, "7": 20}  # par_so_vi_du.yaml
    before = ["Sở Nội vụ", "Sở Tư pháp", "Sở Tài chính", "Sở Kế hoạch và Đầu tư",
              "Sở Khoa học và Công nghệ", "Sở Thông tin và Truyền thông", "Sở Y tế"]
    after = ["Sở Nội vụ", "Sở Tư pháp", "Sở Tài chính", "Sở Khoa học và Công nghệ", "Sở Y tế"]
    rows: list[dict[str, object]] = []
    for year, names in ((2024, before), (2025, after)):
        for n, unit in enumerate(names, start=1):
            comps = {c: round(m * (0.7 + ((n * 5 + int(c) + year) % 25) / 100), 2)
                     for c, m in maxima.items()}
            rows += [{"year": year, "index": "PAR_SO", "unit": unit, "component": c, "score": v,
                      "group": "Khối sở", "source": "hư cấu"} for c, v in comps.items()]
    lineage = [{"year": 2025, "unit": "Sở Khoa học và Công nghệ", "predecessor": p}
               for p in ("Sở Khoa học và Công nghệ", "Sở Thông tin và Truyền thông")]
    lineage += [{"year": 2025, "unit": "Sở Tài chính", "predecessor": p}
                for p in ("Sở Tài chính", "Sở Kế hoạch và Đầu tư")]
    folder = _write(tmp_path / "d", rows, lineage)

    def total(unit: str, year: int) -> float:  # the sum of the fields, as the input has them
        return sum(float(str(r["score"])) for r in rows if r["unit"] == unit and r["year"] == year)

    i, _, _ = _analyse(folder, "Sở Khoa học và Công nghệ", 2025)
    expected = (total("Sở Khoa học và Công nghệ", 2024) + total("Sở Thông tin và Truyền thông",
                                                                  2024)) / 2
    assert i.previous is not None and i.previous.basis == "merge" and i.previous.method == "equal"
    assert i.previous.score == pytest.approx(expected, abs=1e-6)
    assert i.delta_rank is None  # 7 departments then, 5 now
    unchanged, _, _ = _analyse(folder, "Sở Y tế", 2025)
    assert unchanged.previous is not None and unchanged.previous.basis == "own"
    assert unchanged.previous.score == pytest.approx(total("Sở Y tế", 2024), abs=1e-6)


# --- renamed agencies -----------------------------------------------------------------------------

RENAMED = """PAPI:
  "8": Sở Thông tin và Truyền thông
renamed:
  - {old: Sở Thông tin và Truyền thông, new: Sở Khoa học và Công nghệ, since: 2025-03-01}
"""


def test_a_renamed_agency_is_named_as_it_is_in_the_year_of_the_tasks(tmp_path):
    scores = [r for y in (2023, 2024, 2025) for i, u in enumerate(OLD[:3], 1)
              for r in _rows(y, u, i + y)]
    folder = _write(tmp_path / "d", scores, None)
    templates = _templates(tmp_path, responsible=RENAMED, offset=0)
    named = {}
    for year in (2024, 2025):
        i, _, _ = _analyse(folder, "Tỉnh Cũ 01", year, templates)
        component = i.component("8")
        assert component is not None
        named[year] = component.responsible
    assert named == {2024: ("Sở Thông tin và Truyền thông",), 2025: ("Sở Khoa học và Công nghệ",)}


def test_the_bundled_responsible_file_follows_the_2025_mergers():
    rules = load_rules(open_project().search)
    merged = ("Sở Thông tin và Truyền thông", "Sở Khoa học và Công nghệ")
    assert rules.current_names(merged, 2024) == merged
    assert rules.current_names(merged, 2025) == ("Sở Khoa học và Công nghệ",)
    assert rules.current_names(("Sở Tài nguyên và Môi trường",
                                "Sở Nông nghiệp và Phát triển nông thôn"), 2026) == (
        "Sở Nông nghiệp và Môi trường",)


def test_a_bad_renamed_entry_is_a_located_error(tmp_path):
    from reportgen.config.schema import SettingsError

    templates = _templates(tmp_path, responsible="renamed:\n  - {old: A, since: 2025-03-01}\n")
    with pytest.raises(SettingsError) as caught:
        load_rules(open_project(templates).search)
    issue = caught.value.issues[0]
    assert issue.location.line == 2 and "new" in f"{issue.location.where} {issue.message}"


# --- communes at scale ----------------------------------------------------------------------------

def test_the_commune_sample_merges_old_communes_with_lineage():
    rows, lineage = communes(old=30, new=10, seed=3)
    before = {r["unit"] for r in rows if r["year"] == 2024}
    after = {r["unit"] for r in rows if r["year"] == 2025}
    assert len(before) == 30 and len(after) == 10
    assert {str(r["predecessor"]) for r in lineage} == before
    assert {str(r["unit"]) for r in lineage} == after
    for unit in after:
        shares = [float(str(r["weight"])) for r in lineage if r["unit"] == unit]
        assert len(shares) >= 2 and sum(shares) == pytest.approx(1.0, abs=1e-9)
    assert all(r["group"] == COMMUNE_GROUP for r in rows)


def test_the_batch_of_the_commune_sample_runs(tmp_path):
    data = write_communes(tmp_path / "xa", old=12, new=4, seed=5)
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["batch", "--data", str(data), "--year", "2025",
                                      "--jobs", "1", "--out", str(out)])
    assert result.exit_code == 0, result.output
    reports = sorted(p.name for p in (out / "2025").rglob("*.docx"))
    assert len(reports) == 5 and "tong-hop.docx" in reports
    overview = " ".join(dump_file(next((out / "2025").rglob("tong-hop.docx"))).split())
    assert "So với năm 2024, " in overview  # every commune compared with its predecessors
    assert _no_change_of_places(overview)  # and never place against place (12 then, 4 now)
    assert "thứ hạng không so sánh được: năm 2024 nhóm có 12 đơn vị, năm 2025 có 4" in overview
    assert ("Kết quả năm 2024 của 04 đơn vị hình thành từ hợp nhất là kết quả gộp của các đơn vị "
            "trước hợp nhất (bình quân có trọng số)") in overview
