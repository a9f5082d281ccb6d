"""Narrate stage: one unit's analysis → the render context (every string of the report).

Sentences come from the editable phrase templates (``phrases/*.j2`` on the search path,
Jinja macros rendered in a sandbox with Vietnamese number filters); table cells are
formatted here; chart images arrive already drawn. The context contract is documented in
:mod:`reportgen.narrate.context`. Nothing here touches Word or the disk.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, cast

from reportgen import formatting as fmt
from reportgen.analysis.model import ComponentAnalysis, IndexAnalysis, SolutionItem, UnitAnalysis
from reportgen.analysis.ranking import ExcerptRule
from reportgen.analysis.responsibility import is_collective
from reportgen.config.report import report_config
from reportgen.data.text import fold
from reportgen.narrate import context as rc
from reportgen.narrate.abbrev import spell_out
from reportgen.narrate.criteria import criteria_rows, extremes, overall, weak_fields
from reportgen.narrate.header import (
    SECTION_VI_KEYS,
    header_block,
    render_setting,
    report_deadlines,
    report_settings,
    with_index_bases,
)
from reportgen.narrate.labels import label, omission_reason
from reportgen.narrate.phrases import Numbering, Phrases, subsection

# --- tables ------------------------------------------------------------------------------

TIE_MARK = "*"  # after a shared rank in the tables; the table notes say what it means
# After a component's name in its table, besides the row shading (a greyscale print loses the
# colours): strength, weakness; the note under the table (Word template) says what they mean.
CATEGORY_MARKS = {"strength": " (+)", "weakness": " (!)", "": ""}


def rank_text(rank: int | None, of: int | None, tied_with: tuple[str, ...] = ()) -> str:
    """"20/63", "20/63*" when another unit shares the rank, "–" without a rank."""
    return fmt.rank(rank, of) + (TIE_MARK if tied_with and rank is not None else "")


def value_text(value: float | None) -> str:
    return fmt.num(value, 2)


def rating_text(index: IndexAnalysis) -> str:
    rating = index.rating
    if not rating:
        return fmt.DASH
    text = str(rating.label)
    prev = rating.previous_label
    if prev and index.previous:
        text += f" ({index.previous.year}: {prev})"
    return text


def summary_row(index: IndexAnalysis, name: str) -> rc.SummaryRow:
    """Bảng 1 row; ``name``: its first cell (macro ``dong_chi_so`` of nhan.j2)."""
    prev = index.previous
    return {
        "name": name,
        "prev": value_text(prev.score if prev else None),
        "score": value_text(index.score),
        "delta": fmt.signed(index.delta_score),
        "prev_rank": fmt.rank(prev.rank, prev.of) if prev else fmt.DASH,
        "rank": rank_text(index.rank, index.of, index.tied_with),
        "delta_rank": fmt.signed_places(index.delta_rank),
        "rating": rating_text(index),
    }


def indent_name(component: ComponentAnalysis) -> str:
    return ("- " if component.level > 1 else "") + component.name


def component_row(n: str, c: ComponentAnalysis, additive: bool) -> rc.ComponentRow:
    mark: Literal["strength", "weakness", ""] = (
        "weakness" if c.is_weakness else "strength" if c.is_strength else "")
    return {
        "no": n,
        "name": indent_name(c) + CATEGORY_MARKS[mark],
        "max": fmt.num(c.max),
        "score": fmt.num(c.score),
        "percent": fmt.num(c.percent),
        "lost": fmt.num(c.points_lost) if additive else fmt.DASH,
        "delta": fmt.signed(c.delta_score),
        "rank": rank_text(c.rank, c.of, c.tied_with),
        "delta_rank": fmt.signed_places(c.delta_rank),
        "mark": mark,
        "bold": False,
    }


def total_row(index: IndexAnalysis, additive: bool, name: str) -> rc.ComponentRow:
    """The last, bold row of a component table; ``name``: macro ``dong_tong_cong`` of nhan.j2."""
    return {
        "no": "",
        "name": name,
        "max": fmt.num(index.max),
        "score": fmt.num(index.score),
        "percent": fmt.num(index.percent),
        "lost": fmt.num(index.points_lost) if additive else fmt.DASH,
        "delta": fmt.signed(index.delta_score),
        "rank": rank_text(index.rank, index.of, index.tied_with),
        "delta_rank": fmt.signed_places(index.delta_rank),
        "mark": "",
        "bold": True,
    }


def numbered(components: Iterable[ComponentAnalysis]) -> list[tuple[str, ComponentAnalysis]]:
    """STT for top-level rows ("1", "2", …); children get an empty STT and a dash."""
    out, n = [], 0
    for c in components:
        if c.level == 1:
            n += 1
            out.append((str(n), c))
        else:
            out.append(("", c))
    return out


def counts_points_lost(index: IndexAnalysis) -> bool:
    """Whether the component table's "points lost" column means something for the index."""
    return index.loss_measure == "points" and is_additive(index)


