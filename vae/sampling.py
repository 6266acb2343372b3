"""Where random latent codes come from: one seeding rule for every sampler the app offers."""

import numpy as np
import torch


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
