"""L-BFGS: a quasi-Newton method from a short history of steps and gradient changes, with an optional
strong-Wolfe line search (torch's algorithm, after minFunc)."""
from __future__ import annotations

from typing import Any, Callable, Iterable

from .._functions import cat, mul
from .._tensor import Tensor
from ..autograd import enable_grad, no_grad
from .optimizer import Optimizer, _check_lr, _scalar


def _cubic_interpolate(x1: Any, f1: Any, g1: Any, x2: Any, f2: Any, g2: Any, bounds: tuple | None = None) -> Any:
    """The minimizer of the cubic through (x1, f1, g1) and (x2, f2, g2), clamped to ``bounds`` (the
    interval itself by default); the bounds' midpoint when the cubic has no minimum."""
    if bounds is not None:
        xmin_bound, xmax_bound = bounds
    else:
        xmin_bound, xmax_bound = (x1, x2) if x1 <= x2 else (x2, x1)
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1**2 - g1 * g2
    if d2_square >= 0:
        d2 = d2_square.sqrt()
        if x1 <= x2:
            min_pos = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
        else:
            min_pos = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
        return min(max(min_pos, xmin_bound), xmax_bound)
    return (xmin_bound + xmax_bound) / 2.0


class _Bracket:
    """The line search's interval: step sizes, losses, gradients and directional derivatives at both ends."""

    def __init__(self, t: list, f: list, g: list, gtd: list | None) -> None:
        self.t, self.f, self.g, self.gtd = t, f, g, gtd

    def low_high(self) -> tuple[int, int]:
        """The positions of the end with the lower loss and of the other one."""
        return (0, 1) if self.f[0] <= self.f[-1] else (1, 0)

    def set(self, i: int, t: Any, f: Any, g: Tensor, gtd: Any) -> None:
        """Make end ``i`` the point ``t`` (its loss, gradient and directional derivative)."""
        assert self.gtd is not None  # (only a bracket of two ends is refined)
        self.t[i], self.f[i], self.g[i], self.gtd[i] = t, f, g, gtd


def _bracket_phase(obj_func: Callable, x: list, t: Any, d: Tensor, f: float, g: Tensor, gtd: Any, c1: float,
                   c2: float, max_ls: int) -> tuple:
    """Grow the step until an interval holds a point satisfying the strong Wolfe conditions (or one is found)."""
    f_new, g_new = obj_func(x, t, d)
    evals, gtd_new = 1, g_new.dot(d)
    t_prev, f_prev, g_prev, gtd_prev = 0, f, g, gtd
    ls_iter = 0
    while ls_iter < max_ls:
        if f_new > (f + c1 * t * gtd) or (ls_iter > 1 and f_new >= f_prev):
            return _Bracket([t_prev, t], [f_prev, f_new], [g_prev, g_new.clone()], [gtd_prev, gtd_new]), False, ls_iter, evals
        if abs(gtd_new) <= -c2 * gtd:
            return _Bracket([t], [f_new], [g_new], None), True, ls_iter, evals
        if gtd_new >= 0:
            return _Bracket([t_prev, t], [f_prev, f_new], [g_prev, g_new.clone()], [gtd_prev, gtd_new]), False, ls_iter, evals
        min_step, max_step = t + 0.01 * (t - t_prev), t * 10
        previous = t
        t = _cubic_interpolate(t_prev, f_prev, gtd_prev, t, f_new, gtd_new, bounds=(min_step, max_step))
        t_prev, f_prev, g_prev, gtd_prev = previous, f_new, g_new.clone(), gtd_new
        f_new, g_new = obj_func(x, t, d)
        evals += 1
        gtd_new = g_new.dot(d)
        ls_iter += 1
    return _Bracket([0, t], [f, f_new], [g, g_new], None), False, ls_iter, evals


def _next_trial_step(bracket: _Bracket, insuf_progress: bool) -> tuple[Any, bool]:
    """The cubic's minimizer in the bracket, pushed away from its ends when progress is too slow."""
    assert bracket.gtd is not None  # (a bracket of two ends)
    t = _cubic_interpolate(bracket.t[0], bracket.f[0], bracket.gtd[0], bracket.t[1], bracket.f[1], bracket.gtd[1])
    high, low = max(bracket.t), min(bracket.t)
    eps = 0.1 * (high - low)
    if min(high - t, t - low) < eps:
        if insuf_progress or t >= high or t <= low:
            t = high - eps if abs(t - high) < abs(t - low) else low + eps
            return t, False
        return t, True
    return t, False


