"""The Interpolate tab: two drawings (or random samples) and the decodes along a path between their codes."""

from dataclasses import dataclass

import gradio as gr

from ui.inputs import checked, number, one_of, seed_check
from ui.models import Models
from ui.page import folded
from ui.widgets import pick_brush_when_shown, sketch_pad

HELP = """
Draw two images (digits, or clothes on Fashion-MNIST), or leave a pad empty to start or end at a
random sample (from the mixture that *Random sample* draws from), and walk the latent space from one
code to the other: every step is decoded. **Spherical** interpolation is the default: the KL term
pulls codes towards N(0, I), and in 16 dimensions codes from N(0, I) lie near a shell of radius
about 4 (√16), and the straight line
between two of them cuts inside it (its middle is only about 2.8 from the origin), through codes
the decoder rarely saw, so the middle of a straight-line morph tends to fade. The spherical path
keeps its distance from the origin. Switch to the straight line to compare.
"""


@dataclass(kw_only=True)
class InterpolateTab:
    """The tab's components and handler; no other tab reads it."""

    models: Models
    start_pad: gr.Sketchpad
    end_pad: gr.Sketchpad
    seed: gr.Number
    method: gr.Radio
    steps: gr.Slider
    button: gr.Button
    strip: gr.Image
    gif: gr.HTML
    message: gr.Markdown

    def interpolate(
        self, dataset: str, start: dict | None, end: dict | None, seed: float, method: str, steps: float
    ) -> dict:
        """Decode the codes along a path from one drawing's code to another's, with the morph as a GIF.

        Args:
            dataset: "mnist" or "fashion-mnist".
            start: a sketch pad's value {"background", "layers", "composite"}; None: a random sample.
            end: the second sketch pad's value, or None for a random sample.
            seed: seeds the random ends; -1 draws a new one each time.
            method: "slerp" (the spherical path) or "lerp" (the straight line).
            steps: how many decodes along the path, 2 to 16.
        """
        image, animation, text = self.models[dataset].interpolate.interpolate(start, end, seed, method, steps)
        return {self.strip: image, self.gif: animation, self.message: text}

    def wire(self, dataset: gr.Radio) -> None:
        """The tab's one event."""
        self.button.click(
            self.interpolate,
            [dataset, self.start_pad, self.end_pad, self.seed, self.method, self.steps],
            [self.strip, self.gif, self.message],
            api_name=False,
        )


def build(models: Models, dataset: gr.Radio) -> InterpolateTab:
    """The tab's layout, then its event."""
    with gr.Tab("Interpolate", id="interpolate") as tab:
        gr.Markdown(folded("Two drawings, or random samples, and the path between them", HELP))
        with gr.Row():
            start_pad = sketch_pad("start", "From (empty: random)", "start-pad", size=280, brush_size=10)
            end_pad = sketch_pad("end", "To (empty: random)", "end-pad", size=280, brush_size=10)
            with gr.Column():
                method = checked(
                    gr.Radio(
                        [("spherical (slerp)", "slerp"), ("straight line (lerp)", "lerp")],
                        value="slerp",
                        label="Path",
                    ),
                    one_of("method", ["slerp", "lerp"]),
                )
                steps = checked(
                    gr.Slider(8, 12, value=10, step=1, label="Steps"), number("steps", 8, 12, whole=True)
                )
                seed = checked(
                    gr.Number(-1, label="Seed for random ends (-1: new ones each time)", precision=0),
                    seed_check(),
                )
                button = gr.Button("Interpolate", variant="primary")
        message = gr.Markdown(label="message", elem_id="morph-message")
        strip = gr.Image(
            label="Decodes along the path",
            format="png",
            elem_id="morph-strip",
            alt_text="The decodes along the path from the start code to the end code, left to right.",
        )
        gif = gr.HTML(label="animated path", elem_id="morph-gif")
    pick_brush_when_shown(tab)
    interpolate = InterpolateTab(
        models=models,
        start_pad=start_pad,
        end_pad=end_pad,
        seed=seed,
        method=method,
        steps=steps,
        button=button,
        strip=strip,
        gif=gif,
        message=message,
    )
    interpolate.wire(dataset)
    return interpolate
