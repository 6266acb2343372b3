"""Fit the samplers a model's random codes come from: python -m vae.fit_sampler weights/mnist-vae.

Encodes the model's training images and fits scikit-learn's GaussianMixture to their codes, a mixture
and a single Gaussian: for a VAE, samples z ~ q(z | x) of each image (about CODES_TO_FIT in all), so
that the mixture also serves as a prior fitted after training (vae.evaluate reports the likelihood
under it); for an autoencoder, its codes. Then measures, with vae.sample_quality.measure (the code
benchmarks/samples runs), how the decodes of random codes from each sampler and of midpoints between
test images fare, and stores all of it in sampler.safetensors, where the page reads its figures."""

import argparse
import json
import sys
from pathlib import Path

import torch

from vae.classifier import DigitClassifier
from vae.cli import HelpFormatter
from vae.data import DataError, load_split
from vae.model import VAE
from vae.sample_quality import measure
from vae.sampling import SAMPLER_FILE, Samplers
from vae.weights import WeightsError, load_codes, load_pretrained, model_folder

CODES_TO_FIT = 60_000  # a VAE's draws per training image: enough to reach about this many codes


def fit(folder: Path, components: int, data_root: Path | None, seed: int = 0) -> dict:
    """Fit, measure and store the samplers beside the model in folder; returns what was measured."""
    model = load_pretrained(VAE, folder)
    classifier = load_pretrained(DigitClassifier, model_folder(model.config.dataset, "classifier"))
    test = load_codes(folder)
    images, _ = load_split(model.config.dataset, data_root, train=True)
    if model.config.model == "vae":
        draws = max(1, round(CODES_TO_FIT / len(images)))
        codes = model.sample_codes(images, draws, torch.Generator().manual_seed(seed))
    else:
        codes = model.encode_means(images)
    fitted = Samplers.fit(codes, components, seed)
    measured = {"components": components, "training_images": len(images), "codes_fitted": len(codes)}
    measured |= measure(model, classifier, fitted, test)
    Samplers(fitted.latent_dim, fitted.fitted, {k: str(v) for k, v in measured.items()}).save(folder)
    return measured


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(
        prog="python -m vae.fit_sampler",
        description=__doc__.split("\n")[0],
        formatter_class=HelpFormatter,
    )
    p.add_argument("folder", type=Path, help="a 16-D model's weights folder, e.g. weights/mnist-vae")
    p.add_argument("--components", type=int, default=50, help="Gaussians in the mixture")
    p.add_argument("--data-root", type=Path, help="torchvision data root or a folder of IDX files")
    p.add_argument("--seed", type=int, default=0, help="seeds the draws of q(z | x) and the fit")
    p.add_argument("--threads", type=int, default=2, help="CPU threads for torch")
    args = p.parse_args(argv)
    if args.components < 1 or args.threads < 1:
        p.error("--components and --threads must be at least 1")
    torch.set_num_threads(args.threads)
    try:
        measured = fit(args.folder, args.components, args.data_root, args.seed)
    except (WeightsError, DataError) as err:
        sys.exit(f"error: {err}")
    print(json.dumps({"sampler": str(args.folder / SAMPLER_FILE), **measured}))


if __name__ == "__main__":
    main()