def is_additive(index: IndexAnalysis) -> bool:
    """The components' points add up to the index score (points lost are meaningful)."""
    return index.additive


def component_rows(index: IndexAnalysis, total_name: str) -> list[rc.ComponentRow]:
    lost = counts_points_lost(index)
    rows = [component_row(n, c, lost) for n, c in numbered(index.components)]
    return [*rows, total_row(index, lost, total_name)]


def appendix_component_rows(index: IndexAnalysis, letter: str) -> list[rc.AppendixComponentRow]:
    prev = index.previous
    head: rc.AppendixComponentRow = {
        "no": letter, "name": index.name.upper(), "max": fmt.num(index.max),
        "prev": fmt.num(prev.score if prev else None),
        "prev_percent": fmt.num(prev.percent if prev else None),
        "prev_rank": _appendix_rank(prev.rank if prev else None, prev.of if prev else None,
                                    index.size_changed),
        "score": fmt.num(index.score), "percent": fmt.num(index.percent),
        "rank": _appendix_rank(index.rank, index.of, index.size_changed),
        "delta": fmt.signed(index.delta_score),
        "delta_rank": fmt.signed_places(index.delta_rank),
        "responsible": "; ".join(index.coordinator), "bold": True,
    }
    rows = [head]
    for n, c in numbered(index.components):
        rows.append({
            "no": n, "name": indent_name(c), "max": fmt.num(c.max),
            "prev": fmt.num(c.previous_score), "prev_percent": fmt.num(c.previous_percent),
            "prev_rank": _appendix_rank(c.previous_rank, c.previous_of, _not_compared(c)),
            "score": fmt.num(c.score), "percent": fmt.num(c.percent),
            "rank": _appendix_rank(c.rank, c.of, _not_compared(c)),
            "delta": fmt.signed(c.delta_score), "delta_rank": fmt.signed_places(c.delta_rank),
            "responsible": "; ".join(c.responsible), "bold": False,
        })
    return rows


def _appendix_rank(rank: int | None, of: int | None, with_size: bool) -> str:
    """A rank of the appendix table: "05", or "05/63" when the two years' places are not
    compared because the group's size changed (63 → 34: both ranks carry their N)."""
    return fmt.rank(rank, of) if with_size and of is not None else fmt.pad2(rank)


def _not_compared(c: ComponentAnalysis) -> bool:
    """Both years ranked in groups of different sizes and the places not compared."""
    return (c.previous_rank is not None and c.rank is not None and c.delta_rank is None
            and c.previous_of is not None and c.previous_of != c.of)


def ranking_rows(index: IndexAnalysis, unit: str,
                 rule: ExcerptRule | None = None) -> list[rc.RankingRow]:
    """Phụ lục II rows: every peer, or an excerpt of a large group with "…" rows for gaps."""
    peers = index.peers
    shown = rule.select(peers, unit, rule.table_max_units) if rule else None
    rows: list[rc.RankingRow] = []
    for p in peers if shown is None else shown:
        if p is None:
            rows.append({"rank": GAP_CELL, "unit": GAP_CELL, "score": GAP_CELL, "percent": GAP_CELL,
                         "delta": GAP_CELL, "delta_rank": GAP_CELL, "rating": GAP_CELL,
                         "highlight": False})
            continue
        rows.append({
            "rank": fmt.pad2(p.rank), "unit": p.unit, "score": fmt.num(p.score),
            "percent": fmt.num(p.percent), "delta": fmt.signed(p.delta_score),
            "delta_rank": fmt.signed_places(p.delta_rank),
            "rating": (p.rating or fmt.DASH), "highlight": p.unit == unit,
        })
    return rows


GAP_CELL = "…"  # every cell of the row standing for units an excerpt leaves out
NAME_MARK = "\x00"  # stands for a unit's name while the unit label is filled


