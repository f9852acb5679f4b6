"""``Op``: one primitive differentiable operation, and the graph node it leaves behind.

An op is a small class (DeZero's and Chainer's design)::

    class Mul(Op):
        '''d(x*y) = y dx + x dy'''
        broadcasting = True

        def forward(ctx, x, y):          # backend arrays in, array out; use ctx.xp
            ctx.save_for_backward(x, y)
            return x * y

        def backward(ctx, grad):         # microtorch Tensors in and out
            x, y = ctx.saved_tensors
            return grad * y, grad * x

``Mul.apply(a, b)`` runs ``forward`` on the tensors' arrays and, when gradients
are wanted, keeps the op object as the result's ``grad_fn``: the node remembers
where each input came from (``next_edges``) and what ``forward`` saved. Because
``backward`` is written with Tensor operations, running it with recording on
(``create_graph=True``) builds the graph of the gradient itself, which is how
higher-order gradients come for free.

Arrays saved in ``forward`` come back from ``saved_tensors`` as the input
Tensors they were taken from (so double backward reaches them), as the output
Tensor, or as constants for anything else.
"""
from __future__ import annotations

import threading
import weakref
from typing import Any

from . import anomaly_mode, grad_mode

Tensor: Any = None  # set by microtorch._tensor (it needs this module first)



class _DrawingState(threading.local):
    """What this thread's recorded ops also note for pictures (per thread, as grad mode)."""

    #: ops also keep what pictures show beyond what autograd needs (``microtorch.viz.record_details()``)
    details = False

    def __init__(self) -> None:
        #: the Modules whose forward is running, outermost first (``nn.Module.__call__`` pushes and pops);
        #: recorded ops remember the innermost and the outermost one, so pictures can name and group them
        self.module_stack: list = []


drawing = _DrawingState()
#: whether any thread has ever switched ``drawing.details`` on (``viz.record_details``): until then recording
#: skips reading the thread-local flag
details_switched_on = False
_grad_state = grad_mode.state  # bound once: Op.apply reads it on every call

_new = object.__new__
#: ``needs_input_grad`` of an op with n < 4 inputs, indexed by n, then by the mask whose bit i says input i requires
#: grad (shared tuples: no tuple built per op)
_NEEDS_BY_MASK = [[tuple(bool(mask >> i & 1) for i in range(n)) for mask in range(1 << n)] for n in range(4)]
_PLAIN = frozenset((type(None), int, float, bool))  # saved values that need no resolving or unpacking


class NoGradView:
    """The ``_view_maker`` of a view made under no_grad of a tensor that requires grad, and of views of it
    (``ops.views``): as in torch it requires grad but is a leaf whose gradient goes nowhere (its edge is None), an
    in-place op on it while recording is refused, and once its base has changed in place (``version``: the base's
    version when the view was made) using it while recording raises."""

    __slots__ = ("version",)

    def __init__(self, version: int) -> None:
        self.version = version


#: set by ``microtorch.func.vmap`` while it runs: ``(op class, inputs, params) -> outputs`` for ops with
#: vmapped inputs (their batching rule), NotImplemented for the rest
vmap_dispatch: Any = None

#: elementwise results of at least this many elements are computed by the backend's ``ufunc`` (the pointwise
#: table, unrecorded arithmetic, tanh), which the NumPy backend splits across its intra-op threads;
#: a huge value: never. The NumPy backend's smallest threshold (``backends._threads.threshold_costly``):
#: beyond it the backend decides by the ufunc's cost
PARALLEL_FROM = 1 << 15

#: ``SumToSize.apply`` (set by ``ops.reduce``): the engine sums broadcast gradients back with the op itself,
#: the shapes being known valid
sum_to_shape: Any = None


class _SavedOutput(weakref.ref):
    """Placeholder in ``saved`` for the op's own output: a weak reference to the output Tensor (a strong one would
    be a cycle) that also keeps its array (one object per saved output, not a placeholder and a weakref)."""

    __slots__ = ("array", "index", "version")
    array: Any
    index: int
    version: int


