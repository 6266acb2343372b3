"""The guided tour (ui/static/tour.js): eight steps that walk the VAE's argument on the live page, each
setting real state through the page's links (a tab, a code, a setting, an example drawing), pointing at
one control and saying one idea; where it fits, a question comes first and the answer, with its state,
on Reveal. The tour runs on MNIST: its first code is a stored test image's."""

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import gradio as gr
import numpy as np

from playground.pictures import SLIDER_RANGE
from ui.draw import held_out_drawing
from ui.models import Models
from ui.page import STATIC
from vae.weights import load_codes, model_folder

SCRIPTS = [STATIC / "tour.js"]
STEPS_FILE = Path(__file__).resolve().parent / "tour.toml"
TOUR_DATASET = "mnist"
EXAMPLE = 0  # the held-out image the tour draws on the pad, and whose code it sets first: a 7


def with_code(state: dict, example: list[float]) -> dict:
    """A step's state with z = "example" as the example's code, and any zN = v moving dimension N of it."""
    if state.get("z") != "example":
        return state
    z = list(example)
    rest = {}
    for key, value in state.items():
        if re.fullmatch(r"z\d+", key):
            z[int(key[1:]) - 1] = value
        elif key != "z":
            rest[key] = value
    return {**rest, "z": z}


def steps(weights_dir: Path) -> list[dict]:
    """The tour as tour.js reads it (ui/tour.toml), with the example's code filled in: the code the
    stored test codes give held-out image EXAMPLE, clamped to the sliders' range."""
    codes = load_codes(model_folder(TOUR_DATASET, "vae", weights_dir))
    example = [round(float(v), 2) for v in np.clip(codes.codes[EXAMPLE], -SLIDER_RANGE, SLIDER_RANGE)]
    tour = tomllib.loads(STEPS_FILE.read_text())["step"]
    for step in tour:
        for key in ("state", "reveal"):
            if key in step:
                step[key] = with_code(step[key], example)
    return tour


def page_config(weights_dir: Path) -> dict:
    """What tour.js reads from window.vaePage: the steps."""
    return {"tour": steps(weights_dir)}


def example_drawing(dataset: str) -> dict:
    """The tour's example on the Draw tab's pad: held-out image EXAMPLE."""
    return held_out_drawing(dataset, EXAMPLE)


@dataclass(kw_only=True)
class Tour:
    """The hidden button a step presses to put the example drawing on the Draw tab's pad."""

    models: Models
    load_example: gr.Button

    def wire(self, dataset: gr.Radio, sketch: gr.Sketchpad) -> None:
        self.load_example.click(example_drawing, dataset, sketch, api_name=False, show_progress="hidden")


def build(models: Models) -> Tour:
    gr.set_static_paths(SCRIPTS)
    load_example = gr.Button("Load the example drawing", elem_id="load-example", elem_classes=["vae-hidden"])
    return Tour(models=models, load_example=load_example)
