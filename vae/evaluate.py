"""Score a trained VAE on its test set and print one JSON object: python -m vae.evaluate --help.

Beside a VAE whose samplers vae.fit_sampler has fitted, it also reports the test loss and the bound with
the mixture fitted to the training codes as the prior: the model whose samples Random sample shows."""

import argparse
import json
import math
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F

from vae.classifier import DigitClassifier, confident_share
from vae.cli import HelpFormatter
from vae.data import DataError, load_split
from vae.model import VAE, active_dims, use_native_cpu_kernels, vae_loss
from vae.sampling import LOG_2PI, SAMPLER_FILE, GaussianMixture, Samplers
from vae.weights import WeightsError, load_pretrained, model_folder


def gaussian_log_prob(z: torch.Tensor, mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """log N(z; mu, exp(logvar)) summed over the last dimension."""
    return -0.5 * (LOG_2PI + logvar + (z - mu).pow(2) / logvar.exp()).sum(-1)


def standard_normal_log_prob(z: torch.Tensor) -> torch.Tensor:
    """log N(z; 0, I): the prior the VAE was trained with."""
    return gaussian_log_prob(z, torch.zeros_like(z), torch.zeros_like(z))


@torch.no_grad()
def sampled_log_ratio(model: VAE, x: torch.Tensor, k: int) -> tuple[torch.Tensor, torch.Tensor]:
    """k samples z_i ~ q(z | x) per image, shape (k, batch, latent), and log p(x | z_i) - log q(z_i | x),
    shape (k, batch): adding log p(z_i) under any prior gives the log importance weights."""
    mu, logvar = model.encode(x)
    z = mu + torch.exp(0.5 * logvar) * torch.randn(k, *mu.shape)
    logits = model.decode(z.flatten(0, 1)).view(k, *x.shape)
    log_px_z = (
        -F.binary_cross_entropy_with_logits(logits, x.expand_as(logits), reduction="none").flatten(2).sum(-1)
    )
    return z, log_px_z - gaussian_log_prob(z, mu, logvar)


def iw_nll(log_weights: torch.Tensor) -> torch.Tensor:
    """-log (1/k) sum_i w_i per image from log weights (k, batch): an upper bound on -log p(x), tighter
    as k grows; at k = 1, the negative ELBO."""
    return -(torch.logsumexp(log_weights, dim=0) - math.log(len(log_weights)))


def inception_score(probs: torch.Tensor) -> float:
    """exp E_x[KL(p(y|x) || p(y))]: high when each sample is one clear class and all classes appear."""
    marginal = probs.mean(0, keepdim=True)
    kl = (probs * (probs.clamp_min(1e-12).log() - marginal.log())).sum(1)
    return math.exp(kl.mean().item())


def decode_ms(model: VAE, repeats: int = 1000) -> float:
    """Median wall time of decoding one z, in milliseconds, on the current thread count."""
    z = torch.randn(1, model.config.latent_dim)
    times = []
    with torch.inference_mode():
        for _ in range(repeats):
            start = time.perf_counter()
            model.decode_pixels(z)
            times.append(time.perf_counter() - start)
    return 1000 * sorted(times)[len(times) // 2]


@torch.no_grad()
def evaluate(
    model: VAE,
    classifier: DigitClassifier,
    images: torch.Tensor,
    labels: torch.Tensor,
    k: int = 100,
    num_samples: int = 10_000,
    batch_size: int = 100,
    mixture: GaussianMixture | None = None,
) -> dict:
    """All the figures the README reports for a model, computed on the given test images; with a mixture
    fitted to the training codes, also the loss and bound with that mixture as the prior."""
    n = len(images)
    loss = recon = kl = iw = mixture_loss = mixture_iw = 0.0
    kl_per_dim = torch.zeros(model.config.latent_dim)
    for start in range(0, n, batch_size):
        x = images[start : start + batch_size]
        terms = vae_loss(x, *model(x))
        loss += terms.loss.item() * len(x)
        recon += terms.recon.item() * len(x)
        kl += terms.kl.item() * len(x)
        kl_per_dim += terms.kl_per_dim * len(x)
        z, log_ratio = sampled_log_ratio(model, x, k)
        iw += iw_nll(log_ratio + standard_normal_log_prob(z)).sum().item()
        if mixture is not None:  # the same samples z, weighed under the fitted prior
            log_weights = log_ratio + mixture.log_prob(z)
            mixture_loss -= log_weights.mean(0).sum().item()
            mixture_iw += iw_nll(log_weights).sum().item()
    kl_per_dim /= n
    fitted_prior = {
        "mixture_prior_test_loss": round(mixture_loss / n, 3),
        f"mixture_prior_iw_nll_k{k}": round(mixture_iw / n, 3),
    }

    z = torch.randn(num_samples, model.config.latent_dim)
    probs = torch.cat(
        [classifier.predict_proba(model.decode_pixels(z[i : i + 1000])) for i in range(0, num_samples, 1000)]
    )
    predicted = torch.cat([classifier(images[i : i + 1000]).argmax(1) for i in range(0, n, 1000)])
    return {
        "test_images": n,
        "test_loss": round(loss / n, 3),
        "reconstruction": round(recon / n, 3),
        "kl": round(kl / n, 3),
        f"iw_nll_k{k}": round(iw / n, 3),
        **(fitted_prior if mixture is not None else {}),
        "active_dims": active_dims(kl_per_dim),
        "kl_per_dim": [round(v, 3) for v in kl_per_dim.tolist()],
        "classifier_test_accuracy": round((predicted == labels).float().mean().item(), 4),
        "prior_samples": num_samples,
        "inception_score": round(inception_score(probs), 3),
        "confident_share": round(confident_share(probs), 4),
        "parameters": sum(p.numel() for p in model.parameters()),
    }


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(
        prog="python -m vae.evaluate", description=__doc__, formatter_class=HelpFormatter
    )
    p.add_argument("weights", type=Path, help="a weights folder, e.g. weights/mnist-vae")
    p.add_argument("--classifier", type=Path, help="default: weights/<the model's dataset>-classifier")
    p.add_argument("--data-root", type=Path, help="torchvision data root or a folder of IDX files")
    p.add_argument("--download", action="store_true", help="download the dataset if missing")
    p.add_argument("-k", type=int, default=100, help="importance samples per test image")
    p.add_argument("--samples", type=int, default=10_000, help="prior samples to classify")
    p.add_argument("--seed", type=int, default=0, help="seeds the sampled z and the prior samples")
    p.add_argument("--threads", type=int, default=2, help="CPU threads for torch")
    args = p.parse_args(argv)
    if args.k < 1 or args.samples < 1 or args.threads < 1:
        p.error("-k, --samples and --threads must be at least 1")
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    try:
        model = load_pretrained(VAE, args.weights)
        classifier_dir = args.classifier or model_folder(model.config.dataset, "classifier")
        classifier = load_pretrained(DigitClassifier, classifier_dir)
        if classifier.config.dataset != model.config.dataset:
            raise WeightsError(
                f"{classifier_dir} judges {classifier.config.dataset}, "
                f"but {args.weights} was trained on {model.config.dataset}"
            )
        images, labels = load_split(model.config.dataset, args.data_root, False, args.download)
        mixture = None
        if model.config.model == "vae" and (args.weights / SAMPLER_FILE).is_file():
            mixture = Samplers.load(args.weights, model.config.latent_dim).fitted["mixture"]
    except (WeightsError, DataError) as err:
        sys.exit(f"error: {err}")
    result = {"weights": str(args.weights), "dataset": model.config.dataset}
    result |= evaluate(model, classifier, images, labels, k=args.k, num_samples=args.samples, mixture=mixture)
    torch.set_num_threads(1)  # the app decodes one z per event on one core
    result["decode_ms_1_thread"] = round(decode_ms(model), 4)
    use_native_cpu_kernels()  # as the app serves
    result["decode_ms_1_thread_native"] = round(decode_ms(model), 4)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
