"""The posterior of the 2-D map's VAE: log p(x) against exact integration, q's ellipses and samples from
the image's own μ and σ, the reading of q against the true posterior, and the prior's holes."""

import math

import numpy as np
import pytest
import torch
from PIL import ImageColor

from playground.bundle import ModelBundle
from playground.latent import LatentSpace
from playground.maps import CLOSE_UP_SIZE, Q_COLOUR, MapWindow
from playground.posterior import (
    EPSILON_SEED,
    FINE_STEPS,
    HOLE_RATIO,
    Encoded,
    Posterior,
    Square,
    grid_log_joint,
    log_aggregate,
    log_gaussian,
    log_prior,
    posterior,
)
from playground.sketch import preprocess_sketch
from tests.conftest import draw_four
from vae.data import as_floats


@pytest.fixture(scope="module", params=["mnist", "fashion-mnist"])
def space(request: pytest.FixtureRequest) -> LatentSpace:
    return LatentSpace(ModelBundle.load(request.param))


def drawings(space: LatentSpace) -> list[np.ndarray]:
    """Four held-out images and two drawings of a 4, one small and off-centre."""
    held_out = [space.test_images[i].astype(np.float32) / 255 for i in (0, 1, 2, 3)]
    drawn = [draw_four(400, 80, 60, 280, 30), draw_four(400, 20, 200, 150, 18)]
    return held_out + [preprocess_sketch(image, space.dataset) for image in drawn]


@torch.inference_mode()
def test_log_px_agrees_with_integration_over_the_whole_plane_and_is_not_below_the_elbo(
    space: LatentSpace,
) -> None:
    plane, steps = Square((0.0, 0.0), 5.0), 200  # cells of 0.05: under the narrowest posterior's σ
    for pixels in drawings(space):
        post = posterior(space.vae, pixels)
        log_joint = grid_log_joint(space.vae, torch.from_numpy(pixels), plane, steps).double()
        exact = float(torch.logsumexp(log_joint.flatten(), 0)) + math.log(plane.cell_area(steps))
        assert abs(post.log_px - exact) < 1.0  # the importance-sampled estimate
        assert abs(post.log_px_grid - exact) < 0.05  # the close-up's grid misses no mass
        assert post.log_px >= post.elbo - 3 * post.elbo_error  # log p(x) >= ELBO, up to Monte-Carlo error
        assert exact >= post.elbo - 3 * post.elbo_error
        assert post.gap == pytest.approx(post.log_px - post.elbo)


def four(space: LatentSpace) -> np.ndarray:
    return preprocess_sketch(draw_four(400, 80, 60, 280, 30), space.dataset)


@torch.inference_mode()
def test_the_ellipses_are_drawn_from_the_drawings_own_mu_and_sigma(space: LatentSpace) -> None:
    pixels = four(space)
    focus = space.focus_on(pixels)
    mu, logvar = space.vae.encode(torch.from_numpy(pixels)[None, None])
    encoded = focus.posterior.encoded
    assert encoded.mu == pytest.approx(mu[0].numpy(), abs=1e-6)
    assert encoded.sigma == pytest.approx(torch.exp(0.5 * logvar[0]).numpy(), rel=1e-6)
    image = np.asarray(space.close_up(focus))
    window = MapWindow.of(focus.posterior.square, CLOSE_UP_SIZE)  # the close-up's own axes
    assert image.shape[:2] == (window.height, window.width)
    ink = np.array(ImageColor.getrgb(Q_COLOUR))
    for offset in ([1, 0], [-1, 0], [0, 1], [0, -1], [2, 0]):  # the 1σ ellipse's vertices, and the 2σ's
        x, y = np.round(window.to_pixels(encoded.mu + encoded.sigma * np.array(offset))).astype(int)
        assert (image[y - 1 : y + 2, x - 1 : x + 2] == ink).all(-1).any(), offset


