"""``Chi2(df)``: the chi-squared distribution, Gamma(df / 2, 1 / 2)."""
from __future__ import annotations

from typing import Any

from microtorch import Tensor

from . import constraints
from .gamma import Gamma

__all__ = ["Chi2"]


class Chi2(Gamma):
    """Chi-squared with ``df`` degrees of freedom (a Gamma with concentration df/2 and rate 1/2)."""

    arg_constraints = {"df": constraints.positive}

    def __init__(self, df: Any, validate_args: bool | None = None) -> None:
        super().__init__(0.5 * df, 0.5 if not isinstance(df, Tensor) else df.new_tensor(0.5),
                         validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> "Chi2":
        return super().expand(batch_shape, self._get_checked_instance(Chi2, _instance))  # type: ignore[return-value]  # (super().expand fills the instance of this class it is given)

    @property
    def df(self) -> Tensor:
        return self.concentration * 2
