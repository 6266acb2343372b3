"""Each tab's handlers, as the page wires them: every labelled image shows what its label says, so two
outputs swapped where a tab is built (an autoencoder's map under the VAE's label) fail here."""

import gradio as gr
import numpy as np
import pytest
import torch

from playground.bundle import ModelBundle
from playground.draw import POSTERIOR_SAMPLES, POSTERIOR_SEED
from playground.maps import AXES, MAP_WINDOW, MapWindow, close_up_picture, manifold, scatter_map
from playground.pictures import image_grid, to_image
from playground.sketch import preprocess_sketch
from tests.conftest import draw_four
from ui import draw, generate, latent
from ui.models import Models
from vae.sample_quality import different_class_pairs
from vae.sampling import seeded_generator


@pytest.fixture(scope="module")
def models() -> Models:
    return Models().start_loading()


@pytest.fixture(scope="module")
def bundle() -> ModelBundle:
    return ModelBundle.load("mnist")


def by_label(shown: dict) -> dict[str, np.ndarray]:
    """A handler's images keyed by the label of the component each is shown under."""
    return {
        component.label: np.asarray(value)
        for component, value in shown.items()
        if isinstance(component, gr.Image)
    }


def same(image: np.ndarray, expected: object) -> bool:
    return np.array_equal(image, np.asarray(expected))


@torch.inference_mode()
def test_the_draw_tabs_images_are_the_model_input_its_reconstruction_and_its_samples(
    models: Models, bundle: ModelBundle
) -> None:
    with gr.Blocks():
        tab = draw.build(models, gr.Radio(["mnist"]))
    four = draw_four(400, 80, 60, 280, 30)
    images = by_label(tab.reconstruct("mnist", {"composite": four}))
    pixels = preprocess_sketch(four, "mnist")
    mu, logvar = bundle.vae.encode(torch.from_numpy(pixels)[None, None])
    noise = torch.randn(POSTERIOR_SAMPLES, mu.shape[1], generator=seeded_generator(POSTERIOR_SEED))
    samples = bundle.vae.decode_pixels(mu + torch.exp(0.5 * logvar) * noise)[:, 0]
    assert same(images["What the model sees (28x28)"], to_image(pixels))
    assert same(images["Reconstruction from z = μ"], to_image(bundle.vae.decode_pixels(mu)))
    assert same(images["Decodes of z ~ N(μ, σ²)"], to_image(torch.cat(list(samples), dim=1), scale=4))


@torch.inference_mode()
def test_the_latent_tabs_maps_grids_and_strips_are_each_models_own(
    models: Models, bundle: ModelBundle
) -> None:
    with gr.Blocks():
        tab = latent.build(models, gr.Radio(["mnist"]), 16)
    images = by_label(tab.map.views("mnist", "codes", None) | tab.comparison.views("mnist", "prior", 3))
    vae_map = scatter_map(*bundle.codes_2d, MapWindow.around(bundle.codes_2d.codes, margins=AXES))
    assert same(images["2-D VAE: test codes"], vae_map)
    assert same(
        images["2-D autoencoder: test codes"],
        scatter_map(*bundle.ae_codes_2d, MapWindow.around(bundle.ae_codes_2d.codes, margins=AXES)),
    )
    space = models["mnist"].latent
    held_out = space.test_images[:1].astype(np.float32)[:, None] / 255
    mu = bundle.map_vae.encode(torch.from_numpy(held_out))[0][0].numpy()
    assert space.focus_on(None).posterior.encoded.mu == pytest.approx(mu, abs=1e-6)
    assert same(images["2-D latent space: hover to decode, click to ask the server"],
                space.map_picture("codes", space.focus_on(None)))  # fmt: skip
    assert same(images["Close-up: q(z | x) (black) against the true p(z | x) (blue)"],
                close_up_picture(space.focus_on(None).posterior))  # fmt: skip
    assert same(
        images["Decodes across the same square, on the same axes"], manifold(bundle.map_vae, MAP_WINDOW)
    )
    first, second = different_class_pairs(bundle.codes.labels, 8, seeded_generator(3))
    t = torch.linspace(0, 1, 7)[None, :, None]
    for name, model, samplers, codes in (
        ("autoencoder", bundle.ae, bundle.ae_samplers, bundle.ae_codes),
        ("VAE", bundle.vae, bundle.samplers, bundle.codes),
    ):
        z = samplers.codes("prior", 64, seeded_generator(3))
        assert same(images[f"16-D {name}: 64 random codes"], image_grid(model.decode_pixels(z), 8, scale=2))
        test = torch.from_numpy(codes.codes)
        line = test[first][:, None] * (1 - t) + test[second][:, None] * t
        strips = image_grid(model.decode_pixels(line.flatten(0, 1)), 7, scale=2)
        assert same(images[f"16-D {name}: eight pairs of test images"], strips), name


def test_the_generate_tabs_digit_and_grid_are_the_sliders_decode_and_the_samplers_codes(
    models: Models, bundle: ModelBundle
) -> None:
    with gr.Blocks():
        tab = generate.build(models, gr.Radio(["mnist"]), 16)
    shown = tab.random("mnist", 0.8, 5, "gaussian")
    values = [shown[slider] for slider in tab.sliders]
    z = bundle.samplers.codes("gaussian", 1, seeded_generator(5), 0.8).clamp(-3, 3)
    assert values == [round(v, 2) for v in z[0].tolist()]
    with torch.inference_mode():
        digit = to_image(bundle.vae.decode_pixels(torch.tensor([values])))
        grid = image_grid(
            bundle.vae.decode_pixels(bundle.samplers.codes("gaussian", 64, seeded_generator(5), 0.8)),
            8,
            scale=2,
        )
    assert same(by_label(shown)["Decoded image"], digit)
    assert same(np.asarray(tab.sample_grid("mnist", 0.8, 5, "gaussian")), grid)


@torch.inference_mode()
def test_sample_eps_puts_the_map_the_close_up_and_the_decode_each_under_its_own_label(
    models: Models, bundle: ModelBundle
) -> None:
    with gr.Blocks():
        tab = latent.build(models, gr.Radio(["mnist"]), 16)
    space = models["mnist"].latent
    shown = tab.map.sample("mnist", "codes", None)
    focus = shown[tab.map.focus]
    (_, z) = focus.samples[-1]
    images = by_label(shown)
    assert same(images["2-D latent space: hover to decode, click to ask the server"],
                space.map_picture("codes", focus))  # fmt: skip
    assert same(images["Close-up: q(z | x) (black) against the true p(z | x) (blue)"],
                close_up_picture(focus.posterior, focus.samples))  # fmt: skip
    decode = to_image(bundle.map_vae.decode_pixels(torch.from_numpy(z).float()[None]))
    assert same(images["Decode of the sampled z"], decode)
