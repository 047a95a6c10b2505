"""Settings of a workspace, read from its ``config.toml``.

Every key is declared here once, with its default and its meaning; ``docs/configuration.md``
lists them and a test keeps the two in step. Unknown keys are refused rather than ignored, so a
typo never silently falls back to a default.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Literal

import tomli_w
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .errors import ConfigError, Where


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class WorkspaceSettings(_Section):
    name: str = Field("", description="Name of the business, shown in the web app and reports.")
    language: Literal["vi", "en"] = Field(
        "vi", description="Default language of the web app, reports and messages."
    )


class WarehouseSettings(_Section):
    url: str = Field(
        "",
        description="Ibis connection URL of the warehouse (e.g. `postgres://user@host/db`, or "
        "`pyspark://` for Spark with the `[spark]` settings). Empty: a DuckDB file "
        "`warehouse.duckdb` in the workspace.",
    )

    duckdb_memory_limit: str = Field(
        "2GB",
        pattern=r"^(\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB))?$",
        description="Most memory the embedded DuckDB warehouse may use for its buffers "
        "(e.g. `2GB`); larger work spills to disk. Empty: DuckDB's own default, 80% of the "
        "machine's memory.",
    )


class SparkSettings(_Section):
    master: str = Field(
        "local[*]",
        description='Spark master of a Spark warehouse (`[warehouse] url = "pyspark://"`): '
        "`local[*]` runs Spark on this machine with every core; `spark://host:7077`, `yarn` "
        "or `k8s://...` a cluster.",
    )
    tables_dir: str = Field(
        "",
        description="Folder (or `hdfs://`, `s3a://` URI) the Spark warehouse reads the "
        "canonical tables from: one Parquet file or folder per table, named `<table>.parquet` "
        "or `<table>`, as `chandung warehouse export` writes them. Empty: `spark/tables` in "
        "the workspace; a relative path is relative to the workspace.",
    )
    warehouse_dir: str = Field(
        "",
        description="Folder (or URI) where the Spark warehouse writes what the analysis "
        "computes (identities, scores, segments, ...), one Parquet folder per table. Empty: "
        "`spark/warehouse` in the workspace.",
    )
    options: dict[str, str] = Field(
        default_factory=dict,
        description='Settings of the Spark session, e.g. `{ "spark.driver.memory" = '
        '"8g" }` (keys start with `spark.`); they override the product\'s own '
        "(see docs/scaling.md).",
    )

    @field_validator("options")
    @classmethod
    def _spark_keys(cls, value: dict[str, str]) -> dict[str, str]:
        wrong = [k for k in value if not k.startswith("spark.")]
        if wrong:
            raise ValueError(f"not a Spark setting (they start with `spark.`): {wrong[0]}")
        return value


class AppDatabaseSettings(_Section):
    url: str = Field(
        "",
        description="SQLAlchemy URL of the app database (e.g. "
        "`postgresql+psycopg://user@host/db`). Empty: a SQLite file `app.db` in the workspace.",
    )


class IdentitySettings(_Section):
    threshold: float = Field(
        0.75,
        ge=0.5,
        le=1.5,
        description="Least score for two records with the same name key and birth year to be "
        "linked as one person (see docs/identity.md for the weights).",
    )
    max_shared_identifier: int = Field(
        5,
        ge=2,
        description="A phone or e-mail held by more records than this links nobody (a "
        "switchboard or placeholder number).",
    )


class QualitySettings(_Section):
    stale_after_months: int = Field(
        24,
        ge=1,
        description="A person with no order and no new record for this many months counts as "
        "stale in the quality report.",
    )


class ValueSettings(_Section):
    transaction_model: Literal["bgnbd", "paretonbd"] = Field(
        "bgnbd",
        description="Model of repeat buying used to score every customer: BG/NBD (`bgnbd`) or "
        "Pareto/NBD (`paretonbd`).",
    )
    horizon_months: int = Field(
        12, ge=1, le=120, description="Months ahead the predicted customer lifetime value covers."
    )
    annual_discount_rate: float = Field(
        0.10,
        ge=0.0,
        le=1.0,
        description="Yearly rate that discounts future revenue in the lifetime value.",
    )
    holdout_days: int = Field(
        180,
        ge=7,
        description="Days at the end of the history kept apart by `chandung clv validate` to "
        "check the predictions against what customers then did.",
    )


class PersonaSettings(_Section):
    min_segment_share: float = Field(
        0.01,
        ge=0.0,
        le=1.0,
        description="Smallest share of the customers a segment needs to get a persona.",
    )
    min_segment_size: int = Field(
        50, ge=1, description="Fewest customers a segment needs to get a persona."
    )
    min_respondents: int = Field(
        15,
        ge=1,
        description="Fewest survey respondents in a segment for its goals and buying criteria.",
    )
    min_texts: int = Field(
        15,
        ge=1,
        description="Fewest feedback texts in a segment for its motivations, objections and "
        "quotes.",
    )
    min_share: float = Field(
        0.1,
        ge=0.0,
        le=1.0,
        description="Smallest share of a segment that must name a goal, pain point or channel "
        "for it to be listed.",
    )
    stability_replicates: int = Field(
        200, ge=10, le=10_000, description="Bootstrap replicates behind each stability score."
    )
    llm_url: str = Field(
        "",
        description="Optional OpenAI-compatible chat endpoint that rephrases persona summaries "
        "(never adds facts: a rephrasing that changes a number or name is refused). Empty: off.",
    )
    llm_model: str = Field("", description="Model name sent to `llm_url`.")
    llm_api_key_env: str = Field(
        "CHANDUNG_LLM_API_KEY",
        description="Environment variable holding the API key of `llm_url` (never stored).",
    )


class SecuritySettings(_Section):
    encrypt_at_rest: bool = Field(
        True,
        description="Encrypt the warehouse (DuckDB) with the workspace key. The key is kept in "
        "`keys/` (owner-only) or given by the environment variable named by `key_env`.",
    )
    key_env: str = Field(
        "CHANDUNG_KEY",
        description="Environment variable that may hold the workspace key instead of the key "
        "file (base64, 32 bytes).",
    )
    session_hours: int = Field(
        12, ge=1, le=24 * 30, description="Hours a browser session stays signed in."
    )
    lockout_attempts: int = Field(
        5, ge=1, le=100, description="Failed sign-ins in a row that lock an account."
    )
    lockout_minutes: int = Field(15, ge=1, description="Minutes a locked account stays locked.")


class BackupSettings(_Section):
    destinations: list[str] = Field(
        default_factory=list,
        description="Folders backups are written to (local folders or a mounted drive); "
        "empty: the workspace's `backups/` folder.",
    )
    keep: int = Field(7, ge=1, le=1000, description="Backups kept per destination.")
    schedule: str = Field(
        "",
        description="When `chandung backup --if-due` makes a backup: `daily`, `weekly` or "
        "`hourly` (run it from cron or a systemd timer); empty: only on demand.",
    )


class ServerSettings(_Section):
    host: str = Field("127.0.0.1", description="Address the web app listens on.")
    port: int = Field(8000, ge=1, le=65535, description="Port the web app listens on.")


class DemoSettings(_Section):
    customers: int = Field(
        20_000, ge=100, description="Number of customers `chandung demo` generates."
    )
    seed: int = Field(42, description="Random seed of the demo generator.")


class Settings(_Section):
    """All settings of a workspace."""

    workspace: WorkspaceSettings = Field(default_factory=WorkspaceSettings)
    warehouse: WarehouseSettings = Field(default_factory=WarehouseSettings)
    spark: SparkSettings = Field(default_factory=SparkSettings)
    app_database: AppDatabaseSettings = Field(default_factory=AppDatabaseSettings)
    identity: IdentitySettings = Field(default_factory=IdentitySettings)
    quality: QualitySettings = Field(default_factory=QualitySettings)
    value: ValueSettings = Field(default_factory=ValueSettings)
    personas: PersonaSettings = Field(default_factory=PersonaSettings)
    security: SecuritySettings = Field(default_factory=SecuritySettings)
    backup: BackupSettings = Field(default_factory=BackupSettings)
    server: ServerSettings = Field(default_factory=ServerSettings)
    demo: DemoSettings = Field(default_factory=DemoSettings)

    @classmethod
    def load(cls, path: Path) -> Settings:
        """Read ``path``; a missing file gives the defaults."""
        if not path.exists():
            return cls()
        try:
            raw = tomllib.loads(path.read_text("utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError("config.parse", where=Where(file=str(path)), reason=str(exc)) from exc
        return cls.from_mapping(raw, source=str(path))

    @classmethod
    def from_mapping(cls, raw: dict[str, Any], source: str = "config.toml") -> Settings:
        try:
            return cls.model_validate(raw)
        except ValidationError as exc:
            first = exc.errors()[0]
            key = ".".join(str(part) for part in first["loc"])
            raise ConfigError(
                "config.value", where=Where(file=source, field=key), reason=first["msg"]
            ) from exc

    def to_toml(self) -> str:
        return tomli_w.dumps(self.model_dump(mode="json"))


def describe() -> list[tuple[str, str, str]]:
    """Every setting as ``(key, default, description)``, for the documentation."""
    rows = []
    for section_name, section_field in Settings.model_fields.items():
        section = section_field.annotation
        assert isinstance(section, type) and issubclass(section, BaseModel)
        for key, info in section.model_fields.items():
            default = info.get_default(call_default_factory=True)
            rows.append((f"{section_name}.{key}", repr(default), info.description or ""))
    return rows


def render_configuration_doc() -> str:
    """The text of ``docs/configuration.md`` (``make docs`` writes it)."""
    lines = [
        "# Configuration",
        "",
        "Each workspace has a `config.toml` at its root. A missing key takes its default; an",
        "unknown key or a bad value is refused with an error naming the key, so a typo never",
        "passes silently. This page is rendered from `chandung.config` by `make docs`.",
        "",
        "The workspace itself is chosen by `--home DIR` on any command, else the",
        "`CHANDUNG_HOME` environment variable, else a per-user folder (`~/.local/share/chandung`",
        "on Linux, `~/Library/Application Support/chandung` on macOS, `%LOCALAPPDATA%\\chandung`",
        "on Windows).",
        "",
        "| key | default | meaning |",
        "|---|---|---|",
    ]
    for key, default, description in describe():
        lines.append(f"| `{key}` | `{default}` | {description} |")
    lines += [
        "",
        "Example: keep the warehouse on a PostgreSQL server.",
        "",
        "```toml",
        "[warehouse]",
        'url = "postgres://analyst@db.internal/crm"',
        "",
        "[app_database]",
        'url = "postgresql+psycopg://analyst@db.internal/chandung_app"',
        "```",
        "",
        "PostgreSQL needs the `postgres` extra: `pip install 'chandung[postgres]'`. What runs on",
        "the server, what comes into memory and what else changes: [scaling](scaling.md).",
        "",
        "Example: run the analysis on a Spark cluster over the canonical tables written by",
        "`chandung warehouse export` (the `spark` extra: `pip install 'chandung[spark]'`).",
        "",
        "```toml",
        "[warehouse]",
        'url = "pyspark://"',
        "",
        "[spark]",
        'master = "spark://spark-master.internal:7077"',
        'tables_dir = "hdfs:///crm/tables"',
        'warehouse_dir = "hdfs:///crm/warehouse"',
        "",
        "[spark.options]",
        '"spark.executor.memory" = "8g"',
        "```",
    ]
    return "\n".join(lines) + "\n"
