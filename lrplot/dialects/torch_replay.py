"""A step-by-step transcription of PyTorch's lr schedulers, for SequentialLR and ChainedScheduler.

Composites are where torch's statefulness shows: every sub-scheduler's constructor steps the
shared optimizer lr, chainable schedulers multiply whatever lr they find, SequentialLR resets
the lr to ``initial_lr`` and restarts each part at its own epoch 0, and the composites nest
(SequentialLR's ``recursive_undo`` walks nested ``_schedulers``). Closed forms cannot express
that, so this module replays ``torch/optim/lr_scheduler.py`` (torch 2.x, the ``_is_initial``
form) on one param group, in the same float operations and order, and :func:`replay` turns
the stepping into a :class:`~lrplot.core.Schedule`. This is the one place torch's composites
are computed; :mod:`lrplot.dialects.torch` builds the tree from config tables.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from lrplot.anneal import anneal, onecycle_ends, phase_values
from lrplot.core import Event, Schedule
from lrplot.dialects.torch_ops import BlockReplay, Ops, Piece, Sink
from lrplot.errors import LrplotError


class Group(dict):
    """The optimizer's single param group: ``lr``, ``initial_lr`` and friends."""


class Scheduler:
    """One torch scheduler on the shared param group.

    ``step()`` is torch's step on a float lr (construction and the reference replay);
    ``bulk(k, row, sink)`` is the same k steps at once as an :class:`Ops` stream of updates
    (see :mod:`lrplot.dialects.torch_ops`), vectorised over the epochs they reach.
    """

    has_closed_form = True
    width = 1

    def __init__(self, group: Group) -> None:
        self.group = group
        group.setdefault("initial_lr", group["lr"])
        self.base_lr = group["initial_lr"]
        self.last_epoch = -1
        self.is_initial = False
        self.initial_step()

    def initial_step(self) -> None:
        self.is_initial = True
        self.step()
        self.is_initial = False

    def step(self) -> None:
        self.update_lr(None)

    def update_lr(self, epoch: int | None) -> None:
        if epoch is None:
            self.last_epoch += 1
            value = self.get_lr()
        else:
            self.last_epoch = epoch
            value = self.closed_form() if self.has_closed_form else self.get_lr()
        self.group["lr"] = value

    def get_lr(self) -> float:
        raise NotImplementedError

    def closed_form(self) -> float:
        raise NotImplementedError

    def bulk(self, steps: int, row: int, sink: Sink, values: bool = True) -> Ops | None:
        """``step()`` *steps* times; rows row..row+steps-1 get the updates returned."""
        epochs = np.arange(self.last_epoch + 1, self.last_epoch + 1 + steps, dtype=np.int64)
        self.last_epoch += steps
        return self.updates(epochs, row, sink) if values else None

    def updates(self, epochs: np.ndarray, row: int, sink: Sink) -> Ops:
        """What ``get_lr`` does at each of *epochs* (ordinary steps, not the initial one)."""
        raise NotImplementedError

    def restart(self, row: int, sink: Sink) -> float:
        """SequentialLR's ``_update_lr(0)`` on this part at *row*: the lr it sets."""
        try:
            self.update_lr(0)
        except LrplotError as err:
            sink.fail(row, err.message)
            return math.nan
        return float(self.group["lr"])


