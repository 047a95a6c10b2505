"""Normalisers: each turns a column of raw values, as a source wrote them, into canonical values.

Every normaliser is a pure function over a whole Arrow column (vectorised: no Python loop per
row), returning a :class:`Normalized` with the canonical values and, for each value that could
not be read, the reason code. A one-value convenience (`normalize_*_one`) calls the same code.
"""

from ._result import Normalized

__all__ = ["Normalized"]
