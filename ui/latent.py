"""The Latent space tab: the 2-D VAE's map and manifold, and the autoencoder against the VAE."""

import math
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import gradio as gr
import numpy as np

from playground.runs import MAP_BETA, MAP_EDGE
from playground.sketch import SketchError
from ui.generate import STATIC, static_url
from ui.models import Models
from ui.widgets import sampler_choice
from vae.config import DATASETS
from vae.weights import DECODER_FILE, sweep_folder

if TYPE_CHECKING:  # imports torch, which Models loads on its thread
    from playground.latent import Focus

SCRIPTS = [STATIC / "latent.js"]

HELP = """
A VAE with only **two** latent dimensions (the Train tab's β = {beta:g} run), so its whole latent space fits
on a page. The map shows where the held-out images land (their μ), coloured by class. **Move the
pointer (or a finger) over the map**: your browser decodes the point under it. Click to ask the server
for the point's decode and the classifier's reading. The manifold below decodes a grid of points on the
same axes.
"""

POSTERIOR_HELP = """
#### What the encoder says about one image
The encoder does not give one point but a Gaussian q(z | x) = N(μ, σ²), drawn in black on the map. The true
posterior p(z | x), which q stands in for, can be computed exactly here because two dimensions are few
enough to sum over: it is shown in blue in the close-up. Draw on the Draw tab to see your drawing here;
*Nearest held-out image* takes the one whose μ is nearest the clicked point.
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


MAP_VIEWS = [("Held-out images' codes", "codes"), ("The prior's holes", "holes")]


def maps_caption(ae_reach: float, vae_reach: float) -> str:
    """How far each comparison map's axes reach: the two models' codes spread very differently."""
    return (
        f"Each map has its own axes, to hold 99.5% of its codes: the autoencoder's run from "
        f"-{ae_reach:.0f} to {ae_reach:.0f}, the VAE's from -{vae_reach:.0f} to {vae_reach:.0f}."
    )


def one_seed(seed: float | None) -> float:
    """The seed, or a fresh one where -1 (or nothing) asks for new codes, so that both models' codes and
    test pairs still come from one seed."""
    return seed if seed is not None and math.isfinite(seed) and seed >= 0 else secrets.randbelow(2**31)


def map_decoders(weights_dir: Path) -> dict[str, Path]:
    """Each dataset's decoder of the map's VAE, for the page's hover."""
    return {name: sweep_folder(name, MAP_BETA, weights_dir) / DECODER_FILE for name in DATASETS}


def page_config(weights_dir: Path) -> dict:
    """What the hover reads from window.vaePage: each dataset's decoder of the map's VAE."""
    return {"mapDecoders": {name: static_url(path) for name, path in map_decoders(weights_dir).items()}}


