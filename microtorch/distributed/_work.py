"""Work: the handle of a collective in flight (``torch.distributed.Work``), and the errors it raises.

A collective is started with non-blocking MPI requests (or NCCL kernels on a stream) and its
Work polls them with a deadline: a peer that never joins makes ``wait()`` raise
:class:`DistBackendError` after the group's timeout instead of hanging the process.
"""
from __future__ import annotations

import time
from datetime import timedelta
from typing import Any, Callable


class DistError(RuntimeError):
    """Base of the errors raised by ``microtorch.distributed`` (``torch.distributed.DistError``)."""

    __module__ = "microtorch.distributed"


class DistBackendError(DistError):
    """A collective failed or timed out in the communication backend."""

    __module__ = "microtorch.distributed"


class DistNetworkError(DistError):
    """The processes could not reach one another."""

    __module__ = "microtorch.distributed"


class DistStoreError(DistError):
    """Rendezvous failed (kept for torch's name; MPI does the rendezvous here)."""

    __module__ = "microtorch.distributed"


def _seconds(timeout: Any) -> float:
    return timeout.total_seconds() if isinstance(timeout, timedelta) else float(timeout)


SPIN_SECONDS = 0.001  # polled back to back at first: MPI moves data only while it is asked
MAX_PAUSE = 0.0002  # then with pauses, which leave cores that ranks share to the peers they wait for


def poll_until(done: Callable[[], bool], timeout: Any) -> None:
    """Call ``done()`` until it is true; after ``timeout`` raise DistBackendError.

    The first millisecond polls back to back (MPI moves data only while a rank asks about its
    requests); then polls are spaced by growing pauses, up to 0.2 ms, so ranks sharing cores
    leave them to the peers they wait for.
    """
    if done():
        return
    start = time.monotonic()
    limit = _seconds(timeout)
    pause = 1e-5
    while not done():
        waited = time.monotonic() - start
        if waited > limit:
            raise TimeoutError(limit)
        if waited > SPIN_SECONDS:
            time.sleep(pause)
            pause = min(pause * 1.5, MAX_PAUSE)


class Work:
    """A started collective: ``wait()`` blocks until it is done (or raises on timeout); ``is_completed()``
    asks without blocking. ``result()`` gives the output tensors, as torch's Work."""

    def __init__(self, test: Callable[[], bool], what: str, timeout: Any,
                 finish: Callable[[], None] | None = None, outputs: list | None = None,
                 on_timeout: Callable[[], None] | None = None) -> None:
        self._test = test
        self._on_timeout = on_timeout
        self._what = what
        self._timeout = timeout
        self._finish = finish
        self._outputs = outputs or []
        self._done = False
        self._error: BaseException | None = None

    def _complete(self) -> None:
        self._done = True
        if self._finish is not None:
            finish, self._finish = self._finish, None
            finish()

    def then(self, step: Callable[[], None]) -> Work:
        """Run ``step`` after the operation completes (and after earlier steps); returns self."""
        earlier = self._finish

        def chained() -> None:
            if earlier is not None:
                earlier()
            step()

        self._finish = chained
        if self._done:
            self._finish, finish = None, chained
            finish()
        return self

    def is_completed(self) -> bool:
        """True once the operation has finished (progresses it without blocking)."""
        if not self._done and self._error is None and self._test():
            self._complete()
        return self._done

    def is_success(self) -> bool:
        """True if it finished without an error."""
        return self.is_completed() and self._error is None

    def exception(self) -> BaseException | None:
        """The error that ended it, if any."""
        return self._error

    def wait(self, timeout: Any = None) -> bool:
        """Block until done; raise DistBackendError if that takes longer than ``timeout`` (the group's by default)."""
        if self._error is not None:
            raise self._error
        if not self._done:
            try:
                poll_until(self._test, self._timeout if timeout is None else timeout)
            except TimeoutError as e:
                self._error = DistBackendError(
                    f"{self._what} timed out after {e.args[0]:g} s: a peer did not take part in time (it failed, is "
                    "stuck, or called a different collective). Set init_process_group(timeout=...) to wait longer."
                )
                if self._on_timeout is not None:
                    self._on_timeout()
                raise self._error from None
            self._complete()
        return True

    def result(self) -> list:
        """The tensors this operation wrote (after waiting for it)."""
        self.wait()
        return list(self._outputs)

    def synchronize(self) -> None:
        """Wait for it (torch's name on GPU streams)."""
        self.wait()

    def __repr__(self) -> str:
        return f"<Work {self._what} {'done' if self._done else 'in flight'}>"


def completed_work(what: str = "noop") -> Work:
    """A Work that is already done (a collective on one process)."""
    work = Work(lambda: True, what, 0)
    work._done = True
    return work
