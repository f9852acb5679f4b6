"""Reading entries of a checkpoint's zip archive (microtorch's and torch's) within the sizes it declares.

Both writers store entries uncompressed, so a compressed entry is refused rather than expanded: a
small file can never become a large allocation. Stored entries can be memory-mapped in place.
"""
from __future__ import annotations

import struct
import zipfile
from typing import BinaryIO

from ..backends import get_backend
from ._files import corrupt

_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature, then the name's and the extra field's lengths
_COMPRESSION_NAMES = {zipfile.ZIP_DEFLATED: "deflate", zipfile.ZIP_BZIP2: "bzip2", zipfile.ZIP_LZMA: "lzma"}


def open_zip(source: BinaryIO, name: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as e:
        raise corrupt(name, f"not a zip archive ({e})") from None


def stored_entry(zf: zipfile.ZipFile, entry: str, name: str, limit: int | None = None) -> zipfile.ZipInfo:
    """The entry's record, checked: present, stored uncompressed, its sizes consistent (and at most ``limit``)."""
    try:
        info = zf.getinfo(entry)
    except KeyError:
        raise corrupt(name, f"the entry {entry} is missing") from None
    if info.compress_type != zipfile.ZIP_STORED:
        method = _COMPRESSION_NAMES.get(info.compress_type, f"unknown method {info.compress_type}")
        raise RuntimeError(f"microtorch.load: {name} stores {entry} compressed ({method}); checkpoints written by "
                           "microtorch and torch store entries uncompressed, so it is refused rather than expanded")
    if info.compress_size != info.file_size:
        raise corrupt(name, f"the entry {entry} declares {info.file_size} bytes but stores {info.compress_size}")
    if limit is not None and info.file_size > limit:
        raise RuntimeError(f"microtorch.load: {name} has a {entry} of {info.file_size} bytes, more than the "
                           f"{limit} bytes this loader accepts for it")
    return info


def read_entry(zf: zipfile.ZipFile, entry: str, name: str, limit: int | None = None) -> bytes:
    """The whole of a stored entry (its CRC checked by zipfile)."""
    stored_entry(zf, entry, name, limit)
    try:
        return zf.read(entry)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as e:
        raise corrupt(name, f"the entry {entry} is damaged ({e})") from None


def data_offset(zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> int:
    """Where a stored entry's bytes start in the archive file (after its local header)."""
    fp = zf.fp
    if fp is None:
        raise ValueError(f"{name}: the archive is closed")
    fp.seek(info.header_offset)
    header = fp.read(_LOCAL_HEADER.size)
    if len(header) != _LOCAL_HEADER.size:
        raise corrupt(name, f"the local header of {info.filename} is cut off")
    signature, name_length, extra_length = _LOCAL_HEADER.unpack(header)
    if signature != b"PK\x03\x04":
        raise corrupt(name, f"the local header of {info.filename} is damaged")
    return info.header_offset + _LOCAL_HEADER.size + name_length + extra_length


def map_bytes(path: str, offset: int, dtype: str, shape: tuple, fortran_order: bool = False):
    """A copy-on-write memory map of ``shape`` elements of ``dtype`` at ``offset`` in ``path`` (torch's
    ``mmap=True`` with ``shared=False``: writes to the tensor never reach the file)."""
    xp = get_backend("cpu").xp
    if 0 in shape:
        return xp.empty(shape, dtype=dtype)
    mapped = xp.memmap(path, dtype=dtype, mode="c", offset=offset, shape=shape, order="F" if fortran_order else "C")
    return xp.asarray(mapped)  # a plain ndarray view; it keeps the map open
