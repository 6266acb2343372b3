"""The figures the page's help quotes, checked against what they describe: the codes' size, the
sketch's preparation, the Train tab's network and the subset that travels with the app, the classifiers'
stored accuracy, and the yardsticks the figures are read against."""

import math
from pathlib import Path

import pytest
import torch

from playground.bundle import ModelBundle
from playground.runs import MAP_BETA
from playground.sketch import MNIST_BOX
from playground.train import LIVE_CONFIG, PRIOR_WITHIN_TWO_SIGMA, within_two_sigma
from ui import draw, generate, interpolate, latent
from ui.models import Models
from ui.train import help_text
from vae.config import DATASETS, VAEConfig
from vae.data import as_floats
from vae.subsets import load_subset
from vae.weights import WEIGHTS_DIR, model_folder, read_config, read_evaluation, sweep_folder


def words(text: str) -> str:
    return " ".join(text.split())


def test_the_interpolate_help_quotes_the_shell_of_the_codes_own_size() -> None:
    size = Models().latent_size()
    text = words(interpolate.HELP)
    assert f"radius about {math.sqrt(size):.0f} (√{size})" in text
    assert (
        f"its middle is only about {math.sqrt(size / 2):.1f} from the origin" in text
    )  # two orthogonal codes


def test_the_draw_help_quotes_how_a_drawing_is_prepared() -> None:
    assert f"scaled to {MNIST_BOX} px" in words(draw.HELP)


def test_the_train_help_quotes_the_network_and_the_subset() -> None:
    subset = load_subset("mnist")
    text = words(help_text(subset))
    assert (
        f"one hidden layer of {LIVE_CONFIG['hidden']}, a 2-D code" in text and LIVE_CONFIG["latent_dim"] == 2
    )
    assert f"on the first {len(subset.train_images):,} training images" in text
    assert f"its {len(subset.test_images):,} held-out images" in text


def test_the_generate_help_quotes_each_classifiers_stored_test_accuracy(tmp_path: Path) -> None:
    text = words(generate.help_text(WEIGHTS_DIR))
    mnist, fashion = (
        read_evaluation(model_folder(name, "classifier")) for name in ("mnist", "fashion-mnist")
    )
    assert (
        f"it names {mnist['classifier_test_accuracy']:.1%} of MNIST's {mnist['test_images']:,} test images "
        f"correctly, {fashion['classifier_test_accuracy']:.1%} of Fashion-MNIST's)" in text
    )
    assert "how sure it is. The page's address" in words(generate.help_text(tmp_path))  # none measured


@pytest.mark.parametrize("dataset", ["mnist", "fashion-mnist"])
def test_the_held_out_share_the_pages_quote_is_the_classifiers_on_the_subset(dataset: str) -> None:
    bundle = ModelBundle.load(dataset)
    subset = load_subset(dataset)
    with torch.inference_mode():
        probs = bundle.classifier(as_floats(subset.test_images)).softmax(1)
    sure = float((probs.max(1).values >= 0.9).float().mean())
    assert bundle.held_out_sure_share == pytest.approx(sure)
    note = words(generate.sampler_note(bundle.samplers.metadata, bundle.held_out_sure_share))
    assert f"against {sure:.0%} of the held-out images themselves" in note


def test_the_prior_share_within_two_sigma_is_n01s_own() -> None:
    codes = torch.randn(400_000, 2, generator=torch.Generator().manual_seed(0)).numpy()
    assert within_two_sigma(codes) == pytest.approx(PRIOR_WITHIN_TWO_SIGMA, abs=0.003)


def test_the_latent_space_help_names_the_map_models_run_and_size() -> None:
    text = words(latent.HELP.format(beta=MAP_BETA))
    assert f"(the Train tab's β = {MAP_BETA:g} run)" in text
    sizes = {name: read_config(VAEConfig, sweep_folder(name, MAP_BETA)).latent_dim for name in DATASETS}
    assert set(sizes.values()) == {2} and "only **two** latent dimensions" in text
