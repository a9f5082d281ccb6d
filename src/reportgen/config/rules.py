"""Analysis rules, solutions library and responsible-unit overrides, read from YAML.

Three user-editable files on the search path drive the analysis stage, so that nothing a
province may want to change is written in Python:

- ``analysis.yaml``: tolerance for "giữ nguyên", strength and weakness rules, how many to
  list, component levels analysed, targets per index, the action-year offset;
- ``solutions.yaml``: solutions per index and component (text, lead, support, deadline
  rule), general tasks, causes (objective / subjective) and fallbacks;
- ``responsible.yaml``: the user's table of responsible units, overriding the frameworks.

Each file is checked against its schema (:mod:`reportgen.config.schema`): every unknown key,
wrong type or out-of-range value is reported at once, naming the file, line and key. Codes
that do not exist in the frameworks are reported by :func:`check_rules` as issues with a
suggestion.
"""

from __future__ import annotations

import calendar
import datetime
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Annotated, Any, Literal, NamedTuple

from pydantic import BeforeValidator, ConfigDict, Field, RootModel

from reportgen.config.frameworks import TOTAL, Frameworks, fold_code
from reportgen.config.schema import (
    Code,
    Count,
    Loc,
    Names,
    Percent,
    Problem,
    Sentence,
    Settings,
    Share,
    Text,
    Texts,
    between,
    location_of,
    one_or_many,
    validate,
)
from reportgen.config.search import SearchPath, packaged_dir
from reportgen.config.yamlio import read_yaml
from reportgen.errors import Issue, Location, did_you_mean

ANALYSIS_FILE = "analysis.yaml"
SOLUTIONS_FILE = "solutions.yaml"
RESPONSIBLE_FILE = "responsible.yaml"

CAUSE_KINDS = ("objective", "subjective")
# Keys of solutions.yaml / causes that are not component codes.
RESERVED_CODES = (TOTAL, "general")


# --- the rules ------------------------------------------------------------------------------

NEXT_GROUP = "next"  # a rating-group target: the group above the unit's current one
PROMPT_BLANK = re.compile(r"\[[^\]]*\]")  # "[…]", "[ghi rõ chỉ tiêu]"


@dataclass(frozen=True)
class StrengthRules:
    """The good level (``min_percent`` or ``top_share``, and at or above the group mean when
    ``above_mean``) and the marked rise (``rank_gain``: a strength when the level is good,
    progress otherwise). None disables a rule."""

    min_percent: float | None = 90.0  # score ≥ this % of the maximum
    top_share: float | None = 0.25  # rank within the best share of peers
    rank_gain: int | None = 5  # moved up at least this many places
    above_mean: bool = True  # a strength is never below the mean of the whole group
    max_listed: int = 5


@dataclass(frozen=True)
class WeaknessRules:
    """The low level (any of ``bottom_share``, ``below_mean_percent``, ``max_percent``,
    ``largest_losses``) and the marked fall (``rank_loss``: a decline unless the level is
    low). None disables a rule."""

    bottom_share: float | None = 0.25  # rank within the worst share of peers
    below_mean_percent: float | None = 5.0  # under the peer mean by ≥ this % of the maximum
    rank_loss: int | None = 5  # fell at least this many places
    max_percent: float | None = None  # score below this % of the maximum
    largest_losses: int | None = 1  # the n components that lost most points (points measure)
    max_listed: int = 6


@dataclass(frozen=True)
class Target:
    """What a unit aims at for an index: a rank, a rating group, a score or the peer mean.

    ``label`` may use ``{rank}``, ``{group}`` (peer group, lower case) and ``{rating}``.
    """

    kind: str
    label: str
    rank: int | None = None
    group: str | None = None
    score: float | None = None
    location: Location = field(default_factory=Location)
    places: int | None = None  # kind "places": gain at least this many places


