"""DataLoader worker processes against torch's: batches and their order, seeding, get_worker_info,
worker_init_fn, IterableDataset sharding, persistent workers, prefetching, timeouts, errors and cleanup.

The datasets are written once for both libraries (``lib`` is torch or microtorch) at module level, so the
``spawn`` test can pickle them. Small datasets and the platform's default start method keep this quick."""
from __future__ import annotations

import gc
import importlib
import math
import multiprocessing
import os
import pickle
import random
import time
import warnings

import numpy as np
import pytest
import torch
import torch.utils.data._utils.worker as torch_worker

import microtorch as mt
from microtorch.utils.data import DataLoader, Dataset, IterableDataset, get_worker_info
from microtorch.utils.data._utils.worker import _generate_state

pytestmark = pytest.mark.filterwarnings("ignore:This DataLoader will create:UserWarning")


def _data(lib):
    return lib.utils.data


@pytest.fixture(autouse=True)
def no_worker_outlives_its_test():
    yield
    deadline, collected = time.monotonic() + 10, False  # workers told to stop exit within a moment
    while multiprocessing.active_children() and time.monotonic() < deadline:
        if not collected:  # torch's iterators can sit in reference cycles (a collection costs ~0.5 s here)
            gc.collect()
            collected = True
        time.sleep(0.02)
    assert multiprocessing.active_children() == []


class LibByName:
    """Holds its library (torch or microtorch) by name, so the dataset pickles under any start method."""

    @property
    def lib(self):
        return importlib.import_module(self.lib_name)


class Squares(LibByName, Dataset):
    """Sample i: a float tensor, a label and a dict (collated field by field)."""

    def __init__(self, lib, n=10):
        self.lib_name, self.n = lib.__name__, n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return self.lib.tensor([float(i), float(i * i)]), i % 3, {"id": i}


class TorchSquares(Squares, torch.utils.data.Dataset):
    pass


def _squares(lib, n=10):
    return Squares(mt, n) if lib is mt else TorchSquares(torch, n)


def _plain(batch):
    if isinstance(batch, (list, tuple)):
        return [_plain(b) for b in batch]
    if isinstance(batch, dict):
        return {k: _plain(v) for k, v in batch.items()}
    return batch.tolist() if hasattr(batch, "tolist") else batch


def _load(lib, dataset, **kwargs):
    return [_plain(b) for b in _data(lib).DataLoader(dataset, **kwargs)]


@pytest.mark.parametrize("kwargs", [
    dict(num_workers=2, batch_size=3),
    dict(num_workers=3, batch_size=2, drop_last=True),
    dict(num_workers=2, batch_size=None),
    dict(num_workers=2, batch_size=4, prefetch_factor=1),
], ids=str)
def test_map_dataset_batches_come_in_order_as_torchs(kwargs):
    ours = _load(mt, _squares(mt), **kwargs)
    assert ours == _load(torch, _squares(torch), **kwargs)
    assert ours == _load(mt, _squares(mt), **{**kwargs, "num_workers": 0, "prefetch_factor": None})


def test_shuffled_order_with_workers_is_the_main_process_order_as_in_torch():
    for lib in (mt, torch):
        def epochs(workers):
            loader = _data(lib).DataLoader(_squares(lib, 12), batch_size=5, shuffle=True, num_workers=workers,
                                           generator=lib.Generator().manual_seed(3))
            return [[i for batch in loader for i in _plain(batch)[2]["id"]] for _ in range(2)]

        with_workers = epochs(2)
        assert with_workers == epochs(0)  # the sampler runs in the main process, from the same generator
        assert all(sorted(e) == list(range(12)) for e in with_workers) and with_workers[0] != with_workers[1]


class SlowFirst(Dataset):
    """Index 0 takes 0.5 s, the rest nothing: worker 0 falls behind worker 1."""

    def __len__(self):
        return 4

    def __getitem__(self, i):
        if i == 0:
            time.sleep(0.5)
        return i


class TorchSlowFirst(SlowFirst, torch.utils.data.Dataset):
    pass


