"""The figures the page's help quotes, checked against what they describe: the codes' size, the
sketch's preparation, the Train tab's network and the subset that travels with the app."""

import math

from playground.sketch import MNIST_BOX
from playground.train import LIVE_CONFIG
from ui import draw, interpolate
from ui.models import Models
from ui.train import help_text
from vae.subsets import load_subset


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
    assert f"on the {len(subset.train_images):,} training images" in text
    assert f"its {len(subset.test_images):,} held-out images" in text