def test_sample_eps_is_mu_plus_sigma_times_a_seeded_eps_and_says_so(space: LatentSpace) -> None:
    focus = space.focus_on(four(space))
    e = focus.posterior.encoded
    first, digit, text = space.sample(focus)
    again, _, _ = space.sample(focus)
    second, _, second_text = space.sample(first)
    eps, z = first.samples[0]
    expected = torch.randn(2, generator=torch.Generator().manual_seed(EPSILON_SEED), dtype=torch.float64)
    assert eps == pytest.approx(expected.numpy()) and z == pytest.approx(e.mu + e.sigma * eps)
    assert np.array_equal(again.samples[0][1], z)  # the same press of the same drawing: the same ε
    assert len(second.samples) == 2 and not np.array_equal(second.samples[1][0], eps)
    for d in range(2):
        assert f"{e.mu[d]:+.3f} + {e.sigma[d]:.3f} × ({eps[d]:+.3f}) = **{z[d]:+.3f}**" in text
    assert text.startswith("Sample 1: ") and second_text.startswith("Sample 2: ")
    with torch.inference_mode():
        decoded = space.vae.decode_pixels(torch.from_numpy(z).float()[None])[0, 0].numpy()
    assert np.abs(np.asarray(digit)[::10, ::10] / 255 - decoded).max() <= 1 / 255
    marked = np.asarray(space.map_picture("codes", second))
    x, y = np.round(space.window.to_pixels(z)).astype(int)
    assert (marked[y, x] == 255).all()  # a white dot at the first sample
    assert (marked[y - 4 : y + 5, x - 4 : x + 5] == 0).all(-1).any()  # ringed in black


def synthetic(density: "np.ndarray", mu: list[float], sigma: list[float], square: Square) -> Posterior:
    """A posterior whose true density on the close-up grid is given, for the reading's cases."""
    encoded = Encoded(np.zeros((28, 28), np.float32), np.array(mu), np.array(sigma))
    return Posterior(encoded, square, np.log(density + 1e-300), -10.0, 0.01, -9.0, -9.0)


def gaussian_density(square: Square, mean: list[float], cov: list[list[float]]) -> np.ndarray:
    z = square.cells(FINE_STEPS).double().numpy() - np.array(mean)
    precision = np.linalg.inv(np.array(cov))
    return np.exp(-0.5 * np.einsum("ni,ij,nj->n", z, precision, z)).reshape(FINE_STEPS, FINE_STEPS)


def test_the_reading_names_how_q_differs_from_the_true_posterior() -> None:
    square = Square((0.0, 0.0), 1.0)
    two_modes = gaussian_density(square, [-0.5, 0], [[0.01, 0], [0, 0.01]]) + gaussian_density(
        square, [0.5, 0], [[0.01, 0], [0, 0.01]]
    )
    assert (
        synthetic(two_modes, [-0.5, 0], [0.1, 0.1], square)
        .reading()
        .startswith(
            "The true posterior has 2 separate parts; q, a single Gaussian, sits on one and misses the rest."
        )
    )
    wide = gaussian_density(square, [0, 0], [[0.04, 0], [0, 0.04]])
    assert (
        synthetic(wide, [0, 0], [0.1, 0.1], square)
        .reading()
        .startswith("q is narrower than the true posterior (its ellipses cover 25% of the area)")
    )
    assert (
        synthetic(wide, [0, 0], [0.4, 0.4], square).reading().startswith("q is wider than the true posterior")
    )
    tilted = gaussian_density(square, [0, 0], [[0.04, 0.03], [0.03, 0.04]])
    reading = synthetic(tilted, [0, 0], [0.2, 0.2], square).reading()
    assert reading.startswith("The true posterior is tilted (correlation +0.75)")
    assert "The gap, 1.00 nats, is the KL from q to the true posterior" in reading


def test_the_codes_density_is_the_mean_of_their_gaussians() -> None:
    generator = torch.Generator().manual_seed(0)
    mu, sigma = torch.randn(50, 2, generator=generator), torch.rand(50, 2, generator=generator) + 0.05
    z = torch.randn(30, 2, generator=generator) * 2
    direct = torch.logsumexp(log_gaussian(z[:, None], mu[None], sigma[None]), 1) - math.log(50)
    assert log_aggregate(mu, sigma, z, chunk=7) == pytest.approx(direct, abs=1e-4)


@torch.inference_mode()
def test_the_holes_are_where_the_prior_has_mass_and_the_codes_do_not(space: LatentSpace) -> None:
    holes, picture = space.holes()
    assert picture.size == space.map.size
    cells = holes.square.cells(holes.holes.shape[0])
    log_codes = torch.from_numpy(holes.log_codes).flatten()
    inside = holes.holes.flatten()
    assert inside.any() and ((cells[inside] ** 2).sum(1) <= 4).all()
    assert (log_codes[inside] < log_prior(cells[inside]) + math.log(HOLE_RATIO)).all()
    mu, logvar = space.vae.encode_all(as_floats(space.train_images[:200]))
    assert (log_aggregate(mu, torch.exp(0.5 * logvar), mu) > log_prior(mu)).float().mean() > 0.5
    # The page's claim: decodes from where the codes are are recognised more often than from N(0, I).
    assert holes.sure_codes > holes.sure_prior and 0 < holes.prior_share < 0.5
    assert f"{holes.prior_share:.0%} land in a hole" in space.holes_caption()
