"""A Train tab run's bounds and the check of a visitor's settings, and the 2-D maps' shared constants:
plain numbers, importable by the page and the models alike without torch."""

import math

SWEEP_BETAS = (0.0, 0.3, 1.0, 3.0, 10.0)  # the bundled runs, from a plain autoencoder's loss to collapse
MAP_BETA = 1.0  # the Latent space tab's map is the bundled run at this β
MAP_EDGE = 4.0  # the 2-D maps' axes run from -4 to 4: N(0, I) holds 99.9 % of its mass in that square
LIVE_HIDDEN = 512  # the network trained live: one hidden layer of this size each way
MAX_BETA, MAX_EPOCHS = 10.0, 30  # a run's bounds: its length stays under a minute on one CPU thread
DEFAULT_EPOCHS = 12


RECORD_KEYS = ("epoch", "reconstruction", "kl", "loss", "active_dims")  # a run's figures, per epoch


def run_record(row: dict) -> dict:
    """One epoch's figures of a live run's update (held-out, nats per image), as the API answers them."""
    return {key: row[key] for key in RECORD_KEYS}


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
