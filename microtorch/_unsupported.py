"""torch names microtorch cannot support (sparse layouts, torch.fx, ...): reaching one
raises an error that says so, at the user's line. For a missing name the error is both a NotImplementedError and
an AttributeError, so ``hasattr(microtorch, "sparse_coo")`` is False as for any missing name; a method that exists
(``x.to_sparse()``) raises a plain :class:`UnsupportedError` (a NotImplementedError), never an AttributeError."""
from __future__ import annotations

_SPARSE = "microtorch does not support sparse tensors (only the strided layout)"

UNSUPPORTED = {
    **{name: _SPARSE for name in ("sparse", "sparse_coo", "sparse_csr", "sparse_csc", "sparse_bsr", "sparse_bsc",
                                  "sparse_coo_tensor", "sparse_csr_tensor", "sparse_compressed_tensor")},
    "fx": "microtorch does not support torch.fx (symbolic tracing and graph rewriting)",
    "onnx": "microtorch does not support ONNX export",
    "quantization": "microtorch does not support quantization",
    "ao": "microtorch does not support torch.ao (quantization, pruning)",
    "export": "microtorch does not support torch.export",
    "float8_e4m3fn": "microtorch does not support float8 dtypes",
    "float8_e5m2": "microtorch does not support float8 dtypes",
}


class UnsupportedError(NotImplementedError):
    """A torch feature microtorch does not have, reached through a name it has (``x.to_sparse()``)."""


class UnsupportedNameError(UnsupportedError, AttributeError):
    """A torch name microtorch does not have (``microtorch.sparse_coo``): also an AttributeError, so ``hasattr``
    says False."""


def missing(module: str, name: str) -> UnsupportedNameError | AttributeError:
    """The error for ``module.name``: what is unsupported, or Python's plain AttributeError."""
    reason = UNSUPPORTED.get(name)
    if reason is not None:
        return UnsupportedNameError(f"{module}.{name}: {reason}")
    return AttributeError(f"module '{module}' has no attribute '{name}'")
