"""Where random latent codes come from: one seeding rule for every sampler the app offers."""

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from safetensors import SafetensorError, safe_open
from safetensors.numpy import save_file as save_arrays

from vae.weights import WeightsError


def seeded_generator(seed: float | None) -> torch.Generator:
    """A generator seeded with seed, or from the OS when seed is missing, negative or not finite."""
    generator = torch.Generator()
    if seed is None or not np.isfinite(seed) or seed < 0:
        generator.seed()
    else:
        generator.manual_seed(int(seed) % 2**63)
    return generator


def fitted_gaussian_codes(codes: np.ndarray, count: int, generator: torch.Generator) -> torch.Tensor:
    """Codes drawn from a Gaussian (mean and full covariance) fitted to a model's test-set codes: an
    autoencoder's codes follow no prior, so this is the fairest way to sample one."""
    mean = torch.from_numpy(codes.mean(0)).double()
    covariance = torch.from_numpy(np.cov(codes, rowvar=False)).double()
    noise = torch.randn(count, codes.shape[1], generator=generator, dtype=torch.float64)
    return (mean + noise @ torch.linalg.cholesky(covariance).T).float()


SAMPLER_FILE = "sampler.safetensors"  # beside a VAE: the mixture fitted to its training codes


@dataclass(frozen=True)
class MixtureSampler:
    """A Gaussian mixture fitted to the training images' posterior means. A VAE's codes do not fill
    N(0, I) evenly; samples from this land where images were encoded, not in the gaps between classes."""

    weights: np.ndarray  # (K,)
    means: np.ndarray  # (K, D)
    cholesky: np.ndarray  # (K, D, D): lower-triangular factors of the components' covariances
    metadata: dict[str, str] = field(default_factory=dict)  # how it was fitted, what it measured

    @classmethod
    def fit(cls, codes: np.ndarray, components: int, seed: int = 0) -> "MixtureSampler":
        """scikit-learn's GaussianMixture with full covariances, fitted to codes (N, D)."""
        from sklearn.mixture import GaussianMixture

        mixture = GaussianMixture(components, covariance_type="full", random_state=seed).fit(
            codes.astype(np.float64)
        )
        return cls(mixture.weights_, mixture.means_, np.linalg.cholesky(mixture.covariances_))

    def sample(self, count: int, generator: torch.Generator, temperature: float = 1.0) -> torch.Tensor:
        """count codes: a component by its weight, then its mean plus temperature times its spread."""
        component = torch.multinomial(
            torch.from_numpy(self.weights), count, replacement=True, generator=generator
        )
        noise = torch.randn(count, self.means.shape[1], 1, generator=generator, dtype=torch.float64)
        spread = torch.from_numpy(self.cholesky)[component] @ noise
        return (torch.from_numpy(self.means)[component] + temperature * spread[..., 0]).float()

    def save(self, folder: Path) -> None:
        """Write folder/sampler.safetensors: the mixture in float64 and the metadata as text."""
        arrays = {"weights": self.weights, "means": self.means, "cholesky": self.cholesky}
        arrays = {key: np.ascontiguousarray(value, np.float64) for key, value in arrays.items()}
        save_arrays(arrays, folder / SAMPLER_FILE, metadata=self.metadata)

    @classmethod
    def load(cls, folder: Path, latent_dim: int) -> "MixtureSampler":
        """The sampler stored beside a VAE, checked against the VAE's latent size (no pickle)."""
        path = folder / SAMPLER_FILE
        try:
            with safe_open(path, "np") as stored:
                arrays = {key: stored.get_tensor(key) for key in ("weights", "means", "cholesky")}
                metadata = stored.metadata() or {}
        except (OSError, SafetensorError, KeyError) as err:
            raise WeightsError(f"{path}: not a readable sampler file ({err!r})") from None
        weights, means, cholesky = arrays["weights"], arrays["means"], arrays["cholesky"]
        count = len(weights)
        if means.shape != (count, latent_dim) or cholesky.shape != (count, latent_dim, latent_dim):
            raise WeightsError(
                f"{path}: does not match the model's {latent_dim}-D latent space "
                f"(means {means.shape}, cholesky {cholesky.shape})"
            )
        if not (np.isfinite(means).all() and np.isfinite(cholesky).all() and abs(weights.sum() - 1) < 1e-6):
            raise WeightsError(f"{path}: its weights do not sum to 1 or it holds non-finite numbers")
        return cls(weights, means, cholesky, metadata)
