"""Every example in examples/ runs here in a fast mode, so that none can rot: the seeds' examples, the two-moons
classifier, train_digits.py on every device, and the MNIST IDX loader on small IDX files written here."""
from __future__ import annotations

import contextlib
import gzip
import io
import os
import re
import runpy
import struct
import subprocess
import sys
import urllib.error

import numpy as np
import pytest
import torch

import microtorch
from conftest import DEVICES
from helpers import EXAMPLES, load_example
from test_viz import HAS_DOT, colour_pixels

sklearn = pytest.importorskip("sklearn", reason="the examples need scikit-learn (pip install -e '.[examples]')")
pytest.importorskip("matplotlib", reason="the examples need matplotlib (pip install -e '.[examples]')")
pytest.importorskip("tqdm", reason="the examples need tqdm (pip install -e '.[examples]')")


def png_pixels(path) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.open(path).convert("RGB"))


# ---- the README's code ----------------------------------------------------------------------------------------------
def readme_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", (EXAMPLES.parent / "README.md").read_text(), re.S)


def test_readme_code_runs(tmp_path):
    blocks = readme_blocks()
    assert len(blocks) >= 4  # the tour, pictures, devices, a backend of your own
    for block in blocks:  # each in its own interpreter, as a reader would paste it
        run = subprocess.run([sys.executable, "-c", block], cwd=tmp_path, capture_output=True, text=True,
                             env={**os.environ, "PYTHONPATH": str(EXAMPLES.parent)})
        assert run.returncode == 0, f"{block}\n{run.stderr}"
        if "draw_to_html(model" in block:  # the tour
            lines = run.stdout.splitlines()
            assert lines[0] == "tensor([-2.,  0.,  4.])"
            assert float(lines[1].split()[1]) < 0.05  # the loss after training; about 0.5 before
    assert (tmp_path / "model.html").exists() and (tmp_path / "graph.html").exists()


# ---- the seeds' examples -------------------------------------------------------------------------------------------
@pytest.fixture(params=["bare", "dot"])
def layout(request, monkeypatch):
    """Each seed example draws as on a bare install (no dot: the built-in layout) and with dot when there is one."""
    if request.param == "bare":
        monkeypatch.setattr(microtorch.viz.dot, "find_dot", lambda: None)
        monkeypatch.setattr(microtorch.viz.render, "find_dot", lambda: None)
    elif not HAS_DOT:
        pytest.skip('no Graphviz dot nor graphviz-pure (pip install -e ".[viz]")')
    return request.param


def drawn_by(page: str, layout: str) -> bool:
    return ('data-layout="builtin"' in page) == (layout == "bare")


def test_simple_nn_is_the_seed_readme_example_and_converges(tmp_path, monkeypatch, layout):
    monkeypatch.chdir(tmp_path)  # it writes model.html in the current folder, as the seed does
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.warns(UserWarning, match="target size"):  # (1, 1) vs (): as torch
        namespace = runpy.run_path(str(EXAMPLES / "simple_nn.py"), run_name="__main__")
    printed = out.getvalue()
    predictions = [float(v) for v in re.findall(r"Epoch \d+: (\S+)", printed)]
    assert len(predictions) == 30
    # gradient descent on (w.x + b - 1)^2 with |x|^2 + 1 = 6 and lr 0.03: the error shrinks by 1 - 2*0.03*6 = 0.64
    errors = np.abs(np.array(predictions) - 1.0)
    np.testing.assert_allclose(errors[1:], errors[:-1] * 0.64, rtol=1e-3, atol=1e-6)
    final = float(printed.strip().splitlines()[-1].split()[-1])
    assert abs(final - 1.0) < 1e-4
    assert "requires_grad=True" in printed  # the printed parameters
    assert [n for n, _ in namespace["model"].named_parameters()] == ["fc.weight", "fc.bias"]
    page = (tmp_path / "model.html").read_text()
    assert page.count("<svg") == 1 and "fc.weight" in page and "fc.bias" in page and drawn_by(page, layout)


