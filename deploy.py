"""Put the app on a Hugging Face Space: python deploy.py owner/name [--dry-run] (or make deploy).

Creates the Space (Gradio SDK) if it is missing and uploads exactly what it runs: the app, its
modules, the bundled weights and the README (the Space's config), with a requirements.txt that takes
torch from PyTorch's CPU wheel index. The token comes from HF_TOKEN or an earlier `hf auth login`.
--dry-run lists the files and their sizes and touches no network."""

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

from huggingface_hub import HfApi, get_token
from huggingface_hub.utils import filter_repo_objects

ROOT = Path(__file__).resolve().parent
ALLOW = [
    ".gitattributes",
    "README.md",
    "app.py",
    "ui/*.py",
    "ui/style.css",
    "ui/static/*.js",
    "vae/*.py",
    "playground/*.py",
    "weights/*/*",
    "docs/*.png",  # the README's screenshot
]
IGNORE = ["tests/*", "benchmarks/*", ".venv/*", "test-artifacts/*", "*/__pycache__/*", "*.pyc"]
SKIPPED_FOLDERS = {".git", ".venv", "test-artifacts", "tests", "benchmarks", "__pycache__", ".ruff_cache"}
CPU_INDEX = "https://download.pytorch.org/whl/cpu"
CPU_BUILDS = ("torch", "torchvision")  # on Linux, PyPI's builds carry about 3.2 GB of CUDA libraries


def upload_set(root: Path = ROOT) -> list[str]:
    """The files the Space needs, relative to root, filtered as upload_folder filters them."""
    files = []
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = sorted(name for name in subfolders if name not in SKIPPED_FOLDERS)
        files += [(Path(folder) / name).relative_to(root).as_posix() for name in names]
    return sorted(filter_repo_objects(files, allow_patterns=ALLOW, ignore_patterns=IGNORE))


def space_requirements(root: Path = ROOT) -> str:
    """requirements.txt as the Space installs it: the same pins, torch's from the CPU wheel index."""
    lines = [f"--extra-index-url {CPU_INDEX}"]
    for line in (root / "requirements.txt").read_text().splitlines():
        name, _, version = line.partition("==")
        lines.append(f"{name}=={version}+cpu" if name.strip() in CPU_BUILDS else line)
    return "\n".join(lines) + "\n"


def stage(folder: Path, root: Path = ROOT) -> list[Path]:
    """Copy the upload set into folder, with the Space's requirements.txt; returns what it holds."""
    for name in upload_set(root):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / name, folder / name)
    (folder / "requirements.txt").write_text(space_requirements(root))
    return sorted(path for path in folder.rglob("*") if path.is_file())


def describe(folder: Path, files: list[Path]) -> str:
    """One line per file with its size, and the total."""
    lines = [f"{path.stat().st_size:>12,}  {path.relative_to(folder).as_posix()}" for path in files]
    total = sum(path.stat().st_size for path in files)
    return "\n".join([*lines, f"{total:>12,}  in {len(files)} files"])


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python deploy.py", description=__doc__.split("\n")[0])
    p.add_argument("space", help="the Space's id, owner/name")
    p.add_argument("--dry-run", action="store_true", help="list what would be uploaded; no network")
    args = p.parse_args(argv)
    if args.space.count("/") != 1 or not all(args.space.split("/")):
        p.error(f"the Space's id is owner/name, not {args.space!r}")
    if not args.dry_run and not get_token():
        sys.exit("error: no Hugging Face token: set HF_TOKEN or run `hf auth login` first")
    with tempfile.TemporaryDirectory() as staging:
        files = stage(Path(staging))
        print(describe(Path(staging), files))
        if args.dry_run:
            print(f"dry run: nothing was sent to {args.space}")
            return
        api = HfApi()
        api.create_repo(args.space, repo_type="space", space_sdk="gradio", exist_ok=True)
        commit = api.upload_folder(
            repo_id=args.space,
            repo_type="space",
            folder_path=staging,
            commit_message="Deploy the VAE playground",
        )
        print(f"uploaded to https://huggingface.co/spaces/{args.space} ({commit.oid})")


if __name__ == "__main__":
    main()
