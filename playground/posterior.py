"""The posterior of a 2-D VAE made visible: the encoder's q(z | x) against the true p(z | x), evaluated
on a grid (two dimensions are few enough to integrate), importance-sampled log p(x), samples of
z = μ + σ·ε, and where the prior N(0, I) has mass but the training codes have none.

Every figure is in nats under the decoder's Bernoulli likelihood, the one the training loss uses."""

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import torch
import torch.nn.functional as F
from scipy import ndimage

from vae.classifier import CONFIDENT, DigitClassifier
from vae.model import VAE

LOG_2PI = math.log(2 * math.pi)
# The share of a 2-D Gaussian's mass inside its 1σ and 2σ ellipses: the true posterior's regions of
# these masses are the ones to hold q's ellipses against.
ELLIPSE_MASSES = (1 - math.exp(-0.5), 1 - math.exp(-2))
IS_SAMPLES = 5000  # k, the samples from q behind each log p(x) (1,000 were 1.3 nats off where q is narrow)
EPSILON_SEED = 0  # the n-th press of Sample ε draws from seed EPSILON_SEED + n: a drawing's samples repeat
COARSE_HALF, COARSE_STEPS = 5.0, 40  # the first look, over N(0, I)'s 99.99 % and more
FINE_STEPS = 64  # the close-up's grid, steps to a side
NEGLIGIBLE = 12.0  # nats below the peak: cells the close-up may leave out (e^-12 of the peak's density)
HOLE_RATIO = (
    0.1  # a hole: inside the prior's 2σ circle, where the codes are under a tenth as dense as N(0, I)
)


def log_likelihood(model: VAE, x: torch.Tensor, z: torch.Tensor, batch_size: int = 8192) -> torch.Tensor:
    """log p(x | z) of one image x (28x28 in [0, 1]) at each code z (N, 2): minus the training loss's
    reconstruction term."""
    target = x.reshape(1, -1)
    parts = []
    for codes in z.split(batch_size):
        logits = model.decode(codes).flatten(1)
        parts.append(
            -F.binary_cross_entropy_with_logits(logits, target.expand_as(logits), reduction="none").sum(1)
        )
    return torch.cat(parts)


def log_prior(z: torch.Tensor) -> torch.Tensor:
    """log N(z; 0, I) in two dimensions."""
    return -0.5 * (z**2).sum(-1) - LOG_2PI


def log_gaussian(z: torch.Tensor, mu: torch.Tensor, sigma: torch.Tensor) -> torch.Tensor:
    """log N(z; μ, diag σ²) in two dimensions: q(z | x)'s density."""
    return (-0.5 * ((z - mu) / sigma) ** 2 - torch.log(sigma)).sum(-1) - LOG_2PI


@dataclass(frozen=True)
class Square:
    """A square of latent space and the grid of cells that covers it."""

    centre: tuple[float, float]
    half: float  # half its side

    @property
    def low(self) -> tuple[float, float]:
        return self.centre[0] - self.half, self.centre[1] - self.half

    def cells(self, steps: int) -> torch.Tensor:
        """The centres of steps x steps cells, row by row from the top (z2 falling), z1 rising along a row,
        as an image's pixels are stored."""
        offsets = (torch.arange(steps, dtype=torch.float64) + 0.5) / steps * 2 * self.half - self.half
        z1, z2 = torch.meshgrid(self.centre[0] + offsets, self.centre[1] - offsets, indexing="xy")
        return torch.stack([z1.flatten(), z2.flatten()], dim=1).float()

    def cell_area(self, steps: int) -> float:
        return (2 * self.half / steps) ** 2


