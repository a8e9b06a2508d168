"""The ``lrplot`` command: a thin Typer layer over the library.

It parses the command line, asks :mod:`lrplot.catalogue` / :mod:`lrplot.spec` for schedules,
and hands the numbers to a renderer chosen by ``--out``. Every family gets its own
subcommand whose options are generated from the family's parameter definitions. Bad input
of any kind ends with exit status 2 and one line on stderr (see :func:`main`).
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable, Sequence
from typing import Annotated, Any, Literal

import numpy as np
import typer

from lrplot import catalogue
from lrplot.catalogue import Context, Definition, default_text
from lrplot.errors import LrplotError
from lrplot.output import STDOUT, Target, plan_outputs, write_all
from lrplot.params import BOOL, CHOICE, FLOAT, INT, Param
from lrplot.schedule import MAX_STEPS, Schedule, natural_steps
from lrplot.spec import Loaded, load_specs

app = typer.Typer(
    name="lrplot",
    help="Explore, plot and export learning-rate schedules.\n\n"
    "Type a schedule and see it: `lrplot cosine --warmup 5 --out lr.png`, "
    "`lrplot plot torch.OneCycleLR:max_lr=0.1,total_steps=1000 --out lr.csv`. "
    "Without --out, a table of key steps is printed. `lrplot list` shows every schedule.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

# ---- options shared by every plotting command ------------------------------------------

StepsOpt = Annotated[int | None, typer.Option(
    "--steps", "-n", help="Evaluate steps 0..N-1 [default: the schedule's natural length, "
    f"else 100; at most {MAX_STEPS:_}]", metavar="N", show_default=False)]
OutOpt = Annotated[list[str] | None, typer.Option(
    "--out", "-o", help="Write to PATH; format from the extension: .png .svg .pdf .csv "
    ".json (repeatable; - is CSV on stdout). Without it, print a table.", metavar="PATH",
    show_default=False)]
LogOpt = Annotated[bool, typer.Option("--log", help="Log-scale lr axis.")]
TitleOpt = Annotated[str | None, typer.Option("--title", help="Plot/table title.",
                                                 show_default=False)]
EpochOpt = Annotated[int | None, typer.Option(
    "--steps-per-epoch", help="Add an epoch column (CSV, table) and an epoch axis (plots).",
    metavar="K", show_default=False)]
MetricOpt = Annotated[str | None, typer.Option(
    "--metric", help="Metric series for plateau schedules: a CSV with a header (pick "
    "FILE:COLUMN) or one number per line; metric[t] is observed after step t.",
    metavar="FILE[:COLUMN]", show_default=False)]

COMMON = ("steps", "out", "log", "title", "steps_per_epoch", "metric")


def _check_steps(steps: int | None, option: str = "--steps") -> None:
    if steps is not None and not 1 <= steps <= MAX_STEPS:
        raise LrplotError(f"{option} must be an integer in [1, {MAX_STEPS}], got {steps}")


def _context(steps: int | None, metric: str | None) -> Context:
    _check_steps(steps)
    ctx = Context(steps=steps)
    if metric is not None:
        from lrplot.metric import load_metric

        ctx.metric, ctx.metric_label = load_metric(metric)
    return ctx


def emit(schedules: Sequence[Schedule], *, steps: int | None, outs: list[str] | None,
         log: bool = False, title: str | None = None,
         steps_per_epoch: int | None = None) -> None:
    """Evaluate *schedules* and send them to every ``--out`` target, or to a table."""
    if steps_per_epoch is not None and steps_per_epoch < 1:
        raise LrplotError(f"--steps-per-epoch must be an integer ≥ 1, got {steps_per_epoch}")
    targets = plan_outputs(outs or [])
    n = natural_steps(list(schedules), steps)
    _check_steps(n, "the number of steps")
    needs_values = not targets or any(not t.is_figure for t in targets)
    columns = [_evaluate(s, n) for s in schedules] if needs_values else []
    labels = [s.label for s in schedules]
    jobs = []
    for target in targets:
        if target.path != STDOUT:
            jobs.append((target.path, _writer(target, schedules, labels, columns, n, log,
                                              title, steps_per_epoch)))
    write_all(jobs)
    if any(t.path == STDOUT for t in targets):
        from lrplot.render.data import write_csv

        write_csv(sys.stdout.buffer, labels, columns, steps_per_epoch)
        sys.stdout.flush()
    if not targets:
        from lrplot.render.table import print_tables
        from lrplot.terminal import console

        print_tables(console(), labels, columns, [s.events(n) for s in schedules], title=title,
                     steps_per_epoch=steps_per_epoch)


def _evaluate(schedule: Schedule, n: int) -> np.ndarray:
    values = schedule.values(n)
    bad = np.flatnonzero(~np.isfinite(values))
    if bad.size:
        raise LrplotError(f"{schedule.label}: the lr is not finite at step {int(bad[0])} "
                          "(overflow); use smaller parameters or fewer steps")
    return values


def _writer(target: Target, schedules, labels, columns, n, log, title, steps_per_epoch):
    if target.is_figure:
        def write(handle):
            from lrplot.render.plot import FigureOptions, render

            render(handle, target.fmt, schedules, n,
                   FigureOptions(title=title, log=log, steps_per_epoch=steps_per_epoch))
        return write
    if target.fmt == "json":
        def write(handle):
            from lrplot.render.data import write_json

            write_json(handle, labels, columns, steps_per_epoch, title)
        return write
    if target.fmt == "csv":
        def write(handle):
            from lrplot.render.data import write_csv

            write_csv(handle, labels, columns, steps_per_epoch)
        return write
    if target.fmt == "keras.json":
        from lrplot.dialects.keras import write_serialized

        return write_serialized(target.path, schedules)
    raise LrplotError(f"--out {target.path}: {target.fmt} output is not available for "
                      "these schedules")


# ---- plot, list, describe ------------------------------------------------------------


@app.command("plot")
def plot_command(
    specs: Annotated[list[str], typer.Argument(
        help="Schedules: NAME[:key=value,...] (e.g. cosine:warmup=5, "
        "torch.OneCycleLR:max_lr=0.1,total_steps=1000) or config files (.toml .json .yaml).",
        metavar="SPEC...", show_default=False)],
    steps: StepsOpt = None, out: OutOpt = None, log: LogOpt = False, title: TitleOpt = None,
    steps_per_epoch: EpochOpt = None, metric: MetricOpt = None,
) -> None:
    """Plot or export any schedules, overlaid in one figure."""
    ctx = _context(steps, metric)
    loaded: Loaded = load_specs(specs, ctx)
    emit(loaded.schedules, steps=steps or loaded.steps, outs=out, log=log,
         title=title or loaded.title, steps_per_epoch=steps_per_epoch or loaded.steps_per_epoch)


@app.command("list")
def list_command() -> None:
    """List every schedule: canonical families, then each framework's dialect names."""
    from lrplot.render.catalogue import catalogue_table
    from lrplot.terminal import console

    console().print(catalogue_table(catalogue.all_definitions()))


