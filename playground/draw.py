"""The Draw tab's work: a drawing encoded into μ and σ, decoded from z = μ and from samples of
z ~ N(μ, σ²), with its reconstruction and KL terms."""

import html
from dataclasses import dataclass

import numpy as np
import torch
from PIL import Image

from playground.generate import reading
from playground.pictures import latent_html, to_image
from playground.sketch import SketchError, preprocess_sketch
from vae.classifier import DigitClassifier, with_article
from vae.config import DATASETS
from vae.model import VAE, vae_loss
from vae.sampling import seeded_generator

POSTERIOR_SAMPLES = 6
POSTERIOR_SEED = 0  # the same drawing always shows the same samples of z ~ N(μ, σ²)


@dataclass
class Reconstruction:
    """Everything the Draw tab shows for one drawing; images are None when there is no drawing."""

    reconstruction: Image.Image | None
    model_input: Image.Image | None
    posterior_samples: Image.Image | None
    latents: str
    message: str
    mu: list[float] | None
    pixels: np.ndarray | None = None  # the 28x28 model input, for the latent map's marker
    caption: str = ""  # what the classifier sees in the reconstruction
    figures: dict | None = None  # the same numbers as data, for the API


def drawn_image(sketch: dict | np.ndarray | None) -> np.ndarray | None:
    """The image in a sketch pad's value (its composite), or the array itself."""
    return sketch.get("composite") if isinstance(sketch, dict) else sketch


def rounded(values: torch.Tensor) -> list[float]:
    """A vector as the API answers it: a list of floats to four decimals."""
    return [round(v, 4) for v in values.tolist()]


@torch.inference_mode()
def class_references(vae: VAE, images: np.ndarray, labels: np.ndarray) -> dict[int | None, float]:
    """The mean negative ELBO (with z = μ, as the tab reports a drawing's) of held-out images (uint8,
    N x 28 x 28), per label and (under None) over all: what a drawing's figure can be held against."""
    x = torch.from_numpy(images.astype(np.float32) / 255)[:, None]
    mu, logvar = vae.encode_all(x)
    logits = torch.cat([vae.decode(batch) for batch in mu.split(250)])
    references: dict[int | None, float] = {None: float(vae_loss(x, logits, mu, logvar).loss)}
    for label in np.unique(labels):
        mine = torch.from_numpy(labels == label)
        references[int(label)] = float(vae_loss(x[mine], logits[mine], mu[mine], logvar[mine]).loss)
    return references


class Drawing:
    """One dataset's VAE and classifier, behind the Draw tab's handler; given held-out images and their
    labels, a drawing's figure is told beside theirs."""

    def __init__(
        self, vae: VAE, classifier: DigitClassifier, held_out: tuple[np.ndarray, np.ndarray] | None = None
    ) -> None:
        self.vae, self.classifier = vae.eval(), classifier.eval()
        self.dataset = vae.config.dataset
        self.references = class_references(self.vae, *held_out) if held_out is not None else {}

    def pixels_of(self, sketch: dict | np.ndarray | None) -> np.ndarray:
        """The 28x28 model input of a drawing, prepared as the dataset's images were; a SketchError
        says why there is none."""
        image = drawn_image(sketch)
        if image is None:
            raise SketchError("Draw on the pad.")
        return preprocess_sketch(image, self.dataset)

    @torch.inference_mode()
    def reconstruct(self, sketch: dict | np.ndarray | None) -> Reconstruction:
        """Encode a drawing, decode its mean and a few samples of z ~ N(mu, sigma^2)."""
        try:
            pixels = self.pixels_of(sketch)
        except SketchError as err:
            return Reconstruction(None, None, None, "", str(err), None)
        x = torch.from_numpy(pixels)[None, None]
        mu, logvar = self.vae.encode(x)
        sigma = torch.exp(0.5 * logvar)
        logits = self.vae.decode(mu)
        decoded = torch.sigmoid(logits)
        noise = torch.randn(POSTERIOR_SAMPLES, mu.shape[1], generator=seeded_generator(POSTERIOR_SEED))
        samples = self.vae.decode_pixels(mu + sigma * noise)[:, 0]
        strip = torch.cat(list(samples), dim=1)
        terms = vae_loss(x, logits, mu, logvar)
        message = (
            f"Reconstruction {terms.recon.item():.1f} nats + KL {terms.kl.item():.1f} nats "
            f"= {terms.loss.item():.1f} nats: the negative ELBO of this drawing with z = μ (lower is better)."
            + self.reference(x, terms.loss.item())
        )
        return Reconstruction(
            reconstruction=to_image(decoded),
            model_input=to_image(pixels),
            posterior_samples=to_image(strip, scale=4),
            latents=latent_html(
                mu[0].numpy(), sigma[0].numpy(), terms.kl_per_dim.numpy(), self.vae.kl_per_dim.numpy()
            ),
            message=html.escape(message),
            mu=[round(v, 2) for v in mu[0].tolist()],
            pixels=pixels,
            caption=reading(self.classifier, decoded),
            figures={
                "reconstruction": round(terms.recon.item(), 4),
                "kl": round(terms.kl.item(), 4),
                "elbo": round(-terms.loss.item(), 4),
                "mu": rounded(mu[0]),
                "sigma": rounded(sigma[0]),
                "kl_per_dim": rounded(terms.kl_per_dim),
                "reading": self.classifier.reading(decoded),
            },
        )

    def reference(self, x: torch.Tensor, loss: float) -> str:
        """The held-out images of the class the drawing looks like, and all of them, beside its figure."""
        if not self.references:
            return ""
        label = int(self.classifier.predict_proba(x).argmax())
        name = DATASETS[self.dataset].classes[label]
        return (
            f" The classifier reads your drawing itself as {with_article(name)}: held-out images labelled "
            f"{name} average {self.references[label]:.1f} nats, all of them "
            f"{self.references[None]:.1f} nats. A nat is a natural-log unit, and the ELBO a lower bound on "
            f"log p(x): {loss:.1f} nats bounds the probability the model gives these 784 pixels at about "
            f"e^-{loss:.0f} or more (with z = μ standing in for the ELBO's average over z)."
        )
