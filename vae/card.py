"""Model cards for the weights folders, written from the project's template, never by hand:
python -m vae.card FOLDER [--evaluation JSON] [--command "..." --training-images N --held-out N]

vae.train and vae.train_classifier write a folder's card when they save it; this command rewrites it
with the figures that `python -m vae.evaluate FOLDER` printed (kept beside it as evaluation.json)."""

import argparse
import json
import re
import sys
from pathlib import Path

from huggingface_hub import ModelCard, ModelCardData

from vae.cli import HelpFormatter
from vae.config import DATASETS, ClassifierConfig, VAEConfig
from vae.sampling import SAMPLER_FILE, Samplers
from vae.weights import CONFIG_FILE, EVALUATION_FILE, WeightsError, read_config, read_config_json

CARD_FILE = "README.md"
VAE_FIGURES = {  # evaluation.json key, {k} standing for the number of importance samples: what it is
    "test_loss": "test loss, nats (negative ELBO with one sampled z)",
    "reconstruction": "reconstruction term, nats",
    "kl": "KL term, nats",
    "iw_nll_k{k}": "importance-weighted bound on -log p(x), k = {k}, nats",
    "mixture_prior_test_loss": "test loss with the mixture fitted to the training codes as the prior, nats",
    "mixture_prior_iw_nll_k{k}": "importance-weighted bound with that mixture as the prior, k = {k}, nats",
    "active_dims": "active latent dimensions (mean KL > 0.01 nats)",
    "confident_share": "share of N(0, I) samples the bundled classifier names with p >= 0.9",
    "inception_score": "inception score of N(0, I) samples",
    "decode_ms_1_thread": "decode of one z on one CPU thread, ms",
    "decode_ms_1_thread_native": "the same with PyTorch's own kernels, not oneDNN's, as the app serves, ms",
    "classifier_test_accuracy": "test accuracy of the classifier that judges the samples",
    "parameters": "parameters",
}
# An autoencoder has no posterior or prior of its own: the ELBO, KL and bound vae.evaluate prints for it
# are not its figures.
AE_FIGURES = {
    key: label
    for key, label in VAE_FIGURES.items()
    if key not in ("test_loss", "kl", "iw_nll_k{k}", "active_dims") and not key.startswith("mixture_prior")
}
CLASSIFIER_FIGURES = {"classifier_test_accuracy": "test accuracy"}
SHARES = ("confident_share", "classifier_test_accuracy")  # shown as percentages


def matches(key: str, pattern: str) -> dict[str, str] | None:
    """The {k} of an evaluation key that fits a figure's pattern ({} without one), or None."""
    match = re.fullmatch(re.escape(pattern).replace(r"\{k\}", r"(?P<k>\d+)"), key)
    return None if match is None else match.groupdict()


def label_of(key: str, figures: dict[str, str]) -> str | None:
    """What an evaluation key means on the card, whatever k it was measured with; None if not shown."""
    for pattern, label in figures.items():
        if (found := matches(key, pattern)) is not None:
            return label.format(**found)
    return None


def shown(evaluation: dict, figures: dict[str, str]) -> dict[str, str]:
    """The evaluation's keys that the card shows, each with its label, in the order of figures."""
    return {
        key: label.format(**found)
        for pattern, label in figures.items()
        for key in evaluation
        if (found := matches(key, pattern)) is not None
    }


def formatted(key: str, value: float) -> str:
    """A figure as the card prints it: shares as percentages, counts with thousands separators."""
    if key in SHARES:
        return f"{value:.1%}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def figures_of(config: VAEConfig | ClassifierConfig) -> dict[str, str]:
    """The evaluation figures a model's card shows, by their key in vae.evaluate's JSON."""
    if isinstance(config, ClassifierConfig):
        return CLASSIFIER_FIGURES
    return VAE_FIGURES if config.model == "vae" else AE_FIGURES


