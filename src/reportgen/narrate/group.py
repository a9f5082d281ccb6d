"""Narrative of the group overview: the render context of ``tong-hop.docx``; sentences come
from ``phrases/tong-hop.j2``, numbers are formatted the Vietnamese way.

The report settings are those of ``report.yaml`` for the group (issuer, number, place, date,
signer, legal bases), except the unit-specific texts: ``subject``, ``intro``, ``closing`` and
``recipients`` come from an optional ``overview:`` section (under ``defaults`` and/or the
group), else from the phrase file (texts) and ``defaults.recipients``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, cast

from reportgen import formatting as fmt
from reportgen.analysis.model import GroupAnalysis, IndexOverview, RankingRow
from reportgen.narrate import group_context as gc
from reportgen.narrate.context import RankingRow as RankingCells
from reportgen.narrate.context import Report, Subsection
from reportgen.narrate.header import SECTION_VI_KEYS
from reportgen.narrate.labels import label, omission_reason
from reportgen.narrate.phrases import Numbering, subsection

PHRASES = "tong-hop.j2"
CRITERIA_PHRASES = "tieu-chi.j2"  # the criteria's tables (#13)
# unit-specific in report.yaml (the overview's own come from its ``overview:`` sections)
OVERRIDDEN = ("subject", "intro", "closing", "recipients", *SECTION_VI_KEYS)
APPENDIX_LETTERS = "ABCDEGHIKLMN"


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


def overview_context(narrator: Any, overview: GroupAnalysis, charts: Mapping[str, list[dict[str, Any]]],
                     sources: Mapping[str, str], sample: bool = False) -> gc.OverviewContext:
    """The render context of ``tong-hop.docx`` (every string of the overview)."""
    from reportgen.narrate.header import (
        header_block,
        render_setting,
        report_deadlines,
        with_index_bases,
    )

    phrases = narrator.phrases
    year, group = overview.year, overview.group
    indices = overview.indices
    defaults = narrator.config.get("defaults") or {}
    variables: dict[str, Any] = {
        "unit": defaults.get("default_unit") or "", "year": year,
        "next_year": overview.action_year, "group": group,
        "indexes": ", ".join(i.short_name for i in indices), "count": overview.unit_count}
    settings = with_index_bases(overview_settings(narrator.config, group),
                                (b for i in indices for b in i.legal_basis))
    named = {k: settings[k] for k in ("agency_short", "peer_label") if k in settings}
    variables.update(render_setting(phrases.env, named, variables))
    variables.setdefault("peer_label", group.lower())
    variables.setdefault("agency_short", "")
    for key, macro in (("subject", "trich_yeu"), ("intro", "mo_dau"), ("closing", "ket_thuc")):
        if key not in settings:
            settings[key] = _escape(phrases.text(PHRASES, macro, v=variables))
    report = header_block(settings, phrases.env, variables, overview.action_year)
    if sample:
        report["sample_notice"] = phrases.text("ket-qua.j2", "du_lieu_mau")
    o = {**variables, "peer_label": report["peer_label"], "agency_short": report["agency_short"],
         "deadlines": report_deadlines(narrator.config, group, phrases.env, variables),
         "divisions": bool(settings.get("divisions"))}
    counter = Numbering()
    own = render_setting(phrases.env, {k: settings.get(k) for k in SECTION_VI_KEYS}, variables)
    own["tasks_to_units"] = bool(settings.get("tasks_to_units"))
    actions = _actions(phrases, overview, o, own)
    keys = ["results", *(["components"] if any(i.components for i in indices) else []), "leaders",
            *(["actions"] if actions else [])]
    sections = {key: phrases.text(PHRASES, "muc", key=key, o=o, n=n)
                for n, key in enumerate(keys, start=1)}
    sections.setdefault("components", "")
    sections.setdefault("actions", "")
    return {
        "report": cast(Report, report),
        "sections": cast(gc.Sections, sections),
        "results": [_result(phrases, i, o, counter) for i in indices],
        "components": [_components(phrases, i, o, charts.get(i.index, []),
                                   sources.get(i.index, ""), counter)
                       for i in indices if i.components],
        "leaders": [_leader_block(phrases, n, i, o) for n, i in enumerate(indices, start=1)],
        "actions": actions,
        "appendices": _appendices(phrases, overview, o, report),
    }


def _escape(text: str) -> str:
    """Keep a phrase's output literal when report settings are rendered as templates."""
    return text.replace("{", "{{ '{' }}") if "{" in text else text


