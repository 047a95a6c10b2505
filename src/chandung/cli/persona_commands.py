"""``chandung personas``: generate, show, edit, compare and print customer personas."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from ..i18n import translate
from ..i18n.formats import format_number, format_percent
from ._context import HomeOption, JsonOption, out_console, print_json, state

personas_app = typer.Typer(help="Customer personas. / Chân dung khách hàng.")

IdArgument = Annotated[
    str, typer.Argument(help="Persona id, e.g. P1. / Mã chân dung.", show_default=False)
]
LangOption = Annotated[
    str | None,
    typer.Option(
        "--lang", help="vi or en (default: the workspace's). / Ngôn ngữ.", show_default=False
    ),
]
VersionOption = Annotated[
    int | None,
    typer.Option(
        "--version", help="Version (default: the latest). / Phiên bản.", show_default=False
    ),
]


def _language(ctx: typer.Context, lang: str | None, ws: Any) -> str:
    if lang is not None and lang not in ("vi", "en"):
        raise typer.BadParameter("use vi or en / dùng vi hoặc en", param_hint="--lang")
    return lang or state(ctx).lang(ws)


@personas_app.command("generate")
def generate(
    ctx: typer.Context,
    from_: Annotated[
        str | None,
        typer.Option(
            "--from",
            help="Id of an automatic segmentation (default: the latest). / Mã lần phân khúc.",
            show_default=False,
        ),
    ] = None,
    segments: Annotated[
        str | None,
        typer.Option(
            "--segments",
            help="Saved segments, comma-separated, one persona each. / Các phân khúc đã lưu.",
            show_default=False,
        ),
    ] = None,
    lang: LangOption = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Write one persona per segment, as the next version. / Tạo bộ chân dung mới."""
    from ..services import personas as service
    from ..services.stores import open_stores

    ws = state(ctx).workspace(home)
    language = _language(ctx, lang, ws)
    if from_ and segments:
        raise typer.BadParameter(
            "use --from or --segments, not both / chỉ dùng một trong hai", param_hint="--segments"
        )
    names = [s.strip() for s in segments.split(",") if s.strip()] if segments else None
    with open_stores(ws) as stores:
        report = service.generate_personas(stores, segmentation_id=from_, segments=names)
        data = service.report_dict(report, stores, language)
    if as_json:
        print_json(data)
        return
    console = out_console()
    console.print(
        translate(
            "cli.personas.generated",
            language,
            version=report.version,
            count=len(report.personas),
            coverage=format_percent(report.quality.get("coverage") or 0.0, language),
        )
    )
    _print_list(console, data["personas"], language)
    for skipped in report.skipped:
        console.print(
            translate(
                "cli.personas.skipped",
                language,
                segment=skipped["name"],
                size=format_number(skipped["size"], language),
            )
        )


def _print_list(console: Any, personas: list[dict[str, Any]], language: str) -> None:
    for p in personas:
        console.print(
            translate(
                "cli.personas.line",
                language,
                id=p["id"],
                name=p["name"],
                nickname=p["nickname"],
                size=format_number(p["size"], language),
                share=format_percent(p["share_of_customers"], language),
            ),
            markup=False,
        )
        console.print(f"    {p['summary']['text']}", markup=False)


