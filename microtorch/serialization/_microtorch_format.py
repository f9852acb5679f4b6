"""microtorch's own checkpoint format, never running code when loaded.

A checkpoint is a zip archive (a NumPy ``.npz``: ``numpy.load`` can open it too) holding

* ``microtorch.json``: the saved object's structure: dicts (with their key types),
  lists, tuples, numbers, strings, booleans, ``None``, dtypes and devices, and, for
  each tensor, its entry, dtype, device and ``requires_grad``;
* ``data/<n>.npy``: one array per tensor, read back with ``allow_pickle=False``.

Nothing is unpickled, so a malicious file can at worst fail to load, and loading is
bounded by the sizes the file declares: entries are stored uncompressed (a compressed one
is refused), each array's header must account for its entry's bytes exactly, and the
structure is capped in size and nesting depth. A tensor saved twice (the same object) is
stored once and loads as one object.
"""
from __future__ import annotations

import collections
import json
import math
import zipfile
from typing import IO, Any, BinaryIO, Callable, Union

from .. import _dtype
from .._device import device as _device_cls
from .._tensor import Tensor
from ..backends import get_backend
from ._files import corrupt
from ._zip import data_offset, map_bytes, read_entry, stored_entry

FORMAT = "microtorch"
VERSION = 1
STRUCTURE = "microtorch.json"
_DTYPES = {"bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64", "complex64", "complex128"}
_DICTS = {"dict": dict, "OrderedDict": collections.OrderedDict, "Counter": collections.Counter}
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # entries carry no timestamp: the same object gives the same bytes

MAX_STRUCTURE_BYTES = 64 * 2**20  # a state dict of 100 000 tensors needs about 15 MiB
MAX_DEPTH = 100  # nesting of the saved object (a state dict is 2 deep, an optimizer's 4)
_MAX_NPY_HEADER = 10_000  # numpy's own default limit

MapLocation = Union[None, str, _device_cls, dict, Callable[[Tensor, str], Any]]


# ---- saving --------------------------------------------------------------------------------------------
def write_archive(obj: Any, out: BinaryIO) -> None:
    """Write ``obj`` (tensors, numbers, strings, None, bools, dtypes, devices and containers of them) to ``out``."""
    arrays: list = []
    structure = {"format": FORMAT, "version": VERSION, "object": _encode(obj, arrays, {}, "obj")}
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        for name, array in arrays:
            info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
            with zf.open(info, "w", force_zip64=array.nbytes > 2**31) as entry:
                _write_array(entry, array)
        zf.writestr(zipfile.ZipInfo(STRUCTURE, date_time=_FIXED_TIME),
                    json.dumps(structure, allow_nan=False, separators=(",", ":")))


def _write_array(entry: IO[bytes], array: Any) -> None:
    get_backend("cpu").xp.lib.format.write_array(entry, array, allow_pickle=False)


def _encode(obj: Any, arrays: list, seen: dict, where: str) -> Any:
    """A JSON value for ``obj``; tensors' arrays are appended to ``arrays``. Every JSON object is a tagged node
    (``{"$": kind, ...}``), so dicts, tuples and tensors cannot be confused with each other."""
    if obj is None or isinstance(obj, (bool, str)):
        return obj
    if isinstance(obj, int):
        return int(obj)
    if isinstance(obj, float):
        return float(obj) if math.isfinite(obj) else {"$": "float", "value": repr(float(obj))}
    if isinstance(obj, Tensor):
        return _encode_tensor(obj, arrays, seen)
    if isinstance(obj, list):
        return [_encode(v, arrays, seen, f"{where}[{i}]") for i, v in enumerate(obj)]
    if isinstance(obj, tuple) and not hasattr(obj, "_fields"):
        return {"$": "tuple", "items": [_encode(v, arrays, seen, f"{where}[{i}]") for i, v in enumerate(obj)]}
    if isinstance(obj, dict):
        kind = next((name for name, cls in _DICTS.items() if type(obj) is cls), "dict")  # other subclasses: dict
        items = [[_encode(k, arrays, seen, f"{where} key {k!r}"), _encode(v, arrays, seen, f"{where}[{k!r}]")]
                 for k, v in obj.items()]
        return {"$": kind, "items": items}
    if isinstance(obj, _dtype.dtype):
        return {"$": "dtype", "name": obj.name}
    if isinstance(obj, _device_cls):
        return {"$": "device", "name": str(obj)}
    raise TypeError(
        f"microtorch.save cannot store {where} of type {type(obj).__module__}.{type(obj).__qualname__}: checkpoints "
        "hold tensors, numbers, strings, None, bools, dtypes, devices and dicts/lists/tuples of them"
    )


