"""The Generate tab: one slider per latent dimension, the digit they decode to, and random samples.

The page decodes the sliders itself (ui/static/decoder.js runs the exported decoder, generate.js
paints it), so a drag sends nothing to the server; when it ends, the server sends the classifier's
reading and its own image of the digit, which the page shows if it cannot run the decoder."""

from dataclasses import dataclass
from pathlib import Path

import gradio as gr

from playground.pictures import MAX_TEMPERATURE, SLIDER_RANGE
from ui.inputs import checked, number, seed_check
from ui.models import Models
from ui.page import STATIC, folded, script_ready, static_url
from ui.widgets import sampler_choice
from vae.config import DATASETS
from vae.weights import DECODER_FILE, ORIGIN_FILE, WeightsError, model_folder, read_evaluation

HELP = """
Each slider is one latent dimension, the most informative first (by their mean KL on images held out
from training).
Drag one and the image morphs smoothly: nearby codes decode to similar images. Your browser runs the
decoder, so every frame of a drag is decoded on your device; when you let go, a small classifier
trained on the same dataset says what it sees and how sure it is{accuracy}. The page's address follows
the sliders and settings: copy it, or press *Copy link*, to share what you see.
"""

SCRIPTS = [STATIC / "decoder.js", STATIC / "generate.js", STATIC / "sliders.js"]

CANVAS_HTML = """
<div class="digit-figure">
  <canvas id="digit-canvas" width="28" height="28" role="img"
    aria-label="The image the sliders' code decodes to" aria-describedby="digit-caption"></canvas>
  <div class="digit-actions">
    <a class="digit-download" download="digit.png" href="#">Download PNG</a>
    <button class="copy-link" type="button">Copy link</button>
  </div>
  <p class="decoder-note"></p>
</div>
"""
# Once generate.js has run: without it, the page shows the server's image of the digit instead.
GENERATE_READY = script_ready("vaeGenerate")
ATTACH_JS = f"{GENERATE_READY}.then((ready) => ready && window.vaeGenerate.attach(element));"
PAINT_JS = f"async (dataset, ...z) => {{ if (await {GENERATE_READY}) window.vaeGenerate.show(dataset, z); }}"


FULL_TRAINING_SET = 60_000  # MNIST's and Fashion-MNIST's


def sampler_note(measured: dict[str, str], held_out_sure: float) -> str:
    """The page's words about the samplers, from the figures vae.fit_sampler measured and stored, beside
    the share of the held-out images themselves that the classifier is sure of."""
    share = {key: f"{float(value):.0%}" for key, value in measured.items() if "share" in key}
    images = int(measured["training_images"])
    seen = f" (of the full set's {FULL_TRAINING_SET:,})" if images < FULL_TRAINING_SET else ""
    even = f"{float(measured['mixture_confident_share']) / 10:.0%}"
    return (
        f"*Random sample* draws from a Gaussian mixture ({measured['components']} components) fitted to "
        f"{int(measured['codes_fitted']):,} codes (draws of z ~ q(z | x)) of the {images:,} training images "
        f"the model learned from{seen}. The classifier is sure (p ≥ 0.9) of "
        f"{share['mixture_confident_share']} of {int(measured['codes']):,} such codes' decodes, against "
        f"{held_out_sure:.0%} of the held-out images themselves; the class it names least often gets "
        f"{share['mixture_smallest_class_share']} of all the decodes (an even spread of the "
        f"{share['mixture_confident_share']} would give each {even}). One "
        f"Gaussian fitted to the same codes: {share['gaussian_confident_share']} (least often: "
        f"{share['gaussian_smallest_class_share']}). The prior N(0, I), which a VAE's codes do not fill "
        f"evenly: {share['prior_confident_share']} (least often: {share['prior_smallest_class_share']})."
    )


