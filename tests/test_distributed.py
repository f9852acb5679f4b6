"""microtorch.distributed, DistributedDataParallel and the launcher, on 2 and 3 MPI ranks.

The multi-process checks live in tests/distributed_worker.py; each test here starts one
``mpiexec`` job of it (oversubscribed on CI's 2 cores) with a timeout, so a hang fails the
test instead of stalling the suite. Needs mpi4py and an MPI (``pip install -e ".[distributed]"``).
"""
from __future__ import annotations

import os
import pathlib
import subprocess
import sys

import pytest
import torch

import microtorch as mt

pytest.importorskip("mpi4py", reason='microtorch.distributed needs mpi4py and an MPI (pip install -e ".[distributed]")')
from microtorch.distributed import run as launcher  # noqa: E402

TESTS = pathlib.Path(__file__).resolve().parent
ROOT = TESTS.parent
WORKER = TESTS / "distributed_worker.py"
try:
    MPIEXEC = launcher.find_mpiexec()
except SystemExit as e:
    pytest.skip(str(e), allow_module_level=True)

COLLECTIVES = ["all_reduce_broadcast_reduce", "gather_scatter", "reduce_scatter", "all_to_all", "point_to_point",
               "async_work", "objects", "object_point_to_point", "groups", "subgroups", "mismatches_raise_on_every_rank",
               "bad_arguments"]
DDP = ["ddp_matches_one_process", "ddp_overlaps_backward", "ddp_no_sync_accumulates", "ddp_find_unused_parameters",
       "ddp_buffers_and_errors", "distributed_sampler", "sync_batchnorm"]
NCCL = ["nccl_collectives", "nccl_ddp"]


def environment() -> dict:
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(TESTS)]), "OMP_NUM_THREADS": "1"}


def mpirun(ranks: int, *checks: str, timeout: float = 90) -> subprocess.CompletedProcess:
    return subprocess.run([MPIEXEC, "-n", str(ranks), sys.executable, str(WORKER), *checks], capture_output=True,
                          text=True, env=environment(), cwd=TESTS, timeout=timeout, stdin=subprocess.DEVNULL)


def passed(result: subprocess.CompletedProcess, checks: list) -> None:
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"PASSED {' '.join(checks)}" in result.stdout, result.stdout + result.stderr


@pytest.mark.slow
def test_every_collective_and_ddp_on_two_ranks():
    """Collectives against NumPy (host and fake-GPU NCCL), mismatches and bad arguments on every rank,
    DDP equal to one process on the whole batch (MLP and CNN, float64, 1e-12), no_sync, unused parameters,
    SyncBatchNorm equal to BatchNorm over the whole batch."""
    checks = COLLECTIVES + DDP + NCCL
    passed(mpirun(2, *checks), checks)


@pytest.mark.slow
def test_every_collective_and_ddp_on_three_ranks():
    checks = COLLECTIVES + ["ddp_matches_one_process", "ddp_find_unused_parameters", "distributed_sampler",
                            "sync_batchnorm", "nccl_collectives"]
    passed(mpirun(3, *checks), checks)


def _gpu_count() -> int:
    try:
        import cupy

        return cupy.cuda.runtime.getDeviceCount()
    except Exception:  # noqa: BLE001 (no CuPy, no driver, no GPU)
        return 0


@pytest.mark.cuda
@pytest.mark.skipif(_gpu_count() < 2, reason="NCCL on real GPUs needs 2 of them (one per rank)")
def test_nccl_on_two_real_gpus():
    """The nccl checks with cuda:0 and cuda:1 and the real cupy.cuda.nccl (on a GPU machine)."""
    env = {**environment(), "DISTRIBUTED_WORKER_GPUS": "cuda"}
    result = subprocess.run([MPIEXEC, "-n", "2", sys.executable, str(WORKER), *NCCL], capture_output=True, text=True,
                            env=env, cwd=TESTS, timeout=300, stdin=subprocess.DEVNULL)
    passed(result, NCCL)


def test_a_rank_that_raises_ends_the_whole_job():
    """The others wait in all_reduce with the default 10-minute timeout: the abort ends them at once."""
    result = mpirun(2, "a_rank_raises", timeout=60)
    assert result.returncode != 0 and "ValueError: boom on purpose" in result.stderr, result.stderr


def test_a_rank_that_never_comes_makes_the_others_time_out():
    """The last rank sleeps 60 s instead of joining; the 1 s timeout raises DistBackendError on the others."""
    result = mpirun(2, "a_rank_never_comes", timeout=45)
    assert result.returncode != 0, result.stderr
    assert "DistBackendError: rank 0: all_reduce timed out after 1 s" in result.stderr, result.stderr