def read_model_config(folder: Path) -> VAEConfig | ClassifierConfig:
    """A folder's config, as the dataclass of whichever model it describes."""
    return read_config(ClassifierConfig if "num_classes" in read_config_json(folder) else VAEConfig, folder)


TEMPLATE = """---
{{ card_data }}
---

# {{ name }}

{{ what }}

## Training data

{{ data }}

## How it was trained

```bash
{{ training_command }}
```

## Evaluation

{% if figures %}Measured by `{{ evaluation_command }}` on the {{ dataset_name }} test set
({{ test_images }} images):

| figure | value |
|---|---|
{% for label, value in figures %}| {{ label }} | {{ value }} |
{% endfor %}{% else %}Not evaluated yet: run
`{{ evaluation_command }} > weights/{{ name }}/evaluation.json`, then `python -m vae.card weights/{{ name }}`.
{% endif %}

## Intended use and limits

A teaching model for the VAE playground (an interactive Gradio app): {{ use }} It is small and was
trained on 28x28 greyscale images only; it is not meant for any decision about people or for images
unlike its training data.

## How to load it

From a checkout of the VAE playground (`config.json` is checked against the weights; nothing is unpickled):

```python
from {{ module }} import {{ class_name }}
from vae.weights import load_pretrained

model = load_pretrained({{ class_name }}, "weights/{{ name }}")
```

Licence: MIT. The {{ dataset_name }} data: {{ dataset_licence }}.
"""


def training_data(dataset: str, images: int, held_out: int, subset: bool = False) -> str:
    """What the model saw, in a sentence."""
    held_out = f" ({held_out:,} of them held out to pick the checkpoint)" if held_out else ""
    if subset:
        return (
            f"The first {images:,} images of the {DATASETS[dataset].title} training set{held_out}: the "
            f"subset that travels with the app (`subsets/{dataset}`, with its data card), as the Train tab."
        )
    if dataset == "mnist" and images < 60_000:
        return (
            f"The first {images:,} images of the MNIST training set{held_out}: the only part that could "
            "be had on the offline machine that trained it."
        )
    return f"The full {DATASETS[dataset].title} training set, {images:,} images{held_out}."


def samplers_sentence(name: str, config: VAEConfig, fitted: dict[str, str] | None) -> str:
    """What vae.fit_sampler stored beside the model, if it has: the app's random codes come from it."""
    if not fitted:
        return ""
    prior = (
        ", and a prior the evaluation below also reports the likelihood under"
        if config.model == "vae"
        else ""
    )
    return (
        f" Beside it, `sampler.safetensors` holds a Gaussian mixture ({fitted['components']} components) "
        f"and one Gaussian, fitted after training to {int(fitted['codes_fitted']):,} codes of its training "
        f"images (`python -m vae.fit_sampler weights/{name}`): where the app's random codes come from{prior}."
    )


def describe(
    name: str, config: VAEConfig | ClassifierConfig, fitted: dict[str, str] | None = None
) -> dict[str, str]:
    """The card's words about the model itself, from its config and its samplers' metadata if fitted."""
    if isinstance(config, ClassifierConfig):
        return {
            "what": (
                f"A small CNN classifier of {DATASETS[config.dataset].title} images "
                f"({config.num_classes} classes)."
            ),
            "use": "it judges the VAEs' samples and names what each decoded image looks like.",
            "module": "vae.classifier",
            "class_name": "DigitClassifier",
        }
    kind = "variational autoencoder" if config.model == "vae" else "plain autoencoder (z = μ, no KL term)"
    if config.architecture == "mlp":
        network = f"An MLP {kind} (one {config.hidden}-wide hidden layer each way)"
    else:
        network = (
            f"A convolutional {kind} ({config.channels} and {2 * config.channels} conv channels, a "
            f"{config.hidden}-wide hidden layer)"
        )
    return {
        "what": (
            f"{network} with a {config.latent_dim}-dimensional latent space, trained on "
            f"{DATASETS[config.dataset].title}; the decoder gives Bernoulli logits for each pixel."
            + samplers_sentence(name, config, fitted)
        ),
        "use": "visitors drag its sliders, draw images for it to encode, and compare it with its twin.",
        "module": "vae.model",
        "class_name": "VAE",
    }