@dataclass(frozen=True)
class IndexRules:
    """The rules applied to one index (the defaults merged with its own overrides)."""

    tolerance: float = 0.05
    levels: tuple[int, ...] = (1,)
    codes: tuple[str, ...] | None = None  # explicit component codes; replaces ``levels``
    min_peers: int = 4
    on_conflict: str = "weakness"
    strengths: StrengthRules = field(default_factory=StrengthRules)
    weaknesses: WeaknessRules = field(default_factory=WeaknessRules)
    solutions_for: str = "weaknesses"
    maintain_strengths: bool = True
    grouped: bool = False  # section V words the index's solutions as one item
    target: Target | None = None


@dataclass(frozen=True)
class Deadline:
    """A deadline rule as data; the year is the action year (+ ``year_offset``)."""

    kind: str = "ongoing"
    quarter: int | None = None
    day: int | None = None
    month: int | None = None
    text: str | None = None
    year_offset: int = 0

    def resolve(self, action_year: int) -> dict[str, Any]:
        """The rule with its year, as plain data for the narrative stage."""
        out: dict[str, Any] = {"kind": self.kind}
        if self.kind == "quarter":
            out["quarter"] = self.quarter
        elif self.kind == "date":
            out.update(day=self.day, month=self.month)
        elif self.kind == "text":
            out["text"] = self.text
        out["year"] = action_year + self.year_offset
        return out


@dataclass(frozen=True)
class Solution:
    """One library entry: what to do, who leads (None = the responsible units), who helps."""

    text: str
    lead: tuple[str, ...] | None = None
    support: tuple[str, ...] = ()
    deadline: Deadline = field(default_factory=Deadline)
    use: str = "weakness"  # weakness | strength | any
    location: Location = field(default_factory=Location)


@dataclass(frozen=True)
class Cause:
    """A cause paragraph prompt for section III.3, keyed by index and component."""

    kind: str  # objective | subjective
    text: str
    location: Location = field(default_factory=Location)

    @property
    def is_prompt(self) -> bool:
        """A text with a blank for the clerk ("… chưa đạt chỉ tiêu tại […]") is a prompt to
        fill in, not a finding: it is never printed as fact."""
        return PROMPT_BLANK.search(self.text) is not None


@dataclass(frozen=True)
class KeyedEntry:
    """An index/component key found in a rules file, kept for :func:`check_rules`."""

    file: str
    index: str
    code: str | None
    location: Location


