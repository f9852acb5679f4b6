"""``torch.func``: composable function transforms (vmap, grad, vjp, jvp, jacrev, jacfwd, hessian) and
``functional_call``/``stack_module_state`` for running Modules as functions of their parameters."""
from typing import Any, Callable

from .eager_transforms import grad, grad_and_value, hessian, jacfwd, jacrev, jvp, linearize, vjp
from .functional_call import functional_call, stack_module_state
from .vmap import vmap

__all__ = ["functional_call", "grad", "grad_and_value", "hessian", "jacfwd", "jacrev", "jvp", "stack_module_state",
           "vjp", "vmap", "linearize", "functionalize", "replace_all_batch_norm_modules_"]


def functionalize(func: Callable, *, remove: str = "mutations") -> Callable:
    """``func`` itself: torch's functionalize rewrites in-place ops as out-of-place ones for graph capture; run
    eagerly, as here, the results are the same (``remove`` must be 'mutations' or 'mutations_and_views')."""
    if remove not in ("mutations", "mutations_and_views"):
        raise RuntimeError(f"functionalize(f, remove='mutations'): received invalid argument for remove={remove}. "
                             "Valid options are:\n     remove='mutations': all inplace and out= operators will be "
                             "removed from the program, and replaced with their out-of-place equivalents.\n     "
                             "remove='mutations_and_views': In addition to the above, all aliasing operators {view} "
                             "will be replaced with their non-aliasing counterparts, {view}_copy.\n")
    return func


def replace_all_batch_norm_modules_(root: Any) -> Any:
    """In place, every batch norm in ``root`` stops tracking running statistics (running_mean, running_var and
    num_batches_tracked become None), so it normalises by batch statistics under vmap; returns ``root``."""
    from ..nn.modules.batchnorm import _BatchNorm

    for module in root.modules():
        if isinstance(module, _BatchNorm) and module.track_running_stats:
            module.running_mean = module.running_var = module.num_batches_tracked = None
            module.track_running_stats = False
    return root
