"""Compact training subsets that travel with the app, so it can train with no network and no dataset
on disk: python -m vae.subsets --dataset mnist (writes subsets/mnist/).

Each subset is one compressed numpy archive of uint8 images and labels (loaded with
allow_pickle=False) and a data card (README.md) that says where the images come from, which ones,
their licence, and the archive's SHA-256, which load_subset checks before it reads a byte."""

import argparse
import hashlib
import io
import sys
from pathlib import Path
from typing import NamedTuple

import numpy as np
from huggingface_hub import DatasetCard, DatasetCardData

from vae.cli import HelpFormatter
from vae.config import DATASETS, check_dataset

HELD_OUT_IMAGES = 1_000  # the test images each subset keeps: the map's, the posterior's, the Draw tab's

SUBSETS_DIR = Path(__file__).resolve().parent.parent / "subsets"
ARCHIVE, CARD = "data.npz", "README.md"
ARRAYS = ("train_images", "train_labels", "test_images", "test_labels")

TEMPLATE = """---
{{ card_data }}
---

# {{ title }}: a compact training subset

The first {{ train_images }} images of the {{ title }} training set, with their labels, and the
first {{ test_images }} images of its test set, which the app holds out to draw its maps and measure
its losses. The Train tab of the VAE playground trains on them, so that it needs no network and no
dataset on disk.

- `data.npz`: numpy's compressed archive of uint8 arrays `train_images` ({{ train_images }}, 28, 28),
  `train_labels`, `test_images` ({{ test_images }}, 28, 28), `test_labels`; read with
  `numpy.load(..., allow_pickle=False)`.
- SHA-256 of `data.npz`: `{{ sha256 }}` (`vae.subsets.load_subset` checks it).
- Written by `{{ command }}`.

Licence: {{ licence }}. Only the images and labels above are copied, unchanged.
"""


class SubsetError(RuntimeError):
    """A subset is missing, corrupt or does not match its card; the message names the file."""


class Subset(NamedTuple):
    """Images as uint8 (N, 28, 28) and labels as uint8 (N,)."""

    train_images: np.ndarray
    train_labels: np.ndarray
    test_images: np.ndarray
    test_labels: np.ndarray


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_subset(subset: Subset, dataset: str, folder: Path, command: str) -> Path:
    """Write folder/data.npz and its card; returns the archive's path."""
    folder.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    np.savez_compressed(
        buffer,
        **{name: np.ascontiguousarray(array, np.uint8) for name, array in zip(ARRAYS, subset, strict=True)},
    )
    archive = folder / ARCHIVE
    archive.write_bytes(buffer.getvalue())
    entry = DATASETS[dataset]
    data = DatasetCardData(
        license="cc-by-sa-3.0" if dataset == "mnist" else "mit",
        pretty_name=f"{entry.title} subset for the VAE playground",
        source_datasets=[entry.hub_id],
        dataset=dataset,
        train_images=len(subset.train_images),
        test_images=len(subset.test_images),
        sha256=sha256(archive),
    )
    card = DatasetCard.from_template(
        data,
        template_str=TEMPLATE,
        title=entry.title,
        train_images=f"{len(subset.train_images):,}",
        test_images=f"{len(subset.test_images):,}",
        sha256=data.sha256,
        command=command,
        licence=entry.licence,
    )
    card.save(folder / CARD)
    return archive


def load_subset(dataset: str, root: Path = SUBSETS_DIR) -> Subset:
    """The subset of a dataset that travels with the app, checked against its card's SHA-256 and
    shapes; a SubsetError names the file at fault."""
    try:
        check_dataset(dataset)
    except ValueError as err:
        raise SubsetError(str(err)) from None
    folder = root / dataset
    archive, card_path = folder / ARCHIVE, folder / CARD
    try:
        expected = DatasetCard.load(card_path).data.to_dict().get("sha256")
    except (OSError, ValueError) as err:
        raise SubsetError(f"{card_path}: not a readable data card ({err})") from None
    try:
        actual = sha256(archive)
    except OSError as err:
        raise SubsetError(f"{archive}: cannot be read ({err.strerror or err})") from None
    if actual != expected:
        raise SubsetError(
            f"{archive}: its SHA-256 does not match the one in {card_path}: the file is corrupt"
        )
    try:
        with np.load(archive, allow_pickle=False) as stored:
            subset = Subset(*(stored[name] for name in ARRAYS))
    except (OSError, ValueError, KeyError) as err:
        raise SubsetError(f"{archive}: not a readable subset ({err})") from None
    for images, labels in (
        (subset.train_images, subset.train_labels),
        (subset.test_images, subset.test_labels),
    ):
        if images.dtype != np.uint8 or images.shape[1:] != (28, 28) or labels.shape != images.shape[:1]:
            raise SubsetError(f"{archive}: expected uint8 images (N, 28, 28) with one label each")
    return subset


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(
        prog="python -m vae.subsets", description=__doc__, formatter_class=HelpFormatter
    )
    p.add_argument("--dataset", choices=sorted(DATASETS), default="mnist", help="which dataset to copy from")
    p.add_argument("--train", type=int, default=10_000, help="the first this many training images")
    p.add_argument("--test", type=int, default=HELD_OUT_IMAGES, help="the first this many test images")
    p.add_argument("--data-root", type=Path, help="torchvision data root or a folder of IDX files")
    p.add_argument("--out", type=Path, help="the subset's folder (default: subsets/<dataset>)")
    args = p.parse_args(argv)
    if args.train < 1 or args.test < 1:
        p.error("--train and --test must be at least 1")
    from vae.data import DataError, as_bytes, load_split  # torchvision reads the full dataset

    try:
        images, labels = load_split(args.dataset, args.data_root, train=True)
        test_images, test_labels = load_split(args.dataset, args.data_root, train=False)
    except DataError as err:
        sys.exit(f"error: {err}")
    if args.train > len(images) or args.test > len(test_images):
        sys.exit(f"error: the dataset has {len(images):,} training and {len(test_images):,} test images")
    subset = Subset(
        as_bytes(images[: args.train]),
        labels[: args.train].numpy().astype(np.uint8),
        as_bytes(test_images[: args.test]),
        test_labels[: args.test].numpy().astype(np.uint8),
    )
    command = " ".join(["python -m vae.subsets", *(sys.argv[1:] if argv is None else argv)])
    print(write_subset(subset, args.dataset, args.out or SUBSETS_DIR / args.dataset, command))


if __name__ == "__main__":
    main()
