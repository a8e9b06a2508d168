"""The Python API: everything the CLI does, as keyword-only library calls.

::

    import lrplot
    run = lrplot.load("configs/llama_warmup_cosine.toml")    # anything the CLI accepts
    lrplot.save(run, "lr.png", "lr.csv")                     # formats from the extensions
    fig = lrplot.figure(run)                                 # a matplotlib Figure
    lrplot.show(run)                                         # the terminal view

Each CLI command is a thin wrapper around these: :func:`load` reads the inputs
(:mod:`lrplot.inputs`), a :class:`~lrplot.view.View` bundles what to show, and :func:`save`
sends it through the table of output formats (:mod:`lrplot.render.formats`). Nothing here
imports matplotlib or rich until a figure or the terminal view is asked for.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from lrplot import inputs
from lrplot.core import Schedule
from lrplot.errors import LrplotError
from lrplot.inputs import Loaded
from lrplot.run import Hints, Settings
from lrplot.view import Look, View

if TYPE_CHECKING:
    from matplotlib.figure import Figure  # noqa: TID251 (a type only: nothing is drawn here)

    from lrplot.simulate import Simulation

Schedules = Any  # Loaded | View | Schedule | str | a sequence of Schedules or of strs


def load(*sources: str | inputs.Source, steps: int | None = None, epochs: int | None = None,
         steps_per_epoch: int | None = None, title: str | None = None, log: bool = False,
         metric: str | None = None, vary: Sequence[str] = (), source_format: str | None = None,
         dataset_size: int | None = None, world_size: int = 1,
         hf_version: str | None = None) -> Loaded:
    """Spec strings and files (configs, Keras JSON, training configs) as schedules, for the
    run described.

    The keywords are the CLI's options; a config's own ``steps``, ``steps_per_epoch``,
    ``title`` and ``log`` fill in what they leave unsaid. *dataset_size* and *world_size*
    tell a training config that counts epochs how many updates one has (*hf_version*: by
    that transformers release's rule); *source_format* (``--from``) forces how files are
    read.
    """
    settings = Settings(steps=steps, epochs=epochs, steps_per_epoch=steps_per_epoch,
                        title=title, log=log)
    hints = Hints(dataset_size=dataset_size, world_size=world_size,
                  source_format=source_format, hf_version=hf_version)
    return inputs.load(list(sources), settings, metric=metric, vary=vary, hints=hints)


def interpret(path: str, *, steps_per_epoch: int | None = None,
              source_format: str | None = None, dataset_size: int | None = None,
              world_size: int = 1, hf_version: str | None = None) -> list[str]:
    """How lrplot reads *path* (``lrplot describe FILE``): its format, the fields read, the
    numbers derived and the spec that computes the same schedule."""
    hints = Hints(dataset_size=dataset_size, world_size=world_size,
                  source_format=source_format, hf_version=hf_version,
                  steps_per_epoch=steps_per_epoch)
    return inputs.interpret(path, hints)


def view(schedules: Schedules, *, steps: int | None = None, title: str | None = None,
         log: bool | None = None, steps_per_epoch: int | None = None, dpi: int = 150,
         size: tuple[float, float] | None = None, theme: str = "light",
         layout: str | None = None, legend_title: str | None = None) -> View:
    """What to show: *schedules* over a run, with the options every output reads.

    Settings a :class:`~lrplot.inputs.Loaded` carries (from its config files) fill in the
    ones not given; *layout* (``overlay``, ``grid``, ``both``) makes it a comparison.
    """
    if isinstance(schedules, View):
        return schedules
    # Spec strings are resolved for this run, as `lrplot plot SPEC --steps N` does.
    loaded = _as_loaded(schedules, steps, steps_per_epoch)
    shown = Settings(steps=steps, steps_per_epoch=steps_per_epoch, title=title,
                     log=bool(log)).merged(loaded.settings)
    return View.of(loaded.schedules, shown.steps, title=shown.title, log=shown.log,
                   steps_per_epoch=shown.steps_per_epoch, look=Look(dpi, size, theme),
                   layout=layout, legend_title=legend_title, sequential=loaded.sequential,
                   sweep_shape=loaded.sweep_shape, inputs=loaded.inputs)


def save(schedules: Schedules, *paths: str, **options: Any) -> None:
    """Write *schedules* (or a Simulation) to every path, atomically; ``-`` is CSV on stdout.

    *options* are :func:`view`'s. Every path is checked before anything is computed.
    """
    from lrplot.render.files import STDOUT, plan_outputs, write_all

    result = _result(schedules, options)
    targets = plan_outputs(list(paths), inputs=result.inputs)
    write_all([(t.path, t.fmt.writer(result, t.path)) for t in targets if t.path != STDOUT])
    if any(t.path == STDOUT for t in targets):
        from lrplot.render.data import write_result_csv

        write_result_csv(sys.stdout.buffer, result)
        sys.stdout.flush()


def show(schedules: Schedules, **options: Any) -> None:
    """Print the terminal view of *schedules* (or a Simulation): chart, tables, summary."""
    from lrplot.render.terminal import show as show_result

    show_result(_result(schedules, options))


def output(schedules: Schedules, outs: Sequence[str] | None, **options: Any) -> None:
    """:func:`save` to *outs*, or :func:`show` when there are none: what every command does."""
    if outs:
        save(schedules, *outs, **options)
    else:
        show(schedules, **options)


def figure(schedules: Schedules, **options: Any) -> Figure:
    """A matplotlib Figure of *schedules* (or a Simulation), as the PNG would show it."""
    from lrplot.render.figures import build

    return build(_result(schedules, options))


def simulate(schedules: Schedules, *, objective: str = "quadratic", w0: float = 5.0,
             seed: int = 0, steps: int | None = None, title: str | None = None,
             log: bool | None = None, steps_per_epoch: int | None = None, dpi: int = 150,
             size: tuple[float, float] | None = None, theme: str = "light") -> Simulation:
    """Gradient descent under each schedule (see :mod:`lrplot.simulate`), ready to save."""
    from lrplot import simulate as sim

    obj = sim.objective(objective)
    shown = view(schedules, steps=steps, title=title, log=log,
                 steps_per_epoch=steps_per_epoch, dpi=dpi, size=size, theme=theme)
    return sim.run_all(shown.schedules, shown.n, obj, w0, seed, title=shown.title,
                       log=shown.log, steps_per_epoch=shown.steps_per_epoch, look=shown.look,
                       inputs=shown.inputs)


def _result(schedules: Schedules, options: dict[str, Any]) -> Any:
    if getattr(schedules, "kind", None) == "simulation":
        if options:
            raise TypeError(f"a Simulation carries its own options; got {sorted(options)}")
        return schedules
    return view(schedules, **options)


def _as_loaded(schedules: Schedules, steps: int | None = None,
               steps_per_epoch: int | None = None) -> Loaded:
    if isinstance(schedules, Loaded):
        return schedules
    if isinstance(schedules, (Schedule, str)):
        schedules = [schedules]
    items = list(schedules)
    if not items:
        raise LrplotError("no schedules to show")
    if all(isinstance(item, str) for item in items):
        return load(*items, steps=steps, steps_per_epoch=steps_per_epoch)
    if not all(isinstance(item, Schedule) for item in items):
        raise TypeError("schedules must be a Loaded, Schedules, or spec strings and paths")
    return Loaded(list(items))
