import html
import json
import re
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import ImageColor

from playground.bundle import ModelBundle
from playground.latent import LatentSpace
from playground.maps import (
    AXES,
    BEYOND_MARK,
    LABELLED_CLASS_MIN,
    Q_COLOUR,
    MapWindow,
    Margins,
    manifold,
    scatter_map,
)
from playground.pictures import DIGIT_COLOURS
from playground.posterior import Square
from playground.runs import MAP_BETA
from vae.classifier import DigitClassifier
from vae.config import VAEConfig
from vae.model import VAE
from vae.sampling import Samplers
from vae.subsets import Subset
from vae.weights import Codes, WeightsError, load_codes, read_config, save_codes, sweep_folder


def tiny_2d(model: str = "vae", latent_dim: int = 2, architecture: str = "conv") -> VAE:
    torch.manual_seed(1)
    config = VAEConfig(latent_dim=latent_dim, channels=4, hidden=16, model=model, architecture=architecture)
    return VAE(config).eval()


@pytest.fixture
def codes() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return rng.normal(size=(300, 2)).astype(np.float32), rng.integers(0, 10, 300).astype(np.uint8)


@pytest.fixture
def space(codes: tuple[np.ndarray, np.ndarray], small_classifier: DigitClassifier) -> LatentSpace:
    ae_codes = Codes(codes[0] * 7 + 3, codes[1])  # an autoencoder's codes follow no prior
    larger_codes = Codes(np.random.default_rng(1).normal(size=(300, 5)).astype(np.float32), codes[1])
    rng = np.random.default_rng(2)
    images = rng.integers(0, 256, (60, 28, 28), dtype=np.uint8)
    models = ModelBundle(
        dataset="mnist",
        vae=tiny_2d(latent_dim=5),
        map_vae=tiny_2d(architecture="mlp"),
        ae=tiny_2d("ae", latent_dim=5),
        classifier=small_classifier,
        samplers=Samplers(5),
        ae_samplers=Samplers(5),
        codes=larger_codes,
        codes_2d=Codes(*codes),
        ae_codes=larger_codes,
        ae_codes_2d=ae_codes,
        subset=Subset(images[:40], np.arange(40) % 10, images[40:], np.arange(20) % 10),
    )
    return LatentSpace(models)


def test_map_pixels_and_codes_round_trip() -> None:
    window = MapWindow(-3.0, 3.0, size=301)
    z = np.array([[0.0, 0.0], [-3.0, 3.0], [1.5, -0.6]])
    pixels = window.to_pixels(z)
    assert pixels[0] == pytest.approx([150, 150]) and pixels[1] == pytest.approx([0, 0])  # z2 grows upwards
    assert [window.to_z(x, y) for x, y in pixels] == [pytest.approx(tuple(v)) for v in z]
    assert window.to_z(-50, 1000) == pytest.approx((-3.0, -3.0))  # clicks outside are clamped


def test_a_window_with_axes_and_off_the_diagonal_maps_its_plot_only() -> None:
    window = MapWindow.of(Square((1.0, -2.0), 0.5), size=101, margins=Margins(left=30, top=10, bottom=20))
    assert (window.width, window.height) == (131, 131)
    corners = window.to_pixels(np.array([[0.5, -1.5], [1.5, -2.5]]))  # top left, bottom right of the square
    assert corners[0] == pytest.approx([30, 10]) and corners[1] == pytest.approx([130, 110])
    assert window.to_z(80, 60) == pytest.approx((1.0, -2.0))
    assert window.to_z(0, 0) == pytest.approx((0.5, -1.5))  # in the margin: clamped to the plot's corner
    geometry = {"low": 0.5, "high": 1.5, "shift": -3.0, "size": 101, "left": 30, "top": 10}
    assert window.geometry() == geometry | {"width": 131, "height": 131}


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
    assert len(set(DIGIT_COLOURS)) == 10


def test_codes_beyond_the_window_are_arrowheads_on_its_edge_pointing_their_way() -> None:
    """At β = 0 half the codes lie beyond the live map's ±4: each shows where it leaves, not as a dot."""
    window = MapWindow(-2.0, 2.0, size=101)
    image = np.asarray(scatter_map(np.array([[9.0, 0.0], [0.0, -9.0]]), np.array([1, 6]), window))
    one, six = (np.all(image == ImageColor.getrgb(DIGIT_COLOURS[label]), axis=2) for label in (1, 6))
    rows, columns = np.nonzero(one)
    assert columns.max() == 100 and columns.min() <= 100 - BEYOND_MARK + 1  # from the right edge inwards
    assert rows.min() < 50 < rows.max() and np.ptp(rows) > np.ptp(columns) / 2  # wide at its back
    assert one[50, 100] and one[50, 100 - BEYOND_MARK + 1] and not one[45, 100]  # tip on the edge at z2 = 0
    rows, columns = np.nonzero(six)
    assert rows.max() == 100 and rows.min() <= 100 - BEYOND_MARK + 1 and 45 < columns.mean() < 55
    assert not (one | six)[:90, :90].any()  # nothing inside the plot


