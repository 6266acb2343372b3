"""The Latent space tab: the 2-D VAE's map and manifold, and the autoencoder against the VAE."""

from dataclasses import dataclass

import gradio as gr
import numpy as np

from ui.models import Models

HELP = """
The same VAE with only **two** latent dimensions, so its whole latent space fits on a page. Left:
where the 10,000 test images land (their μ), coloured by class. Right: what the decoder draws across
the prior, each cell at a quantile of N(0, 1). **Click the map** to decode that point; your drawing
from the Draw tab shows as a red ring.
"""

COMPARE_HELP = """
### Why a VAE, not a plain autoencoder?
Each pair below has the same network. The **autoencoder** maps each image to one point and is
trained only to reconstruct, so nothing says where its codes should lie or what to draw between
them: its map spreads over an arbitrary range, with gaps between the classes. The **VAE** encodes a
cloud N(μ, σ²) and pays a KL price for straying from N(0, 1), so its codes fill the prior, and
z ~ N(0, I) is a ready-made way to make new images.

The autoencoder has no prior to sample, so its random codes come from a Gaussian fitted to its test
codes afterwards; the VAE's come from N(0, I). With two dimensions that fitted Gaussian works well:
two numbers leave little room for holes, and the autoencoder's decodes are as crisp as the VAE's, or
crisper. With 16 its codes fill the space unevenly, the fitted Gaussian lands more often where no
image was encoded, and more of its decodes are smudges. The caption counts the decodes the
classifier is sure about; 64 codes vary by several points from seed to seed. Over 1,000 codes the
16-D autoencoder scores 55 % against the VAE's 64 % on MNIST (Fashion-MNIST: 30 % against 38 %),
and in 2-D the autoencoder leads, 82 % against 65 % (`python -m benchmarks.compare_ae`).
"""


@dataclass
class LatentTab:
    """The tab's handlers; the map is also redrawn when a drawing changes (app.py links it)."""

    models: Models
    latent_map: gr.Image
    legend: gr.HTML
    manifold: gr.Image
    ae_map: gr.Image
    vae_map: gr.Image
    map_digit: gr.Image
    map_caption: gr.Markdown
    random_grids: list[gr.Image]
    compare_text: gr.Markdown
    compare_seed: gr.Number
    view_outputs: list[gr.components.Component]  # what views() sets

    @property
    def compare_outputs(self) -> list[gr.components.Component]:
        return [*self.random_grids, self.compare_text]

    def locate(self, name: str, drawing: np.ndarray | None) -> dict:
        return {self.latent_map: self.models[name].latent.locate(drawing)}

    def views(self, name: str, drawing: np.ndarray | None) -> dict:
        """Everything for a dataset: its maps, legend and manifold, and no decoded point yet."""
        latent = self.models[name].latent
        return {
            self.latent_map: latent.locate(drawing),
            self.legend: latent.legend(),
            self.manifold: latent.manifold,
            self.ae_map: latent.ae_map,
            self.vae_map: latent.map,
            self.map_digit: None,
            self.map_caption: "",
        }

    def compare(self, name: str, seed: float) -> dict:
        *grids, caption = self.models[name].latent.compare(seed)
        return {**dict(zip(self.random_grids, grids, strict=True)), self.compare_text: caption}


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
        gr.Markdown(COMPARE_HELP)
        with gr.Row():
            ae_map = gr.Image(label="Autoencoder: test codes", format="png")
            vae_map = gr.Image(label="VAE: test codes", format="png")
        random_grids = []
        for size in (2, latent_dim):
            with gr.Row():
                random_grids += [
                    gr.Image(label=f"{size}-D {model}: 64 random codes", format="png")
                    for model in ("autoencoder", "VAE")
                ]
        compare_text = gr.Markdown(elem_id="compare-caption")
        compare_seed = gr.Number(0, label="Seed", precision=0)
        compare_button = gr.Button("New random codes")
    tab = LatentTab(
        models,
        latent_map,
        legend,
        manifold,
        ae_map,
        vae_map,
        map_digit,
        map_caption,
        random_grids,
        compare_text,
        compare_seed,
        view_outputs=[latent_map, legend, manifold, ae_map, vae_map, map_digit, map_caption],
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
    compare_button.click(tab.compare, [dataset, compare_seed], tab.compare_outputs, api_name="compare_ae")
    return tab
