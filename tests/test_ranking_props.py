"""Property-based checks of the ranking invariants, on the ranking helper and through the
analysis engine (ranks, ties, agreement with the scores, antisymmetric changes)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reportgen.analysis.model import Direction
from reportgen.analysis.ranking import competition_ranks
from reportgen.analysis.unit import analyze_unit, prepare
from reportgen.config.frameworks import Frameworks, parse_framework
from reportgen.config.rules import Rules, load_rules
from reportgen.config.search import SearchPath
from reportgen.config.yamlio import parse_yaml
from reportgen.data.load import records_from
from reportgen.data.validate import validate

FRAMEWORK = """
code: TST
version: "v1"
name: Chỉ số thử nghiệm
component_word: lĩnh vực
short_name: TST
unit: điểm
total_max: 100
years: {from: 2018}
additive: false
coordinator: [Sở Nội vụ]
components: []
"""
FWS = Frameworks([parse_framework(parse_yaml(FRAMEWORK, "tst.yaml"), "tst.yaml")])
RULES: Rules = load_rules(SearchPath((SearchPath.build().default_dir,)))

# Scores on a coarse grid so that ties are frequent.
scores_lists = st.lists(st.integers(0, 12).map(lambda n: n * 2.5), min_size=1, max_size=12)


@given(scores_lists)
def test_ranks_are_competition_ranks(scores: list[float]) -> None:
    ranks = competition_ranks(scores)
    n = len(scores)
    assert all(1 <= r <= n for r in ranks)
    for i, s in enumerate(scores):
        assert ranks[i] == 1 + sum(1 for t in scores if t > s)  # ties share the better rank
        for j, t in enumerate(scores):
            if s > t:
                assert ranks[i] < ranks[j]
            elif s == t:
                assert ranks[i] == ranks[j]
    assert min(ranks) == 1


def units(n: int) -> list[str]:
    return [f"Đơn vị {k:02d}" for k in range(n)]


def dataset(years: dict[int, list[float]]):
    rows = []
    for year, scores in years.items():
        for unit, score in zip(units(len(scores)), scores, strict=True):
            rows.append({"year": str(year), "index": "TST", "unit": unit, "component": "TOTAL",
                         "score": str(score)})
    return validate(records_from(rows), FWS)


PROPS = settings(max_examples=40, deadline=None,
                 suppress_health_check=[HealthCheck.too_slow])


@PROPS
@given(scores_lists)
def test_engine_ranks_agree_with_scores(scores: list[float]) -> None:
    prep = prepare(dataset({2024: scores}))
    result = {u: analyze_unit(prep, u, 2024, RULES).indices[0] for u in units(len(scores))}
    for unit, score in zip(units(len(scores)), scores, strict=True):
        index = result[unit]
        assert index.of == len(scores)
        assert 1 <= index.rank <= len(scores)
        assert index.rank == 1 + sum(1 for t in scores if t > score)
    ordered = sorted(result.values(), key=lambda i: -i.score)
    assert [i.rank for i in ordered] == sorted(i.rank for i in ordered)
    peers = next(iter(result.values())).peers
    assert [p.rank for p in peers] == sorted(p.rank for p in peers)


pairs = st.integers(1, 10).flatmap(lambda n: st.tuples(
    st.lists(st.integers(0, 12).map(lambda k: k * 2.5), min_size=n, max_size=n),
    st.lists(st.integers(0, 12).map(lambda k: k * 2.5), min_size=n, max_size=n)))


@PROPS
@given(pairs)
def test_changes_are_antisymmetric(pair: tuple[list[float], list[float]]) -> None:
    first, second = pair
    forward = prepare(dataset({2023: first, 2024: second}))
    backward = prepare(dataset({2023: second, 2024: first}))
    for unit in units(len(first)):
        a = analyze_unit(forward, unit, 2024, RULES).indices[0]
        b = analyze_unit(backward, unit, 2024, RULES).indices[0]
        assert a.delta_rank == -b.delta_rank
        assert a.delta_score == -b.delta_score
        assert a.delta_rank == a.previous.rank - a.rank
        flipped = {Direction.UP: Direction.DOWN, Direction.DOWN: Direction.UP,
                   Direction.STEADY: Direction.STEADY}
        assert b.direction == flipped[a.direction]
        assert b.rank_direction == flipped[a.rank_direction]
