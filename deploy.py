"""Put the app on a Hugging Face Space: python deploy.py owner/name [--hardware H] [--dry-run] [--stage DIR]
(or make deploy).

Creates the Space (Gradio SDK) on the hardware asked for if it is missing, and uploads exactly what it
runs: the app, its modules, the bundled weights and data subsets, and the README (the Space's config),
with the Python version and the requirements that hardware supports. ZeroGPU (zero-a10g, the default) is
the hardware a free account can create: Python 3.12 and PyTorch's CUDA build from PyPI, in the range
ZeroGPU offers; CPU hardware (cpu-basic, cpu-upgrade) needs a paid plan and takes PyTorch's CPU wheels.
The token comes from HF_TOKEN or an earlier `hf auth login`. --dry-run lists the files, their sizes and
the hardware, and touches no network; --stage DIR leaves the exact upload set in DIR."""

import argparse
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

from huggingface_hub import HfApi, get_token
from huggingface_hub.errors import HfHubHTTPError
from huggingface_hub.utils import filter_repo_objects

ROOT = Path(__file__).resolve().parent
ALLOW = [
    ".gitattributes",
    "README.md",
    "app.py",
    "ui/*.py",
    "ui/style.css",
    "ui/*.toml",
    "ui/static/*.js",
    "vae/*.py",
    "playground/*.py",
    "weights/*/*",
    "subsets/*/*",  # the Train tab's data, with their cards
    "docs/*.png",  # the README's screenshot
]
IGNORE = ["tests/*", "benchmarks/*", ".venv/*", "test-artifacts/*", "*/__pycache__/*", "*.pyc"]
SKIPPED_FOLDERS = {".git", ".venv", "test-artifacts", "tests", "benchmarks", "__pycache__", ".ruff_cache"}
ZERO_GPU = "zero-a10g"
CPU_INDEX = "https://download.pytorch.org/whl/cpu"
CPU_BUILDS = ("torch", "torchvision")  # on Linux, PyPI's builds carry about 3.2 GB of CUDA libraries
# ZeroGPU runs Python 3.10 or 3.12 and offers PyTorch 2.8.0 to the newest; a pin it does not offer fails
# the Space's build. These are the newest listed in the Hub's ZeroGPU documentation (August 2026).
ZERO_GPU_PYTHON = "3.12"
ZERO_GPU_BUILDS = {"torch": "2.11.0", "torchvision": "0.26.0"}
PROVIDED_ON_ZERO_GPU = ("gradio", "spaces")  # the platform installs these (sdk_version pins Gradio)
MCP_EXTRA = ("mcp>=1.21.0,<2.0.0", "pydantic>=2.11.10,<=2.12.5")  # what gradio[mcp] 6.31 adds: the MCP server


def upload_set(root: Path = ROOT) -> list[str]:
    """The files the Space needs, relative to root, filtered as upload_folder filters them."""
    files = []
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = sorted(name for name in subfolders if name not in SKIPPED_FOLDERS)
        files += [(Path(folder) / name).relative_to(root).as_posix() for name in names]
    return sorted(filter_repo_objects(files, allow_patterns=ALLOW, ignore_patterns=IGNORE))


def package(line: str) -> str:
    """The package a requirements line pins, without extras: 'gradio[mcp]==6.31.0' -> 'gradio'."""
    return re.split(r"[\[=<>~! ]", line.strip(), maxsplit=1)[0].lower()


def space_requirements(hardware: str = ZERO_GPU, root: Path = ROOT) -> str:
    """requirements.txt as the Space installs it on that hardware: the same pins, with a torch it
    supports; on ZeroGPU without the packages the platform provides."""
    ours = [line for line in (root / "requirements.txt").read_text().splitlines() if line.strip()]
    if hardware == ZERO_GPU:
        lines = []
        for line in ours:
            name = package(line)
            if name in ZERO_GPU_BUILDS:
                lines.append(f"{name}=={ZERO_GPU_BUILDS[name]}")
            elif name not in PROVIDED_ON_ZERO_GPU:
                lines.append(line)
            elif "[mcp]" in line:
                lines.extend(MCP_EXTRA)
        return "\n".join(lines) + "\n"
    lines = [f"--extra-index-url {CPU_INDEX}"]
    for line in ours:
        name, _, version = line.partition("==")
        lines.append(f"{name}=={version}+cpu" if package(line) in CPU_BUILDS else line)
    return "\n".join(lines) + "\n"


