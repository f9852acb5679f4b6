"""The DataLoader's helpers (``torch.utils.data._utils``): collation, fetching, the worker loop, and the
wrapper that carries a worker's exception, traceback included, back to the main process."""
from __future__ import annotations

import atexit
import sys
import traceback

# How long shutdown waits for a worker to exit before terminating it (torch's value).
MP_STATUS_CHECK_INTERVAL = 5.0
# How often an idle worker checks that the main process lives and has not shut the workers down (the
# final None may never come: a garbage-collected iterator's queues are closed before its __del__ runs).
MANAGER_STATUS_CHECK_INTERVAL = 0.5
# How often the waiting main process checks that its workers still live: short, so a dead worker
# is reported at once (torch learns it from SIGCHLD, which Python code cannot install as safely).
WORKER_STATUS_CHECK_INTERVAL = 0.1

python_exit_status = False  # set at interpreter exit: iterators then leave their daemonic workers alone


def _set_python_exit_flag() -> None:
    global python_exit_status
    python_exit_status = True


atexit.register(_set_python_exit_flag)


class KeyErrorMessage(str):
    """A KeyError's message that prints as written (KeyError reprs its argument)."""

    def __repr__(self) -> str:
        return self


class ExceptionWrapper:
    """An exception with its formatted traceback, to raise again in another process or thread
    (``torch._utils.ExceptionWrapper``)."""

    def __init__(self, exc_info: tuple | None = None, where: str = "in background") -> None:
        if exc_info is None:
            exc_info = sys.exc_info()
        self.exc_type = exc_info[0]
        self.exc_msg = "".join(traceback.format_exception(*exc_info))  # not the traceback itself: no cycles
        self.where = where

    def reraise(self) -> None:
        """Raise the wrapped exception's type with ``Caught <type> <where>.`` and the original traceback."""
        msg = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.exc_msg}"
        if self.exc_type is KeyError:
            msg = KeyErrorMessage(msg)
        elif getattr(self.exc_type, "message", None):
            raise self.exc_type(message=msg)
        try:
            exception = self.exc_type(msg)
        except Exception:  # an exception type that takes other arguments
            exception = None
        if exception is None:
            raise RuntimeError(msg) from None
        try:
            raise exception
        finally:
            # no cycle exception -> traceback -> this frame -> exception: the DataLoader iterator in the
            # traceback is then freed (and its workers stopped) as soon as the caller drops the exception,
            # not by a later garbage collection, which first closes the queues that stop the workers
            del exception


from . import collate, fetch, worker  # noqa: E402  (they import the names above)
