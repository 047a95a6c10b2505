"""Ibis's PySpark backend with the warehouse's tables kept as folders of Parquet files.

Imported only when a Spark warehouse is opened (it imports PySpark); see
:mod:`chandung.store.spark` for the layout. Ibis's own PySpark backend keeps tables in the
Spark catalog, which forgets them when the session ends unless a Hive metastore is set up,
and reads results through pandas. Here each table is registered in the session as a view of
its Parquet folder, written tables replace their folder whole, and results come back as
Arrow.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

import ibis
import ibis.common.exceptions as com
import ibis.expr.operations as ops
import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.parquet as pq
from ibis.backends.pyspark import Backend as PySparkBackend
from ibis.backends.pyspark.datatypes import PySparkSchema, PySparkType
from ibis.formats.pandas import PandasData
from ibis.formats.pyarrow import PyArrowData
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.types import StructType

from ..errors import StoreError
from ..schema import TABLES
from .spark import LABEL, ReadOnlyTable, SparkLayout

# Loading the backend through Ibis registers its options (``ibis.options.pyspark``), which
# its compiler reads.
ibis.load_backend("pyspark")

#: Prefix of the folder that holds one session's work tables in the warehouse folder.
SESSION_PREFIX = ".session-"

#: The Spark schema of each table file or folder, by (URI, modification time, size): every
#: warehouse opened registers its tables, and reading a schema from Parquet costs a Spark job.
_schemas: dict[tuple[str, int, int], StructType] = {}


class SparkFiles:
    """Folders through Hadoop's file system, as Spark reads them (local, HDFS, S3, ...)."""

    def __init__(self, session: SparkSession):
        jvm = session.sparkContext._jvm
        assert jvm is not None
        self._path = jvm.org.apache.hadoop.fs.Path
        self._conf = session.sparkContext._jsc.hadoopConfiguration()

    def _fs(self, uri: str) -> tuple[Any, Any]:
        path = self._path(uri)
        return path.getFileSystem(self._conf), path

    def exists(self, uri: str) -> bool:
        fs, path = self._fs(uri)
        return bool(fs.exists(path))

    def children(self, uri: str, *, folders: bool = False) -> dict[str, str]:
        """Name to URI of each entry (each folder with ``folders``) of the folder ``uri``."""
        fs, path = self._fs(uri)
        return {
            str(s.getPath().getName()): str(s.getPath().toString())
            for s in fs.listStatus(path)
            if s.isDirectory() or not folders
        }

    def version(self, uri: str) -> tuple[str, int, int]:
        """What changes when the file or folder ``uri`` is written: its modification time and
        size (a folder's time changes as files come and go)."""
        fs, path = self._fs(uri)
        status = fs.getFileStatus(path)
        return (uri, int(status.getModificationTime()), int(status.getLen()))

    def rename(self, old: str, new: str) -> None:
        fs, source = self._fs(old)
        if not fs.rename(source, self._path(new)):
            raise OSError(f"cannot rename {old} to {new}")

    def delete(self, uri: str) -> None:
        fs, path = self._fs(uri)
        fs.delete(path, True)


