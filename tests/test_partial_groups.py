"""Truthful on the data provinces actually hold (issue #11): a file with the published rows of a
few provinces out of 63, some known only by their rank, with or without the ``groups`` table of
published group facts.

Every figure asserted here is read from the fixture rows written below (fictional provinces),
never from the code under test.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from reportgen.analysis.model import Basis
from reportgen.analysis.unit import analyze_unit, prepare
from reportgen.app import load_dataset, make_toolkit, open_project, render_report
from reportgen.config.rules import load_rules
from reportgen.data.groups import GROUPS_FILES, check_groups, is_groups_file, read_groups_table
from reportgen.data.text import fold, is_missing_mark
from reportgen.docx.dump import dump
from reportgen.errors import DataError, Location

YEAR = 2024
HOME = "Hòa Lâm"
# (unit, score or None for a published rank alone, published rank out of 63)
PUBLISHED = [
    ("Phú Hòa", "91,20", 1), ("An Xuyên", "90,85", 2), ("Lạc Điền", "90,10", 3),
    ("Cẩm Phong", None, 4), ("Trường Bình", "89,70", 5), ("Vạn Xuyên", None, 12),
    (HOME, "86,45", 20), ("Kim Sơn", "86,45", 20), ("Gia Giang", "85,90", 24),
    ("Lạc Thủy", "79,30", 63),
]
GROUP_SIZE = 63
PUBLISHED_MEAN = "84,50"
SOURCE = "Quyết định công bố Chỉ số CCHC năm 2024 (hư cấu)"


def _write(path: Path, rows: list[list[object]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def _scores(folder: Path, years: tuple[int, ...] = (YEAR,)) -> Path:
    rows: list[list[object]] = [["year", "index", "unit", "component", "score", "rank", "source"]]
    for year in years:
        for unit, score, rank in PUBLISHED:
            rows.append([year, "PAR_INDEX", unit, "TOTAL", score or "", rank, SOURCE])
    return _write(folder / "scores.csv", rows)


def _groups(folder: Path, **extra: object) -> Path:
    header = ["year", "index", "group", "size", "mean", "best_unit", "source", *extra]
    row = [YEAR, "PAR INDEX", "", GROUP_SIZE, PUBLISHED_MEAN, PUBLISHED[0][0], SOURCE,
           *extra.values()]
    return _write(folder / "groups.csv", [header, row])


@pytest.fixture(scope="module")
def project():
    return open_project()


def _text(project, folder: Path, unit: str = HOME, year: int = YEAR) -> str:
    dataset = load_dataset(project, folder)
    kit = make_toolkit(project, dpi=0)
    return dump(render_report(kit, prepare(dataset), dataset, unit, year))


def _number(text: str) -> float:
    return float(text.replace(",", "."))


def _ns(text: str) -> list[tuple[int, int]]:
    """Every "x/N" a report prints (ranks, shares)."""
    return [(int(a), int(b)) for a, b in re.findall(r"\b(\d{1,3})/(\d{1,3})\b", text)]


# --- the groups table -----------------------------------------------------------------------

def test_a_groups_file_is_recognised_by_its_name():
    assert is_groups_file("groups") and is_groups_file("Nhóm")
    assert not is_groups_file("scores") and "groups" in GROUPS_FILES


def test_missing_marks_are_missing_values():
    assert all(is_missing_mark(t) for t in ("N/A", "n/a", "-", "–", " - "))
    assert not is_missing_mark("0") and fold("Xếp hạng") == "xephang"


def test_published_facts_win(project, tmp_path):
    folder = tmp_path / "data"
    _scores(folder)
    _groups(folder)
    dataset = load_dataset(project, folder)
    fact = dataset.facts[(YEAR, "PAR_INDEX", "Tất cả đơn vị", "TOTAL")]
    assert (fact.size, fact.mean, fact.best_unit) == (GROUP_SIZE, _number(PUBLISHED_MEAN),
                                                      PUBLISHED[0][0])
    rules = load_rules(project.search)
    index = analyze_unit(dataset, HOME, YEAR, rules).indices[0]
    home_rank = dict((u, r) for u, _, r in PUBLISHED)[HOME]
    assert (index.rank, index.of, index.rank_basis) == (home_rank, GROUP_SIZE, Basis.PUBLISHED)
    assert index.peer.mean == _number(PUBLISHED_MEAN) and index.peer.basis == Basis.PUBLISHED
    assert index.peer.best_unit == PUBLISHED[0][0] and index.peer.complete is False
    assert index.tied_with == ("Kim Sơn",)
    # the last unit is the one holding the published last rank
    assert index.peer.worst_unit == next(u for u, _, r in PUBLISHED if r == GROUP_SIZE)


def test_report_states_the_published_facts_and_nothing_from_the_ten_rows(project, tmp_path):
    folder = tmp_path / "data"
    _scores(folder)
    _groups(folder)
    text = _text(project, folder)
    home_rank = dict((u, r) for u, _, r in PUBLISHED)[HOME]
    assert f"xếp thứ {home_rank}/{GROUP_SIZE} tỉnh, thành phố" in text
    assert "đồng hạng với Kim Sơn" in text
    assert f"Điểm trung bình của {GROUP_SIZE} tỉnh, thành phố theo số liệu công bố ({SOURCE}) " \
           f"là {PUBLISHED_MEAN}%" in text
    gap = abs(_number("86,45") - _number(PUBLISHED_MEAN))
    assert f"tỉnh cao hơn mức trung bình {gap:.2f}".replace(".", ",") in text
    assert f"Đơn vị dẫn đầu là tỉnh {PUBLISHED[0][0]}" in text  # named like the unit (#12)
    loaded = len(PUBLISHED)
    assert f"Dữ liệu có kết quả PAR INDEX năm {YEAR} của {loaded}/{GROUP_SIZE}" in text
    # no "x/N" with N the count of loaded rows or below the highest published rank
    highest = max(r for _, _, r in PUBLISHED)
    assert all(n >= highest for _, n in _ns(text) if n > 12), _ns(text)


def test_without_the_groups_table_nothing_computed_from_ten_rows_is_national(project, tmp_path):
    folder = tmp_path / "data"
    _scores(folder)
    text = _text(project, folder)
    highest = max(r for _, _, r in PUBLISHED)
    home_rank = dict((u, r) for u, _, r in PUBLISHED)[HOME]
    assert f"xếp thứ {home_rank}" in text
    # the framework knows 63 provinces only for a group of that name; here the group is the
    # data's default one: no N at all rather than a wrong one
    assert not [n for _, n in _ns(text) if highest > n > 12], _ns(text)
    scored = sum(1 for _, s, _ in PUBLISHED if s)
    assert f"Điểm trung bình của {scored} tỉnh, thành phố có số liệu" in text
    assert "Đơn vị dẫn đầu là tỉnh Phú Hòa" in text  # the holder of the published rank 1
    # a mean of the rows loaded is stated as such, and so is the comparison with it
    mean = sum(_number(s) for _, s, _ in PUBLISHED if s) / scored
    side = "cao hơn" if _number("86,45") >= mean else "thấp hơn"
    assert f"tỉnh {side} mức trung bình của các tỉnh, thành phố có số liệu" in text
    assert "trong số các tỉnh, thành phố có số liệu, thấp nhất là tỉnh Lạc Thủy" in text


def test_the_framework_knows_the_size_of_the_provinces(project, tmp_path):
    folder = tmp_path / "data"
    rows: list[list[object]] = [["year", "index", "unit", "component", "score", "rank", "group"]]
    rows += [[YEAR, "PAR_INDEX", u, "TOTAL", s or "", r, "Tỉnh, thành phố"] for u, s, r in PUBLISHED]
    _write(folder / "scores.csv", rows)
    index = analyze_unit(load_dataset(project, folder), HOME, YEAR,
                         load_rules(project.search)).indices[0]
    assert index.of == 63 and index.peer.complete is False


def test_a_unit_known_only_by_its_rank(project, tmp_path):
    folder = tmp_path / "data"
    _scores(folder)
    _groups(folder)
    unit, _, rank = next(p for p in PUBLISHED if p[1] is None)
    result = analyze_unit(load_dataset(project, folder), unit, YEAR, load_rules(project.search))
    assert not result.indices
    (only,) = result.rank_only
    assert (only.rank, only.of) == (rank, GROUP_SIZE)
    text = _text(project, folder, unit)
    assert f"xếp thứ {rank:02d}/{GROUP_SIZE} tỉnh, thành phố" in text
    assert "dữ liệu không có điểm số" in text


def test_a_missing_previous_year_is_said(project, tmp_path):
    folder = tmp_path / "data"
    _scores(folder, years=(2022, 2024))
    text = _text(project, folder, year=2024)
    assert "Chưa có số liệu PAR INDEX năm 2023 của tỉnh để so sánh" in text
    said = [line for line in text.splitlines() if line.startswith("[Normal]")]
    assert not [line for line in said if "so với năm 2022" in line or "bậc" in line], said


# --- validation of the groups table -----------------------------------------------------------

@pytest.mark.parametrize(("extra", "code", "column"), [
    ({"size": "8"}, "groups_size_too_small", "size"),
    ({"size": "abc"}, "groups_bad_size", "size"),
    ({"index": "PAR INDEKS"}, "groups_unknown_index", "index"),
    ({"max": "90"}, "groups_max_below_score", "max"),
    ({"mean": "99", "max": "95"}, "groups_inconsistent", "mean"),
])
def test_bad_groups_rows_are_located(project, tmp_path, extra, code, column):
    folder = tmp_path / "data"
    _scores(folder)
    header = ["year", "index", "group", "size", "mean", "source"]
    row = {"year": YEAR, "index": "PAR_INDEX", "group": "", "size": GROUP_SIZE,
           "mean": PUBLISHED_MEAN, "source": SOURCE, **extra}
    header += [k for k in extra if k not in header]
    _write(folder / "groups.csv", [header, [row[h] for h in header]])
    with pytest.raises(DataError) as err:
        load_dataset(project, folder)
    issue = next(i for i in err.value.issues if i.code == code)
    assert issue.location.file == str(folder / "groups.csv")
    assert (issue.location.row, issue.location.column) == (2, column)


def test_groups_table_needs_its_columns(tmp_path):
    issues: list = []
    assert read_groups_table([["year", "index"], [2024, "PAR_INDEX"]],
                             Location("g.csv"), issues) == []
    assert issues and issues[0].code == "groups_missing_column" and "size" in issues[0].message


def test_check_groups_warns_about_an_unused_row(project, tmp_path):
    folder = tmp_path / "data"
    _scores(folder)
    dataset = load_dataset(project, folder)
    issues: list = []
    records = read_groups_table([["year", "index", "group", "size"],
                                 [YEAR, "PAR_INDEX", "Khối sở", 17]],
                                Location("g.csv"), issues)
    facts = check_groups(records, dataset.frame, project.frameworks, "Tất cả đơn vị", issues)
    assert facts and issues[0].code == "groups_unused" and issues[0].severity == "warning"


def test_the_overview_of_part_of_a_group_says_so(project, tmp_path):
    from reportgen.analysis.group import group_overview

    folder = tmp_path / "data"
    _scores(folder)
    _groups(folder)
    dataset = load_dataset(project, folder)
    (index,) = group_overview(dataset, YEAR, "Tất cả đơn vị", load_rules(project.search)).indices
    scored = [(u, s) for u, s, _ in PUBLISHED if s]
    assert (index.complete, index.size, index.count) == (False, GROUP_SIZE, len(scored))
    assert index.of == len(scored)  # ranked among the units loaded, and said so
    assert [r.unit for r in index.rows][0] == max(scored, key=lambda p: _number(p[1]))[0]
    assert all(r.delta_rank is None for r in index.rows)


def test_a_survey_index_cites_its_own_publisher_only(project, tmp_path):
    folder = tmp_path / "pci"
    rows: list[list[object]] = [["year", "index", "unit", "component", "score", "rank"]]
    for year in (2023, YEAR):
        rows += [[year, "PCI", u, "TOTAL", s, r] for u, s, r in
                 (("Phú Hòa", "72,95", 1), (HOME, "66,12", 18), ("Kim Sơn", "60,40", 50))]
        rows += [[year, "PCI", u, str(n), "6,5", ""] for u in (HOME, "Phú Hòa", "Kim Sơn")
                 for n in range(1, 11)]
    _write(folder / "scores.csv", rows)
    text = _text(project, folder)
    bases = [line for line in text.splitlines() if line.startswith("[Căn cứ]")]
    assert len(bases) == 1 and "(PCI) năm 2024" in bases[0] and "VCCI" in bases[0], bases
    assert "876" not in text and "SIPAS" not in text and "PAPI" not in text
    assert "tài liệu kiểm chứng" not in text and "thẩm định" not in text


def test_omit_leaves_out_what_only_part_of_the_group_gives(tmp_path):
    from reportgen.config.search import packaged_dir

    templates = tmp_path / "mau"
    templates.mkdir()
    text = (packaged_dir() / "analysis.yaml").read_text(encoding="utf-8")
    assert "  partial_groups: label\n" in text
    (templates / "analysis.yaml").write_text(
        text.replace("  partial_groups: label\n", "  partial_groups: omit\n"), encoding="utf-8")
    project = open_project(templates)
    folder = tmp_path / "data"
    _scores(folder)
    index = analyze_unit(load_dataset(project, folder), HOME, YEAR,
                         load_rules(project.search)).indices[0]
    assert index.peer.mean is None and index.peer.basis is None
    assert index.peer.best_unit == PUBLISHED[0][0]  # published: holds rank 1
    assert index.peer.worst_unit is None  # the last of the rows loaded is not the last of 63
    said = "\n".join(line for line in _text(project, folder).splitlines()
                     if line.startswith("[Normal]"))
    assert "Điểm trung bình" not in said and "thành phố có số liệu, " not in said
    assert "Đơn vị dẫn đầu là tỉnh Phú Hòa (91,20%)" in said


def test_components_of_part_of_a_group_get_no_computed_rank(project, tmp_path):
    folder = tmp_path / "data"
    rows: list[list[object]] = [["year", "index", "unit", "component", "score", "max_score",
                                 "rank"]]
    scored = [(u, s, r) for u, s, r in PUBLISHED if s]
    for unit, score, rank in scored:
        rows.append([YEAR, "PAR_INDEX", unit, "TOTAL", score, 100, rank])
        rows.append([YEAR, "PAR_INDEX", unit, "1", "8,5", 10, ""])
    _write(folder / "scores.csv", rows)
    index = analyze_unit(load_dataset(project, folder), HOME, YEAR,
                         load_rules(project.search)).indices[0]
    (field,) = [c for c in index.components if c.code == "1"]
    # the totals' published ranks go to 63 with 8 units loaded: the field's 8 rows are part
    # of the group too, so no "xx/8" is computed for it
    assert field.rank is None and field.peer_basis == Basis.SUBSET
    assert max(r for _, _, r in scored) > len(scored)
