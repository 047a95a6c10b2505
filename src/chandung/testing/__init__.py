"""Helpers for testing code built on Chân Dung: Hypothesis strategies for customer data.

Importing this package needs :mod:`hypothesis` (a development dependency).
"""

from .strategies import (
    emails,
    gender_labels,
    messy_vietnamese_names,
    vietnamese_names,
    vn_mobile_numbers,
)

__all__ = [
    "emails",
    "gender_labels",
    "messy_vietnamese_names",
    "vietnamese_names",
    "vn_mobile_numbers",
]
