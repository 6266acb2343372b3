"""MNIST-style datasets as in-memory tensors, read through torchvision."""

from pathlib import Path

import torch
from torchvision import datasets

DATASETS = {"mnist": datasets.MNIST, "fashion-mnist": datasets.FashionMNIST}
DEFAULT_DATA_ROOT = Path(__file__).resolve().parent.parent.parent / "shared" / "mnist"


class DataError(RuntimeError):
    """The dataset is missing or unreadable; the message says where it was looked for."""


def load_split(
    name: str, root: str | Path, train: bool, download: bool = False
) -> tuple[torch.Tensor, torch.Tensor]:
    """Images as float32 in [0, 1] of shape (N, 1, 28, 28), and int64 labels of shape (N,)."""
    if name not in DATASETS:
        raise DataError(f"unknown dataset {name!r}; choose one of {', '.join(DATASETS)}")
    cls = DATASETS[name]
    try:
        ds = cls(root=str(root), train=train, download=download)
    except RuntimeError as err:
        raw = Path(root) / cls.__name__ / "raw"
        hint = "" if download else " (pass --download to fetch it, or --data-root to point at it)"
        raise DataError(f"{name} not found in {raw}{hint}: {err}") from err
    # Whole datasets fit in memory (47 MB for 60k images), which is far faster than a DataLoader
    # decoding PIL images one by one on a 2-core machine.
    images = ds.data.unsqueeze(1).float().div_(255.0)
    return images, ds.targets.long()
