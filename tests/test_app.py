"""The app served for real: its named endpoints called through gradio_client."""

import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import gradio as gr
import numpy as np
import pytest
from gradio_client import Client, handle_file
from PIL import Image

import app
from tests.test_sketch import draw_four
from vae.demo import Playground
from vae.explore import LatentSpace


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serve(ssr_mode: bool = False, demo: gr.Blocks | None = None) -> Iterator[str]:
    """The app (or demo, a build of it) on a free loopback port with main()'s settings; yields its URL."""
    if demo is None:
        demo = app.build_demo(Playground.from_folder(), LatentSpace.from_folder())
    demo.queue(**app.QUEUE_SETTINGS)
    demo.launch(
        server_name="127.0.0.1",
        server_port=free_port(),
        prevent_thread_lock=True,
        quiet=True,
        ssr_mode=ssr_mode,
        **app.LAUNCH_SETTINGS,
    )
    try:
        yield demo.local_url
    finally:
        demo.close()


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    with serve() as url:
        yield Client(url, verbose=False)


def png(path: str) -> np.ndarray:
    assert Path(path).suffix == ".png"
    return np.asarray(Image.open(path))


def test_api_names_the_main_actions(client: Client) -> None:
    endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert {"/decode", "/random", "/reconstruct"} <= set(endpoints)


def test_decode_returns_the_exact_png(client: Client) -> None:
    playground = Playground.from_folder()
    values = [0.3 * (i % 5) - 0.6 for i in range(playground.latent_dim)]
    pixels = png(client.predict(*values, api_name="/decode"))
    assert np.array_equal(pixels, np.asarray(playground.decode(*values)))


def test_random_returns_slider_values_then_the_digit(client: Client) -> None:
    *values, image = client.predict(1.0, 5, api_name="/random")
    assert len(values) == Playground.from_folder().latent_dim
    assert all(-3 <= v <= 3 for v in values) and any(v != 0 for v in values)
    assert png(image).shape == (280, 280)
    assert client.predict(1.0, 5, api_name="/random")[:-1] == tuple(values)


def test_reconstruct_a_drawn_png(client: Client, tmp_path: Path) -> None:
    path = tmp_path / "four.png"
    Image.fromarray(draw_four(400, 80, 60, 280, 30)).save(path)
    sketch = {"background": None, "layers": [], "composite": handle_file(str(path))}
    reconstruction, model_input, samples, latents, message = client.predict(sketch, api_name="/reconstruct")
    assert png(reconstruction).shape == (280, 280)
    assert png(model_input).shape == (280, 280)
    assert png(samples).shape == (112, 6 * 112)
    assert "zrow" in latents and "nats" in message


def test_blank_canvas_gives_a_message_and_the_server_keeps_answering(client: Client, tmp_path: Path) -> None:
    path = tmp_path / "blank.png"
    Image.new("RGBA", (400, 400)).save(path)
    sketch = {"background": None, "layers": [], "composite": handle_file(str(path))}
    reconstruction, model_input, samples, _latents, message = client.predict(sketch, api_name="/reconstruct")
    assert reconstruction is None and model_input is None and samples is None
    assert message == "No digit found: draw one with dark strokes on the pad."
    assert png(client.predict(*[0.0] * Playground.from_folder().latent_dim, api_name="/decode")).shape == (
        280,
        280,
    )


OFFLINE_START = """
import socket, sys
real_connect, attempts = socket.socket.connect, []
def loopback_only(sock, address):
    if isinstance(address, tuple) and address[0] not in ("127.0.0.1", "::1", "localhost"):
        attempts.append(address[0])
        raise OSError("network disabled by the test")
    return real_connect(sock, address)
socket.socket.connect = loopback_only
import app
from vae.demo import Playground
from vae.explore import LatentSpace
demo = app.build_demo(Playground.from_folder(), LatentSpace.from_folder())
demo.launch(server_name="127.0.0.1", server_port=int(sys.argv[1]), prevent_thread_lock=True, quiet=True)
demo.close()
print("outside connections:", attempts)
"""


def test_imports_builds_and_launches_without_the_network() -> None:
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, "-c", OFFLINE_START, str(free_port())],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "outside connections: []" in done.stdout
