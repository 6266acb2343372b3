"""The README is the Space's config and the user's manual: check what it promises exists."""

import re
from pathlib import Path

import gradio
from huggingface_hub import metadata_load

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
SPACES_COLORS = {"red", "yellow", "green", "blue", "indigo", "purple", "pink", "gray"}


def pinned(package: str) -> str:
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        name, _, version = line.partition("==")
        if name.split("[")[0].strip().lower() == package:
            return version.strip()
    raise AssertionError(f"requirements.txt does not pin {package}")


def test_front_matter_configures_a_gradio_space() -> None:
    meta = metadata_load(README)
    assert meta is not None, "README.md has no YAML front matter"
    assert meta["sdk"] == "gradio"
    assert meta["sdk_version"] == pinned("gradio") == gradio.__version__
    assert meta["python_version"] == "3.11"
    assert (ROOT / meta["app_file"]).is_file()
    assert meta["title"] and meta["emoji"] and meta["license"]
    assert {meta["colorFrom"], meta["colorTo"]} <= SPACES_COLORS
    assert 0 < len(meta["short_description"]) <= 60
    assert isinstance(meta["tags"], list) and "vae" in meta["tags"]


def test_every_weights_folder_and_image_the_readme_names_exists() -> None:
    text = README.read_text()
    folders = set(re.findall(r"`weights/([\w-]+)`", text))
    assert "mnist-vae" in folders
    for name in folders:
        assert (ROOT / "weights" / name / "config.json").is_file(), name
        assert (ROOT / "weights" / name / "model.safetensors").is_file(), name
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert images, "the README shows no screenshot"
    for image in images:
        assert (ROOT / image).is_file(), image


def test_ci_runs_the_readme_test_command() -> None:
    text = README.read_text()
    assert "make run" in text and "make test" in text
    assert re.search(r"^make test$", (ROOT / ".ci" / "run").read_text(), re.MULTILINE)
