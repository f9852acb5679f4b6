"""``microtorch.save`` / ``microtorch.load``: checkpoints that never run code when loaded.

A checkpoint is a zip archive (a NumPy ``.npz``: ``numpy.load`` can open it too) holding

* ``microtorch.json``: the saved object's structure: dicts (with their key types),
  lists, tuples, numbers, strings, booleans, ``None``, dtypes and devices, and, for
  each tensor, its entry, dtype, device and ``requires_grad``;
* ``data/<n>.npy``: one array per tensor, read back with ``allow_pickle=False``.

Nothing is unpickled, so a malicious file can at worst fail to load. Saving to a
path is atomic: the archive is written to a temporary file in the same directory
and moved over the target only once complete, so an interrupted save leaves the
previous checkpoint intact. A tensor saved twice (the same object) is stored once
and loads as one object.
"""
from __future__ import annotations

import collections
import io
import json
import math
import os
import secrets
import zipfile
from typing import Any, BinaryIO, Callable, Union

from . import _dtype
from ._device import device as _device_cls
from ._tensor import Tensor
from .backends import get_backend

__all__ = ["save", "load"]

FORMAT = "microtorch"
VERSION = 1
STRUCTURE = "microtorch.json"
_DTYPES = {"bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"}
_DICTS = {"dict": dict, "OrderedDict": collections.OrderedDict, "Counter": collections.Counter}
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # entries carry no timestamp: the same object gives the same bytes

PathOrFile = Union[str, "os.PathLike[str]", BinaryIO]
MapLocation = Union[None, str, _device_cls, dict, Callable[[Tensor, str], Any]]


