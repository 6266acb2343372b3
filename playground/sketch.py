"""Turn a drawing into a 28x28 image made as the dataset's were: an MNIST digit is cropped, scaled to
20 px and centred by mass; a Fashion-MNIST item fills the frame."""

from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

MNIST_SIZE = 28
MNIST_BOX = 20  # MNIST digits were scaled so their longer side fits 20 px, then centred in 28x28
WORK_SIZE = 100  # the crop is normalised at this resolution before the final downscale
STROKE_RATIO = 0.14  # MNIST strokes are about 14 % of a digit's height (2-3 px of 20)
INK_THRESHOLD = 0.2
MAX_SIDE = 4096  # larger images are refused before they are decoded: the pad is 400x400


class SketchError(ValueError):
    """The image holds no readable digit; the message is meant for the user."""


def ink_map(image: np.ndarray) -> np.ndarray:
    """Ink in [0, 1] per pixel: dark strokes on a light or transparent background, or the reverse."""
    arr = np.asarray(image)
    if arr.ndim == 3 and arr.shape[2] in (1, 2, 3, 4):
        channels = arr.shape[2]
    elif arr.ndim == 2:
        arr, channels = arr[:, :, None], 1
    else:
        raise SketchError(f"Expected a greyscale, RGB or RGBA image, got an array of shape {arr.shape}.")
    check_size(arr.shape[1], arr.shape[0])
    if arr.dtype == bool:
        values = arr.astype(np.float32)
    elif np.issubdtype(arr.dtype, np.integer):
        values = arr.astype(np.float32) / max(255, arr.max(initial=0))
    elif np.issubdtype(arr.dtype, np.floating):
        with np.errstate(over="ignore"):  # float64 beyond float32's range becomes inf, then 1 or 0
            values = np.nan_to_num(arr.astype(np.float32), nan=0.0, posinf=1.0, neginf=0.0)
        values = values / 255 if values.max(initial=0) > 1 else values
    else:
        raise SketchError(f"Unsupported pixel type {arr.dtype}.")
    values = np.clip(values, 0.0, 1.0)
    colour = values[:, :, : 3 if channels >= 3 else 1]
    luminance = colour @ np.array([0.299, 0.587, 0.114], np.float32) if channels >= 3 else colour[:, :, 0]
    alpha = values[:, :, -1] if channels in (2, 4) else np.ones_like(luminance)
    ink = alpha * (1.0 - luminance)
    if np.median(ink) > 0.5:  # light strokes on a dark background, as MNIST itself is stored
        ink = alpha * luminance
    return ink


def is_blank(image: np.ndarray | None) -> bool:
    """No image, or no pixel inked enough to count as a stroke."""
    return image is None or ink_map(image).max(initial=0.0) <= INK_THRESHOLD


def check_size(width: int, height: int) -> None:
    """Refuse empty images, and images too large to process quickly in little memory."""
    if width == 0 or height == 0:
        raise SketchError(f"The image is empty ({width}x{height} pixels).")
    if width * height > MAX_SIDE * MAX_SIDE:
        raise SketchError(
            f"The image is too large ({width}x{height} pixels): send at most {MAX_SIDE}x{MAX_SIDE}."
        )


def check_image_file(path: str | Path) -> None:
    """Read only the file's header, so a non-image or an image bomb is refused before decoding."""
    try:
        with Image.open(path) as image:
            width, height = image.size
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise SketchError("That file is not an image this app can read: send a PNG or JPEG.") from None
    check_size(width, height)


def read_image_file(path: str | Path) -> np.ndarray:
    """An image file as an RGBA array, for a drawing sent as a file; a SketchError if it is not one."""
    check_image_file(path)
    try:
        with Image.open(path) as image:
            return np.asarray(image.convert("RGBA"))
    except (OSError, SyntaxError, ValueError):
        raise SketchError("That file is not an image this app can read: send a PNG or JPEG.") from None


