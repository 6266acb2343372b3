import json
import pickle
from pathlib import Path

import pytest
import torch

from playground.generate import Generator
from vae.classifier import DigitClassifier
from vae.config import VAEConfig
from vae.model import VAE
from vae.weights import WEIGHTS_DIR, WeightsError, load_pretrained


@pytest.fixture
def saved(small_vae: VAE, tmp_path: Path) -> Path:
    small_vae.save_pretrained(tmp_path / "vae")
    return tmp_path / "vae"


def test_round_trip_gives_identical_outputs(small_vae: VAE, saved: Path) -> None:
    assert sorted(p.name for p in saved.iterdir()) == ["README.md", "config.json", "model.safetensors"]
    loaded = load_pretrained(VAE, saved)
    assert loaded.config == small_vae.config
    assert not loaded.training
    x, z = torch.rand(2, 1, 28, 28), torch.randn(2, 4)
    assert torch.equal(loaded.encode(x)[0], small_vae.encode(x)[0])
    assert torch.equal(loaded.decode(z), small_vae.decode(z))


def test_corrupt_weights_name_the_file(saved: Path) -> None:
    (saved / "model.safetensors").write_bytes(b"\x00garbage" * 10)
    with pytest.raises(WeightsError, match=r"model\.safetensors: not a readable safetensors file"):
        load_pretrained(VAE, saved)


def test_mismatched_config_names_both_files(saved: Path) -> None:
    config = json.loads((saved / "config.json").read_text())
    (saved / "config.json").write_text(json.dumps(config | {"latent_dim": 7}))
    with pytest.raises(
        WeightsError, match=r"model\.safetensors: does not match .*config\.json.*size mismatch"
    ):
        load_pretrained(VAE, saved)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", r"config\.json: not valid JSON"),
        ("[1, 2]", r"config\.json: expected a JSON object"),
        ('{"latent_dim": 4}', r"config\.json: does not describe a VAEConfig .*missing fields \['channels'"),
        (
            json.dumps(VAEConfig().__dict__ | {"latent_dim": -3}),
            r"config\.json: latent_dim=-3 is not a valid int",
        ),
        (
            json.dumps(VAEConfig().__dict__ | {"model": "gan"}),
            r"config\.json: model must be 'vae' or 'ae', not 'gan'",
        ),
    ],
)
def test_bad_config_names_the_file(saved: Path, content: str, message: str) -> None:
    (saved / "config.json").write_text(content)
    with pytest.raises(WeightsError, match=message):
        load_pretrained(VAE, saved)


def test_wrong_model_class_is_refused(saved: Path) -> None:
    with pytest.raises(WeightsError, match="does not describe a ClassifierConfig"):
        load_pretrained(DigitClassifier, saved)


class Trap:
    """Unpickling it creates a file: proof that a pickle was executed."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple:
        return open, (str(self.marker), "w")


def test_a_planted_pickle_is_never_executed(saved: Path, tmp_path: Path) -> None:
    proof = tmp_path / "proof"
    pickle.loads(pickle.dumps(Trap(proof)))
    assert proof.exists(), "the trap does not work, so this test could not fail"

    marker = tmp_path / "executed"
    weights_dir = tmp_path / "weights"
    planted = weights_dir / "mnist-vae"
    planted.mkdir(parents=True)
    (planted / "config.json").write_text((saved / "config.json").read_text())
    torch.save({"state": Trap(marker)}, planted / "pytorch_model.bin")
    with pytest.raises(WeightsError, match=r"model\.safetensors: missing .*only read from safetensors"):
        Generator.from_folder(weights_dir)
    (planted / "model.safetensors").write_bytes(pickle.dumps(Trap(marker)))
    with pytest.raises(WeightsError, match=r"model\.safetensors: not a readable safetensors file"):
        Generator.from_folder(weights_dir)
    assert not marker.exists()


def test_a_missing_folder_is_named(tmp_path: Path) -> None:
    with pytest.raises(WeightsError, match="nowhere: no such weights folder"):
        load_pretrained(VAE, tmp_path / "nowhere")


@pytest.mark.parametrize(("name", "latent_dim"), [("mnist-vae", 16), ("mnist-vae-2d", 2)])
def test_bundled_vae_loads_and_is_sorted_by_kl(name: str, latent_dim: int) -> None:
    model = load_pretrained(VAE, WEIGHTS_DIR / name)
    kl = model.kl_per_dim
    assert model.config.dataset == "mnist" and model.config.latent_dim == latent_dim
    assert (WEIGHTS_DIR / name / "model.safetensors").stat().st_size < 8_000_000  # a Space-friendly size
    assert torch.equal(kl, kl.sort(descending=True).values)
    assert kl[0] > 1.0  # the first slider moves the digit a lot
    assert torch.sigmoid(model.decode(torch.zeros(1, model.config.latent_dim))).max() > 0.5


def test_bundled_classifier_loads() -> None:
    model = load_pretrained(DigitClassifier, WEIGHTS_DIR / "mnist-classifier")
    assert model.predict_proba(torch.zeros(1, 1, 28, 28)).shape == (1, 10)
