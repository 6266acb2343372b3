"""The app's API for programs and agents: one endpoint per action, under the same name in gradio_client,
the MCP tool list and the README, each taking plain values (a drawing as an image file, a URL or a
data: URL) and answering its pictures as PNG files and its numbers as JSON with named fields. The
page's own events are private: they answer in the page's words, for the page."""

import functools
import inspect
from collections.abc import Callable, Iterator
from typing import Any, Literal

import gradio as gr
from gradio.context import get_blocks_context
from gradio.data_classes import FileData
from gradio.processing_utils import save_pil_to_cache
from gradio.utils import get_upload_folder
from PIL import Image

from playground.pictures import MAX_TEMPERATURE, SLIDER_RANGE
from playground.runs import DEFAULT_EPOCHS, MAP_EDGE, MAX_BETA, MAX_EPOCHS, run_record
from playground.sketch import SketchError, read_image_file
from ui.compare import one_seed
from ui.inputs import MAX_SEED, Check, is_file, is_sketch, number, one_of, refused, seed_check, shown
from ui.models import Models
from vae.config import DATASETS, SAMPLERS

Dataset = Literal[tuple(DATASETS)]
Sampler = Literal[tuple(SAMPLERS)]
FIRST_DATASET = next(iter(DATASETS))
DATASET = one_of("dataset", DATASETS)
METHODS = ("slerp", "lerp")
VIEWS = ("codes", "holes")
MIN_STEPS, MAX_STEPS = 2, 16
DRAWING = "an image (PNG or JPEG) of dark strokes on a light or transparent background"
FILE_HINT = (
    "an http(s) URL, a data: URL (data:image/png;base64,...), an uploaded file or a sketch pad's value"
)


def png(image: Image.Image, name: str) -> FileData:
    """An answer's picture as a PNG file, so a client gets its exact pixels."""
    path = save_pil_to_cache(image, get_upload_folder(), name=name, format="png")
    return FileData(path=path, orig_name=f"{name}.png", mime_type="image/png")


def check(*checks: tuple[Any, Check]) -> None:
    """Each value against its check, in order: the first that fails answers one line naming it."""
    for value, value_check in checks:
        value_check(value)


def check_sampling(dataset: Any, temperature: Any, seed: Any, sampler: Any) -> None:
    """The parameters /random and /sample_grid share."""
    check(
        (dataset, DATASET),
        (temperature, number("temperature", 0, MAX_TEMPERATURE)),
        (seed, seed_check()),
        (sampler, one_of("sampler", SAMPLERS)),
    )


def drawn(value: Any, name: str, optional: bool = False) -> Any:
    """The image a drawing parameter was sent (a file, or a sketch pad's value as the page sends it), as
    an RGBA array; None where optional and not sent."""
    if is_sketch(value):
        value = value.get("composite")
    if value is None and optional:
        return None
    if not is_file(value):
        raise refused(f"{name} must be {DRAWING}: {FILE_HINT}; not {shown(value)}.")
    try:
        return read_image_file(value["path"])
    except SketchError as err:
        raise refused(f"{name}: {err}") from None


def plain(method: Callable) -> Callable:
    """A bound method as a function of its own, whose name, signature and docstring Gradio can set."""
    if inspect.isgeneratorfunction(method):

        @functools.wraps(method)
        def streamed(*args: Any) -> Iterator:
            yield from method(*args)

        return streamed

    @functools.wraps(method)
    def called(*args: Any) -> Any:
        return method(*args)

    return called


def endpoint(fn: Callable, outputs: dict[str, Any], concurrency: dict | None = None) -> None:
    """fn as the public endpoint /<its name>, its answers named outputs' keys in the API's docs."""
    fn = fn if inspect.isfunction(fn) else plain(fn)
    signature = inspect.signature(fn)
    fn.__signature__ = signature.replace(return_annotation=tuple[tuple(outputs.values())])
    dependency = gr.api(fn, api_name=fn.__name__, **(concurrency or {}))
    for component, label in zip(get_blocks_context().fns[dependency["id"]].outputs, outputs, strict=True):
        component.label = label


def with_codes(fn: Callable, latent_dim: int) -> Callable:
    """fn(dataset, *z) with the parameters z1 … z<latent_dim> named and described, as clients see them."""
    fn = fn if inspect.isfunction(fn) else plain(fn)
    z_names = [f"z{i}" for i in range(1, latent_dim + 1)]
    parameters = [
        inspect.Parameter("dataset", inspect.Parameter.POSITIONAL_OR_KEYWORD, default=FIRST_DATASET)
    ]
    parameters += [
        inspect.Parameter(name, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=0.0) for name in z_names
    ]
    fn.__signature__ = inspect.Signature(parameters)
    fn.__annotations__ = {"dataset": Dataset, **dict.fromkeys(z_names, float)}
    described = [
        f"    z{i}: latent dimension {i}, from -3 to 3 (default 0)." for i in range(1, latent_dim + 1)
    ]
    fn.__doc__ = fn.__doc__.replace("    z…\n", "\n".join(described) + "\n")
    return fn