# ---- the launcher ----------------------------------------------------------------------------------------------
ENV_SCRIPT = """
import os, sys
if "--fail" in sys.argv and os.environ["RANK"] == "1":
    raise SystemExit("rank 1 fails before init_process_group")
import microtorch as mt, microtorch.distributed as dist
dist.init_process_group()
t = mt.ones(1) * dist.get_rank()
dist.all_reduce(t)
fields = ["rank", *(os.environ[k] for k in ("RANK", "LOCAL_RANK", "WORLD_SIZE", "LOCAL_WORLD_SIZE", "MASTER_PORT")),
          int(t.item()), dist.is_torchelastic_launched(), dist.get_node_local_rank(), *sys.argv[1:]]
sys.stdout.write(" ".join(map(str, fields)) + "\\n")  # one write: the ranks' lines must not interleave
sys.stdout.flush()
"""


def launch(*args: str, timeout: float = 90) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "microtorch.distributed.run", *args], capture_output=True, text=True,
                          env=environment(), cwd=ROOT, timeout=timeout, stdin=subprocess.DEVNULL)


def test_launcher_sets_torchruns_variables_and_ends_a_failed_job(tmp_path):
    script = tmp_path / "show_env.py"
    script.write_text(ENV_SCRIPT)
    result = launch("--nproc_per_node", "3", "--master-port", "29555", str(script), "--lr", "0.1")
    assert result.returncode == 0, result.stderr
    lines = sorted(line for line in result.stdout.splitlines() if line.startswith("rank"))
    assert lines == [f"rank {r} {r} 3 3 29555 3 True {r} --lr 0.1" for r in range(3)], result.stdout
    failed = launch("--nproc-per-node", "2", str(script), "--fail", timeout=60)  # rank 0 waits in init: aborted
    assert failed.returncode != 0 and "rank 1 fails before init_process_group" in failed.stderr, failed.stderr
    program = launch("--nproc-per-node", "2", "--no-python", "sh", "-c", 'echo "program $RANK of $WORLD_SIZE"')
    assert sorted(program.stdout.split("\n"))[1:] == ["program 0 of 2", "program 1 of 2"], program.stdout