def peer_name_affixes(env: Any, base: Mapping[str, Any],
                      variables: Mapping[str, Any]) -> tuple[str, str]:
    """What report.yaml's ``unit_label`` puts before and after a unit's name ("tỉnh " and ""
    for "tỉnh {{ unit }}"), so that the text can name a peer the same way ("tỉnh Phú Hòa");
    ("", "") when the label does not contain the name."""
    label = render_setting(env, {"unit_label": base.get("unit_label", "")},
                           {**variables, "unit": NAME_MARK})["unit_label"]
    before, mark, after = str(label).partition(NAME_MARK)
    return (before, after) if mark else ("", "")


def chart_numbers(drawn: Sequence[rc.Chart]) -> dict[str, int]:
    """Chart kind → its number in the document ("Biểu đồ n"), for the text to refer to."""
    out: dict[str, int] = {}
    for chart in drawn:
        if "kind" in chart and "number" in chart:
            out.setdefault(chart["kind"], chart["number"])
    return out


def appendix_numbers(appendices: Sequence[rc.Appendix]) -> dict[str, str]:
    """Appendix table kind ("components", "ranking", …) → the number of the first appendix
    holding one ("Phụ lục II"), for the text to refer to."""
    out: dict[str, str] = {}
    for appendix in appendices:
        for table in appendix["tables"]:
            out.setdefault(str(table["kind"]), appendix["number"])
    return out
# the headings of sections I–V: context key → macro of phrases/nhan.j2
SECTION_MACROS = {"results": "muc_ket_qua", "components": "muc_phan_tich",
                  "assessment": "muc_danh_gia", "responsibility": "muc_trach_nhiem",
                  "tasks": "muc_giai_phap", "implementation": "muc_to_chuc"}


def is_issuer(unit: str | None, u: Mapping[str, Any]) -> bool:
    """The agency issuing the report (``agency_short`` of report.yaml): its row of Bảng 5
    states its own responsibility, and it is never asked to report to itself."""
    issuer = str(u.get("agency_short") or "")
    return bool(unit and issuer) and fold(unit or "") == fold(issuer)


def solution_groups(solutions: Sequence[SolutionItem]) -> list[list[SolutionItem]]:
    """Section V.3's lettered items: one per solution, except that the solutions of an index
    set to ``grouped`` in analysis.yaml make one item together (in their order)."""
    out: list[list[SolutionItem]] = []
    for s in solutions:
        if s.grouped and out and out[-1][0].grouped and out[-1][0].index == s.index:
            out[-1].append(s)
        else:
            out.append([s])
    return out


# --- the whole context ------------------------------------------------------------------

ChartDrawer = Callable[[Any], dict[str, Any]]


