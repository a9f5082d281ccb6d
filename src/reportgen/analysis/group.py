"""Overview report of a whole group: what a province publishes about its own departments
and communes ("Báo cáo tổng hợp kết quả Chỉ số … của các cơ quan, đơn vị").

Three stages, as for a unit report:

- :func:`group_overview` (analyze): a validated dataset (or :class:`~reportgen.analysis.unit.Prepared`),
  a year and a group → one plain, JSON-able structure, numbers unformatted. Per index of the
  group that year: the ranking (rank, unit, score, percent, change in points and places,
  rating), statistics, counts per rating group (this year and the previous one), the best and
  worst units, the units ranked first and last, the biggest rises and falls, per top-level
  component its mean and best/worst units, and the units × components matrix (percent of the
  maximum) behind the heatmap. Conventions are those of :mod:`reportgen.analysis.unit` (competition
  ranks, published ranks win, each unit's previous year is its nearest earlier year with a
  total, no change figures across a methodology change).
- :func:`overview_context` (narrate): the render context of ``tong-hop.docx``; sentences come
  from ``phrases/tong-hop.j2``, numbers are formatted the Vietnamese way.
- :func:`render_overview` (render): ``(content hash, producer of the .docx bytes)`` for the
  batch. The hash is computed before any chart is drawn, so an unchanged overview costs one
  analysis of the group and nothing else.

The report settings are those of ``report.yaml`` for the group (issuer, number, place, date,
signer, legal bases), except the unit-specific texts: ``subject``, ``intro``, ``closing`` and
``recipients`` come from an optional ``overview:`` section (under ``defaults`` and/or the
group), else from the phrase file (texts) and ``defaults.recipients``.
"""

from __future__ import annotations

import io
import math
import statistics
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from docx.oxml.ns import qn
from lxml import etree

from reportgen import formatting as fmt
from reportgen.analysis.unit import DOWN, UP, Prepared, direction, prepare, rank_direction, rate
from reportgen.charts.spec import ChartSpec, Series
from reportgen.config.frameworks import TOTAL, Framework
from reportgen.data.validate import Dataset
from reportgen.errors import LookupFailed
from reportgen.narrate.unit import Numbering

TEMPLATE = "tong-hop.docx"
PHRASES = "tong-hop.j2"
PHRASE_DEPENDENCIES = ("tong-hop.j2", "_chung.j2", "ket-qua.j2")  # ket-qua: sample notice
TOP = 3  # units listed as leading, lagging, rising and falling (more when tied)
DIGITS = 6
HEATMAP_DECIMALS = 1
HEATMAP_ROWS = 45  # most units in one heatmap: a larger group is drawn in parts, a page each
OVERRIDDEN = ("subject", "intro", "closing", "recipients")  # unit-specific in report.yaml
APPENDIX_LETTERS = "ABCDEGHIKLMN"


# --- small helpers ---------------------------------------------------------------------------

def _r(x: float | None) -> float | None:
    """Round away float noise (as the analysis does); None stays None."""
    return None if x is None else round(float(x), DIGITS)


def _percent(score: float | None, maximum: float | None) -> float | None:
    """Score as a percent of its maximum; None without a maximum."""
    if score is None or not maximum:
        return None
    return _r(score / maximum * 100)


def _leading(items: Sequence[dict], key: Callable[[dict], Any], k: int) -> list[dict]:
    """The first ``k`` items by ``key``, plus those tied with the k-th (ties are not cut)."""
    ordered = sorted(items, key=key)
    if len(ordered) <= k:
        return ordered
    cut = key(ordered[k - 1])[0]
    return [it for n, it in enumerate(ordered) if n < k or key(it)[0] == cut]


def group_previous_year(prep: Prepared, index: str, year: int, group: str) -> int | None:
    """Nearest earlier year in which the group has results for the index."""
    years = [y for (y, i, g, c) in prep.entries if i == index and g == group and c == TOTAL
             and y < year]
    return max(years) if years else None


# --- group_overview: the analysis --------------------------------------------------------------

