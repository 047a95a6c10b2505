"""The app's open stores, shared by requests and background jobs.

The warehouse connection serves one caller at a time, so its use is serialised by a lock. A
page that would wait longer than a few seconds for it (a long import or segmentation is
running) gets a clear "busy" answer instead of hanging. Signing in and checking sessions only
touch the app database, which is safe to share between threads, so they never wait for the
warehouse.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

from ..errors import ChandungError
from ..services.stores import Stores, open_stores
from ..workspace import Workspace

#: How long a request waits for the warehouse before it is told the app is busy.
WAIT_SECONDS = 10.0


class Busy(ChandungError):
    """The warehouse is held by a long task."""

    status = 503
    default_code = "web.busy"


class StoreHolder:
    """Opens the workspace's stores on first use and hands them out."""

    def __init__(self, workspace: Workspace, wait_seconds: float = WAIT_SECONDS):
        self.workspace = workspace
        self.wait_seconds = wait_seconds
        self.stores: Stores | None = None
        self.lock = threading.Lock()
        self._open_lock = threading.Lock()
        self._stack = ExitStack()

    def _opened(self) -> Stores:
        with self._open_lock:
            if self.stores is None:
                self.stores = self._stack.enter_context(open_stores(self.workspace))
            return self.stores

    @contextmanager
    def use(self, wait: float | None = None) -> Iterator[Stores]:
        """The stores, with the warehouse to this caller alone while the block runs."""
        if not self.lock.acquire(timeout=self.wait_seconds if wait is None else wait):
            raise Busy("web.busy")
        try:
            yield self._opened()
        finally:
            self.lock.release()

    @contextmanager
    def use_accounts(self) -> Iterator[Stores]:
        """The stores for work on the app database only (sessions, tokens, audit records):
        does not wait for the warehouse, and must not touch it."""
        yield self._opened()

    def close(self) -> None:
        with self.lock, self._open_lock:
            self._stack.close()
            self.stores = None
