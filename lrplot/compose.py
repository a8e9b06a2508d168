"""Composite schedules built from other schedules: ``sequence`` and ``chain``.

Both are pure numpy over whole step arrays (one pass per part, never one per step), take
finished :class:`Schedule` objects and return one, so they nest freely: a sequence of chains,
a chain containing a sequence, and so on. :func:`join` is the one prefix-join primitive
(optax's ``join_schedules``): ``sequence`` and every family's warmup prefix are built on it.
Config files reach the composites through ``name = "sequence"`` / ``name = "chain"`` tables
with ``parts``; :data:`COMPOSITES` holds their table builders and help.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import pairwise
from typing import TYPE_CHECKING, Any

import numpy as np

from lrplot.core import Event, Schedule, Series, series_at
from lrplot.errors import LrplotError, within
from lrplot.params import INTS, Param
from lrplot.spec import show_value

if TYPE_CHECKING:  # definition imports this module for join()
    from lrplot.definition import Context

StepFn = Callable[[np.ndarray], np.ndarray]
# build_part(table, where, ctx) resolves one part table through the registry, which the
# modules that define composites cannot import.
PartBuilder = Callable[[Any, str, "Context"], Schedule]


@dataclass(frozen=True)
class Composite:
    """A schedule whose parts are schedule tables: ``sequence``, ``chain``, torch's two.

    ``keys`` are the table keys it takes besides ``name``, ``label`` and ``metric``, with
    their meaning; the rest is what ``lrplot describe`` and ``lrplot list`` show.
    ``build(table, parts, where, ctx, label, build_part)`` makes the schedule.
    """

    name: str
    summary: str
    formula: str
    keys: tuple[tuple[str, str], ...]
    example: str
    notes: str
    build: Callable[..., Schedule]

    @property
    def key_names(self) -> tuple[str, ...]:
        return tuple(key for key, _ in self.keys)


def join(parts: Sequence[StepFn], starts: Sequence[int]) -> StepFn:
    """Part k on global steps ``starts[k] <= t < starts[k+1]``, seeing ``t - starts[k]``.

    The one join of the package (optax ``join_schedules``): *starts* begins at 0 and
    increases; the last part runs forever. A chunk of steps that falls in one part (most
    chunks of a long run) is evaluated without any masking.
    """
    parts = list(parts)
    offsets = [int(s) for s in starts]
    cuts = np.asarray(offsets[1:], dtype=np.int64)

    def fn(steps: np.ndarray) -> np.ndarray:
        if steps.size == 0:
            return np.zeros(steps.shape)
        which = np.searchsorted(cuts, steps, side="right")
        first, last = int(which.min()), int(which.max())
        if first == last:
            return parts[first](steps - offsets[first])
        out = np.empty(steps.shape, dtype=np.float64)
        for index in range(first, last + 1):
            here = which == index
            if here.any():
                out[here] = parts[index](steps[here] - offsets[index])
        return out

    return fn


def check_boundaries(boundaries: Sequence[int], parts: int, owner: str = "sequence") -> None:
    """Raise unless *boundaries* fit *parts* parts: one fewer, each ≥ 1, strictly increasing."""
    if parts < 1:
        raise LrplotError(f"{owner}: parts must hold at least one schedule")
    if len(boundaries) != parts - 1:
        raise LrplotError(
            f"{owner}: boundaries needs exactly one entry fewer than parts (got {parts} parts "
            f"and {len(boundaries)} boundaries {list(boundaries)})"
        )
    if boundaries and boundaries[0] < 1:
        raise LrplotError(f"{owner}: boundaries must be ≥ 1, got {list(boundaries)}")
    if any(b >= c for b, c in pairwise(boundaries)):
        raise LrplotError(f"{owner}: boundaries must increase strictly, got {list(boundaries)}")


def sequence(parts: Sequence[Schedule], boundaries: Sequence[int],
             label: str = "sequence") -> Schedule:
    """Parts joined at *boundaries*, each part restarting at its own step 0.

    Part ``k`` runs on global steps ``boundaries[k-1] <= t < boundaries[k]`` and sees local
    step ``t - boundaries[k-1]`` (optax ``join_schedules``, torch ``SequentialLR``), so a
    cosine part starts again from its peak whatever the previous part ended at. The last part
    runs forever. Natural length: the last boundary plus the last part's length; when the last
    part has no end, the last boundary plus the length of the segment before it (so it shows
    as long as its predecessor). Events: each join (``"phase"``) and every part's own events
    inside its segment.
    """
    parts = list(parts)
    starts = [0, *(int(b) for b in boundaries)]
    check_boundaries(starts[1:], len(parts))
    fn = join(parts, starts)

    def events(n: int) -> list[Event]:
        found: list[Event] = []
        ends = [*starts[1:], None]
        for index, (part, start, end) in enumerate(zip(parts, starts, ends)):
            if start >= n:
                break
            if index:
                found.append(Event(start, "phase"))
            stop = n if end is None else min(end, n)
            found += [Event(start + e.step, e.kind) for e in part.events(stop - start)
                      if 0 <= e.step < stop - start]
        return found

    last = parts[-1].length
    if last is None:
        last = starts[-1] - starts[-2] if len(starts) > 1 else None
    length = None if last is None else starts[-1] + last
    metric = _joined_metric(parts, starts)
    return Schedule(
        label=label, fn=fn, length=length, events=events, name="sequence",
        params={"boundaries": tuple(starts[1:]), "parts": tuple(p.label for p in parts)},
        metric=metric, metric_label=_metric_label(parts),
    )


def chain(parts: Sequence[Schedule], label: str = "chain") -> Schedule:
    """The product of the parts' values at every step, like torch ``ChainedScheduler``.

    All parts see the same global step. Give one part the learning rate and make the others
    factors around 1: ``constant:lr=1,warmup=500`` is a 0→1 warmup multiplier,
    ``step:lr=1,step_size=1000,gamma=0.5`` halves whatever it multiplies every 1000 steps.
    Natural length: the longest part's; events: every part's.
    """
    parts = list(parts)
    if not parts:
        raise LrplotError("chain: parts must hold at least one schedule")

    def fn(steps: np.ndarray) -> np.ndarray:
        out = np.ones(steps.shape, dtype=np.float64)
        for part in parts:
            out *= part(steps)
        return out

    def events(n: int) -> list[Event]:
        seen = {(e.step, e.kind): e for part in parts for e in part.events(n)}
        return sorted(seen.values(), key=lambda e: e.step)

    lengths = [p.length for p in parts if p.length is not None]
    metric_part = next((p for p in parts if p.metric is not None), None)
    return Schedule(
        label=label, fn=fn, length=max(lengths) if lengths else None, events=events,
        name="chain", params={"parts": tuple(p.label for p in parts)},
        metric=None if metric_part is None else metric_part.metric,
        metric_label=_metric_label(parts),
    )


def _joined_metric(parts: list[Schedule], starts: list[int]) -> np.ndarray | Series | None:
    """The metric on global steps: each metric-driven part's series placed at its segment.

    Steps no part's metric covers are NaN, which plots as a gap. Computed series (the
    synthetic loss) stay computed: the join is a :class:`~lrplot.core.Series` then.
    """
    if all(p.metric is None for p in parts):
        return None
    ends: list[int | None] = [*starts[1:], None]
    sizes = [len(p.metric) if p.metric is not None and end is None else
             (end - start if end is not None else 0)
             for p, start, end in zip(parts, starts, ends)]
    if any(isinstance(p.metric, Series) for p in parts):
        metrics = [p.metric for p in parts]

        def at(steps: np.ndarray) -> np.ndarray:
            out = np.full(steps.shape, np.nan)
            for metric, start, size in zip(metrics, starts, sizes):
                if metric is None:
                    continue
                here = (steps >= start) & (steps < start + min(size, len(metric)))
                if here.any():
                    out[here] = series_at(metric, steps[here] - start)
            return out

        return Series(starts[-1] + sizes[-1], at)
    pieces = []
    for part, size, end in zip(parts, sizes, ends):
        if part.metric is None:
            pieces.append(np.full(size, np.nan))
        else:
            own = np.asarray(part.metric, dtype=np.float64)
            pieces.append(own if end is None else _fit(own, size))
    return np.concatenate(pieces)


def _fit(values: np.ndarray, size: int) -> np.ndarray:
    if len(values) >= size:
        return values[:size]
    return np.concatenate([values, np.full(size - len(values), np.nan)])


def _metric_label(parts: list[Schedule]) -> str:
    return next((p.metric_label for p in parts if p.metric is not None), "metric")


# ---- the config-file tables: name = "sequence" / "chain" with parts ------------------------

BOUNDARIES = Param("boundaries", INTS, low=1)


def sequence_table(table: Mapping[str, Any], parts: list[Any], where: str, ctx: Context,
                   label: str | None, build_part: PartBuilder) -> Schedule:
    """A ``sequence`` table: each part resolved as if the run were its own segment."""
    with within(where):
        bounds = list(BOUNDARIES.coerce(table.get("boundaries", ()), "sequence"))
        check_boundaries(bounds, len(parts))
    starts = [0, *bounds]
    built = []
    for index, part in enumerate(parts):
        # decay_steps and other lengths default to the part's share of the run, and a
        # metric starts where the part starts.
        start = starts[index]
        end = starts[index + 1] if index + 1 < len(starts) else None
        if ctx.steps is not None:  # a segment past the end of the run is cut there
            end = ctx.steps if end is None else min(end, ctx.steps)
        steps = end - start if end is not None and end > start else None
        metric = ctx.metric[start:] if ctx.metric is not None else None
        if metric is not None and not len(metric):
            metric = None
        part_ctx = replace(ctx, steps=steps, metric=metric)
        built.append(build_part(part, f"{where}.parts[{index}]", part_ctx))
    text = label or "sequence(" + ", ".join(
        f"{part.name or part.label}@{start}" for part, start in zip(built, starts)) + ")"
    return sequence(built, bounds, label=text)


def chain_table(table: Mapping[str, Any], parts: list[Any], where: str, ctx: Context,
                label: str | None, build_part: PartBuilder) -> Schedule:
    """A ``chain`` table: every part sees the whole run."""
    built = [build_part(part, f"{where}.parts[{index}]", ctx)
             for index, part in enumerate(parts)]
    text = label or "chain(" + " × ".join(p.name or p.label for p in built) + ")"
    return chain(built, label=text)


def _composites() -> list[Composite]:
    return [
        Composite(
            "sequence", "Parts joined at boundaries, each restarting at its own step 0.",
            "part k's value at t − boundaries[k−1], for boundaries[k−1] ≤ t < boundaries[k]",
            (("parts", "schedule tables (families, dialects, composites), one more than "
                       "boundaries"),
             ("boundaries", "steps where the next part starts: increasing integers ≥ 1")),
            _SEQUENCE_EXAMPLE,
            "Like optax.join_schedules. Inside a sequence each part is resolved as if the run "
            "were its own segment, so decay_steps and other lengths default to the part's "
            "share. The last part runs to the end.",
            sequence_table,
        ),
        Composite(
            "chain", "Parts multiplied, every part seeing the same step.",
            "part₁(t) · part₂(t) · …",
            (("parts", "schedule tables; give one the lr and make the others factors around "
                       "1"),),
            _CHAIN_EXAMPLE,
            "Like torch ChainedScheduler over closed forms. Parts nest: a chain may hold a "
            "sequence and the other way round.",
            chain_table,
        ),
    ]


_SEQUENCE_EXAMPLE = """[[schedule]]
name = "sequence"
boundaries = [100, 600]
parts = [
  { name = "linear", lr = 0, end_lr = 3e-4, decay_steps = 100 },
  { name = "constant", lr = 3e-4 },
  { name = "cosine", lr = 3e-4 },
]"""

_CHAIN_EXAMPLE = """[[schedule]]
name = "chain"
parts = [
  { name = "constant", lr = 1, warmup = 500 },   # a 0 → 1 warmup multiplier
  { name = "cosine", lr = 3e-4 },
]"""


COMPOSITES = _composites()


def composite_parts(table: Mapping[str, Any], where: str, name: str,
                    allowed: tuple[str, ...], part: str) -> list[Any]:
    """A composite table's ``parts`` list, once its keys are all in *allowed*.

    *part* names what one part is (``schedule table``, ``torch scheduler``) in the error.
    """
    for key in table:
        if key not in allowed:
            raise LrplotError(f"{where}: {name}: unknown key {key!r}; allowed: "
                              f"{', '.join(allowed)}")
    parts = table.get("parts")
    if not isinstance(parts, list) or not parts:
        shown = show_value(parts) if "parts" in table else "none"
        raise LrplotError(f"{where}: {name} needs parts: a list of at least one {part}, "
                          f"got {shown}")
    return parts

