"""Analysis rules, solutions library and responsible-unit overrides, read from YAML.

Three user-editable files on the search path drive the analysis stage, so that nothing a
province may want to change is written in Python:

- ``analysis.yaml``: tolerance for "giữ nguyên", strength and weakness rules, how many to
  list, component levels analysed, targets per index, the action-year offset;
- ``solutions.yaml``: solutions per index and component (text, lead, support, deadline
  rule), general tasks, causes (objective / subjective) and fallbacks;
- ``responsible.yaml``: the user's table of responsible units, overriding the frameworks.

Every structural problem is a :class:`ConfigError` naming the file and line. Codes that do
not exist in the frameworks are reported by :func:`check_rules` as issues with a suggestion.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from reportgen.config.frameworks import TOTAL, Frameworks, fold_code
from reportgen.config.search import SearchPath, packaged_dir
from reportgen.config.yamlio import line_of, read_yaml
from reportgen.errors import ConfigError, Issue, Location, did_you_mean

ANALYSIS_FILE = "analysis.yaml"
SOLUTIONS_FILE = "solutions.yaml"
RESPONSIBLE_FILE = "responsible.yaml"

DEADLINE_KINDS = ("quarter", "date", "ongoing", "text")
TARGET_KINDS = ("rank", "group", "score", "mean")
CONFLICT_CHOICES = ("weakness", "strength", "both")
SOLUTIONS_FOR = ("weaknesses", "losing")
GROUPING_CHOICES = ("unit", "joint")
SOLUTION_USES = ("weakness", "strength", "any")
CAUSE_KINDS = ("objective", "subjective")
# Keys of solutions.yaml / causes that are not component codes.
RESERVED_CODES = (TOTAL, "general")


# --- the rules ------------------------------------------------------------------------------

@dataclass(frozen=True)
class StrengthRules:
    """A component is a strength when any enabled rule holds (None disables a rule)."""

    min_percent: float | None = 90.0  # score ≥ this % of the maximum
    top_share: float | None = 0.25  # rank within the best share of peers
    rank_gain: int | None = 5  # moved up at least this many places
    max_listed: int = 5


@dataclass(frozen=True)
class WeaknessRules:
    """A component is a weakness when any enabled rule holds (None disables a rule)."""

    bottom_share: float | None = 0.25  # rank within the worst share of peers
    below_mean_percent: float | None = 5.0  # under the peer mean by ≥ this % of the maximum
    rank_loss: int | None = 5  # fell at least this many places
    max_percent: float | None = None  # score below this % of the maximum
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
    solutions: Mapping[str, Mapping[str, tuple[Solution, ...]]] = field(default_factory=dict)
    fallback: Solution | None = None
    maintain_fallback: Solution | None = None
    general_tasks: tuple[str, ...] = ()
    causes: Mapping[str, Mapping[str, tuple[Cause, ...]]] = field(default_factory=dict)
    general_causes: tuple[Cause, ...] = ()
    responsible: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)
    keys: tuple[KeyedEntry, ...] = ()

    def for_index(self, code: str) -> IndexRules:
        """The merged rules of one index (the defaults when it has no section)."""
        return self.per_index.get(code, self.defaults)

    def solutions_for(self, index: str, code: str) -> tuple[Solution, ...]:
        return self.solutions.get(index, {}).get(code, ())

    def causes_for(self, index: str, code: str) -> tuple[Cause, ...]:
        return self.causes.get(index, {}).get(code, ())

    def responsible_override(self, index: str, code: str) -> tuple[str, ...] | None:
        return self.responsible.get(index, {}).get(code)


# --- reading helpers -------------------------------------------------------------------------

class _Reader:
    """Type checks for one YAML file; every failure names the file and the line."""

    def __init__(self, path: str) -> None:
        self.path = path

    def fail(self, msg: str, mapping: Any = None, key: Any = None) -> ConfigError:
        """An error at ``key`` of ``mapping`` (or at the mapping's first line)."""
        line = line_of(mapping, key) if key is not None else None
        if line is None:
            line = getattr(mapping, "start_line", None) or None
        return ConfigError(msg, Location(file=self.path, line=line))

    def loc(self, mapping: Any, key: Any, where: str) -> Location:
        return Location(file=self.path, line=line_of(mapping, key), where=where)

    def mapping(self, value: Any, what: str, parent: Any = None, key: Any = None) -> Mapping:
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            raise self.fail(f"'{what}' phải là một ánh xạ (khóa: giá trị)", parent, key)
        return value

    def keys(self, mapping: Mapping, allowed: tuple[str, ...], what: str) -> None:
        """Unknown keys are errors: a typo would otherwise silently keep the default."""
        for key in mapping:
            if key not in allowed:
                hint = did_you_mean(str(key), allowed) or f" Các khóa hợp lệ: {', '.join(allowed)}."
                raise self.fail(f"khóa '{key}' không hợp lệ trong '{what}'.{hint}", mapping, key)

    def number(self, mapping: Mapping, key: str, default: float | None,
               lo: float | None = None, hi: float | None = None) -> float | None:
        if key not in mapping:
            return default
        value = mapping[key]
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(f"'{key}' phải là một số, nhận được {value!r}", mapping, key)
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            raise self.fail(f"'{key}' phải nằm trong khoảng {lo}–{hi}, nhận được {value!r}",
                            mapping, key)
        return float(value)

    def integer(self, mapping: Mapping, key: str, default: int | None,
                lo: int | None = None, hi: int | None = None) -> int | None:
        if key not in mapping:
            return default
        value = mapping[key]
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(f"'{key}' phải là số nguyên, nhận được {value!r}", mapping, key)
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            raise self.fail(f"'{key}' phải nằm trong khoảng {lo}–{hi}, nhận được {value!r}",
                            mapping, key)
        return value

    def choice(self, mapping: Mapping, key: str, default: str, choices: tuple[str, ...]) -> str:
        value = mapping.get(key, default)
        if value not in choices:
            raise self.fail(f"'{key}' phải là một trong: {', '.join(choices)}; nhận được {value!r}",
                            mapping, key)
        return str(value)

    def text(self, mapping: Mapping, key: str, required: bool = True) -> str | None:
        value = mapping.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                raise self.fail(f"thiếu '{key}' (văn bản)", mapping,
                                key if key in mapping else None)
            return None
        if not isinstance(value, str | int | float):
            raise self.fail(f"'{key}' phải là văn bản", mapping, key)
        return " ".join(str(value).split())

    def units(self, value: Any, parent: Any, key: Any) -> tuple[str, ...] | None:
        """A unit name or a list of unit names; None when absent."""
        if value is None:
            return None
        if isinstance(value, str) and value.strip():
            return (" ".join(value.split()),)
        if isinstance(value, list) and value and all(isinstance(v, str) and v.strip()
                                                     for v in value):
            return tuple(" ".join(v.split()) for v in value)
        raise self.fail(f"'{key}' phải là tên một cơ quan hoặc danh sách tên cơ quan", parent, key)

    def text_list(self, value: Any, what: str, parent: Any, key: Any) -> list[str]:
        if value is None:
            return []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(f"'{what}' phải là một đoạn văn hoặc danh sách đoạn văn", parent, key)
        return [" ".join(v.split()) for v in value]


def _read(search: SearchPath, name: str) -> tuple[Any, str]:
    path = search.find(name)
    return read_yaml(path), str(path)


# --- analysis.yaml ---------------------------------------------------------------------------

_INDEX_KEYS = ("tolerance", "levels", "codes", "min_peers", "on_conflict", "strengths",
               "weaknesses", "solutions")
_STRENGTH_KEYS = ("min_percent", "top_share", "rank_gain", "max_listed")
_WEAKNESS_KEYS = ("bottom_share", "below_mean_percent", "rank_loss", "max_percent", "max_listed")
_SOLUTION_KEYS = ("for", "maintain_strengths")
_TARGET_KEYS = ("kind", "label", "rank", "group", "score")
_ANALYSIS_KEYS = ("action_year_offset", "defaults", "indexes", "targets", "responsibility")


def _levels(r: _Reader, raw: Mapping, base: tuple[int, ...]) -> tuple[int, ...]:
    if "levels" not in raw:
        return base
    value = raw["levels"]
    value = [value] if isinstance(value, int) and not isinstance(value, bool) else value
    if not isinstance(value, list) or not value or not all(
            isinstance(v, int) and not isinstance(v, bool) and v >= 1 for v in value):
        raise r.fail("'levels' phải là danh sách cấp thành phần (1, 2, …)", raw, "levels")
    return tuple(value)


def _codes(r: _Reader, raw: Mapping, base: tuple[str, ...] | None) -> tuple[str, ...] | None:
    if "codes" not in raw:
        return base
    value = raw["codes"]
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
        raise r.fail("'codes' phải là danh sách mã thành phần, ví dụ [\"1\", \"2\"]", raw, "codes")
    return tuple(str(v) for v in value)


def _strengths(r: _Reader, raw: Any, base: StrengthRules, parent: Any) -> StrengthRules:
    m = r.mapping(raw, "strengths", parent, "strengths")
    r.keys(m, _STRENGTH_KEYS, "strengths")
    return StrengthRules(
        min_percent=r.number(m, "min_percent", base.min_percent, 0, 100),
        top_share=r.number(m, "top_share", base.top_share, 0, 1),
        rank_gain=r.integer(m, "rank_gain", base.rank_gain, 1),
        max_listed=r.integer(m, "max_listed", base.max_listed, 0) or 0,
    )


def _weaknesses(r: _Reader, raw: Any, base: WeaknessRules, parent: Any) -> WeaknessRules:
    m = r.mapping(raw, "weaknesses", parent, "weaknesses")
    r.keys(m, _WEAKNESS_KEYS, "weaknesses")
    return WeaknessRules(
        bottom_share=r.number(m, "bottom_share", base.bottom_share, 0, 1),
        below_mean_percent=r.number(m, "below_mean_percent", base.below_mean_percent, 0, 100),
        rank_loss=r.integer(m, "rank_loss", base.rank_loss, 1),
        max_percent=r.number(m, "max_percent", base.max_percent, 0, 100),
        max_listed=r.integer(m, "max_listed", base.max_listed, 0) or 0,
    )


def _index_rules(r: _Reader, raw: Any, base: IndexRules, what: str, parent: Any,
                 key: Any) -> IndexRules:
    """Merge one section (``defaults`` or ``indexes.X``) over ``base``."""
    m = r.mapping(raw, what, parent, key)
    r.keys(m, _INDEX_KEYS, what)
    sol = r.mapping(m.get("solutions"), "solutions", m, "solutions")
    r.keys(sol, _SOLUTION_KEYS, f"{what}.solutions")
    maintain = sol.get("maintain_strengths", base.maintain_strengths)
    if not isinstance(maintain, bool):
        raise r.fail("'maintain_strengths' phải là true hoặc false", sol, "maintain_strengths")
    return replace(
        base,
        tolerance=r.number(m, "tolerance", base.tolerance, 0) or 0.0,
        levels=_levels(r, m, base.levels),
        codes=_codes(r, m, base.codes),
        min_peers=r.integer(m, "min_peers", base.min_peers, 1) or 1,
        on_conflict=r.choice(m, "on_conflict", base.on_conflict, CONFLICT_CHOICES),
        strengths=_strengths(r, m.get("strengths"), base.strengths, m),
        weaknesses=_weaknesses(r, m.get("weaknesses"), base.weaknesses, m),
        solutions_for=r.choice(sol, "for", base.solutions_for, SOLUTIONS_FOR),
        maintain_strengths=maintain,
    )


def _target(r: _Reader, raw: Any, index: str, parent: Any) -> Target | None:
    if raw is None:
        return None
    m = r.mapping(raw, f"targets.{index}", parent, index)
    r.keys(m, _TARGET_KEYS, f"targets.{index}")
    kind = r.choice(m, "kind", "", TARGET_KINDS)
    rank = r.integer(m, "rank", None, 1)
    score = r.number(m, "score", None, 0)
    group = r.text(m, "group", required=False)
    needs = {"rank": rank, "group": group, "score": score}
    if kind in needs and needs[kind] is None:
        raise r.fail(f"mục tiêu kiểu '{kind}' cần khóa '{kind}'", m, "kind")
    label = r.text(m, "label", required=False) or _default_label(kind)
    return Target(kind, label, rank, group, score, r.loc(parent, index, f"targets.{index}"))


def _default_label(kind: str) -> str:
    return {
        "rank": "nhóm {rank} {group} dẫn đầu",
        "group": "nhóm {rating}",
        "score": "đạt mức điểm mục tiêu",
        "mean": "cao hơn điểm trung bình của các {group}",
    }[kind]


def parse_analysis(doc: Any, path: str) -> tuple[IndexRules, dict[str, IndexRules], int, str,
                                                 list[KeyedEntry]]:
    """``analysis.yaml`` → (defaults, per-index rules, action-year offset, grouping, keys)."""
    r = _Reader(path)
    top = r.mapping(doc, path)
    r.keys(top, _ANALYSIS_KEYS, ANALYSIS_FILE)
    offset = r.integer(top, "action_year_offset", 1, 0, 10)
    defaults = _index_rules(r, top.get("defaults"), IndexRules(), "defaults", top, "defaults")
    indexes = r.mapping(top.get("indexes"), "indexes", top, "indexes")
    targets = r.mapping(top.get("targets"), "targets", top, "targets")
    keys: list[KeyedEntry] = []
    per_index: dict[str, IndexRules] = {}
    for code in dict.fromkeys([*indexes, *targets]):
        base = defaults
        if code in indexes:
            base = _index_rules(r, indexes[code], defaults, f"indexes.{code}", indexes, code)
            where = f"indexes.{code}"
            keys.append(KeyedEntry(path, str(code), None, r.loc(indexes, code, where)))
            keys += [KeyedEntry(path, str(code), c, r.loc(indexes[code], "codes", f"{where}.codes"))
                     for c in (base.codes or ()) if "codes" in (indexes[code] or {})]
        target = _target(r, targets.get(code), str(code), targets)
        if code in targets:
            keys.append(KeyedEntry(path, str(code), None, r.loc(targets, code, f"targets.{code}")))
        per_index[str(code)] = replace(base, target=target)
    resp = r.mapping(top.get("responsibility"), "responsibility", top, "responsibility")
    r.keys(resp, ("grouping",), "responsibility")
    grouping = r.choice(resp, "grouping", "unit", GROUPING_CHOICES)
    return defaults, per_index, offset or 0, grouping, keys


# --- solutions.yaml --------------------------------------------------------------------------

_SOLUTION_ENTRY_KEYS = ("text", "lead", "support", "deadline", "for")
_DEADLINE_KEYS = ("kind", "quarter", "day", "month", "text", "year_offset")
_SOLUTIONS_TOP = ("default", "maintain_default", "general", "causes", "solutions")


def _deadline(r: _Reader, raw: Any, parent: Any) -> Deadline:
    if raw is None:
        return Deadline()
    m = r.mapping(raw, "deadline", parent, "deadline")
    r.keys(m, _DEADLINE_KEYS, "deadline")
    kind = r.choice(m, "kind", "ongoing", DEADLINE_KINDS)
    offset = r.integer(m, "year_offset", 0, 0, 5) or 0
    if kind == "quarter":
        quarter = r.integer(m, "quarter", None, 1, 4)
        if quarter is None:
            raise r.fail("thời hạn kiểu 'quarter' cần 'quarter' (1–4)", m, "kind")
        return Deadline(kind, quarter=quarter, year_offset=offset)
    if kind == "date":
        month = r.integer(m, "month", None, 1, 12)
        day = r.integer(m, "day", None, 1, 31)
        if month is None or day is None:
            raise r.fail("thời hạn kiểu 'date' cần 'day' và 'month'", m, "kind")
        if day > calendar.monthrange(2024, month)[1]:
            raise r.fail(f"ngày {day} không có trong tháng {month}", m, "day")
        return Deadline(kind, day=day, month=month, year_offset=offset)
    if kind == "text":
        return Deadline(kind, text=r.text(m, "text"), year_offset=offset)
    return Deadline(kind, year_offset=offset)


def _solution(r: _Reader, raw: Any, where: str, parent: Any, key: Any,
              default_use: str = "weakness") -> Solution:
    m = r.mapping(raw, where, parent, key)
    r.keys(m, _SOLUTION_ENTRY_KEYS, where)
    return Solution(
        text=r.text(m, "text") or "",
        lead=r.units(m.get("lead"), m, "lead"),
        support=r.units(m.get("support"), m, "support") or (),
        deadline=_deadline(r, m.get("deadline"), m),
        use=r.choice(m, "for", default_use, SOLUTION_USES),
        location=Location(file=r.path, line=getattr(m, "start_line", None) or line_of(parent, key),
                          where=where),
    )


def _solution_list(r: _Reader, raw: Any, where: str, parent: Any, key: Any) -> tuple[Solution, ...]:
    """One entry or a list of entries under an index/component key."""
    items = raw if isinstance(raw, list) else [raw]
    return tuple(_solution(r, item, where, parent, key) for item in items)


def _causes(r: _Reader, raw: Any, where: str, parent: Any, key: Any) -> tuple[Cause, ...]:
    m = r.mapping(raw, where, parent, key)
    r.keys(m, CAUSE_KINDS, where)
    out = []
    for kind in CAUSE_KINDS:
        for text in r.text_list(m.get(kind), f"{where}.{kind}", m, kind):
            out.append(Cause(kind, text, Location(file=r.path, line=line_of(m, kind), where=where)))
    return tuple(out)


def _by_index_code(r: _Reader, raw: Any, what: str, parent: Any, key: Any,
                   entry: Any) -> tuple[dict[str, dict[str, Any]], list[KeyedEntry]]:
    """``{INDEX: {code: value}}`` → parsed values and the keys seen (with their lines)."""
    out: dict[str, dict[str, Any]] = {}
    keys: list[KeyedEntry] = []
    for index, per_code in r.mapping(raw, what, parent, key).items():
        index = str(index)
        codes = r.mapping(per_code, f"{what}.{index}", raw, index)
        keys.append(KeyedEntry(r.path, index, None, r.loc(raw, index, f"{what}.{index}")))
        out[index] = {}
        for code, value in codes.items():
            code = str(code)
            where = f"{what}.{index}.{code}"
            out[index][code] = entry(r, value, where, codes, code)
            keys.append(KeyedEntry(r.path, index, code, r.loc(codes, code, where)))
    return out, keys


def parse_solutions(doc: Any, path: str) -> dict[str, Any]:
    """``solutions.yaml`` → solutions, fallbacks, general tasks, causes and the keys seen."""
    r = _Reader(path)
    top = r.mapping(doc, path)
    r.keys(top, _SOLUTIONS_TOP, SOLUTIONS_FILE)
    solutions, keys = _by_index_code(r, top.get("solutions"), "solutions", top, "solutions",
                                     _solution_list)
    causes_raw = dict(r.mapping(top.get("causes"), "causes", top, "causes"))
    general_raw = causes_raw.pop("general", None)
    general_causes = _causes(r, general_raw, "causes.general", top.get("causes"), "general")
    causes, cause_keys = _by_index_code(r, causes_raw, "causes", top, "causes", _causes)
    fallback = top.get("default")
    maintain = top.get("maintain_default")
    return {
        "solutions": solutions,
        "fallback": _solution(r, fallback, "default", top, "default") if fallback else None,
        "maintain_fallback": (_solution(r, maintain, "maintain_default", top, "maintain_default",
                                        "strength") if maintain else None),
        "general_tasks": tuple(r.text_list(top.get("general"), "general", top, "general")),
        "causes": causes,
        "general_causes": general_causes,
        "keys": keys + cause_keys,
    }


# --- responsible.yaml ------------------------------------------------------------------------

def _unit_list(r: _Reader, raw: Any, where: str, parent: Any, key: Any) -> tuple[str, ...]:
    units = r.units(raw, parent, key)
    if not units:
        raise r.fail(f"'{where}' cần tên cơ quan hoặc danh sách tên cơ quan", parent, key)
    return units


def parse_responsible(doc: Any, path: str) -> tuple[dict[str, dict[str, tuple[str, ...]]],
                                                    list[KeyedEntry]]:
    """``responsible.yaml`` → ``{INDEX: {component: (units…)}}`` and the keys seen."""
    r = _Reader(path)
    return _by_index_code(r, doc, RESPONSIBLE_FILE, None, None, _unit_list)


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
    responsible, responsible_keys = parse_responsible(responsible_doc, responsible_path)
    return Rules(
        defaults=defaults,
        per_index=per_index,
        action_year_offset=offset,
        grouping=grouping,
        solutions=lib["solutions"],
        fallback=lib["fallback"],
        maintain_fallback=lib["maintain_fallback"],
        general_tasks=lib["general_tasks"],
        causes=lib["causes"],
        general_causes=lib["general_causes"],
        responsible=responsible,
        keys=tuple(analysis_keys + lib["keys"] + responsible_keys),
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
        elif fold_code(target.group or "") not in {fold_code(x) for x in labels}:
            issues.append(Issue(f"nhóm mục tiêu '{target.group}' không có trong khung {code}."
                                f"{did_you_mean(target.group or '', labels)}", target.location,
                                target.group, "warning", "unknown_target_group"))
    return issues
