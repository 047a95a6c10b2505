"""Applying a function to a stream in worker threads, keeping the order of the stream."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def ordered_map(function: Callable[[T], R], items: Iterable[T], workers: int = 2) -> Iterator[R]:
    """``function(item)`` for each item, in order, with up to ``workers`` computed at once.

    Arrow's kernels release the GIL, so normalising two batches in two threads uses two
    cores. At most ``workers + 1`` results are held ahead of the consumer, so memory stays
    bounded whatever the length of the stream.

    >>> list(ordered_map(lambda x: x * x, range(5)))
    [0, 1, 4, 9, 16]
    """
    if workers <= 1:
        yield from map(function, items)
        return
    pending: deque[Future[R]] = deque()
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="chandung-prepare") as pool:
        try:
            for item in items:
                pending.append(pool.submit(function, item))
                if len(pending) > workers:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()
