"""The Latent space tab's maps: where the test images land in the 2-D VAE's and the 2-D autoencoder's
latent spaces, and what each point decodes to."""

import html
from dataclasses import dataclass

import numpy as np
import torch
from PIL import Image, ImageDraw

from playground.bundle import ModelBundle
from playground.pictures import image_grid, to_image
from vae.config import DATASETS
from vae.model import VAE

MAP_SIZE = 420  # pixels per side of a latent map
# One colour per class (matplotlib's tab10), so the maps of both models read the same way.
DIGIT_COLOURS = [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
]  # fmt: skip


@dataclass(frozen=True)
class MapWindow:
    """The square of latent space a map shows, and the conversion between its pixels and z."""

    low: float
    high: float
    size: int = MAP_SIZE

    @classmethod
    def around(cls, codes: np.ndarray, share: float = 0.995) -> "MapWindow":
        """A square centred on 0 that holds `share` of the codes in both dimensions, plus a margin."""
        reach = float(np.quantile(np.abs(codes), share)) * 1.1
        return cls(-reach, reach)

    def to_pixels(self, z: np.ndarray) -> np.ndarray:
        """(x, y) pixel positions of codes, with z2 growing upwards as on a plot."""
        scaled = (np.asarray(z, np.float64) - self.low) / (self.high - self.low) * (self.size - 1)
        return np.stack([scaled[..., 0], self.size - 1 - scaled[..., 1]], axis=-1)

    def to_z(self, x: float, y: float) -> tuple[float, float]:
        """The code under pixel (x, y) of the map; clicks outside are clamped to its edge."""
        x, y = np.clip([x, y], 0, self.size - 1)
        step = (self.high - self.low) / (self.size - 1)
        return self.low + x * step, self.low + (self.size - 1 - y) * step


def scatter_map(codes: np.ndarray, labels: np.ndarray, window: MapWindow) -> Image.Image:
    """Every code as a dot coloured by its digit, over faint axes through z = 0."""
    image = Image.new("RGB", (window.size, window.size), "white")
    draw = ImageDraw.Draw(image)
    origin_x, origin_y = window.to_pixels(np.zeros(2))
    draw.line([(origin_x, 0), (origin_x, window.size)], fill="#dddddd")
    draw.line([(0, origin_y), (window.size, origin_y)], fill="#dddddd")
    for (x, y), label in zip(window.to_pixels(codes), labels, strict=True):
        draw.ellipse([x - 1.2, y - 1.2, x + 1.2, y + 1.2], fill=DIGIT_COLOURS[int(label)])
    return image


def with_marker(
    base: Image.Image, window: MapWindow, z: tuple[float, float], colour: str = "black"
) -> Image.Image:
    """A copy of a map with a ring and cross-hair at z: where the user's drawing or click lands."""
    image = base.copy()
    draw = ImageDraw.Draw(image)
    x, y = window.to_pixels(np.asarray(z))
    draw.ellipse([x - 9, y - 9, x + 9, y + 9], outline=colour, width=3)
    draw.line([(x - 14, y), (x + 14, y)], fill=colour, width=1)
    draw.line([(x, y - 14), (x, y + 14)], fill=colour, width=1)
    return image


@torch.inference_mode()
def decode_grid(model: VAE, z: torch.Tensor, nrow: int, scale: int = 1) -> Image.Image:
    """Decodes of the codes z as one greyscale grid image, nrow digits per row, upscaled by scale."""
    return image_grid(model.decode_pixels(z.float()), nrow, scale=scale)


def prior_grid(steps: int) -> torch.Tensor:
    """steps x steps 2-D codes at the prior's quantiles (5 % to 95 %), row by row with z2 growing
    upwards as on a map, so equal areas of N(0, I) get equal room."""
    quantiles = torch.distributions.Normal(0.0, 1.0).icdf(torch.linspace(0.05, 0.95, steps))
    z1, z2 = torch.meshgrid(quantiles, quantiles.flip(0), indexing="xy")
    return torch.stack([z1.flatten(), z2.flatten()], dim=1)


def manifold(model: VAE, steps: int = 15) -> Image.Image:
    """Decodes over the prior's quantiles, steps to a side."""
    return decode_grid(model, prior_grid(steps), nrow=steps)


class LatentSpace:
    """The 2-D VAE and autoencoder with their test-set maps: the Latent space tab's handlers."""

    def __init__(self, models: ModelBundle) -> None:
        self.vae, self.classifier = models.vae_2d.eval(), models.classifier.eval()
        self.window = MapWindow.around(models.codes_2d.codes)
        self.ae_window = MapWindow.around(models.ae_codes_2d.codes)
        self.map = scatter_map(models.codes_2d.codes, models.codes_2d.labels, self.window)
        self.ae_map = scatter_map(models.ae_codes_2d.codes, models.ae_codes_2d.labels, self.ae_window)
        self.manifold = manifold(self.vae)

    def legend(self) -> str:
        """HTML naming each map colour's class."""
        names = DATASETS[self.classifier.config.dataset].classes
        swatches = "".join(
            f'<span class="swatch"><span style="background:{colour}"></span>{html.escape(name)}</span>'
            for colour, name in zip(DIGIT_COLOURS, names, strict=True)
        )
        return f'<div class="legend">{swatches}</div>'

    @torch.inference_mode()
    def decode_at(
        self, z1: float, z2: float, drawing: np.ndarray | None = None
    ) -> tuple[Image.Image, Image.Image, str]:
        """The map marked at z (and at the drawing's code), the image z decodes to, and what it looks like."""
        z1, z2 = (float(np.clip(np.nan_to_num(v), self.window.low, self.window.high)) for v in (z1, z2))
        pixels = self.vae.decode_pixels(torch.tensor([[z1, z2]]))
        caption = f"z = ({z1:+.2f}, {z2:+.2f}) looks like {self.classifier.describe(pixels)}"
        return with_marker(self.locate(drawing), self.window, (z1, z2)), to_image(pixels), caption

    def clicked_code(self, x: float, y: float) -> tuple[float, float]:
        """The code under a click at pixel (x, y) of the VAE's map, rounded for display."""
        z1, z2 = self.window.to_z(x, y)
        return round(float(z1), 2), round(float(z2), 2)

    @torch.inference_mode()
    def locate(self, pixels: np.ndarray | None) -> Image.Image:
        """The VAE's map with the user's drawing (a 28x28 MNIST-style image) marked at its mu."""
        if pixels is None:
            return self.map
        mu = self.vae.encode(torch.from_numpy(pixels).float()[None, None])[0][0].numpy()
        return with_marker(
            self.map, self.window, tuple(np.clip(mu, self.window.low, self.window.high)), "red"
        )
