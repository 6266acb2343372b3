"""Shared fixtures and helpers: tiny IDX datasets written by the tests themselves (never downloaded
data), drawings, and the app served on a loopback port."""

import gzip
import os
import re
import struct
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import numpy as np
import pytest
import torch
from gradio_client import Client
from PIL import Image, ImageDraw
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright

import app
from ui import launch
from ui.launch import free_port, serving
from ui.models import Models
from vae.classifier import DigitClassifier
from vae.config import ClassifierConfig, VAEConfig
from vae.model import VAE
from vae.weights import WEIGHTS_DIR, read_config

torch.set_num_threads(2)

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", "test-artifacts/screenshots"))
LATENT_DIM = read_config(VAEConfig, WEIGHTS_DIR / "mnist-vae").latent_dim


# Each tab, and what shows once it has drawn what a visitor reads first.
TABS = {
    "Generate": ("#sampler-note", "mixture"),
    "Draw": ("#draw-message", "Draw on the pad."),
    "Interpolate": ("#start-pad", "From (empty: random)"),
    "Latent space": ("#compare-caption", "the classifier is sure"),
    "Train": ("#sweep-figures", "the held-out reconstruction rises from"),
}


def serve(ssr_mode: bool = False) -> AbstractContextManager[str]:
    """The app on a free loopback port with main()'s settings, its models loading; yields its URL."""
    models = Models().start_loading()
    # A port of its own: with Gradio's default scan from 7860, the app and Gradio's SSR Node server,
    # which scans from 7861, could pick the same one.
    return serving(app.build_demo(models), app.page_head(models), port=free_port(), ssr_mode=ssr_mode)


def app_process(folder: Path = ROOT, **env: str) -> AbstractContextManager[str]:
    """`python app.py` started in folder as a fresh process on a free port, with env added to the
    environment; yields its URL once the page answers, and fails the test if it has not in 90 s."""
    return launch.app_process(folder, env=env, timeout=90)


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


def require_chromium() -> None:
    """Skip a browser test module without Chromium, except under CI, where it must run."""
    if not CHROMIUM.is_file():
        reason = f"browser tests need Chromium at {CHROMIUM} (apt-get install -y chromium)"
        if os.environ.get("CI"):
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason, allow_module_level=True)


@pytest.fixture(scope="session")
def app_url() -> Iterator[str]:
    """The app served once for every browser test."""
    with serve() as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--headless", "--disable-gpu"]
        )
        yield browser
        browser.close()


def open_app(browser: Browser, url: str, width: int = 1280, height: int = 1000, **options: object) -> Page:
    """A fresh page once the page has painted its digit and the server has sent its reading."""
    page = browser.new_page(viewport={"width": width, "height": height}, **options)
    page.goto(url)
    expect(page.locator("html")).to_have_class(re.compile(r"\bvae-decodes-in-page\b"), timeout=30_000)
    expect(page.locator("#digit-caption")).to_contain_text("to the classifier", timeout=30_000)
    return page


def painted(page: Page) -> np.ndarray:
    """The grey levels of the digit the page painted on its canvas, as a 2-D array."""
    width, height, grey = page.evaluate(
        """() => {
          const canvas = document.querySelector("#digit-canvas");
          const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
          return [canvas.width, canvas.height, Array.from(data.filter((_, i) => i % 4 === 0))];
        }"""
    )
    return np.asarray(grey, np.uint8).reshape(height, width)


def slider_values(page: Page) -> list[float]:
    return [float(slider_value(page, i).input_value()) for i in range(1, LATENT_DIM + 1)]


ServerDecode = Callable[[str, list[float]], np.ndarray]


@pytest.fixture(scope="session")
def decode(app_url: str) -> ServerDecode:
    """The server's /decode: the 28x28 grey levels of the PNG it answers for these slider values."""
    client = Client(app_url, verbose=False)

    def server_decode(dataset: str, values: list[float]) -> np.ndarray:
        image, _reading = client.predict(dataset, *values, api_name="/decode")
        return png(image)[::10, ::10]  # each pixel is a 10x10 block

    return server_decode


def expect_painted_as_server_decodes(page: Page, decode: ServerDecode, dataset: str) -> None:
    """The canvas holds the server's decode of the sliders' values, within one grey level; the page
    paints in the next frame, so it is read again until the sliders have stopped moving."""

    def painted_as_decoded() -> bool:
        values, pixels = slider_values(page), painted(page)
        expected = decode(dataset, values)
        return values == slider_values(page) and np.abs(pixels.astype(int) - expected).max() <= 1

    until(page, painted_as_decoded, "the page painted another digit than the server decodes")


def until(page: Page, condition: Callable[[], bool], message: str, timeout: float = 10) -> None:
    """Wait until condition() holds, checking every animation frame or so; fail with message after
    timeout seconds. For states that no locator shows, such as a canvas's pixels."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, message
        page.wait_for_timeout(20)


def drag(page: Page, slider: int, to: float, steps: int = 30) -> None:
    """Drag slider z<slider> from its thumb's place to the fraction `to` of its track, then let go."""
    track = page.get_by_role("slider", name=f"range slider for z{slider}", exact=True)
    track.scroll_into_view_if_needed()
    box = track.bounding_box()
    assert box is not None
    value = (float(slider_value(page, slider).input_value()) + 3) / 6
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + value * box["width"], y)
    page.mouse.down()
    page.mouse.move(box["x"] + to * box["width"], y, steps=steps)
    page.mouse.up()


def slider_value(page: Page, i: int) -> Locator:
    return page.get_by_label(f"number input for z{i}", exact=True)


def screenshot(page: Page, name: str) -> None:
    """The viewport as the visitor sees it: a full-page shot disturbs Gradio's tab bar."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png")


def no_error_toast(page: Page) -> None:
    expect(page.get_by_test_id("toast-body")).to_have_count(0)


def draw_seven(page: Page, pad_id: str = "sketch") -> None:
    """Mouse strokes of a 7 on a sketch pad; opening its tab has picked the brush already."""
    pad = page.locator(f"#{pad_id}")
    expect(pad.get_by_role("button", name="Brush", exact=True)).to_have_class(re.compile(r"\bhighlight\b"))
    box = pad.locator("canvas").first.bounding_box()
    assert box is not None

    def at(fx: float, fy: float) -> tuple[float, float]:
        return box["x"] + fx * box["width"], box["y"] + fy * box["height"]

    page.mouse.move(*at(0.3, 0.25))
    page.mouse.down()
    for fx, fy in [(0.5, 0.25), (0.7, 0.25), (0.6, 0.45), (0.5, 0.65), (0.45, 0.8)]:
        page.mouse.move(*at(fx, fy), steps=8)
    page.mouse.up()
