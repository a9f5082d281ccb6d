"""A shorter report that reads as written by a person (#12, points 5 and 9).

The sample province report is rendered (charts as placeholders) and read back: which charts
are drawn (report.yaml ``charts: kinds:``), every Biểu đồ, Bảng and Phụ lục referred to in the
text by its number, peers named like the unit ("tỉnh Phú Hòa"), the years in the column
headings, no breakable year range in a caption, the closing paragraph kept with the signature,
no sentence of sections I–II repeated with only names and figures changed more than twice,
abbreviations spelled out once; and the department report's legal bases without a
placeholder. Names and years come from the sample data, never typed here.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from reportgen.analysis.unit import analyze_unit, prepare
from reportgen.app import Project, load_dataset, make_toolkit, render_report
from reportgen.charts.unit import DEFAULT_KINDS, UNIT_KINDS, index_charts
from reportgen.config.frameworks import load_frameworks
from reportgen.config.report import report_config
from reportgen.config.search import SearchPath, packaged_dir
from reportgen.config.yamlio import read_yaml
from reportgen.docx.dump import dump
from reportgen.errors import ConfigError
from reportgen.narrate.abbrev import spell_out
from reportgen.narrate.labels import unit_chart_labels

TOTAL = "TOTAL"
WORD_JOINER = "\u2060"
DEPARTMENTS = "Khối sở"


@pytest.fixture(scope="module")
def world():
    search = SearchPath((packaged_dir(),))
    project = Project(search, load_frameworks(search))
    dataset = load_dataset(project)
    kit = make_toolkit(project, dpi=0)  # charts as placeholders: their captions stay
    unit = kit.narrator.config["defaults"]["default_unit"]
    frame = dataset.frame
    year = int(frame.loc[frame["unit"] == unit, "year"].max())
    document = render_report(kit, prepare(dataset), dataset, unit, year)
    return {"dataset": dataset, "kit": kit, "unit": unit, "year": year, "docx": document,
            "text": dump(document)}


def lines(text: str, style: str) -> list[str]:
    return [line[len(style) + 3:] for line in text.splitlines() if line.startswith(f"[{style}] ")]


def body(text: str) -> str:
    """The body before the appendices (the landscape part starts with "Phụ lục I")."""
    return text.split("Phụ lục I\n", 1)[0] if "Phụ lục I\n" in text else text


def section(text: str, start: str, end: str) -> str:
    rest = text.split(start, 1)[1]
    return rest.split(end, 1)[0]


# --- which charts ---------------------------------------------------------------------------

def test_default_charts_do_not_repeat_the_tables(world) -> None:
    captions = " ".join(lines(world["text"], "Caption"))
    assert "Tăng, giảm điểm theo" not in captions  # change_bars
    assert "Điểm các " not in captions  # radar
    assert set(DEFAULT_KINDS) <= set(UNIT_KINDS) and "change_bars" not in DEFAULT_KINDS
    assert "radar" not in DEFAULT_KINDS
    assert captions.count("Vị trí của") == sum(
        1 for i in analyze_unit(prepare(world["dataset"]), world["unit"], world["year"],
                                world["kit"].rules).indices if i.peers)


def test_kinds_setting_chooses_the_charts(world) -> None:
    analysis = analyze_unit(prepare(world["dataset"]), world["unit"], world["year"],
                            world["kit"].rules)
    env = world["kit"].narrator.phrases.env
    index = next(i for i in analysis.indices if i.components and i.previous)
    labels = unit_chart_labels(env, index, world["unit"])
    only_change = index_charts(index, world["unit"], labels=labels, kinds=["change_bars"])
    assert [s.kind for s in only_change["results"] + only_change["components"]] == ["change_bars"]
    nothing = index_charts(index, world["unit"], labels=labels, kinds=[])
    assert nothing == {"results": [], "components": []}
    years = sum(h.score is not None for h in index.history)
    trend = index_charts(index, world["unit"], labels=labels, kinds=["score_rank"],
                         trend_years=years + 1)
    assert trend["results"] == []  # fewer years than asked for: no trend chart


def test_a_bad_chart_kind_is_a_located_error(tmp_path: Path) -> None:
    config = tmp_path / "report.yaml"
    config.write_text("charts:\n  backend: native\n  kinds: [peer_bars, pie]\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        report_config(read_yaml(config), str(config))
    message = str(caught.value)
    assert "dòng 3" in message and "charts.kinds" in message and "pie" in message


# --- references and numbering ---------------------------------------------------------------

def test_every_chart_table_and_appendix_is_referred_to_by_number(world) -> None:
    text = world["text"]
    running = " ".join(lines(body(text), "Normal"))
    captions = lines(text, "Caption")
    charts = [m.group(1) for c in captions if (m := re.match(r"Biểu đồ (\d+)\.", c))]
    tables = [m.group(1) for c in captions if (m := re.match(r"Bảng (\d+)\.", c))]
    appendices = sorted(set(re.findall(r"^.*?(Phụ lục [IVX]+)$", text, flags=re.M)))
    assert tables and appendices
    for n in charts:
        assert re.search(rf"Biểu đồ (\d+, )*{n}\b", running), f"Biểu đồ {n} is never referred to"
    for n in tables:
        assert re.search(rf"Bảng {n}\b", running), f"Bảng {n} is never referred to"
    for name in appendices:
        assert name in running, f"{name} is never referred to"


def every_kind_text(world) -> str:
    """The sample report with every chart kind on (the trend chart from two years)."""
    from reportgen.charts.unit import UNIT_KINDS

    if "every_kind" not in world:
        kit = world["kit"]
        saved = kit.narrator.config
        kit.narrator.config = {**saved, "charts": {**(saved.get("charts") or {}),
                                                   "kinds": list(UNIT_KINDS), "trend_min_years": 2}}
        try:
            dataset = world["dataset"]
            world["every_kind"] = dump(render_report(kit, prepare(dataset), dataset, world["unit"],
                                                     world["year"]))
        finally:
            kit.narrator.config = saved
    return str(world["every_kind"])


def test_every_chart_is_referred_to_with_every_kind_on(world) -> None:
    """With every chart kind on (and the trend chart from two years), each one drawn is
    still referred to in the text by its number."""
    text = every_kind_text(world)
    running = " ".join(lines(body(text), "Normal"))
    charts = [m.group(1) for c in lines(text, "Caption") if (m := re.match(r"Biểu đồ (\d+)\.", c))]
    assert len(charts) > 3 * 2  # the trend, position, components, change and radar charts
    missing = [n for n in charts if not re.search(rf"Biểu đồ (\d+, )*{n}\b", running)]
    assert not missing, missing


def test_numbers_follow_what_is_rendered(world) -> None:
    """Charts and tables are numbered 1, 2, 3… in document order, with no gap."""
    captions = lines(world["text"], "Caption")
    for word in ("Biểu đồ", "Bảng"):
        numbers = [int(m.group(1)) for c in captions if (m := re.match(rf"{word} (\d+)\.", c))]
        assert numbers == list(range(1, len(numbers) + 1)), (word, numbers)


# --- prose ------------------------------------------------------------------------------------

def test_peers_are_named_like_the_unit(world) -> None:
    """"Đơn vị dẫn đầu là tỉnh Phú Hòa": the leader's and the last unit's names carry the
    word report.yaml's unit_label puts before a name."""
    label = world["kit"].narrator.config["defaults"]["unit_label"]
    prefix = label.split("{{", 1)[0]
    frame = world["dataset"].frame
    peers = set(frame.loc[frame["year"] == world["year"], "unit"])
    running = " ".join(lines(section(world["text"], "I. KẾT QUẢ CHUNG", "II. PHÂN TÍCH"), "Normal"))
    named = re.findall(r"(?:dẫn đầu là|cao nhất nhóm là|thấp nhất là|Cao nhất nhóm là) ([^(;.]+?) \(",
                       running)
    assert named
    for name in named:
        assert name.startswith(prefix) and name[len(prefix):] in peers, name


