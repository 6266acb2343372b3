import re

import numpy as np
import pytest
import torch
from PIL import Image
from torchvision.utils import make_grid

from playground.draw import Drawing, class_references
from playground.generate import Generator, reading
from playground.pictures import image_grid
from tests.conftest import draw_four
from vae.classifier import DigitClassifier
from vae.model import VAE, vae_loss


@pytest.fixture
def generate(small_vae: VAE, small_classifier: DigitClassifier) -> Generator:
    return Generator(small_vae, small_classifier)


@pytest.fixture
def draw(small_vae: VAE, small_classifier: DigitClassifier) -> Drawing:
    return Drawing(small_vae, small_classifier)


def test_decode_gives_a_crisp_280px_digit_and_the_classifiers_reading(
    generate: Generator, small_vae: VAE, small_classifier: DigitClassifier
) -> None:
    image, caption = generate.decode(0.5, -1.0, 0.0, 2.0)
    assert image.size == (280, 280) and image.mode == "L"
    pixels = np.asarray(image)
    decoded = torch.sigmoid(small_vae.decode(torch.tensor([[0.5, -1.0, 0.0, 2.0]]))).detach()
    probs = small_classifier.predict_proba(decoded)[0]
    digit = int(probs.argmax())
    assert (
        caption
        == f"Looks like {'an' if digit == 8 else 'a'} {digit} ({probs.max():.0%} sure) to the classifier."
    )
    expected = decoded[0, 0].numpy()
    assert np.abs(pixels[::10, ::10] / 255 - expected).max() <= 1 / 255  # one grey level per 10x10 block
    assert (pixels[:10, :10] == pixels[0, 0]).all()


@pytest.mark.parametrize(("count", "nrow"), [(64, 8), (10, 4), (3, 8), (2, 1)])
def test_image_grid_matches_torchvision_make_grid(count: int, nrow: int) -> None:
    pixels = torch.rand(count, 1, 28, 28, generator=torch.Generator().manual_seed(count))
    expected = make_grid(pixels, nrow=nrow, padding=2, pad_value=0.5)[0]
    assert np.array_equal(np.asarray(image_grid(pixels, nrow)), np.uint8(np.round(expected.numpy() * 255)))


def test_decode_clamps_and_rejects_wrong_lengths(generate: Generator) -> None:
    assert (
        generate.decode(1e6, -np.inf, np.nan, 3.0)[0].tobytes() == generate.decode(3, -3, 0, 3)[0].tobytes()
    )
    with pytest.raises(ValueError, match="expected 4 latent values, got 3"):
        generate.decode(0.0, 0.0, 0.0)


def test_decode_batch_matches_decode_one_by_one(generate: Generator) -> None:
    vectors = [[0.5, -1.0, 0.0, 2.0], [3.0, 3.0, -3.0, 0.1], [np.nan, 9.0, 0.0, 0.0]]
    columns = [list(column) for column in zip(*vectors, strict=True)]  # Gradio passes one list per slider
    images, captions = generate.decode_batch(*columns)
    one_by_one = [generate.decode(*v) for v in vectors]
    assert [image.tobytes() for image in images] == [image.tobytes() for image, _ in one_by_one]
    assert captions == [caption for _, caption in one_by_one]


def test_random_is_seeded_and_scaled_by_temperature(generate: Generator) -> None:
    values, image, caption = generate.random(1.0, 7)
    assert len(values) == 4 and isinstance(image, Image.Image) and caption.startswith("Looks like a")
    assert generate.random(1.0, 7).values == values
    assert generate.random(1.0, 7).image.tobytes() == image.tobytes()
    assert generate.random(1.0, 8).values != values
    assert generate.random(0.0, 7).values == [0.0] * 4
    assert generate.random(1.0, -1).values != generate.random(1.0, -1).values


def test_reset_and_sliders_from_mu(generate: Generator) -> None:
    values, image, caption = generate.reset()
    origin, origin_caption = generate.decode(0, 0, 0, 0)
    assert values == [0.0] * 4 and image.tobytes() == origin.tobytes() and caption == origin_caption
    inside = generate.sliders_from([0.5, 2.0, -1.0, 0.0])
    assert (
        inside.values == [0.5, 2.0, -1.0, 0.0] and inside.caption == generate.decode(0.5, 2.0, -1.0, 0.0)[1]
    )
    beyond = generate.sliders_from([0.5, 9.0, -3.5, 0.0])
    assert beyond.values == [0.5, 3.0, -3.0, 0.0]
    note = "beyond the sliders' ±3 in z2 (+9.00), z3 (-3.50): those sliders are at their ends."
    assert beyond.caption.endswith(f"The drawing's μ lies {note}")


