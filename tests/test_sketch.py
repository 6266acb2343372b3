import hypothesis.extra.numpy as hnp
import hypothesis.strategies as st
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from PIL import Image, ImageDraw

from playground.sketch import SketchError, preprocess_sketch
from tests.conftest import draw_four


def test_output_is_an_mnist_style_digit() -> None:
    digit = preprocess_sketch(draw_four(400, 80, 60, 280, 30))
    assert digit.shape == (28, 28) and digit.dtype == np.float32
    assert digit.min() >= 0.0 and digit.max() <= 1.0 and digit.max() > 0.9
    rows, cols = np.nonzero(digit > 0.1)
    assert max(rows.max() - rows.min(), cols.max() - cols.min()) + 1 in (20, 21)  # longer side ~20 px
    ys, xs = np.mgrid[:28, :28]
    com = ((digit * ys).sum() / digit.sum(), (digit * xs).sum() / digit.sum())
    assert com == pytest.approx((13.5, 13.5), abs=1.0)  # centred by its centre of mass
    assert (digit[:3] < 0.05).all() and (digit[-3:] < 0.05).all()  # MNIST's empty border


@pytest.mark.parametrize(
    ("canvas", "left", "top", "size", "width"),
    [
        (400, 10, 300, 80, 8),  # small, thin, bottom-left corner
        (800, 20, 20, 760, 70),  # full canvas, thick
        (400, 150, 120, 200, 6),  # middle, very thin
    ],
)
def test_size_place_and_pen_do_not_matter(canvas: int, left: int, top: int, size: int, width: int) -> None:
    reference = preprocess_sketch(draw_four(400, 80, 60, 280, 30))
    other = preprocess_sketch(draw_four(canvas, left, top, size, width))
    differing = (np.abs(reference - other) > 0.5).sum()
    assert differing <= 25, f"{differing} of 784 pixels differ by more than half"


def test_white_background_rgb_and_white_on_black_match_transparent() -> None:
    reference = preprocess_sketch(draw_four(400, 80, 60, 280, 30))
    rgb = draw_four(400, 80, 60, 280, 30, mode="RGB")
    assert np.abs(preprocess_sketch(rgb) - reference).max() < 0.05
    assert np.abs(preprocess_sketch(255 - rgb) - reference).max() < 0.05  # MNIST's own polarity


@pytest.mark.parametrize(
    ("image", "message"),
    [
        (np.zeros((400, 400, 4), np.uint8), "No digit found"),  # blank transparent canvas
        (np.full((400, 400, 3), 255, np.uint8), "No digit found"),  # blank white canvas
        (np.zeros((400, 400, 4), np.uint8) + np.array([0, 0, 0, 255], np.uint8), "No digit found"),
        (np.zeros((5, 5, 5)), "Expected a greyscale, RGB or RGBA image"),
        (np.zeros(10), "Expected a greyscale, RGB or RGBA image"),
        (np.zeros((0, 5, 4), np.uint8), r"The image is empty \(5x0 pixels\)"),
        (np.zeros((4097, 4096), bool), r"too large \(4096x4097 pixels\): send at most 4096x4096"),
    ],
)
def test_unreadable_images_give_a_message(image: np.ndarray, message: str) -> None:
    with pytest.raises(SketchError, match=message):
        preprocess_sketch(image)


def test_a_dot_or_a_blob_is_not_a_digit() -> None:
    dot = np.zeros((400, 400, 4), np.uint8)
    dot[200:202, 200:202, 3] = 255
    with pytest.raises(SketchError, match="only a dot"):
        preprocess_sketch(dot)
    blob = Image.new("RGBA", (400, 400))
    ImageDraw.Draw(blob).ellipse((150, 150, 190, 190), fill=(0, 0, 0, 255))
    with pytest.raises(SketchError, match="blob"):
        preprocess_sketch(np.asarray(blob))


