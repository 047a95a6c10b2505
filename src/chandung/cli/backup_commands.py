"""``chandung backup`` and ``chandung restore``: verified, encrypted backups of the workspace."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table as RichTable

from ..i18n import translate
from ..i18n.formats import format_number
from ._context import HomeOption, JsonOption, err_console, out_console, print_json, state

backup_app = typer.Typer(
    help="Encrypted, verified backups of the workspace. / Sao lưu mã hoá, có kiểm tra."
)

BackupArgument = Annotated[
    str | None,
    typer.Argument(
        help="Backup file, or its name in a backup folder (default: the newest). / Tệp sao lưu.",
        show_default=False,
    ),
]


def _size(n: int, lang: str) -> str:
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= scale:
            return f"{format_number(n / scale, lang, 1)} {unit}"
    return f"{format_number(n, lang)} B"


def _when(value: datetime | str | None) -> str:
    if value is None:
        return "-"
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


@backup_app.callback(invoke_without_command=True)
def backup(
    ctx: typer.Context,
    to: Annotated[
        Path | None,
        typer.Option(
            "--to",
            help="Folder to write the backup to (default: [backup] destinations, else the "
            "workspace's backups/). / Thư mục lưu bản sao.",
            file_okay=False,
            show_default=False,
        ),
    ] = None,
    if_due: Annotated[
        bool,
        typer.Option(
            "--if-due",
            help="Only when the newest backup is older than [backup] schedule (for cron). / "
            "Chỉ khi đã đến hạn.",
        ),
    ] = False,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Make an encrypted backup of the workspace and check it. / Sao lưu không gian làm việc."""
    if ctx.invoked_subcommand is not None:
        return
    from ..services import backups as service

    st = state(ctx)
    ws = st.workspace(home)
    lang = st.lang(ws)
    destinations = [to] if to is not None else None
    if if_due:
        due = service.backup_due(ws, destinations)
        if not due.due:
            if as_json:
                print_json({"made": False, **due.as_dict()})
            elif not due.schedule:
                out_console().print(translate("cli.backup.no_schedule", lang))
            else:
                out_console().print(
                    translate(
                        "cli.backup.not_due",
                        lang,
                        schedule=due.schedule,
                        newest=_when(due.newest),
                        next_due=_when(due.next_due),
                    )
                )
            return
    report = service.create_backup(ws, destinations)
    if as_json:
        print_json({"made": True, **report.as_dict()})
        return
    console = out_console()
    rows = sum(report.warehouse_rows.values())
    console.print(
        translate(
            "cli.backup.written",
            lang,
            name=report.name,
            size=_size(report.size, lang),
            files=format_number(len(report.files), lang),
            rows=format_number(rows, lang),
        )
    )
    for path in report.paths:
        console.print(f"  {path}")
    if report.removed:
        console.print(
            translate(
                "cli.backup.removed",
                lang,
                n=format_number(len(report.removed), lang),
                keep=ws.settings.backup.keep,
            )
        )
    console.print(translate("cli.backup.keep_key", lang, path=str(ws.keys_dir)))


@backup_app.command("verify")
def verify(
    ctx: typer.Context,
    backup: BackupArgument = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Check a backup: checksum, decryption, every file and every table's rows. / Kiểm tra
    một bản sao lưu."""
    from ..services import backups as service

    st = state(ctx)
    ws = st.workspace(home)
    lang = st.lang(ws)
    report = service.verify_backup(ws, backup)
    name = Path(report.path).name
    if as_json:
        print_json(report.as_dict())
    elif report.ok:
        out_console().print(
            translate(
                "cli.backup.verify_ok",
                lang,
                name=name,
                created=_when(report.created_at),
                files=format_number(len(report.files), lang),
                rows=format_number(sum(report.warehouse_rows.values()), lang),
            )
        )
    else:
        console = err_console()
        console.print(translate("cli.backup.verify_failed", lang, name=name))
        for problem in report.problems:
            console.print(f"  - {problem.text(lang)}")
    if not report.ok:
        raise typer.Exit(1)


@backup_app.command("list")
def list_(ctx: typer.Context, home: HomeOption = None, as_json: JsonOption = False) -> None:
    """The backups in the backup folders, newest first. / Các bản sao lưu."""
    from ..services import backups as service

    st = state(ctx)
    ws = st.workspace(home)
    lang = st.lang(ws)
    service.recover_interrupted_restore(ws)
    found = service.list_backups(ws)
    if as_json:
        print_json([b.as_dict() for b in found])
        return
    if not found:
        where = ", ".join(str(d) for d in service.backup_destinations(ws))
        out_console().print(translate("cli.backup.none", lang, where=where))
        return
    console = out_console()
    for folder in dict.fromkeys(b.path.parent for b in found):
        console.print(f"{translate('cli.backup.col_folder', lang)}: {folder}")
        table = RichTable(box=None)
        keys = ("name", "created", "size", "checksum")
        headers = [translate(f"cli.backup.col_{k}", lang) for k in keys]
        headers.append(translate("cli.backup.list.key", lang))
        width = max(len(b.name) for b in found)
        for i, header in enumerate(headers):
            # Names are typed back into `restore`: never cut them short.
            table.add_column(
                header, no_wrap=i == 0, min_width=width if i == 0 else None, overflow="fold"
            )
        for b in found:
            if b.path.parent != folder:
                continue
            table.add_row(
                b.name,
                _when(b.created_at),
                _size(b.size, lang),
                translate("cli.backup.yes" if b.has_checksum else "cli.backup.no", lang),
                b.key_id or "-",
            )
        console.print(table)


def restore(
    ctx: typer.Context,
    backup: Annotated[
        str,
        typer.Argument(
            help="Backup file, or its name in a backup folder. / Tệp sao lưu.",
            show_default=False,
        ),
    ],
    yes: Annotated[
        bool,
        typer.Option("--yes", help="Really replace the workspace's data. / Xác nhận thay thế."),
    ] = False,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Replace the workspace's data with a backup (verified first; keys/ is kept). / Khôi
    phục dữ liệu từ một bản sao lưu."""
    from ..services import backups as service

    st = state(ctx)
    ws = st.workspace(home)
    lang = st.lang(ws)
    if not yes:
        path = service.resolve_backup(ws, backup)
        items = [n for n in service.restore_items(ws) if (ws.home / n).exists()]
        if as_json:
            print_json(
                {
                    "restored": False,
                    "backup": str(path),
                    "home": str(ws.home),
                    "would_replace": items,
                }
            )
        else:
            err_console().print(
                translate(
                    "cli.restore.confirm",
                    lang,
                    name=path.name,
                    home=str(ws.home),
                    items=", ".join(items) or "-",
                )
            )
        raise typer.Exit(1)
    report = service.restore_backup(ws, backup)
    if as_json:
        print_json({"restored": True, **report.as_dict()})
        return
    out_console().print(
        translate(
            "cli.restore.done",
            lang,
            name=report.backup,
            created=_when(report.created_at),
            items=", ".join(report.replaced),
            erased=format_number(sum(report.erasures.values()), lang),
            audit=format_number(report.carried_over.get("audit_log", 0), lang),
            tombstones=format_number(report.carried_over.get("erasures", 0), lang),
        )
    )


def register(app: typer.Typer) -> None:
    app.add_typer(backup_app, name="backup")
    app.command("restore")(restore)


__all__: list[Any] = ["backup_app", "register", "restore"]
