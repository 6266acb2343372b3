"""VAE playground: drag latent sliders, draw a digit, and watch a variational autoencoder at work."""

import os

import gradio as gr
import torch
from gradio.components.image_editor import EditorData

from vae.demo import SLIDER_RANGE, Playground, Reconstruction
from vae.explore import LatentSpace
from vae.sketch import SketchError, check_image_file

INTRO = """
# Variational autoencoder playground
A VAE squeezes each 28x28 digit into a few numbers, its **latent code z**. The encoder does not
give one point but a mean **μ** and a spread **σ** per dimension, the model decodes a sample
**z = μ + σ·ε**, and a KL term pulls every code towards N(0, 1). That is why *any* z near the
origin decodes to a plausible digit: the latent space has no holes.
"""

GENERATE_HELP = """
Each slider is one latent dimension, the most informative first (by their KL on the test set).
Drag one and the digit morphs smoothly: nearby codes decode to similar digits.
"""

DRAW_HELP = """
Draw a digit. It is cropped, scaled to 20 px and centred by its centre of mass, as MNIST was made;
the encoder turns it into μ and σ, and the decoder redraws it from z = μ and from samples of
z ~ N(μ, σ²).
"""

LATENT_HELP = """
The same VAE with only **two** latent dimensions, so its whole latent space fits on a page. Left:
where the 10,000 test digits land (their μ), coloured by digit. Right: what the decoder draws across
the prior, each cell at a quantile of N(0, 1). **Click the map** to decode that point; your drawing
from the Draw tab shows as a red ring.
"""

COMPARE_HELP = """
### Why a VAE, not a plain autoencoder?
Both models below have the same network and a 2-D code. The autoencoder maps each digit to one
point and is trained only to reconstruct, so nothing shapes the space between its clusters or tells
the decoder what to draw there. The VAE encodes a cloud N(μ, σ²) and pays a KL price for straying
from N(0, 1), so its codes fill the prior's space, and sampling z ~ N(0, I) is meaningful. Compare
the two maps, then decode random codes from each (drawn from a Gaussian fitted to each model's own
test codes); the caption counts how many decodes the classifier is sure are digits.
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
"""

