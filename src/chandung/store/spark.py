"""The warehouse on Apache Spark, through Ibis's PySpark backend.

A workspace whose ``[warehouse] url`` is ``pyspark://`` runs its warehouse on a Spark session
(``[spark] master``, ``local[*]`` by default). Every table is a folder of Parquet files that
each session registers under its name, so the warehouse is wholly in two folders and needs
no metastore:

- ``[spark] tables_dir``: the canonical tables, read only: one ``<table>.parquet`` file or
  folder (or a folder ``<table>``) per canonical table, as ``chandung warehouse export``
  writes them from a DuckDB or PostgreSQL workspace;
- ``[spark] warehouse_dir``: what the analysis writes (identities, scores, segments, ...),
  one Parquet folder per table, and the work tables of each open session in a hidden
  ``.session-<id>`` folder, deleted when the session closes.

Nothing here imports PySpark: it is imported only when a Spark warehouse is opened, so that
commands on other engines start as fast as before. One Spark context serves the whole
process (starting one takes seconds); each warehouse opened on it gets its own session, with
its own registered tables.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import ConfigError, EngineCapabilityError, StoreError, Where
from .engines import prepare

SCHEME = "pyspark"
#: The one form of a Spark warehouse URL: everything else is in the ``[spark]`` settings.
URL = f"{SCHEME}://"
#: The oldest Java that Spark 4 runs on.
JAVA_MAJOR = 17
LABEL = "Spark"


def is_spark_url(url: str) -> bool:
    """Whether the warehouse URL ``url`` names Spark.

    >>> is_spark_url("pyspark://"), is_spark_url("duckdb:///ws/warehouse.duckdb")
    (True, False)
    """
    return url.split("://", 1)[0].lower() == SCHEME


@dataclass(frozen=True)
class SparkLayout:
    """Where a Spark warehouse runs and keeps its tables (folders as URIs)."""

    master: str
    tables_dir: str
    warehouse_dir: str
    options: Mapping[str, str] = field(default_factory=dict)


def folder_uri(setting: str, home: Path, default: str) -> str:
    """The folder named by a setting, as a URI Spark and Hadoop read the same everywhere: a
    URI (``hdfs://``, ``s3a://``, ``file:``) as it is, a path relative to the workspace
    ``home``, ``default`` (relative to it) when empty.

    >>> folder_uri("", Path("/srv/ws"), "spark/tables")
    'file:///srv/ws/spark/tables'
    >>> folder_uri("s3a://crm/tables/", Path("/srv/ws"), "x"), folder_uri("/data", Path("/a"), "x")
    ('s3a://crm/tables', 'file:///data')
    """
    text = setting.strip() or default
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", text) or text.startswith("file:"):
        return text.rstrip("/")
    path = Path(text).expanduser()
    return (path if path.is_absolute() else home / path).resolve().as_uri()


class ReadOnlyTable(EngineCapabilityError):
    """A step tried to change a canonical table, which a Spark warehouse reads from files.

    Raised with the step ``write`` by the store; :meth:`chandung.store.Warehouse.step` names
    the step that was running instead.
    """

    def __init__(self, table: str, folder: str, step: str = "write"):
        super().__init__(
            "engine.spark_read_only", engine=LABEL, step=step, table=table, folder=folder
        )

    def during(self, step: str) -> ReadOnlyTable:
        """The same error, naming ``step`` (the innermost step, if one was named already)."""
        named = self.params["step"]
        return ReadOnlyTable(
            self.params["table"], self.params["folder"], step if named == "write" else named
        )


def connect(url: str, layout: SparkLayout) -> Any:
    """Open the warehouse on Spark: start (or join) the process's Spark context, open a
    session of its own and register the tables of ``layout`` in it.

    Raises
    ------
    ConfigError
        ``url`` is not ``pyspark://``.
    StoreError
        PySpark is not installed (``engine.spark_missing``), no Java 17+ is found
        (``engine.spark_no_java``, ``engine.spark_old_java``), the session cannot start
        (``engine.spark_session``), or the canonical tables cannot be read
        (``engine.spark_no_tables``, ``engine.spark_missing_tables``,
        ``engine.spark_table_columns``, ``engine.spark_bad_table``).
    """
    if url.rstrip("/").lower() != URL.rstrip("/"):
        raise ConfigError("engine.spark_url", where=Where(field="warehouse.url"), url=url)
    try:
        from .spark_backend import SparkBackend
    except ImportError as exc:
        raise StoreError(
            "engine.spark_missing", engine=LABEL, step="open", reason=str(exc)
        ) from exc
    session = _start_session(layout)
    backend = SparkBackend()
    prepare(backend)
    try:
        backend.attach(session, layout)
    except BaseException:
        backend.disconnect()
        raise
    return backend


def session_options(layout: SparkLayout) -> dict[str, str]:
    """The settings the Spark session starts with: ours, then ``[spark] options`` over them."""
    log4j = resources.files(__package__).joinpath("spark-log4j2.properties")
    ours = {
        "spark.app.name": "chandung",
        # Spark draws stage progress on the terminal, which would mix into the output of
        # commands; its web UI would take a port for every command.
        "spark.ui.showConsoleProgress": "false",
        "spark.ui.enabled": "false",
        "spark.sql.warehouse.dir": layout.warehouse_dir,
        "spark.sql.session.timeZone": "UTC",
        # Parquet written by Spark is read back by Arrow when results stream out (see
        # SparkBackend.to_pyarrow_batches): standard timestamps, not Spark's legacy INT96.
        "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        # Only errors reach the terminal; Spark's informational lines would bury our output.
        "spark.driver.extraJavaOptions": f"-Dlog4j2.configurationFile={Path(str(log4j)).as_uri()}",
    }
    if layout.master.startswith("local"):
        # Python workers (user-defined functions) run with this interpreter and its packages.
        ours["spark.pyspark.python"] = sys.executable
        ours["spark.pyspark.driver.python"] = sys.executable
    merged = {**ours, **layout.options}
    java_options = "spark.driver.extraJavaOptions"
    if java_options in layout.options:
        # Ours first, so that the same option given again in the settings wins.
        merged[java_options] = f"{ours[java_options]} {layout.options[java_options]}"
    return merged


def _start_session(layout: SparkLayout) -> Any:
    from pyspark import SparkContext
    from pyspark.sql import SparkSession

    options = session_options(layout)
    running = SparkContext._active_spark_context
    if running is None:
        java = java_executable()
        if java is None:
            raise StoreError("engine.spark_no_java", engine=LABEL, step="open", major=JAVA_MAJOR)
        builder = SparkSession.builder.master(layout.master)
        for key, value in options.items():
            builder = builder.config(key, value)
        try:
            base = builder.getOrCreate()
        # PySpark reports a failed start with several exception types (its own, Py4J's, or
        # the JVM's through Py4J): any of them means the session cannot start.
        except Exception as exc:
            raise _start_error(layout, java, exc) from exc
    elif running.master != layout.master:
        raise StoreError(
            "engine.spark_session",
            engine=LABEL,
            step="open",
            master=layout.master,
            reason=f"this process already runs a Spark context on {running.master}",
        )
    else:
        base = SparkSession.builder.getOrCreate()
    session = base.newSession()
    for key, value in options.items():
        # Static settings belong to the context, set when it started; the others (spark.sql.*
        # above all) are set on this session.
        if session.conf.isModifiable(key):
            session.conf.set(key, value)
    return session


def _start_error(layout: SparkLayout, java: str, exc: BaseException) -> StoreError:
    version = java_major(java)
    if version is not None and version < JAVA_MAJOR:
        return StoreError(
            "engine.spark_old_java",
            engine=LABEL,
            step="open",
            java=java,
            version=version,
            major=JAVA_MAJOR,
        )
    text = str(exc).strip()
    reason = text.splitlines()[0].rstrip(".") if text else type(exc).__name__
    return StoreError(
        "engine.spark_session", engine=LABEL, step="open", master=layout.master, reason=reason
    )


def java_executable() -> str | None:
    """The ``java`` Spark would start: ``$JAVA_HOME/bin/java``, else the first on ``PATH``."""
    home = os.environ.get("JAVA_HOME", "").strip()
    if home:
        candidate = Path(home) / "bin" / ("java.exe" if os.name == "nt" else "java")
        return str(candidate) if candidate.is_file() else None
    return shutil.which("java")


def java_major(java: str) -> int | None:
    """The major version of the Java runtime ``java`` (``None``: it does not run)."""
    try:
        done = subprocess.run(  # noqa: S603 (the java Spark itself would run)
            [java, "-version"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    found = re.search(r'version "(\d+)(?:\.(\d+))?', done.stderr + done.stdout)
    if found is None:
        return None
    major = int(found.group(1))
    # Java 8 and older call themselves 1.x.
    return int(found.group(2) or 0) if major == 1 else major
