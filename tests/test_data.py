"""microtorch.utils.data against torch.utils.data: batches, collation, shuffling, samplers, datasets, splits and
errors (the worker processes are in test_data_workers.py)."""
from __future__ import annotations

import collections
import itertools

import numpy as np
import pytest
import torch

import microtorch as mt
from microtorch.utils.data import (
    BatchSampler, ConcatDataset, DataLoader, Dataset, IterableDataset, RandomSampler, SequentialSampler, Subset,
    TensorDataset, default_collate, random_split,
)


def _tensors(lib, n: int = 10):
    x = lib.tensor(np.arange(n * 3, dtype=np.float32).reshape(n, 3))
    y = lib.tensor(np.arange(n) % 3)
    return x, y


def _as_numpy(batch):
    if isinstance(batch, (list, tuple)):
        return [_as_numpy(b) for b in batch]
    if isinstance(batch, dict):
        return {k: _as_numpy(v) for k, v in batch.items()}
    return batch.numpy() if hasattr(batch, "numpy") else batch


def _assert_batches_equal(ours, theirs):
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        assert type(a) is type(b) or isinstance(a, mt.Tensor)
        if isinstance(a, (list, tuple)):
            _assert_batches_equal(a, b)
        elif isinstance(a, dict):
            assert a.keys() == b.keys()
            _assert_batches_equal(list(a.values()), list(b.values()))
        elif isinstance(a, mt.Tensor):
            assert a.dtype.name == str(b.dtype).removeprefix("torch.") and tuple(a.shape) == tuple(b.shape)
            np.testing.assert_array_equal(a.numpy(), b.numpy())
        else:
            assert a == b


@pytest.mark.parametrize("batch_size,drop_last", [(1, False), (3, False), (3, True), (4, True), (10, False), (12, False)])
def test_tensor_dataset_batches_match_torch(batch_size, drop_last):
    ours = list(DataLoader(TensorDataset(*_tensors(mt)), batch_size=batch_size, drop_last=drop_last))
    theirs = list(torch.utils.data.DataLoader(torch.utils.data.TensorDataset(*_tensors(torch)),
                                              batch_size=batch_size, drop_last=drop_last))
    assert len(ours) == len(theirs)
    assert len(DataLoader(TensorDataset(*_tensors(mt)), batch_size=batch_size, drop_last=drop_last)) == len(theirs)
    _assert_batches_equal(ours, theirs)


class Samples(Dataset):
    """Samples of every kind default_collate handles."""

    def __init__(self, lib, kind: str, n: int = 7) -> None:
        self.lib, self.kind, self.n = lib, kind, n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int):
        lib = self.lib
        x = lib.tensor([float(i), 2.0 * i], dtype=lib.float32)
        return {
            "tensor": x,
            "tuple": (x, i),
            "list": [x, float(i), "s%d" % i],
            "dict": {"x": x, "label": i, "name": f"n{i}", "weight": 0.5 * i, "flag": i % 2 == 0},
            "nested": {"pair": (x, lib.tensor(i)), "meta": {"id": i}},
            "namedtuple": Pair(x, i),
            "numbers": i,
            "floats": 0.25 * i,
            "bools": i % 3 == 0,
            "numpy": np.full((2, 2), i, dtype=np.int32),
            "numpy-scalar": np.float64(i) / 3,
            "ordered": collections.OrderedDict(a=i, b=x),
        }[self.kind]


Pair = collections.namedtuple("Pair", "x y")


@pytest.mark.parametrize("kind", ["tensor", "tuple", "list", "dict", "nested", "namedtuple", "numbers", "floats",
                                  "bools", "numpy", "numpy-scalar", "ordered"])
def test_default_collate_matches_torch(kind):
    ours = list(DataLoader(Samples(mt, kind), batch_size=3))
    theirs = list(torch.utils.data.DataLoader(Samples(torch, kind), batch_size=3))
    for a, b in zip(ours, theirs):
        assert type(a).__name__ == type(b).__name__
        if kind == "namedtuple":
            a, b = list(a), list(b)
        _assert_batches_equal([a], [b])


