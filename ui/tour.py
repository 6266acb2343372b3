"""The guided tour (ui/static/tour.js): eight steps that walk the VAE's argument on the live page, each
setting real state through the page's links (a tab, a code, a setting, an example drawing), pointing at
one control and saying one idea; where it fits, a question comes first and the answer, with its state,
on Reveal. The tour runs on MNIST: its first code is a stored test image's."""

from dataclasses import dataclass
from pathlib import Path

import gradio as gr
import numpy as np
from PIL import Image

from ui.generate import STATIC
from ui.models import Models
from vae.subsets import load_subset
from vae.weights import load_codes, model_folder

SCRIPTS = [STATIC / "tour.js"]
TOUR_DATASET = "mnist"
EXAMPLE = 0  # the held-out image the tour draws on the pad, and whose code it sets first: a 7


def steps(weights_dir: Path) -> list[dict]:
    """The tour, as tour.js reads it: per step its title, tab, the state to set (link keys), a button to
    press, the element to point at, its words, and an optional question with its answer and reveal."""
    codes = load_codes(model_folder(TOUR_DATASET, "vae", weights_dir))
    seven = [round(float(v), 2) for v in np.clip(codes.codes[EXAMPLE], -3, 3)]
    moved = [2.5, *seven[1:]]
    return [
        {
            "title": "A code is a handful of numbers",
            "tab": "generate",
            "state": {"dataset": TOUR_DATASET, "z": seven, "sampler": "mixture"},
            "target": "#digit-panel",
            "text": "This 7 is the decoder's drawing of 16 numbers, its latent code z: one per slider. "
            "They are the code the encoder gave a 7 from the test set. (The tour uses the MNIST digits.)",
            "question": "Predict: as z1 moves from 0 to 2.5, will the image jump to another digit at once, "
            "or change a little at a time?",
            "reveal": {"z": moved},
            "answer": "A little at a time: nearby codes decode to similar images. z1 is now 2.5; drag "
            "it back and forth to watch the path.",
        },
        {
            "title": "A plain autoencoder leaves holes",
            "tab": "latent",
            "state": {"compare": "prior"},
            "target": "#ae-grid",
            "text": "Below, the same network trained two ways: as a plain autoencoder (left) and as a VAE "
            "(right), each decoding 64 random codes drawn from N(0, I).",
            "question": "Which one's random codes will decode to digits?",
            "reveal_target": "#vae-grid",
            "answer": "The VAE's. The autoencoder was trained only to reconstruct, so its codes lie wherever "
            "training left them, not round N(0, I): random codes fall in the holes between them. The "
            "table above counts the decodes the classifier is sure of.",
        },
        {
            "title": "The encoder gives a mean and a spread",
            "tab": "draw",
            "state": {},
            "action": "#load-example",
            "target": ".latents",
            "text": "A 7 from the test set is on the pad. For each dimension the encoder gives a mean μ (the "
            "line) and a spread σ (the orange box): not one code but a cloud of them. The grey band is "
            "the prior N(0, 1) within ±1σ; the KL term charges for boxes that are narrow or far from it.",
        },
        {
            "title": "Where does the 7 land?",
            "tab": "latent",
            "state": {"map": "holes"},
            "target": "#latent-map",
            "text": "A VAE with two dimensions drew this map; the black cross and ellipses are the 7's μ "
            "and q(z | x), and the blue shows where all the training codes lie.",
            "question": "Which digits' codes will the 7 be among?",
            "reveal": {"map": "codes"},
            "answer": "Among the other 7s, coloured by class now. Move the pointer over the map: the page "
            "decodes whatever point is under it.",
        },
        {
            "title": "Sampling z = μ + σ·ε",
            "tab": "latent",
            "state": {"map": "codes"},
            "target": "#sample-eps",
            "text": "The decoder learns from samples of q(z | x): ε is drawn from N(0, I) and z = μ + σ·ε, "
            "so gradients reach μ and σ.",
            "question": "Drawn a few times, will the samples land inside q's dashed 2σ ellipse?",
            "reveal_action": "#sample-eps",
            "reveal_target": "#eps-arithmetic",
            "answer": "Mostly: a 2-D Gaussian keeps 86% of its samples inside its 2σ ellipse. The tour "
            "pressed Sample ε: here is z worked out from the 7's own μ and σ, and the white dot on the map "
            "and the close-up above is that z.",
        },
        {
            "title": "What β does",
            "tab": "train",
            "state": {"beta": 10},
            "target": "#sweep-gallery",
            "text": "β weighs the KL term against reconstruction. These five VAEs differ only in β, from 0 "
            "(no KL) to 10.",
            "question": "As β grows, will the held-out images' codes spread out or crowd into N(0, I)'s "
            "circles?",
            "answer": "They crowd in, and the reconstructions blur: the table under the maps gives both for "
            "each β. β is set to 10 below; press Train to watch a run form.",
        },
        {
            "title": "Why samples come from a fitted mixture",
            "tab": "latent",
            "state": {"map": "holes"},
            "target": "#holes-caption",
            "text": "Hatched on the map above: where N(0, I) puts probability but the training codes are "
            "almost absent. Samples drawn where the codes are decode to something the classifier is sure "
            "of more often than samples of N(0, I) (the figures here). So Random sample draws from a "
            "mixture fitted to the codes.",
        },
        {
            "title": "Your turn",
            "tab": "generate",
            "state": {"sampler": "mixture"},
            "target": "#random-sample",
            "text": "Press Random sample, drag the sliders, or draw your own digit. Copy link (under the "
            "intro) shares the tab, the dataset, the sliders and the settings as you left them.",
        },
    ]


def page_config(weights_dir: Path) -> dict:
    """What tour.js reads from window.vaePage: the steps."""
    return {"tour": steps(weights_dir)}


def example_drawing(dataset: str) -> dict:
    """The tour's example: a held-out image as dark strokes on the sketch pad's transparent canvas."""
    pixels = load_subset(dataset).test_images[EXAMPLE]
    ink = Image.fromarray(pixels).resize((280, 280), Image.BILINEAR)
    canvas = Image.new("RGBA", (400, 400), (0, 0, 0, 0))
    canvas.paste(Image.merge("RGBA", [Image.new("L", ink.size, 0)] * 3 + [ink]), (60, 60))
    drawing = np.asarray(canvas)
    return {"background": None, "layers": [drawing], "composite": drawing}


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