@personas_app.command("list")
def list_(
    ctx: typer.Context,
    version: VersionOption = None,
    lang: LangOption = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """The personas of the current version. / Danh sách chân dung."""
    from ..services import personas as service
    from ..services.stores import open_stores

    ws = state(ctx).workspace(home)
    language = _language(ctx, lang, ws)
    with open_stores(ws) as stores:
        data = service.rendered(stores, language, version)
    if as_json:
        print_json(data)
        return
    _print_list(out_console(), data, language)


@personas_app.command("show")
def show(
    ctx: typer.Context,
    persona_id: IdArgument,
    version: VersionOption = None,
    lang: LangOption = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """One persona with every section and its evidence. / Xem một chân dung."""
    from ..services import personas as service
    from ..services.stores import open_stores

    ws = state(ctx).workspace(home)
    language = _language(ctx, lang, ws)
    with open_stores(ws) as stores:
        data = service.render_one(stores, persona_id, language, version)
    if as_json:
        print_json(data)
        return
    console = out_console()
    console.print(
        f"[bold]{data['name']}[/] — {data['nickname']} ({data['id']}, v{data['version']})"
    )
    console.print(data["summary"]["text"], markup=False)
    for section in service.SECTIONS:
        if section in data["hidden_sections"]:
            continue
        console.print(f"\n[bold]{translate(f'persona.card.section.{section}', language)}[/]")
        for item in data[section]:
            text = item.get("text") or f"({item.get('missing_data')})"
            console.print(f"  • {text}", markup=False)
    for note in data["notes"]:
        console.print(f"\n✎ {note}", markup=False)


@personas_app.command("edit")
def edit(
    ctx: typer.Context,
    persona_id: IdArgument,
    name: Annotated[str | None, typer.Option("--name", help="New name. / Tên mới.")] = None,
    nickname: Annotated[
        str | None, typer.Option("--nickname", help="New nickname. / Biệt danh mới.")
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help="Add a note. / Thêm ghi chú.")] = None,
    hide: Annotated[
        list[str] | None, typer.Option("--hide", help="Hide a section. / Ẩn một mục.")
    ] = None,
    unhide: Annotated[
        list[str] | None, typer.Option("--show", help="Show a hidden section. / Hiện lại mục.")
    ] = None,
    clear_notes: Annotated[
        bool, typer.Option("--clear-notes", help="Remove the notes. / Xóa ghi chú.")
    ] = False,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Rename, annotate or hide sections; kept across versions. / Sửa chân dung."""
    from ..services import personas as service
    from ..services.stores import open_stores

    st = state(ctx)
    ws = st.workspace(home)
    with open_stores(ws) as stores:
        result = service.edit_persona(
            stores,
            persona_id,
            name=name,
            nickname=nickname,
            note=note,
            hide=hide or (),
            show=unhide or (),
            clear_notes=clear_notes,
        )
    if as_json:
        print_json(result)
        return
    out_console().print(translate("cli.personas.edited", st.lang(ws), id=persona_id.upper()))


@personas_app.command("versions")
def versions(ctx: typer.Context, home: HomeOption = None, as_json: JsonOption = False) -> None:
    """Every version of the personas. / Các phiên bản chân dung."""
    from ..services import personas as service
    from ..services.stores import open_stores

    st = state(ctx)
    ws = st.workspace(home)
    with open_stores(ws) as stores:
        data = service.versions(stores)
    if as_json:
        print_json(data)
        return
    console = out_console()
    for v in data:
        console.print(
            translate(
                "cli.personas.version",
                st.lang(ws),
                version=v["version"],
                created=v["created_at"][:19].replace("T", " "),
                count=v["personas"],
            )
        )


@personas_app.command("diff")
def diff(
    ctx: typer.Context,
    version_a: Annotated[int, typer.Argument(help="Earlier version. / Phiên bản trước.")],
    version_b: Annotated[int, typer.Argument(help="Later version. / Phiên bản sau.")],
    lang: LangOption = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """What changed between two versions, in plain words. / So sánh hai phiên bản."""
    from ..services import personas as service
    from ..services.stores import open_stores

    ws = state(ctx).workspace(home)
    language = _language(ctx, lang, ws)
    with open_stores(ws) as stores:
        data = service.diff_versions(stores, version_a, version_b, language)
    if as_json:
        print_json(data)
        return
    console = out_console()
    for persona in data["personas"]:
        console.print(f"[bold]{persona['name']} ({persona['id']})[/]")
        for line in persona["text"]:
            console.print(f"  • {line}", markup=False)


@personas_app.command("card")
def card(
    ctx: typer.Context,
    persona_id: IdArgument,
    output: Annotated[Path, typer.Option("-o", "--output", help="File to write. / Tệp ghi ra.")],
    format_: Annotated[
        str, typer.Option("--format", help="html, pdf or png. / Định dạng.")
    ] = "html",
    lang: LangOption = None,
    version: VersionOption = None,
    home: HomeOption = None,
) -> None:
    """A one-page persona card. / Thẻ chân dung một trang."""
    from ..services._export import write_file
    from ..services.persona_cards import card_bytes
    from ..services.stores import open_stores

    ws = state(ctx).workspace(home)
    language = _language(ctx, lang, ws)
    with open_stores(ws) as stores:
        data = card_bytes(stores, persona_id, format_.lower(), language, version)
    write_file(output, data)
    out_console().print(translate("cli.personas.written", language, path=str(output)))


@personas_app.command("deck")
def deck(
    ctx: typer.Context,
    output: Annotated[Path, typer.Option("-o", "--output", help="PDF file. / Tệp PDF.")],
    lang: LangOption = None,
    version: VersionOption = None,
    home: HomeOption = None,
) -> None:
    """Every persona of a version in one PDF. / Bộ thẻ chân dung trong một tệp PDF."""
    from ..services._export import write_file
    from ..services.persona_cards import deck_bytes
    from ..services.stores import open_stores

    ws = state(ctx).workspace(home)
    language = _language(ctx, lang, ws)
    with open_stores(ws) as stores:
        data = deck_bytes(stores, language, version)
    write_file(output, data)
    out_console().print(translate("cli.personas.written", language, path=str(output)))


def register(app: typer.Typer) -> None:
    app.add_typer(personas_app, name="personas")


__all__: list[Any] = ["register"]
