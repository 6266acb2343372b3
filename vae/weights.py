"""Read and write weights folders (config.json, model.safetensors and stored test codes) safely and with
clear errors, never through pickle."""

import dataclasses
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

import numpy as np
from safetensors import SafetensorError
from safetensors.numpy import load_file as load_arrays
from safetensors.numpy import save_file as save_arrays

if TYPE_CHECKING:
    from torch import nn

CONFIG_FILE = "config.json"
WEIGHTS_FILE = "model.safetensors"
DECODER_FILE = "decoder.safetensors"  # the decoder for the page, written by vae.export
ORIGIN_FILE = "origin.png"  # beside it: the decode of z = 0, the page's first digit while the decoder loads
EVALUATION_FILE = "evaluation.json"  # what python -m vae.evaluate measured, kept beside the model
CODES_FILE = "test_codes.safetensors"  # beside a model: the app draws maps and fits samplers without data
WEIGHTS_DIR = Path(__file__).resolve().parent.parent / "weights"
MODELS = ("vae", "vae-2d", "ae", "ae-2d", "classifier")  # the bundled folders of each dataset

M = TypeVar("M", bound="nn.Module")


class WeightsError(RuntimeError):
    """A weights folder is missing, corrupt or does not match its config; the message names the file."""


def model_folder(dataset: str, model: str = "vae", weights_dir: Path = WEIGHTS_DIR) -> Path:
    """Where a bundled model of a dataset lives: weights/<dataset>-<model>, model one of MODELS."""
    if model not in MODELS:
        raise ValueError(f"model must be one of {', '.join(MODELS)}, not {model!r}")
    return weights_dir / f"{dataset}-{model}"


def sweep_folder(dataset: str, beta: float, weights_dir: Path = WEIGHTS_DIR) -> Path:
    """Where the bundled 2-D model trained with KL weight beta lives: weights/<dataset>-beta-<beta>."""
    return weights_dir / f"{dataset}-beta-{beta:g}"


class Codes(NamedTuple):
    """A model's test-set codes (N, latent size) and their labels (N,), as vae.train stored them."""

    codes: np.ndarray
    labels: np.ndarray


def read_config_json(folder: Path) -> dict[str, Any]:
    """The folder's config.json as a dict, or a WeightsError naming the file."""
    return read_json_object(folder / CONFIG_FILE)


def read_evaluation(folder: Path) -> dict[str, Any]:
    """What python -m vae.evaluate measured of the folder's model, or a WeightsError naming the file."""
    return read_json_object(folder / EVALUATION_FILE)


def read_json_object(path: Path) -> dict[str, Any]:
    """A JSON file holding one object, as a dict, or a WeightsError naming the file."""
    try:
        raw = json.loads(path.read_text())
    except FileNotFoundError:
        raise WeightsError(f"{path}: missing") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise WeightsError(f"{path}: not valid JSON ({err})") from None
    if not isinstance(raw, dict):
        raise WeightsError(f"{path}: expected a JSON object, got {type(raw).__name__}")
    return raw


def check_config_value(path: Path, name: str, value: Any, expected: type) -> Any:
    """value, if it has the field's exact type (and an int is at least 1); else a WeightsError naming path."""
    if type(value) is not expected or (expected is int and value < 1):
        raise WeightsError(f"{path}: {name}={value!r} is not a valid {expected.__name__}")
    return value


def read_config(config_cls: type, folder: Path) -> Any:
    """The folder's config.json as a config_cls dataclass, refusing unknown or missing fields."""
    path, raw = folder / CONFIG_FILE, read_config_json(folder)
    fields = {f.name: f for f in dataclasses.fields(config_cls)}
    required = {name for name, f in fields.items() if not f.metadata.get("optional")}
    unknown, missing = sorted(set(raw) - set(fields)), sorted(required - set(raw))
    if unknown or missing:
        raise WeightsError(
            f"{path}: does not describe a {config_cls.__name__} "
            f"(unknown fields {unknown}, missing fields {missing})"
        )
    for name, value in raw.items():
        check_config_value(path, name, value, type(fields[name].default))
    try:
        return config_cls(**raw)
    except ValueError as err:
        raise WeightsError(f"{path}: {err}") from None


def load_pretrained(model_cls: type[M], folder: str | Path) -> M:
    """Build model_cls from folder's config and load its safetensors weights (never pickle), in eval mode."""
    # safetensors.torch imports torch: here, so that importing this module to read a config does not.
    import torch
    from safetensors.torch import load_file

    folder = Path(folder)
    if not folder.is_dir():
        raise WeightsError(f"{folder}: no such weights folder")
    config = read_config(model_cls.config_class, folder)
    path = folder / WEIGHTS_FILE
    if not path.is_file():
        raise WeightsError(f"{path}: missing (weights are only read from safetensors files)")
    try:
        state = load_file(path)
    except (SafetensorError, OSError, ValueError) as err:
        raise WeightsError(f"{path}: not a readable safetensors file ({err})") from None
    # Built on the meta device: no memory and no random initialisation, which would draw from torch's
    # global generator under a training run's feet on another thread; the file gives every tensor.
    with torch.device("meta"):
        model = model_cls(config)
    try:
        model.load_state_dict(state, strict=True, assign=True)
    except RuntimeError as err:
        detail = " ".join(str(err).split())
        raise WeightsError(f"{path}: does not match {folder / CONFIG_FILE}: {detail}") from None
    return model.eval()


def save_codes(codes: np.ndarray, labels: np.ndarray, folder: Path) -> None:
    """Store a model's test-set codes (N, latent size) and labels (N,) beside its weights."""
    save_arrays({"codes": codes, "labels": labels.astype(np.uint8)}, folder / CODES_FILE)


def load_codes(folder: Path) -> Codes:
    """Codes and labels saved by save_codes."""
    path = folder / CODES_FILE
    try:
        tensors = load_arrays(path)
        return Codes(tensors["codes"], tensors["labels"])
    except (OSError, SafetensorError, KeyError) as err:
        raise WeightsError(f"{path}: not a readable codes file ({err!r})") from None
