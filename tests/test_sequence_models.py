"""Two small sequence models, written once against the shared API in the style of PyTorch's official examples
(word_language_model's RNNModel; an encoder classifier with the tutorial's PositionalEncoding), train with
torch and with microtorch from the same weights on the same data: the loss curves must agree step by step."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import microtorch
from test_rnn import copy_state

TEXT = (
    "It was the best of times, it was the worst of times, it was the age of wisdom, it was the age of "
    "foolishness, it was the epoch of belief, it was the epoch of incredulity, it was the season of light, "
    "it was the season of darkness, it was the spring of hope, it was the winter of despair."
)


def char_lm(lib, ntoken: int, ninp: int, nhid: int, nlayers: int):
    """word_language_model's RNNModel (LSTM flavour) at character level: embed, LSTM, decode to log-probs."""
    nn, F = lib.nn, lib.nn.functional

    class RNNModel(nn.Module):
        def __init__(self):
            super().__init__()
            self.drop = nn.Dropout(0.0)  # dropout off: the two libraries' random streams differ
            self.encoder = nn.Embedding(ntoken, ninp)
            self.rnn = nn.LSTM(ninp, nhid, nlayers)
            self.decoder = nn.Linear(nhid, ntoken)
            self.nhid, self.nlayers = nhid, nlayers
            initrange = 0.1
            nn.init.uniform_(self.encoder.weight, -initrange, initrange)
            nn.init.zeros_(self.decoder.bias)
            nn.init.uniform_(self.decoder.weight, -initrange, initrange)

        def forward(self, input, hidden):
            emb = self.drop(self.encoder(input))
            output, hidden = self.rnn(emb, hidden)
            decoded = self.decoder(self.drop(output)).view(-1, ntoken)
            return F.log_softmax(decoded, dim=1), hidden

        def init_hidden(self, bsz):
            weight = next(iter(self.parameters()))
            return (weight.new_zeros((self.nlayers, bsz, self.nhid)), weight.new_zeros((self.nlayers, bsz, self.nhid)))

    return RNNModel()


def train_char_lm(lib, model, data: np.ndarray, epochs: int, bptt: int = 12, lr: float = 2.0) -> list:
    """The example's loop: truncated BPTT over columns of the batchified text, the hidden state detached
    between chunks, gradients clipped to 0.25, plain SGD on p.data. Returns every step's loss."""
    source = lib.tensor(data)
    hidden, losses = model.init_hidden(data.shape[1]), []
    for _ in range(epochs):
        for i in range(0, data.shape[0] - 1, bptt):
            seq_len = min(bptt, data.shape[0] - 1 - i)
            inputs, targets = source[i:i + seq_len], source[i + 1:i + 1 + seq_len].reshape(-1)
            hidden = tuple(h.detach() for h in hidden)  # repackage_hidden
            model.zero_grad()
            output, hidden = model(inputs, hidden)
            loss = lib.nn.functional.nll_loss(output, targets)
            loss.backward()
            lib.nn.utils.clip_grad_norm_(model.parameters(), 0.25)
            for p in model.parameters():
                p.data.add_(p.grad, alpha=-lr)
            losses.append(loss.item())
    return losses


