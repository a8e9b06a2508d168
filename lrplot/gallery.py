"""The gallery: one picture per config file in ``configs/``, an index, and a staleness check.

Each picture is exactly what ``lrplot plot configs/NAME.toml --out gallery/NAME.png`` writes.
``manifest.json`` records, per config, a hash of the config file and of the image, the
matplotlib version that drew it, and a fingerprint of the numbers (per schedule: sum, min, max
and values at evenly spaced steps). The numbers are compared to rtol 1e-9, not hashed: numpy's
SIMD ``power``/``exp`` can differ in the last bit between CPUs, and a gallery drawn on one
machine must not read as stale on another. PNG bytes are stable run to run but not across
matplotlib/FreeType releases, so image bytes are compared only under the same matplotlib.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
from dataclasses import dataclass

import numpy as np

from lrplot import api
from lrplot.documents import DOCUMENT_SUFFIXES, TEXT_SUFFIXES
from lrplot.errors import LrplotError, within
from lrplot.render.files import write_all

# Recipes: lrplot configs and the training configs it reads (nanoGPT .py, Megatron .sh).
CONFIG_SUFFIXES = DOCUMENT_SUFFIXES + TEXT_SUFFIXES
MANIFEST = "manifest.json"
README = "README.md"


@dataclass(frozen=True)
class Picture:
    config: str  # the config path as the user names it, e.g. configs/resnet50.toml
    image: str  # file name inside the gallery folder
    title: str
    about: str  # the config's leading comment block
    steps: int
    png: bytes
    config_sha256: str
    numbers: list[dict[str, object]]  # the fingerprint of each schedule's column

    @property
    def image_sha256(self) -> str:
        return _sha256(self.png)


def config_files(configs_dir: str) -> list[str]:
    """Every config file in *configs_dir*, sorted by name."""
    if not os.path.isdir(configs_dir):
        raise LrplotError(f"--configs {configs_dir}: no such directory")
    names = sorted(name for name in os.listdir(configs_dir)
                   if name.lower().endswith(CONFIG_SUFFIXES) and not name.startswith("."))
    if not names:
        raise LrplotError(f"--configs {configs_dir}: holds no config files "
                          f"({' '.join(CONFIG_SUFFIXES)})")
    stems: dict[str, str] = {}
    for name in names:
        stem = _stem(name)
        if stem in stems:
            raise LrplotError(f"--configs {configs_dir}: {stems[stem]} and {name} would both "
                              f"draw {stem}.png; rename one")
        stems[stem] = name
    return [os.path.join(configs_dir, name) for name in names]


def render_pictures(configs_dir: str) -> list[Picture]:
    """Draw every config in memory (nothing is written), in file-name order."""
    return [_picture(path) for path in config_files(configs_dir)]


def _picture(path: str) -> Picture:
    from lrplot.render import figures

    view = api.view(api.load(path))
    with within(path):
        columns = view.arrays()
    image = io.BytesIO()
    figures.write(image, view, "png")
    with open(path, "rb") as handle:
        raw = handle.read()
    title = view.title or ", ".join(s.label for s in view.schedules)
    return Picture(
        config=_shown(path), image=_stem(os.path.basename(path)) + ".png",
        title=title, about=_leading_comment(raw.decode("utf-8-sig", "replace")), steps=view.n,
        png=image.getvalue(), config_sha256=_sha256(raw),
        numbers=[fingerprint(s.label, c) for s, c in zip(view.schedules, columns)],
    )


FINGERPRINT_SAMPLES = 65
NUMBERS_RTOL = 1e-9


def fingerprint(label: str, column: np.ndarray) -> dict[str, object]:
    """What the manifest keeps of one schedule's lr column: enough to notice any real change."""
    where = np.unique(np.linspace(0, len(column) - 1, FINGERPRINT_SAMPLES).round().astype(int))
    return {"label": label, "sum": float(column.sum()), "min": float(column.min()),
            "max": float(column.max()), "samples": column[where].tolist()}


def same_numbers(recorded: object, now: list[dict[str, object]]) -> bool:
    """True when *recorded* fingerprints match *now*'s to ``NUMBERS_RTOL``."""
    if not isinstance(recorded, list) or len(recorded) != len(now):
        return False
    try:
        for old, new in zip(recorded, now):
            if old["label"] != new["label"]:
                return False
            for key in ("sum", "min", "max", "samples"):
                a, b = np.asarray(old[key], dtype=float), np.asarray(new[key], dtype=float)
                if a.shape != b.shape or not np.allclose(a, b, rtol=NUMBERS_RTOL, atol=0):
                    return False
    except (KeyError, TypeError, ValueError):
        return False
    return True