def test_regrad_graphs_prints_regrads_numbers_and_draws_three_graphs(tmp_path, capsys, layout):
    example = load_example("regrad_graphs")
    result = example.main(["--out", str(tmp_path)])
    printed = capsys.readouterr().out.splitlines()
    assert printed[:3] == ["24.7041", "222.1341", "978.7784"]  # what regrad's README prints
    assert "number of parameters 13" in printed  # regrad's MLP(2, [3, 1]): 2*3 + 3 + 3*1 + 1
    t = example.expression(torch)
    t.g.backward()
    np.testing.assert_allclose([result["g"], result["a_grad"], result["b_grad"]],
                               [t.g.item(), t.a.grad.item(), t.b.grad.item()], rtol=1e-5)
    pages = {name: open(path, encoding="utf-8").read() for name, path in result["pages"].items()}
    assert all(page.count("<svg") == 1 and drawn_by(page, layout) for page in pages.values())
    assert "grad 222.1341" in pages["pow"] and "PowBackward" in pages["pow"]
    sigmoid = torch.sigmoid(torch.tensor(0.5)).item()
    assert f"{sigmoid:.4f}" in pages["sigmoid"] and "ExpBackward" in pages["sigmoid"]
    assert all(name in pages["mlp"] for name in ("0.weight", "0.bias", "2.weight", "2.bias", "0: Linear"))


# ---- training examples ----------------------------------------------------------------------------------------------
def test_moons_separates_the_two_moons_and_draws_the_boundary(tmp_path, capsys):
    result = load_example("moons").main(["--out", str(tmp_path)])  # the full 100 steps: well under a second
    losses = [float(v) for v in re.findall(r"loss (\d+\.\d+)", capsys.readouterr().out)]
    assert losses[-1] < losses[0] / 10
    assert result["accuracy"] >= 0.97  # micrograd's demo reaches 100 %
    picture = png_pixels(result["plot"])
    for region in ("#FDD9B5", "#C6DBEF"):  # both classes' regions are drawn
        assert colour_pixels(picture, region) > 0.1 * picture.shape[0] * picture.shape[1]


@pytest.mark.parametrize("device", DEVICES)
def test_train_digits_learns_saves_and_reloads(tmp_path, device):
    example = load_example("train_digits")
    with contextlib.redirect_stdout(io.StringIO()):
        result = example.main(["--epochs", "2", "--quiet", "--device", device, "--out", str(tmp_path)])
    history = result["history"]
    assert all(len(values) == 2 for values in history.values())
    assert history["train_loss"][1] < history["train_loss"][0]
    assert result["reloaded_acc"] == history["test_acc"][-1] >= 0.95
    saved = microtorch.load(result["weights"])
    expected = example.DigitsCNN().state_dict()
    assert saved.keys() == expected.keys() and any(k.endswith("running_mean") for k in saved)
    assert all(saved[k].shape == expected[k].shape and saved[k].device.type == device for k in saved)
    assert png_pixels(result["plot"]).shape == (320, 800, 3)


# ---- MNIST from IDX files -------------------------------------------------------------------------------------------
IDX_CODES = {np.uint8: 0x08, np.int8: 0x09, np.int16: 0x0B, np.int32: 0x0C, np.float32: 0x0D, np.float64: 0x0E}


def write_idx(path, array: np.ndarray) -> None:
    """The IDX format: two zero bytes, the type code, the number of dims, big-endian sizes, big-endian data."""
    header = struct.pack(">BBBB", 0, 0, IDX_CODES[array.dtype.type], array.ndim)
    header += struct.pack(f">{array.ndim}I", *array.shape)
    payload = header + array.astype(array.dtype.newbyteorder(">")).tobytes()
    with (gzip.open if str(path).endswith(".gz") else open)(path, "wb") as f:
        f.write(payload)


def test_read_idx_reads_every_element_type_plain_and_gzipped(tmp_path):
    mnist = load_example("mnist")
    rng = np.random.default_rng(0)
    for dtype in IDX_CODES:
        array = (rng.standard_normal((3, 4, 5)) * 100).astype(dtype)
        for name in (f"{dtype.__name__}.idx", f"{dtype.__name__}.idx.gz"):
            write_idx(tmp_path / name, array)
            read = mnist.read_idx(str(tmp_path / name))
            assert read.dtype == np.dtype(dtype) and read.dtype.isnative
            np.testing.assert_array_equal(read, array)


