"""How well a model's random and in-between codes decode, judged by the bundled classifier.

One measurement with three readers: vae.fit_sampler stores it beside each model, benchmarks/samples
prints it afresh, and the app shows the stored figures."""

import numpy as np
import torch

from vae.classifier import DigitClassifier, confident_share, sample_figures
from vae.config import SAMPLERS
from vae.model import VAE
from vae.sampling import Samplers, seeded_generator
from vae.weights import Codes

CODES, PAIRS = 1000, 1000  # random codes per sampler, pairs of test images for the midpoints


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