# ---- saving --------------------------------------------------------------------------------------------
def save(obj: Any, f: PathOrFile) -> None:
    """Save ``obj`` (tensors, numbers, strings, None, bools, dtypes, devices, and dicts/lists/tuples of them,
    e.g. a ``state_dict``) to the path or binary file ``f``.

    Writing to a path is atomic: the previous file at ``f`` survives any failure midway.
    """
    if hasattr(f, "write"):
        _write_archive(obj, f)
        return
    path = os.fspath(f)
    directory = os.path.dirname(os.path.abspath(path))
    tmp = os.path.join(directory, f".{os.path.basename(path)}.{secrets.token_hex(6)}.tmp")
    # O_EXCL: never follow or reuse an existing file; mode 0o666 lets the umask decide, as open() would
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as out:
            _write_archive(obj, out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    _fsync_directory(directory)


def _fsync_directory(directory: str) -> None:
    """Make the rename durable (POSIX; elsewhere directories cannot be opened)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _write_archive(obj: Any, out: BinaryIO) -> None:
    arrays: list = []
    structure = {"format": FORMAT, "version": VERSION, "object": _encode(obj, arrays, {}, "obj")}
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        for name, array in arrays:
            info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
            with zf.open(info, "w", force_zip64=array.nbytes > 2**31) as entry:
                _write_array(entry, array)
        zf.writestr(zipfile.ZipInfo(STRUCTURE, date_time=_FIXED_TIME),
                    json.dumps(structure, allow_nan=False, separators=(",", ":")))


def _write_array(entry: BinaryIO, array: Any) -> None:
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
def load(f: PathOrFile, map_location: MapLocation = None, *, weights_only: bool | None = None,
         mmap: bool | None = None) -> Any:
    """Load what :func:`save` wrote, without unpickling anything.

    ``map_location`` moves tensors as torch's does: a device or device string (everything goes there),
    a dict from saved to wanted locations (``{'cuda:0': 'cpu'}``), or a callable
    ``fn(tensor_on_cpu, saved_location) -> tensor or None`` (None keeps the saved location).
    ``weights_only`` and ``mmap`` are accepted for torch compatibility: loading is always weights-only safe,
    and arrays are read into memory.
    """
    name = repr(os.fspath(f)) if not hasattr(f, "read") else "the file object"
    source = f if hasattr(f, "read") else open(os.fspath(f), "rb")
    try:
        if hasattr(source, "seekable") and not source.seekable():
            source = io.BytesIO(source.read())
        try:
            zf = zipfile.ZipFile(source)
        except zipfile.BadZipFile as e:
            raise _corrupt(name, f"not a zip archive ({e})") from None
        with zf:
            return _Loader(zf, name, map_location).run()
    finally:
        if source is not f and not hasattr(f, "read"):
            source.close()


def _corrupt(name: str, why: str) -> RuntimeError:
    return RuntimeError(f"microtorch.load: {name} is not a readable microtorch checkpoint, it is truncated or "
                        f"corrupted: {why}")


class _Loader:
    """Rebuilds the saved object from the archive's structure and arrays."""

    def __init__(self, zf: zipfile.ZipFile, name: str, map_location: MapLocation) -> None:
        self.zf, self.name, self.map_location = zf, name, map_location
        self.tensors: dict[str, Tensor] = {}

    def run(self) -> Any:
        try:
            raw = self.zf.read(STRUCTURE)
        except KeyError:
            raise RuntimeError(
                f"microtorch.load: {self.name} has no {STRUCTURE}, so it was not written by microtorch.save "
                "(files from torch.save are pickles, which microtorch never loads)"
            ) from None
        except (zipfile.BadZipFile, OSError, EOFError) as e:
            raise _corrupt(self.name, f"{STRUCTURE} is damaged ({e})") from None
        try:
            structure = json.loads(raw)
        except ValueError as e:
            raise _corrupt(self.name, f"{STRUCTURE} is not valid JSON ({e})") from None
        if not isinstance(structure, dict) or structure.get("format") != FORMAT or "object" not in structure:
            raise _corrupt(self.name, f"{STRUCTURE} does not describe a microtorch checkpoint")
        if not isinstance(structure.get("version"), int) or structure["version"] > VERSION:
            raise RuntimeError(f"microtorch.load: {self.name} uses checkpoint format version {structure.get('version')!r}; "
                               f"this microtorch reads versions up to {VERSION}: upgrade microtorch")
        return self.decode(structure["object"])

    def decode(self, node: Any) -> Any:
        if node is None or isinstance(node, (bool, int, float, str)):
            return node
        if isinstance(node, list):
            return [self.decode(v) for v in node]
        if not isinstance(node, dict) or not isinstance(node.get("$"), str):
            raise _corrupt(self.name, f"unexpected node {str(node)[:80]!r} in {STRUCTURE}")
        kind = node["$"]
        try:
            if kind == "tensor":
                return self.tensor(node)
            if kind == "tuple":
                return tuple(self.decode(v) for v in node["items"])
            if kind in _DICTS:
                items = {self.decode(k): self.decode(v) for k, v in node["items"]}
                return items if kind == "dict" else _DICTS[kind](items)
            if kind == "float":
                return float(node["value"])
            if kind == "dtype":
                return _dtype.as_dtype(node["name"])
            if kind == "device":
                return _device_cls(node["name"])
        except (KeyError, TypeError, ValueError) as e:
            raise _corrupt(self.name, f"malformed {kind!r} node in {STRUCTURE} ({type(e).__name__}: {e})") from None
        raise _corrupt(self.name, f"unknown node kind {kind!r} in {STRUCTURE}")

    def tensor(self, node: dict) -> Tensor:
        entry = node["data"]
        if entry in self.tensors:  # the same tensor saved twice loads as one object
            return self.tensors[entry]
        dtype_name, location = node["dtype"], node["device"]
        if dtype_name not in _DTYPES:
            raise _corrupt(self.name, f"tensor {entry} has unsupported dtype {dtype_name!r}")
        array = self.array(entry)
        if array.dtype.name != dtype_name:
            raise _corrupt(self.name, f"tensor {entry} holds {array.dtype.name} data but is described as {dtype_name}")
        t = self.place(Tensor._make(array, _device_cls("cpu")), location)
        if node.get("requires_grad") and t.is_floating_point():
            t.requires_grad_(True)
        if node.get("class") == "Parameter":
            t = _as_parameter(t)
        self.tensors[entry] = t
        return t

    def array(self, entry: str) -> Any:
        xp = get_backend("cpu").xp
        try:
            with self.zf.open(entry) as fp:
                array = xp.lib.format.read_array(fp, allow_pickle=False)
                if fp.read(1):
                    raise ValueError("trailing bytes after the array")
        except KeyError:
            raise _corrupt(self.name, f"the entry {entry} is missing") from None
        except ValueError as e:
            if "allow_pickle" in str(e) or "Object arrays" in str(e):
                raise RuntimeError(f"microtorch.load: {self.name} stores {entry} as pickled Python objects; "
                                   "microtorch never unpickles (it could run arbitrary code), so it refuses this file") from None
            raise _corrupt(self.name, f"the array {entry} is damaged ({e})") from None
        except (zipfile.BadZipFile, OSError, EOFError) as e:
            raise _corrupt(self.name, f"the array {entry} is damaged ({e})") from None
        if array.dtype.hasobject or array.dtype.name not in _DTYPES:
            raise _corrupt(self.name, f"the array {entry} has unsupported dtype {array.dtype}")
        return array

    def place(self, t: Tensor, location: str) -> Tensor:
        """Move the cpu tensor ``t`` (saved from ``location``) where ``map_location`` says."""
        target: Any = location
        ml = self.map_location
        if callable(ml) and not isinstance(ml, _device_cls):
            moved = ml(t, location)
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


def _as_parameter(t: Tensor) -> Tensor:
    """A tensor saved as an ``nn.Parameter`` loads as one when microtorch.nn provides Parameter."""
    try:
        from .nn import Parameter
    except ImportError:
        return t
    return Parameter(t, requires_grad=t.requires_grad)
