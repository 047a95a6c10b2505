"""Long tasks started from the browser (imports, segmentation, personas, backups).

A task runs on one worker thread, holding the warehouse while it runs, and acting as the
person who started it (so its permission checks and audit records are theirs). Pages poll
``GET /api/v1/jobs/{id}`` for its progress and result; jobs are kept in memory, the most
recent :data:`KEEP` of them, since what a task produces is stored by the task itself.
"""

from __future__ import annotations

import logging
import queue
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ..errors import ChandungError
from ..privacy.context import acting_as
from ..privacy.roles import Principal
from ..services.stores import Stores
from .holder import StoreHolder

logger = logging.getLogger(__name__)

KEEP = 200
#: How long a task waits for the warehouse before giving up (other tasks or pages hold it).
WAIT_SECONDS = 600.0

Progress = Callable[[int, int], None]
Task = Callable[[Stores, Progress], dict[str, Any]]


@dataclass
class Job:
    id: str
    kind: str
    owner: str
    status: str = "queued"  # queued, running, done, failed
    done: int = 0
    total: int = 0
    result: dict[str, Any] | None = None
    error: ChandungError | None = None
    created: datetime = field(default_factory=lambda: datetime.now(UTC))
    finished: datetime | None = None

    def as_dict(self, language: str) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "status": self.status,
            "done": self.done,
            "total": self.total,
            "result": self.result,
            "error": self.error.as_dict(language) if self.error else None,
            "created": self.created.isoformat(),
            "finished": self.finished.isoformat() if self.finished else None,
        }


class JobRunner:
    """Runs tasks one after another on a background thread."""

    def __init__(self, holder: StoreHolder) -> None:
        self.holder = holder
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._queue: queue.Queue[tuple[Job, Principal, Task] | None] = queue.Queue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def submit(self, kind: str, principal: Principal, task: Task) -> Job:
        job = Job(uuid.uuid4().hex, kind, principal.username)
        with self._lock:
            self._jobs[job.id] = job
            while len(self._jobs) > KEEP:
                self._jobs.popitem(last=False)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._work, name="chandung-jobs", daemon=True
                )
                self._thread.start()
        self._queue.put((job, principal, task))
        return job

    def get(self, job_id: str, principal: Principal) -> Job | None:
        """The job ``job_id`` if ``principal`` started it (an admin sees every job)."""
        job = self._jobs.get(job_id)
        if job is None or (job.owner != principal.username and principal.role != "admin"):
            return None
        return job

    def wait(self, job_id: str, timeout: float = 60.0) -> Job:
        """Block until ``job_id`` has finished (for tests and scripts)."""
        done = threading.Event()

        def check() -> bool:
            job = self._jobs[job_id]
            return job.status in ("done", "failed")

        deadline = datetime.now(UTC).timestamp() + timeout
        while not check():
            if datetime.now(UTC).timestamp() > deadline:
                raise TimeoutError(job_id)
            done.wait(0.05)
        return self._jobs[job_id]

    def close(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=30)
            self._thread = None

    def _work(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            job, principal, task = item
            job.status = "running"

            def progress(done: int, total: int, job: Job = job) -> None:
                job.done, job.total = done, total

            try:
                with acting_as(principal), self.holder.use(wait=WAIT_SECONDS) as stores:
                    job.result = task(stores, progress)
                job.status = "done"
            except ChandungError as exc:
                job.error, job.status = exc, "failed"
            except Exception as exc:  # the log keeps the details; the person gets a plain message
                logger.exception("background task %s failed", job.kind, exc_info=exc)
                job.error, job.status = ChandungError("internal"), "failed"
            finally:
                job.finished = datetime.now(UTC)
