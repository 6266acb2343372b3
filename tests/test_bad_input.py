"""Bad input through the served app: each gets a clear message or a sane result, and the server goes on."""

import io
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import pytest
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError
from PIL import Image

from playground.generate import Generator
from tests.conftest import draw_four, png, serve

LATENT_DIM = Generator.from_folder().latent_dim
NO_DIGIT = "No digit found: draw one with dark strokes on the pad."
NOT_AN_IMAGE = "That file is not an image this app can read: send a PNG or JPEG."


def encoded(image: Image.Image, fmt: str = "PNG", **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def four(mode: str) -> Image.Image:
    return Image.fromarray(draw_four(400, 80, 60, 280, 30, mode=mode))


# (case, file name, file bytes, expected): expected is "digit" for a reconstruction, or the one line
# /reconstruct answers, naming the drawing.
RECONSTRUCT_CASES = [
    ("blank canvas", "blank.png", lambda: encoded(Image.new("RGBA", (400, 400))), NO_DIGIT),
    (
        "fully inked canvas",
        "inked.png",
        lambda: encoded(Image.new("RGBA", (400, 400), (0, 0, 0, 255))),
        NO_DIGIT,
    ),
    (
        "transparent PNG",
        "clear.png",
        lambda: encoded(Image.new("RGBA", (400, 400), (255, 255, 255, 0))),
        NO_DIGIT,
    ),
    ("RGB PNG without alpha", "four.png", lambda: encoded(four("RGB")), "digit"),
    ("1x1 image", "dot.png", lambda: encoded(Image.new("L", (1, 1), 0)), NO_DIGIT),
    (
        "6000x6000 image",
        "huge.png",
        lambda: encoded(Image.new("1", (6000, 6000), 1)),
        "The image is too large (6000x6000 pixels): send at most 4096x4096.",
    ),
    (
        "random noise",
        "noise.png",
        lambda: encoded(Image.fromarray(np.random.default_rng(0).integers(0, 256, (400, 400, 4), np.uint8))),
        "digit",
    ),
    ("JPEG", "four.jpg", lambda: encoded(four("RGB"), "JPEG", quality=75), "digit"),
    ("text file", "notes.txt", lambda: b"not an image\n" * 100, NOT_AN_IMAGE),
    ("text named .png", "fake.png", lambda: b"\x89PNG\r\n\x1a\n garbage", NOT_AN_IMAGE),
]


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    with serve() as address:
        yield address


@pytest.fixture(scope="module")
def client(url: str) -> Client:
    return Client(url, verbose=False)


def assert_still_answers(client: Client) -> None:
    assert png(client.predict("mnist", *[0.5] * LATENT_DIM, api_name="/decode")[0]).shape == (280, 280)


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [case[1:] for case in RECONSTRUCT_CASES],
    ids=[case[0] for case in RECONSTRUCT_CASES],
)
def test_reconstruct_answers_bad_images_clearly(
    client: Client, tmp_path: Path, name: str, content, expected: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content())
    sketch = {"background": None, "layers": [], "composite": handle_file(str(path))}
    if expected == "digit":
        reconstruction, model_input, _samples, figures = client.predict(
            "mnist", sketch, api_name="/reconstruct"
        )
        assert png(reconstruction).shape == png(model_input).shape == (280, 280)
        assert len(figures["mu"]) == len(figures["sigma"]) == LATENT_DIM and figures["elbo"] < 0
    else:
        with pytest.raises(AppError) as raised:
            client.predict("mnist", sketch, api_name="/reconstruct")
        assert str(raised.value) == f"drawing: {expected}"
    assert_still_answers(client)


def test_uploads_over_the_size_cap_are_refused(client: Client, tmp_path: Path) -> None:
    path = tmp_path / "big.png"
    path.write_bytes(encoded(Image.new("L", (8, 8))) + bytes(11 * 2**20))
    sketch = {"background": None, "layers": [], "composite": handle_file(str(path))}
    with pytest.raises(Exception, match=r"(?i)exceeds the maximum"):
        client.predict("mnist", sketch, api_name="/reconstruct")
    assert_still_answers(client)