def test_collate_fn_and_batch_size_none_match_torch():
    def collate(samples):
        return [len(samples), sum(int(s[1]) for s in samples)]

    ours = list(DataLoader(TensorDataset(*_tensors(mt)), batch_size=4, collate_fn=collate))
    theirs = list(torch.utils.data.DataLoader(torch.utils.data.TensorDataset(*_tensors(torch)), batch_size=4,
                                              collate_fn=collate))
    assert ours == theirs
    ours = list(DataLoader(Samples(mt, "tuple"), batch_size=None))
    theirs = list(torch.utils.data.DataLoader(Samples(torch, "tuple"), batch_size=None))
    _assert_batches_equal(ours, theirs)


def test_collate_errors_match_torch():
    for bad in ([None, None], [object()]):
        with pytest.raises(TypeError) as theirs:
            torch.utils.data.default_collate(bad)
        with pytest.raises(TypeError) as ours:
            default_collate(bad)
        assert str(ours.value).split("found")[0] == str(theirs.value).split("found")[0]
    with pytest.raises(RuntimeError, match="each element in list of batch should be of equal size"):
        default_collate([[1, 2], [3]])
    with pytest.raises(RuntimeError, match=r"stack expects each tensor to be equal size, but got \[2\] at entry 0"):
        default_collate([mt.zeros(2), mt.zeros(3)])


def test_collate_keeps_the_graph_of_tensors_that_require_grad():
    w = mt.ones(3, requires_grad=True)
    batch = default_collate([w * 2, w * 3])
    batch.sum().backward()
    assert w.grad.tolist() == [5.0, 5.0, 5.0]


def test_shuffle_is_reproducible_with_a_seeded_generator():
    ds = TensorDataset(*_tensors(mt, 50))

    def order(seed, epochs=2):
        loader = DataLoader(ds, batch_size=8, shuffle=True, generator=mt.Generator().manual_seed(seed))
        return [[int(v) for b in loader for v in b[0][:, 0].tolist()] for _ in range(epochs)]

    first, again, other = order(0), order(0), order(1)
    assert first == again
    assert first != other
    assert first[0] != first[1]  # a new order every epoch
    for epoch in first + other:
        assert sorted(epoch) == [3 * i for i in range(50)]  # every sample exactly once
    mt.manual_seed(3)
    a = [b[1].tolist() for b in DataLoader(ds, batch_size=8, shuffle=True)]
    mt.manual_seed(3)
    assert a == [b[1].tolist() for b in DataLoader(ds, batch_size=8, shuffle=True)]


def test_shuffled_tensor_dataset_batches_are_the_samples_at_the_drawn_indices():
    x, y = _tensors(mt, 20)
    # the loader first draws its workers' base seed from the generator, then the permutation, as torch's does
    g = mt.Generator().manual_seed(5)
    mt.randint(0, 2 ** 63 - 1, (), generator=g)
    orders = list(BatchSampler(RandomSampler(range(20), generator=g), 6, drop_last=False))
    tg = torch.Generator().manual_seed(5)
    torch.empty((), dtype=torch.int64).random_(generator=tg)
    torch_orders = list(BatchSampler(torch.utils.data.RandomSampler(range(20), generator=tg), 6, drop_last=False))
    torch_loader = torch.utils.data.DataLoader(range(20), batch_size=6, shuffle=True,
                                               generator=torch.Generator().manual_seed(5))
    assert [b.tolist() for b in torch_loader] == torch_orders
    loader = DataLoader(TensorDataset(x, y), batch_size=6, shuffle=True, generator=mt.Generator().manual_seed(5))
    for indices, (bx, by) in zip(orders, loader):
        np.testing.assert_array_equal(bx.numpy(), x.numpy()[indices])
        np.testing.assert_array_equal(by.numpy(), y.numpy()[indices])


def test_subset_of_tensor_dataset_and_concat():
    x, y = _tensors(mt, 12)
    sub = Subset(TensorDataset(x, y), [11, 0, 5, 5, 2])
    batches = list(DataLoader(sub, batch_size=2))
    np.testing.assert_array_equal(np.concatenate([b[1].numpy() for b in batches]), y.numpy()[[11, 0, 5, 5, 2]])
    cat = TensorDataset(x[:4], y[:4]) + TensorDataset(x[4:], y[4:])
    assert isinstance(cat, ConcatDataset) and len(cat) == 12
    np.testing.assert_array_equal(cat[5][0].numpy(), x[5].numpy())
    np.testing.assert_array_equal(cat[-1][0].numpy(), x[11].numpy())


