"""VAE playground: drag latent sliders, draw a digit, and watch a variational autoencoder at work."""

import os
import sys
import threading
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING

import gradio as gr
import numpy as np
from gradio.components.image_editor import EditorData

from vae.sketch import SketchError, check_image_file
from vae.views import SLIDER_RANGE
from vae.weights import CONFIG_FILE, WEIGHTS_DIR, WeightsError, check_config_value, read_config_json

if TYPE_CHECKING:  # these import torch, which Models.load does once the page is served
    from vae.demo import Playground
    from vae.explore import LatentSpace

INTRO = """
# Variational autoencoder playground
A VAE squeezes each 28x28 image into a few numbers, its **latent code z**. The encoder does not
give one point but a mean **μ** and a spread **σ** per dimension, the model decodes a sample
**z = μ + σ·ε**, and a KL term pulls every code towards N(0, 1). That is why *any* z near the
origin decodes to a plausible digit: the latent space has no holes. Pick a dataset below: every tab
switches to the models trained on it.
"""

GENERATE_HELP = """
Each slider is one latent dimension, the most informative first (by their KL on the test set).
Drag one and the image morphs smoothly: nearby codes decode to similar images. Under it, a small
classifier trained on the same dataset says what it sees.
"""

DRAW_HELP = """
Draw a digit (or, with Fashion-MNIST, a piece of clothing). It is prepared as the dataset's images
were: a digit is cropped, scaled to 20 px and centred by its centre of mass; clothing fills the
28x28 frame. The encoder turns it into μ and σ, and the decoder redraws it from z = μ and from samples of
z ~ N(μ, σ²).
"""

LATENT_HELP = """
The same VAE with only **two** latent dimensions, so its whole latent space fits on a page. Left:
where the 10,000 test images land (their μ), coloured by class. Right: what the decoder draws across
the prior, each cell at a quantile of N(0, 1). **Click the map** to decode that point; your drawing
from the Draw tab shows as a red ring.
"""

