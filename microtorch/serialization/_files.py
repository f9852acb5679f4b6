"""Writing a checkpoint in one step, and opening one to read without trusting it.

Saving to a path writes a temporary file next to the target (through a symlink: next to the file it
points to), gives it the target's permissions, and renames it over the target only once it is complete,
so an interrupted save leaves the previous checkpoint intact. A temporary is named
``.<name>.<pid>-<random>.tmp``: the next save to the same path removes those whose process is gone,
so crashes leave at most one behind.
"""
from __future__ import annotations

import contextlib
import io
import os
import re
import secrets
import stat
import threading
from typing import Any, BinaryIO, Callable, Iterator, Union

PathOrFile = Union[str, "os.PathLike[str]", BinaryIO]

_ACTIVE_TEMPORARIES: set = set()  # this process's saves in progress (other threads' too)
_ACTIVE_LOCK = threading.Lock()


def corrupt(name: str, why: str) -> RuntimeError:
    """The error for a file that is not what it says it is."""
    return RuntimeError(f"microtorch.load: {name} is not a readable checkpoint, it is truncated or corrupted: {why}")


def write_atomically(path_like: Any, write: Callable[[BinaryIO], None]) -> None:
    """Run ``write(file)`` on a temporary file, then move it over ``path_like`` in one step."""
    target = os.path.realpath(os.fspath(path_like))  # through symlinks, as open(path, 'wb') writes
    directory, base = os.path.split(target)
    _remove_stale_temporaries(directory, base)
    tmp = os.path.join(directory, f".{base}.{os.getpid()}-{secrets.token_hex(6)}.tmp")
    # O_EXCL: never follow or reuse an existing file; 0o666 lets the umask decide, as open() would
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    with _ACTIVE_LOCK:
        _ACTIVE_TEMPORARIES.add(tmp)
    try:
        with os.fdopen(fd, "wb") as out:
            write(out)
            out.flush()
            _keep_permissions(target, out.fileno())
            os.fsync(out.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    finally:
        with _ACTIVE_LOCK:
            _ACTIVE_TEMPORARIES.discard(tmp)
    _fsync_directory(directory)


def _keep_permissions(target: str, fd: int) -> None:
    """A file saved over keeps its mode (and owner, where allowed), as torch's in-place write does."""
    try:
        old = os.stat(target)
    except FileNotFoundError:
        return
    if hasattr(os, "fchmod"):
        os.fchmod(fd, stat.S_IMODE(old.st_mode))
    if hasattr(os, "fchown"):
        with contextlib.suppress(OSError):  # only root may give a file away
            os.fchown(fd, old.st_uid, old.st_gid)


def _remove_stale_temporaries(directory: str, base: str) -> None:
    """Delete ``.<base>.<pid>-<hex>.tmp`` files whose saving process no longer runs."""
    pattern = re.compile(rf"\.{re.escape(base)}\.(\d+)-[0-9a-f]{{12}}\.tmp")
    try:
        names = os.listdir(directory)
    except OSError:
        return
    for name in names:
        match = pattern.fullmatch(name)
        if match is None:
            continue
        path = os.path.join(directory, name)
        with _ACTIVE_LOCK:
            in_use = path in _ACTIVE_TEMPORARIES
        if not in_use and not _process_alive(int(match.group(1))):
            with contextlib.suppress(OSError):
                os.unlink(path)


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # ours but not in use: left by a save that was interrupted in this process
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # exists (another user's) or cannot tell: leave it
    return True


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


@contextlib.contextmanager
def open_for_reading(f: PathOrFile) -> Iterator[tuple[BinaryIO, str, str | None]]:
    """``(binary file, name for messages, path or None)``; refuses what is not a regular file or a binary file object."""
    if hasattr(f, "read"):
        yield _binary_file_object(f), "the file object", None
        return
    path = os.fspath(f)
    if not isinstance(path, str):
        path = os.fsdecode(path)
    name = repr(path)
    st = os.stat(path)  # FileNotFoundError as open() would raise it
    if not stat.S_ISREG(st.st_mode):
        raise RuntimeError(f"microtorch.load: {name} is not a regular file (a device, pipe, socket or directory); "
                           "checkpoints are read from regular files or binary file objects")
    with open(path, "rb") as source:
        yield source, name, path


def _binary_file_object(f: Any) -> BinaryIO:
    mode = getattr(f, "mode", "b")  # gzip's file objects have an int mode
    if isinstance(f, io.TextIOBase) or isinstance(mode, str) and "b" not in mode:
        raise TypeError("microtorch.load needs a binary file object: open the file with open(path, 'rb') (it was "
                        "opened in text mode)")
    probe = f.read(0)
    if not isinstance(probe, (bytes, bytearray)):
        raise TypeError(f"microtorch.load needs a binary file object, but its read() returns {type(probe).__name__}: "
                        "open the file with open(path, 'rb')")
    if hasattr(f, "seekable") and f.seekable():
        return f
    return io.BytesIO(f.read())  # zip and safetensors readers seek
