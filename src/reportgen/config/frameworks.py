"""Index frameworks: what each index is made of, per methodology version, read from YAML.

A framework file describes one index under one methodology (e.g. PAR INDEX under
876/QĐ-BNV, years 2022–2024): names, measurement unit, the component tree with maxima,
the responsible unit(s) of each component by period, the rating rule and the sources.
Nothing here is specific to a province or a year: it is all data the user can edit.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field

from reportgen.config.schema import (
    Code,
    Names,
    Problem,
    Sentence,
    Settings,
    Text,
    Texts,
    Year,
    between,
    invalid,
    validate,
)
from reportgen.config.search import SearchPath
from reportgen.config.yamlio import read_yaml
from reportgen.errors import ConfigError, Location

TOTAL = "TOTAL"


@dataclass(frozen=True)
class Responsibility:
    """Units answerable for a component during a span of (action) years, both ends inclusive."""

    units: tuple[str, ...]
    from_year: int | None = None
    until_year: int | None = None
    support: tuple[str, ...] = ()  # supporting units (the lead ones are ``units``)

    def applies(self, year: int) -> bool:
        return (self.from_year is None or year >= self.from_year) and (
            self.until_year is None or year <= self.until_year
        )


@dataclass(frozen=True)
class Component:
    """One node of an index's component tree (a PAR field, a PAPI dimension, …)."""

    code: str
    name: str
    short_name: str
    parent: str | None
    max: float | None
    max_confirmed: bool
    responsible: tuple[Responsibility, ...] = ()
    source: str | None = None
    aliases: tuple[str, ...] = ()  # other names published tables give it

    def responsible_for(self, year: int) -> list[str]:
        """Units responsible in ``year``; the latest matching period wins."""
        hits = [r for r in self.responsible if r.applies(year)]
        return list(hits[-1].units) if hits else []

    def support_for(self, year: int) -> list[str]:
        """Supporting units in ``year`` (the period :meth:`responsible_for` picks)."""
        hits = [r for r in self.responsible if r.applies(year)]
        return list(hits[-1].support) if hits else []


def parent_code(code: str) -> str | None:
    """The parent of a hierarchical component code: "3.4.2" → "3.4", "3" → None."""
    head, dot, _ = code.rpartition(".")
    return head if dot and head else None


def code_key(code: str) -> tuple[tuple[int, int | str], ...]:
    """Natural order of codes: "3.10" after "3.9", numbers before letters."""
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in code.split("."))


@dataclass(frozen=True)
class Part:
    """A named part of an index's total made of given components (PAR INDEX: the points
    of the appraisal and of the sociological surveys)."""

    name: str
    codes: tuple[str, ...]


@dataclass(frozen=True)
class RatingGroup:
    label: str
    min: float | None = None
    description: str = ""


@dataclass(frozen=True)
class RatingRule:
    """How results are grouped: fixed thresholds (PAR A/B/C) or peer quartiles (PAPI)."""

    kind: str = "none"  # thresholds | quartiles | none
    basis: str = "percent"  # percent | score (thresholds only)
    groups: tuple[RatingGroup, ...] = ()
    components: bool = False  # also rate each component (PAPI dimensions are grouped too)
    source: str | None = None


@dataclass(frozen=True)
class GroupSize:
    """How many units a group of the index has in a span of years (63 provinces until 2024,
    34 from 2025), with where that is published and whether it is confirmed."""

    size: int
    year_from: int
    year_to: int | None
    source: str = ""
    status: str = "confirmed"

    def covers(self, year: int) -> bool:
        return year >= self.year_from and (self.year_to is None or year <= self.year_to)


@dataclass(frozen=True)
class Population:
    """The groups of the data an index's known sizes apply to (by name, spelling-blind)."""

    names: tuple[str, ...]
    sizes: tuple[GroupSize, ...]

    def size_for(self, group: str, year: int) -> GroupSize | None:
        if fold_code(group) not in {fold_code(n) for n in self.names}:
            return None
        return next((s for s in self.sizes if s.covers(year)), None)


