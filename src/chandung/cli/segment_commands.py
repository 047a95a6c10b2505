"""``chandung segment``: saved segments by rule, automatic segmentation, checks."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table as RichTable

from ..i18n import translate
from ..i18n.formats import format_number, format_percent
from ._context import HomeOption, JsonOption, out_console, print_json, state

if TYPE_CHECKING:
    from ..services.segments import SegmentInfo

segment_app = typer.Typer(help="Segments of customers. / Phân khúc khách hàng.")

NameArgument = Annotated[
    str, typer.Argument(help="Name of the segment. / Tên phân khúc.", show_default=False)
]
FormatOption = Annotated[str, typer.Option("--format", help="csv, parquet or json.")]
OutputOption = Annotated[
    Path | None,
    typer.Option(
        "-o", "--output", help="File to write (default: the terminal). / Tệp xuất.",
        show_default=False,
    ),
]  # fmt: skip


@segment_app.command("create")
def create(
    ctx: typer.Context,
    name: NameArgument,
    rule: Annotated[
        str,
        typer.Option(
            "--rule",
            help="Rule, e.g. 'gender = female and age between 25 and 34'. / Quy tắc.",
            show_default=False,
        ),
    ],
    description: Annotated[
        str, typer.Option("--description", help="What it is for. / Mô tả.")
    ] = "",
    owner: Annotated[str, typer.Option("--owner", help="Who owns it. / Người phụ trách.")] = "",
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Save a segment defined by a rule. / Lưu một phân khúc theo quy tắc."""
    from ..services import segments as service
    from ..services.stores import open_stores

    st = state(ctx)
    ws = st.workspace(home)
    with open_stores(ws) as stores:
        info = service.create_segment(stores, name, rule, description=description, owner=owner)
    _print_info(info, st.lang(ws), as_json)


@segment_app.command("list")
def list_(ctx: typer.Context, home: HomeOption = None, as_json: JsonOption = False) -> None:
    """Saved segments with their member counts now. / Các phân khúc đã lưu."""
    from ..services import segments as service
    from ..services.stores import open_stores

    st = state(ctx)
    ws = st.workspace(home)
    lang = st.lang(ws)
    with open_stores(ws) as stores:
        infos = service.list_segments(stores)
    if as_json:
        print_json([i.as_dict() for i in infos])
        return
    table = RichTable(box=None)
    for key in ("name", "members", "share", "rule"):
        table.add_column(translate(f"cli.segment.{key}", lang))
    for i in infos:
        table.add_row(i.name, format_number(i.members, lang), format_percent(i.share, lang), i.rule)
    out_console().print(table)


@segment_app.command("show")
def show(
    ctx: typer.Context, name: NameArgument, home: HomeOption = None, as_json: JsonOption = False
) -> None:
    """One segment: its rule and how many customers are in it now. / Một phân khúc."""
    from ..services import segments as service
    from ..services.stores import open_stores

    st = state(ctx)
    ws = st.workspace(home)
    with open_stores(ws) as stores:
        info = service.show_segment(stores, name)
    _print_info(info, st.lang(ws), as_json)


@segment_app.command("members")
def members(
    ctx: typer.Context,
    name: NameArgument,
    fmt: FormatOption = "csv",
    output: OutputOption = None,
    home: HomeOption = None,
) -> None:
    """Write the members of a segment (ids and profile fields, no contact details). / Xuất
    thành viên."""
    from ..services import audit
    from ..services import segments as service
    from ..services._export import write_batches
    from ..services.stores import open_stores

    st = state(ctx)
    ws = st.workspace(home)
    with open_stores(ws) as stores:
        rows = service.segment_members(stores, name).drop("channels_used", "birth_date")
        batches = rows.order_by("customer_id").to_pyarrow_batches(chunk_size=50_000)
        count = write_batches(batches, output, fmt)
        audit.record(stores, "export", target=f"segment:{name}", rows=count,
                     details={"file": str(output or "-"), "format": fmt})  # fmt: skip
    if output is not None:
        out_console().print(
            translate("cli.segment.written", st.lang(ws), rows=count, path=str(output))
        )