class Op:
    """Base class of primitive ops; an applied instance is a node of the autograd graph."""

    __slots__ = (
        "xp", "device", "next_edges", "needs_input_grad", "saved", "_saved_versions", "n_outputs", "params",
        "__dict__", "__weakref__",
    )
    xp: Any  # the backend's array namespace
    device: Any
    next_edges: list  # per input: (node or leaf Tensor, output number), None for an input without grad
    needs_input_grad: tuple
    saved: Any
    _saved_versions: Any
    n_outputs: int
    params: dict
    # set on few nodes, so they default here rather than being stored on every node
    input_shapes: tuple | None = None  # inputs' shapes when they differ from the output's (broadcasting)
    _pre_hooks: dict | None = None  # tensor hooks on this node's outputs
    module: Any = None  # the innermost Module whose forward recorded this op
    root_module: Any = None  # the outermost one
    _output_meta: tuple = ()  # (shape, dtype) of each output of a multi-output op

    #: elementwise over broadcast inputs: the engine sums each gradient back to its input's shape
    broadcasting = False
    #: the backward is not itself differentiable (``create_graph=True`` raises)
    once_differentiable = False
    #: the NumPy-style ufunc of a binary arithmetic op (fast unrecorded calls and in-place updates use it)
    ufunc: str | None = None
    #: a multi-output op's backward gets zeros for outputs nobody used (``False``: it gets ``None``)
    materialize_grads = True
    #: computes complex inputs correctly (``ops/complex.py`` lists the ops that do); the others refuse them
    supports_complex = False
    #: holomorphic: for a complex gradient g, torch's input gradient g * conj(f'(z)) is conj(backward(conj(g))), the
    #: real formula evaluated at z itself (so branch cuts fall as torch's); ``_input_grads`` applies it
    holomorphic = False

    # ---- what an op defines ------------------------------------------------------
    def forward(self, *arrays: Any, **params: Any) -> Any:
        raise NotImplementedError

    def backward(self, *grads: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} is not differentiable")

    # ---- helpers ops use -----------------------------------------------------------
    def save_for_backward(self, *arrays: Any) -> None:
        """Keep ``arrays`` (inputs, the output or other arrays) for ``backward``."""
        self.saved = arrays

    @property
    def saved_tensors(self) -> tuple:
        saved = self.saved
        if saved is None:
            _raise_freed()
        if not saved:
            return ()
        values = []
        for item, expected in zip(saved, self._saved_versions):
            if type(item) in _PLAIN:
                values.append(item)
            elif isinstance(item, Tensor) and (expected is None or expected == (
                    item._base if item._base is not None else item)._version):
                values.append(item)  # an input, unchanged since it was saved (the commonest case, inline)
            else:
                values.append(self._unpack(item, expected))
        return tuple(values)

    def saved_arrays(self) -> tuple:
        """What forward saved as arrays (numbers as themselves), with ``saved_tensors``' checks: for first-order
        formulas that compute on the arrays (no Tensor made for a saved output only to be unwrapped again)."""
        saved = self.saved
        if saved is None:
            _raise_freed()
        values = []
        for item, expected in zip(saved, self._saved_versions):
            kind = type(item)
            if kind in _PLAIN:
                values.append(item)
            elif kind is _SavedOutput:
                self._check_output_unchanged(item)
                values.append(item.array)
            elif isinstance(item, Tensor):
                values.append(self._unpack(item, expected)._data)
            else:
                values.append(item)  # a constant array
        return tuple(values)

    def _check_output_unchanged(self, item: _SavedOutput) -> None:
        """Raise torch's in-place error if this op's saved output was modified after forward."""
        out = item()
        if out is not None and (out._base if out._base is not None else out)._version != item.version:
            raise RuntimeError(
                f"one of the variables needed for gradient computation has been modified by an inplace "
                f"operation: the output of {self.name()} was changed after it was saved for backward."
            )

    def _unpack(self, item: Any, expected: int | None) -> Any:
        if isinstance(item, Tensor):
            version = (item._base if item._base is not None else item)._version
            if expected is not None and version != expected:
                raise RuntimeError(
                    f"one of the variables needed for gradient computation has been modified by an inplace "
                    f"operation: [{item.dtype.name} {list(item.shape)}] is at version {version}; expected version "
                    f"{expected} instead. Hint: the operation that saved it is {self.name()}."
                )
            return item
        if isinstance(item, _SavedOutput):
            self._check_output_unchanged(item)
            if grad_mode.state.enabled:  # create_graph: the output stays connected to this node
                return Tensor._make(item.array, self.device, True, self, item.index)
            return Tensor._make(item.array, self.device)
        if hasattr(item, "shape"):
            return Tensor._make(item, self.device)
        return item

    # ---- applying ------------------------------------------------------------------
    @classmethod
    def apply(cls, *inputs: Any, **params: Any) -> Any:
        """Run the op on Tensors (and Python scalars) and record it when gradients are wanted."""
        if vmap_dispatch is not None and (out := vmap_dispatch(cls, inputs, params)) is not NotImplemented:
            return out  # (ops with vmapped inputs run their batching rule)
        device = None
        arrays = []
        mask, bit = 0, 1  # bit i of mask: input i requires grad
        for x in inputs:
            if isinstance(x, Tensor):
                data = x._data
                if device is None:
                    device = x._device
                elif x._device is not device:
                    _raise_device_mismatch(cls, device, x._device)
                if data.dtype.kind == "c" and not cls.supports_complex:
                    _refuse_complex(cls, data.dtype.name)
                arrays.append(data)
                if x._requires_grad:
                    mask |= bit
            else:
                if type(x) is complex and not cls.supports_complex:
                    _refuse_complex(cls, "complex64")
                arrays.append(x)
            bit <<= 1
        if device is None:
            raise TypeError(f"{cls.__name__} needs at least one Tensor argument")
        recording = mask != 0 and _grad_state.enabled
        op = _new(cls)
        op.device = device
        backend = device._backend or device.backend  # (None: not cached yet, or its type was registered again)
        op.xp = backend.xp
        n = len(inputs)  # (forward may skip saving what no gradient needs)
        op.needs_input_grad = _NEEDS_BY_MASK[n][mask if recording else 0] if n < 4 else _needs_of(inputs, recording)
        op.saved = ()
        try:
            if device.index is None:  # a host device: nothing to switch
                out = op.forward(*arrays, **params)
            else:  # e.g. cuda:1: CuPy computes on its current device, so make it this one
                with backend.on_device(device.index):
                    out = op.forward(*arrays, **params)
        except ValueError as e:  # NumPy reports shape problems as ValueError; torch as RuntimeError
            raise RuntimeError(_shape_error_message(cls, arrays, e)) from None

        if type(out) is tuple:
            return op._outputs(inputs, arrays, out, recording, params)
        if not recording or out.dtype.kind not in "fcV":  # only floating results carry gradients (V: bfloat16)
            return Tensor._make(out, device)
        op.params = params
        result = Tensor._make(out, device, True, op, 0)
        op._record(inputs, arrays, (out,), (result,))
        return result

    def _outputs(self, inputs, arrays, outs: tuple, recording: bool, params: dict) -> tuple:
        """The Tensors of a multi-output op (the floating ones linked to this node when recording)."""
        device = self.device
        if not recording:
            return tuple([Tensor._make(o, device) for o in outs])
        self.params = params
        results = tuple([Tensor._make(o, device, True, self, i) if o.dtype.kind in "fcV" else Tensor._make(o, device)
                         for i, o in enumerate(outs)])
        self._output_meta = tuple([(o.shape, o.dtype) for o in outs])
        self._record(inputs, arrays, outs, results)
        return results

    def _record(self, inputs, arrays, outs, results) -> None:
        """Link this node into the graph: edges to the inputs' nodes, resolved saved values."""
        edges: list = []  # (a loop, not a comprehension: ops have one to three inputs, and a comprehension is a call)
        for x, need in zip(inputs, self.needs_input_grad):
            if need:
                node = x._grad_fn
                if x._base is not None and type(getattr(x, "_view_maker", None)) is NoGradView:
                    edges.append(_no_grad_view_edge(x, node))
                elif node is not None:
                    edges.append((node, x._output_nr))
                else:
                    edges.append((x, 0))
            else:
                edges.append(None)
        self.next_edges = edges
        self.n_outputs = len(outs)
        thread_drawing = drawing
        if details_switched_on and thread_drawing.details:  # (a global first: a thread-local read costs more)
            self._record_details(inputs, outs)
        module_stack = thread_drawing.module_stack
        if module_stack:
            self.module, self.root_module = module_stack[-1], module_stack[0]
        if anomaly_mode.enabled:
            self.creation_trace = anomaly_mode.creation_trace()
        if self.broadcasting:
            out_shape = outs[0].shape
            for x in inputs:
                if isinstance(x, Tensor) and x._data.shape != out_shape:
                    self.input_shapes = tuple([x._data.shape if isinstance(x, Tensor) else None for x in inputs])
                    break
        if self.saved:
            self._resolve_saved(inputs, arrays, outs, results)
        else:
            self._saved_versions = ()

    def _resolve_saved(self, inputs, arrays, outs, results) -> None:
        """Saved arrays become the input Tensors they came from (with their version), the output
        (as ``_SavedOutput``, to avoid a reference cycle), or stay constants."""
        resolved = []
        versions: list = []
        for item in self.saved:
            version = None
            if type(item) in _PLAIN:  # None and Python numbers stay as they are
                resolved.append(item)
                versions.append(None)
                continue
            # where item is among the outputs (-1: not there), the single output decided inline
            k = 0 if item is outs[0] else -1 if len(outs) == 1 else _position(item, outs)
            if k >= 0:
                s = _SavedOutput(results[k])
                s.array, s.index, s.version = item, k, 0
                item = s
            else:
                for x, a in zip(inputs, arrays):
                    if a is item and isinstance(x, Tensor):
                        item = x
                        break
                if isinstance(item, Tensor):
                    base = item._base
                    version = (item if base is None else base)._version
            resolved.append(item)
            versions.append(version)
        self.saved = resolved
        self._saved_versions = versions

    def _record_details(self, inputs, outs) -> None:
        """For pictures: the inputs without grad (a Python number as itself, a tensor as its shape, dtype,
        device and one-element value, never its array) and the outputs' shapes, dtypes, one-element values."""
        def small(a):
            return a.copy() if a.size == 1 else None

        self.constants = {
            i: (x._data.shape, x._data.dtype, x._device, small(x._data)) if isinstance(x, Tensor) else x
            for i, x in enumerate(inputs) if not (isinstance(x, Tensor) and x._requires_grad)
        }
        self.outputs_meta = tuple((o.shape, o.dtype, small(o)) for o in outs)

    # ---- what the engine calls -------------------------------------------------------
    def _input_grads(self, grads: list) -> tuple:
        """Gradients for each input from gradients of each output (missing ones are zeros)."""
        if self.n_outputs == 1:
            if self.holomorphic and grads[0]._data.dtype.kind == "c":
                result = _conjugated(_as_tuple(self.backward(grads[0].conj())))
            else:
                result = self.backward(grads[0])
        else:
            for i, g in enumerate(grads):
                if g is None and self.materialize_grads:
                    shape, dtype = self._output_meta[i]
                    grads[i] = Tensor._make(self.xp.zeros(shape, dtype), self.device)
            result = self.backward(*grads)
        if type(result) is not tuple:
            result = (result,)
        if len(result) != len(self.next_edges):
            raise RuntimeError(
                f"function {self.name()} returned an incorrect number of gradients (expected "
                f"{len(self.next_edges)}, got {len(result)})"
            )
        shapes = self.input_shapes
        if shapes is not None:
            result = tuple([
                g if g is None or s is None or g._data.shape == s else sum_to_shape(g, shape=s)
                for g, s in zip(result, shapes)
            ])
        return result

    def release(self) -> None:
        """Free what forward saved (after backward, unless ``retain_graph=True``)."""
        self.saved = None

    # ---- inspection (viz, repr) --------------------------------------------------------
    def name(self) -> str:
        return type(self).__name__ + "Backward"

    @property
    def next_functions(self) -> tuple:
        """torch-style ``((node_or_leaf, output_nr), ...)``; a leaf tensor stands where torch has AccumulateGrad."""
        return tuple(e if e is not None else (None, 0) for e in getattr(self, "next_edges", ()))

    def register_prehook(self, output_nr: int, hook) -> None:
        """Call ``hook(grad)`` on the gradient of output ``output_nr`` before backward (tensor hooks)."""
        if self._pre_hooks is None:
            self._pre_hooks = {}
        self._pre_hooks.setdefault(output_nr, []).append(hook)

    def __repr__(self) -> str:
        return f"<{self.name()} object at {id(self):#x}>"