def help_text(weights_dir: Path) -> str:
    """The tab's help, with each classifier's test accuracy as vae.evaluate stored it: what a reading
    can be trusted to; left out where a weights folder has no evaluation."""
    try:
        measured = {
            DATASETS[name].title: read_evaluation(model_folder(name, "classifier", weights_dir))
            for name in DATASETS
        }
        (first, figures), *others = measured.items()
        accuracy = (
            f" (it names {figures['classifier_test_accuracy']:.1%} of {first}'s "
            f"{figures['test_images']:,} test images correctly"
            + "".join(f", {other['classifier_test_accuracy']:.1%} of {name}'s" for name, other in others)
            + ")"
        )
    except (WeightsError, KeyError, TypeError, ValueError):
        accuracy = ""
    return HELP.format(accuracy=accuracy)


def decoder_files(weights_dir: Path) -> dict[str, Path]:
    """Each dataset's decoder for the page, which vae.train exports beside the app's VAE."""
    return {name: model_folder(name, "vae", weights_dir) / DECODER_FILE for name in DATASETS}


def origin_files(weights_dir: Path) -> dict[str, Path]:
    """Each dataset's decode of z = 0, which vae.export writes beside the page's decoder."""
    return {name: path.with_name(ORIGIN_FILE) for name, path in decoder_files(weights_dir).items()}


def page_config(weights_dir: Path, latent_dim: int) -> dict:
    """What the tab's scripts read from window.vaePage: the decoders' addresses and their decodes of
    z = 0 (the first digit, painted before a decoder loads), the sliders' count and range."""
    return {
        "decoders": {name: static_url(path) for name, path in decoder_files(weights_dir).items()},
        "origins": {name: static_url(path) for name, path in origin_files(weights_dir).items()},
        "latentDim": latent_dim,
        "sliderRange": SLIDER_RANGE,
    }


# The event's inputs as the page holds them, the last replaced by the dimensions a link hides (hide=z3-z16
# puts vae-hide-z3 ... vae-hide-z16 on the page's root).
WITH_HIDDEN_DIMS_JS = """(...inputs) => [
  ...inputs.slice(0, -1),
  [...document.documentElement.classList]
    .flatMap((name) => name.match(/^vae-hide-z(\\d+)$/)?.[1] ?? [])
    .join(","),
]"""


def hidden_dims(hidden: str | None, latent_dim: int) -> list[int]:
    """The dimensions (from 1) named in the page's "3,4,..." that exist; anything else is ignored."""
    names = (hidden or "").split(",")
    return [int(name) for name in names if name.isdigit() and 1 <= int(name) <= latent_dim]


