"""Pieces more than one tab uses: the sketch pad, with its upload checks and its brush picked, and
the choice of where random codes come from."""

import gradio as gr
from gradio.components.image_editor import EditorData

from playground.sketch import SketchError, check_image_file
from ui.inputs import checked, checked_sketch, one_of
from vae.config import SAMPLERS

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


def sketch_pad(name: str, label: str, elem_id: str, size: int, brush_size: int) -> gr.Sketchpad:
    """A square pad for black strokes, named in its messages (name), handing its drawing to the handlers as
    an RGBA array; clearing it picks the brush again (Gradio's clear drops the tool, and the visitor
    would draw nothing)."""
    pad = with_upload_checks(
        gr.Sketchpad(
            label=label,
            type="numpy",
            image_mode="RGBA",
            canvas_size=(size, size),
            height=size
            + 40,  # room for the canvas and its toolbar: the pad opens near full size, not at 72 %
            brush=gr.Brush(colors=["#000000"], color_mode="fixed", default_size=brush_size),
            layers=False,
            elem_id=elem_id,
            elem_classes=["pad"],
        )
    )
    checked_sketch(pad, name)
    pad.clear(None, js=PICK_BRUSH_JS, api_name=False)
    return pad


def pick_brush_when_shown(tab: gr.Tab) -> None:
    """Opening the tab picks the brush of its pads, in the browser alone."""
    tab.select(None, js=PICK_BRUSH_JS, api_name=False)


def sampler_choice(value: str, elem_id: str, **options: object) -> gr.Radio:
    """Where random codes come from: one of SAMPLERS, each named as the page's figures name it."""
    radio = gr.Radio(
        [(label, name) for name, label in SAMPLERS.items()],
        value=value,
        label="Random codes from",
        elem_id=elem_id,
        **options,
    )
    return checked(radio, one_of("sampler", SAMPLERS))
