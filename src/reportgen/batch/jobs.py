"""What a batch sends to its workers: a picklable description of the batch (:class:`JobSpec`)
and one unit's analysis (:class:`UnitJob`)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from pathlib import Path

from reportgen.analysis.model import UnitAnalysis
from reportgen.charts.images import Backend
from reportgen.data.sample import data_path
from reportgen.output.manifest import content_hash

Result = tuple[str, bytes | None, str | None]  # (unit, document or None, error or None)


@dataclass(frozen=True)
class JobSpec:
    """Picklable description of a batch; a worker rebuilds its state from it once."""

    data: str | None
    templates: str | None
    config: str | None
    year: int
    dpi: int
    stamp: str = ""  # changes when an input file changes, so cached worker state is rebuilt
    charts: Backend | None = None  # chart backend; None: report.yaml's, else native

    def stamped(self) -> JobSpec:
        """This job with a stamp of its input files' sizes and modification times."""

        h = hashlib.sha256()
        roots = [data_path(self.data)] + [Path(p) for p in (self.templates, self.config) if p]
        roots.append(Path.cwd() / "templates")
        for root in roots:
            files = sorted(root.rglob("*")) if root.is_dir() else [root]
            for f in files:
                if f.is_file():
                    st = f.stat()
                    h.update(f"{f}:{st.st_size}:{st.st_mtime_ns}\n".encode())
        return replace(self, stamp=h.hexdigest())


@dataclass(frozen=True)
class UnitJob:
    """One unit's report as a worker receives it: its analysis and the dataset facts its text
    cites (the "Nguồn:" lines, the sample-data notice). It is everything the document is
    made from besides the toolkit, so its hash is the document's, and a worker needs no
    dataset: its memory does not grow with the number of units."""

    unit: str
    analysis: UnitAnalysis  # analysis.unit.analyze_unit's result
    sources: dict[str, str]
    sample: bool

    def digest(self, toolkit_hash: str) -> str:
        return content_hash({"analysis": self.analysis.to_dict(), "sources": self.sources,
                             "sample": self.sample}, toolkit_hash)
