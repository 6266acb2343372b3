"""The Latent space tab: the 2-D VAE's map with one image's posterior, the decoded point and the
manifold (this module's section), then the autoencoder against the VAE (ui/compare.py's)."""

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import gradio as gr
import numpy as np

from playground.runs import MAP_BETA, MAP_EDGE
from playground.sketch import SketchError
from ui import compare
from ui.inputs import checked, number, one_of
from ui.models import Models
from ui.page import STATIC, folded, static_url
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

POSTERIOR_TITLE = "## What the encoder says about one image"
POSTERIOR_HELP = """
The encoder does not give one point but a Gaussian q(z | x) = N(μ, σ²), drawn in black on the map. The true
posterior p(z | x), which q stands in for, can be computed exactly here because two dimensions are few
enough to sum over: it is shown in blue in the close-up. Draw on the Draw tab to see your drawing here;
*Nearest held-out image* takes the one whose μ is nearest the clicked point.
"""


MAP_VIEWS = [("Held-out images' codes", "codes"), ("The prior's holes", "holes")]


def map_decoders(weights_dir: Path) -> dict[str, Path]:
    """Each dataset's decoder of the map's VAE, for the page's hover."""
    return {name: sweep_folder(name, MAP_BETA, weights_dir) / DECODER_FILE for name in DATASETS}


def page_config(weights_dir: Path) -> dict:
    """What the hover reads from window.vaePage: each dataset's decoder of the map's VAE."""
    return {"mapDecoders": {name: static_url(path) for name, path in map_decoders(weights_dir).items()}}


