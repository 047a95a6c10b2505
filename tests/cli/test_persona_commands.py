"""``chandung personas`` on a small demo business: generate, list, show, edit, diff, cards."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from chandung.cli import app

runner = CliRunner()


def run(*args: str) -> Any:
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("persona-cli") / "shop"
    result = run("demo", "--no-serve", "--customers", "2000", "--seed", "4", "--home", str(path))
    assert result.exit_code == 0, result.output
    generated = run("personas", "generate", "--home", str(path), "--json")
    assert generated.exit_code == 0, generated.output
    return path


def test_generate_list_and_show(home: Path) -> None:
    h = ("--home", str(home))
    listed = json.loads(run("personas", "list", *h, "--json").stdout)
    assert listed and all(p["version"] == 1 for p in listed)
    first = listed[0]["id"]
    shown = json.loads(run("personas", "show", first, "--lang", "en", *h, "--json").stdout)
    assert shown["id"] == first and shown["language"] == "en"
    text = run("personas", "show", first, "--lang", "en", *h)
    assert text.exit_code == 0 and shown["name"] in text.output
    assert "Who they are" in text.output


def test_unknown_persona_is_one_clear_error(home: Path) -> None:
    result = run("personas", "show", "P999", "--home", str(home))
    assert result.exit_code != 0
    assert "P999" in result.output and "Traceback" not in result.output


def test_edit_survives_a_new_version_and_diff_reads(home: Path) -> None:
    h = ("--home", str(home))
    first = json.loads(run("personas", "list", *h, "--json").stdout)[0]["id"]
    edited = run("personas", "edit", first, "--name", "Cô Ba", "--hide", "quotes", *h)
    assert edited.exit_code == 0, edited.output
    bad = run("personas", "edit", first, "--hide", "horoscope", *h)
    assert bad.exit_code != 0 and "horoscope" in bad.output
    again = json.loads(run("personas", "generate", *h, "--json").stdout)
    assert again["version"] == 2
    renamed = next(p for p in again["personas"] if p["id"] == first)
    assert renamed["name"] == "Cô Ba" and renamed["hidden_sections"] == ["quotes"]
    diff = json.loads(run("personas", "diff", "1", "2", *h, "--json").stdout)
    assert diff["from"] == 1 and diff["to"] == 2
    assert {p["status"] for p in diff["personas"]} <= {"same", "changed", "new", "gone"}
    words = run("personas", "diff", "1", "2", "--lang", "en", *h)
    assert words.exit_code == 0 and "no notable change" in words.output
    versions = json.loads(run("personas", "versions", *h, "--json").stdout)
    assert [v["version"] for v in versions] == [1, 2]


@pytest.mark.parametrize(("fmt", "magic"), [("html", b"<!doctype html"), ("pdf", b"%PDF"),
                                             ("png", b"\x89PNG")])  # fmt: skip
def test_cards_and_deck(home: Path, tmp_path: Path, fmt: str, magic: bytes) -> None:
    h = ("--home", str(home))
    first = json.loads(run("personas", "list", *h, "--json").stdout)[0]["id"]
    out = tmp_path / f"card.{fmt}"
    result = run("personas", "card", first, "--format", fmt, "--lang", "en", "-o", str(out), *h)
    assert result.exit_code == 0, result.output
    assert out.read_bytes()[: len(magic)].lower() == magic.lower()


def test_deck_has_a_page_per_persona(home: Path, tmp_path: Path) -> None:
    h = ("--home", str(home))
    count = len(json.loads(run("personas", "list", *h, "--json").stdout))
    out = tmp_path / "deck.pdf"
    assert run("personas", "deck", "-o", str(out), *h).exit_code == 0
    import re

    pages = re.findall(rb"/Type\s*/Page[^s]", out.read_bytes())
    assert len(pages) == count


def test_bad_card_format(home: Path, tmp_path: Path) -> None:
    result = run("personas", "card", "P1", "--format", "docx", "-o", str(tmp_path / "x"),
                 "--home", str(home))  # fmt: skip
    assert result.exit_code != 0 and "docx" in result.output
    assert not (tmp_path / "x").exists()


def test_personas_from_saved_segments(home: Path) -> None:
    h = ("--home", str(home))
    rules = {"Phụ nữ": "gender = female", "Nam giới": "gender = male"}
    for name, rule in rules.items():
        assert run("segment", "create", name, "--rule", rule, *h).exit_code == 0
    result = run("personas", "generate", "--segments", ",".join(rules), "--lang", "en", *h,
                 "--json")  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["source"] == {"source": "segments", "segments": list(rules)}
    by_segment = {p["segment"]["name"]: p for p in data["personas"]}
    assert set(by_segment) == set(rules)
    women = next(s for s in by_segment["Phụ nữ"]["demographics"] if s["key"] == "gender")
    men = next(s for s in by_segment["Nam giới"]["demographics"] if s["key"] == "gender")
    assert women["value"] == "female" and women["evidence"]["share_in_segment"] == 1.0
    assert men["value"] == "male"
    assert by_segment["Phụ nữ"]["identity"]["gender"] == "female"
    unknown = run("personas", "generate", "--segments", "Không có", *h)
    assert unknown.exit_code != 0 and "Không có" in unknown.output
