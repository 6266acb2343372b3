"""Links that carry the page's whole state (ui/static/links.js): the bounds the page checks a link's
values against, the rules that hide what a link asks to hide, the toolbar under the intro (Take the
tour, Copy link), and the events through which a link, on load, or a tour step sets the components."""

from dataclasses import dataclass

import gradio as gr

from playground.pictures import MAX_TEMPERATURE
from playground.runs import MAX_BETA, MAX_EPOCHS
from ui.latent import MAP_VIEWS
from ui.page import STATIC, script_ready
from vae.config import SAMPLERS

SCRIPTS = [STATIC / "links.js"]
TABS = ["generate", "draw", "interpolate", "latent", "train"]
# The components a link sets, by key, in the order Gradio hands their values to links.js, each with the
# element the page reads it from; "z" stands for the sliders, one value each.
LINKED = {
    "dataset": "dataset",
    "z": "sliders",
    "sampler": "sampler",
    "temperature": "temperature",
    "seed": "seed",
    "beta": "train-beta",
    "epochs": "train-epochs",
    "train_seed": "train-seed",
    "map": "map-view",
    "compare": "compare-sampler",
}
# The keys of a link's address in the order it writes them.
ADDRESS_KEYS = ["tab", *LINKED, "tour", "hide"]
# What hide= takes besides single sliders (z5) and runs of them (z3-z16): groups of controls, the folded
# explanations ("help"), the tab bar and each tab.
HIDEABLE = ["dataset", "sampler", "sliders", "tabs", "help", *TABS]

TOOLBAR_HTML = """
<div class="page-tools">
  <button id="take-tour" type="button">Take the tour</button>
  <button id="copy-page-link" type="button"
    title="The link carries the tab, the dataset, the sliders and the Generate, Train and map settings"
  >Copy link</button>
</div>
"""

# Gradio's js functions: given the linked components' values, return the values a link or step asks for
# (without links.js, the values as they are).
RESTORE_JS = (
    f"async (...values) => {{ await {script_ready('vaeGenerate')}; "
    f"return (await {script_ready('vaeLinks')}) ? window.vaeLinks.restore(values) : values; }}"
)
APPLY_JS = "(...values) => window.vaeLinks.applyPending(values)"


def page_config() -> dict:
    """What links.js reads from window.vaePage: the link's schema (its keys, the values each may take,
    the largest value of each bounded setting, and the linked components' order and elements)."""
    return {
        "limits": {"temperature": MAX_TEMPERATURE, "beta": MAX_BETA, "epochs": MAX_EPOCHS},
        "links": {
            "keys": ADDRESS_KEYS,
            "linked": LINKED,
            "tabs": TABS,
            "hideable": HIDEABLE,
            "samplers": list(SAMPLERS),
            "mapViews": [value for _, value in MAP_VIEWS],
        },
    }


def hide_css(latent_dim: int) -> str:
    """The rules behind a link's hide=: one class per name on the page's root element."""
    rules = [
        ".vae-hide-dataset #dataset",
        ".vae-hide-sampler #sampler",
        ".vae-hide-sliders #sliders",
        ".vae-hide-tabs .tab-wrapper",
        ".vae-hide-help details.help",
        *(f'.vae-hide-{tab} button[role="tab"][data-tab-id="{tab}"]' for tab in TABS),
        *(f".vae-hide-z{i} #slider-z{i}" for i in range(1, latent_dim + 1)),
    ]
    return ",\n".join(rules) + " { display: none !important; }"


class LinkedMismatch(ValueError):
    """The components given to build() are not LINKED's, in its order: links.js would set the wrong ones."""


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


def in_link_order(linked: dict[str, gr.components.Component | list[gr.components.Component]]) -> list:
    """The components by LINKED's keys, flattened in its order; a key missing, extra or out of order, or
    a component not on the element links.js reads, is a LinkedMismatch."""
    if list(linked) != list(LINKED):
        raise LinkedMismatch(f"the linked components' keys are {list(linked)}, links.js reads {list(LINKED)}")
    for key, component in linked.items():
        if not isinstance(component, list) and component.elem_id != LINKED[key]:
            raise LinkedMismatch(f"{key!r} is on #{component.elem_id}, links.js reads #{LINKED[key]}")
    return [
        part
        for component in linked.values()
        for part in (component if isinstance(component, list) else [component])
    ]


def build(linked: dict[str, gr.components.Component | list[gr.components.Component]]) -> Links:
    """The hidden button that applies a tour step's state to the linked components, given by LINKED's keys."""
    gr.set_static_paths(SCRIPTS)
    apply_button = gr.Button("Apply the link", elem_id="apply-link", elem_classes=["vae-hidden"])
    return Links(linked=in_link_order(linked), apply_button=apply_button)
