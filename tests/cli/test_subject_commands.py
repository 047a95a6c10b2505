"""``chandung subject``, ``chandung consent`` and ``chandung audience`` on a small demo."""

from __future__ import annotations

import csv
import io
import json
import stat
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from chandung.cli import app
from chandung.services.stores import open_stores
from chandung.workspace import Workspace

runner = CliRunner()


def run(*args: str) -> Any:
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("subject-cli") / "shop"
    result = run("demo", "--no-serve", "--customers", "300", "--seed", "2", "--home", str(path))
    assert result.exit_code == 0, result.output
    return path


def _buyer(home: Path) -> str:
    """A record of someone with orders and a phone."""
    with open_stores(Workspace.open(home)) as stores:
        wh = stores.warehouse
        orders = wh.table("orders")
        customers = wh.table("customers")
        buyers = customers.filter(
            customers.customer_id.isin(orders.customer_id) & customers.phone_e164.notnull()
        )
        return str(buyers.customer_id.min().to_pyarrow().as_py())


def test_consent_record_and_show(home: Path) -> None:
    h = ("--home", str(home))
    cid = _buyer(home)
    given = run("consent", "record", cid, "--purpose", "marketing", "--channel", "zalo",
                "--status", "given", "--method", "web_form", *h, "--json")  # fmt: skip
    assert given.exit_code == 0, given.output
    entry = json.loads(given.stdout)
    assert (entry["customer_id"], entry["status"], entry["channel"]) == (cid, "given", "zalo")
    later = run("--lang", "en", "consent", "record", cid, "--purpose", "marketing", "--channel",
                "zalo", "--status", "withdrawn", "--method", "zalo_oa", *h)  # fmt: skip
    assert later.exit_code == 0 and "withdrawn" in later.stdout
    shown = json.loads(run("consent", "show", cid, *h, "--json").stdout)
    zalo = [e for e in shown if (e["purpose"], e["channel"]) == ("marketing", "zalo")]
    assert [(e["status"], e["method"]) for e in zalo] == [("withdrawn", "zalo_oa")]
    text = run("--lang", "vi", "consent", "show", cid, *h)
    assert text.exit_code == 0 and "đã rút lại" in text.stdout
    bad = run("--lang", "en", "consent", "record", cid, "--purpose", "spam", "--status",
              "given", "--method", "x", *h)  # fmt: skip
    assert bad.exit_code == 1 and "spam" in bad.output


def test_audience_export(home: Path, tmp_path: Path) -> None:
    h = ("--home", str(home))
    made = run("segment", "create", "All", "--rule", "records >= 1", *h)
    assert made.exit_code == 0, made.output
    out = tmp_path / "zalo.csv"
    result = run("audience", "export", "--segment", "All", "--channel", "zalo",
                 "--purpose", "Tết campaign", "-o", str(out), *h, "--json")  # fmt: skip
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    rows = list(csv.DictReader(io.StringIO(out.read_text("utf-8"))))
    assert report["rows"] == len(rows) > 0 and list(rows[0]) == ["person_id", "display_name",
                                                                 "phone"]  # fmt: skip
    no_purpose = run("--lang", "en", "audience", "export", "--segment", "All", "--channel",
                     "zalo", "--purpose", " ", "-o", str(tmp_path / "x.csv"), *h)  # fmt: skip
    assert no_purpose.exit_code == 1 and "purpose" in no_purpose.output
    both = run("audience", "export", "--segment", "All", "--persona", "P1", "--channel",
               "zalo", "--purpose", "x", "-o", str(tmp_path / "y.csv"), *h)  # fmt: skip
    assert both.exit_code == 1 and not (tmp_path / "y.csv").exists()


def test_subject_export_then_erase(home: Path, tmp_path: Path) -> None:
    h = ("--home", str(home))
    cid = _buyer(home)
    out = tmp_path / "subject.json"
    exported = run("--lang", "en", "subject", "export", cid, "-o", str(out), *h)
    assert exported.exit_code == 0, exported.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    data = json.loads(out.read_text("utf-8"))
    assert cid in data["subject"]["record_ids"] and data["tables"]["orders"]
    on_screen = json.loads(run("subject", "export", cid, *h).stdout)
    assert on_screen["tables"]["orders"] == data["tables"]["orders"]

    refused = run("--lang", "en", "subject", "erase", cid, *h)
    assert refused.exit_code == 1 and "--yes" in refused.output
    assert run("subject", "export", cid, *h).exit_code == 0
    erased = run("subject", "erase", cid, "--yes", *h, "--json")
    assert erased.exit_code == 0, erased.output
    report = json.loads(erased.stdout)
    assert report["records"] >= 1 and report["counts"]["orders"] == len(data["tables"]["orders"])
    gone = run("--lang", "en", "subject", "export", cid, *h)
    assert gone.exit_code == 1 and "no customer record" in gone.output
    assert run("consent", "show", cid, *h).exit_code == 1
