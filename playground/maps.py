"""Pictures of a 2-D latent space: a map's window onto z and its axes, codes as dots coloured by class,
a posterior's ellipses and samples, its close-up, the prior's holes and the decoded manifold. The
Latent space and Train tabs both draw with them."""

from dataclasses import dataclass

import numpy as np
import torch
from PIL import Image, ImageColor, ImageDraw, ImageFont

from playground.pictures import DIGIT_COLOURS, image_grid
from playground.posterior import Posterior, PriorHoles, Square
from playground.runs import MAP_EDGE
from vae.model import VAE

MAP_SIZE = 420  # pixels per side of a latent map's plot
Q_COLOUR = "#000000"  # q(z | x)'s ellipses: a colour no class has
TRUE_COLOURS = ("#1f5f9e", "#9cc5ea")  # the true posterior's 39 % and 86 % regions
CODES_COLOUR, HOLE_COLOUR = "#3f90da", "#c2185b"  # the holes view: the codes' density, the holes' hatching
HOLES_STEPS = 105  # cells per side of the grid the codes' density is evaluated on (4 px each)
CLOSE_UP_SIZE = 300
LABELLED_CLASS_MIN = 20  # a class's number is written on a map where it has at least this many codes


@dataclass(frozen=True)
class Margins:
    """Room around a plot for its tick labels, in pixels."""

    left: int = 0
    top: int = 0
    right: int = 0
    bottom: int = 0


AXES = Margins(left=34, top=18, right=24, bottom=22)
BEYOND_MARK = 6  # pixels: the length of the arrowhead that stands for a code beyond a map's edge


@dataclass(frozen=True)
class MapWindow:
    """The square of latent space a map shows, and the conversion between its pixels and z."""

    low: float
    high: float
    size: int = MAP_SIZE
    margins: Margins = Margins()
    z2_shift: float = 0.0  # z2 spans [low, high] moved by this, for a square off the diagonal

    @classmethod
    def around(cls, codes: np.ndarray, share: float = 0.995, margins: Margins = Margins()) -> "MapWindow":
        """A square centred on 0 that holds `share` of the codes in both dimensions, plus a margin."""
        reach = float(np.quantile(np.abs(codes), share)) * 1.1
        return cls(-reach, reach, margins=margins)

    @classmethod
    def of(cls, square: Square, size: int, margins: Margins = AXES) -> "MapWindow":
        (z1, z2), half = square.centre, square.half
        return cls(z1 - half, z1 + half, size, margins, z2 - z1)

    @property
    def width(self) -> int:
        return self.margins.left + self.size + self.margins.right

    @property
    def height(self) -> int:
        return self.margins.top + self.size + self.margins.bottom

    @property
    def scale(self) -> float:
        """Pixels per unit of z."""
        return (self.size - 1) / (self.high - self.low)

    def to_pixels(self, z: np.ndarray) -> np.ndarray:
        """(x, y) pixel positions of codes, with z2 growing upwards as on a plot."""
        z = np.asarray(z, np.float64)
        x = self.margins.left + (z[..., 0] - self.low) * self.scale
        y = self.margins.top + self.size - 1 - (z[..., 1] - self.z2_shift - self.low) * self.scale
        return np.stack([x, y], axis=-1)

    def to_z(self, x: float, y: float) -> tuple[float, float]:
        """The code under pixel (x, y) of the map; clicks outside the plot are clamped to its edge."""
        x, y = np.clip([x - self.margins.left, y - self.margins.top], 0, self.size - 1)
        return self.low + x / self.scale, self.low + self.z2_shift + (self.size - 1 - y) / self.scale

    def geometry(self) -> dict[str, float]:
        """What the page needs to turn a pointer's position on the image into z (ui/static/latent.js)."""
        return {
            "low": self.low,
            "high": self.high,
            "shift": self.z2_shift,
            "size": self.size,
            "left": self.margins.left,
            "top": self.margins.top,
            "width": self.width,
            "height": self.height,
        }


