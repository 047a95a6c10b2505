"""``chandung analyze``, ``clv fit|validate`` and ``metrics show`` on a small demo business."""

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
    path = tmp_path_factory.mktemp("value-cli") / "shop"
    result = run("demo", "generate", "--customers", "1500", "--seed", "3", "--home", str(path))
    assert result.exit_code == 0, result.output
    return path


def test_analyze_scores_every_customer(home: Path) -> None:
    result = run("analyze", "--home", str(home), "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    value = report["value"]
    assert value["customers"] > 0 and value["predicted_value_vnd"] > 0
    assert set(value["transaction_model"]["params"]) == {"r", "alpha", "a", "b"}
    text = run("--lang", "en", "analyze", "--home", str(home))
    assert "expected over the next 12 months" in text.stdout


@pytest.mark.parametrize(
    ("model", "keys"),
    [
        ("bgnbd", {"r", "alpha", "a", "b"}),
        ("paretonbd", {"r", "alpha", "s", "beta"}),
        ("gammagamma", {"p", "q", "v"}),
        ("sbg", {"alpha", "beta"}),
        ("bgbb", {"alpha", "beta", "gamma", "delta"}),
    ],
)
def test_clv_fit_prints_the_estimates(home: Path, model: str, keys: set[str]) -> None:
    result = run("clv", "fit", "--model", model, "--home", str(home), "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["model"] == model and set(report["params"]) == keys
    assert set(report["standard_errors"]) == keys


def test_clv_fit_names_an_unknown_model(home: Path) -> None:
    result = runner.invoke(app, ["--lang", "en", "clv", "fit", "--model", "x", "--home", str(home)])
    assert result.exit_code == 1
    assert "unknown model x" in result.stderr and "bgnbd" in result.stderr


def test_clv_validate_writes_json_and_png(home: Path, tmp_path: Path) -> None:
    png = tmp_path / "tracking.png"
    result = run(
        "clv", "validate", "--holdout-days", "120", "--png", str(png), "--home", str(home),
        "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert {"buckets", "tracking", "relative_error", "calibration_end"} <= set(report)
    assert png.read_bytes()[:4] == b"\x89PNG"
    text = run("--lang", "vi", "clv", "validate", "--home", str(home))
    assert "thực tế" in text.stdout


def test_metrics_show(home: Path) -> None:
    result = run("metrics", "show", "--home", str(home), "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert len(report["rfm_segments"]) == 11
    text = run("--lang", "en", "metrics", "show", "--home", str(home))
    assert "Champions" in text.stdout and "Revenue from the top 20%" in text.stdout
