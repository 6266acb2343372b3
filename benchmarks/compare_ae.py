"""Random codes, autoencoder vs VAE: python -m benchmarks.compare_ae.

Decodes 1,000 random codes with each bundled autoencoder and VAE of a dataset (2-D, and the app's
latent size) and prints, as one JSON line, the share of decodes that the bundled classifier names
with p >= 0.9, for each way of drawing the codes:
- prior: z ~ N(0, I), what a VAE is trained for (and what an autoencoder is not);
- fitted: a Gaussian (mean and full covariance) fitted to the model's own test-set codes, the fairest
  way to sample an autoencoder;
- uniform (2-D only): uniformly over the square that the model's latent map shows.
"""

import argparse
import json

import torch

from vae.bundle import ModelBundle
from vae.explore import LatentSpace, recognised_share
from vae.sampling import fitted_gaussian_codes


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m benchmarks.compare_ae", description=__doc__.split("\n")[0])
    p.add_argument("--codes", type=int, default=1000)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--dataset", choices=["mnist", "fashion-mnist"], default="mnist")
    args = p.parse_args(argv)
    models = ModelBundle.load(args.dataset)
    space = LatentSpace(models)
    windows = {"ae": space.ae_window, "vae": space.window}
    result: dict[str, object] = {"dataset": args.dataset, "codes": args.codes, "seed": args.seed}
    for ae, ae_codes, vae in space.rivals:
        size = vae.config.latent_dim
        test_codes = {"ae": ae_codes, "vae": models.codes_2d.codes if size == 2 else None}
        for name, model in (("ae", ae), ("vae", vae)):
            generator = torch.Generator().manual_seed(args.seed)
            samplers = {"prior": torch.randn(args.codes, size, generator=generator)}
            if test_codes[name] is not None:
                samplers["fitted"] = fitted_gaussian_codes(test_codes[name], args.codes, generator)
            if size == 2:
                low, high = windows[name].low, windows[name].high
                samplers["uniform"] = low + (high - low) * torch.rand(args.codes, 2, generator=generator)
            for sampler, z in samplers.items():
                result[f"{size}d_{name}_{sampler}"] = round(recognised_share(model, space.classifier, z), 3)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
