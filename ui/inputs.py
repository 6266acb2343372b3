"""Every endpoint's inputs checked before Gradio reads them, for the page and the API alike: a bad value
gets one line that names the parameter and what it takes, never a traceback or a pydantic dump, and
NaN, an infinity or a fraction where a whole number goes is refused, never replaced or rounded."""

import math
from collections.abc import Callable, Collection
from typing import Any, TypeVar

import gradio as gr

MAX_SEED = 2**31 - 1  # what torch and numpy seed from alike
Check = Callable[[Any], None]
Component = TypeVar("Component", bound=gr.components.Component)


def refused(message: str) -> gr.Error:
    """The one line a client gets back; the server's log is spared the traceback."""
    return gr.Error(message, print_exception=False)


def shown(value: Any) -> str:
    """A value as the message quotes it: short, whatever was sent."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def plain(bound: float) -> str:
    """A bound as the message writes it: 2147483647, 0.5, -3."""
    return str(int(bound)) if bound == int(bound) else f"{bound:g}"


def number(name: str, low: float, high: float, whole: bool = False, empty: bool = False) -> Check:
    """A number from low to high (a whole one where whole); None too where empty."""
    kind = "a whole number" if whole else "a number"

    def check(value: Any) -> None:
        if value is None and empty:
            return
        fits = (
            isinstance(value, int | float)
            and not isinstance(value, bool)
            and math.isfinite(value)
            and low <= value <= high
            and (not whole or value == int(value))
        )
        if not fits:
            raise refused(f"{name} must be {kind} from {plain(low)} to {plain(high)}, not {shown(value)}.")

    return check


def seed_check(name: str = "seed") -> Check:
    """A seed: -1 (or nothing) for a new draw each time, else a whole number torch can seed from."""
    in_range = number(name, 0, MAX_SEED, whole=True)

    def check(value: Any) -> None:
        if value is None or value == -1:
            return
        try:
            in_range(value)
        except gr.Error:
            raise refused(
                f"{name} must be -1 (a new draw each time) or a whole number from 0 to {MAX_SEED}, "
                f"not {shown(value)}."
            ) from None

    return check


def one_of(name: str, choices: Collection[str]) -> Check:
    """One of the choices, exactly."""

    def check(value: Any) -> None:
        if not isinstance(value, str) or value not in choices:
            listed = ", ".join(f'"{choice}"' for choice in choices)
            raise refused(f"{name} must be one of {listed}, not {shown(value)}.")

    return check


def checked(component: Component, check: Check) -> Component:
    """component with check run on each value sent to it, before Gradio's own reading of it."""
    read = component.preprocess

    def preprocess(payload: Any) -> Any:
        check(payload)
        return read(payload)

    component.preprocess = preprocess
    return component


def is_file(value: Any) -> bool:
    """A file as Gradio's clients send one: a dict with its path or its URL."""
    return isinstance(value, dict) and isinstance(value.get("path") or value.get("url"), str)


def is_sketch(value: Any) -> bool:
    """A sketch pad's value: its background, layers and composite, each a file or empty."""
    return (
        isinstance(value, dict)
        and set(value) <= {"background", "layers", "composite", "id"}
        and all(value.get(key) is None or is_file(value[key]) for key in ("background", "composite"))
        and isinstance(value.get("layers", []), list)
        and all(is_file(layer) for layer in value.get("layers", []))
    )


def checked_sketch(pad: gr.Sketchpad, name: str) -> gr.Sketchpad:
    """pad with its value's shape checked before Gradio validates it (whose error is a pydantic dump)."""

    base = pad.data_model

    class EditorData(base):  # the same schema, under the same name, in the API's docs
        @classmethod
        def model_validate(cls, obj: Any, *args: Any, **kwargs: Any) -> "EditorData":
            if not isinstance(obj, base) and not is_sketch(obj):
                raise refused(
                    f'{name} must be a sketch pad\'s value, {{"background": null, "layers": [], '
                    f'"composite": <an image file>}}, not {shown(obj)}.'
                )
            return super().model_validate(obj, *args, **kwargs)

    pad.data_model = EditorData
    return pad
