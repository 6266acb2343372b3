"""What random and in-between codes give: python -m benchmarks.samples (prints one JSON line).

For each dataset, the app's 16-D VAE and the autoencoder with the same network, measured afresh with
vae.sample_quality.measure, the code vae.fit_sampler ran when it stored the figures the page shows: for each
sampler, the share of 1,000 random codes' decodes the bundled classifier names with p >= 0.9 and the
smallest share it names as one class; and the share of midpoints between 1,000 pairs of test images of
different classes it is sure of. Then what the Random sample button gives: 1,000 presses at
temperature 1 (seeds 0 to 999, codes clamped to the sliders' range as the page does). And the yardstick
the page sets them against: the share of the 1,000 held-out images themselves that the classifier is sure
of (ModelBundle.held_out_sure_share, the page's own code).
"""

import argparse
import json

from playground.bundle import ModelBundle
from playground.generate import Generator
from vae.config import SAMPLERS
from vae.sample_quality import measure


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m benchmarks.samples", description=__doc__.split("\n")[0])
    p.add_argument("--presses", type=int, default=1000)
    args = p.parse_args(argv)
    result: dict[str, object] = {"presses": args.presses}
    for dataset in ("mnist", "fashion-mnist"):
        models = ModelBundle.load(dataset)
        result[f"{dataset}_held_out_sure_share"] = round(models.held_out_sure_share, 4)
        result[f"{dataset}_ae"] = measure(models.ae, models.classifier, models.ae_samplers, models.ae_codes)
        result[f"{dataset}_vae"] = measure(models.vae, models.classifier, models.samplers, models.codes)
        generate = Generator(models.vae, models.classifier, models.samplers)
        result[f"{dataset}_random_sample_presses"] = {
            sampler: generate.sample_quality(sampler, args.presses) for sampler in SAMPLERS
        }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