def test_year_columns_are_headed_by_the_years(world) -> None:
    head = section(world["text"], "[Caption] Bảng 1.", "[Ghi chú bảng]")
    assert f"Năm {world['year']}" in head and f"Năm {world['year'] - 1}" in head
    assert "Năm trước" not in head and "Năm đánh giá" not in head


def test_year_ranges_in_captions_do_not_break(world) -> None:
    for caption in lines(world["text"], "Caption"):
        for found in re.finditer(r"\d{4}(\W{1,3})\d{4}", caption):
            assert WORD_JOINER in found.group(1), caption


def test_closing_paragraph_keeps_with_the_signature(world) -> None:
    with zipfile.ZipFile(io.BytesIO(world["docx"])) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    closing = world["kit"].narrator.config["defaults"]["closing"].split()[:3]
    paragraphs = re.findall(r"<w:p[ >].*?</w:p>", xml, flags=re.S)
    start = " ".join(closing)
    found = [p for p in paragraphs if start in "".join(re.findall(r"<w:t[^>]*>([^<]*)", p))]
    assert found and all("<w:keepNext/>" in p for p in found)


@pytest.mark.parametrize("template", ["bao-cao.docx", "tong-hop.docx"])
def test_both_templates_keep_the_closing_with_the_signature(template: str) -> None:
    """The unit report and the group overview: the closing paragraph stays on the page of the
    signature block that follows it (the overview's signature once stood alone on a page)."""
    from reportgen.config.search import packaged_dir

    with zipfile.ZipFile(packaged_dir() / template) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    paragraphs = re.findall(r"<w:p[ >].*?</w:p>", xml, flags=re.S)
    closing = [p for p in paragraphs if "report.closing" in p]
    assert len(closing) == 1 and "<w:keepNext/>" in closing[0]
    after = xml.split(closing[0], 1)[1].lstrip()
    assert after.startswith("<w:tbl>") and "<w:cantSplit/>" in after.split("</w:tbl>", 1)[0]


