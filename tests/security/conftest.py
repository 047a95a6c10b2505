"""The security suite attacks the app as it is served: uvicorn on a local port, real HTTP."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx2
import uvicorn
from fastapi import FastAPI


@dataclass(frozen=True)
class Served:
    """An app being served, and where."""

    app: FastAPI
    url: str

    @property
    def state(self) -> object:
        return self.app.state

    def client(self) -> httpx2.Client:
        """A new HTTP client of the served app (its own cookies), following redirects."""
        return httpx2.Client(base_url=self.url, follow_redirects=True, timeout=60)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(app: FastAPI) -> Iterator[Served]:
    """Serve ``app`` on a free local port for the block."""
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the app did not start")
        time.sleep(0.05)
    try:
        yield Served(app, f"http://127.0.0.1:{port}")
    finally:
        server.should_exit = True
        thread.join(timeout=10)
