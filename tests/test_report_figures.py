"""The figures of the report equal the data, for several kinds of unit.

For each case (the default unit; a unit tied with another on a published rank; a unit tied on a
rank reportgen computes; a unit without a previous year; a unit whose previous result is two
years back; departments of "Khối sở" with and without a previous year) the report is rendered
(charts as placeholders: dpi 0) and its normalized dump is read back. The expected numbers are
computed here from the dataset rows with pandas — score, competition rank with ties ("x/N"),
previous result, changes in points and places, peer mean, best unit, component maxima, percent
and points lost — never taken from the analysis engine. Only names, units and the "giữ nguyên"
tolerance are read from the frameworks and ``analysis.yaml``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd
import pytest
import yaml

from reportgen.analysis.unit import prepare
from reportgen.app import Project, load_dataset, make_toolkit, render_report
from reportgen.config.frameworks import load_frameworks
from reportgen.config.search import SearchPath, packaged_dir
from reportgen.docx.dump import dump

TOTAL = "TOTAL"
DASH = "–"
TIE = 1e-9
PROVINCES, DEPARTMENTS = "Tỉnh, thành phố", "Khối sở"
PEER_LABEL = {PROVINCES: "tỉnh, thành phố", DEPARTMENTS: "sở, ban, ngành"}
UNIT_WORD = {PROVINCES: "tỉnh ", DEPARTMENTS: ""}  # before a peer's name (report.yaml unit_label)


# --- formatting, written independently of reportgen.formatting ----------------------------

def _rounded(x: float | Decimal, decimals: int) -> Decimal:
    """Rounded as written on paper: the decimal value (not its binary approximation), half up."""
    value = x if isinstance(x, Decimal) else Decimal(repr(float(x)))
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def vn(x: float | Decimal, decimals: int = 2) -> str:
    """1250.5 → "1.250,50" (decimal comma, dot thousands)."""
    r = _rounded(x, decimals)
    text = f"{abs(r):,.{decimals}f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    return ("-" if r < 0 else "") + text


def signed(x: float) -> str:
    r = round(x, 2)
    return ("+" if r > 0 else "-" if r < 0 else "") + vn(abs(x))


def places(d: int) -> str:
    return "0" if d == 0 else ("+" if d > 0 else "-") + f"{abs(d):02d}"


def rank_text(rank: int, of: int) -> str:
    return f"{rank:02d}/{of}"


def steps(d: int) -> str:
    """"tăng 10 bậc", "giảm 06 bậc", "giữ nguyên thứ hạng"."""
    if d == 0:
        return "giữ nguyên thứ hạng"
    return f"{'tăng' if d > 0 else 'giảm'} {abs(d):02d} bậc"


# --- expected figures from the rows ---------------------------------------------------------

@dataclass
class Figures:
    score: float
    max: float
    rank: int
    of: int
    prev_year: int | None = None
    prev_score: float | None = None
    prev_rank: int | None = None
    prev_of: int | None = None
    peer_mean: float = math.nan
    best_units: tuple[str, ...] = ()
    best_score: float = math.nan
    tied: bool = False  # another unit of the group has the same score

    @property
    def rank_cell(self) -> str:
        """The rank as a table prints it: "05/63", with "*" when shared."""
        return rank_text(self.rank, self.of) + ("*" if self.tied else "")

    @property
    def delta(self) -> float | None:
        return None if self.prev_score is None else self.score - self.prev_score

    @property
    def delta_rank(self) -> int | None:
        return None if self.prev_rank is None else self.prev_rank - self.rank


class Expected:
    """Figures of one unit computed from ``dataset.frame`` with pandas."""

    def __init__(self, frame: pd.DataFrame, unit: str, year: int) -> None:
        self.frame, self.unit, self.year = frame, unit, year
        self.totals = frame[frame["component"] == TOTAL]

    def indexes(self) -> list[str]:
        mine = self.totals[(self.totals["unit"] == self.unit) & (self.totals["year"] == self.year)]
        return list(dict.fromkeys(mine["index"]))

    def _row(self, index: str, year: int, code: str) -> pd.Series | None:
        f = self.frame
        rows = f[(f["unit"] == self.unit) & (f["year"] == year) & (f["index"] == index)
                 & (f["component"] == code)]
        return rows.iloc[0] if len(rows) else None

    def _peers(self, index: str, year: int, group: str, code: str) -> pd.Series:
        f = self.frame
        part = f[(f["year"] == year) & (f["index"] == index) & (f["group"] == group)
                 & (f["component"] == code)]
        return part.set_index("unit")["score"].astype(float)

    @staticmethod
    def _rank(scores: pd.Series, unit: str) -> int:
        """Competition rank: 1 + the number of strictly better scores (ties share it)."""
        return 1 + int((scores > scores[unit] + TIE).sum())

    def earlier_years(self, index: str) -> list[int]:
        t = self.totals
        return sorted(int(y) for y in t.loc[(t["unit"] == self.unit) & (t["index"] == index)
                                            & (t["year"] < self.year), "year"])

    def previous_year(self, index: str) -> int | None:
        """The year just before, when the unit has it (analysis.yaml: previous_year)."""
        return self.year - 1 if self.year - 1 in self.earlier_years(index) else None

    def figures(self, index: str, code: str = TOTAL) -> Figures:
        row = self._row(index, self.year, code)
        assert row is not None, (self.unit, self.year, index, code)
        peers = self._peers(index, self.year, row["group"], code)
        best = peers.max()
        out = Figures(score=float(row["score"]), max=float(row["max"]),
                      rank=self._rank(peers, self.unit), of=len(peers),
                      peer_mean=float(peers.mean()),
                      best_units=tuple(u for u, s in peers.items() if abs(s - best) <= TIE),
                      best_score=float(best),
                      tied=int((abs(peers - peers[self.unit]) <= TIE).sum()) > 1)
        py = self.previous_year(index)
        prev = self._row(index, py, code) if py is not None else None
        if prev is not None:
            before = self._peers(index, py, prev["group"], code)
            out.prev_year, out.prev_score = py, float(prev["score"])
            out.prev_rank, out.prev_of = self._rank(before, self.unit), len(before)
        return out

    def published_rank(self, index: str) -> int | None:
        row = self._row(index, self.year, TOTAL)
        return None if row is None or pd.isna(row["rank"]) else int(row["rank"])


# --- reading the dump ------------------------------------------------------------------------

def cells(row: str) -> list[str]:
    return [re.sub(r"\s*\{[^{}]*\}$", "", c.strip()) for c in row.strip().strip("|").split(" | ")]


def between(text: str, start: str, *ends: str) -> str:
    assert start in text, start
    rest = text.split(start, 1)[1]
    cut = min((rest.index(e) for e in ends if e in rest), default=len(rest))
    return rest[:cut]


def table_after(text: str, caption_start: str) -> list[list[str]]:
    """Rows (cell texts) of the first table after the caption line starting so."""
    lines = text.splitlines()
    start = next(n for n, line in enumerate(lines) if line.startswith(f"[Caption] {caption_start}"))
    n = next(n for n in range(start, len(lines)) if lines[n].startswith("TABLE "))
    rows = []
    for line in lines[n + 1:]:
        if not line.startswith("  | "):
            break
        rows.append(cells(line))
    return rows


def result_paragraphs(text: str, fw_name: str) -> str:
    """Section I paragraphs of one index (between its heading and the next block)."""
    section = between(text, "[Heading 1] I. KẾT QUẢ CHUNG", "[Heading 1] II.")
    block = between(section, f". {fw_name}\n", "[Heading 2]", "[Caption] Bảng 1.", "[Hình]")
    return " ".join(line[len("[Normal] "):] for line in block.splitlines()
                    if line.startswith("[Normal] "))


# --- the cases ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def world():
    search = SearchPath((packaged_dir(),))
    project = Project(search, load_frameworks(search))
    dataset = load_dataset(project)
    kit = make_toolkit(project, dpi=0)  # charts as placeholders: the figures are in the text
    tolerance = yaml.safe_load((packaged_dir() / "analysis.yaml").read_text("utf-8"))["defaults"][
        "tolerance"]
    return {"dataset": dataset, "kit": kit, "prepared": prepare(dataset), "tolerance": tolerance,
            "dumps": {}}


def _tied(frame: pd.DataFrame, index: str, year: int) -> list[str]:
    t = frame[(frame["component"] == TOTAL) & (frame["index"] == index) & (frame["year"] == year)]
    return sorted(t.loc[t.duplicated("score", keep=False), "unit"])


def _first_year(frame: pd.DataFrame, group: str) -> dict[str, list[int]]:
    t = frame[(frame["component"] == TOTAL) & (frame["group"] == group)]
    return {u: sorted(set(ys)) for u, ys in t.groupby("unit")["year"]}


def case(world, role: str) -> tuple[str, int]:
    """The (unit, year) playing a role, found in the sample data (not hard-coded numbers)."""
    frame = world["dataset"].frame
    years = sorted(frame["year"].unique())
    latest = int(years[-1])
    if role == "default":
        return "Hòa Lâm", latest
    if role == "tie_published":  # PAR INDEX publishes ranks in the sample
        tied = _tied(frame, "PAR_INDEX", latest)
        assert tied, "the sample has no tie in the PAR INDEX total any more"
        return tied[0], latest
    if role == "tie_computed":  # PAPI ranks are computed by reportgen
        tied = _tied(frame, "PAPI", latest)
        assert tied, "the sample has no tie in the PAPI total any more"
        return tied[0], latest
    group = DEPARTMENTS if role.startswith("department") else PROVINCES
    spans = _first_year(frame, group)
    if role in ("no_previous", "department_no_previous"):
        unit = min(u for u, ys in spans.items() if ys[0] > years[0])
        return unit, spans[unit][0]
    if role == "gap_year":  # a result two years back, none the year before
        unit = min(u for u, ys in spans.items() if latest in ys and latest - 1 not in ys
                   and latest - 2 in ys)
        return unit, latest
    if role == "department":
        return "Sở Tư pháp", latest
    raise AssertionError(role)


ROLES = ["default", "tie_published", "tie_computed", "no_previous", "gap_year", "department",
         "department_no_previous"]


def report(world, unit: str, year: int) -> str:
    if (unit, year) not in world["dumps"]:
        docx = render_report(world["kit"], world["prepared"], world["dataset"], unit, year)
        world["dumps"][(unit, year)] = dump(docx)
    return world["dumps"][(unit, year)]


def score_text(x: float, fw) -> str:
    return f"{vn(x)}%" if fw.unit == "%" else f"{vn(x)}/{vn(fw.total_max, 0)} điểm"


def change_text(delta: float, fw, tolerance: float) -> str:
    unit = "điểm %" if fw.unit == "%" else "điểm"
    if abs(delta) < tolerance - 1e-9 or abs(delta) <= 1e-9:
        return f"giữ nguyên ({signed(delta)} {unit})"
    return f"{'tăng' if delta > 0 else 'giảm'} {vn(abs(delta))} {unit}"


# --- tests ----------------------------------------------------------------------------------

def test_roles_are_what_they_claim(world) -> None:
    frame = world["dataset"].frame
    for role in ROLES:
        unit, year = case(world, role)
        exp = Expected(frame, unit, year)
        prevs = {i: exp.previous_year(i) for i in exp.indexes()}
        if "no_previous" in role or role == "gap_year":
            assert set(prevs.values()) == {None}, role
        else:
            assert None not in prevs.values(), role
        if role == "gap_year":
            assert {i: exp.earlier_years(i)[-1] for i in exp.indexes()} == dict.fromkeys(
                exp.indexes(), year - 2)
        if role.startswith("tie"):
            index = "PAR_INDEX" if role == "tie_published" else "PAPI"
            f = exp.figures(index)
            peers = frame[(frame["component"] == TOTAL) & (frame["index"] == index)
                          & (frame["year"] == year)]
            assert (peers["score"] == f.score).sum() == 2, role


@pytest.mark.parametrize("role", ROLES)
def test_section_one_states_the_figures(world, role: str) -> None:
    unit, year = case(world, role)
    text = report(world, unit, year)
    dataset = world["dataset"]
    exp = Expected(dataset.frame, unit, year)
    assert exp.indexes(), (unit, year)
    for index in exp.indexes():
        fw = dataset.framework(index, year)
        f = exp.figures(index)
        group = dataset.frame.loc[(dataset.frame["unit"] == unit)
                                  & (dataset.frame["year"] == year), "group"].iloc[0]
        said = result_paragraphs(text, fw.name)
        assert f"đạt {score_text(f.score, fw)}" in said, (index, said)
        rank = f"xếp thứ {rank_text(f.rank, f.of)} {PEER_LABEL[group]}"
        assert rank in said, (index, rank, said)
        if f.prev_year is None and exp.earlier_years(index):  # the year before is missing
            assert (f"Chưa có số liệu {fw.short_name} năm {year - 1} của tỉnh để so sánh"
                    in said), said
            assert "so với năm" not in said and "bậc" not in said
        elif f.prev_year is None:
            assert "chưa có số liệu để so sánh với năm trước" in said
            assert "so với năm" not in said and "bậc" not in said
        else:
            change = (f"{change_text(f.delta, fw, world['tolerance'])} so với năm {f.prev_year} "
                      f"({score_text(f.prev_score, fw)})")
            assert change in said, (index, change, said)
            assert f"{rank} ({steps(f.delta_rank)})" in said, (index, said)
        unit_word = "điểm %" if fw.unit == "%" else "điểm"
        mean = score_text(f.peer_mean, fw)  # neighbouring indexes word it differently (#12)
        assert (f"Điểm trung bình của {f.of} {PEER_LABEL[group]} là {mean}" in said
                or f"Bình quân {f.of} {PEER_LABEL[group]} đạt {mean}" in said), said
        side = "cao hơn" if f.score >= f.peer_mean else "thấp hơn"
        assert f"{side} mức trung bình {vn(abs(f.score - f.peer_mean))} {unit_word}" in said
        best = re.search(r"(?:Đơn vị dẫn đầu là|Cao nhất nhóm là) (.+?) \((.+?)\)", said)
        named = best.group(1) if best else ""  # a province is named "tỉnh X", as the unit is
        assert best and named.removeprefix(UNIT_WORD[group]) in f.best_units, (f.best_units, said)
        assert best.group(2) == score_text(f.best_score, fw)


@pytest.mark.parametrize("role", ROLES)
def test_summary_table_equals_the_data(world, role: str) -> None:
    unit, year = case(world, role)
    text = report(world, unit, year)
    dataset = world["dataset"]
    exp = Expected(dataset.frame, unit, year)
    rows = table_after(text, "Bảng 1. Tổng hợp kết quả")
    # the years head their columns when every index compares the same two years (#12)
    previous = {exp.figures(i).prev_year for i in exp.indexes()} - {None}
    prev_head = f"Năm {previous.pop()}" if len(previous) == 1 else "Năm trước"
    assert rows[1][:4] == ["", prev_head, f"Năm {year}", "Tăng/ giảm"]
    body = {r[0]: r[1:] for r in rows[2:]}
    assert len(body) == len(exp.indexes())
    for index in exp.indexes():
        fw = dataset.framework(index, year)
        f = exp.figures(index)
        name = f"{fw.short_name} ({'%' if fw.unit == '%' else f'{fw.unit}, tối đa {vn(fw.total_max, 0)}'})"
        got = body[name][:6]
        if f.prev_year is None:
            want = [DASH, vn(f.score), DASH, DASH, f.rank_cell, DASH]
        else:
            want = [vn(f.prev_score), vn(f.score), signed(f.delta),
                    rank_text(f.prev_rank, f.prev_of), f.rank_cell,
                    places(f.delta_rank)]
        assert got == want, (index, got, want)
        published = exp.published_rank(index)
        if published is not None:  # the sample's published ranks agree with the scores
            assert published == f.rank


@pytest.mark.parametrize("role", ROLES)
def test_component_table_equals_the_data(world, role: str) -> None:
    unit, year = case(world, role)
    text = report(world, unit, year)
    dataset = world["dataset"]
    frame = dataset.frame
    exp = Expected(frame, unit, year)
    for index in exp.indexes():
        fw = dataset.framework(index, year)
        rows = table_after(text, _component_caption(text, fw.short_name, year))
        assert rows[0][:5] == ["STT", "Lĩnh vực, chỉ số thành phần", "Điểm tối đa", "Điểm đạt",
                               "Tỷ lệ (%)"]
        by_name = {c.name: code for code, c in fw.components.items()}
        mine = frame[(frame["unit"] == unit) & (frame["year"] == year) & (frame["index"] == index)
                     & (frame["component"] != TOTAL)]
        # fields and their framework sub-components; criteria (#13: PAR INDEX 876 from level
        # 2) are in the appendix "Điểm chi tiết theo tiêu chí", not in Bảng 2–4
        listed = [c for c in mine["component"] if not fw.is_criterion(c)]
        assert len(rows) == 1 + len(listed) + 1  # header, one row per component, total
        for row in rows[1:-1]:
            # a strength or weakness carries its mark "(+)"/"(!)" besides the shading
            code = by_name[row[1].removeprefix("- ").removesuffix(" (+)").removesuffix(" (!)")]
            assert code in listed, (index, code)
            assert row[1].startswith("- ") == (fw.components[code].parent is not None)
            # points lost only where an assessed index awards them (a survey's maxima are
            # never reached): the framework's loss_measure
            lost = fw.additive and fw.loss_measure == "points"
            _check_row(row[2:], exp.figures(index, code), lost, (index, code))
        total = rows[-1]
        assert total[:2] == ["", "Tổng cộng" if fw.additive else fw.short_name]
        _check_row(total[2:], exp.figures(index), fw.additive and fw.loss_measure == "points",
                   (index, TOTAL))


def _component_caption(text: str, short_name: str, year: int) -> str:
    found = re.search(rf"^\[Caption\] (Bảng \d+\. Kết quả {re.escape(short_name)} năm {year} theo )",
                      text, re.M)
    assert found, short_name
    return found.group(1)


def _check_row(got: list[str], f: Figures, additive: bool, where: tuple) -> None:
    """Columns: max, score, %, points lost, change, rank, change in places."""
    percent = Decimal(repr(f.score)) * 100 / Decimal(repr(f.max))
    want = [vn(f.max), vn(f.score), vn(percent),
            vn(f.max - f.score) if additive else DASH,
            DASH if f.prev_score is None else signed(f.delta),
            f.rank_cell,
            DASH if f.delta_rank is None else places(f.delta_rank)]
    assert got == want, (where, got, want)


@pytest.mark.parametrize("role", ["tie_published", "tie_computed"])
def test_tied_units_share_the_better_rank(world, role: str) -> None:
    """1, 2, 2, 4: both tied units show the same rank, and the next rank skips one."""
    unit, year = case(world, role)
    index = "PAR_INDEX" if role == "tie_published" else "PAPI"
    fw = world["dataset"].framework(index, year)
    f = Expected(world["dataset"].frame, unit, year).figures(index)
    text = report(world, unit, year)
    caption = re.search(rf"^\[Caption\] ([A-K]\. {re.escape(fw.name)} năm {year})$", text, re.M)
    assert caption, fw.name
    ranking = table_after(text, caption.group(1))
    ranks = {r[1]: r[0] for r in ranking[1:]}
    tied = [u for u, r in ranks.items() if r == f"{f.rank:02d}"]
    assert unit in tied and len(tied) == 2, (f.rank, tied)
    listed = [int(r[0]) for r in ranking[1:]]
    position = listed.index(f.rank)
    assert listed[position + 1] == f.rank
    if position + 2 < len(listed):
        assert listed[position + 2] == f.rank + 2
    summary = {r[0]: r for r in table_after(text, "Bảng 1. Tổng hợp kết quả")[2:]}
    row = next(r for name, r in summary.items() if name.startswith(f"{fw.short_name} ("))
    assert row[5] == f.rank_cell


def test_history_stops_at_the_report_year(world) -> None:
    text = report(world, "Hòa Lâm", 2023)
    section = between(text, "[Heading 1] I. KẾT QUẢ CHUNG", "[Heading 1] II.")
    assert "Năm 2023, Chỉ số cải cách hành chính (PAR INDEX)" in section
    assert "2024" not in section
    # the trend chart (drawn from 4 years on by default) would show the same history
    from reportgen.analysis.unit import analyze_unit
    from reportgen.charts.unit import score_rank

    analysis = analyze_unit(world["prepared"], "Hòa Lâm", 2023, world["kit"].rules)
    par = next(i for i in analysis.indices if i.index == "PAR_INDEX")
    labels = {"score": "", "rank": "", "alt_score_rank": ""}
    assert score_rank(par, labels=labels).categories == ("2022", "2023")


def test_exact_halves_round_up_like_excel(world) -> None:
    text = report(world, "Hòa Lâm", 2024)
    rows = table_after(text, _component_caption(text, "PAPI", 2024))
    assert rows[-1][1:5] == ["Tổng cộng", "80,00", "38,02", "47,53"]
