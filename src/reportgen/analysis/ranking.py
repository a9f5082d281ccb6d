"""Competition ranking shared by validation (published-rank check) and analysis."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from reportgen.config.report import PeerExcerpt
from reportgen.config.schema import validate


class Ranked(Protocol):
    """A ranked line (:class:`~reportgen.analysis.model.PeerRow`, ``RankingRow``)."""

    @property
    def unit(self) -> str: ...

    @property
    def rank(self) -> int | None: ...


R = TypeVar("R", bound=Ranked)


# Scores are published with 2–4 decimals; anything closer than this is a tie.
TIE_EPSILON = 1e-9


def competition_ranks(scores: Sequence[float]) -> list[int]:
    """Rank 1 = best; equal scores share the better rank (1, 2, 2, 4)."""
    order = sorted(range(len(scores)), key=lambda i: -scores[i])
    ranks = [0] * len(scores)
    for pos, i in enumerate(order):
        if pos and abs(scores[order[pos - 1]] - scores[i]) <= TIE_EPSILON:
            ranks[i] = ranks[order[pos - 1]]
        else:
            ranks[i] = pos + 1
    return ranks


def rank_map(scores: Mapping[str, float]) -> dict[str, int]:
    """Competition ranks keyed like ``scores``."""
    keys = list(scores)
    return dict(zip(keys, competition_ranks([scores[k] for k in keys]), strict=True))


def excerpt(count: int, position: int | None, head: int, around: int, tail: int) -> list[int | None]:
    """Positions (0-based, in ranking order) an excerpt of ``count`` ranked units shows: the
    first ``head``, ``around`` on each side of ``position`` (the unit reported on) and the
    last ``tail``; ``None`` stands where a run of units is left out (a gap of a single unit
    is shown instead)."""
    keep = set(range(min(head, count))) | set(range(max(count - tail, 0), count))
    if position is not None and 0 <= position < count:
        keep |= set(range(max(position - around, 0), min(position + around + 1, count)))
    shown: list[int | None] = []
    previous = -1
    for pos in sorted(keep):
        if pos - previous == 2:  # one unit alone between two shown ones: show it
            shown.append(pos - 1)
        elif pos - previous > 2:
            shown.append(None)
        shown.append(pos)
        previous = pos
    if previous < count - 1:
        shown.append(None)
    return shown


@dataclass(frozen=True)
class ExcerptRule:
    """When a long peer list is cut, and how (``peer_excerpt`` in report.yaml): a group of
    more than ``chart_max_units`` units shows an excerpt in the position chart, of more
    than ``table_max_units`` in the appendix ranking. The whole ranking is the group
    overview's (``reportgen batch``)."""

    chart_max_units: int = 70
    table_max_units: int = 150
    head: int = 10
    around: int = 5
    tail: int = 5

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any], file: str | None = None) -> ExcerptRule:
        """The rule of a report's settings (``peer_excerpt``, checked against the report.yaml
        schema: a problem is a :class:`ConfigError` naming the file, line and key)."""
        checked = validate(PeerExcerpt, settings.get("peer_excerpt"), file, ("peer_excerpt",))
        return cls(**checked.model_dump())

    def positions(self, count: int, position: int | None, limit: int) -> list[int | None] | None:
        """The excerpt of ``count`` ranked units (see :func:`excerpt`), or None when the
        whole list fits under ``limit``."""
        if count <= limit:
            return None
        return excerpt(count, position, self.head, self.around, self.tail)

    def select(self, peers: Sequence[R], unit: str, limit: int) -> list[R | None] | None:
        """The peer rows (``rank``, ``unit``, …) an excerpt shows, best first, None for a gap;
        None when the whole group fits under ``limit``."""
        ordered = sorted(peers, key=lambda p: p.rank or len(peers) + 1)
        position = next((n for n, p in enumerate(ordered) if p.unit == unit), None)
        shown = self.positions(len(ordered), position, limit)
        return None if shown is None else [None if n is None else ordered[n] for n in shown]
