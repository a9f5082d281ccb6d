"""Random hostile strings through names, groups and phrase values (issue #14): whatever a
data file or a setting holds — control and invisible characters, Jinja and XML syntax,
quotes, right-to-left marks, emoji — the run ends in a document that shows the text
literally or in a located reportgen error, never in another exception."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from reportgen.analysis.unit import analyze_unit, prepare
from reportgen.app import Project, context_from_analysis, make_toolkit
from reportgen.config.frameworks import load_frameworks
from reportgen.config.search import SearchPath
from reportgen.data.load import records_from
from reportgen.data.validate import validate
from reportgen.errors import DataError, ReportgenError
from reportgen.errors import TemplateError as ReportTemplateError
from reportgen.narrate.header import render_setting
from reportgen.narrate.phrases import Phrases

MAXIMA = {"1": 12, "2": 10, "3": 22, "4": 10, "5": 14, "6": 12, "7": 20}  # PAR_SO fields
TRICKY = ["\x00", "\x01", "\x0b", "\x1f", "\x7f", "\x85", "\u200b", "\u200d", "\u00ad", "\ufeff",
          "\u202e", "\u2028", "\ufffe", "{{", "}}", "{%", "%}", "{#", "<", ">", "&", "</w:t>",
          "]]>", "'", '"', "\\", "\n", "\t", "\r", "😀", "Đ", "ệ", " ", "..", "/", "%"]
hostile = st.lists(st.one_of(st.sampled_from(TRICKY),
                             st.characters(blacklist_categories=("Cs",))),
                   min_size=1, max_size=12).map("".join)


@pytest.fixture(scope="module")
def kit() -> Any:
    search = SearchPath.build()
    return make_toolkit(Project(search, load_frameworks(search)), dpi=0)


def dataset_rows(name: str, group: str) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for year in (2023, 2024):
        for n, unit in enumerate((name, "Sở Một", "Sở Hai")):
            scores: dict[str, float] = {c: round(m * (0.9 - 0.1 * n), 2) for c, m in MAXIMA.items()}
            scores["TOTAL"] = round(sum(scores.values()), 2)
            rows += [{"year": year, "index": "PAR_SO", "unit": unit, "component": c,
                      "score": s, "group": group} for c, s in scores.items()]
    return rows


def document_text(document: bytes) -> str:
    """The text of a rendered .docx (its XML must parse: Word would refuse it otherwise)."""
    xml = zipfile.ZipFile(io.BytesIO(document)).read("word/document.xml")
    root = etree.fromstring(xml)
    ns = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    return "".join(t.text or "" for t in root.iter(f"{ns}t"))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=hostile, group=hostile)
def test_hostile_unit_and_group_names_end_in_a_document_or_a_located_error(kit, name, group):
    loaded = records_from(dataset_rows(name, group), "hostile.csv")
    try:
        dataset = validate(loaded, kit.project.frameworks)
    except DataError as exc:
        assert exc.issues and all(i.location.file == "hostile.csv" for i in exc.issues)
        return
    unit = next(u for u in dataset.units if u not in ("Sở Một", "Sở Hai"))
    try:
        analysis = analyze_unit(prepare(dataset), unit, 2024, kit.rules)
        document = kit.renderer.render(context_from_analysis(kit, dataset, analysis))
    except ReportgenError:
        return  # a located message (e.g. a name that no file name can hold)
    assert unit in document_text(document)  # printed literally, escaped in the XML


@settings(max_examples=60, deadline=None)
@given(value=hostile)
def test_hostile_value_of_a_phrase_is_printed_literally(tmp_path_factory, value):
    folder = tmp_path_factory.mktemp("phrases")
    (folder / "phrases").mkdir()
    (folder / "phrases" / "ket-qua.j2").write_text(
        "{% macro m(v) %}«{{ v }}» {{ v|length }} {{ v|num }}{% endmacro %}", encoding="utf-8")
    phrases = Phrases.load(SearchPath.build(folder))
    try:
        text = phrases.text("ket-qua.j2", "m", v=value)
    except ReportTemplateError as exc:  # only '|num' of a text: located, naming the filter
        assert "bộ lọc 'num'" in str(exc)
        return
    assert " ".join(value.split()) in text  # whitespace is collapsed, nothing else changed


@settings(max_examples=60, deadline=None)
@given(value=hostile)
def test_hostile_report_setting_renders_or_is_a_located_error(kit, value):
    env = kit.narrator.phrases.env
    try:
        text = render_setting(env, value, {"unit": "Sở Một", "year": 2024})
    except ReportTemplateError as exc:
        (issue,) = exc.issues
        assert issue.location.file == "report.yaml"
        return
    assert isinstance(text, str)
    if not any(c in value for c in "{\r\n"):  # no template syntax, one line: the text itself
        assert text == value.strip()
