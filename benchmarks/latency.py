"""How long each action takes, in-process and through gradio_client: python -m benchmarks.latency.

The round trips are measured beside an echo endpoint added to the same app: it takes the same
slider values and returns a fixed digit image through the same PNG path, so the ratio to it is
what the model itself adds to a request. Prints one JSON line.
"""

import argparse
import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch
from gradio.data_classes import FileData
from gradio_client import Client, handle_file
from PIL import Image

import app
from benchmarks.redraw import redraw_as_sketch, to_pixels
from playground.draw import Drawing
from playground.generate import Generator
from ui import api
from ui.launch import serving
from ui.models import Models


def percentiles(seconds: list[float]) -> dict[str, float]:
    ms = 1000 * np.asarray(seconds)
    return {
        "p50_ms": round(float(np.percentile(ms, 50)), 3),
        "p99_ms": round(float(np.percentile(ms, 99)), 3),
    }


def timed(call: Callable[[Any], object], inputs: list) -> list[float]:
    """Wall time of call(item) for each item, in seconds."""
    times = []
    for item in inputs:
        start = time.perf_counter()
        call(item)
        times.append(time.perf_counter() - start)
    return times


def sketches(count: int, generate: Generator, rng: np.random.Generator) -> list[np.ndarray]:
    """Drawings of decoded random digits, as the sketch pad would send them."""
    return [redraw_as_sketch(to_pixels(generate.random(1.0, seed).image), rng) for seed in range(count)]


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m benchmarks.latency", description=__doc__.split("\n")[0])
    p.add_argument("--repeats", type=int, default=300, help="calls per measurement")
    args = p.parse_args(argv)
    torch.set_num_threads(1)  # as app.main() does
    rng = np.random.default_rng(0)
    generate = Generator.from_folder()
    draw = Drawing(generate.vae, generate.classifier)
    n = generate.latent_dim
    values = [[round(float(v), 2) for v in rng.normal(size=n).clip(-3, 3)] for _ in range(args.repeats)]
    drawings = sketches(20, generate, rng)
    result: dict[str, object] = {"latent_dim": n, "repeats": args.repeats}

    cycled = [drawings[i % len(drawings)] for i in range(args.repeats)]
    result["in_process_decode"] = percentiles(timed(lambda v: generate.decode(*v), values))
    result["in_process_reconstruct"] = percentiles(timed(draw.reconstruct, cycled))

    models = Models().start_loading()
    demo = app.build_demo(models)
    digit, reading = generate.read(*[0.0] * n)
    fixed_answer = api.png(digit, "digit"), reading

    def echo(dataset: str, *z: float) -> tuple:
        """The same inputs and outputs as /decode, answered without the model.

        Args:
            z…
        """
        return fixed_answer

    with demo:
        api.endpoint(api.with_codes(echo, n), {"digit": FileData, "reading": dict})
    with serving(demo, app.page_head(models)) as url:
        client = Client(url, verbose=False)
        echo, decode, reconstruct = [], [], []
        with tempfile.TemporaryDirectory() as folder:
            paths = [Path(folder) / f"sketch-{i}.png" for i in range(len(drawings))]
            for path, drawing in zip(paths, drawings, strict=True):
                Image.fromarray(drawing).save(path)
            for i, v in enumerate(values):  # interleaved, so load drifts hit all three alike
                echo += timed(lambda v: client.predict("mnist", *v, api_name="/echo"), [v])
                decode += timed(lambda v: client.predict("mnist", *v, api_name="/decode"), [v])
                sketch = {
                    "background": None,
                    "layers": [],
                    "composite": handle_file(str(paths[i % len(paths)])),
                }
                reconstruct += timed(lambda s: client.predict("mnist", s, api_name="/reconstruct"), [sketch])
    result["round_trip_echo"] = percentiles(echo)
    result["round_trip_decode"] = percentiles(decode)
    result["round_trip_reconstruct"] = percentiles(reconstruct)
    for name in ("decode", "reconstruct"):
        ours, base = result[f"round_trip_{name}"], result["round_trip_echo"]
        result[f"{name}_to_echo"] = {k: round(ours[k] / base[k], 3) for k in ("p50_ms", "p99_ms")}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
