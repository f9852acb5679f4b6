"""The backward pass.

1. Walk the graph from the outputs (iteratively: a 100 000-op chain is fine) and
   count, for every node, how many edges point at it.
2. Start from the outputs' gradients. A node runs once all its consumers have
   handed it their gradients (its count has dropped to zero); it turns the
   gradient of its outputs into gradients of its inputs and hands them on.
3. Gradients reaching a leaf are summed into ``leaf.grad``.

With ``inputs`` (``backward(inputs=...)``, ``autograd.grad``) only the nodes from which
one of them can be reached run, as in torch.

Gradient formulas may legitimately give inf or nan (d sqrt(x) at 0): the pass runs
under the backend's ``errstate()``, so NumPy does not warn about them; anomaly mode
checks the values themselves.

Intermediate gradients live only in ``pending`` until their node has run, and
each node frees what it saved as soon as it has run (regrad's principle), so
memory falls while backward proceeds.
"""
from __future__ import annotations

import weakref
from typing import Any, Sequence

from .._device import on_device
from ..backends.base import NO_SWITCH
from . import anomaly_mode, function, grad_mode
from .function import Op


# id(leaf) -> [hook(leaf)], from Tensor.register_post_accumulate_grad_hook; an entry goes with its leaf
post_accumulate_hooks: dict = {}


def add_post_accumulate_hook(leaf: Any, hook: Any) -> list:
    """Register ``hook(leaf)`` to run once ``leaf.grad`` holds this backward's gradient; returns the hook list."""
    hooks = post_accumulate_hooks.get(id(leaf))
    if hooks is None:
        hooks = post_accumulate_hooks[id(leaf)] = []
        weakref.finalize(leaf, post_accumulate_hooks.pop, id(leaf), None)
    hooks.append(hook)
    return hooks


def _hooked_leaf_uses(roots: Sequence[Op], dependencies: dict, inputs: Sequence[Any] | None) -> dict | None:
    """For leaves with post-accumulate hooks: how many edges reach each, so that its gradient can be
    accumulated (and its hooks run) as soon as the last one has delivered, during the pass, as torch's
    AccumulateGrad does (DistributedDataParallel overlaps its all-reduce with the rest of backward so)."""
    if not post_accumulate_hooks:
        return None
    wanted = None if inputs is None else {id(t) for t in inputs}
    uses: dict = {}
    for node in list(roots) + list(dependencies):
        for edge in node.next_edges:
            if edge is not None and not isinstance(edge[0], Op) and id(edge[0]) in post_accumulate_hooks:
                if wanted is None or id(edge[0]) in wanted:
                    uses[edge[0]] = uses.get(edge[0], 0) + 1
    return uses


def _count_dependencies(roots: Sequence[Op]) -> dict:
    """How many edges point at each node reachable from ``roots`` (each node is walked when first reached)."""
    dependencies: dict = {}
    stack = list(roots)
    is_root = set(roots)
    while stack:
        node = stack.pop()
        for edge in node.next_edges:
            if edge is not None:
                target = edge[0]
                count = dependencies.get(target)
                if count is not None:
                    dependencies[target] = count + 1
                elif isinstance(target, Op):  # (not a leaf)
                    dependencies[target] = 1
                    if target not in is_root:
                        stack.append(target)
    return dependencies


def _leading_to(ready: list, dependencies: dict, inputs: Sequence[Any]) -> set:
    """The nodes from which a path of edges reaches one of ``inputs`` (their own nodes included)."""
    order = []  # parents before children (Kahn's order, from the dependency counts)
    remaining = dict(dependencies)
    ready = list(ready)
    while ready:
        node = ready.pop()
        order.append(node)
        for edge in node.next_edges:
            if edge is not None and isinstance(edge[0], Op):
                remaining[edge[0]] -= 1
                if remaining[edge[0]] == 0:
                    ready.append(edge[0])
    wanted = set(inputs)  # leaves, as edge targets
    needed = {t._grad_fn for t in inputs if t._grad_fn is not None}
    for node in reversed(order):  # children first
        if any(edge is not None and (edge[0] in needed if isinstance(edge[0], Op) else edge[0] in wanted)
               for edge in node.next_edges):
            needed.add(node)
    return needed


