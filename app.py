"""VAE playground: drag latent sliders, draw a digit, and watch a variational autoencoder at work.

Each tab is a module of ui/ with its layout, its help and its events, and its work on the models in
the module of the same name in playground/; this file adds the intro, the dataset selector and what
links the tabs, and serves the page before torch and the models load."""

import os
import sys

import gradio as gr

from ui import api, draw, generate, interpolate, latent, links, page, tour, train
from ui.inputs import checked, one_of
from ui.launch import launch
from ui.models import Models
from ui.page import folded
from vae.config import DATASETS
from vae.weights import WeightsError

TITLE = """
# Variational autoencoder playground
Each slider is one number of a VAE's latent code z: drag one and the decoder redraws the image.
"""

INTRO = """
A VAE squeezes each 28x28 image into a few numbers, its **latent code z**. The encoder does not
give one point but a mean **μ** and a spread **σ** per dimension, the decoder learns from samples
**z = μ + σ·ε**, and a KL term pulls every image's cloud of codes towards N(0, I). So the codes
gather round the origin, close enough that most random z from N(0, I) decode to something plausible:
the Generate tab says how often, and the Latent space tab shows the holes that remain, where N(0, I)
puts codes the encoder seldom gives. The dataset below switches every tab to the models trained on it.
"""


def build_demo(models: Models) -> gr.Blocks:
    """The whole page. It needs no loaded model: the images arrive through the page's load event,
    as they do on a dataset switch. Each tab wires its own events; what follows links them."""
    latent_dim = models.latent_size()  # read from config.json once, for every tab that needs it
    with gr.Blocks(title="VAE playground") as demo:
        gr.Markdown(TITLE + folded("How a VAE works", INTRO), elem_id="intro")
        gr.HTML(links.TOOLBAR_HTML, elem_id="page-tools")
        choices = [(dataset.choice, name) for name, dataset in DATASETS.items()]
        dataset = checked(
            gr.Radio(choices, value=choices[0][1], label="Dataset", elem_id="dataset"),
            one_of("dataset", DATASETS),
        )
        with gr.Tabs() as tabs:
            generator = generate.build(models, dataset, latent_dim)
            drawing = draw.build(models, dataset)
            interpolate.build(models, dataset)
            space = latent.build(models, dataset, latent_dim)
            training = train.build(models, dataset)
        page_links = links.build(
            {
                "dataset": dataset,
                "z": generator.sliders,
                "sampler": generator.sampler,
                "temperature": generator.temperature,
                "seed": generator.seed,
                "beta": training.beta,
                "epochs": training.epochs,
                "train_seed": training.seed,
                "map": space.map.map_view,
                "compare": space.comparison.sampler,
            }
        )
        tour.build(models).wire(dataset, drawing.sketch)
        link_drawing(models, dataset, drawing, space.map, generator, tabs)
        # The page load first takes the state its link carries (the page paints the digit itself), then
        # the server adds the classifier's reading; a tour step does the same through a hidden button. A
        # dataset picked by the visitor starts at the origin of its latent space.
        reading = {"fn": generator.decode, "inputs": [dataset, *generator.sliders]}
        page_links.wire(demo, {**reading, "outputs": [generator.digit, generator.caption]})
        dataset.input(
            generator.reset,
            dataset,
            generator.outputs,
            api_name=False,
            show_progress="hidden",
            trigger_mode="always_last",  # a quick second switch is drawn, not dropped
        )
        show_dataset([demo.load, dataset.change], dataset, generator, drawing, space, training)
        api.build(models, latent_dim)  # the endpoints for programs and agents: the page's events are private
    return demo


def link_drawing(
    models: Models,
    dataset: gr.Radio,
    drawing: draw.DrawTab,
    space: latent.MapSection,
    generator: generate.GenerateTab,
    tabs: gr.Tabs,
) -> None:
    """A drawing, once reconstructed, is the latent map's focus (its posterior, marked on the map);
    Use in sliders copies its μ to the Generate tab."""
    drawing.reconstructed.then(
        space.posterior,
        [dataset, drawing.sketch],
        space.posterior_outputs,
        api_name=False,
        show_progress="hidden",
    ).then(
        space.refocused,
        [dataset, space.map_view, space.focus],
        space.refocus_outputs,
        api_name=False,
        show_progress="hidden",
    )

    def use_in_sliders(name: str, mu: list[float] | None) -> dict:
        """The drawing's μ on the Generate tab's sliders; with nothing drawn, a word, not zeros."""
        if mu is None:
            return {drawing.message: "Draw on the pad first: *Use in sliders* copies a drawing's μ."}
        return {**generator.show(*models[name].generate.sliders_from(mu)), tabs: gr.Tabs(selected="generate")}

    drawing.use_button.click(
        use_in_sliders, [dataset, drawing.mu], [*generator.outputs, tabs, drawing.message], api_name=False
    )


def show_dataset(
    shown: list,
    dataset: gr.Radio,
    generator: generate.GenerateTab,
    drawing: draw.DrawTab,
    space: latent.LatentTab,
    training: train.TrainTab,
) -> None:
    """On page load and on a new dataset, every tab draws with that dataset's models, the drawing
    re-encoded included; a switch during the load's chain runs after it, not beside it."""
    chain = {"api_name": False, "trigger_mode": "always_last"}
    gr.on(shown, generator.sampler_note, dataset, generator.note, **chain)
    sweep = [training.sweep_gallery, training.sweep_legend, training.sweep_figures]
    gr.on(shown, training.sweep, dataset, sweep, **chain)
    section, comparison = space.map, space.comparison
    gr.on(shown, drawing.reconstruct, [dataset, drawing.sketch], drawing.outputs, **chain).then(
        section.views, [dataset, section.map_view, drawing.pixels], section.view_outputs, **chain
    ).then(comparison.views, [dataset, *comparison.inputs], comparison.view_outputs, **chain).then(
        comparison.catch_up,
        [dataset, *comparison.inputs, comparison.drawn_sampler],
        comparison.outputs,
        **chain,
    )


def page_head(models: Models) -> str:
    """What the page needs in its <head> before Gradio draws it: window.vaePage (what the scripts read),
    the rules behind a link's hide=, and the scripts, links.js before the tabs' that use it."""
    latent_dim = models.latent_size()
    config = generate.page_config(models.weights_dir, latent_dim) | latent.page_config(models.weights_dir)
    config |= links.page_config() | tour.page_config(models.weights_dir)
    scripts = [*links.SCRIPTS, *generate.SCRIPTS, *latent.SCRIPTS, *tour.SCRIPTS]
    return page.head(config, scripts, links.hide_css(latent_dim) + "\n" + generate.arrival_css(latent_dim))


def main() -> None:
    # Gradio recomputes its analytics summary (a pandas groupby over up to 10,000 past events) after
    # every event by default; under load that costs more than the model. Every 1,000 events is plenty.
    os.environ.setdefault("GRADIO_ANALYTICS_CACHE_FREQUENCY", "1000")
    models = Models()
    try:
        demo = build_demo(models)
    except WeightsError as err:
        sys.exit(f"Cannot start the app: {err}")
    launch(
        demo,
        page_head(models),
        host=os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1"),
        port=int(os.environ.get("GRADIO_SERVER_PORT") or os.environ.get("PORT") or 7860),
    )
    models.start_loading(torch_threads=1)  # a Space has 2 vCPUs: one decode per core beats two threads each
    demo.block_thread()


if __name__ == "__main__":
    main()
