import json
from pathlib import Path

import pytest
from huggingface_hub import ModelCard

from vae.card import EVALUATION_FILE, VAE_FIGURES, figures_of, formatted, read_model_config, shown, write_card
from vae.card import main as card_main
from vae.model import VAE
from vae.weights import WEIGHTS_DIR

BUNDLED = sorted(path.parent for path in WEIGHTS_DIR.glob("*/config.json"))


@pytest.mark.parametrize("folder", BUNDLED, ids=[folder.name for folder in BUNDLED])
def test_each_bundled_card_parses_has_a_licence_and_the_figures_of_its_evaluation(folder: Path) -> None:
    card = ModelCard.load(folder / "README.md")
    assert card.data.license == "mit" and card.data.training_command.startswith("python -m vae.train")
    assert "[More Information Needed]" not in card.text
    evaluation = json.loads((folder / EVALUATION_FILE).read_text())
    config = read_model_config(folder)
    labels = shown(evaluation, figures_of(config))
    assert labels and card.data.evaluation == {key: evaluation[key] for key in labels}
    for key, label in labels.items():
        assert f"| {label} | {formatted(key, evaluation[key])} |" in card.text
    tags = set(card.data.tags)
    assert ("vae" in tags) == (getattr(config, "model", None) == "vae")
    assert ("autoencoder" in tags) == (getattr(config, "model", None) == "ae")
    assert "mnist test set" not in card.text and "fashion-mnist test set" not in card.text


def test_card_figures_follow_any_k_and_read_as_people_write_them() -> None:
    evaluation = {"iw_nll_k50": 91.2, "mixture_prior_iw_nll_k7": 90.0, "confident_share": 0.6431, "other": 1}
    labels = shown(evaluation | {"parameters": 1_712_345}, VAE_FIGURES)
    assert labels["iw_nll_k50"] == "importance-weighted bound on -log p(x), k = 50, nats"
    assert labels["mixture_prior_iw_nll_k7"].endswith("k = 7, nats") and "other" not in labels
    assert (
        formatted("confident_share", 0.6431) == "64.3%" and formatted("parameters", 1_712_345) == "1,712,345"
    )


def test_a_card_before_evaluation_says_how_to_evaluate(small_vae: VAE, tmp_path: Path) -> None:
    small_vae.save_pretrained(tmp_path / "tiny-vae")
    card = write_card(tmp_path / "tiny-vae", "python -m vae.train --latent-dim 4", 15_604, 1_000)
    assert "Not evaluated yet" in card.text and card.data.evaluation == {}
    assert "The first 15,604 images of the MNIST training set (1,000 of them held out" in card.text
    assert ModelCard.load(tmp_path / "tiny-vae" / "README.md").data.training_images == 15_604


def test_the_command_refreshes_the_figures_and_keeps_the_training_record(
    small_vae: VAE, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    folder = tmp_path / "tiny-vae"
    small_vae.save_pretrained(folder)
    write_card(folder, "python -m vae.train --latent-dim 4", 60_000, 1_000)
    (tmp_path / "eval.json").write_text(json.dumps({"test_loss": 123.456, "iw_nll_k100": 120.5, "other": 1}))
    card_main([str(folder), "--evaluation", str(tmp_path / "eval.json")])
    card = ModelCard.load(folder / "README.md")
    assert card.data.evaluation == {"test_loss": 123.456, "iw_nll_k100": 120.5}
    assert card.data.training_command == "python -m vae.train --latent-dim 4"
    assert "The full MNIST training set, 60,000 images (1,000 of them held out" in card.text
    assert f"| {VAE_FIGURES['test_loss']} | 123.456 |" in card.text


def test_a_folder_without_a_training_record_needs_one(small_vae: VAE, tmp_path: Path) -> None:
    small_vae.save_pretrained(tmp_path / "tiny-vae")
    (tmp_path / "tiny-vae" / "README.md").unlink()
    with pytest.raises(SystemExit) as exit_info:
        card_main([str(tmp_path / "tiny-vae")])
    assert exit_info.value.code == 2
