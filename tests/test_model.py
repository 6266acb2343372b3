import pytest
import torch

from vae.model import VAE, VAEConfig, kl_divergence, vae_loss


def test_shapes_and_dtypes(small_vae: VAE) -> None:
    x = torch.rand(5, 1, 28, 28)
    mu, logvar = small_vae.encode(x)
    assert mu.shape == logvar.shape == (5, 4)
    z = small_vae.reparameterize(mu, logvar)
    logits = small_vae.decode(z)
    assert logits.shape == (5, 1, 28, 28)
    assert logits.dtype == z.dtype == torch.float32
    out_logits, out_mu, out_logvar = small_vae(x)
    assert out_logits.shape == x.shape
    assert torch.equal(out_mu, mu) and torch.equal(out_logvar, logvar)


@pytest.mark.parametrize("seeded", [False, True], ids=["global generator", "seeded generator"])
def test_reparameterize_uses_sigma(seeded: bool) -> None:
    mu, logvar = torch.full((20000, 1), 2.0), torch.full((20000, 1), 2 * torch.log(torch.tensor(3.0)))
    generator = torch.Generator().manual_seed(7) if seeded else None
    z = VAE(VAEConfig(latent_dim=1)).reparameterize(mu, logvar, generator)
    assert z.mean().item() == pytest.approx(2.0, abs=0.1)
    assert z.std().item() == pytest.approx(3.0, abs=0.1)


def test_a_seeded_reparameterize_is_mu_plus_sigma_times_that_generators_eps() -> None:
    """The path the Train tab's held-out figures take: each z is μ + σ·ε with ε the seed's own draws."""
    vae = VAE(VAEConfig(latent_dim=3))
    mu, logvar = torch.randn(4, 3), torch.randn(4, 3)
    eps = torch.randn(4, 3, generator=torch.Generator().manual_seed(11))
    z = vae.reparameterize(mu, logvar, torch.Generator().manual_seed(11))
    torch.testing.assert_close(z, mu + torch.exp(0.5 * logvar) * eps)
    assert not torch.equal(z, vae.reparameterize(mu, logvar, torch.Generator().manual_seed(12)))


def test_kl_is_zero_exactly_at_the_prior() -> None:
    zeros = torch.zeros(3, 6)
    assert torch.equal(kl_divergence(zeros, zeros), zeros)
    assert (kl_divergence(zeros + 0.5, zeros) > 0).all()
    assert (kl_divergence(zeros, zeros - 0.5) > 0).all()
    # KL(N(1, 1) || N(0, 1)) = 0.5 nats
    assert kl_divergence(torch.ones(1), torch.zeros(1)).item() == pytest.approx(0.5)


def test_loss_parts_add_up() -> None:
    torch.manual_seed(0)
    x = torch.rand(8, 1, 28, 28)
    logits, mu, logvar = torch.randn(8, 1, 28, 28), torch.randn(8, 3), torch.randn(8, 3)
    terms = vae_loss(x, logits, mu, logvar)
    assert terms.loss.item() == pytest.approx(terms.recon.item() + terms.kl.item(), rel=1e-6)
    assert terms.kl.item() == pytest.approx(terms.kl_per_dim.sum().item(), rel=1e-6)
    assert terms.kl_per_dim.shape == (3,)
    manual = -(x * torch.sigmoid(logits).log() + (1 - x) * torch.sigmoid(-logits).log())
    assert terms.recon.item() == pytest.approx(manual.flatten(1).sum(1).mean().item(), rel=1e-5)


def test_sort_latents_reorders_without_changing_the_function(small_vae: VAE) -> None:
    x = torch.rand(3, 1, 28, 28)
    mu_before, logvar_before = small_vae.encode(x)
    z = torch.randn(3, 4)
    decoded_before = small_vae.decode(z)
    kl = torch.tensor([0.25, 3.0, 0.0, 1.5])
    small_vae.sort_latents(kl)
    order = [1, 3, 0, 2]
    mu_after, logvar_after = small_vae.encode(x)
    torch.testing.assert_close(mu_after, mu_before[:, order])
    torch.testing.assert_close(logvar_after, logvar_before[:, order])
    torch.testing.assert_close(small_vae.decode(z[:, order]), decoded_before)
    assert small_vae.kl_per_dim.tolist() == [3.0, 1.5, 0.25, 0.0]