def tick_step(span: float) -> float:
    """A round step that puts four to eight ticks across span."""
    for step in (0.05, 0.1, 0.2, 0.25, 0.5, 1.0, 2.0, 5.0):
        if span / step <= 8:
            return step
    return 10.0


def draw_axes(image: Image.Image, window: MapWindow) -> None:
    """A frame around the plot with round ticks on z1 (below) and z2 (left), and the axes' names."""
    draw, font = ImageDraw.Draw(image), ImageFont.load_default(size=11)
    m, end = window.margins, window.size - 1
    draw.rectangle([m.left - 1, m.top - 1, m.left + end + 1, m.top + end + 1], outline="#888888")
    step = tick_step(window.high - window.low)
    for axis, low in ((0, window.low), (1, window.low + window.z2_shift)):
        for value in np.arange(np.ceil(low / step) * step, low + (window.high - window.low) + 1e-9, step):
            label = f"{value:g}" if abs(value) > 1e-9 else "0"
            if axis == 0:
                x = float(window.to_pixels(np.array([value, low + window.z2_shift]))[0])
                draw.line([(x, m.top + end + 1), (x, m.top + end + 5)], fill="#555555")
                draw.text((x, m.top + end + 8), label, fill="#333333", font=font, anchor="mt")
            else:
                y = float(window.to_pixels(np.array([window.low, value]))[1])
                draw.line([(m.left - 5, y), (m.left - 1, y)], fill="#555555")
                draw.text((m.left - 7, y), label, fill="#333333", font=font, anchor="rm")
    draw.text((m.left + end + 8, m.top + end + 6), "z1", fill="#000000", font=font, anchor="lt")
    draw.text((m.left - 7, 2), "z2", fill="#000000", font=font, anchor="rt")


def blank_map(window: MapWindow) -> Image.Image:
    """A white plot with faint axes through z = 0 (where they are inside it) and, given margins, ticks."""
    image = Image.new("RGB", (window.width, window.height), "white")
    draw = ImageDraw.Draw(image)
    origin_x, origin_y = window.to_pixels(np.zeros(2))
    m = window.margins
    if m.left <= origin_x <= m.left + window.size:
        draw.line([(origin_x, m.top), (origin_x, m.top + window.size - 1)], fill="#dddddd")
    if m.top <= origin_y <= m.top + window.size:
        draw.line([(m.left, origin_y), (m.left + window.size - 1, origin_y)], fill="#dddddd")
    if m != Margins():
        draw_axes(image, window)
    return image


def scatter_map(codes: np.ndarray, labels: np.ndarray, window: MapWindow) -> Image.Image:
    """Every code inside the window as a dot coloured by its class, each code beyond it as an arrowhead
    on its edge, and each class's number written at the middle of its codes: a cue besides colour, as
    two classes' colours are alike (3 and 8 greys, 2 and 6 red-oranges) and not every reader tells
    colours apart."""
    image = blank_map(window)
    draw = ImageDraw.Draw(image)
    m, last = window.margins, window.size - 1
    pixels = window.to_pixels(codes)
    on_plot = np.clip(pixels, (m.left, m.top), (m.left + last, m.top + last))  # beyond: moved to the edge
    inside = (on_plot == pixels).all(axis=1)
    for (x, y), label in zip(pixels[inside], labels[inside], strict=True):
        draw.ellipse([x - 1.2, y - 1.2, x + 1.2, y + 1.2], fill=DIGIT_COLOURS[int(label)])
    draw_beyond(draw, pixels[~inside], on_plot[~inside], labels[~inside])
    font = ImageFont.load_default(size=15)
    for label in np.unique(labels[inside]):
        mine = pixels[inside][labels[inside] == label]
        if len(mine) >= LABELLED_CLASS_MIN:
            x, y = np.median(mine, axis=0)
            text = {"text": str(int(label)), "font": font, "anchor": "mm"}
            draw.text((x, y), **text, fill="black", stroke_width=3, stroke_fill="white")
    return image


