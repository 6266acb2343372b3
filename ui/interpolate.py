"""The Interpolate tab: two drawings (or random samples) and the decodes along a path between their codes."""

import gradio as gr

from ui.models import Models
from ui.widgets import pick_brush_when_shown, sketch_pad

HELP = """
Draw two digits, or leave a pad empty to start or end at a random sample (from the mixture that
*Random sample* draws from), and walk the latent space from one code to the other: every step is
decoded. **Spherical** interpolation is the default: in
16 dimensions, codes from N(0, I) lie near a shell of radius about 4 (√16), and the straight line
between two of them cuts inside it (its middle is only about 2.8 from the origin), through codes
the decoder rarely saw, so the middle of a straight-line morph tends to fade. The spherical path
keeps its distance from the origin. Switch to the straight line to compare.
"""


def build(models: Models, dataset: gr.Radio) -> None:
    """The tab's layout and its one event; no other tab reads it."""
    with gr.Tab("Interpolate", id="interpolate") as tab:
        gr.Markdown(HELP)
        with gr.Row():
            start_pad = sketch_pad("From (empty: random)", "start-pad", size=280, brush_size=10)
            end_pad = sketch_pad("To (empty: random)", "end-pad", size=280, brush_size=10)
            with gr.Column():
                method = gr.Radio(
                    [("spherical (slerp)", "slerp"), ("straight line (lerp)", "lerp")],
                    value="slerp",
                    label="Path",
                )
                steps = gr.Slider(8, 12, value=10, step=1, label="Steps")
                seed = gr.Number(0, label="Seed for random ends", precision=0)
                button = gr.Button("Interpolate", variant="primary")
        message = gr.Markdown(elem_id="morph-message")
        strip = gr.Image(label="Decodes along the path", format="png", elem_id="morph-strip")
        gif = gr.HTML(elem_id="morph-gif")
    pick_brush_when_shown(tab)

    def interpolate(name: str, *pads_and_options: object) -> dict:  # API parameters: name, param_1..5
        image, animation, text = models[name].playground.interpolate(*pads_and_options)
        return {strip: image, gif: animation, message: text}

    button.click(
        interpolate,
        [dataset, start_pad, end_pad, seed, method, steps],
        [strip, gif, message],
        api_name="interpolate",
    )