def test_random_split_sizes_and_disjointness():
    ds = TensorDataset(*_tensors(mt, 10))
    parts = random_split(ds, [3, 7], generator=mt.Generator().manual_seed(0))
    assert [len(p) for p in parts] == [3, 7]
    assert sorted(parts[0].indices + parts[1].indices) == list(range(10))
    again = random_split(ds, [3, 7], generator=mt.Generator().manual_seed(0))
    assert [p.indices for p in again] == [p.indices for p in parts]
    # fractions: floor, then the remainder round-robin (torch's sizes)
    for fractions in ([0.3, 0.3, 0.4], [0.5, 0.5], [0.33, 0.33, 0.34], [0.1, 0.9], [1.0]):
        ours = [len(p) for p in random_split(range(31), fractions)]
        theirs = [len(p) for p in torch.utils.data.random_split(range(31), fractions)]
        assert ours == theirs
    parts = random_split(range(31), [0.3, 0.3, 0.4], generator=mt.Generator().manual_seed(1))
    assert sorted(i for p in parts for i in p.indices) == list(range(31))
    with pytest.raises(ValueError, match="Sum of input lengths does not equal the length of the input dataset!"):
        random_split(ds, [3, 6])
    with pytest.raises(ValueError, match="Fraction at index 1 is not between 0 and 1"):
        random_split(ds, [0.6, -0.1, 0.5])


def _stream(base):
    class Stream(base):
        def __init__(self, n):
            self.n = n

        def __iter__(self):
            return iter({"v": float(i), "i": i} for i in range(self.n))

        def __len__(self):
            return self.n

    return Stream


Stream, TorchStream = _stream(IterableDataset), _stream(torch.utils.data.IterableDataset)


@pytest.mark.parametrize("batch_size,drop_last", [(3, False), (3, True), (None, False)])
def test_iterable_dataset_matches_torch(batch_size, drop_last):
    ours = DataLoader(Stream(8), batch_size=batch_size, drop_last=drop_last)
    theirs = torch.utils.data.DataLoader(TorchStream(8), batch_size=batch_size, drop_last=drop_last)
    assert len(ours) == len(theirs)
    _assert_batches_equal(list(ours), list(theirs))


BAD = [
    dict(batch_size=0),
    dict(batch_size=-2),
    dict(batch_size=2.5),
    dict(drop_last="yes"),
    dict(num_workers=-1),
    dict(timeout=-1),
    dict(shuffle=True, sampler=[0, 1]),
    dict(batch_sampler=[[0, 1]], batch_size=2),
    dict(batch_sampler=[[0, 1]], drop_last=True),
    dict(batch_size=None, drop_last=True),
    dict(persistent_workers=True),
]


@pytest.mark.parametrize("kwargs", BAD, ids=[str(k) for k in BAD])
def test_bad_loader_arguments_raise_torchs_error(kwargs):
    with pytest.raises(ValueError) as theirs:
        torch.utils.data.DataLoader(torch.utils.data.TensorDataset(*_tensors(torch)), **kwargs)
    with pytest.raises(ValueError) as ours:
        DataLoader(TensorDataset(*_tensors(mt)), **kwargs)
    assert str(ours.value) == str(theirs.value)


def test_bad_dataset_arguments():
    with pytest.raises(ValueError, match="Size mismatch between tensors"):
        TensorDataset(mt.zeros(3, 2), mt.zeros(4))
    with pytest.raises(ValueError, match="expected unspecified shuffle option"):
        DataLoader(Stream(3), shuffle=True)
    with pytest.raises(ValueError, match="num_samples should be a positive integer value"):
        RandomSampler(range(5), num_samples=0)


def test_device_argument_moves_every_batch(monkeypatch):
    moved = []
    original = mt.Tensor.to

    def spy(self, *args, **kwargs):
        moved.append(args)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(mt.Tensor, "to", spy)
    batches = list(DataLoader(Samples(mt, "nested"), batch_size=4, device="cpu"))
    assert len(moved) == 2 * 3  # two batches, three tensors each
    assert all(args == (mt.device("cpu"),) for args in moved)
    assert batches[0]["pair"][0].device == mt.device("cpu") and batches[0]["meta"]["id"].tolist() == [0, 1, 2, 3]


def test_random_sampler_with_replacement_and_num_samples():
    sampler = RandomSampler(range(5), replacement=True, num_samples=12, generator=mt.Generator().manual_seed(0))
    drawn = list(sampler)
    assert len(drawn) == len(sampler) == 12 and all(0 <= i < 5 for i in drawn)
    sampler = RandomSampler(range(5), num_samples=12, generator=mt.Generator().manual_seed(0))
    drawn = list(sampler)
    assert len(drawn) == 12 and sorted(drawn[:10]) == sorted(list(range(5)) * 2)


