"""The app's event handlers as plain functions over loaded models, testable without a server."""

import html
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from vae.classifier import DigitClassifier
from vae.model import VAE, vae_loss
from vae.sketch import SketchError, preprocess_sketch
from vae.weights import WEIGHTS_DIR, load_pretrained

SLIDER_RANGE = 3.0
DISPLAY_SCALE = 10  # 28 px digits are shown at 280 px, nearest-neighbour so pixels stay crisp
POSTERIOR_SAMPLES = 6


def to_image(pixels: torch.Tensor | np.ndarray, scale: int = DISPLAY_SCALE) -> Image.Image:
    """A greyscale PIL image of values in [0, 1], upscaled without blurring."""
    array = np.asarray(pixels, dtype=np.float32).squeeze()
    image = Image.fromarray(np.uint8(np.round(np.clip(array, 0, 1) * 255)), mode="L")
    return image.resize((image.width * scale, image.height * scale), Image.Resampling.NEAREST)


def image_grid(pixels: torch.Tensor, nrow: int, padding: int = 2, pad_value: float = 0.5) -> Image.Image:
    """Images (N, 1, H, W) in [0, 1] tiled nrow to a row between grey lines, as torchvision's make_grid
    does; hand-written because importing torchvision loads torch._dynamo, 1.4 s of the app's start-up."""
    count, _, height, width = pixels.shape
    columns, rows = min(nrow, count), math.ceil(count / nrow)
    step_y, step_x = height + padding, width + padding
    grid = torch.full((rows * step_y + padding, columns * step_x + padding), float(pad_value))
    for i, image in enumerate(pixels[:, 0]):
        top, left = padding + (i // nrow) * step_y, padding + (i % nrow) * step_x
        grid[top : top + height, left : left + width] = image
    return to_image(grid, scale=1)


def latent_html(mu: np.ndarray, sigma: np.ndarray, kl_per_dim: np.ndarray) -> str:
    """One row per dimension: the prior's +-1 band, the posterior's mu +- sigma box and its KL."""

    def position(value: float) -> float:
        return 100 * (np.clip(value, -SLIDER_RANGE, SLIDER_RANGE) + SLIDER_RANGE) / (2 * SLIDER_RANGE)

    rows = []
    for i, (m, s, kl) in enumerate(zip(mu, sigma, kl_per_dim, strict=True)):
        left, right = position(m - s), position(m + s)
        rows.append(
            f'<div class="zrow"><span class="zname">z{i + 1}</span><span class="ztrack">'
            f'<span class="zprior"></span>'
            f'<span class="zbox" style="left:{left:.1f}%;width:{max(right - left, 0.8):.1f}%"></span>'
            f'<span class="zmu" style="left:{position(m):.1f}%"></span></span>'
            f'<span class="zval">μ {m:+.2f} σ {s:.2f} · KL {kl:.2f}</span></div>'
        )
    legend = (
        "<p class='zlegend'>Grey band: the prior N(0, 1) within ±1σ. Orange box: this drawing's "
        "posterior μ ± σ. A narrow box far from 0 costs many nats of KL; a dimension whose box "
        "covers the band carries no information about the drawing.</p>"
    )
    return f'<div class="latents">{"".join(rows)}</div>{legend}'


@dataclass
class Reconstruction:
    """Everything the Draw tab shows for one drawing; images are None when there is no digit."""

    reconstruction: Image.Image | None
    model_input: Image.Image | None
    posterior_samples: Image.Image | None
    latents: str
    message: str
    mu: list[float] | None
    pixels: np.ndarray | None = None  # the 28x28 model input, for the latent map's marker


class Playground:
    """The loaded models and the app's handlers around them."""

    def __init__(self, vae: VAE, classifier: DigitClassifier | None = None) -> None:
        self.vae = vae.eval()
        self.classifier = classifier
        self.latent_dim = vae.config.latent_dim

    @classmethod
    def from_folder(cls, weights_dir: Path = WEIGHTS_DIR, name: str = "mnist-vae") -> "Playground":
        return cls(load_pretrained(VAE, weights_dir / name))

    @torch.inference_mode()
    def decode(self, *values: float) -> Image.Image:
        """Decode one latent vector given as slider values, clamped to the sliders' range."""
        z = torch.tensor([self._clean(values)], dtype=torch.float32)
        return to_image(torch.sigmoid(self.vae.decode(z)))

    @torch.inference_mode()
    def decode_batch(self, *columns: list[float]) -> list[list[Image.Image]]:
        """Decode for batch=True events: one list per slider in, a list of digits out, one forward pass."""
        z = torch.tensor([self._clean(values) for values in zip(*columns, strict=True)], dtype=torch.float32)
        return [[to_image(pixels) for pixels in torch.sigmoid(self.vae.decode(z))]]

    def random(self, temperature: float = 1.0, seed: float | None = -1) -> list:
        """Draw z ~ N(0, temperature^2 I): the slider values, then the decoded digit; seed < 0 is random."""
        generator = torch.Generator()
        if seed is None or not np.isfinite(seed) or seed < 0:
            generator.seed()
        else:
            generator.manual_seed(int(seed))
        temperature = float(np.clip(np.nan_to_num(temperature, nan=1.0), 0.0, 2.0))
        z = temperature * torch.randn(self.latent_dim, generator=generator)
        values = [round(v, 2) for v in z.clamp(-SLIDER_RANGE, SLIDER_RANGE).tolist()]
        return [*values, self.decode(*values)]

    def reset(self) -> list:
        """All sliders at 0, the prior's mean, and its decode."""
        values = [0.0] * self.latent_dim
        return [*values, self.decode(*values)]

    def sliders_from(self, mu: list[float] | None) -> list:
        """Slider values and digit for a drawing's mu, or the origin when nothing was drawn."""
        values = self._clean(tuple(mu)) if mu else [0.0] * self.latent_dim
        return [*values, self.decode(*values)]

    @torch.inference_mode()
    def reconstruct(self, sketch: dict | np.ndarray | None) -> Reconstruction:
        """Encode a drawing, decode its mean and a few samples of z ~ N(mu, sigma^2)."""
        try:
            image = sketch.get("composite") if isinstance(sketch, dict) else sketch
            if image is None:
                raise SketchError("Draw a digit on the pad.")
            pixels = preprocess_sketch(image)
        except SketchError as err:
            return Reconstruction(None, None, None, "", str(err), None)
        x = torch.from_numpy(pixels)[None, None]
        mu, logvar = self.vae.encode(x)
        sigma = torch.exp(0.5 * logvar)
        logits = self.vae.decode(mu)
        z = mu + sigma * torch.randn(POSTERIOR_SAMPLES, self.latent_dim)
        samples = torch.sigmoid(self.vae.decode(z))[:, 0]
        strip = torch.cat(list(samples), dim=1)
        terms = vae_loss(x, logits, mu, logvar)
        message = (
            f"Reconstruction {terms.recon.item():.1f} nats + KL {terms.kl.item():.1f} nats "
            f"= {terms.loss.item():.1f} nats (the negative ELBO of this drawing, with z = μ)."
        )
        return Reconstruction(
            reconstruction=to_image(torch.sigmoid(logits)),
            model_input=to_image(pixels),
            posterior_samples=to_image(strip, scale=4),
            latents=latent_html(mu[0].numpy(), sigma[0].numpy(), terms.kl_per_dim.numpy()),
            message=html.escape(message),
            mu=[round(v, 2) for v in mu[0].clamp(-SLIDER_RANGE, SLIDER_RANGE).tolist()],
            pixels=pixels,
        )

    def _clean(self, values: tuple[float, ...]) -> list[float]:
        if len(values) != self.latent_dim:
            raise ValueError(f"expected {self.latent_dim} latent values, got {len(values)}")
        array = np.nan_to_num(np.asarray(values, dtype=np.float64), nan=0.0)
        return np.clip(array, -SLIDER_RANGE, SLIDER_RANGE).tolist()