@dataclass(frozen=True)
class Rules:
    """Everything the analysis stage reads from configuration."""

    defaults: IndexRules = field(default_factory=IndexRules)
    per_index: Mapping[str, IndexRules] = field(default_factory=dict)
    action_year_offset: int = 1
    grouping: str = "unit"
    # Bảng 5: a responsible name opening with one of these words is a set of bodies, nobody
    # in particular ("các sở theo nhóm chính sách"); analysis.yaml responsibility.collective_words
    collective_words: tuple[str, ...] = ()
    # "previous_year": compare only with the year just before (a gap is said, not bridged);
    # "latest_available": with the latest earlier year, named in every comparison.
    compare_with: str = "previous_year"
    # A group whose units are not all loaded: "label" states what is computed from the loaded
    # units as such ("trong số 9 tỉnh có số liệu"); "omit" leaves it out.
    partial_groups: str = "label"
    # Places are compared between two years only when the group's size changed by at most this
    # share (63 → 61 provinces ranked: yes; 63 → 34 after the 2025 mergers: no).
    size_change: float = 0.1
    # A unit formed by the 2025 reorganisation (the lineage table) is compared with its
    # predecessors' results combined: "weighted" by their declared shares (equal shares when
    # not all are declared), "equal", or "none" (no comparison unless a re-cut is published).
    lineage: str = "weighted"
    lineage_weight: str = ""  # what the shares measure, as the text names it ("dân số")
    renamed: tuple[Rename, ...] = ()  # agencies renamed or merged (responsible.yaml)
    solutions: Mapping[str, Mapping[str, tuple[Solution, ...]]] = field(default_factory=dict)
    fallback: Solution | None = None
    maintain_fallback: Solution | None = None
    general_tasks: tuple[str, ...] = ()
    general_tasks_assessment: tuple[str, ...] = ()  # only with a self-assessed index
    general_causes_assessment: tuple[Cause, ...] = ()  # only with a self-assessed index
    causes: Mapping[str, Mapping[str, tuple[Cause, ...]]] = field(default_factory=dict)
    general_causes: tuple[Cause, ...] = ()
    responsible: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)
    responsible_support: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)
    keys: tuple[KeyedEntry, ...] = ()

    def for_index(self, code: str) -> IndexRules:
        """The merged rules of one index (the defaults when it has no section)."""
        return self.per_index.get(code, self.defaults)

    def solutions_for(self, index: str, code: str) -> tuple[Solution, ...]:
        return self.solutions.get(index, {}).get(code, ())

    def causes_for(self, index: str, code: str) -> tuple[Cause, ...]:
        return self.causes.get(index, {}).get(code, ())

    def current_names(self, names: Iterator[str] | tuple[str, ...] | list[str],
                      year: int) -> tuple[str, ...]:
        """Agencies as named in ``year``: one renamed or merged into another by then
        (``renamed`` of responsible.yaml, from the year of its date) is its successor; an agency
        named twice that way is named once."""
        out: list[str] = []
        for name in names:
            seen = {name}
            while True:
                after = next((r.new for r in self.renamed
                              if r.old == name and r.since.year <= year), None)
                if after is None or after in seen:
                    break
                seen.add(after)
                name = after
            if name not in out:
                out.append(name)
        return tuple(out)

    def responsible_override(self, index: str, code: str) -> tuple[str, ...] | None:
        return self.responsible.get(index, {}).get(code)

    def support_override(self, index: str, code: str) -> tuple[str, ...] | None:
        """Supporting agencies ``responsible.yaml`` gives a code (``{lead, support}``)."""
        return self.responsible_support.get(index, {}).get(code)


# --- the schemas of analysis.yaml, solutions.yaml, responsible.yaml ----------------------------

Places = Annotated[int, between(1)]
"""A number of places (ranks), ≥ 1."""
Level = Annotated[int, between(1)]
Levels = Annotated[list[Level], BeforeValidator(one_or_many), Field(min_length=1)]


class StrengthSection(Settings):
    """``strengths`` of analysis.yaml; null disables a rule."""

    min_percent: Percent | None = None
    top_share: Share | None = None
    rank_gain: Places | None = None
    above_mean: bool | None = None
    max_listed: Count | None = None


class WeaknessSection(Settings):
    """``weaknesses`` of analysis.yaml; null disables a rule."""

    bottom_share: Share | None = None
    below_mean_percent: Percent | None = None
    rank_loss: Places | None = None
    max_percent: Percent | None = None
    largest_losses: Count | None = None
    max_listed: Count | None = None


class SolutionChoice(Settings):
    """``solutions`` of an analysis.yaml section: which components get solutions."""

    solutions_for: Literal["weaknesses", "losing"] = Field("weaknesses", alias="for")
    maintain_strengths: bool = True
    grouped: bool = False  # the index's solutions as one lettered item (surveys: SIPAS, PAPI)


class IndexSection(Settings):
    """``defaults`` or ``indexes.<INDEX>`` of analysis.yaml: only the keys written apply."""

    tolerance: Annotated[float, between(0)] | None = None
    levels: Levels = [1]
    codes: list[Code] | None = None
    min_peers: Places | None = None
    # a component is in one category only: "both" (of older versions) is refused
    on_conflict: Literal["weakness", "strength"] = "weakness"
    strengths: StrengthSection | None = None
    weaknesses: WeaknessSection | None = None
    solutions: SolutionChoice | None = None