def test_launcher_runs_the_ddp_example(tmp_path):
    pytest.importorskip("sklearn", reason="the example needs scikit-learn (pip install -e '.[examples]')")
    result = launch("--nproc-per-node", "2", "examples/ddp_train.py", "--epochs", "2", "--subset", "300",
                    "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "2 rank(s) on cpu, 150 of 300 training images each" in result.stdout
    assert "replicas identical: True" in result.stdout
    losses = [float(line.split()[4]) for line in result.stdout.splitlines() if line.startswith("epoch")]
    assert len(losses) == 2 and losses[1] < losses[0]
    saved = mt.load(str(tmp_path / "digits_cnn.pt"))
    assert "features.0.weight" in saved and not any(k.startswith("module.") for k in saved)


def test_launcher_command_lines():
    parse = launcher._parser().parse_args
    command = launcher.mpiexec_command(parse(["--nproc-per-node", "4", "--nnodes", "2", "--hostfile", "hosts",
                                              "train.py", "--x", "1"]))
    assert command[1:3] == ["-n", "8"] and command[-3:] == ["train.py", "--x", "1"]
    assert "-ppn" in command or "ppr:4:node" in command
    module = launcher.mpiexec_command(parse(["-m", "pkg.train"]))
    assert module[-2:] == ["-m", "pkg.train"] and "microtorch.distributed._rank_main" in module
    for bad, words in ((["--nnodes", "2", "t.py"], "needs --hostfile"), (["--node-rank", "1", "t.py"], "once"),
                       (["--nproc-per-node", "zero", "t.py"], "positive number"),
                       (["--max-restarts", "3", "t.py"], "elastic")):
        with pytest.raises(SystemExit, match=words):
            launcher.mpiexec_command(parse(bad))


# ---- one process ---------------------------------------------------------------------------------------------------
SINGLE = """
import microtorch as mt, microtorch.distributed as dist
try:
    dist.all_reduce(mt.ones(2))
except ValueError as e:
    print("before:", e)
try:
    dist.init_process_group(world_size=2)
except RuntimeError as e:
    print("size:", e)
dist.init_process_group("gloo")
t = mt.arange(3.0)
dist.all_reduce(t, op=dist.ReduceOp.AVG)
out = [mt.zeros(3)]
dist.all_gather(out, t)
print("one:", dist.get_rank(), dist.get_world_size(), dist.get_backend(), t.tolist(), out[0].tolist())
dist.destroy_process_group()
print("after:", dist.is_initialized())
"""


def test_a_world_of_one_and_errors_before_init():
    result = subprocess.run([sys.executable, "-c", SINGLE], capture_output=True, text=True, env=environment(),
                            timeout=60)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "before: Default process group has not been initialized, please make sure to call init_process_group." in out
    assert "size: world_size=2 (from the argument) but MPI gives 1" in out and "microtorch.distributed.run" in out
    assert "one: 0 1 gloo [0.0, 1.0, 2.0] [0.0, 1.0, 2.0]" in out and "after: False" in out


def test_backend_names():
    from microtorch import distributed as dist

    assert dist.Backend("MPI") == "mpi" and dist.Backend("nccl").device_backends() == {"cuda": "nccl"}
    assert dist.Backend("cpu:gloo,cuda:nccl").device_backends() == {"cpu": "mpi", "cuda": "nccl"}
    with pytest.raises(ValueError, match="Invalid backend: 'tpu'"):
        dist.Backend("tpu")
    assert dist.is_available() and not dist.is_initialized()
    for name in ("SUM", "AVG", "PRODUCT", "MIN", "MAX", "BAND", "BOR", "BXOR", "PREMUL_SUM"):
        ours, theirs = getattr(dist.ReduceOp, name), getattr(torch.distributed.ReduceOp.RedOpType, name)
        assert int(ours) == int(theirs) and repr(ours) == repr(theirs)


# ---- DistributedSampler and DataParallel, against torch --------------------------------------------------------
@pytest.mark.parametrize("size,replicas,drop_last", [(10, 3, False), (10, 3, True), (9, 3, False), (2, 5, False),
                                                     (7, 2, True)])
def test_distributed_sampler_without_shuffle_is_torchs(size, replicas, drop_last):
    from torch.utils.data.distributed import DistributedSampler as TorchSampler

    from microtorch.utils.data.distributed import DistributedSampler

    for rank in range(replicas):
        ours = DistributedSampler(range(size), replicas, rank, shuffle=False, drop_last=drop_last)
        theirs = TorchSampler(range(size), replicas, rank, shuffle=False, drop_last=drop_last)
        assert list(ours) == list(theirs) and len(ours) == len(theirs)
        assert (ours.num_samples, ours.total_size) == (theirs.num_samples, theirs.total_size)


def test_distributed_sampler_shuffles_by_seed_and_epoch():
    from microtorch.utils.data.distributed import DistributedSampler

    def shares(seed, epoch, drop_last=False):
        samplers = [DistributedSampler(range(11), 3, r, seed=seed, drop_last=drop_last) for r in range(3)]
        for s in samplers:
            s.set_epoch(epoch)
        return [list(s) for s in samplers]

    first = shares(0, 0)
    assert first == shares(0, 0) and first != shares(0, 1) and first != shares(1, 0)
    flat = [i for share in first for i in share]
    assert len(flat) == 12 and set(flat) == set(range(11))  # one index repeated to pad 11 to 12
    dropped = [i for share in shares(0, 0, drop_last=True) for i in share]
    assert len(dropped) == len(set(dropped)) == 9
    with pytest.raises(ValueError, match=r"Invalid rank 3, rank should be in the interval \[0, 2\]"):
        DistributedSampler(range(4), 3, 3)
    with pytest.raises(ValueError, match="Default process group has not been initialized"):
        DistributedSampler(range(4))


def test_data_parallel_calls_the_module_as_torchs_does_on_one_device():
    torch.manual_seed(0)
    theirs = torch.nn.DataParallel(torch.nn.Linear(3, 2))
    ours = mt.nn.DataParallel(mt.nn.Linear(3, 2))
    ours.load_state_dict({k: mt.tensor(v.numpy()) for k, v in theirs.state_dict().items()})
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["module.weight", "module.bias"]
    x = torch.randn(4, 3)
    got, want = ours(mt.tensor(x.numpy())), theirs(x)
    assert torch.allclose(torch.tensor(got.detach().numpy()), want.detach(), atol=1e-6)
    got.sum().backward()
    assert ours.module.weight.grad is not None and mt.nn.parallel.DataParallel is mt.nn.DataParallel
    assert mt.nn.DataParallel(lambda x: x * 2)(mt.ones(2)).tolist() == torch.nn.DataParallel(lambda x: x * 2)(
        torch.ones(2)).tolist()  # (any callable, as torch without an accelerator)


@pytest.mark.parametrize("device_ids", ["abc", None, [7], 3.5])
def test_data_parallel_without_an_accelerator_ignores_device_ids_as_torch(device_ids):
    """torch on a machine without an accelerator never reads ``device_ids``: any value builds, none is kept."""
    theirs = torch.nn.DataParallel(torch.nn.Identity(), device_ids)
    ours = mt.nn.DataParallel(mt.nn.Identity(), device_ids)
    assert ours.device_ids == theirs.device_ids == []
    assert ours(mt.ones(2)).tolist() == theirs(torch.ones(2)).tolist()