@dataclass(kw_only=True)
class LatentTab:
    """The tab's components and handlers; the map also shows the Draw tab's drawing (app.py links it)."""

    models: Models
    map_view: gr.Radio
    latent_map: gr.Image
    legend: gr.HTML
    holes_caption: gr.Markdown
    close_up: gr.Image
    posterior_caption: gr.Markdown
    posterior_figures: gr.JSON
    sample_button: gr.Button
    nearest_button: gr.Button
    arithmetic: gr.Markdown
    sample_digit: gr.Image
    focus: gr.State
    manifold: gr.Image
    z1: gr.Number
    z2: gr.Number
    map_digit: gr.Image
    map_caption: gr.Markdown
    figures: gr.Markdown
    maps_caption: gr.Markdown
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
            *(self.latent_map, self.legend, self.holes_caption, self.manifold, self.map_digit),
            *(self.map_caption, self.figures, self.maps_caption, self.ae_map, self.vae_map),
            *self.posterior_outputs,
            *(self.arithmetic, self.sample_digit),
        ]

    @property
    def posterior_outputs(self) -> list[gr.components.Component]:
        """What posterior() sets: the API's answer, then the image it is of."""
        return [self.close_up, self.posterior_caption, self.posterior_figures, self.focus]

    @property
    def compare_inputs(self) -> list[gr.components.Component]:
        return [self.compare_sampler, self.compare_seed]

    @property
    def compare_outputs(self) -> list[gr.components.Component]:
        return [self.ae_grid, self.vae_grid, self.compare_caption, self.ae_strips, self.vae_strips]

    def shown(self, dataset: str, focus: "Focus") -> dict:
        """The close-up, the figures and the state of a newly focused image."""
        space = self.models[dataset].latent
        return {
            self.close_up: space.close_up(focus),
            self.posterior_caption: space.posterior_caption(focus),
            self.posterior_figures: {"image": focus.name, **focus.posterior.figures()},
            self.focus: focus,
        }

    def views(self, dataset: str, view: str, drawing: np.ndarray | None) -> dict:
        """Everything for a dataset: its maps, legend, manifold and figures, the drawing's posterior (or
        a held-out image's), and no decoded point yet."""
        handlers = self.models[dataset]
        space = handlers.latent
        focus = space.focus_on(drawing)
        return {
            self.latent_map: space.map_picture(view, focus),
            self.legend: space.legend(view),
            self.holes_caption: space.holes_caption() if view == "holes" else "",
            self.manifold: space.manifold,
            self.map_digit: None,
            self.map_caption: "",
            self.figures: handlers.comparison.figures(handlers.bundle.held_out_sure_share),
            self.maps_caption: maps_caption(space.ae_window.high, space.vae_window.high),
            self.ae_map: space.ae_map,
            self.vae_map: space.vae_map,
            **self.shown(dataset, focus),
            self.arithmetic: "",
            self.sample_digit: None,
        }

    def posterior(self, dataset: str, drawing: dict | None) -> dict:
        """The posterior of a drawing under the 2-D VAE: q(z | x) against the true p(z | x), the ELBO and
        log p(x) in nats (`elbo`, `log_px` by importance sampling with `k` samples, `gap` between them).
        With no usable drawing, the first held-out image's.

        Args:
            dataset: "mnist" or "fashion-mnist".
            drawing: the sketch pad's value {"background", "layers", "composite"}: dark strokes, composite.
        """
        handlers = self.models[dataset]
        try:
            pixels = handlers.draw.pixels_of(drawing)
        except SketchError:
            pixels = None
        return self.shown(dataset, handlers.latent.focus_on(pixels))

    def refocused(self, dataset: str, view: str, focus: "Focus") -> dict:
        """The map marked with a newly focused image's q, and no samples yet."""
        return {
            self.latent_map: self.models[dataset].latent.map_picture(view, focus),
            self.arithmetic: "",
            self.sample_digit: None,
        }

    def redraw(self, dataset: str, view: str, focus: "Focus | None") -> dict:
        """The map in the chosen view, with what is marked on it."""
        space = self.models[dataset].latent
        focus = focus or space.default_focus
        return {
            self.latent_map: space.map_picture(view, focus),
            self.legend: space.legend(view),
            self.holes_caption: space.holes_caption() if view == "holes" else "",
        }

    def sample(self, dataset: str, view: str, focus: "Focus | None") -> dict:
        """One more z = μ + σ·ε of the focused image: the arithmetic, its decode, and the cloud so far."""
        space = self.models[dataset].latent
        focus, digit, text = space.sample(focus or space.default_focus)
        return {
            self.focus: focus,
            self.latent_map: space.map_picture(view, focus),
            self.close_up: space.close_up(focus),
            self.arithmetic: text,
            self.sample_digit: digit,
        }

    def nearest(self, dataset: str, z1: float, z2: float) -> dict:
        """The posterior of the held-out image whose μ is nearest the point."""
        return self.shown(dataset, self.models[dataset].latent.nearest(z1, z2))

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

    def decode_at(self, dataset: str, z1: float, z2: float, view: str, focus: "Focus | None" = None) -> dict:
        """Decode one point of the 2-D VAE's latent space and mark it on the map.

        Args:
            dataset: "mnist" or "fashion-mnist".
            z1: the point's first coordinate, from -4 to 4 (the map's axes).
            z2: its second coordinate, from -4 to 4.
            view: the map under the mark: "codes" (the held-out images') or "holes" (the prior's).
        """
        space = self.models[dataset].latent
        point, digit, caption = space.decode_at(z1, z2)
        marked = space.map_picture(view, focus or space.default_focus, point)
        return {self.latent_map: marked, self.map_digit: digit, self.map_caption: caption}

    def wire(self, dataset: gr.Radio) -> None:
        """The tab's own events."""
        point = [dataset, self.z1, self.z2, self.map_view, self.focus]
        shown = [self.latent_map, self.map_digit, self.map_caption]
        self.latent_map.select(self.clicked_code, dataset, [self.z1, self.z2], api_name=False).then(
            self.decode_at, point, shown, api_name="latent_map"
        )
        # A point typed into the boxes is decoded too, when the visitor presses Enter.
        gr.on([self.z1.submit, self.z2.submit], self.decode_at, point, shown, api_name=False)
        self.map_view.change(
            self.redraw,
            [dataset, self.map_view, self.focus],
            [self.latent_map, self.legend, self.holes_caption],
            api_name=False,
            show_progress="hidden",
        )
        self.sample_button.click(
            self.sample,
            [dataset, self.map_view, self.focus],
            [self.focus, self.latent_map, self.close_up, self.arithmetic, self.sample_digit],
            api_name=False,
        )
        self.nearest_button.click(
            self.nearest, [dataset, self.z1, self.z2], self.posterior_outputs, api_name=False
        ).then(self.refocused, [dataset, self.map_view, self.focus], self.refocus_outputs, api_name=False)
        gr.on(
            [self.compare_button.click, self.compare_sampler.change],
            self.compare,
            [dataset, *self.compare_inputs],
            self.compare_outputs,
            api_name="compare_ae",
        )

    @property
    def refocus_outputs(self) -> list[gr.components.Component]:
        return [self.latent_map, self.arithmetic, self.sample_digit]


