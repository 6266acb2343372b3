import gzip
from pathlib import Path

import pytest
import torch

from vae.data import IDX_FILES, DataError, load_split


def test_a_flat_folder_of_gzipped_idx_files_reads_like_torchvision_layout(flat_fashion: Path) -> None:
    images, labels = load_split("fashion-mnist", flat_fashion, train=False)
    assert images.shape == (12, 1, 28, 28) and images.dtype == torch.float32
    assert labels.shape == (12,) and labels.dtype == torch.int64
    raw = flat_fashion.parent / "layout" / "FashionMNIST" / "raw"
    raw.mkdir(parents=True)
    for name in IDX_FILES:
        (raw / name).write_bytes(gzip.decompress((flat_fashion / f"{name}.gz").read_bytes()))
    same_images, same_labels = load_split("fashion-mnist", raw.parent.parent, train=False)
    assert torch.equal(images, same_images) and torch.equal(labels, same_labels)
    assert load_split("fashion-mnist", flat_fashion, train=True)[0].shape == (40, 1, 28, 28)


def test_a_corrupt_idx_file_names_its_folder(flat_fashion: Path) -> None:
    (flat_fashion / "t10k-images-idx3-ubyte.gz").write_bytes(b"not gzip at all")
    with pytest.raises(DataError, match=f"cannot unpack the IDX files in {flat_fashion}"):
        load_split("fashion-mnist", flat_fashion, train=False)


def test_a_missing_dataset_says_where_it_looked_and_how_to_get_it(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"mnist not found in .*MNIST/raw \(pass --download"):
        load_split("mnist", tmp_path, train=True)
    with pytest.raises(DataError, match="unknown dataset 'kmnist'; choose one of mnist, fashion-mnist"):
        load_split("kmnist", tmp_path, train=True)
