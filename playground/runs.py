"""A Train tab run: its bounds, the check of a visitor's settings, and the function that runs it,
which ZeroGPU runs on a Space's GPU. Nothing here imports torch until a run starts: the page is built
from this module, and the GPU function must be registered, before torch loads and the page is served."""

import math
from collections.abc import Iterator

import spaces

SWEEP_BETAS = (0.0, 0.3, 1.0, 3.0, 10.0)  # the bundled runs, from a plain autoencoder's loss to collapse
MAP_BETA = 1.0  # the Latent space tab's map is the bundled run at this β
MAP_EDGE = 4.0  # the 2-D maps' axes run from -4 to 4: N(0, I) holds 99.9 % of its mass in that square
LIVE_HIDDEN = 512  # the network trained live: one hidden layer of this size each way
MAX_BETA, MAX_EPOCHS = 10.0, 30  # a run's bounds: its length stays under a minute on one CPU thread
DEFAULT_EPOCHS = 12


class SettingsError(ValueError):
    """A run's settings are out of bounds; the message is meant for the visitor."""


def check_settings(beta: float | None, epochs: float | None, seed: float | None) -> tuple[float, int, int]:
    """β, epochs and seed as a run takes them, or a SettingsError that says what is allowed."""
    if beta is None or not math.isfinite(beta) or not 0 <= beta <= MAX_BETA:
        raise SettingsError(f"β must be a number from 0 to {MAX_BETA:g}, not {beta}.")
    if epochs is None or not math.isfinite(epochs) or epochs != int(epochs) or not 1 <= epochs <= MAX_EPOCHS:
        raise SettingsError(f"Epochs must be a whole number from 1 to {MAX_EPOCHS}, not {epochs}.")
    if seed is None or not math.isfinite(seed) or seed != int(seed) or not 0 <= seed < 2**31:
        raise SettingsError(f"The seed must be a whole number from 0 to {2**31 - 1}, not {seed}.")
    return float(beta), int(epochs), int(seed)


def gpu_seconds(dataset: str, beta: float, epochs: int, seed: int) -> int:
    """The GPU time ZeroGPU reserves for a run of checked settings: a few seconds to start, and two
    per epoch at most."""
    return 20 + 2 * epochs


@spaces.GPU(duration=gpu_seconds)
def train_on_gpu(dataset: str, beta: float, epochs: int, seed: int) -> Iterator[dict]:
    """playground.train.train_live where the run belongs: on ZeroGPU, in the GPU's process (it takes
    and yields plain data, which crosses the process boundary); elsewhere, this function unchanged."""
    from playground.train import train_live

    yield from train_live(dataset, beta, epochs, seed)
