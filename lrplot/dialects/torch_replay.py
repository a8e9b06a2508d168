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

from lrplot.anneal import anneal, onecycle_ends
from lrplot.core import Event, Schedule
from lrplot.errors import LrplotError


class Group(dict):
    """The optimizer's single param group: ``lr``, ``initial_lr`` and friends."""


class Scheduler:
    has_closed_form = True

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

    def update_lr(self, epoch: int) -> None:
        raise LrplotError(RESTART_COMPOSITE)


# At a milestone SequentialLR calls part._update_lr(0); on a composite that reaches
# LRScheduler.get_lr, which raises NotImplementedError.
RESTART_COMPOSITE = ("torch.SequentialLR can start a nested SequentialLR or ChainedScheduler "
                     "only as its first part: at a milestone torch raises NotImplementedError")


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

    Values are replayed once, on first use, into a float64 array that doubles as it grows
    (linear in the steps); ``on_switch`` marks a SequentialLR milestone as a ``phase`` event
    at the row it produces.
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
            group = Group(lr=lr)
            state["group"] = group
            state["driver"] = make(group, lambda: switches.append(filled))
            rows = np.empty(64, dtype=np.float64)
            rows[0], filled = group["lr"], 1
        group, driver = state["group"], state["driver"]
        if upto >= len(rows):
            grown = np.empty(max(upto + 1, 2 * len(rows)), dtype=np.float64)
            grown[:filled] = rows[:filled]
            rows = grown
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
