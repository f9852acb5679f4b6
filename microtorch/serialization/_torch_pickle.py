"""PyTorch checkpoints, read without torch and without running code, and written for
``torch.load(weights_only=True)``.

``torch.save`` writes a zip archive ``<name>/data.pkl`` (a pickle) with one record
``<name>/data/<key>`` per storage; older versions wrote one stream of pickles followed by the raw
storages (the legacy format). The pickle is read by an unpickler that resolves only the globals
torch's own ``weights_only=True`` loader allows (tensors rebuilt from storages, ``OrderedDict``,
``Counter``, ``set``, dtypes, ``torch.Size``, ``torch.device``, ...) plus those named with
:func:`add_safe_globals`; each resolves to microtorch's own stand-in, never to torch. Any other
global is refused with torch's kind of message naming it.
"""
from __future__ import annotations

import _compat_pickle
import codecs
import collections
import io
import math
import pickle
import struct
import zipfile
from typing import Any, BinaryIO, Callable

from .. import _dtype
from .._device import device as _device_cls
from .._tensor import Tensor
from ..backends import get_backend
from ._files import corrupt
from ._zip import data_offset, map_bytes, read_entry, stored_entry

MAX_PICKLE_BYTES = 256 * 2**20  # data.pkl of a 100 000-tensor state dict is about 10 MiB
MAX_DEPTH = 100
_MAX_EXPANSION_BYTES = 64 * 2**20  # a tensor may reuse stored elements (stride 0) up to this size
_LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
_STORAGE_DTYPES = {
    "DoubleStorage": "float64", "FloatStorage": "float32", "HalfStorage": "float16", "LongStorage": "int64",
    "IntStorage": "int32", "ShortStorage": "int16", "CharStorage": "int8", "ByteStorage": "uint8",
    "BoolStorage": "bool", "UntypedStorage": "uint8", "ComplexFloatStorage": "complex64",
    "ComplexDoubleStorage": "complex128",
}
_DTYPES = {"float64", "float32", "float16", "int64", "int32", "int16", "int8", "uint8", "bool", "complex64", "complex128"}
_TORCH_ONLY_DTYPES = {"bfloat16", "complex32", "uint16", "uint32", "uint64", "float8_e4m3fn", "float8_e5m2",
                      "BFloat16Storage"}

_user_safe_globals: set = set()


# ---- the allow-list ---------------------------------------------------------------------------------------
def add_safe_globals(safe_globals: list) -> None:
    """Allow these classes or functions (or ``(obj, "module.name")`` pairs) in the torch checkpoints
    :func:`microtorch.load` reads, as ``torch.serialization.add_safe_globals``."""
    global _user_safe_globals
    _user_safe_globals = _user_safe_globals | set(safe_globals)


def get_safe_globals() -> list:
    """The globals added with :func:`add_safe_globals`."""
    return list(_user_safe_globals)


def clear_safe_globals() -> None:
    """Forget every global added with :func:`add_safe_globals`."""
    global _user_safe_globals
    _user_safe_globals = set()


class safe_globals:
    """Allow these globals inside a ``with`` block only, as ``torch.serialization.safe_globals``."""

    def __init__(self, safe_globals: list) -> None:
        self.safe_globals = safe_globals

    def __enter__(self) -> None:
        add_safe_globals(self.safe_globals)

    def __exit__(self, *exc: Any) -> None:
        global _user_safe_globals
        _user_safe_globals = _user_safe_globals - set(self.safe_globals)


def _user_allowed() -> dict:
    allowed = {}
    for item in _user_safe_globals:
        obj, path = item if isinstance(item, tuple) else (item, f"{item.__module__}.{item.__qualname__}")
        allowed[path] = obj
    return allowed


class _StorageType:
    """What ``torch.FloatStorage`` (and the other storage classes) stand for: a dtype."""

    def __init__(self, dtype_name: str) -> None:
        self.dtype_name = dtype_name


class _TensorClass:
    """``torch.Tensor`` as a ``_rebuild_from_type_v2`` argument."""


