"""Charts as PNG files, for reports read outside the web app (the web app draws SVG itself).

Matplotlib draws with its Agg renderer (no display, no network); files are written atomically.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..i18n import translate
from .clv_validation import ValidationReport


def validation_png(report: ValidationReport, path: str | Path, language: str = "vi") -> Path:
    """Draw the tracking curve and the holdout purchases by frequency into ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    def t(key: str) -> str:
        return translate(f"charts.validation.{key}", language)

    path = Path(path)
    figure, (tracking, buckets) = plt.subplots(1, 2, figsize=(12, 4.5), dpi=110)
    try:
        weeks = [p.week_ending for p in report.tracking]
        tracking.plot(weeks, [p.actual for p in report.tracking], label=t("actual"), lw=2)
        tracking.plot(
            weeks, [p.predicted for p in report.tracking], label=t("predicted"), ls="--", lw=2
        )
        tracking.axvline(report.calibration_end, color="grey", lw=1)
        tracking.set_title(t("tracking"))
        tracking.tick_params(axis="x", labelrotation=30)
        tracking.set_ylabel(t("cumulative"))
        tracking.legend()
        labels = [
            f"{b.frequency}+" if b.frequency == report.buckets[-1].frequency and b.frequency >= 7
            else str(b.frequency)
            for b in report.buckets
        ]  # fmt: skip
        positions = range(len(report.buckets))
        width = 0.4
        buckets.bar(
            [p - width / 2 for p in positions],
            [b.actual_mean for b in report.buckets],
            width,
            label=t("actual"),
        )
        buckets.bar(
            [p + width / 2 for p in positions],
            [b.predicted_mean for b in report.buckets],
            width,
            label=t("predicted"),
        )
        buckets.set_xticks(list(positions), labels)
        buckets.set_xlabel(t("frequency"))
        buckets.set_ylabel(t("holdout_mean"))
        buckets.set_title(t("by_frequency"))
        buckets.legend()
        figure.tight_layout()
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.tmp")
        figure.savefig(partial, format="png")
        os.replace(partial, path)
    finally:
        plt.close(figure)
    return path
