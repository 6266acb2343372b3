"""The Interpolate tab's work: decodes along a path between two drawings' codes (or random samples),
and the morph along it as an animated GIF."""

import base64
import io

import numpy as np
import torch
from PIL import Image

from playground.draw import drawn_image
from playground.pictures import image_grid, to_image
from playground.sketch import SketchError, is_blank, preprocess_sketch
from vae.interpolate import METHODS, path
from vae.model import VAE
from vae.sampling import Samplers, seeded_generator

GIF_FRAMES, GIF_SCALE = 20, 3  # the morph one way, at 84 px: it plays forwards, then backwards
RANDOM_END = "mixture"  # the sampler an empty pad's random code comes from, as Random sample's default


def morph_gif(frames: list[Image.Image], frame_ms: int = 120) -> bytes:
    """An endlessly looping GIF that plays the frames forwards, then backwards."""
    loop = frames + frames[-2:0:-1]
    buffer = io.BytesIO()
    loop[0].save(buffer, format="GIF", save_all=True, append_images=loop[1:], duration=frame_ms, loop=0)
    return buffer.getvalue()


def gif_html(gif: bytes, name: str = "morph.gif") -> str:
    """The GIF inline (shown at 224 px, pixels kept square), with a link that downloads it: no file is
    written on the server."""
    uri = "data:image/gif;base64," + base64.b64encode(gif).decode("ascii")
    return (
        f'<div class="morph"><img src="{uri}" alt="the morph, animated">'
        f'<a href="{uri}" download="{name}">Download the GIF</a></div>'
    )


class Interpolator:
    """One dataset's VAE and its samplers, behind the Interpolate tab's handler."""

    def __init__(self, vae: VAE, samplers: Samplers | None = None) -> None:
        self.vae = vae.eval()
        self.samplers = samplers or Samplers(vae.config.latent_dim)
        self.dataset = vae.config.dataset

    @torch.inference_mode()
    def interpolate(
        self,
        start: dict | np.ndarray | None,
        end: dict | np.ndarray | None,
        seed: float | None = 0,
        method: str = "slerp",
        steps: float = 10,
    ) -> tuple[Image.Image | None, str, str]:
        """Decodes along the path from the start drawing's code to the end's (an empty pad: a random
        sample), the morph as a GIF, and a line saying what was interpolated."""
        try:
            codes, names = self.ends(start, end, seed)
        except SketchError as err:
            return None, "", str(err)
        steps = int(np.clip(np.nan_to_num(steps, nan=10), 2, 16))
        strip = self.vae.decode_pixels(path(*codes, steps, method))
        frames = self.vae.decode_pixels(path(*codes, GIF_FRAMES, method))
        gif = morph_gif([to_image(frame, scale=GIF_SCALE) for frame in frames])
        grid = image_grid(strip, nrow=steps, scale=3)
        message = f"From {names[0]} to {names[1]}, {steps} steps along the {METHODS[method]} path."
        return grid, gif_html(gif), message

    @torch.inference_mode()
    def strip(
        self, start: np.ndarray | None, end: np.ndarray | None, seed: float | None, method: str, steps: int
    ) -> tuple[Image.Image, dict]:
        """interpolate()'s strip and, as data, what each end was and the code of each step; a SketchError
        names the drawing that holds no digit."""
        codes, names = self.ends(start, end, seed)
        z = path(*codes, steps, method)
        figures = {
            "start": names[0],
            "end": names[1],
            "method": method,
            "steps": steps,
            "z": [[round(v, 4) for v in code] for code in z.tolist()],
        }
        return image_grid(self.vae.decode_pixels(z), nrow=steps, scale=3), figures

    def ends(
        self, start: dict | np.ndarray | None, end: dict | np.ndarray | None, seed: float | None
    ) -> tuple[list[torch.Tensor], list[str]]:
        """The codes of the two ends (a blank one: a random sample) and what each is."""
        generator = seeded_generator(seed)
        codes, names = [], []
        for side, sketch in (("start", start), ("end", end)):
            image = drawn_image(sketch)
            try:
                pixels = None if is_blank(image) else preprocess_sketch(image, self.dataset)
            except SketchError as err:
                raise SketchError(f"The {side} drawing: {err}") from None
            if pixels is None:
                codes.append(self.samplers.codes(RANDOM_END, 1, generator)[0])
                names.append("a random sample")
            else:
                codes.append(self.vae.encode(torch.from_numpy(pixels)[None, None])[0][0])
                names.append(f"your {side} drawing")
        return codes, names