def write_card(
    folder: Path, training_command: str, training_images: int, held_out: int, subset: bool = False
) -> ModelCard:
    """Write folder/README.md from its config, the training facts and folder/evaluation.json if present."""
    config = read_model_config(folder)
    dataset = DATASETS[config.dataset]
    fitted = None
    if isinstance(config, VAEConfig) and (folder / SAMPLER_FILE).is_file():
        fitted = Samplers.load(folder, config.latent_dim).metadata
    evaluation_path = folder / EVALUATION_FILE
    evaluation = json.loads(evaluation_path.read_text()) if evaluation_path.is_file() else {}
    labels = shown(evaluation, figures_of(config))
    if isinstance(config, ClassifierConfig):
        kind = "image-classification"
    else:
        kind = "vae" if config.model == "vae" else "autoencoder"
    data = ModelCardData(
        license="mit",
        library_name="pytorch",
        datasets=[dataset.hub_id],
        tags=[kind, config.dataset, "pytorch"],
        model_name=folder.name,
        training_command=training_command,
        training_images=training_images,
        training_subset=subset,
        held_out_images=held_out,
        evaluation={key: evaluation[key] for key in labels},
    )
    card = ModelCard.from_template(
        data,
        template_str=TEMPLATE,
        name=folder.name,
        data=training_data(config.dataset, training_images, held_out, subset),
        training_command=training_command,
        evaluation_command=f"python -m vae.evaluate weights/{folder.name}",
        figures=[(label, formatted(key, evaluation[key])) for key, label in labels.items()],
        test_images=f"{evaluation.get('test_images', 10_000):,}",
        dataset_name=dataset.title,
        dataset_licence=dataset.licence,
        **describe(folder.name, config, fitted),
    )
    card.save(folder / CARD_FILE)
    return card


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(
        prog="python -m vae.card", description=__doc__.split("\n")[0], formatter_class=HelpFormatter
    )
    p.add_argument("folder", type=Path, help="a weights folder, e.g. weights/mnist-vae")
    p.add_argument("--evaluation", type=Path, help="vae.evaluate's JSON, copied to FOLDER/evaluation.json")
    p.add_argument("--command", help="the command that trained it (default: the card's own record)")
    p.add_argument("--training-images", type=int, help="images it trained on (default: the card's record)")
    p.add_argument(
        "--held-out", type=int, help="of those, held out for validation (default: the card's record)"
    )
    args = p.parse_args(argv)
    try:
        if not (args.folder / CONFIG_FILE).is_file():
            raise WeightsError(f"{args.folder / CONFIG_FILE}: missing")
        recorded = (
            ModelCard.load(args.folder / CARD_FILE).data if (args.folder / CARD_FILE).is_file() else None
        )
        command = args.command or getattr(recorded, "training_command", None)
        images = args.training_images or getattr(recorded, "training_images", None)
        held_out = getattr(recorded, "held_out_images", 0) if args.held_out is None else args.held_out
        if not command or not images:
            p.error(
                "the card records no training command or image count: pass --command and --training-images"
            )
        if args.evaluation:  # the figures of this model, from vae.evaluate's JSON (a VAE's holds its judge's)
            evaluation = json.loads(args.evaluation.read_text())
            kept = {
                key: value
                for key, value in evaluation.items()
                if label_of(key, figures_of(read_model_config(args.folder)))
                or key in ("weights", "dataset", "test_images")
            }
            (args.folder / EVALUATION_FILE).write_text(json.dumps(kept, indent=1) + "\n")
        write_card(args.folder, command, images, held_out, getattr(recorded, "training_subset", False))
    except (WeightsError, OSError, json.JSONDecodeError) as err:
        sys.exit(f"error: {err}")
    print(args.folder / CARD_FILE)


if __name__ == "__main__":
    main()