def test_tensor_dataset_batches_index_each_tensor_once(monkeypatch):
    def per_sample(self, index):
        raise AssertionError("the default loader must not fetch TensorDataset samples one by one")

    monkeypatch.setattr(TensorDataset, "__getitem__", per_sample)
    x, y = _tensors(mt, 9)
    batches = list(DataLoader(Subset(TensorDataset(x, y), list(range(9))), batch_size=4, shuffle=True))
    assert [len(b[0]) for b in batches] == [4, 4, 1]


# ---- samplers -------------------------------------------------------------------------------------------
def test_random_sampler_with_replacement_is_lazy_and_draws_in_chunks_of_32(monkeypatch):
    import microtorch.utils.data.sampler as sampler_module

    sizes = []
    original = sampler_module.randint

    def spy(*args, **kwargs):
        sizes.append(args[2])
        return original(*args, **kwargs)

    monkeypatch.setattr(sampler_module, "randint", spy)
    for lib in (mt, torch):
        sampler = lib.utils.data.RandomSampler(range(7), replacement=True, num_samples=10 ** 10)
        assert len(sampler) == 10 ** 10
        drawn = list(itertools.islice(iter(sampler), 100))
        assert len(drawn) == 100 and all(0 <= i < 7 for i in drawn)
    assert sizes == [()] + [(32,)] * 4  # the generator's seed, then 4 chunks for 100 indices, as torch draws


def test_random_sampler_orders_are_the_generators_draws_as_in_torch():
    for lib in (mt, torch):
        def gen(seed):
            return lib.Generator().manual_seed(seed)

        data = lib.utils.data
        assert list(data.RandomSampler(range(9), generator=gen(3))) == lib.randperm(9, generator=gen(3)).tolist()
        drawn = list(data.RandomSampler(range(9), replacement=True, num_samples=40, generator=gen(4)))
        g = gen(4)
        assert drawn == lib.randint(0, 9, (32,), generator=g).tolist() + lib.randint(0, 9, (8,), generator=g).tolist()
        # without a generator: a fresh one, seeded by one int64 draw from the default generator
        lib.manual_seed(5)
        unseeded = list(data.RandomSampler(range(9)))
        lib.manual_seed(5)
        seed = (mt.randint(0, 2 ** 63 - 1, ()) if lib is mt else torch.empty((), dtype=torch.int64).random_()).item()
        assert unseeded == lib.randperm(9, generator=gen(seed)).tolist()
        # more samples than the dataset without replacement: whole permutations, then part of one
        drawn = list(data.RandomSampler(range(5), num_samples=13, generator=gen(0)))
        assert [sorted(drawn[:5]), sorted(drawn[5:10])] == [list(range(5))] * 2 and len(set(drawn[10:])) == 3


def _chi_square(counts, probabilities):
    counts = np.asarray(counts, dtype=float)
    expected = counts.sum() * np.asarray(probabilities)
    return float(((counts - expected) ** 2 / expected).sum())


def test_random_and_weighted_samplers_frequencies_match_torchs():
    weights = [0.5, 3.0, 0.0, 1.5, 5.0]
    probabilities = np.array(weights) / sum(weights)
    for lib in (mt, torch):
        data = lib.utils.data
        uniform = np.bincount(list(data.RandomSampler(range(5), replacement=True, num_samples=20000,
                                                      generator=lib.Generator().manual_seed(1))), minlength=5)
        assert _chi_square(uniform, [0.2] * 5) < 18.5  # chi-square, 4 degrees of freedom, p = 0.001
        drawn = list(data.WeightedRandomSampler(weights, 20000, generator=lib.Generator().manual_seed(2)))
        counts = np.bincount(drawn, minlength=5)
        assert counts[2] == 0
        nonzero = [0, 1, 3, 4]
        assert _chi_square(counts[nonzero], probabilities[nonzero]) < 16.3  # 3 degrees of freedom, p = 0.001
        first = [list(data.WeightedRandomSampler(weights, 3, replacement=False,
                                                 generator=lib.Generator().manual_seed(s))) for s in range(400)]
        assert all(len(set(f)) == 3 and 2 not in f for f in first)
        leading = np.bincount([f[0] for f in first], minlength=5)
        assert _chi_square(leading[nonzero], probabilities[nonzero]) < 16.3  # the first draw follows the weights


