"""Images and HTML the app shows, in numpy and Pillow only, so that the page can be built from this
module before torch loads."""

import html
import json
import math

import numpy as np
from PIL import Image

from vae.config import DATASETS

SLIDER_RANGE = 3.0  # each latent slider spans [-3, 3]; the page reads it from the server
MAX_TEMPERATURE = 2.0  # random codes' spread, from 0 (the sampler's centre) to twice as fitted
DISPLAY_SCALE = 10  # 28 px digits are shown at 280 px, nearest-neighbour so pixels stay crisp
# One colour per class, so the maps of every model read the same way: Petroff's ten-colour sequence
# (matplotlib's "petroff10"), chosen to stay apart for the common colour-vision deficiencies.
DIGIT_COLOURS = [
    "#3f90da", "#ffa90e", "#bd1f01", "#94a4a2", "#832db6",
    "#a96b59", "#e76300", "#b9ac70", "#717581", "#92dadd",
]  # fmt: skip


def to_image(pixels: np.ndarray, scale: int = DISPLAY_SCALE) -> Image.Image:
    """A greyscale PIL image of values in [0, 1] (an array or a CPU tensor), upscaled without blurring."""
    array = np.asarray(pixels, dtype=np.float32).squeeze()
    image = Image.fromarray(np.uint8(np.round(np.clip(array, 0, 1) * 255)), mode="L")
    return image.resize((image.width * scale, image.height * scale), Image.Resampling.NEAREST)


def image_grid(
    pixels: np.ndarray, nrow: int, padding: int = 2, pad_value: float = 0.5, scale: int = 1
) -> Image.Image:
    """Images (N, 1, H, W) in [0, 1] tiled nrow to a row between grey lines, as torchvision's make_grid
    does, then upscaled without blurring; hand-written because importing torchvision loads
    torch._dynamo, 1.4 s of the app's start-up."""
    pixels = np.asarray(pixels, dtype=np.float32)
    count, _, height, width = pixels.shape
    columns, rows = min(nrow, count), math.ceil(count / nrow)
    step_y, step_x = height + padding, width + padding
    grid = np.full((rows * step_y + padding, columns * step_x + padding), pad_value, dtype=np.float32)
    for i, image in enumerate(pixels[:, 0]):
        top, left = padding + (i // nrow) * step_y, padding + (i % nrow) * step_x
        grid[top : top + height, left : left + width] = image
    return to_image(grid, scale=scale)


def latent_html(mu: np.ndarray, sigma: np.ndarray, kl_per_dim: np.ndarray, typical_kl: np.ndarray) -> str:
    """One row per dimension: the prior's +-1 band, the posterior's mu +- sigma box, its KL in nats and,
    to hold it against, typical_kl: the dimension's mean KL on held-out images, which training stored."""

    def position(value: float) -> float:
        return 100 * (np.clip(value, -SLIDER_RANGE, SLIDER_RANGE) + SLIDER_RANGE) / (2 * SLIDER_RANGE)

    rows = []
    for i, (m, s, kl, typical) in enumerate(zip(mu, sigma, kl_per_dim, typical_kl, strict=True)):
        left, right = position(m - s), position(m + s)
        rows.append(
            f'<div class="zrow"><span class="zname">z{i + 1}</span><span class="ztrack">'
            f'<span class="zprior"></span>'
            f'<span class="zbox" style="left:{left:.1f}%;width:{max(right - left, 0.8):.1f}%"></span>'
            f'<span class="zmu" style="left:{position(m):.1f}%"></span></span>'
            f'<span class="zval">μ {m:+.2f} σ {s:.2f} · KL {kl:.2f} ({typical:.2f})</span></div>'
        )
    legend = (
        "<p class='zlegend'>Grey band: the prior N(0, 1) within ±1σ. Orange box: this drawing's "
        "posterior μ ± σ. KL: each dimension's part of the KL above, in nats; in brackets, that "
        "dimension's mean over images held out from training. A narrow box far from 0 "
        "costs many nats of KL; a dimension whose box covers the band carries no information about the "
        "drawing.</p>"
    )
    return f'<div class="latents">{"".join(rows)}</div>{legend}'


def class_keys(dataset: str) -> list[tuple[str, str]]:
    """Each class's colour on the maps (a CSS background) with its name, for legend_html."""
    names = DATASETS[dataset].classes
    # The maps write each class's number on its codes: a name that is not that number comes after it.
    named = [name if name == str(i) else f"{i} {name}" for i, name in enumerate(names)]
    return [(f"background:{colour}", name) for colour, name in zip(DIGIT_COLOURS, named, strict=True)]


def legend_html(keys: list[tuple[str, str]], data: dict | None = None) -> str:
    """HTML naming what each colour stands for, from (CSS background, name) keys; data, if given, travels
    as the legend's data-map (a map's geometry, which the page's hover reads)."""
    swatch = '<span class="swatch"><span style="{}"></span>{}</span>'
    swatches = "".join(swatch.format(style, html.escape(name)) for style, name in keys)
    attribute = f' data-map="{html.escape(json.dumps(data))}"' if data is not None else ""
    return f'<div class="legend"{attribute}>{swatches}</div>'
