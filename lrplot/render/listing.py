"""``lrplot list`` and ``lrplot describe``: the catalogue as rich renderables, and printed."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Group
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from lrplot.compose import Composite
from lrplot.definition import Definition, default_text


def catalogue_table(definitions: Sequence[Definition],
                    composites: Sequence[Composite] = ()) -> Table:
    table = Table(title="lrplot schedules", title_justify="left", header_style="bold",
                  show_lines=False)
    table.add_column("name", style="cyan", no_wrap=True)
    table.add_column("what it does")
    families = [d for d in definitions if d.kind == "family"]
    dialects = sorted((d for d in definitions if d.kind != "family"), key=lambda d: d.name)
    for defn in families:
        table.add_row(defn.name, escape(defn.summary))
    prefix = None
    for defn in dialects:
        framework = defn.name.split(".", 1)[0]
        if framework != prefix:
            table.add_section()
            prefix = framework
        table.add_row(defn.name, escape(defn.summary))
    if composites:
        table.add_section()
        for composite in composites:
            table.add_row(composite.name, escape(composite.summary) + " [dim](config files)[/]")
    return table


def describe(defn: Definition) -> Group:
    head = Text.assemble((defn.name, "bold cyan"), "  ", defn.summary)
    formula = Text.assemble(("formula  ", "bold"), defn.formula)
    params = Table(header_style="bold", box=None, pad_edge=False)
    params.add_column("parameter", style="cyan", no_wrap=True)
    params.add_column("default", justify="right")
    params.add_column("allowed")
    params.add_column("meaning")
    for p in defn.params:
        params.add_row(p.name, escape(default_text(p)), escape(p.allowed()), escape(p.help))
    parts: list = [head, Text(""), formula, Text(""), params]
    equivalents = dict(defn.equivalents)
    if defn.kind == "dialect":
        # A dialect says which canonical family it is closest to, and how it differs.
        canonical = equivalents.pop("lrplot", None)
        if canonical:
            parts += [Text(""), Text.assemble(("lrplot family  ", "bold"), canonical)]
        if defn.notes:
            parts += [Text(""), Text.assemble(("how it differs  ", "bold"), defn.notes)]
    elif defn.notes:
        parts += [Text(""), Text(defn.notes)]
    if equivalents:
        eq = Table(header_style="bold", box=None, pad_edge=False, title="equivalents",
                   title_justify="left")
        eq.add_column("framework", style="cyan")
        eq.add_column("name")
        for framework, name in equivalents.items():
            eq.add_row(framework, escape(name))
        parts += [Text(""), eq]
    return Group(*parts)


def describe_composite(composite: Composite) -> Group:
    head = Text.assemble((composite.name, "bold cyan"), "  ", composite.summary)
    formula = Text.assemble(("formula  ", "bold"), composite.formula)
    keys = Table(header_style="bold", box=None, pad_edge=False)
    keys.add_column("key", style="cyan", no_wrap=True)
    keys.add_column("meaning")
    for key, meaning in (*composite.keys, ("label", "optional legend / column label")):
        keys.add_row(key, escape(meaning))
    where = Text("Only in a config file (its parts are tables), e.g.:", style="bold")
    return Group(head, Text(""), formula, Text(""), keys, Text(""), Text(composite.notes),
                 Text(""), where, Text(composite.example))


def print_catalogue(definitions: Sequence[Definition], composites: Sequence[Composite]) -> None:
    from lrplot.render.terminal import console

    console().print(catalogue_table(definitions, composites))


def print_description(item: Definition | Composite) -> None:
    from lrplot.render.terminal import console

    console().print(describe(item) if isinstance(item, Definition) else describe_composite(item))


def print_lines(lines: Sequence[str]) -> None:
    """Plain lines (a file's interpretation), shown as typed: no markup."""
    from rich.text import Text

    from lrplot.render.terminal import console

    for line in lines:
        console().print(Text(line), soft_wrap=True)