class StepLR(Scheduler):
    def __init__(self, group, step_size, gamma=0.1):
        self.step_size, self.gamma = step_size, gamma
        super().__init__(group)

    def get_lr(self):
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return self.group["lr"]
        return self.group["lr"] * self.gamma

    def closed_form(self):
        return self.base_lr * self.gamma ** (self.last_epoch // self.step_size)

    def updates(self, epochs, row, sink):
        decays = (epochs != 0) & (epochs % self.step_size == 0)
        return Ops.multiply(np.where(decays, self.gamma, 1.0))


class MultiStepLR(Scheduler):
    def __init__(self, group, milestones, gamma=0.1):
        self.milestones, self.gamma = Counter(milestones), gamma
        super().__init__(group)

    def get_lr(self):
        if self.last_epoch not in self.milestones:
            return self.group["lr"]
        return self.group["lr"] * self.gamma ** self.milestones[self.last_epoch]

    def closed_form(self):
        ordered = sorted(self.milestones.elements())
        return self.base_lr * self.gamma ** bisect_right(ordered, self.last_epoch)

    def updates(self, epochs, row, sink):
        factors = np.ones(len(epochs))
        first = int(epochs[0]) if len(epochs) else 0
        for milestone, count in self.milestones.items():
            if first <= milestone < first + len(epochs):
                factors[milestone - first] = self.gamma ** count
        return Ops.multiply(factors)


class ConstantLR(Scheduler):
    def __init__(self, group, factor=1.0 / 3, total_iters=5):
        self.factor, self.total_iters = factor, total_iters
        super().__init__(group)

    def get_lr(self):
        if self.last_epoch == 0:
            return self.group["lr"] * self.factor
        if self.last_epoch != self.total_iters:
            return self.group["lr"]
        if self.factor == 0:
            raise LrplotError("torch.ConstantLR: factor=0 makes torch divide by zero at "
                              f"total_iters={self.total_iters}")
        return self.group["lr"] * (1.0 / self.factor)

    def closed_form(self):
        return self.base_lr * (self.factor + (self.last_epoch >= self.total_iters)
                               * (1 - self.factor))

    def updates(self, epochs, row, sink):
        factors = np.ones(len(epochs))
        restore = np.flatnonzero((epochs == self.total_iters) & (epochs != 0))
        if restore.size and self.factor == 0:
            sink.fail(row + int(restore[0]), "torch.ConstantLR: factor=0 makes torch divide "
                      f"by zero at total_iters={self.total_iters}")
            factors[restore] = math.nan
        elif restore.size:
            factors[restore] = 1.0 / self.factor
        factors[epochs == 0] = self.factor
        return Ops.multiply(factors)


class LinearLR(Scheduler):
    def __init__(self, group, start_factor=1.0 / 3, end_factor=1.0, total_iters=5):
        self.start, self.end, self.total_iters = start_factor, end_factor, total_iters
        super().__init__(group)

    def get_lr(self):
        if self.last_epoch == 0:
            return self.group["lr"] * self.start
        if self.is_initial or self.last_epoch > self.total_iters:
            return self.group["lr"]
        return self.group["lr"] * (1.0 + (self.end - self.start) / (
            self.total_iters * self.start + (self.last_epoch - 1) * (self.end - self.start)))

    def closed_form(self):
        return self.base_lr * (self.start + (self.end - self.start)
                               * min(self.total_iters, self.last_epoch) / self.total_iters)

    def updates(self, epochs, row, sink):
        factors = np.ones(len(epochs))
        ramp = (epochs > 0) & (epochs <= self.total_iters)
        change = self.end - self.start
        factors[ramp] = 1.0 + change / (self.total_iters * self.start
                                        + (epochs[ramp] - 1) * change)
        factors[epochs == 0] = self.start
        return Ops.multiply(factors)


class ExponentialLR(Scheduler):
    def __init__(self, group, gamma):
        self.gamma = gamma
        super().__init__(group)

    def get_lr(self):
        if self.is_initial:
            return self.group["lr"]
        return self.group["lr"] * self.gamma

    def closed_form(self):
        return self.base_lr * self.gamma ** self.last_epoch

    def updates(self, epochs, row, sink):
        return Ops.multiply(np.full(len(epochs), float(self.gamma)))


class PolynomialLR(Scheduler):
    def __init__(self, group, total_iters=5, power=1.0):
        self.total_iters, self.power = total_iters, power
        super().__init__(group)

    def get_lr(self):
        if self.is_initial or self.last_epoch > self.total_iters:
            return self.group["lr"]
        factor = ((1.0 - self.last_epoch / self.total_iters)
                  / (1.0 - (self.last_epoch - 1) / self.total_iters)) ** self.power
        return self.group["lr"] * factor

    def closed_form(self):
        return self.base_lr * (1.0 - min(self.total_iters, self.last_epoch)
                               / self.total_iters) ** self.power

    def updates(self, epochs, row, sink):
        factors = np.ones(len(epochs))
        decay = epochs <= self.total_iters
        t = epochs[decay]
        with np.errstate(divide="ignore", invalid="ignore"):
            factors[decay] = ((1.0 - t / self.total_iters)
                              / (1.0 - (t - 1) / self.total_iters)) ** self.power
        return Ops.multiply(factors)


class CosineAnnealingLR(Scheduler):
    def __init__(self, group, T_max, eta_min=0.0):
        self.T_max, self.eta_min = T_max, eta_min
        self.step_count = 0
        super().__init__(group)

    def initial_step(self):
        self.step_count = 0
        super().initial_step()

    def step(self):
        self.step_count += 1
        super().step()

    def get_lr(self):
        t, lr, eta, base = self.last_epoch, self.group["lr"], self.eta_min, self.base_lr
        if self.is_initial:
            return lr
        if self.step_count == 1 and t > 0:
            return eta + (base - eta) * (1 + math.cos(t * math.pi / self.T_max)) / 2
        if (t - 1 - self.T_max) % (2 * self.T_max) == 0:
            return lr + (base - eta) * (1 - math.cos(math.pi / self.T_max)) / 2
        return ((1 + math.cos(math.pi * t / self.T_max))
                / (1 + math.cos(math.pi * (t - 1) / self.T_max)) * (lr - eta) + eta)

    def closed_form(self):
        return self.eta_min + (self.base_lr - self.eta_min) * (
            1 + math.cos(math.pi * self.last_epoch / self.T_max)) / 2

    def bulk(self, steps, row, sink, values=True):
        counts = np.arange(self.step_count + 1, self.step_count + 1 + steps, dtype=np.int64)
        epochs = np.arange(self.last_epoch + 1, self.last_epoch + 1 + steps, dtype=np.int64)
        self.step_count += steps
        self.last_epoch += steps
        return self._cosine_updates(epochs, counts) if values else None

    def _cosine_updates(self, epochs: np.ndarray, counts: np.ndarray) -> Ops:
        T, eta, base = self.T_max, self.eta_min, self.base_lr
        first, k = int(epochs[0]), len(epochs)
        # cos(pi*t/T) for t-1 and t: each value is torch's numerator once, denominator once.
        cos = np.cos(math.pi * np.arange(first - 1, first + k, dtype=np.float64) / T)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = (1 + cos[1:]) / (1 + cos[:-1])
        # Past an odd multiple of T_max torch adds instead (its denominator would be 0).
        jumps = np.arange((T + 1 - first) % (2 * T), k, 2 * T)
        closed = counts[0] == 1 and first > 0  # the only step with _step_count == 1
        if closed:
            jumps = jumps[jumps > 0]
        rise = (base - eta) * (1 - math.cos(math.pi / T)) / 2
        if len(jumps) > 16:  # a short T_max: one stream of all three kinds of update
            a, e, b = ratio.copy(), np.full(k, float(eta)), np.zeros(k)
            a[jumps], e[jumps], b[jumps] = 1.0, 0.0, rise
            if closed:
                a[0], e[0], b[0] = 0.0, 0.0, eta + (base - eta) * (1 + cos[1]) / 2
            return Ops([Piece(a.reshape(-1, 1), e.reshape(-1, 1), b.reshape(-1, 1))])
        parts = []
        begin = 0
        if closed:
            parts.append(Ops.assign([eta + (base - eta) * (1 + cos[1]) / 2]))
            begin = 1
        for jump in jumps.tolist():
            parts += [Ops.cosine(ratio[begin:jump], eta), Ops.add([rise])]
            begin = jump + 1
        parts.append(Ops.cosine(ratio[begin:], eta))
        return Ops.stack(parts)


class CosineAnnealingWarmRestarts(Scheduler):
    has_closed_form = False

    def __init__(self, group, T_0, T_mult=1, eta_min=0.0):
        self.T_0, self.T_i, self.T_mult, self.eta_min = T_0, T_0, T_mult, eta_min
        self.T_cur = -1
        super().__init__(group)

    def get_lr(self):
        return self.eta_min + (self.base_lr - self.eta_min) * (
            1 + math.cos(math.pi * self.T_cur / self.T_i)) / 2

    def step(self):
        if self.last_epoch < 0:
            self.T_i, self.T_cur, epoch = self.T_0, 0, 0
        else:
            epoch = self.last_epoch + 1
            self.T_cur += 1
            if self.T_cur >= self.T_i:
                self.T_cur = self.T_cur % self.T_i
                self.T_i = self.T_i * self.T_mult
        self.last_epoch = epoch
        self.group["lr"] = self.get_lr()

    def bulk(self, steps, row, sink, values=True):
        t_cur = np.empty(steps, dtype=np.float64)
        t_i = np.empty(steps, dtype=np.float64)
        done = 0
        if steps and self.last_epoch < 0:
            self.T_i, self.T_cur, self.last_epoch = self.T_0, 0, -1
            t_cur[0], t_i[0], done = 0.0, float(self.T_i), 1
        self.last_epoch += steps
        if self.T_mult == 1 and done < steps:
            # Cycles of one length: T_cur counts modulo T_i (torch's T_cur % T_i at T_i).
            counted = self.T_cur + 1 + np.arange(steps - done, dtype=np.int64)
            t_cur[done:] = counted % self.T_i
            t_i[done:] = float(self.T_i)
            self.T_cur = int(t_cur[-1])
            done = steps
        while done < steps:  # cycles grow T_mult-fold: few of them
            run = min(self.T_i - 1 - self.T_cur, steps - done)
            t_cur[done:done + run] = np.arange(self.T_cur + 1, self.T_cur + 1 + run)
            t_i[done:done + run] = float(self.T_i)
            done += run
            self.T_cur += run
            if done < steps:
                self.T_cur, self.T_i = 0, self.T_i * self.T_mult
                t_cur[done], t_i[done] = 0.0, float(self.T_i)
                done += 1
        if not values:
            return None
        eta = self.eta_min
        return Ops.assign(eta + (self.base_lr - eta) * (1 + np.cos(math.pi * t_cur / t_i)) / 2)


class CyclicLR(Scheduler):
    has_closed_form = False

    def __init__(self, group, base_lr, max_lr, step_size_up=2000, step_size_down=None,
                 mode="triangular", gamma=1.0):
        group["lr"] = base_lr
        self.max_lr = max_lr
        up = float(step_size_up)
        down = float(step_size_down) if step_size_down is not None else up
        self.total_size = up + down
        self.step_ratio = up / self.total_size
        self.mode, self.gamma = mode, gamma
        super().__init__(group)
        # torch sets base_lrs only after the constructor's own step, which therefore
        # starts from the group's initial_lr.
        self.base_lr = base_lr

    def get_lr(self):
        t = self.last_epoch
        cycle = math.floor(1 + t / self.total_size)
        x = 1.0 + t / self.total_size - cycle
        ratio = self.step_ratio
        scale = x / ratio if x <= ratio else (x - 1) / (ratio - 1)
        height = (self.max_lr - self.base_lr) * scale
        if self.mode == "triangular":
            return self.base_lr + height * 1.0
        if self.mode == "triangular2":
            return self.base_lr + height * (1 / (2.0 ** (cycle - 1)))
        return self.base_lr + height * self.gamma ** t

    def updates(self, epochs, row, sink):
        t = epochs.astype(np.float64)
        cycle = np.floor(1 + t / self.total_size)
        x = 1.0 + t / self.total_size - cycle
        ratio = self.step_ratio
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = np.where(x <= ratio, x / ratio, (x - 1) / (ratio - 1))
        height = (self.max_lr - self.base_lr) * scale
        if self.mode == "triangular":
            return Ops.assign(self.base_lr + height * 1.0)
        if self.mode == "triangular2":
            return Ops.assign(self.base_lr + height * (1 / np.ldexp(1.0, (cycle - 1).astype(
                np.int64))))
        return Ops.assign(self.base_lr + height * self.gamma ** t)


class OneCycleLR(Scheduler):
    has_closed_form = False

    def __init__(self, group, max_lr, total_steps, pct_start=0.3, anneal_strategy="cos",
                 div_factor=25.0, final_div_factor=1e4, three_phase=False):
        self.total_steps = total_steps
        ends = onecycle_ends(total_steps, pct_start, three_phase)
        keys = ([("initial_lr", "max_lr"), ("max_lr", "initial_lr"), ("initial_lr", "min_lr")]
                if three_phase else [("initial_lr", "max_lr"), ("max_lr", "min_lr")])
        self.phases = [(end, a, b) for end, (a, b) in zip(ends, keys)]
        self.anneal = anneal_strategy
        group["initial_lr"] = max_lr / div_factor
        group["max_lr"] = max_lr
        group["min_lr"] = group["initial_lr"] / final_div_factor
        super().__init__(group)

    def get_lr(self):
        t = self.last_epoch
        if t > self.total_steps:
            raise LrplotError(onecycle_overrun(t, self.total_steps))
        start = 0.0
        for index, (end, lr_from, lr_to) in enumerate(self.phases):
            if t <= end or index == len(self.phases) - 1:
                if end == start:
                    raise LrplotError(f"torch.OneCycleLR: torch divides by zero at step {t} "
                                      "(a phase of the cycle is empty)")
                pct = float((t - start) / (end - start))
                return anneal(self.anneal, self.group[lr_from], self.group[lr_to], pct)
            start = end
        raise AssertionError("unreachable")

    def updates(self, epochs, row, sink):
        values = np.full(len(epochs), math.nan)
        over = np.flatnonzero(epochs > self.total_steps)
        if over.size:
            sink.fail(row + int(over[0]), onecycle_overrun(int(epochs[over[0]]),
                                                           self.total_steps))
        valid = epochs[:over[0]] if over.size else epochs
        if not valid.size:
            return Ops.assign(values)
        first = int(valid[0])

        def empty(steps: np.ndarray) -> None:
            at = int(steps[0])
            sink.fail(row + at - first, f"torch.OneCycleLR: torch divides by zero at step "
                      f"{at} (a phase of the cycle is empty)")

        phases = [(end, self.group[a], self.group[b]) for end, a, b in self.phases]
        with np.errstate(divide="ignore", invalid="ignore"):
            values[:len(valid)] = phase_values(valid.astype(np.float64), phases, self.anneal,
                                               on_empty=empty)
        return Ops.assign(values)


def onecycle_overrun(t: int, total: int) -> str:
    return (f"torch.OneCycleLR: torch raises at step {t}: \"Tried to step {t} times. The "
            f"specified number of total steps is {total}\"; use --steps ≤ {total + 1}")


CLASSES: dict[str, type[Scheduler]] = {
    cls.__name__: cls for cls in (
        StepLR, MultiStepLR, ConstantLR, LinearLR, ExponentialLR, PolynomialLR,
        CosineAnnealingLR, CosineAnnealingWarmRestarts, CyclicLR, OneCycleLR,
    )
}


def construct(name: str, group: Group, values: dict[str, Any]) -> Scheduler:
    return CLASSES[name](group, **values)


class Sequential:
    """torch ``SequentialLR`` over constructed schedulers, which may be composites.

    *on_switch* is called when a milestone hands over to the next part (a ``phase`` event).
    """

    def __init__(self, group: Group, schedulers: list[Any], milestones: list[int],
                 on_switch: Callable[[], None]) -> None:
        self.schedulers, self.milestones, self.on_switch = schedulers, milestones, on_switch
        self.last_epoch = 0
        group["lr"] = group["initial_lr"]
        for scheduler in schedulers:  # torch's recursive_undo of the constructors' steps
            _undo(scheduler)
        self.schedulers[bisect_right(milestones, 0)].initial_step()

    def initial_step(self) -> None:
        # torch's _initial_step on a composite is one ordinary step(): when this is the first
        # part of an outer SequentialLR it runs one epoch ahead of the outer count.
        self.step()

    @property
    def width(self) -> int:
        return max(part.width for part in self.schedulers)

    def bulk(self, steps: int, row: int, sink: Sink, values: bool = True) -> Ops | None:
        epochs = np.arange(self.last_epoch + 1, self.last_epoch + 1 + steps, dtype=np.int64)
        self.last_epoch += steps
        index = _bisect_right(self.milestones, epochs)
        marks = np.asarray([*self.milestones, -1], dtype=np.int64)
        restart = (index > 0) & (marks[index - 1] == epochs)
        cuts = np.flatnonzero(restart | np.concatenate(([True], index[1:] != index[:-1])))
        parts: list[Ops] = []
        for begin, end in zip(cuts.tolist(), [*cuts[1:].tolist(), steps]):
            scheduler = self.schedulers[int(index[begin])]
            if restart[begin]:
                sink.switch(row + begin)
                lr = scheduler.restart(row + begin, sink)
                parts.append(Ops.assign(np.array([lr])))
                begin += 1
            if end > begin:
                ops = scheduler.bulk(end - begin, row + begin, sink, values)
                if ops is not None:
                    parts.append(ops)
        return Ops.stack(parts) if values else None

    def restart(self, row: int, sink: Sink) -> float:
        sink.fail(row, RESTART_COMPOSITE)
        return math.nan

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
        raise LrplotError(RESTART_COMPOSITE)


class Chained:
    """torch ``ChainedScheduler``: every scheduler (composites included) steps the lr in turn."""

    def __init__(self, schedulers: list[Any]) -> None:
        self.schedulers = schedulers

    def initial_step(self) -> None:
        self.step()

    def step(self) -> None:
        for scheduler in self.schedulers:
            scheduler.step()

    @property
    def width(self) -> int:
        return sum(part.width for part in self.schedulers)

    def bulk(self, steps: int, row: int, sink: Sink, values: bool = True) -> Ops | None:
        parts = [scheduler.bulk(steps, row, sink, values) for scheduler in self.schedulers]
        return Ops.side_by_side([p for p in parts if p is not None]) if values else None

    def restart(self, row: int, sink: Sink) -> float:
        sink.fail(row, RESTART_COMPOSITE)
        return math.nan

    def update_lr(self, epoch: int) -> None:
        raise LrplotError(RESTART_COMPOSITE)


# At a milestone SequentialLR calls part._update_lr(0); on a composite that reaches
# LRScheduler.get_lr, which raises NotImplementedError.
RESTART_COMPOSITE = ("torch.SequentialLR can start a nested SequentialLR or ChainedScheduler "
                     "only as its first part: at a milestone torch raises NotImplementedError")


def _bisect_right(milestones: list[int], epochs: np.ndarray) -> np.ndarray:
    """``bisect_right(milestones, e)`` for each epoch, as torch calls it (even unsorted)."""
    marks = np.asarray(milestones, dtype=np.int64)
    if np.all(marks[1:] >= marks[:-1]):
        return np.searchsorted(marks, epochs, side="right")
    low = np.zeros(epochs.shape, dtype=np.int64)
    high = np.full(epochs.shape, len(marks), dtype=np.int64)
    while np.any(low < high):  # bisect's own loop, on every epoch at once
        active = low < high
        middle = (low + high) // 2
        left = active & (epochs < marks[np.minimum(middle, len(marks) - 1)])
        high = np.where(left, middle, high)
        low = np.where(active & ~left, middle + 1, low)
    return low


def _undo(scheduler: Any) -> None:
    if isinstance(scheduler, (Sequential, Chained)):
        for inner in scheduler.schedulers:
            _undo(inner)
    else:
        scheduler.last_epoch -= 1


# make(group, on_switch) -> the outermost scheduler, constructed on a fresh param group.
Maker = Callable[[Group, Callable[[], None]], Any]


def replay(name: str, label: str, lr: float, make: Maker, length: int | None,
           params: Mapping[str, Any]) -> Schedule:
    """A schedule whose row t is the optimizer lr after t steps of ``make(group, on_switch)``.

    The tree is constructed once, step by step as torch does; every later step is replayed
    in blocks of updates (:class:`~lrplot.dialects.torch_ops.BlockReplay`): linear in the
    steps, with memory for a few blocks and the lr where each block starts. A SequentialLR
    milestone is a ``phase`` event at the row it produces.
    """
    state: dict[str, BlockReplay] = {}

    def replayer() -> BlockReplay:
        if not state:
            group = Group(lr=lr)
            driver = make(group, lambda: None)  # constructors: torch's own steps, in floats
            state["replay"] = BlockReplay(driver, float(group["lr"]))
        return state["replay"]

    def fn(steps: np.ndarray) -> np.ndarray:
        if steps.size == 0:
            return np.zeros(steps.shape)
        return replayer().values(steps)

    def events(n: int) -> list[Event]:
        return [Event(s, "phase") for s in replayer().switches(n)]

    return Schedule(label=label, fn=fn, length=length, events=events, name=name,
                    params=dict(params))


def stepped(lr: float, make: Maker, n: int) -> tuple[np.ndarray, list[int]]:
    """Rows 0..n-1 and the switch rows, one torch step at a time: the reference replay."""
    switches: list[int] = []
    rows = np.empty(n)
    group = Group(lr=lr)
    filled = 0
    driver = make(group, lambda: switches.append(filled))
    if n:
        rows[0] = group["lr"]
    for filled in range(1, n):
        driver.step()
        rows[filled] = group["lr"]
    return rows, sorted({s for s in switches if 0 < s < n})