class TargetSection(Settings):
    """``targets.<INDEX>`` of analysis.yaml."""

    kind: Literal["rank", "group", "score", "mean", "places"]
    label: Text  # how the target is named in the report, e.g. "nhóm {rank} {group} dẫn đầu"
    rank: Places | None = None
    group: Text | None = None  # a rating group's label, or "next": the one above the unit's
    score: Annotated[float, between(0)] | None = None
    places: Places | None = None  # kind places: gain at least this many places

    def problems(self) -> Iterator[Problem]:
        needs = {"rank": self.rank, "group": _words(self.group), "score": self.score,
                 "places": self.places}
        if self.kind in needs and needs[self.kind] is None:
            yield Problem(("kind",), f"mục tiêu kiểu '{self.kind}' cần khóa '{self.kind}'")


class ResponsibilitySection(Settings):
    grouping: Literal["unit", "joint"] = "unit"
    # first words that make a responsible name a set of bodies, not one ("các", "những")
    collective_words: Texts | None = None


class ComparisonSection(Settings):
    """``comparison``: which earlier year a result is compared with, and what is said of a
    group whose units are not all in the data."""

    compare_with: Literal["previous_year", "latest_available"] = "previous_year"
    partial_groups: Literal["label", "omit"] = "label"
    size_change: Annotated[float, between(0, 1)] = 0.1
    lineage: Literal["weighted", "equal", "none"] = "weighted"
    lineage_weight: Text | None = None


class AnalysisFile(Settings):
    """``analysis.yaml``."""

    action_year_offset: Annotated[int, between(0, 10)] | None = 1
    comparison: ComparisonSection | None = None
    defaults: IndexSection | None = None
    indexes: dict[Code, IndexSection | None] | None = None
    targets: dict[Code, TargetSection | None] | None = None
    responsibility: ResponsibilitySection | None = None


class DeadlineSection(Settings):
    """A deadline rule: ``{kind: quarter, quarter: 3}``, ``{kind: date, day: 30, month: 6}``,
    ``{kind: ongoing}``, ``{kind: text, text: "..."}``, plus ``year_offset``."""

    kind: Literal["quarter", "date", "ongoing", "text"] = "ongoing"
    quarter: Annotated[int, between(1, 4)] | None = None
    day: Annotated[int, between(1, 31)] | None = None
    month: Annotated[int, between(1, 12)] | None = None
    text: Text | None = None
    year_offset: Annotated[int, between(0, 5)] | None = None

    def problems(self) -> Iterator[Problem]:
        if self.kind == "quarter" and self.quarter is None:
            yield Problem(("kind",), "thời hạn kiểu 'quarter' cần 'quarter' (1–4)")
        elif self.kind == "date" and (self.day is None or self.month is None):
            yield Problem(("kind",), "thời hạn kiểu 'date' cần 'day' và 'month'")
        elif self.kind == "date" and self.day and self.month and (
                self.day > calendar.monthrange(2024, self.month)[1]):
            yield Problem(("day",), f"ngày {self.day} không có trong tháng {self.month}", self.day)
        elif self.kind == "text" and _words(self.text) is None:
            yield Problem(("kind",), "thời hạn kiểu 'text' cần 'text' (văn bản)")


class SolutionSection(Settings):
    """One solution of solutions.yaml."""

    text: Sentence
    lead: Names | None = None
    support: Names | None = None
    deadline: DeadlineSection | None = None
    use: Literal["weakness", "strength", "any"] | None = Field(None, alias="for")


class CauseSection(Settings):
    """Cause paragraphs of one component (or ``general``)."""

    objective: Texts | None = None
    subjective: Texts | None = None


class CausesSection(Settings):
    """``causes``: ``general``, then ``<INDEX>: {<component>: {objective, subjective}}``."""

    model_config = ConfigDict(extra="allow")
    __pydantic_extra__: dict[str, dict[Code, CauseSection | None] | None]

    general: CauseSection | None = None
    # general causes that only a self-assessed, appraised index can have (PAR INDEX, DTI):
    # never given in a report of survey indexes only (PCI, PAPI, SIPAS)
    assessment: CauseSection | None = None


Entries = Annotated[list[SolutionSection], BeforeValidator(one_or_many)]
"""One solution or a list of solutions."""