@dataclass(frozen=True)
class Framework:
    """One index under one methodology version."""

    code: str
    version: str
    name: str
    short_name: str
    unit: str  # "%" or "điểm": how the total is written
    component_unit: str
    total_max: float
    year_from: int
    year_to: int | None
    component_word: str  # "lĩnh vực", "yếu tố", "chỉ số nội dung", …
    additive: bool  # do components add up to their parent (and to the total)?
    rating: RatingRule
    coordinator: tuple[str, ...]
    components: Mapping[str, Component]
    aliases: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    notes: str = ""
    path: str = ""
    status: str = "confirmed"
    published_by: str = ""
    children_max: str = "none"  # "equal_share": an unpublished child maximum = parent max / n
    method: str = "assessment"  # "assessment" (self-assessment + appraisal) or "survey"
    # "points": points lost against each maximum mean something (an assessed index);
    # "gap": a survey's maxima are never reached, so the gap to the group mean is the measure
    loss_measure: str = "points"
    legal_basis: tuple[str, ...] = ()  # the "Căn cứ" lines citing this index ({{ year }})
    population: Population | None = None
    # components at this level or deeper are criteria (tiêu chí): analysed and shown under
    # their field, not in the component tables; 0 = below the deepest level the file declares
    criteria_level: int = 0
    parts: tuple[Part, ...] = ()  # the total split into parts (PAR: appraisal / surveys)

    def covers(self, year: int) -> bool:
        return year >= self.year_from and (self.year_to is None or year <= self.year_to)

    @property
    def years_label(self) -> str:
        return f"{self.year_from}–{self.year_to}" if self.year_to else f"từ {self.year_from}"

    def top_level(self) -> list[Component]:
        return [c for c in self.components.values() if c.parent is None]

    def children(self, code: str) -> list[Component]:
        return [c for c in self.components.values() if c.parent == code]

    def max_of(self, code: str) -> float | None:
        if code == TOTAL:
            return self.total_max
        comp = self.components.get(code)
        return comp.max if comp else None

    def name_of(self, code: str) -> str:
        if code == TOTAL:
            return self.name
        comp = self.components.get(code)
        return comp.name if comp else code

    def responsible_for(self, code: str, year: int) -> list[str]:
        if code == TOTAL:
            return list(self.coordinator)
        comp = self.components.get(code)
        if comp is None:
            return []
        own = comp.responsible_for(year)
        if own or comp.parent is None:
            return own
        return self.responsible_for(comp.parent, year)

    def component_code(self, text: str) -> str | None:
        """The code of a component written as its code, name, short name or an alias
        (spelling-, case- and accent-blind), as published tables head their columns."""
        if text in self.components:
            return text
        key = fold_code(text)
        for c in self.components.values():
            if key in {fold_code(x) for x in (c.code, c.name, c.short_name, *c.aliases)}:
                return c.code
        return None

    def group_size(self, group: str, year: int) -> GroupSize | None:
        """The known size of a group of the data in a year (``population``), if any."""
        return self.population.size_for(group, year) if self.population else None

    def is_criterion(self, code: str) -> bool:
        """Whether a component is a criterion (see ``criteria_level``)."""
        return code != TOTAL and self.level(code) >= self.criteria_level > 0

    def level(self, code: str) -> int:
        """0 for TOTAL, 1 for top-level components, 2 for their children, …"""
        depth = 0
        while code != TOTAL and code in self.components:
            depth += 1
            parent = self.components[code].parent
            if parent is None:
                break
            code = parent
        return depth


def fold_code(text: str) -> str:
    """Spelling-insensitive key for index codes: "Par Index", "PAR-INDEX" → "parindex"."""
    decomposed = unicodedata.normalize("NFD", str(text).casefold()).replace("đ", "d")
    return re.sub(r"[^0-9a-z]", "", "".join(c for c in decomposed if not unicodedata.combining(c)))


