"""Do drawn digits come back as themselves? python -m benchmarks.redraw (prints one JSON line).

Each MNIST test digit is redrawn the way a visitor would draw it on the 400x400 sketch pad: solid
black strokes of a random thickness, at a random size and place, on a transparent canvas. The
drawing goes through the app's own handler (preprocessing, encoder, decoder), and the bundled
classifier judges whether the reconstruction is still the drawn digit.
"""

import argparse
import json
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageFilter
from torchvision.utils import save_image

from playground.draw import Drawing
from vae.classifier import DigitClassifier
from vae.data import load_split
from vae.model import VAE
from vae.weights import WEIGHTS_DIR, load_pretrained

CANVAS = 400


def redraw_as_sketch(digit: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A 28x28 digit in [0, 1] as an RGBA sketch-pad drawing: thick black strokes, random size and place."""
    size = int(rng.integers(120, CANVAS - 20))
    big = Image.fromarray(np.uint8(digit * 255)).resize((size, size), Image.Resampling.BILINEAR)
    cut = int(rng.integers(80, 160))  # where the grey edge becomes ink: lower cuts draw thicker
    strokes = big.point(lambda v: 255 if v > cut else 0)
    thicken = 2 * int(rng.integers(0, size // 50 + 1)) + 1
    if thicken > 1:  # a rank filter of size 1 crashes Pillow 12.3 with SIGFPE
        strokes = strokes.filter(ImageFilter.MaxFilter(thicken))
    canvas = np.zeros((CANVAS, CANVAS, 4), np.uint8)  # transparent, like the empty pad
    top, left = rng.integers(0, CANVAS - size + 1, size=2)
    canvas[top : top + size, left : left + size, 3] = np.asarray(strokes)
    return canvas


def to_pixels(image: Image.Image) -> np.ndarray:
    """An upscaled display image from the app back to its 28x28 values in [0, 1]."""
    return np.asarray(image.resize((28, 28), Image.Resampling.BOX), np.float32) / 255


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m benchmarks.redraw", description=__doc__.split("\n")[0])
    p.add_argument("--weights", type=Path, default=WEIGHTS_DIR / "mnist-vae")
    p.add_argument("--digits", type=int, default=100, help="test digits to redraw")
    p.add_argument("--data-root", type=Path, help="torchvision data root or a folder of IDX files")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--save", type=Path, help="write a PNG grid of drawings and reconstructions here")
    args = p.parse_args(argv)

    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    classifier = load_pretrained(DigitClassifier, WEIGHTS_DIR / "mnist-classifier")
    draw = Drawing(load_pretrained(VAE, args.weights), classifier)
    images, labels = load_split("mnist", args.data_root, train=False)
    picks = rng.choice(len(images), args.digits, replace=False)

    inputs, reconstructions, rejected = [], [], []
    for i in picks:
        sketch = redraw_as_sketch(images[i, 0].numpy(), rng)
        result = draw.reconstruct({"background": None, "layers": [], "composite": sketch})
        if result.reconstruction is None:  # the preprocessing refused it: count it as a miss
            rejected.append(result.message)
            inputs.append(np.zeros((28, 28), np.float32))
            reconstructions.append(np.zeros((28, 28), np.float32))
            continue
        inputs.append(to_pixels(result.model_input))
        reconstructions.append(to_pixels(result.reconstruction))

    def accuracy(batch: list[np.ndarray]) -> float:
        x = torch.from_numpy(np.stack(batch))[:, None]
        predicted = classifier.predict_proba(x).argmax(1)
        return round((predicted == labels[picks]).float().mean().item(), 4)

    if args.save:
        grid = torch.from_numpy(np.stack([*inputs[:16], *reconstructions[:16]]))[:, None]
        save_image(grid, args.save, nrow=16, pad_value=0.5)
    print(
        json.dumps(
            {
                "weights": str(args.weights),
                "digits": args.digits,
                "reconstruction_classified_as_drawn": accuracy(reconstructions),
                "model_input_classified_as_drawn": accuracy(inputs),
                "original_classified_as_drawn": accuracy([images[i, 0].numpy() for i in picks]),
                "rejected": rejected,
            }
        )
    )


if __name__ == "__main__":
    main()
