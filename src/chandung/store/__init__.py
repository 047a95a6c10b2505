"""The two stores: the warehouse (through Ibis) and the app database (through SQLAlchemy)."""

from .appdb import AppDatabase
from .warehouse import Warehouse

__all__ = ["AppDatabase", "Warehouse"]