# ---- custom functions (torch.autograd.Function) -----------------------------------------------------
class FunctionCtx(Op):
    """The ``ctx`` of a custom :class:`Function` and, once applied, its node in the graph."""

    function: Any  # the Function subclass (set by Function.apply)
    non_differentiable: tuple[Any, ...] = ()  # (mark_non_differentiable sets it)
    _input_meta: tuple  # (shape, dtype) of each Tensor input, None for the rest

    def save_for_backward(self, *tensors: Any) -> None:
        """Keep Tensors (or None) for ``backward``; read them back with ``ctx.saved_tensors``."""
        self.saved = tensors

    def mark_non_differentiable(self, *tensors: Any) -> None:
        """These outputs never require grad (e.g. indices)."""
        self.non_differentiable = tensors

    def set_materialize_grads(self, value: bool) -> None:
        """With False, ``backward`` receives None (not zeros) for outputs that got no gradient."""
        self.materialize_grads = value

    def mark_dirty(self, *tensors: Any) -> None:
        raise NotImplementedError("custom Functions that modify their inputs in place are not supported")

    def backward(self, *grads: Any) -> Any:
        return self.function.backward(self, *grads)

    def name(self) -> str:
        return self.function.__name__ + "Backward"

    def _input_grads(self, grads: list) -> tuple:
        if self.materialize_grads:
            return self._checked(super()._input_grads(grads))
        result = self.backward(*grads)
        return self._checked(result if type(result) is tuple else (result,))

    def _checked(self, grads: tuple) -> tuple:
        """torch validates what a custom backward returns: count, shapes, dtypes."""
        if len(grads) != len(self._input_meta):
            raise RuntimeError(
                f"function {self.name()} returned an incorrect number of gradients (expected "
                f"{len(self._input_meta)}, got {len(grads)})"
            )
        fixed = []
        for i, (g, meta) in enumerate(zip(grads, self._input_meta)):
            if g is None or meta is None:
                fixed.append(None if meta is None else g)
                continue
            if not isinstance(g, Tensor):
                raise TypeError(f"function {self.name()} returned a {type(g).__name__} as gradient {i}, expected a Tensor or None")
            shape, dtype = meta
            if tuple(g.shape) != shape:
                try:
                    g = g.sum_to_size(shape)
                except RuntimeError:
                    raise RuntimeError(
                        f"Function {self.name()} returned an invalid gradient at index {i} - got {list(g.shape)} but "
                        f"expected shape compatible with {list(shape)}"
                    ) from None
            if g.dtype is not dtype:
                g = g.to(dtype)
            fixed.append(g)
        return tuple(fixed)


