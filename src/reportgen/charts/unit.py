"""Chart stage, first half: the analysis of one index → chart specifications.

Specifications are plain data (see :mod:`reportgen.charts.spec`); a backend draws them. The
captions are filled later by the narrative stage from the editable phrase templates; every
word drawn in a chart (axis labels, legends, alt text) is given as ``labels``, a mapping built
from the phrase file ``nhan.j2`` (:func:`reportgen.narrate.labels.unit_chart_labels`).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from reportgen.analysis.model import ComponentAnalysis, IndexAnalysis
from reportgen.analysis.ranking import ExcerptRule
from reportgen.charts.spec import GAP, ChartSpec, Series
from reportgen.formatting import pad2

RESULT_CHARTS = ("score_rank", "peer_bars")
COMPONENT_CHARTS = ("component_bars", "change_bars", "radar")
UNIT_KINDS = (*RESULT_CHARTS, *COMPONENT_CHARTS)
# Drawn when report.yaml's ``charts: kinds:`` is not given: those that add to the tables (the
# trend over more years than Bảng 1 has, the position among the peers); the change chart, the
# radar and the components chart repeat columns of Bảng 2–4 (the rank column already places
# each component among the peers) and are off.
DEFAULT_KINDS = ("score_rank", "peer_bars")
# The score-and-rank chart needs more years than Bảng 1's two to say something the table does
# not (report.yaml ``charts: trend_min_years:``).
DEFAULT_TREND_MIN_YEARS = 4
RADAR_MIN_AXES = 5


def top_components(index: IndexAnalysis) -> tuple[ComponentAnalysis, ...]:
    """The first level of the component tree, the one the charts and rules look at."""
    return index.top_components


def score_rank(index: IndexAnalysis, *, labels: Mapping[str, str]) -> ChartSpec:
    history = index.history
    return ChartSpec(
        kind="score_rank",
        categories=tuple(str(h.year) for h in history),
        series=(Series(labels["score"], tuple(h.score for h in history)),),
        secondary=Series(labels["rank"], tuple(h.rank for h in history)),
        rank_of=tuple(h.of for h in history),
        value_label=labels["score"],
        secondary_label=labels["rank"],
        value_max=index.max,
        alt_text=labels["alt_score_rank"],
        height_cm=6.5,  # a few years: a low chart says it all and keeps section I short
    )


def peer_bars(index: IndexAnalysis, unit: str, rule: ExcerptRule | None = None, *,
              labels: Mapping[str, str]) -> ChartSpec:
    """Every peer's score, the unit highlighted; a large group as an excerpt whose names
    carry their ranks ("598. Hòa Lâm") so the reader still sees where the unit stands."""
    peers = index.peers
    mean = index.peer.mean
    shown = rule.select(peers, unit, rule.chart_max_units) if rule else None
    names: list[str]
    values: list[float | None]
    highlight: str | None
    if shown is None:
        names, values, highlight = [p.unit for p in peers], [p.score for p in peers], unit
    else:
        names = [GAP if p is None else f"{pad2(p.rank)}. {p.unit}" for p in shown]
        values = [None if p is None else p.score for p in shown]
        highlight = next((n for n, p in zip(names, shown, strict=True) if p and p.unit == unit),
                         None)
    return ChartSpec(
        kind="peer_bars",
        categories=tuple(names),
        series=(Series(index.short_name, tuple(values)),),
        highlight=highlight,
        excerpt_of=len(peers) if shown is not None else None,
        reference=mean,
        reference_label=labels["mean"],
        value_label=labels["score"],
        category_label=labels["peers_axis"],
        alt_text=labels["alt_peer_bars"],
        # rows of at least 0.45 cm: every name at 8 pt or more at print size, none skipped by a
        # renderer short of room (LibreOffice hides every other name at 0.37 cm)
        height_cm=max(6.0, min(23.0, 0.45 * len(names) + 1.8)),
    )


def component_bars(index: IndexAnalysis, unit: str, *, labels: Mapping[str, str]) -> ChartSpec:
    comps = top_components(index)
    return ChartSpec(
        kind="component_bars",
        categories=tuple(c.short_name for c in comps),
        series=(
            Series(unit, tuple(c.percent for c in comps)),
            Series(labels["mean"], tuple(c.peer_mean_percent for c in comps), role="compare"),
        ),
        highlight=unit,
        value_label=labels["percent"],
        value_max=100.0,
        alt_text=labels["alt_component_bars"],
        # rows of 0.9 cm: two bars labelled at 8 pt and a name on two lines never touch
        height_cm=max(6.0, min(20.0, 0.9 * len(comps) + 2.4)),
    )


def change_bars(index: IndexAnalysis, *, labels: Mapping[str, str]) -> ChartSpec:
    comps = top_components(index)
    return ChartSpec(
        kind="change_bars",
        categories=tuple(c.short_name for c in comps),
        series=(Series(labels["change"], tuple(c.delta_score for c in comps)),),
        value_label=labels["change_axis"],
        rise_label=labels["rise"],
        fall_label=labels["fall"],
        alt_text=labels["alt_change_bars"],
    )


def radar(index: IndexAnalysis, *, labels: Mapping[str, str]) -> ChartSpec | None:
    """Only for indexes whose first-level components share one maximum (PAPI: 8 × 10)."""
    comps = top_components(index)
    maxima = {c.max for c in comps}
    maximum = next(iter(maxima), None)
    if len(comps) < RADAR_MIN_AXES or len(maxima) != 1 or maximum is None:
        return None
    series = []
    previous = index.previous
    if previous and not index.methodology_changed:
        series.append(Series(str(previous.year), tuple(c.previous_score for c in comps),
                             role="compare"))
    series.append(Series(str(index.year), tuple(c.score for c in comps)))
    return ChartSpec(
        kind="radar",
        categories=tuple(c.short_name for c in comps),
        series=tuple(series),
        value_max=maximum,
        alt_text=labels["alt_radar"],
        width_cm=13.0,
        height_cm=11.0,
    )


def chart_kinds(config: Mapping[str, Any]) -> tuple[str, ...]:
    """The chart kinds a report draws: report.yaml's ``charts: kinds:`` (checked by its
    schema), else :data:`DEFAULT_KINDS`."""
    kinds = (config.get("charts") or {}).get("kinds")
    return DEFAULT_KINDS if kinds is None else tuple(kinds)


def trend_min_years(config: Mapping[str, Any]) -> int:
    """Fewest years with a score for the score-and-rank chart (``charts: trend_min_years:``)."""
    years = (config.get("charts") or {}).get("trend_min_years")
    return DEFAULT_TREND_MIN_YEARS if years is None else int(years)


def index_charts(index: IndexAnalysis, unit: str, rule: ExcerptRule | None = None, *,
                 labels: Mapping[str, str], kinds: Collection[str] = UNIT_KINDS,
                 trend_years: int = 0) -> dict[str, list[ChartSpec]]:
    """Charts for section I (results) and section II (components) of one index, those of
    ``kinds`` only (report.yaml's ``charts: kinds:``), the score-and-rank chart only with at
    least ``trend_years`` years of scores; ``rule`` says when the position chart
    of a large group becomes an excerpt; ``labels``: the words of the charts
    (:func:`reportgen.narrate.labels.unit_chart_labels`)."""
    components: list[ChartSpec] = []
    if top_components(index):
        if "component_bars" in kinds:
            components.append(component_bars(index, unit, labels=labels))
        if "change_bars" in kinds and index.previous and not index.methodology_changed:
            components.append(change_bars(index, labels=labels))
        spider = radar(index, labels=labels) if "radar" in kinds else None
        if spider is not None:
            components.append(spider)
    years = sum(h.score is not None for h in index.history)
    results = [score_rank(index, labels=labels)] if "score_rank" in kinds and years >= trend_years else []
    if "peer_bars" in kinds:
        results.append(peer_bars(index, unit, rule, labels=labels))
    return {"results": results, "components": components}
