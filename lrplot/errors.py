"""The one error type users see.

Every problem with the user's input (a spec, an option, a config or metric file, an output
path) is raised as :class:`LrplotError` with a one-line message that names the culprit and
says what is allowed. The CLI turns it into exit status 2; library callers get an exception.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


class LrplotError(ValueError):
    """Bad input: the message is a single line, shown to the user as it is."""

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(message.split()))  # one line, whatever the caller formatted

    @property
    def message(self) -> str:
        return str(self.args[0])


@contextmanager
def within(where: str) -> Iterator[None]:
    """Prefix any :class:`LrplotError` raised inside with *where* (``file: schedule[0]``).

    A message that already starts with *where* is left alone, so nested contexts that name
    the same thing do not repeat it.
    """
    try:
        yield
    except LrplotError as err:
        if err.message.startswith(f"{where}:") or not where:
            raise
        raise LrplotError(f"{where}: {err.message}") from None


def brief(text: str, limit: int = 60) -> str:
    """*text* short enough for a one-line error: a 5000-digit number is not worth printing."""
    if len(text) <= limit:
        return text
    return f"{text[:limit // 2]}… ({len(text)} characters)"


# One wording for figures and the terminal chart: a log axis of lrs that are all 0.
NO_POSITIVE_LR = "--log: no lr is positive, so a log axis has nothing to show; leave out --log"