def once_differentiable(backward):
    """Decorate a custom ``backward`` that is not itself differentiable: it runs without recording,
    and ``create_graph=True`` through it raises a clear error."""
    import functools

    @functools.wraps(backward)
    def wrapper(ctx, *grads):
        with grad_mode.no_grad():
            return backward(ctx, *grads)

    wrapper.once_differentiable = True  # type: ignore[attr-defined]  # a marker on the function object
    return wrapper


class Function:
    """Define a differentiable function by its forward and backward, on Tensors (``torch.autograd.Function``)::

        class Exp(Function):
            @staticmethod
            def forward(ctx, x):
                y = x.exp()
                ctx.save_for_backward(y)
                return y

            @staticmethod
            def backward(ctx, grad):
                (y,) = ctx.saved_tensors
                return grad * y

        y = Exp.apply(x)
    """

    @staticmethod
    def forward(ctx: FunctionCtx, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("a custom Function must define forward(ctx, *args)")

    @staticmethod
    def backward(ctx: FunctionCtx, *grad_outputs: Any) -> Any:
        raise NotImplementedError("a custom Function must define backward(ctx, *grad_outputs) to be differentiated")

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        ctx = FunctionCtx()
        ctx.function = cls
        recording = grad_mode.state.enabled
        ctx.needs_input_grad = tuple(isinstance(a, Tensor) and recording and a._requires_grad for a in args)
        ctx.saved = ()
        ctx.materialize_grads = True
        ctx.once_differentiable = getattr(cls.backward, "once_differentiable", False)
        device = next((a._device for a in args if isinstance(a, Tensor)), None)
        if device is not None:
            ctx.device, ctx.xp = device, device.backend.xp
        with grad_mode.no_grad():  # forward is one node: its inner ops are not recorded
            if cls.setup_context is not Function.setup_context:
                output = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, output)
            else:
                output = cls.forward(ctx, *args, **kwargs)
        if True not in ctx.needs_input_grad:
            return output
        single = not isinstance(output, tuple)
        outs = (output,) if single else output
        results = tuple(
            Tensor._make(o._data, o._device, True, ctx, i)
            if isinstance(o, Tensor) and o._data.dtype.kind in "fcV" and not any(o is n for n in ctx.non_differentiable)
            else o
            for i, o in enumerate(outs)
        )
        ctx._input_meta = tuple((tuple(a.shape), a.dtype) if isinstance(a, Tensor) else None for a in args)
        ctx._output_meta = tuple((o._data.shape, o._data.dtype) if isinstance(o, Tensor) else ((), "float32") for o in outs)
        # saved inputs and outputs are matched by array, as for primitive ops
        ctx.saved = tuple(_array_if_in(t, args + outs) for t in ctx.saved)
        arrays = [a._data if isinstance(a, Tensor) else a for a in args]
        out_arrays = tuple(o._data if isinstance(o, Tensor) else o for o in outs)
        ctx._record(args, arrays, out_arrays, results)
        return results[0] if single else results

    @staticmethod
    def setup_context(ctx: FunctionCtx, inputs: tuple, output: Any) -> None:  # torch's newer style
        raise NotImplementedError