@dataclass(kw_only=True)
class GenerateTab:
    """The tab's components and handlers; Use in sliders and a dataset switch set its sliders."""

    models: Models
    sliders: list[gr.Slider]
    digit: gr.Image  # the server's image of the digit: the page's fallback where it cannot run the decoder
    caption: gr.Markdown
    sampler: gr.Radio
    temperature: gr.Slider
    seed: gr.Number
    random_button: gr.Button
    reset_button: gr.Button
    grid_button: gr.Button
    read_button: gr.Button  # hidden: the page presses it for a reading after typed values
    hidden_dims: gr.Textbox  # not shown: the dimensions a link hides, read from the page at each press
    note: gr.Markdown  # what each sampler measured
    grid: gr.Image  # the 64 samples

    @property
    def outputs(self) -> list[gr.components.Component]:
        """What every handler that moves the sliders answers, in order."""
        return [*self.sliders, self.digit, self.caption]

    def show(self, values: list[float], image: object, caption: str) -> dict:
        """A Digit as the tab's component values."""
        return {**dict(zip(self.sliders, values, strict=True)), self.digit: image, self.caption: caption}

    def random(self, dataset: str, temperature: float, seed: float, sampler: str, hidden: str = "") -> dict:
        """Draw a random latent code, set the sliders to it and decode it; the dimensions a link hides
        (hidden, "3,4,...") stay at 0, so the digit depends only on the sliders the visitor sees."""
        generate = self.models[dataset].generate
        values = generate.random_values(temperature, seed, sampler)
        for dim in hidden_dims(hidden, len(values)):
            values[dim - 1] = 0.0
        return self.show(*generate.digit(values))

    def sample_grid(self, dataset: str, temperature: float, seed: float, sampler: str = "mixture") -> object:
        """Decode 64 random latent codes into one 8x8 grid image.

        Args:
            dataset: "mnist" or "fashion-mnist".
            temperature: scales the codes' spread, 0 to 2 (1: as fitted).
            seed: seeds the draw; -1 draws new codes each time.
            sampler: "mixture", "gaussian" or "prior", as for /random.
        """
        return self.models[dataset].generate.sample_grid(temperature, seed, sampler)

    def sampler_note(self, dataset: str) -> str:
        """What each sampler measured for this dataset's VAE when its samplers were fitted."""
        handlers = self.models[dataset]
        note = sampler_note(handlers.generate.samplers.metadata, handlers.bundle.held_out_sure_share)
        return folded("What each sampler measured", note, "figures")

    def reset(self, dataset: str) -> dict:
        """Set every slider to 0, the prior's mean, and decode that code.

        Args:
            dataset: "mnist" or "fashion-mnist".
        """
        return self.show(*self.models[dataset].generate.reset())

    def decode(self, dataset: str, *values: float) -> dict:
        """The server's image and the classifier's reading of the sliders as they are (the page load)."""
        image, caption = self.models[dataset].generate.decode(*values)
        return {self.digit: image, self.caption: caption}

    def decode_batch(self, datasets: list[str], *columns: list[float]) -> list[list]:
        """batch=True slider events: each dataset's events decoded together, answers in arrival order."""
        images, captions = [None] * len(datasets), [""] * len(datasets)
        for name in set(datasets):
            rows = [i for i, event_dataset in enumerate(datasets) if event_dataset == name]
            generate = self.models[name].generate
            decoded = generate.decode_batch(*[[column[i] for i in rows] for column in columns])
            for i, image, caption in zip(rows, *decoded, strict=True):
                images[i], captions[i] = image, caption
        return [images, captions]

    def wire(self, dataset: gr.Radio) -> None:
        """The tab's own events: the page paints every slider move, the server reads each release."""
        gr.on(
            [dataset.change, *(slider.change for slider in self.sliders)],
            None,
            [dataset, *self.sliders],
            js=PAINT_JS,
            api_name=False,
        )
        for slider in self.sliders:
            slider.release(
                self.decode_batch,
                [dataset, *self.sliders],
                [self.digit, self.caption],
                batch=True,  # under load, waiting events are decoded in one forward pass
                max_batch_size=32,
                api_name=False,
                trigger_mode="always_last",
                show_progress="hidden",
            )
        sample_inputs = [dataset, self.temperature, self.seed, self.sampler]
        self.random_button.click(
            self.random,
            [*sample_inputs, self.hidden_dims],
            self.outputs,
            js=WITH_HIDDEN_DIMS_JS,
            api_name=False,
            show_progress="hidden",
        )
        self.reset_button.click(self.reset, dataset, self.outputs, api_name=False, show_progress="hidden")
        self.grid_button.click(self.sample_grid, sample_inputs, self.grid, api_name=False)
        # The 64 samples belong to the dataset they were drawn from: another dataset clears them, in
        # the page alone.
        dataset.change(None, None, self.grid, js="() => null", api_name=False)
        self.read_button.click(
            self.decode,
            [dataset, *self.sliders],
            [self.digit, self.caption],
            api_name=False,
            trigger_mode="always_last",
            show_progress="hidden",
        )


def arrival_css(latent_dim: int) -> str:
    """What shows after the sliders (the 64 samples; on a phone, the sampling controls too) waits until
    Gradio has drawn the last slider, rather than being pushed down the screen as each one arrives."""
    waiting = f'#generate-row:not(:has(#slider-z{latent_dim} input[type="range"]))'
    return (
        f"{waiting} #sample-grid {{ display: none !important; }}\n"
        f"@media (max-width: 640px) {{ {waiting} #sample-controls {{ display: none !important; }} }}"
    )