def test_read_idx_rejects_malformed_files(tmp_path):
    mnist = load_example("mnist")
    cases = {
        b"\x01\x00\x08\x01" + struct.pack(">I", 0): "not an IDX file",
        b"\x00\x00\x07\x01" + struct.pack(">I", 0): "unknown IDX element type 0x07",
        b"\x00\x00\x08\x03" + struct.pack(">I", 2): "truncated IDX header",
        b"\x00\x00\x08\x01" + struct.pack(">I", 4) + b"abc": "expected 4 bytes of data for shape \\(4,\\), found 3",
    }
    for i, (content, message) in enumerate(cases.items()):
        (tmp_path / f"bad{i}").write_bytes(content)
        with pytest.raises(ValueError, match=message):
            mnist.read_idx(str(tmp_path / f"bad{i}"))


def synthetic_mnist(n: int, rng) -> tuple[np.ndarray, np.ndarray]:
    """28x28 uint8 images whose label is the row of a bright bar, over noise: learnable in one epoch."""
    labels = rng.integers(0, 10, n).astype(np.uint8)
    images = rng.integers(0, 60, (n, 28, 28)).astype(np.uint8)
    for image, label in zip(images, labels):
        image[2 + 2 * label, 4:24] = 255
    return images, labels


def test_mnist_dataset_and_training_on_small_idx_files(tmp_path, capsys):
    mnist = load_example("mnist")
    rng = np.random.default_rng(0)
    train_images, train_labels = synthetic_mnist(512, rng)
    test_images, test_labels = synthetic_mnist(200, rng)
    write_idx(tmp_path / "train-images-idx3-ubyte.gz", train_images)  # gzipped and plain files both load
    write_idx(tmp_path / "train-labels-idx1-ubyte.gz", train_labels)
    write_idx(tmp_path / "t10k-images-idx3-ubyte", test_images)
    write_idx(tmp_path / "t10k-labels-idx1-ubyte", test_labels)

    test_set = mnist.MNIST(str(tmp_path), train=False)
    assert len(test_set) == 200
    image, label = test_set[7]
    assert image.shape == (1, 28, 28) and image.dtype == microtorch.float32 and label.dtype == microtorch.int64
    np.testing.assert_allclose(image.numpy()[0], (test_images[7] / 255.0 - 0.1307) / 0.3081, rtol=1e-6)
    assert label.item() == test_labels[7]

    accuracy = mnist.main(["--root", str(tmp_path), "--epochs", "2"])
    assert f"test accuracy {accuracy:.4f} on 200 images" in capsys.readouterr().out
    assert accuracy >= 0.9


class _Response(io.BytesIO):
    """What urlopen returns, enough for download(): a context manager with read()."""


def test_mnist_missing_files_and_offline_download_raise_clearly(tmp_path, monkeypatch):
    mnist = load_example("mnist")
    with pytest.raises(FileNotFoundError, match="MNIST files not found in .*: train-images-idx3-ubyte, "
                                                "train-labels-idx1-ubyte.*--download"):
        mnist.load_mnist(str(tmp_path), "train")
    with pytest.raises(ValueError, match="split must be 'train' or 'test', got 'val'"):
        mnist.load_mnist(str(tmp_path), "val")

    def offline(url, timeout):
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(mnist.urllib.request, "urlopen", offline)
    with pytest.raises(mnist.DownloadError, match=r"(?s)could not download t10k-images-idx3-ubyte.gz \(are you offline\?\)"
                                           r".*name resolution.*put them in " + re.escape(str(tmp_path))):
        mnist.MNIST(str(tmp_path), train=False, download=True)

    monkeypatch.setattr(mnist.urllib.request, "urlopen", lambda url, timeout: _Response(b"<html>moved</html>"))
    with pytest.raises(mnist.DownloadError, match="MD5 is not MNIST's 9fb629c4189551a2d022fa330f9573f3"):
        mnist.download(str(tmp_path), ("t10k-images-idx3-ubyte",))
    assert not list(tmp_path.iterdir())  # nothing half-written is left behind

    run = subprocess.run([sys.executable, str(EXAMPLES / "mnist.py"), "--root", str(tmp_path)],
                         capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(EXAMPLES.parent)})
    assert run.returncode == 1 and "Traceback" not in run.stderr  # on the command line: the message alone
    assert run.stderr.startswith(f"mnist.py: MNIST files not found in {tmp_path}")
