"""``chandung clv fit|validate`` and ``chandung metrics show``: customer value from the CLI."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table as RichTable

from ..i18n import translate
from ..i18n.formats import format_number, format_percent, format_vnd
from ..services.choices import MODELS
from ._context import HomeOption, JsonOption, out_console, print_json, state

clv_app = typer.Typer(help="Customer lifetime value models. / Mô hình giá trị vòng đời khách hàng.")
metrics_app = typer.Typer(help="Customer metrics. / Các chỉ số khách hàng.")

ModelOption = Annotated[
    str,
    typer.Option(
        "--model",
        help="bgnbd, paretonbd, gammagamma, sbg or bgbb. / Mô hình cần ước lượng.",
    ),
]


@clv_app.command("fit")
def fit(
    ctx: typer.Context,
    model: ModelOption = "bgnbd",
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Fit a CLV model on the customer file. / Ước lượng một mô hình CLV."""
    from ..services.stores import open_stores
    from ..services.value import fit_model

    st = state(ctx)
    ws = st.workspace(home)
    with open_stores(ws) as stores:
        report = fit_model(stores, model)  # type: ignore[arg-type]
    if as_json:
        print_json(report.as_dict())
        return
    lang = st.lang(ws)
    console = out_console()
    console.print(translate(
        "cli.clv.fitted", lang, model=model, customers=format_number(report.customers, lang),
        patterns=format_number(report.patterns, lang), unit=report.time_unit,
        end=report.observation_end,
    ))  # fmt: skip
    table = RichTable(box=None)
    for key in ("parameter", "estimate", "standard_error"):
        table.add_column(translate(f"cli.clv.{key}", lang), justify="right")
    for name, value in report.params.items():
        table.add_row(name, f"{value:.6g}", f"{report.standard_errors[name]:.3g}")
    console.print(table)
    console.print(translate("cli.clv.log_likelihood", lang, value=f"{report.log_likelihood:.2f}"))


@clv_app.command("validate")
def validate(
    ctx: typer.Context,
    model: ModelOption = "bgnbd",
    holdout_days: Annotated[
        int | None,
        typer.Option(
            "--holdout-days", min=7, help="Days kept apart at the end. / Số ngày đối chứng."
        ),
    ] = None,
    png: Annotated[
        Path | None,
        typer.Option("--png", help="Also draw the charts into this PNG file. / Vẽ biểu đồ PNG."),
    ] = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Check a model's predictions on a holdout period. / Kiểm định mô hình trên giai đoạn
    đối chứng."""
    from ..services.charts import validation_png
    from ..services.clv_validation import validate_clv
    from ..services.stores import open_stores

    st = state(ctx)
    ws = st.workspace(home)
    lang = st.lang(ws)
    with open_stores(ws) as stores:
        report = validate_clv(stores, model, holdout_days=holdout_days)  # type: ignore[arg-type]
    if png is not None:
        validation_png(report, png, lang)
    if as_json:
        print_json(report.as_dict())
        return
    console = out_console()
    console.print(translate(
        "cli.clv.validated", lang, model=model, calibration_end=report.calibration_end,
        end=report.observation_end, customers=format_number(report.customers, lang),
    ))  # fmt: skip
    table = RichTable(box=None)
    for key in ("frequency", "customers", "actual", "predicted"):
        table.add_column(translate(f"cli.clv.{key}", lang), justify="right")
    for b in report.buckets:
        table.add_row(
            str(b.frequency), format_number(b.customers, lang),
            format_number(b.actual_mean, lang, 2), format_number(b.predicted_mean, lang, 2),
        )  # fmt: skip
    console.print(table)
    console.print(translate(
        "cli.clv.total", lang, actual=format_number(report.actual_holdout_purchases, lang),
        predicted=format_number(report.predicted_holdout_purchases, lang),
        error=format_percent(report.relative_error, lang),
    ))  # fmt: skip
    if png is not None:
        console.print(translate("cli.clv.png", lang, path=str(png)))


@metrics_app.command("show")
def show(ctx: typer.Context, home: HomeOption = None, as_json: JsonOption = False) -> None:
    """Every customer metric: value, Pareto, RFM, retention, loyalty, mix. / Mọi chỉ số."""
    from ..services.metrics_report import metrics_report
    from ..services.stores import open_stores

    st = state(ctx)
    ws = st.workspace(home)
    with open_stores(ws) as stores:
        report = metrics_report(stores)
    if as_json:
        print_json(report)
        return
    _print_metrics(report, st.lang(ws))


def _print_metrics(report: dict[str, Any], lang: str) -> None:
    def t(key: str, **kw: Any) -> str:
        return translate(f"cli.metrics.{key}", lang, **kw)

    console = out_console()
    value, pareto = report["value"], report["concentration"]
    repeat = report["repeat_buying"]
    rows = [
        (t("customers"), format_number(value["customers"], lang)),
        (t("mean_value"), format_vnd(value["mean_value"], lang)),
        (t("repeat_rate"), format_percent(value["repeat_rate"], lang)),
        (t("top_share"), format_percent(pareto["top_share"], lang)),
        (t("gini"), format_number(pareto["gini"], lang, 2)),
        (t("upsell_rate"), format_percent(repeat["upsell_rate"], lang)),
    ]
    table = RichTable(title=t("title", end=report["observation_end"]), show_header=False, box=None)
    table.add_column(style="dim")
    table.add_column(justify="right", style="bold")
    for label, text in rows:
        table.add_row(label, text)
    console.print(table)
    segments = RichTable(title=t("rfm"), box=None)
    for key in ("segment", "customers_short", "customer_share", "revenue_share"):
        segments.add_column(t(key), justify="left" if key == "segment" else "right")
    for s in report["rfm_segments"]:
        segments.add_row(
            translate(f"rfm.segments.{s['segment']}", lang),
            format_number(s["customers"], lang),
            format_percent(s["customer_share"], lang),
            format_percent(s["revenue_share"], lang),
        )
    console.print(segments)
    console.print(t("more"))


def register(app: typer.Typer) -> None:
    app.add_typer(clv_app, name="clv")
    app.add_typer(metrics_app, name="metrics")


__all__ = ["MODELS", "register"]
