"""Which units a batch writes, and where: selection, output paths (clashes refused), result."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from reportgen.analysis.unit import find_unit
from reportgen.errors import LookupFailed, OutputError
from reportgen.output.write import output_path

if TYPE_CHECKING:
    from reportgen.data.validate import Dataset


@dataclass
class BatchResult:
    generated: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    overview: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)  # every file this run wrote, as written

    @property
    def ok(self) -> bool:
        return not self.failed


Progress = Callable[[str, str, str], None]  # (unit, status, detail)


def plan_outputs(out_dir: Path, year: int, units: Sequence[tuple[str, str]]) -> dict[str, Path]:
    """Output path per unit; two units mapping to one file are refused before writing."""
    paths: dict[str, Path] = {}
    seen: dict[Path, str] = {}
    clashes = []
    for unit, group in units:
        path = output_path(out_dir, year, group, unit)
        if path in seen:
            clashes.append(f"'{seen[path]}' và '{unit}' cùng tên tệp {path.name}")
        seen[path] = unit
        paths[unit] = path
    if clashes:
        raise OutputError("Hai đơn vị trùng tên tệp kết quả: " + "; ".join(clashes)
                          + ". Hãy đổi tên một đơn vị trong dữ liệu.")
    return paths


def select_units(dataset: Dataset, year: int, groups: Sequence[str] | None,
                 units: Sequence[str] | None) -> list[tuple[str, str]]:
    """(unit, group) pairs with data that year, filtered by group and unit names."""
    frame = dataset.frame[dataset.frame["year"] == year]
    if frame.empty:
        raise LookupFailed(f"Không có dữ liệu năm {year}. Các năm có dữ liệu: "
                           + ", ".join(str(y) for y in dataset.years))
    pairs = list(dict.fromkeys(zip(frame["unit"], frame["group"], strict=True)))
    if groups:
        known = list(dict.fromkeys(frame["group"]))
        for g in groups:
            if g not in known:
                raise LookupFailed(f"Không có nhóm '{g}' trong năm {year}. Các nhóm: {', '.join(known)}")
        pairs = [p for p in pairs if p[1] in groups]
    if units:
        wanted = {find_unit(dataset, u) for u in units}
        pairs = [p for p in pairs if p[0] in wanted]
    first_group: dict[str, str] = {}
    for unit, group in pairs:
        first_group.setdefault(unit, group)
    return list(first_group.items())


def slug_of(path: Path, out_dir: Path) -> str:
    return str(path.relative_to(out_dir))
