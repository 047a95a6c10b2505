"""Fixtures shared by the whole suite: isolated workspaces and a tiny hand-made business."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pytest

from chandung.schema import table
from chandung.services.stores import Stores, open_stores
from chandung.workspace import Workspace


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # No test may touch a real workspace: CHANDUNG_HOME points into the test's own folder.
    monkeypatch.setenv("CHANDUNG_HOME", str(tmp_path / "default-home"))


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    return Workspace.open(tmp_path / "ws")


@pytest.fixture
def stores(workspace: Workspace) -> Iterator[Stores]:
    with open_stores(workspace) as s:
        yield s


def rows(name: str, records: list[dict[str, object]]) -> pa.Table:
    """Canonical rows of table ``name`` from partial records (missing columns are empty)."""
    spec = table(name)
    full = [
        {
            c: r.get(c, "test" if c in ("source", "import_batch") else None)
            for c in spec.column_names
        }
        for r in records
    ]
    return pa.Table.from_pylist(full, schema=spec.arrow_schema())


def _order(
    oid: str,
    cid: str,
    when: str,
    total: int,
    status: str = "completed",
    channel: str = "shopee",
    device: str | None = "mobile",
) -> dict[str, object]:
    groups = {"shopee": "marketplace", "store_gt": "general_trade", "website": "own_online"}
    return {
        "order_id": oid,
        "customer_id": cid,
        "ordered_at": datetime.fromisoformat(when),
        "channel": channel,
        "channel_group": groups[channel],
        "device": device,
        "status": status,
        "currency": "VND",
        "total_vnd": total,
    }


TINY_ORDERS = [
    _order("O1", "C1", "2025-01-05 10:00", 100_000),
    _order("O2", "C1", "2025-03-10 11:00", 300_000),
    _order("O3", "C2", "2025-03-15 09:30", 200_000, channel="store_gt", device=None),
    _order("O4", "C3", "2025-04-20 20:00", 50_000, status="cancelled"),
    _order("O5", "C2", "2025-06-01 08:00", 400_000, channel="website", device="desktop"),
    _order("O6", "C4", "2025-06-28 12:00", 1_000_000),
]


@pytest.fixture
def tiny_business(stores: Stores) -> Stores:
    """Four customers and six orders (one cancelled), loaded into the warehouse."""
    customers = rows("customers", [{"customer_id": f"C{i}"} for i in range(1, 6)])
    stores.warehouse.replace_tables(
        [{"customers": customers, "orders": rows("orders", TINY_ORDERS)}]
    )
    return stores


@pytest.fixture(scope="session")
def analysed_demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo business of 2,000 people, analysed, segmented, with personas and one user per
    role (see ``tests/web/conftest.py``): built once, copied by :func:`analysed_demo`."""
    from chandung.services.analysis import run_analysis
    from chandung.services.demo import generate_demo
    from chandung.services.personas import generate_personas
    from chandung.services.users import create_user

    home = tmp_path_factory.mktemp("analysed-demo") / "ws"
    with open_stores(Workspace.open(home)) as s:
        generate_demo(s, customers=2_000, seed=7)
        run_analysis(s)
        generate_personas(s)
        for role in ("admin", "analyst", "marketer", "viewer"):
            create_user(s, role, role, "correct horse battery", check_permission=False)
    return home


@pytest.fixture
def analysed_demo(analysed_demo_template: Path, tmp_path: Path) -> Workspace:
    """A private copy of :func:`analysed_demo_template` that a test may change."""
    import shutil

    home = tmp_path / "demo-ws"
    shutil.copytree(analysed_demo_template, home)
    return Workspace.open(home)
