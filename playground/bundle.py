"""Every model the app shows for one dataset, loaded once from its weights folders."""

from dataclasses import dataclass
from pathlib import Path

from vae.classifier import DigitClassifier
from vae.model import VAE
from vae.sampling import Samplers
from vae.weights import WEIGHTS_DIR, Codes, load_codes, load_pretrained, model_folder


@dataclass(frozen=True)
class ModelBundle:
    """weights/<dataset>-vae, -vae-2d, -ae, -ae-2d and -classifier, with the stored test codes and the
    samplers fitted to the app's VAE and its rival autoencoder."""

    dataset: str
    vae: VAE  # the app's VAE: the sliders, the Draw and Interpolate tabs
    vae_2d: VAE  # the latent map
    ae: VAE  # the same network as the app's VAE, trained as a plain autoencoder
    ae_2d: VAE
    classifier: DigitClassifier
    samplers: Samplers  # fitted to the app's VAE's training codes: where its random samples come from
    ae_samplers: Samplers
    codes: Codes
    codes_2d: Codes
    ae_codes: Codes
    ae_codes_2d: Codes

    @classmethod
    def load(cls, dataset: str, weights_dir: Path = WEIGHTS_DIR) -> "ModelBundle":
        """Load and check every folder; a WeightsError names the first file at fault."""
        folder = {name: model_folder(dataset, name, weights_dir) for name in ("vae", "vae-2d", "ae", "ae-2d")}
        vae, ae = load_pretrained(VAE, folder["vae"]), load_pretrained(VAE, folder["ae"])
        return cls(
            dataset=dataset,
            vae=vae,
            vae_2d=load_pretrained(VAE, folder["vae-2d"]),
            ae=ae,
            ae_2d=load_pretrained(VAE, folder["ae-2d"]),
            classifier=load_pretrained(DigitClassifier, model_folder(dataset, "classifier", weights_dir)),
            samplers=Samplers.load(folder["vae"], vae.config.latent_dim),
            ae_samplers=Samplers.load(folder["ae"], ae.config.latent_dim),
            codes=load_codes(folder["vae"]),
            codes_2d=load_codes(folder["vae-2d"]),
            ae_codes=load_codes(folder["ae"]),
            ae_codes_2d=load_codes(folder["ae-2d"]),
        )
