"""Prove, offline, that the ZeroGPU upload set installs and runs as a Space would: python space_check.py
(or make space-check).

Stages exactly what `make deploy` uploads for ZeroGPU, builds a fresh Python 3.12 environment from its
requirements.txt alone, adding only what the platform provides (the Gradio of the README's sdk_version
and `spaces`), starts `python app.py` in the staged folder as a Space starts it, and calls /decode,
/reconstruct with a drawing and a two-epoch /train. ZeroGPU itself (SPACES_ZERO_GPU) cannot run here:
@spaces.GPU leaves the training function as it is, and training runs on the CPU with the CUDA build of
PyTorch the Space installs. Prints one JSON object; exits 1 if any step fails."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from huggingface_hub import metadata_load
from PIL import Image, ImageDraw

from deploy import ZERO_GPU, ZERO_GPU_PYTHON, stage
from ui.launch import app_process

ROOT = Path(__file__).resolve().parent


def python312() -> str:
    """The Python the Space runs: $PYTHON312, pyenv's 3.12, or python3.12 on the PATH."""
    candidates = [os.environ.get("PYTHON312", "")]
    if shutil.which("pyenv"):
        done = subprocess.run(["pyenv", "prefix", "3.12.1"], capture_output=True, text=True)
        candidates.append(f"{done.stdout.strip()}/bin/python" if done.returncode == 0 else "")
    candidates.append(shutil.which(f"python{ZERO_GPU_PYTHON}") or "")
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return candidate
    sys.exit(f"error: no Python {ZERO_GPU_PYTHON} found: set PYTHON312 to one")


def drawing(path: Path) -> Path:
    """A 4 in black strokes on a transparent pad, as the sketch pad sends it."""
    image = Image.new("RGBA", (400, 400), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.line([(206, 60), (94, 228), (276, 228)], fill=(0, 0, 0, 255), width=30, joint="curve")
    draw.line([(234, 116), (234, 340)], fill=(0, 0, 0, 255), width=30)
    image.save(path)
    return path


def install(app: Path, venv: Path, report: dict) -> Path:
    """A fresh Python 3.12 environment with the staged requirements and what ZeroGPU provides beside them;
    returns its python."""
    meta = metadata_load(app / "README.md")
    report["front_matter"] = {key: meta[key] for key in ("python_version", "sdk_version")}
    report["requirements"] = (app / "requirements.txt").read_text().splitlines()
    started = time.perf_counter()
    subprocess.run([python312(), "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    provided = [f"gradio=={meta['sdk_version']}", "spaces"]  # what ZeroGPU installs beside the requirements
    subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "-r", app / "requirements.txt", *provided], check=True
    )
    report["install_s"] = round(time.perf_counter() - started, 1)
    versions = subprocess.run(
        [
            python,
            "-c",
            "import sys, torch, gradio; print(sys.version.split()[0], torch.__version__, gradio.__version__)",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    report["python"], report["torch"], report["gradio"] = versions
    return python


def call_endpoints(url: str, workdir: Path, report: dict) -> None:
    """/decode, /reconstruct with a drawing and a two-epoch /train, as a visitor's client calls them."""
    from gradio_client import Client, handle_file

    client = Client(url, verbose=False)
    _, reading = client.predict("mnist", *[0.0] * 16, api_name="/decode")
    report["decode"] = reading
    drawn = handle_file(str(drawing(workdir / "four.png")))
    report["reconstruct"] = client.predict("mnist", drawn, api_name="/reconstruct")[-1]["reading"]
    started = time.perf_counter()
    *_, figures = client.predict("mnist", 1.0, 2, 0, api_name="/train")
    report["train_two_epochs"] = {"records": figures, "seconds": round(time.perf_counter() - started, 1)}
    if len(figures) != 3 or "probability" not in reading or "probability" not in report["reconstruct"]:
        raise RuntimeError("an endpoint answered something else than expected")


def check(workdir: Path) -> dict:
    """Stage, install, start as a Space starts the app, and call it; what each step measured."""
    report: dict = {}
    app = workdir / "app"
    app.mkdir()
    stage(app, ZERO_GPU)
    python = install(app, workdir / "venv", report)
    started = time.perf_counter()
    space = {"GRADIO_SERVER_NAME": "127.0.0.1", "SYSTEM": "spaces"}
    with app_process(app, python=python, env=space, timeout=180) as url:
        report["start_s"] = round(time.perf_counter() - started, 1)
        call_endpoints(url, workdir, report)
    return report


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="space-check-") as workdir:
        try:
            report = {"ok": True, **check(Path(workdir))}
        except (subprocess.CalledProcessError, RuntimeError, httpx.HTTPError) as err:
            report = {"ok": False, "error": str(err)[-3000:]}
    print(json.dumps(report, indent=1))
    sys.exit(0 if report["ok"] else 1)


if __name__ == "__main__":
    main()
