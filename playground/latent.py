"""The Latent space tab's map: where the held-out images land in a 2-D VAE's latent space, what each
point decodes to, one image's posterior q(z | x) against the true one, and the prior's holes."""

import html
import threading
from dataclasses import dataclass, replace
from functools import cached_property
from typing import NamedTuple

import numpy as np
import torch
from PIL import Image, ImageDraw

from playground.bundle import ModelBundle
from playground.maps import (
    CODES_COLOUR,
    HOLE_COLOUR,
    HOLES_STEPS,
    MAP_WINDOW,
    close_up_picture,
    dashed,
    draw_q,
    draw_samples,
    holes_picture,
    manifold,
    outline,
    scatter_map,
    with_marker,
)
from playground.pictures import class_keys, legend_html, to_image
from playground.posterior import (
    ELLIPSE_MASSES,
    FINE_STEPS,
    HOLE_RATIO,
    IS_SAMPLES,
    Posterior,
    PriorHoles,
    Square,
    posterior,
    prior_holes,
)
from vae.config import DATASETS
from vae.data import as_floats
from vae.sampling import seeded_generator
from vae.train import held_out_terms


@dataclass(frozen=True)
class Focus:
    """The image whose posterior the tab shows, and the samples of z = μ + σ·ε drawn for it so far."""

    name: str  # "the Draw tab's drawing" or "held-out image 4 (labelled 4)"
    posterior: Posterior
    samples: tuple[tuple[np.ndarray, np.ndarray], ...] = ()  # (ε, z) of each press of Sample ε


class MapPoint(NamedTuple):
    """A point of the map decoded: the point, its decode, the caption and the reading as data."""

    point: tuple[float, float]
    digit: Image.Image
    caption: str
    reading: dict


