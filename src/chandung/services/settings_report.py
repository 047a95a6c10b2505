"""The settings a running app uses, and where each comes from.

A value comes from the workspace's ``config.toml`` when the file sets the key, else it is
the built-in default (:mod:`chandung.config`). The app reads the file when it starts, so a
key changed in the file since then is flagged until the app is restarted. Connection URLs are
shown with any password replaced; settings that name an environment variable say whether
that variable is set, never its value.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import asdict, dataclass
from typing import Any

from pydantic import BaseModel

from ..config import Settings
from ..errors import ConfigError
from ..privacy.context import require
from ..store.warehouse import redact_url
from ..workspace import Workspace

#: Settings whose value is a connection URL (a password in it is never shown).
URL_KEYS = frozenset({"warehouse.url", "app_database.url", "personas.llm_url"})
#: Settings whose value names an environment variable.
ENV_KEYS = frozenset({"security.key_env", "personas.llm_api_key_env"})


@dataclass(frozen=True)
class SettingValue:
    """One setting: ``source`` is ``file`` or ``default``; ``pending`` when the file now holds
    another value than the running app (a restart applies it); ``env_set`` for a setting that
    names an environment variable: whether it is set."""

    key: str
    section: str
    name: str
    value: str
    default: str
    source: str
    pending: str | None
    env_set: bool | None
    description: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _shown(key: str, value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    return redact_url(text) if key in URL_KEYS else text


def _file(workspace: Workspace) -> tuple[dict[str, Any], Settings | None]:
    path = workspace.config_path
    try:
        raw = tomllib.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return {}, None
    try:
        return raw, Settings.from_mapping(raw, source=str(path))
    except ConfigError:
        return raw, None


def effective_settings(workspace: Workspace) -> list[SettingValue]:
    """Every setting of ``workspace`` as the app uses it. Needs ``settings.manage``."""
    require("settings.manage")
    raw, on_disk = _file(workspace)
    running = workspace.settings
    out = []
    for section_name, section_field in Settings.model_fields.items():
        model = section_field.annotation
        assert isinstance(model, type) and issubclass(model, BaseModel)
        in_file = raw.get(section_name)
        in_file = in_file if isinstance(in_file, dict) else {}
        for name, info in model.model_fields.items():
            key = f"{section_name}.{name}"
            value = getattr(getattr(running, section_name), name)
            default = info.get_default(call_default_factory=True)
            pending = None
            if on_disk is not None:
                now_in_file = getattr(getattr(on_disk, section_name), name)
                if now_in_file != value:
                    pending = _shown(key, now_in_file)
            env_set = bool(os.environ.get(str(value))) if key in ENV_KEYS and value else None
            out.append(
                SettingValue(
                    key=key, section=section_name, name=name, value=_shown(key, value),
                    default=_shown(key, default), source="file" if name in in_file else "default",
                    pending=pending, env_set=env_set, description=info.description or "",
                )
            )  # fmt: skip
    return out


__all__ = ["ENV_KEYS", "URL_KEYS", "SettingValue", "effective_settings"]