def _array_if_in(t: Any, tensors: tuple) -> Any:
    """A saved input or output is kept as its array (resolved like a primitive op's saves)."""
    return t._data if isinstance(t, Tensor) and any(t is x for x in tensors) else t


def backend_of(device: Any) -> Any:
    """The backend serving ``device``: the one it cached, else the registry's (``register_backend`` empties the
    cache of a device type it registers again, so reading ``device._backend`` alone is never enough)."""
    backend = device._backend
    return backend if backend is not None else device.backend


def common_device(cls: Any, a: Any, b: Any) -> Any:
    """The device of two operands (Tensors or scalars, at least one a Tensor): torch's error if they differ.
    ``Op.apply`` does the same check inline over any number of inputs."""
    if not isinstance(a, Tensor):
        return b._device
    if isinstance(b, Tensor) and b._device is not a._device:
        _raise_device_mismatch(cls, a._device, b._device)
    return a._device


_TORCH_COMPLEX_NAMES = {"complex64": "ComplexFloat", "complex128": "ComplexDouble"}


def _refuse_complex(cls: Any, dtype_name: str) -> None:
    """torch's NotImplementedError for an op without a complex kernel (the one check for every op)."""
    raise NotImplementedError(f"\"{cls.__name__}\" not implemented for '{_TORCH_COMPLEX_NAMES.get(dtype_name, dtype_name)}' "
                              "(microtorch's complex support covers arithmetic, exp/log/sqrt/trigonometric functions, "
                              "sum/mean/prod, matmul, comparisons for equality, views and indexing)")