def preprocess_sketch(image: np.ndarray, dataset: str = "mnist") -> np.ndarray:
    """A 28x28 float32 image in [0, 1], white on black, made the way the dataset's images were."""
    crop = crop_to_ink(ink_map(image))
    height, width = crop.shape
    if max(height, width) < 3:
        raise SketchError("That is only a dot: draw a whole digit.")
    if dataset == "fashion-mnist":
        return fit_like_fashion_mnist(crop)
    filled = (crop > INK_THRESHOLD).mean()
    if filled > 0.7 and 0.5 < height / width < 2:
        raise SketchError("That looks like a blob, not a digit: draw it with strokes.")

    scale = WORK_SIZE / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    work = Image.fromarray(np.uint8(np.round(crop * 255))).resize(size, Image.Resampling.LANCZOS)
    work = Image.fromarray(crop_to_ink(np.asarray(normalise_stroke(work))))  # thinning shrinks the box

    scale = MNIST_BOX / max(work.size)
    size = (max(1, round(work.width * scale)), max(1, round(work.height * scale)))
    digit = np.asarray(work.resize(size, Image.Resampling.LANCZOS), np.float32) / 255
    return centre_by_mass(digit)


def fit_like_fashion_mnist(crop: np.ndarray) -> np.ndarray:
    """Fashion-MNIST's photos were trimmed, scaled so their longer side is 28 px and centred; strokes
    are kept as drawn, since clothes are filled shapes, not pen lines."""
    height, width = crop.shape
    scale = MNIST_SIZE / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    item = np.asarray(Image.fromarray(np.uint8(np.round(crop * 255))).resize(size, Image.Resampling.LANCZOS))
    field = np.zeros((MNIST_SIZE, MNIST_SIZE), np.float32)
    top, left = (MNIST_SIZE - size[1]) // 2, (MNIST_SIZE - size[0]) // 2
    field[top : top + size[1], left : left + size[0]] = item / 255
    return field


def crop_to_ink(ink: np.ndarray) -> np.ndarray:
    """The smallest rectangle holding every pixel with ink above the threshold."""
    mask = ink > INK_THRESHOLD * (255 if ink.dtype == np.uint8 else 1)
    if not mask.any():
        raise SketchError("No digit found: draw one with dark strokes on the pad.")
    rows, cols = np.flatnonzero(mask.any(1)), np.flatnonzero(mask.any(0))
    return ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]


def normalise_stroke(work: Image.Image) -> Image.Image:
    """Thicken thin strokes and thin thick ones towards MNIST's pen width, at WORK_SIZE scale."""
    mask = np.asarray(work) > 127
    area = mask.sum()
    inner = mask[1:-1, 1:-1] & mask[:-2, 1:-1] & mask[2:, 1:-1] & mask[1:-1, :-2] & mask[1:-1, 2:]
    perimeter = max(1, area - inner.sum())
    width = 2 * area / perimeter  # a stroke of length L and width w has area L*w and perimeter ~2L
    target = STROKE_RATIO * WORK_SIZE
    steps = round((target - width) / 2)  # a 3x3 max filter widens a stroke by 2 px
    if steps < 0:  # thin gently: eroding all the way breaks loops where the width varies
        steps = min(0, round((1.3 * target - width) / 2))
    for _ in range(min(abs(steps), 12)):
        work = work.filter(ImageFilter.MaxFilter(3) if steps > 0 else ImageFilter.MinFilter(3))
    return work


def centre_by_mass(digit: np.ndarray) -> np.ndarray:
    """Paste digit into a 28x28 field so that its centre of mass sits at the centre."""
    field = np.zeros((MNIST_SIZE, MNIST_SIZE), np.float32)
    height, width = digit.shape
    total = digit.sum()
    if total <= 0:
        raise SketchError("No digit found: draw one with dark strokes on the pad.")
    ys, xs = np.mgrid[:height, :width]
    com_y, com_x = (digit * ys).sum() / total, (digit * xs).sum() / total
    top = int(np.clip(round(MNIST_SIZE / 2 - 0.5 - com_y), 0, MNIST_SIZE - height))
    left = int(np.clip(round(MNIST_SIZE / 2 - 0.5 - com_x), 0, MNIST_SIZE - width))
    field[top : top + height, left : left + width] = digit
    return np.clip(field, 0.0, 1.0)
