"""``python -m microtorch``: an environment report, as ``python -m torch.utils.collect_env`` is for torch.

It names the versions, the optional packages found, every registered backend with its devices, BLAS
and thread settings, so a bug report or a benchmark table can say what it ran on.
"""
from __future__ import annotations

import importlib.metadata
import os
import platform
import sys

# optional packages microtorch uses when they are installed (the extras in pyproject.toml)
OPTIONAL = ("cupy-cuda12x", "cupy-cuda13x", "scipy", "ml_dtypes", "safetensors", "mpi4py", "mpich", "graphviz-pure",
            "threadpoolctl", "torch")
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_CORETYPE")


def _version(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def collect_env() -> dict[str, dict]:
    """The report's sections as nested dicts (what :func:`main` prints)."""
    import microtorch
    from microtorch import backends

    report: dict[str, dict] = {
        "microtorch": {"version": microtorch.__version__, "location": os.path.dirname(microtorch.__file__)},
        "system": {"python": sys.version.split()[0], "platform": platform.platform(), "cpu": _cpu_model(),
                   "cores": os.cpu_count()},
        "optional packages": {name: _version(name) or "not installed" for name in OPTIONAL},
        "thread settings": {name: os.environ.get(name, "unset") for name in THREAD_VARIABLES},
    }
    for device_type in backends.registered_device_types():
        try:
            report[f"backend {device_type!r}"] = backends.get_backend(device_type).describe()
        except RuntimeError as e:  # cuda without CuPy or without a GPU: say why
            report[f"backend {device_type!r}"] = {"unavailable": str(e)}
    return report


def main() -> None:
    """Print :func:`collect_env`'s report."""
    for section, entries in collect_env().items():
        print(f"{section}:")
        for key, value in entries.items():
            print(f"  {key}: {value}")


if __name__ == "__main__":
    main()