def refuse_complex(x: Any, message: str, error: type = RuntimeError) -> None:
    """torch's error (``message``) for a complex tensor ``x`` given to a function with no complex version."""
    if isinstance(x, Tensor) and x._data.dtype.kind == "c":
        raise error(message)


def _as_tuple(value: Any) -> tuple:
    return value if type(value) is tuple else (value,)


def _conjugated(values: tuple) -> tuple:
    """``values`` with complex tensors conjugated (the rest unchanged)."""
    return tuple([v.conj() if isinstance(v, Tensor) and v._data.dtype.kind == "c" else v for v in values])


def _position(item: Any, values: tuple) -> int:
    """Where ``item`` itself (not an equal value) is in ``values``; -1 if nowhere."""
    for k, value in enumerate(values):
        if value is item:
            return k
    return -1


def _needs_of(inputs: tuple, recording: Any) -> tuple:
    """``needs_input_grad`` of an op with many inputs."""
    return tuple([bool(recording) and isinstance(x, Tensor) and x._requires_grad for x in inputs])


def _raise_freed() -> None:
    raise RuntimeError(
        "Trying to backward through the graph a second time (or directly access saved tensors after "
        "they have already been freed). Saved intermediate values of the graph are freed when you call "
        ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the "
        "graph a second time or if you need to access saved tensors after calling backward."
    )


