"""Shared fixtures: tiny IDX datasets written by the tests themselves, never downloaded data."""

import gzip
import struct
from pathlib import Path

import numpy as np
import pytest
import torch

from vae.classifier import ClassifierConfig, DigitClassifier
from vae.model import VAE, VAEConfig

torch.set_num_threads(2)


def write_idx(path: Path, array: np.ndarray) -> None:
    """Write a uint8 array in the IDX format MNIST ships in (magic: 0, 0, dtype 0x08, ndim)."""
    header = struct.pack(">BBBB", 0, 0, 0x08, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    path.write_bytes(header + array.astype(np.uint8).tobytes())


def blob_digits(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """n 28x28 images of a bright bar whose angle depends on the label: structure a VAE can learn."""
    labels = rng.integers(0, 10, n)
    yy, xx = np.mgrid[-1:1:28j, -1:1:28j]
    images = np.zeros((n, 28, 28))
    for i, label in enumerate(labels):
        angle = label * np.pi / 10
        distance = np.abs(np.cos(angle) * yy - np.sin(angle) * xx)
        images[i] = np.clip(1.5 - distance * 8, 0, 1) * (np.hypot(xx, yy) < 0.7)
    return (images * 255).astype(np.uint8), labels.astype(np.uint8)


@pytest.fixture
def tiny_mnist(tmp_path: Path) -> Path:
    """A data root holding MNIST/raw/ with 96 training and 32 test images in torchvision's layout."""
    raw = tmp_path / "data" / "MNIST" / "raw"
    raw.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for prefix, n in (("train", 96), ("t10k", 32)):
        images, labels = blob_digits(n, rng)
        write_idx(raw / f"{prefix}-images-idx3-ubyte", images)
        write_idx(raw / f"{prefix}-labels-idx1-ubyte", labels)
    return tmp_path / "data"


@pytest.fixture
def flat_fashion(tmp_path: Path) -> Path:
    """The four IDX files gzipped side by side, as Debian's dataset-fashion-mnist installs them."""
    folder = tmp_path / "fashion-mnist"
    folder.mkdir()
    rng = np.random.default_rng(1)
    for prefix, n in (("train", 40), ("t10k", 12)):
        images, labels = blob_digits(n, rng)
        for kind, array in (("images-idx3", images), ("labels-idx1", labels)):
            write_idx(tmp_path / "plain", array)
            packed = folder / f"{prefix}-{kind}-ubyte.gz"
            packed.write_bytes(gzip.compress((tmp_path / "plain").read_bytes()))
    return folder


@pytest.fixture
def small_vae() -> VAE:
    torch.manual_seed(0)
    return VAE(VAEConfig(latent_dim=4, channels=4, hidden=16)).eval()


@pytest.fixture
def small_classifier() -> DigitClassifier:
    torch.manual_seed(0)
    return DigitClassifier(ClassifierConfig(channels=4)).eval()
