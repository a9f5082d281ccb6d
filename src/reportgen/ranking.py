"""Competition ranking shared by validation (published-rank check) and analysis."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

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