def _result(phrases: Any, i: IndexOverview, o: Mapping[str, Any], counter: Numbering) -> gc.Result:
    """Section I for one index: sentences, the ranking table, the rating-group table."""
    n = counter.next("result")
    ranking: gc.Table = {"caption": phrases.text(PHRASES, "bang_xep_hang", i=i, o=o, n=counter.next("table")),
               "rows": [ranking_table_row(r) for r in i.rows],
               "note": phrases.text(PHRASES, "ghi_chu_xep_hang", i=i, o=o)}
    ratings: gc.Table = {"caption": "", "rows": [], "note": ""}
    if i.rating:
        ratings = {"caption": phrases.text(PHRASES, "bang_xep_loai", i=i, o=o,
                                           n=counter.next("table")),
                   "rows": rating_table_rows(i), "note": ""}
    return {"heading": label(phrases.env, "tong_hop_tieu_de_chi_so", i=i, o=o, n=n),
            "paragraphs": phrases.paragraphs(PHRASES, "ket_qua_chung", i=i, o=o),
            "ranking": ranking, "ratings": ratings}


def ranking_table_row(r: RankingRow) -> RankingCells:
    """A ranking line as table cells ("05", "86,47", "+1,20", "-03")."""
    return {"rank": fmt.pad2(r.rank), "unit": r.unit, "score": fmt.num(r.score),
            "percent": fmt.num(r.percent), "delta": fmt.signed(r.delta_score),
            "delta_rank": fmt.signed_places(r.delta_rank), "rating": r.rating or fmt.DASH,
            "highlight": False}


def rating_table_rows(i: IndexOverview) -> list[gc.RatingRow]:
    """Units per rating group: previous year, this year, share of the group, change."""
    rows: list[gc.RatingRow] = []
    total = i.count or 1
    for g in i.rating.groups if i.rating else ():
        before = g.previous_count
        label = str(g.label)
        rows.append({"label": label[:1].upper() + label[1:],
                     "description": g.description or fmt.DASH,
                     "previous": fmt.pad2(before), "count": fmt.pad2(g.count),
                     "share": fmt.num(100 * g.count / total),
                     "delta": fmt.signed_places(g.count - before) if before is not None
                     else fmt.DASH})
    return rows


def _components(phrases: Any, i: IndexOverview, o: Mapping[str, Any],
                charts: list[dict[str, Any]], source: str,
                counter: Numbering) -> gc.Component:
    """Section II for one index: sentences, the heatmap, the component means table."""
    drawn: list[dict[str, Any]] = []
    notes: list[str] = []
    parts = sum(1 for chart in charts if not chart.get("omitted"))
    for chart in charts:
        if chart.get("omitted"):
            notes += phrases.paragraphs(PHRASES, "bo_qua_bieu_do", i=i, o=o,
                                        reason=omission_reason(phrases.env, chart["omitted"]))
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
        "criteria": criteria_tables(phrases, i, o, counter),  # numbered after the above
    }


CRITERIA_LISTED = 10  # criteria in the overview's table of the most often lost (#13)


def criteria_tables(phrases: Any, i: IndexOverview, o: Mapping[str, Any],
                    counter: Numbering) -> gc.CriteriaTables:
    """The criteria most often lost across the group and the lead agencies' totals (#13);
    phrases in ``phrases/tieu-chi.j2``. No criteria: empty, and no table number taken."""
    if not i.criteria:
        return {"caption": "", "rows": [], "agency_caption": "", "agencies": []}
    shown = i.criteria[:CRITERIA_LISTED]
    rows: list[gc.CriterionLossRow] = [
        {"no": str(n), "code": c.code, "name": c.name, "max": fmt.num(c.max),
         "losing": f"{c.losing}/{c.units}", "mean_lost": fmt.num(c.mean_lost),
         "lead": "; ".join(c.lead)}
        for n, c in enumerate(shown, start=1)]
    caption = phrases.text(CRITERIA_PHRASES, "tong_hop_bang_tieu_chi", i=i, o=o,
                           n=counter.next("table"), shown=len(shown))
    agencies: list[gc.AgencyLossRow] = [
        {"no": str(n), "agency": a.agency, "criteria": ", ".join(a.criteria),
         "losses": str(a.losses), "mean_lost": fmt.num(a.mean_lost)}
        for n, a in enumerate(i.agencies, start=1)]
    agency_caption = phrases.text(CRITERIA_PHRASES, "tong_hop_bang_co_quan", i=i, o=o,
                                  n=counter.next("table")) if agencies else ""
    return {"caption": caption, "rows": rows, "agency_caption": agency_caption,
            "agencies": agencies}


def _names(units: Iterable[str]) -> str:
    return ", ".join(units)


def component_table_rows(i: IndexOverview) -> list[gc.ComponentRow]:
    """Per component: maximum, mean (points and percent), change, best and worst units."""
    rows: list[gc.ComponentRow] = []
    for n, c in enumerate(i.components, start=1):
        rows.append({
            "no": str(n), "name": c.name, "max": fmt.num(c.max), "mean": fmt.num(c.mean),
            "mean_percent": fmt.num(c.mean_percent), "delta": fmt.signed(c.delta_mean),
            "best": f"{_names(c.best_units)} ({fmt.num(c.best_score)})",
            "worst": (f"{_names(c.worst_units)} ({fmt.num(c.worst_score)})"
                      if c.worst_units else fmt.DASH),
        })
    return rows


