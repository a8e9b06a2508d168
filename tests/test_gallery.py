"""configs/ and gallery/: every config renders, has its picture, and a stale picture fails."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from lrplot import gallery

ROOT = Path(__file__).resolve().parent.parent
CONFIGS = sorted(p.name for p in (ROOT / "configs").iterdir()
                 if p.suffix in (".toml", ".json", ".yaml", ".yml", ".py", ".sh"))
def test_there_are_enough_recipes():
    assert len([c for c in CONFIGS if c.endswith(".toml")]) >= 12
    for name in CONFIGS:
        text = (ROOT / "configs" / name).read_text()
        about = (json.loads(text).get("comment", "") if name.endswith(".json")
                 else text.lstrip() if text.lstrip().startswith("#") else "")
        assert about, f"{name} must start with a comment (JSON: a \"comment\") saying " \
                      "where it is from"


@pytest.mark.parametrize("name", CONFIGS)
def test_every_config_renders(cli, tmp_path, monkeypatch, name):
    monkeypatch.chdir(ROOT)
    out = tmp_path / "picture.png"
    result = cli("plot", f"configs/{name}", "--out", out)
    assert result.code == 0, result.err
    assert out.read_bytes().startswith(b"\x89PNG")


@pytest.mark.parametrize("name", CONFIGS)
def test_every_config_has_a_gallery_picture(name):
    manifest = json.loads((ROOT / "gallery" / "manifest.json").read_text())
    images = {entry["config"]: entry["image"] for entry in manifest["pictures"]}
    assert f"configs/{name}" in images
    assert (ROOT / "gallery" / images[f"configs/{name}"]).is_file()
    assert f"]({images[f'configs/{name}']})" in (ROOT / "gallery" / "README.md").read_text()


def test_the_committed_gallery_is_up_to_date(monkeypatch):
    monkeypatch.chdir(ROOT)
    problems = gallery.stale("gallery", "configs")
    assert problems == [], "run `lrplot gallery gallery`: " + "; ".join(problems)


# ---- the gallery machinery, on a small configs folder of its own -------------------------

COSINE = '# a cosine\ntitle = "cos"\nsteps = 30\n[[schedule]]\nname = "cosine"\nlr = 0.1\n'
STEP = '# a step\nsteps = 30\n[[schedule]]\nname = "step"\nlr = 0.1\nstep_size = 10\n'


@pytest.fixture(name="small")
def _small(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("configs").mkdir()
    Path("configs/cos.toml").write_text(COSINE)
    Path("configs/step.toml").write_text(STEP)
    return tmp_path


def test_gallery_writes_pictures_readme_and_manifest(cli, small):
    result = cli("gallery", "out")
    assert result.code == 0, result.err
    assert sorted(p.name for p in Path("out").iterdir()) == [
        "README.md", "cos.png", "manifest.json", "step.png"]
    readme = Path("out/README.md").read_text()
    assert "## cos\n\na cosine\n\n![cos](cos.png)" in readme
    assert "lrplot plot configs/step.toml --out out/step.png" in readme
    # Each picture is exactly what its README command draws.
    assert cli("plot", "configs/step.toml", "--out", "direct.png").code == 0
    assert Path("direct.png").read_bytes() == Path("out/step.png").read_bytes()
    assert cli("gallery", "out", "--check").code == 0


def test_gallery_is_byte_stable(cli, small):
    assert cli("gallery", "one").code == 0
    assert cli("gallery", "two").code == 0
    for name in ("cos.png", "step.png", "manifest.json"):
        assert Path("one", name).read_bytes() == Path("two", name).read_bytes()


@pytest.mark.parametrize("change", ["config", "image", "missing image", "readme", "new config",
                                    "removed config"])
def test_a_stale_gallery_fails_the_check(cli, small, change):
    assert cli("gallery", "out").code == 0
    if change == "config":
        Path("configs/cos.toml").write_text(COSINE.replace("0.1", "0.2"))
    elif change == "image":
        other = Path("out/step.png").read_bytes()
        Path("out/cos.png").write_bytes(other)
    elif change == "missing image":
        Path("out/cos.png").unlink()
    elif change == "readme":
        Path("out/README.md").write_text("# hand-edited\n")
    elif change == "new config":
        Path("configs/more.toml").write_text(STEP)
    else:
        Path("configs/step.toml").unlink()
    assert gallery.stale("out", "configs") != []
    result = cli("gallery", "out", "--check")
    assert result.code == 2
    assert "gallery out is stale" in result.err and len(result.err.splitlines()) == 1
    assert cli("gallery", "out").code == 0  # regenerating fixes it
    assert gallery.stale("out", "configs") == []


def test_regenerating_removes_pictures_of_deleted_configs_only(cli, small):
    assert cli("gallery", "out").code == 0
    Path("out/mine.png").write_bytes(b"not from a config")
    Path("configs/step.toml").unlink()
    assert cli("gallery", "out").code == 0
    assert not Path("out/step.png").exists()
    assert Path("out/mine.png").exists()  # never listed in the manifest: not ours to delete


def test_a_broken_config_writes_nothing(cli, small):
    Path("configs/zz.toml").write_text('[[schedule]]\nname = "cosine"\ndecay = 1\n')
    result = cli("gallery", "out")
    assert result.code == 2
    assert "configs/zz.toml: schedule[0]: cosine: unknown parameter 'decay'" in result.err
    assert not Path("out").exists()


def test_gallery_errors(cli, small):
    result = cli("gallery", "out", "--configs", "nowhere")
    assert result.code == 2 and "--configs nowhere: no such directory" in result.err
    Path("empty").mkdir()
    result = cli("gallery", "out", "--configs", "empty")
    assert result.code == 2 and "holds no config files" in result.err
    shutil.copy("configs/cos.toml", "configs/cos.json")
    result = cli("gallery", "out")
    assert result.code == 2 and "would both draw cos.png" in result.err


def _perturb_numbers(factor: float) -> None:
    manifest = json.loads(Path("out/manifest.json").read_text())
    column = manifest["pictures"][0]["numbers"][0]
    column["samples"] = [value * factor for value in column["samples"]]
    Path("out/manifest.json").write_text(json.dumps(manifest))


def test_last_bit_differences_between_machines_are_not_staleness(cli, small):
    # numpy's SIMD power/exp may round differently on another CPU: that is not a stale picture.
    assert cli("gallery", "out").code == 0
    _perturb_numbers(1 + 4e-16)
    assert gallery.stale("out", "configs") == []


def test_numbers_that_really_changed_are_stale(cli, small):
    assert cli("gallery", "out").code == 0
    _perturb_numbers(1 + 1e-6)
    assert gallery.stale("out", "configs") == [
        "out/cos.png shows different numbers than configs/cos.toml gives now"]
