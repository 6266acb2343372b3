"""The models' config dataclasses and the datasets they know, without torch: the page is built from
them before torch loads."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Dataset:
    """One dataset the models train on: the registry's entry that every other module reads."""

    name: str  # as the command line, the weights folders and the page's links spell it
    title: str  # its proper name
    choice: str  # what the page's dataset selector says
    classes: tuple[str, ...]
    torchvision_class: str  # the class in torchvision.datasets that reads it
    hub_id: str  # the dataset on the Hugging Face Hub, for model cards
    licence: str


DATASETS = {
    dataset.name: dataset
    for dataset in (
        Dataset(
            name="mnist",
            title="MNIST",
            choice="MNIST digits",
            classes=tuple(str(digit) for digit in range(10)),
            torchvision_class="MNIST",
            hub_id="ylecun/mnist",
            licence="CC BY-SA 3.0 (Yann LeCun, Corinna Cortes, Christopher Burges)",
        ),
        Dataset(
            name="fashion-mnist",
            title="Fashion-MNIST",
            choice="Fashion-MNIST clothes",
            classes=tuple(
                [
                    "T-shirt",
                    "trouser",
                    "pullover",
                    "dress",
                    "coat",
                    "sandal",
                    "shirt",
                    "sneaker",
                    "bag",
                    "ankle boot",
                ]
            ),
            torchvision_class="FashionMNIST",
            hub_id="zalando-datasets/fashion_mnist",
            licence="MIT (Zalando Research)",
        ),
    )
}

SAMPLERS = {  # where a model's random codes can come from; the page offers each
    "mixture": "a mixture fitted to the training codes",
    "gaussian": "one Gaussian fitted to the training codes",
    "prior": "the prior N(0, I)",
}


def check_dataset(name: str) -> Dataset:
    """The registry's entry for name, or a ValueError that lists the known ones."""
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; choose one of {', '.join(DATASETS)}")
    return DATASETS[name]


ARCHITECTURES = ("conv", "mlp")


@dataclass
class VAEConfig:
    latent_dim: int = 16
    channels: int = 32  # width of the first conv layer; the second has twice as many ("conv" only)
    hidden: int = 256  # width of the fully connected layer next to the latent code
    dataset: str = "mnist"  # what it was trained on, so the app and evaluation pick matching data
    model: str = "vae"  # "ae": the same network as a plain autoencoder, z = mu, trained without KL
    # "mlp": one hidden layer each way, small and fast enough to train while a visitor watches. Configs
    # written before this field existed leave it out: they are "conv".
    architecture: str = field(default="conv", metadata={"optional": True})

    def __post_init__(self) -> None:
        if self.model not in ("vae", "ae"):
            raise ValueError(f"model must be 'vae' or 'ae', not {self.model!r}")
        if self.architecture not in ARCHITECTURES:
            raise ValueError(
                f"architecture must be one of {', '.join(ARCHITECTURES)}, not {self.architecture!r}"
            )


@dataclass
class ClassifierConfig:
    channels: int = 32
    num_classes: int = 10
    dataset: str = "mnist"

    def __post_init__(self) -> None:
        classes = DATASETS[self.dataset].classes if self.dataset in DATASETS else ()
        if len(classes) != self.num_classes:
            raise ValueError(f"no {self.num_classes} class names for dataset {self.dataset!r}")
