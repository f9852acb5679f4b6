"""The workloads. Each is written once against the shared API and built for both libraries
(``lib`` is ``torch`` or ``microtorch``) from the same NumPy inputs."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from . import peers


@dataclass
class Workload:
    name: str
    build: Callable  # (lib, device, quick) -> step function
    unit: str = "ms"
    scale: float = 1e3  # seconds -> unit
    note: str = ""
    peers: dict = field(default_factory=dict)  # peer name -> build(quick) -> step or None (benchmarks/peers.py)


def _tensor(lib, array: np.ndarray, device: str, requires_grad: bool = False):
    t = lib.tensor(array, device=device)
    return t.requires_grad_() if requires_grad else t


CHAIN_REPEATS = 10
#: ops one chain step records: six per repeat (mul, add, tanh, sigmoid, mul, sub) and the final sum
CHAIN_OPS = 6 * CHAIN_REPEATS + 1


def build_op_chain(lib, device, quick):
    """61 small elementwise ops (16x16 float32) forward, then backward: the per-op cost of the dispatch path."""
    rng = np.random.default_rng(0)
    x = _tensor(lib, rng.standard_normal((16, 16)).astype(np.float32), device, requires_grad=True)

    def step():
        y = x
        for i in range(CHAIN_REPEATS):
            y = (y * 0.9 + 0.1).tanh() * y.sigmoid() - 0.05
        y.sum().backward()
        x.grad = None

    return step


def build_large_elementwise(lib, device, quick):
    """Elementwise forward + backward on 1M-element float32 tensors."""
    n = 1 << 18 if quick else 1 << 20
    rng = np.random.default_rng(1)
    a = _tensor(lib, rng.standard_normal(n).astype(np.float32), device, requires_grad=True)
    b = _tensor(lib, rng.standard_normal(n).astype(np.float32), device, requires_grad=True)

    def step():
        y = ((a * b + a).tanh() * b.exp()).relu()
        y.sum().backward()
        a.grad = b.grad = None

    return step


def build_matmul(lib, device, quick):
    """(512x512) @ (512x512) forward + backward."""
    n = 256 if quick else 512
    rng = np.random.default_rng(2)
    a = _tensor(lib, rng.standard_normal((n, n)).astype(np.float32), device, requires_grad=True)
    b = _tensor(lib, rng.standard_normal((n, n)).astype(np.float32), device, requires_grad=True)

    def step():
        (a @ b).sum().backward()
        a.grad = b.grad = None

    return step


def _copy_weights(lib, model, seed: int) -> None:
    """Both libraries start from the same weights: deterministic NumPy draws, in parameter order."""
    rng = np.random.default_rng(seed)
    with lib.no_grad():
        for p in model.parameters():
            scale = 1.0 / np.sqrt(max(1, int(np.prod(p.shape[1:])) if p.ndim > 1 else p.shape[0]))
            values = (rng.standard_normal(tuple(p.shape)) * scale).astype(np.float32)
            p.copy_(lib.tensor(values, device=p.device))


def _classification_batch(lib, device, batch: int, shape: tuple, classes: int, seed: int):
    rng = np.random.default_rng(seed)
    x = _tensor(lib, rng.standard_normal((batch,) + shape).astype(np.float32), device)
    y = _tensor(lib, rng.integers(0, classes, batch).astype(np.int64), device)
    return x, y


def _training_step(lib, model, optimizer, x, y):
    def step():
        optimizer.zero_grad()
        loss = lib.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()

    return step


def mlp_workload(sizes: tuple, batch: int) -> Callable:
    """An MLP training step (cross-entropy, Adam) with the given layer sizes."""

    def build(lib, device, quick):
        nn = lib.nn
        layers = []
        for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
            layers.append(nn.Linear(a, b))
            if i < len(sizes) - 2:
                layers.append(nn.ReLU())
        model = nn.Sequential(*layers).to(device)
        _copy_weights(lib, model, 3)
        x, y = _classification_batch(lib, device, batch, (sizes[0],), sizes[-1], 4)
        return _training_step(lib, model, lib.optim.Adam(model.parameters(), lr=1e-3), x, y)

    return build


def lenet5(nn):
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10),
    )


def lenet_workload(batch: int) -> Callable:
    """A LeNet-5 training step on 1x28x28 images (cross-entropy, SGD with momentum)."""

    def build(lib, device, quick):
        model = lenet5(lib.nn).to(device)
        _copy_weights(lib, model, 5)
        x, y = _classification_batch(lib, device, batch, (1, 28, 28), 10, 6)
        return _training_step(lib, model, lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9), x, y)

    return build


def resnet_block(lib, channels: int):
    """A ResNet basic block (3x3 conv, BatchNorm2d, ReLU, 3x3 conv, BatchNorm2d, the residual, ReLU) and a
    global-average-pool classifier head."""
    nn = lib.nn

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
            self.bn1 = nn.BatchNorm2d(channels)
            self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
            self.bn2 = nn.BatchNorm2d(channels)
            self.head = nn.Linear(channels, 10)

        def forward(self, x):
            y = self.bn2(self.conv2(self.bn1(self.conv1(x)).relu()))
            return self.head((y + x).relu().mean((2, 3)))

    return Block()


def build_resnet_block(lib, device, quick):
    """A training step (cross-entropy, SGD with momentum) of a ResNet basic block, 64 channels, 32x32, batch 32."""
    model = resnet_block(lib, 64).to(device)
    _copy_weights(lib, model, 8)
    x, y = _classification_batch(lib, device, 4 if quick else 32, (64, 32, 32), 10, 9)
    return _training_step(lib, model, lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9), x, y)


def transformer_block(lib, d_model: int, heads: int):
    """A pre-norm transformer encoder block written with the shared API (attention by matmul + softmax)."""
    nn = lib.nn
    F = nn.functional

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.norm1, self.norm2 = nn.LayerNorm(d_model), nn.LayerNorm(d_model)
            self.qkv, self.proj = nn.Linear(d_model, 3 * d_model), nn.Linear(d_model, d_model)
            self.mlp = nn.Sequential(nn.Linear(d_model, 4 * d_model), nn.GELU(), nn.Linear(4 * d_model, d_model))

        def forward(self, x):
            b, t, d = x.shape
            q, k, v = self.qkv(self.norm1(x)).reshape(b, t, 3, heads, d // heads).permute(2, 0, 3, 1, 4).unbind(0)
            attention = F.softmax(q @ k.transpose(-2, -1) * (d // heads) ** -0.5, dim=-1)
            x = x + self.proj((attention @ v).transpose(1, 2).reshape(b, t, d))
            return x + self.mlp(self.norm2(x))

    return Block()


def build_transformer(lib, device, quick):
    """One training step of a transformer block (batch 8, 64 tokens, width 128, 4 heads; Adam)."""
    batch, tokens, width = (2, 16, 64) if quick else (8, 64, 128)
    model = transformer_block(lib, width, 4).to(device)
    _copy_weights(lib, model, 7)
    rng = np.random.default_rng(8)
    x = _tensor(lib, rng.standard_normal((batch, tokens, width)).astype(np.float32), device)
    optimizer = lib.optim.Adam(model.parameters(), lr=1e-3)

    def step():
        optimizer.zero_grad()
        model(x).pow(2).mean().backward()
        optimizer.step()

    return step



def gpt(lib, vocab: int, context: int, width: int, heads: int, layers: int):
    """A GPT (minGPT's shape) written with plain ops: token and position embeddings, pre-norm blocks with causal
    attention by matmul + masked softmax, a GELU MLP, a final LayerNorm and an untied head."""
    nn = lib.nn
    F = nn.functional

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.ln1, self.ln2 = nn.LayerNorm(width), nn.LayerNorm(width)
            self.attn, self.proj = nn.Linear(width, 3 * width), nn.Linear(width, width)
            self.fc, self.out = nn.Linear(width, 4 * width), nn.Linear(4 * width, width)

        def forward(self, x, mask):
            b, t, c = x.shape
            q, k, v = self.attn(self.ln1(x)).reshape(b, t, 3, heads, c // heads).permute(2, 0, 3, 1, 4).unbind(0)
            scores = (q @ k.transpose(-2, -1)) * (c // heads) ** -0.5
            att = F.softmax(scores.masked_fill(mask[:t, :t], float("-inf")), dim=-1)
            x = x + self.proj((att @ v).transpose(1, 2).reshape(b, t, c))
            return x + self.out(F.gelu(self.fc(self.ln2(x))))

    class GPT(nn.Module):
        def __init__(self):
            super().__init__()
            self.tok, self.pos = nn.Embedding(vocab, width), nn.Embedding(context, width)
            self.blocks = nn.ModuleList([Block() for _ in range(layers)])
            self.ln, self.head = nn.LayerNorm(width), nn.Linear(width, vocab, bias=False)

        def forward(self, idx, mask):
            t = idx.shape[1]
            x = self.tok(idx) + self.pos(lib.arange(t, device=idx.device))
            for block in self.blocks:
                x = block(x, mask)
            return self.head(self.ln(x))

    return GPT()


def build_gpt_training(lib, device, quick):
    """Issue 14's row: one AdamW step of a 2-layer GPT (width 128, 4 heads, 64 tokens, batch 16, vocabulary 65)
    with plain ops (causal mask by masked_fill), next-token cross-entropy."""
    vocab, width, tokens, batch = (65, 32, 16, 2) if quick else (65, 128, 64, 16)
    model = gpt(lib, vocab, tokens, width, 4, 2).to(device)
    _copy_weights(lib, model, 14)
    rng = np.random.default_rng(15)
    data = _tensor(lib, rng.integers(0, vocab, (batch, tokens + 1)).astype(np.int64), device)
    idx, targets = data[:, :-1], data[:, 1:].reshape(-1)
    mask = _tensor(lib, np.triu(np.ones((tokens, tokens), dtype=bool), 1), device)
    optimizer = lib.optim.AdamW(model.parameters(), lr=1e-3)

    def step():
        optimizer.zero_grad()
        logits = model(idx, mask)
        lib.nn.functional.cross_entropy(logits.reshape(-1, vocab), targets).backward()
        optimizer.step()

    return step


def build_lstm_lm(lib, device, quick):
    """One step of word_language_model's LSTM (2 layers, 200 wide, bptt 35, batch 20; SGD, clipping)."""
    vocab, width, steps, batch = (50, 32, 8, 4) if quick else (1000, 200, 35, 20)
    nn = lib.nn
    model = nn.ModuleDict({"encoder": nn.Embedding(vocab, width), "rnn": nn.LSTM(width, width, 2),
                           "decoder": nn.Linear(width, vocab)}).to(device)
    _copy_weights(lib, model, 9)
    rng = np.random.default_rng(10)
    tokens = _tensor(lib, rng.integers(0, vocab, (steps + 1, batch)).astype(np.int64), device)
    optimizer = lib.optim.SGD(model.parameters(), lr=0.1)

    def step():
        optimizer.zero_grad()
        output, _ = model["rnn"](model["encoder"](tokens[:-1]))
        loss = nn.functional.cross_entropy(model["decoder"](output).reshape(-1, vocab), tokens[1:].reshape(-1))
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 0.25)
        optimizer.step()

    return step