@dataclass(frozen=True)
class Encoded:
    """An image and its q(z | x) = N(μ, diag σ²) under the 2-D VAE."""

    pixels: np.ndarray  # 28x28 in [0, 1]
    mu: np.ndarray  # (2,)
    sigma: np.ndarray  # (2,)

    @classmethod
    @torch.inference_mode()
    def of(cls, model: VAE, pixels: np.ndarray) -> "Encoded":
        mu, logvar = model.encode(torch.from_numpy(np.asarray(pixels, np.float32))[None, None])
        return cls(np.asarray(pixels, np.float32), mu[0].numpy(), torch.exp(0.5 * logvar[0]).numpy())

    def sample(self, press: int) -> tuple[np.ndarray, np.ndarray]:
        """ε ~ N(0, I) for the press-th press of Sample ε (seeded), and z = μ + σ·ε."""
        generator = torch.Generator().manual_seed(EPSILON_SEED + press)
        eps = torch.randn(2, generator=generator, dtype=torch.float64).numpy()
        return eps, self.mu + self.sigma * eps


@dataclass(frozen=True)
class Posterior:
    """One image's posterior, computed: its figures (nats) and the true posterior on a close-up grid."""

    encoded: Encoded
    square: Square  # the close-up: where the true posterior's mass and q's 3σ box are
    log_joint: np.ndarray  # log p(x, z) at square.cells(FINE_STEPS), (FINE_STEPS, FINE_STEPS)
    elbo: float  # E_q[log p(x | z)] - KL(q || p(z)), the Monte-Carlo part from IS_SAMPLES draws
    elbo_error: float  # the standard error of that Monte-Carlo estimate
    log_px: float  # log p(x) by importance sampling with IS_SAMPLES draws from q
    log_px_grid: float  # log p(x) by summing p(x, z) over the close-up grid

    @property
    def gap(self) -> float:
        """log p(x) - ELBO = KL(q(z | x) || p(z | x)): what the ELBO loses by using q."""
        return self.log_px - self.elbo

    @cached_property
    def density(self) -> np.ndarray:
        """The true posterior's probability in each close-up cell (they sum to 1), computed once."""
        weights = np.exp(self.log_joint - self.log_joint.max())
        return weights / weights.sum()

    def region_levels(self) -> list[float]:
        """The densities above which the true posterior's cells hold ELLIPSE_MASSES of its mass."""
        ordered = np.sort(self.density.ravel())[::-1]
        held = np.cumsum(ordered)
        return [float(ordered[min(np.searchsorted(held, mass), ordered.size - 1)]) for mass in ELLIPSE_MASSES]

    def moments(self) -> tuple[np.ndarray, np.ndarray, float]:
        """The true posterior's mean, standard deviations and correlation, from the grid."""
        p, z = self.density.ravel(), self.square.cells(FINE_STEPS).double().numpy()
        mean = p @ z
        centred = z - mean
        cov = (centred * p[:, None]).T @ centred
        sd = np.sqrt(np.diag(cov))
        return mean, sd, float(cov[0, 1] / (sd[0] * sd[1]))

    def q_two_sigma_share(self) -> float:
        """The share of the true posterior inside q's 2σ ellipse (which holds 86.5 % of q)."""
        z = self.square.cells(FINE_STEPS).double().numpy()
        inside = (((z - self.encoded.mu) / self.encoded.sigma) ** 2).sum(1) <= 4
        return float(self.density.ravel()[inside].sum())

    def regions(self) -> list[float]:
        """The shares of the true posterior's mass in each part of its 86.5 % region, largest first."""
        density = self.density
        parts, count = ndimage.label(density >= self.region_levels()[1])
        shares = ndimage.sum(density, parts, index=range(1, count + 1))
        return sorted((float(s) for s in np.atleast_1d(shares)), reverse=True)

    def reading(self) -> str:
        """One sentence on how q differs from the true posterior, read off the figures."""
        gap = (
            f"The gap, {self.gap:.2f} nats, is the KL from q to the true posterior: what the ELBO loses by "
            "using q."
        )
        regions = [share for share in self.regions() if share >= 0.02]
        if len(regions) > 1:
            return (
                f"The true posterior has {len(regions)} separate parts; q, a single Gaussian, sits on one "
                f"and misses the rest. {gap}"
            )
        inside = self.q_two_sigma_share()
        _, sd, correlation = self.moments()
        ratio = float(np.prod(self.encoded.sigma) / np.prod(sd))
        if ratio < 0.7:
            shape = f"q is narrower than the true posterior (its ellipses cover {ratio:.0%} of the area)"
        elif ratio > 1.4:
            shape = f"q is wider than the true posterior ({ratio:.1f} times the area)"
        elif abs(correlation) >= 0.3:
            shape = (
                f"The true posterior is tilted (correlation {correlation:+.2f}), which q, with one σ per "
                "axis, cannot follow"
            )
        else:
            shape = "q has about the true posterior's size and shape"
        return (
            f"{shape}; its 2σ ellipse holds {inside:.0%} of the true posterior, against "
            f"{ELLIPSE_MASSES[1]:.0%} of q. {gap}"
        )

    def figures(self) -> dict[str, float | int | list[float]]:
        """The figures as the /posterior endpoint answers them."""
        return {
            "elbo": round(self.elbo, 3),
            "elbo_error": round(self.elbo_error, 3),
            "log_px": round(self.log_px, 3),
            "log_px_grid": round(self.log_px_grid, 3),
            "gap": round(self.gap, 3),
            "k": IS_SAMPLES,
            "mu": [round(float(v), 4) for v in self.encoded.mu],
            "sigma": [round(float(v), 4) for v in self.encoded.sigma],
        }


