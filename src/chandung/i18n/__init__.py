"""Vietnamese and English texts of the product.

Every user-facing text is a key in ``vi.toml`` and ``en.toml``, or in a file of the ``vi/``
and ``en/`` folders beside them (one per area of the product, e.g. ``vi/web.toml``); a test
checks that both catalogues have the same keys and the same placeholders, and that no
key is defined twice.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import Any

LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"


def _flatten(prefix: str, node: dict[str, Any], out: dict[str, str]) -> None:
    for key, value in node.items():
        full = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            # A table may also carry its own text under the reserved key "_".
            _flatten(full, value, out)
        else:
            out[full.removesuffix("._")] = str(value)


@cache
def catalogue(language: str) -> dict[str, str]:
    """All texts of ``language``, keyed by dotted name."""
    if language not in LANGUAGES:
        language = DEFAULT_LANGUAGE
    out: dict[str, str] = {}
    for name, raw in catalogue_files(language):
        part: dict[str, str] = {}
        _flatten("", tomllib.loads(raw), part)
        twice = sorted(part.keys() & out.keys())
        if twice:
            raise ValueError(f"{language}: {name} defines {', '.join(twice[:5])} again")
        out.update(part)
    return out


def catalogue_files(language: str) -> list[tuple[str, str]]:
    """``(name, text)`` of every catalogue file of ``language``: the main one, then its folder."""
    root = resources.files(__package__)
    files = [(f"{language}.toml", root.joinpath(f"{language}.toml").read_text("utf-8"))]
    folder = root.joinpath(language)
    if folder.is_dir():
        files.extend(
            (f"{language}/{item.name}", item.read_text("utf-8"))
            for item in sorted(folder.iterdir(), key=lambda i: i.name)
            if item.name.endswith(".toml")
        )
    return files


def translate(
    key: str, language: str = DEFAULT_LANGUAGE, *, default: str | None = None, **params: Any
) -> str:
    """The text ``key`` in ``language`` with ``params`` filled in.

    Falls back to English, then to ``default``, then to the key itself, so that a missing text
    never breaks a page (the catalogue test catches it first).
    """
    text = catalogue(language).get(key)
    if text is None:
        text = catalogue("en").get(key, default if default is not None else key)
    try:
        return text.format(**params)
    except (KeyError, IndexError, ValueError):
        return text


def normalise_language(value: str | None) -> str:
    """``value`` when it is a supported language, else the default (Vietnamese)."""
    if value and value.lower()[:2] in LANGUAGES:
        return value.lower()[:2]
    return DEFAULT_LANGUAGE


def reason_text(code: str, language: str = DEFAULT_LANGUAGE) -> str:
    """Why a value was refused, in words, from its reason code (e.g. ``phone.too_short``)."""
    known = catalogue(language)
    if f"reasons.{code}" in known or f"reasons.{code}" in catalogue("en"):
        return translate(f"reasons.{code}", language)
    field, _, kind = code.rpartition(".")
    if kind == "unknown" and field:
        return translate("reasons._unknown_value", language, field=field)
    return code
