"""What the ``linalg`` functions share: ``LinAlgError``, the argument checks with torch's messages, the result tuples."""
from __future__ import annotations

from collections import namedtuple
from typing import Sequence

from .._tensor import Tensor


class LinAlgError(RuntimeError):
    """A matrix the routine cannot handle (``torch.linalg.LinAlgError``), e.g. singular or not positive-definite."""


LinAlgError.__module__ = "microtorch.linalg"

# torch.return_types' named tuples, with torch's type and field names
InvEx = namedtuple("linalg_inv_ex", ["inverse", "info"])
SolveEx = namedtuple("linalg_solve_ex", ["result", "info"])
SlogDet = namedtuple("linalg_slogdet", ["sign", "logabsdet"])
CholeskyEx = namedtuple("linalg_cholesky_ex", ["L", "info"])
Qr = namedtuple("linalg_qr", ["Q", "R"])
Svd = namedtuple("linalg_svd", ["U", "S", "Vh"])
Eigh = namedtuple("linalg_eigh", ["eigenvalues", "eigenvectors"])
Eig = namedtuple("linalg_eig", ["eigenvalues", "eigenvectors"])
Lstsq = namedtuple("linalg_lstsq", ["solution", "residuals", "rank", "singular_values"])
LuFactor = namedtuple("linalg_lu_factor", ["LU", "pivots"])
LuFactorEx = namedtuple("linalg_lu_factor_ex", ["LU", "pivots", "info"])
Lu = namedtuple("linalg_lu", ["P", "L", "U"])


def check_tensor(name: str, a: object, what: str = "A") -> None:
    if not isinstance(a, Tensor):
        raise TypeError(f"linalg.{name}(): argument '{what}' must be Tensor, not {type(a).__name__}")


def check_float(name: str, a: Tensor, complex_ok: bool = False) -> None:
    """A floating tensor (or, ``complex_ok``, a complex one), else torch's error; a complex one where microtorch's
    routine is real-only raises UnsupportedError (torch's takes it)."""
    if a.is_complex() and not complex_ok:
        from .._unsupported import UnsupportedError

        raise UnsupportedError(f"linalg.{name}: complex inputs are not supported by microtorch (only real floating "
                               f"point ones); got {_torch_type_name(a)}")
    if not (a.is_floating_point() or complex_ok and a.is_complex()):
        raise RuntimeError(f"linalg.{name}: Expected a floating point or complex tensor as input. Got "
                           f"{_torch_type_name(a)}")


def check_matrix(name: str, a: Tensor, what: str = "A") -> None:
    check_tensor(name, a, what)
    if a.ndim < 2:
        raise RuntimeError(f"linalg.{name}: The input tensor {what} must have at least 2 dimensions.")


def check_square(name: str, a: Tensor, what: str = "A", complex_ok: bool = False) -> None:
    """A floating (``complex_ok``: or complex) batch of square matrices, else torch's error."""
    check_matrix(name, a, what)
    if a.shape[-1] != a.shape[-2]:
        raise RuntimeError(f"linalg.{name}: {what} must be batches of square matrices, but they are "
                           f"{a.shape[-2]} by {a.shape[-1]} matrices")
    check_float(name, a, complex_ok)


def check_same_dtype(name: str, a: Tensor, b: Tensor, names: Sequence[str] = "AB") -> None:
    if a.dtype != b.dtype:
        raise RuntimeError(f"linalg.{name}: Expected {names[0]} and {names[1]} to have the same dtype, but found "
                           f"{names[0]} of type {_torch_type_name(a)} and {names[1]} of type {_torch_type_name(b)} "
                           "instead")


def _torch_type_name(a: Tensor) -> str:
    """torch's scalar type name in messages: Float, Double, Long, ..."""
    names = {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16", "int64": "Long",
             "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}
    return names.get(a.dtype.name, a.dtype.name)