def grid_log_joint(model: VAE, x: torch.Tensor, square: Square, steps: int) -> torch.Tensor:
    """log p(x, z) = log p(x | z) + log p(z) at the square's cells, (steps, steps)."""
    z = square.cells(steps)
    return (log_likelihood(model, x, z) + log_prior(z)).reshape(steps, steps)


def close_up(model: VAE, x: torch.Tensor, encoded: Encoded) -> Square:
    """The square that holds both q's 3σ box and every cell of a coarse look where the true posterior's
    density is within NEGLIGIBLE nats of its peak, a second mode included."""
    coarse = Square((0.0, 0.0), COARSE_HALF)
    log_joint = grid_log_joint(model, x, coarse, COARSE_STEPS).flatten()
    z = coarse.cells(COARSE_STEPS)[log_joint >= log_joint.max() - NEGLIGIBLE].numpy()
    step = 2 * COARSE_HALF / COARSE_STEPS
    low = np.minimum(z.min(0) - step, encoded.mu - 3 * encoded.sigma)
    high = np.maximum(z.max(0) + step, encoded.mu + 3 * encoded.sigma)
    centre, half = (low + high) / 2, max(float((high - low).max()) / 2 * 1.1, 0.2)
    return Square((float(centre[0]), float(centre[1])), half)


@torch.inference_mode()
def posterior(model: VAE, pixels: np.ndarray) -> Posterior:
    """q(z | x) and the true p(z | x) of one image under a 2-D VAE, with the ELBO and log p(x)."""
    encoded = Encoded.of(model, pixels)
    x = torch.from_numpy(encoded.pixels)
    square = close_up(model, x, encoded)
    log_joint = grid_log_joint(model, x, square, FINE_STEPS)
    log_px_grid = float(torch.logsumexp(log_joint.flatten().double(), 0)) + math.log(
        square.cell_area(FINE_STEPS)
    )

    mu, sigma = torch.from_numpy(encoded.mu), torch.from_numpy(encoded.sigma)
    generator = torch.Generator().manual_seed(EPSILON_SEED)
    z = mu + sigma * torch.randn(IS_SAMPLES, 2, generator=generator)
    likelihood = log_likelihood(model, x, z).double()
    log_weights = likelihood + log_prior(z).double() - log_gaussian(z, mu, sigma).double()
    kl = float(0.5 * (mu**2 + sigma**2 - 1 - 2 * torch.log(sigma)).sum())
    return Posterior(
        encoded=encoded,
        square=square,
        log_joint=log_joint.numpy(),
        elbo=float(likelihood.mean()) - kl,
        elbo_error=float(likelihood.std() / math.sqrt(IS_SAMPLES)),
        log_px=float(torch.logsumexp(log_weights, 0)) - math.log(IS_SAMPLES),
        log_px_grid=log_px_grid,
    )