def test_in_order_waits_for_the_slow_worker_and_in_order_false_does_not():
    for lib, dataset in ((mt, SlowFirst()), (torch, TorchSlowFirst())):
        assert _load(lib, dataset, num_workers=2) == [[0], [1], [2], [3]]
        unordered = _load(lib, dataset, num_workers=2, in_order=False)
        assert sorted(unordered) == [[0], [1], [2], [3]] and unordered[0] == [1]


class WorkerReport(LibByName, Dataset):
    """What a worker sees: its info and the first draws of its random streams."""

    def __init__(self, lib, n=4):
        self.lib_name, self.n = lib.__name__, n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        info = self.lib.utils.data.get_worker_info()
        return {"id": info.id, "num_workers": info.num_workers, "seed": info.seed,
                "python": random.random(),
                "lib": self.lib.rand(1).item(), "numpy": float(np.random.rand()), "pid": os.getpid(),
                "threads": self.lib.get_num_threads()}


class TorchWorkerReport(WorkerReport, torch.utils.data.Dataset):
    pass


def _reports(lib, **kwargs):
    dataset = WorkerReport(mt) if lib is mt else TorchWorkerReport(torch)
    return list(_data(lib).DataLoader(dataset, batch_size=None, num_workers=2, **kwargs))


def test_workers_are_seeded_as_torchs_base_seed_plus_id():
    ours, theirs = _reports(mt), _reports(torch)
    for reports, lib in ((ours, mt), (theirs, torch)):
        assert [r["id"] for r in reports] == [0, 1, 0, 1] and {r["num_workers"] for r in reports} == {2}
        base = reports[0]["seed"]
        assert [r["seed"] - base for r in reports] == [0, 1, 0, 1]
        first = {r["id"]: r for r in reversed(reports)}  # each worker's first sample
        for worker_id, r in first.items():
            seed = base + worker_id
            assert r["python"] == random.Random(seed).random()
            assert r["numpy"] == np.random.RandomState(_generate_state(base, worker_id)).rand()
            expected = (mt.rand(1, generator=mt.Generator().manual_seed(seed)) if lib is mt
                        else torch.rand(1, generator=torch.Generator().manual_seed(seed)))
            assert r["lib"] == expected.item()
        assert len({r["pid"] for r in reports} | {os.getpid()}) == 3  # two processes, not this one
        assert {r["threads"] for r in reports} == {1}  # (workers run single-threaded, whatever the parent's threads)


def test_numpy_seed_words_are_torchs():
    for base, worker_id in ((0, 0), (12345, 3), (2 ** 62 + 7, 11), (2 ** 63 - 2, 1)):
        assert _generate_state(base, worker_id) == torch_worker._generate_state(base, worker_id)


def test_seeded_generator_fixes_the_base_seed():
    def seeds(**kwargs):
        return [r["seed"] for r in _reports(mt, **kwargs)]

    first = seeds(generator=mt.Generator().manual_seed(7))
    assert first == seeds(generator=mt.Generator().manual_seed(7))
    assert first[0] == mt.randint(0, 2 ** 63 - 1, (), generator=mt.Generator().manual_seed(7)).item()
    assert first != seeds(generator=mt.Generator().manual_seed(8))


def _record_init(worker_id):
    info = get_worker_info()
    info.dataset.marker = (worker_id, info.id, info.seed, random.random())


class Marked(Dataset):
    marker = None

    def __len__(self):
        return 4

    def __getitem__(self, i):
        return self.marker


def test_worker_init_fn_runs_in_each_worker_after_seeding():
    assert get_worker_info() is None
    markers = list(DataLoader(Marked(), batch_size=None, num_workers=2, worker_init_fn=_record_init))
    assert [m[:2] for m in markers] == [[0, 0], [1, 1], [0, 0], [1, 1]]  # (default_convert makes tuples lists)
    for worker_id, info_id, seed, drawn in markers:
        assert drawn == random.Random(seed).random()
    assert Marked.marker is None  # the workers changed their own copies


