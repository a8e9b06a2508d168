"""The terminal view: the one rich Console lrplot prints to, and what it prints there.

Without ``--out`` a :class:`~lrplot.view.View` is a braille chart above a table of key steps
and a summary (a comparison gets its comparison table instead); a
:class:`~lrplot.simulate.Simulation` is its loss chart and a table of each run's outcome.
The console respects NO_COLOR and non-terminal output.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from rich.console import Console


@cache
def console() -> Console:
    return Console(highlight=False, soft_wrap=False)


def show(result: Any, out: Console | None = None) -> None:
    """Print *result* (a View or a Simulation) to *out* (default: lrplot's console)."""
    from lrplot.render import table

    out = out or console()
    if result.kind == "simulation":
        runs = result.runs
        table.chart(out, [r.label for r in runs], [r.loss for r in runs], log=True,
                    title=f"{result.title}: loss (log scale)")
        out.print(table.simulation_table(runs))
    elif result.is_comparison:
        table.chart(out, result.labels, result.columns, log=result.log,
                    title=result.title or "lr")
        out.print(table.comparison_table(result.labels, result.columns))
    else:
        table.print_tables(out, result.labels, result.columns,
                           [s.events(result.n) for s in result.schedules], title=result.title,
                           steps_per_epoch=result.steps_per_epoch, log=result.log)