def group_overview(data: Dataset | Prepared, year: int, group: str, rules: Any) -> dict[str, Any]:
    """Everything the overview says about ``group`` in ``year`` (see the module docstring).

    Raises :class:`LookupFailed` when the group has no index result that year.
    """
    prep = prepare(data)
    codes = [c for c in prep.index_order if prep.cell(year, c, group, TOTAL) is not None]
    if not codes:
        groups = sorted({g for (y, g) in prep.indexes_in if y == year})
        raise LookupFailed(f"Nhóm '{group}' không có kết quả chỉ số nào năm {year}. "
                           f"Các nhóm có kết quả: {', '.join(groups) or 'không có'}.")
    indices = [index_overview(prep, year, group, code, rules) for code in codes]
    units = list(dict.fromkeys(r["unit"] for i in indices for r in i["rows"]))
    return {"year": year, "group": group, "action_year": year + rules.action_year_offset,
            "units": units, "unit_count": len(units), "indices": indices}


def index_overview(prep: Prepared, year: int, group: str, index: str, rules: Any) -> dict[str, Any]:
    """One index of the group: ranking, statistics, rating groups, leaders, components."""
    fw = prep.framework(index, year)
    cell = prep.cell(year, index, group, TOTAL)
    assert cell is not None
    tolerance = rules.for_index(index).tolerance
    prev_year = group_previous_year(prep, index, year, group)
    prev_fw = prep.framework(index, prev_year) if prev_year is not None else None
    comparable = prev_fw is not None and prev_fw.version == fw.version
    rows = [ranking_row(prep, year, index, unit, cell.ranks[unit], fw, tolerance)
            for unit in cell.order]
    first = prep.rows[(cell.order[0], index)][year][TOTAL]
    out: dict[str, Any] = {
        "index": index, "name": fw.name, "short_name": fw.short_name, "version": fw.version,
        "year": year, "group": group, "unit": fw.unit, "max": first.max or fw.total_max,
        "component_unit": fw.component_unit, "component_word": fw.component_word,
        "additive": fw.additive, "count": cell.count, "of": cell.of,
        "ranks_published": bool(cell.published) and len(cell.published) == cell.count,
        "previous_year": prev_year if comparable else None,
        "methodology_changed": prev_year is not None and not comparable,
        "previous_version": prev_fw.version if prev_fw else None,
        "stats": _stats(prep, cell, index, group, prev_year if comparable else None,
                        first.max or fw.total_max),
        "rows": rows, "counts": _counts(rows, fw),
        "rating": _rating_summary(prep, fw, rows, index, group, prev_year if comparable else None),
    }
    out.update(_leaders(rows))
    comps = component_overviews(prep, year, group, index, fw, prev_year if comparable else None)
    out["components"] = comps
    out["matrix"] = _matrix(prep, year, index, [r["unit"] for r in rows], comps)
    return out


def ranking_row(prep: Prepared, year: int, index: str, unit: str, rank: int, fw: Framework,
                tolerance: float) -> dict[str, Any]:
    """One unit's line of the ranking: score, rank, change since its previous year, rating."""
    row = prep.rows[(unit, index)][year][TOTAL]
    cell = prep.cell(year, index, row.group, TOTAL)
    percent = _percent(row.score, row.max)
    rating = rate(fw.rating, cell, row.score, percent)
    out: dict[str, Any] = {
        "unit": unit, "score": _r(row.score), "percent": percent, "rank": rank,
        "previous_year": None, "previous_score": None, "previous_rank": None,
        "delta_score": None, "delta_rank": None, "direction": None, "rank_direction": None,
        "rating": rating["label"] if rating else None, "previous_rating": None,
        "methodology_changed": False,
    }
    prev_year = prep.previous_year(unit, index, year)
    if prev_year is None:
        return out
    prev = prep.rows[(unit, index)][prev_year][TOTAL]
    if prev.version != row.version:
        out["methodology_changed"] = True
        return out
    prev_cell = prep.cell(prev_year, index, prev.group, TOTAL)
    delta = _r(row.score - prev.score)
    delta_rank = prev_cell.ranks[unit] - rank if prev_cell else None
    prev_rating = rate(prep.framework(index, prev_year).rating, prev_cell, prev.score,
                       _percent(prev.score, prev.max))
    out.update(previous_year=prev_year, previous_score=_r(prev.score),
               previous_rank=prev_cell.ranks[unit] if prev_cell else None,
               delta_score=delta, delta_rank=delta_rank,
               direction=direction(delta, tolerance), rank_direction=rank_direction(delta_rank),
               previous_rating=prev_rating["label"] if prev_rating else None)
    return out


