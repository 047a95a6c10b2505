"""``chandung segment`` on a small demo business."""

from __future__ import annotations

import csv
import io
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
    path = tmp_path_factory.mktemp("segment-cli") / "shop"
    result = run("demo", "--no-serve", "--customers", "1200", "--seed", "4", "--home", str(path))
    assert result.exit_code == 0, result.output
    return path


def test_create_show_list_members_check(home: Path) -> None:
    h = ("--home", str(home))
    created = run("segment", "create", "Bargain", "--rule", "average_order_value < 300k", *h,
                  "--json")  # fmt: skip
    assert created.exit_code == 0, created.output
    info = json.loads(created.stdout)
    assert info["rule"] == "average_order_value < 300000" and info["members"] > 0
    shown = json.loads(run("segment", "show", "Bargain", *h, "--json").stdout)
    assert shown["members"] == info["members"]
    listed = json.loads(run("segment", "list", *h, "--json").stdout)
    assert [s["name"] for s in listed] == ["Bargain"]
    members = run("segment", "members", "Bargain", "--format", "csv", *h)
    rows = list(csv.DictReader(io.StringIO(members.stdout)))
    assert len(rows) == info["members"]
    assert all(float(r["average_order_value"]) < 300_000 for r in rows)
    assert "phone" not in rows[0] and "full_name" not in rows[0]
    check = json.loads(run("segment", "check", "Bargain", *h, "--json").stdout)
    assert {"substantial", "measurable", "reachable_share", "reachable_by_channel"} <= set(check)
    text = run("--lang", "en", "segment", "check", "Bargain", *h)
    assert "substantial" in text.stdout and "Reachable" in text.stdout


def test_members_to_a_file(home: Path, tmp_path: Path) -> None:
    h = ("--home", str(home))
    run("segment", "create", "Women", "--rule", "gender = nữ or gender = female", *h)
    out = tmp_path / "women.parquet"
    result = run("segment", "members", "Women", "--format", "parquet", "-o", str(out), *h)
    assert result.exit_code == 0, result.output
    assert out.read_bytes()[:4] == b"PAR1"


def test_a_rule_error_names_the_place_and_a_suggestion(home: Path) -> None:
    result = runner.invoke(
        app, ["--lang", "en", "segment", "create", "x", "--rule", "gendr = female", "--home",
              str(home)],
    )  # fmt: skip
    assert result.exit_code == 1
    assert "gender" in result.stderr and "character 1" in result.stderr
    assert result.stderr.count("\n") == 1


def test_profile_and_compare(home: Path) -> None:
    h = ("--home", str(home))
    run("segment", "create", "Hanoi", "--rule", 'province = "Hà Nội"', *h)
    run("segment", "create", "Big spenders", "--rule", "predicted_clv_vnd > 10tr", *h)
    profile = json.loads(run("segment", "profile", "Hanoi", *h, "--json").stdout)
    assert profile["trait_texts"] and "Hà Nội" in profile["trait_texts"][0]
    text = run("--lang", "en", "segment", "profile", "Hanoi", *h)
    assert "What sets them apart" in text.stdout and "lift" in text.stdout
    compared = run("segment", "compare", "Hanoi", "Big spenders", *h)
    assert compared.exit_code == 0 and "Hanoi" in compared.stdout


def test_auto_segmentation_and_its_assignments(home: Path, tmp_path: Path) -> None:
    h = ("--home", str(home))
    result = run("segment", "auto", "--seed", "1", *h, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    segments = report["segments"]
    assert report["segmentation_id"] and len(segments) == report["k"] >= 2
    assert {"id", "size", "share", "revenue_share", "mean_clv", "traits"} <= set(segments[0])
    assert sum(s["size"] for s in segments) == report["customers"]
    assert sum(s["share"] for s in segments) == pytest.approx(1.0)
    assert any(t["lift"] and t["lift"] > 1 for s in segments for t in s["traits"])
    out = tmp_path / "assignments.csv"
    written = run("segment", "assignments", report["segmentation_id"], "-o", str(out), *h)
    assert written.exit_code == 0, written.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert list(rows[0]) == ["customer_id", "segment_id"]
    assert len(rows) == report["customers"]
    people = tmp_path / "people.csv"
    run("customers", "export", "--format", "csv", "-o", str(people), *h)
    exported = {r["customer_id"] for r in csv.DictReader(people.open(encoding="utf-8"))}
    assert {r["customer_id"] for r in rows} == exported
    stdout = run("segment", "assignments", report["segmentation_id"], *h)
    assert stdout.stdout.splitlines()[0] == '"customer_id","segment_id"'
    fixed = json.loads(run("segment", "auto", "--k", "3", *h, "--json").stdout)
    assert fixed["k"] == 3
    unknown = runner.invoke(app, ["--lang", "en", "segment", "assignments", "nope", *h])
    assert unknown.exit_code == 1 and "no automatic segmentation nope" in unknown.stderr


def test_not_target(home: Path) -> None:
    h = ("--home", str(home))
    run("segment", "create", "Women buyers", "--rule", "gender = female", *h)
    report = json.loads(run("segment", "not-target", "Women buyers", *h, "--json").stdout)
    assert report["non_buyers"] >= report["lookalikes"] > 0
    text = run("--lang", "en", "segment", "not-target", "Women buyers", *h)
    assert "look like the buyers of Women buyers" in text.stdout


def test_ready_made_segmentation(home: Path) -> None:
    h = ("--home", str(home))
    report = json.loads(run("segment", "ready", "value", *h, "--json").stdout)
    assert [s["id"] for s in report["segments"]] == ["other_80", "top_20"]
    text = run("--lang", "en", "segment", "ready", "rfm", *h)
    assert text.exit_code == 0 and "share of revenue" in text.stdout
