"""The app served for real: its named endpoints called through gradio_client."""

import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import gradio as gr
import httpx
import numpy as np
import pytest
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError
from PIL import Image

import app
from playground.bundle import ModelBundle
from playground.generate import Generator
from playground.interpolate import Interpolator
from playground.latent import LatentSpace
from playground.posterior import IS_SAMPLES
from playground.sketch import preprocess_sketch
from tests.conftest import draw_four, free_port, png, serve
from ui import generate, latent
from ui.models import Models
from vae.classifier import with_article
from vae.config import VAEConfig
from vae.weights import WEIGHTS_DIR, WeightsError


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    with serve() as url:
        yield Client(url, verbose=False)


def readme_endpoints() -> dict[str, list[str]]:
    """The README's API table: each endpoint's parameter names, `z1` … `z16` spelled out."""
    readme = (Path(app.__file__).parent / "README.md").read_text()
    table = {}
    for endpoint, cell in re.findall(r"^\| `(/\w+)` \| ([^|]*) \|", readme, re.MULTILINE):
        names = re.findall(r"`(\w+)`", cell)
        if (span := re.search(r"`z1` … `z(\d+)`", cell)) is not None:
            names = [names[0], *(f"z{i}" for i in range(1, int(span.group(1)) + 1))]
        table[endpoint] = names
    return table


def test_every_endpoints_parameters_have_the_names_the_readme_uses(client: Client) -> None:
    endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert {"/decode", "/random", "/reconstruct", "/interpolate", "/latent_map", "/compare_ae"} <= set(
        endpoints
    )
    served = {name: [p["parameter_name"] for p in info["parameters"]] for name, info in endpoints.items()}
    assert served == readme_endpoints()
    assert all(names[0] == "dataset" for names in served.values())
    outputs = {name: [r["label"] for r in info["returns"]] for name, info in endpoints.items()}
    unnamed = {
        name: [label for label in labels if label.startswith("value_")] for name, labels in outputs.items()
    }
    assert unnamed == {name: [] for name in endpoints}  # Gradio calls an output with no label value_<id>
    assert outputs["/train"] == ["codes_map", "manifold", "prior_decodes", "figures"]
    assert outputs["/decode"] == ["digit", "reading"]


@pytest.mark.parametrize("dataset", ["mnist", "fashion-mnist"])
def test_decode_returns_the_exact_png_of_the_chosen_datasets_model(client: Client, dataset: str) -> None:
    generator = Generator.from_folder(dataset=dataset)
    values = [0.3 * (i % 5) - 0.6 for i in range(generator.latent_dim)]
    image, reading = client.predict(dataset, *values, api_name="/decode")
    expected, caption = generator.decode(*values)
    assert np.array_equal(png(image), np.asarray(expected))
    assert reading == generator.read(*values)[1]
    assert reading["probabilities"][reading["class"]] == reading["probability"]
    assert caption.startswith(
        f"Looks like {with_article(reading['class'])} ({reading['probability']:.0%} sure)"
    )


@pytest.fixture(scope="module")
def models() -> Models:
    return Models().start_loading()


