"""The decoder for the page: its layers as float16 tensors and a layer list, in one safetensors file
that the browser decodes slider values with (ui/static/decoder.js), and beside it the decode of z = 0 as
a PNG of a few hundred bytes, the page's first digit while the decoder loads: python -m vae.export FOLDER...

vae.train writes it beside every VAE it trains; this command writes it for an existing folder."""

import argparse
import json
import sys
from pathlib import Path

import torch
from PIL import Image
from safetensors.torch import save_file
from torch import nn

from vae.data import as_bytes
from vae.model import VAE
from vae.weights import DECODER_FILE, ORIGIN_FILE, WeightsError, load_pretrained

ACTIVATIONS = {nn.SiLU: "silu", nn.ReLU: "relu", nn.Tanh: "tanh", nn.Sigmoid: "sigmoid"}


def describe(index: int, layer: nn.Module) -> tuple[dict, dict[str, torch.Tensor]]:
    """One decoder layer as the page's layer list describes it, and the tensors it needs."""
    name = f"{index}."
    if isinstance(layer, nn.Linear):
        return {"type": "linear", "weight": name + "weight", "bias": name + "bias"}, {
            name + "weight": layer.weight,
            name + "bias": layer.bias,
        }
    if isinstance(layer, nn.ConvTranspose2d):
        if layer.groups != 1 or layer.dilation != (1, 1) or layer.padding_mode != "zeros":
            raise ValueError(f"layer {index}: only plain transposed convolutions run in the page")
        entry = {
            "type": "conv_transpose2d",
            "weight": name + "weight",
            "bias": name + "bias",
            "stride": list(layer.stride),
            "padding": list(layer.padding),
            "output_padding": list(layer.output_padding),
        }
        return entry, {name + "weight": layer.weight, name + "bias": layer.bias}
    if isinstance(layer, nn.Unflatten):
        return {"type": "unflatten", "shape": list(layer.unflattened_size)}, {}
    if type(layer) in ACTIVATIONS:
        return {"type": ACTIVATIONS[type(layer)]}, {}
    raise ValueError(f"layer {index}: the page cannot run a {type(layer).__name__}")


def export_decoder(model: VAE, folder: Path) -> Path:
    """Write folder/decoder.safetensors: float16 weights, the layer list and the latent size in its
    metadata; the list ends with the sigmoid that turns logits into pixels, as decode_pixels does. And
    folder/origin.png: the model's decode of z = 0, as the server draws it."""
    layers, tensors = [], {}
    for index, layer in enumerate(model.decoder):
        entry, needed = describe(index, layer)
        layers.append(entry)
        tensors |= {key: value.detach().to(torch.float16).contiguous() for key, value in needed.items()}
    layers.append({"type": "sigmoid"})
    metadata = {
        "layers": json.dumps(layers),
        "latent_dim": str(model.config.latent_dim),
        "dataset": model.config.dataset,
    }
    path = folder / DECODER_FILE
    save_file(tensors, path, metadata=metadata)
    with torch.inference_mode():
        origin = model.decode_pixels(torch.zeros(1, model.config.latent_dim))
    Image.fromarray(as_bytes(origin)[0]).save(folder / ORIGIN_FILE, optimize=True)
    return path


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m vae.export", description=__doc__.split("\n")[0])
    p.add_argument("folders", type=Path, nargs="+", help="weights folders, e.g. weights/mnist-vae")
    args = p.parse_args(argv)
    for folder in args.folders:
        try:
            print(export_decoder(load_pretrained(VAE, folder), folder))
        except (WeightsError, ValueError) as err:
            sys.exit(f"error: {err}")


if __name__ == "__main__":
    main()