def draw_beyond(draw: ImageDraw.ImageDraw, pixels: np.ndarray, tips: np.ndarray, labels: np.ndarray) -> None:
    """Codes beyond a map (at these pixel positions) as arrowheads in their class's colour with their
    tips on its edge, pointing the way they lie: a pile at the border reads as codes further out."""
    away = pixels - tips
    away /= np.linalg.norm(away, axis=1, keepdims=True)
    for tip, (dx, dy), label in zip(tips, away, labels, strict=True):
        back, side = tip - BEYOND_MARK * np.array([dx, dy]), BEYOND_MARK / 2 * np.array([-dy, dx])
        draw.polygon([tuple(tip), tuple(back + side), tuple(back - side)], fill=DIGIT_COLOURS[int(label)])


def with_marker(base: Image.Image, window: MapWindow, z: tuple[float, float]) -> Image.Image:
    """A copy of a map with a cross-hair at z: the point clicked or typed."""
    image = base.copy()
    draw = ImageDraw.Draw(image)
    x, y = window.to_pixels(np.asarray(z))
    for colour, width in (("white", 5), ("black", 2)):
        draw.line([(x - 12, y), (x + 12, y)], fill=colour, width=width)
        draw.line([(x, y - 12), (x, y + 12)], fill=colour, width=width)
    return image


def dashed(draw: ImageDraw.ImageDraw, points: np.ndarray, colour: str, width: int = 1, dash: int = 2) -> None:
    """A closed outline through points, drawn every other stretch of dash points."""
    closed = np.vstack([points, points[:1]])
    for start in range(0, len(points), 2 * dash):
        draw.line([tuple(p) for p in closed[start : start + dash + 1]], fill=colour, width=width)


def outline(square: Square, window: MapWindow, per_side: int = 40) -> np.ndarray:
    """Points around a square of latent space, kept inside the window."""
    t = np.linspace(-1, 1, per_side, endpoint=False)
    sides = [np.stack(side, axis=1) for side in ((t, -np.ones_like(t)), (np.ones_like(t), t))]
    sides += [-side for side in sides]
    points = np.array(square.centre) + square.half * np.concatenate(sides)
    return np.clip(points, window.low, window.high)


def ellipse_points(window: MapWindow, centre: np.ndarray, radii: np.ndarray, count: int = 96) -> np.ndarray:
    """Pixel positions around an axis-aligned ellipse of latent space."""
    angles = np.linspace(0, 2 * np.pi, count, endpoint=False)
    z = centre + radii * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    return window.to_pixels(z)


def draw_q(draw: ImageDraw.ImageDraw, window: MapWindow, mu: np.ndarray, sigma: np.ndarray) -> None:
    """q(z | x): its 1σ ellipse solid, its 2σ ellipse dashed, a cross at μ."""
    one_sigma = [tuple(p) for p in ellipse_points(window, mu, sigma)]
    draw.line([*one_sigma, one_sigma[0]], fill=Q_COLOUR, width=2)
    dashed(draw, ellipse_points(window, mu, 2 * sigma), Q_COLOUR, width=2)
    x, y = window.to_pixels(mu)
    draw.line([(x - 6, y), (x + 6, y)], fill=Q_COLOUR, width=2)
    draw.line([(x, y - 6), (x, y + 6)], fill=Q_COLOUR, width=2)


def draw_samples(draw: ImageDraw.ImageDraw, window: MapWindow, samples: tuple) -> None:
    """Each sampled z as a white dot ringed in black, the latest larger."""
    for i, (_, z) in enumerate(samples):
        x, y = window.to_pixels(z)
        r = 5 if i == len(samples) - 1 else 3
        draw.ellipse([x - r, y - r, x + r, y + r], fill="white", outline="black", width=2)


def upsampled(grid: np.ndarray, size: int) -> np.ndarray:
    """A grid of values (rows from the top) stretched bilinearly to size x size pixels."""
    return np.asarray(Image.fromarray(grid.astype(np.float32), mode="F").resize((size, size), Image.BILINEAR))