def _no_grad_view_edge(x, node) -> tuple | None:
    """The edge to ``x``, a view made under no_grad or a view of one made while recording: None for the first (a
    leaf whose gradient goes nowhere, torch's), its node for the second; both refused once their base has changed
    in place."""
    refuse_stale_no_grad_view(x)
    return None if node is None else (node, x._output_nr)


def stale_no_grad_view(x) -> bool:
    """Whether ``x`` is a view made under no_grad (or a view of one) whose base has changed in place since."""
    maker = getattr(x, "_view_maker", None)
    return x._base is not None and type(maker) is NoGradView and x._base._version != maker.version


def no_grad_view_subject(x) -> str:
    """How torch's errors about ``x``, a view made under no_grad or a view of one made while recording, begin."""
    node = x._grad_fn
    if node is None:
        return "A view was"
    return f"Output {x._output_nr} of {type(node).__name__} is a view of a view which was"


def refuse_stale_no_grad_view(x) -> None:
    """torch's error for using ``x`` where ``stale_no_grad_view(x)``."""
    if stale_no_grad_view(x):
        raise RuntimeError(
            f"{no_grad_view_subject(x)} created in no_grad mode and its base or another view of its base has been "
            "modified inplace with grad mode enabled. Given that this use case is ambiguous and error-prone, it is "
            "forbidden. You can clarify your code by moving both the view and the inplace either both inside the "
            "no_grad block (if you don't want the inplace to be tracked) or both outside (if you want the inplace to "
            "be tracked)."
        )


def _raise_device_mismatch(cls, a, b) -> None:
    raise RuntimeError(
        f"Expected all tensors to be on the same device, but found at least two devices, {a} and {b}! "
        f"(in {cls.__name__})"
    )


def _shape_error_message(cls, arrays, error) -> str:
    """torch's wording for operands that do not broadcast, else the backend's message."""
    shapes = [a.shape for a in arrays if hasattr(a, "shape")]
    if cls.broadcasting and len(shapes) >= 2:
        a, b = shapes[0], shapes[1]
        for k in range(1, min(len(a), len(b)) + 1):
            if a[-k] != b[-k] and 1 not in (a[-k], b[-k]):
                dim = max(len(a), len(b)) - k
                return (f"The size of tensor a ({a[-k]}) must match the size of tensor b ({b[-k]}) at non-singleton "
                        f"dimension {dim} (in {cls.__name__}: shapes {list(a)} and {list(b)})")
    return f"{cls.__name__}: {error}"
