"""The Train tab: the visitor turns the KL weight β, trains a 2-D VAE and watches its latent space form,
beside the bundled β sweep trained by the same loop."""

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import gradio as gr
import pandas as pd

from playground.gpu import train_on_gpu
from playground.pictures import class_keys, legend_html
from playground.runs import (
    DEFAULT_EPOCHS,
    LIVE_HIDDEN,
    MAP_EDGE,
    MAX_BETA,
    MAX_EPOCHS,
    SettingsError,
    check_settings,
    run_record,
)
from ui.inputs import MAX_SEED, checked, number
from ui.models import Models
from ui.page import folded
from vae.config import DATASETS
from vae.subsets import Subset, load_subset

if TYPE_CHECKING:  # it imports torch, which Models loads on its thread
    from playground.train import SweepRun

HELP = """
A VAE's loss is **reconstruction + β · KL**: the first term pays for every detail the decoder gets
wrong, the second for every code that strays from N(0, I). With β = 1 it is the VAE's ELBO; with β = 0
nothing pulls the codes together, as in a plain autoencoder; with a large β the codes huddle inside
N(0, I) and carry less about the image. Below, the same small network (one hidden layer of {hidden}, a
2-D code) trained for {epochs} epochs at five values of β on the first {images:,} training images,
which come with the app (a subset of what the other tabs' 16-D models learned from); each map shows
where its {held_out:,} held-out images land, on the same axes ({low:g} to {high:g}), with N(0, I)'s 1σ
and 2σ circles.
"""

RUN_HELP = """
## Train your own
Pick β and press **Train**: the map, the decodes and the curves below follow your run epoch by
epoch (a run of {epochs} epochs takes about 15 seconds on two CPU cores; runs from several visitors
wait their turn, and the page says your place). **Stop** ends the run and keeps what it has drawn.
"""


MAP_TITLE = (
    f"**Where the held-out images land (μ)**, on axes from {-MAP_EDGE:g} to {MAP_EDGE:g} with N(0, I)'s "
    "1σ and 2σ circles; an arrowhead on the edge is a code beyond it; the dashed square is the part "
    "of the plane that the decoder's grid covers"
)
MANIFOLD_TITLE = "**What the decoder draws** across the prior's quantiles, 5% to 95% in each direction"


def figure(label: str, elem_id: str, alt_text: str) -> gr.Image:
    """An image under its own title: Gradio's label chip would cover the picture's top, so the label
    is kept out of sight."""
    return gr.Image(
        label=label, show_label=False, format="png", elem_id=elem_id, buttons=["download"], alt_text=alt_text
    )


STARTING = (
    "**Starting your run** (β = {beta:g}, {epochs} epochs, seed {seed}): the server has only just started "
    "and is loading PyTorch; the untrained model's pictures follow in a few seconds, then one update "
    "per epoch."
)
YOURS, BUNDLED = "your run", "bundled run nearest in β, at its end"
# A short run's curves label each epoch (as numbers, a 3-epoch axis read 1.0, 1.2, 1.4 ...); from
# this many epochs on, the numbers' own ticks are whole and labels would crowd the axis.
NUMBERED_FROM_EPOCHS = 8
EPOCH_LABEL = "epoch as a label"  # curves()'s column of each epoch's number as text
CURVE_COLOURS = {YOURS: "#e76300", BUNDLED: "#8a8a8a"}


def curves(records: list[dict], bundled: "SweepRun", epochs: int) -> pd.DataFrame:
    """The run's held-out figures per epoch, and the bundled run nearest in β as a flat line across
    the plot: where the same loop ended, to hold the run against."""
    end = {key: bundled.figures[key] for key in ("reconstruction", "kl")}
    line = [{"epoch": epoch, **end, "run": BUNDLED} for epoch in range(1, epochs + 1)]
    frame = pd.concat([pd.DataFrame(records).assign(run=YOURS), pd.DataFrame(line)], ignore_index=True)
    return frame.assign(**{EPOCH_LABEL: frame["epoch"].astype(str)})


def epoch_axis(epochs: int) -> dict:
    """The curves' x for a run of this length: each epoch labelled, or numbered from 1 to the end."""
    if epochs < NUMBERED_FROM_EPOCHS:
        return {"x": EPOCH_LABEL, "sort": [str(epoch) for epoch in range(1, epochs + 1)]}
    return {"x": "epoch", "x_lim": [1, epochs]}


