"""Rules of the codebase that keep it in shape: import direction and the public surface."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

import chandung

SRC = Path(chandung.__file__).parent
BASE = {"_version", "errors", "i18n"}
SURFACES = {"web", "api", "cli"}
TOP_LEVEL = {
    p.stem if p.is_file() else p.name
    for p in SRC.iterdir()
    if not p.name.startswith("__") and (p.is_dir() or p.suffix == ".py")
}
#: What each part of the package may import from the rest of it (besides itself).
ALLOWED: dict[str, set[str]] = {
    "_version": set(),
    "i18n": set(),
    "errors": {"i18n"},
    "schema": set(),
    "config": BASE,
    "workspace": BASE | {"config"},
    "store": BASE | {"schema", "privacy"},
    "metrics": BASE | {"schema", "store"},
    "models": BASE | {"schema"},
    "segments": BASE | {"schema", "metrics", "models"},
    "voc": BASE | {"schema", "segments"},
    "privacy": BASE | {"schema"},
    "personas": BASE | {"schema", "metrics", "models", "segments", "voc"},
    "datasets": BASE | {"schema"},
    "ingest": BASE | {"schema"},
    "identity": BASE | {"schema"},
    "testing": BASE | {"schema", "ingest"},
    "services": TOP_LEVEL - SURFACES,
    "web": TOP_LEVEL - {"cli", "api"},
    "api": TOP_LEVEL - {"cli", "web"},
    "cli": TOP_LEVEL - {"api"},
}


def _imported_parts(path: Path) -> set[str]:
    module = path.relative_to(SRC.parent).with_suffix("").parts
    package = module[:-1]  # the package a relative import starts from
    parts: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                names = [".".join((*base, node.module or ""))]
                if not node.module:
                    names = [".".join((*base, a.name)) for a in node.names]
            elif node.module:
                names = [node.module]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        for name in names:
            pieces = name.strip(".").split(".")
            if pieces[0] == "chandung" and len(pieces) > 1:
                parts.add(pieces[1])
    return parts


@pytest.mark.parametrize("path", sorted(SRC.rglob("*.py")), ids=lambda p: str(p.relative_to(SRC)))
def test_imports_point_one_way(path: Path) -> None:
    part = path.relative_to(SRC).parts[0].removesuffix(".py")
    if part in ("__init__", "__main__"):
        return
    assert part in ALLOWED, f"{part} has no import rule in tests/test_meta.py"
    wrong = _imported_parts(path) - ALLOWED[part] - {part}
    assert not wrong, f"{path.relative_to(SRC)} may not import {sorted(wrong)}"


def test_the_rule_sees_imports() -> None:
    assert _imported_parts(SRC / "cli" / "demo.py") >= {"services", "config", "i18n"}


@pytest.mark.parametrize(
    "module",
    [
        "chandung",
        "chandung.schema",
        "chandung.store",
        "chandung.metrics",
        "chandung.web",
        "chandung.cli",
        "chandung.datasets.demo",
    ],
)
def test_every_public_name_resolves(module: str) -> None:
    mod = importlib.import_module(module)
    for name in mod.__all__:
        assert hasattr(mod, name), f"{module}.{name}"


def test_no_print_and_no_machine_paths_in_the_package() -> None:
    for path in SRC.rglob("*.py"):
        text = path.read_text("utf-8")
        assert "/work/" not in text and "/root/" not in text, path
