"""A compact convolutional VAE for 28x28 greyscale images with Bernoulli pixels."""

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from huggingface_hub import PyTorchModelHubMixin
from torch import nn

from vae.config import VAEConfig

ACTIVE_KL = 0.01  # nats: a latent dimension whose mean KL is below this carries no information


@dataclass
class LossTerms:
    """Per-image averages in nats, so the parts can be reported and compared separately."""

    loss: torch.Tensor  # recon + kl: the negative ELBO
    recon: torch.Tensor  # -log p(x | z), summed over pixels
    kl: torch.Tensor  # KL(q(z | x) || N(0, I)), summed over latent dimensions
    kl_per_dim: torch.Tensor  # shape (latent_dim,)


def use_native_cpu_kernels() -> None:
    """Run convolutions with PyTorch's own CPU kernels rather than oneDNN's, as the app serves: for one
    z to a few dozen, oneDNN's set-up costs more than the work (python -m vae.evaluate times both)."""
    torch.backends.mkldnn.enabled = False


def kl_divergence(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """Analytic KL(N(mu, sigma^2) || N(0, 1)) per latent dimension, shape like mu."""
    return 0.5 * (mu.pow(2) + logvar.exp() - 1.0 - logvar)


def active_dims(kl_per_dim: torch.Tensor) -> int:
    """How many latent dimensions carry information (mean KL above ACTIVE_KL)."""
    return int((kl_per_dim > ACTIVE_KL).sum())


def vae_loss(x: torch.Tensor, logits: torch.Tensor, mu: torch.Tensor, logvar: torch.Tensor) -> LossTerms:
    """Negative ELBO: Bernoulli reconstruction (BCE on grey pixels) plus KL to the prior."""
    recon = F.binary_cross_entropy_with_logits(logits, x, reduction="none").flatten(1).sum(1)
    kl_per_dim = kl_divergence(mu, logvar)
    kl = kl_per_dim.sum(1)
    return LossTerms(
        loss=(recon + kl).mean(),
        recon=recon.mean(),
        kl=kl.mean(),
        kl_per_dim=kl_per_dim.mean(0),
    )


class VAE(nn.Module, PyTorchModelHubMixin, license="mit", tags=["vae", "mnist"]):
    """Encoder q(z|x) = N(mu, sigma^2), prior p(z) = N(0, I), decoder p(x|z) = Bernoulli(logits)."""

    config_class = VAEConfig

    def __init__(self, config: VAEConfig) -> None:
        super().__init__()
        self.config = config
        c, h, d = config.channels, config.hidden, config.latent_dim
        if config.architecture == "mlp":
            self.encoder = nn.Sequential(nn.Flatten(), nn.Linear(28 * 28, h), nn.SiLU(), nn.Linear(h, 2 * d))
            self.decoder = nn.Sequential(
                nn.Linear(d, h), nn.SiLU(), nn.Linear(h, 28 * 28), nn.Unflatten(1, (1, 28, 28))
            )
        else:
            self.encoder = nn.Sequential(
                nn.Conv2d(1, c, 4, stride=2, padding=1),  # 28 -> 14
                nn.SiLU(),
                nn.Conv2d(c, 2 * c, 4, stride=2, padding=1),  # 14 -> 7
                nn.SiLU(),
                nn.Flatten(),
                nn.Linear(2 * c * 7 * 7, h),
                nn.SiLU(),
                nn.Linear(h, 2 * d),  # mu and logvar side by side
            )
            self.decoder = nn.Sequential(
                nn.Linear(d, h),
                nn.SiLU(),
                nn.Linear(h, 2 * c * 7 * 7),
                nn.SiLU(),
                nn.Unflatten(1, (2 * c, 7, 7)),
                nn.ConvTranspose2d(2 * c, c, 4, stride=2, padding=1),  # 7 -> 14
                nn.SiLU(),
                nn.ConvTranspose2d(c, 1, 4, stride=2, padding=1),  # 14 -> 28
            )
        # Mean KL of each latent dimension on held-out images (the validation split, or the test set
        # without one), filled in by training: it tells the app which dimensions carry information
        # (dimensions are stored sorted by it, largest first).
        self.register_buffer("kl_per_dim", torch.zeros(d))

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Posterior parameters (mu, logvar), each of shape (batch, latent_dim)."""
        mu, logvar = self.encoder(x).chunk(2, dim=1)
        return mu, logvar

    def reparameterize(
        self, mu: torch.Tensor, logvar: torch.Tensor, generator: torch.Generator | None = None
    ) -> torch.Tensor:
        """z = mu + sigma * eps keeps the sample differentiable with respect to mu and sigma; eps comes
        from generator, or from torch's global one."""
        if self.config.model == "ae":  # a plain autoencoder maps each image to one point
            return mu
        if generator is None:
            return mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
        eps = torch.randn(mu.shape, generator=generator, dtype=mu.dtype).to(mu.device)
        return mu + torch.exp(0.5 * logvar) * eps

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """Bernoulli logits of every pixel, shape (batch, 1, 28, 28); sigmoid gives the image."""
        return self.decoder(z)

    def decode_pixels(self, z: torch.Tensor) -> torch.Tensor:
        """The decoded images in [0, 1] (the Bernoulli means), shape (batch, 1, 28, 28)."""
        return torch.sigmoid(self.decode(z))

    @torch.inference_mode()
    def encode_all(self, images: torch.Tensor, batch_size: int = 1000) -> tuple[torch.Tensor, torch.Tensor]:
        """encode() of any number of images, batch_size at a time: (mu, logvar), each (N, latent_dim)."""
        posteriors = [self.encode(batch) for batch in images.split(batch_size)]
        mu, logvar = zip(*posteriors, strict=True)
        return torch.cat(mu), torch.cat(logvar)

    def encode_means(self, images: torch.Tensor, batch_size: int = 1000) -> np.ndarray:
        """The posterior mean mu of every image (for an autoencoder, its code), shape (N, latent_dim)."""
        return self.encode_all(images, batch_size)[0].cpu().numpy()

    @torch.inference_mode()
    def sample_codes(self, images: torch.Tensor, per_image: int, generator: torch.Generator) -> np.ndarray:
        """per_image draws of z = mu + sigma * eps for every image, shape (N * per_image, latent_dim): the
        codes the decoder was trained on, which a prior fitted after training should cover."""
        mu, logvar = self.encode_all(images)
        noise = torch.randn(per_image, *mu.shape, generator=generator)
        return (mu + torch.exp(0.5 * logvar) * noise).flatten(0, 1).numpy()

    def forward(
        self, x: torch.Tensor, generator: torch.Generator | None = None
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """One sampled reconstruction: (logits, mu, logvar)."""
        mu, logvar = self.encode(x)
        return self.decode(self.reparameterize(mu, logvar, generator)), mu, logvar

    @torch.no_grad()
    def sort_latents(self, kl_per_dim: torch.Tensor) -> None:
        """Reorder latent dimensions by decreasing KL, so z1 is always the most informative."""
        order = torch.argsort(kl_per_dim, descending=True)
        head: nn.Linear = self.encoder[-1]
        rows = torch.cat([order, order + self.config.latent_dim])  # mu rows, then logvar rows
        head.weight.copy_(head.weight[rows])
        head.bias.copy_(head.bias[rows])
        first: nn.Linear = self.decoder[0]
        first.weight.copy_(first.weight[:, order])
        self.kl_per_dim.copy_(kl_per_dim[order])