def build_transformer_encoder(lib, device, quick):
    """One step of nn.TransformerEncoder (2 post-norm layers, width 128, 4 heads, ff 512, batch 8 x 64 tokens,
    a key-padding mask; Adam)."""
    batch, tokens, width = (2, 16, 32) if quick else (8, 64, 128)
    nn = lib.nn
    layer = nn.TransformerEncoderLayer(width, 4, 4 * width, dropout=0.0, batch_first=True)
    model = nn.TransformerEncoder(layer, 2, enable_nested_tensor=False).to(device)
    _copy_weights(lib, model, 11)
    rng = np.random.default_rng(12)
    x = _tensor(lib, rng.standard_normal((batch, tokens, width)).astype(np.float32), device)
    padding = np.zeros((batch, tokens), dtype=bool)
    padding[:, tokens * 3 // 4:] = True
    mask = _tensor(lib, padding, device)
    optimizer = lib.optim.Adam(model.parameters(), lr=1e-3)

    def step():
        optimizer.zero_grad()
        model(x, src_key_padding_mask=mask).pow(2).mean().backward()
        optimizer.step()

    return step


def build_generation(lib, device, quick):
    """minGPT-sized greedy generation: gpt-nano (3 layers, 3 heads, width 48, vocabulary 65, context 128) decodes
    100 tokens one at a time from a 1-token prompt, the whole context through the model each step, without
    gradients (many tiny ops: minGPT's ``generate``)."""
    vocab, width, heads, layers, context = 65, 48, 3, 3, 128
    new_tokens = 10 if quick else 100
    model = gpt(lib, vocab, context, width, heads, layers).to(device).eval()
    _copy_weights(lib, model, 13)
    mask = _tensor(lib, np.triu(np.ones((context, context), dtype=bool), 1), device)
    prompt = _tensor(lib, np.zeros((1, 1), dtype=np.int64), device)

    def step():
        idx = prompt
        with lib.no_grad():
            for _ in range(new_tokens):
                logits = model(idx[:, -context:], mask)
                idx = lib.cat([idx, logits[:, -1, :].argmax(dim=-1, keepdim=True)], dim=1)
        return idx

    return step


WORKLOADS = [
    Workload("per-op overhead (61 small ops, fwd+bwd)", build_op_chain, unit="us/op", scale=1e6 / CHAIN_OPS),
    Workload("large elementwise (1M, fwd+bwd)", build_large_elementwise, peers={"autograd": peers.large_elementwise}),
    Workload("matmul 512 (fwd+bwd)", build_matmul),
    Workload("MLP 64-128-128-10, batch 64 (Adam step)", mlp_workload((64, 128, 128, 10), 64),
             peers={"autograd": peers.mlp((64, 128, 128, 10), 64)}),
    Workload("MLP 784-512-512-10, batch 128 (Adam step)", mlp_workload((784, 512, 512, 10), 128),
             peers={"autograd": peers.mlp((784, 512, 512, 10), 128)}),
    Workload("MLP 784-1024-1024-10, batch 512 (Adam step)", mlp_workload((784, 1024, 1024, 10), 512),
             peers={"autograd": peers.mlp((784, 1024, 1024, 10), 512)}),
    Workload("LeNet-5, batch 64 (SGD momentum step)", lenet_workload(64)),
    Workload("LeNet-5, batch 256 (SGD momentum step)", lenet_workload(256)),
    Workload("LeNet-5, batch 512 (SGD momentum step)", lenet_workload(512)),
    Workload("transformer block 8x64x128 (Adam step)", build_transformer),
    Workload("LSTM language model 2x200, 35x20 (SGD step)", build_lstm_lm),
    Workload("nn.TransformerEncoder 2 layers 8x64x128 (Adam step)", build_transformer_encoder),
    Workload("minGPT generation, gpt-nano, 100 tokens greedy (no grad)", build_generation),
    Workload("ResNet basic block 64ch 32x32, batch 32 (SGD momentum step)", build_resnet_block),
    Workload("2-layer GPT (C=128, T=64, b16), AdamW step", build_gpt_training),
]
