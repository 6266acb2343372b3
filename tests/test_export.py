import json
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from safetensors import safe_open
from torch import nn

from vae.data import as_bytes
from vae.export import export_decoder
from vae.export import main as export_main
from vae.model import VAE
from vae.weights import DECODER_FILE, ORIGIN_FILE, WEIGHTS_DIR, load_pretrained


@pytest.mark.parametrize("dataset", ["mnist", "fashion-mnist"])
def test_the_bundled_page_decoder_is_the_export_of_the_bundled_weights(dataset: str, tmp_path: Path) -> None:
    folder = WEIGHTS_DIR / f"{dataset}-vae"
    export_decoder(load_pretrained(VAE, folder), tmp_path)
    # (safetensors writes the metadata's keys in no fixed order, so the bytes may differ)
    with safe_open(tmp_path / DECODER_FILE, "pt") as fresh, safe_open(folder / DECODER_FILE, "pt") as bundled:
        assert fresh.metadata() == bundled.metadata()
        keys = fresh.keys()
        assert sorted(keys) == sorted(bundled.keys())
        for key in keys:
            assert torch.equal(fresh.get_tensor(key), bundled.get_tensor(key)), key


@pytest.mark.parametrize("dataset", ["mnist", "fashion-mnist"])
def test_the_pages_first_digit_is_the_models_decode_of_the_origin(dataset: str, tmp_path: Path) -> None:
    model = load_pretrained(VAE, WEIGHTS_DIR / f"{dataset}-vae")
    export_decoder(model, tmp_path)
    with torch.inference_mode():
        origin = as_bytes(model.decode_pixels(torch.zeros(1, model.config.latent_dim)))[0]
    for folder in (tmp_path, WEIGHTS_DIR / f"{dataset}-vae"):
        with Image.open(folder / ORIGIN_FILE) as image:
            assert image.mode == "L" and np.array_equal(np.asarray(image), origin), folder
    assert (tmp_path / ORIGIN_FILE).stat().st_size < 1000  # a few hundred bytes before the 1.7 MB decoder


def test_the_export_holds_float16_weights_and_the_layer_list(small_vae: VAE, tmp_path: Path) -> None:
    path = export_decoder(small_vae, tmp_path)
    with safe_open(path, "pt") as exported:
        layers = json.loads(exported.metadata()["layers"])
        assert [layer["type"] for layer in layers] == [
            "linear", "silu", "linear", "silu", "unflatten",
            "conv_transpose2d", "silu", "conv_transpose2d", "sigmoid",
        ]  # fmt: skip
        assert exported.metadata()["latent_dim"] == "4"
        weight = exported.get_tensor(layers[5]["weight"])
    assert weight.dtype == torch.float16
    assert torch.equal(weight, small_vae.decoder[5].weight.detach().half())
    assert layers[5]["stride"] == [2, 2] and layers[5]["padding"] == [1, 1]


def test_a_layer_the_page_cannot_run_is_named(small_vae: VAE, tmp_path: Path) -> None:
    small_vae.decoder.append(nn.BatchNorm2d(1))
    with pytest.raises(ValueError, match="layer 8: the page cannot run a BatchNorm2d"):
        export_decoder(small_vae, tmp_path)


def test_cli_names_a_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exit_info:
        export_main([str(tmp_path / "nowhere")])
    assert exit_info.value.code == f"error: {tmp_path / 'nowhere'}: no such weights folder"
