"""Random codes, autoencoder vs VAE: python -m benchmarks.compare_ae.

Decodes 1,000 random codes with the bundled 2-D autoencoder and the bundled 2-D VAE and prints, as
one JSON line, the share of decodes that the bundled classifier names with p >= 0.9. Codes come from
a Gaussian fitted to each model's own test-set codes (for the VAE that is about its prior), and, as
a check that does not depend on that choice, uniformly from the square each model's latent map shows.
"""

import argparse
import json

import torch

from vae.explore import LatentSpace, confident_share, random_codes


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m benchmarks.compare_ae", description=__doc__.split("\n")[0])
    p.add_argument("--codes", type=int, default=1000)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--dataset", choices=["mnist", "fashion-mnist"], default="mnist")
    args = p.parse_args(argv)
    space = LatentSpace.from_folder(dataset=args.dataset)
    result: dict[str, object] = {"dataset": args.dataset, "codes": args.codes, "seed": args.seed}
    models = {
        "ae": (space.ae, space.ae_codes, space.ae_window),
        "vae": (space.vae, space.vae_codes, space.window),
    }
    for name, (model, codes, window) in models.items():
        generator = torch.Generator().manual_seed(args.seed)
        fitted = random_codes(codes, args.codes, generator)
        uniform = window.low + (window.high - window.low) * torch.rand(args.codes, 2, generator=generator)
        result[f"{name}_confident_share_fitted_gaussian"] = round(
            confident_share(model, space.classifier, fitted), 3
        )
        result[f"{name}_confident_share_uniform_in_map"] = round(
            confident_share(model, space.classifier, uniform), 3
        )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