def _stats(prep: Prepared, cell: Any, index: str, group: str, prev_year: int | None,
           maximum: float | None) -> dict[str, Any]:
    """Mean, median, range and quartiles of the group; the previous year's mean."""
    before = prep.cell(prev_year, index, group, TOTAL) if prev_year is not None else None
    values = list(cell.scores.values())
    above = sum(v >= cell.mean - 1e-9 for v in values)
    return {
        "mean": _r(cell.mean), "median": _r(cell.median), "max": _r(cell.sorted_scores[0]),
        "min": _r(cell.sorted_scores[-1]), "range": _r(cell.sorted_scores[0] - cell.sorted_scores[-1]),
        "stdev": _r(statistics.pstdev(values)), "mean_percent": _percent(cell.mean, maximum),
        "quartiles": [_r(q) for q in cell.quartiles] if cell.quartiles else None,
        "above_mean": above, "below_mean": len(values) - above,
        "mean_previous": _r(before.mean) if before else None,
        "count_previous": before.count if before else None,
        "delta_mean": _r(cell.mean - before.mean) if before else None,
    }


def _rating_order(fw: Framework) -> dict[str, int]:
    """Position of each rating label, best first (to tell a move up from a move down)."""
    return {g.label: n for n, g in enumerate(fw.rating.groups)}


def _counts(rows: list[dict], fw: Framework) -> dict[str, int]:
    """How many units rose, fell or held, in points, places and rating group."""
    dirs = [r["direction"] for r in rows]
    rdirs = [r["rank_direction"] for r in rows]
    order = _rating_order(fw)
    moves = [order[r["rating"]] - order[r["previous_rating"]] for r in rows
             if r["rating"] in order and r["previous_rating"] in order]
    return {"total": len(rows), "compared": sum(d is not None for d in dirs),
            "new": sum(r["previous_year"] is None and not r["methodology_changed"] for r in rows),
            "up": dirs.count(UP), "down": dirs.count(DOWN),
            "same": sum(d is not None and d not in (UP, DOWN) for d in dirs),
            "rank_up": rdirs.count(UP), "rank_down": rdirs.count(DOWN),
            "rank_same": sum(d is not None and d not in (UP, DOWN) for d in rdirs),
            "rating_up": sum(m < 0 for m in moves), "rating_down": sum(m > 0 for m in moves)}


def _rating_summary(prep: Prepared, fw: Framework, rows: list[dict], index: str, group: str,
                    prev_year: int | None) -> dict[str, Any] | None:
    """Units per rating group this year and (same methodology) the group's previous year."""
    rule = fw.rating
    if rule.kind == "none" or not rule.groups:
        return None
    before = _previous_ratings(prep, index, group, prev_year) if prev_year is not None else None
    groups = []
    for g in rule.groups:
        units = [r["unit"] for r in rows if r["rating"] == g.label]
        groups.append({"label": g.label, "description": g.description, "count": len(units),
                       "units": units,
                       "previous_count": before.count(g.label) if before is not None else None})
    return {"kind": rule.kind, "groups": groups, "previous_year": prev_year,
            "unrated": [r["unit"] for r in rows if r["rating"] is None]}


def _previous_ratings(prep: Prepared, index: str, group: str, year: int) -> list[str | None]:
    """The rating label of every unit of the group in an earlier year."""
    cell = prep.cell(year, index, group, TOTAL)
    if cell is None:
        return []
    rule = prep.framework(index, year).rating
    labels = []
    for unit in cell.order:
        row = prep.rows[(unit, index)][year][TOTAL]
        found = rate(rule, cell, row.score, _percent(row.score, row.max))
        labels.append(found["label"] if found else None)
    return labels


def _brief(row: dict) -> dict[str, Any]:
    """The figures a sentence about one unit needs."""
    keys = ("unit", "score", "percent", "rank", "previous_score", "previous_rank", "delta_score",
            "delta_rank", "direction", "rating", "previous_rating")
    return {k: row[k] for k in keys}


