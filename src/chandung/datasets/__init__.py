"""Bundled data sets: generators of realistic demo and test data."""

from . import demo

__all__ = ["demo"]