@dataclass(kw_only=True)
class TrainTab:
    """The tab's components and handlers."""

    models: Models
    sweep_gallery: gr.Gallery
    sweep_legend: gr.HTML
    sweep_figures: gr.Markdown
    beta: gr.Slider
    epochs: gr.Slider
    seed: gr.Number
    train_button: gr.Button
    stop_button: gr.Button
    run_map: gr.Image
    run_manifold: gr.Image
    run_samples: gr.Image
    reconstruction_plot: gr.LinePlot
    kl_plot: gr.LinePlot
    reading: gr.Markdown
    figures: gr.JSON
    # Sessions whose visitor pressed Stop: their run ends at its next epoch. (Gradio's own cancel would
    # also cancel a run pressed again before the cancel reached the queue.)
    stopping: set[str] = field(default_factory=set)

    @property
    def run_outputs(self) -> list[gr.components.Component]:
        """What train() sets after every epoch, in order."""
        return [
            *(self.run_map, self.run_manifold, self.run_samples),
            *(self.reconstruction_plot, self.kl_plot, self.reading, self.figures),
        ]

    def sweep(self, dataset: str) -> dict:
        """The bundled β sweep of a dataset: its maps and its figures."""
        handlers = self.models[dataset]
        return {
            self.sweep_gallery: handlers.train.sweep_gallery(),
            self.sweep_legend: legend_html(class_keys(dataset)),
            self.sweep_figures: folded(
                "What each β measured",
                handlers.train.sweep_table(handlers.bundle.held_out_sure_share),
                "figures",
            ),
        }

    def train(
        self, dataset: str, beta: float, epochs: float, seed: float, request: gr.Request | None = None
    ) -> Iterator[dict]:
        """Train a 2-D VAE with KL weight β on the dataset's bundled subset, streaming the untrained
        model's figures (epoch 0), then one update per epoch; on a just-started server, first a line
        saying the run is starting.

        Args:
            dataset: "mnist" or "fashion-mnist": the images the 2-D VAE trains on.
            beta: the KL term's weight, 0 to 10: 0 leaves the codes where they fall, 1 is the VAE's ELBO.
            epochs: passes over the 10,000 training images, 1 to 30.
            seed: a whole number that seeds the weights and the order of the images.
        """
        try:
            beta, epochs, seed = check_settings(beta, epochs, seed)
        except SettingsError as err:
            raise gr.Error(str(err), print_exception=False) from None
        session = request.session_hash if request is not None else None
        self.stopping.discard(session)
        if not self.models.training_ready():  # a just-started server: say so rather than stay silent
            yield {self.reading: STARTING.format(beta=beta, epochs=epochs, seed=seed), self.figures: []}
        training, records = self.models.training(dataset), []
        for row in train_on_gpu(dataset, beta, epochs, seed):
            records.append(run_record(row))
            # The curves start at epoch 1: the untrained model's reconstruction (about 540 nats) would
            # flatten everything after it. Until then they are cleared, not drawn without the run's
            # series: the page keeps the series of a plot's first data.
            curve = None
            if row["epoch"]:
                curve = gr.LinePlot(curves(records[1:], training.nearest(beta), epochs), **epoch_axis(epochs))
            run_map, manifold, samples = training.pictures(row)
            reading = training.reading(row)
            yield {
                self.run_map: run_map,
                self.run_manifold: manifold,
                self.run_samples: samples,
                self.reconstruction_plot: curve,
                self.kl_plot: curve,
                self.reading: reading,
                self.figures: json.loads(json.dumps(records)),
            }
            if session in self.stopping:  # Stop: leaving the loop closes the run; what it drew stays
                self.stopping.discard(session)
                yield {self.reading: f"**Stopped**, as you asked; the run keeps what it drew. {reading}"}
                return

    def stop(self, request: gr.Request) -> None:
        """Stop this visitor's run at its next epoch."""
        self.stopping.add(request.session_hash)

    def wire(self, dataset: gr.Radio) -> None:
        """The tab's own events: a run (one at a time on the server, the rest queued), and Stop."""
        self.train_button.click(
            self.train,
            [dataset, self.beta, self.epochs, self.seed],
            self.run_outputs,
            api_name=False,
            concurrency_limit=1,
            concurrency_id="train",
            show_progress="full",
        )
        self.stop_button.click(self.stop, None, None, api_name=False, concurrency_limit=None)


def curve_plot(figure: str, title: str, y_title: str) -> gr.LinePlot:
    """One of curves()'s columns per epoch, the run's line beside the bundled run's; #<figure>-plot."""
    return gr.LinePlot(
        x="epoch",
        y=figure,
        color="run",
        color_map=CURVE_COLOURS,
        title=title,
        x_title="epoch",
        y_title=y_title,
        label=f"{figure} curve",
        show_label=False,
        elem_id=f"{figure}-plot",
    )


