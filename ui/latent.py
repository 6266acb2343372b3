"""The Latent space tab: the 2-D VAE's map and manifold, and the autoencoder against the VAE."""

import math
import secrets
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


def one_seed(seed: float | None) -> float:
    """The seed, or a fresh one where -1 (or nothing) asks for new codes, so that both models' codes and
    test pairs still come from one seed."""
    return seed if seed is not None and math.isfinite(seed) and seed >= 0 else secrets.randbelow(2**31)


@dataclass(kw_only=True)
class LatentTab:
    """The tab's components and handlers; the map also shows the Draw tab's drawing (app.py links it)."""

    models: Models
    latent_map: gr.Image
    legend: gr.HTML
    manifold: gr.Image
    z1: gr.Number
    z2: gr.Number
    map_digit: gr.Image
    map_caption: gr.Markdown
    figures: gr.Markdown
    ae_map: gr.Image
    vae_map: gr.Image
    compare_sampler: gr.Radio
    compare_seed: gr.Number
    compare_button: gr.Button
    ae_grid: gr.Image
    vae_grid: gr.Image
    compare_caption: gr.Markdown
    ae_strips: gr.Image
    vae_strips: gr.Image

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
        return [self.ae_grid, self.vae_grid, self.compare_caption, self.ae_strips, self.vae_strips]

    def locate(self, dataset: str, drawing: np.ndarray | None) -> dict:
        """The 2-D VAE's map with the drawing's code marked."""
        return {self.latent_map: self.models[dataset].latent.locate(drawing)}

    def views(self, dataset: str, drawing: np.ndarray | None) -> dict:
        """Everything for a dataset: its maps, legend, manifold and figures, and no decoded point yet."""
        handlers = self.models[dataset]
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

    def compare(self, dataset: str, sampler: str, seed: float) -> dict:
        """Decode 64 random codes from the same sampler with the 16-D autoencoder and the 16-D VAE, and both
        models' interpolations between the same eight pairs of test images.

        Args:
            dataset: "mnist" or "fashion-mnist".
            sampler: "mixture" or "gaussian" (fitted to the training codes), or "prior" (N(0, I)).
            seed: seeds the codes and the pairs of test images; -1 draws new ones each time.
        """
        comparison, seed = self.models[dataset].comparison, one_seed(seed)
        ae_grid, vae_grid, caption = comparison.random_grids(sampler, seed)
        ae_strips, vae_strips = comparison.interpolations(seed)
        return {
            self.ae_grid: ae_grid,
            self.vae_grid: vae_grid,
            self.compare_caption: caption,
            self.ae_strips: ae_strips,
            self.vae_strips: vae_strips,
        }

    def clicked_code(self, dataset: str, event: gr.SelectData) -> tuple[float, float]:
        """The code under a click on the map; Gradio passes the pixel only to a handler annotated with
        gr.SelectData."""
        return self.models[dataset].latent.clicked_code(*event.index)

    def decode_at(self, dataset: str, z1: float, z2: float, drawing: np.ndarray | None = None) -> dict:
        """Decode one point of the 2-D VAE's latent space and mark it on the map.

        Args:
            dataset: "mnist" or "fashion-mnist".
            z1: the point's first coordinate (clamped to the map).
            z2: its second coordinate.
        """
        marked, digit, caption = self.models[dataset].latent.decode_at(z1, z2, drawing)
        return {self.latent_map: marked, self.map_digit: digit, self.map_caption: caption}

    def wire(self, dataset: gr.Radio, drawing: gr.State) -> None:
        """The tab's own events; drawing holds the Draw tab's 28x28 pixels, marked on the map."""
        point = [dataset, self.z1, self.z2, drawing]
        shown = [self.latent_map, self.map_digit, self.map_caption]
        self.latent_map.select(self.clicked_code, dataset, [self.z1, self.z2], api_name=False).then(
            self.decode_at, point, shown, api_name="latent_map"
        )
        # A point typed into the boxes is decoded too, when the visitor presses Enter.
        gr.on(
            [self.z1.submit, self.z2.submit],
            self.decode_at,
            point,
            shown,
            api_name=False,
        )
        gr.on(
            [self.compare_button.click, self.compare_sampler.change],
            self.compare,
            [dataset, *self.compare_inputs],
            self.compare_outputs,
            api_name="compare_ae",
        )


def build(models: Models, dataset: gr.Radio, drawing: gr.State, latent_dim: int) -> LatentTab:
    """The tab's layout, then its events; drawing holds the Draw tab's 28x28 pixels."""
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
            manifold = gr.Image(label="Decodes across the prior", format="png", elem_id="manifold")
        with gr.Row():
            with gr.Column(scale=1):
                z1 = gr.Number(0.0, label="z1", info="type a value and press Enter, or click the map")
                z2 = gr.Number(0.0, label="z2")
                map_caption = gr.Markdown(elem_id="map-caption")
            map_digit = gr.Image(
                label="Decoded point", format="png", height=280, width=280, elem_id="map-digit"
            )
        gr.Markdown(COMPARE_HELP.format(size=latent_dim))
        figures = gr.Markdown(elem_id="compare-figures")
        with gr.Row():
            compare_sampler = sampler_choice("prior", "compare-sampler", scale=2)
            with gr.Column(scale=1):
                compare_seed = gr.Number(-1, label="Seed (-1: new codes each time)", precision=0)
                compare_button = gr.Button("New random codes")
        with gr.Row():
            ae_grid = gr.Image(
                label=f"{latent_dim}-D autoencoder: 64 random codes", format="png", elem_id="ae-grid"
            )
            vae_grid = gr.Image(
                label=f"{latent_dim}-D VAE: 64 random codes", format="png", elem_id="vae-grid"
            )
        compare_caption = gr.Markdown(elem_id="compare-caption")
        gr.Markdown(INTERPOLATION_HELP)
        with gr.Row():
            ae_strips = gr.Image(
                label=f"{latent_dim}-D autoencoder: eight pairs of test images",
                format="png",
                elem_id="ae-strips",
            )
            vae_strips = gr.Image(
                label=f"{latent_dim}-D VAE: eight pairs of test images", format="png", elem_id="vae-strips"
            )
        gr.Markdown(MAPS_HELP)
        with gr.Row():
            ae_map = gr.Image(label="2-D autoencoder: test codes", format="png", elem_id="ae-map")
            vae_map = gr.Image(label="2-D VAE: test codes", format="png", elem_id="vae-map")
    latent = LatentTab(
        models=models,
        latent_map=latent_map,
        legend=legend,
        manifold=manifold,
        z1=z1,
        z2=z2,
        map_digit=map_digit,
        map_caption=map_caption,
        figures=figures,
        ae_map=ae_map,
        vae_map=vae_map,
        compare_sampler=compare_sampler,
        compare_seed=compare_seed,
        compare_button=compare_button,
        ae_grid=ae_grid,
        vae_grid=vae_grid,
        compare_caption=compare_caption,
        ae_strips=ae_strips,
        vae_strips=vae_strips,
    )
    latent.wire(dataset, drawing)
    return latent
