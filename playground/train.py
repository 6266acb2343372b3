"""The Train tab's work: a small 2-D VAE trained while the visitor watches, on the subset of the data
that travels with the app, and the bundled β sweep trained by the same loop (vae.train.fit).

train_live() takes and yields plain data (numbers and arrays), because on a Space with a shared GPU
it runs in another process; the page's pictures are drawn from that data here."""

import math
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageDraw
from torch import nn

from playground.bundle import subset_of
from playground.maps import AXES, MapWindow, prior_grid, scatter_map
from playground.pictures import image_grid
from playground.posterior import ELLIPSE_MASSES
from playground.runs import DEFAULT_EPOCHS, LIVE_HIDDEN, MAP_EDGE, SWEEP_BETAS, check_settings
from vae.classifier import DigitClassifier, confident_share
from vae.config import VAEConfig
from vae.data import as_bytes, as_floats
from vae.model import ACTIVE_KL, VAE, active_dims
from vae.train import TrainOptions, fit, held_out_terms, pick_device
from vae.weights import WEIGHTS_DIR, load_pretrained, model_folder, sweep_folder

MAP = MapWindow(-MAP_EDGE, MAP_EDGE, size=360, margins=AXES)  # fixed axes, the Latent space tab's
MANIFOLD_STEPS, SAMPLES = 12, 16
PRIOR_SAMPLES = 1000  # N(0, I) codes decoded and judged by the classifier, per run
# The network trained live, as vae.train --architecture mlp builds it.
LIVE_CONFIG = {"latent_dim": 2, "hidden": LIVE_HIDDEN, "architecture": "mlp"}


def live_options(beta: float, epochs: int, seed: int) -> TrainOptions:
    """The loop's options for a run: vae.train's defaults, with the visitor's β, length and seed."""
    return TrainOptions(epochs=epochs, beta=beta, seed=seed)


def sweep_arguments(dataset: str, beta: float, epochs: int = DEFAULT_EPOCHS) -> list[str]:
    """vae.train's arguments for one bundled sweep model: the network, data, loop and length of a
    live run with its default settings."""
    out = sweep_folder(dataset, beta, Path("weights"))
    return [
        *(
            "--dataset",
            dataset,
            "--subset",
            "--architecture",
            "mlp",
            "--latent-dim",
            "2",
            "--hidden",
            str(LIVE_HIDDEN),
        ),
        *("--val-size", "0", "--epochs", str(epochs), "--beta", f"{beta:g}", "--out", str(out), "--force"),
    ]


@cache
def judge(dataset: str, weights_dir: Path = WEIGHTS_DIR) -> DigitClassifier:
    """The bundled classifier that says whether a decode looks like one of the dataset's classes."""
    return load_pretrained(DigitClassifier, model_folder(dataset, "classifier", weights_dir))


def prior_codes(count: int, seed: int = 0) -> torch.Tensor:
    """count codes of the 2-D prior N(0, I), the same for every run so that runs compare."""
    return torch.randn(count, 2, generator=torch.Generator().manual_seed(seed))


@torch.inference_mode()
def snapshot(model: VAE, held_out: torch.Tensor, classifier: DigitClassifier | None) -> dict:
    """What the page shows of a model now, as plain data: the held-out images' codes (μ), decodes
    across the prior's quantiles and of a few N(0, I) codes, and, given the classifier, the share of
    PRIOR_SAMPLES such decodes it is sure of (None without it: judging them costs more than an epoch's
    other pictures, so a run does it once, at its end)."""
    model.eval()
    device = next(model.parameters()).device
    prior = model.decode_pixels(prior_codes(PRIOR_SAMPLES).to(device))
    judged = None if classifier is None else confident_share(classifier.predict_proba(prior.cpu()))
    return {
        "codes": model.encode_means(held_out.to(device)).astype(np.float32),
        "manifold": as_bytes(model.decode_pixels(prior_grid(MANIFOLD_STEPS).to(device))),
        "samples": as_bytes(prior[:SAMPLES]),
        "prior_share": None if judged is None else round(judged, 4),
    }


def figures(model: VAE, held_out: torch.Tensor, seed: int = 0) -> dict:
    """The held-out terms of a trained model (one seeded sample of z per image), per image in nats."""
    terms = held_out_terms(model, held_out, generator=torch.Generator().manual_seed(seed))
    return record(0, terms.reconstruction, terms.kl, active_dims(terms.kl_per_dim))


