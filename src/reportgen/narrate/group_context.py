"""The render context of the group overview ``tong-hop.docx``: what
:func:`reportgen.narrate.group.overview_context` produces and the template reads. Every value
is text ready to print (numbers formatted) or drawn chart bytes; the rows and parts shared
with the unit report (ranking rows, lettered subsections) are its types."""

from __future__ import annotations

from typing import Any, TypedDict

from reportgen.narrate.context import Report, Subsection


class Sections(TypedDict):
    """The numbered section headings ("I. KẾT QUẢ CHUNG" …); ``components`` is "" when no
    index of the group has components."""

    results: str
    components: str
    leaders: str
    actions: str  # "" when the overview has no causes, tasks or proposals to state


class Table(TypedDict):
    """A captioned table with a note under it (rows of one of the row types)."""

    caption: str
    rows: list[Any]
    note: str


class RatingRow(TypedDict):
    """Units per rating group: the previous year, this year, share and change."""

    label: str
    description: str
    previous: str
    count: str
    share: str
    delta: str


class Result(TypedDict):
    """Section I for one index: sentences, the ranking table, the rating-group table."""

    heading: str
    paragraphs: list[str]
    ranking: Table
    ratings: Table


class ComponentRow(TypedDict):
    """One component: maximum, group mean (points, percent), change, best and worst units."""

    no: str
    name: str
    max: str
    mean: str
    mean_percent: str
    delta: str
    best: str
    worst: str


class Component(TypedDict):
    """Section II for one index: sentences, the heatmap(s), the component means table."""

    heading: str
    paragraphs: list[str]
    charts: list[dict[str, Any]]
    notes: list[str]
    caption: str
    unit_note: str
    rows: list[ComponentRow]
    note: str
    criteria: CriteriaTables


class CriterionLossRow(TypedDict):
    """One criterion most often lost across the group (#13)."""

    no: str
    code: str
    name: str
    max: str
    losing: str  # "37/45": units below the maximum / units with a score
    mean_lost: str
    lead: str


class AgencyLossRow(TypedDict):
    """One lead agency's total over its criteria across the group (#13)."""

    no: str
    agency: str
    criteria: str  # "7.2, 7.3, 7.4"
    losses: str
    mean_lost: str


class CriteriaTables(TypedDict):
    """Section II for one index: the criteria most often lost, their agencies' totals; empty
    rows when the data has no criteria (the template leaves the tables out)."""

    caption: str
    rows: list[CriterionLossRow]
    agency_caption: str
    agencies: list[AgencyLossRow]


class Leaders(TypedDict):
    """Section III for one index: leading units, units to improve, biggest moves."""

    heading: str
    subsections: list[Subsection]


class MatrixRow(TypedDict):
    """One unit of the appendix: rank, name, each component's score, the total."""

    rank: str
    unit: str
    values: list[str]
    total: str


class AppendixTable(TypedDict):
    """Every unit × every top-level component of one index."""

    caption: str
    unit_note: str
    columns: list[str]
    total: str
    rows: list[MatrixRow]


class Appendix(TypedDict):
    """The landscape appendix, page numbers from 1."""

    number: str
    title: str
    ref: str
    tables: list[AppendixTable]


class OverviewContext(TypedDict):
    """Everything ``tong-hop.docx`` renders."""

    report: Report
    sections: Sections
    results: list[Result]
    components: list[Component]
    leaders: list[Leaders]
    actions: list[Subsection]  # causes, tasks and solutions, proposals (numbered headings)
    appendices: list[Appendix]