def test_switching_dataset_switches_every_model(models: Models) -> None:
    for name in ("mnist", "fashion-mnist"):
        handlers = models[name]
        generator, space, comparison = handlers.generate, handlers.latent, handlers.comparison
        assert generator.vae.config.dataset == generator.classifier.config.dataset == name
        assert space.vae.config.dataset == comparison.ae.model.config.dataset == name
        # the 16-D VAE, its samplers and the classifier are loaded once, for every tab
        assert handlers.draw.vae is handlers.interpolate.vae is comparison.vae.model is generator.vae
        assert handlers.interpolate.samplers is comparison.vae.samplers is generator.samplers
        assert space.classifier is generator.classifier is handlers.draw.classifier is comparison.classifier
    values = [1.0] * models["mnist"].generate.latent_dim
    digit, clothing = (
        models["mnist"].generate.decode(*values),
        models["fashion-mnist"].generate.decode(*values),
    )
    assert digit[0].tobytes() != clothing[0].tobytes()
    assert re.fullmatch(r"Looks like an? \d \(\d+% sure\) to the classifier\.", digit[1])
    assert not re.search(r"like an? \d", clothing[1])
    with gr.Blocks():
        tab = latent.build(models, gr.Radio(["mnist"]), 16)
    section, comparison = tab.map, tab.comparison
    mnist, fashion = section.views("mnist", "codes", None), section.views("fashion-mnist", "codes", None)
    assert "sneaker" not in mnist[section.legend] and "sneaker" in fashion[section.legend]
    assert mnist[section.latent_map].tobytes() != fashion[section.latent_map].tobytes()
    mnist, fashion = comparison.views("mnist", "prior", 1), comparison.views("fashion-mnist", "prior", 1)
    maps = models["mnist"].comparison.maps  # the comparison maps have axes of their own, and say so
    ae, vae = maps.ae_window.high, maps.vae_window.high
    reaches = f"the autoencoder's run from -{ae:.0f} to {ae:.0f}, the VAE's from -{vae:.0f} to {vae:.0f}"
    assert reaches in mnist[comparison.maps_caption]
    assert ae > 3 * vae
    reference = models["mnist"].bundle.held_out_sure_share
    assert models["mnist"].comparison.figures(reference) in mnist[comparison.figures]
    assert mnist[comparison.figures] != fashion[comparison.figures]
    shown = comparison.compare("fashion-mnist", "mixture", 2)
    grids = models["fashion-mnist"].comparison.random_grids("mixture", 2)
    expected = [g.tobytes() for g in grids[:2]]
    assert [shown[comparison.ae_grid].tobytes(), shown[comparison.vae_grid].tobytes()] == expected
    # A sampler set while views() drew the grids (the link's mixture, then the tour's N(0, I)) is drawn
    # after them; one that did not change leaves the page as it is.
    assert shown[comparison.drawn_sampler] == "mixture"
    assert comparison.catch_up("fashion-mnist", "mixture", 2, "mixture") == {
        comparison.drawn_sampler: "mixture"
    }
    caught_up = comparison.catch_up("fashion-mnist", "prior", 2, "mixture")
    assert caught_up[comparison.drawn_sampler] == "prior"
    assert caught_up[comparison.caption].startswith("These 64 codes from the prior N(0, I)")


def test_batched_decodes_follow_each_events_dataset(models: Models) -> None:
    with gr.Blocks():
        tab = generate.build(models, gr.Radio(["mnist"]), 16)
    vectors = [[0.5] * 16, [-1.0] * 16, [2.0] * 16]
    datasets = ["fashion-mnist", "mnist", "fashion-mnist"]
    images, captions = tab.decode_batch(datasets, *[list(column) for column in zip(*vectors, strict=True)])
    for dataset, values, image, caption in zip(datasets, vectors, images, captions, strict=True):
        expected_image, expected_caption = models[dataset].generate.decode(*values)
        assert image.tobytes() == expected_image.tobytes() and caption == expected_caption


def test_handlers_wait_for_the_models_to_load() -> None:
    models = Models().start_loading()
    image, caption = models["mnist"].generate.decode(*[0.0] * models.latent_size())
    assert image.size == (280, 280) and caption.startswith("Looks like")


