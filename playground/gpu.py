"""The Train tab's run where it belongs: on ZeroGPU, in the GPU's process; elsewhere, where it is called.

Alone in its module because `spaces` registers the function when it is imported, before the page is
served, and because nothing else in playground/ should load `spaces` (or, before a run starts, torch)."""

from collections.abc import Iterator

import spaces


def gpu_seconds(dataset: str, beta: float, epochs: int, seed: int) -> int:
    """The GPU time ZeroGPU reserves for a run of checked settings: a few seconds to start, and two
    per epoch at most."""
    return 20 + 2 * epochs


@spaces.GPU(duration=gpu_seconds)
def train_on_gpu(dataset: str, beta: float, epochs: int, seed: int) -> Iterator[dict]:
    """playground.train.train_live on the GPU's process (it takes and yields plain data, which crosses
    the process boundary); off ZeroGPU, this function unchanged. Imported when a run starts, as it
    loads torch."""
    from playground.train import train_live

    yield from train_live(dataset, beta, epochs, seed)