def _encode_tensor(t: Tensor, arrays: list, seen: dict) -> dict:
    name = seen.get(id(t))
    if name is None:
        name = seen[id(t)] = f"data/{len(arrays)}.npy"
        arrays.append((name, t._device.backend.to_numpy(t._data)))
    node = {"$": "tensor", "data": name, "dtype": t.dtype.name, "device": str(t._device),
            "requires_grad": t._requires_grad}
    if type(t) is not Tensor:
        node["class"] = type(t).__name__
    return node


# ---- loading -------------------------------------------------------------------------------------------
def is_microtorch_archive(zf: zipfile.ZipFile) -> bool:
    return STRUCTURE in zf.NameToInfo


def load_archive(zf: zipfile.ZipFile, name: str, map_location: MapLocation, mmap_path: str | None) -> Any:
    """The object a microtorch archive holds (its arrays memory-mapped from ``mmap_path`` when given)."""
    raw = read_entry(zf, STRUCTURE, name, MAX_STRUCTURE_BYTES)
    try:
        structure = json.loads(raw)
    except RecursionError:
        raise corrupt(name, f"{STRUCTURE} is nested more than {MAX_DEPTH} levels deep") from None
    except ValueError as e:
        raise corrupt(name, f"{STRUCTURE} is not valid JSON ({e})") from None
    if not isinstance(structure, dict) or structure.get("format") != FORMAT or "object" not in structure:
        raise corrupt(name, f"{STRUCTURE} does not describe a microtorch checkpoint")
    if not isinstance(structure.get("version"), int) or structure["version"] > VERSION:
        raise RuntimeError(f"microtorch.load: {name} uses checkpoint format version {structure.get('version')!r}; "
                           f"this microtorch reads versions up to {VERSION}: upgrade microtorch")
    return _Loader(zf, name, map_location, mmap_path).decode(structure["object"], 0)


def _field(node: dict, key: str, kind: type, name: str) -> Any:
    value = node.get(key)
    if not isinstance(value, kind) or kind is int and isinstance(value, bool):
        raise corrupt(name, f"malformed {node.get('$')!r} node in {STRUCTURE}: {key!r} is {str(value)[:40]!r}")
    return value


