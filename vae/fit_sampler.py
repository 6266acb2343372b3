"""Fit the mixture that Random sample draws from: python -m vae.fit_sampler weights/mnist-vae.

Encodes the model's training images, fits scikit-learn's GaussianMixture to their posterior means,
measures what 1,000 presses of Random sample give with it and with the prior N(0, I) (the figures the
page shows, from the code benchmarks/samples.py runs), and stores all of it in sampler.safetensors."""

import argparse
import json
import sys
from pathlib import Path

import torch

from vae.classifier import DigitClassifier
from vae.data import DataError, load_split
from vae.demo import SAMPLERS, Playground
from vae.model import VAE
from vae.sampling import SAMPLER_FILE, MixtureSampler
from vae.weights import WEIGHTS_DIR, WeightsError, load_pretrained


def fit(folder: Path, components: int, data_root: Path | None, seed: int = 0, presses: int = 1000) -> dict:
    """Fit, measure and store the sampler beside the VAE in folder; returns what it measured."""
    vae = load_pretrained(VAE, folder)
    classifier = load_pretrained(DigitClassifier, WEIGHTS_DIR / f"{vae.config.dataset}-classifier")
    images, _ = load_split(vae.config.dataset, data_root, train=True)
    mixture = MixtureSampler.fit(vae.encode_means(images), components, seed)
    playground = Playground(vae, classifier, mixture)
    measured = {"components": components, "training_images": len(images), "presses": presses}
    for name in SAMPLERS:
        measured |= {
            f"{name}_{key}": value for key, value in playground.sample_quality(name, presses).items()
        }
    MixtureSampler(
        mixture.weights, mixture.means, mixture.cholesky, {k: str(v) for k, v in measured.items()}
    ).save(folder)
    return measured


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m vae.fit_sampler", description=__doc__.split("\n")[0])
    p.add_argument("folder", type=Path, help="a VAE's weights folder, e.g. weights/mnist-vae")
    p.add_argument("--components", type=int, default=50, help="Gaussians in the mixture")
    p.add_argument("--data-root", type=Path, help="torchvision data root or a folder of IDX files")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    if args.components < 1:
        p.error("--components must be at least 1")
    torch.set_num_threads(2)
    try:
        measured = fit(args.folder, args.components, args.data_root, args.seed)
    except (WeightsError, DataError) as err:
        sys.exit(f"error: {err}")
    print(json.dumps({"sampler": str(args.folder / SAMPLER_FILE), **measured}))


if __name__ == "__main__":
    main()
