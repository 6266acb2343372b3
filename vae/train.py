"""Train a VAE on MNIST or Fashion-MNIST: python -m vae.train --help.

fit() is the training loop, a generator of per-epoch figures; this command and the app's Train tab
both run it."""

import argparse
import copy
import math
import shlex
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from tqdm import tqdm

from vae.card import write_card
from vae.cli import HelpFormatter
from vae.config import ARCHITECTURES, DATASETS, VAEConfig
from vae.data import DataError, as_floats, load_split
from vae.export import export_decoder
from vae.model import VAE, active_dims, vae_loss
from vae.subsets import SubsetError, load_subset
from vae.weights import model_folder, save_codes


def pick_device(name: str) -> torch.device:
    """'auto' prefers CUDA, then Apple's MPS, then the CPU."""
    if name != "auto":
        return torch.device(name)
    if torch.cuda.is_available():
        return torch.device("cuda")
    if torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


@dataclass
class TrainOptions:
    """How fit() trains: the optimiser's schedule and the weight of the KL term."""

    epochs: int = 30
    batch_size: int = 64
    lr: float = 2e-3  # Adam's peak learning rate, on a one-cycle schedule
    beta: float = 1.0  # the KL term's weight: 1 is the VAE's ELBO, 0 leaves the codes where they fall
    kl_warmup: float = 2.0  # epochs over which the KL weight ramps from 0 to beta
    seed: int = 0  # the order of the images (the weights and the sampled z come from torch's seed)


@dataclass
class HeldOut:
    """The held-out images' terms, per image in nats, each with one sampled z (pytorch/examples' test
    loss): reconstruction -log p(x | z), KL(q(z | x) || N(0, I)), and the KL of each dimension."""

    reconstruction: float
    kl: float
    kl_per_dim: torch.Tensor
    loss: float  # the negative ELBO, reconstruction + KL; for a plain autoencoder, its reconstruction


@dataclass
class Epoch:
    """What fit() reports after each epoch."""

    epoch: int
    train_loss: float  # the same loss as HeldOut.loss, averaged over the epoch's training batches
    held_out: HeldOut
    seconds: float  # since fit() started


@torch.no_grad()
def held_out_terms(
    model: VAE, images: torch.Tensor, batch_size: int = 1000, generator: torch.Generator | None = None
) -> HeldOut:
    """The model's terms on images it was not trained on, in batch_size batches; z is drawn from
    generator, or from torch's global one."""
    model.eval()
    totals = {"recon": 0.0, "kl": 0.0, "loss": 0.0}
    kl_per_dim = torch.zeros(model.config.latent_dim)
    device = next(model.parameters()).device
    for start in range(0, len(images), batch_size):
        x = images[start : start + batch_size].to(device)
        terms = vae_loss(x, *model(x, generator))
        totals["recon"] += terms.recon.item() * len(x)
        totals["kl"] += terms.kl.item() * len(x)
        totals["loss"] += (terms.recon if model.config.model == "ae" else terms.loss).item() * len(x)
        kl_per_dim += terms.kl_per_dim.cpu() * len(x)
    count = len(images)
    return HeldOut(totals["recon"] / count, totals["kl"] / count, kl_per_dim / count, totals["loss"] / count)


def fit(
    model: VAE,
    images: torch.Tensor,
    held_out: torch.Tensor,
    options: TrainOptions,
    device: torch.device | None = None,
    progress: bool = True,
    noise: torch.Generator | None = None,
) -> Iterator[Epoch]:
    """Train model in place on images, yielding after every epoch what it measures on held_out.

    The loss is reconstruction + beta * KL (beta ramped up over options.kl_warmup epochs); a plain
    autoencoder (config.model == "ae") is trained on its reconstruction alone. The command line and the
    app's Train tab both train through this loop; a caller that stops iterating stops the training.
    The sampled z come from noise, or from torch's global generator (seeded by the command line)."""
    device = device or next(model.parameters()).device
    variational = model.config.model == "vae"
    optimizer = torch.optim.Adam(model.parameters(), lr=options.lr)
    steps_per_epoch = math.ceil(len(images) / options.batch_size)
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=options.lr, total_steps=options.epochs * steps_per_epoch, pct_start=0.1
    )
    generator = torch.Generator().manual_seed(options.seed)
    step, started = 0, time.perf_counter()
    for epoch in range(1, options.epochs + 1):
        model.train()
        perm = torch.randperm(len(images), generator=generator)
        bar = tqdm(
            range(steps_per_epoch), desc=f"epoch {epoch}/{options.epochs}", leave=False, disable=not progress
        )
        train_total = 0.0
        for i in bar:
            x = images[perm[i * options.batch_size : (i + 1) * options.batch_size]].to(device)
            terms = vae_loss(x, *model(x, noise))
            warm = min(1.0, step / (options.kl_warmup * steps_per_epoch + 1e-9))
            weight = options.beta * warm if variational else 0.0
            optimizer.zero_grad(set_to_none=True)
            (terms.recon + weight * terms.kl).backward()
            optimizer.step()
            schedule.step()
            step += 1
            train_total += (terms.loss if variational else terms.recon).item() * len(x)
            bar.set_postfix(loss=f"{terms.loss.item():.1f}", kl=f"{terms.kl.item():.1f}")
        measured = held_out_terms(model, held_out, generator=noise)
        yield Epoch(epoch, train_total / len(images), measured, time.perf_counter() - started)