class SolutionsFile(Settings):
    """``solutions.yaml``."""

    default: SolutionSection | None = None
    maintain_default: SolutionSection | None = None
    general: Texts | None = None
    general_assessment: Texts | None = None  # added when the report has an assessed index
    causes: CausesSection | None = None
    solutions: dict[Code, dict[Code, Entries] | None] | None = None


class ResponsibleEntry(Settings):
    """A component's or criterion's ``{lead: …, support: …}`` in ``responsible.yaml``."""

    lead: Names
    support: Names | None = None


def _entry(value: Any) -> Any:
    """A unit or a list of units is the lead alone: ``{lead: value}``."""
    return value if isinstance(value, dict) else {"lead": value}


Responsible = Annotated[ResponsibleEntry, BeforeValidator(_entry)]


class RenameSection(Settings):
    """One entry of ``renamed`` in responsible.yaml: from ``since`` on, ``old`` is ``new``
    (renamed, or merged into it: Sở Thông tin và Truyền thông → Sở Khoa học và Công nghệ)."""

    old: Text
    new: Text
    since: datetime.date


class RenamedList(RootModel[list[RenameSection] | None]):
    """``renamed:`` of responsible.yaml."""

    model_config = ConfigDict(strict=True)


@dataclass(frozen=True)
class Rename:
    """An agency renamed or merged into another from a date on."""

    old: str
    new: str
    since: datetime.date


RENAMED_KEY = "renamed"  # the key of responsible.yaml that is not an index code


def _without_renamed(doc: Any) -> Any:
    """responsible.yaml without its ``renamed`` list (the index codes only)."""
    if isinstance(doc, dict) and RENAMED_KEY in doc:
        return {k: v for k, v in doc.items() if k != RENAMED_KEY} or None
    return doc


def parse_renamed(doc: Any, path: str) -> tuple[Rename, ...]:
    """The ``renamed`` list of responsible.yaml (located errors for a bad entry)."""
    raw = doc.get(RENAMED_KEY) if isinstance(doc, dict) else None
    if raw is None:
        return ()
    entries = validate(RenamedList, raw, path, (RENAMED_KEY,)).root or []
    return tuple(Rename(" ".join(e.old.split()), " ".join(e.new.split()), e.since)
                 for e in entries)


class ResponsibleFile(RootModel[dict[Code, dict[Code, Responsible] | None] | None]):
    """``responsible.yaml``: ``<INDEX>: {<code, any depth>: unit, [units] or {lead, support}}``."""

    model_config = ConfigDict(strict=True)


# --- from checked settings to rules ------------------------------------------------------------

def _words(text: str | None) -> str | None:
    """Whitespace collapsed (folded YAML lines); None when blank."""
    joined = " ".join((text or "").split())
    return joined or None