def call_raw(url: str, api_name: str, body: str) -> tuple[str, object]:
    """POST a hand-written JSON body (it may hold NaN, which Python's parser accepts); the last event."""
    posted = httpx.post(
        f"{url}gradio_api/call/{api_name}", content=body, headers={"content-type": "application/json"}
    )
    posted.raise_for_status()
    stream = httpx.get(f"{url}gradio_api/call/{api_name}/{posted.json()['event_id']}", timeout=60)
    event = data = None
    for line in stream.text.splitlines():
        if line.startswith("event: "):
            event = line.removeprefix("event: ")
        elif line.startswith("data: "):
            data = json.loads(line.removeprefix("data: "))
    return event, data


def decoded_values(values: list[float]) -> np.ndarray:
    return np.asarray(Generator.from_folder().decode(*values)[0])


# (case, JSON list of slider values, expected): an array for the digit it must decode to, or text
# the error message must hold. Every call names MNIST first, as the dataset selector does. NaN and
# the infinities are refused, never read as some other number.
ZEROS = [0.0] * LATENT_DIM
DECODE_CASES = [
    ("NaN", ["NaN"] * LATENT_DIM, "z1 must be a number from -3 to 3, not nan."),
    (
        "NaN in one slider",
        ["1.5"] * (LATENT_DIM - 1) + ["NaN"],
        f"z{LATENT_DIM} must be a number from -3 to 3, not nan.",
    ),
    ("infinity", ["Infinity"] * LATENT_DIM, "z1 must be a number from -3 to 3, not inf."),
    ("minus infinity", ["-Infinity"] * LATENT_DIM, "z1 must be a number from -3 to 3, not -inf."),
    ("1e6", ["1e6"] * LATENT_DIM, "z1 must be a number from -3 to 3, not 1000000.0."),
    ("-1e6", ["-1e6"] * LATENT_DIM, "z1 must be a number from -3 to 3, not -1000000.0."),
    ("a string", ['"seven"'] * LATENT_DIM, "z1 must be a number from -3 to 3, not 'seven'."),
    ("in range", ["1.5"] * LATENT_DIM, decoded_values([1.5] * LATENT_DIM)),
    (
        "too few values",
        ["0"] * 3,
        f"didn't receive enough input values (needed: {LATENT_DIM + 1}, got: 4).",
    ),
    ("too many values", ["0"] * (LATENT_DIM + 4), decoded_values(ZEROS)),
]


def test_an_unknown_dataset_is_refused_by_name(url: str, client: Client) -> None:
    event, data = call_raw(url, "decode", '{"data": ["kmnist", ' + ",".join(["0"] * LATENT_DIM) + "]}")
    assert event == "error"
    assert "kmnist" in data["error"]
    assert_still_answers(client)


@pytest.mark.parametrize(
    ("values", "expected"), [case[1:] for case in DECODE_CASES], ids=[case[0] for case in DECODE_CASES]
)
def test_decode_answers_bad_values_clearly(
    url: str, client: Client, values: list[str], expected: np.ndarray | str
) -> None:
    event, data = call_raw(url, "decode", '{"data": ["mnist", ' + ",".join(values) + "]}")
    if isinstance(expected, str):
        assert event == "error"
        assert expected in data["error"]
    else:
        assert event == "complete"
        image = httpx.get(data[0]["url"]).content
        assert np.array_equal(np.asarray(Image.open(io.BytesIO(image))), expected)
    assert_still_answers(client)