def log_aggregate(mu: torch.Tensor, sigma: torch.Tensor, z: torch.Tensor, chunk: int = 2048) -> torch.Tensor:
    """log q(z) = log of the mean of N(z; μ_i, diag σ_i²) over the codes i: the density of the training
    codes as the decoder saw them (the aggregate posterior), at each z (N, 2). Each Gaussian's exponent
    is a quadratic in z, so one matrix product gives them all."""
    precision = sigma**-2
    weights = torch.cat([-0.5 * precision, mu * precision], dim=1).T.contiguous()  # (4, codes)
    constant = (-0.5 * mu**2 * precision - torch.log(sigma)).sum(1) - LOG_2PI
    parts = []
    for points in z.split(chunk):
        exponents = torch.addmm(constant, torch.cat([points**2, points], dim=1), weights)
        peak = exponents.max(dim=1, keepdim=True).values
        # Terms below e^-60 of the largest add nothing; clamped, they stay clear of slow subnormal floats.
        parts.append((exponents - peak).clamp_(min=-60).exp_().sum(dim=1).log_() + peak[:, 0])
    return torch.cat(parts) - math.log(len(mu))


@dataclass(frozen=True)
class PriorHoles:
    """Where N(0, I) has mass and the training codes have almost none, and how decodes of samples from
    each density look to the classifier."""

    square: Square  # the map's square
    log_codes: np.ndarray  # log q(z) at square.cells(steps), (steps, steps)
    holes: np.ndarray  # bool (steps, steps): inside the prior's 2σ circle, q(z) < HOLE_RATIO · p(z)
    prior_share: float  # the share of N(0, I)'s samples that land in a hole
    sure_prior: float  # the classifier is sure (p ≥ 0.9) of this share of N(0, I)'s decodes
    sure_codes: float  # and of this share of decodes of samples of q(z), the codes' own density
    samples: int  # drawn from each


def in_hole(log_codes: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
    """Whether codes z lie in a hole, given log q at them."""
    return ((z**2).sum(-1) <= 4) & (log_codes < log_prior(z) + math.log(HOLE_RATIO))


@torch.inference_mode()
def prior_holes(
    model: VAE, images: torch.Tensor, judge: DigitClassifier, square: Square, steps: int, samples: int = 1000
) -> PriorHoles:
    """The training codes' density over the map, the prior's holes in it, and the classifier's verdict
    on decodes of samples from N(0, I) and from the codes' density (seeded, so the figures repeat)."""
    mu, logvar = model.encode_all(images)
    sigma = torch.exp(0.5 * logvar)
    cells = square.cells(steps)
    log_codes = log_aggregate(mu, sigma, cells)
    generator = torch.Generator().manual_seed(EPSILON_SEED)
    prior_z = torch.randn(samples, 2, generator=generator)
    owners = torch.randint(len(mu), (samples,), generator=generator)
    codes_z = mu[owners] + sigma[owners] * torch.randn(samples, 2, generator=generator)

    def sure(z: torch.Tensor) -> float:
        return float((judge.predict_proba(model.decode_pixels(z)).max(1).values >= CONFIDENT).float().mean())

    return PriorHoles(
        square=square,
        log_codes=log_codes.reshape(steps, steps).numpy(),
        holes=in_hole(log_codes, cells).reshape(steps, steps).numpy(),
        prior_share=float(in_hole(log_aggregate(mu, sigma, prior_z), prior_z).float().mean()),
        sure_prior=sure(prior_z),
        sure_codes=sure(codes_z),
        samples=samples,
    )
