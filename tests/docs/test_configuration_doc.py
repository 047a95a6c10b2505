from __future__ import annotations

from pathlib import Path

from chandung.config import describe, render_configuration_doc

DOC = Path(__file__).parents[2] / "docs" / "configuration.md"


def test_every_setting_is_documented() -> None:
    text = DOC.read_text("utf-8")
    for key, _, description in describe():
        assert f"`{key}`" in text, key
        assert description, f"{key} has no description"
    assert text == render_configuration_doc(), "docs/configuration.md is stale: run `make docs`"
