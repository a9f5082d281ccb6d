"""The analysis as typed, read-only objects: what the analysis stage hands to charts, narrative,
the ``analyze`` JSON and the batch manifest.

:func:`reportgen.analysis.unit.analyze_unit` returns a :class:`UnitAnalysis`,
:func:`reportgen.analysis.group.group_overview` a :class:`GroupAnalysis`. Every object is a
frozen dataclass and every collection inside is a tuple (or a read-only :class:`FrozenMap`), so
that neither a consumer nor a phrase template can change a figure; a renamed field is an error
where it is read (``mypy``, ``reportgen templates check``), not only when a report is rendered.

Conventions of the values (see :mod:`reportgen.analysis.unit`): numbers are unformatted
(rounded to 6 decimals only to drop floating-point noise), missing values are ``None``; ranks
are competition ranks, 1 is best; ``delta_rank`` > 0 means the unit moved up. Nothing here is
document text: directions, flags and kinds are language-neutral enums (``Direction.UP`` is
``"up"``), notes are a kind and their parameters; the phrase files word them.

:meth:`Model.to_dict` gives the plain, JSON-able form (enums as their values, tuples as lists)
with the keys the ``analyze`` command has always printed; it is also what the batch manifest
hashes. The objects pickle (batch workers receive them).

Besides the fields (the facts), some properties answer the questions the phrase files ask
(``IndexAnalysis.most_lost``, ``ComponentAnalysis.full_marks``, ``PeerStats.mean_direction``…):
every choice, sort and sum is made here, the phrase files only word the answer. Properties are
not part of :meth:`Model.to_dict` (they are derived from the fields).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import Enum, StrEnum
from operator import attrgetter
from typing import Any, ClassVar, Generic, TypeVar

from reportgen.analysis.numbers import rounded

EPS = 1e-9
MOST_LOST = 3  # components listed as losing most points
TOP_RECOVERABLE = 3  # components listed as where missing points are most recoverable
RANK_SPAN_MIN_YEARS = 3  # ranked years needed before the rank range of a period is stated


# --- language-neutral values -------------------------------------------------------------------

class Direction(StrEnum):
    """Change of a score (with the tolerance of ``analysis.yaml``) or of a rank."""

    UP = "up"
    DOWN = "down"
    STEADY = "steady"


class Mixed(StrEnum):
    """A score and a rank moving in opposite directions (the text must explain it)."""

    SCORE_UP_RANK_DOWN = "score_up_rank_down"
    SCORE_DOWN_RANK_UP = "score_down_rank_up"


class RatingKind(StrEnum):
    THRESHOLDS = "thresholds"  # fixed thresholds (PAR INDEX A/B/C)
    QUARTILES = "quartiles"  # peer quartiles (PAPI)


class TargetKind(StrEnum):
    RANK = "rank"
    GROUP = "group"
    SCORE = "score"
    MEAN = "mean"
    PLACES = "places"  # gain at least k places on this year's ranking


class Category(StrEnum):
    """Where a component stands on the two axes of the analysis, level against its peers and
    trend against last year; each analysed component is in at most one category."""

    STRENGTH = "strength"  # a good level (at or above the group mean), not falling
    PROGRESS = "progress"  # improved, but not (yet) at a good level
    WEAKNESS = "weakness"  # a low level (bottom of the group, far below the mean…)
    DECLINE = "decline"  # fell markedly, from a level that is not low


class ReasonRule(StrEnum):
    """The rule of ``analysis.yaml`` that made a component a strength or a weakness."""

    MIN_PERCENT = "min_percent"
    TOP_SHARE = "top_share"
    RANK_GAIN = "rank_gain"
    BOTTOM_SHARE = "bottom_share"
    BELOW_MEAN = "below_mean"
    RANK_LOSS = "rank_loss"
    MAX_PERCENT = "max_percent"
    LARGEST_LOSS = "largest_loss"  # among the components that lost most points


class ActionKind(StrEnum):
    """What a solution is for: a weak component to fix, a strength to keep."""

    WEAKNESS = "weakness"
    STRENGTH = "strength"


class ImpactMeasure(StrEnum):
    PERCENT = "percent"
    POINTS_LOST = "points_lost"


class DeadlineKind(StrEnum):
    QUARTER = "quarter"
    DATE = "date"
    ONGOING = "ongoing"
    TEXT = "text"


class NoteKind(StrEnum):
    """Why a figure is missing or special; worded by ``ghi_chu`` in ``phrases/ket-qua.j2``."""

    ALONE_IN_GROUP = "alone_in_group"  # unit, index, group, year
    TOTAL_DERIVED = "total_derived"  # index, component_word
    METHODOLOGY_CHANGED = "methodology_changed"  # index, year, version, previous_year, previous_version
    TARGET_WITHOUT_PEERS = "target_without_peers"  # index
    TARGET_THRESHOLD_UNKNOWN = "target_threshold_unknown"  # index, target_group
    TARGET_PARTIAL_GROUP = "target_partial_group"  # index, group, year, loaded, size
    NO_INDEX_TOTAL = "no_index_total"  # unit, year
    PREVIOUS_YEAR_MISSING = "previous_year_missing"  # index, year, previous_year (the missing one)
    GROUP_INCOMPLETE = "group_incomplete"  # index, group, year, loaded, size (None: unknown)


class Basis(StrEnum):
    """Where a group figure (rank, mean, leader…) comes from."""

    PUBLISHED = "published"  # the data's published rank or its groups table
    COMPLETE = "complete"  # computed from every unit of the group
    SUBSET = "subset"  # computed from the units in the data only (the group is incomplete)


_ENUMS = {"Direction", "Mixed", "RatingKind", "TargetKind", "Category", "SourceKind", "ReasonRule",
          "ActionKind", "ImpactMeasure", "DeadlineKind", "NoteKind", "Basis",
          "Demand"}  # enum field types (to_dict: their value)


# --- plumbing ------------------------------------------------------------------------------------

K = TypeVar("K")
V = TypeVar("V")


class FrozenMap(Mapping[K, V], Generic[K, V]):
    """A read-only mapping (variable keys: rating labels, index codes); picklable, hashable."""

    __slots__ = ("_data",)

    def __init__(self, data: Mapping[K, V] | Iterable[tuple[K, V]] = ()) -> None:
        self._data: dict[K, V] = dict(data)

    def __getitem__(self, key: K) -> V:
        return self._data[key]

    def __iter__(self) -> Iterator[K]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __hash__(self) -> int:
        return hash(tuple(self._data.items()))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._data!r})"

    def __reduce__(self) -> tuple[Any, tuple[dict[K, V]]]:
        return type(self), (self._data,)


_SCALARS = frozenset((str, int, float, bool, type(None)))
_SHARED: dict[int, tuple[tuple[Any, ...], list[Any]]] = {}  # id → (tuple, its plain list)
_SHARED_MAX = 32  # rankings kept (a batch of a year: groups × indexes)


def plain(value: Any) -> Any:
    """A value as plain JSON-able data: models as dicts, enums as their values, tuples as lists.

    The plain form of a tuple of ``SHARED`` rows (a group's ranking, the same object in
    every unit's analysis) is computed once and shared between calls: treat the result as
    read-only."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    if isinstance(value, Enum):
        return value._value_
    if isinstance(value, Model):
        return value.to_dict()
    if kind is tuple:
        first = value[0] if value else None
        if not (isinstance(first, Model) and first.SHARED):
            return [v if type(v) in _SCALARS else plain(v) for v in value]
        hit = _SHARED.get(id(value))
        if hit is not None and hit[0] is value:
            return hit[1]
        if len(_SHARED) >= _SHARED_MAX:
            _SHARED.clear()
        out = [plain(v) for v in value]
        _SHARED[id(value)] = (value, out)
        return out
    if isinstance(value, FrozenMap):
        return {k: plain(v) for k, v in value._data.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in value.items()}
    return value


_PLAIN_TYPES = {"str", "int", "float", "bool", "str | None", "int | None", "float | None",
                "bool | None"}  # field types copied as they are


def _compile_to_dict(cls: type[Model]) -> Callable[[Model], dict[str, Any]]:
    """A ``to_dict`` written out for one class (it is on the batch's hot path: every unit's
    analysis is hashed): plain fields copied, enums as their values, the rest through
    :func:`plain`; the fields of ``OMIT_NONE`` left out when None."""
    items = []
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        kind = str(f.type)
        if kind in _PLAIN_TYPES:
            items.append(f"{f.name!r}: self.{f.name}")
        elif kind.split(" | ")[0] in _ENUMS:
            items.append(f"{f.name!r}: None if self.{f.name} is None else self.{f.name}._value_")
        else:
            items.append(f"{f.name!r}: plain(self.{f.name})")
    body = "out = {" + ", ".join(items) + "}"
    if cls.OMIT_NONE:
        body += f"\n    for name in {sorted(cls.OMIT_NONE)!r}:\n        if out[name] is None:\n" \
                "            del out[name]"
    namespace: dict[str, Any] = {"plain": plain}
    exec(f"def to_dict(self):\n    {body}\n    return out", namespace)  # noqa: S102
    function: Callable[[Model], dict[str, Any]] = namespace["to_dict"]
    return function


_TO_DICT: dict[type, Callable[[Model], dict[str, Any]]] = {}
_FIELD_VALUES: dict[type, Callable[[Any], tuple[Any, ...]]] = {}


class Model:
    """Base of the analysis dataclasses: :meth:`to_dict`."""

    __slots__ = ()
    OMIT_NONE: ClassVar[frozenset[str]] = frozenset()  # keys left out of to_dict when None
    SHARED: ClassVar[bool] = False  # its tuples are shared by many analyses (see plain)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able form, keys in field order (the ``analyze`` JSON)."""
        function = _TO_DICT.get(type(self))
        if function is None:
            function = _TO_DICT[type(self)] = _compile_to_dict(type(self))
        return function(self)

    def __reduce__(self) -> tuple[type[Model], tuple[Any, ...]]:
        """Pickled as the class and its field values (a batch sends every unit's analysis
        to a worker; faster than the dataclass default for frozen, slotted classes)."""
        getter = _FIELD_VALUES.get(type(self))
        if getter is None:
            names = [f.name for f in dataclasses.fields(self)]  # type: ignore[arg-type]
            getter = _FIELD_VALUES[type(self)] = (
                attrgetter(*names) if len(names) > 1 else lambda obj: (getattr(obj, names[0]),))
        return type(self), getter(self)


# --- notes ---------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Note(Model):
    """Why a figure is missing or special: a kind and its parameters (the others are None)."""

    OMIT_NONE: ClassVar[frozenset[str]] = frozenset(
        ("unit", "index", "group", "year", "component_word", "version", "previous_year",
         "previous_version", "target_group", "loaded", "size"))

    kind: NoteKind
    unit: str | None = None
    index: str | None = None  # the index's short name ("PAR INDEX")
    group: str | None = None
    year: int | None = None
    component_word: str | None = None
    version: str | None = None
    previous_year: int | None = None
    previous_version: str | None = None
    target_group: str | None = None
    loaded: int | None = None
    size: int | None = None


# --- one index of one unit -----------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Previous(Model):
    """The unit's result in the previous year (its nearest earlier year with a total)."""

    year: int
    score: float
    max: float | None
    percent: float | None
    rank: int | None
    of: int | None
    version: str
    group: str
    # what the figure is (the 2025 reorganisation, the lineage table): "own" result, a
    # published "recut" for the new unit, or its predecessors' results ("rename", "split",
    # "merge": combined by ``method``, "weighted" by declared shares or "equal")
    basis: str = "own"
    method: str = ""
    weighted_by: str = ""  # what the shares measure ("dân số"), as analysis.yaml names it
    predecessors: tuple[PredecessorResult, ...] = ()
    since: int | None = None  # the year the unit continues its predecessors
    source: str = ""  # the lineage's or the re-cut's source

    @property
    def position_third(self) -> int | None:
        """1, 2 or 3: the first, middle or last third of the group (a position that compares
        across group sizes, where places do not)."""
        return third(self.rank, self.of)


@dataclass(frozen=True, slots=True)
class PredecessorResult(Model):
    """One predecessor's result in the year compared with (and its declared share)."""

    unit: str
    score: float
    max: float | None
    rank: int | None
    of: int | None
    weight: float | None


def third(rank: int | None, of: int | None) -> int | None:
    """Which third of a group of ``of`` units rank ``rank`` falls in (None: unknown)."""
    if rank is None or not of or of < 3:
        return None
    return min(3, max(1, -(-3 * rank // of)))


@dataclass(frozen=True, slots=True)
class Rating(Model):
    """The rating group of a result, and the label of the previous year's result."""

    label: str
    description: str
    kind: RatingKind
    previous_label: str | None = None


@dataclass(frozen=True, slots=True)
class PeerStats(Model):
    """The group's figures for the index total, each from the group's published facts, from
    every unit of the group, or — the group being incomplete — from the units in the data
    (``basis``, ``leader_basis``); None where nothing truthful can be said."""

    mean: float | None
    median: float | None
    max: float | None
    min: float | None
    best_unit: str | None
    worst_unit: str | None
    best_score: float | None
    worst_score: float | None
    count: int  # units in the data with a score
    quartiles: tuple[float, float, float] | None
    mean_previous: float | None
    count_previous: int | None
    delta_mean: float | None  # mean − mean_previous (same basis both years)
    size: int | None = None  # units of the group (declared, known or loaded); None: unknown
    complete: bool = True  # every unit of the group is in the data with a score
    basis: Basis | None = Basis.COMPLETE  # of mean, median, max, min
    leader_basis: Basis | None = Basis.COMPLETE  # of best_unit, best_score
    worst_basis: Basis | None = Basis.COMPLETE  # of worst_unit, worst_score
    source: str = ""  # the published source of the facts, when the groups table gives one

    @property
    def mean_direction(self) -> Direction | None:
        """Up or down (no tolerance), steady only when exactly equal; None without a previous mean."""
        return _sign(self.delta_mean)


@dataclass(frozen=True, slots=True)
class PeerRow(Model):
    """One unit of the group's ranking (the same tuple in every unit's analysis)."""

    SHARED: ClassVar[bool] = True

    unit: str
    score: float | None  # None: the unit's rank is published without its score
    percent: float | None
    rank: int | None
    delta_score: float | None
    delta_rank: int | None
    rating: str | None


@dataclass(frozen=True, slots=True)
class HistoryPoint(Model):
    """The unit's total in one year up to the report's."""

    year: int
    score: float
    percent: float | None
    rank: int | None
    of: int | None
    version: str
    peer_mean: float | None
    # its place compares with the report year's (the group's size changed by at most
    # comparison.size_change: 43 → 45 units yes, 63 → 34 after the mergers no)
    comparable: bool = True


@dataclass(frozen=True, slots=True)
class RankSpan(Model):
    """The range of the unit's ranks over its ranked years (``IndexAnalysis.rank_span``)."""

    first_year: int
    last_year: int
    best: int
    worst: int
    current_is_best: bool  # this year's rank is the best of the period (and ranks varied)
    current_is_worst: bool


@dataclass(frozen=True, slots=True)
class Counts(Model):
    """How many analysed components rose, fell or held, in points and in places."""

    total: int
    compared: int
    up: int
    down: int
    same: int
    rank_up: int
    rank_down: int
    rank_same: int


@dataclass(frozen=True, slots=True)
class RatingCounts(Model):
    """Analysed components per rating label, this year and the previous one."""

    current: FrozenMap[str, int]
    previous: FrozenMap[str, int] | None


@dataclass(frozen=True, slots=True)
class Orderings(Model):
    """Analysed component codes sorted for the usual sentences."""

    points_lost: tuple[str, ...]
    percent: tuple[str, ...]
    rank: tuple[str, ...]
    delta_score: tuple[str, ...]
    delta_rank: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PercentReason(Model):
    """``min_percent`` / ``max_percent``: the score as a percent of its maximum."""

    rule: ReasonRule
    score: float
    max: float | None
    percent: float
    threshold: float


@dataclass(frozen=True, slots=True)
class ShareReason(Model):
    """``top_share`` / ``bottom_share``: the rank within a share of the peers."""

    rule: ReasonRule
    rank: int
    of: int
    limit: int


@dataclass(frozen=True, slots=True)
class RankChangeReason(Model):
    """``rank_gain`` / ``rank_loss``: places moved since the previous year."""

    rule: ReasonRule
    rank: int
    previous_rank: int | None
    delta_rank: int
    threshold: int


@dataclass(frozen=True, slots=True)
class BelowMeanReason(Model):
    """``below_mean``: under the peer mean by at least a share of the maximum."""

    rule: ReasonRule
    score: float
    max: float | None
    peer_mean: float
    gap: float
    threshold: float
    threshold_percent: float


@dataclass(frozen=True, slots=True)
class LargestLossReason(Model):
    """``largest_losses``: among the components that lost most points (``position`` 1 = most)."""

    rule: ReasonRule
    points_lost: float
    max: float | None
    position: int


Reason = PercentReason | ShareReason | RankChangeReason | BelowMeanReason | LargestLossReason


@dataclass(frozen=True, slots=True)
class ComponentAnalysis(Model):
    """One component (field, factor, criterion) of an index for the unit."""

    code: str
    name: str
    short_name: str
    parent: str | None
    level: int
    analysed: bool
    score: float
    max: float | None
    percent: float | None
    rank: int | None  # None: the group is incomplete and no rank is published
    of: int | None  # units of the group; None when unknown
    rank_published: bool
    rank_basis: Basis | None
    loaded: int  # units of the group with a score for this component
    peer_basis: Basis  # of peer_mean, peer_median, best_score, best_unit
    tied_with: tuple[str, ...]  # units sharing the rank
    previous_score: float | None
    previous_max: float | None
    previous_percent: float | None
    previous_rank: int | None
    previous_of: int | None
    delta_score: float | None
    delta_rank: int | None
    direction: Direction | None
    rank_direction: Direction | None
    mixed: Mixed | None
    peer_mean: float
    peer_mean_percent: float | None
    peer_median: float
    gap_to_mean: float
    best_score: float
    best_unit: str
    gap_to_best: float
    points_lost: float | None
    rating: Rating | None
    responsible: tuple[str, ...]
    strength_reasons: tuple[Reason, ...]
    weakness_reasons: tuple[Reason, ...]
    is_strength: bool  # listed as a strength (category STRENGTH, within ``max_listed``)
    is_weakness: bool  # listed as a weakness (category WEAKNESS, within ``max_listed``)
    category: Category | None = None  # None: neither notable level nor marked change
    previous_basis: str | None = None  # see :attr:`Previous.basis`

    @property
    def ranked(self) -> bool:
        """A rank can be stated (published, or computed from the whole group of 2+ units)."""
        return self.rank is not None and (self.of is None or self.of > 1)

    @property
    def needs_action(self) -> bool:
        """A listed weakness or a decline: it goes to "Tồn tại" and gets a solution."""
        return self.is_weakness or self.category == Category.DECLINE

    @property
    def full_marks(self) -> bool:
        """The score reaches the maximum."""
        return self.max is not None and self.score >= self.max - EPS


@dataclass(frozen=True, slots=True)
class Detail(Model):
    """A strength or weakness with its evidence and its impact measure."""

    code: str
    name: str
    short_name: str
    reasons: tuple[Reason, ...]
    impact: float | None
    impact_measure: ImpactMeasure
    places_lost: int
    score: float
    max: float | None
    percent: float | None
    rank: int | None
    of: int | None
    delta_score: float | None
    delta_rank: int | None


@dataclass(frozen=True, slots=True)
class Assessment(Model):
    """The strength and weakness rules applied to the index total."""

    is_strength: bool
    is_weakness: bool
    strength_reasons: tuple[Reason, ...]
    weakness_reasons: tuple[Reason, ...]
    category: Category | None = None


@dataclass(frozen=True, slots=True)
class Recoverable(Model):
    """A component where missing points can be recovered."""

    code: str
    name: str
    short_name: str
    points_lost: float | None
    gap_to_best: float
    recover_to_previous: float | None  # the fall since the previous year
    gap_to_mean: float | None = None  # below the group mean (survey indexes: their measure)


@dataclass(frozen=True, slots=True)
class TargetStep(Model):
    """A milestone measured on this year's results: the score that gained ``places`` places
    (the unit at ``rank``), or that reached the next rating group (``group``)."""

    kind: TargetKind  # PLACES or GROUP
    places: int | None
    rank: int | None
    group: str | None
    unit_at_rank: str | None
    score_needed: float
    points_missing: float


class SourceKind(StrEnum):
    RESTORE = "restore"  # components that fell, back to their previous-year score
    MEAN = "mean"  # components below the group mean, up to it


@dataclass(frozen=True, slots=True)
class TargetSource(Model):
    """Where the missing points can come from, in the unit of the index total: restoring the
    components that fell since ``previous_year``, or raising those below the group mean to
    it; ``rank`` is the place the new total would have had this year (whole group only)."""

    kind: SourceKind
    codes: tuple[str, ...]
    names: tuple[str, ...]
    gain: float
    new_score: float
    rank: int | None
    of: int | None
    covers: bool  # the gain alone reaches the target
    previous_year: int | None = None


@dataclass(frozen=True, slots=True)
class Target(Model):
    """The gap to the index's target of ``analysis.yaml``: the score that met it this year."""

    kind: TargetKind
    label: str
    rank: int | None
    group: str | None
    score_needed: float
    points_missing: float
    reached: bool
    basis_year: int
    unit_at_rank: str | None
    current_score: float
    current_rank: int | None
    places_to_gain: int
    recoverable: tuple[Recoverable, ...]
    recover_to_previous_total: float
    recover_to_previous_codes: tuple[str, ...]
    places: int | None = None  # kind places: the places to gain
    steps: tuple[TargetStep, ...] = ()  # k places up, the next rating group (not reached yet)
    sources: tuple[TargetSource, ...] = ()  # where the points can come from (additive index)

    @property
    def top_recoverable(self) -> tuple[Recoverable, ...]:
        """The components where most points can be recovered (at most three)."""
        return self.recoverable[:TOP_RECOVERABLE]


@dataclass(frozen=True, slots=True)
class IndexAnalysis(Model):
    """Everything about one index of the unit in the year."""

    OMIT_NONE: ClassVar[frozenset[str]] = frozenset(("criteria",))  # no criteria: no key

    index: str
    name: str
    short_name: str
    version: str
    year: int
    group: str
    unit: str  # unit of the total: "điểm", "%"
    component_unit: str
    component_word: str
    additive: bool
    coordinator: tuple[str, ...]
    total_derived: bool
    score: float
    max: float | None
    percent: float | None
    rank: int | None  # None: the group is incomplete and no rank is published
    of: int | None  # units of the group; None when unknown
    rank_published: bool
    rank_basis: Basis | None
    loaded: int
    peer_basis: Basis
    tied_with: tuple[str, ...]
    delta_score: float | None
    delta_rank: int | None
    direction: Direction | None
    rank_direction: Direction | None
    mixed: Mixed | None
    peer_mean: float
    peer_mean_percent: float | None
    peer_median: float
    gap_to_mean: float
    best_score: float
    best_unit: str
    gap_to_best: float
    previous: Previous | None
    methodology_changed: bool
    methodology_note: Note | None
    group_label: str | None
    rating: Rating | None
    peer: PeerStats
    peers: tuple[PeerRow, ...]
    history: tuple[HistoryPoint, ...]
    gap_to_mean_previous: float | None
    points_lost: float | None
    counts: Counts
    rating_counts: RatingCounts | None
    order: Orderings
    components: tuple[ComponentAnalysis, ...]
    strengths: tuple[str, ...]
    weaknesses: tuple[str, ...]
    strength_details: tuple[Detail, ...]
    weakness_details: tuple[Detail, ...]
    assessment: Assessment
    target: Target | None
    notes: tuple[Note, ...]
    method: str = "assessment"  # "survey" indexes get no self-assessment wording
    legal_basis: tuple[str, ...] = ()  # the framework's "Căn cứ" lines for this index
    missing_previous_year: int | None = None  # the year before, absent from the data
    loss_measure: str = "points"  # "points" lost against maxima, or the "gap" to the group
    remarks: tuple[str, ...] = ()  # the clerk's notes on this index's result (notes table)
    previous_basis: str | None = None  # see :attr:`Previous.basis`
    predecessors: tuple[str, ...] = ()  # the units it continues since :attr:`formed`
    formed: int | None = None  # the year it continues others (lineage), when after a result
    criteria: CriteriaAnalysis | None = None  # below the fields, when the data has criteria

    @property
    def position_third(self) -> int | None:
        """1, 2 or 3: the first, middle or last third of the group this year."""
        return third(self.rank, self.of)

    @property
    def size_changed(self) -> bool:
        """Both years ranked but in groups of different sizes (63 → 34): places are not
        compared, positions are given with their sizes and thirds."""
        prev = self.previous
        return (prev is not None and prev.rank is not None and prev.of is not None
                and self.rank is not None and self.delta_rank is None
                and prev.of != self.of and not self.methodology_changed)
    # the two categories beside strengths and weaknesses (see :class:`Category`), codes in
    # order of the size of the change
    progress: tuple[str, ...] = ()
    declines: tuple[str, ...] = ()

    # -- what the phrase files ask (derived from the fields) --

    def component(self, code: str) -> ComponentAnalysis | None:
        return next((c for c in self.components if c.code == code), None)

    @property
    def top_components(self) -> tuple[ComponentAnalysis, ...]:
        """The first level of the component tree (the one the charts and sentences look at)."""
        return tuple(c for c in self.components if c.level == 1)

    @property
    def top_strengths(self) -> tuple[ComponentAnalysis, ...]:
        """First-level strengths, framework order."""
        return tuple(c for c in self.top_components if c.is_strength)

    @property
    def top_strengths_by_percent(self) -> tuple[ComponentAnalysis, ...]:
        """First-level strengths, highest percent of the maximum first (ties: framework order)."""
        return tuple(sorted(self.top_strengths, key=lambda c: -(c.percent or 0.0)))

    @property
    def top_weaknesses(self) -> tuple[ComponentAnalysis, ...]:
        """First-level weaknesses, framework order."""
        return tuple(c for c in self.top_components if c.is_weakness)

    def _listed(self, codes: tuple[str, ...]) -> tuple[ComponentAnalysis, ...]:
        by_code = {c.code: c for c in self.components}
        return tuple(by_code[code] for code in codes if code in by_code)

    @property
    def strength_items(self) -> tuple[ComponentAnalysis, ...]:
        """The listed strengths (any level), highest percent first."""
        return self._listed(self.strengths)

    @property
    def weakness_items(self) -> tuple[ComponentAnalysis, ...]:
        """The listed weaknesses (any level), largest impact first."""
        return self._listed(self.weaknesses)

    @property
    def progress_items(self) -> tuple[ComponentAnalysis, ...]:
        """Components that improved without reaching a good level, largest gain first."""
        return self._listed(self.progress)

    @property
    def decline_items(self) -> tuple[ComponentAnalysis, ...]:
        """Components that fell markedly from a level that is not low, largest fall first."""
        return self._listed(self.declines)

    @property
    def most_lost(self) -> tuple[ComponentAnalysis, ...]:
        """The first-level components that lost most points (at most three), most first."""
        losing = [c for c in self.top_components if c.points_lost is not None and c.points_lost > 0]
        return tuple(sorted(losing, key=lambda c: -(c.points_lost or 0.0))[:MOST_LOST])

    @property
    def most_lost_points(self) -> float:
        """The points lost by :attr:`most_lost` together."""
        return rounded(sum(c.points_lost or 0.0 for c in self.most_lost)) or 0.0

    @property
    def most_lost_share(self) -> float | None:
        """:attr:`most_lost_points` as a percent of all the points lost."""
        if not self.points_lost:
            return None
        return rounded(100 * self.most_lost_points / self.points_lost)

    @property
    def most_below_mean(self) -> tuple[ComponentAnalysis, ...]:
        """The first-level components furthest below the group mean (at most three; only a
        mean of the whole group or a published one counts): the loss measure of a survey."""
        below = [c for c in self.top_components if c.gap_to_mean < 0
                 and c.peer_basis != Basis.SUBSET]
        return tuple(sorted(below, key=lambda c: c.gap_to_mean)[:MOST_LOST])

    def losing_parts(self, component: ComponentAnalysis) -> tuple[ComponentAnalysis, ...]:
        """The children of a component that lost points (framework order)."""
        return tuple(c for c in self.components if c.parent == component.code
                     and c.points_lost is not None and c.points_lost > 0)

    @property
    def lowest_component(self) -> ComponentAnalysis | None:
        """The first-level component with the lowest percent of its maximum."""
        ranked = self._by_percent()
        return ranked[0] if ranked else None

    @property
    def highest_component(self) -> ComponentAnalysis | None:
        """The first-level component with the highest percent (None when there are under two)."""
        ranked = self._by_percent()
        return ranked[-1] if len(ranked) > 1 else None

    @property
    def low_high_gap(self) -> float | None:
        """Score of :attr:`highest_component` − score of :attr:`lowest_component`."""
        low, high = self.lowest_component, self.highest_component
        return rounded(high.score - low.score) if low and high else None

    def _by_percent(self) -> list[ComponentAnalysis]:
        return sorted((c for c in self.top_components if c.percent is not None),
                      key=lambda c: c.percent or 0.0)

    @property
    def compared_components(self) -> tuple[ComponentAnalysis, ...]:
        """First-level components with a change since the previous year."""
        return tuple(c for c in self.top_components if c.delta_score is not None)

    @property
    def biggest_fall(self) -> ComponentAnalysis | None:
        """The first-level component whose score fell most (None when none fell)."""
        falls = [c for c in self.top_components if c.direction == Direction.DOWN]
        return min(falls, key=lambda c: c.delta_score or 0.0) if falls else None

    @property
    def biggest_rise(self) -> ComponentAnalysis | None:
        """The first-level component whose score rose most (None when none rose)."""
        rises = [c for c in self.top_components if c.direction == Direction.UP]
        return max(rises, key=lambda c: c.delta_score or 0.0) if rises else None

    @property
    def mixed_components(self) -> tuple[ComponentAnalysis, ...]:
        """First-level components whose score and rank moved in opposite directions."""
        return tuple(c for c in self.top_components if c.mixed is not None)

    @property
    def any_score_up_rank_down(self) -> bool:
        return any(c.mixed == Mixed.SCORE_UP_RANK_DOWN for c in self.mixed_components)

    @property
    def improved(self) -> bool:
        """The score rose and the rank did not fall."""
        return self.direction == Direction.UP and (self.delta_rank or 0) >= 0

    @property
    def declined(self) -> bool:
        """The score fell or the rank fell."""
        return self.direction == Direction.DOWN or (self.delta_rank or 0) < 0

    @property
    def above_mean(self) -> bool | None:
        """The score is at or above the peer mean (None when no mean can be stated)."""
        return None if self.peer.mean is None else self.score >= self.peer.mean

    @property
    def ranked(self) -> bool:
        """A rank can be stated: it is published or computed from the whole group, and the
        group has more than one unit."""
        return self.rank is not None and (self.of is None or self.of > 1)

    @property
    def peer_mean_compared(self) -> bool:
        """The peer mean can be compared with the previous year's (same methodology)."""
        return (self.peer.delta_mean is not None and self.previous is not None
                and not self.methodology_changed)

    @property
    def rating_changed(self) -> bool:
        """The unit moved to another rating group since the previous year (same methodology)."""
        return (self.rating is not None and bool(self.rating.previous_label)
                and self.rating.previous_label != self.rating.label
                and not self.methodology_changed)

    @property
    def peers_rose_faster(self) -> bool:
        """The peer mean rose more than the unit's score."""
        return (self.peer.delta_mean is not None and self.delta_score is not None
                and self.peer.delta_mean > self.delta_score)

    @property
    def rank_span(self) -> RankSpan | None:
        """Best and worst rank over the years of :attr:`history` under the report year's
        methodology (None under three such ranked years): "cao nhất của giai đoạn" never
        looks across a methodology change, nor across groups of different sizes (63 → 34)."""
        points = [h for h in self.history
                  if h.rank and h.version == self.version and h.comparable]
        if len(points) < RANK_SPAN_MIN_YEARS:
            return None
        ranks = [h.rank or 0 for h in points]
        best, worst = min(ranks), max(ranks)
        varied = best != worst
        return RankSpan(points[0].year, points[-1].year, best, worst,
                        varied and self.rank == best, varied and self.rank == worst)


# --- across indexes ------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Figures(Model):
    """The figures of a component (or of an index total) a responsibility or solution line cites."""

    index: str
    index_short_name: str
    additive: bool
    component_unit: str
    code: str
    name: str
    short_name: str
    score: float
    max: float | None
    percent: float | None
    rank: int | None
    of: int | None
    points_lost: float | None
    delta_score: float | None
    delta_rank: int | None
    direction: Direction | None
    rank_direction: Direction | None
    mixed: Mixed | None
    rating: str | None  # the rating label

    @property
    def ranked(self) -> bool:
        """A rank can be stated (published, or computed from the whole group of 2+ units)."""
        return self.rank is not None and (self.of is None or self.of > 1)


@dataclass(frozen=True, slots=True)
class ResponsibilityItem(Figures):
    """A weak item (a component, or a criterion when the analysis has them) in an agency's
    row of Bảng 5, with what it lost: points against its maximum (``loss_measure``
    "points") or its gap to the group mean (a survey index: "gap")."""

    shared_with: tuple[str, ...]  # the other bodies responsible for it (grouping "unit")
    loss_measure: str = "points"
    gap_to_mean: float | None = None  # score − group mean (None: no mean can be stated)
    level: str = "component"  # "component" | "criterion"
    first_lead: bool = True  # the row's agency is named first among the item's bodies
    field_name: str | None = None  # a criterion's field (short name)
    field_code: str | None = None  # a criterion's field (code)
    # a field's criteria that the same agency leads, folded into the field's line
    criteria: tuple[ResponsibilityItem, ...] = ()

    @property
    def places_lost(self) -> int:
        """Places fallen since the previous year (0 when it rose, held or cannot be compared)."""
        return max(0, -(self.delta_rank or 0))

    @property
    def gap_measured(self) -> bool:
        """A survey index: its loss is the gap to the group mean, never "điểm bị mất"."""
        return self.loss_measure == "gap"

    @property
    def lost(self) -> float:
        """Points lost (assessment) or points below the mean (survey); 0 when none."""
        if self.gap_measured:
            return max(0.0, -(self.gap_to_mean or 0.0))
        return self.points_lost or 0.0


class Demand(StrEnum):
    """What a Bảng 5 row asks its agency to explain, from its main item
    (:attr:`ResponsibilityRow.focus`); worded by ``yeu_cau`` of ``phrases/trach-nhiem.j2``."""

    FALL = "fall"  # the item fell places since the previous year
    LOSS = "loss"  # the item lost points against its maximum
    GAP = "gap"  # the item is below the group mean (survey index)
    LOW = "low"  # weak by another rule of analysis.yaml


@dataclass(frozen=True, slots=True)
class ResponsibilityRow(Model):
    """One accountable agency of Bảng 5: its weak items (each with its own loss), what it is
    asked to explain (``demand``) and the indexes it coordinates among those it is listed
    under (the Sở Nội vụ for PAR INDEX: its own responsibility is stated)."""

    unit: str | None  # None: the framework names no responsible body
    components: tuple[ResponsibilityItem, ...]  # components or criteria, in impact order
    points_lost: float
    places_lost: int
    points_lost_by_index: FrozenMap[str, float]
    indices: tuple[str, ...]
    demand: Demand = Demand.LOW
    coordinates: tuple[str, ...] = ()  # short names of the indexes it coordinates

    @property
    def assigned(self) -> bool:
        return self.unit is not None

    @property
    def focus(self) -> ResponsibilityItem | None:
        """The item whose loss the demand names (:func:`main_item`)."""
        return main_item(self.components)


def main_item(items: Iterable[ResponsibilityItem]) -> ResponsibilityItem | None:
    """The item an agency's demand names: one it leads (named first among the item's bodies)
    before one it co-leads — two agencies sharing an item are not both asked the same — then
    most places fallen, then most lost (points, or below the mean); None when there is none."""
    return max(items, key=lambda c: (c.first_lead, c.places_lost, c.lost), default=None)


class Deadline(FrozenMap[str, Any]):
    """A solution's deadline with its year: ``kind`` (quarter | date | ongoing | text) and
    ``quarter`` or ``day``/``month`` or ``text``, then ``year``. A read-only mapping (the
    ``deadline`` filter words it) with typed attributes."""

    __slots__ = ()

    @classmethod
    def of(cls, kind: DeadlineKind, year: int, quarter: int | None = None, day: int | None = None,
           month: int | None = None, text: str | None = None) -> Deadline:
        data: dict[str, Any] = {"kind": kind}
        if kind == DeadlineKind.QUARTER:
            data["quarter"] = quarter
        elif kind == DeadlineKind.DATE:
            data.update(day=day, month=month)
        elif kind == DeadlineKind.TEXT:
            data["text"] = text
        data["year"] = year
        return cls(data)

    @property
    def kind(self) -> DeadlineKind:
        return DeadlineKind(self["kind"])

    @property
    def year(self) -> int:
        return int(self["year"])

    @property
    def quarter(self) -> int | None:
        return self.get("quarter")

    @property
    def day(self) -> int | None:
        return self.get("day")

    @property
    def month(self) -> int | None:
        return self.get("month")

    @property
    def text(self) -> str | None:
        return self.get("text")


@dataclass(frozen=True, slots=True)
class SolutionItem(Figures):
    """One solution of section V: the component's figures, the library text, who, when."""

    kind: ActionKind
    maintain: bool
    from_library: bool
    text: str
    lead: tuple[str, ...]  # empty: the framework names no responsible body
    support: tuple[str, ...]
    deadline: Deadline
    grouped: bool = False  # worded with the index's other solutions as one item (analysis.yaml)


@dataclass(frozen=True, slots=True)
class Cause(Model):
    """A cause prompt of section III.3 (general ones have no index, code or name)."""

    OMIT_NONE: ClassVar[frozenset[str]] = frozenset(("unit",))

    index: str | None
    code: str | None
    name: str | None
    text: str
    # True: a generic text of the library, not a finding — printed only in a draft, marked
    # as a suggestion; False: written by the clerk (the notes table)
    suggested: bool = False
    unit: str | None = None  # the unit the clerk wrote it for (the group overview names it)


@dataclass(frozen=True, slots=True)
class Causes(Model):
    objective: tuple[Cause, ...]
    subjective: tuple[Cause, ...]


@dataclass(frozen=True, slots=True)
class RankOnly(Model):
    """An index for which the data gives the unit's published rank but not its score: the
    report states the rank and nothing a score would give."""

    index: str
    name: str
    short_name: str
    year: int
    group: str
    rank: int
    of: int | None  # units of the group, when known
    tied_with: tuple[str, ...]
    source: str


@dataclass(frozen=True, slots=True)
class UnitAnalysis(Model):
    """The analysis of one unit in one year (:func:`reportgen.analysis.unit.analyze_unit`)."""

    unit: str
    year: int
    action_year: int
    group: str | None
    groups: tuple[str, ...]
    indices: tuple[IndexAnalysis, ...]
    missing_indices: tuple[str, ...]  # short names
    missing_index_codes: tuple[str, ...]
    responsibility: tuple[ResponsibilityRow, ...]
    solutions: tuple[SolutionItem, ...]
    general_tasks: tuple[str, ...]
    causes: Causes
    notes: tuple[Note, ...]
    rank_only: tuple[RankOnly, ...] = ()
    remarks: tuple[str, ...] = ()  # the clerk's notes on the unit's results (notes table)

    def index(self, code: str) -> IndexAnalysis | None:
        return next((i for i in self.indices if i.index == code), None)


# --- a whole group (the overview report) ---------------------------------------------------------

@dataclass(frozen=True, slots=True)
class RankingRow(Model):
    """One unit's line of the group's ranking."""

    unit: str
    score: float
    percent: float | None
    rank: int
    previous_year: int | None
    previous_score: float | None
    previous_rank: int | None
    delta_score: float | None
    delta_rank: int | None
    direction: Direction | None
    rank_direction: Direction | None
    rating: str | None
    previous_rating: str | None
    methodology_changed: bool
    gap_to_mean: float  # score − the group's mean
    previous_basis: str | None = None  # whose result the previous one is (see Previous.basis)
    previous_method: str = ""  # how predecessors were combined (see Previous.method)

    @property
    def above_mean(self) -> bool:
        return self.gap_to_mean >= 0


@dataclass(frozen=True, slots=True)
class GroupStats(Model):
    """Mean, median, range and quartiles of the group; the previous year's mean."""

    mean: float
    median: float
    max: float
    min: float
    range: float
    stdev: float
    mean_percent: float | None
    quartiles: tuple[float, float, float] | None
    above_mean: int
    below_mean: int
    mean_previous: float | None
    count_previous: int | None
    delta_mean: float | None

    @property
    def mean_direction(self) -> Direction | None:
        """Up or down (no tolerance), steady only when exactly equal."""
        return _sign(self.delta_mean)


@dataclass(frozen=True, slots=True)
class GroupCounts(Model):
    """How many units rose, fell or held, in points, places and rating group."""

    total: int
    compared: int
    new: int
    up: int
    down: int
    same: int
    rank_up: int
    rank_down: int
    rank_same: int
    rating_up: int
    rating_down: int


@dataclass(frozen=True, slots=True)
class RatingGroupCount(Model):
    label: str
    description: str
    count: int
    units: tuple[str, ...]
    previous_count: int | None


@dataclass(frozen=True, slots=True)
class RatingSummary(Model):
    """Units per rating group this year and in the group's previous year."""

    kind: RatingKind
    groups: tuple[RatingGroupCount, ...]
    previous_year: int | None
    unrated: tuple[str, ...]

    @property
    def lowest_filled(self) -> RatingGroupCount | None:
        """The lowest group that has units, when units fall in more than one group."""
        filled = [g for g in self.groups if g.count]
        return filled[-1] if len(filled) > 1 else None


@dataclass(frozen=True, slots=True)
class ComponentOverview(Model):
    """The group's figures for one top-level component."""

    code: str
    name: str
    short_name: str
    max: float | None
    count: int
    mean: float
    median: float
    mean_percent: float | None
    min_percent: float | None
    max_percent: float | None
    spread_percent: float | None
    best_units: tuple[str, ...]
    best_score: float
    worst_units: tuple[str, ...]
    worst_score: float
    spread: float
    full_marks: int  # units at the maximum
    mean_previous: float | None
    delta_mean: float | None

    @property
    def max_decimals(self) -> int:
        """Decimals that write the maximum: 0 for a whole number, else 1."""
        return 0 if self.max is None or self.max == round(self.max) else 1


@dataclass(frozen=True, slots=True)
class Matrix(Model):
    """Units (ranking order) × top-level components: score and percent of the maximum."""

    units: tuple[str, ...]
    codes: tuple[str, ...]
    names: tuple[str, ...]
    score: tuple[tuple[float | None, ...], ...]
    percent: tuple[tuple[float | None, ...], ...]


@dataclass(frozen=True, slots=True)
class IndexOverview(Model):
    """One index of the group: ranking, statistics, rating groups, leaders, components."""

    index: str
    name: str
    short_name: str
    version: str
    year: int
    group: str
    unit: str
    max: float | None
    component_unit: str
    component_word: str
    additive: bool
    count: int
    of: int
    ranks_published: bool
    complete: bool  # every unit of the group is in the data (else ranked among those loaded)
    size: int | None  # the group's declared or known size, when there is one
    previous_year: int | None
    methodology_changed: bool
    previous_version: str | None
    stats: GroupStats
    rows: tuple[RankingRow, ...]
    counts: GroupCounts
    rating: RatingSummary | None
    best: tuple[RankingRow, ...]
    worst: tuple[RankingRow, ...]
    top: tuple[RankingRow, ...]
    bottom: tuple[RankingRow, ...]
    rises: tuple[RankingRow, ...]
    falls: tuple[RankingRow, ...]
    rank_gains: tuple[RankingRow, ...]
    rank_losses: tuple[RankingRow, ...]
    components: tuple[ComponentOverview, ...]
    matrix: Matrix
    legal_basis: tuple[str, ...] = ()  # the framework's "Căn cứ" lines
    criteria: tuple[CriterionOverview, ...] = ()  # most often lost first (#13)
    agencies: tuple[AgencyOverview, ...] = ()  # lead agencies of those criteria, most lost first

    # -- what the phrase files ask --

    def _by_mean_percent(self) -> list[ComponentOverview]:
        return sorted((c for c in self.components if c.mean_percent is not None),
                      key=lambda c: -(c.mean_percent or 0.0))

    @property
    def highest_mean_component(self) -> ComponentOverview | None:
        """The component with the highest mean percent (None under two components)."""
        ranked = self._by_mean_percent()
        return ranked[0] if len(ranked) > 1 else None

    @property
    def lowest_mean_component(self) -> ComponentOverview | None:
        ranked = self._by_mean_percent()
        return ranked[-1] if len(ranked) > 1 else None

    @property
    def widest_spread_component(self) -> ComponentOverview | None:
        """The component with the widest spread between units (when it has a worst unit)."""
        spread = [c for c in self.components if c.spread_percent is not None]
        if not spread:
            return None
        widest = max(spread, key=lambda c: c.spread_percent or 0.0)
        return widest if widest.worst_units else None

    @property
    def means_compared(self) -> bool:
        """Component means can be compared with the previous year's."""
        return bool(self.previous_year) and any(c.delta_mean is not None for c in self.components)

    @property
    def means_up(self) -> tuple[ComponentOverview, ...]:
        return tuple(c for c in self.components if c.delta_mean is not None and c.delta_mean > 0)

    @property
    def means_down(self) -> tuple[ComponentOverview, ...]:
        return tuple(c for c in self.components if c.delta_mean is not None and c.delta_mean < 0)


@dataclass(frozen=True, slots=True)
class GroupSolution(Model):
    """A solution of the group overview: for a component whose group mean is among the lowest,
    the library's text, who leads and supports it, by when."""

    index: str
    index_short_name: str
    code: str
    name: str
    short_name: str
    mean_percent: float | None
    text: str
    lead: tuple[str, ...]
    support: tuple[str, ...]
    deadline: Deadline


@dataclass(frozen=True, slots=True)
class GroupAnalysis(Model):
    """The analysis of a whole group in one year (:func:`reportgen.analysis.group.group_overview`)."""

    year: int
    group: str
    action_year: int
    units: tuple[str, ...]
    unit_count: int
    indices: tuple[IndexOverview, ...]
    causes: Causes = Causes((), ())  # the clerk's causes (notes table) for the group's units
    solutions: tuple[GroupSolution, ...] = ()


def _sign(delta: float | None) -> Direction | None:
    if delta is None:
        return None
    return Direction.UP if delta > 0 else Direction.DOWN if delta < 0 else Direction.STEADY


# --- criteria (issue #13): below the fields, any depth ------------------------------------------

@dataclass(frozen=True, slots=True)
class CriterionAnalysis(Model):
    """One criterion (tiêu chí, tiêu chí thành phần) of a field for the unit: its points, loss,
    change, place among the peers that have it, and the agencies that lead and support it."""

    code: str
    name: str
    parent: str
    depth: int  # 1: a criterion of the field, 2: a sub-criterion of a criterion, …
    score: float
    max: float | None
    percent: float | None
    points_lost: float | None  # max − score
    previous_score: float | None  # last year's (same methodology)
    delta_score: float | None
    group_mean: float | None  # the mean of the peers with this criterion
    gap_to_mean: float | None  # score − group mean
    rank: int | None
    of: int | None
    full: bool  # at its maximum
    first: bool  # first among the peers (complete group, several units)
    last: bool  # last among the peers
    lead: tuple[str, ...]
    support: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FieldCriteria(Model):
    """The criteria of one field (a top-level component) and what stands out among them."""

    code: str
    name: str
    short_name: str
    is_weakness: bool
    loss_measure: str  # "points" or "gap" (the framework's)
    criteria: tuple[CriterionAnalysis, ...]  # the whole subtree, depth-first
    by_loss: tuple[str, ...]  # first-level criteria, most lost first (points, or gap to mean)
    declined: tuple[str, ...]  # lost points against last year, most first
    full: tuple[str, ...]  # at full score
    first: tuple[str, ...]  # first among the peers
    last: tuple[str, ...]  # last among the peers
    points_lost: float | None  # the field's own (max − score), when known
    # the first criteria of by_loss that explain most of the field's loss: the ones section II
    # names and Bảng 5 assigns (one rule for both)
    explaining: tuple[str, ...] = ()

    def criterion(self, code: str) -> CriterionAnalysis:
        return next(c for c in self.criteria if c.code == code)

    @property
    def explaining_items(self) -> tuple[CriterionAnalysis, ...]:
        return tuple(self.criterion(code) for code in self.explaining)

    def loss(self, c: CriterionAnalysis) -> float:
        """What a criterion of this field lost: points (assessment), or its gap below the
        group mean (survey); 0 when none."""
        return criterion_loss(c, self.loss_measure)


def criterion_loss(c: CriterionAnalysis, loss_measure: str) -> float:
    """Points lost (``loss_measure`` "points"), or the gap below the group mean ("gap")."""
    if loss_measure == "gap":
        return max(0.0, -(c.gap_to_mean or 0.0))
    return c.points_lost or 0.0


@dataclass(frozen=True, slots=True)
class IndexPart(Model):
    """A named part of the index's total (PAR INDEX: appraisal / surveys) for the unit."""

    name: str
    codes: tuple[str, ...]
    score: float
    max: float | None
    percent: float | None


@dataclass(frozen=True, slots=True)
class CriteriaAnalysis(Model):
    """Everything below the fields of one index: per field its criteria, the parts of the
    total, and (surveys) the criteria with the highest and the lowest satisfaction."""

    fields: tuple[FieldCriteria, ...]
    parts: tuple[IndexPart, ...] = ()
    highest: tuple[str, ...] = ()  # criterion codes, highest percent first
    lowest: tuple[str, ...] = ()  # lowest percent first

    def all(self) -> tuple[CriterionAnalysis, ...]:
        return tuple(c for f in self.fields for c in f.criteria)

    def by_agency(self) -> FrozenMap[str, tuple[str, ...]]:
        """Each lead agency → the codes of the criteria it leads (data order): what the
        accountability table lists per agency."""
        out: dict[str, list[str]] = {}
        for c in self.all():
            for agency in c.lead:
                out.setdefault(agency, []).append(c.code)
        return FrozenMap({a: tuple(codes) for a, codes in out.items()})


@dataclass(frozen=True, slots=True)
class CriterionOverview(Model):
    """One criterion across a group (overview report): how many units lost points on it, the
    mean points lost per unit, the agency that leads it."""

    code: str
    name: str
    field: str  # the code of its field
    max: float | None
    units: int  # units of the group with a score on it
    losing: int  # … of which below its maximum
    mean_lost: float | None  # mean of (maximum − score) over those units
    lead: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AgencyOverview(Model):
    """One lead agency across a group: its criteria and what the group lost on them."""

    agency: str
    criteria: tuple[str, ...]  # codes, most lost first
    losses: int  # (unit, criterion) pairs below the maximum
    mean_lost: float  # points lost per unit, summed over its criteria
