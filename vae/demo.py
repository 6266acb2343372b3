"""The app's event handlers as plain functions over loaded models, testable without a server."""

import html
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np
import torch
from PIL import Image

from vae.classifier import DigitClassifier, sample_figures
from vae.interpolate import METHODS, gif_html, morph_gif, path
from vae.model import VAE, vae_loss
from vae.sampling import Samplers, seeded_generator
from vae.sketch import SketchError, is_blank, preprocess_sketch
from vae.views import SLIDER_RANGE, image_grid, latent_html, to_image
from vae.weights import WEIGHTS_DIR, load_pretrained

POSTERIOR_SAMPLES = 6
GIF_FRAMES, GIF_SCALE = 20, 3  # the morph one way, at 84 px: it plays forwards, then backwards


class Digit(NamedTuple):
    """What the Generate tab shows: the slider values, their decode and the classifier's reading."""

    values: list[float]
    image: Image.Image
    caption: str


@dataclass
class Reconstruction:
    """Everything the Draw tab shows for one drawing; images are None when there is no drawing."""

    reconstruction: Image.Image | None
    model_input: Image.Image | None
    posterior_samples: Image.Image | None
    latents: str
    message: str
    mu: list[float] | None
    pixels: np.ndarray | None = None  # the 28x28 model input, for the latent map's marker
    caption: str = ""  # what the classifier sees in the reconstruction