def _rebuild_tensor(storage: Any, storage_offset: int, size: Any, stride: Any) -> Tensor:
    return _tensor_from_storage(storage, storage_offset, size, stride)


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks, metadata=None):
    t = _tensor_from_storage(storage, storage_offset, size, stride)
    if isinstance(t, _Pending):
        t.requires_grad = requires_grad is True
        return t
    return t.requires_grad_(True) if requires_grad is True and t.is_floating_point() else t


def _rebuild_tensor_v3(storage, storage_offset, size, stride, requires_grad, backward_hooks, dtype, metadata=None):
    if not isinstance(dtype, _dtype.dtype):
        raise pickle.UnpicklingError(f"_rebuild_tensor_v3 got {type(dtype).__name__} for its dtype")
    storage = storage.viewed_as(dtype.name)
    return _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks)


def _rebuild_parameter(data, requires_grad, backward_hooks, state=None):
    from ..nn import Parameter

    if isinstance(data, _Pending):
        data.parameter, data.requires_grad = True, bool(requires_grad)
        return data
    if not isinstance(data, Tensor):
        raise pickle.UnpicklingError(f"a Parameter was rebuilt from {type(data).__name__}, not a tensor")
    return Parameter(data.detach(), requires_grad=bool(requires_grad))


def _rebuild_from_type_v2(func, new_type, args, state):
    from ..nn import Parameter

    if func not in _ALLOWED.values() or new_type not in (_TensorClass, Parameter):
        raise pickle.UnpicklingError(f"_rebuild_from_type_v2 of {getattr(new_type, '__name__', new_type)} is not allowed")
    result = func(*args)
    return _rebuild_parameter(result, result.requires_grad, None) if new_type is Parameter else result


def _parameter(data=None, requires_grad=True):
    return _rebuild_parameter(data, requires_grad, None)


def _size(items=()):
    return tuple(int(n) for n in items)


def _torch_device(spec, index=None):
    return _device_cls(spec if index is None else f"{spec}:{index}")


def _encode(text, encoding="utf-8"):
    """``_codecs.encode``, the way protocol 2 stores bytes; only text codecs."""
    if encoding not in ("latin1", "latin-1", "utf-8", "utf8", "ascii") or not isinstance(text, str):
        raise pickle.UnpicklingError(f"_codecs.encode with {encoding!r} is not allowed")
    return codecs.encode(text, encoding)


def _get_layout(name):
    return str(name)


def _allowed_globals() -> dict:
    from ..nn import Parameter

    allowed: dict[str, Any] = {
        "collections.OrderedDict": collections.OrderedDict, "collections.Counter": collections.Counter,
        "torch._utils._rebuild_tensor": _rebuild_tensor, "torch._utils._rebuild_tensor_v2": _rebuild_tensor_v2,
        "torch._utils._rebuild_tensor_v3": _rebuild_tensor_v3, "torch._utils._rebuild_parameter": _rebuild_parameter,
        "torch._utils._rebuild_parameter_with_state": _rebuild_parameter,
        "torch._tensor._rebuild_from_type_v2": _rebuild_from_type_v2,
        "torch.nn.parameter.Parameter": Parameter, "torch.Tensor": _TensorClass, "torch.Size": _size,
        "torch.device": _torch_device, "torch.serialization._get_layout": _get_layout, "_codecs.encode": _encode,
        "builtins.bytearray": bytearray, "builtins.set": set, "builtins.complex": complex,
    }
    for name in _DTYPES:
        allowed[f"torch.{name}"] = _dtype.as_dtype(name)
    for name, dtype_name in _STORAGE_DTYPES.items():
        allowed[f"torch.{name}"] = _StorageType(dtype_name)
    allowed["torch.storage.UntypedStorage"] = allowed["torch.UntypedStorage"]
    allowed["torch.storage.TypedStorage"] = _StorageType("uint8")
    return allowed


_ALLOWED: dict = {}