def help_text(subset: Subset) -> str:
    """The tab's help, with the network's size, the run's length and the subset's counts filled in."""
    return HELP.format(
        hidden=LIVE_HIDDEN,
        epochs=DEFAULT_EPOCHS,
        images=len(subset.train_images),
        held_out=len(subset.test_images),
        low=-MAP_EDGE,
        high=MAP_EDGE,
    )


def run_controls() -> dict:
    """A run's settings and its buttons."""
    with gr.Column(scale=1, min_width=240):
        beta = gr.Slider(0.0, MAX_BETA, value=1.0, step=0.1, label="KL weight β", elem_id="train-beta")
        epochs = gr.Slider(
            1, MAX_EPOCHS, value=DEFAULT_EPOCHS, step=1, label="Epochs", elem_id="train-epochs"
        )
        seed = gr.Number(0, label="Seed", precision=0, minimum=0, elem_id="train-seed")
        checked(beta, number("beta", 0, MAX_BETA))
        checked(epochs, number("epochs", 1, MAX_EPOCHS, whole=True))
        checked(seed, number("seed", 0, MAX_SEED, whole=True))
        with gr.Row():
            train_button = gr.Button("Train", variant="primary")
            stop_button = gr.Button("Stop", variant="stop")
    return {
        "beta": beta,
        "epochs": epochs,
        "seed": seed,
        "train_button": train_button,
        "stop_button": stop_button,
    }


def run_pictures() -> dict:
    """What a run draws each epoch: its map and manifold, the reading, the curves, N(0, I)'s decodes."""
    with gr.Row():
        shown = run_controls()
        with gr.Column(scale=2, min_width=300):
            gr.Markdown(MAP_TITLE, elem_classes=["figure-title"])
            run_map = figure(
                "held-out codes map",
                "train-map",
                "Where your run's encoder puts the held-out images, coloured by class, with N(0, I)'s 1σ and "
                "2σ circles; the reading below gives the share inside them.",
            )
        with gr.Column(scale=2, min_width=300):
            gr.Markdown(MANIFOLD_TITLE, elem_classes=["figure-title"])
            run_manifold = figure(
                "decodes across the prior",
                "train-manifold",
                "A grid of your run's decodes across the prior's quantiles, 5% to 95% in each direction.",
            )
    reading = gr.Markdown(label="reading", elem_id="train-reading")
    with gr.Row():
        reconstruction_plot = curve_plot(
            "reconstruction", "Held-out reconstruction per image", "nats (lower is better)"
        )
        kl_plot = curve_plot("kl", "Held-out KL per image", "nats (lower: codes nearer N(0, I))")
        with gr.Column(min_width=300):
            gr.Markdown("**Decodes of 16 codes drawn from N(0, I)**", elem_classes=["figure-title"])
            run_samples = figure(
                "decodes of N(0, I)", "train-samples", "Your run's decodes of 16 codes drawn from N(0, I)."
            )
    with gr.Accordion("The run's figures, per epoch (JSON)", open=False):
        figures = gr.JSON(label="figures", show_label=False, elem_id="train-figures")
    return shown | {
        "run_map": run_map,
        "run_manifold": run_manifold,
        "reading": reading,
        "reconstruction_plot": reconstruction_plot,
        "kl_plot": kl_plot,
        "run_samples": run_samples,
        "figures": figures,
    }


def build(models: Models, dataset: gr.Radio) -> TrainTab:
    """The tab's layout, then its events."""
    with gr.Tab("Train", id="train"):
        subset = load_subset(next(iter(DATASETS)))  # every subset has the same counts
        gr.Markdown(folded("How β shapes the codes: five bundled runs", help_text(subset)))
        sweep_gallery = gr.Gallery(
            show_label=False, columns=5, object_fit="contain", allow_preview=False, elem_id="sweep-gallery"
        )
        sweep_legend = gr.HTML(elem_id="sweep-legend")
        sweep_figures = gr.Markdown(elem_id="sweep-figures")
        gr.Markdown(RUN_HELP.format(epochs=DEFAULT_EPOCHS))
        shown = run_pictures()
    train = TrainTab(
        models=models,
        sweep_gallery=sweep_gallery,
        sweep_legend=sweep_legend,
        sweep_figures=sweep_figures,
        **shown,
    )
    train.wire(dataset)
    return train
