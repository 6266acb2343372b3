import numpy as np
import pytest
import torch

from vae.classifier import DigitClassifier
from vae.demo import Playground
from vae.model import VAE
from vae.sampling import SAMPLER_FILE, MixtureSampler, seeded_generator
from vae.weights import WEIGHTS_DIR, WeightsError


@pytest.fixture
def mixture() -> MixtureSampler:
    """Two tight clusters in 4-D, far from the origin, fitted with two components."""
    rng = np.random.default_rng(0)
    codes = np.concatenate([rng.normal(2.0, 0.1, (300, 4)), rng.normal(-2.0, 0.1, (100, 4))])
    return MixtureSampler.fit(codes.astype(np.float32), components=2, seed=0)


def test_samples_land_in_the_fitted_clusters_in_their_proportions(mixture: MixtureSampler) -> None:
    z = mixture.sample(4000, torch.Generator().manual_seed(0)).numpy()
    near_first = np.abs(z - 2.0).max(1) < 0.6
    near_second = np.abs(z + 2.0).max(1) < 0.6
    assert (near_first | near_second).all()
    assert near_first.mean() == pytest.approx(0.75, abs=0.03)
    assert z[near_first].std() == pytest.approx(0.1, abs=0.02)
    assert np.allclose(
        mixture.sample(5, torch.Generator().manual_seed(0), temperature=0.0).abs(), 2.0, atol=0.05
    )


def test_a_seeded_sampler_repeats_and_decodes_to_images(
    mixture: MixtureSampler, small_vae: VAE, small_classifier: DigitClassifier
) -> None:
    playground = Playground(small_vae, small_classifier, mixture)
    values = playground.random(1.0, 7).values
    assert playground.random(1.0, 7).values == values and playground.random(1.0, 8).values != values
    assert abs(abs(np.mean(values)) - 2.0) < 0.3  # from the mixture, not the prior
    assert abs(np.mean(playground.random(1.0, 7, "prior").values)) < 2.0
    pixels = small_vae.decode_pixels(playground.codes(16, 1.0, seeded_generator(3), "mixture"))
    assert pixels.shape == (16, 1, 28, 28) and pixels.min() >= 0 and pixels.max() <= 1
    with pytest.raises(ValueError, match="sampler must be one of mixture, prior, not 'gan'"):
        playground.random(1.0, 7, "gan")


def test_the_stored_mixture_round_trips_without_pickle_and_is_checked(
    mixture: MixtureSampler, tmp_path: pytest.TempPathFactory
) -> None:
    MixtureSampler(mixture.weights, mixture.means, mixture.cholesky, {"components": "2"}).save(tmp_path)
    loaded = MixtureSampler.load(tmp_path, latent_dim=4)
    assert np.array_equal(loaded.means, mixture.means) and loaded.metadata == {"components": "2"}
    generator = lambda: torch.Generator().manual_seed(1)  # noqa: E731
    assert torch.equal(loaded.sample(10, generator()), mixture.sample(10, generator()))
    with pytest.raises(
        WeightsError, match=r"sampler\.safetensors: does not match the model's 16-D latent space"
    ):
        MixtureSampler.load(tmp_path, latent_dim=16)
    (tmp_path / SAMPLER_FILE).write_bytes(b"\x80\x04not safetensors")
    with pytest.raises(WeightsError, match=r"sampler\.safetensors: not a readable sampler file"):
        MixtureSampler.load(tmp_path, latent_dim=4)


@pytest.mark.parametrize("dataset", ["mnist", "fashion-mnist"])
def test_the_figures_the_page_shows_are_what_the_bundled_sampler_gives(dataset: str) -> None:
    playground = Playground.from_folder(dataset=dataset)
    stored = playground.mixture.metadata
    presses = int(stored["presses"])
    for sampler in ("mixture", "prior"):
        measured = playground.sample_quality(sampler, presses)
        for key, value in measured.items():
            assert value == pytest.approx(float(stored[f"{sampler}_{key}"]), abs=2 / presses), (sampler, key)


def test_random_samples_of_the_bundled_mnist_vae_meet_the_target() -> None:
    stored = MixtureSampler.load(WEIGHTS_DIR / "mnist-vae", 16).metadata
    assert (
        float(stored["mixture_confident_share"]) >= 0.85
        and float(stored["mixture_smallest_class_share"]) >= 0.05
    )
