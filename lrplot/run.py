"""The run a command shows: steps or epochs, steps per epoch, title and log scale.

They come from the command line (or the Python API) and from config files; :meth:`Settings.merged`
is the one rule for combining them: what the user typed wins, then each file in turn (the
first file that sets a value gives it).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from lrplot.errors import LrplotError, brief
from lrplot.limits import LARGEST_INT, MAX_STEPS


@dataclass(frozen=True)
class Settings:
    """How long the run is and how to show it; None means "not said here"."""

    steps: int | None = None
    epochs: int | None = None
    steps_per_epoch: int | None = None
    title: str | None = None
    log: bool = False

    def merged(self, other: Settings) -> Settings:
        """These settings, with what they leave unsaid taken from *other*."""
        return Settings(
            steps=self.steps if self.steps is not None else other.steps,
            epochs=self.epochs if self.epochs is not None else other.epochs,
            steps_per_epoch=(self.steps_per_epoch if self.steps_per_epoch is not None
                             else other.steps_per_epoch),
            title=self.title if self.title is not None else other.title,
            log=self.log or other.log,
        )

    def refuse_invalid(self) -> None:
        """Refuse values no run can have (a file may still supply the steps per epoch)."""
        check_steps(self.steps)
        if self.steps_per_epoch is not None and not 1 <= self.steps_per_epoch <= MAX_STEPS:
            raise LrplotError(f"--steps-per-epoch must be an integer ≥ 1 and ≤ {MAX_STEPS}, got "
                              f"{brief(str(self.steps_per_epoch))}")
        if self.epochs is None:
            return
        if self.steps is not None:
            raise LrplotError("give --steps or --epochs, not both")
        if self.epochs < 1:
            raise LrplotError(f"--epochs must be an integer ≥ 1, got {self.epochs}")

    def checked(self) -> Settings:
        """These settings complete and valid: ``--epochs`` becomes steps (E·K)."""
        self.refuse_invalid()
        if self.epochs is None:
            return self
        if self.steps_per_epoch is None:
            raise LrplotError("--epochs needs --steps-per-epoch K (steps = epochs × K)")
        steps = self.epochs * self.steps_per_epoch
        check_steps(steps, "--epochs × --steps-per-epoch")
        return replace(self, steps=steps, epochs=None)


def check_steps(steps: int | None, option: str = "--steps") -> None:
    if steps is not None and not 1 <= steps <= MAX_STEPS:
        raise LrplotError(f"{option} must be an integer in [1, {MAX_STEPS}], got {steps}")


@dataclass(frozen=True)
class Hints:
    """What a training config cannot know about its run, given on the command line.

    ``dataset_size`` (examples) and ``world_size`` (processes) let a framework's own rule
    derive the optimizer steps per epoch; ``source_format`` (``--from``) forces how a file is
    read instead of detecting it.
    """

    dataset_size: int | None = None
    world_size: int = 1
    source_format: str | None = None
    hf_version: str | None = None  # the transformers release whose step rules apply
    steps_per_epoch: int | None = None  # the user's --steps-per-epoch: updates per epoch

    def __post_init__(self) -> None:
        if self.dataset_size is not None and not 1 <= self.dataset_size <= LARGEST_INT:
            raise LrplotError(f"--dataset-size must be an integer ≥ 1, got "
                              f"{brief(str(self.dataset_size))}")
        if self.hf_version is not None:
            version_tuple(self.hf_version)  # refused now, before any file is read
        if not 1 <= self.world_size <= 1_000_000:
            raise LrplotError(f"--world-size must be an integer in [1, 1000000], got "
                              f"{brief(str(self.world_size))}")


def version_tuple(text: str) -> tuple[int, ...]:
    """``'4.51.3'`` → ``(4, 51, 3)``, or an error naming ``--hf-version``."""
    parts = text.strip().split(".")
    if not 1 <= len(parts) <= 3 or not all(part.isdigit() and len(part) < 6 for part in parts):
        raise LrplotError(f"--hf-version must be a release such as 4.51 or 4.51.3, got "
                          f"{brief(repr(text))}")
    return tuple(int(part) for part in parts)