DRAWING = (
    "must be an image (PNG or JPEG) of dark strokes on a light or transparent background: an http(s) URL, "
    "a data: URL (data:image/png;base64,...), an uploaded file or a sketch pad's value"
)
SEED = "must be -1 (a new draw each time) or a whole number from 0 to 2147483647"
# (endpoint, its arguments with one bad, the one line it answers): every named endpoint, the bad
# values a client was seen to send (a huge seed, a missing dataset, a string for a number, text for
# a drawing, a fraction for a whole number), each answered by the parameter's name and what it takes.
ENDPOINT_CASES = [
    ("/random", ["mnist", 1.0, 1e300, "mixture"], f"seed {SEED}, not 1e+300."),
    ("/random", ["mnist", 1.0, -1e30, "mixture"], f"seed {SEED}, not -1e+30."),
    ("/random", ["mnist", 1.0, 2.5, "mixture"], f"seed {SEED}, not 2.5."),
    ("/random", ["mnist", "hot", 3, "mixture"], "temperature must be a number from 0 to 2, not 'hot'."),
    (
        "/random",
        ["mnist", 1.0, 3, "uniform"],
        'sampler must be one of "mixture", "gaussian", "prior", not \'uniform\'.',
    ),
    ("/decode", [None, *ZEROS], 'dataset must be one of "mnist", "fashion-mnist", not None.'),
    ("/sample_grid", ["mnist", 2.5, 3, "mixture"], "temperature must be a number from 0 to 2, not 2.5."),
    (
        "/decode",
        ["fashion-mnist", *ZEROS[:-1], None],
        f"z{LATENT_DIM} must be a number from -3 to 3, not None.",
    ),
    ("/reconstruct", ["mnist", "hello"], f"drawing {DRAWING}; not 'hello'."),
    ("/reconstruct", [None, None], 'dataset must be one of "mnist", "fashion-mnist", not None.'),
    ("/posterior", ["mnist", 5], f"drawing {DRAWING}; not 5."),
    ("/interpolate", ["mnist", None, "x", -1, "slerp", 10], f"end {DRAWING}; not 'x'."),
    (
        "/interpolate",
        ["mnist", None, None, -1, "slerp", 9.5],
        "steps must be a whole number from 2 to 16, not 9.5.",
    ),
    (
        "/interpolate",
        ["mnist", None, None, -1, "curved", 10],
        'method must be one of "slerp", "lerp", not \'curved\'.',
    ),
    ("/latent_map", ["mnist", 9.0, 0.0, "codes"], "z1 must be a number from -4 to 4, not 9.0."),
    ("/latent_map", ["mnist", 0.0, 0.0, "map"], 'view must be one of "codes", "holes", not \'map\'.'),
    ("/compare_ae", ["mnist", "prior", "x"], f"seed {SEED}, not 'x'."),
    ("/train", ["mnist", 1.0, 12, -3], "seed must be a whole number from 0 to 2147483647, not -3."),
    ("/train", ["mnist", "x", 12, 3], "beta must be a number from 0 to 10, not 'x'."),
    ("/train", ["mnist", 1.0, 12.5, 3], "epochs must be a whole number from 1 to 30, not 12.5."),
]


@pytest.mark.parametrize(
    ("api_name", "arguments", "message"),
    ENDPOINT_CASES,
    ids=[f"{case[0]}-{case[2][:24]}" for case in ENDPOINT_CASES],
)
def test_every_endpoint_answers_a_bad_value_in_one_line_naming_it(
    client: Client, api_name: str, arguments: list, message: str
) -> None:
    with pytest.raises(AppError) as error:
        client.predict(*arguments, api_name=api_name)
    assert str(error.value) == message
    assert_still_answers(client)


def test_raw_nan_and_infinity_are_refused_by_every_number_parameter(url: str) -> None:
    """JSON itself has no NaN; Python's parser (and Gradio's) reads the literal, so a client can send it."""
    for api_name, body, message in [
        ("latent_map", '["mnist", NaN, 0, "codes"]', "z1 must be a number from -4 to 4, not nan."),
        ("random", '["mnist", NaN, 1, "mixture"]', "temperature must be a number from 0 to 2, not nan."),
        ("random", '["mnist", 1, Infinity, "mixture"]', f"seed {SEED}, not inf."),
        ("train", '["mnist", NaN, 2, 0]', "beta must be a number from 0 to 10, not nan."),
    ]:
        event, data = call_raw(url, api_name, '{"data": ' + body + "}")
        assert (event, data["error"]) == ("error", message)