def write_gallery(out_dir: str, configs_dir: str) -> list[Picture]:
    """Render every config, then write the pictures, README.md and manifest.json at once."""
    pictures = render_pictures(configs_dir)
    if os.path.exists(out_dir) and not os.path.isdir(out_dir):
        raise LrplotError(f"gallery {out_dir}: exists and is not a directory")
    try:
        os.makedirs(out_dir, exist_ok=True)
    except OSError as err:
        raise LrplotError(f"gallery {out_dir}: cannot create it ({err.strerror})") from None
    old = _old_images(out_dir)
    jobs = [(os.path.join(out_dir, p.image), _bytes_writer(p.png)) for p in pictures]
    jobs.append((os.path.join(out_dir, README),
                 _bytes_writer(readme_text(pictures, configs_dir, out_dir).encode())))
    jobs.append((os.path.join(out_dir, MANIFEST), _bytes_writer(manifest_text(pictures).encode())))
    write_all(jobs)
    # Pictures of configs that no longer exist: only ones an earlier run wrote are removed.
    for image in old - {p.image for p in pictures}:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(os.path.join(out_dir, image))
    return pictures


def stale(out_dir: str, configs_dir: str) -> list[str]:
    """What in *out_dir* does not match what the configs draw now (empty when up to date)."""
    from lrplot.render.figures import matplotlib_version

    pictures = render_pictures(configs_dir)
    problems = []
    try:
        with open(os.path.join(out_dir, MANIFEST), encoding="utf-8") as handle:
            manifest = json.load(handle)
        recorded = {entry["image"]: entry for entry in manifest["pictures"]}
        drawn_by = manifest["matplotlib"]
    except (OSError, ValueError, KeyError, TypeError):
        return [f"{out_dir}/{MANIFEST} is missing or unreadable"]
    same_matplotlib = drawn_by == matplotlib_version()
    for picture in pictures:
        entry = recorded.pop(picture.image, None)
        where = f"{out_dir}/{picture.image}"
        if entry is None:
            problems.append(f"{where} is missing for {picture.config}")
            continue
        if entry.get("config_sha256") != picture.config_sha256:
            problems.append(f"{where} was drawn from an older {picture.config}")
        elif not same_numbers(entry.get("numbers"), picture.numbers):
            problems.append(f"{where} shows different numbers than {picture.config} gives now")
        try:
            with open(where, "rb") as handle:
                on_disk = handle.read()
        except OSError:
            problems.append(f"{where} is missing")
            continue
        expected = picture.png if same_matplotlib else None
        if expected is not None and on_disk != expected:
            problems.append(f"{where} differs from what {picture.config} draws now")
        elif _sha256(on_disk) != entry.get("image_sha256"):
            problems.append(f"{where} was changed after it was drawn")
    problems += [f"{out_dir}/{image} has no config any more" for image in recorded]
    try:
        with open(os.path.join(out_dir, README), encoding="utf-8") as handle:
            readme = handle.read()
    except OSError:
        readme = None
    if readme != readme_text(pictures, configs_dir, out_dir):
        problems.append(f"{out_dir}/{README} is out of date")
    return problems


def manifest_text(pictures: list[Picture]) -> str:
    from lrplot.render.figures import matplotlib_version

    doc = {
        "about": "written by `lrplot gallery`; tests/test_gallery.py checks it",
        "matplotlib": matplotlib_version(),
        "pictures": [
            {"image": p.image, "config": p.config, "steps": p.steps,
             "config_sha256": p.config_sha256, "image_sha256": p.image_sha256,
             "numbers": p.numbers}
            for p in pictures
        ],
    }
    return json.dumps(doc, indent=1) + "\n"


def readme_text(pictures: list[Picture], configs_dir: str, out_dir: str) -> str:
    shown_out = _shown(out_dir)
    lines = [
        "# Gallery",
        "",
        f"One picture per config file in `{_shown(configs_dir)}/`, drawn by "
        f"`lrplot gallery {shown_out}`. Do not edit by hand: change the config and run that "
        "command again (`tests/test_gallery.py` fails when a picture is stale).",
        "",
    ]
    for picture in pictures:
        lines += [f"## {picture.title}", ""]
        if picture.about:
            lines += [picture.about, ""]
        lines += [
            f"![{picture.title}]({picture.image})",
            "",
            "```",
            f"lrplot plot {picture.config} --out {shown_out}/{picture.image}",
            "```",
            "",
        ]
    return "\n".join(lines)


def _leading_comment(text: str) -> str:
    """The comment lines a config file starts with, as one paragraph; JSON has no comments,
    so a JSON recipe says it in a top-level "comment" string (DeepSpeed ignores the key)."""
    if text.lstrip().startswith("{"):
        with contextlib.suppress(ValueError, AttributeError):
            comment = json.loads(text).get("comment")
            return comment if isinstance(comment, str) else ""
        return ""
    about = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped.startswith("#"):
            break
        about.append(stripped.lstrip("#").strip())
    return " ".join(part for part in about if part)


def _old_images(out_dir: str) -> set[str]:
    try:
        with open(os.path.join(out_dir, MANIFEST), encoding="utf-8") as handle:
            entries = json.load(handle)["pictures"]
        return {os.path.basename(str(e["image"])) for e in entries
                if str(e["image"]).endswith(".png")}
    except (OSError, ValueError, KeyError, TypeError):
        return set()


def _bytes_writer(content: bytes):
    def write(handle) -> None:
        handle.write(content)

    return write


def _stem(name: str) -> str:
    lower = name.lower()
    for suffix in CONFIG_SUFFIXES:
        if lower.endswith(suffix):
            return name[: -len(suffix)]
    return name


def _shown(path: str) -> str:
    return os.path.normpath(path).replace(os.sep, "/")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