@segment_app.command("check")
def check(
    ctx: typer.Context, name: NameArgument, home: HomeOption = None, as_json: JsonOption = False
) -> None:
    """Is the segment substantial, measurable and reachable? / Kiểm tra phân khúc."""
    from ..services import segments as service
    from ..services.stores import open_stores

    st = state(ctx)
    ws = st.workspace(home)
    lang = st.lang(ws)
    with open_stores(ws) as stores:
        result = service.check_segment(stores, name)
    if as_json:
        print_json(result.as_dict())
        return

    def yes(flag: bool) -> str:
        return translate("cli.segment.yes" if flag else "cli.segment.no", lang)

    console = out_console()
    console.print(translate(
        "cli.segment.check_size", lang, name=name, members=format_number(result.members, lang),
        share=format_percent(result.share, lang),
        revenue=format_percent(result.revenue_share, lang), substantial=yes(result.substantial),
    ))  # fmt: skip
    filled = ", ".join(
        f"{f} {format_percent(v, lang)}" for f, v in result.field_completeness.items()
    )
    console.print(translate(
        "cli.segment.check_measurable", lang, measurable=yes(result.measurable), fields=filled
    ))  # fmt: skip
    channels = ", ".join(
        f"{c} {format_percent(v, lang)}" for c, v in result.reachable_by_channel.items() if v
    )
    console.print(translate(
        "cli.segment.check_reachable", lang,
        share=format_percent(result.reachable_share, lang), channels=channels or "–",
    ))  # fmt: skip