def plot_pixels(image: Image.Image, window: MapWindow, colours: np.ndarray, mask: np.ndarray) -> None:
    """Paint the plot's pixels where mask is set with colours (size x size x 3)."""
    m = window.margins
    area = np.asarray(image).copy()
    region = area[m.top : m.top + window.size, m.left : m.left + window.size]
    region[mask] = colours[mask]
    image.paste(Image.fromarray(area))


def close_up_picture(post: Posterior, samples: tuple = ()) -> Image.Image:
    """The true posterior's 39 % and 86 % regions (the masses inside a Gaussian's 1σ and 2σ ellipses)
    with q's ellipses drawn over them, and the samples of z so far."""
    window = MapWindow.of(post.square, CLOSE_UP_SIZE)
    image = blank_map(window)
    log_density = upsampled(post.log_joint - post.log_joint.max(), window.size)
    density = np.exp(log_density) / np.exp(post.log_joint - post.log_joint.max()).sum()
    inner, outer = (density >= level for level in post.region_levels())
    for mask, colour in ((outer, TRUE_COLOURS[1]), (inner, TRUE_COLOURS[0])):
        rgb = np.broadcast_to(np.array(Image.new("RGB", (1, 1), colour))[0, 0], (*mask.shape, 3))
        plot_pixels(image, window, rgb, mask)
    draw = ImageDraw.Draw(image)
    draw_q(draw, window, post.encoded.mu, post.encoded.sigma)
    draw_samples(draw, window, samples)
    return image


def holes_picture(holes: PriorHoles, window: MapWindow) -> Image.Image:
    """The training codes' density (darker where denser), the prior's 1σ, 2σ and 3σ circles dashed,
    and its holes hatched."""
    image = blank_map(window)
    density = np.exp(holes.log_codes - holes.log_codes.max())
    shade = np.sqrt(upsampled(density, window.size))[..., None]
    blue = np.array(ImageColor.getrgb(CODES_COLOUR), np.float32)
    plot_pixels(image, window, np.uint8(255 - shade * (255 - blue)), np.ones((window.size,) * 2, bool))
    hole = upsampled(holes.holes.astype(np.float32), window.size) >= 0.5
    rows, columns = np.indices(hole.shape)
    hatch = hole & ((rows + columns) % 7 < 2)
    magenta = np.array(ImageColor.getrgb(HOLE_COLOUR), np.uint8)
    plot_pixels(image, window, np.broadcast_to(magenta, (*hole.shape, 3)), hatch)
    draw = ImageDraw.Draw(image)
    for radius in (1.0, 2.0, 3.0):
        dashed(draw, ellipse_points(window, np.zeros(2), np.full(2, radius), 160), "#222222", width=1)
    draw_axes(image, window)
    return image


def prior_grid(steps: int) -> torch.Tensor:
    """steps x steps 2-D codes at the prior's quantiles (5 % to 95 %), row by row with z2 growing
    upwards as on a map, so equal areas of N(0, I) get equal room."""
    quantiles = torch.distributions.Normal(0.0, 1.0).icdf(torch.linspace(0.05, 0.95, steps))
    z1, z2 = torch.meshgrid(quantiles, quantiles.flip(0), indexing="xy")
    return torch.stack([z1.flatten(), z2.flatten()], dim=1)


@torch.inference_mode()
def manifold(model: VAE, window: MapWindow, steps: int = 15) -> Image.Image:
    """Decodes at the centres of steps x steps cells across the map's square, on the map's axes, so a
    point on one is found on the other."""
    cell = window.size // steps
    square = Square(((window.low + window.high) / 2,) * 2, (window.high - window.low) / 2)
    grid = image_grid(model.decode_pixels(square.cells(steps)), steps, padding=0)
    image = blank_map(window)
    image.paste(
        grid.convert("RGB").resize((cell * steps,) * 2, Image.NEAREST),
        (window.margins.left, window.margins.top),
    )
    return image


MAP_WINDOW = MapWindow(-MAP_EDGE, MAP_EDGE, MAP_SIZE, AXES)
