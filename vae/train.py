"""Train a VAE on MNIST or Fashion-MNIST: python -m vae.train --help."""

import argparse
import copy
import math
import shlex
import sys
import time
from dataclasses import asdict
from pathlib import Path

import torch
from torchvision.utils import save_image
from tqdm import tqdm

from vae.card import write_card
from vae.config import DATASETS, VAEConfig
from vae.data import DataError, load_split
from vae.export import export_decoder
from vae.model import VAE, active_dims, vae_loss
from vae.weights import save_codes


def pick_device(name: str) -> torch.device:
    """'auto' prefers CUDA, then Apple's MPS, then the CPU."""
    if name != "auto":
        return torch.device(name)
    if torch.cuda.is_available():
        return torch.device("cuda")
    if torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


@torch.no_grad()
def evaluate_loss(model: VAE, images: torch.Tensor, batch_size: int = 1000) -> tuple[float, torch.Tensor]:
    """Mean negative ELBO per image with one sampled z (pytorch/examples' test loss), and KL per dim.

    For a plain autoencoder the loss is the reconstruction alone: it has no KL term."""
    model.eval()
    total, kl_per_dim = 0.0, torch.zeros(model.config.latent_dim)
    device = next(model.parameters()).device
    for start in range(0, len(images), batch_size):
        x = images[start : start + batch_size].to(device)
        terms = vae_loss(x, *model(x))
        total += (terms.recon if model.config.model == "ae" else terms.loss).item() * len(x)
        kl_per_dim += terms.kl_per_dim.cpu() * len(x)
    return total / len(images), kl_per_dim / len(images)


@torch.no_grad()
def save_grids(model: VAE, test_images: torch.Tensor, out: Path, seed: int) -> None:
    """samples.png: 64 decodes of z ~ N(0, I); reconstructions.png: 16 test digits over their decodes."""
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
    write_card(args.out, args.command, images, args.val_size)


def check_out_folder(parser: argparse.ArgumentParser, out: Path, force: bool) -> None:
    """Refuse to overwrite trained weights unless asked to."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())) and not force:
        parser.error(f"{out} already exists; pass --force to overwrite it")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m vae.train", description=__doc__)
    p.add_argument("--dataset", choices=sorted(DATASETS), default="mnist")
    p.add_argument("--model", choices=["vae", "ae"], default="vae", help="ae: a plain autoencoder")
    p.add_argument("--latent-dim", type=int, default=VAEConfig.latent_dim)
    p.add_argument("--channels", type=int, default=VAEConfig.channels)
    p.add_argument("--hidden", type=int, default=VAEConfig.hidden)
    p.add_argument("--epochs", type=int, default=30)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--kl-warmup", type=float, default=2.0, help="epochs to ramp the KL weight 0->1")
    p.add_argument("--val-size", type=int, default=1000, help="training images held out")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--data-root", type=Path, help="torchvision data root or a folder of IDX files")
    p.add_argument("--download", action="store_true", help="download the dataset if missing")
    p.add_argument("--out", type=Path, default=Path("weights/mnist-vae"))
    p.add_argument("--device", default="auto", help="auto, cpu, cuda, cuda:1, mps")
    p.add_argument("--force", action="store_true", help="overwrite an existing --out folder")
    args = p.parse_args(argv)
    for name in ("latent_dim", "channels", "hidden", "epochs", "batch_size"):
        if getattr(args, name) < 1:
            p.error(f"--{name.replace('_', '-')} must be at least 1")
    if args.lr <= 0 or args.kl_warmup < 0 or args.val_size < 1:
        p.error("--lr must be positive, --kl-warmup non-negative and --val-size at least 1")
    check_out_folder(p, args.out, args.force)
    return args


def train(args: argparse.Namespace) -> float:
    """Train, keep the checkpoint with the best validation loss in args.out, return that loss."""
    torch.manual_seed(args.seed)
    device = pick_device(args.device)
    images, _ = load_split(args.dataset, args.data_root, train=True, download=args.download)
    test_images, test_labels = load_split(args.dataset, args.data_root, train=False, download=args.download)
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
    )
    variational = args.model == "vae"
    model = VAE(config).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    steps_per_epoch = math.ceil(len(train_images) / args.batch_size)
    total_steps = args.epochs * steps_per_epoch
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=args.lr, total_steps=total_steps, pct_start=0.1
    )
    generator = torch.Generator().manual_seed(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    best, best_state, step, started = math.inf, None, 0, time.perf_counter()
    try:
        for epoch in range(1, args.epochs + 1):
            model.train()
            perm = torch.randperm(len(train_images), generator=generator)
            bar = tqdm(range(steps_per_epoch), desc=f"epoch {epoch}/{args.epochs}", leave=False)
            train_total = 0.0
            for i in bar:
                x = train_images[perm[i * args.batch_size : (i + 1) * args.batch_size]].to(device)
                terms = vae_loss(x, *model(x))
                beta = min(1.0, step / (args.kl_warmup * steps_per_epoch + 1e-9)) if variational else 0.0
                optimizer.zero_grad(set_to_none=True)
                (terms.recon + beta * terms.kl).backward()
                optimizer.step()
                schedule.step()
                step += 1
                train_total += (terms.loss if variational else terms.recon).item() * len(x)
                bar.set_postfix(loss=f"{terms.loss.item():.1f}", kl=f"{terms.kl.item():.1f}")
            val_loss, kl_per_dim = evaluate_loss(model, val_images)
            test_loss, _ = evaluate_loss(model, test_images)
            mark = ""
            if val_loss < best:
                best, mark = val_loss, " *saved"
                if variational:
                    model.kl_per_dim.copy_(kl_per_dim)
                best_state = copy.deepcopy(model.state_dict())
                model.save_pretrained(args.out)
            tqdm.write(
                f"epoch {epoch}: train loss {train_total / len(train_images):.2f}  "
                f"val loss {val_loss:.2f}  test loss {test_loss:.2f}  "
                f"{time.perf_counter() - started:.0f}s{mark}"
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
    print(f"saved {args.out} ({asdict(config)}): val loss {best:.2f}{active}")
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