def _leaders(rows: list[dict]) -> dict[str, list[dict]]:
    """Best and worst (ties), first and last places, biggest rises and falls."""
    if not rows:
        return {k: [] for k in ("best", "worst", "top", "bottom", "rises", "falls",
                                "rank_gains", "rank_losses")}
    k = max(1, min(TOP, len(rows) // 2))
    last = rows[-1]["rank"]
    top = _leading(rows, lambda r: (r["rank"],), k)
    bottom = [] if len(rows) < 2 else _leading(rows, lambda r: (-r["rank"],), k)
    rises = [r for r in rows if r["direction"] == UP]
    falls = [r for r in rows if r["direction"] == DOWN]
    gains = [r for r in rows if (r["delta_rank"] or 0) > 0]
    losses = [r for r in rows if (r["delta_rank"] or 0) < 0]
    return {
        "best": [_brief(r) for r in rows if r["rank"] == rows[0]["rank"]],
        "worst": [_brief(r) for r in rows if r["rank"] == last] if len(rows) > 1 else [],
        "top": [_brief(r) for r in top],
        "bottom": [_brief(r) for r in bottom],
        "rises": [_brief(r) for r in _leading(rises, lambda r: (-r["delta_score"], r["rank"]), TOP)],
        "falls": [_brief(r) for r in _leading(falls, lambda r: (r["delta_score"], r["rank"]), TOP)],
        "rank_gains": [_brief(r) for r in _leading(gains, lambda r: (-r["delta_rank"], r["rank"]), TOP)],
        "rank_losses": [_brief(r) for r in _leading(losses, lambda r: (r["delta_rank"], r["rank"]),
                                                     TOP)],
    }


def component_overviews(prep: Prepared, year: int, group: str, index: str, fw: Framework,
                        prev_year: int | None) -> list[dict[str, Any]]:
    """Per top-level component (framework order): mean, spread, best and worst units."""
    out = []
    for code in prep.component_order(fw):
        if fw.level(code) != 1:
            continue
        cell = prep.cell(year, index, group, code)
        if cell is not None:
            out.append(_component(prep, year, index, fw, code, cell, group, prev_year))
    return out


def _component(prep: Prepared, year: int, index: str, fw: Framework, code: str, cell: Any,
               group: str, prev_year: int | None) -> dict[str, Any]:
    """The group's figures for one component."""
    rows = {u: prep.rows[(u, index)][year][code] for u in cell.scores}
    maxima = {r.max for r in rows.values()}
    maximum = maxima.pop() if len(maxima) == 1 else None
    percents = [p for p in (_percent(r.score, r.max) for r in rows.values()) if p is not None]
    before = prep.cell(prev_year, index, group, code) if prev_year is not None else None
    best, worst = cell.ranks[cell.order[0]], cell.ranks[cell.order[-1]]
    comp = fw.components[code]
    return {
        "code": code, "name": comp.name, "short_name": comp.short_name, "max": maximum,
        "count": cell.count, "mean": _r(cell.mean), "median": _r(cell.median),
        "mean_percent": _r(statistics.fmean(percents)) if percents else None,
        "min_percent": _r(min(percents)) if percents else None,
        "max_percent": _r(max(percents)) if percents else None,
        "spread_percent": _r(max(percents) - min(percents)) if percents else None,
        "best_units": [u for u in cell.order if cell.ranks[u] == best],
        "best_score": _r(cell.scores[cell.order[0]]),
        "worst_units": [u for u in cell.order if cell.ranks[u] == worst] if cell.count > 1 else [],
        "worst_score": _r(cell.scores[cell.order[-1]]),
        "spread": _r(cell.scores[cell.order[0]] - cell.scores[cell.order[-1]]),
        "full_marks": sum(maximum is not None and s >= maximum - 1e-9 for s in cell.scores.values()),
        "mean_previous": _r(before.mean) if before else None,
        "delta_mean": _r(cell.mean - before.mean) if before else None,
    }


def _matrix(prep: Prepared, year: int, index: str, units: list[str],
            comps: list[dict]) -> dict[str, Any]:
    """Units (ranking order) × top-level components: score and percent of the maximum."""
    scores, percents = [], []
    for unit in units:
        found = prep.rows[(unit, index)][year]
        cells = [found.get(c["code"]) for c in comps]
        scores.append([_r(r.score) if r else None for r in cells])
        percents.append([_percent(r.score, r.max) if r else None for r in cells])
    return {"units": units, "codes": [c["code"] for c in comps],
            "names": [c["short_name"] for c in comps], "score": scores, "percent": percents}


# --- charts --------------------------------------------------------------------------------

def heatmap_spec(index: Mapping[str, Any], rows: slice = slice(None),
                 class_range: tuple[float, float] | None = None) -> ChartSpec:
    """The units × components grid (percent of the maximum), units in ranking order (those
    of ``rows``); the height grows with the number of units so that 45 rows stay legible on
    one page."""
    matrix = index["matrix"]
    units = tuple(matrix["units"][rows]) if matrix["names"] else ()
    percent = matrix["percent"][rows]
    series = tuple(Series(name, tuple(row[n] for row in percent))
                   for n, name in enumerate(matrix["names"]))
    return ChartSpec(
        kind="heatmap", categories=units, series=series or (Series("", ()),),
        value_label="Tỷ lệ điểm đạt so với điểm tối đa (%)", value_max=100.0,
        decimals=HEATMAP_DECIMALS, width_cm=16.5, class_range=class_range,
        height_cm=max(7.0, min(23.0, 3.2 + 0.44 * len(units))),
        alt_text=(f"Tỷ lệ điểm đạt các {index['component_word']} {index['short_name']} "
                  f"năm {index['year']} của từng đơn vị"))


def heatmap_specs(index: Mapping[str, Any]) -> list[ChartSpec]:
    """The grid in one chart, or for a large group in parts of at most HEATMAP_ROWS units
    (a page each), of equal size and with one colour legend for all."""
    units = len(index["matrix"]["units"])
    if units <= HEATMAP_ROWS:
        return [heatmap_spec(index)]
    parts = math.ceil(units / HEATMAP_ROWS)
    size = math.ceil(units / parts)
    values = [v for row in index["matrix"]["percent"] for v in row if v is not None]
    span = (min(values), max(values)) if values else None
    return [heatmap_spec(index, slice(start, start + size), span) for start in range(0, units, size)]


def overview_charts(overview: Mapping[str, Any], dpi: int) -> dict[str, list[dict]]:
    """The heatmap of every index with components, drawn (or the reason it is left out)."""
    from reportgen.app import draw_charts

    specs = {i["index"]: heatmap_specs(i) for i in overview["indices"] if i["components"]}
    return draw_charts(specs, dpi)


# --- overview_context: the narrative -----------------------------------------------------------

def overview_settings(config: Mapping[str, Any], group: str) -> dict[str, Any]:
    """report.yaml for the group, with the overview's own section over it."""
    defaults = dict(config.get("defaults") or {})
    section = dict((config.get("groups") or {}).get(group) or {})
    merged = {**defaults, **section}
    for key in OVERRIDDEN:
        merged.pop(key, None)
    if defaults.get("recipients"):
        merged["recipients"] = defaults["recipients"]
    merged.update(defaults.get("overview") or {})
    merged.update(section.get("overview") or {})
    merged.pop("overview", None)
    return merged


def overview_context(narrator: Any, overview: Mapping[str, Any], charts: Mapping[str, list],
                     sources: Mapping[str, str], sample: bool = False) -> dict[str, Any]:
    """The render context of ``tong-hop.docx`` (every string of the overview)."""
    from reportgen.narrate.unit import header_block, render_setting

    phrases = narrator.phrases
    year, group = overview["year"], overview["group"]
    indices = overview["indices"]
    defaults = narrator.config.get("defaults") or {}
    variables: dict[str, Any] = {
        "unit": defaults.get("default_unit") or "", "year": year,
        "next_year": overview["action_year"], "group": group,
        "indexes": ", ".join(i["short_name"] for i in indices), "count": overview["unit_count"]}
    settings = overview_settings(narrator.config, group)
    named = {k: settings[k] for k in ("agency_short", "peer_label") if k in settings}
    variables.update(render_setting(phrases.env, named, variables))
    variables.setdefault("peer_label", group.lower())
    variables.setdefault("agency_short", "")
    for key, macro in (("subject", "trich_yeu"), ("intro", "mo_dau"), ("closing", "ket_thuc")):
        if key not in settings:
            settings[key] = _escape(phrases.text(PHRASES, macro, v=variables))
    report = header_block(settings, phrases.env, variables, overview["action_year"])
    if sample:
        report["sample_notice"] = phrases.text("ket-qua.j2", "du_lieu_mau")
    o = {**variables, "peer_label": report["peer_label"], "agency_short": report["agency_short"]}
    counter = Numbering()
    keys = ["results", *(["components"] if any(i["components"] for i in indices) else []), "leaders"]
    sections = {key: phrases.text(PHRASES, "muc", key=key, o=o, n=n)
                for n, key in enumerate(keys, start=1)}
    sections.setdefault("components", "")
    return {
        "report": report,
        "sections": sections,
        "results": [_result(phrases, i, o, counter) for i in indices],
        "components": [_components(phrases, i, o, charts.get(i["index"], []),
                                   sources.get(i["index"], ""), counter)
                       for i in indices if i["components"]],
        "leaders": [_leader_block(phrases, n, i, o) for n, i in enumerate(indices, start=1)],
        "appendices": _appendices(phrases, overview, o, report),
    }


def _escape(text: str) -> str:
    """Keep a phrase's output literal when report settings are rendered as templates."""
    return text.replace("{", "{{ '{' }}") if "{" in text else text


def _result(phrases: Any, i: Mapping, o: Mapping, counter: Numbering) -> dict[str, Any]:
    """Section I for one index: sentences, the ranking table, the rating-group table."""
    n = counter.next("result")
    ranking = {"caption": phrases.text(PHRASES, "bang_xep_hang", i=i, o=o, n=counter.next("table")),
               "rows": [ranking_table_row(r) for r in i["rows"]],
               "note": phrases.text(PHRASES, "ghi_chu_xep_hang", i=i, o=o)}
    ratings = {"caption": "", "rows": [], "note": ""}
    if i["rating"]:
        ratings = {"caption": phrases.text(PHRASES, "bang_xep_loai", i=i, o=o,
                                           n=counter.next("table")),
                   "rows": rating_table_rows(i), "note": ""}
    return {"heading": f"{n}. {i['name']}",
            "paragraphs": phrases.paragraphs(PHRASES, "ket_qua_chung", i=i, o=o),
            "ranking": ranking, "ratings": ratings}


def ranking_table_row(r: Mapping[str, Any]) -> dict[str, Any]:
    """A ranking line as table cells ("05", "86,47", "+1,20", "-03")."""
    return {"rank": fmt.pad2(r["rank"]), "unit": r["unit"], "score": fmt.num(r["score"]),
            "percent": fmt.num(r["percent"]), "delta": fmt.signed(r["delta_score"]),
            "delta_rank": fmt.signed_places(r["delta_rank"]), "rating": r["rating"] or fmt.DASH,
            "highlight": False}


def rating_table_rows(i: Mapping[str, Any]) -> list[dict[str, str]]:
    """Units per rating group: previous year, this year, share of the group, change."""
    rows = []
    total = i["count"] or 1
    for g in i["rating"]["groups"]:
        before = g["previous_count"]
        label = str(g["label"])
        rows.append({"label": label[:1].upper() + label[1:],
                     "description": g["description"] or fmt.DASH,
                     "previous": fmt.pad2(before), "count": fmt.pad2(g["count"]),
                     "share": fmt.num(100 * g["count"] / total),
                     "delta": fmt.signed_places(g["count"] - before) if before is not None
                     else fmt.DASH})
    return rows


def _components(phrases: Any, i: Mapping, o: Mapping, charts: list, source: str,
                counter: Numbering) -> dict[str, Any]:
    """Section II for one index: sentences, the heatmap, the component means table."""
    drawn, notes = [], []
    parts = sum(1 for chart in charts if not chart.get("omitted"))
    for chart in charts:
        if chart.get("omitted"):
            notes += phrases.paragraphs(PHRASES, "bo_qua_bieu_do", i=i, o=o, reason=chart["omitted"])
            continue
        caption = phrases.text(PHRASES, "bieu_do", i=i, o=o, n=counter.next("chart"))
        if parts > 1:
            part = phrases.optional(PHRASES, "phan_bieu_do", part=len(drawn) + 1, parts=parts)
            caption = f"{caption} {part}".strip()
        drawn.append({**chart, "caption": caption,
                      "source": phrases.text(PHRASES, "nguon", i=i, o=o, source=source)})
    return {
        "heading": phrases.text(PHRASES, "tieu_de_linh_vuc", i=i, o=o, n=counter.next("component")),
        "paragraphs": phrases.paragraphs(PHRASES, "linh_vuc", i=i, o=o, charted=bool(drawn)),
        "charts": drawn, "notes": notes,
        "caption": phrases.text(PHRASES, "bang_linh_vuc", i=i, o=o, n=counter.next("table")),
        "unit_note": phrases.text(PHRASES, "don_vi_tinh", i=i, o=o),
        "rows": component_table_rows(i),
        "note": phrases.text(PHRASES, "ghi_chu_linh_vuc", i=i, o=o),
    }


def _names(units: Iterable[str]) -> str:
    return ", ".join(units)


def component_table_rows(i: Mapping[str, Any]) -> list[dict[str, str]]:
    """Per component: maximum, mean (points and percent), change, best and worst units."""
    rows = []
    for n, c in enumerate(i["components"], start=1):
        rows.append({
            "no": str(n), "name": c["name"], "max": fmt.num(c["max"]), "mean": fmt.num(c["mean"]),
            "mean_percent": fmt.num(c["mean_percent"]), "delta": fmt.signed(c["delta_mean"]),
            "best": f"{_names(c['best_units'])} ({fmt.num(c['best_score'])})",
            "worst": (f"{_names(c['worst_units'])} ({fmt.num(c['worst_score'])})"
                      if c["worst_units"] else fmt.DASH),
        })
    return rows


def _leader_block(phrases: Any, n: int, i: Mapping, o: Mapping) -> dict[str, Any]:
    """Section III for one index: leading units, units to improve, biggest moves."""
    subsections = []
    for macro in ("dan_dau", "can_cai_thien", "bien_dong"):
        body = phrases.paragraphs(PHRASES, macro, i=i, o=o)
        if body:
            heading = phrases.text(PHRASES, f"{macro}_tieu_de", i=i, o=o)
            subsections.append({"heading": f"{fmt.letter(len(subsections))}) {heading}",
                                "paragraphs": [p for p in body if not p.startswith("- ")],
                                "bullets": [p[2:] for p in body if p.startswith("- ")]})
    return {"heading": f"{n}. {i['short_name']}", "subsections": subsections}


def _appendices(phrases: Any, overview: Mapping, o: Mapping,
                report: Mapping) -> list[dict[str, Any]]:
    """One landscape appendix: every unit × every top-level component, per index."""
    tables = []
    for i in overview["indices"]:
        if not i["components"]:
            continue
        letter = APPENDIX_LETTERS[len(tables)] if len(tables) < len(APPENDIX_LETTERS) else "?"
        tables.append({
            "caption": phrases.text(PHRASES, "phu_luc_bang", i=i, o=o, letter=letter),
            "unit_note": phrases.text(PHRASES, "don_vi_tinh", i=i, o=o),
            "columns": [phrases.text(PHRASES, "cot_linh_vuc", i=i, c=c, n=n)
                        for n, c in enumerate(i["components"], start=1)],
            "total": phrases.text(PHRASES, "cot_tong", i=i),
            "rows": matrix_table_rows(i),
        })
    if not tables:
        return []
    return [{"number": "Phụ lục", "title": phrases.text(PHRASES, "phu_luc_tieu_de", o=o),
             "ref": report["appendix_ref"], "tables": tables}]


def matrix_table_rows(i: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per unit (ranking order): rank, name, each component's score, the total."""
    rows = []
    for r, values in zip(i["rows"], i["matrix"]["score"], strict=True):
        rows.append({"rank": fmt.pad2(r["rank"]), "unit": r["unit"],
                     "values": [fmt.num(v) for v in values], "total": fmt.num(r["score"])})
    return rows


# --- render_overview: hash first, document on demand ------------------------------------------

def group_sources(dataset: Dataset, year: int, group: str) -> dict[str, str]:
    """The ``source`` column of each index for this group and year ("Nguồn:" lines)."""
    frame = dataset.frame
    part = frame[(frame["year"] == year) & (frame["group"] == group) & (frame["source"] != "")]
    return {idx: str(src) for idx, src in part.groupby("index")["source"].first().items()}


def group_is_sample(dataset: Dataset, year: int, group: str) -> bool:
    """Whether the group's rows come from the bundled fictitious sample."""
    from reportgen.data.sample import SAMPLE_SOURCE

    frame = dataset.frame
    part = frame[(frame["year"] == year) & (frame["group"] == group)]
    return bool((part["source"] == SAMPLE_SOURCE).any())


def overview_files(kit: Any) -> list[Path]:
    """Every editable file the overview depends on: its template, phrases, the report
    configuration and the frameworks."""
    search = kit.project.search
    files = {search.find(TEMPLATE), kit.config_path}
    files |= {search.find(f"phrases/{name}") for name in PHRASE_DEPENDENCIES}
    files |= set(search.find_all("frameworks"))
    return sorted(files)


def _tools(state: dict[str, Any]) -> dict[str, Any]:
    """Per-process cache (in the batch's worker state): the files' fingerprint now, the
    compiled Word template when first needed."""
    tools = state.get("overview")
    if tools is None:
        from reportgen.batch.run import fingerprint

        kit = state["kit"]
        tools = {"hash": fingerprint(overview_files(kit), extra=f"overview dpi={kit.dpi}"),
                 "renderer": None}
        state["overview"] = tools
    return tools


def _renderer(state: dict[str, Any]) -> Any:
    """The compiled ``tong-hop.docx`` (compiled once per process)."""
    tools = _tools(state)
    if tools["renderer"] is None:
        from reportgen.docx.render import Renderer

        tools["renderer"] = Renderer(state["kit"].project.search.find(TEMPLATE))
    return tools["renderer"]


def render_overview(state: dict[str, Any], year: int, group: str) -> tuple[str, Callable[[], bytes]]:
    """(hash of everything the overview depends on, function producing its .docx bytes).

    ``state`` is :func:`reportgen.batch.run.batch_state`'s dict (``kit``, ``dataset``,
    ``prepared``). Nothing is drawn or rendered until the function is called.
    """
    from reportgen.batch.run import content_hash

    kit, dataset = state["kit"], state["dataset"]
    overview = group_overview(state["prepared"], year, group, kit.rules)
    sources = group_sources(dataset, year, group)
    sample = group_is_sample(dataset, year, group)
    digest = content_hash({"overview": overview, "sources": sources, "sample": sample},
                          _tools(state)["hash"])

    def produce() -> bytes:
        charts = overview_charts(overview, kit.dpi)
        context = overview_context(kit.narrator, overview, charts, sources, sample)
        return fit_table_grids(_renderer(state).render(context))

    return digest, produce


# --- table grids after column loops ---------------------------------------------------------

def fit_table_grids(document: bytes) -> bytes:
    """Give columns made by a ``{%tc for %}`` loop their cells' own widths.

    docxtpl sets every column of such a table to the same width (so the unit names would
    wrap in a narrow column); here each grid column takes the width of its cells in the
    template, scaled to the table's width. Other tables are left as they are.
    """
    with zipfile.ZipFile(io.BytesIO(document)) as src:
        xml = src.read("word/document.xml")
        root = etree.fromstring(xml)
        changed = [_fit_grid(tbl) for tbl in root.iter(qn("w:tbl"))]
        if not any(changed):
            return document
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
            for item in src.infolist():
                data = src.read(item.filename)
                if item.filename == "word/document.xml":
                    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                          standalone=True)
                dst.writestr(item, data)
    return out.getvalue()


def _cell_width(tc: etree._Element) -> int | None:
    """A cell's width in twips (None when not given in twips, or when it spans columns)."""
    tcpr = tc.find(qn("w:tcPr"))
    if tcpr is None or tcpr.find(qn("w:gridSpan")) is not None:
        return None
    width = tcpr.find(qn("w:tcW"))
    if width is None or width.get(qn("w:type")) not in (None, "dxa"):
        return None
    return int(float(width.get(qn("w:w"), "0")))


def _fit_grid(tbl: etree._Element) -> bool:
    """Set one table's grid from the widths of its widest row; True when it changed."""
    grid = tbl.find(qn("w:tblGrid"))
    if grid is None:
        return False
    cols = grid.findall(qn("w:gridCol"))
    rows = [r.findall(qn("w:tc")) for r in tbl.findall(qn("w:tr"))]
    full = [cells for cells in rows if len(cells) == len(cols)]
    shapes = Counter(tuple(w) for w in ([_cell_width(c) for c in cells] for cells in full)
                     if None not in w and sum(w) > 0)  # type: ignore[operator]
    if not shapes:
        return False
    widths = list(shapes.most_common(1)[0][0])  # the body rows' widths, not a merged header's
    current = [int(float(c.get(qn("w:w"), "0"))) for c in cols]
    if all(abs(a - b) <= 2 for a, b in zip(widths, current, strict=True)):
        return False
    table_width = tbl.find(qn("w:tblPr") + "/" + qn("w:tblW"))
    total = sum(current)
    if table_width is not None and table_width.get(qn("w:type")) == "dxa":
        total = int(float(table_width.get(qn("w:w"), "0"))) or total
    scaled = [int(w * total / sum(widths)) for w in widths]  # type: ignore[arg-type]
    for col, width in zip(cols, scaled, strict=True):
        col.set(qn("w:w"), str(width))
    for cells in full:
        if [_cell_width(c) for c in cells] != widths:
            continue
        for tc, width in zip(cells, scaled, strict=True):
            found = tc.find(qn("w:tcPr") + "/" + qn("w:tcW"))
            if found is not None and found.get(qn("w:type")) in (None, "dxa"):
                found.set(qn("w:w"), str(width))
    return True
