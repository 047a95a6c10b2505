"""Tables of the app database (SQLAlchemy 2 declarative models).

The schema is changed only by Alembic migrations in ``migrations/versions``; a test checks that
the migrations and these models agree.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from ..privacy.fields import EncryptedJSON


class Base(DeclarativeBase):
    pass


class ImportBatch(Base):
    """One load of data into the warehouse: a file import or a generated demo."""

    __tablename__ = "import_batches"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    source: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(20))
    rows_loaded: Mapped[int] = mapped_column(Integer, default=0)
    # Holds the import report, whose errors quote rejected values (phones, e-mails...).
    details: Mapped[dict[str, object]] = mapped_column(
        EncryptedJSON("import_batches.details"), default=dict
    )


class AnalysisRun(Base):
    """One run of the analysis over the warehouse, with its summary."""

    __tablename__ = "analysis_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(20))
    summary: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)


class IdentityOverride(Base):
    """A person's decision about identity: ``merge`` two records, or ``split`` one from its
    person. Undoing one sets ``active`` to false; nothing is deleted."""

    __tablename__ = "identity_overrides"
    __table_args__ = (Index("ix_identity_overrides_customer", "customer_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(10))
    customer_id: Mapped[str] = mapped_column(String(64))
    other_customer_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class RetentionPurge(Base):
    """One retention purge: when, the policy, and how many rows of each table it deleted."""

    __tablename__ = "retention_purges"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    purged_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    older_than: Mapped[str] = mapped_column(String(20))
    cutoff: Mapped[datetime] = mapped_column(DateTime(timezone=False))
    counts: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)


class SavedSegment(Base):
    """A segment a person defined by a rule; its members are computed live."""

    __tablename__ = "segments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    rule: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SegmentSnapshot(Base):
    """The members of a segment at one moment (the ids are kept in the warehouse table
    ``segment_snapshot_members``)."""

    __tablename__ = "segment_snapshots"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    segment_id: Mapped[int] = mapped_column(Integer, ForeignKey("segments.id"))
    taken_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    rule: Mapped[str] = mapped_column(Text)
    members: Mapped[int] = mapped_column(Integer)


class Segmentation(Base):
    """One run of automatic segmentation: its settings and the segments found (assignments
    are in the warehouse table ``segment_assignments``)."""

    __tablename__ = "segmentations"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    settings: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    summary: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)


class PersonaSet(Base):
    """One version of the personas: where they came from, their quality, and how each was
    matched to the previous version's."""

    __tablename__ = "persona_sets"

    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    source: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    settings: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    quality: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    matches: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)


class PersonaRecord(Base):
    """One persona of one version, stored without language (text is written when shown)."""

    __tablename__ = "personas"

    version: Mapped[int] = mapped_column(
        Integer, ForeignKey("persona_sets.version"), primary_key=True
    )
    persona_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    # Holds customers' (masked) quotes.
    data: Mapped[dict[str, object]] = mapped_column(EncryptedJSON("personas.data"), default=dict)


class PersonaEdit(Base):
    """What a person changed by hand on a persona; kept by persona id across versions."""

    __tablename__ = "persona_edits"

    persona_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    nickname: Mapped[str | None] = mapped_column(String(200), nullable=True)
    notes: Mapped[list[str]] = mapped_column(JSON, default=list)
    hidden_sections: Mapped[list[str]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class User(Base):
    """A person who signs in: argon2 hash of the password, role, lock-out state."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    grants: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    password_changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class UserSession(Base):
    """A signed-in browser session: only the hash of its token is kept."""

    __tablename__ = "user_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("users.id"))
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ApiToken(Base):
    """A token for the REST API and scripts: hashed, scoped, revocable."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("users.id"))
    name: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class AuditEntry(Base):
    """One entry of the append-only, hash-chained audit log."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(60), index=True)
    target: Mapped[str] = mapped_column(Text, default="")
    rows: Mapped[int | None] = mapped_column(Integer, nullable=True)
    purpose: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64), unique=True)


class Erasure(Base):
    """A served erasure request: only keyed hashes of the person's identifiers, so that a
    restore of an older backup can erase them again, and nothing that names the person."""

    __tablename__ = "erasures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    erased_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    identifier_hashes: Mapped[list[str]] = mapped_column(JSON, default=list)
    counts: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