def run_backward(
    outputs: Sequence[Any],
    grad_outputs: Sequence[Any],
    retain_graph: bool,
    create_graph: bool,
    inputs: Sequence[Any] | None = None,
    accumulate_into_grad: bool = True,
) -> list | None:
    """Backpropagate ``grad_outputs`` from ``outputs``.

    With ``accumulate_into_grad`` the result is summed into leaves' ``.grad``
    (``Tensor.backward``), restricted to ``inputs`` when given; otherwise the
    gradients of ``inputs`` are returned (``autograd.grad``).
    """
    pending, leaf_grads, roots = _seed(outputs, grad_outputs)
    wanted_nodes = _non_leaf_inputs(inputs, accumulate_into_grad)
    captured: dict = {}  # non-leaf input -> its gradient, read off its node (autograd.grad)
    dependencies = _count_dependencies(roots)
    ready = [n for n in roots if n not in dependencies]
    needed = None if inputs is None else _leading_to(ready, dependencies, inputs)
    # leaves with post-accumulate hooks get .grad as soon as their last edge delivers (DDP's overlap)
    early = _EarlyLeaves(_hooked_leaf_uses(roots, dependencies, inputs), grad_outputs, create_graph) \
        if accumulate_into_grad else None
    quiet = outputs[0]._device.backend.errstate() if outputs else NO_SWITCH  # once per pass: it is not free
    with quiet, grad_mode.set_grad_enabled(create_graph):
        _walk(ready, pending, dependencies, leaf_grads, early, needed, wanted_nodes, captured, retain_graph,
              create_graph)
        if not accumulate_into_grad:
            assert inputs is not None  # autograd.grad always names its inputs
            return _gradients_of(inputs, leaf_grads, captured)
        assert early is not None  # (made whenever accumulate_into_grad)
        _accumulate(leaf_grads, inputs, early.handed_out, create_graph)
    return None


def _walk(ready: list, pending: dict, dependencies: dict, leaf_grads: dict, early: "_EarlyLeaves | None",
          needed: set | None, wanted_nodes: dict, captured: dict, retain_graph: bool, create_graph: bool) -> None:
    """Run each node once all its consumers have handed it their gradients, and hand its inputs theirs: a
    node's slot (the node joins ``ready`` when its last consumer has run), or a leaf's running sum."""
    plain = not create_graph and not anomaly_mode.enabled  # nodes on a host device run without _run_node's checks
    while ready:
        node = ready.pop()
        grads = pending.pop(node, None)
        if needed is not None and node not in needed:
            grads = None  # as torch: with ``inputs``, only the nodes that lead to them run
        if grads is not None and (node._pre_hooks or wanted_nodes or len(grads) > 1):
            grads = _before_running(node, grads, wanted_nodes, captured)
        if grads is None:
            input_grads = (None,) * len(node.next_edges)
        elif plain and node.device.index is None:
            input_grads = node._input_grads(grads)
        else:
            input_grads = _run_node(node, grads, create_graph)
        if not retain_graph:
            node.saved = None  # (node.release(), without a call per node)
        for edge, grad in zip(node.next_edges, input_grads):
            if edge is None:
                continue
            target, output_nr = edge
            if isinstance(target, Op):
                if grad is not None:
                    slots = pending.get(target)
                    if slots is None:
                        slots = pending[target] = [None] * target.n_outputs
                    prev = slots[output_nr]
                    slots[output_nr] = grad if prev is None else prev + grad
                remaining = dependencies[target] - 1
                dependencies[target] = remaining
                if remaining == 0:
                    ready.append(target)
            else:
                if grad is not None:
                    prev = leaf_grads.get(target)
                    leaf_grads[target] = grad if prev is None else prev + grad
                if early is not None and early.uses:
                    early.delivered(target, leaf_grads)


def _seed(outputs: Sequence[Any], grad_outputs: Sequence[Any]) -> tuple[dict, dict, list]:
    """The starting gradients: per output node (``pending``), per leaf output (``leaf_grads``), and the roots."""
    pending: dict = {}  # node -> [gradient of each output]
    leaf_grads: dict = {}  # leaf tensor -> gradient
    roots = []
    for out, grad in zip(outputs, grad_outputs):
        node = out._grad_fn
        if node is None:  # a leaf that requires grad: its gradient is the seed itself
            leaf_grads[out] = grad if out not in leaf_grads else leaf_grads[out] + grad
            continue
        if node not in pending:
            pending[node] = [None] * node.n_outputs
            roots.append(node)
        slots = pending[node]
        prev = slots[out._output_nr]
        slots[out._output_nr] = grad if prev is None else prev + grad
    return pending, leaf_grads, roots


def _non_leaf_inputs(inputs: Sequence[Any] | None, accumulate_into_grad: bool) -> dict:
    """Gradients wanted for non-leaf inputs: backward() keeps them in .grad by retain_grad(), as torch does
    (for good); grad() reads them off their node just before it runs, after the tensor hooks (node -> tensors)."""
    wanted_nodes: dict = {}
    for t in inputs or ():
        if t._grad_fn is not None:
            if accumulate_into_grad:
                t.retain_grad()
            else:
                wanted_nodes.setdefault(t._grad_fn, []).append(t)
    return wanted_nodes


def _before_running(node: Op, grads: list, wanted_nodes: dict, captured: dict) -> list | None:
    """Run the tensor hooks of ``node``'s outputs and capture wanted gradients; None if no output got one."""
    if node._pre_hooks:
        _run_prehooks(node, grads)
    if wanted_nodes and node in wanted_nodes:
        for t in wanted_nodes[node]:
            captured[t] = grads[t._output_nr]
    if len(grads) > 1 and all(g is None for g in grads):
        return None
    return grads


