"""The Latent space tab's second section: the 16-D autoencoder against the 16-D VAE, decoding random
codes from the same sampler and the same test images' interpolations, with the figures they measured and
both models' 2-D counterparts' maps."""

import math
import secrets
from dataclasses import dataclass

import gradio as gr

from ui.inputs import checked, seed_check
from ui.models import Models
from ui.page import folded
from ui.widgets import sampler_choice

COMPARE_TITLE = "## Why a VAE, not a plain autoencoder?"
COMPARE_HELP = """
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
### Between two test images
Each row starts at one test image's code and ends at another's (their decodes), the codes in between
on the straight line joining them; the middle column is the midpoint the table counts.
"""

MAPS_HELP = """
### Where the codes lie, in two dimensions
The same two models with only two latent dimensions: each test image's code, coloured by class. Both
are convolutional, like the 16-D pair, so this VAE is not the map's at the top of the tab (the Train
tab's β = 1 run, one hidden layer each way): the same data through another network gives another
layout.
"""


def one_seed(seed: float | None) -> float:
    """The seed, or a fresh one where -1 (or nothing) asks for new codes, so that both models' codes and
    test pairs still come from one seed."""
    return seed if seed is not None and math.isfinite(seed) and seed >= 0 else secrets.randbelow(2**31)


@dataclass(kw_only=True)
class CompareSection:
    """The section's components and handlers."""

    models: Models
    figures: gr.Markdown
    sampler: gr.Radio
    seed: gr.Number
    button: gr.Button
    ae_grid: gr.Image
    vae_grid: gr.Image
    caption: gr.Markdown
    ae_strips: gr.Image
    vae_strips: gr.Image
    maps_caption: gr.Markdown
    ae_map: gr.Image
    vae_map: gr.Image
    drawn_sampler: gr.State  # the sampler the grids on the page were drawn from

    @property
    def inputs(self) -> list[gr.components.Component]:
        """What compare() and views() take after the dataset."""
        return [self.sampler, self.seed]

    @property
    def outputs(self) -> list[gr.components.Component]:
        """What compare() sets, in order."""
        return [
            self.ae_grid,
            self.vae_grid,
            self.caption,
            self.ae_strips,
            self.vae_strips,
            self.drawn_sampler,
        ]

    @property
    def view_outputs(self) -> list[gr.components.Component]:
        """What views() sets."""
        return [self.figures, self.maps_caption, self.ae_map, self.vae_map, *self.outputs]

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
            self.caption: caption,
            self.ae_strips: ae_strips,
            self.vae_strips: vae_strips,
            self.drawn_sampler: sampler,
        }

    def catch_up(self, dataset: str, sampler: str, seed: float, drawn: str | None) -> dict:
        """The grids again where the sampler changed while views() drew them (a link's sampler, then the
        tour's): the sampler's own event may have ended first, and views() then drew over it."""
        return {self.drawn_sampler: drawn} if sampler == drawn else self.compare(dataset, sampler, seed)

    def views(self, dataset: str, sampler: str, seed: float) -> dict:
        """Everything for a dataset: the stored figures, both 2-D maps, and a comparison."""
        handlers = self.models[dataset]
        maps = handlers.comparison.maps
        return {
            self.figures: folded(
                "How many decodes the classifier is sure of",
                handlers.comparison.figures(handlers.bundle.held_out_sure_share),
                "figures",
            ),
            self.maps_caption: maps.caption(),
            self.ae_map: maps.ae_map,
            self.vae_map: maps.vae_map,
            **self.compare(dataset, sampler, seed),
        }

    def wire(self, dataset: gr.Radio) -> None:
        """The section's own events."""
        gr.on(
            [self.button.click, self.sampler.change],
            self.compare,
            [dataset, *self.inputs],
            self.outputs,
            api_name=False,
            # A sampler set while grids are drawn (a link, then the tour) is drawn after them, not dropped
            # (gr.on's default for a click is to ignore presses while one runs).
            trigger_mode="always_last",
        )


def pair(name: str, what: str, latent_dim: int | None = None) -> dict:
    """The autoencoder's and the VAE's images side by side: ae_<name> and vae_<name>."""
    size = f"{latent_dim}-D" if latent_dim else "2-D"
    with gr.Row():
        return {
            f"{model}_{name}": gr.Image(
                label=f"{size} {title}: {what}",
                format="png",
                elem_id=f"{model}-{name}",
                alt_text=f"The {size} {title}'s decodes of {what}; the caption counts the sure ones.",
            )
            for model, title in (("ae", "autoencoder"), ("vae", "VAE"))
        }


def build(models: Models, dataset: gr.Radio, latent_dim: int) -> CompareSection:
    """The section's layout, then its events."""
    summary = "The same network trained both ways, decoding the same random codes"
    gr.Markdown(COMPARE_TITLE + "\n\n" + folded(summary, COMPARE_HELP.format(size=latent_dim)))
    figures = gr.Markdown(elem_id="compare-figures")
    with gr.Row():
        sampler = sampler_choice("prior", "compare-sampler", scale=2)
        with gr.Column(scale=1):
            seed = checked(gr.Number(-1, label="Seed (-1: new codes each time)", precision=0), seed_check())
            button = gr.Button("New random codes")
    grids = pair("grid", "64 random codes", latent_dim)
    caption = gr.Markdown(label="reading", elem_id="compare-caption")
    gr.Markdown(INTERPOLATION_HELP)
    strips = pair("strips", "eight pairs of test images", latent_dim)
    gr.Markdown(MAPS_HELP)
    maps_caption = gr.Markdown(elem_id="maps-caption")
    section = CompareSection(
        models=models,
        figures=figures,
        sampler=sampler,
        seed=seed,
        button=button,
        caption=caption,
        maps_caption=maps_caption,
        **grids,
        **strips,
        **pair("map", "test codes"),
        drawn_sampler=gr.State(),
    )
    section.wire(dataset)
    return section
