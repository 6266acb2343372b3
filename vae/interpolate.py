"""Paths between two latent codes: the straight line and the great-circle arc."""

import math

import torch

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
