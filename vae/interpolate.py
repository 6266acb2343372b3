"""Paths between two latent codes, and the morph along one as an animated GIF."""

import base64
import io
import math

import torch
from PIL import Image

METHODS = {"slerp": "spherical", "lerp": "straight line"}


def lerp(a: torch.Tensor, b: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """Points (len(t), dim) on the straight line from a (t = 0) to b (t = 1)."""
    t = t[:, None]
    return (1 - t) * a + t * b


def slerp(a: torch.Tensor, b: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """Points on the great-circle arc from a to b, their norm moving from |a| to |b|: unlike the straight
    line, the path stays as far from the origin as typical prior samples are (|z| ~ sqrt(dim))."""
    cosine = torch.dot(a, b) / (a.norm() * b.norm()).clamp_min(1e-12)
    angle = torch.arccos(cosine.clamp(-1.0, 1.0))
    if angle.abs() < 1e-4 or math.pi - angle.abs() < 1e-4:  # (anti)parallel: no unique arc
        return lerp(a, b, t)
    t = t[:, None]
    return (torch.sin((1 - t) * angle) * a + torch.sin(t * angle) * b) / torch.sin(angle)


def path(a: torch.Tensor, b: torch.Tensor, steps: int, method: str = "slerp") -> torch.Tensor:
    """steps codes from a to b inclusive, by 'slerp' or 'lerp'."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, not {method!r}")
    t = torch.linspace(0.0, 1.0, steps, dtype=a.dtype)
    return (slerp if method == "slerp" else lerp)(a, b, t)


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