def test_fashion_mnist_drawings_fill_the_frame_and_keep_their_fill() -> None:
    canvas = Image.new("RGBA", (400, 400))
    ImageDraw.Draw(canvas).rectangle([120, 60, 279, 299], fill="black")  # a filled 160x240 "bag"
    item = preprocess_sketch(np.asarray(canvas), "fashion-mnist")
    assert item.shape == (28, 28) and item.dtype == np.float32
    rows, cols = np.flatnonzero(item.max(1) > 0.5), np.flatnonzero(item.max(0) > 0.5)
    assert (rows[0], rows[-1]) == (0, 27)  # the longer side spans the frame
    assert (cols[0], cols[-1]) == (4, 22)  # 19 px wide (160 / 240 * 28), centred
    assert item[2:26, 6:21].min() > 0.95  # filled, not thinned into a stroke
    with pytest.raises(SketchError, match="That looks like a blob"):
        preprocess_sketch(np.asarray(canvas))  # as a digit it is refused


def test_a_thick_stroke_of_uneven_width_stays_connected() -> None:
    """Thinning a heavy-handed 0 must not cut its thin side open."""
    yy, xx = np.mgrid[:400, :400]
    outer = ((xx - 200) / 150) ** 2 + ((yy - 200) / 180) ** 2 <= 1
    inner = ((xx - 260) / 80) ** 2 + ((yy - 200) / 140) ** 2 <= 1  # 140 px thick left, 10 px right
    canvas = np.zeros((400, 400, 4), np.uint8)
    canvas[..., 3] = 255 * (outer & ~inner)
    digit = preprocess_sketch(canvas)
    middle_row = digit[14]
    assert middle_row[18:].max() > 0.4, "the thin right side of the ring was eroded away"
    assert middle_row[16:20].max() < 0.3, "the hole in the middle was filled"


IMAGE_DTYPES = [
    np.bool_,
    np.uint8,
    np.uint16,
    np.int8,
    np.int32,
    np.int64,
    np.float16,
    np.float32,
    np.float64,
]
ARRAY_DTYPES = st.sampled_from([*IMAGE_DTYPES, np.complex64, np.object_, np.str_])
ARRAY_SHAPES = st.one_of(
    hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=6),
    st.tuples(st.integers(0, 120), st.integers(0, 120)),
    st.tuples(st.integers(0, 120), st.integers(0, 120), st.integers(1, 5)),
)


@st.composite
def arbitrary_arrays(draw: st.DrawFn) -> np.ndarray:
    """Arrays of any shape and dtype, from constant fills to noise, extremes, NaN and infinities."""
    dtype, shape = np.dtype(draw(ARRAY_DTYPES)), draw(ARRAY_SHAPES)
    if dtype.kind in "OU":
        return np.full(shape, draw(st.sampled_from(["", "ink", None])), dtype=dtype)
    if dtype.kind == "c":
        return np.full(shape, 1 + 2j, dtype=dtype)
    seed, style = draw(st.integers(0, 2**32 - 1)), draw(st.sampled_from(["noise", "extremes", "strokes"]))
    rng = np.random.default_rng(seed)
    if dtype.kind == "b":
        return rng.random(shape) < 0.3
    if dtype.kind == "f":
        finite = np.finfo(dtype).max
        special = np.array([0, 1, 255, -1, finite, -finite, np.nan, np.inf, -np.inf], dtype)
    else:
        limits = np.iinfo(dtype)
        special = np.array([0, 1, min(255, limits.max), limits.min, limits.max], dtype)
    if style == "extremes":
        return rng.choice(special, size=shape)
    noise = rng.random(shape) * (1.0 if dtype.kind == "f" and style == "noise" else 255)
    if style == "strokes" and len(shape) >= 2:
        noise = noise * (rng.random(shape[:2] + (1,) * (len(shape) - 2)) < 0.1)
    return noise.astype(dtype)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(arbitrary_arrays())
def test_any_array_gives_a_digit_or_a_sketch_error(image: np.ndarray) -> None:
    try:
        digit = preprocess_sketch(image)
    except SketchError as err:
        assert str(err).endswith(".") and "\n" not in str(err)  # one sentence for the visitor
        return
    assert digit.shape == (28, 28) and digit.dtype == np.float32
    assert np.isfinite(digit).all() and digit.min() >= 0.0 and digit.max() <= 1.0
    assert digit.max() > 0.0
