"""The safetensors format, read and written with NumPy alone (the ``safetensors`` package is not needed).

A file is an 8-byte little-endian header length N, N bytes of UTF-8 JSON (padded with spaces to a
multiple of 8), then the tensors' bytes, little-endian and C-ordered. The header maps each name to
``{"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}`` (offsets into the data part) and
may hold ``"__metadata__"``, a dict of strings. As the format's own reader, this one requires the
tensors to cover the data part exactly, without gaps or overlaps, so every byte is accounted for.
"""
from __future__ import annotations

import json
import math
import struct
from typing import Any, BinaryIO, Mapping

from .._device import device as _device_cls
from .._tensor import Tensor
from ..backends import get_backend
from ._files import corrupt
from ._zip import map_bytes

MAX_HEADER_BYTES = 100_000_000  # the safetensors package's own limit
_TO_NUMPY = {"BOOL": "|b1", "U8": "|u1", "I8": "|i1", "I16": "<i2", "I32": "<i4", "I64": "<i8",
             "F16": "<f2", "F32": "<f4", "F64": "<f8", "C64": "<c8"}
_FROM_DTYPE = {"bool": "BOOL", "uint8": "U8", "int8": "I8", "int16": "I16", "int32": "I32", "int64": "I64",
               "float16": "F16", "float32": "F32", "float64": "F64", "complex64": "C64"}
_KNOWN_ELSEWHERE = {"BF16", "F8_E4M3", "F8_E5M2", "F8_E8M0", "F4", "F6_E2M3", "F6_E3M2", "U16", "U32", "U64"}
_ALIGNMENT = {"C64": 8, "F64": 8, "I64": 8, "F32": 4, "I32": 4, "F16": 2, "I16": 2, "U8": 1, "I8": 1, "BOOL": 1}


def looks_like_safetensors(head: bytes) -> bool:
    """An 8-byte length, then the start of a JSON object (a zip or a pickle never starts so)."""
    return len(head) >= 9 and head[8:9] == b"{"


# ---- writing ---------------------------------------------------------------------------------------------
def write_safetensors(obj: Any, out: BinaryIO, metadata: Mapping[str, str] | None = None) -> None:
    """Write a flat ``{name: Tensor}`` dict; tensors are ordered by alignment then name, as the package does."""
    if not isinstance(obj, Mapping) or not all(isinstance(k, str) for k in obj):
        raise TypeError("the safetensors format holds a dict from str names to tensors (e.g. a state_dict); "
                        f"got {type(obj).__name__}")
    arrays = {}
    for key, value in obj.items():
        if not isinstance(value, Tensor):
            raise TypeError(f"the safetensors format holds only tensors, but {key!r} is {type(value).__name__}")
        if value.dtype.name not in _FROM_DTYPE:
            raise TypeError(f"the safetensors format has no {value.dtype.name} type (tensor {key!r}); it holds "
                            f"{', '.join(_FROM_DTYPE)}")
        arrays[key] = get_backend("cpu").xp.require(value.detach().cpu().numpy(), requirements="C")  # ascontiguousarray makes 0-d 1-d
    header: dict[str, Any] = {}
    if metadata:
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
            raise TypeError("safetensors metadata must map str to str")
        header["__metadata__"] = dict(metadata)
    offset = 0
    order = sorted(arrays, key=lambda k: (-_ALIGNMENT[_FROM_DTYPE[arrays[k].dtype.name]], k))
    for key in order:
        array = arrays[key]
        header[key] = {"dtype": _FROM_DTYPE[array.dtype.name], "shape": list(array.shape),
                       "data_offsets": [offset, offset + array.nbytes]}
        offset += array.nbytes
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)  # the data part starts 8-byte aligned
    out.write(struct.pack("<Q", len(text)))
    out.write(text)
    for key in order:
        out.write(arrays[key].astype(arrays[key].dtype.newbyteorder("<"), copy=False).tobytes())


# ---- reading ---------------------------------------------------------------------------------------------
def read_safetensors(source: BinaryIO, name: str, file_size: int, map_location: Any, mmap_path: str | None) -> dict:
    """``{name: Tensor}`` in file order; the header is checked in full before any data is read."""
    from ._microtorch_format import place

    source.seek(0)
    entries, data_start = _read_header(source, name, file_size)
    xp = get_backend("cpu").xp
    result = {}
    for key, (dtype, shape, begin, end) in entries:
        if mmap_path is not None:
            array = map_bytes(mmap_path, data_start + begin, dtype, shape)
        else:
            source.seek(data_start + begin)
            array = xp.empty(shape, dtype=dtype)
            if end > begin and source.readinto(memoryview(array.reshape(-1)).cast("B")) != end - begin:  # type: ignore[attr-defined]  # (binary files have readinto; typing.BinaryIO omits it)
                raise corrupt(name, f"the data of {key!r} is cut off")
        if not array.dtype.isnative:
            array = array.astype(array.dtype.newbyteorder("="))
        result[key] = place(Tensor._make(array, _device_cls("cpu")), "cpu", map_location)
    return result


