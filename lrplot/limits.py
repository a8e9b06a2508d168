"""The numbers every layer of lrplot agrees on: run lengths, the evaluation chunk, finite lrs.

A leaf module (numpy and the error type only), so the schedule math, the inputs and the
renderers can all use it without importing one another.
"""

from __future__ import annotations

import numpy as np

from lrplot.errors import LrplotError

DEFAULT_STEPS = 100
# Ten times the longest run the benchmarks plot (10 M steps). Figures cost the same at any
# length (a per-pixel envelope, evaluated in chunks), but data outputs hold every value:
# 8 bytes per step per schedule (800 MB here) and about 1 µs per CSV row (a 2.7 GB file in
# a minute or two). Past this no output is useful any more; see benchmarks/RESULTS.md.
MAX_STEPS = 100_000_000
# Steps evaluated at once by values(): a family's temporaries then take a few tens of MB,
# not several copies of the whole run.
EVALUATION_CHUNK = 1 << 20
# No parameter needs an integer past 64 bits, and a larger one cannot become a float64.
LARGEST_INT = 2**63


def check_finite(label: str, values: np.ndarray, first_step: int = 0) -> None:
    """Raise unless every lr in *values* (steps from *first_step*) is finite.

    The one wording of this error for every output: data, figures and the gallery.
    """
    bad = np.flatnonzero(~np.isfinite(values))
    if bad.size:
        raise LrplotError(f"{label}: the lr is not finite at step {first_step + int(bad[0])} "
                          "(overflow); use smaller parameters or fewer steps")


def run_length(steps: int | None) -> int:
    """The run a definition assumes when none was given: *steps*, else DEFAULT_STEPS."""
    return DEFAULT_STEPS if steps is None else steps