def _leader_block(phrases: Any, n: int, i: IndexOverview, o: Mapping[str, Any]) -> gc.Leaders:
    """Section III for one index: leading units, units to improve, biggest moves."""
    subsections: list[Subsection] = []
    for macro in ("dan_dau", "can_cai_thien", "bien_dong"):
        body = phrases.paragraphs(PHRASES, macro, i=i, o=o)
        if body:
            heading = phrases.text(PHRASES, f"{macro}_tieu_de", i=i, o=o)
            subsections.append(subsection(f"{fmt.letter(len(subsections))}) {heading}", body))
    return {"heading": label(phrases.env, "tong_hop_tieu_de_dan_dau", i=i, o=o, n=n),
            "subsections": subsections}


def units_to_improve(i: IndexOverview) -> list[str]:
    """The units the overview asks to improve on one index: those at the bottom of its
    ranking, and every unit of the scale's lowest rating group when it has any (once each,
    ranking order)."""
    lowest = i.rating.groups[-1] if i.rating and i.rating.groups else None
    named = set(lowest.units if lowest else ()) | {r.unit for r in i.bottom}
    return [r.unit for r in i.rows if r.unit in named]


def _actions(phrases: Any, overview: GroupAnalysis, o: Mapping[str, Any],
             own: Mapping[str, Any]) -> list[Subsection]:
    """The last section: the clerk's causes (notes table), tasks and solutions with who and
    by when, proposals (report.yaml ``overview: proposals``); parts with nothing are left out.
    Tasks go to lagging units only when they report to the issuer (``tasks_to_units``)."""
    parts: list[Subsection] = []
    causes = [*overview.causes.objective, *overview.causes.subjective]
    if causes:
        parts.append({"heading": phrases.text(PHRASES, "nguyen_nhan_tieu_de", o=o),
                      "paragraphs": [],
                      "bullets": [phrases.text(PHRASES, "nguyen_nhan", c=c, o=o) for c in causes]})
    improve = {i.index: units_to_improve(i) if own.get("tasks_to_units") else []
               for i in overview.indices}
    tasks = phrases.paragraphs(PHRASES, "nhiem_vu", g=overview, o=o, improve=improve)
    solutions = [phrases.text(PHRASES, "giai_phap", s=s, o=o, letter=fmt.letter(n))
                 for n, s in enumerate(overview.solutions)]
    follow_up = phrases.paragraphs(PHRASES, "theo_doi", g=overview, o=o)
    body = [*tasks, *solutions, *(own.get("implementation") or []), *follow_up]
    if body:
        parts.append({"heading": phrases.text(PHRASES, "nhiem_vu_tieu_de", o=o),
                      "paragraphs": body, "bullets": []})
    proposals = [phrases.text(PHRASES, "kien_nghi", to=p["to"], items=p["items"], o=o,
                              letter=fmt.letter(n))
                 for n, p in enumerate(own.get("proposals") or []) if p.get("items")]
    if proposals:
        parts.append({"heading": phrases.text(PHRASES, "kien_nghi_tieu_de", o=o),
                      "paragraphs": proposals, "bullets": []})
    for n, part in enumerate(parts, start=1):
        part["heading"] = f"{n}. {part['heading']}"
    return parts


def _appendices(phrases: Any, overview: GroupAnalysis, o: Mapping[str, Any],
                report: Mapping[str, Any]) -> list[gc.Appendix]:
    """One landscape appendix: every unit × every top-level component, per index."""
    tables: list[gc.AppendixTable] = []
    for i in overview.indices:
        if not i.components:
            continue
        letter = APPENDIX_LETTERS[len(tables)] if len(tables) < len(APPENDIX_LETTERS) else "?"
        tables.append({
            "caption": phrases.text(PHRASES, "phu_luc_bang", i=i, o=o, letter=letter),
            "unit_note": phrases.text(PHRASES, "don_vi_tinh", i=i, o=o),
            "columns": [phrases.text(PHRASES, "cot_linh_vuc", i=i, c=c, n=n)
                        for n, c in enumerate(i.components, start=1)],
            "total": phrases.text(PHRASES, "cot_tong", i=i),
            "rows": matrix_table_rows(i),
        })
    if not tables:
        return []
    return [{"number": label(phrases.env, "tong_hop_phu_luc", o=o),
             "title": phrases.text(PHRASES, "phu_luc_tieu_de", o=o),
             "ref": report["appendix_ref"], "tables": tables}]


def matrix_table_rows(i: IndexOverview) -> list[gc.MatrixRow]:
    """One row per unit (ranking order): rank, name, each component's score, the total."""
    rows: list[gc.MatrixRow] = []
    for r, values in zip(i.rows, i.matrix.score, strict=True):
        rows.append({"rank": fmt.pad2(r.rank), "unit": r.unit,
                     "values": [fmt.num(v) for v in values], "total": fmt.num(r.score)})
    return rows