class LatentSpace:
    """The Train tab's β = 1 VAE (2-D, an MLP, fast enough to decode a grid) with the held-out images'
    map: the work of the Latent space tab's map and posterior."""

    def __init__(self, models: ModelBundle) -> None:
        self.vae, self.classifier = models.map_vae.eval(), models.classifier.eval()
        self.dataset, self.models = models.dataset, models
        self.test_images, self.test_labels = models.subset.test_images, models.subset.test_labels
        self.train_images = models.subset.train_images
        self.window = MAP_WINDOW
        held_out = as_floats(self.test_images)
        self.codes = self.vae.encode_means(held_out)
        self.map = scatter_map(
            np.clip(self.codes, self.window.low, self.window.high), self.test_labels, self.window
        )
        self.manifold = manifold(self.vae, self.window)
        terms = held_out_terms(self.vae, held_out, generator=seeded_generator(0))
        self.held_out_elbo = -(terms.reconstruction + terms.kl)  # the Train tab's β = 1 row, same code
        self._holes: tuple[PriorHoles, Image.Image] | None = None
        self._measuring = threading.Lock()

    def legend(self, view: str = "codes") -> str:
        """HTML naming what each of the view's colours stands for (each class, or the codes' density and
        the holes); it carries the map's geometry for the page's hover."""
        if view == "holes":
            keys = [
                (f"background:{CODES_COLOUR}", "where the training codes lie, darker where denser"),
                (
                    f"background:repeating-linear-gradient(45deg,{HOLE_COLOUR} 0 2px,transparent 2px 5px)",
                    f"a hole: inside 2σ, codes under {HOLE_RATIO:g} times as dense as N(0, I)",
                ),
            ]
        else:
            keys = class_keys(self.dataset)
        return legend_html(keys, {"dataset": self.dataset, **self.window.geometry()})

    def holes(self) -> tuple[PriorHoles, Image.Image]:
        """The prior's holes and their picture, measured once when first asked for (about 2 s)."""
        with self._measuring:
            if self._holes is None:
                square = Square((0.0, 0.0), self.window.high)
                holes = prior_holes(
                    self.vae, as_floats(self.train_images), self.classifier, square, HOLES_STEPS
                )
                self._holes = holes, holes_picture(holes, self.window)
        return self._holes

    def base(self, view: str) -> Image.Image:
        """The map under the marks: the held-out codes, or the codes' density and the prior's holes."""
        return self.holes()[1] if view == "holes" else self.map

    def holes_caption(self) -> str:
        """What the holes view shows, with its figures."""
        holes, _ = self.holes()
        return (
            f"**The prior's holes.** Blue: where the codes of the map model's {len(self.train_images):,} "
            f"training images lie "
            f"(their q(z | x) summed: the aggregate posterior). Dashed: N(0, I)'s 1σ, 2σ and 3σ circles. "
            f"Hatched: inside the 2σ circle, where the codes are less than {HOLE_RATIO:g} times as dense as "
            f"N(0, I). Of {holes.samples:,} samples of N(0, I), {holes.prior_share:.0%} land in a hole; "
            f"hover there to see what they decode to. Drawn where the codes are instead (a random training "
            f"image's q(z | x)), the classifier is sure (p ≥ 0.9) of {holes.sure_codes:.0%} of the decodes, "
            f"against {holes.sure_prior:.0%} from N(0, I) (and {self.models.held_out_sure_share:.0%} of the "
            f"held-out images themselves): the reason the Generate tab samples from a mixture fitted to "
            f"the codes."
        )

    @torch.inference_mode()
    def focus_on(self, pixels: np.ndarray | None, name: str = "the Draw tab's drawing") -> Focus:
        """The posterior of an image; with none, of the first held-out image, so the view is never empty."""
        if pixels is None:
            return self.default_focus
        return Focus(name, posterior(self.vae, pixels))

    @cached_property
    def default_focus(self) -> Focus:
        """The first held-out image's posterior, computed once: every page load without a drawing shows it."""
        return self.test_focus(0)

    def close_up(self, focus: Focus) -> Image.Image:
        """The focus's true posterior against q, with its samples."""
        return close_up_picture(focus.posterior, focus.samples)

    def test_focus(self, index: int) -> Focus:
        """The posterior of held-out image index."""
        label = DATASETS[self.dataset].classes[int(self.test_labels[index])]
        pixels = self.test_images[index].astype(np.float32) / 255
        return self.focus_on(pixels, f"held-out image {index} (labelled {label})")

    def nearest(self, z1: float, z2: float) -> Focus:
        """The posterior of the held-out image whose μ lies nearest to (z1, z2)."""
        z = np.nan_to_num(np.array([z1, z2], np.float64))
        return self.test_focus(int(np.argmin(((self.codes - z) ** 2).sum(1))))

    def map_picture(self, view: str, focus: Focus, point: tuple[float, float] | None = None) -> Image.Image:
        """The map with the focus's q(z | x), the close-up's square, its samples and the point."""
        image = self.base(view).copy()
        draw = ImageDraw.Draw(image)
        dashed(draw, self.window.to_pixels(outline(focus.posterior.square, self.window)), "#222222")
        encoded = focus.posterior.encoded
        draw_q(draw, self.window, np.clip(encoded.mu, self.window.low, self.window.high), encoded.sigma)
        draw_samples(draw, self.window, focus.samples)
        return image if point is None else with_marker(image, self.window, point)

    def posterior_caption(self, focus: Focus) -> str:
        """Markdown: the focus's q, its figures in nats with their meaning and a reference, and a reading."""
        post, e = focus.posterior, focus.posterior.encoded
        inner, outer = (f"{mass:.0%}" for mass in ELLIPSE_MASSES)
        name = html.escape(focus.name[0].upper() + focus.name[1:])
        return (
            f"**{name}**: q(z | x) = N(μ = ({e.mu[0]:+.2f}, {e.mu[1]:+.2f}), σ = ({e.sigma[0]:.2f}, "
            f"{e.sigma[1]:.2f})). Close-up of the dashed square: the true posterior p(z | x) ∝ "
            f"p(x | z)·p(z), its densest {inner} dark blue and {outer} light blue, the shares inside a "
            f"Gaussian's 1σ and 2σ ellipses; q's 1σ (solid) and 2σ (dashed) ellipses in black.\n\n"
            f"| figure (log-probabilities; higher is better) | nats |\n|---|---:|\n"
            f"| ELBO: E_q[log p(x \\| z)] − KL(q ‖ N(0, I)), ± its Monte-Carlo standard error "
            f"| {post.elbo:.2f} ± {post.elbo_error:.2f} |\n"
            f"| log p(x), importance-sampled with k = {IS_SAMPLES:,} samples from q | {post.log_px:.2f} |\n"
            f"| log p(x), summed over the close-up's {FINE_STEPS}x{FINE_STEPS} grid "
            f"| {post.log_px_grid:.2f} |\n"
            f"| gap: log p(x) − ELBO = KL(q ‖ p(z \\| x)) | {post.gap:.2f} |\n"
            f"| for reference: the mean ELBO of the {len(self.test_images):,} held-out images | "
            f"{self.held_out_elbo:.1f} |\n\n"
            f"{post.reading()}"
        )

    def sample(self, focus: Focus) -> tuple[Focus, Image.Image, str]:
        """One more press of Sample ε: ε ~ N(0, I), z = μ + σ·ε with the image's own numbers, its decode."""
        e = focus.posterior.encoded
        eps, z = e.sample(len(focus.samples))
        focus = replace(focus, samples=(*focus.samples, (eps, z)))
        with torch.inference_mode():
            pixels = self.vae.decode_pixels(torch.from_numpy(z).float()[None])
            looks = self.classifier.describe(pixels)
        lines = "\n".join(
            f"z{d + 1} = μ{d + 1} + σ{d + 1}·ε{d + 1} = {e.mu[d]:+.3f} + {e.sigma[d]:.3f} × "
            f"({eps[d]:+.3f}) = **{z[d]:+.3f}**  "
            for d in range(2)
        )
        text = (
            f"Sample {len(focus.samples)}: ε = ({eps[0]:+.2f}, {eps[1]:+.2f}) drawn from N(0, I).\n\n"
            f"{lines}\n\n"
            f"Its decode looks like {looks} to the classifier. Each press adds a white dot to the map and "
            "the close-up."
        )
        return focus, to_image(pixels), text

    @torch.inference_mode()
    def decode_at(self, z1: float, z2: float) -> MapPoint:
        """The point (clamped to the map), the image it decodes to, and what it looks like."""
        z1, z2 = (float(np.clip(np.nan_to_num(v), self.window.low, self.window.high)) for v in (z1, z2))
        pixels = self.vae.decode_pixels(torch.tensor([[z1, z2]]))
        caption = f"z = ({z1:+.2f}, {z2:+.2f}) looks like {self.classifier.describe(pixels)}"
        return MapPoint((z1, z2), to_image(pixels), caption, self.classifier.reading(pixels))

    def clicked_code(self, x: float, y: float) -> tuple[float, float]:
        """The code under a click at pixel (x, y) of the map, rounded for display."""
        z1, z2 = self.window.to_z(x, y)
        return round(float(z1), 2), round(float(z2), 2)