def build(models: Models, dataset: gr.Radio, latent_dim: int) -> LatentTab:
    """The tab's layout, then its events."""
    gr.set_static_paths([*SCRIPTS, *map_decoders(models.weights_dir).values()])
    with gr.Tab("Latent space", id="latent"):
        gr.Markdown(HELP.format(beta=MAP_BETA))
        with gr.Row(elem_id="map-row"):
            with gr.Column(scale=5, min_width=320):
                map_view = gr.Radio(MAP_VIEWS, value="codes", label="Map", elem_id="map-view")
                latent_map = gr.Image(
                    label="2-D latent space: hover to decode, click to ask the server",
                    show_label=False,  # the help above says what it is; a label chip would cover its top
                    format="png",
                    interactive=False,
                    elem_id="latent-map",
                    buttons=["download"],
                )
                legend = gr.HTML(elem_id="map-legend")
                holes_caption = gr.Markdown(elem_id="holes-caption")
            with gr.Column(scale=4, min_width=300):
                gr.Markdown(POSTERIOR_HELP)
                close_up = gr.Image(
                    label="Close-up: q(z | x) (black) against the true p(z | x) (blue)",
                    show_label=False,
                    format="png",
                    interactive=False,
                    elem_id="close-up",
                    buttons=["download"],
                )
                posterior_caption = gr.Markdown(elem_id="posterior-caption")
                with gr.Row():
                    sample_button = gr.Button("Sample ε", variant="primary", elem_id="sample-eps")
                    nearest_button = gr.Button("Nearest held-out image", elem_id="nearest-image")
                with gr.Row():
                    arithmetic = gr.Markdown(elem_id="eps-arithmetic")
                    sample_digit = gr.Image(
                        label="Decode of the sampled z",
                        format="png",
                        height=140,
                        width=140,
                        elem_id="sample-digit",
                    )
                with gr.Accordion("The figures as data (the /posterior endpoint's answer)", open=False):
                    posterior_figures = gr.JSON(elem_id="posterior-figures")
        with gr.Row():
            with gr.Column(scale=1):
                with gr.Row():
                    z1 = gr.Number(
                        0.0,
                        label="z1",
                        info="type a value and press Enter, or click the map",
                        minimum=-MAP_EDGE,
                        maximum=MAP_EDGE,
                    )
                    z2 = gr.Number(0.0, label="z2", minimum=-MAP_EDGE, maximum=MAP_EDGE)
                map_caption = gr.Markdown(elem_id="map-caption")
                map_digit = gr.Image(
                    label="Decoded point", format="png", height=200, width=200, elem_id="map-digit"
                )
            manifold = gr.Image(
                label="Decodes across the same square, on the same axes",
                format="png",
                elem_id="manifold",
                scale=2,
            )
        focus = gr.State(None)
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
        maps_caption = gr.Markdown(elem_id="maps-caption")
        with gr.Row():
            ae_map = gr.Image(label="2-D autoencoder: test codes", format="png", elem_id="ae-map")
            vae_map = gr.Image(label="2-D VAE: test codes", format="png", elem_id="vae-map")
    latent = LatentTab(
        models=models,
        map_view=map_view,
        latent_map=latent_map,
        legend=legend,
        holes_caption=holes_caption,
        close_up=close_up,
        posterior_caption=posterior_caption,
        posterior_figures=posterior_figures,
        sample_button=sample_button,
        nearest_button=nearest_button,
        arithmetic=arithmetic,
        sample_digit=sample_digit,
        focus=focus,
        manifold=manifold,
        z1=z1,
        z2=z2,
        map_digit=map_digit,
        map_caption=map_caption,
        figures=figures,
        maps_caption=maps_caption,
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
    latent.wire(dataset)
    return latent