def test_requests_that_start_the_loading_together_load_once_and_get_the_models(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """main() starts the loading once the page is served; a request that comes in meanwhile starts it
    too. Each submission is slowed, so that without a lock every thread would pass the check."""
    models, loads = Models(), []
    monkeypatch.setattr(models, "_load_training", lambda threads: loads.append(threads) or {"mnist": "runs"})
    monkeypatch.setattr(models, "_load", lambda training: {"mnist": training.result()["mnist"]})
    monkeypatch.setattr(models, "_prepare_tabs", lambda: None)
    submit = models._executor.submit
    monkeypatch.setattr(models._executor, "submit", lambda *task: time.sleep(0.02) or submit(*task))
    together = threading.Barrier(4)

    def request() -> None:
        together.wait()
        models.start_loading()

    requests = [threading.Thread(target=request) for _ in range(4)]
    for thread in requests:
        thread.start()
    for thread in requests:
        thread.join()
    assert models["mnist"] == "runs" and models.training("mnist") == "runs" and loads == [None]


def test_models_that_fail_to_load_are_reported_to_the_visitor(tmp_path: Path) -> None:
    shutil.copytree(WEIGHTS_DIR, tmp_path / "weights")
    broken = tmp_path / "weights" / "fashion-mnist-vae" / "model.safetensors"
    broken.write_bytes(b"not a safetensors file")
    models = Models(tmp_path / "weights")
    assert models.latent_size() == 16
    with pytest.raises(gr.Error, match=f"could not be loaded: {re.escape(str(broken))}: not a readable"):
        models["mnist"]


def test_a_bad_latent_size_is_named_before_the_page_is_built(tmp_path: Path) -> None:
    (tmp_path / "mnist-vae").mkdir()
    config = VAEConfig().__dict__ | {"latent_dim": "sixteen"}
    (tmp_path / "mnist-vae" / "config.json").write_text(json.dumps(config))
    with pytest.raises(WeightsError, match=r"mnist-vae/config.json: latent_dim='sixteen' is not a valid int"):
        app.build_demo(Models(tmp_path))


def test_random_returns_the_digit_then_its_code_and_reading(client: Client) -> None:
    digit, sample = client.predict("mnist", 1.0, 5, api_name="/random")
    generator = Generator.from_folder()
    assert len(sample["z"]) == generator.latent_dim
    assert all(-3 <= v <= 3 for v in sample["z"]) and any(v != 0 for v in sample["z"])
    assert np.array_equal(png(digit), np.asarray(generator.decode(*sample["z"])[0]))
    assert sample["reading"] == generator.read(*sample["z"])[1]
    assert client.predict("mnist", 1.0, 5, api_name="/random")[1] == sample


def test_sample_grid_is_a_downloadable_png_with_its_codes(client: Client) -> None:
    grid, samples = client.predict("mnist", 1.0, 5, api_name="/sample_grid")
    assert png(grid).shape == (484, 484)
    assert np.array_equal(png(grid), np.asarray(Generator.from_folder().sample_grid(1.0, 5)))
    assert len(samples["z"]) == len(samples["readings"]) == 64
    sure = [reading["sure"] for reading in samples["readings"]]
    assert samples["sure_share"] == sum(sure) / 64


def four_png(tmp_path: Path) -> str:
    path = tmp_path / "four.png"
    Image.fromarray(draw_four(400, 80, 60, 280, 30)).save(path)
    return str(path)


def test_interpolate_returns_the_pages_strip_and_each_steps_code(client: Client, tmp_path: Path) -> None:
    strip, path = client.predict(
        "mnist", handle_file(four_png(tmp_path)), None, 3, "lerp", 8, api_name="/interpolate"
    )
    generator = Generator.from_folder()
    interpolator = Interpolator(generator.vae, generator.samplers)
    expected = interpolator.interpolate(draw_four(400, 80, 60, 280, 30), None, 3, "lerp", 8)
    assert np.array_equal(png(strip), np.asarray(expected[0]))
    assert path["start"] == "your start drawing" and path["end"] == "a random sample"
    assert (path["method"], path["steps"], len(path["z"])) == ("lerp", 8, 8)
    middle = (np.array(path["z"][0]) + np.array(path["z"][-1])) / 2
    assert np.allclose((np.array(path["z"][3]) + np.array(path["z"][4])) / 2, middle, atol=1e-3)


def test_reconstruct_a_drawn_png(client: Client, tmp_path: Path) -> None:
    reconstruction, model_input, samples, figures = client.predict(
        "mnist", handle_file(four_png(tmp_path)), api_name="/reconstruct"
    )
    assert png(reconstruction).shape == png(model_input).shape == (280, 280)
    assert png(samples).shape == (112, 6 * 112)
    assert figures["reading"]["class"] == "4"
    assert figures["elbo"] == pytest.approx(-(figures["reconstruction"] + figures["kl"]), abs=1e-3)
    assert sum(figures["kl_per_dim"]) == pytest.approx(figures["kl"], abs=1e-2)
    assert len(figures["mu"]) == len(figures["sigma"]) == 16 and all(s > 0 for s in figures["sigma"])


def test_a_sketch_pads_value_is_read_as_its_composite(client: Client, tmp_path: Path) -> None:
    sketch = {"background": None, "layers": [], "composite": handle_file(four_png(tmp_path))}
    as_sketch = client.predict("mnist", sketch, api_name="/reconstruct")[3]
    assert as_sketch == client.predict("mnist", handle_file(four_png(tmp_path)), api_name="/reconstruct")[3]


def test_posterior_of_a_drawn_png_answers_its_figures_in_nats(client: Client, tmp_path: Path) -> None:
    close_up, figures = client.predict("mnist", handle_file(four_png(tmp_path)), api_name="/posterior")
    space = LatentSpace(ModelBundle.load("mnist"))
    expected = space.focus_on(preprocess_sketch(draw_four(400, 80, 60, 280, 30), "mnist"))
    assert figures == {"image": "the drawing sent", **expected.posterior.figures()}
    assert {"elbo", "log_px", "gap"} <= figures.keys() and figures["log_px"] >= figures["elbo"]
    assert figures["k"] == IS_SAMPLES
    assert np.array_equal(png(close_up), np.asarray(space.close_up(expected)))


def test_blank_canvas_gives_a_message_and_the_server_keeps_answering(client: Client, tmp_path: Path) -> None:
    path = tmp_path / "blank.png"
    Image.new("RGBA", (400, 400)).save(path)
    with pytest.raises(AppError) as raised:
        client.predict("mnist", handle_file(str(path)), api_name="/reconstruct")
    assert str(raised.value) == "drawing: No digit found: draw one with dark strokes on the pad."
    n = Generator.from_folder().latent_dim
    assert png(client.predict("mnist", *[0.0] * n, api_name="/decode")[0]).shape == (280, 280)


def test_every_endpoint_answers_pngs_and_json_data(client: Client, tmp_path: Path) -> None:
    """Each endpoint called with its defaults (and a drawing where it takes one): every answer is a PNG
    or JSON data with named fields, never text for a person."""
    endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    drawing = {
        "dataset": "fashion-mnist",
        "drawing": handle_file(four_png(tmp_path)),
        "start": handle_file(four_png(tmp_path)),
    }
    short = {"/train": {"epochs": 1}}
    for name, info in endpoints.items():
        arguments = {
            p["parameter_name"]: drawing[p["parameter_name"]]
            for p in info["parameters"]
            if p["parameter_name"] in drawing
        }
        answer = client.predict(**arguments, **short.get(name, {}), api_name=name)
        for label, value in zip([r["label"] for r in info["returns"]], answer, strict=True):
            if value is not None and isinstance(value, str):
                assert png(value).ndim in (2, 3), (name, label)
            else:
                assert isinstance(value, dict | list) and json.loads(json.dumps(value)) == value, (
                    name,
                    label,
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
from ui.launch import launch
from ui.models import Models
models = Models()
demo = app.build_demo(models)
launch(demo, app.page_head(models), port=int(sys.argv[1]), quiet=True)
print("torch imported before the models load:", "torch" in sys.modules)
models.start_loading()
models["mnist"]
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


ZERO_GPU_START = """
import spaces
from spaces.zero.decorator import decorated_cache
import app
from ui.models import Models
demo = app.build_demo(Models())
print(sorted({task.__name__ for task in decorated_cache.values()}))
"""


def test_on_zerogpu_the_training_function_is_registered_before_launch() -> None:
    """As ZeroGPU starts the app (SPACES_ZERO_GPU set): its launch() refuses an app with no @spaces.GPU."""
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "SPACES_ZERO_GPU": "true", "SPACES_ZERO_DEVICE_API_URL": "http://127.0.0.1:9"}
    done = subprocess.run(
        [sys.executable, "-c", ZERO_GPU_START], cwd=root, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "['train_on_gpu']"


def test_the_page_and_its_config_go_out_compressed(client: Client) -> None:
    """Gradio compresses files by their extension only; the page inlines the app's whole config."""
    for path in ("", "config"):
        plain = httpx.get(client.src + path, headers={"Accept-Encoding": "identity"})
        packed = httpx.get(client.src + path, headers={"Accept-Encoding": "gzip"})
        assert plain.status_code == packed.status_code == 200
        assert "content-encoding" not in plain.headers and packed.headers["content-encoding"] == "gzip"
        assert packed.content == plain.content  # httpx decodes it: the same page
        assert int(packed.headers["content-length"]) < len(plain.content) / 5, path
    assert "Random sample" in plain.text


def test_every_event_that_follows_the_pages_state_draws_its_latest_value() -> None:
    """A change, a selection or a typed value that comes while the last one's event runs is drawn after
    it: Gradio's default for gr.on with a click, and for .input, .select, .submit and .load, drops it,
    and the page then shows a picture for a setting it no longer has (the tour's N(0, I) sampler under
    the link's mixture caption)."""
    demo = app.build_demo(Models())
    following = {"change", "input", "select", "submit", "load"}
    events = [fn for fn in demo.fns.values() if fn.fn is not None and following & {t[1] for t in fn.targets}]
    assert len(events) >= 8
    dropping = [(fn.name, [t[1] for t in fn.targets]) for fn in events if fn.trigger_mode != "always_last"]
    assert dropping == []
