"""Links that carry the page's whole state (ui/static/links.js): the bounds the page checks a link's
values against, the rules that hide what a link asks to hide, the toolbar under the intro (Take the
tour, Copy link), and the events through which a link, on load, or a tour step sets the components."""

from dataclasses import dataclass

import gradio as gr

from playground.pictures import MAX_TEMPERATURE
from playground.runs import MAX_BETA, MAX_EPOCHS
from ui.generate import LOADED, STATIC

SCRIPTS = [STATIC / "links.js"]
TABS = ["generate", "draw", "interpolate", "latent", "train"]

TOOLBAR_HTML = """
<div class="page-tools">
  <button id="take-tour" type="button">Take the tour</button>
  <button id="copy-page-link" type="button">Copy link</button>
  <span>the link carries the tab, the dataset, the sliders and the Generate, Train and map settings</span>
</div>
"""

# Gradio's js functions: given the linked components' values, return the values a link or step asks for.
RESTORE_JS = f"async (...values) => {{ await {LOADED}; return window.vaeLinks.restore(values); }}"
APPLY_JS = "(...values) => window.vaeLinks.applyPending(values)"


def page_config() -> dict:
    """What links.js reads from window.vaePage: the largest value a link may set for each bounded setting."""
    return {"limits": {"temperature": MAX_TEMPERATURE, "beta": MAX_BETA, "epochs": MAX_EPOCHS}}


def hide_css(latent_dim: int) -> str:
    """The rules behind a link's hide=: one class per name on the page's root element."""
    rules = [
        ".vae-hide-dataset #dataset",
        ".vae-hide-sampler #sampler",
        ".vae-hide-sliders #sliders",
        ".vae-hide-tabs .tab-wrapper",
        *(f'.vae-hide-{tab} button[role="tab"][data-tab-id="{tab}"]' for tab in TABS),
        *(f".vae-hide-z{i} #slider-z{i}" for i in range(1, latent_dim + 1)),
    ]
    return ",\n".join(rules) + " { display: none !important; }"


@dataclass(kw_only=True)
class Links:
    """The components a link sets, in the order links.js returns their values, and the hidden button a
    tour step presses to set them."""

    linked: list[gr.components.Component]
    apply_button: gr.Button

    def wire(self, demo: gr.Blocks, then: dict) -> None:
        """On load, the link's state; on the hidden button, a tour step's. Both are the page's own work
        (no request), then `then` (a handler, its inputs and outputs) follows, as after a drag."""
        follow = {**then, "api_name": False, "show_progress": "hidden"}
        demo.load(None, self.linked, self.linked, js=RESTORE_JS).then(**follow)
        self.apply_button.click(None, self.linked, self.linked, js=APPLY_JS, api_name=False).then(**follow)


def build(linked: list[gr.components.Component]) -> Links:
    """The hidden button that applies a tour step's state to the linked components."""
    gr.set_static_paths(SCRIPTS)
    apply_button = gr.Button("Apply the link", elem_id="apply-link", elem_classes=["vae-hidden"])
    return Links(linked=linked, apply_button=apply_button)