def record(epoch: int, reconstruction: float, kl: float, active: int) -> dict:
    """One row of a run's figures, as the page, the API and the sweep report it."""
    return {
        "epoch": epoch,
        "reconstruction": round(reconstruction, 2),
        "kl": round(kl, 3),
        "loss": round(reconstruction + kl, 2),
        "active_dims": active,
    }


@torch.no_grad()
def seeded_model(config: VAEConfig, seed: int) -> VAE:
    """A new MLP VAE initialised as PyTorch initialises its linear layers, from seed alone: torch's
    global generator is shared with the server's other threads, which also build models."""
    model, generator = VAE(config), torch.Generator().manual_seed(seed)
    for layer in model.modules():
        if isinstance(layer, nn.Linear):
            nn.init.kaiming_uniform_(layer.weight, a=math.sqrt(5), generator=generator)
            bound = 1 / math.sqrt(layer.in_features)
            nn.init.uniform_(layer.bias, -bound, bound, generator=generator)
    return model


def train_live(dataset: str, beta: float, epochs: int, seed: int) -> Iterator[dict]:
    """Train a 2-D VAE on the dataset's subset with KL weight beta, yielding its figures (held-out,
    nats per image) and a snapshot before training (epoch 0: the untrained model, so the first
    pictures arrive before the optimiser's first step) and after every epoch; plain data in and out."""
    beta, epochs, seed = check_settings(beta, epochs, seed)
    subset = subset_of(dataset)
    device = pick_device("auto")  # a Space's GPU where there is one
    images, held_out = as_floats(subset.train_images), as_floats(subset.test_images)
    model = seeded_model(VAEConfig(dataset=dataset, **LIVE_CONFIG), seed).to(device)
    settings = {"epochs": epochs, "beta": beta}
    # Measured with a generator of its own: the run's noise stays what a run without epoch 0 draws.
    yield figures(model, held_out, seed) | settings | {"seconds": 0.0} | snapshot(model, held_out, None)
    noise = torch.Generator().manual_seed(seed)
    options = live_options(beta, epochs, seed)
    for epoch in fit(model, images, held_out, options, device, progress=False, noise=noise):
        measured = epoch.held_out
        row = record(epoch.epoch, measured.reconstruction, measured.kl, active_dims(measured.kl_per_dim))
        classifier = judge(dataset) if epoch.epoch == epochs else None
        yield row | settings | {"seconds": round(epoch.seconds, 2)} | snapshot(model, held_out, classifier)


def prior_rings(image: Image.Image, window: MapWindow) -> Image.Image:
    """The map with N(0, I)'s 1σ and 2σ circles, where a VAE's KL term pulls the codes."""
    draw = ImageDraw.Draw(image)
    x0, y0 = window.to_pixels(np.zeros(2))
    for radius in (1.0, 2.0):
        r = radius / (window.high - window.low) * (window.size - 1)
        draw.ellipse([x0 - r, y0 - r, x0 + r, y0 + r], outline="#555555", width=1)
    return image


def manifold_frame(image: Image.Image, window: MapWindow) -> Image.Image:
    """A dashed square around the part of the plane that the decoded manifold covers."""
    draw = ImageDraw.Draw(image)
    edge = float(prior_grid(MANIFOLD_STEPS)[:, 0].abs().max())
    (left, top), (right, bottom) = window.to_pixels(np.array([[-edge, edge], [edge, -edge]]))
    for start in np.arange(left, right, 8):
        end = min(start + 4, right)
        draw.line([(start, top), (end, top)], fill="#333333")
        draw.line([(start, bottom), (end, bottom)], fill="#333333")
    for start in np.arange(top, bottom, 8):
        end = min(start + 4, bottom)
        draw.line([(left, start), (left, end)], fill="#333333")
        draw.line([(right, start), (right, end)], fill="#333333")
    return image


def code_map(codes: np.ndarray, labels: np.ndarray) -> Image.Image:
    """The held-out codes on the fixed axes, coloured by class, over the prior's circles and the
    manifold's square; codes beyond the frame are arrowheads on its edge."""
    return manifold_frame(prior_rings(scatter_map(codes, labels, MAP), MAP), MAP)


def tiles(pixels: np.ndarray, nrow: int, scale: int) -> Image.Image:
    """uint8 images (N, 28, 28) tiled nrow to a row."""
    return image_grid(pixels[:, None].astype(np.float32) / 255, nrow, scale=scale)


