"""Streams of torch's lr updates, evaluated in numpy in torch's own float operations.

Every ``step()`` of a torch scheduler replaces the optimizer's lr ``x`` by one of

- ``x * f``                      chainable schedulers (StepLR, LinearLR, ExponentialLR, ...),
- ``r * (x - eta) + eta``        CosineAnnealingLR's recursive form,
- ``x + c``                      CosineAnnealingLR's step past an odd multiple of T_max,
- ``v``                          closed forms and the non-chainable schedulers (CyclicLR, ...).

All four are the one form ``(x - e) * a + e + b`` (``x * f`` is ``a=f, e=b=0``; ``x + c`` is
``a=1, e=0, b=c``; ``v`` is ``a=0, e=0, b=v``), and in that form with zeros each is exactly
torch's operation: ``x - 0``, ``+ 0`` and ``* 1`` are exact. An :class:`Ops` holds one row
of ``w`` such updates per step, applied left to right (a ChainedScheduler steps its parts in
turn; ``(1, 0, 0)`` pads a row). :func:`evaluate` turns rows into the lr after each row:

- a run of plain products after a set value is a running product (``np.multiply.accumulate``
  multiplies in order, so it is torch's sequence of roundings exactly);
- a run of one cosine's recursive updates is the same product on ``x - eta`` (exact in
  real arithmetic; in floats within a few ulps of torch per step, telescoping);
- an addition straight after a set value is folded into it (exact);
- anything else (a cosine with ``eta_min > 0`` chained with other multipliers) is stepped
  in Python, one update at a time, in torch's order.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from lrplot.errors import LrplotError

# Runs up to this many per block are accumulated one slice each; more use padded buckets.
_FEW_RUNS = 32


@dataclass
class Piece:
    """``k`` steps of ``w`` updates each, ``x ← (x - e) * a + e + b``, row-major.

    *kind* says what the updates are, so that :func:`evaluate` can take the short way:
    ``product`` (``e = b = 0``), ``assign`` (``a = e = 0``, width 1), ``cosine`` (``b = 0``,
    ``e = eta`` everywhere, width 1), ``add`` (``a = 1, e = 0``, width 1) or ``mixed``.
    """

    a: np.ndarray
    e: np.ndarray
    b: np.ndarray
    kind: str = "mixed"
    eta: float = 0.0

    @property
    def steps(self) -> int:
        return int(self.a.shape[0])

    @property
    def width(self) -> int:
        return int(self.a.shape[1])

    def padded(self, width: int) -> Piece:
        """The same updates with identity updates appended to *width* per row."""
        if width == self.width:
            return self
        k, extra = self.steps, width - self.width
        kind = "product" if self.kind == "product" else "mixed"
        return Piece(np.hstack([self.a, np.ones((k, extra))]),
                     np.hstack([self.e, np.zeros((k, extra))]),
                     np.hstack([self.b, np.zeros((k, extra))]), kind)


def _column(values: Any) -> np.ndarray:
    return np.asarray(values, dtype=np.float64).reshape(-1, 1)


class Ops:
    """The updates of consecutive steps: pieces one after another in time."""

    def __init__(self, pieces: list[Piece]) -> None:
        self.pieces = [p for p in pieces if p.steps]

    @property
    def steps(self) -> int:
        return sum(p.steps for p in self.pieces)

    @property
    def width(self) -> int:
        return max((p.width for p in self.pieces), default=1)

    @classmethod
    def multiply(cls, factors: Any) -> Ops:
        a = _column(factors)
        return cls([Piece(a, np.zeros(a.shape), np.zeros(a.shape), "product")])

    @classmethod
    def assign(cls, values: Any) -> Ops:
        b = _column(values)
        return cls([Piece(np.zeros(b.shape), np.zeros(b.shape), b, "assign")])

    @classmethod
    def add(cls, values: Any) -> Ops:
        b = _column(values)
        return cls([Piece(np.ones(b.shape), np.zeros(b.shape), b, "add")])

    @classmethod
    def cosine(cls, ratios: Any, eta: float) -> Ops:
        a = _column(ratios)
        kind = "product" if eta == 0 else "cosine"
        return cls([Piece(a, np.full(a.shape, float(eta)), np.zeros(a.shape), kind, eta)])

    @staticmethod
    def stack(parts: list[Ops]) -> Ops:
        """Parts one after another in time."""
        return Ops([piece for part in parts for piece in part.pieces])

    def matrix(self, width: int) -> Piece:
        """Every piece padded to *width*, as one piece."""
        padded = [p.padded(width) for p in self.pieces]
        if len(padded) == 1:
            return padded[0]
        kind = "product" if all(p.kind == "product" for p in padded) else "mixed"
        return Piece(np.vstack([p.a for p in padded]), np.vstack([p.e for p in padded]),
                     np.vstack([p.b for p in padded]), kind)

    @staticmethod
    def side_by_side(parts: list[Ops]) -> Ops:
        """Parts in the same steps, each row's updates in turn (a ChainedScheduler)."""
        if len(parts) == 1:
            return parts[0]
        pieces = [part.matrix(part.width) for part in parts]
        kind = "product" if all(p.kind == "product" for p in pieces) else "mixed"
        return Ops([Piece(np.hstack([p.a for p in pieces]), np.hstack([p.e for p in pieces]),
                          np.hstack([p.b for p in pieces]), kind)])