class Range(LibByName, IterableDataset):
    """torch's documented example: [start, end), split across workers when ``shard`` is set."""

    def __init__(self, lib, start, end, shard):
        self.lib_name, self.start, self.end, self.shard = lib.__name__, start, end, shard

    def __iter__(self):
        info = self.lib.utils.data.get_worker_info()
        if info is None or not self.shard:
            return iter(range(self.start, self.end))
        per_worker = int(math.ceil((self.end - self.start) / float(info.num_workers)))
        start = self.start + info.id * per_worker
        return iter(range(start, min(start + per_worker, self.end)))


class TorchRange(Range, torch.utils.data.IterableDataset):
    pass


def _range(lib, *args):
    return Range(mt, *args) if lib is mt else TorchRange(torch, *args)


@pytest.mark.parametrize("start,end,shard,kwargs", [
    (3, 7, False, dict(num_workers=2)),  # every worker iterates its own copy: duplicates
    (3, 7, True, dict(num_workers=2)),
    (3, 7, True, dict(num_workers=5)),  # more workers than samples
    (0, 11, True, dict(num_workers=3, batch_size=3)),  # uneven shards: short last batches per worker
    (0, 11, True, dict(num_workers=3, batch_size=3, drop_last=True)),
    (0, 5, True, dict(num_workers=2, batch_size=None)),
], ids=str)
def test_iterable_dataset_sharding_matches_torch(start, end, shard, kwargs):
    ours = _load(mt, _range(mt, start, end, shard), **kwargs)
    assert ours == _load(torch, _range(torch, start, end, shard), **kwargs)
    if not shard:
        assert ours == [[i] for i in range(start, end) for _ in range(2)]


def _shard_by_init_fn(worker_id):
    info = get_worker_info()
    per_worker = int(math.ceil((info.dataset.end - info.dataset.start) / float(info.num_workers)))
    info.dataset.start += worker_id * per_worker
    info.dataset.end = min(info.dataset.start + per_worker, info.dataset.end)


def test_iterable_dataset_sharded_by_worker_init_fn_as_torchs_example():
    ours = _load(mt, _range(mt, 3, 7, False), num_workers=2, worker_init_fn=_shard_by_init_fn)
    assert ours == [[3], [5], [4], [6]]  # torch's documented output


class SizedRange(Range):
    def __len__(self):
        return self.end - self.start


def test_len_of_an_iterable_dataset_that_repeats_warns():
    loader = DataLoader(SizedRange(mt, 0, 3, False), num_workers=2)
    assert len(loader) == 3
    with pytest.warns(UserWarning, match=r"was reported to be 3\(when accessing len\(dataloader\)\), but 4 samples"):
        assert len(list(loader)) == 6


class Counting(Dataset):
    """Counts, in each worker's copy, how many samples that copy served."""

    def __init__(self):
        self.served = 0

    def __len__(self):
        return 4

    def __getitem__(self, i):
        self.served += 1
        return i, os.getpid(), self.served


class TorchCounting(Counting, torch.utils.data.Dataset):
    pass


def test_persistent_workers_keep_their_processes_and_dataset_copies():
    for lib, dataset in ((mt, Counting()), (torch, TorchCounting())):
        loader = _data(lib).DataLoader(dataset, batch_size=None, num_workers=2, persistent_workers=True)
        epochs = [[tuple(int(v) for v in sample) for sample in loader] for _ in range(2)]
        assert [s[0] for s in epochs[0]] == [s[0] for s in epochs[1]] == [0, 1, 2, 3]
        assert {s[1] for s in epochs[0]} == {s[1] for s in epochs[1]}  # the same two worker processes
        assert [s[2] for s in epochs[1]] == [3, 3, 4, 4]  # their copies kept counting
        for _ in zip(range(1), loader):  # an epoch abandoned after one batch
            pass
        assert [int(s[0]) for s in loader] == [0, 1, 2, 3]  # the next epoch starts afresh
        del loader