@app.command("describe")
def describe_command(
    name: Annotated[str, typer.Argument(help="A family (cosine) or dialect name "
                                        "(torch.OneCycleLR).", show_default=False)],
) -> None:
    """Show one schedule's formula, parameters, defaults and framework equivalents."""
    from lrplot.render.catalogue import describe
    from lrplot.terminal import console

    console().print(describe(catalogue.get(name)))


# ---- one subcommand per family, generated from the registry ------------------------------

_PYTHON_TYPES = {FLOAT: float, INT: int, BOOL: bool}


def _option_for(p: Param) -> Any:
    help_text = f"{p.help} [{p.allowed()}; default: {default_text(p)}]"
    if p.kind == BOOL:
        flag = p.option
        return Annotated[bool | None, typer.Option(
            f"{flag}/--no-{flag[2:]}", help=help_text, show_default=False)]
    if p.kind == CHOICE:
        return Annotated[Literal[p.choices] | None, typer.Option(  # type: ignore[valid-type]
            p.option, help=help_text, show_default=False, case_sensitive=False)]
    py_type = _PYTHON_TYPES.get(p.kind, str)
    metavar = {FLOAT: "FLOAT", INT: "INT"}.get(p.kind, "A,B,...")
    return Annotated[py_type | None, typer.Option(
        p.option, help=help_text, metavar=metavar, show_default=False)]


def _spec_text(name: str, raw: dict[str, Any]) -> str:
    def show(v: Any) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        return str(v)

    items = ",".join(f"{k}={show(v)}" for k, v in raw.items())
    return f"{name}:{items}" if items else name


def _family_command(defn: Definition) -> Callable[..., None]:
    def command(**kwargs: Any) -> None:
        common = {key: kwargs.pop(key, None) for key in COMMON}
        raw = {key: value for key, value in kwargs.items() if value is not None}
        ctx = _context(common["steps"], common["metric"])
        schedule = catalogue.resolve(defn.name, raw, ctx, label=_spec_text(defn.name, raw))
        emit([schedule], steps=common["steps"], outs=common["out"], log=common["log"],
             title=common["title"], steps_per_epoch=common["steps_per_epoch"])

    shared = [("steps", StepsOpt), ("out", OutOpt), ("log", LogOpt), ("title", TitleOpt),
              ("steps_per_epoch", EpochOpt)]
    if defn.uses_metric:
        shared.append(("metric", MetricOpt))
    parameters = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation,
                          default=False if name == "log" else None)
        for name, annotation in [(p.name, _option_for(p)) for p in defn.params] + shared
    ]
    command.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    command.__annotations__ = {p.name: p.annotation for p in parameters}
    command.__name__ = defn.name
    command.__doc__ = f"{defn.summary}\n\nFormula: {defn.formula}"
    return command


def _register_families() -> None:
    for defn in catalogue.all_definitions(kind="family"):
        command = _family_command(defn)
        app.command(defn.name, rich_help_panel="Families")(command)
        if "_" in defn.name:
            app.command(defn.name.replace("_", "-"), hidden=True)(command)


_register_families()


def main(argv: Sequence[str] | None = None) -> int:
    """Run lrplot; bad input of any kind exits 2 with one line on stderr."""
    click = _click()

    command = typer.main.get_command(app)
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        result = command.main(args=args, prog_name="lrplot", standalone_mode=False)
    except LrplotError as err:
        return _fail(err.message)
    except click.UsageError as err:
        return _fail(err.format_message(), err.ctx.command_path if err.ctx else "lrplot")
    except click.ClickException as err:
        return _fail(err.format_message())
    except (KeyboardInterrupt, click.exceptions.Abort):
        sys.stderr.write("lrplot: interrupted\n")
        return 130
    except BrokenPipeError:  # e.g. `lrplot ... --out - | head`
        sys.stderr.close()
        return 0
    return result if isinstance(result, int) else 0


def _click() -> Any:
    try:  # newer typer releases vendor click as typer._click
        from typer import _click as click
    except ImportError:
        import click
    return click


def _fail(message: str, where: str = "lrplot") -> int:
    sys.stderr.write(f"{where}: error: {' '.join(message.split())}\n")
    return 2
