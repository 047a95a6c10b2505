"""Administration: users and roles, API tokens, the audit log, consents, backups, settings;
and every signed-in person's own account page.

Every action is done by the account and audit services (``user.create``, ``user.change``,
``password_change``, ``token.create``, ``token.revoke``, ``backup``, ``backup.verify`` are
recorded there). A generated password or API token is shown once, on the answer to the form
that made it (never stored, never put in a URL, not cached). An administrator cannot change
their own role or close their own account here, so that the last administrator cannot lock
everyone out by mistake.

Settings are shown, not edited: they are read once when the app starts (sessions, lock-out,
stores, keys), a wrong value could stop the running app or weaken it, and ``config.toml`` is
the one place they live, so they are changed there and applied by a restart. The page says
where each value comes from and flags a file changed since the start.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal, get_args
from urllib.parse import urlencode

from fastapi import APIRouter, Body, Depends, Form, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from ...errors import AuthenticationError, InputError, NotFoundError
from ...i18n import translate
from ...i18n.formats import format_number
from ...privacy.context import acting_as
from ...privacy.keys import key_id
from ...privacy.roles import GRANTABLE, PERMISSIONS, ROLES, permissions_of
from ...schema.vocab import CONSENT_PURPOSES
from ...services import audit, users
from ...services.audit_reading import backup_checks, page_entries
from ...services.backups import (
    BackupInfo,
    backup_destinations,
    create_backup,
    list_backups,
    verify_backup,
)
from ...services.consent_summary import consent_summary
from ...services.settings_report import effective_settings
from ...services.stores import Stores
from ..auth import SESSION_COOKIE, Caller, Needs
from ..deps import holder_of, jobs_of, language_of, pages_of

router = APIRouter()

Role = Literal["admin", "analyst", "marketer", "viewer"]
Grant = Literal["personal_data.read", "data.export", "consents.manage"]
Done = Literal["created", "changed", "revoked", "disabled", "enabled", "unlocked"]
UserName = Annotated[str, PathParam(min_length=1, max_length=100)]
TokenId = Annotated[int, PathParam(ge=1, le=2_147_483_647)]
AUDIT_PAGE = 50
NO_STORE = {"Cache-Control": "no-store"}

assert set(get_args(Role)) == set(ROLES) and set(get_args(Grant)) == GRANTABLE


def _not_self(caller: Caller, username: str) -> None:
    if username == caller.principal.username:
        raise InputError("web_admin.self_change", username=username)


def _render(
    request: Request, caller: Caller, name: str, context: dict[str, Any], status: int = 200
) -> HTMLResponse:
    context = {"active": "admin", "grantable": sorted(GRANTABLE), "roles": ROLES, **context}
    return pages_of(request).render(request, name, context, status, caller=caller)


def _secret(request: Request, caller: Caller, kind: str, **values: Any) -> HTMLResponse:
    response = _render(request, caller, "admin_secret.html", {"kind": kind, **values})
    response.headers.update(NO_STORE)
    return response


# --- users ------------------------------------------------------------------------------------


@router.get("/admin", response_class=HTMLResponse, include_in_schema=False)
def users_page(
    request: Request,
    caller: Annotated[Caller, Depends(Needs("users.manage"))],
    done: Annotated[Done | None, Query()] = None,
    user: Annotated[str | None, Query(max_length=100)] = None,
) -> HTMLResponse:
    with acting_as(caller.principal), holder_of(request).use_accounts() as stores:
        people = users.list_users(stores)
    return _render(
        request, caller, "admin.html",
        {"users": people, "matrix": permissions_of(ROLES), "permissions": list(PERMISSIONS),
         "done": done, "done_user": user},
    )  # fmt: skip


@router.post("/admin/users", include_in_schema=False)
def create_user_form(
    request: Request,
    caller: Annotated[Caller, Depends(Needs("users.manage"))],
    username: Annotated[str, Form(min_length=1, max_length=100)],
    role: Annotated[Role, Form()],
    display_name: Annotated[str, Form(max_length=200)] = "",
    grants: Annotated[list[Grant] | None, Form()] = None,
) -> HTMLResponse:
    with acting_as(caller.principal), holder_of(request).use_accounts() as stores:
        info, password = users.create_user(
            stores, username.strip(), role, display_name=display_name.strip(), grants=grants or []
        )
    return _secret(request, caller, "user", user=info, secret=password)


@router.post("/admin/users/{username}/access", include_in_schema=False)
def change_access_form(
    request: Request,
    caller: Annotated[Caller, Depends(Needs("users.manage"))],
    username: UserName,
    role: Annotated[Role, Form()],
    grants: Annotated[list[Grant] | None, Form()] = None,
) -> RedirectResponse:
    _not_self(caller, username)
    with acting_as(caller.principal), holder_of(request).use_accounts() as stores:
        users.change_user(stores, username, role=role, grants=grants or [])
    return RedirectResponse(f"/admin?{urlencode({'done': 'changed', 'user': username})}", 303)


@router.post("/admin/users/{username}/state", include_in_schema=False)
def change_state_form(
    request: Request,
    caller: Annotated[Caller, Depends(Needs("users.manage"))],
    username: UserName,
    change: Annotated[Literal["disable", "enable", "unlock"], Form()],
) -> RedirectResponse:
    if change != "unlock":
        _not_self(caller, username)
    with acting_as(caller.principal), holder_of(request).use_accounts() as stores:
        if change == "unlock":
            users.change_user(stores, username, unlock=True)
        else:
            users.change_user(stores, username, active=change == "enable")
    done = {"disable": "disabled", "enable": "enabled", "unlock": "unlocked"}[change]
    return RedirectResponse(f"/admin?{urlencode({'done': done, 'user': username})}", 303)


@router.post("/admin/users/{username}/password", include_in_schema=False)
def reset_password_form(
    request: Request,
    caller: Annotated[Caller, Depends(Needs("users.manage"))],
    username: UserName,
) -> HTMLResponse:
    _not_self(caller, username)
    with acting_as(caller.principal), holder_of(request).use_accounts() as stores:
        password = users.set_password(stores, username)
    return _secret(request, caller, "password", username=username, secret=password)


class NewUser(BaseModel):
    """A user to create; without ``password`` a random one is made and returned once."""

    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=100)
    role: Role
    display_name: str = Field("", max_length=200)
    grants: list[Grant] = Field(default_factory=list, max_length=len(GRANTABLE))
    password: str | None = Field(None, max_length=1000)


class UserChange(BaseModel):
    """What to change of a user; fields left out stay as they are."""

    model_config = ConfigDict(extra="forbid")

    role: Role | None = None
    grants: list[Grant] | None = Field(None, max_length=len(GRANTABLE))
    active: bool | None = None
    unlock: bool = False


@router.get("/api/v1/users", tags=["admin"])
def users_json(
    request: Request, caller: Annotated[Caller, Depends(Needs("users.manage"))]
) -> list[dict[str, Any]]:
    """Every user with their role, extra permissions and state."""
    with acting_as(caller.principal), holder_of(request).use_accounts() as stores:
        return [u.__dict__ for u in users.list_users(stores)]


@router.post("/api/v1/users", tags=["admin"], status_code=201)
def create_user_json(
    request: Request,
    caller: Annotated[Caller, Depends(Needs("users.manage"))],
    body: Annotated[NewUser, Body()],
) -> JSONResponse:
    """Create a user; the answer holds the generated password (shown only this once)."""
    with acting_as(caller.principal), holder_of(request).use_accounts() as stores:
        info, password = users.create_user(
            stores, body.username, body.role, body.password,
            display_name=body.display_name, grants=body.grants,
        )  # fmt: skip
    return JSONResponse({**info.__dict__, "password": password}, 201, headers=NO_STORE)


@router.patch("/api/v1/users/{username}", tags=["admin"])
def change_user_json(
    request: Request,
    caller: Annotated[Caller, Depends(Needs("users.manage"))],
    username: UserName,
    body: Annotated[UserChange, Body()],
) -> dict[str, Any]:
    """Change a user's role, extra permissions or state (not one's own role or state)."""
    if body.role is not None or body.active is not None:
        _not_self(caller, username)
    with acting_as(caller.principal), holder_of(request).use_accounts() as stores:
        info = users.change_user(
            stores, username, role=body.role, grants=body.grants, active=body.active,
            unlock=body.unlock,
        )  # fmt: skip
    return info.__dict__


# --- API tokens ---------------------------------------------------------------------------


@router.get("/admin/tokens", response_class=HTMLResponse, include_in_schema=False)
def tokens_page(
    request: Request,
    caller: Annotated[Caller, Depends(Needs("users.manage"))],
    done: Annotated[Done | None, Query()] = None,
) -> HTMLResponse:
    with acting_as(caller.principal), holder_of(request).use_accounts() as stores:
        tokens = users.list_tokens(stores)
        people = users.list_users(stores)
    tokens.sort(key=lambda t: (t["revoked"], -int(t["id"])))
    return _render(
        request, caller, "admin_tokens.html",
        {"tokens": tokens, "users": people, "permissions": list(PERMISSIONS), "done": done},
    )  # fmt: skip


@router.post("/admin/tokens", include_in_schema=False)
def create_token_form(
    request: Request,
    caller: Annotated[Caller, Depends(Needs("users.manage"))],
    username: Annotated[str, Form(min_length=1, max_length=100)],
    name: Annotated[str, Form(min_length=1, max_length=100)],
    scopes: Annotated[list[str] | None, Form(max_length=50)] = None,
) -> HTMLResponse:
    with acting_as(caller.principal), holder_of(request).use_accounts() as stores:
        token_id, token = users.create_token(stores, username, name.strip(), scopes or None)
    return _secret(request, caller, "token", token_id=token_id, username=username, secret=token)


@router.post("/admin/tokens/{token_id}/revoke", include_in_schema=False)
def revoke_token_form(
    request: Request, caller: Annotated[Caller, Depends(Needs("users.manage"))], token_id: TokenId
) -> RedirectResponse:
    with acting_as(caller.principal), holder_of(request).use_accounts() as stores:
        users.revoke_token(stores, token_id)
    return RedirectResponse("/admin/tokens?done=revoked", 303)


class NewToken(BaseModel):
    """An API token for a user; ``scopes`` narrow what it may do (empty: all the user may)."""

    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=100)
    name: str = Field(min_length=1, max_length=100)
    scopes: list[Annotated[str, Field(max_length=50)]] = Field(
        default_factory=list, max_length=len(PERMISSIONS)
    )


@router.get("/api/v1/tokens", tags=["admin"])
def tokens_json(
    request: Request, caller: Annotated[Caller, Depends(Needs("users.manage"))]
) -> list[dict[str, Any]]:
    """Every API token (never the token itself): its user, name, scopes and use."""
    with acting_as(caller.principal), holder_of(request).use_accounts() as stores:
        return users.list_tokens(stores)


@router.post("/api/v1/tokens", tags=["admin"], status_code=201)
def create_token_json(
    request: Request,
    caller: Annotated[Caller, Depends(Needs("users.manage"))],
    body: Annotated[NewToken, Body()],
) -> JSONResponse:
    """Create an API token; the answer holds the token (shown only this once)."""
    with acting_as(caller.principal), holder_of(request).use_accounts() as stores:
        token_id, token = users.create_token(stores, body.username, body.name, body.scopes or None)
    return JSONResponse({"id": token_id, "token": token}, 201, headers=NO_STORE)


@router.delete("/api/v1/tokens/{token_id}", tags=["admin"])
def revoke_token_json(
    request: Request, caller: Annotated[Caller, Depends(Needs("users.manage"))], token_id: TokenId
) -> dict[str, Any]:
    """Revoke an API token: it stops working at once."""
    with acting_as(caller.principal), holder_of(request).use_accounts() as stores:
        users.revoke_token(stores, token_id)
    return {"id": token_id, "revoked": True}


# --- audit log ----------------------------------------------------------------------------


def _verify(stores: Stores, language: str) -> dict[str, Any]:
    result = audit.verify(stores)
    reason = translate(f"audit.reason.{result.reason}", language) if result.reason else None
    return {
        "ok": result.ok, "checked": result.checked, "first_bad_id": result.first_bad_id,
        "reason": result.reason, "message": reason,
    }  # fmt: skip


#: Details of an entry shown in its row; the others (and every value in full) are behind a
#: "show all" of the row.
DETAILS_SHOWN = 3
#: Characters of a value shown in the row.
DETAIL_CHARS = 60
#: Items of a list (e.g. the customer ids of a view) written out in full.
DETAIL_ITEMS = 50


def _detail_value(value: Any, language: str, depth: int = 0, plain: bool = False) -> str:
    """A value of an audit entry's details as people read it (``plain``: a number that is an
    id, written without grouping)."""
    if isinstance(value, bool):
        return translate(f"web_admin.audit.{'yes' if value else 'no'}", language)
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, int):
        return str(value) if plain else format_number(value, language)
    if isinstance(value, float):
        return format_number(value, language, 2)
    if isinstance(value, list):
        shown = ", ".join(
            _detail_value(v, language, depth + 1, plain) for v in value[:DETAIL_ITEMS]
        )
        if len(value) > DETAIL_ITEMS:
            more = translate("web_admin.audit.more", language, n=len(value) - DETAIL_ITEMS)
            shown = f"{shown} {more}"
        return shown
    if isinstance(value, dict):
        if depth > 0:
            return json.dumps(value, ensure_ascii=False, sort_keys=True)
        return "; ".join(
            f"{k}: {_detail_value(v, language, depth + 1, _is_id(k))}"
            for k, v in sorted(value.items())
        )
    return str(value)


def _is_id(key: str) -> bool:
    return key == "id" or key.endswith(("_id", "_ids", "ids"))


def _short(text: str) -> str:
    return text if len(text) <= DETAIL_CHARS else text[: DETAIL_CHARS - 1].rstrip() + "…"


def _shown_entry(entry: dict[str, Any], language: str) -> dict[str, Any]:
    """An audit entry as the log's page shows it: its time in UTC to the minute (the second in
    its title), its details as ``key: value`` pairs, the first few of them shortened."""
    at = datetime.fromisoformat(entry["at"])
    if at.tzinfo is not None:
        at = at.astimezone(UTC)
    details = sorted((entry["details"] or {}).items())
    pairs = [(k, _detail_value(v, language, plain=_is_id(k))) for k, v in details]
    brief = [(k, _short(v)) for k, v in pairs[:DETAILS_SHOWN]]
    return {
        **entry,
        "when": at.strftime("%d/%m/%Y %H:%M"),
        "when_exact": at.strftime("%d/%m/%Y %H:%M:%S UTC"),
        "details_brief": brief,
        "details_all": pairs,
        "details_more": len(pairs) > DETAILS_SHOWN or brief != pairs[:DETAILS_SHOWN],
    }


@router.get("/admin/audit", response_class=HTMLResponse, include_in_schema=False)
def audit_page(
    request: Request,
    caller: Annotated[Caller, Depends(Needs("audit.read"))],
    action: Annotated[str | None, Query(max_length=60)] = None,
    actor: Annotated[str | None, Query(max_length=100)] = None,
    since: Annotated[date | None, Query()] = None,
    until: Annotated[date | None, Query()] = None,
    before: Annotated[int | None, Query(ge=1, le=2**53)] = None,
    verify: Annotated[bool, Query()] = False,
) -> HTMLResponse:
    lang = language_of(request)
    with acting_as(caller.principal), holder_of(request).use_accounts() as stores:
        page = page_entries(
            stores, actor=actor or None, action=action or None, since=since, until=until,
            before=before, limit=AUDIT_PAGE,
        )  # fmt: skip
        checked = _verify(stores, lang) if verify else None
    filters = {
        k: v for k, v in
        {"action": action, "actor": actor, "since": since, "until": until}.items() if v
    }  # fmt: skip
    older = f"/admin/audit?{urlencode({**filters, 'before': page.next_before})}"
    return _render(
        request, caller, "admin_audit.html",
        {"entries": [_shown_entry(e, lang) for e in page.entries], "actions": audit.ACTIONS,
         "filters": filters, "older": older if page.next_before else None,
         "newest": f"/admin/audit?{urlencode(filters)}" if before else None, "verified": checked},
    )  # fmt: skip


@router.get("/api/v1/audit", tags=["admin"])
def audit_json(
    request: Request,
    caller: Annotated[Caller, Depends(Needs("audit.read"))],
    action: Annotated[str | None, Query(max_length=60)] = None,
    actor: Annotated[str | None, Query(max_length=100)] = None,
    since: Annotated[date | None, Query()] = None,
    until: Annotated[date | None, Query()] = None,
    before: Annotated[int | None, Query(ge=1, le=2**53)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    """Entries of the audit log, newest first, filtered by action, actor and days (UTC);
    pass ``next_before`` of an answer as ``before`` for the older ones."""
    with acting_as(caller.principal), holder_of(request).use_accounts() as stores:
        page = page_entries(
            stores, actor=actor or None, action=action or None, since=since, until=until,
            before=before, limit=limit,
        )  # fmt: skip
    return page.as_dict()


@router.get("/api/v1/audit/verify", tags=["admin"])
def audit_verify_json(
    request: Request, caller: Annotated[Caller, Depends(Needs("audit.read"))]
) -> dict[str, Any]:
    """Check the audit log's hash chain and its sealed head: whether any entry was changed
    or removed, and where."""
    with acting_as(caller.principal), holder_of(request).use_accounts() as stores:
        return _verify(stores, language_of(request))


# --- consents -----------------------------------------------------------------------------


Counted = Literal["entries", "people"]


@router.get("/admin/consents", response_class=HTMLResponse, include_in_schema=False)
def consents_page(
    request: Request,
    caller: Annotated[Caller, Depends(Needs("consents.manage"))],
    by: Annotated[Counted, Query()] = "entries",
) -> HTMLResponse:
    with acting_as(caller.principal), holder_of(request).use() as stores:
        summary = consent_summary(stores, per_person=by == "people")
    return _render(
        request, caller, "admin_consents.html", {"summary": summary, "purposes": CONSENT_PURPOSES}
    )


@router.get("/api/v1/consents/summary", tags=["admin"])
def consents_json(
    request: Request,
    caller: Annotated[Caller, Depends(Needs("consents.manage"))],
    by: Annotated[Counted, Query()] = "entries",
) -> dict[str, Any]:
    """Consents given and withdrawn per purpose and channel (``channel`` null: every
    channel): entries of the ledger, or with ``by=people`` each person once by their latest
    decision (slower on a large ledger)."""
    with acting_as(caller.principal), holder_of(request).use() as stores:
        return consent_summary(stores, per_person=by == "people").as_dict()


# --- backups ------------------------------------------------------------------------------


def _backups(stores: Stores) -> tuple[list[Path], list[BackupInfo]]:
    ws = stores.workspace
    return backup_destinations(ws), list_backups(ws)


def _backup_rows(stores: Stores) -> list[dict[str, Any]]:
    folders, found = _backups(stores)
    checks = backup_checks(stores)
    current = key_id(stores.keys.current) if stores.keys is not None else None
    out = []
    for folder in folders:
        items = []
        for b in (b for b in found if b.path.parent == folder):
            check = checks.get(b.name)
            items.append(
                {**b.as_dict(), "check": check.as_dict() if check else None,
                 "same_key": None if current is None or b.key_id is None
                 else b.key_id == current}
            )  # fmt: skip
        out.append({"folder": str(folder), "backups": items})
    return out


def _job_view(request: Request, caller: Caller, job_id: str | None) -> dict[str, Any] | None:
    job = jobs_of(request).get(job_id, caller.principal) if job_id else None
    if job is None or job.kind not in ("backup", "backup.verify"):
        return None
    error = job.error.render(language_of(request)) if job.error else None
    return {"id": job.id, "kind": job.kind, "status": job.status, "result": job.result,
            "error": error}  # fmt: skip


@router.get("/admin/backups", response_class=HTMLResponse, include_in_schema=False)
def backups_page(
    request: Request,
    caller: Annotated[Caller, Depends(Needs("backups.manage"))],
    job: Annotated[str | None, Query(max_length=64)] = None,
) -> HTMLResponse:
    with acting_as(caller.principal), holder_of(request).use_accounts() as stores:
        rows = _backup_rows(stores)
    return _render(
        request, caller, "admin_backups.html",
        {"destinations": rows, "job": _job_view(request, caller, job),
         "keep": holder_of(request).workspace.settings.backup.keep},
    )  # fmt: skip


def _start_backup(request: Request, caller: Caller) -> str:
    def task(stores: Stores, _progress: Any) -> dict[str, Any]:
        report = create_backup(stores)
        ok = bool(report.verified and report.verified.ok)
        return {"name": report.name, "size": report.size, "ok": ok, "problems": []}

    return jobs_of(request).submit("backup", caller.principal, task).id


def _start_verify(request: Request, caller: Caller, name: str) -> str:
    with acting_as(caller.principal), holder_of(request).use_accounts() as stores:
        _, found = _backups(stores)
    chosen = next((b.path for b in found if b.name == name), None)
    if chosen is None:  # only a backup listed in a destination, never a path from the request
        raise NotFoundError("backup.not_found", name=name[:100])
    lang = language_of(request)

    def task(stores: Stores, _progress: Any) -> dict[str, Any]:
        report = verify_backup(stores.workspace, chosen)
        return {"name": chosen.name, "ok": report.ok,
                "problems": [p.text(lang) for p in report.problems]}  # fmt: skip

    return jobs_of(request).submit("backup.verify", caller.principal, task).id


@router.post("/admin/backups", include_in_schema=False)
def backup_form(
    request: Request, caller: Annotated[Caller, Depends(Needs("backups.manage"))]
) -> RedirectResponse:
    return RedirectResponse(f"/admin/backups?job={_start_backup(request, caller)}", 303)


@router.post("/admin/backups/verify", include_in_schema=False)
def verify_form(
    request: Request,
    caller: Annotated[Caller, Depends(Needs("backups.manage"))],
    name: Annotated[str, Form(min_length=1, max_length=200)],
) -> RedirectResponse:
    return RedirectResponse(f"/admin/backups?job={_start_verify(request, caller, name)}", 303)


@router.get("/api/v1/backups", tags=["admin"])
def backups_json(
    request: Request, caller: Annotated[Caller, Depends(Needs("backups.manage"))]
) -> dict[str, Any]:
    """The backups in each destination folder, newest first, with their latest check."""
    with acting_as(caller.principal), holder_of(request).use_accounts() as stores:
        return {"destinations": _backup_rows(stores)}


@router.post("/api/v1/backups", tags=["admin"], status_code=202)
def backup_json(
    request: Request, caller: Annotated[Caller, Depends(Needs("backups.manage"))]
) -> dict[str, Any]:
    """Start a verified backup in the background; follow it at ``/api/v1/jobs/{job}``."""
    return {"job": _start_backup(request, caller)}


@router.post("/api/v1/backups/{name}/verify", tags=["admin"], status_code=202)
def verify_json(
    request: Request,
    caller: Annotated[Caller, Depends(Needs("backups.manage"))],
    name: Annotated[str, PathParam(min_length=1, max_length=200)],
) -> dict[str, Any]:
    """Start checking a backup (by its name) in the background; follow it at
    ``/api/v1/jobs/{job}``."""
    return {"job": _start_verify(request, caller, name)}


# --- settings -----------------------------------------------------------------------------


@router.get("/admin/settings", response_class=HTMLResponse, include_in_schema=False)
def settings_page(
    request: Request, caller: Annotated[Caller, Depends(Needs("settings.manage"))]
) -> HTMLResponse:
    workspace = holder_of(request).workspace
    with acting_as(caller.principal):
        values = effective_settings(workspace)
    return _render(
        request, caller, "admin_settings.html",
        {"settings": values, "home": str(workspace.home), "config": str(workspace.config_path)},
    )  # fmt: skip


@router.get("/api/v1/settings", tags=["admin"])
def settings_json(
    request: Request, caller: Annotated[Caller, Depends(Needs("settings.manage"))]
) -> list[dict[str, Any]]:
    """Every setting as the app uses it, its default, and whether it comes from
    ``config.toml`` or is the default (read-only; connection passwords are hidden)."""
    with acting_as(caller.principal):
        return [v.as_dict() for v in effective_settings(holder_of(request).workspace)]


# --- one's own account --------------------------------------------------------------------


def _account(
    request: Request, caller: Caller, *, changed: bool = False, error: str | None = None,
    status: int = 200,
) -> HTMLResponse:  # fmt: skip
    return pages_of(request).render(
        request, "admin_account.html",
        {"active": "", "changed": changed, "error": error,
         "permissions": sorted(caller.principal.permissions)},
        status, caller=caller,
    )  # fmt: skip


@router.get("/account", response_class=HTMLResponse, include_in_schema=False)
def account_page(
    request: Request,
    caller: Annotated[Caller, Depends(Needs(None))],
    changed: Annotated[bool, Query()] = False,
) -> HTMLResponse:
    return _account(request, caller, changed=changed)


@router.post("/account/password", include_in_schema=False)
def change_password_form(
    request: Request,
    caller: Annotated[Caller, Depends(Needs(None))],
    current: Annotated[str, Form(max_length=1000)],
    new: Annotated[str, Form(max_length=1000)],
    repeat: Annotated[str, Form(max_length=1000)],
) -> Response:
    lang = language_of(request)
    if new != repeat:
        return _account(
            request, caller, error=translate("web_admin.account.mismatch", lang), status=422
        )
    username = caller.principal.username
    holder = holder_of(request)
    try:
        with acting_as(caller.principal), holder.use_accounts() as stores:
            users.change_password(stores, username, current, new)
            # Every session of the account ended; this browser gets a fresh one.
            fresh = users.start_session(stores, username)[0] if caller.via == "session" else None
    except AuthenticationError:
        message = translate("web_admin.account.wrong_current", lang)
        return _account(request, caller, error=message, status=400)
    except InputError as exc:
        return _account(request, caller, error=exc.render(lang), status=422)
    response = RedirectResponse("/account?changed=true", 303)
    if fresh is not None:
        hours = holder.workspace.settings.security.session_hours
        response.set_cookie(
            SESSION_COOKIE, fresh, max_age=hours * 3600, httponly=True,
            samesite="strict", secure=request.url.scheme == "https", path="/",
        )  # fmt: skip
    return response