def evaluate(ops: Ops, start: float) -> np.ndarray:
    """The lr after each step of *ops*, from lr *start* before the first."""
    out = np.empty(ops.steps)
    done = 0
    x = start
    for piece in ops.pieces:
        rows = _evaluate_piece(piece, x)
        out[done:done + len(rows)] = rows
        done += len(rows)
        x = float(rows[-1])
    return out


def _evaluate_piece(piece: Piece, start: float) -> np.ndarray:
    w = piece.width
    if piece.kind == "assign":
        return piece.b[:, 0]
    if piece.kind == "add":
        flat = piece.b[:, 0].copy()
        flat[0] = start + flat[0]
        return np.add.accumulate(flat)
    if piece.kind in ("product", "cosine"):
        # One running product, in order: torch's multiplications exactly (on x - eta for a
        # cosine's recursion, whose first update is exact and the rest within ulps).
        eta = piece.eta if piece.kind == "cosine" else 0.0
        flat = piece.a.ravel().copy()
        with np.errstate(all="ignore"):
            flat[0] = (start - eta) * flat[0]
            np.multiply.accumulate(flat, out=flat)
        rows = flat[w - 1::w]
        return rows + eta if eta else rows
    a, e, b = piece.a.ravel(), piece.e.ravel(), piece.b.ravel()
    real = (a != 1) | (e != 0) | (b != 0)
    # Update 0 is a virtual assignment of *start*; the real updates follow at 1, 2, ...
    after = _apply(np.concatenate(([0.0], a[real])), np.concatenate(([0.0], e[real])),
                   np.concatenate(([start], b[real])))
    # The lr after a row is the lr after the last real update at or before its end.
    return after[np.cumsum(real)[w - 1::w]]


def _apply(a: np.ndarray, e: np.ndarray, b: np.ndarray) -> np.ndarray:
    """x after each update of the stream; update 0 is an assignment."""
    assign = a == 0
    with np.errstate(all="ignore"):
        value = np.where(assign, e + b, 0.0)
    _fold_additions(a, e, b, assign, value)
    starts = np.flatnonzero(assign)
    out = np.empty(len(a))
    cosine = (e != 0) & (b == 0) & ~assign
    product = (e == 0) & (b == 0) & ~assign
    odd = ~(assign | cosine | product)
    if not (cosine.any() or odd.any()):  # plain products only: the common case, exact
        _products(np.where(assign, value, a), starts, out)
        return out
    runs = len(starts)
    run = np.cumsum(assign) - 1  # the run (from its assignment on) of each update
    counts = [np.bincount(run[kind], minlength=runs) for kind in (cosine, product, odd)]
    low, high = np.full(runs, np.inf), np.full(runs, -np.inf)
    np.minimum.at(low, run[cosine], e[cosine])
    np.maximum.at(high, run[cosine], e[cosine])
    plain = (counts[0] == 0) & (counts[2] == 0)
    recursive = (counts[0] > 0) & (counts[1] == 0) & (counts[2] == 0) & (low == high)
    eta = np.where(recursive, low, 0.0)[run]
    simple = (plain | recursive)[run]
    with np.errstate(all="ignore"):
        factors = np.where(assign, value - eta, a)
    _products(np.where(simple, factors, 1.0), starts, out)
    out += eta
    out[assign] = value[assign]
    for index in np.flatnonzero(~(plain | recursive)).tolist():
        stop = int(starts[index + 1]) if index + 1 < runs else len(a)
        _stepped(a, e, b, int(starts[index]), stop, float(value[starts[index]]), out)
    return out