@dataclass
class Frameworks:
    """All frameworks known to a run, looked up by index code (or alias) and year."""

    items: list[Framework] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._aliases: dict[str, str] = {}
        for fw in self.items:
            for alias in (fw.code, fw.short_name, *fw.aliases):
                self._aliases.setdefault(fold_code(alias), fw.code)

    @property
    def codes(self) -> list[str]:
        return list(dict.fromkeys(fw.code for fw in self.items))

    def resolve_code(self, text: str) -> str | None:
        """The canonical index code for a spelling found in data, or None."""
        return self._aliases.get(fold_code(text))

    def versions(self, code: str) -> list[Framework]:
        return sorted((f for f in self.items if f.code == code), key=lambda f: f.year_from)

    def for_year(self, code: str, year: int) -> Framework | None:
        for fw in self.versions(code):
            if fw.covers(year):
                return fw
        return None

    def extended(self, added: Mapping[tuple[str, str], Iterable[Component]]) -> Frameworks:
        """These frameworks with components the data defines (criteria the framework files do
        not list) added, per (index code, version); the framework's own entries are kept."""
        items = []
        for fw in self.items:
            extra = {c.code: c for c in added.get((fw.code, fw.version), ())
                     if c.code not in fw.components}
            items.append(replace(fw, components={**fw.components, **extra}) if extra else fw)
        return Frameworks(items)


# --- the schema of frameworks/*.yaml -------------------------------------------------------

class YearsSection(Settings):
    """``years: {from: 2022, to: 2024}`` (``to`` left out while the methodology applies)."""

    from_year: Year = Field(alias="from")
    to: Year | None = None

    def problems(self) -> Iterator[Problem]:
        if self.to is not None and self.to < self.from_year:
            yield Problem(("to",), f"năm kết thúc {self.to} trước năm bắt đầu {self.from_year}",
                          self.to)


class PeriodSection(Settings):
    """Units responsible during a span of action years."""

    units: Names
    from_year: Year | None = Field(None, alias="from")
    until: Year | None = None
    support: Names | None = None  # supporting units beside the lead ones


def _periods(value: Any) -> Any:
    """A unit, a list of units (one period, always) or a list of periods."""
    if isinstance(value, str):
        return [{"units": [value]}]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [{"units": value}] if value else []
    if isinstance(value, list):
        return value
    raise invalid("phải là tên đơn vị, danh sách tên đơn vị hoặc danh sách giai đoạn "
                  "{units, from, until}")


Periods = Annotated[list[PeriodSection], BeforeValidator(_periods)]


class ComponentSection(Settings):
    """One entry of ``components``."""

    code: Code
    name: Sentence
    short_name: Text | None = None
    parent: Code | None = None
    max: Annotated[float, between(0)] | None = None
    max_status: Literal["confirmed", "unconfirmed", "derived", "example"] = "confirmed"
    responsible: Periods | None = None
    source: Text | None = None
    aliases: Texts | None = None
    children: list[ComponentSection] | None = None  # nested criteria, any depth


class PartSection(Settings):
    """One entry of ``parts``: a named share of the total and the components making it."""

    name: Sentence
    codes: Texts


def flat_components(items: list[ComponentSection] | None, parent: str | None = None,
                    path: tuple[str | int, ...] = ("components",)
                    ) -> Iterator[tuple[tuple[str | int, ...], ComponentSection]]:
    """Every component of a (possibly nested) ``components`` list, parents first, each with
    its path in the file; a nested child's parent is the entry it sits under."""
    for n, item in enumerate(items or []):
        where = (*path, n)
        if parent is not None and item.parent is None:
            item = item.model_copy(update={"parent": parent})
        yield where, item
        yield from flat_components(item.children, item.code, (*where, "children"))


class GroupSizeSection(Settings):
    """One span of ``population.sizes``: ``{years: {from: 2012, to: 2024}, size: 63, …}``."""

    years: YearsSection
    size: Annotated[int, Field(gt=0)]
    source: Text = ""
    status: Literal["confirmed", "unconfirmed", "example"] = "confirmed"


