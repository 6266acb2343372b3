"""The app served for real: its named endpoints called through gradio_client."""

import re
import shutil
import socket
import subprocess
import sys
import threading
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
from vae.weights import WEIGHTS_DIR, WeightsError


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serve(ssr_mode: bool = False, demo: gr.Blocks | None = None) -> Iterator[str]:
    """The app (or demo, a build of it) on a free loopback port with main()'s settings; yields its URL."""
    if demo is None:
        demo = app.build_demo(app.Models().load())
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
        if demo.node_process is not None:  # Gradio stops its SSR Node server on SIGTERM, not on close()
            demo.node_process.terminate()
            demo.node_process.wait(timeout=10)


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    with serve() as url:
        yield Client(url, verbose=False)


def png(path: str) -> np.ndarray:
    assert Path(path).suffix == ".png"
    return np.asarray(Image.open(path))


def test_api_names_the_main_actions_and_the_readme_lists_them(client: Client) -> None:
    endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert {"/decode", "/random", "/reconstruct", "/interpolate", "/latent_map", "/compare_ae"} <= set(
        endpoints
    )
    readme = (Path(app.__file__).parent / "README.md").read_text()
    assert sorted(re.findall(r"^\| `(/\w+)` \|", readme, re.MULTILINE)) == sorted(endpoints)


@pytest.mark.parametrize("dataset", ["mnist", "fashion-mnist"])
def test_decode_returns_the_exact_png_of_the_chosen_datasets_model(client: Client, dataset: str) -> None:
    playground = Playground.from_folder(dataset=dataset)
    values = [0.3 * (i % 5) - 0.6 for i in range(playground.latent_dim)]
    image, caption = client.predict(dataset, *values, api_name="/decode")
    expected, expected_caption = playground.decode(*values)
    assert np.array_equal(png(image), np.asarray(expected)) and caption == expected_caption


@pytest.fixture(scope="module")
def models() -> app.Models:
    return app.Models().load()


def test_switching_dataset_switches_every_model(models: app.Models) -> None:
    for name in ("mnist", "fashion-mnist"):
        assert models.playgrounds[name].vae.config.dataset == name
        assert models.playgrounds[name].classifier.config.dataset == name
        assert models.latents[name].vae.config.dataset == models.latents[name].ae.config.dataset == name
        # the 16-D VAE and the classifier are loaded once, for both tabs
        assert models.latents[name].rivals[1].vae is models.playgrounds[name].vae
        assert models.latents[name].classifier is models.playgrounds[name].classifier
    values = [1.0] * models.playgrounds["mnist"].latent_dim
    digit, clothing = (
        models.playgrounds["mnist"].decode(*values),
        models.playgrounds["fashion-mnist"].decode(*values),
    )
    assert digit[0].tobytes() != clothing[0].tobytes()
    assert re.fullmatch(r"Looks like an? \d \(\d+%\) to the classifier\.", digit[1])
    assert not re.search(r"like an? \d", clothing[1])
    mnist_map, mnist_legend, *_ = models.latent_views("mnist", None)
    assert "sneaker" not in mnist_legend
    fashion_map, fashion_legend, *_ = models.latent_views("fashion-mnist", None)
    assert mnist_map.tobytes() != fashion_map.tobytes() and "sneaker" in fashion_legend


def test_batched_decodes_follow_each_events_dataset(models: app.Models) -> None:
    n = models.playgrounds["mnist"].latent_dim
    vectors = [[0.5] * n, [-1.0] * n, [2.0] * n]
    datasets = ["fashion-mnist", "mnist", "fashion-mnist"]
    images, captions = models.decode_batch(datasets, *[list(column) for column in zip(*vectors, strict=True)])
    for dataset, values, image, caption in zip(datasets, vectors, images, captions, strict=True):
        expected_image, expected_caption = models.playgrounds[dataset].decode(*values)
        assert image.tobytes() == expected_image.tobytes() and caption == expected_caption


def test_handlers_wait_for_the_models_to_load() -> None:
    models = app.Models()
    threading.Timer(0.3, models.load).start()
    images, captions = models.decode_batch(["mnist"], *[[0.0]] * models.latent_size())
    assert images[0].size == (280, 280) and captions[0].startswith("Looks like")


