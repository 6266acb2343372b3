"""The Draw tab: a sketch pad, what the model sees, its reconstruction, and μ, σ and KL per dimension."""

from dataclasses import dataclass, field

import gradio as gr
import numpy as np
from PIL import Image

from ui.inputs import checked, number
from ui.models import Models
from ui.page import folded
from ui.widgets import pick_brush_when_shown, sketch_pad
from vae.subsets import HELD_OUT_IMAGES, load_subset

HELP = """
Draw a digit (or, with Fashion-MNIST, a piece of clothing). It is prepared as the dataset's images
were: a digit is cropped, scaled to 20 px and centred by its centre of mass; clothing fills the
28x28 frame. The encoder turns it into μ and σ, and the decoder redraws it from z = μ and from samples of
z ~ N(μ, σ²).
"""


@dataclass(kw_only=True)
class DrawTab:
    """The tab's components and handler; other tabs read the drawing's μ (Use in sliders) and its 28x28
    pixels (the ring on the latent map), and follow `reconstructed`, the event that sets them."""

    models: Models
    sketch: gr.Sketchpad
    use_button: gr.Button
    reconstruction: gr.Image
    caption: gr.Markdown
    model_input: gr.Image
    posterior: gr.Image
    latents: gr.HTML
    message: gr.Markdown
    mu: gr.State
    pixels: gr.State
    reconstructed: gr.events.Dependency | None = field(default=None, init=False)

    @property
    def outputs(self) -> list[gr.components.Component]:
        """What reconstruct answers, in order; the two states last."""
        return [
            self.reconstruction,
            self.caption,
            self.model_input,
            self.posterior,
            self.latents,
            self.message,
            self.mu,
            self.pixels,
        ]

    def reconstruct(self, dataset: str, drawing: dict | None) -> dict:
        """Encode a drawing into μ and σ and decode it from z = μ and from samples of z ~ N(μ, σ²).

        Args:
            dataset: "mnist" or "fashion-mnist": whose VAE encodes the drawing.
            drawing: the sketch pad's value {"background", "layers", "composite"}: dark strokes, composite.
        """
        result = self.models[dataset].draw.reconstruct(drawing)
        return {
            self.reconstruction: result.reconstruction,
            self.caption: result.caption,
            self.model_input: result.model_input,
            self.posterior: result.posterior_samples,
            self.latents: result.latents,
            self.message: result.message,
            self.mu: result.mu,
            self.pixels: result.pixels,
        }

    def wire(self, dataset: gr.Radio) -> None:
        """The tab's own event: a drawing is reconstructed as it changes."""
        self.reconstructed = self.sketch.change(
            self.reconstruct,
            [dataset, self.sketch],
            self.outputs,
            api_name=False,
            trigger_mode="always_last",
            show_progress="hidden",
        )


def held_out_drawing(dataset: str, index: int) -> dict:
    """Held-out test image index as dark strokes on the sketch pad's transparent canvas: a drawing given
    without a mouse or a finger (and the tour's example)."""
    pixels = load_subset(dataset).test_images[int(index)]
    ink = Image.fromarray(pixels).resize((280, 280), Image.BILINEAR)
    canvas = Image.new("RGBA", (400, 400), (0, 0, 0, 0))
    canvas.paste(Image.merge("RGBA", [Image.new("L", ink.size, 0)] * 3 + [ink]), (60, 60))
    drawing = np.asarray(canvas)
    return {"background": None, "layers": [drawing], "composite": drawing}


def held_out_picker() -> tuple[gr.Number, gr.Button]:
    """A keyboard's way to give the pad a drawing: a held-out image's number, and a button."""
    with gr.Row(elem_id="held-out-row"):
        index = checked(
            gr.Number(
                0,
                label=f"Or a held-out test image, 0 to {HELD_OUT_IMAGES - 1}",
                precision=0,
                minimum=0,
                maximum=HELD_OUT_IMAGES - 1,
                elem_id="held-out-index",
            ),
            number("image", 0, HELD_OUT_IMAGES - 1, whole=True),
        )
        button = gr.Button("Put it on the pad", elem_id="held-out-button")
    return index, button


def build(models: Models, dataset: gr.Radio) -> DrawTab:
    """The tab's layout, then its events."""
    with gr.Tab("Draw", id="draw") as tab:
        gr.Markdown(folded("How your drawing is read", HELP))
        with gr.Row():
            with gr.Column(scale=1):
                sketch = sketch_pad("drawing", "Draw here", "sketch", size=400, brush_size=14)
                use_button = gr.Button("Use in sliders")
                held_out_index, held_out_button = held_out_picker()
            with gr.Column(scale=1):
                message = gr.Markdown("Draw on the pad.", label="message", elem_id="draw-message")
                with gr.Row():
                    model_input = gr.Image(
                        label="What the model sees (28x28)",
                        format="png",
                        height=280,
                        width=280,
                        elem_id="model-input",
                        alt_text="Your drawing as the model sees it: 28 by 28 grey pixels, centred as the "
                        "dataset's images were.",
                    )
                    with gr.Column():
                        reconstruction = gr.Image(
                            label="Reconstruction from z = μ",
                            format="png",
                            height=280,
                            elem_id="reconstruction",
                            alt_text="The decode of your drawing's mean code z = μ; the reading is below it.",
                        )
                        caption = gr.Markdown(label="reading", elem_id="reconstruction-caption")
                posterior = gr.Image(
                    label="Decodes of z ~ N(μ, σ²)",
                    format="png",
                    elem_id="posterior",
                    alt_text="Six decodes of z = μ + σ·ε for your drawing: what its code's spread changes.",
                )
                latents = gr.HTML(label="mu, sigma and KL per dimension")
        # Inside the tab: a component left directly under gr.Tabs shifts the later tabs' places, and
        # Gradio then draws a second button for each of them once it is opened.
        mu, pixels = gr.State(None), gr.State(None)
    pick_brush_when_shown(tab)
    draw = DrawTab(
        models=models,
        sketch=sketch,
        use_button=use_button,
        reconstruction=reconstruction,
        caption=caption,
        model_input=model_input,
        posterior=posterior,
        latents=latents,
        message=message,
        mu=mu,
        pixels=pixels,
    )
    draw.wire(dataset)
    held_out_button.click(
        held_out_drawing, [dataset, held_out_index], sketch, api_name=False, show_progress="hidden"
    )
    return draw