INTERPOLATE_HELP = """
Draw two digits, or leave a pad empty to start or end at a random sample, and walk the latent space
from one code to the other: every step is decoded. **Spherical** interpolation is the default: in
16 dimensions, codes from N(0, I) lie near a shell of radius about 4 (√16), and the straight line
between two of them cuts inside it (its middle is only about 2.8 from the origin), through codes
the decoder rarely saw, so the middle of a straight-line morph tends to fade. The spherical path
keeps its distance from the origin. Switch to the straight line to compare.
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

CSS = """
.latents { font-family: ui-monospace, monospace; font-size: 12px; }
.zrow { display: flex; align-items: center; gap: 8px; height: 18px; }
.zname { width: 28px; text-align: right; }
.ztrack { position: relative; flex: 1; height: 12px; background: #2221; border-radius: 3px; }
.zprior { position: absolute; left: 33.3%; width: 33.3%; top: 0; bottom: 0; background: #8884; }
.zbox { position: absolute; top: 2px; bottom: 2px; background: #f97316aa; border-radius: 2px; }
.zmu { position: absolute; top: 0; bottom: 0; width: 2px; background: #c2410c; }
.zval { width: 190px; white-space: nowrap; }
.zlegend { font-size: 12px; opacity: 0.8; }
.morph img { width: 224px; height: 224px; image-rendering: pixelated; display: block; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 12px; font-size: 13px; }
.swatch > span { display: inline-block; width: 10px; height: 10px; border-radius: 50%; margin-right: 4px; }
"""

# Gradio's sketch pad starts with no tool picked ("select the draw tool to start"); a visitor who
# opens a tab with pads should be able to draw at once, so the tab picks the brush of each shown pad.
PICK_BRUSH_JS = """
() => {
  const pick = (tries) => {
    const brushes = [...document.querySelectorAll('.pad button[aria-label="Brush"]')]
      .filter((brush) => brush.offsetParent !== null);
    brushes.filter((brush) => !brush.classList.contains("highlight")).forEach((brush) => brush.click());
    if (brushes.length === 0 && tries > 0) setTimeout(() => pick(tries - 1), 50);
  };
  pick(40);
}
"""


# Shared by main(), the tests and the benchmarks, so all of them measure the app as deployed.
QUEUE_SETTINGS = {"default_concurrency_limit": 2, "max_size": 64}
LAUNCH_SETTINGS = {"css": CSS, "max_file_size": "10mb", "show_error": True}


def with_upload_checks(pad: gr.Sketchpad) -> gr.Sketchpad:
    """Read each uploaded file's header before Gradio decodes it, so a non-image or an image bomb gets
    a message instead of a traceback. (A subclass would do too, but Gradio writes a .pyi beside it.)"""
    decode = pad.preprocess

    def preprocess(payload: EditorData | None) -> dict | None:
        try:
            if payload is not None:
                for file in [payload.background, payload.composite, *payload.layers]:
                    if file is not None:
                        check_image_file(file.path)
            return decode(payload)
        except SketchError as err:
            raise gr.Error(str(err), print_exception=False) from None

    pad.preprocess = preprocess
    return pad


DATASET_CHOICES = [("MNIST digits", "mnist"), ("Fashion-MNIST clothes", "fashion-mnist")]


class Models:
    """Every dataset's bundled models: each handler picks its dataset's by the selector's value.

    main() serves the page first and loads the models on a thread afterwards, because importing
    torch takes about as long as Gradio's whole start; a handler that needs them waits for them."""

    def __init__(self, weights_dir: Path = WEIGHTS_DIR) -> None:
        self.weights_dir = weights_dir
        self._loaded: Future[tuple[dict[str, Playground], dict[str, LatentSpace]]] = Future()

    def load(self) -> "Models":
        """Load each dataset's VAEs, autoencoders and classifier (importing torch); a failure is kept
        for the handlers to report, so the page stays up and says what went wrong."""
        try:
            from vae.demo import Playground
            from vae.explore import LatentSpace

            names = [name for _, name in DATASET_CHOICES]
            playgrounds = {name: Playground.from_folder(self.weights_dir, name) for name in names}
            latents = {
                name: LatentSpace.from_folder(self.weights_dir, name, playground.vae, playground.classifier)
                for name, playground in playgrounds.items()
            }
            self._loaded.set_result((playgrounds, latents))
        except Exception as err:
            self._loaded.set_exception(err)
            raise
        return self

    @property
    def playgrounds(self) -> "dict[str, Playground]":
        return self._wait()[0]

    @property
    def latents(self) -> "dict[str, LatentSpace]":
        return self._wait()[1]

    def _wait(self) -> "tuple[dict[str, Playground], dict[str, LatentSpace]]":
        try:
            return self._loaded.result()
        except Exception as err:
            raise gr.Error(f"The bundled models could not be loaded: {err}", print_exception=False) from None

    def latent_size(self) -> int:
        """How many sliders to build: the first dataset's VAE latent size, read from its config.json
        alone, since the page is built before torch and the models load."""
        folder = self.weights_dir / f"{DATASET_CHOICES[0][1]}-vae"
        size = read_config_json(folder).get("latent_dim")
        return check_config_value(folder / CONFIG_FILE, "latent_dim", size, int)

    def decode_batch(self, datasets: list[str], *columns: list[float]) -> list[list]:
        """batch=True slider events: each dataset's events decoded together, answers in arrival order."""
        images, captions = [None] * len(datasets), [""] * len(datasets)
        for name in set(datasets):
            rows = [i for i, dataset in enumerate(datasets) if dataset == name]
            decoded = self.playgrounds[name].decode_batch(*[[column[i] for i in rows] for column in columns])
            for i, image, caption in zip(rows, *decoded, strict=True):
                images[i], captions[i] = image, caption
        return [images, captions]

    def reconstruct(self, dataset: str, sketch: dict | None) -> tuple:
        """The Draw tab's outputs, in build_demo's order."""
        result = self.playgrounds[dataset].reconstruct(sketch)
        return (
            result.reconstruction,
            result.caption,
            result.model_input,
            result.posterior_samples,
            result.latents,
            result.message,
            result.mu,
            result.pixels,
        )

    def latent_views(self, dataset: str, drawing: np.ndarray | None) -> tuple:
        """The Latent space tab for a dataset: its maps, legend and manifold, no decoded point yet."""
        latent = self.latents[dataset]
        return (latent.locate(drawing), latent.legend(), latent.manifold, latent.ae_map, latent.map, None, "")


def build_demo(models: Models) -> gr.Blocks:
    """The whole UI; every event is a plain method of a Playground, a LatentSpace or Models. It needs no
    loaded model: the images appear through the page's load event, as they do on a dataset switch."""
    first = DATASET_CHOICES[0][1]
    n = models.latent_size()
    with gr.Blocks(title="VAE playground") as demo:
        gr.Markdown(INTRO)
        dataset = gr.Radio(DATASET_CHOICES, value=first, label="Dataset", elem_id="dataset")
        with gr.Tabs() as tabs:
            with gr.Tab("Generate", id="generate"):
                gr.Markdown(GENERATE_HELP)
                with gr.Row():
                    with gr.Column(scale=3):
                        sliders = [
                            gr.Slider(-SLIDER_RANGE, SLIDER_RANGE, value=0.0, step=0.01, label=f"z{i + 1}")
                            for i in range(n)
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
                        digit_caption = gr.Markdown("Loading the models…", elem_id="digit-caption")
                        temperature = gr.Slider(0.0, 2.0, value=1.0, step=0.05, label="Temperature")
                        seed = gr.Number(value=-1, label="Seed (-1: a new one each time)", precision=0)
                        with gr.Row():
                            random_button = gr.Button("Random sample", variant="primary")
                            reset_button = gr.Button("Reset to 0")
                        grid_button = gr.Button("64 samples at this temperature")
                sample_grid = gr.Image(
                    label="64 samples of z ~ N(0, T²I)",
                    format="png",
                    buttons=["download"],
                    elem_id="sample-grid",
                )
            with gr.Tab("Draw", id="draw") as draw_tab:
                gr.Markdown(DRAW_HELP)
                with gr.Row():
                    with gr.Column(scale=1):
                        sketch = with_upload_checks(
                            gr.Sketchpad(
                                label="Draw here",
                                type="numpy",
                                image_mode="RGBA",
                                canvas_size=(400, 400),
                                brush=gr.Brush(colors=["#000000"], color_mode="fixed", default_size=14),
                                layers=False,
                                elem_id="sketch",
                                elem_classes=["pad"],
                            )
                        )
                        use_button = gr.Button("Use in sliders")
                    with gr.Column(scale=1):
                        message = gr.Markdown("Draw on the pad.", elem_id="draw-message")
                        with gr.Row():
                            model_input = gr.Image(label="What the model sees (28x28)", format="png")
                            with gr.Column():
                                reconstruction = gr.Image(
                                    label="Reconstruction from z = μ", format="png", elem_id="reconstruction"
                                )
                                reconstruction_caption = gr.Markdown(elem_id="reconstruction-caption")
                        posterior = gr.Image(label="Decodes of z ~ N(μ, σ²)", format="png")
                        latents = gr.HTML()
            with gr.Tab("Interpolate", id="interpolate") as interpolate_tab:
                gr.Markdown(INTERPOLATE_HELP)
                with gr.Row():
                    start_pad, end_pad = (
                        with_upload_checks(
                            gr.Sketchpad(
                                label=label,
                                type="numpy",
                                image_mode="RGBA",
                                canvas_size=(280, 280),
                                brush=gr.Brush(colors=["#000000"], color_mode="fixed", default_size=10),
                                layers=False,
                                elem_id=elem_id,
                                elem_classes=["pad"],
                            )
                        )
                        for label, elem_id in (
                            ("From (empty: random)", "start-pad"),
                            ("To (empty: random)", "end-pad"),
                        )
                    )
                    with gr.Column():
                        method = gr.Radio(
                            [("spherical (slerp)", "slerp"), ("straight line (lerp)", "lerp")],
                            value="slerp",
                            label="Path",
                        )
                        steps = gr.Slider(8, 12, value=10, step=1, label="Steps")
                        morph_seed = gr.Number(0, label="Seed for random ends", precision=0)
                        interpolate_button = gr.Button("Interpolate", variant="primary")
                morph_message = gr.Markdown(elem_id="morph-message")
                morph_strip = gr.Image(label="Decodes along the path", format="png", elem_id="morph-strip")
                morph_gif = gr.HTML(elem_id="morph-gif")
            with gr.Tab("Latent space", id="latent"):
                gr.Markdown(LATENT_HELP)
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
                for size in (2, n):
                    with gr.Row():
                        random_grids += [
                            gr.Image(label=f"{size}-D {model}: 64 random codes", format="png")
                            for model in ("autoencoder", "VAE")
                        ]
                compare_text = gr.Markdown(elem_id="compare-caption")
                compare_seed = gr.Number(0, label="Seed", precision=0)
                compare_button = gr.Button("New random codes")
        mu_state, pixels_state = gr.State(None), gr.State(None)

        def clicked_code(dataset: str, event: gr.SelectData) -> tuple[float, float]:
            """Gradio passes the click's pixel only to a handler annotated with gr.SelectData."""
            return models.latents[dataset].clicked_code(*event.index)

        for tab in (draw_tab, interpolate_tab):
            tab.select(None, js=PICK_BRUSH_JS, api_name=False)

        digit_outputs = [*sliders, digit, digit_caption]
        compare_outputs = [*random_grids, compare_text]

        def reset(name: str) -> list:
            return models.playgrounds[name].reset()

        def compare(name: str, seed: float) -> tuple:
            return models.latents[name].compare(seed)

        for slider in sliders:
            slider.input(
                models.decode_batch,
                [dataset, *sliders],
                [digit, digit_caption],
                batch=True,  # under load, waiting slider events are decoded in one forward pass
                max_batch_size=32,
                api_name="decode" if slider is sliders[0] else False,
                trigger_mode="always_last",
                show_progress="hidden",
            )
        random_button.click(
            lambda name, t, s: models.playgrounds[name].random(t, s),
            [dataset, temperature, seed],
            digit_outputs,
            api_name="random",
            show_progress="hidden",
        )
        reset_button.click(
            reset,
            dataset,
            digit_outputs,
            api_name="reset",
            show_progress="hidden",
        )
        grid_button.click(
            lambda name, t, s: models.playgrounds[name].sample_grid(t, s),
            [dataset, temperature, seed],
            sample_grid,
            api_name="sample_grid",
        )
        draw_outputs = [
            reconstruction,
            reconstruction_caption,
            model_input,
            posterior,
            latents,
            message,
            mu_state,
            pixels_state,
        ]
        sketch.change(
            models.reconstruct,
            [dataset, sketch],
            draw_outputs,
            api_name="reconstruct",
            trigger_mode="always_last",
            show_progress="hidden",
        ).then(
            lambda name, pixels: models.latents[name].locate(pixels),
            [dataset, pixels_state],
            latent_map,
            api_name=False,
            show_progress="hidden",
        )
        latent_map.select(clicked_code, dataset, [z1_box, z2_box], api_name=False).then(
            lambda name, z1, z2, pixels: models.latents[name].decode_at(z1, z2, pixels),
            [dataset, z1_box, z2_box, pixels_state],
            [latent_map, map_digit, map_caption],
            api_name="latent_map",
        )
        interpolate_button.click(
            lambda name, *args: models.playgrounds[name].interpolate(*args),
            [dataset, start_pad, end_pad, morph_seed, method, steps],
            [morph_strip, morph_gif, morph_message],
            api_name="interpolate",
        )
        compare_button.click(compare, [dataset, compare_seed], compare_outputs, api_name="compare_ae")
        use_button.click(
            lambda name, mu: [*models.playgrounds[name].sliders_from(mu), gr.Tabs(selected="generate")],
            [dataset, mu_state],
            [*digit_outputs, tabs],
            api_name=False,
        )
        # On page load and on a new dataset, every tab draws with that dataset's models, the drawing
        # re-encoded included.
        shown = [demo.load, dataset.change]
        gr.on(shown, reset, dataset, digit_outputs, api_name=False, show_progress="hidden")
        gr.on(shown, models.reconstruct, [dataset, sketch], draw_outputs, api_name=False).then(
            models.latent_views,
            [dataset, pixels_state],
            [latent_map, legend, manifold, ae_map, vae_map, map_digit, map_caption],
            api_name=False,
        ).then(compare, [dataset, compare_seed], compare_outputs, api_name=False)
    return demo


def main() -> None:
    # Gradio recomputes its analytics summary (a pandas groupby over up to 10,000 past events) after
    # every event by default; under load that costs more than the model. Every 1,000 events is plenty.
    os.environ.setdefault("GRADIO_ANALYTICS_CACHE_FREQUENCY", "1000")
    models = Models()
    try:
        demo = build_demo(models)
    except WeightsError as err:
        sys.exit(f"Cannot start the app: {err}")
    demo.queue(**QUEUE_SETTINGS)
    demo.launch(
        server_name=os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1"),
        server_port=int(os.environ.get("GRADIO_SERVER_PORT") or os.environ.get("PORT") or 7860),
        prevent_thread_lock=True,
        **LAUNCH_SETTINGS,
    )
    threading.Thread(target=load_for_serving, args=(models,), name="load-models", daemon=True).start()
    demo.block_thread()


def load_for_serving(models: Models) -> None:
    """main()'s model loading, on a thread while the first visitors' browsers render the page."""
    import torch

    torch.set_num_threads(1)  # a Space has 2 vCPUs: one decode per core beats two threads per decode
    models.load()


if __name__ == "__main__":
    main()
