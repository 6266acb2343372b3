"""The training subsets that travel with the app: what their cards promise, and what a damaged one says."""

import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from huggingface_hub import DatasetCard

from vae.config import DATASETS
from vae.subsets import ARCHIVE, CARD, SUBSETS_DIR, Subset, SubsetError, load_subset, sha256, write_subset


@pytest.mark.parametrize("dataset", list(DATASETS))
def test_each_bundled_subset_matches_its_card(dataset: str) -> None:
    subset = load_subset(dataset)
    card = DatasetCard.load(SUBSETS_DIR / dataset / CARD)
    meta = card.data.to_dict()
    assert meta["sha256"] == sha256(SUBSETS_DIR / dataset / ARCHIVE)
    assert subset.train_images.shape == (meta["train_images"], 28, 28) == (10_000, 28, 28)
    assert subset.test_images.shape == (meta["test_images"], 28, 28) == (1_000, 28, 28)
    assert subset.train_images.dtype == np.uint8 and set(np.unique(subset.train_labels)) == set(range(10))
    assert (
        DATASETS[dataset].licence in card.text and f"python -m vae.subsets --dataset {dataset}" in card.text
    )
    assert (SUBSETS_DIR / dataset / ARCHIVE).stat().st_size < 5_000_000


def copy_of(dataset: str, tmp_path: Path) -> Path:
    shutil.copytree(SUBSETS_DIR / dataset, tmp_path / dataset)
    return tmp_path / dataset


def test_a_corrupted_archive_is_named_in_one_line(tmp_path: Path) -> None:
    folder = copy_of("mnist", tmp_path)
    data = bytearray((folder / ARCHIVE).read_bytes())
    data[len(data) // 2] ^= 0xFF
    (folder / ARCHIVE).write_bytes(bytes(data))
    with pytest.raises(SubsetError) as error:
        load_subset("mnist", tmp_path)
    assert str(error.value) == (
        f"{folder / ARCHIVE}: its SHA-256 does not match the one in {folder / CARD}: the file is corrupt"
    )


def test_a_missing_archive_card_or_dataset_is_named(tmp_path: Path) -> None:
    folder = copy_of("mnist", tmp_path)
    (folder / ARCHIVE).unlink()
    with pytest.raises(SubsetError, match=f"^{re.escape(str(folder / ARCHIVE))}: cannot be read"):
        load_subset("mnist", tmp_path)
    with pytest.raises(
        SubsetError, match=f"^{re.escape(str(tmp_path / 'fashion-mnist' / CARD))}: not a readable data card"
    ):
        load_subset("fashion-mnist", tmp_path)
    with pytest.raises(SubsetError, match="unknown dataset 'cifar'"):
        load_subset("cifar", tmp_path)


def test_a_pickled_array_is_refused_even_with_a_matching_checksum(tmp_path: Path) -> None:
    folder = copy_of("mnist", tmp_path)
    images = np.empty(2, dtype=object)
    np.savez(
        folder / ARCHIVE, train_images=images, train_labels=images, test_images=images, test_labels=images
    )
    card = (folder / CARD).read_text()
    stored = DatasetCard.load(folder / CARD).data.to_dict()["sha256"]
    (folder / CARD).write_text(card.replace(stored, sha256(folder / ARCHIVE)))
    with pytest.raises(SubsetError, match=r"not a readable subset .*allow_pickle=False"):
        load_subset("mnist", tmp_path)


def test_a_written_subset_reads_back_the_same(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    subset = Subset(
        rng.integers(0, 256, (20, 28, 28), dtype=np.uint8),
        rng.integers(0, 10, 20, dtype=np.uint8),
        rng.integers(0, 256, (5, 28, 28), dtype=np.uint8),
        rng.integers(0, 10, 5, dtype=np.uint8),
    )
    write_subset(subset, "fashion-mnist", tmp_path / "fashion-mnist", "python -m vae.subsets --train 20")
    loaded = load_subset("fashion-mnist", tmp_path)
    assert all(np.array_equal(a, b) for a, b in zip(subset, loaded, strict=True))
    assert "MIT (Zalando Research)" in (tmp_path / "fashion-mnist" / CARD).read_text()