# Gradio's sketch pad starts with no tool picked ("select the draw tool to start"); a visitor who
# opens the Draw tab should be able to draw at once, so the tab picks the brush for them.
PICK_BRUSH_JS = """
() => {
  const pick = (tries) => {
    const brush = document.querySelector('#sketch button[aria-label="Brush"]');
    if (brush && !brush.classList.contains("highlight")) brush.click();
    else if (!brush && tries > 0) setTimeout(() => pick(tries - 1), 50);
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


def reconstruction_outputs(result: Reconstruction) -> tuple:
    return (
        result.reconstruction,
        result.model_input,
        result.posterior_samples,
        result.latents,
        result.message,
        result.mu,
        result.pixels,
    )


def build_demo(playground: Playground, latent: LatentSpace) -> gr.Blocks:
    """The whole UI; every event is a plain method of playground or latent."""
    n = playground.latent_dim
    with gr.Blocks(title="VAE playground") as demo:
        gr.Markdown(INTRO)
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
                            value=playground.decode(*[0.0] * n),
                            label="Decoded digit",
                            format="png",
                            height=300,
                            width=300,
                            elem_id="digit",
                            buttons=["download"],
                        )
                        temperature = gr.Slider(0.0, 2.0, value=1.0, step=0.05, label="Temperature")
                        seed = gr.Number(value=-1, label="Seed (-1: a new one each time)", precision=0)
                        with gr.Row():
                            random_button = gr.Button("Random sample", variant="primary")
                            reset_button = gr.Button("Reset to 0")
            with gr.Tab("Draw", id="draw") as draw_tab:
                gr.Markdown(DRAW_HELP)
                with gr.Row():
                    with gr.Column(scale=1):
                        sketch = with_upload_checks(
                            gr.Sketchpad(
                                label="Draw a digit",
                                type="numpy",
                                image_mode="RGBA",
                                canvas_size=(400, 400),
                                brush=gr.Brush(colors=["#000000"], color_mode="fixed", default_size=14),
                                layers=False,
                                elem_id="sketch",
                            )
                        )
                        use_button = gr.Button("Use in sliders")
                    with gr.Column(scale=1):
                        message = gr.Markdown("Draw a digit on the pad.", elem_id="draw-message")
                        with gr.Row():
                            model_input = gr.Image(label="What the model sees (28x28)", format="png")
                            reconstruction = gr.Image(
                                label="Reconstruction from z = μ", format="png", elem_id="reconstruction"
                            )
                        posterior = gr.Image(label="Decodes of z ~ N(μ, σ²)", format="png")
                        latents = gr.HTML()
            with gr.Tab("Latent space", id="latent"):
                gr.Markdown(LATENT_HELP)
                with gr.Row():
                    latent_map = gr.Image(
                        value=latent.map,
                        label="Test digits in the 2-D latent space (click to decode)",
                        format="png",
                        interactive=False,
                        elem_id="latent-map",
                    )
                    gr.Image(value=latent.manifold, label="Decodes across the prior", format="png")
                with gr.Row():
                    with gr.Column(scale=1):
                        z1_box = gr.Number(0.0, label="z1")
                        z2_box = gr.Number(0.0, label="z2")
                        map_caption = gr.Markdown(elem_id="map-caption")
                    map_digit = gr.Image(label="Decoded point", format="png", height=280, width=280)
                gr.Markdown(COMPARE_HELP)
                with gr.Row():
                    gr.Image(value=latent.ae_map, label="Autoencoder: test codes", format="png")
                    gr.Image(value=latent.map, label="VAE: test codes", format="png")
                ae_grid, vae_grid, compare_caption = latent.compare(0)
                with gr.Row():
                    ae_samples = gr.Image(value=ae_grid, label="Autoencoder: 64 random codes", format="png")
                    vae_samples = gr.Image(value=vae_grid, label="VAE: 64 random codes", format="png")
                compare_text = gr.Markdown(compare_caption, elem_id="compare-caption")
                compare_seed = gr.Number(0, label="Seed", precision=0)
                compare_button = gr.Button("New random codes")
        mu_state, pixels_state = gr.State(None), gr.State(None)

        def clicked_code(event: gr.SelectData) -> tuple[float, float]:
            """Gradio passes the click's pixel only to a handler annotated with gr.SelectData."""
            return latent.clicked_code(*event.index)

        draw_tab.select(None, js=PICK_BRUSH_JS, api_name=False)

        sliders_and_digit = [*sliders, digit]
        for slider in sliders:
            slider.input(
                playground.decode_batch,
                sliders,
                digit,
                batch=True,  # under load, waiting slider events are decoded in one forward pass
                max_batch_size=32,
                api_name="decode" if slider is sliders[0] else False,
                trigger_mode="always_last",
                show_progress="hidden",
            )
        random_button.click(
            playground.random,
            [temperature, seed],
            sliders_and_digit,
            api_name="random",
            show_progress="hidden",
        )
        reset_button.click(
            playground.reset, None, sliders_and_digit, api_name="reset", show_progress="hidden"
        )
        sketch.change(
            lambda value: reconstruction_outputs(playground.reconstruct(value)),
            sketch,
            [reconstruction, model_input, posterior, latents, message, mu_state, pixels_state],
            api_name="reconstruct",
            trigger_mode="always_last",
            show_progress="hidden",
        ).then(latent.locate, pixels_state, latent_map, api_name=False, show_progress="hidden")
        latent_map.select(clicked_code, None, [z1_box, z2_box], api_name=False).then(
            latent.decode_at, [z1_box, z2_box], [latent_map, map_digit, map_caption], api_name="latent_map"
        )
        compare_button.click(
            latent.compare, compare_seed, [ae_samples, vae_samples, compare_text], api_name="compare_ae"
        )
        use_button.click(
            lambda mu: [*playground.sliders_from(mu), gr.Tabs(selected="generate")],
            mu_state,
            [*sliders_and_digit, tabs],
            api_name=False,
        )
    return demo


def main() -> None:
    torch.set_num_threads(1)  # a Space has 2 vCPUs: one decode per core beats two threads per decode
    # Gradio recomputes its analytics summary (a pandas groupby over up to 10,000 past events) after
    # every event by default; under load that costs more than the model. Every 1,000 events is plenty.
    os.environ.setdefault("GRADIO_ANALYTICS_CACHE_FREQUENCY", "1000")
    demo = build_demo(Playground.from_folder(), LatentSpace.from_folder())
    demo.queue(**QUEUE_SETTINGS)
    demo.launch(
        server_name=os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1"),
        server_port=int(os.environ.get("GRADIO_SERVER_PORT") or os.environ.get("PORT") or 7860),
        **LAUNCH_SETTINGS,
    )


if __name__ == "__main__":
    main()