def space_readme(hardware: str, root: Path = ROOT) -> str:
    """README.md with the front matter's Python version set to one the hardware runs."""
    text = (root / "README.md").read_text()
    if hardware != ZERO_GPU:
        return text
    return re.sub(
        r"^python_version: .*$", f'python_version: "{ZERO_GPU_PYTHON}"', text, count=1, flags=re.MULTILINE
    )


def stage(folder: Path, hardware: str = ZERO_GPU, root: Path = ROOT) -> list[Path]:
    """Copy the upload set into folder, with the hardware's requirements.txt and README front matter;
    returns what it holds."""
    for name in upload_set(root):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / name, folder / name)
    (folder / "requirements.txt").write_text(space_requirements(hardware, root))
    (folder / "README.md").write_text(space_readme(hardware, root))
    return sorted(path for path in folder.rglob("*") if path.is_file())


def describe(folder: Path, files: list[Path]) -> str:
    """One line per file with its size, and the total."""
    lines = [f"{path.stat().st_size:>12,}  {path.relative_to(folder).as_posix()}" for path in files]
    total = sum(path.stat().st_size for path in files)
    return "\n".join([*lines, f"{total:>12,}  in {len(files)} files"])


def refusal(err: HfHubHTTPError, space: str, hardware: str) -> str:
    """One line for a refusal from the Hub: what happened and what to do."""
    status = err.response.status_code if err.response is not None else None
    owner = space.split("/")[0]
    if status == 402 and hardware != ZERO_GPU:
        return (
            f"error: the Hub refused {hardware} for {space} (402): Gradio Spaces on CPU hardware need a paid "
            f"plan (PRO for a personal account). On a free account, deploy to ZeroGPU: leave out HARDWARE."
        )
    if status in (402, 409) and hardware == ZERO_GPU:
        return (
            f"error: the Hub refused a ZeroGPU Space for {space} ({status}): a free account can host at most "
            "two, and only once its email is verified and it is 30 days old. Delete or pause one of your "
            "ZeroGPU Spaces, or deploy to a Space you already have."
        )
    if status in (401, 403):
        return (
            f"error: the Hub refused the token ({status}): it cannot write to {owner}'s Spaces. Make a token "
            "with write access at huggingface.co/settings/tokens and set HF_TOKEN, or run `hf auth login`."
        )
    if status == 409:
        return (
            f"error: the Hub answered 409 for {space}: a conflicting operation is running; try again shortly."
        )
    return f"error: the Hub refused the deploy of {space} ({status}): {err.server_message or err}"


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python deploy.py", description=__doc__.split("\n")[0])
    p.add_argument("space", help="the Space's id, owner/name")
    p.add_argument(
        "--hardware", default=ZERO_GPU, help=f"the Space's hardware: {ZERO_GPU} (default, free) or a paid one"
    )
    p.add_argument("--dry-run", action="store_true", help="list what would be uploaded; no network")
    p.add_argument("--stage", type=Path, help="leave the exact upload set in this folder (must be empty)")
    args = p.parse_args(argv)
    if args.space.count("/") != 1 or not all(args.space.split("/")):
        p.error(f"the Space's id is owner/name, not {args.space!r}")
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", args.hardware):
        p.error(f"not a hardware name: {args.hardware!r} (zero-a10g, cpu-basic, cpu-upgrade, t4-small, ...)")
    if args.stage is not None and args.stage.exists() and any(args.stage.iterdir()):
        p.error(f"--stage {args.stage} is not empty")
    if not args.dry_run and not get_token():
        sys.exit("error: no Hugging Face token: set HF_TOKEN or run `hf auth login` first")
    with tempfile.TemporaryDirectory() as scratch:
        staging = args.stage or Path(scratch)
        staging.mkdir(parents=True, exist_ok=True)
        files = stage(staging, args.hardware)
        print(describe(staging, files))
        print(f"hardware: {args.hardware}")
        if args.dry_run:
            print(f"dry run: nothing was sent to {args.space}")
            return
        api = HfApi()
        try:
            api.create_repo(
                args.space, repo_type="space", space_sdk="gradio", space_hardware=args.hardware, exist_ok=True
            )
            commit = api.upload_folder(
                repo_id=args.space,
                repo_type="space",
                folder_path=staging,
                commit_message="Deploy the VAE playground",
            )
        except HfHubHTTPError as err:
            sys.exit(refusal(err, args.space, args.hardware))
        print(f"uploaded to https://huggingface.co/spaces/{args.space} on {args.hardware} ({commit.oid})")


if __name__ == "__main__":
    main()
