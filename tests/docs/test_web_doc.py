from __future__ import annotations

from pathlib import Path

from chandung.web._docs import render_route_reference

DOC = Path(__file__).resolve().parents[2] / "docs" / "web.md"


def test_route_reference_is_current() -> None:
    text = DOC.read_text("utf-8")
    assert text == render_route_reference(), "docs/web.md is stale: run `make docs`"


def test_route_reference_names_every_capability() -> None:
    text = render_route_reference()
    for path in ("/customers", "/segments", "/personas", "/data", "/admin", "/api/v1/customers"):
        assert f"`{path}`" in text, path
    assert "| GET | `/healthz` | none (open) |" in text