class PopulationSection(Settings):
    """``population``: which groups of the data (by name) the index's known sizes apply to."""

    names: Names
    sizes: list[GroupSizeSection]

class RatingGroupSection(Settings):
    label: Sentence
    min: float | None = None
    description: Text = ""


class RatingSection(Settings):
    """How results are grouped: fixed thresholds, peer quartiles or none."""

    kind: Literal["thresholds", "quartiles", "none"] = "none"
    basis: Literal["percent", "score"] = "percent"
    groups: list[RatingGroupSection] | None = None
    components: bool = False
    source: Text | None = None

    def problems(self) -> Iterator[Problem]:
        if self.kind == "quartiles" and len(self.groups or []) != 4:
            yield Problem(("groups",) if self.groups else ("kind",),
                          "xếp loại kiểu quartiles cần đúng 4 nhóm, từ cao xuống thấp")


class FrameworkFile(Settings):
    """One ``frameworks/*.yaml`` file: an index under one methodology."""

    code: Sentence
    version: Sentence
    name: Sentence
    unit: Sentence
    total_max: Annotated[float, Field(gt=0)]
    years: YearsSection
    components: list[ComponentSection] | None
    status: Literal["confirmed", "unconfirmed", "example"] = "confirmed"
    short_name: Text | None = None
    aliases: Texts | None = None
    published_by: Text = ""
    component_unit: Text | None = None
    component_word: Text  # how the report calls the components: "lĩnh vực", "chỉ số nội dung"…
    additive: bool = True
    coordinator: Texts | None = None
    rating: RatingSection | None = None
    sources: Texts | None = None
    notes: Text = ""
    children_max: Literal["none", "equal_share"] = "none"
    method: Literal["assessment", "survey"] = "assessment"
    loss_measure: Literal["points", "gap"] | None = None  # default: points if assessed, else gap
    legal_basis: Texts | None = None
    population: PopulationSection | None = None
    criteria_level: Annotated[int, Field(ge=2)] | None = None
    parts: list[PartSection] | None = None

    def problems(self) -> Iterator[Problem]:
        """Codes are unique, a parent is declared before its children, parts name codes."""
        seen: set[str] = set()
        for path, item in flat_components(self.components):
            if item.code == TOTAL:
                yield Problem((*path, "code"), f"mã '{TOTAL}' dành cho điểm tổng của chỉ "
                              "số, không dùng làm mã thành phần", item.code)
            elif item.code in seen:
                yield Problem((*path, "code"), f"mã thành phần '{item.code}' bị trùng",
                              item.code)
            elif item.parent is not None and item.parent not in seen:
                yield Problem((*path, "parent"), f"thành phần '{item.code}': cha "
                              f"'{item.parent}' phải được khai báo trước", item.parent)
            seen.add(item.code)
        for n, part in enumerate(self.parts or []):
            for k, code in enumerate(part.codes):
                if code not in seen:
                    yield Problem(("parts", n, "codes", k), f"phần '{part.name}': mã thành phần "
                                  f"'{code}' không có trong components", code)


# --- from a checked file to a framework ---------------------------------------------------

def _responsibilities(periods: list[PeriodSection] | None) -> tuple[Responsibility, ...]:
    return tuple(Responsibility(tuple(p.units), p.from_year, p.until, tuple(p.support or ()))
                 for p in periods or [])


def _component(item: ComponentSection) -> Component:
    return Component(
        code=item.code,
        name=item.name,
        short_name=item.short_name or item.name,
        parent=item.parent,
        max=item.max,
        max_confirmed=item.max_status == "confirmed" and item.max is not None,
        responsible=_responsibilities(item.responsible),
        source=item.source,
        aliases=tuple(item.aliases or ()),
    )


def _population(section: PopulationSection | None) -> Population | None:
    if section is None:
        return None
    return Population(tuple(section.names), tuple(
        GroupSize(s.size, s.years.from_year, s.years.to, s.source, s.status)
        for s in section.sizes))


