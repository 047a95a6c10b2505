"""Metrics computed in the warehouse: Ibis expressions whose results are aggregates."""

from .overview import Overview, overview

__all__ = ["Overview", "overview"]
