"""Accounts: users with argon2id password hashes, sign-in with lock-out, sessions, API tokens.

Nothing secret is stored in the clear: passwords as argon2id hashes, session and API tokens as
SHA-256 hashes (they are long random strings, so a fast hash is enough). There is no default
password anywhere: the first administrator is created by ``chandung users create-admin``,
with a random password printed once when none is given.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, func, select

from ..errors import AuthenticationError, InputError, NotFoundError
from ..privacy.context import require
from ..privacy.roles import GRANTABLE, PERMISSIONS, ROLES, Principal
from ..store.app_models import ApiToken, User, UserSession
from .stores import Stores

MIN_PASSWORD_LENGTH = 10
TOKEN_PREFIX = "cdt_"  # noqa: S105 - the visible prefix of API tokens, not a secret
_HASHER = PasswordHasher()
# Verifying against this when the user does not exist keeps the time of a failed sign-in
# the same whether or not the name exists, so names cannot be guessed from timing.
_DUMMY_HASH = _HASHER.hash(secrets.token_urlsafe(16))


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def _iso(moment: datetime | None) -> str | None:
    aware = _aware(moment)
    return aware.isoformat() if aware is not None else None


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _audit(stores: Stores, action: str, **kwargs: Any) -> None:
    from .audit import record

    record(stores, action, **kwargs)


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH or len(set(password)) < 4:
        raise InputError("auth.weak_password", length=MIN_PASSWORD_LENGTH)


def new_password() -> str:
    """A random password of 16 characters from an unambiguous alphabet."""
    alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(16))


@dataclass(frozen=True)
class UserInfo:
    username: str
    display_name: str
    role: str
    active: bool
    grants: list[str]
    locked_until: str | None
    created_at: str

    @classmethod
    def of(cls, user: User) -> UserInfo:
        locked = _aware(user.locked_until)
        return cls(
            username=user.username,
            display_name=user.display_name,
            role=user.role,
            active=user.active,
            grants=list(user.grants or []),
            locked_until=locked.isoformat() if locked and locked > _now() else None,
            created_at=_iso(user.created_at) or "",
        )


def principal_of(user: User, scopes: Sequence[str] | None = None) -> Principal:
    return Principal(
        user.username,
        user.role,
        frozenset(user.grants or ()),
        frozenset(scopes) if scopes is not None else None,
    )


def _get(session: Any, username: str) -> User:
    user: User | None = session.scalars(select(User).where(User.username == username)).first()
    if user is None:
        raise NotFoundError("auth.no_user", username=username)
    return user


def _validate(username: str, role: str, grants: Sequence[str]) -> None:
    if (
        not username
        or len(username) > 100
        or not username.replace(".", "").replace("_", "").replace("-", "").isalnum()
    ):
        raise InputError("auth.bad_username", username=username)
    if role not in ROLES:
        raise InputError("auth.bad_role", role=role, roles=", ".join(ROLES))
    for grant in grants:
        if grant not in GRANTABLE:
            raise InputError("auth.bad_grant", grant=grant, grants=", ".join(sorted(GRANTABLE)))


def create_user(
    stores: Stores,
    username: str,
    role: str,
    password: str | None = None,
    *,
    display_name: str = "",
    grants: Sequence[str] = (),
    check_permission: bool = True,
) -> tuple[UserInfo, str | None]:
    """Create a user; returns it and the generated password when none was given."""
    if check_permission:
        require("users.manage")
    _validate(username, role, grants)
    generated = None
    if password is None:
        password = generated = new_password()
    check_password(password)
    now = _now()
    with stores.app_db.session() as session:
        if session.scalars(select(User).where(User.username == username)).first():
            raise InputError("auth.user_exists", username=username)
        user = User(
            username=username,
            display_name=display_name,
            role=role,
            password_hash=_HASHER.hash(password),
            active=True,
            failed_logins=0,
            grants=list(grants),
            created_at=now,
            password_changed_at=now,
        )
        session.add(user)
        session.flush()
        info = UserInfo.of(user)
    _audit(stores, "user.create", target=username, details={"role": role, "grants": list(grants)})
    return info, generated


def has_admin(stores: Stores) -> bool:
    with stores.app_db.session() as session:
        count = session.scalar(select(func.count()).select_from(User).where(User.role == "admin"))
        return bool(count)


def create_admin(
    stores: Stores, username: str = "admin", password: str | None = None
) -> tuple[UserInfo, str | None]:
    """The first administrator (or another one, by an administrator)."""
    # The very first administrator can only be made by whoever holds the workspace files.
    return create_user(stores, username, "admin", password, check_permission=has_admin(stores))


def list_users(stores: Stores) -> list[UserInfo]:
    require("users.manage")
    with stores.app_db.session() as session:
        return [UserInfo.of(u) for u in session.scalars(select(User).order_by(User.username))]


def change_user(
    stores: Stores,
    username: str,
    *,
    role: str | None = None,
    grants: Sequence[str] | None = None,
    active: bool | None = None,
    unlock: bool = False,
) -> UserInfo:
    require("users.manage")
    with stores.app_db.session() as session:
        user = _get(session, username)
        _validate(username, role or user.role, grants if grants is not None else [])
        if role is not None:
            user.role = role
        if grants is not None:
            user.grants = list(grants)
        if active is not None:
            user.active = active
        if unlock:
            user.failed_logins, user.locked_until = 0, None
        if role is not None or active is False:
            # A changed role or a closed account takes effect now: its sessions end.
            session.execute(delete(UserSession).where(UserSession.user_id == user.id))
        info = UserInfo.of(user)
    _audit(
        stores, "user.change", target=username,
        details={"role": role, "grants": list(grants or []), "active": active, "unlock": unlock},
    )  # fmt: skip
    return info


def authenticate(stores: Stores, username: str, password: str) -> Principal:
    """The principal of ``username`` if ``password`` is right and the account is open.

    Each failure counts; ``[security] lockout_attempts`` failures in a row lock the account
    for ``lockout_minutes``. The error never says whether the name or the password was wrong.
    """
    settings = stores.workspace.settings.security
    now = _now()
    with stores.app_db.session() as session:
        user = session.scalars(select(User).where(User.username == username)).first()
        if user is None:
            _verify(_DUMMY_HASH, password)
            ok = False
        else:
            locked = _aware(user.locked_until)
            if locked is not None and locked > now:
                _verify(_DUMMY_HASH, password)
                ok = False
            else:
                ok = user.active and _verify(user.password_hash, password)
            if ok:
                user.failed_logins, user.locked_until = 0, None
                if _HASHER.check_needs_rehash(user.password_hash):
                    user.password_hash = _HASHER.hash(password)
                principal = principal_of(user)
            else:
                user.failed_logins = (user.failed_logins or 0) + 1
                if user.failed_logins >= settings.lockout_attempts:
                    user.locked_until = now + timedelta(minutes=settings.lockout_minutes)
    if not ok:
        _audit(stores, "login_failed", actor=username[:100], target=username[:100])
        raise AuthenticationError("auth.required")
    _audit(stores, "login", actor=username)
    return principal


def _verify(hashed: str, password: str) -> bool:
    try:
        return _HASHER.verify(hashed, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def change_password(stores: Stores, username: str, old: str, new: str) -> None:
    """Change one's own password (the old one is checked); other sessions end."""
    authenticate(stores, username, old)
    check_password(new)
    with stores.app_db.session() as session:
        user = _get(session, username)
        user.password_hash = _HASHER.hash(new)
        user.password_changed_at = _now()
        session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    _audit(stores, "password_change", actor=username, target=username)