def _fold_additions(a: np.ndarray, e: np.ndarray, b: np.ndarray, assign: np.ndarray,
                    value: np.ndarray) -> None:
    """``v`` then ``x + c`` is the assignment ``v + c`` (the same one rounding), in place."""
    while True:
        add = (a == 1) & (e == 0) & (b != 0)
        add[0] = False
        follows = np.flatnonzero(add[1:] & assign[:-1]) + 1
        if not follows.size:
            return
        value[follows] = value[follows - 1] + b[follows]
        a[follows], e[follows], b[follows] = 0.0, 0.0, value[follows]
        assign[follows] = True


def _products(factors: np.ndarray, starts: np.ndarray, out: np.ndarray) -> None:
    """Running products restarting at each of *starts* (factors there are the start values),
    multiplied strictly in order."""
    stops = np.append(starts[1:], len(factors))
    if len(starts) <= _FEW_RUNS:
        for begin, end in zip(starts.tolist(), stops.tolist()):
            np.multiply.accumulate(factors[begin:end], out=out[begin:end])
        return
    lengths = stops - starts
    bucket = np.ceil(np.log2(lengths)).astype(np.int64)
    for size_log in np.unique(bucket).tolist():
        chosen = np.flatnonzero(bucket == size_log)
        width = 1 << size_log
        offsets = np.arange(width)
        inside = offsets[None, :] < lengths[chosen, None]
        where = starts[chosen, None] + offsets[None, :]
        table = np.where(inside, factors[np.where(inside, where, 0)], 1.0)
        np.multiply.accumulate(table, axis=1, out=table)
        out[where[inside]] = table[inside]


def _stepped(a: np.ndarray, e: np.ndarray, b: np.ndarray, begin: int, stop: int, x: float,
             out: np.ndarray) -> None:
    """Updates begin+1..stop-1 one at a time, in torch's order (the rare mixed run)."""
    out[begin] = x
    for index, (ai, ei, bi) in enumerate(zip(a[begin + 1:stop].tolist(),
                                             e[begin + 1:stop].tolist(),
                                             b[begin + 1:stop].tolist()), start=begin + 1):
        x = x * ai if ei == 0 and bi == 0 else ((x - ei) * ai + ei) + bi
        out[index] = x


class Sink:
    """What a block of steps reports besides its updates: switches and torch's errors."""

    def __init__(self) -> None:
        self.switches: list[int] = []
        self.failure: tuple[int, str] | None = None

    def switch(self, row: int) -> None:
        self.switches.append(row)

    def fail(self, row: int, message: str) -> None:
        """torch raises *message* on the step that produces *row*."""
        if self.failure is None or row < self.failure[0]:
            self.failure = (row, message)


class Driver(Protocol):
    def bulk(self, steps: int, row: int, sink: Sink, values: bool = True) -> Ops | None: ...


# Steps per block: a block's updates are a few arrays of this many rows (times the width).
BLOCK = 1 << 16
_CACHED_BLOCKS = 4