def test_char_lstm_language_model_trains_as_torch():
    vocab = sorted(set(TEXT))
    ids = np.array([vocab.index(c) for c in TEXT], dtype=np.int64)
    bsz = 6
    data = ids[: len(ids) // bsz * bsz].reshape(bsz, -1).T.copy()  # batchify: (steps, bsz)
    torch.manual_seed(0)
    t_model = char_lm(torch, len(vocab), 12, 24, 2)
    m_model = char_lm(microtorch, len(vocab), 12, 24, 2)
    copy_state(m_model, t_model)
    t_losses = train_char_lm(torch, t_model, data, epochs=5)
    m_losses = train_char_lm(microtorch, m_model, data, epochs=5)
    np.testing.assert_allclose(m_losses, t_losses, rtol=2e-4)
    assert t_losses[-1] < 0.85 * t_losses[0]  # it learns (to about the text's character frequencies)


def transformer_classifier(lib, ntoken: int, d_model: int, nhead: int, nlayers: int, nclass: int, max_len: int):
    """Token embedding scaled by sqrt(d_model), the tutorial's sinusoidal PositionalEncoding, a
    TransformerEncoder over (batch, seq), mean over the unpadded positions, a linear classifier."""
    nn = lib.nn

    class PositionalEncoding(nn.Module):
        def __init__(self):
            super().__init__()
            position = lib.arange(max_len).unsqueeze(1)
            div_term = lib.exp(lib.arange(0, d_model, 2) * (-math.log(10000.0) / d_model))
            pe = lib.zeros(max_len, d_model)
            pe[:, 0::2] = lib.sin(position * div_term)
            pe[:, 1::2] = lib.cos(position * div_term)
            self.register_buffer("pe", pe.unsqueeze(0))

        def forward(self, x):
            return x + self.pe[:, : x.size(1)]

    class Classifier(nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = nn.Embedding(ntoken, d_model)
            self.pos_encoder = PositionalEncoding()
            layer = nn.TransformerEncoderLayer(d_model, nhead, 2 * d_model, dropout=0.0, batch_first=True)
            self.encoder = nn.TransformerEncoder(layer, nlayers, enable_nested_tensor=False)
            self.classifier = nn.Linear(d_model, nclass)

        def forward(self, tokens, padding_mask):
            x = self.pos_encoder(self.embedding(tokens) * math.sqrt(d_model))
            x = self.encoder(x, src_key_padding_mask=padding_mask)
            keep = padding_mask.logical_not().unsqueeze(-1).to(x.dtype)
            return self.classifier((x * keep).sum(1) / keep.sum(1))

    return Classifier()


def _classification_data(rng, batches: int, batch: int, max_len: int):
    """Sequences of tokens 1..5 (0 pads), labelled by whether token 1 occurs more often than token 2."""
    out = []
    for _ in range(batches):
        lengths = rng.integers(3, max_len + 1, batch)
        tokens = np.zeros((batch, max_len), dtype=np.int64)
        for b, n in enumerate(lengths):
            tokens[b, :n] = rng.integers(1, 6, n)
        labels = ((tokens == 1).sum(1) > (tokens == 2).sum(1)).astype(np.int64)
        out.append((tokens, tokens == 0, labels))
    return out


def train_classifier(lib, model, data: list, epochs: int) -> list:
    optimizer = lib.optim.Adam(model.parameters(), lr=3e-3)
    losses = []
    for _ in range(epochs):
        for tokens, padding, labels in data:
            optimizer.zero_grad()
            loss = lib.nn.functional.cross_entropy(model(lib.tensor(tokens), lib.tensor(padding)), lib.tensor(labels))
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    return losses


def test_transformer_encoder_classifier_trains_as_torch():
    data = _classification_data(np.random.default_rng(0), batches=4, batch=16, max_len=8)
    torch.manual_seed(0)
    t_model = transformer_classifier(torch, 6, 16, 2, 2, 2, 8)
    m_model = transformer_classifier(microtorch, 6, 16, 2, 2, 2, 8)
    copy_state(m_model, t_model)
    t_losses = train_classifier(torch, t_model, data, epochs=6)
    m_losses = train_classifier(microtorch, m_model, data, epochs=6)
    np.testing.assert_allclose(m_losses, t_losses, rtol=1e-3, atol=1e-5)
    assert np.mean(t_losses[-4:]) < 0.85 * np.mean(t_losses[:4])  # it learns


@pytest.mark.parametrize("batch_first", [False, True])
def test_packed_gru_classifier_step_matches_torch(batch_first):
    """The other common recipe: embed padded token ids, pack by length (unsorted), run a bidirectional GRU,
    classify from the last hidden states; one SGD step in each library."""
    rng = np.random.default_rng(5)
    lengths = [4, 2, 5, 3]
    tokens = rng.integers(1, 7, (len(lengths), 5)) if batch_first else rng.integers(1, 7, (5, len(lengths)))
    labels = np.array([0, 1, 1, 0])
    losses = {}
    torch.manual_seed(0)
    modules = {lib: lib.nn.ModuleDict({"emb": lib.nn.Embedding(7, 4), "gru": lib.nn.GRU(4, 5, bidirectional=True,
                                                                                       batch_first=batch_first),
                                       "out": lib.nn.Linear(10, 2)}) for lib in (torch, microtorch)}
    copy_state(modules[microtorch], modules[torch])
    for lib, mods in modules.items():
        packed = lib.nn.utils.rnn.pack_padded_sequence(mods["emb"](lib.tensor(tokens)), lengths,
                                                       batch_first=batch_first, enforce_sorted=False)
        _, h = mods["gru"](packed)
        loss = lib.nn.functional.cross_entropy(mods["out"](lib.cat([h[0], h[1]], 1)), lib.tensor(labels))
        loss.backward()
        losses[lib] = (loss.item(), [p.grad.numpy().copy() for p in mods.parameters()])
    np.testing.assert_allclose(losses[microtorch][0], losses[torch][0], rtol=1e-5)
    for m, t in zip(losses[microtorch][1], losses[torch][1]):
        np.testing.assert_allclose(m, t, rtol=1e-4, atol=1e-6)
