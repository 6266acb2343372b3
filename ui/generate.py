"""The Generate tab: one slider per latent dimension, the digit they decode to, and random samples."""

from dataclasses import dataclass

import gradio as gr

from ui.models import Models
from vae.views import SLIDER_RANGE

HELP = """
Each slider is one latent dimension, the most informative first (by their KL on the test set).
Drag one and the image morphs smoothly: nearby codes decode to similar images. Under it, a small
classifier trained on the same dataset says what it sees.
"""


@dataclass
class GenerateTab:
    """The tab's handlers, and the components other tabs set: Use in sliders and a dataset switch."""

    models: Models
    sliders: list[gr.Slider]
    digit: gr.Image
    caption: gr.Markdown

    @property
    def outputs(self) -> list[gr.components.Component]:
        """What every handler that moves the sliders answers, in the API's order."""
        return [*self.sliders, self.digit, self.caption]

    def show(self, values: list[float], image: object, caption: str) -> dict:
        """A Playground.Digit as the tab's component values."""
        return {**dict(zip(self.sliders, values, strict=True)), self.digit: image, self.caption: caption}

    def random(self, name: str, t: float, s: float) -> dict:  # the API's parameter names: temperature, seed
        return self.show(*self.models[name].playground.random(t, s))

    def reset(self, name: str) -> dict:
        return self.show(*self.models[name].playground.reset())

    def decode_batch(self, datasets: list[str], *columns: list[float]) -> list[list]:
        """batch=True slider events: each dataset's events decoded together, answers in arrival order."""
        images, captions = [None] * len(datasets), [""] * len(datasets)
        for name in set(datasets):
            rows = [i for i, event_dataset in enumerate(datasets) if event_dataset == name]
            playground = self.models[name].playground
            decoded = playground.decode_batch(*[[column[i] for i in rows] for column in columns])
            for i, image, caption in zip(rows, *decoded, strict=True):
                images[i], captions[i] = image, caption
        return [images, captions]


def build(models: Models, dataset: gr.Radio, latent_dim: int) -> GenerateTab:
    """The tab's layout and its own events."""
    with gr.Tab("Generate", id="generate"):
        gr.Markdown(HELP)
        with gr.Row():
            with gr.Column(scale=3):
                sliders = [
                    gr.Slider(-SLIDER_RANGE, SLIDER_RANGE, value=0.0, step=0.01, label=f"z{i + 1}")
                    for i in range(latent_dim)
                ]
            with gr.Column(scale=2):
                digit = gr.Image(
                    label="Decoded image",
                    format="png",
                    height=300,
                    width=300,
                    elem_id="digit",
                    buttons=["download"],
                )
                caption = gr.Markdown("Loading the models…", elem_id="digit-caption")
                temperature = gr.Slider(0.0, 2.0, value=1.0, step=0.05, label="Temperature")
                seed = gr.Number(value=-1, label="Seed (-1: a new one each time)", precision=0)
                with gr.Row():
                    random_button = gr.Button("Random sample", variant="primary")
                    reset_button = gr.Button("Reset to 0")
                grid_button = gr.Button("64 samples at this temperature")
        sample_grid = gr.Image(
            label="64 samples of z ~ N(0, T²I)", format="png", buttons=["download"], elem_id="sample-grid"
        )
    tab = GenerateTab(models, sliders, digit, caption)
    for slider in sliders:
        slider.input(
            tab.decode_batch,
            [dataset, *sliders],
            [digit, caption],
            batch=True,  # under load, waiting slider events are decoded in one forward pass
            max_batch_size=32,
            api_name="decode" if slider is sliders[0] else False,
            trigger_mode="always_last",
            show_progress="hidden",
        )
    random_button.click(
        tab.random, [dataset, temperature, seed], tab.outputs, api_name="random", show_progress="hidden"
    )
    reset_button.click(tab.reset, dataset, tab.outputs, api_name="reset", show_progress="hidden")
    grid_button.click(
        lambda name, t, s: models[name].playground.sample_grid(t, s),
        [dataset, temperature, seed],
        sample_grid,
        api_name="sample_grid",
    )
    return tab
