import base64
import io
import re

import numpy as np
import pytest
import torch
from PIL import Image

from playground.interpolate import GIF_FRAMES, GIF_SCALE, Interpolator
from playground.pictures import to_image
from playground.sketch import preprocess_sketch
from tests.conftest import draw_four
from vae.interpolate import lerp, path, slerp
from vae.model import VAE


@pytest.mark.parametrize("method", ["slerp", "lerp"])
def test_paths_start_and_end_at_the_endpoints(method: str) -> None:
    a, b = torch.randn(16, generator=torch.Generator().manual_seed(0)), torch.randn(16)
    points = path(a, b, 10, method)
    assert points.shape == (10, 16)
    assert torch.allclose(points[0], a, atol=1e-6) and torch.allclose(points[-1], b, atol=1e-6)


def test_slerp_keeps_the_norm_where_lerp_cuts_inside() -> None:
    a = torch.tensor([4.0, 0.0, 0.0])
    b = torch.tensor([0.0, 4.0, 0.0])
    t = torch.linspace(0, 1, 9)
    assert torch.allclose(slerp(a, b, t).norm(dim=1), torch.full((9,), 4.0), atol=1e-5)
    assert torch.allclose(lerp(a, b, t)[4], (a + b) / 2) and lerp(a, b, t)[4].norm() < 2.9


def test_slerp_of_parallel_codes_falls_back_to_the_line_and_bad_methods_are_named() -> None:
    a = torch.tensor([1.0, 2.0])
    assert torch.allclose(slerp(a, 3 * a, torch.tensor([0.5])), lerp(a, 3 * a, torch.tensor([0.5])))
    with pytest.raises(ValueError, match="method must be one of slerp, lerp, not 'cubic'"):
        path(a, a, 3, "cubic")


@pytest.fixture
def interpolator(small_vae: VAE) -> Interpolator:
    return Interpolator(small_vae)


def cells(strip: Image.Image, steps: int) -> list[np.ndarray]:
    """The digits of a strip (3x upscaled 28 px digits between 2 px lines), back at 28 px."""
    pixels = np.asarray(strip)[::3, ::3]
    return [pixels[2:30, 2 + 30 * i : 30 + 30 * i] for i in range(steps)]


@torch.inference_mode()
def decoded(interpolator: Interpolator, z: torch.Tensor, scale: int) -> np.ndarray:
    return np.asarray(to_image(torch.sigmoid(interpolator.vae.decode(z)), scale=scale))


def test_interpolation_runs_from_the_drawings_code_to_a_seeded_sample(interpolator: Interpolator) -> None:
    drawing = draw_four(400, 80, 60, 280, 30)
    strip, morph, message = interpolator.interpolate({"composite": drawing}, None, seed=5, steps=9)
    assert message == "From your start drawing to a random sample, 9 steps along the spherical path."
    with torch.inference_mode():
        start = interpolator.vae.encode(torch.from_numpy(preprocess_sketch(drawing, "mnist"))[None, None])[0]
    end = torch.randn(4, generator=torch.Generator().manual_seed(5))[None]
    first, *_, last = cells(strip, 9)
    assert np.array_equal(first, decoded(interpolator, start, 1))
    assert np.array_equal(last, decoded(interpolator, end, 1))

    uri = re.search(r'<img src="data:image/gif;base64,([^"]+)"', morph).group(1)
    assert 'download="morph.gif"' in morph
    gif = Image.open(io.BytesIO(base64.b64decode(uri)))
    assert gif.n_frames == 2 * GIF_FRAMES - 2 and gif.size == (28 * GIF_SCALE, 28 * GIF_SCALE)
    assert gif.info["loop"] == 0
    gif.seek(GIF_FRAMES - 1)  # the far end of the loop is the end's decode
    assert np.abs(np.asarray(gif.convert("L"), np.int16) - decoded(interpolator, end, GIF_SCALE)).max() <= 1


def test_two_empty_pads_interpolate_between_two_samples_and_lerp_differs(interpolator: Interpolator) -> None:
    spherical, _, message = interpolator.interpolate(None, None, seed=1, method="slerp", steps=10)
    straight, _, _ = interpolator.interpolate(None, None, seed=1, method="lerp", steps=10)
    assert message == "From a random sample to a random sample, 10 steps along the spherical path."
    assert [c.tobytes() for c in cells(spherical, 10)[::9]] == [c.tobytes() for c in cells(straight, 10)[::9]]
    assert spherical.tobytes() != straight.tobytes()  # same ends, different middles
    assert (
        interpolator.interpolate(None, None, seed=1, steps=99)[0].size
        == spherical.resize((3 * (16 * 30 + 2), 96)).size
    )


def test_an_unreadable_drawing_is_named(interpolator: Interpolator) -> None:
    dot = np.zeros((400, 400, 4), np.uint8)
    dot[200:202, 200:202, 3] = 255
    strip, morph, message = interpolator.interpolate(None, {"composite": dot})
    assert strip is None and morph == ""
    assert message == "The end drawing: That is only a dot: draw a whole digit."
