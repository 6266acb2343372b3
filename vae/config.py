"""The models' config dataclasses, without torch: the page is built from them before torch loads."""

from dataclasses import dataclass

CLASS_NAMES = {
    "mnist": [str(digit) for digit in range(10)],
    "fashion-mnist": [
        "T-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle boot",
    ],
}  # fmt: skip

SAMPLERS = {  # where a model's random codes can come from; the page offers each
    "mixture": "a mixture fitted to the training codes",
    "gaussian": "one Gaussian fitted to the training codes",
    "prior": "the prior N(0, I)",
}


@dataclass
class VAEConfig:
    latent_dim: int = 16
    channels: int = 32  # width of the first conv layer; the second has twice as many
    hidden: int = 256  # width of the fully connected layer between convs and latent code
    dataset: str = "mnist"  # what it was trained on, so the app and evaluation pick matching data
    model: str = "vae"  # "ae": the same network as a plain autoencoder, z = mu, trained without KL

    def __post_init__(self) -> None:
        if self.model not in ("vae", "ae"):
            raise ValueError(f"model must be 'vae' or 'ae', not {self.model!r}")


@dataclass
class ClassifierConfig:
    channels: int = 32
    num_classes: int = 10
    dataset: str = "mnist"

    def __post_init__(self) -> None:
        if self.dataset not in CLASS_NAMES or len(CLASS_NAMES[self.dataset]) != self.num_classes:
            raise ValueError(f"no {self.num_classes} class names for dataset {self.dataset!r}")
