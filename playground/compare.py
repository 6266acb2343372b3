"""The autoencoder against the VAE, the work of the Latent space tab's comparison: the same samplers'
codes and the same test images' interpolations decoded by both, the figures vae.sample_quality measured
of each, and where the two models' 2-D counterparts put the test images."""

from typing import NamedTuple

import torch
from PIL import Image

from playground.bundle import ModelBundle
from playground.maps import AXES, MapWindow, scatter_map
from playground.pictures import image_grid
from vae.classifier import CONFIDENT, DigitClassifier, confident_share
from vae.config import SAMPLERS
from vae.model import VAE
from vae.sample_quality import different_class_pairs
from vae.sampling import Samplers, seeded_generator
from vae.weights import Codes

SAME = 4  # points: a smaller gap between two shares of 1,000 samples is no clear difference
STRIP_STEPS = 7  # each interpolation strip: both test digits' decodes and five codes between them


class Rival(NamedTuple):
    """One side of the comparison: a model, its samplers (with their stored figures) and its test codes."""

    model: VAE
    samplers: Samplers
    test: Codes


class CodeMaps:
    """The test codes of the 2-D autoencoder and the 2-D VAE, each map on its own axes with ticks: the
    autoencoder's codes span a far larger square than the VAE's."""

    def __init__(self, ae: Codes, vae: Codes) -> None:
        self.ae_window = MapWindow.around(ae.codes, margins=AXES)
        self.vae_window = MapWindow.around(vae.codes, margins=AXES)
        self.ae_map = scatter_map(*ae, self.ae_window)
        self.vae_map = scatter_map(*vae, self.vae_window)

    def caption(self) -> str:
        """How far each map's axes reach: the two models' codes spread very differently."""
        ae, vae = self.ae_window.high, self.vae_window.high
        return (
            f"Each map has its own axes, to hold 99.5% of its codes: the autoencoder's run from "
            f"-{ae:.0f} to {ae:.0f}, the VAE's from -{vae:.0f} to {vae:.0f}."
        )


class Comparison:
    """The autoencoder and the VAE with the same network and latent size: random codes from the same
    sampler, and the same test digits' interpolations, decoded by both; and, given them, the maps of their
    2-D counterparts."""

    def __init__(
        self, ae: Rival, vae: Rival, classifier: DigitClassifier, maps: CodeMaps | None = None
    ) -> None:
        self.ae, self.vae, self.classifier, self.maps = ae, vae, classifier.eval(), maps

    @classmethod
    def of(cls, models: ModelBundle) -> "Comparison":
        """A dataset's app VAE against its autoencoder, judged by its classifier, with both 2-D maps."""
        return cls(
            Rival(models.ae, models.ae_samplers, models.ae_codes),
            Rival(models.vae, models.samplers, models.codes),
            models.classifier,
            CodeMaps(models.ae_codes_2d, models.codes_2d),
        )

    def random_grids(self, sampler: str, seed: float | None = 0) -> tuple[Image.Image, Image.Image, str]:
        """64 codes from the named sampler for each model (one seed for both), decoded, and a caption."""
        ae_grid, vae_grid, shares = self.sure_shares(sampler, seed)
        caption = (
            f"These 64 codes from {SAMPLERS[sampler]}: the classifier is sure (p ≥ {CONFIDENT}) of "
            f"{shares['ae_sure_share']:.0%} of the autoencoder's decodes and {shares['vae_sure_share']:.0%} "
            "of the VAE's."
        )
        return ae_grid, vae_grid, caption

    @torch.inference_mode()
    def sure_shares(self, sampler: str, seed: float | None = 0) -> tuple[Image.Image, Image.Image, dict]:
        """random_grids()'s two grids and, as data, the share of each model's decodes the classifier is
        sure of."""
        grids, shares = [], []
        for rival in (self.ae, self.vae):
            z = rival.samplers.codes(sampler, 64, seeded_generator(seed))
            pixels = rival.model.decode_pixels(z)
            grids.append(image_grid(pixels, nrow=8, scale=2))
            shares.append(confident_share(self.classifier.predict_proba(pixels)))
        figures = {"samples": 64, "ae_sure_share": shares[0], "vae_sure_share": shares[1]}
        return grids[0], grids[1], figures

    @torch.inference_mode()
    def interpolations(self, seed: float | None = 0, pairs: int = 8) -> tuple[Image.Image, Image.Image]:
        """Both models' decodes along the straight line between the codes of the same test digits."""
        first, second = different_class_pairs(self.vae.test.labels, pairs, seeded_generator(seed))
        t = torch.linspace(0, 1, STRIP_STEPS)[None, :, None]
        strips = []
        for rival in (self.ae, self.vae):
            codes = torch.from_numpy(rival.test.codes)
            line = codes[first][:, None] * (1 - t) + codes[second][:, None] * t  # (pairs, steps, D)
            strips.append(image_grid(rival.model.decode_pixels(line.flatten(0, 1)), STRIP_STEPS, scale=2))
        return strips[0], strips[1]

    def figures(self, held_out_sure: float) -> str:
        """Markdown: the stored figures of both models, one row per sampler and one for the midpoints,
        and what they show, read off the same numbers; held_out_sure, the share of real held-out images
        the classifier is sure of, is what they are measured against."""
        ae, vae = self.ae.samplers.metadata, self.vae.samplers.metadata
        rows = [(f"codes from {SAMPLERS[name]}", f"{name}_confident_share") for name in SAMPLERS]
        rows.append(("midpoints between test images of different classes", "midpoint_confident_share"))
        shares = [(label, float(ae[key]), float(vae[key])) for label, key in rows]
        counts = f"{int(vae['codes']):,} codes per sampler, {int(vae['midpoint_pairs']):,} pairs"
        lines = [
            f"**The {self.vae.model.config.latent_dim}-D models' decodes the classifier is sure of** "
            f"(p ≥ {CONFIDENT}; {counts}; higher is better, and the held-out images themselves score "
            f"{held_out_sure:.0%}):",
            "",
            "| decodes of | autoencoder | VAE |",
            "|---|---:|---:|",
            *(f"| {label} | {ae_share:.0%} | {vae_share:.0%} |" for label, ae_share, vae_share in shares),
        ]
        readings = "; ".join(f"{label}: {lead(ae_share, vae_share)}" for label, ae_share, vae_share in shares)
        return "\n".join(lines) + f"\n\nRow by row, {readings}."


def lead(ae: float, vae: float) -> str:
    """Which model's share is higher, in words; differences under SAME points are within what 1,000
    samples can tell apart (the standard error of a difference of two such shares is about 2 points)."""
    points = round(100 * abs(vae - ae))
    if points < SAME:
        return f"no clear difference ({points} point{'s' * (points != 1)})"
    return f"the {'VAE' if vae > ae else 'autoencoder'} leads by {points} points"