@pytest.mark.parametrize("every_chart", [False, True])
def test_no_sentence_of_sections_i_ii_repeats_more_than_twice(world, every_chart: bool) -> None:
    """Sentences with the names (indexes, components, units) and the figures taken out: no
    frame occurs more than twice (bullets of one list are parallel by design: left out);
    with the default charts and with every chart kind on."""
    analysis = analyze_unit(prepare(world["dataset"]), world["unit"], world["year"],
                            world["kit"].rules)
    names = {world["unit"], *world["dataset"].frame["unit"].unique()}
    for i in analysis.indices:
        names |= {i.name, i.short_name, i.component_word}
        names |= {c.name for c in i.components} | {c.short_name for c in i.components}
    text = section(every_kind_text(world) if every_chart else world["text"],
                   "I. KẾT QUẢ CHUNG", "III. ")
    paragraphs = [p for p in lines(text, "Normal") if not p.startswith("- ")]
    frames: Counter[str] = Counter()
    for paragraph in paragraphs:
        for name in sorted(names, key=len, reverse=True):
            paragraph = paragraph.replace(name, "<tên>")
        paragraph = re.sub(r"[+-]?\d+([,./]\d+)*", "<số>", paragraph)
        frames.update(s.strip() for s in re.split(r"(?<=\.)\s+", paragraph) if s.strip())
    repeated = {s: n for s, n in frames.items() if n > 2}
    assert not repeated, repeated


def test_abbreviations_are_spelled_out_on_first_use_in_the_text(world) -> None:
    glossary = world["kit"].narrator.config["abbreviations"]
    running = " ".join(lines(body(world["text"]), "Normal"))  # the opening paragraph first
    for abbr, full in glossary.items():
        uses = [m.start() for m in re.finditer(rf"(?<![\w(]){re.escape(abbr)}(?![\w)])", running)]
        if not uses:
            continue
        first_defined = running.find(f"({abbr})")
        assert first_defined != -1 and first_defined < uses[0], abbr
        assert running[:first_defined].rstrip().lower().endswith(full.lower()), abbr


def test_spell_out_changes_the_first_running_use_only() -> None:
    context = {
        "report": {"subject": "Chỉ số CCHC", "intro": "báo cáo Chỉ số CCHC như sau:"},
        "summary": {"rows": [{"name": "Cải cách TTHC"}]},  # a table cell: kept
        "results": [{"heading": "Cải cách TTHC", "paragraphs": ["TTHC giảm điểm.", "Cải cách TTHC"]}],
        "tasks": {"general": ["rà soát TTHC; UBND chỉ đạo", "UBND tỉnh"]},
    }
    glossary = {"TTHC": "thủ tục hành chính", "UBND": "Ủy ban nhân dân", "CCHC": "cải cách hành chính"}
    out = spell_out(context, glossary)
    assert out["report"] == {"subject": "Chỉ số CCHC",
                             "intro": "báo cáo Chỉ số cải cách hành chính (CCHC) như sau:"}
    assert out["summary"]["rows"][0]["name"] == "Cải cách TTHC"
    assert out["results"][0]["heading"] == "Cải cách TTHC"
    assert out["results"][0]["paragraphs"] == ["Thủ tục hành chính (TTHC) giảm điểm.", "Cải cách TTHC"]
    assert out["tasks"]["general"] == ["rà soát TTHC; Ủy ban nhân dân (UBND) chỉ đạo", "UBND tỉnh"]
    quoted = spell_out({"paragraphs": ["theo (Quyết định về UBND); UBND tỉnh"]}, glossary)
    assert quoted["paragraphs"] == ["theo (Quyết định về UBND); Ủy ban nhân dân (UBND) tỉnh"]
    again = spell_out({"paragraphs": ["thủ tục hành chính (TTHC) và TTHC"]}, glossary)
    assert again["paragraphs"] == ["thủ tục hành chính (TTHC) và TTHC"]  # already introduced


# --- the department report ------------------------------------------------------------------

def test_department_legal_bases_carry_no_placeholder(world) -> None:
    dataset = world["dataset"]
    frame = dataset.frame
    rows = frame[(frame["group"] == DEPARTMENTS) & (frame["component"] == TOTAL)]
    unit = str(rows["unit"].iloc[0])
    year = int(rows.loc[rows["unit"] == unit, "year"].max())
    text = dump(render_report(world["kit"], prepare(dataset), dataset, unit, year))
    bases = [line.split("] ", 1)[1] for line in text.splitlines() if "Căn cứ" in line]
    assert bases
    for line in bases:
        assert "điền" not in line and "[" not in line and "…" not in line, line