def test_workers_stop_after_the_epoch_and_on_break_or_del():
    it = iter(DataLoader(_squares(mt), num_workers=2))
    workers = list(it._workers)
    list(it)
    assert not any(w.is_alive() for w in workers)  # StopIteration shut them down
    for _ in DataLoader(_squares(mt), num_workers=2):
        break  # the abandoned iterator is collected: the fixture checks nothing is left
    it = iter(DataLoader(_squares(mt), num_workers=2))
    next(it)
    workers = list(it._workers)
    del it  # no garbage collection needed: the iterator is in no reference cycle
    assert not any(w.is_alive() for w in workers)


@pytest.mark.parametrize("num_workers,prefetch_factor", [(1, 1), (2, None), (3, 4)])
def test_prefetch_factor_tasks_in_flight_as_torch(num_workers, prefetch_factor):
    counts = []
    for lib in (mt, torch):
        it = iter(_data(lib).DataLoader(list(range(40)), num_workers=num_workers, prefetch_factor=prefetch_factor))
        counts.append((it._tasks_outstanding, it._send_idx))
        del it
    assert counts[0] == counts[1] == ((prefetch_factor or 2) * num_workers,) * 2


class Sleepy(Dataset):
    def __len__(self):
        return 2

    def __getitem__(self, i):
        time.sleep(0.6)
        return i


class TorchSleepy(Sleepy, torch.utils.data.Dataset):
    pass


def test_timeout_raises_torchs_error():
    messages = []
    for lib, dataset in ((mt, Sleepy()), (torch, TorchSleepy())):
        with pytest.raises(RuntimeError) as caught:
            list(_data(lib).DataLoader(dataset, num_workers=1, timeout=0.2))
        messages.append(str(caught.value))
        del caught
    assert messages[0] == messages[1] == "DataLoader timed out after 0.2 seconds"


class Failing(Dataset):
    def __init__(self, error):
        self.error = error

    def __len__(self):
        return 6

    def __getitem__(self, i):
        if i == 3:
            raise self.error
        return i


class TorchFailing(Failing, torch.utils.data.Dataset):
    pass


class TwoArgumentError(Exception):
    def __init__(self, a, b):
        super().__init__(a, b)


@pytest.mark.parametrize("error", [ValueError("bad sample 3"), KeyError("missing"), TwoArgumentError(1, 2)], ids=repr)
def test_worker_exception_is_raised_with_the_workers_traceback(error):
    raised = []
    for lib, dataset in ((mt, Failing(error)), (torch, TorchFailing(error))):
        it = iter(_data(lib).DataLoader(dataset, num_workers=2))
        with pytest.raises(Exception) as caught:
            list(it)
        raised.append((type(caught.value), str(caught.value)))
        if lib is torch:  # torch's iterator sits in a reference cycle with its exception: stop it now
            it._shutdown_workers()
        del caught, it  # ours stops its workers here (the fixture checks)
    (ours_type, ours), (theirs_type, theirs) = raised
    assert ours_type is theirs_type
    assert ours.splitlines()[:2] == theirs.splitlines()[:2]  # "Caught X in DataLoader worker process 1."
    assert "in __getitem__" in ours and ours.splitlines()[-1] == theirs.splitlines()[-1]


def _failing_init(worker_id):
    raise OSError(f"cannot open shard {worker_id}")


def test_worker_init_fn_exception_and_unpicklable_batches_raise_in_the_main_process():
    with pytest.raises(OSError, match=r"Caught OSError in DataLoader worker process 0\.(.|\n)*cannot open shard 0"):
        list(DataLoader(_squares(mt), num_workers=2, worker_init_fn=_failing_init))
    with pytest.raises(Exception, match=r"in DataLoader worker process 0(.|\n)*pickle"):
        list(DataLoader([lambda: None] * 2, batch_size=None, num_workers=1))


class Dying(Dataset):
    def __len__(self):
        return 8

    def __getitem__(self, i):
        if i == 2:
            os._exit(3)  # a crash: no exception, the process is gone
        return i


def test_a_dead_worker_is_reported_not_waited_for():
    loader = DataLoader(Dying(), num_workers=2)
    it = iter(loader)
    with pytest.raises(RuntimeError, match=r"DataLoader worker \(pid\(s\) \d+\) exited unexpectedly"):
        list(it)
    del it


