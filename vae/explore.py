"""Pictures of a 2-D latent space: where the test digits land, what each point decodes to, and how
an autoencoder's random codes fare against a VAE's."""

import html
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np
import torch
from PIL import Image, ImageDraw
from safetensors import SafetensorError
from safetensors.numpy import load_file, save_file

from vae.classifier import CLASS_NAMES, DigitClassifier
from vae.model import VAE
from vae.views import image_grid, to_image
from vae.weights import WEIGHTS_DIR, WeightsError, load_pretrained

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


@torch.inference_mode()
def encode_means(model: VAE, images: torch.Tensor, batch_size: int = 1000) -> np.ndarray:
    """The posterior mean mu of every image (for an autoencoder, its code), shape (N, latent_dim)."""
    return torch.cat(
        [model.encode(images[i : i + batch_size])[0] for i in range(0, len(images), batch_size)]
    ).numpy()


CODES_FILE = "test_codes.safetensors"  # beside a 2-D model: the app needs no dataset to draw its map


def save_codes(model: VAE, images: torch.Tensor, labels: torch.Tensor, folder: Path) -> None:
    """Store the test set's codes and labels beside the model, for the app's latent map."""
    save_file(
        {"codes": encode_means(model, images), "labels": labels.numpy().astype(np.uint8)}, folder / CODES_FILE
    )


def load_codes(folder: Path) -> tuple[np.ndarray, np.ndarray]:
    """Codes (N, latent size) and labels (N,) saved by save_codes (safetensors: no pickle)."""
    path = folder / CODES_FILE
    try:
        tensors = load_file(path)
        return tensors["codes"], tensors["labels"]
    except (OSError, SafetensorError, KeyError) as err:
        raise WeightsError(f"{path}: not a readable codes file ({err!r})") from None


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
    return image_grid(torch.sigmoid(model.decode(z.float())), nrow, scale=scale)


def manifold(model: VAE, steps: int = 15) -> Image.Image:
    """Decodes over the prior's quantiles (5 % to 95 %), so equal areas of N(0, I) get equal room."""
    quantiles = torch.distributions.Normal(0.0, 1.0).icdf(torch.linspace(0.05, 0.95, steps))
    z1, z2 = torch.meshgrid(quantiles, quantiles.flip(0), indexing="xy")  # z2 grows upwards
    return decode_grid(model, torch.stack([z1.flatten(), z2.flatten()], dim=1), nrow=steps)


def random_codes(codes: np.ndarray, count: int, generator: torch.Generator) -> torch.Tensor:
    """Codes drawn from a Gaussian (mean and full covariance) fitted to a model's test-set codes: an
    autoencoder's codes follow no prior, so this is the fairest way to sample one."""
    mean = torch.from_numpy(codes.mean(0)).double()
    covariance = torch.from_numpy(np.cov(codes, rowvar=False)).double()
    noise = torch.randn(count, codes.shape[1], generator=generator, dtype=torch.float64)
    return (mean + noise @ torch.linalg.cholesky(covariance).T).float()


@torch.inference_mode()
def confident_share(
    model: VAE, classifier: DigitClassifier, z: torch.Tensor, threshold: float = 0.9
) -> float:
    """The share of decodes of z that the classifier names with probability >= threshold."""
    probs = classifier.predict_proba(torch.sigmoid(model.decode(z)))
    return float((probs.max(1).values >= threshold).float().mean())


class Rivals(NamedTuple):
    """An autoencoder and a VAE with the same network and latent size, and the autoencoder's test codes."""

    ae: VAE
    ae_codes: np.ndarray
    vae: VAE


class LatentSpace:
    """The 2-D VAE and autoencoder with their test-set maps, and the app's larger autoencoder and VAE:
    the Latent space tab's handlers."""

    def __init__(
        self,
        vae: VAE,
        ae: VAE,
        classifier: DigitClassifier,
        vae_codes: tuple[np.ndarray, np.ndarray],
        ae_codes: tuple[np.ndarray, np.ndarray],
        larger: Rivals,
    ) -> None:
        self.vae, self.ae, self.classifier = vae.eval(), ae.eval(), classifier.eval()
        self.vae_codes, self.ae_codes = vae_codes[0], ae_codes[0]
        self.rivals = [
            Rivals(self.ae, self.ae_codes, self.vae),
            Rivals(larger.ae.eval(), larger.ae_codes, larger.vae.eval()),
        ]
        self.window, self.ae_window = MapWindow.around(vae_codes[0]), MapWindow.around(ae_codes[0])
        self.map = scatter_map(*vae_codes, self.window)
        self.ae_map = scatter_map(*ae_codes, self.ae_window)
        self.manifold = manifold(vae)

    @classmethod
    def from_folder(
        cls,
        weights_dir: Path = WEIGHTS_DIR,
        dataset: str = "mnist",
        larger_vae: VAE | None = None,
        classifier: DigitClassifier | None = None,
    ) -> "LatentSpace":
        """weights/<dataset>-vae-2d, -ae-2d and -ae, and the dataset's -vae and -classifier unless they
        are given (the app passes its Playground's, so that each is loaded once)."""
        vae_folder, ae_folder = weights_dir / f"{dataset}-vae-2d", weights_dir / f"{dataset}-ae-2d"
        larger_ae_folder = weights_dir / f"{dataset}-ae"
        if classifier is None:
            classifier = load_pretrained(DigitClassifier, weights_dir / f"{dataset}-classifier")
        if larger_vae is None:
            larger_vae = load_pretrained(VAE, weights_dir / f"{dataset}-vae")
        return cls(
            load_pretrained(VAE, vae_folder),
            load_pretrained(VAE, ae_folder),
            classifier,
            load_codes(vae_folder),
            load_codes(ae_folder),
            Rivals(
                load_pretrained(VAE, larger_ae_folder),
                load_codes(larger_ae_folder)[0],
                larger_vae,
            ),
        )

    def legend(self) -> str:
        """HTML naming each map colour's class."""
        names = CLASS_NAMES[self.classifier.config.dataset]
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
        pixels = torch.sigmoid(self.vae.decode(torch.tensor([[z1, z2]])))
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

    def compare(self, seed: float = 0) -> tuple[Image.Image, Image.Image, Image.Image, Image.Image, str]:
        """64 random codes decoded by the autoencoder and by the VAE, in 2-D and at the larger size, and
        how many the classifier is sure of. The VAE's codes come from its prior N(0, I), which its KL
        term trained it for; the autoencoder has no prior, so its come from a Gaussian fitted to its codes."""
        grids, shares = [], []
        for ae, ae_codes, vae in self.rivals:
            generator = torch.Generator().manual_seed(int(np.nan_to_num(seed)) % 2**31)
            ae_z = random_codes(ae_codes, 64, generator)
            vae_z = torch.randn(64, vae.config.latent_dim, generator=generator)
            for model, z in ((ae, ae_z), (vae, vae_z)):
                grids.append(decode_grid(model, z, nrow=8, scale=2))
                shares.append(confident_share(model, self.classifier, z))
        small, large = (rivals.vae.config.latent_dim for rivals in self.rivals)
        caption = (
            f"The classifier is sure (p >= 0.9) of {shares[0]:.0%} of the {small}-D autoencoder's decodes "
            f"and {shares[1]:.0%} of the VAE's; of {shares[2]:.0%} of the {large}-D autoencoder's and "
            f"{shares[3]:.0%} of the VAE's."
        )
        return *grids, caption