@segment_app.command("profile")
def profile(
    ctx: typer.Context,
    name: NameArgument,
    limit: Annotated[int, typer.Option("--traits", min=1, help="Traits shown. / Số đặc điểm.")] = 8,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """What sets a segment apart: size, value and its top traits with lift. / Chân dung
    phân khúc."""
    from ..services import segments as service
    from ..services.stores import open_stores

    st = state(ctx)
    ws = st.workspace(home)
    lang = st.lang(ws)
    with open_stores(ws) as stores:
        result = service.profile_saved_segment(stores, name)
    labels = service.level_labels(lang)
    if as_json:
        data = result.as_dict()
        data["trait_texts"] = result.trait_texts(lang, labels, limit=limit)
        print_json(data)
        return
    console = out_console()
    console.print(translate(
        "cli.segment.profile", lang, name=name, members=format_number(result.size, lang),
        share=format_percent(result.customer_share or 0.0, lang),
        revenue=format_percent(result.revenue_share or 0.0, lang),
    ))  # fmt: skip
    for text in result.trait_texts(lang, labels, limit=limit):
        console.print(f"  • {text}")
    if not result.traits:
        console.print(translate("cli.segment.no_traits", lang))


@segment_app.command("compare")
def compare(
    ctx: typer.Context,
    first: NameArgument,
    second: NameArgument,
    limit: Annotated[int, typer.Option("--rows", min=1, help="Rows shown. / Số dòng.")] = 10,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Two segments side by side: where they differ most. / So sánh hai phân khúc."""
    from ..services import segments as service
    from ..services.stores import open_stores

    st = state(ctx)
    ws = st.workspace(home)
    lang = st.lang(ws)
    with open_stores(ws) as stores:
        result = service.compare_saved_segments(stores, first, second)
    if as_json:
        print_json(result.as_dict())
        return
    table = RichTable(box=None)
    for key in ("attribute", "level"):
        table.add_column(translate(f"cli.segment.{key}", lang))
    table.add_column(first, justify="right")
    table.add_column(second, justify="right")
    for row in result.top_differences(limit):
        data = row.as_dict()
        if "share_a" in data:
            a, b = (
                format_percent(data["share_a"] or 0, lang),
                format_percent(data["share_b"] or 0, lang),
            )
            level = " × ".join(str(v) for v in data.get("values", []))
        else:
            a, b = (
                format_number(data["mean_a"] or 0, lang, 1),
                format_number(data["mean_b"] or 0, lang, 1),
            )
            level = translate("cli.segment.mean", lang)
        table.add_row(
            " × ".join(data.get("columns", [])) or str(data.get("attribute")), level, a, b
        )
    out_console().print(table)


@segment_app.command("auto")
def auto(
    ctx: typer.Context,
    use: Annotated[
        str | None,
        typer.Option(
            "--use",
            help="Kinds of data, comma-separated: demographic, behavioural, psychographic, "
            "value, technology, b2b (default: all). / Loại dữ liệu dùng để phân khúc.",
            show_default=False,
        ),
    ] = None,
    k: Annotated[
        str, typer.Option("--k", help="auto or a number of segments. / Số phân khúc.")
    ] = "auto",
    seed: Annotated[int, typer.Option("--seed", help="Random seed. / Hạt giống ngẫu nhiên.")] = 0,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Find segments in the data by themselves, and describe each. / Phân khúc tự động."""
    from ..services.auto_segments import auto_segment
    from ..services.stores import open_stores

    st = state(ctx)
    ws = st.workspace(home)
    lang = st.lang(ws)
    kinds = [u.strip() for u in use.split(",") if u.strip()] if use else None
    if k != "auto" and not (k.isdigit() and int(k) >= 1):
        raise typer.BadParameter(
            "auto or a whole number / auto hoặc một số nguyên", param_hint="--k"
        )
    with open_stores(ws) as stores:
        report = auto_segment(
            stores, kinds=kinds, k="auto" if k == "auto" else int(k), seed=seed, language=lang
        )
    if as_json:
        print_json(report.as_dict())
        return
    console = out_console()
    console.print(translate(
        "cli.segment.auto", lang, k=report.k, customers=format_number(report.customers, lang),
        id=report.segmentation_id,
    ))  # fmt: skip
    for segment in report.segments:
        console.print(translate(
            "cli.segment.auto_segment", lang, id=segment.id,
            size=format_number(segment.size, lang), share=format_percent(segment.share, lang),
            revenue=format_percent(segment.revenue_share, lang),
        ))  # fmt: skip
        for text in segment.trait_texts:
            console.print(f"    • {text}")


@segment_app.command("assignments")
def assignments_(
    ctx: typer.Context,
    segmentation_id: Annotated[
        str, typer.Argument(help="Id printed by `segment auto`. / Mã lần phân khúc.")
    ],
    fmt: FormatOption = "csv",
    output: OutputOption = None,
    home: HomeOption = None,
) -> None:
    """customer_id,segment_id of every customer in an automatic segmentation. / Xuất phân
    khúc của từng khách hàng."""
    from ..services import audit
    from ..services._export import write_batches
    from ..services.auto_segments import assignments
    from ..services.stores import open_stores

    st = state(ctx)
    ws = st.workspace(home)
    with open_stores(ws) as stores:
        rows = assignments(stores, segmentation_id).order_by("customer_id")
        count = write_batches(rows.to_pyarrow_batches(chunk_size=100_000), output, fmt)
        audit.record(stores, "export", target=f"segmentation:{segmentation_id}", rows=count,
                     details={"file": str(output or "-"), "format": fmt})  # fmt: skip
    if output is not None:
        out_console().print(
            translate("cli.segment.written", st.lang(ws), rows=count, path=str(output))
        )


@segment_app.command("not-target")
def not_target_(
    ctx: typer.Context, name: NameArgument, home: HomeOption = None, as_json: JsonOption = False
) -> None:
    """People who never bought but look like the segment's customers, and how they differ. /
    Ai không phải khách hàng mục tiêu."""
    from ..segments.profiles import attribute_label
    from ..services import segments as service
    from ..services.not_target import not_target
    from ..services.stores import open_stores

    st = state(ctx)
    ws = st.workspace(home)
    lang = st.lang(ws)
    with open_stores(ws) as stores:
        report = not_target(stores, name)
    if as_json:
        print_json(report.as_dict())
        return
    console = out_console()
    console.print(translate(
        "cli.segment.not_target", lang, name=name,
        lookalikes=format_number(report.lookalikes, lang),
        non_buyers=format_number(report.non_buyers, lang),
        share=format_percent(report.lookalike_share, lang),
    ))  # fmt: skip
    labels = service.level_labels(lang)
    for d in report.differences:
        if "share_a" in d:
            column, value = d["columns"][0], d["values"][0]
            label = labels.get(column, {}).get(value, value)
            console.print(translate(
                "cli.segment.not_target_level", lang, attribute=attribute_label(column, lang),
                level=label,
                lookalikes=format_percent(d["share_a"] or 0.0, lang),
                buyers=format_percent(d["share_b"] or 0.0, lang),
            ))  # fmt: skip
        else:
            console.print(translate(
                "cli.segment.not_target_mean", lang,
                attribute=attribute_label(d["attribute"], lang),
                lookalikes=format_number(d["mean_a"] or 0.0, lang, 1),
                buyers=format_number(d["mean_b"] or 0.0, lang, 1),
            ))  # fmt: skip


@segment_app.command("ready")
def ready(
    ctx: typer.Context,
    name: Annotated[
        str,
        typer.Argument(
            help="rfm, value, buying_power, demographic, behavioural, technology, needs or b2b. "
            "/ Cách phân khúc có sẵn.",
            show_default=False,
        ),
    ],
    seed: Annotated[int, typer.Option("--seed", help="Random seed. / Hạt giống ngẫu nhiên.")] = 0,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """A ready-made segmentation: RFM, value tiers, buying power, or by one kind of data. /
    Phân khúc có sẵn."""
    from ..services import segments as service
    from ..services.ready_segments import ready_segmentation
    from ..services.stores import open_stores

    st = state(ctx)
    ws = st.workspace(home)
    lang = st.lang(ws)
    with open_stores(ws) as stores:
        report = ready_segmentation(stores, name, language=lang, seed=seed)
    if as_json:
        print_json(report)
        return
    table = RichTable(box=None)
    for key in ("name", "members", "share", "revenue_share"):
        table.add_column(translate(f"cli.segment.{key}", lang))
    labels = service.level_labels(lang).get("rfm_segment", {}) if name == "rfm" else {}
    for s in report["segments"]:
        table.add_row(
            labels.get(str(s["id"]), str(s["id"])), format_number(s["size"], lang),
            format_percent(s["share"], lang), format_percent(s["revenue_share"], lang),
        )  # fmt: skip
    out_console().print(table)


@segment_app.command("snapshot")
def snapshot(
    ctx: typer.Context, name: NameArgument, home: HomeOption = None, as_json: JsonOption = False
) -> None:
    """Keep today's members of a segment. / Lưu danh sách thành viên hôm nay."""
    from ..services import segments as service
    from ..services.stores import open_stores

    st = state(ctx)
    ws = st.workspace(home)
    with open_stores(ws) as stores:
        snapshot_id = service.snapshot_segment(stores, name)
    if as_json:
        print_json({"segment": name, "snapshot_id": snapshot_id})
    else:
        out_console().print(translate("cli.segment.snapshot", st.lang(ws), id=snapshot_id))


@segment_app.command("delete")
def delete(ctx: typer.Context, name: NameArgument, home: HomeOption = None) -> None:
    """Forget a saved segment. / Xoá một phân khúc đã lưu."""
    from ..services import segments as service
    from ..services.stores import open_stores

    st = state(ctx)
    ws = st.workspace(home)
    with open_stores(ws) as stores:
        service.delete_segment(stores, name)
    out_console().print(translate("cli.segment.deleted", st.lang(ws), name=name))


def _print_info(info: SegmentInfo, lang: str, as_json: bool) -> None:
    if as_json:
        print_json(info.as_dict())
        return
    out_console().print(translate(
        "cli.segment.info", lang, name=info.name, members=format_number(info.members, lang),
        share=format_percent(info.share, lang), rule=info.rule,
    ))  # fmt: skip


def register(app: typer.Typer) -> None:
    app.add_typer(segment_app, name="segment")


__all__: list[Any] = ["register"]