def outside_share(codes: np.ndarray) -> float:
    """The share of codes that lie beyond the map's fixed axes."""
    return float((np.abs(codes) > MAP.high).any(axis=1).mean())


def within_two_sigma(codes: np.ndarray) -> float:
    """The share of codes within N(0, I)'s 2σ circle."""
    return float((np.linalg.norm(codes, axis=1) <= 2.0).mean())


PRIOR_WITHIN_TWO_SIGMA = ELLIPSE_MASSES[1]  # N(0, I)'s own mass within 2σ in 2-D: P(χ²₂ ≤ 4), 86 %


@dataclass(frozen=True)
class SweepRun:
    """One bundled model of the β sweep, with what the page shows of it."""

    beta: float
    figures: dict
    snapshot: dict


@torch.inference_mode()
def measure_sweep_run(dataset: str, beta: float, weights_dir: Path = WEIGHTS_DIR) -> SweepRun:
    """One bundled sweep model, measured with the code a live run's last epoch is measured with."""
    held_out = as_floats(subset_of(dataset).test_images)
    model = load_pretrained(VAE, sweep_folder(dataset, beta, weights_dir))
    return SweepRun(beta, figures(model, held_out), snapshot(model, held_out, judge(dataset, weights_dir)))


def nearest_swept(beta: float) -> float:
    """The β of the bundled sweep nearest to beta."""
    return min(SWEEP_BETAS, key=lambda swept: abs(swept - beta))


def trend(first: float, last: float, unit: str, digits: int = 1) -> str:
    """How a figure moves across the sweep, in words read off the numbers."""
    verb = "rises" if last > first else "falls" if last < first else "stays"
    return f"{verb} from {first:.{digits}f} to {last:.{digits}f}{unit}"


def share(value: float) -> str:
    return f"{value:.0%}"