# ---- reading ---------------------------------------------------------------------------------------------
class _Storage:
    """One storage's elements as a flat array (filled later in the legacy format)."""

    def __init__(self, dtype_name: str, numel: int, location: str, map_location: Any) -> None:
        self.dtype_name, self.numel, self.location, self.map_location = dtype_name, numel, location, map_location
        self.array: Any = None

    def viewed_as(self, dtype_name: str) -> "_Storage":
        itemsize = get_backend("cpu").xp.dtype(dtype_name).itemsize
        if self.array is None or self.array.nbytes % itemsize:
            raise pickle.UnpicklingError(f"an untyped storage of {self.numel} bytes does not hold {dtype_name} elements")
        view = _Storage(dtype_name, self.array.nbytes // itemsize, self.location, self.map_location)
        view.array = self.array.view(dtype_name)
        return view


class _Pending:
    """A tensor of the legacy format, whose storage is read after the pickle."""

    def __init__(self, storage: _Storage, offset: int, size: tuple, stride: tuple) -> None:
        self.storage, self.offset, self.size, self.stride = storage, offset, size, stride
        self.requires_grad, self.parameter = False, False


def _tensor_from_storage(storage: Any, offset: Any, size: Any, stride: Any) -> Any:
    if not isinstance(storage, _Storage):
        raise pickle.UnpicklingError(f"a tensor was rebuilt from {type(storage).__name__}, not a storage")
    size, stride = tuple(size), tuple(stride)
    if not (type(offset) is int and offset >= 0 and len(size) == len(stride)
            and all(type(n) is int and n >= 0 for n in size + stride)):
        raise pickle.UnpicklingError(f"invalid tensor geometry: offset {offset!r}, size {size!r}, stride {stride!r}")
    if math.prod(size) and offset + sum((n - 1) * s for n, s in zip(size, stride)) >= storage.numel:
        raise pickle.UnpicklingError(f"a tensor of size {list(size)} and stride {list(stride)} at offset {offset} "
                                     f"reaches past its storage of {storage.numel} elements")
    if storage.array is None:
        return _Pending(storage, offset, size, stride)
    return _materialize(storage, offset, size, stride)


def _materialize(storage: _Storage, offset: int, size: tuple, stride: tuple) -> Tensor:
    from ._microtorch_format import place

    xp = get_backend("cpu").xp
    flat = storage.array
    numel = math.prod(size)
    contiguous_strides = tuple(math.prod(size[i + 1:]) for i in range(len(size)))
    if numel == 0:
        array = xp.empty(size, dtype=flat.dtype)
    elif all(n == 1 or s == c for n, s, c in zip(size, stride, contiguous_strides)):
        array = flat[offset:offset + numel].reshape(size)  # shares the storage, as torch's tensors do
    else:
        if numel > storage.numel and numel * flat.itemsize > _MAX_EXPANSION_BYTES:
            raise pickle.UnpicklingError(f"a tensor of size {list(size)} expands {storage.numel} stored elements to "
                                         f"{numel}, more than this loader materializes")
        itemsize = flat.itemsize
        view = xp.lib.stride_tricks.as_strided(flat[offset:], size, tuple(s * itemsize for s in stride), writeable=False)
        array = xp.array(view)
    return place(Tensor._make(array, _device_cls("cpu")), storage.location, storage.map_location)


class _Unpickler(pickle.Unpickler):
    """Resolves only allowed globals; storages come from ``load_storage(dtype_name, key, location, numel)``."""

    def __init__(self, file: BinaryIO, load_storage: Callable) -> None:
        super().__init__(file)
        self.load_storage = load_storage
        self.storages: dict = {}

    def find_class(self, module: str, name: str) -> Any:
        # Python 2 names (protocol 2 writes __builtin__.set), as pickle's own fix_imports
        module, name = _compat_pickle.NAME_MAPPING.get((module, name), (module, name))
        module = _compat_pickle.IMPORT_MAPPING.get(module, module)
        path = f"{module}.{name}"
        if path in _ALLOWED:
            return _ALLOWED[path]
        user = _user_allowed()
        if path in user:
            return user[path]
        if path.removeprefix("torch.") in _TORCH_ONLY_DTYPES:
            raise pickle.UnpicklingError(f"the checkpoint uses {path}, a dtype microtorch does not have "
                                         f"(it has {', '.join(sorted(_DTYPES))})")
        shown = path.removeprefix("builtins.")
        raise pickle.UnpicklingError(
            f"Weights only load failed: Unsupported global: GLOBAL {shown} was not an allowed global by default. "
            f"Please use `microtorch.serialization.add_safe_globals([{shown}])` or the "
            f"`microtorch.serialization.safe_globals([{shown}])` context manager to allowlist this global if you "
            "trust this class/function. (microtorch never runs code from a checkpoint.)"
        )

    def persistent_load(self, pid: Any) -> Any:
        if not (isinstance(pid, tuple) and len(pid) >= 5 and pid[0] == "storage" and isinstance(pid[1], _StorageType)
                and isinstance(pid[2], str) and isinstance(pid[3], str) and type(pid[4]) is int and pid[4] >= 0):
            raise pickle.UnpicklingError(f"unsupported persistent id {str(pid)[:80]}")
        _, storage_type, key, location, numel = pid[:5]
        if len(pid) > 5 and pid[5] is not None:
            raise pickle.UnpicklingError("storage views of the oldest legacy format are not supported")
        if key not in self.storages:
            self.storages[key] = self.load_storage(storage_type.dtype_name, key, location, numel)
        return self.storages[key]



_UNPICKLING_ERRORS = (pickle.UnpicklingError, EOFError, ValueError, TypeError, KeyError, IndexError, AttributeError,
                      struct.error, OverflowError, RecursionError, ImportError)


def _unpickle(file: BinaryIO, load_storage: Callable, name: str) -> tuple[Any, dict]:
    """The pickled object and its storages by key; every failure becomes a clear error."""
    if not _ALLOWED:
        _ALLOWED.update(_allowed_globals())
    unpickler = _Unpickler(file, load_storage)
    try:
        return unpickler.load(), unpickler.storages
    except pickle.UnpicklingError as e:
        if "Unsupported global" in str(e) or "dtype microtorch does not have" in str(e):
            raise pickle.UnpicklingError(f"microtorch.load: {name}: {e}") from None
        raise corrupt(name, f"its pickle cannot be read safely ({e})") from None
    except _UNPICKLING_ERRORS as e:
        raise corrupt(name, f"its pickle cannot be read safely ({type(e).__name__}: {e})") from None


def is_torch_archive(zf: zipfile.ZipFile) -> bool:
    return any(n.endswith("/data.pkl") and n.count("/") == 1 for n in zf.NameToInfo)


def load_torch_zip(zf: zipfile.ZipFile, name: str, map_location: Any, mmap_path: str | None) -> Any:
    """What ``torch.save`` (zip format) wrote: ``<prefix>/data.pkl`` and its ``<prefix>/data/<key>`` records."""
    pickle_entry = next(n for n in zf.NameToInfo if n.endswith("/data.pkl") and n.count("/") == 1)
    prefix = pickle_entry[: -len("data.pkl")]
    if prefix + "byteorder" in zf.NameToInfo and read_entry(zf, prefix + "byteorder", name, 16) != b"little":
        raise RuntimeError(f"microtorch.load: {name} was saved on a big-endian machine, which is not supported")
    xp = get_backend("cpu").xp

    def load_storage(dtype_name: str, key: str, location: str, numel: int) -> _Storage:
        storage = _Storage(dtype_name, numel, location, map_location)
        entry = f"{prefix}data/{key}"
        info = stored_entry(zf, entry, name)
        itemsize = xp.dtype(dtype_name).itemsize
        if info.file_size != numel * itemsize:
            raise corrupt(name, f"the storage {entry} holds {info.file_size} bytes, not {numel} {dtype_name} elements")
        if mmap_path is not None:
            storage.array = map_bytes(mmap_path, data_offset(zf, info, name), dtype_name, (numel,))
        else:
            storage.array = xp.frombuffer(bytearray(read_entry(zf, entry, name)), dtype=dtype_name)
        return storage

    data = read_entry(zf, pickle_entry, name, MAX_PICKLE_BYTES)
    obj, _ = _unpickle(io.BytesIO(data), load_storage, name)
    return obj


def load_torch_legacy(source: BinaryIO, name: str, map_location: Any, file_size: int) -> Any:
    """What ``torch.save(..., _use_new_zipfile_serialization=False)`` wrote: pickles, then the raw storages."""
    def no_storage(*args: Any) -> Any:
        raise pickle.UnpicklingError("a storage appears before the main object")

    magic, _ = _unpickle(source, no_storage, name)
    if magic != _LEGACY_MAGIC:
        raise corrupt(name, "it is a pickle but not a torch checkpoint (no torch magic number)")
    protocol, _ = _unpickle(source, no_storage, name)
    if protocol != 1001:
        raise corrupt(name, f"unknown legacy torch protocol version {protocol!r}")
    _unpickle(source, no_storage, name)  # sys_info: byte order and sizes, little-endian assumed as torch does
    obj, storages = _unpickle(source, lambda d, k, loc, n: _Storage(d, n, loc, map_location), name)
    keys, _ = _unpickle(source, no_storage, name)
    if not isinstance(keys, list) or set(keys) != set(storages):
        raise corrupt(name, "its list of storages does not match the storages its object uses")
    xp = get_backend("cpu").xp
    for key in keys:
        storage = storages[key]
        head = source.read(8)
        if len(head) != 8 or struct.unpack("<q", head)[0] != storage.numel:
            raise corrupt(name, f"the storage {key!r} does not start with its size {storage.numel}")
        nbytes = storage.numel * xp.dtype(storage.dtype_name).itemsize
        if source.tell() + nbytes > file_size:
            raise corrupt(name, f"the storage {key!r} is cut off")
        storage.array = xp.frombuffer(bytearray(source.read(nbytes)), dtype=storage.dtype_name)
    return _resolve_pending(obj, 0, name)


def _resolve_pending(obj: Any, depth: int, name: str) -> Any:
    """Replace the legacy format's pending tensors, now that the storages are read."""
    if depth > MAX_DEPTH:
        raise corrupt(name, f"its object is nested more than {MAX_DEPTH} levels deep")
    if isinstance(obj, _Pending):
        t = _materialize(obj.storage, obj.offset, obj.size, obj.stride)
        if obj.requires_grad and t.is_floating_point():
            t.requires_grad_(True)
        return _rebuild_parameter(t, obj.requires_grad, None) if obj.parameter else t
    if isinstance(obj, dict):
        resolved = {k: _resolve_pending(v, depth + 1, name) for k, v in obj.items()}
        if type(obj) is dict:
            return resolved
        obj.clear()
        obj.update(resolved)
        return obj
    if isinstance(obj, list):
        return [_resolve_pending(v, depth + 1, name) for v in obj]
    if isinstance(obj, tuple):
        return tuple(_resolve_pending(v, depth + 1, name) for v in obj)
    return obj


# ---- writing ---------------------------------------------------------------------------------------------
class _Global:
    """A global written by name (``torch._utils._rebuild_tensor_v2``) without importing it."""

    def __init__(self, module: str, name: str) -> None:
        self.module, self.name = module, name

    def __call__(self, *args: Any) -> Any:  # pickle's save_reduce wants a callable
        raise TypeError("a name written into a torch checkpoint, not a function")


class _Reduced:
    """An object written as ``func(*args)``."""

    def __init__(self, func: _Global, args: tuple) -> None:
        self.func, self.args = func, args

    def __reduce__(self) -> tuple:
        return self.func, self.args


class _StorageRecord:
    """One tensor's bytes, written as the record ``data/<key>`` and referenced by a persistent id."""

    def __init__(self, key: str, array: Any) -> None:
        self.key, self.array = key, array


_STORAGE_CLASS = {dtype_name: name for name, dtype_name in _STORAGE_DTYPES.items() if name != "UntypedStorage"}


class _TorchPickler(pickle._Pickler):  # the Python pickler: its dispatch table can take _Global
    dispatch = dict(pickle._Pickler.dispatch)

    def persistent_id(self, obj: Any) -> Any:
        if isinstance(obj, _StorageRecord):
            storage_class = _Global("torch", _STORAGE_CLASS[obj.array.dtype.name])
            return ("storage", storage_class, obj.key, "cpu", obj.array.size)
        return None

    def save_torch_global(self, obj: _Global) -> None:
        self.write(pickle.GLOBAL + f"{obj.module}\n{obj.name}\n".encode())  # type: ignore[attr-defined]  # (pickle._Pickler's, absent from its stub)
        self.memoize(obj)  # type: ignore[attr-defined]

    dispatch[_Global] = save_torch_global  # type: ignore[assignment]


def write_torch_zip(obj: Any, out: BinaryIO) -> None:
    """A checkpoint ``torch.load(weights_only=True)`` reads: ``archive/data.pkl`` and ``archive/data/<key>``."""
    records: dict[int, _Reduced] = {}
    proxy = _to_torch_proxies(obj, records, 0, "obj")
    pickled = io.BytesIO()
    _TorchPickler(pickled, protocol=2).dump(proxy)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        zf.writestr(zipfile.ZipInfo("archive/data.pkl", date_time=(1980, 1, 1, 0, 0, 0)), pickled.getvalue())
        zf.writestr(zipfile.ZipInfo("archive/byteorder", date_time=(1980, 1, 1, 0, 0, 0)), b"little")
        for proxy_of_tensor in records.values():
            record = _record_of(proxy_of_tensor)
            info = zipfile.ZipInfo(f"archive/data/{record.key}", date_time=(1980, 1, 1, 0, 0, 0))
            with zf.open(info, "w", force_zip64=record.array.nbytes > 2**31) as entry:
                entry.write(memoryview(record.array).cast("B"))
        zf.writestr(zipfile.ZipInfo("archive/version", date_time=(1980, 1, 1, 0, 0, 0)), b"3\n")


def _record_of(proxy: _Reduced) -> _StorageRecord:
    while not isinstance(proxy.args[0], _StorageRecord):  # a Parameter wraps the tensor's proxy
        proxy = proxy.args[0]
    return proxy.args[0]


def _tensor_proxy(record: _StorageRecord, t: Tensor, parameter: bool) -> _Reduced:
    shape = tuple(record.array.shape)
    stride = tuple(math.prod(shape[i + 1:]) for i in range(len(shape)))
    tensor = _Reduced(_Global("torch._utils", "_rebuild_tensor_v2"),
                      (record, 0, shape, stride, t.requires_grad, collections.OrderedDict()))
    if parameter:
        return _Reduced(_Global("torch._utils", "_rebuild_parameter"), (tensor, t.requires_grad, collections.OrderedDict()))
    return tensor


def _to_torch_proxies(obj: Any, records: dict, depth: int, where: str) -> Any:
    """``obj`` with tensors, dtypes and devices replaced by what pickles as torch's."""
    from ..nn import Parameter

    if depth > MAX_DEPTH:
        raise ValueError(f"microtorch.save: {where} is nested more than {MAX_DEPTH} levels deep")
    if obj is None or isinstance(obj, (bool, int, float, str, bytes)):
        return obj
    if isinstance(obj, Tensor):
        if id(obj) not in records:  # one proxy per tensor: pickle's memo then stores it once, as torch.save
            array = get_backend("cpu").xp.require(obj.detach().cpu().numpy(), requirements="C")  # not 0-d to 1-d
            records[id(obj)] = _tensor_proxy(_StorageRecord(str(len(records)), array), obj, isinstance(obj, Parameter))
        return records[id(obj)]
    if isinstance(obj, _dtype.dtype):
        return _Global("torch", obj.name)
    if isinstance(obj, _device_cls):
        return _Reduced(_Global("torch", "device"), (str(obj),))
    if isinstance(obj, (list, tuple, set)) and not hasattr(obj, "_fields"):
        items = [_to_torch_proxies(v, records, depth + 1, f"{where}[{i}]") for i, v in enumerate(obj)]
        return type(obj)(items) if type(obj) in (list, tuple, set) else items
    if isinstance(obj, dict):
        items = [(_to_torch_proxies(k, records, depth + 1, f"{where} key"), _to_torch_proxies(v, records, depth + 1, f"{where}[{k!r}]"))
                 for k, v in obj.items()]
        kind = type(obj) if type(obj) in (dict, collections.OrderedDict, collections.Counter) else dict
        return kind(dict(items))  # Counter(pairs) would count the pairs
    raise TypeError(f"microtorch.save(format='torch') cannot store {where} of type {type(obj).__module__}."
                    f"{type(obj).__qualname__}: torch's weights_only loader would refuse it")