def _written(section: Settings, nulls: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The keys written in ``section``; a null one takes its value in ``nulls`` when listed."""
    out = {}
    for name in section.model_fields_set:
        value = getattr(section, name)
        out[name] = (nulls or {}).get(name, value) if value is None else value
    return out


def _index_rules(section: IndexSection | None, base: IndexRules) -> IndexRules:
    """One section (``defaults`` or ``indexes.X``) over ``base``."""
    if section is None:
        return base
    given = _written(section, {"tolerance": 0.0, "min_peers": 1})
    for key in ("levels", "codes"):
        if given.get(key) is not None:
            given[key] = tuple(given[key])
    choice = given.pop("solutions", None)
    given.update(_written(choice) if choice is not None else {})
    if section.strengths is not None:
        given["strengths"] = replace(base.strengths, **_written(
            section.strengths, {"max_listed": 0, "above_mean": False}))
    if section.weaknesses is not None:
        given["weaknesses"] = replace(base.weaknesses, **_written(
            section.weaknesses, {"max_listed": 0, "largest_losses": 0}))
    return replace(base, **given)


def _target(section: TargetSection | None, location: Location) -> Target | None:
    if section is None:
        return None
    label = _words(section.label) or ""
    return Target(section.kind, label, section.rank, _words(section.group), section.score,
                  location, section.places)



def parse_analysis(doc: Any, path: str) -> tuple[IndexRules, dict[str, IndexRules], int, str,
                                                 list[KeyedEntry]]:
    """``analysis.yaml`` → (defaults, per-index rules, action-year offset, grouping, keys)."""
    checked = validate(AnalysisFile, doc, path)
    defaults = _index_rules(checked.defaults, IndexRules())
    indexes, targets = checked.indexes or {}, checked.targets or {}
    keys: list[KeyedEntry] = []
    per_index: dict[str, IndexRules] = {}
    for code in dict.fromkeys([*indexes, *targets]):
        base = defaults
        if code in indexes:
            section = indexes[code]
            base = _index_rules(section, defaults)
            where = f"indexes.{code}"
            keys.append(KeyedEntry(path, code, None, location_of(doc, path, ("indexes", code), where)))
            if section is not None and "codes" in section.model_fields_set:
                at = location_of(doc, path, ("indexes", code, "codes"), f"{where}.codes")
                keys += [KeyedEntry(path, code, c, at) for c in base.codes or ()]
        target = None
        if code in targets:
            at = location_of(doc, path, ("targets", code), f"targets.{code}")
            keys.append(KeyedEntry(path, code, None, at))
            target = _target(targets[code], at)
        per_index[code] = replace(base, target=target)
    grouping = checked.responsibility.grouping if checked.responsibility else "unit"
    return defaults, per_index, checked.action_year_offset or 0, grouping, keys


def _deadline(section: DeadlineSection | None) -> Deadline:
    if section is None:
        return Deadline()
    offset = section.year_offset or 0
    if section.kind == "quarter":
        return Deadline("quarter", quarter=section.quarter, year_offset=offset)
    if section.kind == "date":
        return Deadline("date", day=section.day, month=section.month, year_offset=offset)
    if section.kind == "text":
        return Deadline("text", text=_words(section.text), year_offset=offset)
    return Deadline(section.kind, year_offset=offset)


def _units(names: list[str] | None) -> tuple[str, ...] | None:
    return None if names is None else tuple(" ".join(n.split()) for n in names)


def _solution(section: SolutionSection, location: Location, default_use: str = "weakness") -> Solution:
    return Solution(
        text=_words(section.text) or "",
        lead=_units(section.lead),
        support=_units(section.support) or (),
        deadline=_deadline(section.deadline),
        use=section.use or default_use,
        location=location,
    )


def _paragraphs(texts: list[str] | None) -> list[str]:
    return [" ".join(t.split()) for t in texts or []]


def _causes(section: CauseSection | None, doc: Any, path: str, loc: Loc,
            where: str) -> tuple[Cause, ...]:
    if section is None:
        return ()
    out = []
    for kind in CAUSE_KINDS:
        at = location_of(doc, path, (*loc, kind), where)
        out += [Cause(kind, text, at) for text in _paragraphs(getattr(section, kind))]
    return tuple(out)


def parse_solutions(doc: Any, path: str) -> dict[str, Any]:
    """``solutions.yaml`` → solutions, fallbacks, general tasks, causes and the keys seen."""
    checked = validate(SolutionsFile, doc, path)
    solutions: dict[str, dict[str, tuple[Solution, ...]]] = {}
    keys: list[KeyedEntry] = []
    for index, per_code in (checked.solutions or {}).items():
        keys.append(KeyedEntry(path, index, None,
                               location_of(doc, path, ("solutions", index), f"solutions.{index}")))
        solutions[index] = {}
        for code, entries in (per_code or {}).items():
            where = f"solutions.{index}.{code}"
            loc = ("solutions", index, code)
            solutions[index][code] = tuple(
                _solution(e, location_of(doc, path, (*loc, n), where, start=True))
                for n, e in enumerate(entries))
            keys.append(KeyedEntry(path, index, code, location_of(doc, path, loc, where)))
    causes_section = checked.causes
    causes: dict[str, dict[str, tuple[Cause, ...]]] = {}
    cause_keys: list[KeyedEntry] = []
    extra = dict((causes_section and causes_section.model_extra) or {})
    for index, per_code in extra.items():
        where = f"causes.{index}"
        cause_keys.append(KeyedEntry(path, index, None, location_of(doc, path, ("causes", index), where)))
        causes[index] = {}
        for code, section in (per_code or {}).items():
            loc = ("causes", index, code)
            causes[index][code] = _causes(section, doc, path, loc, f"{where}.{code}")
            cause_keys.append(KeyedEntry(path, index, code, location_of(doc, path, loc, f"{where}.{code}")))
    fallback, maintain = checked.default, checked.maintain_default
    return {
        "solutions": solutions,
        "fallback": (_solution(fallback, location_of(doc, path, ("default",), "default", start=True))
                     if fallback else None),
        "maintain_fallback": (_solution(maintain, location_of(doc, path, ("maintain_default",),
                                                              "maintain_default", start=True),
                                        "strength") if maintain else None),
        "general_tasks": tuple(_paragraphs(checked.general)),
        "general_tasks_assessment": tuple(_paragraphs(checked.general_assessment)),
        "general_causes_assessment": _causes(causes_section.assessment if causes_section else None,
                                             doc, path, ("causes", "assessment"),
                                             "causes.assessment"),
        "causes": causes,
        "general_causes": _causes(causes_section.general if causes_section else None, doc, path,
                                  ("causes", "general"), "causes.general"),
        "keys": keys + cause_keys,
    }


class ResponsibleTables(NamedTuple):
    """What ``responsible.yaml`` gives: per index and code the lead units, the supporting
    units (entries written ``{lead, support}``), the keys seen, and the ``renamed`` list."""

    lead: dict[str, dict[str, tuple[str, ...]]]
    support: dict[str, dict[str, tuple[str, ...]]]
    keys: list[KeyedEntry]
    renamed: tuple[Rename, ...]


def parse_responsible(doc: Any, path: str) -> ResponsibleTables:
    """``responsible.yaml`` → ``{INDEX: {component: (units…)}}`` (lead and support), the keys
    seen and the renamed agencies."""
    renamed = parse_renamed(doc, path)  # checked with the rest of the file
    doc = _without_renamed(doc)
    table = validate(ResponsibleFile, doc, path).root or {}
    out: dict[str, dict[str, tuple[str, ...]]] = {}
    support: dict[str, dict[str, tuple[str, ...]]] = {}
    keys: list[KeyedEntry] = []
    for index, per_code in table.items():
        keys.append(KeyedEntry(path, index, None, location_of(doc, path, (index,), index)))
        out[index], support[index] = {}, {}
        for code, names in (per_code or {}).items():
            out[index][code] = _units(names.lead) or ()
            if names.support:
                support[index][code] = _units(names.support) or ()
            keys.append(KeyedEntry(path, index, code,
                                   location_of(doc, path, (index, code), f"{index}.{code}")))
    return ResponsibleTables(out, support, keys, renamed)


def _read(search: SearchPath, name: str) -> tuple[Any, str]:
    path = search.find(name)
    return read_yaml(path), str(path)


# --- loading and checking --------------------------------------------------------------------

def load_rules(search: SearchPath) -> Rules:
    """Read the three rules files found on the search path."""
    analysis_doc, analysis_path = _read(search, ANALYSIS_FILE)
    solutions_doc, solutions_path = _read(search, SOLUTIONS_FILE)
    responsible_doc, responsible_path = _read(search, RESPONSIBLE_FILE)
    return build_rules(analysis_doc, analysis_path, solutions_doc, solutions_path,
                       responsible_doc, responsible_path)


def build_rules(analysis_doc: Any, analysis_path: str, solutions_doc: Any, solutions_path: str,
                responsible_doc: Any, responsible_path: str) -> Rules:
    """:class:`Rules` from already parsed documents (tests and callers holding text)."""
    defaults, per_index, offset, grouping, analysis_keys = parse_analysis(analysis_doc,
                                                                          analysis_path)
    lib = parse_solutions(solutions_doc, solutions_path)
    responsible = parse_responsible(responsible_doc, responsible_path)
    checked = validate(AnalysisFile, analysis_doc, analysis_path)
    comparison = checked.comparison or ComparisonSection()
    collective = (checked.responsibility or ResponsibilitySection()).collective_words or []
    return Rules(
        defaults=defaults,
        per_index=per_index,
        action_year_offset=offset,
        grouping=grouping,
        collective_words=tuple(collective),
        compare_with=comparison.compare_with,
        partial_groups=comparison.partial_groups,
        size_change=comparison.size_change,
        lineage=comparison.lineage,
        lineage_weight=comparison.lineage_weight or "",
        renamed=responsible.renamed,
        solutions=lib["solutions"],
        fallback=lib["fallback"],
        maintain_fallback=lib["maintain_fallback"],
        general_tasks=lib["general_tasks"],
        general_tasks_assessment=lib["general_tasks_assessment"],
        general_causes_assessment=lib["general_causes_assessment"],
        causes=lib["causes"],
        general_causes=lib["general_causes"],
        responsible=responsible.lead,
        responsible_support=responsible.support,
        keys=tuple(analysis_keys + lib["keys"] + responsible.keys),
    )


def default_rules() -> Rules:
    """The packaged defaults (tests, library callers without a project)."""
    return load_rules(SearchPath((packaged_dir(),)))


def check_rules(rules: Rules, frameworks: Frameworks) -> list[Issue]:
    """Index and component codes of the rules files that no framework knows, with hints."""
    issues: list[Issue] = []
    known = frameworks.codes
    for entry in rules.keys:
        code = frameworks.resolve_code(entry.index)
        if code is None and entry.code is not None:
            continue  # reported once, at the index key
        if code is None:
            issues.append(Issue(f"mã chỉ số '{entry.index}' không có trong các khung chỉ số."
                                f"{did_you_mean(entry.index, known)}", entry.location,
                                entry.index, "warning", "unknown_index"))
            continue
        if code != entry.index and entry.code is None:
            issues.append(Issue(f"mã chỉ số '{entry.index}' nên viết đúng mã '{code}'",
                                entry.location, entry.index, "warning", "index_spelling"))
        if entry.code is None or entry.code in RESERVED_CODES:
            continue
        codes = list(dict.fromkeys(c for fw in frameworks.versions(code) for c in fw.components))
        if entry.code not in codes:
            hint = did_you_mean(entry.code, codes) or f" Các mã hợp lệ: {', '.join(codes[:15])}."
            issues.append(Issue(f"mã thành phần '{entry.code}' không có trong khung {code}.{hint}",
                                entry.location, entry.code, "warning", "unknown_component"))
    issues.extend(_check_target_groups(rules, frameworks))
    # The same key of two files gives two issues: keep one per location and code.
    return list({(i.location, i.code, repr(i.value)): i for i in issues}.values())


def _check_target_groups(rules: Rules, frameworks: Frameworks) -> list[Issue]:
    """A rating-group target must name a group of the framework's rating rule."""
    issues = []
    for index, ir in rules.per_index.items():
        target = ir.target
        code = frameworks.resolve_code(index)
        if target is None or target.kind != "group" or code is None:
            continue
        labels = [g.label for fw in frameworks.versions(code) for g in fw.rating.groups]
        if not labels:
            issues.append(Issue(f"khung {code} không có quy tắc xếp nhóm nên không dùng được mục "
                                "tiêu kiểu 'group'", target.location, target.group, "warning",
                                "target_without_rating"))
        elif fold_code(target.group or "") not in {fold_code(x) for x in [*labels, NEXT_GROUP]}:
            issues.append(Issue(f"nhóm mục tiêu '{target.group}' không có trong khung {code}."
                                f"{did_you_mean(target.group or '', labels)}", target.location,
                                target.group, "warning", "unknown_target_group"))
    return issues