def set_password(stores: Stores, username: str, new: str | None = None) -> str | None:
    """An administrator sets a user's password (random when none given, returned)."""
    require("users.manage")
    generated = None
    if new is None:
        new = generated = new_password()
    check_password(new)
    with stores.app_db.session() as session:
        user = _get(session, username)
        user.password_hash = _HASHER.hash(new)
        user.password_changed_at = _now()
        user.failed_logins, user.locked_until = 0, None
        session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    _audit(stores, "password_change", target=username)
    return generated


# --- sessions ----------------------------------------------------------------------------------


def start_session(stores: Stores, username: str) -> tuple[str, str]:
    """A new session for a signed-in user: ``(session token, CSRF token)``; a fresh token at
    every sign-in, so a session id planted before sign-in is worthless."""
    hours = stores.workspace.settings.security.session_hours
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    now = _now()
    with stores.app_db.session() as session:
        user = _get(session, username)
        session.execute(delete(UserSession).where(UserSession.expires_at < now))
        session.add(
            UserSession(
                token_hash=token_hash(token),
                user_id=user.id,
                csrf_token=csrf,
                created_at=now,
                expires_at=now + timedelta(hours=hours),
            )
        )
    return token, csrf


def session_principal(stores: Stores, token: str) -> tuple[Principal, str] | None:
    """The principal and CSRF token of a live session, or None."""
    if not token:
        return None
    with stores.app_db.session() as session:
        found = session.get(UserSession, token_hash(token))
        if found is None:
            return None
        expires = _aware(found.expires_at)
        if expires is None or expires <= _now():
            session.delete(found)
            return None
        user = session.get(User, found.user_id)
        if user is None or not user.active:
            return None
        return principal_of(user), found.csrf_token


