"""A small CNN digit classifier, bundled to judge samples and name the digit the app shows."""

import torch
from huggingface_hub import PyTorchModelHubMixin
from torch import nn

from vae.config import DATASETS, ClassifierConfig

CONFIDENT = 0.9  # a decode counts as a recognisable image when the classifier gives it p >= this


def with_article(name: str) -> str:
    """A class name as a caption says it: 'a 7', 'an 8', 'an ankle boot'."""
    return f"{'an' if name[0] in 'aeiou8' else 'a'} {name}"


def confident_share(probs: torch.Tensor) -> float:
    """The share of images (rows of class probabilities) that the classifier names with p >= CONFIDENT."""
    return float((probs.max(1).values >= CONFIDENT).float().mean())


def sample_figures(probs: torch.Tensor) -> dict[str, float]:
    """Are samples recognisable, and do all classes come: the share the classifier names with
    p >= CONFIDENT, and the smallest share of all samples that it names, so, as any one class."""
    sure = probs.max(1).values >= CONFIDENT
    per_class = torch.bincount(probs.argmax(1)[sure], minlength=probs.shape[1]) / len(probs)
    return {
        "confident_share": round(confident_share(probs), 4),
        "smallest_class_share": round(float(per_class.min()), 4),
    }


class DigitClassifier(nn.Module, PyTorchModelHubMixin, license="mit", tags=["mnist"]):
    """Two conv blocks and a linear head: about 99 % test accuracy on MNIST and 88 % on Fashion-MNIST."""

    config_class = ClassifierConfig

    def __init__(self, config: ClassifierConfig) -> None:
        super().__init__()
        self.config = config
        c = config.channels
        self.net = nn.Sequential(
            nn.Conv2d(1, c, 3, padding=1),
            nn.SiLU(),
            nn.MaxPool2d(2),  # 28 -> 14
            nn.Conv2d(c, 2 * c, 3, padding=1),
            nn.SiLU(),
            nn.MaxPool2d(2),  # 14 -> 7
            nn.Flatten(),
            nn.Dropout(0.3),
            nn.Linear(2 * c * 7 * 7, 128),
            nn.SiLU(),
            nn.Dropout(0.3),
            nn.Linear(128, config.num_classes),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Class logits for images in [0, 1] of shape (batch, 1, 28, 28)."""
        return self.net(x)

    @torch.no_grad()
    def predict_proba(self, x: torch.Tensor) -> torch.Tensor:
        """Class probabilities, shape (batch, num_classes)."""
        return torch.softmax(self(x), dim=1)

    def reading(self, pixels: torch.Tensor) -> dict:
        """What one image (1, 1, 28, 28) looks like to the classifier, as data for a program: the class,
        its probability, whether that is sure (p >= CONFIDENT), and every class's probability."""
        probs = self.predict_proba(pixels)[0].tolist()
        classes = DATASETS[self.config.dataset].classes
        best = max(range(len(probs)), key=probs.__getitem__)
        return {
            "class": classes[best],
            "probability": round(probs[best], 4),
            "sure": probs[best] >= CONFIDENT,
            "probabilities": {name: round(p, 4) for name, p in zip(classes, probs, strict=True)},
        }

    def describe(self, pixels: torch.Tensor) -> str:
        """What one image (1, 1, 28, 28) looks like to the classifier, for a caption: 'an 8 (93% sure)'."""
        probs = self.predict_proba(pixels)[0]
        name = DATASETS[self.config.dataset].classes[int(probs.argmax())]
        return f"{with_article(name)} ({float(probs.max()):.0%} sure)"