def _strong_wolfe(obj_func: Callable, x: list, t: Any, d: Tensor, f: float, g: Tensor, gtd: Any, c1: float = 1e-4,
                  c2: float = 0.9, tolerance_change: float = 1e-9, max_ls: int = 25) -> tuple:
    """A line search along ``d`` for a step satisfying the strong Wolfe conditions: returns
    ``(loss, flat_grad, t, evaluations)`` at the step it settles on."""
    d_norm = d.abs().max()
    bracket, done, ls_iter, evals = _bracket_phase(obj_func, x, t, d, f, g.clone(), gtd, c1, c2, max_ls)
    insuf_progress = False
    low_pos, high_pos = bracket.low_high()
    while not done and ls_iter < max_ls:
        if abs(bracket.t[1] - bracket.t[0]) * d_norm < tolerance_change:
            break
        t, insuf_progress = _next_trial_step(bracket, insuf_progress)
        f_new, g_new = obj_func(x, t, d)
        evals += 1
        gtd_new = g_new.dot(d)
        ls_iter += 1
        if f_new > (f + c1 * t * gtd) or f_new >= bracket.f[low_pos]:
            bracket.set(high_pos, t, f_new, g_new.clone(), gtd_new)
            low_pos, high_pos = bracket.low_high()
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True
            elif gtd_new * (bracket.t[high_pos] - bracket.t[low_pos]) >= 0:
                bracket.set(high_pos, bracket.t[low_pos], bracket.f[low_pos], bracket.g[low_pos], bracket.gtd[low_pos])
            bracket.set(low_pos, t, f_new, g_new.clone(), gtd_new)
    return bracket.f[low_pos], bracket.g[low_pos], bracket.t[low_pos], evals