def _rating(section: RatingSection | None) -> RatingRule:
    if section is None:
        return RatingRule()
    groups = tuple(RatingGroup(g.label, g.min, g.description) for g in section.groups or [])
    return RatingRule(section.kind, section.basis, groups, section.components, section.source)


def parse_framework(doc: Any, path: str) -> Framework:
    """Build a :class:`Framework` from a parsed YAML document checked against its schema."""
    checked = validate(FrameworkFile, doc, path)
    components = {item.code: _component(item)
                  for _, item in flat_components(checked.components)}
    if checked.children_max == "equal_share":
        components = share_parent_maxima(components)
    return Framework(
        code=checked.code,
        version=checked.version,
        name=checked.name,
        short_name=checked.short_name or checked.code,
        unit=checked.unit,
        component_unit=checked.component_unit or checked.unit,
        total_max=checked.total_max,
        year_from=checked.years.from_year,
        year_to=checked.years.to,
        component_word=checked.component_word,
        additive=checked.additive,
        rating=_rating(checked.rating),
        coordinator=tuple(checked.coordinator or ()),
        components=components,
        aliases=tuple(checked.aliases or ()),
        sources=tuple(checked.sources or ()),
        notes=checked.notes,
        path=path,
        status=checked.status,
        published_by=checked.published_by,
        children_max=checked.children_max,
        method=checked.method,
        loss_measure=checked.loss_measure or (
            "points" if checked.method == "assessment" else "gap"),
        legal_basis=tuple(checked.legal_basis or ()),
        population=_population(checked.population),
        criteria_level=checked.criteria_level or 1 + max(
            (_depth(components, c) for c in components), default=0),
        parts=tuple(Part(p.name, tuple(p.codes)) for p in checked.parts or []),
    )


def _depth(components: Mapping[str, Component], code: str) -> int:
    """The level of a declared component (1 for a top-level one)."""
    depth, parent = 1, components[code].parent
    while parent is not None and parent in components:
        depth, parent = depth + 1, components[parent].parent
    return depth


def share_parent_maxima(components: dict[str, Component]) -> dict[str, Component]:
    """Children without a published maximum share their parent's maximum equally (PAPI: the
    sub-dimensions of a 10-point dimension are scaled so that they add up to it)."""
    out = dict(components)
    for code, comp in components.items():
        parent = components.get(comp.parent) if comp.parent else None
        if comp.max is None and parent is not None and parent.max is not None:
            siblings = [c for c in components.values() if c.parent == comp.parent]
            out[code] = replace(comp, max=round(parent.max / len(siblings), 6), max_confirmed=False)
    return out


def check_overlaps(items: Iterable[Framework]) -> None:
    """Two versions of one index may not both cover a year."""
    by_code: dict[str, list[Framework]] = {}
    for fw in items:
        by_code.setdefault(fw.code, []).append(fw)
    for versions in by_code.values():
        versions.sort(key=lambda f: f.year_from)
        for a, b in zip(versions, versions[1:], strict=False):
            if a.year_to is None or a.year_to >= b.year_from:
                raise ConfigError(
                    f"Hai khung chỉ số {a.code} ({a.version}, {a.years_label}) và "
                    f"({b.version}, {b.years_label}) cùng áp dụng cho một năm",
                    Location(file=b.path),
                )


def read_frameworks(paths: Iterable[Path]) -> Frameworks:
    """Read framework files; the caller decides which files (see :func:`load_frameworks`)."""
    items = [parse_framework(read_yaml(p), str(p)) for p in paths]
    check_overlaps(items)
    return Frameworks(items)


def load_frameworks(search: SearchPath, extra: Iterable[Path] = ()) -> Frameworks:
    """Frameworks from ``frameworks/*.yaml`` on the search path, plus explicit extra files
    (a user file with the same index code and version replaces the bundled one)."""
    chosen = {p.name: p for p in search.find_all("frameworks")}
    items = {}
    for path in [*chosen.values(), *extra]:
        fw = parse_framework(read_yaml(path), str(path))
        items[(fw.code, fw.version)] = fw
    check_overlaps(items.values())
    return Frameworks(list(items.values()))
