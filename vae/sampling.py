"""Where random latent codes come from: one seeding rule for every sampler the app offers."""

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import numpy as np
import torch
from safetensors import SafetensorError, safe_open
from safetensors.numpy import save_file as save_arrays

from vae.config import SAMPLERS
from vae.weights import WeightsError


def seeded_generator(seed: float | None) -> torch.Generator:
    """A generator seeded with seed, or from the OS when seed is missing, negative or not finite."""
    generator = torch.Generator()
    if seed is None or not np.isfinite(seed) or seed < 0:
        generator.seed()
    else:
        generator.manual_seed(int(seed) % 2**63)
    return generator


SAMPLER_FILE = "sampler.safetensors"  # beside a model: the densities fitted to its training codes
LOG_2PI = math.log(2 * math.pi)
FITTED = ("mixture", "gaussian")  # the samplers vae.fit_sampler fits and stores


@dataclass(frozen=True)
class GaussianMixture:
    """A Gaussian mixture over latent codes; with one component, a Gaussian fitted to them."""

    weights: np.ndarray  # (K,)
    means: np.ndarray  # (K, D)
    cholesky: np.ndarray  # (K, D, D): lower-triangular factors of the components' covariances

    ARRAYS: ClassVar[tuple[str, ...]] = (
        "weights",
        "means",
        "cholesky",
    )  # as stored in sampler.safetensors, in this order

    @classmethod
    def fit(cls, codes: np.ndarray, components: int, seed: int = 0) -> "GaussianMixture":
        """scikit-learn's GaussianMixture with full covariances, fitted to codes (N, D)."""
        from sklearn.mixture import GaussianMixture as Fitter

        mixture = Fitter(components, covariance_type="full", random_state=seed).fit(codes.astype(np.float64))
        return cls(mixture.weights_, mixture.means_, np.linalg.cholesky(mixture.covariances_))

    def sample(self, count: int, generator: torch.Generator, temperature: float = 1.0) -> torch.Tensor:
        """count codes: a component by its weight, then its mean plus temperature times its spread."""
        component = torch.multinomial(
            torch.from_numpy(self.weights), count, replacement=True, generator=generator
        )
        noise = torch.randn(count, self.means.shape[1], 1, generator=generator, dtype=torch.float64)
        spread = torch.from_numpy(self.cholesky)[component] @ noise
        return (torch.from_numpy(self.means)[component] + temperature * spread[..., 0]).float()

    def log_prob(self, z: torch.Tensor) -> torch.Tensor:
        """log p(z) of codes z (..., D) under the mixture: as a VAE's prior, it enters its likelihood."""
        flat = z.reshape(-1, z.shape[-1]).double()
        inverse = torch.linalg.inv(torch.from_numpy(self.cholesky))  # (K, D, D), lower-triangular
        whitened = torch.einsum("kij,nkj->nki", inverse, flat[:, None, :] - torch.from_numpy(self.means))
        log_det = torch.log(torch.diagonal(torch.from_numpy(self.cholesky), dim1=-2, dim2=-1)).sum(-1)
        log_component = -0.5 * (whitened.pow(2).sum(-1) + z.shape[-1] * LOG_2PI) - log_det
        return (
            torch.logsumexp(log_component + torch.log(torch.from_numpy(self.weights)), -1)
            .float()
            .view(z.shape[:-1])
        )


@dataclass(frozen=True)
class Samplers:
    """Where a model's random codes come from: the prior N(0, I), and the densities fitted to its
    training codes after training (a VAE's codes do not fill N(0, I) evenly; an autoencoder's follow
    no prior at all), with what vae.fit_sampler measured of each."""

    latent_dim: int
    fitted: dict[str, GaussianMixture] = field(default_factory=dict)
    metadata: dict[str, str] = field(default_factory=dict)  # how they were fitted, what they measured

    def codes(
        self, name: str, count: int, generator: torch.Generator, temperature: float = 1.0
    ) -> torch.Tensor:
        """count codes from the named sampler (one of SAMPLERS), their spread scaled by temperature; a
        sampler that was not fitted draws from the prior."""
        if name not in SAMPLERS:
            raise ValueError(f"sampler must be one of {', '.join(SAMPLERS)}, not {name!r}")
        if name in self.fitted:
            return self.fitted[name].sample(count, generator, temperature)
        return temperature * torch.randn(count, self.latent_dim, generator=generator)

    @classmethod
    def fit(cls, codes: np.ndarray, components: int, seed: int = 0) -> "Samplers":
        """The mixture of `components` Gaussians and the single Gaussian, both fitted to codes (N, D)."""
        sizes = {"mixture": components, "gaussian": 1}
        return cls(codes.shape[1], {name: GaussianMixture.fit(codes, sizes[name], seed) for name in FITTED})

    def save(self, folder: Path) -> None:
        """Write folder/sampler.safetensors: each density in float64 under its name, the metadata as text."""
        arrays = {
            f"{name}.{key}": np.ascontiguousarray(getattr(density, key), np.float64)
            for name, density in self.fitted.items()
            for key in GaussianMixture.ARRAYS
        }
        save_arrays(arrays, folder / SAMPLER_FILE, metadata=self.metadata)

    @classmethod
    def load(cls, folder: Path, latent_dim: int) -> "Samplers":
        """The samplers stored beside a model, checked against its latent size (no pickle)."""
        path = folder / SAMPLER_FILE
        try:
            with safe_open(path, "np") as stored:
                fitted = {
                    name: GaussianMixture(
                        *(stored.get_tensor(f"{name}.{key}") for key in GaussianMixture.ARRAYS)
                    )
                    for name in FITTED
                }
                metadata = stored.metadata() or {}
        except (OSError, SafetensorError) as err:
            raise WeightsError(f"{path}: not a readable sampler file ({err!r})") from None
        for name, density in fitted.items():
            count = len(density.weights)
            if density.means.shape != (count, latent_dim) or density.cholesky.shape != (
                count,
                latent_dim,
                latent_dim,
            ):
                raise WeightsError(
                    f"{path}: its {name} does not match the model's {latent_dim}-D latent space "
                    f"(means {density.means.shape}, cholesky {density.cholesky.shape})"
                )
            finite = np.isfinite(density.means).all() and np.isfinite(density.cholesky).all()
            if not finite or abs(density.weights.sum() - 1) > 1e-6:
                raise WeightsError(
                    f"{path}: its {name}'s weights do not sum to 1 or it holds non-finite numbers"
                )
        return cls(latent_dim, fitted, metadata)