def _run_node(node: Op, grads: list, create_graph: bool) -> tuple:
    """The gradients of ``node``'s inputs from those of its outputs."""
    if create_graph and node.once_differentiable:
        raise RuntimeError(
            f"{node.name()} is not twice differentiable; create_graph=True cannot build its gradient's graph"
        )
    if node.device.index is None:
        input_grads = node._input_grads(grads)
    else:  # raw array work in backward (zeros for unused outputs, ...) belongs on the node's device
        with node.device.backend.on_device(node.device.index):
            input_grads = node._input_grads(grads)
    if anomaly_mode.enabled:
        anomaly_mode.check(node, input_grads)
    return input_grads


class _EarlyLeaves:
    """The leaves with post-accumulate hooks (``uses``: how many edges still have to deliver to each), and the
    gradients already handed out (a ``.grad`` must not share memory with them)."""

    def __init__(self, uses: dict | None, grad_outputs: Sequence[Any], create_graph: bool) -> None:
        self.uses: dict = uses or {}  # (empty: no leaf has such a hook)
        self.handed_out: set = {id(g) for g in grad_outputs}
        self.create_graph = create_graph

    def delivered(self, leaf: Any, leaf_grads: dict) -> None:
        if leaf in self.uses:
            self.uses[leaf] -= 1
            if self.uses[leaf] == 0 and leaf in leaf_grads:
                _accumulate_leaf(leaf, leaf_grads.pop(leaf), self.handed_out, self.create_graph)


def _gradients_of(inputs: Sequence[Any], leaf_grads: dict, captured: dict) -> list:
    """``autograd.grad``'s answer: each input's gradient (a leaf's after its hooks), None where none arrived."""
    for t in dict.fromkeys(inputs):  # a leaf's hooks run once, even if it is asked for twice
        if t._hooks and t in leaf_grads:
            leaf_grads[t] = _run_hooks(t._hooks, leaf_grads[t])
    return [leaf_grads.get(t) if t._grad_fn is None else captured.get(t) for t in inputs]


def _accumulate(leaf_grads: dict, inputs: Sequence[Any] | None, handed_out: set, create_graph: bool) -> None:
    """Sum each leaf's gradient, after its hooks, into its ``.grad`` (only ``inputs``' when given)."""
    wanted = None if inputs is None else set(inputs)
    for leaf, grad in leaf_grads.items():
        if wanted is not None and leaf not in wanted:
            continue
        _accumulate_leaf(leaf, grad, handed_out, create_graph)


def _accumulate_leaf(leaf: Any, grad: Any, handed_out: set, create_graph: bool) -> None:
    """Run the leaf's tensor hooks on ``grad``, sum it into ``leaf.grad``, then run its post-accumulate hooks."""
    Tensor = function.Tensor  # (set once _tensor has loaded: an import statement here would run per leaf)
    if leaf._hooks:
        grad = _run_hooks(leaf._hooks, grad)
    if not create_graph:
        # the gradient may also be another leaf's, the caller's seed, or a view of
        # another gradient; .grad must own its memory so in-place updates stay local
        if id(grad) in handed_out or getattr(grad._data, "base", True) is not None:
            if grad._device.index is None:
                grad = Tensor._make(grad._data.copy(), grad._device)
            else:  # CuPy copies onto the current device
                with on_device(grad._device):
                    grad = Tensor._make(grad._data.copy(), grad._device)
        handed_out.add(id(grad))
        grad = grad if grad._grad_fn is None else grad.detach()
    leaf._accumulate_grad(grad)
    for hook in post_accumulate_hooks.get(id(leaf), ()):
        hook(leaf)


def _run_prehooks(node: Op, grads: list) -> None:
    """Tensor hooks of non-leaf outputs; retain_grad's store runs last (torch's order)."""
    for output_nr, hooks in (node._pre_hooks or {}).items():
        if grads[output_nr] is not None:
            hooks = sorted(hooks, key=lambda h: getattr(h, "retains_grad", False))
            grads[output_nr] = _run_hooks(hooks, grads[output_nr])


def _run_hooks(hooks: Sequence[Any], grad: Any) -> Any:
    """Call each ``hook(grad)`` in turn; a hook that returns a tensor replaces the gradient."""
    for hook in hooks:
        replaced = hook(grad)
        if replaced is not None:
            _check_hook_result(hook, grad, replaced)
            grad = replaced
    return grad


def _check_hook_result(hook: Any, grad: Any, replaced: Any) -> None:
    """A replacement gradient keeps the tensor type, device and size (torch's check_variable_result)."""
    from .._tensor import Tensor

    if not isinstance(replaced, Tensor):
        raise TypeError(f"expected Variable, but hook returned '{type(replaced).__name__}'")
    name = getattr(hook, "__name__", type(hook).__name__)
    if replaced.dtype is not grad.dtype or replaced.device.type != grad.device.type:
        raise RuntimeError(f"hook '{name}' has changed the type of value (was {grad.type()} got {replaced.type()})")
    if replaced.shape != grad.shape:
        raise RuntimeError(f"hook '{name}' has changed the size of value")
