"""Train the bundled digit classifier that judges samples: python -m vae.train_classifier --help."""

import argparse
import math
import shlex
import sys
from pathlib import Path

import torch
import torch.nn.functional as F
from tqdm import tqdm

from vae.card import write_card
from vae.classifier import DigitClassifier
from vae.cli import HelpFormatter
from vae.config import DATASETS, ClassifierConfig
from vae.data import DataError, load_split
from vae.train import check_out_folder, pick_device
from vae.weights import model_folder


def jitter(x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Random small rotations, scalings and shifts, so hand-drawn and generated digits are judged fairly."""
    n = len(x)
    angle = (torch.rand(n, generator=generator) - 0.5) * math.radians(30)
    scale = 0.9 + 0.2 * torch.rand(n, generator=generator)
    shift = (torch.rand(n, 2, generator=generator) - 0.5) * (4 / 14)  # +-2 px in [-1, 1] units
    cos, sin = torch.cos(angle) / scale, torch.sin(angle) / scale
    theta = torch.stack(
        [torch.stack([cos, -sin, shift[:, 0]], 1), torch.stack([sin, cos, shift[:, 1]], 1)], 1
    )
    grid = F.affine_grid(theta.to(x.device), list(x.shape), align_corners=False)
    return F.grid_sample(x, grid, align_corners=False)


@torch.no_grad()
def accuracy(model: DigitClassifier, images: torch.Tensor, labels: torch.Tensor) -> float:
    """Share of images whose most likely class is the label."""
    model.eval()
    device = next(model.parameters()).device
    correct = sum(
        (model(images[i : i + 1000].to(device)).argmax(1).cpu() == labels[i : i + 1000]).sum().item()
        for i in range(0, len(images), 1000)
    )
    return correct / len(images)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(
        prog="python -m vae.train_classifier", description=__doc__, formatter_class=HelpFormatter
    )
    p.add_argument("--dataset", choices=sorted(DATASETS), default="mnist", help="what to train on")
    p.add_argument("--epochs", type=int, default=15, help="passes over the training images")
    p.add_argument("--batch-size", type=int, default=128, help="images per step")
    p.add_argument("--lr", type=float, default=2e-3, help="Adam's peak learning rate (one-cycle schedule)")
    p.add_argument("--seed", type=int, default=0, help="seeds the weights, the order and the jitter")
    p.add_argument("--data-root", type=Path, help="torchvision data root or a folder of IDX files")
    p.add_argument("--download", action="store_true", help="download the dataset if missing")
    p.add_argument("--out", type=Path, help="the weights folder (default: weights/<dataset>-classifier)")
    p.add_argument("--device", default="auto", help="auto, cpu, cuda, cuda:1, mps")
    p.add_argument("--force", action="store_true", help="overwrite an existing --out folder")
    args = p.parse_args(argv)
    args.out = args.out or model_folder(args.dataset, "classifier", Path("weights"))
    if args.epochs < 1 or args.batch_size < 1 or args.lr <= 0:
        p.error("--epochs and --batch-size must be at least 1 and --lr positive")
    check_out_folder(p, args.out, args.force)

    torch.manual_seed(args.seed)
    device = pick_device(args.device)
    try:
        images, labels = load_split(args.dataset, args.data_root, True, args.download)
        test_images, test_labels = load_split(args.dataset, args.data_root, False, args.download)
    except DataError as err:
        sys.exit(f"error: {err}")
    model = DigitClassifier(ClassifierConfig(dataset=args.dataset)).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    steps = math.ceil(len(images) / args.batch_size)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, args.lr, total_steps=args.epochs * steps)
    generator = torch.Generator().manual_seed(args.seed)
    for epoch in range(1, args.epochs + 1):
        model.train()
        perm = torch.randperm(len(images), generator=generator)
        for i in tqdm(range(steps), desc=f"epoch {epoch}/{args.epochs}", leave=False):
            idx = perm[i * args.batch_size : (i + 1) * args.batch_size]
            x = jitter(images[idx], generator).to(device)
            loss = F.cross_entropy(model(x), labels[idx].to(device))
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            schedule.step()
        tqdm.write(f"epoch {epoch}: test accuracy {accuracy(model, test_images, test_labels):.4f}")
    model.save_pretrained(args.out)
    command = shlex.join(["python", "-m", "vae.train_classifier", *(sys.argv[1:] if argv is None else argv)])
    write_card(args.out, command, len(images), held_out=0)
    print(f"saved {args.out}")


if __name__ == "__main__":
    main()