@torch.no_grad()
def save_grids(model: VAE, test_images: torch.Tensor, out: Path, seed: int) -> None:
    """samples.png: 64 decodes of z ~ N(0, I); reconstructions.png: 16 test digits over their decodes."""
    from torchvision.utils import save_image  # here: the app runs fit() without loading torchvision

    model.eval()
    device = next(model.parameters()).device
    generator = torch.Generator().manual_seed(seed)
    z = torch.randn(64, model.config.latent_dim, generator=generator).to(device)
    save_image(model.decode_pixels(z), out / "samples.png", nrow=8, pad_value=0.5)
    x = test_images[:16].to(device)
    recon = model.decode_pixels(model.encode(x)[0])
    save_image(torch.cat([x, recon]), out / "reconstructions.png", nrow=16, pad_value=0.5)


def save_beside(
    model: VAE, args: argparse.Namespace, images: int, test_images: torch.Tensor, test_labels: torch.Tensor
) -> None:
    """What the app and the Hub need beside the weights: sample grids, the page's copy of the decoder,
    the test codes (for the maps and the interpolations between test digits), the card."""
    save_grids(model, test_images, args.out, args.seed)
    if model.config.model == "vae":
        export_decoder(model, args.out)
    save_codes(model.encode_means(test_images), test_labels.numpy(), args.out)
    write_card(args.out, args.command, images, args.val_size, args.subset)


def check_out_folder(parser: argparse.ArgumentParser, out: Path, force: bool) -> None:
    """Refuse to overwrite trained weights unless asked to."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())) and not force:
        parser.error(f"{out} already exists; pass --force to overwrite it")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m vae.train", description=__doc__, formatter_class=HelpFormatter
    )
    p.add_argument("--dataset", choices=sorted(DATASETS), default="mnist", help="what to train on")
    p.add_argument("--model", choices=["vae", "ae"], default="vae", help="ae: a plain autoencoder")
    p.add_argument("--architecture", choices=ARCHITECTURES, default="conv", help="mlp: one hidden layer")
    p.add_argument("--latent-dim", type=int, default=VAEConfig.latent_dim, help="latent dimensions")
    p.add_argument("--channels", type=int, default=VAEConfig.channels, help="first conv layer's width")
    p.add_argument("--hidden", type=int, default=VAEConfig.hidden, help="the hidden layer's width")
    p.add_argument("--epochs", type=int, default=TrainOptions.epochs, help="passes over the training images")
    p.add_argument("--batch-size", type=int, default=TrainOptions.batch_size, help="images per step")
    p.add_argument("--lr", type=float, default=TrainOptions.lr, help="Adam's peak learning rate")
    p.add_argument("--beta", type=float, default=TrainOptions.beta, help="the KL term's weight (vae only)")
    p.add_argument(
        "--kl-warmup", type=float, default=TrainOptions.kl_warmup, help="epochs to ramp it 0->beta"
    )
    p.add_argument(
        "--val-size",
        type=int,
        default=1000,
        help="training images held out to pick the best epoch; 0: keep the last",
    )
    p.add_argument("--seed", type=int, default=TrainOptions.seed, help="seeds the weights, the order and z")
    data = p.add_mutually_exclusive_group()
    data.add_argument("--data-root", type=Path, help="torchvision data root or a folder of IDX files")
    data.add_argument("--subset", action="store_true", help="train on the subset in subsets/<dataset>")
    p.add_argument("--download", action="store_true", help="download the dataset if missing")
    p.add_argument("--out", type=Path, help="the weights folder (default: weights/<dataset>-<model>)")
    p.add_argument("--device", default="auto", help="auto, cpu, cuda, cuda:1, mps")
    p.add_argument("--force", action="store_true", help="overwrite an existing --out folder")
    args = p.parse_args(argv)
    for name in ("latent_dim", "channels", "hidden", "epochs", "batch_size"):
        if getattr(args, name) < 1:
            p.error(f"--{name.replace('_', '-')} must be at least 1")
    if not args.lr > 0 or not args.kl_warmup >= 0 or args.val_size < 0 or not 0 <= args.beta < math.inf:
        p.error("--lr must be positive, --kl-warmup, --val-size and --beta finite and non-negative")
    args.out = args.out or model_folder(args.dataset, args.model, Path("weights"))
    check_out_folder(p, args.out, args.force)
    return args


def load_images(args: argparse.Namespace) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Training images, test images and test labels, from the dataset or the app's subset of it."""
    if args.subset:
        try:
            subset = load_subset(args.dataset)
        except SubsetError as err:
            raise DataError(str(err)) from None
        return (
            as_floats(subset.train_images),
            as_floats(subset.test_images),
            torch.from_numpy(subset.test_labels),
        )
    images, _ = load_split(args.dataset, args.data_root, train=True, download=args.download)
    test_images, test_labels = load_split(args.dataset, args.data_root, train=False, download=args.download)
    return images, test_images, test_labels