class Training:
    """One dataset's Train tab: its bundled β sweep, and runs of the same loop while the visitor watches."""

    def __init__(self, dataset: str, weights_dir: Path = WEIGHTS_DIR) -> None:
        self.dataset, self.weights_dir = dataset, weights_dir
        self.labels = subset_of(dataset).test_labels
        self._runs: dict[float, SweepRun] = {}
        self._measuring = {beta: threading.Lock() for beta in SWEEP_BETAS}

    def sweep_run(self, beta: float) -> SweepRun:
        """The bundled run at one of SWEEP_BETAS, measured once when first asked for (about 0.6 s); a
        second thread asking meanwhile waits for the same figures, and only for that run's."""
        with self._measuring[beta]:
            if beta not in self._runs:
                self._runs[beta] = measure_sweep_run(self.dataset, beta, self.weights_dir)
        return self._runs[beta]

    @property
    def sweep(self) -> list[SweepRun]:
        """Every bundled run, in order of β."""
        return [self.sweep_run(beta) for beta in SWEEP_BETAS]

    def pictures(self, snapshot: dict) -> tuple[Image.Image, Image.Image, Image.Image]:
        """The map of the held-out codes, the decoded manifold and the N(0, I) decodes of a snapshot."""
        return (
            code_map(snapshot["codes"], self.labels),
            tiles(snapshot["manifold"], MANIFOLD_STEPS, scale=1),
            tiles(snapshot["samples"], SAMPLES // 2, scale=2),
        )

    def sweep_gallery(self) -> list[tuple[Image.Image, str]]:
        """Each bundled run's map, captioned with its β."""
        return [(code_map(run.snapshot["codes"], self.labels), f"β = {run.beta:g}") for run in self.sweep]

    def sweep_table(self, held_out_sure: float) -> str:
        """Markdown: each bundled run's figures, and what they show, read off the same numbers, beside
        their yardsticks: N(0, I)'s own share within 2σ and the held-out images' share the classifier is
        sure of (held_out_sure)."""
        count = len(self.labels)
        # The active dimensions get a column only where the runs differ in them; else a sentence says so.
        active = {run.figures["active_dims"] for run in self.sweep}
        column = len(active) > 1
        lines = [
            "| β | reconstruction (nats) | KL (nats) | negative ELBO (nats, lower is better) "
            + ("| active dimensions " if column else "")
            + "| codes within 2σ | N(0, I) decodes the classifier is sure of |",
            "|---:|---:|---:|---:|" + ("---:|" if column else "") + "---:|---:|",
        ]
        for run in self.sweep:
            f, inside = run.figures, share(within_two_sigma(run.snapshot["codes"]))
            lines.append(
                f"| {run.beta:g} | {f['reconstruction']:.1f} | {f['kl']:.2f} | {f['loss']:.1f} "
                + (f"| {f['active_dims']} of {LIVE_CONFIG['latent_dim']} " if column else "")
                + f"| {inside} | {share(run.snapshot['prior_share'])} |"
            )
        first, last = self.sweep[0], self.sweep[-1]
        inside = [100 * within_two_sigma(run.snapshot["codes"]) for run in (first, last)]
        reconstruction = trend(first.figures["reconstruction"], last.figures["reconstruction"], " nats")
        reading = (
            f"From β = {first.beta:g} to β = {last.beta:g}, the held-out reconstruction {reconstruction} and "
            f"the KL {trend(first.figures['kl'], last.figures['kl'], ' nats', 2)}; the share of codes inside "
            f"N(0, I)'s 2σ circle {trend(*inside, '%', 0)}."
        )
        dims = LIVE_CONFIG["latent_dim"]
        kept = "" if column else f"; every run here keeps {min(active)} of its {dims} dimensions active"
        note = (
            f"Measured on the {count:,} held-out images (one sampled z each) and {PRIOR_SAMPLES:,} codes of "
            f"N(0, I); each run is {DEFAULT_EPOCHS} epochs at seed 0, the tab's defaults. A dimension is "
            f"active when its mean KL is above {ACTIVE_KL:g} nats: below that, the code carries nothing "
            f"about the image in it{kept}. For reference, "
            f"N(0, I) itself puts {share(PRIOR_WITHIN_TWO_SIGMA)} of its codes within 2σ, and the classifier "
            f"is sure of {share(held_out_sure)} of the held-out images themselves."
        )
        return "\n".join(lines) + f"\n\n{reading} {note}"

    def nearest(self, beta: float) -> SweepRun:
        """The bundled run nearest in β: what a live run is held against."""
        return self.sweep_run(nearest_swept(beta))

    def held_against(self, row: dict) -> SweepRun | None:
        """The bundled run a run's row is held against; before training (epoch 0), only if it is
        measured already, so that the untrained model's pictures never wait for it."""
        if row["epoch"] == 0:
            return self._runs.get(nearest_swept(row["beta"]))
        return self.nearest(row["beta"])

    def reading(self, row: dict) -> str:
        """What a run's latest epoch (train_live's row: its figures and its snapshot) shows, read off its
        numbers and set beside the bundled run nearest in β."""
        nearest = self.held_against(row)
        when = (
            f"**Before training** (epoch 0 of {row['epochs']}, the weights as initialised)"
            if row["epoch"] == 0
            else f"**Epoch {row['epoch']} of {row['epochs']}** ({row['seconds']:.1f} s)"
        )
        text = (
            f"{when}: on the held-out images "
            f"the reconstruction costs {row['reconstruction']:.1f} nats and the KL {row['kl']:.2f} nats, a "
            f"negative ELBO of {row['loss']:.1f} nats per image (lower is better). "
            f"{share(within_two_sigma(row['codes']))} of the codes lie inside N(0, I)'s 2σ circle"
        )
        outside = outside_share(row["codes"])
        if round(100 * outside):  # a share that rounds to 0 % is not worth a word
            text += f" and {share(outside)} beyond the frame, drawn as arrowheads on its edge"
        if row["prior_share"] is None:
            text += ". "
        else:
            text += (
                f"; the classifier is sure of {share(row['prior_share'])} of the decodes of "
                f"{PRIOR_SAMPLES:,} N(0, I) codes. "
            )
        if nearest is None:
            return text.rstrip()
        f, inside = nearest.figures, share(within_two_sigma(nearest.snapshot["codes"]))
        return text + (
            f"The bundled run at β = {nearest.beta:g} ended at {f['reconstruction']:.1f} and {f['kl']:.2f} "
            f"nats, with {inside} inside 2σ."
        )


def main() -> None:
    """python -m playground.train: train the bundled β sweep of every dataset with python -m vae.train."""
    from vae.config import DATASETS
    from vae.train import main as train

    for dataset in DATASETS:
        for beta in SWEEP_BETAS:
            train(sweep_arguments(dataset, beta))


if __name__ == "__main__":
    main()