class SparkBackend(PySparkBackend):  # type: ignore[misc]
    """A Spark warehouse: Ibis's PySpark backend over the folders of a :class:`SparkLayout`."""

    def attach(self, session: SparkSession, layout: SparkLayout) -> None:
        """Use ``session`` and register the tables of ``layout`` in it."""
        self.do_connect(session)
        self.layout = layout
        self.files = SparkFiles(session)
        self._work = f"{layout.warehouse_dir}/{SESSION_PREFIX}{uuid.uuid4().hex[:12]}"
        #: Name to folder of every table of this session.
        self._locations: dict[str, str] = {}
        self._canonical: set[str] = set()
        self._register_canonical()
        if self.files.exists(layout.warehouse_dir):
            for name, uri in self.files.children(layout.warehouse_dir, folders=True).items():
                # Hidden folders are work in progress: a session's, or a table being written.
                if not name.startswith(".") and name not in self._canonical:
                    self._register(name, uri)

    # -- the tables -------------------------------------------------------------------------

    def _register_canonical(self) -> None:
        folder = self.layout.tables_dir
        if not self.files.exists(folder):
            raise StoreError("engine.spark_no_tables", engine=LABEL, step="open", folder=folder)
        found = self.files.children(folder)
        missing = []
        for spec in TABLES:
            uri = found.get(f"{spec.name}.parquet") or found.get(spec.name)
            if uri is None:
                missing.append(spec.name)
                continue
            try:
                frame = self._read(uri)
            # Spark reports an unreadable file as a captured JVM error of one of many types.
            except Exception as exc:
                raise _bad_table(spec.name, folder, exc) from exc
            absent = [c for c in spec.column_names if c not in frame.columns]
            if absent:
                shown = ", ".join(absent[:5]) + (", …" if len(absent) > 5 else "")
                raise StoreError(
                    "engine.spark_table_columns",
                    engine=LABEL,
                    step="open",
                    table=spec.name,
                    folder=folder,
                    columns=shown,
                )
            frame = _typed(frame, ibis.schema(spec.ibis_schema()))
            frame.createOrReplaceTempView(spec.name)
            self._locations[spec.name] = uri
            self._canonical.add(spec.name)
        if missing:
            raise StoreError(
                "engine.spark_missing_tables",
                engine=LABEL,
                step="open",
                folder=folder,
                tables=", ".join(missing),
            )

    def _read(self, uri: str, schema: StructType | None = None) -> DataFrame:
        """The Parquet file or folder ``uri``, with its schema read once per version."""
        version = self.files.version(uri)
        if schema is not None:
            _schemas[version] = schema
        if version not in _schemas:
            frame: DataFrame = self._session.read.parquet(uri)
            _schemas[version] = frame.schema
            return frame
        known: DataFrame = self._session.read.schema(_schemas[version]).parquet(uri)
        return known

    def _register(self, name: str, uri: str, schema: StructType | None = None) -> None:
        self._read(uri, schema).createOrReplaceTempView(name)
        self._locations[name] = uri

    def check_writable(self, name: str) -> None:
        """Raise :class:`ReadOnlyTable` for a canonical table (they are read from files)."""
        if name in self._canonical:
            raise ReadOnlyTable(name, self.layout.tables_dir)

    def _location(self, name: str, temp: bool) -> str:
        return f"{self._work if temp else self.layout.warehouse_dir}/{name}"

    def _frame(self, obj: Any) -> DataFrame:
        """A Spark data frame of an Ibis expression or of rows in memory."""
        if isinstance(obj, ir.Table) and isinstance(obj.op(), ops.InMemoryTable):
            op = obj.op()
            return self._arrow_frame(op.data.to_pyarrow(op.schema), op.schema)
        if isinstance(obj, ir.Expr):
            table = obj.as_table()
            self._run_pre_execute_hooks(table)
            # A table keeps the types Ibis gave its columns, whatever Spark computed them in.
            return _typed(self._session.sql(self.compile(table)), table.schema())
        rows = obj if isinstance(obj, pa.Table) else pa.table(obj)
        return self._arrow_frame(rows, ibis.Schema.from_pyarrow(rows.schema))

    def _arrow_frame(self, rows: pa.Table, schema: Any) -> DataFrame:
        frame: DataFrame = self._session.createDataFrame(
            rows, schema=PySparkSchema.from_ibis(schema)
        )
        return frame

    def _write(self, frame: DataFrame, uri: str) -> None:
        """Write ``frame`` as the folder ``uri``, replacing it only once the write is whole."""
        parent, _, name = uri.rpartition("/")
        staging = f"{parent}/.{name}.{uuid.uuid4().hex[:12]}"
        frame.write.mode("errorifexists").parquet(staging)
        if self.files.exists(uri):
            self.files.delete(uri)
        self.files.rename(staging, uri)

    def _register_in_memory_table(self, op: ops.InMemoryTable) -> None:
        # From Arrow directly: Ibis goes through pandas, which loses types on the way.
        frame = self._arrow_frame(op.data.to_pyarrow(op.schema), op.schema)
        frame.createOrReplaceTempView(op.name)

    def list_tables(self, *, like: str | None = None, database: str | None = None) -> list[str]:  # noqa: ARG002
        return list(self._filter_with_like(sorted(self._locations), like))

    def create_table(
        self,
        name: str,
        /,
        obj: Any = None,
        *,
        schema: Any = None,
        database: str | None = None,  # noqa: ARG002
        temp: bool | None = None,
        overwrite: bool = False,
        **_: Any,
    ) -> ir.Table:
        self.check_writable(name)
        if name in self._locations and not overwrite:
            raise com.IbisError(f"table {name} already exists")
        if obj is not None:
            frame = self._frame(obj)
        elif schema is not None:
            frame = self._session.createDataFrame([], PySparkSchema.from_ibis(ibis.schema(schema)))
        else:
            raise com.IbisError("The schema or obj parameter is required")
        if name in self._locations and self._locations[name] != self._location(name, bool(temp)):
            self.drop_table(name)
        uri = self._location(name, bool(temp))
        self._write(frame, uri)
        self._register(name, uri, frame.schema)
        return self.table(name)

    def insert(
        self,
        name: str,
        /,
        obj: Any,
        *,
        database: str | None = None,  # noqa: ARG002
        overwrite: bool = False,
    ) -> None:
        self.check_writable(name)
        if name not in self._locations:
            raise com.TableNotFound(name)
        target = self.get_schema(name)
        frame = self._frame(obj)
        if not set(frame.columns) <= set(target.names):
            # Columns that are not the table's are taken in order, as Ibis does.
            frame = frame.toDF(*target.names)
        frame = _typed(frame, target)
        uri = self._locations[name]
        if overwrite:
            self._write(frame, uri)
        else:
            frame.write.mode("append").parquet(uri)
        self._register(name, uri, frame.schema)

    def drop_table(
        self,
        name: str,
        /,
        *,
        database: str | None = None,  # noqa: ARG002
        force: bool = False,
    ) -> None:
        self.check_writable(name)
        uri = self._locations.pop(name, None)
        if uri is None:
            if not force:
                raise com.TableNotFound(name)
            return
        self._session.catalog.dropTempView(name)
        self.files.delete(uri)

    def rename_table(self, old_name: str, new_name: str) -> None:
        self.check_writable(old_name)
        self.check_writable(new_name)
        if old_name not in self._locations:
            raise com.TableNotFound(old_name)
        temp = self._locations[old_name].startswith(self._work + "/")
        uri = self._location(new_name, temp)
        schema = self._session.table(old_name).schema
        self.files.rename(self._locations.pop(old_name), uri)
        self._session.catalog.dropTempView(old_name)
        self._register(new_name, uri, schema)

    def disconnect(self) -> None:
        # The Spark context serves the whole process (see chandung.store.spark); only this
        # session's views and work tables go.
        for name in list(getattr(self, "_locations", {})):
            self._session.catalog.dropTempView(name)
        if hasattr(self, "files") and self.files.exists(self._work):
            self.files.delete(self._work)
        self._locations = {}

    # -- results ----------------------------------------------------------------------------

    def to_pyarrow(
        self,
        expr: ir.Expr,
        /,
        *,
        params: Mapping[ir.Scalar, Any] | None = None,
        limit: int | str | None = None,
        **_: Any,
    ) -> pa.Table:
        table_expr = expr.as_table()
        self._run_pre_execute_hooks(table_expr)
        frame = self._session.sql(self.compile(table_expr, params=params, limit=limit))
        table = PyArrowData.convert_table(frame.toArrow(), table_expr.schema())
        return expr.__pyarrow_result__(table)

    def execute(
        self,
        expr: ir.Expr,
        /,
        *,
        params: Mapping[ir.Scalar, Any] | None = None,
        limit: int | str | None = None,
        **_: Any,
    ) -> Any:
        table_expr = expr.as_table()
        table = self.to_pyarrow(table_expr, params=params, limit=limit)
        frame = PandasData.convert_table(table.to_pandas(), table_expr.schema())
        return expr.__pandas_result__(frame)

    def to_pyarrow_batches(
        self,
        expr: ir.Expr,
        /,
        *,
        params: Mapping[ir.Scalar, Any] | None = None,
        limit: int | str | None = None,
        chunk_size: int = 1_000_000,
        **_: Any,
    ) -> pa.RecordBatchReader:
        """The result in batches of at most ``chunk_size`` rows, without holding it whole.

        Spark writes the result into the session's work folder as Parquet files of at most
        ``chunk_size`` rows each, in order; they are read back one at a time (straight from
        a local disk, through Spark from a cluster's storage) and deleted once read.
        """
        table_expr = expr.as_table()
        self._run_pre_execute_hooks(table_expr)
        schema = table_expr.schema()
        target = schema.to_pyarrow()
        frame = self._session.sql(self.compile(table_expr, params=params, limit=limit))
        uri = f"{self._work}/stream-{uuid.uuid4().hex[:12]}"
        frame.write.option("maxRecordsPerFile", chunk_size).parquet(uri)

        def batches() -> Iterator[pa.RecordBatch]:
            try:
                parts = self.files.children(uri)
                for name in sorted(n for n in parts if n.endswith(".parquet")):
                    rows = PyArrowData.convert_table(self._read_part(parts[name]), schema)
                    yield from rows.cast(target).to_batches(max_chunksize=chunk_size)
            finally:
                self.files.delete(uri)

        return pa.RecordBatchReader.from_batches(target, batches())

    def _read_part(self, uri: str) -> pa.Table:
        if uri.startswith("file:"):
            # Hadoop names local files file:/path (its paths are not percent-encoded).
            return pq.read_table(urlsplit(uri).path)
        arrow: pa.Table = self._session.read.parquet(uri).toArrow()
        return arrow


def _typed(frame: DataFrame, schema: Any) -> DataFrame:
    """``frame`` with the columns of the Ibis ``schema``, in order and of its types (a column
    it lacks is empty); one expression, where a column at a time would cost a call to Spark
    per column."""
    present = set(frame.columns)
    columns = []
    for name, dtype in schema.items():
        quoted = "`" + name.replace("`", "``") + "`"
        spark_type = PySparkType.from_ibis(dtype).simpleString()
        value = quoted if name in present else "NULL"
        columns.append(f"CAST({value} AS {spark_type}) AS {quoted}")
    typed: DataFrame = frame.selectExpr(*columns)
    return typed


def _bad_table(name: str, folder: str, reason: object) -> StoreError:
    text = str(reason).strip()
    return StoreError(
        "engine.spark_bad_table",
        engine=LABEL,
        step="open",
        table=name,
        folder=folder,
        reason=text.splitlines()[0] if text else type(reason).__name__,
    )
