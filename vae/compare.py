"""How well a model's random and in-between codes decode, and the autoencoder against the VAE.

The figures come from one place: vae.fit_sampler stores them beside each model, benchmarks/samples
prints them afresh, and the page shows the stored ones."""

from typing import NamedTuple

import numpy as np
import torch
from PIL import Image

from vae.bundle import Codes, ModelBundle
from vae.classifier import CONFIDENT, DigitClassifier, confident_share, sample_figures
from vae.config import SAMPLERS
from vae.model import VAE
from vae.sampling import Samplers, seeded_generator
from vae.views import image_grid

CODES, PAIRS = 1000, 1000  # random codes per sampler, pairs of test images for the midpoints
SAME = 4  # points: a smaller gap between two shares of 1,000 samples is no clear difference
STRIP_STEPS = 7  # each interpolation strip: both test digits' decodes and five codes between them


def different_class_pairs(
    labels: np.ndarray, count: int, generator: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    """Indices of up to count random pairs of test images of different classes."""
    first, second = torch.randint(len(labels), (2, 4 * count), generator=generator)
    classes = torch.from_numpy(labels.astype(np.int64))
    differ = classes[first] != classes[second]
    return first[differ][:count], second[differ][:count]


@torch.inference_mode()
def measure(model: VAE, classifier: DigitClassifier, samplers: Samplers, test: Codes, seed: int = 0) -> dict:
    """For each sampler, how the decodes of CODES random codes fare (classifier.sample_figures); and
    the share of decoded midpoints between PAIRS pairs of test images that the classifier is sure of."""
    figures: dict[str, float] = {}
    for name in SAMPLERS:
        z = samplers.codes(name, CODES, seeded_generator(seed))
        probs = classifier.predict_proba(model.decode_pixels(z))
        figures |= {f"{name}_{key}": value for key, value in sample_figures(probs).items()}
    first, second = different_class_pairs(test.labels, PAIRS, seeded_generator(seed))
    codes = torch.from_numpy(test.codes)
    midpoints = classifier.predict_proba(model.decode_pixels((codes[first] + codes[second]) / 2))
    return figures | {
        "midpoint_confident_share": round(confident_share(midpoints), 4),
        "codes": CODES,
        "midpoint_pairs": len(first),
    }


class Rival(NamedTuple):
    """One side of the comparison: a model, its samplers (with their stored figures) and its test codes."""

    model: VAE
    samplers: Samplers
    test: Codes


class Comparison:
    """The autoencoder and the VAE with the same network and latent size: random codes from the same
    sampler, and the same test digits' interpolations, decoded by both; the Latent space tab's handlers."""

    def __init__(self, ae: Rival, vae: Rival, classifier: DigitClassifier) -> None:
        self.ae, self.vae, self.classifier = ae, vae, classifier.eval()

    @classmethod
    def of(cls, models: ModelBundle) -> "Comparison":
        """A dataset's app VAE against its autoencoder, judged by its classifier."""
        return cls(
            Rival(models.ae, models.ae_samplers, models.ae_codes),
            Rival(models.vae, models.samplers, models.codes),
            models.classifier,
        )

    @torch.inference_mode()
    def random_grids(self, sampler: str, seed: float | None = 0) -> tuple[Image.Image, Image.Image, str]:
        """64 codes from the named sampler for each model (one seed for both), decoded, and a caption."""
        grids, shares = [], []
        for rival in (self.ae, self.vae):
            z = rival.samplers.codes(sampler, 64, seeded_generator(seed))
            pixels = rival.model.decode_pixels(z)
            grids.append(image_grid(pixels, nrow=8, scale=2))
            shares.append(confident_share(self.classifier.predict_proba(pixels)))
        caption = (
            f"These 64 codes from {SAMPLERS[sampler]}: the classifier is sure (p >= {CONFIDENT}) of "
            f"{shares[0]:.0%} of the autoencoder's decodes and {shares[1]:.0%} of the VAE's."
        )
        return *grids, caption

    @torch.inference_mode()
    def interpolations(self, seed: float | None = 0, pairs: int = 8) -> tuple[Image.Image, Image.Image]:
        """Both models' decodes along the straight line between the codes of the same test digits."""
        first, second = different_class_pairs(self.vae.test.labels, pairs, seeded_generator(seed))
        t = torch.linspace(0, 1, STRIP_STEPS)[None, :, None]
        strips = []
        for rival in (self.ae, self.vae):
            codes = torch.from_numpy(rival.test.codes)
            line = codes[first][:, None] * (1 - t) + codes[second][:, None] * t  # (pairs, steps, D)
            strips.append(image_grid(rival.model.decode_pixels(line.flatten(0, 1)), STRIP_STEPS, scale=2))
        return strips[0], strips[1]

    def figures(self) -> str:
        """Markdown: the stored figures of both models, one row per sampler and one for the midpoints,
        and what they show, read off the same numbers."""
        ae, vae = self.ae.samplers.metadata, self.vae.samplers.metadata
        rows = [(f"codes from {SAMPLERS[name]}", f"{name}_confident_share") for name in SAMPLERS]
        rows.append(("midpoints between test images of different classes", "midpoint_confident_share"))
        shares = [(label, float(ae[key]), float(vae[key])) for label, key in rows]
        counts = f"{int(vae['codes']):,} codes per sampler, {int(vae['midpoint_pairs']):,} pairs"
        lines = [
            f"**The {self.vae.model.config.latent_dim}-D models' decodes the classifier is sure of** "
            f"(p ≥ {CONFIDENT}; {counts}):",
            "",
            "| decodes of | autoencoder | VAE |",
            "|---|---:|---:|",
            *(f"| {label} | {ae_share:.0%} | {vae_share:.0%} |" for label, ae_share, vae_share in shares),
        ]
        readings = "; ".join(f"{label}: {lead(ae_share, vae_share)}" for label, ae_share, vae_share in shares)
        return "\n".join(lines) + f"\n\n**What the figures show.** {readings}."


def lead(ae: float, vae: float) -> str:
    """Which model's share is higher, in words; differences under SAME points are within what 1,000
    samples can tell apart (the standard error of a difference of two such shares is about 2 points)."""
    points = round(100 * abs(vae - ae))
    if points < SAME:
        return f"no clear difference ({points} point{'s' * (points != 1)})"
    return f"the {'VAE' if vae > ae else 'autoencoder'} leads by {points} points"
