"""The choices the services accept, named without loading the services.

The command line lists them in its options' help; importing the services themselves would
bring the data and modelling libraries into every command, even ``--help``.
"""

from __future__ import annotations

from ..schema import TABLES_BY_NAME

#: What can be imported: each canonical table, and ``order_lines`` (an export of order lines
#: carrying the order's and the customer's columns, loaded into all three tables).
KINDS = (*TABLES_BY_NAME, "order_lines")

#: The models ``chandung clv fit`` knows.
MODELS = ("bgnbd", "paretonbd", "gammagamma", "sbg", "bgbb")

__all__ = ["KINDS", "MODELS"]
