"""The one-screen summary of a workspace's figures."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.table import Table

from ..i18n import translate
from ..i18n.formats import format_number, format_percent, format_vnd
from ._context import out_console

if TYPE_CHECKING:
    from ..metrics.overview import Overview
    from ..services.analysis import AnalysisReport


def print_overview(figures: Overview, lang: str) -> None:
    def t(key: str, **kw: Any) -> str:
        return translate(key, lang, **kw)

    table = Table(title=t("overview.title"), show_header=False, box=None, pad_edge=False)
    table.add_column(style="dim")
    table.add_column(justify="right", style="bold")
    rows = [
        (t("overview.customer_records"), format_number(figures.customer_records, lang)),
        (t("overview.buyers"), format_number(figures.buyers, lang)),
        (t("overview.orders"), format_number(figures.orders, lang)),
        (t("overview.revenue"), format_vnd(figures.revenue_vnd, lang)),
        (t("overview.aov"), format_vnd(figures.average_order_value_vnd, lang)),
        (t("overview.active", days=90), format_number(figures.active_customers, lang)),
        (t("overview.repeat_rate"), format_percent(figures.repeat_rate, lang)),
    ]
    if figures.first_order and figures.last_order:
        rows.insert(
            0,
            (
                t("overview.period_label"),
                f"{figures.first_order:%d/%m/%Y} – {figures.last_order:%d/%m/%Y}",
            ),
        )
    for label, value in rows:
        table.add_row(label, value)
    out_console().print(table)


def print_value(report: AnalysisReport, lang: str) -> None:
    """What the analysis found of customer value, or why it could not."""
    console = out_console()
    if report.value is None:
        message = (report.value_error or {}).get("message", "")
        console.print(translate("cli.analyse.no_value", lang, reason=message))
        return
    v = report.value
    console.print(
        translate(
            "cli.analyse.value",
            lang,
            customers=format_number(v.customers, lang),
            model=v.transaction_model.model,
            months=v.horizon_months,
            value=format_vnd(v.predicted_value_vnd, lang),
            purchases=format_number(v.expected_purchases_90d, lang),
        )
    )