def test_spawn_start_method():
    samples = [(mt.tensor([float(i), i * 0.5]), {"id": i}) for i in range(5)]  # pickled by value: a quick spawn
    ours = _load(mt, samples, num_workers=2, batch_size=2, multiprocessing_context="spawn")
    assert ours == _load(mt, samples, batch_size=2)
    assert ours == _load(torch, [(torch.tensor([float(i), i * 0.5]), {"id": i}) for i in range(5)], batch_size=2)


BAD = [
    dict(prefetch_factor=2),
    dict(num_workers=1, prefetch_factor=-1),
    dict(multiprocessing_context="fork"),
    dict(num_workers=1, multiprocessing_context="bogus"),
]


@pytest.mark.parametrize("kwargs", BAD, ids=str)
def test_bad_worker_arguments_raise_torchs_error(kwargs):
    with pytest.raises(ValueError) as theirs:
        torch.utils.data.DataLoader(list(range(4)), **kwargs)
    with pytest.raises(ValueError) as ours:
        DataLoader(list(range(4)), **kwargs)
    assert str(ours.value) == str(theirs.value)


def test_other_bad_uses_raise_torchs_error():
    cases = [
        (TypeError, lambda lib: lib.utils.data.DataLoader([0], num_workers=1, multiprocessing_context=3)),
        (AssertionError, lambda lib: iter(lib.utils.data.DataLoader([0], num_workers=1, prefetch_factor=0))),
        (AssertionError, lambda lib: iter(lib.utils.data.DataLoader([0], timeout=1))),
        (ValueError, lambda lib: setattr(lib.utils.data.DataLoader([0]), "batch_size", 2)),
        (NotImplementedError, lambda lib: pickle.dumps(iter(lib.utils.data.DataLoader([0])))),
    ]
    for error, make in cases:
        messages = []
        for lib in (mt, torch):
            with warnings.catch_warnings(), pytest.raises(error) as caught:
                warnings.simplefilter("ignore")
                make(lib)
            messages.append(str(caught.value))
            del caught
        if error is not NotImplementedError:  # torch's message there is a tuple printed by mistake
            assert messages[0] == messages[1]


def test_device_context_object_and_pin_memory_warning():
    batches = list(DataLoader(_squares(mt, 4), batch_size=2, num_workers=2, device="npx",
                              multiprocessing_context=multiprocessing.get_context()))  # the default, as an object
    assert [b[0].device.type for b in batches] == ["npx", "npx"]  # moved in the main process
    assert _plain(batches) == _load(mt, _squares(mt, 4), batch_size=2)
    messages = []
    for lib in (mt, torch):
        with pytest.warns(UserWarning) as caught:
            list(_data(lib).DataLoader([1, 2], pin_memory=True))
        messages.append([str(w.message) for w in caught])
    assert messages[0] == messages[1]


def test_persistent_workers_restart_their_iterable_shards_each_epoch_as_torch():
    epochs = []
    for lib in (mt, torch):
        loader = _data(lib).DataLoader(_range(lib, 0, 7, True), batch_size=2, num_workers=2, persistent_workers=True)
        epochs.append([[_plain(b) for b in loader] for _ in range(2)])
        del loader
    assert epochs[0] == epochs[1] and epochs[0][0] == epochs[0][1]


class HoldsALambda(Dataset):
    def __init__(self):
        self.transform = lambda x: x

    def __len__(self):
        return 2

    def __getitem__(self, i):
        return self.transform(i)


class TorchHoldsALambda(HoldsALambda, torch.utils.data.Dataset):
    pass


def test_spawn_with_an_unpicklable_dataset_raises_torchs_error_and_leaves_no_worker():
    messages = []
    for lib, dataset in ((mt, HoldsALambda()), (torch, TorchHoldsALambda())):
        with warnings.catch_warnings(), pytest.raises(AttributeError) as caught:
            warnings.simplefilter("ignore")  # torch adds a hint about picklable arguments
            list(_data(lib).DataLoader(dataset, num_workers=2, multiprocessing_context="spawn"))
        messages.append(str(caught.value))
        del caught
    assert messages[0] == messages[1] and "lambda" in messages[0]
