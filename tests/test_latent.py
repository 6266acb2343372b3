import re
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import ImageColor

from playground.bundle import ModelBundle
from playground.latent import DIGIT_COLOURS, LatentSpace, MapWindow, manifold, scatter_map
from vae.classifier import DigitClassifier
from vae.config import VAEConfig
from vae.model import VAE
from vae.sampling import Samplers
from vae.weights import WEIGHTS_DIR, Codes, WeightsError, load_codes, save_codes


def tiny_2d(model: str = "vae", latent_dim: int = 2) -> VAE:
    torch.manual_seed(1)
    return VAE(VAEConfig(latent_dim=latent_dim, channels=4, hidden=16, model=model)).eval()


@pytest.fixture
def codes() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return rng.normal(size=(300, 2)).astype(np.float32), rng.integers(0, 10, 300).astype(np.uint8)


@pytest.fixture
def space(codes: tuple[np.ndarray, np.ndarray], small_classifier: DigitClassifier) -> LatentSpace:
    ae_codes = Codes(codes[0] * 7 + 3, codes[1])  # an autoencoder's codes follow no prior
    larger_codes = Codes(np.random.default_rng(1).normal(size=(300, 5)).astype(np.float32), codes[1])
    models = ModelBundle(
        dataset="mnist",
        vae=tiny_2d(latent_dim=5),
        vae_2d=tiny_2d(),
        ae=tiny_2d("ae", latent_dim=5),
        ae_2d=tiny_2d("ae"),
        classifier=small_classifier,
        samplers=Samplers(5),
        ae_samplers=Samplers(5),
        codes=larger_codes,
        codes_2d=Codes(*codes),
        ae_codes=larger_codes,
        ae_codes_2d=ae_codes,
    )
    return LatentSpace(models)


def test_map_pixels_and_codes_round_trip() -> None:
    window = MapWindow(-3.0, 3.0, size=301)
    z = np.array([[0.0, 0.0], [-3.0, 3.0], [1.5, -0.6]])
    pixels = window.to_pixels(z)
    assert pixels[0] == pytest.approx([150, 150]) and pixels[1] == pytest.approx([0, 0])  # z2 grows upwards
    assert [window.to_z(x, y) for x, y in pixels] == [pytest.approx(tuple(v)) for v in z]
    assert window.to_z(-50, 1000) == pytest.approx((-3.0, -3.0))  # clicks outside are clamped


def test_window_holds_nearly_all_codes(codes: tuple[np.ndarray, np.ndarray]) -> None:
    window = MapWindow.around(codes[0])
    inside = (np.abs(codes[0]) <= window.high).all(1).mean()
    assert window.low == -window.high and inside >= 0.99


def test_scatter_colours_each_code_by_its_digit() -> None:
    window = MapWindow(-2.0, 2.0, size=101)
    image = scatter_map(np.array([[1.0, 1.0], [-1.0, -1.0]]), np.array([3, 7]), window)
    assert image.getpixel((75, 25)) == ImageColor.getrgb(DIGIT_COLOURS[3])
    assert image.getpixel((25, 75)) == ImageColor.getrgb(DIGIT_COLOURS[7])
    assert image.getpixel((10, 10)) == (255, 255, 255)


def test_manifold_is_a_grid_of_decodes() -> None:
    model = tiny_2d()
    image = manifold(model, steps=5)
    assert image.size == (5 * 30 + 2, 5 * 30 + 2) and image.mode == "L"
    corner = model.decode_pixels(torch.tensor([[-1.6449, 1.6449]]))[0, 0].detach().numpy()
    assert np.abs(np.asarray(image)[2:30, 2:30] / 255 - corner).max() <= 1 / 255  # top left: z1 low, z2 high


def test_a_click_decodes_the_clicked_code(space: LatentSpace) -> None:
    x, y = space.window.to_pixels(np.array([0.8, -0.4]))
    z1, z2 = space.clicked_code(x, y)
    assert (z1, z2) == pytest.approx((0.8, -0.4), abs=0.02)
    marked, digit, caption = space.decode_at(z1, z2)
    expected = space.vae.decode_pixels(torch.tensor([[z1, z2]]))[0, 0].detach().numpy()
    assert digit.size == (280, 280)
    assert np.abs(np.asarray(digit)[::10, ::10] / 255 - expected).max() <= 1 / 255
    assert re.fullmatch(re.escape(f"z = ({z1:+.2f}, {z2:+.2f}) looks like ") + r"an? \d \(\d+%\)", caption)
    assert marked.size == space.map.size and marked.tobytes() != space.map.tobytes()


def test_a_click_keeps_the_drawings_ring_on_the_map(space: LatentSpace) -> None:
    pixels = np.zeros((28, 28), np.float32)
    pixels[6:22, 12:16] = 1.0
    red = np.array(ImageColor.getrgb("red"))
    marked, _, _ = space.decode_at(1.0, 1.0, pixels)
    assert (np.asarray(marked) == red).all(-1).sum() > 50  # the drawing's red ring
    assert (np.asarray(space.decode_at(1.0, 1.0)[0]) == red).all(-1).sum() == 0
    assert marked.tobytes() != space.locate(pixels).tobytes()  # and the click's marker beside it


def test_the_legend_names_every_colour(space: LatentSpace) -> None:
    legend = space.legend()
    assert legend.count('class="swatch"') == 10
    for digit, colour in enumerate(DIGIT_COLOURS):
        assert f'<span style="background:{colour}"></span>{digit}</span>' in legend


def test_the_drawing_is_marked_on_the_map(space: LatentSpace) -> None:
    assert space.locate(None) is space.map
    pixels = np.zeros((28, 28), np.float32)
    pixels[6:22, 12:16] = 1.0
    assert space.locate(pixels).tobytes() != space.map.tobytes()


def test_codes_round_trip_and_a_missing_file_is_named(tmp_path: Path) -> None:
    images, labels = torch.rand(12, 1, 28, 28), np.arange(12) % 10
    model = tiny_2d()
    save_codes(model.encode_means(images, batch_size=5), labels, tmp_path)
    codes, loaded_labels = load_codes(tmp_path)
    assert np.allclose(codes, model.encode(images)[0].detach().numpy(), atol=1e-6)  # batched: same codes
    assert np.array_equal(loaded_labels, labels)
    with pytest.raises(WeightsError, match=r"nowhere/test_codes\.safetensors: not a readable codes file"):
        load_codes(tmp_path / "nowhere")


@pytest.mark.parametrize("dataset", ["mnist", "fashion-mnist"])
def test_every_bundled_model_has_its_codes_and_the_rivals_match(dataset: str) -> None:
    models = ModelBundle.load(dataset)
    space = LatentSpace(models)
    assert space.vae.config.model == models.vae.config.model == "vae"
    assert models.ae.config.model == models.ae_2d.config.model == "ae"
    assert {m.config.dataset for m in (models.vae, models.vae_2d, models.ae, models.ae_2d)} == {dataset}
    assert space.classifier.config.dataset == dataset
    assert models.ae.config.latent_dim == models.vae.config.latent_dim == 16
    assert (WEIGHTS_DIR / f"{dataset}-ae-2d" / "model.safetensors").stat().st_size < 8_000_000
    for codes, size in (
        (models.codes, 16),
        (models.ae_codes, 16),
        (models.codes_2d, 2),
        (models.ae_codes_2d, 2),
    ):
        assert codes.codes.shape == (10_000, size) and np.array_equal(codes.labels, models.codes.labels)