def test_each_class_with_enough_codes_is_numbered_at_their_middle() -> None:
    """A cue besides colour: 3 and 8 are both greys, so each is written on its codes."""
    window = MapWindow(-2.0, 2.0, size=201)
    rng = np.random.default_rng(0)
    codes = np.concatenate([rng.normal((1, 1), 0.2, (30, 2)), rng.normal((-1, -1), 0.2, (30, 2))])
    few = np.array([[1.0, -1.0]] * (LABELLED_CLASS_MIN - 1))
    image = np.asarray(
        scatter_map(np.concatenate([codes, few]), np.array([3] * 30 + [8] * 30 + [5] * len(few)), window)
    )

    def dark_near(x: float, y: float) -> int:  # black text pixels, which no class's dots are
        return int((image[int(y) - 8 : int(y) + 8, int(x) - 8 : int(x) + 8].max(axis=2) < 60).sum())

    middle = {
        label: window.to_pixels(np.median(codes[i * 30 : (i + 1) * 30], axis=0))
        for i, label in enumerate((3, 8))
    }
    assert dark_near(*middle[3]) > 5 and dark_near(*middle[8]) > 5
    assert dark_near(*window.to_pixels(np.array([1.0, -1.0]))) == 0  # too few codes to name


def test_the_manifold_decodes_cell_centres_on_the_maps_axes() -> None:
    model = tiny_2d(architecture="mlp")
    window = MapWindow(-3.0, 3.0, size=150, margins=AXES)
    image = np.asarray(manifold(model, window, steps=5).convert("L"))
    assert image.shape == (window.height, window.width)
    top_left = model.decode_pixels(torch.tensor([[-2.4, 2.4]]))[0, 0].detach().numpy()  # cell size 1.2
    at = ((np.arange(28) + 0.5) * 30 / 28).astype(
        int
    )  # where each decoded pixel lands, 28 px stretched to 30
    cell = image[AXES.top + at][:, AXES.left + at]
    assert np.abs(cell / 255 - top_left).max() <= 1 / 255


def test_a_click_decodes_the_clicked_code(space: LatentSpace) -> None:
    x, y = space.window.to_pixels(np.array([0.8, -0.4]))
    z1, z2 = space.clicked_code(x, y)
    assert (z1, z2) == pytest.approx((0.8, -0.4), abs=0.02)
    point, digit, caption, _ = space.decode_at(z1, z2)
    expected = space.vae.decode_pixels(torch.tensor([[z1, z2]]))[0, 0].detach().numpy()
    assert point == (z1, z2) and digit.size == (280, 280)
    assert np.abs(np.asarray(digit)[::10, ::10] / 255 - expected).max() <= 1 / 255
    assert re.fullmatch(
        re.escape(f"z = ({z1:+.2f}, {z2:+.2f}) looks like ") + r"an? \d \(\d+% sure\)", caption
    )
    focus = space.focus_on(None)
    marked = space.map_picture("codes", focus, point)
    assert marked.size == space.map.size and marked.tobytes() != space.map_picture("codes", focus).tobytes()


def test_the_legend_names_every_colour_and_carries_the_maps_geometry(space: LatentSpace) -> None:
    legend = space.legend()
    assert legend.count('class="swatch"') == 10
    for digit, colour in enumerate(DIGIT_COLOURS):
        assert f'<span style="background:{colour}"></span>{digit}</span>' in legend
    geometry = json.loads(html.unescape(re.search(r'data-map="([^"]+)"', legend).group(1)))
    assert geometry == {"dataset": "mnist", **space.window.geometry()}
    holes = space.legend("holes")  # no class colours on that view: its density and its hatching instead
    assert holes.count('class="swatch"') == 2 and not any(c in holes for c in DIGIT_COLOURS[1:])
    assert "background:#3f90da" in holes and "a hole: inside 2σ, codes under 0.1 times as dense" in holes
    geometry_of = re.compile(r'data-map="([^"]+)"')
    assert geometry_of.search(holes).group(1) == geometry_of.search(legend).group(1)  # the hover still works


def test_the_focused_images_q_is_drawn_at_its_mu_on_the_map(space: LatentSpace) -> None:
    pixels = np.zeros((28, 28), np.float32)
    pixels[6:22, 12:16] = 1.0
    focus = space.focus_on(pixels)
    assert focus.name == "the Draw tab's drawing"
    mu = focus.posterior.encoded.mu
    mu_expected = space.vae.encode(torch.from_numpy(pixels)[None, None])[0][0].detach().numpy()
    assert mu == pytest.approx(mu_expected, abs=1e-6)
    image = np.asarray(space.map_picture("codes", focus))
    x, y = np.round(space.window.to_pixels(mu)).astype(int)
    ink = np.array(ImageColor.getrgb(Q_COLOUR))
    assert (image[y - 6 : y + 7, x - 6 : x + 7] == ink).all(-1).sum() >= 10  # the cross at μ
    assert (np.asarray(space.map) == ink).all(-1).sum() < (image == ink).all(-1).sum()


def test_without_a_drawing_the_first_held_out_image_is_in_focus(space: LatentSpace) -> None:
    focus = space.focus_on(None)
    assert focus.name == "held-out image 0 (labelled 0)"
    assert np.array_equal(focus.posterior.encoded.pixels, space.test_images[0] / np.float32(255))
    nearest = space.nearest(*space.codes[7])
    assert nearest.name == "held-out image 7 (labelled 7)"


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
    assert space.vae.config == read_config(VAEConfig, sweep_folder(dataset, MAP_BETA))  # the Train tab's
    assert space.vae.config.architecture == "mlp" and space.vae.config.latent_dim == 2
    assert models.vae.config.model == "vae" and models.ae.config.model == "ae"
    assert {m.config.dataset for m in (models.vae, models.map_vae, models.ae)} == {dataset}
    assert space.classifier.config.dataset == dataset
    assert models.ae.config.latent_dim == models.vae.config.latent_dim == 16
    assert space.codes.shape == (len(models.subset.test_images), 2)
    for codes, size in (
        (models.codes, 16),
        (models.ae_codes, 16),
        (models.codes_2d, 2),
        (models.ae_codes_2d, 2),
    ):
        assert codes.codes.shape == (10_000, size) and np.array_equal(codes.labels, models.codes.labels)
