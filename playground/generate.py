"""The Generate tab's work: slider values decoded, random codes from a chosen sampler, and what the
classifier reads in each decode."""

from pathlib import Path
from typing import NamedTuple

import numpy as np
import torch
from PIL import Image

from playground.pictures import MAX_TEMPERATURE, SLIDER_RANGE, image_grid, to_image
from vae.classifier import DigitClassifier, sample_figures
from vae.model import VAE
from vae.sampling import Samplers, seeded_generator
from vae.weights import WEIGHTS_DIR, load_pretrained, model_folder


class Digit(NamedTuple):
    """What the Generate tab shows: the slider values, their decode and the classifier's reading."""

    values: list[float]
    image: Image.Image
    caption: str


def reading(classifier: DigitClassifier, pixels: torch.Tensor) -> str:
    """The classifier's reading of one decoded image (1, 1, 28, 28), shown under it."""
    return f"Looks like {classifier.describe(pixels)} to the classifier."


def clean_temperature(temperature: float | None) -> float:
    """The temperature slider's value, with NaN or a missing value read as 1 and clamped to [0, 2]."""
    value = np.nan_to_num(1.0 if temperature is None else temperature, nan=1.0)
    return float(np.clip(value, 0.0, MAX_TEMPERATURE))


class Generator:
    """One dataset's VAE, its samplers and its classifier, behind the Generate tab's handlers."""

    def __init__(self, vae: VAE, classifier: DigitClassifier, samplers: Samplers | None = None) -> None:
        self.vae, self.classifier = vae.eval(), classifier.eval()
        self.latent_dim = vae.config.latent_dim
        self.samplers = samplers or Samplers(self.latent_dim)

    @classmethod
    def from_folder(cls, weights_dir: Path = WEIGHTS_DIR, dataset: str = "mnist") -> "Generator":
        """weights/<dataset>-vae with its fitted samplers, and weights/<dataset>-classifier."""
        folder = model_folder(dataset, "vae", weights_dir)
        vae = load_pretrained(VAE, folder)
        return cls(
            vae,
            load_pretrained(DigitClassifier, model_folder(dataset, "classifier", weights_dir)),
            Samplers.load(folder, vae.config.latent_dim),
        )

    @torch.inference_mode()
    def decode(self, *values: float) -> tuple[Image.Image, str]:
        """Decode one latent vector given as slider values, clamped to the sliders' range; and its caption."""
        pixels = self.vae.decode_pixels(torch.tensor([self.clean(values)], dtype=torch.float32))
        return to_image(pixels), reading(self.classifier, pixels)

    @torch.inference_mode()
    def read(self, *values: float) -> tuple[Image.Image, dict]:
        """Decode one latent vector as decode() does; the classifier's reading as data, for the API."""
        pixels = self.vae.decode_pixels(torch.tensor([self.clean(values)], dtype=torch.float32))
        return to_image(pixels), self.classifier.reading(pixels)

    @torch.inference_mode()
    def decode_batch(self, *columns: list[float]) -> list[list]:
        """Decode for batch=True events: one list per slider in; digits and captions out, one forward pass."""
        z = torch.tensor([self.clean(values) for values in zip(*columns, strict=True)], dtype=torch.float32)
        pixels = self.vae.decode_pixels(z)
        return [[to_image(p) for p in pixels], [reading(self.classifier, p[None]) for p in pixels]]

    def codes(self, count: int, temperature: float, generator: torch.Generator, sampler: str) -> torch.Tensor:
        """count random codes from the named sampler (one of SAMPLERS) at the slider's temperature."""
        return self.samplers.codes(sampler, count, generator, clean_temperature(temperature))

    def random_values(self, temperature: float, seed: float | None, sampler: str) -> list[float]:
        """One random code as slider values: clamped to the sliders' range, to two decimals."""
        z = self.codes(1, temperature, seeded_generator(seed), sampler)[0]
        return [round(v, 2) for v in z.clamp(-SLIDER_RANGE, SLIDER_RANGE).tolist()]

    def random(self, temperature: float = 1.0, seed: float | None = -1, sampler: str = "mixture") -> Digit:
        """A random code: the slider values, the decoded digit and its caption."""
        return self.digit(self.random_values(temperature, seed, sampler))

    @torch.inference_mode()
    def sample_quality(self, sampler: str, presses: int = 1000) -> dict[str, float]:
        """What `presses` presses of Random sample (seeds 0, 1, ...) at temperature 1 give, codes clamped
        to the sliders' range as the page does: see classifier.sample_figures."""
        z = torch.tensor([self.random_values(1.0, seed, sampler) for seed in range(presses)])
        return sample_figures(self.classifier.predict_proba(self.vae.decode_pixels(z)))

    def sample_grid(
        self, temperature: float = 1.0, seed: float | None = -1, sampler: str = "mixture"
    ) -> Image.Image:
        """64 random codes' decodes in an 8x8 grid, at twice their size, to download."""
        return self.samples(temperature, seed, sampler)[0]

    @torch.inference_mode()
    def samples(
        self, temperature: float = 1.0, seed: float | None = -1, sampler: str = "mixture"
    ) -> tuple[Image.Image, dict]:
        """The grid of sample_grid() and, as data, its 64 codes (row by row) and the classifier's reading
        of each decode."""
        z = self.codes(64, temperature, seeded_generator(seed), sampler)
        pixels = self.vae.decode_pixels(z)
        readings = [self.classifier.reading(p[None]) for p in pixels]
        figures = {
            "z": [[round(v, 4) for v in code] for code in z.tolist()],
            "readings": [{key: r[key] for key in ("class", "probability", "sure")} for r in readings],
            "sure_share": sum(r["sure"] for r in readings) / len(readings),
        }
        return image_grid(pixels, nrow=8, scale=2), figures

    def reset(self) -> Digit:
        """All sliders at 0, the prior's mean; its decode and caption."""
        return self.digit([0.0] * self.latent_dim)

    def sliders_from(self, mu: list[float]) -> Digit:
        """Slider values, digit and caption for a drawing's μ; where μ lies beyond the sliders' range, the
        slider goes to its end and the caption says so."""
        values = self.clean(tuple(mu))
        digit = self.digit(values)
        beyond = [f"z{i + 1} ({m:+.2f})" for i, m in enumerate(mu) if abs(m) > SLIDER_RANGE]
        if not beyond:
            return digit
        note = (
            f" The drawing's μ lies beyond the sliders' ±{SLIDER_RANGE:g} in {', '.join(beyond)}: "
            "those sliders are at their ends."
        )
        return digit._replace(caption=digit.caption + note)

    def digit(self, values: list[float]) -> Digit:
        """The Generate tab's state for these slider values."""
        return Digit(values, *self.decode(*values))

    def clean(self, values: tuple[float, ...]) -> list[float]:
        """Slider values as the decoder takes them: NaN read as 0, clamped to the sliders' range."""
        if len(values) != self.latent_dim:
            raise ValueError(f"expected {self.latent_dim} latent values, got {len(values)}")
        array = np.nan_to_num(np.asarray(values, dtype=np.float64), nan=0.0)
        return np.clip(array, -SLIDER_RANGE, SLIDER_RANGE).tolist()
