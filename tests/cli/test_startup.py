"""The command line starts without the analysis, charting and web libraries.

Each command loads its services when it runs, so ``chandung --help`` answers at once and an
import does not wait for the statistics or the web stack. Each check runs in a fresh
interpreter: the test process has long since loaded everything.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

#: Libraries that only some commands need, and that take seconds to load together.
HEAVY = ("scipy", "matplotlib", "sklearn", "pandas", "fastapi", "jinja2")

_REPORT = (
    "import json, sys\n"
    "sys.stderr.write(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"
)


def _loaded(code: str) -> set[str]:
    """Top-level packages loaded by ``code`` in a fresh interpreter."""
    done = subprocess.run(
        [sys.executable, "-c", f"{code}\n{_REPORT}"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return set(json.loads(done.stderr.strip().splitlines()[-1]))


def _loaded_by_command(*argv: str) -> set[str]:
    """Top-level packages loaded by running ``chandung argv`` to the end."""
    run = (
        "import sys\n"
        "from chandung.cli import main\n"
        f"sys.argv = ['chandung', *{list(argv)!r}]\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as exit:\n"
        "    assert not exit.code, exit.code\n"
    )
    return _loaded(run)


def test_importing_the_command_line_loads_no_heavy_library() -> None:
    assert _loaded("import chandung.cli.main") & set(HEAVY) == set()


@pytest.mark.parametrize(
    "argv", [("--help",), ("--version",), ("import", "--help"), ("clv", "fit", "--help")]
)
def test_help_and_version_load_no_heavy_library(argv: tuple[str, ...]) -> None:
    assert _loaded_by_command(*argv) & set(HEAVY) == set()


def test_importing_a_customer_file_loads_no_statistics_charts_or_web(tmp_path: Path) -> None:
    path = tmp_path / "khach.csv"
    path.write_text(
        "Họ và tên,SĐT,Email\nNguyễn Thị Lan,0912345678,lan@gmail.com\n", encoding="utf-8"
    )
    home = str(tmp_path / "w")
    _loaded_by_command("--home", home, "init")
    loaded = _loaded_by_command("--home", home, "import", "customers", str(path))
    # pandas stays out of this list: Arrow loads it itself when it converts Python values.
    assert loaded & {"scipy", "matplotlib", "sklearn", "fastapi", "jinja2"} == set()
    # The app database is at the newest migration: the migration tool is not loaded.
    assert "alembic" not in loaded