def test_models_that_fail_to_load_are_reported_to_the_visitor(tmp_path: Path) -> None:
    shutil.copytree(WEIGHTS_DIR, tmp_path / "weights")
    broken = tmp_path / "weights" / "fashion-mnist-vae" / "model.safetensors"
    broken.write_bytes(b"not a safetensors file")
    models = app.Models(tmp_path / "weights")
    assert models.latent_size() == 16
    with pytest.raises(WeightsError):
        models.load()
    with pytest.raises(gr.Error, match=f"could not be loaded: {re.escape(str(broken))}: not a readable"):
        models.reconstruct("mnist", None)


def test_a_bad_latent_size_is_named_before_the_page_is_built(tmp_path: Path) -> None:
    (tmp_path / "mnist-vae").mkdir()
    (tmp_path / "mnist-vae" / "config.json").write_text('{"latent_dim": "sixteen"}')
    with pytest.raises(WeightsError, match=r"mnist-vae/config.json: latent_dim='sixteen' is not a valid int"):
        app.build_demo(app.Models(tmp_path))


def test_random_returns_slider_values_then_the_digit(client: Client) -> None:
    *values, image, caption = client.predict("mnist", 1.0, 5, api_name="/random")
    assert len(values) == Playground.from_folder().latent_dim
    assert all(-3 <= v <= 3 for v in values) and any(v != 0 for v in values)
    assert png(image).shape == (280, 280) and caption.startswith("Looks like")
    assert client.predict("mnist", 1.0, 5, api_name="/random")[:-2] == tuple(values)


def test_sample_grid_is_a_downloadable_png(client: Client) -> None:
    grid = png(client.predict("mnist", 1.0, 5, api_name="/sample_grid"))
    assert grid.shape == (484, 484)
    assert np.array_equal(grid, np.asarray(Playground.from_folder().sample_grid(1.0, 5)))


def test_interpolate_returns_the_strip_the_gif_and_what_it_did(client: Client, tmp_path: Path) -> None:
    path = tmp_path / "four.png"
    Image.fromarray(draw_four(400, 80, 60, 280, 30)).save(path)
    sketch = {"background": None, "layers": [], "composite": handle_file(str(path))}
    strip, morph, message = client.predict("mnist", sketch, None, 3, "lerp", 8, api_name="/interpolate")
    expected = Playground.from_folder().interpolate(draw_four(400, 80, 60, 280, 30), None, 3, "lerp", 8)
    assert np.array_equal(png(strip), np.asarray(expected[0])) and morph == expected[1]
    assert message == "From your start drawing to a random sample, 8 steps along the straight line path."


def test_reconstruct_a_drawn_png(client: Client, tmp_path: Path) -> None:
    path = tmp_path / "four.png"
    Image.fromarray(draw_four(400, 80, 60, 280, 30)).save(path)
    sketch = {"background": None, "layers": [], "composite": handle_file(str(path))}
    reconstruction, caption, model_input, samples, latents, message = client.predict(
        "mnist", sketch, api_name="/reconstruct"
    )
    assert png(reconstruction).shape == (280, 280)
    assert png(model_input).shape == (280, 280)
    assert png(samples).shape == (112, 6 * 112)
    assert "zrow" in latents and "nats" in message
    assert re.fullmatch(r"Looks like a 4 \(\d+%\) to the classifier\.", caption)


def test_blank_canvas_gives_a_message_and_the_server_keeps_answering(client: Client, tmp_path: Path) -> None:
    path = tmp_path / "blank.png"
    Image.new("RGBA", (400, 400)).save(path)
    sketch = {"background": None, "layers": [], "composite": handle_file(str(path))}
    reconstruction, _caption, model_input, samples, _latents, message = client.predict(
        "mnist", sketch, api_name="/reconstruct"
    )
    assert reconstruction is None and model_input is None and samples is None
    assert message == "No digit found: draw one with dark strokes on the pad."
    n = Playground.from_folder().latent_dim
    assert png(client.predict("mnist", *[0.0] * n, api_name="/decode")[0]).shape == (280, 280)


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
models = app.Models()
demo = app.build_demo(models)
demo.launch(server_name="127.0.0.1", server_port=int(sys.argv[1]), prevent_thread_lock=True, quiet=True)
print("torch imported before the models load:", "torch" in sys.modules)
models.load()
demo.close()
print("outside connections:", attempts)
"""


def test_serves_before_torch_loads_and_never_uses_the_network() -> None:
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, "-c", OFFLINE_START, str(free_port())],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "torch imported before the models load: False" in done.stdout
    assert "outside connections: []" in done.stdout