class LBFGS(Optimizer):
    """Implements the L-BFGS algorithm, as ``torch.optim.LBFGS`` (one parameter group; real parameters).

    Each ``step(closure)`` runs up to ``max_iter`` iterations: a direction from the two-loop
    recursion over the last ``history_size`` (step, gradient change) pairs, then a step of ``lr``
    (the first scaled by ``min(1, 1 / |g|_1)``) or, with ``line_search_fn="strong_wolfe"``, the
    step a strong-Wolfe line search settles on. It stops early when the gradient, the step or the
    loss change fall under the tolerances, or after ``max_eval`` closure calls.

    Args:
        params: the tensors to optimize.
        lr: learning rate (default: 1).
        max_iter: iterations per ``step`` (default: 20).
        max_eval: closure evaluations per ``step`` (default: ``max_iter * 5 // 4``).
        tolerance_grad: stop when the largest gradient element is at most this (default: 1e-7).
        tolerance_change: stop when the step or the loss change is under this (default: 1e-9).
        history_size: how many update pairs to keep (default: 100).
        line_search_fn: ``"strong_wolfe"`` or None (default: None).
    """

    def __init__(self, params: Iterable[Any], lr: float = 1, max_iter: int = 20, max_eval: int | None = None,
                 tolerance_grad: float = 1e-7, tolerance_change: float = 1e-9, history_size: int = 100,
                 line_search_fn: str | None = None) -> None:
        _check_lr(lr)
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        defaults = dict(lr=lr, max_iter=max_iter, max_eval=max_eval, tolerance_grad=tolerance_grad,
                        tolerance_change=tolerance_change, history_size=history_size, line_search_fn=line_search_fn)
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        self._params = self.param_groups[0]["params"]
        self._numel_cache: int | None = None

    def _numel(self) -> int:
        numel = self._numel_cache
        if numel is None:
            numel = self._numel_cache = sum(p.numel() for p in self._params)
        return numel

    def _gather_flat_grad(self) -> Tensor:
        return cat([p.new_zeros(p.numel()) if p.grad is None else p.grad.reshape(-1) for p in self._params], 0)

    def _add_grad(self, step_size: Any, update: Tensor) -> None:
        offset = 0
        for p in self._params:
            numel = p.numel()
            p.add_(update[offset:offset + numel].view_as(p), alpha=_scalar(step_size))
            offset += numel

    def _clone_param(self) -> list:
        return [p.clone() for p in self._params]

    def _set_param(self, params_data: list) -> None:
        for p, data in zip(self._params, params_data):
            p.copy_(data)

    def _directional_evaluate(self, closure: Callable, x: list, t: Any, d: Tensor) -> tuple[float, Tensor]:
        """The loss and gradient at ``x + t d``; the parameters are put back to ``x`` afterwards."""
        self._add_grad(t, d)
        with enable_grad():
            loss = float(closure())
        flat_grad = self._gather_flat_grad()
        self._set_param(x)
        return loss, flat_grad

    @no_grad()
    def step(self, closure: Callable[[], Any]) -> Any:  # type: ignore[override]  # (L-BFGS needs the closure, as torch's)
        """Perform up to ``max_iter`` L-BFGS iterations; ``closure`` clears the gradients, re-evaluates
        the model, calls ``backward`` and returns the loss. Returns the loss of the first evaluation."""
        group = self.param_groups[0]
        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)
        with enable_grad():
            orig_loss = closure()
        loss = float(orig_loss)
        state["func_evals"] += 1
        flat_grad = self._gather_flat_grad()
        if flat_grad.abs().max() <= group["tolerance_grad"]:
            return orig_loss
        self._iterate(closure, group, state, loss, flat_grad)
        return orig_loss

    def _iterate(self, closure: Callable, group: dict, state: dict, loss: float, flat_grad: Tensor) -> None:
        """The iterations of one ``step``; what the next step needs is left in ``state``."""
        lr, max_iter, max_eval = _scalar(group["lr"]), group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        d, t, prev_flat_grad, prev_loss = state.get("d"), state.get("t"), state.get("prev_flat_grad"), state.get("prev_loss")
        history = {key: state.get(key) for key in ("old_dirs", "old_stps", "ro", "H_diag")}
        current_evals, n_iter = 1, 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1
            d = self._direction(state, history, flat_grad, d, t, prev_flat_grad, group["history_size"])
            if prev_flat_grad is None:
                prev_flat_grad = flat_grad.clone()
            else:
                prev_flat_grad.copy_(flat_grad)
            prev_loss = loss
            t = min(1.0, 1.0 / flat_grad.abs().sum()) * lr if state["n_iter"] == 1 else lr
            gtd = flat_grad.dot(d)
            if gtd > -tolerance_change:
                break
            loss, flat_grad, t, ls_func_evals, opt_cond = self._take_step(
                closure, group, loss, flat_grad, t, d, gtd, max_eval - current_evals, n_iter != max_iter)
            current_evals += ls_func_evals
            state["func_evals"] += ls_func_evals
            if (n_iter == max_iter or current_evals >= max_eval or opt_cond
                    or d.mul(t).abs().max() <= tolerance_change or abs(loss - prev_loss) < tolerance_change):
                break
        state.update(d=d, t=t, **history, prev_flat_grad=prev_flat_grad, prev_loss=prev_loss)  # torch's key order

    def _direction(self, state: dict, history: dict, flat_grad: Tensor, d: Tensor | None, t: Any, prev_flat_grad: Tensor | None,
                   history_size: int) -> Tensor:
        """The quasi-Newton direction: the steepest descent at first, then the two-loop recursion over the
        history (updated with the last step when its curvature ``y.s`` is positive enough)."""
        if state["n_iter"] == 1:
            history.update(old_dirs=[], old_stps=[], ro=[], H_diag=1)
            return flat_grad.neg()
        assert d is not None and prev_flat_grad is not None  # (the first iteration set them)
        old_dirs, old_stps, ro = history["old_dirs"], history["old_stps"], history["ro"]
        y = flat_grad.sub(prev_flat_grad)
        s = d.mul(t)
        ys = y.dot(s)
        if ys > 1e-10:
            if len(old_dirs) == history_size:
                old_dirs.pop(0), old_stps.pop(0), ro.pop(0)
            old_dirs.append(y)
            old_stps.append(s)
            ro.append(1.0 / ys)
            history["H_diag"] = ys / y.dot(y)
        if "al" not in state:
            state["al"] = [None] * history_size
        al = state["al"]
        q = flat_grad.neg()
        for i in range(len(old_dirs) - 1, -1, -1):
            al[i] = old_stps[i].dot(q) * ro[i]
            q.add_(old_dirs[i], alpha=-al[i].item())
        r = mul(q, history["H_diag"])
        for i in range(len(old_dirs)):
            be_i = old_dirs[i].dot(r) * ro[i]
            r.add_(old_stps[i], alpha=(al[i] - be_i).item())
        return r

    def _take_step(self, closure: Callable, group: dict, loss: float, flat_grad: Tensor, t: Any, d: Tensor,
                   gtd: Any, max_ls: int, evaluate: bool) -> tuple:
        """Move the parameters along ``d``: by ``t``, or by what the line search finds. Returns
        ``(loss, flat_grad, t, evaluations, optimal)``; without a line search the closure is evaluated
        again only when ``evaluate`` (not on the last iteration)."""
        tolerance_grad, line_search_fn = group["tolerance_grad"], group["line_search_fn"]
        if line_search_fn is not None:
            if line_search_fn != "strong_wolfe":
                raise RuntimeError("only 'strong_wolfe' is supported")
            x_init = self._clone_param()

            def obj_func(x: list, step: Any, direction: Tensor) -> tuple[float, Tensor]:
                return self._directional_evaluate(closure, x, step, direction)

            loss, flat_grad, t, evals = _strong_wolfe(obj_func, x_init, t, d, loss, flat_grad, gtd, max_ls=max_ls)
            self._add_grad(t, d)
            return loss, flat_grad, t, evals, bool(flat_grad.abs().max() <= tolerance_grad)
        self._add_grad(t, d)
        if not evaluate:
            return loss, flat_grad, t, 0, False
        with enable_grad():
            loss = float(closure())
        flat_grad = self._gather_flat_grad()
        return loss, flat_grad, t, 1, bool(flat_grad.abs().max() <= tolerance_grad)
