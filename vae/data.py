"""MNIST-style datasets as in-memory tensors, read through torchvision."""

import gzip
import shutil
import tempfile
from pathlib import Path

import numpy as np
import torch

from vae.config import check_dataset

# Where this project's machines keep each dataset: torchvision's layout for MNIST, and the flat folder
# of IDX .gz files that Debian's dataset-fashion-mnist package installs for Fashion-MNIST.
DEFAULT_DATA_ROOTS = {
    "mnist": Path(__file__).resolve().parent.parent.parent / "shared" / "mnist",
    "fashion-mnist": Path("/usr/share/datasets/fashion-mnist"),
}
IDX_FILES = [
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
]


class DataError(RuntimeError):
    """The dataset is missing or unreadable; the message says where it was looked for."""


def is_idx_folder(root: Path) -> bool:
    """True for a flat folder of the four IDX files (plain or .gz), as the dataset authors ship them."""
    return all((root / name).is_file() or (root / f"{name}.gz").is_file() for name in IDX_FILES)


def copy_idx_folder(source: Path, raw: Path) -> None:
    """Unpack a flat IDX folder into torchvision's <root>/<Dataset>/raw/ layout."""
    raw.mkdir(parents=True, exist_ok=True)
    for name in IDX_FILES:
        packed = source / f"{name}.gz"
        path, opener = (packed, gzip.open) if packed.is_file() else (source / name, open)
        with opener(path, "rb") as src, open(raw / name, "wb") as dst:
            shutil.copyfileobj(src, dst)


def as_floats(images: np.ndarray) -> torch.Tensor:
    """uint8 images (N, 28, 28) as the models take them: float32 in [0, 1], shape (N, 1, 28, 28)."""
    return torch.from_numpy(images).unsqueeze(1).float().div_(255.0)


def as_bytes(images: torch.Tensor) -> np.ndarray:
    """Images in [0, 1] of shape (N, 1, 28, 28), on any device, back to uint8 (N, 28, 28) on the CPU:
    as_floats the other way, as the datasets store them."""
    return np.uint8(np.round(images[:, 0].clamp(0, 1).cpu().numpy() * 255))


def load_split(
    name: str, root: str | Path | None, train: bool, download: bool = False
) -> tuple[torch.Tensor, torch.Tensor]:
    """Images as float32 in [0, 1] of shape (N, 1, 28, 28), and int64 labels of shape (N,).

    root is torchvision's data root (holding <Dataset>/raw/), a flat folder of the IDX files, or None
    for the dataset's place in DEFAULT_DATA_ROOTS."""
    from torchvision import datasets  # here: the app imports as_floats without loading torchvision

    try:
        cls = getattr(datasets, check_dataset(name).torchvision_class)
    except ValueError as err:
        raise DataError(str(err)) from None
    root = Path(root or DEFAULT_DATA_ROOTS[name])
    if is_idx_folder(root) and not (root / cls.__name__ / "raw").is_dir():
        with tempfile.TemporaryDirectory() as unpacked:
            try:
                copy_idx_folder(root, Path(unpacked) / cls.__name__ / "raw")
            except (OSError, EOFError) as err:
                raise DataError(f"cannot unpack the IDX files in {root}: {err}") from err
            return load_split(name, unpacked, train)
    try:
        ds = cls(root=str(root), train=train, download=download)
    except (RuntimeError, ValueError, OSError) as err:
        raw = root / cls.__name__ / "raw"
        hint = "" if download else " (pass --download to fetch it, or --data-root to point at it)"
        raise DataError(f"{name} not found in {raw}{hint}: {err}") from err
    # Whole datasets fit in memory (47 MB for 60k images), which is far faster than a DataLoader
    # decoding PIL images one by one on a 2-core machine.
    return as_floats(ds.data.numpy()), ds.targets.long()
