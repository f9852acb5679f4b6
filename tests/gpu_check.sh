#!/usr/bin/env bash
# The cuda half of the test suite, on a machine with an NVIDIA GPU. From the repository root:
#
#     bash tests/gpu_check.sh                          # smoke script, the cuda tests, the whole suite
#     bash tests/gpu_check.sh -x                       # extra arguments go to pytest
#     HYPOTHESIS_PROFILE=dev bash tests/gpu_check.sh   # more examples per op
#
# It needs CuPy >= 14 (pip install -e '.[cuda]' from a checkout), torch, pytest and hypothesis, and installs
# nothing itself (GPU machines here reach no package index). The core of it is
#
#     PYTHONPATH=. python -m pytest -m cuda -q -rs
#
# i.e. the op table on cuda (values and gradients against torch), tests/test_cuda.py, kinks,
# engine and factories on cuda, with skip reasons printed.
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
PY="${PYTHON:-python3}"

nvidia-smi --query-gpu=index,name,driver_version,memory.total --format=csv || echo "nvidia-smi not found"
"$PY" - <<'PY'
import importlib, sys
missing = [m for m in ("cupy", "torch", "pytest", "hypothesis") if importlib.util.find_spec(m) is None]
if missing:
    sys.exit(f"missing: {', '.join(missing)} (pip install -e '.[cuda]' torch pytest hypothesis)")
PY

MICROTORCH_DEVICE=cuda "$PY" - <<'PY'
import cupy, torch
import microtorch as mt

print(f"cupy {cupy.__version__}, CUDA runtime {cupy.cuda.runtime.runtimeGetVersion()}, torch {torch.__version__}, "
      f"{mt.cuda.device_count()} GPU(s), current {mt.cuda.current_device()}")
x = mt.randn(512, 512, requires_grad=True)  # MICROTORCH_DEVICE=cuda: no device= needed
assert x.device == mt.device("cuda", mt.cuda.current_device()), x.device
(x @ x).tanh().sum().backward()
mt.cuda.synchronize()
print(f"smoke ok: grad on {x.grad.device}, {mt.cuda.memory_allocated() / 2**20:.1f} MiB allocated, "
      f"{mt.cuda.memory_reserved() / 2**20:.1f} MiB reserved")
PY

echo "== cuda tests: python -m pytest -m cuda -q -rs =="
"$PY" -m pytest -m cuda -q -rs "$@"
echo "== whole suite (cpu, npx, cuda, fake GPUs) =="
"$PY" -m pytest -q -rs "$@"
