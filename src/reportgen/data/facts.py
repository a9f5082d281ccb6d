"""Facts about the dataset itself that a report cites besides the scores: the ``source``
column ("Nguồn:" lines) and whether the rows are the bundled fictitious sample."""

from __future__ import annotations

from reportgen.data.sample import SAMPLE_SOURCE
from reportgen.data.validate import Dataset


def index_sources(dataset: Dataset, year: int, group: str | None = None) -> dict[str, str]:
    """The ``source`` column of each index that year (of one group, when given)."""
    frame = dataset.frame
    mask = (frame["year"] == year) & (frame["source"] != "")
    if group is not None:
        mask &= frame["group"] == group
    part = frame[mask]
    return {str(idx): str(src) for idx, src in part.groupby("index")["source"].first().items()}


def is_sample(dataset: Dataset, year: int | None = None, group: str | None = None) -> bool:
    """Whether the rows (of that year and group, when given) come from the bundled sample."""
    frame = dataset.frame
    if year is not None:
        frame = frame[frame["year"] == year]
    if group is not None:
        frame = frame[frame["group"] == group]
    return bool((frame["source"] == SAMPLE_SOURCE).any())
