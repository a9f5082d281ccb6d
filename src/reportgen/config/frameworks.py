"""Index frameworks: what each index is made of, per methodology version, read from YAML.

A framework file describes one index under one methodology (e.g. PAR INDEX under
876/QĐ-BNV, years 2022–2024): names, measurement unit, the component tree with maxima,
the responsible unit(s) of each component by period, the rating rule and the sources.
Nothing here is specific to a province or a year: it is all data the user can edit.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from reportgen.config.search import SearchPath
from reportgen.config.yamlio import line_of, read_yaml
from reportgen.errors import ConfigError, Location

TOTAL = "TOTAL"


@dataclass(frozen=True)
class Responsibility:
    """Units answerable for a component during a span of (action) years, both ends inclusive."""

    units: tuple[str, ...]
    from_year: int | None = None
    until_year: int | None = None

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

    def responsible_for(self, year: int) -> list[str]:
        """Units responsible in ``year``; the latest matching period wins."""
        hits = [r for r in self.responsible if r.applies(year)]
        return list(hits[-1].units) if hits else []


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


# --- reading -----------------------------------------------------------------------------

_REQUIRED = ("code", "version", "name", "unit", "total_max", "years", "components")


def _fail(msg: str, path: str, mapping: Any = None, key: Any = None) -> ConfigError:
    if mapping is None:
        line = None
    elif key is None:  # the mapping itself is at fault (a key is missing): point at where it starts
        line = getattr(mapping, "start_line", None)
    else:
        line = line_of(mapping, key)
    return ConfigError(msg, Location(file=path, line=line))


def _number(value: Any, what: str, path: str, mapping: Any, key: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fail(f"{what} phải là một số, nhận được {value!r}", path, mapping, key)
    return float(value)


def _year(value: Any, what: str, path: str, mapping: Any, key: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not str(value).strip().isdigit():
        raise _fail(f"{what} phải là một năm (số nguyên), nhận được {value!r}", path, mapping, key)
    return int(str(value).strip())


def _strings(raw: Any) -> tuple[str, ...]:
    """A list of texts; a single text is one item (not a sequence of letters)."""
    if raw is None:
        return ()
    return (str(raw),) if isinstance(raw, str) else tuple(str(x) for x in raw)


def _responsibilities(raw: Any, path: str, where: Any, key: Any) -> tuple[Responsibility, ...]:
    """Accept a plain list of units or a list of ``{units, from, until}`` periods."""
    if raw is None:
        return ()
    if isinstance(raw, str):
        return (Responsibility((raw,)),)
    if not isinstance(raw, list):
        raise _fail("'responsible' phải là danh sách đơn vị hoặc danh sách giai đoạn",
                    path, where, key)
    if all(isinstance(x, str) for x in raw):
        return (Responsibility(tuple(raw)),)
    periods = []
    for item in raw:
        if not isinstance(item, Mapping) or "units" not in item:
            raise _fail("mỗi giai đoạn của 'responsible' cần khóa 'units'", path, where, key)
        units = item["units"]
        units = (units,) if isinstance(units, str) else tuple(units)
        periods.append(Responsibility(units, _year(item.get("from"), "'from'", path, item, "from"),
                                      _year(item.get("until"), "'until'", path, item, "until")))
    return tuple(periods)


def _rating(raw: Any, path: str, doc: Any) -> RatingRule:
    if not raw:
        return RatingRule()
    if not isinstance(raw, Mapping):
        raise _fail("'rating' phải là một ánh xạ (kind, groups, …)", path, doc, "rating")
    kind = raw.get("kind", "none")
    if kind not in ("thresholds", "quartiles", "none"):
        raise _fail(f"rating.kind không hợp lệ: {kind!r} (thresholds | quartiles | none)",
                    path, doc, "rating")
    for g in raw.get("groups") or []:
        if not isinstance(g, Mapping) or "label" not in g:
            raise _fail("mỗi nhóm xếp loại cần 'label'", path,
                        g if isinstance(g, Mapping) else raw)
    groups = tuple(
        RatingGroup(str(g["label"]), _number(g.get("min"), "min của nhóm xếp loại", path, g, "min"),
                    str(g.get("description", "")))
        for g in raw.get("groups") or []
    )
    if kind == "quartiles" and len(groups) != 4:
        raise _fail("rating kiểu quartiles cần đúng 4 nhóm, từ cao xuống thấp", path, doc, "rating")
    return RatingRule(kind, raw.get("basis", "percent"), groups, bool(raw.get("components", False)),
                      raw.get("source"))


def parse_framework(doc: Any, path: str) -> Framework:
    """Build a :class:`Framework` from a parsed YAML document, checking its structure."""
    if not isinstance(doc, Mapping):
        raise _fail("tệp khung chỉ số phải là một ánh xạ YAML (khóa: giá trị)", path)
    for key in _REQUIRED:
        if key not in doc:
            raise _fail(f"thiếu khóa bắt buộc '{key}'", path, doc)
    years = doc["years"]
    if not isinstance(years, Mapping) or "from" not in years:
        raise _fail("'years' cần có 'from' (và 'to' nếu đã hết hiệu lực)", path, doc, "years")
    components: dict[str, Component] = {}
    raw_components = doc["components"] or []
    if not isinstance(raw_components, list):
        raise _fail("'components' phải là một danh sách", path, doc, "components")
    for item in raw_components:
        if not isinstance(item, Mapping) or "code" not in item or "name" not in item:
            raise _fail("mỗi thành phần cần 'code' và 'name'", path,
                        item if isinstance(item, Mapping) else doc)
        code = str(item["code"])
        if code in components or code == TOTAL:
            raise _fail(f"mã thành phần '{code}' bị trùng", path, item, "code")
        parent = item.get("parent")
        parent = None if parent is None else str(parent)
        if parent is not None and parent not in components:
            raise _fail(f"thành phần '{code}': cha '{parent}' phải được khai báo trước",
                        path, item, "parent")
        components[code] = Component(
            code=code,
            name=str(item["name"]),
            short_name=str(item.get("short_name", item["name"])),
            parent=parent,
            max=_number(item.get("max"), f"max của '{code}'", path, item, "max"),
            max_confirmed=(item.get("max_status", "confirmed") == "confirmed"
                           and item.get("max") is not None),
            responsible=_responsibilities(item.get("responsible"), path, item, "responsible"),
            source=item.get("source"),
        )
    total_max = _number(doc["total_max"], "total_max", path, doc, "total_max")
    if total_max is None or total_max <= 0:
        raise _fail("total_max phải là số dương", path, doc, "total_max")
    coordinator = doc.get("coordinator") or []
    children_max = str(doc.get("children_max", "none"))
    if children_max not in ("none", "equal_share"):
        raise _fail("children_max phải là none hoặc equal_share", path, doc, "children_max")
    if children_max == "equal_share":
        components = share_parent_maxima(components)
    return Framework(
        code=str(doc["code"]),
        version=str(doc["version"]),
        name=str(doc["name"]),
        short_name=str(doc.get("short_name", doc["code"])),
        unit=str(doc["unit"]),
        component_unit=str(doc.get("component_unit", doc["unit"])),
        total_max=total_max,
        year_from=_year(years["from"], "years.from", path, years, "from"),
        year_to=_year(years.get("to"), "years.to", path, years, "to"),
        component_word=str(doc.get("component_word", "chỉ số thành phần")),
        additive=bool(doc.get("additive", True)),
        rating=_rating(doc.get("rating"), path, doc),
        coordinator=(coordinator,) if isinstance(coordinator, str) else tuple(coordinator),
        components=components,
        aliases=_strings(doc.get("aliases")),
        sources=_strings(doc.get("sources")),
        notes=str(doc.get("notes", "")),
        path=path,
        status=str(doc.get("status", "confirmed")),
        published_by=str(doc.get("published_by", "")),
        children_max=children_max,
    )


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