@dataclass(kw_only=True)
class MapSection:
    """The map, the focused image's posterior and the decoded point; the map also shows the Draw tab's
    drawing (app.py links it)."""

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

    @property
    def view_outputs(self) -> list[gr.components.Component]:
        """What views() sets."""
        return [
            *(
                self.latent_map,
                self.legend,
                self.holes_caption,
                self.manifold,
                self.map_digit,
                self.map_caption,
            ),
            *self.posterior_outputs,
            *(self.arithmetic, self.sample_digit),
        ]

    @property
    def posterior_outputs(self) -> list[gr.components.Component]:
        """What posterior() sets: the close-up, its figures in words and as data, then the image it is of."""
        return [self.close_up, self.posterior_caption, self.posterior_figures, self.focus]

    @property
    def refocus_outputs(self) -> list[gr.components.Component]:
        """What refocused() sets."""
        return [self.latent_map, self.arithmetic, self.sample_digit]

    @property
    def sample_outputs(self) -> list[gr.components.Component]:
        """What sample() sets."""
        return [self.focus, self.latent_map, self.close_up, self.arithmetic, self.sample_digit]

    def shown(self, dataset: str, focus: "Focus") -> dict:
        """The close-up, the figures and the state of a newly focused image."""
        space = self.models[dataset].latent
        return {
            self.close_up: space.close_up(focus),
            self.posterior_caption: folded(
                f"{focus.name[0].upper()}{focus.name[1:]}: its posterior's figures, in nats",
                space.posterior_caption(focus),
                "figures",
            ),
            self.posterior_figures: {"image": focus.name, **focus.posterior.figures()},
            self.focus: focus,
        }

    def views(self, dataset: str, view: str, drawing: np.ndarray | None) -> dict:
        """Everything for a dataset: its map, legend and manifold, the drawing's posterior (or a held-out
        image's), and no decoded point or sample yet."""
        space = self.models[dataset].latent
        focus = space.focus_on(drawing)
        return {
            **self.redraw(dataset, view, focus),
            self.manifold: space.manifold,
            self.map_digit: None,
            self.map_caption: "",
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
        return {
            self.latent_map: space.map_picture(view, focus or space.default_focus),
            self.legend: space.legend(view),
            self.holes_caption: folded("The prior's holes, measured", space.holes_caption(), "figures")
            if view == "holes"
            else "",
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
        point, digit, caption, _ = space.decode_at(z1, z2)
        marked = space.map_picture(view, focus or space.default_focus, point)
        return {self.latent_map: marked, self.map_digit: digit, self.map_caption: caption}

    def wire(self, dataset: gr.Radio) -> None:
        """The section's own events."""
        point = [dataset, self.z1, self.z2, self.map_view, self.focus]
        shown = [self.latent_map, self.map_digit, self.map_caption]
        self.latent_map.select(
            self.clicked_code, dataset, [self.z1, self.z2], api_name=False, trigger_mode="always_last"
        ).then(self.decode_at, point, shown, api_name=False)
        # A point typed into the boxes is decoded too, when the visitor presses Enter.
        gr.on(
            [self.z1.submit, self.z2.submit],
            self.decode_at,
            point,
            shown,
            api_name=False,
            trigger_mode="always_last",
        )
        marked = [dataset, self.map_view, self.focus]
        self.map_view.change(
            self.redraw,
            marked,
            [self.latent_map, self.legend, self.holes_caption],
            api_name=False,
            show_progress="hidden",
        )
        self.sample_button.click(self.sample, marked, self.sample_outputs, api_name=False)
        self.nearest_button.click(
            self.nearest, [dataset, self.z1, self.z2], self.posterior_outputs, api_name=False
        ).then(self.refocused, marked, self.refocus_outputs, api_name=False)


def map_column() -> dict:
    """The map, its view and its legend."""
    with gr.Column(scale=5, min_width=320):
        components = {
            "map_view": checked(
                gr.Radio(MAP_VIEWS, value="codes", label="Map", elem_id="map-view"),
                one_of("view", [value for _, value in MAP_VIEWS]),
            ),
            "latent_map": gr.Image(
                label="2-D latent space: hover to decode, click to ask the server",
                show_label=False,  # the help above says what it is; a label chip would cover its top
                format="png",
                interactive=False,
                elem_id="latent-map",
                buttons=["download"],
                alt_text="The 2-D VAE's latent space, z1 across and z2 up from -4 to 4: held-out images' "
                "codes as dots coloured by class (the legend below names them), or the prior's holes; the "
                "focused image's q(z | x) as black ellipses.",
            ),
            "legend": gr.HTML(elem_id="map-legend"),
            "holes_caption": gr.Markdown(elem_id="holes-caption"),
        }
    return components


def posterior_column() -> dict:
    """The focused image's close-up, its figures, and Sample ε with its arithmetic and decode."""
    with gr.Column(scale=4, min_width=300):
        gr.Markdown(POSTERIOR_TITLE + "\n\n" + folded("q(z | x) against the true posterior", POSTERIOR_HELP))
        close_up = gr.Image(
            label="Close-up: q(z | x) (black) against the true p(z | x) (blue)",
            show_label=False,
            format="png",
            interactive=False,
            elem_id="close-up",
            buttons=["download"],
            alt_text="A close-up of the focused image's posterior: the encoder's q(z | x) as black ellipses "
            "against the true p(z | x) as blue contours; the figures below give both in nats.",
        )
        posterior_caption = gr.Markdown(label="reading", elem_id="posterior-caption")
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
                alt_text="The decode of the sampled z; the arithmetic beside it gives its ε, z and reading.",
            )
        with gr.Accordion("The figures as data (the /posterior endpoint's answer)", open=False):
            posterior_figures = gr.JSON(label="figures", show_label=False, elem_id="posterior-figures")
    return {
        "close_up": close_up,
        "posterior_caption": posterior_caption,
        "posterior_figures": posterior_figures,
        "sample_button": sample_button,
        "nearest_button": nearest_button,
        "arithmetic": arithmetic,
        "sample_digit": sample_digit,
    }


def point_row() -> dict:
    """A point typed or clicked, its decode, and the manifold on the map's axes."""
    with gr.Row():
        with gr.Column(scale=1):
            with gr.Row():
                z1 = gr.Number(
                    0.0,
                    label="z1",
                    info="type a value and press Enter, or click the map",
                    minimum=-MAP_EDGE,
                    maximum=MAP_EDGE,
                    elem_id="map-z1",
                )
                z2 = gr.Number(0.0, label="z2", minimum=-MAP_EDGE, maximum=MAP_EDGE, elem_id="map-z2")
                for name, box in (("z1", z1), ("z2", z2)):
                    checked(box, number(name, -MAP_EDGE, MAP_EDGE))
            map_caption = gr.Markdown(label="reading", elem_id="map-caption")
            map_digit = gr.Image(
                label="Decoded point",
                format="png",
                height=200,
                width=200,
                elem_id="map-digit",
                alt_text="The decode of the chosen point; the line above gives the point and the reading.",
            )
        manifold = gr.Image(
            label="Decodes across the same square, on the same axes",
            format="png",
            elem_id="manifold",
            scale=2,
            alt_text="A grid of decodes across the map's square, on its axes: what the decoder draws",
        )
    return {"z1": z1, "z2": z2, "map_caption": map_caption, "map_digit": map_digit, "manifold": manifold}


@dataclass(kw_only=True)
class LatentTab:
    """The tab's two sections."""

    map: MapSection
    comparison: compare.CompareSection


def build(models: Models, dataset: gr.Radio, latent_dim: int) -> LatentTab:
    """The tab's layout, then its events: the map's section, then the comparison's."""
    gr.set_static_paths([*SCRIPTS, *map_decoders(models.weights_dir).values()])
    with gr.Tab("Latent space", id="latent"):
        gr.Markdown(folded("What this map shows, and how to read it", HELP.format(beta=MAP_BETA)))
        with gr.Row(elem_id="map-row"):
            shown = map_column() | posterior_column()
        section = MapSection(models=models, focus=gr.State(None), **shown, **point_row())
        section.wire(dataset)
        comparison = compare.build(models, dataset, latent_dim)
    return LatentTab(map=section, comparison=comparison)
