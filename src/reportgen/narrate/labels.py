"""The fixed wording of the documents — section headings, table and appendix captions, the
formal parts' fixed words, chart axis labels, legends, alt texts and the reasons a chart is
left out — from the editable ``phrases/nhan.j2`` on the search path.

Each macro gives one line: line breaks inside the macro join with one space, runs of spaces
are kept (the blanks left for the clerk: "ngày      tháng      năm 2025"). The chart stage
stays language-free: it receives the labels of each chart as a plain mapping built here.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from typing import Any

from jinja2 import Environment
from jinja2.exceptions import TemplateError

from reportgen import formatting as fmt
from reportgen.analysis.model import GroupAnalysis
from reportgen.errors import ConfigError, Issue, Location
from reportgen.errors import TemplateError as ReportTemplateError
from reportgen.narrate.limits import (
    MACRO_BUDGET_S,
    TEMPLATE_FAULTS,
    TemplateTimeout,
    budget,
    template_line,
)

LABELS = "nhan.j2"
LABEL_FAULTS: tuple[type[BaseException], ...] = (TemplateError, *TEMPLATE_FAULTS)

# unit report charts: mapping key → macro (called with the index)
_UNIT_CHART_MACROS = {
    "score": "bd_diem", "rank": "bd_thu_hang", "mean": "bd_trung_binh", "percent": "bd_ty_le",
    "change": "bd_tang_giam", "change_axis": "bd_truc_tang_giam", "rise": "bd_tang",
    "fall": "bd_giam", "peers_axis": "bd_xep_theo_diem",
}
UNIT_CHART_KINDS = ("score_rank", "peer_bars", "component_bars", "change_bars", "radar")
_OVERVIEW_CHART_MACROS = {"percent": "bd_ty_le", "missing": "bd_khong_co_so_lieu"}


def label(env: Environment, macro: str, **kwargs: Any) -> str:
    """One line of ``nhan.j2``: the macro rendered, line breaks joined, runs of spaces kept."""
    module = env.get_template(LABELS).module
    func = getattr(module, macro, None)
    if func is None:
        raise ConfigError(f"mẫu câu thiếu macro '{macro}'", Location(file=LABELS))
    try:
        with budget(MACRO_BUDGET_S):
            text = str(func(**kwargs))
    except LABEL_FAULTS as exc:
        found = template_line(exc)
        where = Location(file=found[0], line=found[1]) if found else Location(file=LABELS)
        raise ReportTemplateError([Issue(f"lỗi khi tạo câu văn ở macro '{macro}' của {LABELS}: "
                                         f"{_fault(exc)}", where, code=(
                                             "phrase_timeout" if isinstance(exc, TemplateTimeout)
                                             else "phrase_render"))]) from exc
    return re.sub(r"\s*\n\s*", " ", text).strip()


def _fault(exc: BaseException) -> str:
    if isinstance(exc, TemplateError):
        return str(exc)
    if isinstance(exc, RecursionError):
        return "macro gọi lồng nhau quá sâu (macro tự gọi lại chính nó?)"
    return f"{type(exc).__name__}: {exc}"


def unit_chart_labels(env: Environment, index: Any, unit: str) -> dict[str, str]:
    """The words of one index's charts in a unit report (axis labels, legends, alt texts
    ``alt_<kind>``), for :func:`reportgen.charts.unit.index_charts`."""
    labels = {key: label(env, macro, i=index) for key, macro in _UNIT_CHART_MACROS.items()}
    for kind in UNIT_CHART_KINDS:
        labels[f"alt_{kind}"] = label(env, "mo_ta_bieu_do", kind=kind, i=index, unit=unit)
    return labels


def overview_chart_labels(env: Environment, overview: GroupAnalysis) -> dict[str, dict[str, str]]:
    """The words of the overview's heatmaps, per index code, for
    :func:`reportgen.charts.group.overview_charts`."""
    out = {}
    for i in overview.indices:
        words = {key: label(env, macro, i=i) for key, macro in _OVERVIEW_CHART_MACROS.items()}
        words["alt_heatmap"] = label(env, "mo_ta_bieu_do", kind="heatmap", i=i, unit="")
        out[i.index] = words
    return out


def omission_reason(env: Environment, gap: Any) -> str:
    """Why a chart is left out (a :class:`reportgen.charts.spec.Gap`), in words."""
    return label(env, "ly_do_bo_qua", gap=gap)


def vn_date(env: Environment, value: dt.date) -> str:
    """An ND30 date in words (macro ``ngay`` of ``nhan.j2``): "ngày 05 tháng 01 năm 2024"."""
    return label(env, "ngay", d=fmt.date_parts(value))


def deadline(env: Environment, rule: Mapping[str, Any] | None) -> str:
    """A solution's resolved deadline rule in words (macro ``thoi_han`` of ``nhan.j2``): the
    quarter as a Roman numeral, a date as an ND30 date, a text as written, else "ongoing"."""
    rule = rule or {}
    kind = str(rule.get("kind") or "ongoing")
    quarter = fmt.roman(int(rule["quarter"])) if kind == "quarter" else ""
    day = (vn_date(env, dt.date(int(rule["year"]), int(rule["month"]), int(rule["day"])))
           if kind == "date" else "")
    return label(env, "thoi_han", kind=kind, quy=quarter, ngay=day, nam=rule.get("year"),
                 van_ban=str(rule.get("text") or ""))


def word_filters(env: Environment) -> dict[str, Callable[..., str]]:
    """The phrase filters whose words come from ``nhan.j2`` (``vn_date``, ``deadline``)."""
    return {"vn_date": lambda value: vn_date(env, value),
            "deadline": lambda rule: deadline(env, rule)}
