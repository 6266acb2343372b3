"""A compact variational autoencoder for MNIST-style images, and the tools around it."""

from vae.model import VAE, LossTerms, VAEConfig, kl_divergence, vae_loss

__all__ = ["VAE", "LossTerms", "VAEConfig", "kl_divergence", "vae_loss"]
