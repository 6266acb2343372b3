"""make deploy: what goes to the Space, offline; and the Space's start, from exactly that set."""

import re
import socket
from fnmatch import fnmatch
from pathlib import Path

import httpx
import httpx2
import pytest
from gradio_client import Client
from huggingface_hub import HfApi, metadata_load
from huggingface_hub.errors import HfHubHTTPError

import deploy
from tests.conftest import app_process, png

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("hardware", [None, "cpu-basic"])
def test_the_dry_run_lists_what_the_app_needs_and_the_hardware_and_sends_nothing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture, tmp_path: Path, hardware: str | None
) -> None:
    def refuse(*args: object) -> None:
        raise AssertionError("the dry run opened a connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    staged = tmp_path / "stage"
    deploy.main(
        [
            "someone/vae-playground",
            "--dry-run",
            "--stage",
            str(staged),
            *(["--hardware", hardware] if hardware else []),
        ]
    )
    printed = capsys.readouterr().out
    assert f"hardware: {hardware or 'zero-a10g'}\n" in printed
    listed = re.findall(r"^\s*[\d,]+  (\S+)$", printed, re.MULTILINE)
    assert {"app.py", "README.md", "requirements.txt", "ui/generate.py", "ui/static/decoder.js"} <= set(
        listed
    )
    assert {"vae/model.py", "playground/draw.py", "playground/runs.py", "ui/train.py"} <= set(listed)
    assert {"subsets/mnist/data.npz", "subsets/mnist/README.md", "subsets/fashion-mnist/data.npz"} <= set(
        listed
    )
    folders = [path.parent.name for path in (ROOT / "weights").glob("*/config.json")]
    assert {f"weights/{name}/model.safetensors" for name in folders} <= set(listed)
    assert {"weights/mnist-vae/decoder.safetensors", "weights/mnist-beta-1/model.safetensors"} <= set(listed)
    assert not [
        name for name in listed if name.split("/")[0] in {"tests", "benchmarks", ".venv", "test-artifacts"}
    ]
    assert sorted(
        path.relative_to(staged).as_posix() for path in staged.rglob("*") if path.is_file()
    ) == sorted(listed)  # --stage leaves exactly the upload set
    python = metadata_load(staged / "README.md")["python_version"]
    requirements = (staged / "requirements.txt").read_text()
    if (
        hardware is None
    ):  # ZeroGPU: Python 3.12, PyPI's CUDA torch in ZeroGPU's range, no gradio or spaces pin
        assert (
            python == "3.12" and "torch==2.11.0\n" in requirements and "--extra-index-url" not in requirements
        )
        assert (
            not re.search(r"^(gradio|spaces)\b", requirements, re.MULTILINE) and "mcp>=1.21.0" in requirements
        )
    else:
        assert python == "3.11" and "torch==2.14.1+cpu" in requirements and "spaces==0.51.3" in requirements


def test_a_non_empty_stage_folder_or_a_bad_hardware_name_is_refused(tmp_path: Path) -> None:
    (tmp_path / "old.txt").write_text("x")
    for extra in (["--stage", str(tmp_path)], ["--hardware", "Zero GPU!"]):
        with pytest.raises(SystemExit) as exit_info:
            deploy.main(["someone/vae-playground", "--dry-run", *extra])
        assert exit_info.value.code == 2


def hub_error(status: int) -> HfHubHTTPError:
    request = httpx2.Request("POST", "https://huggingface.co/api/repos/create")
    response = httpx2.Response(status, request=request, json={"error": "refused"})
    return HfHubHTTPError(f"{status} Client Error", response=response, server_message="refused")


@pytest.mark.parametrize(
    ("status", "hardware", "says"),
    [
        (
            402,
            "cpu-basic",
            "need a paid plan (PRO for a personal account). On a free account, deploy to ZeroGPU",
        ),
        (402, "zero-a10g", "a free account can host at most two"),
        (409, "zero-a10g", "a free account can host at most two"),
        (403, "zero-a10g", "Make a token with write access"),
    ],
)
def test_a_refusal_from_the_hub_is_one_line_that_says_what_to_do(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, status: int, hardware: str, says: str
) -> None:
    asked = {}

    def create_repo(self: HfApi, repo_id: str, **options: object) -> None:
        asked.update(options)
        raise hub_error(status)

    monkeypatch.setattr(HfApi, "create_repo", create_repo)
    monkeypatch.setenv("HF_TOKEN", "hf_test")
    with pytest.raises(SystemExit) as exit_info:
        deploy.main(["someone/vae-playground", "--hardware", hardware])
    message = str(exit_info.value.code)
    assert asked["space_hardware"] == hardware and asked["space_sdk"] == "gradio"
    assert says in message and message.startswith("error: ") and "\n" not in message


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


def test_cpu_hardware_takes_cpu_torch_and_every_other_pin_as_it_is() -> None:
    ours = (ROOT / "requirements.txt").read_text().splitlines()
    space = deploy.space_requirements("cpu-basic").splitlines()
    assert space[0] == "--extra-index-url https://download.pytorch.org/whl/cpu"
    torch_pin = next(line for line in ours if line.startswith("torch=="))
    assert f"{torch_pin}+cpu" in space and not [line for line in space if line == torch_pin]
    assert [line.removesuffix("+cpu") for line in space[1:]] == ours


def test_the_upload_set_starts_as_a_space_starts_it(tmp_path: Path) -> None:
    deploy.stage(tmp_path, "cpu-basic")
    with app_process(tmp_path, GRADIO_SERVER_NAME="0.0.0.0", SYSTEM="spaces") as url:
        assert "VAE playground" in httpx.get(url).text
        image, reading = Client(url, verbose=False).predict("mnist", *[0.0] * 16, api_name="/decode")
        assert png(image).shape == (280, 280) and reading["class"] in [str(digit) for digit in range(10)]
