"""Op-table entries for complex tensors: real inputs, real outputs, complex values in between (the property suites
draw real dtypes), so values, gradients and second derivatives of complex, polar, view_as_real/view_as_complex,
real/imag, conj, angle, abs and the holomorphic ops on complex values are compared with torch's.

The draws keep clear of the kinks and branch cuts: |z| and angle(z) at 0, sqrt and log on the negative real axis.
"""
from __future__ import annotations

from typing import Callable

from op_table import binary, op

_RIGHT_HALF = binary(lo=0.5, hi=3.0, lo2=-3.0, hi2=3.0)  # x > 0: z = x + iy is off the origin and the negative axis


def _parts(fn: Callable) -> Callable:
    """``fn`` on float16 inputs through float32 parts, cast back (there is no complex32 in microtorch; torch's
    complex32 has few kernels), so the suites' float16 runs check the round trip."""
    def run(lib, x, y):
        if x.dtype != lib.float16:
            return fn(lib, x, y)
        return fn(lib, x.float(), y.float()).to(lib.float16)
    return run


op("complex_abs", _parts(lambda lib, x, y: lib.complex(x, y).abs()), _RIGHT_HALF)
op("complex_angle", _parts(lambda lib, x, y: lib.complex(x, y).angle()), _RIGHT_HALF)
op("complex_parts", _parts(lambda lib, x, y: (lib.complex(x, y) * lib.complex(y, x)).real
   + (lib.complex(x, y).conj() / lib.complex(x, y)).imag), _RIGHT_HALF, rtol={"float32": 2e-4})
op("polar", _parts(lambda lib, x, y: lib.view_as_real(lib.polar(x, y))), _RIGHT_HALF)
op("complex_exp_log_sqrt", _parts(lambda lib, x, y: lib.view_as_real(lib.complex(x, y).sqrt() + lib.complex(x, y).log()
                                                                      + lib.complex(y, x * 0.5).exp())),
   _RIGHT_HALF, rtol={"float32": 5e-4})
op("view_as_complex_mul",
   _parts(lambda lib, x, y: lib.view_as_real(lib.view_as_complex(lib.stack(lib.broadcast_tensors(x, y), -1)) ** 2
                                             * (1 - 2j))),
   _RIGHT_HALF, rtol={"float32": 2e-4})
op("complex_trig", _parts(lambda lib, x, y: (lib.complex(x, y * 0.3).sin() * lib.complex(y * 0.3, x).tanh()).abs()),
   _RIGHT_HALF, rtol={"float32": 5e-4})
op("complex_sum_prod", _parts(lambda lib, x, y: lib.view_as_real(lib.complex(x, y).sum() + (lib.complex(x, y) * 0.5).prod())),
   _RIGHT_HALF, rtol={"float32": 5e-4})
