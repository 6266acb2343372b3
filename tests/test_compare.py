import re

import numpy as np
import pytest
import torch

from playground.compare import STRIP_STEPS, Comparison, Rival, lead
from vae.classifier import DigitClassifier
from vae.config import VAEConfig
from vae.model import VAE
from vae.sample_quality import different_class_pairs, measure
from vae.sampling import Samplers, seeded_generator
from vae.weights import Codes


def tiny(model: str) -> VAE:
    torch.manual_seed(2 if model == "ae" else 3)
    return VAE(VAEConfig(latent_dim=3, channels=4, hidden=16, model=model)).eval()


@pytest.fixture
def comparison(small_classifier: DigitClassifier) -> Comparison:
    """An autoencoder whose codes lie far from the origin, and a VAE whose codes are near it."""
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 10, 200).astype(np.uint8)
    ae_codes = rng.normal(6.0, 0.5, (200, 3)).astype(np.float32)
    vae_codes = rng.normal(0.0, 1.0, (200, 3)).astype(np.float32)
    figures = {"prior": (0.41, 0.65), "gaussian": (0.6, 0.7), "mixture": (0.93, 0.94), "midpoint": (0.3, 0.5)}
    stored = [
        {f"{name}_confident_share": str(shares[side]) for name, shares in figures.items()}
        | {"codes": "1000", "midpoint_pairs": "1000"}
        for side in (0, 1)
    ]
    return Comparison(
        Rival(tiny("ae"), Samplers(3, Samplers.fit(ae_codes, 2).fitted, stored[0]), Codes(ae_codes, labels)),
        Rival(
            tiny("vae"), Samplers(3, Samplers.fit(vae_codes, 2).fitted, stored[1]), Codes(vae_codes, labels)
        ),
        small_classifier,
    )


def test_pairs_join_test_images_of_different_classes_and_repeat_with_the_seed() -> None:
    labels = np.arange(100) % 10
    first, second = different_class_pairs(labels, 50, seeded_generator(1))
    assert len(first) == 50 and (labels[first] != labels[second]).all()
    again = different_class_pairs(labels, 50, seeded_generator(1))
    assert torch.equal(first, again[0]) and torch.equal(second, again[1])
    assert (
        len(different_class_pairs(np.zeros(30, np.uint8), 10, seeded_generator(1))[0]) == 0
    )  # one class: no pairs


def test_measure_counts_sure_decodes_of_each_sampler_and_of_the_midpoints(
    comparison: Comparison, monkeypatch: pytest.MonkeyPatch
) -> None:
    rival = comparison.vae
    decoded: list[torch.Tensor] = []
    decode = rival.model.decode
    monkeypatch.setattr(rival.model, "decode", lambda z: decoded.append(z) or decode(z))
    figures = measure(rival.model, comparison.classifier, rival.samplers, rival.test, seed=5)
    for name, z in zip(["mixture", "gaussian", "prior"], decoded, strict=False):
        assert torch.equal(z, rival.samplers.codes(name, 1000, seeded_generator(5)))
    first, second = different_class_pairs(rival.test.labels, 1000, seeded_generator(5))
    codes = torch.from_numpy(rival.test.codes)
    assert torch.equal(decoded[3], (codes[first] + codes[second]) / 2)
    with torch.inference_mode():
        probs = comparison.classifier.predict_proba(rival.model.decode_pixels(decoded[3]))
    assert figures["midpoint_confident_share"] == round(float((probs.max(1).values >= 0.9).float().mean()), 4)
    assert figures["codes"] == 1000 and figures["midpoint_pairs"] == len(first)
    for name in ("mixture", "gaussian", "prior"):
        assert 0 <= figures[f"{name}_smallest_class_share"] <= figures[f"{name}_confident_share"] <= 1


def test_random_grids_decode_the_same_samplers_codes_for_both_models(comparison: Comparison) -> None:
    ae_grid, vae_grid, caption = comparison.random_grids("gaussian", seed=3)
    assert ae_grid.size == vae_grid.size == (2 * 242, 2 * 242)
    for grid, rival in ((ae_grid, comparison.ae), (vae_grid, comparison.vae)):
        first = rival.model.decode_pixels(rival.samplers.codes("gaussian", 64, seeded_generator(3)))[0, 0]
        assert np.abs(np.asarray(grid)[4:60:2, 4:60:2] / 255 - first.detach().numpy()).max() <= 1 / 255
    assert [g.tobytes() for g in comparison.random_grids("gaussian", 3)[:2]] == [
        ae_grid.tobytes(),
        vae_grid.tobytes(),
    ]
    assert comparison.random_grids("prior", 3)[0].tobytes() != ae_grid.tobytes()  # far from the AE's codes
    assert re.fullmatch(
        r"These 64 codes from one Gaussian fitted to the training codes: the classifier is sure "
        r"\(p ≥ 0\.9\) of \d+% of the autoencoder's decodes and \d+% of the VAE's\.",
        caption,
    )


def test_interpolations_run_between_the_same_test_images_for_both_models(comparison: Comparison) -> None:
    strips = comparison.interpolations(seed=4)
    first, second = different_class_pairs(comparison.vae.test.labels, 8, seeded_generator(4))
    for strip, rival in zip(strips, (comparison.ae, comparison.vae), strict=True):
        assert strip.size == (2 * (STRIP_STEPS * 30 + 2), 2 * 242)
        codes = torch.from_numpy(rival.test.codes)
        middle = (STRIP_STEPS // 2) * 30 + 2  # the midpoint's column, in the grid before upscaling
        for column, z in ((2, codes[first[0]]), (middle, (codes[first[0]] + codes[second[0]]) / 2)):
            expected = rival.model.decode_pixels(z[None])[0, 0].detach().numpy()
            cell = np.asarray(strip)[4:60:2, 2 * column : 2 * column + 56 : 2] / 255
            assert np.abs(cell - expected).max() <= 1 / 255


def test_the_figures_table_shows_the_stored_shares_and_reads_them_off(comparison: Comparison) -> None:
    text = comparison.figures(0.963)
    heading = "(p ≥ 0.9; 1,000 codes per sampler, 1,000 pairs; higher is better, and the held-out images "
    assert heading + "themselves score 96%):" in text and "The 3-D models' decodes" in text
    assert "| codes from the prior N(0, I) | 41% | 65% |" in text
    assert "| midpoints between test images of different classes | 30% | 50% |" in text
    assert "codes from the prior N(0, I): the VAE leads by 24 points; " in text
    assert "codes from a mixture fitted to the training codes: no clear difference (1 point); " in text


@pytest.mark.parametrize(
    ("ae", "vae", "words"),
    [
        (0.41, 0.65, "the VAE leads by 24 points"),
        (0.82, 0.65, "the autoencoder leads by 17 points"),
        (0.50, 0.53, "no clear difference (3 points)"),
        (0.50, 0.50, "no clear difference (0 points)"),
    ],
)
def test_lead_names_the_higher_share_only_beyond_what_1000_samples_resolve(
    ae: float, vae: float, words: str
) -> None:
    assert lead(ae, vae) == words
