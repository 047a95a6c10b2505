"""The canonical data model of the customer file."""

from ._model import DTYPES, Column, Table
from .tables import LINEAGE, TABLES, TABLES_BY_NAME, table

__all__ = ["DTYPES", "LINEAGE", "TABLES", "TABLES_BY_NAME", "Column", "Table", "table"]
