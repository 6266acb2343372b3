"""make deploy: what goes to the Space, offline; and the Space's start, from exactly that set."""

import re
import socket
from fnmatch import fnmatch
from pathlib import Path

import httpx
import pytest
from gradio_client import Client

import deploy
from tests.conftest import app_process, png

ROOT = Path(__file__).resolve().parent.parent


def test_the_dry_run_lists_what_the_app_needs_and_sends_nothing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    def refuse(*args: object) -> None:
        raise AssertionError("the dry run opened a connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    deploy.main(["someone/vae-playground", "--dry-run"])
    listed = re.findall(r"^\s*[\d,]+  (\S+)$", capsys.readouterr().out, re.MULTILINE)
    assert {
        "app.py",
        "README.md",
        "requirements.txt",
        "ui/generate.py",
        "ui/static/decoder.js",
        "playground/generate.py",
    } <= set(listed)
    assert {"vae/model.py", "playground/draw.py", "playground/bundle.py"} <= set(listed)
    folders = [path.parent.name for path in (ROOT / "weights").glob("*/config.json")]
    assert {f"weights/{name}/model.safetensors" for name in folders} <= set(listed)
    assert {"weights/mnist-vae/decoder.safetensors", "weights/fashion-mnist-vae/decoder.safetensors"} <= set(
        listed
    )
    assert not [
        name for name in listed if name.split("/")[0] in {"tests", "benchmarks", ".venv", "test-artifacts"}
    ]


def test_tests_benchmarks_environments_and_caches_stay_home(tmp_path: Path) -> None:
    names = ["app.py", "vae/model.py", "tests/test_app.py", "benchmarks/load.py", ".venv/lib/site.py"]
    names += ["test-artifacts/shot.png", "vae/__pycache__/model.cpython-311.pyc", "weights/x-vae/config.json"]
    for name in names:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    assert deploy.upload_set(tmp_path) == ["app.py", "vae/model.py", "weights/x-vae/config.json"]


def test_gitattributes_sends_every_binary_file_of_the_upload_through_lfs() -> None:
    patterns = [
        line.split()[0]
        for line in (ROOT / ".gitattributes").read_text().splitlines()
        if "filter=lfs" in line and not line.startswith("#")
    ]
    binary = [name for name in deploy.upload_set() if b"\0" in (ROOT / name).read_bytes()[:8000]]
    assert {Path(name).suffix for name in binary} >= {".safetensors", ".png"}
    for name in binary:
        assert any(fnmatch(Path(name).name, pattern) for pattern in patterns), name


def test_the_space_takes_cpu_torch_and_every_other_pin_as_it_is() -> None:
    ours = (ROOT / "requirements.txt").read_text().splitlines()
    space = deploy.space_requirements().splitlines()
    assert space[0] == "--extra-index-url https://download.pytorch.org/whl/cpu"
    torch_pin = next(line for line in ours if line.startswith("torch=="))
    assert f"{torch_pin}+cpu" in space and not [line for line in space if line == torch_pin]
    assert [line.removesuffix("+cpu") for line in space[1:]] == ours


def test_the_upload_set_starts_as_a_space_starts_it(tmp_path: Path) -> None:
    deploy.stage(tmp_path)
    with app_process(tmp_path, GRADIO_SERVER_NAME="0.0.0.0", SYSTEM="spaces") as url:
        assert "VAE playground" in httpx.get(url).text
        image, caption = Client(url, verbose=False).predict("mnist", *[0.0] * 16, api_name="/decode")
        assert png(image).shape == (280, 280) and caption.startswith("Looks like")