class BlockReplay:
    """A constructed torch scheduler tree, stepped in blocks of :data:`BLOCK` steps.

    Row 0 is the lr after construction; rows 1+k·BLOCK .. (k+1)·BLOCK are block k. Blocks
    are replayed in order the first time (each needs the lr the one before ended at); after
    that any block is replayed again from a copy of the tree as it was before it and its
    starting lr, so memory stays at a few blocks, one small copy of the tree and one lr per
    block, and the values of a row never depend on how it was asked for.
    """

    def __init__(self, driver: Driver, first: float, block: int | None = None) -> None:
        self.first, self.block = first, block or BLOCK
        self.trees: list[Driver] = [copy.deepcopy(driver)]  # the tree before each block
        self.starts: list[float] = [first]  # the lr before each block
        self.found: list[int] = []
        self.failure: tuple[int, str] | None = None
        self.cache: dict[int, np.ndarray] = {}

    def values(self, steps: np.ndarray) -> np.ndarray:
        flat = np.asarray(steps, dtype=np.int64).ravel()
        last = int(flat.max())
        first = int(flat[0])
        if flat.size == last - first + 1 and first >= 1 and np.all(np.diff(flat) == 1):
            out = self._range(first, last + 1)  # a chunk of consecutive rows: slices
        else:
            out = self._gather(flat)
        self._check(last)
        return out.reshape(np.shape(steps))

    def _range(self, begin: int, end: int) -> np.ndarray:
        out = np.empty(end - begin)
        row = begin
        while row < end:
            k = (row - 1) // self.block
            rows = self._block(k)
            offset = row - 1 - k * self.block
            take = min(end - row, self.block - offset)
            out[row - begin:row - begin + take] = rows[offset:offset + take]
            row += take
        return out

    def _gather(self, flat: np.ndarray) -> np.ndarray:
        out = np.empty(flat.shape)
        blocks = (flat - 1) // self.block  # row 0 is block -1: the constructed lr
        order = np.argsort(blocks, kind="stable")
        ordered = blocks[order]
        cuts = np.flatnonzero(np.diff(ordered)) + 1
        for begin, end in zip([0, *cuts.tolist()], [*cuts.tolist(), flat.size]):
            where = order[begin:end]
            k = int(ordered[begin])
            if k < 0:
                out[where] = self.first
            else:
                out[where] = self._block(k)[flat[where] - 1 - k * self.block]
        return out

    def switches(self, n: int) -> list[int]:
        """Rows below *n* where a SequentialLR switched parts."""
        if n > 1:
            self._tree((n - 2) // self.block + 1)
        return sorted({s for s in self.found if 0 < s < n})

    def _check(self, last: int) -> None:
        if self.failure is not None and last >= self.failure[0]:
            raise LrplotError(self.failure[1])

    def _tree(self, k: int) -> Driver:
        """The tree before block *k*, stepping the structure alone where needed."""
        while len(self.trees) <= k:
            tree = copy.deepcopy(self.trees[-1])
            sink = Sink()
            tree.bulk(self.block, 1 + (len(self.trees) - 1) * self.block, sink, values=False)
            self._advanced(tree, sink)
        return self.trees[k]

    def _advanced(self, tree: Driver, sink: Sink) -> None:
        self.trees.append(tree)
        self.found += sink.switches
        if sink.failure is not None and (self.failure is None
                                         or sink.failure[0] < self.failure[0]):
            self.failure = sink.failure

    def _block(self, k: int) -> np.ndarray:
        if k in self.cache:
            return self.cache[k]
        while len(self.starts) <= k:  # the lr each block starts from, in order
            self._replay(len(self.starts) - 1)
        return self._replay(k)

    def _replay(self, k: int) -> np.ndarray:
        tree = copy.deepcopy(self._tree(k))
        sink = Sink()
        ops = tree.bulk(self.block, 1 + k * self.block, sink)
        assert ops is not None
        rows = evaluate(ops, self.starts[k])
        if len(self.trees) == k + 1:
            self._advanced(tree, sink)
        elif sink.failure is not None and (self.failure is None
                                           or sink.failure[0] < self.failure[0]):
            self.failure = sink.failure
        if len(self.starts) == k + 1:
            self.starts.append(float(rows[-1]))
        if len(self.cache) >= _CACHED_BLOCKS:
            self.cache.pop(next(iter(self.cache)))
        self.cache[k] = rows
        return rows
