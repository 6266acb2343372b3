"""The Train tab's figures: python -m benchmarks.train_tab [--visitors 8].

1. Seconds per epoch of the tab's default run (β = 1, 15 epochs, seed 0) on one and two torch threads,
   in process, and where its held-out loss ends beside the bundled 2-D VAE's on the same images.
2. The physics at one seed: β = 0, 1 and 8, held-out reconstruction and KL, and the tab's reading of
   the bundled sweep.
3. Served (`python app.py` on a loopback port, a real browser): from pressing Train to the first
   epoch's map on screen, and to the default run's end.
4. Load: --visitors clients press Train at once while one more lets go of a slider every 0.5 s;
   every run must end without an error, and the /decode answers' p50 / p99 are printed.
Prints one JSON object."""

import argparse
import json
import sys
import threading
import time
from pathlib import Path

import numpy as np
import torch

from benchmarks.common import CHROMIUM, CHROMIUM_ARGS
from playground.runs import DEFAULT_EPOCHS
from playground.train import figures, subset_of, train_live
from ui.launch import app_process
from vae.data import as_floats
from vae.model import VAE
from vae.weights import load_pretrained, model_folder

ROOT = Path(__file__).resolve().parent.parent


def default_run(threads: int) -> dict:
    """The tab's default run in this process on `threads` torch threads."""
    torch.set_num_threads(threads)
    run = train_live("mnist", 1.0, DEFAULT_EPOCHS, 0)
    next(run)  # the untrained model's figures (epoch 0), before the first step
    started = time.perf_counter()
    rows = list(run)
    total = time.perf_counter() - started
    return {
        "threads": threads,
        "seconds_per_epoch": round(total / len(rows), 3),
        "total_s": round(total, 2),
        "held_out": {key: rows[-1][key] for key in ("reconstruction", "kl", "loss")},
    }


def physics(betas: tuple[float, ...] = (0.0, 1.0, 8.0)) -> list[dict]:
    """The last epoch of a default-length run at each β, seed 0."""
    torch.set_num_threads(2)
    return [
        {
            "beta": beta,
            **{
                k: list(train_live("mnist", beta, DEFAULT_EPOCHS, 0))[-1][k] for k in ("reconstruction", "kl")
            },
        }
        for beta in betas
    ]


def in_the_browser(url: str, presses: int = 2) -> list[dict]:
    """Press Train with the defaults, `presses` times one after the other (the first in a freshly started
    app); seconds from each press to the first epoch's reading and map, and to the run's end."""
    from playwright.sync_api import expect, sync_playwright

    timings = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(url)
        expect(page.locator("#digit-caption")).to_contain_text("to the classifier", timeout=120_000)
        page.get_by_role("tab", name="Train").click()
        expect(page.locator("#sweep-figures")).to_contain_text("nats", timeout=60_000)
        for _ in range(presses):
            expect(page.locator("#train-map .generating")).to_have_count(0, timeout=120_000)
            first_map = (
                page.locator("#train-map img").get_attribute("src")
                if page.locator("#train-map img").count()
                else None
            )
            started = time.perf_counter()
            page.get_by_role("button", name="Train", exact=True).click()
            expect(page.locator("#train-reading")).to_contain_text("Epoch 1 of", timeout=60_000)
            expect(page.locator("#train-map img")).not_to_have_attribute("src", first_map or "")
            first = time.perf_counter() - started
            expect(page.locator("#train-reading")).to_contain_text(
                f"Epoch {DEFAULT_EPOCHS} of {DEFAULT_EPOCHS}", timeout=120_000
            )
            end = time.perf_counter() - started
            timings.append({"press_to_first_map_s": round(first, 2), "press_to_run_end_s": round(end, 2)})
        browser.close()
    return timings


def under_load(url: str, visitors: int) -> dict:
    """visitors runs pressed at once, and slider releases meanwhile."""
    from gradio_client import Client

    errors, ends, decodes = [], [], []
    started = time.perf_counter()

    def press(index: int) -> None:
        try:
            job = Client(url, verbose=False).submit("mnist", 1.0, DEFAULT_EPOCHS, index, api_name="/train")
            *_, figures_json = job.result(timeout=900)
            assert len(figures_json) == DEFAULT_EPOCHS + 1  # epoch 0, the untrained model, and each epoch
            ends.append(time.perf_counter() - started)
        except Exception as err:
            errors.append(repr(err)[:200])

    runs = [threading.Thread(target=press, args=(i,)) for i in range(visitors)]
    for run in runs:
        run.start()
    slider = Client(url, verbose=False)
    rng = np.random.default_rng(0)
    while any(run.is_alive() for run in runs):
        values = rng.normal(size=16).clip(-3, 3).round(2).tolist()
        sent = time.perf_counter()
        slider.predict("mnist", *values, api_name="/decode")
        decodes.append(time.perf_counter() - sent)
        time.sleep(0.5)
    for run in runs:
        run.join()
    ms = np.asarray(decodes) * 1000
    return {
        "visitors": visitors,
        "runs_completed": len(ends),
        "errors": errors,
        "last_run_end_s": round(max(ends), 1) if ends else None,
        "decode_during_runs_ms": {
            "count": len(ms),
            "p50": round(float(np.percentile(ms, 50)), 1),
            "p99": round(float(np.percentile(ms, 99)), 1),
        },
    }


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m benchmarks.train_tab", description=__doc__.split("\n")[0])
    p.add_argument("--visitors", type=int, default=8, help="runs pressed at once")
    p.add_argument("--served-only", action="store_true", help="only the browser and load figures")
    args = p.parse_args(argv)
    result = {}
    if not args.served_only:
        result = {"default_run": [default_run(1), default_run(2)], "physics": physics()}
        print(json.dumps(result), file=sys.stderr)  # the in-process figures, in case the served part fails
        held_out = as_floats(subset_of("mnist").test_images)
        bundled = load_pretrained(VAE, model_folder("mnist", "vae-2d"))
        result["bundled_conv_2d_vae_on_the_same_held_out_images"] = figures(bundled, held_out)
    with app_process() as url:
        result["browser"] = in_the_browser(url)
        result["load"] = under_load(url, args.visitors)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
