"""Every dataset's models for the page's handlers, loaded on a thread once the page is served."""

import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING

import gradio as gr

from vae.config import DATASETS, VAEConfig
from vae.weights import WEIGHTS_DIR, model_folder, read_config

if TYPE_CHECKING:  # these import torch, which Models loads on its thread
    from playground.bundle import ModelBundle
    from playground.compare import Comparison
    from playground.draw import Drawing
    from playground.generate import Generator
    from playground.interpolate import Interpolator
    from playground.latent import LatentSpace
    from playground.train import Training


@dataclass(frozen=True)
class DatasetHandlers:
    """One dataset's models, behind the handlers of the tab each is named after."""

    bundle: "ModelBundle"  # the models themselves, and what is measured of them once for every tab
    generate: "Generator"
    draw: "Drawing"
    interpolate: "Interpolator"
    latent: "LatentSpace"  # the 2-D maps
    comparison: "Comparison"  # the Latent space tab's autoencoder against the VAE
    train: "Training"  # the bundled β sweep and live runs


class Models:
    """The handlers' one way to their dataset's models: models[dataset] waits until they are loaded.

    main() serves the page first and loads the models afterwards, because importing torch takes about
    as long as Gradio's whole start. A load that fails is reported by every handler, so the page stays
    up and says what went wrong."""

    def __init__(self, weights_dir: Path = WEIGHTS_DIR) -> None:
        self.weights_dir = weights_dir
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="load-models")
        self._starting = threading.Lock()  # main() and a request that comes in meanwhile both start it
        self._training: Future[dict[str, Training]] | None = None
        self._loaded: Future[dict[str, DatasetHandlers]] | None = None

    def start_loading(self, torch_threads: int | None = None) -> "Models":
        """Import torch and load every dataset's bundle on a thread, once; returns at once."""
        with self._starting:
            if self._loaded is None:
                # First torch and the Train tab's runs, which need no bundle: a run pressed on a
                # just-started server waits for torch alone.
                self._training = self._executor.submit(self._load_training, torch_threads)
                self._loaded = self._executor.submit(self._load, self._training)
                # Then, on the same thread once the handlers are ready, what the Train and Latent space
                # tabs would otherwise make their first visitor wait for: the module that the optimiser's
                # first step imports (1.3 s), the sweep's figures and the prior's holes.
                self._executor.submit(self._prepare_tabs)
        return self

    def _load_training(self, torch_threads: int | None) -> dict[str, "Training"]:
        import torch

        from playground.train import Training
        from vae.model import use_native_cpu_kernels

        if torch_threads is not None:
            torch.set_num_threads(torch_threads)
        use_native_cpu_kernels()
        return {dataset: Training(dataset, self.weights_dir) for dataset in DATASETS}

    def _load(self, training: Future[dict[str, "Training"]]) -> dict[str, DatasetHandlers]:
        from playground.bundle import ModelBundle
        from playground.compare import Comparison
        from playground.draw import Drawing
        from playground.generate import Generator
        from playground.interpolate import Interpolator
        from playground.latent import LatentSpace

        runs = training.result()  # loaded just before, on this same thread
        bundles = [ModelBundle.load(name, self.weights_dir) for name in DATASETS]
        return {
            bundle.dataset: DatasetHandlers(
                bundle=bundle,
                generate=Generator(bundle.vae, bundle.classifier, bundle.samplers),
                draw=Drawing(
                    bundle.vae, bundle.classifier, (bundle.subset.test_images, bundle.subset.test_labels)
                ),
                interpolate=Interpolator(bundle.vae, bundle.samplers),
                latent=LatentSpace(bundle),
                comparison=Comparison.of(bundle),
                train=runs[bundle.dataset],
            )
            for bundle in bundles
        }

    def _prepare_tabs(self) -> None:
        import_module("torch._dynamo")
        for handlers in self._loaded.result().values():
            # Measures the sweep, and the held-out images' share its figures are read against, once.
            handlers.train.sweep_table(handlers.bundle.held_out_sure_share)
            handlers.latent.holes()  # likewise the prior's holes (2 s)

    def __getitem__(self, dataset: str) -> DatasetHandlers:
        return self._wait(self.start_loading()._loaded)[dataset]

    def training(self, dataset: str) -> "Training":
        """The dataset's Train tab, which is ready before the other tabs' models."""
        return self._wait(self.start_loading()._training)[dataset]

    def training_ready(self) -> bool:
        """Whether training() answers without waiting for torch to load."""
        return self._training is not None and self._training.done()

    @staticmethod
    def _wait(loading: Future) -> dict:
        try:
            return loading.result()
        except Exception as err:
            raise gr.Error(f"The bundled models could not be loaded: {err}", print_exception=False) from None

    def latent_size(self) -> int:
        """How many sliders to build, from the first dataset's VAE config alone: the page is built
        before torch and the models load."""
        first = next(iter(DATASETS))
        return read_config(VAEConfig, model_folder(first, "vae", self.weights_dir)).latent_dim
