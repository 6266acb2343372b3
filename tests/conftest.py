"""Shared fixtures and helpers: tiny IDX datasets written by the tests themselves (never downloaded
data), drawings, and the app served on a loopback port."""

import gzip
import socket
import struct
from contextlib import AbstractContextManager
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image, ImageDraw

import app
from ui.launch import serving
from ui.models import Models
from vae.classifier import DigitClassifier
from vae.config import ClassifierConfig, VAEConfig
from vae.model import VAE

torch.set_num_threads(2)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(ssr_mode: bool = False) -> AbstractContextManager[str]:
    """The app on a free loopback port with main()'s settings, its models loading; yields its URL."""
    return serving(app.build_demo(Models().start_loading()), ssr_mode=ssr_mode)


def png(path: str) -> np.ndarray:
    assert Path(path).suffix == ".png"
    return np.asarray(Image.open(path))


def draw_four(
    canvas: int, left: float, top: float, size: float, width: int, mode: str = "RGBA"
) -> np.ndarray:
    """A '4' drawn in black strokes on a transparent (RGBA) or white (RGB) canvas."""
    background = (0, 0, 0, 0) if mode == "RGBA" else (255, 255, 255)
    image = Image.new(mode, (canvas, canvas), background)
    draw = ImageDraw.Draw(image)
    ink = (0, 0, 0, 255) if mode == "RGBA" else (0, 0, 0)

    def point(x: float, y: float) -> tuple[float, float]:
        return left + x * size, top + y * size

    draw.line([point(0.45, 0), point(0.05, 0.6), point(0.7, 0.6)], fill=ink, width=width, joint="curve")
    draw.line([point(0.55, 0.2), point(0.55, 1.0)], fill=ink, width=width)
    return np.asarray(image)


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