def digit_panel() -> dict:
    """The digit the page paints (the server's image where it cannot) and the classifier's reading."""
    with gr.Column(elem_id="digit-panel"):
        gr.HTML(html_template=CANVAS_HTML, js_on_load=ATTACH_JS, elem_id="digit-canvas-block")
        digit = gr.Image(
            label="Decoded image",
            format="png",
            height=300,
            width=300,
            elem_id="digit",
            buttons=["download"],
            alt_text="The image the sliders' code decodes to; the classifier's reading is below it.",
        )
        caption = gr.Markdown("Loading the models…", label="reading", elem_id="digit-caption")
    return {"digit": digit, "caption": caption}


def slider_column(latent_dim: int) -> list[gr.Slider]:
    """One slider per latent dimension."""
    with gr.Column(elem_id="sliders"):
        return [
            checked(
                gr.Slider(
                    -SLIDER_RANGE,
                    SLIDER_RANGE,
                    value=0.0,
                    step=0.01,
                    label=f"z{i + 1}",
                    elem_id=f"slider-z{i + 1}",
                ),
                number(f"z{i + 1}", -SLIDER_RANGE, SLIDER_RANGE),
            )
            for i in range(latent_dim)
        ]


def sample_controls() -> dict:
    """The buttons first, in view under the digit; then where random codes come from, how far they
    stray, the seed, and the samplers' figures."""
    with gr.Column(elem_id="sample-controls"):
        with gr.Row():
            random_button = gr.Button("Random sample", variant="primary", elem_id="random-sample")
            reset_button = gr.Button("Reset to 0")
            grid_button = gr.Button("Grid of 64 samples")
        sampler = sampler_choice("mixture", "sampler")
        with gr.Row():
            temperature = checked(
                gr.Slider(
                    0.0,
                    MAX_TEMPERATURE,
                    value=1.0,
                    step=0.05,
                    label="Temperature",
                    info="how far random codes stray from the sampler's centre: 0 the centre, 1 its spread",
                    elem_id="temperature",
                    scale=2,
                ),
                number("temperature", 0, MAX_TEMPERATURE),
            )
            seed = checked(
                gr.Number(value=-1, label="Seed (-1: a new one each time)", precision=0, elem_id="seed"),
                seed_check(),
            )
        read_button = gr.Button("Read the digit", elem_id="read-digit", elem_classes=["vae-hidden"])
        hidden_dims = gr.Textbox(visible=False, label="hidden dimensions")
        note = gr.Markdown(elem_id="sampler-note")
    return {
        "sampler": sampler,
        "temperature": temperature,
        "seed": seed,
        "random_button": random_button,
        "reset_button": reset_button,
        "grid_button": grid_button,
        "read_button": read_button,
        "hidden_dims": hidden_dims,
        "note": note,
    }


def build(models: Models, dataset: gr.Radio, latent_dim: int) -> GenerateTab:
    """The tab's layout, then its events."""
    files = [*decoder_files(models.weights_dir).values(), *origin_files(models.weights_dir).values()]
    gr.set_static_paths([*SCRIPTS, *files])
    with gr.Tab("Generate", id="generate"):
        gr.Markdown(folded("How the sliders work", help_text(models.weights_dir)))
        with gr.Row(elem_id="generate-row"):
            with gr.Column(elem_id="digit-column"):
                shown = digit_panel()
                controls = sample_controls()
            with gr.Column(elem_id="slider-column"):
                sliders = slider_column(latent_dim)
                grid = gr.Image(
                    label="64 random samples",
                    format="png",
                    buttons=["download"],
                    elem_id="sample-grid",
                    alt_text="64 decodes of random codes from the chosen sampler, in an 8 by 8 grid.",
                )
    generate = GenerateTab(models=models, sliders=sliders, grid=grid, **shown, **controls)
    generate.wire(dataset)
    return generate
