"""MNIST from local IDX files (the format LeCun's site and its mirrors distribute).

    python examples/mnist.py --root data/mnist [--download] [--epochs 1] [--device cpu]

Reads ``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte``, ``t10k-images-idx3-ubyte`` and
``t10k-labels-idx1-ubyte`` (each optionally ``.gz``) from ``--root``. ``--download`` fetches missing
files from public mirrors; without network it stops with a message saying where to put the files.
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import os
import struct
import urllib.error
import urllib.request

import numpy as np

import microtorch as torch
from microtorch.utils.data import Dataset

FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
MIRRORS = ("https://ossci-datasets.s3.amazonaws.com/mnist/", "https://storage.googleapis.com/cvdf-datasets/mnist/")
# the published checksums of the gzip files (torchvision checks the same)
MD5 = {
    "train-images-idx3-ubyte": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    "train-labels-idx1-ubyte": "d53e105ee54ea40749a09fcbcd1e9432",
    "t10k-images-idx3-ubyte": "9fb629c4189551a2d022fa330f9573f3",
    "t10k-labels-idx1-ubyte": "ec29112dd5afa0611ce80d1b7f02629c",
}
# IDX type codes -> element dtypes (big-endian on disk)
IDX_DTYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def read_idx(path: str) -> np.ndarray:
    """An IDX file (plain or gzip) as a NumPy array of its declared shape and type."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0:
        raise ValueError(f"{path} is not an IDX file (bad magic number {data[:4].hex()!r})")
    type_code, ndim = data[2], data[3]
    if type_code not in IDX_DTYPES:
        raise ValueError(f"{path}: unknown IDX element type 0x{type_code:02x}")
    header = 4 + 4 * ndim
    if len(data) < header:
        raise ValueError(f"{path}: truncated IDX header")
    shape = struct.unpack(f">{ndim}I", data[4:header])
    dtype = np.dtype(IDX_DTYPES[type_code])
    expected = int(np.prod(shape)) * dtype.itemsize
    if len(data) - header != expected:
        raise ValueError(f"{path}: expected {expected} bytes of data for shape {shape}, found {len(data) - header}")
    return np.frombuffer(data, dtype=dtype, offset=header).reshape(shape).astype(dtype.newbyteorder("="))


def _find(root: str, name: str) -> str | None:
    for candidate in (name, name + ".gz"):
        path = os.path.join(root, candidate)
        if os.path.exists(path):
            return path
    return None


class DownloadError(RuntimeError):
    """No mirror gave a file (offline, or a download with the wrong checksum)."""


def download(root: str, names: tuple, timeout: float = 30.0) -> None:
    """Fetch the gzip files that are missing from ``root``, checking their MD5; a clear error when offline."""
    os.makedirs(root, exist_ok=True)
    for name in names:
        if _find(root, name):
            continue
        errors = []
        for mirror in MIRRORS:
            url = mirror + name + ".gz"
            try:
                with urllib.request.urlopen(url, timeout=timeout) as response:
                    payload = response.read()
            except (urllib.error.URLError, OSError) as e:
                errors.append(f"{url}: {getattr(e, 'reason', e)}")
                continue
            if hashlib.md5(payload, usedforsecurity=False).hexdigest() != MD5[name]:
                errors.append(f"{url}: the download's MD5 is not MNIST's {MD5[name]}")
                continue
            tmp = os.path.join(root, name + ".gz.part")
            with open(tmp, "wb") as f:
                f.write(payload)
            os.replace(tmp, os.path.join(root, name + ".gz"))
            break
        else:
            raise DownloadError(
                f"could not download {name}.gz (are you offline?):\n  " + "\n  ".join(errors)
                + f"\nDownload the four MNIST IDX files by hand and put them in {os.path.abspath(root)}"
            )


def load_mnist(root: str, split: str = "train", download_missing: bool = False) -> tuple:
    """(images uint8 [N, 28, 28], labels int64 [N]) of the ``train`` or ``test`` split."""
    if split not in FILES:
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    names = FILES[split]
    if download_missing:
        download(root, names)
    paths = [_find(root, n) for n in names]
    missing = [n for n, p in zip(names, paths) if p is None]
    if missing:
        raise FileNotFoundError(
            f"MNIST files not found in {os.path.abspath(root)}: {', '.join(missing)} (plain or .gz). "
            "Pass download=True (--download) to fetch them, or copy them there."
        )
    images, labels = read_idx(paths[0]), read_idx(paths[1])
    if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
        raise ValueError(f"inconsistent MNIST files: images {images.shape}, labels {labels.shape}")
    return images, labels.astype(np.int64)


class MNIST(Dataset):
    """``(image, label)`` pairs: images as float32 [1, 28, 28] normalised with MNIST's mean and std."""

    mean, std = 0.1307, 0.3081

    def __init__(self, root: str, train: bool = True, download: bool = False) -> None:
        images, labels = load_mnist(root, "train" if train else "test", download)
        scaled = (images.astype(np.float32) / 255.0 - self.mean) / self.std
        self.images = torch.from_numpy(scaled[:, None])
        self.labels = torch.from_numpy(labels)

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, i):
        return self.images[i], self.labels[i]


def main(argv: list | None = None) -> float:
    import microtorch.nn as nn
    import microtorch.nn.functional as F
    from microtorch.utils.data import DataLoader, Subset

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", default="data/mnist")
    parser.add_argument("--download", action="store_true", help="fetch missing files from the mirrors")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--limit", type=int, default=0, help="use only this many training images (0: all)")
    parser.add_argument("--device", default="cpu", help="cpu, cuda, or any registered device type")
    args = parser.parse_args(argv)

    train, test = MNIST(args.root, True, args.download), MNIST(args.root, False, args.download)
    if args.limit:
        train = Subset(train, range(min(args.limit, len(train))))
    torch.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10)).to(args.device)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    for epoch in range(args.epochs):
        model.train()
        for x, y in DataLoader(train, batch_size=128, shuffle=True, generator=torch.Generator().manual_seed(epoch)):
            opt.zero_grad()
            loss = F.cross_entropy(model(x.to(args.device)), y.to(args.device))
            loss.backward()
            opt.step()
        print(f"epoch {epoch + 1}: last batch loss {loss.item():.4f}")
    model.eval()
    with torch.no_grad():
        correct = sum((model(x.to(args.device)).argmax(1).cpu() == y).sum().item()
                      for x, y in DataLoader(test, batch_size=1000))
    accuracy = correct / len(test)
    print(f"test accuracy {accuracy:.4f} on {len(test)} images")
    return accuracy


if __name__ == "__main__":
    try:
        main()
    except (FileNotFoundError, DownloadError) as e:  # the message says what to do; a traceback would bury it
        raise SystemExit(f"mnist.py: {e}") from None
