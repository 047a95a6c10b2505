"""``chandung audience``: (being written)."""

from __future__ import annotations

from typing import Any

import typer


def register(app: typer.Typer) -> None:
    del app


__all__: list[Any] = ["register"]
