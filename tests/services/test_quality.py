from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

from typer.testing import CliRunner

from chandung.cli import app
from chandung.services.quality import quality_report
from chandung.services.stores import Stores
from tests.conftest import rows

TODAY = date(2026, 6, 30)


def test_quality_report_counts_what_is_there(stores: Stores) -> None:
    customers = rows("customers", [
        {"customer_id": "C1", "full_name": "Lan", "phone": "0162 345 6789",
         "phone_e164": "+84323456789", "email": "lan@gmail.com", "birth_year": 1990,
         "first_seen_at": datetime(2026, 1, 1)},
        {"customer_id": "C2", "full_name": "Lan", "phone": "0323456789",
         "phone_e164": "+84323456789", "email": "lan@@x", "birth_year": 2090,
         "first_seen_at": datetime(2020, 1, 1)},
        {"customer_id": "C3", "phone": "abc", "province_raw": "Sao Hỏa",
         "first_seen_at": datetime(2019, 1, 1)},
    ])  # fmt: skip
    consents = rows("consents", [
        {"consent_id": "K1", "customer_id": "C1", "purpose": "marketing", "status": "given",
         "recorded_at": datetime(2025, 1, 1)},
        {"consent_id": "K2", "customer_id": "C3", "purpose": "marketing", "status": "given",
         "recorded_at": datetime(2025, 1, 1)},
        {"consent_id": "K3", "customer_id": "C3", "purpose": "marketing", "status": "withdrawn",
         "recorded_at": datetime(2025, 6, 1)},
    ])  # fmt: skip
    stores.warehouse.replace_tables([{"customers": customers, "consents": consents}])
    report = quality_report(stores, today=TODAY)
    assert (report.records, report.people, report.duplicate_records_merged) == (3, 2, 1)
    assert report.links_by_rule == {"phone": 2}
    fields = {f["field"]: f for f in report.fields}
    assert (fields["phone"]["filled"], fields["phone"]["invalid"]) == (3, 1)
    assert (fields["email"]["filled"], fields["email"]["invalid"]) == (2, 1)
    assert (fields["birth_year"]["filled"], fields["birth_year"]["invalid"]) == (2, 1)
    assert (fields["province"]["filled"], fields["province"]["invalid"]) == (1, 1)
    assert fields["full_name"]["completeness"] == 2 / 3
    # C3 is stale (seen 2019, no order); Lan was seen again in 2026.
    assert report.stale_people == 1
    # Lan consented; C3 withdrew.
    assert report.marketing_consent_people == 1


def test_quality_report_command(tmp_path: Path) -> None:
    runner = CliRunner()
    home = str(tmp_path / "w")
    runner.invoke(app, ["demo", "generate", "--customers", "500", "--home", home])
    result = runner.invoke(app, ["quality", "report", "--home", home, "--json"])
    report = json.loads(result.stdout)
    assert report["records"] == 500 and report["people"] <= 500
    assert {f["field"] for f in report["fields"]} >= {"phone", "email", "birth_year"}
    words = runner.invoke(app, ["--lang", "en", "quality", "report", "--home", home])
    assert "customer records are" in words.stdout and "Valid" in words.stdout
