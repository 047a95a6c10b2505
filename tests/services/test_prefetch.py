from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from chandung.services._prefetch import prefetch


def test_items_come_in_order() -> None:
    assert list(prefetch(iter(range(100)))) == list(range(100))


@pytest.mark.parametrize("error", [ValueError("bad row"), KeyboardInterrupt()])
def test_a_producer_error_reaches_the_consumer(error: BaseException) -> None:
    def items() -> Iterator[int]:
        yield 1
        raise error

    got: list[int] = []
    with pytest.raises(type(error)):
        got.extend(prefetch(items()))
    assert got == [1]


def test_stopping_early_stops_the_producer() -> None:
    produced: list[int] = []

    def items() -> Iterator[int]:
        for i in range(1_000_000):
            produced.append(i)
            yield i

    for i in prefetch(items(), depth=2):
        if i == 3:
            break
    assert len(produced) < 10
    assert not [t for t in threading.enumerate() if t.name == "chandung-prefetch"]
