"""What Random sample gives: python -m benchmarks.samples (prints one JSON line).

For each dataset and each sampler the Generate tab offers, 1,000 presses of Random sample at
temperature 1 (seeds 0 to 999): the share of decodes the bundled classifier names with p >= 0.9, and
the smallest share of presses it names as one class. The page's note shows the same figures, which
vae.fit_sampler measured with the same code (Playground.sample_quality) and stored with the mixture.
"""

import argparse
import json

from vae.demo import SAMPLERS, Playground


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m benchmarks.samples", description=__doc__.split("\n")[0])
    p.add_argument("--presses", type=int, default=1000)
    args = p.parse_args(argv)
    result: dict[str, object] = {"presses": args.presses}
    for dataset in ("mnist", "fashion-mnist"):
        playground = Playground.from_folder(dataset=dataset)
        for sampler in SAMPLERS:
            result[f"{dataset}_{sampler}"] = playground.sample_quality(sampler, args.presses)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
