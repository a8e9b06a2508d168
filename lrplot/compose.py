"""Composite schedules built from other schedules: ``sequence`` and ``chain``.

Both are pure numpy over whole step arrays (one pass per part, never one per step), take
finished :class:`Schedule` objects and return one, so they nest freely: a sequence of chains,
a chain containing a sequence, and so on. Config files reach them through ``name =
"sequence"`` / ``name = "chain"`` tables with ``parts`` (see :mod:`lrplot.config`).

The end of the module replays torch ``SequentialLR``/``ChainedScheduler`` nested inside each
other, which is stateful and therefore stepped one step at a time.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Mapping, Sequence
from itertools import pairwise
from typing import Any

import numpy as np

from lrplot.errors import LrplotError
from lrplot.schedule import Event, Schedule


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
    cuts = np.asarray(starts[1:], dtype=np.int64)

    def fn(steps: np.ndarray) -> np.ndarray:
        which = np.searchsorted(cuts, steps, side="right")
        out = np.empty(steps.shape, dtype=np.float64)
        for index, (part, start) in enumerate(zip(parts, starts)):
            here = which == index
            if here.any():
                out[here] = part(steps[here] - start)
        return out

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


def _joined_metric(parts: list[Schedule], starts: list[int]) -> np.ndarray | None:
    """The metric on global steps: each metric-driven part's series placed at its segment.

    Steps no part's metric covers are NaN, which plots as a gap.
    """
    if all(p.metric is None for p in parts):
        return None
    pieces = []
    for index, (part, start) in enumerate(zip(parts, starts)):
        end = starts[index + 1] if index + 1 < len(starts) else None
        if part.metric is None:
            size = (end - start) if end is not None else 0
            pieces.append(np.full(size, np.nan))
        else:
            own = np.asarray(part.metric, dtype=np.float64)
            pieces.append(own if end is None else _fit(own, end - start))
    return np.concatenate(pieces)


def _fit(values: np.ndarray, size: int) -> np.ndarray:
    if len(values) >= size:
        return values[:size]
    return np.concatenate([values, np.full(size - len(values), np.nan)])


def _metric_label(parts: list[Schedule]) -> str:
    return next((p.metric_label for p in parts if p.metric is not None), "metric")


# ---- torch SequentialLR / ChainedScheduler nested inside each other ------------------------
#
# torch lets these composites hold each other (SequentialLR's recursive_undo walks nested
# ``_schedulers``), and a nested one behaves in ways no closed form captures, so it is
# replayed step by step. The leaves are step-by-step torch schedulers (``initial_step``,
# ``step``, ``update_lr(epoch)``, ``last_epoch``); these two classes are the composites,
# transcribed from torch/optim/lr_scheduler.py (torch 2.x).


class TorchSequential:
    """torch ``SequentialLR`` whose parts may themselves be composites."""

    def __init__(self, group: dict, schedulers: list, milestones: list[int],
                 on_switch: Callable[[], None]) -> None:
        self.schedulers, self.milestones, self.on_switch = schedulers, milestones, on_switch
        self.last_epoch = 0
        group["lr"] = group["initial_lr"]
        for scheduler in schedulers:  # torch's recursive_undo
            _undo(scheduler)
        self.schedulers[bisect_right(milestones, 0)].initial_step()

    def initial_step(self) -> None:
        # torch's _initial_step on a composite is one ordinary step(): when this is the first
        # part of an outer SequentialLR it runs one epoch ahead of the outer count.
        self.step()

    def step(self) -> None:
        self.last_epoch += 1
        index = bisect_right(self.milestones, self.last_epoch)
        scheduler = self.schedulers[index]
        if index > 0 and self.milestones[index - 1] == self.last_epoch:
            self.on_switch()
            scheduler.update_lr(0)
        else:
            scheduler.step()

    def update_lr(self, epoch: int) -> None:
        raise LrplotError(_RESTART_COMPOSITE)


class TorchChained:
    """torch ``ChainedScheduler`` whose parts may themselves be composites."""

    def __init__(self, schedulers: list) -> None:
        self.schedulers = schedulers

    def initial_step(self) -> None:
        self.step()

    def step(self) -> None:
        for scheduler in self.schedulers:
            scheduler.step()

    def update_lr(self, epoch: int) -> None:
        raise LrplotError(_RESTART_COMPOSITE)


# At a milestone SequentialLR calls part._update_lr(0); on a composite that reaches
# LRScheduler.get_lr, which raises NotImplementedError.
_RESTART_COMPOSITE = ("torch.SequentialLR cannot start a nested SequentialLR or "
                      "ChainedScheduler at a milestone (torch raises NotImplementedError); "
                      "only its first part can be one")


def _undo(scheduler: Any) -> None:
    if isinstance(scheduler, (TorchSequential, TorchChained)):
        for inner in scheduler.schedulers:
            _undo(inner)
    else:
        scheduler.last_epoch -= 1


def torch_replay(name: str, label: str, lr: float,
                 make: Callable[[dict, Callable[[], None]], Any], length: int | None,
                 params: Mapping[str, Any]) -> Schedule:
    """A schedule whose row t is the optimizer lr after t steps of ``make(group, on_switch)``.

    Values are replayed once and cached; ``on_switch`` marks a SequentialLR milestone as a
    ``"phase"`` event at the row it produces.
    """
    rows = np.empty(0, dtype=np.float64)
    filled = 0
    switches: list[int] = []
    state: dict[str, Any] = {}

    def extend(upto: int) -> np.ndarray:
        nonlocal rows, filled
        if upto < filled:
            return rows
        if not state:
            group: dict[str, Any] = {"lr": lr}
            state["group"] = group
            state["driver"] = make(group, lambda: switches.append(filled))
            rows = np.empty(64, dtype=np.float64)
            rows[0], filled = group["lr"], 1
        group, driver = state["group"], state["driver"]
        if upto >= len(rows):
            rows = np.concatenate([rows[:filled], np.empty(max(upto + 1, 2 * len(rows)))])
        while filled <= upto:
            driver.step()
            rows[filled] = group["lr"]
            filled += 1
        return rows

    def fn(steps: np.ndarray) -> np.ndarray:
        if steps.size == 0:
            return np.zeros(steps.shape)
        return extend(int(steps.max()))[steps]

    def events(n: int) -> list[Event]:
        if n > 1:
            extend(n - 1)
        return [Event(s, "phase") for s in sorted(set(switches)) if 0 < s < n]

    return Schedule(label=label, fn=fn, length=length, events=events, name=name,
                    params=dict(params))
