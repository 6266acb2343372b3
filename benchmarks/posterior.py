"""The posterior view of one image on the server, and how its log p(x) estimate fares against exact
integration: python -m benchmarks.posterior.

For each of the first --images held-out images, times what the page's /posterior answer and the
map after it compute (the posterior, the close-up, the map, the words), on --threads torch threads; then,
for the same images, compares the importance-sampled log p(x) with a sum over the whole plane (a grid
of 0.05 cells over [-5, 5]²). Prints one JSON line per dataset.
"""

import argparse
import json
import math
import time

import numpy as np
import torch

from playground.bundle import ModelBundle
from playground.latent import LatentSpace
from playground.posterior import Square, grid_log_joint
from vae.config import DATASETS


@torch.inference_mode()
def exact_log_px(space: LatentSpace, pixels: np.ndarray) -> float:
    plane, steps = Square((0.0, 0.0), 5.0), 200
    log_joint = grid_log_joint(space.vae, torch.from_numpy(pixels), plane, steps).double()
    return float(torch.logsumexp(log_joint.flatten(), 0)) + math.log(plane.cell_area(steps))


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m benchmarks.posterior", description=__doc__.split("\n")[0])
    p.add_argument("--images", type=int, default=24, help="how many held-out images")
    p.add_argument("--threads", type=int, default=1, help="torch threads (the app uses 1)")
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    for dataset in DATASETS:
        space = LatentSpace(ModelBundle.load(dataset))
        space.focus_on(None)  # warm-up
        seconds, differences, margins = [], [], []
        for pixels in space.test_images[: args.images].astype(np.float32) / 255:
            start = time.perf_counter()
            focus = space.focus_on(pixels)
            space.close_up(focus), space.map_picture("codes", focus), space.posterior_caption(focus)
            seconds.append(time.perf_counter() - start)
            post = focus.posterior
            differences.append(post.log_px - exact_log_px(space, pixels))
            margins.append((post.log_px - post.elbo) / post.elbo_error)
        ms = 1000 * np.asarray(seconds)
        print(
            json.dumps(
                {
                    "dataset": dataset,
                    "images": len(ms),
                    "threads": args.threads,
                    "posterior_view_p50_ms": round(float(np.percentile(ms, 50)), 1),
                    "posterior_view_max_ms": round(float(ms.max()), 1),
                    "log_px_minus_exact_max_abs_nats": round(float(np.abs(differences).max()), 3),
                    "log_px_minus_elbo_min_in_standard_errors": round(float(min(margins)), 1),
                }
            )
        )


if __name__ == "__main__":
    main()
