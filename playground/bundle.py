"""Every model the app shows for one dataset, loaded once from its weights folders."""

from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

import torch

from playground.runs import MAP_BETA
from vae.classifier import DigitClassifier, confident_share
from vae.data import as_floats
from vae.model import VAE
from vae.sampling import Samplers
from vae.subsets import Subset, load_subset
from vae.weights import WEIGHTS_DIR, Codes, load_codes, load_pretrained, model_folder, sweep_folder


@cache
def subset_of(dataset: str) -> Subset:
    """The dataset's subset that travels with the app, read and checked once."""
    return load_subset(dataset)


@dataclass(frozen=True)
class ModelBundle:
    """weights/<dataset>-vae, -ae and -classifier, the 2-D VAE of the latent map (the Train tab's β = 1
    run), the stored test codes (the 2-D models' for the comparison's maps), the samplers fitted to the
    app's VAE and its rival autoencoder, and the subset that travels with the app."""

    dataset: str
    vae: VAE  # the app's VAE: the sliders, the Draw and Interpolate tabs
    map_vae: VAE  # the latent map: a 2-D MLP, fast enough to decode a grid of its latent space
    ae: VAE  # the same network as the app's VAE, trained as a plain autoencoder
    classifier: DigitClassifier
    samplers: Samplers  # fitted to the app's VAE's training codes: where its random samples come from
    ae_samplers: Samplers
    codes: Codes
    codes_2d: Codes
    ae_codes: Codes
    ae_codes_2d: Codes
    subset: Subset  # the map's held-out images and the training images behind its prior's holes

    @classmethod
    def load(cls, dataset: str, weights_dir: Path = WEIGHTS_DIR) -> "ModelBundle":
        """Load and check every folder; a WeightsError names the first file at fault."""
        folder = {name: model_folder(dataset, name, weights_dir) for name in ("vae", "vae-2d", "ae", "ae-2d")}
        vae, ae = load_pretrained(VAE, folder["vae"]), load_pretrained(VAE, folder["ae"])
        return cls(
            dataset=dataset,
            vae=vae,
            map_vae=load_pretrained(VAE, sweep_folder(dataset, MAP_BETA, weights_dir)),
            ae=ae,
            classifier=load_pretrained(DigitClassifier, model_folder(dataset, "classifier", weights_dir)),
            samplers=Samplers.load(folder["vae"], vae.config.latent_dim),
            ae_samplers=Samplers.load(folder["ae"], ae.config.latent_dim),
            codes=load_codes(folder["vae"]),
            codes_2d=load_codes(folder["vae-2d"]),
            ae_codes=load_codes(folder["ae"]),
            ae_codes_2d=load_codes(folder["ae-2d"]),
            subset=subset_of(dataset),
        )

    @cached_property
    @torch.inference_mode()
    def held_out_sure_share(self) -> float:
        """The share of the held-out images themselves that the classifier is sure of (p ≥ 0.9): the
        yardstick for every share of decodes it is sure of. Measured when first asked for (0.5 s)."""
        return confident_share(self.classifier.predict_proba(as_floats(self.subset.test_images)))