def read_metadata(source: BinaryIO, name: str, file_size: int) -> dict:
    """The header's ``__metadata__`` (an empty dict when there is none)."""
    source.seek(0)
    header = _header_json(source, name, file_size)
    return dict(header.get("__metadata__") or {})


def _header_json(source: BinaryIO, name: str, file_size: int) -> dict:
    head = source.read(8)
    if len(head) != 8:
        raise corrupt(name, "the safetensors header length is cut off")
    n = struct.unpack("<Q", head)[0]
    if n > MAX_HEADER_BYTES:
        raise RuntimeError(f"microtorch.load: {name} declares a safetensors header of {n} bytes, more than the "
                           f"format's limit of {MAX_HEADER_BYTES}")
    if 8 + n > file_size:
        raise corrupt(name, f"the safetensors header declares {n} bytes but the file has {file_size - 8} after it")
    raw = source.read(n)
    try:
        header = json.loads(raw.decode("utf-8"))
    except RecursionError:
        raise corrupt(name, "the safetensors header is nested too deeply") from None
    except (UnicodeDecodeError, ValueError) as e:
        raise corrupt(name, f"the safetensors header is not valid JSON ({e})") from None
    if not isinstance(header, dict):
        raise corrupt(name, "the safetensors header is not a JSON object")
    metadata = header.get("__metadata__")
    if metadata is not None and not (isinstance(metadata, dict)
                                     and all(isinstance(v, str) for v in metadata.values())):
        raise corrupt(name, "the safetensors __metadata__ is not a dict of strings")
    return header


def _read_header(source: BinaryIO, name: str, file_size: int) -> tuple[list, int]:
    header = _header_json(source, name, file_size)
    data_start = source.tell()
    entries = []
    for key, info in header.items():
        if key != "__metadata__":
            entries.append((key, _entry(key, info, name)))
    entries.sort(key=lambda e: (e[1][2], e[1][3]))
    position = 0
    for key, (_, _, begin, end) in entries:
        if begin != position:
            raise corrupt(name, f"the safetensors tensor {key!r} starts at byte {begin}, expected {position}: "
                                "tensors must cover the data without gaps or overlaps")
        position = end
    if data_start + position != file_size:
        raise corrupt(name, f"the safetensors tensors cover {position} bytes of data but the file holds "
                            f"{file_size - data_start}")
    return entries, data_start


def _entry(key: str, info: Any, name: str) -> tuple:
    if not isinstance(info, dict) or set(info) != {"dtype", "shape", "data_offsets"}:
        raise corrupt(name, f"the safetensors entry {key!r} is not {{dtype, shape, data_offsets}}")
    dtype, shape, offsets = info["dtype"], info["shape"], info["data_offsets"]
    if dtype in _KNOWN_ELSEWHERE:
        raise RuntimeError(f"microtorch.load: {name} holds {key!r} as {dtype}, a dtype microtorch does not have "
                           f"(it has {', '.join(_TO_NUMPY)})")
    if dtype not in _TO_NUMPY:
        raise corrupt(name, f"the safetensors entry {key!r} has unknown dtype {str(dtype)[:40]!r}")
    if not (isinstance(shape, list) and all(type(n) is int and n >= 0 for n in shape)):
        raise corrupt(name, f"the safetensors entry {key!r} has an invalid shape {str(shape)[:60]}")
    if not (isinstance(offsets, list) and len(offsets) == 2 and all(type(n) is int for n in offsets)
            and 0 <= offsets[0] <= offsets[1]):
        raise corrupt(name, f"the safetensors entry {key!r} has invalid data_offsets {str(offsets)[:60]}")
    declared = math.prod(shape) * int(_TO_NUMPY[dtype][2:])  # Python ints: a huge shape does not overflow
    if declared != offsets[1] - offsets[0]:
        raise corrupt(name, f"the safetensors entry {key!r} declares shape {str(shape)[:60]} of {dtype} but "
                            f"spans {offsets[1] - offsets[0]} bytes")
    return _TO_NUMPY[dtype], tuple(shape), offsets[0], offsets[1]

