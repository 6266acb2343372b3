"""The Latent space tab: the 2-D VAE's map and manifold, and the autoencoder against the VAE."""

from dataclasses import dataclass

import gradio as gr
import numpy as np

from ui.models import Models
from ui.widgets import sampler_choice

HELP = """
The same VAE with only **two** latent dimensions, so its whole latent space fits on a page. Left:
where the 10,000 test images land (their μ), coloured by class. Right: what the decoder draws across
the prior, each cell at a quantile of N(0, 1). **Click the map** to decode that point; your drawing
from the Draw tab shows as a red ring.
"""

COMPARE_HELP = """
### Why a VAE, not a plain autoencoder?
Each pair below has the same network and {size} latent dimensions. The **autoencoder** maps each
image to one point and is trained only to reconstruct, so nothing says where its codes should lie or
what to draw between them. The **VAE** encodes a cloud N(μ, σ²) and pays a KL price for straying
from N(0, I), so N(0, I) is its ready-made way to make new images.

Random codes come from one of three samplers: the prior N(0, I); one Gaussian fitted to each model's
training codes after training; or a mixture of Gaussians fitted to them, which follows the codes
more closely. The table counts the decodes the classifier is sure of (p ≥ 0.9) among random codes
from each sampler, and among the midpoints between pairs of test images of different classes
(`python -m benchmarks.samples` measures them afresh).
"""

INTERPOLATION_HELP = """
#### Between two test images
Each row starts at one test image's code and ends at another's (their decodes), the codes in between
on the straight line joining them; the middle column is the midpoint the table counts.
"""

MAPS_HELP = """
#### Where the codes lie, in two dimensions
The same two models with only two latent dimensions: each test image's code, coloured by class.
"""


@dataclass
class LatentTab:
    """The tab's handlers; the map is also redrawn when a drawing changes (app.py links it)."""

    models: Models
    latent_map: gr.Image
    legend: gr.HTML
    manifold: gr.Image
    map_digit: gr.Image
    map_caption: gr.Markdown
    figures: gr.Markdown
    ae_map: gr.Image
    vae_map: gr.Image
    compare_sampler: gr.Radio
    compare_seed: gr.Number
    random_grids: list[gr.Image]  # the autoencoder's, the VAE's
    compare_caption: gr.Markdown
    strips: list[gr.Image]  # the autoencoder's interpolations, the VAE's

    @property
    def view_outputs(self) -> list[gr.components.Component]:
        """What views() sets."""
        return [
            *(self.latent_map, self.legend, self.manifold, self.map_digit, self.map_caption),
            *(self.figures, self.ae_map, self.vae_map),
        ]

    @property
    def compare_inputs(self) -> list[gr.components.Component]:
        return [self.compare_sampler, self.compare_seed]

    @property
    def compare_outputs(self) -> list[gr.components.Component]:
        return [*self.random_grids, self.compare_caption, *self.strips]

    def locate(self, name: str, drawing: np.ndarray | None) -> dict:
        return {self.latent_map: self.models[name].latent.locate(drawing)}

    def views(self, name: str, drawing: np.ndarray | None) -> dict:
        """Everything for a dataset: its maps, legend, manifold and figures, and no decoded point yet."""
        handlers = self.models[name]
        return {
            self.latent_map: handlers.latent.locate(drawing),
            self.legend: handlers.latent.legend(),
            self.manifold: handlers.latent.manifold,
            self.map_digit: None,
            self.map_caption: "",
            self.figures: handlers.comparison.figures(),
            self.ae_map: handlers.latent.ae_map,
            self.vae_map: handlers.latent.map,
        }

    def compare(self, name: str, sampler: str, seed: float) -> dict:
        """Both models' decodes of 64 codes from the sampler, and of the same test images' interpolations."""
        comparison = self.models[name].comparison
        *grids, caption = comparison.random_grids(sampler, seed)
        return {
            **dict(zip(self.random_grids, grids, strict=True)),
            self.compare_caption: caption,
            **dict(zip(self.strips, comparison.interpolations(seed), strict=True)),
        }


def build(models: Models, dataset: gr.Radio, drawing: gr.State, latent_dim: int) -> LatentTab:
    """The tab's layout and its own events; drawing holds the Draw tab's 28x28 pixels."""
    with gr.Tab("Latent space", id="latent"):
        gr.Markdown(HELP)
        with gr.Row():
            with gr.Column():
                latent_map = gr.Image(
                    label="Test images in the 2-D latent space (click to decode)",
                    format="png",
                    interactive=False,
                    elem_id="latent-map",
                )
                legend = gr.HTML(elem_id="map-legend")
            manifold = gr.Image(label="Decodes across the prior", format="png")
        with gr.Row():
            with gr.Column(scale=1):
                z1_box = gr.Number(0.0, label="z1")
                z2_box = gr.Number(0.0, label="z2")
                map_caption = gr.Markdown(elem_id="map-caption")
            map_digit = gr.Image(label="Decoded point", format="png", height=280, width=280)
        gr.Markdown(COMPARE_HELP.format(size=latent_dim))
        figures = gr.Markdown(elem_id="compare-figures")
        with gr.Row():
            compare_sampler = sampler_choice("prior", "compare-sampler", scale=2)
            with gr.Column(scale=1):
                compare_seed = gr.Number(0, label="Seed", precision=0)
                compare_button = gr.Button("New random codes")
        with gr.Row():
            random_grids = [
                gr.Image(label=f"{latent_dim}-D {model}: 64 random codes", format="png")
                for model in ("autoencoder", "VAE")
            ]
        compare_caption = gr.Markdown(elem_id="compare-caption")
        gr.Markdown(INTERPOLATION_HELP)
        with gr.Row():
            strips = [
                gr.Image(label=f"{latent_dim}-D {model}: eight pairs of test images", format="png")
                for model in ("autoencoder", "VAE")
            ]
        gr.Markdown(MAPS_HELP)
        with gr.Row():
            ae_map = gr.Image(label="2-D autoencoder: test codes", format="png")
            vae_map = gr.Image(label="2-D VAE: test codes", format="png")
    tab = LatentTab(
        models,
        latent_map,
        legend,
        manifold,
        map_digit,
        map_caption,
        figures,
        ae_map,
        vae_map,
        compare_sampler,
        compare_seed,
        random_grids,
        compare_caption,
        strips,
    )

    def clicked_code(name: str, event: gr.SelectData) -> tuple[float, float]:
        """Gradio passes the click's pixel only to a handler annotated with gr.SelectData."""
        return models[name].latent.clicked_code(*event.index)

    def decode_at(name: str, z1: float, z2: float, pixels: np.ndarray | None) -> dict:
        marked, digit, caption = models[name].latent.decode_at(z1, z2, pixels)
        return {latent_map: marked, map_digit: digit, map_caption: caption}

    latent_map.select(clicked_code, dataset, [z1_box, z2_box], api_name=False).then(
        decode_at,
        [dataset, z1_box, z2_box, drawing],
        [latent_map, map_digit, map_caption],
        api_name="latent_map",
    )
    gr.on(
        [compare_button.click, compare_sampler.change],
        tab.compare,
        [dataset, *tab.compare_inputs],
        tab.compare_outputs,
        api_name="compare_ae",
    )
    return tab