def test_reconstruct_shows_input_reconstruction_samples_and_latents(draw: Drawing) -> None:
    result = draw.reconstruct(
        {"background": None, "layers": [], "composite": draw_four(400, 80, 60, 280, 30)}
    )
    assert result.reconstruction.size == (280, 280)
    assert result.model_input.size == (280, 280)
    assert result.posterior_samples.size == (6 * 28 * 4, 28 * 4)
    assert result.latents.count('class="zrow"') == 4 and "μ" in result.latents
    assert result.message.startswith("Reconstruction ") and "nats" in result.message
    mu = draw.vae.encode(torch.from_numpy(result.pixels)[None, None])[0]
    assert result.caption == reading(draw.classifier, draw.vae.decode_pixels(mu))
    assert len(result.mu) == 4


def test_each_dimensions_kl_is_shown_beside_the_held_out_mean_the_model_stored(draw: Drawing) -> None:
    draw.vae.kl_per_dim.copy_(torch.tensor([2.5, 1.25, 0.5, 0.03]))
    result = draw.reconstruct(draw_four(400, 80, 60, 280, 30))
    x = torch.from_numpy(result.pixels)[None, None]
    mu, logvar = draw.vae.encode(x)
    kl = vae_loss(x, draw.vae.decode(mu), mu, logvar).kl_per_dim
    shown = re.findall(r"KL (\d+\.\d\d) \((\d+\.\d\d)\)", result.latents)
    typical = ["2.50", "1.25", "0.50", "0.03"]
    assert shown == [(f"{k:.2f}", mean) for k, mean in zip(kl.tolist(), typical, strict=True)]
    assert "part of the KL above, in nats; in brackets, that dimension's mean over images held out" in (
        result.latents
    )


def test_a_drawings_figure_is_told_beside_the_held_out_images_of_its_class(
    small_vae: VAE, small_classifier: DigitClassifier
) -> None:
    rng = np.random.default_rng(0)
    images, labels = rng.integers(0, 256, (30, 28, 28), dtype=np.uint8), np.arange(30) % 10
    drawing = Drawing(small_vae, small_classifier, (images, labels))
    references = class_references(small_vae, images, labels)
    assert set(references) == {None, *range(10)}
    x = torch.from_numpy(images[labels == 3].astype(np.float32) / 255)[:, None]
    mu, logvar = small_vae.encode(x)
    assert references[3] == pytest.approx(vae_loss(x, small_vae.decode(mu), mu, logvar).loss.item(), rel=1e-5)
    result = drawing.reconstruct({"composite": draw_four(400, 80, 60, 280, 30)})
    label = int(small_classifier.predict_proba(torch.from_numpy(result.pixels)[None, None]).argmax())
    read = f"reads your drawing itself as {'an' if label == 8 else 'a'} {label}: "
    assert f"{read}held-out images labelled {label} " in result.message
    assert f"average {references[label]:.1f} nats, all of them {references[None]:.1f} nats." in result.message
    # The ELBO bounds log p(x): its e^-loss is a floor under the probability, not the probability.
    assert "the ELBO a lower bound on log p(x)" in result.message and "or more" in result.message


@pytest.mark.parametrize(
    ("sketch", "message"),
    [
        (None, "Draw on the pad."),
        ({"background": None, "layers": [], "composite": None}, "Draw on the pad."),
        (
            {"composite": np.zeros((400, 400, 4), np.uint8)},
            "No digit found: draw one with dark strokes on the pad.",
        ),
    ],
)
def test_reconstruct_of_nothing_clears_outputs_with_a_message(
    draw: Drawing, sketch: dict | None, message: str
) -> None:
    result = draw.reconstruct(sketch)
    assert result.reconstruction is None and result.model_input is None and result.posterior_samples is None
    assert result.latents == "" and result.mu is None
    assert result.message == message


def test_sample_grid_is_64_seeded_samples_at_the_temperature(generate: Generator, small_vae: VAE) -> None:
    grid = generate.sample_grid(1.0, 3)
    assert grid.size == (2 * (8 * 30 + 2), 2 * (8 * 30 + 2)) and grid.mode == "L"
    assert grid.tobytes() == generate.sample_grid(1.0, 3).tobytes()
    assert grid.tobytes() != generate.sample_grid(1.0, 4).tobytes()
    cold = np.asarray(generate.sample_grid(0.0, 3))
    origin = np.asarray(generate.decode(0, 0, 0, 0)[0])[::10, ::10]  # every sample is z = 0
    assert np.array_equal(cold[4 : 4 + 56 : 2, 4 : 4 + 56 : 2], origin)
    assert np.array_equal(cold[-60:-4:2, -60:-4:2], origin)
