"""The one rich Console lrplot prints to (respects NO_COLOR and non-terminal output)."""

from __future__ import annotations

from functools import cache

from rich.console import Console


@cache
def console() -> Console:
    return Console(highlight=False, soft_wrap=False)
