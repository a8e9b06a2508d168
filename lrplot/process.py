"""The process around a command: signals, standard streams and the environment.

A command run from a shell must end in one of a few documented ways, whatever happens
around it: 0 done, 2 bad input (one line on stderr), 130 on Ctrl-C, 128 + N on signal N
(SIGTERM 143, SIGHUP 129, ...), with no traceback and no ``.part`` file left behind (the
signal is raised as an exception, so :func:`lrplot.render.files.write_all` cleans up). A
reader that went away (``lrplot ... | head``) ends the command quietly with 0.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import re
import signal
import sys
from collections.abc import Iterator
from typing import Any

# Signals that end a command by default; each becomes :class:`Terminated`. SIGINT too: as
# KeyboardInterrupt, click would turn it into a silent exit code.
ENDING_SIGNALS = tuple(getattr(signal, name) for name in
                       ("SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2")
                       if hasattr(signal, name))


class Terminated(BaseException):
    """A signal that ends the command, raised where the program is, so cleanup runs."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum

    @property
    def name(self) -> str:
        return signal.Signals(self.signum).name


@contextlib.contextmanager
def signals_raise() -> Iterator[None]:
    """While inside, each of ENDING_SIGNALS raises :class:`Terminated` (main thread only)."""
    def handler(signum: int, frame: object) -> None:
        raise Terminated(signum)

    previous = {}
    try:
        for signum in ENDING_SIGNALS:
            if signal.getsignal(signum) != signal.SIG_IGN:  # nohup, a background job: keep
                previous[signum] = signal.signal(signum, handler)
    except ValueError:  # not the main thread: signals stay as they are
        pass
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)


def prepare_streams() -> None:
    """Text that a stream's encoding cannot hold is replaced, not fatal (PYTHONIOENCODING=ascii,
    a C locale): lrplot prints ≥, × and · in tables and messages."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):
                reconfigure(errors="replace")


def prepare_environment() -> None:
    """Figures are always drawn off-screen, and matplotlib's notes on its cache directory
    (an unwritable HOME or MPLCONFIGDIR) are not warnings about the user's command."""
    os.environ["MPLBACKEND"] = "agg"  # a bogus value would make importing matplotlib fail
    logging.getLogger("matplotlib").setLevel(logging.ERROR)


class StdoutFailed(BaseException):
    """Writing to stdout failed (EPIPE, ENOSPC, EBADF). A BaseException, so that neither click
    (which turns EPIPE into a silent exit 1) nor a caller's ``except OSError`` takes it."""

    def __init__(self, error: OSError) -> None:
        super().__init__(error)
        self.error = error

    @property
    def reader_gone(self) -> bool:
        return isinstance(self.error, BrokenPipeError)


class _Guarded:
    """A stream whose write errors become :class:`StdoutFailed`; None: a closed stdout."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def _call(self, method: str, *args: Any) -> Any:
        if self._stream is None:
            raise StdoutFailed(OSError(errno.EBADF, "standard output is closed"))
        try:
            return getattr(self._stream, method)(*args)
        except OSError as err:
            raise StdoutFailed(err) from None

    def write(self, data: Any) -> Any:
        return self._call("write", data)

    def writelines(self, lines: Any) -> Any:
        return self._call("writelines", lines)

    def flush(self) -> Any:
        # A closed stdout matters only to a command that writes to it.
        return None if self._stream is None else self._call("flush")

    @property
    def buffer(self) -> _Guarded:
        return _Guarded(getattr(self._stream, "buffer", None))

    def isatty(self) -> bool:
        return bool(self._stream is not None and self._stream.isatty())

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


@contextlib.contextmanager
def guarded_stdout() -> Iterator[None]:
    """While inside, stdout's write errors raise :class:`StdoutFailed`; flushed on the way out,
    so a full disk or a closed pipe shows inside the command, not at interpreter exit."""
    original = sys.stdout
    sys.stdout = _Guarded(original)
    try:
        yield
        sys.stdout.flush()
    finally:
        sys.stdout = original


def detach_stdout() -> None:
    """Point stdout at /dev/null, so nothing fails again when Python flushes it at exit."""
    if sys.stdout is None:  # closed from the start: nothing will flush it
        return
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


SWITCH_WORDS = frozenset({"true", "false", "yes", "no", "on", "off", "1", "0"})


def explain_usage(message: str, args: list[str]) -> str:
    """Click's usage message, made specific where a user is likely to trip: a yes/no
    option is a switch, and ``--cycle true`` leaves ``true`` as a stray argument."""
    match = re.match(r"Got unexpected extra argument\S* \(([^\s)]+)", message)
    if match and match.group(1).lower() in SWITCH_WORDS and match.group(1) in args:
        index = args.index(match.group(1))
        option = args[index - 1] if index else ""
        if option.startswith("--"):
            name = option.removeprefix("--").removeprefix("no-")
            return (f"{option} is a switch and takes no value: write --{name} for yes, "
                    f"--no-{name} for no")
    return message
