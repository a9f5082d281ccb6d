"""The schema of ``report.yaml``: the issuer, number, place and date, subject, legal bases,
signature and recipients of the reports, the peer excerpt of large groups, and the group
overview's own wording — as ``defaults`` and per group (``groups: {<group>: {...}}``).

:func:`report_config` checks a parsed file (every unknown key, wrong type or out-of-range
value located by file, line and key) and returns the plain settings the narrate stage reads.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, PlainValidator

from reportgen.config.schema import (
    Count,
    Problem,
    Sentence,
    Settings,
    Text,
    Texts,
    invalid,
    validate,
)
from reportgen.config.yamlio import read_yaml

REPORT_FILE = "report.yaml"


def _blank_when_null(value: Any) -> Any:
    return "" if value is None else value


def _signing_date(value: Any) -> dt.date | str | None:
    """``null`` (blanks for the clerk), ``today``, or a date (2025-05-05, quoted or not)."""
    if value is None or isinstance(value, dt.date):
        return value.date() if isinstance(value, dt.datetime) else value
    if isinstance(value, str) and value.strip() == "today":
        return "today"
    try:
        if isinstance(value, str):
            return dt.date.fromisoformat(value.strip())
    except ValueError:
        pass
    raise invalid("phải là một ngày dạng 2025-05-05, 'today' (ngày tạo báo cáo) hoặc để trống "
                  "(null)")


Wording = Annotated[Text, BeforeValidator(_blank_when_null)]
"""A text of the report; left empty (null) it prints nothing."""
SigningDate = Annotated[dt.date | str | None, PlainValidator(_signing_date)]


class Signer(Settings):
    """The signature block (every key printed; missing ones are empty)."""

    authority: Wording = ""
    title: Wording = ""
    name: Wording = ""

    def model_post_init(self, context: Any, /) -> None:
        self.__pydantic_fields_set__.update(type(self).model_fields)  # always all three


class PeerExcerpt(Settings):
    """When and how a long peer list is cut (see ``ExcerptRule``)."""

    chart_max_units: Count = 70
    table_max_units: Count = 150
    head: Count = 10
    around: Count = 5
    tail: Count = 5


class Deadlines(Settings):
    """``deadlines``: when the agencies of section IV and the Sở Nội vụ report (texts such as
    "trước ngày 20 tháng 5 năm {{ next_year }}"; a key left out is not stated)."""

    explanation: Wording | None = None  # section IV agencies: explanation and remedy plan
    progress: Wording | None = None  # every agency leading a task: reports on its progress
    summary: Wording | None = None  # the Sở Nội vụ: sums up and reports to the province


class Proposal(Settings):
    """One addressee of "Đề xuất, kiến nghị" (section VI) and what is asked of it."""

    to: Sentence
    items: Texts


class Header(Settings):
    """What the reports print in their formal parts; every key optional."""

    parent_agency: Wording = ""
    agency: Wording = ""
    agency_short: Wording = ""
    number: Wording = ""
    place: Wording = ""
    date: SigningDate = None
    subject: Wording = ""
    unit_label: Wording = ""
    unit_short: Wording = ""
    peer_label: Wording = ""
    legal_bases: Texts | None = None
    intro: Wording = ""
    closing: Wording = ""
    signer: Signer | None = None
    recipients: Texts | None = None
    archive: Wording = ""
    # Before ``deadlines``: the explanation deadline alone (still read as deadlines.explanation).
    explanation_deadline: Text | None = None
    deadlines: Deadlines | None = None
    # Section VI: the clerk's own lines of "Tổ chức thực hiện" (after those the analysis
    # gives), and the proposals to the province, the Ministry…
    implementation: Texts | None = None
    proposals: list[Proposal] | None = None
    # The bodies of Bảng 5 are divisions of the unit reported on (a department's own offices):
    # the unit directs them and reports for them.
    divisions: bool | None = None
    # The group overview assigns tasks with deadlines to its lagging units (they report to the
    # issuing agency: a province's departments, communes; not the provinces of the country).
    tasks_to_units: bool | None = None

    def problems(self) -> Iterator[Problem]:
        if self.explanation_deadline is not None and self.deadlines is not None and (
                self.deadlines.explanation is not None):
            yield Problem(("explanation_deadline",),
                          "đã thay bằng deadlines.explanation: chỉ ghi một trong hai",
                          self.explanation_deadline)


class GroupSettings(Header):
    """A group's settings (and the defaults): the header, the excerpt rule, the overview's own
    wording (``reportgen batch``)."""

    peer_excerpt: PeerExcerpt | None = None
    overview: Header | None = None


class DefaultSettings(GroupSettings):
    default_unit: Text | None = None


ChartKind = Literal["score_rank", "peer_bars", "component_bars", "change_bars", "radar"]


class ChartSettings(Settings):
    """How the charts are made: ``backend`` native (Word charts whose numbers open in Excel
    with "Edit Data", the default) or png (pictures); ``--charts`` overrides it. ``kinds``:
    the charts a unit report draws (absent: those that add to the tables, see
    :data:`reportgen.charts.unit.DEFAULT_KINDS`; an empty list: none); ``trend_min_years``: the
    fewest years of scores for the score-and-rank chart (absent: 4, more than Bảng 1 shows)."""

    backend: Literal["native", "png"] = "native"
    kinds: list[ChartKind] | None = None
    trend_min_years: Count | None = None


class ReportFile(Settings):
    """``report.yaml``."""

    defaults: DefaultSettings | None = None
    groups: dict[Text, GroupSettings | None] | None = None
    charts: ChartSettings | None = None
    # Abbreviation → full form, spelled out at its first use in the running text.
    abbreviations: dict[Text, Text] | None = None
    # A draft prints the library's generic causes as marked suggestions for the clerk to
    # confirm or replace; a final report (the default) prints only what the data and the
    # notes table say. ``generate --final`` refuses a draft.
    draft: bool = False


def report_config(doc: Any, file: str | None = None) -> dict[str, Any]:
    """``report.yaml`` checked against its schema, as plain settings: only the keys written,
    a single recipient or legal basis made a list, dates read."""
    checked = validate(ReportFile, doc, file)
    return checked.model_dump(by_alias=True, exclude_unset=True)


def load_report_config(path: Path) -> dict[str, Any]:
    """Read and check one report configuration file."""
    return report_config(read_yaml(path), str(path))