class _Loader:
    """Rebuilds the saved object from the archive's structure and arrays."""

    def __init__(self, zf: zipfile.ZipFile, name: str, map_location: MapLocation, mmap_path: str | None) -> None:
        self.zf, self.name, self.map_location, self.mmap_path = zf, name, map_location, mmap_path
        self.tensors: dict[str, Tensor] = {}

    def decode(self, node: Any, depth: int) -> Any:
        if node is None or isinstance(node, (bool, int, float, str)):
            return node
        if depth > MAX_DEPTH:
            raise corrupt(self.name, f"{STRUCTURE} is nested more than {MAX_DEPTH} levels deep")
        if isinstance(node, list):
            return [self.decode(v, depth + 1) for v in node]
        if not isinstance(node, dict) or not isinstance(node.get("$"), str):
            raise corrupt(self.name, f"unexpected node {str(node)[:80]!r} in {STRUCTURE}")
        kind = node["$"]
        if kind == "tensor":
            return self.tensor(node)
        if kind == "tuple":
            return tuple(self.decode(v, depth + 1) for v in _field(node, "items", list, self.name))
        if kind in _DICTS:
            pairs = _field(node, "items", list, self.name)
            if not all(isinstance(p, list) and len(p) == 2 for p in pairs):
                raise corrupt(self.name, f"malformed {kind!r} node in {STRUCTURE}: items are not key-value pairs")
            try:
                items = {self.decode(k, depth + 1): self.decode(v, depth + 1) for k, v in pairs}
            except TypeError as e:  # an unhashable key
                raise corrupt(self.name, f"malformed {kind!r} node in {STRUCTURE} ({e})") from None
            return items if kind == "dict" else _DICTS[kind](items)
        if kind == "float":
            value = _field(node, "value", str, self.name)
            if value not in ("inf", "-inf", "nan"):
                raise corrupt(self.name, f"malformed 'float' node in {STRUCTURE}: {value[:40]!r}")
            return float(value)
        if kind == "dtype":
            dtype_name = _field(node, "name", str, self.name)
            if dtype_name not in _DTYPES:
                raise corrupt(self.name, f"unknown dtype {dtype_name[:40]!r} in {STRUCTURE}")
            return _dtype.as_dtype(dtype_name)
        if kind == "device":
            return _device_cls(_field(node, "name", str, self.name))
        raise corrupt(self.name, f"unknown node kind {kind[:40]!r} in {STRUCTURE}")

    def tensor(self, node: dict) -> Tensor:
        entry = _field(node, "data", str, self.name)
        dtype_name = _field(node, "dtype", str, self.name)
        location = _field(node, "device", str, self.name)
        if dtype_name not in _DTYPES:
            raise corrupt(self.name, f"tensor {entry} has unsupported dtype {dtype_name[:40]!r}")
        if entry in self.tensors:  # the same tensor saved twice loads as one object
            t = self.tensors[entry]
            if t.dtype.name != dtype_name:
                raise corrupt(self.name, f"two tensors share the entry {entry} but are described as {t.dtype.name} "
                                         f"and {dtype_name}")
            return t
        array = self.array(entry)
        if array.dtype.name != dtype_name:
            raise corrupt(self.name, f"tensor {entry} holds {array.dtype.name} data but is described as {dtype_name}")
        t = place(Tensor._make(array, _device_cls("cpu")), location, self.map_location)
        if node.get("requires_grad") is True and t.is_floating_point():
            t.requires_grad_(True)
        if node.get("class") == "Parameter":
            t = as_parameter(t)
        self.tensors[entry] = t
        return t

    def array(self, entry: str) -> Any:
        """The ``.npy`` entry's array, after checking that its header accounts for the entry's bytes."""
        info = stored_entry(self.zf, entry, self.name)
        fmt = get_backend("cpu").xp.lib.format
        try:
            with self.zf.open(info) as fp:
                version = fmt.read_magic(fp)
                if version not in ((1, 0), (2, 0)):
                    raise ValueError(f"unsupported .npy format version {version}")
                read_header = fmt.read_array_header_1_0 if version == (1, 0) else fmt.read_array_header_2_0
                shape, fortran_order, dtype = read_header(fp, max_header_size=_MAX_NPY_HEADER)
                self.check_array_header(entry, shape, dtype, info.file_size - fp.tell())
                if self.mmap_path is not None and dtype.isnative:
                    offset = data_offset(self.zf, info, self.name) + fp.tell()
                    return map_bytes(self.mmap_path, offset, dtype.str, shape, fortran_order)
                array = get_backend("cpu").xp.empty(shape, dtype=dtype, order="F" if fortran_order else "C")
                if array.nbytes and fp.readinto(memoryview(array.reshape(-1, order="A")).cast("B")) != array.nbytes:  # type: ignore[attr-defined]  # (binary files have readinto; typing.IO omits it)
                    raise ValueError("the data is cut off")
                if fp.read(1):  # also makes zipfile check the CRC
                    raise ValueError("trailing bytes after the array")
        except (ValueError, zipfile.BadZipFile, OSError, EOFError) as e:
            raise corrupt(self.name, f"the array {entry} is damaged ({e})") from None
        return array if dtype.isnative else array.astype(dtype.newbyteorder("="))

    def check_array_header(self, entry: str, shape: tuple, dtype: Any, data_bytes: int) -> None:
        if dtype.hasobject:
            raise RuntimeError(f"microtorch.load: {self.name} stores {entry} as pickled Python objects; "
                               "microtorch never unpickles (it could run arbitrary code), so it refuses this file")
        if dtype.name not in _DTYPES:
            raise corrupt(self.name, f"the array {entry} has unsupported dtype {dtype}")
        if any(n < 0 for n in shape):
            raise corrupt(self.name, f"the array {entry} has a negative size in its shape {shape}")
        declared = math.prod(shape) * dtype.itemsize  # Python ints: a shape of 10**400 does not overflow
        if declared != data_bytes:
            raise corrupt(self.name, f"the array {entry} declares shape {_short(shape)} ({_short(declared)} bytes) but "
                                     f"its entry holds {data_bytes} bytes of data")


def _short(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 60 else text[:28] + "..." + text[-28:]


def place(t: Tensor, location: str, map_location: MapLocation) -> Tensor:
    """Move the cpu tensor ``t`` (saved from ``location``) where ``map_location`` says."""
    target: Any = location
    ml = map_location
    if callable(ml) and not isinstance(ml, _device_cls):
        moved = ml(t, location)  # its own exceptions reach the caller unchanged, as in torch
        if moved is not None:
            if not isinstance(moved, Tensor):
                raise TypeError(f"map_location returned {type(moved).__name__}; it must return a Tensor or None")
            return moved
    elif isinstance(ml, dict):
        target = ml.get(location, location)
    elif ml is not None:
        target = ml
    try:
        dev = _device_cls(target) if not isinstance(target, _device_cls) else target
        return t if dev.type == "cpu" else t.to(dev)
    except Exception as e:
        raise RuntimeError(
            f"microtorch.load: cannot place a tensor saved on {location!r} on {str(target)!r} ({e}). If that "
            "device is not available here, pass map_location='cpu' (or a dict such as {'cuda:0': 'cpu'})."
        ) from e


def as_parameter(t: Tensor) -> Tensor:
    """A tensor saved as an ``nn.Parameter`` loads as one."""
    from ..nn import Parameter

    return Parameter(t, requires_grad=t.requires_grad)