class Playground:
    """One dataset's VAE and classifier, and the Generate and Draw tabs' handlers around them."""

    def __init__(self, vae: VAE, classifier: DigitClassifier, samplers: Samplers | None = None) -> None:
        self.vae, self.classifier = vae.eval(), classifier.eval()
        self.latent_dim = vae.config.latent_dim
        self.samplers = samplers or Samplers(self.latent_dim)
        self.dataset = vae.config.dataset

    @classmethod
    def from_folder(cls, weights_dir: Path = WEIGHTS_DIR, dataset: str = "mnist") -> "Playground":
        """weights/<dataset>-vae with its fitted samplers, and weights/<dataset>-classifier."""
        vae = load_pretrained(VAE, weights_dir / f"{dataset}-vae")
        return cls(
            vae,
            load_pretrained(DigitClassifier, weights_dir / f"{dataset}-classifier"),
            Samplers.load(weights_dir / f"{dataset}-vae", vae.config.latent_dim),
        )

    def caption(self, pixels: torch.Tensor) -> str:
        """The classifier's reading of one decoded image (1, 1, 28, 28), shown under it."""
        return f"Looks like {self.classifier.describe(pixels)} to the classifier."

    @torch.inference_mode()
    def decode(self, *values: float) -> tuple[Image.Image, str]:
        """Decode one latent vector given as slider values, clamped to the sliders' range; and its caption."""
        pixels = self.vae.decode_pixels(torch.tensor([self._clean(values)], dtype=torch.float32))
        return to_image(pixels), self.caption(pixels)

    @torch.inference_mode()
    def decode_batch(self, *columns: list[float]) -> list[list]:
        """Decode for batch=True events: one list per slider in; digits and captions out, one forward pass."""
        z = torch.tensor([self._clean(values) for values in zip(*columns, strict=True)], dtype=torch.float32)
        pixels = self.vae.decode_pixels(z)
        return [[to_image(p) for p in pixels], [self.caption(p[None]) for p in pixels]]

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

    @torch.inference_mode()
    def sample_grid(
        self, temperature: float = 1.0, seed: float | None = -1, sampler: str = "mixture"
    ) -> Image.Image:
        """64 random codes' decodes in an 8x8 grid, at twice their size, to download."""
        z = self.codes(64, temperature, seeded_generator(seed), sampler)
        return image_grid(self.vae.decode_pixels(z), nrow=8, scale=2)

    def reset(self) -> Digit:
        """All sliders at 0, the prior's mean; its decode and caption."""
        return self.digit([0.0] * self.latent_dim)

    def sliders_from(self, mu: list[float] | None) -> Digit:
        """Slider values, digit and caption for a drawing's mu, or the origin when nothing was drawn."""
        return self.digit(self._clean(tuple(mu)) if mu else [0.0] * self.latent_dim)

    def digit(self, values: list[float]) -> Digit:
        """The Generate tab's state for these slider values."""
        return Digit(values, *self.decode(*values))

    @torch.inference_mode()
    def reconstruct(self, sketch: dict | np.ndarray | None) -> Reconstruction:
        """Encode a drawing, decode its mean and a few samples of z ~ N(mu, sigma^2)."""
        try:
            image = sketch.get("composite") if isinstance(sketch, dict) else sketch
            if image is None:
                raise SketchError("Draw on the pad.")
            pixels = preprocess_sketch(image, self.dataset)
        except SketchError as err:
            return Reconstruction(None, None, None, "", str(err), None)
        x = torch.from_numpy(pixels)[None, None]
        mu, logvar = self.vae.encode(x)
        sigma = torch.exp(0.5 * logvar)
        logits = self.vae.decode(mu)
        decoded = torch.sigmoid(logits)
        z = mu + sigma * torch.randn(POSTERIOR_SAMPLES, self.latent_dim)
        samples = self.vae.decode_pixels(z)[:, 0]
        strip = torch.cat(list(samples), dim=1)
        terms = vae_loss(x, logits, mu, logvar)
        message = (
            f"Reconstruction {terms.recon.item():.1f} nats + KL {terms.kl.item():.1f} nats "
            f"= {terms.loss.item():.1f} nats (the negative ELBO of this drawing, with z = μ)."
        )
        return Reconstruction(
            reconstruction=to_image(decoded),
            model_input=to_image(pixels),
            posterior_samples=to_image(strip, scale=4),
            latents=latent_html(mu[0].numpy(), sigma[0].numpy(), terms.kl_per_dim.numpy()),
            message=html.escape(message),
            mu=[round(v, 2) for v in mu[0].clamp(-SLIDER_RANGE, SLIDER_RANGE).tolist()],
            pixels=pixels,
            caption=self.caption(decoded),
        )

    @torch.inference_mode()
    def interpolate(
        self,
        start: dict | np.ndarray | None,
        end: dict | np.ndarray | None,
        seed: float | None = 0,
        method: str = "slerp",
        steps: float = 10,
    ) -> tuple[Image.Image | None, str, str]:
        """Decodes along the path from the start drawing's code to the end's (an empty pad: a random
        sample), the morph as a GIF, and a line saying what was interpolated."""
        generator = seeded_generator(seed)
        codes, names = [], []
        for side, sketch in (("start", start), ("end", end)):
            image = sketch.get("composite") if isinstance(sketch, dict) else sketch
            try:
                pixels = None if is_blank(image) else preprocess_sketch(image, self.dataset)
            except SketchError as err:
                return None, "", f"The {side} drawing: {err}"
            if pixels is None:
                codes.append(self.codes(1, 1.0, generator, "mixture")[0])
                names.append("a random sample")
            else:
                codes.append(self.vae.encode(torch.from_numpy(pixels)[None, None])[0][0])
                names.append(f"your {side} drawing")
        steps = int(np.clip(np.nan_to_num(steps, nan=10), 2, 16))
        strip = self.vae.decode_pixels(path(*codes, steps, method))
        frames = self.vae.decode_pixels(path(*codes, GIF_FRAMES, method))
        gif = morph_gif([to_image(frame, scale=GIF_SCALE) for frame in frames])
        grid = image_grid(strip, nrow=steps, scale=3)
        message = f"From {names[0]} to {names[1]}, {steps} steps along the {METHODS[method]} path."
        return grid, gif_html(gif), message

    def _clean(self, values: tuple[float, ...]) -> list[float]:
        if len(values) != self.latent_dim:
            raise ValueError(f"expected {self.latent_dim} latent values, got {len(values)}")
        array = np.nan_to_num(np.asarray(values, dtype=np.float64), nan=0.0)
        return np.clip(array, -SLIDER_RANGE, SLIDER_RANGE).tolist()


def clean_temperature(temperature: float | None) -> float:
    """The temperature slider's value, with NaN or a missing value read as 1 and clamped to [0, 2]."""
    return float(np.clip(np.nan_to_num(1.0 if temperature is None else temperature, nan=1.0), 0.0, 2.0))
