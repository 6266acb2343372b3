import hashlib
import json
from pathlib import Path

import pytest
import torch
from huggingface_hub import ModelCard
from PIL import Image

from vae.model import VAE
from vae.train import main as train_main
from vae.train import parse_args
from vae.train_classifier import main as train_classifier_main
from vae.weights import DECODER_FILE, load_pretrained


def run_train(data_root: Path, out: Path, *extra: str) -> None:
    args = ["--data-root", str(data_root), "--out", str(out), "--epochs", "1", "--batch-size", "32"]
    train_main([*args, "--val-size", "16", "--latent-dim", "3", "--channels", "4", "--hidden", "16", *extra])


def test_one_epoch_end_to_end(tiny_mnist: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "run"
    run_train(tiny_mnist, out)
    printed = capsys.readouterr().out
    assert "mnist: 80 train, 16 validation, 32 test images; device cpu" in printed
    assert "epoch 1: train loss" in printed and "test loss" in printed
    config = json.loads((out / "config.json").read_text())
    assert config == {
        "latent_dim": 3,
        "channels": 4,
        "hidden": 16,
        "dataset": "mnist",
        "model": "vae",
        "architecture": "conv",
    }
    assert (out / "model.safetensors").stat().st_size > 1000
    assert Image.open(out / "samples.png").size == (242, 242)  # 8x8 grid of 28 px with 2 px padding
    assert Image.open(out / "reconstructions.png").size == (482, 62)  # 16x2 grid
    card = ModelCard.load(out / "README.md")  # the card says how it was made, the page's decoder is beside it
    assert (
        card.data.training_command.startswith("python -m vae.train --data-root")
        and "--epochs 1" in card.data.training_command
    )
    assert card.data.training_images == 96 and card.data.held_out_images == 16
    assert (out / DECODER_FILE).stat().st_size > 1000


def test_model_ae_trains_a_deterministic_autoencoder(
    tiny_mnist: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    run_train(tiny_mnist, tmp_path / "ae", "--model", "ae")
    assert "active dimensions" not in capsys.readouterr().out
    model = load_pretrained(VAE, tmp_path / "ae")
    assert model.config.model == "ae"
    x = torch.rand(3, 1, 28, 28)
    first, mu, _ = model(x)
    assert torch.equal(first, model(x)[0]) and torch.equal(first, model.decode(mu))  # z = mu, no sampling
    assert torch.equal(model.kl_per_dim, torch.zeros(3))  # no KL was trained, so none is reported


def test_seeded_runs_are_reproducible(tiny_mnist: Path, tmp_path: Path) -> None:
    run_train(tiny_mnist, tmp_path / "a", "--seed", "3")
    run_train(tiny_mnist, tmp_path / "b", "--seed", "3")
    run_train(tiny_mnist, tmp_path / "c", "--seed", "4")
    weights = [
        hashlib.sha256((tmp_path / name / "model.safetensors").read_bytes()).hexdigest() for name in "abc"
    ]
    assert weights[0] == weights[1]
    assert weights[0] != weights[2]


def test_existing_folder_needs_force(tiny_mnist: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "run"
    out.mkdir()
    (out / "keep.txt").write_text("precious")
    with pytest.raises(SystemExit) as exit_info:
        run_train(tiny_mnist, out)
    assert exit_info.value.code == 2
    assert "already exists; pass --force to overwrite it" in capsys.readouterr().err
    assert not (out / "model.safetensors").exists()
    run_train(tiny_mnist, out, "--force")
    assert (out / "model.safetensors").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--epochs", "0"], "--epochs must be at least 1"),
        (["--latent-dim", "many"], "argument --latent-dim: invalid int value: 'many'"),
        (["--dataset", "cifar"], "argument --dataset: invalid choice: 'cifar'"),
        (["--lr", "-1"], "--lr must be positive"),
        (["--model", "gan"], "argument --model: invalid choice: 'gan'"),
    ],
)
def test_bad_arguments_give_a_short_message(
    args: list[str], message: str, capsys: pytest.CaptureFixture
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        train_main(args)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_missing_data_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exit_info:
        train_main(["--data-root", str(tmp_path / "empty"), "--out", str(tmp_path / "run")])
    assert str(exit_info.value.code).startswith("error: mnist not found in")
    assert "pass --download" in str(exit_info.value.code)


def test_classifier_trains_end_to_end(
    tiny_mnist: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    out = tmp_path / "clf"
    train_classifier_main(["--data-root", str(tiny_mnist), "--out", str(out), "--epochs", "2"])
    printed = capsys.readouterr().out
    assert "epoch 2: test accuracy" in printed
    assert json.loads((out / "config.json").read_text())["num_classes"] == 10


def test_dataset_fashion_mnist_trains_from_a_flat_idx_folder(flat_fashion: Path, tmp_path: Path) -> None:
    run_train(flat_fashion, tmp_path / "fashion", "--dataset", "fashion-mnist")
    assert load_pretrained(VAE, tmp_path / "fashion").config.dataset == "fashion-mnist"


def test_the_sweep_command_trains_an_mlp_with_a_kl_weight_on_the_bundled_subset(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    out = tmp_path / "beta"
    sweep_like = [
        "--subset",
        "--architecture",
        "mlp",
        "--latent-dim",
        "2",
        "--hidden",
        "16",
        "--val-size",
        "0",
    ]
    train_main([*sweep_like, "--epochs", "1", "--beta", "4", "--batch-size", "500", "--out", str(out)])
    printed = capsys.readouterr().out
    assert "mnist: 10000 train, 0 validation, 1000 test images" in printed and "val loss" not in printed
    model = load_pretrained(VAE, out)
    assert model.config.architecture == "mlp" and model.config.latent_dim == 2
    card = ModelCard.load(out / "README.md")
    assert "--beta 4" in card.data.training_command and card.data.training_subset
    assert "the subset that travels with the app (`subsets/mnist`" in card.text


def test_bad_flags_and_a_default_out_folder(tmp_path: Path) -> None:
    for flags in (["--beta", "-1"], ["--beta", "nan"], ["--val-size", "-2"]):
        with pytest.raises(SystemExit) as exit_info:
            train_main([*flags, "--out", str(tmp_path / "x")])
        assert exit_info.value.code == 2
    assert parse_args(["--dataset", "fashion-mnist", "--model", "ae", "--force"]).out == Path(
        "weights/fashion-mnist-ae"
    )