class Endpoints:
    """Every endpoint's work on the models; build() registers each under its method's name."""

    def __init__(self, models: Models) -> None:
        self.models = models

    def decode(self, dataset: str, *z: float) -> tuple[FileData, dict]:
        """Decode one latent code of the 16-D VAE into a 28x28 image, drawn at 280x280, and say what it
        looks like to a classifier trained on the same dataset. The code's dimensions are ordered by
        how much they carry: z1 the most.

        Args:
            dataset: "mnist" (handwritten digits, the default) or "fashion-mnist" (clothes).
            z…
        Returns:
            digit: the decoded image, a PNG.
            reading: {"class", "probability", "sure" (p >= 0.9), "probabilities" (per class)}.
        """
        check((dataset, DATASET))
        for i, value in enumerate(z, start=1):
            number(f"z{i}", -SLIDER_RANGE, SLIDER_RANGE)(value)
        digit, reading = self.models[dataset].generate.read(*z)
        return png(digit, "digit"), reading

    def random(
        self,
        dataset: Dataset = FIRST_DATASET,
        temperature: float = 1.0,
        seed: int = -1,
        sampler: Sampler = "mixture",
    ) -> tuple[FileData, dict]:
        """Draw one random latent code for the 16-D VAE, decode it, and say what it looks like.

        Args:
            dataset: "mnist" (handwritten digits, the default) or "fashion-mnist" (clothes).
            temperature: scales the codes' spread, from 0 (the sampler's centre) to 2; default 1, as fitted.
            seed: 0 to 2147483647 for the same code each time; -1 (the default) draws a new one.
            sampler: "mixture" (fitted to the training codes, the default), "gaussian" or "prior" (N(0, I)).
        Returns:
            digit: the decoded image, a PNG.
            sample: {"z" (the code, z1 first, clamped to -3..3), "reading" (as /decode's)}.
        """
        check_sampling(dataset, temperature, seed, sampler)
        generator = self.models[dataset].generate
        z = generator.random_values(temperature, seed, sampler)
        digit, reading = generator.read(*z)
        return png(digit, "digit"), {"z": z, "reading": reading}

    def sample_grid(
        self,
        dataset: Dataset = FIRST_DATASET,
        temperature: float = 1.0,
        seed: int = -1,
        sampler: Sampler = "mixture",
    ) -> tuple[FileData, dict]:
        """Draw 64 random latent codes for the 16-D VAE and decode them into one 8x8 grid (484x484).

        Args:
            dataset: "mnist" (handwritten digits, the default) or "fashion-mnist" (clothes).
            temperature: scales the codes' spread, from 0 to 2; default 1, as fitted.
            seed: 0 to 2147483647 for the same codes each time; -1 (the default) draws new ones.
            sampler: "mixture" (the default), "gaussian" or "prior", as for random.
        Returns:
            grid: the 64 decodes, row by row, a PNG.
            samples: {"z" (64 codes), "readings" (64 of {"class", "probability", "sure"}), "sure_share"}.
        """
        check_sampling(dataset, temperature, seed, sampler)
        grid, samples = self.models[dataset].generate.samples(temperature, seed, sampler)
        return png(grid, "samples"), samples

    def reconstruct(self, dataset: Dataset, drawing: FileData) -> tuple[FileData, FileData, FileData, dict]:
        """Encode a drawing with the 16-D VAE into a mean μ and a spread σ per latent dimension, and decode
        it: from z = μ, and from six samples of z = μ + σ·ε.

        Args:
            dataset: "mnist" (handwritten digits) or "fashion-mnist" (clothes).
            drawing: a PNG or JPEG, dark strokes on a light or clear background: an http(s) or a data: URL.
        Returns:
            reconstruction: the decode of z = μ, a PNG.
            model_input: the drawing as the model sees it, 28x28 drawn at 280x280, a PNG.
            posterior_samples: six decodes of z = μ + σ·ε, a PNG.
            figures: {"reconstruction", "kl", "elbo" (nats, z = μ), "mu", "sigma", "kl_per_dim", "reading"}.
        """
        check((dataset, DATASET))
        result = self.models[dataset].draw.reconstruct(drawn(drawing, "drawing"))
        if result.figures is None:
            raise refused(f"drawing: {result.message}")
        return (
            png(result.reconstruction, "reconstruction"),
            png(result.model_input, "model_input"),
            png(result.posterior_samples, "posterior_samples"),
            result.figures,
        )

    def interpolate(
        self,
        dataset: Dataset = FIRST_DATASET,
        start: FileData = None,
        end: FileData = None,
        seed: int = 0,
        method: Literal[METHODS] = "slerp",
        steps: int = 10,
    ) -> tuple[FileData, dict]:
        """Walk the 16-D VAE's latent space from one image's code to another's and decode each step.

        Args:
            dataset: "mnist" (handwritten digits, the default) or "fashion-mnist" (clothes).
            start: the first image, as for reconstruct's drawing; left out: a random sample.
            end: the last image, likewise; left out: a random sample.
            seed: seeds the random ends, a whole number from 0 to 2147483647 (default 0); -1 draws new ones.
            method: "slerp" (along the great circle, the default) or "lerp" (the straight line).
            steps: how many decodes, a whole number from 2 to 16 (default 10).
        Returns:
            strip: the decodes from start to end, a PNG.
            path: {"start", "end" (what each end was), "method", "steps", "z" (each step's code)}.
        """
        check(
            (dataset, DATASET),
            (seed, seed_check()),
            (method, one_of("method", METHODS)),
            (steps, number("steps", MIN_STEPS, MAX_STEPS, whole=True)),
        )
        ends = drawn(start, "start", optional=True), drawn(end, "end", optional=True)
        try:
            strip, path = self.models[dataset].interpolate.strip(*ends, seed, method, int(steps))
        except SketchError as err:
            raise refused(str(err)) from None
        return png(strip, "strip"), path

    def latent_map(
        self,
        dataset: Dataset = FIRST_DATASET,
        z1: float = 0.0,
        z2: float = 0.0,
        view: Literal[VIEWS] = "codes",
    ) -> tuple[FileData, FileData, dict]:
        """Decode one point of a 2-D VAE's latent space and mark it on the map of that space.

        Args:
            dataset: "mnist" (handwritten digits, the default) or "fashion-mnist" (clothes).
            z1: the point's first coordinate, from -4 to 4 (default 0).
            z2: its second coordinate, from -4 to 4 (default 0).
            view: "codes" (the held-out images' codes, the default) or "holes" (the prior's holes).
        Returns:
            map: the 2-D latent space with the point marked, a PNG.
            digit: the point's decode, a PNG.
            point: {"z" ([z1, z2]), "reading" (as /decode's)}.
        """
        check(
            (dataset, DATASET),
            (z1, number("z1", -MAP_EDGE, MAP_EDGE)),
            (z2, number("z2", -MAP_EDGE, MAP_EDGE)),
            (view, one_of("view", VIEWS)),
        )
        space = self.models[dataset].latent
        point = space.decode_at(z1, z2)
        marked = space.map_picture(view, space.default_focus, point.point)
        return (
            png(marked, "map"),
            png(point.digit, "digit"),
            {"z": list(point.point), "reading": point.reading},
        )

    def posterior(self, dataset: Dataset = FIRST_DATASET, drawing: FileData = None) -> tuple[FileData, dict]:
        """An image's posterior under a 2-D VAE: the encoder's q(z | x) against the true p(z | x), and the
        image's ELBO and log-likelihood.

        Args:
            dataset: "mnist" (handwritten digits, the default) or "fashion-mnist" (clothes).
            drawing: as for reconstruct; left out: the first held-out test image.
        Returns:
            close_up: q(z | x) (black ellipses) against the true posterior (blue), a PNG.
            figures: the ELBO, log p(x) (k importance samples, and on a grid), their gap, μ and σ, in nats.
        """
        check((dataset, DATASET))
        image, handlers = drawn(drawing, "drawing", optional=True), self.models[dataset]
        try:
            pixels = None if image is None else handlers.draw.pixels_of(image)
        except SketchError as err:
            raise refused(f"drawing: {err}") from None
        space = handlers.latent
        focus = space.default_focus if pixels is None else space.focus_on(pixels, "the drawing sent")
        return png(space.close_up(focus), "close_up"), {"image": focus.name, **focus.posterior.figures()}

    def compare_ae(
        self, dataset: Dataset = FIRST_DATASET, sampler: Sampler = "mixture", seed: int = -1
    ) -> tuple[FileData, FileData, FileData, FileData, dict]:
        """Decode the same kind of random codes with a plain 16-D autoencoder and the 16-D VAE, and both
        models' decodes along the straight lines between the same eight pairs of test images.

        Args:
            dataset: "mnist" (handwritten digits, the default) or "fashion-mnist" (clothes).
            sampler: "mixture" (the default), "gaussian" (fitted to each model's codes) or "prior" (N(0, I)).
            seed: for the codes and the pairs, 0 to 2147483647; -1 (the default) draws new ones.
        Returns:
            ae_samples: 64 of the autoencoder's decodes, a PNG.
            vae_samples: 64 of the VAE's, a PNG.
            ae_lines: the autoencoder's decodes between eight pairs, a row each, a PNG.
            vae_lines: the VAE's, a PNG.
            figures: {"seed", "samples", "ae_sure_share", "vae_sure_share"} (shares read as sure).
        """
        check(
            (dataset, DATASET),
            (sampler, one_of("sampler", SAMPLERS)),
            (seed, seed_check()),
        )
        comparison, seed = self.models[dataset].comparison, one_seed(seed)
        ae_grid, vae_grid, figures = comparison.sure_shares(sampler, seed)
        ae_lines, vae_lines = comparison.interpolations(seed)
        pictures = [png(ae_grid, "ae_samples"), png(vae_grid, "vae_samples")]
        pictures += [png(ae_lines, "ae_lines"), png(vae_lines, "vae_lines")]
        return *pictures, {"seed": int(seed), **figures}

    def train(
        self, dataset: Dataset = FIRST_DATASET, beta: float = 1.0, epochs: int = DEFAULT_EPOCHS, seed: int = 0
    ) -> Iterator[tuple]:
        """Train a 2-D VAE on the bundled training subset (10,000 images) and stream what it learns: the
        untrained model first (epoch 0), then one update per epoch; on a just-started server, first an
        update with no pictures and no figures (the run is starting). One run at a time; others queue.

        Args:
            dataset: "mnist" (handwritten digits, the default) or "fashion-mnist" (clothes).
            beta: the KL term's weight, from 0 to 10 (default 1, the ELBO; 0, a plain autoencoder).
            epochs: passes over the training images, a whole number from 1 to 30 (default 12).
            seed: for the weights and the order of the images, 0 to 2147483647 (default 0).
        Returns:
            codes_map: where the held-out images' codes lie, a PNG.
            manifold: decodes across the prior, a PNG.
            prior_decodes: 16 decodes of N(0, I), a PNG.
            figures: each epoch so far, {"epoch", "reconstruction", "kl", "loss", "active_dims"} (nats).
        """
        check(
            (dataset, DATASET),
            (beta, number("beta", 0, MAX_BETA)),
            (epochs, number("epochs", 1, MAX_EPOCHS, whole=True)),
            (seed, number("seed", 0, MAX_SEED, whole=True)),
        )
        from playground.gpu import train_on_gpu  # loads torch: after the page is served

        if not self.models.training_ready():
            yield None, None, None, []
        training, records = self.models.training(dataset), []
        for row in train_on_gpu(dataset, float(beta), int(epochs), int(seed)):
            records.append(run_record(row))
            pictures = training.pictures(row)
            names = ("codes_map", "manifold", "prior_decodes")
            yield *(png(picture, name) for picture, name in zip(pictures, names, strict=True)), list(records)


def build(models: Models, latent_dim: int) -> None:
    """Register every endpoint on the Blocks being built."""
    endpoints = Endpoints(models)
    endpoint(with_codes(endpoints.decode, latent_dim), {"digit": FileData, "reading": dict})
    endpoint(endpoints.random, {"digit": FileData, "sample": dict})
    endpoint(endpoints.sample_grid, {"grid": FileData, "samples": dict})
    endpoint(
        endpoints.reconstruct,
        {"reconstruction": FileData, "model_input": FileData, "posterior_samples": FileData, "figures": dict},
    )
    endpoint(endpoints.interpolate, {"strip": FileData, "path": dict})
    endpoint(endpoints.latent_map, {"map": FileData, "digit": FileData, "point": dict})
    endpoint(endpoints.posterior, {"close_up": FileData, "figures": dict})
    endpoint(
        endpoints.compare_ae,
        {
            "ae_samples": FileData,
            "vae_samples": FileData,
            "ae_lines": FileData,
            "vae_lines": FileData,
            "figures": dict,
        },
    )
    endpoint(
        endpoints.train,
        {"codes_map": FileData, "manifold": FileData, "prior_decodes": FileData, "figures": list},
        {"concurrency_limit": 1, "concurrency_id": "train"},
    )