def train(args: argparse.Namespace) -> float:
    """Train, keep the checkpoint with the best validation loss (or the last, with no validation images)
    in args.out, and return its loss."""
    torch.manual_seed(args.seed)
    device = pick_device(args.device)
    images, test_images, test_labels = load_images(args)
    if args.val_size >= len(images):
        raise DataError(f"--val-size {args.val_size} leaves no training images of {len(images)}")
    order = torch.randperm(len(images), generator=torch.Generator().manual_seed(args.seed))
    train_images, val_images = images[order[args.val_size :]], images[order[: args.val_size]]
    print(
        f"{args.dataset}: {len(train_images)} train, {len(val_images)} validation, "
        f"{len(test_images)} test images; device {device}"
    )
    config = VAEConfig(
        latent_dim=args.latent_dim,
        channels=args.channels,
        hidden=args.hidden,
        dataset=args.dataset,
        model=args.model,
        architecture=args.architecture,
    )
    options = TrainOptions(args.epochs, args.batch_size, args.lr, args.beta, args.kl_warmup, args.seed)
    variational = args.model == "vae"
    model = VAE(config).to(device)
    args.out.mkdir(parents=True, exist_ok=True)
    best, best_state = math.inf, None
    try:
        for epoch in fit(model, train_images, val_images if args.val_size else test_images, options, device):
            test = epoch.held_out if not args.val_size else held_out_terms(model, test_images)
            mark = ""
            if epoch.held_out.loss < best or not args.val_size:
                best, mark = epoch.held_out.loss, " *saved"
                if variational:
                    model.kl_per_dim.copy_(epoch.held_out.kl_per_dim)
                best_state = copy.deepcopy(model.state_dict())
                model.save_pretrained(args.out)
            tqdm.write(
                f"epoch {epoch.epoch}: train loss {epoch.train_loss:.2f}  "
                + (f"val loss {epoch.held_out.loss:.2f}  " if args.val_size else "")
                + f"test loss {test.loss:.2f} (reconstruction {test.reconstruction:.2f}, KL {test.kl:.2f})  "
                f"{epoch.seconds:.0f}s{mark}"
            )
    except KeyboardInterrupt:
        tqdm.write("interrupted: keeping the best checkpoint so far")
    if best_state is None:
        raise DataError("stopped before the first epoch ended; nothing was saved")

    model.load_state_dict(best_state)
    if variational:
        model.sort_latents(model.kl_per_dim.clone())
    model.save_pretrained(args.out)
    save_beside(model.cpu(), args, len(images), test_images, test_labels)
    active = f", {active_dims(model.kl_per_dim)} active dimensions" if variational else ""
    print(
        f"saved {args.out} ({asdict(config)}): {'val' if args.val_size else 'test'} loss {best:.2f}{active}"
    )
    return best


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    args.command = shlex.join(["python", "-m", "vae.train", *(sys.argv[1:] if argv is None else argv)])
    try:
        train(args)
    except DataError as err:
        sys.exit(f"error: {err}")


if __name__ == "__main__":
    main()
