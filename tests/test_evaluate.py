import json
from pathlib import Path

import numpy as np
import pytest
import torch

from vae.classifier import DigitClassifier
from vae.data import load_split
from vae.evaluate import evaluate, inception_score, iw_nll, sampled_log_ratio, standard_normal_log_prob
from vae.evaluate import main as evaluate_main
from vae.model import VAE, vae_loss
from vae.sampling import GaussianMixture


def test_importance_weighted_bound_is_tighter_than_the_elbo(small_vae: VAE) -> None:
    torch.manual_seed(0)
    x = torch.rand(4, 1, 28, 28).round()
    mu, logvar = small_vae.encode(x)
    elbo_loss = torch.stack(
        [
            vae_loss(x, small_vae.decode(small_vae.reparameterize(mu, logvar)), mu, logvar).loss
            for _ in range(200)
        ]
    ).mean()

    def bound(k: int) -> torch.Tensor:
        z, log_ratio = sampled_log_ratio(small_vae, x, k)
        return iw_nll(log_ratio + standard_normal_log_prob(z)).mean()

    iw_k1 = torch.stack([bound(1) for _ in range(200)]).mean()
    iw_k50 = bound(50)
    assert iw_k1.item() == pytest.approx(elbo_loss.item(), rel=0.01)  # k=1 is the ELBO itself
    assert iw_k50 < iw_k1


def test_inception_score_bounds() -> None:
    assert inception_score(torch.full((100, 10), 0.1)) == pytest.approx(1.0)
    one_hot = torch.eye(10).repeat(10, 1)
    assert inception_score(one_hot) == pytest.approx(10.0, rel=1e-4)


def test_cli_prints_one_json_object(
    tiny_mnist: Path,
    tmp_path: Path,
    small_vae: VAE,
    small_classifier: DigitClassifier,
    capsys: pytest.CaptureFixture,
) -> None:
    small_vae.save_pretrained(tmp_path / "vae")
    small_classifier.save_pretrained(tmp_path / "clf")
    evaluate_main(
        [
            str(tmp_path / "vae"),
            "--classifier",
            str(tmp_path / "clf"),
            "--data-root",
            str(tiny_mnist),
            "-k",
            "3",
            "--samples",
            "50",
        ]
    )
    result = json.loads(capsys.readouterr().out)
    assert set(result) == {
        "weights", "dataset", "test_images", "test_loss", "reconstruction", "kl", "iw_nll_k3", "active_dims",
        "kl_per_dim", "classifier_test_accuracy", "prior_samples", "inception_score", "confident_share",
        "parameters", "decode_ms_1_thread", "decode_ms_1_thread_native",
    }  # fmt: skip
    assert result["test_images"] == 32 and result["prior_samples"] == 50
    assert result["test_loss"] == pytest.approx(result["reconstruction"] + result["kl"], abs=0.01)
    assert result["iw_nll_k3"] < result["test_loss"] + 5
    assert len(result["kl_per_dim"]) == 4
    assert result["active_dims"] == sum(kl > 0.01 for kl in result["kl_per_dim"])
    assert result["parameters"] == sum(p.numel() for p in small_vae.parameters())
    assert result["decode_ms_1_thread"] > 0


def test_cli_reports_a_bad_weights_folder(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exit_info:
        evaluate_main([str(tmp_path / "missing")])
    assert exit_info.value.code == f"error: {tmp_path / 'missing'}: no such weights folder"


def test_cli_refuses_a_classifier_of_another_dataset(
    tmp_path: Path, small_vae: VAE, small_classifier: DigitClassifier
) -> None:
    small_vae.config.dataset = "fashion-mnist"
    small_vae.save_pretrained(tmp_path / "vae")
    small_classifier.save_pretrained(tmp_path / "clf")
    with pytest.raises(SystemExit) as exit_info:
        evaluate_main([str(tmp_path / "vae"), "--classifier", str(tmp_path / "clf")])
    assert exit_info.value.code == (
        f"error: {tmp_path / 'clf'} judges mnist, but {tmp_path / 'vae'} was trained on fashion-mnist"
    )


def test_a_mixture_prior_that_is_n01_gives_the_standard_figures(
    tiny_mnist: Path, small_vae: VAE, small_classifier: DigitClassifier
) -> None:
    images, labels = load_split("mnist", tiny_mnist, train=False)
    standard_normal = GaussianMixture(np.ones(1), np.zeros((1, 4)), np.eye(4)[None])
    torch.manual_seed(0)
    result = evaluate(
        small_vae, small_classifier, images, labels, k=5, num_samples=10, mixture=standard_normal
    )
    assert result["mixture_prior_iw_nll_k5"] == pytest.approx(result["iw_nll_k5"], abs=2e-3)
    # the mean over the k samples and the one-sample test loss estimate the same ELBO
    assert result["mixture_prior_test_loss"] == pytest.approx(result["test_loss"], rel=0.02)
    assert result["mixture_prior_iw_nll_k5"] < result["mixture_prior_test_loss"]
    assert "mixture_prior_test_loss" not in evaluate(
        small_vae, small_classifier, images, labels, k=2, num_samples=10
    )