def end_session(stores: Stores, token: str) -> None:
    with stores.app_db.session() as session:
        found = session.get(UserSession, token_hash(token))
        if found is not None:
            user = session.get(User, found.user_id)
            session.delete(found)
            name = user.username if user else ""
    if found is not None:
        _audit(stores, "logout", actor=name)


def csrf_matches(expected: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(expected, given or "")


# --- API tokens --------------------------------------------------------------------------------


def create_token(
    stores: Stores, username: str, name: str, scopes: Sequence[str] | None = None
) -> tuple[int, str]:
    """A new API token for ``username`` (shown once): ``(id, token)``. ``scopes`` narrow the
    user's permissions (default: all of them)."""
    require("users.manage")
    for scope in scopes or ():
        if scope not in PERMISSIONS:
            raise InputError("auth.bad_scope", scope=scope)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with stores.app_db.session() as session:
        user = _get(session, username)
        row = ApiToken(
            user_id=user.id,
            name=name,
            token_hash=token_hash(token),
            scopes=list(scopes) if scopes else [],
            created_at=_now(),
        )
        session.add(row)
        session.flush()
        token_id = int(row.id)
    _audit(stores, "token.create", target=username, details={"token_id": token_id, "name": name})
    return token_id, token


def token_principal(stores: Stores, token: str) -> Principal | None:
    """The principal of a live API token, or None."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    with stores.app_db.session() as session:
        row = session.scalars(
            select(ApiToken).where(ApiToken.token_hash == token_hash(token))
        ).first()
        if row is None or row.revoked_at is not None:
            return None
        user = session.get(User, row.user_id)
        if user is None or not user.active:
            return None
        row.last_used_at = _now()
        return principal_of(user, row.scopes or None)


def revoke_token(stores: Stores, token_id: int) -> None:
    require("users.manage")
    with stores.app_db.session() as session:
        row = session.get(ApiToken, token_id)
        if row is None:
            raise NotFoundError("auth.no_token", id=token_id)
        row.revoked_at = _now()
    _audit(stores, "token.revoke", details={"token_id": token_id})


def list_tokens(stores: Stores) -> list[dict[str, Any]]:
    require("users.manage")
    with stores.app_db.session() as session:
        rows = session.execute(
            select(ApiToken, User.username).join(User, ApiToken.user_id == User.id)
        ).all()
        return [
            {
                "id": t.id,
                "user": username,
                "name": t.name,
                "scopes": list(t.scopes or []),
                "created_at": _iso(t.created_at),
                "last_used_at": _iso(t.last_used_at),
                "revoked": t.revoked_at is not None,
            }
            for t, username in rows
        ]