def test_subset_random_sequential_and_batch_samplers_match_torch():
    for lib in (mt, torch):
        data = lib.utils.data
        indices = [10, 4, 7, 1, 8]
        drawn = list(data.SubsetRandomSampler(indices, generator=lib.Generator().manual_seed(6)))
        assert drawn == [indices[i] for i in lib.randperm(5, generator=lib.Generator().manual_seed(6)).tolist()]
    assert list(SequentialSampler(range(4))) == list(torch.utils.data.SequentialSampler(range(4))) == [0, 1, 2, 3]
    for drop_last in (False, True):
        ours = BatchSampler(SequentialSampler(range(10)), 3, drop_last)
        theirs = torch.utils.data.BatchSampler(torch.utils.data.SequentialSampler(range(10)), 3, drop_last)
        assert list(ours) == list(theirs) and len(ours) == len(theirs)


@pytest.mark.parametrize("make", [
    lambda data: data.WeightedRandomSampler([[1.0, 2.0]], 3),
    lambda data: data.WeightedRandomSampler([1.0, 2.0], 0),
    lambda data: data.WeightedRandomSampler([1.0, 2.0], True),
    lambda data: data.WeightedRandomSampler([1.0, 2.0], 2, replacement=1),
    lambda data: data.RandomSampler(range(3), replacement=1),
    lambda data: data.StackDataset([1], [2, 3]),
    lambda data: data.StackDataset(),
    lambda data: data.StackDataset([1], a=[2]),
    lambda data: list(data.ChainDataset([[1, 2]])),
    lambda data: list(data.WeightedRandomSampler([1.0, 2.0], 3, replacement=False)),
])
def test_bad_sampler_and_dataset_arguments_raise_torchs_error(make):
    with pytest.raises(Exception) as theirs:
        make(torch.utils.data)
    with pytest.raises(theirs.type) as ours:
        make(mt.utils.data)
    assert str(theirs.value) in str(ours.value)


# ---- datasets -------------------------------------------------------------------------------------------
def test_stack_dataset_matches_torch():
    for kwargs in (False, True):
        def stacked(lib):
            x, y = _tensors(lib, 7)
            data = lib.utils.data
            parts = (data.TensorDataset(x), data.Subset(data.TensorDataset(y), list(range(7))), list(range(7)))
            return data.StackDataset(**dict(zip("abc", parts))) if kwargs else data.StackDataset(*parts)

        ours, theirs = stacked(mt), stacked(torch)
        assert len(ours) == len(theirs) == 7
        _assert_batches_equal([ours[3]] if kwargs else list(ours[3]), [theirs[3]] if kwargs else list(theirs[3]))
        ours_batches = list(DataLoader(ours, batch_size=3))
        theirs_batches = list(torch.utils.data.DataLoader(theirs, batch_size=3))
        _assert_batches_equal(ours_batches, theirs_batches)


def test_chain_dataset_and_iterable_addition_match_torch():
    ours, theirs = Stream(3) + Stream(2), TorchStream(3) + TorchStream(2)
    assert type(ours).__name__ == type(theirs).__name__ == "ChainDataset"
    assert len(ours) == len(theirs) == 5
    _assert_batches_equal(list(DataLoader(ours, batch_size=2)), list(torch.utils.data.DataLoader(theirs, batch_size=2)))


def test_subset_getitems_and_its_subclass_check_match_torch():
    class Doubled(Dataset):
        def __len__(self):
            return 6

        def __getitem__(self, i):
            return 2 * i

        def __getitems__(self, indices):
            return [2 * i + 100 for i in indices]  # marks that the batched path ran

    for lib in (mt, torch):
        base = Doubled() if lib is mt else type("TorchDoubled", (Doubled, torch.utils.data.Dataset), {})()
        sub = lib.utils.data.Subset(base, [5, 1, 3])
        assert sub.__getitems__([0, 2]) == [110, 106] and sub[1] == 2
        assert [b.tolist() for b in lib.utils.data.DataLoader(sub, batch_size=2)] == [[110, 102], [106]]

        class Custom(lib.utils.data.Subset):
            def __getitem__(self, idx):
                return 0

        with pytest.raises(NotImplementedError, match="Custom overrides __getitem__ but not __getitems__"):
            Custom(base, [0])