@dataclass
class Narrator:
    """Builds contexts; holds what is compiled once per run (phrases, configuration)."""

    phrases: Phrases
    config: Mapping[str, Any]
    config_file: str | None = None  # for located configuration errors
    _excerpt_rules: dict[str, ExcerptRule] = field(default_factory=dict, repr=False)

    def excerpt_rule(self, group: str) -> ExcerptRule:
        """When the peer lists of a group's reports are cut (``peer_excerpt``); read once
        per group, not per report."""
        if group not in self._excerpt_rules:
            settings = report_settings(self.config, group)
            self._excerpt_rules[group] = ExcerptRule.from_settings(settings, self.config_file)
        return self._excerpt_rules[group]

    def check_settings(self) -> None:
        """Check report.yaml against its schema now, before any report (every problem at once,
        naming file, line and key), and keep the checked settings."""
        self.config = report_config(self.config, self.config_file)
        self._excerpt_rules.clear()
        for group in ("", *(self.config.get("groups") or {})):
            self.excerpt_rule(group)

    def context(self, analysis: UnitAnalysis,
                charts: Mapping[str, Mapping[str, list[dict[str, Any]]]],
                sources: Mapping[str, str], sample: bool = False) -> rc.ReportContext:
        """``charts``: per index code, {"results": [...], "components": [...]} of drawn charts
        (dicts with png/width_cm/height_cm/alt_text, or ``omitted``: the Gap worded here)."""
        unit, year = analysis.unit, analysis.year
        action_year = analysis.action_year
        indices = analysis.indices
        names = ", ".join(i.short_name for i in indices)
        variables = {"unit": unit, "year": year, "next_year": action_year,
                     "group": analysis.group or "", "indexes": names}
        settings = with_index_bases(report_settings(self.config, analysis.group or ""),
                                    (b for i in indices for b in i.legal_basis))
        base = {k: v for k, v in settings.items() if k in ("unit_label", "unit_short", "peer_label")}
        variables.update(render_setting(self.phrases.env, base, variables))
        peer_prefix, peer_suffix = peer_name_affixes(self.phrases.env, base, variables)
        report = header_block(settings, self.phrases.env, variables, action_year)
        if sample:
            report["sample_notice"] = self.phrases.text("ket-qua.j2", "du_lieu_mau")
        u = {"name": unit, "year": year, "next_year": action_year, "label": report["unit_label"],
             "short": report["unit_short"], "peer_label": report["peer_label"],
             "agency_short": report["agency_short"], "draft": bool(self.config.get("draft")),
             "peer_prefix": peer_prefix, "peer_suffix": peer_suffix}
        u["deadlines"] = report_deadlines(self.config, analysis.group or "", self.phrases.env,
                                          variables)
        u["divisions"] = bool(settings.get("divisions"))
        u["own_unit"] = is_issuer(unit, u)
        counter = Numbering()
        # built first, so that the text can refer to the appendices and to Bảng 1 by number
        heads = self._year_heads(indices)  # Bảng 1's and the appendix tables' year columns
        appendices = self._appendices(analysis, u, report, heads)
        u["appendix"] = appendix_numbers(appendices)
        u["table_rows_max"] = self.excerpt_rule(analysis.group or "").table_max_units
        summary = self._summary(indices, u, counter, heads)
        u["summary_table"] = summary["number"]
        # the first component table's note says it all, the later ones only what they add
        u["first_component"] = next((i.index for i in indices if i.components), "")
        assessment = self._assessment(analysis, u)
        context: rc.ReportContext = {
            "report": cast(rc.Report, report),
            "sections": self._sections(u),
            "results": [self._result(i, u, charts.get(i.index, {}), sources, counter)
                        for i in indices],
            "missing": self.phrases.paragraphs("ket-qua.j2", "thieu_chi_so", a=analysis, u=u),
            "summary": summary,
            "components": [self._components(n, i, u, charts.get(i.index, {}), sources, counter)
                           for n, i in enumerate(indices, start=1) if i.components],
            "assessment": assessment,
            "responsibility": self._responsibility(analysis, u, counter),
            "tasks": self._tasks(analysis, u),
            "implementation": self._implementation(analysis, u, render_setting(
                self.phrases.env, {k: settings.get(k) for k in SECTION_VI_KEYS}, variables)),
            "appendices": appendices,
            "highlight": self._suggestions(assessment),
        }
        # the legend of the (+)/(!) marks under the first component table that has marks only
        marked = [c for c in context["components"] if any(r["mark"] for r in c["rows"])]
        if marked:
            marked[0]["mark_note"] = True
        # abbreviations spelled out on first use in the running text (report.yaml glossary)
        return cast(rc.ReportContext, spell_out(context, self.config.get("abbreviations") or {},
                                                keep=set(context.get("highlight") or ())))

    def _suggestions(self, assessment: rc.Assessment) -> list[str]:
        """The paragraphs of a draft that are the library's suggestions, not findings
        (marked by ``goi_y`` of ``phrases/danh-gia.j2``): highlighted in yellow in the
        document and listed when it is generated."""
        marker = self.phrases.optional("danh-gia.j2", "goi_y")
        if not marker:
            return []
        return [p for key in ("causes_objective", "causes_subjective")
                for p in assessment[key] if p.startswith(marker)]

    def _label(self, macro: str, **kwargs: Any) -> str:
        """A fixed text of the report (heading, caption…): one line of ``phrases/nhan.j2``."""
        return label(self.phrases.env, macro, **kwargs)

    def _sections(self, u: Mapping[str, Any]) -> rc.Sections:
        return cast(rc.Sections, {key: self._label(macro, u=u) for key, macro in SECTION_MACROS.items()})

    def _chart_entries(self, kind_charts: list[dict[str, Any]], i: IndexAnalysis,
                       u: Mapping[str, Any], sources: Mapping[str, str],
                       counter: Numbering) -> tuple[list[rc.Chart], list[str]]:
        """Number the drawn charts and caption them; omitted ones become a sentence."""
        drawn: list[rc.Chart] = []
        notes: list[str] = []
        for chart in kind_charts:
            if chart.get("omitted"):
                reason = omission_reason(self.phrases.env, chart["omitted"])
                notes += self.phrases.paragraphs("bieu-do.j2", "bo_qua", kind=chart["kind"], i=i, u=u,
                                                 reason=reason)
                continue
            n = counter.next("chart")
            caption = self.phrases.text("bieu-do.j2", "chu_thich", kind=chart["kind"], i=i, u=u, n=n)
            if chart.get("excerpt"):
                caption = f"{caption} {self._excerpt_note(chart['excerpt'], u)}".strip()
            source = self.phrases.text("bieu-do.j2", "nguon", i=i, u=u,
                                       source=sources.get(i.index, ""))
            drawn.append(cast(rc.Chart, {**chart, "number": n, "caption": caption, "source": source}))
        return drawn, notes

    def _result(self, i: IndexAnalysis, u: Mapping[str, Any], charts: Mapping[str, list[dict[str, Any]]],
                sources: Mapping[str, str], counter: Numbering) -> rc.Result:
        n = counter.next("result")
        # the full ranking's appendix, unless its table is an excerpt too
        full = u["appendix"].get("ranking", "") if len(i.peers) <= u["table_rows_max"] else ""
        drawn, notes = self._chart_entries(charts.get("results", []), i, {**u, "full_ranking": full},
                                           sources, counter)
        # the text refers to the charts by the numbers they were just given; ``order``: the
        # index's place in section I, so that the phrases can vary the wording
        here = {**u, "charts": chart_numbers(drawn), "order": n, "full_ranking": full}
        return {
            "heading": self._label("tieu_de_chi_so", i=i, u=u, n=n),
            "paragraphs": self.phrases.paragraphs("ket-qua.j2", "ket_qua", i=i, u=here),
            "charts": drawn,
            "notes": notes,
        }

    def _summary(self, indices: Sequence[IndexAnalysis], u: Mapping[str, Any],
                 counter: Numbering, heads: tuple[str, str]) -> rc.Summary:
        n = counter.next("table")
        years = sorted({i.year for i in indices} | {i.previous.year for i in indices if i.previous})
        prev_head, year_head = heads
        return {
            "number": n,
            "prev_head": prev_head,
            "year_head": year_head,
            "caption": self._label("bang_tong_hop", years=years, u=u, n=n),
            "rows": [summary_row(i, self._label("dong_chi_so", i=i)) for i in indices],
            "note": self.phrases.text("ket-qua.j2", "ghi_chu_bang", indices=indices, u=u),
        }

    def _components(self, n: int, i: IndexAnalysis, u: Mapping[str, Any],
                    charts: Mapping[str, list[dict[str, Any]]], sources: Mapping[str, str],
                    counter: Numbering) -> rc.Component:
        drawn, notes = self._chart_entries(charts.get("components", []), i, u, sources, counter)
        top = i.top_components
        table = counter.next("table")
        here = {**u, "charts": chart_numbers(drawn), "table": table, "order": n}
        subsections: list[rc.Subsection] = []
        for macro in ("cao", "mat_diem", "bien_dong", "trai_chieu"):
            heading = self.phrases.text("phan-tich.j2", f"{macro}_tieu_de", i=i, u=here)
            body = self.phrases.paragraphs("phan-tich.j2", macro, i=i, u=here)
            if body:
                subsections.append(subsection(f"{fmt.letter(len(subsections))}) {heading}", body))
        subsections += self._criteria(i, here, len(subsections))
        return {
            "heading": self._label("tieu_de_linh_vuc", i=i, u=u, n=n, count=len(top)),
            "intro": self.phrases.optional("phan-tich.j2", "dan_nhap", i=i, u=here),
            "caption": self._label("bang_linh_vuc", i=i, u=u, n=table),
            "unit_note": self._label("don_vi_tinh", i=i, u=u),
            "rows": component_rows(i, self._label("dong_tong_cong", i=i, additive=is_additive(i))),
            "note": self.phrases.text("phan-tich.j2", "ghi_chu_bang", i=i, u=here),
            "mark_note": False,  # set on the first marked table once all are built
            "subsections": subsections,
            "charts": drawn,
            "notes": notes,
        }

    def _assessment(self, analysis: UnitAnalysis, u: Mapping[str, Any]) -> rc.Assessment:
        a = analysis
        return {
            "strengths": self.phrases.paragraphs("danh-gia.j2", "uu_diem", a=a, u=u),
            "weaknesses": self.phrases.paragraphs("danh-gia.j2", "han_che", a=a, u=u),
            "causes_objective": self.phrases.paragraphs("danh-gia.j2", "nguyen_nhan_khach_quan", a=a, u=u),
            "causes_subjective": self.phrases.paragraphs("danh-gia.j2", "nguyen_nhan_chu_quan", a=a, u=u),
        }

    def _responsibility(self, analysis: UnitAnalysis, u: Mapping[str, Any],
                        counter: Numbering) -> rc.Responsibility:
        """Bảng 5: one row per agency, one line per weak item (its loss beside it), one
        demand with its deadline; the issuing agency's own row states its own duty."""
        table = counter.next("table")
        rows: list[rc.ResponsibilityRow] = []
        for n, r in enumerate(analysis.responsibility, start=1):
            own = is_issuer(r.unit, u)
            rows.append({
                "no": str(n),
                "unit": self.phrases.optional("trach-nhiem.j2", "co_quan", r=r, u=u) or r.unit or "",
                "lines": [self.phrases.text("trach-nhiem.j2", "dong", c=c, r=r, u=u)
                          for c in r.components],
                "request": self.phrases.text("trach-nhiem.j2", "yeu_cau", r=r, u=u, own=own),
            })
        own_row = any(is_issuer(r.unit, u) for r in analysis.responsibility)
        return {
            # the intro refers to the table by its number
            "intro": self.phrases.text("trach-nhiem.j2", "mo_dau", a=analysis, u={**u, "table": table}),
            "caption": self._label("bang_trach_nhiem", u=u, n=table),
            "rows": rows,
            "closing": self.phrases.text("trach-nhiem.j2", "ket_luan", a=analysis, u=u,
                                         own=own_row),
        }

    def _implementation(self, analysis: UnitAnalysis, u: Mapping[str, Any],
                        settings: Mapping[str, Any]) -> rc.Implementation:
        """Section VI: who does what by when (the agencies of sections IV and V, the issuing
        agency), then the clerk's own lines and the proposals of report.yaml."""
        bodies = [r.unit for r in analysis.responsibility
                  if r.unit is not None and not is_issuer(r.unit, u)]
        leads = list(dict.fromkeys(
            unit for s in analysis.solutions for unit in s.lead
            if not is_issuer(unit, u) and not is_collective(unit)))
        tasks = self.phrases.paragraphs("trach-nhiem.j2", "to_chuc_thuc_hien", a=analysis, u=u,
                                        bodies=bodies, leads=leads)
        proposals: list[rc.Proposal] = [
            {"heading": self.phrases.text("trach-nhiem.j2", "kien_nghi_doi_voi", to=p["to"],
                                          letter=fmt.letter(n), u=u),
             "items": list(p["items"])}
            for n, p in enumerate(settings.get("proposals") or []) if p.get("items")]
        return {"tasks": [*tasks, *(settings.get("implementation") or [])],
                "proposals": proposals}

    def _tasks(self, analysis: UnitAnalysis, u: Mapping[str, Any]) -> rc.Tasks:
        solutions: list[rc.Solution] = []
        for n, group in enumerate(solution_groups(analysis.solutions)):
            s = group[0]
            if s.grouped:  # one item for the index (analysis.yaml solutions: grouped)
                i = analysis.index(s.index)
                solutions.append({
                    "label": f"{fmt.letter(n)})",
                    "lead_in": self.phrases.text("giai-phap.j2", "dan_nhap_gop", i=i, ss=group, u=u),
                    "text": self.phrases.text("giai-phap.j2", "noi_dung_gop", ss=group, u=u),
                    "assignment": "",
                })
                continue
            solutions.append({
                "label": f"{fmt.letter(n)})",
                "lead_in": self.phrases.text("giai-phap.j2", "dan_nhap", s=s, u=u),
                "text": s.text,
                "assignment": self.phrases.text("giai-phap.j2", "phan_cong", s=s, u=u),
            })
        return {
            "targets": self.phrases.paragraphs("giai-phap.j2", "muc_tieu", a=analysis, u=u),
            "general": list(analysis.general_tasks),
            "solutions": solutions,
        }

    def _excerpt_note(self, excerpt: Mapping[str, int], u: Mapping[str, Any],
                      table: bool = False) -> str:
        """The note after an excerpt's caption; ``table``: of the appendix ranking table
        itself (the full ranking is then not in the appendix)."""
        return self.phrases.optional("bieu-do.j2", "trich", shown=excerpt["shown"], of=excerpt["of"],
                                     u={**u, "full_ranking": "" if table else u.get("full_ranking", "")})

    def _year_heads(self, indices: Sequence[IndexAnalysis]) -> tuple[str, str]:
        """The two year columns' headings ("Năm 2023", "Năm 2024"): the years themselves when
        every index compares the same two years, else the generic words."""
        years = {i.year for i in indices}
        previous = {i.previous.year for i in indices if i.previous}
        return (self._label("cot_nam_truoc", years=sorted(previous)),
                self._label("cot_nam_danh_gia", years=sorted(years)))

    def _ranking_table(self, letter: str, i: IndexAnalysis, u: Mapping[str, Any],
                       rule: ExcerptRule) -> rc.AppendixTable:
        rows = ranking_rows(i, u["name"], rule)
        caption = self._label("phu_luc_bang_xep_hang", i=i, letter=letter)
        shown = sum(1 for r in rows if r["unit"] != GAP_CELL)
        if shown < len(i.peers):
            caption = f"{caption} {self._excerpt_note({'shown': shown, 'of': len(i.peers)}, u, True)}"
        return {"caption": caption.strip(), "kind": "ranking", "rows": rows}

    def _appendices(self, analysis: UnitAnalysis, u: Mapping[str, Any],
                    report: Mapping[str, Any], heads: tuple[str, str]) -> list[rc.Appendix]:
        indices = analysis.indices
        letters = "ABCDEFGHIK"
        rule = self.excerpt_rule(analysis.group or "")
        prev_head, year_head = heads
        comp_tables: list[rc.AppendixTable] = [
            {"caption": self._label("phu_luc_bang_chi_tiet", i=i, letter=letters[n]),
             "kind": "components", "rows": appendix_component_rows(i, letters[n]),
             "prev_head": prev_head, "year_head": year_head}
            for n, i in enumerate(indices) if i.components]
        rank_tables = [self._ranking_table(letters[n], i, u, rule)
                       for n, i in enumerate(indices) if i.peers]
        appendices: list[rc.Appendix] = []
        if comp_tables:
            appendices.append({"number": self._label("phu_luc", n=len(appendices) + 1),
                               "title": self._label("phu_luc_chi_tiet", u=u),
                               "ref": report["appendix_ref"], "tables": comp_tables})
        if rank_tables:
            appendices.append({"number": self._label("phu_luc", n=len(appendices) + 1),
                               "title": self._label("phu_luc_xep_hang", u=u),
                               "ref": report["appendix_ref"], "tables": rank_tables})
        crit_tables: list[rc.AppendixTable] = [  # issue #13: omitted without criteria
            {"caption": self.phrases.text("tieu-chi.j2", "phu_luc_bang_tieu_chi", i=i,
                                          letter=letters[n]),
             "kind": "criteria", "rows": criteria_rows(i)}
            for n, i in enumerate(indices) if i.criteria]
        if crit_tables:
            appendices.append({"number": self._label("phu_luc", n=len(appendices) + 1),
                               "title": self.phrases.text("tieu-chi.j2", "phu_luc_tieu_chi", u=u),
                               "ref": report["appendix_ref"], "tables": crit_tables})
        return appendices

    def _criteria(self, i: IndexAnalysis, u: Mapping[str, Any],
                  before: int) -> list[rc.Subsection]:
        """Section II (issue #13): the criteria explaining the weak fields' losses, with their
        lead agencies, the parts of the total, a survey's highest and lowest criteria."""
        if i.criteria is None:
            return []
        fields = weak_fields(i)
        hi, lo = extremes(i)
        body = self.phrases.paragraphs("tieu-chi.j2", "tieu_chi", i=i, u=u, fields=fields,
                                       hi=hi, lo=lo, all=overall(i))
        if not body:
            return []
        heading = self.phrases.text("tieu-chi.j2", "tieu_chi_tieu_de", i=i, u=u, fields=fields)
        return [subsection(f"{fmt.letter(before)}) {heading}", body)]
